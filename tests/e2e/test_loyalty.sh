#!/usr/bin/env bash
# test_loyalty.sh — the points ledger and tiers (issue 15, docs/loyalty.md) through the binary:
# the programme file's bad input (unknown rules, overlapping tiers, malformed JSON: each refused
# with its field or line, nothing saved); earning with multipliers, the first-order bonus and the
# member day; a return of an order that earned nothing; idempotency keys; redemption over the
# balance; FIFO lots and expiry; the grace period of a tier review to the second; parallel
# redemptions for one member (never more than the balance); and the property test against the
# independent model tests/oracle/loyalty_oracle.py over random sequences of three programmes.
. "$(dirname "$0")/lib.sh"
DATA="$(cd "$(dirname "$0")/../data/loyalty" && pwd)"
ORACLE="$(cd "$(dirname "$0")/../oracle" && pwd)/loyalty_oracle.py"
P="$E2E_TMP/p.json"
export USER=tester

# ---- the programme file ----------------------------------------------------------------------
run_rc "$ENCORE" points balance C1
check "points before any programme: exit 1, says how to save one" "$RC $ERR" \
  "1 encore: points: no loyalty programme saved (encore loyalty programme FILE)"
bad() { # bad NAME PYTHON-EDIT EXPECTED-STDERR
  /usr/bin/python3 -c "import json,sys; p=json.load(open(sys.argv[1])); $2; json.dump(p, open(sys.argv[2], 'w'))" \
    "$DATA/programme.json" "$P"
  run_rc "$ENCORE" loyalty programme "$P"
  check "$1" "$RC $ERR" "1 $3"
}
bad "unknown rule: refused with its path" 'p["earn"]["catgories"] = {}' \
  "encore: loyalty: $P: earn.catgories: unknown rule"
bad "unknown top-level rule" 'p["tiers_x"] = 1' "encore: loyalty: $P: tiers_x: unknown rule"
bad "overlapping tiers (same min)" 'p["tiers"]["levels"][2]["min"] = 100000' \
  "encore: loyalty: $P: tiers.levels[2]: tiers overlap: gold overlaps silver"
bad "overlapping tiers (a max past the next min)" 'p["tiers"]["levels"][1]["max"] = 600000' \
  "encore: loyalty: $P: tiers.levels[2]: tiers overlap: gold overlaps silver"
bad "lowest tier must start at 0" 'p["tiers"]["levels"][0]["min"] = 5' \
  "encore: loyalty: $P: tiers.levels: the lowest tier must start at min 0 (member does not)"
bad "a multiplier that is not a number" 'p["earn"]["skus"]["MUG"] = "x3"' \
  "encore: loyalty: $P: earn.skus.MUG: must be a number"
bad "a reward of an unknown kind" 'p["rewards"][0]["kind"] = "cash"' \
  "encore: loyalty: $P: rewards[0].kind: must be coupon or product, not 'cash'"
bad "two expiry rules" 'p["expiry"]["end_of_year_after"] = 1' \
  "encore: loyalty: $P: expiry: give one of months, end_of_year_after or never"
printf '{"earn": {"points_per_unit": 1,\n  "cap_per_order": }}\n' >"$P"
run_rc "$ENCORE" loyalty programme "$P"
check_match "malformed JSON: the line and column" "$RC $ERR" "^1 encore: loyalty: $P:2:[0-9]+: "
run_rc "$ENCORE" loyalty programme
check "nothing of the bad files was saved" "$RC $ERR" "1 encore: loyalty: no programme saved yet"
run_rc "$ENCORE" loyalty programme "$DATA/programme.json" --check
check "--check: a sound file, not saved" "$RC $OUT" \
  "0 $DATA/programme.json: a sound programme: 3 tiers, 2 rewards"
run_rc "$ENCORE" loyalty programme "$DATA/programme.json"
check "saved" "$RC" 0
run_rc "$ENCORE" tiers list --json
check "tiers list: sorted, with benefits" \
  "$(jget "$OUT" '[(t["name"], t["min"], t["multiplier"], t["free_shipping"]) for t in d["tiers"]]')" \
  "[('member', 0, 1, False), ('silver', 100000, 1.25, False), ('gold', 500000, 1.5, True)]"

