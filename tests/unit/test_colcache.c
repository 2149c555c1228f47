/* test_colcache.c — a snapshot derived from the column cache equals the one read from the
 * store, array by array, on random stores: right after the build, after rows are added (the
 * cache then holds part of them and reads the rest), for every part, as-of instant and window;
 * a change to a row the cache holds (an update, a line added to a held order, a merge, a
 * deleted row, a new product), a damaged file or another schema make it unused, and the store
 * is read instead. */
#include "harness.h"
#include "store/store_int.h"
#include "base/rng.h"
#include "snapshot/colcache.h"
#include "snapshot/snapshot.h"
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

static enc_store *st;
static enc_err err;
static enc_rng rng;
static int seq; /* source keys */
static int64_t prods[12];

static int64_t pick(int64_t n) { return (int64_t)(enc_rng_uniform(&rng) * (double)n); }

/* times on a coarse grid so that ties are common */
static int64_t when(void) { return 1000000 + pick(60) * 3600; }

static const char *const regions[] = {"North", "South", "East", NULL};
static const char *const tiers[] = {"gold", "silver", NULL};

static int64_t add_customer(void)
{
    char key[32], bday[16];
    snprintf(key, sizeof key, "c%d", ++seq);
    snprintf(bday, sizeof bday, "19%02d-%02d-%02d", (int)(50 + pick(40)) % 100,
             (int)(1 + pick(12)) % 13, (int)(1 + pick(28)) % 29);
    enc_customer_rec r = {.source = "t",
                          .source_key = key,
                          .external_id = pick(5) ? key : NULL,
                          .region = regions[pick(4)],
                          .tier = tiers[pick(3)],
                          .tz = pick(2) ? "Asia/Shanghai" : NULL,
                          .gender = pick(2) ? "f" : NULL,
                          .birthday = pick(3) ? bday : NULL,
                          .registered_at = when(),
                          .has_registered = pick(4) != 0,
                          .points = pick(500),
                          .has_points = true};
    if (pick(7) == 0) r.region = pick(2) ? "West" : "Far South"; /* names that come late */
    int64_t id = 0;
    if (enc_store_customer_insert(st, &r, &id, &err)) TH_FAIL("customer: %s", err.msg);
    return id;
}

static void add_order(int64_t cust)
{
    char key[32];
    snprintf(key, sizeof key, "o%d", ++seq);
    static const char *const status[] = {"paid", "paid", "paid", "returned", "cancelled"};
    enc_order_rec o = {.source = "t",
                       .order_key = key,
                       .customer = cust,
                       .ts = when(),
                       .status = status[pick(5)],
                       .channel = "web"};
    if (pick(6) == 0) { /* an order without lines: a total and an item count */
        o.total = 100 + pick(900);
        o.has_total = true;
        o.items = pick(3);
    }
    int64_t id;
    enc_put p;
    if (enc_store_order_put(st, &o, &id, &p, &err)) TH_FAIL("order: %s", err.msg);
    if (o.has_total) return;
    int nl = 1 + (int)pick(4);
    for (int k = 1; k <= nl; k++) {
        int64_t qty = pick(8) == 0 ? -1 : 1 + pick(3), price = pick(10) == 0 ? 0 : 100 + pick(5000);
        enc_line_rec l = {.order_id = id,
                          .line_no = k,
                          .product_id = pick(10) ? prods[pick(12)] : 0,
                          .qty = qty,
                          .unit_price = price,
                          .amount = qty * price,
                          .kind = qty < 0     ? "return"
                                  : price > 0 ? "sale"
                                              : "free"};
        if (enc_store_line_put(st, &l, &p, &err)) TH_FAIL("line: %s", err.msg);
    }
    enc_store_order_refresh(st, id, &err);
}

static void add_event(int64_t cust)
{
    char key[32], sku[16];
    snprintf(key, sizeof key, "e%d", ++seq);
    snprintf(sku, sizeof sku, "S%d", (int)pick(14)); /* S12, S13: not products */
    static const char *const types[] = {"view", "cart_add", "consult", "purchase", "login", "odd"};
    enc_event_rec e = {.source = "t",
                       .source_key = key,
                       .customer = cust,
                       .ts = when(),
                       .type = types[pick(6)],
                       .sku = pick(4) ? sku : NULL};
    enc_put p;
    if (enc_store_event_put(st, &e, &p, &err)) TH_FAIL("event: %s", err.msg);
}

