/* utf8.c — UTF-8 encoding, strict decoding (RFC 3629) and display widths (utf8.h), as Markus
 * Kuhn's wcwidth() (https://www.cl.cam.ac.uk/~mgk25/ucs/wcwidth.c) computes them: two columns
 * for East Asian Wide and Fullwidth (UAX #11), none for marks (Mn, Me) and format characters
 * (Cf); the ranges are generated from the Unicode Character Database (utf8_tables.h). */
#include "base/utf8.h"
#include <string.h>

size_t enc_utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t enc_utf8_get(const char *s, size_t n, uint32_t *cp)
{
    if (n == 0) return 0;
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) len = 2, v = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, v = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, v = c & 0x07;
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xc0) != 0x80) return 0;
        v = v << 6 | (u[i] & 0x3f);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000)) return 0; /* overlong */
    if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) return 0;         /* surrogate, too big */
    *cp = v;
    return len;
}

size_t enc_utf8_len(const char *s, size_t n)
{
    uint32_t cp;
    return enc_utf8_get(s, n, &cp);
}

typedef struct range {
    uint32_t lo, hi;
} range;

static int in(const range *t, size_t n, uint32_t cp)
{
    if (cp < t[0].lo || cp > t[n - 1].hi) return 0;
    size_t a = 0, b = n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (cp > t[m].hi) a = m + 1;
        else if (cp < t[m].lo) b = m;
        else return 1;
    }
    return 0;
}

#include "base/utf8_tables.h"

int enc_utf8_cp_width(uint32_t cp)
{
    if (cp == 0) return 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0; /* controls */
    if (cp < 0x300) return 1;
    if (in(zero, sizeof zero / sizeof *zero, cp)) return 0;
    if (in(wide, sizeof wide / sizeof *wide, cp)) return 2;
    return 1;
}

size_t enc_utf8_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = enc_utf8_get(s + i, n - i, &cp);
        if (len == 0) { /* a malformed byte: one column (a terminal shows a replacement) */
            w++;
            i++;
            continue;
        }
        w += (size_t)enc_utf8_cp_width(cp);
        i += len;
    }
    return w;
}

void enc_utf8_fpad(FILE *f, const char *s, size_t cols)
{
    size_t w = enc_utf8_width(s, strlen(s));
    fputs(s, f);
    for (; w < cols; w++) fputc(' ', f);
}
