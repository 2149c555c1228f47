/* mbgnbd.c — MBG/NBD (see mbgnbd.h). With A4 = ln a - ln(b+x) + (r+x) ln((al+T)/(al+t_x)),
 *   ln L = ln G(r+x) - ln G(r) + r ln al - (r+x) ln(al+T)
 *        + ln G(a+b) + ln G(b+x+1) - ln G(b) - ln G(a+b+x+1) + ln(1 + e^A4),
 * and with s = e^A4 / (1 + e^A4) = 1 - P(alive) the gradient is
 *   d/dr  = psi(r+x) - psi(r) + ln al - ln(al+T) + s ln((al+T)/(al+t_x))
 *   d/dal = r/al - (r+x)/(al+T) + s (r+x) (1/(al+T) - 1/(al+t_x))
 *   d/da  = psi(a+b) - psi(a+b+x+1) + s/a
 *   d/db  = psi(a+b) + psi(b+x+1) - psi(b) - psi(a+b+x+1) - s/(b+x).
 * Fitted over log-parameters by the procedure BG/NBD uses (txfit.h). */
#include "intel/mbgnbd.h"
#include "intel/txfit.h"
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <string.h>

static int params_ok(const enc_bgnbd_params *p)
{
    return p->r > 0 && p->alpha > 0 && p->a > 0 && p->b > 0 && isfinite(p->r) &&
           isfinite(p->alpha) && isfinite(p->a) && isfinite(p->b);
}

/* Rows with an integral count below XT read the terms that depend on x alone from tables
 * built by the recurrences ln G(z+1) = ln G(z) + ln z and psi(z+1) = psi(z) + 1/z (as bgnbd.c
 * does), so a pass costs a few logs a row instead of four lgammas and three digammas. */
enum { XT = 256 };

double enc_mbgnbd_loglik(const enc_bgnbd_params *p, const enc_clv_obs *d, double grad[4])
{
    if (!params_ok(p)) return NAN;
    const double r = p->r, al = p->alpha, a = p->a, b = p->b;
    double ll = 0, g[4] = {0};
    const double lgr = lgamma(r), lab = lgamma(a + b), lb = lgamma(b);
    const double pr = grad ? gsl_sf_psi(r) : 0, pab = grad ? gsl_sf_psi(a + b) : 0,
                 pb = grad ? gsl_sf_psi(b) : 0;
    /* TL[x] = ln G(r+x) - ln G(r) + ln G(b+x+1) - ln G(a+b+x+1); PR, PB, PA: psi(r+x),
     * psi(b+x+1), psi(a+b+x+1) */
    double TL[XT], PR[XT], PB[XT], PA[XT];
    int xt = 0;
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i];
        if (x >= 0 && x < XT - 1 && x == floor(x) && (int)x + 1 > xt) xt = (int)x + 1;
    }
    if (xt > 0) {
        TL[0] = lgamma(b + 1) - lgamma(a + b + 1);
        if (grad) PR[0] = pr, PB[0] = gsl_sf_psi(b + 1), PA[0] = gsl_sf_psi(a + b + 1);
        for (int x = 1; x < xt; x++) {
            TL[x] = TL[x - 1] + log(r + x - 1) + log(b + x) - log(a + b + x);
            if (!grad) continue;
            PR[x] = PR[x - 1] + 1 / (r + x - 1);
            PB[x] = PB[x - 1] + 1 / (b + x);
            PA[x] = PA[x - 1] + 1 / (a + b + x);
        }
    }
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[i] : 1;
        if (w == 0) continue;
        double x = d->x[i], tx = d->tx[i], T = d->T[i];
        int k = x >= 0 && x < xt && x == floor(x) ? (int)x : -1;
        double lT = log(al + T), ltx = log(al + tx);
        double A4 = log(a) - log(b + x) + (r + x) * (lT - ltx);
        double soft = A4 > 0 ? A4 + log1p(exp(-A4)) : log1p(exp(A4));
        double tl =
            k >= 0 ? TL[k] : lgamma(r + x) - lgr + lgamma(b + x + 1) - lgamma(a + b + x + 1);
        ll += w * (tl + r * log(al) - (r + x) * lT + lab - lb + soft);
        if (!grad) continue;
        double s = A4 > 0 ? 1 / (1 + exp(-A4)) : exp(A4) / (1 + exp(A4));
        double pabx = k >= 0 ? PA[k] : gsl_sf_psi(a + b + x + 1);
        double prx = k >= 0 ? PR[k] : gsl_sf_psi(r + x),
               pbx = k >= 0 ? PB[k] : gsl_sf_psi(b + x + 1);
        g[0] += w * (prx - pr + log(al) - lT + s * (lT - ltx));
        g[1] += w * (r / al - (r + x) / (al + T) + s * (r + x) * (1 / (al + T) - 1 / (al + tx)));
        g[2] += w * (pab - pabx + s / a);
        g[3] += w * (pab + pbx - pb - pabx - s / (b + x));
    }
    if (grad) memcpy(grad, g, sizeof g);
    return ll;
}

static double ll4(const double p[4], const enc_clv_obs *d, double *grad)
{
    enc_bgnbd_params q = {p[0], p[1], p[2], p[3]};
    return enc_mbgnbd_loglik(&q, d, grad);
}

static const enc_txfit_model mbg_model = {
    "mbg/nbd", {"r", "alpha", "a", "b"}, {{-1, -1, -1, 1}, {1, 1, 0.5, 1.5}, {-2, -2, 0, 0}}};

enc_rc enc_mbgnbd_fit_ml(const enc_clv_obs *d, const enc_bgnbd_params *start, enc_bgnbd_fit *out,
                         enc_err *err)
{
    memset(out, 0, sizeof *out);
    double s4[4] = {0}, p4[4];
    if (start) s4[0] = start->r, s4[1] = start->alpha, s4[2] = start->a, s4[3] = start->b;
    int found;
    enc_rc rc =
        enc_txfit_fit(&mbg_model, ll4, d, start ? s4 : NULL, p4, &out->ll, &out->rep, &found, err);
    if (found) out->p = (enc_bgnbd_params){p4[0], p4[1], p4[2], p4[3]};
    return rc;
}

double enc_mbgnbd_p_alive(const enc_bgnbd_params *p, int32_t x, double tx, double T)
{
    if (!params_ok(p) || x < 0 || !(tx >= 0) || !(T >= tx) || !isfinite(T)) return NAN;
    double l = log(p->a) - log(p->b + x) + (p->r + x) * (log(p->alpha + T) - log(p->alpha + tx));
    return l > 0 ? exp(-l) / (1 + exp(-l)) : 1 / (1 + exp(l));
}

double enc_mbgnbd_p_buy(const enc_bgnbd_params *p, int32_t x, double tx, double T, double t)
{
    double pa = enc_mbgnbd_p_alive(p, x, tx, T);
    if (!(t >= 0)) return NAN;
    return pa * -expm1((p->r + x) * (log(p->alpha + T) - log(p->alpha + T + t)));
}
