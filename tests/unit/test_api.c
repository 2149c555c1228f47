/* test_api.c — unit tests for src/server/api.c, the Segment-spec ingest: track, identify,
 * page and batch bodies against a temporary store; the event-name mapping (Segment's
 * e-commerce names); messageId deduplication; Order Completed becoming an order; identify
 * creating and merging customers; every refusal with its field; sentAt clock correction. */
#include "harness.h"
#include "store/store_int.h"
#include "server/api.h"
#include <jansson.h>
#include <sqlite3.h>

static enc_store *st;
static int64_t NOW = 1735732800; /* 2025-01-01T12:00:00Z */

static int64_t scalar(const char *sql)
{
    sqlite3_stmt *s;
    int64_t v = -1;
    if (sqlite3_prepare_v2(enc__store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    else TH_FAIL("query: %s: %s", sql, sqlite3_errmsg(enc__store_db(st)));
    sqlite3_finalize(s);
    return v;
}

static char textv[1024];
static const char *text(const char *sql)
{
    sqlite3_stmt *s;
    textv[0] = 0;
    if (sqlite3_prepare_v2(enc__store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(textv, sizeof textv, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return textv;
}

/* Runs a body through parse, apply (one transaction) and respond; *doc gets the answer. */
static int call(enc_api_call c, const char *body, json_t **doc)
{
    enc_arena *a = enc_arena_new(1 << 14);
    enc_api_opts o = {.now = NOW, .phone_cc = "86"};
    enc_api_req *r = enc_api_parse(a, c, body, strlen(body), &o);
    enc_err err = {0};
    if (enc_api_pending(r)) {
        enc_ident *id = enc_ident_new(st, ENC_API_SOURCE);
        if (enc_store_begin(st, &err) || enc_api_apply(r, st, id, &err) ||
            enc_store_commit(st, &err)) {
            TH_FAIL("apply: %s", err.msg);
            enc_store_rollback(st);
        }
        enc_ident_free(id);
    }
    enc_buf b = {0};
    int status = enc_api_respond(r, &b);
    json_error_t je;
    json_t *d = json_loads(b.p, 0, &je);
    if (!d) TH_FAIL("answer is not JSON: %s", b.p);
    if (doc) *doc = d;
    else json_decref(d);
    enc_buf_free(&b);
    enc_arena_free(a);
    return status;
}

static const char *jstr(json_t *d, const char *k)
{
    json_t *v = json_object_get(d, k);
    return v && json_is_string(v) ? json_string_value(v) : "(none)";
}

static void fresh(const char *name)
{
    if (st) enc_store_close(st);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", th_tmpdir(), name);
    unlink(path);
    enc_err err;
    if (enc_store_open(path, &st, &err)) TH_FAIL("open: %s", err.msg);
}

static void track_stores_an_event(void)
{
    fresh("track.db");
    json_t *d;
    int s = call(ENC_API_TRACK,
                 "{\"type\":\"track\",\"userId\":\"u-1\",\"event\":\"Product Viewed\","
                 "\"messageId\":\"m-1\",\"timestamp\":\"2024-03-05T10:20:30+08:00\","
                 "\"properties\":{\"product_id\":\"SKU-9\",\"price\":19.99,\"currency\":\"usd\"}}",
                 &d);
    CHECK_INT(s, 200);
    CHECK(json_is_true(json_object_get(d, "ok")));
    CHECK(!json_object_get(d, "duplicate"));
    json_decref(d);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 1);
    CHECK_STR(text("SELECT type FROM events"), "view");
    CHECK_STR(text("SELECT source || '/' || source_key FROM events"), "api/m-1");
    CHECK_STR(text("SELECT sku FROM events"), "SKU-9");
    CHECK_INT(scalar("SELECT value FROM events"), 1999);
    CHECK_INT(scalar("SELECT ts FROM events"), 1709605230); /* 2024-03-05T02:20:30Z */
    CHECK_STR(text("SELECT props FROM events"),
              "{\"product_id\":\"SKU-9\",\"price\":19.99,\"currency\":\"usd\"}");
    /* the customer was created from the userId, and owns the event */
    CHECK_INT(scalar("SELECT count(*) FROM customers"), 1);
    CHECK_STR(text("SELECT external_id FROM customers"), "u-1");
    CHECK_INT(scalar("SELECT count(*) FROM events e JOIN customers c ON c.id = e.customer_id"), 1);
    /* anonymous: no customer, the anonymousId is the session; no timestamp: receivedAt */
    CHECK_INT(call(ENC_API_TRACK, "{\"anonymousId\":\"anon-7\",\"event\":\"Signed Up\"}", NULL),
              200);
    CHECK_STR(text("SELECT type FROM events WHERE session = 'anon-7'"), "signed_up");
    CHECK_INT(scalar("SELECT customer_id IS NULL FROM events WHERE session = 'anon-7'"), 1);
    CHECK_INT(scalar("SELECT ts FROM events WHERE session = 'anon-7'"), NOW);
    CHECK_INT(scalar("SELECT count(*) FROM customers"), 1);
    /* without a messageId an event is never a duplicate */
    CHECK_INT(call(ENC_API_TRACK, "{\"anonymousId\":\"anon-7\",\"event\":\"Signed Up\"}", NULL),
              200);
    CHECK_INT(scalar("SELECT count(*) FROM events WHERE session = 'anon-7'"), 2);
}

static void message_id_deduplicates(void)
{
    fresh("dedup.db");
    const char *b1 = "{\"userId\":\"u\",\"event\":\"Product Added\",\"messageId\":\"dup-1\","
                     "\"timestamp\":\"2024-01-01T00:00:00Z\",\"properties\":{\"sku\":\"A\"}}";
    const char *b2 = "{\"userId\":\"u\",\"event\":\"Product Added\",\"messageId\":\"dup-1\","
                     "\"timestamp\":\"2024-06-01T00:00:00Z\",\"properties\":{\"sku\":\"B\"}}";
    json_t *d;
    CHECK_INT(call(ENC_API_TRACK, b1, NULL), 200);
    CHECK_INT(call(ENC_API_TRACK, b2, &d), 200);
    CHECK(json_is_true(json_object_get(d, "duplicate")));
    json_decref(d);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 1);
    CHECK_STR(text("SELECT sku FROM events"), "A"); /* the first copy is kept */
    /* in a batch, against the store and within the batch itself */
    CHECK_INT(call(ENC_API_BATCH,
                   "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"x\",\"messageId\":"
                   "\"dup-1\"},"
                   "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"x\",\"messageId\":\"n-1\"},"
                   "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"x\",\"messageId\":\"n-1\"}]}",
                   &d),
              200);
    CHECK_INT(json_integer_value(json_object_get(d, "stored")), 1);
    CHECK_INT(json_integer_value(json_object_get(d, "duplicates")), 2);
    json_decref(d);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 2);
}

static void segment_names_map(void)
{
    fresh("names.db");
    static const struct {
        const char *name, *type;
    } cases[] = {
        {"Product Viewed", "view"},
        {"Product Added", "cart_add"},
        {"Product Removed", "cart_remove"},
        {"Product Added to Wishlist", "favorite"},
        {"Products Searched", "search"},
        {"Order Completed", "purchase"},
        {"Checkout Started", "checkout"},
        {"product_viewed", "product_viewed"}, /* not a synonym: kept as a plain word */
        {"page_view", "view"},
        {"加入购物车", "cart_add"},
        {"Signed Up", "signed_up"},
        {"  Coupon  Applied - v2.1 ", "coupon_applied_v2_1"},
    };
    char body[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(body, sizeof body, "{\"userId\":\"u\",\"event\":\"%s\",\"messageId\":\"n%zu\"}",
                 cases[i].name, i);
        CHECK_INT(call(ENC_API_TRACK, body, NULL), 200);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT type FROM events WHERE source_key = 'n%zu'", i);
        if (strcmp(text(sql), cases[i].type) != 0)
            TH_FAIL("'%s' -> '%s', expected '%s'", cases[i].name, textv, cases[i].type);
    }
    json_t *d;
    CHECK_INT(call(ENC_API_TRACK, "{\"userId\":\"u\",\"event\":\"签到了\"}", &d), 400);
    CHECK_STR(jstr(d, "field"), "event");
    CHECK(strstr(jstr(d, "error"), "not an event name") != NULL);
    json_decref(d);
}

static void order_completed_makes_an_order(void)
{
    fresh("order.db");
    json_t *d;
    CHECK_INT(
        call(ENC_API_TRACK,
             "{\"userId\":\"buyer\",\"event\":\"Order Completed\",\"messageId\":\"o-1\","
             "\"timestamp\":\"2024-05-01T08:00:00Z\",\"properties\":{\"order_id\":\"50314b8e\","
             "\"total\":27.5,\"revenue\":25.0,\"discount\":2.5,\"coupon\":\"hasbros\","
             "\"currency\":\"USD\",\"products\":[{\"product_id\":\"507f1f77\",\"sku\":\"45790-32\","
             "\"name\":\"Monopoly\",\"price\":19,\"quantity\":1,\"category\":\"Games\"},"
             "{\"product_id\":\"505bd76785ebb509fc183733\",\"name\":\"Uno\",\"price\":\"3.75\","
             "\"quantity\":2,\"brand\":\"Mattel\"}]}}",
             &d),
        200);
    json_decref(d);
    CHECK_INT(scalar("SELECT count(*) FROM orders"), 1);
    CHECK_STR(text("SELECT source || '/' || order_key FROM orders"), "api/50314b8e");
    CHECK_INT(scalar("SELECT total FROM orders"), 1900 + 2 * 375);
    CHECK_INT(scalar("SELECT items FROM orders"), 3);
    CHECK_INT(scalar("SELECT discount FROM orders"), 250);
    CHECK_STR(text("SELECT coupon FROM orders"), "hasbros");
    CHECK_INT(scalar("SELECT ts FROM orders"), 1714550400);
    CHECK_INT(scalar("SELECT count(*) FROM order_lines"), 2);
    CHECK_STR(text("SELECT group_concat(sku, ',') FROM order_lines"),
              "45790-32,505bd76785ebb509fc183733");
    CHECK_STR(text("SELECT name FROM products WHERE sku = '45790-32'"), "Monopoly");
    CHECK_STR(text("SELECT brand FROM products WHERE sku = '505bd76785ebb509fc183733'"), "Mattel");
    CHECK_INT(
        scalar(
            "SELECT o.customer_id = c.id FROM orders o, customers c WHERE c.external_id = 'buyer'"),
        1);
    CHECK_INT(scalar("SELECT value FROM events"), 2500); /* revenue first */
    /* the same order again under a new messageId changes nothing */
    CHECK_INT(
        call(ENC_API_TRACK,
             "{\"userId\":\"buyer\",\"event\":\"Order Completed\",\"messageId\":\"o-2\","
             "\"timestamp\":\"2024-05-01T08:00:00Z\",\"properties\":{\"order_id\":\"50314b8e\","
             "\"currency\":\"USD\",\"products\":[{\"sku\":\"45790-32\",\"price\":19}]}}",
             NULL),
        200);
    CHECK_INT(scalar("SELECT count(*) FROM orders"), 1);
    /* no products: the total is the order's; zero-decimal currencies */
    CHECK_INT(call(ENC_API_TRACK,
                   "{\"userId\":\"buyer\",\"event\":\"Order Completed\",\"properties\":{"
                   "\"order_id\":\"jp-1\",\"total\":1200,\"currency\":\"JPY\"}}",
                   NULL),
              200);
    CHECK_INT(scalar("SELECT total FROM orders WHERE order_key = 'jp-1'"), 1200);
    CHECK_STR(text("SELECT currency FROM orders WHERE order_key = 'jp-1'"), "JPY");
    /* without an order_id only the event */
    CHECK_INT(
        call(ENC_API_TRACK,
             "{\"userId\":\"buyer\",\"event\":\"Order Completed\",\"properties\":{\"total\":5}}",
             NULL),
        200);
    CHECK_INT(scalar("SELECT count(*) FROM orders"), 2);
    CHECK_INT(scalar("SELECT count(*) FROM events WHERE type = 'purchase'"), 4);
}

static void identify_creates_and_merges(void)
{
    fresh("identify.db");
    json_t *d;
    CHECK_INT(
        call(ENC_API_IDENTIFY,
             "{\"userId\":\"97980cfea0067\",\"traits\":{\"name\":\"Peter Gibbons\","
             "\"email\":\" Peter@Example.COM \",\"gender\":\"male\",\"birthday\":\"1980-02-29\","
             "\"address\":{\"city\":\"Austin\",\"state\":\"TX\",\"country\":\"US\"},"
             "\"createdAt\":\"2020-01-02T03:04:05Z\",\"title\":\"Engineer\"},"
             "\"context\":{\"timezone\":\"America/Chicago\"}}",
             &d),
        200);
    json_decref(d);
    CHECK_INT(scalar("SELECT count(*) FROM customers"), 1);
    CHECK_STR(text("SELECT external_id || '|' || name || '|' || email || '|' || gender || '|' ||"
                   " birthday || '|' || city || '|' || region || '|' || country || '|' || tz ||"
                   " '|' || occupation FROM customers"),
              "97980cfea0067|Peter "
              "Gibbons|peter@example.com|m|1980-02-29|Austin|TX|US|America/Chicago|Engineer");
    CHECK_INT(scalar("SELECT registered_at FROM customers"), 1577934245);
    /* a second person by phone, then an identify that ties the two together: one customer */
    CHECK_INT(call(ENC_API_IDENTIFY,
                   "{\"userId\":\"other\",\"traits\":{\"phone\":\"138 1234 "
                   "5678\",\"firstName\":\"Pete\",\"last_name\":\"G\"}}",
                   NULL),
              200);
    CHECK_INT(scalar("SELECT count(*) FROM customers WHERE merged_into IS NULL"), 2);
    CHECK_STR(text("SELECT name FROM customers WHERE external_id = 'other'"), "Pete G");
    CHECK_STR(text("SELECT phone FROM customers WHERE external_id = 'other'"), "+8613812345678");
    /* issue 12: an unverified email of someone else's does not merge two customers with their
     * own userIds (the takeover), and is not copied onto the caller */
    CHECK_INT(call(ENC_API_IDENTIFY,
                   "{\"userId\":\"other\",\"traits\":{\"email\":\"peter@example.com\"}}", NULL),
              200);
    CHECK_INT(scalar("SELECT count(*) FROM customers WHERE merged_into IS NULL"), 2);
    CHECK_INT(scalar("SELECT count(*) FROM merges"), 0);
    CHECK_INT(scalar("SELECT email IS NULL FROM customers WHERE external_id = 'other'"), 1);
    CHECK_INT(call(ENC_API_IDENTIFY,
                   "{\"userId\":\"other\",\"traits\":{\"email\":\"peter@example.com\","
                   "\"email_verified\":\"yes\"}}",
                   NULL),
              400);
    /* verified, it merges */
    CHECK_INT(call(ENC_API_IDENTIFY,
                   "{\"userId\":\"other\",\"traits\":{\"email\":\"peter@example.com\","
                   "\"email_verified\":true}}",
                   NULL),
              200);
    CHECK_INT(scalar("SELECT count(*) FROM customers WHERE merged_into IS NULL"), 1);
    CHECK_INT(scalar("SELECT count(*) FROM merges WHERE rule = 'shared_email' AND source = 'api'"),
              1);
    CHECK_INT(scalar("SELECT count(*) FROM merges WHERE from_id IS NOT NULL"), 1);
    CHECK_STR(text("SELECT phone FROM customers WHERE merged_into IS NULL"), "+8613812345678");
    /* events of either id now land on the survivor */
    CHECK_INT(call(ENC_API_TRACK, "{\"userId\":\"other\",\"event\":\"x\"}", NULL), 200);
    CHECK_INT(scalar("SELECT count(*) FROM events e JOIN customers c ON c.id = e.customer_id"
                     " WHERE c.merged_into IS NULL AND c.external_id = '97980cfea0067'"),
              1);
    /* identify by email alone finds the customer, updates only what it gives */
    CHECK_INT(call(ENC_API_IDENTIFY,
                   "{\"anonymousId\":\"a\",\"traits\":{\"email\":\"PETER@example.com\",\"address\":"
                   "{\"city\":\"Dallas\"}}}",
                   NULL),
              200);
    CHECK_INT(scalar("SELECT count(*) FROM customers WHERE merged_into IS NULL"), 1);
    CHECK_STR(text("SELECT city || '|' || name FROM customers WHERE merged_into IS NULL"),
              "Dallas|Peter Gibbons");
}

/* The identity policy's merge_on lets unverified phones merge; future times are refused. */
static void policy_merge_on_and_time_bounds(void)
{
    fresh("policy.db");
    enc_err err = {0};
    CHECK_INT(
        call(ENC_API_IDENTIFY, "{\"userId\":\"a\",\"traits\":{\"phone\":\"13812345678\"}}", NULL),
        200);
    CHECK_INT(
        call(ENC_API_IDENTIFY, "{\"userId\":\"b\",\"traits\":{\"phone\":\"13812345678\"}}", NULL),
        200);
    CHECK_INT(scalar("SELECT count(*) FROM customers WHERE merged_into IS NULL"), 2);
    /* without a userId either: someone else's email next to one's own phone merges nothing */
    CHECK_INT(call(ENC_API_IDENTIFY,
                   "{\"userId\":\"v\",\"traits\":{\"email\":\"victim@example.com\"}}", NULL),
              200);
    CHECK_INT(call(ENC_API_IDENTIFY,
                   "{\"anonymousId\":\"x\",\"traits\":{\"email\":\"victim@example.com\","
                   "\"phone\":\"13812345678\"}}",
                   NULL),
              200);
    CHECK_INT(scalar("SELECT count(*) FROM merges"), 0);
    CHECK_INT(scalar("SELECT count(*) FROM customers WHERE merged_into IS NULL"), 3);
    CHECK_INT(enc_store_merge_on_set(st, ENC_IDENT_MERGE_PHONE, &err), ENC_OK);
    CHECK_INT(
        call(ENC_API_IDENTIFY, "{\"userId\":\"b\",\"traits\":{\"phone\":\"13812345678\"}}", NULL),
        200);
    CHECK_INT(scalar("SELECT count(*) FROM customers WHERE merged_into IS NULL"),
              2); /* a and b; v apart */
    json_t *d;
    /* 9999-12-31 and a sentAt correction into year 12025 are refused with the field */
    CHECK_INT(call(ENC_API_TRACK,
                   "{\"userId\":\"a\",\"event\":\"x\",\"timestamp\":\"9999-12-31T00:00:00Z\"}", &d),
              400);
    CHECK_STR(json_string_value(json_object_get(d, "field")), "timestamp");
    json_decref(d);
    CHECK_INT(call(ENC_API_TRACK,
                   "{\"userId\":\"a\",\"event\":\"x\",\"timestamp\":\"2025-01-01T00:00:00Z\","
                   "\"sentAt\":\"1970-01-02T00:00:00Z\"}",
                   &d),
              400);
    CHECK_STR(json_string_value(json_object_get(d, "field")), "sentAt");
    json_decref(d);
    CHECK_INT(call(ENC_API_TRACK,
                   "{\"userId\":\"a\",\"event\":\"x\",\"timestamp\":\"1969-12-31T00:00:00Z\"}",
                   NULL),
              400);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 0);
    /* money beyond the import's bound */
    CHECK_INT(call(ENC_API_TRACK,
                   "{\"userId\":\"a\",\"event\":\"Order Completed\",\"properties\":{"
                   "\"order_id\":\"B1\",\"total\":1000000000000000}}",
                   &d),
              400);
    CHECK_STR(json_string_value(json_object_get(d, "field")), "properties.total");
    json_decref(d);
}

static void refusals_name_their_field(void)
{
    fresh("refuse.db");
    static const struct {
        enc_api_call c;
        const char *body, *field, *error;
        int status;
    } cases[] = {
        {ENC_API_TRACK, "{\"userId\":", "body", "body is not JSON", 400},
        {ENC_API_TRACK, "[1,2]", "body", "body must be a JSON object", 400},
        {ENC_API_TRACK, "{\"userId\":\"u\"}", "event", "missing", 400},
        {ENC_API_TRACK, "{\"userId\":\"u\",\"event\":7}", "event", "must be a string", 400},
        {ENC_API_TRACK, "{\"userId\":\"u\",\"event\":\"  \"}", "event", "empty", 400},
        {ENC_API_TRACK, "{\"event\":\"x\"}", "userId", "missing (userId or anonymousId)", 400},
        {ENC_API_TRACK, "{\"userId\":{},\"event\":\"x\"}", "userId", "must be a string", 400},
        {ENC_API_TRACK, "{\"userId\":\"u\",\"event\":\"x\",\"timestamp\":\"yesterday\"}",
         "timestamp", "not a", 400},
        {ENC_API_TRACK, "{\"userId\":\"u\",\"event\":\"x\",\"properties\":[]}", "properties",
         "must be an object", 400},
        {ENC_API_TRACK,
         "{\"userId\":\"u\",\"event\":\"x\",\"properties\":{\"currency\":\"dollars\"}}",
         "properties.currency", "not an ISO 4217 code", 400},
        {ENC_API_TRACK, "{\"userId\":\"u\",\"event\":\"x\",\"properties\":{\"price\":\"abc\"}}",
         "properties.price", "", 400},
        {ENC_API_TRACK,
         "{\"userId\":\"u\",\"event\":\"Order "
         "Completed\",\"properties\":{\"order_id\":\"o\",\"products\":[{\"sku\":\"a\"}]}}",
         "properties.products[0].price", "missing", 400},
        {ENC_API_TRACK,
         "{\"userId\":\"u\",\"event\":\"Order "
         "Completed\",\"properties\":{\"order_id\":\"o\",\"products\":[{\"sku\":\"a\",\"price\":1},"
         "{\"price\":1}]}}",
         "properties.products[1].sku", "missing (sku or product_id)", 400},
        {ENC_API_TRACK,
         "{\"userId\":\"u\",\"event\":\"Order "
         "Completed\",\"properties\":{\"order_id\":\"o\",\"products\":[{\"sku\":\"a\",\"price\":1,"
         "\"quantity\":0}]}}",
         "properties.products[0].quantity", "must be 1 to 1000000", 400},
        {ENC_API_TRACK,
         "{\"userId\":\"u\",\"event\":\"Order "
         "Completed\",\"properties\":{\"order_id\":\"o\",\"products\":{}}}",
         "properties.products", "must be an array", 400},
        {ENC_API_IDENTIFY, "{\"traits\":{\"name\":\"x\"}}", "userId",
         "missing (identify needs userId, traits.email or traits.phone)", 400},
        {ENC_API_IDENTIFY, "{\"userId\":\"u\",\"traits\":{\"email\":\"not-an-email\"}}",
         "traits.email", "", 400},
        {ENC_API_IDENTIFY, "{\"userId\":\"u\",\"traits\":{\"phone\":\"12\"}}", "traits.phone", "",
         400},
        {ENC_API_IDENTIFY, "{\"userId\":\"u\",\"traits\":{\"birthday\":\"1980-02-30\"}}",
         "traits.birthday", "", 400},
        {ENC_API_IDENTIFY, "{\"userId\":\"u\",\"traits\":{\"address\":\"Main St\"}}",
         "traits.address", "must be an object", 400},
        {ENC_API_IDENTIFY, "{\"userId\":\"u\",\"context\":{\"timezone\":\"../../etc/passwd\"}}",
         "timezone", "unknown time zone", 400},
        {ENC_API_IDENTIFY, "{\"userId\":\"u\",\"traits\":{\"timezone\":\"Mars/Olympus\"}}",
         "timezone", "unknown time zone", 400},
        {ENC_API_BATCH, "{}", "batch", "missing", 400},
        {ENC_API_BATCH, "{\"batch\":{}}", "batch", "must be an array", 400},
        {ENC_API_BATCH, "{\"batch\":[]}", "batch", "empty", 400},
        {ENC_API_BATCH, "{\"batch\":[{\"type\":\"alias\",\"userId\":\"u\"}]}", "batch",
         "every item was rejected", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *d = NULL;
        int s = call(cases[i].c, cases[i].body, &d);
        if (s != cases[i].status) TH_FAIL("case %zu: status %d", i, s);
        if (!d) continue;
        if (strcmp(jstr(d, "field"), cases[i].field) != 0)
            TH_FAIL("case %zu: field '%s', expected '%s'", i, jstr(d, "field"), cases[i].field);
        if (strncmp(jstr(d, "error"), cases[i].error, strlen(cases[i].error)) != 0 ||
            !*jstr(d, "error"))
            TH_FAIL("case %zu: error '%s', expected '%s...'", i, jstr(d, "error"), cases[i].error);
        CHECK(!json_object_get(d, "ok"));
        json_decref(d);
    }
    CHECK_INT(scalar("SELECT count(*) FROM events") + scalar("SELECT count(*) FROM customers"), 0);
    /* bodies over the limit are refused before parsing */
    enc_arena *a = enc_arena_new(4096);
    enc_api_opts o = {.now = NOW};
    enc_api_req *r = enc_api_parse(a, ENC_API_TRACK, "{}", ENC_API_BODY_MAX + 1, &o);
    enc_buf b = {0};
    CHECK_INT(enc_api_respond(r, &b), 413);
    CHECK(strstr(b.p, "\"field\":\"body\"") != NULL);
    enc_buf_free(&b);
    enc_arena_free(a);
    /* too many items */
    enc_buf big = {0};
    enc_buf_adds(&big, "{\"batch\":[");
    for (int i = 0; i <= ENC_API_BATCH_ITEMS_MAX; i++) enc_buf_adds(&big, i ? ",{}" : "{}");
    enc_buf_adds(&big, "]}");
    json_t *d;
    CHECK_INT(call(ENC_API_BATCH, big.p, &d), 400);
    CHECK_STR(jstr(d, "error"), "more than 5000 items");
    json_decref(d);
    enc_buf_free(&big);
}

static void batch_keeps_the_good_items(void)
{
    fresh("batch.db");
    json_t *d;
    int s = call(
        ENC_API_BATCH,
        "{\"batch\":["
        "{\"type\":\"identify\",\"userId\":\"b1\",\"traits\":{\"email\":\"b1@example.com\"}},"
        "{\"type\":\"track\",\"userId\":\"b1\",\"event\":\"Product Viewed\",\"messageId\":\"bm1\"},"
        "{\"type\":\"track\",\"event\":\"Product Viewed\",\"messageId\":\"bm2\"},"
        "{\"type\":\"group\",\"userId\":\"b1\"},"
        "\"not an object\","
        "{\"type\":\"page\",\"userId\":\"b1\",\"name\":\"Home\",\"messageId\":\"bm3\"},"
        "{\"type\":\"screen\",\"anonymousId\":\"x\",\"name\":\"Cart\",\"properties\":{\"name\":"
        "\"kept\"}}"
        "],\"sentAt\":\"2025-01-01T11:59:00Z\"}",
        &d);
    CHECK_INT(s, 200);
    CHECK(json_is_true(json_object_get(d, "ok")));
    CHECK_INT(json_integer_value(json_object_get(d, "received")), 7);
    CHECK_INT(json_integer_value(json_object_get(d, "stored")), 4);
    CHECK_INT(json_integer_value(json_object_get(d, "rejected")), 3);
    json_t *errs = json_object_get(d, "errors");
    CHECK_INT(json_array_size(errs), 3);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(errs, 0), "index")), 2);
    CHECK_STR(jstr(json_array_get(errs, 0), "field"), "userId");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(errs, 1), "index")), 3);
    CHECK_STR(jstr(json_array_get(errs, 1), "field"), "type");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(errs, 2), "index")), 4);
    json_decref(d);
    CHECK_INT(scalar("SELECT count(*) FROM customers"), 1);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 3);
    CHECK_STR(text("SELECT props FROM events WHERE source_key = 'bm3'"), "{\"name\":\"Home\"}");
    CHECK_STR(text("SELECT type FROM events WHERE source_key = 'bm3'"), "view");
    CHECK_STR(text("SELECT props FROM events WHERE session = 'x'"), "{\"name\":\"kept\"}");
}

