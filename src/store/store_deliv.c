/* store_deliv.c — the SQLite side of deliv.h (the outbox's tables of migration 4). */
#include "store/deliv.h"
#include "base/mem.h"
#include "store/store_int.h"
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static char *dup_col(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? enc_xstrdup((const char *)t) : NULL;
}

static enc_rc rows(enc_store *st, sqlite3_stmt *s, bool messages, enc_deliv_row **out, size_t *n,
                   enc_err *err)
{
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_grow((void **)out, &cap, *n + 1, sizeof **out);
        enc_deliv_row *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        if (messages) {
            r->id = sqlite3_column_int64(s, 0);
            r->campaign = dup_col(s, 1);
            r->customer_id = sqlite3_column_int64(s, 2);
            r->channel = dup_col(s, 3);
            r->address = dup_col(s, 4);
            r->attempts = sqlite3_column_int64(s, 5);
            r->error = dup_col(s, 6);
            r->at = sqlite3_column_int64(s, 7);
        } else {
            r->channel = dup_col(s, 0);
            r->address = dup_col(s, 1);
            r->error = dup_col(s, 2);
            r->at = sqlite3_column_int64(s, 3);
            r->campaign = dup_col(s, 4); /* the source */
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading the outbox");
    return ENC_OK;
}

enc_rc enc_deliv_messages(enc_store *st, const char *state, int64_t before, size_t limit,
                          enc_deliv_row **out, size_t *n, enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, campaign, customer_id, channel, address, attempts, "
                           "last_error, coalesce(claimed_at, due_at) FROM messages WHERE state = "
                           "?1 AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the outbox");
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, before);
    sqlite3_bind_int64(s, 3, (int64_t)limit);
    return rows(st, s, true, out, n, err);
}

enc_rc enc_deliv_suppressions(enc_store *st, size_t limit, enc_deliv_row **out, size_t *n,
                              int64_t *total, enc_err *err)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM suppressions", -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading suppressions");
    if (sqlite3_step(s) == SQLITE_ROW) *total = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(st->db,
                           "SELECT channel, address, reason, at, source FROM suppressions ORDER "
                           "BY at DESC, channel, address LIMIT ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading suppressions");
    sqlite3_bind_int64(s, 1, (int64_t)limit);
    return rows(st, s, false, out, n, err);
}

void enc_deliv_rows_free(enc_deliv_row *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].campaign);
        free(r[i].channel);
        free(r[i].address);
        free(r[i].error);
    }
    free(r);
}

enc_rc enc_deliv_retry_dead(enc_store *st, int64_t id, int64_t now, bool *found, enc_err *err)
{
    *found = false;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE messages SET state = 'queued', attempts = 0, next_attempt_at = "
                           "?2, last_error = NULL WHERE id = ?1 AND state = 'dead'",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "retrying a message");
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "retrying a message");
    *found = sqlite3_changes(st->db) > 0;
    return ENC_OK;
}
