#!/usr/bin/env bash
# test_cohorts.sh — `encore cohorts` and `encore kpis`: hand-made stores with known answers
# (returns, cancelled orders, a return before the first purchase, merged customers, ISO week and
# year boundaries), bad input, and the UCI Online Retail data set against an independent pandas
# computation (tests/e2e/cohorts_oracle.py) by month and by ISO week.
. "$(dirname "$0")/lib.sh"
ORACLE="$(dirname "$0")/cohorts_oracle.py"

# --- an empty store ---------------------------------------------------------------------------
run_rc "$ENCORE" cohorts --json
check "empty store: exit 0" "$RC" 0
check "empty store: no cohorts" "$OUT" '{"period":"month","currency":null,"cohorts":[]}'
run_rc "$ENCORE" cohorts
check "empty store: said in words" "$OUT" "no purchases: no cohorts"
run_rc "$ENCORE" kpis --json
check "empty store: no KPI periods" "$(jget "$OUT" 'd["periods"]')" "[]"

# --- bad input ----------------------------------------------------------------------------------
run_rc "$ENCORE" cohorts --period day
check "cohorts --period day: usage error" "$RC" 2
check_match "cohorts --period day: names the flag" "$ERR" "encore: cohorts: --period: 'day' is not month or week"
run_rc "$ENCORE" cohorts --period
check "cohorts --period without value: usage error" "$RC" 2
run_rc "$ENCORE" cohorts --bogus
check_match "cohorts: unknown option refused" "$RC $ERR" "^2 encore: cohorts: unknown option '--bogus'"
run_rc "$ENCORE" cohorts extra
check_match "cohorts: stray argument refused" "$RC $ERR" "^2 encore: cohorts: unexpected argument 'extra'"
run_rc "$ENCORE" kpis --interval year
check_match "kpis --interval year: usage error" "$RC $ERR" "^2 encore: kpis: --interval: 'year' is not day, week or month"
run_rc "$ENCORE" kpis --from 2024-13
check_match "kpis --from with month 13: usage error" "$RC $ERR" "^2 encore: kpis: --from: '2024-13' is not a month"
run_rc "$ENCORE" kpis --interval week --from 2021-W53
check_match "kpis: week 53 of a 52-week year refused" "$RC $ERR" "^2 encore: kpis: --from: '2021-W53' is not a week"
run_rc "$ENCORE" kpis --interval day --from 2024-02-30
check_match "kpis: 30 February refused" "$RC $ERR" "^2 encore: kpis: --from: '2024-02-30' is not a day"
run_rc "$ENCORE" kpis --from 2024-03 --to 2024-01
check_match "kpis: --from after --to refused" "$RC $ERR" "^2 encore: kpis: --from 2024-03 is after --to 2024-01"
run_rc "$ENCORE" kpis --interval day --from 1900-01-01 --to 2100-01-01
check_match "kpis: more than 20000 periods refused" "$RC $ERR" "^1 encore: kpis: 73050 days asked for, at most 20000"

# --- a hand-made shop ----------------------------------------------------------------------------
# C1 buys in January and March, returns in March, cancels in February (not counted);
# C2 returns in January before buying in February (the return is outside the cohort);
# C3 only cancels (no cohort); C4 buys in January and C5 in February, then a registration
# sharing C4's email and C5's phone merges them: one customer of the January cohort.
cat > "$E2E_TMP/customers.csv" <<'CSV'
customer_id,email,phone
C1,c1@example.com,
C2,c2@example.com,
C3,c3@example.com,
C4,c4@example.com,
C5,,13800000005
CSV
cat > "$E2E_TMP/orders.csv" <<'CSV'
order_id,customer_id,time,status,sku,qty,unit_price
O1,C1,2024-01-10 09:00:00,paid,A,2,50.00
O2,C1,2024-02-10 09:00:00,cancelled,A,1,999.00
O3,C1,2024-03-05 09:00:00,paid,B,1,50.00
O4,C1,2024-03-20 09:00:00,returned,A,-1,20.00
O5,C2,2024-01-15 09:00:00,returned,A,-1,10.00
O6,C2,2024-02-01 00:00:00,paid,C,3,10.00
O7,C3,2024-01-05 09:00:00,cancelled,A,1,5.00
O8,C4,2024-01-20 09:00:00,paid,A,1,40.00
O9,C5,2024-02-25 23:59:59,paid,B,1,60.00
CSV
export ENCORE_DB="$E2E_TMP/hand.db"
"$ENCORE" import customers "$E2E_TMP/customers.csv" >/dev/null 2>&1
"$ENCORE" import orders "$E2E_TMP/orders.csv" >/dev/null 2>&1
run_rc "$ENCORE" cohorts --json
check "before the merge: C5 is a February cohort member" "$(jget "$OUT" '[(c["cohort"], c["size"]) for c in d["cohorts"]]')" \
  "[('2024-01', 2), ('2024-02', 2)]"