/* Segment's clock correction: timestamp + (receivedAt - sentAt); the batch's sentAt applies to
 * items without their own. */
static void sent_at_corrects_the_clock(void)
{
    fresh("clock.db");
    /* the device clock is 1 hour slow: it says it sent at 10:59:50, we received at 12:00:00 */
    CHECK_INT(call(ENC_API_TRACK,
                   "{\"userId\":\"u\",\"event\":\"x\",\"messageId\":\"c1\",\"timestamp\":\"2025-01-"
                   "01T10:59:00Z\","
                   "\"sentAt\":\"2025-01-01T10:59:50Z\"}",
                   NULL),
              200);
    CHECK_INT(scalar("SELECT ts FROM events WHERE source_key = 'c1'"), NOW - 50);
    CHECK_INT(
        call(ENC_API_BATCH,
             "{\"sentAt\":\"2025-01-01T11:00:00Z\",\"batch\":[{\"type\":\"track\",\"userId\":\"u\","
             "\"event\":\"x\",\"messageId\":\"c2\",\"timestamp\":\"2025-01-01T10:00:00Z\"},"
             "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"x\",\"messageId\":\"c3\","
             "\"timestamp\":\"2025-01-01T10:00:00Z\",\"sentAt\":\"2025-01-01T10:00:00Z\"}]}",
             NULL),
        200);
    CHECK_INT(scalar("SELECT ts FROM events WHERE source_key = 'c2'"), NOW - 3600);
    CHECK_INT(scalar("SELECT ts FROM events WHERE source_key = 'c3'"), NOW);
    /* epoch milliseconds are accepted too */
    CHECK_INT(
        call(ENC_API_TRACK,
             "{\"userId\":\"u\",\"event\":\"x\",\"messageId\":\"c4\",\"timestamp\":1700000000123}",
             NULL),
        200);
    CHECK_INT(scalar("SELECT ts FROM events WHERE source_key = 'c4'"), 1700000000);
}

