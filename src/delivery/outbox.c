/* outbox.c — the transactional outbox over the store's outbox tables (store/outbox_store.h):
 * enqueue by idempotency key, atomic claims committed before any provider call, send-time
 * verdicts (suppressions, stopped or paused campaigns, coupons, deadlines, contact policy),
 * results with backoff, crash recovery, suppressions, channel switches and the inbox. The
 * store keeps the statements (prepared once per outbox handle) and the transactions. */
#include "delivery/outbox.h"
#include "delivery/optout.h"
#include "base/datetime.h"
#include "base/mem.h"
#include "campaign/spec.h"
#include "campaign/campdb.h"
#include "ingest/clean.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[ENC_MSG_NSTATES] = {
    "queued",    "sending",   "sent",       "failed",  "dead",
    "reconcile", "cancelled", "suppressed", "expired",
};

static const char *const expire_names[ENC_EXPIRE_NREASONS] = {
#define X(E, S) S,
    ENC_EXPIRE_REASONS(X)
#undef X
};

const char *enc_expire_reason_name(enc_expire_reason r)
{
    return (unsigned)r < ENC_EXPIRE_NREASONS ? expire_names[r] : "?";
}

int enc_expire_reason_parse(const char *s)
{
    for (int i = 0; s && i < ENC_EXPIRE_NREASONS; i++)
        if (strcmp(s, expire_names[i]) == 0) return i;
    return -1;
}

const char *enc_msg_state_name(enc_msg_state s)
{
    return (unsigned)s < ENC_MSG_NSTATES ? state_names[s] : "?";
}

int enc_msg_state_parse(const char *s)
{
    for (int i = 0; s && i < ENC_MSG_NSTATES; i++)
        if (strcmp(s, state_names[i]) == 0) return i;
    return -1;
}

double enc_backoff_delay(const enc_retry_policy *p, int attempt, enc_rng *rng)
{
    if (attempt < 1) attempt = 1;
    /* ceiling = min(cap, base * 2^(attempt-1)); ldexp cannot overflow to a wrong value here:
     * large exponents give +inf, which the min() with cap absorbs */
    double ceil_s = ldexp(p->base, attempt - 1 > 1000 ? 1000 : attempt - 1);
    if (!(ceil_s <= p->cap)) ceil_s = p->cap;
    double d = enc_rng_uniform(rng) * ceil_s;
    return d < 1 ? 1 : d;
}

struct enc_outbox {
    enc_store *st;
    enc_obx *x;
};

enc_rc enc_outbox_open(enc_store *st, enc_outbox **out, enc_err *err)
{
    enc_obx *x;
    enc_rc rc = enc_obx_open(st, &x, err);
    if (rc) return rc;
    enc_outbox *ob = enc_xcalloc(1, sizeof *ob);
    ob->st = st;
    ob->x = x;
    *out = ob;
    return ENC_OK;
}

void enc_outbox_close(enc_outbox *ob)
{
    if (!ob) return;
    enc_obx_close(ob->x);
    free(ob);
}

enc_store *enc_outbox_store(enc_outbox *ob) { return ob->st; }

void enc_msg_batch_free(enc_msg_batch *b)
{
    free(b->m);
    enc_arena_free(b->arena);
    memset(b, 0, sizeof *b);
}

/* ---- enqueue ------------------------------------------------------------------------- */

enc_rc enc_outbox_enqueue(enc_outbox *ob, const enc_msg_rec *m, size_t n, int64_t now,
                          size_t *added, enc_err *err)
{
    if (added) *added = 0;
    for (size_t i = 0; i < n; i++) {
        if (!m[i].channel || !*m[i].channel || !m[i].address || !*m[i].address ||
            !m[i].idempotency_key || !*m[i].idempotency_key)
            return enc_fail(err, ENC_EUSAGE,
                            "message %zu: channel, address and idempotency_key are required",
                            i + 1);
        if (m[i].priority < 0 || m[i].priority > 9)
            return enc_fail(err, ENC_EUSAGE, "message %zu: priority %d is not within 0..9", i + 1,
                            m[i].priority);
    }
    bool own;
    if (enc_obx_begin_maybe(ob->x, &own, err)) return err->rc;
    enc_rc rc = ENC_OK;
    size_t k = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        bool one;
        rc = enc_obx_insert(ob->x, &m[i], now, &one, err);
        k += one;
    }
    rc = enc_obx_end_maybe(ob->x, own, rc, err);
    if (!rc && added) *added = k;
    return rc;
}

