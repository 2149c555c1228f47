/* analytics.c — periods, KPIs per period and cohort retention over a snapshot's purchase orders
 * and returns (see analytics.h; definitions in docs/analytics.md). One pass over the customers'
 * order and return arrays, which the snapshot keeps by customer then time; no SQL, no
 * allocation per row. */
#include "measure/analytics.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include "ingest/clean.h"
#include "measure/campreport.h"
#include "store/store_analytics.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* years 1..9999: civil arithmetic stays inside int for any timestamp, and every label has a
 * four-digit year (0001-01-01 is a Monday, so no ISO week reaches back into year 0) */
#define T_MIN (-62135596800LL)
#define T_MAX (253402300799LL)

static int64_t floordiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

enc_rc enc_analytics_src_load(enc_store *st, int default_digits, enc_analytics_src *out,
                              enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->digits = default_digits;
    if (enc_store_currency(st, out->currency, sizeof out->currency, err)) return err->rc;
    int d = out->currency[0] ? enc_currency_digits(out->currency) : -1;
    if (d >= 0) out->digits = d;
    enc_snapshot_opts o = {ENC_SNAP_ORDERS | ENC_SNAP_RETURNS, INT64_MIN, INT64_MIN};
    return enc_snapshot_load_opts(st, INT64_MAX, &o, &out->snap, err);
}

void enc_analytics_src_free(enc_analytics_src *a)
{
    if (a->snap) enc_snapshot_free(a->snap);
    a->snap = NULL;
}

bool enc_period_parse(const char *s, enc_period *out)
{
    if (!s) return false;
    if (strcmp(s, "day") == 0) *out = ENC_PERIOD_DAY;
    else if (strcmp(s, "week") == 0) *out = ENC_PERIOD_WEEK;
    else if (strcmp(s, "month") == 0) *out = ENC_PERIOD_MONTH;
    else return false;
    return true;
}

const char *enc_period_name(enc_period p)
{
    return p == ENC_PERIOD_DAY ? "day" : p == ENC_PERIOD_WEEK ? "week" : "month";
}

/* 1970-01-01 was a Thursday: day d lies in week floor((d + 3) / 7), whose Monday is 7w - 3 */
int64_t enc_period_of(enc_period p, int64_t t)
{
    if (t < T_MIN) t = T_MIN;
    if (t > T_MAX) t = T_MAX;
    int64_t d = floordiv(t, 86400);
    if (p == ENC_PERIOD_DAY) return d;
    if (p == ENC_PERIOD_WEEK) return floordiv(d + 3, 7);
    int y, m, dd;
    enc_civil_from_days(d, &y, &m, &dd);
    return ((int64_t)y - 1970) * 12 + (m - 1);
}

int64_t enc_period_start(enc_period p, int64_t idx)
{
    if (p == ENC_PERIOD_DAY) return idx * 86400;
    if (p == ENC_PERIOD_WEEK) return (idx * 7 - 3) * 86400;
    int64_t y = 1970 + floordiv(idx, 12), m = idx - floordiv(idx, 12) * 12 + 1;
    return enc_days_from_civil((int)y, (int)m, 1) * 86400;
}

void enc_period_label(enc_period p, int64_t idx, char *out, size_t cap)
{
    int y, m, d;
    if (p == ENC_PERIOD_MONTH) {
        snprintf(out, cap, "%04lld-%02lld", (long long)(1970 + floordiv(idx, 12)),
                 (long long)(idx - floordiv(idx, 12) * 12 + 1));
    } else if (p == ENC_PERIOD_DAY) {
        enc_civil_from_days(idx, &y, &m, &d);
        snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
    } else {
        /* ISO 8601: a week belongs to the year of its Thursday; it is that year's week
         * 1 + (days from 1 January to the Thursday) / 7 */
        int64_t thu = idx * 7;
        enc_civil_from_days(thu, &y, &m, &d);
        int64_t jan1 = enc_days_from_civil(y, 1, 1);
        snprintf(out, cap, "%04d-W%02lld", y, (long long)((thu - jan1) / 7 + 1));
    }
}

static bool digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

