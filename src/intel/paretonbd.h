/* paretonbd.h — the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987, "Counting your
 * customers: who are they and what will they do next?"), with the likelihood as derived in
 * Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and related expressions":
 * log-likelihood with analytic gradient, ML fit of (r, alpha, s, beta), P(alive), conditional
 * expected purchases. Reads enc_clv_obs (clvdata.h); the alternative to bgnbd in the intel stage.
 */
#ifndef ENCORE_INTEL_PARETONBD_H
#define ENCORE_INTEL_PARETONBD_H
#include "base/err.h"
#include "intel/clvdata.h"
#include "intel/optim.h"

typedef struct enc_pnbd_params {
    double r, alpha; /* purchase rate lambda ~ Gamma(shape r, rate alpha) */
    double s, beta;  /* drop-out rate mu ~ Gamma(shape s, rate beta) */
} enc_pnbd_params;

/* Doubles of workspace enc_pnbd_loglik needs for data whose largest x is xmax. */
size_t enc_pnbd_work_len(int64_t xmax);

/* sum_i w_i ln L_i at p; when grad != NULL also d/d(r, alpha, s, beta). d must pass
 * enc_clv_obs_check with largest x <= xmax; work holds enc_pnbd_work_len(xmax) doubles.
 * Allocates nothing. NaN for non-positive parameters or when a 2F1 term cannot be computed
 * (see paretonbd.c for the series, its bound of ENC_PNBD_MAX_TERMS terms, and GSL beyond). */
enum { ENC_PNBD_MAX_TERMS = 20000 };
double enc_pnbd_loglik(const enc_pnbd_params *p, const enc_clv_obs *d, int64_t xmax, double grad[4],
                       double *work);

typedef struct enc_pnbd_fit {
    enc_pnbd_params p;
    double ll;
    enc_optim_report rep;
} enc_pnbd_fit;

/* ML fit; start may be NULL. Errors as enc_bgnbd_fit_ml. */
enc_rc enc_pnbd_fit_ml(const enc_clv_obs *d, const enc_pnbd_params *start, enc_pnbd_fit *out,
                       enc_err *err);

/* P(alive at T | x, tx, T) (Fader & Hardie 2005 note). NaN for invalid arguments. */
double enc_pnbd_p_alive(const enc_pnbd_params *p, int32_t x, double tx, double T);

/* E[Y(t) | x, tx, T]: expected purchases in (T, T+t] (the same note; s = 1 by its limit). */
double enc_pnbd_expected(const enc_pnbd_params *p, int32_t x, double tx, double T, double t);
#endif
