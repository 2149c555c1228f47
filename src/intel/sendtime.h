/* sendtime.h — each customer's best hour of the week to receive a message (issue 19 item 3),
 * from the hours of their opens, clicks and orders in their local time, shrunk toward the
 * population's pattern when their history is thin. The model (a Dirichlet-multinomial
 * posterior mean, Gelman et al., Bayesian Data Analysis, 3rd ed., section 3.5): with n_h the
 * customer's weighted responses at hour of day h (smoothed over the neighbouring hours,
 * circularly, by the kernel 1/4, 1/2, 1/4), n their total and p0_h the population's share of
 * hour h (its own counts plus one each), the customer's hour-of-day distribution is
 *   P(h) = (n_h + a p0_h) / (n + a),   a the prior strength in pseudo-responses,
 * and a slot (day d, hour h) scores P(h) x P(d | h) with the day shrunk the same way,
 *   P(d | h) = (n_dh + a P0(d | h)) / (n_h + a)   (n_dh, n_h unsmoothed),
 * toward the population's day share at that hour: a customer's daily rhythm is learned from
 * a few responses, the weekly one mostly from everyone. The population's hour shares are
 * smoothed by the same kernel, plus one each.
 * Plain arrays, no allocation; the caller converts times to local slots. */
#ifndef ENCORE_INTEL_SENDTIME_H
#define ENCORE_INTEL_SENDTIME_H
#include <stddef.h>
#include <stdint.h>

#define ENC_SENDTIME_SLOTS 168 /* hour of the week: day (0 = Monday) x 24 + hour */

/* The population's pattern: counts over every customer's responses. */
typedef struct enc_sendtime_pop {
    double count[ENC_SENDTIME_SLOTS];
    double hod[24];                 /* P0(h), after add-one smoothing */
    double dow[ENC_SENDTIME_SLOTS]; /* P0(d | h) at slot d * 24 + h */
    double prior;                   /* a [4] */
} enc_sendtime_pop;

/* Starts an empty population (prior strength a; <= 0 takes 4). */
void enc_sendtime_pop_init(enc_sendtime_pop *p, double prior);
/* Adds one customer's responses (weighted counts per slot) to the population. */
void enc_sendtime_pop_add(enc_sendtime_pop *p, const double *slots);
/* Computes hod and dow from the counts; call after the last add. */
void enc_sendtime_pop_finish(enc_sendtime_pop *p);

/* The customer's slot scores (168, summing to 1) into score, from their weighted responses per
 * slot. Returns the best slot among allowed (allowed[s] != 0; NULL = every slot; ties to the
 * earlier slot), or -1 when no slot is allowed. */
int enc_sendtime_best(const enc_sendtime_pop *p, const double *slots, const uint8_t *allowed,
                      double *score);

/* The slot (0..167) of epoch time t at UTC offset off_s seconds. */
int enc_sendtime_slot(int64_t t, int64_t off_s);
#endif
