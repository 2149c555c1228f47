/* store_users.c — the SQLite side of users.h: users, API keys, sessions, the audit log and the
 * API's jobs (migration 7). Management calls are rare, so statements are prepared per call
 * rather than cached; every string bound comes from the caller and is bound, never spliced. */
#include "store/users.h"
#include "base/mem.h"
#include "store/store_int.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    unsigned bit;
    const char *name;
} roles[] = {
#define X(ID, NAME, BIT) {BIT, NAME},
    ENC_ROLE_LIST(X)
#undef X
};

const char *enc_role_name(unsigned role)
{
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
        if (roles[i].bit == role) return roles[i].name;
    return NULL;
}

unsigned enc_role_parse(const char *s)
{
    for (size_t i = 0; s && i < sizeof roles / sizeof *roles; i++)
        if (strcmp(roles[i].name, s) == 0) return roles[i].bit;
    return 0;
}

static sqlite3_stmt *prep(enc_store *st, const char *sql, enc_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        enc__store_sqlfail(st, err, "prepare");
        return NULL;
    }
    return s;
}

static void col_copy(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? enc_xstrdup((const char *)t) : NULL;
}

/* runs a statement that returns no rows and finalises it */
static enc_rc run(enc_store *st, sqlite3_stmt *s, enc_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, what);
    return ENC_OK;
}

/* ---- users ---------------------------------------------------------------------------------- */

enc_rc enc_user_insert(enc_store *st, const char *email, unsigned role, const char *pwhash,
                       int64_t now, int64_t *id, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO users(email, role, pwhash, created_at, updated_at) "
                           "VALUES(?1, ?2, ?3, ?4, ?4)",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, enc_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_CONSTRAINT) return enc_fail(err, ENC_EFAIL, "a user with this email exists");
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "adding a user");
    if (id) *id = sqlite3_last_insert_rowid(st->db);
    return ENC_OK;
}

static void user_row(sqlite3_stmt *s, enc_user_rec *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(s, 0);
    col_copy(s, 1, u->email, sizeof u->email);
    char role[16];
    col_copy(s, 2, role, sizeof role);
    u->role = enc_role_parse(role);
    col_copy(s, 3, u->pwhash, sizeof u->pwhash);
    u->disabled = sqlite3_column_int(s, 4) != 0;
    u->created_at = sqlite3_column_int64(s, 5);
    u->updated_at = sqlite3_column_int64(s, 6);
}

#define USER_COLS "id, email, role, pwhash, disabled, created_at, updated_at"

enc_rc enc_user_get(enc_store *st, const char *email, int64_t id, enc_user_rec *out, bool *found,
                    enc_err *err)
{
    *found = false;
    sqlite3_stmt *s = prep(st,
                           email ? "SELECT " USER_COLS " FROM users WHERE email = ?1"
                                 : "SELECT " USER_COLS " FROM users WHERE id = ?2",
                           err);
    if (!s) return err->rc;
    if (email) sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
    else sqlite3_bind_int64(s, 2, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        user_row(s, out);
        *found = true;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading a user");
    return ENC_OK;
}

enc_rc enc_user_list(enc_store *st, enc_user_rec **out, size_t *n, enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = prep(st, "SELECT " USER_COLS " FROM users ORDER BY id", err);
    if (!s) return err->rc;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_grow((void **)out, &cap, *n + 1, sizeof **out);
        user_row(s, &(*out)[(*n)++]);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "listing users");
    return ENC_OK;
}

enc_rc enc_user_update(enc_store *st, const char *email, unsigned role, const char *pwhash,
                       int disabled, int64_t now, bool *found, enc_err *err)
{
    *found = false;
    sqlite3_stmt *s = prep(st,
                           "UPDATE users SET role = coalesce(?2, role), pwhash = coalesce(?3, "
                           "pwhash), disabled = coalesce(?4, disabled), updated_at = ?5 "
                           "WHERE email = ?1",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
    if (role) sqlite3_bind_text(s, 2, enc_role_name(role), -1, SQLITE_STATIC);
    if (pwhash) sqlite3_bind_text(s, 3, pwhash, -1, SQLITE_STATIC);
    if (disabled >= 0) sqlite3_bind_int(s, 4, disabled ? 1 : 0);
    sqlite3_bind_int64(s, 5, now);
    if (run(st, s, err, "updating a user")) return err->rc;
    *found = sqlite3_changes(st->db) > 0;
    if (*found && (pwhash || disabled > 0 || role)) {
        /* a new password, a new role or disabling ends every session of the user */
        s = prep(st, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = ?1)",
                 err);
        if (!s) return err->rc;
        sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
        if (run(st, s, err, "ending sessions")) return err->rc;
    }
    return ENC_OK;
}

