/* json.h — a small streaming JSON writer for --json output and API responses (reading JSON
 * uses jansson). Commas and nesting are tracked by the writer; strings are escaped as RFC 8259
 * requires; NaN and infinities are written as null. */
#ifndef ENCORE_JSON_H
#define ENCORE_JSON_H
#include "base/buf.h"
#include <stdbool.h>
#include <stdint.h>

#define ENC_JW_MAXDEPTH 64
typedef struct enc_jw {
    enc_buf *out;
    int depth;
    bool first[ENC_JW_MAXDEPTH];
    char close[ENC_JW_MAXDEPTH];
    bool after_key;
} enc_jw;

void enc_jw_init(enc_jw *w, enc_buf *out);
void enc_jw_obj(enc_jw *w); /* { */
void enc_jw_end(enc_jw *w); /* } or ] */
void enc_jw_arr(enc_jw *w); /* [ */
void enc_jw_key(enc_jw *w, const char *key);
void enc_jw_str(enc_jw *w, const char *s); /* NULL writes null */
void enc_jw_strn(enc_jw *w, const char *s, size_t n);
void enc_jw_int(enc_jw *w, int64_t v);
void enc_jw_num(enc_jw *w, double v); /* shortest form that reads back to v */
void enc_jw_bool(enc_jw *w, bool v);
void enc_jw_null(enc_jw *w);
/* A money amount in minor units written as a decimal number with `digits` decimals (1234.50). */
void enc_jw_money(enc_jw *w, int64_t minor, int digits);
/* key + value shorthands */
void enc_jw_kstr(enc_jw *w, const char *k, const char *s);
void enc_jw_kint(enc_jw *w, const char *k, int64_t v);
void enc_jw_knum(enc_jw *w, const char *k, double v);
void enc_jw_kbool(enc_jw *w, const char *k, bool v);
/* Measures whose further digits are noise (250.18335648148147 days) are written rounded to a
 * fixed number of decimals, one precision a kind of measure, so every output agrees: */
#define ENC_DP_DAYS 2    /* durations in days: 250.18 (a quarter of an hour) */
#define ENC_DP_SECONDS 3 /* timings in seconds: 1.234 */
#define ENC_DP_RATE 4    /* probabilities, shares, AUC, expected counts: 0.1235 */
/* v rounded half away from zero to `decimals` places (a -0 result is 0; a value too large to
 * have those decimals, NaN and infinities are returned unchanged). Never for money (minor units
 * through enc_jw_money) or for model parameters a user checks against a published fit. */
double enc_round_dp(double v, int decimals);
/* enc_jw_num of enc_round_dp(v, decimals): the shortest text, so 0.5 stays 0.5 */
void enc_jw_round(enc_jw *w, double v, int decimals);
void enc_jw_kround(enc_jw *w, const char *k, double v, int decimals);
/* Writes s (n bytes), which must already be one valid JSON value (a document another writer
 * made), as the next value. */
void enc_jw_raw(enc_jw *w, const char *s, size_t n);
/* Appends s to b as a JSON string literal with quotes. */
void enc_json_escape(enc_buf *b, const char *s, size_t n);
/* Formats minor units as a decimal string into out (>= 32 bytes). */
void enc_money_format(char *out, size_t cap, int64_t minor, int digits);
/* Reads a JSON array of strings (as the profiles table keeps lists) from s[0, n): items[k]
 * and lens[k] get the decoded strings (NUL-terminated, in buf, which must hold n + 1 bytes);
 * returns the count, or -1 when s is not such an array or holds more than cap items. An empty
 * text (n = 0) is an empty list. */
int enc_json_strings(const char *s, size_t n, char *buf, const char **items, size_t *lens, int cap);
#endif