printf 'customer_id,email,phone\nC9,c4@example.com,13800000005\n' > "$E2E_TMP/link.csv"
"$ENCORE" import customers "$E2E_TMP/link.csv" >/dev/null 2>&1
# a registration sharing C4's email and C5's phone: its own record merged into C4, and C5 too
check "the link row merged C9 and C5 into C4" "$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM customers WHERE merged_into IS NOT NULL")" 2
run_rc "$ENCORE" cohorts --json
check "hand-made: exit 0" "$RC" 0
check "hand-made: cohorts by month, merged customer in January, returns net, cancellations out" "$OUT" \
  '{"period":"month","currency":null,"cohorts":[{"cohort":"2024-01","size":2,"customers":[2,1,1],"revenue":[140.00,60.00,30.00]},{"cohort":"2024-02","size":1,"customers":[1,0],"revenue":[30.00,0.00]}]}'
run_rc "$ENCORE" cohorts
check_match "hand-made: human table has the January row" "$OUT" $'2024-01 +2 +2 +1 +1\n'
check_match "hand-made: human table has the revenue row" "$OUT" $'2024-01 +140.00 +60.00 +30.00'
run_rc "$ENCORE" kpis --json
check "hand-made: KPIs by month" "$(jget "$OUT" '[(p["period"], p["orders"], p["revenue"], p["returns"], p["net_revenue"], p["aov"], p["active_customers"], p["new_customers"], p["returning_customers"], p["repurchase_rate"]) for p in d["periods"]]')" \
  "[('2024-01', 2, 140.0, 10.0, 130.0, 70.0, 2, 2, 0, 0), ('2024-02', 2, 90.0, 0.0, 90.0, 45.0, 2, 1, 1, 0.5), ('2024-03', 1, 50.0, 20.0, 30.0, 50.0, 1, 0, 1, 1)]"
run_rc "$ENCORE" kpis --from 2024-02 --to 2024-05 --json
check "hand-made: KPIs over a window, empty months included" \
  "$(jget "$OUT" '[(p["period"], p["orders"], p["aov"], p["repurchase_rate"]) for p in d["periods"]]')" \
  "[('2024-02', 2, 45.0, 0.5), ('2024-03', 1, 50.0, 1), ('2024-04', 0, None, None), ('2024-05', 0, None, None)]"
run_rc "$ENCORE" kpis
check_match "hand-made: KPI table" "$OUT" $'2024-02 +2 +90.00 +0.00 +45.00 +2 +1 +1 +50.0%'

