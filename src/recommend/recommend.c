/* recommend.c — the model build (neighbours, rules index, up-sell, popularity, filters) and the
 * per-customer calls (see recommend.h). A call marks the customer's profile in the workspace,
 * scores candidates into dense arrays while recording the touched ones, picks the top N with a
 * heap under the diversity cap, fills from popularity where the kind says so, and clears only
 * what it touched, so its cost follows the customer's history, not the catalogue. */
#include "recommend/recommend.h"
#include "base/mem.h"
#include "recommend/rules.h"
#include "recommend/sbasket.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kind_names[ENC_REC_NKINDS] = {"personal", "cross", "up",     "cart",
                                                       "popular",  "rules", "itemsim"};
const char *enc_rec_kind_name(enc_rec_kind k) { return k < ENC_REC_NKINDS ? kind_names[k] : "?"; }
bool enc_rec_kind_parse(const char *s, enc_rec_kind *out)
{
    for (int k = 0; k < ENC_REC_NKINDS; k++)
        if (!strcmp(s, kind_names[k])) {
            *out = (enc_rec_kind)k;
            return true;
        }
    return false;
}

const char *enc_rec_reason_name(enc_rec_reason r)
{
    static const char *const n[] = {"similar", "bought_with", "cart",
                                    "better",  "restock",     "popular"};
    return r <= ENC_RSN_POPULAR ? n[r] : "?";
}

