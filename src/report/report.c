/* report.c — the HTML report (see report.h): the page skeleton, the list of sections, and the
 * sections on customer intelligence (summary, RFM segments, R x F, lifecycle, CLV, churn risk,
 * predicted vs actual purchases, categories); campaigns are in report_campaigns.c. Each section
 * runs a few aggregate queries over profiles, score_runs and orders and draws with svg.h. End of
 * the flow: reads the store only. */
#include "report/report.h"
#include "store/report_store.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include "ingest/clean.h"
#include "intel/lifecycle.h"
#include "intel/rfm.h"
#include "report/svg.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY 86400
#define WEEK (7 * DAY)
#define MAX_GROUPS 40 /* bars of one categorical chart; further values are rolled up */

/* ---- small helpers --------------------------------------------------------------------------- */

static void h(enc_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void h(enc_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enc_buf_vprintf(r->out, fmt, ap);
    va_end(ap);
}

void enc_report_text(enc_report *r, const char *s) { enc_svg_escape(r->out, s); }

void enc_report_figure_begin(enc_report *r)
{
    enc_buf_adds(r->out, "<figure>\n");
    r->figure_open = 1;
}

void enc_report_figure_end(enc_report *r, const char *caption)
{
    if (caption) {
        enc_buf_adds(r->out, "<figcaption>");
        enc_svg_escape(r->out, caption);
        enc_buf_adds(r->out, "</figcaption>\n");
    }
    enc_buf_adds(r->out, "</figure>\n");
    r->figure_open = 0;
    r->charts++;
}

/* 1234567 -> "1,234,567" */
static void fmt_int(char *out, size_t cap, int64_t v)
{
    char tmp[32], res[48];
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)a);
    size_t n = strlen(tmp), k = 0;
    if (v < 0) res[k++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) res[k++] = ',';
        res[k++] = tmp[i];
    }
    res[k] = 0;
    snprintf(out, cap, "%s", res);
}

void enc_report_money(const enc_report *r, char *out, size_t cap, int64_t minor)
{
    char plain[48], grouped[64];
    enc_money_format(plain, sizeof plain, minor, r->digits);
    /* group the integer part: "-1234567.50" -> "-1,234,567.50" */
    const char *p = plain;
    size_t k = 0;
    if (*p == '-') grouped[k++] = *p++;
    size_t intlen = strcspn(p, ".");
    for (size_t i = 0; i < intlen && k < sizeof grouped - 2; i++) {
        if (i && (intlen - i) % 3 == 0) grouped[k++] = ',';
        grouped[k++] = p[i];
    }
    snprintf(grouped + k, sizeof grouped - k, "%s", p + intlen);
    if (r->currency[0]) snprintf(out, cap, "%s %s", r->currency, grouped);
    else snprintf(out, cap, "%s", grouped);
}

/* Whole major units for the summary cards: "USD 473,560" (cents add nothing there). */
static void money_whole(const enc_report *r, char *out, size_t cap, int64_t minor)
{
    int64_t scale = 1;
    for (int i = 0; i < r->digits; i++) scale *= 10;
    int64_t whole = (minor >= 0 ? minor + scale / 2 : minor - scale / 2) / scale;
    enc_report tmp = *r;
    tmp.digits = 0;
    enc_report_money(&tmp, out, cap, whole);
}

/* minor units -> major units */
static double major(const enc_report *r, double minor) { return minor / pow(10, r->digits); }

static double frac(double a, double b) { return b > 0 ? a / b : NAN; }

static void fmt_pct(char *out, size_t cap, double f)
{
    enc_svg_fmt_value(out, cap, f, ENC_SVG_PCT);
}

static void fmt_time(char *out, size_t cap, int64_t t)
{
    if (t % DAY == 0) enc_fmt_date(out, cap, t);
    else {
        enc_fmt_datetime(out, cap, t);
        size_t n = strlen(out);
        snprintf(out + n, cap - n, " UTC");
    }
}

/* The cursor c into *q, or the error of opening it. */
static enc_rc opened(enc_scan *c, enc_scan **q, enc_err *err)
{
    *q = c;
    return c ? ENC_OK : err->rc;
}

static enc_rc prep(enc_report *r, enc_repq which, enc_scan **q, enc_err *err)
{
    return opened(enc_store_repq(r->st, which, err), q, err);
}

/* Closes q; fails unless the last step returned ENC_SCAN_DONE. */
static enc_rc done(enc_report *r, enc_scan *q, int step, enc_err *err)
{
    enc_rc rc = step == ENC_SCAN_DONE ? ENC_OK : enc_scan_fail(q, err, "report: reading the store");
    enc_scan_close(q);
    return rc;
}

static double col_num(enc_scan *q, int i)
{
    return enc_scan_null(q, i) ? NAN : enc_scan_double(q, i);
}

/* Copies at most cap - 1 bytes of s without cutting a UTF-8 character. */
static void copy_utf8(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    memcpy(out, s, n);
    out[n] = 0;
}

/* ---- categorical groups (segments, classes, stages) ------------------------------------------ */

typedef struct group {
    char label[160];
    int64_t n, money;
} group;

typedef struct groups {
    int n;
    group g[MAX_GROUPS];
    int64_t total_n, total_money;
} groups;

typedef struct scheme {
    int count;                                   /* canonical values, always shown in this order */
    void (*label)(int i, char *out, size_t cap); /* their display label */
    int (*match)(const char *s);                 /* canonical index of a stored value, or -1 */
} scheme;

/* Reads the customers and money per value of col (enc_store_report_groups) into the scheme's
 * canonical order, then other stored values by size (a NULL shows as "(none)"); values beyond
 * MAX_GROUPS are rolled up into "(other values)". col is a column name from this file. */
static enc_rc read_groups(enc_report *r, const char *col, const scheme *s, groups *G, enc_err *err)
{
    memset(G, 0, sizeof *G);
    for (int i = 0; i < s->count && i < MAX_GROUPS - 1; i++, G->n++)
        s->label(i, G->g[i].label, sizeof G->g[i].label);
    enc_scan *q;
    if (opened(enc_store_report_groups(r->st, col, err), &q, err)) return err->rc;
    int st;
    bool rolled = false;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        const char *v = (const char *)enc_scan_text(q, 0);
        int64_t n = enc_scan_i64(q, 1), m = enc_scan_i64(q, 2);
        G->total_n += n, G->total_money += m;
        int k = v ? s->match(v) : -1;
        if (k < 0 && G->n < MAX_GROUPS - 1) {
            k = G->n++;
            copy_utf8(G->g[k].label, sizeof G->g[k].label, v ? (*v ? v : "(empty)") : "(none)");
        } else if (k < 0) { /* the last slot rolls up the rest */
            k = MAX_GROUPS - 1;
            if (!rolled) {
                G->n = MAX_GROUPS;
                snprintf(G->g[k].label, sizeof G->g[k].label, "(other values)");
                rolled = true;
            }
        }
        G->g[k].n += n, G->g[k].money += m;
    }
    return done(r, q, st, err);
}

