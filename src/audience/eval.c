/* eval.c — the segment language's compiler and column evaluator (see eval.h).
 *
 * Compiling resolves every name against the registry (fields.h), checks types, arguments,
 * value sets and saved segments, and turns the AST into a tree of ops that read columns in
 * place: numeric comparisons become closed intervals over a double column (missing = NaN
 * fails every comparison), text comparisons a lookup table over value ids, behaviour
 * functions a window, a per-product table and a count. It runs twice: first without data
 * (collecting the fields used, so profile columns load in one query), then with it.
 *
 * Running evaluates op(mask) -> bits for all customers at once: every op computes its bits
 * only where the mask is set, so `a and b` runs b only on a's customers and `a or b` runs b
 * only on the rest. Bitset temporaries and the product stamps of cart_abandoned come from
 * one workspace allocated per run; the kernels themselves never allocate. */
#include "audience/eval.h"
#include "store/store_uplift.h"
#include "audience/parser.h"
#include "base/datetime.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0

/* ---- sets -------------------------------------------------------------------------------- */

static size_t nwords(size_t n) { return (n + 63) / 64; }

void enc_aud_set_init(enc_aud_set *s, size_t n)
{
    s->n = n;
    s->w = enc_xcalloc(nwords(n) ? nwords(n) : 1, sizeof *s->w);
}

void enc_aud_set_free(enc_aud_set *s)
{
    free(s->w);
    s->w = NULL;
    s->n = 0;
}

size_t enc_aud_set_count(const enc_aud_set *s)
{
    size_t c = 0;
    for (size_t k = 0; k < nwords(s->n); k++) c += (size_t)__builtin_popcountll(s->w[k]);
    return c;
}

size_t enc_aud_set_indexes(const enc_aud_set *s, int32_t *idx)
{
    size_t c = 0;
    for (size_t k = 0; k < nwords(s->n); k++)
        for (uint64_t m = s->w[k]; m; m &= m - 1)
            idx[c++] = (int32_t)(k * 64 + (size_t)__builtin_ctzll(m));
    return c;
}

/* ---- ops --------------------------------------------------------------------------------- */

typedef enum op_kind {
    OP_TRUE,
    OP_FALSE,
    OP_AND,
    OP_OR,
    OP_NOT,
    OP_RANGE,   /* num column within one of the closed intervals (neg: present and not) */
    OP_COLCOL,  /* col op col2, both present */
    OP_TXT,     /* id >= 0 and tab[id] != neg */
    OP_LIST,    /* some item with tab[item]; tab NULL: the list is not empty */
    OP_ORDERS,  /* bought(): sale orders in the window with a matching line */
    OP_EVENTS,  /* viewed(), event(): events of the types with a matching product */
    OP_CART,    /* cart_abandoned() */
    OP_CONSENT, /* consent bits */
} op_kind;

typedef struct op {
    op_kind kind;
    int cost;
    struct op **kid;
    int nkid;
    /* RANGE, COLCOL */
    const double *col, *col2;
    double *lo, *hi; /* closed intervals */
    int nint;
    bool neg;
    enc_aud_op cmp;
    /* TXT, LIST */
    const int32_t *ids;
    const int64_t *off;
    const uint8_t *tab;
    /* ORDERS, EVENTS, CART */
    int64_t from;           /* window start (inclusive); INT64_MIN = none */
    const uint8_t *prod_ok; /* NULL: any product */
    int64_t at_least;
    uint32_t types; /* EVENTS: bit per event type */
    uint8_t mask;   /* CONSENT */
} op;

struct enc_aud_prog {
    enc_arena *arena;
    const enc_aud_env *env;
    const enc_snapshot *s;
    int64_t now;
    op *root;
    int depth; /* of the op tree */
    bool carts;
    char *text;
};

/* ---- compiler state ---------------------------------------------------------------------- */

typedef struct comp {
    enc_aud_env *e; /* NULL: check only (no data) */
    const enc_snapshot *s;
    enc_store *st;
    int64_t now;
    enc_arena *arena;
    enc_aud_pos *where;
    enc_err *err;
    bool need[AUD_F_COUNT];
    enc_snapshot_opts snap; /* what the functions read from the snapshot (fields: need[]) */
    const char *stack[ENC_AUD_MAX_SEGMENT_DEPTH + 1];
    int nstack;
} comp;

