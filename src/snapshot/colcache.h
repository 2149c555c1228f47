/* colcache.h — the column cache: the store's customers, products, orders with their lines,
 * returns, events, feedback and consent ledgers as column arrays in a file beside the store
 * (DB.columns), mapped into memory instead of read through SQL. A snapshot without details
 * (enc_snapshot_load_opts) is derived from it: the rows the cache holds, plus the rows added
 * to the store since (read by id range, which costs only their number), cut to the as-of
 * instant and the windows asked for. The store keeps a mark per table (the largest id the
 * cache holds) and a generation that triggers raise when a held row changes (migration 6);
 * a cache of another generation is not used until it is rebuilt. docs/column-cache.md. */
#ifndef ENCORE_SNAPSHOT_COLCACHE_H
#define ENCORE_SNAPSHOT_COLCACHE_H
#include "base/err.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct enc_colcache_status {
    bool present;    /* a cache file is there */
    bool usable;     /* ... and snapshots are derived from it */
    const char *why; /* when not usable: why (static text) */
    char path[4096];
    int64_t bytes, built_at;
    int64_t gen, store_gen;
    int64_t held;   /* rows the cache holds (orders, lines, events, feedback, consents) */
    int64_t behind; /* rows added to the store since (read from the store on each use) */
    size_t customers;
} enc_colcache_status;

/* The cache's path for the store (false for an in-memory store). */
bool enc_colcache_path(enc_store *st, char *buf, size_t size);
/* True unless ENCORE_COLUMN_CACHE=off. */
bool enc_colcache_enabled(void);

/* Builds the cache from the store (replacing the file atomically). */
enc_rc enc_colcache_build(enc_store *st, enc_err *err);
/* Builds it when it is missing or not usable, or when the rows added since outnumber an
 * eighth of those it holds; *built (may be NULL) tells whether it did. Nothing when the cache
 * is disabled or the store is in memory. */
enc_rc enc_colcache_refresh(enc_store *st, bool *built, enc_err *err);
enc_rc enc_colcache_status_get(enc_store *st, enc_colcache_status *out, enc_err *err);
/* Removes the file and the store's marks (the triggers then do nothing). */
enc_rc enc_colcache_drop(enc_store *st, enc_err *err);

/* The snapshot enc_snapshot_load_opts would read, derived from the cache: ENC_OK with *out
 * set, or ENC_OK with *out NULL when the cache cannot serve (missing, not usable, details
 * asked) and the caller reads the store. */
enc_rc enc_colcache_snapshot(enc_store *st, int64_t as_of, const enc_snapshot_opts *o,
                             enc_snapshot **out, enc_err *err);
#endif
