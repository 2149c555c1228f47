#!/usr/bin/env bash
# test_uplift.sh — uplift targeting end to end (issue 19 item 4) with the real binary: a
# generated shop -> a once campaign with a 50% holdout, sent through the file channel ->
# `encore gen respond --uplift-by orders` (true uplift 0.12 x 2q, q the customer's rank in prior
# orders: the heavy buyers are the persuadable) -> orders imported -> `encore uplift evaluate`
# recovers the ranking (Qini interval above zero; the top 30 % by predicted uplift gain more
# per message than all) and stores every customer's predicted uplift; bad input fails clearly.
. "$(dirname "$0")/lib.sh"

T=$E2E_TMP
trap e2e_cleanup EXIT
fmt() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
unset ENCORE_DELIVERY_CONFIG ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL
T0=$(date -u -d '2026-01-01 09:00:00' +%s)

# --- usage and bad input -------------------------------------------------------------------------
run_rc "$ENCORE" uplift --help
check "uplift --help exits 0" "$RC" 0
check_match "  describes evaluate" "$OUT" "usage: encore uplift evaluate CAMPAIGN"
run_rc "$ENCORE" uplift
check_match "uplift without a subcommand: usage error" "$RC $ERR" "^2 encore: uplift: needs a subcommand"
run_rc "$ENCORE" uplift frobnicate
check_match "uplift: unknown subcommand" "$RC $ERR" "^2 encore: uplift: unknown subcommand 'frobnicate'"
run_rc "$ENCORE" uplift evaluate
check_match "uplift evaluate without a campaign" "$RC $ERR" "^2 encore: uplift: evaluate needs a CAMPAIGN"
run_rc "$ENCORE" uplift evaluate x --window 0
check_match "uplift evaluate: a window of 0 days refused" "$RC $ERR" "^2 encore: uplift: --window: '0' is not a whole number from 1 to 365"
run_rc "$ENCORE" uplift evaluate x --frob
check_match "uplift evaluate: a stray option refused" "$RC $ERR" "^2 encore: uplift: unknown option '--frob'"

# --- the shop ------------------------------------------------------------------------------------
run_rc "$ENCORE" gen --customers 6000 --seed 11 --out "$T/shop"
check "gen: a shop of 6,000 customers" "$RC" 0
for k in products customers orders events consents; do
  run_rc "$ENCORE" import "$k" "$T/shop/$k.csv" --json
  check "import $k" "$(jget "$OUT" 'd["rejected"]')" 0
done
run_rc "$ENCORE" score --as-of 2025-12-31
check "score" "$RC" 0
run_rc "$ENCORE" uplift evaluate nowhere
check "uplift evaluate: an unknown campaign is a failure" "$RC $ERR" "1 encore: uplift evaluate: no campaign 'nowhere'"

printf '{"quiet_hours": null, "caps": [], "shop_url": "https://shop.example/"}' >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json"
check "contact policy set" "$RC" 0
cat >"$T/offer.json" <<'JSON'
{"name": "up-offer", "description": "an offer with a 50% control group",
 "audience": "orders >= 1 and consent(\"email\")",
 "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0.5, "send_within": "3650d",
 "content": {"email": {"subject": "Hello", "text": "An offer for you."}}}
JSON
sed -e 's/"up-offer"/"no-holdout"/' -e 's/"holdout": 0.5/"holdout": 0/' "$T/offer.json" >"$T/noh.json"
for f in offer noh; do
  run_rc "$ENCORE" campaign start "$T/$f.json" --at "$(fmt $T0)" --json
  check "campaign $f started at T0" "$RC" 0
done
run_rc "$ENCORE" tick --now "$(fmt $((T0 + 3600)))" --json
check "tick at T0 + 1h" "$RC" 0
printf '{"channels": {"email": {"kind": "file", "path": "%s"}}}' "$T/sent.jsonl" >"$T/delivery.json"
run_rc "$ENCORE" dispatch --once --config "$T/delivery.json" --now "$(fmt $((T0 + 3600)))" --json
check "dispatch --once through the file channel" "$RC" 0
SENT=$(sql "SELECT count(*) FROM messages WHERE campaign = 'up-offer' AND state = 'sent'")
HOLD=$(sql "SELECT count(*) FROM campaign_members WHERE campaign = 'up-offer' AND holdout = 1")
echo "# up-offer: $SENT messages delivered, $HOLD held out"
check "messages delivered and a holdout kept" "$([ "$SENT" -gt 500 ] && [ "$HOLD" -gt 500 ] && echo yes)" yes

