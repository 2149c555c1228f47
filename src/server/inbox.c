/* inbox.c — the inbox read API over the store (see inbox.h): one page of a customer's inbox as
 * JSON (jansson builds it, so that stored payload objects are embedded as objects), and the
 * read mark. SQL on the store's handle, prepared per call: a page is one small query. */
#include "server/inbox.h"
#include "base/datetime.h"
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* the customer and everyone merged into it (merges repoint chains, store.c) */
#define OWNED_BY "customer_id IN (SELECT id FROM customers WHERE id = ?1 OR merged_into = ?1)"

static enc_rc sqlfail(sqlite3 *db, enc_err *err, const char *what)
{
    return enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

void enc_inbox_fmt_time(char *out, size_t cap, int64_t epoch)
{
    char t[32];
    enc_fmt_datetime(t, sizeof t, epoch); /* "YYYY-MM-DD HH:MM:SS" */
    t[10] = 'T';
    snprintf(out, cap, "%sZ", t);
}

/* The inbox of a shop's customer id is that exact id's: a registration merged into another
 * reaches the survivor's inbox only when the merge came from an imported or verified identity
 * (a recorded rule); merges of old stores without a rule, and unknown ids, stay apart. */
enc_rc enc_inbox_customer(enc_store *st, const char *customer, int64_t *id, enc_err *err)
{
    return enc_store_customer_lookup_exact(st, customer, id, err);
}

static json_t *text_or_null(sqlite3_stmt *s, int col)
{
    const char *v = (const char *)sqlite3_column_text(s, col);
    return v ? json_string(v) : json_null();
}

static json_t *time_or_null(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL) return json_null();
    char t[40];
    enc_inbox_fmt_time(t, sizeof t, sqlite3_column_int64(s, col));
    return json_string(t);
}

enc_rc enc_inbox_page(enc_store *st, int64_t cust, const enc_inbox_query *q, enc_buf *out,
                      enc_err *err)
{
    sqlite3 *db = enc__store_db(st);
    int limit = q->limit > 0 ? q->limit : ENC_INBOX_LIMIT_DEFAULT;
    if (limit > ENC_INBOX_LIMIT_MAX) limit = ENC_INBOX_LIMIT_MAX;
    sqlite3_stmt *s = NULL;
    /* newest first by id (ids grow with time); one row more than the page says whether
     * another page follows */
    if (sqlite3_prepare_v2(db,
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
        return sqlfail(db, err, "reading the inbox");
    sqlite3_bind_int64(s, 1, cust);
    sqlite3_bind_int64(s, 2, q->before > 0 ? q->before : 0);
    sqlite3_bind_int(s, 3, q->unread_only);
    sqlite3_bind_int(s, 4, limit + 1);
    json_t *doc = json_object(), *msgs = json_array();
    json_object_set_new(doc, "customer", json_string(q->customer ? q->customer : ""));
    int n = 0, rc;
    int64_t last = 0;
    bool more = false;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == limit) {
            more = true;
            break;
        }
        json_t *m = json_object();
        last = sqlite3_column_int64(s, 0);
        json_object_set_new(m, "id", json_integer(last));
        json_object_set_new(m, "message_id",
                            sqlite3_column_type(s, 1) == SQLITE_NULL
                                ? json_null()
                                : json_integer(sqlite3_column_int64(s, 1)));
        json_object_set_new(m, "campaign", text_or_null(s, 2));
        json_object_set_new(m, "title", text_or_null(s, 3));
        json_object_set_new(m, "body", text_or_null(s, 4)); /* kept for old clients */
        json_object_set_new(m, "body_text", text_or_null(s, 8));
        json_object_set_new(m, "body_html", text_or_null(s, 9));
        const char *p = (const char *)sqlite3_column_text(s, 5);
        json_t *pj = p ? json_loads(p, JSON_DECODE_ANY, NULL) : NULL;
        /* a payload that is not JSON (written by hand) is passed on as a string */
        json_object_set_new(m, "payload", pj ? pj : p ? json_string(p) : json_null());
        json_object_set_new(m, "created_at", time_or_null(s, 6));
        json_object_set_new(m, "read_at", time_or_null(s, 7));
        json_array_append_new(msgs, m);
        n++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(msgs);
        json_decref(doc);
        return sqlfail(db, err, "reading the inbox");
    }
    int64_t unread = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM inbox WHERE " OWNED_BY " AND read_at IS NULL",
                           -1, &s, NULL) != SQLITE_OK) {
        json_decref(msgs);
        json_decref(doc);
        return sqlfail(db, err, "counting unread messages");
    }
    sqlite3_bind_int64(s, 1, cust);
    if (sqlite3_step(s) == SQLITE_ROW) unread = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    json_object_set_new(doc, "unread", json_integer(unread));
    json_object_set_new(doc, "messages", msgs);
    json_object_set_new(doc, "next_before", more ? json_integer(last) : json_null());
    char *txt = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!txt) return enc_fail(err, ENC_EFAIL, "inbox: a stored text is not valid UTF-8");
    enc_buf_adds(out, txt);
    free(txt);
    return ENC_OK;
}

enc_rc enc_inbox_mark_read(enc_store *st, int64_t id, int64_t cust, int64_t now,
                           enc_inbox_mark *out, int64_t *read_at, enc_err *err)
{
    sqlite3 *db = enc__store_db(st);
    *out = ENC_INBOX_NOT_FOUND;
    *read_at = 0;
    /* an unread message is marked; a read one keeps the time of its first read */
    static const char *const sql[2] = {
        "UPDATE inbox SET read_at = ?3 WHERE id = ?2 AND read_at IS NULL AND"
        " (?1 = 0 OR " OWNED_BY ") RETURNING read_at",
        "SELECT read_at FROM inbox WHERE id = ?2 AND (?1 = 0 OR " OWNED_BY ")",
    };
    for (int k = 0; k < 2 && *out == ENC_INBOX_NOT_FOUND; k++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(db, sql[k], -1, &s, NULL) != SQLITE_OK)
            return sqlfail(db, err, "marking an inbox message read");
        sqlite3_bind_int64(s, 1, cust);
        sqlite3_bind_int64(s, 2, id);
        if (k == 0) sqlite3_bind_int64(s, 3, now);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            *read_at = sqlite3_column_int64(s, 0);
            *out = k == 0 ? ENC_INBOX_MARKED : ENC_INBOX_ALREADY;
            rc = sqlite3_step(s);
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) return sqlfail(db, err, "marking an inbox message read");
    }
    return ENC_OK;
}
