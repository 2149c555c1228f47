/* inbox.h — the in-site inbox as an app reads it: a customer's messages, newest first, a page
 * at a time, and marking one read. The inbox channel (src/delivery/channels/inbox.c) writes
 * the rows when the dispatcher sends on an `inbox` channel; the server answers
 * GET /v1/inbox?customer=ID and POST /v1/inbox/ID/read with these (docs/server.md). Reads run
 * on an HTTP thread's own connection; the mark runs on the writer, inside its transaction. */
#ifndef ENCORE_INBOX_H
#define ENCORE_INBOX_H
#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

#define ENC_INBOX_LIMIT_DEFAULT 20
#define ENC_INBOX_LIMIT_MAX 100

typedef struct enc_inbox_query {
    const char *customer; /* the merchant's customer id, as the /v1/ API's userId */
    int64_t before;       /* only messages with an id below this (the previous page's
                             next_before); 0 = from the newest */
    int limit;            /* 1 .. ENC_INBOX_LIMIT_MAX; 0 = ENC_INBOX_LIMIT_DEFAULT */
    bool unread_only;
} enc_inbox_query;

/* The customer (merges followed) whose merchant id is `customer`, or 0. */
enc_rc enc_inbox_customer(enc_store *st, const char *customer, int64_t *id, enc_err *err);

/* Appends one page of customer cust's inbox to out as JSON (messages of customers merged
 * into cust included):
 *   {"customer":"C001","unread":3,"messages":[{"id":17,"message_id":42,"campaign":"spring",
 *    "title":"...","body":"...","payload":{...},"created_at":"2026-05-01T09:00:00Z",
 *    "read_at":null}, ...],"next_before":12}
 * next_before is null on the last page; unread counts the whole inbox. */
enc_rc enc_inbox_page(enc_store *st, int64_t cust, const enc_inbox_query *q, enc_buf *out,
                      enc_err *err);

typedef enum enc_inbox_mark {
    ENC_INBOX_MARKED,    /* read_at set now */
    ENC_INBOX_ALREADY,   /* it was read before: the first read_at is kept */
    ENC_INBOX_NOT_FOUND, /* no such message (or not the given customer's) */
} enc_inbox_mark;
/* Marks inbox message id read at now. cust > 0 requires the message to belong to that
 * customer (or to one merged into it). *read_at gets the time it counts as read. Runs in the
 * caller's transaction when one is open. */
enc_rc enc_inbox_mark_read(enc_store *st, int64_t id, int64_t cust, int64_t now,
                           enc_inbox_mark *out, int64_t *read_at, enc_err *err);

/* "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC) into out (>= 24 bytes). */
void enc_inbox_fmt_time(char *out, size_t cap, int64_t epoch);
#endif
