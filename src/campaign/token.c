/* token.c — signed tracking tokens (see token.h): payload codec, HMAC-SHA256 by libsodium,
 * canonical base64url, the secret's sources, and the tracking URLs the campaign engine puts
 * into messages. */
#include "campaign/token.h"
#include "base/file.h"
#include "base/seal.h"
#include "base/vocabulary.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a channel's code in a token is its position in base/vocabulary.h plus one; 0 = none */
static const char *const channels[] = {"", ENC_CHANNEL_MAP(ENC_VOCAB_NAME)};
#define NCHANNELS (int)(sizeof channels / sizeof *channels)

static int channel_code(const char *s)
{
    for (int i = 0; i < NCHANNELS; i++)
        if (strcmp(s, channels[i]) == 0) return i;
    return -1;
}

/* ---- checks on what a token may carry --------------------------------------------------- */

bool enc_token_campaign_ok(const char *s, size_t n)
{
    if (n > ENC_TOKEN_CAMPAIGN_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
    }
    return true;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 3986 characters of a URI after the authority: unreserved, reserved (but '[' and ']'
 * only in hosts), and '%'. Anything else must be percent-encoded by whoever builds the link. */
static bool uri_char(char c)
{
    return is_alnum(c) || (c && strchr("-._~:/?#@!$&'()*+,;=%", c) != NULL);
}

bool enc_token_url_ok(const char *url, size_t n, const char **why)
{
    size_t i;
    if (n > ENC_TOKEN_URL_MAX) return *why = "url longer than 1024 bytes", false;
    if (n >= 7 && strncasecmp(url, "http://", 7) == 0) i = 7;
    else if (n >= 8 && strncasecmp(url, "https://", 8) == 0) i = 8;
    else return *why = "url must start with http:// or https://", false;
    /* host: a name, an IPv4 address, or [IPv6] */
    size_t h = i;
    if (i < n && url[i] == '[') {
        for (i++; i < n && (is_alnum(url[i]) || url[i] == ':' || url[i] == '.'); i++)
            ;
        if (i >= n || url[i] != ']' || i == h + 1) return *why = "url has a bad IPv6 host", false;
        i++;
    } else {
        for (; i < n && (is_alnum(url[i]) || url[i] == '.' || url[i] == '-'); i++)
            ;
        if (i == h) return *why = "url has no host", false;
        if (url[h] == '.' || url[h] == '-' || url[i - 1] == '-')
            return *why = "url has a bad host name", false;
    }
    if (i < n && url[i] == ':') { /* port */
        size_t p = ++i;
        for (; i < n && url[i] >= '0' && url[i] <= '9'; i++)
            ;
        if (i == p || i - p > 5) return *why = "url has a bad port", false;
    }
    if (i < n && url[i] != '/' && url[i] != '?' && url[i] != '#')
        return *why = url[i] == '@' ? "url must not carry user info" : "url has a bad host", false;
    for (; i < n; i++)
        if (!uri_char(url[i]))
            return *why = "url has a character that must be percent-encoded", false;
    return true;
}

/* ---- payload codec ----------------------------------------------------------------------- */

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        p[n++] = b | (v ? 0x80 : 0);
    } while (v);
    return n;
}

/* Reads a minimal LEB128 varint of at most 63 bits at p[*at..n). */
static bool get_varint(const uint8_t *p, size_t n, size_t *at, int64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0, k = 0; k < 9; k++, shift += 7) {
        if (*at >= n) return false;
        uint8_t b = p[(*at)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (b == 0 && k > 0) return false; /* not minimal */
            *out = (int64_t)v;
            return true;
        }
    }
    return false; /* more than 63 bits */
}

size_t enc__token_pack(const enc_token *t, uint8_t *out, const char **why)
{
    if (t->kind < ENC_TOKEN_CLICK || t->kind > ENC_TOKEN_UNSUB) return *why = "bad kind", 0;
    int ch = channel_code(t->channel);
    if (ch < 0) return *why = "channel must be email, sms, push, wechat or inapp", 0;
    if (t->kind == ENC_TOKEN_UNSUB && ch == 0)
        return *why = "an unsubscribe token needs a channel", 0;
    if (t->message_id < 0 || t->customer_id < 0 || t->expires < 0)
        return *why = "ids and expiry must not be negative", 0;
    size_t cn = strnlen(t->campaign, sizeof t->campaign);
    if (cn >= sizeof t->campaign || !enc_token_campaign_ok(t->campaign, cn))
        return *why = "campaign must be at most 64 characters of A-Z a-z 0-9 . _ : -", 0;
    size_t un = strnlen(t->url, sizeof t->url);
    if (t->kind == ENC_TOKEN_CLICK) {
        if (un >= sizeof t->url) return *why = "url longer than 1024 bytes", 0;
        if (!un) return *why = "a click token needs a url", 0;
        if (!enc_token_url_ok(t->url, un, why)) return 0;
    } else if (un) {
        return *why = "only click tokens carry a url", 0;
    }
    size_t n = 0;
    out[n++] = ENC_TOKEN_VERSION;
    out[n++] = (uint8_t)t->kind;
    out[n++] = (uint8_t)ch;
    out[n++] = t->expires ? 1 : 0;
    n += put_varint(out + n, (uint64_t)t->message_id);
    n += put_varint(out + n, (uint64_t)t->customer_id);
    if (t->expires) n += put_varint(out + n, (uint64_t)t->expires);
    out[n++] = (uint8_t)cn;
    memcpy(out + n, t->campaign, cn);
    n += cn;
    if (t->kind == ENC_TOKEN_CLICK) {
        n += put_varint(out + n, un);
        memcpy(out + n, t->url, un);
        n += un;
    }
    return n;
}

