#!/usr/bin/env bash
# test_import.sh — end-to-end tests of `encore import`, `stats` and `customer` on small files
# with tricky and bad rows (tests/data/import/): counts, cleaning, identity merge, returns,
# idempotent re-import, dry run, max-errors, GBK, JSON lines, usage errors.
. "$(dirname "$0")/lib.sh"
D="$(cd "$(dirname "$0")/../data/import" && pwd)"
j() { jget "$@"; }

# --- usage errors -------------------------------------------------------------------------
run_rc "$ENCORE" import --help;                 check "import --help exits 0" "$RC" 0
run_rc "$ENCORE" import orders --help;          check_match "import KIND --help lists fields" "$OUT" "unit_price"
run_rc "$ENCORE" import widgets "$D/orders.csv"; check "unknown kind exits 2" "$RC" 2
check_match "unknown kind says so" "$ERR" "unknown kind 'widgets'"
run_rc "$ENCORE" import orders;                 check "missing file argument exits 2" "$RC" 2
run_rc "$ENCORE" import orders "$D/orders.csv" --map colour=sku
check "unknown field in --map exits 2" "$RC" 2
check_match "unknown field names the fields" "$ERR" "has no field 'colour'"
run_rc "$ENCORE" import orders "$D/orders.csv" --map sku=NoSuchColumn
check "unknown column in --map exits 2" "$RC" 2
check_match "unknown column is named" "$ERR" "no column 'NoSuchColumn'"
run_rc "$ENCORE" import orders "$D/nope.csv";   check "missing file exits 1" "$RC" 1
check_match "missing file error format" "$ERR" "^encore: import: .*nope.csv"
run_rc "$ENCORE" import events "$D/feedback.csv"
check "file without the kind's required columns exits 2" "$RC" 2
check_match "missing column error lists the columns" "$ERR" "no column for type"

# --- products, customers ------------------------------------------------------------------
run_rc "$ENCORE" import products "$D/products.csv" --json
check "products: imported" "$(j "$OUT" 'd["imported"]')" 3
check "products: rejected" "$(j "$OUT" 'd["rejected"]')" 3
check "products: negative price reason" "$(j "$OUT" '[e["reason"] for e in d["errors"] if e["field"]=="price"][0]')" "negative price"
check "products: error lines" "$(j "$OUT" '[e["line"] for e in d["errors"]]')" "[5, 6, 7]"

run_rc "$ENCORE" import customers "$D/customers.csv" --json
check "customers: exit 0 despite bad rows" "$RC" 0
check "customers: read (multi-line record counts once)" "$(j "$OUT" 'd["read"]')" 9
# a second registration (C006 shares C005's phone, C007 C002's email) is kept as a record of its
# own and merged into the older customer: imported, and counted in merged
check "customers: imported" "$(j "$OUT" 'd["imported"]')" 8
check "customers: updated (nothing was there before)" "$(j "$OUT" 'd["updated"]')" 0
# a bad optional field (email next to a customer id, birthday 02-30, registered "yesterday") is
# dropped with a warning and the row kept (issue 12: before, the whole customer was lost)
check "customers: rejected (only the row with no identity)" "$(j "$OUT" 'd["rejected"]')" 1
check "customers: second registrations recognised" "$(j "$OUT" 'd["merged"]')" 2
check "customers: row with no identity reported" \
  "$(j "$OUT" '[(e["line"],e["field"]) for e in d["errors"]]')" "[(10, 'customer_id')]"
check "customers: bad optional fields dropped with line and field" \
  "$(j "$OUT" '[(e["line"],e["field"]) for e in d["warnings"]]')" "[(4, 'email'), (4, 'birthday'), (6, 'registered_at')]"
check "customers: warnings counted" "$(j "$OUT" 'd["warned"]')" 3
check "customers: counts by reason" \
  "$(j "$OUT" 'sorted((r["severity"],r["field"],r["count"]) for r in d["reasons"])')" \
  "[('rejected', 'customer_id', 1), ('warning', 'birthday', 1), ('warning', 'email', 1), ('warning', 'registered_at', 1)]"
run_rc "$ENCORE" customer C003 --json
check "customer with a bad email and birthday kept, the rest intact" \
  "$(j "$OUT" '(d["email"], d["birthday"], d["city"], d["gender"])')" "(None, None, 'Boston', 'f')"

