/* rules.c — association rules from frequent itemsets (see rules.h). Every itemset's support is
 * put in a hash map keyed by its sorted item ids; for each set Z the consequents Y are grown one
 * item at a time in id order, and a Y whose rule misses the confidence threshold is not grown:
 * confidence c(Z)/c(Z\Y) can only fall as Y grows, since c(Z\Y) can only rise. */
#include "recommend/rules.h"
#include "base/map.h"
#include "base/mem.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CONF_EPS 1e-12

typedef struct gen {
    const enc_itemsets *sets;
    const enc_rule_opts *o;
    enc_smap *sup; /* sorted item ids (bytes) -> count */
    enc_rules *out;
    int32_t N;
    int32_t max_y;
    int32_t *xbuf, *ybuf; /* scratch: X and Y of the rule at hand */
    bool missing, full;
} gen;

static int32_t lookup(gen *g, const int32_t *items, int32_t n)
{
    if (n == 0) return g->N;
    int64_t *v = enc_smap_get(g->sup, (const char *)items, (size_t)n * sizeof *items);
    if (!v) {
        g->missing = true;
        return -1;
    }
    return (int32_t)*v;
}

static void rules_push(gen *g, const int32_t *x, int32_t nx, const int32_t *y, int32_t ny,
                       int32_t cz, int32_t cx, int32_t cy)
{
    enc_rules *r = g->out;
    if (g->o->max_rules && r->n >= g->o->max_rules) {
        g->full = true;
        return;
    }
    ENC_GROW(r->r, r->cap, r->n + 1);
    ENC_GROW(r->items, r->items_cap, r->items_len + (size_t)nx + (size_t)ny);
    enc_rule *u = &r->r[r->n++];
    u->off = (int64_t)r->items_len;
    memcpy(r->items + r->items_len, x, (size_t)nx * sizeof *x);
    memcpy(r->items + r->items_len + nx, y, (size_t)ny * sizeof *y);
    r->items_len += (size_t)nx + (size_t)ny;
    u->n_if = nx;
    u->n_then = ny;
    u->count = cz;
    u->count_if = cx;
    u->count_then = cy;
    double N = g->N;
    u->support = cz / N;
    u->confidence = (double)cz / cx;
    u->lift = (double)cz * N / ((double)cx * cy);
    u->conviction = cz == cx ? INFINITY : ((N - cy) * cx) / (N * (double)(cx - cz));
    u->leverage = cz / N - (cx / N) * (cy / N);
}

/* Z = items[0..k) with count cz; ymask-chosen positions form Y; extends Y with positions >= from.
 */
static void grow(gen *g, const int32_t *z, int32_t k, int32_t cz, int32_t *ypos, int32_t ny,
                 int32_t from)
{
    for (int32_t p = from; p < k && !g->full && !g->missing; p++) {
        ypos[ny] = p;
        int32_t n_y = ny + 1;
        if (n_y == k && k > 1) continue; /* X would be empty: only for one-item sets */
        /* split Z into X and Y by the chosen positions (both stay ascending) */
        int32_t nx = 0, yy = 0;
        for (int32_t i = 0, q = 0; i < k; i++) {
            if (q < n_y && ypos[q] == i) {
                g->ybuf[yy++] = z[i];
                q++;
            } else {
                g->xbuf[nx++] = z[i];
            }
        }
        int32_t cx = lookup(g, g->xbuf, nx);
        if (cx < 0) return;
        double conf = (double)cz / cx;
        if (conf < g->o->min_confidence - CONF_EPS) continue; /* and no Y grown from this one */
        int32_t cy = lookup(g, g->ybuf, n_y);
        if (cy < 0) return;
        double lift = (double)cz * g->N / ((double)cx * cy);
        if (!(g->o->min_lift > 0 && lift < g->o->min_lift - CONF_EPS))
            rules_push(g, g->xbuf, nx, g->ybuf, n_y, cz, cx, cy);
        if (n_y < g->max_y) grow(g, z, k, cz, ypos, n_y, p + 1);
    }
}

