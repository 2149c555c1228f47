#!/usr/bin/env python3
# measure_oracle.py DB REPORT.json AS_OF — an independent computation of `encore campaign
# report` over the raw SQLite tables, written from the rule in docs/measurement.md (not from
# the C code): the attribution of each paid order, the funnel per group, the rates, uplift
# over the holdout (Newcombe interval from Wilson's, z-test = chi2_contingency without
# correction, or Fisher's exact test when an expected cell is under 5; Welch via
# scipy.stats.ttest_ind), incremental revenue, cost, ROI, the A/B comparison. Compares every
# number with the report and prints "mismatches N" and each difference; also prints the
# figures the e2e script checks. Test oracle only (tests/e2e/test_measure.sh), never the product.
import collections, json, math, sqlite3, sys
import numpy as np
from scipy import stats

db = sqlite3.connect(sys.argv[1])
rep = json.load(open(sys.argv[2]))
AS_OF = int(sys.argv[3])
CAMP = rep["campaign"]
DAY = 86400


def dur(s):
    return int(s[:-1]) * {"s": 1, "m": 60, "h": 3600, "d": DAY}[s[-1]]


WIN = {ch: dur(v) for ch, v in rep["windows"].items()}
COST = rep["message_cost"]
spec = json.loads(db.execute("SELECT spec FROM campaigns WHERE name = ?", (CAMP,)).fetchone()[0])
FIRST = spec["channels"][0]
VARIANTS = [v["name"] for v in spec.get("variants", [{"name": "A"}])]
digits = 2

rows = db.execute(
    "SELECT customer_id, holdout, variant, channel, at, message_key FROM campaign_members"
    " WHERE campaign = ? AND at <= ?", (CAMP, AS_OF)).fetchall()
msgs = {k: (i, st, sent, ch) for i, k, st, sent, ch in db.execute(
    "SELECT id, idempotency_key, state, sent_at, channel FROM messages WHERE campaign = ?", (CAMP,))}

Member = collections.namedtuple("Member", "cust group channel at key msg_id state sent_at")
members = []
for cust, hold, var, ch, at, key in rows:
    m = msgs.get(key) if key else None
    members.append(Member(cust, "holdout" if hold else var, ch, at, key,
                          m[0] if m else None, m[1] if m else None, m[2] if m else None))
by_msg = {m.msg_id: m for m in members if m.msg_id is not None}
by_key = {m.key: m for m in members if m.key}

# windows: (start, end, group) per customer
touch = collections.defaultdict(list)
for m in members:
    start = m.sent_at if m.state == "sent" else m.at
    if start <= AS_OF:
        touch[m.cust].append((start, start + WIN[m.channel or FIRST], m.group))

flags = collections.defaultdict(set)  # (cust, group) -> {"open", "click", "unsub"}
for props, typ, ts in db.execute(
        "SELECT props, type, ts FROM events WHERE type IN ('message_open', 'message_click',"
        " 'unsubscribe') AND ts <= ?", (AS_OF,)):
    try:
        mid = json.loads(props).get("message_id")
    except (TypeError, ValueError):
        continue
    m = by_msg.get(mid)
    if m is None or m.state != "sent":
        continue
    if typ == "unsubscribe":
        flags[(m.cust, m.group)].add("unsub")
    else:
        flags[(m.cust, m.group)].add("open")
    if typ == "message_click":
        flags[(m.cust, m.group)].add("click")
        touch[m.cust].append((ts, ts + WIN[m.channel], m.group))

revenue = collections.defaultdict(int)  # (cust, group) -> attributed sales
orders_n = collections.Counter()
by_coupon = collections.Counter()
coupon_cost = collections.Counter()
converted = set()
coupon_orders = set()
for key, kind, amount, oid, ts, sales, discount in db.execute(
        "SELECT c.message_key, c.kind, c.amount, o.id, o.ts, o.sales, o.discount FROM coupons c"
        " JOIN orders o ON o.id = c.redeemed_order WHERE c.campaign = ? AND o.status = 'paid'"
        " AND o.ts <= ?", (CAMP, AS_OF)):
    m = by_key.get(key)
    if m is None:
        continue
    coupon_orders.add(oid)
    revenue[(m.cust, m.group)] += sales
    orders_n[m.group] += 1
    by_coupon[m.group] += 1
    converted.add((m.cust, m.group))
    coupon_cost[m.group] += amount if kind == "value" else (discount if discount > 0 else round(sales * amount / 100))