run_rc "$ENCORE" uplift evaluate no-holdout
check_match "uplift evaluate: a campaign without a holdout is refused" "$RC $ERR" "^2 encore: uplift evaluate: campaign 'no-holdout' has no holdout"

# --- customers respond, with uplift rising with their prior orders ----------------------------
run_rc "$ENCORE" gen respond --campaign up-offer --out "$T/bad" --base-rate 0.05 --uplift 0.5 --uplift-by orders
check_match "gen respond: base + 2 x uplift over 1 refused" "$RC $ERR" "^2 encore: gen respond: base rate \+ 2 x uplift = 1.05"
run_rc "$ENCORE" gen respond --campaign up-offer --out "$T/bad" --uplift-by shoe_size
check_match "gen respond: an unknown feature refused" "$RC $ERR" "^2 encore: gen respond: uplift by 'shoe_size': not a feature"
run_rc "$ENCORE" gen respond --campaign up-offer --base-rate 0.05 --uplift 0.12 --uplift-by orders \
  --seed 5 --out "$T/resp" --json
check "gen respond --uplift-by orders" "$RC" 0
TRUTH=$OUT
echo "# drawn: $(jget "$TRUTH" '", ".join("%s %d/%d" % (k, g["buyers"], g["customers"]) for k, g in d["groups"].items())'); uplift $(jget "$TRUTH" 'round(d["drawn_uplift"], 4)')"
check "  the option is reported" "$(jget "$TRUTH" 'd["truth"]["uplift_by"]')" orders
run_rc "$ENCORE" import orders "$T/resp/orders.csv" --json
check "the responses' orders imported" "$(jget "$OUT" 'd["rejected"]')" 0

# --- the model recovers the ranking ------------------------------------------------------------
run_rc "$ENCORE" uplift evaluate up-offer --window 8 --json
check "uplift evaluate up-offer" "$RC" 0
EV=$OUT
echo "# judged on $(jget "$EV" 'd["judged_on"]'), qini $(jget "$EV" '"%.5f [%.5f, %.5f]" % (d["qini"]["coefficient"], d["qini"]["lo"], d["qini"]["hi"])'), top 30% $(jget "$EV" 'round(d["qini"]["curve"][30]["uplift_per_message"], 4)'), all $(jget "$EV" 'round(d["qini"]["ate"], 4)')"
check "every member counted" "$(jget "$EV" 'd["members"]')" \
  "$(sql "SELECT count(DISTINCT customer_id) FROM campaign_members WHERE campaign = 'up-offer'")"
check "conversions: the treated as drawn (reached buyers)" "$(jget "$EV" 'd["treated_converted"]')" \
  "$(jget "$TRUTH" 'd["groups"]["reached"]["buyers"] + d["groups"]["unreached"]["buyers"]')"
check "conversions: the holdout as drawn" "$(jget "$EV" 'd["holdout_converted"]')" \
  "$(jget "$TRUTH" 'd["groups"]["holdout"]["buyers"]')"
check "the Qini interval excludes zero" "$(jget "$EV" 'd["qini"]["lo"] > 0')" True
check "the top 30% by predicted uplift gain more per message than all" \
  "$(jget "$EV" 'd["qini"]["curve"][30]["uplift_per_message"] > d["qini"]["ate"]')" True
check "the model found the true driver: the treated model's orders weight exceeds the control's" \
  "$(jget "$EV" '[f["beta"] for f in d["model"]["treated"]["features"] if f["name"] == "orders"][0] > [f["beta"] for f in d["model"]["control"]["features"] if f["name"] == "orders"][0]')" True
check "every customer's predicted uplift stored" "$(sql "SELECT count(*) FROM uplift_scores WHERE campaign = 'up-offer'")" \
  "$(sql "SELECT count(*) FROM customers WHERE merged_into IS NULL")"
