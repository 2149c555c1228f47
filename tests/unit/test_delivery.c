/* test_delivery.c — unit tests for the pure parts of src/delivery: backoff bounds and jitter
 * distribution, the token bucket, HMAC-SHA256 against RFC 4231, webhook signatures and body
 * shapes, MIME building (headers present, line lengths, RFC 2047 subjects decoded back,
 * quoted-printable decoded back), SMTP reply classification, SMS opt-out words, and the
 * configuration's precedence (flags over env over file) and secret masking. */
#include "harness.h"
#include "base/json.h"
#include "delivery/channels/smtp.h"
#include "delivery/channels/webhook.h"
#include "delivery/config.h"
#include "delivery/dispatch.h"
#include "delivery/optout.h"
#include "delivery/sign.h"
#include "delivery/dkim.h"
#include "server/track.h"
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static void backoff_bounds(void)
{
    enc_retry_policy p = {.base = 10, .cap = 1000, .max_attempts = 8};
    enc_rng r;
    enc_rng_seed(&r, 42);
    for (int a = 1; a <= 30; a++) {
        double ceil_s = 10 * pow(2, a - 1);
        if (ceil_s > 1000) ceil_s = 1000;
        double lo = 1e9, hi = 0;
        for (int i = 0; i < 2000; i++) {
            double d = enc_backoff_delay(&p, a, &r);
            if (d < lo) lo = d;
            if (d > hi) hi = d;
        }
        CHECK(lo >= 1);
        CHECK(hi <= ceil_s);
        /* the draws reach near the ceiling: the jitter covers the whole range */
        CHECK(hi > 0.95 * ceil_s);
    }
    /* huge attempt numbers do not overflow past the cap */
    CHECK(enc_backoff_delay(&p, 100000, &r) <= 1000);
    CHECK(enc_backoff_delay(&p, 0, &r) <= 10);
}

static void backoff_full_jitter_is_uniform(void)
{
    /* attempt 3, base 10: uniform on [0, 40] (values below 1 lifted to 1, same first bin);
     * chi-square over 8 equal bins, 7 degrees of freedom, 0.1% critical value 24.32 */
    enc_retry_policy p = {.base = 10, .cap = 1000, .max_attempts = 8};
    enc_rng r;
    enc_rng_seed(&r, 7);
    int bins[8] = {0};
    const int n = 40000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double d = enc_backoff_delay(&p, 3, &r);
        sum += d;
        int b = (int)(d / 5);
        bins[b > 7 ? 7 : b]++;
    }
    double chi = 0, e = n / 8.0;
    for (int b = 0; b < 8; b++) chi += (bins[b] - e) * (bins[b] - e) / e;
    CHECK(chi < 24.32);
    /* mean of max(U(0,40), 1) = 1/40 + (40^2 - 1) / 80 = 20.0125 */
    CHECK_NEAR(sum / n, 20.0125, 0.01);
}

static void bucket_limits_rate(void)
{
    enc_bucket b;
    enc_bucket_init(&b, 10, 10, 0);
    CHECK_INT(enc_bucket_take(&b, 0, 100), 10);
    CHECK_INT(enc_bucket_take(&b, 0, 100), 0);
    CHECK_NEAR(enc_bucket_wait(&b, 0), 0.1, 1e-9);
    CHECK_INT(enc_bucket_take(&b, 0.25, 100), 2);
    enc_bucket_give(&b, 1);
    CHECK_INT(enc_bucket_take(&b, 0.25, 100), 1);
    /* over 10 s of greedy takes every 10 ms: at most burst + rate * T */
    enc_bucket_init(&b, 10, 10, 0);
    size_t total = 0;
    for (int i = 0; i <= 1000; i++) total += enc_bucket_take(&b, i * 0.01, 1000);
    CHECK(total <= 110);
    CHECK(total >= 109);
    /* unlimited */
    enc_bucket_init(&b, 0, 0, 0);
    CHECK_INT(enc_bucket_take(&b, 0, 12345), 12345);
    CHECK_NEAR(enc_bucket_wait(&b, 0), 0, 0);
    /* a rate change keeps earned tokens within the new burst */
    enc_bucket_init(&b, 100, 100, 0);
    enc_bucket_set_rate(&b, 2, 0);
    CHECK_INT(enc_bucket_take(&b, 0, 1000), 2);
}

