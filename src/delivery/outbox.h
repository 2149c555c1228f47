/* outbox.h — the transactional outbox between campaigns and channels. Campaigns (and the
 * test-only `encore outbox enqueue`) write planned messages with enc_outbox_enqueue; the
 * dispatcher (dispatch.h) claims due ones, marking them `sending` in a committed transaction
 * before any provider call, and records each result with enc_outbox_complete. After a crash,
 * enc_outbox_recover re-queues or parks what was left in `sending` (rules in docs/delivery.md).
 * Suppressions, the per-channel switches (pause, rate) and the in-site inbox live here too.
 * Works on an open enc_store (SQLite, schema migration "delivery"); one handle per thread. */
#ifndef ENCORE_OUTBOX_H
#define ENCORE_OUTBOX_H
#include "base/err.h"
#include "base/rng.h"
#include "store/outbox_store.h"
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum enc_msg_state {
    ENC_MSG_QUEUED,     /* waiting for its next_attempt_at (new, or retrying after a failure) */
    ENC_MSG_SENDING,    /* claimed and committed; a provider call may be under way */
    ENC_MSG_SENT,       /* the provider accepted it (provider_ref kept) */
    ENC_MSG_FAILED,     /* permanent failure (bad address, 4xx, 5xx SMTP); reason kept */
    ENC_MSG_DEAD,       /* temporary failures on every one of max_attempts tries; reason kept */
    ENC_MSG_RECONCILE,  /* interrupted in sending on a channel that cannot deduplicate */
    ENC_MSG_CANCELLED,  /* withdrawn before sending */
    ENC_MSG_SUPPRESSED, /* the address was suppressed when its turn came */
    ENC_MSG_EXPIRED,    /* overdue when its turn came (deadline, coupon, campaign stopped, caps
                         * or quiet hours past the deadline): never sent, never retried; the
                         * reason code is in last_error (enc_expire_reason) */
    ENC_MSG_NSTATES
} enc_msg_state;

const char *enc_msg_state_name(enc_msg_state s);
/* The state named s, or -1. */
int enc_msg_state_parse(const char *s);

/* enc_msg_rec (a message to enqueue) and enc_msg (a claimed message) are the store's rows:
 * store/outbox_store.h. */

typedef struct enc_msg_batch {
    size_t n, cap;
    enc_msg *m;
    struct enc_arena *arena;
    size_t suppressed; /* due messages of the claim that were suppressed instead */
    size_t expired;    /* ... that were overdue and set to `expired` */
    size_t deferred;   /* ... that no longer fit the caps or quiet hours and wait, within their
                        * deadline (or whose campaign is paused) */
} enc_msg_batch;
void enc_msg_batch_free(enc_msg_batch *b);

/* Outcome of one send, filled by a channel adapter. */
typedef enum enc_send_status {
    ENC_SEND_OK,   /* accepted; provider_ref set when the provider gave one */
    ENC_SEND_TEMP, /* try again later (timeouts, 4xx SMTP, 429 / 5xx HTTP) */
    ENC_SEND_PERM, /* will never succeed as it is */
} enc_send_status;

typedef struct enc_send_result {
    enc_send_status status;
    char provider_ref[128];
    char error[256];
    /* set by an adapter that learnt the address must not be used again (hard bounce,
     * complaint); complete() records the suppression in the same transaction */
    const char *suppress_reason;
    /* ENC_SEND_TEMP: the provider asked not to be tried again before this time (epoch
     * seconds; HTTP Retry-After); complete() waits at least until then. 0 = no such request */
    int64_t retry_at;
} enc_send_result;

/* Retry policy: a temporary failure after try k (k = 1, 2, ...) waits a uniform draw from
 * [0, min(cap, base * 2^(k-1))] seconds, at least 1 ("full jitter": M. Brooker, "Exponential
 * backoff and jitter", AWS Architecture Blog, 2015); after max_attempts tries it is dead. */
typedef struct enc_retry_policy {
    double base, cap; /* seconds */
    int max_attempts;
} enc_retry_policy;
#define ENC_RETRY_DEFAULT ((enc_retry_policy){.base = 30, .cap = 6 * 3600, .max_attempts = 8})

/* The delay before the next try after `attempt` tries failed (attempt >= 1). */
double enc_backoff_delay(const enc_retry_policy *p, int attempt, enc_rng *rng);

typedef struct enc_outbox enc_outbox;
/* Opens the outbox of an open store (which must outlive it). Free with enc_outbox_close. */
enc_rc enc_outbox_open(enc_store *st, enc_outbox **out, enc_err *err);
void enc_outbox_close(enc_outbox *ob);
enc_store *enc_outbox_store(enc_outbox *ob);

