/* snapshot_store.h — the bulk scans behind the snapshot loader (src/snapshot/snapshot.c): each
 * query by name, opened as a cursor (scan_store.h) that the loader steps once per table, in
 * rowid order. Parameters and columns are listed per query; ranges are (after, upto] of ids.
 * Part of the store interface (store.h), in its own header. */
#ifndef ENCORE_SNAPSHOT_STORE_H
#define ENCORE_SNAPSHOT_STORE_H
#include "store/scan_store.h"

typedef enum enc_snapq {
    /* count(*), min(id) or 1, max(id) or 0 of customers, products, orders */
    ENC_SNAPQ_IDS_CUSTOMERS,
    ENC_SNAPQ_IDS_PRODUCTS,
    ENC_SNAPQ_IDS_ORDERS,
    /* id of every customer, read from the index customers_external */
    ENC_SNAPQ_CUST_INDEXED,
    /* id of every merged customer */
    ENC_SNAPQ_CUST_MERGED,
    /* (?1, ?2] -> count, max id of the unmerged customers */
    ENC_SNAPQ_CUST_COUNT_RANGE,
    /* scalars: unmerged customers; max customer id */
    ENC_SNAPQ_CUST_COUNT,
    ENC_SNAPQ_CUST_MAX,
    /* (?1, ?2] -> id, external_id, registered_at, birthday, gender, region, city, tier, tz,
     * points of the unmerged customers, by id */
    ENC_SNAPQ_CUST_ATTRS,
    /* (?1, ?2] -> id of the unmerged customers, by id */
    ENC_SNAPQ_CUST_IDS,
    /* scalars: products; max product id */
    ENC_SNAPQ_PROD_COUNT,
    ENC_SNAPQ_PROD_MAX,
    /* id <= ?1 -> id, sku, name, category, brand, price or -1, tier or 0, replenish_days or 0,
     * in stock, by id */
    ENC_SNAPQ_PRODUCTS,
    /* scalar: max order id */
    ENC_SNAPQ_ORD_MAX,
    /* sale orders, ts < ?1, ts >= ?2, id in (?3, ?4] -> id, customer_id, ts, sales
     * (+ promo, channel, payment with DETAILS) */
    ENC_SNAPQ_ORDERS,
    ENC_SNAPQ_ORDERS_DETAILS,
    /* sale lines with ?1 <= id < ?2 -> id, product_id or 0 (+ qty, amount), by id */
    ENC_SNAPQ_LINES,
    ENC_SNAPQ_LINES_DETAILS,
    /* scalar: order lines */
    ENC_SNAPQ_LINES_COUNT,
    /* returns: ts < ?1, order id in (?2, ?3], line id in [?4, ?5) -> customer_id, -amount,
     * ts, order id, by order id */
    ENC_SNAPQ_RETURNS,
    /* events, ts < ?1, ts >= ?2, id in (?3, ?4] -> customer_id, ts, type, sku (+ session) */
    ENC_SNAPQ_EVENTS,
    ENC_SNAPQ_EVENTS_DETAILS,
    /* scalar: max event id */
    ENC_SNAPQ_EV_MAX,
    /* feedback, ts < ?1, id in (?2, ?3] -> customer_id, ts, kind, score, by ts, id */
    ENC_SNAPQ_FEEDBACK,
    /* marketing consents, ts < ?1, id in (?2, ?3] -> customer_id, channel, granted, ts, by id */
    ENC_SNAPQ_CONSENTS,
    /* scalar: max consent id */
    ENC_SNAPQ_CONS_MAX,
    ENC_SNAPQ_N
} enc_snapq;

/* A cursor on query q (the caller closes it), NULL with err "snapshot: <message>" (err may be
 * NULL). st is the store or a side connection (enc_store_side_open). */
enc_scan *enc_store_snapq(enc_store *st, enc_snapq q, enc_err *err);
/* The first column of q's first row; 0 when there is none or on error (err set as above). */
int64_t enc_store_snapq_scalar(enc_store *st, enc_snapq q, enc_err *err);
#endif
