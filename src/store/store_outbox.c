/* store_outbox.c — the SQLite side of outbox_store.h (the tables of the store's "delivery"
 * migration). Statements run per message (insert, claim, marks, results, suppressions, the
 * inbox) are prepared once per handle and reused; rarer ones are prepared per call. The logic
 * that decides what to write (verdicts, backoff, recovery rules) is delivery/outbox.c's. */
#include "store/outbox_store.h"
#include "base/mem.h"
#include "store/store_int.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    S_INSERT,
    S_CLAIM,
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

struct enc_obx {
    enc_store *st;
    sqlite3 *db;
    sqlite3_stmt *s[S_MAX];
};

static enc_rc sqlfail(enc_obx *x, enc_err *err, const char *what)
{
    return enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(x->db));
}

static sqlite3_stmt *stmt(enc_obx *x, int slot, const char *sql, enc_err *err)
{
    sqlite3_stmt *s = x->s[slot];
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
    }
    if (sqlite3_prepare_v3(x->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        sqlfail(x, err, "prepare");
        return NULL;
    }
    return x->s[slot] = s;
}

static enc_rc exec(enc_obx *x, const char *sql, enc_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(x->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        enc_fail(err, ENC_EDB, "%s", msg ? msg : sqlite3_errmsg(x->db));
        sqlite3_free(msg);
        return ENC_EDB;
    }
    return ENC_OK;
}

enc_rc enc_obx_open(enc_store *st, enc_obx **out, enc_err *err)
{
    enc_obx *x = enc_xcalloc(1, sizeof *x);
    x->st = st;
    x->db = st->db;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(x->db, "SELECT 1 FROM messages LIMIT 0", -1, &s, NULL) != SQLITE_OK) {
        free(x);
        return enc_fail(err, ENC_EDB, "the store has no outbox (schema too old)");
    }
    sqlite3_finalize(s);
    *out = x;
    return ENC_OK;
}

void enc_obx_close(enc_obx *x)
{
    if (!x) return;
    for (int i = 0; i < S_MAX; i++) sqlite3_finalize(x->s[i]);
    free(x);
}

/* ---- transactions ------------------------------------------------------------------------ */

bool enc_obx_in_tx(enc_obx *x) { return sqlite3_get_autocommit(x->db) == 0; }

enc_rc enc_obx_begin(enc_obx *x, enc_err *err) { return exec(x, "BEGIN IMMEDIATE", err); }

void enc_obx_rollback(enc_obx *x) { exec(x, "ROLLBACK", NULL); }

enc_rc enc_obx_commit(enc_obx *x, enc_err *err)
{
    if (exec(x, "COMMIT", err)) {
        exec(x, "ROLLBACK", NULL);
        return ENC_EDB;
    }
    return ENC_OK;
}

enc_rc enc_obx_begin_maybe(enc_obx *x, bool *own, enc_err *err)
{
    *own = !enc_obx_in_tx(x);
    return *own ? enc_obx_begin(x, err) : ENC_OK;
}

enc_rc enc_obx_end_maybe(enc_obx *x, bool own, enc_rc rc, enc_err *err)
{
    if (!own) return rc;
    if (rc) {
        enc_obx_rollback(x);
        return rc;
    }
    return enc_obx_commit(x, err);
}

/* ---- messages ---------------------------------------------------------------------------- */