/* Two bar charts (customers; share of revenue) and a table for one scheme. */
static void groups_write(enc_report *r, const groups *G, const char *id, const char *what,
                         bool horizontal, int color)
{
    const char *labels[MAX_GROUPS], *notes_n[MAX_GROUPS], *notes_m[MAX_GROUPS];
    double n[MAX_GROUPS], share[MAX_GROUPS];
    char nn[MAX_GROUPS][48], mm[MAX_GROUPS][80], pct[32], money[64];
    for (int i = 0; i < G->n; i++) {
        labels[i] = G->g[i].label;
        n[i] = (double)G->g[i].n;
        share[i] = frac((double)G->g[i].money, (double)G->total_money);
        fmt_int(nn[i], sizeof nn[i], G->g[i].n);
        fmt_pct(pct, sizeof pct, frac(n[i], (double)G->total_n));
        size_t l = strlen(nn[i]);
        snprintf(nn[i] + l, sizeof nn[i] - l, " \xC2\xB7 %s", pct);
        notes_n[i] = nn[i];
        fmt_pct(mm[i], sizeof mm[i], share[i]);
        notes_m[i] = mm[i];
    }
    char cid[64], title[160], desc[320];
    h(r, "<div class=\"figs\">\n");
    enc_report_figure_begin(r);
    snprintf(cid, sizeof cid, "%s-customers", id);
    snprintf(title, sizeof title, "Customers per %s", what);
    snprintf(desc, sizeof desc,
             "Number of scored customers in each %s, with their share of all customers.", what);
    enc_svg_chart c = {.id = cid,
                       .title = title,
                       .desc = desc,
                       .x_label = horizontal ? "customers" : NULL,
                       .y_label = horizontal ? NULL : "customers",
                       .color = color};
    enc_svg_bar(r->out, &c, horizontal, (size_t)G->n, labels, n, notes_n);
    enc_report_figure_end(r, NULL);
    enc_report_figure_begin(r);
    snprintf(cid, sizeof cid, "%s-revenue", id);
    snprintf(title, sizeof title, "Share of revenue per %s", what);
    snprintf(desc, sizeof desc,
             "Share of all scored customers' spend (monetary) that each %s holds.", what);
    enc_svg_chart c2 = {.id = cid,
                        .title = title,
                        .desc = desc,
                        .x_label = horizontal ? "share of revenue" : NULL,
                        .y_label = horizontal ? NULL : "share of revenue",
                        .fmt = ENC_SVG_PCT,
                        .color = color + 1};
    enc_svg_bar(r->out, &c2, horizontal, (size_t)G->n, labels, share, notes_m);
    enc_report_figure_end(r, NULL);
    h(r, "</div>\n<table>\n<thead><tr><th>");
    enc_report_text(r, what);
    h(r, "</th><th>customers</th><th>share</th><th>revenue</th><th>share</th>"
         "<th>revenue per customer</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < G->n; i++) {
        h(r, "<tr><td>");
        enc_report_text(r, G->g[i].label);
        fmt_int(money, sizeof money, G->g[i].n);
        fmt_pct(pct, sizeof pct, frac(n[i], (double)G->total_n));
        h(r, "</td><td>%s</td><td>%s</td>", money, pct);
        enc_report_money(r, money, sizeof money, G->g[i].money);
        h(r, "<td>%s</td>", money);
        fmt_pct(pct, sizeof pct, share[i]);
        h(r, "<td>%s</td>", pct);
        if (G->g[i].n)
            enc_report_money(r, money, sizeof money,
                             (int64_t)llround((double)G->g[i].money / (double)G->g[i].n));
        else snprintf(money, sizeof money, "\xE2\x80\x93");
        h(r, "<td>%s</td></tr>\n", money);
    }
    h(r, "</tbody>\n</table>\n");
}

/* schemes: the 11 RFM segments, the 8 Chinese classes, lifecycle stages and classes */
static void seg_label(int i, char *out, size_t cap)
{
    snprintf(out, cap, "%s", enc_rfm_segment_name((enc_rfm_segment)i));
}
static int seg_match(const char *s)
{
    for (int i = 0; i < ENC_SEG_COUNT; i++)
        if (!strcasecmp(s, enc_rfm_segment_key((enc_rfm_segment)i)) ||
            !strcasecmp(s, enc_rfm_segment_name((enc_rfm_segment)i)))
            return i;
    return -1;
}

/* "重要价值客户 (important value)" */
static void cn_label(int i, char *out, size_t cap)
{
    snprintf(out, cap, "%s (%s)", enc_rfm_cn_name((enc_rfm_cn)i),
             enc_rfm_cn_name_en((enc_rfm_cn)i));
}
static int cn_match(const char *s)
{
    for (int i = 0; i < ENC_CN_COUNT; i++) {
        char l[96];
        cn_label(i, l, sizeof l);
        if (!strcmp(s, enc_rfm_cn_name((enc_rfm_cn)i)) ||
            !strcasecmp(s, enc_rfm_cn_key((enc_rfm_cn)i)) ||
            !strcasecmp(s, enc_rfm_cn_name_en((enc_rfm_cn)i)) || !strcmp(s, l))
            return i;
    }
    return -1;
}

static void stage_label(int i, char *out, size_t cap)
{
    snprintf(out, cap, "%s", enc_lc_stage_name((enc_lc_stage)i));
}
static int stage_match(const char *s)
{
    for (int i = 0; i < ENC_LC_STAGE_COUNT; i++)
        if (!strcasecmp(s, enc_lc_stage_name((enc_lc_stage)i))) return i;
    return -1;
}

/* "active_non_buyer" -> "active non buyer" */
static void class_label(int i, char *out, size_t cap)
{
    snprintf(out, cap, "%s", enc_lc_class_name((enc_lc_class)i));
    for (char *p = out; *p; p++)
        if (*p == '_') *p = ' ';
}
static int class_match(const char *s)
{
    for (int i = 0; i < ENC_LC_CLASS_COUNT; i++) {
        char l[64];
        class_label(i, l, sizeof l);
        if (!strcasecmp(s, enc_lc_class_name((enc_lc_class)i)) || !strcasecmp(s, l)) return i;
    }
    return -1;
}

/* ---- context --------------------------------------------------------------------------------- */

