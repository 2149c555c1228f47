/* store_custview.c — SQLite reads for the 360° customer view and the customer search
 * (store_custview.h). Every value read is written through the JSON writer (escaped) and, with
 * mask set, personal fields go through base/mask.h first. */
#include "store/store_custview.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mask.h"
#include "base/mem.h"
#include "store/store_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct view {
    enc_store *st;
    enc_jw *w;
    const enc_custview_opts *o;
    int64_t id;
    int recent;
    enc_err *err;
} view;

static const char *text(sqlite3_stmt *s, int i) { return (const char *)sqlite3_column_text(s, i); }

static void kstr(view *v, const char *key, sqlite3_stmt *s, int i)
{
    enc_jw_kstr(v->w, key, text(s, i));
}

/* RFC 3339 UTC: 2026-12-07T10:00:00Z */
static void ktime(view *v, const char *key, sqlite3_stmt *s, int i)
{
    enc_jw_key(v->w, key);
    if (sqlite3_column_type(s, i) == SQLITE_NULL) {
        enc_jw_null(v->w);
        return;
    }
    char b[40];
    enc_fmt_datetime(b, sizeof b, sqlite3_column_int64(s, i));
    if (strlen(b) == 19) b[10] = 'T', b[19] = 'Z', b[20] = 0;
    enc_jw_str(v->w, b);
}

static void kmoney(view *v, const char *key, int64_t minor)
{
    enc_jw_key(v->w, key);
    enc_jw_money(v->w, minor, v->o->digits);
}

static void knum_or_null(view *v, const char *key, sqlite3_stmt *s, int i)
{
    enc_jw_key(v->w, key);
    if (sqlite3_column_type(s, i) == SQLITE_NULL) enc_jw_null(v->w);
    else enc_jw_num(v->w, sqlite3_column_double(s, i));
}

/* a personal field, masked on request (a NULL mask: not personal after all, written as is) */
static void kpersonal(view *v, const char *key, sqlite3_stmt *s, int i,
                      void (*mask)(const char *, char *, size_t))
{
    const char *t = text(s, i);
    if (!t || !v->o->mask || !mask) {
        enc_jw_kstr(v->w, key, t);
        return;
    }
    char m[128];
    mask(t, m, sizeof m);
    enc_jw_kstr(v->w, key, m);
}

static sqlite3_stmt *prep(view *v, const char *sql)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(v->st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        enc__store_sqlfail(v->st, v->err, "reading the customer");
        return NULL;
    }
    sqlite3_bind_int64(s, 1, v->id);
    sqlite3_bind_int(s, 2, v->recent);
    return s;
}

static enc_rc finish(view *v, sqlite3_stmt *s, int rc)
{
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return enc__store_sqlfail(v->st, v->err, "reading the customer");
    return ENC_OK;
}

static enc_rc identities(view *v)
{
    /* identities stay with the registration that brought them: a merged-away record's are the
     * survivor's too */
    sqlite3_stmt *s = prep(v, "SELECT kind, value, source FROM identities WHERE customer_id = ?1"
                              " OR customer_id IN (SELECT id FROM customers WHERE merged_into = ?1)"
                              " ORDER BY kind, value");
    if (!s) return ENC_EDB;
    int rc;
    enc_jw_key(v->w, "identities");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *kind = text(s, 0);
        enc_jw_obj(v->w);
        kstr(v, "kind", s, 0);
        kpersonal(v, "value", s, 1,
                  !kind                        ? NULL
                  : strcmp(kind, "email") == 0 ? enc_mask_email
                  : strcmp(kind, "phone") == 0 ? enc_mask_phone
                                               : NULL);
        kstr(v, "source", s, 2);
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    return finish(v, s, rc);
}

