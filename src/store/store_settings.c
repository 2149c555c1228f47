/* store_settings.c — the SQLite side of settings_store.h: keyed settings in campaign_settings,
 * read and written one key at a time (rarely: when a command or request starts). */
#include "store/settings_store.h"
#include "store/store_int.h"
#include "base/mem.h"
#include <sqlite3.h>

enc_rc enc_store_settings_get(enc_store *st, const char *key, const char *what, char **out,
                              enc_err *err)
{
    *out = NULL;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM campaign_settings WHERE key = ?1", -1, &q,
                           NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, what);
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) *out = enc_xstrdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (r != SQLITE_ROW && r != SQLITE_DONE) return enc__store_sqlfail(st, err, what);
    return ENC_OK;
}

enc_rc enc_store_settings_put(enc_store *st, const char *key, const char *what, const char *text,
                              size_t n, enc_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO campaign_settings(key, value) VALUES(?1, ?2)"
                           " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           -1, &q, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, what);
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, text, (int)n, SQLITE_TRANSIENT);
    int r = sqlite3_step(q);
    sqlite3_finalize(q);
    if (r != SQLITE_DONE) return enc__store_sqlfail(st, err, what);
    return ENC_OK;
}
