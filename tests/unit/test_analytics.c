/* test_analytics.c — periods (ISO weeks across year ends, months before 1970, labels read back),
 * and cohorts and KPIs over a hand-built snapshot with known answers (src/measure/analytics.c). */
#include "harness.h"
#include "base/datetime.h"
#include "measure/analytics.h"

static int64_t at(int y, int m, int d, int hh)
{
    return enc_days_from_civil(y, m, d) * 86400 + hh * 3600;
}

static void label_of(enc_period p, int64_t t, const char *want)
{
    char lab[32];
    int64_t idx = enc_period_of(p, t), back = -1;
    enc_period_label(p, idx, lab, sizeof lab);
    CHECK_STR(lab, want);
    CHECK(enc_period_parse_label(p, lab, &back));
    CHECK_INT(back, idx);
    CHECK(enc_period_start(p, idx) <= t);
    CHECK(enc_period_start(p, idx + 1) > t);
}

static void test_periods(void)
{
    label_of(ENC_PERIOD_WEEK, at(2010, 1, 3, 12), "2009-W53");
    label_of(ENC_PERIOD_WEEK, at(2026, 12, 7, 0), "2026-W50");
    label_of(ENC_PERIOD_WEEK, at(2024, 12, 30, 0), "2025-W01");
    label_of(ENC_PERIOD_WEEK, at(2021, 1, 3, 23), "2020-W53");
    label_of(ENC_PERIOD_WEEK, at(1969, 12, 31, 5), "1970-W01");
    label_of(ENC_PERIOD_WEEK, at(1970, 1, 1, 0), "1970-W01");
    label_of(ENC_PERIOD_MONTH, at(1969, 12, 31, 23), "1969-12");
    label_of(ENC_PERIOD_MONTH, at(2011, 1, 1, 0), "2011-01");
    label_of(ENC_PERIOD_DAY, at(1969, 12, 31, 23), "1969-12-31");
    label_of(ENC_PERIOD_DAY, at(2024, 2, 29, 1), "2024-02-29");
    /* Monday 00:00 starts a week; the second before is the previous week */
    CHECK_INT(enc_period_of(ENC_PERIOD_WEEK, at(2024, 1, 8, 0)) -
                  enc_period_of(ENC_PERIOD_WEEK, at(2024, 1, 8, 0) - 1),
              1);
    int64_t x;
    CHECK(!enc_period_parse_label(ENC_PERIOD_WEEK, "2021-W53", &x));
    CHECK(enc_period_parse_label(ENC_PERIOD_WEEK, "2020-W53", &x));
    CHECK(!enc_period_parse_label(ENC_PERIOD_MONTH, "2020-00", &x));
    CHECK(!enc_period_parse_label(ENC_PERIOD_MONTH, "2020-1", &x));
    CHECK(!enc_period_parse_label(ENC_PERIOD_DAY, "2023-02-29", &x));
    CHECK(!enc_period_parse_label(ENC_PERIOD_DAY, "2023-02-28x", &x));
    CHECK(!enc_period_parse_label(ENC_PERIOD_MONTH, NULL, &x));
    /* hostile times are clamped, not overflowed */
    char lab[32];
    enc_period_label(ENC_PERIOD_MONTH, enc_period_of(ENC_PERIOD_MONTH, INT64_MAX), lab, sizeof lab);
    CHECK_STR(lab, "9999-12");
    enc_period_label(ENC_PERIOD_MONTH, enc_period_of(ENC_PERIOD_MONTH, INT64_MIN), lab, sizeof lab);
    CHECK_STR(lab, "0001-01");
}

/* three customers: A buys in Jan and Mar (return in Mar), B returns in Jan, buys in Feb,
 * C never buys */
static void test_cohorts_kpis(void)
{
    int64_t cust_id[] = {1, 2, 3};
    int64_t ord_off[] = {0, 2, 3, 3};
    int64_t ord_ts[] = {at(2024, 1, 10, 9), at(2024, 3, 5, 9), at(2024, 2, 1, 0)};
    int64_t ord_amount[] = {10000, 5000, 3000};
    int64_t ret_off[] = {0, 1, 2, 2};
    int64_t ret_ts[] = {at(2024, 3, 20, 9), at(2024, 1, 15, 9)};
    int64_t ret_amt[] = {2000, 1000};
    enc_snapshot s = {0};
    s.ncust = 3, s.cust_id = cust_id, s.nord = 3, s.ord_off = ord_off, s.ord_ts = ord_ts;
    s.ord_amount = ord_amount, s.ret_off = ret_off, s.ret_ts = ret_ts, s.ret_amt = ret_amt;
    enc_err err = {0};
    enc_cohorts c;
    CHECK_INT(enc_cohorts_compute(&s, ENC_PERIOD_MONTH, &c, &err), 0);
    CHECK_INT(c.n, 2);
    if (c.n == 2) {
        CHECK_INT(c.rows[0].size, 1);
        CHECK_INT(c.rows[0].n, 3);
        CHECK_INT(c.rows[0].customers[0], 1);
        CHECK_INT(c.rows[0].customers[1], 0);
        CHECK_INT(c.rows[0].customers[2], 1);
        CHECK_INT(c.rows[0].revenue[0], 10000);
        CHECK_INT(c.rows[0].revenue[2], 3000);
        CHECK_INT(c.rows[1].n, 2);
        CHECK_INT(c.rows[1].revenue[0], 3000); /* the January return is before B's cohort */
    }
    enc_cohorts_free(&c);
    CHECK_INT(enc_cohorts_compute(&s, ENC_PERIOD_DAY, &c, &err), ENC_EUSAGE);
    enc_cohorts_free(&c);

    enc_kpis k;
    CHECK_INT(enc_kpis_compute(&s, ENC_PERIOD_MONTH, false, 0, false, 0, &k, &err), 0);
    CHECK_INT(k.n, 3);
    if (k.n == 3) {
        CHECK_INT(k.rows[0].orders, 1);
        CHECK_INT(k.rows[0].returns, 1000);
        CHECK_INT(k.rows[1].fresh, 1);
        CHECK_INT(k.rows[2].returning, 1);
        CHECK_INT(k.rows[2].revenue, 5000);
        CHECK_INT(k.rows[2].returns, 2000);
    }
    enc_kpis_free(&k);
    CHECK_INT(enc_kpis_compute(&s, ENC_PERIOD_MONTH, true, 5, true, 4, &k, &err), ENC_EUSAGE);
    enc_kpis_free(&k);

    /* orders decades apart by week: refused with a limit, not a huge allocation */
    int64_t far[] = {at(1900, 1, 1, 0), at(2400, 1, 1, 0), 0};
    s.ord_ts = far;
    CHECK_INT(enc_cohorts_compute(&s, ENC_PERIOD_WEEK, &c, &err), ENC_ELIMIT);
    enc_cohorts_free(&c);
}

int main(void)
{
    RUN(test_periods);
    RUN(test_cohorts_kpis);
    return TEST_SUMMARY();
}
