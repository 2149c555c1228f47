/* server.c — the HTTP server (see server.h): routing and limits on libmicrohttpd's thread pool,
 * the writer thread and its queue, the periodic jobs' threads, and the drain on stop.
 *
 * A request's life: the first call of the access handler (headers read) picks the route,
 * checks method, write key, token and Content-Length, and answers 4xx at once when one is
 * wrong; body chunks are gathered up to the route's limit; the last call parses the body (on
 * the HTTP thread) and hands a write job to the writer. /v1/... and unsubscribe POSTs wait for
 * their commit (the connection is suspended and the writer resumes it); clicks and opens are
 * answered at once and their job is written behind them. Everything a request allocates is
 * in its struct req and its arena, freed when libmicrohttpd reports the request completed. */
#include "server/server.h"
#include "base/json.h"
#include "base/mem.h"
#include "ingest/identity.h"
#include "ingest/clean.h"
#include "server/api.h"
#include "server/inbox.h"
#include "server/track.h"
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GROUP_MAX 512        /* write jobs committed in one transaction at most */
#define QUEUE_MAX 4096       /* write jobs waiting before /v1/... answers 503 */
#define QUEUE_HARD_MAX 65536 /* ... and before clicks and opens are no longer recorded */
#define UNSUB_BODY_MAX 1024
#define GET_BODY_MAX 1024
#define DRAIN_SECONDS 5

/* ---- the server struct --------------------------------------------------------------------- */

typedef enum job_kind { JOB_API, JOB_HIT, JOB_INBOX_READ } job_kind;

/* A write for the writer thread. For /v1/... and unsubscribes it lives in the request (conn is
 * set, and the writer resumes conn when done); clicks and opens are detached: allocated on
 * their own (conn NULL) and freed by the writer. */
typedef struct wjob {
    struct wjob *next;
    job_kind kind;
    enc_api_req *api;
    enc_track_hit hit;
    int64_t inbox_id, inbox_cust, inbox_now; /* JOB_INBOX_READ: the message, its owner (0 =
                                                anyone), the time of the read */
    enc_inbox_mark inbox_mark;
    int64_t inbox_read_at;
    struct MHD_Connection *conn;
    enc_track_outcome outcome;
    enc_rc rc; /* ENC_OK, or the storage error of this job */
    char errmsg[256];
    bool done;
} wjob;

typedef struct srv_job {
    char name[64];
    double every;
    enc_server_job_fn fn;
    enc_server_job_end_fn end;
    void *ctx;
    pthread_t thread;
    bool started;
    long runs, failures; /* under srv->mu, with the fields below */
    int64_t last_run_at; /* epoch seconds of the last run's start; 0 before the first */
    double last_seconds; /* how long it took */
    char last_error[256];
} srv_job;

/* The one server struct (STYLE 9): configuration, the HTTP daemon, the writer and its queue,
 * the periodic jobs, counters. Nothing about a server lives outside it. */
struct enc_server {
    /* configuration, copied at enc_server_new */
    char *db_path, *listen, *phone_cc;
    bool has_write_key;
    uint8_t write_key_hash[32]; /* BLAKE2b of the write key: compared in constant time */
    enc_token_key key;
    int threads, timeout;
    bool direct;

    /* HTTP */
    struct MHD_Daemon *mhd;
    char address[80];
    int port;
    time_t started_at;
    int schema;

    /* the writer: the only connection that writes (in direct mode: none) */
    enc_store *wst;
    pthread_t writer;
    bool writer_started;
    pthread_mutex_t mu; /* guards the queue, stop flags and job counters */
    pthread_cond_t cv;  /* queue not empty, or stopping */
    wjob *head, *tail;
    size_t queued;
    bool stop_writer;
    atomic_bool stopping; /* enc_server_stop has begun */
    atomic_int suspended; /* connections suspended and not yet resumed by the writer */

    /* each HTTP thread's own connection: for reads (the inbox), and in direct mode for
     * writes too */
    pthread_key_t tls;
    bool tls_made;

    /* periodic jobs (the scheduler's tick, the dispatcher) */
    srv_job jobs[ENC_SERVER_JOBS_MAX];
    size_t njobs;
    pthread_cond_t job_cv; /* stopping, for jobs waiting out their interval */

    /* counters */
    atomic_long requests, api_stored, api_duplicates, api_rejected, clicks, opens, unsubscribes;
    atomic_long client_errors, server_errors, commits, inbox_pages, inbox_marked;
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "encore: serve: %s\n", buf);
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- writing --------------------------------------------------------------------------------- */

static enc_rc apply_job(enc_store *st, enc_ident *ident, wjob *j, enc_err *err)
{
    if (j->kind == JOB_API) return enc_api_apply(j->api, st, ident, err);
    if (j->kind == JOB_INBOX_READ)
        return enc_inbox_mark_read(st, j->inbox_id, j->inbox_cust, j->inbox_now, &j->inbox_mark,
                                   &j->inbox_read_at, err);
    return enc_track_apply(st, &j->hit, &j->outcome, err);
}

static void count_job(enc_server *s, const wjob *j)
{
    if (j->rc != ENC_OK) return;
    if (j->kind == JOB_API) {
        enc_api_counts c;
        enc_api_counts_get(j->api, &c);
        atomic_fetch_add(&s->api_stored, c.stored);
        atomic_fetch_add(&s->api_duplicates, c.duplicates);
    } else if (j->kind == JOB_INBOX_READ) {
        if (j->inbox_mark == ENC_INBOX_MARKED) atomic_fetch_add(&s->inbox_marked, 1);
    } else if (j->outcome == ENC_TRACK_RECORDED) {
        atomic_long *n = j->hit.tok.kind == ENC_TOKEN_CLICK  ? &s->clicks
                         : j->hit.tok.kind == ENC_TOKEN_OPEN ? &s->opens
                                                             : &s->unsubscribes;
        atomic_fetch_add(n, 1);
    }
}

