/* outbox.c — the outbox on SQLite (tables of the store's "delivery" migration): enqueue by
 * idempotency key, atomic claims committed before any provider call, results with backoff,
 * crash recovery, suppressions, channel switches and the inbox. The SQL lives here, on the
 * store's handle (as snapshot.c reads it); a PostgreSQL backend would give this header a
 * second implementation. Statements are prepared once per outbox handle. */
#include "delivery/outbox.h"
#include "delivery/optout.h"
#include "base/datetime.h"
#include "base/mem.h"
#include "campaign/spec.h"
#include "campaign/campdb.h"
#include "ingest/clean.h"
#include <math.h>
#include <sqlite3.h>
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

enum {
    S_INSERT,
    S_CLAIM,
    S_CLAIM_SUPP,
    S_MARK_SENDING,
    S_MARK_SUPP,
    S_SENT,
    S_RETRY,
    S_FAILED,
    S_SUPPRESS,
    S_IS_SUPP,
    S_INBOX,
    S_NEXT_DUE,
    S_CHAN_GET,
    S_NEXT_ID,
    S_MARK_EXPIRED,
    S_MARK_DEFER,
    S_RECENT,
    S_MAX
};

struct enc_outbox {
    enc_store *st;
    sqlite3 *db;
    sqlite3_stmt *s[S_MAX];
};

static enc_rc sqlfail(enc_outbox *ob, enc_err *err, const char *what)
{
    return enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(ob->db));
}

static sqlite3_stmt *stmt(enc_outbox *ob, int slot, const char *sql, enc_err *err)
{
    sqlite3_stmt *s = ob->s[slot];
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
    }
    if (sqlite3_prepare_v3(ob->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        sqlfail(ob, err, "prepare");
        return NULL;
    }
    return ob->s[slot] = s;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

static enc_rc exec(enc_outbox *ob, const char *sql, enc_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(ob->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        enc_fail(err, ENC_EDB, "%s", msg ? msg : sqlite3_errmsg(ob->db));
        sqlite3_free(msg);
        return ENC_EDB;
    }
    return ENC_OK;
}

/* Opens a transaction unless the caller has one; *own tells whether we must end it. */
static enc_rc begin_maybe(enc_outbox *ob, bool *own, enc_err *err)
{
    *own = sqlite3_get_autocommit(ob->db) != 0;
    return *own ? exec(ob, "BEGIN IMMEDIATE", err) : ENC_OK;
}

static enc_rc end_maybe(enc_outbox *ob, bool own, enc_rc rc, enc_err *err)
{
    if (!own) return rc;
    if (rc) {
        exec(ob, "ROLLBACK", NULL);
        return rc;
    }
    if (exec(ob, "COMMIT", err)) {
        exec(ob, "ROLLBACK", NULL);
        return ENC_EDB;
    }
    return ENC_OK;
}

enc_rc enc_outbox_open(enc_store *st, enc_outbox **out, enc_err *err)
{
    enc_outbox *ob = enc_xcalloc(1, sizeof *ob);
    ob->st = st;
    ob->db = enc__store_db(st);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(ob->db, "SELECT 1 FROM messages LIMIT 0", -1, &s, NULL) != SQLITE_OK) {
        free(ob);
        return enc_fail(err, ENC_EDB, "the store has no outbox (schema too old)");
    }
    sqlite3_finalize(s);
    *out = ob;
    return ENC_OK;
}

