/* clv.h — the one call the `encore clv` command (and scoring) makes: from transaction arrays
 * and a calibration end, summarise (clvdata), fit BG/NBD on grouped customers (bgnbd) and
 * Gamma-Gamma on the repeaters' mean spend (gammagamma), and write per-customer P(alive),
 * expected purchases, expected spend and discounted CLV into the caller's arrays.
 * Sits at the end of the intel stage's CLV path; takes plain arrays, knows nothing of the store. */
#ifndef ENCORE_INTEL_CLV_H
#define ENCORE_INTEL_CLV_H
#include "base/err.h"
#include "intel/bgnbd.h"
#include "intel/clvdata.h"
#include "intel/gammagamma.h"

typedef struct enc_clv_opts {
    int32_t cal_end;   /* last day of calibration, inclusive (day number); later rows ignored */
    double unit_days;  /* model time unit in days: 7 = weeks (0 = 7), 1 = days */
    double horizon;    /* expected purchases over (T, T + horizon], model units; 0 = 52 weeks */
    int months;        /* CLV horizon in months; 0 = 12 */
    double month_days; /* a month in days for the CLV steps; 0 = 30 (lifetimes' freq='D') */
    double discount;   /* monthly discount rate, e.g. 0.01; 0 = none */
} enc_clv_opts;

typedef struct enc_clv_result {
    enc_bgnbd_fit bg; /* parameters, log-likelihood, optimiser report */
    int has_spend;    /* 1 when value was given and Gamma-Gamma fitted */
    enc_gg_fit gg;
    size_t n_included;  /* customers with a first purchase on or before cal_end */
    size_t n_repeaters; /* of those, with x > 0 (the Gamma-Gamma sample) */
    int64_t repeat_cal; /* repeat purchase days in calibration */
    size_t n_groups;    /* distinct (x, t_x, T) the BG/NBD likelihood summed over */
} enc_clv_result;

/* Per-customer outputs, each NULL or an array of n_cust entries, filled for every customer
 * (excluded ones: included = 0 and 0 elsewhere). spend and clv need value. */
typedef struct enc_clv_out {
    uint8_t *included;
    int32_t *x;
    double *tx, *T; /* model units */
    double *p_alive;
    double *expected; /* E[purchases in (T, T + horizon]] */
    double *spend;    /* Gamma-Gamma E[mean spend | x, m] (population mean when x = 0) */
    double *clv;      /* enc_gg_clv over `months` months of month_days each, discounted */
} enc_clv_out;

/* Rows: cust[i] in [0, n_cust), day[i] day numbers, value[i] amounts (NULL: no spend model).
 * Fails with the fitting module's message when a model cannot be fitted (e.g. nobody repeats,
 * every spend equal), and ENC_EUSAGE on bad arguments. Allocates only temporaries. */
enc_rc enc_clv_run(size_t n_tx, const int32_t *cust, const int32_t *day, const double *value,
                   size_t n_cust, const enc_clv_opts *opts, enc_clv_out *out, enc_clv_result *res,
                   enc_err *err);
#endif
