/* erase.h — erasure of a customer (issue 16, docs/privacy.md), the one call the CLI (`encore
 * customer erase`) and the API (DELETE /v1/customers/{id}) share: the store's erasure
 * (store/privacy.h: identities and blind indexes gone, the suppression list fed, events,
 * feedback, consents, inbox and message contents deleted, orders kept under a pseudonym, the
 * audit entry), then the file rewritten and its WAL emptied, the column caches rebuilt, and the
 * export files that hold the customer's data removed. */
#ifndef ENCORE_PRIVACY_ERASE_H
#define ENCORE_PRIVACY_ERASE_H
#include "store/privacy.h"

typedef struct enc_erase_opts {
    const char *reason; /* may be NULL; refused when it holds the customer's personal data */
    const char *actor, *role, *client;
    int status; /* for the audit entry: the HTTP status answered, 0 from the CLI */
    int64_t now;
} enc_erase_opts;

typedef struct enc_erase_result {
    enc_store_erased store;
    int caches_rebuilt;  /* column cache files rebuilt */
    int exports_removed; /* export files that held the customer's data */
    bool already;        /* the customer was erased before: only the compaction, the caches
                          * and the exports were done again (an erasure whose compaction
                          * failed is finished this way) */
} enc_erase_result;

/* Erases customer (a current customer id). ENC_ENOTFOUND, ENC_EUSAGE (merged, a reason with
 * personal data), ENC_EDB; when the erasure was committed but the file could not be compacted
 * (another reader), ENC_EDB with the message saying so: run it again (out->already then). */
enc_rc enc_privacy_erase(enc_store *st, int64_t customer, const enc_erase_opts *o,
                         enc_erase_result *out, enc_err *err);
/* The result as one JSON object (the CLI's --json and the API's answer): customer "#N", the
 * counts of enc_store_erased, caches_rebuilt, exports_removed. */
struct enc_jw;
void enc_privacy_erased_json(const enc_erase_result *r, int64_t customer, struct enc_jw *w);
#endif
