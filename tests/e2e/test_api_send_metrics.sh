#!/usr/bin/env bash
# test_api_send_metrics.sh — what the dispatcher sends, seen by operators and by the console:
# GET /metrics counts send attempts and failures per channel (encore_messages_sent_total,
# encore_send_failures_total by reason: temporary, exhausted, permanent), equal to the attempts
# the outbox recorded and accepted by promtool; GET /v1/settings/channels names the options the
# server's environment or --set flags set over the file (never their values); the in-app
# channel's test send writes one inbox message, marked as a test, to a customer id.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { not_ok "curl installed"; e2e_done; exit 1; }
. "$(dirname "$0")/api_lib.sh"
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL ENCORE_PASSWORD ENCORE_DELIVERY_CONFIG
for v in $(env | grep -o '^ENCORE_CHANNEL_[A-Z0-9_]*'); do unset "$v"; done
export ENCORE_WRITE_KEY="send-metrics-write-key-0123456789"
PEERS="$(cd "$(dirname "$0")/.." && pwd)/peers"
j() { jget "$@"; }
req() { CODE=$(curl -s -o "$E2E_TMP/body" -w '%{http_code}' -X "$1" "${@:3}" "$B$2"); BODY=$(cat "$E2E_TMP/body"); }

"$ENCORE" gen --out "$E2E_TMP/shop" --customers 20 >/dev/null
"$ENCORE" import customers "$E2E_TMP/shop/customers.csv" >/dev/null 2>&1
declare -A KEY
for r in owner marketer analyst; do KEY[$r]=$("$ENCORE" apikey create --role "$r" --name "t $r" 2>/dev/null); done
$PY "$PEERS/webhook_sink.py" --port-file "$E2E_TMP/hook.port" &
SINK=$!
wait_port "$E2E_TMP/hook.port" || not_ok "the webhook sink started"
HOOK=$(cat "$E2E_TMP/hook.port")
# a port nobody listens on: every try of the wechat channel fails (temporarily)
DEAD=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
DIR=$(cd "$(dirname "$ENCORE_DB")" && pwd)
CONF="$E2E_TMP/delivery.json"
cat >"$CONF" <<JSON
{"dispatch": {"max_attempts": 2, "backoff_base": 1, "backoff_cap": 1},
 "channels": {"sms": {"kind": "file", "path": "$DIR/sms.jsonl"},
              "push": {"kind": "webhook", "url": "http://127.0.0.1:$HOOK/push"},
              "wechat": {"kind": "webhook", "url": "http://127.0.0.1:$DEAD/wechat", "timeout": 2},
              "inapp": {"kind": "inbox"}}}
JSON
ENCORE_CHANNEL_PUSH_SECRET='env-S3cr3t-signing' api_serve --tick-every 0 --dispatch-every 0.2 \
  --config "$CONF" --set sms.rate=50 --set push.timeout=5

# --- sends and failures per channel -------------------------------------------------------------
msg() { printf '{"idempotency_key":"%s","channel":"%s","address":"%s","body_text":"hi"}\n' "$@"; }
{ msg s1 sms +8613800000001; msg s2 sms +8613800000002; msg ok-1 push tok-1; msg perm-1 push tok-2
  msg w1 wechat openid-1; } >"$E2E_TMP/m.jsonl"
"$ENCORE" outbox enqueue "$E2E_TMP/m.jsonl" >/dev/null
state() { sql "SELECT state FROM messages WHERE idempotency_key = '$1'"; }
for _ in $(seq 150); do
  [ "$(state s2) $(state ok-1) $(state perm-1) $(state w1)" = "sent sent failed dead" ] && break; sleep 0.1
done
check "the outbox: sent, sent, failed (400), dead (two tries, no answer)" \
  "$(state s1) $(state s2) $(state ok-1) $(state perm-1) $(state w1)" "sent sent sent failed dead"
req GET /metrics
printf '%s\n' "$BODY" >"$E2E_TMP/metrics.txt"
metric() { grep -F "$1 " "$E2E_TMP/metrics.txt" | awk '{print $2}'; }
sent_of() { metric "encore_messages_sent_total{channel=\"$1\"}"; }
fail_of() { metric "encore_send_failures_total{channel=\"$1\",reason=\"$2\"}"; }
check "sent_total per channel equals the attempts the outbox recorded" \
  "$(for c in inapp push sms wechat; do printf '%s|%s ' "$c" "$(sent_of $c)"; done)" \
  "$(sql "SELECT channel || '|' || SUM(attempts) FROM (SELECT channel, attempts FROM messages UNION ALL SELECT 'inapp', 0) GROUP BY channel ORDER BY channel" | tr '\n' ' ')"
