/* api.c — the Segment-spec ingest API (see api.h): parsing and cleaning of track, identify,
 * page, screen and batch bodies with jansson and the ingest cleaners; writing through the
 * store with the identity resolver; the JSON answers. The parse step touches no store, so it
 * runs on the HTTP threads; the apply step runs on the writer thread. */
#include "server/api.h"
#include "base/json.h"
#include "ingest/clean.h"
#include "ingest/vocab.h"
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TEXT_MAX 512 /* names, cities, ... */
#define EVENT_NAME_MAX 200
#define PRODUCTS_MAX 1000 /* lines of one order */
#define ERRORS_SHOWN 100  /* bad items listed in a batch answer */

typedef enum item_type { IT_TRACK, IT_IDENTIFY, IT_PAGE } item_type;

typedef struct api_line {
    const char *sku, *name, *category, *brand;
    int64_t qty, price, amount;
} api_line;

typedef struct api_order {
    const char *key, *currency, *coupon;
    int64_t discount, total;
    bool has_total;
    api_line *lines;
    size_t nlines;
} api_order;

typedef struct api_item {
    item_type type;
    const char *error, *field; /* set when the item is refused */
    const char *user_id, *anon_id, *message_id;
    /* track, page, screen */
    const char *event_type, *sku, *props;
    int64_t ts, value;
    bool has_value;
    api_order *order;
    /* identify */
    enc_customer_rec cust;
    unsigned verified; /* ENC_IDENT_MERGE_EMAIL / _PHONE: traits.email_verified, phone_verified */
    const char *wechat_openid, *push_token; /* channel addresses (identities) */
    /* outcome of apply */
    bool stored, duplicate;
} api_item;

struct enc_api_req {
    enc_api_call call;
    enc_arena *a;
    enc_api_opts o;
    int status;                /* set for a body refused as a whole */
    const char *error, *field; /* why, for such a body */
    api_item *items;
    size_t n;
    long stored, duplicates, rejected;
};

/* ---- errors ------------------------------------------------------------------------------- */

static const char *afmt(enc_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *afmt(enc_arena *a, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
    return enc_arena_strndup(a, buf, (size_t)n);
}

/* Replaces bytes that are not part of valid UTF-8 with '?': jansson's error texts quote the
 * input and may cut a character in half, and answers must be valid JSON. */
static void utf8_fix(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t len = (*p >= 0xc2 && *p <= 0xdf)   ? 2
                     : (*p >= 0xe0 && *p <= 0xef) ? 3
                     : (*p >= 0xf0 && *p <= 0xf4) ? 4
                                                  : 0;
        if (len && strnlen((char *)p, len) == len && enc_utf8_valid((char *)p, len)) p += len;
        else *p++ = '?';
    }
}

/* Parsing state of one item: the request (for its arena) and the item being filled. */
typedef struct pctx {
    enc_api_req *r;
    api_item *it;
} pctx;

/* Refuses the item (the first reason is kept). Returns false, for `return bad(...)`. */
static bool bad(pctx *c, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool bad(pctx *c, const char *field, const char *fmt, ...)
{
    if (c->it->error) return false;
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    c->it->error = enc_arena_strndup(c->r->a, buf, strlen(buf));
    c->it->field = enc_arena_strndup(c->r->a, field, strlen(field));
    return false;
}

/* A value quoted in a message: at most 40 bytes, cut on a UTF-8 boundary. */
static int quote_len(const char *s, size_t n)
{
    if (n <= 40) return (int)n;
    n = 40;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
    return (int)n;
}

/* ---- typed getters: absent and null are "not given"; a wrong type is refused ------------- */

static const char *path2(pctx *c, const char *a, const char *b)
{
    return afmt(c->r->a, "%s.%s", a, b);
}

/* A string (trimmed; empty = not given) of at most max bytes, copied into the arena. */
static bool get_str(pctx *c, json_t *obj, const char *key, const char *path, size_t max,
                    const char **out)
{
    *out = NULL;
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v)) return true;
    if (!json_is_string(v)) return bad(c, path, "must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    enc_trim(&s, &n);
    if (n > max) return bad(c, path, "longer than %zu bytes", max);
    if (n) *out = enc_arena_strndup(c->r->a, s, n);
    return true;
}

