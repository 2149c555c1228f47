/* test_itemsim.c — item-to-item similarity: profile weights from a hand-made store (type weights,
 * half-life decay, the max of a product's interactions, what was done, last purchase), and the
 * neighbour kernel against a plain O(n^2) cosine over every pair of products on random profiles
 * (continuous and 0/1 weights, so ties are broken the documented way), on one and two threads. */
#include "rec_store.h"
#include "recommend/itemsim.h"
#include <math.h>

static void profile_weights(void)
{
    rs_open("profile");
    if (!rs_st) return;
    for (int i = 1; i <= 5; i++) {
        char sku[16];
        snprintf(sku, sizeof sku, "P%d", i);
        rs_product(sku, "Cat", 100, 0, 0, -1);
    }
    int64_t x = rs_customer("X"), y = rs_customer("Y");
    rs_order(x, 20, "P1");
    rs_event(x, 199, "view", "P1", NULL);
    rs_order(x, 110, "P1");
    rs_event(x, 200, "view", "P2", NULL);
    rs_event(x, -160, "cart_add", "P3", NULL);
    rs_event(x, 200, "view", "P3", NULL);
    rs_event(x, 20, "favorite", "P4", NULL);
    rs_event(x, 50, "search", "P5", NULL);
    rs_event(x, 200.5, "click", "P5", NULL);
    rs_event(y, 100, "view", "P2", NULL);
    enc_snapshot *s = rs_snapshot(201);
    if (!s) return;
    enc_itemsim_opts o;
    enc_itemsim_defaults(&o);
    o.now = RS_DAY(200);
    CHECK_NEAR(o.half_life_days, 180, 0);
    enc_itemsim m = {0};
    CHECK_INT(enc_itemsim_build(s, &o, &m, &rs_err), ENC_OK);
    CHECK_INT(m.now, RS_DAY(200));
    CHECK_INT(m.prof_off[1] - m.prof_off[0], 5);
    int64_t e = m.prof_off[0];
    /* P1: bought 90 days before now: 1 * 2^-0.5 beats the purchase 180 days ago (0.5) and
       yesterday's view (0.3 * 2^(-1/180)) */
    CHECK_INT(m.prof_item[e], rs_prod(s, "P1"));
    CHECK_NEAR(m.prof_w[e], pow(2, -0.5), 1e-6);
    CHECK_INT(m.prof_how[e], ENC_HOW_BOUGHT | ENC_HOW_VIEW);
    CHECK_INT(m.prof_bought[e], RS_DAY(110));
    /* P2 viewed now: 0.3 */
    CHECK_NEAR(m.prof_w[e + 1], 0.3, 1e-6);
    CHECK_INT(m.prof_how[e + 1], ENC_HOW_VIEW);
    CHECK_INT(m.prof_bought[e + 1], ENC_NO_TIME);
    /* P3: a cart_add 360 days ago (0.6 / 4 = 0.15) and a view now (0.3) */
    CHECK_NEAR(m.prof_w[e + 2], 0.3, 1e-6);
    CHECK_INT(m.prof_how[e + 2], ENC_HOW_CART | ENC_HOW_VIEW);
    /* P4: a favourite 180 days ago: 0.45 / 2 */
    CHECK_NEAR(m.prof_w[e + 3], 0.225, 1e-6);
    CHECK_INT(m.prof_how[e + 3], ENC_HOW_FAVORITE);
    /* P5: a search counts for nothing; a click after `now` is not decayed */
    CHECK_NEAR(m.prof_w[e + 4], 0.3, 1e-6);
    /* Y: a view 100 days before now */
    CHECK_INT(m.prof_off[2] - m.prof_off[1], 1);
    CHECK_NEAR(m.prof_w[m.prof_off[1]], 0.3 * pow(2, -100.0 / 180), 1e-6);
    /* cosine P1~P2 with these weights: X has both, Y has P2 only */
    double w1 = pow(2, -0.5), w2x = 0.3, w2y = 0.3 * pow(2, -100.0 / 180);
    double want = w1 * w2x / (w1 * sqrt(w2x * w2x + w2y * w2y));
    int32_t p1 = rs_prod(s, "P1"), p2 = rs_prod(s, "P2");
    bool seen = false;
    for (int64_t k = m.nb_off[p1]; k < m.nb_off[p1 + 1]; k++)
        if (m.nb_item[k] == p2) {
            seen = true;
            CHECK_NEAR(m.nb_sim[k], want, 1e-6);
        }
    CHECK(seen);

    /* no decay: every purchase weighs 1 */
    o.half_life_days = 0;
    CHECK_INT(enc_itemsim_build(s, &o, &m, &rs_err), ENC_OK);
    CHECK_NEAR(m.prof_w[m.prof_off[0]], 1.0, 0);
    /* the latest order or event is `now` when the snapshot holds everything */
    enc_snapshot_free(s);
    s = rs_snapshot(-1);
    o.now = ENC_NO_TIME;
    CHECK_INT(enc_itemsim_build(s, &o, &m, &rs_err), ENC_OK);
    CHECK_INT(m.now, RS_DAY(200.5) + 1);
    enc_itemsim_free(&m);
    enc_snapshot_free(s);
    enc_store_close(rs_st);
}

/* ---- brute force ------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct pair {
    float sim;
    int32_t j;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->sim != y->sim) return x->sim > y->sim ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* random profiles: ncust customers with 0..maxk distinct products, weights in (0, 1] or all 1,
 * a few exactly 0; dense copy in W (ncust x nprod) */
