/* test_clean.c — unit tests for src/ingest/clean.c: each cleaner with tricky inputs and every
 * reject reason, plus differential tests against Python (decimal.Decimal with ROUND_HALF_UP for
 * fixed-point rounding; datetime + zoneinfo with fold=0 for local times in gaps and overlaps). */
#include "harness.h"
#include "ingest/clean.h"
#include <stdbool.h>

#define S(lit) lit, sizeof(lit) - 1

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return enc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static void trim_and_utf8(void)
{
    const char *s = " \t\xC2\xA0\xE3\x80\x80 abc \xE3\x80\x80\xC2\xA0\r\n";
    size_t n = strlen(s);
    enc_trim(&s, &n);
    CHECK_INT(n, 3);
    CHECK(memcmp(s, "abc", 3) == 0);
    s = "\xC2\xA0";
    n = 2;
    enc_trim(&s, &n);
    CHECK_INT(n, 0);
    s = "\xE4\xB8\xA0"; /* 丠 ends in A0 but is no NBSP */
    n = 3;
    enc_trim(&s, &n);
    CHECK_INT(n, 3);

    CHECK(enc_utf8_valid(S("plain ascii")));
    CHECK(enc_utf8_valid(S("\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 \xC3\xA9")));
    CHECK(enc_utf8_valid(S("\xEF\xBF\xBF\xF4\x8F\xBF\xBF\xED\x9F\xBF")));
    CHECK(!enc_utf8_valid(S("\xC0\xAF")));         /* overlong '/' */
    CHECK(!enc_utf8_valid(S("\xC1\xBF")));         /* overlong */
    CHECK(!enc_utf8_valid(S("\xE0\x80\xAF")));     /* overlong 3-byte */
    CHECK(!enc_utf8_valid(S("\xF0\x80\x80\xAF"))); /* overlong 4-byte */
    CHECK(!enc_utf8_valid(S("\xED\xA0\x80")));     /* surrogate U+D800 */
    CHECK(!enc_utf8_valid(S("\xED\xBF\xBF")));     /* surrogate U+DFFF */
    CHECK(!enc_utf8_valid(S("\xF4\x90\x80\x80"))); /* U+110000 */
    CHECK(!enc_utf8_valid(S("\xF5\x80\x80\x80")));
    CHECK(!enc_utf8_valid(S("\x80")));         /* lone continuation */
    CHECK(!enc_utf8_valid(S("\xE4\xB8")));     /* truncated */
    CHECK(!enc_utf8_valid(S("\xE4\x41\xAD"))); /* bad continuation */
    CHECK(!enc_utf8_valid(S("\xFF")));
    CHECK(enc_utf8_valid("", 0));
}

static void check_time(const char *in, const enc_tz *tz, int64_t want, int line)
{
    int64_t got = 0;
    const char *why = NULL;
    if (!enc_clean_time(in, strlen(in), tz, &got, &why))
        fprintf(stderr, "  line %d: \"%s\" rejected: %s\n", line, in, why), th_cur_failed++;
    else if (got != want)
        fprintf(stderr, "  line %d: \"%s\": %lld != %lld\n", line, in, (long long)got,
                (long long)want),
            th_cur_failed++;
}
static void check_time_bad(const char *in, const char *reason, int line)
{
    int64_t got = 0;
    const char *why = NULL;
    if (enc_clean_time(in, strlen(in), NULL, &got, &why))
        fprintf(stderr, "  line %d: \"%s\" accepted\n", line, in), th_cur_failed++;
    else if (strcmp(why, reason) != 0)
        fprintf(stderr, "  line %d: \"%s\": \"%s\" != \"%s\"\n", line, in, why, reason),
            th_cur_failed++;
}
#define TIME_OK(in, tz, want) check_time(in, tz, want, __LINE__)
#define TIME_BAD(in, reason) check_time_bad(in, reason, __LINE__)

