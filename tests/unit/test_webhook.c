/* test_webhook.c — src/delivery/channels/webhook.c: signatures and tokens, Retry-After, body
 * shapes per provider kind and the classes of provider answers. */
#include "harness.h"
#include "base/json.h"
#include "delivery/channels/webhook.h"
#include "delivery/sign.h"
#include <sodium.h>

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

int main(void)
{
    RUN(webhook_signature_and_tokens);
    RUN(webhook_retry_after);
    RUN(webhook_shapes_and_classes);
    RUN(standard_webhooks_vector);
    return TEST_SUMMARY();
}
