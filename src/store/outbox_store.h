/* outbox_store.h — the outbox's tables in the store (migration "delivery": messages,
 * suppressions, channel_state, inbox): keyed writes and the scans delivery/outbox.c builds the
 * transactional outbox from (enqueue, claim, mark, results, recovery, counts, switches,
 * suppressions, the inbox). One enc_obx handle per thread keeps its prepared statements; the
 * transaction calls wrap the store's own (BEGIN IMMEDIATE: a writer's lock from the start). */
#ifndef ENCORE_STORE_OUTBOX_STORE_H
#define ENCORE_STORE_OUTBOX_STORE_H
#include "base/err.h"
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct enc_arena;

/* A message to enqueue. Strings are copied by the store. idempotency_key is given by the
 * writer and must identify the delivery (campaign, customer, channel, occurrence): the same
 * key twice is one message. due_at 0 means now. priority 0..9, 9 first. id 0 lets the store
 * number the message; a writer that must name the message in its body (signed tracking
 * links) gives an id reserved with enc_outbox_next_id. */
typedef struct enc_msg_rec {
    const char *campaign, *variant;
    int64_t customer_id;
    const char *channel, *address;
    const char *subject, *body_text, *body_html;
    const char *payload; /* a JSON object as text, or NULL */
    const char *idempotency_key;
    int priority;
    int64_t due_at;
    int64_t id;         /* 0 = the next free one */
    int64_t deadline;   /* latest send time (send_within, coupon expiry); 0 = none */
    bool transactional; /* exempt from List-Unsubscribe and the send-time contact policy */
} enc_msg_rec;

/* A claimed message, as the channel adapters see it. Strings live in the batch's arena. */
typedef struct enc_msg {
    int64_t id, customer_id;
    const char *campaign, *variant, *channel, *address;
    const char *subject, *body_text, *body_html, *payload, *idempotency_key;
    int priority, attempts; /* attempts counts this one */
    int64_t created_at, due_at;
    int64_t deadline;   /* 0 = none */
    bool transactional; /* a campaign marked "transactional": no List-Unsubscribe needed */
} enc_msg;

typedef struct enc_obx enc_obx;
/* Fails with "the store has no outbox (schema too old)" when messages is missing. Close it
 * before the store. */
enc_rc enc_obx_open(enc_store *st, enc_obx **out, enc_err *err);
void enc_obx_close(enc_obx *x);

/* ---- transactions ------------------------------------------------------------------------ */
/* True inside a transaction (the caller's or ours). */
bool enc_obx_in_tx(enc_obx *x);
/* BEGIN IMMEDIATE; COMMIT (rolled back and ENC_EDB when it fails); ROLLBACK. */
enc_rc enc_obx_begin(enc_obx *x, enc_err *err);
enc_rc enc_obx_commit(enc_obx *x, enc_err *err);
void enc_obx_rollback(enc_obx *x);
/* Opens a transaction unless the caller has one; *own tells whether end_maybe must end it:
 * end_maybe commits when rc is 0 (rolls back otherwise) and returns the outcome. */
enc_rc enc_obx_begin_maybe(enc_obx *x, bool *own, enc_err *err);
enc_rc enc_obx_end_maybe(enc_obx *x, bool own, enc_rc rc, enc_err *err);

/* ---- messages ---------------------------------------------------------------------------- */
/* Inserts r as queued (due at r->due_at, else now) unless its idempotency key is taken:
 * *added tells. One prepared statement per handle. */
enc_rc enc_obx_insert(enc_obx *x, const enc_msg_rec *r, int64_t now, bool *added, enc_err *err);
/* max(id) + 1 of messages. */
enc_rc enc_obx_next_id(enc_obx *x, int64_t *id, enc_err *err);

/* What a claim learns of one due message besides its content (strings in the arena). */
typedef struct enc_obx_claim_row {
    const char *supp; /* suppression reason, or NULL */
    const char *camp; /* state of its campaign row, or NULL (no campaign row) */
    const char *tz;   /* customer's zone, or NULL */
    int64_t cpn_exp;  /* coupon expiry, 0 = none */
    bool cpn_revoked; /* coupon revoked */
} enc_obx_claim_row;
/* Queued messages of channel and priority due by due_by, oldest due first, at most limit:
 * fn(ctx, message, row) for each, strings in arena (m->attempts is the stored count + 1).
 * The scan is a reader: fn must not write (collect, then mark). */
typedef void (*enc_obx_claim_fn)(void *ctx, const enc_msg *m, const enc_obx_claim_row *r);
enc_rc enc_obx_claim_scan(enc_obx *x, const char *channel, int priority, int64_t due_by,
                          size_t limit, struct enc_arena *arena, enc_obx_claim_fn fn, void *ctx,
                          enc_err *err);
/* A claimed message's fate: sending (attempts + 1, claimed at `at`), suppressed (text: the
 * reason), expired (text: the reason code) or deferred (to `at`). */
typedef enum enc_obx_mark {
    ENC_OBX_SENDING,
    ENC_OBX_SUPPRESSED,
    ENC_OBX_EXPIRED,
    ENC_OBX_DEFERRED
} enc_obx_mark;
enc_rc enc_obx_mark_claimed(enc_obx *x, int64_t id, enc_obx_mark how, const char *text, int64_t at,
                            enc_err *err);
/* The customer's non-transactional messages sent or being sent after since, except message
 * self: fn(ctx, time, channel). */
enc_rc enc_obx_recent(enc_obx *x, int64_t customer, int64_t self, int64_t since,
                      void (*fn)(void *ctx, int64_t at, const char *channel), void *ctx,
                      enc_err *err);
