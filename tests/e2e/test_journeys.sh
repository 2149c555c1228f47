#!/usr/bin/env bash
# test_journeys.sh — journeys (issue 19 item 1) on a test clock (`encore tick --now`) through the
# outbox: a cart journey (reminder; after 24 h: not opened -> SMS, bought shoes -> thanks 2 h
# later, opened and not bought -> a coupon, otherwise the end) where every path is taken by some
# customer, plus an exit (unsubscribed), an exclusion (no consent), re-entry after 7 days and
# max_entries, the holdout decided at entry, `campaign plan`'s paths, dispatch of every step
# message, and bad journey files each refused with the field.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
export ENCORE_SECRET=journeys-test-secret-0123456789abcdef

printf 'customer_id,email,phone,name,timezone\n' >"$T/customers.csv"
printf 'customer_id,channel,purpose,status,time\n' >"$T/consents.csv"
for c in A1 B2 C3 D4 E5 F6; do
  echo "$c,$c@example.com,+86138000000${c:1:1}0,Name$c,UTC" >>"$T/customers.csv"
  for ch in email sms; do
    # F6 gave no email consent: the reminder is excluded and the journey stops
    [ "$c$ch" = F6email ] || echo "$c,$ch,marketing,granted,2025-01-01" >>"$T/consents.csv"
  done
done
printf 'sku,name,category,price\nS1,Runner,Shoes/Running,80\nB1,Novel,Books,10\n' >"$T/products.csv"
printf 'time,type,customer_id,sku\n' >"$T/carts.csv"
for c in A1 B2 C3 D4 E5 F6; do echo "2026-03-01 10:00,cart_add,$c,S1" >>"$T/carts.csv"; done
for f in customers consents products; do "$ENCORE" import $f "$T/$f.csv" >/dev/null; done
"$ENCORE" import events "$T/carts.csv" >/dev/null
check "six customers" "$(sql "SELECT count(*) FROM customers")" 6
echo '{"quiet_hours": null, "caps": []}' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null

cat >"$T/cart.json" <<'JSON'
{"name": "cart-journey", "trigger": {"type": "event", "event": "cart_abandoned", "delay": "1h"},
 "exit": ["unsubscribed"], "holdout": 0, "channels": ["email", "sms"],
 "offer": {"kind": "percent", "amount": 10, "expires": "7d", "prefix": "CART"},
 "journey": {"max_entries": 2, "reentry_after": "7d", "steps": [
   {"name": "reminder", "delay": "0s", "channel": "email",
    "content": {"email": {"subject": "You left something", "text": "Come back {{customer.first_name}}"}},
    "wait": "24h",
    "branches": [
      {"name": "not_opened", "when": {"opened": false}, "next": "sms"},
      {"name": "bought_shoes", "when": {"bought_category": "Shoes"}, "next": "thanks"},
      {"name": "opened_not_bought", "when": {"opened": true, "bought": false}, "next": "coupon"}]},
   {"name": "sms", "delay": "0s", "channel": "sms",
    "content": {"sms": {"text": "Your cart waits. Reply STOP to opt out."}}},
   {"name": "coupon", "delay": "0s", "channel": "email", "offer": true,
    "content": {"email": {"subject": "{{coupon.value}} off your cart", "text": "Use {{coupon.code}}"}}},
   {"name": "thanks", "delay": "2h", "channel": "email",
    "content": {"email": {"subject": "Thanks", "text": "Enjoy your shoes"}}}]}}
JSON

# --- plan: the journey's steps and paths -----------------------------------------------------------
run_rc "$ENCORE" campaign plan "$T/cart.json" --at "2026-03-01 11:30" --json
check "plan: exit 0" "$RC" 0
check "plan: every path from the first step to an end" "$(jget "$OUT" '[" > ".join(p) for p in d["journey"]["paths"]]')" \
  "['reminder > not_opened > sms > end', 'reminder > bought_shoes > thanks > end', 'reminder > opened_not_bought > coupon > end', 'reminder > otherwise > end']"