static void times(void)
{
    int64_t t = utc(2024, 3, 5, 10, 20, 30);
    TIME_OK("2024-03-05T10:20:30Z", NULL, t);
    TIME_OK("2024-03-05T10:20:30.123456Z", NULL, t);
    TIME_OK("2024-03-05T18:20:30+08:00", NULL, t);
    TIME_OK("2024-03-05T18:20:30+0800", NULL, t);
    TIME_OK("2024-03-05T18:20:30+08", NULL, t);
    TIME_OK("2024-03-05 05:20:30 -05:00", NULL, t);
    TIME_OK("2024-03-05 10:20:30 UTC", NULL, t);
    TIME_OK("2024-03-05 10:20:30", NULL, t);
    TIME_OK("  2024-03-05 10:20:30\xC2\xA0", NULL, t);
    TIME_OK("2024-03-05 10:20", NULL, t - 30);
    TIME_OK("2024-03-05", NULL, utc(2024, 3, 5, 0, 0, 0));
    TIME_OK("2024-3-5", NULL, utc(2024, 3, 5, 0, 0, 0));
    TIME_OK("2024/03/05 10:20:30", NULL, t);
    TIME_OK("2024/3/5", NULL, utc(2024, 3, 5, 0, 0, 0));
    TIME_OK("03/05/2024 10:20:30", NULL, t);
    TIME_OK("12/1/2010 8:26", NULL, utc(2010, 12, 1, 8, 26, 0)); /* as Excel writes it */
    TIME_OK("12/1/2010 8:26 PM", NULL, utc(2010, 12, 1, 20, 26, 0));
    TIME_OK("12/1/2010 12:05 am", NULL, utc(2010, 12, 1, 0, 5, 0));
    TIME_OK("12/1/2010 12:05 PM", NULL, utc(2010, 12, 1, 12, 5, 0));
    TIME_OK("20240305", NULL, utc(2024, 3, 5, 0, 0, 0));
    TIME_OK("2024\xE5\xB9\xB4"
            "3\xE6\x9C\x88"
            "5\xE6\x97\xA5",
            NULL, utc(2024, 3, 5, 0, 0, 0));
    TIME_OK("2024\xE5\xB9\xB4"
            "03\xE6\x9C\x88"
            "05\xE6\x97\xA5 10:20:30",
            NULL, t);
    TIME_OK("2024\xE5\xB9\xB4"
            "3\xE6\x9C\x88"
            "5\xE6\x97\xA5"
            "10:20:30",
            NULL, t);
    TIME_OK("1709634030", NULL, t);
    TIME_OK("1709634030999", NULL, t);
    TIME_OK("999999999", NULL, 999999999);
    TIME_OK("2024-02-29 23:59:59", NULL, utc(2024, 2, 29, 23, 59, 59));
    TIME_OK("2000-02-29", NULL, utc(2000, 2, 29, 0, 0, 0));
    /* local times: the zone applies only when the text has no offset */
    enc_tz *sh = NULL, *ny = NULL;
    enc_err err = {0};
    CHECK_INT(enc_tz_load("Asia/Shanghai", &sh, &err), ENC_OK);
    CHECK_INT(enc_tz_load("America/New_York", &ny, &err), ENC_OK);
    if (sh && ny) {
        TIME_OK("2024-03-05 18:20:30", sh, t);
        TIME_OK("2024-03-05T10:20:30Z", sh, t);
        TIME_OK("1709634030", sh, t);
        TIME_OK("2024-03-10 02:30", ny, utc(2024, 3, 10, 7, 30, 0)); /* gap: moved forward */
        TIME_OK("2024-11-03 01:30", ny, utc(2024, 11, 3, 5, 30, 0)); /* overlap: earlier */
        TIME_OK("12/1/2010 8:26", ny, utc(2010, 12, 1, 13, 26, 0));
    }
    enc_tz_free(sh);
    enc_tz_free(ny);

    TIME_BAD("", "empty");
    TIME_BAD("   ", "empty");
    TIME_BAD("yesterday", "not a date");
    TIME_BAD("2023-02-29", "day out of range");
    TIME_BAD("1900-02-29", "day out of range");
    TIME_BAD("2024-04-31", "day out of range");
    TIME_BAD("2024-01-00", "day out of range");
    TIME_BAD("2024-13-01", "month out of range");
    TIME_BAD("2024-00-01", "month out of range");
    TIME_BAD("13/01/2024", "month out of range"); /* day-first is not read */
    TIME_BAD("0000-01-01", "year out of range");
    TIME_BAD("2024-03-05 24:00:00", "hour out of range");
    TIME_BAD("2024-03-05 23:60", "minute out of range");
    TIME_BAD("2024-03-05 23:59:60", "second out of range");
    TIME_BAD("12/1/2010 13:05 PM", "hour out of range");
    TIME_BAD("12/1/2010 0:05 AM", "hour out of range");
    TIME_BAD("2024-03-05T10:20:30+19:00", "bad UTC offset");
    TIME_BAD("2024-03-05T10:20:30+08:60", "bad UTC offset");
    TIME_BAD("2024-03-05T10:20:30+8", "bad UTC offset");
    TIME_BAD("2024-03-05 10", "not a time");
    TIME_BAD("2024-03-05 10:2", "not a time");
    TIME_BAD("2024-03-05T", "not a time");
    TIME_BAD("2024-03-05 10:20:30.", "not a time");
    TIME_BAD("2024-03-05 10:20:30 foo", "trailing text");
    TIME_BAD("2024-03-05x", "not a date");
    TIME_BAD("2024/03-05", "not a date");
    TIME_BAD("2024/03/05T10:20", "not a date"); /* T only in the ISO form */
    TIME_BAD("05.03.2024", "not a date");
    TIME_BAD("12/1/10", "not a date");
    TIME_BAD("12/1/20101", "not a date");
    TIME_BAD("2024030", "not a date");
    TIME_BAD("12345678901", "not a date");
    TIME_BAD("20241305", "month out of range");
    TIME_BAD("2024\xE5\xB9\xB4"
             "3\xE6\x9C\x88",
             "not a date");
}

