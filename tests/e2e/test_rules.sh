#!/usr/bin/env bash
# test_rules.sh — `encore itemsets` and `encore rules` end to end: help and usage errors, errors
# with file and line, support as fraction or count, a tiny file worked by hand, arules' published
# rule counts on groceries, and a plain Python Apriori (an independent implementation) agreeing
# with the binary's itemsets and every rule's measures on groceries and retail.
. "$(dirname "$0")/lib.sh"

T=$E2E_TMP
PY=/usr/bin/python3

run_rc "$ENCORE" itemsets --help
check "itemsets --help exits 0" "$RC" 0
check_match "itemsets --help shows usage" "$OUT" "usage: encore itemsets FILE --min-support S"
run_rc "$ENCORE" rules --help
check "rules --help exits 0" "$RC" 0
check_match "rules --help shows usage" "$OUT" "--min-confidence C"

printf 'a b c\na b\na c\nb c\na b c \n' >"$T/tiny.dat"
run_rc "$ENCORE" itemsets "$T/tiny.dat"
check "missing --min-support is a usage error" "$RC" 2
check_match "  and says so" "$ERR" "encore: itemsets: --min-support is needed"
run_rc "$ENCORE" itemsets "$T/tiny.dat" --min-support 0
check "support 0 is a usage error" "$RC" 2
run_rc "$ENCORE" itemsets "$T/tiny.dat" --min-support 1.5
check "support 1.5 is a usage error" "$RC" 2
run_rc "$ENCORE" itemsets "$T/tiny.dat" --min-support 2 --format tsv
check "unknown format is a usage error" "$RC" 2
run_rc "$ENCORE" rules "$T/tiny.dat" --min-support 2
check "rules without --min-confidence is a usage error" "$RC" 2
run_rc "$ENCORE" rules "$T/tiny.dat" --min-support 2 --min-confidence 1.2
check "confidence 1.2 is a usage error" "$RC" 2
run_rc "$ENCORE" itemsets "$T/nope.dat" --min-support 2
check "missing file fails with 1" "$RC" 1
check "  with file and reason" "$ERR" "encore: itemsets: $T/nope.dat: No such file or directory"
printf 'a,b\nc,,d\n' >"$T/bad.csv"
run_rc "$ENCORE" rules "$T/bad.csv" --min-support 1 --min-confidence 0.5
check "malformed basket fails with 1" "$RC" 1
check "  with file, line and column" "$ERR" "encore: rules: $T/bad.csv:2:3: empty item"

# tiny: a,b,c in 4 baskets each; each pair in 3; abc in 2 (5 baskets)
run_rc "$ENCORE" itemsets "$T/tiny.dat" --min-support 2 --json
check "count support 2: 7 sets by size [3,3,1]" "$(jget "$OUT" '(d["itemsets"], d["by_size"], d["min_count"])')" "(7, [3, 3, 1], 2)"
run_rc "$ENCORE" itemsets "$T/tiny.dat" --min-support 0.5 --json
check "fraction 0.5 of 5 baskets: count 3, 6 sets" "$(jget "$OUT" '(d["itemsets"], d["min_count"])')" "(6, 3)"
run_rc "$ENCORE" itemsets "$T/tiny.dat" --min-support 40% --json
check "40% of 5 baskets: count 2" "$(jget "$OUT" 'd["min_count"]')" "2"
run_rc "$ENCORE" itemsets "$T/tiny.dat" --min-support 2 --max-len 2 --json
check "max-len 2 drops abc" "$(jget "$OUT" 'd["by_size"]')" "[3, 3]"
run_rc "$ENCORE" itemsets - --min-support 2 --json <"$T/tiny.dat"
check "reads standard input" "$(jget "$OUT" '(d["baskets"], d["itemsets"])')" "(5, 7)"
# rules at confidence 0.7: 6 pair rules (0.75) and 3 with an empty X ({} => a: 0.8); {a,b} => c is 2/3
run_rc "$ENCORE" rules "$T/tiny.dat" --min-support 2 --min-confidence 0.7 --json --top 0
check "tiny rules: 9" "$(jget "$OUT" 'd["rules"]')" "9"
check "tiny rule a => b" "$(jget "$OUT" '[(r["confidence"], r["lift"], r["count"]) for r in d["top"] if r["if"] == ["a"] and r["then"] == ["b"]]')" "[(0.75, 0.9375, 3)]"
run_rc "$ENCORE" rules "$T/tiny.dat" --min-support 2 --min-confidence 0.7 --min-len 2 --json
check "min-len 2 drops empty antecedents" "$(jget "$OUT" 'd["rules"]')" "6"
run_rc "$ENCORE" rules "$T/tiny.dat" --min-support 2 --min-confidence 0.5 --max-consequent 0 --min-len 2 --json --top 0
check "any-size consequents: a => {b,c} at 0.5 joins" "$(jget "$OUT" '(d["rules"], sorted(r["then"] for r in d["top"] if len(r["then"]) == 2))')" "(12, [['a', 'b'], ['a', 'c'], ['b', 'c']])"
run_rc "$ENCORE" rules "$T/tiny.dat" --min-support 2 --min-confidence 1 --json
check "confidence 1: no rules" "$(jget "$OUT" 'd["rules"]')" "0"
run_rc "$ENCORE" rules "$T/tiny.dat" --min-support 2 --min-confidence 0.7 --min-len 2 --top 2
check_match "human output is a table" "$OUT" "if +then +support confidence +lift conviction +count"

