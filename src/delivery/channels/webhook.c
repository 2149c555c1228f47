/* webhook.c — the webhook channel (webhook.h): a batch is sent with a libcurl multi handle,
 * `concurrency` requests in flight over kept-alive connections; each request signed. */
#include "delivery/channels/webhook.h"
#include "delivery/sign.h"
#include "base/buf.h"
#include "base/mem.h"
#include <curl/curl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define REPLY_MAX (64 << 10) /* bytes of a reply body kept */

typedef struct hook_xfer {
    CURL *h;
    struct curl_slist *hdr;
    char *body;
    enc_buf reply;
    size_t idx;
    char retry_after[96]; /* the reply's Retry-After value, "" when none */
} hook_xfer;

typedef struct hook_chan {
    char *url, *secret, *sender, *template_id;
    uint8_t swkey[256]; /* the Standard Webhooks key: whsec_ secrets decoded, others as given */
    size_t swlen;
    enc_webhook_shape shape;
    long timeout_ms;
    int conc;
    json_t *headers; /* extra headers (owned copy) */
    CURLM *multi;
    hook_xfer *x;
} hook_chan;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

int enc_webhook_shape_parse(const char *s)
{
    static const char *const names[] = {"generic", "sms", "push", "wechat", "fcm", "apns"};
    for (int i = 0; s && i < 6; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

enc_send_status enc_webhook_classify(long st)
{
    if (st >= 200 && st < 300) return ENC_SEND_OK;
    if (st == 408 || st == 425 || st == 429 || st >= 500 || st == 0) return ENC_SEND_TEMP;
    return ENC_SEND_PERM;
}

static json_t *payload_of(const enc_msg *m)
{
    if (!m->payload) return NULL;
    json_t *p = json_loads(m->payload, JSON_DECODE_ANY, NULL);
    return p ? p : json_string(m->payload);
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v) json_object_set_new(o, k, json_string(v));
}

char *enc_webhook_body(enc_webhook_shape shape, const enc_msg *m, const char *sender,
                       const char *template_id, char *why, size_t whycap)
{
    json_t *o = json_object();
    json_t *p = payload_of(m);
    switch (shape) {
    case ENC_SHAPE_SMS:
        set_str(o, "to", m->address);
        set_str(o, "text", m->body_text ? m->body_text : m->subject);
        set_str(o, "sender", sender);
        break;
    case ENC_SHAPE_PUSH: {
        /* to: the device token, or the list of them (the address holds them comma-separated) */
        if (m->address && strchr(m->address, ',')) {
            json_t *to = json_array();
            const char *a = m->address;
            while (*a) {
                size_t n = strcspn(a, ",");
                if (n) json_array_append_new(to, json_stringn(a, n));
                a += n + (a[n] == ',');
            }
            json_object_set_new(o, "to", to);
        } else set_str(o, "to", m->address);
        set_str(o, "title", m->subject);
        set_str(o, "body", m->body_text);
        json_t *link = json_object_get(p, "link"), *badge = json_object_get(p, "badge");
        if (json_is_string(link)) json_object_set(o, "link", link);
        if (json_is_integer(badge)) json_object_set(o, "badge", badge);
        if (p) json_object_set(o, "data", p);
        break;
    }
    case ENC_SHAPE_FCM:
    case ENC_SHAPE_APNS: {
        /* one device per request: the first token */
        char tok[600];
        snprintf(tok, sizeof tok, "%.*s", (int)strcspn(m->address ? m->address : "", ","),
                 m->address ? m->address : "");
        if (!tok[0]) {
            snprintf(why, whycap, "push: no device token");
            json_decref(o);
            json_decref(p);
            return NULL;
        }
        json_t *link = json_object_get(p, "link"), *badge = json_object_get(p, "badge");
        char mid[32];
        snprintf(mid, sizeof mid, "%lld", (long long)m->id);
        if (shape == ENC_SHAPE_FCM) {
            /* FCM HTTP v1 (projects.messages.send): data values are strings */
            json_t *msg = json_object(), *n = json_object(), *data = json_object();
            set_str(msg, "token", tok);
            set_str(n, "title", m->subject);
            set_str(n, "body", m->body_text);
            json_object_set_new(msg, "notification", n);
            set_str(data, "message_id", mid);
            set_str(data, "campaign", m->campaign);
            if (json_is_string(link)) json_object_set(data, "link", link);
            json_object_set_new(msg, "data", data);
            if (json_is_integer(badge)) {
                json_t *apns = json_pack("{s:{s:{s:O}}}", "payload", "aps", "badge", badge);
                if (apns) json_object_set_new(msg, "apns", apns);
            }
            json_object_set_new(o, "message", msg);
        } else {
            /* APNs: the aps dictionary, custom keys beside it */
            json_t *aps = json_object(), *alert = json_object();
            set_str(alert, "title", m->subject);
            set_str(alert, "body", m->body_text);
            json_object_set_new(aps, "alert", alert);
            if (json_is_integer(badge)) json_object_set(aps, "badge", badge);
            set_str(aps, "sound", "default");
            json_object_set_new(o, "aps", aps);
            if (json_is_string(link)) json_object_set(o, "link", link);
            set_str(o, "message_id", mid);
        }
        json_decref(p);
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (!s) snprintf(why, whycap, "not valid UTF-8 text");
        return s;
    }
    case ENC_SHAPE_WECHAT: {
        /* WeChat official account template message (POST .../message/template/send):
         * touser, template_id, url, miniprogram, data, client_msg_id (its dedup key) */
        const char *tid = enc_opt_str(p, "template_id", template_id);
        if (!tid) {
            snprintf(why, whycap, "wechat: no template_id (payload or channel option)");
            json_decref(o);
            json_decref(p);
            return NULL;
        }
        set_str(o, "touser", m->address);
        set_str(o, "template_id", tid);
        set_str(o, "url", enc_opt_str(p, "url", NULL));
        json_t *mp = json_object_get(p, "miniprogram");
        if (mp) json_object_set(o, "miniprogram", mp);
        json_t *data = json_object_get(p, "data");
        if (data) json_object_set(o, "data", data);
        else json_object_set_new(o, "data", json_object());
        set_str(o, "client_msg_id", m->idempotency_key);
        json_decref(p);
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (!s) snprintf(why, whycap, "not valid UTF-8 text");
        return s;
    }
    default:
        set_str(o, "to", m->address);
        set_str(o, "channel", m->channel);
        set_str(o, "campaign", m->campaign);
        set_str(o, "variant", m->variant);
        if (m->customer_id) json_object_set_new(o, "customer_id", json_integer(m->customer_id));
        set_str(o, "subject", m->subject);
        set_str(o, "text", m->body_text);
        set_str(o, "html", m->body_html);
        if (p) json_object_set(o, "payload", p);
        break;
    }
    json_object_set_new(o, "message_id", json_integer(m->id));
    set_str(o, "idempotency_key", m->idempotency_key);
    if (shape != ENC_SHAPE_GENERIC && (m->campaign || m->customer_id)) {
        json_t *md = json_object();
        set_str(md, "campaign", m->campaign);
        set_str(md, "variant", m->variant);
        if (m->customer_id) json_object_set_new(md, "customer_id", json_integer(m->customer_id));
        json_object_set_new(o, "metadata", md);
    }
    json_decref(p);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s) snprintf(why, whycap, "not valid UTF-8 text");
    return s;
}