repurchased = set()
custs = sorted({m.cust for m in members})
for cust, oid, ts, sales in db.execute(
        "SELECT customer_id, id, ts, sales FROM orders WHERE status = 'paid' AND ts <= ?"
        " AND customer_id IN (SELECT customer_id FROM campaign_members WHERE campaign = ?)",
        (AS_OF, CAMP)):
    inside = [t for t in touch.get(cust, []) if t[0] < ts <= t[1]]
    for t in inside:
        repurchased.add((cust, t[2]))
    if not inside or oid in coupon_orders:
        continue
    g = max(inside, key=lambda t: t[0])[2]
    revenue[(cust, g)] += sales
    orders_n[g] += 1
    converted.add((cust, g))


def group(name, kinds):
    """kinds: the member groups that make up this group (a variant, every variant, holdout)"""
    ms = [m for m in members if m.group in kinds]
    cust = sorted({m.cust for m in ms})
    per = {}
    for m in ms:
        per.setdefault(m.cust, []).append(m)
    out = {"audience": len(cust)}
    sent = {c for c in cust if any(m.state in ("sent", "failed", "dead") for m in per[c])}
    deliv = {c for c in cust if any(m.state == "sent" for m in per[c])}
    out["sent"] = len(sent)
    out["delivered"] = len(deliv)
    out["failed"] = len(sent - deliv)
    fl = lambda c, f: any(f in flags.get((c, g), set()) for g in kinds)
    out["opened"] = sum(1 for c in deliv if fl(c, "open"))
    out["clicked"] = sum(1 for c in deliv if fl(c, "click"))
    out["unsubscribed"] = sum(1 for c in deliv if fl(c, "unsub"))
    out["converted"] = sum(1 for c in cust if any((c, g) in converted for g in kinds))
    out["repurchased"] = sum(1 for c in cust if any((c, g) in repurchased for g in kinds))
    out["members"] = len(ms)
    out["messages"] = sum(1 for m in ms if m.msg_id is not None)
    out["messages_sent"] = sum(1 for m in ms if m.state == "sent")
    out["orders"] = sum(orders_n[g] for g in kinds)
    out["orders_by_coupon"] = sum(by_coupon[g] for g in kinds)
    rev = [sum(revenue[(c, g)] for g in kinds) for c in cust]
    out["revenue"] = sum(rev) / 100
    mc = round(sum(COST[m.channel] * 100 for m in ms if m.state == "sent"))
    cc = sum(coupon_cost[g] for g in kinds)
    out["cost"] = {"messages": mc / 100, "coupons": cc / 100, "total": (mc + cc) / 100}
    n = len(cust)
    out["conversion_rate"] = out["converted"] / n if n else None
    out["revenue_per_customer"] = sum(rev) / n / 100 if n else None
    out["repurchase_rate"] = out["repurchased"] / n if n else None
    return out, np.array(rev, dtype=float), mc + cc


def wilson(x, n, z):
    p = x / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(c - h, 0.0), min(c + h, 1.0)


def prop_test(x1, n1, x2, n2):
    z = stats.norm.ppf(0.975)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    lo = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    t = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    if (t.sum(0) == 0).any() or (stats.contingency.expected_freq(t) < 5).any():
        p, test = stats.fisher_exact(t)[1], "fisher"
    else:
        p, test = stats.chi2_contingency(t, correction=False)[1], "z"
    return p1 - p2, lo, hi, p, test


def welch(a, b):
    t, p = stats.ttest_ind(a, b, equal_var=False)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    d = a.mean() - b.mean()
    q = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    return d, d - q, d + q, p, t, df


