/* utf8.h — UTF-8 code points and display widths: the one encoder and strict decoder every
 * module uses (the audience lexer and columns, delivery's opt-out matcher), and the width of
 * text in a terminal's columns (East Asian wide characters take two, combining marks none) for
 * the CLI's aligned tables. */
#ifndef ENCORE_UTF8_H
#define ENCORE_UTF8_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes code point cp (at most U+10FFFF) as UTF-8 into o (room for 4 bytes); returns the
 * number of bytes written. */
size_t enc_utf8_put(char *o, uint32_t cp);
/* Reads one code point from s (n bytes available) into *cp; returns its length (1-4), or 0
 * when s does not start with a well-formed sequence (RFC 3629: no overlong forms, surrogates,
 * values past U+10FFFF or truncated sequences), or n is 0. */
size_t enc_utf8_get(const char *s, size_t n, uint32_t *cp);
/* Length of the well-formed sequence at s (enc_utf8_get without the code point), or 0. */
size_t enc_utf8_len(const char *s, size_t n);
/* Terminal columns of one code point: 0 for controls, combining marks and zero-width
 * characters, 2 for East Asian Wide and Fullwidth ones (UAX #11), 1 otherwise. */
int enc_utf8_cp_width(uint32_t cp);
/* Terminal columns of n bytes of text; a malformed byte counts as one column. */
size_t enc_utf8_width(const char *s, size_t n);
/* Prints s left-aligned in a field of `cols` columns (padded with spaces when narrower). */
void enc_utf8_fpad(FILE *f, const char *s, size_t cols);
#endif
