/* store_complements.c — the SQLite side of complements_store.h. */
#include "store/complements_store.h"
#include "store/store_int.h"
#include <sqlite3.h>

enc_rc enc_store_complements_scan(enc_store *st,
                                  void (*fn)(void *ctx, const char *sku, const char *complements),
                                  void *ctx, enc_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT sku, complements FROM products WHERE complements IS NOT NULL",
                           -1, &q, NULL) != SQLITE_OK)
        return enc_fail(err, ENC_EDB, "reading complements: %s", sqlite3_errmsg(st->db));
    while (sqlite3_step(q) == SQLITE_ROW)
        fn(ctx, (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1));
    sqlite3_finalize(q);
    return ENC_OK;
}
