/* campaign_store.h — the campaign tables of the store (migration "campaigns"): campaigns with
 * their state and trigger watermark, their members, coupons issued and redeemed, the A/B
 * decision, campaign settings, and the planner's reads of the outbox (message history for
 * frequency caps, the suppression list). Plain rows in and out; campaign/campdb.h adds what
 * needs a campaign spec or the contact policy. Strings in rows are malloc'ed unless said. */
#ifndef ENCORE_STORE_CAMPAIGN_STORE_H
#define ENCORE_STORE_CAMPAIGN_STORE_H
#include "base/err.h"
#include "base/map.h"
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_CAMP_NAME_MAX 64 /* = ENC_SPEC_MAX_NAME (checked in campaign/campdb.c) */

/* ---- campaigns --------------------------------------------------------------------------- */
typedef struct enc_camp_row {
    char name[ENC_CAMP_NAME_MAX];
    char state[16]; /* draft, running, paused, stopped */
    char *spec;     /* the campaign file as given (malloc'ed) */
    int priority;
    int64_t created_at, updated_at;
    int64_t started_at;   /* first start, 0 = never */
    int64_t processed_to; /* triggers: occurrences due up to here are planned; 0 = none */
    int64_t ab_decide_at; /* started_at + ab.decide_after, 0 = no test */
    char ab_winner[ENC_CAMP_NAME_MAX]; /* "" = not decided */
    int64_t ab_decided_at, ab_rollout_at;
    char *ab_report; /* JSON (malloc'ed) or NULL */
} enc_camp_row;
void enc_camp_row_free(enc_camp_row *r);

/* ENC_ENOTFOUND when there is no campaign of that name. */
enc_rc enc_camp_get(enc_store *st, const char *name, enc_camp_row *out, enc_err *err);
/* Inserts the campaign (state `state`, "draft" when NULL) or replaces its file text, priority
 * and on_cap keeping its history; the state is set when state is non-NULL. *created (may be
 * NULL) tells. */
enc_rc enc_camp_store_put(enc_store *st, const char *name, const char *text, const char *state,
                          int priority, bool on_cap_defer, int64_t now, bool *created,
                          enc_err *err);
enc_rc enc_camp_set_state(enc_store *st, const char *name, const char *state, int64_t now,
                          enc_err *err);
/* First start: sets started_at (when unset) and, when decide_after > 0, the A/B decision time
 * started_at + decide_after (else clears it). */
enc_rc enc_camp_store_started(enc_store *st, const char *name, int64_t now, int64_t decide_after,
                              enc_err *err);
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
/* campaign_settings: *val gets a malloc'ed copy of key's value, NULL when absent. */
enc_rc enc_camp_setting_get(enc_store *st, const char *key, char **val, enc_err *err);
enc_rc enc_camp_setting_put(enc_store *st, const char *key, const char *val, enc_err *err);

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
 * campaign, which are never moved). channel(name) gives a message's channel number, < 0 for
 * channels left out. Arrays are malloc'ed and freed with enc_history_free. */
typedef struct enc_history {
    size_t n;
    int64_t *customer, *at, *id;
    uint8_t *channel; /* enc_channel; messages on other channels are left out */
    int8_t *priority;
    uint8_t *queued, *on_cap_defer;
    int64_t *deadline; /* min(deadline, coupon expiry) of queued messages; 0 = none */
} enc_history;
enc_rc enc_history_scan(enc_store *st, int64_t since, int (*channel)(const char *name),
                        enc_history *out, enc_err *err);
void enc_history_free(enc_history *h);
/* Moves a queued message to a new due time (at > 0), cancels it (at == 0) or expires it
 * (at < 0), only while it is still queued. Runs in the caller's transaction. */
enc_rc enc_history_displace(enc_store *st, int64_t message_id, int64_t at, enc_err *err);

/* Every suppressed (channel, address) as "channel\naddress" (address lower-cased) -> 1; "*"
 * is the every-channel channel. The caller frees the map. */
enc_rc enc_suppressions_load(enc_store *st, enc_smap **out, enc_err *err);

/* ---- coupons ------------------------------------------------------------------------------ */
typedef struct enc_coupon_rec {
    char code[ENC_CAMP_NAME_MAX + 16];
    const char *campaign, *message_key;
    int64_t customer;
    bool percent;
    int64_t amount, min_spend, issued_at, expires_at; /* expires_at 0 = none */
} enc_coupon_rec;
/* The code already issued with message_key (*found false when none). */
enc_rc enc_coupon_find(enc_store *st, enc_camp_writer *w, const char *message_key, char *code,
                       size_t cap, int64_t *expires_at, bool *found, enc_err *err);
/* Stores coupon r (code r->code, normalised norm) unless its code or message key is taken:
 * *inserted tells. Runs in the caller's transaction. */
enc_rc enc_coupon_insert(enc_store *st, enc_camp_writer *w, const enc_coupon_rec *r,
                         const char *norm, bool *inserted, enc_err *err);
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
/* Every unredeemed, unrevoked coupon: fn(ctx, norm, id). */
enc_rc enc_coupon_open_scan(enc_store *st, void (*fn)(void *ctx, const char *norm, int64_t id),
                            void *ctx, enc_err *err);
/* The highest order id (0 when there are none). */
int64_t enc_orders_max_id(enc_store *st);
/* Redemption of coupons by paid orders last < id <= maxid with a coupon, in time order, in one
 * transaction that ends by writing maxid as the setting "redeem_order_id". For each order
 * match(ctx, code) gives the coupon id it may redeem (0: none); check(ctx, order's code, the
 * issued code, order time, valid from, valid until (0: open)) decides; a true check marks the
 * coupon redeemed by the order (unless redeemed or revoked meanwhile: *n counts those
 * marked). */
typedef struct enc_coupon_redeem_ops {
    int64_t (*match)(void *ctx, const char *code);
    bool (*check)(void *ctx, const char *code, const char *issued, int64_t ts, int64_t from,
                  int64_t until);
    void *ctx;
} enc_coupon_redeem_ops;
enc_rc enc_coupon_redeem_orders(enc_store *st, int64_t last, int64_t maxid,
                                const enc_coupon_redeem_ops *ops, int64_t *n, enc_err *err);
/* Revokes the campaign's coupons whose message was not sent (nor is being sent): stopping a
 * campaign. A revoked coupon is never redeemed. *n gets how many. */
enc_rc enc_coupon_revoke_unsent(enc_store *st, const char *campaign, int64_t now, int64_t *n,
                                enc_err *err);

/* ---- counts for show ---------------------------------------------------------------------- */
typedef struct enc_camp_counts {
    int64_t members, holdout, messages; /* membership rows: a customer once per entry */
    /* distinct customers, treated (any variant) and holdout: the report's audience once every
     * member's entry (its message's due time) is past the report's as-of time */
    int64_t customers, holdout_customers;
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
enc_rc enc_camp_counts_get(enc_store *st, const char *name, enc_camp_counts *out, enc_err *err);
#endif
