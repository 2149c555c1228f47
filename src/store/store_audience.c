/* store_audience.c — what the audience stage keeps and reads in the SQLite backend (store.h):
 * saved segments, named segment-language expressions in the segments table (schema migration
 * 3) used by `encore audience save|list|show|delete` and segment("name"); and the contact
 * fields (name, email, phone) of the customers an audience export writes. */
#include "store/store.h"
#include "store/store_int.h"
#include "base/mem.h"
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static sqlite3_stmt *prep(enc_store *st, const char *sql, enc_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(enc__store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
        enc__store_sqlfail(st, err, "segments");
        return NULL;
    }
    return q;
}

enc_rc enc_store_segment_put(enc_store *st, const char *name, const char *expr, int64_t now,
                             bool *created, enc_err *err)
{
    sqlite3_stmt *q = prep(st, "SELECT 1 FROM segments WHERE name = ?1", err);
    if (!q) return ENC_EDB;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "saving segment");
    if (created) *created = rc == SQLITE_DONE;
    q = prep(st,
             "INSERT INTO segments(name, expr, created_at, updated_at) VALUES(?1, ?2, ?3, ?3)"
             " ON CONFLICT(name) DO UPDATE SET expr = excluded.expr,"
             " updated_at = excluded.updated_at",
             err);
    if (!q) return ENC_EDB;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, now);
    enc_rc r =
        sqlite3_step(q) == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "saving segment");
    sqlite3_finalize(q);
    return r;
}

enc_rc enc_store_segment_get(enc_store *st, const char *name, char **expr, int64_t *created_at,
                             int64_t *updated_at, enc_err *err)
{
    if (expr) *expr = NULL;
    sqlite3_stmt *q =
        prep(st, "SELECT expr, created_at, updated_at FROM segments WHERE name = ?1", err);
    if (!q) return ENC_EDB;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    enc_rc r = ENC_OK;
    if (rc == SQLITE_ROW) {
        if (expr) *expr = enc_xstrdup((const char *)sqlite3_column_text(q, 0));
        if (created_at) *created_at = sqlite3_column_int64(q, 1);
        if (updated_at) *updated_at = sqlite3_column_int64(q, 2);
    } else if (rc == SQLITE_DONE) {
        r = enc_fail(err, ENC_ENOTFOUND, "no segment '%s'", name);
    } else {
        r = enc__store_sqlfail(st, err, "reading segment");
    }
    sqlite3_finalize(q);
    return r;
}

enc_rc enc_store_segment_delete(enc_store *st, const char *name, enc_err *err)
{
    sqlite3_stmt *q = prep(st, "DELETE FROM segments WHERE name = ?1", err);
    if (!q) return ENC_EDB;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    enc_rc r = rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "deleting segment");
    if (!r && sqlite3_changes(enc__store_db(st)) == 0)
        r = enc_fail(err, ENC_ENOTFOUND, "no segment '%s'", name);
    sqlite3_finalize(q);
    return r;
}

enc_rc enc_store_segment_list(enc_store *st, enc_segment_rec **out, size_t *n, enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q =
        prep(st, "SELECT name, expr, created_at, updated_at FROM segments ORDER BY name", err);
    if (!q) return ENC_EDB;
    enc_segment_rec *v = NULL;
    size_t cap = 0, k = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ENC_GROW(v, cap, k + 1);
        v[k].name = enc_xstrdup((const char *)sqlite3_column_text(q, 0));
        v[k].expr = enc_xstrdup((const char *)sqlite3_column_text(q, 1));
        v[k].created_at = sqlite3_column_int64(q, 2);
        v[k].updated_at = sqlite3_column_int64(q, 3);
        k++;
    }
    enc_rc r = rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "listing segments");
    sqlite3_finalize(q);
    if (r) {
        enc_store_segment_list_free(v, k);
        return r;
    }
    *out = v;
    *n = k;
    return ENC_OK;
}

void enc_store_segment_list_free(enc_segment_rec *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].expr);
    }
    free(list);
}

enc_rc enc_store_contacts(enc_store *st, const int64_t *ids, size_t n, enc_contact *out,
                          enc_err *err)
{
    memset(out, 0, n * sizeof *out);
    if (!n) return ENC_OK;
    /* one ordered scan over the id range, merged with the ascending ids */
    sqlite3_stmt *q = prep(st,
                           "SELECT id, name, email, phone FROM customers WHERE id BETWEEN ?1 AND"
                           " ?2 ORDER BY id",
                           err);
    if (!q) return ENC_EDB;
    sqlite3_bind_int64(q, 1, ids[0]);
    sqlite3_bind_int64(q, 2, ids[n - 1]);
    size_t k = 0;
    int rc = SQLITE_DONE;
    while (k < n && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        while (k < n && ids[k] < id) k++;
        if (k == n || ids[k] != id) continue;
        for (int c = 0; c < 3; c++) {
            const char *v = (const char *)sqlite3_column_text(q, c + 1);
            char *copy = v ? enc_xstrdup(v) : NULL;
            if (c == 0) out[k].name = copy;
            else if (c == 1) out[k].email = copy;
            else out[k].phone = copy;
        }
        k++;
    }
    if (k < n && rc != SQLITE_DONE) {
        enc_rc r = enc__store_sqlfail(st, err, "reading contacts");
        sqlite3_finalize(q);
        enc_store_contacts_free(out, n);
        return r;
    }
    sqlite3_finalize(q);
    /* channel addresses kept as identities (WeChat OpenIDs, push device tokens) */
    q = prep(st,
             "SELECT customer_id, kind, value FROM identities WHERE (kind = 'wechat_openid' OR"
             " kind = 'push_token') AND customer_id BETWEEN ?1 AND ?2"
             " ORDER BY customer_id, kind, value",
             err);
    if (!q) {
        enc_store_contacts_free(out, n);
        return ENC_EDB;
    }
    sqlite3_bind_int64(q, 1, ids[0]);
    sqlite3_bind_int64(q, 2, ids[n - 1]);
    k = 0;
    int ntok = 0;
    int64_t last = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        while (k < n && ids[k] < id) k++;
        if (k == n) break;
        if (ids[k] != id) continue;
        if (id != last) ntok = 0, last = id;
        const char *kind = (const char *)sqlite3_column_text(q, 1);
        const char *v = (const char *)sqlite3_column_text(q, 2);
        if (!kind || !v) continue;
        if (strcmp(kind, "wechat_openid") == 0) {
            if (!out[k].wechat_openid) out[k].wechat_openid = enc_xstrdup(v);
        } else if (ntok < 8 &&
                   (out[k].push_tokens ? strlen(out[k].push_tokens) : 0) + strlen(v) < 1000) {
            /* what fits a message's address (1023 bytes) */
            size_t old = out[k].push_tokens ? strlen(out[k].push_tokens) : 0, vl = strlen(v);
            out[k].push_tokens = enc_xrealloc(out[k].push_tokens, old + vl + 2);
            if (old) out[k].push_tokens[old++] = ',';
            memcpy(out[k].push_tokens + old, v, vl + 1);
            ntok++;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        enc_store_contacts_free(out, n);
        return enc__store_sqlfail(st, err, "reading channel identities");
    }
    return ENC_OK;
}

void enc_store_contacts_free(enc_contact *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].name);
        free(c[i].email);
        free(c[i].phone);
        free(c[i].wechat_openid);
        free(c[i].push_tokens);
        c[i].name = c[i].email = c[i].phone = c[i].wechat_openid = c[i].push_tokens = NULL;
    }
}
