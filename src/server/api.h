/* api.h — the Segment-spec ingest API (/v1/track, /v1/identify, /v1/batch, and page/screen
 * items): JSON bodies as Segment's tracking libraries send them, turned into Encore's events,
 * customers and orders. Two steps, so that the server can parse on its HTTP threads and write
 * on its one writer thread: enc_api_parse checks and cleans a body into a request (no store
 * access), enc_api_apply writes its good items (inside the caller's transaction), and
 * enc_api_respond gives the HTTP status and JSON answer. Mapping and limits: docs/server.md. */
#ifndef ENCORE_API_H
#define ENCORE_API_H
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "ingest/identity.h"
#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

#define ENC_API_BODY_MAX (32 * 1024)         /* /v1/track, /v1/identify; one batch item */
#define ENC_API_BATCH_BODY_MAX (1024 * 1024) /* /v1/batch */
#define ENC_API_BATCH_ITEMS_MAX 5000
#define ENC_API_FUTURE_TOLERANCE 86400 /* seconds an event time may be ahead of the clock */
#define ENC_API_SOURCE "api" /* events.source of API events; messageId is their source_key */

typedef enum enc_api_call { ENC_API_TRACK, ENC_API_IDENTIFY, ENC_API_BATCH } enc_api_call;

typedef struct enc_api_opts {
    int64_t now;          /* receivedAt: the time of events without a timestamp */
    const char *phone_cc; /* country calling code for national phone numbers (NULL: none) */
    /* identities on which identify may merge two customers with their own userId, besides
     * verified ones (ENC_IDENT_MERGE_*); the store's setting (enc_store_merge_on_get) adds to
     * it */
    unsigned merge_on;
} enc_api_opts;

typedef struct enc_api_req enc_api_req;

/* Parses and checks a body of n bytes. Never fails as a call: a body that is unusable as a
 * whole (not JSON, no batch array, too many items) or an item that is bad is recorded in the
 * request with its reason and field, and enc_api_respond reports it. Everything (the request,
 * its items and their strings) lives in arena a, which the caller frees after responding. */
enc_api_req *enc_api_parse(enc_arena *a, enc_api_call call, const char *body, size_t n,
                           const enc_api_opts *o);
/* Number of items that passed the checks and wait to be written. */
size_t enc_api_pending(const enc_api_req *r);
/* Writes the good items through st inside the caller's transaction: customers are resolved,
 * created and merged by ident (whose source should be ENC_API_SOURCE); track items become
 * events keyed by messageId (the first copy wins; later ones count as duplicates); an
 * "Order Completed" with an order_id also becomes an order with its products as lines. On a
 * storage error returns ENC_EDB and the caller rolls back; apply may then be called again
 * (with a fresh resolver) on the same request. */
enc_rc enc_api_apply(enc_api_req *r, enc_store *st, enc_ident *ident, enc_err *err);
/* The HTTP status (200, 400, 413) and the JSON answer, appended to out: {"ok":true, ...} or
 * {"error":"...","field":"..."}; for a batch also the counts and each bad item's index. */
int enc_api_respond(const enc_api_req *r, enc_buf *out);

typedef struct enc_api_counts {
    long items, stored, duplicates, rejected;
} enc_api_counts;
void enc_api_counts_get(const enc_api_req *r, enc_api_counts *c);
#endif
