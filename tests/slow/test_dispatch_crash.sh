#!/usr/bin/env bash
# test_dispatch_crash.sh — exactly-once in effect: 100,000 messages (10,000 under the sanitizer
# build) are enqueued for a webhook channel whose local provider (tests/peers/webhook_sink.py)
# deduplicates by Idempotency-Key; `encore dispatch --once` is killed with SIGKILL at random
# moments (at least 10 times) and restarted until it finishes. Checks: every message delivered
# once (0 lost), none delivered twice, the outbox says sent for all with the provider's own
# delivery id, and every request the provider had to deduplicate was for a message that was
# in `sending` when the dispatcher was killed (recovery re-sends only what was in flight).
# The slow tier (make test-slow, run by CI); tests/e2e/test_dispatch_crash.sh runs it small
# (CRASH_MESSAGES, CRASH_MIN_KILLS) in every `make test`.
. "$(dirname "$0")/../e2e/lib.sh"

PY=/usr/bin/python3
PEERS="$(cd "$(dirname "$0")/../peers" && pwd)"
T=$E2E_TMP
N=${CRASH_MESSAGES:-100000}
[ "${ENCORE_SANITIZED:-}" = "1" ] && N=${CRASH_MESSAGES_SANITIZED:-10000}
MIN_KILLS=${CRASH_MIN_KILLS:-10}

$PY "$PEERS/webhook_sink.py" --port-file "$T/port" --secret crash-secret &
SINK=$!
trap 'kill $SINK 2>/dev/null; wait $SINK 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port")
URL="http://127.0.0.1:$PORT/hook"

make_batch() { # make_batch N ROUND > FILE: N messages with keys of that round
  $PY - "$1" "$2" <<'PYEOF'
import json, sys
n, rnd = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    print(json.dumps({"campaign": "crash", "customer_id": i + 1, "channel": "hook",
                      "address": "+8613%09d" % i, "body_text": "message %d" % i,
                      "priority": i % 3, "idempotency_key": "crash:%d:hook:%d" % (i + 1, rnd)}))
PYEOF
}
make_batch "$N" 1 >"$T/m.jsonl"
TOTAL=$N; round=1
t0=$(date +%s.%N)
run_rc "$ENCORE" outbox enqueue "$T/m.jsonl" --json
t1=$(date +%s.%N)
check "enqueue $N messages" "$(jget "$OUT" 'd["added"]')" "$N"
echo "# enqueue: $N messages in $(echo "$t1 - $t0" | bc) s"
run_rc "$ENCORE" outbox enqueue "$T/m.jsonl" --json
check "enqueueing again adds nothing" "$(jget "$OUT" 'd["added"]')" "0"

DISPATCH=("$ENCORE" dispatch --once --json --set hook.kind=webhook --set "hook.url=$URL"
          --set hook.secret=crash-secret --set hook.concurrency=8 --batch 200)
inflight() { # keys in `sending` now, appended to inflight.txt; prints their number
  $PY - "$ENCORE_DB" "$T/inflight.txt" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
keys = [r[0] for r in db.execute("SELECT idempotency_key FROM messages WHERE state = 'sending'")]
with open(sys.argv[2], "a") as f:
    for k in keys: f.write(k + "\n")
print(len(keys))
PYEOF
}
: >"$T/inflight.txt"
kills=0; runs=0; finished=0; inflight_total=0
start=$(date +%s)
while [ $runs -lt 400 ]; do
  runs=$((runs + 1))
  "${DISPATCH[@]}" >"$T/run.json" 2>"$T/run.err" &
  pid=$!
  # kill points: mostly 0-3 s into a run (claims, sends, records); some at once (start-up
  # and recovery)
  if [ $((RANDOM % 5)) -eq 0 ]; then d="0.0$((RANDOM % 9 + 1))"; else d="$((RANDOM % 3)).$((RANDOM % 10))$((RANDOM % 10))"; fi
  [ "$d" = "0.00" ] && d=0.1
  sleep "$d"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    kills=$((kills + 1))
    n=$(inflight); inflight_total=$((inflight_total + n))
    continue
  fi
  wait "$pid"; rc=$?
  if [ $rc -ne 0 ]; then not_ok "dispatcher run $runs exits 0" "$(cat "$T/run.err")"; break; fi
  if [ $kills -lt $MIN_KILLS ]; then
    # finished before enough kills (a fast or a busy machine): queue a fresh batch and go on
    round=$((round + 1))
    make_batch "$N" "$round" >"$T/m$round.jsonl"
    "$ENCORE" outbox enqueue "$T/m$round.jsonl" >/dev/null
    TOTAL=$((TOTAL + N))
    continue
  fi
  finished=1; break
done
elapsed=$(( $(date +%s) - start ))
check "the dispatcher finished after the kills" "$finished" 1
check "killed at least $MIN_KILLS times" "$([ "$kills" -ge "$MIN_KILLS" ] && echo yes || echo "no: $kills")" yes

run_rc "$ENCORE" outbox --json
sent=$(jget "$OUT" 'd["total"]["sent"]')
other=$(jget "$OUT" 'sum(v for k, v in d["total"].items() if k != "sent")')
check "outbox: every message sent" "$sent" "$TOTAL"
check "outbox: nothing in another state" "$other" 0
stats=$(curl -s "http://127.0.0.1:$PORT/stats")
unique=$(jget "$stats" 'd["unique"]')
dups=$(jget "$stats" 'd["duplicates"]')
badsig=$(jget "$stats" 'd["bad_signature"]')
lost=$((TOTAL - unique))
check "provider: 0 lost (each key delivered)" "$lost" 0
check "provider: every signature valid" "$badsig" 0
refs=$($PY -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute(\"SELECT count(DISTINCT provider_ref) FROM messages WHERE provider_ref LIKE 'd%'\").fetchone()[0])" "$ENCORE_DB")
check "0 duplicated: $TOTAL messages hold $TOTAL distinct provider delivery ids" "$refs" "$TOTAL"
curl -s "http://127.0.0.1:$PORT/keys" >"$T/keys.json"
outside=$($PY -c "
import json, sys
rep = json.load(open(sys.argv[1]))['repeated']
inflight = set(open(sys.argv[2]).read().split())
print(sum(1 for k in rep if k not in inflight))" "$T/keys.json" "$T/inflight.txt")
check "re-sent only messages that were in flight at a kill" "$outside" 0
echo "# crash test: $TOTAL messages, $kills kills in $runs runs, ${elapsed}s; lost $lost," \
     "duplicated 0; $dups repeated requests deduplicated by the provider" \
     "(of $inflight_total messages in flight at the kills)"
e2e_done
