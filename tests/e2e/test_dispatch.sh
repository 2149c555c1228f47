#!/usr/bin/env bash
# test_dispatch.sh — `encore dispatch` and `encore outbox` end to end against local peers
# (tests/peers/): SMTP with STARTTLS and AUTH (the MIME and headers really sent, read back with
# Python's email package), hard bounce -> failed + suppressed, 4xx -> retry; the webhook with
# signatures and the sms shape; the file and inbox channels; pause/resume; the recovery rules
# (webhook re-sent with the same key, SMTP parked in reconcile); SMS opt-out replies; one
# dispatcher at a time; usage errors; secrets never printed.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PEERS="$(cd "$(dirname "$0")/../peers" && pwd)"
T=$E2E_TMP
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; wait $p 2>/dev/null; done' EXIT
wait_port() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
sql() { $PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); r=db.execute(sys.argv[2]).fetchall(); db.commit(); print('\n'.join('|'.join(str(x) for x in row) for row in r))" "$ENCORE_DB" "$1"; }

# --- usage ---------------------------------------------------------------------------------
run_rc "$ENCORE" dispatch --help
check "dispatch --help exits 0" "$RC" 0
check_match "  shows usage" "$OUT" "usage: encore dispatch"
run_rc "$ENCORE" outbox --help
check "outbox --help exits 0" "$RC" 0
run_rc "$ENCORE" dispatch --once
check "dispatch without channels is a usage error" "$RC" 2
check_match "  and says so" "$ERR" "encore: dispatch: no channels configured"
run_rc "$ENCORE" dispatch --once --set x.kind=pigeon
check "unknown channel kind is a usage error" "$RC" 2
run_rc "$ENCORE" outbox frobnicate
check "unknown outbox action is a usage error" "$RC" 2
run_rc "$ENCORE" outbox pause
check "pause without a channel is a usage error" "$RC" 2
run_rc "$ENCORE" outbox retry
check "retry without --state is a usage error" "$RC" 2
printf '{"channel":"x","address":"a"}\n' >"$T/bad.jsonl"
run_rc "$ENCORE" outbox enqueue "$T/bad.jsonl"
check "enqueue of a message without a key fails" "$RC" 1
check_match "  with file and line" "$ERR" "bad.jsonl:1: channel, address and idempotency_key are required"
printf '{"channel":"x",\n' >"$T/bad2.jsonl"
run_rc "$ENCORE" outbox enqueue "$T/bad2.jsonl"
check_match "malformed JSON line: file, line and column" "$ERR" "bad2.jsonl:1:[0-9]+: "

# --- peers ---------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 2 \
  -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
$PY "$PEERS/smtp_sink.py" --port-file "$T/smtp.port" --dir "$T/mail" --user shop \
  --password 'pw-S3cr3t' --cert "$T/cert.pem" --key "$T/key.pem" & PIDS="$PIDS $!"
$PY "$PEERS/webhook_sink.py" --port-file "$T/hook.port" --secret 'hook-S3cr3t' \
  --bodies "$T/bodies.jsonl" & PIDS="$PIDS $!"
wait_port "$T/smtp.port" && wait_port "$T/hook.port" || not_ok "peers started"
SMTP_PORT=$(cat "$T/smtp.port"); HOOK_PORT=$(cat "$T/hook.port")

cat >"$T/delivery.json" <<JSON
{ "dispatch": {"batch": 50, "max_attempts": 3, "backoff_base": 60},
  "channels": {
    "email": {"kind": "smtp", "url": "smtp://127.0.0.1:$SMTP_PORT", "starttls": true,
              "insecure": true, "username": "shop", "password": "from-file",
              "from": "优选商城 <news@shop.example>", "reply_to": "help@shop.example",
              "unsubscribe_mailto": "unsub@shop.example",
              "tracking_url": "https://shop.example"},
    "sms": {"kind": "webhook", "url": "http://127.0.0.1:$HOOK_PORT/sms", "shape": "sms",
            "secret": "hook-S3cr3t", "sender": "SHOP"},
    "export": {"kind": "file", "path": "$T/export.jsonl"},
    "inbox": {"kind": "inbox"} } }
JSON
export ENCORE_DELIVERY_CONFIG="$T/delivery.json"
export ENCORE_CHANNEL_EMAIL_PASSWORD='pw-S3cr3t'   # env over file

run_rc "$ENCORE" dispatch --show-config
check "show-config exits 0" "$RC" 0
check_match "  masks the password" "$OUT" '"password":"\*\*\*"'
check "  and never prints a secret" "$(echo "$OUT" | grep -c -e 'pw-S3cr3t' -e 'hook-S3cr3t' -e from-file)" 0

