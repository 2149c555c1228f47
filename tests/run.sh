#!/usr/bin/env bash
# run.sh BUILD_DIR [--slow] — runs every unit-test binary under BUILD_DIR/tests (one per
# tests/unit/test_*.c) and every end-to-end script tests/e2e/*.sh against BUILD_DIR/encore
# (with --slow: the slow tier, tests/slow/*.sh, instead), JOBS suites at a time (default: the
# number of CPUs, at most 4); sums their "N passed, N failed, N skipped" lines, prints each
# suite's wall and CPU seconds in a fixed order, lists the skipped tests apart (a skip never
# counts as a pass) and ends with the total line. Exit 1 when anything failed, a suite died
# without its summary, or a suite ran no check at all. ONLY=substring runs the suites whose
# name contains it.
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
jobs=${JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -gt 4 ] 2>/dev/null && jobs=4
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
res="$ENCORE_TEST_TMP/results"
mkdir -p "$res"

passed=0; failed=0; skipped=0; broken=""; skips=""

# start NAME COMMAND...: runs a suite in the background; its output, exit code, wall and CPU
# seconds (user + sys of the subshell's children, from `times`) land in $res/NAME.*
start() {
  local name=$1; shift
  local f="$res/${name//\//_}"
  (
    t0=$(date +%s.%N)
    "$@" >"$f.out" 2>&1
    echo $? >"$f.rc"
    t1=$(date +%s.%N)
    times >"$f.times" # here, not in a pipeline's subshell, which would see no children
    tail -n 1 "$f.times" | awk -v w="$(echo "$t1 - $t0" | bc)" \
      '{ s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%s %.2f\n", w, s }' >"$f.time"
  ) &
}

# report NAME: reads a finished suite's files and adds it to the totals
report() {
  local name=$1
  local f="$res/${name//\//_}"
  local out rc line p f_ s wall cpu
  out=$(cat "$f.out"); rc=$(cat "$f.rc" 2>/dev/null || echo 99)
  read -r wall cpu <"$f.time" 2>/dev/null || { wall=0; cpu=0; }
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
  if [ -z "$line" ]; then
    printf '%s\n' "$out" | tail -n 30
    echo "SUITE $name: died without a summary (exit $rc)"
    failed=$((failed + 1)); broken="$broken $name"; return
  fi
  p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
  f_=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
  s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p'); s=${s:-0}
  if [ $((p + f_ + s)) -eq 0 ]; then
    echo "SUITE $name: ran no check"; f_=1
  fi
  if [ "$f_" -gt 0 ] || [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | grep -vE '^ok - ' | tail -n 60
    [ "$f_" -eq 0 ] && { f_=1; echo "SUITE $name: exit $rc"; }
    broken="$broken $name"
  fi
  if [ "$s" -gt 0 ]; then
    # a unit test names its reason on stderr ("  skip TEST: why"), a script in "skip - why"
    local why
    why=$(printf '%s\n' "$out" | grep -E '^  skip ')
    [ -z "$why" ] && why=$(printf '%s\n' "$out" | grep -E '^skip - ')
    skips="$skips$(printf '%s\n' "$why" | sed -E "s/^ *(skip -? ?)?/  $name: /")"$'\n'
  fi
  printf '%-28s %4d passed, %d failed, %d skipped  %6.1f s (cpu %.1f s)\n' "$name" "$p" "$f_" "$s" \
    "$wall" "$cpu"
  passed=$((passed + p)); failed=$((failed + f_)); skipped=$((skipped + s))
}

# the suites, in the order they are reported: names[] and their binary or script, cmds[]
names=(); cmds=()
if [ "$tier" = fast ]; then
  # the binaries of the sources there are (a stale binary of a renamed test is not run)
  for src in "$root"/tests/unit/test_*.c; do
    n=$(basename "$src" .c); t="$root/$build/tests/$n"
    [ -n "$only" ] && [[ "$n" != *$only* ]] && continue
    if [ ! -x "$t" ]; then
      echo "SUITE $n: $t is not built (make)"; failed=$((failed + 1)); broken="$broken $n"; continue
    fi
    names+=("$n"); cmds+=("$t")
  done
  dir=e2e
else
  dir=slow
fi
for t in "$root"/tests/$dir/test_*.sh; do
  [ -f "$t" ] || continue
  n=$(basename "$t" .sh)
  [ -n "$only" ] && [[ "$n" != *$only* ]] && continue
  names+=("$dir/$n"); cmds+=("$t")
done

# the longest suites first, so that the last ones to finish are short (a rough order: the
# scripts before the binaries)
order=()
for i in "${!names[@]}"; do [[ "${names[$i]}" == */* ]] && order+=("$i"); done
for i in "${!names[@]}"; do [[ "${names[$i]}" != */* ]] && order+=("$i"); done
running=0
for i in "${order[@]}"; do
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
  if [[ "${names[$i]}" == */* ]]; then start "${names[$i]}" bash "${cmds[$i]}"
  else start "${names[$i]}" "${cmds[$i]}"; fi
  running=$((running + 1))
done
wait

for n in "${names[@]}"; do report "$n"; done
[ -n "$skips" ] && printf 'skipped (not counted as passed):\n%s' "$skips"
[ -n "$broken" ] && echo "failing suites:$broken"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
