/* seal.c — the privacy keys: loading (or creating) a store's master key, deriving its subkeys,
 * and the keyed blind indexes of identities (seal.h). */
#include "base/seal.h"
#include "base/file.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_where(char *where, size_t cap, const char *s, const char *suffix)
{
    if (where && cap) snprintf(where, cap, "%s%s", s, suffix);
}

void enc_mkey_wipe(enc_mkey *key) { sodium_memzero(key, sizeof *key); }

enc_rc enc_mkey_from_hex(const char *hex, size_t n, enc_mkey *key, enc_err *err)
{
    size_t got = 0;
    const char *end = NULL;
    if (n != 64 || sodium_hex2bin(key->master, sizeof key->master, hex, n, NULL, &got, &end) != 0 ||
        got != 32 || end != hex + n)
        return enc_fail(err, ENC_EUSAGE, "a master key is 64 hex digits (32 bytes)");
    crypto_kdf_derive_from_key(key->blind, sizeof key->blind, 1, "encblind", key->master);
    crypto_kdf_derive_from_key(key->wrap, sizeof key->wrap, 2, "encwrap_", key->master);
    return ENC_OK;
}

enc_rc enc_secret_file_get(const char *path, const char *what, char *buf, size_t cap, size_t *n,
                           bool *created, enc_err *err)
{
    *created = false;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno != EEXIST)
            return enc_fail(err, ENC_EIO, "creating %s: %s", path, strerror(errno));
        return enc_read_secret_file(path, what, buf, cap, n, err);
    }
    if (cap < 66) {
        close(fd);
        unlink(path);
        return enc_fail(err, ENC_EUSAGE, "%s: no room for a secret", what);
    }
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(buf, 65, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    buf[64] = '\n';
    bool ok = write(fd, buf, 65) == 65 && fsync(fd) == 0;
    int e = errno;
    close(fd);
    buf[64] = 0;
    if (!ok) {
        unlink(path);
        return enc_fail(err, ENC_EIO, "writing %s: %s", path, strerror(e));
    }
    *n = 64;
    *created = true;
    return ENC_OK;
}

enc_rc enc_mkey_load(const char *db_path, bool create, enc_mkey *key, bool *found, char *where,
                     size_t where_cap, enc_err *err)
{
    *found = false;
    if (sodium_init() < 0) return enc_fail(err, ENC_EFAIL, "libsodium failed to initialise");
    const char *env = getenv("ENCORE_MASTER_KEY");
    if (env && *env) {
        set_where(where, where_cap, "ENCORE_MASTER_KEY", "");
        enc_err e2;
        if (enc_mkey_from_hex(env, strlen(env), key, &e2))
            return enc_fail(err, ENC_EUSAGE, "ENCORE_MASTER_KEY: %s", e2.msg);
        *found = true;
        return ENC_OK;
    }
    char path[4096];
    if (!db_path || !*db_path) return enc_fail(err, ENC_EUSAGE, "an in-memory store has no key");
    if ((size_t)snprintf(path, sizeof path, "%s.key", db_path) >= sizeof path)
        return enc_fail(err, ENC_EUSAGE, "database path too long");
    if (!create && access(path, F_OK) != 0) return ENC_OK;
    char buf[130];
    size_t n;
    bool created = false;
    enc_rc rc = create ? enc_secret_file_get(path, "master key", buf, sizeof buf, &n, &created, err)
                       : enc_read_secret_file(path, "master key", buf, sizeof buf, &n, err);
    if (!rc) {
        enc_err e2;
        rc = enc_mkey_from_hex(buf, n, key, &e2);
        if (rc) enc_fail(err, rc, "master key %s: %s", path, e2.msg);
    }
    sodium_memzero(buf, sizeof buf);
    if (rc) return rc;
    set_where(where, where_cap, path, created ? " (new)" : "");
    *found = true;
    return ENC_OK;
}

