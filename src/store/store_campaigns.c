/* store_campaigns.c — the SQLite side of campaign_store.h: campaigns, members, coupons,
 * campaign settings and the planner's reads of the outbox. Statements run once per plan or per
 * batch are prepared per call; those run once per message (coupons, members) are kept in a
 * writer. */
#include "store/campaign_store.h"
#include "base/coupon.h"
#include "base/mem.h"
#include "store/store_int.h"
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enc_rc sqlfail(sqlite3 *db, enc_err *err, const char *what)
{
    return enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql, enc_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        sqlfail(db, err, "prepare");
        return NULL;
    }
    return s;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(s, i);
}

/* Steps a statement that returns no rows, finalises it. */
static enc_rc run(sqlite3 *db, sqlite3_stmt *s, enc_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, what);
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? enc_xstrdup((const char *)t) : NULL;
}

static void col_copy(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* ---- the writer's statements ---------------------------------------------------------------- */

enum { W_COUPON_FIND, W_COUPON_INSERT, W_MEMBER, W_MAX };

struct enc_camp_writer {
    sqlite3 *db;
    sqlite3_stmt *s[W_MAX];
};

enc_camp_writer *enc_camp_writer_new(enc_store *st)
{
    enc_camp_writer *w = enc_xcalloc(1, sizeof *w);
    w->db = st->db;
    return w;
}

void enc_camp_writer_free(enc_camp_writer *w)
{
    if (!w) return;
    for (int i = 0; i < W_MAX; i++) sqlite3_finalize(w->s[i]);
    free(w);
}

/* The statement of slot (prepared once per writer), or a fresh one without a writer. */
static sqlite3_stmt *wprep(sqlite3 *db, enc_camp_writer *w, int slot, const char *sql, enc_err *err)
{
    if (!w) return prep(db, sql, err);
    if (w->s[slot]) {
        sqlite3_reset(w->s[slot]);
        sqlite3_clear_bindings(w->s[slot]);
        return w->s[slot];
    }
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &w->s[slot], NULL) !=
        SQLITE_OK) {
        sqlfail(db, err, "prepare");
        w->s[slot] = NULL;
        return NULL;
    }
    return w->s[slot];
}

/* Ends a statement from wprep: kept (reset) with a writer, finalised without. */
static void wdone(enc_camp_writer *w, sqlite3_stmt *s)
{
    if (w) sqlite3_reset(s);
    else sqlite3_finalize(s);
}

static enc_rc wrun(sqlite3 *db, enc_camp_writer *w, sqlite3_stmt *s, enc_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    enc_rc r = rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, what);
    wdone(w, s);
    return r;
}

/* ---- campaigns --------------------------------------------------------------------------- */

void enc_camp_row_free(enc_camp_row *r)
{
    free(r->spec);
    free(r->ab_report);
    r->spec = r->ab_report = NULL;
}

#define CAMP_COLS                                                                                  \
    "name, state, spec, priority, created_at, updated_at, coalesce(started_at, 0),"                \
    " coalesce(processed_to, 0), coalesce(ab_decide_at, 0), ab_winner,"                            \
    " coalesce(ab_decided_at, 0), coalesce(ab_rollout_at, 0), ab_report"

static void read_row(sqlite3_stmt *q, enc_camp_row *r)
{
    memset(r, 0, sizeof *r);
    col_copy(q, 0, r->name, sizeof r->name);
    col_copy(q, 1, r->state, sizeof r->state);
    r->spec = col_dup(q, 2);
    r->priority = sqlite3_column_int(q, 3);
    r->created_at = sqlite3_column_int64(q, 4);
    r->updated_at = sqlite3_column_int64(q, 5);
    r->started_at = sqlite3_column_int64(q, 6);
    r->processed_to = sqlite3_column_int64(q, 7);
    r->ab_decide_at = sqlite3_column_int64(q, 8);
    col_copy(q, 9, r->ab_winner, sizeof r->ab_winner);
    r->ab_decided_at = sqlite3_column_int64(q, 10);
    r->ab_rollout_at = sqlite3_column_int64(q, 11);
    r->ab_report = col_dup(q, 12);
}

