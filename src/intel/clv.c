/* clv.c — the one-call CLV pipeline (see clv.h): summary, grouping, BG/NBD and Gamma-Gamma
 * fits, per-group predictions scattered to customers. Predictions depend on (x, t_x, T) only,
 * so they are computed once per distinct triple, as the likelihood is. */
#include "intel/clv.h"

#include "base/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enc_rc enc_clv_run(size_t n_tx, const int32_t *cust, const int32_t *day, const double *value,
                   size_t n_cust, const enc_clv_opts *opts, enc_clv_out *out, enc_clv_result *res,
                   enc_err *err)
{
    memset(res, 0, sizeof *res);
    enc_clv_opts o = *opts;
    if (!(o.unit_days > 0)) o.unit_days = 7;
    if (!(o.horizon > 0)) o.horizon = 364 / o.unit_days;
    if (o.months <= 0) o.months = 12;
    if (!(o.month_days > 0)) o.month_days = 30;
    if (!(o.discount > -1) || !isfinite(o.discount) || !isfinite(o.horizon) ||
        !isfinite(o.unit_days) || !isfinite(o.month_days) || o.months > 1200)
        return enc_fail(err, ENC_EUSAGE,
                        "clv: invalid options (discount > -1, finite horizon, months <= 1200)");
    if (!value && (out->spend || out->clv))
        return enc_fail(err, ENC_EUSAGE, "clv: spend and CLV need transaction values");

    enc_clv_period pe = {.cal_end = o.cal_end,
                         .holdout_end = o.cal_end,
                         .unit_days = o.unit_days,
                         .spend = ENC_CLV_SPEND_REPEAT};
    enc_clv_summary s;
    enc_clv_groups g = {0};
    double *gpa = NULL, *gex = NULL, *gdisc = NULL, *cum = NULL;
    enc_rc rc = enc_clv_summarize(n_tx, cust, day, value, n_cust, &pe, &s, err);
    if (rc) goto done;
    res->n_included = s.n_included;
    res->n_repeaters = s.n_repeaters;
    res->repeat_cal = s.repeat_cal;

    enc_clv_obs obs = enc_clv_summary_obs(&s);
    enc_clv_group(&obs, &g);
    res->n_groups = g.obs.n;
    if ((rc = enc_bgnbd_fit_ml(&g.obs, NULL, &res->bg, err))) goto done;

    if (value) {
        /* repeaters with a positive mean repeat spend; the rest are predicted, not fitted */
        double *gw = enc_xmalloc((s.n ? s.n : 1) * sizeof *gw);
        for (size_t i = 0; i < s.n; i++) gw[i] = s.w[i] != 0 && s.x[i] > 0 && s.spend[i] > 0;
        enc_gg_obs go = {s.n, s.x, s.spend, gw};
        rc = enc_gg_fit_ml(&go, NULL, &res->gg, err);
        free(gw);
        if (rc) goto done;
        res->has_spend = 1;
        if (!(res->gg.p.q > 1) && (out->spend || out->clv)) {
            rc = enc_fail(err, ENC_EFAIL,
                          "clv: gamma-gamma q = %g <= 1: mean spend of a customer "
                          "without repeat purchases is unbounded",
                          res->gg.p.q);
            goto done;
        }
    }

    /* predictions per group */
    size_t ng = g.obs.n ? g.obs.n : 1;
    gpa = enc_xmalloc(ng * sizeof *gpa);
    gex = enc_xmalloc(ng * sizeof *gex);
    if ((rc = enc_bgnbd_predict(&res->bg.p, &g.obs, o.horizon, gpa, gex, err))) goto done;
    if (out->clv) {
        gdisc = enc_xmalloc(ng * sizeof *gdisc);
        cum = enc_xmalloc((size_t)(o.months + 1) * sizeof *cum);
        double step = o.month_days / o.unit_days;
        cum[0] = 0;
        for (size_t k = 0; k < g.obs.n; k++) {
            for (int mth = 1; mth <= o.months; mth++) {
                cum[mth] = enc_bgnbd_expected(&res->bg.p, g.x[k], g.tx[k], g.T[k], mth * step);
                if (!isfinite(cum[mth])) {
                    rc = enc_fail(err, ENC_EFAIL,
                                  "clv: expected purchases not finite (x=%d, T=%g, month %d)",
                                  g.x[k], g.T[k], mth);
                    goto done;
                }
            }
            gdisc[k] = enc_gg_clv(cum, o.months, 1, o.discount); /* discounted purchases */
        }
    }
    for (size_t i = 0; i < n_cust; i++) {
        size_t k = g.of[i];
        int in = k != SIZE_MAX;
        if (out->included) out->included[i] = (uint8_t)in;
        if (out->x) out->x[i] = s.x[i];
        if (out->tx) out->tx[i] = s.tx[i];
        if (out->T) out->T[i] = s.T[i];
        if (out->p_alive) out->p_alive[i] = in ? gpa[k] : 0;
        if (out->expected) out->expected[i] = in ? gex[k] : 0;
        double sp = 0;
        if (in && (out->spend || out->clv))
            sp = enc_gg_expected_spend(&res->gg.p, s.x[i], s.spend[i] > 0 ? s.spend[i] : 0);
        if (out->spend) out->spend[i] = sp;
        if (out->clv) out->clv[i] = in ? sp * gdisc[k] : 0;
    }
done:
    free(gpa);
    free(gex);
    free(gdisc);
    free(cum);
    enc_clv_groups_free(&g);
    enc_clv_summary_free(&s);
    return rc;
}
