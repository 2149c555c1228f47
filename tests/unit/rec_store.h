/* rec_store.h — tiny hand-made stores for the recommendation tests (test_sbasket, test_itemsim,
 * test_upsell, test_recommend, test_recommend_eval): products, customers, orders and events written
 * through the store API into a fresh SQLite file, then read back with enc_snapshot_load.
 * Times are given in days from 2024-01-01 00:00 UTC. Header-only, included by one test each. */
#ifndef ENCORE_TEST_REC_STORE_H
#define ENCORE_TEST_REC_STORE_H
#include "harness.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

#define RS_DAY0 1704067200LL /* 2024-01-01 00:00:00 UTC */
#define RS_DAY(d) (RS_DAY0 + (int64_t)((d)*86400.0))

static enc_store *rs_st;
static enc_err rs_err;
static int rs_seq;

static inline void rs_open(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.db", th_tmpdir(), name);
    unlink(path);
    rs_st = NULL;
    if (enc_store_open(path, &rs_st, &rs_err)) TH_FAIL("open: %s", rs_err.msg);
}

/* price in minor units (-1: unknown), tier and replenish 0: unknown, stock -1 unknown / 0 / 1 */
static inline void rs_product(const char *sku, const char *cat, int64_t price, int tier,
                              int replenish, int stock)
{
    enc_product_rec p = {.sku = sku,
                         .name = sku,
                         .category = cat,
                         .in_stock = stock,
                         .price = price,
                         .has_price = price >= 0,
                         .tier = tier,
                         .has_tier = tier > 0,
                         .replenish_days = replenish,
                         .has_replenish = replenish > 0};
    int64_t id;
    enc_put put;
    if (enc_store_product_put(rs_st, &p, false, &id, &put, &rs_err))
        TH_FAIL("product: %s", rs_err.msg);
}

static inline int64_t rs_customer(const char *ext)
{
    enc_customer_rec r = {.source = "t", .source_key = ext, .external_id = ext};
    int64_t id = 0;
    if (enc_store_customer_insert(rs_st, &r, &id, &rs_err)) TH_FAIL("customer: %s", rs_err.msg);
    return id;
}

static inline int64_t rs_product_id(const char *sku)
{
    enc_product_rec p = {.sku = sku, .in_stock = -1};
    int64_t id = 0;
    enc_put put;
    enc_store_product_put(rs_st, &p, true, &id, &put, &rs_err);
    return id;
}

/* a paid order at day d of the skus in a space-separated list, one unit each at 10.00 */
static inline void rs_order(int64_t cust, double d, const char *skus)
{
    char key[32];
    snprintf(key, sizeof key, "O%d", ++rs_seq);
    enc_order_rec o = {
        .source = "t", .order_key = key, .customer = cust, .ts = RS_DAY(d), .status = "paid"};
    int64_t oid;
    enc_put put;
    if (enc_store_order_put(rs_st, &o, &oid, &put, &rs_err)) TH_FAIL("order: %s", rs_err.msg);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", skus);
    int no = 0;
    for (char *t = strtok(buf, " "); t; t = strtok(NULL, " ")) {
        enc_line_rec l = {.order_id = oid,
                          .line_no = ++no,
                          .product_id = rs_product_id(t),
                          .sku = t,
                          .qty = 1,
                          .unit_price = 1000,
                          .amount = 1000,
                          .kind = "sale"};
        if (enc_store_line_put(rs_st, &l, &put, &rs_err)) TH_FAIL("line: %s", rs_err.msg);
    }
    enc_store_order_refresh(rs_st, oid, &rs_err);
}

static inline void rs_event(int64_t cust, double d, const char *type, const char *sku,
                            const char *session)
{
    char key[32];
    snprintf(key, sizeof key, "E%d", ++rs_seq);
    enc_event_rec e = {.source = "t",
                       .source_key = key,
                       .customer = cust,
                       .ts = RS_DAY(d),
                       .type = type,
                       .sku = sku,
                       .session = session};
    enc_put put;
    if (enc_store_event_put(rs_st, &e, &put, &rs_err)) TH_FAIL("event: %s", rs_err.msg);
}

static inline enc_snapshot *rs_snapshot(double as_of_day)
{
    enc_snapshot *s = NULL;
    int64_t as_of = as_of_day < 0 ? INT64_MAX : RS_DAY(as_of_day);
    if (enc_snapshot_load(rs_st, as_of, &s, &rs_err)) TH_FAIL("snapshot: %s", rs_err.msg);
    return s;
}

/* snapshot index of a sku, or -1 */
static inline int32_t rs_prod(const enc_snapshot *s, const char *sku)
{
    for (size_t p = 0; p < s->nprod; p++)
        if (!strcmp(s->prod_sku[p], sku)) return (int32_t)p;
    return -1;
}

/* snapshot index of a customer by merchant id, or -1 */
static inline ptrdiff_t rs_cust(const enc_snapshot *s, const char *ext)
{
    for (size_t c = 0; c < s->ncust; c++)
        if (s->cust_ext[c] && !strcmp(s->cust_ext[c], ext)) return (ptrdiff_t)c;
    return -1;
}
#endif
