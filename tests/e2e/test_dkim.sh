#!/usr/bin/env bash
# test_dkim.sh — mail that reaches the inbox: DKIM (RFC 6376 relaxed/relaxed, rsa-sha256 and
# ed25519-sha256 per RFC 8463), List-Unsubscribe on every marketing mail, List-Id per campaign.
# Keys come from `encore dkim keygen`; messages go through a real SMTP exchange with the local
# sink (tests/peers/smtp_sink.py) and are verified by an independent implementation, Debian's
# python3-dkim (dkim.verify), whose DNS lookups are answered from the TXT records keygen printed.
# Also: a key file readable by others is refused, a channel with no unsubscribe route refuses to
# start, transactional campaigns are exempt, a tampered mail fails verification.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP

if ! $PY -c "import dkim" 2>/dev/null; then
  if [ "${CI:-}" = "true" ]; then not_ok "python3-dkim installed (required under CI)"; else
    E2E_SKIPPED=$((E2E_SKIPPED + 1)); echo "skip - python3-dkim missing"; fi
  e2e_done; exit $?
fi

printf 'customer_id,email,name,timezone\nA1,ann@example.com,Ann,UTC\nB2,bob@example.com,Böb Müller,UTC\n' >"$T/customers.csv"
printf 'customer_id,channel,purpose,status,time\nA1,email,marketing,granted,2025-01-01\nB2,email,marketing,granted,2025-01-01\nA1,email,service,granted,2025-01-01\nB2,email,service,granted,2025-01-01\n' >"$T/consents.csv"
"$ENCORE" import customers "$T/customers.csv" >/dev/null && "$ENCORE" import consents "$T/consents.csv" >/dev/null
printf '{"quiet_hours": null, "caps": []}\n' >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json"; check "policy without quiet hours or caps" "$RC" 0

# --- keys ----------------------------------------------------------------------------------------
run_rc "$ENCORE" dkim keygen --domain shop.example --selector rsa1 --out "$T/rsa.pem" --json
check "keygen rsa" "$RC" 0
echo "$OUT" >"$T/rsa.json"
check "rsa key file is 0600" "$(stat -c %a "$T/rsa.pem")" 600
check "rsa record" "$(jget "$OUT" 'd["name"], d["record"][:18]')" "rsa1._domainkey.shop.example v=DKIM1; k=rsa; p="
run_rc "$ENCORE" dkim keygen --domain shop.example --selector ed1 --algorithm ed25519 --out "$T/ed.pem" --json
check "keygen ed25519" "$RC" 0
echo "$OUT" >"$T/ed.json"
check_match "ed25519 record holds 32 raw bytes" "$(jget "$OUT" 'd["record"]')" '^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$'
run_rc "$ENCORE" dkim keygen --domain shop.example --selector rsa1 --out "$T/rsa.pem"
check "keygen never overwrites a key" "$RC" 1
check_match "  and says so" "$ERR" "never overwritten"
run_rc "$ENCORE" dkim keygen --domain shop.example --selector x --algorithm dsa --out "$T/x.pem"
check "keygen: unknown algorithm is a usage error" "$RC" 2
run_rc "$ENCORE" dkim keygen --domain "bad domain" --selector x --out "$T/x.pem"
check "keygen: a bad domain is a usage error" "$RC" 2
run_rc "$ENCORE" dkim keygen --domain shop.example --out "$T/x.pem"
check "keygen: the selector is required" "$RC" 2
run_rc "$ENCORE" dkim record --domain shop.example --selector rsa1 --key "$T/rsa.pem" --json
check "record of an existing key = keygen's" "$(jget "$OUT" 'd["record"]')" "$(jget "$(cat "$T/rsa.json")" 'd["record"]')"
# a 1024-bit RSA key is too weak (RFC 8301)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$T/weak.pem" 2>/dev/null; chmod 600 "$T/weak.pem"

# --- the SMTP sink --------------------------------------------------------------------------------
$PY "$PEERS/smtp_sink.py" --port-file "$T/smtp.port" --dir "$T/mail" & peer $!
wait_port "$T/smtp.port" || not_ok "SMTP sink started"
SMTP="smtp://127.0.0.1:$(cat "$T/smtp.port")"

