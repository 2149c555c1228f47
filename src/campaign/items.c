/* items.c — products for message content (see items.h). Popularity is the number of sale
 * lines of a product in the snapshot; lists are kept best first, so a pick walks a short
 * list and skips what the customer already bought. */
#include "campaign/items.h"
#include "base/map.h"
#include "base/mem.h"
#include "recommend/recommend.h"
#include "store/complements_store.h"
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 64 /* best sellers kept per category */
#define NEW_DAYS 30

struct enc_items {
    const enc_snapshot *s;
    enc_items_from from;
    int64_t *pop;        /* per product: sale lines */
    int64_t *first_sold; /* per product: first sale time, INT64_MAX when never */
    /* best sellers per top category (tops id) and per leaf (cats id): CSR lists */
    int64_t *top_off, *cat_off;
    int32_t *top_list, *cat_list;
    /* complements: CSR over products */
    int64_t *comp_off;
    int32_t *comp_list;
    /* the recommendation engine, its workspace and the latest pick (for reasons) */
    enc_rec_model *rec;
    enc_rec_ws *ws;
    int kind;
    enc_rec_item last[32];
    size_t nlast;
};

static int by_pop(const void *a, const void *b, void *ctx)
{
    const enc_items *it = ctx;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    int64_t px = it->pop[x], py = it->pop[y];
    if (px != py) return px > py ? -1 : 1;
    return (x > y) - (x < y);
}

/* Builds per-group lists of the LIST_MAX most popular products, groups given by grp[] (-1 =
 * none), ngroups groups. */
static void build_lists(enc_items *it, const int32_t *grp, size_t ngroups, int64_t **off_out,
                        int32_t **list_out)
{
    const enc_snapshot *s = it->s;
    int32_t *order = enc_xmalloc((s->nprod + 1) * sizeof *order);
    for (size_t p = 0; p < s->nprod; p++) order[p] = (int32_t)p;
    qsort_r(order, s->nprod, sizeof *order, by_pop, it);
    int64_t *off = enc_xcalloc(ngroups + 1, sizeof *off);
    int32_t *cnt = enc_xcalloc(ngroups + 1, sizeof *cnt);
    for (size_t k = 0; k < s->nprod; k++) {
        int32_t g = grp[order[k]];
        if (g >= 0 && (size_t)g < ngroups && cnt[g] < LIST_MAX && it->pop[order[k]] > 0) cnt[g]++;
    }
    for (size_t g = 0; g < ngroups; g++) off[g + 1] = off[g] + cnt[g];
    int32_t *list = enc_xmalloc(((size_t)off[ngroups] + 1) * sizeof *list);
    memset(cnt, 0, (ngroups + 1) * sizeof *cnt);
    for (size_t k = 0; k < s->nprod; k++) {
        int32_t g = grp[order[k]];
        if (g >= 0 && (size_t)g < ngroups && cnt[g] < LIST_MAX && it->pop[order[k]] > 0)
            list[off[g] + cnt[g]++] = order[k];
    }
    free(cnt);
    free(order);
    *off_out = off;
    *list_out = list;
}

/* The (product, complement) pairs of the catalogue, as snapshot product indexes. */
typedef struct comp_ctx {
    enc_smap *sku;
    int32_t *pairs;
    size_t np, cap;
} comp_ctx;

static void comp_row(void *ctx, const char *a, const char *c)
{
    comp_ctx *x = ctx;
    int64_t *pa = a ? enc_smap_get(x->sku, a, strlen(a)) : NULL;
    if (!pa || !c) return;
    while (*c) {
        size_t n = strcspn(c, "|");
        int64_t *pc = n ? enc_smap_get(x->sku, c, n) : NULL;
        if (pc) {
            ENC_GROW(x->pairs, x->cap, x->np + 2);
            x->pairs[x->np++] = (int32_t)*pa;
            x->pairs[x->np++] = (int32_t)*pc;
        }
        c += n;
        if (*c) c++;
    }
}

