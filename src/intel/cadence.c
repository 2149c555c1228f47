/* cadence.c — purchase rhythm features (see cadence.h). One forward pass a customer: orders are
 * folded into occasions, gaps between occasion starts are written to the workspace and summed
 * with Welford's update (mean and M2, Welford 1962; Knuth TAOCP 2, 4.2.2) for the standard
 * deviation; the median is a quickselect (Hoare's FIND, 1961) over that workspace. */
#include "intel/cadence.h"
#include <math.h>

#define DAY 86400.0

void enc_cadence_config_default(enc_cadence_config *c)
{
    c->merge_seconds = 86400;
    c->window_days[0] = 30;
    c->window_days[1] = 90;
    c->window_days[2] = 365;
    c->default_gap_days = NAN;
}

size_t enc_cadence_ws_len(const int64_t *off, size_t n)
{
    int64_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (off[i + 1] - off[i] > m) m = off[i + 1] - off[i];
    return m > 0 ? (size_t)m : 1;
}

/* k-th smallest of x[0..n), partially ordering x: everything before k ends up <= x[k]. */
static double select_k(double *x, ptrdiff_t n, ptrdiff_t k)
{
    ptrdiff_t lo = 0, hi = n - 1;
    while (lo < hi) {
        ptrdiff_t mid = lo + (hi - lo) / 2;
        double a = x[lo], b = x[mid], c = x[hi]; /* median of three as pivot */
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot) i++;
            while (x[j] > pivot) j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return x[k];
    }
    return x[k];
}

double enc_cadence_median(double *x, size_t n)
{
    ptrdiff_t h = (ptrdiff_t)(n / 2);
    double upper = select_k(x, (ptrdiff_t)n, h);
    if (n & 1) return upper;
    double lower = x[0];
    for (ptrdiff_t i = 1; i < h; i++)
        if (x[i] > lower) lower = x[i];
    return 0.5 * (lower + upper);
}

static enc_rc check_group(const int64_t *ts, const int64_t *off, size_t g, size_t ws_len,
                          enc_err *err)
{
    int64_t b = off[g], e = off[g + 1];
    if (e < b) return enc_fail(err, ENC_EUSAGE, "cadence: offsets of customer %zu decrease", g);
    if ((size_t)(e - b) > ws_len)
        return enc_fail(err, ENC_EUSAGE, "cadence: workspace of %zu too small for %lld purchases",
                        ws_len, (long long)(e - b));
    for (int64_t p = b + 1; p < e; p++)
        if (ts[p] < ts[p - 1])
            return enc_fail(err, ENC_EUSAGE,
                            "cadence: purchase times of customer %zu are not ascending", g);
    return ENC_OK;
}

#define PUT(arr, v)                                                                                \
    do {                                                                                           \
        if (out->arr) out->arr[i] = (v);                                                           \
    } while (0)

