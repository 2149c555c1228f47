/* report_campaigns.c — the HTML report's campaign section: for each campaign with members, what
 * `encore campaign report` says (src/measure/campreport.h) as a table, a funnel, the uplift
 * of each variant over the holdout with its 95% interval, and the attributed revenue per
 * customer of each group over time. Reads the store through the measure stage only. */
#include "base/datetime.h"
#include "base/mem.h"
#include "measure/campreport.h"
#include "report/report.h"
#include "report/svg.h"
#include "store/report_store.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400
#define MAX_CAMPAIGNS 20 /* drawn; the rest are named */

static void out_pct(enc_report *r, double f)
{
    char s[32];
    enc_svg_fmt_value(s, sizeof s, f, ENC_SVG_PCT);
    enc_report_text(r, s);
}

static void out_money(enc_report *r, double minor)
{
    char s[64];
    if (isnan(minor)) snprintf(s, sizeof s, "-");
    else enc_report_money(r, s, sizeof s, llround(minor));
    enc_report_text(r, s);
}

/* A chart of campaign idx: id "campN-WHAT" (written into id[32]), title and description. */
static enc_svg_chart chart(char *id, int idx, const char *what, const char *title, const char *desc,
                           int width)
{
    snprintf(id, 32, "camp%d-%s", idx, what);
    return (enc_svg_chart){.id = id, .title = title, .desc = desc, .width = width};
}

static void table(enc_report *r, const enc_campreport *cr, const int *rows, int nr)
{
    const enc_attr *a = cr->all;
    enc_buf_adds(r->out, "<table><tr><th>group</th><th>audience</th><th>sent</th><th>delivered"
                         "</th><th>opened</th><th>clicked</th><th>unsubscribed</th><th>converted"
                         "</th><th>conversion</th><th>revenue</th><th>per customer</th><th>cost"
                         "</th><th>repurchase</th></tr>\n");
    for (int k = 0; k < nr; k++) {
        const enc_attr_group *G = &a->g[rows[k]];
        double n = (double)G->audience;
        enc_buf_adds(r->out, "<tr><td>");
        enc_report_text(r, G->name);
        enc_buf_printf(r->out,
                       "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld"
                       "</td><td>%lld</td><td>%lld</td><td>",
                       (long long)G->audience, (long long)G->sent, (long long)G->delivered,
                       (long long)G->opened, (long long)G->clicked, (long long)G->unsubscribed,
                       (long long)G->converted);
        out_pct(r, n > 0 ? (double)G->converted / n : NAN);
        enc_buf_adds(r->out, "</td><td>");
        out_money(r, (double)G->revenue);
        enc_buf_adds(r->out, "</td><td>");
        out_money(r, n > 0 ? (double)G->revenue / n : NAN);
        enc_buf_adds(r->out, "</td><td>");
        out_money(r, (double)llround(G->message_cost) + (double)G->coupon_cost);
        enc_buf_adds(r->out, "</td><td>");
        out_pct(r, n > 0 ? (double)G->repurchased / n : NAN);
        enc_buf_adds(r->out, "</td></tr>\n");
    }
    enc_buf_adds(r->out, "</table>\n");
}

static void funnel(enc_report *r, const enc_campreport *cr, int idx)
{
    const enc_attr_group *T = &cr->all->g[ENC_ATTR_TREATED];
    static const char *const labels[] = {"assigned", "sent",    "delivered",
                                         "opened",   "clicked", "converted"};
    int64_t v[6] = {T->audience, T->sent, T->delivered, T->opened, T->clicked, T->converted};
    double val[6];
    char nb[6][48];
    const char *notes[6];
    for (int i = 0; i < 6; i++) {
        val[i] = (double)v[i];
        char p[24];
        enc_svg_fmt_value(p, sizeof p, T->audience ? (double)v[i] / (double)T->audience : NAN,
                          ENC_SVG_PCT);
        snprintf(nb[i], sizeof nb[i], "%lld \xC2\xB7 %s", (long long)v[i], p);
        notes[i] = nb[i];
    }
    char id[32];
    enc_svg_chart c = chart(id, idx, "funnel", "Funnel: customers of every variant",
                            "Customers assigned to a variant, and how many of them were sent, "
                            "delivered, opened, clicked and converted.",
                            520);
    enc_report_figure_begin(r);
    enc_svg_bar(r->out, &c, true, 6, labels, val, notes);
    enc_report_figure_end(r, "Each customer counts once per step; shares are of the customers "
                             "assigned (sent = handed to the provider, delivered = accepted).");
}

