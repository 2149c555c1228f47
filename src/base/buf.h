/* buf.h — a growable byte buffer, always NUL-terminated. The owner frees it with enc_buf_free. */
#ifndef ENCORE_BUF_H
#define ENCORE_BUF_H
#include <stddef.h>
#include <stdarg.h>

typedef struct enc_buf {
    char *p;
    size_t len, cap;
} enc_buf;

void enc_buf_add(enc_buf *b, const void *data, size_t n);
void enc_buf_adds(enc_buf *b, const char *s);
void enc_buf_addc(enc_buf *b, char c);
void enc_buf_printf(enc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void enc_buf_vprintf(enc_buf *b, const char *fmt, va_list ap);
void enc_buf_reset(enc_buf *b); /* length 0, keeps memory */
void enc_buf_free(enc_buf *b);
/* Returns the text; the buffer is left empty and the caller owns (frees) the result. */
char *enc_buf_steal(enc_buf *b);
#endif
