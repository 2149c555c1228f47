/* store_int.h — internals shared by the SQLite backend's files (store.c, store_put.c,
 * store_read.c): the store struct and its cache of prepared statements. */
#ifndef ENCORE_STORE_INT_H
#define ENCORE_STORE_INT_H
#include "store/store.h"
#include <sqlite3.h>

/* The SQLite handle, for the store's own modules (and the unit tests); nothing outside src/store/
 * may call it (scripts/check-store-boundary). */
sqlite3 *enc__store_db(enc_store *st);

enum {
    ST_IDENT_FIND,
    ST_IDENT_SET,
    ST_CUST_INSERT,
    ST_CUST_UPDATE,
    ST_MERGE_0,
    ST_MERGE_LAST = ST_MERGE_0 + 8,
    ST_MERGE_LOG,
    ST_PROD_INSERT,
    ST_PROD_FILL,
    ST_PROD_UPDATE,
    ST_PROD_ID,
    ST_ORDER_INSERT,
    ST_ORDER_UPDATE,
    ST_ORDER_ID,
    ST_ORDER_REFRESH,
    ST_LINE_INSERT,
    ST_LINE_UPDATE,
    ST_EVENT_INSERT,
    ST_EVENT_UPDATE,
    ST_FB_INSERT,
    ST_FB_UPDATE,
    ST_CONSENT_INSERT,
    ST_IMPORT_LOG,
    ST_CONSENT_STATE,
    ST_IDENT_OWNER,
    ST_CUST_SURVIVOR,
    ST_CUST_STATE,
    ST_CUST_FILL,
    ST_ORDER_TOTALS,
    ST_MOVE_0, /* merge_moves, one a table (store_merge.c) */
    ST_MOVE_LAST = ST_MOVE_0 + 3,
    ENC__STMT_MAX
};

struct enc_store {
    sqlite3 *db;
    sqlite3_stmt *stmts[ENC__STMT_MAX];
    bool bulk;         /* between enc_store_bulk(on) and (off) */
    bool triggers_off; /* the bulk path runs without triggers (store.c) */
};

/* The cached statement for slot (prepared on first use, reset and unbound), or NULL. */
sqlite3_stmt *enc__store_stmt(enc_store *st, int slot, const char *sql, enc_err *err);
/* Binds text, or NULL for a NULL or empty string. */
void enc__bind_text(sqlite3_stmt *s, int i, const char *v);
enc_rc enc__store_done(enc_store *st, sqlite3_stmt *s, enc_err *err, const char *what);
enc_rc enc__store_sqlfail(enc_store *st, enc_err *err, const char *what);
/* Inside the profiles' write transaction: copies run_id's segments into segment_history and
 * drops runs beyond the last ENC_HISTORY_RUNS (store_analytics.c). */
#define ENC_HISTORY_RUNS 3
enc_rc enc__store_history_record(enc_store *st, int64_t run_id, enc_err *err);
#endif
