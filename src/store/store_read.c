/* store_read.c — read side of the SQLite backend for the foundation commands: counts and sales
 * totals (stats), and one customer's record with identities, consents and order summary. */
#include "store/store_int.h"
#include "base/datetime.h"
#include "base/json.h"
#include <string.h>

static enc_rc scalar(enc_store *st, const char *sql, int64_t *out, enc_err *err)
{
    sqlite3_stmt *s;
    *out = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "stats");
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "stats");
    return ENC_OK;
}

/* Sales are what the models count as buying: paid orders of known customers; on orders with
 * lines, sale lines (a positive quantity at a positive exact unit price); on orders without
 * lines, a positive total. Returns (negative lines, returned orders), cancellations, guest orders
 * and free lines are kept in the store but are not sales. */
#define SALE_LINES                                                                                 \
    "SELECT l.order_id, o.customer_id, l.amount FROM order_lines l JOIN orders o ON o.id ="        \
    " l.order_id WHERE o.status = 'paid' AND o.customer_id IS NOT NULL AND l.kind = 'sale'"
#define SALE_TOTALS                                                                                \
    "SELECT id, customer_id, total FROM orders WHERE status = 'paid' AND customer_id IS NOT"       \
    " NULL AND has_lines = 0 AND total > 0"

enc_rc enc_store_stats_get(enc_store *st, enc_store_stats *s, enc_err *err)
{
    memset(s, 0, sizeof *s);
    struct {
        const char *sql;
        int64_t *out;
    } q[] = {
        {"SELECT count(*) FROM customers WHERE merged_into IS NULL", &s->customers},
        {"SELECT count(*) FROM customers WHERE merged_into IS NOT NULL", &s->merged_customers},
        {"SELECT count(*) FROM orders", &s->orders},
        {"SELECT count(*) FROM order_lines", &s->order_lines},
        {"SELECT count(*) FROM products", &s->products},
        {"SELECT count(*) FROM events", &s->events},
        {"SELECT count(*) FROM feedback", &s->feedback},
        {"SELECT count(*) FROM consents", &s->consents},
        {"SELECT count(*) FROM orders WHERE status = 'returned'", &s->returns},
        {"SELECT count(*) FROM orders WHERE status = 'cancelled'", &s->cancelled},
        {"SELECT count(*) FROM orders WHERE customer_id IS NULL", &s->guest_orders},
        {"SELECT count(*) FROM (" SALE_LINES ")", &s->sale_lines},
        {"SELECT count(DISTINCT order_id) FROM (" SALE_LINES " UNION ALL " SALE_TOTALS ")",
         &s->sale_orders},
        {"SELECT count(DISTINCT customer_id) FROM (" SALE_LINES " UNION ALL " SALE_TOTALS ")",
         &s->buying_customers},
        {"SELECT coalesce(sum(amount), 0) FROM (" SALE_LINES " UNION ALL " SALE_TOTALS ")",
         &s->revenue},
        {"SELECT coalesce(min(ts), 0) FROM orders", &s->first_order},
        {"SELECT coalesce(max(ts), 0) FROM orders", &s->last_order},
    };
    for (size_t i = 0; i < sizeof q / sizeof *q; i++)
        if (scalar(st, q[i].sql, q[i].out, err)) return ENC_EDB;
    return ENC_OK;
}

enc_rc enc_store_customer_lookup(enc_store *st, const char *kind, const char *value, int64_t *id,
                                 enc_err *err)
{
    *id = 0;
    if (strcmp(kind, "id") == 0) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db,
                               "SELECT coalesce(merged_into, id) FROM customers WHERE id = ?1", -1,
                               &s, NULL) != SQLITE_OK)
            return enc__store_sqlfail(st, err, "finding customer");
        sqlite3_bind_text(s, 1, value, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) *id = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return ENC_OK;
    }
    return enc_store_ident_find(st, kind, value, id, err);
}

enc_rc enc_store_consent_state(enc_store *st, int64_t customer, const char *channel,
                               const char *purpose, int *state, enc_err *err)
{
    *state = -1;
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_CONSENT_STATE,
        "SELECT granted FROM consents WHERE customer_id = ?1 AND channel = ?2 AND purpose = ?3"
        " ORDER BY ts DESC, id DESC LIMIT 1",
        err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, customer);
    sqlite3_bind_text(s, 2, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, purpose, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *state = sqlite3_column_int(s, 0) != 0;
    else if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading consent");
    sqlite3_reset(s);
    return ENC_OK;
}

static void col_str(enc_jw *w, const char *key, sqlite3_stmt *s, int i)
{
    enc_jw_key(w, key);
    if (sqlite3_column_type(s, i) == SQLITE_NULL) enc_jw_null(w);
    else enc_jw_str(w, (const char *)sqlite3_column_text(s, i));
}

static void col_time(enc_jw *w, const char *key, sqlite3_stmt *s, int i)
{
    enc_jw_key(w, key);
    if (sqlite3_column_type(s, i) == SQLITE_NULL) {
        enc_jw_null(w);
        return;
    }
    char buf[40];
    enc_fmt_datetime(buf, sizeof buf, sqlite3_column_int64(s, i));
    enc_jw_str(w, buf);
}