static void dates(void)
{
    int y, m, d;
    const char *why;
    CHECK(enc_clean_date(S("1990-05-04"), &y, &m, &d, &why) && y == 1990 && m == 5 && d == 4);
    CHECK(enc_clean_date(S("1990-05-04 00:00:00"), &y, &m, &d, &why) && d == 4);
    CHECK(enc_clean_date(S("1990-05-04T23:00:00-05:00"), &y, &m, &d, &why) && d == 4);
    CHECK(enc_clean_date(S("5/4/1990"), &y, &m, &d, &why) && m == 5 && d == 4);
    CHECK(enc_clean_date(S("19900504"), &y, &m, &d, &why) && y == 1990);
    CHECK(enc_clean_date(S("1990\xE5\xB9\xB4"
                           "5\xE6\x9C\x88"
                           "4\xE6\x97\xA5"),
                         &y, &m, &d, &why) &&
          m == 5);
    CHECK(!enc_clean_date(S("1709634030"), &y, &m, &d, &why));
    CHECK_STR(why, "not a date");
    CHECK(!enc_clean_date(S("1991-02-29"), &y, &m, &d, &why));
    CHECK_STR(why, "day out of range");
    CHECK(!enc_clean_date(S("1990-05-04 25:00"), &y, &m, &d, &why));
    CHECK_STR(why, "hour out of range");
}

static void check_dec(const char *in, int scale, int64_t want, int line)
{
    int64_t got = 0;
    const char *why = NULL;
    if (!enc_clean_decimal(in, strlen(in), scale, &got, &why))
        fprintf(stderr, "  line %d: \"%s\" rejected: %s\n", line, in, why), th_cur_failed++;
    else if (got != want)
        fprintf(stderr, "  line %d: \"%s\": %lld != %lld\n", line, in, (long long)got,
                (long long)want),
            th_cur_failed++;
}
static void check_dec_bad(const char *in, int scale, const char *reason, int line)
{
    int64_t got = 0;
    const char *why = NULL;
    if (enc_clean_decimal(in, strlen(in), scale, &got, &why))
        fprintf(stderr, "  line %d: \"%s\" accepted as %lld\n", line, in, (long long)got),
            th_cur_failed++;
    else if (strcmp(why, reason) != 0)
        fprintf(stderr, "  line %d: \"%s\": \"%s\" != \"%s\"\n", line, in, why, reason),
            th_cur_failed++;
}
#define DEC_OK(in, scale, want) check_dec(in, scale, want, __LINE__)
#define DEC_BAD(in, scale, reason) check_dec_bad(in, scale, reason, __LINE__)

