/* test_datetime.c — unit tests for src/base/datetime.c: civil-date arithmetic against glibc's
 * timegm/gmtime_r, known instants of DST changes (New York, London), gap and overlap rules,
 * fixed offsets, malformed TZif data, and a sweep of many zones from 1900 to 2100 against
 * glibc's localtime_r with TZ set in this test process (the oracle; the module never does). */
#include "harness.h"
#include "base/datetime.h"
#include <time.h>

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return enc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static void civil_known_values(void)
{
    CHECK_INT(enc_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(enc_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(enc_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(enc_days_from_civil(2024, 2, 29), 19782);
    CHECK_INT(enc_days_from_civil(0, 3, 1), -719468);
    CHECK_INT(enc_days_from_civil(-1, 12, 31), -719529); /* year -1 = 2 BC, proleptic */
    int y, m, d;
    enc_civil_from_days(-719468, &y, &m, &d);
    CHECK(y == 0 && m == 3 && d == 1);
    enc_civil_from_days(2932896, &y, &m, &d);
    CHECK(y == 9999 && m == 12 && d == 31);
}

/* every day from year -2000 to 6000 round-trips, and matches glibc's gmtime_r */
static void civil_round_trip_vs_glibc(void)
{
    int64_t lo = enc_days_from_civil(-2000, 1, 1), hi = enc_days_from_civil(6000, 1, 1);
    long bad = 0, checked = 0;
    int py = 0, pm = 0, pd = 0;
    for (int64_t z = lo; z < hi; z++) {
        int y, m, d;
        enc_civil_from_days(z, &y, &m, &d);
        if (enc_days_from_civil(y, m, d) != z || !enc_date_valid(y, m, d)) bad++;
        if (z > lo && !(d == pd + 1 || (d == 1 && (m == pm + 1 || (m == 1 && y == py + 1)))))
            bad++; /* consecutive days */
        py = y, pm = m, pd = d;
        if (z % 97 == 0) {
            time_t t = (time_t)z * 86400;
            struct tm tm;
            gmtime_r(&t, &tm);
            if (tm.tm_year + 1900 != y || tm.tm_mon + 1 != m || tm.tm_mday != d) bad++;
            checked++;
        }
    }
    CHECK_INT(bad, 0);
    CHECK(checked > 30000);
}

static void date_valid(void)
{
    CHECK(enc_date_valid(2024, 2, 29));
    CHECK(!enc_date_valid(2023, 2, 29));
    CHECK(!enc_date_valid(1900, 2, 29));
    CHECK(enc_date_valid(2000, 2, 29));
    CHECK(!enc_date_valid(2024, 4, 31));
    CHECK(enc_date_valid(2024, 12, 31));
    CHECK(!enc_date_valid(2024, 13, 1));
    CHECK(!enc_date_valid(2024, 0, 1));
    CHECK(!enc_date_valid(2024, 1, 0));
}

static void formatting(void)
{
    char b[32];
    enc_fmt_datetime(b, sizeof b, 0);
    CHECK_STR(b, "1970-01-01 00:00:00");
    enc_fmt_datetime(b, sizeof b, -1);
    CHECK_STR(b, "1969-12-31 23:59:59");
    enc_fmt_datetime(b, sizeof b, 1709634030);
    CHECK_STR(b, "2024-03-05 10:20:30");
    enc_fmt_date(b, sizeof b, 1709634030);
    CHECK_STR(b, "2024-03-05");
    enc_fmt_date(b, sizeof b, -86401);
    CHECK_STR(b, "1969-12-30");
    enc_fmt_datetime(b, sizeof b, utc(2011, 12, 9, 12, 50, 0));
    CHECK_STR(b, "2011-12-09 12:50:00");
}

static enc_tz *load(const char *name)
{
    enc_tz *tz = NULL;
    enc_err err = {0};
    if (enc_tz_load(name, &tz, &err)) TH_FAIL("enc_tz_load(%s): %s", name, err.msg);
    return tz;
}

static void fixed_offsets(void)
{
    struct {
        const char *in, *name;
        int off;
    } ok[] = {{"UTC", "UTC", 0},
              {"Z", "UTC", 0},
              {"utc", "UTC", 0},
              {"GMT", "UTC", 0},
              {"+08:00", "+08:00", 28800},
              {"+0800", "+08:00", 28800},
              {"+08", "+08:00", 28800},
              {"+8", "+08:00", 28800},
              {"-05", "-05:00", -18000},
              {"-05:30", "-05:30", -19800},
              {"+5:45", "+05:45", 20700},
              {"UTC+8", "+08:00", 28800},
              {"GMT-03:00", "-03:00", -10800},
              {"+18:00", "+18:00", 64800},
              {"-00:00", "UTC", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        enc_tz *tz = load(ok[i].in);
        if (!tz) continue;
        CHECK_STR(enc_tz_name(tz), ok[i].name);
        CHECK_INT(enc_tz_offset(tz, 1700000000), ok[i].off);
        CHECK_INT(enc_tz_local_to_utc(tz, 1700000000), 1700000000 - ok[i].off);
        enc_tz_free(tz);
    }
    const char *bad[] = {"",
                         "+",
                         "+19:00",
                         "+08:60",
                         "+830",
                         "+08:0",
                         "08:00",
                         "+08:00x",
                         "abc",
                         "../etc/passwd",
                         "/etc/passwd",
                         "Asia/../../etc",
                         "Asia//Shanghai",
                         "No/Such_Zone",
                         "Asia/",
                         ".hidden"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enc_tz *tz = (enc_tz *)1;
        enc_err err = {0};
        enc_rc rc = enc_tz_load(bad[i], &tz, &err);
        if (rc == ENC_OK) TH_FAIL("enc_tz_load(\"%s\") accepted", bad[i]);
        CHECK(tz == NULL);
        CHECK(err.msg[0] != 0);
    }
}

static void new_york_transitions(void)
{
    enc_tz *ny = load("America/New_York");
    if (!ny) return;
    CHECK_STR(enc_tz_name(ny), "America/New_York");
    /* 2024-03-10 02:00 EST -> 03:00 EDT at 07:00Z; 2024-11-03 02:00 EDT -> 01:00 EST at 06:00Z */
    CHECK_INT(enc_tz_offset(ny, utc(2024, 3, 10, 6, 59, 59)), -5 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2024, 3, 10, 7, 0, 0)), -4 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2024, 11, 3, 5, 59, 59)), -4 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2024, 11, 3, 6, 0, 0)), -5 * 3600);
    /* gap: 02:30 does not exist and moves forward by the gap to 03:30 EDT = 07:30Z */
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2024, 3, 10, 2, 30, 0)), utc(2024, 3, 10, 7, 30, 0));
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2024, 3, 10, 2, 0, 0)), utc(2024, 3, 10, 7, 0, 0));
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2024, 3, 10, 1, 59, 59)), utc(2024, 3, 10, 6, 59, 59));
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2024, 3, 10, 3, 0, 0)), utc(2024, 3, 10, 7, 0, 0));
    /* overlap: 01:30 happens twice (05:30Z EDT, 06:30Z EST): the earlier */
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2024, 11, 3, 1, 30, 0)), utc(2024, 11, 3, 5, 30, 0));
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2024, 11, 3, 0, 59, 59)), utc(2024, 11, 3, 4, 59, 59));
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2024, 11, 3, 2, 0, 0)), utc(2024, 11, 3, 7, 0, 0));
    /* after 2037 only the footer rule ("EST5EDT,M3.2.0,M11.1.0") knows: 2100-03-14 is the
     * second Sunday of March 2100, 2100-11-07 the first Sunday of November */
    CHECK_INT(enc_tz_offset(ny, utc(2040, 7, 1, 12, 0, 0)), -4 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2040, 1, 1, 12, 0, 0)), -5 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2100, 3, 14, 6, 59, 59)), -5 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2100, 3, 14, 7, 0, 0)), -4 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2100, 11, 7, 5, 59, 59)), -4 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2100, 11, 7, 6, 0, 0)), -5 * 3600);
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2100, 3, 14, 2, 30, 0)), utc(2100, 3, 14, 7, 30, 0));
    CHECK_INT(enc_tz_local_to_utc(ny, utc(2100, 11, 7, 1, 30, 0)), utc(2100, 11, 7, 5, 30, 0));
    /* before the 2007 US rule change: first Sunday of April 2006 */
    CHECK_INT(enc_tz_offset(ny, utc(2006, 4, 2, 6, 59, 59)), -5 * 3600);
    CHECK_INT(enc_tz_offset(ny, utc(2006, 4, 2, 7, 0, 0)), -4 * 3600);
    enc_tz_free(ny);
}

