/* report_cohorts.c — the report's cohort retention section: customers by month of first
 * purchase, the share of each cohort buying again in each following month as a heatmap, and a
 * table of cohort sizes and net revenue. The numbers are `encore cohorts`' (measure/analytics.c),
 * read through the same snapshot. */
#include "base/mem.h"
#include "measure/analytics.h"
#include "report/report.h"
#include "report/svg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_ROWS 24 /* the latest cohorts drawn; older ones are in `encore cohorts` */

enc_rc enc__report_cohorts(enc_report *r, enc_err *err)
{
    enc_analytics_src a;
    enc_cohorts c = {0};
    if (enc_analytics_src_load(r->st, r->digits, &a, err) ||
        enc_cohorts_compute(a.snap, ENC_PERIOD_MONTH, &c, err)) {
        enc_cohorts_free(&c);
        enc_analytics_src_free(&a);
        return err->rc;
    }
    enc_buf_adds(
        r->out,
        "<p>Customers grouped by the month of their first purchase (a cohort). Each row "
        "shows the share of the cohort who bought in each month after it (month 0 is the "
        "first purchase, so 100%); reading down a column compares how well newer cohorts "
        "are kept. <code>encore cohorts</code> prints every cohort, by month or week.</p>\n");
    size_t first = c.n > MAX_ROWS ? c.n - MAX_ROWS : 0, rows = c.n - first, cols = 0;
    for (size_t i = first; i < c.n; i++)
        if (c.rows[i].n > cols) cols = c.rows[i].n;
    double *v = enc_xmalloc((rows && cols ? rows * cols : 1) * sizeof *v);
    char **rl = enc_xcalloc(rows ? rows : 1, sizeof *rl),
         **cl = enc_xcalloc(cols ? cols : 1, sizeof *cl);
    for (size_t i = 0; i < rows; i++) {
        const enc_cohort *h = &c.rows[first + i];
        rl[i] = enc_xmalloc(16);
        enc_period_label(ENC_PERIOD_MONTH, h->period, rl[i], 16);
        for (size_t k = 0; k < cols; k++)
            v[i * cols + k] = k < h->n && h->size ? (double)h->customers[k] / (double)h->size : NAN;
    }
    for (size_t k = 0; k < cols; k++) {
        cl[k] = enc_xmalloc(24);
        snprintf(cl[k], 24, "%zu", k);
    }
    enc_report_figure_begin(r);
    enc_svg_chart ch = {.id = "cohort-heatmap",
                        .title = "Share of each cohort buying, by month since the first purchase",
                        .desc =
                            "Rows are cohorts by month of first purchase, columns the months "
                            "since; each cell is the share of the cohort who bought that month.",
                        .x_label = "months since the first purchase",
                        .y_label = "cohort",
                        .width = cols > 14 ? 980 : 760,
                        .fmt = ENC_SVG_PCT};
    if (rows && cols)
        enc_svg_heatmap(r->out, &ch, rows, cols, (const char *const *)rl, (const char *const *)cl,
                        v);
    else enc_svg_heatmap(r->out, &ch, 0, 0, NULL, NULL, NULL);
    char cap[200];
    int64_t total = 0;
    for (size_t i = 0; i < c.n; i++) total += c.rows[i].size;
    snprintf(cap, sizeof cap, "%lld customers with a purchase in %zu cohorts%s.", (long long)total,
             c.n, first ? " (the latest 24 drawn)" : "");
    enc_report_figure_end(r, cap);
    if (rows) {
        enc_buf_adds(r->out, "<table><tr><th>cohort</th><th>customers</th><th>bought again in "
                             "month 1</th><th>net revenue, month 0</th><th>net revenue, "
                             "all months</th></tr>\n");
        for (size_t i = 0; i < rows; i++) {
            const enc_cohort *h = &c.rows[first + i];
            int64_t sum = 0;
            for (size_t k = 0; k < h->n; k++) sum += h->revenue[k];
            char m0[64], all[64], again[32] = "-";
            enc_report_money(r, m0, sizeof m0, h->revenue[0]);
            enc_report_money(r, all, sizeof all, sum);
            if (h->n > 1)
                snprintf(again, sizeof again, "%.1f%%",
                         100.0 * (double)h->customers[1] / (double)h->size);
            enc_buf_printf(r->out, "<tr><td>%s</td><td>%lld</td><td>%s</td><td>", rl[i],
                           (long long)h->size, again);
            enc_report_text(r, m0);
            enc_buf_adds(r->out, "</td><td>");
            enc_report_text(r, all);
            enc_buf_adds(r->out, "</td></tr>\n");
        }
        enc_buf_adds(r->out, "</table>\n");
    }
    for (size_t i = 0; i < rows; i++) free(rl[i]);
    for (size_t k = 0; k < cols; k++) free(cl[k]);
    free(rl);
    free(cl);
    free(v);
    enc_cohorts_free(&c);
    enc_analytics_src_free(&a);
    return ENC_OK;
}
