/* store_report.c — the SQL of the HTML report (report_store.h). */
#include "store/report_store.h"
#include "store/scan_int.h"
#include "base/buf.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define WHAT "report: reading the store"

static const char *const sql[ENC_REPQ_N] = {
    [ENC_REPQ_RUNS] = "SELECT COUNT(*), COUNT(DISTINCT run_id), MAX(run_id) FROM profiles",
    [ENC_REPQ_RUN_INFO] =
        "SELECT COALESCE(s.as_of, (SELECT MAX(as_of) FROM profiles WHERE run_id = ?1)),"
        " s.started_at, s.seconds, s.models FROM (SELECT 1) LEFT JOIN score_runs s"
        " ON s.id = ?1",
    [ENC_REPQ_CAMPAIGNS] =
        "SELECT COUNT(*) FROM campaigns c WHERE EXISTS (SELECT 1 FROM campaign_members m"
        " WHERE m.campaign = c.name)",
    [ENC_REPQ_CURRENCY] =
        "SELECT currency FROM orders WHERE currency IS NOT NULL AND currency <> ''"
        " GROUP BY currency ORDER BY COUNT(*) DESC LIMIT 2",
    [ENC_REPQ_SUMMARY] =
        "SELECT COUNT(*), COALESCE(SUM(frequency > 0), 0), COALESCE(SUM(frequency >= 2), 0),"
        " COALESCE(SUM(monetary), 0), COALESCE(SUM(returns_amount), 0), "
        "COALESCE(SUM(frequency), 0),"
        " SUM(expected_purchases_90d), SUM(clv), COUNT(clv), AVG(churn_risk),"
        " COALESCE(SUM(churn_risk >= 0.7), 0), COUNT(churn_risk), AVG(p_alive) FROM profiles",
    [ENC_REPQ_RF_GRID] =
        "SELECT r, f, COUNT(*) FROM profiles WHERE r BETWEEN 1 AND 5 AND f BETWEEN 1 AND 5"
        " GROUP BY r, f",
    [ENC_REPQ_CLV_STATS] =
        "SELECT MIN(CASE WHEN clv > 0 THEN clv END), MAX(clv), AVG(clv), SUM(clv),"
        " COALESCE(SUM(clv <= 0), 0), COALESCE(SUM(clv > 0), 0) FROM profiles",
    [ENC_REPQ_CLV_BELOW] = "SELECT COUNT(*) FROM profiles WHERE clv > 0 AND clv < ?1",
    [ENC_REPQ_CLV_TOP_DECILE] =
        "SELECT SUM(v) FROM (SELECT clv AS v FROM profiles WHERE clv IS NOT NULL ORDER BY clv"
        " DESC LIMIT (SELECT (COUNT(clv) + 9) / 10 FROM profiles))",
    [ENC_REPQ_CHURN_BANDS] =
        "SELECT COUNT(churn_risk), COALESCE(SUM(churn_risk < 0.3), 0),"
        " COALESCE(SUM(churn_risk >= 0.3 AND churn_risk < 0.7), 0),"
        " COALESCE(SUM(churn_risk >= 0.7), 0), AVG(churn_risk),"
        " COALESCE(SUM(CASE WHEN churn_risk >= 0.7 THEN monetary END), 0),"
        " COALESCE(SUM(CASE WHEN churn_risk >= 0.7 THEN clv END), 0) FROM profiles",
    [ENC_REPQ_WEEKLY_OCCASIONS] =
        "SELECT (ts - ?1) / 604800, COUNT(*) FROM ("
        " SELECT ts, LAG(ts) OVER (PARTITION BY customer_id ORDER BY ts) AS prev FROM orders"
        " WHERE status = 'paid' AND sales > 0 AND ts >= ?1 - 86400 AND ts < ?2"
        " AND customer_id IN (SELECT customer_id FROM profiles))"
        " WHERE ts >= ?1 AND (prev IS NULL OR ts - prev >= 86400) GROUP BY 1",
    [ENC_REPQ_OCCASIONS] =
        "SELECT COUNT(*) FROM ("
        " SELECT ts, LAG(ts) OVER (PARTITION BY customer_id ORDER BY ts) AS prev FROM orders"
        " WHERE status = 'paid' AND sales > 0 AND ts >= ?1 - 86400 AND ts < ?2"
        " AND customer_id IN (SELECT customer_id FROM profiles))"
        " WHERE ts >= ?1 AND (prev IS NULL OR ts - prev >= 86400)",
    [ENC_REPQ_EXPECTED] = "SELECT SUM(expected_purchases_30d), SUM(expected_purchases_90d),"
                          " SUM(expected_purchases_365d), COUNT(expected_purchases_30d),"
                          " COUNT(expected_purchases_90d), COUNT(expected_purchases_365d),"
                          " (SELECT MAX(ts) FROM orders) FROM profiles",
    [ENC_REPQ_TOP_CATEGORIES] =
        "SELECT cat, COUNT(*), SUM(first) FROM ("
        " SELECT CASE j.type WHEN 'text' THEN j.value WHEN 'object' THEN"
        " COALESCE(json_extract(j.value, '$.category'), json_extract(j.value, '$.name')) END"
        " AS cat, j.key = 0 AS first FROM profiles p, json_each(CASE WHEN"
        " json_valid(p.top_categories) AND json_type(p.top_categories) = 'array' THEN"
        " p.top_categories ELSE '[]' END) j)"
        " WHERE cat IS NOT NULL GROUP BY cat ORDER BY 2 DESC, 1 LIMIT 15",
    [ENC_REPQ_CATEGORY_REVENUE] =
        "SELECT COALESCE(NULLIF(p.category, ''), '(no category)'), SUM(l.amount)"
        " FROM order_lines l JOIN orders o ON o.id = l.order_id"
        " LEFT JOIN products p ON p.id = l.product_id"
        " WHERE l.kind = 'sale' AND o.status = 'paid' AND o.ts < ?1"
        " AND o.customer_id IN (SELECT customer_id FROM profiles)"
        " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15",
    [ENC_REPQ_CLV_COUNT] = "SELECT COUNT(clv) FROM profiles WHERE clv > 0",
    [ENC_REPQ_CLV_RANKS] =
        "SELECT rn, v FROM (SELECT clv AS v, ROW_NUMBER() OVER (ORDER BY clv) - 1"
        " AS rn FROM profiles WHERE clv IS NOT NULL AND clv > 0) WHERE rn IN"
        " (SELECT value FROM json_each(?1))",
    [ENC_REPQ_CAMPAIGN_NAMES] = "SELECT name FROM campaigns c WHERE EXISTS (SELECT 1 FROM"
                                " campaign_members m WHERE m.campaign = c.name)"
                                " ORDER BY coalesce(started_at, 0) DESC, name",
};