enc_rc enc_camp_get(enc_store *st, const char *name, enc_camp_row *out, enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db, "SELECT " CAMP_COLS " FROM campaigns WHERE name = ?1", err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) read_row(q, out);
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW) return ENC_OK;
    if (rc == SQLITE_DONE) return enc_fail(err, ENC_ENOTFOUND, "no campaign named '%s'", name);
    return sqlfail(db, err, "reading campaign");
}

enc_rc enc_camp_list(enc_store *st, enc_camp_row **rows, size_t *n, enc_err *err)
{
    sqlite3 *db = st->db;
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *q =
        prep(db, "SELECT " CAMP_COLS " FROM campaigns ORDER BY priority DESC, name", err);
    if (!q) return ENC_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ENC_GROW(*rows, cap, *n + 1);
        read_row(q, &(*rows)[(*n)++]);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, "listing campaigns");
}

enc_rc enc_camp_store_put(enc_store *st, const char *name, const char *text, const char *state,
                          int priority, bool on_cap_defer, int64_t now, bool *created, enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db,
                           "INSERT INTO campaigns(name, spec, state, priority, on_cap, created_at,"
                           " updated_at) VALUES(?1, ?2, coalesce(?3, 'draft'), ?4, ?5, ?6, ?6)"
                           " ON CONFLICT(name) DO UPDATE SET spec = ?2,"
                           " state = coalesce(?3, state), priority = ?4, on_cap = ?5,"
                           " updated_at = ?6",
                           err);
    if (!q) return ENC_EDB;
    int before = sqlite3_total_changes(db);
    sqlite3_int64 last = sqlite3_last_insert_rowid(db);
    bind_text(q, 1, name);
    bind_text(q, 2, text);
    bind_text(q, 3, state);
    sqlite3_bind_int(q, 4, priority);
    bind_text(q, 5, on_cap_defer ? "defer" : "drop");
    sqlite3_bind_int64(q, 6, now);
    enc_rc rc = run(db, q, err, "saving campaign");
    if (!rc && created)
        *created = sqlite3_last_insert_rowid(db) != last && sqlite3_total_changes(db) > before;
    return rc;
}