static enc_rc read_context(enc_report *r, enc_err *err)
{
    enc_scan *q;
    int st;
    r->seconds = NAN;
    r->digits = 2;
    if (prep(r, ENC_REPQ_RUNS, &q, err)) return err->rc;
    if ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        r->profiles = enc_scan_i64(q, 0);
        r->runs = enc_scan_i64(q, 1);
        r->run_id = enc_scan_i64(q, 2);
        st = enc_scan_next(q);
    }
    if (done(r, q, st, err)) return err->rc;
    if (r->profiles) {
        /* the run's as-of date from score_runs, else from its profile rows */
        if (prep(r, ENC_REPQ_RUN_INFO, &q, err)) return err->rc;
        enc_scan_bind_i64(q, 1, r->run_id);
        if ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
            r->as_of = enc_scan_i64(q, 0);
            r->scored_at = enc_scan_i64(q, 1);
            r->seconds = col_num(q, 2);
            const char *m = (const char *)enc_scan_text(q, 3);
            copy_utf8(r->models, sizeof r->models, m ? m : "");
            st = enc_scan_next(q);
        }
        if (done(r, q, st, err)) return err->rc;
    }
    if (prep(r, ENC_REPQ_CAMPAIGNS, &q, err)) return err->rc;
    if ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        r->campaigns = enc_scan_i64(q, 0);
        st = enc_scan_next(q);
    }
    if (done(r, q, st, err)) return err->rc;
    if (prep(r, ENC_REPQ_CURRENCY, &q, err)) return err->rc;
    int k = 0;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        const char *c = (const char *)enc_scan_text(q, 0);
        if (k++ == 0 && c && strlen(c) < sizeof r->currency)
            snprintf(r->currency, sizeof r->currency, "%s", c);
    }
    if (done(r, q, st, err)) return err->rc;
    if (k > 1) {
        r->mixed_currency = true;
        r->currency[0] = 0;
    }
    if (r->currency[0]) r->digits = enc_currency_digits(r->currency);
    return ENC_OK;
}

/* ---- sections -------------------------------------------------------------------------------- */

static void card(enc_report *r, const char *label, const char *value, const char *sub)
{
    h(r, "<div class=\"card\"><div class=\"k\">");
    enc_report_text(r, label);
    h(r, "</div><div class=\"v\">");
    enc_report_text(r, value);
    h(r, "</div>");
    if (sub) {
        h(r, "<div class=\"s\">");
        enc_report_text(r, sub);
        h(r, "</div>");
    }
    h(r, "</div>\n");
}

static enc_rc sec_summary(enc_report *r, enc_err *err)
{
    char a[80], b[80], s[200];
    if (!r->profiles) {
        enc_store_stats ss;
        if (enc_store_stats_get(r->st, &ss, err)) return err->rc;
        h(r, "<p class=\"notice\">No customer scores yet: the profiles table is empty. Run "
             "<code>encore score</code> first, then write this report again.</p>\n<div "
             "class=\"cards\">\n");
        fmt_int(a, sizeof a, ss.customers);
        card(r, "Customers in the store", a, NULL);
        fmt_int(a, sizeof a, ss.orders);
        card(r, "Orders", a, NULL);
        fmt_int(a, sizeof a, ss.buying_customers);
        card(r, "Buying customers", a, NULL);
        money_whole(r, a, sizeof a, ss.revenue);
        card(r, "Revenue", a, NULL);
        h(r, "</div>\n");
        return ENC_OK;
    }
    enc_scan *q;
    if (prep(r, ENC_REPQ_SUMMARY, &q, err)) return err->rc;
    int st = enc_scan_next(q);
    if (st != ENC_SCAN_ROW) return done(r, q, st, err);
    int64_t n = enc_scan_i64(q, 0), buyers = enc_scan_i64(q, 1), repeat = enc_scan_i64(q, 2),
            revenue = enc_scan_i64(q, 3), returns = enc_scan_i64(q, 4),
            occasions = enc_scan_i64(q, 5);
    double exp90 = col_num(q, 6), clv = col_num(q, 7), churn = col_num(q, 9),
           palive = col_num(q, 12);
    int64_t nclv = enc_scan_i64(q, 8), high = enc_scan_i64(q, 10), nchurn = enc_scan_i64(q, 11);
    st = enc_scan_next(q);
    if (done(r, q, st, err)) return err->rc;

    fmt_time(a, sizeof a, r->as_of);
    h(r, "<p class=\"lead\">Scores as of <b>");
    enc_report_text(r, a);
    h(r, "</b> (orders before this instant were scored), from scoring run %lld",
      (long long)r->run_id);
    if (r->scored_at) {
        fmt_time(b, sizeof b, r->scored_at);
        h(r, ", run at ");
        enc_report_text(r, b);
    }
    if (isfinite(r->seconds)) h(r, " in %.1f s", r->seconds);
    h(r, ".");
    if (r->models[0]) {
        h(r, " Models: <code>");
        enc_report_text(r, r->models);
        h(r, "</code>.");
    }
    if (r->runs > 1)
        h(r, " The profiles come from %lld runs; the latest is shown as the run.",
          (long long)r->runs);
    if (r->mixed_currency)
        h(r,
          " Orders are in more than one currency: money is summed as stored, without conversion.");
    h(r, "</p>\n<div class=\"cards\">\n");
    fmt_int(a, sizeof a, n);
    card(r, "Customers scored", a, NULL);
    fmt_int(a, sizeof a, buyers);
    fmt_pct(b, sizeof b, frac((double)buyers, (double)n));
    snprintf(s, sizeof s, "%s of customers have bought", b);
    card(r, "Buyers", a, s);
    fmt_int(a, sizeof a, repeat);
    fmt_pct(b, sizeof b, frac((double)repeat, (double)buyers));
    snprintf(s, sizeof s, "%s of buyers bought twice or more", b);
    card(r, "Repeat buyers", a, s);
    money_whole(r, a, sizeof a, revenue);
    enc_report_money(r, b, sizeof b,
                     buyers ? (int64_t)llround((double)revenue / (double)buyers) : 0);
    snprintf(s, sizeof s, "%s per buyer", b);
    card(r, "Revenue", a, s);
    fmt_int(a, sizeof a, occasions);
    enc_report_money(r, b, sizeof b,
                     occasions ? (int64_t)llround((double)revenue / (double)occasions) : 0);
    snprintf(s, sizeof s, "%s per purchase", b);
    card(r, "Purchases", a, s);
    money_whole(r, a, sizeof a, returns);
    fmt_pct(b, sizeof b, frac((double)returns, (double)revenue));
    snprintf(s, sizeof s, "%s of revenue", b);
    card(r, "Returns", a, s);
    if (isfinite(exp90)) {
        enc_svg_fmt_value(a, sizeof a, exp90, ENC_SVG_NUM);
        card(r, "Expected purchases", a, "in the 90 days after the as-of date");
    }
    if (nclv) {
        money_whole(r, a, sizeof a, (int64_t)llround(clv));
        enc_report_money(r, b, sizeof b, (int64_t)llround(clv / (double)nclv));
        snprintf(s, sizeof s, "%s per customer", b);
        card(r, "Predicted lifetime value", a, s);
    }
    if (nchurn) {
        fmt_int(a, sizeof a, high);
        fmt_pct(b, sizeof b, churn);
        snprintf(s, sizeof s, "churn risk 70%% or more (mean risk %s)", b);
        card(r, "At high risk", a, s);
    }
    if (isfinite(palive)) {
        fmt_pct(a, sizeof a, palive);
        card(r, "Mean P(alive)", a, "chance a customer is still active");
    }
    h(r, "</div>\n");
    return ENC_OK;
}

