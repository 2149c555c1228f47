/* optim.c — the maximum-likelihood minimiser (see optim.h): GSL vector BFGS on unconstrained
 * parameters, Nelder-Mead (nmsimplex2) when BFGS stops short of the gradient tolerance, then one
 * more BFGS pass from the simplex's point to polish; repeated over the caller's starting points.
 * Non-finite objective values are mapped to a large finite penalty so that GSL's line search
 * (which interpolates) never sees inf or NaN. */
#include "intel/optim.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <string.h>

typedef struct wrap {
    int n;
    enc_optim_fn fn;
    void *ctx;
    int n_eval;
    double best_f; /* lowest finite value seen, for the penalty */
    double best_x[ENC_OPTIM_MAXN];
} wrap;

/* f(x) and, when g != NULL, its gradient; NAN when either is not finite. Counts the
 * evaluation and remembers the lowest finite value seen. */
static double eval_raw(wrap *w, const double *x, double *g)
{
    w->n_eval++;
    double f = w->fn(x, g, w->ctx);
    int ok = isfinite(f);
    if (ok && g)
        for (int i = 0; i < w->n; i++)
            if (!isfinite(g[i])) ok = 0;
    if (!ok) return NAN;
    if (f < w->best_f) {
        w->best_f = f;
        memcpy(w->best_x, x, sizeof *x * (size_t)w->n);
    }
    return f;
}

/* f with non-finite values replaced by a penalty above everything seen so far (for GSL) */
static double eval(wrap *w, const double *x, double *g)
{
    double f = eval_raw(w, x, g);
    if (isnan(f)) {
        double base = isfinite(w->best_f) ? w->best_f : 0;
        if (g) memset(g, 0, sizeof *g * (size_t)w->n);
        return base + 1e6 * (1 + fabs(base));
    }
    return f;
}

static double gsl_f(const gsl_vector *v, void *p)
{
    wrap *w = p;
    return eval(w, v->data, NULL);
}

static void gsl_df(const gsl_vector *v, void *p, gsl_vector *g)
{
    wrap *w = p;
    eval(w, v->data, g->data);
}

static void gsl_fdf(const gsl_vector *v, void *p, double *f, gsl_vector *g)
{
    wrap *w = p;
    *f = eval(w, v->data, g->data);
}

static double norm2(const double *g, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += g[i] * g[i];
    return sqrt(s);
}

/* BFGS from x (in/out). Returns iterations used; sets *gn to the final gradient norm. */
static int run_bfgs(wrap *w, double *x, const enc_optim_opts *o, double *f, double *gn)
{
    int n = w->n;
    gsl_multimin_function_fdf fdf = {gsl_f, gsl_df, gsl_fdf, (size_t)n, w};
    gsl_vector_view xv = gsl_vector_view_array(x, (size_t)n);
    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, (size_t)n);
    gsl_multimin_fdfminimizer_set(s, &fdf, &xv.vector, o->step, 0.1);
    int it = 0;
    *gn = norm2(s->gradient->data, n);
    while (*gn > o->gtol && it < o->max_iter) {
        it++;
        int st = gsl_multimin_fdfminimizer_iterate(s);
        *gn = norm2(s->gradient->data, n);
        if (st != GSL_SUCCESS) break; /* GSL_ENOPROG: the line search found no lower point */
    }
    memcpy(x, s->x->data, sizeof *x * (size_t)n);
    *f = s->f;
    gsl_multimin_fdfminimizer_free(s);
    return it;
}

/* Nelder-Mead from x (in/out) until the simplex is below 1e-10 in size. Returns iterations. */
static int run_simplex(wrap *w, double *x, const enc_optim_opts *o, double *f)
{
    int n = w->n;
    gsl_multimin_function fn = {gsl_f, (size_t)n, w};
    gsl_vector_view xv = gsl_vector_view_array(x, (size_t)n);
    gsl_vector *step = gsl_vector_alloc((size_t)n);
    gsl_vector_set_all(step, o->step);
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)n);
    gsl_multimin_fminimizer_set(s, &fn, &xv.vector, step);
    int it = 0;
    while (it < o->max_iter) {
        it++;
        if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS) break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-10) == GSL_SUCCESS) break;
    }
    memcpy(x, s->x->data, sizeof *x * (size_t)n);
    *f = s->fval;
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(step);
    return it;
}

/* Cholesky factorisation of the n x n symmetric matrix A (row-major) into L (lower); 0 when A
 * is not positive definite. */
static int cholesky(const double *A, int n, double *L)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            double s = A[i * n + j];
            for (int k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
            if (i == j) {
                if (!(s > 0)) return 0;
                L[i * n + i] = sqrt(s);
            } else {
                L[i * n + j] = s / L[j * n + j];
            }
        }
    return 1;
}