enc_rc enc_store_customer_json(enc_store *st, int64_t id, enc_jw *w, enc_err *err)
{
    sqlite3_stmt *s;
    int rc;
#define PREP(sql)                                                                                  \
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)                                \
        return enc__store_sqlfail(st, err, "reading customer");                                    \
    sqlite3_bind_int64(s, 1, id);

    PREP("SELECT id, external_id, name, email, phone, gender, birthday, country, region, city,"
         " occupation, tz, registered_at, tier, points, source, created_at FROM customers WHERE id "
         "= ?1");
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return enc_fail(err, ENC_ENOTFOUND, "no customer #%lld", (long long)id);
    }
    enc_jw_obj(w);
    enc_jw_kint(w, "id", sqlite3_column_int64(s, 0));
    col_str(w, "customer_id", s, 1);
    col_str(w, "name", s, 2);
    col_str(w, "email", s, 3);
    col_str(w, "phone", s, 4);
    col_str(w, "gender", s, 5);
    col_str(w, "birthday", s, 6);
    col_str(w, "country", s, 7);
    col_str(w, "region", s, 8);
    col_str(w, "city", s, 9);
    col_str(w, "occupation", s, 10);
    col_str(w, "timezone", s, 11);
    col_time(w, "registered_at", s, 12);
    col_str(w, "tier", s, 13);
    enc_jw_kint(w, "points", sqlite3_column_int64(s, 14));
    col_str(w, "source", s, 15);
    sqlite3_finalize(s);

    PREP("SELECT kind, value, source FROM identities WHERE customer_id = ?1 OR customer_id IN"
         " (SELECT id FROM customers WHERE merged_into = ?1) ORDER BY kind, value");
    enc_jw_key(w, "identities");
    enc_jw_arr(w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(w);
        col_str(w, "kind", s, 0);
        col_str(w, "value", s, 1);
        col_str(w, "source", s, 2);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    sqlite3_finalize(s);

    PREP("SELECT m.from_id, c.external_id, m.reason, m.at, m.rule, m.source FROM merges m"
         " LEFT JOIN customers c ON c.id = m.from_id WHERE m.undone_at IS NULL AND"
         " (m.into_id = ?1 OR c.merged_into = ?1) ORDER BY m.id");
    enc_jw_key(w, "merged_from");
    enc_jw_arr(w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(w);
        enc_jw_key(w, "id");
        if (sqlite3_column_type(s, 0) == SQLITE_NULL) enc_jw_null(w);
        else enc_jw_int(w, sqlite3_column_int64(s, 0));
        col_str(w, "customer_id", s, 1);
        col_str(w, "rule", s, 4);
        col_str(w, "source", s, 5);
        col_str(w, "reason", s, 2);
        col_time(w, "at", s, 3);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    sqlite3_finalize(s);

    /* the latest ledger entry per channel and purpose is the consent in force */
    PREP("SELECT channel, purpose, granted, ts, source FROM consents c WHERE customer_id = ?1"
         " AND id = (SELECT id FROM consents d WHERE d.customer_id = c.customer_id AND"
         " d.channel = c.channel AND d.purpose = c.purpose ORDER BY ts DESC, id DESC LIMIT 1)"
         " ORDER BY channel, purpose");
    enc_jw_key(w, "consents");
    enc_jw_arr(w);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(w);
        col_str(w, "channel", s, 0);
        col_str(w, "purpose", s, 1);
        enc_jw_kbool(w, "granted", sqlite3_column_int(s, 2) != 0);
        col_time(w, "since", s, 3);
        col_str(w, "source", s, 4);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    sqlite3_finalize(s);

    PREP("SELECT count(*) FILTER (WHERE status = 'paid'),"
         " coalesce(sum(CASE WHEN status = 'paid' THEN (CASE WHEN has_lines THEN"
         "   (SELECT coalesce(sum(amount), 0) FROM order_lines l WHERE l.id BETWEEN o.id << 20 AND "
         "(o.id << 20) + 1048575 AND"
         "    l.kind = 'sale') ELSE max(total, 0) END) END), 0),"
         " count(*) FILTER (WHERE status = 'returned'),"
         " coalesce(-sum(CASE WHEN status = 'returned' THEN total ELSE (SELECT"
         "   coalesce(sum(amount), 0) FROM order_lines l WHERE l.id BETWEEN o.id << 20 AND (o.id "
         "<< 20) + 1048575 AND l.qty < 0) END), 0),"
         " count(*) FILTER (WHERE status = 'cancelled'),"
         " min(ts) FILTER (WHERE status = 'paid'), max(ts) FILTER (WHERE status = 'paid'),"
         " min(currency) FROM orders o WHERE customer_id = ?1");
    enc_jw_key(w, "orders");
    enc_jw_obj(w);
    if (sqlite3_step(s) == SQLITE_ROW) {
        enc_jw_kint(w, "count", sqlite3_column_int64(s, 0));
        enc_jw_key(w, "revenue");
        enc_jw_money(w, sqlite3_column_int64(s, 1), 2);
        enc_jw_kint(w, "returns", sqlite3_column_int64(s, 2));
        enc_jw_key(w, "returned_amount");
        enc_jw_money(w, sqlite3_column_int64(s, 3), 2);
        enc_jw_kint(w, "cancelled", sqlite3_column_int64(s, 4));
        col_time(w, "first_order", s, 5);
        col_time(w, "last_order", s, 6);
        col_str(w, "currency", s, 7);
    }
    enc_jw_end(w);
    sqlite3_finalize(s);

    PREP("SELECT (SELECT count(*) FROM events WHERE customer_id = ?1),"
         " (SELECT count(*) FROM feedback WHERE customer_id = ?1)");
    if (sqlite3_step(s) == SQLITE_ROW) {
        enc_jw_kint(w, "events", sqlite3_column_int64(s, 0));
        enc_jw_kint(w, "feedback", sqlite3_column_int64(s, 1));
    }
    sqlite3_finalize(s);
#undef PREP
    enc_jw_end(w);
    (void)rc;
    return ENC_OK;
}
