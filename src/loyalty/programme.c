/* programme.c — reads the loyalty programme file (JSON, docs/loyalty.md) into an enc_programme.
 * Strict by design: a key the programme does not know is an error, not ignored, so a typo in a
 * rule ("catgories") can never silently earn the wrong points. */
#include "loyalty/programme.h"
#include "base/mem.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
    const char *what;
    enc_err *err;
} ctx;

static enc_rc bad(ctx *c, const char *path, const char *fmt, const char *arg)
{
    char why[400];
    snprintf(why, sizeof why, fmt, arg ? arg : "");
    return enc_fail(c->err, ENC_EPARSE, "%s: %s: %s", c->what, path, why);
}

/* every key of o must be one of the NULL-terminated names */
static enc_rc only_keys(ctx *c, const char *path, json_t *o, const char *const *names)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        bool known = false;
        for (size_t i = 0; names[i] && !known; i++) known = strcmp(k, names[i]) == 0;
        if (!known) {
            char p[200];
            snprintf(p, sizeof p, "%s%s%.100s", path, *path ? "." : "", k);
            return bad(c, p, "unknown rule%s", "");
        }
    }
    return ENC_OK;
}

static void subpath(char *out, size_t cap, const char *path, const char *k)
{
    snprintf(out, cap, "%s%s%s", path, *path ? "." : "", k);
}

/* an integer field in [lo, hi]; absent keeps *out */
static enc_rc get_int(ctx *c, const char *path, json_t *o, const char *k, int64_t lo, int64_t hi,
                      int64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!v) return ENC_OK;
    char p[200];
    subpath(p, sizeof p, path, k);
    if (!json_is_integer(v)) return bad(c, p, "must be a whole number%s", "");
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi) {
        char r[80];
        snprintf(r, sizeof r, "%lld to %lld", (long long)lo, (long long)hi);
        return bad(c, p, "out of range (%s)", r);
    }
    *out = x;
    return ENC_OK;
}

/* a multiplier or rate: a number in [0, 100] kept in hundredths */
static enc_rc get_mult(ctx *c, const char *path, json_t *v, int64_t *out)
{
    if (!json_is_number(v)) return bad(c, path, "must be a number%s", "");
    double x = json_number_value(v);
    if (!(x >= 0 && x <= 100)) return bad(c, path, "out of range (0 to 100)%s", "");
    double h = x * 100;
    if (fabs(h - llround(h)) > 1e-6) return bad(c, path, "at most two decimals%s", "");
    *out = llround(h);
    return ENC_OK;
}

static enc_rc get_bool(ctx *c, const char *path, json_t *o, const char *k, bool *out)
{
    json_t *v = json_object_get(o, k);
    if (!v) return ENC_OK;
    char p[200];
    subpath(p, sizeof p, path, k);
    if (!json_is_boolean(v)) return bad(c, p, "must be true or false%s", "");
    *out = json_is_true(v);
    return ENC_OK;
}

static enc_rc get_name(ctx *c, const char *path, json_t *v, char *out, size_t cap)
{
    if (!json_is_string(v)) return bad(c, path, "must be a string%s", "");
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (n == 0 || n >= cap) return bad(c, path, "must be 1 to %s bytes", cap > 60 ? "95" : "47");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20) return bad(c, path, "control character%s", "");
    memcpy(out, s, n + 1);
    return ENC_OK;
}

static enc_rc obj(ctx *c, const char *path, json_t *v)
{
    return json_is_object(v) ? ENC_OK : bad(c, path, "must be an object%s", "");
}

/* {"key": multiplier, ...} */
static enc_rc mults(ctx *c, const char *path, json_t *o, enc_prog_mult **out, size_t *n)
{
    if (!o) return ENC_OK;
    if (obj(c, path, o)) return c->err->rc;
    size_t cnt = json_object_size(o);
    if (cnt > ENC_PROG_MAX_RULES) return bad(c, path, "more than 256 entries%s", "");
    *out = enc_xcalloc(cnt ? cnt : 1, sizeof **out);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        char p[200];
        subpath(p, sizeof p, path, k);
        enc_prog_mult *m = &(*out)[(*n)++];
        if (!*k || strlen(k) >= sizeof m->key) return bad(c, p, "key must be 1 to 95 bytes%s", "");
        snprintf(m->key, sizeof m->key, "%s", k);
        if (get_mult(c, p, v, &m->mult100)) return c->err->rc;
    }
    return ENC_OK;
}