int64_t enc_user_count(enc_store *st)
{
    sqlite3_stmt *s = prep(st, "SELECT count(*) FROM users", NULL);
    if (!s) return -1;
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return n;
}

/* ---- API keys ------------------------------------------------------------------------------- */

enc_rc enc_apikey_insert(enc_store *st, const char *name, unsigned role, const uint8_t hash[32],
                         const char *prefix, int64_t expires_at, int64_t now, int64_t *id,
                         enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO api_keys(name, role, hash, prefix, created_at, expires_at)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, enc_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now);
    if (expires_at) sqlite3_bind_int64(s, 6, expires_at);
    if (run(st, s, err, "adding an API key")) return err->rc;
    if (id) *id = sqlite3_last_insert_rowid(st->db);
    return ENC_OK;
}

#define KEY_COLS "id, name, role, prefix, created_at, expires_at, revoked_at, last_used_at"

static void key_row(sqlite3_stmt *s, enc_apikey_rec *k)
{
    memset(k, 0, sizeof *k);
    k->id = sqlite3_column_int64(s, 0);
    col_copy(s, 1, k->name, sizeof k->name);
    char role[16];
    col_copy(s, 2, role, sizeof role);
    k->role = enc_role_parse(role);
    col_copy(s, 3, k->prefix, sizeof k->prefix);
    k->created_at = sqlite3_column_int64(s, 4);
    k->expires_at = sqlite3_column_int64(s, 5);
    k->revoked_at = sqlite3_column_int64(s, 6);
    k->last_used_at = sqlite3_column_int64(s, 7);
}

enc_rc enc_apikey_find(enc_store *st, const uint8_t hash[32], enc_apikey_rec *out, bool *found,
                       enc_err *err)
{
    *found = false;
    sqlite3_stmt *s = prep(st, "SELECT " KEY_COLS " FROM api_keys WHERE hash = ?1", err);
    if (!s) return err->rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        key_row(s, out);
        *found = true;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading a key");
    return ENC_OK;
}

enc_rc enc_apikey_touch(enc_store *st, int64_t id, int64_t now, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 AND "
                           "(last_used_at IS NULL OR last_used_at < ?2 - 60)",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    return run(st, s, err, "noting a key's use");
}

enc_rc enc_apikey_list(enc_store *st, enc_apikey_rec **out, size_t *n, enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = prep(st, "SELECT " KEY_COLS " FROM api_keys ORDER BY id DESC", err);
    if (!s) return err->rc;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_grow((void **)out, &cap, *n + 1, sizeof **out);
        key_row(s, &(*out)[(*n)++]);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "listing keys");
    return ENC_OK;
}

enc_rc enc_apikey_revoke(enc_store *st, int64_t id, int64_t now, bool *found, enc_err *err)
{
    *found = false;
    sqlite3_stmt *s =
        prep(st, "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", err);
    if (!s) return err->rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    if (run(st, s, err, "revoking a key")) return err->rc;
    *found = sqlite3_changes(st->db) > 0;
    return ENC_OK;
}

/* ---- sessions ------------------------------------------------------------------------------- */