static void hex_of(const char *hex, uint8_t *out, size_t *n)
{
    *n = strlen(hex) / 2;
    for (size_t i = 0; i < *n; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void hmac_rfc4231(void)
{
    /* RFC 4231 section 4, test cases 1-7 (case 5 compares the first 128 bits) */
    uint8_t k1[20], k3[20], k4[25], k5[20], k6[131], d3[50], d4[50];
    memset(k1, 0x0b, 20);
    memset(k3, 0xaa, 20);
    for (int i = 0; i < 25; i++) k4[i] = (uint8_t)(i + 1);
    memset(k5, 0x0c, 20);
    memset(k6, 0xaa, 131);
    memset(d3, 0xdd, 50);
    memset(d4, 0xcd, 50);
    struct {
        const uint8_t *k;
        size_t kl;
        const void *d;
        size_t dl;
        const char *mac;
    } v[] = {
        {k1, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {(const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {k3, 20, d3, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {k4, 25, d4, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {k5, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b"},
        {k6, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {k6, 131,
         "This is a test using a larger than block-size key and a larger than block-size data."
         " The key needs to be hashed before being used by the HMAC algorithm.",
         152, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        uint8_t mac[32];
        char hex[65];
        /* split the data in two parts: the two-part API must equal one pass */
        size_t half = v[i].dl / 2;
        enc_hmac_sha256(v[i].k, v[i].kl, v[i].d, half, (const char *)v[i].d + half, v[i].dl - half,
                        mac);
        enc_hex(mac, 32, hex);
        size_t cmp = strlen(v[i].mac);
        if (strncmp(hex, v[i].mac, cmp) != 0) TH_FAIL("case %zu: %s != %s", i + 1, hex, v[i].mac);
    }
    uint8_t x[4];
    size_t n;
    hex_of("0aff", x, &n);
    char h[9];
    enc_hex(x, n, h);
    CHECK_STR(h, "0aff");
}

static void webhook_signature_and_tokens(void)
{
    /* the signature is HMAC over "<ts>.<body>": recompute it independently */
    char sig[65], want[65];
    const char *body = "{\"to\":\"+8613800000000\"}";
    enc_webhook_sign("s3cret", 1700000000, body, strlen(body), sig);
    uint8_t mac[32];
    char msg[128];
    snprintf(msg, sizeof msg, "1700000000.%s", body);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)"s3cret", 6);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    enc_hex(mac, 32, want);
    CHECK_STR(sig, want);
    CHECK(enc_sig_equal(sig, want));
    want[5] ^= 1;
    CHECK(!enc_sig_equal(sig, want));
}

/* Retry-After (RFC 9110 §10.2.3): delay-seconds and the three HTTP-date forms of §5.6.7. */
static void webhook_retry_after(void)
{
    const int64_t now = 1445412480 - 100; /* 100 s before Wed, 21 Oct 2015 07:28:00 GMT */
    int64_t at = -1;
    CHECK(enc_webhook_retry_after("120", now, &at));
    CHECK_INT(at, now + 120);
    CHECK(enc_webhook_retry_after(" 0\r\n", now, &at));
    CHECK_INT(at, now);
    CHECK(enc_webhook_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now, &at)); /* IMF-fixdate */
    CHECK_INT(at, 1445412480);
    CHECK(enc_webhook_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", now, &at)); /* RFC 850 */
    CHECK_INT(at, 1445412480);
    CHECK(enc_webhook_retry_after("Wed Oct 21 07:28:00 2015", now, &at)); /* asctime */
    CHECK_INT(at, 1445412480);
    CHECK(enc_webhook_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now, &at)); /* past: now */
    CHECK_INT(at, now);
    CHECK(enc_webhook_retry_after("99999999999999999999999", now, &at)); /* cut to 7 days */
    CHECK_INT(at, now + ENC_RETRY_AFTER_MAX);
    CHECK(enc_webhook_retry_after("Sat, 01 Jan 2050 00:00:00 GMT", now, &at));
    CHECK_INT(at, now + ENC_RETRY_AFTER_MAX);
    at = -1;
    CHECK(!enc_webhook_retry_after("", now, &at));
    CHECK(!enc_webhook_retry_after("soon", now, &at));
    CHECK(!enc_webhook_retry_after("-5", now, &at));
    CHECK(!enc_webhook_retry_after("1.5", now, &at));
    CHECK(!enc_webhook_retry_after("12abc", now, &at));
    CHECK(!enc_webhook_retry_after("Wed, 99 Foo 2015 07:28:00 GMT", now, &at));
    CHECK_INT(at, -1);
}

static void webhook_shapes_and_classes(void)
{
    enc_msg m = {.id = 7,
                 .customer_id = 42,
                 .campaign = "win-back",
                 .variant = "A",
                 .channel = "sms",
                 .address = "+8613800000000",
                 .subject = "Hello",
                 .body_text = "回TD退订",
                 .idempotency_key = "wb:42:sms:1",
                 .payload = "{\"template_id\":\"TPL\",\"url\":\"https://x\",\"data\":"
                            "{\"first\":{\"value\":\"hi\"}}}"};
    char why[128];
    char *b = enc_webhook_body(ENC_SHAPE_SMS, &m, "SHOP", NULL, why, sizeof why);
    json_t *o = json_loads(b, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(o, "to")), "+8613800000000");
    CHECK_STR(json_string_value(json_object_get(o, "text")), "回TD退订");
    CHECK_STR(json_string_value(json_object_get(o, "sender")), "SHOP");
    CHECK_STR(json_string_value(json_object_get(o, "idempotency_key")), "wb:42:sms:1");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(o, "metadata"), "customer_id")),
              42);
    json_decref(o);
    free(b);
    b = enc_webhook_body(ENC_SHAPE_WECHAT, &m, NULL, NULL, why, sizeof why);
    o = json_loads(b, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(o, "touser")), "+8613800000000");
    CHECK_STR(json_string_value(json_object_get(o, "template_id")), "TPL");
    CHECK_STR(json_string_value(json_object_get(o, "client_msg_id")), "wb:42:sms:1");
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(json_object_get(o, "data"), "first"), "value")),
              "hi");
    json_decref(o);
    free(b);
    b = enc_webhook_body(ENC_SHAPE_PUSH, &m, NULL, NULL, why, sizeof why);
    o = json_loads(b, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(o, "title")), "Hello");
    CHECK(json_is_object(json_object_get(o, "data")));
    json_decref(o);
    free(b);
    b = enc_webhook_body(ENC_SHAPE_GENERIC, &m, NULL, NULL, why, sizeof why);
    o = json_loads(b, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(o, "campaign")), "win-back");
    CHECK_INT(json_integer_value(json_object_get(o, "message_id")), 7);
    json_decref(o);
    free(b);
    m.payload = NULL;
    b = enc_webhook_body(ENC_SHAPE_WECHAT, &m, NULL, NULL, why, sizeof why);
    CHECK(b == NULL);
    CHECK(strstr(why, "template_id") != NULL);
    CHECK_INT(enc_webhook_shape_parse("push"), ENC_SHAPE_PUSH);
    CHECK_INT(enc_webhook_shape_parse("fax"), -1);

    CHECK_INT(enc_webhook_classify(200), ENC_SEND_OK);
    CHECK_INT(enc_webhook_classify(202), ENC_SEND_OK);
    CHECK_INT(enc_webhook_classify(429), ENC_SEND_TEMP);
    CHECK_INT(enc_webhook_classify(408), ENC_SEND_TEMP);
    CHECK_INT(enc_webhook_classify(500), ENC_SEND_TEMP);
    CHECK_INT(enc_webhook_classify(503), ENC_SEND_TEMP);
    CHECK_INT(enc_webhook_classify(400), ENC_SEND_PERM);
    CHECK_INT(enc_webhook_classify(404), ENC_SEND_PERM);
    CHECK_INT(enc_webhook_classify(301), ENC_SEND_PERM);
}

