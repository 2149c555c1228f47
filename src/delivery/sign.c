/* sign.c — HMAC-SHA256 signatures (sign.h) over libsodium's incremental
 * crypto_auth_hmacsha256 API, which takes keys of any length (RFC 2104: longer keys are
 * hashed first). Tested with the RFC 4231 vectors in tests/unit/test_delivery.c. */
#include "delivery/sign.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void enc_hmac_sha256(const void *key, size_t klen, const void *a, size_t alen, const void *b,
                     size_t blen, uint8_t mac[32])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, klen);
    if (alen) crypto_auth_hmacsha256_update(&st, a, alen);
    if (blen) crypto_auth_hmacsha256_update(&st, b, blen);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
}

void enc_hex(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = 0;
}

void enc_webhook_sign(const char *secret, int64_t ts, const char *body, size_t blen, char out[65])
{
    char pre[32];
    int k = snprintf(pre, sizeof pre, "%" PRId64 ".", ts);
    uint8_t mac[32];
    enc_hmac_sha256(secret, strlen(secret), pre, (size_t)k, body, blen, mac);
    enc_hex(mac, 32, out);
}

bool enc_webhook_key(const char *secret, uint8_t *key, size_t cap, size_t *len)
{
    *len = 0;
    size_t n = strlen(secret);
    if (strncmp(secret, "whsec_", 6) == 0) {
        size_t got = 0;
        if (sodium_base642bin(key, cap, secret + 6, n - 6, NULL, &got, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            got < 24 || got > 64)
            return false;
        *len = got;
        return true;
    }
    if (n < 1 || n > cap) return false;
    memcpy(key, secret, n);
    *len = n;
    return true;
}

void enc_webhook_std_sign(const uint8_t *key, size_t klen, const char *id, int64_t ts,
                          const char *body, size_t blen, char out[ENC_WEBHOOK_SIG_MAX])
{
    char pre[128];
    int k = snprintf(pre, sizeof pre, "%.80s.%" PRId64 ".", id, ts);
    uint8_t mac[32];
    enc_hmac_sha256(key, klen, pre, (size_t)k, body, blen, mac);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, ENC_WEBHOOK_SIG_MAX - 3, mac, 32, sodium_base64_VARIANT_ORIGINAL);
}

bool enc_sig_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b)) return false;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}
