/* test_loyalty.c — the loyalty programme parser (strictness: every bad field named) and the
 * ledger arithmetic: order points with multipliers, pro-rata discounts, member day and caps,
 * month arithmetic at month ends, expiry modes, review dates, oldest-first consumption. The
 * store-backed operations are checked end to end (tests/e2e/test_loyalty.sh) against the
 * independent model tests/oracle/loyalty_oracle.py. */
#include "harness.h"
#include "base/datetime.h"
#include "loyalty/ledger.h"
#include "loyalty/programme.h"

static const char good[] =
    "{\"earn\": {\"points_per_unit\": 1.5, \"currency_unit\": 100,"
    " \"categories\": {\"beauty\": 2, \"beauty/lips\": 3}, \"skus\": {\"MUG\": 0.5},"
    " \"member_day\": {\"day\": 8, \"multiplier\": 2}, \"cap_per_order\": 500,"
    " \"cap_per_day\": 800},"
    " \"expiry\": {\"end_of_year_after\": 1},"
    " \"tiers\": {\"by\": \"orders\", \"levels\": [{\"name\": \"gold\", \"min\": 10,"
    " \"multiplier\": 1.25}, {\"name\": \"base\", \"min\": 0}]},"
    " \"rewards\": [{\"id\": \"c\", \"points\": 100, \"kind\": \"coupon\", \"value\": 500}]}";

static int64_t day(int y, int m, int d) { return enc_days_from_civil(y, m, d) * 86400; }

static void parses_and_sorts_tiers(void)
{
    enc_programme p;
    enc_err err = {0};
    CHECK_INT(enc_prog_parse(good, sizeof good - 1, "p.json", &p, &err), ENC_OK);
    CHECK_INT(p.rate100, 150);
    CHECK_INT(p.ntiers, 2);
    CHECK_STR(p.tiers[0].name, "base");
    CHECK_INT(p.tiers[1].mult100, 125);
    CHECK_INT(p.qual, ENC_QUAL_ORDERS);
    CHECK_INT(enc_prog_tier_for(&p, 9), 0);
    CHECK_INT(enc_prog_tier_for(&p, 10), 1);
    CHECK_INT(enc_prog_tier_index(&p, "gold"), 1);
    CHECK(enc_prog_reward_find(&p, "c") && enc_prog_reward_find(&p, "c")->value == 500);
    CHECK(!enc_prog_reward_find(&p, "x"));
    enc_prog_free(&p);
}

static void refuses_with_the_field(void)
{
    static const struct {
        const char *doc, *msg;
    } cases[] = {
        {"{\"earn\": {\"bonus\": {}}}", "f: earn.bonus: unknown rule"},
        {"{\"earn\": {\"points_per_unit\": -1}}",
         "f: earn.points_per_unit: out of range (0 to 100)"},
        {"{\"earn\": {\"points_per_unit\": 1.234}}",
         "f: earn.points_per_unit: at most two decimals"},
        {"{\"earn\": {\"member_day\": {\"day\": 32, \"multiplier\": 2}}}",
         "f: earn.member_day.day: out of range (1 to 31)"},
        {"{\"earn\": {\"member_day\": {\"day\": 3}}}", "f: earn.member_day.multiplier: required"},
        {"{\"tiers\": {\"levels\": []}}", "f: tiers.levels: must be a non-empty array"},
        {"{\"tiers\": {\"levels\": [{\"name\": \"a\", \"min\": 0}, {\"name\": \"a\", \"min\": "
         "5}]}}",
         "f: tiers.levels[1]: name 'a' given twice"},
        {"{\"tiers\": {\"levels\": [{\"name\": \"a\", \"min\": 0}, {\"name\": \"b\", \"min\": "
         "0}]}}",
         "f: tiers.levels[1]: tiers overlap: b overlaps a"},
        {"{\"tiers\": {\"by\": \"visits\", \"levels\": [{\"name\": \"a\", \"min\": 0}]}}",
         "f: tiers.by: must be spend, points or orders"},
        {"{\"rewards\": [{\"id\": \"x\", \"points\": 0, \"kind\": \"coupon\", \"value\": 1}]}",
         "f: rewards[0].points: out of range (1 to 1099511627776)"},
        {"{\"rewards\": [{\"id\": \"x\", \"points\": 5, \"kind\": \"coupon\"}]}",
         "f: rewards[0].value: required for a coupon"},
        {"{\"expiry\": {\"never\": false}}", "f: expiry.never: must be true when given"},
        {"[1]", "f: (top): must be an object"},
        {"{\"name\": \"a\", \"name\": \"b\"}", NULL}, /* duplicate key: jansson's message */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        enc_programme p;
        enc_err err = {0};
        enc_rc rc = enc_prog_parse(cases[i].doc, strlen(cases[i].doc), "f", &p, &err);
        CHECK_MSG(rc == ENC_EPARSE, "case %zu: rc %d", i, rc);
        if (cases[i].msg) CHECK_STR(err.msg, cases[i].msg);
        else CHECK(strncmp(err.msg, "f:1:", 4) == 0);
        CHECK(p.tiers == NULL && p.rewards == NULL);
    }
}

