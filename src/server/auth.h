/* auth.h — the management API's credentials: argon2id password hashes (libsodium
 * crypto_pwhash_str), API keys and session tokens (random, stored as BLAKE2b hashes), who a
 * request is (Bearer key or session cookie), and the rate limiter that slows password guessing
 * and key guessing (per client address and per account). Used by the server and the CLI
 * (`encore user`, `encore apikey`). */
#ifndef ENCORE_AUTH_H
#define ENCORE_AUTH_H
#include "base/err.h"
#include "server/mgmt.h"
#include "store/users.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define ENC_SESSION_COOKIE "encore_session"
#define ENC_SESSION_SECONDS (12 * 3600) /* a session lasts 12 hours from login */
#define ENC_APIKEY_TAG "enc_mk_"        /* management keys start so; ingest write keys do not */
#define ENC_PASSWORD_MIN 10
#define ENC_PASSWORD_MAX 256

/* The argon2id hash string of password (out >= 128 bytes). */
enc_rc enc_auth_hash_password(const char *password, char *out, size_t cap, enc_err *err);
/* True when password matches hash (constant time inside libsodium). */
bool enc_auth_check_password(const char *hash, const char *password);
/* A real hash of no one's password: checked against when a login names no user, so that a
 * login takes as long whether the email exists or not. */
const char *enc_auth_dummy_hash(void);
/* NULL when password is acceptable, else why not. */
const char *enc_auth_password_weak(const char *password);
/* A plausible email (one '@', a dot after it, no spaces or controls, <= ENC_EMAIL_MAX). */
bool enc_auth_email_ok(const char *email);

/* A new API key "enc_mk_<43 base64url chars>" into key (cap >= 64), its hash, and the prefix
 * shown in lists ("enc_mk_AbCd") into prefix (cap >= 16). */
void enc_auth_new_key(char *key, size_t cap, uint8_t hash[32], char *prefix, size_t pcap);
/* BLAKE2b-256 of a key or a session token */
void enc_auth_token_hash(const char *token, size_t n, uint8_t hash[32]);
/* 32 random bytes as base64url (no padding) into out (cap >= 44) */
void enc_auth_random(char *out, size_t cap);

typedef enum enc_auth_outcome {
    ENC_AUTH_NONE, /* no credentials */
    ENC_AUTH_OK,
    ENC_AUTH_BAD, /* credentials that are wrong, revoked or expired (a failure to count) */
} enc_auth_outcome;

/* Who the request is, from its Authorization and Cookie headers (either may be NULL). A
 * Bearer key wins over a cookie. *why says what was wrong (for the 401's detail). */
enc_rc enc_auth_resolve(enc_store *st, const char *authorization, const char *cookie, int64_t now,
                        enc_principal *p, enc_auth_outcome *out, const char **why, enc_err *err);
/* The value of cookie name in a Cookie header into out; false when absent or too long. */
bool enc_auth_cookie(const char *header, const char *name, char *out, size_t cap);

/* A fixed-size table of failure counters (bounded memory: the oldest entry is reused). A key
 * with `max` failures within `window` seconds of its first is blocked until the window ends. */
#define ENC_RL_SLOTS 1024
typedef struct enc_ratelimit {
    pthread_mutex_t mu;
    int max;
    int64_t window;
    struct {
        uint64_t h; /* hash of the key (0 = free) */
        int64_t start;
        int count;
    } slot[ENC_RL_SLOTS];
} enc_ratelimit;
void enc_rl_init(enc_ratelimit *rl, int max, int64_t window);
void enc_rl_destroy(enc_ratelimit *rl);
/* Seconds until key may try again (0: not blocked). */
int64_t enc_rl_blocked(enc_ratelimit *rl, const char *key, int64_t now);
/* Counts a failure of key. */
void enc_rl_fail(enc_ratelimit *rl, const char *key, int64_t now);
/* Forgets key (a success). */
void enc_rl_clear(enc_ratelimit *rl, const char *key);
#endif
