/* test_snapshot.c — the snapshot reads the store into per-customer arrays: customers in id
 * order, sale orders in time order with their lines, returns, events, feedback aggregates,
 * consents in force; rows at or after as_of are left out; merged customers are not there. */
#include "harness.h"
#include "snapshot/snapshot.h"
#include <sqlite3.h>

static enc_store *st;
static enc_err err;

static int64_t customer(const char *ext)
{
    enc_customer_rec r = {.source = "t", .source_key = ext, .external_id = ext};
    int64_t id = 0;
    if (enc_store_customer_insert(st, &r, &id, &err)) TH_FAIL("insert: %s", err.msg);
    return id;
}

static int64_t order(const char *key, int64_t cust, int64_t ts, const char *status,
                     const char *coupon)
{
    enc_order_rec o = {.source = "t",
                       .order_key = key,
                       .customer = cust,
                       .ts = ts,
                       .status = status,
                       .coupon = coupon,
                       .channel = "web"};
    int64_t id;
    enc_put p;
    if (enc_store_order_put(st, &o, &id, &p, &err)) TH_FAIL("order: %s", err.msg);
    return id;
}

static void line(int64_t oid, int64_t no, int64_t prod, int64_t qty, int64_t price)
{
    enc_line_rec l = {.order_id = oid,
                      .line_no = no,
                      .product_id = prod,
                      .qty = qty,
                      .unit_price = price,
                      .amount = qty * price,
                      .kind = qty < 0     ? "return"
                              : price > 0 ? "sale"
                                          : "free"};
    enc_put p;
    if (enc_store_line_put(st, &l, &p, &err)) TH_FAIL("line: %s", err.msg);
    enc_store_order_refresh(st, oid, &err);
}

/* mem: an in-memory store, read on one connection (a file store is read on two, see
 * snapshot.c): both must give the same arrays */
static void build(bool mem)
{
    char path[512];
    snprintf(path, sizeof path, "%s/snap.db", th_tmpdir());
    unlink(path);
    if (enc_store_open(mem ? ":memory:" : path, &st, &err)) {
        TH_FAIL("open: %s", err.msg);
        return;
    }
    enc_product_rec p1 = {.sku = "P1", .category = "Home/Kitchen", .brand = "B", .in_stock = -1};
    enc_product_rec p2 = {.sku = "P2", .category = "Toys", .in_stock = 0};
    int64_t pid1, pid2;
    enc_put put;
    enc_store_product_put(st, &p1, false, &pid1, &put, &err);
    enc_store_product_put(st, &p2, false, &pid2, &put, &err);
    int64_t a = customer("A"), b = customer("B"), c = customer("C");
    /* A: two sales out of time order, one with a return line, a returned order, a late sale */
    int64_t o2 = order("O2", a, 2000, "paid", NULL);
    line(o2, 1, pid2, 1, 500);
    int64_t o1 = order("O1", a, 1000, "paid", "SAVE5");
    line(o1, 1, pid1, 2, 300);
    line(o1, 2, pid2, -1, 100);
    int64_t o3 = order("O3", a, 1500, "returned", NULL);
    line(o3, 1, pid1, -1, 300);
    int64_t o4 = order("O4", a, 9000, "paid", NULL);
    line(o4, 1, pid1, 1, 300);
    /* B: a free line only (no sale), a cancelled order; C: merged into B */
    int64_t o5 = order("O5", b, 1200, "paid", NULL);
    line(o5, 1, pid1, 1, 0);
    order("O6", b, 1300, "cancelled", NULL);
    int64_t o7 = order("O7", c, 1400, "paid", NULL);
    line(o7, 1, pid2, 3, 100);
    enc_store_customer_merge(st, c, b, "test", "test", "test", &err);
    /* D: an order imported without lines, a zero total and one item (a free purchase, as
     * CDNOW's $0 rows): a purchase; E: one without lines and without items: none */
    int64_t d = customer("D"), e5 = customer("E");
    enc_order_rec fo = {.source = "t",
                        .order_key = "O8",
                        .customer = d,
                        .ts = 1600,
                        .status = "paid",
                        .total = 0,
                        .items = 1,
                        .has_total = true};
    int64_t fid;
    enc_store_order_put(st, &fo, &fid, &put, &err);
    fo.order_key = "O9", fo.customer = e5, fo.items = 0;
    enc_store_order_put(st, &fo, &fid, &put, &err);
    /* events, feedback, consents */
    enc_event_rec e = {.source = "t", .customer = a, .type = "view", .sku = "P2", .session = "S1"};
    e.source_key = "e1", e.ts = 1800;
    enc_store_event_put(st, &e, &put, &err);
    e.source_key = "e2", e.ts = 1700, e.type = "cart_add";
    enc_store_event_put(st, &e, &put, &err);
    e.source_key = "e3", e.ts = 9500, e.type = "view", e.session = NULL;
    enc_store_event_put(st, &e, &put, &err);
    enc_feedback_rec f = {
        .source = "t", .source_key = "f1", .customer = a, .ts = 1100, .kind = "complaint"};
    enc_store_feedback_put(st, &f, &put, &err);
    f.source_key = "f2", f.kind = "nps", f.score = 3, f.has_score = true;
    enc_store_feedback_put(st, &f, &put, &err);
    f.source_key = "f3", f.kind = "complaint", f.ts = 1050, f.has_score = false;
    enc_store_feedback_put(st, &f, &put, &err);
    f.source_key = "f4", f.ts = 9100;
    enc_store_feedback_put(st, &f, &put, &err);
    enc_consent_rec k = {.source = "t", .customer = a, .purpose = "marketing"};
    k.source_key = "k1", k.ts = 10, k.channel = "all", k.granted = true;
    enc_store_consent_put(st, &k, &put, &err);
    k.source_key = "k2", k.ts = 20, k.channel = "sms", k.granted = false;
    enc_store_consent_put(st, &k, &put, &err);
    k.source_key = "k3", k.ts = 9999, k.channel = "email", k.granted = false;
    enc_store_consent_put(st, &k, &put, &err);
}

