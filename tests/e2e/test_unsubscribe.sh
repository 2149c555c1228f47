#!/usr/bin/env bash
# test_unsubscribe.sh — an unsubscribe link in a sent email really unsubscribes. A campaign
# writes a message for each of two customers, `encore dispatch` sends them through a local SMTP
# sink (tests/peers/smtp_sink.py), the List-Unsubscribe URL is taken out of one captured
# message and POSTed (one-click, RFC 8058) to `encore serve` running on the same store. The
# dispatcher and the server find one secret, DB.secret beside the store. Then that customer's
# email consent is revoked and the next campaign's message goes to the other customer only; a
# link signed with another secret, or altered, is refused.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
T=$E2E_TMP

# --- the shop: two customers who agreed to email marketing ---------------------------------
printf 'customer_id,email,name,timezone\nA1,ann@example.com,Ann,UTC\nB2,bob@example.com,Bob,UTC\n' \
  >"$T/customers.csv"
printf 'customer_id,channel,purpose,status,time\nA1,email,marketing,granted,2025-01-01\nB2,email,marketing,granted,2025-01-01\n' \
  >"$T/consents.csv"
run_rc "$ENCORE" import customers "$T/customers.csv"; check "import customers" "$RC" 0
run_rc "$ENCORE" import consents "$T/consents.csv"; check "import consents" "$RC" 0
# campaigns run at the current time (the unsubscribe happens now): no quiet hours, so that
# their messages are due at once whatever the hour
printf '{"quiet_hours": null}\n' >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json"; check "policy without quiet hours" "$RC" 0

# --- the peers: an SMTP sink and the tracking server ---------------------------------------
$PY "$PEERS/smtp_sink.py" --port-file "$T/smtp.port" --dir "$T/mail" & peer $!
wait_port "$T/smtp.port" || not_ok "SMTP sink started"
SMTP_PORT=$(cat "$T/smtp.port")
"$ENCORE" serve --listen 127.0.0.1:0 --json >"$T/serve.out" 2>"$T/serve.err" & SRV=$!
peer $SRV
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$T/serve.err")
  [ -n "$PORT" ] && break
  sleep 0.05
done
if [ -n "$PORT" ]; then ok "server started"; else not_ok "server started" "$(cat "$T/serve.err")"; fi
BASE="http://127.0.0.1:$PORT"
check "one secret beside the store" "$(stat -c %a "$ENCORE_DB.secret" 2>/dev/null)" 600
# the unsubscribe links in message bodies point at the server too
printf '{"quiet_hours": null, "unsubscribe_url": "%s"}\n' "$BASE" >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json"; check "policy: unsubscribe links to the server" "$RC" 0

cat >"$T/delivery.json" <<JSON
{ "channels": {
    "email": {"kind": "smtp", "url": "smtp://127.0.0.1:$SMTP_PORT", "from": "Shop <news@shop.example>",
              "unsubscribe_mailto": "unsub@shop.example", "tracking_url": "$BASE"} } }
JSON
export ENCORE_DELIVERY_CONFIG="$T/delivery.json"

campaign() { # NAME: a one-off email to everyone
  cat >"$T/$1.json" <<JSON
{"name": "$1", "trigger": {"type": "once"}, "channels": ["email"],
 "content": {"email": {"subject": "$1 for {{customer.name}}",
                       "text": "Hello {{customer.name}}\\nUnsubscribe: {{unsubscribe_url}}"}}}
JSON
}
mails_to() { grep -l "$1" "$T/mail"/*.json 2>/dev/null | wc -l; }

# --- first campaign: both get it -------------------------------------------------------------
campaign spring
run_rc "$ENCORE" campaign start "$T/spring.json" --json
check "spring: two messages" "$(jget "$OUT" 'd["added"]')" 2
run_rc "$ENCORE" dispatch --once --json
check "dispatch: two sent" "$(jget "$OUT" 'd["sent"], d["failed"]')" "2 0"
check "Ann got one mail" "$(mails_to ann@example.com)" 1
eml=$(grep -l ann@example.com "$T/mail"/*.json | sed 's/\.json$/.eml/')

# the links of the List-Unsubscribe header, as a mail client reads them
$PY - "$eml" >"$T/lu.txt" <<'PYEOF'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
lu = " ".join(str(m["List-Unsubscribe"]).split())
links = [x.strip().strip("<>") for x in lu.split(",")]
print("http=" + next(x for x in links if x.startswith("http")))
print("mailto=" + next(x for x in links if x.startswith("mailto:")))
print("post=%s" % m["List-Unsubscribe-Post"])
PYEOF
URL=$(sed -n 's/^http=//p' "$T/lu.txt")
MAILTO=$(sed -n 's/^mailto=//p' "$T/lu.txt")
check_match "List-Unsubscribe points at the server's /u/" "$URL" "^$BASE/u/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
TOKEN=${URL##*/u/}
check "the mailto link carries the same token" "$MAILTO" "mailto:unsub@shop.example?subject=unsubscribe%20$TOKEN"
check "no one-click header on plain http (RFC 8058 wants https)" "$(sed -n 's/^post=//p' "$T/lu.txt")" None
run_rc "$ENCORE" token check "$TOKEN" --json
check_match "the token: an email unsubscribe of Ann's message" "$OUT" '"kind":"unsubscribe"'

