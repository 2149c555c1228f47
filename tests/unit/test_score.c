/* test_score.c — the scoring pipeline (src/intel/score.c) on a small hand-made store whose
 * every expected value is worked out by hand in the comments: RFM raw values and quintile
 * scores, the two segmentations, occasions, next order, preferences, replenishment, system and
 * user tags, the profile rows written and read back. Then the CDNOW sample through a store:
 * scoring's CLV columns equal the one-call enc_clv_run on the same transactions, and its fits
 * equal the published parameters. And the config file's rules and errors. */
#include "harness.h"
#include "base/datetime.h"
#include "base/json.h"
#include "intel/clv.h"
#include "intel/mbgnbd.h"
#include "intel/score.h"
#include "ingest/import.h"
#include <jansson.h>

#define DAY 86400
static enc_store *st;
static enc_err err;

static int64_t at(int y, int m, int d, int hh)
{
    return enc_days_from_civil(y, m, d) * DAY + hh * 3600;
}

static int64_t customer(const char *ext, const char *birthday)
{
    enc_customer_rec r = {.source = "t",
                          .source_key = ext,
                          .external_id = ext,
                          .birthday = birthday,
                          .region = "North"};
    int64_t id = 0;
    if (enc_store_customer_insert(st, &r, &id, &err)) TH_FAIL("insert: %s", err.msg);
    return id;
}

static int64_t pid1, pid2;

/* one order of `qty` units of product p at `price` minor units */
static void order(const char *key, int64_t cust, int64_t ts, int64_t p, int qty, int64_t price,
                  const char *channel, const char *coupon, const char *status)
{
    enc_order_rec o = {.source = "t",
                       .order_key = key,
                       .customer = cust,
                       .ts = ts,
                       .status = status ? status : "paid",
                       .channel = channel,
                       .payment = "card",
                       .coupon = coupon};
    int64_t id;
    enc_put put;
    if (enc_store_order_put(st, &o, &id, &put, &err)) TH_FAIL("order: %s", err.msg);
    bool ret = status && strcmp(status, "returned") == 0;
    enc_line_rec l = {.order_id = id,
                      .line_no = 1,
                      .product_id = p,
                      .qty = ret ? -qty : qty,
                      .unit_price = price,
                      .amount = (ret ? -qty : qty) * price,
                      .kind = ret ? "return" : "sale"};
    if (enc_store_line_put(st, &l, &put, &err)) TH_FAIL("line: %s", err.msg);
    enc_store_order_refresh(st, id, &err);
}

static void event(const char *key, int64_t cust, int64_t ts, const char *type)
{
    enc_event_rec e = {
        .source = "t", .source_key = key, .customer = cust, .ts = ts, .type = type, .sku = "P1"};
    enc_put put;
    if (enc_store_event_put(st, &e, &put, &err)) TH_FAIL("event: %s", err.msg);
}

static int64_t A, B, C, D, E;

