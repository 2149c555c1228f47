/* map.h — open-addressing hash maps used on hot paths (import caches, item dictionaries):
 * enc_smap maps byte strings to int64 (keys are copied into the map's own arena);
 * enc_imap maps int64 to int64. Neither allocates per lookup. */
#ifndef ENCORE_MAP_H
#define ENCORE_MAP_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct enc_smap enc_smap;
enc_smap *enc_smap_new(size_t expect);
void enc_smap_free(enc_smap *m);
/* Pointer to the value slot of key, or NULL when absent. */
int64_t *enc_smap_get(const enc_smap *m, const char *key, size_t n);
/* Pointer to the value slot, inserting the key with value `init` when absent; *added tells. */
int64_t *enc_smap_put(enc_smap *m, const char *key, size_t n, int64_t init, bool *added);
size_t enc_smap_count(const enc_smap *m);
void enc_smap_clear(enc_smap *m);
/* Iteration: i from 0 while enc_smap_at returns >= 0 ... (returns 1 for a used slot, 0 empty,
 * -1 past the end); key and its length and value are set for used slots. */
int enc_smap_at(const enc_smap *m, size_t i, const char **key, size_t *n, int64_t *val);

typedef struct enc_imap enc_imap;
enc_imap *enc_imap_new(size_t expect);
void enc_imap_free(enc_imap *m);
int64_t *enc_imap_get(const enc_imap *m, int64_t key);
int64_t *enc_imap_put(enc_imap *m, int64_t key, int64_t init, bool *added);
size_t enc_imap_count(const enc_imap *m);
void enc_imap_clear(enc_imap *m);

uint64_t enc_hash_bytes(const void *p, size_t n); /* 64-bit FNV-1a with a final mix */
uint64_t enc_hash_u64(uint64_t x);                /* splitmix64 finaliser */
#endif
