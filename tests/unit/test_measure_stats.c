/* test_measure_stats.c — the statistics of src/measure/uplift.c against published values
 * (Newcombe 1998's worked examples of the difference of proportions) and against scipy.stats
 * run as an oracle: the pooled z-test against chi2_contingency without correction, Fisher's
 * exact test against fisher_exact, Welch against ttest_ind(equal_var=False) with the interval
 * from t.ppf, Wilson and Newcombe intervals recomputed from norm.ppf. */
#include "harness.h"
#include "measure/uplift.h"
#include "py_oracle.h"
#include <stdint.h>

/* Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score,
 * no continuity correction), rounded to 4 decimals in the paper. */
static void newcombe_published(void)
{
    static const struct {
        int64_t x1, n1, x2, n2;
        double lo, hi;
    } t[] = {
        {56, 70, 48, 80, 0.0524, 0.3339}, {9, 10, 3, 10, 0.1705, 0.8090},
        {6, 7, 2, 7, 0.0582, 0.8062},     {5, 56, 0, 29, -0.0381, 0.1926},
        {0, 10, 0, 20, -0.1611, 0.2775},  {0, 10, 0, 10, -0.2775, 0.2775},
        {10, 10, 0, 20, 0.6791, 1.0000},  {10, 10, 0, 10, 0.6075, 1.0000},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        enc_prop_diff d;
        enc_stat_prop_diff(t[i].x1, t[i].n1, t[i].x2, t[i].n2, 0.95, &d);
        CHECK(fabs(d.lo - t[i].lo) < 0.00005 + 1e-12);
        CHECK(fabs(d.hi - t[i].hi) < 0.00005 + 1e-12);
        if (fabs(d.lo - t[i].lo) >= 0.00005 || fabs(d.hi - t[i].hi) >= 0.00005)
            printf("#   case %zu: %.5f %.5f vs %.4f %.4f\n", i, d.lo, d.hi, t[i].lo, t[i].hi);
    }
}

/* Wilson (1927) as Newcombe's single-proportion paper (Statistics in Medicine 17:857-872,
 * Table I, method 3) reports it: 81/263 -> 0.2553 .. 0.3662; 15/148 -> 0.0624 .. 0.1605;
 * 0/20 -> 0 .. 0.1611; 1/29 -> 0.0061 .. 0.1718. */