static void add_feedback(int64_t cust)
{
    char key[32];
    snprintf(key, sizeof key, "f%d", ++seq);
    static const char *const kinds[] = {"complaint", "nps", "review", "survey"};
    enc_feedback_rec f = {.source = "t",
                          .source_key = key,
                          .customer = cust,
                          .ts = when(),
                          .kind = kinds[pick(4)],
                          .score = (double)pick(11) / 2,
                          .has_score = pick(4) != 0};
    enc_put p;
    if (enc_store_feedback_put(st, &f, &p, &err)) TH_FAIL("feedback: %s", err.msg);
}

static void add_consent(int64_t cust)
{
    char key[32];
    snprintf(key, sizeof key, "k%d", ++seq);
    static const char *const ch[] = {"email", "sms", "push", "all", "fax"};
    enc_consent_rec k = {.source = "t",
                         .source_key = key,
                         .customer = cust,
                         .ts = when(),
                         .channel = ch[pick(5)],
                         .purpose = pick(6) ? "marketing" : "service",
                         .granted = pick(3) != 0};
    enc_put p;
    if (enc_store_consent_put(st, &k, &p, &err)) TH_FAIL("consent: %s", err.msg);
}

static int64_t custs[400];
static int ncusts;

/* n new customers, and rows for random customers old and new (some anonymous) */
static void grow(int n, int rows)
{
    enc_store_begin(st, &err);
    for (int i = 0; i < n && ncusts < 400; i++) custs[ncusts++] = add_customer();
    for (int i = 0; i < rows; i++) {
        int64_t c = pick(20) == 0 ? 0 : custs[pick(ncusts)];
        switch (pick(5)) {
        case 0:
            if (c) add_order(c);
            break;
        case 1: add_feedback(c); break;
        case 2:
            if (c) add_consent(c);
            break;
        default: add_event(c); break;
        }
    }
    enc_store_commit(st, &err);
}

static void open_store(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/colcache.db", th_tmpdir());
    unlink(path);
    char cpath[600];
    snprintf(cpath, sizeof cpath, "%s.columns", path);
    unlink(cpath);
    if (enc_store_open(path, &st, &err)) TH_FAIL("open: %s", err.msg);
    enc_rng_seed(&rng, 42);
    seq = 0;
    ncusts = 0;
    static const char *const cats[] = {"Home/Kitchen", "Toys", "Home > Garden", NULL};
    enc_store_begin(st, &err);
    for (int k = 0; k < 12; k++) {
        char sku[16];
        snprintf(sku, sizeof sku, "S%d", k);
        enc_product_rec p = {.sku = sku,
                             .category = cats[k % 4],
                             .brand = k % 3 ? "B" : NULL,
                             .price = 100 * k,
                             .has_price = k % 2 == 0,
                             .in_stock = k % 3 - 1};
        enc_put put;
        enc_store_product_put(st, &p, false, &prods[k], &put, &err);
    }
    enc_store_commit(st, &err);
}

/* ---- comparing snapshots ----------------------------------------------------------------- */

static int diffs;