static enc_rc sec_segments(enc_report *r, enc_err *err)
{
    groups *G = enc_xmalloc(sizeof *G);
    scheme seg = {ENC_SEG_COUNT, seg_label, seg_match};
    enc_rc rc = read_groups(r, "rfm_segment", &seg, G, err);
    if (!rc) {
        h(r, "<p>The 11 named segments of the R \xC3\x97 FM grid (R, F and M scored 1\xE2\x80\x93"
             "5 by quintiles; see docs/intelligence.md). Customers without a purchase have no "
             "segment and show as \xE2\x80\x9C(none)\xE2\x80\x9D.</p>\n");
        groups_write(r, G, "seg", "segment", true, 0);
        scheme cn = {ENC_CN_COUNT, cn_label, cn_match};
        rc = read_groups(r, "rfm_segment_cn", &cn, G, err);
    }
    if (!rc) {
        h(r,
          "<h3>RFM \xE5\x85\xAB\xE7\xB1\xBB\xE5\xAE\xA2\xE6\x88\xB7 (the Chinese 8 classes)</h3>\n"
          "<p>Each customer's recency, frequency and spend against the mean: "
          "\xE9\x87\x8D\xE8\xA6\x81 (important) means above-average spend.</p>\n");
        groups_write(r, G, "cn", "class", true, 2);
    }
    free(G);
    return rc;
}

static enc_rc sec_rf(enc_report *r, enc_err *err)
{
    double v[25] = {0};
    enc_scan *q;
    if (prep(r, ENC_REPQ_RF_GRID, &q, err)) return err->rc;
    int st;
    int64_t total = 0;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        int R = enc_scan_int(q, 0), F = enc_scan_int(q, 1);
        int64_t n = enc_scan_i64(q, 2);
        v[(5 - F) * 5 + (R - 1)] = (double)n; /* row 0 = F 5 at the top; column 0 = R 1 */
        total += n;
    }
    if (done(r, q, st, err)) return err->rc;
    static const char *rows[] = {"F 5", "F 4", "F 3", "F 2", "F 1"};
    static const char *cols[] = {"R 1", "R 2", "R 3", "R 4", "R 5"};
    h(r, "<p>Customers by recency score (R, 5 = bought most recently) and frequency score (F, 5 = "
         "buys most often). The top right holds the best customers; the top left, frequent buyers "
         "who have gone quiet.</p>\n");
    enc_report_figure_begin(r);
    enc_svg_chart c = {.id = "rf-heatmap",
                       .title = "Customers by recency and frequency score",
                       .desc = "A 5 by 5 grid of customer counts: recency score across, frequency "
                               "score up.",
                       .x_label = "recency score R",
                       .y_label = "frequency score F",
                       .width = 620};
    if (total) enc_svg_heatmap(r->out, &c, 5, 5, rows, cols, v);
    else enc_svg_heatmap(r->out, &c, 0, 0, NULL, NULL, NULL);
    char cap[160], n[32];
    fmt_int(n, sizeof n, total);
    snprintf(cap, sizeof cap, "%s customers with R and F scores.", n);
    enc_report_figure_end(r, cap);
    return ENC_OK;
}

static enc_rc sec_lifecycle(enc_report *r, enc_err *err)
{
    groups *G = enc_xmalloc(sizeof *G);
    scheme stages = {ENC_LC_STAGE_COUNT, stage_label, stage_match};
    enc_rc rc = read_groups(r, "lifecycle", &stages, G, err);
    if (!rc) {
        h(r, "<p>Stages judge each customer against their own buying rhythm (new, growing, mature, "
             "declining, dormant, churned); prospects have not bought yet.</p>\n");
        groups_write(r, G, "stage", "stage", false, 4);
        scheme classes = {ENC_LC_CLASS_COUNT, class_label, class_match};
        rc = read_groups(r, "lifecycle_class", &classes, G, err);
    }
    if (!rc) {
        h(r, "<h3>Engagement classes</h3>\n<p>Buying and engagement in the last 90 days.</p>\n");
        groups_write(r, G, "class", "class", true, 5);
    }
    free(G);
    return rc;
}

/* Counts of a value computed from profiles (report_store.h: clv in currency units, or the
 * churn risk) over bins of edges (the rule of enc_svg_bin_of, with values below the first edge in
 * the first bin and above the last in the last). */
static enc_rc hist_counts(enc_report *r, enc_reph which, int digits, const double *edges, int nb,
                          double *counts, enc_err *err)
{
    enc_scan *q;
    if (opened(enc_store_report_hist(r->st, which, digits, edges, nb, err), &q, err))
        return err->rc;
    for (int i = 0; i < nb; i++) counts[i] = 0;
    int st;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        int b = enc_scan_int(q, 0);
        if (b >= 0 && b < nb) counts[b] = (double)enc_scan_i64(q, 1);
    }
    return done(r, q, st, err);
}

/* Percentiles of a profiles column (report_store.h: count is its count, ranks its values at
 * given ranks) by linear interpolation between order
 * statistics (numpy's default): with n values sorted, p lies at h = (n - 1) p, between x[floor h]
 * and x[floor h + 1]. One sort, reading only the needed ranks. */
static enc_rc percentiles(enc_report *r, enc_repq count, enc_repq ranked, const double *p, int np,
                          double *out, int64_t *n_out, enc_err *err)
{
    enc_scan *q;
    if (prep(r, count, &q, err)) return err->rc;
    int st = enc_scan_next(q);
    int64_t n = st == ENC_SCAN_ROW ? enc_scan_i64(q, 0) : 0;
    if (st == ENC_SCAN_ROW) st = enc_scan_next(q);
    if (done(r, q, st, err)) return err->rc;
    *n_out = n;
    for (int i = 0; i < np; i++) out[i] = NAN;
    if (!n) return ENC_OK;
    enc_buf ranks = {0};
    enc_buf_addc(&ranks, '[');
    for (int i = 0; i < np; i++) {
        double hh = (double)(n - 1) * p[i];
        int64_t lo = (int64_t)floor(hh);
        enc_buf_printf(&ranks, "%s%lld,%lld", i ? "," : "", (long long)lo,
                       (long long)(lo + 1 < n ? lo + 1 : lo));
    }
    enc_buf_addc(&ranks, ']');
    enc_rc rc = prep(r, ranked, &q, err);
    if (rc) {
        enc_buf_free(&ranks);
        return rc;
    }
    enc_scan_bind_text(q, 1, ranks.p, (int)ranks.len);
    enc_buf_free(&ranks);
    /* at most 2 np distinct ranks come back */
    int64_t rk[64];
    double rv[64];
    int nr = 0;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW && nr < 64) {
        rk[nr] = enc_scan_i64(q, 0);
        rv[nr++] = enc_scan_double(q, 1);
    }
    if (st == ENC_SCAN_ROW) st = ENC_SCAN_DONE;
    if (done(r, q, st, err)) return err->rc;
    for (int i = 0; i < np; i++) {
        double hh = (double)(n - 1) * p[i];
        int64_t lo = (int64_t)floor(hh), hi = lo + 1 < n ? lo + 1 : lo;
        double xl = NAN, xh = NAN;
        for (int k = 0; k < nr; k++) {
            if (rk[k] == lo) xl = rv[k];
            if (rk[k] == hi) xh = rv[k];
        }
        out[i] = xl + (hh - (double)lo) * (xh - xl);
    }
    return ENC_OK;
}