void enc_outbox_close(enc_outbox *ob)
{
    if (!ob) return;
    for (int i = 0; i < S_MAX; i++) sqlite3_finalize(ob->s[i]);
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
    if (begin_maybe(ob, &own, err)) return err->rc;
    enc_rc rc = ENC_OK;
    size_t k = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_stmt *s =
            stmt(ob, S_INSERT,
                 "INSERT INTO messages(campaign, variant, customer_id, channel, address, subject,"
                 " body_text, body_html, payload, idempotency_key, priority, state, attempts,"
                 " next_attempt_at, created_at, due_at, id, deadline, transactional)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'queued', 0, ?12, ?13, ?12,"
                 " ?14, ?15, ?16)"
                 " ON CONFLICT(idempotency_key) DO NOTHING",
                 err);
        if (!s) {
            rc = ENC_EDB;
            break;
        }
        const enc_msg_rec *r = &m[i];
        bind_text(s, 1, r->campaign);
        bind_text(s, 2, r->variant);
        if (r->customer_id) sqlite3_bind_int64(s, 3, r->customer_id);
        bind_text(s, 4, r->channel);
        bind_text(s, 5, r->address);
        bind_text(s, 6, r->subject);
        bind_text(s, 7, r->body_text);
        bind_text(s, 8, r->body_html);
        bind_text(s, 9, r->payload);
        bind_text(s, 10, r->idempotency_key);
        sqlite3_bind_int(s, 11, r->priority);
        sqlite3_bind_int64(s, 12, r->due_at ? r->due_at : now);
        sqlite3_bind_int64(s, 13, now);
        if (r->id > 0) sqlite3_bind_int64(s, 14, r->id); /* else NULL: the next rowid */
        if (r->deadline > 0) sqlite3_bind_int64(s, 15, r->deadline);
        sqlite3_bind_int(s, 16, r->transactional ? 1 : 0);
        if (sqlite3_step(s) != SQLITE_DONE) rc = sqlfail(ob, err, "enqueueing");
        else k += (size_t)sqlite3_changes(ob->db);
        sqlite3_reset(s);
    }
    rc = end_maybe(ob, own, rc, err);
    if (!rc && added) *added = k;
    return rc;
}

enc_rc enc_outbox_next_id(enc_outbox *ob, int64_t *id, enc_err *err)
{
    *id = 0;
    if (sqlite3_get_autocommit(ob->db))
        return enc_fail(err, ENC_EUSAGE, "reserving message ids needs a write transaction");
    sqlite3_stmt *s = stmt(ob, S_NEXT_ID, "SELECT coalesce(max(id), 0) + 1 FROM messages", err);
    if (!s) return ENC_EDB;
    enc_rc rc = ENC_OK;
    if (sqlite3_step(s) == SQLITE_ROW) *id = sqlite3_column_int64(s, 0);
    else rc = sqlfail(ob, err, "reading the next message id");
    sqlite3_reset(s);
    return rc;
}

/* ---- claim --------------------------------------------------------------------------- */

static const char *col_dup(enc_arena *a, sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (!t) return NULL;
    return enc_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

/* What the claim learnt of one due message besides its content. */
typedef struct claim_row {
    const char *supp; /* suppression reason, or NULL */
    const char *camp; /* state of its campaign row, or NULL (no campaign row) */
    const char *tz;   /* customer's zone, or NULL */
    int64_t cpn_exp;  /* coupon expiry, 0 = none */
    bool cpn_revoked; /* coupon revoked */
} claim_row;

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
static enc_rc recent_sends(enc_outbox *ob, claim_ctx *c, int64_t cust, int64_t self, int64_t since,
                           size_t *n, enc_err *err)
{
    *n = 0;
    sqlite3_stmt *q = stmt(ob, S_RECENT,
                           "SELECT coalesce(sent_at, claimed_at), channel FROM messages"
                           " WHERE customer_id = ?1 AND id <> ?2 AND transactional = 0"
                           " AND (state = 'sent' OR state = 'sending')"
                           " AND coalesce(sent_at, claimed_at) > ?3",
                           err);
    if (!q) return ENC_EDB;
    sqlite3_bind_int64(q, 1, cust);
    sqlite3_bind_int64(q, 2, self);
    sqlite3_bind_int64(q, 3, since);
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == c->cap) {
            size_t c2 = c->cap;
            ENC_GROW(c->ts, c2, *n + 1);
            c2 = c->cap;
            ENC_GROW(c->ch, c2, *n + 1);
            c->cap = c2;
        }
        int chn = enc_channel_parse((const char *)sqlite3_column_text(q, 1));
        c->ts[*n] = sqlite3_column_int64(q, 0);
        c->ch[*n] = (uint8_t)(chn < 0 ? 255 : chn);
        (*n)++;
    }
    sqlite3_reset(q);
    return r == SQLITE_DONE ? ENC_OK : sqlfail(ob, err, "reading what was sent");
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

