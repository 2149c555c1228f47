/* test_recommend.c — every kind of recommendation and every filter on hand-made shops, with the
 * expected lists and scores worked out by hand (no time decay, purchase weight 1, view 0.3):
 *
 * Shop 1 (personal, baselines, cross-sell, diversity, reasons). Orders: c1 {A,B}, c2 {A,B,F},
 * c3 {A,C,F}, c4 {B,F,G}, c5 {A,B}, c6 {D}, c7 {D}, c8 {D,F}, T {A} and T viewed F, U {B};
 * G is out of stock; A, B, C, E, G are Electronics, D and F Home.
 *   Column norms^2: A 5, B 5, C 1, D 3, F 4 + 0.3^2 = 4.09, G 1.
 *   Cosines: AB 3/5 = 0.6, AF 2.3/sqrt(5*4.09), AC 1/sqrt(5), BF 2/sqrt(5*4.09), BG 1/sqrt(5),
 *   CF 1/sqrt(4.09), FG 1/sqrt(4.09), DF 1/sqrt(3*4.09).
 *   Rules (10 order baskets, support count 2, lift >= 1): A->B 0.6, B->A 0.6, A->F 0.4,
 *   F->A 0.5, B->F 0.4, F->B 0.5 (lifts 1.2, 1.2, 1.0, 1.0, 1.0, 1.0).
 *   Buyers: A 5, B 5, F 4, D 3, C 1, G 1 (blocked).
 * Shop 3 (abandoned cart, replenishment, business filters): below. */
#include "rec_store.h"
#include "recommend/recommend.h"
#include <math.h>

static enc_rec_opts hand_opts(void)
{
    enc_rec_opts o;
    enc_rec_defaults(&o);
    o.sim.half_life_days = 0;
    o.rule_support = (enc_support){.is_count = true, .value = 2};
    o.up.min_buyers = 1;
    return o;
}

static void shop1(void)
{
    rs_open("shop1");
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
    for (size_t i = 0; i < sizeof orders / sizeof *orders; i++)
        rs_order(rs_customer(orders[i][0]), 10 + (double)i, orders[i][1]);
    rs_event(9, 90, "view", "F", NULL); /* customer 9 is T */
}

/* the list as "X,Y,..." */
static void skus(const enc_snapshot *s, const enc_rec_item *it, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? "," : "", s->prod_sku[it[i].prod]);
}

static size_t rec(const enc_rec_model *m, enc_rec_ws *w, enc_rec_kind kind, const char *cust,
                  enc_rec_item *it, size_t n, char *out, size_t cap)
{
    ptrdiff_t c = rs_cust(m->s, cust);
    if (c < 0) {
        TH_FAIL("no customer %s", cust);
        return 0;
    }
    size_t k = enc_rec_recommend(m, kind, (size_t)c, w, n, it);
    skus(m->s, it, k, out, cap);
    return k;
}

/* the neighbours of a product as the hand computation gives them */
static void neighbours(void)
{
    shop1();
    if (!rs_st) return;
    enc_snapshot *s = rs_snapshot(100);
    if (!s) return;
    enc_rec_opts o = hand_opts();
    enc_rec_model m = {0};
    CHECK_INT(enc_rec_model_build(s, &o, &m, &rs_err), ENC_OK);
    int32_t A = rs_prod(s, "A"), F = rs_prod(s, "F");
    const double f = sqrt(4.09);
    /* A: B 0.6, F 2.3/sqrt(5*4.09), C 1/sqrt(5) */
    CHECK_INT(m.sim.nb_off[A + 1] - m.sim.nb_off[A], 3);
    int64_t e = m.sim.nb_off[A];
    CHECK_STR(s->prod_sku[m.sim.nb_item[e]], "B");
    CHECK_NEAR(m.sim.nb_sim[e], 0.6, 1e-6);
    CHECK_STR(s->prod_sku[m.sim.nb_item[e + 1]], "F");
    CHECK_NEAR(m.sim.nb_sim[e + 1], 2.3 / (sqrt(5) * f), 1e-6);
    CHECK_STR(s->prod_sku[m.sim.nb_item[e + 2]], "C");
    CHECK_NEAR(m.sim.nb_sim[e + 2], 1 / sqrt(5), 1e-6);
    /* F: A, then C and G tied at 1/sqrt(4.09) (C has the lower id), B, D */
    const char *fw[] = {"A", "C", "G", "B", "D"};
    const double fs[] = {2.3 / (sqrt(5) * f), 1 / f, 1 / f, 2 / (sqrt(5) * f), 1 / (sqrt(3) * f)};
    CHECK_INT(m.sim.nb_off[F + 1] - m.sim.nb_off[F], 5);
    for (int i = 0; i < 5; i++) {
        CHECK_STR(s->prod_sku[m.sim.nb_item[m.sim.nb_off[F] + i]], fw[i]);
        CHECK_NEAR(m.sim.nb_sim[m.sim.nb_off[F] + i], fs[i], 1e-6);
    }
    /* rules: six, A's first: A->B 0.6 then A->F 0.4 */
    CHECK_INT(m.n_rules, 6);
    CHECK_INT(m.ru_off[A + 1] - m.ru_off[A], 2);
    CHECK_STR(s->prod_sku[m.ru_then[m.ru_off[A]]], "B");
    CHECK_NEAR(m.ru_conf[m.ru_off[A]], 0.6, 1e-6);
    CHECK_NEAR(m.ru_lift[m.ru_off[A]], 1.2, 1e-6);
    CHECK_NEAR(m.ru_conf[m.ru_off[A] + 1], 0.4, 1e-6);
    CHECK_INT(m.buyers[A], 5);
    CHECK_INT(m.n_blocked, 1);
    enc_rec_model_free(&m);
    enc_snapshot_free(s);
    enc_store_close(rs_st);
}

