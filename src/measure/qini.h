/* qini.h — how well a score ranks customers by the uplift a message causes: the Qini curve and
 * coefficient against random targeting, with a bootstrap interval (Radcliffe 2007, "Using
 * control groups to target on predicted lift", DMA Analytics Journal; the normalised form of
 * Gutierrez & Gerardy 2017, section 4). Customers sorted by score, highest first (ties by
 * position); with N_T, N_C the sizes of the treated and control groups, the curve at the top
 * share x is g(x) = Y_T(x)/N_T - Y_C(x)/N_C (conversions in the top x of each group), g(1) the
 * average uplift; random targeting is the line x g(1); the coefficient is the mean over every
 * cut of g - x g(1) (0 for a random score, positive when the score finds the persuadable).
 * Measurement stage; no SQL. */
#ifndef ENCORE_MEASURE_QINI_H
#define ENCORE_MEASURE_QINI_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

#define ENC_QINI_MAX_POINTS 101

typedef struct enc_qini {
    size_t n, n_treated, n_control;
    int points;                             /* curve points at x = k/(points-1) */
    double frac[ENC_QINI_MAX_POINTS];       /* x */
    double gain[ENC_QINI_MAX_POINTS];       /* g(x) */
    double top_uplift[ENC_QINI_MAX_POINTS]; /* conversion rate treated - control in the top x
                                               (NaN when a group has nobody there) */
    double ate;                             /* g(1): the uplift of sending to all */
    double coef, lo, hi;                    /* coefficient and its bootstrap interval */
    double level;
    int boot;
} enc_qini;

/* Computes q for score (n rows; NaN scores rank last) with treated[i] and y[i] flags.
 * points 2..ENC_QINI_MAX_POINTS; boot resamples (0 = no interval, lo = hi = NaN) with a
 * percentile interval at level, drawn from seed (deterministic). Fails when either group is
 * empty or arguments are out of range. */
enc_rc enc_qini_compute(const double *score, const uint8_t *treated, const uint8_t *y, size_t n,
                        int points, int boot, double level, uint64_t seed, enc_qini *q,
                        enc_err *err);
#endif