enc_rc enc_obx_insert(enc_obx *x, const enc_msg_rec *r, int64_t now, bool *added, enc_err *err)
{
    *added = false;
    sqlite3_stmt *s =
        stmt(x, S_INSERT,
             "INSERT INTO messages(campaign, variant, customer_id, channel, address, subject,"
             " body_text, body_html, payload, idempotency_key, priority, state, attempts,"
             " next_attempt_at, created_at, due_at, id, deadline, transactional)"
             " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'queued', 0, ?12, ?13, ?12,"
             " ?14, ?15, ?16)"
             " ON CONFLICT(idempotency_key) DO NOTHING",
             err);
    if (!s) return ENC_EDB;
    enc__bind_text(s, 1, r->campaign);
    enc__bind_text(s, 2, r->variant);
    if (r->customer_id) sqlite3_bind_int64(s, 3, r->customer_id);
    enc__bind_text(s, 4, r->channel);
    enc__bind_text(s, 5, r->address);
    enc__bind_text(s, 6, r->subject);
    enc__bind_text(s, 7, r->body_text);
    enc__bind_text(s, 8, r->body_html);
    enc__bind_text(s, 9, r->payload);
    enc__bind_text(s, 10, r->idempotency_key);
    sqlite3_bind_int(s, 11, r->priority);
    sqlite3_bind_int64(s, 12, r->due_at ? r->due_at : now);
    sqlite3_bind_int64(s, 13, now);
    if (r->id > 0) sqlite3_bind_int64(s, 14, r->id); /* else NULL: the next rowid */
    if (r->deadline > 0) sqlite3_bind_int64(s, 15, r->deadline);
    sqlite3_bind_int(s, 16, r->transactional ? 1 : 0);
    enc_rc rc = ENC_OK;
    if (sqlite3_step(s) != SQLITE_DONE) rc = sqlfail(x, err, "enqueueing");
    else *added = sqlite3_changes(x->db) > 0;
    sqlite3_reset(s);
    return rc;
}

enc_rc enc_obx_next_id(enc_obx *x, int64_t *id, enc_err *err)
{
    *id = 0;
    sqlite3_stmt *s = stmt(x, S_NEXT_ID, "SELECT coalesce(max(id), 0) + 1 FROM messages", err);
    if (!s) return ENC_EDB;
    enc_rc rc = ENC_OK;
    if (sqlite3_step(s) == SQLITE_ROW) *id = sqlite3_column_int64(s, 0);
    else rc = sqlfail(x, err, "reading the next message id");
    sqlite3_reset(s);
    return rc;
}

static const char *col_dup(struct enc_arena *a, sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (!t) return NULL;
    return enc_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

enc_rc enc_obx_claim_scan(enc_obx *x, const char *channel, int priority, int64_t due_by,
                          size_t limit, struct enc_arena *arena, enc_obx_claim_fn fn, void *ctx,
                          enc_err *err)
{
    sqlite3_stmt *s =
        stmt(x, S_CLAIM,
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
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, priority);
    sqlite3_bind_int64(s, 3, due_by);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        enc_msg m = {0};
        enc_obx_claim_row c = {0};
        m.id = sqlite3_column_int64(s, 0);
        m.customer_id = sqlite3_column_int64(s, 1);
        m.campaign = col_dup(arena, s, 2);
        m.variant = col_dup(arena, s, 3);
        m.channel = col_dup(arena, s, 4);
        m.address = col_dup(arena, s, 5);
        m.subject = col_dup(arena, s, 6);
        m.body_text = col_dup(arena, s, 7);
        m.body_html = col_dup(arena, s, 8);
        m.payload = col_dup(arena, s, 9);
        m.idempotency_key = col_dup(arena, s, 10);
        m.priority = sqlite3_column_int(s, 11);
        m.attempts = sqlite3_column_int(s, 12) + 1;
        m.created_at = sqlite3_column_int64(s, 13);
        m.due_at = sqlite3_column_int64(s, 14);
        c.supp = col_dup(arena, s, 15);
        m.deadline = sqlite3_column_int64(s, 16);
        m.transactional = sqlite3_column_int(s, 17) != 0;
        c.camp = col_dup(arena, s, 18);
        const char *cp = (const char *)sqlite3_column_text(s, 19);
        if (cp) {
            char *end;
            c.cpn_exp = strtoll(cp, &end, 10);
            c.cpn_revoked = *end == ' ' && end[1] == '1';
        }
        c.tz = col_dup(arena, s, 20);
        fn(ctx, &m, &c);
    }
    enc_rc rc = r == SQLITE_DONE ? ENC_OK : sqlfail(x, err, "claiming");
    sqlite3_reset(s);
    return rc;
}

