/* test_mgmt.c — the management API's framework without HTTP: route matching ({params},
 * 405 paths, bad segments), query parsing (repeats, escapes, controls, invalid UTF-8), strict
 * body validation with JSON-pointer fields, problem details never echoing invalid UTF-8,
 * cursors, masking, the store's users/keys/sessions/audit (the audit log refuses UPDATE and
 * DELETE), password hashing and the rate limiter; and that the OpenAPI document lists exactly
 * the route table's operations with their roles. */
#include "harness.h"
#include "store/store_int.h"
#include "server/auth.h"
#include "server/handlers.h"
#include "server/mgmt.h"
#include "store/users.h"
#include <sodium.h>
#include <sqlite3.h>

static const enc_route *match(const char *m, const char *p, const char **params, size_t *np,
                              bool *known, bool *bad)
{
    static char pbuf[1024];
    char allow[64];
    return enc_route_match(m, p, pbuf, sizeof pbuf, params, np, known, allow, sizeof allow, bad);
}

static void route_matching(void)
{
    const char *params[ENC_MGMT_PARAMS_MAX];
    size_t np;
    bool known, bad;
    const enc_route *r = match("PATCH", "/v1/users/ann%40shop.example", params, &np, &known, &bad);
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(r->path, "/v1/users/{email}");
        CHECK_INT(np, 1);
        CHECK_STR(params[0], "ann@shop.example");
    }
    CHECK(match("GET", "/v1/users", params, &np, &known, &bad) != NULL);
    CHECK(!match("PUT", "/v1/users", params, &np, &known, &bad));
    CHECK(known); /* 405, not 404 */
    CHECK(!match("GET", "/v1/userz", params, &np, &known, &bad));
    CHECK(!known);
    CHECK(!match("GET", "/v1/users/", params, &np, &known, &bad));
    CHECK(!match("GET", "/v1/users/a/b", params, &np, &known, &bad));
    CHECK(!match("PATCH", "/v1/users/a%00b", params, &np, &known, &bad));
    CHECK(bad);
    CHECK(!match("PATCH", "/v1/users/%ff", params, &np, &known, &bad));
    CHECK(bad);
    CHECK(!match("PATCH", "/v1/users/%4", params, &np, &known, &bad));
    CHECK(bad);
    /* every row's path is well formed and no two rows share method and path */
    for (size_t i = 0; i < enc_routes_count; i++) {
        CHECK(enc_routes[i].path[0] == '/');
        CHECK(enc_routes[i].fn != NULL);
        CHECK(enc_routes[i].summary && *enc_routes[i].summary);
        CHECK(enc_routes[i].status == 200 || enc_routes[i].status == 201 ||
              enc_routes[i].status == 202);
        for (size_t j = i + 1; j < enc_routes_count; j++)
            if (strcmp(enc_routes[i].method, enc_routes[j].method) == 0 &&
                strcmp(enc_routes[i].path, enc_routes[j].path) == 0)
                TH_FAIL("duplicate route %s %s", enc_routes[i].method, enc_routes[i].path);
    }
}

static void query_parsing(void)
{
    enc_arena *a = enc_arena_new(1024);
    enc_qpair q[8];
    size_t n;
    const char *field, *why;
    CHECK(enc_query_parse(a, "a=1&b=x+y%20z&&c", q, 8, &n, &field, &why));
    CHECK_INT(n, 3);
    CHECK_STR(q[1].value, "x y z");
    CHECK_STR(q[2].name, "c");
    CHECK_STR(q[2].value, "");
    CHECK(!enc_query_parse(a, "customer=a&customer=b", q, 8, &n, &field, &why));
    CHECK_STR(field, "query.customer");
    CHECK_STR(why, "given more than once");
    CHECK(!enc_query_parse(a, "a=%00", q, 8, &n, &field, &why));
    CHECK_STR(field, "query.a");
    CHECK(!enc_query_parse(a, "a=%e4%b8", q, 8, &n, &field, &why)); /* cut UTF-8 */
    CHECK(!enc_query_parse(a, "%ff=1", q, 8, &n, &field, &why));
    CHECK_STR(field, "query");
    CHECK(!enc_query_parse(a, "a=%zz", q, 8, &n, &field, &why));
    CHECK(!enc_query_parse(a, "a=1&b=2&c=3", q, 2, &n, &field, &why));
    CHECK(enc_query_parse(a, "q=%E5%BC%A0", q, 8, &n, &field, &why)); /* 张 */
    CHECK_STR(q[0].value, "\xe5\xbc\xa0");
    enc_arena_free(a);

    /* checked against a route: unknown names and whole numbers */
    const enc_route *audit = NULL;
    for (size_t i = 0; i < enc_routes_count; i++)
        if (strcmp(enc_routes[i].path, "/v1/audit") == 0) audit = &enc_routes[i];
    CHECK(audit != NULL);
    if (!audit) return;
    enc_mres rs = {0};
    rs.arena = enc_arena_new(1024);
    enc_qpair ok[] = {{"since", "2026-01-01"}, {"limit", "5"}};
    CHECK(enc_query_check(audit, ok, 2, &rs));
    enc_qpair bad[] = {{"sort", "asc"}};
    CHECK(!enc_query_check(audit, bad, 1, &rs));
    CHECK_INT(rs.status, 400);
    CHECK(strstr(rs.body.p, "\"field\":\"query.sort\"") != NULL);
    CHECK(strstr(rs.body.p, "since, actor, action, limit, cursor") != NULL);
    enc_mres_free(&rs);
    enc_arena_free(rs.arena);
}

