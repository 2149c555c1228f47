#!/usr/bin/env bash
# run.sh BUILD_DIR — runs every unit-test binary under BUILD_DIR/tests and every end-to-end
# script tests/e2e/*.sh against BUILD_DIR/encore; sums their "N passed, N failed" lines and
# ends with the total line. Exit 1 when anything failed or a suite died without its summary.
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
export ENCORE="$root/$build/encore"
export ENCORE_DATA="${ENCORE_DATA:-$root/../shared/data}"
export ENCORE_TEST_TMP=$(mktemp -d /tmp/encore-tests.XXXXXX)
trap 'rm -rf "$ENCORE_TEST_TMP"' EXIT
only=${ONLY:-}

passed=0; failed=0; skipped=0; broken=""
run_suite() { # name, command...
  local name=$1; shift
  local out rc line p f s
  out=$("$@" 2>&1); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
  if [ -z "$line" ]; then
    printf '%s\n' "$out" | tail -n 30
    echo "SUITE $name: died without a summary (exit $rc)"
    failed=$((failed + 1)); broken="$broken $name"; return
  fi
  p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
  f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
  s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p'); s=${s:-0}
  if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | grep -vE '^ok - ' | tail -n 60
    [ "$f" -eq 0 ] && { f=1; echo "SUITE $name: exit $rc"; }
    broken="$broken $name"
  fi
  printf '%-28s %4d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

for t in "$root/$build"/tests/test_*; do
  [ -x "$t" ] || continue
  n=$(basename "$t")
  [ -n "$only" ] && [[ "$n" != *$only* ]] && continue
  run_suite "$n" "$t"
done
for t in "$root"/tests/e2e/test_*.sh; do
  [ -f "$t" ] || continue
  n=$(basename "$t" .sh)
  [ -n "$only" ] && [[ "$n" != *$only* ]] && continue
  run_suite "e2e/$n" bash "$t"
done

[ -n "$broken" ] && echo "failing suites:$broken"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
