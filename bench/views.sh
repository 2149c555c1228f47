#!/usr/bin/env bash
# bench/views.sh — the customer view, the segment count preview and the analytics at scale:
# `encore gen --customers N` imported into a fresh store (or an existing store given as DB),
# scored twice (the migration needs two runs) with the column caches built, then timed through
# the CLI and over HTTP: GET /v1/customers/{id} sequentially and under 32 concurrent clients
# (p50/p99 from curl's time_total), POST /v1/segments/count, GET /v1/analytics/cohorts and
# /kpis, and `encore cohorts|kpis|audience preview|customer`.
# Usage: bench/views.sh [N] [DIR]      (default N = 100000)
#        DB=path/shop.db bench/views.sh   (an existing store, already scored twice)
set -euo pipefail
cd "$(dirname "$0")/.."
E=$PWD/build/encore
n=${1:-100000}
dir=${2:-$(mktemp -d /tmp/encore-views.XXXXXX)}
db=${DB:-$dir/shop.db}
t() { /usr/bin/time -f "    %e s wall, %U s user, %M KB max RSS" "$@"; }
if [ -z "${DB:-}" ]; then
  rm -f "$db" "$db-wal" "$db-shm"
  echo "gen --customers $n + import:"
  "$E" gen --customers "$n" --seed 1 --out "$dir/shop" >/dev/null
  for kind in products customers orders events feedback consents; do
    "$E" --db "$db" import "$kind" "$dir/shop/$kind.csv" >/dev/null
  done
  echo "score twice (as of 60 days before the data end, then the end):"
  end=$("$E" --db "$db" stats --json | /usr/bin/python3 -c 'import json,sys,datetime; d=json.load(sys.stdin); print((datetime.date.fromisoformat(d["orders_to"][:10]) - datetime.timedelta(days=60)).isoformat())')
  t "$E" --db "$db" score --as-of "$end" >/dev/null
  t "$E" --db "$db" score >/dev/null
  "$E" --db "$db" cache build >/dev/null
fi
"$E" --db "$db" stats --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print("store: %d customers, %d orders, %d order lines, %d events" % (d["customers"], d["orders"], d["order_lines"], d["events"]))'

echo "CLI (wall time of the whole process, 3 runs each):"
for cmd in "cohorts --json" "cohorts --period week --json" "kpis --json" "kpis --interval day --json" "segments --migration --json"; do
  echo "  encore $cmd:"
  for _ in 1 2 3; do t "$E" --db "$db" $cmd >/dev/null; done 2>&1 | sed 's/^/  /'
done
ids=$(sqlite3 "$db" "SELECT external_id FROM customers WHERE merged_into IS NULL AND external_id IS NOT NULL ORDER BY random() LIMIT 200")
one=$(echo "$ids" | head -1)
echo "  encore customer ID --json --no-recommendations:"
for _ in 1 2 3; do t "$E" --db "$db" customer "$one" --json --no-recommendations >/dev/null; done 2>&1 | sed 's/^/  /'
echo "  encore customer ID --json (with the recommendation model):"
t "$E" --db "$db" customer "$one" --json >/dev/null 2>&1 || true
t "$E" --db "$db" customer "$one" --json 2>&1 >/dev/null | sed 's/^/  /'
for expr in 'lifecycle = "dormant" and clv > 50' 'orders >= 3 and last_order_days > 60 and consent("email")' 'bought(category = "Beauty", within = 90d) and churn_risk > 0.5'; do
  echo "  encore audience preview '$expr' --sample 10:"
  for _ in 1 2 3; do
    "$E" --db "$db" audience preview "$expr" --sample 10 --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print("    count %d of %d in %.1f ms (load %.1f, compile %.1f, evaluate %.1f, sample %.1f)" % (d["count"], d["total"], d["ms"], d["timing"]["load_ms"], d["timing"]["compile_ms"], d["timing"]["evaluate_ms"], d["timing"]["sample_ms"]))'
  done
done

echo "HTTP (encore serve; curl time_total):"
key=$("$E" --db "$db" apikey create --role analyst --name bench-$$)
"$E" --db "$db" serve --listen 127.0.0.1:0 >"$dir/serve.out" 2>"$dir/serve.err" & srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null || true' EXIT
port=""
for _ in $(seq 100); do port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$dir/serve.err"); [ -n "$port" ] && break; sleep 0.1; done
B="http://127.0.0.1:$port"
stats() { /usr/bin/python3 -c 'import sys; v=sorted(float(x)*1000 for x in sys.stdin if x.strip()); n=len(v); print("    %d requests: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms" % (n, v[n//2], v[int(n*0.9)], v[min(n-1,int(n*0.99))], v[-1]))'; }
echo "  GET /v1/customers/{id}, 200 customers one after another:"
for id in $ids; do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$B/v1/customers/$id"; done | stats
echo "  GET /v1/customers/{id}, 32 concurrent clients, 1,000 requests:"
for _ in 1 2 3 4 5; do echo "$ids"; done | xargs -P 32 -I{} curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$B/v1/customers/{}" | stats
echo "  GET /v1/customers?q=NAME-PREFIX (search), 50 requests:"
for _ in $(seq 50); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$B/v1/customers?q=Li&limit=20"; done | stats
echo "  POST /v1/segments/count (sample 10), 20 requests:"
for _ in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"expression": "lifecycle = \"dormant\" and clv > 50", "sample": 10}' "$B/v1/segments/count"; done | stats
for p in "cohorts?period=month" "cohorts?period=week" "kpis?interval=week" "migration?by=rfm"; do
  echo "  GET /v1/analytics/$p, 10 requests:"
  for _ in $(seq 10); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$B/v1/analytics/$p"; done | stats
done
