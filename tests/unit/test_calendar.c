/* test_calendar.c — the festival calendar (src/campaign/calendar.c).
 *
 * The oracle for the lunisolar calendar is an independent published table, not a second run of
 * the same astronomy: the lunar-year table of the Hong Kong Observatory's Gregorian-Lunar
 * Calendar Conversion Table 1901-2100 (https://www.hko.gov.hk/en/gts/time/conversion.htm) and
 * the Purple Mountain Observatory's almanacs, as it is published in compact form (one 20-bit
 * word a year: the lengths of months 1-12, the leap month and its length, counted from
 * 1900-01-31 = 春节 1900) in the widely used "lunarInfo" table of 寿星万年历 / calendar.js
 * (jjonline, MIT licence), copied here for 1900-2100. From it the test derives 春节 (1/1) and
 * 中秋 (8/15) of every year 1900-2100 and the leap month, and compares each with the
 * algorithm's. Western dates against published ones: Easter (US Naval Observatory's list),
 * Thanksgiving and Black Friday, Mothering Sunday, Fête des mères. */
#include "harness.h"
#include "campaign/calendar.h"
#include "base/datetime.h"

static const uint32_t lunar_info[201] = {
    0x04bd8, 0x04ae0, 0x0a570, 0x054d5, 0x0d260, 0x0d950, 0x16554, 0x056a0, 0x09ad0, 0x055d2,
    0x04ae0, 0x0a5b6, 0x0a4d0, 0x0d250, 0x1d255, 0x0b540, 0x0d6a0, 0x0ada2, 0x095b0, 0x14977,
    0x04970, 0x0a4b0, 0x0b4b5, 0x06a50, 0x06d40, 0x1ab54, 0x02b60, 0x09570, 0x052f2, 0x04970,
    0x06566, 0x0d4a0, 0x0ea50, 0x16a95, 0x05ad0, 0x02b60, 0x186e3, 0x092e0, 0x1c8d7, 0x0c950,
    0x0d4a0, 0x1d8a6, 0x0b550, 0x056a0, 0x1a5b4, 0x025d0, 0x092d0, 0x0d2b2, 0x0a950, 0x0b557,
    0x06ca0, 0x0b550, 0x15355, 0x04da0, 0x0a5b0, 0x14573, 0x052b0, 0x0a9a8, 0x0e950, 0x06aa0,
    0x0aea6, 0x0ab50, 0x04b60, 0x0aae4, 0x0a570, 0x05260, 0x0f263, 0x0d950, 0x05b57, 0x056a0,
    0x096d0, 0x04dd5, 0x04ad0, 0x0a4d0, 0x0d4d4, 0x0d250, 0x0d558, 0x0b540, 0x0b6a0, 0x195a6,
    0x095b0, 0x049b0, 0x0a974, 0x0a4b0, 0x0b27a, 0x06a50, 0x06d40, 0x0af46, 0x0ab60, 0x09570,
    0x04af5, 0x04970, 0x064b0, 0x074a3, 0x0ea50, 0x06b58, 0x05ac0, 0x0ab60, 0x096d5, 0x092e0,
    0x0c960, 0x0d954, 0x0d4a0, 0x0da50, 0x07552, 0x056a0, 0x0abb7, 0x025d0, 0x092d0, 0x0cab5,
    0x0a950, 0x0b4a0, 0x0baa4, 0x0ad50, 0x055d9, 0x04ba0, 0x0a5b0, 0x15176, 0x052b0, 0x0a930,
    0x07954, 0x06aa0, 0x0ad50, 0x05b52, 0x04b60, 0x0a6e6, 0x0a4e0, 0x0d260, 0x0ea65, 0x0d530,
    0x05aa0, 0x076a3, 0x096d0, 0x04afb, 0x04ad0, 0x0a4d0, 0x1d0b6, 0x0d250, 0x0d520, 0x0dd45,
    0x0b5a0, 0x056d0, 0x055b2, 0x049b0, 0x0a577, 0x0a4b0, 0x0aa50, 0x1b255, 0x06d20, 0x0ada0,
    0x14b63, 0x09370, 0x049f8, 0x04970, 0x064b0, 0x168a6, 0x0ea50, 0x06aa0, 0x1a6c4, 0x0aae0,
    0x092e0, 0x0d2e3, 0x0c960, 0x0d557, 0x0d4a0, 0x0da50, 0x05d55, 0x056a0, 0x0a6d0, 0x055d4,
    0x052d0, 0x0a9b8, 0x0a950, 0x0b4a0, 0x0b6a6, 0x0ad50, 0x055a0, 0x0aba4, 0x0a5b0, 0x052b0,
    0x0b273, 0x06930, 0x07337, 0x06aa0, 0x0ad50, 0x14b55, 0x04b60, 0x0a570, 0x054e4, 0x0d160,
    0x0e968, 0x0d520, 0x0daa0, 0x16aa6, 0x056d0, 0x04ae0, 0x0a9d4, 0x0a4d0, 0x0d150, 0x0f252,
    0x0d520,
};