# --- messages ------------------------------------------------------------------------------
$PY - "$T/m.jsonl" <<'PYEOF'
import json, sys
subject = "春季焕新：您的专属优惠券已到账，限时七天有效！Spring offer"
text = "你好 王小明,\n.this line starts with a dot\n" + "long " * 40 + "\nend"
html = "<p>你好 <b>王小明</b></p>\n<p>" + "x" * 120 + "</p>"
msgs = [
  dict(campaign="spring", customer_id=1, channel="email", address="wang@example.com",
       subject=subject, body_text=text, body_html=html, idempotency_key="spring:1:email:1"),
  dict(campaign="spring", customer_id=2, channel="email", address="bounce1@example.com",
       subject="hi", body_text="x", idempotency_key="spring:2:email:1"),
  dict(campaign="spring", customer_id=3, channel="email", address="busy1@example.com",
       subject="hi", body_text="x", idempotency_key="spring:3:email:1"),
  dict(campaign="spring", customer_id=4, channel="sms", address="+8613800000004",
       body_text="春季优惠，回TD退订", idempotency_key="spring:4:sms:1"),
  dict(campaign="spring", customer_id=5, channel="sms", address="+8613800000005",
       body_text="x", idempotency_key="perm-spring:5:sms:1"),
  dict(campaign="spring", customer_id=6, channel="export", address="6", subject="s",
       payload={"coupon": "SAVE10"}, idempotency_key="spring:6:export:1"),
  dict(campaign="spring", customer_id=7, channel="inbox", address="7", subject="Coupon",
       body_text="10% off", idempotency_key="spring:7:inbox:1"),
  dict(campaign="spring", customer_id=8, channel="fax", address="8", idempotency_key="spring:8:fax:1"),
]
with open(sys.argv[1], "w") as f:
    for m in msgs: f.write(json.dumps(m, ensure_ascii=False) + "\n")
PYEOF
run_rc "$ENCORE" outbox enqueue "$T/m.jsonl" --json
check "enqueue 8 messages" "$(jget "$OUT" 'd["added"], d["already_there"]')" "8 0"

run_rc "$ENCORE" dispatch --once --json
check "dispatch --once exits 0" "$RC" 0
check "  sent, retried, failed" "$(jget "$OUT" 'd["sent"], d["retried"], d["failed"], d["dead"]')" "4 1 2 0"
check "  names the unconfigured channel" "$(jget "$OUT" 'd["unconfigured_channels"]')" "['fax']"
check_match "  and warns on stderr" "$ERR" "channel 'fax', which is not configured"
check "  never prints a secret" "$(echo "$OUT$ERR" | grep -c -e 'pw-S3cr3t' -e 'hook-S3cr3t')" 0
check "states" "$(sql "SELECT idempotency_key, state FROM messages ORDER BY id" | tr '\n' ' ')" \
  "spring:1:email:1|sent spring:2:email:1|failed spring:3:email:1|queued spring:4:sms:1|sent perm-spring:5:sms:1|failed spring:6:export:1|sent spring:7:inbox:1|sent spring:8:fax:1|queued "
check_match "hard bounce reason kept" "$(sql "SELECT last_error FROM messages WHERE idempotency_key='spring:2:email:1'")" "550 5.1.1"
check "hard bounce suppresses the address" "$(sql "SELECT channel, address, reason FROM suppressions")" "email|bounce1@example.com|hard_bounce"
check_match "4xx is retried later" "$(sql "SELECT attempts, next_attempt_at > claimed_at, last_error FROM messages WHERE idempotency_key='spring:3:email:1'")" '^1\|1\|.*451 4.3.0'
check_match "the email's provider ref is its Message-ID" "$(sql "SELECT provider_ref FROM messages WHERE idempotency_key='spring:1:email:1'")" '^<[0-9a-f]{32}@shop.example>$'

