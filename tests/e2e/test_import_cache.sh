#!/usr/bin/env bash
# test_import_cache.sh — the bulk import path (branch importspeed): the column cache an import
# leaves equals one built from scratch (`encore cache build`), byte for byte but for the build
# time and the checksum over it; order totals summed by the import equal the store's own sums
# of the lines; an import into a store whose cache holds rows runs with the triggers, so a
# held order that gets new lines, or a held row changed by a re-import, makes the cache
# unused (and rebuilt) instead of silently stale; and audiences answer the same with the cache
# as without it after every step. Random files (seeded), several rounds.
. "$(dirname "$0")/lib.sh"

db="$ENCORE_DB"
NOW="2026-01-01"

# same_cache WHAT: the cache file equals a cache built from scratch now (bytes 32..39 are the
# prefix's checksum, 64..71 the build time; nothing else may differ)
same_cache() {
  cp "$db.columns" "$E2E_TMP/after_import.columns"
  "$ENCORE" cache build >/dev/null 2>&1
  check "$1: the cache equals one rebuilt from scratch" "$($PY - "$E2E_TMP/after_import.columns" "$db.columns" <<'PYEOF'
import sys
a = open(sys.argv[1], 'rb').read()
b = open(sys.argv[2], 'rb').read()
if len(a) != len(b):
    print("sizes differ: %d vs %d" % (len(a), len(b)))
else:
    d = [i for i in range(len(a)) if a[i] != b[i] and not (32 <= i < 40 or 64 <= i < 72)]
    print("same" if not d else "%d bytes differ, first at %d" % (len(d), d[0]))
PYEOF
)" "same"
}

same_totals() {
  check "$1: every order's totals equal the sums of its lines" "$(sql "SELECT count(*) FROM orders o
    WHERE has_lines AND (total, items, sales) IS NOT (SELECT coalesce(sum(amount), 0),
      coalesce(sum(qty), 0), coalesce(sum(amount) FILTER (WHERE kind = 'sale'), 0)
      FROM order_lines WHERE id BETWEEN o.id << 20 AND (o.id << 20) | 1048575)")" "0"
}

exprs=(
  'bought(within = 365d) and orders >= 2'
  'returns > 0'
  'not bought(within = 90d) and aov > 20'
  'viewed(within = 30d)'
)
# counts [ENV...]: the count of every expression, one line
counts() {
  for e in "${exprs[@]}"; do
    env "$@" "$ENCORE" audience count "$e" --now "$NOW" --json 2>&1 | jget "$(cat)" "d['count']" 2>/dev/null || echo err
  done | tr '\n' ' '
}
same_counts() {
  local with without
  with=$(counts)
  without=$(counts ENCORE_COLUMN_CACHE=off)
  check "$1: audiences the same with and without the cache" "$with" "$without"
  check "$1: every audience counted" "$(echo "$with" | grep -c err)" "0"
}

# orders FILE SEED FIRST N [CHANGE]: N random orders numbered from FIRST (1 to 4 lines each,
# some returns, some bad rows); CHANGE=1 doubles the prices (a re-import that changes them)
orders() {
  $PY - "$@" <<'PYEOF'
import random, sys
path, seed, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
change = len(sys.argv) > 5
r = random.Random(seed)
with open(path, "w") as f:
    f.write("order_id,customer_id,time,sku,qty,unit_price\n")
    for k in range(first, first + n):
        rr = random.Random(k)  # an order's rows depend on its number only
        cust = "C%d" % rr.randrange(1, 200)
        t = "2025-%02d-%02d 1%d:00:00" % (rr.randrange(1, 13), rr.randrange(1, 28), rr.randrange(10))
        oid = ("R%d" if rr.random() < 0.1 else "O%d") % k
        for j in range(rr.randrange(1, 5)):
            q = rr.randrange(1, 6)
            p = rr.randrange(100, 5000) / 100 * (2 if change else 1)
            f.write("%s,%s,%s,S%d,%d,%.2f\n" % (oid, cust, t, rr.randrange(1, 40), q, p))
        if r.random() < 0.05:
            f.write("%s,%s,%s,S1,lots,1.00\n" % (oid, cust, t))
PYEOF
}

