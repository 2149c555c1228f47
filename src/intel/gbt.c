/* gbt.c — gradient-boosted trees for a binary outcome (see gbt.h). With F_i the current
 * log-odds and p_i = 1 / (1 + e^-F_i), each tree is grown on the gradients g_i = p_i - y_i and
 * Hessians h_i = p_i (1 - p_i) of the log-loss: a node with sums G, H has the Newton value
 * w = -G / (H + lambda), a split the gain G_L^2/(H_L+lambda) + G_R^2/(H_R+lambda) -
 * G^2/(H+lambda) (Chen & Guestrin 2016, eqs. 5-7), and F_i moves by eta w of the row's leaf
 * (Friedman 2001, algorithm 5 "L_K TreeBoost" with one Newton step a leaf). Splits are searched
 * on histograms of binned features, a level of the tree a pass over the rows; ties go to the
 * lower feature and the lower cut, so the fit is deterministic. */
#include "intel/gbt.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NCUT (ENC_GBT_BINS - 2)              /* at most 30 cuts: bins 1..31 for values */
#define LEVEL_MAX (1 << (ENC_GBT_DEPTH - 1)) /* nodes split at the deepest splitting level */

void enc_gbt_opts_default(enc_gbt_opts *o)
{
    o->max_trees = 150;
    o->eta = 0.05;
    o->lambda = 1;
    o->min_hess = 3;
    o->patience = 40;
}

typedef struct wsp {
    uint8_t *bin;                   /* n x d bins */
    uint8_t *node;                  /* n: the row's node in the tree being grown */
    double *F, *g, *h, *sort, *cut; /* n, n, n, n, d x NCUT */
    double *hist;                   /* 2 levels x LEVEL_MAX x d x BINS x 2 */
} wsp;

static size_t align8(size_t b) { return (b + 7) & ~(size_t)7; }

static size_t carve(wsp *w, void *base, size_t n, int d)
{
    size_t nd = n * (size_t)d, off = 0;
    char *p = base;
#define TAKE(field, count)                                                                         \
    do {                                                                                           \
        if (p) w->field = (void *)(p + off);                                                       \
        off += align8((count) * sizeof *w->field);                                                 \
    } while (0)
    TAKE(bin, nd);
    TAKE(node, n);
    TAKE(F, n);
    TAKE(g, n);
    TAKE(h, n);
    TAKE(sort, n);
    TAKE(cut, (size_t)d * NCUT);
    TAKE(hist, 2 * (size_t)LEVEL_MAX * (size_t)d * ENC_GBT_BINS * 2);
#undef TAKE
    return off;
}

size_t enc_gbt_ws_size(size_t n, int d)
{
    wsp w = {0};
    if (d < 1 || n > SIZE_MAX / 64 / (size_t)d) return 0;
    return carve(&w, NULL, n ? n : 1, d);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile cut points of column j (finite values only), strictly increasing, each below the
 * column's maximum so that every cut leaves values on both sides. Returns how many. */
static int cuts_of(const double *X, size_t n, int d, int j, double *sort, double *cut)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = X[i * (size_t)d + j];
        if (isfinite(v)) sort[m++] = v;
    }
    if (m < 2) return 0;
    qsort(sort, m, sizeof *sort, cmp_double);
    int nc = 0;
    for (int k = 1; k <= NCUT; k++) {
        double v = sort[(size_t)((double)k * (double)m / (NCUT + 1))];
        if (v >= sort[m - 1] || (nc > 0 && v <= cut[nc - 1])) continue;
        cut[nc++] = v;
    }
    return nc;
}

static inline uint8_t bin_of(double x, const double *cut, int nc)
{
    if (!isfinite(x)) return 0;
    int b = 1;
    while (b - 1 < nc && x > cut[b - 1]) b++;
    return (uint8_t)b;
}

/* !(x > thr): one comparison that also sends NaN left */
static inline int go_left(const enc_gbt_node *nd, double x) { return !(x > nd->thr); }

double enc_gbt_logit(const enc_gbt *m, const double *x)
{
    double f = m->base;
    for (int t = 0; t < m->trees; t++) {
        const enc_gbt_node *tr = m->node[t];
        int k = 0;
        while (tr[k].feat >= 0) k = 2 * k + 2 - go_left(&tr[k], x[tr[k].feat]);
        f += tr[k].value;
    }
    return f;
}

