/* store_custview.h — the store reads behind the 360° customer view and the customer search
 * (src/report/custview.c, `encore customer`, GET /v1/customers): the whole document about one
 * customer as JSON, and a paged search by id, email, phone or name prefix. Part of the store
 * interface (store.h), in its own header so that it grows without touching store.h. */
#ifndef ENCORE_STORE_CUSTVIEW_H
#define ENCORE_STORE_CUSTVIEW_H
#include "store/store.h"
#include <stdbool.h>

struct enc_jw;

typedef struct enc_custview_opts {
    bool mask;  /* personal data masked (base/mask.h): names, emails, phones, birthday */
    int digits; /* decimals of money */
    int recent; /* rows in each list of recent things (orders, events, feedback, messages);
                   0 = 20; at most 500 */
    const char *currency; /* written beside the money; may be NULL */
} enc_custview_opts;

/* Writes the 360° document of customer id (a store id of a customer not merged away) as one
 * JSON object, leaving it open so that the caller can add keys (recommendations) and close it:
 * profile fields, identities, merged records, consents in force and their ledger, order summary
 * and the latest orders with their lines, recent events, feedback, messages, coupons and the
 * stored scores ("profile", null before any scoring run). ENC_ENOTFOUND when there is no such
 * customer (nothing written then). Times are RFC 3339 UTC, money decimal. */
enc_rc enc_store_customer_view(enc_store *st, int64_t id, const enc_custview_opts *o,
                               struct enc_jw *w, enc_err *err);

/* One search hit. Strings are malloc'ed; enc_store_customer_hits_free frees them and the array. */
typedef struct enc_customer_hit {
    int64_t id;
    char *external_id, *name, *email, *phone;
    int64_t orders, revenue; /* sale orders and their sales (minor units) */
    int64_t last_order;      /* epoch, 0 when none */
} enc_customer_hit;
/* Customers matching q: the store id "#N", the merchant's id, an email or phone (as identities,
 * exactly, cleaned by the caller), or else a case-insensitive prefix of the name (ASCII letters
 * fold); customers merged away are left out. Ordered by store id, only ids above `after` (the
 * cursor), at most limit (1..500) hits; *more tells whether another page follows. */
enc_rc enc_store_customer_search(enc_store *st, const char *q, const char *email, const char *phone,
                                 int64_t after, int limit, enc_customer_hit **out, size_t *n,
                                 bool *more, enc_err *err);
void enc_store_customer_hits_free(enc_customer_hit *h, size_t n);
/* The same facts for the customers ids[0, n) (any order; one indexed read each, for samples):
 * out[i] for ids[i] (all NULL and 0 when there is no such customer). The caller frees out's
 * strings with enc_store_customer_hits_free(out, n) — out itself must be a malloc'ed array. */
enc_rc enc_store_customer_briefs(enc_store *st, const int64_t *ids, size_t n, enc_customer_hit *out,
                                 enc_err *err);
#endif
