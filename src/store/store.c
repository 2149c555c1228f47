/* store.c — the SQLite backend of store.h: opening (WAL, migrations), transactions, and the
 * keyed writes ingest uses. Statements are prepared once per store and reused; a keyed write
 * is "insert or ignore, then update only when something differs", so re-importing the same
 * rows changes nothing and each row is counted as inserted, updated or the same. */
#include "store/store.h"
#include "store/schema.h"
#include "store/store_int.h"
#include "base/file.h"
#include "base/mem.h"
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

sqlite3 *enc__store_db(enc_store *st) { return st->db; }

int64_t enc__store_scan_begin(enc_store *st)
{
    int64_t was = -65536;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) was = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_exec(st->db, "PRAGMA cache_size=-2000", NULL, NULL, NULL);
    return was;
}

void enc__store_scan_end(enc_store *st, int64_t saved)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld", (long long)saved);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

enc_rc enc__store_sqlfail(enc_store *st, enc_err *err, const char *what)
{
    return enc_fail(err, ENC_EDB, "%s: %s", what, sqlite3_errmsg(st->db));
}

sqlite3_stmt *enc__store_stmt(enc_store *st, int slot, const char *sql, enc_err *err)
{
    if (slot < 0 || slot >= ENC__STMT_MAX) return NULL;
    sqlite3_stmt *s = st->stmts[slot];
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
    }
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        enc__store_sqlfail(st, err, "prepare");
        return NULL;
    }
    st->stmts[slot] = s;
    return s;
}

/* Strings are bound without a copy: every caller keeps them alive until the statement has
 * been stepped. */
void enc__bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

static int64_t now_epoch(void) { return (int64_t)time(NULL); }

static enc_rc exec(enc_store *st, const char *sql, enc_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        enc_fail(err, ENC_EDB, "%s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return ENC_EDB;
    }
    return ENC_OK;
}

int enc_store_schema_latest(void) { return enc__schema_count; }

int enc_store_schema_version(enc_store *st)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return v;
}