# --- ISO weeks: Sunday 23:59:59 and Monday 00:00:00, and a week of the next ISO year -------------
export ENCORE_DB="$E2E_TMP/weeks.db"
cat > "$E2E_TMP/weeks.csv" <<'CSV'
order_id,customer_id,time,status,sku,qty,unit_price
W1,D1,2024-01-07 23:59:59,paid,A,1,10.00
W2,D1,2024-01-08 00:00:00,paid,A,1,11.00
W3,D2,2024-01-08 12:00:00,paid,A,1,12.00
W4,D2,2024-01-22 12:00:00,paid,A,1,13.00
W5,D3,2024-12-29 12:00:00,paid,A,1,14.00
W6,D4,2024-12-30 00:00:00,paid,A,1,15.00
CSV
"$ENCORE" import orders "$E2E_TMP/weeks.csv" >/dev/null 2>&1
run_rc "$ENCORE" cohorts --period week --json
check "weeks: Sunday night and Monday morning are two weeks; 30 Dec 2024 is 2025-W01" \
  "$(jget "$OUT" '[(c["cohort"], c["size"], c["customers"][:4], len(c["customers"])) for c in d["cohorts"]]')" \
  "[('2024-W01', 1, [1, 1, 0, 0], 53), ('2024-W02', 1, [1, 0, 1, 0], 52), ('2024-W52', 1, [1, 0], 2), ('2025-W01', 1, [1], 1)]"
run_rc "$ENCORE" kpis --interval week --to 2024-W04 --json
check "weeks: KPIs by ISO week" "$(jget "$OUT" '[(p["period"], p["orders"], p["active_customers"], p["new_customers"]) for p in d["periods"]]')" \
  "[('2024-W01', 1, 1, 1), ('2024-W02', 2, 2, 1), ('2024-W03', 0, 0, 0), ('2024-W04', 1, 1, 0)]"
run_rc "$ENCORE" kpis --interval day --from 2024-01-07 --to 2024-01-08 --json
check "weeks: KPIs by day" "$(jget "$OUT" '[(p["period"], p["orders"], p["revenue"]) for p in d["periods"]]')" \
  "[('2024-01-07', 1, 10.0), ('2024-01-08', 2, 23.0)]"

# --- UCI Online Retail against pandas ----------------------------------------------------------
OR="online-retail/online_retail.csv"
if need_data "$OR"; then
  export ENCORE_DB="$E2E_TMP/retail.db"
  "$ENCORE" import orders "$ENCORE_DATA/$OR" --cancel-prefix C >/dev/null 2>&1
  for p in month week; do
    "$ENCORE" cohorts --period "$p" --json > "$E2E_TMP/c.json"
    "$ENCORE" kpis --interval "$p" --json > "$E2E_TMP/k.json"
    check "online retail by $p: cohorts and KPIs equal pandas'" \
      "$($PY "$ORACLE" "$ENCORE_DATA/$OR" "$p" "$E2E_TMP/c.json" "$E2E_TMP/k.json")" "ok"
  done
  check "online retail: KPI revenue and orders add up to encore stats' sales" \
    "$("$ENCORE" kpis --json | $PY -c 'import json,sys; from decimal import Decimal; d=json.load(sys.stdin, parse_float=Decimal); print(sum(p["revenue"] for p in d["periods"]), sum(p["orders"] for p in d["periods"]))')" \
    "$("$ENCORE" stats --json | $PY -c 'import json,sys; d=json.load(sys.stdin); print("%.2f" % d["sales"]["revenue"], d["sales"]["orders"])')"
  check "online retail: cohort sizes add up to the buying customers" \
    "$("$ENCORE" cohorts --json | $PY -c 'import json,sys; print(sum(c["size"] for c in json.load(sys.stdin)["cohorts"]))')" 4338
  check "online retail: the December 2010 cohort has 885 customers" \
    "$(jget "$("$ENCORE" cohorts --json)" 'd["cohorts"][0]["size"]')" 885
  # the report's cohort section shows the same numbers: every heatmap cell is customers[k] / size
  run_rc "$ENCORE" segments --migration
  check_match "migration before two runs: a clear error" "$RC $ERR" "^1 encore: segments: a migration needs two scoring runs"
  "$ENCORE" score --as-of 2011-06-30 >/dev/null 2>&1
  "$ENCORE" export profiles --format csv > "$E2E_TMP/p1.csv"
  "$ENCORE" score >/dev/null 2>&1
  "$ENCORE" export profiles --format csv > "$E2E_TMP/p2.csv"
  for by in rfm lifecycle; do
    "$ENCORE" segments --migration --by "$by" --json > "$E2E_TMP/m.json"
    check "online retail: $by migration between the runs equals a pandas crosstab of the two exports" "$($PY - "$E2E_TMP/p1.csv" "$E2E_TMP/p2.csv" "$E2E_TMP/m.json" "$by" <<'PY'