static void personal_and_baselines(void)
{
    shop1();
    if (!rs_st) return;
    enc_snapshot *s = rs_snapshot(100);
    if (!s) return;
    enc_rec_opts o = hand_opts();
    enc_rec_model m = {0};
    CHECK_INT(enc_rec_model_build(s, &o, &m, &rs_err), ENC_OK);
    enc_rec_ws *w = enc_rec_ws_new(&m);
    enc_rec_item it[10];
    char t[128], why[128];
    const double f = sqrt(4.09);
    const double AB = 0.6, AF = 2.3 / (sqrt(5) * f), AC = 1 / sqrt(5), FB = 2 / (sqrt(5) * f),
                 FC = 1 / f, FD = 1 / (sqrt(3) * f);

    /* T bought A (r = 1) and viewed F (r = 0.3). Neighbour sums: B = AB + 0.3 FB (the largest),
       F = AF, C = AC + 0.3 FC, D = 0.3 FD; G is out of stock, A was bought. Rules from A: B 0.6,
       F 0.4. Score = sum / largest sum + 0.5 * confidence. The rest: popular, D and C already in.
     */
    double maxs = AB + 0.3 * FB;
    size_t n = rec(&m, w, ENC_REC_PERSONAL, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "B,F,C,D");
    const double ps[] = {1 + 0.5 * 0.6, AF / maxs + 0.5 * 0.4, (AC + 0.3 * FC) / maxs,
                         0.3 * FD / maxs};
    for (size_t i = 0; i < n && i < 4; i++) CHECK_NEAR(it[i].score, ps[i], 1e-5);
    enc_rec_reason_text(&m, &it[0], why, sizeof why);
    CHECK_STR(why, "because you bought A"); /* B's largest part: A's neighbour 0.6 */
    CHECK_INT(it[0].reason, ENC_RSN_SIMILAR);
    enc_rec_reason_text(&m, &it[3], why, sizeof why);
    CHECK_STR(why, "because you viewed F");

    /* item-to-item only: the sums alone, normalised; then popular (none left) */
    n = rec(&m, w, ENC_REC_ITEMSIM, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "B,C,F,D");
    CHECK_NEAR(it[1].score, (AC + 0.3 * FC) / maxs, 1e-5);
    /* rules only: B 0.6, F 0.4, then popular D (3 buyers) and C (1) scored below:
       half the last score times the share of the top buyer count (5) */
    n = rec(&m, w, ENC_REC_RULES, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "B,F,D,C");
    CHECK_NEAR(it[0].score, 0.6, 1e-6);
    CHECK_NEAR(it[2].score, 0.2 * 3 / 5, 1e-6);
    CHECK_NEAR(it[3].score, 0.2 * 1 / 5, 1e-6);
    CHECK_INT(it[2].reason, ENC_RSN_POPULAR);
    CHECK_INT(it[2].anchor, -1);
    /* popularity: most buyers first, minus what T bought (A) and what is out of stock (G) */
    n = rec(&m, w, ENC_REC_POPULAR, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "B,F,D,C");
    CHECK_NEAR(it[0].score, 1, 1e-6);
    CHECK_NEAR(it[1].score, 0.8, 1e-6);
    enc_rec_reason_text(&m, &it[0], why, sizeof why);
    CHECK_STR(why, "popular");

    /* U bought B: sums A 0.6, F FB (G out of stock); rules B->A 0.6, B->F 0.4 */
    n = rec(&m, w, ENC_REC_PERSONAL, "U", it, 10, t, sizeof t);
    CHECK_STR(t, "A,F,D,C");
    CHECK_NEAR(it[0].score, 1 + 0.3, 1e-5);
    CHECK_NEAR(it[1].score, FB / 0.6 + 0.2, 1e-5);
    /* fewer asked for */
    n = rec(&m, w, ENC_REC_PERSONAL, "U", it, 1, t, sizeof t);
    CHECK_STR(t, "A");
    /* the same call twice gives the same list (the workspace is left clean) */
    n = rec(&m, w, ENC_REC_PERSONAL, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "B,F,C,D");

    /* diversity: at most one product of each top category (Electronics, Home) */
    m.o.per_top = 1;
    n = rec(&m, w, ENC_REC_PERSONAL, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "B,F");
    m.o.per_top = 2;
    n = rec(&m, w, ENC_REC_PERSONAL, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "B,F,C,D");
    m.o.per_top = 5;

    /* cross-sell for T's last order {A}: rules A->B 0.6 and A->F 0.4 plus half the neighbour
       similarity; C is another camera (a substitute, left out) */
    n = rec(&m, w, ENC_REC_CROSS, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "B,F");
    CHECK_NEAR(it[0].score, 0.6 + 0.5 * AB, 1e-6);
    CHECK_NEAR(it[1].score, 0.4 + 0.5 * AF, 1e-6);
    enc_rec_reason_text(&m, &it[0], why, sizeof why);
    CHECK_STR(why, "bought with A");
    /* c4's last order {B,F,G}: its leaf categories (Lenses, Mugs, Cameras) leave D (coffee), a
       neighbour of F with no rule: half the similarity */
    n = rec(&m, w, ENC_REC_CROSS, "c4", it, 10, t, sizeof t);
    CHECK_STR(t, "D");
    CHECK_NEAR(it[0].score, 0.5 * FD, 1e-6);
    /* no abandoned cart, no cart complements; E never bought: up-sell of A is C */
    n = rec(&m, w, ENC_REC_CART, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "");
    n = rec(&m, w, ENC_REC_UP, "T", it, 10, t, sizeof t);
    CHECK_STR(t, "C");
    CHECK_NEAR(it[0].score, 1.0 * 1 / 5, 1e-6); /* r(T,A) * buyers(C) / most buyers */
    enc_rec_ws_free(w);
    enc_rec_model_free(&m);
    enc_snapshot_free(s);
    enc_store_close(rs_st);
}

