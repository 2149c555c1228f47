/* track.c — tracking hits written to the store (see track.h). */
#include "server/track.h"
#include "base/json.h"
#include "delivery/outbox.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void enc_track_hit_init(enc_track_hit *h, const enc_token *t, int64_t now)
{
    uint8_t rnd[16];
    h->tok = *t;
    h->ts = now;
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(h->key, sizeof h->key, rnd, sizeof rnd);
}

/* The customer the token names, after merges; 0 when unknown. */
static enc_rc customer(enc_store *st, int64_t id, int64_t *out, enc_err *err)
{
    *out = 0;
    if (id <= 0) return ENC_OK;
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return enc_store_customer_lookup(st, "id", buf, out, err);
}

/* An unsubscribe also suppresses the message's address on its channel at once, so that messages
 * already queued for it are not sent (the dispatcher checks suppressions when it claims). */
static enc_rc suppress_address(enc_store *st, const enc_track_hit *h, enc_err *err)
{
    if (h->tok.message_id <= 0) return ENC_OK;
    char *ch, *addr;
    enc_err e = {0};
    if (enc_obx_message_address(st, h->tok.message_id, &ch, &addr, &e))
        return enc_fail(err, e.rc, "unsubscribe: %s", e.msg);
    enc_rc rc = ENC_OK;
    enc_outbox *ob;
    if (ch && addr && *addr && !(rc = enc_outbox_open(st, &ob, err))) {
        rc = enc_outbox_suppress(ob, ch, addr, "unsubscribe", ENC_UNSUB_SOURCE, h->ts, err);
        enc_outbox_close(ob);
    }
    free(ch);
    free(addr);
    return rc;
}

static void props(const enc_track_hit *h, enc_buf *b)
{
    enc_jw w;
    enc_jw_init(&w, b);
    enc_jw_obj(&w);
    enc_jw_kint(&w, "message_id", h->tok.message_id);
    if (h->tok.campaign[0]) enc_jw_kstr(&w, "campaign", h->tok.campaign);
    if (h->tok.url[0]) enc_jw_kstr(&w, "url", h->tok.url);
    if (h->tok.kind == ENC_TOKEN_UNSUB) enc_jw_kstr(&w, "channel", h->tok.channel);
    enc_jw_end(&w);
}

enc_rc enc_track_apply(enc_store *st, const enc_track_hit *h, enc_track_outcome *out, enc_err *err)
{
    *out = ENC_TRACK_RECORDED;
    int64_t cust;
    if (customer(st, h->tok.customer_id, &cust, err)) return ENC_EDB;
    const char *letter = h->tok.kind == ENC_TOKEN_CLICK  ? "c"
                         : h->tok.kind == ENC_TOKEN_OPEN ? "o"
                                                         : "u";
    char key[96];
    snprintf(key, sizeof key, "%s:%lld:%s", letter, (long long)h->tok.message_id, h->key);
    enc_put p;
    if (h->tok.kind == ENC_TOKEN_UNSUB) {
        if (suppress_address(st, h, err)) return ENC_EDB;
        if (!cust) {
            *out = ENC_TRACK_NO_CUSTOMER;
            return ENC_OK;
        }
        int state;
        if (enc_store_consent_state(st, cust, h->tok.channel, "marketing", &state, err))
            return ENC_EDB;
        if (state == 0) {
            *out = ENC_TRACK_ALREADY;
            return ENC_OK;
        }
        enc_consent_rec c = {0};
        c.source = ENC_UNSUB_SOURCE;
        c.source_key = key;
        c.customer = cust;
        c.ts = h->ts;
        c.channel = h->tok.channel;
        c.purpose = "marketing";
        c.granted = false;
        if (enc_store_consent_put(st, &c, &p, err)) return ENC_EDB;
    }
    enc_buf b = {0};
    props(h, &b);
    enc_event_rec e = {0};
    e.source = ENC_TRACK_SOURCE;
    e.source_key = key;
    e.customer = cust;
    e.ts = h->ts;
    e.type = h->tok.kind == ENC_TOKEN_CLICK  ? "message_click"
             : h->tok.kind == ENC_TOKEN_OPEN ? "message_open"
                                             : "unsubscribe";
    e.channel = h->tok.channel[0] ? h->tok.channel : NULL;
    e.props = b.p;
    enc_rc rc = enc_store_event_add(st, &e, &p, err);
    enc_buf_free(&b);
    return rc;
}

/* ---- one-click bodies (RFC 8058) -------------------------------------------------------- */

static bool ci_prefix(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && strncasecmp(s, lit, k) == 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes (and '+' = space) s[0..n) into out (cap bytes); false when it does not fit or
 * holds a bad escape. */
static bool form_decode(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') c = ' ';
        else if (c == '%') {
            if (i + 2 >= n) return false;
            int a = hexval(s[i + 1]), b = hexval(s[i + 2]);
            if (a < 0 || b < 0) return false;
            c = (char)(a * 16 + b);
            i += 2;
        }
        if (k + 1 >= cap) return false;
        out[k++] = c;
    }
    out[k] = 0;
    *len = k;
    return true;
}

