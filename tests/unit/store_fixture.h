/* store_fixture.h — a fresh store in the test's temporary directory and one-value SQL reads
 * for checking what a test wrote (test_outbox, test_store_outbox). Header-only, included by
 * one test each. */
#ifndef ENCORE_TEST_STORE_FIXTURE_H
#define ENCORE_TEST_STORE_FIXTURE_H
#include "harness.h"
#include "store/store_int.h"
#include "store/store.h"
#include <sqlite3.h>

/* A new store (an older file of that name is removed); the caller closes it. */
static inline enc_store *fresh(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), name);
    unlink(path);
    enc_store *st = NULL;
    enc_err err = {0};
    if (enc_store_open(path, &st, &err)) TH_FAIL("open: %s", err.msg);
    return st;
}

/* The first column of the first row of sql, -1 when there is none. */
static inline int64_t scalar(enc_store *st, const char *sql)
{
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(enc__store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}
#endif