enc_rc enc_camp_set_state(enc_store *st, const char *name, const char *state, int64_t now,
                          enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q =
        prep(db, "UPDATE campaigns SET state = ?2, updated_at = ?3 WHERE name = ?1", err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    bind_text(q, 2, state);
    sqlite3_bind_int64(q, 3, now);
    enc_rc rc = run(db, q, err, "setting campaign state");
    if (!rc && sqlite3_changes(db) == 0)
        return enc_fail(err, ENC_ENOTFOUND, "no campaign named '%s'", name);
    return rc;
}

enc_rc enc_camp_store_started(enc_store *st, const char *name, int64_t now, int64_t decide_after,
                              enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db,
                           "UPDATE campaigns SET started_at = coalesce(started_at, ?2),"
                           " ab_decide_at = CASE WHEN ?3 > 0 THEN coalesce(started_at, ?2) + ?3"
                           " END WHERE name = ?1",
                           err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    sqlite3_bind_int64(q, 2, now);
    sqlite3_bind_int64(q, 3, decide_after);
    return run(db, q, err, "marking campaign started");
}

enc_rc enc_camp_set_processed(enc_store *st, const char *name, int64_t to, enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db,
                           "UPDATE campaigns SET processed_to = max(coalesce(processed_to, 0), ?2)"
                           " WHERE name = ?1",
                           err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    sqlite3_bind_int64(q, 2, to);
    return run(db, q, err, "saving trigger watermark");
}

enc_rc enc_camp_set_ab(enc_store *st, const char *name, const char *winner, int64_t decided_at,
                       const char *report, enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db,
                           "UPDATE campaigns SET ab_winner = ?2, ab_decided_at = ?3, ab_report = ?4"
                           " WHERE name = ?1",
                           err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    bind_text(q, 2, winner);
    sqlite3_bind_int64(q, 3, decided_at);
    bind_text(q, 4, report);
    return run(db, q, err, "saving A/B decision");
}

enc_rc enc_camp_set_rollout(enc_store *st, const char *name, int64_t at, enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db, "UPDATE campaigns SET ab_rollout_at = ?2 WHERE name = ?1", err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    sqlite3_bind_int64(q, 2, at);
    return run(db, q, err, "saving roll-out");
}

enc_rc enc_camp_log_run(enc_store *st, const char *name, int64_t at, int64_t from, int64_t to,
                        int64_t audience, int64_t messages, int64_t holdout, int64_t added,
                        enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q =
        prep(db,
             "INSERT INTO campaign_runs(campaign, at, window_from, window_to, audience,"
             " messages, holdout, added) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
             err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    int64_t v[] = {at, from, to, audience, messages, holdout, added};
    for (int i = 0; i < 7; i++) sqlite3_bind_int64(q, i + 2, v[i]);
    return run(db, q, err, "logging run");
}

/* ---- members ----------------------------------------------------------------------------- */

static size_t member_key(char *buf, size_t cap, int64_t customer, const char *occ)
{
    int n = snprintf(buf, cap, "%lld|%s", (long long)customer, occ);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

enc_rc enc_members_load(enc_store *st, const char *campaign, enc_members *out, enc_err *err)
{
    sqlite3 *db = st->db;
    memset(out, 0, sizeof *out);
    out->arena = enc_arena_new(64 * 1024);
    out->index = enc_smap_new(1024);
    sqlite3_stmt *q =
        prep(db,
             "SELECT customer_id, occurrence, holdout, variant, channel, message_key, at"
             " FROM campaign_members WHERE campaign = ?1",
             err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, campaign);
    int rc;
    char key[512];
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ENC_GROW(out->v, out->cap, out->n + 1);
        enc_member *m = &out->v[out->n];
        m->customer = sqlite3_column_int64(q, 0);
        const char *t[4];
        for (int i = 0; i < 4; i++) {
            const unsigned char *x = sqlite3_column_text(q, i == 0 ? 1 : i + 2);
            t[i] =
                x ? enc_arena_strndup(out->arena, (const char *)x, strlen((const char *)x)) : NULL;
        }
        m->occurrence = t[0] ? t[0] : "";
        m->holdout = sqlite3_column_int(q, 2) != 0;
        m->variant = t[1];
        m->channel = t[2];
        m->message_key = t[3];
        m->at = sqlite3_column_int64(q, 6);
        size_t kn = member_key(key, sizeof key, m->customer, m->occurrence);
        *enc_smap_put(out->index, key, kn, 0, NULL) = (int64_t)out->n;
        out->n++;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, "reading members");
}

const enc_member *enc_members_find(const enc_members *m, int64_t customer, const char *occurrence)
{
    if (!m->index) return NULL;
    char key[512];
    size_t kn = member_key(key, sizeof key, customer, occurrence);
    int64_t *v = enc_smap_get(m->index, key, kn);
    return v ? &m->v[*v] : NULL;
}

void enc_members_free(enc_members *m)
{
    free(m->v);
    if (m->index) enc_smap_free(m->index);
    if (m->arena) enc_arena_free(m->arena);
    memset(m, 0, sizeof *m);
}

enc_rc enc_member_add(enc_store *st, enc_camp_writer *w, const char *campaign, const enc_member *m,
                      enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q =
        wprep(db, w, W_MEMBER,
              "INSERT OR IGNORE INTO campaign_members(campaign, customer_id, occurrence,"
              " holdout, variant, channel, message_key, at)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
              err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, campaign);
    sqlite3_bind_int64(q, 2, m->customer);
    bind_text(q, 3, m->occurrence);
    sqlite3_bind_int(q, 4, m->holdout);
    bind_text(q, 5, m->variant);
    bind_text(q, 6, m->channel);
    bind_text(q, 7, m->message_key);
    sqlite3_bind_int64(q, 8, m->at);
    return wrun(db, w, q, err, "recording member");
}

/* ---- history and suppressions ------------------------------------------------------------ */

void enc_history_free(enc_history *h)
{
    free(h->customer);
    free(h->at);
    free(h->id);
    free(h->channel);
    free(h->priority);
    free(h->queued);
    free(h->on_cap_defer);
    free(h->deadline);
    memset(h, 0, sizeof *h);
}

enc_rc enc_history_scan(enc_store *st, int64_t since, int (*channel)(const char *name),
                        enc_history *out, enc_err *err)
{
    sqlite3 *db = st->db;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q =
        prep(db,
             "SELECT m.customer_id, coalesce(m.sent_at, m.due_at) AS t, m.id, m.channel,"
             " m.priority, m.state = 'queued', coalesce(c.on_cap = 'defer', 0),"
             " CASE WHEN k.expires_at IS NOT NULL AND (m.deadline IS NULL OR k.expires_at <"
             " m.deadline) THEN k.expires_at ELSE coalesce(m.deadline, 0) END"
             " FROM messages m LEFT JOIN campaigns c ON c.name = m.campaign"
             " LEFT JOIN coupons k ON k.message_key = m.idempotency_key"
             " WHERE m.state IN ('queued', 'sending', 'sent', 'reconcile')"
             " AND m.customer_id IS NOT NULL AND coalesce(m.sent_at, m.due_at) >= ?1"
             " ORDER BY m.customer_id, t",
             err);
    if (!q) return ENC_EDB;
    sqlite3_bind_int64(q, 1, since);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int ch = channel((const char *)sqlite3_column_text(q, 3));
        if (ch < 0) continue;
        if (out->n == cap) {
            size_t c2 = cap;
            ENC_GROW(out->customer, c2, out->n + 1);
            c2 = cap;
            ENC_GROW(out->at, c2, out->n + 1);
            c2 = cap;
            ENC_GROW(out->id, c2, out->n + 1);
            c2 = cap;
            ENC_GROW(out->channel, c2, out->n + 1);
            c2 = cap;
            ENC_GROW(out->priority, c2, out->n + 1);
            c2 = cap;
            ENC_GROW(out->queued, c2, out->n + 1);
            c2 = cap;
            ENC_GROW(out->on_cap_defer, c2, out->n + 1);
            c2 = cap;
            ENC_GROW(out->deadline, c2, out->n + 1);
            cap = c2;
        }
        size_t i = out->n++;
        out->customer[i] = sqlite3_column_int64(q, 0);
        out->at[i] = sqlite3_column_int64(q, 1);
        out->id[i] = sqlite3_column_int64(q, 2);
        out->channel[i] = (uint8_t)ch;
        out->priority[i] = (int8_t)sqlite3_column_int(q, 4);
        out->queued[i] = (uint8_t)sqlite3_column_int(q, 5);
        out->on_cap_defer[i] = (uint8_t)sqlite3_column_int(q, 6);
        out->deadline[i] = sqlite3_column_int64(q, 7);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        enc_history_free(out);
        return sqlfail(db, err, "reading message history");
    }
    return ENC_OK;
}

enc_rc enc_history_displace(enc_store *st, int64_t message_id, int64_t at, enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db,
                           at > 0    ? "UPDATE messages SET due_at = ?2, next_attempt_at = ?2"
                                       " WHERE id = ?1 AND state = 'queued'"
                           : at == 0 ? "UPDATE messages SET state = 'cancelled',"
                                       " last_error = 'displaced by a higher-priority campaign'"
                                       " WHERE id = ?1 AND state = 'queued'"
                                     : "UPDATE messages SET state = 'expired',"
                                       " last_error = 'displaced_expired'"
                                       " WHERE id = ?1 AND state = 'queued'",
                           err);
    if (!q) return ENC_EDB;
    sqlite3_bind_int64(q, 1, message_id);
    if (at > 0) sqlite3_bind_int64(q, 2, at);
    return run(db, q, err, "moving a displaced message");
}

