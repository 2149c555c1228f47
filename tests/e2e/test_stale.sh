#!/usr/bin/env bash
# test_stale.sh — nothing stale is sent and the contact policy holds at send time (issue 11,
# part 2), with a test clock (`dispatch --now`, `campaign start --at`). Regressions:
# - after a dispatcher outage, January's cart reminders with coupons "until 2026-01-04" went
#   out in December: now they expire (reason deadline), as do messages whose coupon expired
#   (coupon_expired), counted by reason in `campaign show`;
# - two customers got three mails within minutes despite a 2-per-7-days cap: now the caps are
#   checked again against what was really sent; what no longer fits waits within its deadline,
#   or expires (frequency_cap); quiet hours likewise;
# - stopping a campaign left its unsent coupons redeemable and `campaign show` still said
#   "messaged 369": now they are revoked (an order using one is not redeemed) and show separates
#   planned, sent and cancelled.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
trap e2e_cleanup EXIT

printf 'customer_id,email,name,timezone\nA1,ann@example.com,Ann,UTC\nB2,bob@example.com,Bob,UTC\n' >"$T/customers.csv"
printf 'customer_id,channel,purpose,status,time\nA1,email,marketing,granted,2025-01-01\nB2,email,marketing,granted,2025-01-01\n' >"$T/consents.csv"
"$ENCORE" import customers "$T/customers.csv" >/dev/null && "$ENCORE" import consents "$T/consents.csv" >/dev/null
printf '{"quiet_hours": null, "caps": [{"channel": "all", "max": 2, "window": "7d"}], "unsubscribe_url": "https://t.shop.example"}\n' >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json"; check "policy: 2 messages per 7 days" "$RC" 0
DISPATCH=("$ENCORE" dispatch --once --json --set email.kind=file --set "email.path=$T/sent.jsonl")

campaign() { # NAME AT [EXTRA JSON]: a one-off email with a coupon to both customers
  cat >"$T/$1.json" <<JSON
{"name": "$1", "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0 ${3:-},
 "content": {"email": {"subject": "$1", "text": "Use {{coupon.code}} until {{coupon.expires}}"}}}
JSON
  run_rc "$ENCORE" campaign start "$T/$1.json" --at "$2" --json
  check "$1 started at $2: two messages" "$RC $(jget "$OUT" 'd["added"]')" "0 2"
}
sent_to() { grep -c "\"to\":\"$1\"" "$T/sent.jsonl" 2>/dev/null || echo 0; }

# --- the dispatcher outage: January's reminders, dispatched in December ---------------------------
campaign jan "2026-01-02 09:00" ', "offer": {"kind": "value", "amount": 5.00, "expires": "2026-01-04"}'
check "jan: the deadline is due + send_within (7 days)" "$(sql "SELECT DISTINCT deadline - due_at FROM messages WHERE campaign = 'jan'")" 604800
run_rc "${DISPATCH[@]}" --now "2026-12-01 10:00"
check "dispatched in December: nothing sent, both expired" "$(jget "$OUT" 'd["sent"], d["expired"]')" "0 2"
check "  reason deadline, never retried" "$(sql "SELECT state, last_error, attempts FROM messages WHERE campaign = 'jan' GROUP BY 1, 2, 3")" "expired|deadline|0"
run_rc "$ENCORE" campaign show jan --json
check "campaign show counts them by reason" "$(jget "$OUT" 'd["outbox"]["expired"], d["expired"]')" "2 {'deadline': 2}"
run_rc "$ENCORE" campaign show jan
check_match "  also in text" "$OUT" "expired by reason: deadline 2"
run_rc "$ENCORE" campaign report jan --json --at "2026-12-02"
check "campaign report counts them by reason" "$(jget "$OUT" 'd["expired"]')" "{'deadline': 2}"
run_rc "$ENCORE" campaign report jan --at "2026-12-02"
check_match "  in text too" "$OUT" "expired, never sent: deadline 2"
run_rc "$ENCORE" outbox retry --state expired
check "expired messages cannot be queued again" "$RC" 2

# --- a coupon that expired before the deadline -------------------------------------------------------
campaign feb "2026-02-01 09:00" ', "send_within": "30d", "offer": {"kind": "value", "amount": 5.00, "expires": "2026-02-03"}'
run_rc "${DISPATCH[@]}" --now "2026-02-05 10:00"
check "within send_within but past the coupon's expiry: expired" "$(jget "$OUT" 'd["sent"], d["expired"]')" "0 2"
check "  reason coupon_expired" "$(sql "SELECT DISTINCT last_error FROM messages WHERE campaign = 'feb'")" coupon_expired

# --- caps at send time, after an outage --------------------------------------------------------------
campaign c1 "2026-03-01 09:00" ', "send_within": "30d"'
campaign c2 "2026-03-09 09:00" ', "send_within": "30d"'
campaign c3 "2026-03-17 09:00" ', "send_within": "2d"'
campaign c4 "2026-03-17 09:00" ', "send_within": "10d"'
: >"$T/sent.jsonl"
run_rc "${DISPATCH[@]}" --now "2026-03-18 10:00"
check "outage over: two per customer sent, the rest held" "$(jget "$OUT" 'd["sent"], d["expired"], d["deferred"]')" "4 2 2"
check "  Ann got 2 mails, not 4" "$(sent_to ann@example.com)" 2
check "  Bob got 2 mails, not 4" "$(sent_to bob@example.com)" 2
check "  c3 could not wait past its deadline: expired (frequency_cap)" "$(sql "SELECT DISTINCT state, last_error FROM messages WHERE campaign = 'c3'")" "expired|frequency_cap"
check "  c4 waits until the first mail leaves the 7-day window" \
  "$(sql "SELECT DISTINCT state, datetime(next_attempt_at, 'unixepoch') FROM messages WHERE campaign = 'c4'")" "queued|2026-03-25 10:00:00"