enc_rc enc_outbox_next_id(enc_outbox *ob, int64_t *id, enc_err *err)
{
    *id = 0;
    if (!enc_obx_in_tx(ob->x))
        return enc_fail(err, ENC_EUSAGE, "reserving message ids needs a write transaction");
    return enc_obx_next_id(ob->x, id, err);
}

/* ---- claim --------------------------------------------------------------------------- */

typedef enc_obx_claim_row claim_row;

enum { VERDICT_SEND, VERDICT_SUPPRESS, VERDICT_EXPIRE, VERDICT_DEFER };

/* Send-time checks need the contact policy and time zones, loaded once per claim. */
typedef struct claim_ctx {
    enc_settings set;
    bool have_set;
    struct {
        char name[64];
        enc_tz *tz;
    } zones[16];
    int nzones;
    int64_t *ts;
    uint8_t *ch;
    size_t cap;
} claim_ctx;

static const enc_tz *claim_zone(claim_ctx *c, const char *name)
{
    if (!name || !*name) name = c->set.default_tz;
    for (int i = 0; i < c->nzones; i++)
        if (strcmp(c->zones[i].name, name) == 0) return c->zones[i].tz;
    enc_tz *tz = NULL;
    enc_err e = {0};
    if (enc_tz_load(name, &tz, &e)) tz = NULL; /* unknown zone: UTC */
    if (c->nzones < 16 && strlen(name) < sizeof c->zones[0].name) {
        snprintf(c->zones[c->nzones].name, sizeof c->zones[0].name, "%s", name);
        c->zones[c->nzones++].tz = tz;
    } else {
        enc_tz_free(tz);
        return NULL;
    }
    return tz;
}

static void claim_ctx_free(claim_ctx *c)
{
    for (int i = 0; i < c->nzones; i++) enc_tz_free(c->zones[i].tz);
    free(c->ts);
    free(c->ch);
}

/* The customer's messages really sent or being sent (any campaign) from `since` on, except
 * message `self`, into c->ts / c->ch. */
typedef struct recent_ctx {
    claim_ctx *c;
    size_t *n;
} recent_ctx;

static void recent_row(void *ctx, int64_t at, const char *channel)
{
    recent_ctx *r = ctx;
    claim_ctx *c = r->c;
    size_t *n = r->n;
    if (*n == c->cap) {
        size_t c2 = c->cap;
        ENC_GROW(c->ts, c2, *n + 1);
        c2 = c->cap;
        ENC_GROW(c->ch, c2, *n + 1);
        c->cap = c2;
    }
    int chn = enc_channel_parse(channel);
    c->ts[*n] = at;
    c->ch[*n] = (uint8_t)(chn < 0 ? 255 : chn);
    (*n)++;
}

static enc_rc recent_sends(enc_outbox *ob, claim_ctx *c, int64_t cust, int64_t self, int64_t since,
                           size_t *n, enc_err *err)
{
    *n = 0;
    recent_ctx r = {c, n};
    return enc_obx_recent(ob->x, cust, self, since, recent_row, &r, err);
}

