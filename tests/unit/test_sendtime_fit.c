/* test_sendtime_fit.c — best hours read from the store (intel/sendtime_fit.h,
 * store/store_sendtime.h): which rows count (opens, clicks, paid orders in the window; not
 * views, not cancelled orders, not rows outside it), their weights, the shop's zone, the
 * allowed mask, and customers without responses left out. */
#include "harness.h"
#include "intel/sendtime_fit.h"
#include "store/store.h"
#include <stdio.h>
#include <unistd.h>

#define MON 1767571200 /* 2026-01-05 00:00:00 UTC, a Monday */
#define H 3600
#define D 86400

static enc_store *st;
static int64_t ca, cb, cc;
static int nkey;

static void event(int64_t cust, int64_t ts, const char *type)
{
    char key[16];
    snprintf(key, sizeof key, "E%d", nkey++);
    enc_event_rec er = {.source = "t", .source_key = key, .customer = cust, .ts = ts, .type = type};
    enc_put put;
    enc_err err;
    CHECK_MSG(!enc_store_event_put(st, &er, &put, &err), "%s", err.msg);
}

static void order(int64_t cust, int64_t ts, const char *status)
{
    char key[16];
    snprintf(key, sizeof key, "O%d", nkey++);
    enc_order_rec o = {.source = "t",
                       .order_key = key,
                       .customer = cust,
                       .ts = ts,
                       .status = status,
                       .total = 100,
                       .has_total = true};
    int64_t oid;
    enc_put put;
    enc_err err;
    CHECK_MSG(!enc_store_order_put(st, &o, &oid, &put, &err), "%s", err.msg);
}

static int64_t customer(const char *k)
{
    enc_customer_rec cr = {.source = "t", .source_key = k, .external_id = k};
    int64_t id = 0;
    enc_err err;
    CHECK_MSG(!enc_store_customer_insert(st, &cr, &id, &err), "%s", err.msg);
    return id;
}

static void setup(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/sendtime_fit.db", th_tmpdir());
    unlink(path);
    enc_err err;
    CHECK_MSG(!enc_store_open(path, &st, &err), "%s", err.msg);
    ca = customer("A");
    cb = customer("B");
    cc = customer("C");      /* only a view and a cancelled order: no responses */
    int64_t w = MON + 7 * D; /* the second week is the window's first */
    for (int i = 0; i < 6; i++) event(ca, w + i * 7 * D + D + 20 * H + 600, "message_open");
    order(ca, w + 5 * D + 10 * H, "paid");
    event(cb, w + 2 * D + 8 * H, "message_click");
    event(cb, MON + 3 * H, "message_open"); /* before the window */
    event(cb, w + 60 * D, "message_open");  /* after it */
    event(cb, w + 2 * D + 8 * H, "view");   /* not a response */
    event(cc, w + D, "view");
    order(cc, w + D, "cancelled");
}

static void rows_and_weights(void)
{
    enc_sendtime_best_row *r;
    size_t n;
    enc_sendtime_pop pop;
    enc_err err;
    int64_t w = MON + 7 * D;
    CHECK_MSG(!enc_sendtime_fit(st, NULL, w, w + 50 * D, 0, NULL, &r, &n, &pop, &err), "%s",
              err.msg);
    CHECK_INT(n, 2);
    CHECK(r[0].customer_id == ca && r[1].customer_id == cb);
    CHECK_NEAR(r[0].responses, 6 * 1 + 3, 1e-9);
    CHECK_NEAR(r[1].responses, 2, 1e-9);
    CHECK_INT(r[0].best, 1 * 24 + 20); /* Tuesday 20:00 */
    double tot = 0;
    for (int s = 0; s < ENC_SENDTIME_SLOTS; s++) tot += pop.count[s];
    CHECK_NEAR(tot, 11, 1e-9);
    CHECK_NEAR(pop.count[1 * 24 + 20], 6, 1e-9);
    CHECK_NEAR(pop.count[5 * 24 + 10], 3, 1e-9);
    CHECK_NEAR(pop.count[2 * 24 + 8], 2, 1e-9);
    CHECK_INT(enc_sendtime_find(r, n, cb), 1);
    CHECK_INT(enc_sendtime_find(r, n, cc), -1);
    CHECK_INT(enc_sendtime_find(r, 0, ca), -1);
    free(r);
}

static void zone_and_mask(void)
{
    enc_tz *tz;
    enc_err err;
    CHECK_MSG(!enc_tz_load("+08:00", &tz, &err), "%s", err.msg);
    enc_sendtime_best_row *r;
    size_t n;
    int64_t w = MON + 7 * D;
    CHECK_MSG(!enc_sendtime_fit(st, tz, w, w + 50 * D, 0, NULL, &r, &n, NULL, &err), "%s", err.msg);
    CHECK_INT(n, 2);
    CHECK_INT(r[0].best, 2 * 24 + 4); /* Tuesday 20:00 UTC is Wednesday 04:00 at +08:00 */
    free(r);
    uint8_t allowed[ENC_SENDTIME_SLOTS];
    for (int s = 0; s < ENC_SENDTIME_SLOTS; s++) allowed[s] = s % 24 >= 8 && s % 24 < 21;
    CHECK_MSG(!enc_sendtime_fit(st, NULL, w, w + 50 * D, 0, allowed, &r, &n, NULL, &err), "%s",
              err.msg);
    CHECK_INT(n, 2);
    CHECK(r[0].best >= 0 && allowed[r[0].best]);
    CHECK_INT(r[0].best, 1 * 24 + 20); /* 20:00 is still allowed */
    free(r);
    allowed[1 * 24 + 20] = 0; /* not Tuesday 20:00: Saturday 10:00, the paid order (weight 3) */
    CHECK_MSG(!enc_sendtime_fit(st, NULL, w, w + 50 * D, 0, allowed, &r, &n, NULL, &err), "%s",
              err.msg);
    CHECK_INT(r[0].best, 5 * 24 + 10);
    CHECK(r[1].best >= 0 && allowed[r[1].best]);
    free(r);
    memset(allowed, 0, sizeof allowed);
    CHECK_MSG(!enc_sendtime_fit(st, NULL, w, w + 50 * D, 0, allowed, &r, &n, NULL, &err), "%s",
              err.msg);
    CHECK_INT(r[0].best, -1);
    free(r);
    /* an empty window: no rows, no error */
    CHECK_MSG(!enc_sendtime_fit(st, tz, 0, 1, 0, NULL, &r, &n, NULL, &err), "%s", err.msg);
    CHECK_INT(n, 0);
    free(r);
    enc_tz_free(tz);
}

int main(void)
{
    RUN(setup);
    RUN(rows_and_weights);
    RUN(zone_and_mask);
    enc_store_close(st);
    return TEST_SUMMARY();
}
