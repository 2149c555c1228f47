#!/usr/bin/env bash
# test_report.sh — `encore report --html`: on a demo shop before scoring (the page says to run
# `encore score`), then with profiles filled by tests/data/report/profiles.sql (as of 2025-10-01,
# with hostile segment, stage and category names): every section and chart present, the page
# well-formed (html.parser, xml.etree for the page and each <svg>), nothing outside the page
# referenced, hostile text escaped, and the figures recomputed independently by
# tests/e2e/report_check.py (pandas, numpy, scipy). Then options, errors and missing scores.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
here=$(dirname "$0")
db="$E2E_TMP/shop.db"

run_rc "$ENCORE" --db "$db" demo --customers 2000 --seed 11 --out "$E2E_TMP/shop" --json
check "demo store built" "$RC" 0

# ---- before scoring -----------------------------------------------------------------------------
run_rc "$ENCORE" --db "$db" report --html "$E2E_TMP/empty.html" --json
check "no profiles: exit 0" "$RC" 0
check "no profiles: says empty" "$(jget "$OUT" 'd["empty"]')" "True"
check "no profiles: only the summary" "$(jget "$OUT" '[s["id"] for s in d["sections"]]')" "['summary']"
check "no profiles: tells to run encore score" "$(grep -c '<code>encore score</code> first' "$E2E_TMP/empty.html")" 1
check "no profiles: bytes as reported" "$(jget "$OUT" 'd["bytes"]')" "$(stat -c %s "$E2E_TMP/empty.html")"
CHK=$($PY "$here/report_check.py" --structure "$E2E_TMP/empty.html" "$db")
check "no profiles: page well-formed" "$(echo "$CHK" | grep -c '^ok ')/$(echo "$CHK" | grep -c '^fail ')" "10/0"

# ---- profiles filled the way encore score would -------------------------------------------------
H1='</svg><script>alert(1)</script>&'
H2='<img src=x onerror=alert(2)>重要"客户'
H3="家居&厨房 ]]> <!-- '"
{
  echo "CREATE TEMP TABLE asof(t INTEGER); INSERT INTO asof VALUES (strftime('%s', '2025-10-01'));"
  echo ".read $here/../data/report/profiles.sql"
  echo "UPDATE profiles SET rfm_segment = '${H1//\'/\'\'}' WHERE customer_id IN (SELECT customer_id FROM profiles WHERE frequency > 0 ORDER BY customer_id LIMIT 3);"
  echo "UPDATE profiles SET lifecycle = '${H2//\'/\'\'}' WHERE customer_id IN (SELECT customer_id FROM profiles WHERE frequency > 0 ORDER BY customer_id DESC LIMIT 2);"
  echo "UPDATE products SET category = '${H3//\'/\'\'}' WHERE category = (SELECT p.category FROM order_lines l JOIN products p ON p.id = l.product_id GROUP BY 1 ORDER BY SUM(l.amount) DESC LIMIT 1);"
} > "$E2E_TMP/fill.sql"
sqlite3 "$db" < "$E2E_TMP/fill.sql"
check "profiles filled" "$(sqlite3 "$db" 'SELECT COUNT(*) > 1000, COUNT(DISTINCT rfm_segment) >= 11 FROM profiles')" "1|1"

run_rc "$ENCORE" --db "$db" report --html "$E2E_TMP/report.html" --json
check "report: exit 0" "$RC" 0
check "report: not empty" "$(jget "$OUT" 'd["empty"]')" "False"
check "report: every section" "$(jget "$OUT" '",".join(s["id"] for s in d["sections"])')" \
  "summary,segments,rf,lifecycle,clv,churn,purchases,categories,cohorts"
check "report: charts per section" "$(jget "$OUT" '[s["charts"] for s in d["sections"]]')" "[0, 4, 1, 4, 1, 1, 1, 2, 1]"
check "report: 15 charts" "$(jget "$OUT" 'd["charts"]')" 15
check "report: bytes as reported" "$(jget "$OUT" 'd["bytes"]')" "$(stat -c %s "$E2E_TMP/report.html")"
check "report: as-of date of the run" "$(jget "$OUT" 'd["as_of"]')" "2025-10-01 00:00:00"
check "report: customers" "$(jget "$OUT" 'd["customers"]')" "$(sqlite3 "$db" 'SELECT COUNT(*) FROM profiles')"
check "report: no .tmp file left" "$(ls "$E2E_TMP" | grep -c '\.tmp$')" 0

