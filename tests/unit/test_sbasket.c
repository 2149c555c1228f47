/* test_sbasket.c — baskets from a snapshot: one basket an order (sale lines only, repeats once),
 * one a session of interest events (session id, else the UTC day), category level; item k is
 * snapshot product (or category) k. */
#include "rec_store.h"
#include "recommend/sbasket.h"

/* the basket's labels joined by ',' in item order */
static void basket_text(const enc_basket_set *set, int32_t b, char *out, size_t cap)
{
    enc_basket_view v = enc_basket_get_view(set);
    size_t n = 0;
    out[0] = 0;
    for (int64_t k = v.off[b]; k < v.off[b + 1]; k++) {
        size_t len;
        const char *l = enc_basket_label(set, v.items[k], &len);
        n += (size_t)snprintf(out + n, cap - n, "%s%s", k > v.off[b] ? "," : "", l);
    }
}

static void orders_and_sessions(void)
{
    rs_open("sbasket");
    if (!rs_st) return;
    rs_product("A", "Cam/Body", 100, 0, 0, -1);
    rs_product("B", "Cam/Lens", 100, 0, 0, -1);
    rs_product("C", "Home", 100, 0, 0, -1);
    rs_product("D", NULL, 100, 0, 0, -1);
    int64_t x = rs_customer("X"), y = rs_customer("Y");
    rs_order(x, 1, "B A B"); /* repeat counted once */
    rs_order(x, 2, "D");
    rs_order(y, 1.5, "C A");
    /* X: session S1 views A then B (and a search, not an interest event); two events without a
       session on day 3 and one on day 4; Y: a favourite and a cart_add in S2 */
    rs_event(x, 1.1, "view", "A", "S1");
    rs_event(x, 1.2, "search", "C", "S1");
    rs_event(x, 1.3, "view", "B", "S1");
    rs_event(x, 3.1, "click", "C", NULL);
    rs_event(x, 3.2, "view", "A", NULL);
    rs_event(x, 4.5, "view", "D", NULL);
    rs_event(y, 2.0, "favorite", "B", "S2");
    rs_event(y, 2.1, "cart_add", "C", "S2");
    enc_snapshot *s = rs_snapshot(-1);
    if (!s) return;
    char t[256];

    enc_basket_set *set = NULL;
    CHECK_INT(enc_sbasket_build(s, ENC_SB_ORDERS, ENC_SB_PRODUCT, &set, &rs_err), ENC_OK);
    CHECK_INT(enc_basket_item_count(set), 4); /* the catalogue, in snapshot order */
    for (int32_t i = 0; i < 4; i++) {
        size_t len;
        CHECK_STR(enc_basket_label(set, i, &len), s->prod_sku[i]);
    }
    CHECK_INT(enc_basket_count(set), 3); /* orders by customer then time: X1, X2, Y */
    basket_text(set, 0, t, sizeof t);
    CHECK_STR(t, "A,B");
    basket_text(set, 1, t, sizeof t);
    CHECK_STR(t, "D");
    basket_text(set, 2, t, sizeof t);
    CHECK_STR(t, "A,C");
    enc_basket_free(set);

    /* categories: D has none, so X's second order is no basket */
    CHECK_INT(enc_sbasket_build(s, ENC_SB_ORDERS, ENC_SB_CATEGORY, &set, &rs_err), ENC_OK);
    CHECK_INT(enc_basket_count(set), 2);
    basket_text(set, 0, t, sizeof t);
    CHECK_STR(t, "Cam/Body,Cam/Lens");
    basket_text(set, 1, t, sizeof t);
    CHECK_STR(t, "Cam/Body,Home");
    enc_basket_free(set);

    /* sessions: X {A,B} (S1), {A,C} (day 3), {D} (day 4); Y {B,C} (S2) — 4 baskets; sessions
       sort by key, so compare as a set of texts */
    CHECK_INT(enc_sbasket_build(s, ENC_SB_SESSIONS, ENC_SB_PRODUCT, &set, &rs_err), ENC_OK);
    CHECK_INT(enc_basket_count(set), 4);
    int found = 0;
    for (int32_t b = 0; b < enc_basket_count(set); b++) {
        basket_text(set, b, t, sizeof t);
        found |= !strcmp(t, "A,B") ? 1 : !strcmp(t, "A,C") ? 2 : !strcmp(t, "D") ? 4 : 0;
        if (b == 3) CHECK_STR(t, "B,C"); /* Y comes after X */
    }
    CHECK_INT(found, 7);
    enc_basket_free(set);

    enc_sb_source src;
    enc_sb_level lvl;
    CHECK(enc_sb_source_parse("sessions", &src) && src == ENC_SB_SESSIONS);
    CHECK(!enc_sb_source_parse("carts", &src));
    CHECK(enc_sb_level_parse("category", &lvl) && lvl == ENC_SB_CATEGORY);
    CHECK(!enc_sb_level_parse("brand", &lvl));
    enc_snapshot_free(s);
    enc_store_close(rs_st);
}

int main(void)
{
    RUN(orders_and_sessions);
    return TEST_SUMMARY();
}
