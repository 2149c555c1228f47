/* test_bgnbd.c — BG/NBD against Fader, Hardie & Lee (2005) on the CDNOW sample (summary counts,
 * parameters, log-likelihood), against a scipy implementation (per-customer ln L, P(alive),
 * E[Y(t)], E[X(t)]), analytic gradient against central differences, consistency of the three
 * 2F1 routes, degenerate data, and parameter recovery from data drawn from the process. */
#include "harness.h"
#include "intel/bgnbd.h"
#include "unit/clv_cdnow.h"
#include "unit/clv_oracle.h"

#include <gsl/gsl_rng.h>

static const enc_bgnbd_params PUB = {0.243, 4.414, 0.793, 2.426}; /* FHL 2005, CDNOW sample */

static double ll_of(const enc_bgnbd_params *p, const enc_clv_obs *d, double *g)
{
    int64_t xmax = enc_clv_obs_check(d, NULL);
    double *work = malloc(enc_bgnbd_work_len(xmax) * sizeof *work);
    double ll = enc_bgnbd_loglik(p, d, xmax, g, work);
    free(work);
    return ll;
}

static void cdnow_summary_counts(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    CHECK_INT(s.n, 2357);
    CHECK_INT(s.n_included, 2357);
    CHECK_INT(s.n_repeaters, 946);
    CHECK_INT(s.repeat_cal, 2457);
    CHECK_INT(s.repeat_holdout, 1882);
    CHECK_NEAR(s.holdout_len, 39, 1e-12);
    /* sample_id 1 (master 4): first bought 1997-01-01, so T = 272 days */
    CHECK_NEAR(s.T[0], 272.0 / 7, 1e-12);
    enc_clv_summary_free(&s);
}

static void cdnow_fit_published(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    enc_clv_obs o = enc_clv_summary_obs(&s);
    enc_bgnbd_fit f;
    enc_err e = {0};
    CHECK_INT(enc_bgnbd_fit_ml(&o, NULL, &f, &e), ENC_OK);
    CHECK_INT(f.rep.status, ENC_OPTIM_CONVERGED);
    /* published to 3 decimals: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4 */
    CHECK(fabs(f.p.r - 0.243) < 0.0005);
    CHECK(fabs(f.p.alpha - 4.414) < 0.0005);
    CHECK(fabs(f.p.a - 0.793) < 0.0005);
    CHECK(fabs(f.p.b - 2.426) < 0.0005);
    CHECK(fabs(f.ll - -9582.4) < 0.05);
    /* the same optimum from grouped rows, from another start, and with a worse start point */
    enc_clv_groups g;
    enc_clv_group(&o, &g);
    CHECK(g.obs.n < o.n);
    enc_bgnbd_fit f2;
    enc_bgnbd_params st = {3, 30, 0.2, 8};
    CHECK_INT(enc_bgnbd_fit_ml(&g.obs, &st, &f2, &e), ENC_OK);
    CHECK_NEAR(f2.p.r, f.p.r, 1e-4);
    CHECK_NEAR(f2.p.alpha, f.p.alpha, 1e-4);
    CHECK_NEAR(f2.p.a, f.p.a, 1e-3);
    CHECK_NEAR(f2.p.b, f.p.b, 1e-3);
    CHECK_NEAR(f2.ll, f.ll, 1e-9);
    /* summed over groups = summed over customers, value and gradient */
    double g1[4], g2[4];
    double l1 = ll_of(&PUB, &o, g1), l2 = ll_of(&PUB, &g.obs, g2);
    CHECK_NEAR(l1, l2, 1e-12);
    for (int j = 0; j < 4; j++) CHECK_NEAR(g1[j], g2[j], 1e-10);
    /* holdout: sum of E[Y(39) | x, t_x, T] vs the 1,882 repeat purchases that happened */
    double pred = 0;
    for (size_t i = 0; i < s.n; i++) pred += enc_bgnbd_expected(&f.p, s.x[i], s.tx[i], s.T[i], 39);
    printf("# BG/NBD CDNOW: r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.4f (%d iterations); "
           "holdout predicted %.1f, actual %lld\n",
           f.p.r, f.p.alpha, f.p.a, f.p.b, f.ll, f.rep.iterations, pred,
           (long long)s.repeat_holdout);
    CHECK(pred > 1600 && pred < 1700); /* 1,653.4: see docs/models.md */
    enc_clv_groups_free(&g);
    enc_clv_summary_free(&s);
}

