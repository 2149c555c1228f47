#!/usr/bin/env bash
# test_loyalty_playbooks.sh — the loyalty playbooks through the outbox (issue 15): members whose
# points expire within 30 days get the points-expiring message with their own figures, members
# get the member-day message on the 8th, each with its holdout kept apart (no message), and a
# rerun adds nothing. The audience is the segment language's loyalty fields.
. "$(dirname "$0")/lib.sh"
DATA="$(cd "$(dirname "$0")/../data/loyalty" && pwd)"
N=60
{ echo "customer_id,name,email"; for i in $(seq $N); do echo "M$i,Member $i,m$i@example.com"; done; } >"$E2E_TMP/c.csv"
{ echo "customer_id,channel,status,time"; for i in $(seq $N); do echo "M$i,email,granted,2025-01-01"; done; } >"$E2E_TMP/k.csv"
"$ENCORE" import customers "$E2E_TMP/c.csv" >/dev/null
"$ENCORE" import consents "$E2E_TMP/k.csv" >/dev/null
"$ENCORE" loyalty programme "$DATA/programme.json" >/dev/null
now=$(date -u +%s)
# every member: 500 points 340 days ago (they expire 12 months on, within 30 days of now); the
# first 20 also 100 points today (not expiring)
for i in $(seq $N); do
  "$ENCORE" points adjust "M$i" --points 500 --reason opening --key "o$i" --now $((now - 340 * 86400)) >/dev/null
  [ "$i" -le 20 ] && "$ENCORE" points adjust "M$i" --points 100 --reason welcome --key "w$i" --now "$now" >/dev/null
done
run_rc "$ENCORE" audience count 'points_expiring_30d = 500' --json
check "all $N members have 500 points expiring within 30 days" "$(jget "$OUT" 'd["count"]')" "$N"

"$ENCORE" playbook show points-expiring >"$E2E_TMP/pe.json"
run_rc "$ENCORE" campaign start "$E2E_TMP/pe.json" --json
check "points-expiring: started" "$RC" 0
check "points-expiring: every member messaged or held out" "$(jget "$OUT" '(d["audience"], d["messages"] + d["holdout"])')" "($N, $N)"
check_match "points-expiring: a holdout is kept (10%)" "$(jget "$OUT" 'd["holdout"]')" '^[1-9][0-9]*$'
MSG=$(jget "$OUT" 'd["messages"]')
check "points-expiring: the messages are in the outbox" \
  "$(sql "SELECT count(*) FROM messages WHERE campaign = 'points-expiring' AND state = 'queued' AND channel = 'email'")" "$MSG"
check "  each with the member's own figures" \
  "$(sql "SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id WHERE m.campaign = 'points-expiring' AND m.subject = '500 of your points expire soon' AND m.body_text LIKE '%500 of your ' || CASE WHEN CAST(substr(c.external_id, 2) AS INTEGER) <= 20 THEN 600 ELSE 500 END || ' points expire within 30 days%'")" "$MSG"
check "  the holdout got nothing" \
  "$(sql "SELECT count(DISTINCT customer_id) FROM messages WHERE campaign = 'points-expiring'")" "$MSG"
run_rc "$ENCORE" campaign start "$E2E_TMP/pe.json" --json
check "points-expiring: a rerun adds nothing" "$(jget "$OUT" 'd["added"]')" 0

# member day: the next 8th of a month, 12:00 UTC (the trigger's 10:00 local has passed)
md=$(/usr/bin/python3 -c 'import datetime as t; d=t.date.today(); d=d.replace(day=8) if d.day < 8 else (d.replace(day=28) + t.timedelta(days=4)).replace(day=8); print(d)')
"$ENCORE" playbook show member-day >"$E2E_TMP/md.json"
run_rc "$ENCORE" campaign plan "$E2E_TMP/md.json" --at "${md}T12:00:00Z" --json
check "member-day: every member is in the audience on the 8th ($md)" "$(jget "$OUT" 'd["audience"]')" "$N"
check_match "member-day: the message says member day and the member's points" \
  "$(jget "$OUT" 'd["sample"][0]["subject"] + " / " + d["sample"][0]["text"]')" \
  "^Member day: double points today, Member / .*You are member with (500|600) points"
run_rc "$ENCORE" campaign start "$E2E_TMP/md.json" --at "${md}T12:00:00Z" --json
check "member-day: messages + holdout = members" "$(jget "$OUT" '(d["audience"], d["messages"] + d["holdout"], d["holdout"] > 0)')" "($N, $N, True)"
MD=$(jget "$OUT" 'd["messages"]')
check "member-day: in the outbox, keyed by the day" \
  "$(sql "SELECT count(*) FROM messages WHERE campaign = 'member-day' AND idempotency_key LIKE '%holiday:member day:$md%'")" "$MD"
run_rc "$ENCORE" campaign plan "$E2E_TMP/md.json" --at "${md}T12:00:00Z" --json
run_rc "$ENCORE" campaign start "$E2E_TMP/md.json" --at "${md}T12:00:00Z" --json
check "member-day: a rerun adds nothing" "$(jget "$OUT" 'd["added"]')" 0
# nobody here has 1,000 points, moved up a tier or has a drop date: empty audiences
for p in reward-ready tier-upgraded tier-drop-warning; do
  "$ENCORE" playbook show "$p" >"$E2E_TMP/$p.json"
  run_rc "$ENCORE" campaign plan "$E2E_TMP/$p.json" --json
  check "$p: plans, nobody qualifies" "$RC $(jget "$OUT" 'd["audience"]')" "0 0"
done
"$ENCORE" points adjust M1 --points 500 --reason bonus --key big1 >/dev/null
run_rc "$ENCORE" campaign plan "$E2E_TMP/reward-ready.json" --json
check "reward-ready: M1 with 1,100 points qualifies" "$(jget "$OUT" 'd["audience"]')" 1
e2e_done