static int month_days(int y, int m) { return lunar_info[y - 1900] & (0x10000 >> m) ? 30 : 29; }
static int leap_of(int y) { return (int)(lunar_info[y - 1900] & 0xf); }
static int leap_days(int y) { return leap_of(y) ? (lunar_info[y - 1900] & 0x10000 ? 30 : 29) : 0; }
static int year_days(int y)
{
    int n = leap_days(y);
    for (int m = 1; m <= 12; m++) n += month_days(y, m);
    return n;
}

static void fmt(char *o, int64_t day) { enc_fmt_date(o, 16, day * 86400); }

static void new_year_and_mid_autumn_1900_2100(void)
{
    int64_t cny = enc_days_from_civil(1900, 1, 31);
    int bad = 0, checked = 0;
    for (int y = 1900; y <= 2100; y++) {
        int64_t ma = cny;
        for (int m = 1; m <= 7; m++) ma += month_days(y, m) + (leap_of(y) == m ? leap_days(y) : 0);
        ma += 14;
        int64_t got_cny = enc_cal_lunar_day(y, 1, false, 1);
        int64_t got_ma = enc_cal_lunar_day(y, 8, false, 15);
        char a[16], b[16];
        if (got_cny != cny && bad++ < 10) {
            fmt(a, got_cny), fmt(b, cny);
            TH_FAIL("%d: 春节 %s, the table says %s", y, a, b);
        }
        if (got_ma != ma && bad++ < 10) {
            fmt(a, got_ma), fmt(b, ma);
            TH_FAIL("%d: 中秋 %s, the table says %s", y, a, b);
        }
        if (enc_cal_leap_month(y) != leap_of(y) && bad++ < 10)
            TH_FAIL("%d: leap month %d, the table says %d", y, enc_cal_leap_month(y), leap_of(y));
        checked++;
        cny += year_days(y);
    }
    CHECK_INT(checked, 201);
    CHECK_INT(bad, 0);
}

/* solar terms: 清明 on 4-6 April and the solstices and equinoxes on their usual days, every
 * year; a few published instants (Beijing time) to the day */
static void solar_terms(void)
{
    for (int y = 1900; y <= 2100; y++) {
        int yy, m, d;
        enc_civil_from_days(enc_cal_solar_term_day(y, 15), &yy, &m, &d);
        CHECK_MSG(yy == y && m == 4 && d >= 4 && d <= 6, "%d: 清明 %d-%02d-%02d", y, yy, m, d);
        enc_civil_from_days(enc_cal_solar_term_day(y, 270), &yy, &m, &d);
        CHECK_MSG(yy == y && m == 12 && d >= 21 && d <= 23, "%d: 冬至 %d-%02d-%02d", y, yy, m, d);
    }
    /* the March equinox 2025 was 2025-03-20 09:01 UTC (17:01 CST); 清明 2025 04-04 15:48 CST;
     * 冬至 2024-12-21 17:20 CST; 清明 2008 04-04 11:45 CST */
    CHECK_INT(enc_cal_solar_term_day(2025, 0), enc_days_from_civil(2025, 3, 20));
    CHECK_INT(enc_cal_solar_term_day(2025, 15), enc_days_from_civil(2025, 4, 4));
    CHECK_INT(enc_cal_solar_term_day(2024, 270), enc_days_from_civil(2024, 12, 21));
    CHECK_INT(enc_cal_solar_term_day(2008, 15), enc_days_from_civil(2008, 4, 4));
    /* the Sun's apparent longitude (Meeus example 25.b, with the full VSOP87: 1992-10-13 0h TD,
     * 199 deg 54' 21.818") to half an arc second */
    CHECK_NEAR(enc_cal_sun_longitude(2448908.5), 199.0 + 54.0 / 60 + 21.818 / 3600, 7e-7);
    /* a new moon (Meeus example 49.a: k = -283, 1977-02-18 03:37:42 TD = JDE 2443192.65118) */
    CHECK_NEAR(enc_cal_new_moon_jde(-283), 2443192.65118, 1e-9);
    CHECK_NEAR(enc_cal_delta_t(2000), 63.86, 1e-9);
}

