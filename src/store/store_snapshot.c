/* store_snapshot.c — the SQL of the snapshot loader's bulk scans (snapshot_store.h). Each scan
 * reads one table once in rowid order; the loader buckets the rows by customer itself (a
 * counting sort costs a fraction of an ORDER BY). Prepared once per load. */
#include "store/snapshot_store.h"
#include "store/scan_int.h"

static const char *const sql[ENC_SNAPQ_N] = {
    [ENC_SNAPQ_IDS_CUSTOMERS] = "SELECT count(*), coalesce(min(id), 1), coalesce(max(id), 0)"
                                " FROM customers",
    [ENC_SNAPQ_IDS_PRODUCTS] = "SELECT count(*), coalesce(min(id), 1), coalesce(max(id), 0)"
                               " FROM products",
    [ENC_SNAPQ_IDS_ORDERS] = "SELECT count(*), coalesce(min(id), 1), coalesce(max(id), 0)"
                             " FROM orders",
    [ENC_SNAPQ_CUST_INDEXED] = "SELECT id FROM customers INDEXED BY customers_external",
    [ENC_SNAPQ_CUST_MERGED] = "SELECT id FROM customers WHERE merged_into IS NOT NULL",
    [ENC_SNAPQ_CUST_COUNT_RANGE] = "SELECT count(*), coalesce(max(id), 0) FROM customers WHERE"
                                   " merged_into IS NULL AND id > ?1 AND id <= ?2",
    /* counted on the indexes: every customer, less the merged ones (a partial index) */
    [ENC_SNAPQ_CUST_COUNT] = "SELECT (SELECT count(*) FROM customers) - (SELECT count(*)"
                             " FROM customers WHERE merged_into IS NOT NULL)",
    [ENC_SNAPQ_CUST_MAX] = "SELECT coalesce(max(id), 0) FROM customers",
    [ENC_SNAPQ_CUST_ATTRS] = "SELECT id, external_id, registered_at, birthday, gender,"
                             " region, city, tier, tz, points FROM customers WHERE"
                             " merged_into IS NULL AND id > ?1 AND id <= ?2 ORDER BY id",
    [ENC_SNAPQ_CUST_IDS] = "SELECT id FROM customers WHERE merged_into IS NULL"
                           " AND id > ?1 AND id <= ?2 ORDER BY id",
    [ENC_SNAPQ_PROD_COUNT] = "SELECT count(*) FROM products",
    [ENC_SNAPQ_PROD_MAX] = "SELECT coalesce(max(id), 0) FROM products",
    [ENC_SNAPQ_PRODUCTS] = "SELECT id, sku, name, category, brand, coalesce(price, -1),"
                           " coalesce(tier, 0), coalesce(replenish_days, 0), in_stock != 0"
                           " FROM products WHERE id <= ?1 ORDER BY id",
    [ENC_SNAPQ_ORD_MAX] = "SELECT coalesce(max(id), 0) FROM orders",
    [ENC_SNAPQ_ORDERS] = "SELECT id, customer_id, ts, sales FROM orders WHERE"
                         " status = 'paid' AND customer_id IS NOT NULL AND (sales >"
                         " 0 OR (has_lines = 0 AND items > 0)) AND ts < ?1 AND"
                         " ts >= ?2 AND id > ?3 AND id <= ?4",
    [ENC_SNAPQ_ORDERS_DETAILS] = "SELECT id, customer_id, ts, sales, coupon IS NOT NULL OR"
                                 " discount > 0, channel, payment FROM orders WHERE"
                                 " status = 'paid' AND customer_id IS NOT NULL AND (sales >"
                                 " 0 OR (has_lines = 0 AND items > 0)) AND ts < ?1 AND"
                                 " ts >= ?2 AND id > ?3 AND id <= ?4",
    [ENC_SNAPQ_LINES] = "SELECT id, coalesce(product_id, 0) FROM order_lines"
                        " WHERE id >= ?1 AND id < ?2 AND kind = 'sale' ORDER BY"
                        " id",
    [ENC_SNAPQ_LINES_DETAILS] = "SELECT id, coalesce(product_id, 0), qty, amount FROM"
                                " order_lines WHERE id >= ?1 AND id < ?2 AND kind ="
                                " 'sale' ORDER BY id",
    [ENC_SNAPQ_LINES_COUNT] = "SELECT count(*) FROM order_lines",
    /* returned orders, and return lines inside paid orders (each such order counts once), in
     * order id order, so that returns at the same time come in that order */
    [ENC_SNAPQ_RETURNS] = "SELECT customer_id, -total, ts, id FROM orders WHERE status ="
                          " 'returned' AND customer_id IS NOT NULL AND ts < ?1 AND id > ?2"
                          " AND id <= ?3"
                          " UNION ALL SELECT o.customer_id, -sum(l.amount), o.ts, o.id FROM"
                          " order_lines l JOIN orders o ON o.id = l.order_id WHERE l.kind ="
                          " 'return' AND o.status = 'paid' AND o.customer_id IS NOT NULL AND"
                          " o.ts < ?1 AND o.id > ?2 AND o.id <= ?3 AND l.id >= ?4 AND l.id < ?5"
                          " GROUP BY o.id ORDER BY 4",
    [ENC_SNAPQ_EVENTS] = "SELECT customer_id, ts, type, sku FROM events WHERE"
                         " customer_id IS NOT NULL AND ts < ?1 AND ts >= ?2"
                         " AND id > ?3 AND id <= ?4",
    [ENC_SNAPQ_EVENTS_DETAILS] = "SELECT customer_id, ts, type, sku, session FROM events"
                                 " WHERE customer_id IS NOT NULL AND ts < ?1 AND ts >= ?2"
                                 " AND id > ?3 AND id <= ?4",
    [ENC_SNAPQ_EV_MAX] = "SELECT coalesce(max(id), 0) FROM events",
    [ENC_SNAPQ_FEEDBACK] = "SELECT customer_id, ts, kind, score FROM feedback WHERE"
                           " customer_id IS NOT NULL AND ts < ?1 AND id > ?2 AND id <= ?3"
                           " ORDER BY ts, id",
    [ENC_SNAPQ_CONSENTS] = "SELECT customer_id, channel, granted, ts FROM consents WHERE"
                           " purpose = 'marketing' AND ts < ?1 AND id > ?2 AND id <= ?3"
                           " ORDER BY id",
    [ENC_SNAPQ_CONS_MAX] = "SELECT coalesce(max(id), 0) FROM consents",
};

enc_scan *enc_store_snapq(enc_store *st, enc_snapq q, enc_err *err)
{
    if ((unsigned)q >= ENC_SNAPQ_N) return NULL;
    return enc__scan_prepare(st, sql[q], "snapshot", err);
}

int64_t enc_store_snapq_scalar(enc_store *st, enc_snapq q, enc_err *err)
{
    enc_scan *c = enc_store_snapq(st, q, err);
    int64_t v = 0;
    if (c && enc_scan_next(c) == 1) v = enc_scan_i64(c, 0);
    enc_scan_close(c);
    return v;
}
