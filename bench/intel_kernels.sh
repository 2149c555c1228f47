#!/usr/bin/env bash
# intel_kernels.sh [N] — times every intelligence kernel (src/intel) over N synthetic customers
# (default 1,000,000) on one core, then the pandas RFM-quintile baseline on the same columns,
# and prints the ratios (wall and CPU time, best of three each; the CPU ratio is the one that
# holds on a busy machine). Builds bench/intel_kernels.c against build/libencore.a (runs `make` if
# needed). Results are recorded in bench/RESULTS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${1:-1000000}
make -s build/libencore.a
mkdir -p build/bench
cc -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -Isrc \
  $(pkg-config --cflags gsl) bench/intel_kernels.c build/libencore.a \
  $(pkg-config --libs gsl) -lm -o build/bench/intel_kernels
tmp=$(mktemp -d /tmp/intel-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "== Encore kernels (C, one thread), $n customers"
build/bench/intel_kernels "$n" "$tmp" | tee "$tmp/c.txt"
echo "== pandas baseline on the same columns"
/usr/bin/python3 bench/rfm_pandas.py "$tmp" | tee "$tmp/py.txt"
for ties in low first; do
  for clock in wall cpu; do
    c=$(grep "RFM quintiles, 3 columns (ties $ties)" "$tmp/c.txt" |
        awk -v k=$clock '{for (i = 1; i <= NF; i++) if ($i == "ms" && $(i+1) == k) print $(i-1)}')
    p=$(grep "(ties $ties" "$tmp/py.txt" |
        awk -v k=$clock '{for (i = 1; i <= NF; i++) if ($i == "ms" && $(i+1) == k) print $(i-1)}')
    awk -v c="$c" -v p="$p" -v t="$ties" -v k="$clock" 'BEGIN {
      printf "RFM quintiles (ties %-5s, %-4s): Encore %7.1f ms, pandas %7.1f ms, pandas/Encore = %.1fx\n", t, k, c, p, p / c }'
  done
done