/* Shop 3. Orders: k1 {E,F}, k2 {E,F}, k3 {C,D}, k4 {C,D,X}, k5 {A,B}, R {D} on day 10,
 * S {D} on day 95; D is coffee, replenished every 30 days; X is out of stock. V carted A on day
 * 10, E on 80, F on 81 (removed on 82), B on 83 (bought on 85), C on 84. Now is day 100.
 *   V's abandoned cart: C (84), E (80); A is more than 30 days older than E, F was removed, B
 *   was bought. Rules: E->F 1.0, C->D 1.0, D->C 0.5, ... Cosines: EF = 2.36 / 2.36 = 1,
 *   CD = 2 / (sqrt(2.36) * 2), DX = 1 / 2. */
static void shop3(void)
{
    rs_open("shop3");
    if (!rs_st) return;
    rs_product("A", "Electronics/Cameras", 50000, 2, 0, -1);
    rs_product("B", "Electronics/Lenses", 20000, 1, 0, -1);
    rs_product("C", "Electronics/Bags", 5000, 0, 0, -1);
    rs_product("D", "Home/Coffee", 2000, 0, 30, -1);
    rs_product("E", "Electronics/Cameras", 120000, 4, 0, -1);
    rs_product("F", "Home/Mugs", 1000, 0, 0, -1);
    rs_product("X", "Toys/Blocks", 1500, 0, 0, 0);
    rs_order(rs_customer("k1"), 1, "E F");
    rs_order(rs_customer("k2"), 2, "E F");
    rs_order(rs_customer("k3"), 3, "C D");
    rs_order(rs_customer("k4"), 4, "C D X");
    rs_order(rs_customer("k5"), 5, "A B");
    int64_t v = rs_customer("V");
    rs_event(v, 10, "cart_add", "A", NULL);
    rs_event(v, 80, "cart_add", "E", NULL);
    rs_event(v, 81, "cart_add", "F", NULL);
    rs_event(v, 82, "cart_remove", "F", NULL);
    rs_event(v, 83, "cart_add", "B", NULL);
    rs_event(v, 84, "cart_add", "C", NULL);
    rs_order(v, 85, "B");
    rs_order(rs_customer("R"), 10, "D");
    rs_order(rs_customer("S"), 95, "D");
}

