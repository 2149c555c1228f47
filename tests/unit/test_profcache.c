/* test_profcache.c — the profile columns read through the profile cache equal those read from
 * the profiles table, for every profile field, on random rows with NULLs, empty texts, domain
 * values in other spellings, numbers stored as text and text stored as numbers, lists with
 * repeats, rows after the evaluation time and rows of merged customers; any write to profiles
 * makes the cache unused; a list that is not a JSON array is left to the store, which reports
 * it as before. */
#include "harness.h"
#include "store/store_int.h"
#include "audience/columns.h"
#include "audience/fields.h"
#include "audience/profcache.h"
#include "base/buf.h"
#include "base/rng.h"
#include "snapshot/snapshot.h"
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

static enc_store *st;
static enc_err err;
static enc_rng rng;

static int64_t pick(int64_t n) { return (int64_t)(enc_rng_uniform(&rng) * (double)n); }

static void exec(const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(enc__store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
        TH_FAIL("%s: %s", sql, msg);
    sqlite3_free(msg);
}

static void open_store(int ncust)
{
    char path[512];
    snprintf(path, sizeof path, "%s/profcache.db", th_tmpdir());
    unlink(path);
    char cpath[600];
    snprintf(cpath, sizeof cpath, "%s.profiles.columns", path);
    unlink(cpath);
    if (enc_store_open(path, &st, &err)) TH_FAIL("open: %s", err.msg);
    enc_rng_seed(&rng, 7);
    enc_store_begin(st, &err);
    for (int i = 1; i <= ncust; i++) {
        char key[16];
        snprintf(key, sizeof key, "c%d", i);
        enc_customer_rec r = {.source = "t", .source_key = key, .external_id = key};
        int64_t id;
        if (enc_store_customer_insert(st, &r, &id, &err)) TH_FAIL("customer: %s", err.msg);
    }
    enc_store_commit(st, &err);
    exec("UPDATE customers SET merged_into = 1 WHERE id % 17 = 0");
}

/* a value for a column of the given type, as SQL text */
static void value(enc_aud_type t, bool nullable, char *out, size_t n)
{
    static const char *const texts[] = {"'dormant'", "'Dormant'", "'At Risk'", "''",
                                        "'新客'",    "'growing'", "42",        "'x''y'"};
    static const char *const lists[] = {"'[]'",
                                        "'[\"vip\"]'",
                                        "'[\"vip\",\"complainer\"]'",
                                        "'[\"a\",\"a\",\"b\"]'",
                                        "'[\"家居\"]'",
                                        "''",
                                        "'[\"vip\"]'"};
    if (nullable && pick(6) == 0) {
        snprintf(out, n, "NULL");
        return;
    }
    if (t == AUD_TEXT) snprintf(out, n, "%s", texts[pick(8)]);
    else if (t == AUD_LIST) snprintf(out, n, "%s", lists[pick(7)]);
    else if (pick(10) == 0) snprintf(out, n, "'%d.5'", (int)pick(100)); /* a number as text */
    else snprintf(out, n, "%.6f", enc_rng_uniform(&rng) * 1000 - 100);
}

static void write_profiles(int ncust, int64_t as_of_base)
{
    exec("DELETE FROM profiles");
    enc_store_begin(st, &err);
    for (int c = 1; c <= ncust + 5; c++) { /* five rows for customers that do not exist */
        if (pick(8) == 0) continue;        /* unscored */
        enc_buf sql = {0}, vals = {0};
        enc_buf_printf(&sql, "INSERT INTO profiles(customer_id, run_id, as_of");
        enc_buf_printf(&vals, "VALUES(%d, 1, %lld", c, (long long)(as_of_base + pick(3) * 86400));
        const char *done[AUD_F_COUNT];
        int nd = 0;
        for (int f = 0; f < AUD_F_COUNT; f++) {
            if (enc_aud_fields[f].from != AUD_FROM_PROFILE ||
                strcmp(enc_aud_fields[f].column, "as_of") == 0)
                continue;
            bool seen = false;
            for (int k = 0; k < nd; k++) seen |= strcmp(done[k], enc_aud_fields[f].column) == 0;
            if (seen) continue;
            done[nd++] = enc_aud_fields[f].column;
            char v[64];
            const char *col = enc_aud_fields[f].column; /* NOT NULL in the schema */
            value(enc_aud_fields[f].type, strcmp(col, "frequency") && strcmp(col, "monetary"), v,
                  sizeof v);
            enc_buf_printf(&sql, ", %s", enc_aud_fields[f].column);
            enc_buf_printf(&vals, ", %s", v);
        }
        enc_buf_printf(&sql, ") %s)", vals.p);
        exec(sql.p);
        enc_buf_free(&sql);
        enc_buf_free(&vals);
    }
    enc_store_commit(st, &err);
}

/* every profile field's column, with and without the cache */
static void compare(int64_t now, bool cached)
{
    enc_snapshot *s;
    enc_snapshot_opts o = {0, INT64_MIN, INT64_MIN};
    if (enc_snapshot_load_opts(st, now, &o, &s, &err)) {
        TH_FAIL("snapshot: %s", err.msg);
        return;
    }
    enc_aud_env *a, *b;
    setenv("ENCORE_COLUMN_CACHE", "on", 1);
    enc_aud_env_new(s, st, now, &a, &err);
    bool need[AUD_F_COUNT] = {0};
    for (int f = 0; f < AUD_F_COUNT; f++) need[f] = enc_aud_fields[f].from == AUD_FROM_PROFILE;
    CHECK(enc_aud_env_need(a, need, &err) == ENC_OK);
    setenv("ENCORE_COLUMN_CACHE", "off", 1);
    enc_aud_env_new(s, st, now, &b, &err);
    CHECK(enc_aud_env_need(b, need, &err) == ENC_OK);
    unsetenv("ENCORE_COLUMN_CACHE");
    CHECK_INT((long)enc_aud_env_profiles(a), (long)enc_aud_env_profiles(b));
    enc_profcache *pc = enc_profcache_open(st);
    CHECK((pc != NULL) == cached);
    enc_profcache_close(pc);
    int bad = 0;
    for (int f = 0; f < AUD_F_COUNT && bad < 5; f++) {
        if (!need[f]) continue;
        enc_aud_col x, y;
        if (enc_aud_env_column(a, f, &x, &err) || enc_aud_env_column(b, f, &y, &err)) {
            TH_FAIL("%s: %s", enc_aud_fields[f].name, err.msg);
            continue;
        }
        CHECK_INT((long)x.nnames, (long)y.nnames);
        for (size_t k = 0; k < x.nnames && k < y.nnames; k++)
            if (strcmp(x.names[k], y.names[k]) && bad++ < 5)
                TH_FAIL("%s: name %zu: %s vs %s", enc_aud_fields[f].name, k, x.names[k],
                        y.names[k]);
        for (size_t i = 0; i < s->ncust; i++) {
            bool same;
            if (x.num) same = (isnan(x.num[i]) && isnan(y.num[i])) || x.num[i] == y.num[i];
            else if (x.txt) same = x.txt[i] == y.txt[i];
            else
                same = x.off[i + 1] - x.off[i] == y.off[i + 1] - y.off[i] &&
                       !memcmp(x.item + x.off[i], y.item + y.off[i],
                               (size_t)(x.off[i + 1] - x.off[i]) * sizeof *x.item);
            if (!same && bad++ < 5) TH_FAIL("%s: customer %zu differs", enc_aud_fields[f].name, i);
        }
    }
    enc_aud_env_free(a);
    enc_aud_env_free(b);
    enc_snapshot_free(s);
}

static void columns_equal_the_table(void)
{
    open_store(300);
    write_profiles(300, 1000000);
    compare(1000000 + 86400, false); /* not built yet */
    if (enc_profcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
    compare(1000000 + 86400, true); /* some rows after now */
    compare(1000000 + 10 * 86400, true);
    compare(1000000 - 1, true); /* every row after now */
    /* any write to profiles: not used, until rebuilt */
    exec("UPDATE profiles SET clv = clv + 1 WHERE customer_id = 3");
    compare(1000000 + 10 * 86400, false);
    if (enc_profcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
    compare(1000000 + 10 * 86400, true);
    write_profiles(300, 2000000); /* a scoring run replaces them all */
    compare(2000000 + 10 * 86400, false);
    bool built;
    CHECK(enc_profcache_refresh(st, &built, &err) == ENC_OK && built);
    compare(2000000 + 10 * 86400, true);
    enc_store_close(st);
}

static void bad_lists_are_left_to_the_store(void)
{
    open_store(50);
    write_profiles(50, 1000000);
    exec("UPDATE profiles SET tags = '{\"not\": \"a list\"}' WHERE customer_id = 9");
    if (enc_profcache_build(st, &err)) TH_FAIL("build: %s", err.msg);
    enc_snapshot *s;
    enc_snapshot_opts o = {0, INT64_MIN, INT64_MIN};
    CHECK(enc_snapshot_load_opts(st, 2000000, &o, &s, &err) == ENC_OK);
    enc_aud_env *e;
    enc_aud_env_new(s, st, 2000000, &e, &err);
    enc_aud_col c;
    enc_err e2 = {0};
    CHECK(enc_aud_env_column(e, AUD_F_TAGS, &c, &e2) != ENC_OK);
    CHECK(strstr(e2.msg, "customer 9: tags is not a JSON array") != NULL);
    /* the other columns still come from the cache */
    CHECK(enc_aud_env_column(e, AUD_F_CLV, &c, &err) == ENC_OK);
    enc_aud_env_free(e);
    enc_snapshot_free(s);
    /* drop: the file and the mark go; writes no longer raise the generation */
    CHECK(enc_profcache_drop(st, &err) == ENC_OK);
    CHECK(enc_profcache_open(st) == NULL);
    enc_profcache_status ps;
    enc_profcache_status_get(st, &ps);
    CHECK(!ps.present && !ps.usable);
    enc_store_close(st);
}

int main(void)
{
    RUN(columns_equal_the_table);
    RUN(bad_lists_are_left_to_the_store);
    return TEST_SUMMARY();
}
