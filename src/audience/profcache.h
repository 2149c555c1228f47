/* profcache.h — the profile columns' cache: every profiles column the segment language reads
 * (fields.h, from = PROFILE) as typed arrays in a file beside the store (DB.profiles.columns,
 * a colfile), so that an expression over profile fields does not scan the wide profiles table.
 * Numbers are doubles (NAN for NULL), texts and list items dictionary ids in first-seen order.
 * Any write to profiles after it was built (a scoring run, an edit by hand) raises the
 * profiles' generation (migration 6) and the cache is not used until rebuilt; `encore score`
 * rebuilds it. columns.c reads it (load_profiles). docs/column-cache.md. */
#ifndef ENCORE_AUDIENCE_PROFCACHE_H
#define ENCORE_AUDIENCE_PROFCACHE_H
#include "base/err.h"
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct enc_profcache enc_profcache;

typedef struct enc_profcache_col {
    bool list;          /* a LIST column: off/item; else a TEXT column: txt */
    const double *num;  /* a number column (NULL for TEXT and LIST) */
    const int32_t *txt; /* TEXT: name id per row, -1 for NULL or empty */
    const int64_t *off; /* LIST: row r holds item[off[r] .. off[r + 1]); NULL value: none */
    const int32_t *item;
    const int64_t *name_off; /* the names (colfile strings) */
    const char *name_str;
    size_t nnames;
} enc_profcache_col;

/* The cache when it serves the store now, else NULL (missing, out of date, disabled with
 * ENCORE_COLUMN_CACHE=off, damaged). Rows are profiles in customer id order. */
enc_profcache *enc_profcache_open(enc_store *st);
void enc_profcache_close(enc_profcache *c);
size_t enc_profcache_rows(const enc_profcache *c);
const int64_t *enc_profcache_customers(const enc_profcache *c);
const int64_t *enc_profcache_as_of(const enc_profcache *c);
/* The column of a profiles column name (false when the cache does not hold it: a list that
 * is not a JSON array of strings, a text with a NUL inside, are left to the store). */
bool enc_profcache_column(const enc_profcache *c, const char *column, enc_profcache_col *out);

enc_rc enc_profcache_build(enc_store *st, enc_err *err);
/* The same, unless the cache is disabled or the store in memory (then nothing). */
enc_rc enc_profcache_build_if_enabled(enc_store *st, enc_err *err);
/* Builds it when missing or out of date; *built (may be NULL) tells whether it did. */
enc_rc enc_profcache_refresh(enc_store *st, bool *built, enc_err *err);
typedef struct enc_profcache_status {
    bool present, usable;
    const char *why;
    char path[4096];
    int64_t bytes, rows, built_at;
} enc_profcache_status;
void enc_profcache_status_get(enc_store *st, enc_profcache_status *out);
/* Removes the file and the profiles' mark. */
enc_rc enc_profcache_drop(enc_store *st, enc_err *err);
#endif
