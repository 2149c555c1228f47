#!/usr/bin/env bash
# test_loop.sh — the whole loop on a generated shop of 3,000 customers, with the real binary:
# gen -> import -> score -> playbooks and a measured campaign, driven by `encore tick --now`
# with a fixed test clock (before the real one, so that the messages are due) -> the
# server's dispatcher sends to a local SMTP sink, a local webhook sink and the in-site inbox ->
# simulated customers (`encore gen respond`, true uplift 0.03) open and click through the
# tracking links of the running `encore serve`, and buy (orders imported, coupons redeemed) ->
# `encore campaign report` recovers the uplift within its 95% interval; counts, clicks
# recorded, orders and redemptions are checked on the way.
. "$(dirname "$0")/lib.sh"

T=$E2E_TMP
trap e2e_cleanup EXIT
fmt() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
unset ENCORE_DELIVERY_CONFIG ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL
export ENCORE_WRITE_KEY="loop-write-key-0123456789"
START=$(date +%s)

# --- the clock: the shop's history is 2024-2025 (gen's fixed default); the test clock T0 is the
# morning after, so that every draw, and so every figure below, is the same on every run. The
# dispatcher runs on the real clock (messages due at T0 are due now): reached customers' windows
# start at the real delivery, the holdout's at T0 (their membership), as attribution has it.
# The offer allows 10 years to send (send_within): the dispatcher expires messages past their
# deadline at their turn, and T0 is fixed while the real clock moves on.
NOW=$(date -u +%s)
T0=$(date -u -d '2026-01-01 09:00:00' +%s)
END_DAY=2025-12-31

# --- gen respond: usage ------------------------------------------------------------------------
run_rc "$ENCORE" gen respond --help
check "gen respond --help exits 0" "$RC" 0
check_match "  and describes the files" "$OUT" "orders.csv.*opens.txt, clicks.txt"
run_rc "$ENCORE" gen respond --out "$T/x"
check "gen respond without --campaign: usage error" "$RC" 2
check_match "  says so" "$ERR" "^encore: gen respond: --campaign NAME is required"
run_rc "$ENCORE" gen respond --campaign c --out "$T/x" --base-rate 0.9 --uplift 0.2
check_match "gen respond: base + uplift over 1 refused" "$RC $ERR" "^2 encore: gen respond: --base-rate \+ --uplift must be from 0 to 1"
run_rc "$ENCORE" gen respond --campaign c --out "$T/x" --click-rate 2
check_match "gen respond: a rate over 1 refused" "$RC $ERR" "^2 encore: gen respond: --click-rate: '2' is not a number from 0 to 1"
run_rc "$ENCORE" gen respond --campaign c --out "$T/x" --window 0s
check "gen respond: an empty window refused" "$RC" 2
run_rc "$ENCORE" gen respond --campaign nowhere --out "$T/x"
check "gen respond: an unknown campaign is a failure" "$RC $ERR" "1 encore: gen respond: no campaign named 'nowhere'"

# --- import -> score ---------------------------------------------------------------------------
run_rc "$ENCORE" gen --customers 3000 --seed 11 --out "$T/shop"
check "gen: a shop of 3,000 customers" "$RC" 0
for k in products customers orders events feedback consents; do
  run_rc "$ENCORE" import "$k" "$T/shop/$k.csv" --json
  check "import $k" "$(jget "$OUT" 'd["rejected"]')" 0
done
run_rc "$ENCORE" score --as-of "$END_DAY"
check "score" "$RC" 0

# --- campaigns: three playbooks and a measured offer -------------------------------------------------
printf '{"quiet_hours": null, "caps": [{"channel": "all", "max": 10, "window": "1d"}], "shop_url": "https://shop.example/"}' >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json"
check "contact policy set" "$RC" 0
for p in first-purchase-thanks cart-reminder win-back; do
  run_rc "$ENCORE" playbook install "$p"
  check "playbook $p installed" "$RC" 0
  run_rc "$ENCORE" campaign start "$p" --at "$(fmt $T0)" --json
  check "playbook $p started at T0" "$RC" 0