bool enc_webhook_retry_after(const char *v, int64_t now, int64_t *at)
{
    while (*v == ' ' || *v == '\t') v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n')) n--;
    if (!n || n > 64) return false;
    char buf[65];
    memcpy(buf, v, n);
    buf[n] = 0;
    int64_t wait;
    if (buf[0] >= '0' && buf[0] <= '9') { /* delay-seconds = 1*DIGIT */
        wait = 0;
        for (size_t i = 0; i < n; i++) {
            if (buf[i] < '0' || buf[i] > '9') return false;
            if (wait < ENC_RETRY_AFTER_MAX) wait = wait * 10 + (buf[i] - '0');
        }
    } else {
        /* an HTTP-date; curl_getdate reads the three forms RFC 9110 requires a recipient to
         * accept (and a few more), as GMT. Only dates that name a weekday are taken, so that
         * words such as "soon" are not read as something */
        static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        bool day = false;
        for (int i = 0; i < 7 && !day; i++) day = strncmp(buf, days[i], 3) == 0;
        time_t t = day ? curl_getdate(buf, NULL) : -1;
        if (t == (time_t)-1) return false;
        wait = (int64_t)t - now;
        if (wait < 0) wait = 0;
    }
    if (wait > ENC_RETRY_AFTER_MAX) wait = ENC_RETRY_AFTER_MAX;
    *at = now + wait;
    return true;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Keeps the Retry-After of the final response (a new status line starts a new response). */
static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    hook_xfer *x = ud;
    size_t len = sz * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) x->retry_after[0] = 0;
    else if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0)
        snprintf(x->retry_after, sizeof x->retry_after, "%.*s",
                 (int)(len - 12 < 95 ? len - 12 : 95), p + 12);
    return len;
}

