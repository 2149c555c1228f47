/* test_report.c — the HTML report (src/report/report.c): the monotone cubic that turns
 * cumulative expected purchases into weekly values, checked against SciPy's PchipInterpolator
 * and for its properties; and whole pages written from small stores: empty profiles (the page
 * says to run `encore score`), a handful of hand-made profiles with hostile names, and the
 * money format. The full page on a demo shop is checked by tests/e2e/test_report.sh. */
#include "harness.h"
#include "store/store_int.h"
#include "py_oracle.h"
#include "report/report.h"
#include <math.h>
#include <sqlite3.h>

/* ---- interpolation --------------------------------------------------------------------------- */

static void test_pchip_properties(void)
{
    double x[] = {0, 30, 90, 365}, y[] = {0, 120, 300, 900};
    for (int i = 0; i < 4; i++) CHECK_NEAR(enc__report_pchip(x, y, 4, x[i]), y[i], 1e-12);
    CHECK(isnan(enc__report_pchip(x, y, 4, -1)));
    CHECK(isnan(enc__report_pchip(x, y, 4, 366)));
    CHECK(isnan(enc__report_pchip(x, y, 4, NAN)));
    CHECK(isnan(enc__report_pchip(x, y, 1, 0)));
    /* monotone data give a monotone curve (no overshoot), so weekly increments are >= 0 */
    double prev = -1;
    int bad = 0;
    for (double t = 0; t <= 365; t += 0.5) {
        double v = enc__report_pchip(x, y, 4, t);
        if (v < prev - 1e-12 || v > 900 + 1e-9) bad++;
        prev = v;
    }
    CHECK_INT(bad, 0);
    /* straight-line data stay straight; two points are a line */
    double ly[] = {0, 60, 180, 730};
    for (double t = 0; t <= 365; t += 7) CHECK_NEAR(enc__report_pchip(x, ly, 4, t), 2 * t, 1e-9);
    double x2[] = {0, 10}, y2[] = {5, 25};
    CHECK_NEAR(enc__report_pchip(x2, y2, 2, 2.5), 10, 1e-12);
    /* a flat stretch stays flat */
    double fy[] = {0, 100, 100, 100};
    CHECK_NEAR(enc__report_pchip(x, fy, 4, 200), 100, 1e-12);
}

static void test_pchip_scipy(void)
{
    if (!py_have("numpy scipy")) return;
    /* point sets: cumulative purchases (rising, concave), a plateau, a local peak, 3 points */
    static const double sets[4][2][4] = {
        {{0, 30, 90, 365}, {0, 461.66, 1343.43, 5055.2}},
        {{0, 30, 90, 365}, {0, 50, 50, 80}},
        {{0, 1, 2, 5}, {1, 3, 2, 4}},
        {{0, 30, 90, 0}, {0, 10, 11, 0}},
    };
    static const int ns[4] = {4, 4, 4, 3};
    double grid[4][64];
    for (int s = 0; s < 4; s++) {
        double lo = sets[s][0][0], hi = sets[s][0][ns[s] - 1];
        for (int i = 0; i < 64; i++)
            grid[s][i] =
                enc__report_pchip(sets[s][0], sets[s][1], ns[s], lo + (hi - lo) * i / 63.0);
    }
    py_write("grid.bin", grid, sizeof(double), 4 * 64);
    int rc =
        py_run("import sys, numpy as np\n"
               "from scipy.interpolate import PchipInterpolator\n"
               "d = sys.argv[1]\n"
               "sets = [([0,30,90,365],[0,461.66,1343.43,5055.2]), ([0,30,90,365],[0,50,50,80]),\n"
               "        ([0,1,2,5],[1,3,2,4]), ([0,30,90],[0,10,11])]\n"
               "out = []\n"
               "for x, y in sets:\n"
               "    t = np.linspace(x[0], x[-1], 64)\n"
               "    out.append(PchipInterpolator(x, y)(t))\n"
               "np.array(out, dtype='<f8').tofile(d + '/want.bin')\n");
    CHECK_INT(rc, 0);
    double want[4][64];
    CHECK_INT(py_read("want.bin", want, sizeof(double), 4 * 64), 4 * 64);
    double worst = 0;
    for (int s = 0; s < 4; s++)
        for (int i = 0; i < 64; i++)
            worst = fmax(worst, fabs(grid[s][i] - want[s][i]) / fmax(1, fabs(want[s][i])));
    CHECK(worst < 1e-12);
    if (worst >= 1e-12) fprintf(stderr, "  worst relative difference %g\n", worst);
}

/* ---- pages ----------------------------------------------------------------------------------- */

static enc_store *open_store(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), name);
    enc_store *st = NULL;
    enc_err err = {0};
    if (enc_store_open(path, &st, &err)) TH_FAIL("open: %s", err.msg);
    return st;
}