bool enc__token_unpack(const uint8_t *p, size_t n, enc_token *t, const char **why)
{
    memset(t, 0, sizeof *t);
    if (n < 4) return *why = "payload too short", false;
    if (p[0] != ENC_TOKEN_VERSION) return *why = "unsupported token version", false;
    if (p[1] < ENC_TOKEN_CLICK || p[1] > ENC_TOKEN_UNSUB) return *why = "bad token kind", false;
    if (p[2] >= NCHANNELS) return *why = "bad channel", false;
    if (p[3] & ~1u) return *why = "bad flags", false;
    t->kind = (enc_token_kind)p[1];
    memcpy(t->channel, channels[p[2]], strlen(channels[p[2]]) + 1);
    if (t->kind == ENC_TOKEN_UNSUB && p[2] == 0) return *why = "no channel", false;
    size_t at = 4;
    if (!get_varint(p, n, &at, &t->message_id) || !get_varint(p, n, &at, &t->customer_id))
        return *why = "bad id", false;
    if ((p[3] & 1) && (!get_varint(p, n, &at, &t->expires) || t->expires == 0))
        return *why = "bad expiry", false;
    if (at >= n) return *why = "no campaign", false;
    size_t cn = p[at++];
    if (cn > ENC_TOKEN_CAMPAIGN_MAX || n - at < cn ||
        !enc_token_campaign_ok((const char *)p + at, cn))
        return *why = "bad campaign", false;
    memcpy(t->campaign, p + at, cn);
    t->campaign[cn] = 0;
    at += cn;
    if (t->kind == ENC_TOKEN_CLICK) {
        int64_t un;
        if (!get_varint(p, n, &at, &un) || un <= 0 || un > ENC_TOKEN_URL_MAX || n - at < (size_t)un)
            return *why = "bad url length", false;
        if (!enc_token_url_ok((const char *)p + at, (size_t)un, why)) return false;
        memcpy(t->url, p + at, (size_t)un);
        t->url[un] = 0;
        at += (size_t)un;
    }
    if (at != n) return *why = "trailing bytes", false;
    return true;
}

/* ---- MAC and text form ------------------------------------------------------------------- */

enc_rc enc_token_key_from(const void *secret, size_t n, enc_token_key *key, enc_err *err)
{
    if (n < 16) return enc_fail(err, ENC_EUSAGE, "secret shorter than 16 bytes");
    crypto_hash_sha256(key->k, secret, n);
    return ENC_OK;
}

static void mac(const enc_token_key *key, const uint8_t *p, size_t n,
                uint8_t out[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key->k, sizeof key->k);
    crypto_auth_hmacsha256_update(&st, p, n);
    crypto_auth_hmacsha256_final(&st, out);
}

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

enc_rc enc_token_make(const enc_token_key *key, const enc_token *t, char out[ENC_TOKEN_BUF],
                      enc_err *err)
{
    uint8_t p[ENC_TOKEN_PAYLOAD_MAX], m[crypto_auth_hmacsha256_BYTES];
    const char *why;
    size_t n = enc__token_pack(t, p, &why);
    if (!n) return enc_fail(err, ENC_EUSAGE, "token: %s", why);
    mac(key, p, n, m);
    sodium_bin2base64(out, ENC_TOKEN_BUF, p, n, B64);
    size_t len = strlen(out);
    out[len++] = '.';
    sodium_bin2base64(out + len, ENC_TOKEN_BUF - len, m, ENC_TOKEN_MAC_BYTES, B64);
    return ENC_OK;
}

/* Decodes canonical base64url (no padding, zero pad bits) of exactly n characters. The
 * alphabet is checked here first: libsodium 1.0.18 also decodes some bytes >= 0x80 (0xdf is
 * read as 'f'), which would give one token several spellings. */