/* Solves L L' p = b. */
static void chol_solve(const double *L, int n, const double *b, double *p)
{
    double y[ENC_OPTIM_MAXN];
    for (int i = 0; i < n; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++) s -= L[i * n + k] * y[k];
        y[i] = s / L[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int k = i + 1; k < n; k++) s -= L[k * n + i] * p[k];
        p[i] = s / L[i * n + i];
    }
}

/* Damped Newton from x (in/out): the Hessian by forward differences of the analytic gradient,
 * the step from (H + mu I) p = -g (Levenberg-Marquardt damping: mu grows until H + mu I is
 * positive definite and the step lowers f), at most NEWTON_MAX_STEP long, with Armijo
 * backtracking (Nocedal & Wright 2006, algorithms 3.1 and 3.3 with a multiple of the identity
 * added). Near the optimum it converges quadratically; on BG/NBD's flat ridge where a -> 0 it
 * takes tens of iterations where BFGS takes hundreds. It gives up (to the caller's BFGS) after
 * NEWTON_MAX_ITER iterations or when the damping grows far above the curvature. Returns
 * iterations; sets *f, *gn (*gn = INFINITY when the objective was not finite at x). */
enum { NEWTON_MAX_STEP = 4, NEWTON_MAX_ITER = 100 };
static int run_newton(wrap *w, double *x, const enc_optim_opts *o, double *f, double *gn)
{
    int n = w->n, it = 0;
    double g[ENC_OPTIM_MAXN], gt[ENC_OPTIM_MAXN], xt[ENC_OPTIM_MAXN], p[ENC_OPTIM_MAXN];
    double H[ENC_OPTIM_MAXN * ENC_OPTIM_MAXN], A[ENC_OPTIM_MAXN * ENC_OPTIM_MAXN],
        L[ENC_OPTIM_MAXN * ENC_OPTIM_MAXN];
    *f = eval_raw(w, x, g);
    if (isnan(*f)) {
        *gn = INFINITY;
        return 0;
    }
    *gn = norm2(g, n);
    double mu = 0;
    int max_iter = o->max_iter < NEWTON_MAX_ITER ? o->max_iter : NEWTON_MAX_ITER;
    while (*gn > o->gtol && it < max_iter) {
        it++;
        /* Hessian column i from the gradient at x + h e_i (or x - h e_i at a domain edge) */
        for (int i = 0; i < n; i++) {
            double h = 1e-6 * fmax(1, fabs(x[i]));
            memcpy(xt, x, sizeof *x * (size_t)n);
            xt[i] += h;
            if (isnan(eval_raw(w, xt, gt))) {
                h = -h;
                xt[i] = x[i] + h;
                if (isnan(eval_raw(w, xt, gt))) return it;
            }
            for (int j = 0; j < n; j++) H[j * n + i] = (gt[j] - g[j]) / h;
        }
        double dmax = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++)
                H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j] + H[j * n + i]);
            dmax = fmax(dmax, fabs(H[i * n + i]));
        }
        double floor_mu = 1e-10 * (1 + dmax), ft = NAN, alpha = 1;
        int accepted = 0;
        for (int tries = 0; tries < 60 && !accepted; tries++) {
            memcpy(A, H, sizeof *H * (size_t)(n * n));
            for (int i = 0; i < n; i++) A[i * n + i] += mu;
            if (!cholesky(A, n, L)) {
                mu = fmax(4 * mu, floor_mu * 1e3);
                continue;
            }
            double mg[ENC_OPTIM_MAXN];
            for (int i = 0; i < n; i++) mg[i] = -g[i];
            chol_solve(L, n, mg, p);
            double pn = norm2(p, n), gp = 0;
            if (pn > NEWTON_MAX_STEP)
                for (int i = 0; i < n; i++) p[i] *= NEWTON_MAX_STEP / pn;
            for (int i = 0; i < n; i++) gp += g[i] * p[i];
            if (!(gp < 0)) {
                mu = fmax(4 * mu, floor_mu * 1e3);
                continue;
            }
            for (alpha = 1; alpha > 1e-3; alpha *= 0.5) {
                for (int i = 0; i < n; i++) xt[i] = x[i] + alpha * p[i];
                ft = eval_raw(w, xt, gt);
                if (!isnan(ft) && ft <= *f + 1e-4 * alpha * gp) {
                    accepted = 1;
                    break;
                }
            }
            if (!accepted) mu = fmax(16 * mu, floor_mu * 1e3);
        }
        if (!accepted) break; /* no descent found: the caller's fallback takes over */
        memcpy(x, xt, sizeof *x * (size_t)n);
        memcpy(g, gt, sizeof *g * (size_t)n);
        *f = ft;
        *gn = norm2(g, n);
        /* a full step: trust the model more; a shortened one: damp more */
        mu = alpha == 1 ? (mu < floor_mu ? 0 : mu / 8) : fmax(4 * mu, floor_mu * 1e3);
        /* damping this strong makes it a short gradient step: the local model is not to be
         * trusted (e.g. a likelihood evaluated by series with limited precision) -> fallback */
        if (mu > 1e4 * (1 + dmax)) break;
    }
    return it;
}