#define SAME_ARR(a, b, field, n)                                                                   \
    do {                                                                                           \
        if (((a)->field == NULL) != ((b)->field == NULL)) {                                        \
            if (diffs++ < 5) TH_FAIL("%s: present in one only", #field);                           \
        } else if ((a)->field && (n) &&                                                            \
                   memcmp((a)->field, (b)->field, (size_t)(n) * sizeof *(a)->field)) {             \
            if (diffs++ < 5) TH_FAIL("%s differs", #field);                                        \
        }                                                                                          \
    } while (0)

static bool same_float(float x, float y) { return (isnan(x) && isnan(y)) || x == y; }

static void same_strs(const char *what, const char *const *a, const char *const *b, size_t n)
{
    if (!n) return;
    if (!a || !b) {
        if (a != b && diffs++ < 5) TH_FAIL("%s: present in one only", what);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if ((a[i] == NULL) != (b[i] == NULL) || (a[i] && strcmp(a[i], b[i]))) {
            if (diffs++ < 5)
                TH_FAIL("%s[%zu]: %s vs %s", what, i, a[i] ? a[i] : "NULL", b[i] ? b[i] : "NULL");
            return;
        }
}

static void same_dict(const char *what, const enc_dict *a, const enc_dict *b)
{
    if (a->n != b->n) {
        if (diffs++ < 5) TH_FAIL("%s: %zu names vs %zu", what, a->n, b->n);
        return;
    }
    same_strs(what, a->names, b->names, a->n);
    for (size_t k = 0; k < a->n; k++)
        if (enc_dict_find(a, b->names[k]) != (int32_t)k && diffs++ < 5) TH_FAIL("%s: lookup", what);
}

static void same(const enc_snapshot *a, const enc_snapshot *b)
{
    if (a->ncust != b->ncust || a->nord != b->nord || a->nline != b->nline || a->nev != b->nev ||
        a->nprod != b->nprod) {
        TH_FAIL(
            "sizes: customers %zu/%zu orders %zu/%zu lines %zu/%zu events %zu/%zu products %zu/%zu",
            a->ncust, b->ncust, a->nord, b->nord, a->nline, b->nline, a->nev, b->nev, a->nprod,
            b->nprod);
        diffs++;
        return;
    }
    size_t n = a->ncust;
    SAME_ARR(a, b, cust_id, n);
    same_strs("cust_ext", a->cust_ext, b->cust_ext, n);
    SAME_ARR(a, b, registered_at, n);
    SAME_ARR(a, b, birth_md, n);
    SAME_ARR(a, b, gender, n);
    SAME_ARR(a, b, region, n);
    SAME_ARR(a, b, city, n);
    SAME_ARR(a, b, tier, n);
    SAME_ARR(a, b, tz, n);
    SAME_ARR(a, b, points, n);
    same_strs("prod_sku", a->prod_sku, b->prod_sku, a->nprod);
    same_strs("prod_name", a->prod_name, b->prod_name, a->nprod);
    SAME_ARR(a, b, prod_cat, a->nprod);
    SAME_ARR(a, b, prod_top, a->nprod);
    SAME_ARR(a, b, prod_brand, a->nprod);
    SAME_ARR(a, b, prod_price, a->nprod);
    SAME_ARR(a, b, prod_tier, a->nprod);
    SAME_ARR(a, b, prod_replenish, a->nprod);
    SAME_ARR(a, b, prod_in_stock, a->nprod);
    SAME_ARR(a, b, ord_off, a->ord_off ? n + 1 : 0);
    SAME_ARR(a, b, ord_id, a->nord);
    SAME_ARR(a, b, ord_ts, a->nord);
    SAME_ARR(a, b, ord_amount, a->nord);
    SAME_ARR(a, b, line_off, a->line_off ? a->nord + 1 : 0);
    SAME_ARR(a, b, line_prod, a->nline);
    SAME_ARR(a, b, ret_amount, n);
    SAME_ARR(a, b, ret_count, n);
    SAME_ARR(a, b, ret_off, a->ret_off ? n + 1 : 0);
    SAME_ARR(a, b, ret_ts, a->ret_off ? a->ret_off[n] : 0);
    SAME_ARR(a, b, ret_amt, a->ret_off ? a->ret_off[n] : 0);
    SAME_ARR(a, b, ev_off, a->ev_off ? n + 1 : 0);
    SAME_ARR(a, b, ev_ts, a->nev);
    SAME_ARR(a, b, ev_type, a->nev);
    SAME_ARR(a, b, ev_prod, a->nev);
    SAME_ARR(a, b, consults, a->consults ? n : 0);
    SAME_ARR(a, b, complaints, a->complaints ? n : 0);
    SAME_ARR(a, b, last_complaint, a->complaints ? n : 0);
    SAME_ARR(a, b, cmp_off, a->cmp_off ? n + 1 : 0);
    SAME_ARR(a, b, cmp_ts, a->cmp_off ? a->cmp_off[n] : 0);
    if (a->nps_last && b->nps_last)
        for (size_t i = 0; i < n; i++)
            if ((!same_float(a->nps_last[i], b->nps_last[i]) ||
                 !same_float(a->review_avg[i], b->review_avg[i])) &&
                diffs++ < 5)
                TH_FAIL("customer %zu: nps %g/%g review %g/%g", i, a->nps_last[i], b->nps_last[i],
                        a->review_avg[i], b->review_avg[i]);
    SAME_ARR(a, b, consent, a->consent ? n : 0);
    same_dict("cats", &a->cats, &b->cats);
    same_dict("tops", &a->tops, &b->tops);
    same_dict("brands", &a->brands, &b->brands);
    same_dict("regions", &a->regions, &b->regions);
    same_dict("cities", &a->cities, &b->cities);
    same_dict("tiers", &a->tiers, &b->tiers);
    same_dict("zones", &a->zones, &b->zones);
}

/* Loads with and without the cache; `cached` says whether the cache must have served. */
static void compare(int64_t as_of, unsigned parts, int64_t ofrom, int64_t efrom, bool cached)
{
    enc_snapshot_opts o = {parts, ofrom, efrom};
    enc_snapshot *viacache = NULL, *direct = NULL;
    setenv("ENCORE_COLUMN_CACHE", "on", 1);
    if (enc_snapshot_load_opts(st, as_of, &o, &viacache, &err)) TH_FAIL("load: %s", err.msg);
    setenv("ENCORE_COLUMN_CACHE", "off", 1);
    if (enc_snapshot_load_opts(st, as_of, &o, &direct, &err)) TH_FAIL("load: %s", err.msg);
    unsetenv("ENCORE_COLUMN_CACHE");
    if (!viacache || !direct) return;
    if ((viacache->map != NULL) != cached)
        TH_FAIL("as_of %lld parts %#x: the cache %s", (long long)as_of, parts,
                cached ? "did not serve" : "served when it must not");
    int before = diffs;
    same(viacache, direct);
    if (diffs > before)
        TH_FAIL("as_of %lld parts %#x windows %lld %lld: %d differences", (long long)as_of, parts,
                (long long)ofrom, (long long)efrom, diffs - before);
    enc_snapshot_free(viacache);
    enc_snapshot_free(direct);
}

static void compare_all(bool cached)
{
    static const unsigned sets[] = {ENC_SNAP_ALL & ~ENC_SNAP_DETAILS,
                                    ENC_SNAP_CUSTOMERS,
                                    ENC_SNAP_EVENTS,
                                    ENC_SNAP_LINES | ENC_SNAP_CONSENTS,
                                    ENC_SNAP_ORDERS | ENC_SNAP_FEEDBACK,
                                    ENC_SNAP_RETURNS,
                                    ENC_SNAP_CONSENTS,
                                    0};
    static const int64_t asofs[] = {INT64_MAX, 1000000 + 30 * 3600, 1000000 + 30 * 3600 + 1,
                                    1000000};
    for (size_t p = 0; p < sizeof sets / sizeof *sets; p++)
        for (size_t a = 0; a < sizeof asofs / sizeof *asofs; a++)
            compare(asofs[a], sets[p], INT64_MIN, INT64_MIN, cached);
    /* windows, ending at as_of or inside the data */
    compare(1000000 + 50 * 3600, ENC_SNAP_LINES | ENC_SNAP_EVENTS, 1000000 + 20 * 3600,
            1000000 + 40 * 3600, cached);
    compare(INT64_MAX, ENC_SNAP_ORDERS | ENC_SNAP_EVENTS, 1000000 + 59 * 3600, 1000000 + 60 * 3600,
            cached);
}

static bool usable(void)
{
    enc_colcache_status cs;
    enc_colcache_status_get(st, &cs, &err);
    return cs.usable;
}

static void exec(const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(enc__store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
        TH_FAIL("%s: %s", sql, msg);
    sqlite3_free(msg);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void derived_equals_store(void)
{
    open_store();
    grow(120, 3000);
    CHECK(!usable());
    compare_all(false); /* no cache yet */
    if (enc_colcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
    CHECK(usable());
    compare_all(true);
    /* rows added: new customers, rows for old and new ones, times before and after the held */
    for (int round = 0; round < 3; round++) {
        grow(25, 600);
        enc_colcache_status cs;
        enc_colcache_status_get(st, &cs, &err);
        CHECK(cs.usable);
        CHECK(cs.behind > 0);
        compare_all(true);
    }
    enc_store_close(st);
}

static void changes_to_held_rows(void)
{
    static const char *const changes[] = {
        "UPDATE events SET ts = ts + 1 WHERE id = 5",
        "DELETE FROM feedback WHERE id = 3",
        "UPDATE orders SET status = 'returned' WHERE id = 2",
        "UPDATE consents SET granted = 1 - granted WHERE id = 4",
        "UPDATE customers SET region = 'Moved' WHERE id = 7",
        "UPDATE products SET category = 'Other' WHERE id = 1",
        "INSERT INTO products(sku) VALUES('NEW')",
        "INSERT INTO order_lines(id, order_id, product_id, qty, unit_price, amount, kind)"
        " SELECT (min(id) << 20) | 1000, min(id), 1, 1, 5, 5, 'sale' FROM orders",
        "UPDATE order_lines SET qty = qty + 1 WHERE id = (SELECT min(id) FROM order_lines)",
        NULL};
    for (int k = 0; changes[k]; k++) {
        open_store();
        grow(60, 1500);
        if (enc_colcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
        grow(5, 100);
        CHECK(usable());
        exec(changes[k]);
        if (usable()) TH_FAIL("still used after: %s", changes[k]);
        compare_all(false); /* the store is read, and gives what it holds now */
        if (enc_colcache_build(st, &err)) TH_FAIL("rebuild: %s", err.msg);
        CHECK(usable());
        compare_all(true);
        enc_store_close(st);
    }
}

static void merges_and_new_rows_above_the_marks(void)
{
    open_store();
    grow(80, 2000);
    if (enc_colcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
    /* a customer added after the build, merged into one the cache holds: its rows follow */
    grow(10, 300);
    int64_t late = custs[ncusts - 1];
    if (enc_store_customer_merge(st, late, custs[0], "test", "test", "test", &err))
        TH_FAIL("merge: %s", err.msg);
    compare_all(!usable() ? false : true);
    /* a held customer merged: the cache is not used */
    if (enc_store_customer_merge(st, custs[1], custs[2], "test", "test", "test", &err))
        TH_FAIL("merge: %s", err.msg);
    CHECK(!usable());
    compare_all(false);
    /* rows above the marks changed in place are read as they are now */
    if (enc_colcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
    grow(3, 200);
    exec("UPDATE events SET ts = ts - 7200 WHERE id = (SELECT max(id) FROM events)");
    CHECK(usable());
    compare_all(true);
    enc_store_close(st);
}

static void damaged_or_disabled(void)
{
    open_store();
    grow(40, 800);
    if (enc_colcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
    CHECK(usable());
    char path[600];
    CHECK(enc_colcache_path(st, path, sizeof path));
    /* cut short: refused, the store is read */
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        CHECK(ftruncate(fileno(f), size / 2) == 0);
        fclose(f);
    }
    CHECK(!usable());
    compare_all(false);
    /* the section table scribbled over: the header's hash is checked */
    if (enc_colcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
    f = fopen(path, "r+b");
    if (f) {
        fseek(f, 200, SEEK_SET);
        for (int k = 0; k < 64; k++) fputc(0xff, f);
        fclose(f);
    }
    compare_all(false);
    /* refresh rebuilds what is not usable; drop removes it and the marks */
    bool built = false;
    if (enc_colcache_refresh(st, &built, &err)) TH_FAIL("refresh: %s", err.msg);
    CHECK(built);
    CHECK(usable());
    if (enc_colcache_refresh(st, &built, &err)) TH_FAIL("refresh: %s", err.msg);
    CHECK(!built);
    setenv("ENCORE_COLUMN_CACHE", "off", 1);
    CHECK(!usable());
    unsetenv("ENCORE_COLUMN_CACHE");
    if (enc_colcache_drop(st, &err)) TH_FAIL("drop: %s", err.msg);
    CHECK(access(path, F_OK) != 0);
    CHECK(!usable());
    compare_all(false);
    enc_store_close(st);
}

int main(void)
{
    RUN(derived_equals_store);
    RUN(changes_to_held_rows);
    RUN(merges_and_new_rows_above_the_marks);
    RUN(damaged_or_disabled);
    return TEST_SUMMARY();
}
