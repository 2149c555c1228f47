#!/usr/bin/env bash
# campaign.sh [N] — planning and writing a one-off campaign to N customers (default 100,000),
# side by side with what a user would otherwise run: a SQL "mail merge" in sqlite3 that selects
# the customers with email consent in force, holds out 10% at random and inserts one message
# each into the same outbox table (no frequency caps, quiet hours, suppressions, coupons,
# recommendations or templates — the floor for putting messages into the store).
# The store (`encore gen --customers N` + import) is built once and kept in $BENCH_CACHE
# (default /tmp/encore-bench-campaign). Each writing run starts from a fresh copy of it.
#   1. encore campaign plan FILE --json --sample 0   (dry run: read, decide, count)
#   2. encore campaign start FILE                    (decide, draw coupons, render, write)
#   3. sqlite3 with the INSERT ... SELECT
# Prints the hyperfine tables and the counts; append a section to bench/RESULTS.md by hand.
set -euo pipefail
N=${1:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ENCORE=$root/build/encore
make -s build/encore
command -v hyperfine >/dev/null || { echo "bench/campaign.sh: hyperfine is missing" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench/campaign.sh: sqlite3 is missing" >&2; exit 1; }

cache=${BENCH_CACHE:-/tmp/encore-bench-campaign}
db=$cache/campaign-$N.db
mkdir -p "$cache"
if [ ! -s "$db.done" ]; then
  rm -f "$db" "$db-wal" "$db-shm"
  shop=$(mktemp -d "$cache/shop.XXXXXX")
  echo "building the store: encore gen --customers $N + import (once; kept in $db)" >&2
  "$ENCORE" gen --customers "$N" --seed 1 --out "$shop" >/dev/null
  for kind in products customers orders events feedback consents; do
    "$ENCORE" --db "$db" import "$kind" "$shop/$kind.csv" >/dev/null
  done
  rm -rf "$shop"
  sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;" >/dev/null
  date > "$db.done"
fi

AT="2026-01-05 12:00"
f=$cache/once.json
cat > "$f" <<'EOF'
{
  "name": "bench-once",
  "trigger": {"type": "once"},
  "channels": ["email", "sms"],
  "offer": {"kind": "value", "amount": 5.00, "min_spend": 30.00, "expires": "14d", "prefix": "BN"},
  "items": {"from": "top_categories", "max": 3},
  "content": {
    "email": {"subject": "{{customer.first_name | \"Hello\"}}, 5.00 off",
              "text": "Use {{coupon.code}} until {{coupon.expires}}.\n{{#items}}- {{name}} ({{price}})\n{{/items}}{{unsubscribe_url}}",
              "html": "<p>Use <b>{{coupon.code}}</b> until {{coupon.expires}}.</p><ul>{{#items}}<li>{{name}}</li>{{/items}}</ul>"},
    "sms": {"text": "{{coupon.value}} off with {{coupon.code}}. STOP to opt out"}
  },
  "holdout": 0.1
}
EOF
work=$cache/work.db
fresh="rm -f $work $work-wal $work-shm && cp $db $work"
eval "$fresh"
"$ENCORE" --db "$work" campaign plan "$f" --at "$AT" --json --sample 0 > "$cache/plan.json"

AT_EPOCH=$(date -u -d "$AT" +%s)
SQL="INSERT INTO messages(campaign, variant, customer_id, channel, address, subject, body_text,
  idempotency_key, priority, state, attempts, next_attempt_at, created_at, due_at)
SELECT 'sql-once', 'A', c.id, 'email', c.email, 'Hello ' || coalesce(c.name, ''),
  'Dear ' || coalesce(c.name, 'customer') || ', 5.00 off your next order.',
  'sql-once|' || c.id || '|email|once', 5, 'queued', 0, $AT_EPOCH, $AT_EPOCH, $AT_EPOCH
FROM customers c
WHERE c.merged_into IS NULL AND c.email IS NOT NULL AND abs(random()) % 10 != 0
  AND (SELECT k.granted FROM consents k WHERE k.customer_id = c.id AND k.purpose = 'marketing'
       AND k.channel IN ('email', 'all') AND k.ts < $AT_EPOCH
       ORDER BY k.ts DESC, k.id DESC LIMIT 1) = 1
  AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.channel IN ('email', '*') AND s.address = c.email);"

hyperfine --warmup 1 --runs "${RUNS:-3}" --export-markdown "$cache/results.md" \
  -n "encore campaign plan" --prepare true "$ENCORE --db $work campaign plan $f --at '$AT' --json --sample 0" \
  -n "encore campaign start" --prepare "$fresh" "$ENCORE --db $work campaign start $f --at '$AT' --json" \
  -n "sqlite3 INSERT ... SELECT" --prepare "$fresh" "sqlite3 $work \"$SQL\""
cat "$cache/results.md"
eval "$fresh"
"$ENCORE" --db "$work" campaign start "$f" --at "$AT" --json > "$cache/start.json"
sqlite3 "$work" "$SQL"
echo "encore plan:  $(cat "$cache/plan.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print({k: d[k] for k in ("audience","eligible","holdout","coupons")}, d["excluded"], d["deferred"])')"
echo "encore start: $(cat "$cache/start.json")"
echo "sqlite3:      $(sqlite3 "$work" "SELECT count(*) FROM messages WHERE campaign = 'sql-once'") messages"
echo "encore messages with a coupon code in the text: $(sqlite3 "$work" "SELECT count(*) FROM messages m JOIN coupons c ON c.message_key = m.idempotency_key WHERE instr(m.body_text, c.code) > 0")"
