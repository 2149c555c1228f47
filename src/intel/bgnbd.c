/* bgnbd.c — BG/NBD (Fader, Hardie & Lee 2005) likelihood, gradient, fit and predictions.
 *
 * Likelihood of one customer (FHL 2005, section 3), written in logs as lifetimes does:
 *   ln L = ln G(r+x) - ln G(r) + r ln alpha + ln G(a+b) + ln G(b+x) - ln G(b) - ln G(a+b+x)
 *          + ln( exp(A3) + [x>0] exp(A4) ),
 *   A3 = -(r+x) ln(alpha+T),   A4 = ln a - ln(b+x-1) - (r+x) ln(alpha+t_x),
 * with the two-term sum by log-sum-exp. The Gamma-function terms depend on the parameters and
 * the integer x only, so each evaluation tabulates them (and their digamma derivatives) once for
 * x = 0..xmax by the recurrences ln G(y+x+1) = ln G(y+x) + ln(y+x), psi(y+x+1) = psi(y+x) +
 * 1/(y+x); the per-customer loop is then two logs, one exp and one log1p. */
#include "intel/bgnbd.h"

#include "base/mem.h"
#include "intel/txfit.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_hyperg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t enc_bgnbd_work_len(int64_t xmax) { return 5 * (size_t)(xmax + 1); }

static int params_ok(const enc_bgnbd_params *p)
{
    return p->r > 0 && p->alpha > 0 && p->a > 0 && p->b > 0 && isfinite(p->r) &&
           isfinite(p->alpha) && isfinite(p->a) && isfinite(p->b);
}

double enc_bgnbd_loglik(const enc_bgnbd_params *p, const enc_clv_obs *d, int64_t xmax,
                        double grad[4], double *work)
{
    if (!params_ok(p)) return NAN;
    const double r = p->r, al = p->alpha, a = p->a, b = p->b;
    size_t m = (size_t)xmax + 1;
    double *TA = work, *DR = work + m, *DA = work + 2 * m, *DB = work + 3 * m, *LB = work + 4 * m;
    /* TA[x] = ln G(r+x)-ln G(r) + ln G(b+x)-ln G(b) + ln G(a+b)-ln G(a+b+x); DR = psi(r+x)-psi(r);
     * DA = psi(a+b)-psi(a+b+x); DB = psi(b+x)-psi(b); LB[x] = ln a - ln(b+x-1) for x >= 1 */
    TA[0] = DR[0] = DA[0] = DB[0] = LB[0] = 0;
    double la = log(a);
    for (size_t x = 1; x < m; x++) {
        double k = (double)(x - 1);
        TA[x] = TA[x - 1] + log(r + k) + log(b + k) - log(a + b + k);
        DR[x] = DR[x - 1] + 1 / (r + k);
        DB[x] = DB[x - 1] + 1 / (b + k);
        DA[x] = DA[x - 1] - 1 / (a + b + k);
        LB[x] = la - log(b + k);
    }
    const double lal = log(al);
    double ll = 0, gr = 0, gal = 0, ga = 0, gb = 0;
    const int32_t *X = d->x;
    const double *TX = d->tx, *TT = d->T, *W = d->w;
    for (size_t i = 0; i < d->n; i++) {
        double w = W ? W[i] : 1;
        if (w == 0) continue;
        int32_t x = X[i];
        double rx = r + x;
        double lT = log(al + TT[i]);
        double base = TA[x] + r * lal - rx * lT;
        if (x == 0) {
            ll += w * base;
            if (grad) {
                gr += w * (lal - lT);
                gal += w * (r / al - r / (al + TT[i]));
            }
            continue;
        }
        double ltx = log(al + TX[i]);
        double dd = LB[x] + rx * (lT - ltx); /* A4 - A3 */
        double e, lse, w3, w4;
        if (dd > 0) {
            e = exp(-dd);
            lse = dd + log1p(e);
            w4 = 1 / (1 + e);
            w3 = e / (1 + e);
        } else {
            e = exp(dd);
            lse = log1p(e);
            w3 = 1 / (1 + e);
            w4 = e / (1 + e);
        }
        ll += w * (base + lse);
        if (grad) {
            gr += w * (DR[x] + lal - w3 * lT - w4 * ltx);
            gal += w * (r / al - rx * (w3 / (al + TT[i]) + w4 / (al + TX[i])));
            ga += w * (DA[x] + w4 / a);
            gb += w * (DB[x] + DA[x] - w4 / (b + x - 1));
        }
    }
    if (grad) {
        grad[0] = gr;
        grad[1] = gal;
        grad[2] = ga;
        grad[3] = gb;
    }
    return ll;
}

/* ---- fit ---- */

