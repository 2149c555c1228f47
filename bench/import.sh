#!/usr/bin/env bash
# bench/import.sh — import speed: `encore import orders` of Online Retail (541,909 lines:
# cleaning, identity resolution, orders, lines, products, batched transactions) side by side
# with sqlite3's own `.import` of the same file into one raw table, in one run with hyperfine.
# Usage: bench/import.sh [RUNS]   (needs build/encore, sqlite3, hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${ENCORE_DATA:-../shared/data}
F="$DATA/online-retail/online_retail.csv"
runs=${1:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v hyperfine >/dev/null || { echo "bench/import.sh: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
hyperfine --warmup 1 --runs "$runs" --export-markdown "$tmp/result.md" \
  --prepare "rm -f $tmp/e.db $tmp/e.db-wal $tmp/e.db-shm $tmp/s.db" \
  -n "encore import orders" "build/encore --db $tmp/e.db import orders $F --cancel-prefix C" \
  -n "sqlite3 .import (raw table)" "sqlite3 $tmp/s.db '.mode csv' '.import $F raw'"
cat "$tmp/result.md"