static int body_status(const char *body, const char *want_field)
{
    enc_mres rs = {0};
    rs.arena = enc_arena_new(1024);
    json_t *doc = NULL;
    bool ok = enc_body_check(&enc_schema_user_new, body, strlen(body), &doc, &rs);
    int st = ok ? 200 : rs.status;
    if (!ok && want_field) {
        char f[128];
        snprintf(f, sizeof f, "\"field\":\"%s\"", want_field);
        if (!strstr(rs.body.p, f)) TH_FAIL("%s: %s lacks %s", body, rs.body.p, f);
        if (!strstr(rs.body.p, "\"type\":\"about:blank\"")) TH_FAIL("not a problem: %s", rs.body.p);
    }
    json_decref(doc);
    enc_mres_free(&rs);
    enc_arena_free(rs.arena);
    return st;
}

static void body_validation(void)
{
    CHECK_INT(body_status("{\"email\":\"a@b.co\",\"role\":\"owner\",\"password\":\"x\"}", NULL),
              200);
    CHECK_INT(body_status("{\"email\":\"a@b.co\",\"role\":\"owner\"}", "/password"), 400);
    CHECK_INT(body_status("{\"email\":\"a@b.co\",\"role\":\"owner\",\"password\":\"x\",\"admin\":"
                          "true}",
                          "/admin"),
              400);
    CHECK_INT(body_status("{\"email\":5,\"role\":\"owner\",\"password\":\"x\"}", "/email"), 400);
    CHECK_INT(body_status("[1,2]", "body"), 400);
    CHECK_INT(body_status("{\"email\":", "body"), 400);
    CHECK_INT(body_status("", "body"), 400);
    CHECK_INT(body_status("{\"email\":\"a@b.co\",\"email\":\"c@d.co\",\"role\":\"owner\","
                          "\"password\":\"x\"}",
                          "body"),
              400); /* duplicate keys refused */
    CHECK_INT(
        body_status("{\"email\":\"a\\u0000b\",\"role\":\"owner\",\"password\":\"x\"}", "body"),
        400); /* NUL: refused by the JSON reader */
    CHECK_INT(
        body_status("{\"email\":\"a\\u0001b\",\"role\":\"owner\",\"password\":\"x\"}", "/email"),
        400);
    /* a parse error names line and column */
    enc_mres rs = {0};
    rs.arena = enc_arena_new(1024);
    json_t *doc;
    CHECK(!enc_body_check(&enc_schema_user_new, "{\n  \"email\" 1}", 14, &doc, &rs));
    CHECK(strstr(rs.body.p, "\"line\":2") != NULL);
    enc_mres_free(&rs);
    enc_arena_free(rs.arena);
}

static void problems_never_echo_bad_utf8(void)
{
    enc_mres rs = {0};
    rs.arena = enc_arena_new(1024);
    enc_mres_problem(&rs, 400, "query.\xff\xfe", "bad %s", "\xc3\x28 value");
    CHECK(rs.problem);
    CHECK(enc_text_ok(rs.body.p, rs.body.len));
    CHECK(strstr(rs.body.p, "\xef\xbf\xbd") != NULL);
    CHECK(strstr(rs.body.p, "\"title\":\"Bad Request\",\"status\":400") != NULL);
    enc_mres_free(&rs);
    enc_arena_free(rs.arena);
}

static void cursors(void)
{
    char t[32];
    int64_t k;
    enc_cursor_encode(12345, t, sizeof t);
    CHECK(enc_cursor_decode(t, &k));
    CHECK_INT(k, 12345);
    CHECK(!enc_cursor_decode("", &k));
    CHECK(!enc_cursor_decode("AAAAAAAAAAA", &k)); /* zero */
    CHECK(!enc_cursor_decode("__________8", &k)); /* negative */
    CHECK(!enc_cursor_decode("12345", &k));
    CHECK(!enc_cursor_decode("AAAAAAAAMDk=", &k));
}