static void build(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/score.db", th_tmpdir());
    unlink(path);
    if (enc_store_open(path, &st, &err)) {
        TH_FAIL("open: %s", err.msg);
        return;
    }
    enc_put put;
    /* P1: Home/Kitchen by B1, 50.00, lasts 30 days; P2: Toys, 40.00 */
    enc_product_rec p1 = {.sku = "P1",
                          .category = "Home/Kitchen",
                          .brand = "B1",
                          .price = 5000,
                          .has_price = true,
                          .replenish_days = 30,
                          .has_replenish = true,
                          .in_stock = -1};
    enc_product_rec p2 = {
        .sku = "P2", .category = "Toys", .price = 4000, .has_price = true, .in_stock = -1};
    enc_store_product_put(st, &p1, false, &pid1, &put, &err);
    enc_store_product_put(st, &p2, false, &pid2, &put, &err);
    A = customer("A", NULL);
    B = customer("B", NULL);
    C = customer("C", "1990-02-15");
    D = customer("D", NULL);
    E = customer("E", NULL);
    /* A: 2 x P1 on 1 Jan (100.00, coupon), P2 on 15 Jan (50.00), P2 on 29 Jan (30.00); a
     * returned order of 20.00 on 20 Jan */
    order("A1", A, at(2024, 1, 1, 10), pid1, 2, 5000, "web", "NEW10", NULL);
    order("A2", A, at(2024, 1, 15, 10), pid2, 1, 5000, "app", NULL, NULL);
    order("A3", A, at(2024, 1, 29, 0), pid2, 1, 3000, "web", NULL, NULL);
    order("A4", A, at(2024, 1, 20, 9), pid2, 1, 2000, "web", NULL, "returned");
    /* B: one order of 200.00 on 1 June 2023 */
    order("B1", B, at(2023, 6, 1, 0), pid2, 5, 4000, "store", NULL, NULL);
    /* C: two orders on 1 December 2023, 12 hours apart (one occasion): 10.00 and 5.00 */
    order("C1", C, at(2023, 12, 1, 0), pid2, 1, 1000, "web", NULL, NULL);
    order("C2", C, at(2023, 12, 1, 12), pid2, 1, 500, "web", NULL, NULL);
    /* E: 40.00 on 10 January and on 10 April 2023 */
    order("E1", E, at(2023, 1, 10, 0), pid2, 1, 4000, "web", NULL, NULL);
    order("E2", E, at(2023, 4, 10, 0), pid2, 1, 4000, "web", NULL, NULL);
    /* D never bought: a view and a cart addition on 30 January 2024 */
    event("e1", D, at(2024, 1, 30, 8), "view");
    event("e2", D, at(2024, 1, 30, 9), "cart_add");
    /* B complained on 10 January 2024; A consents to email */
    enc_feedback_rec f = {.source = "t",
                          .source_key = "f1",
                          .customer = B,
                          .ts = at(2024, 1, 10, 0),
                          .kind = "complaint"};
    enc_store_feedback_put(st, &f, &put, &err);
    enc_consent_rec k = {.source = "t",
                         .source_key = "k1",
                         .customer = A,
                         .ts = at(2023, 1, 1, 0),
                         .channel = "email",
                         .purpose = "marketing",
                         .granted = true};
    enc_store_consent_put(st, &k, &put, &err);
    /* something after the as-of date, which scoring must not see */
    order("A5", A, at(2024, 2, 5, 0), pid1, 9, 5000, "web", NULL, NULL);
}

static bool has_tag(const enc_score *sc, size_t i, enc_sys_tag t) { return sc->tags[i] >> t & 1; }

