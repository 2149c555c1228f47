/* store_check.c — `encore check` in the store (store.h, enc_store_check): SQLite's quick_check
 * of the file, then Encore's own invariants, each a query counting the rows that break it.
 * Read only; one read transaction. */
#include "store/store_int.h"
#include "base/mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Each invariant: what must hold, and a query giving the number of rows that break it and
 * one example (a row id) of them. */
static const struct {
    const char *name, *what, *sql;
} invariants[] = {
    {"ids_in_range", "customer, product and order ids run from 1 to 2147483647",
     "SELECT (SELECT count(*) FROM customers WHERE id < 1 OR id > 2147483647) +"
     " (SELECT count(*) FROM products WHERE id < 1 OR id > 2147483647) +"
     " (SELECT count(*) FROM orders WHERE id < 1 OR id > 2147483647),"
     " (SELECT min(id) FROM customers WHERE id < 1 OR id > 2147483647)"},
    {"ids_dense", "ids are not far sparser than the rows (a 4 TB map for one id of 10^12)",
     "SELECT (SELECT max(id) > 64 * count(*) + 1048576 FROM customers) +"
     " (SELECT max(id) > 64 * count(*) + 1048576 FROM products) +"
     " (SELECT max(id) > 64 * count(*) + 1048576 FROM orders), NULL"},
    {"merged_into_exists", "a merged customer points to a current customer",
     "SELECT count(*), min(c.id) FROM customers c LEFT JOIN customers s ON s.id = c.merged_into"
     " WHERE c.merged_into IS NOT NULL AND (s.id IS NULL OR s.merged_into IS NOT NULL OR"
     " s.id = c.id)"},
    {"identities_owned", "every identity belongs to a customer",
     "SELECT count(*), NULL FROM identities i LEFT JOIN customers c ON c.id = i.customer_id"
     " WHERE c.id IS NULL OR i.value IS NULL OR i.kind NOT IN ('ext', 'email', 'phone')"},
    {"orders_customer", "an order's customer exists and is current (or the order is a guest's)",
     "SELECT count(*), min(o.id) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id"
     " WHERE o.customer_id IS NOT NULL AND (c.id IS NULL OR c.merged_into IS NOT NULL)"},
    {"orders_time", "order times are from 1970 to now plus a day",
     "SELECT count(*), min(id) FROM orders WHERE ts IS NULL OR ts < 0 OR ts > ?1"},
    {"orders_status", "an order is paid, returned or cancelled",
     "SELECT count(*), min(id) FROM orders WHERE status IS NULL OR status NOT IN ('paid',"
     " 'returned', 'cancelled')"},
    {"lines_order", "every order line belongs to an order (its id is order_id << 20 | n)",
     "SELECT count(*), min(l.id) FROM order_lines l LEFT JOIN orders o ON o.id = l.order_id"
     " WHERE o.id IS NULL OR l.id >> 20 != l.order_id"},
    {"lines_bounded", "quantities within ±1,000,000 and amounts within ±10^11 minor units",
     "SELECT count(*), min(id) FROM order_lines WHERE qty IS NULL OR abs(qty) > 1000000 OR"
     " amount IS NULL OR abs(amount) > 100000000000 OR unit_price < 0"},
    {"events_customer", "an event's customer exists (or the event is anonymous)",
     "SELECT count(*), min(e.id) FROM events e LEFT JOIN customers c ON c.id = e.customer_id"
     " WHERE e.customer_id IS NOT NULL AND c.id IS NULL"},
    {"events_time", "event times are from 1970 to now plus a day",
     "SELECT count(*), min(id) FROM events WHERE ts IS NULL OR ts < 0 OR ts > ?1"},
    {"consents_customer", "a consent's customer exists",
     "SELECT count(*), min(k.id) FROM consents k LEFT JOIN customers c ON c.id = k.customer_id"
     " WHERE c.id IS NULL"},
    {"feedback_customer", "a feedback row's customer exists (or it is anonymous)",
     "SELECT count(*), min(f.id) FROM feedback f LEFT JOIN customers c ON c.id = f.customer_id"
     " WHERE f.customer_id IS NOT NULL AND c.id IS NULL"},
    {"products_sku", "every product has a sku",
     "SELECT count(*), min(id) FROM products WHERE sku IS NULL OR sku = ''"},
    {"profiles_customer", "every profile belongs to a current customer",
     "SELECT count(*), min(p.customer_id) FROM profiles p LEFT JOIN customers c ON c.id ="
     " p.customer_id WHERE c.id IS NULL OR c.merged_into IS NOT NULL"},
    {"merges_recorded", "a merged customer's merge is recorded with both ids",
     "SELECT count(*), min(c.id) FROM customers c WHERE c.merged_into IS NOT NULL AND NOT"
     " EXISTS(SELECT 1 FROM merges m WHERE m.from_id = c.id)"},
};

enc_rc enc_store_check(enc_store *st, int64_t now, enc_store_check_result *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    size_t ni = sizeof invariants / sizeof *invariants;
    out->items = enc_xcalloc(ni + 1, sizeof *out->items);
    if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "check");

    /* 1: the file, as SQLite sees it (at most 100 messages) */
    enc_store_check_item *q = &out->items[out->n++];
    q->name = "sqlite_quick_check";
    q->what = "SQLite's PRAGMA quick_check of the file";
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(100)", -1, &s, NULL) != SQLITE_OK) {
        q->broken = 1;
        snprintf(q->detail, sizeof q->detail, "%s", sqlite3_errmsg(st->db));
    } else {
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *m = (const char *)sqlite3_column_text(s, 0);
            if (m && strcmp(m, "ok") == 0) continue;
            if (!q->broken) snprintf(q->detail, sizeof q->detail, "%s", m ? m : "?");
            q->broken++;
        }
        if (rc != SQLITE_DONE && !q->broken) {
            q->broken = 1;
            snprintf(q->detail, sizeof q->detail, "%s", sqlite3_errmsg(st->db));
        }
        sqlite3_finalize(s);
    }

    /* 2: Encore's invariants */
    for (size_t i = 0; i < ni; i++) {
        enc_store_check_item *it = &out->items[out->n++];
        it->name = invariants[i].name;
        it->what = invariants[i].what;
        if (sqlite3_prepare_v2(st->db, invariants[i].sql, -1, &s, NULL) != SQLITE_OK) {
            it->broken = -1;
            snprintf(it->detail, sizeof it->detail, "cannot check: %s", sqlite3_errmsg(st->db));
            continue;
        }
        if (sqlite3_bind_parameter_count(s) >= 1) sqlite3_bind_int64(s, 1, now + 86400);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            it->broken = sqlite3_column_int64(s, 0);
            if (it->broken && sqlite3_column_type(s, 1) != SQLITE_NULL)
                snprintf(it->detail, sizeof it->detail, "first: #%lld",
                         (long long)sqlite3_column_int64(s, 1));
        } else {
            it->broken = -1;
            snprintf(it->detail, sizeof it->detail, "cannot check: %s", sqlite3_errmsg(st->db));
        }
        sqlite3_finalize(s);
    }
    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    for (size_t i = 0; i < out->n; i++)
        if (out->items[i].broken) out->failed++;
    return ENC_OK;
}

void enc_store_check_free(enc_store_check_result *r)
{
    free(r->items);
    memset(r, 0, sizeof *r);
}
