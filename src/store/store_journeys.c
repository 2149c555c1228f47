/* store_journeys.c — the SQLite side of journey_store.h: the journey_state table and the
 * tracking events of a campaign's messages. Read once per plan, written once per state a plan
 * changes. */
#include "store/journey_store.h"
#include "base/mem.h"
#include "store/store_int.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enc_rc sqlfail(sqlite3 *db, enc_err *err, const char *what)
{
    return enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

static const char *col_arena(enc_arena *a, sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    if (!t) return "";
    return enc_arena_strndup(a, (const char *)t, strlen((const char *)t));
}

enc_rc enc_jstates_load(enc_store *st, const char *campaign, enc_jstates *out, enc_err *err)
{
    sqlite3 *db = st->db;
    memset(out, 0, sizeof *out);
    out->arena = enc_arena_new(64 * 1024);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT customer_id, entry, entered_at, entry_no, step, step_due,"
                           " status, path FROM journey_state WHERE campaign = ?1"
                           " ORDER BY customer_id, entered_at, entry",
                           -1, &q, NULL) != SQLITE_OK)
        return sqlfail(db, err, "reading journey state");
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ENC_GROW(out->v, out->cap, out->n + 1);
        enc_jstate *s = &out->v[out->n++];
        s->customer = sqlite3_column_int64(q, 0);
        s->entry = col_arena(out->arena, q, 1);
        s->entered_at = sqlite3_column_int64(q, 2);
        s->entry_no = sqlite3_column_int(q, 3);
        s->step = col_arena(out->arena, q, 4);
        s->step_due = sqlite3_column_int64(q, 5);
        s->status = col_arena(out->arena, q, 6);
        s->path = col_arena(out->arena, q, 7);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, "reading journey state");
}

void enc_jstates_free(enc_jstates *s)
{
    free(s->v);
    if (s->arena) enc_arena_free(s->arena);
    memset(s, 0, sizeof *s);
}

enc_rc enc_jstate_put(enc_store *st, const char *campaign, const enc_jstate *s, int64_t now,
                      enc_err *err)
{
    sqlite3 *db = st->db;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO journey_state(campaign, customer_id, entry,"
                           " entered_at, entry_no, step, step_due, status, path, updated_at)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           -1, &q, NULL) != SQLITE_OK)
        return sqlfail(db, err, "writing journey state");
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, s->customer);
    sqlite3_bind_text(q, 3, s->entry, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 4, s->entered_at);
    sqlite3_bind_int(q, 5, s->entry_no);
    sqlite3_bind_text(q, 6, s->step, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 7, s->step_due);
    sqlite3_bind_text(q, 8, s->status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 9, s->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 10, now);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ENC_OK : sqlfail(db, err, "writing journey state");
}

enc_rc enc_journey_signals(enc_store *st, const char *campaign, enc_smap **opens, enc_smap **clicks,
                           enc_err *err)
{
    sqlite3 *db = st->db;
    *opens = enc_smap_new(256);
    *clicks = enc_smap_new(256);
    sqlite3_stmt *q = NULL;
    /* a tracking event's props hold the message's outbox id; only the campaign's messages'
     * customers' events are read */
    if (sqlite3_prepare_v2(
            db,
            "SELECT m.idempotency_key, e.type, MIN(e.ts) FROM messages m"
            " JOIN events e ON e.customer_id = m.customer_id"
            "  AND (e.type = 'message_open' OR e.type = 'message_click')"
            "  AND json_valid(e.props) AND json_extract(e.props, '$.message_id') = m.id"
            " WHERE m.campaign = ?1 GROUP BY m.id, e.type",
            -1, &q, NULL) != SQLITE_OK) {
        enc_smap_free(*opens);
        enc_smap_free(*clicks);
        *opens = *clicks = NULL;
        return sqlfail(db, err, "reading message opens and clicks");
    }
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(q, 0);
        const char *type = (const char *)sqlite3_column_text(q, 1);
        if (!key || !type) continue;
        enc_smap *m = strcmp(type, "message_open") == 0 ? *opens : *clicks;
        *enc_smap_put(m, key, strlen(key), 0, NULL) = sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        enc_smap_free(*opens);
        enc_smap_free(*clicks);
        *opens = *clicks = NULL;
        return sqlfail(db, err, "reading message opens and clicks");
    }
    return ENC_OK;
}

enc_rc enc_journey_sent(enc_store *st, const char *campaign, enc_smap **sent, enc_err *err)
{
    sqlite3 *db = st->db;
    *sent = enc_smap_new(256);
    sqlite3_stmt *q = NULL;
    int rc = SQLITE_ERROR;
    if (sqlite3_prepare_v2(db,
                           "SELECT idempotency_key, sent_at FROM messages"
                           " WHERE campaign = ?1 AND state = 'sent'",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, campaign, -1, SQLITE_TRANSIENT);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(q, 0);
            if (key) *enc_smap_put(*sent, key, strlen(key), 0, NULL) = sqlite3_column_int64(q, 1);
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        enc_smap_free(*sent);
        *sent = NULL;
        return sqlfail(db, err, "reading sent messages");
    }
    return ENC_OK;
}