campaign() { # NAME [extra JSON]
  cat >"$T/$1.json" <<JSON
{"name": "$1", "trigger": {"type": "once"}, "channels": ["email"] ${2:-},
 "content": {"email": {"subject": "$1 für {{customer.name}}",
                       "text": "Hello {{customer.name}}   \\n\\nUnsubscribe: {{unsubscribe_url}}\\n\\n\\n",
                       "html": "<p>Hello {{customer.name}}</p>"}}}
JSON
}

# --- no unsubscribe route: the channel refuses to start for marketing mail ----------------------
campaign spring
run_rc "$ENCORE" campaign start "$T/spring.json" --json
check "spring: two messages" "$(jget "$OUT" 'd["added"]')" 2
run_rc "$ENCORE" dispatch --once --set email.kind=smtp --set "email.url=$SMTP" --set "email.from=Shop <news@shop.example>"
check "no List-Unsubscribe route: dispatch refuses" "$RC" 2
check_match "  saying why" "$ERR" "marketing mail needs a List-Unsubscribe route"
check "  and nothing was sent" "$(ls "$T/mail" 2>/dev/null | grep -c eml)" 0
"$ENCORE" serve --listen 127.0.0.1:0 --dispatch-every 0.2 --set email.kind=smtp --set "email.url=$SMTP" \
  --set "email.from=Shop <news@shop.example>" 2>"$T/serve.err" & SP=$!
for _ in $(seq 50); do grep -q "job dispatch" "$T/serve.err" && break; sleep 0.1; done
kill $SP; wait $SP 2>/dev/null
check_match "serve does not start the email channel either, and says why" "$(cat "$T/serve.err")" \
  "job dispatch: channel email: marketing mail needs a List-Unsubscribe route"
