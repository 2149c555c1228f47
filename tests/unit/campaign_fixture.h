/* campaign_fixture.h — small hand-made stores for the campaign tests: customers, products,
 * one-line orders, events, consents and feedback written through the store API, so each test
 * states its shop in a few lines and knows every answer. */
#ifndef ENCORE_TEST_CAMPAIGN_FIXTURE_H
#define ENCORE_TEST_CAMPAIGN_FIXTURE_H
#include "harness.h"
#include "store/store_int.h"
#include "base/datetime.h"
#include "store/store.h"
#include <sqlite3.h>

__attribute__((unused)) static int64_t fx_day(int y, int m, int d)
{
    return enc_days_from_civil(y, m, d) * 86400;
}

__attribute__((unused)) static enc_store *fx_open(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), file);
    unlink(path);
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    enc_store *st;
    enc_err err;
    if (enc_store_open(path, &st, &err)) {
        TH_FAIL("open %s: %s", path, err.msg);
        return NULL;
    }
    return st;
}

__attribute__((unused)) static int64_t fx_customer(enc_store *st, const char *ext,
                                                   const char *email, const char *phone,
                                                   const char *tz, const char *birthday,
                                                   int64_t registered)
{
    enc_customer_rec r = {.source = "t",
                          .source_key = ext,
                          .external_id = ext,
                          .name = ext,
                          .email = email,
                          .phone = phone,
                          .tz = tz,
                          .birthday = birthday,
                          .registered_at = registered,
                          .has_registered = registered != 0};
    int64_t id = 0;
    enc_err err;
    if (enc_store_customer_insert(st, &r, &id, &err)) TH_FAIL("customer %s: %s", ext, err.msg);
    if (email && enc_store_ident_set(st, "email", email, id, "t", &err)) TH_FAIL("%s", err.msg);
    return id;
}

__attribute__((unused)) static int64_t fx_product(enc_store *st, const char *sku, const char *cat,
                                                  int64_t price, int tier, int replenish,
                                                  const char *complements)
{
    enc_product_rec p = {.source = "t",
                         .sku = sku,
                         .name = sku,
                         .category = cat,
                         .price = price,
                         .has_price = true,
                         .tier = tier,
                         .has_tier = tier > 0,
                         .replenish_days = replenish,
                         .has_replenish = replenish > 0,
                         .complements = complements,
                         .in_stock = 1};
    int64_t id = 0;
    enc_put put;
    enc_err err;
    if (enc_store_product_put(st, &p, false, &id, &put, &err))
        TH_FAIL("product %s: %s", sku, err.msg);
    return id;
}

/* A paid order of one line (qty x price of product pid). Returns the order id. */
__attribute__((unused)) static int64_t fx_order(enc_store *st, const char *key, int64_t cust,
                                                int64_t ts, int64_t pid, const char *sku, int qty,
                                                int64_t price, const char *coupon)
{
    enc_order_rec o = {.source = "t",
                       .order_key = key,
                       .customer = cust,
                       .ts = ts,
                       .status = "paid",
                       .coupon = coupon};
    int64_t oid = 0;
    enc_put put;
    enc_err err;
    if (enc_store_order_put(st, &o, &oid, &put, &err)) TH_FAIL("order %s: %s", key, err.msg);
    enc_line_rec l = {.order_id = oid,
                      .line_no = 1,
                      .product_id = pid,
                      .sku = sku,
                      .qty = qty,
                      .unit_price = price,
                      .amount = qty * price,
                      .kind = "sale"};
    if (enc_store_line_put(st, &l, &put, &err)) TH_FAIL("line %s: %s", key, err.msg);
    enc_store_order_refresh(st, oid, &err);
    return oid;
}

__attribute__((unused)) static void fx_event(enc_store *st, const char *key, int64_t cust,
                                             int64_t ts, const char *type, const char *sku)
{
    enc_event_rec e = {
        .source = "t", .source_key = key, .customer = cust, .ts = ts, .type = type, .sku = sku};
    enc_put put;
    enc_err err;
    if (enc_store_event_put(st, &e, &put, &err)) TH_FAIL("event %s: %s", key, err.msg);
}

__attribute__((unused)) static void fx_consent(enc_store *st, const char *key, int64_t cust,
                                               int64_t ts, const char *channel, bool granted)
{
    enc_consent_rec k = {.source = "t",
                         .source_key = key,
                         .customer = cust,
                         .ts = ts,
                         .channel = channel,
                         .purpose = "marketing",
                         .granted = granted};
    enc_put put;
    enc_err err;
    if (enc_store_consent_put(st, &k, &put, &err)) TH_FAIL("consent %s: %s", key, err.msg);
}

__attribute__((unused)) static void fx_sql(enc_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(enc__store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
        TH_FAIL("sql '%s': %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
    }
}

__attribute__((unused)) static int64_t fx_scalar(enc_store *st, const char *sql)
{
    sqlite3_stmt *q;
    int64_t v = -1;
    if (sqlite3_prepare_v2(enc__store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
        TH_FAIL("sql '%s': %s", sql, sqlite3_errmsg(enc__store_db(st)));
        return -1;
    }
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}
#endif