enc_rc enc_obx_mark_claimed(enc_obx *x, int64_t id, enc_obx_mark how, const char *text, int64_t at,
                            enc_err *err)
{
    sqlite3_stmt *u = NULL;
    switch (how) {
    case ENC_OBX_SUPPRESSED:
        u = stmt(x, S_MARK_SUPP,
                 "UPDATE messages SET state = 'suppressed',"
                 " last_error = 'suppressed: ' || ?2 WHERE id = ?1",
                 err);
        if (u) sqlite3_bind_text(u, 2, text, -1, SQLITE_STATIC);
        break;
    case ENC_OBX_EXPIRED:
        u = stmt(x, S_MARK_EXPIRED,
                 "UPDATE messages SET state = 'expired', last_error = ?2"
                 " WHERE id = ?1",
                 err);
        if (u) sqlite3_bind_text(u, 2, text, -1, SQLITE_STATIC);
        break;
    case ENC_OBX_DEFERRED:
        u = stmt(x, S_MARK_DEFER,
                 "UPDATE messages SET next_attempt_at = ?2,"
                 " last_error = 'deferred: contact policy or paused campaign'"
                 " WHERE id = ?1",
                 err);
        if (u) sqlite3_bind_int64(u, 2, at);
        break;
    default:
        u = stmt(x, S_MARK_SENDING,
                 "UPDATE messages SET state = 'sending', attempts = attempts + 1,"
                 " claimed_at = ?2 WHERE id = ?1",
                 err);
        if (u) sqlite3_bind_int64(u, 2, at);
    }
    if (!u) return ENC_EDB;
    sqlite3_bind_int64(u, 1, id);
    enc_rc rc = sqlite3_step(u) != SQLITE_DONE ? sqlfail(x, err, "claiming") : ENC_OK;
    sqlite3_reset(u);
    return rc;
}

enc_rc enc_obx_recent(enc_obx *x, int64_t customer, int64_t self, int64_t since,
                      void (*fn)(void *ctx, int64_t at, const char *channel), void *ctx,
                      enc_err *err)
{
    sqlite3_stmt *q = stmt(x, S_RECENT,
                           "SELECT coalesce(sent_at, claimed_at), channel FROM messages"
                           " WHERE customer_id = ?1 AND id <> ?2 AND transactional = 0"
                           " AND (state = 'sent' OR state = 'sending')"
                           " AND coalesce(sent_at, claimed_at) > ?3",
                           err);
    if (!q) return ENC_EDB;
    sqlite3_bind_int64(q, 1, customer);
    sqlite3_bind_int64(q, 2, self);
    sqlite3_bind_int64(q, 3, since);
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1));
    sqlite3_reset(q);
    return r == SQLITE_DONE ? ENC_OK : sqlfail(x, err, "reading what was sent");
}

/* Steps a statement from stmt() that returns no rows, and resets it. */
static enc_rc step_done(enc_obx *x, sqlite3_stmt *s, enc_err *err, const char *what)
{
    enc_rc rc = sqlite3_step(s) != SQLITE_DONE ? sqlfail(x, err, what) : ENC_OK;
    sqlite3_reset(s);
    return rc;
}

enc_rc enc_obx_result_sent(enc_obx *x, int64_t id, int64_t at, const char *provider_ref,
                           enc_err *err)
{
    sqlite3_stmt *s = stmt(x, S_SENT,
                           "UPDATE messages SET state = 'sent', sent_at = ?2, provider_ref = ?3,"
                           " last_error = NULL WHERE id = ?1 AND state = 'sending'",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 2, at);
    enc__bind_text(s, 3, provider_ref);
    sqlite3_bind_int64(s, 1, id);
    return step_done(x, s, err, "recording a result");
}

enc_rc enc_obx_result_retry(enc_obx *x, int64_t id, int64_t at, const char *error, enc_err *err)
{
    sqlite3_stmt *s =
        stmt(x, S_RETRY,
             "UPDATE messages SET state = 'queued', next_attempt_at = ?2, last_error = ?3"
             " WHERE id = ?1 AND state = 'sending'",
             err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 2, at);
    enc__bind_text(s, 3, error);
    sqlite3_bind_int64(s, 1, id);
    return step_done(x, s, err, "recording a result");
}

