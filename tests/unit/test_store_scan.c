/* test_store_scan.c — the store's read interfaces of the analytic modules (scan_store.h and the
 * per-module query files): the row cursor, the side connection of a parallel load, keyed
 * settings, column marks and generations, and the names the store refuses to put into SQL. */
#include "harness.h"
#include "store/attribution_store.h"
#include "store/colcache_store.h"
#include "store/report_store.h"
#include "store/respond_store.h"
#include "store/scan_store.h"
#include "store/settings_store.h"
#include "store/snapshot_store.h"
#include <stdlib.h>

/* The store file `name` in the tests' directory: a fresh one (fresh) or the one there (a
 * second connection to it). */
static enc_store *store_at(const char *name, bool fresh)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), name);
    if (fresh) unlink(path);
    enc_store *st = NULL;
    enc_err err = {0};
    CHECK_MSG(enc_store_open(path, &st, &err) == ENC_OK, "open %s: %s", name, err.msg);
    return st;
}
#define open_store(name) store_at(name, true)

static void add_customers(enc_store *st, int n)
{
    enc_err err = {0};
    enc_store_begin(st, &err);
    static int seq; /* external ids unique across the tests' stores */
    for (int i = 0; i < n; i++) {
        char ext[16];
        snprintf(ext, sizeof ext, "c%d", seq++ % 10);
        enc_customer_rec r = {.source = "test", .source_key = ext, .external_id = ext};
        int64_t id;
        if (enc_store_customer_insert(st, &r, &id, &err)) TH_FAIL("insert: %s", err.msg);
    }
    enc_store_commit(st, &err);
}

/* Rows come back in order with typed columns; the cursor reports the end and can be reset. */
static void cursor_reads_rows(void)
{
    enc_store *st = open_store("scan_cursor.db");
    add_customers(st, 5);
    enc_err err = {0};
    CHECK_INT(enc_store_snapq_scalar(st, ENC_SNAPQ_CUST_COUNT, &err), 5);
    CHECK_INT(enc_store_snapq_scalar(st, ENC_SNAPQ_CUST_MAX, &err), 5);
    enc_scan *q = enc_store_snapq(st, ENC_SNAPQ_CUST_ATTRS, &err);
    CHECK(q != NULL);
    if (!q) return;
    enc_scan_bind_i64(q, 1, 1); /* ids in (1, 4] */
    enc_scan_bind_i64(q, 2, 4);
    int64_t ids[8];
    int n = 0, r;
    while ((r = enc_scan_next(q)) == ENC_SCAN_ROW && n < 8) {
        ids[n] = enc_scan_i64(q, 0);
        CHECK(enc_scan_is_int(q, 0));
        CHECK(!enc_scan_null(q, 1));
        CHECK_INT(enc_scan_bytes(q, 1), 2); /* "c1" .. */
        CHECK(enc_scan_null(q, 2));         /* no registration time */
        n++;
    }
    CHECK_INT(r, ENC_SCAN_DONE);
    CHECK_INT(n, 3);
    CHECK_INT(ids[0], 2);
    CHECK_INT(ids[2], 4);
    enc_scan_reset(q);
    CHECK_INT(enc_scan_next(q), ENC_SCAN_ROW);
    CHECK_INT(enc_scan_i64(q, 0), 2);
    enc_scan_close(q);
    CHECK(enc_store_snapq(st, ENC_SNAPQ_N, &err) == NULL);
    enc_store_close(st);
}

