#!/usr/bin/env bash
# snapshot.sh [DB AS_OF RUNS] — the snapshot loader (src/snapshot) part by part, side by side
# with sqlite3 running the bare queries that read the same rows (what the loader cannot go
# below). Default: Online Retail imported into a temporary store (as of 2011-12-10), 5 runs.
# bench/snapshot.c times enc_snapshot_load_opts (best of RUNS, wall and CPU); hyperfine times
# sqlite3. Prints a Markdown section for bench/RESULTS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
make -s build/encore build/libencore.a
mkdir -p build/bench
cc -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -Isrc \
  bench/snapshot.c build/libencore.a $(pkg-config --libs sqlite3 jansson gsl) -lm -lpthread \
  -o build/bench/snapshot
command -v hyperfine >/dev/null || { echo "bench/snapshot.sh: hyperfine is missing" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -ge 1 ]; then
  db=$1 AS_OF=${2:-9223372036854775807} RUNS=${3:-5}
else
  DATA=${ENCORE_DATA:-../shared/data}
  db=$tmp/retail.db AS_OF=1323475200 RUNS=5
  build/encore --db "$db" import orders "$DATA/online-retail/online_retail.csv" --cancel-prefix C >/dev/null
fi
build/bench/snapshot "$db" "$AS_OF" "$RUNS" > "$tmp/snap.json"
# sums, so that every column the loader reads is read (a count(*) of a subquery reads none)
LINES="SELECT sum(id + coalesce(product_id, 0) + qty + amount) FROM order_lines WHERE kind = 'sale'"
ORDERS="SELECT sum(id + customer_id + ts + sales + (coupon IS NOT NULL OR discount > 0) + length(channel) + length(payment)) FROM orders WHERE status = 'paid' AND customer_id IS NOT NULL AND ts < $AS_OF"
hyperfine --warmup 1 --runs "$RUNS" --export-json "$tmp/hf.json" -N \
  -n lines "sqlite3 $db \"$LINES\"" -n orders "sqlite3 $db \"$ORDERS\"" >&2
/usr/bin/python3 - "$tmp/snap.json" "$tmp/hf.json" "$db" "$RUNS" <<'PYEOF'
import json, os, sys
snap = json.load(open(sys.argv[1])); hf = {r["command"]: r for r in json.load(open(sys.argv[2]))["results"]}
load = open("/proc/loadavg").read().split()[:3]
print(f"""### Snapshot loading part by part (`bench/snapshot.sh`)

Store: {os.path.basename(sys.argv[3])} ({os.path.getsize(sys.argv[3]) / 1e6:.0f} MB); best of {sys.argv[4]} runs of
`enc_snapshot_load_opts` with one part at a time (the customers' ids come with each), load
average {' '.join(load)} at the end.

| part | wall | CPU |
|---|---:|---:|""")
for k, v in snap.items():
    print(f"| {k} | {v['wall'] * 1000:.1f} ms | {v['cpu'] * 1000:.1f} ms |")
print(f"""
The bare queries in sqlite3 (hyperfine, mean; summing the columns the loaders read, process
start included): order lines {hf['lines']['mean'] * 1000:.1f} ms, sale orders {hf['orders']['mean'] * 1000:.1f} ms.""")
PYEOF
