#!/usr/bin/env bash
# test_loyalty_coupon.sh — a coupon reward issues a real coupon code through the campaign coupon
# machinery: the redemption answers the code (a replay the same code, one coupon row); the code
# is well formed (check character) and stored for the member with the reward's value under the
# campaign "loyalty"; an order carrying it is redeemed by `encore tick`; a product reward issues
# none; reversing a redemption revokes its coupon, after which an order using it redeems
# nothing; a redemption whose coupon was already used on an order is not reversed.
. "$(dirname "$0")/lib.sh"
DATA="$(cd "$(dirname "$0")/../data/loyalty" && pwd)"
export USER=tester

printf 'customer_id,name\nC1,Ann\nC2,Bob\n' >"$E2E_TMP/cust.csv"
"$ENCORE" import customers "$E2E_TMP/cust.csv" >/dev/null
"$ENCORE" loyalty programme "$DATA/programme.json" >/dev/null
"$ENCORE" points import C1 --points 5000 >/dev/null

run_rc "$ENCORE" points redeem C1 --reward coupon-10 --key k1 --json
check "a coupon reward: redeemed" "$RC $(jget "$OUT" '(d["points"], d["balance"])')" "0 (-1000, 4000)"
CODE=$(jget "$OUT" 'd.get("coupon")')
E1=$(jget "$OUT" 'd["entry"]')
check_match "  answers a coupon code" "$CODE" '^LOY-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$'
check "  stored for the member with the reward's value, campaign loyalty" \
  "$(sql "SELECT k.campaign, c.external_id, k.kind, k.amount, k.revoked_at FROM coupons k JOIN customers c ON c.id = k.customer_id WHERE k.code = '$CODE'")" \
  "loyalty|C1|value|1000|None"
run_rc "$ENCORE" points redeem C1 --reward coupon-10 --key k1 --json
check "a replay answers the same code and issues no other" \
  "$(jget "$OUT" '(d["replayed"], d["coupon"])') $(sql "SELECT count(*) FROM coupons")" "(True, '$CODE') 1"
run_rc "$ENCORE" points redeem C1 --reward coupon-10 --key k1
check_match "the text output shows the code" "$OUT" "coupon: $CODE"
run_rc "$ENCORE" points redeem C1 --reward mug --key k2 --json
check "a product reward issues no coupon" "$(jget "$OUT" '"coupon" in d') $(sql "SELECT count(*) FROM coupons")" "False 1"
run_rc "$ENCORE" points redeem C1 --points 10 --key k3 --json
check "a redemption of points issues no coupon" "$(jget "$OUT" '"coupon" in d') $(sql "SELECT count(*) FROM coupons")" "False 1"

# ---- reversal revokes the coupon; an order using it then redeems nothing ------------------------
run_rc "$ENCORE" points reverse C1 --entry "$E1" --key v1 --json
check "the reversal gives the points back" "$RC $(jget "$OUT" 'd["points"]')" "0 1000"
check "  and revokes the coupon" "$(sql "SELECT revoked_at IS NOT NULL FROM coupons WHERE code = '$CODE'")" 1
# the orders come after the coupons were issued (a code is redeemed only by a later order)
NOW=$($PY -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M"))')
printf 'order_id,customer_id,time,status,coupon,discount,currency,sku,qty,unit_price\nX1,C1,%s,paid,%s,10.00,USD,TEE,1,50.00\n' \
  "$NOW" "$CODE" >"$E2E_TMP/o1.csv"
"$ENCORE" import orders "$E2E_TMP/o1.csv" >/dev/null
"$ENCORE" tick >/dev/null 2>&1
check "an order with the revoked code redeems nothing" \
  "$(sql "SELECT redeemed_order IS NULL FROM coupons WHERE code = '$CODE'")" 1

# ---- a coupon used on an order: its redemption is not reversed ----------------------------------
run_rc "$ENCORE" points redeem C1 --reward coupon-10 --key k4 --json
C2=$(jget "$OUT" 'd["coupon"]'); E2=$(jget "$OUT" 'd["entry"]'); BAL=$(jget "$OUT" 'd["balance"]')
check "a second redemption issues another code" "$([ "$C2" != "$CODE" ] && [ -n "$C2" ] && echo yes)" yes
printf 'order_id,customer_id,time,status,coupon,discount,currency,sku,qty,unit_price\nX2,C1,%s,paid,%s,10.00,USD,TEE,1,50.00\n' \
  "$NOW" "$C2" >"$E2E_TMP/o2.csv"
"$ENCORE" import orders "$E2E_TMP/o2.csv" >/dev/null
"$ENCORE" tick >/dev/null 2>&1
check "the order with the code redeemed it" "$(sql "SELECT redeemed_order IS NOT NULL FROM coupons WHERE code = '$C2'")" 1
run_rc "$ENCORE" points reverse C1 --entry "$E2" --key v2
check "reversing a redemption whose coupon was used: refused" "$RC $ERR" \
  "1 encore: points: redemption $E2: its coupon was already used on an order"
check "  the balance is unchanged" "$(jget "$("$ENCORE" points balance C1 --json)" 'd["balance"]')" "$BAL"
check "  the coupon is not revoked" "$(sql "SELECT revoked_at IS NULL FROM coupons WHERE code = '$C2'")" 1
e2e_done