/* Decodes RFC 2047 B-words of a header value (joined) — a small independent decoder. */
static void decode_words(const char *v, char *out, size_t cap)
{
    size_t o = 0;
    const char *p = v;
    while ((p = strstr(p, "=?UTF-8?B?"))) {
        p += 10;
        const char *e = strstr(p, "?=");
        if (!e) break;
        unsigned char bin[256];
        size_t bl = 0;
        char b64[256];
        snprintf(b64, sizeof b64, "%.*s", (int)(e - p), p);
        if (sodium_base642bin(bin, sizeof bin, b64, strlen(b64), NULL, &bl, NULL,
                              sodium_base64_VARIANT_ORIGINAL) == 0 &&
            o + bl < cap) {
            memcpy(out + o, bin, bl);
            o += bl;
        }
        p = e + 2;
    }
    out[o] = 0;
}

/* Decodes quoted-printable (soft breaks, =XX) from text into out. */
static void decode_qp(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=' && i + 2 < n) {
            unsigned v;
            sscanf(s + i + 1, "%2X", &v);
            out[o++] = (char)v;
            i += 2;
        } else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            out[o++] = '\n';
            i++;
        } else out[o++] = s[i];
    }
    out[o] = 0;
}

static const char *header(const char *msg, const char *name, char *out, size_t cap)
{
    /* unfolded value of the first header `name` */
    size_t nl = strlen(name);
    const char *p = msg;
    while (*p && !(p[0] == '\r' && p[1] == '\n')) {
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            size_t o = 0;
            while (*v) {
                if (v[0] == '\r' && v[1] == '\n') {
                    if (v[2] == ' ' || v[2] == '\t') {
                        v += 2;
                        continue;
                    }
                    break;
                }
                if (o + 1 < cap) out[o++] = *v;
                v++;
            }
            out[o] = 0;
            while (out[0] == ' ') memmove(out, out + 1, strlen(out));
            return out;
        }
        p = strstr(p, "\r\n");
        if (!p) break;
        p += 2;
    }
    return NULL;
}