/* The verdict on one due message at `now`; *at gets the deferral time, *why the reason. */
static enc_rc verdict(enc_outbox *ob, claim_ctx *c, const enc_msg *m, const claim_row *x,
                      int64_t now, int *v, int64_t *at, enc_expire_reason *why, enc_err *err)
{
    *v = VERDICT_SEND;
    if (x->supp) return *v = VERDICT_SUPPRESS, ENC_OK;
    if (x->camp && strcmp(x->camp, "stopped") == 0)
        return *v = VERDICT_EXPIRE, *why = ENC_EXPIRE_CAMPAIGN_STOPPED, ENC_OK;
    if (x->cpn_revoked) return *v = VERDICT_EXPIRE, *why = ENC_EXPIRE_COUPON_REVOKED, ENC_OK;
    if (m->deadline && now > m->deadline)
        return *v = VERDICT_EXPIRE, *why = ENC_EXPIRE_DEADLINE, ENC_OK;
    if (x->cpn_exp && now > x->cpn_exp)
        return *v = VERDICT_EXPIRE, *why = ENC_EXPIRE_COUPON_EXPIRED, ENC_OK;
    /* the latest a deferral may reach: the deadline and the coupon's last valid moment */
    int64_t limit = m->deadline ? m->deadline : INT64_MAX;
    if (x->cpn_exp && x->cpn_exp < limit) limit = x->cpn_exp;
    if (x->camp && strcmp(x->camp, "paused") == 0) {
        /* a paused campaign's messages wait; they expire when resumed too late */
        *at = now + 60;
        return *v = VERDICT_DEFER, ENC_OK;
    }
    if (!x->camp || m->transactional || m->customer_id <= 0) return ENC_OK;
    if (!c->have_set) {
        if (enc_settings_load(ob->st, &c->set, err)) return err->rc;
        c->have_set = true;
    }
    const enc_policy *pol = &c->set.policy;
    const enc_tz *tz = claim_zone(c, x->tz);
    int chn = enc_channel_parse(m->channel);
    if (chn < 0) chn = 255;
    int64_t maxw = 0;
    for (int k = 0; k < pol->ncaps; k++)
        if (pol->caps[k].window > maxw) maxw = pol->caps[k].window;
    size_t n = 0;
    if (maxw > 0 && recent_sends(ob, c, m->customer_id, m->id, now - maxw, &n, err)) return err->rc;
    int64_t t = enc_policy_quiet_next(pol, tz, now);
    bool quiet = t > now, capped = false;
    /* the earliest time >= t that fits every cap and is outside quiet hours: a cap is freed
     * only when a message leaves one of its windows, so the candidates are those moments */
    for (int iter = 0; iter < 64; iter++) {
        if (enc_policy_caps_ok(pol, c->ts, c->ch, n, chn, t)) break;
        capped = true;
        int64_t next = INT64_MAX;
        for (int k = 0; k < pol->ncaps; k++) {
            const enc_cap *cp = &pol->caps[k];
            if (cp->channel != ENC_CAP_ALL_CHANNELS && cp->channel != chn) continue;
            for (size_t i = 0; i < n; i++) {
                int64_t r = c->ts[i] + cp->window;
                if (r > t && r < next) next = r;
            }
        }
        if (next == INT64_MAX || next > limit) {
            t = INT64_MAX;
            break;
        }
        t = enc_policy_quiet_next(pol, tz, next);
    }
    if (t == now) return ENC_OK;
    if (t > limit || t == INT64_MAX) {
        *why = capped ? ENC_EXPIRE_FREQUENCY_CAP : ENC_EXPIRE_QUIET_HOURS;
        return *v = VERDICT_EXPIRE, ENC_OK;
    }
    *at = t;
    (void)quiet;
    return *v = VERDICT_DEFER, ENC_OK;
}

/* Collects the rows of a claim scan into the batch (content) and rows (what else was learnt). */
typedef struct collect_ctx {
    enc_msg_batch *out;
    claim_row **rows;
    int **verdicts;
    size_t *rows_cap;
} collect_ctx;

static void collect_row(void *ctx, const enc_msg *m, const claim_row *x)
{
    collect_ctx *c = ctx;
    enc_msg_batch *out = c->out;
    ENC_GROW(out->m, out->cap, out->n + 1);
    if (out->n + 1 > *c->rows_cap) {
        size_t c2 = *c->rows_cap;
        ENC_GROW(*c->rows, c2, out->n + 1);
        c2 = *c->rows_cap;
        ENC_GROW(*c->verdicts, c2, out->n + 1);
        *c->rows_cap = c2;
    }
    out->m[out->n] = *m;
    (*c->rows)[out->n] = *x;
    out->n++;
}

