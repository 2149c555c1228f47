/* fuzz_delivery.c — libFuzzer target for the delivery code that reads outside input: SMS
 * replies (enc_optout_match / normalise), SMTP server replies (enc_smtp_classify), and the
 * MIME encoders fed arbitrary subjects and bodies (encoded output must keep its line limits),
 * webhook providers' Retry-After headers (enc_webhook_retry_after: a time between now and
 * now + 7 days), and a whole mail with the input as subject, body and campaign, whose
 * List-Unsubscribe link must carry a token the tracking server reads back (enc_token_check);
 * a channel's quiet hours (enc_quiet_parse). */
#include "delivery/channels/smtp.h"
#include "delivery/config.h"
#include "delivery/channels/webhook.h"
#include "delivery/optout.h"
#include "delivery/sign.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0; /* inputs are C strings: stop at the first NUL */
    char norm[512];
    size_t n = enc_optout_normalise(s, norm, sizeof norm);
    if (n >= sizeof norm || strlen(norm) != n) abort();
    (void)enc_optout_match(s);
    /* a channel's quiet hours (the console writes them): minutes of a day, two different ones */
    int qs = -1, qe = -1;
    if (enc_quiet_parse(s, &qs, &qe) &&
        (qs < 0 || qs >= 1440 || qe < 0 || qe >= 1440 || qs == qe || strlen(s) != 11))
        abort();
    bool hard;
    enc_send_status st = enc_smtp_classify(s, &hard);
    if (hard && st != ENC_SEND_PERM) abort();
    const int64_t now = 1767225600;
    int64_t at = 0;
    if (enc_webhook_retry_after(s, now, &at) && (at < now || at > now + ENC_RETRY_AFTER_MAX))
        abort();
    enc_buf b = {0};
    enc_mail_qp(&b, s);
    /* quoted-printable: CRLF lines of at most 76 characters */
    size_t col = 0;
    for (size_t i = 0; i < b.len; i++) {
        if (b.p[i] == '\r' && i + 1 < b.len && b.p[i + 1] == '\n') {
            col = 0;
            i++;
            continue;
        }
        if (b.p[i] == '\n' || b.p[i] == '\r' || ++col > 76) abort();
    }
    enc_buf_reset(&b);
    enc_mail_header_words(&b, 9, s);
    /* a header value never contains a bare line break that is not a fold */
    for (size_t i = 0; i < b.len; i++)
        if ((b.p[i] == '\n' &&
             (i == 0 || b.p[i - 1] != '\r' || i + 1 >= b.len || b.p[i + 1] != ' ')) ||
            (b.p[i] == '\r' && (i + 1 >= b.len || b.p[i + 1] != '\n')))
            abort();
    enc_token_key key;
    enc_err e;
    if (enc_token_key_from("a-fuzzing-secret-of-32-characters", 33, &key, &e)) abort();
    enc_msg m = {.id = 7,
                 .customer_id = 9,
                 .campaign = s,
                 .address = "a@b.example",
                 .subject = s,
                 .body_text = s,
                 .idempotency_key = s};
    enc_mail_opts o = {.from = "x@shop.example", .tracking_url = "https://t.example", .key = &key};
    enc_buf_reset(&b);
    enc_mail_build(&o, &m, 1700000000, &b, NULL);
    const char *lu = strstr(b.p, "\r\nList-Unsubscribe:"); /* headers come first */
    const char *u = lu ? strstr(lu, "<https://t.example/u/") : NULL;
    if (!u) abort();
    u += 21;
    enc_token t;
    if (enc_token_check(&key, u, strcspn(u, ">"), 0, &t, &e) || t.message_id != 7 ||
        t.customer_id != 9 || t.kind != ENC_TOKEN_UNSUB)
        abort();
    enc_buf_free(&b);
    free(s);
    return 0;
}