static size_t on_reply(char *p, size_t sz, size_t n, void *ud)
{
    enc_buf *b = ud;
    size_t len = sz * n;
    if (b->len < REPLY_MAX) enc_buf_add(b, p, b->len + len > REPLY_MAX ? REPLY_MAX - b->len : len);
    return len;
}

static enc_rc hook_open(enc_adapter *ch, json_t *opts, enc_outbox *ob, enc_err *err)
{
    pthread_once(&curl_once, curl_init);
    const char *url = enc_opt_str(opts, "url", NULL);
    if (!url || !*url)
        return enc_fail(err, ENC_EUSAGE, "channel %s: \"url\" is required", ch->name);
    const char *shape = enc_opt_str(opts, "shape", "generic");
    int sh = enc_webhook_shape_parse(shape);
    if (sh < 0)
        return enc_fail(
            err, ENC_EUSAGE,
            "channel %s: unknown shape \"%.40s\" (generic, sms, push, wechat, fcm, apns)", ch->name,
            shape);
    json_t *hdrs = json_object_get(opts, "headers");
    if (hdrs && !json_is_object(hdrs))
        return enc_fail(err, ENC_EUSAGE, "channel %s: \"headers\" must be an object", ch->name);
    hook_chan *c = enc_xcalloc(1, sizeof *c);
    c->url = enc_xstrdup(url);
    const char *sec = enc_opt_str(opts, "secret", NULL);
    if (sec && *sec && !enc_webhook_key(sec, c->swkey, sizeof c->swkey, &c->swlen)) {
        free(c->url);
        free(c);
        return enc_fail(err, ENC_EUSAGE,
                        "channel %s: \"secret\": a whsec_ secret holds base64 of 24 to 64 bytes"
                        " (Standard Webhooks); other secrets are 1 to 256 bytes",
                        ch->name);
    }
    c->secret = sec && *sec ? enc_xstrdup(sec) : NULL;
    const char *snd = enc_opt_str(opts, "sender", NULL);
    c->sender = snd ? enc_xstrdup(snd) : NULL;
    const char *tid = enc_opt_str(opts, "template_id", NULL);
    c->template_id = tid ? enc_xstrdup(tid) : NULL;
    c->shape = (enc_webhook_shape)sh;
    c->timeout_ms = (long)(enc_opt_num(opts, "timeout", 10) * 1000);
    if (c->timeout_ms < 1) c->timeout_ms = 1;
    double conc = enc_opt_num(opts, "concurrency", 8);
    c->conc = conc < 1 ? 1 : conc > 256 ? 256 : (int)conc;
    c->headers = hdrs ? json_deep_copy(hdrs) : NULL;
    c->multi = curl_multi_init();
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->conc);
    c->x = enc_xcalloc((size_t)c->conc, sizeof *c->x);
    for (int i = 0; i < c->conc; i++) c->x[i].h = curl_easy_init();
    ch->impl = c;
    return ENC_OK;
}

