/* test_json.c — src/base/json.c: the JSON writer (nesting, escapes, numbers, money). */
#include "harness.h"
#include "base/buf.h"
#include "base/json.h"

static void json_writer_nesting_and_escapes(void)
{
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_kint(&w, "n", -3);
    enc_jw_kstr(&w, "s", "a\"b\\c\n\x01é");
    enc_jw_key(&w, "arr");
    enc_jw_arr(&w);
    enc_jw_num(&w, 0.1);
    enc_jw_num(&w, 1.0 / 0.0);
    enc_jw_money(&w, 891140790, 2);
    enc_jw_money(&w, -5, 2);
    enc_jw_obj(&w);
    enc_jw_end(&w);
    enc_jw_end(&w);
    enc_jw_kstr(&w, "null", NULL);
    enc_jw_end(&w);
    CHECK_STR(b.p,
              "{\"n\":-3,\"s\":\"a\\\"b\\\\c\\n\\u0001é\",\"arr\":[0.1,null,8911407.90,-0.05,{}],"
              "\"null\":null}");
    enc_buf_free(&b);
}

static void json_lists(void)
{
    char buf[256];
    const char *it[8];
    size_t il[8];
    const char *s = " [ \"a\" , \"b\\\"c\\\\\", \"\\u00e9\\ud83d\\ude00\\n\", \"\\/\"] ";
    CHECK_INT(enc_json_strings(s, strlen(s), buf, it, il, 8), 4);
    CHECK_STR(it[0], "a");
    CHECK_STR(it[1], "b\"c\\");
    CHECK_STR(it[2], "é😀\n");
    CHECK_INT(il[2], 7);
    CHECK_STR(it[3], "/");
    CHECK_INT(enc_json_strings("", 0, buf, it, il, 8), 0);
    CHECK_INT(enc_json_strings("null", 4, buf, it, il, 8), 0);
    CHECK_INT(enc_json_strings("[]", 2, buf, it, il, 8), 0);
    const char *bad[] = {"[",         "[\"a\"",     "[\"a\",]",      "[1]",
                         "{}",        "[\"a\"] x",  "[\"\\ud800\"]", "[\"\\u0000\"]",
                         "[\"\\x\"]", "[\"a\nb\"]", "nul",           "[\"a\" \"b\"]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(!(enc_json_strings(bad[i], strlen(bad[i]), buf, it, il, 8) != -1), "accepted %s",
                  bad[i]);
    CHECK_INT(enc_json_strings("[\"a\",\"b\",\"c\"]", 13, buf, it, il, 2), -1);
}

/* the rounding of noisy measures: the shortest text of the rounded value */
static void json_rounding(void)
{
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_arr(&w);
    enc_jw_round(&w, 250.18335648148147, ENC_DP_DAYS);
    enc_jw_round(&w, 0.5, ENC_DP_RATE);
    enc_jw_round(&w, 3, ENC_DP_DAYS);
    enc_jw_round(&w, -0.00004, ENC_DP_RATE); /* -0 is 0 */
    enc_jw_round(&w, 0.00005, ENC_DP_RATE);  /* half away from zero */
    enc_jw_round(&w, -1.23456, ENC_DP_SECONDS);
    enc_jw_round(&w, 0.0 / 0.0, ENC_DP_RATE);
    enc_jw_round(&w, 1e300, ENC_DP_DAYS); /* too large for decimals: as it is */
    enc_jw_end(&w);
    CHECK_STR(b.p, "[250.18,0.5,3,0,0.0001,-1.235,null,1e+300]");
    CHECK_NEAR(enc_round_dp(0.123456, ENC_DP_RATE), 0.1235, 0);
    enc_buf_free(&b);
}

int main(void)
{
    RUN(json_rounding);
    RUN(json_lists);
    RUN(json_writer_nesting_and_escapes);
    return TEST_SUMMARY();
}
