/* test_clv.c — the one-call CLV API (enc_clv_run) on CDNOW: the same parameters as the
 * separate fits, per-customer outputs equal to the single-customer functions, excluded
 * customers, argument errors and a model that cannot be fitted. */
#include "harness.h"
#include "intel/clv.h"
#include "unit/clv_cdnow.h"

static void cdnow_one_call(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    cdnow c;
    CHECK(cdnow_load(path, 0, &c) == 0);
    size_t n = c.n_cust + 1; /* one more customer index, with no transactions */
    enc_clv_out out = {
        .included = malloc(n),
        .x = malloc(n * sizeof(int32_t)),
        .tx = malloc(n * sizeof(double)),
        .T = malloc(n * sizeof(double)),
        .p_alive = malloc(n * sizeof(double)),
        .expected = malloc(n * sizeof(double)),
        .spend = malloc(n * sizeof(double)),
        .clv = malloc(n * sizeof(double)),
    };
    enc_clv_opts o = {.cal_end = cd_days(1997, 9, 30),
                      .unit_days = 7,
                      .horizon = 39,
                      .months = 12,
                      .discount = 0.01};
    enc_clv_result r;
    enc_err e = {0};
    CHECK_INT(enc_clv_run(c.n, c.cust, c.day, c.value, n, &o, &out, &r, &e), ENC_OK);
    CHECK_INT(r.n_included, 2357);
    CHECK_INT(r.n_repeaters, 946);
    CHECK_INT(r.repeat_cal, 2457);
    CHECK(r.n_groups < 2357);
    CHECK(fabs(r.bg.p.r - 0.243) < 0.0005 && fabs(r.bg.p.alpha - 4.414) < 0.0005);
    CHECK(fabs(r.bg.p.a - 0.793) < 0.0005 && fabs(r.bg.p.b - 2.426) < 0.0005);
    CHECK(fabs(r.bg.ll - -9582.4) < 0.05);
    CHECK(r.has_spend);
    CHECK(fabs(r.gg.p.p - 6.25) < 0.005 && fabs(r.gg.p.q - 3.74) < 0.005 &&
          fabs(r.gg.p.gamma - 15.44) < 0.005);
    double tot = 0, totclv = 0, maxd = 0;
    for (size_t i = 0; i < c.n_cust; i++) {
        CHECK(out.included[i] == 1);
        double pa = enc_bgnbd_p_alive(&r.bg.p, out.x[i], out.tx[i], out.T[i]);
        double ex = enc_bgnbd_expected(&r.bg.p, out.x[i], out.tx[i], out.T[i], 39);
        maxd = fmax(maxd, fabs(pa - out.p_alive[i]) + fabs(ex - out.expected[i]));
        tot += out.expected[i];
        totclv += out.clv[i];
        CHECK(isfinite(out.clv[i]) && out.clv[i] > 0 && out.spend[i] > 0);
    }
    CHECK(maxd < 1e-12);
    CHECK(tot > 1600 && tot < 1700);
    /* customer with sample_id 1: x = 2, spend from the repeat purchases only */
    CHECK_INT(out.x[0], 2);
    double cum[13];
    for (int k = 0; k <= 12; k++)
        cum[k] = enc_bgnbd_expected(&r.bg.p, out.x[0], out.tx[0], out.T[0], k * 30.0 / 7);
    CHECK_NEAR(out.clv[0], enc_gg_clv(cum, 12, out.spend[0], 0.01), 1e-12);
    /* the extra customer without transactions */
    CHECK(out.included[n - 1] == 0 && out.p_alive[n - 1] == 0 && out.clv[n - 1] == 0);
    printf(
        "# one call on CDNOW: %zu groups, holdout E = %.1f, 12-month CLV total %.0f (1%%/month)\n",
        r.n_groups, tot, totclv);
    /* without values: purchases only; asking for spend is a usage error */
    enc_clv_out o2 = {.p_alive = out.p_alive};
    CHECK_INT(enc_clv_run(c.n, c.cust, c.day, NULL, n, &o, &o2, &r, &e), ENC_OK);
    CHECK(!r.has_spend);
    CHECK_INT(enc_clv_run(c.n, c.cust, c.day, NULL, n, &o, &out, &r, &e), ENC_EUSAGE);
    /* a calibration end before anyone repeats: the fit's own error comes through */
    enc_clv_opts early = o;
    early.cal_end = cd_days(1997, 1, 1);
    CHECK_INT(enc_clv_run(c.n, c.cust, c.day, c.value, n, &early, &out, &r, &e), ENC_EFAIL);
    CHECK(strstr(e.msg, "nobody") != NULL);
    free(out.included), free(out.x), free(out.tx), free(out.T), free(out.p_alive);
    free(out.expected), free(out.spend), free(out.clv);
    cdnow_free(&c);
}

int main(void)
{
    RUN(cdnow_one_call);
    return TEST_SUMMARY();
}
