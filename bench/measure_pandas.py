#!/usr/bin/env python3
# measure_pandas.py DB CAMPAIGN AS_OF WINDOW_SECONDS — the baseline of bench/measure.sh: what an
# analyst would otherwise write to measure a campaign against its holdout with pandas and scipy
# over the SQLite store. Same rule as `encore campaign report` for a one-channel campaign
# without clicks: an order counts when it redeemed the campaign's coupon, or came within the
# window after the delivery (the membership time for the holdout and undelivered messages);
# once per order. Prints per group: audience, converted, revenue, and the uplift statistics.
import sqlite3, sys
import numpy as np
import pandas as pd
from scipy import stats

db, camp, as_of, win = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
con = sqlite3.connect(db)
m = pd.read_sql_query(
    "SELECT m.customer_id, m.holdout, m.variant, m.at, m.message_key, g.state, g.sent_at"
    " FROM campaign_members m LEFT JOIN messages g ON g.idempotency_key = m.message_key"
    " WHERE m.campaign = ? AND m.at <= ?", con, params=(camp, as_of))
m["group"] = np.where(m.holdout == 1, "holdout", m.variant)
m["start"] = np.where(m.state == "sent", m["sent_at"], m["at"])
o = pd.read_sql_query(
    "SELECT id, customer_id, ts, sales FROM orders WHERE status = 'paid' AND ts <= ?"
    " AND customer_id IN (SELECT customer_id FROM campaign_members WHERE campaign = ?)",
    con, params=(as_of, camp))
c = pd.read_sql_query(
    "SELECT c.message_key, o.id, o.sales FROM coupons c JOIN orders o ON o.id = c.redeemed_order"
    " WHERE c.campaign = ? AND o.status = 'paid' AND o.ts <= ?", con, params=(camp, as_of))
c = c.merge(m[["message_key", "customer_id", "group"]], on="message_key")
j = o[~o.id.isin(c.id)].merge(m[["customer_id", "group", "start"]], on="customer_id")
j = j[(j.ts > j.start) & (j.ts <= j.start + win)]
j = j.sort_values("start").drop_duplicates("id", keep="last")  # the latest window wins
att = pd.concat([j[["customer_id", "group", "sales"]], c[["customer_id", "group", "sales"]]])
per = att.groupby(["group", "customer_id"]).sales.sum()
cust = m.drop_duplicates(["group", "customer_id"])[["group", "customer_id"]]
cust = cust.join(per, on=["group", "customer_id"]).fillna({"sales": 0})
cust["conv"] = cust.set_index(["group", "customer_id"]).index.isin(per.index)
g = cust.groupby("group").agg(audience=("conv", "size"), converted=("conv", "sum"), revenue=("sales", "sum"))
h = cust[cust.group == "holdout"]
for name, row in g.iterrows():
    if name == "holdout":
        print(name, int(row.audience), int(row.converted), int(row.revenue))
        continue
    t = cust[cust.group == name]
    tab = [[row.converted, row.audience - row.converted],
           [g.loc["holdout"].converted, g.loc["holdout"].audience - g.loc["holdout"].converted]]
    p = stats.chi2_contingency(tab, correction=False)[1]
    w = stats.ttest_ind(t.sales, h.sales, equal_var=False)
    print(name, int(row.audience), int(row.converted), int(row.revenue),
          "uplift %.5f p %.3g welch p %.3g" % (row.converted / row.audience - g.loc["holdout"].converted / g.loc["holdout"].audience, p, w.pvalue))