static enc_rc merged(view *v)
{
    sqlite3_stmt *s =
        /* each part by an index (merges_into, merges_from, customers_merged): an OR over the
         * join scanned every merge, 40 ms a view at a million customers (bench/RESULTS.md) */
        prep(v, "SELECT m.from_id, c.external_id, m.reason, m.at, m.rule, m.source FROM merges m"
                " LEFT JOIN customers c ON c.id = m.from_id WHERE m.undone_at IS NULL AND m.id IN"
                " (SELECT id FROM merges WHERE into_id = ?1 UNION SELECT id FROM merges WHERE"
                " into_id IN (SELECT id FROM customers WHERE merged_into = ?1) UNION SELECT id"
                " FROM merges WHERE from_id IN (SELECT id FROM customers WHERE merged_into = ?1))"
                " ORDER BY m.id");
    if (!s) return ENC_EDB;
    int rc;
    enc_jw_key(v->w, "merged_from");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        enc_jw_key(v->w, "id");
        if (sqlite3_column_type(s, 0) == SQLITE_NULL) enc_jw_null(v->w);
        else enc_jw_int(v->w, sqlite3_column_int64(s, 0));
        kstr(v, "customer_id", s, 1);
        kstr(v, "rule", s, 4);
        kstr(v, "source", s, 5);
        /* the reason names the shared email or phone: masked with them */
        if (v->o->mask) enc_jw_kstr(v->w, "reason", "shared identity");
        else kstr(v, "reason", s, 2);
        ktime(v, "at", s, 3);
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    return finish(v, s, rc);
}

static enc_rc consents(view *v)
{
    /* the latest ledger entry per channel and purpose is the consent in force */
    sqlite3_stmt *s = prep(
        v, "SELECT channel, purpose, granted, ts, source FROM consents c WHERE customer_id = ?1"
           " AND id = (SELECT id FROM consents d WHERE d.customer_id = c.customer_id AND"
           " d.channel = c.channel AND d.purpose = c.purpose ORDER BY ts DESC, id DESC LIMIT 1)"
           " ORDER BY channel, purpose");
    if (!s) return ENC_EDB;
    int rc;
    enc_jw_key(v->w, "consents");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        kstr(v, "channel", s, 0);
        kstr(v, "purpose", s, 1);
        enc_jw_kbool(v->w, "granted", sqlite3_column_int(s, 2) != 0);
        ktime(v, "since", s, 3);
        kstr(v, "source", s, 4);
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    if (finish(v, s, rc)) return ENC_EDB;
    s = prep(v, "SELECT channel, purpose, granted, ts, source FROM consents WHERE customer_id = ?1"
                " ORDER BY ts DESC, id DESC LIMIT 500");
    if (!s) return ENC_EDB;
    enc_jw_key(v->w, "consent_history");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        kstr(v, "channel", s, 0);
        kstr(v, "purpose", s, 1);
        enc_jw_kbool(v->w, "granted", sqlite3_column_int(s, 2) != 0);
        ktime(v, "at", s, 3);
        kstr(v, "source", s, 4);
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    return finish(v, s, rc);
}

static enc_rc lines(view *v, int64_t order)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(v->st->db,
                           "SELECT l.id & 1048575, coalesce(l.sku, p.sku), p.name, l.qty,"
                           " l.unit_price, l.amount, l.kind FROM order_lines l LEFT JOIN products"
                           " p ON p.id = l.product_id WHERE l.id BETWEEN ?1 AND ?2 ORDER BY l.id"
                           " LIMIT 500",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(v->st, v->err, "reading the customer");
    sqlite3_bind_int64(s, 1, order << ENC_LINE_BITS);
    sqlite3_bind_int64(s, 2, order << ENC_LINE_BITS | ENC_LINE_MAX);
    int rc;
    enc_jw_key(v->w, "lines");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        enc_jw_kint(v->w, "line", sqlite3_column_int64(s, 0));
        kstr(v, "sku", s, 1);
        kstr(v, "name", s, 2);
        enc_jw_kint(v->w, "qty", sqlite3_column_int64(s, 3));
        kmoney(v, "unit_price", sqlite3_column_int64(s, 4));
        kmoney(v, "amount", sqlite3_column_int64(s, 5));
        kstr(v, "kind", s, 6);
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    return finish(v, s, rc);
}