check "plan: the steps with their channel, delay and branches" \
  "$(jget "$OUT" '[(s["name"], s["channel"], s["delay"], s.get("wait"), [b["name"] + ":" + b["next"] for b in s["branches"]]) for s in d["journey"]["steps"]]')" \
  "[('reminder', 'email', '0s', '1d', ['not_opened:sms', 'bought_shoes:thanks', 'opened_not_bought:coupon']), ('sms', 'sms', '0s', None, []), ('coupon', 'email', '0s', None, []), ('thanks', 'email', '2h', None, [])]"
check "plan: six enter, six reminders due, one without consent" \
  "$(jget "$OUT" 'd["journey_run"]["entered"], d["journey_run"]["steps_due"]["reminder"], d["eligible"], d["excluded"]["no_consent"]')" "6 6 5 1"
run_rc "$ENCORE" campaign plan "$T/cart.json" --at "2026-03-01 11:30"
check "plan (text): the paths, one a line" "$(grep -c '^    reminder > ' <<<"$OUT")" 4
check_match "plan (text): the steps" "$OUT" "thanks +email +after 2h"
check "plan writes nothing" "$(sql "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM journey_state)")" 0

# --- entry: the reminder goes through the outbox ----------------------------------------------------
run_rc "$ENCORE" campaign start "$T/cart.json" --at "2026-03-01 11:30" --json
check "start: five reminders queued" "$(jget "$OUT" 'd["added"]')" 5
check "journey state: five waiting on the reminder, F6 stopped (no consent)" \
  "$(sql "SELECT group_concat(c.external_id || ':' || j.status || ':' || j.path, ' ') FROM journey_state j JOIN customers c ON c.id = j.customer_id ORDER BY c.external_id")" \
  "A1:waiting:reminder B2:waiting:reminder C3:waiting:reminder D4:waiting:reminder E5:waiting:reminder F6:stopped:reminder>(no_consent)"
check "the entry's time and number are stored" \
  "$(sql "SELECT count(*) FROM journey_state WHERE entry_no = 1 AND entered_at = strftime('%s', '2026-03-01 11:00')")" 6
mid() { sql "SELECT m.id FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = '$1' AND m.idempotency_key LIKE '%/$2'"; }
run_rc "$ENCORE" dispatch --once --json --now "2026-03-01 11:31" --set email.kind=file --set "email.path=$T/email.jsonl" --set sms.kind=file --set "sms.path=$T/sms.jsonl"
check "dispatch sends the five reminders" "$(jget "$OUT" 'd["sent"]')" 5

# what they did in the 24 hours: B2 clicked (so opened), C3 opened then unsubscribed, D4 opened and
# bought shoes, E5 opened and bought a book; A1 opened another message (not this one: no open)
{
  echo "{\"time\": \"2026-03-01 12:00\", \"type\": \"message_click\", \"customer_id\": \"B2\", \"properties\": {\"message_id\": $(mid B2 reminder)}}"
  for c in C3 D4 E5; do echo "{\"time\": \"2026-03-01 12:00\", \"type\": \"message_open\", \"customer_id\": \"$c\", \"properties\": {\"message_id\": $(mid $c reminder)}}"; done
  echo "{\"time\": \"2026-03-01 12:00\", \"type\": \"message_open\", \"customer_id\": \"A1\", \"properties\": {\"message_id\": 9999}}"
  echo "{\"time\": \"2026-03-01 12:30\", \"type\": \"unsubscribe\", \"customer_id\": \"C3\"}"
} >"$T/signals.jsonl"
"$ENCORE" import events "$T/signals.jsonl" >/dev/null
printf 'order_id,customer_id,time,status,sku,qty,unit_price\nO1,D4,2026-03-01 13:00,paid,S1,1,80\nO2,E5,2026-03-01 13:00,paid,B1,1,10\n' >"$T/orders.csv"
"$ENCORE" import orders "$T/orders.csv" >/dev/null

