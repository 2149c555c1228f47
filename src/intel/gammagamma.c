/* gammagamma.c — Gamma-Gamma spend model: likelihood with gradient, fit, conditional mean
 * spend, discounted CLV (formulas in gammagamma.h). The Gamma-function terms depend on the
 * parameters and the integer x only: they are summed per distinct x with the customers'
 * weights counted once per fit, as are the ln m terms; each evaluation's loop over customers
 * is then one log and one division. */
#include "intel/gammagamma.h"

#include "base/mem.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t enc_gg_work_len(int64_t xmax) { return (size_t)xmax + 1; }

static int params_ok(const enc_gg_params *p)
{
    return p->p > 0 && p->q > 0 && p->gamma > 0 && isfinite(p->p) && isfinite(p->q) &&
           isfinite(p->gamma);
}

/* Parameter-free sums over the rows with x > 0: W = sum w, A0 = sum w ln m, A1 = sum w x ln m,
 * and WX[x] = sum of w over rows with that x. Computed once per fit. Returns 0 on a bad m. */
typedef struct pre {
    double W, A0, A1;
    double *WX;
} pre;

static int precompute(const enc_gg_obs *d, int64_t xmax, double *wx, pre *o)
{
    o->W = o->A0 = o->A1 = 0;
    o->WX = wx;
    memset(wx, 0, sizeof *wx * (size_t)(xmax + 1));
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[i] : 1;
        int32_t x = d->x[i];
        if (w == 0 || x <= 0) continue;
        if (!(d->m[i] > 0)) return 0;
        double lm = log(d->m[i]);
        o->W += w;
        o->A0 += w * lm;
        o->A1 += w * x * lm;
        wx[x] += w;
    }
    return 1;
}

/* The log-likelihood from the precomputed sums: the x-only terms go through the per-x tables
 * weighted by WX, the ln m terms through A0 and A1, and the loop over customers is left with
 * ln(gamma + x m) and 1/(gamma + x m). */
static double loglik_pre(const enc_gg_params *pp, const enc_gg_obs *d, int64_t xmax, const pre *pr,
                         double grad[3], double *work)
{
    const double p = pp->p, q = pp->q, g = pp->gamma;
    size_t mm = (size_t)xmax + 1;
    double tx = 0, tp = 0, tq = 0; /* sum_x WX[x] (...) */
    for (size_t x = 1; x < mm; x++) {
        double wx = pr->WX[x];
        if (wx == 0) continue;
        double px = p * (double)x, lx = log((double)x);
        tx += wx * (lgamma(px + q) - lgamma(px) + px * lx);
        if (grad) {
            double p1 = gsl_sf_psi(px + q);
            tp += wx * (double)x * (p1 - gsl_sf_psi(px) + lx);
            tq += wx * p1;
        }
    }
    double S0 = 0, S1 = 0, R0 = 0,
           R1 = 0; /* sums of w ln(g+xm), w x ln(g+xm), w/(g+xm), w x/(g+xm) */
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[i] : 1;
        int32_t x = d->x[i];
        if (w == 0 || x <= 0) continue;
        double u = g + x * d->m[i], l = log(u);
        S0 += w * l;
        S1 += w * x * l;
        if (grad) {
            double iu = w / u;
            R0 += iu;
            R1 += iu * x;
        }
    }
    const double lg = log(g);
    double ll = tx + pr->W * (q * lg - lgamma(q)) + p * pr->A1 - pr->A0 - p * S1 - q * S0;
    if (grad) {
        grad[0] = tp + pr->A1 - S1;
        grad[1] = tq - pr->W * gsl_sf_psi(q) + pr->W * lg - S0;
        grad[2] = pr->W * q / g - p * R1 - q * R0;
    }
    (void)work;
    return ll;
}

double enc_gg_loglik(const enc_gg_params *pp, const enc_gg_obs *d, int64_t xmax, double grad[3],
                     double *work)
{
    if (!params_ok(pp)) return NAN;
    pre pr;
    if (!precompute(d, xmax, work, &pr)) return NAN;
    gsl_error_handler_t *old = gsl_set_error_handler_off(); /* gsl_sf_psi near its poles */
    double ll = loglik_pre(pp, d, xmax, &pr, grad, work);
    gsl_set_error_handler(old);
    return ll;
}

typedef struct fitctx {
    const enc_gg_obs *d;
    int64_t xmax;
    double scale;
    double *work;
    pre pr;
} fitctx;

/* The minimiser's coordinates: ln p, ln q and ln(p gamma / q). p and gamma trade off along a
 * long curved ridge (the spend scale p gamma/(q-1) is what the data pin down); in these
 * coordinates BFGS needs far fewer iterations than in (ln p, ln q, ln gamma). */
static enc_gg_params from_theta(const double *th)
{
    return (enc_gg_params){exp(th[0]), exp(th[1]), exp(th[2] + th[1] - th[0])};
}

static void to_theta(const enc_gg_params *p, double *th)
{
    th[0] = log(p->p), th[1] = log(p->q), th[2] = log(p->p * p->gamma / p->q);
}

