#!/usr/bin/env bash
# bench/import.sh — import speed: `encore import orders` of Online Retail (541,909 lines:
# cleaning, identity resolution, orders, lines, products, batched transactions) side by side
# with sqlite3's own `.import` of the same file into one raw table, in one run with hyperfine;
# wall and CPU (user + system) side by side, and the import without the column cache.
# Usage: bench/import.sh [RUNS]   (needs build/encore, sqlite3, hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${ENCORE_DATA:-../shared/data}
F="$DATA/online-retail/online_retail.csv"
runs=${1:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v hyperfine >/dev/null || { echo "bench/import.sh: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
hyperfine --warmup 1 --runs "$runs" --export-markdown "$tmp/result.md" --export-json "$tmp/result.json" \
  --prepare "rm -f $tmp/e.db $tmp/e.db-wal $tmp/e.db-shm $tmp/s.db" \
  -n "encore import orders" "build/encore --db $tmp/e.db import orders $F --cancel-prefix C" \
  -n "sqlite3 .import (raw table)" "sqlite3 $tmp/s.db '.mode csv' '.import $F raw'" \
  -n "encore import orders, ENCORE_COLUMN_CACHE=off" \
  "env ENCORE_COLUMN_CACHE=off build/encore --db $tmp/e.db import orders $F --cancel-prefix C"
cat "$tmp/result.md"
# CPU seconds (user + system, hyperfine's means over the runs) beside wall, per command
/usr/bin/python3 - "$tmp/result.json" <<'PYEOF'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
cpu = {r["command"]: r["user"] + r["system"] for r in rs}
base = next(v for k, v in cpu.items() if k.startswith("sqlite3"))
wbase = next(r["mean"] for r in rs if r["command"].startswith("sqlite3"))
print("| command | wall mean s | wall min..max s | wall / sqlite3 | CPU mean s | CPU / sqlite3 |")
print("|---|---:|---:|---:|---:|---:|")
for r in rs:
    c = cpu[r["command"]]
    print("| %s | %.3f | %.3f..%.3f | %.2fx | %.3f | %.2fx |" % (r["command"], r["mean"], min(r["times"]),
          max(r["times"]), r["mean"] / wbase, c, c / base))
PYEOF
