/* upsell.c — up-sell alternatives (see upsell.h): products are grouped by leaf category and
 * sorted by price, so each product scans only the products priced within its step window. */
#include "recommend/upsell.h"
#include "base/mem.h"
#include <stdlib.h>
#include <string.h>

void enc_upsell_defaults(enc_upsell_opts *o)
{
    *o = (enc_upsell_opts){.max_step = 2.0, .min_step = 1.1, .min_buyers = 3, .top_m = 5};
}

void enc_upsell_free(enc_upsell *u)
{
    free(u->off);
    free(u->item);
    free(u->score);
    memset(u, 0, sizeof *u);
}

typedef struct cand {
    int32_t p;
    float score;
    int64_t price;
} cand;

/* best first: score desc, price asc, id asc */
static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->price != y->price) return x->price < y->price ? -1 : 1;
    return (x->p > y->p) - (x->p < y->p);
}

typedef struct byprice {
    const int32_t *cat;
    const int64_t *price;
} byprice;

static int cmp_cat_price(const void *a, const void *b, void *arg)
{
    const byprice *k = arg;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (k->cat[x] != k->cat[y]) return k->cat[x] < k->cat[y] ? -1 : 1;
    if (k->price[x] != k->price[y]) return k->price[x] < k->price[y] ? -1 : 1;
    return (x > y) - (x < y);
}

enc_rc enc_upsell_build(const enc_snapshot *s, const int32_t *buyers, const uint8_t *blocked,
                        const enc_upsell_opts *o, enc_upsell *out, enc_err *err)
{
    enc_upsell_free(out);
    if (o->top_m < 1) return enc_fail(err, ENC_EUSAGE, "upsell: top_m must be >= 1");
    size_t np = s->nprod;
    /* products with a category and a price, by (category, price) */
    int32_t *ord = enc_xmalloc((np ? np : 1) * sizeof *ord);
    size_t n = 0;
    for (size_t p = 0; p < np; p++)
        if (s->prod_cat[p] >= 0 && s->prod_price[p] > 0) ord[n++] = (int32_t)p;
    byprice key = {s->prod_cat, s->prod_price};
    qsort_r(ord, n, sizeof *ord, cmp_cat_price, &key);

    out->nprod = np;
    out->off = enc_xcalloc(np + 1, sizeof *out->off);
    size_t cap = 64, len = 0;
    out->item = enc_xmalloc(cap * sizeof *out->item);
    out->score = enc_xmalloc(cap * sizeof *out->score);
    int32_t *first = enc_xmalloc((np + 1) * sizeof *first); /* per p: [a, b) into the sorted list */
    int32_t *cnt = enc_xcalloc(np + 1, sizeof *cnt);
    cand *cv = NULL;
    size_t cvcap = 0;
    /* alternatives per product, written in product order through a second pass below */
    int32_t *tmp_item = NULL;
    float *tmp_score = NULL;
    size_t tcap = 0, tlen = 0;
    for (size_t a = 0; a < n; a++) {
        int32_t p = ord[a];
        int64_t pp = s->prod_price[p];
        /* steps compare with a relative tolerance: 1.1 * 50000 is 55000 plus a rounding bit */
        double hi = o->max_step > 0 ? o->max_step * (double)pp * (1 + 1e-9) : 1e300;
        double lo = o->min_step * (double)pp * (1 - 1e-9);
        size_t m = 0;
        /* sorted by price: everything before p's position costs no more than p */
        for (size_t b = a + 1; b < n && s->prod_cat[ord[b]] == s->prod_cat[p]; b++) {
            int32_t q = ord[b];
            int64_t qp = s->prod_price[q];
            if (q == p || qp <= pp) continue;
            if ((double)qp > hi) break;
            if (blocked && blocked[q]) continue;
            if (buyers[q] < o->min_buyers) continue;
            int d = 1;
            if (s->prod_tier[p] > 0 && s->prod_tier[q] > 0) {
                if (s->prod_tier[q] <= s->prod_tier[p]) continue;
                d = s->prod_tier[q] - s->prod_tier[p];
            } else if ((double)qp < lo) {
                continue;
            }
            float sc = (float)buyers[q];
            for (int k = 1; k < d; k++) sc *= 0.5f;
            ENC_GROW(cv, cvcap, m + 1);
            cv[m++] = (cand){q, sc, qp};
        }
        if (m > 1) qsort(cv, m, sizeof *cv, cmp_cand);
        if (m > (size_t)o->top_m) m = (size_t)o->top_m;
        first[p] = (int32_t)tlen;
        cnt[p] = (int32_t)m;
        ENC_GROW(tmp_item, tcap, tlen + m + 1);
        tmp_score = enc_xrealloc(tmp_score, tcap * sizeof *tmp_score);
        for (size_t k = 0; k < m; k++) {
            tmp_item[tlen] = cv[k].p;
            tmp_score[tlen++] = cv[k].score;
        }
    }
    for (size_t p = 0; p < np; p++) {
        out->off[p] = (int64_t)len;
        if (!cnt[p]) continue;
        ENC_GROW(out->item, cap, len + (size_t)cnt[p]);
        out->score = enc_xrealloc(out->score, cap * sizeof *out->score);
        memcpy(out->item + len, tmp_item + first[p], (size_t)cnt[p] * sizeof *out->item);
        memcpy(out->score + len, tmp_score + first[p], (size_t)cnt[p] * sizeof *out->score);
        len += (size_t)cnt[p];
    }
    out->off[np] = (int64_t)len;
    free(cv);
    free(tmp_item);
    free(tmp_score);
    free(first);
    free(cnt);
    free(ord);
    return ENC_OK;
}