static void uplift_chart(enc_report *r, const enc_campreport *cr, const int *rows, int nr, int idx)
{
    const enc_attr *a = cr->all;
    const char *labels[ENC_ATTR_GROUPS];
    const char *notes[ENC_ATTR_GROUPS];
    char nb[ENC_ATTR_GROUPS][64];
    double est[ENC_ATTR_GROUPS], lo[ENC_ATTR_GROUPS], hi[ENC_ATTR_GROUPS];
    int n = 0;
    for (int k = 0; k < nr; k++) {
        if (rows[k] == ENC_ATTR_HOLDOUT) continue;
        const enc_uplift *u = &cr->up[rows[k]];
        labels[n] = rows[k] == ENC_ATTR_TREATED ? "all variants" : a->g[rows[k]].name;
        est[n] = u->valid ? u->conv.diff : NAN;
        lo[n] = u->conv.lo, hi[n] = u->conv.hi;
        if (u->valid)
            snprintf(nb[n], sizeof nb[n], "%+.2f pp, p %.3g%s", 100 * u->conv.diff, u->conv.p_value,
                     u->conv.p_value < ENC_MEASURE_ALPHA ? " *" : "");
        else snprintf(nb[n], sizeof nb[n], "no customers");
        notes[n] = nb[n];
        n++;
    }
    char id[32];
    enc_svg_chart c = chart(id, idx, "uplift", "Conversion uplift over the holdout",
                            "Difference in conversion rate between each variant and the holdout, "
                            "with its 95% Newcombe interval.",
                            560);
    c.x_label = "treated minus holdout (conversion rate)";
    c.fmt = ENC_SVG_PCT;
    c.color = 2;
    enc_report_figure_begin(r);
    enc_svg_interval(r->out, &c, (size_t)n, labels, est, lo, hi, notes);
    enc_report_figure_end(r, "Dots: the difference in conversion rate; lines: 95% intervals "
                             "(Newcombe's hybrid score). * marks p < 0.05 (z-test, or Fisher's "
                             "exact test for small counts). An interval clear of 0 is an effect.");
}

static void revenue_chart(enc_report *r, const enc_campreport *cr, const int *rows, int nr, int idx)
{
    const enc_attr *a = cr->all;
    int step, np = enc_campreport_periods(a, &step);
    int64_t *v = enc_xcalloc((size_t)np + 1, sizeof *v);
    double *y = enc_xcalloc((size_t)np * (size_t)nr + 1, sizeof *y);
    char(*xl)[16] = enc_xcalloc((size_t)np + 1, sizeof *xl);
    const char **xp = enc_xcalloc((size_t)np + 1, sizeof *xp);
    enc_svg_series s[ENC_ATTR_GROUPS];
    int ns = 0;
    for (int p = 0; p < np; p++) {
        snprintf(xl[p], sizeof xl[p], step == 1 ? "day %d" : "week %d", p + 1);
        xp[p] = xl[p];
    }
    for (int k = 0; k < nr; k++) {
        if (rows[k] == ENC_ATTR_TREATED) continue;
        const enc_attr_group *G = &a->g[rows[k]];
        double *yy = y + (size_t)ns * (size_t)np, cum = 0, n = (double)G->audience;
        enc_campreport_period_revenue(a, rows[k], step, np, v);
        for (int p = 0; p < np; p++) {
            cum += (double)v[p];
            yy[p] = n > 0 ? cum / n / pow(10, r->digits) : NAN;
        }
        s[ns] = (enc_svg_series){G->name, yy, rows[k] == ENC_ATTR_HOLDOUT ? 7 : ns,
                                 rows[k] == ENC_ATTR_HOLDOUT};
        ns++;
    }
    char id[32];
    enc_svg_chart c = chart(id, idx, "revenue", "Attributed revenue per customer, cumulative",
                            "Attributed revenue per assigned customer of each variant and of the "
                            "holdout, added up day by day since the first member.",
                            720);
    c.x_label = step == 1 ? "days since the first member" : "weeks since the first member";
    enc_report_figure_begin(r);
    enc_svg_line(r->out, &c, (size_t)np, xp, (size_t)ns, s);
    enc_report_figure_end(r, "The holdout (dashed) gets the window of the campaign's first "
                             "channel from its membership: the gap between a variant and the "
                             "holdout is what the campaign added.");
    free(v);
    free(y);
    free(xl);
    free(xp);
}

