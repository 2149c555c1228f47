#!/usr/bin/env bash
# sendtime.sh — send-time fitting speed (issue 19 item 3): enc_sendtime_fit over every
# customer's opens, clicks and paid orders of a store made by `encore gen --customers N`
# (products, customers, orders, events imported; kept in $BENCH_CACHE), RUNS times.
# Usage: bench/sendtime.sh [N] [RUNS] (defaults 100000, 3).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RUNS=${2:-3}
make -s build/encore build/libencore.a
mkdir -p build/bench
cc -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE -Isrc -o build/bench/sendtime bench/sendtime.c \
  build/libencore.a -lsqlite3 -lm -lpthread
cache=${BENCH_CACHE:-/tmp/encore-bench-sendtime}
db=$cache/sendtime-$N.db
mkdir -p "$cache"
if [ ! -s "$db.done" ]; then
  rm -f "$db" "$db-wal" "$db-shm"
  shop=$(mktemp -d "$cache/shop.XXXXXX")
  build/encore gen --customers "$N" --seed 1 --out "$shop" >/dev/null
  for kind in products customers orders events; do
    build/encore --db "$db" import "$kind" "$shop/$kind.csv" >/dev/null
  done
  rm -rf "$shop"
  date >"$db.done"
fi
for _ in $(seq "$RUNS"); do build/bench/sendtime "$db" Asia/Shanghai; done