static void hand_made_store(void)
{
    build();
    if (!st) return;
    const int64_t T = at(2024, 2, 1, 0); /* as of the end of 31 January 2024 */
    enc_snapshot *s;
    CHECK_INT(enc_snapshot_load(st, T, &s, &err), ENC_OK);
    if (!s) return;
    enc_score_config cfg;
    enc_score_config_default(&cfg);
    const char conf[] =
        "{\"tags\": [{\"name\": \"vip\", \"field\": \"monetary\", \"op\": \">=\", \"value\": 150},"
        " {\"name\": \"home_active\", \"all\": [{\"field\": \"top_categories\", \"op\": \"has\","
        " \"value\": \"Home\"}, {\"field\": \"tags\", \"op\": \"has\", \"value\": \"active\"}]},"
        " {\"name\": \"cn_retain\", \"field\": \"rfm_segment_cn\", \"op\": \"in\", \"value\":"
        " [\"重要挽留客户\", \"一般挽留客户\"]}]}";
    CHECK_INT(enc_score_config_json(&cfg, conf, strlen(conf), "test", &err), ENC_OK);
    enc_score *sc;
    CHECK_INT(enc_score_run(s, T, &cfg, &sc, &err), ENC_OK);
    if (!sc) return;
    size_t a = (size_t)enc_snapshot_find(s, A), b = (size_t)enc_snapshot_find(s, B),
           c = (size_t)enc_snapshot_find(s, C), d = (size_t)enc_snapshot_find(s, D),
           e = (size_t)enc_snapshot_find(s, E);
    /* RFM raw values: recency = as-of - last order in days; frequency = purchase orders (the
     * returned one and the one after as-of excluded); monetary = their sales net of returns
     * (issue 12: A's 20.00 return counts against its 180.00) */
    CHECK_NEAR(sc->recency[a], 3, 1e-12);    /* 29 Jan 00:00 -> 1 Feb 00:00 */
    CHECK_NEAR(sc->recency[b], 245, 1e-12);  /* 1 June 2023 -> 1 Feb 2024 */
    CHECK_NEAR(sc->recency[c], 61.5, 1e-12); /* 1 Dec 12:00 -> 1 Feb */
    CHECK_NEAR(sc->recency[e], 297, 1e-12);  /* 10 Apr 2023 -> 1 Feb 2024 */
    CHECK(isnan(sc->recency[d]));
    CHECK_INT(sc->frequency[a], 3);
    CHECK_INT(sc->frequency[c], 2);
    CHECK_INT(sc->frequency[d], 0);
    CHECK_INT(sc->monetary[a], 16000);
    CHECK_INT(sc->monetary[b], 20000);
    CHECK_INT(sc->monetary[c], 1500);
    CHECK_INT(sc->returns[a], 2000);
    CHECK_INT(sc->aov[a], 5333);    /* 160.00 net over 3 orders */
    CHECK_INT(sc->occasions[c], 1); /* 12 hours apart: one occasion */
    CHECK_NEAR(sc->tenure[a], 30 + 14.0 / 24, 1e-12);
    /* Quintile bins of 4 buyers: rank r -> max(1, ceil(5 (r-1) / 3)) = 1, 2, 4, 5.
     * recency ascending A 3, C 61.5, B 245, E 297 -> bins 1 2 4 5 -> R = 6 - bin: 5 4 2 1.
     * frequency B 1, C 2, E 2, A 3 -> 1, 2, 4, 5; C and E tie: both 2 (ties low).
     * monetary C 15, E 80, A 180, B 200 -> 1 2 4 5. */
    CHECK_INT(sc->r[a], 5);
    CHECK_INT(sc->r[c], 4);
    CHECK_INT(sc->r[b], 2);
    CHECK_INT(sc->r[e], 1);
    CHECK_INT(sc->f[b], 1);
    CHECK_INT(sc->f[c], 2);
    CHECK_INT(sc->f[e], 2);
    CHECK_INT(sc->f[a], 5);
    CHECK_INT(sc->m[c], 1);
    CHECK_INT(sc->m[e], 2);
    CHECK_INT(sc->m[a], 4);
    CHECK_INT(sc->m[b], 5);
    CHECK_INT(sc->r[d], 0);
    /* segments: A R5 FM 4 Champions; B R2 FM 3 At Risk; C R4 FM 1 Promising; E R1 FM 2
     * Hibernating */
    CHECK_INT(sc->seg[a], ENC_SEG_CHAMPIONS);
    CHECK_INT(sc->seg[b], ENC_SEG_AT_RISK);
    CHECK_INT(sc->seg[c], ENC_SEG_PROMISING);
    CHECK_INT(sc->seg[e], ENC_SEG_HIBERNATING);
    CHECK_INT(sc->seg[d], 255);
    /* CN classes against the buyers' means: recency 151.625, frequency 2, monetary 118.75 */
    CHECK_INT(sc->cn[a], ENC_CN_IMPORTANT_VALUE);
    CHECK_INT(sc->cn[b], ENC_CN_IMPORTANT_RETAIN);
    CHECK_INT(sc->cn[c], ENC_CN_GENERAL_DEVELOP);
    CHECK_INT(sc->cn[e], ENC_CN_GENERAL_RETAIN);
    /* lifecycle: D never bought but was engaged in the 90-day window */
    CHECK_INT(sc->stage[d], ENC_LC_PROSPECT);
    CHECK_INT(sc->cls[d], ENC_LC_CLASS_ACTIVE_NON_BUYER);
    CHECK_INT(sc->cls[a], ENC_LC_CLASS_REPEAT);
    /* next order of A: its own median gap after 29 January 00:00 — the gaps are 14 days and
     * 13 days 14 hours, their median 13 days 19 hours: 11 February 19:00 */
    CHECK_INT(sc->next_ts[a], at(2024, 2, 11, 19));
    /* preferences of A: Home 100.00 > Toys 80.00; brand B1; 1 of 3 orders with a coupon;
     * channel web (2 of 3); price index: paid 180.00 for 2 P1 + 2 P2 at the category medians
     * 50.00 and 40.00 = 180.00 -> 1 */
    CHECK_STR(s->tops.names[sc->top_cat[a * ENC_SCORE_TOP]], "Home");
    CHECK_STR(s->tops.names[sc->top_cat[a * ENC_SCORE_TOP + 1]], "Toys");
    CHECK_INT(sc->top_cat[a * ENC_SCORE_TOP + 2], -1);
    CHECK_STR(s->brands.names[sc->top_brand[a * ENC_SCORE_TOP]], "B1");
    CHECK_NEAR(sc->promo_share[a], 1.0 / 3, 1e-12);
    CHECK_STR(s->channels.names[sc->channel[a]], "web");
    CHECK_NEAR(sc->price_index[a], 1, 1e-12);
    /* C paid 15.00 for two P2 (80.00 at the median): index 0.1875 -> bargain buyer */
    CHECK_NEAR(sc->price_index[c], 15.0 / 80, 1e-12);
    /* replenishment of A: 2 x P1 (30 days each) on 1 January 10:00 -> due 60 days later */
    CHECK_STR(s->cats.names[sc->repl_cat[a * ENC_SCORE_TOP]], "Home/Kitchen");
    CHECK_INT(sc->repl_due[a * ENC_SCORE_TOP], at(2024, 3, 1, 10));
    /* system tags */
    CHECK(has_tag(sc, a, ENC_TAG_ACTIVE));
    CHECK(!has_tag(sc, b, ENC_TAG_ACTIVE));
    CHECK(has_tag(sc, d, ENC_TAG_ACTIVE)); /* engaged on 30 January */
    CHECK(has_tag(sc, b, ENC_TAG_ONE_TIME_BUYER));
    CHECK(has_tag(sc, c, ENC_TAG_ONE_TIME_BUYER)); /* two orders, one occasion */
    CHECK(!has_tag(sc, a, ENC_TAG_ONE_TIME_BUYER));
    CHECK(has_tag(sc, b, ENC_TAG_COMPLAINT_RISK));
    CHECK(!has_tag(sc, a, ENC_TAG_COMPLAINT_RISK));
    CHECK(has_tag(sc, d, ENC_TAG_CART_ABANDONER));
    CHECK(has_tag(sc, c, ENC_TAG_BIRTHDAY_SOON)); /* 15 February: 14 days after 1 February */
    CHECK(!has_tag(sc, a, ENC_TAG_BIRTHDAY_SOON));
    CHECK(has_tag(sc, c, ENC_TAG_BARGAIN_BUYER));
    CHECK(!has_tag(sc, a, ENC_TAG_BARGAIN_BUYER) && !has_tag(sc, a, ENC_TAG_PREMIUM_BUYER));
    CHECK(!has_tag(sc, a, ENC_TAG_UNREACHABLE));
    CHECK(has_tag(sc, b, ENC_TAG_UNREACHABLE));
    /* big spender: monetary at or above the 'lower' 90th percentile of the 4 buyers (the value
     * of rank floor(0.9 x 3) = 2 of 15, 80, 180, 200: 180.00): A and B */
    CHECK(has_tag(sc, b, ENC_TAG_BIG_SPENDER));
    CHECK(has_tag(sc, a, ENC_TAG_BIG_SPENDER));
    CHECK(!has_tag(sc, e, ENC_TAG_BIG_SPENDER));
    /* user tags: vip = monetary >= 150 (A 180, B 200); home_active = A; cn_retain = B, E */
    CHECK_INT(sc->user_tags[a], 1 | 2);
    CHECK_INT(sc->user_tags[b], 1 | 4);
    CHECK_INT(sc->user_tags[c], 0);
    CHECK_INT(sc->user_tags[e], 4);
    /* too little history for a churn model or clusters: said so, nothing invented */
    CHECK(!sc->models.has_churn);
    CHECK(strstr(sc->models.churn_error, "too short") != NULL);
    CHECK(isnan(sc->churn[a]));
    CHECK(!sc->models.has_cluster);
    CHECK_INT(sc->cluster[a], -1);

    /* saved and read back */
    CHECK_INT(enc_score_save(st, sc, 1700000000, 0.5, &err), ENC_OK);
    enc_profile_cursor *cur;
    enc_buf bf = {0};
    CHECK_INT(enc_store_profiles_open(st, A, 2, &cur, &err), ENC_OK);
    CHECK_INT(enc_store_profiles_next(cur, ENC_PROFILE_JSON, &bf, &err), 1);
    enc_store_profiles_close(cur);
    json_t *j = json_loads(bf.p, 0, NULL);
    CHECK(j != NULL);
    if (j) {
        CHECK_STR(json_string_value(json_object_get(j, "customer_id")), "A");
        CHECK_STR(json_string_value(json_object_get(j, "as_of")), "2024-01-31");
        CHECK_NEAR(json_number_value(json_object_get(j, "monetary")), 160, 1e-9);
        CHECK_NEAR(json_number_value(json_object_get(j, "returns_amount")), 20, 1e-9);
        CHECK_INT(json_integer_value(json_object_get(j, "frequency")), 3);
        CHECK_STR(json_string_value(json_object_get(j, "rfm_segment")), "Champions");
        CHECK_STR(json_string_value(json_object_get(j, "rfm_segment_cn")), "重要价值客户");
        CHECK_STR(json_string_value(json_object_get(j, "next_order_date")), "2024-02-11");
        CHECK_STR(json_string_value(json_array_get(json_object_get(j, "top_categories"), 0)),
                  "Home");
        json_t *rp = json_array_get(json_object_get(j, "replenish"), 0);
        CHECK_STR(json_string_value(json_object_get(rp, "due")), "2024-03-01");
        json_t *tags = json_object_get(j, "tags");
        bool vip = false, active = false;
        size_t k;
        json_t *t;
        json_array_foreach(tags, k, t)
        {
            vip |= strcmp(json_string_value(t), "vip") == 0;
            active |= strcmp(json_string_value(t), "active") == 0;
        }
        CHECK(vip && active);
        CHECK(json_is_null(json_object_get(j, "churn_risk")));
        CHECK(json_is_null(json_object_get(j, "cluster")));
    }
    json_decref(j);
    /* D (no purchase): frequency 0, monetary 0, no RFM */
    enc_buf_reset(&bf);
    CHECK_INT(enc_store_profiles_open(st, D, 2, &cur, &err), ENC_OK);
    CHECK_INT(enc_store_profiles_next(cur, ENC_PROFILE_CSV, &bf, &err), 1);
    CHECK_INT(enc_store_profiles_next(cur, ENC_PROFILE_CSV, &bf, &err), 0);
    enc_store_profiles_close(cur);
    CHECK(strncmp(bf.p, "D,2024-01-31,,0,0.00,0.00,,", 27) == 0);
    enc_buf_free(&bf);
    /* segments: 5 profiles; by tag, vip holds A and B with 360.00 of revenue (net) */
    enc_segment_list l;
    CHECK_INT(enc_store_segments(st, "tag", &l, &err), ENC_OK);
    CHECK_INT(l.customers, 5);
    CHECK_INT(l.revenue, 16000 + 20000 + 1500 + 8000);
    bool seen = false;
    for (size_t i = 0; i < l.n; i++)
        if (l.rows[i].key && strcmp(l.rows[i].key, "vip") == 0) {
            seen = true;
            CHECK_INT(l.rows[i].customers, 2);
            CHECK_INT(l.rows[i].revenue, 36000);
        }
    CHECK(seen);
    enc_store_segments_free(&l);
    CHECK_INT(enc_store_segments(st, "nonsense", &l, &err), ENC_EUSAGE);
    /* a second run replaces the first run's rows */
    CHECK_INT(enc_score_save(st, sc, 1700000001, 0.5, &err), ENC_OK);
    enc_score_run_info run;
    bool found;
    CHECK_INT(enc_store_score_run_last(st, &run, &found, &err), ENC_OK);
    CHECK(found);
    CHECK_INT(run.customers, 5);
    CHECK_INT(run.as_of, T);
    CHECK_INT(enc_store_segments(st, "rfm", &l, &err), ENC_OK);
    CHECK_INT(l.customers, 5);
    enc_store_segments_free(&l);

    enc_score_free(sc);
    enc_snapshot_free(s);
    enc_score_config_free(&cfg);
    enc_store_close(st);
    st = NULL;
}

