/* seal.h — the privacy keys (libsodium): the master key of a store (a 0600 file beside it, or
 * $ENCORE_MASTER_KEY), found the way the token secret is (server/token.h), and the keyed blind
 * index of an identity (a keyed BLAKE2b of its kind and normalised value) that lets the store
 * recognise an erased customer's email, phone or id without keeping it (docs/privacy.md). */
#ifndef ENCORE_BASE_SEAL_H
#define ENCORE_BASE_SEAL_H
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_BLIND_BYTES 16 /* a blind index: 128 bits of a keyed BLAKE2b */

/* A store's master key and the subkeys derived from it (crypto_kdf, one context each). Plain
 * bytes on the stack or inside a struct: wipe with enc_mkey_wipe when done. */
typedef struct enc_mkey {
    uint8_t master[32];
    uint8_t blind[32]; /* the blind indexes' key: KDF(master, 1, "encblind") */
} enc_mkey;

/* The master key of the store at db_path, first found wins: $ENCORE_MASTER_KEY (64 hex
 * digits), else the file `<db_path>.key` (64 hex digits, mode 0600; a file readable by group or
 * others is refused), created with 32 random bytes when absent and create is true. *found is
 * false (ENC_OK) when there is none and create is false. `where` (may be NULL) gets
 * "ENCORE_MASTER_KEY", the file name, or "<file> (new)". */
enc_rc enc_mkey_load(const char *db_path, bool create, enc_mkey *key, bool *found, char *where,
                     size_t where_cap, enc_err *err);
/* The key from 64 hex digits (ENC_EUSAGE otherwise). */
enc_rc enc_mkey_from_hex(const char *hex, size_t n, enc_mkey *key, enc_err *err);
void enc_mkey_wipe(enc_mkey *key);

/* A secret kept in the file `path` (file.h, enc_read_secret_file), created on first use with
 * O_EXCL (two processes starting together agree on one) as 32 random bytes in 64 hex digits,
 * mode 0600. buf (cap >= 65) gets the secret's text, *n its length, *created whether it was
 * made now. The caller wipes buf. */
enc_rc enc_secret_file_get(const char *path, const char *what, char *buf, size_t cap, size_t *n,
                           bool *created, enc_err *err);

/* The blind index of an identity: BLAKE2b-128 keyed with key->blind over kind, a 0 byte and
 * the value (already normalised by the cleaners: lower-case email, E.164 phone). */
void enc_blind(const enc_mkey *key, const char *kind, const char *value,
               uint8_t out[ENC_BLIND_BYTES]);
#endif