static void london_and_shanghai(void)
{
    enc_tz *lon = load("Europe/London");
    if (lon) {
        /* BST from 2024-03-31 01:00Z to 2024-10-27 01:00Z */
        CHECK_INT(enc_tz_offset(lon, utc(2024, 3, 31, 0, 59, 59)), 0);
        CHECK_INT(enc_tz_offset(lon, utc(2024, 3, 31, 1, 0, 0)), 3600);
        CHECK_INT(enc_tz_offset(lon, utc(2024, 10, 27, 0, 59, 59)), 3600);
        CHECK_INT(enc_tz_offset(lon, utc(2024, 10, 27, 1, 0, 0)), 0);
        CHECK_INT(enc_tz_local_to_utc(lon, utc(2024, 3, 31, 1, 30, 0)), utc(2024, 3, 31, 1, 30, 0));
        CHECK_INT(enc_tz_local_to_utc(lon, utc(2024, 10, 27, 1, 30, 0)),
                  utc(2024, 10, 27, 0, 30, 0));
        /* the Online Retail data: 2010-12-01 08:26 London is 08:26Z */
        CHECK_INT(enc_tz_local_to_utc(lon, utc(2010, 12, 1, 8, 26, 0)), utc(2010, 12, 1, 8, 26, 0));
        CHECK_INT(enc_tz_offset(lon, utc(2060, 7, 1, 0, 0, 0)), 3600);
        enc_tz_free(lon);
    }
    enc_tz *sh = load("Asia/Shanghai");
    if (sh) {
        CHECK_INT(enc_tz_offset(sh, utc(2024, 3, 5, 2, 20, 30)), 8 * 3600);
        CHECK_INT(enc_tz_offset(sh, utc(2090, 7, 1, 0, 0, 0)), 8 * 3600);
        CHECK_INT(enc_tz_local_to_utc(sh, utc(2024, 3, 5, 10, 20, 30)), utc(2024, 3, 5, 2, 20, 30));
        /* China kept DST from 1986 to 1991: 1988-07-01 was +09:00 */
        CHECK_INT(enc_tz_offset(sh, utc(1988, 7, 1, 0, 0, 0)), 9 * 3600);
        enc_tz_free(sh);
    }
}