enc_rc enc_suppressions_load(enc_store *st, enc_smap **out, enc_err *err)
{
    sqlite3 *db = st->db;
    *out = enc_smap_new(256);
    sqlite3_stmt *q = prep(db, "SELECT channel, address FROM suppressions", err);
    if (!q) return ENC_EDB;
    int rc;
    char key[600];
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *ch = (const char *)sqlite3_column_text(q, 0);
        const char *a = (const char *)sqlite3_column_text(q, 1);
        if (!ch || !a) continue;
        int n = snprintf(key, sizeof key, "%s\n%s", ch, a);
        if (n < 0 || (size_t)n >= sizeof key) continue;
        for (int i = 0; i < n; i++) key[i] = (char)tolower((unsigned char)key[i]);
        enc_smap_put(*out, key, (size_t)n, 1, NULL);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, "reading suppressions");
}

/* ---- coupons ----------------------------------------------------------------------------- */

enc_rc enc_coupon_find(enc_store *st, enc_camp_writer *w, const char *message_key, char *code,
                       size_t cap, int64_t *expires_at, bool *found, enc_err *err)
{
    sqlite3 *db = st->db;
    *found = false;
    sqlite3_stmt *q =
        wprep(db, w, W_COUPON_FIND,
              "SELECT code, coalesce(expires_at, 0) FROM coupons WHERE message_key = ?1", err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, message_key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        col_copy(q, 0, code, cap);
        if (expires_at) *expires_at = sqlite3_column_int64(q, 1);
        *found = true;
    }
    enc_rc res =
        rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, "reading coupon");
    wdone(w, q);
    return res;
}