done
cat >"$T/offer.json" <<'JSON'
{"name": "loop-offer", "description": "one-off offer to buyers we can reach, with a 30% control group",
 "audience": "orders >= 1 and (consent(\"email\") or consent(\"sms\"))",
 "trigger": {"type": "once"}, "channels": ["email", "sms"], "holdout": 0.3, "priority": 9,
 "send_within": "3650d",
 "offer": {"kind": "value", "amount": 5.00, "min_spend": 30.00, "expires": "2036-01-01", "prefix": "LOOP"},
 "items": {"from": "top_categories", "max": 3},
 "content": {"email": {"subject": "{{customer.first_name | \"Hello\"}}, 5.00 off for you",
                       "text": "Use {{coupon.code}} until {{coupon.expires}}.\n{{#items}}- {{name}}\n{{/items}}",
                       "html": "<p>Use <b>{{coupon.code}}</b></p>"},
             "sms": {"text": "{{shop.name}}: 5.00 off with {{coupon.code}}. Reply STOP to opt out."}}}
JSON
run_rc "$ENCORE" campaign start "$T/offer.json" --at "$(fmt $T0)" --json
check "the measured campaign started at T0" "$RC" 0
echo "# loop-offer: $(jget "$OUT" '"audience %d, messages %d, holdout %d" % (d["audience"], d["messages"], d["holdout"])')"
for h in 1 2; do
  run_rc "$ENCORE" tick --now "$(fmt $((T0 + h * 3600)))" --json
  check "tick at T0 + ${h}h" "$RC" 0
done
PLAYBOOK_MSGS=$(sql "SELECT count(*) FROM messages WHERE campaign != 'loop-offer'")
OFFER_MSGS=$(sql "SELECT count(*) FROM messages WHERE campaign = 'loop-offer'")
echo "# outbox: $OFFER_MSGS loop-offer messages, $PLAYBOOK_MSGS from the playbooks"
check "the playbooks planned messages too" "$([ "$PLAYBOOK_MSGS" -gt 0 ] && echo yes)" yes

# --- delivery through the server's dispatcher ---------------------------------------------------------
$PY "$PEERS/smtp_sink.py" --port-file "$T/smtp.port" --dir "$T/mail" & E2E_PIDS="$E2E_PIDS $!"
$PY "$PEERS/webhook_sink.py" --port-file "$T/hook.port" & E2E_PIDS="$E2E_PIDS $!"
wait_port "$T/smtp.port" && wait_port "$T/hook.port" || not_ok "sinks started"
cat >"$T/delivery.json" <<JSON
{"dispatch": {"batch": 500},
 "channels": {"email": {"kind": "smtp", "url": "smtp://127.0.0.1:$(cat "$T/smtp.port")", "from": "Shop <news@shop.example>",
                        "unsubscribe_mailto": "unsub@shop.example"},
              "sms":   {"kind": "webhook", "url": "http://127.0.0.1:$(cat "$T/hook.port")/sms", "shape": "sms"},
              "push":  {"kind": "webhook", "url": "http://127.0.0.1:$(cat "$T/hook.port")/push", "shape": "push"},
              "inapp": {"kind": "inbox"}}}
JSON
"$ENCORE" serve --listen 127.0.0.1:0 --config "$T/delivery.json" --tick-every 0 --dispatch-every 0.2 \
  --json >"$T/serve.out" 2>"$T/serve.err" & SRV=$!; E2E_PIDS="$E2E_PIDS $SRV"
PORT=$(serve_port "$T/serve.err")
[ -n "$PORT" ] || { not_ok "server started" "$(cat "$T/serve.err")"; e2e_done; exit 1; }
B="http://127.0.0.1:$PORT"
DUE="SELECT count(*) FROM messages WHERE state IN ('queued', 'sending') AND next_attempt_at <= strftime('%s', 'now')"
if wait_for "$DUE" 0 600; then ok "every due message sent by the server"
else not_ok "every due message sent by the server" "$(sql "SELECT channel, state, count(*) FROM messages GROUP BY 1, 2")"; fi
check "every loop-offer message delivered" "$(sql "SELECT count(*) FROM messages WHERE campaign = 'loop-offer' AND state = 'sent'")" "$OFFER_MSGS"
check "the SMTP sink has every email sent" "$(ls "$T/mail" | grep -c '\.eml$')" \
  "$(sql "SELECT count(*) FROM messages WHERE channel = 'email' AND state = 'sent'")"
