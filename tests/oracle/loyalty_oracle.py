#!/usr/bin/python3
"""loyalty_oracle.py — an independent model of the loyalty programme (docs/loyalty.md), written
from the documentation with Python's datetime and fractions, never sharing code with
src/loyalty/. It drives the real binary through random sequences of orders (imported as CSV),
returns, redemptions (by points and by reward, with keys replayed and reused for other content),
their reversals, adjustments, bonuses, the expiry job and the tier review over two years of
time steps, and after every step compares, for every customer, Encore's `points balance --json`
with the model: balance, open lots (earned, expiry, points, remaining, in FIFO order), points
expiring within 30 days, tier, tier since, pending drop — and the invariants balance = sum of
entries (`points history`) = sum of open lots. Refusals (over the balance, a reused key, a return
of an order that earned nothing) must exit 1 and change nothing.

usage: loyalty_oracle.py ENCORE WORKDIR SEED VARIANT(A|B|C) STEPS
Prints "ok: ..." and exits 0, or prints the first difference and exits 1.
"""
import calendar
import copy
import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timezone
from fractions import Fraction
from math import floor

ENCORE, WORK, SEED, VARIANT, STEPS = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
DB = os.path.join(WORK, "oracle-%s-%d.db" % (VARIANT, SEED))
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(DB + suffix):
        os.remove(DB + suffix)

PROGRAMMES = {
    "A": {
        "earn": {"points_per_unit": 1, "currency_unit": 100,
                 "categories": {"beauty": 2, "beauty/lips": 3}, "skus": {"MUG": 0.5},
                 "member_day": {"day": 8, "multiplier": 2},
                 "cap_per_order": 3000, "cap_per_day": 4000,
                 "bonuses": {"first_order": 50, "birthday": 100}},
        "returns": {"allow_negative": True},
        "expiry": {"months": 6},
        "tiers": {"by": "spend", "window_months": 12, "review": {"month": 3, "day": 1},
                  "grace_days": 10,
                  "levels": [{"name": "member", "min": 0},
                             {"name": "silver", "min": 50000, "multiplier": 1.5},
                             {"name": "gold", "min": 200000, "multiplier": 2,
                              "benefits": {"birthday_points": 200}}]},
        "rewards": [{"id": "coupon-5", "points": 500, "kind": "coupon", "value": 500},
                    {"id": "mug", "points": 1500, "kind": "product", "sku": "MUG"}],
    },
    "B": {
        "earn": {"points_per_unit": 0.5, "currency_unit": 100, "categories": {"home": 1.25},
                 "bonuses": {"birthday": 30}},
        "returns": {"allow_negative": False},
        "expiry": {"end_of_year_after": 1},
        "tiers": {"by": "points", "window_months": 6, "review": {"month": 7, "day": 1},
                  "grace_days": 0,
                  "levels": [{"name": "bronze", "min": 0},
                             {"name": "silver", "min": 800, "multiplier": 1.1},
                             {"name": "gold", "min": 2500, "multiplier": 1.75}]},
        "rewards": [{"id": "tote", "points": 300, "kind": "product", "sku": "TOTE"}],
    },
    "C": {
        "earn": {"points_per_unit": 2, "currency_unit": 100, "cap_per_day": 2500,
                 "member_day": {"day": 15, "multiplier": 1.5},
                 "bonuses": {"first_order": 200, "birthday": 10}},
        "returns": {"allow_negative": True},
        "expiry": {"months": 12},
        "tiers": {"by": "orders", "window_months": 12, "review": {"month": 1, "day": 1},
                  "grace_days": 30,
                  "levels": [{"name": "v1", "min": 0}, {"name": "v2", "min": 3, "multiplier": 1.2},
                             {"name": "v3", "min": 6, "multiplier": 1.5}]},
        "rewards": [{"id": "c10", "points": 1000, "kind": "coupon", "value": 1000}],
    },
}
PROG = PROGRAMMES[VARIANT]
EARN, TIERS = PROG["earn"], PROG["tiers"]
LEVELS = sorted(TIERS["levels"], key=lambda t: t["min"])
PRODUCTS = [("MUG", "home/kitchen", 3500), ("LIP", "beauty/lips", 12900),
            ("CREAM", "beauty/face", 25900), ("TEE", "apparel", 9900), ("TOTE", "home", 4500)]
CUSTOMERS = ["M1", "M2", "M3"]
DAY = 86400


