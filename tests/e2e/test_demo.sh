#!/usr/bin/env bash
# test_demo.sh — the newcomer's path: `encore demo` generates a shop and imports all six files
# with no rejected row; what the store holds agrees with what the generator says it wrote
# (orders, lines, duplicate registrations recognised as merges), in both locales.
. "$(dirname "$0")/lib.sh"

for loc in en zh; do
  db="$E2E_TMP/demo-$loc.db"; dir="$E2E_TMP/shop-$loc"
  run_rc "$ENCORE" gen --customers 3000 --seed 7 --locale "$loc" --out "$dir" --json
  GEN=$OUT
  run_rc "$ENCORE" --db "$db" demo --customers 3000 --seed 7 --locale "$loc" --out "$dir" --json
  check "demo $loc: exit 0" "$RC" 0
  check "demo $loc: no rejected row in any file" \
    "$(jget "$OUT" 'sum(v["rejected"] for v in d["imports"].values())')" 0
  check "demo $loc: every order line imported" \
    "$(jget "$OUT" 'd["imports"]["orders"]["imported"]')" "$(jget "$GEN" 'd["counts"]["order_lines"]')"
  check "demo $loc: every order kept" "$(jget "$OUT" 'd["orders"]')" "$(jget "$GEN" 'd["counts"]["orders"]')"
  check "demo $loc: duplicate registrations merged" \
    "$(jget "$OUT" 'd["imports"]["customers"]["merged"]')" "$(jget "$GEN" 'd["duplicate_identities"]["total"]')"
  check "demo $loc: customers after merging" "$(jget "$OUT" 'd["customers"]')" \
    "$(jget "$GEN" 'd["counts"]["customers"] - d["duplicate_identities"]["total"]')"
  run_rc "$ENCORE" --db "$db" demo --customers 3000 --seed 7 --locale "$loc" --out "$dir" --json
  check "demo $loc: running it again imports nothing new" \
    "$(jget "$OUT" 'sum(v["imported"] for v in d["imports"].values())')" 0
done
run_rc "$ENCORE" --db "$E2E_TMP/zh-stats.db" demo --customers 200 --locale zh --out "$E2E_TMP/s" 
check "demo: human summary" "$(echo "$OUT" | grep -c 'now holds')" 1
run_rc "$ENCORE" demo --customers 0
check "demo: bad --customers exits 2" "$RC" 2
e2e_done
