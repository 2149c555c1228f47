#!/usr/bin/env bash
# bench/import_rates.sh — rows per second of `encore import orders` and `encore import events`
# on a generated shop (`encore gen --customers N`), wall and CPU side by side, for one or more
# encore binaries (to compare a change with its base in one run), each imported ROUNDS times
# into a fresh store holding the shop's products and customers.
# Usage: bench/import_rates.sh [N] [ROUNDS] [ENCORE...]   (default 20000, 2, build/encore)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
rounds=${2:-2}
shift $(($# > 2 ? 2 : $#))
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(build/encore)
tmp=$(mktemp -d /tmp/encore-rates.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
build/encore gen --customers "$n" --seed 1 --out "$tmp/shop" >/dev/null
echo "| binary | kind | rows | wall s | CPU s (user + sys) | rows/s (wall) | rows/s (CPU) |"
echo "|---|---|---:|---:|---:|---:|---:|"
for r in $(seq "$rounds"); do
  for b in "${bins[@]}"; do
    db="$tmp/r.db"
    rm -f "$db" "$db-wal" "$db-shm" "$db.columns"
    "$b" --db "$db" import products "$tmp/shop/products.csv" >/dev/null
    "$b" --db "$db" import customers "$tmp/shop/customers.csv" >/dev/null
    for kind in orders events; do
      /usr/bin/time -o "$tmp/t" -f "%e %U %S" "$b" --db "$db" import "$kind" "$tmp/shop/$kind.csv" \
        --json >"$tmp/out.json"
      rows=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["read"])' "$tmp/out.json")
      read -r wall user sys <"$tmp/t"
      /usr/bin/python3 -c 'import sys
b, k, rows, wall, cpu = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]) + float(sys.argv[6])
print("| %s | %s | %d | %.2f | %.2f | %.0f | %.0f |" % (b, k, rows, wall, cpu, rows / wall, rows / cpu))' \
        "$b" "$kind" "$rows" "$wall" "$user" "$sys"
    done
  done
done
