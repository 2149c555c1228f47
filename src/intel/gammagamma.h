/* gammagamma.h — the Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005,
 * "RFM and CLV: using iso-value curves for customer base analysis", J. Marketing Research 42(4);
 * Fader & Hardie's note "The Gamma-Gamma model of monetary value", 2013): ML fit of (p, q, gamma)
 * on customers with x > 0, conditional expected mean spend, and discounted CLV over a horizon
 * from any transaction model's cumulative expectations. Used by clv.c in the intel stage. */
#ifndef ENCORE_INTEL_GAMMAGAMMA_H
#define ENCORE_INTEL_GAMMAGAMMA_H
#include "base/err.h"
#include "intel/optim.h"
#include <stddef.h>
#include <stdint.h>

typedef struct enc_gg_params {
    double p;        /* shape of the per-transaction spend: z ~ Gamma(p, nu) */
    double q, gamma; /* nu ~ Gamma(shape q, rate gamma) across customers */
} enc_gg_params;

/* Rows with x > 0 and w != 0 enter the likelihood: m = mean spend over x transactions. */
typedef struct enc_gg_obs {
    size_t n;
    const int32_t *x;
    const double *m;
    const double *w; /* NULL = every weight 1 */
} enc_gg_obs;

size_t enc_gg_work_len(int64_t xmax);

/* sum_i w_i ln f(m_i | p, q, gamma; x_i) over rows with x > 0, where
 *   f(m | x) = G(px+q) / (G(px) G(q)) gamma^q m^(px-1) x^(px) / (gamma + x m)^(px+q),
 * and (grad != NULL) its gradient d/d(p, q, gamma). Needs m > 0 on those rows (else NaN) and
 * work of enc_gg_work_len(xmax) doubles (xmax = largest x); allocates nothing. */
double enc_gg_loglik(const enc_gg_params *p, const enc_gg_obs *d, int64_t xmax, double grad[3],
                     double *work);

typedef struct enc_gg_fit {
    enc_gg_params p;
    double ll;
    size_t n_used; /* rows with x > 0 (weighted count) */
    enc_optim_report rep;
} enc_gg_fit;

/* ML fit from start (NULL: p = 1, q = 2, gamma = mean spend, then spread starts if that one
 * does not converge). Fails (ENC_EUSAGE) on negative x, non-positive or non-finite mean spend of a
 * row with x > 0, or fewer than 2 such rows; (ENC_EFAIL) when the fit does not converge or runs to
 * a boundary (e.g. every customer spends exactly the same: q -> infinity). */
enc_rc enc_gg_fit_ml(const enc_gg_obs *d, const enc_gg_params *start, enc_gg_fit *out,
                     enc_err *err);

/* E[M | p, q, gamma, m, x] = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * m
 *                          = p (gamma + x m) / (px + q - 1)
 * (FHL 2005 "RFM and CLV"; the note above); for x = 0 the population mean p gamma/(q-1). INFINITY
 * when px + q <= 1 (the mean does not exist), NaN for invalid arguments (m < 0 with x > 0). */
double enc_gg_expected_spend(const enc_gg_params *p, int32_t x, double m);

/* CLV over `months` months with monthly discount rate d, given cum[k] = expected purchases in
 * (T, T + k months] for k = 0..months (cum[0] = 0), and expected spend per purchase:
 *   CLV = spend * sum_{k=1..months} (cum[k] - cum[k-1]) / (1+d)^k,
 * lifetimes' customer_lifetime_value discretisation (purchases of month k discounted at the
 * month's end). */
double enc_gg_clv(const double *cum, int months, double spend, double d);
#endif
