#!/usr/bin/env bash
# itemsets.sh — times `encore itemsets` (FP-growth in C) on retail.dat (88,162 baskets, 16,470
# items) at supports 1% .. 0.05%, side by side with a pure-Python FP-growth
# (bench/fpgrowth_baseline.py, standard library only), after checking that both find the same
# number of itemsets of each size. Uses hyperfine (installed with apt-get when missing and root).
# Prints a Markdown table for bench/RESULTS.md.   usage: bench/itemsets.sh [ENCORE_RUNS PY_RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ENCORE=${ENCORE:-$root/build/encore}
DATA=${ENCORE_DATA:-$root/../shared/data}/baskets/retail.dat
PY=/usr/bin/python3
BASE=$root/bench/fpgrowth_baseline.py
runs=${1:-10}
pyruns=${2:-3}
[ -x "$ENCORE" ] || { echo "itemsets.sh: build first (make)" >&2; exit 1; }
[ -r "$DATA" ] || { echo "itemsets.sh: $DATA missing" >&2; exit 1; }
if ! command -v hyperfine >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq hyperfine >/dev/null; else
    echo "itemsets.sh: hyperfine missing (apt-get install -y hyperfine)" >&2; exit 1; fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# mean wall, its standard deviation, and mean CPU (user + system) of a hyperfine export
stats() { $PY -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(r['mean'], r['stddev'] or 0, r['user'] + r['system'])" "$1"; }

echo "| support | min count | itemsets (by size) | encore itemsets: wall (CPU) | pure-Python FP-growth: wall (CPU) | ratio (wall) |"
echo "|---|---|---|---|---|---|"
for s in 0.01 0.005 0.0025 0.001 0.0005; do
  enc_cmd="$ENCORE itemsets $DATA --min-support $s --json"
  py_cmd="$PY $BASE $DATA $s"
  e=$($enc_cmd)
  p=$($py_cmd)
  ek=$($PY -c "import json,sys; d=json.loads(sys.argv[1]); print(d['min_count'], d['itemsets'], d['by_size'])" "$e")
  pk=$($PY -c "import json,sys; d=json.loads(sys.argv[1]); print(d['min_count'], d['itemsets'], d['by_size'])" "$p")
  if [ "$ek" != "$pk" ]; then echo "itemsets.sh: support $s: encore $ek, python $pk" >&2; exit 1; fi
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/e.json" "$enc_cmd" >/dev/null
  hyperfine -N --warmup 0 --runs "$pyruns" --export-json "$tmp/p.json" "$py_cmd" >/dev/null
  read -r minc n sizes <<<"$ek"
  $PY - "$s" "$minc" "$n" "$sizes" $(stats "$tmp/e.json") $(stats "$tmp/p.json") <<'PYEOF'
import sys
s, minc, n, sizes = sys.argv[1:5]
em, esd, ecpu, pm, psd, pcpu = map(float, sys.argv[5:11])
print(f"| {float(s)*100:g}% | {minc} | {n} {sizes.replace(' ', '')} | {em*1000:.0f} ± {esd*1000:.0f} ms"
      f" ({ecpu*1000:.0f} ms) | {pm:.2f} ± {psd:.2f} s ({pcpu:.2f} s) | {pm/em:.0f}x |")
PYEOF
done
