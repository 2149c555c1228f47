/* test_rng.c — unit tests for src/base/rng: reference outputs of splitmix64 and xoshiro256**,
 * determinism and stream independence, and for every distribution the first moments over many
 * draws plus a Kolmogorov-Smirnov distance to GSL's CDF (an independent implementation). */
#include "harness.h"
#include "base/rng.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#define N_DRAWS 400000

static double xs[N_DRAWS];

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* KS distance between the sample xs[0..n) (sorted here) and a continuous CDF. */
static double ks_distance(size_t n, double (*cdf)(double, const double *), const double *par)
{
    qsort(xs, n, sizeof xs[0], cmp_double);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(xs[i], par);
        double lo = f - (double)i / (double)n, hi = (double)(i + 1) / (double)n - f;
        if (lo > d) d = lo;
        if (hi > d) d = hi;
    }
    return d;
}
/* KS critical value at significance 0.001: 1.95 / sqrt(n). Seeds are fixed, so a pass is
 * reproducible; a wrong parameterisation (rate for scale, a+1 for a) gives D of 0.05 and more. */
#define KS_CRIT(n) (1.95 / sqrt((double)(n)))

static void moments(size_t n, double *mean, double *var)
{
    double m = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = xs[i] - m;
        m += d / (double)(i + 1);
        s += d * (xs[i] - m);
    }
    *mean = m;
    *var = s / (double)(n - 1);
}

/* mean within 5 standard errors, variance within 5 standard errors of the sample variance
 * (needs the kurtosis: var(s^2) ~ sigma^4 (kurt - 1) / n) */
static void check_moments(const char *what, size_t n, double mu, double sigma2, double kurt)
{
    double m, v;
    moments(n, &m, &v);
    double se_m = sqrt(sigma2 / (double)n), se_v = sigma2 * sqrt((kurt - 1.0) / (double)n);
    CHECK_MSG(!(fabs(m - mu) > 5 * se_m), "%s: mean %.6g, expected %.6g (se %.3g)", what, m, mu,
              se_m);
    CHECK_MSG(!(fabs(v - sigma2) > 5 * se_v), "%s: variance %.6g, expected %.6g (se %.3g)", what, v,
              sigma2, se_v);
}

static void splitmix_reference(void)
{
    /* Vigna's splitmix64.c from seed 1234567 */
    uint64_t st = 1234567;
    const uint64_t want[] = {6457827717110365317ULL, 3203168211198807973ULL, 9817491932198370423ULL,
                             4593380528125082431ULL, 16408922859458223821ULL};
    for (int i = 0; i < 5; i++) CHECK(enc_splitmix64(&st) == want[i]);
}

static void xoshiro_reference(void)
{
    /* xoshiro256starstar.c from state {1, 2, 3, 4} */
    enc_rng r = {.s = {1, 2, 3, 4}};
    const uint64_t want[] = {11520ULL,
                             0ULL,
                             1509978240ULL,
                             1215971899390074240ULL,
                             1216172134540287360ULL,
                             607988272756665600ULL};
    for (int i = 0; i < 6; i++) CHECK(enc_rng_next(&r) == want[i]);
    /* the same after jump(), computed with an independent Python port of the reference */
    enc_rng j = {.s = {1, 2, 3, 4}};
    enc_rng_jump(&j);
    CHECK(enc_rng_next(&j) == 13534147089533256664ULL);
    CHECK(enc_rng_next(&j) == 7126240192422241655ULL);
    CHECK(enc_rng_next(&j) == 3805973808039778091ULL);
    /* seeding goes through splitmix64 */
    enc_rng s;
    enc_rng_seed(&s, 42);
    CHECK(enc_rng_next(&s) == 1546998764402558742ULL);
    CHECK(enc_rng_next(&s) == 6990951692964543102ULL);
    CHECK(enc_rng_next(&s) == 12544586762248559009ULL);
}