/* Counts a written job and hands it back: resumes its connection, or frees a detached one. */
static void finish_job(enc_server *s, wjob *j)
{
    count_job(s, j);
    struct MHD_Connection *conn = j->conn;
    if (!conn) {
        if (j->rc) logf_("recording a tracking hit: %s", j->errmsg);
        free(j);
        return;
    }
    j->done = true;
    /* the request owns j from here on: nothing touches j after resuming. The connection counts
     * as waiting until it is resumed (its client may be gone by then: then libmicrohttpd ends
     * the request without calling the handler again). */
    MHD_resume_connection(conn);
    atomic_fetch_sub(&s->suspended, 1);
}

/* Writes jobs [first, end) in one transaction with one resolver. On a storage error
 * everything is rolled back and the error is returned (err). */
static enc_rc write_group(enc_store *st, wjob *first, wjob *end, enc_err *err)
{
    if (enc_store_begin(st, err)) return err->rc;
    enc_ident *ident = enc_ident_new(st, ENC_API_SOURCE);
    enc_rc rc = ENC_OK;
    for (wjob *j = first; j != end && !rc; j = j->next) rc = apply_job(st, ident, j, err);
    enc_ident_free(ident);
    if (!rc) rc = enc_store_commit(st, err);
    if (rc) enc_store_rollback(st);
    return rc;
}

/* A group of jobs: one transaction; when it fails, each job alone, so that one bad job (or a
 * busy database) fails only itself. */
static void write_jobs(enc_server *s, enc_store *st, wjob *list)
{
    enc_err err = {0};
    enc_rc rc = write_group(st, list, NULL, &err);
    if (rc && list->next) {
        for (wjob *j = list; j; j = j->next) {
            wjob *next = j->next;
            j->next = NULL;
            j->rc = write_group(st, j, NULL, &err);
            if (j->rc) snprintf(j->errmsg, sizeof j->errmsg, "%.250s", err.msg);
            else atomic_fetch_add(&s->commits, 1);
            j->next = next;
        }
    } else {
        for (wjob *j = list; j; j = j->next) {
            j->rc = rc;
            if (rc) snprintf(j->errmsg, sizeof j->errmsg, "%.250s", err.msg);
        }
        if (!rc) atomic_fetch_add(&s->commits, 1);
    }
    while (list) {
        wjob *next = list->next;
        finish_job(s, list);
        list = next;
    }
}

static void *writer_main(void *arg)
{
    enc_server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->head && !s->stop_writer) pthread_cond_wait(&s->cv, &s->mu);
        if (!s->head) { /* stopping and drained */
            pthread_mutex_unlock(&s->mu);
            break;
        }
        wjob *list = s->head, *last = list;
        size_t n = 1;
        while (last->next && n < GROUP_MAX) {
            last = last->next;
            n++;
        }
        s->head = last->next;
        if (!s->head) s->tail = NULL;
        s->queued -= n;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);
        write_jobs(s, s->wst, list);
    }
    return NULL;
}

/* Queues a job; false when the queue is full (limit: QUEUE_MAX or QUEUE_HARD_MAX). */
static bool enqueue(enc_server *s, wjob *j, size_t limit)
{
    pthread_mutex_lock(&s->mu);
    if (s->queued >= limit) {
        pthread_mutex_unlock(&s->mu);
        return false;
    }
    j->next = NULL;
    if (s->tail) s->tail->next = j;
    else s->head = j;
    s->tail = j;
    s->queued++;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return true;
}

/* the calling HTTP thread's own connection (reads; in direct mode also writes) */
static void close_tls_store(void *p) { enc_store_close(p); }

static enc_store *thread_store(enc_server *s, enc_err *err)
{
    enc_store *st = pthread_getspecific(s->tls);
    if (st) return st;
    if (enc_store_open(s->db_path, &st, err)) return NULL;
    pthread_setspecific(s->tls, st);
    return st;
}

/* direct mode: the job written here and now, in a transaction of its own; a detached job is
 * freed */
static void write_direct(enc_server *s, wjob *j, bool detached)
{
    enc_err err = {0};
    enc_store *st = thread_store(s, &err);
    j->rc = st ? write_group(st, j, NULL, &err) : ENC_EDB;
    if (j->rc) snprintf(j->errmsg, sizeof j->errmsg, "%.250s", err.msg);
    else atomic_fetch_add(&s->commits, 1);
    count_job(s, j);
    if (!detached) {
        j->done = true;
        return;
    }
    if (j->rc) logf_("recording a tracking hit: %s", j->errmsg);
    free(j);
}

/* ---- requests ----------------------------------------------------------------------------- */

typedef enum route {
    R_NONE,
    R_HEALTH,
    R_TRACK,
    R_IDENTIFY,
    R_BATCH,
    R_CLICK,
    R_OPEN,
    R_UNSUB,
    R_INBOX,
    R_INBOX_READ
} route;

/* Where a request is: reading its body, waiting (suspended) for the writer, or holding the
 * writer's result to answer with. */
typedef enum req_state { RQ_READING, RQ_WAITING, RQ_DONE } req_state;

typedef struct req {
    route route;
    bool post;
    req_state state;
    size_t limit;
    enc_buf body;
    bool too_large;
    enc_token tok;    /* tracking routes: verified on the first call */
    char *token;      /* unsubscribe: the token as given, for the page's form */
    enc_arena *arena; /* /v1/...: the parsed body */
    wjob job;         /* the write of this request */
} req;

