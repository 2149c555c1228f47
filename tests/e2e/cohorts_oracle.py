#!/usr/bin/env python3
"""cohorts_oracle.py — an independent computation (pandas, exact decimals) of the cohort
retention table and the KPIs of `encore cohorts --json` / `encore kpis --json` from the raw UCI
Online Retail file, following docs/analytics.md; compares them with the JSON given and prints
"ok" or the first differences.

usage: cohorts_oracle.py online_retail.csv month|week cohorts.json kpis.json"""
import json
import sys
from decimal import Decimal, ROUND_HALF_UP

import pandas as pd

path, period, cohorts_path, kpis_path = sys.argv[1:5]
df = pd.read_csv(path, dtype=str, keep_default_na=False)
df = df[df["CustomerID"] != ""].copy()
# minor units: qty x exact price, rounded half away from zero once
df["cents"] = [int((Decimal(q) * Decimal(p) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
               for q, p in zip(df["Quantity"], df["UnitPrice"])]
df["qty"] = df["Quantity"].astype(int)
df["price"] = [Decimal(p) for p in df["UnitPrice"]]
df["ret_inv"] = df["InvoiceNo"].str.startswith("C")
df["sale"] = (~df["ret_inv"]) & (df["qty"] > 0) & (df["price"] > 0)
df["retline"] = (~df["ret_inv"]) & (df["qty"] < 0)
# an invoice's time is its first line's
inv_ts = df.groupby("InvoiceNo", sort=False)["InvoiceDate"].first()
inv_cust = df.groupby("InvoiceNo", sort=False)["CustomerID"].first()

sales = df[df["sale"]].groupby("InvoiceNo")["cents"].sum()
sales = sales[sales > 0]
orders = pd.DataFrame({"cust": inv_cust[sales.index], "ts": pd.to_datetime(inv_ts[sales.index]),
                       "amount": sales})
# returns: a cancelled (C) invoice's total, and the return lines of a sale invoice, one a invoice
r1 = df[df["ret_inv"]].groupby("InvoiceNo")["cents"].sum().abs()
r2 = df[df["retline"]].groupby("InvoiceNo")["cents"].sum().abs()
rets = pd.concat([r1, r2])
returns = pd.DataFrame({"cust": inv_cust[rets.index].values,
                        "ts": pd.to_datetime(inv_ts[rets.index].values), "amount": rets.values})


def pnum(ts):
    if period == "month":
        return ts.dt.year * 12 + ts.dt.month - 1
    monday = ts.dt.normalize() - pd.to_timedelta(ts.dt.weekday, unit="D")
    return (monday - pd.Timestamp("1969-12-29")).dt.days // 7


def label(p):
    if period == "month":
        return "%04d-%02d" % (p // 12, p % 12 + 1)
    monday = pd.Timestamp("1969-12-29") + pd.Timedelta(days=7 * int(p))
    y, w, _ = monday.isocalendar()
    return "%04d-W%02d" % (y, w)


def money(c):
    return "%s%d.%02d" % ("-" if c < 0 else "", abs(c) // 100, abs(c) % 100)


orders["p"] = pnum(orders["ts"])
returns["p"] = pnum(returns["ts"])
first = orders.groupby("cust")["p"].min().rename("p0")
last = max(orders["p"].max(), returns["p"].max())
o = orders.join(first, on="cust")
o["k"] = o["p"] - o["p0"]
r = returns.join(first, on="cust", how="inner")
r["k"] = r["p"] - r["p0"]
r = r[r["k"] >= 0]
cnt = o.groupby(["p0", "k"])["cust"].nunique()
rev = o.groupby(["p0", "k"])["amount"].sum().sub(r.groupby(["p0", "k"])["amount"].sum(),
                                                  fill_value=0)
want = []
for p0, size in first.value_counts().sort_index().items():
    n = int(last - p0 + 1)
    want.append({"cohort": label(p0), "size": int(size),
                 "customers": [int(cnt.get((p0, k), 0)) for k in range(n)],
                 "revenue": [money(int(rev.get((p0, k), 0))) for k in range(n)]})

errors = []
got = json.load(open(cohorts_path), parse_float=str)
if got.get("period") != period:
    errors.append("period %r" % got.get("period"))
gc = got["cohorts"]
for g in gc:
    g["revenue"] = ["%.2f" % Decimal(x) if isinstance(x, str) else money(int(x) * 100)
                    for x in g["revenue"]]
if len(gc) != len(want):
    errors.append("%d cohorts, want %d" % (len(gc), len(want)))
for g, w in zip(gc, want):
    if g != w:
        errors.append("cohort %s: got %s, want %s" % (w["cohort"], json.dumps(g)[:300],
                                                      json.dumps(w)[:300]))

# KPIs per period, over every period from the first to the last holding an order or a return
kp = json.load(open(kpis_path), parse_float=str)
lo = min(orders["p"].min(), returns["p"].min())
per_orders = orders.groupby("p")["amount"].agg(["count", "sum"])
per_ret = returns.groupby("p")["amount"].sum()
active = orders.groupby("p")["cust"].nunique()
new = first.value_counts()
rows = kp["periods"]
if len(rows) != last - lo + 1:
    errors.append("kpis: %d periods, want %d" % (len(rows), last - lo + 1))
for i, row in enumerate(rows):
    p = lo + i
    n = int(per_orders["count"].get(p, 0))
    s = int(per_orders["sum"].get(p, 0))
    a = int(active.get(p, 0))
    f = int(new.get(p, 0))
    w = {"period": label(p), "orders": n, "revenue": money(s), "returns": money(int(per_ret.get(p, 0))),
         "net_revenue": money(s - int(per_ret.get(p, 0))),
         "aov": money((s + n // 2) // n) if n else None,
         "active_customers": a, "new_customers": f, "returning_customers": a - f,
         "repurchase_rate": (a - f) / a if a else None}
    g = dict(row)
    for key in ("revenue", "returns", "net_revenue", "aov"):
        if g[key] is not None:
            g[key] = "%.2f" % Decimal(g[key]) if isinstance(g[key], str) else money(int(g[key]) * 100)
    # written rounded to 4 decimals (ENC_DP_RATE): equal when within half of the last place
    if g["repurchase_rate"] is not None and w["repurchase_rate"] is not None and \
            abs(float(g["repurchase_rate"]) - w["repurchase_rate"]) <= 0.00005 + 1e-12:
        g["repurchase_rate"] = w["repurchase_rate"]
    if g != w:
        errors.append("kpis %s: got %s, want %s" % (w["period"], g, w))
print("ok" if not errors else "\n".join(errors[:10]))