def frac(x):
    return Fraction(str(x))


def add_months(ts, n):
    d = datetime.fromtimestamp(ts, timezone.utc)
    m = d.year * 12 + d.month - 1 + n
    y, mo = divmod(m, 12)
    day = min(d.day, calendar.monthrange(y, mo + 1)[1])
    return int(d.replace(year=y, month=mo + 1, day=day).timestamp())


def expires_at(ts):
    e = PROG["expiry"]
    if "months" in e:
        return add_months(ts, e["months"])
    if "end_of_year_after" in e:
        y = datetime.fromtimestamp(ts, timezone.utc).year + e["end_of_year_after"] + 1
        return int(datetime(y, 1, 1, tzinfo=timezone.utc).timestamp())
    return None


def fmt(ts):
    return None if ts is None else datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def tier_index(name):
    return [t["name"] for t in LEVELS].index(name)


def tier_for(metric):
    return max(i for i, t in enumerate(LEVELS) if metric >= t["min"])


class Model:
    def __init__(self):
        self.lots = []        # dicts: id, cust, earned, expires, points, remaining
        self.entries = []     # dicts: cust, ts, kind, points, order, key, request, ref, moves
        self.members = {}     # cust -> dict tier, since, drop
        self.orders = {}      # key -> dict cust, ts, total, discount, lines, status
        self.keys = {}        # idempotency key -> entry index
        self.last_review = None
        self.seen = {}        # what the sequence exercised: the summary line's coverage

    def saw(self, what):
        self.seen[what] = self.seen.get(what, 0) + 1

    def new_lot(self, cust, earned, expires, points, remaining):
        lot = {"id": len(self.lots) + 1, "cust": cust, "earned": earned, "expires": expires,
               "points": points, "remaining": remaining}
        self.lots.append(lot)
        return lot

    def open_lots(self, cust):
        return sorted((l for l in self.lots if l["cust"] == cust and l["remaining"] != 0),
                      key=lambda l: (l["earned"], l["id"]))

    def balance(self, cust):
        return sum(e["points"] for e in self.entries if e["cust"] == cust)

    def expire(self, cust, now):
        for l in self.lots:
            if (cust is None or l["cust"] == cust) and l["remaining"] > 0 and \
                    l["expires"] is not None and l["expires"] <= now:
                self.entries.append({"cust": l["cust"], "ts": now, "kind": "expire",
                                     "points": -l["remaining"], "moves": {}})
                l["remaining"] = 0

    def begin(self, cust, now):
        if cust not in self.members:
            self.members[cust] = {"tier": LEVELS[0]["name"], "since": now, "drop": None}
        self.expire(cust, now)

    def add_entry(self, cust, ts, kind, points, **kw):
        e = {"cust": cust, "ts": ts, "kind": kind, "points": points, "moves": {}}
        e.update(kw)
        self.entries.append(e)
        if kw.get("key"):
            self.keys[kw["key"]] = len(self.entries) - 1
        return e

    def credit(self, cust, ts, kind, points, **kw):
        e = self.add_entry(cust, ts, kind, points, **kw)
        if points <= 0:
            return e
        left = points
        for l in self.open_lots(cust):
            if l["remaining"] < 0 and left > 0:
                pay = min(-l["remaining"], left)
                l["remaining"] += pay
                left -= pay
        e["lot"] = self.new_lot(cust, ts, expires_at(ts), points, left)
        return e

    def debit(self, e, cust, want, first_lot, debt_ok, now):
        lots = self.open_lots(cust)
        order = [l for l in lots if first_lot is not None and l is first_lot] + \
                [l for l in lots if l is not first_lot]
        got = 0
        for l in order:
            if got == want:
                break
            if l["remaining"] <= 0:
                continue
            t = min(l["remaining"], want - got)
            l["remaining"] -= t
            e["moves"][l["id"]] = e["moves"].get(l["id"], 0) + t
            got += t
        short = want - got
        if short and not debt_ok:
            self.saw("shortfall")
        if short and debt_ok:
            debt = next((l for l in lots if l["remaining"] < 0), None)
            if debt is None:
                debt = self.new_lot(cust, now, None, 0, 0)
            self.saw("debt")
            debt["remaining"] -= short
            got += short
        return got

    def metric(self, cust, frm, to):
        by = TIERS["by"]
        if by == "spend":
            return sum(max(o["total"] - o["discount"], 0) for o in self.orders.values()
                       if o["cust"] == cust and o["status"] == "paid" and frm < o["ts"] <= to)
        if by == "orders":
            return sum(1 for o in self.orders.values()
                       if o["cust"] == cust and o["status"] == "paid" and frm < o["ts"] <= to)
        returned = {e["order"] for e in self.entries if e["kind"] == "return"}
        return sum(e["points"] for e in self.entries
                   if e["cust"] == cust and e["kind"] == "earn" and frm < e["ts"] <= to
                   and e["order"] not in returned)

    def order_points(self, o, tier_mult):
        net = o["total"] - o["discount"]
        if net <= 0:
            return 0
        sales = sum(a for a, _, _ in o["lines"])
        wsum = Fraction(0)
        for amount, sku, cat in o["lines"]:
            m = None
            if sku in EARN.get("skus", {}):
                m = frac(EARN["skus"][sku])
            else:
                best = -1
                for k, v in EARN.get("categories", {}).items():
                    if (cat == k or cat.startswith(k + "/")) and len(k) > best:
                        best, m = len(k), frac(v)
            wsum += amount * (m if m is not None else 1)
        weighted = floor(wsum * net / sales * 100) / Fraction(100)  # floor in hundredths
        day = Fraction(1)
        md = EARN.get("member_day")
        if md and datetime.fromtimestamp(o["ts"], timezone.utc).day == md["day"]:
            day = frac(md["multiplier"])
            self.saw("member_day")
        return floor(weighted / EARN.get("currency_unit", 100) * frac(EARN.get("points_per_unit", 1))
                     * tier_mult * day)

    def earn(self, cust, key, now):
        self.begin(cust, now)
        o = self.orders[key]
        if any(e["kind"] == "earn" and e.get("order") == key for e in self.entries):
            return "replay"
        t = LEVELS[tier_index(self.members[cust]["tier"])]
        pts = self.order_points(o, frac(t.get("multiplier", 1)))
        cap = EARN.get("cap_per_order")
        if cap and pts > cap:
            pts = cap
            self.saw("cap_order")
        if EARN.get("cap_per_day"):
            d0 = o["ts"] - o["ts"] % DAY
            today = sum(e["points"] for e in self.entries if e["cust"] == cust
                        and e["kind"] == "earn" and d0 <= e["ts"] < d0 + DAY)
            if pts > max(EARN["cap_per_day"] - today, 0):
                pts = max(EARN["cap_per_day"] - today, 0)
                self.saw("cap_day")
        had = any(e["cust"] == cust and e["kind"] == "earn" for e in self.entries)
        self.credit(cust, o["ts"], "earn", pts, order=key)
        fo = EARN.get("bonuses", {}).get("first_order", 0)
        if not had and fo:
            self.credit(cust, o["ts"], "bonus", fo, order=key)
        m = self.members[cust]
        q = tier_for(self.metric(cust, add_months(o["ts"], -TIERS["window_months"]), o["ts"]))
        if q > tier_index(m["tier"]):
            m.update(tier=LEVELS[q]["name"], since=o["ts"], drop=None)
            self.saw("upgrade")
        return "ok"

    def ret(self, cust, key, now):
        self.begin(cust, now)
        if any(e["kind"] == "return" and e.get("order") == key for e in self.entries):
            return "replay"
        earn = next((e for e in self.entries if e["kind"] == "earn" and e.get("order") == key), None)
        bonus = next((e for e in self.entries if e["kind"] == "bonus" and e.get("order") == key), None)
        want = (earn["points"] if earn else 0) + (bonus["points"] if bonus else 0)
        if not earn or want <= 0:
            return "refused"
        first = earn.get("lot")
        e = self.add_entry(cust, now, "return", 0, order=key)
        e["points"] = -self.debit(e, cust, want, first, PROG["returns"]["allow_negative"], now)
        return "ok"

    def keyed(self, cust, key, request):
        if key in self.keys:
            e = self.entries[self.keys[key]]
            return "replay" if e["cust"] == cust and e["request"] == request else "refused"
        return None

    def redeem(self, cust, points, reward, key, now):
        self.begin(cust, now)
        request = "redeem|%s|%d" % (reward or "", points)
        k = self.keyed(cust, key, request)
        if k:
            return k
        if points > self.balance(cust):
            return "refused"
        e = self.add_entry(cust, now, "redeem", -points, key=key, request=request)
        self.debit(e, cust, points, None, False, now)
        return "ok"

    def adjust(self, cust, delta, reason, key, now):
        self.begin(cust, now)
        request = "adjust|%d|%s" % (delta, reason)
        k = self.keyed(cust, key, request)
        if k:
            return k
        if delta > 0:
            self.credit(cust, now, "adjust", delta, key=key, request=request)
            return "ok"
        if -delta > self.balance(cust):
            return "refused"
        e = self.add_entry(cust, now, "adjust", delta, key=key, request=request)
        self.debit(e, cust, -delta, None, False, now)
        return "ok"

    def bonus(self, cust, which, key, now):
        self.begin(cust, now)
        request = "bonus|" + which
        k = self.keyed(cust, key, request)
        if k:
            return k
        pts = EARN["bonuses"][which] + LEVELS[tier_index(self.members[cust]["tier"])].get(
            "benefits", {}).get("birthday_points", 0)
        self.credit(cust, now, "bonus", pts, key=key, request=request)
        return "ok"

    def reverse(self, cust, idx, key, now):
        self.begin(cust, now)
        request = "reverse|%d" % (idx + 1)
        k = self.keyed(cust, key, request)
        if k:
            return k
        red = self.entries[idx]
        if red["cust"] != cust or red["kind"] != "redeem" or \
                any(e.get("ref") == idx for e in self.entries):
            return "refused"
        e = self.add_entry(cust, now, "reverse", -red["points"], key=key, request=request, ref=idx)
        for lot_id, pts in red["moves"].items():
            self.lots[lot_id - 1]["remaining"] += pts
        self.expire(cust, now)
        return "ok"

    def review(self, now):
        last = self.last_review if self.last_review is not None else now - DAY
        rv = None
        y = datetime.fromtimestamp(last, timezone.utc).year
        for yy in range(y, datetime.fromtimestamp(now, timezone.utc).year + 1):
            r = int(datetime(yy, TIERS["review"]["month"], TIERS["review"]["day"],
                             tzinfo=timezone.utc).timestamp())
            if last < r <= now:
                rv = r
        for cust in sorted(self.members):
            m = self.members[cust]
            cur = tier_index(m["tier"])
            q = tier_for(self.metric(cust, add_months(now, -TIERS["window_months"]), now))
            drop = m["drop"]
            if q > cur:
                m.update(tier=LEVELS[q]["name"], since=now, drop=None)
                continue
            if rv is not None:
                if q < cur and drop is None:
                    drop = rv + TIERS["grace_days"] * DAY
                elif q >= cur:
                    drop = None
            if drop is not None and m["drop"] is None:
                self.saw("drop_pending")
            if drop is not None and drop <= now:
                if q < cur:
                    m.update(tier=LEVELS[q]["name"], since=now)
                    self.saw("downgrade")
                drop = None
            m["drop"] = drop
        self.last_review = now


