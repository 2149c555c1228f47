/* test_webassets.c — the console's embedded files (src/server/webassets.h): what a GET path
 * answers. index.html for / and client routes, the bundle by exact path, 404 for everything
 * else — API and tracking prefixes, unknown assets, traversal, odd characters, long paths. */
#include "harness.h"
#include "server/webassets.h"

static const char *ctype_of(const char *path)
{
    const unsigned char *d;
    size_t n;
    const char *ct = NULL;
    return enc_webasset_get(path, &d, &n, &ct) ? ct : NULL;
}

static bool is_index(const char *path)
{
    const unsigned char *d;
    size_t n;
    const char *ct;
    if (!enc_webasset_get(path, &d, &n, &ct)) return false;
    return n > 15 && memcmp(d, "<!doctype html>", 15) == 0 && strstr(ct, "text/html") == ct;
}

static void test_index_and_routes(void)
{
    CHECK(is_index("/"));
    CHECK(is_index("/index.html"));
    CHECK(is_index("/customers"));
    CHECK(is_index("/customers/42"));
    CHECK(is_index("/campaigns/win-back"));
    CHECK(is_index("/campaigns/new"));
    CHECK(is_index("/login"));
    CHECK(is_index("/segments/"));
    CHECK(is_index("/campaigns/\xe5\x8f\x8c\xe5\x8d\x81\xe4\xb8\x80")); /* 双十一, decoded */
    CHECK(is_index("/campaigns/spring sale"));
}

static void test_assets(void)
{
    CHECK_STR(ctype_of("/assets/app.js"), "text/javascript; charset=utf-8");
    CHECK_STR(ctype_of("/assets/app.css"), "text/css; charset=utf-8");
    CHECK_STR(ctype_of("/assets/icon.svg"), "image/svg+xml");
    const unsigned char *d;
    size_t n;
    const char *ct;
    CHECK(enc_webasset_get("/assets/app.js", &d, &n, &ct));
    CHECK(n > 1000);
    CHECK(d[n] == 0); /* the literal's NUL after the bytes */
    /* every table entry: a path, a type, and exactly len bytes before the NUL */
    for (int i = 0; i < enc_webassets_count; i++) {
        CHECK(enc_webassets[i].path[0] == '/');
        CHECK(enc_webassets[i].content_type != NULL);
        CHECK(enc_webassets[i].data[enc_webassets[i].len] == 0);
    }
    CHECK(!strstr((const char *)d, "sourceMappingURL")); /* no map we do not serve */
}

static void test_refused(void)
{
    const char *bad[] = {
        "/assets/nope.js",
        "/assets/",
        "/assets/../index.html",
        "/v1/stats",
        "/v1/unknown",
        "/v1",
        "/t/c/x",
        "/u/abc",
        "/metrics",
        "/healthz",
        "/readyz",
        "/favicon.ico",
        "/customers/x.js",
        "/../etc/passwd",
        "/campaigns/../b",
        "/a/./b",
        "//x",
        "/a//b",
        "/a\tb",
        "/a<b",
        "/a\"b",
        "/a?x=1",
        "/a\\b",
        "",
        "x",
        "/a\x01b",
        "/nope",
        "/customersx",
        "/wp-admin/setup",
        "/campaigns/a\x01b",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (is_index(bad[i]) || ctype_of(bad[i])) TH_FAIL("%s should be refused", bad[i]);
    CHECK(!enc_webasset_get(NULL, &(const unsigned char *){0}, &(size_t){0}, &(const char *){0}));
    char longp[700];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = 0;
    CHECK(!is_index(longp));
}

int main(void)
{
    RUN(test_index_and_routes);
    RUN(test_assets);
    RUN(test_refused);
    return TEST_SUMMARY();
}