/* Numbers and strings as text: integers in full, reals in their shortest round-trip form. */
static bool num_text(json_t *v, char *tmp, size_t cap, const char **s, size_t *n)
{
    if (json_is_string(v)) {
        *s = json_string_value(v);
        *n = json_string_length(v);
        return true;
    }
    if (json_is_integer(v)) {
        snprintf(tmp, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        for (int p = 6; p <= 17; p++) {
            snprintf(tmp, cap, "%.*g", p, d);
            if (strtod(tmp, NULL) == d) break;
        }
    } else {
        return false;
    }
    *s = tmp;
    *n = strlen(tmp);
    return true;
}

/* An identifier (string or integer), cleaned as import cleans ids. */
static bool get_id(pctx *c, json_t *obj, const char *key, const char *path, const char **out)
{
    *out = NULL;
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v)) return true;
    char tmp[64], buf[160];
    const char *s, *why;
    size_t n;
    if (json_is_real(v) || !num_text(v, tmp, sizeof tmp, &s, &n))
        return bad(c, path, "must be a string");
    enc_trim(&s, &n);
    if (!n) return true;
    if (!enc_clean_id(s, n, buf, sizeof buf, &why)) return bad(c, path, "%s", why);
    *out = enc_arena_strndup(c->r->a, buf, strlen(buf));
    return true;
}

static bool get_money(pctx *c, json_t *obj, const char *key, const char *path, int digits,
                      int64_t *out, bool *has)
{
    *has = false;
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v)) return true;
    char tmp[64];
    const char *s, *why;
    size_t n;
    if (!num_text(v, tmp, sizeof tmp, &s, &n)) return bad(c, path, "must be a number");
    if (!enc_clean_money(s, n, digits, out, &why))
        return bad(c, path, "%s: '%.*s'", why, quote_len(s, n), s);
    /* the import's bound (ingest/import.h): beyond it a value is a typo or an attack */
    if (*out > 100000000000LL || *out < -100000000000LL)
        return bad(c, path, "out of range: '%.*s'", quote_len(s, n), s);
    *has = true;
    return true;
}

static bool get_int(pctx *c, json_t *obj, const char *key, const char *path, int64_t *out,
                    bool *has)
{
    *has = false;
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v)) return true;
    char tmp[64];
    const char *s, *why;
    size_t n;
    if (!num_text(v, tmp, sizeof tmp, &s, &n)) return bad(c, path, "must be a number");
    if (!enc_clean_int(s, n, out, &why)) return bad(c, path, "%s: '%.*s'", why, quote_len(s, n), s);
    *has = true;
    return true;
}

static bool get_time(pctx *c, json_t *obj, const char *key, int64_t *out, bool *has)
{
    *has = false;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return true;
    char tmp[64];
    const char *s, *why;
    size_t n;
    if (!num_text(v, tmp, sizeof tmp, &s, &n)) return bad(c, key, "must be an ISO 8601 string");
    if (!enc_clean_time(s, n, NULL, out, &why))
        return bad(c, key, "%s: '%.*s'", why, quote_len(s, n), s);
    *has = true;
    return true;
}

static bool get_obj(pctx *c, json_t *obj, const char *key, const char *path, json_t **out)
{
    *out = json_object_get(obj, key);
    if (*out && json_is_null(*out)) *out = NULL;
    if (*out && !json_is_object(*out)) return bad(c, path, "must be an object");
    return true;
}

/* ---- the parts every call shares ---------------------------------------------------------- */

/* userId, anonymousId, messageId and the event time: timestamp (or originalTimestamp),
 * corrected for the sender's clock by sentAt as Segment does (timestamp + receivedAt -
 * sentAt), else receivedAt. */
static bool common(pctx *c, json_t *m)
{
    api_item *it = c->it;
    if (!get_id(c, m, "userId", "userId", &it->user_id) ||
        !get_id(c, m, "anonymousId", "anonymousId", &it->anon_id) ||
        !get_id(c, m, "messageId", "messageId", &it->message_id))
        return false;
    int64_t ts, sent;
    bool has_ts, has_sent;
    if (!get_time(c, m, "timestamp", &ts, &has_ts)) return false;
    if (!has_ts && !get_time(c, m, "originalTimestamp", &ts, &has_ts)) return false;
    if (!get_time(c, m, "sentAt", &sent, &has_sent)) return false;
    it->ts = c->r->o.now;
    if (has_ts) {
        int64_t skew = has_sent ? c->r->o.now - sent : 0;
        if (__builtin_add_overflow(ts, skew, &it->ts)) return bad(c, "sentAt", "out of range");
        /* the same bounds as import: from 1970 to now plus a day of clock tolerance (an event
         * dated 9999-12-31, or moved to year 12025 by the sentAt correction, would move every
         * score) */
        const char *f = has_sent && skew ? "sentAt" : "timestamp";
        if (it->ts < 0) return bad(c, f, "before 1970");
        if (it->ts > c->r->o.now + ENC_API_FUTURE_TOLERANCE)
            return bad(c, f, "in the future (more than %d s after the server's clock)",
                       ENC_API_FUTURE_TOLERANCE);
    }
    if (!it->message_id) {
        /* no deduplication possible: a key of our own */
        uint8_t rnd[16];
        char hex[33];
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
        it->message_id = afmt(c->r->a, "encore-%s", hex);
    }
    return true;
}