static enc_rc migrate(enc_store *st, enc_err *err)
{
    int v = enc_store_schema_version(st);
    if (v < 0) return enc__store_sqlfail(st, err, "reading schema version");
    if (v > enc__schema_count)
        return enc_fail(err, ENC_EDB,
                        "the database has schema version %d, newer than this encore knows (%d)", v,
                        enc__schema_count);
    if (v == enc__schema_count) return ENC_OK;
    enc_rc rc = exec(st, "BEGIN IMMEDIATE", err);
    if (rc) return rc;
    for (int i = v; i < enc__schema_count; i++) {
        if (exec(st, enc__schema_migrations[i], err)) {
            char m[sizeof err->msg];
            snprintf(m, sizeof m, "%s", err->msg);
            exec(st, "ROLLBACK", NULL);
            return enc_fail(err, ENC_EDB, "migration %d: %s", i + 1, m);
        }
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", enc__schema_count);
    if (exec(st, sql, err) || exec(st, "COMMIT", err)) {
        exec(st, "ROLLBACK", NULL);
        return err->rc;
    }
    return ENC_OK;
}

static pthread_once_t configured = PTHREAD_ONCE_INIT;
static void configure_sqlite(void)
{
    /* no allocation statistics: they cost a mutex per malloc */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enc_rc enc_store_open(const char *path, enc_store **out, enc_err *err)
{
    *out = NULL;
    pthread_once(&configured, configure_sqlite);
    /* the store holds personal data: a new file is created 0600 whatever the umask, and
     * SQLite gives its -wal and -shm files the database file's mode */
    if (path[0] && path[0] != ':' && strncmp(path, "file:", 5) != 0 && access(path, F_OK) != 0) {
        int fd = enc_open_private(path, O_RDWR | O_CREAT | O_EXCL);
        if (fd >= 0) close(fd);
    }
    enc_store *st = enc_xcalloc(1, sizeof *st);
    /* a store handle belongs to one thread: no per-call mutexes */
    int rc = sqlite3_open_v2(
        path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        enc_fail(err, ENC_EDB, "cannot open %s: %s", path,
                 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        sqlite3_close(st->db);
        free(st);
        return ENC_EDB;
    }
    sqlite3_busy_timeout(st->db, 10000);
    /* WAL: readers do not block the writer; synchronous=NORMAL keeps every committed
     * transaction across a process crash (only an OS crash may lose the last ones). */
    if (exec(st,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
             "PRAGMA cache_size=-65536; PRAGMA foreign_keys=OFF;",
             err) ||
        migrate(st, err)) {
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "%s", err->msg);
        enc_store_close(st);
        return enc_fail(err, ENC_EDB, "%s: %s", path, m);
    }
    *out = st;
    return ENC_OK;
}

void enc_store_close(enc_store *st)
{
    if (!st) return;
    for (int i = 0; i < ENC__STMT_MAX; i++) sqlite3_finalize(st->stmts[i]);
    sqlite3_close(st->db);
    free(st);
}

enc_rc enc_store_commit(enc_store *st, enc_err *err) { return exec(st, "COMMIT", err); }
/* Turns this connection's triggers on or off (SQLite expires the prepared statements, which
 * are prepared again, with or without the triggers' programs, on their next step). */
static void set_triggers(enc_store *st, bool on)
{
    if (st->triggers_off == !on) return;
    sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, on ? 1 : 0, NULL);
    st->triggers_off = !on;
}

/* Whether any column cache mark is set: without one, every column_gen trigger is a no-op. */
static bool marks_exist(enc_store *st)
{
    sqlite3_stmt *q;
    bool any = true; /* when in doubt, keep the triggers */
    if (sqlite3_prepare_v2(st->db, "SELECT EXISTS(SELECT 1 FROM column_marks)", -1, &q, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) any = sqlite3_column_int(q, 0) != 0;
        sqlite3_finalize(q);
    }
    return any;
}

enc_rc enc_store_begin(enc_store *st, enc_err *err)
{
    enc_rc rc = exec(st, "BEGIN IMMEDIATE", err);
    if (rc) return rc;
    /* in bulk mode the triggers stay off only while no cache has set marks: another process
     * may build a cache between two of our transactions, and from then on they count */
    if (st->bulk && st->triggers_off && marks_exist(st)) set_triggers(st, true);
    return ENC_OK;
}

enc_rc enc_store_bulk(enc_store *st, bool on, enc_err *err)
{
    /* During bulk writes the WAL is not checkpointed after every 4 MB (each checkpoint
     * syncs the database file); at the end it is checkpointed once and truncated. The
     * column cache's triggers (schema.c, migration 6) only raise its generation when a row
     * at or below a mark changes: before any cache has set marks they can do nothing, and
     * the bulk path runs without them (enc_store_begin checks again at every transaction). */
    st->bulk = on;
    if (on) {
        if (!marks_exist(st)) set_triggers(st, false);
        return exec(st, "PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=-524288", err);
    }
    set_triggers(st, true);
    if (exec(st, "PRAGMA wal_autocheckpoint=1000; PRAGMA cache_size=-65536", err)) return err->rc;
    return exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", err);
}

void enc_store_rollback(enc_store *st)
{
    if (!sqlite3_get_autocommit(st->db)) exec(st, "ROLLBACK", NULL);
}

/* Runs a prepared statement to completion; for statements with no rows. */
enc_rc enc__store_done(enc_store *st, sqlite3_stmt *s, enc_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return enc__store_sqlfail(st, err, what);
    return ENC_OK;
}

/* ---- identities ---------------------------------------------------------------------- */

enc_rc enc_store_ident_find(enc_store *st, const char *kind, const char *value, int64_t *cust,
                            enc_err *err)
{
    *cust = 0;
    sqlite3_stmt *s =
        enc__store_stmt(st, ST_IDENT_FIND,
                        "SELECT coalesce(c.merged_into, c.id) FROM identities i JOIN customers c"
                        " ON c.id = i.customer_id WHERE i.kind = ?1 AND i.value = ?2",
                        err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *cust = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "finding identity");
    sqlite3_reset(s);
    return ENC_OK;
}

enc_rc enc_store_ident_all(enc_store *st, enc_ident_list *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    int64_t n = 0, nm = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT (SELECT count(*) FROM identities), (SELECT count(*) FROM"
                           " customers WHERE merged_into IS NOT NULL)",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading identities");
    if (sqlite3_step(s) == SQLITE_ROW) {
        n = sqlite3_column_int64(s, 0);
        nm = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (n < 0 || nm < 0) return enc_fail(err, ENC_EDB, "reading identities: bad counts");
    out->arena = enc_arena_new(1 << 20);
    out->kind = enc_xmalloc((size_t)(n ? n : 1));
    out->value = enc_xmalloc((size_t)(n ? n : 1) * sizeof *out->value);
    out->cust = enc_xmalloc((size_t)(n ? n : 1) * sizeof *out->cust);
    out->merged_from = enc_xmalloc((size_t)(nm ? nm : 1) * sizeof *out->merged_from);
    out->merged_into = enc_xmalloc((size_t)(nm ? nm : 1) * sizeof *out->merged_into);
    if (sqlite3_prepare_v2(st->db, "SELECT kind, value, customer_id FROM identities", -1, &s,
                           NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading identities");
    while ((int64_t)out->n < n && sqlite3_step(s) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 0);
        const char *v = (const char *)sqlite3_column_text(s, 1);
        if (!k || !v) continue; /* the store is input too */
        out->kind[out->n] = k[0] == 'e' && k[1] == 'x' ? 0 : k[0] == 'e' ? 1 : 2;
        out->value[out->n] = enc_arena_strndup(out->arena, v, (size_t)sqlite3_column_bytes(s, 1));
        out->cust[out->n] = sqlite3_column_int64(s, 2);
        out->n++;
    }
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, merged_into FROM customers WHERE merged_into IS NOT NULL",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading merges");
    while ((int64_t)out->nmerged < nm && sqlite3_step(s) == SQLITE_ROW) {
        out->merged_from[out->nmerged] = sqlite3_column_int64(s, 0);
        out->merged_into[out->nmerged] = sqlite3_column_int64(s, 1);
        out->nmerged++;
    }
    sqlite3_finalize(s);
    return ENC_OK;
}

void enc_store_ident_list_free(enc_ident_list *l)
{
    free(l->kind);
    free(l->value);
    free(l->cust);
    free(l->merged_from);
    free(l->merged_into);
    enc_arena_free(l->arena);
    memset(l, 0, sizeof *l);
}

enc_rc enc_store_ident_set(enc_store *st, const char *kind, const char *value, int64_t cust,
                           const char *source, enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_IDENT_SET,
        "INSERT INTO identities(kind, value, customer_id, source) VALUES(?1, ?2, ?3, ?4)"
        " ON CONFLICT(kind, value) DO UPDATE SET customer_id = excluded.customer_id"
        " WHERE customer_id IS NOT excluded.customer_id",
        err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, cust);
    enc__bind_text(s, 4, source);
    return enc__store_done(st, s, err, "recording identity");
}

/* ---- customers ----------------------------------------------------------------------- */

/* Binds the profile fields of r to ?3..?16 (shared by insert and update). */
static void bind_customer_fields(sqlite3_stmt *s, const enc_customer_rec *r)
{
    enc__bind_text(s, 3, r->external_id);
    enc__bind_text(s, 4, r->name);
    enc__bind_text(s, 5, r->email);
    enc__bind_text(s, 6, r->phone);
    enc__bind_text(s, 7, r->gender);
    enc__bind_text(s, 8, r->birthday);
    enc__bind_text(s, 9, r->country);
    enc__bind_text(s, 10, r->region);
    enc__bind_text(s, 11, r->city);
    enc__bind_text(s, 12, r->occupation);
    enc__bind_text(s, 13, r->tz);
    if (r->has_registered) sqlite3_bind_int64(s, 14, r->registered_at);
    enc__bind_text(s, 15, r->tier);
    if (r->has_points) sqlite3_bind_int64(s, 16, r->points);
}

enc_rc enc_store_customer_insert(enc_store *st, const enc_customer_rec *r, int64_t *id,
                                 enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_CUST_INSERT,
        "INSERT INTO customers(source, source_key, external_id, name, email, phone, gender,"
        " birthday, country, region, city, occupation, tz, registered_at, tier, points,"
        " created_at, updated_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " coalesce(?16, 0), ?17, ?17)",
        err);
    if (!s) return ENC_EDB;
    enc__bind_text(s, 1, r->source);
    enc__bind_text(s, 2, r->source_key);
    bind_customer_fields(s, r);
    sqlite3_bind_int64(s, 17, now_epoch());
    if (enc__store_done(st, s, err, "inserting customer")) return ENC_EDB;
    *id = sqlite3_last_insert_rowid(st->db);
    return ENC_OK;
}

