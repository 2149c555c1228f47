/* itemsim.c — customer profiles and top-M cosine neighbours (see itemsim.h). The neighbour step
 * transposes the profiles to product -> customers and, for each product i, accumulates the dot
 * products with every product its customers touched into a dense workspace; products are handed
 * out to worker threads in small chunks, each thread with its own workspace, and each product's
 * top M go to fixed slots that are compacted to CSR at the end. */
#include "recommend/itemsim.h"
#include "base/mem.h"
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

void enc_itemsim_defaults(enc_itemsim_opts *o)
{
    *o = (enc_itemsim_opts){.w_purchase = 1.0f,
                            .w_cart = 0.6f,
                            .w_favorite = 0.45f,
                            .w_view = 0.3f,
                            .half_life_days = 180,
                            .now = ENC_NO_TIME,
                            .top_m = 20,
                            .threads = 2};
}

void enc_itemsim_free(enc_itemsim *m)
{
    free(m->prof_off);
    free(m->prof_item);
    free(m->prof_w);
    free(m->prof_how);
    free(m->prof_bought);
    free(m->nb_off);
    free(m->nb_item);
    free(m->nb_sim);
    memset(m, 0, sizeof *m);
}

/* ---- neighbours -------------------------------------------------------------------------- */

typedef struct job {
    size_t nprod, ncust;
    const int64_t *off; /* customer -> products */
    const int32_t *item;
    const float *w;
    const int64_t *ioff; /* product -> customers */
    const int32_t *icust;
    const float *iw;
    const double *norm;
    int32_t m;
    int32_t *slot_item; /* nprod * m */
    float *slot_sim;
    int32_t *slot_n;
    atomic_size_t next;
} job;

/* heap order: a is worse than b (lower sim, or equal sim and higher id) */
static inline bool worse(float sa, int32_t a, float sb, int32_t b)
{
    return sa < sb || (sa == sb && a > b);
}

/* min-heap of the best m so far, worst at the root */
static void sift_down(float *hs, int32_t *hi, size_t n, size_t k)
{
    for (;;) {
        size_t l = 2 * k + 1, r = l + 1, m = k;
        if (l < n && worse(hs[l], hi[l], hs[m], hi[m])) m = l;
        if (r < n && worse(hs[r], hi[r], hs[m], hi[m])) m = r;
        if (m == k) return;
        float ts = hs[k];
        hs[k] = hs[m];
        hs[m] = ts;
        int32_t ti = hi[k];
        hi[k] = hi[m];
        hi[m] = ti;
        k = m;
    }
}

static void sift_up(float *hs, int32_t *hi, size_t k)
{
    while (k) {
        size_t p = (k - 1) / 2;
        if (!worse(hs[k], hi[k], hs[p], hi[p])) return;
        float ts = hs[k];
        hs[k] = hs[p];
        hs[p] = ts;
        int32_t ti = hi[k];
        hi[k] = hi[p];
        hi[p] = ti;
        k = p;
    }
}

static void *worker(void *arg)
{
    job *J = arg;
    size_t np = J->nprod;
    double *acc = enc_xcalloc(np ? np : 1, sizeof *acc);
    uint8_t *seen = enc_xcalloc(np ? np : 1, 1);
    int32_t *touched = enc_xmalloc((np ? np : 1) * sizeof *touched);
    const size_t chunk = 8;
    for (;;) {
        size_t lo = atomic_fetch_add(&J->next, chunk);
        if (lo >= np) break;
        size_t hi = lo + chunk < np ? lo + chunk : np;
        for (size_t i = lo; i < hi; i++) {
            size_t nt = 0;
            for (int64_t k = J->ioff[i]; k < J->ioff[i + 1]; k++) {
                int32_t c = J->icust[k];
                double rci = J->iw[k];
                for (int64_t e = J->off[c]; e < J->off[c + 1]; e++) {
                    int32_t j = J->item[e];
                    if (!seen[j]) {
                        seen[j] = 1;
                        touched[nt++] = j;
                    }
                    acc[j] += rci * (double)J->w[e];
                }
            }
            float *hs = J->slot_sim + i * (size_t)J->m;
            int32_t *hj = J->slot_item + i * (size_t)J->m;
            size_t n = 0;
            for (size_t t = 0; t < nt; t++) {
                int32_t j = touched[t];
                double d = acc[j];
                acc[j] = 0;
                seen[j] = 0;
                if ((size_t)j == i || d <= 0) continue;
                float sim = (float)(d / (J->norm[i] * J->norm[j]));
                if (n < (size_t)J->m) {
                    hs[n] = sim;
                    hj[n] = j;
                    sift_up(hs, hj, n++);
                } else if (worse(hs[0], hj[0], sim, j)) {
                    hs[0] = sim;
                    hj[0] = j;
                    sift_down(hs, hj, n, 0);
                }
            }
            /* heap sort: repeatedly move the worst to the end -> best first */
            for (size_t k = n; k > 1; k--) {
                float ts = hs[0];
                hs[0] = hs[k - 1];
                hs[k - 1] = ts;
                int32_t ti = hj[0];
                hj[0] = hj[k - 1];
                hj[k - 1] = ti;
                sift_down(hs, hj, k - 1, 0);
            }
            J->slot_n[i] = (int32_t)n;
        }
    }
    free(acc);
    free(seen);
    free(touched);
    return NULL;
}