static enc_rc fail(comp *c, const enc_aud_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enc_rc fail(comp *c, const enc_aud_node *n, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return enc_aud_fail_at(c->err, c->where, n->pos, "%s", msg);
}

static op *new_op(comp *c, op_kind k, int cost)
{
    op *o = enc_arena_alloc(c->arena, sizeof *o);
    memset(o, 0, sizeof *o);
    o->kind = k;
    o->cost = cost;
    return o;
}

/* Describes a node for "found ..." in messages. */
static void describe(const enc_aud_node *n, char *out, size_t cap)
{
    switch (n->kind) {
    case AUD_N_NUM: snprintf(out, cap, "number %.40s", n->text); break;
    case AUD_N_DUR: snprintf(out, cap, "duration %.40s", n->text); break;
    case AUD_N_STR: {
        enc_aud_tok t = {.kind = AUD_T_STRING, .str = n->text, .slen = n->len};
        enc_aud_tok_describe(&t, out, cap);
        break;
    }
    case AUD_N_BOOL: snprintf(out, cap, "%s", n->num ? "true" : "false"); break;
    case AUD_N_NAME: snprintf(out, cap, "name '%s'", n->text); break;
    case AUD_N_CALL: snprintf(out, cap, "%s(...)", n->text); break;
    default: snprintf(out, cap, "a condition"); break;
    }
}

static const char *article_type(enc_aud_type t)
{
    switch (t) {
    case AUD_NUM: return "a number";
    case AUD_MONEY: return "money";
    case AUD_DAYS: return "days";
    case AUD_TIME: return "a time";
    case AUD_TEXT: return "text";
    case AUD_LIST: return "a list";
    default: return "a condition";
    }
}

static const char *expect_for(enc_aud_type t)
{
    switch (t) {
    case AUD_NUM: return "a number";
    case AUD_MONEY: return "an amount such as 200 or 19.99";
    case AUD_DAYS: return "a number of days or a duration (30 or 30d)";
    case AUD_TIME: return "a date such as \"2025-01-31\"";
    case AUD_TEXT: return "a string";
    default: return "a value";
    }
}

static enc_rc unknown_name(comp *c, const enc_aud_node *n, bool as_func)
{
    const char *sug = enc_aud_suggest(n->text, n->len, as_func);
    const char *what = as_func ? "function" : "field";
    if (sug) return fail(c, n, "unknown %s '%s' (did you mean '%s'?)", what, n->text, sug);
    return fail(c, n, "unknown %s '%s' (see 'encore audience fields')", what, n->text);
}

/* ---- literals ---------------------------------------------------------------------------- */

/* Parses "YYYY-MM-DD" (a day: [t, t + 1 day)) or "YYYY-MM-DD HH:MM[:SS]" (an instant, 'T'
 * also accepted between date and time) in UTC. */
static bool parse_date(const char *s, size_t n, int64_t *t, bool *whole_day)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    char tail;
    if (n == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) == 3) {
        *whole_day = true;
    } else if ((n == 16 || n == 19) && (s[10] == ' ' || s[10] == 'T')) {
        char sep = s[10];
        char fmt[40];
        snprintf(fmt, sizeof fmt,
                 n == 16 ? "%%4d-%%2d-%%2d%c%%2d:%%2d%%c" : "%%4d-%%2d-%%2d%c%%2d:%%2d:%%2d%%c",
                 sep);
        int got = n == 16 ? sscanf(s, fmt, &y, &mo, &d, &h, &mi, &tail)
                          : sscanf(s, fmt, &y, &mo, &d, &h, &mi, &se, &tail);
        if (got != (n == 16 ? 5 : 6)) return false;
        if (h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0) return false;
        *whole_day = false;
    } else {
        return false;
    }
    for (size_t i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return false;
    if (!enc_date_valid(y, mo, d)) return false;
    *t = enc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

static enc_rc bad_date(comp *c, const enc_aud_node *n, const char *what)
{
    char d[128];
    describe(n, d, sizeof d);
    return fail(c, n, "%s expects a date \"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM:SS\" (UTC), found %s",
                what, d);
}

/* Money literal in minor units: exact for at most two decimals. */
static double money_minor(const char *text, double v)
{
    const char *dot = strchr(text, '.');
    size_t dec = dot ? strlen(dot + 1) : 0;
    if (dec <= 2 && strlen(text) < 17) {
        long long ip = strtoll(text, NULL, 10);
        long long fp = dot ? strtoll(dot + 1, NULL, 10) * (dec == 1 ? 10 : 1) : 0;
        bool neg = text[0] == '-';
        long long minor = ip * 100 + (neg ? -fp : fp);
        return (double)minor;
    }
    return v * 100;
}

/* A literal operand against a field of type t, as a closed interval [lo, hi] of the column's
 * units (what `= literal` means). */
static enc_rc literal_interval(comp *c, const char *field, enc_aud_type t, const enc_aud_node *n,
                               double *lo, double *hi)
{
    char d[128];
    describe(n, d, sizeof d);
    switch (t) {
    case AUD_NUM:
    case AUD_MONEY:
        if (n->kind != AUD_N_NUM) break;
        *lo = *hi = t == AUD_MONEY ? money_minor(n->text, n->num) : n->num;
        return ENC_OK;
    case AUD_DAYS:
        if (n->kind == AUD_N_NUM) *lo = *hi = n->num;
        else if (n->kind == AUD_N_DUR) *lo = *hi = n->num / DAY;
        else break;
        return ENC_OK;
    case AUD_TIME: {
        int64_t v;
        bool day;
        if (n->kind != AUD_N_STR) break;
        if (!parse_date(n->text, n->len, &v, &day)) {
            char w[96];
            snprintf(w, sizeof w, "'%s'", field);
            return bad_date(c, n, w);
        }
        *lo = (double)v;
        *hi = day ? nextafter((double)(v + 86400), -INFINITY) : (double)v;
        return ENC_OK;
    }
    default: break;
    }
    return fail(c, n, "'%s' is %s: compare it with %s, found %s", field, article_type(t),
                expect_for(t), d);
}

/* ---- values ------------------------------------------------------------------------------ */

typedef struct val {
    bool literal;
    const enc_aud_node *n;
    const char *name; /* field name, or "days_until(...)" */
    enc_aud_type type;
    int f; /* registry row, or -1 for computed */
    enc_aud_domain domain;
    enc_aud_col col; /* data mode */
} val;

static enc_rc cond(comp *c, const enc_aud_node *n, op **out);

/* days_until(birthday): days from today (UTC) to the next birthday, 0 on the day; 29 Feb on
 * 28 Feb in common years. */
static double days_to_birthday(int64_t today, int y, int bm, int bd)
{
    for (int k = 0; k < 2; k++) {
        int d = bd;
        if (bm == 2 && bd == 29 && !enc_date_valid(y + k, 2, 29)) d = 28;
        int64_t day = enc_days_from_civil(y + k, bm, d);
        if (day >= today) return (double)(day - today);
    }
    return NAN; /* not reached for valid dates */
}

static enc_rc days_until(comp *c, const enc_aud_node *n, val *v)
{
    if (n->nkid != 1 || n->kid[0]->kind != AUD_N_NAME ||
        (strcmp(n->kid[0]->text, "birthday") != 0 &&
         strcmp(n->kid[0]->text, "next_order_date") != 0)) {
        char d[128] = "nothing";
        const enc_aud_node *at = n;
        if (n->nkid >= 1) describe(at = n->kid[0], d, sizeof d);
        if (n->nkid > 1)
            return fail(c, n->kid[1],
                        "days_until() takes one argument: birthday or next_order_date");
        return fail(c, at, "days_until() expects birthday or next_order_date, found %s", d);
    }
    bool bday = strcmp(n->kid[0]->text, "birthday") == 0;
    v->literal = false;
    v->n = n;
    v->name = bday ? "days_until(birthday)" : "days_until(next_order_date)";
    v->type = AUD_DAYS;
    v->f = -1;
    if (!bday) c->need[AUD_F_NEXT_ORDER_DATE] = true;
    else enc_snapshot_opts_merge(&c->snap, &(enc_snapshot_opts){ENC_SNAP_CUSTOMERS, 0, 0});
    if (!c->e) return ENC_OK;
    size_t cn = c->s->ncust;
    double *col = enc_arena_alloc(c->arena, (cn ? cn : 1) * sizeof *col);
    if (bday) {
        int64_t today = c->now >= 0 ? c->now / 86400 : -((-c->now + 86399) / 86400);
        int y, m, d;
        enc_civil_from_days(today, &y, &m, &d);
        for (size_t i = 0; i < cn; i++) {
            int md = c->s->birth_md[i], bm = md / 100, bd = md % 100;
            col[i] =
                md > 0 && enc_date_valid(2000, bm, bd) ? days_to_birthday(today, y, bm, bd) : NAN;
        }
    } else {
        enc_aud_col nd;
        enc_rc rc = enc_aud_env_column(c->e, AUD_F_NEXT_ORDER_DATE, &nd, c->err);
        if (rc) return rc;
        for (size_t i = 0; i < cn; i++) col[i] = (nd.num[i] - (double)c->now) / DAY;
    }
    memset(&v->col, 0, sizeof v->col);
    v->col.type = AUD_DAYS;
    v->col.num = col;
    return ENC_OK;
}

/* uplift("CAMPAIGN"): the predicted uplift `encore uplift evaluate` stored for the campaign
 * (store_uplift.h); missing for customers it did not score. */
static enc_rc uplift_value(comp *c, const enc_aud_node *n, val *v)
{
    if (n->nkid != 1 || n->kid[0]->kind != AUD_N_STR) {
        char d[128] = "nothing";
        if (n->nkid >= 1) describe(n->kid[0], d, sizeof d);
        return fail(c, n->nkid >= 1 ? n->kid[0] : n,
                    "uplift() takes one campaign name in quotes, e.g. uplift(\"offer\"), found %s",
                    d);
    }
    const char *name = n->kid[0]->text;
    size_t nl = strlen(name);
    char *vn = enc_arena_alloc(c->arena, nl + 11);
    snprintf(vn, nl + 11, "uplift(\"%s\")", name);
    v->literal = false;
    v->n = n;
    v->name = vn;
    v->type = AUD_NUM;
    v->f = -1;
    if (!c->st) return ENC_OK;
    int64_t *ids = NULL;
    double *tau = NULL;
    size_t ns = 0;
    enc_err lerr = {0};
    enc_rc rc = enc_store_uplift_scores(c->st, name, &ids, &tau, &ns, &lerr);
    if (rc == ENC_ENOTFOUND) return fail(c, n->kid[0], "uplift(): %s", lerr.msg);
    if (rc) return enc_fail(c->err, rc, "uplift(\"%s\"): %s", name, lerr.msg);
    if (c->e) {
        size_t cn = c->s->ncust;
        double *col = enc_arena_alloc(c->arena, (cn ? cn : 1) * sizeof *col);
        for (size_t i = 0; i < cn; i++) col[i] = NAN;
        for (size_t i = 0; i < ns; i++) {
            ptrdiff_t k = enc_snapshot_find(c->s, ids[i]);
            if (k >= 0) col[k] = tau[i];
        }
        memset(&v->col, 0, sizeof v->col);
        v->col.type = AUD_NUM;
        v->col.num = col;
    }
    free(ids);
    free(tau);
    return ENC_OK;
}

static enc_rc value(comp *c, const enc_aud_node *n, val *v)
{
    memset(v, 0, sizeof *v);
    v->n = n;
    switch (n->kind) {
    case AUD_N_NUM:
    case AUD_N_DUR:
    case AUD_N_STR:
    case AUD_N_BOOL: v->literal = true; return ENC_OK;
    case AUD_N_NAME: {
        int f = enc_aud_field_find(n->text, n->len);
        if (f < 0) return unknown_name(c, n, false);
        const enc_aud_field *fd = &enc_aud_fields[f];
        if (fd->from == AUD_FROM_FUNC)
            return fail(c, n, "'%s' is a function: call it, e.g. %s", fd->name, fd->example);
        if (fd->type == AUD_LIST)
            return fail(c, n, "'%s' is a list: test it with a function, e.g. %s", fd->name,
                        fd->example);
        v->name = fd->name;
        v->type = fd->type;
        v->f = f;
        v->domain = fd->domain;
        c->need[f] = true;
        if (c->e) return enc_aud_env_column(c->e, f, &v->col, c->err);
        return ENC_OK;
    }
    case AUD_N_CALL: {
        int f = enc_aud_field_find(n->text, n->len);
        if (f == AUD_FN_DAYS_UNTIL) return days_until(c, n, v);
        if (f == AUD_FN_UPLIFT) return uplift_value(c, n, v);
        if (f < 0) return unknown_name(c, n, true);
        if (enc_aud_fields[f].from != AUD_FROM_FUNC)
            return fail(c, n, "'%s' is a field, not a function (write it without parentheses)",
                        n->text);
        return fail(c, n, "%s(...) is a condition, not a value: it cannot be compared", n->text);
    }
    default:
        return fail(c, n,
                    "expected a value (a field, days_until(...) or a literal), found a "
                    "condition");
    }
}

/* ---- comparisons ------------------------------------------------------------------------- */

static enc_aud_op flip(enc_aud_op cmp)
{
    switch (cmp) {
    case AUD_LT: return AUD_GT;
    case AUD_LE: return AUD_GE;
    case AUD_GT: return AUD_LT;
    case AUD_GE: return AUD_LE;
    default: return cmp;
    }
}

static bool is_numeric(enc_aud_type t)
{
    return t == AUD_NUM || t == AUD_MONEY || t == AUD_DAYS || t == AUD_TIME;
}

/* A text literal against a text field: its value id, or -1 when absent from the data (still
 * valid: it matches nobody). A field with a fixed value set rejects other values. */
static enc_rc text_id(comp *c, const val *f, const enc_aud_node *n, int32_t *id)
{
    if (n->kind != AUD_N_STR) {
        char d[128];
        describe(n, d, sizeof d);
        return fail(c, n, "'%s' is text: compare it with a string, found %s", f->name, d);
    }
    *id = -1;
    if (f->domain) {
        int k = enc_aud_domain_find(f->domain, n->text, n->len);
        if (k < 0) {
            char list[600];
            enc_aud_domain_list(f->domain, list, sizeof list);
            const char *sug = enc_aud_domain_suggest(f->domain, n->text, n->len);
            if (sug)
                return fail(c, n, "unknown %s '%s' (did you mean '%s'? one of: %s)", f->name,
                            n->text, sug, list);
            return fail(c, n, "unknown %s '%s' (one of: %s)", f->name, n->text, list);
        }
        *id = k;
        return ENC_OK;
    }
    if (!c->e) return ENC_OK;
    for (size_t k = 0; k < f->col.nnames; k++)
        if (strcmp(f->col.names[k], n->text) == 0) {
            *id = (int32_t)k;
            break;
        }
    return ENC_OK;
}

static op *txt_op(comp *c, const val *f, bool neg)
{
    op *o = new_op(c, OP_TXT, 1);
    o->ids = f->col.txt;
    size_t nt = f->col.nnames;
    uint8_t *tab = enc_arena_alloc(c->arena, nt ? nt : 1);
    memset(tab, 0, nt ? nt : 1);
    o->tab = tab;
    o->neg = neg;
    return o;
}

static op *range_op(comp *c, const val *f, int nint, bool neg)
{
    op *o = new_op(c, OP_RANGE, 1);
    o->col = f->col.num;
    o->lo = enc_arena_alloc(c->arena, (size_t)(nint ? nint : 1) * sizeof *o->lo);
    o->hi = enc_arena_alloc(c->arena, (size_t)(nint ? nint : 1) * sizeof *o->hi);
    o->nint = nint;
    o->neg = neg;
    return o;
}

/* field OP literal */
static enc_rc cmp_field_lit(comp *c, const val *f, enc_aud_op opk, const enc_aud_node *lit,
                            const enc_aud_node *at, op **out)
{
    if (f->type == AUD_TEXT) {
        if (opk != AUD_EQ && opk != AUD_NE)
            return fail(c, at, "'%s' does not apply to text field '%s' (use =, != or in)",
                        enc_aud_op_text(opk), f->name);
        int32_t id;
        enc_rc rc = text_id(c, f, lit, &id);
        if (rc) return rc;
        op *o = txt_op(c, f, opk == AUD_NE);
        if (c->e && id >= 0) ((uint8_t *)o->tab)[id] = 1;
        *out = o;
        return ENC_OK;
    }
    double lo, hi;
    enc_rc rc = literal_interval(c, f->name, f->type, lit, &lo, &hi);
    if (rc) return rc;
    op *o = range_op(c, f, 1, false);
    switch (opk) {
    case AUD_EQ: o->lo[0] = lo, o->hi[0] = hi; break;
    case AUD_NE: o->lo[0] = lo, o->hi[0] = hi, o->neg = true; break;
    case AUD_LT: o->lo[0] = -INFINITY, o->hi[0] = nextafter(lo, -INFINITY); break;
    case AUD_LE: o->lo[0] = -INFINITY, o->hi[0] = hi; break;
    case AUD_GT: o->lo[0] = nextafter(hi, INFINITY), o->hi[0] = INFINITY; break;
    case AUD_GE: o->lo[0] = lo, o->hi[0] = INFINITY; break;
    }
    *out = o;
    return ENC_OK;
}

static enc_rc compare(comp *c, const enc_aud_node *n, op **out)
{
    val a, b;
    enc_rc rc;
    if ((rc = value(c, n->kid[0], &a)) || (rc = value(c, n->kid[1], &b))) return rc;
    enc_aud_op opk = n->op;
    if (a.literal && b.literal)
        return fail(c, n, "a comparison needs a field on one side, found two literals");
    if (a.literal) {
        val t = a;
        a = b;
        b = t;
        opk = flip(opk);
    }
    if (b.literal) return cmp_field_lit(c, &a, opk, b.n, n, out);
    /* field OP field */
    if (a.type == AUD_TEXT && b.type == AUD_TEXT)
        return fail(c, n, "comparing two text fields is not supported");
    if (a.type != b.type || !is_numeric(a.type))
        return fail(c, n, "cannot compare '%s' (%s) with '%s' (%s)", a.name,
                    enc_aud_type_name(a.type), b.name, enc_aud_type_name(b.type));
    op *o = new_op(c, OP_COLCOL, 1);
    o->col = a.col.num;
    o->col2 = b.col.num;
    o->cmp = opk;
    *out = o;
    return ENC_OK;
}

static enc_rc field_operand(comp *c, const enc_aud_node *n, const char *what, val *f)
{
    enc_rc rc = value(c, n, f);
    if (rc) return rc;
    if (f->literal) {
        char d[128];
        describe(n, d, sizeof d);
        return fail(c, n, "'%s' needs a field on its left, found %s", what, d);
    }
    return ENC_OK;
}

static enc_rc in_list(comp *c, const enc_aud_node *n, op **out)
{
    val f;
    enc_rc rc = field_operand(c, n->kid[0], "in", &f);
    if (rc) return rc;
    int items = n->nkid - 1;
    if (f.type == AUD_TEXT) {
        op *o = txt_op(c, &f, n->neg);
        for (int k = 1; k < n->nkid; k++) {
            int32_t id;
            if ((rc = text_id(c, &f, n->kid[k], &id))) return rc;
            if (c->e && id >= 0) ((uint8_t *)o->tab)[id] = 1;
        }
        *out = o;
        return ENC_OK;
    }
    op *o = range_op(c, &f, items, n->neg);
    for (int k = 0; k < items; k++)
        if ((rc = literal_interval(c, f.name, f.type, n->kid[k + 1], &o->lo[k], &o->hi[k])))
            return rc;
    *out = o;
    return ENC_OK;
}

static enc_rc between(comp *c, const enc_aud_node *n, op **out)
{
    val f;
    enc_rc rc = field_operand(c, n->kid[0], "between", &f);
    if (rc) return rc;
    if (f.type == AUD_TEXT)
        return fail(c, n, "'between' does not apply to text field '%s'", f.name);
    double lo, hi, lo2, hi2;
    if ((rc = literal_interval(c, f.name, f.type, n->kid[1], &lo, &hi)) ||
        (rc = literal_interval(c, f.name, f.type, n->kid[2], &lo2, &hi2)))
        return rc;
    op *o = range_op(c, &f, 1, n->neg);
    o->lo[0] = lo;
    o->hi[0] = hi2;
    *out = o;
    return ENC_OK;
}

/* ---- function arguments ------------------------------------------------------------------ */

enum { A_SKU, A_CATEGORY, A_BRAND, A_TYPE, A_WITHIN, A_SINCE, A_AT_LEAST, A_COUNT };
static const char *const arg_names[A_COUNT + 1] = {"sku",    "category", "brand",    "type",
                                                   "within", "since",    "at_least", NULL};

typedef struct fargs {
    const enc_aud_node *pos[4];
    int npos;
    const enc_aud_node *arg[A_COUNT]; /* AUD_N_ARG nodes */
} fargs;

/* Splits the call's arguments; `allowed` is a bit mask of named arguments. */
static enc_rc split_args(comp *c, const enc_aud_node *call, unsigned allowed, fargs *a)
{
    memset(a, 0, sizeof *a);
    for (int k = 0; k < call->nkid; k++) {
        const enc_aud_node *x = call->kid[k];
        if (x->kind != AUD_N_ARG) {
            if (a->npos < 4) a->pos[a->npos] = x;
            a->npos++;
            continue;
        }
        int id = -1;
        for (int i = 0; i < A_COUNT; i++)
            if (strcmp(arg_names[i], x->text) == 0 && (allowed >> i & 1)) id = i;
        if (id < 0) {
            const char *names[A_COUNT + 1];
            char list[200] = "";
            size_t nn = 0, o = 0;
            for (int i = 0; i < A_COUNT; i++)
                if (allowed >> i & 1) {
                    names[nn++] = arg_names[i];
                    o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "",
                                          arg_names[i]);
                }
            names[nn] = NULL;
            if (!nn) return fail(c, x, "%s() takes no named arguments", call->text);
            const char *sug = enc_aud_suggest_in(x->text, x->len, names);
            if (sug)
                return fail(c, x, "%s(): unknown argument '%s' (did you mean '%s'? arguments: %s)",
                            call->text, x->text, sug, list);
            return fail(c, x, "%s(): unknown argument '%s' (arguments: %s)", call->text, x->text,
                        list);
        }
        if (a->arg[id]) return fail(c, x, "%s(): argument '%s' given twice", call->text, x->text);
        if (x->list && id >= A_WITHIN)
            return fail(c, x, "%s(): argument '%s' takes one value: write %s = ...", call->text,
                        x->text, x->text);
        a->arg[id] = x;
    }
    return ENC_OK;
}

