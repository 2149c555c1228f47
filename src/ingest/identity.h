/* identity.h — identity resolution during import: a row's identities (the merchant's customer
 * id, a normalised email, an E.164 phone) are looked up; identities owned by different
 * customers merge them into the oldest (history follows, the merge is recorded); unseen
 * identities are attached; a customer is created when none is found. Keeps a cache so that
 * order lines of known customers cost no SQL. */
#ifndef ENCORE_IDENTITY_H
#define ENCORE_IDENTITY_H
#include "store/store.h"

typedef struct enc_ident enc_ident;

/* The resolver writes through st inside the caller's transaction. Free with enc_ident_free. */
enc_ident *enc_ident_new(enc_store *st, const char *source);
void enc_ident_free(enc_ident *id);

/* Which shared identities may merge two customers when the row also names its own customer id
 * (ext): import merges on all; the ingest API only on verified traits or the policy's merge_on.
 * Without a customer id, the row is the customer its email or phone names. */
#define ENC_IDENT_MERGE_EXT 1u
#define ENC_IDENT_MERGE_EMAIL 2u
#define ENC_IDENT_MERGE_PHONE 4u
#define ENC_IDENT_MERGE_ALL 7u

/* Resolves a customer from any of ext / email / phone (NULL or "" when absent). When nobody
 * owns them and create is non-NULL, inserts a customer from *create (its source_key is set
 * here) and returns it with *created set. *cust = 0 when nothing is given or found. */
enc_rc enc_ident_resolve(enc_ident *id, const char *ext, const char *email, const char *phone,
                         const enc_customer_rec *create, int64_t *cust, bool *created,
                         enc_err *err);
/* The same, with the merge rules of merge_on; *own (may be NULL) gets the registration the
 * row's customer id names (the record the row describes; a second registration sharing an email
 * or phone gets a record of its own, merged into the older customer), or *cust without an id. */
enc_rc enc_ident_resolve_ex(enc_ident *id, const char *ext, const char *email, const char *phone,
                            const enc_customer_rec *create, unsigned merge_on, int64_t *cust,
                            int64_t *own, bool *created, enc_err *err);
/* Loads every identity of the store into the resolver, so that lookups need no SQL: worth it
 * for large imports. Afterwards all writes must go through this resolver. */
enc_rc enc_ident_preload(enc_ident *id, enc_err *err);
/* Whether the last resolve was refused because one of its identities is on the suppression
 * list of erased customers (store/privacy.h): *cust was 0 and nothing was written. And how many
 * resolves were refused so far. */
bool enc_ident_was_suppressed(const enc_ident *id);
long enc_ident_suppressed(const enc_ident *id);
/* Merges done by this resolver so far. */
long enc_ident_merges(const enc_ident *id);
/* Forgets cached owners (after a rollback). */
void enc_ident_forget(enc_ident *id);
#endif