enc_rc enc_coupon_insert(enc_store *st, enc_camp_writer *w, const enc_coupon_rec *r,
                         const char *norm, bool *inserted, enc_err *err)
{
    sqlite3 *db = st->db;
    *inserted = false;
    sqlite3_stmt *q = wprep(db, w, W_COUPON_INSERT,
                            "INSERT INTO coupons(code, norm, campaign, customer_id, message_key,"
                            " kind, amount, min_spend, issued_at, expires_at)"
                            " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                            " ON CONFLICT DO NOTHING",
                            err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, r->code);
    bind_text(q, 2, norm);
    bind_text(q, 3, r->campaign);
    sqlite3_bind_int64(q, 4, r->customer);
    bind_text(q, 5, r->message_key);
    bind_text(q, 6, r->percent ? "percent" : "value");
    sqlite3_bind_int64(q, 7, r->amount);
    sqlite3_bind_int64(q, 8, r->min_spend);
    sqlite3_bind_int64(q, 9, r->issued_at);
    if (r->expires_at) sqlite3_bind_int64(q, 10, r->expires_at);
    if (wrun(db, w, q, err, "issuing coupon")) return ENC_EDB;
    *inserted = sqlite3_changes(db) == 1;
    return ENC_OK;
}

enc_rc enc_coupon_issue(enc_store *st, enc_camp_writer *w, enc_coupon_rec *r, const char *prefix,
                        int length, enc_err *err)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        if (enc_coupon_make(prefix, length, r->code, err)) return err ? err->rc : ENC_EFAIL;
        char norm[ENC_COUPON_MAX];
        enc_coupon_check(r->code, strlen(prefix), norm);
        bool inserted;
        if (enc_coupon_insert(st, w, r, norm, &inserted, err)) return ENC_EDB;
        if (inserted) return ENC_OK;
        /* nothing inserted: the message already has a coupon, or the code clashed */
        bool found;
        int64_t exp;
        if (enc_coupon_find(st, w, r->message_key, r->code, sizeof r->code, &exp, &found, err))
            return ENC_EDB;
        if (found) {
            r->expires_at = exp;
            return ENC_OK;
        }
    }
    return enc_fail(err, ENC_EFAIL, "could not draw an unused coupon code in 8 tries");
}

enc_rc enc_coupon_revoke_key(enc_store *st, const char *message_key, int64_t now, int *state,
                             enc_err *err)
{
    sqlite3 *db = st->db;
    *state = 0;
    sqlite3_stmt *q =
        prep(db, "SELECT redeemed_order IS NOT NULL FROM coupons WHERE message_key = ?1", err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, message_key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) *state = sqlite3_column_int(q, 0) ? 2 : 1;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlfail(db, err, "reading coupon");
    if (*state != 1) return ENC_OK;
    q = prep(db, "UPDATE coupons SET revoked_at = ?2 WHERE message_key = ?1 AND revoked_at IS NULL",
             err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, message_key);
    sqlite3_bind_int64(q, 2, now);
    return run(db, q, err, "revoking coupon") ? ENC_EDB : ENC_OK;
}

