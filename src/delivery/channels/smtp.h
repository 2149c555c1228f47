/* smtp.h — the email channel: SMTP through libcurl. Builds a MIME message (multipart/
 * alternative text + HTML in quoted-printable UTF-8; RFC 2047 encoded subject and display
 * names; From, To, Reply-To, Date, Message-ID; List-Unsubscribe with mailto and https one-click
 * URL and List-Unsubscribe-Post per RFC 8058) and sends it: TLS from the start with smtps://,
 * or STARTTLS when "starttls" is set; AUTH with username/password. Replies 4xx are temporary,
 * 5xx permanent; 5.1.1 / 5.1.2 / 5.1.10 (no such mailbox or domain) are hard bounces and
 * suppress the address. SMTP cannot deduplicate: recovery parks interrupted messages in
 * `reconcile`.
 * Options: url (required), username, password, starttls, insecure (no certificate check: for
 * local tests only), ca_file, from (required), return_path, reply_to, tracking_url (the base URL
 * of `encore serve`: the link is BASE/u/TOKEN) or unsubscribe_url (a URL with {token}),
 * unsubscribe_mailto, secret_file (the tracking server's secret; default $ENCORE_SECRET, then
 * DB.secret beside the store, as `encore serve` finds it), domain (of Message-IDs), timeout (s).
 * TOKEN is the server's signed unsubscribe token (src/campaign/token.h) of the message, its
 * customer and the email channel: POSTing the link to `encore serve` revokes the consent.
 * Marketing mail never leaves without List-Unsubscribe: with none of the three options the
 * policy's unsubscribe_url is used, and with no route at all the channel does not open unless
 * "transactional_only" is set (then only messages of campaigns marked transactional go out).
 * A campaign's messages carry List-Id: <CAMPAIGN.list.DOMAIN>. With dkim_domain, dkim_selector
 * and dkim_key every message is DKIM-signed (dkim.h). */
#ifndef ENCORE_CHANNEL_SMTP_H
#define ENCORE_CHANNEL_SMTP_H
#include "delivery/channel.h"
#include "base/buf.h"
#include "campaign/token.h"
extern const enc_adapter_ops enc_smtp_ops;

typedef struct enc_mail_opts {
    const char *from, *reply_to;
    /* optional, for List-Unsubscribe: a mailto address (the token in the subject), and the
     * server's base URL or a URL with {token}; key signs the tokens (no key: no header) */
    const char *unsub_mailto, *tracking_url, *unsub_url;
    const enc_token_key *key;
    const char *domain; /* for Message-ID and List-Id; default: the domain of from */
} enc_mail_opts;

/* Writes the whole message (headers and body, CRLF line ends) into out. Header lines are at
 * most 78 characters, body lines at most 76. *msgid (>= 128 bytes, may be NULL) gets the
 * Message-ID without brackets: derived from the idempotency key, so a resend has the same. */
void enc_mail_build(const enc_mail_opts *o, const enc_msg *m, int64_t now, enc_buf *out,
                    char *msgid);
/* Appends text as an RFC 2047 header value (B encoding of UTF-8 when not plain ASCII) for a
 * header whose name takes `used` columns; folds to keep lines within 76 characters. */
void enc_mail_header_words(enc_buf *out, size_t used, const char *text);
/* Appends text in quoted-printable (RFC 2045 6.7) with CRLF line ends and lines <= 76. */
void enc_mail_qp(enc_buf *out, const char *text);
/* Classifies a final SMTP reply ("550 5.1.1 ..."): status, and whether it is a hard bounce. */
enc_send_status enc_smtp_classify(const char *reply, bool *hard_bounce);
#endif