typedef struct fitctx {
    const enc_clv_obs *d;
    int64_t xmax;
    double scale; /* 1 / total weight: the minimiser sees the mean negative log-likelihood */
    double *work;
} fitctx;

static double objective(const double *th, double *g, void *vc)
{
    fitctx *c = vc;
    for (int j = 0; j < 4; j++)
        if (!(fabs(th[j]) < 700)) return NAN;
    enc_bgnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    double gp[4];
    double ll = enc_bgnbd_loglik(&p, c->d, c->xmax, g ? gp : NULL, c->work);
    if (g) enc_txfit_chain(th, gp, c->scale, g); /* chain rule to log-parameters */
    return -c->scale * ll;
}

static const enc_txfit_model bg_model = {
    "bg/nbd", {"r", "alpha", "a", "b"}, {{-1, -1, -1, 1}, {1, 1, 0.5, 1.5}, {-2, -2, 0, 0}}};

enc_rc enc_bgnbd_fit_ml(const enc_clv_obs *d, const enc_bgnbd_params *start, enc_bgnbd_fit *out,
                        enc_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t xmax;
    double tw, sx, sT, th[4];
    if (enc_txfit_check(&bg_model, d, &xmax, &tw, &sx, &sT, err)) return err->rc;
    double p4[4] = {0};
    if (start) p4[0] = start->r, p4[1] = start->alpha, p4[2] = start->a, p4[3] = start->b;
    if (enc_txfit_start(&bg_model, start ? p4 : NULL, sT, sx, th, err)) return ENC_EUSAGE;
    double work_stack[5 * 256];
    double *work = work_stack;
    size_t wl = enc_bgnbd_work_len(xmax);
    if (wl > sizeof work_stack / sizeof *work_stack) work = enc_xmalloc(wl * sizeof *work);
    fitctx c = {d, xmax, 1 / tw, work};
    int found;
    enc_rc rc = enc_txfit_run(&bg_model, objective, &c, th, &out->rep, &found, err);
    if (found) {
        out->p = (enc_bgnbd_params){exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
        out->ll = enc_bgnbd_loglik(&out->p, d, xmax, NULL, work);
    }
    if (work != work_stack) free(work);
    return rc;
}

/* ---- predictions ---- */

double enc_bgnbd_p_alive(const enc_bgnbd_params *p, int32_t x, double tx, double T)
{
    if (!params_ok(p) || x < 0 || !(tx >= 0) || !(T >= tx) || !isfinite(T)) return NAN;
    if (x == 0) return 1;
    double l =
        log(p->a) - log(p->b + x - 1) + (p->r + x) * (log(p->alpha + T) - log(p->alpha + tx));
    return l > 0 ? exp(-l) / (1 + exp(-l)) : 1 / (1 + exp(l));
}

/* Q(t) = C/(a-1) [1 - H],  H = ((al+T)/(al+T+t))^A 2F1(A, B; C; z),  z = t/(al+T+t),
 * A = r+x, B = b+x, C = a+b+x-1, so that E[Y(t)|x,t_x,T] = P(alive) Q(t) (FHL 2005).
 * Three ways, tried in this order:
 * 1. w = t/(al+T) <= 0.9: Pfaff's transformation 2F1(A,B;C;z) = (1-z)^-A 2F1(A, C-B; C; -w)
 *    gives H = 2F1(A, a-1; C; -w), and C(1-H)/(a-1) as the alternating series
 *      sum_{k>=1} (-1)^(k+1) (A)_k (a)_(k-1) / ((C+1)_(k-1) k!) w^k,
 *    which converges geometrically (ratio -> w), has no 1/(a-1) singularity and no cancellation
 *    in 1-H, and stays bounded for large x (where 2F1 in z overflows). Up to ~400 terms.
 * 2. otherwise GSL's gsl_sf_hyperg_2F1 in z (0.47 < z < 1), accepted when it reports success,
 *    a finite value and an error estimate below 1e-9 relative, and |a-1| > 1e-6;
 * 3. otherwise (GSL overflow for large x, a = 1, ...) the defining integral
 *      Q = E_{p ~ Beta(a, b+x)} [ (1 - (1 + p w)^-(r+x)) / p ]
 *    (the posterior given alive: lambda ~ Gamma(r+x, al+T), p ~ Beta(a, b+x), and
 *    E[Y(t)|lambda,p,alive] = (1 - exp(-lambda p t))/p), by GSL's QAWS, whose algebraic weight
 *    p^(a-1) (1-p)^(b+x-1) is the Beta kernel. */
static double q_series(double A, double a, double C1, double w, int *ok)
{
    double term = A * w, sum = term;
    for (int k = 1; k < 20000; k++) {
        double ratio = (A + k) * (a + k - 1) / ((C1 - 1 + k) * (k + 1)) * w;
        term *= -ratio;
        sum += term;
        if (ratio < 1 && fabs(term) <= 1e-17 * fabs(sum)) {
            *ok = 1;
            return sum;
        }
    }
    *ok = 0;
    return sum;
}

typedef struct qint {
    double A, w;
} qint;

static double q_integrand(double p, void *vp)
{
    const qint *q = vp;
    if (p < 1e-300) return q->A * q->w;
    return -expm1(-q->A * log1p(p * q->w)) / p;
}

static double q_quadrature(double A, double a, double bx, double w)
{
    gsl_integration_qaws_table *tab = gsl_integration_qaws_table_alloc(a - 1, bx - 1, 0, 0);
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
    qint q = {A, w};
    gsl_function f = {q_integrand, &q};
    double res = NAN, abserr;
    int st = tab && ws ? gsl_integration_qaws(&f, 0, 1, tab, 0, 1e-11, 200, ws, &res, &abserr)
                       : GSL_ENOMEM;
    if (tab) gsl_integration_qaws_table_free(tab);
    if (ws) gsl_integration_workspace_free(ws);
    if (st != GSL_SUCCESS && st != GSL_EROUND) return NAN;
    double lb = lgamma(a) + lgamma(bx) - lgamma(a + bx); /* ln B(a, b+x) */
    return res * exp(-lb);
}

static double q_value(const enc_bgnbd_params *p, int32_t x, double T, double t)
{
    if (t == 0) return 0;
    double A = p->r + x, C = p->a + p->b + x - 1;
    double w = t / (p->alpha + T);
    int ok = 0;
    if (w <= 0.9) {
        double v = q_series(A, p->a, C + 1, w, &ok);
        if (ok) return v;
    }
    if (fabs(p->a - 1) > 1e-6 && C > 0) {
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        double z = t / (p->alpha + T + t);
        gsl_sf_result h;
        int st = gsl_sf_hyperg_2F1_e(A, p->b + x, C, z, &h);
        gsl_set_error_handler(old);
        if (st == GSL_SUCCESS && isfinite(h.val) && h.err <= 1e-9 * fabs(h.val)) {
            double H = exp(A * log1p(-z)) * h.val;
            double v = C / (p->a - 1) * (1 - H);
            if (isfinite(v) && v >= 0) return v;
        }
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double v = q_quadrature(A, p->a, p->b + x, w);
    gsl_set_error_handler(old);
    return v;
}

double enc_bgnbd_expected(const enc_bgnbd_params *p, int32_t x, double tx, double T, double t)
{
    if (!(t >= 0) || !isfinite(t)) return NAN;
    double pa = enc_bgnbd_p_alive(p, x, tx, T);
    if (isnan(pa)) return NAN;
    return pa * q_value(p, x, T, t);
}

double enc_bgnbd_expected_new(const enc_bgnbd_params *p, double t)
{
    return enc_bgnbd_expected(p, 0, 0, 0, t);
}

enc_rc enc_bgnbd_predict(const enc_bgnbd_params *p, const enc_clv_obs *d, double t, double *p_alive,
                         double *expected, enc_err *err)
{
    if (!params_ok(p))
        return enc_fail(err, ENC_EUSAGE, "bg/nbd: parameters must be positive and finite");
    if (!(t >= 0) || !isfinite(t)) return enc_fail(err, ENC_EUSAGE, "bg/nbd: horizon must be >= 0");
    if (enc_clv_obs_check(d, NULL) < 0) return enc_fail(err, ENC_EUSAGE, "bg/nbd: invalid data");
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[i] : 1, pa = 0, e = 0;
        if (w != 0) {
            pa = enc_bgnbd_p_alive(p, d->x[i], d->tx[i], d->T[i]);
            if (expected) e = pa * q_value(p, d->x[i], d->T[i], t);
            if (!isfinite(e))
                return enc_fail(err, ENC_EFAIL,
                                "bg/nbd: expected purchases not finite for row %zu "
                                "(x=%d, T=%g, t=%g)",
                                i, d->x[i], d->T[i], t);
        }
        if (p_alive) p_alive[i] = pa;
        if (expected) expected[i] = e;
    }
    return ENC_OK;
}

size_t enc_bgnbd_draw(const enc_bgnbd_params *p, gsl_rng *rng, double horizon, double *times,
                      size_t cap)
{
    double lambda = gsl_ran_gamma(rng, p->r, 1 / p->alpha);
    double pd = gsl_ran_beta(rng, p->a, p->b);
    size_t k = 0;
    double t = 0;
    if (!(lambda > 0)) return 0;
    for (;;) {
        t += gsl_ran_exponential(rng, 1 / lambda);
        if (t > horizon) break;
        if (k < cap) times[k] = t;
        k++;
        if (gsl_rng_uniform(rng) < pd) break; /* drops out after this purchase */
    }
    return k;
}
