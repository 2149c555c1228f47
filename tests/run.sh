#!/usr/bin/env bash
# run.sh BUILD_DIR [--slow] — runs every unit-test binary under BUILD_DIR/tests and every
# end-to-end script tests/e2e/*.sh against BUILD_DIR/encore (with --slow: the slow tier,
# tests/slow/*.sh, instead); sums their "N passed, N failed, N skipped" lines, prints each
# suite's wall and CPU seconds, lists the skipped tests apart (a skip never counts as a pass)
# and ends with the total line. Exit 1 when anything failed, a suite died without its summary,
# or a suite ran no check at all. ONLY=substring runs the suites whose name contains it.
set -u
build=${1:-build}
tier=fast
[ "${2:-}" = "--slow" ] && tier=slow
root=$(cd "$(dirname "$0")/.." && pwd)
export ENCORE="$root/$build/encore"
export ENCORE_DATA="${ENCORE_DATA:-$root/../shared/data}"
export ENCORE_TEST_TMP=$(mktemp -d /tmp/encore-tests.XXXXXX)
# demo shops generated once per run and copied by the suites that share them (lib.sh demo_shop)
export ENCORE_SHOP_CACHE="$ENCORE_TEST_TMP/shops"
trap 'rm -rf "$ENCORE_TEST_TMP"' EXIT
only=${ONLY:-}

passed=0; failed=0; skipped=0; broken=""; skips=""
# children's CPU seconds (user + sys) so far, from this shell's `times` (run here, not in a
# subshell, which would see only its own children)
cpu_now() {
  times >"$ENCORE_TEST_TMP/times"
  CPU=$(tail -n 1 "$ENCORE_TEST_TMP/times" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%.2f", s }')
}
run_suite() { # name, command...
  local name=$1; shift
  local out rc line p f s t0 t1 c0 c1
  t0=$(date +%s.%N); cpu_now; c0=$CPU
  out=$("$@" 2>&1); rc=$?
  t1=$(date +%s.%N); cpu_now; c1=$CPU
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
  if [ -z "$line" ]; then
    printf '%s\n' "$out" | tail -n 30
    echo "SUITE $name: died without a summary (exit $rc)"
    failed=$((failed + 1)); broken="$broken $name"; return
  fi
  p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
  f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
  s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p'); s=${s:-0}
  if [ $((p + f + s)) -eq 0 ]; then
    echo "SUITE $name: ran no check"; f=1
  fi
  if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | grep -vE '^ok - ' | tail -n 60
    [ "$f" -eq 0 ] && { f=1; echo "SUITE $name: exit $rc"; }
    broken="$broken $name"
  fi
  if [ "$s" -gt 0 ]; then
    # a unit test names its reason on stderr ("  skip TEST: why"), a script in "skip - why"
    local why
    why=$(printf '%s\n' "$out" | grep -E '^  skip ')
    [ -z "$why" ] && why=$(printf '%s\n' "$out" | grep -E '^skip - ')
    skips="$skips$(printf '%s\n' "$why" | sed -E "s/^ *(skip -? ?)?/  $name: /")"$'\n'
  fi
  printf '%-28s %4d passed, %d failed, %d skipped  %6.1f s (cpu %.1f s)\n' "$name" "$p" "$f" "$s" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$c1 - $c0" | bc)"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

if [ "$tier" = fast ]; then
  # the binaries of the sources there are (a stale binary of a renamed test is not run)
  for src in "$root"/tests/unit/test_*.c; do
    n=$(basename "$src" .c); t="$root/$build/tests/$n"
    [ -n "$only" ] && [[ "$n" != *$only* ]] && continue
    if [ ! -x "$t" ]; then
      echo "SUITE $n: $t is not built (make)"; failed=$((failed + 1)); broken="$broken $n"; continue
    fi
    run_suite "$n" "$t"
  done
  dir=e2e
else
  dir=slow
fi
for t in "$root"/tests/$dir/test_*.sh; do
  [ -f "$t" ] || continue
  n=$(basename "$t" .sh)
  [ -n "$only" ] && [[ "$n" != *$only* ]] && continue
  run_suite "$dir/$n" bash "$t"
done

[ -n "$skips" ] && printf 'skipped (not counted as passed):\n%s' "$skips"
[ -n "$broken" ] && echo "failing suites:$broken"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