/* CDNOW through the store: the columns scoring writes equal enc_clv_run on the same data. */
static void cdnow_through_store(void)
{
    const char *path = th_data("cdnow/CDNOW_sample.txt");
    if (!path) return;
    char db[512];
    snprintf(db, sizeof db, "%s/cdnow.db", th_tmpdir());
    unlink(db);
    if (enc_store_open(db, &st, &err)) {
        TH_FAIL("open: %s", err.msg);
        return;
    }
    const char *maps[] = {"customer_id=1", "time=3", "qty=4", "total=5"};
    enc_import_opts o = {.kind = ENC_KIND_ORDERS,
                         .path = path,
                         .format = ENC_FMT_WS,
                         .no_header = true,
                         .maps = maps,
                         .nmaps = 4,
                         .max_errors = -1};
    enc_import_result res;
    CHECK_INT(enc_import_run(st, &o, &res, &err), ENC_OK);
    enc_import_result_free(&res);
    int64_t T = (enc_days_from_civil(1997, 9, 30) + 1) * DAY;
    enc_snapshot *s;
    CHECK_INT(enc_snapshot_load(st, T, &s, &err), ENC_OK);
    if (!s) return;
    CHECK_INT(s->ncust, 2357);
    enc_score_config cfg;
    enc_score_config_default(&cfg);
    enc_score *sc;
    CHECK_INT(enc_score_run(s, T, &cfg, &sc, &err), ENC_OK);
    if (!sc) return;
    /* the published fits (Fader, Hardie & Lee 2005), 3 significant digits */
    CHECK(sc->models.has_bgnbd && sc->models.has_gg);
    CHECK_NEAR(sc->models.bg.p.r, 0.243, 0.0005 / 0.243);
    CHECK_NEAR(sc->models.bg.p.alpha, 4.414, 0.0005);
    CHECK_NEAR(sc->models.bg.p.a, 0.793, 0.0005 / 0.793);
    CHECK_NEAR(sc->models.bg.p.b, 2.426, 0.0005);
    CHECK_NEAR(sc->models.bg.ll, -9582.4, 0.05 / 9582.4);
    CHECK_NEAR(sc->models.gg.p.p, 6.25, 0.005 / 6.25);
    CHECK_NEAR(sc->models.gg.p.q, 3.74, 0.005 / 3.74);
    CHECK_NEAR(sc->models.gg.p.gamma, 15.44, 0.005 / 15.44);
    CHECK(!sc->models.gg_sampled);
    /* the one call on the same transactions, 90 days ahead, 12 months at 1% */
    enc_score_tx tx;
    enc_score_transactions(s, T, 2, &tx);
    size_t n = s->ncust;
    double *pa = calloc(n, sizeof *pa), *ex = calloc(n, sizeof *ex), *clv = calloc(n, sizeof *clv);
    enc_clv_opts co = {.cal_end = (int32_t)enc_days_from_civil(1997, 9, 30),
                       .unit_days = 7,
                       .horizon = 90 / 7.0,
                       .months = 12,
                       .month_days = 30,
                       .discount = 0.01};
    int32_t *cx = calloc(n, sizeof *cx);
    double *ctx = calloc(n, sizeof *ctx), *cT = calloc(n, sizeof *cT);
    enc_clv_out out = {.p_alive = pa, .expected = ex, .clv = clv, .x = cx, .tx = ctx, .T = cT};
    enc_clv_result r;
    CHECK_INT(enc_clv_run(tx.n, tx.cust, tx.day, tx.value, n, &co, &out, &r, &err), ENC_OK);
    /* P(alive) comes from MBG/NBD (issue 19 item 5b): the published CDNOW fit (BTYDplus,
     * Platzer; lifetimes' ModifiedBetaGeoFitter test), 3 decimals, and its formula per customer */
    CHECK(sc->models.has_mbgnbd);
    CHECK_NEAR(sc->models.mbg.p.r, 0.525, 0.0005);
    CHECK_NEAR(sc->models.mbg.p.alpha, 6.183, 0.0005 / 6.183);
    CHECK_NEAR(sc->models.mbg.p.a, 0.891, 0.0005);
    CHECK_NEAR(sc->models.mbg.p.b, 1.614, 0.0005 / 1.614);
    double worst = 0;
    size_t one_timers_below_1 = 0;
    for (size_t i = 0; i < n; i++) {
        pa[i] = enc_mbgnbd_p_alive(&sc->models.mbg.p, cx[i], ctx[i], cT[i]);
        one_timers_below_1 += cx[i] == 0 && sc->p_alive[i] < 0.99;
        double d1 = fabs(sc->p_alive[i] - pa[i]), d2 = fabs(sc->exp90[i] - ex[i]),
               d3 = fabs(sc->clv[i] / 100 - clv[i]) / (1 + clv[i]);
        worst = fmax(worst, fmax(d1, fmax(d2, d3)));
    }
    CHECK(worst < 1e-12);
    CHECK(one_timers_below_1 > 1000); /* BG/NBD's is 1 for every one of them */
    free(cx);
    free(ctx);
    free(cT);
    /* the churn model was trained at 2 July 1997 (90 days earlier) and scores every buyer */
    CHECK(sc->models.has_churn);
    CHECK_INT(sc->models.churn_cutoff, T - 90 * DAY);
    size_t scored = 0;
    for (size_t i = 0; i < n; i++)
        scored += isfinite(sc->churn[i]) && sc->churn[i] > 0 && sc->churn[i] < 1;
    CHECK_INT(scored, 2357);
    free(pa);
    free(ex);
    free(clv);
    enc_score_tx_free(&tx);
    enc_score_free(sc);
    enc_snapshot_free(s);
    enc_store_close(st);
    st = NULL;
}