static void mime_message(void)
{
    const char *subject =
        "春季焕新：您的专属优惠券已到账，限时七天有效，别错过！Spring offer inside";
    char text[2000];
    snprintf(text, sizeof text,
             "Hello 王小明,\nA long line: %s\n.a line starting with a dot\ntrailing space \n"
             "equals = sign and tab\there\n",
             "0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 "
             "0123456789");
    enc_msg m = {.id = 99,
                 .customer_id = 42,
                 .campaign = "spring",
                 .channel = "email",
                 .address = "wang@example.com",
                 .subject = subject,
                 .body_text = text,
                 .body_html = "<p>你好 <b>王小明</b></p>",
                 .idempotency_key = "spring:1:email:1"};
    /* the tracking server's key (`encore serve` derives it from the same secret) */
    enc_token_key key;
    enc_err kerr;
    CHECK_INT(enc_token_key_from("a-shared-secret-of-32-characters", 32, &key, &kerr), ENC_OK);
    enc_mail_opts o = {.from = "优选商城 <news@shop.example>",
                       .reply_to = "help@shop.example",
                       .unsub_mailto = "unsub@shop.example",
                       .tracking_url = "https://t.shop.example/",
                       .key = &key};
    enc_buf b = {0};
    char msgid[128], msgid2[128];
    enc_mail_build(&o, &m, 1700000000, &b, msgid);
    /* every line ends CRLF and is within 78 characters (76 in the body), but for the
     * unfoldable URI lines of List-Unsubscribe (RFC 5322 limit 998) */
    size_t maxlen = 0, linestart = 0;
    bool bare_lf = false;
    for (size_t i = 0; i < b.len; i++) {
        if (b.p[i] == '\n') {
            if (i == 0 || b.p[i - 1] != '\r') bare_lf = true;
            size_t l = i - linestart - 1;
            bool uri = strncmp(b.p + linestart, " <mailto:", 9) == 0 ||
                       strncmp(b.p + linestart, " <http", 6) == 0;
            if (uri) CHECK(l <= 998);
            else if (l > maxlen) maxlen = l;
            linestart = i + 1;
        }
    }
    CHECK(!bare_lf);
    CHECK(maxlen <= 78);
    const char *body = strstr(b.p, "\r\n\r\n");
    CHECK(body != NULL);
    if (!body) return;
    linestart = (size_t)(body - b.p) + 4;
    maxlen = 0;
    for (size_t i = linestart; i < b.len; i++)
        if (b.p[i] == '\n') {
            if (i - linestart - 1 > maxlen) maxlen = i - linestart - 1;
            linestart = i + 1;
        }
    CHECK(maxlen <= 76);
    char v[4200], dec[1024];
    CHECK(header(b.p, "Subject", v, sizeof v) != NULL);
    decode_words(v, dec, sizeof dec);
    CHECK_STR(dec, subject);
    CHECK(header(b.p, "From", v, sizeof v) != NULL);
    CHECK(strstr(v, "<news@shop.example>") != NULL);
    decode_words(v, dec, sizeof dec);
    CHECK_STR(dec, "优选商城");
    CHECK(header(b.p, "Reply-To", v, sizeof v) && strcmp(v, "<help@shop.example>") == 0);
    CHECK(header(b.p, "To", v, sizeof v) && strcmp(v, "<wang@example.com>") == 0);
    CHECK(header(b.p, "Message-ID", v, sizeof v) != NULL);
    char want[4200];
    snprintf(want, sizeof want, "<%s>", msgid);
    CHECK_STR(v, want);
    CHECK(strstr(msgid, "@shop.example") != NULL);
    /* List-Unsubscribe: the server's signed unsubscribe token of this message, its customer
     * and the email channel, in the mailto subject and at BASE/u/ */
    CHECK(header(b.p, "List-Unsubscribe", v, sizeof v) != NULL);
    enc_token t = {.kind = ENC_TOKEN_UNSUB,
                   .channel = "email",
                   .message_id = 99,
                   .customer_id = 42,
                   .campaign = "spring"};
    char tok[ENC_TOKEN_BUF];
    CHECK_INT(enc_token_make(&key, &t, tok, &kerr), ENC_OK);
    snprintf(want, sizeof want,
             "<mailto:unsub@shop.example?subject=unsubscribe%%20%s>,"
             " <https://t.shop.example/u/%s>",
             tok, tok);
    CHECK_STR(v, want);
    const char *u = strstr(v, "/u/");
    enc_token back;
    CHECK(u && enc_token_check(&key, u + 3, strlen(u + 3) - 1, 1700000000, &back, &kerr) == 0);
    CHECK_INT(back.kind, ENC_TOKEN_UNSUB);
    CHECK_STR(back.channel, "email");
    CHECK_INT(back.message_id, 99);
    CHECK_INT(back.customer_id, 42);
    CHECK_STR(back.campaign, "spring");
    enc_token_key other;
    enc_token_key_from("another-secret-of-32-characters!", 32, &other, &kerr);
    CHECK(u && enc_token_check(&other, u + 3, strlen(u + 3) - 1, 0, &back, &kerr) == ENC_EPARSE);
    CHECK(header(b.p, "List-Unsubscribe-Post", v, sizeof v) &&
          strcmp(v, "List-Unsubscribe=One-Click") == 0);
    CHECK(header(b.p, "Date", v, sizeof v) && strcmp(v, "Tue, 14 Nov 2023 22:13:20 +0000") == 0);
    CHECK(header(b.p, "Content-Type", v, sizeof v) && strstr(v, "multipart/alternative") != NULL);
    /* the text part decodes back to the text (line ends as CRLF -> LF) */
    const char *tp = strstr(b.p, "Content-Type: text/plain; charset=UTF-8");
    CHECK(tp != NULL);
    if (tp) {
        const char *start = strstr(tp, "\r\n\r\n") + 4;
        const char *end = strstr(start, "\r\n--=_encore_");
        CHECK(end != NULL);
        char q[4000];
        decode_qp(start, (size_t)(end - start), q, sizeof q);
        CHECK_STR(q, text);
        /* no line of the encoded part starts with a dot */
        CHECK(strstr(start, "\r\n.") == NULL || strstr(start, "\r\n.") > end);
    }
    const char *hp = strstr(b.p, "Content-Type: text/html; charset=UTF-8");
    CHECK(hp != NULL);
    if (hp) {
        const char *start = strstr(hp, "\r\n\r\n") + 4;
        const char *end = strstr(start, "\r\n--=_encore_");
        char q[4000];
        decode_qp(start, (size_t)(end - start), q, sizeof q);
        CHECK_STR(q, "<p>你好 <b>王小明</b></p>");
    }
    /* the same message built again has the same Message-ID (a resend is the same mail) */
    enc_buf b2 = {0};
    enc_mail_build(&o, &m, 1700000500, &b2, msgid2);
    CHECK_STR(msgid, msgid2);
    /* text only: a single part; an http URL (a URL of one's own, {token} replaced): the link
     * but no one-click header (RFC 8058 wants https) */
    m.body_html = NULL;
    o.tracking_url = NULL;
    o.unsub_mailto = NULL;
    o.unsub_url = "http://insecure.example/unsub?t={token}&x=1";
    enc_buf_reset(&b2);
    enc_mail_build(&o, &m, 1700000000, &b2, NULL);
    CHECK(strstr(b2.p, "multipart") == NULL);
    snprintf(want, sizeof want, "<http://insecure.example/unsub?t=%s&x=1>", tok);
    CHECK(header(b2.p, "List-Unsubscribe", v, sizeof v) && strcmp(v, want) == 0);
    CHECK(strstr(b2.p, "List-Unsubscribe-Post") == NULL);
    /* without the key no link is made */
    o.key = NULL;
    enc_buf_reset(&b2);
    enc_mail_build(&o, &m, 1700000000, &b2, NULL);
    CHECK(strstr(b2.p, "List-Unsubscribe") == NULL);
    o.key = &key;
    CHECK(header(b2.p, "Content-Type", v, sizeof v) && strncmp(v, "text/plain", 10) == 0);
    /* a plain ASCII subject stays readable */
    m.subject = "Your cart misses you";
    enc_buf_reset(&b2);
    enc_mail_build(&o, &m, 1700000000, &b2, NULL);
    CHECK(strstr(b2.p, "\r\nSubject: Your cart misses you\r\n") != NULL);
    /* a header-injection attempt in the subject is encoded, not obeyed */
    m.subject = "hi\r\nBcc: victim@example.com";
    enc_buf_reset(&b2);
    enc_mail_build(&o, &m, 1700000000, &b2, NULL);
    CHECK(strstr(b2.p, "\r\nBcc:") == NULL);
    enc_buf_free(&b);
    enc_buf_free(&b2);
}

