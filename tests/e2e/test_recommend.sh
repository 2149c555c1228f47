#!/usr/bin/env bash
# test_recommend.sh — `encore recommend` and `encore rules` on the store, end to end: usage
# errors; a demo shop (every kind, reasons, filters that never let an out-of-stock or excluded
# product through, rules that rediscover the generator's declared complements, the evaluation);
# Online Retail split at 2011-09-01 with K = 10: personal beats popularity's hit rate by 30% or
# more, and the popularity and item-to-item baselines equal an independent pandas/scipy
# implementation (tests/oracle/rec_oracle.py) on every metric; rules mined from the store equal
# rules mined from the same orders written as a basket file.
. "$(dirname "$0")/lib.sh"

T=$E2E_TMP
PY=/usr/bin/python3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

run_rc "$ENCORE" recommend --help
check "recommend --help exits 0" "$RC" 0
check_match "  shows the three forms" "$OUT" "encore recommend evaluate --split DATE"
run_rc "$ENCORE" recommend
check "no customer is a usage error" "$RC" 2
run_rc "$ENCORE" recommend X --kind nice
check "unknown kind is a usage error" "$RC" 2
run_rc "$ENCORE" recommend evaluate
check "evaluate without --split is a usage error" "$RC" 2
check_match "  and says so" "$ERR" "evaluate needs --split DATE"
run_rc "$ENCORE" recommend evaluate --split 2024-13-01
check "a bad date is a usage error" "$RC" 2
run_rc "$ENCORE" recommend X --split 2024-01-01
check "--split outside evaluate is a usage error" "$RC" 2
run_rc "$ENCORE" rules "$T/x.dat" --min-support 2 --min-confidence 0.5 --level category
check "rules FILE --level is a usage error" "$RC" 2

# ---- demo shop -----------------------------------------------------------------------------
DB=$T/demo.db
demo_shop "$DB" "$T/shop" --customers 3000
check "demo shop: exit 0" "$RC" 0
run_rc "$ENCORE" --db "$DB" recommend nobody
check "unknown customer fails with 1" "$RC" 1
check "  and says so" "$ERR" "encore: recommend: no customer 'nobody'"

run_rc "$ENCORE" --db "$DB" recommend C0000001 --json
check "personal: exit 0" "$RC" 0
check "personal: 10 items with sku, name, score, reason" \
  "$(jget "$OUT" 'len(d["items"]) == 10 and all(i["sku"] and i["name"] and i["reason"] and i["score"] > 0 for i in d["items"])')" "True"
check "personal: scores descend" "$(jget "$OUT" 'all(a["score"] >= b["score"] for a, b in zip(d["items"], d["items"][1:]))')" "True"
check_match "personal: reasons name a product or say popular" \
  "$(jget "$OUT" 'sorted(set(i["reason_code"] for i in d["items"]))')" "^\[('(similar|bought_with|restock|popular)'(, )?)+\]$"
run_rc "$ENCORE" --db "$DB" recommend C0000001 --n 3
check_match "personal: human table" "$OUT" "sku +name +score +reason"
check "  with 3 rows" "$(echo "$OUT" | grep -cE '^ +[0-9]+  P[0-9]+')" 3

run_rc "$ENCORE" --db "$DB" recommend --all --kind personal --out "$T/personal.csv"
check "personal for everyone: exit 0" "$RC" 0
for k in cross up cart; do
  run_rc "$ENCORE" --db "$DB" recommend --all --kind $k --out "$T/$k.csv" --json
  check "$k for everyone: exit 0" "$RC" 0
  check "$k: some customers get some" "$(jget "$OUT" 'd["customers_with_items"] > 100')" "True"
done
check_match "cross reasons" "$(sed -n 2p "$T/cross.csv")" ',"?bought with '
check_match "up reasons" "$(sed -n 2p "$T/up.csv")" ',"?better than .* you (viewed|bought|favourited|put in your cart)"?,'
check_match "cart reasons" "$(sed -n 2p "$T/cart.csv")" ',"?goes with .* in your cart"?,'
check "every line names its anchor (or none, for popular)" \
  "$($PY -c "import csv; print(all(r['anchor'] or r['reason'] == 'popular' for f in ('cross', 'up', 'cart', 'personal') for r in csv.DictReader(open('$T/' + f + '.csv'))))")" "True"