static void config_rules(void)
{
    enc_score_config c;
    enc_score_config_default(&c);
    const char ok[] =
        "{\"rfm\": {\"k\": 5, \"ties\": \"first\", \"recency_edges\": [30, 90, 180, 365]},"
        " \"lifecycle\": {\"new_days\": 60, \"default_gap_days\": 45},"
        " \"churn\": {\"horizon_days\": 60}, \"clv\": {\"unit\": \"day\", \"months\": 6,"
        " \"discount_rate\": 0.02}, \"cluster\": {\"k\": 4}, \"currency_decimals\": 0}";
    CHECK_INT(enc_score_config_json(&c, ok, strlen(ok), "t", &err), ENC_OK);
    CHECK_INT(c.rfm.ties, ENC_RFM_TIES_FIRST);
    CHECK(c.r_fixed && !c.f_fixed);
    CHECK_NEAR(c.r_edges[3], 365, 0);
    CHECK_NEAR(c.lc.new_days, 60, 0);
    CHECK(!c.gap_auto);
    CHECK_NEAR(c.churn_horizon_days, 60, 0);
    CHECK_NEAR(c.clv_unit_days, 1, 0);
    CHECK_INT(c.clv_months, 6);
    CHECK_INT(c.cluster_k, 4);
    CHECK_INT(c.money_digits, 0);
    /* every key of the tables (churn, clv, cluster, system_tags) lands in its field */
    const char more[] = "{\"churn\": {\"lambda\": 2.5, \"reasons\": 2},"
                        " \"cluster\": {\"k_min\": 3, \"k_max\": 9, \"seed\": 77},"
                        " \"system_tags\": {\"active_days\": 14, \"big_spender_quantile\": 0.8,"
                        " \"high_value_quantile\": 0.7, \"price_sensitive_share\": 0.4,"
                        " \"at_risk_churn\": 0.6}, \"clv\": {\"unit\": \"week\"}}";
    CHECK_INT(enc_score_config_json(&c, more, strlen(more), "t", &err), ENC_OK);
    CHECK_NEAR(c.churn_lambda, 2.5, 0);
    CHECK_INT(c.churn_reasons, 2);
    CHECK_INT(c.cluster_k_min, 3);
    CHECK_INT(c.cluster_k_max, 9);
    CHECK_INT(c.cluster_seed, 77);
    CHECK_NEAR(c.tag_active_days, 14, 0);
    CHECK_NEAR(c.tag_big_spender_q, 0.8, 0);
    CHECK_NEAR(c.tag_high_value_q, 0.7, 0);
    CHECK_NEAR(c.tag_price_share, 0.4, 0);
    CHECK_NEAR(c.tag_at_risk, 0.6, 0);
    CHECK_NEAR(c.clv_unit_days, 7, 0);
    CHECK_INT(c.clv_months, 6); /* kept from the first file */
    /* an unknown key is named with its section and the keys the section takes */
    const char unk[] = "{\"cluster\": {\"kk\": 1}}";
    CHECK_INT(enc_score_config_json(&c, unk, strlen(unk), "conf", &err), ENC_EUSAGE);
    CHECK_STR(err.msg, "conf: cluster.kk: unknown setting (k, k_min, k_max, seed)");
    const char unk2[] = "{\"clv\": {\"month\": 1}}";
    CHECK_INT(enc_score_config_json(&c, unk2, strlen(unk2), "conf", &err), ENC_EUSAGE);
    CHECK_STR(err.msg, "conf: clv.month: unknown setting (months, discount_rate, unit)");
    const char big[] = "{\"system_tags\": {\"at_risk_churn\": 1.5}}";
    CHECK_INT(enc_score_config_json(&c, big, strlen(big), "conf", &err), ENC_EUSAGE);
    CHECK_STR(err.msg, "conf: system_tags.at_risk_churn: must be between 0 and 1");
    const char frac[] = "{\"churn\": {\"reasons\": 2.5}}";
    CHECK_INT(enc_score_config_json(&c, frac, strlen(frac), "conf", &err), ENC_EUSAGE);
    CHECK_STR(err.msg, "conf: churn.reasons: must be a whole number");
    /* the environment comes after the file */
    setenv("ENCORE_CHURN_HORIZON", "30", 1);
    CHECK_INT(enc_score_config_env(&c, &err), ENC_OK);
    CHECK_NEAR(c.churn_horizon_days, 30, 0);
    setenv("ENCORE_CHURN_HORIZON", "soon", 1);
    CHECK_INT(enc_score_config_env(&c, &err), ENC_EUSAGE);
    unsetenv("ENCORE_CHURN_HORIZON");
    enc_score_config_free(&c);
    const char *bad[] = {
        "{\"rfm\": {\"kk\": 5}}",                           /* unknown key */
        "{\"churn\": []}",                                  /* a section not an object */
        "{\"cluster\": {\"seed\": -1}}",                    /* below the bound */
        "{\"clv\": {\"unit\": 7}}",                         /* not a word */
        "{\"churn\": {\"horizon_days\": \"90\"}}",          /* wrong type */
        "{\"rfm\": {\"recency_edges\": [30, 20, 40, 50]}}", /* not ascending */
        "{\"rfm\": {\"recency_edges\": [30, 90]}}",         /* k - 1 edges */
        "{\"lifecycle\": {\"dormant_overdue\": 9}}",        /* above churned */
        "{\"tags\": [{\"name\": \"x\", \"field\": \"clv\", \"op\": \"~\", \"value\": 1}]}",
        "{\"tags\": [{\"name\": \"x\", \"field\": \"nope\", \"op\": \">\", \"value\": 1}]}",
        "{\"tags\": [{\"name\": \"x\", \"field\": \"tags\", \"op\": \"=\", \"value\": \"a\"}]}",
        "{\"tags\": [{\"name\": \"x\", \"field\": \"lifecycle\", \"op\": \">\", \"value\": "
        "\"a\"}]}",
        "{\"tags\": [{\"name\": \"x\", \"field\": \"clv\", \"op\": \">\", \"value\": 1},"
        " {\"name\": \"x\", \"field\": \"clv\", \"op\": \"<\", \"value\": 1}]}", /* twice */
        "{\"tags\": [{\"field\": \"clv\", \"op\": \">\", \"value\": 1}]}",       /* no name */
        "[1, 2]",
        "{\"churn\": {\"horizon_days\": 90,}}", /* not JSON */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        enc_score_config_default(&c);
        enc_err_clear(&err);
        enc_rc rc = enc_score_config_json(&c, bad[i], strlen(bad[i]), "conf", &err);
        if (rc == ENC_OK) TH_FAIL("accepted: %s", bad[i]);
        if (strncmp(err.msg, "conf", 4) != 0) TH_FAIL("message without the source: %s", err.msg);
        enc_score_config_free(&c);
    }
}

int main(void)
{
    RUN(hand_made_store);
    RUN(cdnow_through_store);
    RUN(config_rules);
    return TEST_SUMMARY();
}