enc_rc enc_outbox_claim(enc_outbox *ob, const char *channel, int64_t now, int64_t due_by,
                        size_t max, enc_msg_batch *out, enc_err *err)
{
    out->n = 0;
    out->suppressed = out->expired = out->deferred = 0;
    if (!out->arena) out->arena = enc_arena_new(1 << 16);
    else enc_arena_reset(out->arena);
    if (max == 0) return ENC_OK;
    if (enc_obx_begin(ob->x, err)) return err->rc;
    enc_rc rc = ENC_OK;
    claim_ctx cx = {0};
    claim_row *rows = NULL;
    size_t rows_cap = 0;
    int *verdicts = NULL;
    collect_ctx cc = {out, &rows, &verdicts, &rows_cap};
    /* one index seek per priority (messages_due is channel, priority, next_attempt_at), so a
     * claim costs O(log n + max) however many messages wait in the future; messages that are
     * held (expired, deferred, suppressed) do not take a place in the batch, so the seek is
     * repeated while the batch has room and rows keep coming */
    for (int prio = 9; prio >= 0 && out->n < max && !rc; prio--) {
        size_t taken = 0, held;
        int rounds = 0;
        do {
            held = 0;
            /* rows are collected first, then judged and updated: the scan stays a reader */
            size_t first = out->n;
            rc = enc_obx_claim_scan(ob->x, channel, prio, due_by, max - out->n, out->arena,
                                    collect_row, &cc, err);
            taken = out->n - first;
            /* judge and mark in order: a message marked `sending` counts against the caps of
             * the next one of the same customer */
            for (size_t i = first; i < out->n && !rc; i++) {
                enc_msg *m = &out->m[i];
                int64_t at = 0;
                enc_expire_reason why = ENC_EXPIRE_DEADLINE;
                if ((rc = verdict(ob, &cx, m, &rows[i], now, &verdicts[i], &at, &why, err))) break;
                switch (verdicts[i]) {
                case VERDICT_SUPPRESS:
                    rc = enc_obx_mark_claimed(ob->x, m->id, ENC_OBX_SUPPRESSED, rows[i].supp, 0,
                                              err);
                    break;
                case VERDICT_EXPIRE:
                    rc = enc_obx_mark_claimed(ob->x, m->id, ENC_OBX_EXPIRED,
                                              enc_expire_reason_name(why), 0, err);
                    break;
                case VERDICT_DEFER:
                    rc = enc_obx_mark_claimed(ob->x, m->id, ENC_OBX_DEFERRED, NULL, at, err);
                    break;
                default: rc = enc_obx_mark_claimed(ob->x, m->id, ENC_OBX_SENDING, NULL, now, err);
                }
                if (verdicts[i] != VERDICT_SEND) held++;
            }
            /* compact: only messages to send stay in the batch */
            size_t k = first;
            for (size_t i = first; i < out->n && !rc; i++) {
                if (verdicts[i] == VERDICT_SUPPRESS) out->suppressed++;
                else if (verdicts[i] == VERDICT_EXPIRE) out->expired++;
                else if (verdicts[i] == VERDICT_DEFER) out->deferred++;
                else out->m[k++] = out->m[i];
            }
            if (!rc) out->n = k;
        } while (!rc && held > 0 && taken > 0 && out->n < max && ++rounds < 64);
    }
    free(rows);
    free(verdicts);
    claim_ctx_free(&cx);
    if (rc) {
        enc_obx_rollback(ob->x);
        out->n = 0;
        return rc;
    }
    /* committed before any provider call: this is what makes a crash visible afterwards */
    if (enc_obx_commit(ob->x, err)) {
        out->n = 0;
        return ENC_EDB;
    }
    return ENC_OK;
}

/* ---- complete ------------------------------------------------------------------------ */

enc_rc enc_outbox_complete(enc_outbox *ob, const enc_msg_batch *b, const enc_send_result *res,
                           int64_t now, const enc_retry_policy *policy, enc_rng *rng, enc_err *err)
{
    if (b->n == 0) return ENC_OK;
    if (enc_obx_begin(ob->x, err)) return err->rc;
    enc_rc rc = ENC_OK;
    for (size_t i = 0; i < b->n && !rc; i++) {
        const enc_msg *m = &b->m[i];
        const enc_send_result *r = &res[i];
        if (r->status == ENC_SEND_OK) {
            rc = enc_obx_result_sent(ob->x, m->id, now, r->provider_ref, err);
        } else if (r->status == ENC_SEND_TEMP && m->attempts < policy->max_attempts) {
            double d = enc_backoff_delay(policy, m->attempts, rng);
            int64_t at = now + (int64_t)ceil(d);
            /* a provider's Retry-After is a floor: the backoff takes the later time */
            if (r->retry_at > at) at = r->retry_at;
            rc = enc_obx_result_retry(ob->x, m->id, at,
                                      r->error[0] ? r->error : "temporary failure", err);
        } else {
            /* permanent, or temporary on the last try */
            bool dead = r->status == ENC_SEND_TEMP;
            char why[400];
            if (dead)
                snprintf(why, sizeof why, "after %d tries: %s", m->attempts,
                         r->error[0] ? r->error : "temporary failure");
            else snprintf(why, sizeof why, "%s", r->error[0] ? r->error : "permanent failure");
            rc = enc_obx_result_final(ob->x, m->id, dead ? "dead" : "failed", why, err);
        }
        if (!rc && r->suppress_reason && m->address)
            rc = enc_outbox_suppress(ob, m->channel, m->address, r->suppress_reason, m->channel,
                                     now, err);
    }
    if (rc) {
        enc_obx_rollback(ob->x);
        return rc;
    }
    return enc_obx_commit(ob->x, err);
}

