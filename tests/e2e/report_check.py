#!/usr/bin/python3
# report_check.py [--structure] REPORT.html STORE.db [hostile...] — checks a page written by `encore report`
# against the store it was written from, for tests/e2e/test_report.sh. Prints one line per check:
# "ok NAME" or "fail NAME: why". Independent of the C code: Python's html.parser and
# xml.etree parse the page; pandas and scipy recompute what the charts and tables claim
# (percentiles, purchase occasions per week, the interpolated weekly prediction).
import json
import re
import sqlite3
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

args = sys.argv[1:]
structure_only = args[:1] == ["--structure"]  # well-formedness and references only
if structure_only:
    args = args[1:]
page_path, db_path = args[0], args[1]
hostile = args[2:]
page = open(page_path, encoding="utf-8").read()
db = sqlite3.connect(db_path)
results = []


def check(name, cond, why=""):
    results.append(("ok " + name) if cond else ("fail %s: %s" % (name, why)))


# ---- structure: HTML parser --------------------------------------------------------------------
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.sections, self.stack, self.bad = [], [], [], []
        self.attrs_with_urls = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "data") and v and not v.startswith("#"):
                self.attrs_with_urls.append((tag, k, v))
        if tag not in ("meta", "br", "img", "hr", "input", "link"):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):  # <x/>: opened and closed at once
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.bad.append("</%s> with %s open" % (tag, self.stack[-1:]))
        else:
            self.stack.pop()