void enc_rec_defaults(enc_rec_opts *o)
{
    memset(o, 0, sizeof *o);
    enc_itemsim_defaults(&o->sim);
    enc_upsell_defaults(&o->up);
    o->rule_support = (enc_support){.is_count = true, .value = 5};
    o->rule_confidence = 0.05;
    o->rule_lift = 1.0;
    o->rule_max_len = 2;
    o->rule_top = 20;
    o->rules_weight = 0.5;
    o->neighbour_weight = 0.5;
    o->per_top = 5;
    o->restock_due = 0.8;
    o->cart_days = 30;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- build ------------------------------------------------------------------------------- */

/* cat is ex, or lies under it ("ex/...", "ex > ...") */
static bool cat_under(const char *cat, const char *ex)
{
    size_t n = strlen(ex);
    while (n && (ex[n - 1] == '/' || ex[n - 1] == ' ')) n--;
    if (!n || strncmp(cat, ex, n) != 0) return false;
    const char *r = cat + n;
    while (*r == ' ') r++;
    return *r == 0 || *r == '/' || *r == '>';
}

static void build_filters(enc_rec_model *m, const enc_rec_opts *o)
{
    const enc_snapshot *s = m->s;
    m->blocked = enc_xcalloc(s->nprod ? s->nprod : 1, 1);
    uint8_t *catx = enc_xcalloc(s->cats.n + 1, 1);
    for (size_t c = 0; c < s->cats.n; c++)
        for (size_t k = 0; k < o->n_exclude_category; k++)
            if (cat_under(s->cats.names[c], o->exclude_category[k])) catx[c] = 1;
    for (size_t p = 0; p < s->nprod; p++) {
        if (!o->include_out_of_stock && !s->prod_in_stock[p]) m->blocked[p] = 1;
        if (s->prod_cat[p] >= 0 && catx[s->prod_cat[p]]) m->blocked[p] = 1;
    }
    free(catx);
    for (size_t k = 0; k < o->n_exclude_sku; k++) {
        /* skus are few here; a linear scan keeps the snapshot's sku map private */
        for (size_t p = 0; p < s->nprod; p++)
            if (!strcmp(s->prod_sku[p], o->exclude_sku[k])) m->blocked[p] = 1;
    }
    for (size_t p = 0; p < s->nprod; p++) m->n_blocked += m->blocked[p];
}

typedef struct popkey {
    const int32_t *buyers;
} popkey;

static int cmp_pop(const void *a, const void *b, void *arg)
{
    const int32_t *bu = ((const popkey *)arg)->buyers;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (bu[x] != bu[y]) return bu[x] > bu[y] ? -1 : 1;
    return (x > y) - (x < y);
}

static void build_popularity(enc_rec_model *m)
{
    const enc_snapshot *s = m->s;
    const enc_itemsim *S = &m->sim;
    m->buyers = enc_xcalloc(s->nprod ? s->nprod : 1, sizeof *m->buyers);
    size_t ne = S->ncust ? (size_t)S->prof_off[S->ncust] : 0;
    for (size_t e = 0; e < ne; e++)
        if (S->prof_how[e] & ENC_HOW_BOUGHT) m->buyers[S->prof_item[e]]++;
    m->pop_order = enc_xmalloc((s->nprod ? s->nprod : 1) * sizeof *m->pop_order);
    m->n_pop = 0;
    m->max_buyers = 0;
    for (size_t p = 0; p < s->nprod; p++) {
        if (m->buyers[p] > m->max_buyers) m->max_buyers = m->buyers[p];
        if (m->buyers[p] > 0 && !m->blocked[p]) m->pop_order[m->n_pop++] = (int32_t)p;
    }
    popkey k = {m->buyers};
    qsort_r(m->pop_order, m->n_pop, sizeof *m->pop_order, cmp_pop, &k);
}

typedef struct rkey {
    const enc_rules *r;
} rkey;

/* rules by first antecedent product, then confidence desc, lift desc, consequent asc */
static int cmp_rule(const void *a, const void *b, void *arg)
{
    const enc_rules *R = ((const rkey *)arg)->r;
    const enc_rule *x = &R->r[*(const size_t *)a], *y = &R->r[*(const size_t *)b];
    int32_t fx = R->items[x->off], fy = R->items[y->off];
    if (fx != fy) return fx < fy ? -1 : 1;
    if (x->confidence != y->confidence) return x->confidence > y->confidence ? -1 : 1;
    if (x->lift != y->lift) return x->lift > y->lift ? -1 : 1;
    int32_t tx = R->items[x->off + x->n_if], ty = R->items[y->off + y->n_if];
    if (tx != ty) return tx < ty ? -1 : 1;
    return (x->off > y->off) - (x->off < y->off);
}

static enc_rc build_rules(enc_rec_model *m, const enc_rec_opts *o, enc_err *err)
{
    const enc_snapshot *s = m->s;
    enc_basket_set *set;
    enc_rc rc = enc_sbasket_build(s, ENC_SB_ORDERS, ENC_SB_PRODUCT, &set, err);
    if (rc) return rc;
    m->rule_min_count = enc_support_min_count(&o->rule_support, enc_basket_count(set));
    enc_itemsets sets = {0};
    enc_fpg_opts fo = {
        .min_count = m->rule_min_count, .max_len = o->rule_max_len, .max_sets = 20000000};
    rc = enc_fpg_mine(set, &fo, &sets, err);
    enc_basket_free(set);
    if (rc) return rc;
    enc_rules R = {0};
    enc_rule_opts ro = {.min_confidence = o->rule_confidence,
                        .min_lift = o->rule_lift,
                        .min_len = 2,
                        .max_len = o->rule_max_len,
                        .max_consequent = 1,
                        .max_rules = 20000000};
    rc = enc_rules_mine(&sets, &ro, &R, err);
    enc_itemsets_free(&sets);
    if (rc) {
        enc_rules_free(&R);
        return rc;
    }
    size_t n = R.n;
    size_t *ord = enc_xmalloc((n ? n : 1) * sizeof *ord);
    for (size_t i = 0; i < n; i++) ord[i] = i;
    rkey k = {&R};
    qsort_r(ord, n, sizeof *ord, cmp_rule, &k);
    /* keep the best rule_top rules of each first antecedent */
    if (o->rule_top > 0) {
        size_t kept = 0, run = 0;
        for (size_t i = 0; i < n; i++) {
            const enc_rule *u = &R.r[ord[i]];
            bool same = kept && R.items[R.r[ord[kept - 1]].off] == R.items[u->off];
            run = same ? run + 1 : 1;
            if (run <= (size_t)o->rule_top) ord[kept++] = ord[i];
        }
        n = kept;
    }
    m->n_rules = n;
    m->ru_off = enc_xcalloc(s->nprod + 1, sizeof *m->ru_off);
    m->ru_xoff = enc_xmalloc((n + 1) * sizeof *m->ru_xoff);
    m->ru_then = enc_xmalloc((n ? n : 1) * sizeof *m->ru_then);
    m->ru_conf = enc_xmalloc((n ? n : 1) * sizeof *m->ru_conf);
    m->ru_lift = enc_xmalloc((n ? n : 1) * sizeof *m->ru_lift);
    size_t nx = 0;
    for (size_t i = 0; i < n; i++) nx += (size_t)R.r[i].n_if - 1;
    m->ru_x = enc_xmalloc((nx ? nx : 1) * sizeof *m->ru_x);
    nx = 0;
    m->ru_xoff[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const enc_rule *u = &R.r[ord[i]];
        m->ru_off[R.items[u->off] + 1]++;
        m->ru_then[i] = R.items[u->off + u->n_if];
        m->ru_conf[i] = (float)u->confidence;
        m->ru_lift[i] = (float)u->lift;
        for (int32_t j = 1; j < u->n_if; j++) m->ru_x[nx++] = R.items[u->off + j];
        m->ru_xoff[i + 1] = (int64_t)nx;
    }
    for (size_t p = 0; p < s->nprod; p++) m->ru_off[p + 1] += m->ru_off[p];
    free(ord);
    enc_rules_free(&R);
    return ENC_OK;
}

enc_rc enc_rec_model_build(const enc_snapshot *s, const enc_rec_opts *o, enc_rec_model *out,
                           enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->s = s;
    out->o = *o;
    out->o.exclude_sku = NULL;
    out->o.n_exclude_sku = 0;
    out->o.exclude_category = NULL;
    out->o.n_exclude_category = 0;
    build_filters(out, o);
    double t0 = now_s();
    enc_rc rc = enc_itemsim_build(s, &o->sim, &out->sim, err);
    out->sim_seconds = now_s() - t0;
    if (!rc) {
        build_popularity(out);
        t0 = now_s();
        rc = build_rules(out, o, err);
        out->rules_seconds = now_s() - t0;
    }
    if (!rc) {
        t0 = now_s();
        rc = enc_upsell_build(s, out->buyers, out->blocked, &o->up, &out->up, err);
        out->up_seconds = now_s() - t0;
    }
    if (rc) enc_rec_model_free(out);
    return rc;
}

void enc_rec_model_free(enc_rec_model *m)
{
    enc_itemsim_free(&m->sim);
    enc_upsell_free(&m->up);
    free(m->ru_off);
    free(m->ru_xoff);
    free(m->ru_then);
    free(m->ru_x);
    free(m->ru_conf);
    free(m->ru_lift);
    free(m->buyers);
    free(m->pop_order);
    free(m->blocked);
    memset(m, 0, sizeof *m);
}

/* ---- workspace --------------------------------------------------------------------------- */

enum { F_CAND = 1, F_HIST = 2, F_BOUGHT = 4, F_ANCHOR = 8, F_CHOSEN = 16, F_CART = 32, F_DUE = 64 };

/* abandoned-cart scan states in cart_ts: never carted, carted then removed or bought, else the
 * time of the last cart_add */
#define CART_NONE INT64_MIN
#define CART_GONE (INT64_MIN + 1)

struct enc_rec_ws {
    size_t nprod, ntop, ncat;
    float *sc, *sc2; /* score parts: neighbours (or up-sell), rules */
    float *best;     /* largest single contribution so far, for the reason */
    int32_t *anc;    /* its anchor */
    uint8_t *rsn;    /* its reason */
    uint8_t *flag;   /* F_* */
    uint8_t *how;    /* profile ENC_HOW_* of products in the profile */
    int32_t *cand;   /* touched candidates */
    size_t ncand;
    int32_t *anchors; /* the anchor set of cross and cart */
    size_t nanch;
    int32_t *heap;
    int32_t *per_top; /* ntop + 1 counters */
    uint8_t *catmark; /* leaf categories of the anchors (cross, cart) */
    int64_t *cart_ts; /* abandoned cart scan */
    int32_t *list;    /* scratch list of products */
};

enc_rec_ws *enc_rec_ws_new(const enc_rec_model *m)
{
    const enc_snapshot *s = m->s;
    enc_rec_ws *w = enc_xcalloc(1, sizeof *w);
    size_t n = s->nprod ? s->nprod : 1;
    w->nprod = s->nprod;
    w->ntop = s->tops.n;
    w->ncat = s->cats.n;
    w->sc = enc_xcalloc(n, sizeof *w->sc);
    w->sc2 = enc_xcalloc(n, sizeof *w->sc2);
    w->best = enc_xcalloc(n, sizeof *w->best);
    w->anc = enc_xmalloc(n * sizeof *w->anc);
    w->rsn = enc_xcalloc(n, 1);
    w->flag = enc_xcalloc(n, 1);
    w->how = enc_xcalloc(n, 1);
    w->cand = enc_xmalloc(n * sizeof *w->cand);
    w->anchors = enc_xmalloc(n * sizeof *w->anchors);
    w->heap = enc_xmalloc(n * sizeof *w->heap);
    w->per_top = enc_xcalloc(w->ntop + 1, sizeof *w->per_top);
    w->catmark = enc_xcalloc(w->ncat + 1, 1);
    w->cart_ts = enc_xmalloc(n * sizeof *w->cart_ts);
    for (size_t i = 0; i < n; i++) w->cart_ts[i] = ENC_NO_TIME;
    w->list = enc_xmalloc(n * sizeof *w->list);
    return w;
}

void enc_rec_ws_free(enc_rec_ws *w)
{
    if (!w) return;
    free(w->sc);
    free(w->sc2);
    free(w->best);
    free(w->anc);
    free(w->rsn);
    free(w->flag);
    free(w->how);
    free(w->cand);
    free(w->anchors);
    free(w->heap);
    free(w->per_top);
    free(w->catmark);
    free(w->cart_ts);
    free(w->list);
    free(w);
}

/* ---- scoring helpers ------------------------------------------------------------------- */

static inline void touch(enc_rec_ws *w, int32_t j)
{
    if (!(w->flag[j] & F_CAND)) {
        w->flag[j] |= F_CAND;
        w->cand[w->ncand++] = j;
    }
}

/* a contribution v to candidate j from anchor a with reason r: keeps the largest as the reason */
static inline void credit(enc_rec_ws *w, int32_t j, float v, int32_t a, uint8_t r)
{
    touch(w, j);
    if (v > w->best[j]) {
        w->best[j] = v;
        w->anc[j] = a;
        w->rsn[j] = r;
    }
}

/* rules whose antecedent lies inside the products flagged `need`: sc2[y] = max confidence */
static void score_rules(const enc_rec_model *m, enc_rec_ws *w, const int32_t *from, size_t nfrom,
                        uint8_t need, uint8_t reason, float weight)
{
    for (size_t k = 0; k < nfrom; k++) {
        int32_t a = from[k];
        for (int64_t r = m->ru_off[a]; r < m->ru_off[a + 1]; r++) {
            bool ok = true;
            for (int64_t x = m->ru_xoff[r]; x < m->ru_xoff[r + 1] && ok; x++)
                ok = (w->flag[m->ru_x[x]] & need) != 0;
            if (!ok) continue;
            int32_t y = m->ru_then[r];
            float c = m->ru_conf[r];
            touch(w, y);
            if (c > w->sc2[y]) w->sc2[y] = c;
            credit(w, y, c * weight, a, reason);
        }
    }
}

static bool replenish_due(const enc_rec_model *m, int32_t p, int64_t last)
{
    int32_t days = m->s->prod_replenish[p];
    if (days <= 0 || last == ENC_NO_TIME) return false;
    return (double)(m->sim.now - last) >= m->o.restock_due * days * 86400.0;
}

/* may product j be offered to this customer at all */
static inline bool eligible(const enc_rec_model *m, const enc_rec_ws *w, int32_t j)
{
    if (m->blocked[j]) return false;
    if (w->flag[j] & (F_CHOSEN | F_CART)) return false;
    if (w->flag[j] & F_BOUGHT) return (w->flag[j] & F_DUE) != 0;
    return true;
}

/* heap order: a before b when a scores higher, then more buyers, then lower id */
static inline bool before(const enc_rec_model *m, const float *sc, int32_t a, int32_t b)
{
    if (sc[a] != sc[b]) return sc[a] > sc[b];
    if (m->buyers[a] != m->buyers[b]) return m->buyers[a] > m->buyers[b];
    return a < b;
}

static void heap_down(const enc_rec_model *m, const float *sc, int32_t *h, size_t n, size_t k)
{
    for (;;) {
        size_t l = 2 * k + 1, r = l + 1, b = k;
        if (l < n && before(m, sc, h[l], h[b])) b = l;
        if (r < n && before(m, sc, h[r], h[b])) b = r;
        if (b == k) return;
        int32_t t = h[k];
        h[k] = h[b];
        h[b] = t;
        k = b;
    }
}

/* room left for product j under the per-top cap */
static inline bool room(const enc_rec_model *m, const enc_rec_ws *w, int32_t j)
{
    int32_t t = m->s->prod_top[j];
    return m->o.per_top <= 0 || t < 0 || w->per_top[t] < m->o.per_top;
}

static void take(const enc_rec_model *m, enc_rec_ws *w, int32_t j, float score, uint8_t reason,
                 int32_t anchor, enc_rec_item *out, size_t *k)
{
    int32_t t = m->s->prod_top[j];
    if (t >= 0) w->per_top[t]++;
    w->flag[j] |= F_CHOSEN;
    out[*k] = (enc_rec_item){.prod = j,
                             .score = score,
                             .reason = reason,
                             .how = anchor >= 0 ? w->how[anchor] : 0,
                             .anchor = anchor};
    (*k)++;
}

/* the top n of the eligible candidates, by final score in sc */
static size_t select_top(const enc_rec_model *m, enc_rec_ws *w, size_t n, enc_rec_item *out)
{
    size_t hn = 0, k = 0;
    for (size_t i = 0; i < w->ncand; i++) {
        int32_t j = w->cand[i];
        if (eligible(m, w, j) && w->sc[j] > 0) w->heap[hn++] = j;
    }
    for (size_t i = hn / 2; i-- > 0;) heap_down(m, w->sc, w->heap, hn, i);
    while (k < n && hn) {
        int32_t j = w->heap[0];
        w->heap[0] = w->heap[--hn];
        heap_down(m, w->sc, w->heap, hn, 0);
        if (!room(m, w, j)) continue;
        take(m, w, j, w->sc[j], w->rsn[j], w->anc[j], out, &k);
    }
    return k;
}

/* popular products after the candidates, scored below every candidate */
static size_t fill_popular(const enc_rec_model *m, enc_rec_ws *w, size_t k, size_t n,
                           enc_rec_item *out)
{
    /* share of the most bought product's buyers, times half the last scored item's score so
       the fill ranks below every scored item */
    float f = k ? out[k - 1].score * 0.5f : 1.0f;
    for (size_t i = 0; i < m->n_pop && k < n; i++) {
        int32_t j = m->pop_order[i];
        if (w->flag[j] & (F_CHOSEN | F_CART)) continue;
        if ((w->flag[j] & F_BOUGHT) && !(w->flag[j] & F_DUE)) continue;
        if (!room(m, w, j)) continue;
        float sc = f * (float)m->buyers[j] / (float)m->max_buyers;
        take(m, w, j, sc, ENC_RSN_POPULAR, -1, out, &k);
    }
    return k;
}

/* ---- the kinds ------------------------------------------------------------------------- */

static void mark_profile(const enc_rec_model *m, enc_rec_ws *w, size_t c)
{
    const enc_itemsim *S = &m->sim;
    for (int64_t e = S->prof_off[c]; e < S->prof_off[c + 1]; e++) {
        int32_t p = S->prof_item[e];
        w->how[p] = S->prof_how[e];
        w->flag[p] |= F_HIST;
        if (S->prof_how[e] & ENC_HOW_BOUGHT) {
            w->flag[p] |= F_BOUGHT;
            if (replenish_due(m, p, S->prof_bought[e])) w->flag[p] |= F_DUE;
        }
    }
}

static void score_personal(const enc_rec_model *m, enc_rec_ws *w, size_t c, bool use_sim,
                           bool use_rules)
{
    const enc_itemsim *S = &m->sim;
    size_t nb = 0;
    for (int64_t e = S->prof_off[c]; e < S->prof_off[c + 1]; e++) {
        int32_t a = S->prof_item[e];
        float r = S->prof_w[e];
        if (S->prof_how[e] & ENC_HOW_BOUGHT) w->list[nb++] = a;
        if (!use_sim) continue;
        for (int64_t k = S->nb_off[a]; k < S->nb_off[a + 1]; k++) {
            int32_t j = S->nb_item[k];
            float v = r * S->nb_sim[k];
            w->sc[j] += v;
            credit(w, j, v, a, ENC_RSN_SIMILAR);
        }
        /* a replenishable bought before and due: the product itself, similarity 1 */
        if (w->flag[a] & F_DUE) {
            w->sc[a] += r;
            touch(w, a);
        }
    }
    /* neighbour sums are normalised by the customer's largest, so the rules part (confidence,
       times rules_weight) is on the same scale; credit() compares contributions before that */
    float maxs = 0;
    for (size_t i = 0; i < w->ncand; i++)
        if (w->sc[w->cand[i]] > maxs) maxs = w->sc[w->cand[i]];
    float scale = maxs > 0 ? maxs : 1.0f;
    if (use_rules) {
        float wr = use_sim ? (float)m->o.rules_weight : 1.0f;
        score_rules(m, w, w->list, nb, F_BOUGHT, ENC_RSN_BOUGHT_WITH, wr * scale);
        for (size_t i = 0; i < w->ncand; i++) {
            int32_t j = w->cand[i];
            w->sc[j] += wr * scale * w->sc2[j];
        }
    }
    for (size_t i = 0; i < w->ncand; i++) {
        int32_t j = w->cand[i];
        w->sc[j] /= scale;
        if (w->flag[j] & F_DUE) { /* restock is the reason whatever else contributed */
            w->rsn[j] = ENC_RSN_RESTOCK;
            w->anc[j] = j;
        }
    }
}

/* the anchors of cross (last order) and cart (abandoned cart) score rules over the anchor set
 * and neighbours of each anchor; candidates in an anchor's leaf category are substitutes and
 * are left out */
static void score_complements(const enc_rec_model *m, enc_rec_ws *w, uint8_t reason)
{
    const enc_snapshot *s = m->s;
    const enc_itemsim *S = &m->sim;
    for (size_t k = 0; k < w->nanch; k++) {
        int32_t a = w->anchors[k];
        if (s->prod_cat[a] >= 0) w->catmark[s->prod_cat[a]] = 1;
    }
    score_rules(m, w, w->anchors, w->nanch, F_ANCHOR, reason, 1.0f);
    float nw = (float)m->o.neighbour_weight;
    for (size_t k = 0; k < w->nanch; k++) {
        int32_t a = w->anchors[k];
        for (int64_t e = S->nb_off[a]; e < S->nb_off[a + 1]; e++) {
            int32_t j = S->nb_item[e];
            float v = nw * S->nb_sim[e];
            if (v > w->sc[j]) w->sc[j] = v; /* sc: the best neighbour part */
            credit(w, j, v, a, reason);
        }
    }
    for (size_t i = 0; i < w->ncand; i++) {
        int32_t j = w->cand[i];
        float v = w->sc2[j] + w->sc[j];
        bool subst = s->prod_cat[j] >= 0 && w->catmark[s->prod_cat[j]];
        w->sc[j] = (w->flag[j] & F_ANCHOR) || subst ? 0 : v;
    }
    for (size_t k = 0; k < w->nanch; k++) {
        int32_t a = w->anchors[k];
        if (s->prod_cat[a] >= 0) w->catmark[s->prod_cat[a]] = 0;
    }
}

static void score_up(const enc_rec_model *m, enc_rec_ws *w, size_t c)
{
    const enc_itemsim *S = &m->sim;
    const enc_upsell *U = &m->up;
    float norm = m->max_buyers > 0 ? 1.0f / (float)m->max_buyers : 0;
    for (int64_t e = S->prof_off[c]; e < S->prof_off[c + 1]; e++) {
        int32_t a = S->prof_item[e];
        float r = S->prof_w[e];
        for (int64_t k = U->off[a]; k < U->off[a + 1]; k++) {
            int32_t q = U->item[k];
            float v = r * U->score[k] * norm;
            if (v > w->sc[q]) w->sc[q] = v; /* the best reason is the score */
            credit(w, q, v, a, ENC_RSN_BETTER);
        }
    }
}

size_t enc_rec_abandoned_cart(const enc_rec_model *m, size_t c, enc_rec_ws *w, int32_t *out,
                              size_t cap)
{
    const enc_snapshot *s = m->s;
    size_t nl = 0;
    for (int64_t k = s->ev_off[c]; k < s->ev_off[c + 1]; k++) {
        int32_t p = s->ev_prod[k];
        if (p < 0) continue;
        if (s->ev_type[k] == EV_CART_ADD) {
            if (w->cart_ts[p] == CART_NONE) w->list[nl++] = p;
            w->cart_ts[p] = s->ev_ts[k];
        } else if (s->ev_type[k] == EV_CART_REMOVE && w->cart_ts[p] > CART_GONE &&
                   s->ev_ts[k] >= w->cart_ts[p]) {
            w->cart_ts[p] = CART_GONE;
        }
    }
    for (int64_t o = s->ord_off[c]; o < s->ord_off[c + 1]; o++)
        for (int64_t l = s->line_off[o]; l < s->line_off[o + 1]; l++) {
            int32_t p = s->line_prod[l];
            if (p >= 0 && w->cart_ts[p] > CART_GONE && s->ord_ts[o] >= w->cart_ts[p])
                w->cart_ts[p] = CART_GONE; /* bought after it was carted */
        }
    int64_t latest = CART_GONE;
    for (size_t i = 0; i < nl; i++)
        if (w->cart_ts[w->list[i]] > latest) latest = w->cart_ts[w->list[i]];
    size_t n = 0;
    if (latest > CART_GONE) {
        int64_t from = latest - (int64_t)m->o.cart_days * 86400;
        for (size_t i = 0; i < nl; i++) {
            int32_t p = w->list[i];
            if (w->cart_ts[p] > CART_GONE && w->cart_ts[p] >= from) w->list[n++] = p;
            else w->cart_ts[p] = CART_NONE;
        }
        /* latest first (ties: lower id): selection sort, carts are short */
        for (size_t i = 0; i < n; i++) {
            size_t b = i;
            for (size_t j = i + 1; j < n; j++) {
                int64_t tj = w->cart_ts[w->list[j]], tb = w->cart_ts[w->list[b]];
                if (tj > tb || (tj == tb && w->list[j] < w->list[b])) b = j;
            }
            int32_t t = w->list[i];
            w->list[i] = w->list[b];
            w->list[b] = t;
            if (i < cap) out[i] = w->list[i];
        }
        for (size_t i = 0; i < n; i++) w->cart_ts[w->list[i]] = CART_NONE;
    } else {
        for (size_t i = 0; i < nl; i++) w->cart_ts[w->list[i]] = CART_NONE;
    }
    return n;
}

static void set_anchors(enc_rec_ws *w, const int32_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(w->flag[p[i]] & F_ANCHOR)) {
            w->flag[p[i]] |= F_ANCHOR;
            w->anchors[w->nanch++] = p[i];
        }
}