enc_rc enc_obx_result_final(enc_obx *x, int64_t id, const char *state, const char *why,
                            enc_err *err)
{
    sqlite3_stmt *s = stmt(x, S_FAILED,
                           "UPDATE messages SET state = ?2, last_error = ?3"
                           " WHERE id = ?1 AND state = 'sending'",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, why, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 1, id);
    return step_done(x, s, err, "recording a result");
}

/* ---- recovery ---------------------------------------------------------------------------- */

/* The first column of every row of sql (one optional int64 parameter) as malloc'ed strings. */
static enc_rc names(enc_obx *x, const char *sql, const int64_t *param, char ***out, size_t *n,
                    enc_err *err, const char *what)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(x->db, sql, -1, &s, NULL) != SQLITE_OK) return sqlfail(x, err, what);
    if (param) sqlite3_bind_int64(s, 1, *param);
    size_t cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        ENC_GROW(*out, cap, *n + 1);
        (*out)[(*n)++] = enc_xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return ENC_OK;
}

enc_rc enc_obx_sending_channels(enc_obx *x, char ***out, size_t *n, enc_err *err)
{
    return names(x, "SELECT DISTINCT channel FROM messages WHERE state = 'sending'", NULL, out, n,
                 err, "recovery");
}

/* Runs sql on channel (?1; ?2 now and ?3 max_attempts when resend) and adds its changes. */
static enc_rc recover_one(enc_obx *x, const char *sql, const char *channel, bool resend,
                          int64_t now, int max_attempts, int64_t *count, enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(x->db, sql, -1, &s, NULL) != SQLITE_OK)
        return sqlfail(x, err, "recovery");
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    if (resend) {
        sqlite3_bind_int64(s, 2, now);
        sqlite3_bind_int(s, 3, max_attempts);
    }
    enc_rc rc = ENC_OK;
    if (sqlite3_step(s) != SQLITE_DONE) rc = sqlfail(x, err, "recovery");
    else *count += sqlite3_changes(x->db);
    sqlite3_finalize(s);
    return rc;
}

enc_rc enc_obx_recover_resend(enc_obx *x, const char *channel, int64_t now, int max_attempts,
                              int64_t *dead, int64_t *resend, enc_err *err)
{
    enc_rc rc = recover_one(x,
                            "UPDATE messages SET state = 'dead', last_error = 'interrupted while"
                            " sending on the last of ' || attempts || ' tries' WHERE state ="
                            " 'sending' AND channel = ?1 AND attempts >= ?3",
                            channel, true, now, max_attempts, dead, err);
    if (rc) return rc;
    return recover_one(x,
                       "UPDATE messages SET state = 'queued', next_attempt_at = ?2, last_error ="
                       " 'interrupted while sending: sent again with the same idempotency key'"
                       " WHERE state = 'sending' AND channel = ?1",
                       channel, true, now, max_attempts, resend, err);
}

enc_rc enc_obx_recover_reconcile(enc_obx *x, const char *channel, int64_t *reconcile, enc_err *err)
{
    return recover_one(x,
                       "UPDATE messages SET state = 'reconcile', last_error = 'interrupted while"
                       " sending: the provider cannot deduplicate, so it may or may not have been"
                       " sent; check its log, then retry or leave it' WHERE state = 'sending' AND"
                       " channel = ?1",
                       channel, false, 0, 0, reconcile, err);
}

/* ---- reading and bulk changes ------------------------------------------------------------ */

enc_rc enc_obx_counts(enc_obx *x, const char *only_channel,
                      void (*fn)(void *ctx, const char *channel, const char *state, int64_t n),
                      void *ctx, enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(x->db,
                           "SELECT channel, state, count(*) FROM messages"
                           " WHERE ?1 IS NULL OR channel = ?1 GROUP BY channel, state"
                           " ORDER BY channel",
                           -1, &s, NULL) != SQLITE_OK)
        return sqlfail(x, err, "counting");
    enc__bind_text(s, 1, only_channel);
    while (sqlite3_step(s) == SQLITE_ROW)
        fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
           sqlite3_column_int64(s, 2));
    sqlite3_finalize(s);
    return ENC_OK;
}

