/* store_scan.c — the SQLite side of scan_store.h: the row cursor over a prepared statement (an
 * enc_scan is the sqlite3_stmt itself, so a column read costs one call), the read transaction,
 * the bulk-scan settings (mmap) and the side connection of a parallel snapshot load. The
 * statements themselves are in the modules' own store files (store_snapshot.c, ...), opened
 * through enc__scan_prepare. */
#include "store/scan_store.h"
#include "store/scan_int.h"
#include "store/store_int.h"
#include "base/mem.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#define STMT(c) ((sqlite3_stmt *)(void *)(c))

enc_scan *enc__scan_prepare(enc_store *st, const char *sql, const char *what, enc_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(st->db));
        return NULL;
    }
    return (enc_scan *)(void *)q;
}

void enc_scan_bind_i64(enc_scan *c, int k, int64_t v) { sqlite3_bind_int64(STMT(c), k, v); }
void enc_scan_bind_double(enc_scan *c, int k, double v) { sqlite3_bind_double(STMT(c), k, v); }
void enc_scan_bind_text(enc_scan *c, int k, const char *s, int n)
{
    if (s) sqlite3_bind_text(STMT(c), k, s, n, SQLITE_TRANSIENT);
    else sqlite3_bind_null(STMT(c), k);
}

int enc_scan_next(enc_scan *c)
{
    int r = sqlite3_step(STMT(c));
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

int64_t enc_scan_i64(enc_scan *c, int col) { return sqlite3_column_int64(STMT(c), col); }
int enc_scan_int(enc_scan *c, int col) { return sqlite3_column_int(STMT(c), col); }
double enc_scan_double(enc_scan *c, int col) { return sqlite3_column_double(STMT(c), col); }
const unsigned char *enc_scan_text(enc_scan *c, int col)
{
    return sqlite3_column_text(STMT(c), col);
}
int enc_scan_bytes(enc_scan *c, int col) { return sqlite3_column_bytes(STMT(c), col); }
bool enc_scan_null(enc_scan *c, int col)
{
    return sqlite3_column_type(STMT(c), col) == SQLITE_NULL;
}
bool enc_scan_is_int(enc_scan *c, int col)
{
    return sqlite3_column_type(STMT(c), col) == SQLITE_INTEGER;
}
void enc_scan_reset(enc_scan *c) { sqlite3_reset(STMT(c)); }
void enc_scan_close(enc_scan *c) { sqlite3_finalize(STMT(c)); }

enc_rc enc_scan_fail(enc_scan *c, enc_err *err, const char *what)
{
    return enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(sqlite3_db_handle(STMT(c))));
}

enc_rc enc_store_scan_fail(enc_store *st, enc_err *err, const char *what)
{
    return enc__store_sqlfail(st, err, what);
}

bool enc_store_autocommit(enc_store *st) { return sqlite3_get_autocommit(st->db) != 0; }

enc_rc enc_store_read_begin(enc_store *st, const char *what, enc_err *err)
{
    if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, what);
    return ENC_OK;
}

void enc_store_read_end(enc_store *st) { sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL); }

static int64_t scalar(sqlite3 *db, const char *sql, int64_t dflt)
{
    int64_t v = dflt;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    return v;
}

int64_t enc_store_db_bytes(enc_store *st)
{
    return scalar(st->db,
                  "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", 0);
}

int64_t enc_store_mmap_get(enc_store *st) { return scalar(st->db, "PRAGMA mmap_size", 0); }

static void set_mmap(sqlite3 *db, int64_t bytes)
{
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA mmap_size=%lld", (long long)bytes);
    sqlite3_exec(db, pragma, NULL, NULL, NULL);
}

void enc_store_mmap_set(enc_store *st, int64_t bytes) { set_mmap(st->db, bytes); }

/* A third connection takes the write lock (BEGIN IMMEDIATE) while both start their read
 * transactions, so no commit can fall between the two starts; the lock is released at once
 * (writers wait milliseconds, not the whole load). NULL — and nothing begun — for an in-memory
 * or unwritable database. */
enc_store *enc_store_side_open(enc_store *st, int64_t map)
{
    sqlite3 *db = st->db;
    const char *path = sqlite3_db_filename(db, "main");
    if (!path || !*path) return NULL;
    sqlite3 *lock = NULL, *side = NULL;
    bool main_begun = false;
    if (sqlite3_open_v2(path, &lock, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_open_v2(path, &side, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(lock, 10000);
    sqlite3_busy_timeout(side, 10000);
    if (map) set_mmap(side, map);
    if (sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) goto fail;
    /* reading the schema table starts each read transaction */
    main_begun = sqlite3_exec(db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) ==
                 SQLITE_OK;
    if (!main_begun || sqlite3_exec(side, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL,
                                    NULL) != SQLITE_OK)
        goto fail;
    sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(lock);
    enc_store *s = enc_xcalloc(1, sizeof *s);
    s->db = side;
    return s;
fail:
    if (main_begun) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (lock) sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(lock);
    sqlite3_close(side);
    return NULL;
}

void enc_store_side_close(enc_store *side)
{
    if (!side) return;
    sqlite3_exec(side->db, "COMMIT", NULL, NULL, NULL);
    enc_store_close(side);
}