enc_rc enc_itemsim_neighbours(size_t nprod, size_t ncust, const int64_t *off, const int32_t *item,
                              const float *w, int32_t top_m, int threads, enc_itemsim *out,
                              enc_err *err)
{
    if (top_m < 1) return enc_fail(err, ENC_EUSAGE, "itemsim: top_m must be >= 1");
    if (nprod > (size_t)INT32_MAX || ncust > (size_t)INT32_MAX)
        return enc_fail(err, ENC_ELIMIT, "itemsim: too many products or customers");
    size_t slots;
    if (!enc_mul_ok(nprod, (size_t)top_m, &slots))
        return enc_fail(err, ENC_ELIMIT, "itemsim: %zu products x %d neighbours", nprod, top_m);
    size_t nent = ncust ? (size_t)off[ncust] : 0;
    /* transpose: product -> (customer, weight), customers ascending */
    int64_t *ioff = enc_xcalloc(nprod + 1, sizeof *ioff);
    int32_t *icust = enc_xmalloc((nent ? nent : 1) * sizeof *icust);
    float *iw = enc_xmalloc((nent ? nent : 1) * sizeof *iw);
    double *norm = enc_xcalloc(nprod ? nprod : 1, sizeof *norm);
    for (size_t e = 0; e < nent; e++) ioff[item[e] + 1]++;
    for (size_t i = 0; i < nprod; i++) ioff[i + 1] += ioff[i];
    int64_t *pos = enc_xmalloc((nprod ? nprod : 1) * sizeof *pos);
    memcpy(pos, ioff, nprod * sizeof *pos);
    for (size_t c = 0; c < ncust; c++)
        for (int64_t e = off[c]; e < off[c + 1]; e++) {
            int64_t p = pos[item[e]]++;
            icust[p] = (int32_t)c;
            iw[p] = w[e];
            norm[item[e]] += (double)w[e] * (double)w[e];
        }
    free(pos);
    for (size_t i = 0; i < nprod; i++) norm[i] = sqrt(norm[i]);

    job J = {.nprod = nprod,
             .ncust = ncust,
             .off = off,
             .item = item,
             .w = w,
             .ioff = ioff,
             .icust = icust,
             .iw = iw,
             .norm = norm,
             .m = top_m};
    J.slot_item = enc_xmalloc((slots ? slots : 1) * sizeof *J.slot_item);
    J.slot_sim = enc_xmalloc((slots ? slots : 1) * sizeof *J.slot_sim);
    J.slot_n = enc_xcalloc(nprod ? nprod : 1, sizeof *J.slot_n);
    atomic_init(&J.next, 0);
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    if ((size_t)threads > nprod / 64 + 1) threads = (int)(nprod / 64 + 1);
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, worker, &J) == 0) started++;
    worker(&J);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);

    free(out->nb_off);
    free(out->nb_item);
    free(out->nb_sim);
    out->nprod = nprod;
    out->ncust = ncust;
    out->nb_off = enc_xmalloc((nprod + 1) * sizeof *out->nb_off);
    size_t tot = 0;
    for (size_t i = 0; i < nprod; i++) tot += (size_t)J.slot_n[i];
    out->nb_item = enc_xmalloc((tot ? tot : 1) * sizeof *out->nb_item);
    out->nb_sim = enc_xmalloc((tot ? tot : 1) * sizeof *out->nb_sim);
    size_t k = 0;
    out->nb_off[0] = 0;
    for (size_t i = 0; i < nprod; i++) {
        memcpy(out->nb_item + k, J.slot_item + i * (size_t)top_m,
               (size_t)J.slot_n[i] * sizeof(int32_t));
        memcpy(out->nb_sim + k, J.slot_sim + i * (size_t)top_m,
               (size_t)J.slot_n[i] * sizeof(float));
        k += (size_t)J.slot_n[i];
        out->nb_off[i + 1] = (int64_t)k;
    }
    free(J.slot_item);
    free(J.slot_sim);
    free(J.slot_n);
    free(ioff);
    free(icust);
    free(iw);
    free(norm);
    return ENC_OK;
}

/* ---- profiles ---------------------------------------------------------------------------- */

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* the interaction an event type counts as (ENC_HOW_*), 0 for none */
static uint8_t how_of(uint8_t t)
{
    switch (t) {
    case EV_PURCHASE: return ENC_HOW_BOUGHT;
    case EV_CART_ADD: return ENC_HOW_CART;
    case EV_FAVORITE: return ENC_HOW_FAVORITE;
    case EV_VIEW:
    case EV_CLICK: return ENC_HOW_VIEW;
    default: return 0;
    }
}

