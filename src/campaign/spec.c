/* spec.c — reading campaign files and the contact-policy settings (see spec.h). Every object
 * is read with a list of the keys it may hold, so that a misspelt key is an error naming the
 * path and the nearest known key; values are checked where they are read. */
#include "campaign/spec.h"
#include "audience/eval.h"
#include "audience/fields.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/token.h"
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the fields templates see ------------------------------------------------------------ */

const char *const enc_spec_fields[] = {
    "customer.id",
    "customer.name",
    "customer.first_name",
    "customer.email",
    "customer.phone",
    "customer.city",
    "customer.region",
    "customer.tier",
    "customer.points",
    "coupon.code",
    "coupon.kind",
    "coupon.value",
    "coupon.min_spend",
    "coupon.expires",
    "top_category",
    "unsubscribe_url",
    "campaign.name",
    "variant",
    "step",
    "occurrence.date",
    "holiday",
    "years",
    "days_since_order",
    "shop.name",
    "shop.url",
    /* loyalty (issue 15, docs/loyalty.md) */
    "member.tier",
    "member.points",
    "member.expiring_points",
    "member.next_tier_gap",
    NULL,
};
const char *const enc_spec_list_fields[] = {"items", NULL};
const char *const enc_spec_item_fields[] = {"name",  "sku",    "price", "category",
                                            "brand", "reason", NULL};

static bool in_list(const char *const *l, const char *s, size_t n)
{
    for (size_t i = 0; l[i]; i++)
        if (strlen(l[i]) == n && memcmp(l[i], s, n) == 0) return true;
    return false;
}

/* A name from enc_tpl_names is valid when it is a field; or "L.x" with L a list and x an item
 * field (or a valid name itself: inside a section, names also reach the outer record); or
 * "S.x" with S a scalar used as a conditional section and x valid. */
static bool name_ok(const char *s, size_t n)
{
    if (in_list(enc_spec_fields, s, n) || in_list(enc_spec_list_fields, s, n)) return true;
    for (size_t i = 0; enc_spec_list_fields[i]; i++) {
        size_t l = strlen(enc_spec_list_fields[i]);
        if (n > l + 1 && memcmp(s, enc_spec_list_fields[i], l) == 0 && s[l] == '.') {
            const char *r = s + l + 1;
            size_t rn = n - l - 1;
            if (in_list(enc_spec_item_fields, r, rn) || name_ok(r, rn)) return true;
        }
    }
    for (size_t i = 0; enc_spec_fields[i]; i++) {
        size_t l = strlen(enc_spec_fields[i]);
        if (n > l + 1 && memcmp(s, enc_spec_fields[i], l) == 0 && s[l] == '.' &&
            name_ok(s + l + 1, n - l - 1))
            return true;
    }
    return false;
}

/* ---- small readers ----------------------------------------------------------------------- */

bool enc_spec_duration(const char *s, bool allow_neg, int64_t *out)
{
    bool neg = false;
    if (*s == '-' && allow_neg) neg = true, s++;
    if (!isdigit((unsigned char)*s)) return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v > 100LL * 365 * 86400) return false;
    int64_t unit;
    if (strcmp(end, "s") == 0) unit = 1;
    else if (strcmp(end, "m") == 0) unit = 60;
    else if (strcmp(end, "h") == 0) unit = 3600;
    else if (strcmp(end, "d") == 0) unit = 86400;
    else if (strcmp(end, "w") == 0) unit = 7 * 86400;
    else return false;
    *out = (neg ? -1 : 1) * (int64_t)v * unit;
    return true;
}

bool enc_spec_time(const char *s, int64_t *out) { return enc_time_parse(s, out, NULL); }

/* "HH:MM" into minutes after midnight, or -1. */
static int clock_minutes(const char *s)
{
    int h, m, used = 0;
    if (strlen(s) != 5 || sscanf(s, "%2d:%2d%n", &h, &m, &used) != 2 || used != 5) return -1;
    if (h < 0 || h > 23 || m < 0 || m > 59) return -1;
    return h * 60 + m;
}

static bool name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= ENC_SPEC_MAX_NAME) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

/* ---- the reader context ------------------------------------------------------------------ */

typedef struct rd {
    enc_err *err;
    char path[256];
} rd;

static enc_rc bad(rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static enc_rc bad(rd *r, const char *fmt, ...)
{
    char msg[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return enc_fail(r->err, ENC_EPARSE, "%s: %s", r->path[0] ? r->path : "(top)", msg);
}

/* Appends ".key" (or "[i]") to the path; returns the old length to restore. */
static size_t push(rd *r, const char *key)
{
    size_t l = strlen(r->path);
    snprintf(r->path + l, sizeof r->path - l, "%s%s", l ? "." : "", key);
    return l;
}
static size_t push_i(rd *r, size_t i)
{
    size_t l = strlen(r->path);
    snprintf(r->path + l, sizeof r->path - l, "[%zu]", i);
    return l;
}
static void pop(rd *r, size_t l) { r->path[l] = 0; }

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "true/false";
    default: return "null";
    }
}

/* Checks that obj (at the current path) is an object holding only keys of allowed. */
static enc_rc keys_only(rd *r, const json_t *obj, const char *const *allowed)
{
    if (!json_is_object(obj)) return bad(r, "expected an object, got %s", type_name(obj));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        (void)v;
        if (!in_list(allowed, k, strlen(k))) {
            const char *near = enc_aud_suggest_in(k, strlen(k), allowed);
            size_t l = push(r, k);
            enc_rc rc =
                near ? bad(r, "unknown key; did you mean '%s'?", near) : bad(r, "unknown key");
            pop(r, l);
            return rc;
        }
    }
    return ENC_OK;
}

static enc_rc get_str(rd *r, const json_t *obj, const char *key, bool required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v) {
        if (!required) return ENC_OK;
        size_t l = push(r, key);
        enc_rc rc = bad(r, "required");
        pop(r, l);
        return rc;
    }
    if (!json_is_string(v)) {
        size_t l = push(r, key);
        enc_rc rc = bad(r, "expected a string, got %s", type_name(v));
        pop(r, l);
        return rc;
    }
    *out = json_string_value(v);
    return ENC_OK;
}

static enc_rc get_num(rd *r, const json_t *v, double lo, double hi, double *out)
{
    if (!json_is_number(v)) return bad(r, "expected a number, got %s", type_name(v));
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi)) return bad(r, "%g is not within %g..%g", x, lo, hi);
    *out = x;
    return ENC_OK;
}

static enc_rc get_duration(rd *r, const json_t *v, bool neg, int64_t *out)
{
    if (!json_is_string(v) || !enc_spec_duration(json_string_value(v), neg, out))
        return bad(r, "expected a duration like \"30m\", \"1h\", \"3d\" or \"2w\"%s",
                   neg ? " (\"-3d\" before)" : "");
    return ENC_OK;
}

static enc_rc get_time(rd *r, const json_t *v, int64_t *out)
{
    if (!json_is_string(v) || !enc_spec_time(json_string_value(v), out))
        return bad(r, "expected a time \"YYYY-MM-DD[ HH:MM[:SS]]\" (UTC)");
    return ENC_OK;
}

/* money in currency units (two decimals) into minor units */
static enc_rc get_money(rd *r, const json_t *v, int64_t *out)
{
    double x;
    if (get_num(r, v, 0, 1e12, &x)) return r->err->rc;
    *out = (int64_t)llround(x * 100);
    return ENC_OK;
}

/* ---- trigger ----------------------------------------------------------------------------- */

static const char *const trig_kinds[] = {"once", "recurring", "event", "date", "predicted", NULL};
static const char *const trig_events[] = {"first_purchase", "purchase", "cart_abandoned",
                                          "no_purchase", NULL};
static const char *const trig_dates[] = {"birthday", "anniversary", "holiday", NULL};
static const char *const trig_preds[] = {"next_order", "replenishment", NULL};

const char *enc_trig_kind_name(enc_trig_kind k)
{
    return (unsigned)k <= ENC_TRIG_PREDICTED ? trig_kinds[k] : "?";
}
const char *enc_trig_event_name(const enc_spec_trigger *t)
{
    if (t->event == ENC_EVT_BEHAVIOUR) return enc_ev_type_name((enc_ev_type)t->ev_type);
    return trig_events[t->event];
}

static int index_of(const char *const *l, const char *s)
{
    for (int i = 0; l[i]; i++)
        if (strcmp(l[i], s) == 0) return i;
    return -1;
}