static enc_rc arg_strings(comp *c, const enc_aud_node *call, const enc_aud_node *a)
{
    for (int k = 0; k < a->nkid; k++)
        if (a->kid[k]->kind != AUD_N_STR) {
            char d[128];
            describe(a->kid[k], d, sizeof d);
            return fail(c, a->kid[k], "%s(): argument '%s' expects a string, found %s", call->text,
                        a->text, d);
        }
    return ENC_OK;
}

/* The window [from, now) of within= and since= (both: the later start). */
static enc_rc window(comp *c, const enc_aud_node *call, const fargs *a, int64_t *from)
{
    *from = INT64_MIN;
    if (a->arg[A_WITHIN]) {
        const enc_aud_node *v = a->arg[A_WITHIN]->kid[0];
        if (v->kind != AUD_N_DUR) {
            char d[128];
            describe(v, d, sizeof d);
            return fail(c, v, "%s(): argument 'within' expects a duration such as 30d, found %s",
                        call->text, d);
        }
        if (!(v->num > 0))
            return fail(c, v, "%s(): 'within' must be a positive duration", call->text);
        double f = (double)c->now - v->num;
        *from = f < -9.2e18 ? INT64_MIN : (int64_t)ceil(f);
    }
    if (a->arg[A_SINCE]) {
        const enc_aud_node *v = a->arg[A_SINCE]->kid[0];
        int64_t t;
        bool day;
        char w[64];
        snprintf(w, sizeof w, "%s(): argument 'since'", call->text);
        if (v->kind != AUD_N_STR || !parse_date(v->text, v->len, &t, &day))
            return bad_date(c, v, w);
        if (t > *from) *from = t;
    }
    return ENC_OK;
}