static void determinism_and_streams(void)
{
    enc_rng a, b, c, d, e;
    enc_rng_seed(&a, 7);
    enc_rng_seed(&b, 7);
    enc_rng_seed(&c, 8);
    int same_ab = 0, same_ac = 0;
    for (int i = 0; i < 1000; i++) {
        double x = enc_rng_gamma(&a, 0.7, 1.0), y = enc_rng_gamma(&b, 0.7, 1.0);
        same_ab += x == y;
        same_ac += enc_rng_next(&a) == enc_rng_next(&c);
        enc_rng_next(&b);
    }
    CHECK_INT(same_ab, 1000);
    CHECK_INT(same_ac, 0);
    enc_rng_seed_stream(&d, 7, 12345);
    enc_rng_seed_stream(&e, 7, 12345);
    CHECK(enc_rng_next(&d) == enc_rng_next(&e));
    /* neighbouring streams are uncorrelated: mean of the product of centred uniforms ~ 0 */
    double acc = 0;
    for (uint64_t s = 0; s < 200000; s++) {
        enc_rng_seed_stream(&d, 7, s);
        enc_rng_seed_stream(&e, 7, s + 1);
        acc += (enc_rng_uniform(&d) - 0.5) * (enc_rng_uniform(&e) - 0.5);
    }
    CHECK(fabs(acc / 200000) < 5 * (1.0 / 12) / sqrt(200000.0));
    CHECK(enc_rng_keyed_hash(1, "abc", 3) == enc_rng_keyed_hash(1, "abc", 3));
    CHECK(enc_rng_keyed_hash(1, "abc", 3) != enc_rng_keyed_hash(1, "abd", 3));
    CHECK(enc_rng_keyed_hash(1, "abc", 3) != enc_rng_keyed_hash(2, "abc", 3));
    /* assignment by key splits evenly: 2 arms over 100000 ids within 5 standard errors */
    long arm1 = 0;
    char key[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "C%07d", i);
        arm1 += enc_rng_keyed_hash(99, key, (size_t)n) & 1;
    }
    CHECK(fabs(arm1 - 50000.0) < 5 * sqrt(25000.0));
}

static double cdf_uniform(double x, const double *p) { return x < 0 ? 0 : x > 1 ? 1 : x; }
static double cdf_normal(double x, const double *p) { return gsl_cdf_gaussian_P(x - p[0], p[1]); }
static double cdf_exp(double x, const double *p) { return gsl_cdf_exponential_P(x, 1.0 / p[0]); }
static double cdf_gamma(double x, const double *p) { return gsl_cdf_gamma_P(x, p[0], p[1]); }
static double cdf_beta(double x, const double *p) { return gsl_cdf_beta_P(x, p[0], p[1]); }

static void uniform_draws(void)
{
    enc_rng r;
    enc_rng_seed(&r, 1);
    int bad = 0;
    for (size_t i = 0; i < N_DRAWS; i++) {
        xs[i] = enc_rng_uniform(&r);
        bad += !(xs[i] >= 0 && xs[i] < 1);
        double p = enc_rng_uniform_pos(&r);
        bad += !(p > 0 && p < 1);
    }
    CHECK_INT(bad, 0);
    check_moments("uniform", N_DRAWS, 0.5, 1.0 / 12, 1.8);
    double d = ks_distance(N_DRAWS, cdf_uniform, NULL);
    CHECK_MSG(!(d > KS_CRIT(N_DRAWS)), "uniform KS D = %g", d);
    for (size_t i = 0; i < N_DRAWS; i++) xs[i] = enc_rng_range(&r, -3, 5);
    check_moments("range", N_DRAWS, 1.0, 64.0 / 12, 1.8);
}

static void below_is_unbiased(void)
{
    enc_rng r;
    enc_rng_seed(&r, 2);
    long cnt[7] = {0};
    int bad = 0;
    for (int i = 0; i < 700000; i++) cnt[enc_rng_below(&r, 7)]++;
    double chi2 = 0;
    for (int k = 0; k < 7; k++) chi2 += (cnt[k] - 100000.0) * (cnt[k] - 100000.0) / 100000.0;
    CHECK(chi2 < gsl_cdf_chisq_Qinv(0.001, 6));
    for (int i = 0; i < 1000; i++) {
        bad += enc_rng_below(&r, 1) != 0;
        bad += enc_rng_below(&r, 3ULL << 62) >= (3ULL << 62);
    }
    CHECK_INT(bad, 0);
    /* n close to 2^64: the rejection branch is exercised; all values stay below n */
    uint64_t n = UINT64_MAX - 5;
    for (int i = 0; i < 1000; i++) bad += enc_rng_below(&r, n) >= n;
    CHECK_INT(bad, 0);
    long heads = 0;
    for (int i = 0; i < 100000; i++) heads += enc_rng_bernoulli(&r, 0.3);
    CHECK(fabs(heads / 100000.0 - 0.3) < 5 * sqrt(0.21 / 100000));
}