/* A failed transaction is rolled back and the same request applied again gives the same rows. */
static void apply_again_after_rollback(void)
{
    fresh("retry.db");
    const char *body =
        "{\"batch\":[{\"type\":\"identify\",\"userId\":\"r1\",\"traits\":{\"email\":\"r@example."
        "com\"}},"
        "{\"type\":\"track\",\"userId\":\"r1\",\"event\":\"x\",\"messageId\":\"r-1\"}]}";
    enc_arena *a = enc_arena_new(1 << 12);
    enc_api_opts o = {.now = NOW};
    enc_api_req *r = enc_api_parse(a, ENC_API_BATCH, body, strlen(body), &o);
    enc_err err;
    enc_ident *id = enc_ident_new(st, ENC_API_SOURCE);
    CHECK_INT(enc_store_begin(st, &err), ENC_OK);
    CHECK_INT(enc_api_apply(r, st, id, &err), ENC_OK);
    enc_store_rollback(st);
    enc_ident_free(id);
    id = enc_ident_new(st, ENC_API_SOURCE);
    CHECK_INT(enc_store_begin(st, &err), ENC_OK);
    CHECK_INT(enc_api_apply(r, st, id, &err), ENC_OK);
    CHECK_INT(enc_store_commit(st, &err), ENC_OK);
    enc_ident_free(id);
    enc_api_counts c;
    enc_api_counts_get(r, &c);
    CHECK_INT(c.stored, 2);
    CHECK_INT(c.duplicates, 0);
    CHECK_INT(scalar("SELECT count(*) FROM customers"), 1);
    CHECK_INT(scalar("SELECT count(*) FROM events e JOIN customers c ON c.id = e.customer_id"), 1);
    enc_arena_free(a);
}

int main(void)
{
    RUN(track_stores_an_event);
    RUN(message_id_deduplicates);
    RUN(segment_names_map);
    RUN(order_completed_makes_an_order);
    RUN(identify_creates_and_merges);
    RUN(policy_merge_on_and_time_bounds);
    RUN(refusals_name_their_field);
    RUN(batch_keeps_the_good_items);
    RUN(sent_at_corrects_the_clock);
    RUN(apply_again_after_rollback);
    enc_store_close(st);
    return TEST_SUMMARY();
}
