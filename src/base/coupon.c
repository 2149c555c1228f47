/* coupon.c — coupon codes (see coupon.h). Check character: a weighted sum modulo the prime 31
 * (as ISBN-10 does modulo 11): the character at distance i from the end has weight i + 1
 * (the check character weight 1), and the check character makes the sum a multiple of 31.
 * With at most 30 characters every weight differs modulo 31, so every single substitution and
 * every swap of two characters changes the sum. */
#include "base/coupon.h"
#include <string.h>
#include <sys/random.h>

#define N 31
static const char alphabet[] = ENC_COUPON_ALPHABET;

static int point(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

char enc_coupon_check_char(const char *s, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) sum = (sum + (int)(n - i + 1) * point(s[i])) % N;
    return alphabet[(N - sum) % N];
}

enc_rc enc_coupon_make(const char *prefix, int random_chars, char *out, enc_err *err)
{
    if (random_chars < 8 || random_chars > 29)
        return enc_fail(err, ENC_EUSAGE, "a coupon code needs 8 to 29 random characters");
    size_t plen = prefix ? strlen(prefix) : 0;
    if (plen > 12) return enc_fail(err, ENC_EUSAGE, "coupon prefix longer than 12 characters");
    for (size_t i = 0; i < plen; i++)
        if (!((prefix[i] >= 'A' && prefix[i] <= 'Z') || (prefix[i] >= '0' && prefix[i] <= '9')))
            return enc_fail(err, ENC_EUSAGE, "coupon prefix '%s': only A-Z and 0-9", prefix);
    char body[40];
    size_t nb = 0;
    unsigned char rnd[64];
    while ((int)nb < random_chars) {
        if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
            return enc_fail(err, ENC_EIO, "no randomness from the operating system");
        for (size_t i = 0; i < sizeof rnd && (int)nb < random_chars; i++)
            if (rnd[i] < 248) body[nb++] = alphabet[rnd[i] % N]; /* 248 = 8 * 31: unbiased */
    }
    body[nb] = enc_coupon_check_char(body, nb);
    nb++;
    size_t o = 0;
    if (plen) {
        memcpy(out, prefix, plen);
        o = plen;
        out[o++] = '-';
    }
    for (size_t i = 0; i < nb; i++) {
        if (i && i % 4 == 0) out[o++] = '-';
        out[o++] = body[i];
    }
    out[o] = 0;
    return ENC_OK;
}

bool enc_coupon_check(const char *code, size_t prefix_len, char *out)
{
    size_t o = 0, seen = 0, body_start = 0;
    for (const char *p = code; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (o + 1 >= ENC_COUPON_MAX) return false;
        out[o++] = c;
        if (++seen == prefix_len) body_start = o;
    }
    out[o] = 0;
    if (prefix_len && seen < prefix_len) return false;
    if (!prefix_len) body_start = 0;
    size_t n = o - body_start;
    if (n < 9) return false;
    for (size_t i = body_start; i < o; i++)
        if (point(out[i]) < 0) return false;
    return enc_coupon_check_char(out + body_start, n - 1) == out[o - 1];
}