p = P()
p.feed(page)
p.close()
check("html: tags balance", not p.bad and not p.stack, "%s; left open %s" % (p.bad[:3], p.stack))
check("html: no script element", "script" not in p.tags, "a <script> tag")
check("html: no iframe, img, link, object", not ({"iframe", "img", "link", "object", "embed"} & set(p.tags)))
check("html: no references outside the page", not p.attrs_with_urls, str(p.attrs_with_urls[:3]))
check("html: no http:// or https://", "http://" not in page and "https://" not in page)
check("html: url() only to the page's own ids", all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", page)))
check("html: @import absent", "@import" not in page)

# the whole page parses as XML too (void elements closed, entities known)
try:
    root = ET.fromstring(page.replace("<!DOCTYPE html>", "", 1))
    check("xml: whole page well-formed", True)
except ET.ParseError as e:
    root = None
    check("xml: whole page well-formed", False, str(e))

# each <svg> element alone, as xml.etree sees it
svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
svg_ok = 0
for s in svgs:
    try:
        e = ET.fromstring(s)
        t = e.find("title")
        if e.tag == "svg" and e.get("role") == "img" and t is not None and t.text and e.get("aria-labelledby"):
            svg_ok += 1
    except ET.ParseError as err:
        check("xml: an svg element parses", False, "%s in %s" % (err, s[:120]))
check("xml: every svg parses, with role=img and a <title>", svg_ok == len(svgs), "%d of %d" % (svg_ok, len(svgs)))
print("svgs %d" % len(svgs))
print("sections %s" % ",".join(x or "" for x in p.sections))

# ---- hostile text -------------------------------------------------------------------------------
texts = [t for t in root.itertext()] if root is not None else []
for h in hostile:
    check("hostile: %r shown as text" % h[:20], any(h in t for t in texts), "not found as text")
check("hostile: no raw <script anywhere", "<script" not in page.lower())


def cells(table_header):
    """Rows of the table whose first header cell starts with table_header, as lists of text."""
    for t in root.iter("table"):
        th = t.find("./thead/tr/th")
        if th is not None and (th.text or "").startswith(table_header):
            return [["".join(td.itertext()) for td in tr.findall("td")] for tr in t.find("tbody").findall("tr")]
    return None


def money(s):
    return float(re.sub(r"[^0-9.\-]", "", s))


# ---- numbers against the store ------------------------------------------------------------------
import numpy as np
import pandas as pd
from scipy.interpolate import PchipInterpolator

if root is not None and not structure_only:
    seg = cells("segment")
    want = dict(db.execute("SELECT rfm_segment, COUNT(*) FROM profiles WHERE rfm_segment IS NOT NULL GROUP BY 1"))
    got = {r[0]: int(r[1].replace(",", "")) for r in seg} if seg else {}
    check("segments: counts per segment", all(got.get(k) == v for k, v in want.items()), "%s vs %s" % (got, want))
    check("segments: all 11 named segments listed", seg is not None and len([r for r in seg if r[0] in (
        "Champions", "Loyal", "Potential Loyalist", "New", "Promising", "Need Attention", "About To Sleep",
        "At Risk", "Can't Lose Them", "Hibernating", "Lost")]) == 11)
    cn = cells("class")
    check("segments: the Chinese 8 classes listed", cn is not None and sum(1 for r in cn if "客户 (" in r[0]) == 8)

    # R x F cells: tooltips "F 5, R 5: 101"
    rf = dict(((f, r), n) for r, f, n in db.execute(
        "SELECT r, f, COUNT(*) FROM profiles WHERE r BETWEEN 1 AND 5 AND f BETWEEN 1 AND 5 GROUP BY 1, 2"))
    heat = root.find(".//*[@id='rf-heatmap']")
    tips = {}
    for t in heat.iter("title"):
        m = re.fullmatch(r"F (\d), R (\d): ([\d,]+)", t.text or "")
        if m:
            tips[(int(m.group(1)), int(m.group(2)))] = int(m.group(3).replace(",", ""))
    check("rf: 25 cells with the store's counts", len(tips) == 25 and all(tips[k] == rf.get(k, 0) for k in tips),
          "%s vs %s" % (sorted(tips.items())[:5], sorted(rf.items())[:5]))

    # CLV percentiles (numpy's linear interpolation) of positive values, in major units
    clv = np.array([v for (v,) in db.execute("SELECT clv FROM profiles WHERE clv > 0")], dtype=float) / 100
    pc = {r[0]: money(r[1]) for r in (cells("of the") or [])}
    names = {"10th": 10, "25th": 25, "median": 50, "75th": 75, "90th": 90, "99th": 99}
    bad = [(k, pc.get(k), np.percentile(clv, q)) for k, q in names.items()
           if k not in pc or abs(pc[k] - np.percentile(clv, q)) > 0.0051]
    check("clv: percentiles equal numpy's", not bad, str(bad))
    hist = root.find(".//*[@id='clv-hist']")
    drawn = sum(int(re.search(r": ([\d,]+)$", t.text).group(1).replace(",", "")) for t in hist.iter("title")
                if re.search(r": [\d,]+$", t.text or ""))
    check("clv: the histogram holds every positive value", drawn == len(clv), "%d vs %d" % (drawn, len(clv)))
    churn = root.find(".//*[@id='churn-hist']")
    drawn = sum(int(re.search(r": ([\d,]+)$", t.text).group(1).replace(",", "")) for t in churn.iter("title")
                if re.search(r": [\d,]+$", t.text or ""))
    nchurn = db.execute("SELECT COUNT(churn_risk) FROM profiles").fetchone()[0]
    check("churn: the histogram holds every risk", drawn == nchurn, "%d vs %d" % (drawn, nchurn))

    # actual purchase occasions per week, recomputed with pandas: paid orders with sales by scored
    # customers; an order less than a day after the customer's previous order joins its occasion
    as_of = db.execute("SELECT as_of FROM score_runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    o = pd.read_sql("SELECT customer_id, ts FROM orders WHERE status = 'paid' AND sales > 0 AND "
                    "customer_id IN (SELECT customer_id FROM profiles)", db).sort_values(["customer_id", "ts"])
    o["prev"] = o.groupby("customer_id")["ts"].shift()
    o = o[(o.ts >= as_of) & (o.prev.isna() | (o.ts - o.prev >= 86400))]
    weekly = (o.ts - as_of) // 604800
    line = root.find(".//*[@id='purchases']")
    act, pred = {}, {}
    for t in line.iter("title"):
        m = re.fullmatch(r"(actual|predicted), (\d\d-\d\d): ([\d,.]+)", t.text or "")
        if m:
            (act if m.group(1) == "actual" else pred)[m.group(2)] = float(m.group(3).replace(",", ""))
    weeks = sorted(act)
    want = [int((weekly == k).sum()) for k in range(len(weeks))]
    check("purchases: actual weekly occasions equal pandas'", weeks and [act[w] for w in weeks] == want,
          "%s vs %s" % ([act[w] for w in weeks], want))
    s30, s90, s365 = db.execute("SELECT SUM(expected_purchases_30d), SUM(expected_purchases_90d),"
                                " SUM(expected_purchases_365d) FROM profiles").fetchone()
    f = PchipInterpolator([0, 30, 90, 365], [0, s30, s90, s365])
    wp = [float(f(7 * (k + 1)) - f(7 * k)) for k in range(len(pred))]
    got = [pred[w] for w in sorted(pred)]
    # labels print 3 significant digits: compare at that precision
    check("purchases: predicted weekly values equal scipy's PCHIP", got and all(
        abs(g - w) <= 0.005 * abs(w) + 0.05 for g, w in zip(got, wp)), "%s vs %s" % (got[:4], wp[:4]))
    tab = cells("window")
    n30 = int(((o.ts - as_of) < 30 * 86400).sum())
    check("purchases: first 30 days, actual", tab and tab[0][2].replace(",", "") == str(n30), "%s vs %d" % (tab and tab[0], n30))
    check("purchases: first 30 days, predicted", tab and abs(float(tab[0][1].replace(",", "")) - s30) <= 0.5,
          "%s vs %f" % (tab and tab[0], s30))

for line_ in results:
    print(line_)