static void normal_draws(void)
{
    enc_rng r;
    enc_rng_seed(&r, 3);
    for (size_t i = 0; i < N_DRAWS; i++) xs[i] = enc_rng_normal(&r, 2.0, 3.0);
    check_moments("normal", N_DRAWS, 2.0, 9.0, 3.0);
    double par[2] = {2.0, 3.0};
    double d = ks_distance(N_DRAWS, cdf_normal, par);
    CHECK_MSG(!(d > KS_CRIT(N_DRAWS)), "normal KS D = %g", d);
}

static void exponential_draws(void)
{
    enc_rng r;
    enc_rng_seed(&r, 4);
    double rate = 0.25;
    for (size_t i = 0; i < N_DRAWS; i++) xs[i] = enc_rng_exponential(&r, rate);
    check_moments("exponential", N_DRAWS, 4.0, 16.0, 9.0);
    double d = ks_distance(N_DRAWS, cdf_exp, &rate);
    CHECK_MSG(!(d > KS_CRIT(N_DRAWS)), "exponential KS D = %g", d);
}

static void gamma_draws(void)
{
    const double shapes[] = {0.05, 0.3, 0.55, 1.0, 2.5, 9.0, 40.0};
    enc_rng r;
    enc_rng_seed(&r, 5);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        double k = shapes[s], theta = 2.0;
        int bad = 0;
        for (size_t i = 0; i < N_DRAWS; i++) {
            xs[i] = enc_rng_gamma(&r, k, theta);
            bad += !(xs[i] >= 0 && isfinite(xs[i]));
        }
        CHECK_INT(bad, 0);
        char what[64];
        snprintf(what, sizeof what, "gamma(%g, %g)", k, theta);
        check_moments(what, N_DRAWS, k * theta, k * theta * theta, 3.0 + 6.0 / k);
        double par[2] = {k, theta};
        double d = ks_distance(N_DRAWS, cdf_gamma, par);
        CHECK_MSG(!(d > KS_CRIT(N_DRAWS)), "%s KS D = %g", what, d);
    }
}

static void beta_draws(void)
{
    const double ab[][2] = {{0.9, 3.5}, {2, 2}, {0.5, 0.5}, {8, 1.5}, {0.2, 0.2}};
    enc_rng r;
    enc_rng_seed(&r, 6);
    for (size_t s = 0; s < sizeof ab / sizeof ab[0]; s++) {
        double a = ab[s][0], b = ab[s][1];
        int bad = 0;
        for (size_t i = 0; i < N_DRAWS; i++) {
            xs[i] = enc_rng_beta(&r, a, b);
            bad += !(xs[i] >= 0 && xs[i] <= 1);
        }
        CHECK_INT(bad, 0);
        char what[64];
        snprintf(what, sizeof what, "beta(%g, %g)", a, b);
        double m = a / (a + b), v = a * b / ((a + b) * (a + b) * (a + b + 1));
        double ex = 6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) /
                    (a * b * (a + b + 2) * (a + b + 3));
        check_moments(what, N_DRAWS, m, v, 3.0 + ex);
        double par[2] = {a, b};
        double d = ks_distance(N_DRAWS, cdf_beta, par);
        CHECK_MSG(!(d > KS_CRIT(N_DRAWS)), "%s KS D = %g", what, d);
    }
}

static void poisson_draws(void)
{
    /* both branches (multiplication below 10, PTRS from 10) and the switch point */
    const double means[] = {0.02, 0.5, 3.0, 9.99, 10.0, 25.0, 400.0, 12345.6};
    enc_rng r;
    enc_rng_seed(&r, 7);
    for (size_t s = 0; s < sizeof means / sizeof means[0]; s++) {
        double mu = means[s];
        for (size_t i = 0; i < N_DRAWS; i++) xs[i] = (double)enc_rng_poisson(&r, mu);
        char what[64];
        snprintf(what, sizeof what, "poisson(%g)", mu);
        check_moments(what, N_DRAWS, mu, mu, 3.0 + 1.0 / mu);
        /* discrete KS: the empirical CDF against GSL's at every integer in the bulk */
        qsort(xs, N_DRAWS, sizeof xs[0], cmp_double);
        double d = 0;
        size_t i = 0;
        unsigned lo = (unsigned)xs[0], hi = (unsigned)xs[N_DRAWS - 1];
        for (unsigned k = lo; k <= hi; k++) {
            while (i < N_DRAWS && xs[i] <= k) i++;
            double diff = fabs((double)i / N_DRAWS - gsl_cdf_poisson_P(k, mu));
            if (diff > d) d = diff;
        }
        CHECK_MSG(!(d > KS_CRIT(N_DRAWS)), "%s KS D = %g", what, d);
    }
    CHECK(enc_rng_poisson(&r, 0.0) == 0);
    CHECK(enc_rng_poisson(&r, -1.0) == 0);
}

