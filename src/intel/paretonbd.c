/* paretonbd.c — Pareto/NBD likelihood, gradient, fit and predictions.
 *
 * Likelihood of one customer (Fader & Hardie 2005 note, "A note on deriving the Pareto/NBD
 * model and related expressions"):
 *   L = G(r+x) alpha^r beta^s / G(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s * D ],
 *   D = integral_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau = I(t_x) - I(T),
 * where the note writes D = A0/(r+s+x) with A0 a difference of two Gauss hypergeometric terms:
 * for alpha >= beta,
 *   I(u) = (alpha+u)^-(r+s+x) 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+u)) / (r+s+x),
 * and for alpha < beta the same with (alpha, r+x) and (beta, s+1) exchanged. With c = a+1 the
 * series simplifies, since (n)_k/(n+1)_k = n/(n+k):
 *   I(u) = (A+u)^-n sum_k (Q)_k/k! z^k / (n+k),   z = (A-B)/(A+u) in [0, 1), n = P+Q-1,
 * (A, P, B, Q) = (alpha, r+x, beta, s+1) or (beta, s+1, alpha, r+x), so that z >= 0: every
 * term is positive (no cancellation) and the derivatives are series of the same terms:
 *   dI/dP = (A+u)^-n sum b_k (-ln(A+u) - 1/(n+k)),  b_k = (Q)_k/k! z^k/(n+k)
 *   dI/dQ = (A+u)^-n sum b_k (H_k - ln(A+u) - 1/(n+k)),  H_k = sum_{j<k} 1/(Q+j)
 *   dI/dA = -P I(u; P+1) = -P (A+u)^-(n+1) sum (Q)_k/k! z^k/(n+1+k)
 *   dI/dB = -Q I(u; Q+1) = -(A+u)^-(n+1) sum_{k>=0} (Q)_(k+1)/k! z^k/(n+k+1)
 * Summation stops when a geometric bound on the tail is below 1e-16 of each sum; terms needed
 * grow like 37/(1-z): about 700 at z = 0.95. Beyond z = 0.95 (one of alpha, beta more than ~20
 * times the other plus u — never at the CDNOW optimum, where z < 0.1) the value is GSL's
 * gsl_sf_hyperg_2F1(n, Q; n+1; z)/n, which handles z near 1 by its 1-z transformation, and that
 * row's gradient is a central difference (h = 1e-6 relative) of its value; if GSL reports an
 * error the likelihood is NaN (the optimiser then backtracks, predictions report it).
 * The bracket is summed by log-sum-exp scaling (everything divided by the largest term) so no
 * power under- or overflows. */
#include "intel/paretonbd.h"

#include "base/mem.h"
#include "intel/txfit.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_hyperg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t enc_pnbd_work_len(int64_t xmax) { return 2 * (size_t)(xmax + 1); }

static int params_ok(const enc_pnbd_params *p)
{
    return p->r > 0 && p->alpha > 0 && p->s > 0 && p->beta > 0 && isfinite(p->r) &&
           isfinite(p->alpha) && isfinite(p->s) && isfinite(p->beta);
}

typedef struct iser {
    double S0, S1, SQ, S2, G;
} iser;

/* sums of the I(u) series (see top); returns 0 when ENC_PNBD_MAX_TERMS did not suffice */
static int iseries(double z, double n, double Q, int grad, iser *o)
{
    const double eps = 1e-16;
    double a = 1, H = 0, S0 = 0, S1 = 0, SQ = 0, S2 = 0, G = 0;
    for (int k = 0; k < ENC_PNBD_MAX_TERMS; k++) {
        double inv = 1 / (n + k), b = a * inv;
        S0 += b;
        if (grad) {
            double inv1 = 1 / (n + k + 1);
            S1 += b * inv;
            SQ += b * H;
            S2 += a * inv1;
            G += a * (Q + k) * inv1;
            H += 1 / (Q + k);
        }
        if (z == 0) break;
        double ratio = (Q + k) / (k + 1) * z;
        a *= ratio;
        /* every later term ratio is <= ratio (Q >= 1: decreasing) or <= z (Q < 1: increasing) */
        double rb = Q >= 1 ? ratio : z;
        if (rb >= 1) continue;
        double tail = a / (1 - rb); /* bounds sum_{j>k} (Q)_j/j! z^j */
        if (tail * inv > eps * S0) continue;
        if (grad && (tail > eps * G || tail * (H + 2) * inv > eps * (S0 + SQ))) continue;
        o->S0 = S0, o->S1 = S1, o->SQ = SQ, o->S2 = S2, o->G = G;
        return 1;
    }
    o->S0 = S0, o->S1 = S1, o->SQ = SQ, o->S2 = S2, o->G = G;
    return z == 0;
}

/* Sum S0 (value only) for any z in [0, 1): the series up to ZSERIES, GSL's 2F1 beyond, where
 * S0 = 2F1(n, Q; n+1; z)/n (GSL maps z near 1 through its 1-z transformation). */