enc_rc enc_session_insert(enc_store *st, const uint8_t hash[32], int64_t user_id, const char *csrf,
                          int64_t now, int64_t expires_at, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO sessions(hash, user_id, csrf, created_at, expires_at) "
                           "VALUES(?1, ?2, ?3, ?4, ?5)",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_text(s, 3, csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    sqlite3_bind_int64(s, 5, expires_at);
    return run(st, s, err, "adding a session");
}

enc_rc enc_session_find(enc_store *st, const uint8_t hash[32], int64_t now, enc_user_rec *user,
                        char *csrf, size_t csrf_cap, bool *found, enc_err *err)
{
    *found = false;
    sqlite3_stmt *s = prep(st,
                           "SELECT u.id, u.email, u.role, u.pwhash, u.disabled, u.created_at, "
                           "u.updated_at, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id "
                           "WHERE s.hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        user_row(s, user);
        col_copy(s, 7, csrf, csrf_cap);
        *found = true;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return enc__store_sqlfail(st, err, "reading a session");
    return ENC_OK;
}

enc_rc enc_session_delete(enc_store *st, const uint8_t hash[32], int64_t now, enc_err *err)
{
    sqlite3_stmt *s = prep(st, "DELETE FROM sessions WHERE hash = ?1 OR expires_at <= ?2", err);
    if (!s) return err->rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    return run(st, s, err, "ending a session");
}

/* ---- audit ---------------------------------------------------------------------------------- */

enc_rc enc_audit_append(enc_store *st, const enc_audit_rec *r, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO audit(at, actor, role, action, target, detail, client, "
                           "status) VALUES(coalesce(?1, strftime('%s', 'now')), ?2, ?3, ?4, ?5, "
                           "?6, ?7, ?8)",
                           err);
    if (!s) return err->rc;
    if (r->at) sqlite3_bind_int64(s, 1, r->at);
    sqlite3_bind_text(s, 2, r->actor ? r->actor : "anonymous", -1, SQLITE_STATIC);
    enc__bind_text(s, 3, r->role);
    sqlite3_bind_text(s, 4, r->action, -1, SQLITE_STATIC);
    enc__bind_text(s, 5, r->target);
    enc__bind_text(s, 6, r->detail);
    enc__bind_text(s, 7, r->client);
    if (r->status) sqlite3_bind_int(s, 8, r->status);
    return run(st, s, err, "writing the audit log");
}

enc_rc enc_audit_query_run(enc_store *st, const enc_audit_query *q, enc_audit_list *out,
                           enc_err *err)
{
    memset(out, 0, sizeof *out);
    size_t limit = q->limit < 1 ? 1 : q->limit > 10000 ? 10000 : q->limit;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT id, at, actor, role, action, target, detail, client, status FROM audit "
             "WHERE at >= ?1 AND (?2 = 0 OR id %s ?2) AND (?3 IS NULL OR actor = ?3) AND "
             "(?4 IS NULL OR action = ?4 OR (substr(?4, -1) = '.' AND substr(action, 1, "
             "length(?4)) = ?4)) ORDER BY id %s LIMIT ?5",
             q->oldest_first ? ">" : "<", q->oldest_first ? "ASC" : "DESC");
    sqlite3_stmt *s = prep(st, sql, err);
    if (!s) return err->rc;
    sqlite3_bind_int64(s, 1, q->since);
    sqlite3_bind_int64(s, 2, q->oldest_first ? 0 : q->before_id);
    enc__bind_text(s, 3, q->actor);
    enc__bind_text(s, 4, q->action);
    sqlite3_bind_int64(s, 5, (int64_t)limit + 1);
    out->arena = enc_arena_new(1 << 14);
    out->rows = enc_arena_alloc(out->arena, (limit + 1) * sizeof *out->rows);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->n == limit) {
            out->more = true;
            break;
        }
        enc_audit_rec *r = &out->rows[out->n++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(s, 0);
        r->at = sqlite3_column_int64(s, 1);
        const char **txt[] = {&r->actor, &r->role, &r->action, &r->target, &r->detail, &r->client};
        for (int i = 0; i < 6; i++) {
            const unsigned char *t = sqlite3_column_text(s, 2 + i);
            *txt[i] = t ? enc_arena_strndup(out->arena, (const char *)t,
                                            (size_t)sqlite3_column_bytes(s, 2 + i))
                        : NULL;
        }
        r->status = sqlite3_column_int(s, 8);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        enc_audit_list_free(out);
        return enc__store_sqlfail(st, err, "reading the audit log");
    }
    return ENC_OK;
}

void enc_audit_list_free(enc_audit_list *l)
{
    enc_arena_free(l->arena);
    memset(l, 0, sizeof *l);
}

/* ---- jobs ----------------------------------------------------------------------------------- */

void enc_jobrec_clear(enc_jobrec *j)
{
    free(j->params);
    free(j->result);
    free(j->error);
    free(j->created_by);
    memset(j, 0, sizeof *j);
}

#define JOB_COLS                                                                                   \
    "id, kind, state, progress, params, result, error, created_by, created_at, started_at, "       \
    "finished_at"

static void job_row(sqlite3_stmt *s, enc_jobrec *j)
{
    memset(j, 0, sizeof *j);
    j->id = sqlite3_column_int64(s, 0);
    col_copy(s, 1, j->kind, sizeof j->kind);
    col_copy(s, 2, j->state, sizeof j->state);
    j->progress = sqlite3_column_double(s, 3);
    j->params = col_dup(s, 4);
    j->result = col_dup(s, 5);
    j->error = col_dup(s, 6);
    j->created_by = col_dup(s, 7);
    j->created_at = sqlite3_column_int64(s, 8);
    j->started_at = sqlite3_column_int64(s, 9);
    j->finished_at = sqlite3_column_int64(s, 10);
}

enc_rc enc_job_insert(enc_store *st, const char *kind, const char *params, const char *created_by,
                      int64_t now, int64_t *id, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO jobs(kind, state, params, created_by, created_at) "
                           "VALUES(?1, 'queued', ?2, ?3, ?4)",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    enc__bind_text(s, 2, params);
    enc__bind_text(s, 3, created_by);
    sqlite3_bind_int64(s, 4, now);
    if (run(st, s, err, "adding a job")) return err->rc;
    *id = sqlite3_last_insert_rowid(st->db);
    return ENC_OK;
}

