/* optim.h — the maximum-likelihood minimiser every fitted model in src/intel uses: GSL's
 * vector BFGS (gsl_multimin_fdfminimizer_vector_bfgs2) on unconstrained parameters (the models
 * pass log-parameters), with a Nelder-Mead simplex (nmsimplex2) fallback when BFGS stalls, and
 * several starting points on request. Sits under bgnbd/paretonbd/gammagamma in the intel stage. */
#ifndef ENCORE_INTEL_OPTIM_H
#define ENCORE_INTEL_OPTIM_H
#include "base/err.h"

/* The objective: returns f(theta) and, when grad != NULL, writes its gradient (n values).
 * Outside its domain it returns a non-finite value (the minimiser treats it as +inf and
 * backtracks). ctx is the caller's; the function must not keep theta or grad. */
typedef double (*enc_optim_fn)(const double *theta, double *grad, void *ctx);

typedef struct enc_optim_opts {
    int max_iter;         /* iterations per start and per method; 0 = 1000 */
    double gtol;          /* converged when the gradient's Euclidean norm <= gtol; 0 = 1e-7 */
    double step;          /* BFGS first trial step and simplex size; 0 = 0.1 */
    int n_starts;         /* further starting points in starts[] (n_starts rows of n values) */
    const double *starts; /* tried after theta; the best minimum over all starts wins */
    int no_fallback;      /* 1: never run Nelder-Mead (for testing BFGS alone) */
    int newton;           /* 1: damped Newton first (Hessian from gradient differences; for
                           * smooth objectives of a few parameters), BFGS only if it stalls */
} enc_optim_opts;

typedef enum enc_optim_status {
    ENC_OPTIM_CONVERGED = 0, /* gradient norm <= gtol at the returned point */
    ENC_OPTIM_MAXITER = 1,   /* iteration budget spent first */
    ENC_OPTIM_STALLED = 2,   /* no method could make progress, gradient still above gtol */
    ENC_OPTIM_FAILED = 3,    /* the objective was not finite at any starting point */
} enc_optim_status;

typedef struct enc_optim_report {
    enc_optim_status status;
    const char *method; /* "bfgs2", "bfgs2+nmsimplex2" (fallback ran), "newton", "newton+bfgs2",
                         * "newton+bfgs2+nmsimplex2" (with opts.newton), or "none" */
    int iterations;     /* over all methods, for the winning start */
    int n_eval;         /* objective evaluations over all starts */
    int start;          /* index of the winning start: 0 = theta, k = starts row k-1 */
    double fmin;        /* objective at the returned point */
    double grad_norm;   /* Euclidean norm of the gradient there */
} enc_optim_report;

/* Minimises fn over R^n starting at theta (in: start, out: best point found). opts may be NULL
 * (defaults); rep may be NULL. Returns ENC_OK whenever a finite minimum was found — read
 * rep->status for convergence — and ENC_EFAIL (with err) when the objective is not finite at
 * any start. n is at most ENC_OPTIM_MAXN. Allocates GSL workspaces per call (not per evaluation).
 */
enum { ENC_OPTIM_MAXN = 16 };
enc_rc enc_optim_minimize(int n, double *theta, enc_optim_fn fn, void *ctx,
                          const enc_optim_opts *opts, enc_optim_report *rep, enc_err *err);

const char *enc_optim_status_name(enc_optim_status s);
#endif
