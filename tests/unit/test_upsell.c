/* test_upsell.c — up-sell alternatives on a hand-made camera shelf: a higher tier within the price
 * step, well bought, in stock, same leaf category; tier skips halve the score; unknown tiers fall
 * back to the minimum price step; and `--kind up` for a customer who bought one product and viewed
 * another ("better than A you viewed"). */
#include "rec_store.h"
#include "recommend/recommend.h"
#include "recommend/upsell.h"

static const char *CAM = "Electronics/Cameras";

static void shelf(void)
{
    rs_open("upsell");
    if (!rs_st) return;
    rs_product("A", CAM, 50000, 2, 0, -1);
    rs_product("C", CAM, 80000, 3, 0, -1);
    rs_product("E", CAM, 120000, 4, 0, -1);
    rs_product("G", CAM, 60000, 3, 0, 0); /* out of stock */
    rs_product("H", CAM, 90000, 3, 0, -1);
    rs_product("J", CAM, 55000, 0, 0, -1); /* tier unknown */
    rs_product("K", CAM, 52000, 0, 0, -1); /* tier unknown */
    rs_product("Z", CAM, 40000, 1, 0, -1);
    rs_product("L", "Electronics/Lenses", 70000, 3, 0, -1);
    /* buyers: A 1, C 3, E 2, G 5, H 2, J 2, K 2, L 3, Z 1 (W) */
    int64_t b[5];
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "b%d", i + 1);
        b[i] = rs_customer(id);
    }
    rs_order(b[0], 1, "C G L A");
    rs_order(b[1], 1, "C G L H E");
    rs_order(b[2], 1, "C G L H E");
    rs_order(b[3], 1, "G J K");
    rs_order(b[4], 1, "G J K");
    int64_t w = rs_customer("W");
    rs_order(w, 50, "Z");
    rs_event(w, 90, "view", "A", NULL);
}

/* the alternatives of sku as "X,Y,..." */
static void alts(const enc_snapshot *s, const enc_upsell *u, const char *sku, char *out, size_t cap)
{
    int32_t p = rs_prod(s, sku);
    size_t n = 0;
    out[0] = 0;
    for (int64_t k = u->off[p]; k < u->off[p + 1]; k++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", k > u->off[p] ? "," : "",
                              s->prod_sku[u->item[k]]);
}

static void alternatives(void)
{
    shelf();
    if (!rs_st) return;
    enc_snapshot *s = rs_snapshot(100);
    if (!s) return;
    enc_rec_opts o;
    enc_rec_defaults(&o);
    o.sim.half_life_days = 0;
    o.up.min_buyers = 2;
    enc_rec_model m = {0};
    CHECK_INT(enc_rec_model_build(s, &o, &m, &rs_err), ENC_OK);
    CHECK_INT(m.buyers[rs_prod(s, "G")], 5);
    CHECK_INT(m.buyers[rs_prod(s, "C")], 3);
    char t[128];
    /* A (500, tier 2): C (tier 3, 3 buyers), then J and H (2 buyers each; J is cheaper); J has
       no tier but is 1.1x the price; K is not (1.04x); E is 2.4x; G is out of stock; L is
       another category */
    alts(s, &m.up, "A", t, sizeof t);
    CHECK_STR(t, "C,J,H");
    CHECK_NEAR(m.up.score[m.up.off[rs_prod(s, "A")]], 3, 0);
    /* Z (400, tier 1): J and K (2 each, K cheaper first), C two tiers up (3 * 0.5); A has one
       buyer; H is 2.25x */
    alts(s, &m.up, "Z", t, sizeof t);
    CHECK_STR(t, "K,J,C");
    CHECK_NEAR(m.up.score[m.up.off[rs_prod(s, "Z")] + 2], 1.5, 0);
    /* C (800, tier 3): E only (H is the same tier) */
    alts(s, &m.up, "C", t, sizeof t);
    CHECK_STR(t, "E");
    alts(s, &m.up, "E", t, sizeof t);
    CHECK_STR(t, "");
    /* J (550, no tier): by price from 605 to 1100: C, H (G out of stock) */
    alts(s, &m.up, "J", t, sizeof t);
    CHECK_STR(t, "C,H");
    alts(s, &m.up, "L", t, sizeof t);
    CHECK_STR(t, "");

    /* the module alone: top 2, no block list (G comes back), every buyer count 2 */
    int32_t buyers[16];
    for (size_t p = 0; p < s->nprod; p++) buyers[p] = 2;
    enc_upsell u = {0};
    enc_upsell_opts uo;
    enc_upsell_defaults(&uo);
    uo.top_m = 2;
    uo.min_buyers = 2;
    CHECK_INT(enc_upsell_build(s, buyers, NULL, &uo, &u, &rs_err), ENC_OK);
    alts(s, &u, "A", t, sizeof t);
    CHECK_STR(t, "J,G"); /* all 2 buyers, tier step 1: by price */
    uo.max_step = 0;     /* no cap: E becomes an alternative of C and of A (two tiers, 1.0) */
    uo.top_m = 10;
    CHECK_INT(enc_upsell_build(s, buyers, NULL, &uo, &u, &rs_err), ENC_OK);
    alts(s, &u, "A", t, sizeof t);
    CHECK_STR(t, "J,G,C,H,E");
    enc_upsell_free(&u);

    /* W bought Z and viewed A: up-sell picks the best single reason per product:
       J and K 0.4 (from Z: 1 * 2 / 5), C 0.3 (Z: 1 * 1.5 / 5 beats A: 0.3 * 3 / 5),
       H 0.12 (A: 0.3 * 2 / 5); J and K tie on score and buyers, J has the lower id */
    enc_rec_ws *ws = enc_rec_ws_new(&m);
    enc_rec_item it[10];
    ptrdiff_t wc = rs_cust(s, "W");
    size_t n = enc_rec_recommend(&m, ENC_REC_UP, (size_t)wc, ws, 10, it);
    CHECK_INT(n, 4);
    const char *want[] = {"J", "K", "C", "H"};
    const double score[] = {0.4, 0.4, 0.3, 0.12};
    for (size_t i = 0; i < n && i < 4; i++) {
        CHECK_STR(s->prod_sku[it[i].prod], want[i]);
        CHECK_NEAR(it[i].score, score[i], 1e-6);
        CHECK_INT(it[i].reason, ENC_RSN_BETTER);
    }
    char why[128];
    enc_rec_reason_text(&m, &it[0], why, sizeof why);
    CHECK_STR(why, "better than Z you bought");
    enc_rec_reason_text(&m, &it[3], why, sizeof why);
    CHECK_STR(why, "better than A you viewed");
    /* at most one camera with a per-category cap of 1 */
    m.o.per_top = 1;
    n = enc_rec_recommend(&m, ENC_REC_UP, (size_t)wc, ws, 10, it);
    CHECK_INT(n, 1);
    CHECK_STR(s->prod_sku[it[0].prod], "J");
    enc_rec_ws_free(ws);
    enc_rec_model_free(&m);
    enc_snapshot_free(s);
    enc_store_close(rs_st);
}

int main(void)
{
    RUN(alternatives);
    return TEST_SUMMARY();
}