size_t enc_rec_recommend(const enc_rec_model *m, enc_rec_kind kind, size_t c, enc_rec_ws *w,
                         size_t n, enc_rec_item *out)
{
    const enc_snapshot *s = m->s;
    if (c >= s->ncust || !n) return 0;
    mark_profile(m, w, c);
    w->ncand = 0;
    w->nanch = 0;
    bool fill = false;
    switch (kind) {
    case ENC_REC_PERSONAL:
        score_personal(m, w, c, true, true);
        fill = true;
        break;
    case ENC_REC_ITEMSIM:
        score_personal(m, w, c, true, false);
        fill = true;
        break;
    case ENC_REC_RULES:
        score_personal(m, w, c, false, true);
        fill = true;
        break;
    case ENC_REC_POPULAR: fill = true; break;
    case ENC_REC_UP: score_up(m, w, c); break;
    case ENC_REC_CROSS:
        if (s->ord_off[c + 1] > s->ord_off[c]) {
            int64_t o = s->ord_off[c + 1] - 1;
            size_t na = 0;
            for (int64_t l = s->line_off[o]; l < s->line_off[o + 1]; l++)
                if (s->line_prod[l] >= 0) w->list[na++] = s->line_prod[l];
            set_anchors(w, w->list, na);
            score_complements(m, w, ENC_RSN_BOUGHT_WITH);
        }
        break;
    case ENC_REC_CART: {
        size_t na = enc_rec_abandoned_cart(m, c, w, w->heap, w->nprod);
        if (na > w->nprod) na = w->nprod;
        for (size_t i = 0; i < na; i++) w->flag[w->heap[i]] |= F_CART;
        set_anchors(w, w->heap, na);
        score_complements(m, w, ENC_RSN_CART);
        break;
    }
    default: break;
    }
    size_t k = select_top(m, w, n, out);
    if (fill) k = fill_popular(m, w, k, n, out);

    /* clear what this call touched */
    for (size_t i = 0; i < w->ncand; i++) {
        int32_t j = w->cand[i];
        w->sc[j] = w->sc2[j] = w->best[j] = 0;
        w->rsn[j] = 0;
        w->flag[j] &= (uint8_t)~F_CAND;
    }
    for (size_t i = 0; i < w->nanch; i++) w->flag[w->anchors[i]] &= (uint8_t) ~(F_ANCHOR | F_CART);
    for (size_t i = 0; i < k; i++) {
        w->flag[out[i].prod] &= (uint8_t)~F_CHOSEN;
        int32_t t = s->prod_top[out[i].prod];
        if (t >= 0) w->per_top[t] = 0;
    }
    const enc_itemsim *S = &m->sim;
    for (int64_t e = S->prof_off[c]; e < S->prof_off[c + 1]; e++) {
        int32_t p = S->prof_item[e];
        w->flag[p] &= (uint8_t) ~(F_HIST | F_BOUGHT | F_DUE);
        w->how[p] = 0;
    }
    /* `how` of anchors outside the profile is 0 already; out[].how was read before clearing */
    return k;
}

