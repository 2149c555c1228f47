#!/usr/bin/env bash
# test_retry_after.sh — a webhook provider answering 429 with Retry-After (in seconds, and as
# an HTTP-date) gets its next try no earlier than it asked, and the channel's other messages
# wait with it; both are then delivered. Against tests/peers/webhook_sink.py, which answers
# 429 to the first request of keys starting with "ra-" and records each request's time.
. "$(dirname "$0")/lib.sh"

T=$E2E_TMP
trap e2e_cleanup EXIT

$PY "$PEERS/webhook_sink.py" --port-file "$T/a.port" --retry-after 2 & E2E_PIDS="$E2E_PIDS $!"
$PY "$PEERS/webhook_sink.py" --port-file "$T/b.port" --retry-after date+3 & E2E_PIDS="$E2E_PIDS $!"
wait_port "$T/a.port" && wait_port "$T/b.port" || not_ok "sinks started"
A=$(cat "$T/a.port"); B=$(cat "$T/b.port")

cat >"$T/delivery.json" <<JSON
{"dispatch": {"batch": 1, "max_attempts": 4, "backoff_base": 1, "backoff_cap": 1, "poll": 0.1},
 "channels": {"secs": {"kind": "webhook", "url": "http://127.0.0.1:$A/"},
              "date": {"kind": "webhook", "url": "http://127.0.0.1:$B/"}}}
JSON
# the 429 is first (priority 9); the other message of each channel comes after it
cat >"$T/m.jsonl" <<JSON
{"idempotency_key": "ra-s", "channel": "secs", "address": "a", "priority": 9}
{"idempotency_key": "n-s", "channel": "secs", "address": "b", "priority": 1}
{"idempotency_key": "ra-d", "channel": "date", "address": "c", "priority": 9}
{"idempotency_key": "n-d", "channel": "date", "address": "d", "priority": 1}
JSON
run_rc "$ENCORE" outbox enqueue "$T/m.jsonl"
check "four messages enqueued" "$RC" 0

"$ENCORE" dispatch --config "$T/delivery.json" >"$T/dispatch.out" 2>&1 & DPID=$!; E2E_PIDS="$E2E_PIDS $DPID"
for _ in $(seq 150); do
  [ "$(sql "SELECT count(*) FROM messages WHERE state = 'sent'")" = 4 ] && break
  sleep 0.1
done
kill -TERM $DPID; wait $DPID; RC=$?
check "dispatcher stops cleanly on SIGTERM" "$RC" 0
check "all four delivered in the end" "$(sql "SELECT idempotency_key, state, attempts FROM messages ORDER BY id" | tr '\n' ' ')" \
  "ra-s|sent|2 n-s|sent|1 ra-d|sent|2 n-d|sent|1 "

TA=$(curl -s "http://127.0.0.1:$A/times"); TB=$(curl -s "http://127.0.0.1:$B/times")
check "seconds: the retry came at least 2 s after the 429" \
  "$(jget "$TA" 'len(d["ra-s"]) == 2 and d["ra-s"][1] - d["ra-s"][0] >= 2')" True
check "seconds: the channel's other message waited too" \
  "$(jget "$TA" 'd["n-s"][0] - d["ra-s"][0] >= 2')" True
check "HTTP-date: the retry came no earlier than the date given" \
  "$(jget "$TB" 'len(d["ra-d"]) == 2 and d["ra-d"][1] >= __import__("math").floor(d["ra-d"][0] + 3)')" True
check "HTTP-date: the channel's other message waited too" \
  "$(jget "$TB" 'd["n-d"][0] >= __import__("math").floor(d["ra-d"][0] + 3)')" True
e2e_done