check "the webhook sink has every sms and push sent" "$(jget "$(curl -s "http://127.0.0.1:$(cat "$T/hook.port")/stats")" 'd["unique"]')" \
  "$(sql "SELECT count(*) FROM messages WHERE channel IN ('sms', 'push') AND state = 'sent'")"
check "the inbox has every in-app message sent" "$(sql "SELECT count(*) FROM inbox")" \
  "$(sql "SELECT count(*) FROM messages WHERE channel = 'inapp' AND state = 'sent'")"
check "every loop-offer email carries its coupon code" "$(grep -l 'LOOP-' "$T/mail"/*.eml | wc -l)" \
  "$(sql "SELECT count(*) FROM messages WHERE campaign = 'loop-offer' AND channel = 'email'")"

# --- customers respond: opens and clicks through the server, then orders -----------------------------
run_rc "$ENCORE" gen respond --campaign loop-offer --base-rate 0.05 --uplift 0.03 --open-rate 0.4 \
  --click-rate 0.2 --coupon-use 0.6 --seed 5 --base-url "$B" --out "$T/resp" --json
check "gen respond" "$RC" 0
TRUTH=$OUT
echo "# drawn: $(jget "$TRUTH" '", ".join("%s %d/%d" % (k, g["buyers"], g["customers"]) for k, g in d["groups"].items())'); uplift $(jget "$TRUTH" 'round(d["drawn_uplift"], 4)')"
check "every member drawn: holdout + reached = the campaign's members" \
  "$(jget "$TRUTH" 'd["groups"]["holdout"]["customers"] + d["groups"]["reached"]["customers"] + d["groups"]["unreached"]["customers"]')" \
  "$(sql "SELECT count(DISTINCT customer_id) FROM campaign_members WHERE campaign = 'loop-offer'")"
check "the reached are those with a delivered message" "$(jget "$TRUTH" 'd["groups"]["reached"]["customers"]')" \
  "$(sql "SELECT count(DISTINCT customer_id) FROM messages WHERE campaign = 'loop-offer' AND state = 'sent'")"
# hit every tracking URL, as a mail client and a browser would (no redirects followed)
$PY - "$T/resp/opens.txt" "$T/resp/clicks.txt" >"$T/hits.out" <<'PYEOF'
import http.client, sys, urllib.parse, collections
codes = collections.Counter(); where = collections.Counter()
conn = None
for kind, path in (("open", sys.argv[1]), ("click", sys.argv[2])):
    for line in open(path):
        u = urllib.parse.urlsplit(line.strip())
        if conn is None:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        conn.request("GET", u.path)
        r = conn.getresponse(); r.read()
        codes[(kind, r.status)] += 1
        if kind == "click": where[r.getheader("Location")] += 1
print(sorted(codes.items()), sorted(where.items()))
PYEOF
OPENS=$(jget "$TRUTH" 'd["groups"]["reached"]["opens"]'); CLICKS=$(jget "$TRUTH" 'd["groups"]["reached"]["clicks"]')
check "every open answered 200 and every click redirected to the shop" "$(cat "$T/hits.out")" \
  "[(('click', 302), $CLICKS), (('open', 200), $OPENS)] [('https://shop.example/', $CLICKS)]"
if wait_for "SELECT count(*) FROM events WHERE type = 'message_click' AND json_extract(props, '\$.campaign') = 'loop-offer'" "$CLICKS" 100
then ok "every click recorded by the server ($CLICKS)"; else not_ok "every click recorded by the server"; fi
check "every open recorded ($OPENS)" "$(sql "SELECT count(*) FROM events WHERE type = 'message_open'")" "$OPENS"
check "clicks name the customers' own messages" \
  "$(sql "SELECT count(*) FROM events e JOIN messages m ON m.id = json_extract(e.props, '\$.message_id') WHERE e.type = 'message_click' AND m.customer_id = e.customer_id AND m.campaign = 'loop-offer'")" "$CLICKS"

