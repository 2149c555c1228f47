/* fuzz_text.c — libFuzzer target for the text parsers of src/base every command-line value and
 * table cell goes through: the time parser (enc_time_parse: what it accepts prints back in the
 * canonical form and parses to the same instant) and UTF-8 (enc_utf8_get: every code point it
 * reads encodes back to the same bytes; display widths stay within two columns a byte). */
#include "base/datetime.h"
#include "base/utf8.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[128];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = 0;
    int64_t t;
    bool timed;
    if (enc_time_parse(s, &t, &timed) && t >= 0 && t < 253402300800LL) { /* up to 9999 */
        char back[40];
        int64_t t2;
        enc_fmt_datetime(back, sizeof back, t);
        if (!enc_time_parse(back, &t2, NULL) || t2 != t) abort();
    }
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        size_t len = enc_utf8_get((const char *)data + i, size - i, &cp);
        if (len == 0) {
            i++;
            continue;
        }
        char o[4];
        if (len > 4 || enc_utf8_put(o, cp) != len || memcmp(o, data + i, len) != 0) abort();
        if (enc_utf8_cp_width(cp) < 0 || enc_utf8_cp_width(cp) > 2) abort();
        i += len;
    }
    if (enc_utf8_width((const char *)data, size) > 2 * size) abort();
    return 0;
}
