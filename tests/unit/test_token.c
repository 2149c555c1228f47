/* test_token.c — unit tests for src/campaign/token.c: round trips of every kind, every single-
 * byte tamper rejected, wrong secret, overlong and truncated tokens, base64url edge cases
 * (padding, standard alphabet, non-zero pad bits), click targets that would make an open
 * redirect, expiry, the secret's sources, and the HMAC against RFC 4231 test case 2. */
#include "harness.h"
#include "campaign/token.h"
#include <sodium.h>
#include <sys/stat.h>

static enc_token_key key(const char *secret)
{
    enc_token_key k;
    enc_err err;
    if (enc_token_key_from(secret, strlen(secret), &k, &err)) TH_FAIL("key: %s", err.msg);
    return k;
}

static enc_token click(void)
{
    enc_token t = {.kind = ENC_TOKEN_CLICK, .message_id = 123456789, .customer_id = 42};
    strcpy(t.channel, "email");
    strcpy(t.campaign, "spring-2025");
    strcpy(t.url, "https://shop.example.com/p/sku-1?utm_source=encore&x=%E4%B8%AD#top");
    return t;
}

static bool same(const enc_token *a, const enc_token *b)
{
    return a->kind == b->kind && a->message_id == b->message_id &&
           a->customer_id == b->customer_id && a->expires == b->expires &&
           strcmp(a->channel, b->channel) == 0 && strcmp(a->campaign, b->campaign) == 0 &&
           strcmp(a->url, b->url) == 0;
}

static void round_trip_every_kind(void)
{
    enc_token_key k = key("0123456789abcdef0123456789abcdef");
    enc_err err;
    char tok[ENC_TOKEN_BUF];
    enc_token in[4], out;
    in[0] = click();
    memset(&in[1], 0, sizeof in[1]);
    in[1].kind = ENC_TOKEN_OPEN;
    in[1].message_id = 0;
    in[1].customer_id = INT64_MAX; /* the largest id: 9 varint bytes */
    memset(&in[2], 0, sizeof in[2]);
    in[2].kind = ENC_TOKEN_UNSUB;
    strcpy(in[2].channel, "sms");
    in[2].message_id = 127; /* varint boundaries */
    in[2].customer_id = 128;
    strcpy(in[2].campaign, "a.b_c:d-E9");
    in[3] = click();
    in[3].expires = 1893456000;
    memset(in[3].url, 0, sizeof in[3].url);
    strcpy(in[3].url, "http://[2001:db8::1]:8080");
    for (int i = 0; i < 4; i++) {
        CHECK_INT(enc_token_make(&k, &in[i], tok, &err), ENC_OK);
        CHECK(strlen(tok) <= ENC_TOKEN_MAX);
        for (const char *p = tok; *p; p++) /* URL-safe: no escaping needed in a path */
            CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.');
        CHECK_INT(enc_token_check(&k, tok, strlen(tok), 1700000000, &out, &err), ENC_OK);
        CHECK(same(&in[i], &out));
    }
    /* the longest token: 64-byte campaign, 1024-byte url, every varint at its widest */
    enc_token big = click();
    big.message_id = big.customer_id = big.expires = INT64_MAX;
    memset(big.campaign, 'c', ENC_TOKEN_CAMPAIGN_MAX);
    char url[ENC_TOKEN_URL_MAX + 1];
    memset(url, 'a', ENC_TOKEN_URL_MAX);
    memcpy(url, "https://x.example/", 18);
    url[ENC_TOKEN_URL_MAX] = 0;
    strcpy(big.url, url);
    CHECK_INT(enc_token_make(&k, &big, tok, &err), ENC_OK);
    CHECK_INT(strlen(tok),
              ENC_TOKEN_MAX); /* the bound is tight: 1122-byte payload, 1496 + 1 + 22 */
    CHECK_INT(enc_token_check(&k, tok, strlen(tok), 0, &out, &err), ENC_OK);
    CHECK(same(&big, &out));
}