# ---- earning, returns, keys, redemption ------------------------------------------------------
cat >"$E2E_TMP/orders.csv" <<'CSV'
order_id,customer_id,time,status,sku,category,qty,unit_price,discount
O1,C1,2026-01-05 10:00,paid,MUG,home,1,100.00,0
O1,C1,2026-01-05 10:00,paid,LIP,beauty/lips,2,250.00,0
O2,C1,2026-02-08 10:00,paid,TEE,apparel,1,1200.00,100.00
O3,C1,2026-02-10 10:00,paid,TEE,apparel,1,10.00,10.00
O4,C2,2026-02-10 10:00,paid,TEE,apparel,1,10.00,0
O5,C1,2026-02-11 10:00,cancelled,TEE,apparel,1,50.00,0
CSV
"$ENCORE" import orders "$E2E_TMP/orders.csv" >/dev/null
run_rc "$ENCORE" points earn C1 --order O1 --now 2026-01-05T10:00:00 --json
check "O1: MUG x3 (sku) + 2 LIP x2 (category beauty) = 1300 points, first-order bonus 50" \
  "$(jget "$OUT" '(d["points"], d["bonus"], d["balance"], d["tier"], d["replayed"])')" \
  "(1300, 50, 1350, 'member', False)"
run_rc "$ENCORE" points earn C1 --order O1 --now 2026-01-06 --json
check "O1 again: replayed, nothing added" "$(jget "$OUT" '(d["points"], d["balance"], d["replayed"])')" \
  "(1300, 1350, True)"
run_rc "$ENCORE" points earn C1 --order O2 --now 2026-02-08T10:00:00 --json
check "O2 on the member day (8th, x2), net of its discount: 2200; spend 1700.00 upgrades to silver" \
  "$(jget "$OUT" '(d["points"], d["tier"], d["upgraded"])')" "(2200, 'silver', True)"
run_rc "$ENCORE" points earn C1 --order O3 --now 2026-02-10T10:00:00
check "O3 fully discounted: earns 0" "$RC" 0
run_rc "$ENCORE" points return C1 --order O3 --now 2026-02-11
check "a return of an order that earned nothing: exit 1, clear" "$RC $ERR" \
  "1 encore: points: order 'O3' earned no points: there is nothing to reverse"
run_rc "$ENCORE" points earn C1 --order O5 --now 2026-02-11
check "a cancelled order earns nothing" "$RC $ERR" \
  "1 encore: points: order 'O5' is cancelled: only a paid order earns points"
run_rc "$ENCORE" points earn C1 --order O4 --now 2026-02-11
check "another customer's order is refused" "$RC $ERR" \
  "1 encore: points: order 'O4' is not this customer's"
run_rc "$ENCORE" points earn C1 --order NOPE
check "an unknown order" "$RC $ERR" "1 encore: points: no order 'NOPE'"
run_rc "$ENCORE" points redeem C1 --points 99999 --key big --now 2026-02-12
check "redemption over the balance: exit 1, nothing written" "$RC $ERR" \
  "1 encore: points: redeeming 99999 points is over the balance of 3550"
run_rc "$ENCORE" points redeem C1 --reward coupon-10 --key r1 --now 2026-02-12 --json
check "redeem a reward: 1000 from the oldest lot" "$(jget "$OUT" '(d["points"], d["balance"])')" \
  "(-1000, 2550)"
R1=$(jget "$OUT" 'd["entry"]')
run_rc "$ENCORE" points redeem C1 --reward coupon-10 --key r1 --now 2026-02-12 --json
check "the same key and request: replayed" "$(jget "$OUT" '(d["entry"], d["balance"], d["replayed"])')" \
  "($R1, 2550, True)"
run_rc "$ENCORE" points redeem C1 --reward mug --key r1 --now 2026-02-12
check "the same key with other content: refused" "$RC $ERR" \
  "1 encore: points: idempotency key 'r1' was already used for another request"
