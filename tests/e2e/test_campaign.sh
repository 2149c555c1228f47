#!/usr/bin/env bash
# test_campaign.sh — campaigns end to end on a generated shop (3,000 customers): every playbook
# is printed, planned (its counts add up to the audience: eligible + holdout + every exclusion
# reason) and started (what the plan said is what reaches the outbox), and a rerun adds
# nothing. Then, over everything in the outbox, checks written here in Python against the raw
# tables: no message to a customer without consent on its channel, none due in quiet hours
# in the customer's zone, none over a frequency cap in any window. Then tick with a clock,
# coupon redemption through `encore import orders`, the campaign commands and their errors.
. "$(dirname "$0")/lib.sh"

shop="$E2E_TMP/shop"
AT="2025-12-31 12:00"
demo_shop "$ENCORE_DB" "$shop" --customers 3000
check "demo shop generated" "$RC" 0
if "$ENCORE" score --help >/dev/null 2>&1; then
  run_rc "$ENCORE" score
  check "score the shop" "$RC" 0
fi

run_rc "$ENCORE" playbook list --json
check "playbook list: exit 0" "$RC" 0
check "playbook list: fifteen playbooks (five of them loyalty's), each with a description" \
  "$(jget "$OUT" 'sum(1 for p in d["playbooks"] if p["name"] and len(p["description"]) > 20)')" 15
names=$(jget "$OUT" '" ".join(p["name"] for p in d["playbooks"])')