static enc_rc at_least(comp *c, const enc_aud_node *call, const fargs *a, int64_t *n)
{
    *n = 1;
    if (!a->arg[A_AT_LEAST]) return ENC_OK;
    const enc_aud_node *v = a->arg[A_AT_LEAST]->kid[0];
    if (v->kind != AUD_N_NUM || v->num < 1 || v->num != floor(v->num) || v->num > 1e9) {
        char d[128];
        describe(v, d, sizeof d);
        return fail(c, v,
                    "%s(): argument 'at_least' expects a whole number of at least 1, found %s",
                    call->text, d);
    }
    *n = (int64_t)v->num;
    return ENC_OK;
}

/* Products passing the sku/category/brand filters (a table over the snapshot's products), or
 * NULL when there is no filter. *none: a filter that no product passes. */
static enc_rc product_filter(comp *c, const enc_aud_node *call, const fargs *a, const uint8_t **ok,
                             bool *none)
{
    *ok = NULL;
    *none = false;
    const enc_aud_node *fs[3] = {a->arg[A_SKU], a->arg[A_CATEGORY], a->arg[A_BRAND]};
    bool any = false;
    for (int k = 0; k < 3; k++) {
        if (!fs[k]) continue;
        enc_rc rc = arg_strings(c, call, fs[k]);
        if (rc) return rc;
        any = true;
    }
    if (!any || !c->e) return ENC_OK;
    const enc_snapshot *s = c->s;
    size_t np = s->nprod;
    uint8_t *tab = enc_arena_alloc(c->arena, np ? np : 1);
    memset(tab, 1, np ? np : 1);
    /* category and brand: decide once per dictionary entry */
    const enc_dict *dicts[3] = {NULL, &s->cats, &s->brands};
    for (int k = 0; k < 3; k++) {
        const enc_aud_node *f = fs[k];
        if (!f) continue;
        uint8_t *dm = NULL;
        if (k > 0) {
            size_t nd = dicts[k]->n;
            dm = enc_xcalloc(nd ? nd : 1, 1);
            for (size_t d = 0; d < nd; d++)
                for (int v = 0; v < f->nkid && !dm[d]; v++)
                    dm[d] = k == 1 ? enc_aud_category_match(dicts[k]->names[d], f->kid[v]->text)
                                   : enc_aud_text_ieq(dicts[k]->names[d], f->kid[v]->text);
        }
        for (size_t p = 0; p < np; p++) {
            if (!tab[p]) continue;
            bool m = false;
            if (k == 0) {
                for (int v = 0; v < f->nkid && !m; v++)
                    m = strcmp(s->prod_sku[p], f->kid[v]->text) == 0;
            } else {
                int32_t d = k == 1 ? s->prod_cat[p] : s->prod_brand[p];
                m = d >= 0 && dm[d];
            }
            tab[p] = m;
        }
        free(dm);
    }
    bool some = false;
    for (size_t p = 0; p < np && !some; p++) some = tab[p];
    *none = !some;
    *ok = tab;
    return ENC_OK;
}

/* want: 0 (named arguments only) or 1 */
static enc_rc positional(comp *c, const enc_aud_node *call, const fargs *a, int want,
                         const char *synopsis)
{
    if (a->npos == want) return ENC_OK;
    const enc_aud_node *at = a->npos > want ? a->pos[want < 4 ? want : 3] : call;
    if (want == 0)
        return fail(c, at, "%s() takes only named arguments: %s(%s)", call->text, call->text,
                    synopsis);
    return fail(c, at, "%s() expects one argument: %s(%s)", call->text, call->text, synopsis);
}

