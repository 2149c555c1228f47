/* fuzz_clean.c — libFuzzer target for the cleaners (src/ingest/clean.c) and the zone loader
 * (src/base/datetime.c): every cleaner runs on the input; enc_tz_load on it when it looks like
 * a fixed offset (so no file is opened for arbitrary names); enc_tz_from_tzif on it as TZif
 * bytes. Checks: a rejection always has a reason; cleaned emails, phones, ids, times and
 * amounts are fixed points (cleaning the output again gives the same output). */
#include "base/datetime.h"
#include "ingest/clean.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enc_tz *ny;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *why;
    enc_err err;
    if (!ny && enc_tz_load("America/New_York", &ny, &err)) abort();

    (void)enc_utf8_valid(s, size);
    const char *t = s;
    size_t tn = size;
    enc_trim(&t, &tn);
    if (t < s || t + tn > s + size) abort();

    int64_t v, v2;
    const enc_tz *zones[2] = {NULL, ny};
    for (int z = 0; z < 2; z++) {
        if (enc_clean_time(s, size, zones[z], &v, &why)) {
            if (!zones[z] && v >= -62135596800LL && v < 253402300800LL) { /* years 1..9999 */
                char b[40];
                enc_fmt_datetime(b, sizeof b, v);
                if (!enc_clean_time(b, strlen(b), NULL, &v2, &why) || v2 != v) abort();
            }
        } else if (!why || !*why) abort();
    }
    int y, m, d;
    if (enc_clean_date(s, size, &y, &m, &d, &why)) {
        if (!enc_date_valid(y, m, d)) abort();
    } else if (!why || !*why) abort();

    for (int scale = 0; scale <= 4; scale++) {
        if (enc_clean_decimal(s, size, scale, &v, &why)) {
            /* print the value back with `scale` decimals: it must parse to itself */
            char b[48];
            uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, p10 = 1;
            for (int i = 0; i < scale; i++) p10 *= 10;
            if (scale)
                snprintf(b, sizeof b, "%s%llu.%0*llu", v < 0 ? "-" : "",
                         (unsigned long long)(a / p10), scale, (unsigned long long)(a % p10));
            else snprintf(b, sizeof b, "%s%llu", v < 0 ? "-" : "", (unsigned long long)a);
            if (!enc_clean_decimal(b, strlen(b), scale, &v2, &why) || v2 != v) abort();
        } else if (!why || !*why) abort();
    }
    if (!enc_clean_money(s, size, 2, &v, &why) && (!why || !*why)) abort();
    if (!enc_clean_int(s, size, &v, &why) && (!why || !*why)) abort();

    char out[512], out2[512];
    if (enc_clean_email(s, size, out, sizeof out, &why)) {
        if (!enc_clean_email(out, strlen(out), out2, sizeof out2, &why) || strcmp(out, out2))
            abort();
    } else if (!why || !*why) abort();
    const char *ccs[3] = {NULL, "86", "1"};
    for (int i = 0; i < 3; i++) {
        if (enc_clean_phone(s, size, ccs[i], out, sizeof out, &why)) {
            size_t k = strlen(out);
            if (out[0] != '+' || k < 9 || k > 16) abort();
            if (!enc_clean_phone(out, k, NULL, out2, sizeof out2, &why) || strcmp(out, out2))
                abort();
        } else if (!why || !*why) abort();
    }
    if (enc_clean_id(s, size, out, sizeof out, &why)) {
        if (!enc_clean_id(out, strlen(out), out2, sizeof out2, &why) || strcmp(out, out2)) abort();
    } else if (!why || !*why) abort();
    int g = enc_clean_gender(s, size);
    if (g != 0 && g != 'm' && g != 'f') abort();

    /* zones: fixed offsets by name, anything as TZif bytes */
    if (size < 64 && size > 0 && s[0] && strchr("+-UuZzGg", s[0])) {
        char name[64];
        memcpy(name, s, size);
        name[size] = 0;
        enc_tz *tz;
        if (strlen(name) == size && enc_tz_load(name, &tz, &err) == ENC_OK) {
            (void)enc_tz_offset(tz, 1700000000);
            (void)enc_tz_local_to_utc(tz, 1700000000);
            enc_tz_free(tz);
        }
    }
    enc_tz *tz;
    if (enc_tz_from_tzif(data, size, "fuzz", &tz, &err) == ENC_OK) {
        for (int64_t x = -4000000000LL; x < 8000000000LL; x += 999999937) {
            int off = enc_tz_offset(tz, x);
            (void)enc_tz_local_to_utc(tz, x + off);
        }
        enc_tz_free(tz);
    }
    return 0;
}
