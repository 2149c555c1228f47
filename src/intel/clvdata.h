/* clvdata.h — from transactions (customer index, day number, value) to the per-customer
 * summary the probabilistic CLV models take: x (repeat purchase days), t_x (recency), T (age)
 * at a calibration end, holdout repeat counts, and mean spend per repeat purchase. Sits between
 * the snapshot's column arrays and bgnbd / paretonbd / gammagamma in the intel stage.
 * Conventions (Fader, Hardie & Lee 2005; docs/models.md): purchases of one customer on one day
 * are one transaction whose value is the day's sum; x = distinct purchase days in calibration
 * minus 1; t_x = last - first purchase day; T = calibration end - first purchase day; both
 * divided by unit_days (1 = days, 7 = weeks); a customer whose first purchase is after the
 * calibration end (or who has none) is excluded: weight 0, every field 0. */
#ifndef ENCORE_INTEL_CLVDATA_H
#define ENCORE_INTEL_CLVDATA_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

/* What the transaction models (BG/NBD, Pareto/NBD) read: n customers or groups of identical
 * customers. w may be NULL (every weight 1); a weight of 0 leaves the row out. Borrowed arrays. */
typedef struct enc_clv_obs {
    size_t n;
    const int32_t *x; /* repeat purchases, >= 0 */
    const double *tx; /* time of the last purchase since the first, 0 <= tx <= T */
    const double *T;  /* time from the first purchase to the calibration end */
    const double *w;  /* weights (customers a row stands for), or NULL */
} enc_clv_obs;

/* Mean spend convention. REPEAT (default) averages the values of the repeat purchase days,
 * leaving the first purchase out, as Fader, Hardie & Lee (2005) do for the Gamma-Gamma model;
 * it is the one that reproduces their p, q, gamma on CDNOW (tests/unit/test_gammagamma.c).
 * ALL averages every calibration purchase day, the first included. */
typedef enum enc_clv_spend { ENC_CLV_SPEND_REPEAT = 0, ENC_CLV_SPEND_ALL = 1 } enc_clv_spend;

typedef struct enc_clv_period {
    int32_t cal_end;     /* last day of calibration, inclusive (day number) */
    int32_t holdout_end; /* last day of the holdout, inclusive; <= cal_end: no holdout */
    double unit_days;    /* 1 = model time in days, 7 = in weeks; 0 = 7 */
    enc_clv_spend spend;
} enc_clv_period;

/* The summary; every array has n entries, indexed by customer, owned by the summary. */
typedef struct enc_clv_summary {
    size_t n;
    int32_t *x;             /* repeat purchase days in calibration */
    double *tx, *T;         /* in model units */
    double *w;              /* 1 = in the calibration sample, 0 = excluded */
    int32_t *x_holdout;     /* distinct purchase days in (cal_end, holdout_end] */
    double *spend;          /* mean value per purchase day by the spend convention; 0 when none */
    size_t n_included;      /* customers with w = 1 */
    size_t n_repeaters;     /* included customers with x > 0 */
    int64_t repeat_cal;     /* sum of x over included customers */
    int64_t repeat_holdout; /* sum of x_holdout over included customers */
    double holdout_len;     /* holdout length in model units (0 without a holdout) */
} enc_clv_summary;

/* Summarises n_tx transactions: cust[i] in [0, n_cust) (rows in any order), day[i] a day number
 * (e.g. days since 1970-01-01 in the shop's time zone), value[i] its amount (NULL: all 0; must be
 * finite). Fills *out (free with enc_clv_summary_free, also after a failure). Fails with
 * ENC_EUSAGE on a customer index out of range or a non-finite value. O(n_tx + n_cust) plus a
 * per-customer sort of days when the rows are not already sorted by (cust, day). */
enc_rc enc_clv_summarize(size_t n_tx, const int32_t *cust, const int32_t *day, const double *value,
                         size_t n_cust, const enc_clv_period *period, enc_clv_summary *out,
                         enc_err *err);
void enc_clv_summary_free(enc_clv_summary *s);

/* The summary as model input (borrows the summary's arrays). */
enc_clv_obs enc_clv_summary_obs(const enc_clv_summary *s);

/* Groups identical (x, tx, T) rows of `in` (weight 0 rows dropped) into weighted rows: the
 * likelihoods then cost one term per distinct triple, and predictions are computed once per
 * group. Output arrays are owned by *g (free with enc_clv_groups_free); g->obs borrows them. */
typedef struct enc_clv_groups {
    enc_clv_obs obs;
    int32_t *x;
    double *tx, *T, *w;
    size_t *of; /* of[i] = group of input row i, or SIZE_MAX for a dropped row (in->n entries) */
} enc_clv_groups;
void enc_clv_group(const enc_clv_obs *in, enc_clv_groups *g);
void enc_clv_groups_free(enc_clv_groups *g);

/* Largest x over rows with nonzero weight (0 when none); -1 when some x is negative or some
 * row has tx < 0, tx > T or a non-finite or negative weight: the models reject such data. */
int64_t enc_clv_obs_check(const enc_clv_obs *d, double *total_weight);
#endif
