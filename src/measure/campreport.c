/* campreport.c — a campaign's results from its attribution (see campreport.h): uplift per
 * group over the holdout, the A/B comparison, and their JSON and text forms. */
#include "measure/campreport.h"
#include "campaign/journey.h"

#include "base/datetime.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *enc_ab_metric_name(enc_ab_metric m)
{
    return m == ENC_AB_REVENUE ? "revenue" : m == ENC_AB_CLICK ? "click" : "conversion";
}

void enc_ab_rule(const enc_ab_result *r, char *out, size_t cap, double *pmax)
{
    double p = NAN;
    for (int k = 0; k < r->ncmp; k++)
        if (!isnan(r->cmp[k].p_adjusted) && (isnan(p) || r->cmp[k].p_adjusted > p))
            p = r->cmp[k].p_adjusted;
    if (pmax) *pmax = p;
    const char *m = r->metric == ENC_AB_REVENUE ? "revenue per customer"
                    : r->metric == ENC_AB_CLICK ? "click rate"
                                                : "conversion rate";
    char ps[32];
    if (isnan(p)) snprintf(ps, sizeof ps, "no p-value");
    else if (p < 0.0001) snprintf(ps, sizeof ps, "p < 0.0001");
    else snprintf(ps, sizeof ps, "p %.3g", p);
    if (r->significant)
        snprintf(out, cap, "the leader by %s, significant at 0.05 (Holm, %s)", m, ps);
    else
        snprintf(out, cap,
                 "the highest %s observed, NOT significant at 0.05 (Holm, %s): no better than"
                 " chance",
                 m, ps);
}

static double rate(int64_t x, int64_t n) { return n > 0 ? (double)x / (double)n : NAN; }

void enc_uplift_of(const enc_attr *a, int g, enc_uplift *u)
{
    memset(u, 0, sizeof *u);
    const enc_attr_group *T = &a->g[g], *H = &a->g[ENC_ATTR_HOLDOUT];
    u->cost = llround(T->message_cost) + T->coupon_cost;
    u->valid = T->audience > 0 && H->audience > 0;
    enc_stat_prop_diff(T->converted, T->audience, H->converted, H->audience, ENC_MEASURE_LEVEL,
                       &u->conv);
    double m1, v1, m2, v2;
    enc_stat_mean_var(T->rev, (size_t)T->audience, &m1, &v1);
    enc_stat_mean_var(H->rev, (size_t)H->audience, &m2, &v2);
    enc_stat_welch((double)T->audience, m1, v1, (double)H->audience, m2, v2, ENC_MEASURE_LEVEL,
                   &u->rpc);
    /* incremental = (per-customer difference) x the group's customers */
    double n = (double)T->audience;
    u->incr_conversions = u->conv.diff * n;
    u->incr_revenue = u->rpc.diff * n;
    u->incr_lo = u->rpc.lo * n;
    u->incr_hi = u->rpc.hi * n;
    u->roi = u->cost > 0 ? (u->incr_revenue - (double)u->cost) / (double)u->cost : NAN;
}

static double metric_value(const enc_attr_group *G, enc_ab_metric m)
{
    if (G->audience <= 0) return NAN;
    int64_t x = m == ENC_AB_CLICK ? G->clicked : m == ENC_AB_REVENUE ? G->revenue : G->converted;
    return (double)x / (double)G->audience;
}

