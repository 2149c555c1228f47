/* test_recommend_eval.c — the time-split evaluation on shop 1 of test_recommend.c (same orders
 * before day 100, the split) with purchases after it, every metric worked out by hand: after the
 * split: T {C, A}, U {F, D}, c6 {D}, c1 {E}, and a new customer N {A}. held out: T {C} (A bought
 * before), U {F, D}, c1 {E}; c6 has none left (D bought before); N has no history. Evaluated: T, U,
 * c1; mean |H| = 4/3. Lists (test_recommend.c): personal T B,F,C,D  U A,F,D,C  c1 F,C,D popular  T
 * B,F,D,C  U A,F,D,C  c1 F,D,C rules    T B,F,D,C  U A,F,D,C  c1 F,D,C itemsim  T B,C,F,D  U
 * A,F,D,C  c1 F,C,D AP@10: T: 1 / rank of C; U: (1/2 + 2/3) / 2 = 7/12; c1: 0. */
#include "rec_store.h"
#include "recommend/eval.h"

static void shop(void)
{
    rs_open("eval");
    if (!rs_st) return;
    rs_product("A", "Electronics/Cameras", 50000, 2, 0, -1);
    rs_product("B", "Electronics/Lenses", 20000, 1, 0, -1);
    rs_product("C", "Electronics/Cameras", 80000, 3, 0, -1);
    rs_product("D", "Home/Coffee", 2000, 0, 0, -1);
    rs_product("E", "Electronics/Cameras", 120000, 4, 0, -1);
    rs_product("F", "Home/Mugs", 1000, 0, 0, -1);
    rs_product("G", "Electronics/Cameras", 60000, 3, 0, 0);
    const char *orders[][2] = {{"c1", "A B"}, {"c2", "A B F"}, {"c3", "A C F"}, {"c4", "B F G"},
                               {"c5", "A B"}, {"c6", "D"},     {"c7", "D"},     {"c8", "D F"},
                               {"T", "A"},    {"U", "B"}};
    int64_t id[10];
    for (size_t i = 0; i < 10; i++) {
        id[i] = rs_customer(orders[i][0]);
        rs_order(id[i], 10 + (double)i, orders[i][1]);
    }
    rs_event(id[8], 90, "view", "F", NULL);
    rs_order(id[8], 110, "C A");
    rs_order(id[9], 120, "F D");
    rs_order(id[5], 130, "D");
    rs_order(id[0], 105, "E");
    rs_order(rs_customer("N"), 105, "A");
}