static enc_rc load_complements(enc_items *it, enc_store *st, enc_err *err)
{
    const enc_snapshot *s = it->s;
    comp_ctx x = {.sku = enc_smap_new(s->nprod + 1)};
    for (size_t p = 0; p < s->nprod; p++)
        if (s->prod_sku[p])
            *enc_smap_put(x.sku, s->prod_sku[p], strlen(s->prod_sku[p]), 0, NULL) = (int64_t)p;
    it->comp_off = enc_xcalloc(s->nprod + 1, sizeof *it->comp_off);
    if (enc_store_complements_scan(st, comp_row, &x, err)) {
        enc_smap_free(x.sku);
        free(x.pairs);
        return ENC_EDB;
    }
    int32_t *pairs = x.pairs;
    size_t np = x.np;
    enc_smap_free(x.sku);
    for (size_t k = 0; k < np; k += 2) it->comp_off[pairs[k] + 1]++;
    for (size_t p = 0; p < s->nprod; p++) it->comp_off[p + 1] += it->comp_off[p];
    it->comp_list = enc_xmalloc((np / 2 + 1) * sizeof *it->comp_list);
    int64_t *fill = enc_xmalloc((s->nprod + 1) * sizeof *fill);
    memcpy(fill, it->comp_off, (s->nprod + 1) * sizeof *fill);
    for (size_t k = 0; k < np; k += 2) it->comp_list[fill[pairs[k]]++] = pairs[k + 1];
    free(fill);
    free(pairs);
    return ENC_OK;
}

enc_rc enc_items_new(const enc_snapshot *s, enc_store *st, enc_items_from from, int kind,
                     int64_t now, enc_items **out, enc_err *err)
{
    enc_items *it = enc_xcalloc(1, sizeof *it);
    it->s = s;
    it->from = from;
    it->kind = kind;
    if (from == ENC_ITEMS_RECOMMENDED) {
        enc_rec_opts ro;
        enc_rec_defaults(&ro);
        it->rec = enc_xcalloc(1, sizeof *it->rec);
        if (enc_rec_model_build(s, &ro, it->rec, err)) {
            enc_items_free(it);
            return err->rc;
        }
        it->ws = enc_rec_ws_new(it->rec);
    }
    it->pop = enc_xcalloc(s->nprod + 1, sizeof *it->pop);
    it->first_sold = enc_xmalloc((s->nprod + 1) * sizeof *it->first_sold);
    for (size_t p = 0; p < s->nprod; p++) it->first_sold[p] = INT64_MAX;
    for (size_t j = 0; j < s->nord; j++)
        for (int64_t k = s->line_off[j]; k < s->line_off[j + 1]; k++) {
            int32_t p = s->line_prod[k];
            if (p < 0) continue;
            it->pop[p]++;
            if (s->ord_ts[j] < it->first_sold[p]) it->first_sold[p] = s->ord_ts[j];
        }
    if (from == ENC_ITEMS_NEW_ARRIVALS) {
        /* only products first sold in the last NEW_DAYS days take part */
        int32_t *grp = enc_xmalloc((s->nprod + 1) * sizeof *grp);
        for (size_t p = 0; p < s->nprod; p++)
            grp[p] = it->first_sold[p] >= now - NEW_DAYS * 86400LL && it->first_sold[p] != INT64_MAX
                         ? s->prod_top[p]
                         : -1;
        build_lists(it, grp, s->tops.n, &it->top_off, &it->top_list);
        free(grp);
    } else {
        build_lists(it, s->prod_top, s->tops.n, &it->top_off, &it->top_list);
    }
    build_lists(it, s->prod_cat, s->cats.n, &it->cat_off, &it->cat_list);
    if (from == ENC_ITEMS_COMPLEMENTS && load_complements(it, st, err)) {
        enc_items_free(it);
        return err->rc;
    }
    *out = it;
    return ENC_OK;
}

void enc_items_free(enc_items *it)
{
    if (!it) return;
    free(it->pop);
    free(it->first_sold);
    free(it->top_off);
    free(it->top_list);
    free(it->cat_off);
    free(it->cat_list);
    free(it->comp_off);
    free(it->comp_list);
    if (it->ws) enc_rec_ws_free(it->ws);
    if (it->rec) {
        enc_rec_model_free(it->rec);
        free(it->rec);
    }
    free(it);
}

static bool bought(const enc_snapshot *s, int32_t c, int32_t p)
{
    for (int64_t j = s->ord_off[c]; j < s->ord_off[c + 1]; j++)
        for (int64_t k = s->line_off[j]; k < s->line_off[j + 1]; k++)
            if (s->line_prod[k] == p) return true;
    return false;
}

