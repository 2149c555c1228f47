/* harness.h — the unit-test harness: one executable per module under tests/unit/, each test a
 * function run with RUN(); failures print file:line and the values compared. main() ends with
 * TEST_SUMMARY(), which prints "N passed, N failed, N skipped" (read by tests/run.sh) and sets
 * the exit code. A test that runs no check fails; a test that skips (th_skip) is counted apart,
 * never as passed, and under CI=true the skip fails unless the test names why it may skip there
 * (th_skip_anywhere). A binary that runs no test fails.
 * Data sets come from $ENCORE_DATA (default ../shared/data); under CI=true a missing one fails. */
#ifndef ENCORE_TEST_HARNESS_H
#define ENCORE_TEST_HARNESS_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <unistd.h>

static int th_passed, th_failed, th_skipped, th_cur_failed, th_cur_checks, th_cur_skipped;
static const char *th_cur_name;

#define TH_FAIL(...)                                                                               \
    do {                                                                                           \
        th_cur_failed++;                                                                           \
        th_cur_checks++;                                                                           \
        fprintf(stderr, "  FAIL %s (%s:%d): ", th_cur_name, __FILE__, __LINE__);                   \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
    } while (0)

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        th_cur_checks++;                                                                           \
        if (!(c)) TH_FAIL("%s", #c);                                                               \
    } while (0)
#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long th_a = (long long)(a), th_b = (long long)(b);                                    \
        th_cur_checks++;                                                                           \
        if (th_a != th_b) TH_FAIL("%s == %s: %lld != %lld", #a, #b, th_a, th_b);                   \
    } while (0)
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *th_a = (a), *th_b = (b);                                                       \
        th_cur_checks++;                                                                           \
        if (!th_a || !th_b || strcmp(th_a, th_b) != 0)                                             \
            TH_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, th_a ? th_a : "(null)",                  \
                    th_b ? th_b : "(null)");                                                       \
    } while (0)
/* a check with its own message: CHECK_MSG(cond, printf-format, args...) */
#define CHECK_MSG(c, ...)                                                                          \
    do {                                                                                           \
        th_cur_checks++;                                                                           \
        if (!(c)) TH_FAIL(__VA_ARGS__);                                                            \
    } while (0)
/* relative tolerance for large values, absolute near zero */
#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double th_a = (double)(a), th_b = (double)(b);                                             \
        double th_s = fabs(th_b) > 1 ? fabs(th_b) : 1;                                             \
        th_cur_checks++;                                                                           \
        if (!(fabs(th_a - th_b) <= (tol)*th_s))                                                    \
            TH_FAIL("%s ~ %s: %.10g vs %.10g (tol %g)", #a, #b, th_a, th_b, (double)(tol));        \
    } while (0)

/* A test passes when it ran at least one check and none failed; one that skipped is reported
 * as "skip" and counted apart; one that ran no check at all fails (it could not have failed). */
#define RUN(fn)                                                                                    \
    do {                                                                                           \
        th_cur_name = #fn;                                                                         \
        th_cur_failed = th_cur_checks = th_cur_skipped = 0;                                        \
        fn();                                                                                      \
        if (!th_cur_failed && !th_cur_skipped && !th_cur_checks) {                                 \
            th_cur_failed++;                                                                       \
            fprintf(stderr, "  FAIL %s: ran no check\n", #fn);                                     \
        }                                                                                          \
        if (th_cur_failed) {                                                                       \
            th_failed++;                                                                           \
            printf("not ok - %s\n", #fn);                                                          \
        } else if (th_cur_skipped) {                                                               \
            th_skipped++;                                                                          \
            printf("skip - %s\n", #fn);                                                            \
        } else {                                                                                   \
            th_passed++;                                                                           \
            printf("ok - %s\n", #fn);                                                              \
        }                                                                                          \
        fflush(stdout);                                                                            \
    } while (0)

/* "N passed, N failed, N skipped"; exit 1 on a failure or when no test ran at all. */
#define TEST_SUMMARY()                                                                             \
    (th_passed + th_failed + th_skipped == 0 ? (void)th_failed++ : (void)0,                        \
     printf("%d passed, %d failed, %d skipped\n", th_passed, th_failed, th_skipped),               \
     th_failed ? 1 : 0)

static inline int th_is_ci(void)
{
    const char *ci = getenv("CI");
    return ci && strcmp(ci, "true") == 0;
}

/* Skips the current test for the reason given (the caller returns after it). Under CI=true a skip
 * is a failure: CI has every data set and tool, so a skip there hides a missing one. */
static inline void th_skip(const char *why)
{
    if (th_is_ci()) {
        TH_FAIL("would skip, which CI does not allow: %s", why);
        return;
    }
    th_cur_skipped++;
    fprintf(stderr, "  skip %s: %s\n", th_cur_name, why);
}

/* A skip the test declares legitimate everywhere, CI included; `why` names the reason (e.g. a
 * timing check that means nothing under the sanitizer build). Still counted apart from passes. */
static inline void th_skip_anywhere(const char *why)
{
    th_cur_skipped++;
    fprintf(stderr, "  skip %s: %s (allowed under CI)\n", th_cur_name, why);
}

/* Path of a shared data file, or NULL when absent. When absent: under CI=true the current test
 * fails; otherwise it is reported as skipped and the caller returns. */
static inline const char *th_data(const char *rel)
{
    static char path[4096];
    const char *root = getenv("ENCORE_DATA");
    if (!root || !*root) root = "../shared/data";
    snprintf(path, sizeof path, "%s/%s", root, rel);
    if (access(path, R_OK) == 0) return path;
    char why[4200];
    snprintf(why, sizeof why, "data file %s missing", path);
    th_skip(why);
    return NULL;
}

/* A scratch directory for this test binary, created on first use, removed by tests/run.sh. */
static inline const char *th_tmpdir(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *base = getenv("ENCORE_TEST_TMP");
        snprintf(dir, sizeof dir, "%s/unitXXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return dir;
}
#endif
