/* test_utf8.c — src/base/utf8.c against glibc's own UTF-8 (C.UTF-8 locale) as the oracle: the
 * encoder and decoder agree with wcrtomb/mbrtowc on every code point and on every one-, two-
 * and three-byte sequence (well-formed or not); display widths agree with wcwidth on the
 * scripts our tables name (ASCII, Latin, CJK, kana, Hangul, fullwidth forms, combining marks,
 * emoji) and on 99% of the assigned BMP; padding uses the widths. */
#include "harness.h"
#include "base/utf8.h"
#include <limits.h>
#include <locale.h>
#include <wchar.h>

static int have_locale(void)
{
    if (setlocale(LC_ALL, "C.UTF-8") || setlocale(LC_ALL, "C.utf8")) return 1;
    th_skip("the C.UTF-8 locale (the oracle) is missing");
    return 0;
}

static void encode_every_code_point(void)
{
    if (!have_locale()) return;
    long bad = 0;
    for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        char a[8], b[MB_LEN_MAX];
        mbstate_t ps = {0};
        size_t na = enc_utf8_put(a, cp), nb = wcrtomb(b, (wchar_t)cp, &ps);
        uint32_t back = 0;
        size_t nr = enc_utf8_get(a, na, &back);
        if (na != nb || memcmp(a, b, na) != 0 || nr != na || back != cp) {
            if (bad++ < 5) TH_FAIL("U+%04X: %zu bytes, glibc %zu; read back %zu", cp, na, nb, nr);
        }
    }
    CHECK_INT(bad, 0);
}

/* our decoder and mbrtowc agree on whether s[0..n) starts with a code point, and on which */
static long compare(const unsigned char *s, size_t n)
{
    uint32_t cp = 0;
    size_t ours = enc_utf8_get((const char *)s, n, &cp);
    mbstate_t ps = {0};
    wchar_t wc = 0;
    size_t theirs = mbrtowc(&wc, (const char *)s, n, &ps);
    if (theirs == 0) theirs = 1; /* NUL */
    if (theirs == (size_t)-1 || theirs == (size_t)-2) theirs = 0;
    if (ours != theirs || (ours && cp != (uint32_t)wc)) {
        TH_FAIL("%02x %02x %02x: ours %zu (U+%04X), glibc %zu", s[0], n > 1 ? s[1] : 0,
                n > 2 ? s[2] : 0, ours, cp, theirs);
        return 1;
    }
    return 0;
}

static void decode_every_short_sequence(void)
{
    if (!have_locale()) return;
    long bad = 0;
    unsigned char s[4] = {0};
    for (unsigned a = 0; a < 256 && bad < 5; a++) {
        s[0] = (unsigned char)a;
        bad += compare(s, 1);
        for (unsigned b = 0; b < 256 && bad < 5; b++) {
            s[1] = (unsigned char)b;
            bad += compare(s, 2);
            if (a < 0xe0 || a > 0xf4) continue;
            for (unsigned c = 0; c < 256 && bad < 5; c++) {
                s[2] = (unsigned char)c;
                bad += compare(s, 3);
            }
        }
    }
    CHECK_INT(bad, 0);
    /* four bytes: the edges */
    CHECK_INT(enc_utf8_get("\xf4\x8f\xbf\xbf", 4, &(uint32_t){0}), 4); /* U+10FFFF */
    CHECK_INT(enc_utf8_get("\xf4\x90\x80\x80", 4, &(uint32_t){0}), 0); /* past it */
    CHECK_INT(enc_utf8_get("\xf0\x8f\xbf\xbf", 4, &(uint32_t){0}), 0); /* overlong */
    CHECK_INT(enc_utf8_get("\xf0\x9f\x98\x80", 3, &(uint32_t){0}), 0); /* truncated */
    CHECK_INT(enc_utf8_get("\xed\xa0\x80", 3, &(uint32_t){0}), 0);     /* surrogate */
    CHECK_INT(enc_utf8_get("", 0, &(uint32_t){0}), 0);
}

static void widths_vs_wcwidth(void)
{
    if (!have_locale()) return;
    static const struct {
        uint32_t lo, hi;
    } named[] = {
        {0x20, 0x7e},       {0xa0, 0x2ff},      {0x300, 0x36f},   {0x3041, 0x3096},
        {0x30a0, 0x30ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff}, {0xac00, 0xd7a3},
        {0xf900, 0xfaff},   {0xff01, 0xff60},   {0xffe0, 0xffe6}, {0x3000, 0x303f},
        {0x1f600, 0x1f64f}, {0x20000, 0x2a6df},
    };
    long bad = 0;
    for (size_t r = 0; r < sizeof named / sizeof *named; r++)
        for (uint32_t cp = named[r].lo; cp <= named[r].hi; cp++) {
            int w = wcwidth((wchar_t)cp);
            if (w < 0) continue; /* unassigned */
            if (enc_utf8_cp_width(cp) != w && bad++ < 5)
                TH_FAIL("U+%04X: width %d, wcwidth %d", cp, enc_utf8_cp_width(cp), w);
        }
    CHECK_INT(bad, 0);
    long same = 0, all = 0;
    for (uint32_t cp = 0x20; cp < 0x10000; cp++) {
        int w = wcwidth((wchar_t)cp);
        if (w < 0 || (cp >= 0xd800 && cp <= 0xdfff)) continue;
        all++;
        same += enc_utf8_cp_width(cp) == w;
    }
    CHECK_MSG(same >= all * 99 / 100, "agree on %ld of %ld assigned BMP code points", same, all);
    fprintf(stderr, "    widths agree with wcwidth on %ld of %ld assigned BMP code points\n", same,
            all);
}

static void text_widths_and_padding(void)
{
    CHECK_INT(enc_utf8_width("", 0), 0);
    CHECK_INT(enc_utf8_width("abc", 3), 3);
    const char *cn = "重要价值客户";
    CHECK_INT(enc_utf8_width(cn, strlen(cn)), 12);
    const char *mix = "Caf\xc3\xa9 \xe4\xb8\xad"; /* Café 中 */
    CHECK_INT(enc_utf8_width(mix, strlen(mix)), 7);
    const char *comb = "e\xcc\x81"; /* e + combining acute */
    CHECK_INT(enc_utf8_width(comb, strlen(comb)), 1);
    CHECK_INT(enc_utf8_width("\xff\xfe", 2), 2); /* malformed bytes: one column each */
    CHECK_INT(enc_utf8_width("\xe4\xb8", 2), 2); /* truncated */
    char buf[64] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    enc_utf8_fpad(f, cn, 14);
    fputc('|', f);
    enc_utf8_fpad(f, "ab", 4);
    fputc('|', f);
    enc_utf8_fpad(f, "toolong", 3);
    fclose(f);
    CHECK_STR(buf, "重要价值客户  |ab  |toolong");
}

int main(void)
{
    RUN(encode_every_code_point);
    RUN(decode_every_short_sequence);
    RUN(widths_vs_wcwidth);
    RUN(text_widths_and_padding);
    return TEST_SUMMARY();
}