static const uint8_t gif1x1[] = {/* 1x1 transparent GIF89a, 43 bytes */
                                 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
                                 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
                                 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

/* Queues a response with the headers every answer carries. */
static enum MHD_Result reply(enc_server *s, struct MHD_Connection *c, unsigned status,
                             const char *ctype, const void *data, size_t n, bool copy,
                             const char *hname, const char *hvalue)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        n, (void *)data, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    if (ctype) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (strcmp(ctype ? ctype : "", "image/gif") == 0) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                                "no-cache, no-store, must-revalidate, private, max-age=0");
        MHD_add_response_header(r, MHD_HTTP_HEADER_PRAGMA, "no-cache");
        MHD_add_response_header(r, MHD_HTTP_HEADER_EXPIRES, "0");
    } else {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    if (hname) MHD_add_response_header(r, hname, hvalue);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    if (status >= 500) atomic_fetch_add(&s->server_errors, 1);
    else if (status >= 400) atomic_fetch_add(&s->client_errors, 1);
    return ret;
}

static enum MHD_Result send_json(enc_server *s, struct MHD_Connection *c, unsigned status,
                                 const enc_buf *b, const char *hname, const char *hvalue)
{
    return reply(s, c, status, "application/json", b->p, b->len, true, hname, hvalue);
}

/* {"error":"...","field":"..."} */
static enum MHD_Result send_error(enc_server *s, struct MHD_Connection *c, unsigned status,
                                  const char *error, const char *field, const char *hname,
                                  const char *hvalue)
{
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "error", error);
    if (field) enc_jw_kstr(&w, "field", field);
    enc_jw_end(&w);
    enum MHD_Result r = send_json(s, c, status, &b, hname, hvalue);
    enc_buf_free(&b);
    return r;
}

/* The small pages a person sees on /u/: text is ours, the token is URL-safe base64 and '.'. */
static enum MHD_Result send_page(enc_server *s, struct MHD_Connection *c, unsigned status,
                                 const char *title, const char *text, const char *form_token)
{
    enc_buf b = {0};
    enc_buf_printf(
        &b,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"robots\" content=\"noindex\"><title>%s</title></head>\n"
        "<body style=\"font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em\">"
        "<h1>%s</h1>\n<p>%s</p>\n",
        title, title, text);
    if (form_token)
        enc_buf_printf(&b,
                       "<form method=\"post\" action=\"/u/%s\">"
                       "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                       "<button type=\"submit\">Unsubscribe</button></form>\n",
                       form_token);
    enc_buf_adds(&b, "</body></html>\n");
    enum MHD_Result r =
        reply(s, c, status, "text/html; charset=utf-8", b.p, b.len, true, "Content-Security-Policy",
              "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
              "frame-ancestors 'none'");
    enc_buf_free(&b);
    return r;
}

/* HTTP Basic with the write key as user name (any password), compared in constant time. */
static bool authorised(enc_server *s, struct MHD_Connection *c)
{
    if (!s->has_write_key) return false;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Basic ", 6) != 0) return false;
    h += 6;
    while (*h == ' ') h++;
    size_t hn = strlen(h);
    while (hn && h[hn - 1] == ' ') hn--;
    uint8_t raw[512];
    size_t n;
    const char *end;
    if (hn > 680 ||
        sodium_base642bin(raw, sizeof raw, h, hn, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) !=
            0 ||
        end != h + hn)
        return false;
    uint8_t *colon = memchr(raw, ':', n);
    size_t un = colon ? (size_t)(colon - raw) : n;
    uint8_t hash[32];
    crypto_generichash(hash, sizeof hash, raw, un, NULL, 0);
    sodium_memzero(raw, sizeof raw);
    return sodium_memcmp(hash, s->write_key_hash, sizeof hash) == 0;
}

static route route_of(const char *url, const char **token)
{
    *token = NULL;
    if (strcmp(url, "/healthz") == 0) return R_HEALTH;
    if (strcmp(url, "/v1/track") == 0) return R_TRACK;
    if (strcmp(url, "/v1/identify") == 0) return R_IDENTIFY;
    if (strcmp(url, "/v1/batch") == 0 || strcmp(url, "/v1/import") == 0) return R_BATCH;
    if (strncmp(url, "/t/c/", 5) == 0) return *token = url + 5, R_CLICK;
    if (strncmp(url, "/t/o/", 5) == 0) return *token = url + 5, R_OPEN;
    if (strncmp(url, "/u/", 3) == 0) return *token = url + 3, R_UNSUB;
    if (strcmp(url, "/v1/inbox") == 0) return R_INBOX;
    size_t n = strlen(url);
    if (strncmp(url, "/v1/inbox/", 10) == 0 && n > 15 && strcmp(url + n - 5, "/read") == 0)
        return R_INBOX_READ; /* /v1/inbox/ID/read */
    return R_NONE;
}

static enum MHD_Result healthz(enc_server *s, struct MHD_Connection *c)
{
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_kbool(&w, "ok", true);
    enc_jw_kint(&w, "schema", s->schema);
    enc_jw_kint(&w, "uptime", (int64_t)(time(NULL) - s->started_at));
    enc_jw_kstr(&w, "writes", s->direct ? "direct" : "writer");
    pthread_mutex_lock(&s->mu);
    enc_jw_kint(&w, "queued", (int64_t)s->queued);
    enc_jw_key(&w, "jobs");
    enc_jw_arr(&w);
    for (size_t i = 0; i < s->njobs; i++) {
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "name", s->jobs[i].name);
        enc_jw_knum(&w, "every", s->jobs[i].every);
        enc_jw_kint(&w, "runs", s->jobs[i].runs);
        enc_jw_kint(&w, "failures", s->jobs[i].failures);
        if (s->jobs[i].last_run_at) {
            char t[40];
            enc_inbox_fmt_time(t, sizeof t, s->jobs[i].last_run_at);
            enc_jw_kstr(&w, "last_run", t);
            enc_jw_knum(&w, "last_seconds", round(s->jobs[i].last_seconds * 1000) / 1000);
        }
        if (s->jobs[i].last_error[0]) enc_jw_kstr(&w, "last_error", s->jobs[i].last_error);
        enc_jw_end(&w);
    }
    pthread_mutex_unlock(&s->mu);
    enc_jw_end(&w);
    enc_jw_end(&w);
    enum MHD_Result r = send_json(s, c, 200, &b, NULL, NULL);
    enc_buf_free(&b);
    return r;
}