static enc_rc orders(view *v)
{
    sqlite3_stmt *s =
        prep(v, "SELECT count(*) FILTER (WHERE status = 'paid'),"
                " coalesce(sum(CASE WHEN status = 'paid' THEN (CASE WHEN has_lines THEN sales ELSE"
                "   max(total, 0) END) END), 0),"
                " count(*) FILTER (WHERE status = 'returned'),"
                " coalesce(-sum(CASE WHEN status = 'returned' THEN -abs(total) ELSE (SELECT"
                "   coalesce(sum(amount), 0) FROM order_lines l WHERE l.id BETWEEN o.id << 20 AND"
                "   (o.id << 20) + 1048575 AND l.qty < 0) END), 0),"
                " count(*) FILTER (WHERE status = 'cancelled'),"
                " min(ts) FILTER (WHERE status = 'paid'), max(ts) FILTER (WHERE status = 'paid')"
                " FROM orders o WHERE customer_id = ?1");
    if (!s) return ENC_EDB;
    int rc = sqlite3_step(s);
    enc_jw_key(v->w, "orders");
    enc_jw_obj(v->w);
    if (rc == SQLITE_ROW) {
        enc_jw_kint(v->w, "count", sqlite3_column_int64(s, 0));
        kmoney(v, "revenue", sqlite3_column_int64(s, 1));
        enc_jw_kint(v->w, "returns", sqlite3_column_int64(s, 2));
        kmoney(v, "returned_amount", sqlite3_column_int64(s, 3));
        enc_jw_kint(v->w, "cancelled", sqlite3_column_int64(s, 4));
        ktime(v, "first_order", s, 5);
        ktime(v, "last_order", s, 6);
    }
    if (finish(v, s, rc)) return ENC_EDB;
    s = prep(v, "SELECT id, order_key, ts, status, channel, payment, coupon, discount, total,"
                " sales, items, currency FROM orders WHERE customer_id = ?1 ORDER BY ts DESC,"
                " id DESC LIMIT ?2");
    if (!s) return ENC_EDB;
    enc_jw_key(v->w, "recent");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        kstr(v, "order_id", s, 1);
        ktime(v, "time", s, 2);
        kstr(v, "status", s, 3);
        kstr(v, "channel", s, 4);
        kstr(v, "payment", s, 5);
        kstr(v, "coupon", s, 6);
        kmoney(v, "discount", sqlite3_column_int64(s, 7));
        kmoney(v, "total", sqlite3_column_int64(s, 8));
        kmoney(v, "sales", sqlite3_column_int64(s, 9));
        enc_jw_kint(v->w, "items", sqlite3_column_int64(s, 10));
        kstr(v, "currency", s, 11);
        if (lines(v, sqlite3_column_int64(s, 0))) {
            sqlite3_finalize(s);
            return ENC_EDB;
        }
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    enc_jw_end(v->w);
    return finish(v, s, rc);
}