#define ZSERIES 0.95
static int s0_any(double z, double n, double Q, iser *o)
{
    if (z <= ZSERIES) return iseries(z, n, Q, 0, o);
    gsl_sf_result h;
    gsl_error_handler_t *old = gsl_set_error_handler_off(); /* GSL's default handler aborts */
    int st = gsl_sf_hyperg_2F1_e(n, Q, n + 1, z, &h);
    gsl_set_error_handler(old);
    if (st != GSL_SUCCESS || !isfinite(h.val) || !(h.val > 0) || h.err > 1e-10 * h.val) return 0;
    memset(o, 0, sizeof *o);
    o->S0 = h.val / n;
    return 1;
}

/* One customer's bracket terms, scaled by exp(-K): e1 = (alpha+T)^-(r+x) (beta+T)^-s,
 * D = I(tx) - I(T), and (grad) dD/d(r, alpha, s, beta). Returns 0 on failure, 2 when grad was
 * asked for but some z > ZSERIES (the caller then differentiates numerically), else 1. */
typedef struct cust {
    double K, e1, D, dD[4];
} cust;

static int customer(const enc_pnbd_params *p, int32_t x, double tx, double T, int grad, cust *c)
{
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta, rx = r + x;
    int sw = al < be;
    double A = sw ? be : al, B = sw ? al : be, P = sw ? s + 1 : rx, Q = sw ? rx : s + 1;
    double n = rx + s;
    double lnE1 = -rx * log(al + T) - s * log(be + T);
    double LT = log(A + T), lcT = -n * LT;
    iser sT = {0}, sx = {0};
    double zx = (A - B) / (A + tx);
    if (grad && zx > ZSERIES) return 2; /* zx >= zT */
    if (!(grad ? iseries((A - B) / (A + T), n, Q, 1, &sT) : s0_any((A - B) / (A + T), n, Q, &sT)))
        return 0;
    int same = tx == T;
    double Lx = LT, lcx = lcT;
    if (same) {
        sx = sT;
    } else {
        Lx = log(A + tx);
        lcx = -n * Lx;
        if (!(grad ? iseries(zx, n, Q, 1, &sx) : s0_any(zx, n, Q, &sx))) return 0;
    }
    double lnsIx = log(s) + lcx + log(sx.S0);
    c->K = lnE1 > lnsIx ? lnE1 : lnsIx;
    c->e1 = exp(lnE1 - c->K);
    double cx = exp(lcx - c->K), cT = exp(lcT - c->K);
    c->D = same ? 0 : cx * sx.S0 - cT * sT.S0;
    if (c->D < 0) c->D = 0; /* rounding when tx is next to T */
    if (grad) {
        double dP = 0, dQ = 0, dA = 0, dB = 0;
        if (!same) {
            dP = cx * (-Lx * sx.S0 - sx.S1) - cT * (-LT * sT.S0 - sT.S1);
            dQ = cx * (sx.SQ - Lx * sx.S0 - sx.S1) - cT * (sT.SQ - LT * sT.S0 - sT.S1);
            dA = -P * (cx * sx.S2 / (A + tx) - cT * sT.S2 / (A + T));
            dB = -(cx * sx.G / (A + tx) - cT * sT.G / (A + T));
        }
        c->dD[0] = sw ? dQ : dP; /* r */
        c->dD[1] = sw ? dB : dA; /* alpha */
        c->dD[2] = sw ? dP : dQ; /* s */
        c->dD[3] = sw ? dA : dB; /* beta */
    }
    return 1;
}

/* ln L of one customer, value only (for the numerical gradient where z > ZSERIES) */
static double row_ll(const enc_pnbd_params *p, int32_t x, double tx, double T)
{
    cust c;
    if (!params_ok(p) || !customer(p, x, tx, T, 0, &c)) return NAN;
    return lgamma(p->r + x) - lgamma(p->r) + p->r * log(p->alpha) + p->s * log(p->beta) + c.K +
           log(c.e1 + p->s * c.D);
}