static bool has(const int32_t *v, size_t n, int32_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x) return true;
    return false;
}

int32_t enc_items_top_category(const enc_snapshot *s, int32_t c)
{
    /* counts over a small window of categories: the customer's lines, no allocation */
    enum { K = 16 };
    int32_t cat[K];
    int32_t cnt[K];
    int n = 0;
    for (int64_t j = s->ord_off[c]; j < s->ord_off[c + 1]; j++)
        for (int64_t k = s->line_off[j]; k < s->line_off[j + 1]; k++) {
            int32_t p = s->line_prod[k];
            int32_t t = p >= 0 ? s->prod_top[p] : -1;
            if (t < 0) continue;
            int x = 0;
            while (x < n && cat[x] != t) x++;
            if (x == n) {
                if (n == K) continue;
                cat[n] = t, cnt[n++] = 0;
            }
            cnt[x]++;
        }
    int best = -1;
    for (int x = 0; x < n; x++)
        if (best < 0 || cnt[x] > cnt[best] || (cnt[x] == cnt[best] && cat[x] < cat[best])) best = x;
    return best < 0 ? -1 : cat[best];
}

void enc_items_reason(const enc_items *it, size_t k, char *buf, size_t cap)
{
    if (cap) buf[0] = 0;
    if (it->rec && k < it->nlast) enc_rec_reason_text(it->rec, &it->last[k], buf, cap);
}

size_t enc_items_pick(enc_items *it, int32_t c, const int32_t *trig, size_t ntrig, int max,
                      int32_t *out)
{
    const enc_snapshot *s = it->s;
    size_t n = 0;
    it->nlast = 0;
    switch (it->from) {
    case ENC_ITEMS_NONE: return 0;
    case ENC_ITEMS_RECOMMENDED: {
        size_t want = (size_t)max < sizeof it->last / sizeof *it->last
                          ? (size_t)max
                          : sizeof it->last / sizeof *it->last;
        it->nlast =
            enc_rec_recommend(it->rec, (enc_rec_kind)it->kind, (size_t)c, it->ws, want, it->last);
        for (size_t k = 0; k < it->nlast; k++) out[n++] = it->last[k].prod;
        return n;
    }
    case ENC_ITEMS_TRIGGER:
        for (size_t k = 0; k < ntrig && n < (size_t)max; k++)
            if (trig[k] >= 0 && !has(out, n, trig[k])) out[n++] = trig[k];
        return n;
    case ENC_ITEMS_COMPLEMENTS:
        for (size_t k = 0; k < ntrig && n < (size_t)max; k++) {
            int32_t p = trig[k];
            if (p < 0) continue;
            for (int64_t x = it->comp_off[p]; x < it->comp_off[p + 1] && n < (size_t)max; x++) {
                int32_t q = it->comp_list[x];
                if (!has(out, n, q) && !has(trig, ntrig, q) && !bought(s, c, q)) out[n++] = q;
            }
        }
        if (n) return n;
        break; /* nothing to complement: best sellers of their category */
    case ENC_ITEMS_UPSELL:
        for (size_t k = 0; k < ntrig && n < (size_t)max; k++) {
            int32_t p = trig[k];
            if (p < 0 || s->prod_cat[p] < 0) continue;
            int32_t leaf = s->prod_cat[p], tier = s->prod_tier[p];
            for (int64_t x = it->cat_off[leaf]; x < it->cat_off[leaf + 1] && n < (size_t)max; x++) {
                int32_t q = it->cat_list[x];
                if (s->prod_tier[q] > tier && !has(out, n, q) && !bought(s, c, q)) out[n++] = q;
            }
        }
        if (n) return n;
        break;
    case ENC_ITEMS_TOP_CATEGORIES:
    case ENC_ITEMS_NEW_ARRIVALS: break;
    }
    /* best sellers (or new arrivals) of the customer's top category, else of the trigger's */
    int32_t top = enc_items_top_category(s, c);
    if (top < 0 && ntrig && trig[0] >= 0) top = s->prod_top[trig[0]];
    if (top < 0) return n;
    for (int64_t x = it->top_off[top]; x < it->top_off[top + 1] && n < (size_t)max; x++) {
        int32_t q = it->top_list[x];
        if (!has(out, n, q) && !has(trig, ntrig, q) && !bought(s, c, q)) out[n++] = q;
    }
    return n;
}