double enc_gbt_contrib(const enc_gbt *m, const double *x, double *contrib)
{
    for (int j = 0; j < m->d; j++) contrib[j] = 0;
    double bias = m->base;
    for (int t = 0; t < m->trees; t++) {
        const enc_gbt_node *tr = m->node[t];
        int k = 0;
        bias += tr[0].value;
        while (tr[k].feat >= 0) {
            int c = 2 * k + 2 - go_left(&tr[k], x[tr[k].feat]);
            contrib[tr[k].feat] += (double)tr[c].value - (double)tr[k].value;
            k = c;
        }
    }
    return bias;
}

static double logloss(double F, uint8_t y)
{
    /* -[y log p + (1-y) log(1-p)] = log(1 + e^F) - y F, stably */
    return (F > 0 ? F : 0) + log1p(exp(-fabs(F))) - (y ? F : 0);
}

/* Grows one tree on w->g, w->h of the training rows into tr. A level's histograms are summed
 * over the rows only for the smaller child of each split; the larger child's is its parent's
 * minus the smaller's (LightGBM's histogram subtraction, Ke et al. 2017, section 2), so a tree
 * costs about two passes over the rows' bins instead of one a level. */
static void grow(const wsp *w, const uint8_t *train, size_t n, int d, const int *nc,
                 const enc_gbt_opts *o, enc_gbt_node *tr)
{
    const size_t HB = (size_t)d * ENC_GBT_BINS * 2;
    double G[ENC_GBT_NODES] = {0}, H[ENC_GBT_NODES] = {0};
    size_t cnt[ENC_GBT_NODES] = {0};
    int open[ENC_GBT_NODES] = {0}, split[ENC_GBT_NODES] = {0}, sum[ENC_GBT_NODES] = {0};
    for (int k = 0; k < ENC_GBT_NODES; k++)
        tr[k] = (enc_gbt_node){.thr = 0, .value = 0, .feat = -1};
    for (size_t i = 0; i < n; i++) {
        w->node[i] = 0;
        if (train && !train[i]) continue;
        G[0] += w->g[i];
        H[0] += w->h[i];
        cnt[0]++;
    }
    open[0] = sum[0] = 1;
    for (int level = 0; level < ENC_GBT_DEPTH; level++) {
        int first = (1 << level) - 1, count = 1 << level, any = 0;
        for (int q = 0; q < count; q++) any |= open[first + q];
        if (!any) break;
        double *cur = w->hist + (size_t)(level & 1) * LEVEL_MAX * HB,
               *par = w->hist + (size_t)(~level & 1) * LEVEL_MAX * HB;
        for (int q = 0; q < count; q++)
            if (sum[first + q]) memset(cur + (size_t)q * HB, 0, HB * sizeof *cur);
        for (size_t i = 0; i < n; i++) {
            if (train && !train[i]) continue;
            int q = w->node[i] - first;
            if (q < 0 || q >= count || !sum[first + q]) continue;
            double *hq = cur + (size_t)q * HB;
            const uint8_t *b = w->bin + i * (size_t)d;
            double gi = w->g[i], hi = w->h[i];
            for (int j = 0; j < d; j++) {
                double *c = hq + ((size_t)j * ENC_GBT_BINS + b[j]) * 2;
                c[0] += gi;
                c[1] += hi;
            }
        }
        for (int q = 0; q < count; q++) { /* the larger siblings: parent minus smaller */
            int k = first + q;
            if (!open[k] || sum[k]) continue;
            int sib = (k & 1) ? k + 1 : k - 1, pq = (k - 1) / 2 - ((1 << (level - 1)) - 1);
            const double *hp = par + (size_t)pq * HB, *hs = cur + (size_t)(sib - first) * HB;
            double *hq = cur + (size_t)q * HB;
            for (size_t c = 0; c < HB; c++) hq[c] = hp[c] - hs[c];
        }
        for (int q = 0; q < count; q++) {
            int k = first + q;
            if (!open[k]) continue;
            double best = 1e-9, parent = G[k] * G[k] / (H[k] + o->lambda);
            int bj = -1, bs = 0;
            double bGL = 0, bHL = 0;
            const double *hq = cur + (size_t)q * HB;
            for (int j = 0; j < d; j++) {
                double GL = 0, HL = 0;
                for (int s = 0; s <= nc[j]; s++) { /* left = bins 0..s */
                    GL += hq[((size_t)j * ENC_GBT_BINS + s) * 2];
                    HL += hq[((size_t)j * ENC_GBT_BINS + s) * 2 + 1];
                    double GR = G[k] - GL, HR = H[k] - HL;
                    if (HL < o->min_hess || HR < o->min_hess) continue;
                    double gain = GL * GL / (HL + o->lambda) + GR * GR / (HR + o->lambda) - parent;
                    if (gain > best) {
                        best = gain;
                        bj = j;
                        bs = s;
                        bGL = GL;
                        bHL = HL;
                    }
                }
            }
            if (bj < 0) continue;
            tr[k].feat = (int8_t)bj;
            split[k] = bs;
            tr[k].thr = bs == 0 ? -INFINITY : w->cut[(size_t)bj * NCUT + (size_t)(bs - 1)];
            int l = 2 * k + 1, r = 2 * k + 2;
            G[l] = bGL, H[l] = bHL, G[r] = G[k] - bGL, H[r] = H[k] - bHL;
            open[l] = open[r] = level + 1 < ENC_GBT_DEPTH;
        }
        for (size_t i = 0; i < n; i++) { /* every row follows, validation rows too */
            int k = w->node[i];
            if (k < first || tr[k].feat < 0) continue;
            int left = w->bin[i * (size_t)d + tr[k].feat] <= split[k];
            w->node[i] = (uint8_t)(left ? 2 * k + 1 : 2 * k + 2);
            if (!train || train[i]) cnt[w->node[i]]++;
        }
        for (int k = first; k < first + count; k++) /* sum the smaller child (left on ties) */
            if (tr[k].feat >= 0 && open[2 * k + 1]) {
                int lsm = cnt[2 * k + 1] <= cnt[2 * k + 2];
                sum[2 * k + 1] = lsm;
                sum[2 * k + 2] = !lsm;
            }
    }
    for (int k = 0; k < ENC_GBT_NODES; k++)
        tr[k].value = (float)(-o->eta * G[k] / (H[k] + o->lambda));
}