static void random_profiles(size_t ncust, size_t nprod, int maxk, bool binary, int64_t **off,
                            int32_t **item, float **w, float *W)
{
    *off = malloc((ncust + 1) * sizeof **off);
    *item = malloc(ncust * (size_t)maxk * sizeof **item + 1);
    *w = malloc(ncust * (size_t)maxk * sizeof **w + 1);
    memset(W, 0, ncust * nprod * sizeof *W);
    size_t n = 0;
    (*off)[0] = 0;
    for (size_t c = 0; c < ncust; c++) {
        int k = (int)(rnd() % (uint64_t)(maxk + 1));
        for (int t = 0; t < k; t++) {
            /* skewed choice: low ids are popular */
            size_t p = (size_t)((rnd() % nprod) * (rnd() % nprod) / nprod);
            if (W[c * nprod + p] != 0) continue;
            float v = binary ? 1.0f : (float)((rnd() % 1000) + 1) / 1000.0f;
            if (!binary && rnd() % 50 == 0) v = 0; /* a zero weight adds nothing */
            W[c * nprod + p] = v != 0 ? v : -1;    /* -1 marks a present zero */
        }
        for (size_t p = 0; p < nprod; p++)
            if (W[c * nprod + p] != 0) {
                (*item)[n] = (int32_t)p;
                (*w)[n] = W[c * nprod + p] < 0 ? 0 : W[c * nprod + p];
                W[c * nprod + p] = (*w)[n];
                n++;
            }
        (*off)[c + 1] = (int64_t)n;
    }
}

static void brute_case(size_t ncust, size_t nprod, int maxk, bool binary, int32_t top_m)
{
    float *W = malloc(ncust * nprod * sizeof *W);
    int64_t *off;
    int32_t *item;
    float *w;
    random_profiles(ncust, nprod, maxk, binary, &off, &item, &w, W);
    /* the plain computation: every pair, customers in ascending order, in double */
    double *norm = calloc(nprod, sizeof *norm);
    for (size_t p = 0; p < nprod; p++) {
        for (size_t c = 0; c < ncust; c++)
            norm[p] += (double)W[c * nprod + p] * (double)W[c * nprod + p];
        norm[p] = sqrt(norm[p]);
    }
    enc_itemsim m1 = {0}, m2 = {0};
    CHECK_INT(enc_itemsim_neighbours(nprod, ncust, off, item, w, top_m, 1, &m1, &rs_err), ENC_OK);
    CHECK_INT(enc_itemsim_neighbours(nprod, ncust, off, item, w, top_m, 2, &m2, &rs_err), ENC_OK);
    pair *pl = malloc(nprod * sizeof *pl);
    size_t bad = 0, total = 0;
    for (size_t i = 0; i < nprod; i++) {
        size_t n = 0;
        for (size_t j = 0; j < nprod; j++) {
            if (j == i) continue;
            double d = 0;
            for (size_t c = 0; c < ncust; c++)
                if (W[c * nprod + i] != 0 && W[c * nprod + j] != 0)
                    d += (double)W[c * nprod + i] * (double)W[c * nprod + j];
            if (d > 0) pl[n++] = (pair){(float)(d / (norm[i] * norm[j])), (int32_t)j};
        }
        qsort(pl, n, sizeof *pl, cmp_pair);
        if (n > (size_t)top_m) n = (size_t)top_m;
        total += n;
        if ((size_t)(m1.nb_off[i + 1] - m1.nb_off[i]) != n) {
            bad++;
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            int64_t e = m1.nb_off[i] + (int64_t)k;
            if (m1.nb_item[e] != pl[k].j || fabsf(m1.nb_sim[e] - pl[k].sim) > 1e-6f * pl[k].sim)
                bad++;
        }
    }
    CHECK_INT(bad, 0);
    CHECK(nprod < 2 || total > nprod); /* the case is not empty */
    /* two threads give the same arrays */
    CHECK_INT(m1.nb_off[nprod], m2.nb_off[nprod]);
    CHECK(!memcmp(m1.nb_item, m2.nb_item, (size_t)m1.nb_off[nprod] * sizeof *m1.nb_item));
    CHECK(!memcmp(m1.nb_sim, m2.nb_sim, (size_t)m1.nb_off[nprod] * sizeof *m1.nb_sim));
    /* similarities lie in (0, 1] and descend */
    for (size_t i = 0; i < nprod; i++)
        for (int64_t e = m1.nb_off[i]; e < m1.nb_off[i + 1]; e++) {
            CHECK(m1.nb_sim[e] > 0 && m1.nb_sim[e] <= 1.0f + 1e-6f);
            if (e > m1.nb_off[i]) CHECK(m1.nb_sim[e] <= m1.nb_sim[e - 1]);
        }
    enc_itemsim_free(&m1);
    enc_itemsim_free(&m2);
    free(pl);
    free(norm);
    free(W);
    free(off);
    free(item);
    free(w);
}

static void brute_force(void)
{
    brute_case(400, 90, 12, false, 10);
    brute_case(400, 90, 12, true, 10);    /* 0/1 weights: many equal similarities */
    brute_case(300, 200, 30, false, 500); /* keep all: every pair compared */
    brute_case(50, 1, 1, false, 3);       /* one product: no neighbours */
    enc_itemsim m = {0};
    int64_t off0 = 0;
    CHECK_INT(enc_itemsim_neighbours(5, 0, &off0, NULL, NULL, 3, 2, &m, &rs_err), ENC_OK);
    CHECK_INT(m.nb_off[5], 0);
    CHECK_INT(enc_itemsim_neighbours(5, 0, &off0, NULL, NULL, 0, 2, &m, &rs_err), ENC_EUSAGE);
    enc_itemsim_free(&m);
}

int main(void)
{
    RUN(profile_weights);
    RUN(brute_force);
    return TEST_SUMMARY();
}