static enc_rc read_holidays(rd *r, const json_t *arr, enc_spec_trigger *t)
{
    if (!json_is_array(arr)) return bad(r, "expected an array of {\"name\", \"date\"}");
    size_t n = json_array_size(arr);
    if (n == 0) return bad(r, "needs at least one holiday");
    if (n > ENC_SPEC_MAX_HOLIDAYS) return bad(r, "more than %d holidays", ENC_SPEC_MAX_HOLIDAYS);
    t->holidays = enc_xcalloc(n, sizeof *t->holidays);
    t->nholidays = (int)n;
    static const char *const keys[] = {"name", "date", NULL};
    for (size_t i = 0; i < n; i++) {
        size_t l = push_i(r, i);
        json_t *h = json_array_get(arr, i);
        const char *name, *date;
        if (keys_only(r, h, keys) || get_str(r, h, "name", true, &name) ||
            get_str(r, h, "date", true, &date))
            return r->err->rc;
        if (!*name || strlen(name) >= ENC_SPEC_MAX_NAME) {
            push(r, "name");
            return bad(r, "1 to %d bytes", ENC_SPEC_MAX_NAME - 1);
        }
        enc_spec_holiday *hd = &t->holidays[i];
        snprintf(hd->name, sizeof hd->name, "%s", name);
        int y = 0, m, d, used = 0;
        bool ok;
        if (strlen(date) == 5)
            ok = sscanf(date, "%2d-%2d%n", &m, &d, &used) == 2 && used == 5 &&
                 enc_date_valid(2000, m, d);
        else
            ok = sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 &&
                 enc_date_valid(y, m, d);
        if (!ok) {
            push(r, "date");
            return bad(r, "expected \"MM-DD\" (every year) or \"YYYY-MM-DD\"");
        }
        hd->year = y, hd->month = m, hd->day = d;
        pop(r, l);
    }
    return ENC_OK;
}

static enc_rc read_trigger(rd *r, const json_t *o, enc_spec_trigger *t)
{
    if (!json_is_object(o)) return bad(r, "expected an object with \"type\"");
    const char *type;
    if (get_str(r, o, "type", true, &type)) return r->err->rc;
    int k = index_of(trig_kinds, type);
    if (k < 0) {
        size_t l = push(r, "type");
        enc_rc rc =
            bad(r, "'%s' is not a trigger type (once, recurring, event, date, predicted)", type);
        pop(r, l);
        return rc;
    }
    t->kind = (enc_trig_kind)k;
    t->nsteps = 1;
    t->local_minute = 10 * 60;
    t->catch_up = 86400;
    static const char *const k_once[] = {"type", "at", "catch_up", NULL};
    static const char *const k_rec[] = {"type", "every", "start", "end", "catch_up", NULL};
    static const char *const k_ev[] = {"type", "event", "delay", "delays", "catch_up", NULL};
    static const char *const k_date[] = {"type",     "date",     "offset", "at",
                                         "holidays", "catch_up", NULL};
    static const char *const k_pred[] = {"type", "date", "offset", "at", "catch_up", NULL};
    const char *const *keys[] = {k_once, k_rec, k_ev, k_date, k_pred};
    if (keys_only(r, o, keys[k])) return r->err->rc;
    json_t *v;
    size_t l;
#define FIELD(name) ((v = json_object_get(o, name)) ? (l = push(r, name), 1) : 0)
    if (FIELD("catch_up")) {
        if (get_duration(r, v, false, &t->catch_up)) return r->err->rc;
        pop(r, l);
    }
    switch (t->kind) {
    case ENC_TRIG_ONCE:
        if (FIELD("at")) {
            if (get_time(r, v, &t->at)) return r->err->rc;
            pop(r, l);
        }
        break;
    case ENC_TRIG_RECURRING:
        if (!FIELD("every")) {
            push(r, "every");
            return bad(r, "required (a duration such as \"7d\")");
        }
        if (get_duration(r, v, false, &t->every)) return r->err->rc;
        if (t->every < 3600) return bad(r, "at least 1h");
        pop(r, l);
        if (FIELD("start")) {
            if (get_time(r, v, &t->start)) return r->err->rc;
            pop(r, l);
        }
        if (FIELD("end")) {
            if (get_time(r, v, &t->end)) return r->err->rc;
            if (t->start && t->end <= t->start) return bad(r, "not after start");
            pop(r, l);
        }
        break;
    case ENC_TRIG_EVENT: {
        const char *ev;
        if (get_str(r, o, "event", true, &ev)) return r->err->rc;
        int e = index_of(trig_events, ev);
        if (e >= 0) {
            t->event = (enc_trig_event)e;
        } else {
            enc_ev_type et = enc_ev_type_parse(ev);
            if (et == EV_OTHER || et == EV_PURCHASE || et == EV_CART_ADD) {
                push(r, "event");
                return bad(r,
                           "'%s' is not an event: first_purchase, purchase, cart_abandoned, "
                           "no_purchase, or an event type (view, favorite, search, ...)",
                           ev);
            }
            t->event = ENC_EVT_BEHAVIOUR;
            t->ev_type = (int)et;
        }
        json_t *one = json_object_get(o, "delay"), *many = json_object_get(o, "delays");
        if (one && many) return bad(r, "give \"delay\" or \"delays\", not both");
        if (!one && !many) {
            push(r, "delay");
            return bad(r, "required (a duration such as \"1h\"; \"delays\": [...] for steps)");
        }
        if (one) {
            l = push(r, "delay");
            if (get_duration(r, one, false, &t->delays[0])) return r->err->rc;
            pop(r, l);
        } else {
            l = push(r, "delays");
            if (!json_is_array(many) || json_array_size(many) == 0)
                return bad(r, "expected an array of durations");
            if (json_array_size(many) > ENC_SPEC_MAX_STEPS)
                return bad(r, "more than %d steps", ENC_SPEC_MAX_STEPS);
            t->nsteps = (int)json_array_size(many);
            for (int i = 0; i < t->nsteps; i++) {
                size_t l2 = push_i(r, (size_t)i);
                if (get_duration(r, json_array_get(many, (size_t)i), false, &t->delays[i]))
                    return r->err->rc;
                if (i && t->delays[i] <= t->delays[i - 1]) return bad(r, "delays must increase");
                pop(r, l2);
            }
            pop(r, l);
        }
        if (t->event == ENC_EVT_NO_PURCHASE && t->delays[0] < 86400) {
            push(r, one ? "delay" : "delays");
            return bad(r, "no_purchase counts days: at least \"1d\"");
        }
        break;
    }
    case ENC_TRIG_DATE:
    case ENC_TRIG_PREDICTED: {
        const char *d;
        if (get_str(r, o, "date", true, &d)) return r->err->rc;
        int x = index_of(t->kind == ENC_TRIG_DATE ? trig_dates : trig_preds, d);
        if (x < 0) {
            push(r, "date");
            return bad(r,
                       t->kind == ENC_TRIG_DATE ? "'%s' is not birthday, anniversary or holiday"
                                                : "'%s' is not next_order or replenishment",
                       d);
        }
        if (t->kind == ENC_TRIG_DATE) t->date = (enc_trig_date)x;
        else t->pred = (enc_trig_pred)x;
        if (FIELD("offset")) {
            if (get_duration(r, v, true, &t->delays[0])) return r->err->rc;
            if (t->delays[0] % 86400) return bad(r, "whole days (\"-3d\", \"1d\")");
            if (llabs(t->delays[0]) > 366 * 86400) return bad(r, "more than a year");
            pop(r, l);
        }
        if (FIELD("at")) {
            if (!json_is_string(v) || (t->local_minute = clock_minutes(json_string_value(v))) < 0)
                return bad(r, "expected a local time \"HH:MM\"");
            pop(r, l);
        }
        if (t->kind == ENC_TRIG_DATE) {
            bool hol = t->date == ENC_DATE_HOLIDAY;
            if (FIELD("holidays")) {
                if (!hol) return bad(r, "only with \"date\": \"holiday\"");
                if (read_holidays(r, v, t)) return r->err->rc;
                pop(r, l);
            } else if (hol) {
                push(r, "holidays");
                return bad(r, "required with \"date\": \"holiday\"");
            }
        }
        break;
    }
    }
#undef FIELD
    return ENC_OK;
}

/* ---- offer ------------------------------------------------------------------------------- */