static void order_points_exact(void)
{
    enc_programme p;
    enc_err err = {0};
    CHECK_INT(enc_prog_parse(good, sizeof good - 1, "p.json", &p, &err), ENC_OK);
    /* MUG 100.00 x0.5 + lipstick 50.00 x3 (longest prefix beauty/lips) + face 20.00 x2 = 24000
     * weighted hundredths... net of a 17.00 discount: 17000 - 1700 = 15300 of 17000 */
    enc_earn_line l[] = {{10000, "MUG", "home", true},
                         {5000, "LIP", "beauty/lips/red", true},
                         {2000, "CRM", "beauty/face", true},
                         {-300, "LIP", "beauty/lips", false}};
    int64_t ts = day(2026, 3, 7) + 3600;
    /* weighted = floor((10000*50 + 5000*300 + 2000*200) * 15300 / 17000) = 2160000;
     * points = floor(2160000 * 150 * 100 * 100 / (100 * 10^8)) = 324 */
    CHECK_INT(enc_ledger_order_points(&p, l, 3, 17000, 1700, ts, 100), 324);
    CHECK_INT(enc_ledger_order_points(&p, l, 4, 17000, 1700, ts, 100), 324); /* returns ignored */
    CHECK_INT(enc_ledger_order_points(&p, l, 3, 17000, 1700, ts, 125), 405);
    CHECK_INT(enc_ledger_order_points(&p, l, 3, 17000, 1700, ts + 86400, 100), 648); /* 8th */
    CHECK_INT(enc_ledger_order_points(&p, l, 3, 17000, 17000, ts, 100), 0);
    CHECK_INT(enc_ledger_order_points(&p, NULL, 0, 10001, 0, ts, 100), 150); /* no lines */
    CHECK_INT(enc_ledger_capped(&p, 648, 0), 500);
    CHECK_INT(enc_ledger_capped(&p, 400, 500), 300);
    CHECK_INT(enc_ledger_capped(&p, 400, 900), 0);
    enc_prog_free(&p);
}

static void dates(void)
{
    CHECK_INT(enc_ledger_add_months(day(2026, 1, 31) + 5, 1), day(2026, 2, 28) + 5);
    CHECK_INT(enc_ledger_add_months(day(2024, 3, 31), -1), day(2024, 2, 29));
    CHECK_INT(enc_ledger_add_months(day(2026, 11, 15), 14), day(2028, 1, 15));
    CHECK_INT(enc_ledger_add_months(day(2026, 1, 15), -13), day(2024, 12, 15));
    enc_programme p = {
        .expiry = ENC_EXPIRY_END_OF_YEAR, .expiry_n = 1, .review_month = 3, .review_day = 1};
    CHECK_INT(enc_ledger_expires_at(&p, day(2026, 12, 31) + 86399), day(2028, 1, 1));
    p.expiry = ENC_EXPIRY_MONTHS;
    p.expiry_n = 6;
    CHECK_INT(enc_ledger_expires_at(&p, day(2026, 8, 31)), day(2027, 2, 28));
    p.expiry = ENC_EXPIRY_NEVER;
    CHECK_INT(enc_ledger_expires_at(&p, day(2026, 8, 31)), 0);
    CHECK_INT(enc_ledger_next_review(&p, day(2026, 2, 1)), day(2026, 3, 1));
    CHECK_INT(enc_ledger_next_review(&p, day(2026, 3, 1)), day(2027, 3, 1));
}

static void takes_oldest_first(void)
{
    enc_lot lots[] = {{.id = 1, .remaining = 5},
                      {.id = 2, .remaining = 0},
                      {.id = 3, .remaining = 7},
                      {.id = 4, .remaining = -3},
                      {.id = 5, .remaining = 10}};
    int64_t take[5];
    CHECK_INT(enc_ledger_take(lots, 5, 0, 9, take), 9);
    CHECK(take[0] == 5 && take[1] == 0 && take[2] == 4 && take[3] == 0 && take[4] == 0);
    CHECK_INT(enc_ledger_take(lots, 5, 5, 12, take), 12); /* lot 5 first, then the oldest */
    CHECK(take[4] == 10 && take[0] == 2 && take[2] == 0);
    CHECK_INT(enc_ledger_take(lots, 5, 0, 100, take), 22);
    CHECK_INT(enc_ledger_lots_sum(lots, 5), 19);
}

int main(void)
{
    RUN(parses_and_sorts_tiers);
    RUN(refuses_with_the_field);
    RUN(order_points_exact);
    RUN(dates);
    RUN(takes_oldest_first);
    return TEST_SUMMARY();
}