static void geometric_draws(void)
{
    enc_rng r;
    enc_rng_seed(&r, 8);
    double p = 0.2;
    for (size_t i = 0; i < N_DRAWS; i++) xs[i] = (double)enc_rng_geometric(&r, p);
    /* failures before the first success: mean (1-p)/p, variance (1-p)/p^2, kurtosis 9 + p^2/(1-p)
     */
    check_moments("geometric", N_DRAWS, (1 - p) / p, (1 - p) / (p * p), 9 + p * p / (1 - p));
    CHECK(enc_rng_geometric(&r, 1.0) == 0);
}

static void categorical_and_alias(void)
{
    const double w[] = {5, 0, 1, 3, 0, 11};
    const size_t n = 6;
    double sum = 20;
    enc_rng r;
    enc_rng_seed(&r, 9);
    enc_alias t;
    enc_alias_init(&t, w, n);
    long c1[6] = {0}, c2[6] = {0};
    const long draws = 600000;
    for (long i = 0; i < draws; i++) {
        c1[enc_rng_categorical(&r, w, n)]++;
        c2[enc_alias_draw(&t, &r)]++;
    }
    CHECK_INT(c1[1] + c1[4], 0);
    CHECK_INT(c2[1] + c2[4], 0);
    double chi1 = 0, chi2 = 0;
    for (size_t k = 0; k < n; k++) {
        if (w[k] == 0) continue;
        double e = draws * w[k] / sum;
        chi1 += (c1[k] - e) * (c1[k] - e) / e;
        chi2 += (c2[k] - e) * (c2[k] - e) / e;
    }
    double crit = gsl_cdf_chisq_Qinv(0.001, 3);
    CHECK_MSG(!(chi1 > crit), "categorical chi2 %g > %g", chi1, crit);
    CHECK_MSG(!(chi2 > crit), "alias chi2 %g > %g", chi2, crit);
    enc_alias_free(&t);
}

static void dirichlet_and_shuffle(void)
{
    const double alpha[] = {0.3, 1.0, 2.0, 0.7};
    double out[4], mean[4] = {0};
    enc_rng r;
    enc_rng_seed(&r, 10);
    int bad = 0;
    const int draws = 200000;
    for (int i = 0; i < draws; i++) {
        enc_rng_dirichlet(&r, alpha, 4, out);
        double s = 0;
        for (int k = 0; k < 4; k++) {
            s += out[k];
            mean[k] += out[k] / draws;
        }
        bad += fabs(s - 1) > 1e-12;
    }
    CHECK_INT(bad, 0);
    for (int k = 0; k < 4; k++) {
        double m = alpha[k] / 4.0, v = m * (1 - m) / 5.0; /* sum alpha = 4 */
        CHECK(fabs(mean[k] - m) < 5 * sqrt(v / draws));
    }
    uint32_t a[100];
    for (uint32_t i = 0; i < 100; i++) a[i] = i;
    enc_rng_shuffle_u32(&r, a, 100);
    int seen[100] = {0}, moved = 0;
    for (uint32_t i = 0; i < 100; i++) {
        seen[a[i]]++;
        moved += a[i] != i;
    }
    for (int i = 0; i < 100; i++) bad += seen[i] != 1;
    CHECK_INT(bad, 0);
    CHECK(moved > 80);
}

int main(void)
{
    RUN(splitmix_reference);
    RUN(xoshiro_reference);
    RUN(determinism_and_streams);
    RUN(uniform_draws);
    RUN(below_is_unbiased);
    RUN(normal_draws);
    RUN(exponential_draws);
    RUN(gamma_draws);
    RUN(beta_draws);
    RUN(poisson_draws);
    RUN(geometric_draws);
    RUN(categorical_and_alias);
    RUN(dirichlet_and_shuffle);
    return TEST_SUMMARY();
}
