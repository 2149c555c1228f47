#!/usr/bin/env bash
# test_clicks.sh — click and open tracking from a real message to the campaign report. The
# policy names the tracking server (`track_base_url`, `encore serve` on the same store); a
# campaign whose email carries two product links and a shop link (from a field, with '&') is
# started and `encore dispatch` sends it to a local SMTP sink (tests/peers/smtp_sink.py). From
# the mail Ann received: every http(s) link of both parts is a signed /t/c/ link naming her
# message's outbox id, the unsubscribe and mailto: links are as written, the HTML part has the
# /t/o/ pixel; following a product link through the server redirects to the original URL (the
# &amp; decoded), the pixel answers a GIF, and `encore campaign report NAME --json` then counts
# clicked = 1 and opened = 1 for Ann's variant and nothing for Bob's. A campaign with
# "track_links": false and "track_opens": false keeps its links as written.
. "$(dirname "$0")/lib.sh"

T=$E2E_TMP
trap e2e_cleanup EXIT
unset ENCORE_DELIVERY_CONFIG ENCORE_SECRET

# --- the shop: two customers who agreed to email marketing ---------------------------------
printf 'customer_id,email,name,timezone\nB2,bob@example.com,Bob,UTC\nA1,ann@example.com,Ann,UTC\n' \
  >"$T/customers.csv"
printf 'customer_id,channel,purpose,status,time\nA1,email,marketing,granted,2025-01-01\nB2,email,marketing,granted,2025-01-01\n' \
  >"$T/consents.csv"
run_rc "$ENCORE" import customers "$T/customers.csv"; check "import customers" "$RC" 0
run_rc "$ENCORE" import consents "$T/consents.csv"; check "import consents" "$RC" 0
# three messages already in the outbox, so that message ids and customer ids differ
for i in 1 2 3; do
  printf '{"idempotency_key":"old-%d","channel":"email","address":"old%d@example.com","subject":"old","text":"old"}\n' $i $i
done >"$T/old.jsonl"
run_rc "$ENCORE" outbox enqueue "$T/old.jsonl"; check "three older messages queued" "$RC" 0

# --- the peers: an SMTP sink and the tracking server ---------------------------------------
$PY "$PEERS/smtp_sink.py" --port-file "$T/smtp.port" --dir "$T/mail" & E2E_PIDS="$E2E_PIDS $!"
wait_port "$T/smtp.port" || not_ok "SMTP sink started"
SMTP_PORT=$(cat "$T/smtp.port")
"$ENCORE" serve --listen 127.0.0.1:0 --json >"$T/serve.out" 2>"$T/serve.err" & SRV=$!
E2E_PIDS="$E2E_PIDS $SRV"
PORT=$(serve_port "$T/serve.err")
if [ -n "$PORT" ]; then ok "server started"; else not_ok "server started" "$(cat "$T/serve.err")"; fi
BASE="http://127.0.0.1:$PORT"

# --- the policy: the tracking server for links, pixels and unsubscribes --------------------------
printf '{"quiet_hours": null, "unsubscribe_url": "%s", "track_base_url": "%s/",
  "shop_url": "https://shop.example/?utm_source=encore&utm_medium=email"}\n' "$BASE" "$BASE" >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json" --json
check "policy: track_base_url kept without its '/'" "$(jget "$OUT" 'd["track_base_url"]')" "$BASE"
run_rc "$ENCORE" campaign policy
check_match "  and shown" "$OUT" "tracking: clicks $BASE/t/c/\.\.\., opens $BASE/t/o/"
printf '{"track_base_url": "%s/?x=1"}\n' "$BASE" >"$T/bad.json"
run_rc "$ENCORE" campaign policy "$T/bad.json"
check_match "a track_base_url with a query is refused" "$RC $ERR" "^1 encore: campaign: .*track_base_url: expected the tracking server's base URL"

# (the campaign's name puts Ann and Bob in different variants: assignment hashes it)
cat >"$T/new-in.json" <<'JSON'
{"name": "new-in", "trigger": {"type": "once"}, "channels": ["email"],
 "variants": [{"name": "A", "share": 0.5}, {"name": "B", "share": 0.5}],
 "content": {"email": {
   "subject": "New in for {{customer.name}}",
   "text": "Hi {{customer.name}}\nRed shirt: https://shop.example/p/sku-1?color=red&size=m\nBlue shirt: https://shop.example/p/sku-2.\nShop: {{shop.url}}\nHelp: mailto:help@shop.example\nUnsubscribe: {{unsubscribe_url}}",
   "html": "<html><body><p>Hi {{customer.name}}</p><a href=\"https://shop.example/p/sku-1?color=red&amp;size=m\">Red shirt</a> <A HREF='https://shop.example/p/sku-2'>Blue shirt</A> <a href=\"{{shop.url}}\">Shop</a> <a href=\"mailto:help@shop.example\">Help</a> <a href=\"{{unsubscribe_url}}\">Unsubscribe</a></body></html>"}}}