static void cart_and_restock(void)
{
    shop3();
    if (!rs_st) return;
    enc_snapshot *s = rs_snapshot(100);
    if (!s) return;
    enc_rec_opts o = hand_opts();
    enc_rec_model m = {0};
    CHECK_INT(enc_rec_model_build(s, &o, &m, &rs_err), ENC_OK);
    enc_rec_ws *w = enc_rec_ws_new(&m);
    enc_rec_item it[10];
    char t[128], why[128];
    int32_t cart[8];
    size_t n = enc_rec_abandoned_cart(&m, (size_t)rs_cust(s, "V"), w, cart, 8);
    CHECK_INT(n, 2);
    CHECK_STR(s->prod_sku[cart[0]], "C");
    CHECK_STR(s->prod_sku[cart[1]], "E");
    CHECK_INT(enc_rec_abandoned_cart(&m, (size_t)rs_cust(s, "V"), w, cart, 1), 2); /* all counted */
    CHECK_INT(enc_rec_abandoned_cart(&m, (size_t)rs_cust(s, "k1"), w, cart, 8), 0);

    /* cart complements: F = rule E->F 1 + 0.5 * EF (1); D = rule C->D 1 + 0.5 * CD. A and E are
       cameras like E, C a bag like C: substitutes; B was bought; X is out of stock */
    n = rec(&m, w, ENC_REC_CART, "V", it, 10, t, sizeof t);
    CHECK_STR(t, "F,D");
    CHECK_NEAR(it[0].score, 1.5, 1e-5);
    CHECK_NEAR(it[1].score, 1 + 0.5 * 2 / (sqrt(2.36) * 2), 1e-5);
    enc_rec_reason_text(&m, &it[0], why, sizeof why);
    CHECK_STR(why, "goes with E in your cart");
    enc_rec_reason_text(&m, &it[1], why, sizeof why);
    CHECK_STR(why, "goes with C in your cart");

    /* R bought coffee 90 days ago (cycle 30, due after 24): it comes back, first (similarity 1
       with itself, r = 1, the largest sum), then C (CD + 0.5 * rule D->C 0.5), then popular:
       B, E, F (2 buyers each, by id), A (1) */
    n = rec(&m, w, ENC_REC_PERSONAL, "R", it, 10, t, sizeof t);
    CHECK_STR(t, "D,C,B,E,F,A");
    CHECK_NEAR(it[0].score, 1, 1e-6);
    CHECK_NEAR(it[1].score, 2 / (sqrt(2.36) * 2) + 0.25, 1e-5);
    enc_rec_reason_text(&m, &it[0], why, sizeof why);
    CHECK_STR(why, "time to restock D");
    /* S bought it 5 days ago: not due, so not offered (not even as popular) */
    n = rec(&m, w, ENC_REC_PERSONAL, "S", it, 10, t, sizeof t);
    CHECK_STR(t, "C,B,E,F,A");
    /* popularity offers the due coffee to R but not to S */
    n = rec(&m, w, ENC_REC_POPULAR, "R", it, 10, t, sizeof t);
    CHECK_STR(t, "D,B,C,E,F,A");
    n = rec(&m, w, ENC_REC_POPULAR, "S", it, 10, t, sizeof t);
    CHECK_STR(t, "B,C,E,F,A");
    enc_rec_ws_free(w);
    enc_rec_model_free(&m);
    enc_snapshot_free(s);
    enc_store_close(rs_st);
}