static void summary(enc_report *r, const enc_campreport *cr)
{
    const enc_attr *a = cr->all;
    const enc_uplift *u = &cr->up[ENC_ATTR_TREATED];
    enc_buf_adds(r->out, "<p>");
    if (!a->g[ENC_ATTR_HOLDOUT].audience) {
        enc_buf_adds(r->out, "No holdout members: the uplift cannot be measured.");
    } else if (u->valid) {
        enc_buf_adds(r->out, "Every variant together against the holdout: incremental revenue ");
        out_money(r, u->incr_revenue);
        enc_buf_adds(r->out, " (95% interval ");
        out_money(r, u->incr_lo);
        enc_buf_adds(r->out, " to ");
        out_money(r, u->incr_hi);
        enc_buf_adds(r->out, "), cost ");
        out_money(r, (double)u->cost);
        if (!isnan(u->roi)) enc_buf_printf(r->out, ", ROI %.2f", u->roi);
        enc_buf_adds(r->out, ".");
    }
    if (cr->has_ab) {
        const enc_attr *t = cr->test ? cr->test : a;
        enc_buf_printf(r->out, " A/B by %s: ", enc_ab_metric_name(cr->ab.metric));
        enc_report_text(r, t->g[cr->ab.leader].name);
        enc_buf_printf(r->out, " leads%s, %s significant at 0.05 (Holm).",
                       cr->test ? " among the test's members" : "",
                       cr->ab.significant ? "" : "not");
        if (cr->ab_winner[0]) {
            enc_buf_adds(r->out, " Decided winner: ");
            enc_report_text(r, cr->ab_winner);
            if (cr->ab_winner_significant >= 0)
                enc_buf_adds(r->out, cr->ab_winner_significant ? ", significant"
                                                               : ", <b>not significant</b>");
            if (cr->ab_rule[0]) {
                enc_buf_adds(r->out, "; rolled out as ");
                enc_report_text(r, cr->ab_rule);
            }
            enc_buf_adds(r->out, ".");
        }
    }
    enc_buf_adds(r->out, "</p>\n");
}

static enc_rc one(enc_report *r, const char *name, int64_t now, int idx, enc_err *err)
{
    enc_campreport *cr;
    if (enc_campreport_build(r->st, name, now, &cr, err)) return err->rc;
    const enc_attr *a = cr->all;
    int rows[ENC_ATTR_GROUPS], nr = 0;
    for (int g = 0; g < a->nvariants; g++) rows[nr++] = g;
    if (a->nvariants > 1) rows[nr++] = ENC_ATTR_TREATED;
    rows[nr++] = ENC_ATTR_HOLDOUT;
    char t1[40], t2[40];
    enc_fmt_datetime(t1, sizeof t1, a->first_at ? a->first_at : now);
    enc_fmt_datetime(t2, sizeof t2, now);
    enc_buf_printf(r->out, "<h3 id=\"campaign-%s\">", name); /* names are [A-Za-z0-9._-] */
    enc_report_text(r, name);
    enc_buf_adds(r->out, "</h3>\n<p>");
    enc_report_text(r, cr->state);
    enc_buf_printf(r->out, "; members since %s UTC, counted up to %s UTC. Attribution windows:", t1,
                   t2);
    for (int c = 0; c < CH_NCHANNELS; c++) {
        char d[32];
        enc_mset_fmt_window(d, sizeof d, a->set.window[c]);
        enc_buf_printf(r->out, " %s %s%s", enc_channel_name((enc_channel)c), d,
                       c == CH_NCHANNELS - 1 ? "." : ",");
    }
    enc_buf_adds(r->out, "</p>\n");
    table(r, cr, rows, nr);
    summary(r, cr);
    enc_buf_adds(r->out, "<div class=\"figs\">\n");
    funnel(r, cr, idx);
    if (a->g[ENC_ATTR_HOLDOUT].audience) uplift_chart(r, cr, rows, nr, idx);
    enc_buf_adds(r->out, "</div>\n");
    revenue_chart(r, cr, rows, nr, idx);
    enc_campreport_free(cr);
    return ENC_OK;
}

enc_rc enc__report_campaigns(enc_report *r, enc_err *err)
{
    int64_t now = r->opts->now ? r->opts->now : (int64_t)time(NULL);
    enc_scan *q = enc_store_repq(r->st, ENC_REPQ_CAMPAIGN_NAMES, err);
    if (!q) return err->rc;
    enc_buf_adds(r->out, "<p class=\"lead\">What each campaign brought, as <code>encore campaign "
                         "report</code> measures it: an order counts for a customer when it "
                         "redeemed the campaign's coupon, or came within the channel's "
                         "attribution window after a delivery or a click; the holdout gets the "
                         "same window from its membership. Rates are of every customer "
                         "assigned (intention to treat).</p>\n");
    int k = 0, st;
    enc_rc rc = ENC_OK;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        const char *name = (const char *)enc_scan_text(q, 0);
        if (k++ >= MAX_CAMPAIGNS) {
            enc_buf_adds(r->out, "<p>Not drawn (more than 20 campaigns): ");
            enc_report_text(r, name);
            enc_buf_adds(r->out, " and the others: see <code>encore campaign report</code>.</p>\n");
            break;
        }
        if ((rc = one(r, name, now, k, err))) break;
    }
    if (!rc && st < 0) rc = enc_scan_fail(q, err, "report: campaigns");
    enc_scan_close(q);
    return rc;
}