# --- a forged or altered link is refused ---------------------------------------------------
BAD=$(ENCORE_SECRET=another-secret-of-enough-bytes "$ENCORE" token unsubscribe --message 1 --customer 1 --channel email)
code=$(curl -s -o /dev/null -w '%{http_code}' -d 'List-Unsubscribe=One-Click' "$BASE/u/$BAD")
check "a token signed with another secret: 400" "$code" 400
# one character of the signature changed
ALT=$($PY -c 'import sys; t = sys.argv[1]; i = t.index(".") + 3; print(t[:i] + ("B" if t[i] == "A" else "A") + t[i + 1:])' "$TOKEN")
code=$(curl -s -o /dev/null -w '%{http_code}' -d 'List-Unsubscribe=One-Click' "$BASE/u/$ALT")
check "an altered token: 400" "$code" 400
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
check "a GET only asks to confirm" "$code" 200
run_rc "$ENCORE" customer ann@example.com --json
check "  and unsubscribes no one" "$(jget "$OUT" '[c["granted"] for c in d["consents"] if c["channel"] == "email"]')" "[True]"

# a message for Ann already queued when she unsubscribes
printf '{"idempotency_key":"late-ann","channel":"email","address":"ann@example.com","subject":"late","text":"late"}\n' > "$T/late.jsonl"
run_rc "$ENCORE" outbox enqueue "$T/late.jsonl"; check "a late message for Ann queued" "$RC" 0

# --- Ann follows the link: one-click POST ----------------------------------------------------
code=$(curl -s -o "$T/page.html" -w '%{http_code}' -d 'List-Unsubscribe=One-Click' "$URL")
check "POST of the link from the email: 200" "$code" 200
run_rc "$ENCORE" customer ann@example.com --json
check "Ann's email consent is revoked by the unsubscribe" \
  "$(jget "$OUT" '[(c["granted"], c["source"]) for c in d["consents"] if c["channel"] == "email"]')" \
  "[(False, 'unsubscribe')]"
run_rc "$ENCORE" customer bob@example.com --json
check "Bob's is not" "$(jget "$OUT" '[c["granted"] for c in d["consents"] if c["channel"] == "email"]')" "[True]"
code=$(curl -s -o /dev/null -w '%{http_code}' -d 'List-Unsubscribe=One-Click' "$URL")
check "a second POST is answered too (idempotent)" "$code" 200
check "Ann's address is suppressed at once" \
  "$(sqlite3 "$ENCORE_DB" "SELECT channel, reason FROM suppressions WHERE address = 'ann@example.com'")" "email|unsubscribe"
run_rc "$ENCORE" dispatch --once --json
check "the message queued before the unsubscribe is not sent" "$(jget "$OUT" 'd["sent"], d["suppressed"]')" "0 1"
check "  (the sink saw nothing new)" "$(mails_to ann@example.com)" 1

# --- the next campaign: Bob only -------------------------------------------------------------
sleep 1 # a campaign at now sees what happened before now (the revocation is this second's)
campaign summer
run_rc "$ENCORE" campaign plan "$T/summer.json" --json
check "summer's plan: Ann excluded for want of consent" "$(jget "$OUT" 'd["eligible"], d["excluded"]["no_consent"]')" "1 1"
run_rc "$ENCORE" campaign start "$T/summer.json" --json
check "summer: one message" "$(jget "$OUT" 'd["added"]')" 1
run_rc "$ENCORE" dispatch --once --json
check "dispatch: one sent" "$(jget "$OUT" 'd["sent"]')" 1
check "Ann got nothing more" "$(mails_to ann@example.com)" 1
check "Bob got the second mail" "$(mails_to bob@example.com)" 2

# --- Bob follows the link in the body of his second mail --------------------------------------
eml=$(grep -l bob@example.com "$T/mail"/*.json | sed 's/\.json$/.eml/' | tail -n 1)
BODY_URL=$($PY - "$eml" <<'PYEOF'
import email, re, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
text = m.get_body(preferencelist=("plain",)).get_content()
print(re.search(r"Unsubscribe: (\S+)", text).group(1))
PYEOF
)
check_match "the body's link points at the server's /u/" "$BODY_URL" "^$BASE/u/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
code=$(curl -s -o /dev/null -w '%{http_code}' -d 'List-Unsubscribe=One-Click' "$BODY_URL")
check "POST of the body's link: 200" "$code" 200
run_rc "$ENCORE" customer bob@example.com --json
check "Bob's email consent is revoked by it" \
  "$(jget "$OUT" '[(c["granted"], c["source"]) for c in d["consents"] if c["channel"] == "email"]')" \
  "[(False, 'unsubscribe')]"

# --- what the server recorded, and configuration errors ---------------------------------------
kill -TERM "$SRV"; wait "$SRV" 2>/dev/null
check "serve --json: two unsubscribes recorded" "$(jget "$(cat "$T/serve.out")" 'd["unsubscribes"]')" 2
run_rc "$ENCORE" dispatch --once --set email.unsubscribe_secret=old
check "the old unsubscribe_secret option is refused" "$RC" 2
check_match "  and says where the secret is now" "$ERR" "DB.secret beside the store"
run_rc "$ENCORE" dispatch --once --set email.unsubscribe_url=https://shop.example/u
check "an unsubscribe_url without {token} is refused" "$RC" 2
e2e_done