/* Prepares transfer x for message m; false (with res set) when the body cannot be built. */
static bool start(hook_chan *c, hook_xfer *x, const enc_msg *m, size_t idx, enc_send_result *res,
                  int64_t now)
{
    char why[128] = "";
    x->body = enc_webhook_body(c->shape, m, c->sender, c->template_id, why, sizeof why);
    if (!x->body) {
        enc_result_err(res, ENC_SEND_PERM, "%s", why);
        return false;
    }
    size_t blen = strlen(x->body);
    char line[512];
    x->hdr = curl_slist_append(NULL, "Content-Type: application/json");
    x->hdr = curl_slist_append(x->hdr, "Expect:");
    /* Standard Webhooks (standardwebhooks.com): the id is the outbox message's, the same on
     * every retry and resend, so receivers deduplicate by it as by Idempotency-Key */
    char wid[40];
    snprintf(wid, sizeof wid, "msg_%" PRId64, m->id);
    snprintf(line, sizeof line, "webhook-id: %s", wid);
    x->hdr = curl_slist_append(x->hdr, line);
    snprintf(line, sizeof line, "webhook-timestamp: %" PRId64, now);
    x->hdr = curl_slist_append(x->hdr, line);
    if (c->secret) {
        char sig[ENC_WEBHOOK_SIG_MAX];
        enc_webhook_std_sign(c->swkey, c->swlen, wid, now, x->body, blen, sig);
        snprintf(line, sizeof line, "webhook-signature: %s", sig);
        x->hdr = curl_slist_append(x->hdr, line);
    }
    /* legacy (docs/delivery.md): X-Encore-Timestamp and X-Encore-Signature */
    snprintf(line, sizeof line, "X-Encore-Timestamp: %" PRId64, now);
    x->hdr = curl_slist_append(x->hdr, line);
    if (c->secret) {
        char sig[65];
        enc_webhook_sign(c->secret, now, x->body, blen, sig);
        snprintf(line, sizeof line, "X-Encore-Signature: %s", sig);
        x->hdr = curl_slist_append(x->hdr, line);
    }
    snprintf(line, sizeof line, "Idempotency-Key: %.400s", m->idempotency_key);
    x->hdr = curl_slist_append(x->hdr, line);
    const char *k;
    json_t *v;
    json_object_foreach(c->headers, k, v)
    {
        if (!json_is_string(v)) continue;
        snprintf(line, sizeof line, "%s: %s", k, json_string_value(v));
        x->hdr = curl_slist_append(x->hdr, line);
    }
    CURL *h = x->h;
    curl_easy_reset(h);
    /* an APNs url names the device: {token} is the message's (first) device token */
    const char *ph = strstr(c->url, "{token}");
    char *url = NULL;
    if (ph) {
        size_t tl = strcspn(m->address ? m->address : "", ",");
        url = enc_xmalloc(strlen(c->url) + tl + 1);
        snprintf(url, strlen(c->url) + tl + 1, "%.*s%.*s%s", (int)(ph - c->url), c->url, (int)tl,
                 m->address ? m->address : "", ph + 7);
    }
    curl_easy_setopt(h, CURLOPT_URL, url ? url : c->url);
    free(url); /* libcurl copies it */
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)blen);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdr);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "encore-dispatch/0.1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_reply);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x->reply);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    x->retry_after[0] = 0;
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)x);
    enc_buf_reset(&x->reply);
    x->idx = idx;
    return true;
}

