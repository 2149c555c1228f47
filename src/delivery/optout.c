/* optout.c — SMS opt-out reply recognition (optout.h). Carrier practice: in the US, CTIA's
 * short-code handbook lists STOP, STOPALL, UNSUBSCRIBE, CANCEL, END and QUIT; in mainland
 * China, marketing SMS must offer "回T退订" / "回TD退订" (MIIT rules), so T, TD and 退订 (and
 * the traditional 退訂, 取消订阅) are recognised. Matching is of the whole reply after
 * normalisation, never a substring. */
#include "delivery/optout.h"
#include <string.h>

static const char *const words[] = {
    "STOP",   "STOPALL", "UNSUBSCRIBE", "CANCEL",   "END",      "QUIT",
    "OPTOUT", "OPT-OUT", "OPT OUT",     "REVOKE",   "TD",       "T",
    "退订",   "退訂",    "取消订阅",    "取消訂閱", "退订短信", "退訂短信",
};

/* Decodes one UTF-8 sequence at s (n bytes left); *len gets its length (1 for bad bytes). */
static unsigned decode(const unsigned char *s, size_t n, size_t *len)
{
    unsigned c = s[0];
    *len = 1;
    if (c < 0x80) return c;
    /* a malformed byte becomes '?' (one byte for one: normalising never lengthens text) */
    int extra = c >= 0xF0 && c < 0xF8   ? 3
                : c >= 0xE0 && c < 0xF0 ? 2
                : c >= 0xC2 && c < 0xE0 ? 1
                                        : -1;
    if (extra < 0 || (size_t)extra >= n) return '?';
    unsigned v = c & (0x3F >> extra);
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80) return '?';
        v = v << 6 | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are malformed too */
    if ((extra == 2 && v < 0x800) || (extra == 3 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF))
        return '?';
    *len = (size_t)extra + 1;
    return v;
}

static size_t encode(unsigned c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12);
        o[1] = (char)(0x80 | (c >> 6 & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18);
    o[1] = (char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static int is_space(unsigned c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || c == 0x3000 || c == 0xFEFF ||
           (c >= 0x2000 && c <= 0x200B);
}
static int is_trailing_punct(unsigned c)
{
    return c == '.' || c == '!' || c == 0x3002 /* 。 */ || c == 0xFF01 /* ！ */ ||
           c == 0xFF0E /* ． */ || c == 0xFF61 /* ｡ */;
}

size_t enc_optout_normalise(const char *text, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0) return 0;
    out[0] = 0;
    if (!text) return 0;
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    size_t last_keep = 0; /* output length up to the last non-space, non-trailing char */
    int started = 0;
    while (i < n) {
        size_t len;
        unsigned c = decode(s + i, n - i, &len);
        i += len;
        if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0; /* full-width ASCII -> ASCII */
        if (c >= 'a' && c <= 'z') c -= 32;
        if (is_space(c)) {
            if (!started) continue;
            c = ' ';
        }
        started = 1;
        char tmp[4];
        size_t k = encode(c, tmp);
        if (o + k >= cap) break;
        memcpy(out + o, tmp, k);
        o += k;
        if (c != ' ' && !is_trailing_punct(c)) last_keep = o;
    }
    /* drop trailing spaces and punctuation; collapse inner runs of spaces */
    o = last_keep;
    size_t w = 0;
    for (size_t r = 0; r < o; r++) {
        if (out[r] == ' ' && w > 0 && out[w - 1] == ' ') continue;
        out[w++] = out[r];
    }
    out[w] = 0;
    return w;
}

bool enc_optout_match(const char *text)
{
    /* normalising never lengthens text (folds and spaces shrink or keep the byte count),
     * so a reply of at most 200 bytes is never cut here */
    char norm[256];
    if (!text || strlen(text) > 200) return false;
    enc_optout_normalise(text, norm, sizeof norm);
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(norm, words[i]) == 0) return true;
    return false;
}