/* every list of every kind for every customer obeys the filters */
static void check_invariants(const enc_rec_model *m, enc_rec_ws *w)
{
    const enc_snapshot *s = m->s;
    enc_rec_item it[20];
    size_t bad = 0, lists = 0;
    for (size_t c = 0; c < s->ncust; c++)
        for (int k = 0; k < ENC_REC_NKINDS; k++) {
            size_t n = enc_rec_recommend(m, (enc_rec_kind)k, c, w, 20, it);
            lists += n > 0;
            int per[64] = {0};
            for (size_t i = 0; i < n; i++) {
                int32_t p = it[i].prod;
                if (m->blocked[p]) bad++;
                for (size_t j = 0; j < i; j++) bad += it[j].prod == p;
                if (i && it[i].score > it[i - 1].score) bad++;
                int32_t top = s->prod_top[p];
                if (top >= 0 && m->o.per_top > 0 && ++per[top] > m->o.per_top) bad++;
                /* bought before: only a due replenishable */
                for (int64_t e = m->sim.prof_off[c]; e < m->sim.prof_off[c + 1]; e++)
                    if (m->sim.prof_item[e] == p && (m->sim.prof_how[e] & ENC_HOW_BOUGHT) &&
                        !(s->prod_replenish[p] > 0 &&
                          (double)(m->sim.now - m->sim.prof_bought[e]) >= 0.8 * 30 * 86400))
                        bad++;
            }
        }
    CHECK_INT(bad, 0);
    CHECK(lists > 0);
}

static void filters(void)
{
    shop3();
    if (!rs_st) return;
    enc_snapshot *s = rs_snapshot(100);
    if (!s) return;
    enc_rec_opts o = hand_opts();
    enc_rec_model m = {0};
    CHECK_INT(enc_rec_model_build(s, &o, &m, &rs_err), ENC_OK);
    enc_rec_ws *w = enc_rec_ws_new(&m);
    enc_rec_item it[10];
    char t[128];
    CHECK_INT(m.blocked[rs_prod(s, "X")], 1);
    CHECK_INT(m.n_blocked, 1);
    check_invariants(&m, w);
    m.o.per_top = 1;
    check_invariants(&m, w);
    enc_rec_ws_free(w);
    enc_rec_model_free(&m);

    /* exclude F by sku and Home (D, F) by category: V's cart has nothing left to offer */
    const char *xs[] = {"F"}, *xc[] = {"Home"};
    o.exclude_sku = xs;
    o.n_exclude_sku = 1;
    o.exclude_category = xc;
    o.n_exclude_category = 1;
    CHECK_INT(enc_rec_model_build(s, &o, &m, &rs_err), ENC_OK);
    w = enc_rec_ws_new(&m);
    CHECK_INT(m.n_blocked, 3); /* D, F, X */
    size_t n = rec(&m, w, ENC_REC_CART, "V", it, 10, t, sizeof t);
    CHECK_INT(n, 0);
    n = rec(&m, w, ENC_REC_PERSONAL, "R", it, 10, t, sizeof t);
    CHECK_STR(t, "C,B,E,A");
    check_invariants(&m, w);
    enc_rec_ws_free(w);
    enc_rec_model_free(&m);

    /* a category is matched by whole path levels: "Electronics/Cam" is no prefix of
       "Electronics/Cameras"; "Electronics" holds A, B, C, E; out-of-stock X comes back */
    const char *xc2[] = {"Electronics/Cam"};
    o.n_exclude_sku = 0;
    o.exclude_category = xc2;
    CHECK_INT(enc_rec_model_build(s, &o, &m, &rs_err), ENC_OK);
    CHECK_INT(m.n_blocked, 1);
    enc_rec_model_free(&m);
    const char *xc3[] = {"Electronics/"};
    o.exclude_category = xc3;
    o.include_out_of_stock = true;
    CHECK_INT(enc_rec_model_build(s, &o, &m, &rs_err), ENC_OK);
    CHECK_INT(m.n_blocked, 4);
    CHECK_INT(m.blocked[rs_prod(s, "X")], 0);
    CHECK_INT(m.blocked[rs_prod(s, "C")], 1);
    w = enc_rec_ws_new(&m);
    check_invariants(&m, w);
    enc_rec_ws_free(w);
    enc_rec_model_free(&m);
    enc_snapshot_free(s);
    enc_store_close(rs_st);
}

static void names(void)
{
    enc_rec_kind k;
    CHECK(enc_rec_kind_parse("cart", &k) && k == ENC_REC_CART);
    CHECK(enc_rec_kind_parse("itemsim", &k) && k == ENC_REC_ITEMSIM);
    CHECK(!enc_rec_kind_parse("random", &k));
    CHECK_STR(enc_rec_kind_name(ENC_REC_UP), "up");
    CHECK_STR(enc_rec_reason_name(ENC_RSN_BOUGHT_WITH), "bought_with");
}

int main(void)
{
    RUN(neighbours);
    RUN(personal_and_baselines);
    RUN(cart_and_restock);
    RUN(filters);
    RUN(names);
    return TEST_SUMMARY();
}
