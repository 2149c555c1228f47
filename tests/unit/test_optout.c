/* test_optout.c — src/delivery/optout.c: SMS opt-out replies (STOP, TD, 退订 ...) recognised
 * after normalisation, whole replies only. */
#include "harness.h"
#include "delivery/optout.h"

static void optout_words(void)
{
    const char *yes[] = {
        "STOP",     "stop",     " Stop ",        "STOP.",       "stop!",
        "ＳＴＯＰ", "ｓｔｏｐ", "unsubscribe",   "UNSUBSCRIBE", "TD",
        "td",       "Td",       "ＴＤ",          "T",           "t",
        "退订",     " 退订 ",   "退订。",        "退订！",      "\xe3\x80\x80退订\xe3\x80\x80",
        "取消订阅", "退訂",     "cancel",        "quit",        "End",
        "opt out",  "OPT  OUT", "\tstopall\r\n", "revoke"};
    const char *no[] = {
        "",      "   ", NULL,   "stop by tomorrow", "please stop",
        "STOPP", "TDD", "好的", "退订了吗？我想买", "unsubscribe me from the other list",
        "tt",    "yes", "1",    "S T O P"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!enc_optout_match(yes[i])) TH_FAIL("'%s' should be an opt-out", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (enc_optout_match(no[i]))
            TH_FAIL("'%s' should not be an opt-out", no[i] ? no[i] : "NULL");
    char n[64];
    enc_optout_normalise("  ｓｔｏｐ。 ", n, sizeof n);
    CHECK_STR(n, "STOP");
    /* malformed UTF-8 becomes '?' byte for byte: never longer than the input */
    CHECK_INT(enc_optout_normalise("\xff\xfeTD", n, sizeof n), 4);
    CHECK_STR(n, "??TD");
    CHECK(!enc_optout_match("\xffTD"));
    /* a long reply padded after a word is not cut into a match */
    char longtxt[400];
    snprintf(longtxt, sizeof longtxt, "TD%250sx", "");
    CHECK(!enc_optout_match(longtxt));
}

int main(void)
{
    RUN(optout_words);
    return TEST_SUMMARY();
}
