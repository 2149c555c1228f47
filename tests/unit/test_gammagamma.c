/* test_gammagamma.c — Gamma-Gamma against Fader, Hardie & Lee (2005, "RFM and CLV") on the
 * CDNOW sample: p = 6.25, q = 3.74, gamma = 15.44 on the 946 repeaters' mean repeat spend (and
 * not on the other spend convention), scipy oracle for ln f and E[M], gradient against central
 * differences, CLV discounting, degenerate data. */
#include "harness.h"
#include "intel/bgnbd.h"
#include "intel/gammagamma.h"
#include "unit/clv_cdnow.h"
#include "unit/clv_oracle.h"

static const enc_gg_params PUB = {6.25, 3.74, 15.44};

static double ll_of(const enc_gg_params *p, const enc_gg_obs *d, double *g)
{
    int64_t xmax = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->x[i] > xmax) xmax = d->x[i];
    double *work = malloc(enc_gg_work_len(xmax) * sizeof *work);
    double ll = enc_gg_loglik(p, d, xmax, g, work);
    free(work);
    return ll;
}

static void cdnow_fit_published(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    enc_gg_obs o = {s.n, s.x, s.spend, s.w};
    enc_gg_fit f;
    enc_err e = {0};
    CHECK_INT(enc_gg_fit_ml(&o, NULL, &f, &e), ENC_OK);
    CHECK_INT(f.n_used, 946);
    CHECK_INT(f.rep.status, ENC_OPTIM_CONVERGED);
    CHECK(fabs(f.p.p - 6.25) < 0.005);
    CHECK(fabs(f.p.q - 3.74) < 0.005);
    CHECK(fabs(f.p.gamma - 15.44) < 0.005);
    printf("# Gamma-Gamma CDNOW (mean of repeat purchases): p=%.4f q=%.4f gamma=%.4f LL=%.4f (%d "
           "iterations)\n",
           f.p.p, f.p.q, f.p.gamma, f.ll, f.rep.iterations);
    /* the other convention (first purchase included, x+1 purchases) does not give them */
    enc_clv_period pe = cdnow_period();
    pe.spend = ENC_CLV_SPEND_ALL;
    cdnow c;
    CHECK(cdnow_load(path, 0, &c) == 0);
    enc_clv_summary s2;
    CHECK_INT(enc_clv_summarize(c.n, c.cust, c.day, c.value, c.n_cust, &pe, &s2, &e), ENC_OK);
    int32_t *n1 = malloc(s2.n * sizeof *n1);
    double *w1 = malloc(s2.n * sizeof *w1);
    for (size_t i = 0; i < s2.n; i++) n1[i] = s2.x[i] + 1, w1[i] = s2.x[i] > 0;
    enc_gg_obs o2 = {s2.n, n1, s2.spend, w1};
    enc_gg_fit f2;
    CHECK_INT(enc_gg_fit_ml(&o2, NULL, &f2, &e), ENC_OK);
    printf("# Gamma-Gamma CDNOW (mean of all purchases): p=%.4f q=%.4f gamma=%.4f\n", f2.p.p,
           f2.p.q, f2.p.gamma);
    CHECK(fabs(f2.p.p - 6.25) > 0.5);
    free(n1), free(w1);
    cdnow_free(&c);
    enc_clv_summary_free(&s2);
    enc_clv_summary_free(&s);
}

static void oracle_cdnow(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    char in[512];
    snprintf(in, sizeof in, "%s/gg_rows", th_tmpdir());
    FILE *f = fopen(in, "w");
    for (size_t i = 0; i < s.n; i++) fprintf(f, "%d %.17g\n", s.x[i], s.spend[i]);
    fclose(f);
    const double par[3] = {PUB.p, PUB.q, PUB.gamma};
    double *o = malloc(2 * s.n * sizeof *o);
    int n = oracle_run("gg", in, par, 3, -1, o, (int)(2 * s.n));
    if (n >= 0) {
        CHECK_INT(n, 2 * s.n);
        double sum = 0, md = 0, me = 0;
        for (size_t i = 0; i < s.n && n == (int)(2 * s.n); i++) {
            sum += o[2 * i];
            if (s.x[i] > 0) {
                enc_gg_obs one = {1, s.x + i, s.spend + i, NULL};
                md = fmax(md, fabs(ll_of(&PUB, &one, NULL) - o[2 * i]) / fabs(o[2 * i]));
            }
            me = fmax(me, fabs(enc_gg_expected_spend(&PUB, s.x[i], s.spend[i]) - o[2 * i + 1]) /
                              o[2 * i + 1]);
        }
        enc_gg_obs all = {s.n, s.x, s.spend, NULL};
        CHECK_NEAR(ll_of(&PUB, &all, NULL), sum, 1e-12);
        CHECK(md < 1e-12);
        CHECK(me < 1e-13);
        printf("# scipy oracle: max rel diff ln f %.1e, E[M] %.1e\n", md, me);
    }
    free(o);
    enc_clv_summary_free(&s);
}