/* offset and wall time of glibc's localtime_r for zone name at t */
static long oracle_off(time_t t)
{
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
}

/* For many zones, northern and southern, half-hour and 45-minute, negative DST (Dublin),
 * rule changes: offsets every ~10 hours (pseudo-random) from 1900 to 2100 against glibc, and
 * local_to_utc inverts offset: u = local_to_utc(t + off(t)) shows the same wall time and is
 * never later than t (earliest in an overlap). */
static void sweep_vs_glibc(void)
{
    const char *zones[] = {
        "America/New_York",  "Europe/London",     "Asia/Shanghai",   "Australia/Sydney",
        "America/Sao_Paulo", "Asia/Kolkata",      "Pacific/Chatham", "America/St_Johns",
        "Europe/Dublin",     "Africa/Casablanca", "Asia/Tehran",     "Pacific/Apia",
        "America/Santiago",  "Europe/Moscow",     "Asia/Kathmandu",  "Etc/GMT+8"};
    char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    long bad = 0, badinv = 0, n = 0;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        enc_tz *tz = load(zones[z]);
        if (!tz) continue;
        setenv("TZ", zones[z], 1);
        tzset();
        int64_t t = utc(1900, 1, 1, 0, 0, 0), end = utc(2100, 12, 31, 0, 0, 0);
        unsigned seed = 99u + (unsigned)z;
        while (t < end) {
            seed = seed * 1103515245u + 12345u;
            t += 3600 + (seed >> 8) % 68400;
            int off = enc_tz_offset(tz, t);
            long want = oracle_off((time_t)t);
            if (off != want) {
                if (bad < 5)
                    fprintf(stderr, "  %s at %lld: %d, glibc %ld\n", zones[z], (long long)t, off,
                            want);
                bad++;
            }
            int64_t local = t + off;
            int64_t u = enc_tz_local_to_utc(tz, local);
            if (u + enc_tz_offset(tz, u) != local || u > t) badinv++;
            n++;
        }
        enc_tz_free(tz);
    }
    if (saved) setenv("TZ", saved, 1);
    else unsetenv("TZ");
    tzset();
    free(saved);
    CHECK_INT(bad, 0);
    CHECK_INT(badinv, 0);
    CHECK(n > 1000000);
}

