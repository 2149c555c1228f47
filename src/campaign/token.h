/* token.h — signed tracking tokens: what a click, open or unsubscribe link carries. The
 * campaign engine mints them when it renders a message (enc_track_url); the server verifies
 * them on /t/c/, /t/o/ and /u/ before recording anything. Layout and reasons in
 * docs/server.md:
 *
 *   TOKEN   = base64url(PAYLOAD) "." base64url(MAC)          (no padding, RFC 4648 §5)
 *   MAC     = first 16 bytes of HMAC-SHA256(K, PAYLOAD)       (RFC 2104 / FIPS 180-4, libsodium)
 *   K       = SHA-256(secret)
 *   PAYLOAD = version(1) kind(1) channel(1) flags(1) message_id(varint) customer_id(varint)
 *             [expires(varint), when flags & 1] campaign_len(1) campaign [url_len(varint) url,
 *             clicks only]
 *
 * Varints are unsigned LEB128, minimal, at most 63 bits. The MAC is checked in constant time
 * before the payload is parsed, and parsing is strict (canonical base64url, minimal varints,
 * no trailing bytes), so one payload has exactly one token. No allocation. */
#ifndef ENCORE_TOKEN_H
#define ENCORE_TOKEN_H
#include "base/buf.h"
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_TOKEN_VERSION 1
#define ENC_TOKEN_MAC_BYTES 16    /* truncated HMAC: 128 bits, 22 base64url characters */
#define ENC_TOKEN_CAMPAIGN_MAX 64 /* bytes of [A-Za-z0-9._:-] */
#define ENC_TOKEN_URL_MAX 1024    /* bytes of a click target */
/* the largest payload: 4 fixed bytes, 3 varints of 9 bytes, campaign, url with a 2-byte length */
#define ENC_TOKEN_PAYLOAD_MAX (4 + 3 * 9 + 1 + ENC_TOKEN_CAMPAIGN_MAX + 2 + ENC_TOKEN_URL_MAX)
/* the longest token string, and a buffer that holds one with its NUL */
#define ENC_TOKEN_MAX (((ENC_TOKEN_PAYLOAD_MAX + 2) / 3) * 4 + 1 + 22)
#define ENC_TOKEN_BUF (ENC_TOKEN_MAX + 1)

typedef enum enc_token_kind {
    ENC_TOKEN_CLICK = 1, /* records message_click and redirects to the signed url */
    ENC_TOKEN_OPEN = 2,  /* records message_open and answers a 1x1 GIF */
    ENC_TOKEN_UNSUB = 3, /* revokes marketing consent for the channel */
} enc_token_kind;

/* What a token says. Strings are NUL-terminated inside the struct. */
typedef struct enc_token {
    enc_token_kind kind;
    char channel[8];     /* "email", "sms", "push", "wechat", "inapp", or "" (none) */
    int64_t message_id;  /* >= 0: the outbox message */
    int64_t customer_id; /* >= 0: the customer it was sent to */
    int64_t expires;     /* epoch seconds; 0 = never */
    char campaign[ENC_TOKEN_CAMPAIGN_MAX + 1];
    char url[ENC_TOKEN_URL_MAX + 1]; /* clicks only: http(s) target */
} enc_token;

/* The MAC key, derived from the configured secret. Plain bytes: copy freely, wipe when done. */
typedef struct enc_token_key {
    uint8_t k[32];
} enc_token_key;

/* K = SHA-256(secret). A secret shorter than 16 bytes is refused (ENC_EUSAGE). */
enc_rc enc_token_key_from(const void *secret, size_t n, enc_token_key *key, enc_err *err);

/* Where the secret comes from, first found wins: the file `file` (a flag), else the value of
 * env_secret ($ENCORE_SECRET), else the file `<db_path>.secret`, created with 32 random bytes
 * (64 hex digits) and mode 0600 when absent. A secret file readable by group or others is
 * refused. `where` (>= 64 bytes, may be NULL) gets a description for logs: the file name,
 * "ENCORE_SECRET", or "<file> (new)". */
enc_rc enc_token_key_load(const char *file, const char *env_secret, const char *db_path,
                          enc_token_key *key, char *where, size_t where_cap, enc_err *err);

/* Checks that a url may be a click target: http:// or https:// (any case), a host of
 * [A-Za-z0-9.-] or a bracketed IPv6 literal, an optional :port, no user info, and only
 * printable ASCII that RFC 3986 allows (percent-encode the rest); at most ENC_TOKEN_URL_MAX
 * bytes. false with *why set otherwise. */
bool enc_token_url_ok(const char *url, size_t n, const char **why);
/* A campaign key: at most ENC_TOKEN_CAMPAIGN_MAX bytes of [A-Za-z0-9._:-] (empty allowed). */
bool enc_token_campaign_ok(const char *s, size_t n);

/* Writes the token of t into out (ENC_TOKEN_BUF bytes). Refuses (ENC_EUSAGE, with the reason)
 * a bad kind, channel, campaign, url (required for clicks, refused on others), negative id or
 * expiry, and an unsubscribe token without a channel. */
enc_rc enc_token_make(const enc_token_key *key, const enc_token *t, char out[ENC_TOKEN_BUF],
                      enc_err *err);
/* Verifies and decodes a token of n bytes. now is the current time (for expiry; 0 skips the
 * check). ENC_ELIMIT for an overlong token, ENC_EPARSE for a malformed one, a bad signature or
 * an expired token; err->msg says which ("bad signature", "expired", ...). */
enc_rc enc_token_check(const enc_token_key *key, const char *s, size_t n, int64_t now, enc_token *t,
                       enc_err *err);

/* The payload codec without the MAC (internal-but-shared: tests and the fuzz target). pack
 * returns the length written into out (ENC_TOKEN_PAYLOAD_MAX bytes) or 0 on a bad token;
 * unpack returns false with *why set on malformed bytes. */
size_t enc__token_pack(const enc_token *t, uint8_t *out, const char **why);
bool enc__token_unpack(const uint8_t *p, size_t n, enc_token *t, const char **why);

/* A tracking link: base_url (without a trailing slash; one is dropped) + "/t/c/", "/t/o/" or
 * "/u/" by kind + the token; appended to out. This is what the campaign engine calls for every
 * link, pixel and List-Unsubscribe header it renders. */
enc_rc enc_track_url(const enc_token_key *key, const char *base_url, const enc_token *t,
                     enc_buf *out, enc_err *err);
#endif