JSON
# the same campaign with tracking turned off
sed -e 's/"name": "new-in"/"name": "plain", "track_links": false, "track_opens": false/' "$T/new-in.json" >"$T/plain.json"

# --- dry runs: what tracking does to a message ---------------------------------------------------
run_rc "$ENCORE" campaign plan "$T/new-in.json" --json
check "plan: tracking on, with the server" "$(jget "$OUT" 'd["tracking"]')" "{'base_url': '$BASE', 'links': True, 'opens': True}"
check "plan: the sample's links are tracking links" \
  "$(jget "$OUT" 'd["sample"][0]["html"].count("/t/c/"), d["sample"][0]["html"].count("/t/o/"), d["sample"][0]["text"].count("/t/c/")')" "3 1 3"
run_rc "$ENCORE" campaign plan "$T/plain.json" --json
check "plan with track_links/track_opens false: off" "$(jget "$OUT" 'd["tracking"]["links"], d["tracking"]["opens"]')" "False False"
check "  the links as written, no pixel" \
  "$(jget "$OUT" '"/t/" in d["sample"][0]["html"] + d["sample"][0]["text"], "https://shop.example/p/sku-1?color=red&amp;size=m" in d["sample"][0]["html"]')" "False True"

# --- start and send ----------------------------------------------------------------------------
run_rc "$ENCORE" campaign start "$T/new-in.json" --json
check "start: two messages" "$(jget "$OUT" 'd["added"]')" 2
# each message: text 3 (two products, the shop), HTML 3
check "start: 12 links tracked, none left" "$(jget "$OUT" 'd["links"]["tracked"], d["links"]["untracked"]')" "12 0"
cat >"$T/delivery.json" <<JSON
{ "channels": {
    "email": {"kind": "smtp", "url": "smtp://127.0.0.1:$SMTP_PORT", "from": "Shop <news@shop.example>",
              "tracking_url": "$BASE"} } }
JSON
export ENCORE_DELIVERY_CONFIG="$T/delivery.json"
run_rc "$ENCORE" dispatch --once --json
check "dispatch: five sent (the older ones too)" "$(jget "$OUT" 'd["sent"], d["failed"]')" "5 0"
eml=$(grep -l ann@example.com "$T/mail"/*.json | sed 's/\.json$/.eml/')
[ -f "$eml" ] && ok "Ann got her mail" || not_ok "Ann got her mail"

# the links of Ann's mail as a mail client reads them (MIME decoded, HTML parsed)
$PY - "$eml" >"$T/links.txt" <<'PYEOF'
import email, re, sys
from email import policy
from html.parser import HTMLParser
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
html = m.get_body(preferencelist=("html",)).get_content()
text = m.get_body(preferencelist=("plain",)).get_content()
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a": print("href", a.get("href"))
        if tag == "img": print("img", a.get("src"), a.get("width"), a.get("height"))
P().feed(html)
for u in re.findall(r"(?:https?|mailto):\S+", text): print("text", u)
print("end", html.rstrip()[-14:])
PYEOF
hrefs=$(sed -n 's/^href //p' "$T/links.txt")
check "HTML: five links" "$(echo "$hrefs" | wc -l)" 5
check "  three tracked (two products, the shop)" "$(echo "$hrefs" | grep -cE "^$BASE/t/c/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$")" 3
check "  the mailto: link as written" "$(echo "$hrefs" | sed -n 4p)" "mailto:help@shop.example"
check_match "  the unsubscribe link as written (/u/)" "$(echo "$hrefs" | sed -n 5p)" "^$BASE/u/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
check_match "HTML: the open pixel, 1x1" "$(sed -n 's/^img //p' "$T/links.txt")" "^$BASE/t/o/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22} 1 1$"
check "  before </body>" "$(sed -n 's/^end //p' "$T/links.txt")" "</body></html>"
texts=$(sed -n 's/^text //p' "$T/links.txt")
check "text: three tracked links (the sentence's '.' kept outside)" "$(echo "$texts" | grep -cE "^$BASE/t/c/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}\.?$")" 3
check "  mailto: and unsubscribe as written" "$(echo "$texts" | grep -c -e '^mailto:help@shop.example$' -e "^$BASE/u/")" 2

# the first product link: a token of Ann's message, naming the URL with &amp; decoded
RED=$(echo "$hrefs" | sed -n 1p)
SHOP=$(echo "$hrefs" | sed -n 3p)
run_rc "$ENCORE" token check "${RED##*/t/c/}" --json
ANN_MSG=$(sql "SELECT id FROM messages WHERE address = 'ann@example.com'")
ANN=$(sql "SELECT id FROM customers WHERE external_id = 'A1'")
check "the click token names Ann's message, her, the campaign and the product" \
  "$(jget "$OUT" 'd["kind"], d["message_id"], d["customer_id"], d["campaign"], d["channel"], d["url"]')" \
  "click $ANN_MSG $ANN new-in email https://shop.example/p/sku-1?color=red&size=m"