enc_rc enc_outbox_claim(enc_outbox *ob, const char *channel, int64_t now, int64_t due_by,
                        size_t max, enc_msg_batch *out, enc_err *err)
{
    out->n = 0;
    out->suppressed = out->expired = out->deferred = 0;
    if (!out->arena) out->arena = enc_arena_new(1 << 16);
    else enc_arena_reset(out->arena);
    if (max == 0) return ENC_OK;
    if (exec(ob, "BEGIN IMMEDIATE", err)) return err->rc;
    enc_rc rc = ENC_OK;
    claim_ctx cx = {0};
    claim_row *rows = NULL;
    size_t rows_cap = 0;
    int *verdicts = NULL;
    /* one index seek per priority (messages_due is channel, priority, next_attempt_at), so a
     * claim costs O(log n + max) however many messages wait in the future; messages that are
     * held (expired, deferred, suppressed) do not take a place in the batch, so the seek is
     * repeated while the batch has room and rows keep coming */
    for (int prio = 9; prio >= 0 && out->n < max && !rc; prio--) {
        size_t taken = 0, held;
        int rounds = 0;
        do {
            held = 0;
            sqlite3_stmt *s = stmt(
                ob, S_CLAIM,
                "SELECT m.id, m.customer_id, m.campaign, m.variant, m.channel, m.address,"
                " m.subject, m.body_text, m.body_html, m.payload, m.idempotency_key, m.priority,"
                " m.attempts, m.created_at, m.due_at,"
                " (SELECT reason FROM suppressions x WHERE x.address = m.address"
                "   AND x.channel IN (m.channel, '*') LIMIT 1),"
                " m.deadline, m.transactional,"
                " (SELECT state FROM campaigns c WHERE c.name = m.campaign),"
                " (SELECT coalesce(expires_at, 0) || ' ' || (revoked_at IS NOT NULL)"
                "   FROM coupons k WHERE k.message_key = m.idempotency_key),"
                " (SELECT tz FROM customers u WHERE u.id = m.customer_id)"
                " FROM messages m WHERE m.state = 'queued' AND m.channel = ?1 AND m.priority = ?2"
                " AND m.next_attempt_at <= ?3 ORDER BY m.next_attempt_at, m.id LIMIT ?4",
                err);
            if (!s) {
                rc = ENC_EDB;
                break;
            }
            sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
            sqlite3_bind_int(s, 2, prio);
            sqlite3_bind_int64(s, 3, due_by);
            sqlite3_bind_int64(s, 4, (sqlite3_int64)(max - out->n));
            int r;
            /* rows are collected first, then judged and updated: the SELECT stays a reader */
            size_t first = out->n;
            while ((r = sqlite3_step(s)) == SQLITE_ROW) {
                ENC_GROW(out->m, out->cap, out->n + 1);
                if (out->n + 1 > rows_cap) {
                    size_t c2 = rows_cap;
                    ENC_GROW(rows, c2, out->n + 1);
                    c2 = rows_cap;
                    ENC_GROW(verdicts, c2, out->n + 1);
                    rows_cap = c2;
                }
                enc_msg *m = &out->m[out->n];
                claim_row *x = &rows[out->n];
                out->n++;
                memset(m, 0, sizeof *m);
                memset(x, 0, sizeof *x);
                m->id = sqlite3_column_int64(s, 0);
                m->customer_id = sqlite3_column_int64(s, 1);
                m->campaign = col_dup(out->arena, s, 2);
                m->variant = col_dup(out->arena, s, 3);
                m->channel = col_dup(out->arena, s, 4);
                m->address = col_dup(out->arena, s, 5);
                m->subject = col_dup(out->arena, s, 6);
                m->body_text = col_dup(out->arena, s, 7);
                m->body_html = col_dup(out->arena, s, 8);
                m->payload = col_dup(out->arena, s, 9);
                m->idempotency_key = col_dup(out->arena, s, 10);
                m->priority = sqlite3_column_int(s, 11);
                m->attempts = sqlite3_column_int(s, 12) + 1;
                m->created_at = sqlite3_column_int64(s, 13);
                m->due_at = sqlite3_column_int64(s, 14);
                x->supp = col_dup(out->arena, s, 15);
                m->deadline = sqlite3_column_int64(s, 16);
                m->transactional = sqlite3_column_int(s, 17) != 0;
                x->camp = col_dup(out->arena, s, 18);
                const char *cp = (const char *)sqlite3_column_text(s, 19);
                if (cp) {
                    char *end;
                    x->cpn_exp = strtoll(cp, &end, 10);
                    x->cpn_revoked = *end == ' ' && end[1] == '1';
                }
                x->tz = col_dup(out->arena, s, 20);
            }
            if (r != SQLITE_DONE) rc = sqlfail(ob, err, "claiming");
            sqlite3_reset(s);
            taken = out->n - first;
            /* judge and mark in order: a message marked `sending` counts against the caps of
             * the next one of the same customer */
            for (size_t i = first; i < out->n && !rc; i++) {
                enc_msg *m = &out->m[i];
                int64_t at = 0;
                enc_expire_reason why = ENC_EXPIRE_DEADLINE;
                if ((rc = verdict(ob, &cx, m, &rows[i], now, &verdicts[i], &at, &why, err))) break;
                sqlite3_stmt *u = NULL;
                switch (verdicts[i]) {
                case VERDICT_SUPPRESS:
                    u = stmt(ob, S_MARK_SUPP,
                             "UPDATE messages SET state = 'suppressed',"
                             " last_error = 'suppressed: ' || ?2 WHERE id = ?1",
                             err);
                    if (u) sqlite3_bind_text(u, 2, rows[i].supp, -1, SQLITE_STATIC);
                    break;
                case VERDICT_EXPIRE:
                    u = stmt(ob, S_MARK_EXPIRED,
                             "UPDATE messages SET state = 'expired', last_error = ?2"
                             " WHERE id = ?1",
                             err);
                    if (u) sqlite3_bind_text(u, 2, enc_expire_reason_name(why), -1, SQLITE_STATIC);
                    break;
                case VERDICT_DEFER:
                    u = stmt(ob, S_MARK_DEFER,
                             "UPDATE messages SET next_attempt_at = ?2,"
                             " last_error = 'deferred: contact policy or paused campaign'"
                             " WHERE id = ?1",
                             err);
                    if (u) sqlite3_bind_int64(u, 2, at);
                    break;
                default:
                    u = stmt(ob, S_MARK_SENDING,
                             "UPDATE messages SET state = 'sending', attempts = attempts + 1,"
                             " claimed_at = ?2 WHERE id = ?1",
                             err);
                    if (u) sqlite3_bind_int64(u, 2, now);
                }
                if (!u) {
                    rc = ENC_EDB;
                    break;
                }
                sqlite3_bind_int64(u, 1, m->id);
                if (sqlite3_step(u) != SQLITE_DONE) rc = sqlfail(ob, err, "claiming");
                sqlite3_reset(u);
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
        exec(ob, "ROLLBACK", NULL);
        out->n = 0;
        return rc;
    }
    /* committed before any provider call: this is what makes a crash visible afterwards */
    if (exec(ob, "COMMIT", err)) {
        exec(ob, "ROLLBACK", NULL);
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
    if (exec(ob, "BEGIN IMMEDIATE", err)) return err->rc;
    enc_rc rc = ENC_OK;
    for (size_t i = 0; i < b->n && !rc; i++) {
        const enc_msg *m = &b->m[i];
        const enc_send_result *r = &res[i];
        sqlite3_stmt *s = NULL;
        if (r->status == ENC_SEND_OK) {
            s = stmt(ob, S_SENT,
                     "UPDATE messages SET state = 'sent', sent_at = ?2, provider_ref = ?3,"
                     " last_error = NULL WHERE id = ?1 AND state = 'sending'",
                     err);
            if (s) {
                sqlite3_bind_int64(s, 2, now);
                bind_text(s, 3, r->provider_ref);
            }
        } else if (r->status == ENC_SEND_TEMP && m->attempts < policy->max_attempts) {
            s = stmt(ob, S_RETRY,
                     "UPDATE messages SET state = 'queued', next_attempt_at = ?2, last_error = ?3"
                     " WHERE id = ?1 AND state = 'sending'",
                     err);
            if (s) {
                double d = enc_backoff_delay(policy, m->attempts, rng);
                int64_t at = now + (int64_t)ceil(d);
                /* a provider's Retry-After is a floor: the backoff takes the later time */
                if (r->retry_at > at) at = r->retry_at;
                sqlite3_bind_int64(s, 2, at);
                bind_text(s, 3, r->error[0] ? r->error : "temporary failure");
            }
        } else {
            /* permanent, or temporary on the last try */
            s = stmt(ob, S_FAILED,
                     "UPDATE messages SET state = ?2, last_error = ?3"
                     " WHERE id = ?1 AND state = 'sending'",
                     err);
            if (s) {
                bool dead = r->status == ENC_SEND_TEMP;
                sqlite3_bind_text(s, 2, dead ? "dead" : "failed", -1, SQLITE_STATIC);
                char why[400];
                if (dead)
                    snprintf(why, sizeof why, "after %d tries: %s", m->attempts,
                             r->error[0] ? r->error : "temporary failure");
                else snprintf(why, sizeof why, "%s", r->error[0] ? r->error : "permanent failure");
                sqlite3_bind_text(s, 3, why, -1, SQLITE_TRANSIENT);
            }
        }
        if (!s) {
            rc = ENC_EDB;
            break;
        }
        sqlite3_bind_int64(s, 1, m->id);
        if (sqlite3_step(s) != SQLITE_DONE) rc = sqlfail(ob, err, "recording a result");
        sqlite3_reset(s);
        if (!rc && r->suppress_reason && m->address)
            rc = enc_outbox_suppress(ob, m->channel, m->address, r->suppress_reason, m->channel,
                                     now, err);
    }
    if (rc) {
        exec(ob, "ROLLBACK", NULL);
        return rc;
    }
    if (exec(ob, "COMMIT", err)) {
        exec(ob, "ROLLBACK", NULL);
        return ENC_EDB;
    }
    return ENC_OK;
}

/* ---- recovery ------------------------------------------------------------------------ */

enc_rc enc_outbox_recover(enc_outbox *ob, int64_t now, enc_recover_fn rule, void *ctx,
                          int max_attempts, enc_recover_counts *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    if (exec(ob, "BEGIN IMMEDIATE", err)) return err->rc;
    enc_rc rc = ENC_OK;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(ob->db, "SELECT DISTINCT channel FROM messages WHERE state = 'sending'",
                           -1, &s, NULL) != SQLITE_OK) {
        rc = sqlfail(ob, err, "recovery");
        goto done;
    }
    char **chans = NULL;
    size_t nch = 0, cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        ENC_GROW(chans, cap, nch + 1);
        chans[nch++] = enc_xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    for (size_t c = 0; c < nch; c++) {
        enc_recover_rule r = rule(ctx, chans[c]);
        static const char *const sql_resend[] = {
            "UPDATE messages SET state = 'dead', last_error = 'interrupted while sending on the"
            " last of ' || attempts || ' tries' WHERE state = 'sending' AND channel = ?1"
            " AND attempts >= ?3",
            "UPDATE messages SET state = 'queued', next_attempt_at = ?2, last_error ="
            " 'interrupted while sending: sent again with the same idempotency key'"
            " WHERE state = 'sending' AND channel = ?1",
        };
        static const char *const sql_reconcile =
            "UPDATE messages SET state = 'reconcile', last_error = 'interrupted while sending:"
            " the provider cannot deduplicate, so it may or may not have been sent; check its"
            " log, then retry or leave it' WHERE state = 'sending' AND channel = ?1";
        int64_t *counts[] = {&out->dead, &out->resend};
        int nsql = r == ENC_RECOVER_RESEND ? 2 : 1;
        for (int q = 0; q < nsql && !rc; q++) {
            const char *sql = r == ENC_RECOVER_RESEND ? sql_resend[q] : sql_reconcile;
            if (sqlite3_prepare_v2(ob->db, sql, -1, &s, NULL) != SQLITE_OK) {
                rc = sqlfail(ob, err, "recovery");
                break;
            }
            sqlite3_bind_text(s, 1, chans[c], -1, SQLITE_STATIC);
            if (r == ENC_RECOVER_RESEND) {
                sqlite3_bind_int64(s, 2, now);
                sqlite3_bind_int(s, 3, max_attempts);
            }
            if (sqlite3_step(s) != SQLITE_DONE) rc = sqlfail(ob, err, "recovery");
            else
                *(r == ENC_RECOVER_RESEND ? counts[q] : &out->reconcile) += sqlite3_changes(ob->db);
            sqlite3_finalize(s);
        }
    }
    for (size_t c = 0; c < nch; c++) free(chans[c]);
    free(chans);
done:
    if (rc) {
        exec(ob, "ROLLBACK", NULL);
        return rc;
    }
    if (exec(ob, "COMMIT", err)) {
        exec(ob, "ROLLBACK", NULL);
        return ENC_EDB;
    }
    return ENC_OK;
}

/* ---- reading ------------------------------------------------------------------------- */

enc_rc enc_outbox_counts(enc_outbox *ob, const char *only_channel, enc_outbox_count **rows,
                         size_t *n, enc_err *err)
{
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(ob->db,
                           "SELECT channel, state, count(*) FROM messages"
                           " WHERE ?1 IS NULL OR channel = ?1 GROUP BY channel, state"
                           " ORDER BY channel",
                           -1, &s, NULL) != SQLITE_OK)
        return sqlfail(ob, err, "counting");
    bind_text(s, 1, only_channel);
    size_t cap = 0;
    enc_outbox_count *r = NULL;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *ch = (const char *)sqlite3_column_text(s, 0);
        if (*n == 0 || strcmp(r[*n - 1].channel, ch) != 0) {
            ENC_GROW(r, cap, *n + 1);
            memset(&r[*n], 0, sizeof *r);
            snprintf(r[*n].channel, sizeof r[*n].channel, "%s", ch);
            (*n)++;
        }
        int st = enc_msg_state_parse((const char *)sqlite3_column_text(s, 1));
        if (st >= 0) r[*n - 1].n[st] = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    *rows = r;
    return ENC_OK;
}

enc_rc enc_outbox_due_channels(enc_outbox *ob, int64_t due_by, char ***names, size_t *n,
                               enc_err *err)
{
    *names = NULL;
    *n = 0;
    sqlite3_stmt *s;
    /* DISTINCT over the partial index: one step per channel present in queued rows */
    if (sqlite3_prepare_v2(ob->db,
                           "SELECT DISTINCT channel FROM messages WHERE state = 'queued'"
                           " AND next_attempt_at <= ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return sqlfail(ob, err, "listing channels");
    sqlite3_bind_int64(s, 1, due_by);
    size_t cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        ENC_GROW(*names, cap, *n + 1);
        (*names)[(*n)++] = enc_xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return ENC_OK;
}

enc_rc enc_outbox_next_due(enc_outbox *ob, const char *channel, int64_t *at, enc_err *err)
{
    *at = INT64_MAX;
    sqlite3_stmt *s = stmt(ob, S_NEXT_DUE,
                           "SELECT min(next_attempt_at) FROM messages"
                           " WHERE state = 'queued' AND channel = ?1",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        *at = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return ENC_OK;
}

static enc_rc run_update(enc_outbox *ob, const char *sql, const char *a, const char *b, int64_t i3,
                         int64_t *n, enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(ob->db, sql, -1, &s, NULL) != SQLITE_OK)
        return sqlfail(ob, err, "updating the outbox");
    bind_text(s, 1, a);
    bind_text(s, 2, b);
    sqlite3_bind_int64(s, 3, i3);
    int r = sqlite3_step(s);
    sqlite3_finalize(s);
    if (r != SQLITE_DONE) return sqlfail(ob, err, "updating the outbox");
    if (n) *n = sqlite3_changes(ob->db);
    return ENC_OK;
}

enc_rc enc_outbox_retry(enc_outbox *ob, enc_msg_state from, const char *channel, int64_t now,
                        int64_t *n, enc_err *err)
{
    if (from == ENC_MSG_QUEUED || from == ENC_MSG_SENDING || from == ENC_MSG_SENT ||
        from == ENC_MSG_EXPIRED || (unsigned)from >= ENC_MSG_NSTATES)
        return enc_fail(err, ENC_EUSAGE,
                        "only dead, failed, reconcile, suppressed or cancelled"
                        " messages can be queued again");
    return run_update(ob,
                      "UPDATE messages SET state = 'queued', attempts = 0, next_attempt_at = ?3,"
                      " last_error = NULL WHERE state = ?1 AND (?2 IS NULL OR channel = ?2)",
                      enc_msg_state_name(from), channel, now, n, err);
}

enc_rc enc_outbox_cancel(enc_outbox *ob, const char *campaign, const char *channel, int64_t *n,
                         enc_err *err)
{
    return run_update(ob,
                      "UPDATE messages SET state = 'cancelled' WHERE state = 'queued'"
                      " AND (?1 IS NULL OR campaign = ?1) AND (?2 IS NULL OR channel = ?2)",
                      campaign, channel, 0, n, err);
}

/* ---- channel switches ---------------------------------------------------------------- */

enc_rc enc_outbox_channel_get(enc_outbox *ob, const char *channel, enc_channel_state *out,
                              enc_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = stmt(
        ob, S_CHAN_GET, "SELECT paused, rate_per_sec FROM channel_state WHERE channel = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        out->paused = sqlite3_column_int(s, 0) != 0;
        out->rate = sqlite3_column_type(s, 1) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 1);
    }
    sqlite3_reset(s);
    if (r != SQLITE_ROW && r != SQLITE_DONE) return sqlfail(ob, err, "reading channel state");
    return ENC_OK;
}

enc_rc enc_outbox_set_paused(enc_outbox *ob, const char *channel, bool paused, int64_t now,
                             enc_err *err)
{
    return run_update(ob,
                      "INSERT INTO channel_state(channel, paused, updated_at) VALUES(?1, ?2, ?3)"
                      " ON CONFLICT(channel) DO UPDATE SET paused = excluded.paused,"
                      " updated_at = excluded.updated_at",
                      channel, paused ? "1" : "0", now, NULL, err);
}

enc_rc enc_outbox_set_rate(enc_outbox *ob, const char *channel, double rate, int64_t now,
                           enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(
            ob->db,
            "INSERT INTO channel_state(channel, rate_per_sec, updated_at)"
            " VALUES(?1, ?2, ?3) ON CONFLICT(channel) DO UPDATE SET"
            " rate_per_sec = excluded.rate_per_sec, updated_at = excluded.updated_at",
            -1, &s, NULL) != SQLITE_OK)
        return sqlfail(ob, err, "setting rate");
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    if (rate > 0) sqlite3_bind_double(s, 2, rate);
    sqlite3_bind_int64(s, 3, now);
    int r = sqlite3_step(s);
    sqlite3_finalize(s);
    return r == SQLITE_DONE ? ENC_OK : sqlfail(ob, err, "setting rate");
}

/* ---- suppressions -------------------------------------------------------------------- */

enc_rc enc_outbox_suppress(enc_outbox *ob, const char *channel, const char *address,
                           const char *reason, const char *source, int64_t now, enc_err *err)
{
    if (!channel || !*channel || !address || !*address || !reason || !*reason)
        return enc_fail(err, ENC_EUSAGE, "suppressing needs a channel, an address and a reason");
    sqlite3_stmt *s = stmt(ob, S_SUPPRESS,
                           "INSERT INTO suppressions(channel, address, reason, at, source)"
                           " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    bind_text(s, 5, source);
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    return r == SQLITE_DONE ? ENC_OK : sqlfail(ob, err, "suppressing");
}

enc_rc enc_outbox_is_suppressed(enc_outbox *ob, const char *channel, const char *address, bool *out,
                                enc_err *err)
{
    *out = false;
    sqlite3_stmt *s = stmt(ob, S_IS_SUPP,
                           "SELECT 1 FROM suppressions WHERE address = ?2"
                           " AND channel IN (?1, '*') LIMIT 1",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    *out = r == SQLITE_ROW;
    sqlite3_reset(s);
    return r == SQLITE_ROW || r == SQLITE_DONE ? ENC_OK : sqlfail(ob, err, "reading suppressions");
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
    if (begin_maybe(ob, &own, err)) return err->rc;
    enc_rc rc = enc_outbox_suppress(ob, channel, num, "optout_reply", "sms reply", now, err);
    /* every customer owning the number (their own phone or a phone identity), after merges */
    sqlite3_stmt *q = NULL;
    if (!rc && sqlite3_prepare_v2(ob->db,
                                  "SELECT DISTINCT coalesce(c.merged_into, c.id) FROM customers c"
                                  " WHERE c.phone = ?1 UNION SELECT i.customer_id FROM identities i"
                                  " WHERE i.kind = 'phone' AND i.value = ?1",
                                  -1, &q, NULL) != SQLITE_OK)
        rc = sqlfail(ob, err, "reading the number's customers");
    int64_t ids[256];
    size_t nid = 0;
    if (!rc) {
        sqlite3_bind_text(q, 1, num, -1, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(q)) == SQLITE_ROW)
            if (nid < 256) ids[nid++] = sqlite3_column_int64(q, 0);
        if (r != SQLITE_DONE) rc = sqlfail(ob, err, "reading the number's customers");
    }
    sqlite3_finalize(q);
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
    return end_maybe(ob, own, rc, err);
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
    sqlite3_stmt *s = stmt(ob, S_INBOX,
                           "INSERT INTO inbox(customer_id, message_id, idempotency_key, title,"
                           " body, payload, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                           " ON CONFLICT(idempotency_key) DO NOTHING",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, m->customer_id);
    if (m->id > 0) sqlite3_bind_int64(s, 2, m->id);
    else sqlite3_bind_null(s, 2); /* not from the outbox: a settings test send */
    bind_text(s, 3, m->idempotency_key);
    bind_text(s, 4, m->subject);
    bind_text(s, 5, m->body_text ? m->body_text : m->body_html);
    bind_text(s, 6, m->payload);
    sqlite3_bind_int64(s, 7, now);
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    if (r != SQLITE_DONE) return sqlfail(ob, err, "writing the inbox");
    *dup = sqlite3_changes(ob->db) == 0;
    return ENC_OK;
}
