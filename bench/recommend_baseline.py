#!/usr/bin/env python3
"""recommend_baseline.py -- the item-to-item recommender a user would write with pandas, numpy
and scipy, timed the way bench/recommend.sh times `encore recommend --all`: read the store's sale
lines and events (SQLite), build per-customer profiles (the same weights as Encore: purchase 1,
cart 0.6, favourite 0.45, view/click 0.3, half-life 180 days, max per product), cosine between
product columns (sparse R^T R), top 20 neighbours per product, then for each customer
score = r_c . S, minus what they bought, top 10 with argpartition.

usage: recommend_baseline.py STORE.db [MAX_CUSTOMERS]
Per-customer latency is measured over all customers, or over the first MAX_CUSTOMERS with a
profile when given. Prints one JSON document.
"""
import json
import sqlite3
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

db = sys.argv[1]
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 0
HALF_LIFE, M, K = 180.0, 20, 10
WEIGHT = {"purchase": 1.0, "cart_add": 0.6, "favorite": 0.45, "view": 0.3, "click": 0.3}

t0, c0 = time.perf_counter(), time.process_time()
con = sqlite3.connect(db)
lines = pd.read_sql_query(
    "SELECT o.customer_id AS c, l.product_id AS i, o.ts AS ts FROM order_lines l JOIN orders o"
    " ON o.id = l.order_id WHERE o.status = 'paid' AND o.customer_id IS NOT NULL AND"
    " l.kind = 'sale' AND l.product_id IS NOT NULL", con)
lines["kind"] = "purchase"
events = pd.read_sql_query(
    "SELECT e.customer_id AS c, p.id AS i, e.ts AS ts, e.type AS kind FROM events e JOIN products"
    " p ON p.sku = e.sku WHERE e.customer_id IS NOT NULL AND e.type IN"
    " ('cart_add', 'favorite', 'view', 'click')", con)
n_items = con.execute("SELECT max(id) FROM products").fetchone()[0] + 1
con.close()
df = pd.concat([lines, events], ignore_index=True)
t_load, c_load = time.perf_counter() - t0, time.process_time() - c0

t0, c0 = time.perf_counter(), time.process_time()
now = df.ts.max() + 1
df["w"] = df.kind.map(WEIGHT) * np.power(0.5, (now - df.ts) / 86400.0 / HALF_LIFE)
prof = df.groupby(["c", "i"]).w.max().reset_index()
custs = np.sort(prof.c.unique())
row = np.searchsorted(custs, prof.c.values)
R = sp.csr_matrix((prof.w.values, (row, prof.i.values)), shape=(len(custs), n_items))
bought = df[df.kind == "purchase"].drop_duplicates(["c", "i"])
B = sp.csr_matrix((np.ones(len(bought)), (np.searchsorted(custs, bought.c.values), bought.i.values)),
                  shape=(len(custs), n_items))
norm = np.sqrt(np.asarray(R.multiply(R).sum(0)).ravel())
norm[norm == 0] = 1
Rn = R @ sp.diags(1 / norm)
S = (Rn.T @ Rn).tocsr()
S = (S - sp.diags(S.diagonal())).tocsr()
S.eliminate_zeros()
# keep the top M of each row
rows, cols, vals = [], [], []
for i in range(n_items):
    a, b = S.indptr[i], S.indptr[i + 1]
    d = S.data[a:b]
    j = S.indices[a:b]
    if len(d) > M:
        k = np.argpartition(-d, M)[:M]
        d, j = d[k], j[k]
    rows.append(np.full(len(j), i))
    cols.append(j)
    vals.append(d)
S = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                  shape=(n_items, n_items))
t_build, c_build = time.perf_counter() - t0, time.process_time() - c0

n = len(custs) if not limit else min(limit, len(custs))
lat, cpu = np.empty(n), np.empty(n)
for c in range(n):
    t0, c0 = time.perf_counter(), time.thread_time()
    score = np.asarray((R[c] @ S).todense()).ravel()
    score[B[c].indices] = -np.inf
    top = np.argpartition(-score, K)[:K]
    top = top[np.argsort(-score[top])]
    cpu[c] = time.thread_time() - c0
    lat[c] = time.perf_counter() - t0
lat *= 1e6
cpu *= 1e6


def summary(v):
    return {"mean": float(v.mean()), "p50": float(np.median(v)),
            "p99": float(np.sort(v)[int(np.ceil(0.99 * len(v))) - 1]), "max": float(v.max())}



print(json.dumps({"customers": int(len(custs)), "timed": int(n), "load_seconds": t_load,
                  "load_cpu_seconds": c_load, "build_seconds": t_build,
                  "build_cpu_seconds": c_build, "neighbours": int(S.nnz),
                  "latency_us": summary(lat), "cpu_us": summary(cpu)}))
