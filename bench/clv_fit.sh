#!/usr/bin/env bash
# clv_fit.sh — CLV model fitting speed, side by side with the Python a user would otherwise
# write (pandas summary + scipy.optimize on a vectorised numpy BG/NBD likelihood, as lifetimes
# does). Three inputs: CDNOW master (23,570 customers), N customers drawn from the BG/NBD
# process in continuous time (fit only, parameter recovery), and N customers' transactions at
# day granularity (summary + fit, and Encore's whole one-call path with Gamma-Gamma and CLV).
# Times are CPU seconds of the single-threaded process (stable on a shared machine); the
# one-call path's wall time is shown too. Usage: bench/clv_fit.sh [N] (default 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATA=${ENCORE_DATA:-../shared/data}
PY=/usr/bin/python3
make -s build/libencore.a
mkdir -p build/bench
cc -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE -Isrc -Itests $(pkg-config --cflags gsl) \
  -o build/bench/clv_fit bench/clv_fit.c build/libencore.a $(pkg-config --libs gsl) -lm
tmp=$(mktemp -d /tmp/clv_fit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

echo "== CDNOW master" >&2
build/bench/clv_fit cdnow "$DATA/cdnow/CDNOW_master.txt" >"$tmp/c_cdnow.json"
$PY bench/clv_fit_scipy.py cdnow "$DATA/cdnow/CDNOW_master.txt" >"$tmp/p_cdnow.json"
echo "== $N customers, continuous time (fit only)" >&2
build/bench/clv_fit recover "$N" 11 "$tmp/rows.txt" >"$tmp/c_rows.json"
$PY bench/clv_fit_scipy.py rows "$tmp/rows.txt" >"$tmp/p_rows.json"
echo "== $N customers, transactions by day" >&2
build/bench/clv_fit synth "$N" 7 "$tmp/synth.csv" >"$tmp/c_synth.json"
$PY bench/clv_fit_scipy.py transactions "$tmp/synth.csv" >"$tmp/p_synth.json"

$PY - "$tmp" "$N" <<'EOF'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
L = lambda f: json.load(open(f"{d}/{f}.json"))
cc, pc, cr, pr, cs, ps = (L(f) for f in ("c_cdnow", "p_cdnow", "c_rows", "p_rows", "c_synth", "p_synth"))
nm = lambda p: p["fits"][0]
lb = lambda p: p["fits"][1]
def row(what, enc, py, note=""):
    print(f"| {what} | {enc:.3f} | {py:.3f} | {py / enc:.1f}x | {note} |")
print("| step (CPU s) | Encore C | Python/scipy | ratio | note |")
print("|---|---:|---:|---:|---|")
row("CDNOW master: summary", cc["summary_s"], pc["summary_s"], "23,570 customers, 69,659 rows")
row("CDNOW master: BG/NBD fit vs Nelder-Mead", cc["bgnbd_fit_grouped_s"], nm(pc)["fit_s"],
    f"C on {cc['groups']} groups; LL C {cc['bgnbd']['ll']} / py {nm(pc)['ll']}")
row("CDNOW master: BG/NBD fit vs L-BFGS-B", cc["bgnbd_fit_grouped_s"], lb(pc)["fit_s"], f"py LL {lb(pc)['ll']}")
row("CDNOW master: BG/NBD fit, C ungrouped vs L-BFGS-B", cc["bgnbd_fit_ungrouped_s"], lb(pc)["fit_s"], "")
row(f"{n:,} continuous: fit vs Nelder-Mead", cr["fit_s"], nm(pr)["fit_s"],
    f"{cr['evaluations']} vs {nm(pr)['evaluations']} evaluations; LL C {cr['ll']} / py {nm(pr)['ll']}")
row(f"{n:,} continuous: fit vs L-BFGS-B", cr["fit_s"], lb(pr)["fit_s"],
    f"py {lb(pr)['evaluations']} evaluations, LL {lb(pr)['ll']}")
row(f"{n:,} by day: summary", cs["summary_s"], ps["summary_s"], f"{cs['transactions']:,} rows")
row(f"{n:,} by day: BG/NBD fit vs L-BFGS-B", cs["bgnbd_fit_grouped_s"], lb(ps)["fit_s"],
    f"C on {cs['groups']:,} groups; LL C {cs['bgnbd']['ll']} / py {lb(ps)['ll']}")
print()
print(f"- recovery, {n:,} customers in continuous time: r={cr['r']} alpha={cr['alpha']} a={cr['a']} "
      f"b={cr['b']} (truth 0.243 4.414 0.793 2.426)")
print(f"- {n:,} customers by day, Encore's whole one-call path (summary, grouping, BG/NBD and "
      f"Gamma-Gamma fits, P(alive), E[39 weeks], 12-month CLV): {cs['one_call_s']} s CPU, "
      f"{cs['one_call_wall_s']} s wall; Gamma-Gamma alone {cs['gg_fit_s']} s ({cs['gg_iterations']} "
      f"iterations); BG/NBD ungrouped {cs['bgnbd_fit_ungrouped_s']} s; Pareto/NBD on groups "
      f"{cs['pnbd_fit_grouped_s']} s")
print(f"- CDNOW master one-call path {cc['one_call_s']} s CPU; BG/NBD r={cc['bgnbd']['r']} "
      f"alpha={cc['bgnbd']['alpha']} a={cc['bgnbd']['a']} b={cc['bgnbd']['b']} LL {cc['bgnbd']['ll']}; "
      f"Pareto/NBD LL {cc['pnbd']['ll']}")
EOF
