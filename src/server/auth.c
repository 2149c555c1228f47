/* auth.c — credentials (auth.h): password hashing with argon2id, keys and session tokens as
 * random bytes stored hashed, resolving a request's principal, and the failure rate limiter. */
#include "server/auth.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enc_rc enc_auth_hash_password(const char *password, char *out, size_t cap, enc_err *err)
{
    if (cap < crypto_pwhash_STRBYTES) return enc_fail(err, ENC_EFAIL, "hash buffer too small");
    if (sodium_init() < 0) return enc_fail(err, ENC_EFAIL, "libsodium failed to initialise");
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return enc_fail(err, ENC_EFAIL, "out of memory hashing the password");
    return ENC_OK;
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void)
{
    enc_err err;
    if (enc_auth_hash_password("not a password of anyone", dummy_hash, sizeof dummy_hash, &err))
        dummy_hash[0] = 0;
}

const char *enc_auth_dummy_hash(void)
{
    pthread_once(&dummy_once, make_dummy);
    return dummy_hash;
}

bool enc_auth_check_password(const char *hash, const char *password)
{
    if (!hash || !*hash || !password) return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const char *enc_auth_password_weak(const char *password)
{
    size_t n = strlen(password);
    if (n < ENC_PASSWORD_MIN) return "a password has at least 10 characters";
    if (n > ENC_PASSWORD_MAX) return "a password has at most 256 characters";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)password[i] < 0x20 || password[i] == 0x7f)
            return "a password holds no control characters";
    return NULL;
}

bool enc_auth_email_ok(const char *e)
{
    size_t n = strlen(e);
    if (n < 3 || n > ENC_EMAIL_MAX || !enc_text_ok(e, n)) return false;
    const char *at = strchr(e, '@');
    if (!at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.') return false;
    if (e[n - 1] == '.' || strchr(e, ' ')) return false;
    return true;
}

void enc_auth_random(char *out, size_t cap)
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, cap, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void enc_auth_token_hash(const char *token, size_t n, uint8_t hash[32])
{
    crypto_generichash(hash, 32, (const uint8_t *)token, n, NULL, 0);
}

void enc_auth_new_key(char *key, size_t cap, uint8_t hash[32], char *prefix, size_t pcap)
{
    char r[48];
    enc_auth_random(r, sizeof r);
    snprintf(key, cap, "%s%s", ENC_APIKEY_TAG, r);
    sodium_memzero(r, sizeof r);
    enc_auth_token_hash(key, strlen(key), hash);
    snprintf(prefix, pcap, "%.11s", key);
}

bool enc_auth_cookie(const char *h, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';') h++;
        const char *end = strchr(h, ';');
        size_t len = end ? (size_t)(end - h) : strlen(h);
        if (len > nl && h[nl] == '=' && memcmp(h, name, nl) == 0) {
            size_t vl = len - nl - 1;
            if (vl + 1 > cap) return false;
            memcpy(out, h + nl + 1, vl);
            out[vl] = 0;
            return true;
        }
        h += len;
    }
    return false;
}

