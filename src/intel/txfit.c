/* txfit.c — the fitting procedure of the transaction models (see txfit.h). */
#include "intel/txfit.h"

#include <math.h>
#include <string.h>

enc_rc enc_txfit_check(const enc_txfit_model *m, const enc_clv_obs *d, int64_t *xmax, double *tw,
                       double *sx, double *sT, enc_err *err)
{
    *tw = 0;
    *xmax = enc_clv_obs_check(d, tw);
    if (*xmax < 0)
        return enc_fail(err, ENC_EUSAGE,
                        "%s: invalid data (need x >= 0, 0 <= t_x <= T, weights >= 0)", m->name);
    if (!(*tw > 0)) return enc_fail(err, ENC_EUSAGE, "%s: no customers to fit", m->name);
    *sx = *sT = 0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[i] : 1;
        *sx += w * d->x[i];
        *sT += w * d->T[i];
    }
    if (*sx == 0)
        return enc_fail(err, ENC_EFAIL,
                        "%s: nobody made a repeat purchase: the likelihood has no "
                        "maximum (purchase rate estimate 0), the model cannot be fitted",
                        m->name);
    if (*sT == 0)
        return enc_fail(err, ENC_EFAIL, "%s: every customer has T = 0: no time observed", m->name);
    return ENC_OK;
}

enc_rc enc_txfit_run(const enc_txfit_model *m, enc_optim_fn f, void *ctx, double th[4],
                     enc_optim_report *rep, int *found, enc_err *err)
{
    double starts[3 * 4];
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < 4; j++) starts[4 * k + j] = th[j] + m->spread[k][j];
    enc_optim_opts o = {.gtol = 1e-6, .newton = 1};
    *found = 0;
    enc_rc rc = enc_optim_minimize(4, th, f, ctx, &o, rep, err);
    if (rc) return rc;
    *found = 1;
    if (rep->status != ENC_OPTIM_CONVERGED) { /* the spread starts, kept when better */
        double th0[4];
        memcpy(th0, th, sizeof th0);
        o.n_starts = 3;
        o.starts = starts;
        enc_optim_report r2;
        if (enc_optim_minimize(4, th0, f, ctx, &o, &r2, NULL) == ENC_OK &&
            (r2.status == ENC_OPTIM_CONVERGED || r2.fmin < rep->fmin)) {
            memcpy(th, th0, sizeof th0);
            *rep = r2;
        }
    }
    for (int j = 0; j < 4; j++)
        if (fabs(th[j]) > 25)
            return enc_fail(err, ENC_EFAIL,
                            "%s: parameter %s ran to %g: the data do not identify the model",
                            m->name, m->params[j], exp(th[j]));
    if (rep->status != ENC_OPTIM_CONVERGED)
        return enc_fail(
            err, ENC_EFAIL, "%s: fit did not converge (%s after %d iterations, gradient norm %.3g)",
            m->name, enc_optim_status_name(rep->status), rep->iterations, rep->grad_norm);
    return ENC_OK;
}

enc_rc enc_txfit_start(const enc_txfit_model *m, const double *p4, double sT, double sx,
                       double th[4], enc_err *err)
{
    if (!p4) {
        th[0] = 0, th[1] = log(sT / sx), th[2] = 0, th[3] = 0;
        return ENC_OK;
    }
    for (int j = 0; j < 4; j++) {
        if (!(p4[j] > 0 && isfinite(p4[j])))
            return enc_fail(err, ENC_EUSAGE, "%s: starting parameters must be positive", m->name);
        th[j] = log(p4[j]);
    }
    return ENC_OK;
}

void enc_txfit_chain(const double th[4], const double gp[4], double scale, double g[4])
{
    for (int j = 0; j < 4; j++) g[j] = -scale * exp(th[j]) * gp[j];
}

typedef struct llctx {
    enc_txfit_ll ll;
    const enc_clv_obs *d;
    double scale; /* 1 / total weight: the minimiser sees the mean negative log-likelihood */
} llctx;

static double ll_objective(const double *th, double *g, void *vc)
{
    llctx *c = vc;
    double p[4], gp[4];
    for (int j = 0; j < 4; j++) {
        if (!(fabs(th[j]) < 700)) return NAN;
        p[j] = exp(th[j]);
    }
    double ll = c->ll(p, c->d, g ? gp : NULL);
    if (g) enc_txfit_chain(th, gp, c->scale, g);
    return -c->scale * ll;
}

enc_rc enc_txfit_fit(const enc_txfit_model *m, enc_txfit_ll ll, const enc_clv_obs *d,
                     const double *start4, double p4[4], double *ll_out, enc_optim_report *rep,
                     int *found, enc_err *err)
{
    int64_t xmax;
    double tw, sx, sT, th[4];
    *found = 0;
    enc_rc rc = enc_txfit_check(m, d, &xmax, &tw, &sx, &sT, err);
    if (!rc) rc = enc_txfit_start(m, start4, sT, sx, th, err);
    if (rc) return rc;
    llctx c = {ll, d, 1 / tw};
    rc = enc_txfit_run(m, ll_objective, &c, th, rep, found, err);
    if (*found) {
        for (int j = 0; j < 4; j++) p4[j] = exp(th[j]);
        *ll_out = ll(p4, d, NULL);
    }
    return rc;
}