static bool is_field(const char *name, size_t nn, const char *val, size_t vn)
{
    while (vn && (val[vn - 1] == ' ' || val[vn - 1] == '\r' || val[vn - 1] == '\n')) vn--;
    return nn == 16 && memcmp(name, "List-Unsubscribe", 16) == 0 && vn == 9 &&
           memcmp(val, "One-Click", 9) == 0;
}

static bool urlencoded_ok(const char *b, size_t n)
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && b[j] != '&') j++;
        const char *eq = memchr(b + i, '=', j - i);
        if (eq) {
            char name[64], val[64];
            size_t nl, vl;
            if (form_decode(b + i, (size_t)(eq - b - i), name, sizeof name, &nl) &&
                form_decode(eq + 1, (size_t)(b + j - eq - 1), val, sizeof val, &vl) &&
                is_field(name, nl, val, vl))
                return true;
        }
        i = j + 1;
    }
    return false;
}

/* The boundary parameter of a multipart content type into out; false when absent or bad
 * (RFC 2046 §5.1.1: 1..70 characters). */
static bool boundary_of(const char *ct, char *out, size_t cap)
{
    const char *p = ct;
    while ((p = strchr(p, ';'))) {
        p++;
        while (*p == ' ' || *p == '\t') p++;
        if (strncasecmp(p, "boundary=", 9) != 0) continue;
        p += 9;
        size_t k = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"' && k + 1 < cap) out[k++] = *p++;
            if (*p != '"') return false;
        } else {
            while (*p && *p != ';' && *p != ' ' && *p != '\t' && k + 1 < cap) out[k++] = *p++;
        }
        out[k] = 0;
        return k >= 1 && k <= 70;
    }
    return false;
}

static const char *find(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0 || hn < nn) return NULL;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == nd[0] && memcmp(h + i, nd, nn) == 0) return h + i;
    return NULL;
}

static bool multipart_ok(const char *ct, const char *b, size_t n)
{
    char bd[80], delim[84];
    if (!boundary_of(ct, bd, sizeof bd)) return false;
    int dl = snprintf(delim, sizeof delim, "--%s", bd);
    const char *end = b + n, *p = find(b, n, delim, (size_t)dl);
    while (p) {
        p += dl;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') break; /* the close delimiter */
        /* the part: headers, a blank line, the value up to CRLF + the next delimiter */
        const char *hdr_end = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        size_t sep = 4;
        if (!hdr_end) {
            hdr_end = find(p, (size_t)(end - p), "\n\n", 2);
            sep = 2;
        }
        if (!hdr_end) break;
        const char *val = hdr_end + sep;
        const char *next = find(val, (size_t)(end - val), delim, (size_t)dl);
        if (!next) break;
        size_t vn = (size_t)(next - val);
        /* the name="..." of the part's Content-Disposition: form-data */
        char name[64] = "";
        for (const char *h = p; h < hdr_end;) {
            const char *eol = memchr(h, '\n', (size_t)(hdr_end - h));
            if (!eol) eol = hdr_end;
            size_t ln = (size_t)(eol - h);
            if (ci_prefix(h, ln, "Content-Disposition:")) {
                const char *q = find(h, ln, "name=\"", 6);
                /* not filename="...": the character before must not be a letter */
                while (q && q > h && ((q[-1] | 32) >= 'a' && (q[-1] | 32) <= 'z'))
                    q = find(q + 1, ln - (size_t)(q + 1 - h), "name=\"", 6);
                if (q) {
                    q += 6;
                    const char *qe = memchr(q, '"', (size_t)(h + ln - q));
                    if (qe && (size_t)(qe - q) < sizeof name)
                        snprintf(name, sizeof name, "%.*s", (int)(qe - q), q);
                }
            }
            h = eol + 1;
        }
        if (is_field(name, strlen(name), val, vn)) return true;
        p = next;
    }
    return false;
}

bool enc_track_oneclick_ok(const char *content_type, const char *body, size_t n)
{
    if (!body) body = "";
    const char *ct = content_type ? content_type : "";
    while (*ct == ' ' || *ct == '\t') ct++;
    size_t cl = strcspn(ct, ";");
    while (cl && (ct[cl - 1] == ' ' || ct[cl - 1] == '\t')) cl--;
    if (cl == 0 || (cl == 33 && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)) {
        while (n && (body[n - 1] == '\n' || body[n - 1] == '\r' || body[n - 1] == ' ')) n--;
        return urlencoded_ok(body, n);
    }
    if (cl == 19 && strncasecmp(ct, "multipart/form-data", 19) == 0)
        return multipart_ok(content_type, body, n);
    return false;
}