/* Writes rows to a file for the oracle. */
static const char *write_rows(const char *name, size_t n, const int32_t *x, const double *tx,
                              const double *T)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", th_tmpdir(), name);
    FILE *f = fopen(p, "w");
    for (size_t i = 0; i < n; i++) fprintf(f, "%d %.17g %.17g\n", x[i], tx[i], T[i]);
    fclose(f);
    return p;
}

static void oracle_cdnow(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    const char *in = write_rows("bg_rows", s.n, s.x, s.tx, s.T);
    const double par[4] = {PUB.r, PUB.alpha, PUB.a, PUB.b};
    size_t cap = 3 * s.n + 1;
    double *o = malloc(cap * sizeof *o);
    int n = oracle_run("bgnbd", in, par, 4, 39, o, (int)cap);
    if (n >= 0) {
        CHECK_INT(n, cap);
        double sum_ll = 0, md_ll = 0, md_pa = 0, md_e = 0;
        for (size_t i = 0; i < s.n && n == (int)cap; i++) {
            enc_clv_obs one = {1, s.x + i, s.tx + i, s.T + i, NULL};
            double ll = ll_of(&PUB, &one, NULL);
            double pa = enc_bgnbd_p_alive(&PUB, s.x[i], s.tx[i], s.T[i]);
            double e = enc_bgnbd_expected(&PUB, s.x[i], s.tx[i], s.T[i], 39);
            sum_ll += o[3 * i];
            md_ll = fmax(md_ll, fabs(ll - o[3 * i]) / fabs(o[3 * i]));
            md_pa = fmax(md_pa, fabs(pa - o[3 * i + 1]));
            md_e = fmax(md_e, fabs(e - o[3 * i + 2]) / fmax(1e-300, o[3 * i + 2]));
        }
        enc_clv_obs all = enc_clv_summary_obs(&s);
        CHECK_NEAR(ll_of(&PUB, &all, NULL), sum_ll, 1e-12);
        CHECK(md_ll < 1e-12);
        CHECK(md_pa < 1e-12);
        CHECK(md_e < 1e-10);
        CHECK_NEAR(enc_bgnbd_expected_new(&PUB, 39), o[cap - 1], 1e-10);
        printf("# scipy oracle, 2,357 customers: max rel diff ln L %.1e, P(alive) %.1e, E[Y(39)] "
               "%.1e\n",
               md_ll, md_pa, md_e);
    }
    free(o);
    enc_clv_summary_free(&s);
}

/* E[Y(t)] over a grid that crosses every route (series w <= 0.9, GSL 2F1, quadrature), against
 * scipy's hyp2f1 where that is reliable (moderate x). */
