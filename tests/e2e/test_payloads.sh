#!/usr/bin/env bash
# test_payloads.sh — payloads providers accept (issue 11, part 5). Regressions: WeChat messages
# went out empty ({"touser":"C0000002","template_id":"TPL123","data":{}}: no text, title or
# coupon in data, and touser the shop's customer id, not an OpenID), and push sent the shop's
# customer id as `to`, not a device token. Now the addresses are the identity kinds
# wechat_openid and push_token (importable; no OpenID or token: excluded as no_address), WeChat
# content names template_id, url, miniprogram and data (template strings rendered per
# customer), and each shape is posted to a sink that checks it as the provider's API would
# (tests/peers/webhook_sink.py --validate: required fields, types, lengths).
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
trap e2e_cleanup EXIT

cat >"$T/c.csv" <<'CSV'
customer_id,name,phone,wechat_openid,push_token,timezone
W1,王小明,13800000001,oAbC_123-xyz,fcmTok1:APA91b-x_y,Asia/Shanghai
W2,李雷,13800000002,oDeF_456,,Asia/Shanghai
W3,韩梅梅,13800000003,,,Asia/Shanghai
CSV
run_rc "$ENCORE" import customers "$T/c.csv" --json
check "import: wechat_openid and push_token columns" "$RC $(jget "$OUT" 'd["rejected"]')" "0 0"
check "  stored as identities" "$(sql "SELECT kind, value FROM identities WHERE kind IN ('wechat_openid', 'push_token') ORDER BY 1, 2" | tr '\n' ' ')" \
  "push_token|fcmTok1:APA91b-x_y wechat_openid|oAbC_123-xyz wechat_openid|oDeF_456 "
printf 'customer_id,name,wechat_openid\nW9,Bad,not an openid!\n' >"$T/bad.csv"
run_rc "$ENCORE" import customers "$T/bad.csv" --json
check "an OpenID with spaces is rejected, with the field" "$(jget "$OUT" 'd["rejected"]')" 1
check_match "  saying why" "$OUT$ERR" "wechat_openid.*not an OpenID"
printf 'customer_id,channel,purpose,status,time\n' >"$T/k.csv"
for c in W1 W2 W3; do for ch in wechat push sms; do echo "$c,$ch,marketing,granted,2025-01-01" >>"$T/k.csv"; done; done
"$ENCORE" import consents "$T/k.csv" >/dev/null
printf '{"quiet_hours": null, "caps": [], "unsubscribe_url": "https://t.shop.example", "shop_name": "优选"}\n' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null

cat >"$T/wx.json" <<'JSON'
{"name": "wx", "trigger": {"type": "once"}, "channels": ["wechat"], "holdout": 0,
 "offer": {"kind": "value", "amount": 5.00, "expires": "30d", "prefix": "WX"},
 "content": {"wechat": {"template_id": "TPL123", "url": "https://shop.example/c/{{coupon.code}}",
   "miniprogram": {"appid": "wx1234", "pagepath": "pages/coupon?c={{coupon.code}}"},
   "data": {"thing1": "{{customer.name}}", "amount2": "{{coupon.value}}", "time3": "{{coupon.expires}}"}}}}
JSON
run_rc "$ENCORE" campaign plan "$T/wx.json" --json
check "wechat: two with an OpenID, one excluded as no_address" "$(jget "$OUT" 'd["eligible"], d["excluded"]["no_address"]')" "2 1"
run_rc "$ENCORE" campaign start "$T/wx.json" --json
check "wechat: two messages" "$(jget "$OUT" 'd["added"]')" 2
cat >"$T/push.json" <<'JSON'
{"name": "pu", "trigger": {"type": "once"}, "channels": ["push"], "holdout": 0,
 "content": {"push": {"title": "Hi {{customer.name}}", "text": "A gift for you", "link": "shop://home", "badge": "1"}}}
JSON
run_rc "$ENCORE" campaign plan "$T/push.json" --json
check "push: one with a device token, two excluded as no_address" "$(jget "$OUT" 'd["eligible"], d["excluded"]["no_address"]')" "1 2"
"$ENCORE" campaign start "$T/push.json" >/dev/null
check "push: the address is the device token, not the shop's id" "$(sql "SELECT address FROM messages WHERE campaign = 'pu'")" "fcmTok1:APA91b-x_y"