check "  and nothing was sent" "$(ls "$T/mail" 2>/dev/null | grep -c eml)" 0
# transactional_only: marketing mail fails, it is never sent without the header
run_rc "$ENCORE" dispatch --once --json --set email.kind=smtp --set "email.url=$SMTP" --set "email.from=Shop <news@shop.example>" --set email.transactional_only=true
check "transactional_only channel: the marketing messages fail" "$(jget "$OUT" 'd["sent"], d["failed"]')" "0 2"
check "  nothing reached the sink" "$(ls "$T/mail" 2>/dev/null | grep -c eml)" 0
campaign receipt ', "transactional": true'
run_rc "$ENCORE" campaign start "$T/receipt.json" --json
run_rc "$ENCORE" dispatch --once --json --set email.kind=smtp --set "email.url=$SMTP" --set "email.from=Shop <news@shop.example>" --set email.transactional_only=true
check "transactional campaign goes out on it" "$(jget "$OUT" 'd["sent"], d["failed"]')" "2 0"
rm -rf "$T/mail"/*

# --- a key readable by others is refused ---------------------------------------------------------
cp "$T/rsa.pem" "$T/open.pem"; chmod 644 "$T/open.pem"
campaign summer
"$ENCORE" campaign start "$T/summer.json" >/dev/null
base_cfg() { # KEY SELECTOR
  cat >"$T/delivery.json" <<JSON
{ "channels": { "email": {"kind": "smtp", "url": "$SMTP", "from": "Shop <news@shop.example>",
  "unsubscribe_mailto": "unsub@shop.example", "tracking_url": "https://t.shop.example",
  "dkim_domain": "shop.example", "dkim_selector": "$2", "dkim_key": "$1"} } }
JSON
}
base_cfg "$T/open.pem" rsa1
run_rc "$ENCORE" dispatch --once --config "$T/delivery.json"
check "a group/other-readable DKIM key is refused" "$RC" 2
check_match "  saying so" "$ERR" "readable by group or others"
base_cfg "$T/weak.pem" rsa1
run_rc "$ENCORE" dispatch --once --config "$T/delivery.json"
check "a 1024-bit RSA key is refused" "$RC" 2
base_cfg "$T/missing.pem" rsa1
run_rc "$ENCORE" dispatch --once --config "$T/delivery.json"
check "a missing key file is an error" "$RC" 1

# --- rsa-sha256 through SMTP, verified by python3-dkim ----------------------------------------
base_cfg "$T/rsa.pem" rsa1
run_rc "$ENCORE" dispatch --once --json --config "$T/delivery.json"
check "rsa: both sent" "$(jget "$OUT" 'd["sent"]')" 2
mkdir -p "$T/rsa-mail"; mv "$T/mail"/* "$T/rsa-mail/"
# --- ed25519-sha256 -------------------------------------------------------------------------------
campaign autumn
"$ENCORE" campaign start "$T/autumn.json" >/dev/null
base_cfg "$T/ed.pem" ed1
run_rc "$ENCORE" dispatch --once --json --config "$T/delivery.json"
check "ed25519: both sent" "$(jget "$OUT" 'd["sent"]')" 2
mkdir -p "$T/ed-mail"; mv "$T/mail"/* "$T/ed-mail/"

cat >"$T/verify.py" <<'PYEOF'
import dkim, glob, json, sys, email
from email import policy
recs = {}
for f in sys.argv[2:]:
    d = json.load(open(f))
    recs[d["name"] + "."] = d["record"].encode()
def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return recs.get(n if n.endswith(".") else n + ".", b"")
ok = bad = 0
out = []
for eml in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    raw = open(eml, "rb").read()
    good = dkim.verify(raw, dnsfunc=dnsfunc)
    m = email.message_from_bytes(raw, policy=policy.default)
    sig = " ".join(str(m["DKIM-Signature"]).split())
    tags = dict(t.strip().split("=", 1) for t in sig.split(";") if "=" in t)
    h = tags["h"].split(":")
    covered = all(x in h for x in ["from", "to", "subject", "date", "message-id", "mime-version",
                                   "content-type", "list-unsubscribe", "list-unsubscribe-post", "list-id"])
    ok += good and covered and tags["c"] == "relaxed/relaxed"
    bad += not good
    # tampering with a signed header or the body breaks it
    t1 = raw.replace(b"Subject:", b"Subject: FREE", 1)
    t2 = raw.replace(b"Hello", b"Hullo", 1)
    bad -= dkim.verify(t1, dnsfunc=dnsfunc) + dkim.verify(t2, dnsfunc=dnsfunc)
    out.append(tags["a"])
print(ok, bad, " ".join(sorted(set(out))))
PYEOF
check "rsa-sha256: every mail verifies, signs the 10 headers, relaxed/relaxed; tampering fails" \
  "$($PY "$T/verify.py" "$T/rsa-mail" "$T/rsa.json" "$T/ed.json")" "2 0 rsa-sha256"
check "ed25519-sha256 (RFC 8463): every mail verifies; tampering fails" \
  "$($PY "$T/verify.py" "$T/ed-mail" "$T/rsa.json" "$T/ed.json")" "2 0 ed25519-sha256"
# with another key published under the selector, verification fails
"$ENCORE" dkim keygen --domain shop.example --selector ed1 --algorithm ed25519 --out "$T/ed-other.pem" --json >"$T/ed-other.json"
check "a signature does not verify against another key" \
  "$($PY "$T/verify.py" "$T/ed-mail" "$T/ed-other.json" | cut -d' ' -f1,2)" "0 2"

# --- List-Unsubscribe, List-Unsubscribe-Post and List-Id on every marketing mail --------------
hdrs() { $PY - "$1" <<'PYEOF'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
lu = " ".join(str(m["List-Unsubscribe"]).split())
print("https" if "<https://t.shop.example/u/" in lu else "-", "mailto" if "<mailto:unsub@shop.example?" in lu else "-",
      m["List-Unsubscribe-Post"], m["List-Id"])
PYEOF
}
check "List-Unsubscribe (mailto and https), one-click and List-Id" \
  "$(hdrs "$(ls "$T/rsa-mail"/*.eml | head -1)")" "https mailto List-Unsubscribe=One-Click summer <summer.list.shop.example>"

# --- the policy's unsubscribe_url is the fallback route --------------------------------------
printf '{"quiet_hours": null, "caps": [], "unsubscribe_url": "https://t.shop.example"}\n' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null
campaign winter
"$ENCORE" campaign start "$T/winter.json" >/dev/null
run_rc "$ENCORE" dispatch --once --json --set email.kind=smtp --set "email.url=$SMTP" --set "email.from=Shop <news@shop.example>"
check "no route of its own: the policy's unsubscribe_url is used" "$(jget "$OUT" 'd["sent"]')" 2
check_match "  as the List-Unsubscribe header" "$(hdrs "$(ls "$T/mail"/*.eml | head -1)")" "^https - List-Unsubscribe=One-Click winter"
e2e_done
