#!/usr/bin/env python3
"""rec_oracle.py -- an independent pandas/scipy implementation of Encore's time-split evaluation
(docs/recommendations.md) for the popularity and item-to-item baselines, read straight from the
Online Retail CSV. tests/e2e/test_recommend.sh compares its figures with `encore recommend
evaluate`. Used as a test oracle only, never inside the product.

usage: rec_oracle.py online_retail.csv SPLIT_DATE K [HALF_LIFE_DAYS NEIGHBOURS]
prints one JSON document: {"customers", "heldout_mean", "popularity": {...}, "itemsim": {...}}
"""
import json
import sys

import numpy as np
import pandas as pd
import scipy.sparse as sp

path, split, K = sys.argv[1], pd.Timestamp(sys.argv[2]), int(sys.argv[3])
half_life = float(sys.argv[4]) if len(sys.argv) > 4 else 180.0
M = int(sys.argv[5]) if len(sys.argv) > 5 else 20

raw = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str}, keep_default_na=False,
                  na_values={"CustomerID": [""]})
# product ids in order of first appearance (the store numbers products as the import meets them)
codes = pd.unique(raw.StockCode)
pid = {c: i for i, c in enumerate(codes)}
n_i = len(codes)
# sales: not a cancellation, a known customer, quantity > 0 and price > 0
df = raw[~raw.InvoiceNo.str.startswith("C") & raw.CustomerID.notna() & (raw.Quantity > 0)
         & (raw.UnitPrice > 0)].copy()
df["ts"] = pd.to_datetime(df.InvoiceDate)
df["c"] = df.CustomerID.astype(float).astype(int)
df["i"] = df.StockCode.map(pid)
custs = np.sort(df.c.unique())
cid = {c: k for k, c in enumerate(custs)}
n_c = len(custs)
df["c"] = df.c.map(cid)
tr, te = df[df.ts < split], df[df.ts >= split]

# profile r(c,i) = max over purchases of 2^(-age/half_life), age in days before the split
age = (split - tr.ts).dt.total_seconds() / 86400.0
tr = tr.assign(w=np.power(0.5, age / half_life) if half_life > 0 else 1.0)
prof = tr.groupby(["c", "i"]).w.max().reset_index()
R = sp.csr_matrix((prof.w.values, (prof.c.values, prof.i.values)), shape=(n_c, n_i))
bought = sp.csr_matrix((np.ones(len(prof)), (prof.c.values, prof.i.values)), shape=(n_c, n_i))
buyers = np.asarray(bought.sum(0)).ravel()

# cosine of item columns, top M neighbours by (similarity desc, id asc)
norm = np.sqrt(np.asarray(R.multiply(R).sum(0)).ravel())
C = (R.T @ R).tocsr()
rows, cols, vals = [], [], []
for i in range(n_i):
    a, b = C.indptr[i], C.indptr[i + 1]
    j, d = C.indices[a:b], C.data[a:b]
    keep = (j != i) & (d > 0)
    j, d = j[keep], d[keep]
    s = (d / (norm[i] * norm[j])).astype(np.float32)
    order = np.lexsort((j, -s))[:M]
    rows += [i] * len(order)
    cols += list(j[order])
    vals += list(s[order])
S = sp.csr_matrix((vals, (rows, cols)), shape=(n_i, n_i))

held = te.groupby("c").i.apply(lambda s: set(s))
pop_rank = np.lexsort((np.arange(n_i), -buyers))  # most buyers first, then id


def metrics(lst, H):
    hits, sp_ = 0, 0.0
    for r, p in enumerate(lst, 1):
        if p in H:
            hits += 1
            sp_ += hits / r
    return hits > 0, hits / len(H), sp_ / min(len(H), K)


res = {"popularity": [0, 0.0, 0.0], "itemsim": [0, 0.0, 0.0]}
n_eval, sum_h = 0, 0
for c, H in held.items():
    hist = set(bought[c].indices)
    if not hist:
        continue
    H = H - hist
    if not H:
        continue
    n_eval += 1
    sum_h += len(H)
    # popularity: most buyers first, never bought by c, bought by someone
    pl = [p for p in pop_rank[: K + len(hist)] if p not in hist and buyers[p] > 0][:K]
    # item-to-item: sum of r(c,a) * sim(a, j); positive scores by (score, buyers, id), then
    # popular products
    score = np.asarray((R[c] @ S).todense()).ravel()
    cand = [p for p in np.nonzero(score > 0)[0] if p not in hist]
    cand.sort(key=lambda p: (-score[p], -buyers[p], p))
    il = cand[:K]
    for p in pl + list(pop_rank):
        if len(il) >= K:
            break
        if p not in hist and p not in il and buyers[p] > 0:
            il.append(p)
    for name, lst in (("popularity", pl), ("itemsim", il)):
        h, r, a = metrics(lst, H)
        res[name][0] += h
        res[name][1] += r
        res[name][2] += a
out = {"customers": n_eval, "heldout_mean": sum_h / n_eval}
for name, (h, r, a) in res.items():
    out[name] = {"hit_rate": h / n_eval, "recall": r / n_eval, "map": a / n_eval}
print(json.dumps(out))
