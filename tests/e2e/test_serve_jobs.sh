#!/usr/bin/env bash
# test_serve_jobs.sh — the jobs inside `encore serve` and the inbox read API, with the real
# binary: a started campaign's messages reach the file channel, a local webhook sink and the
# in-site inbox through the server's dispatcher; the scheduler job redeems a coupon of an order
# imported while the server runs; a failing job (another dispatcher holds the store's lock) is
# logged, counted on /healthz and retried until it works, and the server lives on; an app
# reads the inbox over HTTP (pages, unread, marking read, every refusal with its reason);
# SIGTERM in the middle of a rate-limited send stops at once with no message left `sending`.
. "$(dirname "$0")/lib.sh"

T=$E2E_TMP
trap e2e_cleanup EXIT
export ENCORE_WRITE_KEY="jobs-write-key-0123456789"
unset ENCORE_DELIVERY_CONFIG ENCORE_SECRET ENCORE_LISTEN

# --- usage ---------------------------------------------------------------------------------
run_rc "$ENCORE" serve --help
check_match "serve --help lists the job options" "$OUT" "--tick-every SECS.*--dispatch-every SECS"
run_rc "$ENCORE" serve --tick-every 0.01
check "serve: --tick-every below 0.05 s is a usage error" "$RC" 2
check_match "  and says why" "$ERR" "^encore: serve: --tick-every: '0.01' is not 0 or 0.05 to 86400 seconds"
run_rc "$ENCORE" serve --dispatch-every soon
check "serve: --dispatch-every must be a number" "$RC" 2

# --- a shop, a campaign, the channels ---------------------------------------------------------
run_rc "$ENCORE" demo --customers 400 --out "$T/shop"
check "demo shop" "$RC" 0
printf '{"quiet_hours": null, "caps": [{"channel": "all", "max": 10, "window": "1d"}]}' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null
cat >"$T/camp.json" <<'JSON'
{"name": "jobs-test", "trigger": {"type": "once"}, "channels": ["inapp", "email", "sms"],
 "offer": {"kind": "value", "amount": 5.00, "expires": "30d", "prefix": "JOB"},
 "content": {"inapp": {"title": "For you", "text": "Hello {{customer.first_name}}, {{coupon.code}}"},
             "email": {"subject": "Hello", "text": "Use {{coupon.code}}"},
             "sms": {"text": "Code {{coupon.code}}"}}}
JSON
run_rc "$ENCORE" campaign start "$T/camp.json" --json
check "campaign started" "$RC" 0
N=$(sql "SELECT count(*) FROM messages WHERE state = 'queued'")
NI=$(sql "SELECT count(*) FROM messages WHERE channel = 'inapp'")
NE=$(sql "SELECT count(*) FROM messages WHERE channel = 'email'")
NS=$(sql "SELECT count(*) FROM messages WHERE channel = 'sms'")
echo "# $N messages queued: $NI inapp, $NE email, $NS sms"
check "messages on all three channels" "$([ "$NI" -gt 20 ] && [ "$NE" -gt 20 ] && [ "$NS" -gt 5 ] && echo yes)" yes

$PY "$PEERS/webhook_sink.py" --port-file "$T/hook.port" & E2E_PIDS="$E2E_PIDS $!"
wait_port "$T/hook.port" || not_ok "webhook sink started"
HOOK=$(cat "$T/hook.port")
cat >"$T/delivery.json" <<JSON
{"dispatch": {"batch": 50, "backoff_base": 1, "backoff_cap": 2},
 "channels": {"inapp": {"kind": "inbox"},
              "email": {"kind": "file", "path": "$T/email.jsonl"},
              "sms":   {"kind": "webhook", "url": "http://127.0.0.1:$HOOK/sms", "shape": "sms"}}}
JSON

# another dispatcher holds the store's lock: the server's dispatch job fails until it is gone
"$ENCORE" dispatch --config "$T/delivery.json" --set sms.rate=0.001 --set inapp.kind=inbox \
  --set email.rate=0.001 --set inapp.rate=0.001 >/dev/null 2>&1 & OTHER=$!; E2E_PIDS="$E2E_PIDS $OTHER"
for _ in $(seq 50); do [ -s "$ENCORE_DB.dispatch-lock" ] && break; sleep 0.05; done
sleep 0.3

"$ENCORE" serve --listen 127.0.0.1:0 --config "$T/delivery.json" --tick-every 0.5 \
  --dispatch-every 0.2 --json >"$T/serve.out" 2>"$T/serve.err" & SRV=$!; E2E_PIDS="$E2E_PIDS $SRV"