/* Hands the request's job to the writer and suspends the connection until it is committed
 * (RQ_WAITING); in direct mode writes it here (RQ_DONE); with the queue full, RQ_DONE with
 * ENC_ELIMIT (answered 503). */
static req_state submit(enc_server *s, struct MHD_Connection *c, req *q)
{
    q->job.conn = c;
    q->job.done = false;
    if (s->direct) {
        write_direct(s, &q->job, false);
        return q->state = RQ_DONE;
    }
    pthread_mutex_lock(&s->mu);
    bool full = s->queued >= QUEUE_MAX;
    pthread_mutex_unlock(&s->mu);
    if (full) {
        q->job.rc = ENC_ELIMIT;
        return q->state = RQ_DONE;
    }
    /* suspend first: the writer may resume the connection as soon as the job is queued */
    atomic_fetch_add(&s->suspended, 1);
    MHD_suspend_connection(c);
    enqueue(s, &q->job, SIZE_MAX);
    return q->state = RQ_WAITING;
}

/* A click or an open: written behind the answer. */
static void record_hit(enc_server *s, const enc_token *t)
{
    wjob *j = enc_xcalloc(1, sizeof *j);
    j->kind = JOB_HIT;
    enc_track_hit_init(&j->hit, t, (int64_t)time(NULL));
    if (s->direct) {
        write_direct(s, j, true);
        return;
    }
    if (!enqueue(s, j, QUEUE_HARD_MAX)) {
        logf_("write queue full: a %s was not recorded",
              t->kind == ENC_TOKEN_CLICK ? "click" : "open");
        free(j);
    }
}

/* ---- the inbox read API ------------------------------------------------------------------ */

/* The query parameters of an inbox route; the first one the route does not take is kept as
 * unknown (refused with its name). */
typedef struct qargs {
    const char *customer, *before, *limit, *unread, *unknown;
    bool inbox_list; /* GET /v1/inbox (all four), else POST .../read (customer only) */
} qargs;

static enum MHD_Result qarg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    qargs *a = cls;
    const char **slot = strcmp(key, "customer") == 0 ? &a->customer
                        : !a->inbox_list             ? NULL
                        : strcmp(key, "before") == 0 ? &a->before
                        : strcmp(key, "limit") == 0  ? &a->limit
                        : strcmp(key, "unread") == 0 ? &a->unread
                                                     : NULL;
    if (slot) *slot = value ? value : "";
    else if (!a->unknown) a->unknown = key;
    return MHD_YES;
}

/* A whole number in [1, max] written in plain digits. */
static bool parse_pos(const char *v, int64_t max, int64_t *out)
{
    if (!v || !*v || strlen(v) > 18) return false;
    int64_t x = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        x = x * 10 + (*p - '0');
    }
    if (x < 1 || x > max) return false;
    *out = x;
    return true;
}

/* Reads and checks the parameters; on a bad one answers 400 (or 404 for an unknown customer)
 * and returns false with *res set. *cust gets the customer (0 when none was given). */
static bool inbox_args(enc_server *s, struct MHD_Connection *c, bool list, qargs *a, enc_store **st,
                       int64_t *cust, char *customer, size_t cap, enum MHD_Result *res)
{
    memset(a, 0, sizeof *a);
    a->inbox_list = list;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, qarg, a);
    char msg[160];
    *cust = 0;
    customer[0] = 0;
    if (a->unknown) {
        snprintf(msg, sizeof msg, "unknown parameter '%.40s' (%s)", a->unknown,
                 list ? "customer, before, limit, unread" : "customer");
        *res = send_error(s, c, 400, msg, a->unknown, NULL, NULL);
        return false;
    }
    if (!a->customer) {
        if (!list) return true;
        *res =
            send_error(s, c, 400, "missing (the merchant's customer id)", "customer", NULL, NULL);
        return false;
    }
    const char *why = "empty";
    bool okid = enc_clean_id(a->customer, strlen(a->customer), customer, cap, &why);
    if (!okid || !customer[0]) {
        snprintf(msg, sizeof msg, "not a customer id: %s", okid ? "empty" : why);
        *res = send_error(s, c, 400, msg, "customer", NULL, NULL);
        return false;
    }
    enc_err err = {0};
    *st = thread_store(s, &err);
    if (!*st || enc_inbox_customer(*st, customer, cust, &err)) {
        logf_("inbox: %s", err.msg);
        *res = send_error(s, c, 500, "storage error", NULL, NULL, NULL);
        return false;
    }
    if (!*cust) {
        *res = send_error(s, c, 404, "no such customer", "customer", NULL, NULL);
        return false;
    }
    return true;
}

/* GET /v1/inbox?customer=ID[&before=N][&limit=N][&unread=1]: read on this thread's own
 * connection (WAL readers never wait for the writer). */
