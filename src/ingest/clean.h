/* clean.h — cleaners for values in merchants' files: times, dates, money, integers, emails,
 * phones, ids, genders. Each takes a field as pointer + length (not NUL-terminated), trims
 * it, writes the clean value and returns true, or returns false with *why set to a short
 * static reason ("not a date", "month out of range", ...). Pure functions, no allocation.
 * The accepted forms and every reason are listed for users in docs/formats.md. Output
 * buffers: "too long" (email, id) or "output too small" (phone) when cap is too small;
 * 255 bytes hold any accepted email, 17 any phone, 129 any id. */
#ifndef ENCORE_CLEAN_H
#define ENCORE_CLEAN_H
#include "base/datetime.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Trims ASCII whitespace, NBSP (U+00A0) and ideographic space (U+3000) from both ends. */
void enc_trim(const char **s, size_t *n);
bool enc_utf8_valid(const char *s, size_t n);

/* Times: ISO 8601 (2024-03-05T10:20:30Z, with +08:00 or fractions), "YYYY-MM-DD HH:MM[:SS]",
 * "YYYY-MM-DD", "YYYY/MM/DD[ HH:MM[:SS]]", "MM/DD/YYYY[ HH:MM[:SS]]", "YYYYMMDD",
 * "2024年3月5日[ HH:MM[:SS]]", epoch seconds (9-10 digits) or milliseconds (13 digits). A time
 * without an offset is local to tz (NULL = UTC). */
bool enc_clean_time(const char *s, size_t n, const enc_tz *tz, int64_t *epoch, const char **why);
/* A calendar date (birthdays): the date forms above, time part ignored. */
bool enc_clean_date(const char *s, size_t n, int *y, int *m, int *d, const char **why);

/* Fixed-point decimal: "1234.5", "1,234.50", "¥1,234.50", "$12", "-3.25", "(12.00)", "12 元",
 * "1.2e3" is rejected. *out = value * 10^scale rounded half away from zero. Overflow rejected. */
bool enc_clean_decimal(const char *s, size_t n, int scale, int64_t *out, const char **why);
/* Money in minor units of a currency with `digits` decimals (enc_currency_digits). */
bool enc_clean_money(const char *s, size_t n, int digits, int64_t *minor, const char **why);
/* Integer; "6", "-3", "+2", "6.0" accepted; "6.5" rejected ("not a whole number"). */
bool enc_clean_int(const char *s, size_t n, int64_t *out, const char **why);
/* ISO 4217 minor-unit digits of a currency code: 0 (JPY, KRW, ...), 3 (BHD, KWD, ...), else 2. */
int enc_currency_digits(const char *code);

/* Email: trimmed, lower-cased, checked (one @, a dotted domain, allowed characters). */
bool enc_clean_email(const char *s, size_t n, char *out, size_t cap, const char **why);
/* Phone to E.164 (+8613812345678): separators ( -.()/ ) dropped; "+" or "00" starts an
 * international number; 11-digit Chinese mobiles (1[3-9]…) and "86"-prefixed ones get +86;
 * other national numbers take default_cc (digits, e.g. "86", "1"), and are rejected when it is
 * NULL. Length checked (8-15 digits). */
bool enc_clean_phone(const char *s, size_t n, const char *default_cc, char *out, size_t cap,
                     const char **why);
/* An identifier: trimmed, no control characters, at most 128 bytes; a float-written integer
 * ("17850.0") becomes "17850". */
bool enc_clean_id(const char *s, size_t n, char *out, size_t cap, const char **why);
/* 'm', 'f', or 0 when unknown: m/male/man/男/先生/1, f/female/woman/女/女士/2 (case-insensitive).
 */
int enc_clean_gender(const char *s, size_t n);
#endif