# the generator declares each product's complements and stock: the checks read its CSV
cat >"$T/shop.py" <<'EOF'
import csv, json, sys
shop, what = sys.argv[1], sys.argv[2]
prods = list(csv.DictReader(open(f"{shop}/products.csv", encoding="utf-8")))
comp = {p["sku"]: set(x for x in p["complements"].split("|") if x) for p in prods}
cat = {p["sku"]: p["category"] for p in prods}
out_of_stock = {p["sku"] for p in prods if p["in_stock"] == "false"}
def pair(a, b): return b in comp.get(a, ()) or a in comp.get(b, ())
if what == "stock":      # recommended out-of-stock products, over every file given
    print(sum(1 for f in sys.argv[3:] for r in csv.DictReader(open(f)) if r["sku"] in out_of_stock),
          len(out_of_stock))
elif what == "category": # products of a category (or under it) in a file
    print(sum(1 for r in csv.DictReader(open(sys.argv[4])) if cat[r["sku"]].startswith(sys.argv[3] + "/")))
elif what == "rules":    # share of one-antecedent rules that are declared complements
    d = json.load(sys.stdin)
    rs = [r for r in d["top"] if len(r["if"]) == 1]
    print(len(rs), "%.3f" % (sum(pair(r["if"][0], r["then"][0]) for r in rs) / max(len(rs), 1)))
elif what == "cross":    # share of customers whose first cross-sell complements its anchor
    top = [r for r in csv.DictReader(open(sys.argv[3])) if r["rank"] == "1"]
    print(len(top), "%.3f" % (sum(pair(r["anchor"], r["sku"]) for r in top) / len(top)))
EOF
read -r bad n_oos <<<"$($PY "$T/shop.py" "$T/shop" stock "$T/personal.csv" "$T/cross.csv" "$T/up.csv" "$T/cart.csv")"
check "no out-of-stock product recommended ($n_oos of the catalogue are out of stock)" "$bad" 0
read -r n share <<<"$($PY "$T/shop.py" "$T/shop" cross "$T/cross.csv")"
check "cross-sell: the first offer is a declared complement of its anchor for >= 30% ($share of $n)" \
  "$($PY -c "print($share >= 0.30)")" "True"

run_rc "$ENCORE" --db "$DB" recommend --all --out "$T/nohome.csv" --exclude-category Electronics --per-category 2
check "exclude a top category: exit 0" "$RC" 0
check "  none of its products recommended" "$($PY "$T/shop.py" "$T/shop" category Electronics "$T/nohome.csv")" 0
check "  at most 2 per top category in a list" "$($PY -c "
import csv, collections, sys
cat = {r['sku']: r['category'].split('/')[0] for r in csv.DictReader(open('$T/shop/products.csv'))}
n = collections.Counter((r['customer_id'], cat[r['sku']]) for r in csv.DictReader(open('$T/nohome.csv')))
print(max(n.values()))")" 2
first=$(sed -n 2p "$T/personal.csv" | cut -d, -f3)
run_rc "$ENCORE" --db "$DB" recommend C0000001 --exclude-sku "$first" --json
check "an excluded sku is not recommended" "$(jget "$OUT" '"'"$first"'" in [i["sku"] for i in d["items"]]')" "False"

run_rc "$ENCORE" --db "$DB" rules --min-support 10 --min-confidence 0.1 --json --top 0
check "rules from the store's orders: exit 0" "$RC" 0
read -r n share <<<"$(echo "$OUT" | $PY "$T/shop.py" "$T/shop" rules)"
check "rules: most product rules are the generator's complements ($share of $n)" "$($PY -c "print($n > 20 and $share >= 0.6)")" "True"
run_rc "$ENCORE" --db "$DB" rules --min-support 5 --min-confidence 0.2 --level category --json
check "category-level rules" "$(jget "$OUT" '(d["level"], d["rules"] > 0, all("/" in r["if"][0] for r in d["top"] if r["if"]))')" "('category', True, True)"
run_rc "$ENCORE" --db "$DB" rules --min-support 10 --min-confidence 0.2 --baskets sessions --json
check "co-view rules from sessions" "$(jget "$OUT" '(d["baskets_from"], d["baskets"] > 1000, d["rules"] > 0)')" "('sessions', True, True)"
run_rc "$ENCORE" --db "$DB" rules --min-support 10 --min-confidence 0.1 --as-of 2024-01-01 --json
check "rules as of the first day: no orders yet" "$(jget "$OUT" '(d["baskets"], d["rules"])')" "(0, 0)"

run_rc "$ENCORE" --db "$DB" recommend evaluate --split 2025-07-01 --json
check "demo evaluate: exit 0" "$RC" 0
check "demo: personal hit rate above popularity's ($(jget "$OUT" '"%.3f vs %.3f" % (d["hit_rate"], d["baseline_popularity"]["hit_rate"])'))" \
  "$(jget "$OUT" 'd["hit_rate"] > d["baseline_popularity"]["hit_rate"] and d["customers"] > 300')" "True"
