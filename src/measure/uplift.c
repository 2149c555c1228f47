/* uplift.c — intervals and tests for treated-versus-control comparisons (see uplift.h).
 * Normal and Student's t quantiles and tails come from GSL (gsl_cdf_*); log-factorials from
 * lgamma. The tests compare these functions with scipy.stats (tests/unit/test_measure_stats.c). */
#include "measure/uplift.h"

#include "base/mem.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the normal quantile z_{1-(1-level)/2}: 1.959964 for 0.95 */
static double z_of(double level) { return gsl_cdf_ugaussian_Qinv((1.0 - level) / 2.0); }

void enc_stat_wilson(int64_t x, int64_t n, double level, double *lo, double *hi)
{
    if (n <= 0 || x < 0 || x > n) {
        *lo = *hi = NAN;
        return;
    }
    /* center (x + z^2/2) / (n + z^2), half-width z / (n + z^2) sqrt(x (n - x) / n + z^2 / 4)
     * (Wilson 1927; Newcombe 1998, method 3) */
    double z = z_of(level), z2 = z * z, dn = (double)n, dx = (double)x;
    double c = (dx + z2 / 2) / (dn + z2);
    double h = z / (dn + z2) * sqrt(dx * (dn - dx) / dn + z2 / 4);
    *lo = x == 0 ? 0 : c - h; /* exact at the ends: no rounding below 0 or above 1 */
    *hi = x == n ? 1 : c + h;
}

