#!/usr/bin/env python3
"""respond_ref.py DB CAMPAIGN OUTDIR — the baseline for bench/respond.sh: what a user would
otherwise write to simulate responses to a campaign with NumPy and pandas. The same model as
`encore gen respond` in its simplest form: per customer an anchor (first delivery, else the first
membership), one Bernoulli(base + uplift if reached) order uniform in a 7-day window with a
Gamma(4, mean aov) subtotal as one line of the nearest-priced product, coupon use 0.5, opens and
clicks of the reached; orders.csv and events.csv written with pandas. Prints the rows written."""
import sqlite3, sys
import numpy as np, pandas as pd

db, camp, out = sys.argv[1], sys.argv[2], sys.argv[3]
base, uplift, open_rate, click_rate, coupon_use, window = 0.05, 0.03, 0.35, 0.1, 0.5, 7 * 86400
con = sqlite3.connect(db)
mem = pd.read_sql_query(
    "SELECT m.customer_id AS id, max(m.holdout) AS holdout, min(m.at) AS at, c.external_id AS ext"
    " FROM campaign_members m JOIN customers c ON c.id = m.customer_id WHERE m.campaign = ?"
    " GROUP BY m.customer_id", con, params=(camp,))
msg = pd.read_sql_query(
    "SELECT m.customer_id AS id, m.id AS msg, m.channel, m.sent_at, k.code, k.amount"
    " FROM messages m LEFT JOIN coupons k ON k.message_key = m.idempotency_key"
    " WHERE m.campaign = ? AND m.state = 'sent' ORDER BY m.customer_id, m.sent_at", con, params=(camp,))
msg = msg.drop_duplicates("id")
prod = pd.read_sql_query("SELECT sku, name, price FROM products WHERE price > 0 AND in_stock = 1 ORDER BY price", con)
aov = con.execute("SELECT avg(sales) FROM orders WHERE status = 'paid'").fetchone()[0] or 8000
df = mem.merge(msg, on="id", how="left")
reached = (df.holdout == 0) & df.msg.notna()
anchor = np.where(reached, df.sent_at.fillna(0), df["at"]).astype(np.int64)
rng = np.random.default_rng(1)
n = len(df)
buy = rng.random(n) < base + np.where(reached, uplift, 0)
u = rng.random(n)
opened, clicked = reached & (u < open_rate), reached & (u < click_rate)
ts = anchor + 1 + (rng.random(n) * (window - 2)).astype(np.int64)
z = rng.gamma(4, aov / 4, n)
idx = np.clip(np.searchsorted(prod.price.values, z) - 1, 0, len(prod) - 1)
use = buy & reached & df.code.notna() & (rng.random(n) < coupon_use)
b = buy
orders = pd.DataFrame({
    "order_id": "R-" + camp + "-" + df.id[b].astype(str), "customer_id": df.ext[b],
    "time": pd.to_datetime(ts[b], unit="s").strftime("%Y-%m-%d %H:%M:%S"), "status": "paid",
    "coupon": np.where(use[b], df.code[b], ""), "discount": np.where(use[b], df.amount[b].fillna(0) / 100, 0),
    "currency": "USD", "sku": prod.sku.values[idx[b]], "name": prod.name.values[idx[b]], "qty": 1,
    "unit_price": prod.price.values[idx[b]] / 100})
orders.to_csv(out + "/orders.csv", index=False, float_format="%.2f")
ev = []
for kind, mask in (("message_open", opened), ("message_click", clicked)):
    ev.append(pd.DataFrame({"event_id": "R-" + camp + "-" + df.id[mask].astype(str) + "-" + kind[8],
                            "customer_id": df.ext[mask],
                            "time": pd.to_datetime(anchor[mask] + 3600, unit="s").strftime("%Y-%m-%d %H:%M:%S"),
                            "type": kind, "channel": df.channel[mask],
                            "properties": '{"message_id":' + df.msg[mask].astype(np.int64).astype(str) + ',"campaign":"' + camp + '"}'}))
events = pd.concat(ev)
events.to_csv(out + "/events.csv", index=False)
print(len(orders) + len(events))
