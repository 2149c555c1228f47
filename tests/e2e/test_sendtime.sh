#!/usr/bin/env bash
# test_sendtime.sh — "send_time": "optimal" end to end (issue 19 item 3) on a demo shop of 400
# customers: 40 of them get message opens and clicks at 10:00-10:59 UTC on many days; a once
# campaign planned on a fixed clock (Wednesday 2025-12-31 12:00 UTC) moves their messages to
# 10:00 UTC within 7 days whenever that hour is outside their quiet hours; checked from the raw
# outbox in Python: nobody in quiet hours, nothing before the campaign's time or more than 7
# days (or send_within) after it; plan's figures add up; a bad value is refused with its field.
. "$(dirname "$0")/lib.sh"

shop="$E2E_TMP/shop"
AT="2025-12-31 12:00"
demo_shop "$ENCORE_DB" "$shop" --customers 400
check "demo shop generated" "$RC" 0

ev="$E2E_TMP/opens.csv"
/usr/bin/python3 - "$ev" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("event_id,customer_id,time,type,sku,value,session,channel\n")
    n = 0
    for c in range(1, 41):
        for day in range(1, 29):  # December 2025, every day: a strong 10:00 UTC habit
            n += 1
            kind = "message_click" if day % 3 == 0 else "message_open"
            f.write(f"ST{n:06d},C{c:07d},2025-12-{day:02d} 10:{(c * 7 + day) % 60:02d}:00,{kind},,,,email\n")
PY
run_rc "$ENCORE" import events "$ev"
check "opens and clicks imported" "$RC" 0

camp() { # NAME SEND_TIME [SEND_WITHIN]
  printf '{"name": "%s", "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0,\n' "$1"
  printf ' "send_time": "%s", %s\n' "$2" "${3:+\"send_within\": \"$3\",}"
  printf ' "content": {"email": {"subject": "Hello", "text": "Hi {{customer.name}}"}}}\n'
}
camp st-opt optimal > "$E2E_TMP/opt.json"
run_rc "$ENCORE" campaign plan "$E2E_TMP/opt.json" --at "$AT" --json
check "plan: exit 0" "$RC" 0
PLAN=$OUT
echo "# send_time: $(jget "$PLAN" 'd["send_time"]')"
check "plan: send_time figures present" "$(jget "$PLAN" 'd["send_time"]["mode"]')" optimal
check "plan: the hours add up to the messages considered" \
  "$(jget "$PLAN" 'sum(d["send_time"]["hours"]) - d["send_time"]["considered"]')" 0
check "plan: the 40 customers with opens have history" \
  "$(jget "$PLAN" 'd["send_time"]["with_history"] >= 40')" True
check "plan: messages moved" "$(jget "$PLAN" 'd["send_time"]["moved"] > 0')" True

run_rc "$ENCORE" campaign start "$E2E_TMP/opt.json" --at "$AT" --json
check "start: exit 0" "$RC" 0

camp st-plain due > "$E2E_TMP/plain.json"
run_rc "$ENCORE" campaign plan "$E2E_TMP/plain.json" --at "$AT" --json
check "send_time due: no send_time figures" "$(jget "$OUT" '"send_time" in d')" False

res=$(/usr/bin/python3 - "$ENCORE_DB" <<'PY'
import sqlite3, sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
db = sqlite3.connect(sys.argv[1])
at = int(datetime(2025, 12, 31, 12, tzinfo=timezone.utc).timestamp())
tz = {cid: z for cid, z in db.execute("SELECT id, tz FROM customers")}
key = {cid: k for cid, k in db.execute("SELECT id, external_id FROM customers")}
rows = db.execute("SELECT customer_id, due_at FROM messages WHERE campaign = 'st-opt'").fetchall()
def local(c, t):
    return datetime.fromtimestamp(t, ZoneInfo(tz[c]) if tz.get(c) else timezone.utc)
quiet = sum(1 for c, t in rows if local(c, t).hour >= 21 or local(c, t).hour < 8)
early = sum(1 for c, t in rows if t < at)
late = sum(1 for c, t in rows if t > at + 7 * 86400)
habit = [(c, t) for c, t in rows if int(key[c][1:]) <= 40]
# 10:00 UTC is allowed for the customer when it is outside 21:00-08:00 local
def ten_ok(c):
    for d in range(8):
        t = at - at % 86400 + d * 86400 + 10 * 3600
        if t >= at and 8 <= local(c, t).hour < 21:
            return True
    return False
can = [(c, t) for c, t in habit if ten_ok(c)]
hit = sum(1 for c, t in can if datetime.fromtimestamp(t, timezone.utc).hour == 10)
print(len(rows), quiet, early, late, len(can), hit)
PY
)
read -r n quiet early late can hit <<<"$res"
echo "# outbox: $n messages; habit customers whose 10:00 UTC is allowed: $can, sent at 10:00 UTC: $hit"
check "outbox: messages written" "$([ "$n" -gt 100 ] && echo yes)" yes
check "outbox: none in quiet hours" "$quiet" 0
check "outbox: none before the campaign's time" "$early" 0
check "outbox: none more than 7 days later" "$late" 0
check "outbox: customers with the habit get 10:00 UTC where allowed" \
  "$([ "$can" -gt 5 ] && [ "$hit" -eq "$can" ] && echo yes)" yes

# send_within bounds the move: within 2 hours of the due time
camp st-soon optimal 2h > "$E2E_TMP/soon.json"
run_rc "$ENCORE" campaign start "$E2E_TMP/soon.json" --at "$AT" --json
check "send_within 2h: exit 0" "$RC" 0
soon=$(/usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*), max(due_at) - min(created_at) FROM messages WHERE campaign = ?", ("st-soon",)).fetchone()[1] <= 2 * 3600 + 3600)' "$ENCORE_DB")
check "send_within 2h: nothing moved past it" "$soon" True
dl=$(/usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM messages WHERE campaign = ? AND deadline > ?", ("st-soon", 1767182400 + 2 * 3600)).fetchone()[0])' "$ENCORE_DB")
check "send_within 2h: the outbox deadline counts from the due time, not the moved one" "$dl" 0

# bad input: a clear error naming the field; nothing planned
camp st-bad sometimes > "$E2E_TMP/bad.json"
run_rc "$ENCORE" campaign plan "$E2E_TMP/bad.json" --at "$AT" --json
check "send_time sometimes: refused (exit 1)" "$RC" 1
check_match "send_time sometimes: the file, the field and the values allowed" "$ERR" "bad.json: send_time: .*\"optimal\""
printf '{"name": "st-bad2", "trigger": {"type": "once"}, "channels": ["email"], "send_time": 7,\n "content": {"email": {"subject": "s", "text": "t"}}}' > "$E2E_TMP/bad2.json"
run_rc "$ENCORE" campaign plan "$E2E_TMP/bad2.json" --at "$AT" --json
check_match "send_time 7: refused with the field" "$ERR" 'send_time'
e2e_done
