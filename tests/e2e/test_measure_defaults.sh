#!/usr/bin/env bash
# test_measure_defaults.sh — measurement that does not mislead (issue 11, part 6). Regressions:
# - `tick` printed "A/B winner B (rolled out)" when the stored result said not significant
#   (p 0.836): now tick, `campaign show`, the report and the HTML report say whether the winner
#   is significant and which rule chose it;
# - a campaign file without `holdout` had no control group and nobody was told: now 10% by
#   default, and `"holdout": 0` makes `plan` warn that uplift cannot be measured;
# - one order was credited to every campaign whose window held it: now last touch by default,
#   `campaign report --attribution all` keeps the old rule, and the report says which.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
trap e2e_cleanup EXIT

# 400 customers with email consent
$PY - "$T" <<'PYEOF'
import sys
d = sys.argv[1]
with open(d + "/c.csv", "w") as c, open(d + "/k.csv", "w") as k:
    c.write("customer_id,email,name,timezone\n"); k.write("customer_id,channel,purpose,status,time\n")
    for i in range(400):
        c.write("C%03d,c%03d@example.com,N%d,UTC\n" % (i, i, i))
        k.write("C%03d,email,marketing,granted,2025-01-01\n" % i)
PYEOF
"$ENCORE" import customers "$T/c.csv" >/dev/null && "$ENCORE" import consents "$T/k.csv" >/dev/null
printf '{"quiet_hours": null, "caps": [], "unsubscribe_url": "https://t.shop.example"}\n' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null

# --- the default holdout -------------------------------------------------------------------------
cat >"$T/plain.json" <<'JSON'
{"name": "plain", "trigger": {"type": "once"}, "channels": ["email"],
 "content": {"email": {"subject": "hi", "text": "hello"}}}
JSON
run_rc "$ENCORE" campaign plan "$T/plain.json" --json
check "a file without holdout: 10% held out (400 customers)" \
  "$(jget "$OUT" '30 <= d["holdout"] <= 50, d["holdout"] + d["eligible"], d["warnings"]')" "True 400 []"
sed 's/"channels"/"holdout": 0, "channels"/' "$T/plain.json" >"$T/h0.json"
run_rc "$ENCORE" campaign plan "$T/h0.json" --json
check "\"holdout\": 0 turns it off" "$(jget "$OUT" 'd["holdout"], d["eligible"]')" "0 400"
check_match "  and plan warns that uplift cannot be measured" "$(jget "$OUT" 'd["warnings"][0]')" "^holdout 0: no control group.*cannot be measured"
run_rc "$ENCORE" campaign plan "$T/h0.json"
check_match "  in text too (stderr)" "$ERR" "warning: holdout 0: no control group"
sed 's/"channels"/"holdout": 0, "transactional": true, "channels"/' "$T/plain.json" >"$T/tx.json"
run_rc "$ENCORE" campaign plan "$T/tx.json" --json
check "a transactional campaign without holdout is not warned about" "$(jget "$OUT" 'd["warnings"]')" "[]"

# --- an A/B test with no difference: the winner is rolled out, and everyone is told it is chance -
cat >"$T/ab.json" <<'JSON'
{"name": "abtest", "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0.1,
 "variants": [{"name": "A", "share": 0.5}, {"name": "B", "share": 0.5}],
 "ab": {"test_share": 0.5, "decide_after": "2d", "metric": "conversion"},
 "content": {"email": {"subject": "hi", "text": "hello"}}}
JSON
run_rc "$ENCORE" campaign start "$T/ab.json" --at "2026-03-01 09:00" --json
check "A/B campaign started" "$RC" 0
# a few orders, evenly: no variant is better
$PY - "$ENCORE_DB" "$T/orders.csv" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT c.external_id, m.variant FROM campaign_members m JOIN customers c ON c.id = m.customer_id WHERE m.campaign = 'abtest' AND m.holdout = 0 AND m.variant IS NOT NULL AND m.message_key IS NOT NULL ORDER BY c.id").fetchall()
seen = {"A": 0, "B": 0}
with open(sys.argv[2], "w") as f:
    f.write("order_id,customer_id,time,status,sku,qty,unit_price\n")
    n = 0
    for cid, v in rows:
        if seen[v] < 3:
            seen[v] += 1; n += 1
            f.write("O%d,%s,2026-03-02 10:00:00,paid,P1,1,20.00\n" % (n, cid))
