/* dispatch.c — the dispatcher loop (dispatch.h): lock, recovery, per-channel token buckets,
 * claim -> send -> record rounds, pause/resume and rate read from the store each round, and a
 * channel held while its provider's Retry-After runs. */
#include "delivery/dispatch.h"
#include "delivery/channels/file.h"
#include "delivery/channels/inbox.h"
#include "delivery/channels/smtp.h"
#include "delivery/channels/webhook.h"
#include "base/datetime.h"
#include "base/mem.h"
#include "delivery/config.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* ---- clock --------------------------------------------------------------------------- */

static double sys_now(void *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sys_sleep(void *ctx, double s)
{
    if (!(s > 0)) return;
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL); /* a signal ends it early: the loop then sees the stop flag */
}

enc_clock enc_clock_system(void) { return (enc_clock){.now = sys_now, .sleep = sys_sleep}; }

/* ---- token bucket -------------------------------------------------------------------- */

void enc_bucket_init(enc_bucket *b, double rate, double burst, double now)
{
    b->rate = rate > 0 ? rate : 0;
    b->burst = burst >= 1 ? burst : 1;
    b->tokens = b->burst;
    b->last = now;
}

static void refill(enc_bucket *b, double now)
{
    if (now > b->last) {
        b->tokens += (now - b->last) * b->rate;
        if (b->tokens > b->burst) b->tokens = b->burst;
    }
    b->last = now > b->last ? now : b->last;
}

void enc_bucket_set_rate(enc_bucket *b, double rate, double now)
{
    refill(b, now);
    b->rate = rate > 0 ? rate : 0;
    b->burst = b->rate >= 1 ? b->rate : 1;
    if (b->tokens > b->burst) b->tokens = b->burst;
}

size_t enc_bucket_take(enc_bucket *b, double now, size_t want)
{
    if (b->rate <= 0) return want;
    refill(b, now);
    double whole = floor(b->tokens);
    size_t got = whole >= (double)want ? want : (size_t)whole;
    b->tokens -= (double)got;
    return got;
}

void enc_bucket_give(enc_bucket *b, size_t n)
{
    if (b->rate <= 0) return;
    b->tokens += (double)n;
    if (b->tokens > b->burst) b->tokens = b->burst;
}

double enc_bucket_wait(const enc_bucket *b, double now)
{
    if (b->rate <= 0) return 0;
    double t = b->tokens + (now > b->last ? (now - b->last) * b->rate : 0);
    return t >= 1 ? 0 : (1 - t) / b->rate;
}

/* ---- the dispatcher ------------------------------------------------------------------ */

typedef struct chan_slot {
    enc_adapter ch;
    double conf_rate; /* from configuration; channel_state.rate_per_sec overrides */
    double rate;      /* in force */
    enc_bucket bucket;
    bool open;
    int64_t hold_until;         /* a provider's Retry-After: nothing is claimed before this time */
    int quiet_start, quiet_end; /* the channel's quiet hours (minutes; equal: none) */
    enc_tz *tz;                 /* their zone ("timezone", default UTC) */
} chan_slot;

struct enc_dispatch {
    enc_store *st;
    enc_outbox *ob;
    enc_dispatch_opts o;
    enc_rng rng;
    int lock_fd;
    chan_slot *ch;
    size_t nch, cap;
    bool recovered;
    volatile sig_atomic_t stop;
    enc_dispatch_stats stats;
    enc_msg_batch batch;
    enc_send_result *res;
    size_t res_cap;
};

static double now_of(enc_dispatch *d) { return d->o.clock.now(d->o.clock.ctx); }

enc_rc enc_dispatch_new(enc_store *st, const enc_dispatch_opts *o, enc_dispatch **out, enc_err *err)
{
    *out = NULL;
    enc_dispatch *d = enc_xcalloc(1, sizeof *d);
    d->st = st;
    d->o = *o;
    d->lock_fd = -1;
    if (!d->o.clock.now) d->o.clock = enc_clock_system();
    if (d->o.batch == 0) d->o.batch = 200;
    if (!(d->o.poll > 0)) d->o.poll = 1;
    if (d->o.retry.max_attempts <= 0) d->o.retry = ENC_RETRY_DEFAULT;
    uint64_t seed = o->seed ? o->seed : (uint64_t)(now_of(d) * 1e6) ^ ((uint64_t)getpid() << 32);
    enc_rng_seed(&d->rng, seed);
    if (o->lock_path) {
        d->lock_fd = open(o->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (d->lock_fd < 0) {
            enc_fail(err, ENC_EIO, "%s: %s", o->lock_path, strerror(errno));
            free(d);
            return ENC_EIO;
        }
        /* the kernel drops the lock when the process dies, however it dies */
        if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            close(d->lock_fd);
            free(d);
            return enc_fail(err, ENC_EFAIL, "another dispatcher is running on this store (%s)",
                            o->lock_path);
        }
        char pid[32];
        int k = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(d->lock_fd, 0) == 0 && write(d->lock_fd, pid, (size_t)k) < 0) {
            /* the pid is informative only */
        }
    }
    if (enc_outbox_open(st, &d->ob, err)) {
        enc_dispatch_free(d);
        return err->rc;
    }
    *out = d;
    return ENC_OK;
}