static enc_rc parse_earn(ctx *c, json_t *e, enc_programme *p)
{
    static const char *const keys[] = {
        "points_per_unit", "currency_unit", "categories", "skus", "member_day",
        "cap_per_order",   "cap_per_day",   "bonuses",    NULL};
    if (obj(c, "earn", e) || only_keys(c, "earn", e, keys)) return c->err->rc;
    json_t *v;
    if ((v = json_object_get(e, "points_per_unit")) &&
        get_mult(c, "earn.points_per_unit", v, &p->rate100))
        return c->err->rc;
    if (get_int(c, "earn", e, "currency_unit", 1, 1000000, &p->unit) ||
        get_int(c, "earn", e, "cap_per_order", 0, INT64_C(1) << 40, &p->cap_order) ||
        get_int(c, "earn", e, "cap_per_day", 0, INT64_C(1) << 40, &p->cap_day))
        return c->err->rc;
    if (mults(c, "earn.categories", json_object_get(e, "categories"), &p->cats, &p->ncats) ||
        mults(c, "earn.skus", json_object_get(e, "skus"), &p->skus, &p->nskus))
        return c->err->rc;
    if ((v = json_object_get(e, "member_day"))) {
        static const char *const mk[] = {"day", "multiplier", NULL};
        if (obj(c, "earn.member_day", v) || only_keys(c, "earn.member_day", v, mk))
            return c->err->rc;
        int64_t day = 0;
        if (get_int(c, "earn.member_day", v, "day", 1, 31, &day)) return c->err->rc;
        if (!day) return bad(c, "earn.member_day.day", "required (1 to 31)%s", "");
        json_t *m = json_object_get(v, "multiplier");
        if (!m) return bad(c, "earn.member_day.multiplier", "required%s", "");
        if (get_mult(c, "earn.member_day.multiplier", m, &p->member_day_mult100)) return c->err->rc;
        p->member_day = (int)day;
    }
    if ((v = json_object_get(e, "bonuses"))) {
        static const char *const bk[] = {"signup", "first_order", "birthday",
                                         "review", "nps",         NULL};
        if (obj(c, "earn.bonuses", v) || only_keys(c, "earn.bonuses", v, bk)) return c->err->rc;
        const int64_t hi = 10000000;
        if (get_int(c, "earn.bonuses", v, "signup", 0, hi, &p->bonus_signup) ||
            get_int(c, "earn.bonuses", v, "first_order", 0, hi, &p->bonus_first_order) ||
            get_int(c, "earn.bonuses", v, "birthday", 0, hi, &p->bonus_birthday) ||
            get_int(c, "earn.bonuses", v, "review", 0, hi, &p->bonus_review) ||
            get_int(c, "earn.bonuses", v, "nps", 0, hi, &p->bonus_nps))
            return c->err->rc;
    }
    return ENC_OK;
}

static enc_rc parse_expiry(ctx *c, json_t *e, enc_programme *p)
{
    static const char *const keys[] = {"months", "end_of_year_after", "never", NULL};
    if (obj(c, "expiry", e) || only_keys(c, "expiry", e, keys)) return c->err->rc;
    if (json_object_size(e) != 1)
        return bad(c, "expiry", "give one of months, end_of_year_after or never%s", "");
    int64_t n = 0;
    bool never = false;
    if (json_object_get(e, "months")) {
        if (get_int(c, "expiry", e, "months", 1, 240, &n)) return c->err->rc;
        p->expiry = ENC_EXPIRY_MONTHS;
    } else if (json_object_get(e, "end_of_year_after")) {
        if (get_int(c, "expiry", e, "end_of_year_after", 0, 20, &n)) return c->err->rc;
        p->expiry = ENC_EXPIRY_END_OF_YEAR;
    } else {
        if (get_bool(c, "expiry", e, "never", &never)) return c->err->rc;
        if (!never) return bad(c, "expiry.never", "must be true when given%s", "");
        p->expiry = ENC_EXPIRY_NEVER;
    }
    p->expiry_n = (int)n;
    return ENC_OK;
}