/* ---- reasons ----------------------------------------------------------------------------- */

static const char *how_text(uint8_t how, bool past)
{
    if (how & ENC_HOW_BOUGHT) return "bought";
    if (how & ENC_HOW_CART) return past ? "added to your cart" : "put in your cart";
    if (how & ENC_HOW_FAVORITE) return "favourited";
    if (how & ENC_HOW_VIEW) return "viewed";
    return "know";
}

void enc_rec_reason_text(const enc_rec_model *m, const enc_rec_item *it, char *buf, size_t cap)
{
    const enc_snapshot *s = m->s;
    const char *a = "";
    if (it->anchor >= 0 && (size_t)it->anchor < s->nprod)
        a = s->prod_name[it->anchor] && *s->prod_name[it->anchor] ? s->prod_name[it->anchor]
                                                                  : s->prod_sku[it->anchor];
    switch (it->reason) {
    case ENC_RSN_SIMILAR:
        snprintf(buf, cap, "because you %s %s", how_text(it->how, true), a);
        break;
    case ENC_RSN_BOUGHT_WITH: snprintf(buf, cap, "bought with %s", a); break;
    case ENC_RSN_CART: snprintf(buf, cap, "goes with %s in your cart", a); break;
    case ENC_RSN_BETTER:
        snprintf(buf, cap, "better than %s you %s", a, how_text(it->how, false));
        break;
    case ENC_RSN_RESTOCK: snprintf(buf, cap, "time to restock %s", a); break;
    default: snprintf(buf, cap, "popular"); break;
    }
}
