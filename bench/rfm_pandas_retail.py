#!/usr/bin/python3
# rfm_pandas_retail.py CSV [YYYY-MM-DD] — the baseline bench/score.sh times against `encore
# score`: what a user would otherwise write to get RFM quintile scores of Online Retail with
# pandas: read the file, clean it (drop C invoices, lines without a customer, quantity or price
# <= 0), recency / frequency / monetary per customer as of the end of the day, and
# qcut(rank(method='first'), 5) scores (recency reversed). Only RFM: no CLV, churn, lifecycle,
# tags, clusters or storage. Prints the customers scored and a checksum of the scores.
import sys

import pandas as pd

path = sys.argv[1]
end = pd.Timestamp(sys.argv[2] if len(sys.argv) > 2 else "2011-12-09") + pd.Timedelta(days=1)
df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str},
                 parse_dates=["InvoiceDate"])
df = df[~df["InvoiceNo"].str.startswith("C") & df["CustomerID"].notna() &
        (df["Quantity"] > 0) & (df["UnitPrice"] > 0) & (df["InvoiceDate"] < end)]
df["amount"] = df["Quantity"] * df["UnitPrice"]
g = df.groupby("CustomerID")
rfm = pd.DataFrame({"recency": (end - g["InvoiceDate"].max()).dt.total_seconds() / 86400,
                    "frequency": g["InvoiceNo"].nunique(), "monetary": g["amount"].sum()})
for col, higher in (("recency", False), ("frequency", True), ("monetary", True)):
    b = pd.qcut(rfm[col].rank(method="first"), 5, labels=False) + 1
    rfm[col[0]] = b if higher else 6 - b
print(len(rfm), int((rfm["r"] * 100 + rfm["f"] * 10 + rfm["m"]).sum()))