enc_rc enc_rules_mine(const enc_itemsets *sets, const enc_rule_opts *o, enc_rules *out,
                      enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->n_baskets = sets->n_baskets;
    if (!(o->min_confidence >= 0 && o->min_confidence <= 1))
        return enc_fail(err, ENC_EUSAGE, "minimum confidence must be in [0, 1]");
    if (!(o->min_lift >= 0)) return enc_fail(err, ENC_EUSAGE, "minimum lift must be >= 0");
    if (sets->n_baskets <= 0) return ENC_OK;
    gen g = {.sets = sets, .o = o, .out = out, .N = sets->n_baskets};
    g.sup = enc_smap_new(sets->n);
    for (size_t i = 0; i < sets->n; i++) {
        const int32_t *p = sets->items + sets->off[i];
        size_t n = (size_t)(sets->off[i + 1] - sets->off[i]);
        enc_smap_put(g.sup, (const char *)p, n * sizeof *p, sets->count[i], NULL);
    }
    int32_t ms = sets->max_size > 0 ? sets->max_size : 1;
    g.xbuf = enc_xmalloc((size_t)ms * sizeof *g.xbuf);
    g.ybuf = enc_xmalloc((size_t)ms * sizeof *g.ybuf);
    int32_t *ypos = enc_xmalloc((size_t)ms * sizeof *ypos);
    int32_t min_len = o->min_len > 0 ? o->min_len : 1;
    for (size_t i = 0; i < sets->n && !g.full && !g.missing; i++) {
        int32_t k = (int32_t)(sets->off[i + 1] - sets->off[i]);
        if (k < min_len || (o->max_len > 0 && k > o->max_len)) continue;
        g.max_y = o->max_consequent > 0 && o->max_consequent < k ? o->max_consequent : k;
        grow(&g, sets->items + sets->off[i], k, sets->count[i], ypos, 0, 0);
    }
    free(ypos);
    free(g.xbuf);
    free(g.ybuf);
    enc_smap_free(g.sup);
    if (g.missing) {
        enc_rules_free(out);
        return enc_fail(err, ENC_EUSAGE,
                        "itemsets are not closed under subsets (not one full run)");
    }
    if (g.full) {
        enc_rules_free(out);
        return enc_fail(err, ENC_ELIMIT, "more than %zu rules; raise the thresholds", o->max_rules);
    }
    return ENC_OK;
}

void enc_rules_free(enc_rules *r)
{
    free(r->r);
    free(r->items);
    int32_t nb = r->n_baskets;
    memset(r, 0, sizeof *r);
    r->n_baskets = nb;
}

bool enc_rule_order_parse(const char *s, enc_rule_order *out)
{
    static const char *names[] = {"lift", "confidence", "support", "conviction", "leverage"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i])) {
            *out = (enc_rule_order)i;
            return true;
        }
    return false;
}

typedef struct sort_ctx {
    const enc_rules *r;
    enc_rule_order by;
} sort_ctx;

static double key(const enc_rule *u, enc_rule_order by)
{
    switch (by) {
    case ENC_RULES_BY_CONFIDENCE: return u->confidence;
    case ENC_RULES_BY_SUPPORT: return u->support;
    case ENC_RULES_BY_CONVICTION: return u->conviction;
    case ENC_RULES_BY_LEVERAGE: return u->leverage;
    default: return u->lift;
    }
}

#define DESC(a, b)                                                                                 \
    do {                                                                                           \
        if ((a) != (b)) return (a) > (b) ? -1 : 1;                                                 \
    } while (0)

static int cmp_rule(const void *a, const void *b, void *arg)
{
    const sort_ctx *c = arg;
    const enc_rule *x = a, *y = b;
    DESC(key(x, c->by), key(y, c->by));
    DESC(x->lift, y->lift);
    DESC(x->confidence, y->confidence);
    DESC(x->count, y->count);
    /* fewer items first, then ids ascending: X, then Y */
    if (x->n_if + x->n_then != y->n_if + y->n_then)
        return x->n_if + x->n_then < y->n_if + y->n_then ? -1 : 1;
    if (x->n_if != y->n_if) return x->n_if < y->n_if ? -1 : 1;
    const int32_t *p = c->r->items + x->off, *q = c->r->items + y->off;
    for (int32_t i = 0; i < x->n_if + x->n_then; i++)
        if (p[i] != q[i]) return p[i] < q[i] ? -1 : 1;
    return 0;
}

void enc_rules_sort(enc_rules *r, enc_rule_order by)
{
    sort_ctx c = {r, by};
    if (r->n > 1) qsort_r(r->r, r->n, sizeof *r->r, cmp_rule, &c);
}