static void any_tamper_rejected(void)
{
    enc_token_key k = key("0123456789abcdef0123456789abcdef");
    enc_err err;
    char tok[ENC_TOKEN_BUF], bad[ENC_TOKEN_BUF];
    enc_token t = click(), out;
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_OK);
    size_t n = strlen(tok);
    /* every position, every other byte value (libsodium alone would take 0xdf for 'f') */
    int accepted = 0, tried = 0;
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < 256; c++) {
            if (c == (unsigned char)tok[i]) continue;
            memcpy(bad, tok, n + 1);
            bad[i] = (char)c;
            tried++;
            if (enc_token_check(&k, bad, n, 0, &out, &err) == ENC_OK) accepted++;
        }
    }
    CHECK_INT(accepted, 0);
    CHECK_INT(tried, (int)n * 255);
    /* libsodium 1.0.18 decodes every byte >= 0x80 as '_': tokens with a '_' must not accept
     * one in its place (this fails without the alphabet check in token.c) */
    int found = 0;
    for (int64_t m = 0; m < 2000 && found < 20; m++) {
        enc_token u = click();
        u.message_id = m;
        char ut[ENC_TOKEN_BUF];
        CHECK_INT(enc_token_make(&k, &u, ut, &err), ENC_OK);
        for (char *p = ut; (p = strchr(p, '_')); p++) {
            found++;
            *p = (char)0xdf;
            if (enc_token_check(&k, ut, strlen(ut), 0, &out, &err) == ENC_OK)
                TH_FAIL("0xdf for '_' accepted");
            *p = '_';
        }
    }
    CHECK(found >= 20);
    /* dropping or adding a character */
    CHECK(enc_token_check(&k, tok, n - 1, 0, &out, &err) != ENC_OK);
    memcpy(bad, tok, n);
    bad[n] = 'A';
    CHECK(enc_token_check(&k, bad, n + 1, 0, &out, &err) != ENC_OK);
    memcpy(bad + 1, tok, n); /* prefix */
    bad[0] = 'A';
    CHECK(enc_token_check(&k, bad, n + 1, 0, &out, &err) != ENC_OK);
    /* the other secret */
    enc_token_key k2 = key("0123456789abcdef0123456789abcdeF");
    CHECK_INT(enc_token_check(&k2, tok, n, 0, &out, &err), ENC_EPARSE);
    CHECK_STR(err.msg, "bad signature");
    /* the payload of one token with the signature of another */
    enc_token t2 = t;
    t2.customer_id = 43;
    char tok2[ENC_TOKEN_BUF];
    CHECK_INT(enc_token_make(&k, &t2, tok2, &err), ENC_OK);
    const char *dot1 = strchr(tok, '.'), *dot2 = strchr(tok2, '.');
    snprintf(bad, sizeof bad, "%.*s%s", (int)(dot2 - tok2), tok2, dot1);
    CHECK_INT(enc_token_check(&k, bad, strlen(bad), 0, &out, &err), ENC_EPARSE);
    CHECK_STR(err.msg, "bad signature");
}

