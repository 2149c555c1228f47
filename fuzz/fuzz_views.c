/* fuzz_views.c — libFuzzer target for the outside input the analytics and the customer view
 * read (src/measure/analytics.c, src/base/mask.c): period labels from ?from=/?to= (a label
 * that parses writes back to itself), any 8 bytes as a timestamp (its period's label parses
 * back to the period, and the period holds the time), and the masks on any bytes (the output
 * fits its buffer, is NUL-terminated, and never holds an email's local part beyond its first
 * character (at most 4 bytes before the stars) or more than 7 digits of a phone). */
#include "base/mask.h"
#include "measure/analytics.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    enc_period ps[3] = {ENC_PERIOD_DAY, ENC_PERIOD_WEEK, ENC_PERIOD_MONTH};
    for (int k = 0; k < 3; k++) {
        int64_t idx;
        char back[32];
        if (enc_period_parse_label(ps[k], s, &idx)) {
            enc_period_label(ps[k], idx, back, sizeof back);
            if (strcmp(back, s) != 0) abort();
        }
        if (size >= 8) {
            int64_t t;
            memcpy(&t, data, 8);
            if (t >= -62135596800LL && t <= 253402300799LL) { /* years 1..9999 */
                int64_t p = enc_period_of(ps[k], t), q;
                enc_period_label(ps[k], p, back, sizeof back);
                if (!enc_period_parse_label(ps[k], back, &q) || q != p) abort();
                if (enc_period_start(ps[k], p) > t || enc_period_start(ps[k], p + 1) <= t) abort();
            }
        }
    }
    char out[24];
    memset(out, 'x', sizeof out);
    enc_mask_email(s, out, sizeof out);
    if (!memchr(out, 0, sizeof out)) abort();
    /* at most one character (4 bytes) of the local part shows, then the stars */
    const char *stars = strstr(out, "***");
    if (!stars || stars - out > 4) abort();
    enc_mask_phone(s, out, sizeof out);
    if (!memchr(out, 0, sizeof out)) abort();
    int digits = 0;
    for (const char *p = out; *p; p++) digits += *p >= '0' && *p <= '9';
    if (digits > 10) abort(); /* a country code (3) and at most 7 digits */
    enc_mask_name(s, out, sizeof out);
    if (!memchr(out, 0, sizeof out) || strlen(out) > 5) abort();
    enc_mask_birthday(s, out, sizeof out);
    if (strlen(out) != 10) abort();
    free(s);
    return 0;
}