run_rc "${DISPATCH[@]}" --now "2026-03-20 10:00"
check "before then nothing more is sent" "$(jget "$OUT" 'd["sent"]')" 0
run_rc "${DISPATCH[@]}" --now "2026-03-25 10:00:05"
check "after the window: c4 sent" "$(jget "$OUT" 'd["sent"]')" 2
check "  c4 sent" "$(sql "SELECT DISTINCT state FROM messages WHERE campaign = 'c4'")" sent

# --- quiet hours at send time -------------------------------------------------------------------------
printf '{"quiet_hours": {"start": "21:00", "end": "08:00"}, "caps": [], "unsubscribe_url": "https://t.shop.example"}\n' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null
campaign q1 "2026-04-01 12:00" ', "send_within": "2d"'
run_rc "${DISPATCH[@]}" --now "2026-04-01 23:00"
check "at 23:00 (quiet hours) nothing is sent, both wait" "$(jget "$OUT" 'd["sent"], d["deferred"]')" "0 2"
check "  until 08:00 their time" "$(sql "SELECT DISTINCT datetime(next_attempt_at, 'unixepoch') FROM messages WHERE campaign = 'q1'")" "2026-04-02 08:00:00"
run_rc "${DISPATCH[@]}" --now "2026-04-02 08:00:01"
check "  sent at 08:00" "$(jget "$OUT" 'd["sent"]')" 2

# --- a paused campaign's messages wait; a stopped one's claimed ones expire ----------------------
campaign p1 "2026-05-01 12:00" ', "send_within": "1d"'
"$ENCORE" campaign pause p1 >/dev/null
run_rc "${DISPATCH[@]}" --now "2026-05-01 12:30"
check "a paused campaign's messages are not sent" "$(jget "$OUT" 'd["sent"], d["deferred"]')" "0 2"
run_rc "${DISPATCH[@]}" --now "2026-05-03 12:30"
check "  and expire once past their deadline" "$(jget "$OUT" 'd["sent"], d["expired"]')" "0 2"
# --- stopping a campaign revokes its unsent coupons -------------------------------------------------
campaign stopme "2026-06-10 09:00" ', "send_within": "30d", "offer": {"kind": "value", "amount": 5.00, "expires": "2026-12-31"}'
# Ann's message goes out before the stop; Bob's is still queued (his was due later)
$PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(\"UPDATE messages SET next_attempt_at = next_attempt_at + 86400 WHERE campaign = 'stopme' AND address = 'bob@example.com'\"); db.commit()" "$ENCORE_DB"
run_rc "${DISPATCH[@]}" --now "2026-06-10 09:30"
check "one of the two sent before the stop" "$(jget "$OUT" 'd["sent"]')" 1
run_rc "$ENCORE" campaign stop stopme --json
check "stop: the queued message cancelled, its coupon revoked" "$(jget "$OUT" 'd["cancelled"], d["coupons_revoked"]')" "1 1"
run_rc "$ENCORE" campaign show stopme --json
check "campaign show separates planned, sent, cancelled and the coupons" \
  "$(jget "$OUT" 'd["messages"], d["sent"], d["outbox"]["cancelled"], d["coupons_issued"], d["coupons_sent"], d["coupons_revoked"]')" "2 1 1 2 1 1"
run_rc "$ENCORE" campaign show stopme
check_match "  in text too" "$OUT" "messages planned 2, sent 1, cancelled 1, expired 0"
# orders using each coupon: the sent one is redeemed, the revoked one is not
read -r SENT_CODE SENT_CUST < <(sql "SELECT k.code, c.external_id FROM coupons k JOIN customers c ON c.id = k.customer_id WHERE k.campaign = 'stopme' AND k.revoked_at IS NULL" | tr '|' ' ')
read -r REV_CODE REV_CUST < <(sql "SELECT k.code, c.external_id FROM coupons k JOIN customers c ON c.id = k.customer_id WHERE k.campaign = 'stopme' AND k.revoked_at IS NOT NULL" | tr '|' ' ')
printf 'order_id,customer_id,time,status,coupon,sku,qty,unit_price\nO1,%s,2026-06-11 10:00:00,paid,%s,P1,1,38.90\nO2,%s,2026-06-11 11:00:00,paid,%s,P1,1,38.90\n' \
  "$SENT_CUST" "$SENT_CODE" "$REV_CUST" "$REV_CODE" >"$T/orders.csv"
run_rc "$ENCORE" import orders "$T/orders.csv" --json
check "an order with a revoked coupon is not redeemed; the sent one is" "$(jget "$OUT" 'd["coupons_redeemed"]')" 1
check "  the revoked coupon stays unredeemed" "$(sql "SELECT redeemed_order IS NULL FROM coupons WHERE code = '$REV_CODE'")" 1

e2e_done