static enc_rc sec_clv(enc_report *r, enc_err *err)
{
    static const double P[] = {0.10, 0.25, 0.50, 0.75, 0.90, 0.99};
    static const char *PN[] = {"10th", "25th", "median", "75th", "90th", "99th"};
    double pv[6];
    int64_t n = 0;
    if (percentiles(r, ENC_REPQ_CLV_COUNT, ENC_REPQ_CLV_RANKS, P, 6, pv, &n, err)) return err->rc;
    enc_scan *q;
    if (prep(r, ENC_REPQ_CLV_STATS, &q, err)) return err->rc;
    int st = enc_scan_next(q);
    if (st != ENC_SCAN_ROW) return done(r, q, st, err);
    double minpos = col_num(q, 0), max = col_num(q, 1), mean = col_num(q, 2), sum = col_num(q, 3);
    int64_t nonpos = enc_scan_i64(q, 4), npos = enc_scan_i64(q, 5);
    st = enc_scan_next(q);
    if (done(r, q, st, err)) return err->rc;
    if (!npos && !nonpos) {
        h(r, "<p>This scoring run has no lifetime values (the CLV model did not run).</p>\n");
        return ENC_OK;
    }
    char a[80], b[80], cap[400];
    h(r, "<p>Predicted customer lifetime value: expected spend over the model's horizon, in ");
    enc_report_text(r, r->currency[0] ? r->currency : "the store's money");
    h(r, ". Money piles up on few customers, so the bars use a logarithmic scale in steps of 1, 2 "
         "and 5.</p>\n");
    double edges[66], counts[65];
    int nb = 0;
    double lo = major(r, minpos), hi = major(r, max), clamp = 0;
    int64_t below = 0;
    if (npos) {
        clamp = fmax(lo, hi * 1e-6); /* at most six decades are drawn */
        nb = enc_svg_log_edges(clamp, hi, edges, 66);
    }
    if (nb > 0) {
        if (hist_counts(r, ENC_REPH_CLV, r->digits, edges, nb, counts, err)) return err->rc;
        if (clamp > lo) {
            if (prep(r, ENC_REPQ_CLV_BELOW, &q, err)) return err->rc;
            enc_scan_bind_double(q, 1, edges[0] * pow(10, r->digits));
            if ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
                below = enc_scan_i64(q, 0);
                st = enc_scan_next(q);
            }
            if (done(r, q, st, err)) return err->rc;
        }
    }
    enc_report_figure_begin(r);
    char xl[64];
    snprintf(xl, sizeof xl, "lifetime value%s%s (log scale)", r->currency[0] ? ", " : "",
             r->currency);
    enc_svg_chart c = {.id = "clv-hist",
                       .title = "Customers by predicted lifetime value",
                       .desc = "Histogram of predicted customer lifetime value on a logarithmic "
                               "scale.",
                       .x_label = xl,
                       .y_label = "customers",
                       .width = 760,
                       .color = 2};
    enc_svg_hist(r->out, &c, (size_t)nb, edges, counts, true);
    fmt_int(a, sizeof a, nonpos);
    snprintf(cap, sizeof cap,
             "Customers with a positive value; %s with no predicted value (0) are not drawn.", a);
    if (below) {
        size_t l = strlen(cap);
        enc_svg_fmt_value(b, sizeof b, edges[0], ENC_SVG_NUM);
        fmt_int(a, sizeof a, below);
        snprintf(cap + l, sizeof cap - l, " The first bar also holds %s customers below %s.", a, b);
    }
    enc_report_figure_end(r, cap);
    fmt_int(a, sizeof a, n);
    h(r,
      "<table class=\"narrow\">\n<thead><tr><th>of the %s customers with a value</th>"
      "<th>lifetime value</th></tr></thead>\n<tbody>\n",
      a);
    for (int i = 0; i < 6 && n; i++) {
        enc_report_money(r, a, sizeof a, (int64_t)llround(pv[i]));
        h(r, "<tr><td>%s</td><td class=\"pctl\" data-p=\"%g\">%s</td></tr>\n", PN[i], P[i], a);
    }
    enc_report_money(r, a, sizeof a, (int64_t)llround(mean));
    h(r, "<tr><td>mean of all customers</td><td>%s</td></tr>\n", a);
    enc_report_money(r, a, sizeof a, (int64_t)llround(max));
    h(r, "<tr><td>largest</td><td>%s</td></tr>\n", a);
    enc_report_money(r, a, sizeof a, (int64_t)llround(sum));
    h(r, "<tr><td>total</td><td>%s</td></tr>\n</tbody>\n</table>\n", a);
    /* how concentrated: the share of all value held by the top 10% of customers */
    if (prep(r, ENC_REPQ_CLV_TOP_DECILE, &q, err)) return err->rc;
    double top = NAN;
    if ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        top = col_num(q, 0);
        st = enc_scan_next(q);
    }
    if (done(r, q, st, err)) return err->rc;
    if (isfinite(top) && sum > 0) {
        fmt_pct(a, sizeof a, top / sum);
        h(r, "<p>The top 10%% of customers hold <b>%s</b> of all predicted lifetime value.</p>\n",
          a);
    }
    return ENC_OK;
}

