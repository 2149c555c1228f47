/* optout.c — SMS opt-out reply recognition (optout.h). Carrier practice: in the US, CTIA's
 * short-code handbook lists STOP, STOPALL, UNSUBSCRIBE, CANCEL, END and QUIT; in mainland
 * China, marketing SMS must offer "回T退订" / "回TD退订" (MIIT rules), so T, TD and 退订 (and
 * the traditional 退訂, 取消订阅) are recognised. Matching is of the whole reply after
 * normalisation, never a substring. */
#include "delivery/optout.h"
#include "base/utf8.h"
#include <string.h>

static const char *const words[] = {
    "STOP",   "STOPALL", "UNSUBSCRIBE", "CANCEL",   "END",      "QUIT",
    "OPTOUT", "OPT-OUT", "OPT OUT",     "REVOKE",   "TD",       "T",
    "退订",   "退訂",    "取消订阅",    "取消訂閱", "退订短信", "退訂短信",
};

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
        /* a malformed byte becomes '?' (one byte for one: normalising never lengthens text) */
        uint32_t c;
        size_t len = enc_utf8_get((const char *)s + i, n - i, &c);
        if (!len) c = '?', len = 1;
        i += len;
        if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0; /* full-width ASCII -> ASCII */
        if (c >= 'a' && c <= 'z') c -= 32;
        if (is_space(c)) {
            if (!started) continue;
            c = ' ';
        }
        started = 1;
        char tmp[4];
        size_t k = enc_utf8_put(tmp, c);
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
