#!/usr/bin/env bash
# test_retention.sh — retention periods per kind (issue 16, docs/privacy.md): `encore privacy
# retention` sets and shows them (bad values refused with exit 2, nothing changed); `encore
# privacy enforce --dry-run` counts and changes nothing; `enforce` deletes the events, empties the
# messages and feedback texts past their period — exactly the rows an independent count over the
# store names — keeps the rest and what is still to be sent, records it in the audit log, and a
# second run changes nothing.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
trap e2e_cleanup EXIT

demo_shop "$ENCORE_DB" "$T/shop" --customers 300
check "demo shop" "$RC" 0
printf '{"quiet_hours": null, "caps": []}' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null
printf '{"name": "hello", "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0.2,
 "content": {"email": {"subject": "Hello", "text": "Hello"}}}' >"$T/c.json"
"$ENCORE" campaign start "$T/c.json" >/dev/null 2>&1 || not_ok "campaign started"
NOW=$(date -u +%s)
# half of the outbox is "sent" a year ago, the rest stays queued
$PY - "$ENCORE_DB" >/dev/null <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.execute("UPDATE messages SET state = 'sent', sent_at = strftime('%s','now') - 400 * 86400, created_at = strftime('%s','now') - 400 * 86400 WHERE id % 2 = 0"); db.commit()
PY

run_rc "$ENCORE" privacy retention --json
check "nothing set: every kind kept" "$OUT" '{"retention_days":{"events":null,"messages":null,"feedback_text":null}}'
for bad in 0 -3 abc 36501 1.5 ""; do
  run_rc "$ENCORE" privacy retention --events "$bad"
  check "--events '$bad' refused with exit 2" "$RC" 2
done
check_match "and the error says what is allowed" "$ERR" "1 to 36500 days or off"
run_rc "$ENCORE" privacy retention --weeks 3
check "an unknown option: exit 2" "$RC" 2
run_rc "$ENCORE" privacy frobnicate
check "an unknown subcommand: exit 2" "$RC" 2
run_rc "$ENCORE" privacy retention --json
check "bad values changed nothing" "$OUT" '{"retention_days":{"events":null,"messages":null,"feedback_text":null}}'
run_rc "$ENCORE" privacy retention --events 365 --messages 180 --feedback-text 730 --json
check "set: the three periods" "$OUT" '{"retention_days":{"events":365,"messages":180,"feedback_text":730}}'
check "the change is audited" "$(sql "SELECT action, detail FROM audit WHERE action = 'retention.set'")" \
  "retention.set|events=365 messages=180 feedback_text=730"

# the expected counts, by an independent count over the store at the same instant
AT="2025-09-30"
AT_S=$($PY -c 'import calendar,time; print(calendar.timegm(time.strptime("2025-09-30","%Y-%m-%d")))')
EXP_EV=$(sql "SELECT count(*) FROM events WHERE ts < $AT_S - 365 * 86400")
EXP_FB=$(sql "SELECT count(*) FROM feedback WHERE ts < $AT_S - 730 * 86400 AND text IS NOT NULL")
EXP_MS_AT=$(sql "SELECT count(*) FROM messages WHERE created_at < $AT_S - 180 * 86400 AND state = 'sent'")
TOTAL_EV=$(sql "SELECT count(*) FROM events")
QUEUED=$(sql "SELECT count(*) FROM messages WHERE state = 'queued' AND address != ''")
check_match "the test has old events to delete and some to keep" "$EXP_EV $TOTAL_EV" '^[1-9][0-9]* [1-9][0-9]*$'

run_rc "$ENCORE" privacy enforce --now "$AT" --dry-run --json
check "dry run: what would go" "$(jget "$OUT" '[d["would_change"][k] for k in ("events", "messages", "feedback_text")]')" "[$EXP_EV, $EXP_MS_AT, $EXP_FB]"
check "dry run: nothing changed" "$(sql "SELECT count(*) FROM events")" "$TOTAL_EV"
run_rc "$ENCORE" privacy enforce --now "$AT" --json
check "enforce: exit 0" "$RC" 0
check "enforce: the counts" "$(jget "$OUT" '[d["changed"][k] for k in ("events", "messages", "feedback_text")]')" "[$EXP_EV, $EXP_MS_AT, $EXP_FB]"
check "events past the period are gone, the others kept" \
  "$(sql "SELECT count(*), sum(ts < $AT_S - 365 * 86400) FROM events")" "$((TOTAL_EV - EXP_EV))|0"
check "old feedback keeps its score, loses its text" \
  "$(sql "SELECT count(*) FROM feedback WHERE ts < $AT_S - 730 * 86400 AND text IS NOT NULL")" 0
# the messages: at the real clock the year-old sent ones go, the queued ones stay
EXP_MS=$(sql "SELECT count(*) FROM messages WHERE created_at < $(date -u +%s) - 180 * 86400 AND state = 'sent' AND address != ''")
check_match "the test has sent messages to empty" "$EXP_MS" '^[1-9][0-9]*$'
run_rc "$ENCORE" privacy enforce --json
check "enforce now: the sent messages of a year ago emptied" "$(jget "$OUT" 'd["changed"]["messages"]')" "$EXP_MS"
check "their rows stay, without address or contents" \
  "$(sql "SELECT count(*), sum(address = '' AND subject IS NULL AND body_text IS NULL) FROM messages WHERE state = 'sent'")" "$((EXP_MS + EXP_MS_AT))|$((EXP_MS + EXP_MS_AT))"
check "queued messages are untouched" "$(sql "SELECT count(*) FROM messages WHERE state = 'queued' AND address != ''")" "$QUEUED"
check "enforcement audited with its counts" \
  "$(sql "SELECT count(*) FROM audit WHERE action = 'retention.enforce'")" 2
check_match "the audit detail has the counts" "$(sql "SELECT detail FROM audit WHERE action = 'retention.enforce' ORDER BY id LIMIT 1")" "\"events\":$EXP_EV,"
run_rc "$ENCORE" privacy enforce --json
check "a second run changes nothing" "$(jget "$OUT" 'sum(d["changed"].values())')" 0
check "and adds no audit entry" "$(sql "SELECT count(*) FROM audit WHERE action = 'retention.enforce'")" 2
run_rc "$ENCORE" check
check "the store is sound" "$RC" 0
run_rc "$ENCORE" privacy retention --events off --json
check "off: kept again" "$(jget "$OUT" 'd["retention_days"]["events"]')" None
run_rc "$ENCORE" privacy enforce --now tomorrowish
check "a bad --now: exit 2" "$RC" 2
e2e_done
