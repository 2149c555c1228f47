#!/usr/bin/env bash
# bench/score.sh — speed of `encore score`.
#   bench/score.sh retail [RUNS]  Online Retail (541,909 lines, 4,372 customers): `encore score`
#        on an imported store, and `encore import` + `encore score` from the CSV, side by side in
#        one hyperfine run with bench/rfm_pandas_retail.py — pandas computing only RFM quintiles
#        from the same file, what a user would otherwise write. Prints wall and CPU times and
#        the ratios.
#   bench/score.sh scale DB [RUNS]  a full rescore of a large store (e.g. the 1,000,000-customer
#        shop bench/gen_import.sh builds), RUNS times (default 2) under GNU time: wall, CPU,
#        peak memory, and the stage timings `score --json` reports. It writes profiles into DB.
# Needs build/encore, hyperfine (retail), /usr/bin/time, /usr/bin/python3 with pandas.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${ENCORE_DATA:-../shared/data}
mode=${1:-retail}
echo "machine: $(nproc) CPUs, $(uname -m); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$mode" = retail ]; then
  runs=${2:-10}
  F="$DATA/online-retail/online_retail.csv"
  command -v hyperfine >/dev/null || { echo "bench/score.sh: hyperfine is missing" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  build/encore --db "$tmp/r.db" import orders "$F" --cancel-prefix C >/dev/null
  hyperfine --warmup 2 --runs "$runs" --export-json "$tmp/h.json" \
    -n "encore score" --prepare true \
    "build/encore --db $tmp/r.db score --as-of 2011-12-09" \
    -n "encore import + score" --prepare "rm -f $tmp/i.db $tmp/i.db-wal $tmp/i.db-shm" \
    "build/encore --db $tmp/i.db import orders $F --cancel-prefix C && build/encore --db $tmp/i.db score --as-of 2011-12-09" \
    -n "pandas RFM quintiles" --prepare true \
    "/usr/bin/python3 bench/rfm_pandas_retail.py $F 2011-12-09"
  /usr/bin/python3 - "$tmp/h.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
p = r["pandas RFM quintiles"]
print("\n| command | wall s (mean ± sd) | CPU s (user + sys) | pandas / this, wall | pandas / this, CPU |")
print("|---|---:|---:|---:|---:|")
for name in ("encore score", "encore import + score", "pandas RFM quintiles"):
    x = r[name]
    cpu, pcpu = x["user"] + x["system"], p["user"] + p["system"]
    print(f"| {name} | {x['mean']:.3f} ± {x['stddev']:.3f} | {cpu:.3f} | {p['mean'] / x['mean']:.1f}x | {pcpu / cpu:.1f}x |")
EOF
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
elif [ "$mode" = scale ]; then
  db=${2:?usage: bench/score.sh scale DB [RUNS]}
  runs=${3:-2}
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  build/encore --db "$db" stats --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print("store: %d customers, %d orders, %d order lines, %d events, %d feedback, %d consents" % (d["customers"], d["orders"], d["order_lines"], d["events"], d["feedback"], d["consents"]))'
  for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" build/encore --db "$db" score --json > "$tmp/out.json"
    read -r wall user sys rss < "$tmp/time"
    /usr/bin/python3 - "$tmp/out.json" "$wall" "$user" "$sys" "$rss" "$(cut -d' ' -f1 /proc/loadavg)" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
wall, user, sys_, rss, load = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
t = d["timings"]
print(f"rescore of {d['customers']} customers ({d['buyers']} buyers): {wall:.1f} s wall, {user + sys_:.1f} s CPU "
      f"({user:.1f} user + {sys_:.1f} sys), peak RSS {rss / 1024:.0f} MB, load average after {load}")
print("  stages (s; features, rfm and clusters overlap the CLV fits): " +
      ", ".join(f"{k} {v:.1f}" for k, v in t.items()))
print(f"  bgnbd r={d['bgnbd']['r']:.4f} alpha={d['bgnbd']['alpha']:.4f} a={d['bgnbd']['a']:.4f} b={d['bgnbd']['b']:.4f}; "
      f"gamma-gamma on {d['gamma_gamma']['customers']} repeaters; churn trained on {d['churn']['trained_on']}, "
      f"train AUC {d['churn']['train_auc']:.3f}; {d['clusters']['k']} clusters; warnings {d['warnings']}")
EOF
  done
else
  echo "usage: bench/score.sh retail [RUNS] | scale DB [RUNS]" >&2
  exit 2
fi
