/* store_sendtime.h — what send-time optimisation (issue 19 item 3; intel/sendtime_fit.c) reads:
 * every customer's responses in a time window — message opens, message clicks and paid
 * orders — with their times, customer by customer. */
#ifndef ENCORE_STORE_SENDTIME_H
#define ENCORE_STORE_SENDTIME_H
#include "store/store.h"
#include <stdint.h>

typedef enum enc_sendtime_kind {
    ENC_ST_OPEN = 0,  /* an event of type message_open */
    ENC_ST_CLICK = 1, /* an event of type message_click */
    ENC_ST_ORDER = 2, /* a paid order */
    ENC_ST_KINDS = 3
} enc_sendtime_kind;

/* Calls fn(ctx, customer_id, ts, kind) for every response of a customer (not merged away)
 * with since <= ts < until, in customer id order (times unordered within a customer). A
 * non-zero return from fn stops the scan and is returned. */
typedef int (*enc_sendtime_row_fn)(void *ctx, int64_t customer_id, int64_t ts,
                                   enc_sendtime_kind kind);
enc_rc enc_store_sendtime_scan(enc_store *st, int64_t since, int64_t until, enc_sendtime_row_fn fn,
                               void *ctx, enc_err *err);
#endif
