#!/usr/bin/env bash
# test_score.sh — the customer-intelligence commands on a generated demo shop: score (summary and
# --json shape), profile (by the merchant's id and by email; the contract's fields), segments
# (every grouping adds up), export (CSV and JSON lines, one row a customer), churn evaluate and
# clv fit/evaluate shapes, settings precedence (flag > environment > config file, encore.conf
# beside the store), user tags, and exit codes (0 ok, 1 failure, 2 usage).
. "$(dirname "$0")/lib.sh"
export ENCORE_DB="$E2E_TMP/shop.db"
py() { /usr/bin/python3 -c "$@"; }

demo_shop "$ENCORE_DB" "$E2E_TMP/shop" --customers 2000 --seed 11
check "demo shop imported" "$RC" 0
CUSTOMERS=$(jget "$OUT" 'd["customers"]')

# before any scoring run
run_rc "$ENCORE" profile C0000001 --json
check "profile before score: exit 1" "$RC" 1
check_match "profile before score: says to score" "$ERR" "run 'encore score'"
run_rc "$ENCORE" segments
check "segments before score: exit 1" "$RC" 1
run_rc "$ENCORE" export profiles
check "export before score: exit 1" "$RC" 1

# score
run_rc "$ENCORE" score --json
check "score --json: exit 0" "$RC" 0
SCORE=$OUT
check "score: every customer scored" "$(jget "$SCORE" 'd["customers"]')" "$CUSTOMERS"
check "score --json: bgnbd r, alpha, a, b, loglik are numbers" \
  "$(jget "$SCORE" 'all(isinstance(d["bgnbd"][k], float) for k in ("r","alpha","a","b","loglik"))')" True
check "score --json: gamma_gamma p, q, gamma are positive" \
  "$(jget "$SCORE" 'all(d["gamma_gamma"][k] > 0 for k in ("p","q","gamma"))')" True
check "score --json: seconds" "$(jget "$SCORE" 'd["seconds"] > 0')" True
check "score --json: a churn model and clusters were fitted" \
  "$(jget "$SCORE" '(d["churn"]["trained_on"] > 0, d["clusters"]["k"] >= 2)')" "(True, True)"
check "score --json: no warnings" "$(jget "$SCORE" 'd["warnings"]')" "[]"
run_rc "$ENCORE" score
check "score: human summary" "$(echo "$OUT" | head -1 | grep -cE "^scored $CUSTOMERS customers")" 1
check_match "score: fits in the summary" "$OUT" "BG/NBD +r [0-9.]+ +alpha"

