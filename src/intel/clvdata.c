/* clvdata.c — transactions to the per-customer (x, t_x, T) summary, holdout counts and mean
 * spend (see clvdata.h for the conventions); grouping of identical rows into weights. Rows not
 * sorted by (customer, day) are bucketed by customer (counting sort) and each customer's days
 * sorted; sorted input is read in place. */
#include "intel/clvdata.h"

#include "base/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct dv {
    int32_t day;
    double v;
} dv;

static int cmp_dv(const void *a, const void *b)
{
    int32_t x = ((const dv *)a)->day, y = ((const dv *)b)->day;
    return (x > y) - (x < y);
}

static void sort_days(dv *p, size_t n)
{
    if (n > 32) {
        qsort(p, n, sizeof *p, cmp_dv);
        return;
    }
    for (size_t i = 1; i < n; i++) { /* insertion sort: most customers have a few rows */
        dv t = p[i];
        size_t j = i;
        while (j > 0 && p[j - 1].day > t.day) {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = t;
    }
}

/* One customer's sorted rows into its summary fields. */
static void summarize_one(const dv *r, size_t k, const enc_clv_period *pe, double unit,
                          enc_clv_summary *s, size_t c)
{
    if (k == 0 || r[0].day > pe->cal_end) return; /* excluded: calloc'd zeros stay */
    int32_t first = r[0].day, last = first;
    int32_t x = 0, xh = 0;
    double first_v = 0, rep_v = 0;
    for (size_t i = 0; i < k;) {
        int32_t d = r[i].day;
        double v = 0;
        for (; i < k && r[i].day == d; i++) v += r[i].v; /* same-day purchases are one */
        if (d <= pe->cal_end) {
            if (d == first) {
                first_v = v;
            } else {
                x++;
                rep_v += v;
                last = d;
            }
        } else if (d <= pe->holdout_end) {
            xh++;
        }
    }
    s->x[c] = x;
    s->tx[c] = (double)(last - first) / unit;
    s->T[c] = ((double)pe->cal_end - (double)first) / unit;
    s->w[c] = 1;
    s->x_holdout[c] = xh;
    if (pe->spend == ENC_CLV_SPEND_ALL) s->spend[c] = (first_v + rep_v) / (x + 1);
    else s->spend[c] = x > 0 ? rep_v / x : 0;
    s->n_included++;
    s->n_repeaters += x > 0;
    s->repeat_cal += x;
    s->repeat_holdout += xh;
}

enc_rc enc_clv_summarize(size_t n_tx, const int32_t *cust, const int32_t *day, const double *value,
                         size_t n_cust, const enc_clv_period *period, enc_clv_summary *out,
                         enc_err *err)
{
    memset(out, 0, sizeof *out);
    enc_clv_period pe = *period;
    double unit = pe.unit_days > 0 ? pe.unit_days : 7;
    if (!isfinite(unit)) return enc_fail(err, ENC_EUSAGE, "clv summary: unit_days is not finite");
    if (pe.holdout_end < pe.cal_end) pe.holdout_end = pe.cal_end;
    if (n_cust > (size_t)INT32_MAX)
        return enc_fail(err, ENC_ELIMIT, "clv summary: too many customers");

    int sorted = 1;
    for (size_t i = 0; i < n_tx; i++) {
        if (cust[i] < 0 || (size_t)cust[i] >= n_cust)
            return enc_fail(err, ENC_EUSAGE,
                            "clv summary: row %zu: customer index %d outside 0..%zu", i, cust[i],
                            n_cust ? n_cust - 1 : 0);
        if (value && !isfinite(value[i]))
            return enc_fail(err, ENC_EUSAGE, "clv summary: row %zu: value is not finite", i);
        if (i > 0 && (cust[i] < cust[i - 1] || (cust[i] == cust[i - 1] && day[i] < day[i - 1])))
            sorted = 0;
    }

    out->n = n_cust;
    out->x = enc_xcalloc(n_cust ? n_cust : 1, sizeof *out->x);
    out->x_holdout = enc_xcalloc(n_cust ? n_cust : 1, sizeof *out->x_holdout);
    out->tx = enc_xcalloc(n_cust ? n_cust : 1, sizeof *out->tx);
    out->T = enc_xcalloc(n_cust ? n_cust : 1, sizeof *out->T);
    out->w = enc_xcalloc(n_cust ? n_cust : 1, sizeof *out->w);
    out->spend = enc_xcalloc(n_cust ? n_cust : 1, sizeof *out->spend);
    out->holdout_len = (double)(pe.holdout_end - pe.cal_end) / unit;

    /* bucket rows by customer (counting sort; stable, so sorted input stays sorted) */
    size_t *off = enc_xcalloc(n_cust + 1, sizeof *off);
    for (size_t i = 0; i < n_tx; i++) off[cust[i] + 1]++;
    for (size_t c = 0; c < n_cust; c++) off[c + 1] += off[c];
    dv *rows = enc_xmalloc((n_tx ? n_tx : 1) * sizeof *rows);
    if (sorted) {
        for (size_t i = 0; i < n_tx; i++) rows[i] = (dv){day[i], value ? value[i] : 0};
    } else {
        size_t *pos = enc_xmalloc((n_cust ? n_cust : 1) * sizeof *pos);
        memcpy(pos, off, n_cust * sizeof *pos);
        for (size_t i = 0; i < n_tx; i++) rows[pos[cust[i]]++] = (dv){day[i], value ? value[i] : 0};
        free(pos);
        for (size_t c = 0; c < n_cust; c++) sort_days(rows + off[c], off[c + 1] - off[c]);
    }
    for (size_t c = 0; c < n_cust; c++)
        summarize_one(rows + off[c], off[c + 1] - off[c], &pe, unit, out, c);
    free(rows);
    free(off);
    return ENC_OK;
}

void enc_clv_summary_free(enc_clv_summary *s)
{
    if (!s) return;
    free(s->x);
    free(s->x_holdout);
    free(s->tx);
    free(s->T);
    free(s->w);
    free(s->spend);
    memset(s, 0, sizeof *s);
}

enc_clv_obs enc_clv_summary_obs(const enc_clv_summary *s)
{
    return (enc_clv_obs){.n = s->n, .x = s->x, .tx = s->tx, .T = s->T, .w = s->w};
}

typedef struct row {
    int32_t x;
    double tx, T, w;
    size_t i; /* input row */
} row;

static int cmp_row(const void *a, const void *b)
{
    const row *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    if (p->T != q->T) return p->T < q->T ? -1 : 1;
    if (p->tx != q->tx) return p->tx < q->tx ? -1 : 1;
    return 0;
}

void enc_clv_group(const enc_clv_obs *in, enc_clv_groups *g)
{
    memset(g, 0, sizeof *g);
    row *r = enc_xmalloc((in->n ? in->n : 1) * sizeof *r);
    size_t m = 0;
    for (size_t i = 0; i < in->n; i++) {
        double w = in->w ? in->w[i] : 1;
        if (w != 0) r[m++] = (row){in->x[i], in->x[i] > 0 ? in->tx[i] : 0, in->T[i], w, i};
    }
    qsort(r, m, sizeof *r, cmp_row);
    g->of = enc_xmalloc((in->n ? in->n : 1) * sizeof *g->of);
    for (size_t i = 0; i < in->n; i++) g->of[i] = SIZE_MAX;
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (k > 0 && cmp_row(&r[k - 1], &r[i]) == 0) {
            r[k - 1].w += r[i].w;
        } else {
            r[k++] = r[i];
        }
        g->of[r[i].i] = k - 1;
    }
    size_t cap = k ? k : 1;
    g->x = enc_xmalloc(cap * sizeof *g->x);
    g->tx = enc_xmalloc(cap * sizeof *g->tx);
    g->T = enc_xmalloc(cap * sizeof *g->T);
    g->w = enc_xmalloc(cap * sizeof *g->w);
    for (size_t i = 0; i < k; i++) {
        g->x[i] = r[i].x;
        g->tx[i] = r[i].tx;
        g->T[i] = r[i].T;
        g->w[i] = r[i].w;
    }
    free(r);
    g->obs = (enc_clv_obs){.n = k, .x = g->x, .tx = g->tx, .T = g->T, .w = g->w};
}

void enc_clv_groups_free(enc_clv_groups *g)
{
    if (!g) return;
    free(g->x);
    free(g->tx);
    free(g->T);
    free(g->w);
    free(g->of);
    memset(g, 0, sizeof *g);
}

int64_t enc_clv_obs_check(const enc_clv_obs *d, double *total_weight)
{
    int64_t xmax = 0;
    double tw = 0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[i] : 1;
        if (!isfinite(w) || w < 0) return -1;
        if (w == 0) continue;
        if (d->x[i] < 0 || !(d->tx[i] >= 0) || !(d->T[i] >= d->tx[i]) || !isfinite(d->T[i]))
            return -1;
        if (d->x[i] > xmax) xmax = d->x[i];
        tw += w;
    }
    if (total_weight) *total_weight = tw;
    return xmax;
}