/* Results of a message still `sending`: sent (at, provider_ref), queued again for `at` with
 * error, or final (state "failed" or "dead", with why). */
enc_rc enc_obx_result_sent(enc_obx *x, int64_t id, int64_t at, const char *provider_ref,
                           enc_err *err);
enc_rc enc_obx_result_retry(enc_obx *x, int64_t id, int64_t at, const char *error, enc_err *err);
enc_rc enc_obx_result_final(enc_obx *x, int64_t id, const char *state, const char *why,
                            enc_err *err);

/* ---- recovery ---------------------------------------------------------------------------- */
/* The channels with messages left in `sending` (malloc'ed names; free each and the array). */
enc_rc enc_obx_sending_channels(enc_obx *x, char ***names, size_t *n, enc_err *err);
/* Of channel's `sending` messages: resend puts those with attempts below max_attempts back in
 * the queue due now (*resend) and the others dead (*dead); reconcile parks them all in
 * `reconcile` (*reconcile). Counts add to what the pointers hold. */
enc_rc enc_obx_recover_resend(enc_obx *x, const char *channel, int64_t now, int max_attempts,
                              int64_t *dead, int64_t *resend, enc_err *err);
enc_rc enc_obx_recover_reconcile(enc_obx *x, const char *channel, int64_t *reconcile, enc_err *err);

/* ---- reading and bulk changes ------------------------------------------------------------ */
/* Message counts by channel (ordered) and state, of one channel when only_channel is set. */
enc_rc enc_obx_counts(enc_obx *x, const char *only_channel,
                      void (*fn)(void *ctx, const char *channel, const char *state, int64_t n),
                      void *ctx, enc_err *err);
/* The channels with queued messages due by due_by (malloc'ed names). */
enc_rc enc_obx_due_channels(enc_obx *x, int64_t due_by, char ***names, size_t *n, enc_err *err);
/* The earliest next_attempt_at of channel's queued messages; INT64_MAX when none. */
enc_rc enc_obx_next_due(enc_obx *x, const char *channel, int64_t *at, enc_err *err);
/* Queues again (attempts 0, due at now) the messages in state `state` (of channel, if set). */
enc_rc enc_obx_requeue(enc_obx *x, const char *state, const char *channel, int64_t now, int64_t *n,
                       enc_err *err);
/* Cancels queued messages (of campaign, of channel, when set). */
enc_rc enc_obx_cancel(enc_obx *x, const char *campaign, const char *channel, int64_t *n,
                      enc_err *err);
/* The channel and address of message id as malloc'ed copies the caller frees; both NULL when
 * there is no such message (or either is NULL). */
enc_rc enc_obx_message_address(enc_store *st, int64_t id, char **channel, char **address,
                               enc_err *err);

/* ---- channel switches -------------------------------------------------------------------- */
/* rate 0 = no limit set. */
enc_rc enc_obx_channel_get(enc_obx *x, const char *channel, bool *paused, double *rate,
                           enc_err *err);
enc_rc enc_obx_set_paused(enc_obx *x, const char *channel, bool paused, int64_t now, enc_err *err);
/* rate <= 0 clears the limit. */
enc_rc enc_obx_set_rate(enc_obx *x, const char *channel, double rate, int64_t now, enc_err *err);

/* ---- suppressions ------------------------------------------------------------------------ */
/* Adds (channel, address) unless present. source may be NULL. */
enc_rc enc_obx_suppress(enc_obx *x, const char *channel, const char *address, const char *reason,
                        const char *source, int64_t now, enc_err *err);
/* Whether address is suppressed on channel or on every channel ("*"). */
enc_rc enc_obx_is_suppressed(enc_obx *x, const char *channel, const char *address, bool *out,
                             enc_err *err);
/* The customers owning phone number num (their phone, or a phone identity; after merges): at
 * most cap ids into ids. */
enc_rc enc_obx_number_owners(enc_obx *x, const char *num, int64_t *ids, size_t cap, size_t *n,
                             enc_err *err);

/* ---- inbox ------------------------------------------------------------------------------- */
/* Files message m in its customer's inbox unless its idempotency key is there: *dup tells. */
enc_rc enc_obx_inbox_put(enc_obx *x, const enc_msg *m, int64_t now, bool *dup, enc_err *err);
/* One inbox row as the read API shows it; strings belong to the scan (copy to keep). body_text
 * is the message's text, or the row's body when no message is behind it. */
typedef struct enc_inbox_row {
    int64_t id, message_id;
    const char *campaign, *title, *body, *payload, *body_text, *body_html;
    int64_t created_at, read_at;
    bool has_message, has_created, has_read; /* false: NULL */
} enc_inbox_row;
/* The inbox rows of customer cust and of everyone merged into it, newest first (by id), ids
 * below before (0: all), unread only when asked, at most limit: fn(ctx, row) for each until it
 * returns false. */
enc_rc enc_inbox_scan(enc_store *st, int64_t cust, int64_t before, bool unread_only, int limit,
                      bool (*fn)(void *ctx, const enc_inbox_row *r), void *ctx, enc_err *err);
/* How many of cust's (and merged) inbox rows are unread. */
enc_rc enc_inbox_unread(enc_store *st, int64_t cust, int64_t *n, enc_err *err);
/* Marks inbox row id read at now unless read (its first read time stays); cust > 0 limits it to
 * that customer's (and merged) rows. *how: 0 no such row, 1 marked now, 2 read before;
 * *read_at the read time. */
enc_rc enc_inbox_store_mark(enc_store *st, int64_t id, int64_t cust, int64_t now, int *how,
                            int64_t *read_at, enc_err *err);
#endif