static void decimals_and_money(void)
{
    DEC_OK("1234.5", 2, 123450);
    DEC_OK("1,234.50", 2, 123450);
    DEC_OK("1,234,567.891", 2, 123456789);
    DEC_OK("\xC2\xA5"
           "1,234.50",
           2, 123450); /* ¥ */
    DEC_OK("\xEF\xBF\xA5"
           "12",
           2, 1200); /* ￥ */
    DEC_OK("$12", 2, 1200);
    DEC_OK("\xE2\x82\xAC"
           "3.5",
           2, 350); /* € */
    DEC_OK("\xC2\xA3"
           "0.99",
           2, 99);                      /* £ */
    DEC_OK("12 \xE5\x85\x83", 2, 1200); /* 元 */
    DEC_OK("12\xE5\x85\x83", 2, 1200);
    DEC_OK("CNY 12.30", 2, 1230);
    DEC_OK("12.30 USD", 2, 1230);
    DEC_OK("USD12.30", 2, 1230);
    DEC_OK("US$ 5", 2, 500);
    DEC_OK("RMB\xC2\xA5"
           "5",
           2, 500);
    DEC_OK("-3.25", 2, -325);
    DEC_OK("+3.25", 2, 325);
    DEC_OK("\xE2\x88\x92"
           "3.25",
           2, -325); /* U+2212 */
    DEC_OK("-$3.25", 2, -325);
    DEC_OK("$-3.25", 2, -325);
    DEC_OK("(12.00)", 2, -1200);
    DEC_OK("($1,200.00)", 2, -120000);
    DEC_OK(" 7 ", 0, 7);
    DEC_OK(".5", 2, 50);
    DEC_OK("5.", 2, 500);
    DEC_OK("0.005", 2, 1); /* half away from zero */
    DEC_OK("-0.005", 2, -1);
    DEC_OK("0.00499999", 2, 0);
    DEC_OK("2.675", 2, 268); /* exact: a double would say 2.67499999... */
    DEC_OK("1.5", 0, 2);
    DEC_OK("-2.5", 0, -3);
    DEC_OK("-0", 2, 0);
    DEC_OK("0001.10", 3, 1100);
    DEC_OK("9223372036854775807", 0, INT64_MAX);
    DEC_OK("-9223372036854775807", 0, -INT64_MAX);
    DEC_OK("92233720368547758.07", 2, INT64_MAX);
    DEC_OK("0.000000000000000001", 18, 1);
    DEC_BAD("", 2, "empty");
    DEC_BAD("  ", 2, "empty");
    DEC_BAD("1.2e3", 2, "exponent not accepted");
    DEC_BAD("1E-2", 2, "exponent not accepted");
    DEC_BAD("1,2,3", 2, "misplaced thousands separator");
    DEC_BAD("12,34", 2, "misplaced thousands separator");
    DEC_BAD("1234,567", 2, "misplaced thousands separator");
    DEC_BAD(",123", 2, "misplaced thousands separator");
    DEC_BAD("1,234,", 2, "misplaced thousands separator");
    DEC_BAD("12,50", 2, "misplaced thousands separator"); /* decimal comma is not read */
    DEC_BAD("9223372036854775808", 0, "number too large");
    DEC_BAD("92233720368547758.08", 2, "number too large");
    DEC_BAD("92233720368547758.075", 2, "number too large"); /* rounding overflows */
    DEC_BAD("99999999999999999999999", 0, "number too large");
    DEC_BAD("1", 19, "bad scale");
    DEC_BAD("-", 2, "not a number");
    DEC_BAD("$", 2, "not a number");
    DEC_BAD(".", 2, "not a number");
    DEC_BAD("abc", 2, "not a number");
    DEC_BAD("12abc", 2, "not a number");
    DEC_BAD("12 usd", 2, "not a number");
    DEC_BAD("1.2.3", 2, "not a number");
    DEC_BAD("--1", 2, "not a number");
    DEC_BAD("12-", 2, "not a number");
    DEC_BAD("(-12)", 2, "bad sign");
    DEC_BAD("1 234", 2, "not a number");
    DEC_BAD("NaN", 2, "not a number");

    int64_t v;
    const char *why;
    CHECK(enc_clean_money(S("\xC2\xA5"
                            "1,234.5"),
                          2, &v, &why) &&
          v == 123450);
    CHECK(enc_clean_money(S("1500"), 0, &v, &why) && v == 1500);
    CHECK(enc_clean_money(S("1.2345"), 3, &v, &why) && v == 1235);
    CHECK_INT(enc_currency_digits("JPY"), 0);
    CHECK_INT(enc_currency_digits("krw"), 0);
    CHECK_INT(enc_currency_digits("KWD"), 3);
    CHECK_INT(enc_currency_digits("CNY"), 2);
    CHECK_INT(enc_currency_digits("GBP"), 2);
    CHECK_INT(enc_currency_digits(NULL), 2);
    CHECK_INT(enc_currency_digits("JP"), 2);
    CHECK_INT(enc_currency_digits("PY "), 2);
}

static void integers(void)
{
    int64_t v = 0;
    const char *why = NULL;
    CHECK(enc_clean_int(S("6"), &v, &why) && v == 6);
    CHECK(enc_clean_int(S("-3"), &v, &why) && v == -3);
    CHECK(enc_clean_int(S("+2"), &v, &why) && v == 2);
    CHECK(enc_clean_int(S("6.0"), &v, &why) && v == 6);
    CHECK(enc_clean_int(S("6.000"), &v, &why) && v == 6);
    CHECK(enc_clean_int(S("1,000"), &v, &why) && v == 1000);
    CHECK(enc_clean_int(S(" 80995 "), &v, &why) && v == 80995);
    CHECK(enc_clean_int(S("-80995"), &v, &why) && v == -80995);
    CHECK(!enc_clean_int(S("6.5"), &v, &why));
    CHECK_STR(why, "not a whole number");
    CHECK(!enc_clean_int(S("6.01"), &v, &why));
    CHECK_STR(why, "not a whole number");
    CHECK(!enc_clean_int(S("$6"), &v, &why));
    CHECK_STR(why, "not a number");
    CHECK(!enc_clean_int(S("(6)"), &v, &why));
    CHECK_STR(why, "not a number");
    CHECK(!enc_clean_int(S("6 USD"), &v, &why));
    CHECK_STR(why, "not a number");
    CHECK(!enc_clean_int(S(""), &v, &why));
    CHECK_STR(why, "empty");
    CHECK(!enc_clean_int(S("1e3"), &v, &why));
    CHECK_STR(why, "exponent not accepted");
    CHECK(!enc_clean_int(S("1,00"), &v, &why));
    CHECK_STR(why, "misplaced thousands separator");
    CHECK(!enc_clean_int(S("99999999999999999999"), &v, &why));
    CHECK_STR(why, "number too large");
}

