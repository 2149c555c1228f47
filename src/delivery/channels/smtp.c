/* smtp.c — the SMTP channel (smtp.h): MIME building and sending through one reused libcurl
 * easy handle (libcurl keeps the SMTP connection open between messages and does the
 * dot-stuffing of the DATA phase). Unsubscribe links carry the tracking server's signed
 * tokens (src/campaign/token.h), so `encore serve` honours them. */
#include "delivery/channels/smtp.h"
#include "delivery/sign.h"
#include "delivery/dkim.h"
#include "base/mem.h"
#include "store/store.h"
#include "store/store_analytics.h"
#include <ctype.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- MIME ---------------------------------------------------------------------------- */

static bool ascii_plain(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x7F || ((unsigned char)*s < 0x20 && *s != '\t')) return false;
    return true;
}

/* Length of the longest prefix of s (n bytes) of at most max bytes that ends on a UTF-8
 * character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    return k ? k : max;
}

void enc_mail_header_words(enc_buf *out, size_t used, const char *text)
{
    size_t n = strlen(text);
    if (ascii_plain(text)) {
        /* fold at spaces to keep lines within 78 */
        size_t col = used;
        const char *p = text;
        while (*p) {
            const char *sp = strchr(p + 1, ' ');
            size_t w = sp ? (size_t)(sp - p) : strlen(p);
            if (col + w > 78 && col > used && *p == ' ') {
                enc_buf_adds(out, "\r\n");
                col = 0;
            }
            enc_buf_add(out, p, w);
            col += w;
            p += w;
        }
        return;
    }
    /* encoded-words of at most 75 characters: "=?UTF-8?B?" + base64 + "?=", each whole
     * UTF-8 characters (RFC 2047 5: a character is never split across words) */
    size_t col = used, off = 0;
    bool first = true;
    while (off < n) {
        size_t room = 76 - (first ? col : 1) - 12; /* base64 chars that fit on this line */
        size_t raw = room / 4 * 3;
        if (raw < 3) raw = 3;
        size_t take = utf8_cut(text + off, n - off, raw);
        char b64[128];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)text + off, take,
                          sodium_base64_VARIANT_ORIGINAL);
        if (!first) enc_buf_adds(out, "\r\n ");
        enc_buf_printf(out, "=?UTF-8?B?%s?=", b64);
        off += take;
        first = false;
    }
}

void enc_mail_qp(enc_buf *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        unsigned c = *p;
        if (c == '\r' && p[1] == '\n') continue;
        if (c == '\n' || c == '\r') {
            enc_buf_adds(out, "\r\n");
            col = 0;
            continue;
        }
        bool at_eol = p[1] == 0 || p[1] == '\n' || p[1] == '\r';
        bool lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_eol);
        if (c == '.' && col == 0) lit = false; /* no line starting with a dot */
        size_t w = lit ? 1 : 3;
        /* a soft break "=" needs one column: keep every line within 76 */
        if (col + w > 75) {
            enc_buf_adds(out, "=\r\n");
            col = 0;
            if (c == '.') {
                lit = false;
                w = 3;
            }
        }
        if (lit) enc_buf_addc(out, (char)c);
        else {
            enc_buf_addc(out, '=');
            enc_buf_addc(out, hex[c >> 4]);
            enc_buf_addc(out, hex[c & 15]);
        }
        col += w;
    }
    enc_buf_adds(out, "\r\n");
}

/* The address part of "Name <addr>" or "addr" into out. */
static void addr_of(const char *s, char *out, size_t cap)
{
    const char *lt = strrchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt) snprintf(out, cap, "%.*s", (int)(gt - lt - 1), lt + 1);
    else snprintf(out, cap, "%s", s);
    /* trim */
    size_t n = strlen(out);
    while (n && isspace((unsigned char)out[n - 1])) out[--n] = 0;
    size_t k = 0;
    while (out[k] && isspace((unsigned char)out[k])) k++;
    if (k) memmove(out, out + k, n - k + 1);
}

