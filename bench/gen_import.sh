#!/usr/bin/env bash
# bench/gen_import.sh — scale: `encore gen --customers N` then importing its six files into a
# fresh store, each step timed (wall, CPU, peak memory) with GNU time. Default N = 1,000,000
# (about 10 M order lines and 21 M events). Usage: bench/gen_import.sh [N] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
dir=${2:-$(mktemp -d /tmp/encore-scale.XXXXXX)}
db="$dir/shop.db"
rm -f "$db" "$db-wal" "$db-shm"
t() { /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" "$@"; }
echo "gen --customers $n:"
t build/encore gen --customers "$n" --seed 1 --out "$dir/shop" >/dev/null
du -sh "$dir/shop"
for kind in products customers orders events feedback consents; do
  echo "import $kind:"
  t build/encore --db "$db" import "$kind" "$dir/shop/$kind.csv" --json | \
    /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print("  read %d imported %d rejected %d merged %d in %.1f s" % (d["read"], d["imported"], d["rejected"], d["merged"], d["seconds"]))'
done
du -sh "$db"
build/encore --db "$db" stats