static enum MHD_Result inbox_list(enc_server *s, struct MHD_Connection *c)
{
    qargs a;
    enc_store *st = NULL;
    int64_t cust;
    char customer[160];
    enum MHD_Result res;
    if (!inbox_args(s, c, true, &a, &st, &cust, customer, sizeof customer, &res)) return res;
    enc_inbox_query q = {.customer = customer};
    int64_t v;
    if (a.limit) {
        if (!parse_pos(a.limit, ENC_INBOX_LIMIT_MAX, &v))
            return send_error(s, c, 400, "must be a whole number from 1 to 100", "limit", NULL,
                              NULL);
        q.limit = (int)v;
    }
    if (a.before) {
        if (!parse_pos(a.before, INT64_MAX, &v))
            return send_error(s, c, 400, "must be a message id (a positive whole number)", "before",
                              NULL, NULL);
        q.before = v;
    }
    if (a.unread) {
        if (strcmp(a.unread, "1") == 0 || strcmp(a.unread, "true") == 0) q.unread_only = true;
        else if (strcmp(a.unread, "0") != 0 && strcmp(a.unread, "false") != 0)
            return send_error(s, c, 400, "must be 1, 0, true or false", "unread", NULL, NULL);
    }
    enc_buf b = {0};
    enc_err err = {0};
    if (enc_inbox_page(st, cust, &q, &b, &err)) {
        enc_buf_free(&b);
        logf_("inbox: %s", err.msg);
        return send_error(s, c, 500, "storage error", NULL, NULL, NULL);
    }
    atomic_fetch_add(&s->inbox_pages, 1);
    enum MHD_Result r = send_json(s, c, 200, &b, NULL, NULL);
    enc_buf_free(&b);
    return r;
}

/* The answer to POST /v1/inbox/ID/read once the writer has marked it. */
static enum MHD_Result inbox_read_answer(enc_server *s, struct MHD_Connection *c, const req *q)
{
    if (q->job.inbox_mark == ENC_INBOX_NOT_FOUND)
        return send_error(s, c, 404,
                          q->job.inbox_cust ? "no such inbox message for this customer"
                                            : "no such inbox message",
                          "id", NULL, NULL);
    char t[40];
    enc_inbox_fmt_time(t, sizeof t, q->job.inbox_read_at);
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_kbool(&w, "ok", true);
    enc_jw_kint(&w, "id", q->job.inbox_id);
    enc_jw_kstr(&w, "read_at", t);
    if (q->job.inbox_mark == ENC_INBOX_ALREADY) enc_jw_kbool(&w, "already", true);
    enc_jw_end(&w);
    enum MHD_Result r = send_json(s, c, 200, &b, NULL, NULL);
    enc_buf_free(&b);
    return r;
}

/* The answer to a request whose write is done (or refused). */
static enum MHD_Result answer(enc_server *s, struct MHD_Connection *c, req *q)
{
    if (q->job.rc == ENC_ELIMIT)
        return q->route == R_UNSUB
                   ? send_page(s, c, 503, "Please try again",
                               "The server is busy. Please try again in a minute.", NULL)
                   : send_error(s, c, 503, "server busy: write queue full", NULL, "Retry-After",
                                "1");
    if (q->job.rc) {
        logf_("%s: %s",
              q->route == R_UNSUB        ? "unsubscribe"
              : q->route == R_INBOX_READ ? "inbox"
                                         : "ingest",
              q->job.errmsg);
        return q->route == R_UNSUB
                   ? send_page(s, c, 500, "Something went wrong",
                               "Your request could not be recorded. Please try again later.", NULL)
                   : send_error(s, c, 500, "storage error", NULL, NULL, NULL);
    }
    if (q->route == R_UNSUB) {
        if (q->job.outcome == ENC_TRACK_NO_CUSTOMER)
            return send_page(s, c, 404, "Unknown subscriber",
                             "This link does not belong to a subscriber we know.", NULL);
        return send_page(s, c, 200, "You are unsubscribed",
                         q->job.outcome == ENC_TRACK_ALREADY
                             ? "You had already unsubscribed; you will not receive these messages."
                             : "You will no longer receive these messages.",
                         NULL);
    }
    if (q->route == R_INBOX_READ) return inbox_read_answer(s, c, q);
    enc_buf b = {0};
    int status = enc_api_respond(q->job.api, &b);
    enum MHD_Result r = send_json(s, c, (unsigned)status, &b, NULL, NULL);
    enc_buf_free(&b);
    return r;
}