/* The side connection sees what the main one saw when both began, not a later commit. */
static void side_sees_the_same_moment(void)
{
    enc_store *st = open_store("scan_side.db");
    add_customers(st, 3);
    enc_store *side = enc_store_side_open(st, 0);
    CHECK(side != NULL);
    if (!side) return;
    CHECK(!enc_store_autocommit(st)); /* st's read transaction is open */
    enc_err err = {0};
    /* a writer commits a fourth customer after both read transactions began */
    enc_store *w = store_at("scan_side.db", false);
    if (w) add_customers(w, 1);
    enc_store_close(w);
    CHECK_INT(enc_store_snapq_scalar(side, ENC_SNAPQ_CUST_COUNT, &err), 3);
    CHECK_INT(enc_store_snapq_scalar(st, ENC_SNAPQ_CUST_COUNT, &err), 3);
    enc_store_side_close(side);
    enc_store_read_end(st);
    CHECK(enc_store_autocommit(st));
    CHECK_INT(enc_store_snapq_scalar(st, ENC_SNAPQ_CUST_COUNT, &err), 4);
    enc_store_close(st);

    /* an in-memory store has no file for a side connection */
    enc_store *mem = NULL;
    if (enc_store_open(":memory:", &mem, &err)) {
        th_skip_anywhere("no in-memory store");
        return;
    }
    CHECK(enc_store_side_open(mem, 0) == NULL);
    CHECK(enc_store_read_begin(mem, "test", &err) == ENC_OK);
    enc_store_read_end(mem);
    enc_store_close(mem);
}

static void settings_round_trip(void)
{
    enc_store *st = open_store("scan_settings.db");
    enc_err err = {0};
    char *v = (char *)1;
    CHECK(enc_store_settings_get(st, "test.key", "t", &v, &err) == ENC_OK);
    CHECK(v == NULL);
    CHECK(enc_store_settings_put(st, "test.key", "t", "{\"a\":1}xx", 7, &err) == ENC_OK);
    CHECK(enc_store_settings_get(st, "test.key", "t", &v, &err) == ENC_OK);
    CHECK_STR(v ? v : "(null)", "{\"a\":1}");
    free(v);
    CHECK(enc_store_settings_put(st, "test.key", "t", "2", 1, &err) == ENC_OK);
    CHECK(enc_store_settings_get(st, "test.key", "t", &v, &err) == ENC_OK);
    CHECK_STR(v ? v : "(null)", "2");
    free(v);
    enc_store_close(st);
}

static void marks_and_generations(void)
{
    enc_store *st = open_store("scan_marks.db");
    add_customers(st, 4);
    enc_err err = {0};
    CHECK_INT(enc_store_max_id(st, "customers"), 4);
    CHECK_INT(enc_store_max_id(st, "orders"), 0);
    CHECK_INT(enc_store_max_id(st, "customers; DROP TABLE orders"), 0); /* not a known table */
    CHECK_INT(enc_store_colmark_get(st, "customers"), -1);
    static const char *const t[] = {"customers", "orders"};
    int64_t hwm[] = {4, 0};
    enc_store_begin(st, &err);
    CHECK(enc_store_colmarks_set(st, t, hwm, 2, &err) == ENC_OK);
    enc_store_commit(st, &err);
    CHECK_INT(enc_store_colmark_get(st, "customers"), 4);
    CHECK_INT(enc_store_colmark_get(st, "orders"), 0);
    bool marked = true;
    int64_t g0 = enc_store_profgen(st, &marked);
    CHECK(!marked);
    int64_t g = -2;
    enc_store_begin(st, &err);
    CHECK(enc_store_profmark(st, &g, &marked, &err) == ENC_OK);
    enc_store_commit(st, &err);
    CHECK(marked);
    CHECK_INT(g, g0);
    CHECK(enc_store_colmarks_drop(st, false, &err) == ENC_OK);
    CHECK_INT(enc_store_colmark_get(st, "customers"), -1);
    CHECK_INT(enc_store_colmark_get(st, "profiles"), 0); /* kept */
    CHECK(enc_store_colmarks_drop(st, true, &err) == ENC_OK);
    CHECK_INT(enc_store_colmark_get(st, "profiles"), -1);
    enc_store_close(st);
}