/* One start: BFGS; if short of gtol, simplex then BFGS again. */
static void run_start(wrap *w, double *x, const enc_optim_opts *o, enc_optim_report *r)
{
    double f, gn, g[ENC_OPTIM_MAXN];
    int it = 0, maxed = 0;
    r->method = "bfgs2";
    if (o->newton) {
        it = run_newton(w, x, o, &f, &gn);
        r->method = "newton";
        if (gn <= o->gtol) goto done;
        /* short of gtol: BFGS (and the simplex) from the best point seen */
        if (isfinite(w->best_f)) memcpy(x, w->best_x, sizeof *x * (size_t)w->n);
        r->method = "newton+bfgs2";
    }
    int itb = run_bfgs(w, x, o, &f, &gn);
    it += itb;
    maxed = itb >= o->max_iter;
    if (gn > o->gtol && !o->no_fallback) {
        /* restart from the best point seen: after a failed line search that is safer than s->x */
        if (isfinite(w->best_f) && w->best_f < f) memcpy(x, w->best_x, sizeof *x * (size_t)w->n);
        int it2 = run_simplex(w, x, o, &f);
        int it3 = run_bfgs(w, x, o, &f, &gn);
        it += it2 + it3;
        maxed = it2 >= o->max_iter || it3 >= o->max_iter;
        r->method = o->newton ? "newton+bfgs2+nmsimplex2" : "bfgs2+nmsimplex2";
    }
done:;
    /* report the true gradient at the returned point (the penalty path zeroes it) */
    double ft = eval(w, x, g);
    if (isfinite(ft)) {
        f = ft;
        gn = norm2(g, w->n);
    }
    r->iterations = it;
    r->fmin = f;
    r->grad_norm = gn;
    r->status = gn <= o->gtol ? ENC_OPTIM_CONVERGED : maxed ? ENC_OPTIM_MAXITER : ENC_OPTIM_STALLED;
}

enc_rc enc_optim_minimize(int n, double *theta, enc_optim_fn fn, void *ctx,
                          const enc_optim_opts *opts, enc_optim_report *rep, enc_err *err)
{
    if (n < 1 || n > ENC_OPTIM_MAXN)
        return enc_fail(err, ENC_EUSAGE, "optimiser: dimension %d outside 1..%d", n,
                        ENC_OPTIM_MAXN);
    enc_optim_opts o = opts ? *opts : (enc_optim_opts){0};
    if (o.max_iter <= 0) o.max_iter = 1000;
    if (!(o.gtol > 0)) o.gtol = 1e-7;
    if (!(o.step > 0)) o.step = 0.1;
    if (o.n_starts < 0 || (o.n_starts > 0 && !o.starts)) o.n_starts = 0;

    gsl_error_handler_t *old = gsl_set_error_handler_off();
    enc_optim_report best = {
        .status = ENC_OPTIM_FAILED, .method = "none", .fmin = INFINITY, .grad_norm = INFINITY};
    double best_x[ENC_OPTIM_MAXN], x[ENC_OPTIM_MAXN];
    int n_eval = 0;
    for (int k = 0; k <= o.n_starts; k++) {
        memcpy(x, k == 0 ? theta : o.starts + (size_t)(k - 1) * (size_t)n, sizeof *x * (size_t)n);
        wrap w = {.n = n, .fn = fn, .ctx = ctx, .best_f = INFINITY};
        double f0 = fn(x, NULL, ctx);
        w.n_eval++;
        if (!isfinite(f0)) {
            n_eval += w.n_eval;
            continue;
        }
        enc_optim_report r = {0};
        run_start(&w, x, &o, &r);
        n_eval += w.n_eval;
        r.start = k;
        /* a better minimum wins; between equal ones, the converged one */
        if (best.status == ENC_OPTIM_FAILED || r.fmin < best.fmin - 1e-12 * fabs(best.fmin) ||
            (best.status != ENC_OPTIM_CONVERGED && r.status == ENC_OPTIM_CONVERGED &&
             r.fmin <= best.fmin + 1e-12 * fabs(best.fmin))) {
            best = r;
            memcpy(best_x, x, sizeof *x * (size_t)n);
        }
    }
    gsl_set_error_handler(old);
    best.n_eval = n_eval;
    if (rep) *rep = best;
    if (best.status == ENC_OPTIM_FAILED)
        return enc_fail(err, ENC_EFAIL, "optimiser: objective not finite at any starting point");
    memcpy(theta, best_x, sizeof *theta * (size_t)n);
    return ENC_OK;
}

const char *enc_optim_status_name(enc_optim_status s)
{
    switch (s) {
    case ENC_OPTIM_CONVERGED: return "converged";
    case ENC_OPTIM_MAXITER: return "iteration limit";
    case ENC_OPTIM_STALLED: return "stalled";
    case ENC_OPTIM_FAILED: return "failed";
    }
    return "?";
}