static void gradient_fd(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 0, &s) == 0);
    enc_gg_obs o = {s.n, s.x, s.spend, s.w};
    const enc_gg_params pts[] = {PUB, {1, 1, 1}, {0.5, 10, 200}, {20, 1.5, 3}};
    for (size_t k = 0; k < sizeof pts / sizeof *pts; k++) {
        double g[3];
        ll_of(&pts[k], &o, g);
        for (int j = 0; j < 3; j++) {
            enc_gg_params a = pts[k], b = pts[k];
            double *pa = &a.p + j, *pb = &b.p + j, h = 1e-5 * *pa;
            *pa += h, *pb -= h;
            double fd = (ll_of(&a, &o, NULL) - ll_of(&b, &o, NULL)) / (2 * h);
            if (!(fabs(fd - g[j]) <= 1e-5 * fmax(1, fabs(g[j]))))
                TH_FAIL("point %zu, parameter %d: analytic %.10g vs central difference %.10g", k, j,
                        g[j], fd);
        }
    }
    enc_clv_summary_free(&s);
}

static void expected_spend_and_clv(void)
{
    /* x = 0: the population mean; large x: the customer's own mean; in between, a weighted mean */
    double pop = PUB.p * PUB.gamma / (PUB.q - 1);
    CHECK_NEAR(enc_gg_expected_spend(&PUB, 0, 0), pop, 1e-14);
    double e1 = enc_gg_expected_spend(&PUB, 1, 100), e10 = enc_gg_expected_spend(&PUB, 10, 100);
    CHECK(e1 > pop && e1 < 100 && e10 > e1 && e10 < 100);
    CHECK(fabs(enc_gg_expected_spend(&PUB, 100000, 100) - 100) < 0.01);
    enc_gg_params heavy = {1, 0.5, 10};
    CHECK(isinf(enc_gg_expected_spend(&heavy, 0, 0)));
    CHECK(isnan(enc_gg_expected_spend(&PUB, 2, -5)));
    /* CLV: constant purchases per month, known geometric sum */
    double cum[13];
    for (int k = 0; k <= 12; k++) cum[k] = 0.5 * k;
    double d = 0.01, want = 0;
    for (int k = 1; k <= 12; k++) want += 0.5 * 40 / pow(1 + d, k);
    CHECK_NEAR(enc_gg_clv(cum, 12, 40, d), want, 1e-12);
    CHECK_NEAR(enc_gg_clv(cum, 12, 40, 0), 0.5 * 12 * 40, 1e-12);
    CHECK(isnan(enc_gg_clv(cum, 12, 40, -1)));
    /* lifetimes-style CLV of a CDNOW customer from BG/NBD expectations at 30-day months */
    const enc_bgnbd_params bg = {0.243, 4.414, 0.793, 2.426};
    for (int k = 0; k <= 12; k++) cum[k] = enc_bgnbd_expected(&bg, 2, 30.43, 38.86, k * 30.0 / 7);
    double clv = enc_gg_clv(cum, 12, enc_gg_expected_spend(&PUB, 2, 22.35), 0.01);
    double undiscounted = cum[12] * enc_gg_expected_spend(&PUB, 2, 22.35);
    CHECK(clv > 0.9 * undiscounted && clv < undiscounted);
}

static void degenerate_data(void)
{
    enc_gg_fit f;
    enc_err e = {0};
    int32_t x[4] = {0, 0, 0, 0};
    double m[4] = {10, 20, 30, 40};
    enc_gg_obs nobody = {4, x, m, NULL};
    CHECK_INT(enc_gg_fit_ml(&nobody, NULL, &f, &e), ENC_EUSAGE); /* nobody repeats */
    int32_t x1[4] = {3, 0, 0, 0};
    enc_gg_obs one = {4, x1, m, NULL};
    CHECK_INT(enc_gg_fit_ml(&one, NULL, &f, &e), ENC_EUSAGE);
    CHECK(strstr(e.msg, "at least 2") != NULL);
    int32_t x2[4] = {1, 2, 3, 4};
    double same[4] = {25, 25, 25, 25};
    enc_gg_obs flat = {4, x2, same, NULL};
    CHECK_INT(enc_gg_fit_ml(&flat, NULL, &f, &e), ENC_EFAIL);
    CHECK(strstr(e.msg, "no spread") != NULL);
    double neg[4] = {25, -3, 25, 40};
    enc_gg_obs bad = {4, x2, neg, NULL};
    CHECK_INT(enc_gg_fit_ml(&bad, NULL, &f, &e), ENC_EUSAGE);
    /* everybody repeats, a small spread: an error or finite values */
    double m2[4] = {20, 22, 25, 21};
    enc_gg_obs all = {4, x2, m2, NULL};
    enc_rc rc = enc_gg_fit_ml(&all, NULL, &f, &e);
    CHECK(rc == ENC_OK || (rc == ENC_EFAIL && e.msg[0]));
    CHECK(isfinite(f.p.p) && isfinite(f.p.q) && isfinite(f.p.gamma));
    printf("# four repeaters: rc %d (%s)\n", rc, rc ? e.msg : "ok");
}

int main(void)
{
    RUN(cdnow_fit_published);
    RUN(oracle_cdnow);
    RUN(gradient_fd);
    RUN(expected_spend_and_clv);
    RUN(degenerate_data);
    return TEST_SUMMARY();
}