/* received: when the answer came, on the dispatcher's clock (a delay counts from then) */
static void finish(hook_chan *c, hook_xfer *x, CURLcode cc, enc_send_result *res, int64_t received)
{
    long st = 0;
    if (cc != CURLE_OK) {
        enc_result_err(res, ENC_SEND_TEMP, "%s", curl_easy_strerror(cc));
    } else {
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
        json_t *r = x->reply.len ? json_loadb(x->reply.p, x->reply.len, 0, NULL) : NULL;
        enc_send_status s = enc_webhook_classify(st);
        json_t *ec = json_object_get(r, "errcode");
        if (s == ENC_SEND_OK && c->shape == ENC_SHAPE_WECHAT && json_is_integer(ec) &&
            json_integer_value(ec) != 0) {
            /* WeChat answers 200 with errcode: -1 busy and 45009 (limit) are temporary */
            long long e = json_integer_value(ec);
            enc_result_err(res, e == -1 || e == 45009 ? ENC_SEND_TEMP : ENC_SEND_PERM,
                           "wechat errcode %lld: %.120s", e, enc_opt_str(r, "errmsg", ""));
        } else if (s != ENC_SEND_OK) {
            char snippet[121] = "";
            if (x->reply.len)
                snprintf(snippet, sizeof snippet, "%.*s",
                         (int)(x->reply.len < 120 ? x->reply.len : 120), x->reply.p);
            for (char *q = snippet; *q; q++)
                if (*q == '\n' || *q == '\r') *q = ' ';
            enc_result_err(res, s, "HTTP %ld%s%s", st, snippet[0] ? ": " : "", snippet);
            /* 429 and 503 (and any temporary answer) may say when to come back */
            int64_t at;
            if (s == ENC_SEND_TEMP && x->retry_after[0] &&
                enc_webhook_retry_after(x->retry_after, received, &at))
                res->retry_at = at;
        } else {
            res->status = ENC_SEND_OK;
            static const char *const ids[] = {"id", "message_id", "msgid", "sid"};
            for (size_t i = 0; i < 4 && !res->provider_ref[0]; i++) {
                json_t *v = json_object_get(r, ids[i]);
                if (json_is_string(v))
                    snprintf(res->provider_ref, sizeof res->provider_ref, "%s",
                             json_string_value(v));
                else if (json_is_integer(v))
                    snprintf(res->provider_ref, sizeof res->provider_ref, "%lld",
                             (long long)json_integer_value(v));
            }
        }
        json_decref(r);
    }
    curl_slist_free_all(x->hdr);
    x->hdr = NULL;
    free(x->body);
    x->body = NULL;
}

static void hook_send(enc_adapter *ch, const enc_msg *m, size_t n, enc_send_result *res,
                      int64_t now)
{
    hook_chan *c = ch->impl;
    memset(res, 0, n * sizeof *res);
    double t0 = mono(); /* now + the time since t0 is the dispatcher's clock at an answer */
    size_t next = 0;
    int running = 0, active = 0;
    /* free transfer slots */
    int *freeslot = enc_xmalloc((size_t)c->conc * sizeof *freeslot);
    int nfree = 0;
    for (int i = c->conc - 1; i >= 0; i--) freeslot[nfree++] = i;
    for (;;) {
        while (nfree > 0 && next < n) {
            hook_xfer *x = &c->x[freeslot[nfree - 1]];
            if (!start(c, x, &m[next], next, &res[next], now)) {
                next++;
                continue;
            }
            nfree--;
            curl_multi_add_handle(c->multi, x->h);
            active++;
            next++;
        }
        if (active == 0) break;
        curl_multi_perform(c->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(c->multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            hook_xfer *x = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            CURLcode cc = msg->data.result;
            curl_multi_remove_handle(c->multi, x->h);
            /* now is the claim's whole second, up to 1 s behind: a delay counts from the
             * latest time the answer can have come, so the next try is never early */
            finish(c, x, cc, &res[x->idx], now + 1 + (int64_t)ceil(mono() - t0));
            freeslot[nfree++] = (int)(x - c->x);
            active--;
        }
        if (active > 0 && running > 0) curl_multi_poll(c->multi, NULL, 0, 100, NULL);
    }
    free(freeslot);
}

static void hook_close(enc_adapter *ch)
{
    hook_chan *c = ch->impl;
    if (!c) return;
    for (int i = 0; i < c->conc; i++) {
        curl_easy_cleanup(c->x[i].h);
        enc_buf_free(&c->x[i].reply);
    }
    free(c->x);
    curl_multi_cleanup(c->multi);
    json_decref(c->headers);
    free(c->url);
    free(c->secret);
    free(c->sender);
    free(c->template_id);
    free(c);
    ch->impl = NULL;
}

const enc_adapter_ops enc_webhook_ops = {
    .kind = "webhook",
    .dedups = true,
    .open = hook_open,
    .send = hook_send,
    .close = hook_close,
};