/* ---- recovery ------------------------------------------------------------------------ */

enc_rc enc_outbox_recover(enc_outbox *ob, int64_t now, enc_recover_fn rule, void *ctx,
                          int max_attempts, enc_recover_counts *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    if (enc_obx_begin(ob->x, err)) return err->rc;
    char **chans = NULL;
    size_t nch = 0;
    enc_rc rc = enc_obx_sending_channels(ob->x, &chans, &nch, err);
    for (size_t c = 0; c < nch && !rc; c++) {
        if (rule(ctx, chans[c]) == ENC_RECOVER_RESEND)
            rc = enc_obx_recover_resend(ob->x, chans[c], now, max_attempts, &out->dead,
                                        &out->resend, err);
        else rc = enc_obx_recover_reconcile(ob->x, chans[c], &out->reconcile, err);
    }
    for (size_t c = 0; c < nch; c++) free(chans[c]);
    free(chans);
    if (rc) {
        enc_obx_rollback(ob->x);
        return rc;
    }
    return enc_obx_commit(ob->x, err);
}

/* ---- reading ------------------------------------------------------------------------- */

/* Rows come ordered by channel: a new channel starts a new count row. */
typedef struct counts_ctx {
    enc_outbox_count *r;
    size_t n, cap;
} counts_ctx;

static void count_row(void *ctx, const char *ch, const char *state, int64_t n)
{
    counts_ctx *c = ctx;
    if (c->n == 0 || strcmp(c->r[c->n - 1].channel, ch) != 0) {
        ENC_GROW(c->r, c->cap, c->n + 1);
        memset(&c->r[c->n], 0, sizeof *c->r);
        snprintf(c->r[c->n].channel, sizeof c->r[c->n].channel, "%s", ch);
        c->n++;
    }
    int st = enc_msg_state_parse(state);
    if (st >= 0) c->r[c->n - 1].n[st] = n;
}

enc_rc enc_outbox_counts(enc_outbox *ob, const char *only_channel, enc_outbox_count **rows,
                         size_t *n, enc_err *err)
{
    counts_ctx c = {0};
    enc_rc rc = enc_obx_counts(ob->x, only_channel, count_row, &c, err);
    *rows = c.r;
    *n = c.n;
    return rc;
}

enc_rc enc_outbox_due_channels(enc_outbox *ob, int64_t due_by, char ***names, size_t *n,
                               enc_err *err)
{
    return enc_obx_due_channels(ob->x, due_by, names, n, err);
}

enc_rc enc_outbox_next_due(enc_outbox *ob, const char *channel, int64_t *at, enc_err *err)
{
    return enc_obx_next_due(ob->x, channel, at, err);
}

enc_rc enc_outbox_retry(enc_outbox *ob, enc_msg_state from, const char *channel, int64_t now,
                        int64_t *n, enc_err *err)
{
    if (from == ENC_MSG_QUEUED || from == ENC_MSG_SENDING || from == ENC_MSG_SENT ||
        from == ENC_MSG_EXPIRED || (unsigned)from >= ENC_MSG_NSTATES)
        return enc_fail(err, ENC_EUSAGE,
                        "only dead, failed, reconcile, suppressed or cancelled"
                        " messages can be queued again");
    return enc_obx_requeue(ob->x, enc_msg_state_name(from), channel, now, n, err);
}

enc_rc enc_outbox_cancel(enc_outbox *ob, const char *campaign, const char *channel, int64_t *n,
                         enc_err *err)
{
    return enc_obx_cancel(ob->x, campaign, channel, n, err);
}

/* ---- channel switches ---------------------------------------------------------------- */

enc_rc enc_outbox_channel_get(enc_outbox *ob, const char *channel, enc_channel_state *out,
                              enc_err *err)
{
    memset(out, 0, sizeof *out);
    return enc_obx_channel_get(ob->x, channel, &out->paused, &out->rate, err);
}

