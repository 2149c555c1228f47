/* test_server.c — unit tests for src/server/server.c, in process on a free 127.0.0.1 port
 * with a plain-socket HTTP client: routes and their refusals, the write key, body limits,
 * many clients at once through the one writer (every event stored once, none lost), the
 * periodic-job hook (a registered job runs on its own connection, and stops with the server),
 * clicks still queued at stop are written (drain), and the direct-writes mode. The e2e test
 * tests/e2e/test_serve.sh drives the real binary with curl. */
#include "harness.h"
#include "server/server.h"
#include "server/api.h"
#include "base/mem.h"
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/socket.h>

static char dbpath[512];
static enc_token_key KEY;

/* One request with "Connection: close"; returns the status, *body gets the body (static). */
static char resp[1 << 16];
static int http(int port, const char *method, const char *path, const char *auth,
                const char *body, const char **out_body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    char req[8192];
    size_t bl = body ? strlen(body) : 0;
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s%s%s"
                                      "Content-Length: %zu\r\n\r\n",
                     method, path, auth ? "Authorization: Basic " : "", auth ? auth : "",
                     auth ? "\r\n" : "", bl);
    if (write(fd, req, (size_t)n) != n || (bl && write(fd, body, bl) != (ssize_t)bl)) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    ssize_t r;
    while (got < sizeof resp - 1 && (r = read(fd, resp + got, sizeof resp - 1 - got)) > 0) got += (size_t)r;
    resp[got] = 0;
    close(fd);
    int status = 0;
    sscanf(resp, "HTTP/1.%*d %d", &status);
    char *b = strstr(resp, "\r\n\r\n");
    if (out_body) *out_body = b ? b + 4 : "";
    return status;
}

/* base64("wk:") */
#define AUTH "d2s6"

static int64_t scalar(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    int64_t v = -1;
    sqlite3_open(dbpath, &db);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static enc_server *start(bool direct)
{
    enc_server_opts o = {.db_path = dbpath, .listen = "127.0.0.1:0", .write_key = "wk", .key = KEY,
                         .direct = direct};
    enc_server *s;
    enc_err err;
    if (enc_server_new(&o, &s, &err)) {
        TH_FAIL("new: %s", err.msg);
        return NULL;
    }
    return s;
}

static void routes_and_refusals(void)
{
    unlink(dbpath);
    enc_server *s = start(false);
    enc_err err;
    if (!s) return;
    CHECK_INT(enc_server_start(s, &err), ENC_OK);
    int port = enc_server_port(s);
    CHECK(port > 0);
    const char *b;
    CHECK_INT(http(port, "GET", "/healthz", NULL, NULL, &b), 200);
    CHECK(strstr(b, "\"ok\":true") != NULL);
    CHECK_INT(http(port, "GET", "/nope", NULL, NULL, &b), 404);
    CHECK(strstr(b, "\"error\":\"no such route\"") != NULL);
    CHECK_INT(http(port, "GET", "/v1/track", AUTH, NULL, &b), 405);
    CHECK(strstr(resp, "Allow: POST") != NULL);
    CHECK_INT(http(port, "POST", "/healthz", NULL, "", &b), 405);
    CHECK_INT(http(port, "POST", "/v1/track", NULL, "{}", &b), 401);
    CHECK(strstr(resp, "WWW-Authenticate: Basic") != NULL);
    CHECK_INT(http(port, "POST", "/v1/track", "d3g6", "{}", &b), 401); /* "wx:" */
    CHECK_INT(http(port, "POST", "/v1/track", "!!!", "{}", &b), 401);
    CHECK_INT(http(port, "POST", "/v1/track", AUTH, "{\"userId\":\"u\"}", &b), 400);
    CHECK(strstr(b, "\"field\":\"event\"") != NULL);
    CHECK_INT(http(port, "POST", "/v1/track", AUTH,
                   "{\"userId\":\"u\",\"event\":\"Product Viewed\",\"messageId\":\"s-1\"}", &b), 200);
    CHECK_STR(b, "{\"ok\":true}");
    /* over the limit: refused from Content-Length, before the body is read */
    char *big = enc_xmalloc(ENC_API_BODY_MAX + 2);
    memset(big, ' ', ENC_API_BODY_MAX + 1);
    big[ENC_API_BODY_MAX + 1] = 0;
    CHECK_INT(http(port, "POST", "/v1/track", AUTH, big, &b), 413);
    CHECK(strstr(b, "body larger than 32768 bytes") != NULL);
    free(big);
    /* tokens */
    enc_token t = {.kind = ENC_TOKEN_OPEN, .message_id = 9, .customer_id = 1};
    char tok[ENC_TOKEN_BUF], path[ENC_TOKEN_BUF + 16];
    CHECK_INT(enc_token_make(&KEY, &t, tok, &err), ENC_OK);
    snprintf(path, sizeof path, "/t/o/%s.gif", tok);
    CHECK_INT(http(port, "GET", path, NULL, NULL, &b), 200);
    CHECK(strstr(resp, "Content-Type: image/gif") != NULL && strstr(resp, "no-store") != NULL);
    CHECK(memcmp(b, "GIF89a", 6) == 0);
    snprintf(path, sizeof path, "/t/c/%s", tok); /* an open token on the click route */
    CHECK_INT(http(port, "GET", path, NULL, NULL, &b), 400);
    CHECK(strstr(b, "not a click token") != NULL);
    tok[3] ^= 1;
    snprintf(path, sizeof path, "/t/o/%s", tok);
    CHECK_INT(http(port, "GET", path, NULL, NULL, &b), 400);
    CHECK(strstr(b, "token: ") != NULL);
    enc_server_stop(s);
    enc_server_stats st;
    enc_server_stats_get(s, &st);
    CHECK_INT(st.api_stored, 1);
    CHECK_INT(st.opens, 1);
    CHECK_INT(st.server_errors, 0);
    enc_server_free(s);
    CHECK_INT(scalar("SELECT count(*) FROM events WHERE type = 'message_open'"), 1);
    CHECK_INT(scalar("SELECT count(*) FROM events WHERE type = 'view'"), 1);
}

/* Many clients at once: each posts its own events, half of them twice; every event is stored
 * exactly once and the server commits in fewer transactions than requests. */
typedef struct client_arg {
    int port, id, n, ok;
} client_arg;

static void *client(void *p)
{
    client_arg *a = p;
    char body[256];
    for (int i = 0; i < a->n; i++) {
        snprintf(body, sizeof body, "{\"userId\":\"c%d\",\"event\":\"Product Viewed\",\"messageId\":\"c%d-%d\"}",
                 a->id, a->id, i / 2 * 2); /* every second request repeats the one before */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)a->port)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            close(fd);
            continue;
        }
        char req[512], r[1024];
        int n = snprintf(req, sizeof req, "POST /v1/track HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                          "Authorization: Basic " AUTH "\r\nContent-Length: %zu\r\n\r\n%s",
                         strlen(body), body);
        if (write(fd, req, (size_t)n) == n) {
            size_t got = 0;
            ssize_t k;
            while (got < sizeof r - 1 && (k = read(fd, r + got, sizeof r - 1 - got)) > 0) got += (size_t)k;
            r[got] = 0;
            if (strncmp(r, "HTTP/1.1 200", 12) == 0) a->ok++;
        }
        close(fd);
    }
    return NULL;
}

