/* campdb.h — what campaigns keep in the store (schema migration "campaigns"): the campaigns
 * with their state and trigger watermark, their members (who got which variant on which
 * channel for which occurrence, and who was held out as the control), the coupons issued and
 * redeemed, the A/B decision, and the shared contact-policy settings. Also the reads the
 * planner needs from the outbox: recent message history of every campaign (frequency caps)
 * and the suppression list. The SQL lives here, on the store's handle (as outbox.c does). */
#ifndef ENCORE_CAMPAIGN_CAMPDB_H
#define ENCORE_CAMPAIGN_CAMPDB_H
#include "base/err.h"
#include "base/map.h"
#include "campaign/spec.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

/* ---- campaigns --------------------------------------------------------------------------- */
typedef struct enc_camp_row {
    char name[ENC_SPEC_MAX_NAME];
    char state[16]; /* draft, running, paused, stopped */
    char *spec;     /* the campaign file as given (malloc'ed) */
    int priority;
    int64_t created_at, updated_at;
    int64_t started_at;   /* first start, 0 = never */
    int64_t processed_to; /* triggers: occurrences due up to here are planned; 0 = none */
    int64_t ab_decide_at; /* started_at + ab.decide_after, 0 = no test */
    char ab_winner[ENC_SPEC_MAX_NAME]; /* "" = not decided */
    int64_t ab_decided_at, ab_rollout_at;
    char *ab_report; /* JSON (malloc'ed) or NULL */
} enc_camp_row;
void enc_camp_row_free(enc_camp_row *r);

/* ENC_ENOTFOUND when there is no campaign of that name. */
enc_rc enc_camp_get(enc_store *st, const char *name, enc_camp_row *out, enc_err *err);
/* Inserts the campaign (state `state`) or replaces its file, priority and on_cap keeping its
 * history; the state is set when state is non-NULL. *created (may be NULL) tells. */
enc_rc enc_camp_put(enc_store *st, const enc_spec *spec, const char *state, int64_t now,
                    bool *created, enc_err *err);
enc_rc enc_camp_set_state(enc_store *st, const char *name, const char *state, int64_t now,
                          enc_err *err);
/* First start: sets started_at (when unset) and the A/B decision time. */
enc_rc enc_camp_started(enc_store *st, const enc_spec *spec, int64_t now, enc_err *err);
enc_rc enc_camp_set_processed(enc_store *st, const char *name, int64_t to, enc_err *err);
enc_rc enc_camp_set_ab(enc_store *st, const char *name, const char *winner, int64_t decided_at,
                       const char *report, enc_err *err);
enc_rc enc_camp_set_rollout(enc_store *st, const char *name, int64_t at, enc_err *err);
/* Every campaign, by priority (highest first) then name; free each row and the array. */
enc_rc enc_camp_list(enc_store *st, enc_camp_row **rows, size_t *n, enc_err *err);
/* A run's counts, for `campaign show` (history of plans written). */
enc_rc enc_camp_log_run(enc_store *st, const char *name, int64_t at, int64_t from, int64_t to,
                        int64_t audience, int64_t messages, int64_t holdout, int64_t added,
                        enc_err *err);

/* ---- per-message writes ------------------------------------------------------------------
 * The statements of the writes made once per message (coupons, members), prepared once for a
 * writing loop. Functions taking a writer accept NULL (then they prepare per call). Free the
 * writer before the store is closed. */
typedef struct enc_camp_writer enc_camp_writer;
enc_camp_writer *enc_camp_writer_new(enc_store *st);
void enc_camp_writer_free(enc_camp_writer *w);

/* ---- members ------------------------------------------------------------------------------ */
typedef struct enc_member {
    int64_t customer;
    const char *occurrence;
    bool holdout;
    const char *variant, *channel, *message_key; /* NULL for the holdout */
    int64_t at;                                  /* the message's due time, or when held out */
} enc_member;
/* The members of a campaign, keyed "customer|occurrence" in *index (value = position). The
 * caller frees with enc_members_free. */
typedef struct enc_members {
    enc_member *v;
    size_t n, cap;
    enc_smap *index;
    struct enc_arena *arena;
} enc_members;
enc_rc enc_members_load(enc_store *st, const char *campaign, enc_members *out, enc_err *err);
const enc_member *enc_members_find(const enc_members *m, int64_t customer, const char *occurrence);
void enc_members_free(enc_members *m);
/* Records a member (the first record of a customer and occurrence stays). Runs in the
 * caller's transaction. */
enc_rc enc_member_add(enc_store *st, enc_camp_writer *w, const char *campaign, const enc_member *m,
                      enc_err *err);

