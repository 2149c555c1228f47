/* inbox.c — the inbox read API over the store (see inbox.h): one page of a customer's inbox as
 * JSON (jansson builds it, so that stored payload objects are embedded as objects), and the
 * read mark. The rows come from the store (store/outbox_store.h): a page is one small query. */
#include "server/inbox.h"
#include "base/datetime.h"
#include <jansson.h>
#include "store/outbox_store.h"
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

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

static json_t *text_or_null(const char *v) { return v ? json_string(v) : json_null(); }

static json_t *time_or_null(bool has, int64_t at)
{
    if (!has) return json_null();
    char t[40];
    enc_inbox_fmt_time(t, sizeof t, at);
    return json_string(t);
}

/* Builds the page: rows up to limit; the one row more says another page follows. */
typedef struct page_ctx {
    json_t *msgs;
    int n, limit;
    int64_t last;
    bool more;
} page_ctx;

static bool page_row(void *ctx, const enc_inbox_row *r)
{
    page_ctx *c = ctx;
    if (c->n == c->limit) {
        c->more = true;
        return false;
    }
    json_t *m = json_object();
    c->last = r->id;
    json_object_set_new(m, "id", json_integer(r->id));
    json_object_set_new(m, "message_id",
                        r->has_message ? json_integer(r->message_id) : json_null());
    json_object_set_new(m, "campaign", text_or_null(r->campaign));
    json_object_set_new(m, "title", text_or_null(r->title));
    json_object_set_new(m, "body", text_or_null(r->body)); /* kept for old clients */
    json_object_set_new(m, "body_text", text_or_null(r->body_text));
    json_object_set_new(m, "body_html", text_or_null(r->body_html));
    const char *p = r->payload;
    json_t *pj = p ? json_loads(p, JSON_DECODE_ANY, NULL) : NULL;
    /* a payload that is not JSON (written by hand) is passed on as a string */
    json_object_set_new(m, "payload", pj ? pj : p ? json_string(p) : json_null());
    json_object_set_new(m, "created_at", time_or_null(r->has_created, r->created_at));
    json_object_set_new(m, "read_at", time_or_null(r->has_read, r->read_at));
    json_array_append_new(c->msgs, m);
    c->n++;
    return true;
}

enc_rc enc_inbox_page(enc_store *st, int64_t cust, const enc_inbox_query *q, enc_buf *out,
                      enc_err *err)
{
    int limit = q->limit > 0 ? q->limit : ENC_INBOX_LIMIT_DEFAULT;
    if (limit > ENC_INBOX_LIMIT_MAX) limit = ENC_INBOX_LIMIT_MAX;
    json_t *doc = json_object();
    page_ctx c = {.msgs = json_array(), .limit = limit};
    json_object_set_new(doc, "customer", json_string(q->customer ? q->customer : ""));
    int64_t unread = 0;
    /* newest first by id (ids grow with time) */
    enc_rc rc = enc_inbox_scan(st, cust, q->before, q->unread_only, limit + 1, page_row, &c, err);
    if (!rc) rc = enc_inbox_unread(st, cust, &unread, err);
    if (rc) {
        json_decref(c.msgs);
        json_decref(doc);
        return rc;
    }
    json_object_set_new(doc, "unread", json_integer(unread));
    json_object_set_new(doc, "messages", c.msgs);
    json_object_set_new(doc, "next_before", c.more ? json_integer(c.last) : json_null());
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
    int how;
    *out = ENC_INBOX_NOT_FOUND;
    enc_rc rc = enc_inbox_store_mark(st, id, cust, now, &how, read_at, err);
    if (rc) return rc;
    *out = how == 1 ? ENC_INBOX_MARKED : how == 2 ? ENC_INBOX_ALREADY : ENC_INBOX_NOT_FOUND;
    return ENC_OK;
}
