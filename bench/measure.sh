#!/usr/bin/env bash
# measure.sh [N] — `encore campaign report` on a one-off campaign to the customers of a
# generated shop of N (default 100,000), side by side with what an analyst would otherwise run:
# a pandas + scipy script over the same SQLite file (bench/measure_pandas.py: the same rule for
# one channel, conversions, revenue, z-test and Welch; no funnel, costs, intervals or A/B).
# The store (`encore demo --customers N`: generated and imported) is built once and kept in $BENCH_CACHE
# (default /tmp/encore-bench-measure); then, on a copy: the campaign is started (two variants,
# 20% holdout, a coupon in B), its messages marked delivered (as a dispatcher would), and
# follow-up orders written in SQL: 8% of the holdout, 10% of A, 12% of B buy a day after, a
# third of B's buyers with the coupon (set as redeemed). Prints the hyperfine table and both
# tools' counts, which must agree; append a section to bench/RESULTS.md by hand.
set -euo pipefail
N=${1:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
make -s build/encore
for tool in hyperfine sqlite3; do
  command -v $tool >/dev/null || { echo "bench/measure.sh: $tool is missing" >&2; exit 1; }
done
E="$root/build/encore"
cache=${BENCH_CACHE:-/tmp/encore-bench-measure}
base=$cache/shop-$N.db
mkdir -p "$cache"
# the shop: `encore demo` generates it (seed 1) and imports it, once
[ -s "$base.done" ] || {
  echo "building the store with encore demo --customers $N (once; kept in $base)" >&2
  rm -rf "$base" "$base-wal" "$base-shm" "$cache/shop"
  "$E" --db "$base" demo --customers "$N" --seed 1 --out "$cache/shop" >/dev/null
  rm -rf "$cache/shop"
  sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null && date > "$base.done"
}
db=$cache/measure-$N.db
rm -f "$db" "$db-wal" "$db-shm"
cp "$base" "$db"
AT="2026-01-05 12:00"
T=$(date -u -d "$AT" +%s)
cat > "$cache/camp.json" <<'EOF'
{"name": "bench-measure", "trigger": {"type": "once"}, "channels": ["email"],
 "content": {"email": {"subject": "Hello", "text": "{{#coupon.code}}{{coupon.code}}{{/coupon.code}}"}},
 "variants": [{"name": "A", "share": 0.5},
              {"name": "B", "share": 0.5, "offer": {"kind": "value", "amount": 5.00, "expires": "30d"}}],
 "holdout": 0.2}
EOF
echo '{"quiet_hours": null}' > "$cache/policy.json"
"$E" --db "$db" campaign policy "$cache/policy.json" >/dev/null
"$E" --db "$db" campaign start "$cache/camp.json" --at "$AT" >/dev/null
sqlite3 "$db" >/dev/null <<EOF
UPDATE messages SET state = 'sent', sent_at = due_at + 60 WHERE campaign = 'bench-measure';
CREATE TEMP TABLE buy AS SELECT m.customer_id AS c, m.holdout AS h, m.variant AS v, m.at AS at,
  m.message_key AS k, abs(random()) % 1000 AS u FROM campaign_members m WHERE m.campaign = 'bench-measure';
INSERT INTO orders(source, order_key, customer_id, ts, status, sales, total, items)
  SELECT 'bench', 'b' || c, c, at + 86400, 'paid', 1000 + abs(random()) % 9000, 0, 1 FROM buy
  WHERE u < CASE WHEN h = 1 THEN 80 WHEN v = 'A' THEN 100 ELSE 120 END;
UPDATE coupons SET redeemed_order = (SELECT o.id FROM orders o WHERE o.source = 'bench'
  AND o.customer_id = coupons.customer_id), redeemed_at = $T + 86400
  WHERE campaign = 'bench-measure' AND customer_id % 3 = 0 AND EXISTS (SELECT 1 FROM orders o
  WHERE o.source = 'bench' AND o.customer_id = coupons.customer_id);
PRAGMA wal_checkpoint(TRUNCATE);
EOF
AS_OF=$((T + 30 * 86400))
echo "# members: $(sqlite3 "$db" "SELECT count(*) FROM campaign_members WHERE campaign = 'bench-measure'"), follow-up orders: $(sqlite3 "$db" "SELECT count(*) FROM orders WHERE source = 'bench'")"
echo "# encore:"
"$E" --db "$db" campaign report bench-measure --at "$AS_OF" --json | /usr/bin/python3 -c "
import json, sys
d = json.load(sys.stdin)
for g in d['groups']:
    if g['kind'] == 'treated': continue
    u = g['uplift']
    print(g['name'], g['audience'], g['converted'], round(g['revenue'] * 100),
          '' if not u else 'uplift %.5f p %.3g welch p %.3g' % (u['conversion']['difference'], u['conversion']['p_value'], u['revenue_per_customer']['p_value']))"
echo "# pandas:"
/usr/bin/python3 bench/measure_pandas.py "$db" bench-measure "$AS_OF" $((7 * 86400))
hyperfine --warmup 1 --runs 5 --export-markdown "$cache/results.md" \
  -n "encore campaign report --json" "$E --db $db campaign report bench-measure --at $AS_OF --json" \
  -n "pandas + scipy (bench/measure_pandas.py)" "/usr/bin/python3 bench/measure_pandas.py $db bench-measure $AS_OF $((7 * 86400))"
cat "$cache/results.md"
