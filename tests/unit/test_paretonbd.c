/* test_paretonbd.c — Pareto/NBD against the published CDNOW fit (Fader & Hardie's note;
 * Fader, Hardie & Lee 2005: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL -9595.0),
 * against scipy (2F1 route checked by quadrature inside the oracle), analytic gradient against
 * central differences on both sides of alpha = beta, and degenerate data. */
#include "harness.h"
#include "intel/paretonbd.h"
#include "unit/clv_cdnow.h"
#include "unit/clv_oracle.h"

static const enc_pnbd_params PUB = {0.553, 10.578, 0.606, 11.669};

static double ll_of(const enc_pnbd_params *p, const enc_clv_obs *d, double *g)
{
    int64_t xmax = enc_clv_obs_check(d, NULL);
    double *work = malloc(enc_pnbd_work_len(xmax) * sizeof *work);
    double ll = enc_pnbd_loglik(p, d, xmax, g, work);
    free(work);
    return ll;
}

static void cdnow_fit_published(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    enc_clv_obs o = enc_clv_summary_obs(&s);
    enc_clv_groups g;
    enc_clv_group(&o, &g);
    enc_pnbd_fit f;
    enc_err e = {0};
    CHECK_INT(enc_pnbd_fit_ml(&g.obs, NULL, &f, &e), ENC_OK);
    CHECK_INT(f.rep.status, ENC_OPTIM_CONVERGED);
    CHECK(fabs(f.p.r - 0.553) < 0.0005);
    CHECK(fabs(f.p.alpha - 10.578) < 0.0005);
    CHECK(fabs(f.p.s - 0.606) < 0.0005);
    CHECK(fabs(f.p.beta - 11.669) < 0.0005);
    CHECK(fabs(f.ll - -9595.0) < 0.05);
    CHECK_NEAR(ll_of(&f.p, &o, NULL), f.ll, 1e-12); /* grouped = ungrouped */
    double pred = 0;
    for (size_t i = 0; i < s.n; i++) pred += enc_pnbd_expected(&f.p, s.x[i], s.tx[i], s.T[i], 39);
    printf("# Pareto/NBD CDNOW: r=%.4f alpha=%.4f s=%.4f beta=%.4f LL=%.4f (%d iterations); "
           "holdout predicted %.1f, actual %lld\n",
           f.p.r, f.p.alpha, f.p.s, f.p.beta, f.ll, f.rep.iterations, pred,
           (long long)s.repeat_holdout);
    CHECK(pred > 1600 && pred < 1720);
    enc_clv_groups_free(&g);
    enc_clv_summary_free(&s);
}

/* per-customer ln L, P(alive), E[Y(39)] against scipy at the published parameters and at
 * parameters with alpha > beta (the other 2F1 form) */
static void oracle_cdnow(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    enc_clv_obs all = enc_clv_summary_obs(&s);
    enc_clv_groups g;
    enc_clv_group(&all, &g); /* the oracle integrates numerically: distinct rows only */
    char in[512];
    snprintf(in, sizeof in, "%s/pnbd_rows", th_tmpdir());
    FILE *f = fopen(in, "w");
    for (size_t i = 0; i < g.obs.n; i++) fprintf(f, "%d %.17g %.17g\n", g.x[i], g.tx[i], g.T[i]);
    fclose(f);
    /* published; alpha > beta; and beta ~ 60 alpha, where z > 0.95 for most rows (GSL's 2F1) */
    const enc_pnbd_params ps[] = {PUB, {0.8, 25, 1.4, 3}, {0.5, 0.5, 0.8, 30}};
    for (int k = 0; k < 3; k++) {
        const double par[4] = {ps[k].r, ps[k].alpha, ps[k].s, ps[k].beta};
        size_t cap = 3 * g.obs.n;
        double *o = malloc(cap * sizeof *o);
        int n = oracle_run("pnbd", in, par, 4, 39, o, (int)cap);
        if (n < 0) {
            free(o);
            break;
        }
        CHECK_INT(n, cap);
        double md_ll = 0, md_pa = 0, md_e = 0, sum = 0;
        for (size_t i = 0; i < g.obs.n && n == (int)cap; i++) {
            enc_clv_obs one = {1, g.x + i, g.tx + i, g.T + i, NULL};
            md_ll = fmax(md_ll, fabs(ll_of(&ps[k], &one, NULL) - o[3 * i]) / fabs(o[3 * i]));
            md_pa =
                fmax(md_pa, fabs(enc_pnbd_p_alive(&ps[k], g.x[i], g.tx[i], g.T[i]) - o[3 * i + 1]));
            md_e = fmax(
                md_e, fabs(enc_pnbd_expected(&ps[k], g.x[i], g.tx[i], g.T[i], 39) - o[3 * i + 2]) /
                          o[3 * i + 2]);
            sum += g.w[i] * o[3 * i];
        }
        printf(
            "# scipy oracle (params %d, %zu distinct rows): max rel diff ln L %.1e, P(alive) %.1e, "
            "E[Y(39)] %.1e; total LL %.4f\n",
            k, g.obs.n, md_ll, md_pa, md_e, sum);
        CHECK(md_ll < 1e-9);
        CHECK(md_pa < 1e-9);
        CHECK(md_e < 1e-9);
        CHECK_NEAR(ll_of(&ps[k], &all, NULL), sum, 1e-10);
        free(o);
    }
    enc_clv_groups_free(&g);
    enc_clv_summary_free(&s);
}

