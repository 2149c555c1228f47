#!/usr/bin/python3
# rfm_pandas.py DIR — the baseline a user would otherwise write: RFM quintile scores with pandas
# (qcut on rank(method='first'), recency reversed), timed on the columns bench/intel_kernels
# wrote to DIR, and checked equal to Encore's scores (ties 'first' as is; ties 'low' = then the
# lowest score of each group of equal values). Best of three runs, wall and process CPU time.
# Run by bench/intel_kernels.sh.
import sys, time
import numpy as np, pandas as pd

d = sys.argv[1]
rec = pd.Series(np.fromfile(d + '/recency.f64'))
fr = pd.Series(np.fromfile(d + '/frequency.f64'))
mo = pd.Series(np.fromfile(d + '/monetary.f64'))
n = len(rec)
c = np.fromfile(d + '/scores_c.u8', dtype=np.uint8).reshape(6, n)

def first(s, higher):
    b = pd.qcut(s.rank(method='first'), 5, labels=False) + 1
    return b if higher else 6 - b

def low(s, higher):
    return first(s, higher).groupby(s).transform('min')

for name, fn in (('first', first), ('low', low)):
    wall, cpu = [], []
    for rep in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        out = [fn(rec, False), fn(fr, True), fn(mo, True)]
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    off = 0 if name == 'low' else 3
    same = all((out[j].to_numpy() == c[off + j]).all() for j in range(3))
    print(f"pandas RFM quintiles, 3 columns (ties {name:5s}) {min(wall)*1e3:9.1f} ms wall "
          f"{min(cpu)*1e3:9.1f} ms cpu  identical to Encore: {same}")
    if not same:
        sys.exit(1)
