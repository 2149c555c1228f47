/* reccache.h — the recommendation model the customer view's ?recommendations=true uses, built
 * once and shared by the HTTP threads (issue 13: it used to be rebuilt per request, seconds on
 * a big store). The cache holds one model with the data stamp it was built at
 * (enc_store_data_stamp); a request that finds it stale builds the next one while the others
 * go on with the old one (only the first build of all is waited for), and the old model is
 * freed when its last reader lets it go. Stale: a score run,
 * a new product or a changed row since; new orders only once the model is 5 minutes old.
 *
 * Ownership: the server owns the cache (enc_reccache_new/free); enc_reccache_get lends a model
 * until the matching enc_reccache_put. */
#ifndef ENCORE_SERVER_RECCACHE_H
#define ENCORE_SERVER_RECCACHE_H
#include "base/err.h"
#include "recommend/recommend.h"
#include "store/store.h"

typedef struct enc_reccache enc_reccache;
typedef struct enc_reccache_ref enc_reccache_ref;

enc_reccache *enc_reccache_new(void);
/* Frees the cache; no model may be lent out any more. */
void enc_reccache_free(enc_reccache *c);
/* The model for the store as st sees it now, built (on st) when missing or stale. *ref is
 * the loan, returned with enc_reccache_put. NULL with err on a failure to build. */
const enc_rec_model *enc_reccache_get(enc_reccache *c, enc_store *st, enc_reccache_ref **ref,
                                      enc_err *err);
void enc_reccache_put(enc_reccache *c, enc_reccache_ref *ref);
/* Builds done so far (for the tests through /metrics and the bench). */
long enc_reccache_builds(enc_reccache *c);
/* The server's cache (srv: the request's enc_server, server.c). */
enc_reccache *enc_server_reccache(void *srv);
#endif