enc_scan *enc_store_repq(enc_store *st, enc_repq q, enc_err *err)
{
    if ((unsigned)q >= ENC_REPQ_N) return NULL;
    return enc__scan_prepare(st, sql[q], q == ENC_REPQ_CAMPAIGN_NAMES ? "report: campaigns" : WHAT,
                             err);
}

enc_scan *enc_store_report_groups(enc_store *st, const char *col, enc_err *err)
{
    static const char *const cols[] = {"rfm_segment", "rfm_segment_cn", "lifecycle",
                                       "lifecycle_class"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        if (strcmp(col, cols[i]) == 0) {
            char q[256];
            snprintf(q, sizeof q,
                     "SELECT %s, COUNT(*), COALESCE(SUM(monetary), 0) FROM profiles GROUP BY 1"
                     " ORDER BY 2 DESC, 1",
                     cols[i]);
            return enc__scan_prepare(st, q, WHAT, err);
        }
    enc_fail(err, ENC_EUSAGE, "report: no grouping column %.40s", col);
    return NULL;
}

enc_scan *enc_store_report_hist(enc_store *st, enc_reph which, int digits, const double *edges,
                                int nb, enc_err *err)
{
    char expr[64];
    const char *where;
    if (which == ENC_REPH_CLV) {
        snprintf(expr, sizeof expr, "clv / %.1f", pow(10, digits));
        where = "clv > 0";
    } else {
        snprintf(expr, sizeof expr, "MIN(MAX(churn_risk, 0), 1)");
        where = "churn_risk IS NOT NULL";
    }
    enc_buf q = {0};
    enc_buf_printf(&q, "SELECT CASE");
    for (int i = 1; i < nb; i++) enc_buf_printf(&q, " WHEN v < ?%d THEN %d", i, i - 1);
    enc_buf_printf(&q,
                   " ELSE %d END, COUNT(*) FROM (SELECT %s AS v FROM profiles WHERE %s)"
                   " GROUP BY 1",
                   nb - 1, expr, where);
    enc_scan *c = enc__scan_prepare(st, q.p, WHAT, err);
    enc_buf_free(&q);
    if (c)
        for (int i = 1; i < nb; i++) enc_scan_bind_double(c, i, edges[i]);
    return c;
}