static enc_rc events(view *v)
{
    sqlite3_stmt *s = prep(v, "SELECT (SELECT count(*) FROM events WHERE customer_id = ?1),"
                              " (SELECT count(*) FROM feedback WHERE customer_id = ?1)");
    if (!s) return ENC_EDB;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        enc_jw_kint(v->w, "events", sqlite3_column_int64(s, 0));
        enc_jw_kint(v->w, "feedback", sqlite3_column_int64(s, 1));
    }
    if (finish(v, s, rc)) return ENC_EDB;
    s = prep(v, "SELECT ts, type, sku, channel, value FROM events WHERE customer_id = ?1 ORDER BY"
                " ts DESC, id DESC LIMIT ?2");
    if (!s) return ENC_EDB;
    enc_jw_key(v->w, "recent_events");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        ktime(v, "time", s, 0);
        kstr(v, "type", s, 1);
        kstr(v, "sku", s, 2);
        kstr(v, "channel", s, 3);
        enc_jw_key(v->w, "value");
        if (sqlite3_column_type(s, 4) == SQLITE_NULL) enc_jw_null(v->w);
        else enc_jw_int(v->w, sqlite3_column_int64(s, 4));
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    if (finish(v, s, rc)) return ENC_EDB;
    s = prep(v, "SELECT ts, kind, score, text, order_key, sku FROM feedback WHERE customer_id ="
                " ?1 ORDER BY ts DESC, id DESC LIMIT ?2");
    if (!s) return ENC_EDB;
    enc_jw_key(v->w, "recent_feedback");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        ktime(v, "time", s, 0);
        kstr(v, "kind", s, 1);
        knum_or_null(v, "score", s, 2);
        kstr(v, "text", s, 3);
        kstr(v, "order_id", s, 4);
        kstr(v, "sku", s, 5);
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    return finish(v, s, rc);
}

static void mask_address(const char *a, char *out, size_t cap)
{
    if (strchr(a, '@')) enc_mask_email(a, out, cap);
    else if (a[0] == '+') enc_mask_phone(a, out, cap);
    else snprintf(out, cap, "***");
}

static enc_rc messages(view *v)
{
    sqlite3_stmt *s = prep(v, "SELECT id, campaign, variant, channel, address, subject, state,"
                              " created_at, due_at, sent_at, last_error FROM messages WHERE"
                              " customer_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2");
    if (!s) return ENC_EDB;
    int rc;
    enc_jw_key(v->w, "messages");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        enc_jw_kint(v->w, "id", sqlite3_column_int64(s, 0));
        kstr(v, "campaign", s, 1);
        kstr(v, "variant", s, 2);
        kstr(v, "channel", s, 3);
        kpersonal(v, "address", s, 4, mask_address);
        kstr(v, "subject", s, 5);
        kstr(v, "state", s, 6);
        ktime(v, "created_at", s, 7);
        ktime(v, "due_at", s, 8);
        ktime(v, "sent_at", s, 9);
        kstr(v, "last_error", s, 10);
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    if (finish(v, s, rc)) return ENC_EDB;
    s = prep(v, "SELECT c.code, c.campaign, c.kind, c.amount, c.min_spend, c.issued_at,"
                " c.expires_at, o.order_key, c.redeemed_at FROM coupons c LEFT JOIN orders o ON"
                " o.id = c.redeemed_order WHERE c.customer_id = ?1 ORDER BY c.issued_at DESC,"
                " c.id DESC LIMIT ?2");
    if (!s) return ENC_EDB;
    enc_jw_key(v->w, "coupons");
    enc_jw_arr(v->w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(v->w);
        kstr(v, "code", s, 0);
        kstr(v, "campaign", s, 1);
        kstr(v, "kind", s, 2);
        const char *kind = text(s, 2);
        if (kind && strcmp(kind, "percent") == 0)
            enc_jw_kint(v->w, "percent", sqlite3_column_int64(s, 3));
        else kmoney(v, "amount", sqlite3_column_int64(s, 3));
        kmoney(v, "min_spend", sqlite3_column_int64(s, 4));
        ktime(v, "issued_at", s, 5);
        ktime(v, "expires_at", s, 6);
        kstr(v, "redeemed_order", s, 7);
        ktime(v, "redeemed_at", s, 8);
        enc_jw_end(v->w);
    }
    enc_jw_end(v->w);
    return finish(v, s, rc);
}

static enc_rc profile(view *v)
{
    enc_profile_cursor *c;
    if (enc_store_profiles_open(v->st, v->id, v->o->digits, &c, v->err)) return ENC_EDB;
    enc_buf b = {0};
    int r = enc_store_profiles_next(c, ENC_PROFILE_JSON, &b, v->err);
    enc_store_profiles_close(c);
    enc_jw_key(v->w, "profile");
    if (r == 1) enc_jw_raw(v->w, b.p, b.len);
    else enc_jw_null(v->w);
    enc_buf_free(&b);
    return r < 0 ? ENC_EDB : ENC_OK;
}