static int64_t find(const enc_cal_event *ev, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ev[i].name, name) == 0) return ev[i].day;
    return ENC_CAL_NONE;
}

static int64_t D(int y, int m, int d) { return enc_days_from_civil(y, m, d); }

static void western_dates(void)
{
    /* Easter Sunday (USNO): 1900-04-15, 1961-04-02, 2000-04-23, 2008-03-23, 2011-04-24,
     * 2019-04-21, 2024-03-31, 2025-04-20, 2038-04-25, 2100-03-28 */
    static const int easter[][3] = {{1900, 4, 15}, {1961, 4, 2},  {2000, 4, 23}, {2008, 3, 23},
                                    {2011, 4, 24}, {2019, 4, 21}, {2024, 3, 31}, {2025, 4, 20},
                                    {2038, 4, 25}, {2100, 3, 28}};
    enc_cal_event ev[64];
    size_t n;
    enc_err err = {0};
    for (size_t i = 0; i < sizeof easter / sizeof *easter; i++) {
        CHECK_INT(enc_calendar_year(easter[i][0], ENC_CAL_US, ev, 64, &n, &err), ENC_OK);
        CHECK_INT(find(ev, n, "Easter Sunday"), D(easter[i][0], easter[i][1], easter[i][2]));
    }
    CHECK_INT(enc_calendar_year(2025, ENC_CAL_US, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Thanksgiving Day"), D(2025, 11, 27));
    CHECK_INT(find(ev, n, "Black Friday"), D(2025, 11, 28));
    CHECK_INT(find(ev, n, "Cyber Monday"), D(2025, 12, 1));
    CHECK_INT(find(ev, n, "Mother's Day"), D(2025, 5, 11));
    CHECK_INT(find(ev, n, "Father's Day"), D(2025, 6, 15));
    CHECK_INT(find(ev, n, "Memorial Day"), D(2025, 5, 26));
    CHECK_INT(enc_calendar_year(2024, ENC_CAL_GB, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Mothering Sunday"), D(2024, 3, 10));
    CHECK_INT(find(ev, n, "Good Friday"), D(2024, 3, 29));
    CHECK_INT(find(ev, n, "Boxing Day"), D(2024, 12, 26));
    /* Fête des mères: 2024-05-26 (last Sunday of May); 2024 Pentecost was 05-19 */
    CHECK_INT(enc_calendar_year(2024, ENC_CAL_FR, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Fête des mères"), D(2024, 5, 26));
    /* 2029: the last Sunday of May (05-27) is not Pentecost (05-20); 2015: it was (05-24), so
     * the first Sunday of June (05-31 is a Sunday in May: the last one; Pentecost 2015 was
     * 05-24, the last Sunday 05-31) */
    CHECK_INT(enc_calendar_year(2015, ENC_CAL_FR, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Fête des mères"), D(2015, 5, 31));
    CHECK_INT(enc_calendar_year(2018, ENC_CAL_FR, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Fête des mères"), D(2018, 5, 27)); /* Pentecost 2018: 05-20 */
    CHECK_INT(enc_calendar_year(2016, ENC_CAL_FR, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Fête des mères"), D(2016, 5, 29)); /* Pentecost 05-15 */
    CHECK_INT(enc_calendar_year(2027, ENC_CAL_DE, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Christi Himmelfahrt (Vatertag)"), D(2027, 5, 6));
    CHECK_INT(enc_calendar_year(2025, ENC_CAL_JP, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Vernal Equinox Day"), D(2025, 3, 20));
    CHECK_INT(find(ev, n, "Autumnal Equinox Day"), D(2025, 9, 23));
    CHECK_INT(find(ev, n, "Coming of Age Day"), D(2025, 1, 13));
    CHECK_INT(enc_calendar_year(2025, ENC_CAL_TW, ev, 64, &n, &err), ENC_OK);
    CHECK_INT(find(ev, n, "Father's Day"), D(2025, 8, 8));
}

static void chinese_year_2025(void)
{
    enc_cal_event ev[64];
    size_t n;
    enc_err err = {0};
    CHECK_INT(enc_calendar_year(2025, ENC_CAL_CN, ev, 64, &n, &err), ENC_OK);
    static const struct {
        const char *zh;
        int m, d;
    } want[] = {
        {"春节", 1, 29},    {"除夕", 1, 28},          {"元宵节", 2, 12},    {"清明节", 4, 4},
        {"端午节", 5, 31},  {"七夕", 8, 29},          {"中秋节", 10, 6},    {"重阳节", 10, 29},
        {"腊八节", 1, 7},   {"小年", 1, 22},          {"618购物节", 6, 18}, {"双十一", 11, 11},
        {"双十二", 12, 12}, {"520网络情人节", 5, 20}, {"国庆节", 10, 1},    {"年货节", 1, 7},
        {"冬至", 12, 21},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        int64_t got = ENC_CAL_NONE;
        for (size_t k = 0; k < n; k++)
            if (strcmp(ev[k].name_zh, want[i].zh) == 0) got = ev[k].day;
        CHECK_MSG(got == D(2025, want[i].m, want[i].d), "%s: want 2025-%02d-%02d", want[i].zh,
                  want[i].m, want[i].d);
    }
    /* sorted by date; every event in the year; kinds named */
    for (size_t i = 0; i < n; i++) {
        int y, m, d;
        enc_civil_from_days(ev[i].day, &y, &m, &d);
        CHECK_MSG(y == 2025, "%s in %d", ev[i].name, y);
        if (i) CHECK(ev[i - 1].day <= ev[i].day);
        CHECK(ev[i].name_zh && *ev[i].name_zh);
    }
    /* 腊八 twice in a Gregorian year when the next 春节 comes early: 2022 has the one of the
     * Chinese year 2021 (2022-01-10) and that of 2022 (2022-12-30; 春节 2023 is 01-22) */
    CHECK_INT(enc_calendar_year(2022, ENC_CAL_CN, ev, 64, &n, &err), ENC_OK);
    int64_t laba[2] = {0, 0};
    int nlaba = 0;
    for (size_t k = 0; k < n; k++)
        if (strcmp(ev[k].name_zh, "腊八节") == 0 && nlaba < 2) laba[nlaba++] = ev[k].day;
    CHECK_INT(nlaba, 2);
    CHECK_INT(laba[0], D(2022, 1, 10));
    CHECK_INT(laba[1], D(2022, 12, 30));
}

static void bad_input(void)
{
    enc_cal_event ev[64];
    size_t n = 99;
    enc_err err = {0};
    CHECK_INT(enc_calendar_year(1899, ENC_CAL_CN, ev, 64, &n, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "1900-2100") != NULL);
    CHECK_INT(n, 0);
    CHECK_INT(enc_calendar_year(2101, ENC_CAL_CN, ev, 64, &n, &err), ENC_EUSAGE);
    CHECK_INT(enc_calendar_year(2025, (enc_cal_region)99, ev, 64, &n, &err), ENC_EUSAGE);
    /* a small buffer is filled, never overrun */
    CHECK_INT(enc_calendar_year(2025, ENC_CAL_CN, ev, 3, &n, &err), ENC_OK);
    CHECK_INT(n, 3);
    enc_cal_region r;
    CHECK(enc_cal_region_parse("cn", &r) && r == ENC_CAL_CN);
    CHECK(enc_cal_region_parse("JP", &r) && r == ENC_CAL_JP);
    CHECK(!enc_cal_region_parse("XX", &r));
    CHECK(!enc_cal_region_parse("", &r));
    CHECK_INT(enc_cal_lunar_day(2025, 13, false, 1), ENC_CAL_NONE);
    CHECK_INT(enc_cal_lunar_day(2025, 5, true, 1), ENC_CAL_NONE); /* 2025's leap month is 6 */
    CHECK(enc_cal_lunar_day(2025, 6, true, 1) != ENC_CAL_NONE);
    CHECK_INT(enc_cal_lunar_day(2025, 1, false, 31), ENC_CAL_NONE);
}

int main(void)
{
    RUN(new_year_and_mid_autumn_1900_2100);
    RUN(solar_terms);
    RUN(western_dates);
    RUN(chinese_year_2025);
    RUN(bad_input);
    return TEST_SUMMARY();
}