$PY "$PEERS/webhook_sink.py" --port-file "$T/p" --validate --bodies "$T/bodies.jsonl" & E2E_PIDS="$E2E_PIDS $!"
wait_port "$T/p" || not_ok "sink started"
U="http://127.0.0.1:$(cat "$T/p")"
run_rc "$ENCORE" dispatch --once --json --set wechat.kind=webhook --set "wechat.url=$U/wechat" --set wechat.shape=wechat \
  --set push.kind=webhook --set "push.url=$U/fcm" --set push.shape=fcm
check "the WeChat and FCM bodies are accepted by the validating sink" "$(jget "$OUT" 'd["sent"], d["failed"]')" "3 0"
check "WeChat body: touser the OpenID, template_id, url, miniprogram, data {key: {value}} rendered" "$($PY - "$T/bodies.jsonl" <<'PYEOF'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["path"] != "/wechat": continue
    b = json.loads(d["body"])
    if b["touser"] != "oAbC_123-xyz": continue
    ok = (b["template_id"] == "TPL123" and b["url"].startswith("https://shop.example/c/WX-")
          and b["miniprogram"]["appid"] == "wx1234" and b["miniprogram"]["pagepath"].startswith("pages/coupon?c=WX-")
          and b["data"]["thing1"] == {"value": "王小明"} and b["data"]["amount2"] == {"value": "5.00"}
          and len(b["data"]["time3"]["value"]) == 10)
    print(ok, sorted(b))
PYEOF
)" "True ['client_msg_id', 'data', 'miniprogram', 'template_id', 'touser', 'url']"
check "FCM body: message.token, notification, string data with the deep link, apns badge" "$($PY - "$T/bodies.jsonl" <<'PYEOF'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["path"] != "/fcm": continue
    m = json.loads(d["body"])["message"]
    print(m["token"], m["notification"]["title"], m["data"]["link"], m["apns"]["payload"]["aps"]["badge"])
PYEOF
)" "fcmTok1:APA91b-x_y Hi 王小明 shop://home 1"

# APNs (device token in the path) and the generic push shape
cat >"$T/m.jsonl" <<'JSON'
{"idempotency_key": "a1", "channel": "apns", "address": "0123456789abcdef0123456789abcdef", "subject": "t", "text": "b", "payload": {"link": "shop://x", "badge": 3}}
{"idempotency_key": "p1", "channel": "gpush", "address": "tokA,tokB", "subject": "t", "text": "b"}
{"idempotency_key": "s1", "channel": "sms", "address": "+8613800000001", "text": "【优选】hi"}
{"idempotency_key": "s2", "channel": "sms", "address": "C0000002", "text": "hi"}
{"idempotency_key": "w2", "channel": "wechat", "address": "C0000002", "text": "hi", "payload": {"template_id": "T"}}
JSON
"$ENCORE" outbox enqueue "$T/m.jsonl" >/dev/null
run_rc "$ENCORE" dispatch --once --json --set apns.kind=webhook --set "apns.url=$U/apns/3/device/{token}" --set apns.shape=apns \
  --set gpush.kind=webhook --set "gpush.url=$U/push" --set gpush.shape=push \
  --set sms.kind=webhook --set "sms.url=$U/sms" --set sms.shape=sms \
  --set wechat.kind=webhook --set "wechat.url=$U/wechat" --set wechat.shape=wechat
check "APNs (token in the path), push with two tokens and a good SMS accepted; a bad SMS number and an empty WeChat refused" \
  "$(sql "SELECT idempotency_key, state FROM messages WHERE idempotency_key IN ('a1','p1','s1','s2','w2') ORDER BY 1" | tr '\n' ' ')" \
  "a1|sent p1|sent s1|sent s2|failed w2|failed "