run_rc "$ENCORE" customer C001 --json
check "customer: email lower-cased" "$(j "$OUT" 'd["email"]')" "alice@example.com"
check "customer: phone E.164" "$(j "$OUT" 'd["phone"]')" "+14155550101"
check "customer: gender" "$(j "$OUT" 'd["gender"]')" "f"
check "customer: points" "$(j "$OUT" 'd["points"]')" 120
run_rc "$ENCORE" customer C002 --json
check "customer: quoted field with quotes (not overwritten by C007's name)" "$(j "$OUT" 'd["name"]')" 'Bob "Bobby" Jones'
check "customer: US date" "$(j "$OUT" 'd["birthday"]')" "1985-04-30"
check "customer: quoted comma kept (not overwritten by C007's city)" "$(j "$OUT" 'd["city"]')" "New York, NY"
check "customer: shared email attaches second id" "$(j "$OUT" 'sorted(i["value"] for i in d["identities"] if i["kind"]=="ext")')" "['C002', 'C007']"
run_rc "$ENCORE" customer C006 --json
check "customer: Chinese mobile normalised and shared" "$(j "$OUT" 'd["phone"]')" "+8613812345678"
check "customer: looked up by the second id" "$(j "$OUT" 'd["customer_id"]')" "C005"
run_rc "$ENCORE" customer 13812345678 --json
check "customer: looked up by phone" "$(j "$OUT" 'd["customer_id"]')" "C005"
run_rc "$ENCORE" customer noid@example.com --json
check "customer: row without id found by email" "$(j "$OUT" 'd["name"]')" "No Id"
run_rc "$ENCORE" customer C404 --json
check "customer: unknown exits 1" "$RC" 1
check_match "customer: unknown message" "$ERR" "no customer 'C404'"

# --- orders ---------------------------------------------------------------------------------
run_rc "$ENCORE" import orders "$D/orders.csv" --json
check "orders: read" "$(j "$OUT" 'd["read"]')" 9
check "orders: imported lines" "$(j "$OUT" 'd["imported"]')" 6
check "orders: rejected" "$(j "$OUT" 'd["rejected"]')" 3
check "orders: reasons" "$(j "$OUT" '[(e["line"],e["field"]) for e in d["errors"]]')" \
  "[(7, 'time'), (8, 'qty'), (9, 'status')]"
run_rc "$ENCORE" stats --json
check "stats: customers (C003 and C004 kept now)" "$(j "$OUT" 'd["customers"]')" 6
check "stats: orders" "$(j "$OUT" 'd["orders"]')" 5
check "stats: lines" "$(j "$OUT" 'd["order_lines"]')" 6
check "stats: returns" "$(j "$OUT" 'd["returns"]')" 1
check "stats: guest orders" "$(j "$OUT" 'd["guest_orders"]')" 1
check "stats: sale lines" "$(j "$OUT" 'd["sales"]["lines"]')" 4
check "stats: revenue exact" "$(j "$OUT" 'd["sales"]["revenue"]')" 2855.9
check "stats: buying customers" "$(j "$OUT" 'd["sales"]["customers"]')" 3
check "stats: products (from lines too)" "$(j "$OUT" 'd["products"]')" 4
run_rc "$ENCORE" customer C001 --json
check "customer: order count" "$(j "$OUT" 'd["orders"]["count"]')" 1
check "customer: revenue" "$(j "$OUT" 'd["orders"]["revenue"]')" 2698.0
check "customer: returned amount" "$(j "$OUT" 'd["orders"]["returned_amount"]')" 1099.5
check "customer: first order (RFC 3339)" "$(j "$OUT" 'd["orders"]["first_order"]')" "2024-01-10T09:00:00Z"

# idempotent re-import
run_rc "$ENCORE" import orders "$D/orders.csv" --json
check "orders again: nothing imported" "$(j "$OUT" 'd["imported"]')" 0
check "orders again: all good rows skipped" "$(j "$OUT" 'd["skipped"]')" 6
run_rc "$ENCORE" import customers "$D/customers.csv" --json
check "customers again: nothing imported" "$(j "$OUT" 'd["imported"]')" 0
run_rc "$ENCORE" stats --json
check "stats unchanged after re-imports" "$(j "$OUT" '(d["customers"],d["orders"],d["order_lines"])')" "(6, 5, 6)"