static void gradient_fd(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    enc_clv_obs o = enc_clv_summary_obs(&s);
    /* the last point has z > 0.95 on most rows: GSL's 2F1 and per-row numerical gradients */
    const enc_pnbd_params pts[] = {
        PUB, {1, 1, 1, 1}, {0.3, 30, 2, 5}, {2, 3, 0.3, 40}, {0.7, 8, 1, 8}, {0.5, 0.5, 0.8, 30}};
    for (size_t k = 0; k < sizeof pts / sizeof *pts; k++) {
        double g[4];
        ll_of(&pts[k], &o, g);
        for (int j = 0; j < 4; j++) {
            enc_pnbd_params a = pts[k], b = pts[k];
            double *pa = &a.r + j, *pb = &b.r + j, h = 1e-5 * *pa;
            *pa += h, *pb -= h;
            double fd = (ll_of(&a, &o, NULL) - ll_of(&b, &o, NULL)) / (2 * h);
            if (!(fabs(fd - g[j]) <= 1e-5 * fmax(1, fabs(g[j]))))
                TH_FAIL("point %zu, parameter %d: analytic %.10g vs central difference %.10g", k, j,
                        g[j], fd);
        }
    }
    /* continuity across alpha = beta, where the 2F1 form switches */
    enc_pnbd_params eq = {0.7, 8, 1, 8}, lo = eq, hi = eq;
    lo.beta = 8 * (1 - 1e-9), hi.beta = 8 * (1 + 1e-9);
    CHECK_NEAR(ll_of(&lo, &o, NULL), ll_of(&eq, &o, NULL), 1e-9);
    CHECK_NEAR(ll_of(&hi, &o, NULL), ll_of(&eq, &o, NULL), 1e-9);
    enc_clv_summary_free(&s);
}

static void predictions(void)
{
    CHECK_NEAR(enc_pnbd_p_alive(&PUB, 0, 0, 0), 1, 1e-15);
    CHECK(enc_pnbd_p_alive(&PUB, 4, 10, 60) < enc_pnbd_p_alive(&PUB, 4, 10, 30));
    CHECK(enc_pnbd_p_alive(&PUB, 4, 30, 30) > enc_pnbd_p_alive(&PUB, 4, 10, 30));
    /* s = 1 by its limit: continuous */
    enc_pnbd_params one = {0.5, 10, 1, 12}, lo = one, hi = one;
    lo.s = 1 - 1e-6, hi.s = 1 + 1e-6;
    double e = enc_pnbd_expected(&one, 3, 20, 30, 39);
    CHECK(isfinite(e) && e > 0);
    CHECK_NEAR(
        e, 0.5 * (enc_pnbd_expected(&lo, 3, 20, 30, 39) + enc_pnbd_expected(&hi, 3, 20, 30, 39)),
        1e-9);
    /* far from alpha = beta (z near 1): still finite */
    enc_pnbd_params far = {0.5, 1000, 0.8, 0.01};
    double pa = enc_pnbd_p_alive(&far, 2, 1, 30);
    CHECK(isfinite(pa) && pa > 0 && pa < 1);
    CHECK(isnan(enc_pnbd_p_alive(&PUB, 2, 31, 30)));
    CHECK(isnan(enc_pnbd_expected(&PUB, 2, 3, 30, -1)));
}

static void degenerate_data(void)
{
    enc_pnbd_fit f;
    enc_err e = {0};
    enc_clv_obs none = {0};
    CHECK_INT(enc_pnbd_fit_ml(&none, NULL, &f, &e), ENC_EUSAGE);
    int32_t x0[20];
    double t0[20], T0[20];
    for (int i = 0; i < 20; i++) x0[i] = 0, t0[i] = 0, T0[i] = 5 + i;
    enc_clv_obs nobody = {20, x0, t0, T0, NULL};
    CHECK_INT(enc_pnbd_fit_ml(&nobody, NULL, &f, &e), ENC_EFAIL);
    CHECK(strstr(e.msg, "nobody") != NULL);
    int32_t x1[] = {3};
    double tx1[] = {12}, T1[] = {30};
    enc_clv_obs one = {1, x1, tx1, T1, NULL};
    enc_rc rc = enc_pnbd_fit_ml(&one, NULL, &f, &e);
    CHECK(rc == ENC_OK || (rc == ENC_EFAIL && e.msg[0]));
    CHECK(isfinite(f.p.r) && isfinite(f.p.alpha) && isfinite(f.p.s) && isfinite(f.p.beta) &&
          isfinite(f.ll));
    printf("# one customer: rc %d (%s) r=%g alpha=%g s=%g beta=%g\n", rc, rc ? e.msg : "ok", f.p.r,
           f.p.alpha, f.p.s, f.p.beta);
    /* everybody repeats and buys at the very end: nobody seems to leave */
    int32_t xa[30];
    double ta[30], Ta[30];
    for (int i = 0; i < 30; i++) xa[i] = 1 + i % 7, Ta[i] = 20 + i % 13, ta[i] = Ta[i];
    enc_clv_obs all = {30, xa, ta, Ta, NULL};
    rc = enc_pnbd_fit_ml(&all, NULL, &f, &e);
    CHECK(rc == ENC_OK || (rc == ENC_EFAIL && e.msg[0]));
    CHECK(isfinite(f.p.r) && isfinite(f.p.alpha) && isfinite(f.p.s) && isfinite(f.p.beta) &&
          isfinite(f.ll));
    printf("# everybody repeats: rc %d (%s) r=%g alpha=%g s=%g beta=%g\n", rc, rc ? e.msg : "ok",
           f.p.r, f.p.alpha, f.p.s, f.p.beta);
}

int main(void)
{
    RUN(cdnow_fit_published);
    RUN(oracle_cdnow);
    RUN(gradient_fd);
    RUN(predictions);
    RUN(degenerate_data);
    return TEST_SUMMARY();
}