static void check_email(const char *in, const char *want, int line)
{
    char out[300];
    const char *why = NULL;
    bool ok = enc_clean_email(in, strlen(in), out, sizeof out, &why);
    if (want[0] == '!') {
        if (ok) fprintf(stderr, "  line %d: \"%s\" accepted\n", line, in), th_cur_failed++;
        else if (strcmp(why, want + 1) != 0)
            fprintf(stderr, "  line %d: \"%s\": \"%s\" != \"%s\"\n", line, in, why, want + 1),
                th_cur_failed++;
    } else if (!ok) {
        fprintf(stderr, "  line %d: \"%s\" rejected: %s\n", line, in, why), th_cur_failed++;
    } else if (strcmp(out, want) != 0) {
        fprintf(stderr, "  line %d: \"%s\": \"%s\" != \"%s\"\n", line, in, out, want),
            th_cur_failed++;
    }
}
#define EMAIL(in, want) check_email(in, want, __LINE__)

static void emails(void)
{
    EMAIL("  Zhang.San@QQ.com ", "zhang.san@qq.com");
    EMAIL("a+tag@mail.example.co.uk", "a+tag@mail.example.co.uk");
    EMAIL("mailto:Bob@Example.ORG", "bob@example.org");
    EMAIL("o'brien_x-y@my-site.io", "o'brien_x-y@my-site.io");
    EMAIL("user@xn--fiqs8s.xn--fiqs8s", "user@xn--fiqs8s.xn--fiqs8s");
    EMAIL("\xE5\xBC\xA0\xE4\xB8\x89@example.cn", "\xE5\xBC\xA0\xE4\xB8\x89@example.cn");
    EMAIL("", "!empty");
    EMAIL("plainaddress", "!no @");
    EMAIL("a@b@c.com", "!more than one @");
    EMAIL("@example.com", "!empty local part");
    EMAIL("a@", "!no domain");
    EMAIL("a@localhost", "!domain has no dot");
    EMAIL("a b@example.com", "!bad character in local part");
    EMAIL("a\"b@example.com", "!bad character in local part");
    EMAIL("\xC0\xAF@example.com", "!bad character in local part");
    EMAIL(".a@example.com", "!misplaced dot in local part");
    EMAIL("a.@example.com", "!misplaced dot in local part");
    EMAIL("a..b@example.com", "!misplaced dot in local part");
    EMAIL("a@example..com", "!bad domain");
    EMAIL("a@.example.com", "!bad domain");
    EMAIL("a@example.com.", "!bad domain");
    EMAIL("a@-example.com", "!bad domain");
    EMAIL("a@example-.com", "!bad domain");
    EMAIL("a@exa_mple.com", "!bad domain");
    EMAIL("a@example,com", "!domain has no dot");
    EMAIL("a@ex,ample.com", "!bad domain");
    EMAIL("a@[1.2.3.4]", "!bad domain");
    EMAIL("a@example.c", "!bad top-level domain");
    EMAIL("a@example.123", "!bad top-level domain");
    EMAIL("a@\xE4\xBE\x8B\xE5\xAD\x90.com", "!bad domain");
    char big[400];
    memset(big, 'a', sizeof big);
    memcpy(big + 65, "@example.com", 13);
    EMAIL(big, "!local part too long");
    memset(big, 'a', sizeof big);
    big[10] = '@';
    memcpy(big + 300, ".com", 5);
    EMAIL(big, "!too long");
    char small[8];
    const char *why;
    char nul[] = "ab\0c@example.com"; /* strchr(set, 0) would match the terminator */
    CHECK(!enc_clean_email(nul, sizeof nul - 1, big, sizeof big, &why));
    CHECK_STR(why, "bad character in local part");
    CHECK(!enc_clean_email(S("abc@example.com"), small, sizeof small, &why));
    CHECK_STR(why, "too long");
}