run_rc "$ENCORE" points balance C1 --now 2026-02-12 --json
check "FIFO: the oldest lot (O1's 1300) gave the 1000" \
  "$(jget "$OUT" '[(l["earned_at"][:10], l["points"], l["remaining"]) for l in d["lots"]]')" \
  "[('2026-01-05', 1300, 300), ('2026-01-05', 50, 50), ('2026-02-08', 2200, 2200)]"
run_rc "$ENCORE" points reverse C1 --entry "$R1" --key rv1 --now 2026-02-13 --json
check "a reversal gives the 1000 back" "$(jget "$OUT" '(d["points"], d["balance"])')" "(1000, 3550)"
run_rc "$ENCORE" points reverse C1 --entry "$R1" --key rv2 --now 2026-02-13
check "a second reversal is refused" "$RC $ERR" \
  "1 encore: points: redemption $R1 was already reversed (entry $((R1 + 1)))"
run_rc "$ENCORE" points adjust C1 --points -5000 --reason goodwill --by ann --key a1 --now 2026-02-13
check "an adjustment over the balance is refused" "$RC $ERR" \
  "1 encore: points: an adjustment of -5000 points is over the balance of 3550"
run_rc "$ENCORE" points adjust C1 --points -50 --by ann --key a2
check "an adjustment needs a reason" "$RC $ERR" "2 encore: points: an adjustment needs a reason"
run_rc "$ENCORE" points adjust C1 --points 5 --reason "$(printf 'x%.0s' $(seq 501))" --key a9
check "a reason is bounded" "$RC $ERR" "2 encore: points: a reason is at most 500 bytes"
run_rc "$ENCORE" points adjust C1 --points 120 --reason "late delivery" --by ann --key a3 --now 2026-02-13 --json
check "a manual adjustment" "$(jget "$OUT" 'd["balance"]')" 3670
run_rc "$ENCORE" points history C1 --json
check "history: every entry with its kind, order, reason and who" \
  "$(jget "$OUT" '[(e["kind"], e["points"], e["order"] or e["reason"], e["by"]) for e in d]')" \
  "[('earn', 1300, 'O1', None), ('bonus', 50, 'O1', None), ('earn', 2200, 'O2', None), ('earn', 0, 'O3', None), ('redeem', -1000, 'reward coupon-10', '$USER'), ('reverse', 1000, 'redemption reversed', '$USER'), ('adjust', 120, 'late delivery', 'ann')]"
run_rc "$ENCORE" points return C1 --order O1 --now 2026-03-01 --json
check "a return takes back the order's points and its first-order bonus" \
  "$(jget "$OUT" '(d["points"], d["balance"])')" "(-1350, 2320)"
run_rc "$ENCORE" points balance C1 --now 2027-01-20 --json
check "expiring within 30 days: O2's lot and the adjustment's (12 months each)" \
  "$(jget "$OUT" 'd["expiring_30d"]')" 2320
run_rc "$ENCORE" points expire --now 2027-02-08T10:00:00 --json
check "the expiry job: O2's lot on its day" "$OUT" '{"lots":1,"points":2200}'
run_rc "$ENCORE" points balance C1 --now 2027-02-09 --json
check "what is left: the adjustment's lot; balance = sum of lots" \
  "$(jget "$OUT" '(d["balance"], sum(l["remaining"] for l in d["lots"]))')" "(120, 120)"
run_rc "$ENCORE" points bogus C1
check "an unknown subcommand: exit 2" "$RC" 2
run_rc "$ENCORE" points balance C1 --frobnicate
check "an unknown option: exit 2" "$RC" 2
run_rc "$ENCORE" points balance NOBODY
check "an unknown customer: exit 1" "$RC $ERR" "1 encore: points: no customer 'NOBODY'"

# ---- the tier review and its grace period ---------------------------------------------------
# C1 is silver since 2026-02-08 on 1700.00 of spend; on 2028-01-01 (the review date) the 12-month
# window holds nothing: a drop date 30 days on, and the downgrade exactly then, not a second before
run_rc "$ENCORE" tiers review --now 2027-12-31T12:00:00 --json
check "review before the review date: nothing" "$(jget "$OUT" '(d["review_day"], d["pending"])')" "(False, 0)"
run_rc "$ENCORE" tiers review --now 2028-01-01T08:00:00 --json
check "the review date: C1 gets a drop date" "$(jget "$OUT" '(d["review_day"], d["pending"], d["downgraded"])')" "(True, 1, 0)"
run_rc "$ENCORE" points balance C1 --now 2028-01-01T08:00:00 --json
check "  the drop date is the review date + 30 days" "$(jget "$OUT" '(d["tier"], d["tier_drop_at"])')" \
  "('silver', '2028-01-31 00:00:00')"
