/* test_mask.c — masking personal data (src/base/mask.c): the forms docs/api.md promises, and
 * malformed, empty, NULL and hostile input never overrunning the output. */
#include "harness.h"
#include "base/mask.h"

#define M(fn, in, want)                                                                            \
    do {                                                                                           \
        char out[64];                                                                              \
        fn(in, out, sizeof out);                                                                   \
        CHECK_STR(out, want);                                                                      \
    } while (0)

static void test_email(void)
{
    M(enc_mask_email, "zhang.wei@hotmail.com", "z***@hotmail.com");
    M(enc_mask_email, "\xe5\xbc\xa0@qq.com", "\xe5\xbc\xa0***@qq.com"); /* a whole UTF-8 char */
    M(enc_mask_email, "a@b@c.com", "a***@c.com");
    M(enc_mask_email, "@nolocal.com", "***");
    M(enc_mask_email, "no-at-sign", "***");
    M(enc_mask_email, "", "***");
    M(enc_mask_email, NULL, "***");
    M(enc_mask_email, "\xff\xfe@x.com", "\xff***@x.com");
}

static void test_phone(void)
{
    M(enc_mask_phone, "+8613812348000", "+86 138****8000");
    M(enc_mask_phone, "+14155550101", "+1 41****0101");
    M(enc_mask_phone, "+447700900123", "+44 77****0123");
    M(enc_mask_phone, "+35312345678", "+353 ****5678");
    M(enc_mask_phone, "+3531234567", "+353 ****567"); /* 7 digits: the last 3 */
    M(enc_mask_phone, "13812348000", "138****8000");
    M(enc_mask_phone, "12345", "****");
    M(enc_mask_phone, "", "****");
    M(enc_mask_phone, NULL, "****");
    char small[8];
    enc_mask_phone("+8613812348000", small, sizeof small);
    CHECK_INT(strlen(small), 7);
}

static void test_name_birthday(void)
{
    M(enc_mask_name, "Alice Smith", "A.");
    M(enc_mask_name, "  bob", "b.");
    M(enc_mask_name, "\xe5\xbc\xa0\xe4\xbc\x9f", "\xe5\xbc\xa0.");
    M(enc_mask_name, "", "*");
    M(enc_mask_name, NULL, "*");
    M(enc_mask_name, "\xe5\xbc", "\xe5."); /* a truncated sequence: one byte */
    M(enc_mask_birthday, "1990-04-12", "1990-**-**");
    M(enc_mask_birthday, "04/30/1985", "****-**-**");
    M(enc_mask_birthday, NULL, "****-**-**");
}

int main(void)
{
    RUN(test_email);
    RUN(test_phone);
    RUN(test_name_birthday);
    return TEST_SUMMARY();
}