LINES=$(jget "$TRUTH" 'sum(g["order_lines"] for g in d["groups"].values())')
COUPONS=$(jget "$TRUTH" 'd["groups"]["reached"]["coupon_orders"]')
# simulated responses lie up to weeks after the real clock: the import's time bound (issue 12)
# must be widened for them
run_rc "$ENCORE" import orders "$T/resp/orders.csv" --future-tolerance 5184000 --json
check "the orders imported to known customers, their coupons redeemed" \
  "$(jget "$OUT" '(d["imported"], d["rejected"], d["customers_created"], d["coupons_redeemed"])')" "($LINES, 0, 0, $COUPONS)"
check "redeemed coupons are the loop-offer's" "$(sql "SELECT count(*) FROM coupons WHERE campaign = 'loop-offer' AND redeemed_order IS NOT NULL")" "$COUPONS"
check "buyers per group in the store = drawn" \
  "$(sql "SELECT group_concat(n, ' ') FROM (SELECT count(DISTINCT o.customer_id) AS n FROM orders o JOIN campaign_members cm ON cm.customer_id = o.customer_id AND cm.campaign = 'loop-offer' WHERE o.order_key LIKE 'R-loop-offer-%' GROUP BY cm.holdout ORDER BY cm.holdout)")" \
  "$(jget "$TRUTH" '"%d %d" % (d["groups"]["reached"]["buyers"] + d["groups"]["unreached"]["buyers"], d["groups"]["holdout"]["buyers"])')"
kill -TERM $SRV; wait $SRV; RC=$?
check "the server stops cleanly" "$RC" 0
check "nothing left sending" "$(sql "SELECT count(*) FROM messages WHERE state = 'sending'")" 0
check "serve --json: the clicks and opens it recorded" "$(jget "$(cat "$T/serve.out")" '(d["clicks"], d["opens"], d["jobs_failed"])')" "($CLICKS, $OPENS, 0)"

# --- the report recovers the uplift ------------------------------------------------------------------
AT=$(fmt $((NOW + 9 * 86400)))   # after every window closed
run_rc "$ENCORE" campaign report loop-offer --at "$AT" --json
check "campaign report" "$RC" 0
REP=$OUT
check "report: audiences as drawn" \
  "$(jget "$REP" '[(g["kind"], g["audience"]) for g in d["groups"] if g["kind"] != "variant"]')" \
  "$(jget "$TRUTH" '[("treated", d["groups"]["reached"]["customers"] + d["groups"]["unreached"]["customers"]), ("holdout", d["groups"]["holdout"]["customers"])]')"
check "report: conversions as drawn" \
  "$(jget "$REP" '[(g["kind"], g["converted"]) for g in d["groups"] if g["kind"] != "variant"]')" \
  "$(jget "$TRUTH" '[("treated", d["groups"]["reached"]["buyers"] + d["groups"]["unreached"]["buyers"]), ("holdout", d["groups"]["holdout"]["buyers"])]')"
check "report: clicks as hit" "$(jget "$REP" '[g["clicked"] for g in d["groups"] if g["kind"] == "treated"][0]')" "$CLICKS"
CI=$(jget "$REP" '[g["uplift"]["conversion"]["ci"] for g in d["groups"] if g["kind"] == "treated"][0]')
echo "# report: uplift $(jget "$REP" '[round(g["uplift"]["conversion"]["difference"], 4) for g in d["groups"] if g["kind"] == "treated"][0]'), 95% interval $CI, true 0.03"
check "report: the true uplift 0.03 lies in the 95% interval" "$(jget "$CI" 'd[0] <= 0.03 <= d[1]')" True
echo "# loop test: $(( $(date +%s) - START )) s"
e2e_done