double enc_pnbd_loglik(const enc_pnbd_params *p, const enc_clv_obs *d, int64_t xmax, double grad[4],
                       double *work)
{
    if (!params_ok(p)) return NAN;
    const double r = p->r, al = p->alpha, s = p->s, be = p->beta;
    size_t m = (size_t)xmax + 1;
    double *TR = work, *DR = work + m; /* ln G(r+x) - ln G(r), psi(r+x) - psi(r) */
    TR[0] = DR[0] = 0;
    for (size_t x = 1; x < m; x++) {
        TR[x] = TR[x - 1] + log(r + (double)(x - 1));
        DR[x] = DR[x - 1] + 1 / (r + (double)(x - 1));
    }
    const double lal = log(al), lbe = log(be);
    double ll = 0, g[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[i] : 1;
        if (w == 0) continue;
        int32_t x = d->x[i];
        double T = d->T[i];
        double tx = x > 0 ? d->tx[i] : 0;
        cust c;
        int st = customer(p, x, tx, T, grad != NULL, &c);
        if (st == 0) return NAN;
        if (st == 2) { /* far from alpha = beta: value by GSL, gradient by central differences */
            double v = row_ll(p, x, tx, T);
            if (!isfinite(v)) return NAN;
            ll += w * v;
            for (int j = 0; j < 4; j++) {
                enc_pnbd_params a = *p, b = *p;
                double *pa = &a.r + j, *pb = &b.r + j, h = 1e-6 * *pa;
                *pa += h, *pb -= h;
                double fa = row_ll(&a, x, tx, T), fb = row_ll(&b, x, tx, T);
                if (!isfinite(fa) || !isfinite(fb)) return NAN;
                g[j] += w * (fa - fb) / (2 * h);
            }
            continue;
        }
        double Ls = c.e1 + s * c.D;
        ll += w * (TR[x] + r * lal + s * lbe + c.K + log(Ls));
        if (grad) {
            g[0] += w * (DR[x] + lal + (-log(al + T) * c.e1 + s * c.dD[0]) / Ls);
            g[1] += w * (r / al + (-(r + x) / (al + T) * c.e1 + s * c.dD[1]) / Ls);
            g[2] += w * (lbe + (-log(be + T) * c.e1 + c.D + s * c.dD[2]) / Ls);
            g[3] += w * (s / be + (-s / (be + T) * c.e1 + s * c.dD[3]) / Ls);
        }
    }
    if (grad) memcpy(grad, g, sizeof g);
    return ll;
}

/* ---- fit ---- */

typedef struct fitctx {
    const enc_clv_obs *d;
    int64_t xmax;
    double scale;
    double *work;
} fitctx;

static double objective(const double *th, double *g, void *vc)
{
    fitctx *c = vc;
    for (int j = 0; j < 4; j++)
        if (!(fabs(th[j]) < 700)) return NAN;
    enc_pnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    double gp[4];
    double ll = enc_pnbd_loglik(&p, c->d, c->xmax, g ? gp : NULL, c->work);
    if (g) {
        g[0] = -c->scale * p.r * gp[0];
        g[1] = -c->scale * p.alpha * gp[1];
        g[2] = -c->scale * p.s * gp[2];
        g[3] = -c->scale * p.beta * gp[3];
    }
    return -c->scale * ll;
}

static const enc_txfit_model pnbd_model = {
    "pareto/nbd", {"r", "alpha", "s", "beta"}, {{-1, -1, -1, -1}, {1, 1, 0.5, 1}, {-1, 0, 0, 1}}};

enc_rc enc_pnbd_fit_ml(const enc_clv_obs *d, const enc_pnbd_params *start, enc_pnbd_fit *out,
                       enc_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t xmax;
    double tw, sx, sT, th[4];
    if (enc_txfit_check(&pnbd_model, d, &xmax, &tw, &sx, &sT, err)) return err->rc;
    if (start) {
        if (!params_ok(start))
            return enc_fail(err, ENC_EUSAGE, "pareto/nbd: starting parameters must be positive");
        th[0] = log(start->r), th[1] = log(start->alpha), th[2] = log(start->s),
        th[3] = log(start->beta);
    } else { /* r = s = 1, alpha matching the mean repeat rate, beta = alpha (z = 0 at the start) */
        double al = sT / sx;
        th[0] = 0, th[1] = log(al), th[2] = 0, th[3] = log(al);
    }
    double work_stack[2 * 256];
    double *work = work_stack;
    size_t wl = enc_pnbd_work_len(xmax);
    if (wl > sizeof work_stack / sizeof *work_stack) work = enc_xmalloc(wl * sizeof *work);
    fitctx c = {d, xmax, 1 / tw, work};
    int found;
    enc_rc rc = enc_txfit_run(&pnbd_model, objective, &c, th, &out->rep, &found, err);
    if (found) {
        out->p = (enc_pnbd_params){exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
        out->ll = enc_pnbd_loglik(&out->p, d, xmax, NULL, work);
    }
    if (work != work_stack) free(work);
    return rc;
}

/* ---- predictions ---- */

double enc_pnbd_p_alive(const enc_pnbd_params *p, int32_t x, double tx, double T)
{
    if (!params_ok(p) || x < 0 || !(tx >= 0) || !(T >= tx) || !isfinite(T)) return NAN;
    cust c;
    if (!customer(p, x, x > 0 ? tx : 0, T, 0, &c)) return NAN;
    return c.e1 / (c.e1 + p->s * c.D);
}

/* E[Y(t)|x,tx,T] = P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)],
 * the bracket over (s-1) evaluated as -expm1(-(s-1) ln(1 + t/(beta+T)))/(s-1), which tends to
 * ln(1 + t/(beta+T)) as s -> 1. */
double enc_pnbd_expected(const enc_pnbd_params *p, int32_t x, double tx, double T, double t)
{
    if (!(t >= 0) || !isfinite(t)) return NAN;
    double pa = enc_pnbd_p_alive(p, x, tx, T);
    if (isnan(pa)) return NAN;
    double l = log1p(t / (p->beta + T)), sm1 = p->s - 1;
    double f = fabs(sm1) < 1e-10 ? l : -expm1(-sm1 * l) / sm1;
    return pa * (p->r + x) * (p->beta + T) / (p->alpha + T) * f;
}