static enc_rc parse_tier(ctx *c, const char *path, json_t *t, enc_prog_tier *out, int64_t *max)
{
    static const char *const keys[] = {"name", "min", "max", "multiplier", "benefits", NULL};
    if (obj(c, path, t) || only_keys(c, path, t, keys)) return c->err->rc;
    char p[200];
    subpath(p, sizeof p, path, "name");
    if (get_name(c, p, json_object_get(t, "name"), out->name, sizeof out->name)) return c->err->rc;
    subpath(p, sizeof p, path, "min");
    if (!json_object_get(t, "min")) return bad(c, p, "required%s", "");
    if (get_int(c, path, t, "min", 0, INT64_C(1) << 50, &out->min)) return c->err->rc;
    *max = -1;
    if (get_int(c, path, t, "max", 0, INT64_C(1) << 50, max)) return c->err->rc;
    out->mult100 = 100;
    json_t *v;
    subpath(p, sizeof p, path, "multiplier");
    if ((v = json_object_get(t, "multiplier")) && get_mult(c, p, v, &out->mult100))
        return c->err->rc;
    if ((v = json_object_get(t, "benefits"))) {
        static const char *const bk[] = {"discount_pct", "free_shipping", "early_access",
                                         "birthday_points", NULL};
        subpath(p, sizeof p, path, "benefits");
        if (obj(c, p, v) || only_keys(c, p, v, bk)) return c->err->rc;
        if (get_int(c, p, v, "discount_pct", 0, 100, &out->discount_pct) ||
            get_bool(c, p, v, "free_shipping", &out->free_shipping) ||
            get_bool(c, p, v, "early_access", &out->early_access) ||
            get_int(c, p, v, "birthday_points", 0, 10000000, &out->birthday_points))
            return c->err->rc;
    }
    return ENC_OK;
}

static int tier_cmp(const void *a, const void *b)
{
    const enc_prog_tier *x = a, *y = b;
    return x->min < y->min ? -1 : x->min > y->min;
}