static bool b64_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
    const char *end;
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_') return false;
    if (sodium_base642bin(out, cap, s, n, NULL, len, &end, B64) != 0) return false;
    return end == s + n;
}

enc_rc enc_token_check(const enc_token_key *key, const char *s, size_t n, int64_t now, enc_token *t,
                       enc_err *err)
{
    memset(t, 0, sizeof *t);
    if (n > ENC_TOKEN_MAX)
        return enc_fail(err, ENC_ELIMIT, "token longer than %d bytes", ENC_TOKEN_MAX);
    const char *dot = memchr(s, '.', n);
    if (!dot) return enc_fail(err, ENC_EPARSE, "malformed token (expected PAYLOAD.MAC)");
    size_t pn = (size_t)(dot - s), mn = n - pn - 1;
    uint8_t p[ENC_TOKEN_PAYLOAD_MAX], m[ENC_TOKEN_MAC_BYTES + 2],
        want[crypto_auth_hmacsha256_BYTES];
    size_t plen, mlen;
    if (mn != 22 || !b64_decode(dot + 1, mn, m, sizeof m, &mlen) || mlen != ENC_TOKEN_MAC_BYTES)
        return enc_fail(err, ENC_EPARSE, "malformed token signature");
    if (!b64_decode(s, pn, p, sizeof p, &plen))
        return enc_fail(err, ENC_EPARSE, "malformed token payload");
    mac(key, p, plen, want);
    if (sodium_memcmp(want, m, ENC_TOKEN_MAC_BYTES) != 0)
        return enc_fail(err, ENC_EPARSE, "bad signature");
    const char *why;
    if (!enc__token_unpack(p, plen, t, &why))
        return enc_fail(err, ENC_EPARSE, "bad token: %s", why);
    if (now && t->expires && now > t->expires) return enc_fail(err, ENC_EPARSE, "expired");
    return ENC_OK;
}

enc_rc enc_track_url(const enc_token_key *key, const char *base_url, const enc_token *t,
                     enc_buf *out, enc_err *err)
{
    char tok[ENC_TOKEN_BUF];
    if (enc_token_make(key, t, tok, err)) return err->rc;
    size_t bn = strlen(base_url);
    while (bn && base_url[bn - 1] == '/') bn--;
    const char *why;
    if (!enc_token_url_ok(base_url, bn, &why))
        return enc_fail(err, ENC_EUSAGE, "base url: %s", why);
    enc_buf_add(out, base_url, bn);
    enc_buf_adds(out, t->kind == ENC_TOKEN_CLICK  ? "/t/c/"
                      : t->kind == ENC_TOKEN_OPEN ? "/t/o/"
                                                  : "/u/");
    enc_buf_adds(out, tok);
    return ENC_OK;
}

/* ---- the secret --------------------------------------------------------------------------- */

static void set_where(char *where, size_t cap, const char *fmt, const char *a)
{
    if (where && cap) snprintf(where, cap, fmt, a);
}

/* Reads a secret file (at most 4 KiB; surrounding white space dropped). */
/* The secret of the file at path (created on first use when create): the key from its text. */
static enc_rc read_secret(const char *path, bool create, enc_token_key *key, char *where,
                          size_t where_cap, enc_err *err)
{
    char buf[4097];
    size_t n;
    bool created = false;
    enc_rc rc = create
                    ? enc_secret_file_get(path, "secret file", buf, sizeof buf, &n, &created, err)
                    : enc_read_secret_file(path, "secret file", buf, sizeof buf, &n, err);
    if (!rc) {
        enc_err e2;
        rc = enc_token_key_from(buf, n, key, &e2);
        if (rc) enc_fail(err, rc, "secret file %s: %s", path, e2.msg);
    }
    sodium_memzero(buf, sizeof buf);
    if (!rc) set_where(where, where_cap, created ? "%s (new)" : "%s", path);
    return rc;
}

enc_rc enc_token_key_load(const char *file, const char *env_secret, const char *db_path,
                          enc_token_key *key, char *where, size_t where_cap, enc_err *err)
{
    if (sodium_init() < 0) return enc_fail(err, ENC_EFAIL, "libsodium failed to initialise");
    if (file && *file) {
        return read_secret(file, false, key, where, where_cap, err);
    }
    if (env_secret && *env_secret) {
        set_where(where, where_cap, "%s", "ENCORE_SECRET");
        if (enc_token_key_from(env_secret, strlen(env_secret), key, err))
            return enc_fail(err, ENC_EUSAGE, "ENCORE_SECRET: %s", err->msg);
        return ENC_OK;
    }
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s.secret", db_path) >= sizeof path)
        return enc_fail(err, ENC_EUSAGE, "database path too long");
    return read_secret(path, true, key, where, where_cap, err);
}