events() {
  $PY - "$@" <<'PYEOF'
import random, sys
path, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
with open(path, "w") as f:
    f.write("event_id,customer_id,time,type,sku\n")
    for k in range(n):
        f.write("E%d_%d,C%d,2025-12-%02d 10:00:00,view,S%d\n" % (seed, k, r.randrange(1, 200), r.randrange(1, 31), r.randrange(1, 40)))
PYEOF
}

# 1. a fresh store: the first import (the bulk path runs without the cache's triggers)
orders "$E2E_TMP/o1.csv" 1 1 600
run_rc "$ENCORE" import orders "$E2E_TMP/o1.csv" --source shop --cancel-prefix R --json
check "first import ran" "$RC" 0
check "the bad rows are rejected with their line and field" \
  "$(jget "$OUT" "*[d['rejected'] > 0, d['errors'][0]['field'], d['errors'][0]['line'] > 1]")" "True qty True"
check "the good rows are kept" "$(sql "SELECT count(*) > 1000 FROM order_lines")" "1"
run_rc "$ENCORE" cache status --json
check "the first import built the cache" "$(jget "$OUT" "*[d['usable'], d['rows_behind']]")" "True 0"
same_totals "first import"
same_counts "first import"
same_cache "first import"

# 2. a few rows more: kept above the marks, the cache still in use
events "$E2E_TMP/e1.csv" 7 40
run_rc "$ENCORE" import events "$E2E_TMP/e1.csv"
check "events imported" "$RC" 0
run_rc "$ENCORE" cache status --json
check "a small import leaves the cache in use, rows above the marks" "$(jget "$OUT" "*[d['usable'], d['rows_behind'] >= 40]")" "True True"
same_counts "small import"

# 3. held orders get new lines (the same orders with more rows): with marks the triggers run
#    and the generation rises; the import's refresh then rebuilds the cache
gen0=$(sql "SELECT gen FROM column_gen WHERE id = 1")
orders "$E2E_TMP/o2.csv" 1 1 600 changed
run_rc "$ENCORE" import orders "$E2E_TMP/o2.csv" --source shop --cancel-prefix R --json
check "the re-import with changed prices ran" "$RC" 0
check "held rows changed: the generation rose" "$(( $(sql "SELECT gen FROM column_gen WHERE id = 1") > gen0 ))" "1"
run_rc "$ENCORE" cache status --json
check "the cache was rebuilt by the import" "$(jget "$OUT" "*[d['usable'], d['rows_behind']]")" "True 0"
same_totals "re-import"
same_counts "re-import"
same_cache "re-import"

# 4. rounds of new orders and events on top, each large or small
for round in 1 2 3; do
  orders "$E2E_TMP/o3.csv" $((round + 10)) $((1000 * round)) $((round * 150))
  run_rc "$ENCORE" import orders "$E2E_TMP/o3.csv" --source shop --cancel-prefix R
  check "round $round: orders imported" "$RC" 0
  events "$E2E_TMP/e3.csv" $((round + 20)) $((round * 300))
  run_rc "$ENCORE" import events "$E2E_TMP/e3.csv"
  check "round $round: events imported" "$RC" 0
  same_totals "round $round"
  same_counts "round $round"
done
# the import rebuilds the cache only when the rows above the marks outnumber an eighth of it:
# when it did, the file is a build from scratch; when not, the rows above are read on use
run_rc "$ENCORE" cache status --json
if [ "$(jget "$OUT" "d['rows_behind']")" = 0 ]; then same_cache "after the rounds"
else check "after the rounds: the cache in use" "$(jget "$OUT" "d['usable']")" "True"; fi
"$ENCORE" cache build >/dev/null 2>&1
same_counts "rebuilt after the rounds"
e2e_done