static void masking(void)
{
    char m[64];
    enc_mask_email("zhang.wei@hotmail.com", m, sizeof m);
    CHECK_STR(m, "z***@hotmail.com");
    enc_mask_email("\xe5\xbc\xa0@qq.com", m, sizeof m);
    CHECK_STR(m, "\xe5\xbc\xa0***@qq.com");
    enc_mask_email("nobody", m, sizeof m);
    CHECK_STR(m, "***");
    enc_mask_phone("+8613812348000", m, sizeof m);
    CHECK_STR(m, "+86 138****8000");
    enc_mask_phone("+447700900123", m, sizeof m);
    CHECK_STR(m, "+44 77****0123"); /* base/mask.c: the country code apart */
    enc_mask_phone("12345", m, sizeof m);
    CHECK_STR(m, "****");
    enc_mask_name("Zhang Wei", m, sizeof m);
    CHECK_STR(m, "Z.");
    enc_mask_name("\xe5\xbc\xa0\xe4\xbc\x9f", m, sizeof m);
    CHECK_STR(m, "\xe5\xbc\xa0.");
}

static void times(void)
{
    int64_t t;
    CHECK(enc_parse_time("2026-12-07", &t));
    CHECK_INT(t, 1796601600);
    CHECK(enc_parse_time("2026-12-07T10:00:00Z", &t));
    CHECK_INT(t, 1796601600 + 36000);
    CHECK(!enc_parse_time("2026-02-30", &t));
    CHECK(!enc_parse_time("2026-12-07 10:00:00", &t));
    CHECK(!enc_parse_time("1969-12-31", &t));
    CHECK(!enc_parse_time("2026-12-07T10:00:00+08:00", &t));
}

