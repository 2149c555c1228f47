#!/usr/bin/env bash
# test_audience.sh — `encore audience` on a generated shop: counts agree with the same question
# asked in SQL of the store (python3's sqlite3), export writes the counted customers as CSV
# (RFC 4180, read back by python's csv) and JSON lines, saved segments work inside expressions
# and refuse cycles, and errors have the documented format and exit codes (0 / 1 / 2).
. "$(dirname "$0")/lib.sh"

db="$ENCORE_DB"
NOW="2026-01-01"
demo_shop "$ENCORE_DB" "$E2E_TMP/shop" --customers 3000
check "demo shop imported" "$RC" 0

# profile rows, as the scoring stage would write them (the test stands in for `encore score`)
/usr/bin/python3 - "$db" <<'EOF'
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
stages = ["new", "growing", "mature", "declining", "dormant", "churned"]
rows = []
for (cid,) in db.execute("SELECT id FROM customers WHERE merged_into IS NULL"):
    if cid % 10 == 0:
        continue  # unscored customers
    tags = ["vip"] if cid % 7 == 0 else (["complainer", "vip"] if cid % 11 == 0 else [])
    label = 'a, "quoted" label' if cid % 13 == 0 else "plain"
    rows.append((cid, 1, 1767225600 - 86400, stages[cid % 6], (cid * 7919) % 50000,
                 "At Risk" if cid % 3 == 0 else "Champions", json.dumps(tags), label))
