/* store_analytics.h — the store reads behind the analytics, the customer view and the segment
 * editor (src/measure/analytics.c, src/report/custview.c, the API): the shop's currency, the
 * per-run segment history and the migration between two scoring runs. Part of the store
 * interface (store.h); kept in its own header so that it grows without touching store.h. */
#ifndef ENCORE_STORE_ANALYTICS_H
#define ENCORE_STORE_ANALYTICS_H
#include "store/store.h"

/* The shop's currency: the code on the orders (the first one found, as attribution takes it)
 * into out (>= 4 bytes), "" when the orders name none or the stored value is not three capital
 * letters. */
enc_rc enc_store_currency(enc_store *st, char *out, size_t cap, enc_err *err);
/* Segment moves between the two latest scoring runs that segment_history holds (it keeps the
 * last 3): by "rfm" (rfm_segment) or "lifecycle". A cell counts the customers in segment `from`
 * in the earlier run and `to` in the later one; from is NULL for customers the earlier run did
 * not score (new customers), to NULL for those the later run did not (merged away); a segment
 * NULL in a run reads "(none)". *found is false with fewer than two runs. Strings live in
 * out->arena; the caller frees out with enc_store_migration_free. */
typedef struct enc_migration_cell {
    const char *from, *to;
    int64_t customers;
} enc_migration_cell;
typedef struct enc_migration {
    int64_t from_run, to_run, from_as_of, to_as_of;
    size_t n;
    enc_migration_cell *cells; /* by from, then to */
    struct enc_arena *arena;
} enc_migration;
enc_rc enc_store_migration(enc_store *st, const char *by, enc_migration *out, bool *found,
                           enc_err *err);
void enc_store_migration_free(enc_migration *m);

/* A saved segment's description (migration 8): set (NULL or "" clears it; ENC_ENOTFOUND when
 * there is no segment name), and get (*desc malloc'ed or NULL; the caller frees it). */
enc_rc enc_store_segment_desc_set(enc_store *st, const char *name, const char *desc, enc_err *err);
enc_rc enc_store_segment_desc_get(enc_store *st, const char *name, char **desc, enc_err *err);

/* The store's file as SQLite names it (an absolute path; "" for an in-memory store); owned by
 * the store. Files written beside it (exports) are named from it. */
const char *enc_store_path(enc_store *st);
#endif