run_rc "$ENCORE" token check "${SHOP##*/t/c/}" --json
check "the shop link (a field, escaped for HTML) names the URL as given" "$(jget "$OUT" 'd["url"]')" \
  "https://shop.example/?utm_source=encore&utm_medium=email"

# --- Ann clicks and opens, through the server ------------------------------------------------------
check "GET the product link: 302 to the product" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$RED")" \
  "302 https://shop.example/p/sku-1?color=red&size=m"
PIX=$(sed -n 's/^img \([^ ]*\) .*/\1/p' "$T/links.txt")
check "GET the pixel: a GIF" "$(curl -s -o "$T/pixel.gif" -w '%{http_code} %{content_type}' "$PIX")" "200 image/gif"
check "  of 43 bytes" "$(stat -c %s "$T/pixel.gif")" 43
# clicks and opens are written right behind the answer
if wait_for "SELECT count(*) FROM events WHERE type IN ('message_click', 'message_open')" 2 100; then
  ok "the server recorded the click and the open"
else not_ok "the server recorded the click and the open" "$(sql "SELECT type, props FROM events")"; fi
check "  on Ann's message" "$(sql "SELECT count(*) FROM events WHERE customer_id = $ANN AND json_extract(props, '\$.message_id') = $ANN_MSG")" 2

# --- the report --------------------------------------------------------------------------------
VAR=$(sql "SELECT variant FROM messages WHERE id = $ANN_MSG")
BOBVAR=$(sql "SELECT variant FROM messages WHERE address = 'bob@example.com'")
run_rc "$ENCORE" campaign report new-in --json
check "report: Ann's variant $VAR clicked 1, opened 1" \
  "$(jget "$OUT" '[(g["clicked"], g["opened"], g["delivered"] >= 1) for g in d["groups"] if g["name"] == "'"$VAR"'"]')" "[(1, 1, True)]"
check "report: every variant together clicked 1, opened 1" \
  "$(jget "$OUT" '[(g["clicked"], g["opened"]) for g in d["groups"] if g["kind"] == "treated"]')" "[(1, 1)]"
check "Ann and Bob are in different variants" "$([ "$BOBVAR" != "$VAR" ] && echo yes)" yes
check "report: Bob's variant $BOBVAR nothing" \
  "$(jget "$OUT" '[(g["clicked"], g["opened"], g["delivered"]) for g in d["groups"] if g["name"] == "'"$BOBVAR"'"]')" "[(0, 0, 1)]"
check "report: the A/B comparison sees the click" \
  "$(jget "$OUT" 'sum(v["clicked"] for v in d["ab"]["variants"])')" 1

# --- a campaign without tracking sends its links as written -----------------------------------------
run_rc "$ENCORE" campaign start "$T/plain.json" --json
check "plain: two messages, no link tracked" "$(jget "$OUT" 'd["added"], d["links"]["tracked"]')" "2 0"
run_rc "$ENCORE" dispatch --once --json
check "plain: sent" "$(jget "$OUT" 'd["sent"]')" 2
check "plain: no tracking link in its bodies" \
  "$(sql "SELECT count(*) FROM messages WHERE campaign = 'plain' AND (instr(body_html, '/t/') OR instr(body_text, '/t/') OR NOT instr(body_html, 'https://shop.example/p/sku-1?color=red&amp;size=m'))")" 0
e2e_done
