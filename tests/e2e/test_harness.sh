#!/usr/bin/env bash
# test_harness.sh — the test harnesses tell the truth: a unit test (tests/harness.h) or an
# end-to-end script (tests/e2e/lib.sh) that runs no check fails; a skip is counted apart, never
# as a pass, and fails under CI=true unless the test names why it may skip there; tests/run.sh
# fails a suite that ran no check and lists skips apart. Builds tiny programs with cc.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$E2E_TMP

# --- tests/harness.h -----------------------------------------------------------------------
unit() { # unit NAME BODY-OF-main: compiles a test binary into $T/NAME
  printf '#include "harness.h"\n%s\n' "$2" >"$T/$1.c"
  cc -std=gnu11 -I"$ROOT/tests" -o "$T/$1" "$T/$1.c" -lm 2>"$T/cc.err" || cat "$T/cc.err"
}
unit nocheck 'static void t(void) {}
int main(void) { RUN(t); return TEST_SUMMARY(); }'
run_rc env -u CI "$T/nocheck"
check "unit: a test with no check fails" "$RC ${OUT##*$'\n'}" "1 0 passed, 1 failed, 0 skipped"
check_match "  and says so" "$ERR" "FAIL t: ran no check"

unit notest 'int main(void) { return TEST_SUMMARY(); }'
run_rc env -u CI "$T/notest"
check "unit: a binary that runs no test fails" "$RC" 1

unit pass 'static void t(void) { CHECK_INT(1 + 1, 2); CHECK_MSG(2 > 1, "order"); }
int main(void) { RUN(t); return TEST_SUMMARY(); }'
run_rc env -u CI "$T/pass"
check "unit: a test with passing checks passes" "$RC $OUT" "0 ok - t
1 passed, 0 failed, 0 skipped"

unit skip 'static void t(void) { th_skip("no widget here"); }
static void u(void) { CHECK(1); }
int main(void) { RUN(t); RUN(u); return TEST_SUMMARY(); }'
run_rc env -u CI "$T/skip"
check "unit: a skip is counted apart, not as a pass" "$RC $OUT" "0 skip - t
ok - u
1 passed, 0 failed, 1 skipped"
check_match "  with its reason" "$ERR" "skip t: no widget here"
run_rc env CI=true "$T/skip"
check "unit: under CI=true a skip fails" "$RC ${OUT##*$'\n'}" "1 1 passed, 1 failed, 0 skipped"
check_match "  and says why" "$ERR" "CI does not allow: no widget here"

unit skipok 'static void t(void) { th_skip_anywhere("timing means nothing under the sanitizer"); }
static void u(void) { CHECK(1); }
int main(void) { RUN(t); RUN(u); return TEST_SUMMARY(); }'
run_rc env CI=true "$T/skipok"
check "unit: a skip that names why it may skip passes under CI, counted apart" "$RC ${OUT##*$'\n'}" \
  "0 1 passed, 0 failed, 1 skipped"

unit data 'static void t(void) { if (!th_data("no/such/file.csv")) return; CHECK(1); }
int main(void) { RUN(t); return TEST_SUMMARY(); }'
run_rc env -u CI ENCORE_DATA="$T" "$T/data"
check "unit: a missing data set skips" "$RC ${OUT##*$'\n'}" "0 0 passed, 0 failed, 1 skipped"
run_rc env CI=true ENCORE_DATA="$T" "$T/data"
check "unit: a missing data set fails under CI" "$RC ${OUT##*$'\n'}" "1 0 passed, 1 failed, 0 skipped"

# --- tests/e2e/lib.sh ----------------------------------------------------------------------
script() { printf '. "%s/tests/e2e/lib.sh"\n%s\ne2e_done\n' "$ROOT" "$2" >"$T/$1.sh"; }
script empty ':'
run_rc env -u CI bash "$T/empty.sh"
check "e2e: a script with no check fails" "$RC ${OUT##*$'\n'}" "1 0 passed, 1 failed, 0 skipped"
script skip 'skip "no widget here"; check "one" 1 1'
run_rc env -u CI bash "$T/skip.sh"
check "e2e: a skip is counted apart" "$RC ${OUT##*$'\n'}" "0 1 passed, 0 failed, 1 skipped"
run_rc env CI=true bash "$T/skip.sh"
check "e2e: under CI=true a skip fails" "$RC ${OUT##*$'\n'}" "1 1 passed, 1 failed, 0 skipped"
script skipok 'skip_anywhere "only as root"; check "one" 1 1'
run_rc env CI=true bash "$T/skipok.sh"
check "e2e: skip_anywhere passes under CI, counted apart" "$RC ${OUT##*$'\n'}" "0 1 passed, 0 failed, 1 skipped"
script data 'need_data no/such/file.csv && check "never" 1 1'
run_rc env CI=true ENCORE_DATA="$T" bash "$T/data.sh"
check "e2e: a missing data set fails under CI" "$RC" 1

# --- tests/run.sh over a fake tree -----------------------------------------------------------
mkdir -p "$T/tree/tests/e2e" "$T/tree/tests/unit" "$T/tree/b/tests"
cp "$ROOT/tests/run.sh" "$T/tree/tests/"
touch "$T/tree/tests/unit/test_nocheck.c" "$T/tree/tests/unit/test_skip.c"
cp "$T/nocheck" "$T/tree/b/tests/test_nocheck"; cp "$T/skip" "$T/tree/b/tests/test_skip"
cp "$T/pass" "$T/tree/b/tests/test_stale" # a binary whose source is gone: not run
run_rc env -u CI -u ONLY bash "$T/tree/tests/run.sh" b
check "run.sh: a suite with a test that ran no check fails the run" "$RC" 1
check_match "  named among the failing suites" "$OUT" "failing suites: test_nocheck"
check_match "  skips listed apart with the reason" "$OUT" "skipped \(not counted as passed\):"$'\n'"  test_skip: t: no widget here"
check_match "  the total counts the skip apart (a stale binary not run)" "${OUT##*$'\n'}" "^1 passed, 1 failed, 1 skipped$"
printf '#!/bin/sh\necho "0 passed, 0 failed, 0 skipped"\n' >"$T/tree/b/tests/test_nocheck"
run_rc env -u CI -u ONLY bash "$T/tree/tests/run.sh" b
check_match "run.sh: a suite reporting no check at all fails" "$RC $OUT" "^1 .*SUITE test_nocheck: ran no check"
rm "$T/tree/b/tests/test_skip"
run_rc env -u CI -u ONLY bash "$T/tree/tests/run.sh" b
check_match "run.sh: a test source whose binary is missing fails" "$RC $OUT" "^1 .*SUITE test_skip: .* is not built"
e2e_done
