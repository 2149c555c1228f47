#!/usr/bin/env bash
# test_customer_view.sh — `encore customer`: the 360° view of the import fixtures
# (tests/data/import) with a message and a coupon added: every section against the store (read
# back with sqlite3), money as two-decimal numbers, RFC 3339 times, masking as the analyst role
# sees it, the human sections, the search (id, email, phone, name prefix, paging), bad input.
. "$(dirname "$0")/lib.sh"
D="$(dirname "$0")/../data/import"
for k in customers products orders events feedback consents; do
  "$ENCORE" import "$k" "$D/$k.$( [ $k = events ] && echo jsonl || echo csv)" >/dev/null 2>&1
done
ID1=$(sqlite3 "$ENCORE_DB" "SELECT customer_id FROM identities WHERE kind='ext' AND value='C001'")
sqlite3 "$ENCORE_DB" "INSERT INTO messages(campaign, variant, customer_id, channel, address, subject, idempotency_key, state, next_attempt_at, created_at, due_at, sent_at)
  VALUES('spring', 'A', $ID1, 'email', 'alice@example.com', 'Spring offer', 'k1', 'sent', 0, 1709280000, 1709280000, 1709280060);
  INSERT INTO coupons(code, norm, campaign, customer_id, message_key, kind, amount, min_spend, issued_at, expires_at)
  VALUES('SPRING-ABC', 'SPRINGABC', 'spring', $ID1, 'k1', 'value', 1050, 10000, 1709280000, 1711958400);"

run_rc "$ENCORE" customer C001 --json
check "view: exit 0" "$RC" 0
check "view: the merchant's id and the store's" "$(jget "$OUT" '(d["customer_id"], d["id"], d["masked"])')" "('C001', $ID1, False)"
check "view: contact fields as cleaned" "$(jget "$OUT" '(d["name"], d["email"], d["phone"], d["birthday"])')" \
  "('Alice Smith', 'alice@example.com', '+14155550101', '1990-04-12')"
check "view: registered_at in RFC 3339" "$(jget "$OUT" 'd["registered_at"]')" "2023-01-05T10:00:00Z"
check "view: identities" "$(jget "$OUT" '[(i["kind"], i["value"]) for i in d["identities"]]')" \
  "[('email', 'alice@example.com'), ('ext', 'C001'), ('phone', '+14155550101')]"
check "view: order summary" "$(jget "$OUT" '(d["orders"]["count"], d["orders"]["revenue"], d["orders"]["returns"], d["orders"]["returned_amount"])')" \
  "(1, 2698.0, 1, 1099.5)"
check_match "view: money written with two decimals, no float noise" "$OUT" '"revenue":2698\.00,"returns":1,"returned_amount":1099\.50'
check "view: latest orders first, with their lines" "$(jget "$OUT" '[(o["order_id"], o["status"], o["time"], [(l["sku"], l["qty"], l["unit_price"], l["amount"]) for l in o["lines"]]) for o in d["orders"]["recent"]]')" \
  "[('O3', 'returned', '2024-03-01T00:00:00Z', [('SKU2', -1, 1099.5, -1099.5)]), ('O1', 'paid', '2024-01-10T09:00:00Z', [('SKU1', 1, 499.0, 499.0), ('SKU2', 2, 1099.5, 2199.0)])]"
check "view: line totals equal the store's" "$(jget "$OUT" '"%.2f" % sum(l["amount"] for o in d["orders"]["recent"] for l in o["lines"])')" \
  "$(sqlite3 "$ENCORE_DB" "SELECT printf('%.2f', sum(amount) / 100.0) FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE customer_id = $ID1)")"
check "view: consents in force" "$(jget "$OUT" '[(c["channel"], c["granted"]) for c in d["consents"]]')" "[('email', False), ('sms', True)]"
check "view: consent ledger, latest first" "$(jget "$OUT" '[(c["channel"], c["granted"], c["at"][:10]) for c in d["consent_history"]]')" \
  "[('email', False, '2024-02-01'), ('sms', True, '2023-01-05'), ('email', True, '2023-01-05')]"
check "view: events, latest first" "$(jget "$OUT" '(d["events"], [(e["type"], e["time"]) for e in d["recent_events"]])')" \
  "(2, [('view', '2024-01-09T08:00:00Z'), ('cart_add', '2024-01-09T00:05:00Z')])"