static void split(void)
{
    shop();
    if (!rs_st) return;
    enc_snapshot *tr = rs_snapshot(100), *full = rs_snapshot(-1);
    if (!tr || !full) return;
    enc_rec_opts o;
    enc_rec_defaults(&o);
    o.sim.half_life_days = 0;
    o.rule_support = (enc_support){.is_count = true, .value = 2};
    enc_rec_model m = {0};
    CHECK_INT(enc_rec_model_build(tr, &o, &m, &rs_err), ENC_OK);
    const enc_rec_kind methods[] = {ENC_REC_PERSONAL, ENC_REC_POPULAR, ENC_REC_RULES,
                                    ENC_REC_ITEMSIM};
    enc_eval_result r;
    CHECK_INT(enc_eval_run(&m, full, 10, methods, 4, &r, &rs_err), ENC_OK);
    CHECK_INT(r.customers, 3);
    CHECK_INT(r.catalogue, 7);
    CHECK_NEAR(r.heldout_mean, 4.0 / 3, 1e-12);
    CHECK_INT(r.split, RS_DAY(100));
    CHECK_INT(r.end, INT64_MAX);
    const enc_eval_metrics *P = &r.m[ENC_REC_PERSONAL];
    CHECK_NEAR(P->hit_rate, 2.0 / 3, 1e-12);
    CHECK_INT(P->hits, 2);
    CHECK_NEAR(P->recall, 2.0 / 3, 1e-12);
    CHECK_NEAR(P->map, (1.0 / 3 + 7.0 / 12) / 3, 1e-12);
    CHECK_NEAR(P->coverage, 5.0 / 7, 1e-12); /* A, B, C, D, F */
    CHECK_INT(P->products, 5);
    const enc_eval_metrics *B = &r.m[ENC_REC_POPULAR];
    CHECK_NEAR(B->hit_rate, 2.0 / 3, 1e-12);
    CHECK_NEAR(B->map, (1.0 / 4 + 7.0 / 12) / 3, 1e-12);
    CHECK_NEAR(r.m[ENC_REC_RULES].map, (1.0 / 4 + 7.0 / 12) / 3, 1e-12);
    CHECK_NEAR(r.m[ENC_REC_ITEMSIM].map, (1.0 / 2 + 7.0 / 12) / 3, 1e-12);
    CHECK(r.done[ENC_REC_ITEMSIM] && !r.done[ENC_REC_CART]);
    CHECK(r.wall.mean > 0 && r.wall.p99 >= r.wall.p50 && r.wall.max >= r.wall.p99);
    CHECK(r.cpu.mean > 0 && r.cpu.max >= r.cpu.p99);
    double v[] = {5, 1, 4, 2, 3};
    enc_latency L;
    enc_latency_summary(v, 5, &L);
    CHECK_NEAR(L.mean, 3, 0);
    CHECK_NEAR(L.p50, 3, 0);
    CHECK_NEAR(L.p99, 5, 0);
    CHECK_NEAR(L.max, 5, 0);

    /* K = 2: personal T B,F (miss), U A,F (F at 2: AP = (1/2) / min(2, 2)), c1 F,C (miss) */
    CHECK_INT(enc_eval_run(&m, full, 2, methods, 1, &r, &rs_err), ENC_OK);
    CHECK_NEAR(r.m[ENC_REC_PERSONAL].hit_rate, 1.0 / 3, 1e-12);
    CHECK_NEAR(r.m[ENC_REC_PERSONAL].recall, 0.5 / 3, 1e-12);
    CHECK_NEAR(r.m[ENC_REC_PERSONAL].map, 0.25 / 3, 1e-12);
    CHECK(!r.done[ENC_REC_POPULAR]);
    /* K = 1: T B, U A, c1 F: no hit */
    CHECK_INT(enc_eval_run(&m, full, 1, methods, 4, &r, &rs_err), ENC_OK);
    CHECK_NEAR(r.m[ENC_REC_PERSONAL].hit_rate, 0, 0);
    CHECK_INT(r.m[ENC_REC_POPULAR].products, 3); /* B, A, F */

    /* a held-out window that ends on day 115 keeps only T's and c1's purchases */
    enc_snapshot *mid = rs_snapshot(115);
    CHECK_INT(enc_eval_run(&m, mid, 10, methods, 1, &r, &rs_err), ENC_OK);
    CHECK_INT(r.customers, 2);
    CHECK_NEAR(r.m[ENC_REC_PERSONAL].hit_rate, 0.5, 1e-12);
    enc_snapshot_free(mid);

    CHECK_INT(enc_eval_run(&m, full, 0, methods, 1, &r, &rs_err), ENC_EUSAGE);
    enc_rec_model_free(&m);
    enc_snapshot_free(full);
    enc_snapshot_free(tr);
    enc_store_close(rs_st);

    /* a snapshot of another store (other products) is refused */
    rs_open("other");
    rs_product("Q", NULL, 100, 0, 0, -1);
    enc_snapshot *other = rs_snapshot(-1);
    enc_store_close(rs_st);
    shop();
    tr = rs_snapshot(100);
    CHECK_INT(enc_rec_model_build(tr, &o, &m, &rs_err), ENC_OK);
    CHECK_INT(enc_eval_run(&m, other, 10, methods, 1, &r, &rs_err), ENC_EUSAGE);
    enc_rec_model_free(&m);
    enc_snapshot_free(tr);
    enc_snapshot_free(other);
    enc_store_close(rs_st);
}

int main(void)
{
    RUN(split);
    return TEST_SUMMARY();
}
