/* test_server.c — unit tests for src/server/server.c, in process on a free 127.0.0.1 port
 * with a plain-socket HTTP client: routes and their refusals, the write key, body limits,
 * many clients at once through the one writer (every event stored once, none lost), the
 * periodic-job hook (a registered job runs on its own connection, and stops with the server),
 * clicks still queued at stop are written (drain), the inbox read API, and the direct-writes
 * mode. The e2e test
 * tests/e2e/test_serve.sh drives the real binary with curl. */
#include "harness.h"
#include "store/store_int.h"
#include "server/server.h"
#include "server/api.h"
#include "base/mem.h"
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/socket.h>

static char dbpath[512];
static enc_token_key KEY;

/* One request with "Connection: close"; returns the status, *body gets the body (static). */
static char resp[1 << 16];
static int http(int port, const char *method, const char *path, const char *auth, const char *body,
                const char **out_body)
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
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s%s%s"
                     "Content-Length: %zu\r\n\r\n",
                     method, path, auth ? "Authorization: Basic " : "", auth ? auth : "",
                     auth ? "\r\n" : "", bl);
    if (write(fd, req, (size_t)n) != n || (bl && write(fd, body, bl) != (ssize_t)bl)) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    ssize_t r;
    while (got < sizeof resp - 1 && (r = read(fd, resp + got, sizeof resp - 1 - got)) > 0)
        got += (size_t)r;
    resp[got] = 0;
    close(fd);
    int status = 0;
    sscanf(resp, "HTTP/1.%*d %d", &status);
    char *b = strstr(resp, "\r\n\r\n");
    if (out_body) *out_body = b ? b + 4 : "";
    return status;
}

/* base64("unit-write-key-0123:") */
#define AUTH "dW5pdC13cml0ZS1rZXktMDEyMzo="

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
    enc_server_opts o = {.db_path = dbpath,
                         .listen = "127.0.0.1:0",
                         .write_key = "unit-write-key-0123",
                         .key = KEY,
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
    CHECK(strstr(b, "\"detail\":\"no such route\"") != NULL);
    CHECK(strstr(resp, "application/problem+json") != NULL);
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
                   "{\"userId\":\"u\",\"event\":\"Product Viewed\",\"messageId\":\"s-1\"}", &b),
              200);
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
        snprintf(body, sizeof body,
                 "{\"userId\":\"c%d\",\"event\":\"Product Viewed\",\"messageId\":\"c%d-%d\"}",
                 a->id, a->id, i / 2 * 2); /* every second request repeats the one before */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)a->port)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            close(fd);
            continue;
        }
        char req[512], r[1024];
        int n = snprintf(req, sizeof req,
                         "POST /v1/track HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                         "Authorization: Basic " AUTH "\r\nContent-Length: %zu\r\n\r\n%s",
                         strlen(body), body);
        if (write(fd, req, (size_t)n) == n) {
            size_t got = 0;
            ssize_t k;
            while (got < sizeof r - 1 && (k = read(fd, r + got, sizeof r - 1 - got)) > 0)
                got += (size_t)k;
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
    atomic_int ended;
} job_ctx;

static void ending_job(enc_server *srv, enc_store *st, void *p)
{
    job_ctx *c = p;
    if (st) atomic_fetch_add(&c->ended, 1);
}

static enc_rc counting_job(enc_server *srv, enc_store *st, void *p, enc_err *err)
{
    job_ctx *c = p;
    if (st && enc_store_schema_version(st) == enc_store_schema_latest())
        atomic_fetch_add(&c->saw_store, 1);
    if (enc_server_stopping(srv)) atomic_fetch_add(&c->saw_stopping, 1);
    return atomic_fetch_add(&c->runs, 1) == 0
               ? enc_fail(err, ENC_EFAIL, "first run fails on purpose")
               : ENC_OK;
}