static void qp_edges(void)
{
    enc_buf b = {0};
    /* 200 'x': soft breaks keep lines within 76, decoding gives them back */
    char s[201];
    memset(s, 'x', 200);
    s[200] = 0;
    enc_mail_qp(&b, s);
    char q[400];
    decode_qp(b.p, b.len, q, sizeof q);
    q[strcspn(q, "\n")] = 0;
    CHECK_STR(q, s);
    for (char *l = b.p; l && *l;) {
        char *e = strstr(l, "\r\n");
        if (!e) break;
        CHECK(e - l <= 76);
        l = e + 2;
    }
    enc_buf_reset(&b);
    enc_mail_qp(&b, "a=b \xe4\xbd\xa0");
    CHECK_STR(b.p, "a=3Db =E4=BD=A0\r\n");
    enc_buf_reset(&b);
    enc_mail_qp(&b, "end space \nnext");
    CHECK_STR(b.p, "end space=20\r\nnext\r\n");
    enc_buf_free(&b);
}

static void rfc2047_splits_whole_characters(void)
{
    /* 60 three-byte characters: every encoded word decodes to whole UTF-8 characters */
    char s[200] = "";
    for (int i = 0; i < 60; i++) strcat(s, "优");
    enc_buf b = {0};
    enc_mail_header_words(&b, 9, s);
    const char *p = b.p;
    int words = 0;
    while ((p = strstr(p, "=?UTF-8?B?"))) {
        const char *e = strstr(p, "?=");
        char one[128], dec[128];
        snprintf(one, sizeof one, "%.*s", (int)(e + 2 - p), p);
        CHECK(strlen(one) <= 75);
        decode_words(one, dec, sizeof dec);
        CHECK(strlen(dec) % 3 == 0);
        words++;
        p = e + 2;
    }
    CHECK(words >= 3);
    char all[400];
    decode_words(b.p, all, sizeof all);
    CHECK_STR(all, s);
    enc_buf_free(&b);
}