static enc_rc parse_tiers(ctx *c, json_t *t, enc_programme *p)
{
    static const char *const keys[] = {"by",         "window_months", "review",
                                       "grace_days", "levels",        NULL};
    if (obj(c, "tiers", t) || only_keys(c, "tiers", t, keys)) return c->err->rc;
    json_t *v = json_object_get(t, "by");
    if (v) {
        const char *by = json_is_string(v) ? json_string_value(v) : "";
        if (strcmp(by, "spend") == 0) p->qual = ENC_QUAL_SPEND;
        else if (strcmp(by, "points") == 0) p->qual = ENC_QUAL_POINTS;
        else if (strcmp(by, "orders") == 0) p->qual = ENC_QUAL_ORDERS;
        else return bad(c, "tiers.by", "must be spend, points or orders%s", "");
    }
    int64_t w = p->window_months, g = p->grace_days;
    if (get_int(c, "tiers", t, "window_months", 1, 120, &w) ||
        get_int(c, "tiers", t, "grace_days", 0, 3650, &g))
        return c->err->rc;
    p->window_months = (int)w;
    p->grace_days = (int)g;
    if ((v = json_object_get(t, "review"))) {
        static const char *const rk[] = {"month", "day", NULL};
        if (obj(c, "tiers.review", v) || only_keys(c, "tiers.review", v, rk)) return c->err->rc;
        int64_t m = 1, d = 1;
        if (get_int(c, "tiers.review", v, "month", 1, 12, &m) ||
            get_int(c, "tiers.review", v, "day", 1, 28, &d))
            return c->err->rc;
        p->review_month = (int)m;
        p->review_day = (int)d;
    }
    json_t *lv = json_object_get(t, "levels");
    if (!json_is_array(lv) || json_array_size(lv) == 0)
        return bad(c, "tiers.levels", "must be a non-empty array%s", "");
    size_t n = json_array_size(lv);
    if (n > ENC_PROG_MAX_RULES) return bad(c, "tiers.levels", "more than 256 tiers%s", "");
    p->tiers = enc_xcalloc(n, sizeof *p->tiers);
    int64_t *maxes = enc_xcalloc(n, sizeof *maxes);
    enc_rc rc = ENC_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        char path[64];
        snprintf(path, sizeof path, "tiers.levels[%zu]", i);
        rc = parse_tier(c, path, json_array_get(lv, i), &p->tiers[i], &maxes[i]);
        p->ntiers = i + 1;
        for (size_t j = 0; j < i && !rc; j++)
            if (strcmp(p->tiers[j].name, p->tiers[i].name) == 0)
                rc = bad(c, path, "name '%s' given twice", p->tiers[i].name);
    }
    /* overlap: two tiers from the same minimum, or a tier's max reaching the next tier's min */
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t j = 0; j < n && !rc; j++) {
            if (i == j) continue;
            const enc_prog_tier *a = &p->tiers[i], *b = &p->tiers[j];
            bool ov = (a->min == b->min && i < j) ||
                      (maxes[i] >= 0 && b->min > a->min && b->min <= maxes[i]);
            if (maxes[i] >= 0 && maxes[i] < a->min) {
                char path[64];
                snprintf(path, sizeof path, "tiers.levels[%zu].max", i);
                rc = bad(c, path, "below its min%s", "");
            } else if (ov) {
                char path[64], why[200];
                snprintf(path, sizeof path, "tiers.levels[%zu]", j);
                snprintf(why, sizeof why, "%s overlaps %s", b->name, a->name);
                rc = bad(c, path, "tiers overlap: %s", why);
            }
        }
    free(maxes);
    if (rc) return rc;
    qsort(p->tiers, n, sizeof *p->tiers, tier_cmp);
    if (p->tiers[0].min != 0)
        return bad(c, "tiers.levels", "the lowest tier must start at min 0 (%s does not)",
                   p->tiers[0].name);
    return ENC_OK;
}

static enc_rc parse_rewards(ctx *c, json_t *r, enc_programme *p)
{
    if (!json_is_array(r)) return bad(c, "rewards", "must be an array%s", "");
    size_t n = json_array_size(r);
    if (n > ENC_PROG_MAX_RULES) return bad(c, "rewards", "more than 256 rewards%s", "");
    p->rewards = enc_xcalloc(n ? n : 1, sizeof *p->rewards);
    for (size_t i = 0; i < n; i++) {
        static const char *const keys[] = {"id", "points", "kind", "value", "sku", NULL};
        char path[64], q[96];
        snprintf(path, sizeof path, "rewards[%zu]", i);
        json_t *o = json_array_get(r, i);
        enc_prog_reward *w = &p->rewards[i];
        p->nrewards = i + 1;
        if (obj(c, path, o) || only_keys(c, path, o, keys)) return c->err->rc;
        subpath(q, sizeof q, path, "id");
        if (get_name(c, q, json_object_get(o, "id"), w->id, sizeof w->id)) return c->err->rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->rewards[j].id, w->id) == 0) return bad(c, q, "'%s' given twice", w->id);
        subpath(q, sizeof q, path, "points");
        if (!json_object_get(o, "points")) return bad(c, q, "required%s", "");
        if (get_int(c, path, o, "points", 1, INT64_C(1) << 40, &w->points)) return c->err->rc;
        subpath(q, sizeof q, path, "kind");
        if (get_name(c, q, json_object_get(o, "kind"), w->kind, sizeof w->kind)) return c->err->rc;
        if (strcmp(w->kind, "coupon") == 0) {
            subpath(q, sizeof q, path, "value");
            if (!json_object_get(o, "value")) return bad(c, q, "required for a coupon%s", "");
            if (get_int(c, path, o, "value", 1, INT64_C(1) << 40, &w->value)) return c->err->rc;
        } else if (strcmp(w->kind, "product") == 0) {
            subpath(q, sizeof q, path, "sku");
            if (get_name(c, q, json_object_get(o, "sku"), w->sku, sizeof w->sku)) return c->err->rc;
        } else {
            return bad(c, q, "must be coupon or product, not '%s'", w->kind);
        }
    }
    return ENC_OK;
}

