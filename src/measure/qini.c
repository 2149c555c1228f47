/* qini.c — the Qini curve, coefficient and bootstrap interval (see qini.h). Rows are sorted
 * once; a bootstrap resample is a vector of multiplicities (n draws with replacement from a
 * splitmix64 stream), walked in the same order, so every resample costs O(n). */
#include "measure/qini.h"
#include "base/map.h"
#include "base/mem.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
    double s;
    size_t i;
} row;

static int by_score_desc(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int xn = isnan(x->s), yn = isnan(y->s);
    if (xn != yn) return xn - yn; /* NaN last */
    if (!xn && x->s != y->s) return x->s < y->s ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The coefficient of the rows in order ord with multiplicities w (NULL = 1 each). */
static double coef_of(const row *ord, size_t n, const uint8_t *t, const uint8_t *y,
                      const uint32_t *w)
{
    double NT = 0, NC = 0, N = 0;
    for (size_t k = 0; k < n; k++) {
        double m = w ? w[ord[k].i] : 1;
        if (t[ord[k].i]) NT += m;
        else NC += m;
        N += m;
    }
    if (NT == 0 || NC == 0) return NAN;
    double yt = 0, yc = 0, seen = 0, sum = 0, YT = 0, YC = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = ord[k].i;
        if (y[i]) *(t[i] ? &YT : &YC) += w ? w[i] : 1;
    }
    double g1 = YT / NT - YC / NC;
    for (size_t k = 0; k < n; k++) {
        size_t i = ord[k].i;
        double m = w ? w[i] : 1;
        if (m == 0) continue;
        if (y[i]) *(t[i] ? &yt : &yc) += m;
        seen += m;
        sum += m * (yt / NT - yc / NC - seen / N * g1);
    }
    return sum / N;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enc_rc enc_qini_compute(const double *score, const uint8_t *treated, const uint8_t *y, size_t n,
                        int points, int boot, double level, uint64_t seed, enc_qini *q,
                        enc_err *err)
{
    memset(q, 0, sizeof *q);
    if (points < 2 || points > ENC_QINI_MAX_POINTS || boot < 0 || boot > 100000 ||
        !(level > 0 && level < 1))
        return enc_fail(err, ENC_EUSAGE, "qini: points 2..%d, boot 0..100000, level in (0, 1)",
                        ENC_QINI_MAX_POINTS);
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) nt += treated[i] != 0;
    if (nt == 0 || nt == n)
        return enc_fail(err, ENC_EUSAGE,
                        "qini: %zu treated and %zu control customers: both groups are needed", nt,
                        n - nt);
    q->n = n, q->n_treated = nt, q->n_control = n - nt, q->points = points, q->boot = boot;
    q->level = level;
    row *ord = enc_xmalloc(n * sizeof *ord);
    for (size_t i = 0; i < n; i++) ord[i] = (row){score[i], i};
    qsort(ord, n, sizeof *ord, by_score_desc);
    /* the curve at the points, and the uplift within the top share */
    double YT = 0, YC = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i]) *(treated[i] ? &YT : &YC) += 1;
    q->ate = YT / (double)nt - YC / (double)(n - nt);
    double yt = 0, yc = 0, kt = 0, kc = 0;
    size_t k = 0;
    for (int p = 0; p < points; p++) {
        double x = (double)p / (points - 1);
        size_t upto = (size_t)llround(x * (double)n);
        for (; k < upto; k++) {
            size_t i = ord[k].i;
            if (treated[i]) kt++, yt += y[i] != 0;
            else kc++, yc += y[i] != 0;
        }
        q->frac[p] = x;
        q->gain[p] = yt / (double)nt - yc / (double)(n - nt);
        q->top_uplift[p] = kt > 0 && kc > 0 ? yt / kt - yc / kc : NAN;
    }
    q->coef = coef_of(ord, n, treated, y, NULL);
    q->lo = q->hi = NAN;
    if (boot > 0) {
        uint32_t *w = enc_xmalloc(n * sizeof *w);
        double *c = enc_xmalloc((size_t)boot * sizeof *c);
        uint64_t st = seed;
        int nb = 0;
        for (int b = 0; b < boot; b++) {
            memset(w, 0, n * sizeof *w);
            for (size_t j = 0; j < n; j++) w[enc_hash_u64(st++) % n]++;
            double v = coef_of(ord, n, treated, y, w);
            if (isfinite(v)) c[nb++] = v;
        }
        if (nb > 0) {
            qsort(c, (size_t)nb, sizeof *c, cmp_double);
            double a = (1 - level) / 2;
            size_t lo = (size_t)floor(a * (nb - 1)), hi = (size_t)ceil((1 - a) * (nb - 1));
            q->lo = c[lo];
            q->hi = c[hi];
        }
        free(w);
        free(c);
    }
    free(ord);
    return ENC_OK;
}