run_rc "$ENCORE" tiers review --now 2028-01-30T23:59:59 --json
check "one second before the drop date: still silver" "$(jget "$OUT" 'd["downgraded"]')" 0
run_rc "$ENCORE" tiers review --now 2028-01-31T00:00:00 --json
check "at the drop date: down to member" "$(jget "$OUT" 'd["downgraded"]')" 1
run_rc "$ENCORE" tiers history C1 --json
check "the tier history" "$(jget "$OUT" '[(h["from"], h["to"], h["reason"]) for h in d]')" \
  "[(None, 'member', 'joined'), ('member', 'silver', 'upgrade'), ('silver', 'member', 'review')]"

# ---- parallel redemptions for one member -----------------------------------------------------
run_rc "$ENCORE" points adjust C2 --points 1000 --reason opening --key c2open --now 2027-02-01
for i in $(seq 8); do
  "$ENCORE" points redeem C2 --points 300 --key "par$i" --now 2027-02-01 >"$E2E_TMP/par$i.out" 2>&1 &
done
for i in $(seq 4); do
  "$ENCORE" points redeem C2 --points 100 --key same --now 2027-02-01 >"$E2E_TMP/same$i.out" 2>&1 &
done
wait
ok_n=$(grep -l "entry" "$E2E_TMP"/par*.out | wc -l)
run_rc "$ENCORE" points balance C2 --now 2027-02-01 --json
check "8 parallel redemptions of 300 from 1000 (plus one key sent 4 times): 3 + 1 succeed, balance 0" \
  "$ok_n $(jget "$OUT" 'd["balance"]')" "3 0"
check "  the refused ones say why" "$(grep -h "over the balance" "$E2E_TMP"/par*.out | wc -l)" 5
run_rc "$ENCORE" points history C2 --json
check "  one entry for the key sent four times" "$(jget "$OUT" 'sum(1 for e in d if e["kind"] == "redeem" and e["points"] == -100)')" 1