static double objective(const double *th, double *gr, void *vc)
{
    fitctx *c = vc;
    for (int j = 0; j < 3; j++)
        if (!(fabs(th[j]) < 700)) return NAN;
    enc_gg_params p = from_theta(th);
    double gp[3];
    double ll = loglik_pre(&p, c->d, c->xmax, &c->pr, gr ? gp : NULL, c->work);
    if (gr) { /* chain rule through from_theta */
        double dg = p.gamma * gp[2];
        gr[0] = -c->scale * (p.p * gp[0] - dg);
        gr[1] = -c->scale * (p.q * gp[1] + dg);
        gr[2] = -c->scale * dg;
    }
    return -c->scale * ll;
}

enc_rc enc_gg_fit_ml(const enc_gg_obs *d, const enc_gg_params *start, enc_gg_fit *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t xmax = 0;
    double tw = 0, sm = 0, mmin = INFINITY, mmax = 0;
    size_t rows = 0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[i] : 1;
        if (!isfinite(w) || w < 0 || d->x[i] < 0)
            return enc_fail(err, ENC_EUSAGE, "gamma-gamma: row %zu: invalid x or weight", i);
        if (w == 0 || d->x[i] == 0) continue;
        double m = d->m[i];
        if (!(m > 0) || !isfinite(m))
            return enc_fail(err, ENC_EUSAGE, "gamma-gamma: row %zu: mean spend %g must be positive",
                            i, m);
        if (d->x[i] > xmax) xmax = d->x[i];
        tw += w;
        sm += w * m;
        rows++;
        if (m < mmin) mmin = m;
        if (m > mmax) mmax = m;
    }
    out->n_used = (size_t)tw;
    if (rows < 2)
        return enc_fail(err, ENC_EUSAGE,
                        "gamma-gamma: need at least 2 customers with repeat purchases, have %zu",
                        rows);
    if (mmin == mmax)
        return enc_fail(err, ENC_EFAIL,
                        "gamma-gamma: every customer's mean spend is %g: no spread, "
                        "the model cannot be fitted (q runs to infinity)",
                        mmin);
    double th[3], starts[3 * 3];
    if (start) {
        if (!params_ok(start))
            return enc_fail(err, ENC_EUSAGE, "gamma-gamma: starting parameters must be positive");
        to_theta(start, th);
    } else { /* p = 1, q = 2: population mean p gamma/(q-1) = gamma = the mean spend */
        enc_gg_params s0 = {1, 2, sm / tw};
        to_theta(&s0, th);
    }
    const double spread[3][3] = {{1, 1, 1}, {-1, 0.5, -1}, {2, 2, 2}};
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < 3; j++) starts[3 * k + j] = th[j] + spread[k][j];

    double work_stack[256];
    double *work = work_stack;
    size_t wl = enc_gg_work_len(xmax);
    if (wl > sizeof work_stack / sizeof *work_stack) work = enc_xmalloc(wl * sizeof *work);
    fitctx c = {d, xmax, 1 / tw, work, {0, 0, 0, NULL}};
    precompute(d, xmax, work, &c.pr); /* every m > 0 was checked above */
    enc_optim_opts o = {.gtol = 1e-6, .newton = 1};
    gsl_error_handler_t *old = gsl_set_error_handler_off(); /* gsl_sf_psi near its poles */
    enc_rc rc = enc_optim_minimize(3, th, objective, &c, &o, &out->rep, err);
    if (rc == ENC_OK && out->rep.status != ENC_OPTIM_CONVERGED) {
        double th0[3];
        memcpy(th0, th, sizeof th);
        o.n_starts = 3;
        o.starts = starts;
        enc_optim_report rep;
        if (enc_optim_minimize(3, th0, objective, &c, &o, &rep, NULL) == ENC_OK &&
            (rep.status == ENC_OPTIM_CONVERGED || rep.fmin < out->rep.fmin)) {
            memcpy(th, th0, sizeof th);
            out->rep = rep;
        }
    }
    if (rc == ENC_OK) {
        out->p = from_theta(th);
        out->ll = enc_gg_loglik(&out->p, d, xmax, NULL, work);
    }
    gsl_set_error_handler(old);
    if (work != work_stack) free(work);
    if (rc != ENC_OK) return rc;
    const double v[3] = {out->p.p, out->p.q, out->p.gamma};
    for (int j = 0; j < 3; j++)
        if (!(fabs(log(v[j])) <= 25))
            return enc_fail(
                err, ENC_EFAIL,
                "gamma-gamma: parameter %s ran to %g: the data do not identify the model",
                (const char *[]){"p", "q", "gamma"}[j], v[j]);
    if (out->rep.status != ENC_OPTIM_CONVERGED)
        return enc_fail(
            err, ENC_EFAIL,
            "gamma-gamma: fit did not converge (%s after %d iterations, gradient norm %.3g)",
            enc_optim_status_name(out->rep.status), out->rep.iterations, out->rep.grad_norm);
    return ENC_OK;
}

double enc_gg_expected_spend(const enc_gg_params *p, int32_t x, double m)
{
    if (!params_ok(p) || x < 0 || (x > 0 && !(m >= 0 && isfinite(m)))) return NAN;
    double den = p->p * x + p->q - 1;
    if (!(den > 0)) return INFINITY;
    return p->p * (p->gamma + x * (x > 0 ? m : 0)) / den;
}

double enc_gg_clv(const double *cum, int months, double spend, double d)
{
    if (months < 0 || !(d > -1)) return NAN;
    double v = 0, disc = 1;
    for (int k = 1; k <= months; k++) {
        disc /= 1 + d;
        v += (cum[k] - cum[k - 1]) * disc;
    }
    return spend * v;
}
