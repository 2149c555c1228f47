/* map.c — open-addressing (linear probing) hash maps, power-of-two tables kept under 70% full. */
#include "base/map.h"
#include "base/mem.h"
#include <stdlib.h>
#include <string.h>

uint64_t enc_hash_u64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t enc_hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return enc_hash_u64(h);
}

static size_t table_size(size_t expect)
{
    size_t c = 16;
    while (c * 7 / 10 < expect) c *= 2;
    return c;
}

typedef struct sslot {
    const char *key; /* NULL = empty */
    uint32_t len;
    uint64_t hash;
    int64_t val;
} sslot;

struct enc_smap {
    sslot *t;
    size_t cap, n;
    enc_arena *keys;
};

enc_smap *enc_smap_new(size_t expect)
{
    enc_smap *m = enc_xcalloc(1, sizeof *m);
    m->cap = table_size(expect);
    m->t = enc_xcalloc(m->cap, sizeof *m->t);
    m->keys = enc_arena_new(1 << 16);
    return m;
}

void enc_smap_free(enc_smap *m)
{
    if (!m) return;
    free(m->t);
    enc_arena_free(m->keys);
    free(m);
}

static sslot *sfind(const enc_smap *m, const char *key, size_t n, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        sslot *s = &m->t[i];
        if (!s->key) return s;
        if (s->hash == h && s->len == n && memcmp(s->key, key, n) == 0) return s;
    }
}

int64_t *enc_smap_get(const enc_smap *m, const char *key, size_t n)
{
    sslot *s = sfind(m, key, n, enc_hash_bytes(key, n));
    return s->key ? &s->val : NULL;
}

static void sgrow(enc_smap *m)
{
    sslot *old = m->t;
    size_t oldcap = m->cap;
    m->cap *= 2;
    m->t = enc_xcalloc(m->cap, sizeof *m->t);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key) *sfind(m, old[i].key, old[i].len, old[i].hash) = old[i];
    free(old);
}

int64_t *enc_smap_put(enc_smap *m, const char *key, size_t n, int64_t init, bool *added)
{
    uint64_t h = enc_hash_bytes(key, n);
    sslot *s = sfind(m, key, n, h);
    if (s->key) {
        if (added) *added = false;
        return &s->val;
    }
    if ((m->n + 1) * 10 > m->cap * 7) {
        sgrow(m);
        s = sfind(m, key, n, h);
    }
    s->key = enc_arena_strndup(m->keys, key, n);
    s->len = (uint32_t)n;
    s->hash = h;
    s->val = init;
    m->n++;
    if (added) *added = true;
    return &s->val;
}

size_t enc_smap_count(const enc_smap *m) { return m->n; }

void enc_smap_clear(enc_smap *m)
{
    memset(m->t, 0, m->cap * sizeof *m->t);
    m->n = 0;
    enc_arena_reset(m->keys);
}

int enc_smap_at(const enc_smap *m, size_t i, const char **key, size_t *n, int64_t *val)
{
    if (i >= m->cap) return -1;
    const sslot *s = &m->t[i];
    if (!s->key) return 0;
    *key = s->key;
    *n = s->len;
    *val = s->val;
    return 1;
}

typedef struct islot {
    int64_t key, val;
    bool used;
} islot;

struct enc_imap {
    islot *t;
    size_t cap, n;
};

enc_imap *enc_imap_new(size_t expect)
{
    enc_imap *m = enc_xcalloc(1, sizeof *m);
    m->cap = table_size(expect);
    m->t = enc_xcalloc(m->cap, sizeof *m->t);
    return m;
}

void enc_imap_free(enc_imap *m)
{
    if (!m) return;
    free(m->t);
    free(m);
}

static islot *ifind(const enc_imap *m, int64_t key)
{
    size_t mask = m->cap - 1;
    for (size_t i = enc_hash_u64((uint64_t)key) & mask;; i = (i + 1) & mask) {
        islot *s = &m->t[i];
        if (!s->used || s->key == key) return s;
    }
}

int64_t *enc_imap_get(const enc_imap *m, int64_t key)
{
    islot *s = ifind(m, key);
    return s->used ? &s->val : NULL;
}

int64_t *enc_imap_put(enc_imap *m, int64_t key, int64_t init, bool *added)
{
    islot *s = ifind(m, key);
    if (s->used) {
        if (added) *added = false;
        return &s->val;
    }
    if ((m->n + 1) * 10 > m->cap * 7) {
        islot *old = m->t;
        size_t oldcap = m->cap;
        m->cap *= 2;
        m->t = enc_xcalloc(m->cap, sizeof *m->t);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].used) *ifind(m, old[i].key) = old[i];
        free(old);
        s = ifind(m, key);
    }
    s->used = true;
    s->key = key;
    s->val = init;
    m->n++;
    if (added) *added = true;
    return &s->val;
}

size_t enc_imap_count(const enc_imap *m) { return m->n; }

void enc_imap_clear(enc_imap *m)
{
    memset(m->t, 0, m->cap * sizeof *m->t);
    m->n = 0;
}
