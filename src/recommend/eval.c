/* eval.c — the time-split evaluation (see eval.h): for each customer of the training snapshot,
 * the held-out set from the full snapshot is marked in a flag array, each method's top K is
 * scored against it, and the marks are cleared again. */
#include "recommend/eval.h"
#include "base/mem.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void enc_latency_summary(double *v, size_t n, enc_latency *out)
{
    *out = (enc_latency){0};
    if (!n) return;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    qsort(v, n, sizeof *v, cmp_dbl);
    out->mean = s / (double)n;
    out->p50 = v[n / 2];
    out->p99 = v[(size_t)ceil(0.99 * (double)n) - 1];
    out->max = v[n - 1];
}

enc_rc enc_eval_run(const enc_rec_model *model, const enc_snapshot *full, int k,
                    const enc_rec_kind *methods, size_t nmethods, enc_eval_result *out,
                    enc_err *err)
{
    const enc_snapshot *tr = model->s;
    memset(out, 0, sizeof *out);
    if (k < 1) return enc_fail(err, ENC_EUSAGE, "evaluate: K must be >= 1");
    if (tr->nprod != full->nprod)
        return enc_fail(err, ENC_EUSAGE, "evaluate: the snapshots hold different catalogues");
    for (size_t p = 0; p < tr->nprod; p++)
        if (strcmp(tr->prod_sku[p], full->prod_sku[p]) != 0)
            return enc_fail(err, ENC_EUSAGE, "evaluate: the snapshots hold different catalogues");
    out->split = tr->as_of;
    out->end = full->as_of;
    out->k = k;
    out->catalogue = tr->nprod;
    size_t np = tr->nprod ? tr->nprod : 1;
    uint8_t *held = enc_xcalloc(np, 1);
    uint8_t *seen = enc_xcalloc(np * (nmethods ? nmethods : 1), 1); /* coverage per method */
    int32_t *hl = enc_xmalloc(np * sizeof *hl);
    enc_rec_item *top = enc_xmalloc((size_t)k * sizeof *top);
    double *lat = enc_xmalloc((tr->ncust ? tr->ncust : 1) * sizeof *lat);
    double *cpu = enc_xmalloc((tr->ncust ? tr->ncust : 1) * sizeof *cpu);
    double sum_h = 0;
    double hit[ENC_REC_NKINDS] = {0}, rec[ENC_REC_NKINDS] = {0}, ap[ENC_REC_NKINDS] = {0};
    enc_rec_ws *w = enc_rec_ws_new(model);
    const enc_itemsim *S = &model->sim;
    size_t nlat = 0;
    for (size_t c = 0; c < tr->ncust; c++) {
        if (S->prof_off[c + 1] == S->prof_off[c]) continue; /* no history before the split */
        ptrdiff_t f = enc_snapshot_find(full, tr->cust_id[c]);
        if (f < 0) continue;
        size_t nh = 0;
        for (int64_t o = full->ord_off[f]; o < full->ord_off[f + 1]; o++) {
            if (full->ord_ts[o] < tr->as_of) continue;
            for (int64_t l = full->line_off[o]; l < full->line_off[o + 1]; l++) {
                int32_t p = full->line_prod[l];
                if (p >= 0 && !held[p]) {
                    held[p] = 1;
                    hl[nh++] = p;
                }
            }
        }
        /* drop what was bought before the split, unless replenishable */
        for (int64_t e = S->prof_off[c]; e < S->prof_off[c + 1]; e++) {
            int32_t p = S->prof_item[e];
            if ((S->prof_how[e] & ENC_HOW_BOUGHT) && tr->prod_replenish[p] <= 0) held[p] = 0;
        }
        size_t kept = 0;
        for (size_t i = 0; i < nh; i++)
            if (held[hl[i]]) hl[kept++] = hl[i];
        nh = kept;
        if (!nh) continue;
        out->customers++;
        sum_h += (double)nh;
        for (size_t mi = 0; mi < nmethods; mi++) {
            enc_rec_kind kind = methods[mi];
            double t0 = 0, c0 = 0;
            if (mi == 0) {
                t0 = clock_s(CLOCK_MONOTONIC);
                c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            }
            size_t n = enc_rec_recommend(model, kind, c, w, (size_t)k, top);
            if (mi == 0) {
                cpu[nlat] = (clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e6;
                lat[nlat++] = (clock_s(CLOCK_MONOTONIC) - t0) * 1e6;
            }
            size_t hits = 0;
            double sp = 0;
            for (size_t i = 0; i < n; i++) {
                seen[mi * np + (size_t)top[i].prod] = 1;
                if (held[top[i].prod]) {
                    hits++;
                    sp += (double)hits / (double)(i + 1);
                }
            }
            hit[kind] += hits > 0;
            out->m[kind].hits += hits > 0;
            rec[kind] += (double)hits / (double)nh;
            ap[kind] += sp / (double)(nh < (size_t)k ? nh : (size_t)k);
        }
        for (size_t i = 0; i < nh; i++) held[hl[i]] = 0;
    }
    for (size_t mi = 0; mi < nmethods; mi++) {
        enc_rec_kind kind = methods[mi];
        enc_eval_metrics *m = &out->m[kind];
        double n = out->customers ? (double)out->customers : 1;
        m->hit_rate = hit[kind] / n;
        m->recall = rec[kind] / n;
        m->map = ap[kind] / n;
        for (size_t p = 0; p < tr->nprod; p++) m->products += seen[mi * np + p];
        m->coverage = tr->nprod ? (double)m->products / (double)tr->nprod : 0;
        out->done[kind] = true;
    }
    out->heldout_mean = out->customers ? sum_h / (double)out->customers : 0;
    enc_latency_summary(lat, nlat, &out->wall);
    enc_latency_summary(cpu, nlat, &out->cpu);
    enc_rec_ws_free(w);
    free(held);
    free(seen);
    free(hl);
    free(top);
    free(lat);
    free(cpu);
    return ENC_OK;
}