/* Encore's event type for a Segment event name: the import vocabulary ("Product Viewed" ->
 * view, "Order Completed" -> purchase, ...); other names are kept in snake case ("Signed Up"
 * -> signed_up) when they are made of ASCII letters, digits, spaces, '_', '-' and '.'. */
static const char *event_type(enc_arena *a, const char *name, size_t n)
{
    char low[EVENT_NAME_MAX + 1], snake[EVENT_NAME_MAX + 1];
    if (n > EVENT_NAME_MAX) return NULL;
    for (size_t i = 0; i < n; i++)
        low[i] = (name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i];
    low[n] = 0;
    if (memchr(low, 0, n)) return NULL;
    const char *t = enc_vocab_event_type_of(low);
    if (!t) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            char ch = low[i];
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) snake[k++] = ch;
            else if (ch == ' ' || ch == '_' || ch == '-' || ch == '.') {
                if (k && snake[k - 1] != '_') snake[k++] = '_';
            } else {
                return NULL;
            }
        }
        while (k && snake[k - 1] == '_') k--;
        snake[k] = 0;
        t = enc_vocab_event_type_of(snake);
    }
    if (!t) return NULL;
    return enc_arena_strndup(a, t, strlen(t)); /* t may point into low or snake */
}

static bool currency(pctx *c, json_t *props, const char **cur, int *digits)
{
    *cur = NULL;
    *digits = 2;
    const char *s;
    if (!get_str(c, props, "currency", "properties.currency", 8, &s)) return false;
    if (!s) return true;
    if (strlen(s) != 3) return bad(c, "properties.currency", "not an ISO 4217 code: '%s'", s);
    char *u = (char *)s;
    for (int i = 0; i < 3; i++) {
        if (u[i] >= 'a' && u[i] <= 'z') u[i] -= 32;
        if (u[i] < 'A' || u[i] > 'Z')
            return bad(c, "properties.currency", "not an ISO 4217 code: '%s'", s);
    }
    *cur = u;
    *digits = enc_currency_digits(u);
    return true;
}

/* Order Completed (and any purchase with an order_id): the order and its products. */
static bool order(pctx *c, json_t *props, const char *cur, int digits)
{
    const char *key;
    if (!get_id(c, props, "order_id", "properties.order_id", &key)) return false;
    if (!key) return true;
    api_order *o = enc_arena_alloc(c->r->a, sizeof *o);
    memset(o, 0, sizeof *o);
    o->key = key;
    o->currency = cur;
    bool has;
    if (!get_str(c, props, "coupon", "properties.coupon", 128, &o->coupon) ||
        !get_money(c, props, "discount", "properties.discount", digits, &o->discount, &has) ||
        !get_money(c, props, "total", "properties.total", digits, &o->total, &o->has_total) ||
        (!o->has_total &&
         !get_money(c, props, "revenue", "properties.revenue", digits, &o->total, &o->has_total)))
        return false;
    json_t *prods = json_object_get(props, "products");
    if (prods && !json_is_null(prods)) {
        if (!json_is_array(prods)) return bad(c, "properties.products", "must be an array");
        size_t np = json_array_size(prods);
        if (np > PRODUCTS_MAX)
            return bad(c, "properties.products", "more than %d products", PRODUCTS_MAX);
        o->lines = enc_arena_alloc(c->r->a, (np ? np : 1) * sizeof *o->lines);
        for (size_t i = 0; i < np; i++) {
            json_t *p = json_array_get(prods, i);
            const char *base = afmt(c->r->a, "properties.products[%zu]", i);
            if (!json_is_object(p)) return bad(c, base, "must be an object");
            api_line *l = &o->lines[o->nlines];
            memset(l, 0, sizeof *l);
            bool has_qty, has_price;
            if (!get_id(c, p, "sku", path2(c, base, "sku"), &l->sku) ||
                (!l->sku && !get_id(c, p, "product_id", path2(c, base, "product_id"), &l->sku)) ||
                !get_str(c, p, "name", path2(c, base, "name"), TEXT_MAX, &l->name) ||
                !get_str(c, p, "category", path2(c, base, "category"), TEXT_MAX, &l->category) ||
                !get_str(c, p, "brand", path2(c, base, "brand"), TEXT_MAX, &l->brand) ||
                !get_int(c, p, "quantity", path2(c, base, "quantity"), &l->qty, &has_qty) ||
                !get_money(c, p, "price", path2(c, base, "price"), digits, &l->price, &has_price))
                return false;
            if (!l->sku) return bad(c, path2(c, base, "sku"), "missing (sku or product_id)");
            if (!has_price) return bad(c, path2(c, base, "price"), "missing");
            if (l->price < 0) return bad(c, path2(c, base, "price"), "negative");
            if (!has_qty) l->qty = 1;
            if (l->qty <= 0 || l->qty > 1000000)
                return bad(c, path2(c, base, "quantity"), "must be 1 to 1000000");
            if (__builtin_mul_overflow(l->qty, l->price, &l->amount))
                return bad(c, path2(c, base, "price"), "quantity x price overflows");
            o->nlines++;
        }
    }
    if (o->nlines || o->has_total) c->it->order = o;
    return true;
}