/* nsteps: the amounts an "amount" list has, one per step of `of` (the trigger or the journey) */
static enc_rc read_offer(rd *r, const json_t *o, int nsteps, const char *of, enc_spec_offer *f)
{
    static const char *const keys[] = {"kind",   "amount", "min_spend", "expires",
                                       "prefix", "length", NULL};
    if (keys_only(r, o, keys)) return r->err->rc;
    memset(f, 0, sizeof *f);
    f->present = true;
    f->length = 12;
    const char *kind;
    if (get_str(r, o, "kind", true, &kind)) return r->err->rc;
    if (strcmp(kind, "percent") == 0) f->percent = true;
    else if (strcmp(kind, "value") != 0) {
        push(r, "kind");
        return bad(r, "'%s' is not percent or value", kind);
    }
    json_t *a = json_object_get(o, "amount");
    size_t l = push(r, "amount");
    if (!a) return bad(r, "required");
    double hi = f->percent ? 100 : 1e9;
    if (json_is_array(a)) {
        size_t n = json_array_size(a);
        if ((int)n != nsteps)
            return bad(r, "%zu amounts for %d steps (one per step of the %s)", n, nsteps, of);
        for (size_t i = 0; i < n; i++) {
            size_t l2 = push_i(r, i);
            double x;
            if (get_num(r, json_array_get(a, i), 0, hi, &x)) return r->err->rc;
            if (f->percent && x != floor(x)) return bad(r, "whole percent points");
            f->amount[i] = f->percent ? (int64_t)x : (int64_t)llround(x * 100);
            pop(r, l2);
        }
        f->namount = (int)n;
    } else {
        double x;
        if (get_num(r, a, f->percent ? 1 : 0.01, hi, &x)) return r->err->rc;
        if (f->percent && x != floor(x)) return bad(r, "whole percent points");
        f->amount[0] = f->percent ? (int64_t)x : (int64_t)llround(x * 100);
        f->namount = 1;
    }
    pop(r, l);
    json_t *v;
    if ((v = json_object_get(o, "min_spend"))) {
        l = push(r, "min_spend");
        if (get_money(r, v, &f->min_spend)) return r->err->rc;
        pop(r, l);
    }
    if ((v = json_object_get(o, "expires"))) {
        l = push(r, "expires");
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        if (!enc_spec_duration(s, false, &f->expires_after) && !enc_spec_time(s, &f->expires_at))
            return bad(r, "expected a duration after issue (\"30d\") or a time (\"2026-01-31\")");
        if (f->expires_after == 0 && f->expires_at == 0) return bad(r, "must not be zero");
        pop(r, l);
    }
    const char *prefix;
    if (get_str(r, o, "prefix", false, &prefix)) return r->err->rc;
    if (prefix) {
        size_t n = strlen(prefix);
        bool ok = n <= 12;
        for (size_t i = 0; i < n && ok; i++)
            ok = (prefix[i] >= 'A' && prefix[i] <= 'Z') || (prefix[i] >= '0' && prefix[i] <= '9');
        if (!ok) {
            push(r, "prefix");
            return bad(r, "up to 12 of A-Z and 0-9");
        }
        memcpy(f->prefix, prefix, n + 1);
    }
    if ((v = json_object_get(o, "length"))) {
        l = push(r, "length");
        double x;
        if (get_num(r, v, 8, 29, &x)) return r->err->rc;
        if (x != floor(x)) return bad(r, "a whole number");
        f->length = (int)x;
        pop(r, l);
    }
    return ENC_OK;
}

/* ---- content ----------------------------------------------------------------------------- */

static const char *const part_names[ENC_PART_DATA0] = {
    "subject", "title", "text", "html", "link", "badge", "template_id", "url", "appid", "pagepath"};

/* The name of part p of content c, for paths ("data.thing1" for WeChat data). */
static const char *part_name(const enc_spec_content *c, int p, char *buf, size_t cap)
{
    if (p < ENC_PART_DATA0) return part_names[p];
    snprintf(buf, cap, "data.%s", c->data_key[p - ENC_PART_DATA0]);
    return buf;
}

static enc_rc set_part(rd *r, enc_spec_content *c, int p, const json_t *v)
{
    if (!json_is_string(v)) return bad(r, "expected a string, got %s", type_name(v));
    if (json_string_length(v) > ENC_TPL_MAX_SOURCE)
        return bad(r, "longer than %d bytes", ENC_TPL_MAX_SOURCE);
    free(c->src[p]);
    c->src[p] = enc_xstrndup(json_string_value(v), json_string_length(v));
    return ENC_OK;
}

