/* custview.h — the 360° customer view and the customer search as documents, for both front
 * doors (`encore customer`, GET /v1/customers[/{id}]): who the customer is, what the scoring
 * made of them, what they bought, did, said, agreed to, received and were offered, and what to
 * offer next. The store writes the stored part (store/store_custview.h); this module finds the
 * customer, adds the recommendations of a model the caller built (recommend/recommend.h) and
 * pages the search. Nothing here prints; every function writes through the caller's enc_jw. */
#ifndef ENCORE_CUSTVIEW_H
#define ENCORE_CUSTVIEW_H
#include "base/err.h"
#include "recommend/recommend.h"
#include "store/store_custview.h"
#include <stdbool.h>
#include <stdint.h>

struct enc_jw;

/* The store id of the customer given as "#N" (a store id), the merchant's customer id, an
 * email or a phone (cleaned as import cleans them), following merges; 0 when none. */
enc_rc enc_custview_find(enc_store *st, const char *who, int64_t *id, enc_err *err);

/* Writes the 360° document of customer id (enc_store_customer_view's keys, then
 * "recommendations": up to nrec personal recommendations of model m with their scores and
 * reasons — null when m is NULL). m and ws are borrowed (ws: a workspace of m, see
 * enc_rec_ws_new). ENC_ENOTFOUND when there is no such customer. */
enc_rc enc_custview_json(enc_store *st, int64_t id, const enc_custview_opts *o,
                         const enc_rec_model *m, enc_rec_ws *ws, int nrec, struct enc_jw *w,
                         enc_err *err);

/* Writes one page of the search for q (see enc_store_customer_search; "" lists everyone) as
 * {"items": [{"id", "customer_id", "name", "email", "phone", "orders", "revenue",
 * "last_order"}], "currency": ..., leaving the object open: the caller writes its cursor
 * ("next_cursor", from *more and *last, the page's last store id) and closes it. after: the
 * previous page's last id (0: the first page); limit 1..500. ENC_EUSAGE for a bad limit or q
 * (err names which); nothing is written then. */
enc_rc enc_custview_search_json(enc_store *st, const char *q, int64_t after, int limit,
                                const enc_custview_opts *o, struct enc_jw *w, bool *more,
                                int64_t *last, enc_err *err);
#endif
