#!/usr/bin/env bash
# csv_read.sh — reading the real data sets with Encore's CSV reader (src/base/csv.c) side by
# side with Python's csv module (what a user would otherwise script), same work in both:
# count records, fields and field bytes. Builds the tiny driver bench/csv_read.c against
# build/libencore.a (run `make` first). Prints the best of 3 wall times and the ratio.
# Usage: bench/csv_read.sh   (ENCORE_DATA defaults to ../shared/data)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${ENCORE_DATA:-$root/../shared/data}
py=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[ -f "$root/build/libencore.a" ] || { echo "run make first" >&2; exit 1; }
cc -std=gnu11 -O2 -D_GNU_SOURCE -I"$root/src" "$root/bench/csv_read.c" "$root/build/libencore.a" \
   -o "$out/csv_read"

cat > "$out/py_csv.py" <<'PY'
import csv, sys
path, fmt = sys.argv[1], sys.argv[2]
n = f = b = 0
with open(path, newline="", encoding="utf-8") as fh:
    rows = (line.split() for line in fh) if fmt == "ws" else csv.reader(fh, delimiter="\t" if fmt == "tsv" else ",")
    for row in rows:
        if not row:
            continue
        n += 1
        f += len(row)
        b += sum(len(x.encode()) for x in row)
print("records %d fields %d bytes %d bad 0" % (n, f, b))
PY

best() { # best wall time in seconds of 3 runs of "$@"; output of the last run in $out/last
  local b=999 t s e
  for _ in 1 2 3; do
    s=$(date +%s.%N); "$@" > "$out/last"; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l); b=$(echo "if ($t < $b) $t else $b" | bc -l)
  done
  printf '%.3f' "$b"
}

printf '%-34s %10s %10s %8s  %s\n' file encore python ratio records
for spec in "online-retail/online_retail.csv csv" "cdnow/CDNOW_master.txt ws"; do
  set -- $spec
  f="$data/$1"
  [ -f "$f" ] || { echo "missing $f" >&2; exit 1; }
  te=$(best "$out/csv_read" "$f" "$2"); re=$(cat "$out/last")
  tp=$(best "$py" "$out/py_csv.py" "$f" "$2"); rp=$(cat "$out/last")
  [ "$re" = "$rp" ] || { echo "results differ: encore '$re' python '$rp'" >&2; exit 1; }
  printf '%-34s %9ss %9ss %7.1fx  %s\n' "$1" "$te" "$tp" "$(echo "$tp / $te" | bc -l)" "$re"
done
