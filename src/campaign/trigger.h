/* trigger.h — which customers a campaign's trigger selects in a window of time (from, to],
 * each with the occurrence that makes their message unique: the campaign for a one-off, the
 * slot for a recurring run, the event for event + delay (the order, the abandoned cart, the
 * day of a behaviour event), the date for birthdays, anniversaries, holidays and predicted
 * dates. Reads the snapshot only (and the profiles' next-order column given by the caller);
 * second step of the campaign stage, between the spec (spec.h) and the planner (plan.h). */
#ifndef ENCORE_CAMPAIGN_TRIGGER_H
#define ENCORE_CAMPAIGN_TRIGGER_H
#include "base/datetime.h"
#include "base/mem.h"
#include "campaign/spec.h"
#include "snapshot/snapshot.h"
#include <stdint.h>

typedef struct enc_trig_ctx {
    const enc_snapshot *s;
    enc_tz *const *tz;        /* per customer (snapshot index); NULL entries = UTC */
    const double *next_order; /* per customer: profiles.next_order_date (epoch s, NAN = none);
                               * NULL when not loaded */
    const uint64_t *members;  /* bitset over customers to consider (the audience); NULL = all */
    int64_t once_at;          /* once: the due time (the file's "at", else the start) */
    int64_t started_at;       /* the campaign's first start (recurring's default origin) */
} enc_trig_ctx;

typedef struct enc_occ {
    int32_t cust;    /* snapshot index */
    int32_t step;    /* 0-based step of an event trigger with several delays */
    int64_t ref;     /* the event's time: exit conditions look after it */
    int64_t due;     /* when the message is due, in (from, to] */
    const char *key; /* the occurrence ("order:123#1", "birthday:2026-03-14"), in the arena */
    int32_t prod_off, nprod; /* the occurrence's products: prod[prod_off ..] (snapshot ids) */
    int32_t info;            /* anniversary: years; no_purchase: days since the order; holiday: its
                              * index in the trigger's list; otherwise 0 */
    int64_t date;            /* the event's calendar day (days since 1970-01-01, customer's zone) */
} enc_occ;

/* Occurrences in customer order (then due time). The owner frees it with enc_occ_list_free. */
typedef struct enc_occ_list {
    enc_occ *v;
    size_t n, cap;
    int32_t *prod;
    size_t nprod, capprod;
    enc_arena *arena;
} enc_occ_list;

/* Every occurrence of trigger t due in (from, to], over the customers of c->members. At most one
 * occurrence per (customer, key): the earliest. The snapshot must hold the data up to `to`. */
enc_rc enc_trigger_select(const enc_spec_trigger *t, const enc_trig_ctx *c, int64_t from,
                          int64_t to, enc_occ_list *out, enc_err *err);
void enc_occ_list_free(enc_occ_list *l);

/* The local calendar day (days since 1970-01-01) of instant t in zone tz (NULL = UTC). */
int64_t enc_local_day(const enc_tz *tz, int64_t t);
#endif