CHK=$($PY "$here/report_check.py" "$E2E_TMP/report.html" "$db" "$H1" "$H2" "$H3")
check "checker: one svg per chart" "$(echo "$CHK" | sed -n 's/^svgs //p')" 15
check "checker: sections in the page" "$(echo "$CHK" | sed -n 's/^sections //p')" \
  "summary,segments,rf,lifecycle,clv,churn,purchases,categories,cohorts"
while IFS= read -r line; do
  case "$line" in
    "ok "*) ok "${line#ok }" ;;
    "fail "*) not_ok "${line#fail }" ;;
  esac
done <<< "$CHK"
check "checker ran every check" "$(echo "$CHK" | grep -cE '^(ok|fail) ')" 24

# the same store gives the same page
"$ENCORE" --db "$db" report --html "$E2E_TMP/again.html" > /dev/null
check "report: same store, same bytes" "$(cmp -s "$E2E_TMP/report.html" "$E2E_TMP/again.html"; echo $?)" 0

# ---- options ------------------------------------------------------------------------------------
run_rc "$ENCORE" --db "$db" report --html "$E2E_TMP/w4.html" --weeks 4
check "--weeks 4: exit 0" "$RC" 0
check_match "human summary" "$OUT" '^wrote .*w4\.html: 9 sections, 15 charts, [0-9]+ bytes$'
check "--weeks 4: four predicted points" "$(grep -o '<title>predicted, [0-9-]*: ' "$E2E_TMP/w4.html" | wc -l)" 4
run_rc "$ENCORE" --db "$db" report --html -
check "--html -: the page on stdout" "$(echo "$OUT" | head -1)" "<!DOCTYPE html>"
check "--html -: to the end" "$(echo "$OUT" | tail -1)" "</html>"
run_rc "$ENCORE" report --help
check "--help: exit 0" "$RC" 0
check_match "--help: usage" "$OUT" 'usage: encore report --html FILE'
run_rc "$ENCORE" --db "$db" report
check "no --html: exit 2" "$RC" 2
check_match "no --html: says so" "$ERR" 'encore: report: --html FILE is required'
run_rc "$ENCORE" --db "$db" report --html x.html --weeks 0
check "--weeks 0: exit 2" "$RC" 2
run_rc "$ENCORE" --db "$db" report --html - --json
check "--json with --html -: exit 2" "$RC" 2
run_rc "$ENCORE" --db "$db" report --html "$E2E_TMP/no/such/dir/r.html"
check "unwritable file: exit 1" "$RC" 1
check_match "unwritable file: says why" "$ERR" '^encore: report: .*No such file or directory'

# ---- a run whose models gave no CLV, churn or expected purchases ---------------------------------
cp "$db" "$E2E_TMP/partial.db"
sqlite3 "$E2E_TMP/partial.db" "UPDATE profiles SET clv = NULL, churn_risk = NULL, p_alive = NULL,
  expected_purchases_30d = NULL, expected_purchases_90d = NULL, expected_purchases_365d = NULL,
  top_categories = 'not json'; DELETE FROM score_runs;"
run_rc "$ENCORE" --db "$E2E_TMP/partial.db" report --html "$E2E_TMP/partial.html" --json
check "partial scores: exit 0" "$RC" 0
check "partial scores: as-of date from the profiles" "$(jget "$OUT" 'd["as_of"]')" "2025-10-01 00:00:00"
check "partial scores: says CLV did not run" "$(grep -c 'CLV model did not run' "$E2E_TMP/partial.html")" 1
check "partial scores: says churn did not run" "$(grep -c 'churn model did not run' "$E2E_TMP/partial.html")" 1
check "partial scores: no expected purchases" "$(grep -c 'no expected purchases' "$E2E_TMP/partial.html")" 2
CHK=$($PY "$here/report_check.py" --structure "$E2E_TMP/partial.html" "$E2E_TMP/partial.db")
check "partial scores: well-formed" "$(echo "$CHK" | grep -c '^ok ')/$(echo "$CHK" | grep -c '^fail ')" "10/0"
e2e_done