double enc_stat_ztest2(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double *z)
{
    if (z) *z = NAN;
    if (n1 <= 0 || n2 <= 0) return NAN;
    /* pooled p = (x1 + x2) / (n1 + n2); z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2));
     * two-sided p-value 2 Q(|z|) */
    double p = (double)(x1 + x2) / (double)(n1 + n2);
    double se = sqrt(p * (1 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
    double d = (double)x1 / (double)n1 - (double)x2 / (double)n2;
    if (!(se > 0)) {
        if (z) *z = 0;
        return 1;
    }
    double zz = d / se;
    if (z) *z = zz;
    return 2 * gsl_cdf_ugaussian_Q(fabs(zz));
}

/* ln C(n, k) */
static double lchoose(double n, double k)
{
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

double enc_stat_fisher(int64_t a, int64_t b, int64_t c, int64_t d)
{
    if (a < 0 || b < 0 || c < 0 || d < 0) return NAN;
    /* margins: row r = a + b, column k = a + c, total m; a ~ Hypergeometric(m, r, k):
     * P(a = i) = C(r, i) C(m - r, k - i) / C(m, k) for i in [max(0, k - (m - r)), min(r, k)] */
    double r = (double)(a + b), k = (double)(a + c), m = (double)(a + b + c + d);
    if (r == 0 || k == 0 || r == m || k == m) return 1;
    double lo = k - (m - r) > 0 ? k - (m - r) : 0, hi = r < k ? r : k;
    double base = lchoose(m, k);
    double lobs = lchoose(r, (double)a) + lchoose(m - r, k - (double)a) - base;
    double limit = lobs + log1p(1e-7); /* scipy's relative tolerance for ties */
    double p = 0;
    for (double i = lo; i <= hi; i++) {
        double l = lchoose(r, i) + lchoose(m - r, k - i) - base;
        if (l <= limit) p += exp(l);
    }
    return p > 1 ? 1 : p;
}

void enc_stat_prop_diff(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double level,
                        enc_prop_diff *out)
{
    memset(out, 0, sizeof *out);
    if (n1 <= 0 || n2 <= 0) {
        out->p1 = n1 > 0 ? (double)x1 / (double)n1 : NAN;
        out->p2 = n2 > 0 ? (double)x2 / (double)n2 : NAN;
        out->diff = out->lo = out->hi = out->p_value = NAN;
        return;
    }
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    double l1, u1, l2, u2;
    enc_stat_wilson(x1, n1, level, &l1, &u1);
    enc_stat_wilson(x2, n2, level, &l2, &u2);
    /* Newcombe (1998), "Interval estimation for the difference between independent
     * proportions: comparison of eleven methods", Statistics in Medicine 17:873-890, method 10:
     * d - sqrt((p1 - l1)^2 + (u2 - p2)^2) .. d + sqrt((u1 - p1)^2 + (p2 - l2)^2) */
    out->p1 = p1;
    out->p2 = p2;
    out->diff = p1 - p2;
    out->lo = out->diff - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    out->hi = out->diff + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
    /* expected cells under independence: row total x column total / grand total; below 5 in
     * any cell the normal approximation is poor (Cochran 1954) and the exact test is used */
    double N = (double)(n1 + n2), s = (double)(x1 + x2), f = N - s;
    double e[4] = {n1 * s / N, n1 * f / N, n2 * s / N, n2 * f / N};
    bool small = false;
    for (int i = 0; i < 4; i++)
        if (e[i] < 5) small = true;
    out->fisher = small;
    out->p_value =
        small ? enc_stat_fisher(x1, n1 - x1, x2, n2 - x2) : enc_stat_ztest2(x1, n1, x2, n2, NULL);
}

void enc_stat_mean_var(const double *x, size_t n, double *mean, double *var)
{
    if (n == 0) {
        *mean = *var = NAN;
        return;
    }
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    double m = s / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    *mean = m;
    *var = n > 1 ? ss / (double)(n - 1) : NAN;
}

void enc_stat_welch(double n1, double m1, double v1, double n2, double m2, double v2, double level,
                    enc_welch *out)
{
    out->diff = m1 - m2;
    out->se = out->df = out->t = out->lo = out->hi = out->p_value = NAN;
    out->pooled = false;
    if (!(n1 >= 2 && n2 >= 2) || !isfinite(v1) || !isfinite(v2)) return;
    double a = v1 / n1, b = v2 / n2;
    out->se = sqrt(a + b);
    if (!(out->se > 0)) {
        out->lo = out->hi = out->diff;
        out->p_value = out->diff != 0 ? 0 : NAN;
        return;
    }
    if (v1 == 0 || v2 == 0) {
        /* one group without variation: the pooled variance (Student), see uplift.h */
        double sp2 = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2);
        out->pooled = true;
        out->se = sqrt(sp2 * (1 / n1 + 1 / n2));
        out->df = n1 + n2 - 2;
    } else {
        /* Welch-Satterthwaite: df = (a + b)^2 / (a^2 / (n1 - 1) + b^2 / (n2 - 1)) */
        out->df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1));
    }
    out->t = out->diff / out->se;
    out->p_value = 2 * gsl_cdf_tdist_Q(fabs(out->t), out->df);
    double q = gsl_cdf_tdist_Qinv((1.0 - level) / 2.0, out->df);
    out->lo = out->diff - q * out->se;
    out->hi = out->diff + q * out->se;
}

typedef struct pv {
    double p;
    int i;
} pv;

static int pv_cmp(const void *a, const void *b)
{
    const pv *x = a, *y = b;
    return x->p < y->p ? -1 : x->p > y->p ? 1 : x->i - y->i;
}

void enc_stat_holm(const double *p, int n, double *adj)
{
    pv *v = enc_xmalloc(((size_t)n + 1) * sizeof *v);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(p[i])) v[m].p = p[i], v[m].i = i, m++;
    for (int i = 0; i < n; i++)
        if (isnan(p[i])) adj[i] = NAN;
    qsort(v, (size_t)m, sizeof *v, pv_cmp);
    double run = 0;
    for (int j = 0; j < m; j++) {
        double a = (double)(m - j) * v[j].p;
        if (a > 1) a = 1;
        if (a > run) run = a;
        adj[v[j].i] = run;
    }
    free(v);
}