enc_rc enc_outbox_set_paused(enc_outbox *ob, const char *channel, bool paused, int64_t now,
                             enc_err *err)
{
    return enc_obx_set_paused(ob->x, channel, paused, now, err);
}

enc_rc enc_outbox_set_rate(enc_outbox *ob, const char *channel, double rate, int64_t now,
                           enc_err *err)
{
    return enc_obx_set_rate(ob->x, channel, rate, now, err);
}

/* ---- suppressions -------------------------------------------------------------------- */

enc_rc enc_outbox_suppress(enc_outbox *ob, const char *channel, const char *address,
                           const char *reason, const char *source, int64_t now, enc_err *err)
{
    if (!channel || !*channel || !address || !*address || !reason || !*reason)
        return enc_fail(err, ENC_EUSAGE, "suppressing needs a channel, an address and a reason");
    return enc_obx_suppress(ob->x, channel, address, reason, source, now, err);
}

enc_rc enc_outbox_is_suppressed(enc_outbox *ob, const char *channel, const char *address, bool *out,
                                enc_err *err)
{
    return enc_obx_is_suppressed(ob->x, channel, address, out, err);
}

enc_rc enc_outbox_sms_reply(enc_outbox *ob, const char *channel, const char *phone,
                            const char *text, int64_t now, bool *opted_out, enc_err *err)
{
    *opted_out = enc_optout_match(text);
    if (!*opted_out) return ENC_OK;
    return enc_outbox_suppress(ob, channel, phone, "optout_reply", "sms reply", now, err);
}

enc_rc enc_outbox_reply(enc_outbox *ob, const char *channel, const char *phone, const char *cc,
                        const char *text, int64_t now, bool *opted_out, int64_t *customers,
                        char *e164, enc_err *err)
{
    *opted_out = false;
    if (customers) *customers = 0;
    if (!channel || !*channel) return enc_fail(err, ENC_EUSAGE, "a reply needs a channel");
    char num[40];
    const char *why = NULL;
    if (!phone ||
        !enc_clean_phone(phone, strlen(phone), cc && *cc ? cc : NULL, num, sizeof num, &why))
        return enc_fail(err, ENC_EUSAGE,
                        "the reply's sender is not a phone number (%s): nothing recorded",
                        why ? why : "empty");
    if (e164) snprintf(e164, 32, "%.31s", num);
    if (!enc_optout_match(text ? text : "")) return ENC_OK;
    *opted_out = true;
    bool own;
    if (enc_obx_begin_maybe(ob->x, &own, err)) return err->rc;
    enc_rc rc = enc_outbox_suppress(ob, channel, num, "optout_reply", "sms reply", now, err);
    /* every customer owning the number (their own phone or a phone identity), after merges */
    int64_t ids[256];
    size_t nid = 0;
    if (!rc) rc = enc_obx_number_owners(ob->x, num, ids, 256, &nid, err);
    for (size_t i = 0; i < nid && !rc; i++) {
        char key[96];
        snprintf(key, sizeof key, "%s:%s:%lld:%lld", channel, num, (long long)ids[i],
                 (long long)now);
        enc_consent_rec c = {0};
        c.source = "reply";
        c.source_key = key;
        c.customer = ids[i];
        c.ts = now;
        c.channel = channel;
        c.purpose = "marketing";
        c.granted = false;
        enc_put put;
        rc = enc_store_consent_put(ob->st, &c, &put, err);
        if (!rc && customers) (*customers)++;
    }
    return enc_obx_end_maybe(ob->x, own, rc, err);
}

bool enc_outbox_policy_unsubscribe_url(enc_outbox *ob, char *out, size_t cap)
{
    enc_settings set, dflt;
    enc_err e = {0};
    enc_settings_default(&dflt);
    if (enc_settings_load(ob->st, &set, &e) || !set.unsubscribe_url[0] ||
        strcmp(set.unsubscribe_url, dflt.unsubscribe_url) == 0)
        return false;
    return (size_t)snprintf(out, cap, "%s", set.unsubscribe_url) < cap;
}

/* ---- inbox --------------------------------------------------------------------------- */

enc_rc enc_outbox_inbox_put(enc_outbox *ob, const enc_msg *m, int64_t now, bool *dup, enc_err *err)
{
    return enc_obx_inbox_put(ob->x, m, now, dup, err);
}
