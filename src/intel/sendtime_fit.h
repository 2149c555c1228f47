/* sendtime_fit.h — every customer's best hour of the week from the store (issue 19 item 3):
 * their opens, clicks and paid orders in a window (store/store_sendtime.h), each put in its
 * hour of the week in the shop's zone and weighted by kind, the population's pattern from
 * everyone, then each customer's best allowed slot (intel/sendtime.h). */
#ifndef ENCORE_INTEL_SENDTIME_FIT_H
#define ENCORE_INTEL_SENDTIME_FIT_H
#include "base/datetime.h"
#include "intel/sendtime.h"
#include "store/store_sendtime.h"
#include <stddef.h>
#include <stdint.h>

/* The weight of one response of each kind: an open 1, a click 2, a paid order 3 (a click
 * and an order say more about when the customer acts than an open does). */
extern const double enc_sendtime_weight[ENC_ST_KINDS];

/* One customer with a response in the window. */
typedef struct enc_sendtime_best_row {
    int64_t customer_id;
    double responses; /* weighted */
    int16_t best;     /* slot 0..167 (Monday 00:00 first, shop zone), -1 when none allowed */
} enc_sendtime_best_row;

/* Best slots of every customer with a response in [since, until), in customer id order, into
 * *out (caller frees with free()), *n of them; the population's pattern into *pop (may be
 * NULL). tz NULL = UTC; prior <= 0 takes the model's default; allowed NULL = every slot. */
enc_rc enc_sendtime_fit(enc_store *st, const enc_tz *tz, int64_t since, int64_t until, double prior,
                        const uint8_t *allowed, enc_sendtime_best_row **out, size_t *n,
                        enc_sendtime_pop *pop, enc_err *err);

/* A fitted model kept for scoring: the population, every customer's responses (codes slot x
 * ENC_ST_KINDS + kind, rows[i]'s from start[i] to start[i + 1] or ncode), rows as above. */
typedef struct enc_sendtime_model {
    enc_sendtime_pop pop;
    enc_sendtime_best_row *rows;
    size_t n, ncode;
    size_t *start;
    uint16_t *code;
} enc_sendtime_model;

/* Fits *m from the responses in [since, until) in zone tz (NULL = UTC); rows[i].best over every
 * slot. Free with enc_sendtime_model_free (also after a failure). */
enc_rc enc_sendtime_model_fit(enc_store *st, const enc_tz *tz, int64_t since, int64_t until,
                              double prior, enc_sendtime_model *m, enc_err *err);
void enc_sendtime_model_free(enc_sendtime_model *m);
/* The 168 slot scores of row i (i < 0: a customer without responses: the population's). */
void enc_sendtime_model_scores(const enc_sendtime_model *m, ptrdiff_t i, double *score);

/* The index of customer_id in rows (sorted by customer id, as enc_sendtime_fit leaves them),
 * or -1. */
ptrdiff_t enc_sendtime_find(const enc_sendtime_best_row *rows, size_t n, int64_t customer_id);
#endif
