/* coupon.h — unique coupon codes for offers: readable (no 0/O, 1/I/L look-alikes; groups of
 * four), unguessable (random from the operating system's CSPRNG), and self-checking (a
 * weighted mod-31 check character catches every mistyped character and every swap).
 * Codes are stored with the message that carries them; an imported order carrying a code
 * redeems it. */
#ifndef ENCORE_COUPON_H
#define ENCORE_COUPON_H
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>

#define ENC_COUPON_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ" /* 31 symbols */
#define ENC_COUPON_MAX 64

/* Writes PREFIX-XXXX-XXXX-XXXC: `random_chars` random characters (log2 31 = 4.95 bits each;
 * at least 8, at most 29)
 * grouped by four, the last group ending with the check character. prefix: up to 12 of
 * [A-Z0-9], may be empty. out must hold ENC_COUPON_MAX bytes. */
enc_rc enc_coupon_make(const char *prefix, int random_chars, char *out, enc_err *err);
/* Normalises what a customer typed (case, spaces, dashes) into out (ENC_COUPON_MAX bytes) and
 * checks alphabet and check character. prefix_len: length of the prefix part to skip (0 if
 * none), as the prefix need not use the alphabet. */
bool enc_coupon_check(const char *code, size_t prefix_len, char *out);
/* The weighted mod-31 check character of the characters in s (all in the alphabet). */
char enc_coupon_check_char(const char *s, size_t n);
#endif