static enc_rc read_content(rd *r, const json_t *o, enc_spec_content *c /* [CH_NCHANNELS] */)
{
    static const char *const chans[] = {ENC_CHANNEL_MAP(ENC_VOCAB_NAME) NULL};
    if (keys_only(r, o, chans)) return r->err->rc;
    for (int ch = 0; ch < CH_NCHANNELS; ch++) {
        json_t *co = json_object_get(o, enc_channel_name((enc_channel)ch));
        if (!co) continue;
        size_t l = push(r, enc_channel_name((enc_channel)ch));
        static const char *const k_email[] = {"subject", "text", "html", NULL};
        static const char *const k_text[] = {"text", NULL};
        static const char *const k_title[] = {"title", "text", NULL};
        static const char *const k_push[] = {"title", "text", "link", "badge", NULL};
        static const char *const k_wechat[] = {"title", "text",        "template_id", "url",
                                               "data",  "miniprogram", NULL};
        const char *const *keys = ch == CH_EMAIL    ? k_email
                                  : ch == CH_SMS    ? k_text
                                  : ch == CH_PUSH   ? k_push
                                  : ch == CH_WECHAT ? k_wechat
                                                    : k_title;
        if (keys_only(r, co, keys)) return r->err->rc;
        c[ch].present = true;
        for (int p = 0; p < ENC_PART_DATA0; p++) {
            json_t *v = json_object_get(co, part_names[p]);
            if (!v || p == ENC_PART_MP_APPID || p == ENC_PART_MP_PAGEPATH) continue;
            size_t l2 = push(r, part_names[p]);
            if (set_part(r, &c[ch], p, v)) return r->err->rc;
            pop(r, l2);
        }
        json_t *mp = json_object_get(co, "miniprogram");
        if (mp) {
            size_t l2 = push(r, "miniprogram");
            static const char *const k_mp[] = {"appid", "pagepath", NULL};
            if (!json_is_object(mp)) return bad(r, "expected an object {appid, pagepath}");
            if (keys_only(r, mp, k_mp)) return r->err->rc;
            json_t *a = json_object_get(mp, "appid");
            if (!a) return bad(r, "needs \"appid\"");
            size_t l3 = push(r, "appid");
            if (set_part(r, &c[ch], ENC_PART_MP_APPID, a)) return r->err->rc;
            pop(r, l3);
            json_t *pp = json_object_get(mp, "pagepath");
            if (pp) {
                l3 = push(r, "pagepath");
                if (set_part(r, &c[ch], ENC_PART_MP_PAGEPATH, pp)) return r->err->rc;
                pop(r, l3);
            }
            pop(r, l2);
        }
        json_t *data = json_object_get(co, "data");
        if (data) {
            size_t l2 = push(r, "data");
            if (!json_is_object(data))
                return bad(r, "expected an object of template keys to template strings");
            if (json_object_size(data) > ENC_SPEC_MAX_DATA)
                return bad(r, "at most %d keys", ENC_SPEC_MAX_DATA);
            for (int k = 0; k < ENC_SPEC_MAX_DATA; k++) {
                free(c[ch].src[ENC_PART_DATA0 + k]);
                c[ch].src[ENC_PART_DATA0 + k] = NULL;
                c[ch].data_key[k][0] = 0;
            }
            const char *key;
            json_t *v;
            int k = 0;
            json_object_foreach(data, key, v)
            {
                size_t l3 = push(r, key);
                size_t kl = strlen(key);
                if (kl == 0 || kl > 32 ||
                    strspn(key,
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != kl)
                    return bad(r, "a template key is 1-32 of A-Z a-z 0-9 _");
                if (set_part(r, &c[ch], ENC_PART_DATA0 + k, v)) return r->err->rc;
                snprintf(c[ch].data_key[k], sizeof c[ch].data_key[k], "%s", key);
                k++;
                pop(r, l3);
            }
            pop(r, l2);
        }
        pop(r, l);
    }
    return ENC_OK;
}

/* Compiles and checks the templates of a variant's content; path is "content" or
 * "variants[i].content" for the parts the variant gave. */
static enc_rc compile_content(rd *r, enc_spec_content *c, const char *base_path)
{
    for (int ch = 0; ch < CH_NCHANNELS; ch++) {
        if (!c[ch].present) continue;
        for (int p = 0; p < ENC_NPARTS; p++) {
            if (!c[ch].src[p]) continue;
            char pn[48];
            snprintf(r->path, sizeof r->path, "%s.%s.%s", base_path,
                     enc_channel_name((enc_channel)ch), part_name(&c[ch], p, pn, sizeof pn));
            enc_err terr = {0};
            if (enc_tpl_compile(c[ch].src[p], strlen(c[ch].src[p]), &c[ch].tpl[p], &terr))
                return bad(r, "%s", terr.msg);
            const char **names;
            size_t nn = enc_tpl_names(c[ch].tpl[p], &names);
            for (size_t i = 0; i < nn; i++) {
                if (name_ok(names[i], strlen(names[i]))) continue;
                const char *last = strrchr(names[i], '.');
                const char *near = enc_aud_suggest_in(names[i], strlen(names[i]), enc_spec_fields);
                bool in_list_section = false;
                for (size_t k = 0; enc_spec_list_fields[k]; k++) {
                    size_t ln = strlen(enc_spec_list_fields[k]);
                    if (strncmp(names[i], enc_spec_list_fields[k], ln) == 0 && names[i][ln] == '.')
                        in_list_section = true;
                }
                if (!near && last && in_list_section)
                    near = enc_aud_suggest_in(last + 1, strlen(last + 1), enc_spec_item_fields);
                if (near) return bad(r, "unknown field '%s'; did you mean '%s'?", names[i], near);
                return bad(r,
                           "unknown field '%s' (templates see only the fields listed in "
                           "docs/campaigns.md)",
                           names[i]);
            }
        }
    }
    return ENC_OK;
}

static void content_free(enc_spec_content *c)
{
    for (int ch = 0; ch < CH_NCHANNELS; ch++)
        for (int p = 0; p < ENC_NPARTS; p++) {
            free(c[ch].src[p]);
            enc_tpl_free(c[ch].tpl[p]);
        }
}

static void content_copy(enc_spec_content *dst, const enc_spec_content *src)
{
    for (int ch = 0; ch < CH_NCHANNELS; ch++) {
        dst[ch].present = src[ch].present;
        memcpy(dst[ch].data_key, src[ch].data_key, sizeof dst[ch].data_key);
        for (int p = 0; p < ENC_NPARTS; p++) {
            dst[ch].src[p] = src[ch].src[p] ? enc_xstrdup(src[ch].src[p]) : NULL;
            dst[ch].tpl[p] = NULL;
        }
    }
}

/* ---- journey ----------------------------------------------------------------------------- */

static int jstep_index(const enc_journey *j, const char *name)
{
    for (int i = 0; i < j->nsteps; i++)
        if (strcmp(j->steps[i].name, name) == 0) return i;
    return -1;
}

/* "next": a step's name or "end" (-1) */
static enc_rc read_next(rd *r, const json_t *v, const enc_journey *j, int *out)
{
    const char *nx = json_is_string(v) ? json_string_value(v) : NULL;
    if (!nx) return bad(r, "expected a step's name or \"end\"");
    if (strcmp(nx, "end") == 0) {
        *out = -1;
        return ENC_OK;
    }
    int k = jstep_index(j, nx);
    if (k >= 0) {
        *out = k;
        return ENC_OK;
    }
    const char *names[ENC_JOURNEY_MAX_STEPS + 2];
    int n = 0;
    for (int i = 0; i < j->nsteps; i++) names[n++] = j->steps[i].name;
    names[n++] = "end";
    names[n] = NULL;
    const char *near = enc_aud_suggest_in(nx, strlen(nx), names);
    if (near) return bad(r, "unknown step '%s'; did you mean '%s'?", nx, near);
    return bad(r, "unknown step '%s'", nx);
}

static enc_rc read_branch(rd *r, const json_t *o, const enc_journey *j, enc_jbranch *b)
{
    static const char *const k_branch[] = {"name", "when", "next", NULL};
    static const char *const k_when[] = {"opened",       "clicked",         "bought",
                                         "unsubscribed", "bought_category", NULL};
    if (keys_only(r, o, k_branch)) return r->err->rc;
    const char *name;
    if (get_str(r, o, "name", true, &name)) return r->err->rc;
    if (!name_valid(name) || strcmp(name, "end") == 0 || strcmp(name, "otherwise") == 0) {
        push(r, "name");
        return bad(r, "1 to %d of A-Z a-z 0-9 . _ - (not \"end\" or \"otherwise\")",
                   ENC_SPEC_MAX_NAME - 1);
    }
    snprintf(b->name, sizeof b->name, "%s", name);
    for (int c = 0; c < ENC_JC_NCOND; c++) b->want[c] = -1;
    json_t *w = json_object_get(o, "when");
    size_t l = push(r, "when");
    if (!w) return bad(r, "required: what the customer did, e.g. {\"opened\": false}");
    if (keys_only(r, w, k_when)) return r->err->rc;
    if (json_object_size(w) == 0) return bad(r, "names no condition (use the step's \"next\")");
    for (int c = 0; c < ENC_JC_NCOND; c++) {
        json_t *x = json_object_get(w, k_when[c]);
        if (!x) continue;
        size_t l2 = push(r, k_when[c]);
        if (!json_is_boolean(x)) return bad(r, "expected true or false");
        b->want[c] = json_is_true(x) ? 1 : 0;
        pop(r, l2);
    }
    const char *cat;
    if (get_str(r, w, "bought_category", false, &cat)) return r->err->rc;
    if (cat) {
        size_t l2 = push(r, "bought_category");
        if (!*cat || strlen(cat) >= sizeof b->category) return bad(r, "1 to 127 bytes");
        snprintf(b->category, sizeof b->category, "%s", cat);
        pop(r, l2);
    }
    pop(r, l);
    json_t *nx = json_object_get(o, "next");
    l = push(r, "next");
    if (!nx) return bad(r, "required: a step's name or \"end\"");
    if (read_next(r, nx, j, &b->next)) return r->err->rc;
    pop(r, l);
    return ENC_OK;
}

/* Depth-first search for a path that comes back to a step: from step i, with `on` marking
 * the steps of the current path (1) and the steps known to end (2). */
static int journey_cycle(const enc_journey *j, int i, uint8_t *on, int *stack, int depth)
{
    if (on[i] == 2) return -1;
    if (on[i] == 1) {
        stack[depth] = i;
        return depth;
    }
    on[i] = 1;
    stack[depth] = i;
    const enc_jstep *st = &j->steps[i];
    for (int b = 0; b <= st->nbranches; b++) {
        int nx = b < st->nbranches ? st->branches[b].next : st->next;
        if (nx < 0) continue;
        int d = journey_cycle(j, nx, on, stack, depth + 1);
        if (d >= 0) return d;
    }
    on[i] = 2;
    return -1;
}

static enc_rc read_journey(rd *r, const json_t *o, enc_spec *s)
{
    static const char *const k_journey[] = {"steps", "max_entries", "reentry_after", NULL};
    static const char *const k_step[] = {"name", "delay",    "channel", "content", "offer",
                                         "wait", "branches", "next",    NULL};
    enc_journey *j = &s->journey;
    if (keys_only(r, o, k_journey)) return r->err->rc;
    json_t *v = json_object_get(o, "max_entries");
    if (v) {
        size_t l = push(r, "max_entries");
        double x;
        if (get_num(r, v, 1, 1000000, &x)) return r->err->rc;
        if (x != floor(x)) return bad(r, "expected a whole number");
        j->max_entries = (int)x;
        pop(r, l);
    }
    if ((v = json_object_get(o, "reentry_after"))) {
        size_t l = push(r, "reentry_after");
        if (get_duration(r, v, false, &j->reentry_after)) return r->err->rc;
        pop(r, l);
    }
    json_t *steps = json_object_get(o, "steps");
    size_t l = push(r, "steps");
    if (!steps) return bad(r, "required: the journey's steps");
    if (!json_is_array(steps) || json_array_size(steps) < 1 ||
        json_array_size(steps) > ENC_JOURNEY_MAX_STEPS)
        return bad(r, "expected an array of 1 to %d steps", ENC_JOURNEY_MAX_STEPS);
    size_t n = json_array_size(steps);
    j->steps = enc_xcalloc(n, sizeof *j->steps);
    /* names first: branches may name later steps */
    for (size_t i = 0; i < n; i++) {
        json_t *so = json_array_get(steps, i);
        size_t l2 = push_i(r, i);
        if (keys_only(r, so, k_step)) return r->err->rc;
        const char *name;
        if (get_str(r, so, "name", true, &name)) return r->err->rc;
        if (!name_valid(name) || strcmp(name, "end") == 0) {
            push(r, "name");
            return bad(r, "1 to %d of A-Z a-z 0-9 . _ - (not \"end\")", ENC_SPEC_MAX_NAME - 1);
        }
        if (jstep_index(j, name) >= 0) {
            push(r, "name");
            return bad(r, "'%s' names two steps", name);
        }
        snprintf(j->steps[i].name, sizeof j->steps[i].name, "%s", name);
        j->nsteps++;
        pop(r, l2);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *so = json_array_get(steps, i);
        enc_jstep *st = &j->steps[i];
        size_t l2 = push_i(r, i);
        json_t *x = json_object_get(so, "delay");
        size_t l3 = push(r, "delay");
        if (!x)
            return bad(r, "required: how long after %s (\"0s\" for at once)",
                       i == 0 ? "the entry" : "the previous step's window");
        if (get_duration(r, x, false, &st->delay)) return r->err->rc;
        pop(r, l3);
        const char *chn;
        if (get_str(r, so, "channel", true, &chn)) return r->err->rc;
        st->channel = enc_channel_parse(chn);
        bool listed = false;
        for (int c = 0; c < s->nchannels; c++) listed |= s->channels[c] == st->channel;
        if (st->channel < 0 || !listed) {
            push(r, "channel");
            return bad(r, "'%s' is not one of the campaign's \"channels\"", chn);
        }
        x = json_object_get(so, "content");
        l3 = push(r, "content");
        if (!x) return bad(r, "required: the %s message", chn);
        if (read_content(r, x, st->content)) return r->err->rc;
        for (int ch = 0; ch < CH_NCHANNELS; ch++)
            if (ch != st->channel && st->content[ch].present) {
                push(r, enc_channel_name((enc_channel)ch));
                return bad(r, "the step sends on %s only", chn);
            }
        const enc_spec_content *cc = &st->content[st->channel];
        push(r, chn);
        if (!cc->present) return bad(r, "required: the step's channel");
        if (st->channel == CH_EMAIL && !cc->src[ENC_PART_SUBJECT])
            return bad(r, "needs a \"subject\"");
        if (st->channel == CH_EMAIL && !cc->src[ENC_PART_TEXT] && !cc->src[ENC_PART_HTML])
            return bad(r, "needs \"text\" or \"html\"");
        if (st->channel == CH_WECHAT && !cc->src[ENC_PART_TEXT] && !cc->src[ENC_PART_DATA0])
            return bad(r, "needs \"data\" (the template's keys) or \"text\"");
        if (st->channel != CH_EMAIL && st->channel != CH_WECHAT && !cc->src[ENC_PART_TEXT])
            return bad(r, "needs \"text\"");
        pop(r, l3);
        char base[64];
        snprintf(base, sizeof base, "journey.steps[%zu].content", i);
        char keep[sizeof r->path];
        memcpy(keep, r->path, sizeof keep);
        if (compile_content(r, st->content, base)) return r->err->rc;
        memcpy(r->path, keep, sizeof keep);
        if ((x = json_object_get(so, "offer"))) {
            l3 = push(r, "offer");
            if (!json_is_boolean(x)) return bad(r, "expected true or false");
            st->offer = json_is_true(x);
            if (st->offer && !s->variants[0].offer.present)
                return bad(r, "true, but the campaign has no \"offer\"");
            pop(r, l3);
        }
        st->next = -1;
        if ((x = json_object_get(so, "next"))) {
            l3 = push(r, "next");
            if (read_next(r, x, j, &st->next)) return r->err->rc;
            pop(r, l3);
        }
        json_t *br = json_object_get(so, "branches");
        if (br) {
            l3 = push(r, "branches");
            if (!json_is_array(br) || json_array_size(br) < 1 ||
                json_array_size(br) > ENC_JOURNEY_MAX_BRANCHES)
                return bad(r, "expected an array of 1 to %d branches", ENC_JOURNEY_MAX_BRANCHES);
            for (size_t b = 0; b < json_array_size(br); b++) {
                size_t l4 = push_i(r, b);
                if (read_branch(r, json_array_get(br, b), j, &st->branches[b])) return r->err->rc;
                for (size_t e = 0; e < b; e++)
                    if (strcmp(st->branches[e].name, st->branches[b].name) == 0) {
                        push(r, "name");
                        return bad(r, "'%s' names two branches of the step", st->branches[b].name);
                    }
                st->nbranches++;
                pop(r, l4);
            }
            pop(r, l3);
        }
        x = json_object_get(so, "wait");
        l3 = push(r, "wait");
        if (x) {
            if (get_duration(r, x, false, &st->wait)) return r->err->rc;
            if (st->wait <= 0) return bad(r, "must be longer than 0s");
        } else if (st->nbranches) {
            return bad(r, "required: the window the branches look at (e.g. \"24h\")");
        }
        pop(r, l3);
        pop(r, l2);
    }
    /* every path ends: no step leads back to itself */
    uint8_t on[ENC_JOURNEY_MAX_STEPS] = {0};
    int stack[ENC_JOURNEY_MAX_STEPS + 1];
    for (int i = 0; i < j->nsteps; i++) {
        int d = journey_cycle(j, i, on, stack, 0);
        if (d < 0) continue;
        int start = 0;
        while (start < d && stack[start] != stack[d]) start++;
        char cyc[ENC_JOURNEY_MAX_STEPS * (ENC_SPEC_MAX_NAME + 3)] = "";
        size_t cl = 0;
        for (int k = start; k <= d; k++)
            cl += (size_t)snprintf(cyc + cl, sizeof cyc - cl, "%s%s", k > start ? " > " : "",
                                   j->steps[stack[k]].name);
        return bad(r, "the steps make a cycle (%s): every path must end", cyc);
    }
    /* steps no path reaches are mistakes */
    uint8_t reach[ENC_JOURNEY_MAX_STEPS] = {1};
    for (int pass = 0; pass < j->nsteps; pass++)
        for (int i = 0; i < j->nsteps; i++) {
            if (!reach[i]) continue;
            const enc_jstep *st = &j->steps[i];
            for (int b = 0; b <= st->nbranches; b++) {
                int nx = b < st->nbranches ? st->branches[b].next : st->next;
                if (nx >= 0) reach[nx] = 1;
            }
        }
    for (int i = 0; i < j->nsteps; i++)
        if (!reach[i]) {
            push_i(r, (size_t)i);
            return bad(r, "no path reaches step '%s' (name it in a \"next\")", j->steps[i].name);
        }
    pop(r, l);
    return ENC_OK;
}

/* ---- the campaign ------------------------------------------------------------------------ */

void enc_spec_free(enc_spec *s)
{
    if (!s) return;
    free(s->description);
    free(s->audience);
    free(s->trigger.holidays);
    for (int i = 0; i < ENC_SPEC_MAX_VARIANTS; i++) content_free(s->variants[i].content);
    for (int i = 0; i < s->journey.nsteps; i++) content_free(s->journey.steps[i].content);
    free(s->journey.steps);
    free(s->text);
    free(s);
}

static const char *const top_keys[] = {
    "name",          "description", "audience", "trigger",    "exit",        "offer",
    "content",       "channels",    "variants", "holdout",    "priority",    "budget",
    "on_cap",        "send_within", "items",    "ab",         "track_links", "track_opens",
    "transactional", "purpose",     "journey",  "uplift_top", "send_time",   NULL,
};

static enc_rc read_spec(rd *r, const json_t *root, enc_store *st, enc_spec *s)
{
    if (keys_only(r, root, top_keys)) return r->err->rc;
    const char *name;
    if (get_str(r, root, "name", true, &name)) return r->err->rc;
    if (!name_valid(name)) {
        push(r, "name");
        return bad(r, "1 to %d of A-Z a-z 0-9 . _ -", ENC_SPEC_MAX_NAME - 1);
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    const char *desc;
    if (get_str(r, root, "description", false, &desc)) return r->err->rc;
    if (desc) s->description = enc_xstrdup(desc);

    /* audience: an expression, or {"segment": NAME} */
    json_t *v = json_object_get(root, "audience");
    size_t l;
    if (v) {
        l = push(r, "audience");
        const char *expr = NULL;
        char *made = NULL;
        if (json_is_string(v)) {
            expr = json_string_value(v);
        } else if (json_is_object(v)) {
            static const char *const k_aud[] = {"segment", NULL};
            const char *seg;
            if (keys_only(r, v, k_aud) || get_str(r, v, "segment", true, &seg)) return r->err->rc;
            enc_buf b = {0};
            enc_buf_adds(&b, "segment(");
            enc_json_escape(&b, seg, strlen(seg));
            enc_buf_adds(&b, ")");
            expr = made = enc_buf_steal(&b);
        } else {
            return bad(r, "expected an expression (a string) or {\"segment\": NAME}");
        }
        if (strlen(expr) > ENC_AUD_MAX_SRC) {
            free(made);
            return bad(r, "longer than %d bytes", ENC_AUD_MAX_SRC);
        }
        /* without a store, expressions naming saved segments are checked when planned */
        enc_arena *a = enc_arena_new(4096);
        const char **refs;
        size_t nrefs = 0;
        enc_err e2 = {0};
        enc_aud_pos where = {0, 0};
        enc_rc rc = enc_aud_segment_refs(expr, strlen(expr), a, &refs, &nrefs, &e2);
        if (!rc && (st || nrefs == 0))
            rc = enc_aud_check(st, NULL, expr, strlen(expr), &where, &e2);
        enc_arena_free(a);
        if (rc) {
            free(made);
            return bad(r, "%s", e2.msg);
        }
        s->audience = made ? made : enc_xstrdup(expr);
        pop(r, l);
    }

    v = json_object_get(root, "trigger");
    l = push(r, "trigger");
    if (!v) return bad(r, "required (once, recurring, event, date or predicted)");
    if (read_trigger(r, v, &s->trigger)) return r->err->rc;
    pop(r, l);

    if ((v = json_object_get(root, "exit"))) {
        l = push(r, "exit");
        if (!json_is_array(v))
            return bad(r, "expected an array of bought, unsubscribed, complained");
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            size_t l2 = push_i(r, i);
            const char *e = json_is_string(x) ? json_string_value(x) : "";
            if (strcmp(e, "bought") == 0) s->exit |= ENC_EXIT_BOUGHT;
            else if (strcmp(e, "unsubscribed") == 0) s->exit |= ENC_EXIT_UNSUBSCRIBED;
            else if (strcmp(e, "complained") == 0) s->exit |= ENC_EXIT_COMPLAINED;
            else return bad(r, "expected bought, unsubscribed or complained");
            pop(r, l2);
        }
        pop(r, l);
    }

    /* an offer's amounts are one per step: the trigger's delays, or a journey's steps */
    int offer_steps = s->trigger.nsteps;
    json_t *jsteps = json_object_get(json_object_get(root, "journey"), "steps");
    if (json_is_array(jsteps) && json_array_size(jsteps) >= 1 &&
        json_array_size(jsteps) <= ENC_JOURNEY_MAX_STEPS)
        offer_steps = (int)json_array_size(jsteps);
    const char *offer_of = jsteps ? "journey" : "trigger";

    v = json_object_get(root, "channels");
    l = push(r, "channels");
    if (!v) return bad(r, "required: channels in order of preference, e.g. [\"email\", \"sms\"]");
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > CH_NCHANNELS)
        return bad(r, "expected an array of 1 to %d channels", CH_NCHANNELS);
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *x = json_array_get(v, i);
        size_t l2 = push_i(r, i);
        int ch = json_is_string(x) ? enc_channel_parse(json_string_value(x)) : -1;
        if (ch < 0) return bad(r, "expected one of email, sms, push, wechat, inapp");
        for (int j = 0; j < s->nchannels; j++)
            if (s->channels[j] == ch) return bad(r, "'%s' listed twice", json_string_value(x));
        s->channels[s->nchannels++] = ch;
        pop(r, l2);
    }
    pop(r, l);

    /* offer and content of the campaign (variants may override them) */
    enc_spec_offer offer = {0};
    if ((v = json_object_get(root, "offer"))) {
        l = push(r, "offer");
        if (read_offer(r, v, offer_steps, offer_of, &offer)) return r->err->rc;
        pop(r, l);
    }
    enc_spec_content base[CH_NCHANNELS];
    memset(base, 0, sizeof base);
    if ((v = json_object_get(root, "content"))) {
        l = push(r, "content");
        if (read_content(r, v, base)) {
            content_free(base);
            return r->err->rc;
        }
        pop(r, l);
    }

    json_t *vars = json_object_get(root, "variants");
    int nv = 0;
    if (vars) {
        l = push(r, "variants");
        if (!json_is_array(vars) || json_array_size(vars) == 0 ||
            json_array_size(vars) > ENC_SPEC_MAX_VARIANTS) {
            content_free(base);
            return bad(r, "expected an array of 1 to %d variants", ENC_SPEC_MAX_VARIANTS);
        }
        nv = (int)json_array_size(vars);
        pop(r, l);
    }
    s->nvariants = nv ? nv : 1;
    double share_sum = 0;
    for (int i = 0; i < s->nvariants; i++) {
        enc_spec_variant *var = &s->variants[i];
        content_copy(var->content, base);
        var->offer = offer;
        if (!nv) {
            snprintf(var->name, sizeof var->name, "A");
            var->share = 1;
            continue;
        }
        json_t *vo = json_array_get(vars, (size_t)i);
        snprintf(r->path, sizeof r->path, "variants[%d]", i);
        static const char *const k_var[] = {"name", "share", "content", "offer", NULL};
        const char *vname;
        if (keys_only(r, vo, k_var) || get_str(r, vo, "name", true, &vname)) break;
        if (!name_valid(vname)) {
            push(r, "name");
            bad(r, "1 to %d of A-Z a-z 0-9 . _ -", ENC_SPEC_MAX_NAME - 1);
            break;
        }
        for (int j = 0; j < i && !r->err->rc; j++)
            if (strcmp(s->variants[j].name, vname) == 0) {
                push(r, "name");
                bad(r, "'%s' used twice", vname);
            }
        if (r->err->rc) break;
        snprintf(var->name, sizeof var->name, "%s", vname);
        json_t *sh = json_object_get(vo, "share");
        l = push(r, "share");
        if (!sh) {
            bad(r, "required (the variants' shares add up to 1)");
            break;
        }
        if (get_num(r, sh, 0, 1, &var->share)) break;
        pop(r, l);
        share_sum += var->share;
        json_t *x;
        if ((x = json_object_get(vo, "offer"))) {
            l = push(r, "offer");
            if (read_offer(r, x, offer_steps, offer_of, &var->offer)) break;
            pop(r, l);
        }
        if ((x = json_object_get(vo, "content"))) {
            l = push(r, "content");
            if (read_content(r, x, var->content)) break;
            pop(r, l);
        }
    }
    content_free(base);
    if (r->err->rc) return r->err->rc;
    if (nv && fabs(share_sum - 1) > 1e-9) {
        snprintf(r->path, sizeof r->path, "variants");
        return bad(r, "the shares add up to %g, not 1", share_sum);
    }

    /* a journey: its steps carry the messages (and the delays) */
    if ((v = json_object_get(root, "journey"))) {
        static const char *const alone[] = {"content", "variants", "ab", NULL};
        for (int k = 0; alone[k]; k++)
            if (json_object_get(root, alone[k])) {
                snprintf(r->path, sizeof r->path, "%s", alone[k]);
                return bad(r, "a journey's steps carry its content (no \"%s\" beside \"journey\")",
                           alone[k]);
            }
        if (s->trigger.nsteps > 1) {
            snprintf(r->path, sizeof r->path, "trigger.delays");
            return bad(r, "a journey's steps carry the delays (one entry delay at most)");
        }
        snprintf(r->path, sizeof r->path, "journey");
        if (read_journey(r, v, s)) return r->err->rc;
    }

    /* every channel has content; every variant's templates compile and use known fields */
    for (int i = 0; i < s->nvariants && !s->journey.nsteps; i++) {
        enc_spec_variant *var = &s->variants[i];
        char vpath[96];
        if (nv) snprintf(vpath, sizeof vpath, "variants[%d].content", i);
        else snprintf(vpath, sizeof vpath, "content");
        for (int c = 0; c < s->nchannels; c++) {
            int ch = s->channels[c];
            const enc_spec_content *cc = &var->content[ch];
            snprintf(r->path, sizeof r->path, "%s.%s", vpath, enc_channel_name((enc_channel)ch));
            if (!cc->present) return bad(r, "required: the channel is listed in \"channels\"");
            if (ch == CH_EMAIL && !cc->src[ENC_PART_SUBJECT]) return bad(r, "needs a \"subject\"");
            if (ch == CH_EMAIL && !cc->src[ENC_PART_TEXT] && !cc->src[ENC_PART_HTML])
                return bad(r, "needs \"text\" or \"html\"");
            if (ch == CH_WECHAT && !cc->src[ENC_PART_TEXT] && !cc->src[ENC_PART_DATA0])
                return bad(r, "needs \"data\" (the template's keys) or \"text\"");
            if (ch != CH_EMAIL && ch != CH_WECHAT && !cc->src[ENC_PART_TEXT])
                return bad(r, "needs \"text\"");
        }
        if (compile_content(r, var->content, vpath)) return r->err->rc;
    }
    r->path[0] = 0;

    /* every campaign is measured against a control group unless its file says otherwise:
     * 10% by default; "holdout": 0 turns it off on purpose (plan then warns) */
    s->holdout = ENC_SPEC_DEFAULT_HOLDOUT;
    if ((v = json_object_get(root, "holdout"))) {
        l = push(r, "holdout");
        if (get_num(r, v, 0, 0.9, &s->holdout)) return r->err->rc;
        pop(r, l);
    }
    if ((v = json_object_get(root, "uplift_top"))) { /* branch intel2: uplift targeting */
        l = push(r, "uplift_top");
        static const char *const k_u[] = {"campaign", "share", NULL};
        const char *from;
        if (keys_only(r, v, k_u) || get_str(r, v, "campaign", true, &from)) return r->err->rc;
        if (!name_valid(from)) return bad(r, "campaign: a campaign name");
        snprintf(s->uplift_from, sizeof s->uplift_from, "%s", from);
        json_t *sh = json_object_get(v, "share");
        if (!sh) return bad(r, "share: the top share to target, e.g. 0.3");
        if (get_num(r, sh, 0.01, 1, &s->uplift_share)) return r->err->rc;
        pop(r, l);
    }
    s->priority = 5;
    if ((v = json_object_get(root, "priority"))) {
        l = push(r, "priority");
        double x;
        if (get_num(r, v, 0, 9, &x)) return r->err->rc;
        if (x != floor(x)) return bad(r, "a whole number 0..9 (9 first)");
        s->priority = (int)x;
        pop(r, l);
    }
    s->budget_messages = s->budget_coupons = -1;
    if ((v = json_object_get(root, "budget"))) {
        l = push(r, "budget");
        static const char *const k_b[] = {"messages", "coupons", NULL};
        if (keys_only(r, v, k_b)) return r->err->rc;
        for (int i = 0; i < 2; i++) {
            json_t *x = json_object_get(v, k_b[i]);
            if (!x) continue;
            size_t l2 = push(r, k_b[i]);
            double d;
            if (get_num(r, x, 0, 1e12, &d)) return r->err->rc;
            if (d != floor(d)) return bad(r, "a whole number");
            *(i ? &s->budget_coupons : &s->budget_messages) = (int64_t)d;
            pop(r, l2);
        }
        pop(r, l);
    }
    s->on_cap_defer = true;
    const char *oc;
    if (get_str(r, root, "on_cap", false, &oc)) return r->err->rc;
    if (oc) {
        if (strcmp(oc, "drop") == 0) s->on_cap_defer = false;
        else if (strcmp(oc, "defer") != 0) {
            push(r, "on_cap");
            return bad(r, "expected defer or drop");
        }
    }
    s->track_links = s->track_opens = true;
    static const char *const track_keys[] = {"track_links", "track_opens"};
    for (int k = 0; k < 2; k++)
        if ((v = json_object_get(root, track_keys[k]))) {
            if (!json_is_boolean(v)) {
                push(r, track_keys[k]);
                return bad(r, "expected true or false, got %s", type_name(v));
            }
            *(k ? &s->track_opens : &s->track_links) = json_is_true(v);
        }
    if ((v = json_object_get(root, "transactional"))) {
        if (!json_is_boolean(v)) {
            push(r, "transactional");
            return bad(r, "expected true or false, got %s", type_name(v));
        }
        s->transactional = json_is_true(v);
    }
    if ((v = json_object_get(root, "send_time"))) { /* branch sendtime: issue 19 item 3 */
        const char *t = json_string_value(v);
        l = push(r, "send_time");
        if (!t || (strcmp(t, "due") != 0 && strcmp(t, "optimal") != 0))
            return bad(r, "\"due\" (when the message falls due) or \"optimal\" (each customer's"
                          " best hour within 7 days)");
        s->send_optimal = strcmp(t, "optimal") == 0;
        pop(r, l);
    }
    /* the consent purpose (branch privacy, issue 16): transactional mail is "service" */
    s->purpose = s->transactional ? "service" : "marketing";
    if ((v = json_object_get(root, "purpose"))) {
        const char *pu = json_string_value(v);
        push(r, "purpose");
        if (!pu || (strcmp(pu, "marketing") != 0 && strcmp(pu, "service") != 0))
            return bad(r, "\"marketing\" or \"service\" (the consent a customer must have given)");
        if (s->transactional && strcmp(pu, "service") != 0)
            return bad(r, "a transactional campaign's purpose is \"service\"");
        s->purpose = strcmp(pu, "service") == 0 ? "service" : "marketing";
    }
    s->send_within = 7 * 86400;
    if ((v = json_object_get(root, "send_within"))) {
        l = push(r, "send_within");
        if (get_duration(r, v, false, &s->send_within)) return r->err->rc;
        if (s->send_within < 3600) return bad(r, "at least 1h");
        pop(r, l);
    }
    if ((v = json_object_get(root, "items"))) {
        l = push(r, "items");
        static const char *const k_i[] = {"from", "max", "kind", NULL};
        static const char *const froms[] = {"none",        "trigger", "top_categories",
                                            "complements", "upsell",  "new_arrivals",
                                            "recommended", NULL};
        const char *from, *kind;
        if (keys_only(r, v, k_i) || get_str(r, v, "from", true, &from) ||
            get_str(r, v, "kind", false, &kind))
            return r->err->rc;
        int f = index_of(froms, from);
        if (f < 0) {
            push(r, "from");
            return bad(r, "expected recommended, trigger, top_categories, complements, upsell or "
                          "new_arrivals");
        }
        s->items_from = (enc_items_from)f;
        if (kind) {
            /* the recommendation kinds a message can use (recommend.h, enc_rec_kind order) */
            static const char *const kinds[] = {"personal", "cross", "up", "cart", NULL};
            int k = index_of(kinds, kind);
            size_t l2 = push(r, "kind");
            if (f != ENC_ITEMS_RECOMMENDED) return bad(r, "only with \"from\": \"recommended\"");
            if (k < 0) return bad(r, "expected personal, cross, up or cart");
            s->items_kind = k;
            pop(r, l2);
        }
        s->items_max = 3;
        json_t *x = json_object_get(v, "max");
        if (x) {
            push(r, "max");
            double d;
            if (get_num(r, x, 1, 20, &d)) return r->err->rc;
            s->items_max = (int)d;
        }
        pop(r, l);
    }
    if ((v = json_object_get(root, "ab"))) {
        l = push(r, "ab");
        static const char *const k_ab[] = {"test_share", "decide_after", "metric", NULL};
        if (keys_only(r, v, k_ab)) return r->err->rc;
        if (s->nvariants < 2) return bad(r, "an A/B test needs at least two variants");
        if (s->trigger.kind != ENC_TRIG_ONCE && s->trigger.kind != ENC_TRIG_RECURRING)
            return bad(r, "test-then-roll-out needs a once or recurring trigger");
        s->ab = true;
        json_t *x = json_object_get(v, "test_share");
        size_t l2 = push(r, "test_share");
        if (!x) return bad(r, "required (the share of the audience that tests the variants)");
        if (get_num(r, x, 0.01, 0.99, &s->ab_test_share)) return r->err->rc;
        pop(r, l2);
        x = json_object_get(v, "decide_after");
        l2 = push(r, "decide_after");
        if (!x) return bad(r, "required (a duration after the start, such as \"3d\")");
        if (get_duration(r, x, false, &s->ab_decide_after)) return r->err->rc;
        pop(r, l2);
        const char *metric;
        if (get_str(r, v, "metric", false, &metric)) return r->err->rc;
        if (metric) {
            static const char *const ms[] = {"conversion", "revenue", "click", NULL};
            int m = index_of(ms, metric);
            if (m < 0) {
                push(r, "metric");
                return bad(r, "expected conversion, revenue or click");
            }
            s->ab_metric = (enc_ab_metric)m;
        }
        pop(r, l);
    }
    return ENC_OK;
}

