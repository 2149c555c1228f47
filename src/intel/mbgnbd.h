/* mbgnbd.h — the MBG/NBD model of repeat buying (Batislam, Denizel & Filiztekin 2007, "Empirical
 * validation and comparison of models for customer base analysis", IJRM 24(3)): BG/NBD with a
 * chance to drop out at time zero too, so that a customer without a repeat purchase is not
 * certainly alive. Its P(alive) is the one profiles show and lifecycle and churn use (BG/NBD's
 * is 1 for every one-time buyer, which ranks customers backwards; issue 19 item 5b). Reads
 * enc_clv_obs (clvdata.h); parameters as in bgnbd.h. Intel stage. */
#ifndef ENCORE_INTEL_MBGNBD_H
#define ENCORE_INTEL_MBGNBD_H
#include "intel/bgnbd.h"

/* Log-likelihood sum_i w_i ln L_i, with (Batislam et al. 2007, eq. 3)
 *   L = B(a, b+x+1)/B(a, b) G(r+x) a^r / (G(r) (al+T)^(r+x))
 *     + B(a+1, b+x)/B(a, b) G(r+x) al^r / (G(r) (al+t_x)^(r+x)),
 * and its gradient d/d(r, alpha, a, b) when grad != NULL. NaN for parameters not positive. */
double enc_mbgnbd_loglik(const enc_bgnbd_params *p, const enc_clv_obs *d, double grad[4]);

/* Maximum-likelihood fit, as enc_bgnbd_fit_ml (start may be NULL). */
enc_rc enc_mbgnbd_fit_ml(const enc_clv_obs *d, const enc_bgnbd_params *start, enc_bgnbd_fit *out,
                         enc_err *err);

/* P(alive at T | x, t_x, T) = 1 / (1 + a/(b+x) ((al+T)/(al+t_x))^(r+x)): below 1 for x = 0. */
double enc_mbgnbd_p_alive(const enc_bgnbd_params *p, int32_t x, double tx, double T);
/* P(a purchase in (T, T+t] | x, t_x, T) = P(alive) (1 - ((al+T)/(al+T+t))^(r+x)): alive at T,
 * the rate is Gamma(r+x, al+T) and a drop-out only follows a purchase, so the first purchase
 * after T comes at that rate. 1 minus it is the model's churn probability over a horizon t. */
double enc_mbgnbd_p_buy(const enc_bgnbd_params *p, int32_t x, double tx, double T, double t);
#endif