static void wilson_published(void)
{
    static const struct {
        int64_t x, n;
        double lo, hi;
    } t[] = {{81, 263, 0.2553, 0.3662},
             {15, 148, 0.0624, 0.1605},
             {0, 20, 0, 0.1611},
             {1, 29, 0.0061, 0.1718}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        double lo, hi;
        enc_stat_wilson(t[i].x, t[i].n, 0.95, &lo, &hi);
        CHECK(fabs(lo - t[i].lo) < 0.00005 + 1e-12);
        CHECK(fabs(hi - t[i].hi) < 0.00005 + 1e-12);
    }
    double lo, hi;
    enc_stat_wilson(3, 0, 0.95, &lo, &hi);
    CHECK(isnan(lo) && isnan(hi));
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* Many 2x2 tables, small and large: intervals, z-test and Fisher against scipy. */
static void proportions_vs_scipy(void)
{
    if (!py_have("numpy scipy")) return;
    enum { N = 400 };
    double in[N][4];
    uint64_t s = 7;
    for (int i = 0; i < N; i++) {
        int64_t n1, n2;
        if (i < 100) { /* small: Fisher territory */
            n1 = 1 + (int64_t)(lcg(&s) % 30);
            n2 = 1 + (int64_t)(lcg(&s) % 30);
        } else if (i < 300) {
            n1 = 20 + (int64_t)(lcg(&s) % 5000);
            n2 = 20 + (int64_t)(lcg(&s) % 5000);
        } else {
            n1 = 10000 + (int64_t)(lcg(&s) % 200000);
            n2 = 1000 + (int64_t)(lcg(&s) % 20000);
        }
        double r1 = (double)(lcg(&s) % 1000) / 1000 * (i % 7 == 0 ? 0.02 : 0.5);
        double r2 = r1 * (0.7 + (double)(lcg(&s) % 600) / 1000);
        int64_t x1 = (int64_t)(r1 * (double)n1), x2 = (int64_t)(r2 * (double)n2);
        if (i % 50 == 1) x1 = n1; /* ends */
        if (i % 50 == 2) x2 = 0;
        in[i][0] = (double)x1, in[i][1] = (double)n1, in[i][2] = (double)x2, in[i][3] = (double)n2;
    }
    CHECK_INT(py_write("prop.bin", in, sizeof in[0], N), 0);
    CHECK_INT(py_run("import sys, numpy as np\n"
                     "from scipy import stats\n"
                     "d = sys.argv[1]\n"
                     "a = np.fromfile(d + '/prop.bin').reshape(-1, 4)\n"
                     "z = stats.norm.ppf(0.975)\n"
                     "def wilson(x, n):\n"
                     "    p = x / n\n"
                     "    c = (p + z*z/(2*n)) / (1 + z*z/n)\n"
                     "    h = z / (1 + z*z/n) * np.sqrt(p*(1-p)/n + z*z/(4*n*n))\n"
                     "    return c - h, c + h\n"
                     "out = []\n"
                     "for x1, n1, x2, n2 in a:\n"
                     "    l1, u1 = wilson(x1, n1); l2, u2 = wilson(x2, n2)\n"
                     "    p1, p2 = x1/n1, x2/n2\n"
                     "    lo = p1 - p2 - np.sqrt((p1-l1)**2 + (u2-p2)**2)\n"
                     "    hi = p1 - p2 + np.sqrt((u1-p1)**2 + (p2-l2)**2)\n"
                     "    t = np.array([[x1, n1-x1], [x2, n2-x2]])\n"
                     "    if (t.sum(0) == 0).any(): pz = 1.0\n"
                     "    else: pz = stats.chi2_contingency(t, correction=False)[1]\n"
                     "    pf = stats.fisher_exact(t.astype(np.int64))[1]\n"
                     "    small = (stats.contingency.expected_freq(t) < 5).any() if (t.sum(0) > "
                     "0).all() else True\n"
                     "    out += [lo, hi, pz, pf, float(small)]\n"
                     "np.array(out).tofile(d + '/prop_out.bin')\n"),
              0);
    double ex[N][5];
    CHECK_INT(py_read("prop_out.bin", ex, sizeof ex[0], N), N);
    int bad_ci = 0, bad_z = 0, bad_f = 0, bad_sel = 0;
    for (int i = 0; i < N; i++) {
        int64_t x1 = (int64_t)in[i][0], n1 = (int64_t)in[i][1], x2 = (int64_t)in[i][2],
                n2 = (int64_t)in[i][3];
        enc_prop_diff d;
        enc_stat_prop_diff(x1, n1, x2, n2, 0.95, &d);
        if (fabs(d.lo - ex[i][0]) > 1e-9 || fabs(d.hi - ex[i][1]) > 1e-9) bad_ci++;
        double pz = enc_stat_ztest2(x1, n1, x2, n2, NULL);
        if (fabs(pz - ex[i][2]) > 1e-9 * (ex[i][2] > 1e-3 ? 1 : 0) + 1e-12 &&
            fabs(pz - ex[i][2]) > 1e-7 * ex[i][2])
            bad_z++;
        double pf = enc_stat_fisher(x1, n1 - x1, x2, n2 - x2);
        if (fabs(pf - ex[i][3]) > 1e-9 && fabs(pf - ex[i][3]) > 1e-6 * ex[i][3]) {
            if (bad_f < 5)
                printf("#   fisher %lld/%lld %lld/%lld: %.12g vs %.12g\n", (long long)x1,
                       (long long)n1, (long long)x2, (long long)n2, pf, ex[i][3]);
            bad_f++;
        }
        if (d.fisher != (ex[i][4] != 0)) bad_sel++;
        if (d.p_value != (d.fisher ? pf : pz)) bad_sel++;
    }
    printf("# %d tables: interval, z-test, Fisher and the test chosen compared with scipy\n", N);
    CHECK_INT(bad_ci, 0);
    CHECK_INT(bad_z, 0);
    CHECK_INT(bad_f, 0);
    CHECK_INT(bad_sel, 0);
}

/* Welch: samples of revenue per customer (mostly zeros, a long tail), against scipy. */
static void welch_vs_scipy(void)
{
    if (!py_have("numpy scipy")) return;
    enum { CASES = 60, MAXN = 3000 };
    static double x[CASES][2][MAXN];
    double meta[CASES][2];
    uint64_t s = 11;
    for (int c = 0; c < CASES; c++) {
        for (int g = 0; g < 2; g++) {
            int n = 2 + (int)(lcg(&s) % (c < 20 ? 30 : MAXN - 2));
            meta[c][g] = n;
            double conv = 0.05 + 0.1 * g + (double)(lcg(&s) % 100) / 1000;
            for (int i = 0; i < n; i++) {
                double u = (double)(lcg(&s) % 1000000) / 1e6;
                x[c][g][i] = u < conv ? 1000 + (double)(lcg(&s) % 50000) : 0;
            }
        }
        if (c == 3) x[c][0][0] = 5; /* a group with one non-zero value */
    }
    CHECK_INT(py_write("welch.bin", x, sizeof x, 1), 0);
    CHECK_INT(py_write("welch_n.bin", meta, sizeof meta, 1), 0);
    char script[1600];
    snprintf(
        script, sizeof script,
        "import sys, warnings, numpy as np\n"
        "from scipy import stats\n"
        "warnings.simplefilter('ignore')\n"
        "d = sys.argv[1]\n"
        "x = np.fromfile(d + '/welch.bin').reshape(%d, 2, %d)\n"
        "m = np.fromfile(d + '/welch_n.bin').reshape(%d, 2).astype(int)\n"
        "out = []\n"
        "for c in range(%d):\n"
        "    a = x[c, 0, :m[c, 0]]; b = x[c, 1, :m[c, 1]]\n"
        /* a group without variation: Student's pooled test (uplift.h) */
        "    pooled = (a.var() == 0) != (b.var() == 0)\n"
        "    t, p = stats.ttest_ind(a, b, equal_var=bool(pooled))\n"
        "    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)\n"
        "    df = (va + vb)**2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))\n"
        "    dm = a.mean() - b.mean(); se = np.sqrt(va + vb)\n"
        "    if pooled:\n"
        "        df = len(a) + len(b) - 2\n"
        "        se = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / df\n"
        "                     * (1 / len(a) + 1 / len(b)))\n"
        "    q = stats.t.ppf(0.975, df)\n"
        "    out += [t, p, df, dm - q * se, dm + q * se]\n"
        "np.array(out).tofile(d + '/welch_out.bin')\n",
        CASES, MAXN, CASES, CASES);
    CHECK_INT(py_run(script), 0);
    double ex[CASES][5];
    CHECK_INT(py_read("welch_out.bin", ex, sizeof ex[0], CASES), CASES);
    int bad = 0;
    for (int c = 0; c < CASES; c++) {
        double m[2], v[2];
        for (int g = 0; g < 2; g++) enc_stat_mean_var(x[c][g], (size_t)meta[c][g], &m[g], &v[g]);
        enc_welch w;
        enc_stat_welch(meta[c][0], m[0], v[0], meta[c][1], m[1], v[1], 0.95, &w);
        double got[5] = {w.t, w.p_value, w.df, w.lo, w.hi};
        for (int k = 0; k < 5; k++) {
            /* t and df to 1e-9; the p-value to 1e-7 relative (tails of GSL and scipy's
             * cephes); the interval to 1e-7 relative (GSL's t quantile is refined to about
             * 1e-9, scipy's to machine precision) */
            double tol = (k >= 3 ? 1e-7 : 1e-9) * (fabs(ex[c][k]) > 1 ? fabs(ex[c][k]) : 1);
            if (k == 1) tol = 1e-10 + 1e-7 * ex[c][k];
            if (isnan(ex[c][k]) && (isnan(got[k]) || w.se == 0))
                continue; /* all zeros in both groups: scipy's 0/0; ours the point 0 (above) */
            if (!(fabs(got[k] - ex[c][k]) <= tol)) {
                if (bad < 5)
                    printf("#   case %d field %d: %.12g vs %.12g\n", c, k, got[k], ex[c][k]);
                bad++;
            }
        }
    }
    printf("# %d Welch comparisons against scipy.stats.ttest_ind(equal_var=False; True when one"
           " group has no variation)\n",
           CASES);
    CHECK_INT(bad, 0);
}

static void welch_degenerate(void)
{
    enc_welch w;
    enc_stat_welch(1, 5, NAN, 10, 3, 1, 0.95, &w);
    CHECK(isnan(w.p_value) && isnan(w.lo)); /* one value: no variance */
    enc_stat_welch(10, 0, 0, 10, 0, 0, 0.95, &w);
    CHECK(w.diff == 0 && isnan(w.p_value) && w.lo == 0 && w.hi == 0); /* all zeros */
    enc_stat_welch(10, 2, 0, 10, 1, 0, 0.95, &w);
    CHECK(w.diff == 1 && w.p_value == 0 && w.lo == 1);
    /* issue 11: 38 held out with no buyers against 400 treated with 12 buyers of 50.00. Welch
     * took the holdout's variance as 0 (se = s1 / sqrt(400) = 0.427, t = 3.5: "significant",
     * the interval excluding zero); the pooled variance gives se = 1.387 (t = 1.08, p = 0.28,
     * equal to scipy.stats.ttest_ind(equal_var=True) on these values), an interval with zero */
    double x[400], hm, hv, tm, tv;
    for (int i = 0; i < 400; i++) x[i] = i < 12 ? 50 : 0;
    enc_stat_mean_var(x, 400, &tm, &tv);
    double zero[38] = {0};
    enc_stat_mean_var(zero, 38, &hm, &hv);
    enc_stat_welch(400, tm, tv, 38, hm, hv, 0.95, &w);
    CHECK(w.pooled);
    CHECK_NEAR(w.se, sqrt(399 * tv / 436 * (1.0 / 400 + 1.0 / 38)), 1e-12);
    CHECK_NEAR(w.se, 1.387, 1e-3);
    CHECK_NEAR(w.df, 436, 0);
    CHECK(w.lo < 0 && w.hi > 0);
    CHECK(w.p_value > 0.2 && w.p_value < 0.35);
    /* the same groups with variation in both: Welch as before */
    zero[0] = 50;
    enc_stat_mean_var(zero, 38, &hm, &hv);
    enc_stat_welch(400, tm, tv, 38, hm, hv, 0.95, &w);
    CHECK(!w.pooled);
    double m, v;
    double one[1] = {4};
    enc_stat_mean_var(one, 1, &m, &v);
    CHECK(m == 4 && isnan(v));
    enc_stat_mean_var(one, 0, &m, &v);
    CHECK(isnan(m));
}

static void prop_degenerate(void)
{
    enc_prop_diff d;
    enc_stat_prop_diff(3, 10, 0, 0, 0.95, &d);
    CHECK(isnan(d.diff) && isnan(d.p_value) && d.p1 == 0.3);
    enc_stat_prop_diff(0, 1000, 0, 1000, 0.95, &d);
    CHECK(d.diff == 0 && d.p_value == 1 && d.fisher);
    CHECK_NEAR(enc_stat_ztest2(500, 1000, 500, 1000, NULL), 1, 1e-15);
    CHECK_NEAR(enc_stat_fisher(0, 0, 0, 0), 1, 0);
    double z;
    /* 60/100 vs 40/100: pooled p 0.5, se = sqrt(0.25 * 0.02) = 0.070711, z = 2.828427 */
    enc_stat_ztest2(60, 100, 40, 100, &z);
    CHECK_NEAR(z, 2.8284271247, 1e-9);
}

/* Holm (1979): p = 0.01, 0.04, 0.03, 0.005 -> sorted 0.005 x4 = 0.02, 0.01 x3 = 0.03,
 * 0.03 x2 = 0.06, 0.04 x1 = 0.04 -> 0.06 (monotone). */
static void holm(void)
{
    double p[5] = {0.01, 0.04, 0.03, 0.005, NAN}, adj[5];
    enc_stat_holm(p, 5, adj);
    CHECK_NEAR(adj[0], 0.03, 1e-15);
    CHECK_NEAR(adj[1], 0.06, 1e-15);
    CHECK_NEAR(adj[2], 0.06, 1e-15);
    CHECK_NEAR(adj[3], 0.02, 1e-15);
    CHECK(isnan(adj[4]));
    double q[2] = {0.6, 0.7};
    enc_stat_holm(q, 2, q); /* in place, capped at 1 */
    CHECK(q[0] == 1 && q[1] == 1);
    double one = 0.03;
    enc_stat_holm(&one, 1, &one);
    CHECK(one == 0.03);
}

int main(void)
{
    RUN(newcombe_published);
    RUN(wilson_published);
    RUN(prop_degenerate);
    RUN(proportions_vs_scipy);
    RUN(welch_vs_scipy);
    RUN(welch_degenerate);
    RUN(holm);
    return TEST_SUMMARY();
}