static void oracle_expected_grid(void)
{
    const enc_bgnbd_params ps[] = {
        {0.243, 4.414, 0.793, 2.426}, {2, 1, 3, 5}, {0.5, 30, 1.7, 0.6}, {1, 0.2, 0.4, 4}};
    enum { NX = 4, NT = 6 };
    const int32_t xs[NX] = {0, 1, 5, 20};
    const double ts[NT] = {0.5, 5, 20, 39, 200, 2000};
    char in[512];
    snprintf(in, sizeof in, "%s/bg_grid", th_tmpdir());
    for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
        FILE *f = fopen(in, "w");
        for (int i = 0; i < NX; i++)
            for (int j = 0; j < NT; j++)
                fprintf(f, "%d %d 30 %.17g\n", xs[i], xs[i] ? 20 : 0, ts[j]);
        fclose(f);
        const double par[4] = {ps[k].r, ps[k].alpha, ps[k].a, ps[k].b};
        double o[3 * NX * NT + 1];
        int n = oracle_run("bgnbd", in, par, 4, 39, o, 3 * NX * NT + 1);
        if (n < 0) return;
        CHECK_INT(n, 3 * NX * NT + 1);
        for (int i = 0; i < NX; i++)
            for (int j = 0; j < NT; j++) {
                double e = enc_bgnbd_expected(&ps[k], xs[i], xs[i] ? 20 : 0, 30, ts[j]);
                double oe = o[3 * (i * NT + j) + 2];
                if (!(fabs(e - oe) <= 1e-8 * oe))
                    TH_FAIL("params %zu x=%d t=%g: %.15g vs scipy %.15g", k, xs[i], ts[j], e, oe);
            }
        CHECK_NEAR(enc_bgnbd_expected_new(&ps[k], 39), o[3 * NX * NT], 1e-8);
    }
}

/* The routes agree where they meet: on both sides of w = 0.9 (series | GSL or quadrature),
 * at a = 1 (quadrature) against a = 1 +- 1e-7 (the others), and for large x where GSL's 2F1
 * overflows and the quadrature takes over. */
static void expected_routes_continuous(void)
{
    const enc_bgnbd_params ps[] = {{0.243, 4.414, 0.793, 2.426}, {2, 1, 3, 5}, {0.5, 3, 0.3, 0.6}};
    const int32_t xs[] = {0, 1, 7, 60, 400};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < 5; i++) {
            double T = 30, tx = xs[i] ? 25 : 0;
            double t = 0.9 * (ps[k].alpha + T);
            double e1 = enc_bgnbd_expected(&ps[k], xs[i], tx, T, t);
            double e2 = enc_bgnbd_expected(&ps[k], xs[i], tx, T, t * (1 + 1e-12));
            if (!(isfinite(e1) && fabs(e1 - e2) <= 1e-8 * e1))
                TH_FAIL("params %zu x=%d: %.15g | %.15g across w = 0.9", k, xs[i], e1, e2);
            double far = enc_bgnbd_expected(&ps[k], xs[i], tx, T, 50 * (ps[k].alpha + T));
            CHECK(isfinite(far) && far > e1);
        }
    for (size_t i = 0; i < 5; i++) {
        enc_bgnbd_params p1 = {0.7, 3, 1, 2}, lo = p1, hi = p1;
        lo.a = 1 - 1e-7, hi.a = 1 + 1e-7;
        const double ts[] = {1, 40, 400};
        for (int j = 0; j < 3; j++) {
            double e = enc_bgnbd_expected(&p1, xs[i], xs[i] ? 25 : 0, 30, ts[j]);
            double el = enc_bgnbd_expected(&lo, xs[i], xs[i] ? 25 : 0, 30, ts[j]);
            double eh = enc_bgnbd_expected(&hi, xs[i], xs[i] ? 25 : 0, 30, ts[j]);
            if (!(isfinite(e) && fabs(e - 0.5 * (el + eh)) <= 1e-6 * e))
                TH_FAIL("a = 1, x=%d t=%g: %.12g vs neighbours %.12g %.12g", xs[i], ts[j], e, el,
                        eh);
        }
    }
    /* monotone in t, 0 at t = 0, bounded by the expected purchases of an immortal customer */
    double prev = 0;
    CHECK(enc_bgnbd_expected(&PUB, 3, 20, 30, 0) == 0);
    for (double t = 1; t < 5000; t *= 1.7) {
        double e = enc_bgnbd_expected(&PUB, 3, 20, 30, t);
        CHECK(e > prev);
        CHECK(e <= (PUB.r + 3) / (PUB.alpha + 30) * t * (1 + 1e-12));
        prev = e;
    }
    CHECK(isnan(enc_bgnbd_expected(&PUB, 3, 31, 30, 1))); /* tx > T */
    CHECK(isnan(enc_bgnbd_expected(&PUB, 3, 20, 30, -1)));
}