enc_rc enc_store_customer_view(enc_store *st, int64_t id, const enc_custview_opts *o, enc_jw *w,
                               enc_err *err)
{
    view v = {st, w, o, id, o->recent > 0 ? (o->recent > 500 ? 500 : o->recent) : 20, err};
    sqlite3_stmt *s = prep(&v, "SELECT id, external_id, name, email, phone, gender, birthday,"
                               " country, region, city, occupation, tz, registered_at, tier,"
                               " points, source FROM customers WHERE id = ?1 AND merged_into IS"
                               " NULL");
    if (!s) return ENC_EDB;
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        finish(&v, s, rc);
        if (rc != SQLITE_DONE) return ENC_EDB;
        return enc_fail(err, ENC_ENOTFOUND, "no customer #%lld", (long long)id);
    }
    enc_jw_obj(w);
    enc_jw_kint(w, "id", sqlite3_column_int64(s, 0));
    kstr(&v, "customer_id", s, 1);
    enc_jw_kbool(w, "masked", o->mask);
    kpersonal(&v, "name", s, 2, enc_mask_name);
    kpersonal(&v, "email", s, 3, enc_mask_email);
    kpersonal(&v, "phone", s, 4, enc_mask_phone);
    kstr(&v, "gender", s, 5);
    kpersonal(&v, "birthday", s, 6, enc_mask_birthday);
    kstr(&v, "country", s, 7);
    kstr(&v, "region", s, 8);
    kstr(&v, "city", s, 9);
    kstr(&v, "occupation", s, 10);
    kstr(&v, "timezone", s, 11);
    ktime(&v, "registered_at", s, 12);
    kstr(&v, "tier", s, 13);
    enc_jw_kint(w, "points", sqlite3_column_int64(s, 14));
    kstr(&v, "source", s, 15);
    enc_jw_kstr(w, "currency", o->currency);
    sqlite3_finalize(s);
    if (identities(&v) || merged(&v) || profile(&v) || consents(&v) || orders(&v) || events(&v) ||
        messages(&v))
        return err->rc ? err->rc : ENC_EDB;
    return ENC_OK;
}

/* ---- search ------------------------------------------------------------------------------ */

static char *sdup(sqlite3_stmt *s, int i)
{
    const char *t = text(s, i);
    if (!t) return NULL;
    size_t n = strlen(t);
    char *c = enc_xmalloc(n + 1);
    memcpy(c, t, n + 1);
    return c;
}