/* Names reach SQL only when they are column names: anything else is refused with a message. */
static void bad_names_are_refused(void)
{
    enc_store *st = open_store("scan_names.db");
    enc_err err = {0};
    const char *bad[] = {"rfm_segment", "x FROM customers --"};
    CHECK(enc_store_profile_scan(st, bad, 2, false, false, "profiles", &err) == NULL);
    CHECK_INT(err.rc, ENC_EUSAGE);
    CHECK(strstr(err.msg, "profiles: not a column name") != NULL);
    const char *empty[] = {""};
    CHECK(enc_store_profile_scan(st, empty, 1, true, false, "profiles", &err) == NULL);
    const char *good[] = {"rfm_segment", "clv"};
    enc_scan *q = enc_store_profile_scan(st, good, 2, true, true, "profiles", &err);
    CHECK(q != NULL);
    if (q) {
        enc_scan_bind_i64(q, 1, INT64_MAX);
        CHECK_INT(enc_scan_next(q), ENC_SCAN_DONE); /* no profiles yet */
        enc_scan_close(q);
    }
    /* a column the table lacks: the engine's message, prefixed */
    const char *missing[] = {"no_such_column"};
    CHECK(enc_store_profile_scan(st, missing, 1, false, false, "profiles", &err) == NULL);
    CHECK_INT(err.rc, ENC_EDB);
    CHECK(strncmp(err.msg, "profiles: ", 10) == 0);
    err = (enc_err){0};
    CHECK(enc_store_report_groups(st, "monetary) FROM customers --", &err) == NULL);
    CHECK_INT(err.rc, ENC_EUSAGE);
    q = enc_store_report_groups(st, "lifecycle", &err);
    CHECK(q != NULL);
    enc_scan_close(q);
    enc_store_close(st);
}

/* Every named query of every module prepares against the current schema. */
static void every_query_prepares(void)
{
    enc_store *st = open_store("scan_all.db");
    enc_err err = {0};
    for (int k = 0; k < ENC_SNAPQ_N; k++) {
        enc_scan *q = enc_store_snapq(st, (enc_snapq)k, &err);
        CHECK_MSG(q != NULL, "snapshot query %d: %s", k, err.msg);
        enc_scan_close(q);
    }
    for (int k = 0; k < ENC_ATTRQ_N; k++) {
        enc_scan *q = enc_store_attrq(st, (enc_attrq)k, "c", 0, 0, &err);
        CHECK_MSG(q != NULL, "attribution query %d: %s", k, err.msg);
        if (q) CHECK(enc_scan_next(q) >= 0);
        enc_scan_close(q);
    }
    for (int k = 0; k < ENC_RESPQ_N; k++) {
        enc_scan *q = enc_store_respq(st, (enc_respq)k, "c", "respond", &err);
        CHECK_MSG(q != NULL, "respond query %d: %s", k, err.msg);
        enc_scan_close(q);
    }
    for (int k = 0; k < ENC_REPQ_N; k++) {
        enc_scan *q = enc_store_repq(st, (enc_repq)k, &err);
        CHECK_MSG(q != NULL, "report query %d: %s", k, err.msg);
        enc_scan_close(q);
    }
    double edges[] = {0, 0.25, 0.5, 0.75};
    for (int w = ENC_REPH_CLV; w <= ENC_REPH_CHURN; w++) {
        enc_scan *q = enc_store_report_hist(st, (enc_reph)w, 2, edges, 4, &err);
        CHECK_MSG(q != NULL, "histogram %d: %s", w, err.msg);
        if (q) CHECK_INT(enc_scan_next(q), ENC_SCAN_DONE);
        enc_scan_close(q);
    }
    enc_store_close(st);
}

int main(void)
{
    RUN(cursor_reads_rows);
    RUN(side_sees_the_same_moment);
    RUN(settings_round_trip);
    RUN(marks_and_generations);
    RUN(bad_names_are_refused);
    RUN(every_query_prepares);
    return TEST_SUMMARY();
}
