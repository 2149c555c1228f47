#!/usr/bin/env bash
# test_api_channels.sh — Settings -> Channels through real HTTP (issue 14): GET/PUT
# /v1/settings/channels write the delivery configuration file that `encore dispatch` and the
# server's dispatcher read (DB.delivery.json beside the store); secrets are write-only; bad
# settings are 422 naming the field and change nothing; roles; the test send goes through the
# real adapters (a file channel, SMTP to a local sink with AUTH); the server's dispatcher
# follows the file (a channel switched off sends nothing, quiet hours hold messages), and so
# does `encore dispatch` afterwards.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { not_ok "curl installed"; e2e_done; exit 1; }
. "$(dirname "$0")/api_lib.sh"
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL ENCORE_PASSWORD ENCORE_WRITE_KEY ENCORE_DELIVERY_CONFIG
PEERS="$(cd "$(dirname "$0")/.." && pwd)/peers"
j() { jget "$@"; }

"$ENCORE" gen --out "$E2E_TMP/shop" --customers 30 >/dev/null
"$ENCORE" import customers "$E2E_TMP/shop/customers.csv" >/dev/null 2>&1
declare -A KEY
for r in owner marketer analyst support; do KEY[$r]=$("$ENCORE" apikey create --role "$r" --name "t $r" 2>/dev/null); done
$PY "$PEERS/smtp_sink.py" --port-file "$E2E_TMP/smtp.port" --dir "$E2E_TMP/mail" --user shop --password 'pw-S3cr3t-smtp' &
SINK=$!
wait_port "$E2E_TMP/smtp.port" || not_ok "the SMTP sink started"
SMTP_PORT=$(cat "$E2E_TMP/smtp.port")
CONF="$ENCORE_DB.delivery.json"
DIR=$(cd "$(dirname "$ENCORE_DB")" && pwd)
api_serve --tick-every 0 --dispatch-every 0.2
put() { as "$1" PUT /v1/settings/channels -H 'Content-Type: application/json' --data-binary "$2"; }
chan() { j "$BODY" "(lambda c: $2)([c for c in d['channels'] if c['channel'] == '$1'][0])"; }

# --- reading -----------------------------------------------------------------------------------
as marketer GET /v1/settings/channels
check "GET: every channel, none configured yet" "$CODE $(j "$BODY" '[(c["channel"], c["configured"]) for c in d["channels"]]')" \
  "200 [('email', False), ('sms', False), ('push', False), ('wechat', False), ('inapp', False)]"
check "GET: the kinds each channel may use" "$(chan email 'c["kinds"]') / $(chan inapp 'c["kinds"]')" "smtp webhook file / inbox file"
as analyst GET /v1/settings/channels;  check "analysts may not read the channels" "$CODE" 403
as support GET /v1/settings/channels;  check "support may not read the channels" "$CODE" 403
put marketer '{"channels":{"sms":{"kind":"file","options":{"path":"sms.jsonl"}}}}'
check "marketers may not change them" "$CODE" 403
check "... and nothing was written" "$([ -e "$CONF" ] && echo exists || echo none)" none

# --- writing -----------------------------------------------------------------------------------
put owner "{\"channels\":{\"email\":{\"kind\":\"smtp\",\"sender\":\"优选商城 <news@shop.example>\",\"rate\":5,
  \"options\":{\"url\":\"smtp://127.0.0.1:$SMTP_PORT\",\"username\":\"shop\",\"unsubscribe_mailto\":\"unsub@shop.example\"},
  \"secrets\":{\"password\":\"pw-S3cr3t-smtp\"}},
  \"sms\":{\"kind\":\"file\",\"options\":{\"path\":\"sms.jsonl\"},\"rate\":2}}}"
check "owners set channels" "$CODE" 200
check "the answer: email enabled, its sender, its rate" "$(chan email '(c["enabled"], c["sender"], c["rate"])')" "(True, '优选商城 <news@shop.example>', 5)"
check "the password is shown as set, never as itself" "$(chan email 'c["secrets"]')" "{'password': 'set'}"
check "no answer holds the secret" "$(grep -c 'pw-S3cr3t' <<<"$BODY")" 0
check "a file channel's file is named, and lives beside the store" "$(chan sms 'c["options"]["path"]')" sms.jsonl
check "the delivery configuration file is written, 0600" "$(stat -c %a "$CONF")" 600
check "it holds what dispatch reads: kind, from, url, the password" \
  "$($PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["channels"]; e=c["email"]; print(e["kind"], e["from"], e["password"], c["sms"]["path"])' "$CONF")" \
  "smtp 优选商城 <news@shop.example> pw-S3cr3t-smtp $DIR/sms.jsonl"
