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
