/* sign.c — HMAC-SHA256 signatures and tokens (sign.h) over libsodium's incremental
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

bool enc_sig_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b)) return false;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

void enc_unsub_token(const char *secret, int64_t message_id, char *out, size_t cap)
{
    char msg[40], hex[65];
    int k = snprintf(msg, sizeof msg, "unsub.%" PRId64, message_id);
    uint8_t mac[32];
    enc_hmac_sha256(secret, strlen(secret), msg, (size_t)k, NULL, 0, mac);
    enc_hex(mac, 16, hex);
    snprintf(out, cap, "%" PRId64 ".%s", message_id, hex);
}

bool enc_unsub_token_check(const char *secret, const char *token, int64_t *message_id)
{
    char *end;
    long long id = strtoll(token, &end, 10);
    if (end == token || *end != '.' || id <= 0) return false;
    char want[64];
    enc_unsub_token(secret, (int64_t)id, want, sizeof want);
    if (!enc_sig_equal(want, token)) return false;
    *message_id = (int64_t)id;
    return true;
}
