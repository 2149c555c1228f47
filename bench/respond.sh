#!/usr/bin/env bash
# respond.sh [N] — times `encore gen respond` on a campaign of N members (default 1,000,000:
# 30% held out, the rest reached with a sent message each, every second one with a coupon; 1,000
# products), made here with SQL, against the baseline a user would otherwise write
# (bench/respond_ref.py: NumPy + pandas, the same model in its simplest form, one-line baskets).
# Prints a Markdown section for bench/RESULTS.md with wall time, CPU, memory, rows and ratios.
set -eu
N=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
ENCORE=${ENCORE:-$root/build/encore}
[ -x "$ENCORE" ] || { echo "build first: make" >&2; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/encore-bench-respond.XXXXXX")
trap 'rm -rf "$out"' EXIT
db="$out/shop.db"
"$ENCORE" --db "$db" stats >/dev/null # creates the schema
/usr/bin/python3 - "$db" "$N" <<'PY'
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2]); h = n * 3 // 10; t0 = 1767225600
con = sqlite3.connect(db)
con.executescript(f"""
BEGIN;
INSERT INTO campaigns(name, spec, state, created_at, updated_at) VALUES('bench', '{{}}', 'running', {t0}, {t0});
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1000)
 INSERT INTO products(sku, name, price, currency, in_stock) SELECT 'P' || i, 'Product ' || i, 99 * i, 'USD', 1 FROM k;
INSERT INTO orders(source, order_key, ts, status, sales, currency) VALUES('b', 'o1', {t0}, 'paid', 8800, 'USD');
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
 INSERT INTO customers(id, source, source_key, external_id, created_at, updated_at) SELECT i, 'b', 'c' || i, 'C' || i, 0, 0 FROM k;
INSERT INTO campaign_members(campaign, customer_id, occurrence, holdout, at) SELECT 'bench', id, 'once', id <= {h}, {t0} FROM customers;
INSERT INTO messages(campaign, customer_id, channel, address, idempotency_key, state, next_attempt_at, created_at, due_at, sent_at)
 SELECT 'bench', id, 'email', 'a' || id, 'k' || id, 'sent', 0, 0, 0, {t0} + 60 FROM customers WHERE id > {h};
INSERT INTO coupons(code, norm, campaign, customer_id, message_key, kind, amount, min_spend, issued_at, expires_at)
 SELECT 'B-' || id, 'B' || id, 'bench', id, 'k' || id, 'value', 500, 3000, {t0}, {t0} + 30 * 86400 FROM customers WHERE id > {h} AND id % 2 = 0;
COMMIT;""")
PY
measure() { # command... ; sets WALL USER SYS RSS
  /usr/bin/time -f '%e %U %S %M' -o "$out/time" "$@" > "$out/stdout"
  read -r WALL USER SYS RSS < "$out/time"
}
measure "$ENCORE" --db "$db" gen respond --campaign bench --base-rate 0.05 --uplift 0.03 --out "$out/e" --json
E_WALL=$WALL E_USER=$USER E_SYS=$SYS E_RSS=$RSS
E_ROWS=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(g["order_lines"] + g["opens"] + g["clicks"] for g in d["groups"].values()))' "$out/stdout")
mkdir -p "$out/r"
measure /usr/bin/python3 "$root/bench/respond_ref.py" "$db" bench "$out/r"
R_WALL=$WALL R_USER=$USER R_SYS=$SYS R_RSS=$RSS R_ROWS=$(cat "$out/stdout")
cpus=$(nproc); load=$(cut -d' ' -f1-3 /proc/loadavg)
cat <<MD
### encore gen respond on $N members ($(date -u +%Y-%m-%d), $cpus CPUs, load average $load at the end)

Command: \`bench/respond.sh $N\` — \`encore gen respond --campaign bench --base-rate 0.05 --uplift 0.03 --out DIR --json\`
against \`bench/respond_ref.py\` (NumPy + pandas: the same draws in their simplest form, one-line baskets).

| | wall s | user s | sys s | max RSS MB | rows written (order lines + events) |
|---|---:|---:|---:|---:|---:|
| encore gen respond | $E_WALL | $E_USER | $E_SYS | $((E_RSS / 1024)) | $E_ROWS |
| NumPy + pandas | $R_WALL | $R_USER | $R_SYS | $((R_RSS / 1024)) | $R_ROWS |

Ratio (pandas / encore): wall $(/usr/bin/python3 -c "print(round($R_WALL / max($E_WALL, 0.01), 1))")x, CPU $(/usr/bin/python3 -c "print(round(($R_USER + $R_SYS) / max($E_USER + $E_SYS, 0.01), 1))")x.
MD