static void concurrent_clients_one_writer(void)
{
    unlink(dbpath);
    for (int direct = 0; direct < 2; direct++) {
        unlink(dbpath);
        enc_server *s = start(direct);
        enc_err err;
        if (!s) return;
        CHECK_INT(enc_server_start(s, &err), ENC_OK);
        enum { NC = 8, PER = 40 };
        pthread_t th[NC];
        client_arg a[NC];
        for (int i = 0; i < NC; i++) {
            a[i] = (client_arg){.port = enc_server_port(s), .id = i, .n = PER};
            pthread_create(&th[i], NULL, client, &a[i]);
        }
        int ok = 0;
        for (int i = 0; i < NC; i++) {
            pthread_join(th[i], NULL);
            ok += a[i].ok;
        }
        enc_server_stop(s);
        enc_server_stats st;
        enc_server_stats_get(s, &st);
        enc_server_free(s);
        CHECK_INT(ok, NC * PER);
        CHECK_INT(st.api_stored, NC * PER / 2);
        CHECK_INT(st.api_duplicates, NC * PER / 2);
        CHECK_INT(scalar("SELECT count(*) FROM events"), NC * PER / 2);
        CHECK_INT(scalar("SELECT count(DISTINCT customer_id) FROM events"), NC);
        CHECK_INT(scalar("SELECT count(*) FROM customers"), NC);
        CHECK(st.commits >= 1 && st.commits <= NC * PER);
    }
}

/* the hook the scheduler and dispatcher use */
typedef struct job_ctx {
    atomic_int runs;
    atomic_int saw_store;
    atomic_int saw_stopping;
} job_ctx;

static enc_rc counting_job(enc_server *srv, enc_store *st, void *p, enc_err *err)
{
    job_ctx *c = p;
    if (st && enc_store_schema_version(st) == enc_store_schema_latest()) atomic_fetch_add(&c->saw_store, 1);
    if (enc_server_stopping(srv)) atomic_fetch_add(&c->saw_stopping, 1);
    return atomic_fetch_add(&c->runs, 1) == 0 ? enc_fail(err, ENC_EFAIL, "first run fails on purpose") : ENC_OK;
}