run_rc "$ENCORE" tick --now "2026-03-02 11:00" --json
check "before the window ends nothing moves" "$(sql "SELECT count(*) FROM messages")" 5
run_rc "$ENCORE" tick --now "2026-03-02 11:31" --json
check "after the window: SMS to A1, coupons to B2 (C3 unsubscribed: exited), D4's thanks not due yet" \
  "$(sql "SELECT group_concat(c.external_id || ':' || substr(m.idempotency_key, instr(m.idempotency_key, '/') + 1), ' ') FROM messages m JOIN customers c ON c.id = m.customer_id WHERE m.idempotency_key NOT LIKE '%/reminder' ORDER BY c.external_id")" \
  "A1:sms B2:coupon"
check "the coupon step carries a coupon, the others none" \
  "$(sql "SELECT count(*), min(c.message_key LIKE '%/coupon') FROM coupons c")" "1|1"
run_rc "$ENCORE" tick --now "2026-03-02 13:29" --json
check "D4's thanks is not due 2 h minus a minute after the window" "$(sql "SELECT count(*) FROM messages WHERE idempotency_key LIKE '%/thanks'")" 0
run_rc "$ENCORE" tick --now "2026-03-02 13:30" --json
check "D4's thanks, 2 h after the window (the reminder went at 11:30, the window ended at 11:30 the next day)" \
  "$(sql "SELECT datetime(due_at, 'unixepoch') FROM messages WHERE idempotency_key LIKE '%/thanks'")" "2026-03-02 13:30:00"
run_rc "$ENCORE" tick --now "2026-03-02 14:00" --json
check "every path taken, with its status" \
  "$(sql "SELECT group_concat(c.external_id || ':' || j.status || ':' || j.path, ' ') FROM journey_state j JOIN customers c ON c.id = j.customer_id ORDER BY c.external_id")" \
  "A1:done:reminder>not_opened>sms B2:done:reminder>opened_not_bought>coupon C3:exited:reminder>opened_not_bought>coupon>(exited) D4:done:reminder>bought_shoes>thanks E5:done:reminder>otherwise F6:stopped:reminder>(no_consent)"
run_rc "$ENCORE" dispatch --once --json --now "2026-03-02 14:01" --set email.kind=file --set "email.path=$T/email.jsonl" --set sms.kind=file --set "sms.path=$T/sms.jsonl"
check "dispatch sends the step messages (SMS, coupon, thanks)" "$(jget "$OUT" 'd["sent"]')" 3
check "the SMS went out on the sms channel" "$(grep -c 'Your cart waits' "$T/sms.jsonl")" 1
run_rc "$ENCORE" tick --now "2026-03-02 15:00" --json
check "a rerun adds nothing" "$(sql "SELECT count(*) FROM messages")" 8

# --- the report's funnel per step and per branch ------------------------------------------------------
run_rc "$ENCORE" campaign report cart-journey --json
check "report: exit 0" "$RC" 0
check "report: entered and status counts" "$(jget "$OUT" 'd["journey"]["entered"], d["journey"]["status"]')" \
  "6 {'active': 0, 'waiting': 0, 'done': 4, 'exited': 1, 'holdout': 0, 'stopped': 1}"
check "report: per step reached, messages, sent, opened, clicked" \
  "$(jget "$OUT" '[(s["name"], s["reached"], s["messages"], s["sent"], s["opened"], s["clicked"]) for s in d["journey"]["steps"]]')" \
  "[('reminder', 6, 5, 5, 4, 1), ('sms', 1, 1, 1, 0, 0), ('coupon', 2, 1, 1, 0, 0), ('thanks', 1, 1, 1, 0, 0)]"
check "report: per branch taken" \
  "$(jget "$OUT" '[(b["step"], b["branch"], b["next"], b["taken"]) for b in d["journey"]["branches"]]')" \
  "[('reminder', 'not_opened', 'sms', 1), ('reminder', 'bought_shoes', 'thanks', 1), ('reminder', 'opened_not_bought', 'coupon', 2), ('reminder', 'otherwise', 'end', 1)]"
# the campaign's distinct customers are the report's audience; its members are membership rows,
# one per customer and step, so more (the console labels both, issue 14)
REP=$OUT
run_rc "$ENCORE" campaign show cart-journey --json
check "show: customers and holdout customers = the report's treated and holdout audience" \
  "$(jget "$OUT" '(d["customers"], d["holdout_customers"])')" \
  "$(jget "$REP" '(next(g["audience"] for g in d["groups"] if g["kind"] == "treated"), next((g["audience"] for g in d["groups"] if g["kind"] == "holdout"), 0))')"
