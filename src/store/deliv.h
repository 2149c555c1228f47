/* deliv.h — what the deliverability view of the management API reads from the outbox beyond
 * its counts (delivery/outbox.h): the latest failed and dead messages, putting one dead
 * message back in the queue, and the suppression list. Strings are malloc'd copies freed with
 * enc_deliv_rows_free. */
#ifndef ENCORE_STORE_DELIV_H
#define ENCORE_STORE_DELIV_H
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct enc_deliv_row {
    int64_t id, customer_id, attempts, at;
    char *campaign, *channel, *address, *error; /* suppressions: error is the reason */
} enc_deliv_row;

/* The latest messages in state ("failed" or "dead"), newest first, ids below before (0: all). */
enc_rc enc_deliv_messages(enc_store *st, const char *state, int64_t before, size_t limit,
                          enc_deliv_row **out, size_t *n, enc_err *err);
/* Suppressed addresses, newest first; *total counts them all. */
enc_rc enc_deliv_suppressions(enc_store *st, size_t limit, enc_deliv_row **out, size_t *n,
                              int64_t *total, enc_err *err);
void enc_deliv_rows_free(enc_deliv_row *rows, size_t n);
/* Puts dead message id back in the queue (due now, attempts 0). *found false when there is no
 * dead message of that id. */
enc_rc enc_deliv_retry_dead(enc_store *st, int64_t id, int64_t now, bool *found, enc_err *err);
#endif