enc_rc enc_coupon_counts(enc_store *st, const char *campaign, int64_t *issued, int64_t *redeemed,
                         enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db,
                           "SELECT count(*), count(redeemed_order) FROM coupons"
                           " WHERE ?1 IS NULL OR campaign = ?1",
                           err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, campaign);
    int rc = sqlite3_step(q);
    *issued = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    *redeemed = rc == SQLITE_ROW ? sqlite3_column_int64(q, 1) : 0;
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? ENC_OK : sqlfail(db, err, "counting coupons");
}

enc_rc enc_camp_setting_get(enc_store *st, const char *key, char **val, enc_err *err)
{
    sqlite3 *db = st->db;
    *val = NULL;
    sqlite3_stmt *q = prep(db, "SELECT value FROM campaign_settings WHERE key = ?1", err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) *val = col_dup(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, "reading settings");
}

enc_rc enc_camp_setting_put(enc_store *st, const char *key, const char *val, enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = prep(db,
                           "INSERT INTO campaign_settings(key, value) VALUES(?1, ?2)"
                           " ON CONFLICT(key) DO UPDATE SET value = ?2",
                           err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, key);
    bind_text(q, 2, val);
    return run(db, q, err, "saving settings");
}

enc_rc enc_coupon_open_scan(enc_store *st, void (*fn)(void *ctx, const char *norm, int64_t id),
                            void *ctx, enc_err *err)
{
    sqlite3_stmt *q = prep(st->db,
                           "SELECT norm, id, length(code) - length(replace(code, '-', '')),"
                           " code FROM coupons WHERE redeemed_order IS NULL AND revoked_at IS NULL",
                           err);
    if (!q) return ENC_EDB;
    while (sqlite3_step(q) == SQLITE_ROW)
        fn(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);
    return ENC_OK;
}

int64_t enc_orders_max_id(enc_store *st)
{
    int64_t maxid = 0;
    sqlite3_stmt *q = prep(st->db, "SELECT max(id) FROM orders", NULL);
    if (q && sqlite3_step(q) == SQLITE_ROW) maxid = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return maxid;
}

enc_rc enc_coupon_redeem_orders(enc_store *st, int64_t last, int64_t maxid,
                                const enc_coupon_redeem_ops *ops, int64_t *n, enc_err *err)
{
    sqlite3 *db = st->db;
    *n = 0;
    if (enc_store_begin(st, err)) return ENC_EDB;
    enc_rc rc = ENC_OK;
    sqlite3_stmt *q =
        prep(db,
             "SELECT o.id, o.coupon, o.ts FROM orders o WHERE o.id > ?1 AND o.id <= ?2"
             " AND o.coupon IS NOT NULL AND o.status = 'paid' ORDER BY o.ts, o.id",
             err);
    sqlite3_stmt *c =
        prep(db, "SELECT code, issued_at, coalesce(expires_at, 0) FROM coupons WHERE id = ?1", err);
    sqlite3_stmt *u = prep(db,
                           "UPDATE coupons SET redeemed_order = ?2, redeemed_at = ?3"
                           " WHERE id = ?1 AND redeemed_order IS NULL AND revoked_at IS NULL",
                           err);
    if (!q || !c || !u) rc = ENC_EDB;
    else {
        sqlite3_bind_int64(q, 1, last);
        sqlite3_bind_int64(q, 2, maxid);
        int s;
        while ((s = sqlite3_step(q)) == SQLITE_ROW) {
            const char *code = (const char *)sqlite3_column_text(q, 1);
            int64_t oid = sqlite3_column_int64(q, 0), ts = sqlite3_column_int64(q, 2);
            if (!code) continue;
            int64_t id = ops->match(ops->ctx, code);
            if (id <= 0) continue;
            sqlite3_reset(c);
            sqlite3_bind_int64(c, 1, id);
            if (sqlite3_step(c) != SQLITE_ROW) continue;
            const char *issued = (const char *)sqlite3_column_text(c, 0);
            if (!ops->check(ops->ctx, code, issued ? issued : "", ts, sqlite3_column_int64(c, 1),
                            sqlite3_column_int64(c, 2)))
                continue;
            sqlite3_reset(u);
            sqlite3_bind_int64(u, 1, id);
            sqlite3_bind_int64(u, 2, oid);
            sqlite3_bind_int64(u, 3, ts);
            if (sqlite3_step(u) != SQLITE_DONE) {
                rc = sqlfail(db, err, "redeeming coupon");
                break;
            }
            if (sqlite3_changes(db)) (*n)++;
        }
        if (!rc && s != SQLITE_DONE && s != SQLITE_ROW) rc = sqlfail(db, err, "reading orders");
    }
    sqlite3_finalize(q);
    sqlite3_finalize(c);
    sqlite3_finalize(u);
    if (!rc) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)maxid);
        rc = enc_camp_setting_put(st, "redeem_order_id", v, err);
    }
    if (rc) enc_store_rollback(st);
    else rc = enc_store_commit(st, err);
    return rc;
}