# --- events (JSON lines), consents, feedback ---------------------------------------------
run_rc "$ENCORE" import events "$D/events.jsonl" --json
check "events: imported" "$(j "$OUT" 'd["imported"]')" 4
check "events: rejected" "$(j "$OUT" 'd["rejected"]')" 3
check "events: bad JSON line reported" "$(j "$OUT" '[e["line"] for e in d["errors"]]')" "[4, 5, 6]"
check "events: synonyms normalised" \
  "$(sqlite3 "$ENCORE_DB" "SELECT group_concat(type, ',') FROM (SELECT type FROM events ORDER BY source_key)")" \
  "view,cart_add,favorite,search"
check "events: offset honoured" \
  "$(sqlite3 "$ENCORE_DB" "SELECT ts FROM events WHERE source_key='e2'")" "1704758700"
check "events: nested properties kept as JSON" \
  "$(sqlite3 "$ENCORE_DB" "SELECT props FROM events WHERE source_key='e2'")" '{"price":499}'

run_rc "$ENCORE" import consents "$D/consents.csv" --json
check "consents: imported" "$(j "$OUT" 'd["imported"]')" 4
check "consents: rejected" "$(j "$OUT" 'd["rejected"]')" 3
run_rc "$ENCORE" customer C001 --json
check "consent ledger: latest entry wins" \
  "$(j "$OUT" '[(c["channel"],c["granted"]) for c in d["consents"]]')" "[('email', False), ('sms', True)]"
run_rc "$ENCORE" import feedback "$D/feedback.csv" --json
check "feedback: imported" "$(j "$OUT" 'd["imported"]')" 3
check "feedback: rejected (NPS range, unknown kind)" "$(j "$OUT" '[e["field"] for e in d["errors"]]')" "['score', 'kind']"

# --- identity merge of two existing customers ---------------------------------------------
printf 'customer_id,email,phone\nC100,alice@example.com,13812345678\n' > "$E2E_TMP/link.csv"
run_rc "$ENCORE" import customers "$E2E_TMP/link.csv" --json
check "merge: two customers merged and a new id attached" "$(j "$OUT" 'd["merged"]')" 2
run_rc "$ENCORE" customer C005 --json
check "merge: C005 now resolves to the oldest record (C001)" "$(j "$OUT" 'd["customer_id"]')" "C001"
check "merge: history follows" "$(j "$OUT" 'd["orders"]["count"]')" 2
check "merge: recorded with reasons" "$(j "$OUT" '[m["reason"] for m in d["merged_from"]]')" \
  "['shared phone +8613812345678', 'shared email alice@example.com', 'shared phone +8613812345678']"
run_rc "$ENCORE" stats --json
check "merge: customer count drops, merged counts every merge" "$(j "$OUT" '(d["customers"], d["merged_customers"])')" "(5, 4)"

# --- dry run, max errors, exit codes ------------------------------------------------------
export ENCORE_DB="$E2E_TMP/dry.db"
run_rc "$ENCORE" import orders "$D/orders.csv" --dry-run --json
check "dry run: counts as if imported" "$(j "$OUT" 'd["imported"]')" 6
run_rc "$ENCORE" stats --json
check "dry run: nothing kept" "$(j "$OUT" 'd["orders"]')" 0
run_rc "$ENCORE" import orders "$D/orders.csv" --max-errors 1 --batch 1 --json
check "max-errors: exit 1" "$RC" 1
check "max-errors: stopped flag" "$(j "$OUT" 'd["stopped_at_max_errors"]')" True
check_match "max-errors: message" "$ERR" "stopped after 2 rejected rows"
run_rc "$ENCORE" stats --json
check "max-errors: good rows before the stop are kept" "$(j "$OUT" 'd["order_lines"]')" 5
printf 'customer_id,email\n,bad\n,also bad\n' > "$E2E_TMP/allbad.csv"
run_rc "$ENCORE" import customers "$E2E_TMP/allbad.csv"
check "nothing importable: exit 1" "$RC" 1
check_match "human output lists errors as file:line: field: reason" "$ERR" "allbad.csv:2: email: "