/* Inserts n messages, skipping any whose idempotency_key is already in the outbox; *added
 * (may be NULL) gets the number inserted. Runs in the caller's transaction when one is open
 * (so a campaign can commit its own rows and its messages at once), else in its own. */
enc_rc enc_outbox_enqueue(enc_outbox *ob, const enc_msg_rec *m, size_t n, int64_t now,
                          size_t *added, enc_err *err);

/* The id the store gives the next message enqueued without one: one past the largest (ids are
 * never reused: messages are not deleted). Only inside the caller's write transaction
 * (enc_store_begin: BEGIN IMMEDIATE), where no other connection can insert before its commit,
 * so the caller may number its messages *id, *id + 1, ... (ENC_EUSAGE outside one). A
 * message whose key is already in the outbox is skipped with its number unused. */
enc_rc enc_outbox_next_id(enc_outbox *ob, int64_t *id, enc_err *err);

/* The reasons a message expires, stored in last_error, counted by `campaign show` / report. */
#define ENC_EXPIRE_REASONS(X)                                                                      \
    X(DEADLINE, "deadline")                   /* past its send_within deadline */                  \
    X(COUPON_EXPIRED, "coupon_expired")       /* its coupon has expired */                         \
    X(COUPON_REVOKED, "coupon_revoked")       /* its coupon was revoked (campaign stopped) */      \
    X(CAMPAIGN_STOPPED, "campaign_stopped")   /* its campaign was stopped */                       \
    X(FREQUENCY_CAP, "frequency_cap")         /* the caps hold it past its deadline */             \
    X(QUIET_HOURS, "quiet_hours")             /* quiet hours hold it past its deadline */          \
    X(DISPLACED_EXPIRED, "displaced_expired") /* displaced past its deadline or coupon */
typedef enum enc_expire_reason {
#define X(E, S) ENC_EXPIRE_##E,
    ENC_EXPIRE_REASONS(X)
#undef X
        ENC_EXPIRE_NREASONS
} enc_expire_reason;
const char *enc_expire_reason_name(enc_expire_reason r);
/* The reason named s, or -1. */
int enc_expire_reason_parse(const char *s);

/* Claims up to max queued messages of `channel` with next_attempt_at <= due_by, highest
 * priority first, then oldest: each is set to `sending` with attempts + 1, and the
 * transaction is committed before returning. Due messages whose address is suppressed for
 * the channel (or for every channel, "*") are set to `suppressed` instead and counted in
 * out->suppressed. A message is checked again at its turn (docs/delivery.md, "Nothing
 * stale"): past its deadline, with an expired or revoked coupon, or of a stopped campaign it
 * becomes `expired` (out->expired); a message of a campaign (a row of `campaigns`) that is not
 * transactional must also fit the contact policy's frequency caps (against messages really
 * sent or being sent) and quiet hours (customer's zone) at `now`, else it waits for the next
 * allowed time within its deadline (out->deferred) or expires; a paused campaign's messages
 * wait a minute. out is reset first; the caller frees it. */
enc_rc enc_outbox_claim(enc_outbox *ob, const char *channel, int64_t now, int64_t due_by,
                        size_t max, enc_msg_batch *out, enc_err *err);

/* Records the results of a sent batch in one transaction: OK -> sent; TEMP -> queued at
 * max(now + backoff, retry_at), or dead after policy->max_attempts tries; PERM -> failed.
 * Suppressions an adapter asked for are recorded too. Only rows still in `sending` are changed. */
enc_rc enc_outbox_complete(enc_outbox *ob, const enc_msg_batch *b, const enc_send_result *res,
                           int64_t now, const enc_retry_policy *policy, enc_rng *rng, enc_err *err);

/* What recovery does with a message left in `sending` on a channel. */
typedef enum enc_recover_rule {
    ENC_RECOVER_RESEND,    /* provider deduplicates by idempotency key: queue it again */
    ENC_RECOVER_RECONCILE, /* it cannot: park in `reconcile` for a person to check */
} enc_recover_rule;
typedef enc_recover_rule (*enc_recover_fn)(void *ctx, const char *channel);

typedef struct enc_recover_counts {
    int64_t resend, reconcile, dead;
} enc_recover_counts;
/* Run once at dispatcher start, while no other dispatcher runs (dispatch.c holds a lock):
 * every message in `sending` is queued again for now (RESEND; the same idempotency key is
 * sent), or set to `reconcile` (RECONCILE), as rule(ctx, channel) says. A resend whose tries
 * are used up (attempts >= max_attempts) is dead instead, so a message that crashes the
 * dispatcher cannot loop forever. */