enc_rc enc_dispatch_add(enc_dispatch *d, const char *name, const enc_adapter_ops *ops, json_t *opts,
                        enc_err *err)
{
    if (strlen(name) >= sizeof d->ch[0].ch.name)
        return enc_fail(err, ENC_EUSAGE, "channel name too long: %.40s", name);
    if (enc_dispatch_has_channel(d, name))
        return enc_fail(err, ENC_EUSAGE, "channel %s given twice", name);
    ENC_GROW(d->ch, d->cap, d->nch + 1);
    chan_slot *s = &d->ch[d->nch];
    memset(s, 0, sizeof *s);
    s->ch.ops = ops;
    snprintf(s->ch.name, sizeof s->ch.name, "%s", name);
    s->conf_rate = enc_opt_num(opts, "rate", 0);
    s->rate = s->conf_rate;
    const char *quiet = enc_opt_str(opts, "quiet_hours", NULL);
    if (quiet && !enc_quiet_parse(quiet, &s->quiet_start, &s->quiet_end))
        return enc_fail(err, ENC_EUSAGE, "channel %s: quiet_hours must be HH:MM-HH:MM", name);
    if (quiet && enc_tz_load(enc_opt_str(opts, "timezone", "UTC"), &s->tz, err)) return err->rc;
    enc_bucket_init(&s->bucket, s->rate, s->rate, now_of(d));
    if (ops->open(&s->ch, opts, d->ob, err)) {
        if (ops->close) ops->close(&s->ch);
        enc_tz_free(s->tz);
        s->tz = NULL;
        return err->rc;
    }
    s->open = true;
    d->nch++;
    return ENC_OK;
}

enc_rc enc_dispatch_configure(enc_dispatch *d, const enc_delivery_config *cfg, enc_err *err)
{
    const char *name;
    json_t *v;
    json_object_foreach(cfg->channels, name, v)
    {
        const enc_adapter_ops *ops = enc_channel_kind(enc_opt_str(v, "kind", NULL));
        if (!ops) return enc_fail(err, ENC_EUSAGE, "channel %s: unknown kind", name);
        if (enc_dispatch_add(d, name, ops, v, err)) return err->rc;
    }
    return ENC_OK;
}

bool enc_dispatch_has_channel(const enc_dispatch *d, const char *name)
{
    for (size_t i = 0; i < d->nch; i++)
        if (strcmp(d->ch[i].ch.name, name) == 0) return true;
    return false;
}

static enc_recover_rule rule_of(void *ctx, const char *channel)
{
    enc_dispatch *d = ctx;
    for (size_t i = 0; i < d->nch; i++)
        if (strcmp(d->ch[i].ch.name, channel) == 0)
            return d->ch[i].ch.ops->dedups ? ENC_RECOVER_RESEND : ENC_RECOVER_RECONCILE;
    /* a channel no longer configured: nobody can say whether its provider deduplicates */
    return ENC_RECOVER_RECONCILE;
}

enc_rc enc_dispatch_recover(enc_dispatch *d, enc_err *err)
{
    enc_recover_counts rc;
    if (enc_outbox_recover(d->ob, (int64_t)floor(now_of(d)), rule_of, d, d->o.retry.max_attempts,
                           &rc, err))
        return err->rc;
    d->stats.recovered_resend += rc.resend;
    d->stats.recovered_reconcile += rc.reconcile;
    d->stats.recovered_dead += rc.dead;
    d->recovered = true;
    return ENC_OK;
}

/* Reads pause and rate of a channel from the store (they change while we run). */
static enc_rc refresh(enc_dispatch *d, chan_slot *s, double now, bool *paused, enc_err *err)
{
    enc_channel_state cs;
    if (enc_outbox_channel_get(d->ob, s->ch.name, &cs, err)) return err->rc;
    *paused = cs.paused;
    double rate = cs.rate > 0 ? cs.rate : s->conf_rate;
    if (rate != s->rate) {
        enc_bucket_set_rate(&s->bucket, rate, now);
        s->rate = rate;
    }
    return ENC_OK;
}