as marketer GET /v1/settings/channels
check "GET after: configured, the secret still only 'set'" "$(chan email '" ".join(map(str, (c["configured"], c["secrets"]["password"])))') $(grep -c 'pw-S3cr3t' <<<"$BODY")" "True set 0"
put owner '{"channels":{"email":{"rate":10}}}'
check "a change keeps the secret and the options not named" \
  "$($PY -c 'import json,sys; e=json.load(open(sys.argv[1]))["channels"]["email"]; print(e["rate"], e["password"], e["from"])' "$CONF")" \
  "10 pw-S3cr3t-smtp 优选商城 <news@shop.example>"
as owner GET "/v1/audit?action=channels.update&limit=5"
check "the change is audited by option name, never with a value" \
  "$(j "$BODY" 'd["items"][1]["detail"]') $(grep -c 'pw-S3cr3t' <<<"$BODY")" "email.password email.settings sms.settings 0"

# --- bad settings: 422 naming the field, nothing changed ------------------------------------------
SUM=$(sha256sum "$CONF")
bad() { # NAME BODY FIELD
  put owner "$2"
  check "422: $1" "$CODE $(j "$BODY" 'd["errors"][0]["field"]')" "422 $3"
}
bad "an unknown channel" '{"channels":{"fax":{"kind":"file"}}}' /channels
bad "a kind the channel cannot use" '{"channels":{"email":{"kind":"inbox"}}}' /channels/email/kind
bad "no kind for a new channel" '{"channels":{"push":{"enabled":true}}}' /channels/push/kind
bad "a negative rate" '{"channels":{"email":{"rate":-1}}}' /channels/email/rate
bad "a rate that is text" '{"channels":{"email":{"rate":"fast"}}}' /channels/email/rate
bad "quiet hours past 23:59" '{"channels":{"email":{"quiet_hours":"25:00-08:00"}}}' /channels/email/quiet_hours
bad "quiet hours of no length" '{"channels":{"email":{"quiet_hours":"08:00-08:00"}}}' /channels/email/quiet_hours
bad "an unknown time zone" '{"channels":{"email":{"quiet_hours":"22:00-08:00","timezone":"Mars/Olympus"}}}' /channels/email/timezone
bad "a sender where the channel has none" '{"channels":{"push":{"kind":"file","sender":"X","options":{"path":"p.jsonl"}}}}' /channels/push/sender
bad "an email sender that is no address" '{"channels":{"email":{"sender":"nobody"}}}' /channels/email/sender
bad "an option the console does not set (TLS checks off)" '{"channels":{"email":{"options":{"insecure":true}}}}' /channels/email/options/insecure
bad "a file outside the store's directory" '{"channels":{"sms":{"options":{"path":"../../etc/cron.d/x"}}}}' /channels/sms/options/path
bad "a hidden file" '{"channels":{"sms":{"options":{"path":".bashrc"}}}}' /channels/sms/options/path
bad "a webhook URL that is not http(s)" '{"channels":{"push":{"kind":"webhook","options":{"url":"file:///etc/passwd"}}}}' /channels/push/options/url
bad "a webhook without its URL" '{"channels":{"wechat":{"kind":"webhook"}}}' /channels/wechat/options/url
bad "an SMTP URL that is not smtp(s)" '{"channels":{"email":{"options":{"url":"http://x"}}}}' /channels/email/options/url
bad "an unknown setting" '{"channels":{"email":{"colour":"red"}}}' /channels/email
bad "a secret the kind does not have" '{"channels":{"sms":{"secrets":{"secret":"x"}}}}' /channels/sms/secrets/secret
bad "a shape that does not exist" '{"channels":{"push":{"kind":"webhook","options":{"url":"https://p.example","shape":"pigeon"}}}}' /channels/push/options/shape
bad "a control character in a sender" '{"channels":{"sms":{"kind":"webhook","sender":"A\u0007B","options":{"url":"https://s.example"}}}}' /channels/sms/sender
bad "no channel at all" '{"channels":{}}' /channels
put owner '{"channels":{"email":{"rate":1}},"extra":1}'
check "an unknown top-level field: 400 naming it" "$CODE $(j "$BODY" 'd["errors"][0]["field"]')" "400 /extra"
put owner '{"channels":{"email":{"rate":1}}'
check "broken JSON: 400" "$CODE" 400
check "none of them changed the file" "$(sha256sum "$CONF")" "$SUM"

