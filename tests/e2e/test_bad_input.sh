#!/usr/bin/env bash
# test_bad_input.sh — bad input gets a clear error and loses nothing good (issue 12, section 3),
# through the real binary: time bounds, quantity and price limits, bad optional fields dropped
# with a warning, --errors FILE without a cap (0600), GBK detection, the CSV reader never
# resuming inside a quoted field, NUL bytes, short rows, header synonyms, --phone-cc 44.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
j() { jget "$@"; }
umask 022

# --- times: later than now + 1 day, or before 1970 -----------------------------------------
cat > "$T/orders.csv" <<CSV
order_id,customer_id,time,sku,qty,unit_price
O1,C1,2024-01-05,S1,1,10
O2,C1,2099-01-01,S1,1,10
O3,C2,1900-01-01,S1,1,10
O4,C2,2024-02-01,S1,1000000000000,10
O5,C2,2024-02-02,S1,1,-5
O6,C3,2024-02-03,S1,1,99999999999999
O7,C3,$(date -u -d '+2 hours' '+%Y-%m-%d %H:%M:%S'),S1,1,10
CSV
run_rc "$ENCORE" import orders "$T/orders.csv" --json
check "orders: the good rows kept, the bad ones rejected" "$(j "$OUT" '(d["imported"], d["rejected"])')" "(2, 5)"
check "orders: each rejection names line and field" \
  "$(j "$OUT" '[(e["line"], e["field"]) for e in d["errors"]]')" \
  "[(3, 'time'), (4, 'time'), (5, 'qty'), (6, 'unit_price'), (7, 'unit_price')]"
check_match "a 2099 order is in the future" "$(j "$OUT" 'd["errors"][0]["reason"]')" "^in the future .*'2099-01-01'"
check_match "1900 is before 1970" "$(j "$OUT" 'd["errors"][1]["reason"]')" "^before 1970"
check_match "quantity 10^12 is out of range" "$(j "$OUT" 'd["errors"][2]["reason"]')" "out of range"
check_match "a negative unit price: a discount is its own field" "$(j "$OUT" 'd["errors"][3]["reason"]')" "discount is its own field"
run_rc "$ENCORE" stats --json
check "stats: the time range is not moved by the bad rows" "$(j "$OUT" 'd["orders"]')" 2
run_rc "$ENCORE" import orders "$T/orders.csv" --future-tolerance 0 --source strict --json
check "--future-tolerance 0 rejects a time two hours ahead too" "$(j "$OUT" '(d["imported"], d["rejected"])')" "(1, 6)"
run_rc "$ENCORE" import orders "$T/orders.csv" --future-tolerance soon
check "--future-tolerance needs seconds (exit 2)" "$RC" 2

# --- a bad optional field drops that field, not the customer --------------------------------
export ENCORE_DB="$T/cust.db"
printf 'customer_id,email,phone,birthday,gender,city\nK1,k1@example.com,12345,1990-02-30,x,Paris\nK2,k2@example.com,13812345678,1985-07-01,f,Lyon\n,,12345,,,\n' > "$T/cust.csv"
run_rc "$ENCORE" import customers "$T/cust.csv" --json
check "customers: K1 kept despite phone 12345 and birthday 1990-02-30" "$(j "$OUT" '(d["imported"], d["rejected"], d["warned"])')" "(2, 1, 3)"
check "warnings name line, field, reason" \
  "$(j "$OUT" '[(w["line"], w["field"], w["reason"].split(":")[0]) for w in d["warnings"]]')" \
  "[(2, 'phone', 'no country code'), (2, 'gender', 'not a gender (m/f, male/female, 男/女)'), (2, 'birthday', 'day out of range')]"
check "a row whose only identity is bad is rejected" "$(j "$OUT" '[(e["line"], e["field"]) for e in d["errors"]]')" "[(4, 'phone')]"
run_rc "$ENCORE" customer K1 --json
check "K1: email and city kept, bad fields empty" "$(j "$OUT" '(d["email"], d["city"], d["phone"], d["birthday"], d["gender"])')" "('k1@example.com', 'Paris', None, None, None)"
run_rc "$ENCORE" import customers "$T/cust.csv"
check_match "human output: warnings on stderr with line and field" "$ERR" "cust.csv:2: warning: phone: no country code"
check_match "human output: warnings counted" "$OUT" "warnings +3"

# --- --errors FILE: every rejected row and warning, no cap, 0600 ----------------------------
export ENCORE_DB="$T/many.db"
$PY - "$T/many.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("order_id,customer_id,time,sku,qty,unit_price\n")
    for i in range(12000):
        bad = i % 6 == 0          # 2,000 bad rows among 12,000
        f.write(f"O{i},C{i % 50},{'2099-01-01' if bad else '2024-01-01'},S1,1,10\n")