check "show: members count a customer once per step's entry, customers once" \
  "$(jget "$OUT" '(d["members"], d["customers"], d["members"] > d["customers"])')" \
  "($(sql "SELECT count(*) || ', ' || count(DISTINCT customer_id) FROM campaign_members WHERE campaign = 'cart-journey'"), True)"
run_rc "$ENCORE" campaign report cart-journey
check_match "report (text): the funnel's steps and branches" "$OUT" "reminder +6 +5 +5 +4 +1.*reminder > opened_not_bought > coupon: 2"
run_rc "$ENCORE" campaign report cart-journey --json --at "2026-03-01 11:45"
check "report --at: as of the first day only the reminders" \
  "$(jget "$OUT" '[(s["name"], s["messages"]) for s in d["journey"]["steps"]]')" \
  "[('reminder', 5), ('sms', 0), ('coupon', 0), ('thanks', 0)]"

# --- re-entry after 7 days, at most 2 entries ---------------------------------------------------------
printf 'time,type,customer_id,sku\n2026-03-05 10:00,cart_add,A1,S1\n' >"$T/cart2.csv"
"$ENCORE" import events "$T/cart2.csv" >/dev/null
"$ENCORE" tick --now "2026-03-05 12:00" >/dev/null
check "a cart within 7 days of the entry does not enter again" "$(sql "SELECT count(*) FROM journey_state j JOIN customers c ON c.id = j.customer_id WHERE c.external_id = 'A1'")" 1
printf 'time,type,customer_id,sku\n2026-03-09 10:00,cart_add,A1,S1\n' >"$T/cart3.csv"
"$ENCORE" import events "$T/cart3.csv" >/dev/null
"$ENCORE" tick --now "2026-03-09 12:00" >/dev/null
check "after 7 days A1 enters a second time (entry 2, a new reminder)" \
  "$(sql "SELECT max(j.entry_no), count(*) FROM journey_state j JOIN customers c ON c.id = j.customer_id WHERE c.external_id = 'A1'")" "2|2"
check "  its reminder is queued" "$(sql "SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'A1' AND m.idempotency_key LIKE '%/reminder'")" 2
"$ENCORE" tick --now "2026-03-10 12:00" >/dev/null
printf 'time,type,customer_id,sku\n2026-03-20 10:00,cart_add,A1,S1\n' >"$T/cart4.csv"
"$ENCORE" import events "$T/cart4.csv" >/dev/null
"$ENCORE" tick --now "2026-03-20 12:00" >/dev/null
check "max_entries 2: no third entry" "$(sql "SELECT count(*) FROM journey_state j JOIN customers c ON c.id = j.customer_id WHERE c.external_id = 'A1'")" 2

# --- the holdout is decided at entry: held-out customers get no step, and stay held out ---------------
$PY - "$T/cart.json" "$T/held.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["name"] = "held-journey"; d["holdout"] = 0.5
json.dump(d, open(sys.argv[2], "w"))
PY
"$ENCORE" campaign start "$T/held.json" --at "2026-03-01 11:30" >/dev/null
"$ENCORE" tick --now "2026-03-02 14:00" >/dev/null
H=$(sql "SELECT count(*) FROM journey_state WHERE campaign = 'held-journey' AND status = 'holdout'")
check_match "some customers held out at entry" "$H" '^[1-5]$'
check "held-out customers: a holdout member for the entry step, no message at all" \
  "$(sql "SELECT count(*) FROM journey_state j WHERE campaign = 'held-journey' AND status = 'holdout' AND EXISTS(SELECT 1 FROM campaign_members m WHERE m.campaign = j.campaign AND m.customer_id = j.customer_id AND m.holdout = 1 AND m.occurrence LIKE '%/reminder') AND NOT EXISTS(SELECT 1 FROM messages m WHERE m.campaign = j.campaign AND m.customer_id = j.customer_id)")" "$H"
