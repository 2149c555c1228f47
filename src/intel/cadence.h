/* cadence.h — per-customer purchase rhythm from sorted purchase times: tenure, recency, mean and
 * spread of the gaps between purchases, the drift of the last gap against the mean, purchases in
 * recent windows, the next-order estimate, and per-category replenishment dates. The snapshot
 * calls these on its customer-sorted arrays; lifecycle and churn read the results. Kernels
 * never allocate: the caller passes the output arrays and a small workspace. */
#ifndef ENCORE_INTEL_CADENCE_H
#define ENCORE_INTEL_CADENCE_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

#define ENC_CADENCE_WINDOWS 3
#define ENC_CADENCE_NONE INT64_MIN /* "no date": next order / replenishment unknown */

typedef struct enc_cadence_config {
    /* Orders less than merge_seconds after the first order of a purchase occasion join that
     * occasion (a basket split in two, a same-day top-up): gaps are between occasions, and
     * every count below counts occasions. Default 86400 (one day); 0 keeps every order. */
    int64_t merge_seconds;
    /* Windows for the recent-purchase counts, in days. Default 30, 90, 365. */
    double window_days[ENC_CADENCE_WINDOWS];
    /* Expected gap for customers with one occasion (no gap of their own), in days, used by the
     * next-order estimate. Default NaN: no estimate; a caller sets the population median gap. */
    double default_gap_days;
} enc_cadence_config;
void enc_cadence_config_default(enc_cadence_config *c);

/* Outputs, one element a customer. Any pointer may be NULL (not wanted). Days are double
 * (86400 s a day). With no occasion up to as_of: occasions 0, every double NaN, every time
 * ENC_CADENCE_NONE, counts 0. Gap fields need two occasions (NaN otherwise); gap_std needs three
 * (sample standard deviation, n-1 denominator). */
typedef struct enc_cadence_out {
    int32_t *occasions;          /* purchase occasions up to as_of */
    int64_t *first_ts, *last_ts; /* first and last occasion (start times) */
    double *tenure_days;         /* as_of - first */
    double *recency_days;        /* as_of - last */
    double *mean_gap_days;       /* (last - first) / (occasions - 1) */
    double *gap_std_days;        /* sample std of the gaps */
    double *median_gap_days;     /* median of the gaps */
    double *last_gap_days;       /* last - the occasion before it */
    double *drift;               /* last_gap / mean_gap: > 1 slowing down, < 1 speeding up */
    int32_t *count[ENC_CADENCE_WINDOWS]; /* occasions in (as_of - window, as_of] */
    double *expected_gap_days;           /* the gap the next-order estimate used (see below) */
    int64_t *next_ts;                    /* last + expected gap; may lie before as_of: overdue */
} enc_cadence_out;

/* Length (in doubles) of the workspace enc_cadence_compute needs: the largest number of
 * purchases of one customer. off: n+1 offsets. */
size_t enc_cadence_ws_len(const int64_t *off, size_t n);

/* Customer i's purchase times are ts[off[i] .. off[i+1]), ascending, UTC epoch seconds; purchases
 * after as_of are ignored (so features at an earlier cut-off come from the same arrays).
 * rate_per_day: NULL, or each customer's expected purchase rate per day from a model (e.g. the
 * BG/NBD conditional expectation over a horizon divided by the horizon); a finite positive rate
 * gives expected gap 1/rate. Otherwise the expected gap is the customer's median gap when they
 * have one, else cfg->default_gap_days. Fails (ENC_EUSAGE) on times out of order or offsets that
 * decrease. ws: enc_cadence_ws_len doubles. */
enc_rc enc_cadence_compute(const enc_cadence_config *cfg, const int64_t *ts, const int64_t *off,
                           size_t n, int64_t as_of, const double *rate_per_day,
                           const enc_cadence_out *out, double *ws, size_t ws_len, enc_err *err);

/* Replenishment: group g (one customer's purchases of one category, or of one replenishable
 * product) has purchase times ts[off[g] .. off[g+1]) ascending and quantities qty[...] (NULL = 1
 * each). Occasions are merged as above (quantities add). The interval is the group's own median
 * gap when it has at least min_own_gaps gaps, else cycle_days[g] x the last occasion's quantity
 * (a pack of two lasts twice as long); due_ts[g] = last occasion + interval, ENC_CADENCE_NONE
 * when neither is known (cycle NaN or <= 0). interval_days may be NULL. Purchases after as_of
 * are ignored. ws: enc_cadence_ws_len(off, ngroups) doubles. */
enc_rc enc_cadence_replenish(const int64_t *ts, const double *qty, const int64_t *off,
                             size_t ngroups, const double *cycle_days, int min_own_gaps,
                             int64_t merge_seconds, int64_t as_of, int64_t *due_ts,
                             double *interval_days, double *ws, size_t ws_len, enc_err *err);

/* Median of x[0..n) (n >= 1), reordering x in place: quickselect, linear on average. */
double enc_cadence_median(double *x, size_t n);
#endif
