/* mem.h — allocation. enc_xmalloc and friends never return NULL: running out of memory ends
 * the process with a message (as git's xmalloc does), so callers need no NULL paths. Sizes
 * computed from outside input go through enc_mul_ok / enc_add_ok first (STYLE 8). */
#ifndef ENCORE_MEM_H
#define ENCORE_MEM_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void *enc_xmalloc(size_t n);
void *enc_xcalloc(size_t n, size_t size);
void *enc_xrealloc(void *p, size_t n);
char *enc_xstrdup(const char *s);
char *enc_xstrndup(const char *s, size_t n);
/* Grows *p (an array of elem-size items with capacity *cap) to hold at least need items. */
void enc_grow(void **p, size_t *cap, size_t need, size_t elem);
#define ENC_GROW(arr, cap, need) enc_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

static inline bool enc_mul_ok(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool enc_add_ok(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Arena: bump allocation for batch work; everything is freed at once (STYLE 6). */
typedef struct enc_arena enc_arena;
enc_arena *enc_arena_new(size_t block_size);
void *enc_arena_alloc(enc_arena *a, size_t n); /* 16-byte aligned, never NULL */
char *enc_arena_strndup(enc_arena *a, const char *s, size_t n);
void enc_arena_reset(enc_arena *a); /* keeps the first block */
void enc_arena_free(enc_arena *a);
size_t enc_arena_used(const enc_arena *a);
#endif