/* ---- counts ------------------------------------------------------------------------------ */

enc_rc enc_camp_counts_get(enc_store *st, const char *name, enc_camp_counts *out, enc_err *err)
{
    sqlite3 *db = st->db;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = prep(db,
                           "SELECT count(*), coalesce(sum(holdout), 0),"
                           " coalesce(sum(message_key IS NOT NULL), 0),"
                           " count(DISTINCT CASE WHEN holdout = 0 THEN customer_id END),"
                           " count(DISTINCT CASE WHEN holdout <> 0 THEN customer_id END)"
                           " FROM campaign_members WHERE campaign = ?1",
                           err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->members = sqlite3_column_int64(q, 0);
        out->holdout = sqlite3_column_int64(q, 1);
        out->messages = sqlite3_column_int64(q, 2);
        out->customers = sqlite3_column_int64(q, 3);
        out->holdout_customers = sqlite3_column_int64(q, 4);
    }
    sqlite3_finalize(q);
    static const char *const states[] = {"queued",    "sending",   "sent",       "failed", "dead",
                                         "reconcile", "cancelled", "suppressed", "expired"};
    q = prep(db, "SELECT state, count(*) FROM messages WHERE campaign = ?1 GROUP BY state", err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(q, 0);
        for (int i = 0; i < 9; i++)
            if (s && strcmp(s, states[i]) == 0) out->by_state[i] = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    q = prep(db,
             "SELECT coalesce(last_error, '?'), count(*) AS n FROM messages WHERE campaign = ?1"
             " AND state = 'expired' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 12",
             err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    while (sqlite3_step(q) == SQLITE_ROW && out->nexpired < 12) {
        col_copy(q, 0, out->expired[out->nexpired].reason, sizeof out->expired[0].reason);
        out->expired[out->nexpired++].n = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    q = prep(db,
             "SELECT coalesce(sum(revoked_at IS NOT NULL), 0), coalesce(sum(EXISTS(SELECT 1 FROM"
             " messages m WHERE m.idempotency_key = k.message_key AND m.state = 'sent')), 0)"
             " FROM coupons k WHERE k.campaign = ?1",
             err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, name);
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->coupons_revoked = sqlite3_column_int64(q, 0);
        out->coupons_sent = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    return enc_coupon_counts(st, name, &out->coupons, &out->redeemed, err);
}

enc_rc enc_coupon_revoke_unsent(enc_store *st, const char *campaign, int64_t now, int64_t *n,
                                enc_err *err)
{
    sqlite3 *db = st->db;
    *n = 0;
    sqlite3_stmt *q =
        prep(db,
             "UPDATE coupons SET revoked_at = ?2 WHERE campaign = ?1"
             " AND revoked_at IS NULL AND redeemed_order IS NULL AND NOT EXISTS("
             "SELECT 1 FROM messages m WHERE m.idempotency_key = coupons.message_key"
             " AND (m.state = 'sent' OR m.state = 'sending' OR m.state = 'reconcile'))",
             err);
    if (!q) return ENC_EDB;
    bind_text(q, 1, campaign);
    sqlite3_bind_int64(q, 2, now);
    if (run(db, q, err, "revoking coupons")) return ENC_EDB;
    *n = sqlite3_changes(db);
    return ENC_OK;
}