bool enc_period_parse_label(enc_period p, const char *s, int64_t *idx)
{
    int y, m, d, w;
    if (!s || !digits(s, 4, &y) || s[4] != '-') return false;
    if (p == ENC_PERIOD_MONTH) {
        if (strlen(s) != 7 || !digits(s + 5, 2, &m) || m < 1 || m > 12) return false;
        *idx = ((int64_t)y - 1970) * 12 + (m - 1);
        return true;
    }
    if (p == ENC_PERIOD_DAY) {
        if (strlen(s) != 10 || !digits(s + 5, 2, &m) || s[7] != '-' || !digits(s + 8, 2, &d) ||
            !enc_date_valid(y, m, d))
            return false;
        *idx = enc_days_from_civil(y, m, d);
        return true;
    }
    if (strlen(s) != 8 || s[5] != 'W' || !digits(s + 6, 2, &w) || w < 1 || w > 53) return false;
    /* the week holding 4 January is week 1 */
    int64_t wk = enc_period_of(ENC_PERIOD_WEEK, enc_days_from_civil(y, 1, 4) * 86400) + (w - 1);
    char back[16];
    enc_period_label(ENC_PERIOD_WEEK, wk, back, sizeof back);
    if (strcmp(back, s) != 0) return false; /* week 53 of a year that has 52 */
    *idx = wk;
    return true;
}

/* The first and last period holding an order or a return; false when there is none. */
static bool span(const enc_snapshot *s, enc_period p, int64_t *lo, int64_t *hi)
{
    int64_t a = INT64_MAX, b = INT64_MIN;
    for (size_t i = 0; i < s->nord; i++) {
        if (s->ord_ts[i] < a) a = s->ord_ts[i];
        if (s->ord_ts[i] > b) b = s->ord_ts[i];
    }
    size_t nret = s->ret_off ? (size_t)s->ret_off[s->ncust] : 0;
    for (size_t i = 0; i < nret; i++) {
        if (s->ret_ts[i] < a) a = s->ret_ts[i];
        if (s->ret_ts[i] > b) b = s->ret_ts[i];
    }
    if (a > b) return false;
    *lo = enc_period_of(p, a);
    *hi = enc_period_of(p, b);
    return true;
}

static enc_rc need(const enc_snapshot *s, enc_err *err)
{
    if (!s->ord_off || !s->ord_ts || !s->ord_amount || !s->ret_off)
        return enc_fail(err, ENC_EFAIL, "analytics: the snapshot lacks orders or returns");
    return ENC_OK;
}

enc_rc enc_cohorts_compute(const enc_snapshot *s, enc_period period, enc_cohorts *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->period = period;
    if (need(s, err)) return err->rc;
    if (period == ENC_PERIOD_DAY) return enc_fail(err, ENC_EUSAGE, "the period is week or month");
    int64_t lo, hi;
    if (!span(s, period, &lo, &hi)) return ENC_OK;
    if (hi - lo >= ENC_ANALYTICS_MAX_PERIODS)
        return enc_fail(
            err, ENC_ELIMIT, "the orders span %lld %ss, more than %d; check their dates",
            (long long)(hi - lo + 1), enc_period_name(period), ENC_ANALYTICS_MAX_PERIODS);
    /* cohort sizes first: which cohorts exist and how many cells they need */
    size_t np = (size_t)(hi - lo + 1);
    int64_t *size = enc_xcalloc(np, sizeof *size);
    for (size_t c = 0; c < s->ncust; c++)
        if (s->ord_off[c + 1] > s->ord_off[c])
            size[enc_period_of(period, s->ord_ts[s->ord_off[c]]) - lo]++;
    size_t ncoh = 0, ncell = 0;
    for (size_t i = 0; i < np; i++)
        if (size[i]) ncoh++, ncell += np - i;
    /* row of each cohort period, and its cells: customers then revenue */
    int64_t *row = enc_xmalloc(np * sizeof *row);
    out->rows = enc_xcalloc(ncoh ? ncoh : 1, sizeof *out->rows);
    out->cells = enc_xcalloc(ncell ? 2 * ncell : 1, sizeof *out->cells);
    size_t r = 0, at = 0;
    for (size_t i = 0; i < np; i++) {
        row[i] = -1;
        if (!size[i]) continue;
        enc_cohort *h = &out->rows[r];
        h->period = lo + (int64_t)i;
        h->size = size[i];
        h->n = np - i;
        h->customers = out->cells + at;
        h->revenue = out->cells + at + h->n;
        at += 2 * h->n;
        row[i] = (int64_t)r++;
    }
    out->n = ncoh;
    for (size_t c = 0; c < s->ncust; c++) {
        int64_t o0 = s->ord_off[c], o1 = s->ord_off[c + 1];
        if (o1 == o0) continue;
        int64_t p0 = enc_period_of(period, s->ord_ts[o0]);
        enc_cohort *h = &out->rows[row[p0 - lo]];
        int64_t last = -1;
        for (int64_t o = o0; o < o1; o++) { /* by time: k never decreases */
            int64_t k = enc_period_of(period, s->ord_ts[o]) - p0;
            if (k != last) h->customers[k]++, last = k;
            h->revenue[k] += s->ord_amount[o];
        }
        for (int64_t x = s->ret_off[c]; x < s->ret_off[c + 1]; x++) {
            int64_t k = enc_period_of(period, s->ret_ts[x]) - p0;
            if (k >= 0) h->revenue[k] -= s->ret_amt[x];
        }
    }
    free(row);
    free(size);
    return ENC_OK;
}