static enc_rc sec_churn(enc_report *r, enc_err *err)
{
    double edges[21], counts[20];
    int nb = enc_svg_lin_edges(0, 1, 20, edges);
    if (hist_counts(r, ENC_REPH_CHURN, r->digits, edges, nb, counts, err)) return err->rc;
    enc_scan *q;
    if (prep(r, ENC_REPQ_CHURN_BANDS, &q, err)) return err->rc;
    int st = enc_scan_next(q);
    if (st != ENC_SCAN_ROW) return done(r, q, st, err);
    int64_t n = enc_scan_i64(q, 0), low = enc_scan_i64(q, 1), mid = enc_scan_i64(q, 2),
            high = enc_scan_i64(q, 3), high_money = enc_scan_i64(q, 5),
            high_clv = enc_scan_i64(q, 6);
    double mean = col_num(q, 4);
    st = enc_scan_next(q);
    if (done(r, q, st, err)) return err->rc;
    if (!n) {
        h(r, "<p>This scoring run has no churn risks (the churn model did not run).</p>\n");
        return ENC_OK;
    }
    h(r, "<p>Churn risk is the predicted probability that a customer makes no purchase in the "
         "model's horizon after the as-of date (logistic regression fitted on the store's own "
         "history). Customers who never bought have none.</p>\n");
    enc_report_figure_begin(r);
    enc_svg_chart c = {.id = "churn-hist",
                       .title = "Customers by churn risk",
                       .desc = "Histogram of predicted churn risk in steps of 5 percentage points.",
                       .x_label = "churn risk (probability of no purchase)",
                       .y_label = "customers",
                       .width = 760,
                       .color = 3,
                       .x_fmt = ENC_SVG_PCT};
    enc_svg_hist(r->out, &c, (size_t)nb, edges, counts, false);
    char a[64], b[64], cc[64], m[64], k[64];
    fmt_pct(a, sizeof a, mean);
    enc_report_figure_end(r, NULL);
    h(r, "<table "
         "class=\"narrow\">\n<thead><tr><th>risk</th><th>customers</th><th>share</th></tr></"
         "thead>\n<tbody>\n");
    const char *band[] = {"low (under 30%)", "medium (30% to 70%)", "high (70% or more)"};
    int64_t bn[] = {low, mid, high};
    for (int i = 0; i < 3; i++) {
        fmt_int(b, sizeof b, bn[i]);
        fmt_pct(cc, sizeof cc, frac((double)bn[i], (double)n));
        h(r, "<tr><td>");
        enc_report_text(r, band[i]);
        h(r, "</td><td>%s</td><td>%s</td></tr>\n", b, cc);
    }
    h(r, "</tbody>\n</table>\n");
    enc_report_money(r, m, sizeof m, high_money);
    enc_report_money(r, k, sizeof k, high_clv);
    fmt_int(b, sizeof b, high);
    h(r,
      "<p>Mean risk <b>%s</b>. The %s high-risk customers have spent %s so far and hold %s of "
      "predicted lifetime value.</p>\n",
      a, b, m, k);
    return ENC_OK;
}

double enc__report_pchip(const double *x, const double *y, int n, double t)
{
    if (n < 2 || n > 16 || !(t >= x[0] && t <= x[n - 1])) return NAN;
    double hk[16], mk[16], d[16];
    for (int i = 0; i < n - 1; i++) {
        hk[i] = x[i + 1] - x[i];
        mk[i] = (y[i + 1] - y[i]) / hk[i];
    }
    if (n == 2) d[0] = d[1] = mk[0];
    else {
        /* interior: weighted harmonic mean of the neighbouring slopes, 0 at a local extremum */
        for (int k = 1; k < n - 1; k++) {
            double m0 = mk[k - 1], m1 = mk[k];
            if (m0 == 0 || m1 == 0 || (m0 > 0) != (m1 > 0)) d[k] = 0;
            else {
                double w1 = 2 * hk[k] + hk[k - 1], w2 = hk[k] + 2 * hk[k - 1];
                d[k] = (w1 + w2) / (w1 / m0 + w2 / m1);
            }
        }
        /* ends: the shape-preserving three-point formula (SciPy's _edge_case) */
        for (int e = 0; e < 2; e++) {
            double h0 = e ? hk[n - 2] : hk[0], h1 = e ? hk[n - 3] : hk[1];
            double m0 = e ? mk[n - 2] : mk[0], m1 = e ? mk[n - 3] : mk[1];
            double dd = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
            int sd = (dd > 0) - (dd < 0), s0 = (m0 > 0) - (m0 < 0), s1 = (m1 > 0) - (m1 < 0);
            if (sd != s0) dd = 0;
            else if (s0 != s1 && fabs(dd) > 3 * fabs(m0)) dd = 3 * m0;
            d[e ? n - 1 : 0] = dd;
        }
    }
    int k = 0;
    while (k < n - 2 && t > x[k + 1]) k++;
    double hh = hk[k], s = (t - x[k]) / hh, s2 = s * s, s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * y[k] + (s3 - 2 * s2 + s) * hh * d[k] +
           (-2 * s3 + 3 * s2) * y[k + 1] + (s3 - s2) * hh * d[k + 1];
}

/* Purchase occasions of scored customers from `from` (inclusive) to `to` (exclusive), counted
 * by week since `from` into counts[weeks]: paid orders with sales, an order within a day after
 * the customer's previous one joining its occasion (the models' rule, docs/intelligence.md). */
static enc_rc actual_weekly(enc_report *r, int64_t from, int weeks, double *counts, enc_err *err)
{
    enc_scan *q;
    if (prep(r, ENC_REPQ_WEEKLY_OCCASIONS, &q, err)) return err->rc;
    enc_scan_bind_i64(q, 1, from);
    enc_scan_bind_i64(q, 2, from + (int64_t)weeks * WEEK);
    for (int i = 0; i < weeks; i++) counts[i] = 0;
    int st;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        int64_t w = enc_scan_i64(q, 0);
        if (w >= 0 && w < weeks) counts[w] = (double)enc_scan_i64(q, 1);
    }
    return done(r, q, st, err);
}

/* Occasions in [from, from + days). */
static enc_rc actual_window(enc_report *r, int64_t from, int days, int64_t *out, enc_err *err)
{
    enc_scan *q;
    if (prep(r, ENC_REPQ_OCCASIONS, &q, err)) return err->rc;
    enc_scan_bind_i64(q, 1, from);
    enc_scan_bind_i64(q, 2, from + (int64_t)days * DAY);
    int st = enc_scan_next(q);
    *out = st == ENC_SCAN_ROW ? enc_scan_i64(q, 0) : 0;
    if (st == ENC_SCAN_ROW) st = enc_scan_next(q);
    return done(r, q, st, err);
}

