/* snapshot_int.h — the loader's extended entry, shared by snapshot.c and the column cache
 * (colcache.c): read only the rows in a range of ids of each table, keep the feedback and
 * consent ledgers row by row, and take the customers from a given list. The cache is built
 * with ranges up to its marks and brought up to date with the rows above them. */
#ifndef ENCORE_SNAPSHOT_INT_H
#define ENCORE_SNAPSHOT_INT_H
#include "snapshot/snapshot.h"

/* the tables a range applies to (returns follow orders, lines follow their orders) */
enum {
    ENC_SR_CUSTOMERS,
    ENC_SR_PRODUCTS,
    ENC_SR_ORDERS,
    ENC_SR_EVENTS,
    ENC_SR_FEEDBACK,
    ENC_SR_CONSENTS,
    ENC_SR_N
};
extern const char *const enc__sr_table[ENC_SR_N]; /* the store's table of each */

typedef struct enc__snap_ext {
    int64_t after[ENC_SR_N]; /* rows with after < id <= upto are read */
    int64_t upto[ENC_SR_N];
    bool rows; /* fill fb_* and con_* (the ledgers) */
    /* When set, the snapshot's customers are exactly these store ids (ascending), and their
     * fields (with ENC_SNAP_CUSTOMERS) are read only for ids above after[ENC_SR_CUSTOMERS];
     * the others are left zero. Products are then not read either (the caller has them):
     * events find theirs through `skus` (sku -> product index), lines through `prod_of`
     * (store product id -> product index, ids up to max_prod). */
    const int64_t *cust_ids;
    size_t ncust_ids;
    struct enc_smap *skus;
    const int32_t *prod_of;
    int64_t max_prod;
} enc__snap_ext;

/* Everything: all rows of every table, no ledgers, customers from the store. */
void enc__snap_ext_all(enc__snap_ext *x);

enc_rc enc__snapshot_load_ext(enc_store *st, int64_t as_of, const enc_snapshot_opts *o,
                              const enc__snap_ext *x, enc_snapshot **out, enc_err *err);
#endif