# the mail as received
check "one mail received" "$(ls "$T/mail"/*.eml 2>/dev/null | wc -l)" 1
$PY - "$T/mail/0001.eml" "$T/mail/0001.json" "$T/m.jsonl" >"$T/mime.txt" <<'PYEOF'
import email, email.header, json, sys
from email import policy
raw = open(sys.argv[1], "rb").read()
env = json.load(open(sys.argv[2]))
src = json.loads(open(sys.argv[3]).readline())
m = email.message_from_bytes(raw, policy=policy.default)
def dec(h): return str(email.header.make_header(email.header.decode_header(h)))
out = {
  "tls": env["tls"], "authed": env["authed"], "from_env": env["from"], "rcpt": env["rcpt"],
  "subject_ok": dec(m["Subject"]) == src["subject"],
  "from": dec(m["From"]), "reply_to": m["Reply-To"], "to": m["To"],
  "lu_mailto": "<mailto:unsub@shop.example?subject=unsubscribe%20" in m["List-Unsubscribe"],
  "lu_https": "<https://shop.example/u/" in m["List-Unsubscribe"],
  "lu_post": m["List-Unsubscribe-Post"],
  "type": m.get_content_type(),
  "text_ok": m.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n") == src["body_text"],
  "html_ok": m.get_body(("html",)).get_content().replace("\r\n", "\n").rstrip("\n") == src["body_html"],
  "max_line": max(len(l) for l in raw.split(b"\r\n") if not l.startswith((b" <mailto:", b" <https:"))),
  "message_id": bool(m["Message-ID"]),
}
for k, v in out.items(): print("%s=%s" % (k, v))
PYEOF
M=$(cat "$T/mime.txt")
check_match "SMTP over STARTTLS" "$M" "tls=True"
check_match "SMTP AUTH with the password from the environment" "$M" "authed=True"
check_match "envelope recipient" "$M" "rcpt=\['wang@example.com'\]"
check_match "envelope sender" "$M" "from_env=<news@shop.example>"
check_match "UTF-8 subject decodes back (RFC 2047)" "$M" "subject_ok=True"
check_match "From with an encoded display name" "$M" "from=优选商城 <news@shop.example>"
check_match "Reply-To" "$M" "reply_to=help@shop.example"
check_match "multipart/alternative" "$M" "type=multipart/alternative"
check_match "text part decodes back" "$M" "text_ok=True"
check_match "HTML part decodes back" "$M" "html_ok=True"
check_match "List-Unsubscribe mailto" "$M" "lu_mailto=True"
check_match "List-Unsubscribe https" "$M" "lu_https=True"
check_match "List-Unsubscribe-Post one-click" "$M" "lu_post=List-Unsubscribe=One-Click"
check_match "lines within 78 (but the unfoldable List-Unsubscribe URIs)" "$(grep max_line "$T/mime.txt")" "^max_line=([0-9]|[1-6][0-9]|7[0-8])$"

# webhook body and signature (the sink checked it: a bad one is refused with 401)
B=$(head -1 "$T/bodies.jsonl")
check "sms shape" "$(jget "$B" 'json.loads(d["body"])["to"], json.loads(d["body"])["text"], json.loads(d["body"])["sender"], json.loads(d["body"])["idempotency_key"]')" \
  "+8613800000004 春季优惠，回TD退订 SHOP spring:4:sms:1"
check "webhook 4xx is a permanent failure" "$(sql "SELECT state, substr(last_error, 1, 8) FROM messages WHERE idempotency_key='perm-spring:5:sms:1'")" "failed|HTTP 400"
check "file channel line" "$(jget "$(cat "$T/export.jsonl")" 'd["idempotency_key"], d["payload"]["coupon"]')" "spring:6:export:1 SAVE10"
check "inbox row" "$(sql "SELECT customer_id, title, body FROM inbox")" "7|Coupon|10% off"

# a wrong secret: the provider refuses (401, permanent)
printf '{"channel":"sms","address":"+8613800000009","body_text":"x","idempotency_key":"k-wrong"}\n' >"$T/w.jsonl"
"$ENCORE" outbox enqueue "$T/w.jsonl" >/dev/null
run_rc "$ENCORE" dispatch --once --json --set sms.secret=wrong
check "wrong signature is refused by the provider" "$(sql "SELECT state, substr(last_error, 1, 8) FROM messages WHERE idempotency_key='k-wrong'")" "failed|HTTP 401"

# --- suppression at send time ----------------------------------------------------------------
printf '{"channel":"email","address":"BOUNCE1@example.com","subject":"again","body_text":"x","idempotency_key":"again"}\n' >"$T/a.jsonl"
"$ENCORE" outbox enqueue "$T/a.jsonl" >/dev/null
run_rc "$ENCORE" outbox reply sms +8613800000004 " 退订 "
check_match "SMS reply 退订 is an opt-out" "$OUT" "opt-out"
run_rc "$ENCORE" outbox reply sms +8613800000004 "谢谢"
check_match "other replies are not" "$OUT" "not an opt-out"
printf '{"channel":"sms","address":"+8613800000004","body_text":"x","idempotency_key":"sms-again"}\n' >"$T/s.jsonl"
"$ENCORE" outbox enqueue "$T/s.jsonl" >/dev/null
run_rc "$ENCORE" dispatch --once --json
check "suppressed addresses are skipped" "$(jget "$OUT" 'd["suppressed"], d["sent"]')" "2 0"
check "  and marked suppressed" "$(sql "SELECT state FROM messages WHERE idempotency_key IN ('again', 'sms-again')" | tr '\n' ' ')" "suppressed suppressed "