static enc_rc sec_purchases(enc_report *r, enc_err *err)
{
    enc_scan *q;
    if (prep(r, ENC_REPQ_EXPECTED, &q, err)) return err->rc;
    int st = enc_scan_next(q);
    if (st != ENC_SCAN_ROW) return done(r, q, st, err);
    double e[3] = {col_num(q, 0), col_num(q, 1), col_num(q, 2)};
    int64_t ne[3] = {enc_scan_i64(q, 3), enc_scan_i64(q, 4), enc_scan_i64(q, 5)};
    bool has_last = !enc_scan_null(q, 6);
    int64_t last = enc_scan_i64(q, 6);
    st = enc_scan_next(q);
    if (done(r, q, st, err)) return err->rc;

    /* cumulative expected purchases known at 0, 30, 90, 365 days */
    double kx[4] = {0}, ky[4] = {0};
    int nk = 1;
    static const int H[3] = {30, 90, 365};
    for (int i = 0; i < 3; i++)
        if (ne[i] && isfinite(e[i]) && e[i] >= ky[nk - 1]) kx[nk] = H[i], ky[nk++] = e[i];
    /* whole weeks of orders seen after the as-of date */
    int observed = 0;
    if (has_last && last >= r->as_of) observed = (int)((last - r->as_of) / WEEK);
    if (observed > 52) observed = 52;
    int weeks = r->opts && r->opts->weeks > 0 ? r->opts->weeks : 13;
    if (!(r->opts && r->opts->weeks > 0) && observed > weeks) weeks = observed;
    if (weeks > 52) weeks = 52;

    double pred[52], act[52];
    const char *xl[52];
    char xs[52][16];
    for (int w = 0; w < weeks; w++) {
        pred[w] = NAN;
        if ((w + 1) * 7 <= (nk > 1 ? kx[nk - 1] : 0))
            pred[w] = enc__report_pchip(kx, ky, nk, (w + 1) * 7.0) -
                      enc__report_pchip(kx, ky, nk, w * 7.0);
        char d[32];
        enc_fmt_date(d, sizeof d, r->as_of + (int64_t)w * WEEK);
        snprintf(xs[w], sizeof xs[w], "%.5s", d + 5); /* MM-DD */
        xl[w] = xs[w];
    }
    int aw = observed < weeks ? observed : weeks;
    if (aw > 0 && actual_weekly(r, r->as_of, aw, act, err)) return err->rc;
    for (int w = aw; w < weeks; w++) act[w] = NAN;

    char asof[40];
    fmt_time(asof, sizeof asof, r->as_of);
    h(r, "<p>Purchases per week after the as-of date: predicted by the model (the sum over "
         "customers of expected purchases, known at 30, 90 and 365 days and interpolated in "
         "between by a monotone cubic) against the purchases scored customers actually made "
         "(orders within a day of the previous one count once, as in the models).");
    if (nk == 1)
        h(r, " This scoring run has no expected purchases, so only actual purchases are drawn.");
    if (!aw)
        h(r, " There are no complete weeks of orders after the as-of date yet, so only the "
             "prediction is drawn; score as of an earlier date to check the model against what "
             "happened.");
    h(r, "</p>\n");
    enc_report_figure_begin(r);
    char xlab[96];
    snprintf(xlab, sizeof xlab, "week starting (month-day), after %s", asof);
    enc_svg_series s[2] = {{"predicted", pred, 0, true}, {"actual", act, 3, false}};
    enc_svg_chart c = {.id = "purchases",
                       .title = "Predicted and actual purchases per week",
                       .desc = "Two lines over the weeks after the as-of date: purchases the model "
                               "expected and purchases made.",
                       .x_label = xlab,
                       .y_label = "purchases",
                       .width = 1000};
    enc_svg_line(r->out, &c, (size_t)weeks, xl, 2, s);
    enc_report_figure_end(r, NULL);

    /* exact comparisons over the model's own horizons, where orders cover them */
    h(r, "<table class=\"narrow\">\n<thead><tr><th>window</th><th>predicted</th><th>actual</th>"
         "<th>actual / predicted</th></tr></thead>\n<tbody>\n");
    int rows = 0;
    for (int i = 0; i < 3; i++) {
        if (!ne[i] || !isfinite(e[i])) continue;
        char p[48], a[48], ratio[48];
        enc_svg_fmt_value(p, sizeof p, e[i], ENC_SVG_NUM);
        bool covered = has_last && last >= r->as_of + (int64_t)H[i] * DAY;
        if (covered) {
            int64_t n = 0;
            if (actual_window(r, r->as_of, H[i], &n, err)) return err->rc;
            fmt_int(a, sizeof a, n);
            snprintf(ratio, sizeof ratio, "%.2f", e[i] > 0 ? (double)n / e[i] : NAN);
        } else {
            snprintf(a, sizeof a, "not yet known");
            snprintf(ratio, sizeof ratio, "\xE2\x80\x93");
        }
        h(r, "<tr><td>first %d days</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", H[i], p, a,
          ratio);
        rows++;
    }
    if (!rows) h(r, "<tr><td colspan=\"4\">no expected purchases in this scoring run</td></tr>\n");
    h(r, "</tbody>\n</table>\n");
    return ENC_OK;
}

static enc_rc sec_categories(enc_report *r, enc_err *err)
{
    /* customers' own top categories (profiles.top_categories: a JSON array, best first; entries
     * may be strings or objects with a "category" or "name") */
    enc_scan *q;
    if (prep(r, ENC_REPQ_TOP_CATEGORIES, &q, err)) return err->rc;
    char labels[15][160], notes[15][96];
    const char *lp[15], *np[15];
    double v[15];
    int n = 0, st;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        const char *cat = (const char *)enc_scan_text(q, 0);
        copy_utf8(labels[n], sizeof labels[n], cat ? cat : "");
        v[n] = (double)enc_scan_i64(q, 1);
        char a[32], b[32];
        fmt_int(a, sizeof a, enc_scan_i64(q, 1));
        fmt_int(b, sizeof b, enc_scan_i64(q, 2));
        snprintf(notes[n], sizeof notes[n], "%s (first for %s)", a, b);
        lp[n] = labels[n], np[n] = notes[n];
        n++;
    }
    if (done(r, q, st, err)) return err->rc;
    h(r, "<div class=\"figs\">\n");
    enc_report_figure_begin(r);
    enc_svg_chart c = {.id = "cat-customers",
                       .title = "Customers' top categories",
                       .desc = "How many customers have each category among their top "
                               "categories, and for how many it comes first.",
                       .x_label = "customers",
                       .color = 5};
    enc_svg_bar(r->out, &c, true, (size_t)n, lp, v, np);
    enc_report_figure_end(r, n ? NULL : "No top categories in the profiles of this run.");

    /* revenue by category from the order lines scored (before the as-of date) */
    if (prep(r, ENC_REPQ_CATEGORY_REVENUE, &q, err)) return err->rc;
    enc_scan_bind_i64(q, 1, r->as_of);
    int64_t total = 0;
    char rn[15][64];
    const char *rl[15], *rnp[15];
    char rlab[15][160];
    double rv[15];
    int m = 0;
    while ((st = enc_scan_next(q)) == ENC_SCAN_ROW) {
        const char *cat = (const char *)enc_scan_text(q, 0);
        copy_utf8(rlab[m], sizeof rlab[m], cat ? cat : "");
        int64_t amt = enc_scan_i64(q, 1);
        rv[m] = major(r, (double)amt);
        enc_report_money(r, rn[m], sizeof rn[m], amt);
        rl[m] = rlab[m], rnp[m] = rn[m];
        total += amt;
        m++;
    }
    if (done(r, q, st, err)) return err->rc;
    enc_report_figure_begin(r);
    char xl[64];
    snprintf(xl, sizeof xl, "revenue%s%s", r->currency[0] ? ", " : "", r->currency);
    enc_svg_chart c2 = {.id = "cat-revenue",
                        .title = "Revenue by category",
                        .desc = "Sales of the scored customers before the as-of date, by product "
                                "category.",
                        .x_label = xl,
                        .color = 6};
    enc_svg_bar(r->out, &c2, true, (size_t)m, rl, rv, rnp);
    enc_report_figure_end(
        r, m ? "Sale lines of paid orders before the as-of date (the 15 largest categories)."
             : "No order lines with categories before the as-of date.");
    h(r, "</div>\n");
    return ENC_OK;
}

