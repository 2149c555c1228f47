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

/* Resolves a customer from any of ext / email / phone (NULL or "" when absent). When nobody
 * owns them and create is non-NULL, inserts a customer from *create (its source_key is set
 * here) and returns it with *created set. *cust = 0 when nothing is given or found. */
enc_rc enc_ident_resolve(enc_ident *id, const char *ext, const char *email, const char *phone,
                         const enc_customer_rec *create, int64_t *cust, bool *created,
                         enc_err *err);
/* Loads every identity of the store into the resolver, so that lookups need no SQL: worth it
 * for large imports. Afterwards all writes must go through this resolver. */
enc_rc enc_ident_preload(enc_ident *id, enc_err *err);
/* Merges done by this resolver so far. */
long enc_ident_merges(const enc_ident *id);
/* Forgets cached owners (after a rollback). */
void enc_ident_forget(enc_ident *id);
#endif