static void check_phone(const char *in, const char *cc, const char *want, int line)
{
    char out[32];
    const char *why = NULL;
    bool ok = enc_clean_phone(in, strlen(in), cc, out, sizeof out, &why);
    if (want[0] == '!') {
        if (ok)
            fprintf(stderr, "  line %d: \"%s\" accepted as %s\n", line, in, out), th_cur_failed++;
        else if (strcmp(why, want + 1) != 0)
            fprintf(stderr, "  line %d: \"%s\": \"%s\" != \"%s\"\n", line, in, why, want + 1),
                th_cur_failed++;
    } else if (!ok) {
        fprintf(stderr, "  line %d: \"%s\" rejected: %s\n", line, in, why), th_cur_failed++;
    } else if (strcmp(out, want) != 0) {
        fprintf(stderr, "  line %d: \"%s\": \"%s\" != \"%s\"\n", line, in, out, want),
            th_cur_failed++;
    }
}
#define PHONE(in, cc, want) check_phone(in, cc, want, __LINE__)

static void phones(void)
{
    PHONE("13812345678", NULL, "+8613812345678");
    PHONE("138-1234-5678", NULL, "+8613812345678");
    PHONE("138 1234 5678", "1", "+8613812345678"); /* a Chinese mobile whatever the default */
    PHONE("8613812345678", NULL, "+8613812345678");
    PHONE("+86 138 1234 5678", NULL, "+8613812345678");
    PHONE("0086 138 1234 5678", NULL, "+8613812345678");
    PHONE("\xEF\xBC\x8B\xEF\xBC\x98\xEF\xBC\x96 13812345678", NULL, "+8613812345678"); /* ＋８６ */
    PHONE("tel:+1-212-555-0100", NULL, "+12125550100");
    PHONE("(212) 555-0100", "1", "+12125550100");
    PHONE("1 (212) 555-0100", "1", "+12125550100");
    PHONE("212.555.0100", "+1", "+12125550100");
    PHONE("020 7946 0958", "44", "+442079460958");       /* trunk 0 dropped */
    PHONE("010-12345678", "86", "+861012345678");        /* Beijing landline */
    PHONE("06 6982 0000", "39", "+390669820000");        /* Italy keeps its 0 */
    PHONE("+44 (0)20 7946 0958", NULL, "+442079460958"); /* (0): optional trunk prefix */
    PHONE("(0)20 7946 0958", "44", "+442079460958");
    /* issue 12: an international number written without '+' is not prefixed twice */
    PHONE("447700900123", "44", "+447700900123");
    PHONE("7700 900123", "44", "+447700900123");
    PHONE("07700 900123", "44", "+447700900123");
    PHONE("493012345678", "49", "+493012345678");
    PHONE("", NULL, "!empty");
    PHONE("()-", NULL, "!no digits");
    PHONE("2125550100", NULL, "!no country code");
    PHONE("2125550100", "x1", "!bad default country code");
    PHONE("2125550100", "0", "!bad default country code");
    PHONE("2125550100", "1234", "!bad default country code");
    PHONE("555 0100 ext 7", "1", "!bad character");
    PHONE("12#34", "1", "!bad character");
    PHONE("1+2125550100", "1", "!misplaced +");
    PHONE("++12125550100", "1", "!misplaced +");
    PHONE("+0123456789", NULL, "!bad country code");
    PHONE("+1234567", NULL, "!too short");
    PHONE("+1234567890123456", NULL, "!too long");
    PHONE("123456789012345678901234567", NULL, "!too long");
    PHONE("+86 138 1234 567", NULL, "!bad Chinese mobile number");
    PHONE("0", "44", "!too short");
    char tiny[5];
    const char *why;
    CHECK(!enc_clean_phone(S("13812345678"), NULL, tiny, sizeof tiny, &why));
    CHECK_STR(why, "output too small");
}