enc_rc enc_prog_parse(const char *text, size_t n, const char *what, enc_programme *out,
                      enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->unit = 100;
    out->rate100 = 100;
    out->window_months = 12;
    out->review_month = out->review_day = 1;
    out->point_value = 1;
    out->expiry = ENC_EXPIRY_NEVER;
    ctx c = {what, err};
    if (n > ENC_PROG_FILE_MAX)
        return enc_fail(err, ENC_ELIMIT, "%s: larger than %d bytes", what, ENC_PROG_FILE_MAX);
    json_error_t je;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!root) return enc_fail(err, ENC_EPARSE, "%s:%d:%d: %s", what, je.line, je.column, je.text);
    static const char *const keys[] = {"name",  "earn",    "returns",     "expiry",
                                       "tiers", "rewards", "point_value", NULL};
    enc_rc rc = ENC_OK;
    json_t *v;
    if (obj(&c, "(top)", root) || only_keys(&c, "", root, keys)) goto done;
    if ((v = json_object_get(root, "name")) && get_name(&c, "name", v, out->name, sizeof out->name))
        goto done;
    if ((v = json_object_get(root, "earn")) && parse_earn(&c, v, out)) goto done;
    if ((v = json_object_get(root, "returns"))) {
        static const char *const rk[] = {"allow_negative", NULL};
        if (obj(&c, "returns", v) || only_keys(&c, "returns", v, rk) ||
            get_bool(&c, "returns", v, "allow_negative", &out->allow_negative))
            goto done;
    }
    if ((v = json_object_get(root, "expiry")) && parse_expiry(&c, v, out)) goto done;
    if ((v = json_object_get(root, "point_value"))) {
        if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1e6) {
            bad(&c, "point_value", "must be a number of minor units, 0 to 1000000%s", "");
            goto done;
        }
        out->point_value = json_number_value(v);
    }
    if ((v = json_object_get(root, "tiers"))) {
        if (parse_tiers(&c, v, out)) goto done;
    } else {
        out->tiers = enc_xcalloc(1, sizeof *out->tiers);
        snprintf(out->tiers[0].name, sizeof out->tiers[0].name, "member");
        out->tiers[0].mult100 = 100;
        out->ntiers = 1;
    }
    if ((v = json_object_get(root, "rewards")) && parse_rewards(&c, v, out)) goto done;
done:
    json_decref(root);
    rc = err->rc;
    if (rc) enc_prog_free(out);
    return rc;
}

void enc_prog_free(enc_programme *p)
{
    free(p->cats);
    free(p->skus);
    free(p->tiers);
    free(p->rewards);
    p->cats = p->skus = NULL;
    p->tiers = NULL;
    p->rewards = NULL;
    p->ncats = p->nskus = p->ntiers = p->nrewards = 0;
}

size_t enc_prog_tier_for(const enc_programme *p, int64_t metric)
{
    size_t t = 0;
    for (size_t i = 0; i < p->ntiers; i++)
        if (metric >= p->tiers[i].min) t = i;
    return t;
}

int enc_prog_tier_index(const enc_programme *p, const char *name)
{
    for (size_t i = 0; name && i < p->ntiers; i++)
        if (strcmp(p->tiers[i].name, name) == 0) return (int)i;
    return -1;
}

const enc_prog_reward *enc_prog_reward_find(const enc_programme *p, const char *id)
{
    for (size_t i = 0; id && i < p->nrewards; i++)
        if (strcmp(p->rewards[i].id, id) == 0) return &p->rewards[i];
    return NULL;
}