check "view: feedback, latest first" "$(jget "$OUT" '(d["feedback"], [(f["kind"], f["score"], f["text"]) for f in d["recent_feedback"]])')" \
  "(2, [('complaint', None, 'Lens arrived broken'), ('nps', 9, 'Great camera')])"
check "view: messages" "$(jget "$OUT" '[(m["campaign"], m["channel"], m["address"], m["state"], m["sent_at"]) for m in d["messages"]]')" \
  "[('spring', 'email', 'alice@example.com', 'sent', '2024-03-01T08:01:00Z')]"
check "view: coupons" "$(jget "$OUT" '[(c["code"], c["kind"], c["amount"], c["min_spend"], c["redeemed_order"]) for c in d["coupons"]]')" \
  "[('SPRING-ABC', 'value', 10.5, 100.0, None)]"
check "view: no profile before scoring" "$(jget "$OUT" 'd["profile"]')" "None"
check "view: recommendations with reasons" "$(jget "$OUT" 'all(set(r) == {"sku", "name", "score", "reason", "because"} for r in d["recommendations"]) and len(d["recommendations"]) > 0')" "True"
run_rc "$ENCORE" customer C001 --json --recent 1 --no-recommendations
check "view: --recent 1 keeps one row a list" "$(jget "$OUT" '(len(d["orders"]["recent"]), len(d["recent_events"]), len(d["recent_feedback"]), d["recommendations"])')" "(1, 1, 1, None)"

# --- masking: what the analyst role sees -----------------------------------------------------
run_rc "$ENCORE" customer C001 --json --mask
check "mask: name, email, phone, birthday" "$(jget "$OUT" '(d["masked"], d["name"], d["email"], d["phone"], d["birthday"])')" \
  "(True, 'A.', 'a***@example.com', '+1 41****0101', '1990-**-**')"
check "mask: identities" "$(jget "$OUT" '[i["value"] for i in d["identities"]]')" "['a***@example.com', 'C001', '+1 41****0101']"
check "mask: message addresses" "$(jget "$OUT" '[m["address"] for m in d["messages"]]')" "['a***@example.com']"
check "mask: nothing personal left in the document" "$(echo "$OUT" | grep -c -e 'alice@' -e '4155550101' -e 'Alice' -e '1990-04-12')" 0
run_rc "$ENCORE" customer C005 --json --mask
check "mask: a Chinese mobile" "$(jget "$OUT" 'd["phone"]')" "+86 138****5678"

# --- human output ------------------------------------------------------------------------------
run_rc "$ENCORE" customer C001
check "human: exit 0" "$RC" 0
check_match "human: heading" "$OUT" "^Customer C001 \(#$ID1\)  Alice Smith"
for s in "Identities" "Scores: none yet" "Orders: 1 paid, revenue 2698\\.00; 1 returned \\(1099\\.50\\); 0 cancelled" "Consents" "Events: 2" "Feedback: 2" "Messages: 1" "Coupons: 1" "Recommendations:"; do
  check_match "human: section '$s'" "$OUT" "$s"
done
check_match "human: order lines aligned with two-decimal money" "$OUT" "  2 x Lens 50mm +SKU2 +1099.50 +2199.00"
"$ENCORE" score >/dev/null 2>&1
run_rc "$ENCORE" customer C001
check_match "human: scores after a run" "$OUT" "Scores \(as of [0-9-]+\)"
check "view: the profile is the stored one" "$(jget "$("$ENCORE" customer C001 --json --no-recommendations)" 'd["profile"]')" \
  "$(jget "$("$ENCORE" profile C001 --json)" 'd')"