/* The last call of a request: the body is complete (or, resumed, its write is done). */
static enum MHD_Result finish(enc_server *s, struct MHD_Connection *c, req *q)
{
    if (q->state == RQ_WAITING) q->state = RQ_DONE; /* resumed by the writer */
    if (q->state == RQ_DONE) return answer(s, c, q);
    if (q->too_large) {
        char msg[64];
        snprintf(msg, sizeof msg, "body larger than %zu bytes", q->limit);
        if (q->route == R_UNSUB) return send_page(s, c, 413, "Request too large", msg, NULL);
        return send_error(s, c, 413, msg, "body", NULL, NULL);
    }
    switch (q->route) {
    case R_HEALTH: return healthz(s, c);
    case R_INBOX: return inbox_list(s, c);
    case R_INBOX_READ: {
        qargs a;
        enc_store *st = NULL;
        char customer[160];
        enum MHD_Result res;
        if (!inbox_args(s, c, false, &a, &st, &q->job.inbox_cust, customer, sizeof customer, &res))
            return res;
        q->job.kind = JOB_INBOX_READ;
        q->job.inbox_now = (int64_t)time(NULL);
        return submit(s, c, q) == RQ_WAITING ? MHD_YES : answer(s, c, q);
    }
    case R_CLICK:
        record_hit(s, &q->tok);
        return reply(s, c, 302, "text/plain; charset=utf-8", "", 0, false, MHD_HTTP_HEADER_LOCATION,
                     q->tok.url);
    case R_OPEN:
        record_hit(s, &q->tok);
        return reply(s, c, 200, "image/gif", gif1x1, sizeof gif1x1, false, NULL, NULL);
    case R_UNSUB: {
        if (!q->post)
            return send_page(
                s, c, 200, "Unsubscribe",
                "Stop receiving these marketing messages? Press the button to confirm.", q->token);
        /* RFC 8058: a form (urlencoded or multipart) with List-Unsubscribe=One-Click */
        if (!enc_track_oneclick_ok(
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
                q->body.p, q->body.len))
            return send_page(
                s, c, 400, "Bad request",
                "An unsubscribe POST carries the body List-Unsubscribe=One-Click (RFC 8058).",
                NULL);
        q->job.kind = JOB_HIT;
        enc_track_hit_init(&q->job.hit, &q->tok, (int64_t)time(NULL));
        return submit(s, c, q) == RQ_WAITING ? MHD_YES : answer(s, c, q);
    }
    default: { /* /v1/... */
        enc_api_call call = q->route == R_TRACK      ? ENC_API_TRACK
                            : q->route == R_IDENTIFY ? ENC_API_IDENTIFY
                                                     : ENC_API_BATCH;
        enc_api_opts o = {.now = (int64_t)time(NULL), .phone_cc = s->phone_cc};
        q->arena = enc_arena_new(1 << 14);
        enc_api_req *ar =
            enc_api_parse(q->arena, call, q->body.p ? q->body.p : "", q->body.len, &o);
        enc_api_counts cnt;
        enc_api_counts_get(ar, &cnt);
        atomic_fetch_add(&s->api_rejected, cnt.rejected);
        q->job.kind = JOB_API;
        q->job.api = ar;
        if (!enc_api_pending(ar)) /* nothing to write: answer now */
            return answer(s, c, q);
        return submit(s, c, q) == RQ_WAITING ? MHD_YES : answer(s, c, q);
    }
    }
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    enc_server *s = cls;
    req *q = *con_cls;
    if (q) {
        if (*upload_size) { /* a chunk of the body */
            if (!q->too_large && q->body.len + *upload_size <= q->limit)
                enc_buf_add(&q->body, upload, *upload_size);
            else {
                q->too_large = true;
                enc_buf_free(&q->body);
            }
            *upload_size = 0;
            return MHD_YES;
        }
        return finish(s, c, q);
    }

    /* first call: headers are in */
    atomic_fetch_add(&s->requests, 1);
    const char *token;
    route r = route_of(url, &token);
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0,
         post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (r == R_NONE) return send_error(s, c, 404, "no such route", "path", NULL, NULL);
    size_t limit = GET_BODY_MAX;
    int64_t inbox_id = 0;
    switch (r) {
    case R_HEALTH:
    case R_CLICK:
    case R_OPEN:
        if (!get) return send_error(s, c, 405, "method not allowed", "method", "Allow", "GET");
        break;
    case R_UNSUB:
        if (!get && !post)
            return send_error(s, c, 405, "method not allowed", "method", "Allow", "GET, POST");
        if (post) limit = UNSUB_BODY_MAX;
        break;
    default:
        if (r == R_INBOX ? !get : !post)
            return send_error(s, c, 405, "method not allowed", "method", "Allow",
                              r == R_INBOX ? "GET" : "POST");
        if (!s->has_write_key)
            return send_error(
                s, c, 401,
                "no write key is configured on this server (--write-key or ENCORE_WRITE_KEY)",
                "authorization", "WWW-Authenticate", "Basic realm=\"encore\"");
        if (!authorised(s, c))
            return send_error(s, c, 401,
                              "missing or wrong write key (HTTP Basic, the key as user name)",
                              "authorization", "WWW-Authenticate", "Basic realm=\"encore\"");
        limit = r == R_BATCH                        ? ENC_API_BATCH_BODY_MAX
                : r == R_INBOX || r == R_INBOX_READ ? GET_BODY_MAX
                                                    : ENC_API_BODY_MAX;
        if (r == R_INBOX_READ) {
            /* /v1/inbox/ID/read: the id is a positive whole number */
            char idtxt[32];
            size_t n = strlen(url) - 15;
            snprintf(idtxt, sizeof idtxt, "%.*s", (int)(n < 31 ? n : 31), url + 10);
            if (n > 31 || !parse_pos(idtxt, INT64_MAX, &inbox_id))
                return send_error(s, c, 400, "the inbox message id must be a positive whole number",
                                  "id", NULL, NULL);
        }
        break;
    }
    enc_token tok;
    if (token) {
        size_t tn = strlen(token);
        if (r == R_OPEN && tn > 4 && strcmp(token + tn - 4, ".gif") == 0) tn -= 4;
        enc_err err;
        if (enc_token_check(&s->key, token, tn, (int64_t)time(NULL), &tok, &err)) {
            bool expired = strcmp(err.msg, "expired") == 0;
            unsigned st = expired ? 410 : err.rc == ENC_ELIMIT ? 414 : 400;
            char msg[300];
            snprintf(msg, sizeof msg, "token: %.200s", err.msg);
            if (r == R_UNSUB)
                return send_page(s, c, st, expired ? "Link expired" : "Bad link",
                                 expired ? "This unsubscribe link has expired."
                                         : "This unsubscribe link is not valid.",
                                 NULL);
            return send_error(s, c, st, msg, "token", NULL, NULL);
        }
        enc_token_kind want = r == R_CLICK  ? ENC_TOKEN_CLICK
                              : r == R_OPEN ? ENC_TOKEN_OPEN
                                            : ENC_TOKEN_UNSUB;
        if (tok.kind != want) {
            if (r == R_UNSUB)
                return send_page(s, c, 400, "Bad link", "This is not an unsubscribe link.", NULL);
            return send_error(s, c, 400,
                              want == ENC_TOKEN_CLICK ? "token: not a click token"
                                                      : "token: not an open token",
                              "token", NULL, NULL);
        }
    }
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        if (errno || end == cl || v > limit) {
            char msg[64];
            snprintf(msg, sizeof msg, "body larger than %zu bytes", limit);
            if (r == R_UNSUB) return send_page(s, c, 413, "Request too large", msg, NULL);
            return send_error(s, c, 413, msg, "body", NULL, NULL);
        }
    }
    q = enc_xcalloc(1, sizeof *q);
    q->route = r;
    q->job.inbox_id = inbox_id;
    q->post = post;
    q->limit = limit;
    if (token) {
        q->tok = tok;
        /* the unsubscribe page's form posts back to the same token */
        if (r == R_UNSUB && !post) q->token = enc_xstrdup(token);
    }
    *con_cls = q;
    return MHD_YES;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    req *q = *con_cls;
    if (!q) return;
    enc_buf_free(&q->body);
    enc_arena_free(q->arena);
    free(q->token);
    free(q);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;
    logf_("http: %s", buf);
}