enc_rc enc_store_customer_search(enc_store *st, const char *q, const char *email, const char *phone,
                                 int64_t after, int limit, enc_customer_hit **out, size_t *n,
                                 bool *more, enc_err *err)
{
    *out = NULL, *n = 0, *more = false;
    if (limit < 1 || limit > 500) return enc_fail(err, ENC_EUSAGE, "limit: 1 to 500");
    int64_t num = 0;
    bool by_num = q && q[0] == '#' && q[1];
    for (const char *p = by_num ? q + 1 : ""; *p && by_num; p++) {
        if (*p < '0' || *p > '9' || num > (INT64_MAX - 9) / 10) by_num = false;
        else num = num * 10 + (*p - '0');
    }
    bool all = !q || !*q;
    sqlite3_stmt *s;
#define HIT_COLUMNS                                                                                \
    "SELECT c.id, c.external_id, c.name, c.email, c.phone,"                                        \
    " (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid' AND"         \
    "  o.sales > 0),"                                                                              \
    " (SELECT coalesce(sum(sales), 0) FROM orders o WHERE o.customer_id = c.id AND"                \
    "  o.status = 'paid'),"                                                                        \
    " (SELECT max(ts) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid')"
    /* everyone, or the ids each part finds by an index (the store id, the identities' key,
     * lower(name)'s): written apart so that SQLite walks the few ids rather than the table */
    static const char *const sql[2] = {
        HIT_COLUMNS " FROM customers c WHERE c.merged_into IS NULL AND c.id > ?1 AND ?2"
                    " ORDER BY c.id LIMIT ?7",
        HIT_COLUMNS " FROM customers c WHERE c.merged_into IS NULL AND c.id > ?1 AND NOT ?2 AND"
                    " c.id IN (SELECT ?3 UNION SELECT customer_id FROM identities WHERE kind ="
                    " 'ext' AND value = ?4 UNION SELECT customer_id FROM identities WHERE kind ="
                    " 'email' AND value = ?5 UNION SELECT customer_id FROM identities WHERE kind ="
                    " 'phone' AND value = ?6 UNION SELECT id FROM customers WHERE lower(name) >="
                    " lower(?4) AND lower(name) < lower(?4) || char(1114111))"
                    " ORDER BY c.id LIMIT ?7",
    };
#undef HIT_COLUMNS
    if (sqlite3_prepare_v2(st->db, sql[all ? 0 : 1], -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "searching customers");
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int(s, 2, all);
    sqlite3_bind_int64(s, 3, by_num ? num : -1);
    sqlite3_bind_text(s, 4, q ? q : "", -1, SQLITE_STATIC);
    enc__bind_text(s, 5, email);
    enc__bind_text(s, 6, phone);
    sqlite3_bind_int(s, 7, limit + 1);
    enc_customer_hit *h = enc_xcalloc((size_t)limit + 1, sizeof *h);
    int rc;
    size_t k = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (k == (size_t)limit) {
            *more = true;
            break;
        }
        h[k].id = sqlite3_column_int64(s, 0);
        h[k].external_id = sdup(s, 1);
        h[k].name = sdup(s, 2);
        h[k].email = sdup(s, 3);
        h[k].phone = sdup(s, 4);
        h[k].orders = sqlite3_column_int64(s, 5);
        h[k].revenue = sqlite3_column_int64(s, 6);
        h[k].last_order = sqlite3_column_int64(s, 7);
        k++;
    }
    sqlite3_finalize(s);
    *out = h, *n = k;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return enc__store_sqlfail(st, err, "searching customers");
    return ENC_OK;
}

enc_rc enc_store_customer_briefs(enc_store *st, const int64_t *ids, size_t n, enc_customer_hit *out,
                                 enc_err *err)
{
    memset(out, 0, n * sizeof *out);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT c.id, c.external_id, c.name, c.email, c.phone,"
            " (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid' AND"
            "  o.sales > 0),"
            " (SELECT coalesce(sum(sales), 0) FROM orders o WHERE o.customer_id = c.id AND"
            "  o.status = 'paid'),"
            " (SELECT max(ts) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid')"
            " FROM customers c WHERE c.id = ?1",
            -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading customers");
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, ids[i]);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) continue;
        if (rc != SQLITE_ROW) {
            sqlite3_finalize(s);
            return enc__store_sqlfail(st, err, "reading customers");
        }
        out[i].id = sqlite3_column_int64(s, 0);
        out[i].external_id = sdup(s, 1);
        out[i].name = sdup(s, 2);
        out[i].email = sdup(s, 3);
        out[i].phone = sdup(s, 4);
        out[i].orders = sqlite3_column_int64(s, 5);
        out[i].revenue = sqlite3_column_int64(s, 6);
        out[i].last_order = sqlite3_column_int64(s, 7);
    }
    sqlite3_finalize(s);
    return ENC_OK;
}

void enc_store_customer_hits_free(enc_customer_hit *h, size_t n)
{
    for (size_t i = 0; h && i < n; i++) {
        free(h[i].external_id);
        free(h[i].name);
        free(h[i].email);
        free(h[i].phone);
    }
    free(h);
}