enc_rc enc_itemsim_build(const enc_snapshot *s, const enc_itemsim_opts *o, enc_itemsim *out,
                         enc_err *err)
{
    enc_itemsim_free(out);
    int64_t now = o->now;
    if (now == ENC_NO_TIME) {
        now = s->as_of;
        if (now == INT64_MAX) {
            now = INT64_MIN;
            for (size_t k = 0; k < s->nord; k++)
                if (s->ord_ts[k] > now) now = s->ord_ts[k];
            for (size_t k = 0; k < s->nev; k++)
                if (s->ev_ts[k] > now) now = s->ev_ts[k];
            now = now == INT64_MIN ? 0 : now + 1;
        }
    }
    out->now = now;
    size_t np = s->nprod, nc = s->ncust;
    /* per product weight of each interaction kind: bought, cart, favourite, view */
    const float wt[9] = {[ENC_HOW_BOUGHT] = o->w_purchase,
                         [ENC_HOW_CART] = o->w_cart,
                         [ENC_HOW_FAVORITE] = o->w_favorite,
                         [ENC_HOW_VIEW] = o->w_view};
    /* decay 2^(-age/h) = exp(-age * ln2 / h) with age in seconds */
    double lam = o->half_life_days > 0 ? M_LN2 / (o->half_life_days * 86400.0) : 0;
    float *wmax = enc_xcalloc(np ? np : 1, sizeof *wmax);
    uint8_t *how = enc_xcalloc(np ? np : 1, 1);
    int64_t *lastb = enc_xmalloc((np ? np : 1) * sizeof *lastb);
    for (size_t i = 0; i < np; i++) lastb[i] = ENC_NO_TIME;
    int32_t *touched = enc_xmalloc((np ? np : 1) * sizeof *touched);
    size_t cap = s->nline + s->nev / 4 + 16, n = 0;
    out->prof_off = enc_xmalloc((nc + 1) * sizeof *out->prof_off);
    out->prof_item = enc_xmalloc(cap * sizeof *out->prof_item);
    out->prof_w = enc_xmalloc(cap * sizeof *out->prof_w);
    out->prof_how = enc_xmalloc(cap);
    out->prof_bought = enc_xmalloc(cap * sizeof *out->prof_bought);
    out->prof_off[0] = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t nt = 0;
#define TOUCH(p, kind, ts)                                                                         \
    do {                                                                                           \
        int32_t p_ = (p);                                                                          \
        int64_t age_ = now - (ts);                                                                 \
        float v_ = wt[kind] * (float)(lam > 0 && age_ > 0 ? exp(-(double)age_ * lam) : 1.0);       \
        if (!how[p_]) touched[nt++] = p_;                                                          \
        how[p_] |= (kind);                                                                         \
        if (v_ > wmax[p_]) wmax[p_] = v_;                                                          \
        if ((kind) == ENC_HOW_BOUGHT && (ts) > lastb[p_]) lastb[p_] = (ts);                        \
    } while (0)
        for (int64_t k = s->ord_off[c]; k < s->ord_off[c + 1]; k++)
            for (int64_t l = s->line_off[k]; l < s->line_off[k + 1]; l++)
                if (s->line_prod[l] >= 0) TOUCH(s->line_prod[l], ENC_HOW_BOUGHT, s->ord_ts[k]);
        for (int64_t k = s->ev_off[c]; k < s->ev_off[c + 1]; k++) {
            uint8_t h = how_of(s->ev_type[k]);
            if (h && s->ev_prod[k] >= 0) TOUCH(s->ev_prod[k], h, s->ev_ts[k]);
        }
#undef TOUCH
        qsort(touched, nt, sizeof *touched, cmp_i32);
        if (n + nt > cap) {
            while (n + nt > cap) cap *= 2;
            out->prof_item = enc_xrealloc(out->prof_item, cap * sizeof *out->prof_item);
            out->prof_w = enc_xrealloc(out->prof_w, cap * sizeof *out->prof_w);
            out->prof_how = enc_xrealloc(out->prof_how, cap);
            out->prof_bought = enc_xrealloc(out->prof_bought, cap * sizeof *out->prof_bought);
        }
        for (size_t t = 0; t < nt; t++) {
            int32_t p = touched[t];
            out->prof_item[n] = p;
            out->prof_w[n] = wmax[p];
            out->prof_how[n] = how[p];
            out->prof_bought[n] = lastb[p];
            n++;
            wmax[p] = 0;
            how[p] = 0;
            lastb[p] = ENC_NO_TIME;
        }
        out->prof_off[c + 1] = (int64_t)n;
    }
    free(wmax);
    free(how);
    free(lastb);
    free(touched);
    return enc_itemsim_neighbours(np, nc, out->prof_off, out->prof_item, out->prof_w, o->top_m,
                                  o->threads, out, err);
}