static void smtp_reply_classes(void)
{
    bool hard;
    CHECK_INT(enc_smtp_classify("250 2.0.0 Ok", &hard), ENC_SEND_OK);
    CHECK_INT(enc_smtp_classify("451 4.3.0 try again later", &hard), ENC_SEND_TEMP);
    CHECK(!hard);
    CHECK_INT(enc_smtp_classify("421 service not available", &hard), ENC_SEND_TEMP);
    CHECK_INT(enc_smtp_classify("550 5.1.1 <x@y>: no such user", &hard), ENC_SEND_PERM);
    CHECK(hard);
    CHECK_INT(enc_smtp_classify("550 5.1.2 bad destination domain", &hard), ENC_SEND_PERM);
    CHECK(hard);
    CHECK_INT(enc_smtp_classify("550 5.1.10 null MX", &hard), ENC_SEND_PERM);
    CHECK(hard);
    CHECK_INT(enc_smtp_classify("554 5.7.1 message rejected as spam", &hard), ENC_SEND_PERM);
    CHECK(!hard);
    CHECK_INT(enc_smtp_classify("552 5.1.15 not 5.1.1", &hard), ENC_SEND_PERM);
    CHECK(!hard);
    CHECK_INT(enc_smtp_classify("", &hard), ENC_SEND_TEMP);
    /* malformed replies (found by fuzz_delivery: "5" was read past its end) */
    CHECK_INT(enc_smtp_classify("5", &hard), ENC_SEND_TEMP);
    CHECK_INT(enc_smtp_classify("55x", &hard), ENC_SEND_TEMP);
    CHECK_INT(enc_smtp_classify("999 what", &hard), ENC_SEND_TEMP);
    CHECK_INT(enc_smtp_classify("550", &hard), ENC_SEND_PERM);
    CHECK(!hard);
    CHECK_INT(enc_smtp_classify("550-5.1.1 first line", &hard), ENC_SEND_PERM);
    CHECK(hard);
}

static void optout_words(void)
{
    const char *yes[] = {
        "STOP",     "stop",     " Stop ",        "STOP.",       "stop!",
        "ＳＴＯＰ", "ｓｔｏｐ", "unsubscribe",   "UNSUBSCRIBE", "TD",
        "td",       "Td",       "ＴＤ",          "T",           "t",
        "退订",     " 退订 ",   "退订。",        "退订！",      "\xe3\x80\x80退订\xe3\x80\x80",
        "取消订阅", "退訂",     "cancel",        "quit",        "End",
        "opt out",  "OPT  OUT", "\tstopall\r\n", "revoke"};
    const char *no[] = {
        "",      "   ", NULL,   "stop by tomorrow", "please stop",
        "STOPP", "TDD", "好的", "退订了吗？我想买", "unsubscribe me from the other list",
        "tt",    "yes", "1",    "S T O P"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!enc_optout_match(yes[i])) TH_FAIL("'%s' should be an opt-out", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (enc_optout_match(no[i]))
            TH_FAIL("'%s' should not be an opt-out", no[i] ? no[i] : "NULL");
    char n[64];
    enc_optout_normalise("  ｓｔｏｐ。 ", n, sizeof n);
    CHECK_STR(n, "STOP");
    /* malformed UTF-8 becomes '?' byte for byte: never longer than the input */
    CHECK_INT(enc_optout_normalise("\xff\xfeTD", n, sizeof n), 4);
    CHECK_STR(n, "??TD");
    CHECK(!enc_optout_match("\xffTD"));
    /* a long reply padded after a word is not cut into a match */
    char longtxt[400];
    snprintf(longtxt, sizeof longtxt, "TD%250sx", "");
    CHECK(!enc_optout_match(longtxt));
}

static void config_precedence_and_masking(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/delivery.json", th_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("{\"dispatch\": {\"batch\": 50, \"max_attempts\": 5},\n"
          " \"channels\": {\n"
          "  \"email\": {\"kind\": \"smtp\", \"url\": \"smtp://file\", \"password\": \"p-file\","
          "  \"from\": \"a@b\", \"rate\": 5},\n"
          "  \"sms-cn\": {\"kind\": \"webhook\", \"url\": \"http://file\", \"secret\": \"s-file\","
          "  \"headers\": {\"Authorization\": \"Bearer T\", \"X-Plain\": \"p\"}}}}\n",
          f);
    fclose(f);
    char *env[] = {"ENCORE_CHANNEL_EMAIL_URL=smtp://env",
                   "ENCORE_CHANNEL_EMAIL_PASSWORD=p-env",
                   "ENCORE_CHANNEL_SMS_CN_SECRET=s-env",
                   "ENCORE_CHANNEL_BOX_KIND=inbox",
                   "OTHER=1",
                   NULL};
    const char *sets[] = {"email.url=smtp://flag", "hook.kind=file", "hook.path=/tmp/x"};
    enc_delivery_config c;
    enc_err err = {0};
    CHECK_INT(enc_delivery_config_load(path, env, sets, 3, &c, &err), ENC_OK);
    json_t *em = json_object_get(c.channels, "email");
    CHECK_STR(enc_opt_str(em, "url", ""), "smtp://flag"); /* flag over env over file */
    CHECK_STR(enc_opt_str(em, "password", ""), "p-env");  /* env over file */
    CHECK_NEAR(enc_opt_num(em, "rate", 0), 5, 0);
    CHECK_STR(enc_opt_str(json_object_get(c.channels, "sms-cn"), "secret", ""), "s-env");
    CHECK_STR(enc_opt_str(json_object_get(c.channels, "box"), "kind", ""), "inbox");
    CHECK_STR(enc_opt_str(json_object_get(c.channels, "hook"), "kind", ""), "file");
    CHECK_INT(c.batch, 50);
    CHECK_INT(c.retry.max_attempts, 5);
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_delivery_config_json(&c, &w);
    CHECK(strstr(b.p, "p-env") == NULL);
    CHECK(strstr(b.p, "s-env") == NULL);
    CHECK(strstr(b.p, "Bearer") == NULL);
    CHECK(strstr(b.p, "\"X-Plain\":\"p\"") != NULL);
    CHECK(strstr(b.p, "smtp://flag") != NULL);
    enc_buf_free(&b);
    enc_delivery_config_free(&c);
    /* errors: unknown kind, malformed --set, bad JSON with position */
    const char *bad[] = {"x.kind=carrier-pigeon"};
    CHECK_INT(enc_delivery_config_load(NULL, NULL, bad, 1, &c, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "carrier-pigeon") != NULL);
    const char *bad2[] = {"nodot"};
    CHECK_INT(enc_delivery_config_load(NULL, NULL, bad2, 1, &c, &err), ENC_EUSAGE);
    f = fopen(path, "w");
    fputs("{\"channels\": {\n  \"a\": }\n", f);
    fclose(f);
    CHECK_INT(enc_delivery_config_load(path, NULL, NULL, 0, &c, &err), ENC_EPARSE);
    CHECK(strstr(err.msg, ":2:") != NULL);
    CHECK(enc_delivery_opt_secret("smtp_password"));
    CHECK(enc_delivery_opt_secret("Authorization"));
    CHECK(!enc_delivery_opt_secret("url"));
}

/* Standard Webhooks: the specification's published example (secret, id, timestamp, payload
 * and the signature the reference libraries produce), and the secrets refused. */
static void standard_webhooks_vector(void)
{
    uint8_t key[256];
    size_t kl;
    CHECK(enc_webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, sizeof key, &kl));
    CHECK_INT(kl, 24);
    char sig[ENC_WEBHOOK_SIG_MAX];
    const char *body = "{\"test\": 2432232314}";
    enc_webhook_std_sign(key, kl, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body),
                         sig);
    CHECK_STR(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /* another timestamp, another signature */
    char sig2[ENC_WEBHOOK_SIG_MAX];
    enc_webhook_std_sign(key, kl, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body, strlen(body),
                         sig2);
    CHECK(strcmp(sig, sig2) != 0);
    CHECK(!enc_webhook_key("whsec_not base64!", key, sizeof key, &kl));
    CHECK(!enc_webhook_key("whsec_eHh4eHh4eHg=", key, sizeof key, &kl)); /* 8 bytes */
    CHECK(!enc_webhook_key("", key, sizeof key, &kl));
    CHECK(enc_webhook_key("hook-S3cr3t", key, sizeof key, &kl)); /* legacy: the bytes as given */
    CHECK_INT(kl, 11);
}