G=$ENCORE_DATA/baskets/groceries_baskets.csv
if need_data baskets/groceries_baskets.csv; then
  run_rc "$ENCORE" rules "$G" --min-support 0.001 --min-confidence 0.5 --json
  check "groceries 0.001/0.5: arules' 5,668 rules" "$(jget "$OUT" '(d["baskets"], d["items"], d["rules"])')" "(9835, 169, 5668)"
  check "  top by lift as arules" "$(jget "$OUT" '(d["top"][0]["if"], d["top"][0]["then"], round(d["top"][0]["lift"], 6))')" "(['Instant food products', 'soda'], ['hamburger meat'], 18.995654)"
  run_rc "$ENCORE" rules "$G" --min-support 0.001 --min-confidence 0.8 --json
  check "groceries 0.001/0.8: arules' 410 rules" "$(jget "$OUT" 'd["rules"]')" "410"
  run_rc "$ENCORE" rules "$G" --min-support 0.001 --min-confidence 0.8 --min-lift 5 --json
  check_match "min-lift keeps fewer" "$(jget "$OUT" 'd["rules"]')" "^[1-9][0-9]?[0-9]?$"
  check "  every one lifts >= 5" "$(jget "$OUT" 'all(r["lift"] >= 5 for r in d["top"])')" "True"
  run_rc "$ENCORE" itemsets "$G" --min-support 0.001 --json --format basket-csv
  check "groceries labels byte-exact: 169 items" "$(jget "$OUT" '(d["format"], d["items"])')" "('basket-csv', 169)"
fi

# A plain Apriori in Python (Agrawal & Srikant 1994) with arules' rule semantics, compared with
# every itemset and rule the binary reports.
cat >"$T/oracle.py" <<'EOF'
import itertools, json, math, subprocess, sys
enc, path, supp, conf = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
baskets = []
with open(path, "rb") as f:
    data = f.read().split(b"\n")
if data and data[-1] == b"":
    data.pop()
csv = b"," in next((l for l in data if l.strip(b"\r")), b"")
for line in data:
    line = line[:-1] if line.endswith(b"\r") else line
    items = line.split(b",") if csv else line.split()
    if csv and items and items[-1] == b"":
        items.pop()
    baskets.append(frozenset(i.decode() for i in items if i))
N = len(baskets)
minc = math.ceil(supp * N)
count = {}
level = {}
for b in baskets:
    for i in b:
        level[frozenset([i])] = level.get(frozenset([i]), 0) + 1
level = {s: c for s, c in level.items() if c >= minc}
k = 1
while level and k < 10:
    count.update(level)
    items = sorted({i for s in level for i in s})
    freq_items = set(items)
    k += 1
    cand = {}
    for b in baskets:
        bi = sorted(b & freq_items)
        if len(bi) < k:
            continue
        for c in itertools.combinations(bi, k):
            fs = frozenset(c)
            if all(fs - {x} in level for x in c):
                cand[fs] = cand.get(fs, 0) + 1
    level = {s: c for s, c in cand.items() if c >= minc}
count.update(level)
rules = {}
for z, cz in count.items():
    for y in z:
        x = z - {y}
        if x and len(z) == 1:
            continue
        cx = count[x] if x else N
        c = cz / cx
        if c < conf - 1e-12:
            continue
        rules[(tuple(sorted(x)), (y,))] = (cz / N, c, c / (count[frozenset([y])] / N))
out = json.loads(subprocess.run([enc, "rules", path, "--min-support", sys.argv[3],
                                 "--min-confidence", sys.argv[4], "--top", "0", "--json"],
                                capture_output=True, check=True).stdout)
got = {(tuple(sorted(r["if"])), tuple(r["then"])): (r["support"], r["confidence"], r["lift"])
       for r in out["top"]}
sets = json.loads(subprocess.run([enc, "itemsets", path, "--min-support", sys.argv[3], "--json",
                                  "--max-len", "10"], capture_output=True, check=True).stdout)
by_size = [0] * max((len(s) for s in count), default=0)
for s in count:
    by_size[len(s) - 1] += 1
bad = [k for k in rules if k not in got or any(abs(a - b) > 1e-9 * max(1, abs(a))
                                               for a, b in zip(rules[k], got[k]))]
extra = [k for k in got if k not in rules]
print(len(count), sets["itemsets"], by_size == sets["by_size"], len(rules), out["rules"],
      len(got), len(bad), len(extra))
EOF
if need_data baskets/groceries_baskets.csv; then
  res=$($PY "$T/oracle.py" "$ENCORE" "$G" 0.005 0.2)
  read -r n_py n_enc same_sizes r_py r_enc r_got n_bad n_extra <<<"$res"
  check "groceries 0.005: Python Apriori's itemsets = encore's ($n_py)" "$n_enc $same_sizes" "$n_py True"
  check "groceries 0.005/0.2: Python's rules = encore's ($r_py), measures equal" "$r_enc $r_got $n_bad $n_extra" "$r_py $r_py 0 0"
fi
if need_data baskets/retail.dat; then
  res=$($PY "$T/oracle.py" "$ENCORE" "$ENCORE_DATA/baskets/retail.dat" 0.005 0.3)
  read -r n_py n_enc same_sizes r_py r_enc r_got n_bad n_extra <<<"$res"
  check "retail 0.5%: Python Apriori's itemsets = encore's ($n_py)" "$n_enc $same_sizes" "$n_py True"
  check "retail 0.5%/0.3: Python's rules = encore's ($r_py), measures equal" "$r_enc $r_got $n_bad $n_extra" "$r_py $r_py 0 0"
fi

e2e_done
