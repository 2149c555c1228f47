/* store_colcache.c — the SQLite side of colcache_store.h: column_gen, column_marks and the
 * profiles' column scans of the column caches and the audience evaluator. */
#include "store/colcache_store.h"
#include "store/scan_int.h"
#include "store/store_int.h"
#include "base/buf.h"
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static int64_t scalar(sqlite3 *db, const char *sql, int64_t dflt)
{
    sqlite3_stmt *q;
    int64_t v = dflt;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return dflt;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

int64_t enc_store_column_gen(enc_store *st, int id)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT gen FROM column_gen WHERE id = %d", id);
    return scalar(st->db, sql, -1);
}

int64_t enc_store_max_id(enc_store *st, const char *table)
{
    static const char *const known[] = {"customers", "products", "orders",
                                        "events",    "feedback", "consents"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(table, known[i]) == 0) {
            char sql[96];
            snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", known[i]);
            return scalar(st->db, sql, 0);
        }
    return 0;
}

int64_t enc_store_colmark_get(enc_store *st, const char *table)
{
    sqlite3_stmt *q;
    int64_t v = -1;
    if (sqlite3_prepare_v2(st->db, "SELECT hwm FROM column_marks WHERE tbl = ?1", -1, &q, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

enc_rc enc_store_colmarks_set(enc_store *st, const char *const *tables, const int64_t *hwm,
                              size_t n, enc_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO column_marks(tbl, hwm) VALUES(?1, ?2) ON CONFLICT(tbl)"
                           " DO UPDATE SET hwm = excluded.hwm",
                           -1, &q, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "column cache");
    enc_rc rc = ENC_OK;
    for (size_t t = 0; t < n && !rc; t++) {
        sqlite3_bind_text(q, 1, tables[t], -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, hwm[t]);
        if (sqlite3_step(q) != SQLITE_DONE) rc = enc__store_sqlfail(st, err, "column cache marks");
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return rc;
}

enc_rc enc_store_colmarks_drop(enc_store *st, bool profiles, enc_err *err)
{
    if (sqlite3_exec(st->db,
                     profiles ? "DELETE FROM column_marks WHERE tbl = 'profiles'"
                              : "DELETE FROM column_marks WHERE tbl != 'profiles'",
                     NULL, NULL, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, profiles ? "profile cache mark" : "column cache marks");
    return ENC_OK;
}

int64_t enc_store_profgen(enc_store *st, bool *marked)
{
    int64_t g = -1;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT (SELECT gen FROM column_gen WHERE id = 2), EXISTS(SELECT 1"
                           " FROM column_marks WHERE tbl = 'profiles')",
                           -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) {
            g = sqlite3_column_type(q, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 0);
            *marked = sqlite3_column_int(q, 1) != 0;
        }
        sqlite3_finalize(q);
    }
    return g;
}

enc_rc enc_store_profmark(enc_store *st, int64_t *gen, bool *marked, enc_err *err)
{
    if (sqlite3_exec(st->db,
                     "INSERT INTO column_marks(tbl, hwm) VALUES('profiles', 0) ON CONFLICT(tbl)"
                     " DO NOTHING",
                     NULL, NULL, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "profile cache mark");
    *gen = enc_store_profgen(st, marked);
    return ENC_OK;
}

static bool ident(const char *s)
{
    if (!s || !*s) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

enc_scan *enc_store_profile_scan(enc_store *st, const char *const *cols, int n, bool with_as_of,
                                 bool visible_only, const char *what, enc_err *err)
{
    for (int k = 0; k < n; k++)
        if (!ident(cols[k])) {
            enc_fail(err, ENC_EUSAGE, "%s: not a column name", what);
            return NULL;
        }
    enc_buf sql = {0};
    enc_buf_adds(&sql, with_as_of ? "SELECT customer_id, as_of" : "SELECT customer_id");
    for (int k = 0; k < n; k++) enc_buf_printf(&sql, ", %s", cols[k]);
    enc_buf_adds(&sql, visible_only ? " FROM profiles WHERE as_of <= ?1 ORDER BY customer_id"
                                    : " FROM profiles ORDER BY customer_id");
    enc_scan *c = enc__scan_prepare(st, sql.p, what, err);
    enc_buf_free(&sql);
    return c;
}