enc_rc enc_gbt_fit(const double *X, const uint8_t *y, const uint8_t *train, size_t n, int d,
                   const enc_gbt_opts *o, enc_gbt *m, int *best_trees, void *ws, enc_err *err)
{
    if (d < 1 || d > ENC_GBT_MAX_FEATURES)
        return enc_fail(err, ENC_EUSAGE, "gbt: %d features: must be 1..%d", d,
                        ENC_GBT_MAX_FEATURES);
    if (o->max_trees < 1 || o->max_trees > ENC_GBT_MAX_TREES || !(o->eta > 0 && o->eta <= 1) ||
        !(o->lambda >= 0) || !(o->min_hess >= 0))
        return enc_fail(err, ENC_EUSAGE, "gbt: options out of range");
    size_t nt = 0, pos = 0, nv = 0;
    for (size_t i = 0; i < n; i++) {
        if (train && !train[i]) {
            nv++;
            continue;
        }
        nt++;
        pos += y[i] != 0;
    }
    if (pos == 0 || pos == nt)
        return enc_fail(err, ENC_EUSAGE,
                        "gbt: training rows need both outcomes (%zu positive of %zu)", pos, nt);
    wsp w = {0};
    carve(&w, ws, n ? n : 1, d);
    int nc[ENC_GBT_MAX_FEATURES];
    for (int j = 0; j < d; j++) {
        nc[j] = cuts_of(X, n, d, j, w.sort, w.cut + (size_t)j * NCUT);
        for (size_t i = 0; i < n; i++)
            w.bin[i * (size_t)d + j] =
                bin_of(X[i * (size_t)d + j], w.cut + (size_t)j * NCUT, nc[j]);
    }
    memset(m, 0, sizeof *m);
    m->d = d;
    double ybar = (double)pos / (double)nt;
    m->base = log(ybar / (1 - ybar));
    for (size_t i = 0; i < n; i++) w.F[i] = m->base;
    double best = INFINITY;
    int best_t = 0;
    for (int t = 0; t < o->max_trees; t++) {
        for (size_t i = 0; i < n; i++) {
            double e = exp(-fabs(w.F[i])), p = w.F[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
            w.g[i] = p - (y[i] ? 1.0 : 0.0);
            w.h[i] = p * (1 - p);
        }
        enc_gbt_node *tr = m->node[t];
        grow(&w, train, n, d, nc, o, tr);
        m->trees = t + 1;
        double vl = 0;
        for (size_t i = 0; i < n; i++) {
            w.F[i] += tr[w.node[i]].value;
            if (train && !train[i]) vl += logloss(w.F[i], y[i]);
        }
        if (!nv) continue;
        if (vl < best - 1e-12) {
            best = vl;
            best_t = t + 1;
        } else if (t + 1 - best_t >= o->patience) {
            break;
        }
    }
    if (nv) m->trees = best_t;
    if (best_trees) *best_trees = m->trees;
    return ENC_OK;
}