static enc_rc one_string(comp *c, const enc_aud_node *call, const fargs *a, const char *synopsis)
{
    enc_rc rc = positional(c, call, a, 1, synopsis);
    if (rc) return rc;
    if (a->pos[0]->kind != AUD_N_STR) {
        char d[128];
        describe(a->pos[0], d, sizeof d);
        return fail(c, a->pos[0], "%s() expects a string, found %s", call->text, d);
    }
    return ENC_OK;
}

static enc_rc domain_value(comp *c, const enc_aud_node *call, const enc_aud_node *v,
                           enc_aud_domain dom, const char *what, const char *extra, int *k)
{
    *k = enc_aud_domain_find(dom, v->text, v->len);
    if (*k >= 0) return ENC_OK;
    char list[400];
    enc_aud_domain_list(dom, list, sizeof list);
    const char *sug = enc_aud_domain_suggest(dom, v->text, v->len);
    if (sug)
        return fail(c, v, "%s(): unknown %s '%s' (did you mean '%s'? one of: %s%s)", call->text,
                    what, v->text, sug, list, extra);
    return fail(c, v, "%s(): unknown %s '%s' (one of: %s%s)", call->text, what, v->text, list,
                extra);
}

/* ---- functions --------------------------------------------------------------------------- */

static enc_rc segment_call(comp *c, const fargs *a, op **out);

static enc_rc list_op(comp *c, int f, const char *needle, int how, op **out)
{
    c->need[f] = true;
    op *o = new_op(c, OP_LIST, 2);
    *out = o;
    if (!c->e) return ENC_OK;
    enc_aud_col col;
    enc_rc rc = enc_aud_env_column(c->e, f, &col, c->err);
    if (rc) return rc;
    o->off = col.off;
    o->ids = col.item;
    if (!needle) return ENC_OK; /* known(list): not empty */
    uint8_t *tab = enc_arena_alloc(c->arena, col.nnames ? col.nnames : 1);
    bool some = false;
    for (size_t k = 0; k < col.nnames; k++) {
        tab[k] = how == 0   ? strcmp(col.names[k], needle) == 0
                 : how == 1 ? enc_aud_category_match(col.names[k], needle)
                            : enc_aud_text_ieq(col.names[k], needle);
        some |= tab[k];
    }
    o->tab = tab;
    if (!some) o->kind = OP_FALSE;
    return ENC_OK;
}

static enc_rc call(comp *c, const enc_aud_node *n, op **out)
{
    int f = enc_aud_field_find(n->text, n->len);
    if (f < 0) return unknown_name(c, n, true);
    const enc_aud_field *fd = &enc_aud_fields[f];
    if (fd->from != AUD_FROM_FUNC)
        return fail(c, n, "'%s' is a field, not a function (write it without parentheses)",
                    n->text);
    if (fd->type != AUD_COND)
        return fail(c, n, "%s(...) is %s, not a condition: compare it, e.g. %s", n->text,
                    article_type(fd->type), fd->example);
    enum { PRODUCT = 1 << A_SKU | 1 << A_CATEGORY | 1 << A_BRAND | 1 << A_WITHIN | 1 << A_SINCE };
    unsigned allowed = 0;
    switch (f) {
    case AUD_FN_BOUGHT:
    case AUD_FN_VIEWED: allowed = PRODUCT | 1 << A_AT_LEAST; break;
    case AUD_FN_EVENT: allowed = PRODUCT | 1 << A_AT_LEAST | 1 << A_TYPE; break;
    case AUD_FN_CART_ABANDONED: allowed = PRODUCT; break;
    }
    fargs a;
    enc_rc rc = split_args(c, n, allowed, &a);
    if (rc) return rc;
    switch (f) {
    case AUD_FN_BOUGHT:
    case AUD_FN_VIEWED:
    case AUD_FN_EVENT:
    case AUD_FN_CART_ABANDONED: {
        uint32_t types = 0;
        if (f == AUD_FN_EVENT) {
            if (a.npos > 1 || (a.npos == 1 && a.arg[A_TYPE]))
                return fail(c, a.pos[a.npos > 1 ? 1 : 0],
                            "event() takes one event type: event(\"favorite\", ...) or "
                            "event(type in (\"favorite\", \"share\"), ...)");
            const enc_aud_node *const *tl;
            int nt;
            if (a.npos == 1) {
                if (a.pos[0]->kind != AUD_N_STR) {
                    char d[128];
                    describe(a.pos[0], d, sizeof d);
                    return fail(c, a.pos[0], "event() expects an event type string, found %s", d);
                }
                tl = &a.pos[0];
                nt = 1;
            } else if (a.arg[A_TYPE]) {
                if ((rc = arg_strings(c, n, a.arg[A_TYPE]))) return rc;
                tl = (const enc_aud_node *const *)a.arg[A_TYPE]->kid;
                nt = a.arg[A_TYPE]->nkid;
            } else {
                return fail(c, n,
                            "event() needs an event type, e.g. event(\"favorite\", within = 14d)");
            }
            for (int k = 0; k < nt; k++) {
                int t;
                if ((rc = domain_value(c, n, tl[k], AUD_DOM_EVENT, "event type", "", &t)))
                    return rc;
                types |= 1u << t;
            }
        } else if ((rc = positional(c, n, &a, 0, fd->column))) {
            return rc;
        }
        int64_t from, least = 1;
        const uint8_t *ok;
        bool none;
        if ((rc = window(c, n, &a, &from)) || (rc = at_least(c, n, &a, &least)) ||
            (rc = product_filter(c, n, &a, &ok, &none)))
            return rc;
        op_kind k = f == AUD_FN_BOUGHT           ? OP_ORDERS
                    : f == AUD_FN_CART_ABANDONED ? OP_CART
                                                 : OP_EVENTS;
        /* the snapshot it reads: the window's orders (with their lines when products are
         * filtered) or events; cart_abandoned looks at orders at or after its events */
        bool filtered = a.arg[A_SKU] || a.arg[A_CATEGORY] || a.arg[A_BRAND];
        enc_snapshot_opts w = {k == OP_ORDERS   ? (filtered ? ENC_SNAP_LINES : ENC_SNAP_ORDERS)
                               : k == OP_EVENTS ? ENC_SNAP_EVENTS
                                                : ENC_SNAP_EVENTS | ENC_SNAP_LINES,
                               from, from};
        enc_snapshot_opts_merge(&c->snap, &w);
        op *o = new_op(c, none ? OP_FALSE : k, k == OP_CART ? 20 : 10);
        o->from = from;
        o->prod_ok = ok;
        o->at_least = least;
        o->types = f == AUD_FN_VIEWED ? 1u << EV_VIEW : types;
        *out = o;
        return ENC_OK;
    }
    case AUD_FN_CONSENT: {
        if ((rc = one_string(c, n, &a, fd->column))) return rc;
        enc_snapshot_opts_merge(&c->snap, &(enc_snapshot_opts){ENC_SNAP_CONSENTS, 0, 0});
        op *o = new_op(c, OP_CONSENT, 1);
        if (enc_aud_text_ieq(a.pos[0]->text, "any")) {
            o->mask = (uint8_t)((1u << CH_NCHANNELS) - 1);
        } else {
            int k;
            if ((rc = domain_value(c, n, a.pos[0], AUD_DOM_CHANNEL, "channel", ", any", &k)))
                return rc;
            o->mask = (uint8_t)(1u << k);
        }
        *out = o;
        return ENC_OK;
    }
    case AUD_FN_TAG:
    case AUD_FN_TOP_CATEGORY:
    case AUD_FN_TOP_BRAND: {
        if ((rc = one_string(c, n, &a, fd->column))) return rc;
        int lf = f == AUD_FN_TAG            ? AUD_F_TAGS
                 : f == AUD_FN_TOP_CATEGORY ? AUD_F_TOP_CATEGORIES
                                            : AUD_F_TOP_BRANDS;
        return list_op(c, lf, a.pos[0]->text,
                       f == AUD_FN_TAG            ? 0
                       : f == AUD_FN_TOP_CATEGORY ? 1
                                                  : 2,
                       out);
    }
    case AUD_FN_SEGMENT:
        if ((rc = one_string(c, n, &a, fd->column))) return rc;
        return segment_call(c, &a, out);
    default: { /* AUD_FN_KNOWN, the last condition function */
        if ((rc = positional(c, n, &a, 1, fd->column))) return rc;
        const enc_aud_node *x = a.pos[0];
        if (x->kind != AUD_N_NAME) {
            char d[128];
            describe(x, d, sizeof d);
            return fail(c, x, "known() expects a field name, e.g. known(clv), found %s", d);
        }
        int xf = enc_aud_field_find(x->text, x->len);
        if (xf >= 0 && enc_aud_fields[xf].type == AUD_LIST) return list_op(c, xf, NULL, 0, out);
        val v;
        if ((rc = value(c, x, &v))) return rc;
        if (v.type == AUD_TEXT) {
            op *o = txt_op(c, &v, false);
            if (c->e) memset((uint8_t *)o->tab, 1, v.col.nnames ? v.col.nnames : 1);
            *out = o;
        } else {
            op *o = range_op(c, &v, 1, false);
            o->lo[0] = -INFINITY;
            o->hi[0] = INFINITY;
            *out = o;
        }
        return ENC_OK;
    }
    }
}