# --- GBK, TSV, no header, Chinese headers, totals only -------------------------------------
export ENCORE_DB="$E2E_TMP/zh.db"
printf '客户ID,姓名,手机号,性别,生日\nZ1,张三,13912345678,男,1988/07/01\nZ2,李四,+86 139 0000 1111,女,19900102\n' \
  | iconv -f utf-8 -t gbk > "$E2E_TMP/gbk.csv"
run_rc "$ENCORE" import customers "$E2E_TMP/gbk.csv" --encoding gbk --json
check "gbk: imported with Chinese headers" "$(j "$OUT" 'd["imported"]')" 2
run_rc "$ENCORE" customer Z1 --json
check "gbk: name decoded" "$(j "$OUT" 'd["name"]')" "张三"
check "gbk: gender 男" "$(j "$OUT" 'd["gender"]')" "m"
check "gbk: date YYYY/MM/DD" "$(j "$OUT" 'd["birthday"]')" "1988-07-01"
run_rc "$ENCORE" customer +8613900001111 --json
check "gbk: +86 with spaces" "$(j "$OUT" 'd["customer_id"]')" "Z2"
printf '订单号\t客户ID\t下单时间\t金额\nA1\tZ1\t2024-05-01 10:00\t¥1,234.50\nA2\tZ2\t2024-05-02 11:00\t88\n' > "$E2E_TMP/zh.tsv"
run_rc "$ENCORE" import orders "$E2E_TMP/zh.tsv" --tz Asia/Shanghai --json
check "tsv with Chinese headers: amount as order total" "$(j "$OUT" 'd["imported"]')" 2
check "tsv: local time converted with --tz" \
  "$(sqlite3 "$ENCORE_DB" "SELECT ts FROM orders WHERE order_key='A1'")" "1714528800"
check "tsv: total in minor units" "$(sqlite3 "$ENCORE_DB" "SELECT total FROM orders WHERE order_key='A1'")" 123450
printf ' 7 19970101  2  29.33\n 7 19970118  1 9.99\n 8 19970105 3 5.00\n' > "$E2E_TMP/cd.txt"
run_rc "$ENCORE" import orders "$E2E_TMP/cd.txt" --no-header --format ws \
  --map customer_id=1 --map time=2 --map qty=3 --map total=4 --json
check "no header, ws, positions: imported" "$(j "$OUT" 'd["imported"]')" 3
check "derived order ids from source and row" \
  "$(sqlite3 "$ENCORE_DB" "SELECT group_concat(order_key) FROM orders WHERE source='cd.txt'")" "#1,#2,#3"
run_rc "$ENCORE" import orders "$E2E_TMP/cd.txt" --no-header --map customer_id=name
check "no header: names are a usage error" "$RC" 2

# the option table: a bad value is a usage error naming the option, before anything is read
before=$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM orders")
run_rc "$ENCORE" import orders "$E2E_TMP/cd.txt" --format xml
check_match "--format xml: exit 2, says the formats" "$RC $ERR" "^2 encore: import: --format: 'xml' is not csv, tsv, ws or jsonl"
run_rc "$ENCORE" import orders "$E2E_TMP/cd.txt" --encoding latin1
check_match "--encoding latin1: exit 2, says the encodings" "$RC $ERR" "^2 encore: import: --encoding: 'latin1' is not utf-8 or gbk"
run_rc "$ENCORE" import orders "$E2E_TMP/cd.txt" --batch 0
check_match "--batch 0: exit 2" "$RC $ERR" "^2 encore: import: --batch: '0' is not 1 to"
many=(); for i in $(seq 65); do many+=(--map "time=$i"); done
run_rc "$ENCORE" import orders "$E2E_TMP/cd.txt" --no-header "${many[@]}"
check_match "--map 65 times: exit 2" "$RC $ERR" "^2 encore: import: --map: given more than 64 times"
run_rc "$ENCORE" import orders --map
check_match "--map without a value: exit 2" "$RC $ERR" "^2 encore: import: --map needs a value"
check "nothing imported by the refused commands" "$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM orders")" "$before"
run_rc "$ENCORE" import orders --help
check_match "import orders --help: the fields of orders" "$RC $OUT" "^0 .*fields of orders"

e2e_done