static void ids_and_genders(void)
{
    char out[200];
    const char *why;
    CHECK(enc_clean_id(S("17850.0"), out, sizeof out, &why));
    CHECK_STR(out, "17850");
    CHECK(enc_clean_id(S(" 17850.000 "), out, sizeof out, &why));
    CHECK_STR(out, "17850");
    CHECK(enc_clean_id(S("17850.5"), out, sizeof out, &why));
    CHECK_STR(out, "17850.5");
    CHECK(enc_clean_id(S("00017"), out, sizeof out, &why));
    CHECK_STR(out, "00017");
    CHECK(enc_clean_id(S("85123A"), out, sizeof out, &why));
    CHECK_STR(out, "85123A");
    CHECK(enc_clean_id(S("C536379"), out, sizeof out, &why));
    CHECK_STR(out, "C536379");
    CHECK(enc_clean_id(S("\xE4\xBC\x9A\xE5\x91\x98-7"), out, sizeof out, &why));
    CHECK_STR(out, "\xE4\xBC\x9A\xE5\x91\x98-7");
    CHECK(!enc_clean_id(S("  "), out, sizeof out, &why));
    CHECK_STR(why, "empty");
    CHECK(!enc_clean_id(S("a\tb"), out, sizeof out, &why));
    CHECK_STR(why, "control character");
    CHECK(!enc_clean_id(S("a\x7f"), out, sizeof out, &why));
    CHECK_STR(why, "control character");
    CHECK(!enc_clean_id(S("a\xC2\x85"), out, sizeof out, &why)); /* U+0085 NEL */
    CHECK_STR(why, "control character");
    CHECK(!enc_clean_id(S("ab\xFF"), out, sizeof out, &why));
    CHECK_STR(why, "not UTF-8");
    CHECK(!enc_clean_id(S("ab\xED\xA0\x80"), out, sizeof out, &why));
    CHECK_STR(why, "not UTF-8");
    char big[200];
    memset(big, 'x', sizeof big);
    CHECK(enc_clean_id(big, 128, out, sizeof out, &why));
    CHECK(!enc_clean_id(big, 129, out, sizeof out, &why));
    CHECK_STR(why, "too long");
    CHECK(!enc_clean_id(S("123456"), out, 4, &why));
    CHECK_STR(why, "too long");

    CHECK_INT(enc_clean_gender(S("M")), 'm');
    CHECK_INT(enc_clean_gender(S(" Male ")), 'm');
    CHECK_INT(enc_clean_gender(S("MAN")), 'm');
    CHECK_INT(enc_clean_gender(S("\xE7\x94\xB7")), 'm');             /* 男 */
    CHECK_INT(enc_clean_gender(S("\xE5\x85\x88\xE7\x94\x9F")), 'm'); /* 先生 */
    CHECK_INT(enc_clean_gender(S("1")), 'm');
    CHECK_INT(enc_clean_gender(S("f")), 'f');
    CHECK_INT(enc_clean_gender(S("Female")), 'f');
    CHECK_INT(enc_clean_gender(S("woman")), 'f');
    CHECK_INT(enc_clean_gender(S("\xE5\xA5\xB3")), 'f');             /* 女 */
    CHECK_INT(enc_clean_gender(S("\xE5\xA5\xB3\xE5\xA3\xAB")), 'f'); /* 女士 */
    CHECK_INT(enc_clean_gender(S("2")), 'f');
    CHECK_INT(enc_clean_gender(S("")), 0);
    CHECK_INT(enc_clean_gender(S("unknown")), 0);
    CHECK_INT(enc_clean_gender(S("3")), 0);
    CHECK_INT(enc_clean_gender(S("mal")), 0);
    CHECK_INT(enc_clean_gender(S("m\0")), 0);
}

static bool have_python(void)
{
    if (access("/usr/bin/python3", X_OK) == 0) return true;
    th_skip("/usr/bin/python3 missing");
    return false;
}

/* Random decimal texts (signs, grouping, long fractions, scales 0..6) against Python's
 * decimal module: quantize(..., ROUND_HALF_UP) is round half away from zero. */
static void decimal_vs_python(void)
{
    if (!have_python()) return;
    enum { N = 3000 };
    char path[512], cmd[1400];
    snprintf(path, sizeof path, "%s/dec.in", th_tmpdir());
    FILE *f = fopen(path, "w");
    unsigned seed = 4242;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
    for (int i = 0; i < N; i++) {
        char s[64];
        int k = 0, scale = (int)(RND() % 7);
        if (RND() % 3 == 0) s[k++] = '-';
        int il = (int)(RND() % 16);
        bool group = RND() % 4 == 0;
        for (int j = 0; j < il; j++) {
            if (group && j > 0 && (il - j) % 3 == 0) s[k++] = ',';
            s[k++] = (char)('0' + (j == 0 && il > 1 ? 1 + RND() % 9 : RND() % 10));
        }
        int fl = (int)(RND() % 10);
        if (il == 0 && fl == 0) fl = 1;
        if (fl) s[k++] = '.';
        for (int j = 0; j < fl; j++) s[k++] = (char)('0' + (RND() % 4 == 0 ? 5 : RND() % 10));
        s[k] = 0;
        fprintf(f, "%d %s\n", scale, s);
    }
#undef RND
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c '\n"
             "import decimal, sys\n"
             "decimal.getcontext().prec = 100\n"
             "for line in open(sys.argv[1]):\n"
             "    sc, s = line.split()\n"
             "    d = decimal.Decimal(s.replace(\",\", \"\")).scaleb(int(sc))\n"
             "    q = int(d.quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))\n"
             "    print(q if -2**63 < q < 2**63 else \"overflow\")\n"
             "' %s > %s.out",
             path, path);
    CHECK_INT(system(cmd), 0);
    char opath[600];
    snprintf(opath, sizeof opath, "%s.out", path);
    FILE *in = fopen(path, "r"), *want = fopen(opath, "r");
    CHECK(in && want);
    if (!in || !want) return;
    int compared = 0, bad = 0;
    char line[128], wl[64];
    while (fgets(line, sizeof line, in) && fgets(wl, sizeof wl, want)) {
        int scale = atoi(line);
        char *s = strchr(line, ' ') + 1;
        s[strcspn(s, "\n")] = 0;
        wl[strcspn(wl, "\n")] = 0;
        int64_t v = 0;
        const char *why = NULL;
        bool ok = enc_clean_decimal(s, strlen(s), scale, &v, &why);
        char got[64];
        if (ok) snprintf(got, sizeof got, "%lld", (long long)v);
        else snprintf(got, sizeof got, "%s", strcmp(why, "number too large") ? why : "overflow");
        if (strcmp(got, wl) != 0) {
            if (bad < 5) fprintf(stderr, "  %s (scale %d): %s, python %s\n", s, scale, got, wl);
            bad++;
        }
        compared++;
    }
    fclose(in);
    fclose(want);
    CHECK_INT(bad, 0);
    CHECK_INT(compared, N);
}