/* DKIM canonicalisation: the examples of RFC 6376 §3.4.5, and edge cases of the body rule. */
static void dkim_canonical_forms(void)
{
    enc_buf b = {0};
    const char *h1 = "A: X\r\n", *h2 = "B : Y\t\r\n\tZ  \r\n";
    enc_dkim_canon_header(h1, strlen(h1), &b);
    enc_dkim_canon_header(h2, strlen(h2), &b);
    CHECK_STR(b.p, "a:X\r\nb:Y Z\r\n");
    enc_buf_reset(&b);
    const char *body = " C \r\nD \t E\r\n\r\n\r\n";
    enc_dkim_canon_body(body, strlen(body), &b);
    CHECK_STR(b.p, " C\r\nD E\r\n");
    enc_buf_reset(&b);
    enc_dkim_canon_body("", 0, &b); /* an empty body stays empty (RFC 6376 errata 3192) */
    CHECK_INT(b.len, 0);
    enc_dkim_canon_body("x", 1, &b); /* a last line gets its CRLF */
    CHECK(b.len == 3 && memcmp(b.p, "x\r\n", 3) == 0);
    enc_buf_reset(&b);
    const char *inner = "a\r\n\r\nb\r\n \r\n";
    enc_dkim_canon_body(inner, strlen(inner), &b); /* inner empty lines stay, trailing go */
    CHECK(b.len == 8 && memcmp(b.p, "a\r\n\r\nb\r\n", 8) == 0);
    enc_buf_free(&b);
}

