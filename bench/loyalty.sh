#!/usr/bin/env bash
# loyalty.sh [N] — the nightly loyalty jobs over N members (default 1,000,000): `encore points
# expire` (one expire entry per lot whose time has come) and `encore tiers review` (every
# member's qualifying spend over the rolling window; upgrades, drop dates, downgrades), timed
# under GNU time. The store is built with SQL straight into the loyalty tables (N members, 3 lots
# each of which one in three expires, 2 orders each in the window) so that the jobs, not the
# setup, are measured. Baseline: the same expiry as the two bare SQL statements in sqlite3.
set -eu
N=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
E="$ROOT/build/encore"
T=$(mktemp -d /tmp/encore-bench-loyalty.XXXXXX)
trap 'rm -rf "$T"' EXIT
DB="$T/l.db"
"$E" --db "$DB" loyalty programme "$ROOT/tests/data/loyalty/programme.json" >/dev/null
NOW=$(date -u -d 2026-06-15 +%s)
sqlite3 "$DB" <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO customers(id, source, source_key, external_id, tier, created_at, updated_at)
  SELECT i, 'bench', 'C' || i, 'C' || i, CASE WHEN i % 10 = 0 THEN 'gold' ELSE 'member' END, 0, 0 FROM n;
INSERT INTO members(customer_id, tier, tier_since, joined_at)
  SELECT id, tier, $NOW - 400 * 86400, $NOW - 400 * 86400 FROM customers;
-- two paid orders each in the last year: 300.00 to 3,300.00 (silver from 1,000.00, gold from 5,000.00)
INSERT INTO orders(id, source, order_key, customer_id, ts, status, total, sales, discount)
  SELECT id * 2 + k, 'bench', 'O' || (id * 2 + k), id, $NOW - (id % 300 + k * 20) * 86400, 'paid',
         30000 + (id % 31) * 10000, 30000 + (id % 31) * 10000, 0
  FROM customers, (SELECT 0 AS k UNION ALL SELECT 1);
-- three lots each: one expired by now for every third member, the others later
INSERT INTO points_entries(id, customer_id, ts, kind, points, created_at)
  SELECT id * 3 + k, id, $NOW - 200 * 86400, 'earn', 100 + k * 50, 0
  FROM customers, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2);
INSERT INTO points_lots(customer_id, entry_id, earned_at, expires_at, points, remaining)
  SELECT customer_id, id, ts, CASE WHEN customer_id % 3 = 0 AND id % 3 = 0 THEN $NOW - 86400
         ELSE $NOW + 100 * 86400 END, points, points FROM points_entries;
COMMIT;
SQL
cp "$DB" "$T/base.db"
rows=$(sqlite3 "$DB" "SELECT count(*) FROM points_lots WHERE remaining > 0 AND expires_at <= $NOW")
echo "## Loyalty nightly jobs over $N members ($(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "Command: \`bench/loyalty.sh $N\` ($rows lots due to expire; review on a review date, 1 January, with every member's 12-month spend)"
echo
echo "| job | wall s | user s | sys s | max RSS MB | result |"
echo "|---|---|---|---|---|---|"
run() { # NAME ARGS...
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$T/time" "$@" >"$T/out" 2>"$T/err"
  read -r wall user sys rss <"$T/time"
  echo "| $name | $wall | $user | $sys | $((rss / 1024)) | $(tr -d '\n' <"$T/out" | cut -c1-120) |"
}
run "encore points expire" "$E" --db "$DB" points expire --now "$NOW" --json
run "encore tiers review (not a review day)" "$E" --db "$DB" tiers review --now "$NOW" --json
run "encore tiers review (1 January: drop dates)" "$E" --db "$DB" tiers review --now 2027-01-01 --json
cp "$T/base.db" "$DB"; rm -f "$DB-wal" "$DB-shm"
run "sqlite3: the same expiry as bare SQL" sqlite3 "$DB" "BEGIN; INSERT INTO points_entries(customer_id, ts, kind, points, lot_id, created_at) SELECT customer_id, $NOW, 'expire', -remaining, id, $NOW FROM points_lots WHERE remaining > 0 AND expires_at <= $NOW; UPDATE points_lots SET remaining = 0 WHERE remaining > 0 AND expires_at <= $NOW; COMMIT; SELECT changes();"
