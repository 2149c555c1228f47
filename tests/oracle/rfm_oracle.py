#!/usr/bin/python3
"""rfm_oracle.py — an independent RFM computation with pandas for tests/e2e/test_intel_real.sh
(never used by the product). Reads the Online Retail CSV itself, applies the usual cleaning
(drop invoices starting with C, lines without a customer, quantity <= 0, price <= 0, lines after
the as-of day), and compares with the profiles Encore exported (JSON lines), customer by
customer:

  recency_days = (end of the as-of day - last invoice time) / 86400 s, exactly, which the
                 export writes rounded to 2 decimals (ENC_DP_DAYS): compared within 0.005; an invoice is
                 one order placed at its first line's time (a few invoices' lines straddle a
                 minute: 547690 has lines at 14:55 and 14:56 — the order is at 14:55)
  frequency    = distinct invoices
  monetary     = sum of quantity x unit price in cents (prices have at most 2 decimals), net of
                 the customer's returns before the as-of day's end (the lines of C invoices and
                 any negative quantity: |quantity| x unit price), never below 0: Encore's
                 monetary is net of returns since issue 12 (the published RFM studies of this
                 data, e.g. Chen, Sain & Guo 2012, drop the C invoices and report gross sums;
                 recency and frequency are the same either way)
  r, f, m      = pd.qcut(s.rank(method='first'), 5, labels=False) + 1 (recency reversed),
                 then the lowest score of each group of equal values (Encore's default ties)

usage: rfm_oracle.py ONLINE_RETAIL_CSV AS_OF(YYYY-MM-DD) PROFILES.jsonl
Prints one summary line; exits 1 on any difference (the first ten are printed).
"""
import json
import sys

import pandas as pd

csv, as_of, prof = sys.argv[1], sys.argv[2], sys.argv[3]
end = pd.Timestamp(as_of) + pd.Timedelta(days=1)

raw = pd.read_csv(csv, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str},
                  parse_dates=["InvoiceDate"])
raw["placed"] = raw.groupby("InvoiceNo")["InvoiceDate"].transform("min")
cancel = raw["InvoiceNo"].str.startswith("C")
ret = raw[(cancel | (raw["Quantity"] < 0)) & raw["CustomerID"].notna() & (raw["UnitPrice"] >= 0)]
ret = ret[ret["placed"] < end].copy()
ret["cust"] = ret["CustomerID"].astype(float).astype(int).astype(str)
ret["cents"] = (ret["UnitPrice"] * 100).round().astype("int64") * ret["Quantity"].abs().astype("int64")
returns = ret.groupby("cust")["cents"].sum()
df = raw[~cancel].copy()
df = df[df["CustomerID"].notna() & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)]
df = df[df["placed"] < end]
df["cust"] = df["CustomerID"].astype(float).astype(int).astype(str)
df["cents"] = (df["UnitPrice"] * 100).round().astype("int64") * df["Quantity"].astype("int64")
g = df.groupby("cust")
o = pd.DataFrame({
    "recency": (end - g["placed"].max()).dt.total_seconds() / 86400,
    "frequency": g["InvoiceNo"].nunique(),
    "monetary": g["cents"].sum(),
})
o["monetary"] = (o["monetary"] - returns.reindex(o.index).fillna(0).astype("int64")).clip(lower=0)


def score(s, higher):
    b = pd.qcut(s.rank(method="first"), 5, labels=False) + 1
    b = b if higher else 6 - b
    return b.groupby(s).transform("min")


o["r"] = score(o["recency"], False)
o["f"] = score(o["frequency"], True)
o["m"] = score(o["monetary"], True)

enc = {}
with open(prof) as f:
    for line in f:
        p = json.loads(line)
        enc[p["customer_id"]] = p

bad = []
checked = 0
for cust, row in o.iterrows():
    p = enc.get(cust)
    if p is None:
        bad.append(f"{cust}: missing from Encore's profiles")
        continue
    # the export's 2 decimals: the nearest, and never off by more than half a hundredth
    rec_ok = abs(p["recency_days"] - row["recency"]) <= 0.005 + 1e-9
    got = (rec_ok, p["frequency"], round(p["monetary"] * 100), p["r"], p["f"], p["m"])
    want = (True, int(row["frequency"]), int(row["monetary"]), int(row["r"]),
            int(row["f"]), int(row["m"]))
    if got != want:
        bad.append(f"{cust}: encore {got} pandas {want} (recency {p['recency_days']} vs "
                   f"{row['recency']})")
    checked += 1
# customers Encore knows without a clean purchase: no recency, frequency 0
for cust, p in enc.items():
    if cust not in o.index:
        if p["frequency"] != 0 or p["recency_days"] is not None or p["r"] is not None:
            bad.append(f"{cust}: no clean purchase in pandas, encore {p['frequency']} orders")
        checked += 1
print(f"{checked} customers compared ({len(o)} buyers), {len(bad)} differ")
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad else 0)