/* properties as compact JSON in the arena (at most ENC_API_BODY_MAX bytes). Reals are written
 * with 15 significant digits, so that 19.99 stays 19.99 (jansson's default of 17 writes
 * 19.989999999999998); every decimal of up to 15 digits reads back the same. */
#define PROPS_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))
static bool dump_props(pctx *c, json_t *props, const char *path)
{
    if (!props || !json_object_size(props)) return true;
    size_t n = json_dumpb(props, NULL, 0, PROPS_FLAGS);
    if (!n || n > ENC_API_BODY_MAX) return bad(c, path, "larger than %d bytes", ENC_API_BODY_MAX);
    char *s = enc_arena_alloc(c->r->a, n + 1);
    json_dumpb(props, s, n, PROPS_FLAGS);
    s[n] = 0;
    c->it->props = s;
    return true;
}

/* track, page and screen: an event. */
static bool parse_event(pctx *c, json_t *m, item_type type)
{
    api_item *it = c->it;
    json_t *props;
    if (!common(c, m) || !get_obj(c, m, "properties", "properties", &props)) return false;
    if (!it->user_id && !it->anon_id) return bad(c, "userId", "missing (userId or anonymousId)");
    if (type == IT_TRACK) {
        json_t *ev = json_object_get(m, "event");
        if (!ev || json_is_null(ev)) return bad(c, "event", "missing");
        if (!json_is_string(ev)) return bad(c, "event", "must be a string");
        const char *name = json_string_value(ev);
        size_t n = json_string_length(ev);
        enc_trim(&name, &n);
        if (!n) return bad(c, "event", "empty");
        if (n > EVENT_NAME_MAX) return bad(c, "event", "longer than %d bytes", EVENT_NAME_MAX);
        it->event_type = event_type(c->r->a, name, n);
        if (!it->event_type)
            return bad(c, "event",
                       "not an event name Encore keeps: '%.*s' (letters, digits, "
                       "spaces, _ - .)",
                       quote_len(name, n), name);
    } else {
        /* a page or screen view: its name goes into the properties */
        it->event_type = "view";
        const char *name;
        if (!get_str(c, m, "name", "name", TEXT_MAX, &name)) return false;
        if (name && !json_object_get(props, "name")) {
            if (!props) {
                props = json_object();
                json_object_set_new(m, "properties", props);
            }
            json_object_set_new(props, "name", json_string(name));
        }
    }
    const char *cur;
    int digits;
    if (!currency(c, props, &cur, &digits) ||
        !get_id(c, props, "sku", "properties.sku", &it->sku) ||
        (!it->sku && !get_id(c, props, "product_id", "properties.product_id", &it->sku)))
        return false;
    static const char *const value_keys[][2] = {{"revenue", "properties.revenue"},
                                                {"total", "properties.total"},
                                                {"value", "properties.value"},
                                                {"price", "properties.price"}};
    for (size_t i = 0; i < 4 && !it->has_value; i++)
        if (!get_money(c, props, value_keys[i][0], value_keys[i][1], digits, &it->value,
                       &it->has_value))
            return false;
    if (props && strcmp(it->event_type, "purchase") == 0 && !order(c, props, cur, digits))
        return false;
    return dump_props(c, props, "properties");
}

