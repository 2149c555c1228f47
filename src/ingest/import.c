/* import.c — the import stage (see import.h): column mapping, row cleaning per kind, and
 * batched writes through the store. One pass over the file; per-row work is cleaning plus
 * one or two keyed statements; customers, orders and products seen before in the run are
 * found in hash maps, not by SQL. */
#include "ingest/import.h"
#include "base/buf.h"
#include "base/csv.h"
#include "base/map.h"
#include "base/mem.h"
#include "ingest/clean.h"
#include "ingest/identity.h"
#include "ingest/vocab.h"
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_JSONL_LINE (1 << 20)

typedef struct order_slot {
    int64_t id;
    int64_t next_line;
    long batch; /* last batch in which the order got lines */
    bool returned;
    /* an order created in this run whose every line was inserted by it: its totals are the
     * sums of those lines, kept here, and written without reading the lines back */
    bool fresh;
    int64_t total, items, sales;
} order_slot;

typedef struct imp {
    enc_store *st;
    const enc_import_opts *o;
    enc_import_result *res;
    enc_err *err;
    enc_ident *ident;
    enc_tz *tz;
    int digits;
    const char *currency;
    const enc_field_def *fields;
    size_t nf;
    int format;

    /* CSV: header and column of each field */
    int colmap[ENC_MAX_FIELDS];
    char **header;
    size_t nheader;
    /* JSONL: normalised key -> field index (or -1) */
    enc_smap *keymap;

    /* the current row, field by field (trimmed, NULL when absent or empty) */
    const char *fv[ENC_MAX_FIELDS];
    size_t fl[ENC_MAX_FIELDS];
    long line;
    enc_arena *row_arena;
    bool row_bad;

    /* orders */
    enc_smap *orders; /* order_key -> index into ordv */
    order_slot *ordv;
    size_t nord, ordcap;
    size_t *touched; /* orders (slots) that got lines in this batch */
    size_t ntouched, tcap;
    enc_smap *products; /* sku -> product id */
    enc_smap *zones;    /* time zone names already checked */
    bool total_only;
    int total_field;
    char last_order[160]; /* rows of one order usually come together */
    int64_t last_slot;
    int last_digits;
    char last_ext[160]; /* and rows of one customer */
    int64_t last_cust, last_own;
    long last_merges;
    int64_t latest, tolerance; /* times after latest (now + tolerance) are rejected */
    int64_t row_own;           /* the registration the row's customer id names (identity.h) */
    long batch;
} imp;

/* ---- errors -------------------------------------------------------------------------------- */

/* Counts a (field, reason) pair; the reason is cut before the value it quotes (": '...'"). */
static void count_reason(imp *im, const char *field, const char *reason, bool warning)
{
    enc_import_result *r = im->res;
    char key[80];
    const char *q = strstr(reason, ": '");
    size_t n = q ? (size_t)(q - reason) : strlen(reason);
    if (n >= sizeof key) n = sizeof key - 1;
    memcpy(key, reason, n);
    key[n] = 0;
    for (size_t i = 0; i < r->nreasons; i++)
        if (r->reasons[i].warning == warning && strcmp(r->reasons[i].field, field) == 0 &&
            strcmp(r->reasons[i].reason, key) == 0) {
            r->reasons[i].count++;
            return;
        }
    if (r->nreasons >= ENC_IMPORT_REASONS_KEPT) return;
    if (!r->reasons) r->reasons = enc_xcalloc(ENC_IMPORT_REASONS_KEPT, sizeof *r->reasons);
    enc_import_reason *e = &r->reasons[r->nreasons++];
    snprintf(e->field, sizeof e->field, "%s", field);
    snprintf(e->reason, sizeof e->reason, "%s", key);
    e->warning = warning;
    e->count = 1;
}

/* Records a rejected row (warning false) or a dropped field (warning true): counted by reason,
 * the first ENC_IMPORT_ERRORS_KEPT kept for the report, every one written to --errors. */
static void add_issue(imp *im, bool warning, const char *field, const char *fmt, va_list ap)
{
    enc_import_result *r = im->res;
    char reason[200];
    vsnprintf(reason, sizeof reason, fmt, ap);
    if (!field) field = "";
    count_reason(im, field, reason, warning);
    enc_import_error **list = warning ? &r->warnings : &r->errors;
    size_t *n = warning ? &r->nwarnings : &r->nerrors;
    if (*n < ENC_IMPORT_ERRORS_KEPT) {
        if (!*list) *list = enc_xcalloc(ENC_IMPORT_ERRORS_KEPT, sizeof **list);
        enc_import_error *e = &(*list)[(*n)++];
        e->line = im->line;
        snprintf(e->field, sizeof e->field, "%s", field);
        snprintf(e->reason, sizeof e->reason, "%s", reason);
    }
    if (im->o->errors_out) {
        enc_buf b = {0};
        enc_buf_printf(&b, "%ld,%s,", im->line, warning ? "warning" : "rejected");
        enc_csv_cell(&b, field, strlen(field));
        enc_buf_addc(&b, ',');
        enc_csv_cell(&b, reason, strlen(reason));
        enc_buf_addc(&b, '\n');
        fwrite(b.p, 1, b.len, im->o->errors_out);
        enc_buf_free(&b);
    }
}

