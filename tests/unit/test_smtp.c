/* test_smtp.c — src/delivery/channels/smtp.c: MIME building (headers present, line lengths,
 * RFC 2047 subjects and quoted-printable bodies decoded back), SMTP reply classification. */
#include "harness.h"
#include "delivery/channels/smtp.h"
#include <sodium.h>

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

int main(void)
{
    RUN(mime_message);
    RUN(qp_edges);
    RUN(rfc2047_splits_whole_characters);
    RUN(smtp_reply_classes);
    return TEST_SUMMARY();
}