check "the model stored" "$(sql "SELECT customers FROM uplift_models WHERE campaign = 'up-offer'")" \
  "$(sql "SELECT count(*) FROM customers WHERE merged_into IS NULL")"
# the stored ranking agrees with the truth: heavy buyers score higher
check "stored uplift rises with prior orders (top half of buyers vs the rest)" "$(sql "
  WITH o AS (SELECT customer_id, count(*) AS n FROM orders WHERE status = 'paid' AND ts < $T0 GROUP BY customer_id),
       r AS (SELECT s.uplift, o.n, ntile(2) OVER (ORDER BY o.n) AS half FROM uplift_scores s JOIN o ON o.customer_id = s.customer_id WHERE s.campaign = 'up-offer')
  SELECT (SELECT avg(uplift) FROM r WHERE half = 2) > (SELECT avg(uplift) FROM r WHERE half = 1)")" 1

# --- the segment function uplift("CAMPAIGN") ----------------------------------------------------
run_rc "$ENCORE" audience count 'uplift("up-offer") > 0.1' --json
check "audience count uplift(\"up-offer\") > 0.1 = the stored scores above 0.1" "$(jget "$OUT" 'd["count"]')" \
  "$(sql "SELECT count(*) FROM uplift_scores WHERE campaign = 'up-offer' AND uplift > 0.1")"
run_rc "$ENCORE" audience count 'known(clv) and uplift("up-offer") <= 0.1 or uplift("up-offer") > 0.1' --json
check "  every scored customer is above or at most 0.1" "$(jget "$OUT" 'd["count"] >= 1')" True
run_rc "$ENCORE" audience check 'uplift("nowhere") > 0'
check_match "uplift() of a campaign without a model: a clear error" "$RC $ERR" "^2 .*no uplift model for campaign 'nowhere' \(run 'encore uplift evaluate nowhere'\)"
run_rc "$ENCORE" audience check 'uplift(3) > 0'
check_match "uplift() with a number: a clear error" "$RC $ERR" "^2 .*uplift\(\) takes one campaign name in quotes"
run_rc "$ENCORE" audience check 'uplift("up-offer")'
check "uplift() alone is a value, not a condition" "$RC" 2

# --- the campaign option uplift_top ----------------------------------------------------------------
sed -e 's/"up-offer"/"all-next"/' "$T/offer.json" >"$T/all.json"
sed -e 's/"up-offer"/"top-next"/' -e 's/"holdout": 0.5,/"holdout": 0.5, "uplift_top": {"campaign": "up-offer", "share": 0.3},/' "$T/offer.json" >"$T/top.json"
run_rc "$ENCORE" campaign plan "$T/all.json" --at "$(fmt $((T0 + 30 * 86400)))" --json
check "plan to all" "$RC" 0
ALL=$(jget "$OUT" 'd["audience"]')
run_rc "$ENCORE" campaign plan "$T/top.json" --at "$(fmt $((T0 + 30 * 86400)))" --json
check "plan to the top 30% by predicted uplift" "$RC" 0
TOP=$(jget "$OUT" 'd["audience"]')
echo "# audience: all $ALL, top 30% $TOP"
check "  the top 30% of the audience (rounded up)" "$TOP" "$(/usr/bin/python3 -c "import math; print(math.ceil(0.3 * $ALL - 1e-9))")"
sed -e 's/"share": 0.3/"share": 0/' "$T/top.json" >"$T/bad.json"
run_rc "$ENCORE" campaign plan "$T/bad.json" --json
check_match "uplift_top with share 0: refused, naming the field" "$RC $ERR" "uplift_top"
sed -e 's/"campaign": "up-offer"/"campaign": "nowhere"/' "$T/top.json" >"$T/bad2.json"
run_rc "$ENCORE" campaign plan "$T/bad2.json" --json
check_match "uplift_top from a campaign without a model: refused" "$RC $ERR" "no uplift model for campaign 'nowhere'"

run_rc "$ENCORE" uplift evaluate up-offer --window 8
check "uplift evaluate, text" "$RC" 0
check_match "  names the coefficient and its interval" "$OUT" "Qini coefficient [0-9.]+, 95 % interval \[[0-9.]+, [0-9.]+\]"
e2e_done