# ---- the report: its sums against the members' histories ---------------------------------------
h1=$("$ENCORE" points history C1 --json); h2=$("$ENCORE" points history C2 --json)
want=$(/usr/bin/python3 -c '
import json, sys
e = json.loads(sys.argv[1]) + json.loads(sys.argv[2])
issued = sum(x["points"] for x in e if x["kind"] in ("earn", "bonus", "import") or (x["kind"] == "adjust" and x["points"] > 0))
expired = -sum(x["points"] for x in e if x["kind"] == "expire")
redeemed = -sum(x["points"] for x in e if x["kind"] == "redeem") - sum(x["points"] for x in e if x["kind"] == "reverse")
print((issued, expired, redeemed, round(expired / issued, 6), round(redeemed / issued, 6)))' "$h1" "$h2")
run_rc "$ENCORE" loyalty report --since 2026-01-01 --now 2028-02-01 --json
check "loyalty report: issued, expired (breakage), redeemed (rate) as the histories sum them" \
  "$(jget "$OUT" '(d["issued"], d["expired"], d["redeemed"], round(d["breakage_rate"], 6), round(d["redemption_rate"], 6))')" "$want"
check "  liability: outstanding points at the point value (1 minor unit)" \
  "$(jget "$OUT" '(d["outstanding"], d["liability"])')" \
  "$(jget "$("$ENCORE" points balance C1 --now 2028-02-01 --json)" '(d["balance"], d["balance"] / 100)')"
check "  tier distribution and moves" "$(jget "$OUT" '(d["tiers"], [(m["from"], m["to"], m["members"]) for m in d["tier_moves"]])')" \
  "({'member': 2}, [('member', 'silver', 1), ('silver', 'member', 1)])"
run_rc "$ENCORE" loyalty report --bogus
check "loyalty report: an unknown option is a usage error" "$RC" 2

# ---- segment fields and template values -------------------------------------------------------
export ENCORE_DB="$E2E_TMP/seg.db"
"$ENCORE" loyalty programme "$DATA/programme.json" >/dev/null
"$ENCORE" import orders "$E2E_TMP/orders.csv" >/dev/null
printf 'customer_id,name,email,tier\nC1,Ann,ann@example.com,\nC2,Bob,bob@example.com,gold\nC3,Cy,cy@example.com,\n' \
  >"$E2E_TMP/cust.csv"
printf 'customer_id,channel,status,time\nC1,email,granted,2026-01-01\nC2,email,granted,2026-01-01\nC3,email,granted,2026-01-01\n' \
  >"$E2E_TMP/cons.csv"
"$ENCORE" import customers "$E2E_TMP/cust.csv" >/dev/null
"$ENCORE" import consents "$E2E_TMP/cons.csv" >/dev/null
"$ENCORE" points earn C1 --order O1 --now 2026-01-05T10:00:00 >/dev/null
"$ENCORE" points earn C1 --order O2 --now 2026-02-08T10:00:00 >/dev/null
run_rc "$ENCORE" points adjust C2 --points 10 --reason welcome --key w2 --now 2026-02-09 --json
check "a customer imported as gold joins the programme as gold" "$(jget "$OUT" 'd["tier"]')" gold
count() { "$ENCORE" audience count "$1" --now "$2" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])'; }
check "points_balance > 100: C1" "$(count 'points_balance > 100' 2026-03-01)" 1
check "points_balance = 0: C3 (not a member)" "$(count 'points_balance = 0' 2026-03-01)" 1
check "tier = \"silver\": C1 (upgraded by O2)" "$(count 'tier = "silver"' 2026-03-01)" 1
check "tier_since >= 2026-02-01: C1 and C2" "$(count 'tier_since >= "2026-02-01"' 2026-03-01)" 2
check "next_tier_gap = 330000 (gold at 5000.00, spent 1700.00): C1" \
  "$(count 'next_tier_gap = 330000' 2026-03-01)" 1
check "next_tier_gap missing at the top tier: C2 is not counted" "$(count 'next_tier_gap >= 0' 2026-03-01)" 1
check "points_expiring_30d > 0 on 2026-12-20: O1's lots (expire 2027-01-05)" \
  "$(count 'points_expiring_30d = 1350' 2026-12-20)" 1
check "  and not on 2026-11-01" "$(count 'points_expiring_30d > 0' 2026-11-01)" 0
cat >"$E2E_TMP/camp.json" <<'JSON'
{"name": "points-news", "audience": "points_balance > 0", "trigger": {"type": "once"},
 "channels": ["email"], "holdout": 0.01,
 "content": {"email": {"subject": "You are {{member.tier}}",
   "text": "Balance {{member.points}}, expiring {{member.expiring_points}}, to go {{member.next_tier_gap | \"top tier\"}}. {{unsubscribe_url}}"}}}
JSON
run_rc "$ENCORE" campaign plan "$E2E_TMP/camp.json" --at 2026-12-20 --json
check "templates: {{member.tier}}, {{member.points}}, {{member.expiring_points}}, {{member.next_tier_gap}}" \
  "$(jget "$OUT" 'sorted((m["subject"], m["text"].split(". ")[0]) for m in d["sample"])')" \
  "[('You are gold', 'Balance 10, expiring 0, to go top tier'), ('You are silver', 'Balance 3550, expiring 1350, to go 330000')]"
export ENCORE_DB="$E2E_TMP/test.db"

# ---- the property test against the independent model ----------------------------------------
# LOYALTY_SEEDS="1 2 3 ..." for a longer run; each seed drives three programmes
for seed in ${LOYALTY_SEEDS:-11}; do
  for v in A B C; do
    out=$(/usr/bin/python3 "$ORACLE" "$ENCORE" "$E2E_TMP" "$seed" "$v" 120 2>&1)
    check_match "model $v seed $seed: balances, lots, expiries, tiers equal" "$out" "^ok: "
    echo "    $out" | cut -c1-400
  done
done
e2e_done