static void malformed_and_overlong(void)
{
    enc_token_key k = key("0123456789abcdef0123456789abcdef");
    enc_err err;
    enc_token out;
    char tok[ENC_TOKEN_BUF];
    enc_token t = click();
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_OK);
    const char *dot = strchr(tok, '.');
    char bad[4096];
    static const struct {
        const char *s, *msg;
    } cases[] = {
        {"", "malformed token (expected PAYLOAD.MAC)"},
        {"abc", "malformed token (expected PAYLOAD.MAC)"},
        {".", "malformed token signature"},
        {"AAAA.", "malformed token signature"},
        {".AAAAAAAAAAAAAAAAAAAAAA", "malformed token payload"},
        {"AQEBAA.AAAAAAAAAAAAAAAAAAAAAA", "bad signature"},
        {"AQEBAA.AAAAAAAAAAAAAAAAAAAAAA==", "malformed token signature"},
        {"AQEB+A.AAAAAAAAAAAAAAAAAAAAAA", "malformed token payload"}, /* standard alphabet */
        {"AQEB/A.AAAAAAAAAAAAAAAAAAAAAA", "malformed token payload"},
        {"AQEBA.AAAAAAAAAAAAAAAAAAAAAA", "malformed token payload"},  /* 5 chars: no whole byte */
        {"AQEBAB.AAAAAAAAAAAAAAAAAAAAAA", "malformed token payload"}, /* non-zero pad bits */
        {"AQEBAA.AAAAAAAAAAAAAAAAAAAAAB", "malformed token signature"},
        {"AQ EBAA.AAAAAAAAAAAAAAAAAAAAAA", "malformed token payload"},
        {"AQEBAA..AAAAAAAAAAAAAAAAAAAAAA", "malformed token signature"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        CHECK(enc_token_check(&k, cases[i].s, strlen(cases[i].s), 0, &out, &err) != ENC_OK);
        if (strcmp(err.msg, cases[i].msg) != 0)
            TH_FAIL("case %zu '%s': '%s' != '%s'", i, cases[i].s, err.msg, cases[i].msg);
    }
    /* a padded payload */
    snprintf(bad, sizeof bad, "%.*s=%s", (int)(dot - tok), tok, dot);
    CHECK(enc_token_check(&k, bad, strlen(bad), 0, &out, &err) != ENC_OK);
    /* overlong: refused before decoding */
    memset(bad, 'A', sizeof bad);
    CHECK_INT(enc_token_check(&k, bad, ENC_TOKEN_MAX + 1, 0, &out, &err), ENC_ELIMIT);
    CHECK_INT(enc_token_check(&k, bad, sizeof bad, 0, &out, &err), ENC_ELIMIT);
    /* a NUL inside */
    memcpy(bad, tok, strlen(tok) + 1);
    bad[3] = 0;
    CHECK(enc_token_check(&k, bad, strlen(tok), 0, &out, &err) != ENC_OK);
}

/* Payloads that carry a valid MAC but break the layout are still refused: signed with the
 * real key through the internal codec's inverse. */
