#!/usr/bin/env bash
# test_column_cache.sh — the column cache beside the store (docs/column-cache.md): `encore
# import` builds it, audiences answer the same with it as without it (ENCORE_COLUMN_CACHE=off)
# for every kind of clause; events imported afterwards are seen at once (read above the
# marks); a change to a row it holds, made with sqlite3 behind encore's back, makes it unused
# until `encore cache build`; `encore cache drop` removes it.
. "$(dirname "$0")/lib.sh"

db="$ENCORE_DB"
NOW="2026-01-01"
run_rc "$ENCORE" demo --customers 2000 --seed 5 --out "$E2E_TMP/shop" --json
check "demo shop imported" "$RC" 0
run_rc "$ENCORE" cache status --json
check "import built the cache" "$(jget "$OUT" "*[d['usable'], d['rows_behind'], d['customers'] > 1900]")" "True 0 True"
check "the cache file is beside the store" "$(test -s "$db.columns" && echo yes)" "yes"

exprs=(
  'bought(category = "Electronics", within = 365d)'
  'viewed(within = 30d) and consent("email")'
  'not bought(within = 90d) and orders >= 2 and aov > 50'
  'cart_abandoned(within = 7d)'
  'days_until(birthday) <= 30 or tier = "gold"'
  'complaints >= 1 or nps < 7'
  'consent("sms") and not consent("email")'
  'returns > 0 and returns_amount > 10'
)
same_counts() {
  local what=$1 bad=""
  for e in "${exprs[@]}"; do
    a=$("$ENCORE" audience count "$e" --now "$NOW" --json 2>&1 | jget "$(cat)" "d['count']" 2>/dev/null || echo err)
    b=$(ENCORE_COLUMN_CACHE=off "$ENCORE" audience count "$e" --now "$NOW" --json 2>&1 | jget "$(cat)" "d['count']" 2>/dev/null || echo err)
    [ "$a" = "$b" ] && [ "$a" != err ] || bad="$bad [$e: $a vs $b]"
  done
  check "$what: every count the same with and without the cache" "$bad" ""
}
same_counts "built"

# events after the build: read above the marks, counted at once
first=$(sql "SELECT external_id FROM customers WHERE merged_into IS NULL ORDER BY id LIMIT 3" | tr '\n' ' ')
before=$("$ENCORE" audience count 'viewed(within = 1d)' --now "$NOW" --json | jget "$(cat)" "d['count']")
{ echo "event_id,customer_id,time,type,sku,value,session,channel"
  i=0; for c in $first; do i=$((i + 1)); echo "X$i,$c,2025-12-31 23:00:0$i,view,,,SX$i,web"; done; } > "$E2E_TMP/late.csv"
run_rc "$ENCORE" import events "$E2E_TMP/late.csv"
check "late events imported" "$RC" 0
run_rc "$ENCORE" cache status --json
check "the cache stays in use with rows added" "$(jget "$OUT" "*[d['usable'], d['rows_behind']]")" "True 3"
after=$("$ENCORE" audience count 'viewed(within = 1d)' --now "$NOW" --json | jget "$(cat)" "d['count']")
check "the added views are counted" "$((after - before))" \
  "$(sql "SELECT count(*) FROM customers WHERE external_id IN ('$(echo $first | sed "s/ /','/g")') AND id NOT IN (SELECT customer_id FROM events WHERE type = 'view' AND ts >= 1767139200 AND ts < 1767225600 AND source_key NOT LIKE 'X%')")"
same_counts "rows added"

# a held row changed behind encore's back: not used, and the answers are still the store's
$PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute('UPDATE events SET ts = ts + 1 WHERE id = 10'); db.commit()" "$db"
run_rc "$ENCORE" cache status --json
check "a changed held row makes the cache unused" "$(jget "$OUT" "*[d['usable'], d['why']]")" "False rows it holds changed in the store"
same_counts "changed"
run_rc "$ENCORE" cache build --json
check "cache build makes it usable again" "$(jget "$OUT" "*[d['usable'], d['rows_behind']]")" "True 0"
same_counts "rebuilt"

# profiles, as a scoring run writes them; the profile cache after `encore cache build`
$PY - "$db" <<'PYEOF'
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
stages = ["new", "growing", "mature", "declining", "dormant", "churned"]
rows = [(cid, 1, 1767225600 - 86400, stages[cid % 6], (cid * 7919) % 50000, (cid % 100) / 100,
         "At Risk" if cid % 3 == 0 else "Champions", json.dumps(["vip"] if cid % 7 == 0 else []))
        for (cid,) in db.execute("SELECT id FROM customers WHERE merged_into IS NULL") if cid % 10]
db.executemany("INSERT INTO profiles(customer_id, run_id, as_of, lifecycle, clv, churn_risk,"
               " rfm_segment, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
db.commit()
PYEOF
exprs=(
  'lifecycle in ("dormant", "declining") and clv > 200 and churn_risk > 0.5'
  'rfm_segment = "At Risk" and not tag("vip")'
  'tag("vip") and bought(within = 365d)'
  'scored_at >= "2025-12-01" and lifecycle != "new"'
)
run_rc "$ENCORE" cache status --json
check "profiles written: the profile cache is not in use" "$(jget "$OUT" "d['profiles']['usable']")" "False"
run_rc "$ENCORE" cache build --json
check "cache build builds the profile cache" "$(jget "$OUT" "*[d['profiles']['usable'], d['profiles']['rows']]")" \
  "True $(sql "SELECT count(*) FROM profiles")"
same_counts "profiles"
$PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute('UPDATE profiles SET lifecycle = \'dormant\' WHERE customer_id % 5 = 1'); db.commit()" "$db"
run_rc "$ENCORE" cache status --json
check "a profile written makes the profile cache unused" "$(jget "$OUT" "*[d['profiles']['usable'], d['profiles']['why']]")" \
  "False profiles changed in the store"
same_counts "profiles changed"

run_rc "$ENCORE" cache drop
check "drop" "$RC $(test -e "$db.columns" && echo present || echo gone)" "0 gone"
run_rc "$ENCORE" cache status --json
check "status after drop" "$(jget "$OUT" "*[d['present'], d['usable'], d['profiles']['present']]")" "False False False"
run_rc "$ENCORE" cache frob
check "an unknown subcommand exits 2" "$RC" 2
e2e_done