PY
run_rc "$ENCORE" import orders "$T/many.csv" --errors "$T/errors.csv" --json
check "errors file: import exits 0" "$RC" 0
check "rejected 2000" "$(j "$OUT" 'd["rejected"]')" 2000
check "the JSON keeps the first 1000 rows" "$(j "$OUT" 'len(d["errors"])')" 1000
check "the JSON counts by reason" "$(j "$OUT" '[(r["field"], r["reason"][:12], r["count"]) for r in d["reasons"]]')" "[('time', 'in the futur', 2000)]"
check "--errors lists every rejected row (no cap)" "$(($(wc -l < "$T/errors.csv") - 1))" 2000
check "--errors: header and CSV columns" "$(head -2 "$T/errors.csv" | cut -d, -f1-3 | tr '\n' ' ')" "line,severity,field 2,rejected,time "
check "--errors file is 0600 under umask 022" "$(stat -c %a "$T/errors.csv")" 600
check "the last bad line is listed" "$(tail -1 "$T/errors.csv" | cut -d, -f1)" 11996
run_rc "$ENCORE" import orders "$T/many.csv" --errors "$T/nodir/e.csv"
check "--errors into a missing directory exits 1" "$RC" 1
check_match "and says so" "$ERR" "^encore: import: --errors .*nodir/e.csv: No such file"

# --- encodings: GBK detected; neither UTF-8 nor GBK: a hint ----------------------------------
export ENCORE_DB="$T/gbk.db"
printf '\xbf\xcd\xbb\xa7ID,\xd0\xd5\xc3\xfb\nG1,\xd5\xc5\xc8\xfd\n' > "$T/gbk.csv"   # 客户ID,姓名 / G1,张三
run_rc "$ENCORE" import customers "$T/gbk.csv" --json
check "GBK file without --encoding: detected" "$(j "$OUT" '(d["imported"], d["encoding"])')" "(1, 'gbk')"
run_rc "$ENCORE" customer G1 --json
check "GBK name stored as UTF-8" "$(j "$OUT" 'd["name"]')" "张三"
printf 'customer_id,name\nB1,\xff\xfe\xff\n' > "$T/binary.csv"
run_rc "$ENCORE" import customers "$T/binary.csv"
check "neither UTF-8 nor GBK: exit 1" "$RC" 1
check_match "the error says try --encoding gbk, with the line" "$ERR" "line 2: not valid UTF-8.*try --encoding gbk"

# --- CSV reader injection: text inside quotes never becomes rows -----------------------------
export ENCORE_DB="$T/inject.db"
$PY - "$T/feedback.csv" <<'PY'
import sys
forged = "\n".join(f"F{i},VICTIM,2024-01-02,complaint,forged complaint {i}" for i in range(100))
long_text = "x" * (1 << 20) + "\n" + forged       # longer than the 1 MiB record limit
with open(sys.argv[1], "w") as f:
    f.write("feedback_id,customer_id,time,kind,text\n")
    f.write('A1,ATTACKER,2024-01-01,complaint,"' + long_text + '"\n')
    f.write("G1,GOOD,2024-01-03,review,fine\n")
PY
run_rc "$ENCORE" import feedback "$T/feedback.csv" --json
check "the over-long quoted record is rejected, the row after it kept" "$(j "$OUT" '(d["imported"], d["rejected"])')" "(1, 1)"
check "no forged row imported" "$(sql "SELECT count(*) FROM feedback WHERE text LIKE 'forged%'")" 0
check "no customer VICTIM created from text inside quotes" "$(sql "SELECT count(*) FROM customers WHERE external_id = 'VICTIM'")" 0
check "the good row after the field is there" "$(sql "SELECT c.external_id FROM feedback f JOIN customers c ON c.id = f.customer_id")" "GOOD"

# --- NUL bytes, short rows, header synonyms, --phone-cc --------------------------------------
export ENCORE_DB="$T/misc.db"
printf 'feedback_id,customer_id,time,kind,text\nN1,C1,2024-01-01,review,abc\x00def\nN2,C\x001,2024-01-01,review,ok\n' > "$T/nul.csv"
run_rc "$ENCORE" import feedback "$T/nul.csv" --json
check "NUL in text: the field is dropped with a warning, the row kept" "$(j "$OUT" '(d["imported"], d["warned"], d["warnings"][0]["field"])')" "(1, 1, 'text')"
check "NUL in an id: the row is rejected with the field" "$(j "$OUT" '(d["rejected"], d["errors"][0]["field"])')" "(1, 'customer_id')"
check "no truncated text stored" "$(sql "SELECT count(*) FROM feedback WHERE text = 'abc'")" 0
printf 'order_id,customer_id,time,sku,qty,unit_price\nS1,C1,2024-01-01,P1,1\n' > "$T/short.csv"
run_rc "$ENCORE" import orders "$T/short.csv" --json
check "a short row is reported by its field count" "$(j "$OUT" 'd["errors"][0]["reason"]')" "5 fields, the header has 6"
printf 'order_id,customer_id,order_date,order_amount\nT1,C1,2024-01-01,12.50\n' > "$T/amount.csv"
run_rc "$ENCORE" import orders "$T/amount.csv" --json
check "order_amount is the order total (was misspelt ordertamount)" "$(j "$OUT" '(d["imported"], d["rejected"])')" "(1, 0)"
check "order_amount stored as the total" "$(sql "SELECT total FROM orders WHERE order_key = 'T1'")" 1250
printf 'customer_id,phone\nU1,447700900123\nU2,07700 900124\n' > "$T/uk.csv"
run_rc "$ENCORE" import customers "$T/uk.csv" --phone-cc 44 --json
check "--phone-cc 44: 447700900123 is +447700900123" "$(sql "SELECT group_concat(phone) FROM (SELECT phone FROM customers ORDER BY id)")" "+447700900123,+447700900124"
e2e_done