/* ---- the outbox as the planner sees it ---------------------------------------------------- */
/* Messages of every campaign in force for frequency caps (queued, sending, sent, reconcile)
 * whose time (sent_at, else due_at) is at or after `since`, in customer order. queued marks
 * those not yet sent; on_cap_defer is their campaign's rule (false for messages of no known
 * campaign, which are never moved). Arrays are malloc'ed and freed with enc_history_free. */
typedef struct enc_history {
    size_t n;
    int64_t *customer, *at, *id;
    uint8_t *channel; /* enc_channel; messages on other channels are left out */
    int8_t *priority;
    uint8_t *queued, *on_cap_defer;
    int64_t *deadline; /* min(deadline, coupon expiry) of queued messages; 0 = none */
} enc_history;
enc_rc enc_history_load(enc_store *st, int64_t since, enc_history *out, enc_err *err);
void enc_history_free(enc_history *h);
/* Moves a queued message to a new due time (at > 0) or cancels it (at == 0), only while it is
 * still queued. Runs in the caller's transaction. */
enc_rc enc_history_displace(enc_store *st, int64_t message_id, int64_t at, enc_err *err);

/* Every suppressed (channel, address) as "channel\naddress" (address lower-cased) -> 1; "*"
 * is the every-channel channel. The caller frees the map. */
enc_rc enc_suppressions_load(enc_store *st, enc_smap **out, enc_err *err);

/* ---- coupons ------------------------------------------------------------------------------ */
typedef struct enc_coupon_rec {
    char code[ENC_SPEC_MAX_NAME + 16];
    const char *campaign, *message_key;
    int64_t customer;
    bool percent;
    int64_t amount, min_spend, issued_at, expires_at; /* expires_at 0 = none */
} enc_coupon_rec;
/* The code already issued with message_key (*found false when none). */
enc_rc enc_coupon_find(enc_store *st, enc_camp_writer *w, const char *message_key, char *code,
                       size_t cap, int64_t *expires_at, bool *found, enc_err *err);
/* Issues a new code for r (made with enc_coupon_make; a clash with an existing code draws
 * again) and stores it; r->code gets the code. Runs in the caller's transaction. */
enc_rc enc_coupon_issue(enc_store *st, enc_camp_writer *w, enc_coupon_rec *r, const char *prefix,
                        int length, enc_err *err);
/* Revokes the coupon issued with message_key (a loyalty reward's, "loyalty:ENTRY") unless it was
 * redeemed: *state 0 none issued, 1 revoked now or before, 2 already redeemed (left as is).
 * Runs in the caller's transaction. */
enc_rc enc_coupon_revoke_key(enc_store *st, const char *message_key, int64_t now, int *state,
                             enc_err *err);
/* Coupons issued by a campaign (any when NULL) and how many were redeemed. */
enc_rc enc_coupon_counts(enc_store *st, const char *campaign, int64_t *issued, int64_t *redeemed,
                         enc_err *err);
/* Matches paid orders imported since the last call (orders.id above the kept watermark)
 * whose coupon, normalised with enc_coupon_check, is an issued, unredeemed coupon valid at
 * the order's time: the coupon records the order and its time. *n gets how many. */
enc_rc enc_coupon_redeem(enc_store *st, int64_t *n, enc_err *err);

/* ---- settings ----------------------------------------------------------------------------- */
/* The stored settings JSON over the defaults. */
enc_rc enc_settings_load(enc_store *st, enc_settings *out, enc_err *err);
enc_rc enc_settings_save(enc_store *st, const enc_settings *s, enc_err *err);

/* ---- counts for show ---------------------------------------------------------------------- */
typedef struct enc_camp_counts {
    int64_t members, holdout, messages;
    int64_t by_state[9]; /* outbox states (enc_msg_state order) of the campaign's messages */
    int64_t coupons, redeemed;
    int64_t coupons_sent;    /* issued with a message that was sent */
    int64_t coupons_revoked; /* revoked (the campaign was stopped before their message went) */
    struct {
        char reason[32];
        int64_t n;
    } expired[12]; /* expired messages by reason (last_error), largest first */
    int nexpired;
} enc_camp_counts;
/* Revokes the campaign's coupons whose message was not sent (nor is being sent): stopping a
 * campaign. A revoked coupon is never redeemed. *n gets how many. */
enc_rc enc_coupon_revoke_unsent(enc_store *st, const char *campaign, int64_t now, int64_t *n,
                                enc_err *err);
enc_rc enc_camp_counts_get(enc_store *st, const char *name, enc_camp_counts *out, enc_err *err);

#endif