# --- the test send through the real channel --------------------------------------------------------
test_send() { as "$1" POST "/v1/settings/channels/$2/test" -H 'Content-Type: application/json' --data-binary "{\"address\":\"$3\"}"; }
test_send marketer email me@shop.example
check "email test send: sent through SMTP (AUTH with the password set)" "$CODE $(j "$BODY" 'd["result"], d["kind"]')" "200 sent smtp"
check "the sink got it, to that address" "$($PY -c 'import json,glob,sys; print([json.load(open(f))["rcpt"] for f in sorted(glob.glob(sys.argv[1] + "/*.json"))])' "$E2E_TMP/mail")" "[['me@shop.example']]"
check_match "... with the test subject" "$(cat "$E2E_TMP"/mail/*.eml)" "Subject: Encore test message"
test_send marketer sms '+86 138 0000 0000'
check "sms test send: written by the file channel" "$CODE $(j "$BODY" 'd["result"]') $(j "$(cat "$DIR/sms.jsonl")" 'd["to"]')" "200 sent +8613800000000"
test_send marketer email not-an-address;   check "a bad email address: 422" "$CODE $(j "$BODY" 'd["errors"][0]["field"]')" "422 /address"
test_send marketer sms 12;                 check "a bad phone number: 422" "$CODE $(j "$BODY" 'd["errors"][0]["field"]')" "422 /address"
test_send marketer push tok-1;             check "a channel not configured: 409" "$CODE" 409
test_send marketer fax x;                  check "an unknown channel: 404" "$CODE" 404
test_send analyst email me@shop.example;   check "analysts may not send tests" "$CODE" 403
put owner '{"channels":{"email":{"secrets":{"password":"wrong-password"}}}}'
test_send owner email me@shop.example
check "with a wrong password the test send reports the failure" "$CODE $(j "$BODY" 'd["result"] != "sent", d["error"] is not None')" "200 True True"

# --- the dispatcher follows the file --------------------------------------------------------------
enqueue() { printf '{"idempotency_key":"%s","channel":"sms","address":"+8613800000001","body_text":"hi"}\n' "$1" >"$E2E_TMP/m.jsonl"; "$ENCORE" outbox enqueue "$E2E_TMP/m.jsonl" >/dev/null; }
state() { sql "SELECT state FROM messages WHERE idempotency_key = '$1'"; }
wait_sent() { for _ in $(seq 100); do [ "$(state "$1")" = sent ] && return 0; sleep 0.1; done; return 1; }
enqueue m1
wait_sent m1
check "the server's dispatcher sends on the channel the console set" "$(state m1) $(grep -c '"m1"' "$DIR/sms.jsonl")" "sent 1"
put owner '{"channels":{"sms":{"enabled":false}}}'
check "switched off" "$CODE $(chan sms 'c["enabled"]')" "200 False"
sleep 0.5
enqueue m2; sleep 2
check "a channel switched off sends nothing" "$(state m2)" queued
Q="$(date -u -d '-1 hour' +%H:%M)-$(date -u -d '+1 hour' +%H:%M)"
put owner "{\"channels\":{\"sms\":{\"enabled\":true,\"quiet_hours\":\"$Q\",\"timezone\":\"UTC\"}}}"
sleep 2
check "on again, but in its quiet hours ($Q UTC): it still waits" "$(state m2)" queued
Q="$(date -u -d '+2 hour' +%H:%M)-$(date -u -d '+3 hour' +%H:%M)"
put owner "{\"channels\":{\"sms\":{\"quiet_hours\":\"$Q\",\"timezone\":\"Europe/Berlin\"}}}"
wait_sent m2
check "quiet hours that are not now: sent" "$(state m2)" sent
put owner '{"channels":{"sms":{"quiet_hours":null,"timezone":null}}}'
check "quiet hours cleared with null" "$(chan sms '(c["quiet_hours"], c["timezone"])')" "(None, None)"
kill -TERM "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
run_rc "$ENCORE" dispatch --show-config
check "encore dispatch reads the console's file (no --config)" "$(j "$OUT" 'sorted(d["channels"]), d["channels"]["email"]["password"]')" "['email', 'sms'] ***"
enqueue m3
run_rc "$ENCORE" dispatch --once --json
check "encore dispatch --once sends on it" "$RC $(state m3)" "0 sent"
ENCORE_DELIVERY_CONFIG="$E2E_TMP/none.json" run_rc "$ENCORE" dispatch --show-config
check "an explicit configuration is still used over the store's" "$RC" 1
kill "$SINK" 2>/dev/null
e2e_done