/* ---- periodic jobs -------------------------------------------------------------------------- */

typedef struct job_arg {
    enc_server *s;
    srv_job *j;
} job_arg;

/* Waits until `due` (monotonic seconds) or until the server stops; called with s->mu held. */
static void job_wait(enc_server *s, double due)
{
    while (!atomic_load(&s->stopping)) {
        double left = due - now_mono();
        if (left <= 0) break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double w = left < 1.0 ? left : 1.0;
        ts.tv_sec += (time_t)w;
        ts.tv_nsec += (long)((w - (double)(time_t)w) * 1e9);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->job_cv, &s->mu, &ts);
    }
}

/* A job's thread: its own store connection (opened again at the next interval when opening
 * fails), a run every `every` seconds, each failure logged and counted and never fatal. */
static void *job_main(void *arg)
{
    job_arg a = *(job_arg *)arg;
    free(arg);
    enc_server *s = a.s;
    srv_job *j = a.j;
    enc_err err = {0};
    enc_store *st = NULL;
    while (!atomic_load(&s->stopping)) {
        double t0 = now_mono();
        int64_t started = (int64_t)time(NULL);
        enc_err_clear(&err);
        enc_rc rc = st ? ENC_OK : enc_store_open(s->db_path, &st, &err);
        if (!rc) rc = j->fn(s, st, j->ctx, &err);
        if (rc) logf_("job %s: %s", j->name, err.msg[0] ? err.msg : "failed");
        pthread_mutex_lock(&s->mu);
        j->runs++;
        j->last_run_at = started;
        j->last_seconds = now_mono() - t0;
        if (rc) {
            j->failures++;
            snprintf(j->last_error, sizeof j->last_error, "%.250s",
                     err.msg[0] ? err.msg : "failed");
        }
        job_wait(s, t0 + j->every); /* the interval, or until stop */
        pthread_mutex_unlock(&s->mu);
    }
    if (j->end) j->end(s, st, j->ctx);
    enc_store_close(st);
    return NULL;
}

/* ---- life cycle ----------------------------------------------------------------------------- */

enc_rc enc_server_new(const enc_server_opts *o, enc_server **out, enc_err *err)
{
    *out = NULL;
    if (sodium_init() < 0) return enc_fail(err, ENC_EFAIL, "libsodium failed to initialise");
    if (!o->db_path || !*o->db_path) return enc_fail(err, ENC_EUSAGE, "no database");
    enc_server *s = enc_xcalloc(1, sizeof *s);
    s->db_path = enc_xstrdup(o->db_path);
    s->listen = enc_xstrdup(o->listen && *o->listen ? o->listen : "127.0.0.1:8080");
    s->phone_cc = o->phone_cc && *o->phone_cc ? enc_xstrdup(o->phone_cc) : NULL;
    if (o->write_key && *o->write_key) {
        s->has_write_key = true;
        crypto_generichash(s->write_key_hash, sizeof s->write_key_hash,
                           (const uint8_t *)o->write_key, strlen(o->write_key), NULL, 0);
    }
    s->key = o->key;
    s->threads = o->threads > 0 ? o->threads : 2;
    s->timeout = o->timeout > 0 ? o->timeout : 30;
    s->direct = o->direct;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_cond_init(&s->job_cv, NULL);
    *out = s;
    return ENC_OK;
}

