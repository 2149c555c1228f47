/* mask.c — masking personal data (see mask.h). */
#include "base/mask.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* bytes of the UTF-8 sequence starting at s (1 for a stray or invalid byte) */
static size_t seq_len(const unsigned char *s)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xe0) == 0xc0 ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 1;
    return n;
}

void enc_mask_email(const char *email, char *out, size_t cap)
{
    const char *at = email ? strrchr(email, '@') : NULL;
    if (!email || !*email || !at || at == email) {
        snprintf(out, cap, "***");
        return;
    }
    size_t n = seq_len((const unsigned char *)email);
    snprintf(out, cap, "%.*s***%s", (int)n, email, at);
}

/* ITU-T E.164 country codes: 1 and 7 have one digit, these two, the rest three */
static int cc_len(const char *d)
{
    if (d[0] == '1' || d[0] == '7') return 1;
    static const char two[] = "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 "
                              "55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98";
    for (size_t i = 0; i + 2 < sizeof two; i += 3) /* "20 27 ... 98": a code every 3 bytes */
        if (two[i] == d[0] && two[i + 1] == d[1]) return 2;
    return 3;
}

void enc_mask_phone(const char *phone, char *out, size_t cap)
{
    char d[32];
    size_t n = 0;
    bool plus = phone && phone[0] == '+';
    for (const char *p = phone ? phone : ""; *p && n < sizeof d - 1; p++)
        if (*p >= '0' && *p <= '9') d[n++] = *p;
    d[n] = 0;
    if (n < 6) {
        snprintf(out, cap, "****");
        return;
    }
    size_t c = plus ? (size_t)cc_len(d) : 0;
    const char *nat = d + c;
    size_t m = n - c;
    /* the last 4 digits stay, and the first 3 of an 11-digit number (a Chinese mobile), the
     * first 2 of a 10-digit one; at least 4 digits are hidden whenever there are 8 */
    size_t pre = m >= 11 ? 3 : m >= 10 ? 2 : 0, last = m > 4 ? 4 : 0;
    if (m < 8 && m > 4) last = m - 4 < 4 ? m - 4 : 4;
    size_t k = m - pre - last;
    char stars[32];
    memset(stars, '*', k);
    stars[k] = 0;
    if (plus) snprintf(out, cap, "+%.*s %.*s%s%s", (int)c, d, (int)pre, nat, stars, nat + m - last);
    else snprintf(out, cap, "%.*s%s%s", (int)pre, nat, stars, nat + m - last);
}

void enc_mask_name(const char *name, char *out, size_t cap)
{
    while (name && (*name == ' ' || *name == '\t')) name++;
    if (!name || !*name) {
        snprintf(out, cap, "*");
        return;
    }
    size_t n = seq_len((const unsigned char *)name);
    snprintf(out, cap, "%.*s.", (int)n, name);
}

void enc_mask_birthday(const char *day, char *out, size_t cap)
{
    bool year = day && strlen(day) >= 4;
    for (int i = 0; year && i < 4; i++) year = day[i] >= '0' && day[i] <= '9';
    if (year) snprintf(out, cap, "%.4s-**-**", day);
    else snprintf(out, cap, "****-**-**");
}