enc_rc enc_outbox_recover(enc_outbox *ob, int64_t now, enc_recover_fn rule, void *ctx,
                          int max_attempts, enc_recover_counts *out, enc_err *err);

/* Counts by state and channel, for `encore outbox`. Rows are owned by the caller's list. */
typedef struct enc_outbox_count {
    char channel[64];
    int64_t n[ENC_MSG_NSTATES];
} enc_outbox_count;
/* *rows gets an array the caller frees (free()), one entry per channel, sorted by name;
 * when only_channel is given, only that one. */
enc_rc enc_outbox_counts(enc_outbox *ob, const char *only_channel, enc_outbox_count **rows,
                         size_t *n, enc_err *err);
/* Channels with a queued message due by `due_by` (names into a caller-freed array of
 * caller-freed strings). */
enc_rc enc_outbox_due_channels(enc_outbox *ob, int64_t due_by, char ***names, size_t *n,
                               enc_err *err);
/* The earliest next_attempt_at among queued messages of channel, or INT64_MAX. */
enc_rc enc_outbox_next_due(enc_outbox *ob, const char *channel, int64_t *at, enc_err *err);

/* Sets messages of state `from` (dead, failed, reconcile, suppressed, cancelled) on channel
 * (NULL: all) back to queued, due now, with attempts 0. *n gets how many. */
enc_rc enc_outbox_retry(enc_outbox *ob, enc_msg_state from, const char *channel, int64_t now,
                        int64_t *n, enc_err *err);
/* Cancels queued messages of a campaign (NULL: any) on channel (NULL: all). */
enc_rc enc_outbox_cancel(enc_outbox *ob, const char *campaign, const char *channel, int64_t *n,
                         enc_err *err);

/* --- per-channel switches (table channel_state) --- */
typedef struct enc_channel_state {
    bool paused;
    double rate; /* messages per second; 0 = not set here */
} enc_channel_state;
enc_rc enc_outbox_channel_get(enc_outbox *ob, const char *channel, enc_channel_state *out,
                              enc_err *err);
enc_rc enc_outbox_set_paused(enc_outbox *ob, const char *channel, bool paused, int64_t now,
                             enc_err *err);
/* rate <= 0 clears the stored rate (the configured one applies). */
enc_rc enc_outbox_set_rate(enc_outbox *ob, const char *channel, double rate, int64_t now,
                           enc_err *err);

/* --- suppressions --- */
/* Suppresses address on channel ("*" = every channel) at once: hard bounces, complaints,
 * unsubscribes, SMS opt-out replies. reason: "hard_bounce", "complaint", "unsubscribe",
 * "optout_reply", "manual". An existing suppression is kept (first reason wins). Runs in the
 * caller's transaction when one is open. */
enc_rc enc_outbox_suppress(enc_outbox *ob, const char *channel, const char *address,
                           const char *reason, const char *source, int64_t now, enc_err *err);
/* *out = whether address is suppressed on channel (or on "*"). */
enc_rc enc_outbox_is_suppressed(enc_outbox *ob, const char *channel, const char *address, bool *out,
                                enc_err *err);
/* An inbound SMS reply from `phone`: when enc_optout_match(text), suppresses the number on
 * channel and sets *opted_out. */
enc_rc enc_outbox_sms_reply(enc_outbox *ob, const char *channel, const char *phone,
                            const char *text, int64_t now, bool *opted_out, enc_err *err);
/* An inbound reply from `phone` (any written form) on channel: the number is normalised with
 * the importer's phone rules (E.164, default country code cc; a text that is no phone number is
 * refused with ENC_EUSAGE and a message saying so). When enc_optout_match(text): the number is
 * suppressed on channel and every customer owning it gets a revoked marketing consent row for
 * the channel (source "reply"), all in one transaction. *customers (may be NULL) gets how many
 * customers were revoked; e164 (>= 32 bytes, may be NULL) the normalised number. */
enc_rc enc_outbox_reply(enc_outbox *ob, const char *channel, const char *phone, const char *cc,
                        const char *text, int64_t now, bool *opted_out, int64_t *customers,
                        char *e164, enc_err *err);

/* The contact policy's unsubscribe_url (campaign settings) into out, when one was set (the
 * defaults' placeholder is not a route); false otherwise. The email channel's fallback for
 * List-Unsubscribe. */
bool enc_outbox_policy_unsubscribe_url(enc_outbox *ob, char *out, size_t cap);

/* --- the in-site inbox (the inbox channel writes it; the API reads it) --- */
/* Inserts one inbox row keyed by idempotency_key; *dup tells whether it was already there. */
enc_rc enc_outbox_inbox_put(enc_outbox *ob, const enc_msg *m, int64_t now, bool *dup, enc_err *err);
#endif
