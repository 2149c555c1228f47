/* privacy.h — the store's side of privacy by design (issue 16, docs/privacy.md): the
 * suppression list of erased identities (blind indexes only), erasure of a customer (identities
 * removed, events, feedback, consents, inbox and message contents deleted, orders kept under a
 * pseudonym, the audit entry), compaction so no deleted byte stays in the file or its WAL, the
 * personal values a customer holds, the columns of the schema that name a customer, the
 * retention settings and their enforcement. SQL lives here (store_privacy.c). */
#ifndef ENCORE_STORE_PRIVACY_H
#define ENCORE_STORE_PRIVACY_H
#include "base/seal.h"
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- suppression list ------------------------------------------------------------------------
 * Every blind index on the list: kinds[i] is 0 ext, 1 email, 2 phone, 3 any other kind;
 * hashes holds n * ENC_BLIND_BYTES bytes. The caller frees both with free(). */
enc_rc enc_store_suppressed_all(enc_store *st, uint8_t **kinds, uint8_t **hashes, size_t *n,
                                enc_err *err);

/* --- erasure ---------------------------------------------------------------------------------- */
typedef struct enc_store_erase_req {
    int64_t customer; /* a current customer (not merged into another) */
    int64_t now;
    const enc_mkey *key; /* for the blind indexes of the suppression list */
    /* the audit entry: who, from where, why (no personal data: the caller checks) */
    const char *actor, *role, *client, *reason;
    int status;
} enc_store_erase_req;
typedef struct enc_store_erased {
    int64_t records;    /* the customer and the registrations merged into it */
    int64_t identities; /* identities removed */
    int64_t suppressed; /* blind indexes added to the suppression list */
    int64_t events, feedback, consents, inbox, messages, profiles, merges;
    int64_t orders_kept; /* orders that stay under the pseudonym */
} enc_store_erased;
/* Erases a customer in one transaction (store_privacy.c says what happens to each table) and
 * appends the audit entry "customer.erase" with target "#ID". ENC_ENOTFOUND for no such
 * customer, ENC_EUSAGE when it is merged into another or already erased. */
enc_rc enc_store_customer_erase(enc_store *st, const enc_store_erase_req *r, enc_store_erased *out,
                                enc_err *err);
/* Rewrites the store without the bytes of deleted rows (VACUUM) and empties its WAL
 * (wal_checkpoint(TRUNCATE)); ENC_EDB when another connection keeps the WAL from being emptied. */
enc_rc enc_store_compact(enc_store *st, enc_err *err);
/* The distinct personal values (names, emails, phones, customer ids, identities) the customer
 * and the registrations merged into it hold: malloc'ed strings in a malloc'ed array; free each
 * and the array. */
enc_rc enc_store_customer_personal(enc_store *st, int64_t customer, char ***vals, size_t *n,
                                   enc_err *err);
/* True when the customer is an erased pseudonym; ENC_ENOTFOUND for no such customer. */
enc_rc enc_store_customer_erased(enc_store *st, int64_t customer, bool *erased, enc_err *err);

/* --- the schema's customer-referencing columns -------------------------------------------------
 * Every column of every table that names a customer: a column called customer_id, or ending in
 * _customer, or customers' merged_into and merges' from_id/into_id. "table.column" strings in a
 * malloc'ed array (free each and the array). */
enc_rc enc_store_customer_columns(enc_store *st, char ***cols, size_t *n, enc_err *err);

/* --- the data-subject export ------------------------------------------------------------------
 * Writes, as keys of the object the caller has opened, one section per table that names a
 * customer (records, identities, merges, orders with their lines, events, feedback, consents,
 * profile, segment history, messages, inbox, campaign memberships, coupons): every row of the
 * customer and the registrations merged into it, with every column. */
struct enc_jw;
enc_rc enc_store_subject_export(enc_store *st, int64_t customer, struct enc_jw *w, enc_err *err);
/* Whether the export covers "table.column" (a column enc_store_customer_columns lists). */
bool enc_store_export_covers(const char *table_column);

/* --- consent per purpose ----------------------------------------------------------------------
 * The consent in force at `as_of` (entries with ts < as_of, replayed in time then id order, an
 * "all" entry setting every channel) for `purpose` of the customers ids[0, n) (ascending store
 * ids): bits[i] bit c set when channel channels[c] is granted (nch <= 8). */
enc_rc enc_store_consent_bits(enc_store *st, const char *purpose, int64_t as_of, const int64_t *ids,
                              size_t n, const char *const *channels, int nch, uint8_t *bits,
                              enc_err *err);

/* --- retention ----------------------------------------------------------------------------------
 * Retention periods per kind, in days (privacy_settings "retention.<kind>"); 0 = kept forever.
 * Kinds: events (deleted), messages (the outbox rows' address and contents emptied once no longer
 * due: the row stays for measurement), feedback_text (the text of feedback emptied; the score
 * stays). */
typedef enum enc_retention_kind {
    ENC_RETAIN_EVENTS,
    ENC_RETAIN_MESSAGES,
    ENC_RETAIN_FEEDBACK_TEXT,
    ENC_RETAIN_KINDS
} enc_retention_kind;
#define ENC_RETENTION_MAX_DAYS 36500
/* The name of a kind ("events", "messages", "feedback_text"). */
const char *enc_retention_name(enc_retention_kind k);
enc_rc enc_store_retention_get(enc_store *st, int64_t days[ENC_RETAIN_KINDS], enc_err *err);
/* Sets one kind's period (0 removes it). */
enc_rc enc_store_retention_set(enc_store *st, enc_retention_kind k, int64_t days, enc_err *err);
/* Applies the periods at `now` in one transaction (deleted content overwritten; the WAL emptied
 * afterwards when no reader holds it): done[k] gets the rows deleted or emptied; with dry_run,
 * the rows that would be, and nothing changes. An audit entry "retention.enforce" (actor,
 * client, the counts) is appended when anything changed. */
enc_rc enc_store_retention_enforce(enc_store *st, int64_t now, bool dry_run, const char *actor,
                                   const char *client, int64_t done[ENC_RETAIN_KINDS],
                                   enc_err *err);
#endif