total=0
for p in $names; do
  f="$E2E_TMP/$p.json"
  "$ENCORE" playbook show "$p" > "$f"
  check "$p: show prints a campaign file" "$(jget "$(cat "$f")" 'd["name"]')" "$p"
  run_rc "$ENCORE" campaign plan "$f" --at "$AT" --json
  check "$p: plan exit 0" "$RC" 0
  PLAN=$OUT
  check "$p: audience = eligible + holdout + exclusions" \
    "$(jget "$PLAN" 'd["eligible"] + d["holdout"] + sum(d["excluded"].values()) - d["audience"]')" 0
  check "$p: variants add up to the eligible" "$(jget "$PLAN" 'sum(d["variants"].values()) - d["eligible"]')" 0
  check "$p: channels add up to the eligible" "$(jget "$PLAN" 'sum(d["channels"].values()) - d["eligible"]')" 0
  check "$p: the contract's exclusion keys" \
    "$(jget "$PLAN" 'all(k in d["excluded"] for k in ("no_consent","frequency_cap","quiet_hours","suppressed"))')" True
  check "$p: sample messages are rendered" \
    "$(jget "$PLAN" 'all(m["key"].startswith(d["campaign"] + "|") and (m.get("text") or m.get("html")) and "{{" not in (m.get("text","") + m.get("html","") + m.get("subject","")) for m in d["sample"])')" True
  run_rc "$ENCORE" campaign start "$f" --at "$AT" --json
  check "$p: start exit 0" "$RC" 0
  check "$p: start writes what the plan showed" \
    "$(jget "$OUT" '(d["audience"], d["messages"], d["holdout"])')" "$(jget "$PLAN" '(d["audience"], d["eligible"], d["holdout"])')"
  check "$p: every planned message is new in the outbox" "$(jget "$OUT" 'd["added"] - d["messages"]')" 0
  total=$((total + $(jget "$OUT" 'd["added"]')))
  run_rc "$ENCORE" campaign start "$f" --at "$AT" --json
  check "$p: a rerun adds nothing" "$(jget "$OUT" '(d["added"], d["coupons"])')" "(0, 0)"
done
echo "# $total messages from the playbooks"
check "the playbooks reached customers" "$([ "$total" -gt 100 ] && echo yes)" yes
run_rc "$ENCORE" outbox --json
# displaced messages are cancelled (their campaign drops over a cap) or, with no time left before
# their deadline, expired (displaced_expired)
check "the outbox holds them all" "$(jget "$OUT" 'd["total"]["queued"] + d["total"]["cancelled"] + d["total"]["expired"]')" "$total"

# the rules, checked from the raw tables (the default policy: 2 in 7 days across channels,
# 1 SMS a day, quiet 21:00-08:00 local)
rules() {
/usr/bin/python3 - "$ENCORE_DB" <<'EOF'
import sqlite3, sys, collections
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
db = sqlite3.connect(sys.argv[1])
consent = {}
for cust, ch, granted, ts, rid in db.execute(
        "SELECT customer_id, channel, granted, ts, id FROM consents WHERE purpose = 'marketing' ORDER BY ts, id"):
    for c in (["email", "sms", "push", "wechat", "inapp"] if ch == "all" else [ch]):
        consent[(cust, c)] = granted
tz = {cid: z for cid, z in db.execute("SELECT id, tz FROM customers")}
msgs = db.execute("SELECT customer_id, channel, due_at FROM messages WHERE state NOT IN ('cancelled', 'expired')").fetchall()
bad_consent = sum(1 for c, ch, t in msgs if not consent.get((c, ch)))
def local_minute(c, t):
    z = ZoneInfo(tz[c]) if tz.get(c) else timezone.utc
    d = datetime.fromtimestamp(t, z)
    return d.hour * 60 + d.minute
bad_quiet = sum(1 for c, ch, t in msgs if local_minute(c, t) >= 21 * 60 or local_minute(c, t) < 8 * 60)
by = collections.defaultdict(list)
for c, ch, t in msgs:
    by[c].append((t, ch))
over = 0
for c, l in by.items():
    l.sort()
    for i, (t, ch) in enumerate(l):
        if sum(1 for u, _ in l if t <= u < t + 7 * 86400) > 2: over += 1
        if ch == "sms" and sum(1 for u, k in l if k == "sms" and t <= u < t + 86400) > 1: over += 1
print(len(msgs), bad_consent, bad_quiet, over)
EOF
}
read -r n bad_consent bad_quiet over <<< "$(rules)"
echo "# checked $n messages"
check "no message without consent on its channel" "$bad_consent" 0
check "no message due in quiet hours in the customer's zone" "$bad_quiet" 0
check "no customer over a frequency cap in any window" "$over" 0

# tick: a day later, then the same instant again
run_rc "$ENCORE" tick --now "2026-01-01 12:00" --json
check "tick: exit 0" "$RC" 0
check "tick: every playbook is running" "$(jget "$OUT" 'len(d["campaigns"])')" 15
check "tick: no campaign failed" "$(jget "$OUT" 'sum(1 for c in d["campaigns"] if "error" in c)')" 0
run_rc "$ENCORE" tick --now "2026-01-01 12:00" --json
check "tick again at the same time adds nothing" "$(jget "$OUT" 'sum(c["added"] for c in d["campaigns"])')" 0
read -r n bad_consent bad_quiet over <<< "$(rules)"
check "after ticks: still no rule broken" "$bad_consent $bad_quiet $over" "0 0 0"

# a customer uses a coupon: importing the order redeems it
row=$(/usr/bin/python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute('SELECT c.code, k.external_id FROM coupons c JOIN customers k ON k.id = c.customer_id WHERE k.external_id IS NOT NULL ORDER BY c.id LIMIT 1').fetchone()
print(r[0], r[1])" "$ENCORE_DB")
read -r code cust <<< "$row"
printf 'order_id,customer_id,time,status,coupon,sku,qty,unit_price\nX1,%s,2026-01-02 10:00:00,paid,%s,P10048,1,38.90\n' \
  "$cust" "$(echo "$code" | tr 'A-Z-' 'a-z ')" > "$E2E_TMP/redeem.csv"
run_rc "$ENCORE" import orders "$E2E_TMP/redeem.csv" --json
check "import orders: exit 0" "$RC" 0
check "import orders redeems the coupon typed in lower case" "$(jget "$OUT" 'd["coupons_redeemed"]')" 1
name=$(/usr/bin/python3 -c "
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute('SELECT campaign FROM coupons WHERE redeemed_order IS NOT NULL').fetchone()[0])" "$ENCORE_DB")
run_rc "$ENCORE" campaign show "$name" --json
check "campaign show counts the redemption" "$(jget "$OUT" 'd["coupons_redeemed"]')" 1

# commands
run_rc "$ENCORE" campaign list --json
check "campaign list: fifteen running" "$(jget "$OUT" 'sum(1 for c in d["campaigns"] if c["state"] == "running")')" 15
run_rc "$ENCORE" campaign pause win-back
check "pause" "$RC" 0
run_rc "$ENCORE" tick --now "2026-01-02 12:00" --json
check "a paused campaign is not advanced" "$(jget "$OUT" 'sum(1 for c in d["campaigns"] if c["campaign"] == "win-back")')" 0
run_rc "$ENCORE" campaign resume win-back
check "resume" "$RC" 0
run_rc "$ENCORE" campaign resume win-back
check "resume of a running campaign fails" "$RC" 1
run_rc "$ENCORE" campaign stop cart-reminder --json
check "stop cancels the queued messages" "$(jget "$OUT" '(d["state"], d["cancelled"] >= 0)')" "('stopped', True)"
run_rc "$ENCORE" campaign show cart-reminder --json
check "show: stopped, nothing queued" "$(jget "$OUT" '(d["state"], d["outbox"]["queued"])')" "('stopped', 0)"
run_rc "$ENCORE" playbook install birthday
check "install refuses an existing campaign" "$RC" 1
run_rc "$ENCORE" --db "$E2E_TMP/fresh.db" playbook install birthday --json
check "install into a fresh store: a draft" "$(jget "$OUT" 'd["state"]')" draft
run_rc "$ENCORE" --db "$E2E_TMP/fresh.db" campaign start birthday --json
check "start an installed campaign by name" "$RC" 0
printf '{"caps":[{"channel":"all","max":1,"window":"3d"}],"quiet_hours":{"start":"22:00","end":"07:30"}}' > "$E2E_TMP/policy.json"
run_rc "$ENCORE" campaign policy "$E2E_TMP/policy.json"
check "policy set" "$(jget "$OUT" '(d["caps"][0]["window"], d["quiet_hours"]["end"])')" "('3d', '07:30')"

# errors
printf '{"name": "x", "trigger": {"type": "once"}, "channels": ["email"],\n "content": {"email": {"subject": "{{customer.nmae}}", "text": "t"}}}' > "$E2E_TMP/bad.json"
run_rc "$ENCORE" campaign plan "$E2E_TMP/bad.json"
check "a bad template: exit 1" "$RC" 1
check_match "a bad template: the path and a suggestion" "$ERR" "bad.json: content.email.subject: unknown field 'customer.nmae'; did you mean 'customer.name'\?"
printf '{"name": "x",\n "trigger": {"type": "once"}, }' > "$E2E_TMP/bad2.json"
run_rc "$ENCORE" campaign plan "$E2E_TMP/bad2.json"
check_match "broken JSON: line and column" "$ERR" "bad2.json: line 2, column"
run_rc "$ENCORE" playbook show nope
check "unknown playbook: exit 1" "$RC" 1
run_rc "$ENCORE" tick --now yesterday
check "tick --now malformed: exit 2" "$RC" 2
run_rc "$ENCORE" campaign frobnicate
check "unknown subcommand: exit 2" "$RC" 2
for c in campaign playbook tick; do
  run_rc "$ENCORE" $c --help
  check "$c --help" "$RC" 0
done
e2e_done
