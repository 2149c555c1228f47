#!/usr/bin/env bash
# test_readme.sh — README.md tells the truth: the quick start's commands run as written on the
# shop `make demo` builds (2,000 customers, seed 42, imported and scored) and print something;
# the customer it shows has a rich profile; the command table names every command `encore
# --help` lists; the layout names every folder of the tree; `make demo` scores the shop, writes
# the report and ends with what to open next (scripts/demo-next).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
README="$ROOT/README.md"
T=$E2E_TMP

# --- the quick start ----------------------------------------------------------------------
demo_shop "$T/demo.db" "$T/demo"
check "the demo shop (make demo's: defaults)" "$RC $(jget "$OUT" 'd["customers"] > 1900')" "0 True"
run_rc "$ENCORE" --db "$T/demo.db" score
check "score the demo shop (as make demo does)" "$RC" 0
block=$(awk '/^```sh/ { n++; inside = 1; next } /^```/ { inside = 0 } inside && n == 2' "$README")
cmds=$(printf '%s\n' "$block" | grep -c '^build/encore --db demo.db ')
check_match "the quick start's second block holds the commands to try" "$cmds" "^[5-9]$"
while IFS= read -r line; do
  case $line in "build/encore --db demo.db "*) ;; *) continue ;; esac
  args=${line#build/encore --db demo.db }
  eval "set -- $args"
  run_rc "$ENCORE" --db "$T/demo.db" "$@"
  check "README: encore $args: exit 0 and output" "$RC $([ -n "$OUT" ] && echo output)" "0 output"
done <<<"$block"
who=$(printf '%s\n' "$block" | sed -nE 's/.* profile (C[0-9]{7})$/\1/p' | head -n 1)
check_match "the quick start shows a customer by the shop's id" "$who" "^C[0-9]{7}$"
run_rc "$ENCORE" --db "$T/demo.db" profile "$who" --json
check "  with a rich profile: repeat orders, a segment, churn reasons, tags, replenishment" \
  "$(jget "$OUT" 'd["frequency"] >= 5 and bool(d["rfm_segment"]) and len(d["churn_reasons"]) > 0 and len(d["tags"]) >= 3 and bool(d["replenish"])')" True
grep -q "C000001[^0-9]" "$README" && not_ok "README names no 7-character id (C000001)" || ok "README names no 7-character id (C000001)"

# --- the command table --------------------------------------------------------------------
table=$(sed -n '/^## Commands/,/^### /p' "$README")
missing=""
for c in $("$ENCORE" --help | sed -n '/^commands:/,$p' | sed -nE 's/^  ([a-z]+) .*/\1/p'); do
  grep -q "^| \`encore $c[ \`]" <<<"$table" || missing="$missing $c"
done
check "the command table names every command of encore --help" "[$missing]" "[]"

# --- the layout ---------------------------------------------------------------------------
layout=$(sed -n '/^## Layout/,$p' "$README")
missing=""
for d in $(cd "$ROOT" && find src tests bench fuzz scripts docs .ci -maxdepth 1 -type d | grep -v '^fuzz/corpus' | sort); do
  case $d in src|tests) continue ;; esac
  grep -q "^$d/" <<<"$layout" || missing="$missing $d"
done
check "the layout names every folder" "[$missing]" "[]"

# --- make demo ----------------------------------------------------------------------------
recipe=$(sed -n '/^demo:/,/^$/p' "$ROOT/Makefile")
check_match "make demo installs only the build packages" "$recipe" "scripts/install-deps"$'\n'
[[ "$recipe" == *"--test"* ]] && not_ok "make demo does not install the test packages" || ok "make demo does not install the test packages"
check_match "make demo scores the shop" "$recipe" "encore --db demo.db score"
check_match "make demo writes the HTML report" "$recipe" "report --html demo/report.html"
run_rc env ENCORE="$ENCORE" "$ROOT/scripts/demo-next" "$T/demo.db" "$T/report.html"
check_match "make demo ends with what to open next" "$RC $OUT" "^0 .*Open next:.*report.html.*profile $who"
e2e_done