enc_rc enc_server_add_job(enc_server *s, const char *name, double every, enc_server_job_fn fn,
                          enc_server_job_end_fn end, void *ctx, enc_err *err)
{
    if (s->mhd) return enc_fail(err, ENC_EUSAGE, "jobs are added before the server starts");
    if (s->njobs >= ENC_SERVER_JOBS_MAX)
        return enc_fail(err, ENC_ELIMIT, "more than %d jobs", ENC_SERVER_JOBS_MAX);
    if (!(every > 0) || !fn)
        return enc_fail(err, ENC_EUSAGE, "job %s: needs a function and an interval > 0", name);
    srv_job *j = &s->jobs[s->njobs++];
    memset(j, 0, sizeof *j);
    snprintf(j->name, sizeof j->name, "%s", name);
    j->every = every;
    j->fn = fn;
    j->end = end;
    j->ctx = ctx;
    return ENC_OK;
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" into a socket address. */
static enc_rc parse_listen(const char *spec, struct sockaddr_storage *sa, socklen_t *salen,
                           bool *v6, enc_err *err)
{
    char host[256];
    const char *colon, *port;
    if (spec[0] == '[') {
        const char *rb = strchr(spec, ']');
        if (!rb || rb[1] != ':')
            return enc_fail(err, ENC_EUSAGE, "--listen '%s': expected [ADDRESS]:PORT", spec);
        snprintf(host, sizeof host, "%.*s", (int)(rb - spec - 1), spec + 1);
        port = rb + 2;
    } else {
        colon = strrchr(spec, ':');
        if (!colon) return enc_fail(err, ENC_EUSAGE, "--listen '%s': expected ADDRESS:PORT", spec);
        snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return enc_fail(err, ENC_EUSAGE, "--listen '%s': bad port", spec);
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rc) return enc_fail(err, ENC_EUSAGE, "--listen '%s': %s", spec, gai_strerror(rc));
    /* ":PORT" means every IPv4 interface, as "0.0.0.0:PORT" */
    struct addrinfo *pick = res;
    for (struct addrinfo *a = res; a && !host[0]; a = a->ai_next)
        if (a->ai_family == AF_INET) pick = a;
    memcpy(sa, pick->ai_addr, pick->ai_addrlen);
    *salen = pick->ai_addrlen;
    *v6 = pick->ai_family == AF_INET6;
    freeaddrinfo(res);
    return ENC_OK;
}

enc_rc enc_server_start(enc_server *s, enc_err *err)
{
    struct sockaddr_storage sa;
    socklen_t salen = 0;
    bool v6 = false;
    if (parse_listen(s->listen, &sa, &salen, &v6, err)) return err->rc;
    /* the writer's connection: opening it also brings the schema up to date */
    if (enc_store_open(s->db_path, &s->wst, err)) return err->rc;
    s->schema = enc_store_schema_version(s->wst);
    if (pthread_key_create(&s->tls, close_tls_store)) {
        enc_store_close(s->wst);
        s->wst = NULL;
        return enc_fail(err, ENC_EFAIL, "pthread_key_create failed");
    }
    s->tls_made = true;
    if (s->direct) {
        enc_store_close(s->wst);
        s->wst = NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    s->started_at = time(NULL);
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
        s, /* first, as MHD asks */
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)s->timeout, MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_NOTIFY_COMPLETED,
        completed, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
    if (!s->mhd) {
        enc_store_close(s->wst);
        s->wst = NULL;
        return enc_fail(err, ENC_EIO, "cannot listen on %s", s->listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    char host[INET6_ADDRSTRLEN];
    getnameinfo((struct sockaddr *)&sa, salen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    snprintf(s->address, sizeof s->address, v6 ? "[%s]:%d" : "%s:%d", host, s->port);
    if (!s->direct) {
        if (pthread_create(&s->writer, NULL, writer_main, s)) {
            MHD_stop_daemon(s->mhd);
            s->mhd = NULL;
            return enc_fail(err, ENC_EFAIL, "cannot start the writer thread");
        }
        s->writer_started = true;
    }
    for (size_t i = 0; i < s->njobs; i++) {
        job_arg *a = enc_xmalloc(sizeof *a);
        a->s = s;
        a->j = &s->jobs[i];
        if (pthread_create(&s->jobs[i].thread, NULL, job_main, a) == 0) s->jobs[i].started = true;
        else {
            free(a);
            logf_("job %s: cannot start a thread", s->jobs[i].name);
        }
    }
    return ENC_OK;
}

const char *enc_server_address(const enc_server *s) { return s->address; }
int enc_server_port(const enc_server *s) { return s->port; }
bool enc_server_stopping(const enc_server *s) { return atomic_load(&s->stopping); }

void enc_server_stop(enc_server *s)
{
    if (!s || atomic_exchange(&s->stopping, true)) return;
    if (s->mhd) {
        /* no new connections; answer what is in progress */
        MHD_socket fd = MHD_quiesce_daemon(s->mhd);
        if (fd != MHD_INVALID_SOCKET) close(fd);
        double t0 = now_mono();
        for (;;) {
            const union MHD_DaemonInfo *info =
                MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
            unsigned open = info ? info->num_connections : 0;
            /* suspended connections must be resumed before the daemon stops: the writer
             * always answers them, so this wait ends */
            if (atomic_load(&s->suspended) == 0 && (open == 0 || now_mono() - t0 > DRAIN_SECONDS))
                break;
            usleep(10000);
        }
        MHD_stop_daemon(s->mhd);
        s->mhd = NULL;
    }
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->job_cv);
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < s->njobs; i++)
        if (s->jobs[i].started) {
            pthread_join(s->jobs[i].thread, NULL);
            s->jobs[i].started = false;
        }
    if (s->writer_started) {
        pthread_mutex_lock(&s->mu);
        s->stop_writer = true;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->writer, NULL);
        s->writer_started = false;
    }
    if (s->wst) {
        enc_err e;
        enc_store_bulk(s->wst, false, &e); /* checkpoint the WAL into the database file */
        enc_store_close(s->wst);
        s->wst = NULL;
    }
}

void enc_server_free(enc_server *s)
{
    if (!s) return;
    enc_server_stop(s);
    if (s->tls_made) pthread_key_delete(s->tls);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_cond_destroy(&s->job_cv);
    sodium_memzero(&s->key, sizeof s->key);
    free(s->db_path);
    free(s->listen);
    free(s->phone_cc);
    free(s);
}

void enc_server_stats_get(const enc_server *s, enc_server_stats *o)
{
    enc_server *m = (enc_server *)s;
    o->requests = atomic_load(&m->requests);
    o->api_stored = atomic_load(&m->api_stored);
    o->api_duplicates = atomic_load(&m->api_duplicates);
    o->api_rejected = atomic_load(&m->api_rejected);
    o->clicks = atomic_load(&m->clicks);
    o->opens = atomic_load(&m->opens);
    o->unsubscribes = atomic_load(&m->unsubscribes);
    o->client_errors = atomic_load(&m->client_errors);
    o->server_errors = atomic_load(&m->server_errors);
    o->commits = atomic_load(&m->commits);
    o->inbox_pages = atomic_load(&m->inbox_pages);
    o->inbox_marked = atomic_load(&m->inbox_marked);
    pthread_mutex_lock(&m->mu);
    o->jobs_run = o->jobs_failed = 0;
    for (size_t i = 0; i < m->njobs; i++) {
        o->jobs_run += m->jobs[i].runs;
        o->jobs_failed += m->jobs[i].failures;
    }
    pthread_mutex_unlock(&m->mu);
}