static void tzif_malformed(void)
{
    enc_tz *tz;
    enc_err err = {0};
    CHECK_INT(enc_tz_from_tzif("", 0, "x", &tz, &err), ENC_EPARSE);
    CHECK_INT(enc_tz_from_tzif("TZif2", 5, "x", &tz, &err), ENC_EPARSE);
    /* a real file cut at every length must be refused cleanly, never read past its end */
    FILE *f = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    CHECK(f != NULL);
    if (!f) return;
    unsigned char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    CHECK_INT(enc_tz_from_tzif(buf, n, "ny", &tz, &err), ENC_OK);
    enc_tz_free(tz);
    long accepted = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char *cut = malloc(k ? k : 1);
        memcpy(cut, buf, k);
        if (enc_tz_from_tzif(cut, k, "cut", &tz, &err) == ENC_OK) {
            accepted++;
            enc_tz_free(tz);
        }
        free(cut);
    }
    CHECK_INT(accepted, 0);
    /* a v1-only file: the v2 header's version byte zeroed reads the 32-bit block */
    unsigned char v1[8192];
    memcpy(v1, buf, n);
    v1[4] = 0;
    CHECK_INT(enc_tz_from_tzif(v1, n, "v1", &tz, &err), ENC_OK);
    if (tz) {
        CHECK_INT(enc_tz_offset(tz, utc(2024, 7, 1, 0, 0, 0)), -4 * 3600);
        enc_tz_free(tz);
    }
}

/* enc_time_parse, the parser of every time option: each accepted form against timegm, and the
 * malformed ones refused */
static void time_parse_forms(void)
{
    static const struct {
        const char *in;
        int y, m, d, hh, mi, ss, off_min;
        bool timed;
    } ok[] = {
        {"2026-01-01", 2026, 1, 1, 0, 0, 0, 0, false},
        {"2026-01-01 10:00", 2026, 1, 1, 10, 0, 0, 0, true},
        {"2026-01-01T10:00", 2026, 1, 1, 10, 0, 0, 0, true},
        {"2026-01-01 10:00:07", 2026, 1, 1, 10, 0, 7, 0, true},
        {"2026-01-01T10:00:00Z", 2026, 1, 1, 10, 0, 0, 0, true},
        {"2026-01-01T10:00Z", 2026, 1, 1, 10, 0, 0, 0, true},
        {"2026-01-01T18:00:00+08:00", 2026, 1, 1, 18, 0, 0, 480, true},
        {"2026-01-01T18:00:00+0800", 2026, 1, 1, 18, 0, 0, 480, true},
        {"2025-12-31 19:30-05", 2025, 12, 31, 19, 30, 0, -300, true},
        {"2024-02-29 23:59:59.999", 2024, 2, 29, 23, 59, 59, 0, true},
        {"1900-03-01", 1900, 3, 1, 0, 0, 0, 0, false},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        struct tm tm = {.tm_year = ok[i].y - 1900,
                        .tm_mon = ok[i].m - 1,
                        .tm_mday = ok[i].d,
                        .tm_hour = ok[i].hh,
                        .tm_min = ok[i].mi,
                        .tm_sec = ok[i].ss};
        int64_t want = (int64_t)timegm(&tm) - ok[i].off_min * 60, got = -1;
        bool timed = !ok[i].timed;
        CHECK_MSG(enc_time_parse(ok[i].in, &got, &timed), "'%s' refused", ok[i].in);
        CHECK_MSG(got == want, "'%s': %lld, want %lld", ok[i].in, (long long)got, (long long)want);
        CHECK_MSG(timed == ok[i].timed, "'%s': has_time %d", ok[i].in, timed);
    }
    int64_t t;
    CHECK(enc_time_parse("1767261600", &t, NULL));
    CHECK_INT(t, 1767261600);
    CHECK(enc_time_parse("0", &t, NULL));
    CHECK_INT(t, 0);
    static const char *bad[] = {
        "",
        "2026-02-30",
        "2026-13-01",
        "2026-1-01",
        "2026-01-01 24:00",
        "2026-01-01 10:60",
        "2026-01-01 10",
        "2026-01-01 10:00:60",
        "2026-01-01x",
        "2026-01-01Z",
        "2026-01-01 10:00 ",
        " 2026-01-01",
        "01/01/2026",
        "2026-01-01T10:00:00+15:00",
        "2026-01-01T10:00:00+08:0",
        "2026-01-01 10:00:00.",
        "1234567890123",
        "-5",
        "999-01-01",
        "2026-01-01 10:00:00.1234567890",
        "tomorrow",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(!enc_time_parse(bad[i], &t, NULL), "'%s' accepted as %lld", bad[i], (long long)t);
    CHECK(!enc_time_parse(NULL, &t, NULL));
}

int main(void)
{
    RUN(civil_known_values);
    RUN(civil_round_trip_vs_glibc);
    RUN(date_valid);
    RUN(formatting);
    RUN(fixed_offsets);
    RUN(new_york_transitions);
    RUN(london_and_shanghai);
    RUN(sweep_vs_glibc);
    RUN(tzif_malformed);
    RUN(time_parse_forms);
    return TEST_SUMMARY();
}