import json, sys
import pandas as pd
a = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
b = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
col = "rfm_segment" if sys.argv[4] == "rfm" else "lifecycle"
m = a[["customer_id", col]].merge(b[["customer_id", col]], on="customer_id", how="outer", suffixes=("_a", "_b"))
m = m.fillna("\0")
want = {}
for f, t in zip(m[col + "_a"], m[col + "_b"]):
    f = None if f == "\0" else (f or "(none)")
    t = None if t == "\0" else (t or "(none)")
    want[(f, t)] = want.get((f, t), 0) + 1
d = json.load(open(sys.argv[3]))
got = {(x["from"], x["to"]): x["customers"] for x in d["moves"]}
print("ok" if got == want and d["from"]["as_of"] == "2011-06-30" else "differ: %s" % sorted(set(got.items()) ^ set(want.items()))[:4])
PY
)" "ok"
  done
  run_rc "$ENCORE" segments --migration --by tag
  check_match "migration by tag: usage error" "$RC $ERR" "^2 encore: segments: --migration: --by is rfm, rfm_cn or lifecycle, not 'tag'"
  run_rc "$ENCORE" segments --migration --by lifecycle
  check_match "migration: human matrix" "$OUT" "run 1 \(as of 2011-06-30\) to run 2"
  "$ENCORE" report --html "$E2E_TMP/r.html" >/dev/null 2>&1
  "$ENCORE" cohorts --json > "$E2E_TMP/cm.json"
  check "online retail: report heatmap cells and table equal encore cohorts" "$($PY - "$E2E_TMP/r.html" "$E2E_TMP/cm.json" <<'PY'
import json, re, sys
page = open(sys.argv[1]).read()
sec = page[page.index('<section id="cohorts">'):]
sec = sec[:sec.index('</section>')]
d = json.load(open(sys.argv[2]))
cells = re.findall(r"<title>(\d{4}-\d\d), (\d+): ([0-9.]+)%</title>", sec)
want = [(c["cohort"], str(k), "%.1f" % (100.0 * n / c["size"])) for c in d["cohorts"] for k, n in enumerate(c["customers"])]
rows = re.findall(r"<tr><td>(\d{4}-\d\d)</td><td>(\d+)</td>", sec)
print("ok" if cells == want and rows == [(c["cohort"], str(c["size"])) for c in d["cohorts"]] else "differ: %s %s" % (cells[:3], rows[:3]))
PY
)" "ok"
  "$ENCORE" score --as-of 2011-09-30 >/dev/null 2>&1
  "$ENCORE" score --as-of 2011-10-31 >/dev/null 2>&1
  check "segment history keeps the last 3 runs" "$(sqlite3 "$ENCORE_DB" "SELECT group_concat(r) FROM (SELECT DISTINCT run_id r FROM segment_history ORDER BY r)")" "2,3,4"
  check "migration: between the two latest runs" "$(jget "$("$ENCORE" segments --migration --json)" '(d["from"]["run"], d["to"]["run"], d["to"]["as_of"], sum(m["customers"] for m in d["moves"]))')" \
    "(3, 4, '2011-10-31', $(sqlite3 "$ENCORE_DB" "SELECT count(DISTINCT customer_id) FROM segment_history WHERE run_id >= 3"))"
  # the oracle is not blind: one customer moved between cells is reported
  $PY -c "import json,sys; d=json.load(open(sys.argv[1])); d['cohorts'][2]['customers'][3] += 1; json.dump(d, open(sys.argv[1], 'w'))" "$E2E_TMP/c.json"
  check_match "online retail: the oracle sees a changed cell" \
    "$($PY "$ORACLE" "$ENCORE_DATA/$OR" week "$E2E_TMP/c.json" "$E2E_TMP/k.json")" "^cohort 2010-W50: got"
fi
e2e_done