/* DKIM keys: generated 0600, the record's shape, refusals, and a signature over a message. */
static void dkim_keys_and_signature(void)
{
    char dir[] = "/tmp/test_dkim.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char rsa[64], ed[64];
    snprintf(rsa, sizeof rsa, "%s/rsa.pem", dir);
    snprintf(ed, sizeof ed, "%s/ed.pem", dir);
    enc_buf rec = {0};
    enc_err err = {0};
    CHECK_INT(enc_dkim_keygen("ed25519", ed, &rec, &err), ENC_OK);
    CHECK(rec.p && strncmp(rec.p, "v=DKIM1; k=ed25519; p=", 22) == 0 && rec.len == 22 + 44);
    struct stat sb;
    CHECK(stat(ed, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_INT(enc_dkim_keygen("ed25519", ed, &rec, &err), ENC_EIO); /* never overwritten */
    CHECK_INT(enc_dkim_keygen("dsa", rsa, &rec, &err), ENC_EUSAGE);
    enc_dkim *d = NULL;
    CHECK_INT(enc_dkim_open("shop.example", "s1", ed, &d, &err), ENC_OK);
    CHECK_STR(enc_dkim_algorithm(d), "ed25519-sha256");
    const char *msg = "From: a@shop.example\r\nTo: b@x.org\r\nSubject: hi\r\n\r\nbody\r\n";
    enc_buf out = {0};
    CHECK_INT(enc_dkim_sign(d, msg, strlen(msg), 1700000000, &out, &err), ENC_OK);
    CHECK(out.p &&
          strncmp(out.p, "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;", 57) == 0);
    CHECK(strstr(out.p, "h=from:to:subject;") != NULL);
    CHECK(strstr(out.p, "t=1700000000;") != NULL);
    /* bh = base64(SHA-256("body\r\n")) */
    CHECK(strstr(out.p, "bh=Ck5SoRNWUpSR4X0COv7R5ub2pUTtl6xz4dTFz++ji4M=;") != NULL);
    CHECK_INT(enc_dkim_sign(d, "no separator", 12, 1, &out, &err), ENC_EUSAGE);
    enc_dkim_free(d);
    chmod(ed, 0640);
    CHECK_INT(enc_dkim_open("shop.example", "s1", ed, &d, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "readable by group or others") != NULL);
    chmod(ed, 0600);
    CHECK_INT(enc_dkim_open("bad domain", "s1", ed, &d, &err), ENC_EUSAGE);
    CHECK_INT(enc_dkim_open("shop.example", "a..b", ed, &d, &err), ENC_EUSAGE);
    CHECK_INT(enc_dkim_open("shop.example", "s1", "/nonexistent/key.pem", &d, &err), ENC_EIO);
    FILE *f = fopen(rsa, "w");
    fputs("not a key\n", f);
    fclose(f);
    chmod(rsa, 0600);
    CHECK_INT(enc_dkim_open("shop.example", "s1", rsa, &d, &err), ENC_EPARSE);
    unlink(rsa);
    unlink(ed);
    rmdir(dir);
    enc_buf_free(&out);
    enc_buf_free(&rec);
}

/* RFC 8058 one-click bodies: urlencoded and multipart, other fields, any order; refusals. */
static void oneclick_bodies(void)
{
    const char *ue = "application/x-www-form-urlencoded";
    CHECK(enc_track_oneclick_ok(ue, "List-Unsubscribe=One-Click", 26));
    CHECK(enc_track_oneclick_ok(NULL, "List-Unsubscribe=One-Click\r\n", 28));
    CHECK(enc_track_oneclick_ok(ue, "a=1&List-Unsubscribe=One-Click&b=2", 34));
    CHECK(enc_track_oneclick_ok(ue, "List%2DUnsubscribe=One%2DClick", 30));
    CHECK(!enc_track_oneclick_ok(ue, "List-Unsubscribe=One-Clicks", 27));
    CHECK(!enc_track_oneclick_ok(ue, "List-Unsubscribe=One-Cl%ZZ", 26));
    CHECK(!enc_track_oneclick_ok(ue, "", 0));
    CHECK(!enc_track_oneclick_ok("application/json", "List-Unsubscribe=One-Click", 26));
    const char *mp = "multipart/form-data; boundary=XyZ";
    const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                       "One-Click\r\n--XyZ--\r\n";
    CHECK(enc_track_oneclick_ok(mp, body, strlen(body)));
    CHECK(enc_track_oneclick_ok("multipart/form-data; boundary=\"XyZ\"", body, strlen(body)));
    CHECK(!enc_track_oneclick_ok("multipart/form-data; boundary=Other", body, strlen(body)));
    CHECK(!enc_track_oneclick_ok("multipart/form-data", body, strlen(body)));
    const char *fn =
        "--XyZ\r\nContent-Disposition: form-data; filename=\"List-Unsubscribe\"\r\n\r\n"
        "One-Click\r\n--XyZ--\r\n";
    CHECK(!enc_track_oneclick_ok(mp, fn, strlen(fn)));
    const char *cut =
        "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click";
    CHECK(!enc_track_oneclick_ok(mp, cut, strlen(cut))); /* no closing delimiter */
}

int main(void)
{
    RUN(backoff_bounds);
    RUN(backoff_full_jitter_is_uniform);
    RUN(bucket_limits_rate);
    RUN(hmac_rfc4231);
    RUN(webhook_signature_and_tokens);
    RUN(webhook_shapes_and_classes);
    RUN(webhook_retry_after);
    RUN(mime_message);
    RUN(qp_edges);
    RUN(rfc2047_splits_whole_characters);
    RUN(smtp_reply_classes);
    RUN(optout_words);
    RUN(config_precedence_and_masking);
    RUN(standard_webhooks_vector);
    RUN(dkim_canonical_forms);
    RUN(dkim_keys_and_signature);
    RUN(oneclick_bodies);
    return TEST_SUMMARY();
}