/* Writes "Name: <mailbox>" with a display name RFC 2047-encoded when needed. */
static void mailbox_header(enc_buf *out, const char *name, const char *mb)
{
    enc_buf_printf(out, "%s: ", name);
    const char *lt = strrchr(mb, '<');
    char addr[320];
    addr_of(mb, addr, sizeof addr);
    if (lt && lt > mb) {
        char disp[256];
        size_t dl = (size_t)(lt - mb);
        while (dl && isspace((unsigned char)mb[dl - 1])) dl--;
        snprintf(disp, sizeof disp, "%.*s", (int)dl, mb);
        if (disp[0]) {
            if (ascii_plain(disp)) {
                bool quote = strpbrk(disp, "()<>[]:;@\\,.\"") != NULL && disp[0] != '"';
                enc_buf_printf(out, quote ? "\"%s\" " : "%s ", disp);
            } else {
                enc_mail_header_words(out, strlen(name) + 2, disp);
                enc_buf_addc(out, ' ');
            }
        }
    }
    enc_buf_printf(out, "<%s>\r\n", addr);
}

static void url_escape(enc_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~", *p)) enc_buf_addc(out, (char)*p);
        else enc_buf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

void enc_mail_build(const enc_mail_opts *o, const enc_msg *m, int64_t now, enc_buf *out,
                    char *msgid_out)
{
    char domain[256], fromaddr[320];
    addr_of(o->from, fromaddr, sizeof fromaddr);
    const char *at = strrchr(fromaddr, '@');
    snprintf(domain, sizeof domain, "%s", o->domain ? o->domain : at ? at + 1 : "localhost");
    /* Message-ID and boundary from the key: a resend of the same message is the same mail */
    uint8_t h[32];
    enc_hmac_sha256("encore-message-id", 17, m->idempotency_key, strlen(m->idempotency_key), NULL,
                    0, h);
    char hx[65];
    enc_hex(h, 32, hx);
    char msgid[128];
    snprintf(msgid, sizeof msgid, "%.32s@%.80s", hx, domain);
    if (msgid_out) snprintf(msgid_out, 128, "%s", msgid);

    char date[64];
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
             mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);

    enc_buf_printf(out, "Date: %s\r\n", date);
    mailbox_header(out, "From", o->from);
    enc_buf_printf(out, "To: <%s>\r\n", m->address);
    if (o->reply_to && *o->reply_to) mailbox_header(out, "Reply-To", o->reply_to);
    enc_buf_adds(out, "Subject: ");
    enc_mail_header_words(out, 9, m->subject ? m->subject : "");
    enc_buf_adds(out, "\r\n");
    enc_buf_printf(out, "Message-ID: <%s>\r\n", msgid);
    enc_buf_adds(out, "MIME-Version: 1.0\r\n");
    /* List-Unsubscribe (RFC 2369) and one-click (RFC 8058: needs an https URI and the POST
     * header): the token is the tracking server's (an unsubscribe of this message's customer
     * on email, signed with the server's key), which `encore serve` checks on POST /u/TOKEN */
    char token[ENC_TOKEN_BUF] = "";
    enc_buf url = {0};
    bool mailto = o->unsub_mailto && *o->unsub_mailto;
    bool link = (o->tracking_url && *o->tracking_url) || (o->unsub_url && *o->unsub_url);
    if ((mailto || link) && o->key) {
        enc_token tk = {.kind = ENC_TOKEN_UNSUB,
                        .message_id = m->id > 0 ? m->id : 0,
                        .customer_id = m->customer_id > 0 ? m->customer_id : 0};
        snprintf(tk.channel, sizeof tk.channel, "email");
        if (m->campaign && enc_token_campaign_ok(m->campaign, strlen(m->campaign)))
            snprintf(tk.campaign, sizeof tk.campaign, "%s", m->campaign);
        enc_err terr;
        if (enc_token_make(o->key, &tk, token, &terr)) token[0] = 0; /* not reached: tk is valid */
        if (token[0] && o->tracking_url && *o->tracking_url) {
            if (enc_track_url(o->key, o->tracking_url, &tk, &url, &terr)) enc_buf_reset(&url);
        } else if (token[0] && link) {
            const char *u = o->unsub_url, *ph = strstr(u, "{token}");
            if (ph) { /* checked when the channel opened */
                enc_buf_add(&url, u, (size_t)(ph - u));
                url_escape(&url, token);
                enc_buf_adds(&url, ph + 7);
            }
        }
    }
    mailto = mailto && token[0];
    bool web = url.len > 0, https = web && strncmp(url.p, "https://", 8) == 0;
    if (mailto || web) {
        /* one URI a line: a URI cannot be folded, and may pass 78 columns (RFC 5322 2.1.1
         * allows 998) */
        enc_buf_adds(out, "List-Unsubscribe:");
        if (mailto) {
            enc_buf_adds(out, "\r\n ");
            enc_buf_printf(out, "<mailto:%s?subject=unsubscribe%%20", o->unsub_mailto);
            url_escape(out, token);
            enc_buf_adds(out, ">");
        }
        if (web) {
            enc_buf_adds(out, mailto ? ",\r\n " : "\r\n ");
            enc_buf_addc(out, '<');
            enc_buf_add(out, url.p, url.len);
            enc_buf_addc(out, '>');
        }
        enc_buf_adds(out, "\r\n");
        if (https) enc_buf_adds(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    enc_buf_free(&url);
    /* List-Id (RFC 2919): one list per campaign, so receivers and filters tell them apart */
    if (m->campaign && *m->campaign && enc_token_campaign_ok(m->campaign, strlen(m->campaign))) {
        char label[200];
        size_t k = 0;
        for (const char *p = m->campaign; *p && k + 1 < sizeof label; p++)
            label[k++] = *p == ':' ? '-' : *p; /* a list-label is a dot-atom */
        label[k] = 0;
        enc_buf_printf(out, "List-Id: %s <%s.list.%s>\r\n", label, label, domain);
    }
    enc_buf_printf(out, "X-Encore-Message: %" PRId64 "\r\n", m->id);
    bool text = m->body_text && *m->body_text, html = m->body_html && *m->body_html;
    if (text && html) {
        char boundary[48];
        snprintf(boundary, sizeof boundary, "=_encore_%.24s", hx + 32);
        enc_buf_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
                       boundary);
        enc_buf_adds(out, "This is a multi-part message in MIME format.\r\n");
        enc_buf_printf(out,
                       "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                       boundary);
        enc_mail_qp(out, m->body_text);
        enc_buf_printf(out,
                       "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                       boundary);
        enc_mail_qp(out, m->body_html);
        enc_buf_printf(out, "--%s--\r\n", boundary);
    } else {
        enc_buf_printf(out,
                       "Content-Type: text/%s; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                       html ? "html" : "plain");
        enc_mail_qp(out, html ? m->body_html : text ? m->body_text : "");
    }
}

enc_send_status enc_smtp_classify(const char *reply, bool *hard)
{
    *hard = false;
    /* a reply is three digits, then a space, a dash or the end (RFC 5321 4.2) */
    if (!reply || !isdigit((unsigned char)reply[0]) || !isdigit((unsigned char)reply[1]) ||
        !isdigit((unsigned char)reply[2]) || (reply[3] && reply[3] != ' ' && reply[3] != '-'))
        return ENC_SEND_TEMP;
    int code = (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
    if (code >= 200 && code < 400) return ENC_SEND_OK;
    if (code < 500 || code >= 600) return ENC_SEND_TEMP;
    /* enhanced status code (RFC 3463) after the basic code: 5.1.1 bad mailbox, 5.1.2 bad
     * domain, 5.1.10 null MX: the address will never work */
    const char *p = reply + 3;
    while (*p && (*p == ' ' || *p == '-')) p++;
    if (!strncmp(p, "5.1.1 ", 6) || !strncmp(p, "5.1.2 ", 6) || !strncmp(p, "5.1.10 ", 7) ||
        !strcmp(p, "5.1.1") || !strcmp(p, "5.1.2") || !strcmp(p, "5.1.10"))
        *hard = true;
    return ENC_SEND_PERM;
}

/* ---- sending ------------------------------------------------------------------------- */

typedef struct smtp_chan {
    CURL *h;
    char *url, *user, *pass, *ca, *return_path;
    bool starttls, insecure;
    long timeout_ms;
    enc_mail_opts mo;
    char *owned[6];          /* strings behind mo */
    enc_token_key key;       /* behind mo.key when unsubscribe links are configured */
    bool transactional_only; /* no List-Unsubscribe route: only transactional mail goes */
    enc_dkim *dkim;          /* NULL: no signature */
    enc_buf signed_msg;      /* the DKIM-Signature field and the message */
    char last_reply[256];    /* the last 4xx or 5xx reply of the current message */
    /* upload state */
    enc_buf msg;
    size_t sent;
} smtp_chan;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static char *dup_opt(json_t *o, const char *k)
{
    const char *v = enc_opt_str(o, k, NULL);
    return v && *v ? enc_xstrdup(v) : NULL;
}

static void smtp_close(enc_adapter *ch);

/* The unsubscribe options: a link needs the tracking server's key, found as `encore serve`
 * finds it ("secret_file", else $ENCORE_SECRET, else the file DB.secret beside the store). */
static enc_rc unsub_open(enc_adapter *ch, smtp_chan *c, json_t *opts, enc_outbox *ob, enc_err *err)
{
    const enc_mail_opts *o = &c->mo;
    if (json_object_get(opts, "unsubscribe_secret"))
        return enc_fail(err, ENC_EUSAGE,
                        "channel %s: \"unsubscribe_secret\" is no longer used: unsubscribe links"
                        " carry the tracking server's tokens, signed with its secret"
                        " (\"secret_file\", ENCORE_SECRET, or DB.secret beside the store)",
                        ch->name);
    if (o->unsub_url && o->tracking_url)
        return enc_fail(err, ENC_EUSAGE,
                        "channel %s: give \"tracking_url\" or \"unsubscribe_url\","
                        " not both",
                        ch->name);
    if (o->unsub_url && !strstr(o->unsub_url, "{token}"))
        return enc_fail(err, ENC_EUSAGE, "channel %s: \"unsubscribe_url\" must hold {token}",
                        ch->name);
    enc_store *st0 = ob ? enc_outbox_store(ob) : NULL;
    if (!o->tracking_url && !o->unsub_url && !o->unsub_mailto && st0) {
        /* no route of the channel's own: the policy's unsubscribe_url (the one campaigns put
         * in {{unsubscribe_url}}), unless it is still the placeholder of the defaults */
        char u[512];
        if (enc_outbox_policy_unsubscribe_url(ob, u, sizeof u)) {
            if (strstr(u, "{token}")) c->owned[3] = enc_xstrdup(u), c->mo.unsub_url = c->owned[3];
            else c->owned[4] = enc_xstrdup(u), c->mo.tracking_url = c->owned[4];
        }
    }
    const char *web = o->tracking_url ? o->tracking_url : o->unsub_url;
    if (web && strncmp(web, "https://", 8) != 0 && strncmp(web, "http://", 7) != 0)
        return enc_fail(err, ENC_EUSAGE, "channel %s: \"%s\" must be an http:// or https:// URL",
                        ch->name, o->tracking_url ? "tracking_url" : "unsubscribe_url");
    if (!web && !o->unsub_mailto) {
        if (enc_opt_bool(opts, "transactional_only", false)) {
            c->transactional_only = true;
            return ENC_OK;
        }
        return enc_fail(err, ENC_EUSAGE,
                        "channel %s: marketing mail needs a List-Unsubscribe route (RFC 8058;"
                        " Gmail and Yahoo require one of bulk senders): set \"tracking_url\","
                        " \"unsubscribe_url\" or \"unsubscribe_mailto\", or the policy's"
                        " unsubscribe_url; a channel for transactional mail only sets"
                        " \"transactional_only\": true",
                        ch->name);
    }
    const char *file = enc_opt_str(opts, "secret_file", NULL), *env = getenv("ENCORE_SECRET");
    enc_store *st = ob ? enc_outbox_store(ob) : NULL;
    const char *db = st ? enc_store_path(st) : NULL;
    if ((!file || !*file) && (!env || !*env) && (!db || !*db))
        return enc_fail(err, ENC_EUSAGE,
                        "channel %s: unsubscribe links need the tracking server's secret:"
                        " \"secret_file\" or ENCORE_SECRET (the store has no file beside which"
                        " to keep one)",
                        ch->name);
    enc_err kerr = {0};
    if (enc_token_key_load(file, env, db, &c->key, NULL, 0, &kerr))
        return enc_fail(err, kerr.rc, "channel %s: %s", ch->name, kerr.msg);
    c->mo.key = &c->key;
    return ENC_OK;
}

static enc_rc smtp_open(enc_adapter *ch, json_t *opts, enc_outbox *ob, enc_err *err)
{
    pthread_once(&curl_once, curl_init);
    const char *url = enc_opt_str(opts, "url", NULL), *from = enc_opt_str(opts, "from", NULL);
    if (!url || (strncmp(url, "smtp://", 7) && strncmp(url, "smtps://", 8)))
        return enc_fail(err, ENC_EUSAGE,
                        "channel %s: \"url\" must be smtp://HOST[:PORT] or"
                        " smtps://HOST[:PORT]",
                        ch->name);
    if (!from || !strchr(from, '@'))
        return enc_fail(err, ENC_EUSAGE, "channel %s: \"from\" (an address) is required", ch->name);
    smtp_chan *c = enc_xcalloc(1, sizeof *c);
    c->url = dup_opt(opts, "url");
    c->user = dup_opt(opts, "username");
    c->pass = dup_opt(opts, "password");
    c->ca = dup_opt(opts, "ca_file");
    c->return_path = dup_opt(opts, "return_path");
    c->starttls = enc_opt_bool(opts, "starttls", false);
    c->insecure = enc_opt_bool(opts, "insecure", false);
    c->timeout_ms = (long)(enc_opt_num(opts, "timeout", 30) * 1000);
    static const char *const keys[6] = {
        "from", "reply_to", "unsubscribe_mailto", "unsubscribe_url", "tracking_url", "domain"};
    for (int i = 0; i < 6; i++) c->owned[i] = dup_opt(opts, keys[i]);
    c->mo = (enc_mail_opts){.from = c->owned[0],
                            .reply_to = c->owned[1],
                            .unsub_mailto = c->owned[2],
                            .unsub_url = c->owned[3],
                            .tracking_url = c->owned[4],
                            .domain = c->owned[5]};
    ch->impl = c;
    enc_rc rc = unsub_open(ch, c, opts, ob, err);
    if (!rc) {
        const char *dd = enc_opt_str(opts, "dkim_domain", NULL),
                   *ds = enc_opt_str(opts, "dkim_selector", NULL),
                   *dk = enc_opt_str(opts, "dkim_key", NULL);
        if ((dd && *dd) || (ds && *ds) || (dk && *dk)) {
            enc_err de = {0};
            if (enc_dkim_open(dd, ds, dk, &c->dkim, &de))
                rc = enc_fail(err, de.rc, "channel %s: %s", ch->name, de.msg);
        }
    }
    if (rc) {
        smtp_close(ch);
        return rc;
    }
    c->h = curl_easy_init();
    return ENC_OK;
}

static size_t on_read(char *buf, size_t sz, size_t n, void *ud)
{
    smtp_chan *c = ud;
    size_t want = sz * n, left = c->msg.len - c->sent;
    if (want > left) want = left;
    memcpy(buf, c->msg.p + c->sent, want);
    c->sent += want;
    return want;
}

/* Keeps the last refusal the server sent (libcurl hands every reply line to the debug
 * callback); a refusal is followed by libcurl's QUIT and its "221", which must not hide it. */
static int on_debug(CURL *h, curl_infotype t, char *data, size_t n, void *ud)
{
    smtp_chan *c = ud;
    if (t != CURLINFO_HEADER_IN || n < 3 || (data[0] != '4' && data[0] != '5') ||
        !isdigit((unsigned char)data[1]))
        return 0;
    while (n && (data[n - 1] == '\n' || data[n - 1] == '\r')) n--;
    snprintf(c->last_reply, sizeof c->last_reply, "%.*s", (int)n, data);
    return 0;
}

static void smtp_send(enc_adapter *ch, const enc_msg *m, size_t n, enc_send_result *res,
                      int64_t now)
{
    smtp_chan *c = ch->impl;
    memset(res, 0, n * sizeof *res);
    for (size_t i = 0; i < n; i++) {
        if (!m[i].address || !strchr(m[i].address, '@') || strpbrk(m[i].address, "<>\r\n \t")) {
            enc_result_err(&res[i], ENC_SEND_PERM, "not an email address");
            continue;
        }
        if (c->transactional_only && !m[i].transactional) {
            enc_result_err(&res[i], ENC_SEND_PERM,
                           "marketing mail without a List-Unsubscribe route: the channel is"
                           " transactional_only");
            continue;
        }
        char msgid[128];
        enc_buf_reset(&c->msg);
        c->sent = 0;
        enc_mail_build(&c->mo, &m[i], now, &c->msg, msgid);
        if (c->dkim) {
            /* the signature field goes first: it covers the fields below it */
            enc_err de = {0};
            enc_buf_reset(&c->signed_msg);
            if (enc_dkim_sign(c->dkim, c->msg.p, c->msg.len, now, &c->signed_msg, &de)) {
                enc_result_err(&res[i], ENC_SEND_TEMP, "DKIM: %s", de.msg);
                continue;
            }
            enc_buf_add(&c->signed_msg, c->msg.p, c->msg.len);
            enc_buf tmp = c->msg;
            c->msg = c->signed_msg;
            c->signed_msg = tmp;
        }
        char from[320];
        addr_of(c->return_path ? c->return_path : c->mo.from, from, sizeof from);
        char rcpt_s[330];
        snprintf(rcpt_s, sizeof rcpt_s, "<%s>", m[i].address);
        char from_s[330];
        snprintf(from_s, sizeof from_s, "<%s>", from);
        struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_s);
        CURL *h = c->h;
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, c->url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, from_s);
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, c);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)c->msg.len);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
        if (c->user) curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        if (c->pass) curl_easy_setopt(h, CURLOPT_PASSWORD, c->pass);
        if (c->starttls) curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        if (c->ca) curl_easy_setopt(h, CURLOPT_CAINFO, c->ca);
        if (c->insecure) {
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        c->last_reply[0] = 0;
        CURLcode cc = curl_easy_perform(h);
        curl_slist_free_all(rcpt);
        if (cc == CURLE_OK) {
            res[i].status = ENC_SEND_OK;
            snprintf(res[i].provider_ref, sizeof res[i].provider_ref, "<%.120s>", msgid);
            continue;
        }
        bool hard = false;
        /* the server's refusal decides (libcurl reports a refused RCPT as a send error);
         * without one, a transport failure is temporary */
        enc_send_status st = ENC_SEND_TEMP;
        if (c->last_reply[0]) st = enc_smtp_classify(c->last_reply, &hard);
        enc_result_err(&res[i], st, "%s%s%s", curl_easy_strerror(cc), c->last_reply[0] ? ": " : "",
                       c->last_reply);
        if (hard) res[i].suppress_reason = "hard_bounce";
    }
}

static void smtp_close(enc_adapter *ch)
{
    smtp_chan *c = ch->impl;
    if (!c) return;
    curl_easy_cleanup(c->h);
    enc_buf_free(&c->msg);
    enc_buf_free(&c->signed_msg);
    enc_dkim_free(c->dkim);
    free(c->url);
    free(c->user);
    if (c->pass) sodium_memzero(c->pass, strlen(c->pass));
    free(c->pass);
    free(c->ca);
    free(c->return_path);
    for (int i = 0; i < 6; i++) free(c->owned[i]);
    sodium_memzero(&c->key, sizeof c->key);
    free(c);
    ch->impl = NULL;
}

const enc_adapter_ops enc_smtp_ops = {
    .kind = "smtp",
    .dedups = false,
    .open = smtp_open,
    .send = smtp_send,
    .close = smtp_close,
};