enc_rc enc_cadence_compute(const enc_cadence_config *cfg, const int64_t *ts, const int64_t *off,
                           size_t n, int64_t as_of, const double *rate_per_day,
                           const enc_cadence_out *out, double *ws, size_t ws_len, enc_err *err)
{
    int64_t wsec[ENC_CADENCE_WINDOWS];
    for (int w = 0; w < ENC_CADENCE_WINDOWS; w++)
        wsec[w] = (int64_t)llround(cfg->window_days[w] * DAY);
    const int64_t merge = cfg->merge_seconds;
    const int want_median = out->median_gap_days || out->expected_gap_days || out->next_ts;
    for (size_t i = 0; i < n; i++) {
        enc_rc rc = check_group(ts, off, i, ws_len, err);
        if (rc) return rc;
        int64_t p = off[i], e = off[i + 1];
        int32_t cnt[ENC_CADENCE_WINDOWS] = {0};
        if (p == e || ts[p] > as_of) {
            PUT(occasions, 0);
            PUT(first_ts, ENC_CADENCE_NONE);
            PUT(last_ts, ENC_CADENCE_NONE);
            PUT(tenure_days, NAN);
            PUT(recency_days, NAN);
            PUT(mean_gap_days, NAN);
            PUT(gap_std_days, NAN);
            PUT(median_gap_days, NAN);
            PUT(last_gap_days, NAN);
            PUT(drift, NAN);
            for (int w = 0; w < ENC_CADENCE_WINDOWS; w++)
                if (out->count[w]) out->count[w][i] = 0;
            PUT(expected_gap_days, NAN);
            PUT(next_ts, ENC_CADENCE_NONE);
            continue;
        }
        int64_t first = ts[p], cur = first;
        int32_t m = 1;
        double mean = 0, m2 = 0; /* Welford over the gaps */
        for (p++; p < e && ts[p] <= as_of; p++) {
            int64_t t = ts[p];
            if (t - cur < merge && merge > 0) continue; /* same occasion */
            double g = (double)(t - cur) / DAY;
            ws[m - 1] = g;
            double d = g - mean;
            mean += d / m;
            m2 += d * (g - mean);
            for (int w = 0; w < ENC_CADENCE_WINDOWS; w++) cnt[w] += cur > as_of - wsec[w];
            cur = t;
            m++;
        }
        for (int w = 0; w < ENC_CADENCE_WINDOWS; w++) cnt[w] += cur > as_of - wsec[w];
        int32_t ngaps = m - 1;
        double mean_gap = ngaps ? (double)(cur - first) / DAY / ngaps : NAN;
        double last_gap = ngaps ? ws[ngaps - 1] : NAN;
        double med = NAN;
        if (ngaps && want_median) med = enc_cadence_median(ws, (size_t)ngaps);
        double expect;
        if (rate_per_day && isfinite(rate_per_day[i]) && rate_per_day[i] > 0)
            expect = 1.0 / rate_per_day[i];
        else expect = ngaps ? med : cfg->default_gap_days;
        PUT(occasions, m);
        PUT(first_ts, first);
        PUT(last_ts, cur);
        PUT(tenure_days, (double)(as_of - first) / DAY);
        PUT(recency_days, (double)(as_of - cur) / DAY);
        PUT(mean_gap_days, mean_gap);
        PUT(gap_std_days, ngaps >= 2 ? sqrt(m2 / (ngaps - 1)) : NAN);
        PUT(median_gap_days, med);
        PUT(last_gap_days, last_gap);
        PUT(drift, ngaps && mean_gap > 0 ? last_gap / mean_gap : NAN);
        for (int w = 0; w < ENC_CADENCE_WINDOWS; w++)
            if (out->count[w]) out->count[w][i] = cnt[w];
        PUT(expected_gap_days, expect);
        PUT(next_ts, isfinite(expect) && expect >= 0 ? cur + (int64_t)llround(expect * DAY)
                                                     : ENC_CADENCE_NONE);
    }
    return ENC_OK;
}

enc_rc enc_cadence_replenish(const int64_t *ts, const double *qty, const int64_t *off,
                             size_t ngroups, const double *cycle_days, int min_own_gaps,
                             int64_t merge_seconds, int64_t as_of, int64_t *due_ts,
                             double *interval_days, double *ws, size_t ws_len, enc_err *err)
{
    for (size_t g = 0; g < ngroups; g++) {
        enc_rc rc = check_group(ts, off, g, ws_len, err);
        if (rc) return rc;
        int64_t p = off[g], e = off[g + 1];
        if (p == e || ts[p] > as_of) {
            due_ts[g] = ENC_CADENCE_NONE;
            if (interval_days) interval_days[g] = NAN;
            continue;
        }
        int64_t cur = ts[p];
        double q = qty ? qty[p] : 1;
        int ngaps = 0;
        for (p++; p < e && ts[p] <= as_of; p++) {
            if (ts[p] - cur < merge_seconds && merge_seconds > 0) {
                q += qty ? qty[p] : 1;
                continue;
            }
            ws[ngaps++] = (double)(ts[p] - cur) / DAY;
            cur = ts[p];
            q = qty ? qty[p] : 1;
        }
        double iv;
        if (ngaps >= min_own_gaps && ngaps > 0) iv = enc_cadence_median(ws, (size_t)ngaps);
        else
            iv = isfinite(cycle_days[g]) && cycle_days[g] > 0 ? cycle_days[g] * (q > 1 ? q : 1)
                                                              : NAN;
        if (interval_days) interval_days[g] = iv;
        due_ts[g] = isfinite(iv) ? cur + (int64_t)llround(iv * DAY) : ENC_CADENCE_NONE;
    }
    return ENC_OK;
}
