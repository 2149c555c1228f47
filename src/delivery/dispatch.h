/* dispatch.h — the dispatcher: takes due messages from the outbox, sends them through the
 * channel adapters and records the results. One round = for each configured channel that is
 * not paused: take tokens from its bucket (rate limit), claim that many due messages
 * (committed as `sending`), send, record. Runs as `encore dispatch [--once]` and inside the
 * server (one thread calling enc_dispatch_run; enc_dispatch_stop ends it). One dispatcher per
 * store at a time: it holds an exclusive lock file while open, which is what makes start-up
 * recovery of `sending` messages safe. The clock is injected (tests drive time by hand). */
#ifndef ENCORE_DISPATCH_H
#define ENCORE_DISPATCH_H
#include "base/err.h"
#include "delivery/channel.h"
#include "delivery/config.h"
#include "delivery/outbox.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A clock: now() in epoch seconds (fractional), sleep() for at most s seconds. */
typedef struct enc_clock {
    double (*now)(void *ctx);
    void (*sleep)(void *ctx, double s);
    void *ctx;
} enc_clock;
/* The system clock (CLOCK_REALTIME, nanosleep). */
enc_clock enc_clock_system(void);

/* Token bucket (rate limit): `rate` tokens a second up to `burst`; rate 0 = unlimited.
 * Over any interval of T seconds at most burst + rate * T tokens are granted. */
typedef struct enc_bucket {
    double rate, burst, tokens, last;
} enc_bucket;
void enc_bucket_init(enc_bucket *b, double rate, double burst, double now);
/* Changes the rate (keeping the tokens earned so far, capped at the new burst). */
void enc_bucket_set_rate(enc_bucket *b, double rate, double now);
/* Grants up to want tokens now (the whole tokens available). */
size_t enc_bucket_take(enc_bucket *b, double now, size_t want);
/* Returns n unused tokens. */
void enc_bucket_give(enc_bucket *b, size_t n);
/* Seconds until one token is available (0 when one is). */
double enc_bucket_wait(const enc_bucket *b, double now);

typedef struct enc_dispatch_stats {
    int64_t rounds, claimed, sent, retried, failed, dead, suppressed;
    int64_t expired, deferred; /* held at their turn (outbox.h, enc_outbox_claim) */
    int64_t recovered_resend, recovered_reconcile, recovered_dead;
} enc_dispatch_stats;

/* What one batch sent through a channel came to (the on_send hook; GET /metrics): attempts
 * handed to the adapter; of them, temporary failures to be retried, temporary failures out of
 * retries (dead), permanent failures. */
typedef struct enc_send_counts {
    int64_t attempts, temporary, exhausted, permanent;
} enc_send_counts;

typedef struct enc_dispatch_opts {
    enc_retry_policy retry;
    size_t batch;          /* claimed per channel per round */
    double poll;           /* idle wait between rounds (not with once) */
    enc_clock clock;       /* zero: the system clock */
    uint64_t seed;         /* jitter stream; 0: from the clock and pid */
    const char *lock_path; /* NULL: no lock (unit tests) */
    /* called after each round that sent something (the CLI's progress line); may be NULL */
    void (*on_round)(void *ctx, const struct enc_dispatch_stats *s);
    void *round_ctx;
    /* called after each batch a channel sent, with the batch's counts; may be NULL */
    void (*on_send)(void *ctx, const char *channel, const enc_send_counts *c);
    void *send_ctx;
} enc_dispatch_opts;

typedef struct enc_dispatch enc_dispatch;
/* Opens a dispatcher over an open store (which must outlive it), taking the lock. Channels
 * are added with enc_dispatch_add or enc_dispatch_configure before the first round. */
enc_rc enc_dispatch_new(enc_store *st, const enc_dispatch_opts *o, enc_dispatch **out,
                        enc_err *err);
/* Adds a channel served by ops with its options (borrowed during the call). */
enc_rc enc_dispatch_add(enc_dispatch *d, const char *name, const enc_adapter_ops *ops, json_t *opts,
                        enc_err *err);
/* Adds every channel of a configuration; each channel's "rate" option is its default rate. */
enc_rc enc_dispatch_configure(enc_dispatch *d, const enc_delivery_config *cfg, enc_err *err);
/* Start-up recovery (enc_outbox_recover with the adapters' dedup flags); run by the first
 * round when not called before. */
enc_rc enc_dispatch_recover(enc_dispatch *d, enc_err *err);
/* One round over the channels for messages due by due_by; *worked tells whether anything
 * was claimed; *pending whether due messages wait for tokens; *wait the seconds until the
 * next token of such a channel. */
enc_rc enc_dispatch_round(enc_dispatch *d, int64_t due_by, bool *worked, bool *pending,
                          double *wait, enc_err *err);
/* Rounds until stopped; with once, until nothing due at the start is left (messages
 * retried later, or on paused channels, are left queued). */
enc_rc enc_dispatch_run(enc_dispatch *d, bool once, enc_err *err);
/* Asks a running dispatcher to stop after the current batch (async-signal-safe). */
void enc_dispatch_stop(enc_dispatch *d);
const enc_dispatch_stats *enc_dispatch_stats_get(const enc_dispatch *d);
enc_outbox *enc_dispatch_outbox(enc_dispatch *d);
/* Whether a channel of that name is configured. */
bool enc_dispatch_has_channel(const enc_dispatch *d, const char *name);
void enc_dispatch_free(enc_dispatch *d);
#endif