PORT=$(serve_port "$T/serve.err")
[ -n "$PORT" ] || { not_ok "server started" "$(cat "$T/serve.err")"; e2e_done; exit 1; }
B="http://127.0.0.1:$PORT"
check_match "the server names its jobs" "$(cat "$T/serve.err")" "jobs: tick dispatch"
sleep 1
H=$(curl -s "$B/healthz")
check "healthz: the dispatch job has failed and keeps running" \
  "$(jget "$H" '[(j["name"], j["runs"] >= 2, j["failures"] == j["runs"]) for j in d["jobs"] if j["name"] == "dispatch"]')" \
  "[('dispatch', True, True)]"
check_match "healthz: the failure's reason" "$(jget "$H" '[j.get("last_error") for j in d["jobs"] if j["name"] == "dispatch"][0]')" \
  "another dispatcher is running on this store"
check "healthz: the tick job runs without failures" \
  "$(jget "$H" '[(j["runs"] >= 1, j["failures"]) for j in d["jobs"] if j["name"] == "tick"]')" "[(True, 0)]"
check_match "the failure is in the server's log" "$(cat "$T/serve.err")" "job dispatch: another dispatcher is running"
kill -TERM $OTHER; wait $OTHER 2>/dev/null

# now the job gets the lock and sends everything
if wait_for "SELECT count(*) FROM messages WHERE state = 'sent'" "$N" 300; then ok "every message sent by the server's dispatcher"
else not_ok "every message sent by the server's dispatcher" "$(sql "SELECT state, count(*) FROM messages GROUP BY state")"; fi
check "the file channel has the email messages" "$(wc -l <"$T/email.jsonl")" "$NE"
check "the webhook sink has the sms messages" "$(jget "$(curl -s "http://127.0.0.1:$HOOK/stats")" 'd["unique"]')" "$NS"
check "the inbox has the in-app messages" "$(sql "SELECT count(*) FROM inbox")" "$NI"
H=$(curl -s "$B/healthz")
check "healthz: the dispatch job ran after its failures" \
  "$(jget "$H" '[j["runs"] > j["failures"] for j in d["jobs"] if j["name"] == "dispatch"]')" "[True]"

# the scheduler job redeems a coupon of an order imported while the server runs
read -r CUST CODE <<<"$(sql "SELECT c.external_id || ' ' || k.code FROM coupons k JOIN customers c ON c.id = k.customer_id LIMIT 1")"
SKU=$(sql "SELECT sku FROM products LIMIT 1")
printf 'order_id,customer_id,time,status,coupon,discount,currency,sku,qty,unit_price\nJOB-1,%s,%s,paid,%s,5.00,USD,%s,1,50.00\n' \
  "$CUST" "$(date -u -d '+1 minute' '+%Y-%m-%d %H:%M:%S')" "$CODE" "$SKU" >"$T/order.csv"
run_rc "$ENCORE" import orders "$T/order.csv"
check "an order with the coupon imported beside the running server" "$RC" 0
if wait_for "SELECT count(*) FROM coupons WHERE redeemed_order IS NOT NULL" 1 50; then ok "the tick job redeemed the coupon"
else not_ok "the tick job redeemed the coupon" "$(cat "$T/serve.err" | tail -5)"; fi

# --- the inbox over HTTP ---------------------------------------------------------------------
IC=$(sql "SELECT c.external_id FROM inbox i JOIN customers c ON c.id = i.customer_id LIMIT 1")
IID=$(sql "SELECT i.id FROM inbox i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = '$IC'")
req() { # METHOD PATH [curl args]: CODE, BODY
  local m=$1 p=$2; shift 2
  CODE=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$B$p"); BODY=$(cat "$T/body")
}
err_is() { # NAME STATUS ERROR-REGEX FIELD
  check "$1: status" "$CODE" "$2"
  check_match "$1: reason" "$(jget "$BODY" 'd["error"]')" "$3"
  check "$1: field" "$(jget "$BODY" 'd.get("field")')" "$4"
}
req GET "/v1/inbox?customer=$IC" -u "$ENCORE_WRITE_KEY:"
check "inbox: 200" "$CODE" 200
check "inbox: the customer's message, unread, with its campaign and payload" \
  "$(jget "$BODY" '(d["customer"], d["unread"], len(d["messages"]), d["messages"][0]["id"], d["messages"][0]["campaign"], d["messages"][0]["title"], d["messages"][0]["read_at"], "JOB-" in d["messages"][0]["payload"]["coupon"], d["next_before"])')" \
  "('$IC', 1, 1, $IID, 'jobs-test', 'For you', None, True, None)"