/* Local wall times in New York and London, many near DST changes, against Python's zoneinfo
 * (fold=0: the earlier instant in an overlap, the pre-transition offset in a gap, PEP 495). */
static void local_times_vs_python(void)
{
    if (!have_python()) return;
    enum { N = 4000 };
    char path[512], cmd[1400];
    snprintf(path, sizeof path, "%s/lt.in", th_tmpdir());
    FILE *f = fopen(path, "w");
    unsigned seed = 77;
    const char *zones[] = {"America/New_York", "Europe/London", "Australia/Sydney"};
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        int y = 1975 + (int)((seed >> 16) % 90); /* up to 2064: past 2037, the footer's years */
        seed = seed * 1103515245u + 12345u;
        int mo = 1 + (int)((seed >> 16) % 12);
        /* half the cases on the Sundays of March, April, October and November, 0-3 a.m. */
        if (i % 2) mo = (int[]){3, 4, 10, 11}[(seed >> 8) % 4];
        seed = seed * 1103515245u + 12345u;
        int d = 1 + (int)((seed >> 16) % 28), h = (int)((seed >> 4) % 24), mi = (int)(seed % 60);
        if (i % 2) h = (int)((seed >> 4) % 4);
        fprintf(f, "%s %04d-%02d-%02d %02d:%02d:00\n", zones[i % 3], y, mo, d, h, mi);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c '\n"
             "import sys, datetime, zoneinfo\n"
             "for line in open(sys.argv[1]):\n"
             "    z, d, t = line.split()\n"
             "    dt = datetime.datetime.fromisoformat(d + \" \" + "
             "t).replace(tzinfo=zoneinfo.ZoneInfo(z), fold=0)\n"
             "    print(int(dt.timestamp()))\n"
             "' %s > %s.out",
             path, path);
    CHECK_INT(system(cmd), 0);
    char opath[600];
    snprintf(opath, sizeof opath, "%s.out", path);
    FILE *in = fopen(path, "r"), *want = fopen(opath, "r");
    CHECK(in && want);
    if (!in || !want) return;
    enc_tz *tzs[3] = {0};
    enc_err err = {0};
    for (int z = 0; z < 3; z++) CHECK_INT(enc_tz_load(zones[z], &tzs[z], &err), ENC_OK);
    int compared = 0, bad = 0;
    char line[128], wl[64];
    for (int i = 0; fgets(line, sizeof line, in) && fgets(wl, sizeof wl, want); i++) {
        char *s = strchr(line, ' ') + 1;
        s[strcspn(s, "\n")] = 0;
        int64_t v = 0;
        const char *why = NULL;
        if (!enc_clean_time(s, strlen(s), tzs[i % 3], &v, &why)) {
            bad++;
            continue;
        }
        if (v != atoll(wl)) {
            if (bad < 5)
                fprintf(stderr, "  %s %s: %lld, python %s", zones[i % 3], s, (long long)v, wl);
            bad++;
        }
        compared++;
    }
    for (int z = 0; z < 3; z++) enc_tz_free(tzs[z]);
    fclose(in);
    fclose(want);
    CHECK_INT(bad, 0);
    CHECK_INT(compared, N);
}

int main(void)
{
    RUN(trim_and_utf8);
    RUN(times);
    RUN(dates);
    RUN(decimals_and_money);
    RUN(integers);
    RUN(emails);
    RUN(phones);
    RUN(ids_and_genders);
    RUN(decimal_vs_python);
    RUN(local_times_vs_python);
    return TEST_SUMMARY();
}