# --- lookups and search ------------------------------------------------------------------------
check "lookup: by email (any case)" "$(jget "$("$ENCORE" customer ALICE@example.com --json --no-recommendations)" 'd["customer_id"]')" C001
check "lookup: by phone as typed" "$(jget "$("$ENCORE" customer "+1 (415) 555-0101" --json --no-recommendations)" 'd["customer_id"]')" C001
check "lookup: by #id" "$(jget "$("$ENCORE" customer "#$ID1" --json --no-recommendations)" 'd["customer_id"]')" C001
run_rc "$ENCORE" customer --search er --json
check "search: name prefix, any case" "$(jget "$OUT" '[i["customer_id"] for i in d["items"]]')" "['C005']"
run_rc "$ENCORE" customer --search bob@example.com --json
check "search: by email" "$(jget "$OUT" '[i["customer_id"] for i in d["items"]]')" "['C002']"
run_rc "$ENCORE" customer --search 13812345678 --json
check "search: by phone" "$(jget "$OUT" '[i["customer_id"] for i in d["items"]]')" "['C005']"
run_rc "$ENCORE" customer --search C001 --json --mask
check "search: by id, masked" "$(jget "$OUT" '[(i["customer_id"], i["name"], i["email"], i["orders"], i["revenue"]) for i in d["items"]]')" "[('C001', 'A.', 'a***@example.com', 1, 2698.0)]"
run_rc "$ENCORE" customer --search "" --limit 2 --json
N=$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM customers WHERE merged_into IS NULL")
all=$(jget "$OUT" '",".join(str(i["id"]) for i in d["items"])'); cur=$(jget "$OUT" 'd["next_cursor"]')
while [ "$cur" != "None" ]; do
  run_rc "$ENCORE" customer --search "" --limit 2 --cursor "$cur" --json
  all="$all,$(jget "$OUT" '",".join(str(i["id"]) for i in d["items"])')"; cur=$(jget "$OUT" 'd["next_cursor"]')
done
check "search: pages of 2 cover every customer once, in id order" "$all" \
  "$(sqlite3 "$ENCORE_DB" "SELECT group_concat(id) FROM (SELECT id FROM customers WHERE merged_into IS NULL ORDER BY id)")"
run_rc "$ENCORE" customer --search zzz
check "search: nothing found said in words" "$OUT" "$(printf '%-8s %-14s %-20s %-28s %-18s %7s %12s\nno customer matches '"'"'zzz'"'"'' id customer name email phone orders revenue)"

C5=$(sqlite3 "$ENCORE_DB" "SELECT id FROM customers WHERE external_id='C005'")
printf 'customer_id,email,phone\nC100,alice@example.com,13812345678\n' > "$E2E_TMP/link.csv"
"$ENCORE" import customers "$E2E_TMP/link.csv" >/dev/null 2>&1
check "lookup: a merged record's id leads to the survivor, with its history" \
  "$(jget "$("$ENCORE" customer "#$C5" --json --no-recommendations)" '(d["customer_id"], d["orders"]["count"], [m["reason"] for m in d["merged_from"]][:1])')" \
  "('C001', 2, ['shared phone +8613812345678'])"
run_rc "$ENCORE" customer "#$C5" --json --mask --no-recommendations
check "mask: merge reasons name no identity" "$(jget "$OUT" 'sorted(set(m["reason"] for m in d["merged_from"]))')" "['shared identity']"

# --- bad input -----------------------------------------------------------------------------------
run_rc "$ENCORE" customer
check_match "bad: no ID" "$RC $ERR" "^2 encore: customer: needs a customer ID or --search"
run_rc "$ENCORE" customer C404
check_match "bad: unknown customer" "$RC $ERR" "^1 encore: customer: no customer 'C404'"
run_rc "$ENCORE" customer C001 C002
check_match "bad: two customers" "$RC $ERR" "^2 encore: customer: one customer at a time"
run_rc "$ENCORE" customer C001 --recent 0
check_match "bad: --recent 0" "$RC $ERR" "^2 encore: customer: --recent: '0' is not 1 to 500"
run_rc "$ENCORE" customer C001 --limit 5
check_match "bad: --limit without --search" "$RC $ERR" "^2 encore: customer: --limit and --cursor go with --search"
run_rc "$ENCORE" customer --search a --cursor "x'1"
check_match "bad: a forged cursor" "$RC $ERR" "^2 encore: customer: --cursor: not a cursor a search gave"
run_rc "$ENCORE" customer --search "$(head -c 300 /dev/zero | tr '\0' a)"
check_match "bad: a 300-byte query" "$RC $ERR" "^2 encore: customer: q: longer than 256 bytes"
run_rc "$ENCORE" customer "'; DROP TABLE customers; --"
check_match "bad: SQL in the ID is only a name that is not there" "$RC $ERR" "^1 encore: customer: no customer"
check "bad: the store is intact" "$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM customers WHERE merged_into IS NULL")" "$((N - 1))"
e2e_done
