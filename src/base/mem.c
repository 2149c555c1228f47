/* mem.c — checked allocation and the arena allocator (see mem.h). */
#include "base/mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "encore: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *enc_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *enc_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *enc_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *enc_xstrdup(const char *s) { return enc_xstrndup(s, strlen(s)); }

char *enc_xstrndup(const char *s, size_t n)
{
    char *p = enc_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void enc_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2) oom(SIZE_MAX);
        c *= 2;
    }
    size_t bytes;
    if (!enc_mul_ok(c, elem, &bytes)) oom(SIZE_MAX);
    *p = enc_xrealloc(*p, bytes);
    *cap = c;
}

typedef struct block {
    struct block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} block;

struct enc_arena {
    block *head;
    size_t block_size, total;
};

enc_arena *enc_arena_new(size_t block_size)
{
    enc_arena *a = enc_xcalloc(1, sizeof *a);
    a->block_size = block_size ? block_size : 1 << 16;
    return a;
}

void *enc_arena_alloc(enc_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t sz = n > a->block_size ? n : a->block_size;
        b = enc_xmalloc(sizeof *b + sz);
        b->size = sz;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

char *enc_arena_strndup(enc_arena *a, const char *s, size_t n)
{
    char *p = enc_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void enc_arena_reset(enc_arena *a)
{
    block *b = a->head;
    if (!b) return;
    while (b->next) {
        block *n = b->next;
        b->next = n->next;
        free(n);
    }
    b->used = 0;
    a->total = 0;
}

void enc_arena_free(enc_arena *a)
{
    if (!a) return;
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

size_t enc_arena_used(const enc_arena *a) { return a->total; }