check "  the provider's reasons are kept" "$(sql "SELECT last_error LIKE '%E.164%', (SELECT last_error LIKE '%data%' FROM messages WHERE idempotency_key = 'w2') FROM messages WHERE idempotency_key = 's2'")" "1|1"
check "push: to holds both tokens" "$($PY -c "
import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d['path'] == '/push': print(json.loads(d['body'])['to'])" "$T/bodies.jsonl")" "['tokA', 'tokB']"
# --- the addresses through the API: identify traits.wechat_openid and context.device.token -------
"$ENCORE" serve --listen 127.0.0.1:0 --write-key payloads-write-key-123 2>"$T/serve.err" & SP=$!; E2E_PIDS="$E2E_PIDS $SP"
SPORT=$(serve_port "$T/serve.err")
[ -n "$SPORT" ] && ok "server started" || not_ok "server started" "$(cat "$T/serve.err")"
ident() { curl -s -o "$T/resp" -w '%{http_code}' -u payloads-write-key-123: -H 'Content-Type: application/json' --data-binary "$1" "http://127.0.0.1:$SPORT/v1/identify"; }
check "identify with traits.wechat_openid and context.device.token" \
  "$(ident '{"userId":"W3","traits":{"wechat_openid":"oGhI_789"},"context":{"device":{"token":"apnsTok3"}}}')" 200
wait_for "SELECT count(*) FROM identities i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = 'W3' AND i.kind IN ('wechat_openid', 'push_token')" 2 50 \
  && ok "  both kept as W3's identities" || not_ok "  both kept as W3's identities" "$(sql "SELECT * FROM identities")"
check "a malformed OpenID is refused with the field" "$(ident '{"userId":"W3","traits":{"wechat_openid":"has space"}}')" 400
check_match "  naming it" "$(cat "$T/resp")" "traits.wechat_openid"
kill $SP; wait $SP 2>/dev/null
sed 's/"name": "wx"/"name": "wx2"/' "$T/wx.json" >"$T/wx2.json"
run_rc "$ENCORE" campaign plan "$T/wx2.json" --json
check "wechat: now all three have an OpenID" "$(jget "$OUT" 'd["eligible"], d["excluded"]["no_address"]')" "3 0"

# --- SMS: characters, segments, the signature -------------------------------------------------------
printf '{"quiet_hours": null, "caps": [], "unsubscribe_url": "https://t.shop.example", "sms_signature": "【优选】", "sms_max_segments": 1}\n' >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json"; check "policy: sms_signature and sms_max_segments" "$RC" 0
printf '{"sms_max_segments": 11}\n' >"$T/bad-policy.json"
run_rc "$ENCORE" campaign policy "$T/bad-policy.json"
check "sms_max_segments over 10 is refused" "$RC" 1
check_match "  naming the field" "$ERR" "sms_max_segments"
cat >"$T/sms.json" <<'JSON'
{"name": "smslen", "trigger": {"type": "once"}, "channels": ["sms"], "holdout": 0,
 "content": {"sms": {"text": "{{customer.name}}，您好！您的专属优惠已到账，快来看看吧。回T退订。这是一条比较长的短信，用来检查分段是否按照UCS-2计算。这是一条比较长的短信，用来检查分段。"}}}
JSON
run_rc "$ENCORE" campaign plan "$T/sms.json" --json --sample 1
check "plan: the longest SMS, its encoding and segments, over the limit" \
  "$(jget "$OUT" 'd["sms"]["encoding"], d["sms"]["max_segments"], d["sms"]["segment_limit"], d["sms"]["over_limit"], d["sms"]["checked"]')" "UCS-2 2 1 3 3"
check "  the sample says so per message, the signature first" \
  "$(jget "$OUT" 'd["sample"][0]["text"][:4], d["sample"][0]["sms_encoding"], d["sample"][0]["sms_segments"] , d["sample"][0]["sms_characters"] > 70')" "【优选】 UCS-2 2 True"
check_match "  and warns" "$(jget "$OUT" 'd["warnings"]')" "3 of 3 SMS checked are longer than 1 segments"
run_rc "$ENCORE" campaign plan "$T/sms.json"
check_match "  text: the longest" "$OUT" "sms: longest [0-9]+ characters \(UCS-2: 70 in one, 67 a part\), 2 segments"
check_match "  text: the warning on stderr" "$ERR" "warning: 3 SMS longer than 1 segments"
e2e_done