static void store_users_keys_sessions_audit(void)
{
    char path[] = "/tmp/test_mgmt.XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    enc_store *st;
    enc_err err = {0};
    CHECK_INT(enc_store_open(path, &st, &err), ENC_OK);
    char hash[256];
    CHECK_INT(enc_auth_hash_password("correct horse battery", hash, sizeof hash, &err), ENC_OK);
    CHECK(strncmp(hash, "$argon2id$", 10) == 0);
    CHECK(enc_auth_check_password(hash, "correct horse battery"));
    CHECK(!enc_auth_check_password(hash, "correct horse batterz"));
    CHECK(!enc_auth_check_password(enc_auth_dummy_hash(), ""));
    CHECK(enc_auth_password_weak("short") != NULL);
    int64_t id;
    CHECK_INT(enc_user_insert(st, "Ann@Shop.example", ENC_ROLE_OWNER, hash, 100, &id, &err), 0);
    CHECK_INT(enc_user_insert(st, "ann@shop.example", ENC_ROLE_ANALYST, hash, 100, &id, &err),
              ENC_EFAIL); /* emails are case-insensitive */
    enc_user_rec u;
    bool found;
    CHECK_INT(enc_user_get(st, "ANN@shop.example", 0, &u, &found, &err), 0);
    CHECK(found && u.role == ENC_ROLE_OWNER);

    /* a session lives until it expires, the user is disabled or logs out */
    uint8_t h[32];
    enc_auth_token_hash("tok", 3, h);
    CHECK_INT(enc_session_insert(st, h, u.id, "csrf1", 100, 200, &err), 0);
    char csrf[64];
    CHECK_INT(enc_session_find(st, h, 150, &u, csrf, sizeof csrf, &found, &err), 0);
    CHECK(found);
    CHECK_STR(csrf, "csrf1");
    CHECK_INT(enc_session_find(st, h, 200, &u, csrf, sizeof csrf, &found, &err), 0);
    CHECK(!found);
    CHECK_INT(enc_user_update(st, "ann@shop.example", 0, NULL, 1, 160, &found, &err), 0);
    CHECK(found);
    CHECK_INT(enc_session_find(st, h, 150, &u, csrf, sizeof csrf, &found, &err), 0);
    CHECK(!found);

    /* keys: found by hash, revoked once */
    char key[96], prefix[32];
    uint8_t kh[32];
    enc_auth_new_key(key, sizeof key, kh, prefix, sizeof prefix);
    CHECK(strncmp(key, ENC_APIKEY_TAG, strlen(ENC_APIKEY_TAG)) == 0);
    CHECK(strlen(key) >= 40);
    CHECK_INT(enc_apikey_insert(st, "bi", ENC_ROLE_ANALYST, kh, prefix, 0, 100, &id, &err), 0);
    enc_principal p;
    enc_auth_outcome out;
    const char *why;
    char authz[128];
    snprintf(authz, sizeof authz, "Bearer %s", key);
    CHECK_INT(enc_auth_resolve(st, authz, NULL, 150, &p, &out, &why, &err), 0);
    CHECK_INT(out, ENC_AUTH_OK);
    CHECK_INT(p.role, ENC_ROLE_ANALYST);
    CHECK_INT(enc_auth_resolve(st, "Basic abc", NULL, 150, &p, &out, &why, &err), 0);
    CHECK_INT(out, ENC_AUTH_BAD);
    CHECK_INT(enc_auth_resolve(st, NULL, "encore_session=nope", 150, &p, &out, &why, &err), 0);
    CHECK_INT(out, ENC_AUTH_BAD);
    CHECK_INT(enc_auth_resolve(st, NULL, NULL, 150, &p, &out, &why, &err), 0);
    CHECK_INT(out, ENC_AUTH_NONE);
    CHECK_INT(enc_apikey_revoke(st, id, 160, &found, &err), 0);
    CHECK(found);
    CHECK_INT(enc_apikey_revoke(st, id, 161, &found, &err), 0);
    CHECK(!found);
    CHECK_INT(enc_auth_resolve(st, authz, NULL, 170, &p, &out, &why, &err), 0);
    CHECK_INT(out, ENC_AUTH_BAD);

    /* the audit log: appended, queried with filters, never changed */
    enc_audit_rec r = {.at = 100, .actor = "user:a", .action = "user.add", .target = "b"};
    CHECK_INT(enc_audit_append(st, &r, &err), 0);
    r.action = "apikey.create";
    CHECK_INT(enc_audit_append(st, &r, &err), 0);
    enc_audit_query q = {.limit = 10, .action = "user."};
    enc_audit_list l;
    CHECK_INT(enc_audit_query_run(st, &q, &l, &err), 0);
    CHECK_INT(l.n, 1);
    enc_audit_list_free(&l);
    sqlite3 *db = enc__store_db(st);
    CHECK(sqlite3_exec(db, "UPDATE audit SET actor = 'x'", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(strstr(sqlite3_errmsg(db), "append-only") != NULL);
    enc_store_close(st);
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static void rate_limiter(void)
{
    static enc_ratelimit rl;
    enc_rl_init(&rl, 3, 60);
    CHECK_INT(enc_rl_blocked(&rl, "1.2.3.4", 1000), 0);
    for (int i = 0; i < 3; i++) enc_rl_fail(&rl, "1.2.3.4", 1000);
    CHECK_INT(enc_rl_blocked(&rl, "1.2.3.4", 1010), 50);
    CHECK_INT(enc_rl_blocked(&rl, "5.6.7.8", 1010), 0);
    CHECK_INT(enc_rl_blocked(&rl, "1.2.3.4", 1060), 0); /* the window has passed */
    enc_rl_fail(&rl, "1.2.3.4", 1061);
    CHECK_INT(enc_rl_blocked(&rl, "1.2.3.4", 1061), 0); /* a fresh window */
    enc_rl_clear(&rl, "1.2.3.4");
    /* many keys: bounded memory, never a crash */
    char k[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "10.0.%d.%d", i / 256, i % 256);
        enc_rl_fail(&rl, k, 2000);
    }
    enc_rl_destroy(&rl);
}

/* The OpenAPI document has exactly the table's operations, each with the table's roles. */
static void openapi_is_the_table(void)
{
    json_t *doc = enc_openapi_doc();
    CHECK_STR(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *paths = json_object_get(doc, "paths");
    size_t ops = 0;
    const char *path;
    json_t *item;
    json_object_foreach(paths, path, item) ops += json_object_size(item);
    CHECK_INT(ops, enc_routes_count);
    for (size_t i = 0; i < enc_routes_count; i++) {
        const enc_route *r = &enc_routes[i];
        char m[16];
        size_t k = 0;
        for (; r->method[k]; k++) m[k] = (char)(r->method[k] | 0x20);
        m[k] = 0;
        json_t *op = json_object_get(json_object_get(paths, r->path), m);
        if (!op) {
            TH_FAIL("%s %s missing from the document", r->method, r->path);
            continue;
        }
        json_t *roles = json_object_get(op, "x-roles");
        unsigned got = 0;
        size_t j;
        json_t *v;
        json_array_foreach(roles, j, v) got |= enc_role_parse(json_string_value(v));
        if (got != r->roles)
            TH_FAIL("%s %s: x-roles %u, table %u", r->method, r->path, got, r->roles);
        CHECK(json_array_size(json_object_get(op, "security")) == (r->roles ? 2u : 0u));
    }
    json_decref(doc);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    RUN(route_matching);
    RUN(query_parsing);
    RUN(body_validation);
    RUN(problems_never_echo_bad_utf8);
    RUN(cursors);
    RUN(masking);
    RUN(times);
    RUN(store_users_keys_sessions_audit);
    RUN(rate_limiter);
    RUN(openapi_is_the_table);
    return TEST_SUMMARY();
}