void enc_cohorts_free(enc_cohorts *c)
{
    free(c->rows);
    free(c->cells);
    memset(c, 0, sizeof *c);
}

void enc_cohorts_json(const enc_cohorts *c, const char *currency, int digits, enc_jw *w)
{
    char lab[32];
    enc_jw_obj(w);
    enc_jw_kstr(w, "period", enc_period_name(c->period));
    enc_jw_kstr(w, "currency", currency);
    enc_jw_key(w, "cohorts");
    enc_jw_arr(w);
    for (size_t i = 0; i < c->n; i++) {
        const enc_cohort *h = &c->rows[i];
        enc_jw_obj(w);
        enc_period_label(c->period, h->period, lab, sizeof lab);
        enc_jw_kstr(w, "cohort", lab);
        enc_jw_kint(w, "size", h->size);
        enc_jw_key(w, "customers");
        enc_jw_arr(w);
        for (size_t k = 0; k < h->n; k++) enc_jw_int(w, h->customers[k]);
        enc_jw_end(w);
        enc_jw_key(w, "revenue");
        enc_jw_arr(w);
        for (size_t k = 0; k < h->n; k++) enc_jw_money(w, h->revenue[k], digits);
        enc_jw_end(w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
}

enc_rc enc_kpis_compute(const enc_snapshot *s, enc_period period, bool has_from, int64_t from,
                        bool has_to, int64_t to, enc_kpis *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->period = period;
    if (need(s, err)) return err->rc;
    int64_t lo = 0, hi = -1;
    bool any = span(s, period, &lo, &hi);
    if (has_from) lo = from;
    if (has_to) hi = to;
    if (has_from && has_to && from > to)
        return enc_fail(err, ENC_EUSAGE, "the first period is after the last");
    if (!any && !(has_from && has_to)) return ENC_OK;
    if (hi < lo) return ENC_OK;
    if (hi - lo >= ENC_ANALYTICS_MAX_PERIODS)
        return enc_fail(err, ENC_ELIMIT, "%lld %ss asked for, at most %d", (long long)(hi - lo + 1),
                        enc_period_name(period), ENC_ANALYTICS_MAX_PERIODS);
    size_t np = (size_t)(hi - lo + 1);
    out->rows = enc_xcalloc(np, sizeof *out->rows);
    out->n = np;
    for (size_t i = 0; i < np; i++) out->rows[i].period = lo + (int64_t)i;
    for (size_t c = 0; c < s->ncust; c++) {
        int64_t o0 = s->ord_off[c], o1 = s->ord_off[c + 1];
        int64_t first = o1 > o0 ? enc_period_of(period, s->ord_ts[o0]) : INT64_MIN;
        int64_t last = INT64_MIN;
        for (int64_t o = o0; o < o1; o++) {
            int64_t p = enc_period_of(period, s->ord_ts[o]);
            if (p < lo || p > hi) continue;
            enc_kpi_row *k = &out->rows[p - lo];
            k->orders++;
            k->revenue += s->ord_amount[o];
            if (p != last) {
                k->active++;
                if (p == first) k->fresh++;
                else k->returning++;
                last = p;
            }
        }
        for (int64_t x = s->ret_off[c]; x < s->ret_off[c + 1]; x++) {
            int64_t p = enc_period_of(period, s->ret_ts[x]);
            if (p >= lo && p <= hi) out->rows[p - lo].returns += s->ret_amt[x];
        }
    }
    return ENC_OK;
}

void enc_kpis_free(enc_kpis *k)
{
    free(k->rows);
    memset(k, 0, sizeof *k);
}

void enc_kpis_json(const enc_kpis *k, const char *currency, int digits, enc_jw *w)
{
    char lab[32];
    enc_jw_obj(w);
    enc_jw_kstr(w, "interval", enc_period_name(k->period));
    enc_jw_kstr(w, "currency", currency);
    enc_jw_key(w, "periods");
    enc_jw_arr(w);
    for (size_t i = 0; i < k->n; i++) {
        const enc_kpi_row *r = &k->rows[i];
        enc_jw_obj(w);
        enc_period_label(k->period, r->period, lab, sizeof lab);
        enc_jw_kstr(w, "period", lab);
        enc_jw_kint(w, "orders", r->orders);
        enc_jw_key(w, "revenue");
        enc_jw_money(w, r->revenue, digits);
        enc_jw_key(w, "returns");
        enc_jw_money(w, r->returns, digits);
        enc_jw_key(w, "net_revenue");
        enc_jw_money(w, r->revenue - r->returns, digits);
        enc_jw_key(w, "aov");
        if (r->orders) enc_jw_money(w, (r->revenue + r->orders / 2) / r->orders, digits);
        else enc_jw_null(w);
        enc_jw_kint(w, "active_customers", r->active);
        enc_jw_kint(w, "new_customers", r->fresh);
        enc_jw_kint(w, "returning_customers", r->returning);
        enc_jw_key(w, "repurchase_rate");
        if (r->active) enc_jw_round(w, (double)r->returning / (double)r->active, ENC_DP_RATE);
        else enc_jw_null(w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
}

/* "YYYY-MM-DD" of the day an exclusive as-of instant closes */
static void day_end(char *out, size_t cap, int64_t end) { enc_fmt_date(out, cap, end - 1); }

enc_rc enc_distribution_json(enc_store *st, const char *by, int digits, enc_jw *w, bool *found,
                             enc_err *err)
{
    *found = false;
    static const char *const kinds[] = {"rfm", "rfm_cn", "lifecycle", "cluster", "tag"};
    size_t k = 0;
    while (k < 5 && strcmp(kinds[k], by) != 0) k++;
    if (k == 5)
        return enc_fail(err, ENC_EUSAGE, "by: '%s' is not rfm, rfm_cn, lifecycle, cluster or tag",
                        by);
    enc_score_run_info run;
    enc_segment_list l = {0};
    if (enc_store_score_run_last(st, &run, found, err)) return err->rc;
    if (!*found) return ENC_OK;
    if (enc_store_segments(st, by, &l, err)) return err->rc;
    char day[32];
    day_end(day, sizeof day, run.as_of);
    enc_jw_obj(w);
    enc_jw_kstr(w, "by", by);
    enc_jw_kstr(w, "as_of", day);
    enc_jw_kint(w, "customers", l.customers);
    enc_jw_key(w, "revenue");
    enc_jw_money(w, l.revenue, digits);
    enc_jw_key(w, "segments");
    enc_jw_arr(w);
    for (size_t i = 0; i < l.n; i++) {
        enc_jw_obj(w);
        enc_jw_kstr(w, "segment", l.rows[i].key);
        enc_jw_kint(w, "customers", l.rows[i].customers);
        enc_jw_kround(w, "customer_share",
                      l.customers ? (double)l.rows[i].customers / (double)l.customers : NAN,
                      ENC_DP_RATE);
        enc_jw_key(w, "revenue");
        enc_jw_money(w, l.rows[i].revenue, digits);
        enc_jw_kround(w, "revenue_share",
                      l.revenue ? (double)l.rows[i].revenue / (double)l.revenue : NAN, ENC_DP_RATE);
        enc_jw_key(w, "avg_clv"); /* money: two decimals (or the currency's) */
        if (isfinite(l.rows[i].clv_mean))
            enc_jw_money(w, (int64_t)llround(l.rows[i].clv_mean), digits);
        else enc_jw_null(w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
    enc_store_segments_free(&l);
    return ENC_OK;
}

enc_rc enc_migration_json(enc_store *st, const char *by, enc_jw *w, bool *found, enc_err *err)
{
    enc_migration m;
    if (enc_store_migration(st, by, &m, found, err)) return err->rc;
    if (!*found) return ENC_OK;
    char d0[32], d1[32];
    day_end(d0, sizeof d0, m.from_as_of);
    day_end(d1, sizeof d1, m.to_as_of);
    enc_jw_obj(w);
    enc_jw_kstr(w, "by", by);
    enc_jw_key(w, "from");
    enc_jw_obj(w);
    enc_jw_kint(w, "run", m.from_run);
    enc_jw_kstr(w, "as_of", d0);
    enc_jw_end(w);
    enc_jw_key(w, "to");
    enc_jw_obj(w);
    enc_jw_kint(w, "run", m.to_run);
    enc_jw_kstr(w, "as_of", d1);
    enc_jw_end(w);
    enc_jw_key(w, "moves");
    enc_jw_arr(w);
    for (size_t i = 0; i < m.n; i++) {
        enc_jw_obj(w);
        enc_jw_kstr(w, "from", m.cells[i].from);
        enc_jw_kstr(w, "to", m.cells[i].to);
        enc_jw_kint(w, "customers", m.cells[i].customers);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
    enc_store_migration_free(&m);
    return ENC_OK;
}

typedef struct ranked {
    enc_campreport *r;
    double incr;
    char name[ENC_SPEC_MAX_NAME];
} ranked;

static int by_incr(const void *a, const void *b)
{
    double x = ((const ranked *)a)->incr, y = ((const ranked *)b)->incr;
    if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
    return x < y ? 1 : x > y ? -1 : strcmp(((const ranked *)a)->name, ((const ranked *)b)->name);
}

static void pair_or_null(enc_jw *w, const char *k, double lo, double hi)
{
    enc_jw_key(w, k);
    if (!isfinite(lo) || !isfinite(hi)) {
        enc_jw_null(w);
        return;
    }
    enc_jw_arr(w);
    enc_jw_num(w, lo);
    enc_jw_num(w, hi);
    enc_jw_end(w);
}

enc_rc enc_campaigns_ranked_json(enc_store *st, int64_t as_of, enc_jw *w, enc_err *err)
{
    enc_camp_row *rows;
    size_t n;
    if (enc_camp_list(st, &rows, &n, err)) return err->rc;
    ranked *v = enc_xcalloc(n ? n : 1, sizeof *v);
    size_t k = 0;
    enc_rc rc = ENC_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!rows[i].started_at) continue;
        if ((rc = enc_campreport_build(st, rows[i].name, as_of, &v[k].r, err))) break;
        const enc_uplift *u = &v[k].r->up[ENC_ATTR_TREATED];
        v[k].incr = u->valid ? u->incr_revenue : NAN;
        snprintf(v[k].name, sizeof v[k].name, "%s", rows[i].name);
        k++;
    }
    for (size_t i = 0; i < n; i++) enc_camp_row_free(&rows[i]);
    free(rows);
    if (!rc) {
        qsort(v, k, sizeof *v, by_incr);
        char t[40];
        enc_fmt_datetime(t, sizeof t, as_of);
        if (strlen(t) == 19) t[10] = 'T', t[19] = 'Z', t[20] = 0;
        enc_jw_obj(w);
        enc_jw_kstr(w, "as_of", t);
        enc_jw_key(w, "campaigns");
        enc_jw_arr(w);
        for (size_t i = 0; i < k; i++) {
            const enc_campreport *r = v[i].r;
            const enc_attr *a = r->all;
            const enc_uplift *u = &r->up[ENC_ATTR_TREATED];
            const enc_attr_group *T = &a->g[ENC_ATTR_TREATED], *H = &a->g[ENC_ATTR_HOLDOUT];
            double scale = pow(10, a->digits);
            enc_jw_obj(w);
            enc_jw_kstr(w, "name", v[i].name);
            enc_jw_kstr(w, "state", r->state);
            enc_fmt_datetime(t, sizeof t, r->started_at);
            if (strlen(t) == 19) t[10] = 'T', t[19] = 'Z', t[20] = 0;
            enc_jw_kstr(w, "started_at", t);
            enc_jw_kint(w, "audience", T->audience);
            enc_jw_kint(w, "holdout", H->audience);
            enc_jw_kint(w, "messaged", T->sent);
            enc_jw_kint(w, "conversions", T->converted);
            enc_jw_kint(w, "holdout_conversions", H->converted);
            enc_jw_knum(w, "conversion_uplift", u->valid ? u->conv.diff : NAN);
            enc_jw_knum(w, "incremental_revenue", u->valid ? u->incr_revenue / scale : NAN);
            pair_or_null(w, "incremental_revenue_ci", u->valid ? u->incr_lo / scale : NAN,
                         u->valid ? u->incr_hi / scale : NAN);
            enc_jw_key(w, "cost");
            enc_jw_money(w, u->cost, a->digits);
            enc_jw_knum(w, "roi", u->valid ? u->roi : NAN);
            enc_jw_kstr(w, "currency", a->currency[0] ? a->currency : NULL);
            enc_jw_end(w);
        }
        enc_jw_end(w);
        enc_jw_end(w);
    }
    for (size_t i = 0; i < n; i++)
        if (v[i].r) enc_campreport_free(v[i].r);
    free(v);
    return rc;
}
