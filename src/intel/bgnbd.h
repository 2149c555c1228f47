/* bgnbd.h — the BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your
 * customers the easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2)):
 * log-likelihood with its analytic gradient, maximum-likelihood fit of (r, alpha, a, b),
 * P(alive), conditional and unconditional expected purchases, and a simulator of the process.
 * Reads enc_clv_obs (clvdata.h); used by clv.c and by the intel stage's scoring.
 * Time is in whatever unit the data are in (days or weeks): alpha scales with it. */
#ifndef ENCORE_INTEL_BGNBD_H
#define ENCORE_INTEL_BGNBD_H
#include "base/err.h"
#include "intel/clvdata.h"
#include "intel/optim.h"
#include <gsl/gsl_rng.h>

typedef struct enc_bgnbd_params {
    double r, alpha; /* purchase rate lambda ~ Gamma(shape r, rate alpha) */
    double a, b;     /* drop-out probability after each purchase p ~ Beta(a, b) */
} enc_bgnbd_params;

/* Doubles of workspace enc_bgnbd_loglik needs for data whose largest x is xmax. */
size_t enc_bgnbd_work_len(int64_t xmax);

/* Log-likelihood sum_i w_i ln L_i at p; when grad != NULL also its gradient
 * d/d(r, alpha, a, b). d must pass enc_clv_obs_check with largest x <= xmax, and work hold
 * enc_bgnbd_work_len(xmax) doubles. Allocates nothing. Returns NaN when a parameter is not
 * positive and finite. */
double enc_bgnbd_loglik(const enc_bgnbd_params *p, const enc_clv_obs *d, int64_t xmax,
                        double grad[4], double *work);

typedef struct enc_bgnbd_fit {
    enc_bgnbd_params p;
    double ll;            /* log-likelihood at p */
    enc_optim_report rep; /* of the minimiser (over log-parameters, mean -ll per customer) */
} enc_bgnbd_fit;

/* Maximum-likelihood fit. start may be NULL (starts from the data's scale and a few spread
 * points). Fails (ENC_EUSAGE) on invalid data or no customers, and (ENC_EFAIL, with a reason) when
 * the optimiser does not converge or the data cannot identify the model — e.g. nobody repeats,
 * where the likelihood has no interior maximum. On failure *out still holds the best point. */
enc_rc enc_bgnbd_fit_ml(const enc_clv_obs *d, const enc_bgnbd_params *start, enc_bgnbd_fit *out,
                        enc_err *err);

/* P(alive at T | x, tx, T) (FHL 2005; Fader, Hardie & Lee's note "Computing P(alive)
 * using the BG/NBD model"): 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+tx))^(r+x)). */
double enc_bgnbd_p_alive(const enc_bgnbd_params *p, int32_t x, double tx, double T);

/* E[Y(t) | x, tx, T]: expected purchases in (T, T+t] (FHL 2005). Finite for every
 * positive p (a = 1 included) and t >= 0; NaN for invalid arguments. See bgnbd.c for the 2F1. */
double enc_bgnbd_expected(const enc_bgnbd_params *p, int32_t x, double tx, double T, double t);

/* E[X(t)]: expected purchases of a new customer in (0, t] (FHL 2005). */
double enc_bgnbd_expected_new(const enc_bgnbd_params *p, double t);

/* Per customer of d (rows with weight 0 get 0): p_alive and expected purchases in the next t;
 * either output may be NULL. Fails on invalid parameters or data. */
enc_rc enc_bgnbd_predict(const enc_bgnbd_params *p, const enc_clv_obs *d, double t, double *p_alive,
                         double *expected, enc_err *err);

/* Draws one customer from the BG/NBD process, observed for (0, horizon] after a first purchase
 * at time 0: lambda ~ Gamma(r, alpha), p ~ Beta(a, b); purchases are Poisson(lambda) while
 * alive; after each repeat purchase the customer drops out with probability p. Writes the
 * repeat purchase times (ascending) into times[0..cap) and returns how many there were (which
 * may exceed cap; the rest are not written). */
size_t enc_bgnbd_draw(const enc_bgnbd_params *p, gsl_rng *rng, double horizon, double *times,
                      size_t cap);
#endif
