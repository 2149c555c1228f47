/* clv_oracle.h — test helper: runs tests/oracle/clv_oracle.py (scipy) on rows the C test
 * writes and reads back its per-row values. When /usr/bin/python3 with scipy is missing the
 * calling test is skipped, or fails under CI=true (like a missing data set). */
#ifndef ENCORE_TEST_CLV_ORACLE_H
#define ENCORE_TEST_CLV_ORACLE_H
#include "harness.h"
#include <libgen.h>

/* path of the oracle script, found from this binary (build/tests/ or build/asan/tests/) */
static inline const char *oracle_script(void)
{
    static char path[4096];
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = 0;
    char *dir = dirname(exe);
    const char *ups[] = {"/../..", "/../../.."};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s%s/tests/oracle/clv_oracle.py", dir, ups[i]);
        if (access(path, R_OK) == 0) return path;
    }
    return NULL;
}

static inline int oracle_missing(const char *why)
{
    char msg[512];
    snprintf(msg, sizeof msg, "scipy oracle unavailable: %s", why);
    th_skip(msg);
    return -1;
}

/* Runs the oracle: model, input file, params (np values), horizon t (< 0: none). Reads up to
 * cap values into out (row-major as the script writes them). Returns the count read, or -1
 * when the oracle is unavailable (already reported) or failed (reported as a failure). */
static inline int oracle_run(const char *model, const char *in, const double *par, int np, double t,
                             double *out, int cap)
{
    const char *script = oracle_script();
    if (!script) return oracle_missing("tests/oracle/clv_oracle.py not found");
    if (access("/usr/bin/python3", X_OK) != 0) return oracle_missing("/usr/bin/python3 missing");
    static int has_scipy = -1; /* checked once per binary */
    if (has_scipy < 0)
        has_scipy =
            system(
                "/usr/bin/python3 -c 'import scipy.special, scipy.integrate, numpy' 2>/dev/null") ==
            0;
    if (!has_scipy) return oracle_missing("python3 has no scipy");
    char outp[512], cmd[8192];
    snprintf(outp, sizeof outp, "%s/oracle_%s.out", th_tmpdir(), model);
    int k =
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' %s '%s' '%s'", script, model, in, outp);
    for (int i = 0; i < np; i++) k += snprintf(cmd + k, sizeof cmd - (size_t)k, " %.17g", par[i]);
    if (t >= 0) snprintf(cmd + k, sizeof cmd - (size_t)k, " %.17g", t);
    if (system(cmd) != 0) {
        TH_FAIL("oracle failed: %s", cmd);
        return -1;
    }
    FILE *f = fopen(outp, "r");
    if (!f) {
        TH_FAIL("oracle wrote no %s", outp);
        return -1;
    }
    int n = 0;
    while (n < cap && fscanf(f, "%lf", &out[n]) == 1) n++;
    fclose(f);
    return n;
}
#endif