model = Model()
checks = 0


def run(*args):
    p = subprocess.run([ENCORE, "--db", DB] + [str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def must(*args):
    rc, out, err = run(*args)
    if rc != 0:
        fail("command failed: %s\n%s" % (" ".join(map(str, args)), err))
    return out


def fail(msg):
    print("not ok: seed %d variant %s: %s" % (SEED, VARIANT, msg))
    sys.exit(1)


def write_order(key, cust, ts, lines, discount, status):
    path = os.path.join(WORK, "order-%s-%d.csv" % (VARIANT, SEED))
    with open(path, "w") as f:
        f.write("order_id,customer_id,time,status,sku,category,qty,unit_price,discount\n")
        for sku, cat, qty, price in lines:
            f.write("%s,%s,%s,%s,%s,%s,%d,%d.%02d,%d.%02d\n" % (
                key, cust, fmt(ts), status, sku, cat, qty, price // 100, price % 100,
                discount // 100, discount % 100))
    must("import", "orders", path)


def compare(now, what):
    global checks
    for cust in CUSTOMERS:
        rc, out, err = run("points", "balance", cust, "--json", "--now", now)
        if rc != 0:
            if cust in model.members or "no customer" not in err:
                fail("balance of %s after %s: %s" % (cust, what, err))
            continue
        d = json.loads(out)
        lots = [(l["earned_at"], l["expires_at"], l["points"], l["remaining"]) for l in d["lots"]]
        want_lots = [(fmt(l["earned"]), fmt(l["expires"]), l["points"], l["remaining"])
                     for l in model.open_lots(cust)]
        m = model.members.get(cust)
        exp30 = sum(l["remaining"] for l in model.lots if l["cust"] == cust and l["remaining"] > 0
                    and l["expires"] is not None and now < l["expires"] <= now + 30 * DAY)
        got = {"balance": d["balance"], "lots": lots, "tier": d["tier"],
               "since": d["tier_since"], "drop": d["tier_drop_at"], "expiring_30d": d["expiring_30d"]}
        want = {"balance": model.balance(cust), "lots": want_lots,
                "tier": m["tier"] if m else LEVELS[0]["name"], "since": fmt(m["since"]) if m else None,
                "drop": fmt(m["drop"]) if m else None, "expiring_30d": exp30}
        if got != want:
            fail("%s after %s at %s:\n  encore: %s\n  model:  %s" % (cust, what, fmt(now), got, want))
        hist = json.loads(must("points", "history", cust, "--json"))
        if sum(h["points"] for h in hist) != d["balance"] or \
                sum(l["remaining"] for l in d["lots"]) != d["balance"]:
            fail("%s: balance %d, entries sum %d, lots sum %d" % (
                cust, d["balance"], sum(h["points"] for h in hist),
                sum(l["remaining"] for l in d["lots"])))
        checks += 1


rng = random.Random(SEED)
prog_path = os.path.join(WORK, "programme-%s.json" % VARIANT)
with open(prog_path, "w") as f:
    json.dump(PROG, f)
must("loyalty", "programme", prog_path)
cpath = os.path.join(WORK, "customers-%s-%d.csv" % (VARIANT, SEED))
with open(cpath, "w") as f:
    f.write("customer_id,name\n" + "".join("%s,Member %s\n" % (c, c) for c in CUSTOMERS))
must("import", "customers", cpath)
now = int(datetime(2023, 6, 1, 9, tzinfo=timezone.utc).timestamp())
norder = 0
keys_used = []     # (key, cust, kind, args)
redemptions = []   # (entry index, cust)
outcomes = {}

for step in range(STEPS):
    now += rng.choice([3600, 5 * 3600, DAY, 3 * DAY, 7 * DAY, 20 * DAY, 45 * DAY])
    if rng.random() < 0.15:  # land on a member day now and then
        d = datetime.fromtimestamp(now, timezone.utc)
        md = EARN.get("member_day", {}).get("day", 8)
        if d.day < md:
            now = int(d.replace(day=md, hour=11).timestamp())
    if now > time.time() - 2 * DAY:  # the import refuses orders in the future
        break
    cust = rng.choice(CUSTOMERS)
    before = copy.deepcopy(model)  # a refusal writes nothing: not even an enrolment or expiry
    op = rng.choices(["order", "return", "redeem", "adjust", "reverse", "expire", "review",
                      "bonus", "replay"], [30, 8, 12, 6, 4, 6, 8, 3, 5])[0]
    what, expect = op, None
    if op == "order":
        norder += 1
        key = "%s%d-%d" % (VARIANT, SEED, norder)
        lines = []
        for sku, cat, price in rng.sample(PRODUCTS, rng.randint(1, 3)):
            lines.append((sku, cat, rng.randint(1, 3), price))
        total = sum(q * p for _, _, q, p in lines)
        discount = rng.choice([0, 0, 0, 500, total // 10, total + 100])
        status = "paid" if rng.random() < 0.93 else "cancelled"
        write_order(key, cust, now, lines, discount, status)
        model.orders[key] = {"cust": cust, "ts": now, "total": total, "discount": discount,
                             "status": status,
                             "lines": [(q * p, sku, cat) for sku, cat, q, p in lines]}
        rc, out, err = run("points", "earn", cust, "--order", key, "--now", now, "--json")
        if status != "paid":
            model.begin(cust, now)
            expect = "refused"
        else:
            expect = model.earn(cust, key, now)
        what = "order %s (%s)" % (key, status)
    elif op == "return":
        mine = [k for k, o in model.orders.items() if o["cust"] == cust and o["status"] == "paid"]
        if not mine:
            continue
        key = rng.choice(mine)
        o = model.orders[key]
        write_order(key, cust, o["ts"], [(s, c, a // 1, 1) for a, s, c in []] or
                    [(s, c, 1, a) for a, s, c in o["lines"]], o["discount"], "returned")
        o["status"] = "returned"
        rc, out, err = run("points", "return", cust, "--order", key, "--now", now, "--json")
        expect = model.ret(cust, key, now)
        what = "return of %s" % key
    elif op == "redeem":
        key = "k%d" % step
        rewards = PROG["rewards"]
        if rng.random() < 0.5:
            r = rng.choice(rewards)
            rc, out, err = run("points", "redeem", cust, "--reward", r["id"], "--key", key,
                               "--now", now, "--json")
            expect = model.redeem(cust, r["points"], r["id"], key, now)
            keys_used.append((key, cust, ["--reward", r["id"]]))
        else:
            pts = rng.randint(1, max(1, model.balance(cust) + 200))
            rc, out, err = run("points", "redeem", cust, "--points", pts, "--key", key,
                               "--now", now, "--json")
            expect = model.redeem(cust, pts, None, key, now)
            keys_used.append((key, cust, ["--points", str(pts)]))
        if expect == "ok":
            redemptions.append((len(model.entries) - 1, cust))
            # the entry index of the redemption: the last entry written for it
            for i in range(len(model.entries) - 1, -1, -1):
                if model.entries[i].get("key") == key:
                    redemptions[-1] = (i, cust)
                    break
        what = "redeem (%s)" % key
    elif op == "adjust":
        key = "k%d" % step
        delta = rng.choice([-1, 1]) * rng.randint(1, 900)
        rc, out, err = run("points", "adjust", cust, "--points", delta, "--reason", "service",
                           "--by", "oracle", "--key", key, "--now", now, "--json")
        expect = model.adjust(cust, delta, "service", key, now)
        what = "adjust %+d" % delta
    elif op == "reverse":
        if not redemptions:
            continue
        idx, rc_cust = rng.choice(redemptions)
        key = "k%d" % step
        rc, out, err = run("points", "reverse", rc_cust, "--entry", idx + 1, "--key", key,
                           "--now", now, "--json")
        expect = model.reverse(rc_cust, idx, key, now)
        cust = rc_cust
        what = "reverse of entry %d" % (idx + 1)
    elif op == "expire":
        rc, out, err = run("points", "expire", "--now", now, "--json")
        model.expire(None, now)
        expect = "ok"
    elif op == "review":
        rc, out, err = run("tiers", "review", "--now", now, "--json")
        model.review(now)
        expect = "ok"
    elif op == "bonus":
        key = "k%d" % step
        rc, out, err = run("points", "earn", cust, "--bonus", "birthday", "--key", key,
                           "--now", now, "--json")
        expect = model.bonus(cust, "birthday", key, now)
        what = "birthday bonus"
    else:  # replay a key: the same request, or other content
        if not keys_used:
            continue
        key, kc, args = rng.choice(keys_used)
        same = rng.random() < 0.5
        if not same:
            args = ["--points", "7"] if args[0] != "--points" or args[1] != "7" else ["--points", "8"]
        rc, out, err = run("points", "redeem", kc, *args, "--key", key, "--now", now, "--json")
        pts = int(args[1]) if args[0] == "--points" else next(
            r["points"] for r in PROG["rewards"] if r["id"] == args[1])
        expect = model.redeem(kc, pts, args[1] if args[0] == "--reward" else None, key, now)
        cust = kc
        what = "key %s replayed (%s)" % (key, "same" if same else "other content")
    if expect == "refused":
        orders = model.orders
        model = before
        model.orders = orders  # the imported order itself stays
    want_rc = 1 if expect == "refused" else 0
    if rc != want_rc:
        fail("%s: exit %d, expected %d (%s)\n%s%s" % (what, rc, want_rc, expect, out, err))
    if expect == "replay" and json.loads(out).get("replayed") is not True:
        fail("%s: not answered as a replay: %s" % (what, out))
    if expect == "refused" and not err.startswith("encore: points: "):
        fail("%s: refusal without a clear message: %r" % (what, err))
    outcomes[expect] = outcomes.get(expect, 0) + 1
    compare(now, what)

tiers = {}
for m in model.members.values():
    tiers[m["tier"]] = tiers.get(m["tier"], 0) + 1
print("ok: seed %d variant %s: %d steps, %d member checks, outcomes %s, seen %s, expired %d, tiers %s" % (
    SEED, VARIANT, STEPS, checks, dict(sorted(outcomes.items())), dict(sorted(model.seen.items())),
    sum(1 for e in model.entries if e["kind"] == "expire"), dict(sorted(tiers.items()))))
