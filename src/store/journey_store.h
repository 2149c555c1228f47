/* journey_store.h — journey state in the store (migration 11, branch journeys): one row per
 * customer and journey entry (the trigger's occurrence) with the step they are at, when they
 * entered, the how-many-th entry it is, the path taken ("reminder>not_opened>sms") and the
 * status; and the opens and clicks of a campaign's messages (tracking events naming the
 * message) that the branches look at. Written by campaign/plan.c after each plan, read before
 * the next (docs/campaigns.md, "Journeys"). */
#ifndef ENCORE_STORE_JOURNEY_STORE_H
#define ENCORE_STORE_JOURNEY_STORE_H
#include "base/err.h"
#include "base/map.h"
#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

typedef struct enc_jstate {
    int64_t customer;   /* store id */
    const char *entry;  /* the entry's occurrence key */
    int64_t entered_at; /* the entry's time */
    int32_t entry_no;   /* 1 for the customer's first entry of the campaign, ... */
    const char *step;   /* the step reached ("" before the first is due) */
    int64_t step_due;   /* when that step's message is due; 0 = none pending */
    const char *status; /* active, waiting, done, exited, holdout, stopped */
    const char *path;   /* steps and branches taken: "reminder>opened_not_bought>coupon" */
} enc_jstate;

/* A campaign's journey states, in customer then entry-time order; strings live in the arena.
 * Free with enc_jstates_free. */
typedef struct enc_jstates {
    enc_jstate *v;
    size_t n, cap;
    struct enc_arena *arena;
} enc_jstates;
enc_rc enc_jstates_load(enc_store *st, const char *campaign, enc_jstates *out, enc_err *err);
void enc_jstates_free(enc_jstates *s);
/* Inserts or replaces the state of (campaign, customer, entry); updated_at = now. Runs in the
 * caller's transaction, if any. */
enc_rc enc_jstate_put(enc_store *st, const char *campaign, const enc_jstate *s, int64_t now,
                      enc_err *err);

/* First open and first click of each message of the campaign, keyed by the message's
 * idempotency key: *opens and *clicks (new maps, the caller frees with enc_smap_free) map it to
 * the event's time. Tracking events name their message (props.message_id, src/server/track.c);
 * events naming no message of the campaign are not counted. */
enc_rc enc_journey_signals(enc_store *st, const char *campaign, enc_smap **opens, enc_smap **clicks,
                           enc_err *err);
/* The campaign's messages sent (state sent), keyed by idempotency key, to their sent_at: a new
 * map in *sent the caller frees with enc_smap_free. */
enc_rc enc_journey_sent(enc_store *st, const char *campaign, enc_smap **sent, enc_err *err);
#endif