static void arrays_as_of_in(bool mem)
{
    build(mem);
    if (!st) return;
    enc_snapshot *s;
    CHECK_INT(enc_snapshot_load(st, 5000, &s, &err), ENC_OK);
    if (!s) return;
    CHECK_INT(s->ncust, 4); /* C is merged into B */
    CHECK_STR(s->cust_ext[0], "A");
    CHECK_STR(s->cust_ext[1], "B");
    /* A: sales O1 (600, promo) then O2 (500); O4 is after as_of; O3 is a return */
    CHECK_INT(s->ord_off[1] - s->ord_off[0], 2);
    CHECK_INT(s->ord_ts[0], 1000);
    CHECK_INT(s->ord_amount[0], 600);
    CHECK_INT(s->ord_promo[0], 1);
    CHECK_INT(s->ord_ts[1], 2000);
    CHECK_INT(s->ord_promo[1], 0);
    CHECK_STR(s->channels.names[s->ord_channel[0]], "web");
    /* O1's sale line only (the return line is not a sale) */
    CHECK_INT(s->line_off[1] - s->line_off[0], 1);
    CHECK_STR(s->prod_sku[s->line_prod[s->line_off[0]]], "P1");
    CHECK_STR(s->tops.names[s->prod_top[s->line_prod[s->line_off[0]]]], "Home");
    CHECK_INT(s->line_qty[s->line_off[0]], 2);
    /* returns: O3 (300) and O1's return line (100) */
    CHECK_INT(s->ret_amount[0], 400);
    CHECK_INT(s->ret_count[0], 2);
    /* the same returns one by one, in time order: O1's line at 1000, O3 at 1500 */
    CHECK_INT(s->ret_off[1] - s->ret_off[0], 2);
    CHECK_INT(s->ret_ts[0], 1000);
    CHECK_INT(s->ret_amt[0], 100);
    CHECK_INT(s->ret_ts[1], 1500);
    CHECK_INT(s->ret_amt[1], 300);
    CHECK_INT(s->ret_off[4] - s->ret_off[1], 0);
    /* D's free purchase is an order of amount 0; E's empty order is none */
    CHECK_INT(s->ord_off[3] - s->ord_off[2], 1);
    CHECK_INT(s->ord_amount[s->ord_off[2]], 0);
    CHECK_INT(s->ord_off[4] - s->ord_off[3], 0);
    /* B: the free line is no sale; C's sale came with the merge */
    CHECK_INT(s->ord_off[2] - s->ord_off[1], 1);
    CHECK_INT(s->ord_amount[s->ord_off[1]], 300);
    /* events in time order, the one after as_of left out */
    CHECK_INT(s->ev_off[1] - s->ev_off[0], 2);
    CHECK_INT(s->ev_type[0], EV_CART_ADD);
    CHECK_INT(s->ev_type[1], EV_VIEW);
    CHECK_STR(s->prod_sku[s->ev_prod[1]], "P2");
    /* both in session S1: one hash, not "none" */
    CHECK(s->ev_session[0] != 0);
    CHECK(s->ev_session[0] == s->ev_session[1]);
    /* stock: P1 unknown (the store's default: in stock), P2 out of stock */
    CHECK_INT(s->prod_in_stock[0], 1);
    CHECK_INT(s->prod_in_stock[1], 0);
    /* feedback */
    CHECK_INT(s->complaints[0], 2);
    CHECK_INT(s->last_complaint[0], 1100);
    CHECK_INT(s->cmp_off[1] - s->cmp_off[0], 2); /* the one at 9100 is after as_of */
    CHECK_INT(s->cmp_ts[0], 1050);
    CHECK_INT(s->cmp_ts[1], 1100);
    CHECK_INT(s->cmp_off[4], 2);
    CHECK_NEAR(s->nps_last[0], 3, 1e-9);
    CHECK(isnan(s->nps_last[1]));
    /* consents: all granted, then sms revoked; the email revocation is after as_of */
    CHECK_INT(s->consent[0], 0x1f & ~(1 << CH_SMS));
    CHECK_INT(s->consent[1], 0);
    CHECK_INT(s->consent[2], 0);
    CHECK_INT(enc_snapshot_find(s, s->cust_id[1]), 1);
    CHECK_INT(enc_snapshot_find(s, 999), -1);
    enc_snapshot_free(s);

    /* everything */
    CHECK_INT(enc_snapshot_load(st, INT64_MAX, &s, &err), ENC_OK);
    CHECK_INT(s->ord_off[1] - s->ord_off[0], 3);
    CHECK_INT(s->consent[0], 0x1f & ~(1 << CH_SMS) & ~(1 << CH_EMAIL));
    CHECK_INT(s->ev_off[1] - s->ev_off[0], 3);
    CHECK_INT(s->ev_session[2], 0); /* e3 has no session */
    enc_snapshot_free(s);
    enc_store_close(st);
}