static void exec(enc_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(enc__store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
        TH_FAIL("sql: %s", msg);
    sqlite3_free(msg);
}

static void test_page_empty(void)
{
    enc_store *st = open_store("empty.db");
    if (!st) return;
    enc_buf b = {0};
    enc_report_result res;
    enc_err err = {0};
    CHECK_INT(enc_report_html(st, NULL, &b, &res, &err), ENC_OK);
    CHECK(res.empty);
    CHECK_INT(res.sections, 1);
    CHECK_STR(res.section_id[0], "summary");
    CHECK_INT(res.charts, 0);
    CHECK_INT(res.bytes, b.len);
    CHECK(strstr(b.p, "<code>encore score</code> first") != NULL);
    CHECK(strncmp(b.p, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(b.p, "</html>\n") != NULL);
    enc_buf_free(&b);
    enc_store_close(st);
}

static void test_page_small(void)
{
    enc_store *st = open_store("small.db");
    if (!st) return;
    /* four customers, a run as of 2024-03-01 (1709251200), orders after it for 20 days */
    exec(
        st,
        "INSERT INTO score_runs(id, as_of, started_at, seconds, customers, models)"
        "  VALUES (3, 1709251200, 1709254800, 0.5, 4, 'rfm <b>&amp;</b>');"
        "INSERT INTO customers(id, source, source_key, created_at, updated_at) VALUES"
        "  (1,'t','1',0,0),(2,'t','2',0,0),(3,'t','3',0,0),(4,'t','4',0,0);"
        "INSERT INTO orders(source, order_key, customer_id, ts, status, total, sales, currency) "
        "VALUES"
        "  ('t','a',1,1709251200 + 3600,'paid',1000,1000,'CNY'),"
        "  ('t','b',2,1709251200 + 9 * 86400,'paid',2500,2500,'CNY'),"
        "  ('t','c',2,1709251200 + 9 * 86400 + 600,'paid',100,100,'CNY'),"
        "  ('t','d',3,1709251200 - 86400 * 40,'paid',990,990,'CNY'),"
        "  ('t','e',1,1709251200 + 20 * 86400,'paid',700,700,'CNY');"
        "INSERT INTO profiles(customer_id, run_id, as_of, frequency, monetary, r, f, m, "
        "rfm_segment,"
        "  rfm_segment_cn, lifecycle, lifecycle_class, clv, churn_risk, expected_purchases_30d,"
        "  expected_purchases_90d, expected_purchases_365d, top_categories) VALUES"
        "  (1, 3, 1709251200, 3, 123456, 5, 5, 5, 'champions', 'important_value', 'mature', "
        "'repeat',"
        "   250000, 0.1, 0.9, 2.5, 8, '[\"茶叶\", {\"category\": \"</svg><b>\"}]'),"
        "  (2, 3, 1709251200, 1, 990, 1, 1, 1, 'Lost', '一般挽留客户', 'churned', 'lost', 120, "
        "0.95,"
        "   0.05, 0.1, 0.2, '[\"茶叶\"]'),"
        "  (3, 3, 1709251200, 2, 5000, 3, 2, 3, '</svg><script>alert(1)</script>', NULL, 'growing',"
        "   'dormant', 3300, 0.5, 0.3, 0.8, 2.1, 'not json'),"
        "  (4, 3, 1709251200, 0, 0, NULL, NULL, NULL, NULL, NULL, 'prospect', 'prospect', 0, NULL,"
        "   NULL, NULL, NULL, '[]');");
    enc_buf b = {0};
    enc_report_result res;
    enc_err err = {0};
    enc_report_opts o = {.store_name = "<shop>", .weeks = 3};
    CHECK_INT(enc_report_html(st, &o, &b, &res, &err), ENC_OK);
    CHECK(!res.empty);
    CHECK_INT(res.sections, 9);
    CHECK_INT(res.charts, 15);
    CHECK_INT(res.run_id, 3);
    CHECK_INT(res.as_of, 1709251200);
    CHECK_INT(res.profiles, 4);
    CHECK(strstr(b.p, "<script") == NULL);
    CHECK(strstr(b.p, "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
    CHECK(strstr(b.p, "Store <b>&lt;shop&gt;</b>") != NULL);
    CHECK(strstr(b.p, "<code>rfm &lt;b&gt;&amp;amp;&lt;/b&gt;</code>") != NULL);
    /* segment keys and Chinese class names are recognised and shown by name */
    CHECK(strstr(b.p, "<td>Champions</td><td>1</td><td>25.0%</td><td>CNY 1,234.56</td>") != NULL);
    CHECK(strstr(b.p, "<td>重要价值客户 (important value)</td><td>1</td>") != NULL);
    CHECK(strstr(b.p, "<td>一般挽留客户 (general retain)</td><td>1</td>") != NULL);
    /* top categories: strings and objects both counted; invalid JSON skipped */
    CHECK(strstr(b.p, "<title>茶叶: 2 (first for 2)</title>") != NULL);
    CHECK(strstr(b.p, "<title>&lt;/svg&gt;&lt;b&gt;: 1 (first for 0)</title>") != NULL);
    /* actual purchase occasions: week 1 has customer 1's order; week 2 customer 2's two orders
     * ten minutes apart, one occasion; week 3 is not complete (orders end on day 20) */
    CHECK(strstr(b.p, "<title>actual, 03-01: 1</title>") != NULL);
    CHECK(strstr(b.p, "<title>actual, 03-08: 1</title>") != NULL);
    CHECK(strstr(b.p, "<title>actual, 03-15: ") == NULL); /* not a complete week of data */
    /* clv percentiles of the positive values 1.20, 33.00, 2500.00: median 33.00 */
    CHECK(strstr(b.p, "<td>median</td><td class=\"pctl\" data-p=\"0.5\">CNY 33.00</td>") != NULL);
    /* summary cards */
    CHECK(strstr(b.p, "<div class=\"k\">Customers scored</div><div class=\"v\">4</div>") != NULL);
    CHECK(strstr(b.p, "<div class=\"k\">Buyers</div><div class=\"v\">3</div>") != NULL);
    enc_buf_free(&b);
    enc_store_close(st);
}

int main(void)
{
    RUN(test_pchip_properties);
    RUN(test_pchip_scipy);
    RUN(test_page_empty);
    RUN(test_page_small);
    return TEST_SUMMARY();
}