enc_rc enc_store_customer_update(enc_store *st, int64_t id, const enc_customer_rec *r, enc_put *res,
                                 enc_err *err)
{
#define F(col, n) " " col " = coalesce(?" #n ", " col "),"
#define D(col, n) " (?" #n " IS NOT NULL AND ?" #n " IS NOT " col ") OR"
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_CUST_UPDATE,
        "UPDATE customers SET"
        " external_id = coalesce(external_id, ?3)," F("name", 4) F("email", 5) F("phone", 6)
            F("gender", 7) F("birthday", 8) F("country", 9) F("region", 10) F("city", 11)
                F("occupation", 12) F("tz", 13) F("registered_at", 14) F("tier", 15)
                    F("points", 16) " updated_at = ?17 WHERE id = ?1 AND (" D("name", 4)
                        D("email", 5) D("phone", 6) D("gender", 7) D("birthday", 8) D("country", 9)
                            D("region", 10) D("city", 11) D("occupation", 12) D("tz", 13)
                                D("registered_at", 14) D("tier", 15)
                                    D("points", 16) " (?3 IS NOT NULL AND external_id IS NULL))",
        err);
#undef F
#undef D
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, id);
    bind_customer_fields(s, r);
    sqlite3_bind_int64(s, 17, now_epoch());
    if (enc__store_done(st, s, err, "updating customer")) return ENC_EDB;
    *res = sqlite3_changes(st->db) ? ENC_PUT_UPDATED : ENC_PUT_SAME;
    return ENC_OK;
}