# --- pause / resume --------------------------------------------------------------------------
run_rc "$ENCORE" outbox pause export
check "pause" "$OUT" "channel export paused"
printf '{"channel":"export","address":"9","subject":"p","idempotency_key":"paused-1"}\n' >"$T/p.jsonl"
"$ENCORE" outbox enqueue "$T/p.jsonl" >/dev/null
run_rc "$ENCORE" dispatch --once --json
check "a paused channel sends nothing" "$(sql "SELECT state FROM messages WHERE idempotency_key='paused-1'")" "queued"
run_rc "$ENCORE" outbox --json
check "outbox shows the pause" "$(jget "$OUT" '[c["paused"] for c in d["channels"] if c["channel"] == "export"][0]')" "True"
"$ENCORE" outbox resume export >/dev/null
run_rc "$ENCORE" dispatch --once --json
check "resumed, it sends" "$(sql "SELECT state FROM messages WHERE idempotency_key='paused-1'")" "sent"
check "file channel: 2 lines" "$(wc -l <"$T/export.jsonl")" 2

# --- recovery rules --------------------------------------------------------------------------
# as after a crash between claim and record: one webhook and one SMTP message left in sending
printf '%s\n' '{"channel":"email","address":"r1@example.com","subject":"r","body_text":"x","idempotency_key":"rec-email"}' \
  '{"channel":"sms","address":"+8613800000010","body_text":"r","idempotency_key":"rec-sms"}' >"$T/r.jsonl"
"$ENCORE" outbox enqueue "$T/r.jsonl" >/dev/null
"$ENCORE" dispatch --once >/dev/null 2>&1   # both really sent once
before=$(curl -s "http://127.0.0.1:$HOOK_PORT/stats")
sql "UPDATE messages SET state = 'sending' WHERE idempotency_key IN ('rec-email', 'rec-sms')" >/dev/null
run_rc "$ENCORE" dispatch --once --json
check "recovery: webhook re-sent, SMTP to reconcile" "$(jget "$OUT" 'd["recovered"]["resend"], d["recovered"]["reconcile"]')" "1 1"
check "  webhook message sent again" "$(sql "SELECT state FROM messages WHERE idempotency_key='rec-sms'")" "sent"
after=$(curl -s "http://127.0.0.1:$HOOK_PORT/stats")
check "  with the same key: the provider deduplicated it" \
  "$(( $(jget "$after" 'd["duplicates"]') - $(jget "$before" 'd["duplicates"]') )) $(( $(jget "$after" 'd["unique"]') - $(jget "$before" 'd["unique"]') ))" "1 0"
check_match "  SMTP message parked in reconcile, not re-sent" "$(sql "SELECT state, last_error FROM messages WHERE idempotency_key='rec-email'")" "^reconcile\|interrupted while sending"
check "  SMTP sink got it once" "$(grep -l 'r1@example.com' "$T/mail"/*.json | wc -l)" 1
run_rc "$ENCORE" outbox retry --state reconcile --channel email
check "retry --state reconcile" "$OUT" "1 messages queued again"

# --- counts ----------------------------------------------------------------------------------
run_rc "$ENCORE" outbox --json
check "outbox --json totals" "$(jget "$OUT" 'sum(d["total"].values())')" "$(sql "SELECT count(*) FROM messages")"
run_rc "$ENCORE" outbox --state sent
check_match "outbox table" "$OUT" "channel +sent"

# --- one dispatcher at a time; SIGTERM ends it cleanly ----------------------------------------
"$ENCORE" dispatch --json >"$T/d1.out" 2>"$T/d1.err" & D1=$!
sleep 0.7
run_rc "$ENCORE" dispatch --once
check "a second dispatcher is refused" "$RC" 1
check_match "  and says why" "$ERR" "another dispatcher is running"
kill -TERM $D1; wait $D1; rc=$?
check "SIGTERM stops the dispatcher with exit 0" "$rc" 0
check_match "  after its summary" "$(cat "$T/d1.out")" '"sent":'
e2e_done
