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
/* Sealed fields and wrapped data keys (XChaCha20-Poly1305, RFC draft-irtf-cfrg-xchacha):
 *   sealed field = 0x01 | nonce (24) | ciphertext (n) | tag (16), additional data = the
 *                  customer id (8 bytes little-endian) | the field's name
 *   wrapped key  = 0x01 | nonce (24) | the data key encrypted (32) | tag (16), under
 *                  KDF(master, 2, "encwrap_"), additional data = "dk" | customer id (8 LE) */
#define ENC_SEAL_OVERHEAD (1 + 24 + 16)
#define ENC_WRAPPED_BYTES (1 + 24 + 32 + 16)

/* A store's master key and the subkeys derived from it (crypto_kdf, one context each). Plain
 * bytes on the stack or inside a struct: wipe with enc_mkey_wipe when done. */
typedef struct enc_mkey {
    uint8_t master[32];
    uint8_t blind[32]; /* the blind indexes' key: KDF(master, 1, "encblind") */
    uint8_t wrap[32];  /* the data keys' wrapping key: KDF(master, 2, "encwrap_") */
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

/* --- per-customer data keys and sealed fields ---------------------------------------------- */
typedef struct enc_dkey {
    uint8_t k[32];
} enc_dkey;
/* A new random data key. */
void enc_dkey_new(enc_dkey *dk);
/* dk wrapped under the master key for customer cust into out (ENC_WRAPPED_BYTES). */
void enc_dkey_wrap(const enc_mkey *key, int64_t cust, const enc_dkey *dk,
                   uint8_t out[ENC_WRAPPED_BYTES]);
/* The data key of customer cust from its wrapped form (n bytes). ENC_EPARSE for a malformed
 * one; ENC_EUSAGE "the master key does not open ..." when it fails authentication (the wrong
 * master key, or a key of another customer). */
enc_rc enc_dkey_unwrap(const enc_mkey *key, int64_t cust, const uint8_t *in, size_t n, enc_dkey *dk,
                       enc_err *err);
/* Seals n bytes of a field of customer cust into out (n + ENC_SEAL_OVERHEAD bytes). */
void enc_seal(const enc_dkey *dk, int64_t cust, const char *field, const void *pt, size_t n,
              uint8_t *out);
/* Opens a sealed field (n bytes) into out (cap >= n - ENC_SEAL_OVERHEAD); *outn its length.
 * ENC_EPARSE for a malformed one (too short, unknown version), ENC_EUSAGE when it fails
 * authentication (another key, customer or field, or altered bytes). Never says more. */
enc_rc enc_open(const enc_dkey *dk, int64_t cust, const char *field, const uint8_t *in, size_t n,
                void *out, size_t cap, size_t *outn, enc_err *err);
#endif
