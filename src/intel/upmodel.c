/* upmodel.c — the two-model uplift estimator (see upmodel.h). */
#include "intel/upmodel.h"
#include "base/mem.h"
#include <stdlib.h>
#include <string.h>

/* Fits one group's logistic model on the rows where treated == want. */
static enc_rc fit_group(const double *X, const uint8_t *treated, const uint8_t *y, size_t n, int d,
                        const uint8_t *log1p, int want, enc_churn_model *m, size_t *ng,
                        enc_err *err)
{
    size_t k = 0, pos = 0;
    for (size_t i = 0; i < n; i++)
        if ((treated[i] != 0) == want) k++, pos += y[i] != 0;
    *ng = k;
    const char *name = want ? "treated" : "control";
    if (k < 20 || pos == 0 || pos == k)
        return enc_fail(err, ENC_EUSAGE,
                        "uplift: the %s group has %zu customers, %zu of them converted: a model"
                        " needs at least 20 and both outcomes",
                        name, k, pos);
    double *Xg = enc_xmalloc(k * (size_t)d * sizeof *Xg), *ws;
    uint8_t *yg = enc_xmalloc(k);
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        if ((treated[i] != 0) == want) {
            memcpy(Xg + r * (size_t)d, X + i * (size_t)d, (size_t)d * sizeof *X);
            yg[r++] = y[i] != 0;
        }
    enc_churn_opts o;
    enc_churn_opts_default(&o);
    o.log1p = log1p;
    ws = enc_xmalloc(enc_churn_ws_len(k, d) * sizeof *ws);
    enc_rc rc = enc_churn_fit(Xg, yg, k, d, &o, m, ws, err);
    free(ws);
    free(Xg);
    free(yg);
    return rc;
}

enc_rc enc_upmodel_fit(const double *X, const uint8_t *treated, const uint8_t *y, size_t n, int d,
                       const uint8_t *log1p, enc_upmodel *m, enc_err *err)
{
    memset(m, 0, sizeof *m);
    enc_rc rc = fit_group(X, treated, y, n, d, log1p, 1, &m->treated, &m->n_treated, err);
    if (!rc) rc = fit_group(X, treated, y, n, d, log1p, 0, &m->control, &m->n_control, err);
    return rc;
}

void enc_upmodel_predict(const enc_upmodel *m, const double *X, size_t n, double *tau)
{
    enum { BLOCK = 512 };
    double pc[BLOCK];
    for (size_t b = 0; b < n; b += BLOCK) {
        size_t e = b + BLOCK < n ? b + BLOCK : n;
        enc_churn_score(&m->treated, X + b * (size_t)m->treated.d, e - b, tau + b);
        enc_churn_score(&m->control, X + b * (size_t)m->control.d, e - b, pc);
        for (size_t i = b; i < e; i++) tau[i] -= pc[i - b];
    }
}