run_rc "$ENCORE" --db "$DB" recommend C0000001 --as-of 2024-01-01 --json
check "as of before any data: popular products only (none)" "$(jget "$OUT" 'len(d["items"])')" 0

# ---- Online Retail -------------------------------------------------------------------------
OR=online-retail/online_retail.csv
if need_data "$OR"; then
  export ENCORE_DB="$T/retail.db"
  run_rc "$ENCORE" import orders "$ENCORE_DATA/$OR" --cancel-prefix C --json
  check "online retail: imported" "$RC" 0
  run_rc "$ENCORE" recommend evaluate --split 2011-09-01 --k 10 --json
  check "online retail evaluate: exit 0" "$RC" 0
  EV=$OUT
  fig=$(jget "$EV" '"personal %.4f, popularity %.4f, rules %.4f, item-to-item %.4f (x%.2f); %d customers" % (d["hit_rate"], d["baseline_popularity"]["hit_rate"], d["baseline_rules"]["hit_rate"], d["baseline_itemsim"]["hit_rate"], d["hit_rate_vs_popularity"], d["customers"])')
  check "online retail: personal hit rate@10 >= 1.3 x popularity's ($fig)" \
    "$(jget "$EV" 'd["hit_rate"] >= 1.3 * d["baseline_popularity"]["hit_rate"]')" "True"
  check "  MAP@10 and recall@10 above popularity's too" \
    "$(jget "$EV" 'd["map"] > d["baseline_popularity"]["map"] and d["recall"] > d["baseline_popularity"]["recall"]')" "True"
  echo "    latency per customer: $(jget "$EV" '"%.1f us mean, %.1f us p99 (CPU %.1f / %.1f us)" % (d["latency_us"]["mean"], d["latency_us"]["p99"], d["cpu_us"]["mean"], d["cpu_us"]["p99"])')"
  ORC=$($PY "$ROOT/tests/oracle/rec_oracle.py" "$ENCORE_DATA/$OR" 2011-09-01 10)
  check "oracle: same evaluated customers" "$(jget "$EV" 'd["customers"]')" "$(jget "$ORC" 'd["customers"]')"
  cmp_py="import json,sys; e=json.loads(sys.argv[1]); o=json.loads(sys.argv[2])
bad=[(k, m, e[k][m], o[n][m]) for k, n in (('baseline_popularity', 'popularity'), ('baseline_itemsim', 'itemsim'))
     for m in ('hit_rate', 'recall', 'map') if abs(e[k][m] - o[n][m]) > 1e-3]
print(bad or 'same')"
  check "oracle: popularity and item-to-item hit rate, recall, MAP agree (pandas/scipy)" \
    "$($PY -c "$cmp_py" "$EV" "$ORC")" "same"

  # the store's orders as a basket file: file mode and store mode find the same rules
  $PY - "$ENCORE_DATA/$OR" "$T/invoices.csv" <<'EOF'
import csv, sys
baskets = {}
with open(sys.argv[1], newline="", encoding="utf-8", errors="replace") as f:
    for r in csv.DictReader(f):
        if r["InvoiceNo"].startswith("C") or not r["CustomerID"]: continue
        if float(r["Quantity"]) <= 0 or float(r["UnitPrice"]) <= 0: continue
        baskets.setdefault(r["InvoiceNo"], set()).add(r["StockCode"])
with open(sys.argv[2], "w") as out:
    for items in baskets.values(): out.write(",".join(sorted(items)) + "\n")
EOF
  run_rc "$ENCORE" rules "$T/invoices.csv" --min-support 0.01 --min-confidence 0.5 --format basket-csv --json --top 0
  FILE_RULES=$OUT
  run_rc "$ENCORE" rules --min-support 0.01 --min-confidence 0.5 --json --top 0
  check "rules from the store = rules from the same baskets in a file ($(jget "$OUT" 'd["rules"]') rules)" \
    "$($PY -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2])
key=lambda d: sorted((tuple(r['if']), tuple(r['then']), round(r['support'], 12), round(r['confidence'], 12)) for r in d['top'])
print(a['baskets'] == b['baskets'] and a['rules'] == b['rules'] > 0 and key(a) == key(b))" "$FILE_RULES" "$OUT")" "True"
  run_rc "$ENCORE" recommend 17850 --kind cross --json
  check "online retail: a customer's cross-sell" "$(jget "$OUT" '(d["customer"], len(d["items"]) > 0)')" "('17850', True)"
fi
e2e_done