static enc_rc segment_call(comp *c, const fargs *a, op **out)
{
    const enc_aud_node *nm = a->pos[0];
    const char *name = nm->text;
    for (int k = 0; k < c->nstack; k++) {
        if (strcmp(c->stack[k], name) != 0) continue;
        char path[700];
        size_t o = 0;
        for (int j = k; j < c->nstack && o < sizeof path; j++)
            o += (size_t)snprintf(path + o, sizeof path - o, "%s -> ", c->stack[j]);
        if (o < sizeof path) snprintf(path + o, sizeof path - o, "%s", name);
        return fail(c, nm, "segment(): cycle: %s", path);
    }
    if (c->nstack >= ENC_AUD_MAX_SEGMENT_DEPTH)
        return fail(c, nm, "segment(): saved segments nested more than %d deep",
                    ENC_AUD_MAX_SEGMENT_DEPTH);
    char *expr = NULL;
    enc_err lerr = {0};
    enc_rc rc =
        c->st ? enc_store_segment_get(c->st, name, &expr, NULL, NULL, &lerr) : ENC_ENOTFOUND;
    if (rc == ENC_ENOTFOUND)
        return fail(c, nm, "segment(): unknown segment '%s' (see 'encore audience list')", name);
    if (rc) return enc_fail(c->err, rc, "segment '%s': %s", name, lerr.msg);
    size_t len = strlen(expr);
    char *text = enc_arena_strndup(c->arena, expr, len);
    free(expr);
    enc_aud_node *root;
    enc_aud_pos inner;
    enc_aud_pos *outer_where = c->where;
    c->where = &inner;
    rc = enc_aud_parse(text, len, c->arena, &root, &inner, c->err);
    if (!rc) {
        c->stack[c->nstack++] = name;
        rc = cond(c, root, out);
        c->nstack--;
    }
    c->where = outer_where;
    if (rc == ENC_EPARSE) {
        char msg[sizeof c->err->msg];
        snprintf(msg, sizeof msg, "%s", c->err->msg);
        return fail(c, nm, "in segment '%s': %s", name, msg);
    }
    return rc;
}

/* ---- conditions -------------------------------------------------------------------------- */

static int cmp_cost(const void *x, const void *y)
{
    const op *a = *(op *const *)x, *b = *(op *const *)y;
    return (a->cost > b->cost) - (a->cost < b->cost);
}

static enc_rc group(comp *c, const enc_aud_node *n, op **out)
{
    op_kind k = n->kind == AUD_N_AND ? OP_AND : OP_OR;
    /* flatten nested groups of the same kind (segments can bring them) */
    op **kids = NULL;
    size_t nk = 0, cap = 0;
    enc_rc rc = ENC_OK;
    for (int i = 0; i < n->nkid && !rc; i++) {
        op *x;
        if ((rc = cond(c, n->kid[i], &x))) break;
        if (x->kind == k) {
            ENC_GROW(kids, cap, nk + (size_t)x->nkid);
            for (int j = 0; j < x->nkid; j++) kids[nk++] = x->kid[j];
        } else {
            ENC_GROW(kids, cap, nk + 1);
            kids[nk++] = x;
        }
    }
    if (rc) {
        free(kids);
        return rc;
    }
    op *o = new_op(c, k, 0);
    o->kid = enc_arena_alloc(c->arena, (nk ? nk : 1) * sizeof *o->kid);
    memcpy(o->kid, kids, nk * sizeof *o->kid);
    o->nkid = (int)nk;
    free(kids);
    qsort(o->kid, nk, sizeof *o->kid, cmp_cost); /* cheap clauses first */
    for (size_t i = 0; i < nk; i++) o->cost += o->kid[i]->cost;
    *out = o;
    return ENC_OK;
}

static enc_rc cond(comp *c, const enc_aud_node *n, op **out)
{
    switch (n->kind) {
    case AUD_N_OR:
    case AUD_N_AND: return group(c, n, out);
    case AUD_N_NOT: {
        op *x;
        enc_rc rc = cond(c, n->kid[0], &x);
        if (rc) return rc;
        op *o = new_op(c, OP_NOT, x->cost);
        o->kid = enc_arena_alloc(c->arena, sizeof *o->kid);
        o->kid[0] = x;
        o->nkid = 1;
        *out = o;
        return ENC_OK;
    }
    case AUD_N_CMP: return compare(c, n, out);
    case AUD_N_IN: return in_list(c, n, out);
    case AUD_N_BETWEEN: return between(c, n, out);
    case AUD_N_CALL: return call(c, n, out);
    case AUD_N_BOOL: *out = new_op(c, n->num ? OP_TRUE : OP_FALSE, 0); return ENC_OK;
    case AUD_N_NAME: {
        int f = enc_aud_field_find(n->text, n->len);
        if (f < 0) return unknown_name(c, n, false);
        const enc_aud_field *fd = &enc_aud_fields[f];
        if (fd->from == AUD_FROM_FUNC)
            return fail(c, n, "'%s' is a function: call it, e.g. %s", fd->name, fd->example);
        return fail(c, n, "'%s' is %s, not a condition: %s it, e.g. %s", fd->name,
                    article_type(fd->type), fd->type == AUD_LIST ? "test" : "compare", fd->example);
    }
    default: {
        char d[128];
        describe(n, d, sizeof d);
        return fail(c, n,
                    "expected a condition (a comparison, a function such as bought(...), "
                    "true or false), found %s",
                    d);
    }
    }
}

static int op_depth(const op *o)
{
    int d = 0;
    for (int i = 0; i < o->nkid; i++) {
        int k = op_depth(o->kid[i]);
        if (k > d) d = k;
    }
    return d + 1;
}

static bool has_cart(const op *o)
{
    if (o->kind == OP_CART) return true;
    for (int i = 0; i < o->nkid; i++)
        if (has_cart(o->kid[i])) return true;
    return false;
}

static enc_rc compile_into(comp *c, const char *src, size_t len, op **root, char **text)
{
    enc_aud_node *ast;
    enc_rc rc = enc_aud_parse(src, len, c->arena, &ast, c->where, c->err);
    if (rc) return rc;
    if (text) {
        enc_buf b = {0};
        enc_aud_print(ast, &b);
        *text = enc_arena_strndup(c->arena, b.p ? b.p : "", b.len);
        enc_buf_free(&b);
    }
    return cond(c, ast, root);
}

/* What pass 1 found the expression reads from the snapshot: its functions' parts and windows,
 * and the parts of the store fields it uses. */
static enc_snapshot_opts snapshot_needs(const comp *c)
{
    enc_snapshot_opts o = c->snap;
    for (int f = 0; f < AUD_F_COUNT; f++)
        if (c->need[f]) enc_aud_column_needs(f, &o);
    return o;
}