enc_rc enc_obx_due_channels(enc_obx *x, int64_t due_by, char ***out, size_t *n, enc_err *err)
{
    /* DISTINCT over the partial index: one step per channel present in queued rows */
    return names(x,
                 "SELECT DISTINCT channel FROM messages WHERE state = 'queued'"
                 " AND next_attempt_at <= ?1",
                 &due_by, out, n, err, "listing channels");
}

enc_rc enc_obx_next_due(enc_obx *x, const char *channel, int64_t *at, enc_err *err)
{
    *at = INT64_MAX;
    sqlite3_stmt *s = stmt(x, S_NEXT_DUE,
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

static enc_rc run_update(enc_obx *x, const char *sql, const char *a, const char *b, int64_t i3,
                         int64_t *n, enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(x->db, sql, -1, &s, NULL) != SQLITE_OK)
        return sqlfail(x, err, "updating the outbox");
    enc__bind_text(s, 1, a);
    enc__bind_text(s, 2, b);
    sqlite3_bind_int64(s, 3, i3);
    int r = sqlite3_step(s);
    sqlite3_finalize(s);
    if (r != SQLITE_DONE) return sqlfail(x, err, "updating the outbox");
    if (n) *n = sqlite3_changes(x->db);
    return ENC_OK;
}

enc_rc enc_obx_requeue(enc_obx *x, const char *state, const char *channel, int64_t now, int64_t *n,
                       enc_err *err)
{
    return run_update(x,
                      "UPDATE messages SET state = 'queued', attempts = 0, next_attempt_at = ?3,"
                      " last_error = NULL WHERE state = ?1 AND (?2 IS NULL OR channel = ?2)",
                      state, channel, now, n, err);
}

enc_rc enc_obx_cancel(enc_obx *x, const char *campaign, const char *channel, int64_t *n,
                      enc_err *err)
{
    return run_update(x,
                      "UPDATE messages SET state = 'cancelled' WHERE state = 'queued'"
                      " AND (?1 IS NULL OR campaign = ?1) AND (?2 IS NULL OR channel = ?2)",
                      campaign, channel, 0, n, err);
}

enc_rc enc_obx_message_address(enc_store *st, int64_t id, char **channel, char **address,
                               enc_err *err)
{
    *channel = *address = NULL;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT channel, address FROM messages WHERE id = ?1", -1, &q,
                           NULL) != SQLITE_OK)
        return enc_fail(err, ENC_EDB, "reading the message: %s", sqlite3_errmsg(st->db));
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) == SQLITE_ROW) {
        const char *ch = (const char *)sqlite3_column_text(q, 0),
                   *addr = (const char *)sqlite3_column_text(q, 1);
        if (ch && addr) {
            *channel = enc_xstrdup(ch);
            *address = enc_xstrdup(addr);
        }
    }
    sqlite3_finalize(q);
    return ENC_OK;
}

/* ---- channel switches -------------------------------------------------------------------- */

enc_rc enc_obx_channel_get(enc_obx *x, const char *channel, bool *paused, double *rate,
                           enc_err *err)
{
    *paused = false;
    *rate = 0;
    sqlite3_stmt *s = stmt(
        x, S_CHAN_GET, "SELECT paused, rate_per_sec FROM channel_state WHERE channel = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        *paused = sqlite3_column_int(s, 0) != 0;
        *rate = sqlite3_column_type(s, 1) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 1);
    }
    sqlite3_reset(s);
    if (r != SQLITE_ROW && r != SQLITE_DONE) return sqlfail(x, err, "reading channel state");
    return ENC_OK;
}

enc_rc enc_obx_set_paused(enc_obx *x, const char *channel, bool paused, int64_t now, enc_err *err)
{
    return run_update(x,
                      "INSERT INTO channel_state(channel, paused, updated_at) VALUES(?1, ?2, ?3)"
                      " ON CONFLICT(channel) DO UPDATE SET paused = excluded.paused,"
                      " updated_at = excluded.updated_at",
                      channel, paused ? "1" : "0", now, NULL, err);
}