enc_rc enc_auth_resolve(enc_store *st, const char *authz, const char *cookie, int64_t now,
                        enc_principal *p, enc_auth_outcome *out, const char **why, enc_err *err)
{
    memset(p, 0, sizeof *p);
    *out = ENC_AUTH_NONE;
    *why = "credentials required: Authorization: Bearer KEY, or the session cookie";
    if (authz && *authz) {
        *out = ENC_AUTH_BAD;
        if (strncasecmp(authz, "Bearer ", 7) != 0) {
            *why = "management calls take Authorization: Bearer KEY (an `encore apikey` key)";
            return ENC_OK;
        }
        const char *k = authz + 7;
        while (*k == ' ') k++;
        size_t kn = strlen(k);
        while (kn && k[kn - 1] == ' ') kn--;
        *why = "unknown, revoked or expired API key";
        if (kn < 16 || kn > 128) return ENC_OK;
        uint8_t h[32];
        enc_auth_token_hash(k, kn, h);
        enc_apikey_rec key;
        bool found;
        if (enc_apikey_find(st, h, &key, &found, err)) return err->rc;
        if (!found || key.revoked_at || (key.expires_at && key.expires_at <= now) || !key.role)
            return ENC_OK;
        p->kind = ENC_P_KEY;
        p->role = key.role;
        p->id = key.id;
        snprintf(p->name, sizeof p->name, "key:%lld:%s", (long long)key.id, key.name);
        *out = ENC_AUTH_OK;
        enc_err e2 = {0};
        enc_apikey_touch(st, key.id, now, &e2); /* best effort: a busy store skips it */
        return ENC_OK;
    }
    char tok[128];
    if (cookie && enc_auth_cookie(cookie, ENC_SESSION_COOKIE, tok, sizeof tok)) {
        *out = ENC_AUTH_BAD;
        *why = "the session has ended: log in again";
        uint8_t h[32];
        enc_auth_token_hash(tok, strlen(tok), h);
        sodium_memzero(tok, sizeof tok);
        enc_user_rec u;
        bool found;
        if (enc_session_find(st, h, now, &u, p->csrf, sizeof p->csrf, &found, err)) return err->rc;
        if (!found || !u.role) return ENC_OK;
        p->kind = ENC_P_USER;
        p->role = u.role;
        p->id = u.id;
        p->cookie = true;
        memcpy(p->session, h, 32);
        snprintf(p->email, sizeof p->email, "%s", u.email);
        snprintf(p->name, sizeof p->name, "user:%s", u.email);
        *out = ENC_AUTH_OK;
        sodium_memzero(u.pwhash, sizeof u.pwhash);
    }
    return ENC_OK;
}

/* ---- rate limiting ------------------------------------------------------------------------ */

void enc_rl_init(enc_ratelimit *rl, int max, int64_t window)
{
    memset(rl, 0, sizeof *rl);
    pthread_mutex_init(&rl->mu, NULL);
    rl->max = max;
    rl->window = window;
}

void enc_rl_destroy(enc_ratelimit *rl) { pthread_mutex_destroy(&rl->mu); }

static uint64_t key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h ? h : 1;
}

/* the slot of h, or -1 */
static int find(enc_ratelimit *rl, uint64_t h)
{
    size_t i = h % ENC_RL_SLOTS;
    for (size_t k = 0; k < 8; k++, i = (i + 1) % ENC_RL_SLOTS)
        if (rl->slot[i].h == h) return (int)i;
    return -1;
}

int64_t enc_rl_blocked(enc_ratelimit *rl, const char *key, int64_t now)
{
    uint64_t h = key_hash(key);
    pthread_mutex_lock(&rl->mu);
    int i = find(rl, h);
    int64_t left = 0;
    if (i >= 0 && rl->slot[i].count >= rl->max && now < rl->slot[i].start + rl->window)
        left = rl->slot[i].start + rl->window - now;
    pthread_mutex_unlock(&rl->mu);
    return left;
}

void enc_rl_fail(enc_ratelimit *rl, const char *key, int64_t now)
{
    uint64_t h = key_hash(key);
    pthread_mutex_lock(&rl->mu);
    int i = find(rl, h);
    if (i < 0) { /* a free slot among the 8 probed, else the oldest of them */
        size_t b = h % ENC_RL_SLOTS, pick = b;
        for (size_t k = 0; k < 8; k++) {
            size_t j = (b + k) % ENC_RL_SLOTS;
            if (!rl->slot[j].h || rl->slot[j].start + rl->window <= now) {
                pick = j;
                break;
            }
            if (rl->slot[j].start < rl->slot[pick].start) pick = j;
        }
        i = (int)pick;
        rl->slot[i].h = h;
        rl->slot[i].start = now;
        rl->slot[i].count = 0;
    }
    if (now >= rl->slot[i].start + rl->window) {
        rl->slot[i].start = now;
        rl->slot[i].count = 0;
    }
    rl->slot[i].count++;
    pthread_mutex_unlock(&rl->mu);
}

void enc_rl_clear(enc_ratelimit *rl, const char *key)
{
    uint64_t h = key_hash(key);
    pthread_mutex_lock(&rl->mu);
    int i = find(rl, h);
    if (i >= 0) rl->slot[i].h = 0;
    pthread_mutex_unlock(&rl->mu);
}