enc_rc enc_dispatch_round(enc_dispatch *d, int64_t due_by, bool *worked, bool *pending,
                          double *wait, enc_err *err)
{
    *worked = *pending = false;
    *wait = d->o.poll;
    if (!d->recovered && enc_dispatch_recover(d, err)) return err->rc;
    d->stats.rounds++;
    for (size_t i = 0; i < d->nch && !d->stop; i++) {
        chan_slot *s = &d->ch[i];
        double now = now_of(d);
        bool paused = false;
        if (refresh(d, s, now, &paused, err)) return err->rc;
        if (paused) continue;
        /* the provider asked us to come back later: its other messages wait too (not
         * `pending`: a --once run leaves them queued, as it leaves scheduled retries) */
        if (now < (double)s->hold_until) continue;
        /* the channel's quiet hours: it sends nothing now (its messages stay queued; not
         * `pending` either: a --once run leaves them) */
        if (s->tz) {
            int64_t t = (int64_t)floor(now), local = t + enc_tz_offset(s->tz, t);
            int m = (int)(((local % 86400) + 86400) % 86400 / 60);
            if (enc_quiet_inside(s->quiet_start, s->quiet_end, m)) continue;
        }
        size_t grant = enc_bucket_take(&s->bucket, now, d->o.batch);
        if (grant == 0) {
            int64_t next;
            if (enc_outbox_next_due(d->ob, s->ch.name, &next, err)) return err->rc;
            if (next <= due_by) {
                *pending = true;
                double w = enc_bucket_wait(&s->bucket, now);
                if (w < *wait) *wait = w;
            }
            continue;
        }
        int64_t inow = (int64_t)floor(now);
        if (enc_outbox_claim(d->ob, s->ch.name, inow, due_by < inow ? due_by : inow, grant,
                             &d->batch, err))
            return err->rc;
        enc_bucket_give(&s->bucket, grant - d->batch.n);
        d->stats.suppressed += (int64_t)d->batch.suppressed;
        d->stats.expired += (int64_t)d->batch.expired;
        d->stats.deferred += (int64_t)d->batch.deferred;
        if (d->batch.suppressed || d->batch.expired) *worked = true;
        if (d->batch.n == 0) continue;
        *worked = true;
        d->stats.claimed += (int64_t)d->batch.n;
        ENC_GROW(d->res, d->res_cap, d->batch.n);
        s->ch.ops->send(&s->ch, d->batch.m, d->batch.n, d->res, inow);
        int64_t after = (int64_t)floor(now_of(d));
        if (enc_outbox_complete(d->ob, &d->batch, d->res, after, &d->o.retry, &d->rng, err))
            return err->rc;
        enc_send_counts c = {.attempts = (int64_t)d->batch.n};
        for (size_t k = 0; k < d->batch.n; k++) {
            const enc_send_result *r = &d->res[k];
            /* Retry-After speaks for the provider, not for one message: the channel waits
             * (retry_at is bounded by the adapter: ENC_RETRY_AFTER_MAX for webhooks) */
            if (r->status == ENC_SEND_TEMP && r->retry_at > s->hold_until)
                s->hold_until = r->retry_at;
            if (r->status == ENC_SEND_OK) {
                d->stats.sent++;
            } else if (r->status == ENC_SEND_PERM) {
                d->stats.failed++;
                c.permanent++;
            } else if (d->batch.m[k].attempts < d->o.retry.max_attempts) {
                d->stats.retried++;
                c.temporary++;
            } else {
                d->stats.dead++;
                c.exhausted++;
            }
        }
        if (d->o.on_send) d->o.on_send(d->o.send_ctx, s->ch.name, &c);
    }
    return ENC_OK;
}

enc_rc enc_dispatch_run(enc_dispatch *d, bool once, enc_err *err)
{
    int64_t cutoff = (int64_t)floor(now_of(d));
    while (!d->stop) {
        bool worked, pending;
        double wait;
        int64_t due_by = once ? cutoff : (int64_t)floor(now_of(d));
        if (enc_dispatch_round(d, due_by, &worked, &pending, &wait, err)) return err->rc;
        if (worked) {
            if (d->o.on_round) d->o.on_round(d->o.round_ctx, &d->stats);
            continue;
        }
        if (once && !pending) break;
        if (d->stop) break;
        d->o.clock.sleep(d->o.clock.ctx, wait > 0.001 ? wait : 0.001);
    }
    return ENC_OK;
}

void enc_dispatch_stop(enc_dispatch *d) { d->stop = 1; }
const enc_dispatch_stats *enc_dispatch_stats_get(const enc_dispatch *d) { return &d->stats; }
enc_outbox *enc_dispatch_outbox(enc_dispatch *d) { return d->ob; }

void enc_dispatch_free(enc_dispatch *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->nch; i++)
        if (d->ch[i].open && d->ch[i].ch.ops->close) d->ch[i].ch.ops->close(&d->ch[i].ch);
    for (size_t i = 0; i < d->nch; i++) enc_tz_free(d->ch[i].tz);
    free(d->ch);
    free(d->res);
    enc_msg_batch_free(&d->batch);
    enc_outbox_close(d->ob);
    if (d->lock_fd >= 0) close(d->lock_fd);
    free(d);
}