#define SAME(a, b, n) CHECK((n) == 0 || memcmp((a), (b), (n) * sizeof *(a)) == 0)

/* Read in parts, each part holds what the whole snapshot holds and the others are NULL; a
 * window keeps the rows at or after its start (and the lines of the orders kept). */
static void parts_and_windows(void)
{
    build(false);
    if (!st) return;
    enc_snapshot *all, *s;
    CHECK_INT(enc_snapshot_load(st, INT64_MAX, &all, &err), ENC_OK);
    CHECK_INT(all->loaded.parts, ENC_SNAP_ALL);
    size_t n = all->ncust;
    for (unsigned bits = 0; bits <= ENC_SNAP_ALL; bits++) {
        enc_snapshot_opts o = {bits, INT64_MIN, INT64_MIN};
        if (enc_snapshot_load_opts(st, INT64_MAX, &o, &s, &err)) {
            TH_FAIL("parts %#x: %s", bits, err.msg);
            break;
        }
        unsigned p = s->loaded.parts;
        /* lines bring orders and products; events bring products */
        CHECK_INT(p, bits | (bits & ENC_SNAP_LINES ? ENC_SNAP_ORDERS | ENC_SNAP_PRODUCTS : 0) |
                         (bits & ENC_SNAP_EVENTS ? ENC_SNAP_PRODUCTS : 0));
        bool det = p & ENC_SNAP_DETAILS;
        CHECK_INT(s->ncust, n);
        SAME(s->cust_id, all->cust_id, n);
        CHECK((s->cust_ext != NULL) == !!(p & ENC_SNAP_CUSTOMERS));
        if (p & ENC_SNAP_CUSTOMERS) {
            SAME(s->registered_at, all->registered_at, n);
            CHECK_STR(s->cust_ext[3], "E");
        }
        CHECK((s->prod_sku != NULL) == !!(p & ENC_SNAP_PRODUCTS));
        CHECK_INT(s->nprod, p & ENC_SNAP_PRODUCTS ? all->nprod : 0);
        CHECK((s->ord_off != NULL) == !!(p & ENC_SNAP_ORDERS));
        if (p & ENC_SNAP_ORDERS) {
            CHECK_INT(s->nord, all->nord);
            SAME(s->ord_off, all->ord_off, n + 1);
            SAME(s->ord_ts, all->ord_ts, s->nord);
            SAME(s->ord_amount, all->ord_amount, s->nord);
            CHECK((s->ord_channel != NULL) == det);
            if (det) SAME(s->ord_promo, all->ord_promo, s->nord);
        }
        CHECK((s->line_off != NULL) == !!(p & ENC_SNAP_LINES));
        if (p & ENC_SNAP_LINES) {
            CHECK_INT(s->nline, all->nline);
            SAME(s->line_off, all->line_off, s->nord + 1);
            SAME(s->line_prod, all->line_prod, s->nline);
            CHECK((s->line_qty != NULL) == det);
            if (det) SAME(s->line_amount, all->line_amount, s->nline);
        }
        CHECK((s->ret_off != NULL) == !!(p & ENC_SNAP_RETURNS));
        if (p & ENC_SNAP_RETURNS) SAME(s->ret_amount, all->ret_amount, n);
        CHECK((s->ev_off != NULL) == !!(p & ENC_SNAP_EVENTS));
        if (p & ENC_SNAP_EVENTS) {
            CHECK_INT(s->nev, all->nev);
            SAME(s->ev_ts, all->ev_ts, s->nev);
            SAME(s->ev_prod, all->ev_prod, s->nev);
            CHECK((s->ev_session != NULL) == det);
        }
        CHECK((s->cmp_off != NULL) == !!(p & ENC_SNAP_FEEDBACK));
        if (p & ENC_SNAP_FEEDBACK) SAME(s->last_complaint, all->last_complaint, n);
        CHECK((s->consent != NULL) == !!(p & ENC_SNAP_CONSENTS));
        if (p & ENC_SNAP_CONSENTS) SAME(s->consent, all->consent, n);
        enc_snapshot_free(s);
    }
    /* windows: A's sales at 1000, 2000, 9000; from 1500 only the last two, with O2's and O4's
     * lines; events at 1700, 1800, 9500: from 1750 the last two */
    enc_snapshot_opts w = {ENC_SNAP_LINES | ENC_SNAP_EVENTS, 1500, 1750};
    CHECK_INT(enc_snapshot_load_opts(st, INT64_MAX, &w, &s, &err), ENC_OK);
    CHECK_INT(s->loaded.orders_from, 1500);
    CHECK_INT(s->loaded.events_from, 1750);
    CHECK_INT(s->ord_off[1] - s->ord_off[0], 2);
    CHECK_INT(s->ord_ts[0], 2000);
    CHECK_INT(s->ord_ts[1], 9000);
    CHECK_INT(s->nord, 3); /* and D's free purchase at 1600; B's (1200, merged C's 1400) are out */
    CHECK_INT(s->line_off[1] - s->line_off[0], 1);
    CHECK_STR(s->prod_sku[s->line_prod[s->line_off[0]]], "P2");
    CHECK_STR(s->prod_sku[s->line_prod[s->line_off[1]]], "P1");
    CHECK_INT(s->ev_off[1] - s->ev_off[0], 2);
    CHECK_INT(s->ev_ts[0], 1800);
    CHECK_INT(s->ev_ts[1], 9500);
    enc_snapshot_free(s);
    /* merging and covering */
    enc_snapshot_opts a = {0, 0, 0}, b = {ENC_SNAP_ORDERS, 100, 0}, c = {ENC_SNAP_EVENTS, 0, 50};
    enc_snapshot_opts_merge(&a, &b);
    CHECK_INT(a.parts, ENC_SNAP_ORDERS);
    CHECK_INT(a.orders_from, 100);
    enc_snapshot_opts_merge(&a, &c);
    CHECK_INT(a.events_from, 50);
    b.orders_from = 40;
    enc_snapshot_opts_merge(&a, &b);
    CHECK_INT(a.orders_from, 40);
    enc_snapshot_opts have = {ENC_SNAP_ORDERS | ENC_SNAP_EVENTS, 40, 50};
    CHECK(enc_snapshot_opts_cover(&have, &a));
    have.orders_from = 41;
    CHECK(!enc_snapshot_opts_cover(&have, &a)); /* a window too short */
    have.orders_from = INT64_MIN;
    have.parts = ENC_SNAP_ORDERS;
    CHECK(!enc_snapshot_opts_cover(&have, &a)); /* a part missing */
    enc_snapshot_free(all);
    enc_store_close(st);
}

static void arrays_as_of(void) { arrays_as_of_in(false); }
static void arrays_as_of_in_memory(void) { arrays_as_of_in(true); }

int main(void)
{
    RUN(arrays_as_of);
    RUN(arrays_as_of_in_memory);
    RUN(parts_and_windows);
    return TEST_SUMMARY();
}