void enc_blind(const enc_mkey *key, const char *kind, const char *value,
               uint8_t out[ENC_BLIND_BYTES])
{
    crypto_generichash_state s;
    crypto_generichash_init(&s, key->blind, sizeof key->blind, ENC_BLIND_BYTES);
    crypto_generichash_update(&s, (const unsigned char *)kind, strlen(kind) + 1);
    crypto_generichash_update(&s, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&s, out, ENC_BLIND_BYTES);
}

/* ---- data keys and sealed fields ------------------------------------------------------------ */

#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

static void le64(uint8_t out[8], int64_t v)
{
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

void enc_dkey_new(enc_dkey *dk) { crypto_aead_xchacha20poly1305_ietf_keygen(dk->k); }

void enc_dkey_wrap(const enc_mkey *key, int64_t cust, const enc_dkey *dk,
                   uint8_t out[ENC_WRAPPED_BYTES])
{
    uint8_t ad[10] = {'d', 'k'};
    le64(ad + 2, cust);
    out[0] = 1;
    randombytes_buf(out + 1, NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 1 + NONCE, NULL, dk->k, sizeof dk->k, ad,
                                               sizeof ad, NULL, out + 1, key->wrap);
}

enc_rc enc_dkey_unwrap(const enc_mkey *key, int64_t cust, const uint8_t *in, size_t n, enc_dkey *dk,
                       enc_err *err)
{
    if (n != ENC_WRAPPED_BYTES || in[0] != 1)
        return enc_fail(err, ENC_EPARSE, "a wrapped data key is damaged (%zu bytes)", n);
    uint8_t ad[10] = {'d', 'k'};
    le64(ad + 2, cust);
    unsigned long long got;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(dk->k, &got, NULL, in + 1 + NONCE, n - 1 - NONCE,
                                                   ad, sizeof ad, in + 1, key->wrap) != 0 ||
        got != sizeof dk->k) {
        sodium_memzero(dk, sizeof *dk);
        return enc_fail(err, ENC_EUSAGE,
                        "the master key does not open the data key of customer #%lld (a wrong "
                        "ENCORE_MASTER_KEY or key file?)",
                        (long long)cust);
    }
    return ENC_OK;
}

/* customer id (8 LE) | field name, into ad (cap 8 + 64): field names are short and fixed */
static size_t field_ad(uint8_t *ad, int64_t cust, const char *field)
{
    size_t fn = strlen(field);
    if (fn > 64) fn = 64;
    le64(ad, cust);
    memcpy(ad + 8, field, fn);
    return 8 + fn;
}

void enc_seal(const enc_dkey *dk, int64_t cust, const char *field, const void *pt, size_t n,
              uint8_t *out)
{
    uint8_t ad[72];
    size_t adn = field_ad(ad, cust, field);
    out[0] = 1;
    randombytes_buf(out + 1, NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 1 + NONCE, NULL, pt, n, ad, adn, NULL, out + 1,
                                               dk->k);
}

enc_rc enc_open(const enc_dkey *dk, int64_t cust, const char *field, const uint8_t *in, size_t n,
                void *out, size_t cap, size_t *outn, enc_err *err)
{
    *outn = 0;
    if (n < ENC_SEAL_OVERHEAD) return enc_fail(err, ENC_EPARSE, "a sealed field is too short");
    if (in[0] != 1) return enc_fail(err, ENC_EPARSE, "a sealed field of unknown version %u", in[0]);
    if (cap < n - ENC_SEAL_OVERHEAD) return enc_fail(err, ENC_ELIMIT, "no room to open a field");
    uint8_t ad[72];
    size_t adn = field_ad(ad, cust, field);
    unsigned long long got;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &got, NULL, in + 1 + NONCE, n - 1 - NONCE,
                                                   ad, adn, in + 1, dk->k) != 0)
        return enc_fail(err, ENC_EUSAGE, "a sealed field does not open (another key, or altered)");
    *outn = (size_t)got;
    return ENC_OK;
}