static bool parse_identify(pctx *c, json_t *m)
{
    api_item *it = c->it;
    enc_customer_rec *r = &it->cust;
    json_t *traits, *ctx, *addr;
    if (!common(c, m) || !get_obj(c, m, "traits", "traits", &traits) ||
        !get_obj(c, m, "context", "context", &ctx))
        return false;
    const char *tp = "traits";
    if (!traits && ctx) { /* some libraries put them under context */
        if (!get_obj(c, ctx, "traits", "context.traits", &traits)) return false;
        tp = "context.traits";
    }
    const char *email = NULL, *phone = NULL, *first = NULL, *last = NULL, *s;
    char buf[320];
    const char *why;
    if (!get_str(c, traits, "email", path2(c, tp, "email"), 320, &s)) return false;
    if (s) {
        if (!enc_clean_email(s, strlen(s), buf, sizeof buf, &why))
            return bad(c, path2(c, tp, "email"), "%s: '%.*s'", why, quote_len(s, strlen(s)), s);
        email = enc_arena_strndup(c->r->a, buf, strlen(buf));
    }
    json_t *ph = traits ? json_object_get(traits, "phone") : NULL;
    if (ph && !json_is_null(ph)) {
        char tmp[64];
        size_t n;
        if (json_is_real(ph) || !num_text(ph, tmp, sizeof tmp, &s, &n))
            return bad(c, path2(c, tp, "phone"), "must be a string");
        if (n > 64) return bad(c, path2(c, tp, "phone"), "longer than 64 bytes");
        if (!enc_clean_phone(s, n, c->r->o.phone_cc, buf, sizeof buf, &why))
            return bad(c, path2(c, tp, "phone"), "%s: '%.*s'", why, quote_len(s, n), s);
        phone = enc_arena_strndup(c->r->a, buf, strlen(buf));
    }
    if (!it->user_id && !email && !phone)
        return bad(c, "userId", "missing (identify needs userId, traits.email or traits.phone)");
    if (!get_str(c, traits, "name", path2(c, tp, "name"), TEXT_MAX, &r->name) ||
        !get_str(c, traits, "firstName", path2(c, tp, "firstName"), TEXT_MAX, &first) ||
        (!first &&
         !get_str(c, traits, "first_name", path2(c, tp, "first_name"), TEXT_MAX, &first)) ||
        !get_str(c, traits, "lastName", path2(c, tp, "lastName"), TEXT_MAX, &last) ||
        (!last && !get_str(c, traits, "last_name", path2(c, tp, "last_name"), TEXT_MAX, &last)))
        return false;
    if (!r->name && (first || last))
        r->name =
            afmt(c->r->a, "%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "");
    if (!get_str(c, traits, "gender", path2(c, tp, "gender"), 32, &s)) return false;
    if (s) {
        int g = enc_clean_gender(s, strlen(s));
        r->gender = g == 'm' ? "m" : g == 'f' ? "f" : NULL;
    }
    if (!get_str(c, traits, "birthday", path2(c, tp, "birthday"), 64, &s)) return false;
    if (s) {
        int y, mo, d;
        if (!enc_clean_date(s, strlen(s), &y, &mo, &d, &why))
            return bad(c, path2(c, tp, "birthday"), "%s: '%.*s'", why, quote_len(s, strlen(s)), s);
        r->birthday = afmt(c->r->a, "%04d-%02d-%02d", y, mo, d);
    }
    if (!get_obj(c, traits, "address", path2(c, tp, "address"), &addr)) return false;
    const char *ap = path2(c, tp, "address");
    if (!get_str(c, addr, "city", path2(c, ap, "city"), TEXT_MAX, &r->city) ||
        !get_str(c, addr, "state", path2(c, ap, "state"), TEXT_MAX, &r->region) ||
        (!r->region && !get_str(c, addr, "region", path2(c, ap, "region"), TEXT_MAX, &r->region)) ||
        !get_str(c, addr, "country", path2(c, ap, "country"), TEXT_MAX, &r->country) ||
        !get_str(c, traits, "title", path2(c, tp, "title"), TEXT_MAX, &r->occupation))
        return false;
    json_t *created = traits ? json_object_get(traits, "createdAt") : NULL;
    if (created && !json_is_null(created)) {
        char tmp[64];
        size_t n;
        if (!num_text(created, tmp, sizeof tmp, &s, &n) ||
            !enc_clean_time(s, n, NULL, &r->registered_at, &why))
            return bad(c, path2(c, tp, "createdAt"), "not a time");
        if (r->registered_at < 0 || r->registered_at > c->r->o.now + ENC_API_FUTURE_TOLERANCE)
            return bad(c, path2(c, tp, "createdAt"),
                       r->registered_at < 0 ? "before 1970" : "in the future");
        r->has_registered = true;
    }
    /* the customer's zone: traits.timezone, else context.timezone (IANA names) */
    const char *tz = NULL;
    if (!get_str(c, traits, "timezone", path2(c, tp, "timezone"), 64, &tz) ||
        (!tz && !get_str(c, ctx, "timezone", "context.timezone", 64, &tz)))
        return false;
    if (tz) {
        enc_tz *z;
        enc_err e2;
        /* names only: no paths, so nothing outside the zone database is opened */
        if (strstr(tz, "..") || tz[0] == '/' || enc_tz_load(tz, &z, &e2) != ENC_OK)
            return bad(c, "timezone", "unknown time zone '%.*s'", quote_len(tz, strlen(tz)), tz);
        enc_tz_free(z);
        r->tz = tz;
    }
    /* verified identities may merge two customers (apply_identify) */
    static const struct {
        const char *key;
        unsigned flag;
    } ver[] = {{"email_verified", ENC_IDENT_MERGE_EMAIL},
               {"phone_verified", ENC_IDENT_MERGE_PHONE}};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = traits ? json_object_get(traits, ver[i].key) : NULL;
        if (!v || json_is_null(v)) continue;
        if (!json_is_boolean(v)) return bad(c, path2(c, tp, ver[i].key), "must be true or false");
        if (json_is_true(v)) it->verified |= ver[i].flag;
    }
    /* channel addresses: traits.wechat_openid (the WeChat OpenID) and context.device.token (a
     * push device token), kept as identities as the importer keeps them */
    json_t *dev = NULL;
    if (!get_str(c, traits, "wechat_openid", path2(c, tp, "wechat_openid"), 64,
                 &it->wechat_openid) ||
        !get_obj(c, ctx, "device", "context.device", &dev) ||
        !get_str(c, dev, "token", "context.device.token", 512, &it->push_token))
        return false;
    if (it->wechat_openid &&
        strspn(it->wechat_openid,
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
            strlen(it->wechat_openid))
        return bad(c, "traits.wechat_openid", "not an OpenID (1-64 of A-Z a-z 0-9 _ -)");
    if (it->push_token &&
        strspn(it->push_token,
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:.-") !=
            strlen(it->push_token))
        return bad(c, "context.device.token", "not a device token (1-512 of A-Z a-z 0-9 _ : . -)");
    r->external_id = it->user_id;
    r->email = email;
    r->phone = phone;
    return true;
}

/* One message (a whole single call, or one batch item). */
static void parse_item(enc_api_req *r, api_item *it, json_t *m, enc_api_call call)
{
    pctx c = {r, it};
    memset(it, 0, sizeof *it);
    if (!json_is_object(m)) {
        bad(&c, call == ENC_API_BATCH ? "type" : "body", "must be a JSON object");
        return;
    }
    item_type t = call == ENC_API_IDENTIFY ? IT_IDENTIFY : IT_TRACK;
    if (call == ENC_API_BATCH) {
        const char *ty;
        if (!get_str(&c, m, "type", "type", 32, &ty)) return;
        if (!ty) {
            bad(&c, "type", "missing (track, identify, page or screen)");
            return;
        }
        if (strcmp(ty, "track") == 0) t = IT_TRACK;
        else if (strcmp(ty, "identify") == 0) t = IT_IDENTIFY;
        else if (strcmp(ty, "page") == 0 || strcmp(ty, "screen") == 0) t = IT_PAGE;
        else {
            bad(&c, "type", "'%.*s' is not supported (track, identify, page or screen)",
                quote_len(ty, strlen(ty)), ty);
            return;
        }
    }
    it->type = t;
    if (t == IT_IDENTIFY) parse_identify(&c, m);
    else parse_event(&c, m, t);
}

enc_api_req *enc_api_parse(enc_arena *a, enc_api_call call, const char *body, size_t n,
                           const enc_api_opts *o)
{
    enc_api_req *r = enc_arena_alloc(a, sizeof *r);
    memset(r, 0, sizeof *r);
    r->call = call;
    r->a = a;
    r->o = *o;
    size_t max = call == ENC_API_BATCH ? ENC_API_BATCH_BODY_MAX : ENC_API_BODY_MAX;
    if (n > max) {
        r->status = 413;
        r->error = afmt(a, "body larger than %zu bytes", max);
        r->field = "body";
        return r;
    }
    json_error_t je;
    json_t *doc = json_loadb(body, n, 0, &je);
    if (!doc) {
        r->status = 400;
        utf8_fix(je.text);
        r->error =
            afmt(a, "body is not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
        r->field = "body";
        return r;
    }
    if (!json_is_object(doc)) {
        r->status = 400;
        r->error = "body must be a JSON object";
        r->field = "body";
    } else if (call != ENC_API_BATCH) {
        r->items = enc_arena_alloc(a, sizeof *r->items);
        r->n = 1;
        parse_item(r, r->items, doc, call);
    } else {
        json_t *b = json_object_get(doc, "batch");
        if (!b || !json_is_array(b)) {
            r->status = 400;
            r->error = b ? "must be an array" : "missing";
            r->field = "batch";
        } else if (!json_array_size(b)) {
            r->status = 400;
            r->error = "empty";
            r->field = "batch";
        } else if (json_array_size(b) > ENC_API_BATCH_ITEMS_MAX) {
            r->status = 400;
            r->error = afmt(a, "more than %d items", ENC_API_BATCH_ITEMS_MAX);
            r->field = "batch";
        } else {
            r->n = json_array_size(b);
            r->items = enc_arena_alloc(a, r->n * sizeof *r->items);
            /* batch-level context and timestamps apply to items that lack them */
            json_t *sent = json_object_get(doc, "sentAt");
            for (size_t i = 0; i < r->n; i++) {
                json_t *m = json_array_get(b, i);
                if (sent && json_is_object(m) && !json_object_get(m, "sentAt"))
                    json_object_set(m, "sentAt", sent);
                parse_item(r, &r->items[i], m, call);
            }
        }
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].error) r->rejected++;
    json_decref(doc);
    return r;
}

size_t enc_api_pending(const enc_api_req *r) { return r->status ? 0 : r->n - (size_t)r->rejected; }

/* ---- writing ------------------------------------------------------------------------------ */

static enc_rc write_order(enc_store *st, const api_item *it, int64_t cust, enc_err *err)
{
    const api_order *o = it->order;
    enc_order_rec rec = {0};
    rec.source = ENC_API_SOURCE;
    rec.order_key = o->key;
    rec.customer = cust;
    rec.ts = it->ts;
    rec.status = "paid";
    rec.coupon = o->coupon;
    rec.currency = o->currency;
    rec.discount = o->discount;
    if (!o->nlines) {
        rec.total = o->total;
        rec.items = 1;
        rec.has_total = true;
    }
    int64_t oid;
    enc_put p;
    if (enc_store_order_put(st, &rec, &oid, &p, err)) return ENC_EDB;
    for (size_t i = 0; i < o->nlines; i++) {
        const api_line *l = &o->lines[i];
        enc_product_rec pr = {0};
        pr.source = ENC_API_SOURCE;
        pr.sku = l->sku;
        pr.name = l->name;
        pr.category = l->category;
        pr.brand = l->brand;
        pr.price = l->price;
        pr.has_price = true;
        pr.currency = o->currency;
        pr.in_stock = -1;
        int64_t pid;
        if (enc_store_product_put(st, &pr, true, &pid, &p, err)) return ENC_EDB;
        enc_line_rec lr = {0};
        lr.order_id = oid;
        lr.line_no = (int64_t)i + 1;
        lr.product_id = pid;
        lr.sku = l->sku;
        lr.qty = l->qty;
        lr.unit_price = l->price;
        lr.amount = l->amount;
        lr.kind = l->price > 0 ? "sale" : "free";
        if (enc_store_line_put(st, &lr, &p, err)) return ENC_EDB;
    }
    return o->nlines ? enc_store_order_refresh(st, oid, err) : ENC_OK;
}

static enc_rc apply_event(api_item *it, enc_store *st, enc_ident *ident, enc_err *err)
{
    int64_t cust = 0;
    if (it->user_id) {
        enc_customer_rec stub = {0};
        stub.external_id = it->user_id;
        bool created;
        if (enc_ident_resolve(ident, it->user_id, NULL, NULL, &stub, &cust, &created, err))
            return ENC_EDB;
    }
    enc_event_rec e = {0};
    e.source = ENC_API_SOURCE;
    e.source_key = it->message_id;
    e.customer = cust;
    e.ts = it->ts;
    e.type = it->event_type;
    e.sku = it->sku;
    e.session = it->anon_id;
    e.props = it->props;
    e.value = it->value;
    e.has_value = it->has_value;
    enc_put p;
    if (enc_store_event_add(st, &e, &p, err)) return ENC_EDB;
    it->duplicate = p == ENC_PUT_SAME;
    it->stored = !it->duplicate;
    if (it->stored && it->order) return write_order(st, it, cust, err);
    return ENC_OK;
}

/* identify attaches an email or phone to the customer its userId names; two customers that each
 * have their own userId are merged only on an identity the sender marks verified
 * (traits.email_verified, traits.phone_verified) or one the policy's merge_on names: else an
 * identify with someone else's email would take over their inbox and history. */
static enc_rc apply_identify(api_item *it, enc_ident *ident, enc_store *st, unsigned merge_on,
                             enc_err *err)
{
    int64_t cust, own;
    bool created;
    enc_customer_rec *r = &it->cust;
    unsigned allowed = merge_on | it->verified;
    if (enc_ident_resolve_ex(ident, r->external_id, r->email, r->phone, r, allowed, &cust, &own,
                             &created, err))
        return ENC_EDB;
    if (enc_ident_was_suppressed(ident)) return ENC_OK; /* an erased customer: not kept */
    /* an email or phone that stays someone else's is not copied onto this customer */
    const char *kinds[2] = {"email", "phone"};
    const char **vals[2] = {&r->email, &r->phone};
    for (int i = 0; i < 2; i++) {
        int64_t direct, surv;
        if (!*vals[i]) continue;
        if (enc_store_ident_owner(st, kinds[i], *vals[i], &direct, &surv, err)) return ENC_EDB;
        if (surv && surv != cust) *vals[i] = NULL;
    }
    if (!created) {
        int64_t into;
        bool has_merged;
        enc_put p;
        if (enc_store_customer_state(st, own, &into, &has_merged, err)) return ENC_EDB;
        if (own == cust) { /* as import: what merges combined is not overwritten */
            enc_customer_rec u = *r;
            if (has_merged) u.has_points = u.has_registered = false, u.tier = NULL;
            if (enc_store_customer_update(st, cust, &u, &p, err)) return ENC_EDB;
        } else if (enc_store_customer_fill(st, cust, r, &p, err)) {
            return ENC_EDB;
        }
    }
    if ((it->wechat_openid && *it->wechat_openid &&
         enc_store_ident_set(st, "wechat_openid", it->wechat_openid, cust, "api", err)) ||
        (it->push_token && *it->push_token &&
         enc_store_ident_set(st, "push_token", it->push_token, cust, "api", err)))
        return ENC_EDB;
    it->stored = true;
    return ENC_OK;
}

enc_rc enc_api_apply(enc_api_req *r, enc_store *st, enc_ident *ident, enc_err *err)
{
    r->stored = r->duplicates = 0;
    unsigned policy = 0;
    if (enc_store_merge_on_get(st, &policy, err)) return ENC_EDB;
    r->o.merge_on |= policy;
    for (size_t i = 0; i < r->n && !r->status; i++) {
        api_item *it = &r->items[i];
        it->stored = it->duplicate = false;
        if (it->error) continue;
        enc_rc rc = it->type == IT_IDENTIFY ? apply_identify(it, ident, st, r->o.merge_on, err)
                                            : apply_event(it, st, ident, err);
        if (rc) return rc;
        r->stored += it->stored;
        r->duplicates += it->duplicate;
    }
    return ENC_OK;
}

void enc_api_counts_get(const enc_api_req *r, enc_api_counts *c)
{
    c->items = (long)r->n;
    c->stored = r->stored;
    c->duplicates = r->duplicates;
    c->rejected = r->rejected;
}

/* ---- answers ------------------------------------------------------------------------------ */

static int error_doc(enc_buf *out, int status, const char *error, const char *field)
{
    enc_jw w;
    enc_jw_init(&w, out);
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "error", error);
    enc_jw_kstr(&w, "field", field);
    enc_jw_end(&w);
    return status;
}

int enc_api_respond(const enc_api_req *r, enc_buf *out)
{
    if (r->status) return error_doc(out, r->status, r->error, r->field);
    if (r->call != ENC_API_BATCH) {
        const api_item *it = r->items;
        if (it->error) return error_doc(out, 400, it->error, it->field);
        enc_jw w;
        enc_jw_init(&w, out);
        enc_jw_obj(&w);
        enc_jw_kbool(&w, "ok", true);
        if (it->duplicate) enc_jw_kbool(&w, "duplicate", true);
        enc_jw_end(&w);
        return 200;
    }
    bool none = r->rejected == (long)r->n;
    enc_jw w;
    enc_jw_init(&w, out);
    enc_jw_obj(&w);
    if (none) {
        enc_jw_kstr(&w, "error", "every item was rejected");
        enc_jw_kstr(&w, "field", "batch");
    } else {
        enc_jw_kbool(&w, "ok", true);
    }
    enc_jw_kint(&w, "received", (int64_t)r->n);
    enc_jw_kint(&w, "stored", r->stored);
    enc_jw_kint(&w, "duplicates", r->duplicates);
    enc_jw_kint(&w, "rejected", r->rejected);
    enc_jw_key(&w, "errors");
    enc_jw_arr(&w);
    int shown = 0;
    for (size_t i = 0; i < r->n && shown < ERRORS_SHOWN; i++) {
        const api_item *it = &r->items[i];
        if (!it->error) continue;
        shown++;
        enc_jw_obj(&w);
        enc_jw_kint(&w, "index", (int64_t)i);
        enc_jw_kstr(&w, "error", it->error);
        enc_jw_kstr(&w, "field", it->field);
        enc_jw_end(&w);
    }
    enc_jw_end(&w);
    enc_jw_end(&w);
    return none ? 400 : 200;
}