check "the others went on (a reminder each)" \
  "$(sql "SELECT count(*) FROM messages WHERE campaign = 'held-journey' AND idempotency_key LIKE '%/reminder'")" "$((5 - H + $(sql "SELECT count(*) FROM journey_state WHERE campaign = 'held-journey' AND status = 'holdout' AND customer_id = (SELECT id FROM customers WHERE external_id = 'F6')")))"

# --- bad journey files: each refused with the field -----------------------------------------------------
bad() { # NAME PYTHON-EDIT EXPECTED-MESSAGE-REGEX
  $PY - "$T/cart.json" "$T/bad-$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); j = d["journey"]; s = j["steps"]
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
  run_rc "$ENCORE" campaign plan "$T/bad-$1.json"
  check "bad $1: refused" "$RC" 1
  check_match "bad $1: the message names the field" "$ERR" "$3"
}
bad unknown-step 's[0]["branches"][0]["next"] = "smss"' "journey.steps\[0\].branches\[0\].next: unknown step 'smss'; did you mean 'sms'\?"
bad unknown-step-next 's[1]["next"] = "nowhere"' "journey.steps\[1\].next: unknown step 'nowhere'"
bad cycle 's[3]["next"] = "reminder"' "journey.steps: the steps make a cycle \(reminder > thanks > reminder\)"
bad self-loop 's[1]["next"] = "sms"' "journey.steps: the steps make a cycle \(sms > sms\)"
bad missing-delay 'del s[2]["delay"]' "journey.steps\[2\].delay: required"
bad bad-delay 's[2]["delay"] = "soon"' "journey.steps\[2\].delay: expected a duration"
bad missing-wait 'del s[0]["wait"]' "journey.steps\[0\].wait: required"
bad unknown-condition 's[0]["branches"][1]["when"] = {"opend": True}' "journey.steps\[0\].branches\[1\].when.opend: unknown key; did you mean 'opened'\?"
bad condition-type 's[0]["branches"][1]["when"] = {"opened": "yes"}' "journey.steps\[0\].branches\[1\].when.opened: expected true or false"
bad missing-branch-name 'del s[0]["branches"][2]["name"]' "journey.steps\[0\].branches\[2\].name: required"
bad duplicate-branch 's[0]["branches"][2]["name"] = "not_opened"' "journey.steps\[0\].branches\[2\].name: 'not_opened' names two branches"
bad duplicate-step 's[2]["name"] = "sms"' "journey.steps\[2\].name: 'sms' names two steps"
bad unreachable 's[0]["branches"][1]["next"] = "end"' "journey.steps\[3\]: no path reaches step 'thanks'"
bad channel-not-listed 'd["channels"] = ["email"]' "journey.steps\[1\].channel: 'sms' is not one of the campaign's"
bad content-other-channel 's[1]["content"]["email"] = {"subject": "x", "text": "y"}' "journey.steps\[1\].content.email: the step sends on sms only"
bad template-field 's[1]["content"]["sms"]["text"] = "{{customer.nmae}}"' "journey.steps\[1\].content.sms.text: unknown field 'customer.nmae'; did you mean 'customer.name'\?"
bad offer-without-offer 'del d["offer"]' "journey.steps\[2\].offer: true, but the campaign has no \"offer\""
bad content-beside 'd["content"] = {"email": {"subject": "x", "text": "y"}}' "content: a journey's steps carry its content"
bad step-key 's[0]["dealy"] = "1h"' "journey.steps\[0\].dealy: unknown key; did you mean 'delay'\?"
bad no-steps 'j["steps"] = []' "journey.steps: expected an array of 1 to 8 steps"
bad end-name 's[3]["name"] = "end"; s[0]["branches"][1]["next"] = "end"' "journey.steps\[3\].name: .*not \"end\""
bad offer-amounts 'd["offer"]["amount"] = [0, 5]' "offer.amount: 2 amounts for 4 steps \(one per step of the journey\)"
bad max-entries 'j["max_entries"] = 0' "journey.max_entries: 0 is not within"
e2e_done
