/* buf.c — growable byte buffer (see buf.h). */
#include "base/buf.h"
#include "base/mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(enc_buf *b, size_t extra)
{
    size_t need;
    if (!enc_add_ok(b->len, extra + 1, &need)) enc_xmalloc(SIZE_MAX); /* reports and aborts */
    ENC_GROW(b->p, b->cap, need);
}

void enc_buf_add(enc_buf *b, const void *data, size_t n)
{
    reserve(b, n);
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

void enc_buf_adds(enc_buf *b, const char *s) { enc_buf_add(b, s, strlen(s)); }

void enc_buf_addc(enc_buf *b, char c)
{
    reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = 0;
}

void enc_buf_vprintf(enc_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    reserve(b, 64);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        reserve(b, (size_t)n);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    if (n > 0) b->len += (size_t)n;
}

void enc_buf_printf(enc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void enc_buf_reset(enc_buf *b)
{
    b->len = 0;
    if (b->p) b->p[0] = 0;
}

void enc_buf_free(enc_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *enc_buf_steal(enc_buf *b)
{
    char *p = b->p ? b->p : enc_xstrdup("");
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}