static void periodic_jobs_run_and_stop(void)
{
    unlink(dbpath);
    enc_server *s = start(false);
    enc_err err;
    if (!s) return;
    job_ctx c = {0};
    CHECK_INT(enc_server_add_job(s, "count", 0.02, counting_job, ending_job, &c, &err), ENC_OK);
    CHECK_INT(enc_server_add_job(s, "bad", 0, counting_job, NULL, &c, &err), ENC_EUSAGE);
    CHECK_INT(enc_server_start(s, &err), ENC_OK);
    CHECK_INT(enc_server_add_job(s, "late", 1, counting_job, NULL, &c, &err), ENC_EUSAGE);
    for (int i = 0; i < 500 && atomic_load(&c.runs) < 3; i++) usleep(10000);
    CHECK(atomic_load(&c.runs) >= 3);
    const char *b;
    CHECK_INT(http(enc_server_port(s), "GET", "/healthz", NULL, NULL, &b), 200);
    CHECK(strstr(b, "\"name\":\"count\"") != NULL);
    CHECK(strstr(b, "\"last_error\":\"first run fails on purpose\"") != NULL);
    CHECK(strstr(b, "\"last_run\":\"20") != NULL);
    enc_server_stop(s);
    CHECK_INT(atomic_load(&c.ended), 1); /* the end hook ran once, with the job's store */
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

/* The inbox read API: pages newest first that together hold every message once, the unread
 * filter and count, messages of a customer merged into another found under the survivor,
 * marking read (the first read's time kept; another customer's message refused), and the
 * refusals with their fields; in writer and direct modes. */
static void inbox_read_api(void)
{
    for (int direct = 0; direct < 2; direct++) {
        unlink(dbpath);
        enc_store *st;
        enc_err err = {0};
        CHECK_INT(enc_store_open(dbpath, &st, &err), ENC_OK);
        int64_t ids[3];
        const char *ext[3] = {"ann", "bob", "ann-old"};
        for (int i = 0; i < 3; i++) {
            enc_customer_rec r = {.source = "t", .source_key = ext[i], .external_id = ext[i]};
            enc_store_customer_insert(st, &r, &ids[i], &err);
            enc_store_ident_set(st, "ext", ext[i], ids[i], "t", &err);
        }
        enc_store_customer_merge(st, ids[2], ids[0], "test", "test", "test",
                                 &err); /* ann-old is ann now */
        sqlite3 *db = enc__store_db(st);
        /* 25 messages of ann (5 of them as ann-old, 3 already read), 2 of bob */
        for (int k = 0; k < 27; k++) {
            char q[400];
            int64_t who = k >= 25 ? ids[1] : k % 5 == 0 ? ids[2] : ids[0];
            snprintf(q, sizeof q,
                     "INSERT INTO inbox(customer_id, message_id, idempotency_key, title, body,"
                     " payload, created_at, read_at) VALUES(%lld, NULL, 'k%d', 'T%d', 'B', %s,"
                     " 1700000000 + %d, %s)",
                     (long long)who, k, k,
                     k == 1   ? "'{\"n\":1}'"
                     : k == 2 ? "'not json'"
                              : "NULL",
                     k, k == 3 || k == 7 || k == 11 ? "1700000500" : "NULL");
            CHECK_INT(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
        }
        enc_store_close(st);
        enc_server *s = start(direct);
        if (!s) return;
        CHECK_INT(enc_server_start(s, &err), ENC_OK);
        int port = enc_server_port(s);
        const char *b;
        /* walk the pages of 10: 25 messages, each once, newest first */
        char path[200] = "/v1/inbox?customer=ann&limit=10";
        int seen = 0, pages = 0, last_id = 1 << 30, order_ok = 1;
        for (;;) {
            CHECK_INT(http(port, "GET", path, AUTH, NULL, &b), 200);
            json_t *d = json_loads(b, 0, NULL);
            CHECK(d != NULL);
            if (!d) break;
            pages++;
            CHECK_INT(json_integer_value(json_object_get(d, "unread")), 22);
            json_t *m = json_object_get(d, "messages");
            for (size_t i = 0; i < json_array_size(m); i++) {
                int id = (int)json_integer_value(json_object_get(json_array_get(m, i), "id"));
                order_ok &= id < last_id;
                last_id = id;
                seen++;
            }
            json_t *nb = json_object_get(d, "next_before");
            if (!json_is_integer(nb)) {
                json_decref(d);
                break;
            }
            snprintf(path, sizeof path, "/v1/inbox?customer=ann&limit=10&before=%lld",
                     (long long)json_integer_value(nb));
            json_decref(d);
            if (pages > 5) break;
        }
        CHECK_INT(seen, 25);
        CHECK_INT(pages, 3);
        CHECK(order_ok);
        /* the old id finds the same inbox (merges followed) */
        CHECK_INT(http(port, "GET", "/v1/inbox?customer=ann-old&limit=1", AUTH, NULL, &b), 200);
        CHECK(strstr(b, "\"customer\":\"ann-old\",\"unread\":22") != NULL);
        /* payloads: JSON stays an object, other text a string, none is null */
        CHECK_INT(http(port, "GET", "/v1/inbox?customer=ann&before=4&limit=3", AUTH, NULL, &b),
                  200);
        CHECK(strstr(b, "\"payload\":{\"n\":1}") != NULL);
        CHECK(strstr(b, "\"payload\":\"not json\"") != NULL);
        CHECK(strstr(b, "\"created_at\":\"2023-11-14T22:13:21Z\"") != NULL); /* 1700000001 */
        CHECK_INT(http(port, "GET", "/v1/inbox?customer=ann&unread=true&limit=100", AUTH, NULL, &b),
                  200);
        CHECK(strstr(b, "\"title\":\"T3\"") == NULL && strstr(b, "\"title\":\"T4\"") != NULL);
        CHECK(strstr(b, "\"next_before\":null") != NULL);
        /* bob's first message (id 26): ann may not mark it; bob may, once */
        CHECK_INT(http(port, "POST", "/v1/inbox/26/read?customer=ann", AUTH, NULL, &b), 404);
        CHECK(strstr(b, "\"field\":\"id\"") != NULL);
        CHECK_INT(http(port, "POST", "/v1/inbox/26/read?customer=bob", AUTH, NULL, &b), 200);
        CHECK(strstr(b, "\"already\"") == NULL);
        CHECK_INT(http(port, "POST", "/v1/inbox/26/read?customer=bob", AUTH, NULL, &b), 200);
        CHECK(strstr(b, "\"already\":true") != NULL);
        CHECK_INT(http(port, "POST", "/v1/inbox/4/read", AUTH, NULL, &b), 200); /* was read */
        CHECK(strstr(b, "\"read_at\":\"2023-11-14T22:21:40Z\",\"already\":true") != NULL);
        CHECK_INT(http(port, "GET", "/v1/inbox?customer=bob", AUTH, NULL, &b), 200);
        CHECK(strstr(b, "\"unread\":1") != NULL);
        /* refusals */
        static const struct {
            const char *method, *path, *auth;
            int status;
            const char *has;
        } bad[] = {
            {"GET", "/v1/inbox?customer=ann", NULL, 401, "\"field\":\"authorization\""},
            {"GET", "/v1/inbox", AUTH, 400, "\"field\":\"customer\""},
            {"GET", "/v1/inbox?customer=", AUTH, 400, "not a customer id"},
            {"GET", "/v1/inbox?customer=zed", AUTH, 404, "no such customer"},
            {"GET", "/v1/inbox?customer=ann&limit=0", AUTH, 400, "\"field\":\"limit\""},
            {"GET", "/v1/inbox?customer=ann&limit=1e3", AUTH, 400, "\"field\":\"limit\""},
            {"GET", "/v1/inbox?customer=ann&before=x", AUTH, 400, "\"field\":\"before\""},
            {"GET", "/v1/inbox?customer=ann&unread=2", AUTH, 400, "\"field\":\"unread\""},
            {"GET", "/v1/inbox?customer=ann&sort=asc", AUTH, 400, "unknown parameter 'sort'"},
            {"DELETE", "/v1/inbox?customer=ann", AUTH, 405, "method not allowed"},
            {"POST", "/v1/inbox/0/read", AUTH, 400, "positive whole number"},
            {"POST", "/v1/inbox/99999999999999999999/read", AUTH, 400, "positive whole number"},
            {"POST", "/v1/inbox/5/read?limit=3", AUTH, 400, "unknown parameter 'limit'"},
            {"POST", "/v1/inbox/500/read", AUTH, 404, "no such inbox message"},
            {"GET", "/v1/inbox/5/read", AUTH, 405, "method not allowed"},
            {"GET", "/v1/inbox/5", AUTH, 404, "no such route"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            int got = http(port, bad[i].method, bad[i].path, bad[i].auth, NULL, &b);
            if (got != bad[i].status || !strstr(b, bad[i].has))
                TH_FAIL("%s %s: %d %s", bad[i].method, bad[i].path, got, b);
        }
        enc_server_stats stats;
        enc_server_stop(s);
        enc_server_stats_get(s, &stats);
        CHECK_INT(stats.inbox_marked, 1);
        CHECK(stats.inbox_pages >= 7);
        enc_server_free(s);
        CHECK_INT(scalar("SELECT count(*) FROM inbox WHERE read_at IS NOT NULL"), 4);
    }
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
    for (int i = 0; i < 200; i++)
        redirects += http(enc_server_port(s), "GET", path, NULL, NULL, NULL) == 302;
    CHECK_INT(redirects, 200);
    CHECK(strstr(resp, "Location: https://shop.example/\r\n") != NULL);
    enc_server_stop(s);
    enc_server_free(s);
    CHECK_INT(scalar("SELECT count(*) FROM events WHERE type = 'message_click'"), 200);
    CHECK_INT(scalar("SELECT count(DISTINCT source_key) FROM events"), 200);
}

static void bad_listen_addresses(void)
{
    const char *bad[] = {"127.0.0.1", "127.0.0.1:99999", "[::1",
                         "[::1]8080", "1.2.3.4:x",       "1.2.3.4:"};
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
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)enc_server_port(s))};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
            close(fd);
            continue;
        }
        char req[512], body[128];
        snprintf(body, sizeof body, "{\"userId\":\"g\",\"event\":\"x\",\"messageId\":\"g%d\"}", i);
        int n = snprintf(req, sizeof req,
                         "POST /v1/track HTTP/1.1\r\nHost: t\r\nAuthorization: Basic " AUTH
                         "\r\nContent-Length: %zu\r\n\r\n%s",
                         strlen(body), body);
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
    RUN(inbox_read_api);
    RUN(stop_drains_queued_writes);
    RUN(stop_with_clients_gone);
    RUN(bad_listen_addresses);
    return TEST_SUMMARY();
}