static void p_alive_properties(void)
{
    CHECK(enc_bgnbd_p_alive(&PUB, 0, 0, 30) == 1);
    double prev = 1;
    for (double T = 10; T < 200; T += 10) { /* the longer the silence, the less likely alive */
        double pa = enc_bgnbd_p_alive(&PUB, 4, 10, T);
        CHECK(pa < prev && pa > 0);
        prev = pa;
    }
    CHECK(enc_bgnbd_p_alive(&PUB, 200, 1, 1e6) >= 0); /* overflowing ratio gives 0, not NaN */
    CHECK(enc_bgnbd_p_alive(&PUB, 3, 30, 30) > enc_bgnbd_p_alive(&PUB, 3, 5, 30));
}

/* Analytic gradient vs central differences, at points around and far from the optimum. */
static void gradient_fd(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    enc_clv_obs o = enc_clv_summary_obs(&s);
    const enc_bgnbd_params pts[] = {
        PUB, {1, 1, 1, 1}, {0.1, 20, 3, 0.5}, {5, 0.5, 0.2, 10}, {0.05, 100, 50, 80}};
    for (size_t k = 0; k < sizeof pts / sizeof *pts; k++) {
        double g[4];
        ll_of(&pts[k], &o, g);
        for (int j = 0; j < 4; j++) {
            enc_bgnbd_params a = pts[k], b = pts[k];
            double *pa = &a.r + j, *pb = &b.r + j, h = 1e-5 * *pa;
            *pa += h, *pb -= h;
            double fd = (ll_of(&a, &o, NULL) - ll_of(&b, &o, NULL)) / (2 * h);
            if (!(fabs(fd - g[j]) <= 1e-5 * fmax(1, fabs(g[j]))))
                TH_FAIL("point %zu, parameter %d: analytic %.10g vs central difference %.10g", k, j,
                        g[j], fd);
        }
    }
    enc_clv_summary_free(&s);
}

static void degenerate_data(void)
{
    enc_bgnbd_fit f;
    enc_err e = {0};
    /* no customers, invalid rows */
    enc_clv_obs none = {0};
    CHECK_INT(enc_bgnbd_fit_ml(&none, NULL, &f, &e), ENC_EUSAGE);
    int32_t x1[] = {2};
    double tx1[] = {40}, T1[] = {30};
    enc_clv_obs bad = {1, x1, tx1, T1, NULL};
    CHECK_INT(enc_bgnbd_fit_ml(&bad, NULL, &f, &e), ENC_EUSAGE);
    CHECK(strstr(e.msg, "invalid") != NULL);
    /* one customer: a clear error or finite values, never NaN */
    double tx2[] = {10};
    enc_clv_obs one = {1, x1, tx2, T1, NULL};
    enc_rc rc = enc_bgnbd_fit_ml(&one, NULL, &f, &e);
    CHECK(rc == ENC_OK || (rc == ENC_EFAIL && e.msg[0]));
    CHECK(isfinite(f.p.r) && isfinite(f.p.alpha) && isfinite(f.p.a) && isfinite(f.p.b) &&
          isfinite(f.ll));
    printf("# one customer: rc %d (%s)\n", rc, rc ? e.msg : "ok");
    /* nobody repeats */
    int32_t x0[50];
    double t0[50], T0[50];
    for (int i = 0; i < 50; i++) x0[i] = 0, t0[i] = 0, T0[i] = 10 + i;
    enc_clv_obs nobody = {50, x0, t0, T0, NULL};
    CHECK_INT(enc_bgnbd_fit_ml(&nobody, NULL, &f, &e), ENC_EFAIL);
    CHECK(strstr(e.msg, "nobody") != NULL);
    /* everybody repeats, nobody looks dead (last purchase at T): an error or finite values */
    int32_t xa[200];
    double ta[200], Ta[200];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < 200; i++) {
        Ta[i] = 20 + 20 * gsl_rng_uniform(rng);
        xa[i] = 1 + (int)(10 * gsl_rng_uniform(rng));
        ta[i] = Ta[i] * (0.5 + 0.5 * gsl_rng_uniform(rng));
    }
    enc_clv_obs all = {200, xa, ta, Ta, NULL};
    rc = enc_bgnbd_fit_ml(&all, NULL, &f, &e);
    CHECK(rc == ENC_OK || (rc == ENC_EFAIL && e.msg[0]));
    CHECK(isfinite(f.p.r) && isfinite(f.p.alpha) && isfinite(f.p.a) && isfinite(f.p.b) &&
          isfinite(f.ll));
    printf("# everybody repeats: rc %d (%s) r=%g alpha=%g a=%g b=%g\n", rc, rc ? e.msg : "ok",
           f.p.r, f.p.alpha, f.p.a, f.p.b);
    /* everybody T = 0 */
    double z[3] = {0, 0, 0};
    int32_t xz[3] = {0, 0, 0};
    enc_clv_obs zero = {3, xz, z, z, NULL};
    CHECK_INT(enc_bgnbd_fit_ml(&zero, NULL, &f, &e), ENC_EFAIL);
    /* bad parameters are NaN, reported, not silently used */
    enc_bgnbd_params neg = {-1, 1, 1, 1};
    double work[16];
    CHECK(isnan(enc_bgnbd_loglik(&neg, &all, 0, NULL, work)));
    double out[1];
    CHECK_INT(enc_bgnbd_predict(&neg, &one, 10, out, out, &e), ENC_EUSAGE);
    gsl_rng_free(rng);
}

