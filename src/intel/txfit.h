/* txfit.h — the maximum-likelihood procedure BG/NBD and Pareto/NBD share (intel stage, under
 * bgnbd.c and paretonbd.c): the data checks every transaction model makes, the minimiser run
 * from the model's start with spread restarts when it does not converge, and the verdicts that
 * turn a run-away or unconverged fit into a message. The models supply their objective over
 * four log-parameters, their start and the names used in messages. */
#ifndef ENCORE_INTEL_TXFIT_H
#define ENCORE_INTEL_TXFIT_H
#include "base/err.h"
#include "intel/clvdata.h"
#include "intel/optim.h"

typedef struct enc_txfit_model {
    const char *name;      /* "bg/nbd": the prefix of every message */
    const char *params[4]; /* the parameters' names, in theta's order */
    double spread[3][4];   /* offsets of the three restarts from the start, in logs */
} enc_txfit_model;

/* Checks d for a transaction model: *xmax (largest x), *tw (total weight), *sx and *sT
 * (weighted sums of x and T).
 * Fails (with the model's name) on invalid rows, no weight, nobody repeating or no time. */
enc_rc enc_txfit_check(const enc_txfit_model *m, const enc_clv_obs *d, int64_t *xmax, double *tw,
                       double *sx, double *sT, enc_err *err);

/* Minimises f over th (in: start; out: the point found) with gtol 1e-6 and the damped Newton
 * method first; when that does not converge, the spread restarts, keeping whichever is better.
 * *found says th holds a minimiser's point (also when the verdict below fails: the best point
 * is returned for inspection). Fails when the minimiser does, when a log-parameter ran past
 * +-25 (the data do not identify the model) or when the fit did not converge. */
enc_rc enc_txfit_run(const enc_txfit_model *m, enc_optim_fn f, void *ctx, double th[4],
                     enc_optim_report *rep, int *found, enc_err *err);
/* The start in log-parameters: the logs of p4 (r, alpha, then the model's two others), or when
 * p4 is NULL r = 1 and the rest 1 with alpha matching the mean repeat rate sT / sx. Fails when a
 * parameter of p4 is not positive. */
enc_rc enc_txfit_start(const enc_txfit_model *m, const double *p4, double sT, double sx,
                       double th[4], enc_err *err);

/* The gradient of -scale x log-likelihood in log-parameters from gp, its gradient in the
 * parameters at exp(th): g[j] = -scale e^th[j] gp[j]. */
void enc_txfit_chain(const double th[4], const double gp[4], double scale, double g[4]);
/* A model's log-likelihood on d at the four parameters p, with its gradient when grad != NULL
 * (NaN for invalid parameters). */
typedef double (*enc_txfit_ll)(const double p[4], const enc_clv_obs *d, double *grad);

/* The whole procedure for a model without workspace: checks d, starts from start4 (or the data's
 * default, see enc_txfit_start), minimises the mean negative log-likelihood over log-parameters
 * and writes the parameters found into p4 and their log-likelihood into *ll_out (also when the
 * verdict fails, if a point was found; *found says so). */
enc_rc enc_txfit_fit(const enc_txfit_model *m, enc_txfit_ll ll, const enc_clv_obs *d,
                     const double *start4, double p4[4], double *ll_out, enc_optim_report *rep,
                     int *found, enc_err *err);
#endif
