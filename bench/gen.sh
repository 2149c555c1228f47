#!/usr/bin/env bash
# gen.sh [N] — times `encore gen --customers N` (default 1,000,000) and, in the same run, the
# baseline a user would otherwise write (bench/gen_ref.py: NumPy/pandas simulation of the same
# BG/NBD + Gamma-Gamma process, one CSV row per order, nothing else). Prints a Markdown section
# for bench/RESULTS.md with wall time, CPU, memory, rows, bytes and the ratios.
set -eu
N=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
ENCORE=${ENCORE:-$root/build/encore}
[ -x "$ENCORE" ] || { echo "build first: make" >&2; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/encore-bench-gen.XXXXXX")
trap 'rm -rf "$out"' EXIT

measure() { # label, command... ; sets WALL USER SYS RSS
  /usr/bin/time -f '%e %U %S %M' -o "$out/time" "$@" > "$out/stdout"
  read -r WALL USER SYS RSS < "$out/time"
}

measure "$ENCORE" gen --customers "$N" --seed 1 --out "$out/shop" --json
E_WALL=$WALL E_USER=$USER E_SYS=$SYS E_RSS=$RSS
read -r E_LINES E_ORDERS E_ROWS E_BYTES < <(/usr/bin/python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
print(d["counts"]["order_lines"], d["counts"]["orders"], sum(f["rows"] for f in d["files"].values()),
      sum(f["bytes"] for f in d["files"].values()))' "$out/stdout")
sizes=$(cd "$out/shop" && ls -l --block-size=1 *.csv | awk '{printf "%s %s; ", $9, $5}')
rm -rf "$out/shop"

measure /usr/bin/python3 "$root/bench/gen_ref.py" "$N" "$out/ref.csv"
R_WALL=$WALL R_USER=$USER R_SYS=$SYS R_RSS=$RSS
R_ROWS=$(cat "$out/stdout")
R_BYTES=$(stat -c %s "$out/ref.csv")

cpus=$(nproc); load=$(cut -d' ' -f1-3 /proc/loadavg)
cat <<MD
### encore gen --customers $N ($(date -u +%Y-%m-%d), $cpus CPUs, load average $load at the end)

Command: \`bench/gen.sh $N\` — runs \`encore gen --customers $N --seed 1 --out DIR --json\` and
\`bench/gen_ref.py $N\` (NumPy + pandas, the same BG/NBD and Gamma-Gamma draws, one row per order).

| | wall s | user s | sys s | max RSS MB | rows written | bytes written | order rows |
|---|---:|---:|---:|---:|---:|---:|---:|
| encore gen (6 files) | $E_WALL | $E_USER | $E_SYS | $((E_RSS / 1024)) | $E_ROWS | $E_BYTES | $E_LINES lines, $E_ORDERS orders |
| NumPy/pandas, orders only | $R_WALL | $R_USER | $R_SYS | $((R_RSS / 1024)) | $R_ROWS | $R_BYTES | $R_ROWS orders |

Ratios: encore writes $(awk "BEGIN{printf \"%.1f\", $E_ROWS/$R_ROWS}")x the rows and
$(awk "BEGIN{printf \"%.1f\", $E_BYTES/$R_BYTES}")x the bytes in $(awk "BEGIN{printf \"%.2f\", $E_WALL/$R_WALL}")x the wall time;
rows per CPU second: encore $(awk "BEGIN{printf \"%.0f\", $E_ROWS/($E_USER+$E_SYS)}"), pandas $(awk "BEGIN{printf \"%.0f\", $R_ROWS/($R_USER+$R_SYS)}")
($(awk "BEGIN{printf \"%.1f\", ($E_ROWS/($E_USER+$E_SYS))/($R_ROWS/($R_USER+$R_SYS))}")x).

Files: $sizes
MD