/* Draws customers from the BG/NBD process itself and fits them back. */
static void parameter_recovery(void)
{
    const enc_bgnbd_params truth = {0.6, 4.0, 0.8, 2.5};
    enum { N = 100000 };
    int32_t *x = malloc(N * sizeof *x);
    double *tx = malloc(N * sizeof *tx), *T = malloc(N * sizeof *T), times[64];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 20050101);
    for (int i = 0; i < N; i++) {
        T[i] = 27 + 12 * gsl_rng_uniform(rng); /* a 12-week cohort observed to week 39 */
        size_t k = enc_bgnbd_draw(&truth, rng, T[i], times, 64);
        x[i] = (int32_t)k;
        tx[i] = k ? times[(k < 64 ? k : 64) - 1] : 0;
        if (k > 64) tx[i] = T[i]; /* never happens at these rates; keeps the row valid */
    }
    enc_clv_obs o = {N, x, tx, T, NULL};
    enc_bgnbd_fit f;
    enc_err e = {0};
    CHECK_INT(enc_bgnbd_fit_ml(&o, NULL, &f, &e), ENC_OK);
    printf("# recovery from %d draws: r=%.4f alpha=%.4f a=%.4f b=%.4f (truth 0.6 4.0 0.8 2.5)\n", N,
           f.p.r, f.p.alpha, f.p.a, f.p.b);
    CHECK(fabs(f.p.r / truth.r - 1) < 0.03);
    CHECK(fabs(f.p.alpha / truth.alpha - 1) < 0.03);
    CHECK(fabs(f.p.a / truth.a - 1) < 0.08);
    CHECK(fabs(f.p.b / truth.b - 1) < 0.08);
    /* the truth is less likely than the fit, by less than a few units per parameter */
    double lt = ll_of(&truth, &o, NULL);
    CHECK(lt < f.ll && f.ll - lt < 20);
    gsl_rng_free(rng);
    free(x), free(tx), free(T);
}

int main(void)
{
    RUN(cdnow_summary_counts);
    RUN(cdnow_fit_published);
    RUN(oracle_cdnow);
    RUN(oracle_expected_grid);
    RUN(expected_routes_continuous);
    RUN(p_alive_properties);
    RUN(gradient_fd);
    RUN(degenerate_data);
    RUN(parameter_recovery);
    return TEST_SUMMARY();
}