static void signed_but_malformed_payloads(void)
{
    enc_token_key k = key("0123456789abcdef0123456789abcdef");
    enc_err err;
    enc_token out;
    static const struct {
        uint8_t p[16];
        size_t n;
        const char *why;
    } cases[] = {
        {{2, 2, 1, 0, 1, 1, 0}, 7, "bad token: unsupported token version"},
        {{1, 4, 1, 0, 1, 1, 0}, 7, "bad token: bad token kind"},
        {{1, 2, 6, 0, 1, 1, 0}, 7, "bad token: bad channel"},
        {{1, 2, 1, 2, 1, 1, 0}, 7, "bad token: bad flags"},
        {{1, 3, 0, 0, 1, 1, 0}, 7, "bad token: no channel"},
        {{1, 2, 1, 0, 0x81, 0, 1, 0}, 8, "bad token: bad id"}, /* non-minimal varint */
        {{1, 2, 1, 0, 0x80}, 5, "bad token: bad id"},
        {{1, 2, 1, 1, 1, 1, 0, 0}, 8, "bad token: bad expiry"},
        {{1, 2, 1, 0, 1, 1}, 6, "bad token: no campaign"},
        {{1, 2, 1, 0, 1, 1, 3, 'a'}, 8, "bad token: bad campaign"},
        {{1, 2, 1, 0, 1, 1, 1, ' '}, 8, "bad token: bad campaign"},
        {{1, 2, 1, 0, 1, 1, 0, 9}, 8, "bad token: trailing bytes"},
        {{1, 1, 1, 0, 1, 1, 0, 0}, 8, "bad token: bad url length"},
        {{1, 1, 1, 0, 1, 1, 0, 4, 'f', 't', 'p', ':'},
         12,
         "bad token: url must start with http:// or https://"},
        {{1}, 1, "bad token: payload too short"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint8_t m[32];
        crypto_auth_hmacsha256(m, cases[i].p, cases[i].n, k.k);
        char tok[256];
        sodium_bin2base64(tok, sizeof tok, cases[i].p, cases[i].n,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        size_t l = strlen(tok);
        tok[l++] = '.';
        sodium_bin2base64(tok + l, sizeof tok - l, m, 16, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        CHECK_INT(enc_token_check(&k, tok, strlen(tok), 0, &out, &err), ENC_EPARSE);
        if (strcmp(err.msg, cases[i].why) != 0)
            TH_FAIL("case %zu: '%s' != '%s'", i, err.msg, cases[i].why);
    }
    /* and the same layout with good fields passes, so the cases above fail for their reason */
    uint8_t good[] = {1, 2, 1, 0, 1, 1, 0};
    enc_token t;
    const char *why;
    CHECK(enc__token_unpack(good, sizeof good, &t, &why));
    CHECK_INT(t.kind, ENC_TOKEN_OPEN);
    CHECK_STR(t.channel, "email");
}

static void open_redirects_refused(void)
{
    enc_token_key k = key("0123456789abcdef0123456789abcdef");
    enc_err err;
    char tok[ENC_TOKEN_BUF];
    static const char *const bad[] = {
        "javascript:alert(1)",
        "//evil.example/",
        "/relative/path",
        "ftp://files.example/",
        "data:text/html,hi",
        "https://",
        "https:///evil.example",
        "https://user:pw@shop.example/",
        "https://shop.example@evil.example/",
        "https://evil.example\\@shop.example/",
        "https://shop.example/\r\nLocation: https://evil.example/",
        "https://shop.example/a b",
        "https://shop.example/\"><script>",
        "https://shop.example:99999999/",
        "https://shop.example:/",
        "https://.evil.example/",
        "https://-evil.example/",
        "https://[::1/",
        "https://shop.example/\xe4\xb8\xad",
        "  https://shop.example/",
        "https:\\\\evil.example",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        enc_token t = click();
        memset(t.url, 0, sizeof t.url);
        strcpy(t.url, bad[i]);
        if (enc_token_make(&k, &t, tok, &err) == ENC_OK) TH_FAIL("accepted '%s'", bad[i]);
    }
    static const char *const good[] = {
        "https://shop.example",
        "HTTPS://Shop.Example/Path",
        "http://127.0.0.1:8080/x?a=1&b=%20",
        "https://shop.example/@user",
        "https://xn--fiqs8s.example/#frag",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        const char *why;
        if (!enc_token_url_ok(good[i], strlen(good[i]), &why))
            TH_FAIL("refused '%s': %s", good[i], why);
    }
    /* a url is longer than allowed */
    char url[ENC_TOKEN_URL_MAX + 2];
    memset(url, 'a', sizeof url - 1);
    memcpy(url, "https://x.example/", 18);
    url[sizeof url - 1] = 0;
    const char *why;
    CHECK(!enc_token_url_ok(url, strlen(url), &why));
    CHECK_STR(why, "url longer than 1024 bytes");
    /* non-click tokens carry no url; click tokens need one; unsubscribe needs a channel */
    enc_token t = click();
    t.kind = ENC_TOKEN_OPEN;
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_EUSAGE);
    t = click();
    t.url[0] = 0;
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_EUSAGE);
    CHECK_STR(err.msg, "token: a click token needs a url");
    memset(&t, 0, sizeof t);
    t.kind = ENC_TOKEN_UNSUB;
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_EUSAGE);
    strcpy(t.channel, "fax");
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_EUSAGE);
    strcpy(t.channel, "wechat");
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_OK);
    t.message_id = -1;
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_EUSAGE);
    t.message_id = 1;
    strcpy(t.campaign, "has space");
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_EUSAGE);
}

static void expiry(void)
{
    enc_token_key k = key("0123456789abcdef0123456789abcdef");
    enc_err err;
    char tok[ENC_TOKEN_BUF];
    enc_token t = click(), out;
    t.expires = 1000;
    CHECK_INT(enc_token_make(&k, &t, tok, &err), ENC_OK);
    CHECK_INT(enc_token_check(&k, tok, strlen(tok), 1000, &out, &err), ENC_OK);
    CHECK_INT(enc_token_check(&k, tok, strlen(tok), 1001, &out, &err), ENC_EPARSE);
    CHECK_STR(err.msg, "expired");
    CHECK_INT(enc_token_check(&k, tok, strlen(tok), 0, &out, &err), ENC_OK);
}

/* RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?" — the primitive the
 * tokens use, so a libsodium swap cannot change the MAC unnoticed. */
static void hmac_known_answer(void)
{
    uint8_t m[32];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const uint8_t *)"Jefe", 4);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)"what do ya want for nothing?", 28);
    crypto_auth_hmacsha256_final(&st, m);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, m, sizeof m);
    CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void secret_sources(void)
{
    char db[512], file[600], where[256];
    snprintf(db, sizeof db, "%s/secret-test.db", th_tmpdir());
    snprintf(file, sizeof file, "%s.secret", db);
    unlink(file);
    enc_token_key a, b, c;
    enc_err err;
    /* generated on first use, mode 0600, then read back */
    CHECK_INT(enc_token_key_load(NULL, NULL, db, &a, where, sizeof where, &err), ENC_OK);
    CHECK(strstr(where, "(new)") != NULL);
    struct stat sb;
    CHECK(stat(file, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_INT(sb.st_size, 65);
    CHECK_INT(enc_token_key_load(NULL, "", db, &b, where, sizeof where, &err), ENC_OK);
    CHECK(memcmp(a.k, b.k, 32) == 0);
    CHECK_STR(where, file);
    /* the environment over the file */
    CHECK_INT(enc_token_key_load(NULL, "an environment secret", db, &c, where, sizeof where, &err),
              ENC_OK);
    CHECK(memcmp(a.k, c.k, 32) != 0);
    CHECK_STR(where, "ENCORE_SECRET");
    CHECK_INT(enc_token_key_load(NULL, "short", db, &c, NULL, 0, &err), ENC_EUSAGE);
    /* a flag's file over both; refused when others may read it */
    char own[600];
    snprintf(own, sizeof own, "%s/own.secret", th_tmpdir());
    FILE *f = fopen(own, "w");
    fputs("  my own secret of enough length \n", f);
    fclose(f);
    chmod(own, 0644);
    CHECK_INT(enc_token_key_load(own, "an environment secret", db, &c, NULL, 0, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "chmod 600") != NULL);
    chmod(own, 0600);
    CHECK_INT(enc_token_key_load(own, "an environment secret", db, &c, NULL, 0, &err), ENC_OK);
    enc_token_key d = key("my own secret of enough length"); /* surrounding white space dropped */
    CHECK(memcmp(c.k, d.k, 32) == 0);
    CHECK(enc_token_key_load("/nonexistent/secret", NULL, db, &c, NULL, 0, &err) == ENC_EIO);
    unlink(own);
    unlink(file);
}

static void tracking_urls(void)
{
    enc_token_key k = key("0123456789abcdef0123456789abcdef");
    enc_err err;
    enc_buf b = {0};
    enc_token t = click(), out;
    CHECK_INT(enc_track_url(&k, "https://t.shop.example/", &t, &b, &err), ENC_OK);
    CHECK(strncmp(b.p, "https://t.shop.example/t/c/", 27) == 0);
    CHECK_INT(enc_token_check(&k, b.p + 27, b.len - 27, 0, &out, &err), ENC_OK);
    CHECK(same(&t, &out));
    enc_buf_reset(&b);
    memset(&t, 0, sizeof t);
    t.kind = ENC_TOKEN_UNSUB;
    strcpy(t.channel, "email");
    CHECK_INT(enc_track_url(&k, "http://127.0.0.1:8080", &t, &b, &err), ENC_OK);
    CHECK(strncmp(b.p, "http://127.0.0.1:8080/u/", 24) == 0);
    enc_buf_reset(&b);
    CHECK_INT(enc_track_url(&k, "not a url", &t, &b, &err), ENC_EUSAGE);
    enc_buf_free(&b);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    RUN(round_trip_every_kind);
    RUN(any_tamper_rejected);
    RUN(malformed_and_overlong);
    RUN(signed_but_malformed_payloads);
    RUN(open_redirects_refused);
    RUN(expiry);
    RUN(hmac_known_answer);
    RUN(secret_sources);
    RUN(tracking_urls);
    return TEST_SUMMARY();
}
