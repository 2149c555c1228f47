#!/usr/bin/python3
"""gen_ref.py N OUT.csv — what a user would otherwise write: a vectorised NumPy/pandas
simulation of the same BG/NBD purchase process and Gamma-Gamma spend (same parameters as
src/gen/gen.c), written with pandas.to_csv as one row per order (no baskets, products, events,
feedback or consents). The baseline for bench/gen.sh; prints rows written."""
import sys
import numpy as np
import pandas as pd

n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(1)
W = 731.0  # 2024-01-01 .. 2025-12-31, days
r, alpha, a, b = 0.55, 18.0, 0.9, 3.5
p, q, gam = 4.0, 3.5, 55.0
buyer = rng.uniform(size=n) >= 0.12
ids = np.flatnonzero(buyer)
lam = rng.gamma(r, 1 / alpha, ids.size)
drop = rng.beta(a, b, ids.size)
nu = rng.gamma(q, 1 / gam, ids.size)
t = rng.uniform(0, W, ids.size)
cust, times = [ids], [t.copy()]
alive = np.ones(ids.size, bool)
first = True
while alive.any():
    k = np.flatnonzero(alive)
    if not first:  # drop-out after each repeat purchase
        d = rng.uniform(size=k.size) < drop[k]
        alive[k[d]] = False
        k = k[~d]
    first = False
    t[k] += rng.exponential(1 / lam[k])
    over = t[k] >= W
    alive[k[over]] = False
    k = k[~over]
    cust.append(ids[k])
    times.append(t[k].copy())
c = np.concatenate(cust)
tt = np.concatenate(times)
nu_of = np.zeros(n)
nu_of[ids] = nu
amount = rng.gamma(p, 1 / nu_of[c])
start = np.datetime64("2024-01-01T00:00:00")
df = pd.DataFrame({
    "order_id": np.char.add("O", np.arange(1, c.size + 1).astype(str)),
    "customer_id": np.char.add("C", (c + 1).astype(str)),
    "time": (start + (tt * 86400).astype("timedelta64[s]")).astype(str),
    "status": "paid",
    "sku": np.char.add("P", rng.integers(10001, 11000, c.size).astype(str)),
    "qty": 1,
    "unit_price": np.round(amount, 2),
})
df.to_csv(out, index=False, float_format="%.2f")
print(c.size)