# profile
run_rc "$ENCORE" export profiles --format jsonl --output "$E2E_TMP/p.jsonl"
check "export jsonl to a file: exit 0" "$RC" 0
check "export jsonl: one line a customer" "$(wc -l < "$E2E_TMP/p.jsonl")" "$CUSTOMERS"
ID=$(py 'import json,sys
for l in open(sys.argv[1]):
    p = json.loads(l)
    if p["frequency"] >= 3 and p["churn_risk"] is not None: print(p["customer_id"]); break' "$E2E_TMP/p.jsonl")
run_rc "$ENCORE" profile "$ID" --json
check "profile ID --json: exit 0" "$RC" 0
PROFILE=$OUT
check "profile: the merchant's id" "$(jget "$PROFILE" 'd["customer_id"]')" "$ID"
check "profile: the contract's fields" "$(jget "$PROFILE" 'sorted(k for k in ("customer_id","recency_days","frequency","monetary","r","f","m","rfm_segment","rfm_segment_cn","lifecycle","p_alive","expected_purchases_90d","clv","churn_risk","churn_reasons","next_order_date","top_categories","tags","cluster") if k not in d)')" "[]"
check "profile: scores 1..5, probabilities in [0, 1]" \
  "$(jget "$PROFILE" 'all(1 <= d[k] <= 5 for k in "rfm") and 0 <= d["p_alive"] <= 1 and 0 < d["churn_risk"] < 1')" True
check "profile: reasons in words, categories and tags are lists" \
  "$(jget "$PROFILE" 'len(d["churn_reasons"]) >= 1 and all(isinstance(d[k], list) for k in ("churn_reasons","top_categories","tags"))')" True
check "profile: money as decimals" "$(jget "$PROFILE" 'isinstance(d["monetary"], float)')" True
check "profile: the same row as the export" \
  "$(py 'import json,sys
a = json.loads(sys.argv[1])
b = [json.loads(l) for l in open(sys.argv[2]) if json.loads(l)["customer_id"] == a["customer_id"]][0]
print(a == b)' "$PROFILE" "$E2E_TMP/p.jsonl")" True
EMAIL=$(sqlite3 "$ENCORE_DB" "SELECT email FROM customers WHERE external_id = '$ID'")
run_rc "$ENCORE" profile "$EMAIL" --json
check "profile by email: the same customer" "$(jget "$OUT" 'd["customer_id"]')" "$ID"
run_rc "$ENCORE" profile "$ID"
check "profile (human): exit 0" "$RC" 0
check_match "profile (human): a heading with the id, date and stage" "$(echo "$OUT" | head -n 1)" \
  "^$ID, as of [0-9]{4}-[0-9]{2}-[0-9]{2}: [a-z]+"
check "profile (human): not JSON" "$(echo "$OUT" | grep -c '[{}]')" 0
M=$(jget "$PROFILE" '"%.2f" % d["monetary"]')
check_match "profile (human): orders and money with two decimals" "$OUT" \
  "orders +$(jget "$PROFILE" 'd["frequency"]'), spent $M, average [0-9]+\.[0-9]{2}"
check_match "profile (human): the segment in both languages" "$OUT" \
  "RFM +$(jget "$PROFILE" 'd["rfm_segment"]') · $(jget "$PROFILE" 'd["rfm_segment_cn"]')"
check_match "profile (human): churn risk with the first reason" "$OUT" \
  "churn risk +[0-9.]+%, because:"$'\n'" +- $(jget "$PROFILE" 'd["churn_reasons"][0]' | sed 's/[][().*+?^$|\\]/\\&/g')"
check_match "profile (human): the tags" "$OUT" "tags +$(jget "$PROFILE" '", ".join(d["tags"])')"
check "profile --json: money with two decimals" \
  "$(echo "$PROFILE" | grep -oE '"(monetary|aov|clv|expected_spend|returns_amount)":[0-9.]+' | grep -cvE ':[0-9]+\.[0-9]{2}$')" 0
run_rc "$ENCORE" profile NOBODY-HERE --json
check "profile of an unknown customer: exit 1" "$RC" 1
run_rc "$ENCORE" profile
check "profile without an ID: exit 2" "$RC" 2
run_rc "$ENCORE" profile "$ID" --bogus
check "profile with an unknown option: exit 2" "$RC" 2

# segments: every grouping adds up
for by in rfm rfm_cn lifecycle cluster tag; do
  run_rc "$ENCORE" segments --by "$by" --json
  check "segments --by $by: exit 0" "$RC" 0
  if [ "$by" != tag ]; then
    check "segments --by $by: customers add up" "$(jget "$OUT" 'sum(s["customers"] for s in d["segments"]) == d["customers"]')" True
    check "segments --by $by: revenue shares (4 decimals) add up to 1" "$(jget "$OUT" 'abs(sum(s["revenue_share"] for s in d["segments"]) - 1) <= 0.00005 * len(d["segments"]) + 1e-9')" True
  fi
done
run_rc "$ENCORE" segments --by rfm --json
check "segments: the revenue equals the sum of monetary" \
  "$(py 'import json,sys
d = json.loads(sys.argv[1]); m = sum(json.loads(l)["monetary"] for l in open(sys.argv[2]))
print(abs(d["revenue"] - m) < 0.005 * len(d["segments"]))' "$OUT" "$E2E_TMP/p.jsonl")" True
check "segments --by rfm: an average CLV per segment" "$(jget "$OUT" 'any(s["avg_clv"] is not None and s["avg_clv"] > 0 for s in d["segments"])')" True
run_rc "$ENCORE" segments --by tag --json
check "segments --by tag: counts equal the exported tags" \
  "$(py 'import json,sys,collections
d = json.loads(sys.argv[1]); c = collections.Counter(t for l in open(sys.argv[2]) for t in json.loads(l)["tags"])
print(all(c[s["segment"]] == s["customers"] for s in d["segments"]) and len(c) == len(d["segments"]))' "$OUT" "$E2E_TMP/p.jsonl")" True
check "segments --json: the average CLV with two decimals" \
  "$(echo "$OUT" | grep -oE '"avg_clv":[0-9.]+' | grep -cvE ':[0-9]+\.[0-9]{2}$')" 0
run_rc "$ENCORE" segments
check "segments (human): a table" "$(echo "$OUT" | grep -c "Champions")" 1
# the Chinese names take two columns a character: the header and every row are as wide
for by in rfm_cn rfm lifecycle; do
  run_rc "$ENCORE" segments --by "$by"
  check "segments --by $by (human): the columns line up" "$(py 'import sys, unicodedata
def cols(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
rows = [l for l in sys.argv[1].split("\n")[2:] if l]
print(len(rows) > 2 and len({cols(l) for l in rows}) == 1)' "$OUT")" True
done
run_rc "$ENCORE" segments --by nonsense
check "segments --by nonsense: exit 2" "$RC" 2

# export CSV
run_rc "$ENCORE" export profiles
check "export csv: exit 0" "$RC" 0
check "export csv: a header and one row a customer" "$(echo "$OUT" | py 'import csv,sys; print(len(list(csv.reader(sys.stdin))))')" "$((CUSTOMERS + 1))"
check "export csv: the profile fields" "$(echo "$OUT" | head -1 | cut -d, -f1-5)" "customer_id,as_of,recency_days,frequency,monetary"
check "export csv: the same values as jsonl" \
  "$(echo "$OUT" | py 'import csv,sys,json
rows = {r["customer_id"]: r for r in csv.DictReader(sys.stdin)}
ok = all(rows[p["customer_id"]]["frequency"] == str(p["frequency"]) and rows[p["customer_id"]]["tags"] == "|".join(p["tags"])
         for p in map(json.loads, open(sys.argv[1])))
print(ok)' "$E2E_TMP/p.jsonl")" True
run_rc "$ENCORE" export profiles --format xml
check "export --format xml: exit 2" "$RC" 2
run_rc "$ENCORE" export
check "export without what: exit 2" "$RC" 2

# as of an earlier date
run_rc "$ENCORE" score --as-of 2025-06-30 --json
check "score --as-of: exit 0" "$RC" 0
check "score --as-of: the date" "$(jget "$OUT" 'd["as_of"]')" "2025-06-30"
run_rc "$ENCORE" profile "$ID" --json
check "profile: as of the scored date" "$(jget "$OUT" 'd["as_of"]')" "2025-06-30"
check "profile: no order after the as-of date counted" "$(jget "$OUT" 'd["frequency"]')" \
  "$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.external_id = '$ID' AND o.status = 'paid' AND o.sales > 0 AND o.ts < strftime('%s', '2025-07-01')")"
run_rc "$ENCORE" score --as-of 2025-13-01
check "score --as-of a bad date: exit 2" "$RC" 2
run_rc "$ENCORE" score --clusters 1
check "score --clusters 1: exit 2" "$RC" 2
run_rc "$ENCORE" score extra
check "score with an argument: exit 2" "$RC" 2

# settings: config file, environment, flags; user tags
cat > "$E2E_TMP/my.conf" <<'EOF'
{"churn": {"horizon_days": 60},
 "cluster": {"k": 3},
 "tags": [{"name": "vip", "field": "clv", "op": ">=", "value": 200},
          {"name": "lapsed_champion", "all": [{"field": "rfm_segment", "op": "in", "value": ["Champions", "Loyal"]},
                                             {"field": "lifecycle", "op": "in", "value": ["declining", "dormant"]}]}]}
EOF
run_rc "$ENCORE" score --config "$E2E_TMP/my.conf" --json
check "config file: horizon" "$(jget "$OUT" 'd["churn"]["horizon_days"]')" 60
check "config file: k" "$(jget "$OUT" 'd["clusters"]["k"]')" 3
"$ENCORE" export profiles --format jsonl > "$E2E_TMP/p2.jsonl"
check "user tag vip: exactly the customers with CLV >= 200" \
  "$(py 'import json,sys
ps = [json.loads(l) for l in open(sys.argv[1])]
print(all(("vip" in p["tags"]) == (p["clv"] is not None and p["clv"] >= 200) for p in ps) and any("vip" in p["tags"] for p in ps))' "$E2E_TMP/p2.jsonl")" True
check "user tag with all: both conditions" \
  "$(py 'import json,sys
ps = [json.loads(l) for l in open(sys.argv[1])]
print(all(("lapsed_champion" in p["tags"]) == (p["rfm_segment"] in ("Champions", "Loyal") and p["lifecycle"] in ("declining", "dormant")) for p in ps))' "$E2E_TMP/p2.jsonl")" True
run_rc env ENCORE_CHURN_HORIZON=45 "$ENCORE" score --config "$E2E_TMP/my.conf" --json
check "environment over the config file" "$(jget "$OUT" 'd["churn"]["horizon_days"]')" 45
run_rc env ENCORE_CHURN_HORIZON=45 "$ENCORE" score --config "$E2E_TMP/my.conf" --horizon 30 --json
check "flag over the environment" "$(jget "$OUT" 'd["churn"]["horizon_days"]')" 30
cp "$E2E_TMP/my.conf" "$E2E_TMP/encore.conf"
run_rc "$ENCORE" score --json
check "encore.conf beside the store is read" "$(jget "$OUT" 'd["churn"]["horizon_days"]')" 60
rm "$E2E_TMP/encore.conf"
echo '{"churn": {"horizon": 60}}' > "$E2E_TMP/bad.conf"
run_rc "$ENCORE" score --config "$E2E_TMP/bad.conf"
check "a misspelt setting: exit 2" "$RC" 2
check_match "a misspelt setting: named with the file and section" "$ERR" "bad.conf: churn.horizon: unknown setting [(]horizon_days"
run_rc "$ENCORE" score --config "$E2E_TMP/none.conf"
check "a missing config file: exit 1" "$RC" 1

# churn evaluate and clv on the demo shop
run_rc "$ENCORE" churn evaluate --as-of 2025-09-30 --pareto --json
check "churn evaluate: exit 0" "$RC" 0
check "churn evaluate --pareto: a third baseline" "$(jget "$OUT" '0 <= d["baselines"]["p_alive_pareto"] <= 1')" True
check "churn evaluate: the contract's shape" "$(jget "$OUT" '(0.5 < d["auc"] <= 1, 0 <= d["baselines"]["recency"] <= 1, 0 <= d["baselines"]["p_alive"] <= 1)')" "(True, True, True)"
check "churn evaluate: the model beats recency alone" "$(jget "$OUT" 'd["auc"] > d["baselines"]["recency"]')" True
run_rc "$ENCORE" churn evaluate
check "churn evaluate without --as-of: exit 2" "$RC" 2
run_rc "$ENCORE" churn predict --as-of 2025-09-30
check "churn with an unknown action: exit 2" "$RC" 2
run_rc "$ENCORE" clv fit --json
check "clv fit: exit 0" "$RC" 0
check "clv fit: the parameters" "$(jget "$OUT" 'sorted(d["bgnbd"]) == sorted(["r","alpha","a","b","loglik","iterations","status"]) and d["gamma_gamma"]["p"] > 0')" True
run_rc "$ENCORE" clv evaluate --calibration-end 2025-06-30 --holdout-end 2025-12-31 --json
check "clv evaluate: exit 0" "$RC" 0
check "clv evaluate: groups add up to the predicted total" \
  "$(jget "$OUT" 'abs(sum(g["predicted"] for g in d["bgnbd_holdout"]["by_frequency"]) - d["bgnbd_holdout"]["predicted"]) < 1e-6 and sum(g["actual"] for g in d["bgnbd_holdout"]["by_frequency"]) == d["actual"]')" True
run_rc "$ENCORE" clv fit --unit month
check "clv fit --unit month: exit 2" "$RC" 2
run_rc "$ENCORE" clv evaluate --calibration-end 2025-06-30
check "clv evaluate without a holdout end: exit 2" "$RC" 2
run_rc "$ENCORE" clv
check "clv without an action: exit 2" "$RC" 2
for c in score profile segments "churn evaluate" "clv fit" "export profiles"; do
  run_rc "$ENCORE" $c --help
  check "$c --help: exit 0" "$RC" 0
done
e2e_done