db.executemany("INSERT INTO profiles(customer_id, run_id, as_of, lifecycle, clv, rfm_segment, tags,"
               " cluster_label) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
db.commit()
EOF

# sql QUERY — one number from the store
sql() { /usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$db" "$1"; }
now_epoch=1767225600

# ---- count agrees with SQL -----------------------------------------------------------------------
SALE="o.status = 'paid' AND o.sales > 0 AND o.ts < $now_epoch"
run_rc "$ENCORE" audience count 'orders >= 2 and aov > 50' --now "$NOW" --json
check "count: exit 0" "$RC" 0
want=$(sql "SELECT count(*) FROM (SELECT c.id FROM customers c JOIN orders o ON o.customer_id = c.id
  WHERE c.merged_into IS NULL AND $SALE GROUP BY c.id HAVING count(*) >= 2 AND avg(o.sales) > 5000)")
check "count: orders >= 2 and aov > 50 agrees with SQL" "$(jget "$OUT" 'd["count"]')" "$want"
check "count: by_lifecycle sums to count" "$(jget "$OUT" 'sum(d["by_lifecycle"].values())')" "$want"
check "count: customers" "$(jget "$OUT" 'd["customers"]')" "$(sql "SELECT count(*) FROM customers WHERE merged_into IS NULL")"
check "count: canonical expression" "$(jget "$OUT" 'd["expr"]')" "(orders >= 2 and aov > 50)"

run_rc "$ENCORE" audience count 'lifecycle = "dormant" and clv > 200 and consent("sms")' --now "$NOW" --json
want=$(sql "SELECT count(*) FROM profiles p JOIN customers c ON c.id = p.customer_id
  WHERE c.merged_into IS NULL AND p.lifecycle = 'dormant' AND p.clv > 20000 AND
  (SELECT granted FROM consents k WHERE k.customer_id = c.id AND k.purpose = 'marketing'
     AND k.channel IN ('sms', 'all') AND k.ts < $now_epoch ORDER BY k.ts DESC, k.id DESC LIMIT 1) = 1")
check "count: lifecycle, clv, consent agree with SQL" "$(jget "$OUT" 'd["count"]')" "$want"
check "count: all of them dormant" "$(jget "$OUT" 'd["by_lifecycle"]["dormant"]')" "$want"
[ "$want" -gt 0 ] && ok "count: a non-empty audience" || not_ok "count: a non-empty audience"

run_rc "$ENCORE" audience count 'bought(category = "Cameras", within = 90d) and not bought(category = "Electronics/Lenses")' --now "$NOW" --json
CAM="(SELECT DISTINCT o.customer_id FROM orders o JOIN order_lines l ON l.order_id = o.id
  JOIN products p ON p.id = l.product_id WHERE $SALE AND l.kind = 'sale' AND o.ts >= $now_epoch - 90 * 86400
  AND lower(p.category) LIKE '%/cameras')"
LENS="(SELECT DISTINCT o.customer_id FROM orders o JOIN order_lines l ON l.order_id = o.id
  JOIN products p ON p.id = l.product_id WHERE $SALE AND l.kind = 'sale' AND lower(p.category) = 'electronics/lenses')"
want=$(sql "SELECT count(*) FROM customers WHERE merged_into IS NULL AND id IN $CAM AND id NOT IN $LENS")
check "count: bought(category, within) and not bought(...) agrees with SQL" "$(jget "$OUT" 'd["count"]')" "$want"

run_rc "$ENCORE" audience count 'rfm_segment in ("At Risk", "Can'"'"'t Lose Them") and not tag("complainer")' --now "$NOW" --json
want=$(sql "SELECT count(*) FROM profiles p JOIN customers c ON c.id = p.customer_id WHERE c.merged_into IS NULL
  AND p.rfm_segment IN ('At Risk', 'Can''t Lose Them') AND NOT EXISTS (SELECT 1 FROM json_each(p.tags) WHERE value = 'complainer')")
check "count: rfm_segment in (...) and not tag(...) agrees with SQL" "$(jget "$OUT" 'd["count"]')" "$want"

run_rc "$ENCORE" audience count 'not known(lifecycle)' --now "$NOW" --json
check "count: unscored customers" "$(jget "$OUT" 'd["count"]')" "$(jget "$OUT" 'd["by_lifecycle"]["unscored"]')"
check "count: profiles in use" "$(jget "$OUT" 'd["profiles"]')" "$(sql "SELECT count(*) FROM profiles")"

# the human form
run_rc "$ENCORE" audience count 'orders >= 2 and aov > 50' --now "$NOW"
check_match "count: human output" "$OUT" "^[0-9]+ of [0-9]+ customers \([0-9.]+%\)"

# an expression in a file, over several lines, and from several arguments
printf 'orders >= 2   # repeat buyers\n  and aov > 50\n' > "$E2E_TMP/expr.txt"
run_rc "$ENCORE" audience count --file "$E2E_TMP/expr.txt" --now "$NOW" --json
A=$(jget "$OUT" 'd["count"]')
run_rc "$ENCORE" audience count orders '>=' 2 and aov '>' 50 --now "$NOW" --json
check "count: --file and words give the same count" "$(jget "$OUT" 'd["count"]')" "$A"

# ---- export ----------------------------------------------------------------------------------------
run_rc "$ENCORE" audience export 'tag("vip")' --now "$NOW" --fields customer_id,email,clv,cluster_label,tags,last_order_at
check "export: exit 0" "$RC" 0
printf '%s\n' "$OUT" > "$E2E_TMP/vip.csv"
want=$(sql "SELECT count(*) FROM profiles p JOIN customers c ON c.id = p.customer_id WHERE c.merged_into IS NULL
  AND EXISTS (SELECT 1 FROM json_each(p.tags) WHERE value = 'vip')")
check "export: csv rows = count" "$(/usr/bin/python3 -c "import csv,sys; print(len(list(csv.DictReader(open(sys.argv[1], newline='')))))" "$E2E_TMP/vip.csv")" "$want"
check "export: csv header" "$(head -n 1 "$E2E_TMP/vip.csv")" "customer_id,email,clv,cluster_label,tags,last_order_at"
check "export: RFC 4180 quoting reads back" \
  "$(/usr/bin/python3 -c "import csv,sys; print(sorted({r['cluster_label'] for r in csv.DictReader(open(sys.argv[1], newline=''))}))" "$E2E_TMP/vip.csv")" \
  "['a, \"quoted\" label', 'plain']"
check "export: values agree with the store" \
  "$(/usr/bin/python3 - "$E2E_TMP/vip.csv" "$db" <<'EOF'
import csv, sys, sqlite3
db = sqlite3.connect(sys.argv[2])
bad = 0
for r in csv.DictReader(open(sys.argv[1], newline='')):
    email, clv = db.execute("SELECT c.email, p.clv FROM customers c JOIN profiles p ON p.customer_id = c.id"
                            " WHERE c.external_id = ?", (r["customer_id"],)).fetchone()
    if (email or "") != r["email"] or "%d.%02d" % divmod(clv, 100) != r["clv"] or "vip" not in r["tags"].split("|"):
        bad += 1
print(bad)
EOF
)" 0

run_rc "$ENCORE" audience export 'orders >= 2 and aov > 50' --now "$NOW" --format jsonl --out "$E2E_TMP/a.jsonl"
check "export: --out exit 0" "$RC" 0
check_match "export: --out says how many" "$ERR" "^exported $A customers to "
check "export: jsonl lines = count" "$(wc -l < "$E2E_TMP/a.jsonl" | tr -d ' ')" "$A"
check "export: jsonl default fields, valid JSON" \
  "$(/usr/bin/python3 -c "import json,sys; print(sorted(json.loads(open(sys.argv[1]).readline()).keys()))" "$E2E_TMP/a.jsonl")" \
  "['clv', 'customer_id', 'email', 'last_order_days', 'lifecycle', 'orders', 'total_spent']"
check "export: jsonl orders >= 2" \
  "$(/usr/bin/python3 -c "import json,sys; print(all(json.loads(l)['orders'] >= 2 for l in open(sys.argv[1])))" "$E2E_TMP/a.jsonl")" "True"
run_rc "$ENCORE" audience export 'orders >= 2' --now "$NOW" --limit 5 --fields id
check "export: --limit" "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 6

# ---- saved segments --------------------------------------------------------------------------------
run_rc "$ENCORE" audience save repeat 'orders >= 2 and aov > 50'
check "save: exit 0" "$RC" 0
check "save: message" "$OUT" "saved segment 'repeat'"
run_rc "$ENCORE" audience save repeat 'orders >= 2 and aov > 50'
check "save again: replaced" "$OUT" "replaced segment 'repeat'"
run_rc "$ENCORE" audience save vip_repeat 'segment("repeat") and tag("vip")' --json
check "save: --json" "$(jget "$OUT" 'd["created"]')" "True"
run_rc "$ENCORE" audience count 'segment("vip_repeat")' --now "$NOW" --json
S=$(jget "$OUT" 'd["count"]')
run_rc "$ENCORE" audience count 'orders >= 2 and aov > 50 and tag("vip")' --now "$NOW" --json
check "segment(): same customers as the expression" "$S" "$(jget "$OUT" 'd["count"]')"
run_rc "$ENCORE" audience list --json
check "list: names" "$(jget "$OUT" '[s["name"] for s in d["segments"]]')" "['repeat', 'vip_repeat']"
run_rc "$ENCORE" audience list
check_match "list: human" "$OUT" "vip_repeat +[0-9-]+ [0-9:]+ +segment\(\"repeat\"\) and tag\(\"vip\"\)"
run_rc "$ENCORE" audience show repeat --json
check "show: used by" "$(jget "$OUT" 'd["used_by"]')" "['vip_repeat']"
check "show: expression" "$(jget "$OUT" 'd["expr"]')" "orders >= 2 and aov > 50"
run_rc "$ENCORE" audience save repeat 'segment("vip_repeat")'
check "save: a cycle exits 2" "$RC" 2
check "save: the cycle named" "$(printf '%s\n' "$ERR" | head -n 1)" \
  "encore: audience: line 1, column 9: in segment 'vip_repeat': line 1, column 9: segment(): cycle: repeat -> vip_repeat -> repeat"
run_rc "$ENCORE" audience show repeat --json
check "save: a refused cycle leaves the segment as it was" "$(jget "$OUT" 'd["expr"]')" "orders >= 2 and aov > 50"
run_rc "$ENCORE" audience delete repeat
check "delete: refused while used (exit 1)" "$RC" 1
check "delete: says who uses it" "$ERR" "encore: audience: segment 'repeat' is used by 'vip_repeat' (change those first, or use --force)"
run_rc "$ENCORE" audience delete repeat --force
check "delete --force" "$OUT" "deleted segment 'repeat'"
run_rc "$ENCORE" audience count 'segment("vip_repeat")' --now "$NOW"
check "a dangling segment: exit 2" "$RC" 2
check "a dangling segment: message" "$(printf '%s\n' "$ERR" | head -n 1)" \
  "encore: audience: line 1, column 9: in segment 'vip_repeat': line 1, column 9: segment(): unknown segment 'repeat' (see 'encore audience list')"
run_rc "$ENCORE" audience show nope
check "show: missing segment exits 1" "$RC" 1
check "show: missing segment message" "$ERR" "encore: audience: no segment 'nope'"
run_rc "$ENCORE" audience delete nope
check "delete: missing segment exits 1" "$RC" 1
run_rc "$ENCORE" audience save "" 'orders > 1'
check "save: empty name exits 2" "$RC" 2

# ---- errors ---------------------------------------------------------------------------------------
run_rc "$ENCORE" audience count 'clvv > 200' --now "$NOW"
check "unknown field: exit 2" "$RC" 2
check "unknown field: message, source line and caret" "$ERR" "encore: audience: line 1, column 1: unknown field 'clvv' (did you mean 'clv'?)
  clvv > 200
  ^"
run_rc "$ENCORE" audience count 'orders >= 2 and
  (aov > 50 or' --now "$NOW"
check "syntax error: exit 2" "$RC" 2
check "syntax error: line 2" "$ERR" "encore: audience: line 2, column 15: expected an expression, found end of input
    (aov > 50 or
                ^"
run_rc "$ENCORE" audience count 'city = "上海" and lifecycle = "dormnat"'
check "error after CJK text: columns count characters, the caret two cells under wide ones" "$ERR" "encore: audience: line 1, column 29: unknown lifecycle 'dormnat' (did you mean 'dormant'? one of: prospect, new, growing, mature, declining, dormant, churned)
  city = \"上海\" and lifecycle = \"dormnat\"
                                ^"
run_rc "$ENCORE" audience count
check "count without expression: exit 2" "$RC" 2
check_match "count without expression: message" "$ERR" "^encore: audience: count needs an expression"
run_rc "$ENCORE" audience count 'orders > 1' --now 2026-13-01
check "bad --now: exit 2" "$RC" 2
run_rc "$ENCORE" audience count 'orders > 1' --bogus
check "unknown option: exit 2" "$RC" 2
check "unknown option: message" "$ERR" "encore: audience: unknown option '--bogus' (see 'encore audience --help')"
run_rc "$ENCORE" audience count 'orders > 1' --fields x
check "option of another command: exit 2" "$RC" 2
run_rc "$ENCORE" audience export 'orders > 1' --format xml
check "bad --format: exit 2" "$RC" 2
run_rc "$ENCORE" audience export 'orders > 1' --fields customer_id,clvv
check "export unknown field: exit 2" "$RC" 2
check "export unknown field: message" "$ERR" "encore: audience: --fields: unknown field 'clvv' (did you mean 'clv'?)"
run_rc "$ENCORE" audience export 'orders > 1' --out /nonexistent/dir/x.csv
check "export to an unwritable file: exit 1" "$RC" 1
run_rc "$ENCORE" audience frobnicate
check "unknown command: exit 2" "$RC" 2
run_rc "$ENCORE" audience count --file /nonexistent/expr
check "missing --file: exit 1" "$RC" 1
run_rc "$ENCORE" audience count 'orders > 1' --file "$E2E_TMP/expr.txt"
check "words and --file: exit 2" "$RC" 2

# ---- help, fields, check ----------------------------------------------------------------------------
run_rc "$ENCORE" audience --help
check "--help: exit 0" "$RC" 0
run_rc "$ENCORE" audience count --help
check "count --help: exit 0" "$RC" 0
run_rc "$ENCORE" audience fields --json
check "fields --json: clv is money from the profile" \
  "$(jget "$OUT" '[(f["type"], f["source"]) for f in d["fields"] if f["name"] == "clv"]')" "[('money', 'profile')]"
check "fields --json: functions" \
  "$(jget "$OUT" '",".join(f["name"] for f in d["functions"])')" \
  "bought,viewed,event,cart_abandoned,consent,tag,top_category,top_brand,segment,known,days_until,uplift"
run_rc "$ENCORE" audience fields
check_match "fields: human" "$OUT" "days_until\(birthday \| next_order_date\)"
run_rc "$ENCORE" audience check 'NOT a_b' 
check "check: an error exits 2" "$RC" 2
run_rc "$ENCORE" audience check 'clv > 200 AND lifecycle = "new" or not consent("sms")'
check "check: canonical form" "$OUT" 'ok: ((clv > 200 and lifecycle = "new") or (not consent("sms")))'
e2e_done