void enc_ab_compare(const enc_attr *a, enc_ab_metric metric, enc_ab_result *out)
{
    memset(out, 0, sizeof *out);
    out->metric = metric;
    int best = -1;
    for (int v = 0; v < a->nvariants; v++) {
        out->value[v] = metric_value(&a->g[v], metric);
        if (!isnan(out->value[v]) && (best < 0 || out->value[v] > out->value[best])) best = v;
    }
    out->leader = best < 0 ? 0 : best;
    const enc_attr_group *L = &a->g[out->leader];
    double lm = NAN, lv = NAN;
    if (metric == ENC_AB_REVENUE) enc_stat_mean_var(L->rev, (size_t)L->audience, &lm, &lv);
    double p[ENC_SPEC_MAX_VARIANTS], adj[ENC_SPEC_MAX_VARIANTS];
    for (int v = 0; v < a->nvariants; v++) {
        if (v == out->leader) continue;
        const enc_attr_group *O = &a->g[v];
        enc_ab_cmp *c = &out->cmp[out->ncmp];
        c->variant = v;
        if (metric == ENC_AB_REVENUE) {
            double m, var;
            enc_stat_mean_var(O->rev, (size_t)O->audience, &m, &var);
            enc_welch wl;
            enc_stat_welch((double)L->audience, lm, lv, (double)O->audience, m, var,
                           ENC_MEASURE_LEVEL, &wl);
            c->diff = wl.diff, c->lo = wl.lo, c->hi = wl.hi, c->p_value = wl.p_value;
            c->test = wl.pooled ? "student" : "welch";
        } else {
            int64_t xl = metric == ENC_AB_CLICK ? L->clicked : L->converted;
            int64_t xo = metric == ENC_AB_CLICK ? O->clicked : O->converted;
            enc_prop_diff d;
            enc_stat_prop_diff(xl, L->audience, xo, O->audience, ENC_MEASURE_LEVEL, &d);
            c->diff = d.diff, c->lo = d.lo, c->hi = d.hi, c->p_value = d.p_value;
            c->test = d.fisher ? "fisher" : "z";
        }
        p[out->ncmp++] = c->p_value;
    }
    enc_stat_holm(p, out->ncmp, adj);
    out->significant = out->ncmp > 0;
    for (int k = 0; k < out->ncmp; k++) {
        out->cmp[k].p_adjusted = adj[k];
        if (!(adj[k] < ENC_MEASURE_ALPHA)) out->significant = false;
    }
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static double major(const enc_attr *a, double minor) { return minor / pow(10, a->digits); }

static void kpair(enc_jw *w, const char *k, double lo, double hi)
{
    enc_jw_key(w, k);
    enc_jw_arr(w);
    enc_jw_num(w, lo);
    enc_jw_num(w, hi);
    enc_jw_end(w);
}

static void kmoney(enc_jw *w, const enc_attr *a, const char *k, int64_t minor)
{
    enc_jw_key(w, k);
    enc_jw_money(w, minor, a->digits);
}

static void kstr_time(enc_jw *w, const char *k, int64_t t)
{
    char s[40];
    if (t) enc_fmt_datetime(s, sizeof s, t);
    enc_jw_kstr(w, k, t ? s : NULL);
}

void enc_ab_json(const enc_attr *a, const enc_ab_result *r, enc_jw *w)
{
    enc_jw_kstr(w, "metric", enc_ab_metric_name(r->metric));
    enc_jw_key(w, "variants");
    enc_jw_arr(w);
    for (int v = 0; v < a->nvariants; v++) {
        const enc_attr_group *G = &a->g[v];
        enc_jw_obj(w);
        enc_jw_kstr(w, "name", G->name);
        enc_jw_kint(w, "audience", G->audience);
        enc_jw_kint(w, "converted", G->converted);
        enc_jw_kint(w, "clicked", G->clicked);
        kmoney(w, a, "revenue", G->revenue);
        enc_jw_knum(w, "value", r->metric == ENC_AB_REVENUE ? major(a, r->value[v]) : r->value[v]);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_kstr(w, "leader", a->nvariants ? a->g[r->leader].name : NULL);
    enc_jw_kbool(w, "significant", r->significant);
    enc_jw_knum(w, "alpha", ENC_MEASURE_ALPHA);
    enc_jw_kstr(w, "adjustment", "holm");
    enc_jw_key(w, "comparisons");
    enc_jw_arr(w);
    for (int k = 0; k < r->ncmp; k++) {
        const enc_ab_cmp *c = &r->cmp[k];
        double s = r->metric == ENC_AB_REVENUE ? pow(10, -a->digits) : 1;
        enc_jw_obj(w);
        enc_jw_kstr(w, "variant", a->g[c->variant].name);
        enc_jw_knum(w, "difference", c->diff * s);
        kpair(w, "ci", c->lo * s, c->hi * s);
        enc_jw_knum(w, "p_value", c->p_value);
        enc_jw_knum(w, "p_adjusted", c->p_adjusted);
        enc_jw_kstr(w, "test", c->test);
        enc_jw_end(w);
    }
    enc_jw_end(w);
}

static void uplift_json(const enc_attr *a, const enc_uplift *u, enc_jw *w)
{
    enc_jw_key(w, "uplift");
    if (!u || !u->valid) {
        enc_jw_null(w);
        return;
    }
    enc_jw_obj(w);
    enc_jw_key(w, "conversion");
    enc_jw_obj(w);
    enc_jw_knum(w, "difference", u->conv.diff);
    kpair(w, "ci", u->conv.lo, u->conv.hi);
    enc_jw_knum(w, "relative", u->conv.p2 > 0 ? u->conv.diff / u->conv.p2 : NAN);
    enc_jw_knum(w, "p_value", u->conv.p_value);
    enc_jw_kstr(w, "test", u->conv.fisher ? "fisher" : "z");
    enc_jw_kbool(w, "significant", u->conv.p_value < ENC_MEASURE_ALPHA);
    enc_jw_end(w);
    enc_jw_key(w, "revenue_per_customer");
    enc_jw_obj(w);
    enc_jw_knum(w, "difference", major(a, u->rpc.diff));
    kpair(w, "ci", major(a, u->rpc.lo), major(a, u->rpc.hi));
    enc_jw_knum(w, "p_value", u->rpc.p_value);
    enc_jw_knum(w, "t", u->rpc.t);
    enc_jw_knum(w, "df", u->rpc.df);
    enc_jw_kstr(w, "test", u->rpc.pooled ? "student" : "welch");
    enc_jw_kbool(w, "significant", u->rpc.p_value < ENC_MEASURE_ALPHA);
    enc_jw_end(w);
    enc_jw_knum(w, "incremental_conversions", u->incr_conversions);
    enc_jw_knum(w, "incremental_revenue", major(a, u->incr_revenue));
    kpair(w, "incremental_revenue_ci", major(a, u->incr_lo), major(a, u->incr_hi));
    kmoney(w, a, "cost", u->cost);
    enc_jw_knum(w, "roi", u->roi);
    enc_jw_end(w);
}

static void group_json(const enc_attr *a, int g, const enc_uplift *u, enc_jw *w)
{
    const enc_attr_group *G = &a->g[g];
    enc_jw_obj(w);
    enc_jw_kstr(w, "name", G->name);
    enc_jw_kstr(w, "kind",
                g == ENC_ATTR_HOLDOUT   ? "holdout"
                : g == ENC_ATTR_TREATED ? "treated"
                                        : "variant");
    enc_jw_kint(w, "audience", G->audience);
    enc_jw_kint(w, "sent", G->sent);
    enc_jw_kint(w, "delivered", G->delivered);
    enc_jw_kint(w, "failed", G->failed);
    enc_jw_kint(w, "opened", G->opened);
    enc_jw_kint(w, "clicked", G->clicked);
    enc_jw_kint(w, "unsubscribed", G->unsubscribed);
    enc_jw_kint(w, "converted", G->converted);
    enc_jw_kint(w, "repurchased", G->repurchased);
    enc_jw_kint(w, "open_windows", G->open_windows);
    enc_jw_kint(w, "members", G->members);
    enc_jw_kint(w, "messages", G->messages);
    enc_jw_kint(w, "messages_sent", G->messages_sent);
    enc_jw_kint(w, "orders", G->orders);
    enc_jw_kint(w, "orders_by_coupon", G->orders_by_coupon);
    kmoney(w, a, "revenue", G->revenue);
    enc_jw_kint(w, "coupons_redeemed", G->coupons_redeemed);
    int64_t mc = llround(G->message_cost);
    enc_jw_key(w, "cost");
    enc_jw_obj(w);
    kmoney(w, a, "messages", mc);
    kmoney(w, a, "coupons", G->coupon_cost);
    kmoney(w, a, "total", mc + G->coupon_cost);
    enc_jw_end(w);
    enc_jw_knum(w, "conversion_rate", rate(G->converted, G->audience));
    enc_jw_knum(w, "click_rate", rate(G->clicked, G->audience));
    enc_jw_knum(w, "revenue_per_customer",
                G->audience ? major(a, (double)G->revenue / (double)G->audience) : NAN);
    enc_jw_knum(w, "repurchase_rate", rate(G->repurchased, G->audience));
    uplift_json(a, g == ENC_ATTR_HOLDOUT ? NULL : u, w);
    enc_jw_end(w);
}

int enc_campreport_periods(const enc_attr *a, int *step)
{
    *step = a->ndays > ENC_CAMPREPORT_MAX_POINTS ? 7 : 1;
    return (a->ndays + *step - 1) / *step;
}

void enc_campreport_period_revenue(const enc_attr *a, int g, int step, int np, int64_t *out)
{
    for (int p = 0; p < np; p++) out[p] = 0;
    for (int d = 0; d < a->ndays; d++) out[d / step] += a->g[g].daily[d];
}

/* "revenue_over_time": the periods (their first UTC day) and each group's attributed revenue in
 * them, in currency units, the groups in the order of "groups". */
static void revenue_over_time_json(const enc_attr *a, enc_jw *w)
{
    int step, np = enc_campreport_periods(a, &step);
    int64_t *v = enc_xcalloc((size_t)np + 1, sizeof *v);
    enc_jw_key(w, "revenue_over_time");
    enc_jw_obj(w);
    enc_jw_kstr(w, "interval", step == 1 ? "day" : "week");
    enc_jw_key(w, "periods");
    enc_jw_arr(w);
    for (int p = 0; p < np; p++) {
        char d[40];
        enc_fmt_datetime(d, sizeof d, a->day0 + (int64_t)p * step * 86400);
        d[10] = 0; /* the date */
        enc_jw_str(w, d);
    }
    enc_jw_end(w);
    enc_jw_key(w, "groups");
    enc_jw_arr(w);
    int order[ENC_ATTR_GROUPS], n = 0;
    for (int g = 0; g < a->nvariants; g++) order[n++] = g;
    order[n++] = ENC_ATTR_TREATED;
    order[n++] = ENC_ATTR_HOLDOUT;
    for (int k = 0; k < n; k++) {
        int g = order[k];
        enc_campreport_period_revenue(a, g, step, np, v);
        enc_jw_obj(w);
        enc_jw_kstr(w, "name", a->g[g].name);
        enc_jw_kstr(w, "kind",
                    g == ENC_ATTR_TREATED   ? "treated"
                    : g == ENC_ATTR_HOLDOUT ? "holdout"
                                            : "variant");
        enc_jw_key(w, "revenue");
        enc_jw_arr(w);
        for (int p = 0; p < np; p++) enc_jw_num(w, major(a, (double)v[p]));
        enc_jw_end(w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
    free(v);
}

void enc_campreport_json(const enc_campreport *r, enc_jw *w)
{
    const enc_attr *a = r->all;
    enc_jw_obj(w);
    enc_jw_kstr(w, "campaign", a->campaign);
    enc_jw_kstr(w, "state", r->state);
    kstr_time(w, "as_of", a->as_of);
    kstr_time(w, "started", r->started_at);
    kstr_time(w, "first_member", a->first_at);
    enc_jw_kstr(w, "currency", a->currency[0] ? a->currency : NULL);
    enc_mset_json(&a->set, w);
    enc_jw_kstr(w, "holdout_channel", enc_channel_name((enc_channel)a->holdout_channel));
    enc_jw_knum(w, "confidence", ENC_MEASURE_LEVEL);
    enc_jw_key(w, "groups");
    enc_jw_arr(w);
    for (int g = 0; g < a->nvariants; g++) group_json(a, g, &r->up[g], w);
    group_json(a, ENC_ATTR_TREATED, &r->up[ENC_ATTR_TREATED], w);
    group_json(a, ENC_ATTR_HOLDOUT, NULL, w);
    enc_jw_end(w);
    /* which attribution rule (docs/measurement.md) */
    enc_jw_kstr(w, "attribution", a->all_campaigns ? "all" : "last_touch");
    enc_jw_kint(w, "orders_to_other_campaigns", a->lost_to_others);
    revenue_over_time_json(a, w);
    /* messages that never left: expired at their turn, by reason (docs/delivery.md) */
    enc_jw_key(w, "expired");
    enc_jw_obj(w);
    for (int i = 0; i < r->counts.nexpired; i++)
        enc_jw_kint(w, r->counts.expired[i].reason, r->counts.expired[i].n);
    enc_jw_end(w);
    if (r->journey.len) {
        enc_jw_key(w, "journey");
        enc_jw_raw(w, r->journey.p, r->journey.len);
    }
    enc_jw_key(w, "ab");
    if (!r->has_ab) {
        enc_jw_null(w);
    } else {
        const enc_attr *t = r->test ? r->test : a;
        enc_jw_obj(w);
        enc_jw_kstr(w, "phase", r->test ? "test" : "all");
        kstr_time(w, "decided_at", r->ab_decided_at);
        enc_jw_kstr(w, "winner", r->ab_winner[0] ? r->ab_winner : NULL);
        if (r->ab_winner_significant >= 0)
            enc_jw_kbool(w, "winner_significant", r->ab_winner_significant == 1);
        else {
            enc_jw_key(w, "winner_significant");
            enc_jw_null(w);
        }
        enc_jw_kstr(w, "winner_rule", r->ab_rule[0] ? r->ab_rule : NULL);
        enc_ab_json(t, &r->ab, w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
}

/* ---- text ------------------------------------------------------------------------------------ */

static void fmt_pct(char *out, size_t cap, double f)
{
    if (isnan(f)) snprintf(out, cap, "-");
    else snprintf(out, cap, "%.1f%%", 100 * f);
}

static void fmt_money(const enc_attr *a, char *out, size_t cap, double minor)
{
    if (isnan(minor)) {
        snprintf(out, cap, "-");
        return;
    }
    enc_money_format(out, cap, llround(minor), a->digits);
}

static void fmt_p(char *out, size_t cap, double p)
{
    if (isnan(p)) snprintf(out, cap, "-");
    else if (p < 0.0001) snprintf(out, cap, "<0.0001");
    else snprintf(out, cap, "%.4f", p);
}

static int name_width(const enc_attr *a)
{
    int wd = 8;
    for (int g = 0; g < a->nvariants; g++)
        if ((int)strlen(a->g[g].name) > wd) wd = (int)strlen(a->g[g].name);
    return wd;
}

/* rows of the variants, then "treated" when there are several, then "holdout" */
static int text_rows(const enc_attr *a, int *rows)
{
    int n = 0;
    for (int g = 0; g < a->nvariants; g++) rows[n++] = g;
    if (a->nvariants > 1) rows[n++] = ENC_ATTR_TREATED;
    rows[n++] = ENC_ATTR_HOLDOUT;
    return n;
}

/* The journey's funnel (the JSON enc_journey_funnel made) as text lines. */
static void journey_text(const char *json, enc_buf *b)
{
    json_t *j = json_loads(json, 0, NULL);
    if (!j) return;
    enc_buf_printf(b, "\njourney: %lld entered\n",
                   (long long)json_integer_value(json_object_get(j, "entered")));
    enc_buf_printf(b, "  %-18s %8s %8s %8s %8s %8s\n", "step", "reached", "messages", "sent",
                   "opened", "clicked");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(j, "steps"), i, x)
    {
        enc_buf_printf(b, "  %-18s", json_string_value(json_object_get(x, "name")));
        static const char *const cols[] = {"reached", "messages", "sent", "opened", "clicked"};
        for (int c = 0; c < 5; c++)
            enc_buf_printf(b, " %8lld", (long long)json_integer_value(json_object_get(x, cols[c])));
        enc_buf_adds(b, "\n");
    }
    json_array_foreach(json_object_get(j, "branches"), i, x)
    {
        enc_buf_printf(b, "  %s > %s > %s: %lld\n", json_string_value(json_object_get(x, "step")),
                       json_string_value(json_object_get(x, "branch")),
                       json_string_value(json_object_get(x, "next")),
                       (long long)json_integer_value(json_object_get(x, "taken")));
    }
    json_decref(j);
}

void enc_campreport_text(const enc_campreport *r, enc_buf *b)
{
    const enc_attr *a = r->all;
    char t1[40], t2[40];
    enc_fmt_datetime(t1, sizeof t1, a->as_of);
    enc_buf_printf(b, "campaign %s: %s; as of %s UTC", a->campaign, r->state, t1);
    if (a->first_at) {
        enc_fmt_datetime(t2, sizeof t2, a->first_at);
        enc_buf_printf(b, "; first member %s", t2);
    }
    enc_buf_adds(b, "\nattribution windows:");
    for (int c = 0; c < CH_NCHANNELS; c++) {
        char d[32];
        enc_mset_fmt_window(d, sizeof d, a->set.window[c]);
        enc_buf_printf(b, " %s %s%s", enc_channel_name((enc_channel)c), d,
                       c == a->holdout_channel ? " (holdout)" : "");
    }
    if (a->all_campaigns)
        enc_buf_adds(b, "\nattribution: every campaign whose window holds an order counts it"
                        " (--attribution all): summed over campaigns, revenue may be counted"
                        " more than once");
    else
        enc_buf_printf(b,
                       "\nattribution: last touch across campaigns (an order counts for one"
                       " campaign); %lld order%s went to a later touch of another campaign",
                       (long long)a->lost_to_others, a->lost_to_others == 1 ? "" : "s");
    if (r->counts.nexpired) {
        enc_buf_adds(b, "\nexpired, never sent:");
        for (int i = 0; i < r->counts.nexpired; i++)
            enc_buf_printf(b, " %s %lld", r->counts.expired[i].reason,
                           (long long)r->counts.expired[i].n);
    }
    enc_buf_adds(b, "\n\n");
    int rows[ENC_ATTR_GROUPS], nr = text_rows(a, rows), wd = name_width(a);
    enc_buf_printf(b, "%-*s %9s %9s %9s %7s %8s %8s %6s %9s %7s %7s\n", wd, "group", "audience",
                   "sent", "delivered", "failed", "opened", "clicked", "unsub", "converted",
                   "conv.", "repurch.");
    for (int k = 0; k < nr; k++) {
        const enc_attr_group *G = &a->g[rows[k]];
        char cr[16], rr[16];
        fmt_pct(cr, sizeof cr, rate(G->converted, G->audience));
        fmt_pct(rr, sizeof rr, rate(G->repurchased, G->audience));
        enc_buf_printf(b, "%-*s %9lld %9lld %9lld %7lld %8lld %8lld %6lld %9lld %7s %7s\n", wd,
                       G->name, (long long)G->audience, (long long)G->sent, (long long)G->delivered,
                       (long long)G->failed, (long long)G->opened, (long long)G->clicked,
                       (long long)G->unsubscribed, (long long)G->converted, cr, rr);
    }
    enc_buf_printf(b, "\n%-*s %7s %9s %13s %11s %11s %11s\n", wd, "group", "orders", "by coupon",
                   a->currency[0] ? a->currency : "revenue", "per cust.", "msg cost",
                   "coupon cost");
    for (int k = 0; k < nr; k++) {
        const enc_attr_group *G = &a->g[rows[k]];
        char rv[32], pc[32], mc[32], cc[32];
        fmt_money(a, rv, sizeof rv, (double)G->revenue);
        fmt_money(a, pc, sizeof pc, G->audience ? (double)G->revenue / (double)G->audience : NAN);
        fmt_money(a, mc, sizeof mc, G->message_cost);
        fmt_money(a, cc, sizeof cc, (double)G->coupon_cost);
        enc_buf_printf(b, "%-*s %7lld %9lld %13s %11s %11s %11s\n", wd, G->name,
                       (long long)G->orders, (long long)G->orders_by_coupon, rv, pc, mc, cc);
    }
    const enc_attr_group *H = &a->g[ENC_ATTR_HOLDOUT];
    if (!H->audience) {
        enc_buf_adds(b, "\nno holdout members: the uplift cannot be measured\n");
    } else {
        enc_buf_printf(b,
                       "\nuplift over the holdout (95%% intervals: Newcombe for conversion, "
                       "Welch for revenue per customer)\n%-*s %24s %8s %24s %8s %12s %8s\n",
                       wd, "group", "conversion (pp)", "p", "revenue/customer", "p", "incremental",
                       "ROI");
        for (int k = 0; k < nr - 1; k++) {
            const enc_uplift *u = &r->up[rows[k]];
            if (!u->valid) continue;
            char cv[48], pv[16], rv[112], pr[16], inc[32], roi[24], l1[32], h1[32], m1[32];
            snprintf(cv, sizeof cv, "%+.2f [%+.2f, %+.2f]", 100 * u->conv.diff, 100 * u->conv.lo,
                     100 * u->conv.hi);
            fmt_p(pv, sizeof pv, u->conv.p_value);
            fmt_money(a, m1, sizeof m1, u->rpc.diff);
            fmt_money(a, l1, sizeof l1, u->rpc.lo);
            fmt_money(a, h1, sizeof h1, u->rpc.hi);
            snprintf(rv, sizeof rv, "%s [%s, %s]", m1, l1, h1);
            fmt_p(pr, sizeof pr, u->rpc.p_value);
            fmt_money(a, inc, sizeof inc, u->incr_revenue);
            if (isnan(u->roi)) snprintf(roi, sizeof roi, "-");
            else snprintf(roi, sizeof roi, "%.2f", u->roi);
            enc_buf_printf(b, "%-*s %24s %8s %24s %8s %12s %8s\n", wd, a->g[rows[k]].name, cv, pv,
                           rv, pr, inc, roi);
        }
    }
    if (r->has_ab) {
        const enc_attr *t = r->test ? r->test : a;
        const enc_ab_result *ab = &r->ab;
        enc_buf_printf(b, "\nA/B by %s%s: leader %s", enc_ab_metric_name(ab->metric),
                       r->test ? " (the test's members)" : "", t->g[ab->leader].name);
        if (r->ab_winner[0]) {
            enc_buf_printf(b, ", decided winner %s", r->ab_winner);
            if (r->ab_winner_significant >= 0)
                enc_buf_printf(b, " (%s)",
                               r->ab_winner_significant ? "significant" : "NOT significant");
            if (r->ab_rule[0]) enc_buf_printf(b, "; rolled out as %s", r->ab_rule);
        }
        enc_buf_printf(b, "; %s at %.2f (Holm over %d comparison%s)\n",
                       ab->significant ? "significant" : "not significant", ENC_MEASURE_ALPHA,
                       ab->ncmp, ab->ncmp == 1 ? "" : "s");
        for (int k = 0; k < ab->ncmp; k++) {
            const enc_ab_cmp *c = &ab->cmp[k];
            char pv[16], pa[16];
            fmt_p(pv, sizeof pv, c->p_value);
            fmt_p(pa, sizeof pa, c->p_adjusted);
            if (ab->metric == ENC_AB_REVENUE) {
                char d[32], l[32], h[32];
                fmt_money(a, d, sizeof d, c->diff);
                fmt_money(a, l, sizeof l, c->lo);
                fmt_money(a, h, sizeof h, c->hi);
                enc_buf_printf(b, "  vs %s: %s [%s, %s] per customer, p %s, adjusted %s (%s)\n",
                               t->g[c->variant].name, d, l, h, pv, pa, c->test);
            } else {
                enc_buf_printf(b, "  vs %s: %+.2f pp [%+.2f, %+.2f], p %s, adjusted %s (%s)\n",
                               t->g[c->variant].name, 100 * c->diff, 100 * c->lo, 100 * c->hi, pv,
                               pa, c->test);
            }
        }
    }
    if (r->journey.len) journey_text(r->journey.p, b);
}

/* ---- building -------------------------------------------------------------------------------- */

enc_rc enc_campreport_build(enc_store *st, const char *name, int64_t as_of, enc_campreport **out,
                            enc_err *err)
{
    return enc_campreport_build_rule(st, name, as_of, false, out, err);
}

enc_rc enc_campreport_build_rule(enc_store *st, const char *name, int64_t as_of, bool all_campaigns,
                                 enc_campreport **out, enc_err *err)
{
    *out = NULL;
    enc_camp_row row;
    if (enc_camp_get(st, name, &row, err)) return err->rc;
    enc_spec *spec;
    enc_rc rc = enc_spec_parse(row.spec, strlen(row.spec), NULL, &spec, err);
    if (rc) {
        enc_camp_row_free(&row);
        return rc;
    }
    enc_campreport *r = enc_xcalloc(1, sizeof *r);
    snprintf(r->state, sizeof r->state, "%s", row.state);
    r->started_at = row.started_at;
    r->ab_decided_at = row.ab_decided_at;
    snprintf(r->ab_winner, sizeof r->ab_winner, "%s", row.ab_winner);
    r->ab_winner_significant = -1;
    if (row.ab_report) {
        json_t *j = json_loads(row.ab_report, 0, NULL);
        json_t *sig = json_object_get(j, "significant"), *rule = json_object_get(j, "rule");
        if (json_is_boolean(sig)) r->ab_winner_significant = json_is_true(sig);
        if (json_is_string(rule))
            snprintf(r->ab_rule, sizeof r->ab_rule, "%s", json_string_value(rule));
        json_decref(j);
    }
    r->has_ab_test = spec->ab;
    enc_camp_row_free(&row);
    enc_mset set;
    enc_attr_opts o = {.as_of = as_of, .set = &set, .spec = spec, .all_campaigns = all_campaigns};
    if ((rc = enc_mset_load(st, name, &set, err)) ||
        (rc = enc_attr_run(st, name, &o, &r->all, err)) ||
        (rc = enc_camp_counts_get(st, name, &r->counts, err)))
        goto out;
    for (int g = 0; g <= ENC_ATTR_TREATED; g++)
        if (g < r->all->nvariants || g == ENC_ATTR_TREATED) enc_uplift_of(r->all, g, &r->up[g]);
    r->has_ab = r->all->nvariants > 1;
    if (r->has_ab && spec->ab && r->ab_decided_at) {
        o.before = r->ab_decided_at;
        if ((rc = enc_attr_run(st, name, &o, &r->test, err))) goto out;
    }
    if (r->has_ab) enc_ab_compare(r->test ? r->test : r->all, spec->ab_metric, &r->ab);
    if (spec->journey.nsteps && (rc = enc_journey_funnel(st, spec, as_of, &r->journey, err)))
        goto out;
out:
    enc_spec_free(spec);
    if (rc) {
        enc_campreport_free(r);
        return rc;
    }
    *out = r;
    return ENC_OK;
}

void enc_campreport_free(enc_campreport *r)
{
    if (!r) return;
    enc_attr_free(r->all);
    enc_attr_free(r->test);
    enc_buf_free(&r->journey);
    free(r);
}