expect = {}
H, hrev, _ = group("holdout", {"holdout"})
for name, kinds in [(v, {v}) for v in VARIANTS] + [("treated", set(VARIANTS))]:
    G, rev, cost = group(name, kinds)
    d, lo, hi, p, test = prop_test(G["converted"], G["audience"], H["converted"], H["audience"])
    rd, rlo, rhi, rp, rt, rdf = welch(rev, hrev)
    n = G["audience"]
    G["uplift"] = {
        "conversion": {"difference": d, "ci": [lo, hi], "p_value": p, "test": test},
        "revenue_per_customer": {"difference": rd / 100, "ci": [rlo / 100, rhi / 100],
                                 "p_value": rp, "t": rt, "df": rdf},
        "incremental_conversions": d * n,
        "incremental_revenue": rd * n / 100,
        "incremental_revenue_ci": [rlo * n / 100, rhi * n / 100],
        "cost": cost / 100,
        "roi": (rd * n - cost) / cost if cost else None,
    }
    expect[name] = (G, rev)
H["uplift"] = None

mism = []
compared = [0]


def cmp(path, got, want):
    compared[0] += 1
    if isinstance(want, dict):
        for k, v in want.items():
            cmp(path + "." + k, got.get(k) if isinstance(got, dict) else None, v)
    elif isinstance(want, list):
        for i, v in enumerate(want):
            cmp("%s[%d]" % (path, i), got[i] if isinstance(got, list) and i < len(got) else None, v)
    elif want is None or got is None:
        if want is not None or got is not None:
            mism.append("%s: %r vs %r" % (path, got, want))
    elif isinstance(want, str):
        if got != want:
            mism.append("%s: %r vs %r" % (path, got, want))
    else:
        tol = 1e-9 * max(1.0, abs(want))
        if path.endswith("p_value") and want < 1e-3:
            tol = max(1e-300, 1e-6 * want)
        if path.endswith("df") or path.endswith(".t") or "ci" in path:
            tol = 1e-7 * max(1.0, abs(want))
        if not abs(got - want) <= tol:
            mism.append("%s: %r vs %r" % (path, got, want))


got = {g["name"] if g["kind"] != "treated" else "treated": g for g in rep["groups"]}
for name, (G, _) in expect.items():
    cmp(name, got.get(name, {}), G)
cmp("holdout", got.get("holdout", {}), H)

# A/B: the leader by conversion rate (ties to the first listed) against the others
rates = [expect[v][0]["conversion_rate"] for v in VARIANTS]
lead = max(range(len(VARIANTS)), key=lambda i: (rates[i], -i))
ab_want = {"leader": VARIANTS[lead], "comparisons": []}
ps = []
for i, v in enumerate(VARIANTS):
    if i == lead:
        continue
    L, O = expect[VARIANTS[lead]][0], expect[v][0]
    d, lo, hi, p, test = prop_test(L["converted"], L["audience"], O["converted"], O["audience"])
    ab_want["comparisons"].append({"variant": v, "difference": d, "ci": [lo, hi], "p_value": p, "test": test})
    ps.append(p)
m = len(ps)
order = sorted(range(m), key=lambda i: ps[i])
adj, run = [0.0] * m, 0.0
for j, i in enumerate(order):
    run = max(run, min(1.0, (m - j) * ps[i]))
    adj[i] = run
for c, a in zip(ab_want["comparisons"], adj):
    c["p_adjusted"] = a
cmp("ab", rep["ab"], ab_want)
sig = all(a < 0.05 for a in adj) and m > 0
if rep["ab"]["significant"] != sig:
    mism.append("ab.significant: %r vs %r" % (rep["ab"]["significant"], sig))

print("compared %d" % compared[0])
print("mismatches %d" % len(mism))
for x in mism[:30]:
    print("  " + x)
B, A, T = expect["B"][0], expect["A"][0], expect["treated"][0]
print("figures holdout %d/%d A %d/%d B %d/%d; B uplift %.4f p %.3g; treated incremental %.2f roi %.3f"
      % (H["converted"], H["audience"], A["converted"], A["audience"], B["converted"],
         B["audience"], B["uplift"]["conversion"]["difference"],
         B["uplift"]["conversion"]["p_value"], T["uplift"]["incremental_revenue"],
         T["uplift"]["roi"] or float("nan")))
