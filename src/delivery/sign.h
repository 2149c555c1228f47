/* sign.h — HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256, by libsodium) for webhook
 * signatures ("timestamp.body", docs/delivery.md) and the Message-IDs of emails. (Unsubscribe
 * links carry the tracking server's tokens: src/campaign/token.h.) No allocation. */
#ifndef ENCORE_SIGN_H
#define ENCORE_SIGN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* HMAC-SHA256 of the concatenation of parts a and b (either may be empty) under key of any
 * length; mac gets 32 bytes. */
void enc_hmac_sha256(const void *key, size_t klen, const void *a, size_t alen, const void *b,
                     size_t blen, uint8_t mac[32]);
/* Lower-case hex of n bytes into out (2n + 1 bytes with the NUL). */
void enc_hex(const uint8_t *p, size_t n, char *out);
/* The webhook signature: hex HMAC-SHA256(secret, "<ts>.<body>") into out[65]. */
void enc_webhook_sign(const char *secret, int64_t ts, const char *body, size_t blen, char out[65]);
/* Standard Webhooks (standardwebhooks.com, the spec the npm "standardwebhooks" verifier
 * implements): the key of a secret — "whsec_" + base64 of 24..64 bytes is decoded; any other
 * non-empty secret that fits cap is used as it is (its bytes are the key). false otherwise. */
bool enc_webhook_key(const char *secret, uint8_t *key, size_t cap, size_t *len);
/* "v1," + base64(HMAC-SHA256(key, "<id>.<ts>.<body>")) into out. */
#define ENC_WEBHOOK_SIG_MAX 64
void enc_webhook_std_sign(const uint8_t *key, size_t klen, const char *id, int64_t ts,
                          const char *body, size_t blen, char out[ENC_WEBHOOK_SIG_MAX]);
/* Constant-time comparison of two NUL-terminated hex signatures. */
bool enc_sig_equal(const char *a, const char *b);
#endif