enc_rc enc_aud_needs(enc_store *st, const char *src, size_t len, int64_t now,
                     enc_snapshot_opts *out, enc_aud_pos *where, enc_err *err)
{
    comp c = {.st = st, .arena = enc_arena_new(1 << 14), .where = where, .err = err, .now = now};
    op *root;
    enc_rc rc = compile_into(&c, src, len, &root, NULL);
    enc_arena_free(c.arena);
    *out = rc ? (enc_snapshot_opts){0, 0, 0} : snapshot_needs(&c);
    return rc;
}

enc_rc enc_aud_check(enc_store *st, const char *self, const char *src, size_t len,
                     enc_aud_pos *where, enc_err *err)
{
    comp c = {.st = st, .arena = enc_arena_new(1 << 14), .where = where, .err = err};
    if (self) c.stack[c.nstack++] = self;
    op *root;
    enc_rc rc = compile_into(&c, src, len, &root, NULL);
    enc_arena_free(c.arena);
    return rc;
}

enc_rc enc_aud_compile(enc_aud_env *e, const char *src, size_t len, enc_aud_prog **out,
                       enc_aud_pos *where, enc_err *err)
{
    *out = NULL;
    /* pass 1 without data: every error, and the fields used */
    comp c = {.st = enc_aud_env_store(e),
              .arena = enc_arena_new(1 << 14),
              .where = where,
              .err = err,
              .now = enc_aud_env_now(e)};
    op *root;
    enc_rc rc = compile_into(&c, src, len, &root, NULL);
    enc_arena_free(c.arena);
    if (rc) return rc;
    enc_snapshot_opts need = snapshot_needs(&c);
    if (!enc_snapshot_opts_cover(&enc_aud_env_snapshot(e)->loaded, &need))
        return enc_fail(err, ENC_EUSAGE,
                        "the snapshot was read without data this expression needs (read it "
                        "with the options enc_aud_needs gives)");
    if ((rc = enc_aud_env_need(e, c.need, err))) return rc;
    /* pass 2 with the data */
    enc_aud_prog *p = enc_xcalloc(1, sizeof *p);
    p->arena = enc_arena_new(1 << 16);
    comp d = {.e = e,
              .s = enc_aud_env_snapshot(e),
              .st = enc_aud_env_store(e),
              .now = enc_aud_env_now(e),
              .arena = p->arena,
              .where = where,
              .err = err};
    rc = compile_into(&d, src, len, &p->root, &p->text);
    if (rc) {
        enc_aud_prog_free(p);
        return rc;
    }
    p->env = e;
    p->s = d.s;
    p->now = d.now;
    p->depth = op_depth(p->root);
    p->carts = has_cart(p->root);
    *out = p;
    return ENC_OK;
}

void enc_aud_prog_free(enc_aud_prog *p)
{
    if (!p) return;
    enc_arena_free(p->arena);
    free(p);
}

const char *enc_aud_prog_text(const enc_aud_prog *p) { return p->text; }

static void collect_refs(const enc_aud_node *n, enc_arena *a, const char ***v, size_t *nv,
                         size_t *cap)
{
    if (n->kind == AUD_N_CALL && strcmp(n->text, "segment") == 0 && n->nkid == 1 &&
        n->kid[0]->kind == AUD_N_STR) {
        if (*nv == *cap) {
            size_t nc = *cap ? *cap * 2 : 8;
            const char **nn = enc_arena_alloc(a, nc * sizeof *nn);
            if (*nv) memcpy(nn, *v, *nv * sizeof *nn);
            *v = nn;
            *cap = nc;
        }
        (*v)[(*nv)++] = n->kid[0]->text;
    }
    for (int i = 0; i < n->nkid; i++) collect_refs(n->kid[i], a, v, nv, cap);
}

enc_rc enc_aud_segment_refs(const char *src, size_t len, enc_arena *arena, const char ***names,
                            size_t *n, enc_err *err)
{
    *names = NULL;
    *n = 0;
    enc_aud_node *ast;
    enc_rc rc = enc_aud_parse(src, len, arena, &ast, NULL, err);
    if (rc) return rc;
    size_t cap = 0;
    collect_refs(ast, arena, names, n, &cap);
    return ENC_OK;
}

/* ---- kernels ----------------------------------------------------------------------------- */

typedef struct ws {
    uint64_t *tmp; /* 2 bitsets per tree level */
    size_t nw;
    uint32_t *stamp; /* per product, for cart_abandoned */
    uint32_t gen;
} ws;

/* For each word: the bits of customers base..base+lim-1 for which PRED(i) holds, and-ed with
 * the mask; words with an empty mask are skipped. */
#define COLUMN_LOOP(PRED)                                                                          \
    for (size_t w = 0; w < nw; w++) {                                                              \
        uint64_t m = mask[w];                                                                      \
        if (!m) {                                                                                  \
            out[w] = 0;                                                                            \
            continue;                                                                              \
        }                                                                                          \
        size_t base = w * 64, lim = n - base < 64 ? n - base : 64;                                 \
        uint64_t bits = 0;                                                                         \
        for (size_t b = 0; b < lim; b++) {                                                         \
            size_t i = base + b;                                                                   \
            bits |= (uint64_t)(PRED) << b;                                                         \
        }                                                                                          \
        out[w] = bits & m;                                                                         \
    }

static void k_range(const op *o, size_t n, const uint64_t *mask, uint64_t *out)
{
    size_t nw = nwords(n);
    const double *x = o->col;
    if (o->nint == 1 && !o->neg) {
        double lo = o->lo[0], hi = o->hi[0];
        COLUMN_LOOP((x[i] >= lo) & (x[i] <= hi));
        return;
    }
    for (size_t w = 0; w < nw; w++) {
        uint64_t m = mask[w];
        if (!m) {
            out[w] = 0;
            continue;
        }
        size_t base = w * 64, lim = n - base < 64 ? n - base : 64;
        uint64_t bits = 0;
        for (size_t b = 0; b < lim; b++) {
            double v = x[base + b];
            bool in = false;
            for (int k = 0; k < o->nint && !in; k++) in = v >= o->lo[k] && v <= o->hi[k];
            bits |= (uint64_t)((v == v) & (in != o->neg)) << b;
        }
        out[w] = bits & m;
    }
}

static void k_colcol(const op *o, size_t n, const uint64_t *mask, uint64_t *out)
{
    size_t nw = nwords(n);
    const double *a = o->col, *b2 = o->col2;
    switch (o->cmp) {
    case AUD_EQ: COLUMN_LOOP(a[i] == b2[i]); break;
    case AUD_NE: COLUMN_LOOP((a[i] == a[i]) & (b2[i] == b2[i]) & (a[i] != b2[i])); break;
    case AUD_LT: COLUMN_LOOP(a[i] < b2[i]); break;
    case AUD_LE: COLUMN_LOOP(a[i] <= b2[i]); break;
    case AUD_GT: COLUMN_LOOP(a[i] > b2[i]); break;
    case AUD_GE: COLUMN_LOOP(a[i] >= b2[i]); break;
    }
}

static void k_txt(const op *o, size_t n, const uint64_t *mask, uint64_t *out)
{
    size_t nw = nwords(n);
    const int32_t *id = o->ids;
    const uint8_t *tab = o->tab;
    uint8_t neg = o->neg;
    COLUMN_LOOP(id[i] >= 0 && (tab[id[i]] != neg));
}

static void k_consent(const op *o, const enc_snapshot *s, const uint64_t *mask, uint64_t *out)
{
    size_t n = s->ncust, nw = nwords(n);
    const uint8_t *cs = s->consent;
    uint8_t cm = o->mask;
    COLUMN_LOOP((cs[i] & cm) != 0);
}