enc_rc enc_spec_parse(const char *text, size_t n, enc_store *st, enc_spec **out, enc_err *err)
{
    *out = NULL;
    if (n > ENC_SPEC_MAX_BYTES)
        return enc_fail(err, ENC_ELIMIT, "campaign file larger than %d bytes", ENC_SPEC_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return enc_fail(err, ENC_EPARSE, "line %d, column %d: %s", je.line, je.column, je.text);
    enc_spec *s = enc_xcalloc(1, sizeof *s);
    enc_err local = {0};
    rd r = {err ? err : &local, ""};
    r.err->rc = ENC_OK;
    enc_rc rc = read_spec(&r, root, st, s);
    json_decref(root);
    if (rc) {
        enc_spec_free(s);
        return rc;
    }
    s->text = enc_xstrndup(text, n);
    *out = s;
    return ENC_OK;
}

/* ---- settings ---------------------------------------------------------------------------- */

void enc_settings_default(enc_settings *s)
{
    memset(s, 0, sizeof *s);
    enc_policy_default(&s->policy);
    snprintf(s->default_tz, sizeof s->default_tz, "UTC");
    snprintf(s->unsubscribe_url, sizeof s->unsubscribe_url, "https://shop.example/unsubscribe");
    snprintf(s->shop_name, sizeof s->shop_name, "our shop");
    snprintf(s->shop_url, sizeof s->shop_url, "https://shop.example/");
    s->sms_max_segments = 3;
}

static enc_rc copy_str(rd *r, const json_t *o, const char *key, char *dst, size_t cap)
{
    const char *v;
    if (get_str(r, o, key, false, &v)) return r->err->rc;
    if (!v) return ENC_OK;
    if (strlen(v) >= cap) {
        size_t l = push(r, key);
        enc_rc rc = bad(r, "longer than %zu bytes", cap - 1);
        pop(r, l);
        return rc;
    }
    memcpy(dst, v, strlen(v) + 1);
    return ENC_OK;
}

enc_rc enc_settings_parse(const char *text, size_t n, enc_settings *s, enc_err *err)
{
    if (n > ENC_SPEC_MAX_BYTES)
        return enc_fail(err, ENC_ELIMIT, "settings larger than %d bytes", ENC_SPEC_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return enc_fail(err, ENC_EPARSE, "line %d, column %d: %s", je.line, je.column, je.text);
    enc_err local = {0};
    rd r = {err ? err : &local, ""};
    r.err->rc = ENC_OK;
    enc_settings t = *s;
    static const char *const keys[] = {
        "caps",      "quiet_hours", "default_timezone", "unsubscribe_url",  "track_base_url",
        "shop_name", "shop_url",    "sms_signature",    "sms_max_segments", "link_hosts",
        NULL};
    json_t *v;
    if (keys_only(&r, root, keys)) goto out;
    if ((v = json_object_get(root, "caps"))) {
        push(&r, "caps");
        if (!json_is_array(v) || json_array_size(v) > ENC_POLICY_MAX_CAPS) {
            bad(&r, "expected an array of at most %d {\"channel\", \"max\", \"window\"}",
                ENC_POLICY_MAX_CAPS);
            goto out;
        }
        t.policy.ncaps = 0;
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *c = json_array_get(v, i);
            size_t l = push_i(&r, i);
            static const char *const k_cap[] = {"channel", "max", "window", NULL};
            const char *ch;
            if (keys_only(&r, c, k_cap) || get_str(&r, c, "channel", true, &ch)) goto out;
            enc_cap *cap = &t.policy.caps[t.policy.ncaps++];
            cap->channel = strcmp(ch, "all") == 0 ? ENC_CAP_ALL_CHANNELS : enc_channel_parse(ch);
            if (cap->channel == -1 && strcmp(ch, "all") != 0) {
                push(&r, "channel");
                bad(&r, "expected all, email, sms, push, wechat or inapp");
                goto out;
            }
            json_t *x = json_object_get(c, "max");
            size_t l2 = push(&r, "max");
            double d;
            if (!x) {
                bad(&r, "required");
                goto out;
            }
            if (get_num(&r, x, 0, 1000, &d)) goto out;
            cap->max = (int)d;
            pop(&r, l2);
            x = json_object_get(c, "window");
            l2 = push(&r, "window");
            if (!x) {
                bad(&r, "required (a duration such as \"7d\")");
                goto out;
            }
            if (get_duration(&r, x, false, &cap->window)) goto out;
            if (cap->window <= 0) {
                bad(&r, "must be positive");
                goto out;
            }
            pop(&r, l2);
            pop(&r, l);
        }
        r.path[0] = 0;
    }
    if ((v = json_object_get(root, "quiet_hours"))) {
        push(&r, "quiet_hours");
        if (json_is_null(v)) {
            t.policy.quiet_start = t.policy.quiet_end = 0;
        } else {
            static const char *const k_q[] = {"start", "end", NULL};
            const char *a, *b;
            if (keys_only(&r, v, k_q) || get_str(&r, v, "start", true, &a) ||
                get_str(&r, v, "end", true, &b))
                goto out;
            int qa = clock_minutes(a), qb = clock_minutes(b);
            if (qa < 0 || qb < 0) {
                bad(&r, "expected local times \"HH:MM\"");
                goto out;
            }
            t.policy.quiet_start = qa, t.policy.quiet_end = qb;
        }
        r.path[0] = 0;
    }
    if (copy_str(&r, root, "default_timezone", t.default_tz, sizeof t.default_tz) ||
        copy_str(&r, root, "unsubscribe_url", t.unsubscribe_url, sizeof t.unsubscribe_url) ||
        copy_str(&r, root, "track_base_url", t.track_base_url, sizeof t.track_base_url) ||
        copy_str(&r, root, "shop_name", t.shop_name, sizeof t.shop_name) ||
        copy_str(&r, root, "shop_url", t.shop_url, sizeof t.shop_url) ||
        copy_str(&r, root, "sms_signature", t.sms_signature, sizeof t.sms_signature))
        goto out;
    if ((v = json_object_get(root, "link_hosts"))) {
        push(&r, "link_hosts");
        if (!json_is_array(v) || json_array_size(v) > 16) {
            bad(&r, "expected an array of at most 16 host names");
            goto out;
        }
        t.nlink_hosts = 0;
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *h = json_array_get(v, i);
            const char *hs = json_is_string(h) ? json_string_value(h) : NULL;
            size_t hl = hs ? strlen(hs) : 0;
            if (!hs || hl == 0 || hl > 253 ||
                strspn(hs, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
                    hl ||
                hs[0] == '.' || hs[hl - 1] == '.') {
                bad(&r, "entry %zu: a host name (letters, digits, '.', '-')", i + 1);
                goto out;
            }
            snprintf(t.link_hosts[t.nlink_hosts++], sizeof t.link_hosts[0], "%s", hs);
        }
        r.path[0] = 0;
    }
    if ((v = json_object_get(root, "sms_max_segments"))) {
        push(&r, "sms_max_segments");
        double d;
        if (get_num(&r, v, 1, 10, &d)) goto out;
        if (d != floor(d)) {
            bad(&r, "a whole number 1..10");
            goto out;
        }
        t.sms_max_segments = (int)d;
        r.path[0] = 0;
    }
    {
        /* the tracking server's base: links are BASE/t/c/TOKEN, so a URL a token could name,
         * without a query or fragment; kept without its trailing '/' */
        char *b = t.track_base_url;
        size_t bn = strlen(b);
        while (bn && b[bn - 1] == '/') b[--bn] = 0;
        const char *why = NULL;
        if (bn && (!enc_token_url_ok(b, bn, &why) || strpbrk(b, "?#"))) {
            snprintf(r.path, sizeof r.path, "track_base_url");
            bad(&r, "expected the tracking server's base URL (http:// or https://, no query): %s",
                why ? why : "it has a query or fragment");
            goto out;
        }
    }
    {
        enc_tz *tz;
        enc_err e2 = {0};
        if (enc_tz_load(t.default_tz, &tz, &e2)) {
            snprintf(r.path, sizeof r.path, "default_timezone");
            bad(&r, "%s", e2.msg);
            goto out;
        }
        enc_tz_free(tz);
    }
    *s = t;
out:
    json_decref(root);
    return r.err->rc;
}

static void fmt_duration(char *out, size_t cap, int64_t s)
{
    if (s % (7 * 86400) == 0) snprintf(out, cap, "%lldw", (long long)(s / (7 * 86400)));
    else if (s % 86400 == 0) snprintf(out, cap, "%lldd", (long long)(s / 86400));
    else if (s % 3600 == 0) snprintf(out, cap, "%lldh", (long long)(s / 3600));
    else if (s % 60 == 0) snprintf(out, cap, "%lldm", (long long)(s / 60));
    else snprintf(out, cap, "%llds", (long long)s);
}

void enc_settings_json(const enc_settings *s, enc_buf *out)
{
    enc_jw w;
    enc_jw_init(&w, out);
    enc_jw_obj(&w);
    enc_jw_key(&w, "caps");
    enc_jw_arr(&w);
    for (int i = 0; i < s->policy.ncaps; i++) {
        const enc_cap *c = &s->policy.caps[i];
        char d[32];
        fmt_duration(d, sizeof d, c->window);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "channel",
                    c->channel == ENC_CAP_ALL_CHANNELS ? "all"
                                                       : enc_channel_name((enc_channel)c->channel));
        enc_jw_kint(&w, "max", c->max);
        enc_jw_kstr(&w, "window", d);
        enc_jw_end(&w);
    }
    enc_jw_end(&w);
    enc_jw_key(&w, "quiet_hours");
    if (s->policy.quiet_start == s->policy.quiet_end) {
        enc_jw_null(&w);
    } else {
        char a[16], b[16];
        snprintf(a, sizeof a, "%02d:%02d", s->policy.quiet_start / 60, s->policy.quiet_start % 60);
        snprintf(b, sizeof b, "%02d:%02d", s->policy.quiet_end / 60, s->policy.quiet_end % 60);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "start", a);
        enc_jw_kstr(&w, "end", b);
        enc_jw_end(&w);
    }
    enc_jw_kstr(&w, "default_timezone", s->default_tz);
    enc_jw_kstr(&w, "unsubscribe_url", s->unsubscribe_url);
    enc_jw_kstr(&w, "track_base_url", s->track_base_url);
    enc_jw_kstr(&w, "shop_name", s->shop_name);
    enc_jw_kstr(&w, "shop_url", s->shop_url);
    enc_jw_kstr(&w, "sms_signature", s->sms_signature);
    enc_jw_kint(&w, "sms_max_segments", s->sms_max_segments);
    enc_jw_key(&w, "link_hosts");
    enc_jw_arr(&w);
    for (int i = 0; i < s->nlink_hosts; i++) enc_jw_str(&w, s->link_hosts[i]);
    enc_jw_end(&w);
    enc_jw_end(&w);
}
