/* outbox.c — the outbox on SQLite (tables of the store's "delivery" migration): enqueue by
 * idempotency key, atomic claims committed before any provider call, results with backoff,
 * crash recovery, suppressions, channel switches and the inbox. The SQL lives here, on the
 * store's handle (as snapshot.c reads it); a PostgreSQL backend would give this header a
 * second implementation. Statements are prepared once per outbox handle. */
#include "delivery/outbox.h"
#include "delivery/optout.h"
#include "base/mem.h"
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[ENC_MSG_NSTATES] = {
    "queued", "sending", "sent", "failed", "dead", "reconcile", "cancelled", "suppressed",
};

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
                 " next_attempt_at, created_at, due_at, id)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'queued', 0, ?12, ?13, ?12,"
                 " ?14)"
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

enc_rc enc_outbox_claim(enc_outbox *ob, const char *channel, int64_t now, int64_t due_by,
                        size_t max, enc_msg_batch *out, enc_err *err)
{
    out->n = 0;
    out->suppressed = 0;
    if (!out->arena) out->arena = enc_arena_new(1 << 16);
    else enc_arena_reset(out->arena);
    if (max == 0) return ENC_OK;
    if (exec(ob, "BEGIN IMMEDIATE", err)) return err->rc;
    enc_rc rc = ENC_OK;
    /* one index seek per priority (messages_due is channel, priority, next_attempt_at), so a
     * claim costs O(log n + max) however many messages wait in the future */
    for (int prio = 9; prio >= 0 && out->n < max && !rc; prio--) {
        sqlite3_stmt *s = stmt(
            ob, S_CLAIM,
            "SELECT m.id, m.customer_id, m.campaign, m.variant, m.channel, m.address, m.subject,"
            " m.body_text, m.body_html, m.payload, m.idempotency_key, m.priority, m.attempts,"
            " m.created_at, m.due_at,"
            " (SELECT reason FROM suppressions x WHERE x.address = m.address"
            "   AND x.channel IN (m.channel, '*') LIMIT 1)"
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
        /* rows are collected first, then updated: the SELECT stays a plain reader */
        size_t first = out->n;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            if (sqlite3_column_type(s, 15) != SQLITE_NULL) {
                /* suppressed: recorded below, not handed to the adapter */
                ENC_GROW(out->m, out->cap, out->n + 1);
                enc_msg *m = &out->m[out->n++];
                memset(m, 0, sizeof *m);
                m->id = sqlite3_column_int64(s, 0);
                m->attempts = -1; /* marks "suppressed" until compacted */
                m->subject = col_dup(out->arena, s, 15);
                continue;
            }
            ENC_GROW(out->m, out->cap, out->n + 1);
            enc_msg *m = &out->m[out->n++];
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
        }
        if (r != SQLITE_DONE) rc = sqlfail(ob, err, "claiming");
        sqlite3_reset(s);
        /* mark the rows of this priority */
        for (size_t i = first; i < out->n && !rc; i++) {
            enc_msg *m = &out->m[i];
            sqlite3_stmt *u;
            if (m->attempts < 0) {
                u = stmt(
                    ob, S_MARK_SUPP,
                    "UPDATE messages SET state = 'suppressed', last_error = 'suppressed: ' || ?2"
                    " WHERE id = ?1",
                    err);
                if (u) sqlite3_bind_text(u, 2, m->subject, -1, SQLITE_STATIC);
            } else {
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
        }
    }
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
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (out->m[i].attempts < 0) out->suppressed++;
        else out->m[k++] = out->m[i];
    }
    out->n = k;
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
        (unsigned)from >= ENC_MSG_NSTATES)
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
    sqlite3_bind_int64(s, 2, m->id);
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