/* tags(), top_category(), top_brand(), known(list): only the customers in the mask */
static void k_list(const op *o, size_t n, const uint64_t *mask, uint64_t *out)
{
    size_t nw = nwords(n);
    for (size_t w = 0; w < nw; w++) {
        uint64_t m = mask[w], bits = 0;
        for (uint64_t r = m; r; r &= r - 1) {
            size_t b = (size_t)__builtin_ctzll(r), i = w * 64 + b;
            bool hit = false;
            if (!o->tab) hit = o->off[i + 1] > o->off[i];
            else
                for (int64_t k = o->off[i]; k < o->off[i + 1] && !hit; k++) hit = o->tab[o->ids[k]];
            bits |= (uint64_t)hit << b;
        }
        out[w] = bits;
    }
}

static void k_orders(const op *o, const enc_snapshot *s, int64_t now, const uint64_t *mask,
                     uint64_t *out)
{
    size_t nw = nwords(s->ncust);
    for (size_t w = 0; w < nw; w++) {
        uint64_t m = mask[w], bits = 0;
        for (uint64_t r = m; r; r &= r - 1) {
            size_t b = (size_t)__builtin_ctzll(r), i = w * 64 + b;
            int64_t cnt = 0;
            for (int64_t k = s->ord_off[i + 1] - 1; k >= s->ord_off[i]; k--) {
                int64_t t = s->ord_ts[k];
                if (t >= now) continue;
                if (t < o->from) break;
                bool hit = !o->prod_ok; /* without a product filter no line is read (nor loaded) */
                for (int64_t l = hit ? 0 : s->line_off[k]; !hit && l < s->line_off[k + 1]; l++) {
                    int32_t p = s->line_prod[l];
                    hit = p >= 0 && o->prod_ok[p];
                }
                if (hit && ++cnt >= o->at_least) break;
            }
            bits |= (uint64_t)(cnt >= o->at_least) << b;
        }
        out[w] = bits;
    }
}

static void k_events(const op *o, const enc_snapshot *s, int64_t now, const uint64_t *mask,
                     uint64_t *out)
{
    size_t nw = nwords(s->ncust);
    for (size_t w = 0; w < nw; w++) {
        uint64_t m = mask[w], bits = 0;
        for (uint64_t r = m; r; r &= r - 1) {
            size_t b = (size_t)__builtin_ctzll(r), i = w * 64 + b;
            int64_t cnt = 0;
            for (int64_t k = s->ev_off[i + 1] - 1; k >= s->ev_off[i]; k--) {
                int64_t t = s->ev_ts[k];
                if (t >= now) continue;
                if (t < o->from) break;
                if (!(o->types >> s->ev_type[k] & 1)) continue;
                int32_t p = s->ev_prod[k];
                if (o->prod_ok && (p < 0 || !o->prod_ok[p])) continue;
                if (++cnt >= o->at_least) break;
            }
            bits |= (uint64_t)(cnt >= o->at_least) << b;
        }
        out[w] = bits;
    }
}

/* cart_abandoned: walking a customer's events from the latest back, orders at or after each
 * event's time are added as the walk passes them (stamping their products), so each cart_add
 * asks "was its product bought at or after this moment" in O(1); one pass over events and
 * orders per customer. */
static void k_cart(const op *o, const enc_snapshot *s, int64_t now, ws *x, const uint64_t *mask,
                   uint64_t *out)
{
    size_t nw = nwords(s->ncust);
    for (size_t w = 0; w < nw; w++) {
        uint64_t m = mask[w], bits = 0;
        for (uint64_t r = m; r; r &= r - 1) {
            size_t b = (size_t)__builtin_ctzll(r), i = w * 64 + b;
            if (++x->gen == 0) {
                memset(x->stamp, 0, s->nprod * sizeof *x->stamp);
                x->gen = 1;
            }
            uint32_t g = x->gen;
            int64_t k = s->ord_off[i + 1] - 1, o0 = s->ord_off[i];
            bool any_after = false, found = false;
            for (int64_t e = s->ev_off[i + 1] - 1; e >= s->ev_off[i] && !found; e--) {
                int64_t t = s->ev_ts[e];
                if (t >= now) continue;
                if (t < o->from) break;
                if (s->ev_type[e] != EV_CART_ADD) continue;
                int32_t p = s->ev_prod[e];
                if (o->prod_ok && (p < 0 || !o->prod_ok[p])) continue;
                for (; k >= o0 && s->ord_ts[k] >= t; k--) {
                    if (s->ord_ts[k] >= now) continue;
                    any_after = true;
                    for (int64_t l = s->line_off[k]; l < s->line_off[k + 1]; l++)
                        if (s->line_prod[l] >= 0) x->stamp[s->line_prod[l]] = g;
                }
                found = p >= 0 ? x->stamp[p] != g : !any_after;
            }
            bits |= (uint64_t)found << b;
        }
        out[w] = bits;
    }
}

static bool all_zero(const uint64_t *v, size_t nw)
{
    for (size_t k = 0; k < nw; k++)
        if (v[k]) return false;
    return true;
}

/* out = mask & op; out may be the same array as mask. */
static void eval(const enc_aud_prog *p, const op *o, const uint64_t *mask, uint64_t *out, ws *x,
                 int level)
{
    const enc_snapshot *s = p->s;
    size_t n = s->ncust, nw = x->nw;
    uint64_t *t0 = x->tmp + (size_t)level * 2 * nw, *t1 = t0 + nw;
    switch (o->kind) {
    case OP_TRUE:
        if (out != mask) memcpy(out, mask, nw * sizeof *out);
        break;
    case OP_FALSE: memset(out, 0, nw * sizeof *out); break;
    case OP_AND:
        if (out != mask) memcpy(out, mask, nw * sizeof *out);
        for (int k = 0; k < o->nkid; k++) {
            if (all_zero(out, nw)) break;
            eval(p, o->kid[k], out, out, x, level + 1);
        }
        break;
    case OP_OR:
        memcpy(t0, mask, nw * sizeof *t0); /* customers not yet in */
        memset(out, 0, nw * sizeof *out);
        for (int k = 0; k < o->nkid; k++) {
            if (all_zero(t0, nw)) break;
            eval(p, o->kid[k], t0, t1, x, level + 1);
            for (size_t w = 0; w < nw; w++) {
                out[w] |= t1[w];
                t0[w] &= ~t1[w];
            }
        }
        break;
    case OP_NOT:
        eval(p, o->kid[0], mask, t0, x, level + 1);
        for (size_t w = 0; w < nw; w++) out[w] = mask[w] & ~t0[w];
        break;
    case OP_RANGE: k_range(o, n, mask, out); break;
    case OP_COLCOL: k_colcol(o, n, mask, out); break;
    case OP_TXT: k_txt(o, n, mask, out); break;
    case OP_LIST: k_list(o, n, mask, out); break;
    case OP_CONSENT: k_consent(o, s, mask, out); break;
    case OP_ORDERS: k_orders(o, s, p->now, mask, out); break;
    case OP_EVENTS: k_events(o, s, p->now, mask, out); break;
    case OP_CART: k_cart(o, s, p->now, x, mask, out); break;
    }
}

void enc_aud_run(const enc_aud_prog *p, enc_aud_set *out)
{
    size_t n = p->s->ncust, nw = nwords(n);
    enc_aud_set_init(out, n);
    if (!nw) return;
    ws x = {.nw = nw};
    x.tmp = enc_xmalloc((size_t)(p->depth + 1) * 2 * nw * sizeof *x.tmp);
    if (p->carts) x.stamp = enc_xcalloc(p->s->nprod ? p->s->nprod : 1, sizeof *x.stamp);
    uint64_t *all = enc_xmalloc(nw * sizeof *all);
    memset(all, 0xff, nw * sizeof *all);
    if (n % 64) all[nw - 1] = (UINT64_C(1) << (n % 64)) - 1;
    eval(p, p->root, all, out->w, &x, 0);
    free(all);
    free(x.tmp);
    free(x.stamp);
}

enc_rc enc_aud_select(enc_aud_env *e, const char *src, size_t len, enc_aud_set *out,
                      enc_aud_pos *where, enc_err *err)
{
    enc_aud_prog *p;
    enc_rc rc = enc_aud_compile(e, src, len, &p, where, err);
    if (rc) {
        out->n = 0;
        out->w = NULL;
        return rc;
    }
    enc_aud_run(p, out);
    enc_aud_prog_free(p);
    return ENC_OK;
}