check "sent_total: 2 sms, 2 push, 2 wechat tries, inapp configured but idle" \
  "$(sent_of sms) $(sent_of push) $(sent_of wechat) $(sent_of inapp)" "2 2 2 0"
check "failures: push's 400 is permanent" "$(fail_of push permanent) $(fail_of push temporary) $(fail_of push exhausted)" "1 0 0"
check "failures: wechat's first try temporary, its last exhausted" "$(fail_of wechat temporary) $(fail_of wechat exhausted) $(fail_of wechat permanent)" "1 1 0"
check "failures: none on sms" "$(fail_of sms temporary) $(fail_of sms exhausted) $(fail_of sms permanent)" "0 0 0"
check_match "metrics: both counters typed" "$(cat "$E2E_TMP/metrics.txt")" "# TYPE encore_messages_sent_total counter"
if command -v promtool >/dev/null; then
  out=$(promtool check metrics <"$E2E_TMP/metrics.txt" 2>&1); rc=$?
  check "metrics: promtool check metrics passes" "$rc $out" "0 "
elif [ "${CI:-}" = "true" ]; then not_ok "promtool installed (prometheus; scripts/install-deps --test)"
else E2E_SKIPPED=$((E2E_SKIPPED + 1)); echo "skip - promtool missing"; fi

# --- settings overridden by the environment or --set ------------------------------------------
as marketer GET /v1/settings/channels
chan() { j "$BODY" "(lambda c: $2)([c for c in d['channels'] if c['channel'] == '$1'][0])"; }
check "GET: push's secret overridden by the environment" "$CODE $(chan push 'c["overridden"]')" \
  "200 {'secret': 'environment', 'timeout': 'command line'}"
check "GET: sms's rate overridden on the command line" "$(chan sms 'c["overridden"]')" "{'rate': 'command line'}"
check "GET: the values in force are shown (sms rate 50, push timeout 5), the file's elsewhere" \
  "$(chan sms 'c["rate"]') $(chan push '"%s %s" % (c["options"]["timeout"], c["options"]["url"])')" "50 5 http://127.0.0.1:$HOOK/push"
check "GET: the file itself is left as it was" "$($PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["channels"]; print("rate" in c["sms"], "timeout" in c["push"])' "$CONF")" "False False"
check "GET: nothing overrides email or wechat" "$(chan email 'c["overridden"]') $(chan wechat 'c["overridden"]')" "{} {}"
check "GET: the secret set in the environment is never shown" "$(grep -c 'env-S3cr3t' <<<"$BODY")" 0
check "GET: nor is it written to the server's log" "$(grep -c 'env-S3cr3t' "$E2E_TMP/serve.err")" 0

# --- the in-app test send -----------------------------------------------------------------------
CUST=$(sed -n 2p "$E2E_TMP/shop/customers.csv" | cut -d, -f1)
test_send() { as "$1" POST /v1/settings/channels/inapp/test -H 'Content-Type: application/json' --data-binary "{\"address\":\"$2\"}"; }
BEFORE=$(sql "SELECT COUNT(*) FROM inbox")
test_send marketer "$CUST"
check "in-app test send to customer $CUST: sent through the inbox" "$CODE $(j "$BODY" 'd["result"], d["kind"]')" "200 sent inbox"
req GET "/v1/inbox?customer=$CUST" -u "$ENCORE_WRITE_KEY:"
check "the customer's inbox holds one message, marked as a test, from no campaign" \
  "$CODE $(j "$BODY" '[(m["payload"]["test"], m["title"], m["message_id"], m["campaign"]) for m in d["messages"]]')" \
  "200 [(True, 'Encore test message', None, None)]"
check "exactly one inbox row was written" "$(sql "SELECT COUNT(*) FROM inbox")" "$((BEFORE + 1))"
test_send marketer no-such-customer-42
check "an unknown customer id: 422 naming the address" "$CODE $(field)" "422 /address"
test_send marketer ''
check "an empty customer id: 422" "$CODE $(field)" "422 /address"
test_send analyst "$CUST"
check "analysts may not send tests" "$CODE" 403
check "the refused ones wrote nothing" "$(sql "SELECT COUNT(*) FROM inbox")" "$((BEFORE + 1))"
as owner GET "/v1/audit?action=channels.test&limit=5"
check "the test send is audited" "$(j "$BODY" '[(e["target"], e["detail"]) for e in d["items"]][:1]')" "[('inapp', 'sent')]"
kill "$SINK" 2>/dev/null
e2e_done
