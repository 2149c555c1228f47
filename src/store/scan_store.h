/* scan_store.h — the row cursor through which the analytic modules (snapshot, column caches,
 * report, attribution, response simulation) read the store without seeing its engine: each
 * module's queries live in src/store (store_snapshot.c, store_report.c, ...) and are opened
 * there by name; the caller binds parameters, steps rows and reads typed columns. A cursor is
 * one prepared statement, reused across runs (reset) without re-preparing. Also the read
 * transaction, the side connection of a parallel load and the page-cache/mmap settings of a
 * bulk scan. Part of the store interface (store.h), in its own header so that it grows without
 * touching store.h. */
#ifndef ENCORE_SCAN_STORE_H
#define ENCORE_SCAN_STORE_H
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct enc_scan enc_scan;

/* Binding (k counts from 1). Text is copied (n < 0: up to the NUL); NULL text binds NULL. */
void enc_scan_bind_i64(enc_scan *c, int k, int64_t v);
void enc_scan_bind_double(enc_scan *c, int k, double v);
void enc_scan_bind_text(enc_scan *c, int k, const char *s, int n);
/* The next row: ENC_SCAN_ROW (1) a row, ENC_SCAN_DONE (0) the end, -1 an error (enc_scan_fail
 * says which). */
enum { ENC_SCAN_DONE = 0, ENC_SCAN_ROW = 1 };
int enc_scan_next(enc_scan *c);
/* Columns of the current row (col counts from 0). Text is owned by the cursor and valid until
 * the next step, reset or close; NULL for SQL NULL. */
int64_t enc_scan_i64(enc_scan *c, int col);
int enc_scan_int(enc_scan *c, int col);
double enc_scan_double(enc_scan *c, int col);
const unsigned char *enc_scan_text(enc_scan *c, int col);
int enc_scan_bytes(enc_scan *c, int col);
bool enc_scan_null(enc_scan *c, int col);
bool enc_scan_is_int(enc_scan *c, int col); /* an INTEGER value (not NULL, real or text) */
/* Back to before the first row, bindings kept (for reuse). */
void enc_scan_reset(enc_scan *c);
/* Finalizes; NULL is fine. */
void enc_scan_close(enc_scan *c);
/* Fails err with ENC_EDB, "what: <the engine's message>" for the cursor's connection. */
enc_rc enc_scan_fail(enc_scan *c, enc_err *err, const char *what);

/* Fails err with ENC_EDB, "what: <the engine's last message on st>". */
enc_rc enc_store_scan_fail(enc_store *st, enc_err *err, const char *what);
/* True when no transaction is open on st. */
bool enc_store_autocommit(enc_store *st);
/* A deferred read transaction (BEGIN; failing err with "what: <message>") and its end
 * (COMMIT, ignoring errors). */
enc_rc enc_store_read_begin(enc_store *st, const char *what, enc_err *err);
void enc_store_read_end(enc_store *st);

/* The database file's size in bytes (page count x page size), 0 when unknown. */
int64_t enc_store_db_bytes(enc_store *st);
/* The connection's memory-map limit (PRAGMA mmap_size): get (-1 unknown) and set. */
int64_t enc_store_mmap_get(enc_store *st);
void enc_store_mmap_set(enc_store *st, int64_t bytes);

/* A second, read-only connection to st's file that sees exactly what st sees (for a parallel
 * load): a write lock is taken briefly on a third connection so that no writer commits between
 * the two read transactions opened here, st's and the side's. NULL when it cannot be made (an
 * in-memory store, a busy writer): the caller then reads alone and opens its own transaction.
 * With a side, st's read transaction is open; close the side with enc_store_side_close
 * (which commits its read transaction) and end st's with enc_store_read_end. */
enc_store *enc_store_side_open(enc_store *st, int64_t mmap_bytes);
void enc_store_side_close(enc_store *side);
#endif