enc_rc enc_obx_set_rate(enc_obx *x, const char *channel, double rate, int64_t now, enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(
            x->db,
            "INSERT INTO channel_state(channel, rate_per_sec, updated_at)"
            " VALUES(?1, ?2, ?3) ON CONFLICT(channel) DO UPDATE SET"
            " rate_per_sec = excluded.rate_per_sec, updated_at = excluded.updated_at",
            -1, &s, NULL) != SQLITE_OK)
        return sqlfail(x, err, "setting rate");
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    if (rate > 0) sqlite3_bind_double(s, 2, rate);
    sqlite3_bind_int64(s, 3, now);
    int r = sqlite3_step(s);
    sqlite3_finalize(s);
    return r == SQLITE_DONE ? ENC_OK : sqlfail(x, err, "setting rate");
}

/* ---- suppressions ------------------------------------------------------------------------ */

enc_rc enc_obx_suppress(enc_obx *x, const char *channel, const char *address, const char *reason,
                        const char *source, int64_t now, enc_err *err)
{
    sqlite3_stmt *s = stmt(x, S_SUPPRESS,
                           "INSERT INTO suppressions(channel, address, reason, at, source)"
                           " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    enc__bind_text(s, 5, source);
    return step_done(x, s, err, "suppressing");
}

enc_rc enc_obx_is_suppressed(enc_obx *x, const char *channel, const char *address, bool *out,
                             enc_err *err)
{
    *out = false;
    sqlite3_stmt *s = stmt(x, S_IS_SUPP,
                           "SELECT 1 FROM suppressions WHERE address = ?2"
                           " AND channel IN (?1, '*') LIMIT 1",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    *out = r == SQLITE_ROW;
    sqlite3_reset(s);
    return r == SQLITE_ROW || r == SQLITE_DONE ? ENC_OK : sqlfail(x, err, "reading suppressions");
}

enc_rc enc_obx_number_owners(enc_obx *x, const char *num, int64_t *ids, size_t cap, size_t *n,
                             enc_err *err)
{
    *n = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(x->db,
                           "SELECT DISTINCT coalesce(c.merged_into, c.id) FROM customers c"
                           " WHERE c.phone = ?1 UNION SELECT i.customer_id FROM identities i"
                           " WHERE i.kind = 'phone' AND i.value = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return sqlfail(x, err, "reading the number's customers");
    sqlite3_bind_text(q, 1, num, -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        if (*n < cap) ids[(*n)++] = sqlite3_column_int64(q, 0);
    enc_rc rc = r != SQLITE_DONE ? sqlfail(x, err, "reading the number's customers") : ENC_OK;
    sqlite3_finalize(q);
    return rc;
}

/* ---- inbox ------------------------------------------------------------------------------- */

enc_rc enc_obx_inbox_put(enc_obx *x, const enc_msg *m, int64_t now, bool *dup, enc_err *err)
{
    sqlite3_stmt *s = stmt(x, S_INBOX,
                           "INSERT INTO inbox(customer_id, message_id, idempotency_key, title,"
                           " body, payload, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                           " ON CONFLICT(idempotency_key) DO NOTHING",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, m->customer_id);
    if (m->id > 0) sqlite3_bind_int64(s, 2, m->id);
    else sqlite3_bind_null(s, 2); /* not from the outbox: a settings test send */
    enc__bind_text(s, 3, m->idempotency_key);
    enc__bind_text(s, 4, m->subject);
    enc__bind_text(s, 5, m->body_text ? m->body_text : m->body_html);
    enc__bind_text(s, 6, m->payload);
    sqlite3_bind_int64(s, 7, now);
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    if (r != SQLITE_DONE) return sqlfail(x, err, "writing the inbox");
    *dup = sqlite3_changes(x->db) == 0;
    return ENC_OK;
}

/* the customer and everyone merged into it (merges repoint chains, store.c) */
#define OWNED_BY "customer_id IN (SELECT id FROM customers WHERE id = ?1 OR merged_into = ?1)"

static enc_rc dbfail(enc_store *st, enc_err *err, const char *what)
{
    return enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(st->db));
}

enc_rc enc_inbox_scan(enc_store *st, int64_t cust, int64_t before, bool unread_only, int limit,
                      bool (*fn)(void *ctx, const enc_inbox_row *r), void *ctx, enc_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT i.id, i.message_id, m.campaign, i.title, i.body, i.payload,"
                           " i.created_at, i.read_at,"
                           /* the text and the HTML apart: the message's own, or the inbox
                            * row's body as text when no message is behind it */
                           " CASE WHEN m.id IS NULL THEN i.body ELSE m.body_text END,"
                           " m.body_html FROM inbox i"
                           " LEFT JOIN messages m ON m.id = i.message_id"
                           " WHERE i." OWNED_BY " AND (?2 = 0 OR i.id < ?2)"
                           " AND (?3 = 0 OR i.read_at IS NULL) ORDER BY i.id DESC LIMIT ?4",
                           -1, &s, NULL) != SQLITE_OK)
        return dbfail(st, err, "reading the inbox");
    sqlite3_bind_int64(s, 1, cust);
    sqlite3_bind_int64(s, 2, before > 0 ? before : 0);
    sqlite3_bind_int(s, 3, unread_only);
    sqlite3_bind_int(s, 4, limit);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_inbox_row r = {0};
        r.id = sqlite3_column_int64(s, 0);
        r.has_message = sqlite3_column_type(s, 1) != SQLITE_NULL;
        r.message_id = sqlite3_column_int64(s, 1);
        r.campaign = (const char *)sqlite3_column_text(s, 2);
        r.title = (const char *)sqlite3_column_text(s, 3);
        r.body = (const char *)sqlite3_column_text(s, 4);
        r.payload = (const char *)sqlite3_column_text(s, 5);
        r.has_created = sqlite3_column_type(s, 6) != SQLITE_NULL;
        r.created_at = sqlite3_column_int64(s, 6);
        r.has_read = sqlite3_column_type(s, 7) != SQLITE_NULL;
        r.read_at = sqlite3_column_int64(s, 7);
        r.body_text = (const char *)sqlite3_column_text(s, 8);
        r.body_html = (const char *)sqlite3_column_text(s, 9);
        if (!fn(ctx, &r)) break;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return dbfail(st, err, "reading the inbox");
    return ENC_OK;
}

enc_rc enc_inbox_unread(enc_store *st, int64_t cust, int64_t *n, enc_err *err)
{
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT count(*) FROM inbox WHERE " OWNED_BY " AND read_at IS NULL", -1,
                           &s, NULL) != SQLITE_OK)
        return dbfail(st, err, "counting unread messages");
    sqlite3_bind_int64(s, 1, cust);
    if (sqlite3_step(s) == SQLITE_ROW) *n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return ENC_OK;
}

enc_rc enc_inbox_store_mark(enc_store *st, int64_t id, int64_t cust, int64_t now, int *how,
                            int64_t *read_at, enc_err *err)
{
    *how = 0;
    *read_at = 0;
    /* an unread message is marked; a read one keeps the time of its first read */
    static const char *const sql[2] = {
        "UPDATE inbox SET read_at = ?3 WHERE id = ?2 AND read_at IS NULL AND"
        " (?1 = 0 OR " OWNED_BY ") RETURNING read_at",
        "SELECT read_at FROM inbox WHERE id = ?2 AND (?1 = 0 OR " OWNED_BY ")",
    };
    for (int k = 0; k < 2 && *how == 0; k++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db, sql[k], -1, &s, NULL) != SQLITE_OK)
            return dbfail(st, err, "marking an inbox message read");
        sqlite3_bind_int64(s, 1, cust);
        sqlite3_bind_int64(s, 2, id);
        if (k == 0) sqlite3_bind_int64(s, 3, now);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            *read_at = sqlite3_column_int64(s, 0);
            *how = k == 0 ? 1 : 2;
            rc = sqlite3_step(s);
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) return dbfail(st, err, "marking an inbox message read");
    }
    return ENC_OK;
}
