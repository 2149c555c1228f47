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