PYEOF
"$ENCORE" import orders "$T/orders.csv" >/dev/null
run_rc "$ENCORE" dispatch --once --set email.kind=file --set "email.path=$T/out.jsonl" --now "2026-03-01 09:10"
run_rc "$ENCORE" tick --now "2026-03-03 09:30"
check "tick decides" "$RC" 0
check_match "tick says the winner is NOT significant and which rule chose it" "$OUT" \
  "A/B: [AB] is NOT significant: the highest conversion rate observed, NOT significant at 0.05 \(Holm, p [0-9.]+\): no better than chance"
run_rc "$ENCORE" tick --now "2026-03-03 10:30" --json
check "tick --json (later): the stored decision's significance and rule" \
  "$(jget "$OUT" '[(c["ab_significant"], c["ab_rule"][:36]) for c in d["campaigns"] if c["campaign"] == "abtest"]')" \
  "[(False, 'the highest conversion rate observed')]"
run_rc "$ENCORE" campaign show abtest
check_match "campaign show says it" "$OUT" "A/B: winner [AB], NOT significant; rule: the highest conversion rate observed"
run_rc "$ENCORE" campaign report abtest --json --at "2026-03-04"
check "campaign report --json: winner_significant false, winner_rule" \
  "$(jget "$OUT" 'd["ab"]["winner_significant"], d["ab"]["winner_rule"][:18]')" "False the highest conver"
run_rc "$ENCORE" campaign report abtest --at "2026-03-04"
check_match "campaign report text says it" "$OUT" "decided winner [AB] \(NOT significant\); rolled out as the highest"
"$ENCORE" score --as-of 2026-03-03 >/dev/null 2>&1
run_rc "$ENCORE" report --html "$T/r.html" --now "2026-03-04"
check "report --html" "$RC" 0
check_match "the HTML report says it" "$(tr -d '\n' <"$T/r.html")" "Decided winner: [AB], <b>not significant</b>; rolled out as the highest conversion rate observed"
# --- attribution: last touch across campaigns ------------------------------------------------------
one() { # NAME AT: a one-off email to everyone, no holdout, sent five minutes later
  printf '{"name": "%s", "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0,\n "content": {"email": {"subject": "s", "text": "t"}}}\n' "$1" >"$T/$1.json"
  "$ENCORE" campaign start "$T/$1.json" --at "$2" >/dev/null
  run_rc "$ENCORE" dispatch --once --json --set email.kind=file --set "email.path=$T/out.jsonl" --now "$(date -u -d "$2 UTC + 5 minutes" '+%Y-%m-%d %H:%M:%S')"
  check "$1 sent to everyone" "$(jget "$OUT" 'd["sent"]')" 400
}
one early "2026-04-01 09:00"
one late "2026-04-02 09:00"
printf 'order_id,customer_id,time,status,sku,qty,unit_price\n' >"$T/o2.csv"
for i in $(seq 0 9); do printf 'L%d,C%03d,2026-04-03 10:00:00,paid,P1,1,30.00\n' "$i" "$i" >>"$T/o2.csv"; done
"$ENCORE" import orders "$T/o2.csv" >/dev/null
conv() { jget "$OUT" '[g["converted"] for g in d["groups"] if g["kind"] == "treated"][0], d["attribution"], d["orders_to_other_campaigns"]'; }
run_rc "$ENCORE" campaign report late --json --at "2026-04-05"
check "last touch (default): the later campaign gets the 10 orders" "$(conv)" "10 last_touch 0"
run_rc "$ENCORE" campaign report early --json --at "2026-04-05"
check "  the earlier one none: they went to a later touch" "$(conv)" "0 last_touch 10"
run_rc "$ENCORE" campaign report early --at "2026-04-05"
check_match "  the text report says which rule" "$OUT" "attribution: last touch across campaigns .* 10 orders went to a later touch of another campaign"
run_rc "$ENCORE" campaign report early --json --at "2026-04-05" --attribution all
check "--attribution all: the old rule, every campaign whose window holds them" "$(conv)" "10 all 0"
run_rc "$ENCORE" campaign report early --attribution sometimes
check "--attribution with another value is a usage error" "$RC" 2
run_rc "$ENCORE" campaign show early --attribution all
check "--attribution belongs to report only" "$RC" 2
e2e_done