enc_rc enc_job_get(enc_store *st, int64_t id, enc_jobrec *out, bool *found, enc_err *err)
{
    *found = false;
    sqlite3_stmt *s = prep(st, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1", err);
    if (!s) return err->rc;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        job_row(s, out);
        *found = true;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading a job");
    return ENC_OK;
}

enc_rc enc_job_list(enc_store *st, int64_t before_id, size_t limit, enc_jobrec **out, size_t *n,
                    enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = prep(
        st, "SELECT " JOB_COLS " FROM jobs WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2", err);
    if (!s) return err->rc;
    sqlite3_bind_int64(s, 1, before_id);
    sqlite3_bind_int64(s, 2, (int64_t)limit);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_grow((void **)out, &cap, *n + 1, sizeof **out);
        job_row(s, &(*out)[(*n)++]);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "listing jobs");
    return ENC_OK;
}

enc_rc enc_job_set(enc_store *st, int64_t id, const char *state, double progress,
                   const char *result, const char *error, int64_t now, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "UPDATE jobs SET state = ?2, progress = ?3, result = coalesce(?4, "
                           "result), error = coalesce(?5, error), started_at = CASE WHEN ?2 = "
                           "'running' THEN coalesce(started_at, ?6) ELSE started_at END, "
                           "finished_at = CASE WHEN ?2 IN ('done', 'failed') THEN ?6 ELSE NULL "
                           "END WHERE id = ?1",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 3, progress);
    enc__bind_text(s, 4, result);
    enc__bind_text(s, 5, error);
    sqlite3_bind_int64(s, 6, now);
    return run(st, s, err, "updating a job");
}

enc_rc enc_job_abandon(enc_store *st, const char *why, int64_t now, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "UPDATE jobs SET state = 'failed', error = ?1, finished_at = ?2 WHERE "
                           "state IN ('queued', 'running')",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_text(s, 1, why, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    return run(st, s, err, "abandoning jobs");
}

/* ---- the data stamp ---------------------------------------------------------------------------
 */

enc_rc enc_store_data_stamp(enc_store *st, int64_t stamp[ENC_DATA_STAMP_N], enc_err *err)
{
    sqlite3_stmt *s =
        prep(st,
             "SELECT (SELECT max(id) FROM score_runs), (SELECT max(id) FROM products), "
             "(SELECT max(id) FROM orders), (SELECT max(id) FROM order_lines), "
             "(SELECT gen FROM column_gen WHERE id = 1)",
             err);
    if (!s) return err->rc;
    int rc = sqlite3_step(s);
    for (int i = 0; i < ENC_DATA_STAMP_N; i++)
        stamp[i] = rc == SQLITE_ROW ? sqlite3_column_int64(s, i) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return enc__store_sqlfail(st, err, "reading the data stamp");
    return ENC_OK;
}

/* ---- idempotent imports -----------------------------------------------------------------------
 */

enc_rc enc_job_key_find(enc_store *st, const char *content, const char *actor, const char *idem_key,
                        int64_t *job, bool *conflict, enc_err *err)
{
    *job = 0;
    *conflict = false;
    if (idem_key) {
        sqlite3_stmt *s =
            prep(st, "SELECT job_id, content = ?3 FROM job_keys WHERE actor = ?1 AND idem_key = ?2",
                 err);
        if (!s) return err->rc;
        sqlite3_bind_text(s, 1, actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, idem_key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, content, -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            *job = sqlite3_column_int64(s, 0);
            *conflict = sqlite3_column_int(s, 1) == 0;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return enc__store_sqlfail(st, err, "reading the idempotency keys");
        if (*job) return ENC_OK;
    }
    sqlite3_stmt *s = prep(st,
                           "SELECT k.job_id FROM job_keys k JOIN jobs j ON j.id = k.job_id WHERE "
                           "k.content = ?1 AND j.state <> 'failed' ORDER BY k.job_id DESC LIMIT 1",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_text(s, 1, content, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *job = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return enc__store_sqlfail(st, err, "reading the idempotency keys");
    return ENC_OK;
}

enc_rc enc_job_key_add(enc_store *st, int64_t job, const char *content, const char *actor,
                       const char *idem_key, int64_t now, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO job_keys(job_id, content, actor, idem_key, created_at) "
                           "VALUES(?1, ?2, ?3, ?4, ?5)",
                           err);
    if (!s) return err->rc;
    sqlite3_bind_int64(s, 1, job);
    sqlite3_bind_text(s, 2, content, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
    enc__bind_text(s, 4, idem_key);
    sqlite3_bind_int64(s, 5, now);
    return run(st, s, err, "recording the idempotency key");
}
