/* colcache_store.h — the store's side of the column caches (src/snapshot/colcache.c,
 * src/audience/profcache.c, src/audience/columns.c): the generation counters (column_gen, raised
 * by triggers when a cached row changes), the high-water marks (column_marks) and the column
 * scans of profiles. Part of the store interface (store.h), in its own header. */
#ifndef ENCORE_COLCACHE_STORE_H
#define ENCORE_COLCACHE_STORE_H
#include "store/scan_store.h"

/* The generation of counter id (1 the snapshot tables, 2 profiles); -1 when there is none or it
 * cannot be read. */
int64_t enc_store_column_gen(enc_store *st, int id);
/* The largest id of table (one of customers, products, orders, events, feedback, consents), 0
 * for an empty table, an unknown one or an error. */
int64_t enc_store_max_id(enc_store *st, const char *table);
/* The high-water mark of table, -1 when it has none. */
int64_t enc_store_colmark_get(enc_store *st, const char *table);
/* Sets the marks of n tables (inside the caller's transaction). */
enc_rc enc_store_colmarks_set(enc_store *st, const char *const *tables, const int64_t *hwm,
                              size_t n, enc_err *err);
/* Drops the marks of profiles (profiles true) or of every other table. */
enc_rc enc_store_colmarks_drop(enc_store *st, bool profiles, enc_err *err);
/* Marks profiles (hwm 0) unless marked, then *gen = the profiles' generation (-1 none) and
 * *marked whether the mark is there; inside the caller's write transaction. */
enc_rc enc_store_profmark(enc_store *st, int64_t *gen, bool *marked, enc_err *err);
/* The profiles' generation (-1 none) and whether profiles are marked. */
int64_t enc_store_profgen(enc_store *st, bool *marked);

/* A scan of profiles by customer id: customer_id, then with with_as_of as_of, then the n named
 * columns (names from the audience's field table: letters, digits and '_' only, else NULL and
 * ENC_EUSAGE). visible_only adds WHERE as_of <= ?1 (the caller binds it). Errors read "what:
 * <message>"; the caller closes the cursor. */
enc_scan *enc_store_profile_scan(enc_store *st, const char *const *cols, int n, bool with_as_of,
                                 bool visible_only, const char *what, enc_err *err);
#endif