req POST "/v1/inbox/$IID/read?customer=$IC" -u "$ENCORE_WRITE_KEY:"
check "mark read: 200" "$CODE" 200
check "mark read: ok with the time" "$(jget "$BODY" '(d["ok"], d["id"], d["read_at"].endswith("Z"), "already" in d)')" "(True, $IID, True, False)"
FIRST=$(jget "$BODY" 'd["read_at"]')
req POST "/v1/inbox/$IID/read" -u "$ENCORE_WRITE_KEY:"
check "mark read again: the first read's time, already" "$(jget "$BODY" '(d["read_at"] == "'"$FIRST"'", d["already"])')" "(True, True)"
req GET "/v1/inbox?customer=$IC&unread=1" -u "$ENCORE_WRITE_KEY:"
check "inbox: nothing unread now" "$(jget "$BODY" '(d["unread"], d["messages"])')" "(0, [])"
check "the read is stored" "$(sql "SELECT read_at IS NOT NULL FROM inbox WHERE id = $IID")" 1

req GET "/v1/inbox?customer=$IC" -u wrong:;                     err_is "inbox: wrong key" 401 "missing or wrong write key" authorization
req GET "/v1/inbox" -u "$ENCORE_WRITE_KEY:";                    err_is "inbox: no customer" 400 "^missing" customer
req GET "/v1/inbox?customer=NOBODY" -u "$ENCORE_WRITE_KEY:";    err_is "inbox: unknown customer" 404 "^no such customer$" customer
req GET "/v1/inbox?customer=$IC&limit=500" -u "$ENCORE_WRITE_KEY:"; err_is "inbox: limit too large" 400 "from 1 to 100" limit
req GET "/v1/inbox?customer=$IC&before=-3" -u "$ENCORE_WRITE_KEY:"; err_is "inbox: bad before" 400 "message id" before
req GET "/v1/inbox?customer=$IC&unread=maybe" -u "$ENCORE_WRITE_KEY:"; err_is "inbox: bad unread" 400 "1, 0, true or false" unread
req GET "/v1/inbox?customer=$IC&page=2" -u "$ENCORE_WRITE_KEY:"; err_is "inbox: unknown parameter" 400 "unknown parameter 'page'" page
req POST "/v1/inbox?customer=$IC" -u "$ENCORE_WRITE_KEY:";      err_is "inbox: POST to the list" 405 "method not allowed" method
req GET "/v1/inbox/$IID/read" -u "$ENCORE_WRITE_KEY:";          err_is "mark read: GET" 405 "method not allowed" method
req POST "/v1/inbox/abc/read" -u "$ENCORE_WRITE_KEY:";          err_is "mark read: bad id" 400 "positive whole number" id
req POST "/v1/inbox/999999/read" -u "$ENCORE_WRITE_KEY:";       err_is "mark read: unknown id" 404 "^no such inbox message$" id
OTHER_C=$(sql "SELECT external_id FROM customers WHERE external_id != '$IC' AND merged_into IS NULL LIMIT 1")
req POST "/v1/inbox/$IID/read?customer=$OTHER_C" -u "$ENCORE_WRITE_KEY:"
err_is "mark read: someone else's message" 404 "for this customer" id

# --- SIGTERM in the middle of a send --------------------------------------------------------
$PY - "$T/many.jsonl" <<'PYEOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(3000):
        f.write(json.dumps({"idempotency_key": "bulk-%d" % i, "channel": "sms", "address": "+1555%07d" % i}) + "\n")
PYEOF
"$ENCORE" outbox rate sms 300 >/dev/null
run_rc "$ENCORE" outbox enqueue "$T/many.jsonl"
sleep 1.5
kill -TERM $SRV; T0=$(date +%s.%N); wait $SRV; RC=$?; T1=$(date +%s.%N)
check "serve exits 0 on SIGTERM mid-send" "$RC" 0
check "  promptly (under 3 s)" "$($PY -c "print($T1 - $T0 < 3)")" True
check "no message left sending" "$(sql "SELECT count(*) FROM messages WHERE state = 'sending'")" 0
SENT=$(sql "SELECT count(*) FROM messages WHERE idempotency_key LIKE 'bulk-%' AND state = 'sent'")
echo "# $SENT of 3000 rate-limited messages sent before the stop"
check "the stop came in the middle (some sent, some queued)" "$([ "$SENT" -gt 0 ] && [ "$SENT" -lt 3000 ] && echo yes)" yes
check "every sent one reached the sink, once" "$(jget "$(curl -s "http://127.0.0.1:$HOOK/stats")" '(d["unique"], d["duplicates"])')" "($((NS + SENT)), 0)"
check "serve --json counts the job runs and inbox calls" \
  "$(jget "$(cat "$T/serve.out")" '(d["jobs_run"] > 5, d["jobs_failed"] >= 2, d["inbox_pages"], d["inbox_marked"])')" "(True, True, 2, 1)"
e2e_done
