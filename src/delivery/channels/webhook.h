/* webhook.h — the generic HTTP webhook channel (libcurl): each message is POSTed as a JSON
 * body with headers X-Encore-Timestamp, X-Encore-Signature (hex HMAC-SHA256 of
 * "<timestamp>.<body>" under the channel secret) and Idempotency-Key. Body shapes: "generic",
 * "sms", "push", "wechat" (WeChat template message) — docs/delivery.md. 2xx is sent (the
 * reply's id / message_id / msgid / sid is kept as provider ref), 408, 425, 429, 5xx, timeouts
 * and connection failures are temporary, other 4xx permanent; a temporary answer's Retry-After
 * sets the earliest next try (enc_send_result.retry_at). Providers deduplicate by
 * Idempotency-Key, so recovery may send again.
 * "fcm", "apns" (push providers' own bodies).
 * Options: url (required), secret, shape, timeout (s, default 10), concurrency (default 8),
 * headers (object of extra headers), sender (sms), template_id (wechat). */
#ifndef ENCORE_CHANNEL_WEBHOOK_H
#define ENCORE_CHANNEL_WEBHOOK_H
#include "delivery/channel.h"
extern const enc_adapter_ops enc_webhook_ops;

typedef enum enc_webhook_shape {
    ENC_SHAPE_GENERIC,
    ENC_SHAPE_SMS,
    ENC_SHAPE_PUSH,
    ENC_SHAPE_WECHAT,
    ENC_SHAPE_FCM, /* Firebase Cloud Messaging HTTP v1: {"message": {"token", "notification", ...}}
                    */
    ENC_SHAPE_APNS /* Apple Push Notification service: the {"aps": ...} payload; the url may hold
                    * {token} (https://api.push.apple.com/3/device/{token}) */
} enc_webhook_shape;
/* The shape named s, or -1. */
int enc_webhook_shape_parse(const char *s);
/* Builds the JSON body of m in a shape; returns a malloc'd string the caller frees, or NULL
 * with why set (e.g. a WeChat message without template_id). */
char *enc_webhook_body(enc_webhook_shape shape, const enc_msg *m, const char *sender,
                       const char *template_id, char *why, size_t whycap);
/* Classifies an HTTP status: ENC_SEND_OK, ENC_SEND_TEMP or ENC_SEND_PERM. */
enc_send_status enc_webhook_classify(long http_status);

/* The longest wait a Retry-After may ask for; a longer one is cut to this (7 days). */
#define ENC_RETRY_AFTER_MAX (7 * 86400)
/* Reads a Retry-After header value (RFC 9110 §10.2.3: delay-seconds, or an HTTP-date in any
 * of the three forms of §5.6.7 — IMF-fixdate, RFC 850, asctime) received at `now` into *at,
 * the earliest epoch second of the next try, at most now + ENC_RETRY_AFTER_MAX; a date in the
 * past gives now. false when the value is neither (the header is then ignored). */
bool enc_webhook_retry_after(const char *value, int64_t now, int64_t *at);
#endif