static void add_error(imp *im, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_error(imp *im, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_issue(im, false, field, fmt, ap);
    va_end(ap);
}

/* Marks the row rejected (the first reason is recorded). Returns false, for `return REJECT()`. */
static bool reject(imp *im, int fi, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool reject(imp *im, int fi, const char *fmt, ...)
{
    if (!im->row_bad) {
        va_list ap;
        va_start(ap, fmt);
        add_issue(im, false, im->fields[fi].name, fmt, ap);
        va_end(ap);
    }
    im->row_bad = true;
    return false;
}

/* Drops an optional field that is bad (the row is kept): a warning with line, field, reason.
 * Returns true, for `return DROP(...)` in getters of optional fields. */
static bool drop(imp *im, int fi, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool drop(imp *im, int fi, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_issue(im, true, im->fields[fi].name, fmt, ap);
    va_end(ap);
    im->res->warned++;
    im->fv[fi] = NULL;
    return true;
}
#define REJECT reject

/* ---- field access and cleaning ------------------------------------------------------------- */

static bool has(const imp *im, int f) { return im->fv[f] != NULL; }

/* NUL-terminated copy of a field's value (row arena), or NULL when absent. */
static const char *text(imp *im, int f)
{
    if (!im->fv[f]) return NULL;
    return enc_arena_strndup(im->row_arena, im->fv[f], im->fl[f]);
}

static bool get_id(imp *im, int f, const char **out)
{
    *out = NULL;
    if (!has(im, f)) return true;
    char buf[160];
    const char *why;
    if (!enc_clean_id(im->fv[f], im->fl[f], buf, sizeof buf, &why)) return REJECT(im, f, "%s", why);
    *out = enc_arena_strndup(im->row_arena, buf, strlen(buf));
    return true;
}

/* Identities (email, phone) are optional when the row has another way to name its customer:
 * then a bad one is dropped with a warning and the row kept. */
static bool get_email(imp *im, int f, bool optional, const char **out)
{
    *out = NULL;
    if (!has(im, f)) return true;
    char buf[320];
    const char *why;
    if (!enc_clean_email(im->fv[f], im->fl[f], buf, sizeof buf, &why)) {
        int q = (int)(im->fl[f] > 60 ? 60 : im->fl[f]);
        if (optional) return drop(im, f, "%s: '%.*s'", why, q, im->fv[f]);
        return REJECT(im, f, "%s: '%.*s'", why, q, im->fv[f]);
    }
    *out = enc_arena_strndup(im->row_arena, buf, strlen(buf));
    return true;
}

static bool get_phone(imp *im, int f, bool optional, const char **out)
{
    *out = NULL;
    if (!has(im, f)) return true;
    char buf[40];
    const char *why;
    if (!enc_clean_phone(im->fv[f], im->fl[f], im->o->phone_cc, buf, sizeof buf, &why)) {
        int q = (int)(im->fl[f] > 40 ? 40 : im->fl[f]);
        if (optional) return drop(im, f, "%s: '%.*s'", why, q, im->fv[f]);
        return REJECT(im, f, "%s: '%.*s'", why, q, im->fv[f]);
    }
    *out = enc_arena_strndup(im->row_arena, buf, strlen(buf));
    return true;
}

/* A time between 1970 and now plus the tolerance (a row dated 2099 would move every score).
 * A required time that is bad rejects the row; an optional one is dropped with a warning. */
static bool get_time(imp *im, int f, bool required, int64_t *out, bool *present)
{
    if (present) *present = false;
    if (!has(im, f)) return required ? REJECT(im, f, "missing") : true;
    const char *why = NULL;
    char rng[96];
    int q = (int)(im->fl[f] > 40 ? 40 : im->fl[f]);
    if (enc_clean_time(im->fv[f], im->fl[f], im->tz, out, &why)) {
        if (*out < 0) why = "before 1970";
        else if (*out > im->latest) {
            char when[40];
            enc_fmt_datetime(when, sizeof when, im->latest);
            snprintf(rng, sizeof rng, "in the future (after %s, now + %lld s)", when,
                     (long long)im->tolerance);
            why = rng;
        }
    }
    if (why) {
        if (required) return REJECT(im, f, "%s: '%.*s'", why, q, im->fv[f]);
        return drop(im, f, "%s: '%.*s'", why, q, im->fv[f]);
    }
    if (present) *present = true;
    return true;
}

static bool get_int(imp *im, int f, int64_t *out, bool *present)
{
    *present = false;
    if (!has(im, f)) return true;
    const char *why;
    if (!enc_clean_int(im->fv[f], im->fl[f], out, &why))
        return REJECT(im, f, "%s: '%.*s'", why, (int)(im->fl[f] > 40 ? 40 : im->fl[f]), im->fv[f]);
    *present = true;
    return true;
}

/* Money at `scale` decimals (the currency's digits, or more for exact unit prices). */
static bool get_decimal(imp *im, int f, int scale, int64_t *out, bool *present)
{
    *present = false;
    if (!has(im, f)) return true;
    const char *why;
    if (!enc_clean_decimal(im->fv[f], im->fl[f], scale, out, &why))
        return REJECT(im, f, "%s: '%.*s'", why, (int)(im->fl[f] > 40 ? 40 : im->fl[f]), im->fv[f]);
    *present = true;
    return true;
}

/* Money within ±ENC_IMPORT_MONEY_MAX minor units (value at `scale` decimals, digits of them
 * minor units); negative only when allow_negative. */
static bool money_ok(imp *im, int f, int64_t v, int extra, bool allow_negative)
{
    int64_t lim = ENC_IMPORT_MONEY_MAX;
    for (int i = 0; i < extra; i++) lim *= 10;
    if (v < 0 && !allow_negative)
        return REJECT(im, f, "negative (%s)",
                      f == O_UNIT_PRICE ? "a discount is its own field, not a negative price"
                                        : "must be 0 or more");
    if (v > lim || v < -lim)
        return REJECT(im, f, "out of range: '%.*s' (at most %lld)",
                      (int)(im->fl[f] > 40 ? 40 : im->fl[f]), im->fv[f],
                      (long long)(ENC_IMPORT_MONEY_MAX / 100));
    return true;
}

/* Optional text: invalid UTF-8 or a NUL byte drops the field with a warning. */
static bool get_text(imp *im, int f, const char **out)
{
    *out = NULL;
    if (!has(im, f)) return true;
    if (memchr(im->fv[f], 0, im->fl[f])) return drop(im, f, "contains a NUL byte");
    if (!enc_utf8_valid(im->fv[f], im->fl[f])) return drop(im, f, "invalid UTF-8");
    *out = text(im, f);
    return true;
}

/* Text the row cannot do without (a currency sets the decimals of every amount). */
static bool get_text_req(imp *im, int f, const char **out)
{
    *out = NULL;
    if (!has(im, f)) return true;
    if (memchr(im->fv[f], 0, im->fl[f])) return REJECT(im, f, "contains a NUL byte");
    if (!enc_utf8_valid(im->fv[f], im->fl[f])) return REJECT(im, f, "invalid UTF-8");
    *out = text(im, f);
    return true;
}

/* Lower-cased copy for matching words (statuses, types, channels). */
static const char *lower_text(imp *im, int f)
{
    char *s = (char *)text(im, f);
    if (s)
        for (char *p = s; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p += 32;
    return s;
}

/* The canonical word of a field's value in a vocabulary (vocab.h); a missing value is
 * rejected when required, an unknown one always. *out = NULL when absent. */
static bool get_word(imp *im, int f, const enc_vocab *table, bool required, const char **out)
{
    *out = NULL;
    if (!has(im, f)) return required ? REJECT(im, f, "missing") : true;
    const char *v = lower_text(im, f);
    *out = enc_vocab_find(table, v);
    if (!*out) return REJECT(im, f, "'%s' is not one of %s", v, enc_vocab_choices(table));
    return true;
}

/* ---- batches ------------------------------------------------------------------------------- */

static enc_rc flush_batch(imp *im)
{
    for (size_t i = 0; i < im->ntouched; i++) {
        const order_slot *o = &im->ordv[im->touched[i]];
        if (o->fresh
                ? enc_store_order_totals_set(im->st, o->id, o->total, o->items, o->sales, im->err)
                : enc_store_order_refresh(im->st, o->id, im->err))
            return ENC_EDB;
    }
    im->ntouched = 0;
    im->batch++;
    return ENC_OK;
}

static enc_rc commit_batch(imp *im, bool reopen)
{
    if (flush_batch(im)) return ENC_EDB;
    if (im->o->dry_run) return ENC_OK; /* one transaction, rolled back at the end */
    if (enc_store_commit(im->st, im->err)) return ENC_EDB;
    if (reopen && enc_store_begin(im->st, im->err)) return ENC_EDB;
    return ENC_OK;
}

static void count(imp *im, enc_put p)
{
    if (p == ENC_PUT_INSERTED) im->res->counts.imported++;
    else if (p == ENC_PUT_UPDATED) im->res->counts.updated++;
    else im->res->counts.skipped++;
}

/* A fallback key for rows without an id column: the row's line in its source. */
static const char *row_key(imp *im, const char *id)
{
    if (id) return id;
    char buf[32];
    snprintf(buf, sizeof buf, "#%ld", im->line);
    return enc_arena_strndup(im->row_arena, buf, strlen(buf));
}

/* The customer a row belongs to, created as a stub when unknown. */
static bool row_customer(imp *im, int f_id, int f_email, int f_phone, const char *country,
                         int64_t *cust)
{
    const char *ext = NULL, *email = NULL, *phone = NULL;
    if (!get_id(im, f_id, &ext)) return false;
    /* with a customer id, a bad email or phone is dropped (warning) and the row kept */
    if ((f_email >= 0 && !get_email(im, f_email, ext != NULL || has(im, f_phone), &email)) ||
        (f_phone >= 0 && !get_phone(im, f_phone, ext != NULL || email != NULL, &phone)))
        return false;
    long merges = enc_ident_merges(im->ident);
    bool id_only = ext && !email && !phone;
    im->row_own = 0;
    if (id_only && merges == im->last_merges && strcmp(ext, im->last_ext) == 0) {
        *cust = im->last_cust;
        im->row_own = im->last_own;
        return true;
    }
    enc_customer_rec stub = {0};
    stub.external_id = ext;
    stub.email = email;
    stub.phone = phone;
    stub.country = country;
    bool created;
    if (enc_ident_resolve_ex(im->ident, ext, email, phone, &stub, ENC_IDENT_MERGE_ALL, cust,
                             &im->row_own, &created, im->err))
        return false;
    if (enc_ident_was_suppressed(im->ident)) { /* an erased customer's row: not kept */
        im->res->suppressed++;
        im->err->rc = ENC_OK;
        return false;
    }
    if (created) im->res->customers_created++;
    im->last_ext[0] = 0;
    if (id_only && strlen(ext) < sizeof im->last_ext) {
        memcpy(im->last_ext, ext, strlen(ext) + 1);
        im->last_cust = *cust;
        im->last_own = im->row_own;
        im->last_merges = enc_ident_merges(im->ident);
    }
    return true;
}

/* A row of a registration merged into another is stored on the survivor and listed with that
 * merge, so that `customer unmerge` gives it back too. */
static enc_rc note_merged_row(imp *im, int64_t cust, const char *tbl, const char *key)
{
    if (!im->row_own || im->row_own == cust) return ENC_OK;
    return enc_store_merge_note_row(im->st, im->row_own, tbl, im->res->source, key, im->err);
}

/* ---- kinds --------------------------------------------------------------------------------- */

static enc_rc row_customers(imp *im)
{
    enc_customer_rec r = {0};
    const char *ext, *email, *phone, *gender = NULL;
    char bday[16];
    if (!get_id(im, C_ID, &ext)) return ENC_OK;
    /* a row is a customer when it has one good identity; bad extra ones are dropped */
    const char *why;
    char tmp[320];
    bool email_ok = has(im, C_EMAIL) &&
                    enc_clean_email(im->fv[C_EMAIL], im->fl[C_EMAIL], tmp, sizeof tmp, &why);
    if (!get_email(im, C_EMAIL, ext != NULL || has(im, C_PHONE), &email) ||
        !get_phone(im, C_PHONE, ext != NULL || email_ok, &phone))
        return ENC_OK;
    if (!ext && !email && !phone) {
        if (!im->row_bad)
            REJECT(im, C_ID, "no customer_id, email or phone to identify the customer");
        else im->row_bad = true;
        return ENC_OK;
    }
    /* every other field is optional: a bad one is dropped with a warning, the row kept */
    if (has(im, C_GENDER)) {
        int g = enc_clean_gender(im->fv[C_GENDER], im->fl[C_GENDER]);
        gender = g == 'm' ? "m" : g == 'f' ? "f" : NULL;
        if (!gender)
            drop(im, C_GENDER, "not a gender (m/f, male/female, 男/女): '%.*s'",
                 (int)(im->fl[C_GENDER] > 20 ? 20 : im->fl[C_GENDER]), im->fv[C_GENDER]);
    }
    if (has(im, C_BIRTHDAY)) {
        int y, m, d;
        int q = (int)(im->fl[C_BIRTHDAY] > 40 ? 40 : im->fl[C_BIRTHDAY]);
        if (!enc_clean_date(im->fv[C_BIRTHDAY], im->fl[C_BIRTHDAY], &y, &m, &d, &why)) {
            drop(im, C_BIRTHDAY, "%s: '%.*s'", why, q, im->fv[C_BIRTHDAY]);
        } else {
            snprintf(bday, sizeof bday, "%04d-%02d-%02d", y, m, d);
            int64_t day = enc_days_from_civil(y, m, d) * 86400;
            if (y < 1900 || day > im->latest)
                drop(im, C_BIRTHDAY, "%s: '%.*s'", y < 1900 ? "before 1900" : "in the future", q,
                     im->fv[C_BIRTHDAY]);
            else r.birthday = bday;
        }
    }
    get_time(im, C_REGISTERED, false, &r.registered_at, &r.has_registered);
    if (has(im, C_POINTS)) {
        int q = (int)(im->fl[C_POINTS] > 40 ? 40 : im->fl[C_POINTS]);
        if (!enc_clean_int(im->fv[C_POINTS], im->fl[C_POINTS], &r.points, &why))
            drop(im, C_POINTS, "%s: '%.*s'", why, q, im->fv[C_POINTS]);
        else if (r.points < 0 || r.points > ENC_IMPORT_MONEY_MAX)
            drop(im, C_POINTS, "out of range (0 to %lld): '%.*s'", ENC_IMPORT_MONEY_MAX, q,
                 im->fv[C_POINTS]);
        else r.has_points = true;
    }
    get_text(im, C_NAME, &r.name);
    get_text(im, C_COUNTRY, &r.country);
    get_text(im, C_REGION, &r.region);
    get_text(im, C_CITY, &r.city);
    get_text(im, C_OCCUPATION, &r.occupation);
    get_text(im, C_TIER, &r.tier);
    get_text(im, C_TZ, &r.tz);
    /* an OpenID is 1-64 of [A-Za-z0-9_-]; a device token 1-512 of [A-Za-z0-9_:.-]; either,
     * when malformed, is dropped with a warning and the row kept */
    const char *wx = NULL, *push = NULL;
    get_text(im, C_WECHAT_OPENID, &wx);
    get_text(im, C_PUSH_TOKEN, &push);
    if (wx && (strlen(wx) > 64 || strspn(wx, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789_-") != strlen(wx))) {
        drop(im, C_WECHAT_OPENID, "not an OpenID (1-64 of A-Z a-z 0-9 _ -)");
        wx = NULL;
    }
    if (push &&
        (strlen(push) > 512 ||
         strspn(push, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:.-") !=
             strlen(push))) {
        drop(im, C_PUSH_TOKEN, "not a device token (1-512 of A-Z a-z 0-9 _ : . -)");
        push = NULL;
    }
    if (r.tz) {
        bool added;
        int64_t *ok = enc_smap_put(im->zones, r.tz, strlen(r.tz), 0, &added);
        if (added) {
            enc_tz *z;
            enc_err e2;
            *ok = enc_tz_load(r.tz, &z, &e2) == ENC_OK;
            if (*ok) enc_tz_free(z);
        }
        if (!*ok) {
            drop(im, C_TZ, "unknown time zone '%s'", r.tz);
            r.tz = NULL;
        }
    }
    if (im->row_bad) return ENC_OK;
    r.external_id = ext;
    r.email = email;
    r.phone = phone;
    r.gender = gender;
    int64_t cust, own;
    bool created;
    long merges = enc_ident_merges(im->ident);
    if (enc_ident_resolve_ex(im->ident, ext, email, phone, &r, ENC_IDENT_MERGE_ALL, &cust, &own,
                             &created, im->err))
        return ENC_EDB;
    if (enc_ident_was_suppressed(im->ident)) { /* an erased customer: not brought back */
        im->res->suppressed++;
        return ENC_OK;
    }
    /* channel addresses kept as identities: a WeChat OpenID, a push device token */
    if ((wx || push) &&
        ((wx && enc_store_ident_set(im->st, "wechat_openid", wx, cust, im->res->source, im->err)) ||
         (push && enc_store_ident_set(im->st, "push_token", push, cust, im->res->source, im->err))))
        return ENC_EDB;
    if (created) {
        count(im, ENC_PUT_INSERTED);
        return ENC_OK;
    }
    /* A customer's own row is its latest export: changed values win. The row of a registration
     * merged into another never overwrites the survivor (re-importing either file changes
     * nothing): it only fills empty fields. */
    int64_t into;
    bool has_merged;
    if (enc_store_customer_state(im->st, own, &into, &has_merged, im->err)) return ENC_EDB;
    enc_put p;
    if (own == cust) {
        /* the survivor's own row: its latest values win, except what merges combined (points
         * summed, the higher tier, the earliest registration), which only a row of a customer
         * nobody was merged with may set */
        enc_customer_rec u = r;
        if (has_merged) u.has_points = u.has_registered = false, u.tier = NULL;
        if (enc_store_customer_update(im->st, cust, &u, &p, im->err)) return ENC_EDB;
    } else {
        enc_put p2 = ENC_PUT_SAME;
        if (enc_store_customer_fill(im->st, own, &r, &p, im->err) ||
            (own != cust && enc_store_customer_fill(im->st, cust, &r, &p2, im->err)))
            return ENC_EDB;
        if (p2 == ENC_PUT_UPDATED) p = p2;
    }
    if (p == ENC_PUT_SAME && enc_ident_merges(im->ident) != merges) p = ENC_PUT_UPDATED;
    count(im, p);
    return ENC_OK;
}

static enc_rc row_products(imp *im)
{
    enc_product_rec r = {0};
    r.in_stock = -1;
    const char *sku;
    if (!get_id(im, P_SKU, &sku)) return ENC_OK;
    if (!sku) {
        REJECT(im, P_SKU, "missing");
        return ENC_OK;
    }
    const char *cur = NULL;
    if (!get_text_req(im, P_CURRENCY, &cur)) return ENC_OK;
    int digits = cur ? enc_currency_digits(cur) : im->digits;
    if (!get_decimal(im, P_PRICE, digits, &r.price, &r.has_price) ||
        !get_decimal(im, P_COST, digits, &r.cost, &r.has_cost) ||
        !get_int(im, P_TIER, &r.tier, &r.has_tier) ||
        !get_int(im, P_REPLENISH, &r.replenish_days, &r.has_replenish) ||
        !get_text(im, P_NAME, &r.name) || !get_text(im, P_CATEGORY, &r.category) ||
        !get_text(im, P_BRAND, &r.brand) || !get_text(im, P_COMPLEMENTS, &r.complements))
        return ENC_OK;
    if (r.has_price && r.price < 0) {
        REJECT(im, P_PRICE, "negative price");
        return ENC_OK;
    }
    if (r.has_replenish && r.replenish_days <= 0) {
        REJECT(im, P_REPLENISH, "must be a positive number of days");
        return ENC_OK;
    }
    const char *stock;
    if (!get_word(im, P_IN_STOCK, enc_vocab_yes_no, false, &stock)) return ENC_OK;
    if (stock) r.in_stock = strcmp(stock, "yes") == 0;
    r.source = im->res->source;
    r.sku = sku;
    r.currency = cur ? cur : im->currency;
    int64_t id;
    enc_put p;
    if (enc_store_product_put(im->st, &r, false, &id, &p, im->err)) return ENC_EDB;
    count(im, p);
    return ENC_OK;
}

static bool order_status(imp *im, const char *key, const char **status)
{
    if (!get_word(im, O_STATUS, enc_vocab_order_status, false, status)) return false;
    if (!*status) *status = "paid";
    const char *pre = im->o->cancel_prefix;
    if (pre && *pre && strncmp(key, pre, strlen(pre)) == 0) *status = "returned";
    return true;
}

/* The order's own fields (time, status, customer, channel, ...) of the row. Returns false
 * when the row is rejected (or on a storage error, with im->err set). */
static bool order_header(imp *im, const char *key, enc_order_rec *o, int *digits, bool *returned)
{
    const char *status, *cur = NULL;
    int64_t ts;
    if (!get_time(im, O_TIME, true, &ts, NULL) || !order_status(im, key, &status)) return false;
    if (!get_text_req(im, O_CURRENCY, &cur) || !get_text(im, O_COUNTRY, &o->country) ||
        !get_text(im, O_CHANNEL, &o->channel) || !get_text(im, O_PAYMENT, &o->payment) ||
        !get_text(im, O_COUPON, &o->coupon))
        return false;
    *digits = cur ? enc_currency_digits(cur) : im->digits;
    bool has_discount;
    if (!get_decimal(im, O_DISCOUNT, *digits, &o->discount, &has_discount) ||
        (has_discount && !money_ok(im, O_DISCOUNT, o->discount, 0, false)))
        return false;
    *returned = strcmp(status, "returned") == 0;
    o->source = im->res->source;
    o->order_key = key;
    o->ts = ts;
    o->status = status;
    o->currency = cur ? cur : im->currency;
    return true;
}

/* Orders come as one row per line with the order's fields repeated (or one row per order with
 * a total). An order's fields are read from its first row in the file; the rows after it that
 * continue the same order only add lines. */
static enc_rc row_orders(imp *im)
{
    const char *id;
    if (!get_id(im, O_ORDER_ID, &id)) return ENC_OK;
    const char *key = row_key(im, id);
    size_t keylen = strlen(key);
    enc_order_rec o = {0};
    int digits = im->digits;
    bool returned = false;
    const bool same =
        !im->total_only && keylen < sizeof im->last_order && strcmp(key, im->last_order) == 0;
    if (same) {
        returned = im->ordv[im->last_slot].returned;
        digits = im->last_digits;
    } else if (!order_header(im, key, &o, &digits, &returned)) {
        return im->err->rc;
    }

    /* the line (or, for orders without lines, the total) */
    int64_t qty = 1, price_fine = 0, amount = 0;
    bool has_qty = false, has_price = false, has_amount = false;
    const char *sku = NULL;
    const int fine = 4; /* extra decimals kept on unit prices so amounts round once */
    if (!get_int(im, O_QTY, &qty, &has_qty)) return ENC_OK;
    if (!has_qty) qty = 1;
    if (qty > ENC_IMPORT_QTY_MAX || qty < -ENC_IMPORT_QTY_MAX) {
        REJECT(im, O_QTY, "out of range: %lld (at most %d a line)", (long long)qty,
               ENC_IMPORT_QTY_MAX);
        return ENC_OK;
    }
    if (im->total_only) {
        if (!get_decimal(im, im->total_field, digits, &amount, &has_amount)) return ENC_OK;
        if (!has_amount) {
            REJECT(im, im->total_field, "missing");
            return ENC_OK;
        }
        if (!money_ok(im, im->total_field, amount, 0, true)) return ENC_OK;
    } else {
        if (!get_id(im, O_SKU, &sku) ||
            !get_decimal(im, O_UNIT_PRICE, digits + fine, &price_fine, &has_price) ||
            !get_decimal(im, O_AMOUNT, digits, &amount, &has_amount))
            return ENC_OK;
        if (!has_price && !has_amount) {
            REJECT(im, O_UNIT_PRICE, "missing (no unit_price or amount)");
            return ENC_OK;
        }
        if ((has_price && !money_ok(im, O_UNIT_PRICE, price_fine, fine, false)) ||
            (has_amount && !money_ok(im, O_AMOUNT, amount, 0, true)))
            return ENC_OK;
        if (qty == 0) {
            REJECT(im, O_QTY, "zero quantity");
            return ENC_OK;
        }
    }
    if (returned && qty > 0) qty = -qty; /* a returned order's lines are returns */

    /* product facts on the line are read only for a product not seen yet in this run */
    int64_t product_id = 0;
    int64_t *pid = NULL;
    bool padded = false;
    enc_product_rec pr = {0};
    if (sku) {
        pid = enc_smap_get(im->products, sku, strlen(sku));
        if (!pid) {
            if (!get_text(im, O_NAME, &pr.name) || !get_text(im, O_CATEGORY, &pr.category) ||
                !get_text(im, O_BRAND, &pr.brand))
                return ENC_OK;
            padded = true;
        }
    }

    enc_put header = ENC_PUT_SAME;
    order_slot *slot = NULL;
    if (!same) {
        int64_t cust = 0;
        if (!row_customer(im, O_CUSTOMER_ID, O_EMAIL, O_PHONE, o.country, &cust))
            return im->err->rc;
        o.customer = cust;
        if (im->total_only) {
            if (returned && amount > 0) amount = -amount;
            o.total = amount;
            o.items = qty;
            o.has_total = true;
            int64_t oid;
            enc_put p;
            if (enc_store_order_put(im->st, &o, &oid, &p, im->err) ||
                note_merged_row(im, cust, "orders", key))
                return ENC_EDB;
            count(im, p);
            return ENC_OK;
        }
        /* the order header once per order and run */
        bool added;
        int64_t *slotp = enc_smap_put(im->orders, key, keylen, (int64_t)im->nord, &added);
        if (added) {
            ENC_GROW(im->ordv, im->ordcap, im->nord + 1);
            order_slot *s = &im->ordv[im->nord++];
            memset(s, 0, sizeof *s);
            s->batch = -1;
            s->returned = returned;
            if (enc_store_order_put(im->st, &o, &s->id, &header, im->err) ||
                note_merged_row(im, cust, "orders", key))
                return ENC_EDB;
            s->fresh = header == ENC_PUT_INSERTED;
        }
        if (keylen < sizeof im->last_order) {
            memcpy(im->last_order, key, keylen + 1);
            im->last_slot = *slotp;
            im->last_digits = digits;
        }
        slot = &im->ordv[*slotp];
    } else {
        slot = &im->ordv[im->last_slot];
    }

    if (padded) {
        pid = enc_smap_put(im->products, sku, strlen(sku), 0, NULL);
        pr.in_stock = -1;
        pr.source = im->res->source;
        pr.sku = sku;
        enc_put pp;
        if (enc_store_product_put(im->st, &pr, true, pid, &pp, im->err)) return ENC_EDB;
    }
    if (pid) product_id = *pid;

    enc_line_rec l = {0};
    l.order_id = slot->id;
    if (slot->next_line >= ENC_LINE_MAX) {
        REJECT(im, O_ORDER_ID, "order has more than %d lines", ENC_LINE_MAX);
        return ENC_OK;
    }
    l.line_no = slot->next_line + 1;
    l.product_id = product_id;
    l.sku = sku;
    l.qty = qty;
    int64_t scale = 1;
    for (int i = 0; i < fine; i++) scale *= 10;
    if (has_price) {
        /* unit price rounded to minor units; amount = qty × exact price, rounded once */
        int64_t p = price_fine, prod;
        l.unit_price = (p >= 0 ? p + scale / 2 : p - scale / 2) / scale;
        if (__builtin_mul_overflow(qty, p, &prod)) {
            REJECT(im, O_QTY, "quantity × unit price overflows");
            return ENC_OK;
        }
        l.amount = (prod >= 0 ? prod + scale / 2 : prod - scale / 2) / scale;
    }
    if (has_amount) {
        l.amount = (qty < 0 && amount > 0) ? -amount : amount;
        if (!has_price) l.unit_price = l.amount / qty;
    }
    l.kind = qty < 0 ? "return" : (has_price ? price_fine > 0 : l.amount > 0) ? "sale" : "free";
    enc_put p;
    if (enc_store_line_put(im->st, &l, &p, im->err)) return ENC_EDB;
    slot->next_line++;
    if (p != ENC_PUT_INSERTED || __builtin_add_overflow(slot->total, l.amount, &slot->total) ||
        __builtin_add_overflow(slot->items, l.qty, &slot->items) ||
        (l.kind[0] == 's' && __builtin_add_overflow(slot->sales, l.amount, &slot->sales)))
        slot->fresh = false; /* then its totals are summed by the store */
    if (slot->batch != im->batch) {
        slot->batch = im->batch;
        ENC_GROW(im->touched, im->tcap, im->ntouched + 1);
        im->touched[im->ntouched++] = (size_t)(slot - im->ordv);
    }
    if (p == ENC_PUT_SAME && header == ENC_PUT_UPDATED) p = ENC_PUT_UPDATED;
    count(im, p);
    return ENC_OK;
}

static enc_rc row_events(imp *im)
{
    enc_event_rec r = {0};
    const char *id;
    if (!get_id(im, E_EVENT_ID, &id) || !get_time(im, E_TIME, true, &r.ts, NULL)) return ENC_OK;
    if (!has(im, E_TYPE)) {
        REJECT(im, E_TYPE, "missing");
        return ENC_OK;
    }
    const char *v = lower_text(im, E_TYPE);
    r.type = enc_vocab_event_type_of(v);
    if (!r.type) {
        REJECT(im, E_TYPE, "not an event type: '%s'", v);
        return ENC_OK;
    }
    if (!get_id(im, E_SKU, &r.sku) || !get_text(im, E_SESSION, &r.session) ||
        !get_text(im, E_CHANNEL, &r.channel) || !get_text(im, E_PROPS, &r.props) ||
        !get_decimal(im, E_VALUE, im->digits, &r.value, &r.has_value))
        return ENC_OK;
    if (!row_customer(im, E_CUSTOMER_ID, E_EMAIL, E_PHONE, NULL, &r.customer)) return im->err->rc;
    r.source = im->res->source;
    r.source_key = row_key(im, id);
    enc_put p;
    if (enc_store_event_put(im->st, &r, &p, im->err) ||
        note_merged_row(im, r.customer, "events", r.source_key))
        return ENC_EDB;
    count(im, p);
    return ENC_OK;
}

static enc_rc row_feedback(imp *im)
{
    enc_feedback_rec r = {0};
    const char *id;
    if (!get_id(im, F_FEEDBACK_ID, &id) || !get_time(im, F_TIME, true, &r.ts, NULL)) return ENC_OK;
    if (!get_word(im, F_KIND, enc_vocab_feedback_kind, true, &r.kind)) return ENC_OK;
    if (has(im, F_SCORE)) {
        int64_t s;
        const char *why;
        if (!enc_clean_decimal(im->fv[F_SCORE], im->fl[F_SCORE], 2, &s, &why)) {
            REJECT(im, F_SCORE, "%s", why);
            return ENC_OK;
        }
        r.score = (double)s / 100.0;
        r.has_score = true;
        if (strcmp(r.kind, "nps") == 0 && (r.score < 0 || r.score > 10)) {
            REJECT(im, F_SCORE, "NPS score must be 0-10, got %g", r.score);
            return ENC_OK;
        }
        if (strcmp(r.kind, "review") == 0 && (r.score < 0 || r.score > 5)) {
            REJECT(im, F_SCORE, "review rating must be 0-5, got %g", r.score);
            return ENC_OK;
        }
    }
    if (!get_text(im, F_TEXT, &r.text) || !get_id(im, F_ORDER_ID, &r.order_key) ||
        !get_id(im, F_SKU, &r.sku))
        return ENC_OK;
    if (!row_customer(im, F_CUSTOMER_ID, F_EMAIL, F_PHONE, NULL, &r.customer)) return im->err->rc;
    r.source = im->res->source;
    r.source_key = row_key(im, id);
    enc_put p;
    if (enc_store_feedback_put(im->st, &r, &p, im->err) ||
        note_merged_row(im, r.customer, "feedback", r.source_key))
        return ENC_EDB;
    count(im, p);
    return ENC_OK;
}

static enc_rc row_consents(imp *im)
{
    enc_consent_rec r = {0};
    const char *id;
    if (!get_id(im, K_CONSENT_ID, &id) || !get_time(im, K_TIME, true, &r.ts, NULL)) return ENC_OK;
    const char *status;
    if (!get_word(im, K_CHANNEL, enc_vocab_channel, true, &r.channel) ||
        !get_word(im, K_PURPOSE, enc_vocab_purpose, false, &r.purpose) ||
        !get_word(im, K_STATUS, enc_vocab_consent, true, &status))
        return ENC_OK;
    if (!r.purpose) r.purpose = "marketing";
    r.granted = strcmp(status, "granted") == 0;
    if (!row_customer(im, K_CUSTOMER_ID, K_EMAIL, K_PHONE, NULL, &r.customer)) return im->err->rc;
    if (!r.customer) {
        REJECT(im, K_CUSTOMER_ID, "no customer_id, email or phone to identify the customer");
        return ENC_OK;
    }
    r.source = im->res->source;
    r.source_key = row_key(im, id);
    enc_put p;
    if (enc_store_consent_put(im->st, &r, &p, im->err) ||
        note_merged_row(im, r.customer, "consents", r.source_key))
        return ENC_EDB;
    count(im, p);
    return ENC_OK;
}

/* ---- mapping ------------------------------------------------------------------------------- */

static bool is_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

static enc_rc field_list(imp *im, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < im->nf && o + 2 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", im->fields[i].name);
    return ENC_OK;
}

/* Applies --map FIELD=COLUMN entries; for CSV onto colmap, for JSONL onto keymap. */
static enc_rc apply_maps(imp *im)
{
    for (size_t i = 0; i < im->o->nmaps; i++) {
        const char *m = im->o->maps[i];
        const char *eq = strchr(m, '=');
        if (!eq || eq == m || !eq[1])
            return enc_fail(im->err, ENC_EUSAGE, "--map '%s': expected FIELD=COLUMN", m);
        char field[64];
        snprintf(field, sizeof field, "%.*s", (int)(eq - m), m);
        int f = enc_field_find(im->o->kind, field);
        if (f < 0) {
            char list[1024];
            field_list(im, list, sizeof list);
            return enc_fail(im->err, ENC_EUSAGE, "--map '%s': %s has no field '%s' (fields: %s)", m,
                            enc_kind_name(im->o->kind), field, list);
        }
        const char *col = eq + 1;
        if (im->format == ENC_FMT_JSONL) {
            char norm[256];
            enc_header_norm(col, strlen(col), norm, sizeof norm);
            /* an explicit key replaces the default one for this field */
            for (size_t j = 0;; j++) {
                const char *k;
                size_t kn;
                int64_t v;
                int at = enc_smap_at(im->keymap, j, &k, &kn, &v);
                if (at < 0) break;
                if (at > 0 && v == f) *enc_smap_get(im->keymap, k, kn) = -1;
            }
            *enc_smap_put(im->keymap, col, strlen(col), f, NULL) = f;
            continue;
        }
        long c = -1;
        if (im->o->no_header) {
            long v;
            if (!is_digits(col) || (v = atol(col)) < 1 || v > 4096)
                return enc_fail(im->err, ENC_EUSAGE,
                                "--map '%s': without a header, columns are numbers from 1", m);
            c = v - 1;
        } else {
            for (size_t h = 0; h < im->nheader && c < 0; h++)
                if (strcmp(im->header[h], col) == 0) c = (long)h;
            char want[256], got[256];
            enc_header_norm(col, strlen(col), want, sizeof want);
            for (size_t h = 0; h < im->nheader && c < 0; h++) {
                enc_header_norm(im->header[h], strlen(im->header[h]), got, sizeof got);
                if (strcmp(want, got) == 0) c = (long)h;
            }
            if (c < 0 && is_digits(col) && atol(col) >= 1 && (size_t)atol(col) <= im->nheader)
                c = atol(col) - 1;
            if (c < 0)
                return enc_fail(im->err, ENC_EUSAGE, "--map '%s': %s has no column '%s'", m,
                                im->o->path, col);
        }
        /* the column now belongs to this field only */
        for (size_t g = 0; g < im->nf; g++)
            if (im->colmap[g] == c) im->colmap[g] = -1;
        im->colmap[f] = (int)c;
    }
    return ENC_OK;
}

static bool mapped(const imp *im, int f)
{
    if (im->format != ENC_FMT_JSONL) return im->colmap[f] >= 0;
    for (size_t j = 0;; j++) {
        const char *k;
        size_t kn;
        int64_t v;
        int at = enc_smap_at(im->keymap, j, &k, &kn, &v);
        if (at < 0) return false;
        if (at > 0 && v == f) return true;
    }
}

/* Checks that the fields a kind cannot do without are mapped (CSV only: JSONL keys are only
 * known row by row, so there a missing field rejects rows instead). */
static enc_rc check_required(imp *im)
{
    enc_kind k = im->o->kind;
    if (k == ENC_KIND_ORDERS) {
        im->total_only = !mapped(im, O_SKU) && !mapped(im, O_UNIT_PRICE) &&
                         (mapped(im, O_TOTAL) || mapped(im, O_AMOUNT));
        im->total_field = mapped(im, O_TOTAL) ? O_TOTAL : O_AMOUNT;
    }
    if (im->format == ENC_FMT_JSONL) return ENC_OK;
    const char *missing = NULL;
    switch (k) {
    case ENC_KIND_CUSTOMERS:
        if (!mapped(im, C_ID) && !mapped(im, C_EMAIL) && !mapped(im, C_PHONE))
            missing = "customer_id, email or phone";
        break;
    case ENC_KIND_PRODUCTS:
        if (!mapped(im, P_SKU)) missing = "sku";
        break;
    case ENC_KIND_ORDERS:
        if (!mapped(im, O_TIME)) missing = "time";
        else if (!im->total_only && !mapped(im, O_UNIT_PRICE) && !mapped(im, O_AMOUNT))
            missing = "unit_price, amount or total";
        break;
    case ENC_KIND_EVENTS:
        if (!mapped(im, E_TIME)) missing = "time";
        else if (!mapped(im, E_TYPE)) missing = "type";
        break;
    case ENC_KIND_FEEDBACK:
        if (!mapped(im, F_TIME)) missing = "time";
        else if (!mapped(im, F_KIND)) missing = "kind";
        break;
    case ENC_KIND_CONSENTS:
        if (!mapped(im, K_CHANNEL)) missing = "channel";
        else if (!mapped(im, K_STATUS)) missing = "status";
        else if (!mapped(im, K_TIME)) missing = "time";
        else if (!mapped(im, K_CUSTOMER_ID) && !mapped(im, K_EMAIL) && !mapped(im, K_PHONE))
            missing = "customer_id, email or phone";
        break;
    default: break;
    }
    if (!missing) return ENC_OK;
    enc_buf cols = {0};
    for (size_t h = 0; h < im->nheader; h++)
        enc_buf_printf(&cols, "%s%s", h ? ", " : "", im->header[h]);
    enc_fail(im->err, ENC_EUSAGE,
             "%s: no column for %s (columns: %s); name it with --map FIELD=COLUMN", im->o->path,
             missing, cols.p ? cols.p : "none");
    enc_buf_free(&cols);
    return ENC_EUSAGE;
}

/* ---- reading ------------------------------------------------------------------------------- */

static enc_rc process_row(imp *im)
{
    im->row_bad = false;
    enc_rc rc;
    switch (im->o->kind) {
    case ENC_KIND_CUSTOMERS: rc = row_customers(im); break;
    case ENC_KIND_PRODUCTS: rc = row_products(im); break;
    case ENC_KIND_ORDERS: rc = row_orders(im); break;
    case ENC_KIND_EVENTS: rc = row_events(im); break;
    case ENC_KIND_FEEDBACK: rc = row_feedback(im); break;
    default: rc = row_consents(im); break;
    }
    if (rc) return rc;
    if (im->row_bad) im->res->counts.rejected++;
    return ENC_OK;
}

static void set_field(imp *im, int f, const char *s, size_t n)
{
    enc_trim(&s, &n);
    im->fv[f] = n ? s : NULL;
    im->fl[f] = n;
}

/* JSON value as text: strings as they are, numbers in their shortest form, objects and arrays
 * as compact JSON. */
static bool json_text(imp *im, json_t *v, const char **s, size_t *n)
{
    char tmp[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        *s = json_string_value(v);
        *n = json_string_length(v);
        return true;
    case JSON_INTEGER:
        snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: {
        double d = json_real_value(v);
        for (int p = 6; p <= 17; p++) {
            snprintf(tmp, sizeof tmp, "%.*g", p, d);
            if (strtod(tmp, NULL) == d) break;
        }
        break;
    }
    case JSON_TRUE: snprintf(tmp, sizeof tmp, "true"); break;
    case JSON_FALSE: snprintf(tmp, sizeof tmp, "false"); break;
    case JSON_NULL: return false;
    default: {
        char *d = json_dumps(v, JSON_COMPACT);
        if (!d) return false;
        *s = enc_arena_strndup(im->row_arena, d, strlen(d));
        *n = strlen(d);
        free(d);
        return true;
    }
    }
    *n = strlen(tmp);
    *s = enc_arena_strndup(im->row_arena, tmp, *n);
    return true;
}

static enc_rc run_jsonl(imp *im)
{
    FILE *f = strcmp(im->o->path, "-") == 0 ? stdin : fopen(im->o->path, "rb");
    if (!f) return enc_fail(im->err, ENC_EIO, "%s: %s", im->o->path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    enc_rc rc = ENC_OK;
    long batch_rows = im->o->batch_rows > 0 ? im->o->batch_rows : ENC_IMPORT_BATCH, in_batch = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        im->line++;
        const char *s = line;
        size_t n = (size_t)len;
        enc_trim(&s, &n);
        if (!n) continue;
        enc_arena_reset(im->row_arena);
        memset(im->fv, 0, sizeof im->fv);
        im->res->counts.read++;
        if (n > MAX_JSONL_LINE) {
            add_error(im, "", "line longer than %d bytes", MAX_JSONL_LINE);
            im->res->counts.rejected++;
            continue;
        }
        json_error_t je;
        json_t *obj = json_loadb(s, n, JSON_DECODE_ANY, &je);
        if (!obj || !json_is_object(obj)) {
            add_error(im, "", obj ? "not a JSON object" : "bad JSON at column %d: %s",
                      obj ? 0 : je.column, obj ? "" : je.text);
            im->res->counts.rejected++;
            json_decref(obj);
            continue;
        }
        const char *key;
        json_t *val;
        json_object_foreach(obj, key, val)
        {
            size_t kl = strlen(key);
            int64_t *f_idx = enc_smap_get(im->keymap, key, kl);
            if (!f_idx) {
                char norm[256];
                enc_header_norm(key, kl, norm, sizeof norm);
                int fi = enc_field_by_header(im->o->kind, norm);
                /* a field mapped explicitly to another key is not filled by default */
                if (fi >= 0)
                    for (size_t j = 0; j < im->o->nmaps; j++) {
                        const char *m = im->o->maps[j], *eq = strchr(m, '=');
                        if (eq && (size_t)(eq - m) == strlen(im->fields[fi].name) &&
                            strncmp(m, im->fields[fi].name, (size_t)(eq - m)) == 0)
                            fi = -1;
                    }
                f_idx = enc_smap_put(im->keymap, key, kl, fi, NULL);
            }
            const char *t;
            size_t tl;
            if (*f_idx >= 0 && json_text(im, val, &t, &tl)) set_field(im, (int)*f_idx, t, tl);
        }
        rc = process_row(im);
        json_decref(obj);
        if (rc) break;
        if (im->o->max_errors >= 0 && im->res->counts.rejected > im->o->max_errors) {
            im->res->hit_max_errors = true;
            break;
        }
        if (++in_batch >= batch_rows) {
            in_batch = 0;
            if ((rc = commit_batch(im, true))) break;
        }
    }
    free(line);
    if (f != stdin) fclose(f);
    return rc;
}

/* The encoding of a file read without --encoding: UTF-8 when its first 64 KiB are valid UTF-8
 * (a character cut at the end of the sample is fine), GBK (read as GB18030) when they are not
 * but convert cleanly from GB18030, else an error that says what to try. */
static enc_rc detect_encoding(imp *im, enc_encoding *enc)
{
    *enc = ENC_UTF8;
    if (im->o->encoding_set || strcmp(im->o->path, "-") == 0) {
        *enc = im->o->encoding;
        return ENC_OK;
    }
    FILE *f = fopen(im->o->path, "rb");
    if (!f) return enc_fail(im->err, ENC_EIO, "%s: %s", im->o->path, strerror(errno));
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    bool full = n < sizeof buf;
    fclose(f);
    size_t m = n;
    if (!full) /* do not judge a character cut by the sample's end */
        for (int k = 0; k < 3 && m > 0 && ((unsigned char)buf[m - 1] & 0x80); k++) m--;
    if (enc_utf8_valid(buf, m)) return ENC_OK;
    size_t bad_at = 0;
    for (size_t step = 1; step <= m && enc_utf8_valid(buf, step); step++) bad_at = step;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    bool gbk = false;
    if (cd != (iconv_t)-1) {
        char out[1 << 12];
        char *in = buf;
        size_t left = n;
        gbk = true;
        while (left > 0) {
            char *o = out;
            size_t room = sizeof out;
            size_t r = iconv(cd, &in, &left, &o, &room);
            if (r == (size_t)-1 && errno != E2BIG) {
                /* a multi-byte character cut by the sample's end is not an error */
                gbk = errno == EINVAL && !full;
                break;
            }
        }
        iconv_close(cd);
    }
    if (gbk) {
        *enc = ENC_GBK;
        im->res->encoding_detected = "gbk";
        return ENC_OK;
    }
    long line = 1;
    for (size_t i = 0; i < bad_at; i++) line += buf[i] == '\n';
    return enc_fail(im->err, ENC_EPARSE,
                    "%s: line %ld: not valid UTF-8 (byte %zu), and not GBK either; name the"
                    " file's encoding, e.g. try --encoding gbk",
                    im->o->path, line, bad_at + 1);
}

static enc_rc run_csv(imp *im)
{
    enc_csv_opts co = {0};
    if (detect_encoding(im, &co.encoding)) return im->err->rc;
    if (im->format == ENC_FMT_AUTO) {
        /* sniff the first line */
        FILE *f = strcmp(im->o->path, "-") == 0 ? NULL : fopen(im->o->path, "rb");
        if (!f && strcmp(im->o->path, "-") != 0)
            return enc_fail(im->err, ENC_EIO, "%s: %s", im->o->path, strerror(errno));
        char first[4096];
        size_t n = 0;
        if (f) {
            n = fread(first, 1, sizeof first - 1, f);
            fclose(f);
        }
        first[n] = 0;
        char *nl = memchr(first, '\n', n);
        co.format = enc_csv_sniff(first, nl ? (size_t)(nl - first) : n);
    } else {
        co.format = (enc_csv_format)im->format;
    }
    enc_csv *r;
    if (enc_csv_open(&r, im->o->path, &co, im->err)) return im->err->rc ? im->err->rc : ENC_EIO;
    enc_csv_row row;
    enc_rc rc = ENC_OK;
    enc_err rowerr;
    int got;

    if (!im->o->no_header) {
        do {
            got = enc_csv_next(r, &row, &rowerr);
        } while (got == -1);
        if (got == -2) {
            enc_csv_close(r);
            return enc_fail(im->err, ENC_EIO, "%s: %s", im->o->path, rowerr.msg);
        }
        if (got == 0) {
            enc_csv_close(r);
            return enc_fail(im->err, ENC_EPARSE, "%s: empty file (no header row)", im->o->path);
        }
        im->nheader = row.n;
        im->header = enc_xcalloc(row.n ? row.n : 1, sizeof *im->header);
        for (size_t c = 0; c < row.n; c++) {
            const char *s = row.f[c];
            size_t n = row.len[c];
            enc_trim(&s, &n);
            im->header[c] = enc_xstrndup(s, n);
            char norm[256];
            enc_header_norm(s, n, norm, sizeof norm);
            int fi = enc_field_by_header(im->o->kind, norm);
            if (fi >= 0 && im->colmap[fi] < 0) im->colmap[fi] = (int)c;
        }
    }
    if ((rc = apply_maps(im)) || (rc = check_required(im))) {
        enc_csv_close(r);
        return rc;
    }

    long batch_rows = im->o->batch_rows > 0 ? im->o->batch_rows : ENC_IMPORT_BATCH, in_batch = 0;
    uint64_t total = enc_csv_bytes_total(r);
    while ((got = enc_csv_next(r, &row, &rowerr)) != 0) {
        if (got == -2) {
            rc = enc_fail(im->err, ENC_EIO, "%s: %s", im->o->path, rowerr.msg);
            break;
        }
        im->line = row.line;
        im->res->counts.read++;
        if (got == -1) {
            add_error(im, "", "%s", rowerr.msg);
            im->res->counts.rejected++;
        } else if (im->nheader && row.n != im->nheader) {
            /* a short or long row: its fields cannot be told apart, so the row is reported
             * by its field count, not by the first field that happens to be missing */
            add_error(im, "", "%zu fields, the header has %zu", row.n, im->nheader);
            im->res->counts.rejected++;
        } else {
            enc_arena_reset(im->row_arena);
            for (size_t f = 0; f < im->nf; f++) {
                int c = im->colmap[f];
                if (c >= 0 && (size_t)c < row.n) set_field(im, (int)f, row.f[c], row.len[c]);
                else im->fv[f] = NULL;
            }
            if ((rc = process_row(im))) break;
        }
        if (im->o->max_errors >= 0 && im->res->counts.rejected > im->o->max_errors) {
            im->res->hit_max_errors = true;
            break;
        }
        if (++in_batch >= batch_rows) {
            in_batch = 0;
            if ((rc = commit_batch(im, true))) break;
        }
        if (im->o->progress && (im->res->counts.read & 0x3fff) == 0)
            im->o->progress(im->o->progress_ctx, enc_csv_bytes_read(r), total);
    }
    enc_csv_close(r);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int format_from_path(const char *path)
{
    size_t n = strlen(path);
    if (n >= 6 && (strcmp(path + n - 6, ".jsonl") == 0 || strcmp(path + n - 7, ".ndjson") == 0))
        return ENC_FMT_JSONL;
    if (n >= 4 && strcmp(path + n - 4, ".tsv") == 0) return ENC_FMT_TSV;
    return ENC_FMT_AUTO;
}

enc_rc enc_import_run(enc_store *st, const enc_import_opts *o, enc_import_result *res, enc_err *err)
{
    memset(res, 0, sizeof *res);
    snprintf(res->source, sizeof res->source, "%s",
             o->source && *o->source ? o->source : base_name(o->path));
    imp im = {0};
    im.st = st;
    im.o = o;
    im.res = res;
    im.err = err;
    im.fields = enc_kind_fields(o->kind, &im.nf);
    im.format = o->format == ENC_FMT_AUTO ? format_from_path(o->path) : o->format;
    for (int i = 0; i < ENC_MAX_FIELDS; i++) im.colmap[i] = -1;
    im.currency = o->currency && *o->currency ? o->currency : NULL;
    im.digits = im.currency ? enc_currency_digits(im.currency) : 2;
    if (o->tz && *o->tz && enc_tz_load(o->tz, &im.tz, err))
        return enc_fail(err, ENC_EUSAGE, "--tz: %s", err->msg);
    if (im.format == ENC_FMT_JSONL && o->encoding != ENC_UTF8) {
        enc_tz_free(im.tz);
        return enc_fail(err, ENC_EUSAGE, "JSON lines are read as UTF-8 only");
    }
    int64_t now = o->now > 0 ? o->now : (int64_t)time(NULL);
    im.tolerance = o->future_tolerance_set && o->future_tolerance >= 0
                       ? o->future_tolerance
                       : ENC_IMPORT_FUTURE_TOLERANCE;
    im.latest = now + im.tolerance;
    im.row_arena = enc_arena_new(1 << 14);
    im.orders = enc_smap_new(1 << 12);
    im.products = enc_smap_new(1 << 10);
    im.zones = enc_smap_new(16);
    im.keymap = enc_smap_new(64);
    im.ident = enc_ident_new(st, res->source);
    int64_t started = (int64_t)time(NULL);

    enc_rc rc = enc_store_bulk(st, true, err);
    /* large files: every identity in memory, no lookups by SQL */
    struct stat sb;
    if (!rc && strcmp(o->path, "-") != 0 && stat(o->path, &sb) == 0 && sb.st_size > (1 << 20))
        rc = enc_ident_preload(im.ident, err);
    if (!rc) rc = enc_store_begin(st, err);
    if (!rc) {
        if (im.format == ENC_FMT_JSONL) {
            rc = apply_maps(&im);
            if (!rc) rc = check_required(&im);
            if (!rc) rc = run_jsonl(&im);
        } else {
            rc = run_csv(&im);
        }
        res->counts.merged = enc_ident_merges(im.ident);
        if (!rc) rc = flush_batch(&im);
        if (!rc && !o->dry_run)
            rc = enc_store_import_log(st, enc_kind_name(o->kind), o->path, res->source, started,
                                      (int64_t)time(NULL), &res->counts, err);
        if (!rc && !o->dry_run) rc = enc_store_commit(st, err);
        else enc_store_rollback(st);
        enc_err e2;
        if (enc_store_bulk(st, false, rc ? &e2 : err) && !rc) rc = err->rc;
    }

    for (size_t h = 0; h < im.nheader; h++) free(im.header[h]);
    free(im.header);
    free(im.ordv);
    free(im.touched);
    enc_smap_free(im.orders);
    enc_smap_free(im.products);
    enc_smap_free(im.zones);
    enc_smap_free(im.keymap);
    enc_ident_free(im.ident);
    enc_arena_free(im.row_arena);
    enc_tz_free(im.tz);
    return rc;
}

void enc_import_result_free(enc_import_result *res)
{
    free(res->warnings);
    free(res->reasons);
    res->warnings = NULL;
    res->reasons = NULL;
    free(res->errors);
    res->errors = NULL;
    res->nerrors = 0;
}