/* ---- the page -------------------------------------------------------------------------------- */

typedef struct section {
    const char *id, *title;
    bool needs_profiles;
    enc_report_section_fn fn;
    bool needs_campaigns;
} section;

/* The report's sections in page order. The campaign section (report_campaigns.c) is written
 * only when some campaign has members. */
static const section sections[] = {
    {"summary", "Summary", false, sec_summary, false},
    {"segments", "RFM segments", true, sec_segments, false},
    {"rf", "Recency \xC3\x97 frequency", true, sec_rf, false},
    {"lifecycle", "Lifecycle stages", true, sec_lifecycle, false},
    {"clv", "Customer lifetime value", true, sec_clv, false},
    {"churn", "Churn risk", true, sec_churn, false},
    {"purchases", "Predicted vs actual purchases", true, sec_purchases, false},
    {"categories", "Top categories", true, sec_categories, false},
    {"cohorts", "Cohort retention", true, enc__report_cohorts, false},
    {"campaigns", "Campaigns", false, enc__report_campaigns, true},
};
#define NSECTIONS (int)(sizeof sections / sizeof *sections)

static bool skip(const section *s, const enc_report *r)
{
    return (s->needs_profiles && !r->profiles) || (s->needs_campaigns && !r->campaigns);
}

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK SC',"
    "'PingFang SC','Microsoft YaHei',sans-serif;color:#222;background:#f4f5f7;margin:0}"
    "main{max-width:1180px;margin:0 auto;padding:16px 20px 40px}"
    "header{background:#1f3a5f;color:#fff;padding:18px 20px}"
    "header h1{margin:0 auto;max-width:1180px;font-size:24px}"
    "header p{margin:4px auto 0;max-width:1180px;opacity:.85}"
    "nav{max-width:1180px;margin:10px auto 0}nav "
    "a{color:#cfe3ff;margin-right:14px;text-decoration:none}"
    "section{background:#fff;border-radius:8px;padding:14px 20px 18px;margin:18px 0;"
    "box-shadow:0 1px 3px rgba(0,0,0,.08)}"
    "h2{font-size:20px;margin:4px 0 10px}h3{font-size:16px;margin:18px 0 6px}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}"
    ".card{border:1px solid #e3e6ea;border-radius:6px;padding:10px 12px}"
    ".card .k{font-size:13px;color:#555}.card .v{font-size:21px;font-weight:600;margin-top:2px}"
    ".card .s{font-size:12px;color:#666;margin-top:2px}"
    ".figs{display:flex;flex-wrap:wrap;gap:12px}"
    "figure{margin:8px 0}figcaption{font-size:13px;color:#555;max-width:760px}"
    ".figs figure{flex:1 1 460px;min-width:0}"
    "svg.chart{max-width:100%;height:auto;display:block}"
    "table{border-collapse:collapse;margin:10px 0;font-size:14px}"
    "th,td{border-bottom:1px solid #e6e6e6;padding:4px 10px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}th{background:#f2f4f7}"
    ".notice{background:#fff4e5;border:1px solid #f0c36d;padding:10px 14px;border-radius:6px}"
    ".lead{font-size:15px}code{background:#f2f4f7;padding:1px 4px;border-radius:3px}"
    "footer{color:#777;font-size:12px;text-align:center;padding:10px}";

enc_rc enc_report_html(enc_store *st, const enc_report_opts *opts, enc_buf *out,
                       enc_report_result *res, enc_err *err)
{
    enc_report r = {0};
    enc_report_opts defaults = {0};
    r.st = st;
    r.out = out;
    r.opts = opts ? opts : &defaults;
    if (res) memset(res, 0, sizeof *res);
    enc_rc rc = read_context(&r, err);
    if (rc) return rc;
    size_t start = out->len;
    char asof[40] = "";
    if (r.profiles) fmt_time(asof, sizeof asof, r.as_of);

    h(&r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
          "<meta name=\"generator\" content=\"encore report\"/>\n<title>Encore customer report");
    if (r.profiles) {
        h(&r, " \xE2\x80\x94 as of ");
        enc_report_text(&r, asof);
    }
    h(&r,
      "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>Encore customer "
      "report</h1>\n<p>",
      css);
    if (r.opts->store_name) {
        h(&r, "Store <b>");
        enc_report_text(&r, r.opts->store_name);
        h(&r, "</b>. ");
    }
    if (r.profiles) {
        char n[32];
        fmt_int(n, sizeof n, r.profiles);
        h(&r, "%s customers scored as of ", n);
        enc_report_text(&r, asof);
        h(&r, ".");
    } else h(&r, "Nothing scored yet.");
    h(&r, "</p>\n<nav>");
    for (int i = 0; i < NSECTIONS; i++) {
        if (skip(&sections[i], &r)) continue;
        h(&r, "<a href=\"#%s\">", sections[i].id);
        enc_report_text(&r, sections[i].title);
        h(&r, "</a>");
    }
    h(&r, "</nav>\n</header>\n<main>\n");
    int ns = 0;
    for (int i = 0; i < NSECTIONS; i++) {
        if (skip(&sections[i], &r)) continue;
        int before = r.charts;
        h(&r, "<section id=\"%s\">\n<h2>", sections[i].id);
        enc_report_text(&r, sections[i].title);
        h(&r, "</h2>\n");
        rc = sections[i].fn(&r, err);
        if (rc) return rc;
        h(&r, "</section>\n");
        if (res && ns < ENC_REPORT_MAX_SECTIONS) {
            res->section_id[ns] = sections[i].id;
            res->section_charts[ns] = r.charts - before;
        }
        ns++;
    }
    h(&r, "</main>\n<footer>Written by <code>encore report</code>: one file, no scripts, nothing "
          "fetched from the network.</footer>\n</body>\n</html>\n");
    if (res) {
        res->sections = ns;
        res->charts = r.charts;
        res->bytes = out->len - start;
        res->empty = r.profiles == 0;
        res->profiles = r.profiles;
        res->run_id = r.run_id;
        res->as_of = r.as_of;
    }
    return ENC_OK;
}