static void periodic_jobs_run_and_stop(void)
{
    unlink(dbpath);
    enc_server *s = start(false);
    enc_err err;
    if (!s) return;
    job_ctx c = {0};
    CHECK_INT(enc_server_add_job(s, "count", 0.02, counting_job, &c, &err), ENC_OK);
    CHECK_INT(enc_server_add_job(s, "bad", 0, counting_job, &c, &err), ENC_EUSAGE);
    CHECK_INT(enc_server_start(s, &err), ENC_OK);
    CHECK_INT(enc_server_add_job(s, "late", 1, counting_job, &c, &err), ENC_EUSAGE);
    for (int i = 0; i < 500 && atomic_load(&c.runs) < 3; i++) usleep(10000);
    CHECK(atomic_load(&c.runs) >= 3);
    const char *b;
    CHECK_INT(http(enc_server_port(s), "GET", "/healthz", NULL, NULL, &b), 200);
    CHECK(strstr(b, "\"name\":\"count\"") != NULL);
    CHECK(strstr(b, "\"last_error\":\"first run fails on purpose\"") != NULL);
    enc_server_stop(s);
    int after = atomic_load(&c.runs);
    usleep(100000);
    CHECK_INT(atomic_load(&c.runs), after); /* joined: no run after stop */
    CHECK_INT(atomic_load(&c.saw_store), after);
    enc_server_stats st;
    enc_server_stats_get(s, &st);
    CHECK_INT(st.jobs_run, after);
    CHECK_INT(st.jobs_failed, 1);
    enc_server_free(s);
}

/* Clicks are answered before they are written; stopping writes every one of them. */
static void stop_drains_queued_writes(void)
{
    unlink(dbpath);
    enc_server *s = start(false);
    enc_err err;
    if (!s) return;
    CHECK_INT(enc_server_start(s, &err), ENC_OK);
    enc_token t = {.kind = ENC_TOKEN_CLICK, .message_id = 3, .customer_id = 0};
    strcpy(t.url, "https://shop.example/");
    char tok[ENC_TOKEN_BUF], path[ENC_TOKEN_BUF + 8];
    CHECK_INT(enc_token_make(&KEY, &t, tok, &err), ENC_OK);
    snprintf(path, sizeof path, "/t/c/%s", tok);
    int redirects = 0;
    for (int i = 0; i < 200; i++) redirects += http(enc_server_port(s), "GET", path, NULL, NULL, NULL) == 302;
    CHECK_INT(redirects, 200);
    CHECK(strstr(resp, "Location: https://shop.example/\r\n") != NULL);
    enc_server_stop(s);
    enc_server_free(s);
    CHECK_INT(scalar("SELECT count(*) FROM events WHERE type = 'message_click'"), 200);
    CHECK_INT(scalar("SELECT count(DISTINCT source_key) FROM events"), 200);
}

static void bad_listen_addresses(void)
{
    const char *bad[] = {"127.0.0.1", "127.0.0.1:99999", "[::1", "[::1]8080", "1.2.3.4:x", "1.2.3.4:"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        enc_server_opts o = {.db_path = dbpath, .listen = bad[i], .key = KEY};
        enc_server *s;
        enc_err err;
        CHECK_INT(enc_server_new(&o, &s, &err), ENC_OK);
        if (enc_server_start(s, &err) == ENC_OK) TH_FAIL("listened on '%s'", bad[i]);
        enc_server_free(s);
    }
}

/* Clients that hang up while their write is queued: the writer still resumes their
 * connections, and stop does not wait for them forever (it did: the count of waiting
 * connections was only lowered by the handler, which a gone client never reaches). */
static void stop_with_clients_gone(void)
{
    unlink(dbpath);
    enc_server *s = start(false);
    enc_err err;
    if (!s) return;
    CHECK_INT(enc_server_start(s, &err), ENC_OK);
    /* hold the database's write lock, so that every request waits, suspended, while its
     * client leaves */
    sqlite3 *lock;
    sqlite3_open(dbpath, &lock);
    CHECK_INT(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 100; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)enc_server_port(s))};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
            close(fd);
            continue;
        }
        char req[512], body[128];
        snprintf(body, sizeof body, "{\"userId\":\"g\",\"event\":\"x\",\"messageId\":\"g%d\"}", i);
        int n = snprintf(req, sizeof req, "POST /v1/track HTTP/1.1\r\nHost: t\r\nAuthorization: Basic " AUTH
                                          "\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
        if (write(fd, req, (size_t)n) != n) TH_FAIL("write");
        close(fd); /* gone before the answer */
    }
    usleep(300000);
    sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(lock);
    alarm(30); /* a hang here fails the suite instead of blocking it */
    enc_server_stop(s);
    alarm(0);
    enc_server_free(s);
    CHECK_INT(scalar("SELECT count(*) FROM events"), 100); /* written all the same */
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    signal(SIGPIPE, SIG_IGN);
    snprintf(dbpath, sizeof dbpath, "%s/server.db", th_tmpdir());
    enc_err err;
    enc_token_key_from("a test secret of some length", 28, &KEY, &err);
    RUN(routes_and_refusals);
    RUN(concurrent_clients_one_writer);
    RUN(periodic_jobs_run_and_stop);
    RUN(stop_drains_queued_writes);
    RUN(stop_with_clients_gone);
    RUN(bad_listen_addresses);
    return TEST_SUMMARY();
}
