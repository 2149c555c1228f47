/* test_store.c — unit tests for src/store: schema creation and versioning, keyed writes that
 * report inserted / updated / same, identity lookup through merges, merge bookkeeping. */
#include "harness.h"
#include "store/store_int.h"
#include "store/store.h"
#include <sqlite3.h>

static enc_store *fresh(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), name);
    unlink(path);
    enc_store *st = NULL;
    enc_err err = {0};
    if (enc_store_open(path, &st, &err)) TH_FAIL("open: %s", err.msg);
    return st;
}

static int64_t scalar(enc_store *st, const char *sql)
{
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(enc__store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void schema_created_and_versioned(void)
{
    enc_store *st = fresh("schema.db");
    if (!st) return;
    CHECK_INT(enc_store_schema_version(st), enc_store_schema_latest());
    CHECK(scalar(st, "SELECT count(*) FROM sqlite_master WHERE name = 'order_lines'") == 1);
    enc_store_close(st);
    /* reopening applies nothing twice */
    char path[512];
    snprintf(path, sizeof path, "%s/schema.db", th_tmpdir());
    enc_err err = {0};
    CHECK_INT(enc_store_open(path, &st, &err), ENC_OK);
    CHECK_INT(enc_store_schema_version(st), enc_store_schema_latest());
    /* a newer schema than we know is refused */
    sqlite3_exec(enc__store_db(st), "PRAGMA user_version=999", NULL, NULL, NULL);
    enc_store_close(st);
    CHECK_INT(enc_store_open(path, &st, &err), ENC_EDB);
    CHECK(strstr(err.msg, "newer") != NULL);
}

static void keyed_writes_report_what_changed(void)
{
    enc_store *st = fresh("puts.db");
    if (!st) return;
    enc_err err = {0};
    enc_order_rec o = {.source = "s", .order_key = "O1", .ts = 100, .status = "paid"};
    int64_t id, id2;
    enc_put p;
    CHECK_INT(enc_store_order_put(st, &o, &id, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_INSERTED);
    CHECK_INT(enc_store_order_put(st, &o, &id2, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_SAME);
    CHECK_INT(id, id2);
    o.channel = "web";
    CHECK_INT(enc_store_order_put(st, &o, &id2, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_UPDATED);
    enc_line_rec l = {.order_id = id,
                      .line_no = 1,
                      .sku = "A",
                      .qty = 2,
                      .unit_price = 150,
                      .amount = 300,
                      .kind = "sale"};
    CHECK_INT(enc_store_line_put(st, &l, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_INSERTED);
    l.line_no = 2;
    l.qty = -1;
    l.amount = -150;
    l.kind = "return";
    CHECK_INT(enc_store_line_put(st, &l, &p, &err), ENC_OK);
    CHECK_INT(enc_store_line_put(st, &l, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_SAME);
    CHECK_INT(enc_store_order_refresh(st, id, &err), ENC_OK);
    CHECK_INT(scalar(st, "SELECT total FROM orders"), 150);
    CHECK_INT(scalar(st, "SELECT items FROM orders"), 1);
    /* products: fill-only keeps existing facts */
    enc_product_rec pr = {.sku = "A", .name = "First", .in_stock = -1};
    CHECK_INT(enc_store_product_put(st, &pr, false, &id, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_INSERTED);
    pr.name = "Second";
    pr.brand = "B";
    CHECK_INT(enc_store_product_put(st, &pr, true, &id2, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_UPDATED); /* brand filled */
    CHECK_INT(id, id2);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(enc__store_db(st), "SELECT name, brand FROM products", -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(s, 0), "First");
    CHECK_STR((const char *)sqlite3_column_text(s, 1), "B");
    sqlite3_finalize(s);
    /* consents are a ledger: the same source row twice is the same */
    enc_consent_rec c = {.source = "s",
                         .source_key = "k1",
                         .customer = 1,
                         .ts = 5,
                         .channel = "email",
                         .purpose = "marketing",
                         .granted = true};
    CHECK_INT(enc_store_consent_put(st, &c, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_INSERTED);
    c.granted = false;
    CHECK_INT(enc_store_consent_put(st, &c, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_SAME);
    CHECK_INT(scalar(st, "SELECT granted FROM consents"), 1);
    enc_store_close(st);
}

/* enc_store_event_add keeps the first copy of a key (put would update it); the consent in
 * force is the latest ledger entry, ties broken by insertion order. */
static void event_add_and_consent_state(void)
{
    enc_store *st = fresh("add.db");
    if (!st) return;
    enc_err err = {0};
    enc_put p;
    enc_event_rec e = {
        .source = "api", .source_key = "m1", .customer = 3, .ts = 100, .type = "view", .sku = "A"};
    CHECK_INT(enc_store_event_add(st, &e, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_INSERTED);
    e.ts = 200;
    e.sku = "B";
    CHECK_INT(enc_store_event_add(st, &e, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_SAME);
    CHECK_INT(scalar(st, "SELECT count(*) FROM events"), 1);
    CHECK_INT(scalar(st, "SELECT ts FROM events"), 100);
    CHECK_INT(enc_store_event_put(st, &e, &p, &err), ENC_OK); /* put, by contrast, updates */
    CHECK_INT(p, ENC_PUT_UPDATED);
    CHECK_INT(scalar(st, "SELECT ts FROM events"), 200);

    int state = 9;
    CHECK_INT(enc_store_consent_state(st, 1, "email", "marketing", &state, &err), ENC_OK);
    CHECK_INT(state, -1);
    enc_consent_rec c = {.source = "s",
                         .source_key = "k1",
                         .customer = 1,
                         .ts = 50,
                         .channel = "email",
                         .purpose = "marketing",
                         .granted = true};
    CHECK_INT(enc_store_consent_put(st, &c, &p, &err), ENC_OK);
    c.source_key = "k0"; /* an older revocation entered later does not win */
    c.ts = 40;
    c.granted = false;
    CHECK_INT(enc_store_consent_put(st, &c, &p, &err), ENC_OK);
    CHECK_INT(enc_store_consent_state(st, 1, "email", "marketing", &state, &err), ENC_OK);
    CHECK_INT(state, 1);
    c.source_key = "k2"; /* same second, entered last: in force */
    c.ts = 50;
    CHECK_INT(enc_store_consent_put(st, &c, &p, &err), ENC_OK);
    CHECK_INT(enc_store_consent_state(st, 1, "email", "marketing", &state, &err), ENC_OK);
    CHECK_INT(state, 0);
    CHECK_INT(enc_store_consent_state(st, 1, "sms", "marketing", &state, &err), ENC_OK);
    CHECK_INT(state, -1);
    CHECK_INT(enc_store_consent_state(st, 1, "email", "service", &state, &err), ENC_OK);
    CHECK_INT(state, -1);
    enc_store_close(st);
}

static void merge_moves_history_and_identities(void)
{
    enc_store *st = fresh("merge.db");
    if (!st) return;
    enc_err err = {0};
    enc_customer_rec a = {.source = "s", .source_key = "a", .external_id = "A", .name = "Ann"};
    enc_customer_rec b = {.source = "s",
                          .source_key = "b",
                          .external_id = "B",
                          .city = "Paris",
                          .points = 7,
                          .has_points = true};
    int64_t ia, ib, ic;
    CHECK_INT(enc_store_customer_insert(st, &a, &ia, &err), ENC_OK);
    CHECK_INT(enc_store_customer_insert(st, &b, &ib, &err), ENC_OK);
    enc_store_ident_set(st, "ext", "A", ia, "s", &err);
    enc_store_ident_set(st, "ext", "B", ib, "s", &err);
    enc_order_rec o = {.source = "s", .order_key = "O1", .customer = ib, .ts = 1, .status = "paid"};
    int64_t oid;
    enc_put p;
    enc_store_order_put(st, &o, &oid, &p, &err);
    CHECK_INT(enc_store_customer_merge(st, ib, ia, "shared_email", "test", "shared email x", &err),
              ENC_OK);
    CHECK_INT(enc_store_ident_find(st, "ext", "B", &ic, &err), ENC_OK);
    CHECK_INT(ic, ia);
    CHECK_INT(scalar(st, "SELECT customer_id FROM orders"), ia);
    CHECK_INT(scalar(st, "SELECT merged_into FROM customers WHERE external_id = 'B'"), ia);
    CHECK_INT(scalar(st, "SELECT points FROM customers WHERE external_id = 'A'"), 7);
    CHECK_INT(scalar(st, "SELECT city = 'Paris' FROM customers WHERE external_id = 'A'"), 1);
    CHECK_INT(scalar(st, "SELECT count(*) FROM merges"), 1);
    /* update reports SAME when nothing differs, UPDATED otherwise */
    enc_customer_rec u = {.name = "Ann"};
    CHECK_INT(enc_store_customer_update(st, ia, &u, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_SAME);
    u.name = "Anne";
    CHECK_INT(enc_store_customer_update(st, ia, &u, &p, &err), ENC_OK);
    CHECK_INT(p, ENC_PUT_UPDATED);
    enc_store_close(st);
}

/* One merge rule: the survivor's non-empty fields are kept, empty ones filled, points summed,
 * the higher tier and the earlier registration kept; the merge records both ids, rule and source;
 * an unmerge gives everything back. */
static void merge_rule_and_unmerge(void)
{
    enc_store *st = fresh("merge_rule.db");
    if (!st) return;
    enc_err err = {0};
    enc_customer_rec a = {.source = "s",
                          .source_key = "a",
                          .external_id = "M001",
                          .name = "Old",
                          .tier = "银卡",
                          .points = 1200,
                          .has_points = true,
                          .registered_at = 2000,
                          .has_registered = true};
    enc_customer_rec b = {.source = "s",
                          .source_key = "b",
                          .external_id = "M002",
                          .name = "New",
                          .tier = "金卡",
                          .city = "Paris",
                          .points = 300,
                          .has_points = true,
                          .registered_at = 1000,
                          .has_registered = true};
    int64_t ia, ib, ic, oid;
    enc_put p;
    CHECK_INT(enc_store_customer_insert(st, &a, &ia, &err), ENC_OK);
    CHECK_INT(enc_store_customer_insert(st, &b, &ib, &err), ENC_OK);
    enc_store_ident_set(st, "ext", "M002", ib, "s", &err);
    enc_order_rec o = {.source = "s", .order_key = "O2", .customer = ib, .ts = 1, .status = "paid"};
    enc_store_order_put(st, &o, &oid, &p, &err);
    CHECK_INT(enc_store_customer_merge(st, ib, ia, "shared_phone", "b.csv", "shared phone", &err),
              ENC_OK);
    CHECK_INT(scalar(st, "SELECT name = 'Old' AND tier = '金卡' AND points = 1500 AND"
                         " registered_at = 1000 AND city = 'Paris' FROM customers WHERE id = 1"),
              1);
    CHECK_INT(scalar(st, "SELECT count(*) FROM merges WHERE from_id = 2 AND into_id = 1 AND"
                         " rule = 'shared_phone' AND source = 'b.csv'"),
              1);
    /* the identity stays with its registration and is found through the merge */
    CHECK_INT(enc_store_ident_find(st, "ext", "M002", &ic, &err), ENC_OK);
    CHECK_INT(ic, ia);
    /* merging a merged customer again, or into itself, is refused */
    CHECK(enc_store_customer_merge(st, ib, ia, "x", "x", "x", &err) != ENC_OK);
    CHECK(enc_store_customer_merge(st, ia, ia, "x", "x", "x", &err) != ENC_OK);

    enc_store_unmerged u;
    CHECK_INT(enc_store_customer_unmerge(st, ib, &u, &err), ENC_OK);
    CHECK_INT(u.survivor, ia);
    CHECK_INT(u.rows, 1);
    CHECK_INT(scalar(st, "SELECT name = 'Old' AND tier = '银卡' AND points = 1200 AND"
                         " registered_at = 2000 AND city IS NULL FROM customers WHERE id = 1"),
              1);
    CHECK_INT(scalar(st, "SELECT merged_into IS NULL AND points = 300 FROM customers WHERE id = 2"),
              1);
    CHECK_INT(scalar(st, "SELECT customer_id FROM orders"), ib);
    CHECK_INT(enc_store_ident_find(st, "ext", "M002", &ic, &err), ENC_OK);
    CHECK_INT(ic, ib);
    CHECK_INT(scalar(st, "SELECT undone_at IS NOT NULL FROM merges"), 1);
    /* not merged (any more), or unknown: a clear error */
    CHECK_INT(enc_store_customer_unmerge(st, ib, &u, &err), ENC_EUSAGE);
    CHECK_INT(enc_store_customer_unmerge(st, 99, &u, &err), ENC_ENOTFOUND);
    enc_store_close(st);
}

/* The bulk path runs without the column cache's triggers only while no cache has set marks:
 * a cache built by another connection between two transactions turns them back on, and after
 * bulk mode they are on again; order totals set by the import equal the store's own sums. */
static void bulk_triggers_follow_marks(void)
{
    enc_store *st = fresh("bulk.db");
    if (!st) return;
    enc_err err = {0};
    enc_order_rec o = {.source = "s", .order_key = "O1", .ts = 100, .status = "paid"};
    int64_t id;
    enc_put p;
    CHECK_INT(enc_store_order_put(st, &o, &id, &p, &err), ENC_OK);
    CHECK_INT(enc_store_bulk(st, true, &err), ENC_OK);
    /* no marks: an update of any row raises nothing (the triggers could not either) */
    CHECK_INT(enc_store_begin(st, &err), ENC_OK);
    CHECK_INT(enc_store_order_totals_set(st, id, 500, 2, 500, &err), ENC_OK);
    CHECK_INT(enc_store_commit(st, &err), ENC_OK);
    CHECK_INT(scalar(st, "SELECT gen FROM column_gen WHERE id = 1"), 0);
    /* another connection builds a cache (sets the marks) between two of our transactions */
    char path[512];
    snprintf(path, sizeof path, "%s/bulk.db", th_tmpdir());
    sqlite3 *other;
    CHECK_INT(sqlite3_open(path, &other), SQLITE_OK);
    CHECK_INT(sqlite3_exec(other, "INSERT INTO column_marks VALUES('orders', 1)", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(other);
    CHECK_INT(enc_store_begin(st, &err), ENC_OK);
    CHECK_INT(enc_store_order_totals_set(st, id, 700, 3, 700, &err), ENC_OK);
    CHECK_INT(enc_store_commit(st, &err), ENC_OK);
    CHECK_INT(scalar(st, "SELECT gen FROM column_gen WHERE id = 1"), 1);
    CHECK_INT(enc_store_bulk(st, false, &err), ENC_OK);
    /* after bulk mode: on, also for a store that had no marks when bulk mode began */
    CHECK_INT(scalar(st, "SELECT total * 10 + items FROM orders"), 7003);
    sqlite3_exec(enc__store_db(st), "DELETE FROM column_marks", NULL, NULL, NULL);
    CHECK_INT(enc_store_bulk(st, true, &err), ENC_OK);
    CHECK_INT(enc_store_bulk(st, false, &err), ENC_OK);
    sqlite3_exec(enc__store_db(st), "INSERT INTO column_marks VALUES('orders', 1)", NULL, NULL,
                 NULL);
    CHECK_INT(enc_store_order_totals_set(st, id, 900, 4, 900, &err), ENC_OK);
    CHECK_INT(scalar(st, "SELECT gen FROM column_gen WHERE id = 1"), 2);
    enc_store_close(st);
}

int main(void)
{
    RUN(schema_created_and_versioned);
    RUN(keyed_writes_report_what_changed);
    RUN(merge_moves_history_and_identities);
    RUN(merge_rule_and_unmerge);
    RUN(event_add_and_consent_state);
    RUN(bulk_triggers_follow_marks);
    return TEST_SUMMARY();
}
