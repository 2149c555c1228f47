/* server.c — the HTTP server (see server.h): routing and limits on libmicrohttpd's thread pool,
 * the writer thread and its queue, the periodic jobs' threads, and the drain on stop.
 *
 * A request's life: libmicrohttpd hands over the raw request target first (uri_log: the
 * request struct is made there); the first call of the access handler (headers read) checks
 * the target (a %-escaped control character, a bad or repeated query parameter), the framing
 * (several Content-Length headers), picks the route — a fixed ingest/tracking/inbox route, or
 * a row of the management API's table (routes.c, mgmt.h) — and checks method, credentials
 * (write key; or Bearer key / session cookie, the role and CSRF), token and Content-Length,
 * answering 4xx at once when one is wrong; body chunks are gathered up to the route's limit
 * (a chunked body past it is cut off with 413); the last call parses the body (on the HTTP
 * thread) and hands a write job to the writer. Ingest calls, clicks, opens and unsubscribe
 * POSTs wait for their commit (the connection is suspended and the writer resumes it): what is
 * acknowledged is stored. Management handlers run on the HTTP thread with its own connection
 * and write in short transactions of their own (mgmt.h). Everything a request allocates is in
 * its struct req and its arena, freed when libmicrohttpd reports the request completed. */
#include "server/server.h"
#include "delivery/config.h"
#include "base/json.h"
#include "base/mem.h"
#include "ingest/identity.h"
#include "ingest/clean.h"
#include "delivery/outbox.h"
#include "server/api.h"
#include "store/users.h"
#include "server/auth.h"
#include "server/inbox.h"
#include "server/jobs.h"
#include "server/mgmt.h"
#include "server/reccache.h"
#include "server/sendstats.h"
#include "server/track.h"
#include "server/webassets.h"
#include <arpa/inet.h>
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
#define LOCKED_RETRIES 2 /* a group that met a locked database is tried again this often */
#define URI_MAX 8192     /* longer request targets are answered 414 */
/* failed authentications (wrong write key, unknown API key) per client address */
#define AUTH_FAIL_MAX 20
#define AUTH_FAIL_WINDOW 60
/* failed logins: per client address and per account */
#define LOGIN_FAIL_ADDR_MAX 20
#define LOGIN_FAIL_USER_MAX 5
#define LOGIN_FAIL_WINDOW 900

/* metrics: a route label each for the fixed routes, then one per row of the route table */
enum {
    ML_NONE,
    ML_HEALTH,
    ML_TRACK,
    ML_IDENTIFY,
    ML_BATCH,
    ML_CLICK,
    ML_OPEN,
    ML_UNSUB,
    ML_INBOX,
    ML_INBOX_READ,
    ML_FIXED
};
#define ML_MAX (ML_FIXED + 96)
static const int metric_status[] = {200, 201, 202, 302, 400, 401, 403, 404, 405,
                                    409, 410, 413, 414, 415, 429, 500, 503, 0 /* other */};
#define MS_N (sizeof metric_status / sizeof *metric_status)
static const double metric_le[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define MLE_N (sizeof metric_le / sizeof *metric_le)

/* ---- the server struct --------------------------------------------------------------------- */

/* JOB_AUDIT: an audit entry (a personal-data view or a management write), detached: queued
 * by the HTTP thread and written in the writer's next group commit, so that 32 readers do not
 * queue on SQLite's write lock one commit each (issue 13's customer-view latency) */
typedef enum job_kind { JOB_API, JOB_HIT, JOB_INBOX_READ, JOB_AUDIT } job_kind;

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
    enc_audit_rec audit; /* JOB_AUDIT: its strings live in the same allocation, after j */
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
    char *delivery_config; /* the delivery configuration file (GET/PUT /v1/settings/channels) */
    const char *const *delivery_sets; /* serve's --set flags (borrowed) */
    size_t delivery_nsets;
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

    /* the management API: failure rate limits; metrics by route label and status */
    enc_ratelimit rl_auth, rl_login_addr, rl_login_user;
    atomic_long m_req[ML_MAX][MS_N];
    atomic_long m_le[ML_MAX][MLE_N]; /* requests at or under each bound (cumulative on output) */
    atomic_long m_count[ML_MAX];
    atomic_long m_sum_us[ML_MAX];
    atomic_long hits_lost; /* clicks and opens that could not be queued */

    /* audit entries queued for the writer and written (under mu); audit_cv: one more written */
    long audit_queued, audit_written;
    pthread_cond_t audit_cv;
    enc_reccache *rec;    /* the customer view's recommendation model (reccache.h) */
    enc_sendstats *sends; /* the dispatcher's sends by channel (sendstats.h) */

    /* the API's jobs (jobs.h): one runner thread, its queue under mu, signalled by job_cv */
    pthread_t runner;
    bool runner_started;
    enc_job_item *jhead, *jtail;
    size_t jqueued;
    long api_jobs_done[2], api_jobs_failed[2]; /* by enc_job_kind, under mu */
    double api_jobs_seconds[2];
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
    if (j->kind == JOB_AUDIT) return enc_audit_append(st, &j->audit, err);
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
        if (j->kind == JOB_AUDIT) {
            if (j->rc) logf_("audit: %s", j->errmsg); /* never the entry itself */
            pthread_mutex_lock(&s->mu);
            s->audit_written++;
            pthread_cond_broadcast(&s->audit_cv);
            pthread_mutex_unlock(&s->mu);
        } else if (j->rc) logf_("recording a tracking hit: %s", j->errmsg);
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
    /* a database locked by another process past the busy timeout (10 s): try the group again,
     * twice, before failing anything (a click waits; it is not dropped) */
    for (int retry = 0;
         rc && retry < LOCKED_RETRIES && (strstr(err.msg, "locked") || strstr(err.msg, "busy"));
         retry++) {
        logf_("database locked: writing %s again", list->next ? "a group" : "a write");
        enc_err_clear(&err);
        rc = write_group(st, list, NULL, &err);
    }
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

/* ---- the audit log's queue --------------------------------------------------------------- */

static size_t add_str(char **p, const char *v, const char **out)
{
    if (!v) {
        *out = NULL;
        return 0;
    }
    size_t n = strlen(v) + 1;
    if (p) {
        memcpy(*p, v, n);
        *out = *p;
        *p += n;
    }
    return n;
}

bool enc_server_audit(void *srv, const enc_audit_rec *r)
{
    enc_server *s = srv;
    if (!s || s->direct || !s->writer_started || atomic_load(&s->stopping)) return false;
    const char *tmp;
    size_t n = add_str(NULL, r->actor, &tmp) + add_str(NULL, r->role, &tmp) +
               add_str(NULL, r->action, &tmp) + add_str(NULL, r->target, &tmp) +
               add_str(NULL, r->detail, &tmp) + add_str(NULL, r->client, &tmp);
    wjob *j = enc_xcalloc(1, sizeof *j + n);
    char *p = (char *)(j + 1);
    j->kind = JOB_AUDIT;
    j->audit = *r;
    add_str(&p, r->actor, &j->audit.actor);
    add_str(&p, r->role, &j->audit.role);
    add_str(&p, r->action, &j->audit.action);
    add_str(&p, r->target, &j->audit.target);
    add_str(&p, r->detail, &j->audit.detail);
    add_str(&p, r->client, &j->audit.client);
    /* counted before it is queued: a sync that starts now waits for it */
    pthread_mutex_lock(&s->mu);
    s->audit_queued++;
    pthread_mutex_unlock(&s->mu);
    if (enqueue(s, j, QUEUE_HARD_MAX)) return true;
    pthread_mutex_lock(&s->mu);
    s->audit_queued--;
    pthread_cond_broadcast(&s->audit_cv);
    pthread_mutex_unlock(&s->mu);
    free(j);
    return false;
}

void enc_server_audit_sync(void *srv)
{
    enc_server *s = srv;
    if (!s) return;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&s->mu);
    long target = s->audit_queued;
    while (s->audit_written < target && s->writer_started)
        if (pthread_cond_timedwait(&s->audit_cv, &s->mu, &until)) break;
    pthread_mutex_unlock(&s->mu);
}

enc_reccache *enc_server_reccache(void *srv) { return ((enc_server *)srv)->rec; }
enc_sendstats *enc_server_sendstats(void *srv) { return ((enc_server *)srv)->sends; }
const char *enc_server_delivery_config(void *srv) { return ((enc_server *)srv)->delivery_config; }
const char *const *enc_server_delivery_sets(void *srv, size_t *n)
{
    *n = ((enc_server *)srv)->delivery_nsets;
    return ((enc_server *)srv)->delivery_sets;
}
const char *enc_server_db_path(void *srv) { return ((enc_server *)srv)->db_path; }

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
    R_INBOX_READ,
    R_MGMT /* a row of the management API's route table (routes.c) */
} route;

/* Where a request is: reading its body, waiting (suspended) for the writer, or holding the
 * writer's result to answer with. */
typedef enum req_state { RQ_NEW, RQ_READING, RQ_WAITING, RQ_DONE } req_state;

typedef struct req {
    char *uri;  /* the request target as sent (before any decoding); NULL when too long */
    double t0;  /* monotonic time the request began */
    int status; /* the status answered (metrics) */
    int mlabel; /* the metrics' route label */
    route route;
    bool post;
    req_state state;
    size_t limit;
    enc_buf body;
    bool too_large;
    enc_token tok;    /* tracking routes: verified on the first call */
    char *token;      /* unsubscribe: the token as given, for the page's form */
    enc_arena *arena; /* /v1/...: the parsed body */
    bool answered;    /* 413 sent while the body was arriving */
    wjob job;         /* the write of this request */
    /* management routes */
    const enc_route *mroute;
    char mpbuf[1024]; /* the decoded {params} */
    const char *mparams[ENC_MGMT_PARAMS_MAX];
    size_t nmparams;
    enc_principal who;
    char client[64];
} req;

/* the request the calling HTTP thread is answering (set by the access handler around each
 * call): reply() notes its status for the metrics */
static __thread req *cur_req;

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
    if (cur_req) cur_req->status = (int)status;
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

/* The console (webassets.h): index.html for / and client-side routes, the bundle under /assets/,
 * for GETs that match no route. The page loads only its own scripts and styles and talks only
 * to this origin. False when no console file answers the path (the caller answers 404). */
static bool console_asset(enc_server *s, struct MHD_Connection *c, const char *path,
                          enum MHD_Result *res)
{
    const unsigned char *data;
    size_t n;
    const char *ctype;
    if (!enc_webasset_get(path, &data, &n, &ctype)) return false;
    *res = reply(s, c, 200, ctype, data, n, false, "Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                 "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                 "form-action 'self'");
    return true;
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
    size_t limit = q->route == R_CLICK || q->route == R_OPEN ? QUEUE_HARD_MAX : QUEUE_MAX;
    pthread_mutex_lock(&s->mu);
    bool full = s->queued >= limit;
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
    if (q->route == R_CLICK || q->route == R_OPEN) {
        if (q->job.rc) { /* not stored: not acknowledged (the client may come back) */
            atomic_fetch_add(&s->hits_lost, 1);
            logf_("recording a tracking hit: %s",
                  q->job.rc == ENC_ELIMIT ? "queue full" : q->job.errmsg);
            return send_error(s, c, 503, "busy: try again", NULL, "Retry-After", "1");
        }
        if (q->route == R_CLICK)
            return reply(s, c, 302, "text/plain; charset=utf-8", "", 0, false,
                         MHD_HTTP_HEADER_LOCATION, q->tok.url);
        return reply(s, c, 200, "image/gif", gif1x1, sizeof gif1x1, false, NULL, NULL);
    }
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
    case R_OPEN:
        /* answered once stored (issue 12): the writer commits it with the group it arrives
         * in, so a click costs one group commit of latency and is never acknowledged and lost */
        q->job.kind = JOB_HIT;
        enc_track_hit_init(&q->job.hit, &q->tok, (int64_t)time(NULL));
        return submit(s, c, q) == RQ_WAITING ? MHD_YES : answer(s, c, q);
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

/* ---- the management API --------------------------------------------------------------------- */

static void client_addr(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "unknown");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    socklen_t len =
        sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (getnameinfo(sa, len, out, (socklen_t)cap, NULL, 0, NI_NUMERICHOST))
        snprintf(out, cap, "unknown");
}

/* Sends a handler's answer (or a problem the router made) with the headers every answer has. */
static enum MHD_Result send_mres(enc_server *s, struct MHD_Connection *c, enc_mres *rs)
{
    if (!rs->status) enc_mres_problem(rs, 500, NULL, "the handler gave no answer");
    const char *ct = rs->ctype     ? rs->ctype
                     : rs->problem ? "application/problem+json"
                                   : "application/json";
    struct MHD_Response *r = MHD_create_response_from_buffer(
        rs->body.len, rs->body.p ? rs->body.p : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (size_t i = 0; i < rs->nh; i++) MHD_add_response_header(r, rs->hname[i], rs->hvalue[i]);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    if (cur_req) cur_req->status = rs->status;
    if (rs->status >= 500) atomic_fetch_add(&s->server_errors, 1);
    else if (rs->status >= 400) atomic_fetch_add(&s->client_errors, 1);
    return ret;
}

/* A problem answered by the router; hname/hvalue an optional extra header. */
static enum MHD_Result send_problem(enc_server *s, struct MHD_Connection *c, int status,
                                    const char *field, const char *hname, const char *hvalue,
                                    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static enum MHD_Result send_problem(enc_server *s, struct MHD_Connection *c, int status,
                                    const char *field, const char *hname, const char *hvalue,
                                    const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    enc_mres rs = {0};
    rs.arena = enc_arena_new(1024);
    enc_mres_problem(&rs, status, field, "%s", msg);
    if (hname) enc_mres_header(&rs, hname, hvalue);
    enum MHD_Result r = send_mres(s, c, &rs);
    enc_mres_free(&rs);
    enc_arena_free(rs.arena);
    return r;
}

static enum MHD_Result too_many(enc_server *s, struct MHD_Connection *c, int64_t wait,
                                const char *what)
{
    char ra[24];
    snprintf(ra, sizeof ra, "%lld", (long long)wait);
    return send_problem(s, c, 429, NULL, "Retry-After", ra, "too many %s: try again in %lld s",
                        what, (long long)wait);
}

/* The first call of a management route: match, credentials, role, CSRF, body limit. Answers
 * at once when one fails (returns true with *res set); else fills q and returns false. */
static bool mgmt_begin(enc_server *s, struct MHD_Connection *c, req *q, const char *method,
                       const char *path, enum MHD_Result *res)
{
    char allow[64];
    bool known, badp;
    const enc_route *mr = enc_route_match(method, path, q->mpbuf, sizeof q->mpbuf, q->mparams,
                                          &q->nmparams, &known, allow, sizeof allow, &badp);
    if (!mr) {
        if (badp)
            *res = send_problem(s, c, 400, "path", NULL, NULL,
                                "a path segment is empty, badly escaped, or not UTF-8 text");
        else if (known)
            *res = send_problem(s, c, 405, "method", "Allow", allow,
                                "method not allowed (this path takes: %s)", allow);
        else if (strcmp(method, "GET") == 0 && console_asset(s, c, path, res)) return true;
        else *res = send_problem(s, c, 404, "path", NULL, NULL, "no such route");
        return true;
    }
    q->mroute = mr;
    q->mlabel = ML_FIXED + (int)(mr - enc_routes);
    q->route = R_MGMT;
    int64_t now = (int64_t)time(NULL);
    client_addr(c, q->client, sizeof q->client);
    if (mr->flags & ENC_ROUTE_LOGIN) {
        int64_t wait = enc_rl_blocked(&s->rl_login_addr, q->client, now);
        if (wait) return *res = too_many(s, c, wait, "failed logins from this address"), true;
    }
    if (mr->roles) {
        int64_t wait = enc_rl_blocked(&s->rl_auth, q->client, now);
        if (wait)
            return *res = too_many(s, c, wait, "failed authentications from this address"), true;
        enc_err err = {0};
        enc_store *st = thread_store(s, &err);
        enc_auth_outcome out = ENC_AUTH_NONE;
        const char *why = "";
        const char *authz =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        const char *cookie =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
        if (!st || enc_auth_resolve(st, authz, cookie, now, &q->who, &out, &why, &err)) {
            logf_("authentication: %s", err.msg);
            *res = send_problem(s, c, 500, NULL, NULL, NULL, "storage error");
            return true;
        }
        if (out != ENC_AUTH_OK) {
            if (out == ENC_AUTH_BAD && authz) enc_rl_fail(&s->rl_auth, q->client, now);
            *res = send_problem(s, c, 401, authz ? "header.Authorization" : NULL,
                                "WWW-Authenticate", "Bearer realm=\"encore\"", "%s", why);
            return true;
        }
        if (!(mr->roles & q->who.role)) {
            char roles[64] = "";
            for (unsigned b = 1; b <= 8; b <<= 1)
                if (mr->roles & b)
                    snprintf(roles + strlen(roles), sizeof roles - strlen(roles), "%s%s",
                             roles[0] ? ", " : "", enc_role_name(b));
            *res = send_problem(s, c, 403, NULL, NULL, NULL,
                                "the %s role may not do this (this route is for: %s)",
                                enc_role_name(q->who.role), roles);
            return true;
        }
        if (q->who.cookie && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
            const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
            size_t tl = tok ? strlen(tok) : 0;
            if (!tok || tl != strlen(q->who.csrf) || sodium_memcmp(tok, q->who.csrf, tl) != 0) {
                *res = send_problem(s, c, 403, "header.X-CSRF-Token", NULL, NULL,
                                    "calls made with the session cookie carry its CSRF token "
                                    "in X-CSRF-Token");
                return true;
            }
        }
    }
    q->limit = (mr->flags & ENC_ROUTE_UPLOAD) ? ENC_MGMT_UPLOAD_MAX
               : mr->body                     ? ENC_MGMT_BODY_MAX
                                              : GET_BODY_MAX;
    return false;
}

/* The last call of a management route: the query and the body checked, the handler run, its
 * answer sent (and audited when the route shows personal data). */
static enum MHD_Result mgmt_finish(enc_server *s, struct MHD_Connection *c, req *q,
                                   const char *method, const char *path)
{
    const enc_route *mr = q->mroute;
    enc_mreq rq = {0};
    enc_mres rs = {0};
    rq.arena = rs.arena = enc_arena_new(1 << 14);
    rq.route = mr;
    rq.method = method;
    rq.path = path;
    memcpy(rq.params, q->mparams, sizeof rq.params);
    rq.nparams = q->nmparams;
    rq.who = q->who;
    snprintf(rq.client, sizeof rq.client, "%s", q->client);
    rq.now = (int64_t)time(NULL);
    rq.server = s;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    rq.content_type = ct ? ct : "";
    const char *ik = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (ik) { /* a structured-field string ("...") or the bare token */
        size_t il = strlen(ik);
        if (il >= 2 && ik[0] == '"' && ik[il - 1] == '"')
            ik = enc_arena_strndup(rq.arena, ik + 1, il - 2);
        il = strlen(ik);
        if (!il || il > 255 || !enc_text_ok(ik, il)) {
            enc_mres_problem(&rs, 400, "header.Idempotency-Key",
                             "1 to 255 bytes of text without control characters");
            goto send;
        }
        rq.idempotency_key = ik;
    }
    const char *qs = q->uri ? strchr(q->uri, '?') : NULL;
    const char *field, *why;
    enc_err err = {0};
    enum MHD_Result ret;
    if (!enc_query_parse(rq.arena, qs ? qs + 1 : "", rq.query, ENC_MGMT_QUERY_MAX, &rq.nquery,
                         &field, &why)) {
        enc_mres_problem(&rs, 400, field, "%s", why);
        goto send;
    }
    if (!enc_query_check(mr, rq.query, rq.nquery, &rs)) goto send;
    enc_buf_addc(&q->body, 0); /* the body as received, NUL-terminated, for handlers */
    q->body.len--;
    rq.raw = q->body.p;
    rq.raw_len = q->body.len;
    if (mr->body) {
        /* JSON bodies say so: a form or text/plain post (what a foreign page can send without
         * asking) is refused before it is read as JSON */
        size_t tl = strlen("application/json");
        if (strncasecmp(rq.content_type, "application/json", tl) != 0 ||
            (rq.content_type[tl] && rq.content_type[tl] != ';' && rq.content_type[tl] != ' ')) {
            enc_mres_problem(&rs, 415, "header.Content-Type", "send the body as application/json");
            goto send;
        }
        if (!enc_body_check(mr->body, q->body.p, q->body.len, &rq.body, &rs)) goto send;
    } else if (!(mr->flags & ENC_ROUTE_UPLOAD) && q->body.len) {
        enc_mres_problem(&rs, 400, "body", "this route takes no body");
        goto send;
    }
    rq.st = thread_store(s, &err);
    if (!rq.st) {
        logf_("store: %s", err.msg);
        enc_mres_problem(&rs, 500, NULL, "storage error");
        goto send;
    }
    char account[300] = "";
    if (mr->flags & ENC_ROUTE_LOGIN) {
        const char *email = json_string_value(json_object_get(rq.body, "email"));
        snprintf(account, sizeof account, "login:%s", email ? email : "");
        for (char *p = account; *p; p++) *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        int64_t wait = enc_rl_blocked(&s->rl_login_user, account, rq.now);
        if (wait) {
            char ra[24];
            snprintf(ra, sizeof ra, "%lld", (long long)wait);
            enc_mres_problem(&rs, 429, NULL,
                             "too many failed logins for this account: try again "
                             "in %lld s",
                             (long long)wait);
            enc_mres_header(&rs, "Retry-After", ra);
            goto send;
        }
    }
    mr->fn(&rq, &rs);
    if (mr->flags & ENC_ROUTE_LOGIN) {
        if (rs.status == 401) {
            enc_rl_fail(&s->rl_login_addr, q->client, rq.now);
            enc_rl_fail(&s->rl_login_user, account, rq.now);
        } else if (rs.status == 200) enc_rl_clear(&s->rl_login_user, account);
    }
    if ((mr->flags & ENC_ROUTE_PERSONAL) && rs.status && rs.status < 300) {
        /* the customer as "#N" in the route's pattern: the id given may be an email or phone,
         * which the append-only log would keep after an erasure */
        char cpath[300];
        const char *at = rq.customer > 0 ? strstr(mr->path, "{id}") : NULL;
        if (at)
            snprintf(cpath, sizeof cpath, "%.*s#%lld%s", (int)(at - mr->path), mr->path,
                     (long long)rq.customer, at + 4);
        enc_mreq_audit(&rq, "personal.view", at ? cpath : path, mr->summary, rs.status);
    }
send:
    ret = send_mres(s, c, &rs);
    json_decref(rq.body);
    enc_mres_free(&rs);
    enc_arena_free(rq.arena);
    return ret;
}

/* 413 for a body past the route's limit (the declared length, or what has arrived). */
static enum MHD_Result answer_too_large(enc_server *s, struct MHD_Connection *c, req *q)
{
    char msg[64];
    snprintf(msg, sizeof msg, "body larger than %zu bytes", q->limit);
    q->answered = true;
    if (q->route == R_UNSUB) return send_page(s, c, 413, "Request too large", msg, NULL);
    if (q->route == R_MGMT) return send_problem(s, c, 413, "body", NULL, NULL, "%s", msg);
    return send_error(s, c, 413, msg, "body", NULL, NULL);
}

/* A body (chunked, so its length was not declared) that has just passed the route's limit:
 * libmicrohttpd 0.9.75 takes no response while a body is arriving, so the 413 is written on
 * the socket here and the connection is closed (MHD_NO) without reading the rest. */
static enum MHD_Result cut_off(enc_server *s, struct MHD_Connection *c, req *q)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    char body[160];
    const char *ctype = q->route == R_MGMT    ? "application/problem+json"
                        : q->route == R_UNSUB ? "text/plain; charset=utf-8"
                                              : "application/json";
    if (q->route == R_MGMT)
        snprintf(body, sizeof body,
                 "{\"type\":\"about:blank\",\"title\":\"Content Too Large\",\"status\":413,"
                 "\"detail\":\"body larger than %zu bytes\"}",
                 q->limit);
    else if (q->route == R_UNSUB)
        snprintf(body, sizeof body, "body larger than %zu bytes", q->limit);
    else
        snprintf(body, sizeof body, "{\"error\":\"body larger than %zu bytes\",\"field\":\"body\"}",
                 q->limit);
    char head[512];
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Type: "
                      "%s\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n"
                      "Content-Length: %zu\r\n\r\n%s",
                      ctype, strlen(body), body);
    if (ci && hn > 0 && (size_t)hn < sizeof head) {
        ssize_t w = send(ci->connect_fd, head, (size_t)hn, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
        shutdown(ci->connect_fd, SHUT_WR);
    }
    q->answered = true;
    q->status = 413;
    atomic_fetch_add(&s->client_errors, 1);
    return MHD_NO;
}

/* The declared Content-Length against the route's limit (q->limit). */
static enum MHD_Result check_length(enc_server *s, struct MHD_Connection *c, req *q)
{
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        if (errno || end == cl || *end || v > q->limit) {
            q->too_large = true;
            return answer_too_large(s, c, q);
        }
    }
    return MHD_YES;
}

/* ---- the access handler ------------------------------------------------------------------- */

/* Called by libmicrohttpd with the request target as sent, before it decodes it: the request
 * is made here, so that the handler sees the raw target (a %00 in it, a repeated parameter). */
static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    req *q = enc_xcalloc(1, sizeof *q);
    q->state = RQ_NEW;
    q->t0 = now_mono();
    if (uri && strlen(uri) <= URI_MAX) q->uri = enc_xstrdup(uri);
    return q;
}

/* A %-escape in the path that decodes to a control character (%00-%1f, %7f). */
static bool path_has_control(const char *uri)
{
    for (const char *p = uri; *p && *p != '?'; p++)
        if (p[0] == '%' && p[1] && p[2]) {
            char h[3] = {p[1], p[2], 0};
            char *end;
            long v = strtol(h, &end, 16);
            if (!*end && (v < 0x20 || v == 0x7f)) return true;
        }
    return false;
}

typedef struct hdr_count {
    int content_length, transfer_encoding;
    char first_cl[32];
    bool cl_differ;
} hdr_count;

static enum MHD_Result count_hdr(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    hdr_count *h = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (h->content_length++ == 0) snprintf(h->first_cl, sizeof h->first_cl, "%s", value);
        else if (strcmp(h->first_cl, value) != 0) h->cl_differ = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) h->transfer_encoding++;
    return MHD_YES;
}

/* A chunk of the body, or the last call. A body that passes the route's limit is cut off:
 * 413 is answered as soon as it does (libmicrohttpd closes the connection after it). */
static enum MHD_Result next_call(enc_server *s, struct MHD_Connection *c, req *q, const char *url,
                                 const char *method, const char *upload, size_t *upload_size)
{
    if (*upload_size) {
        if (q->too_large) return MHD_NO; /* answered already: drop the connection */
        if (q->body.len + *upload_size <= q->limit) {
            enc_buf_add(&q->body, upload, *upload_size);
            *upload_size = 0;
            return MHD_YES;
        }
        q->too_large = true;
        enc_buf_free(&q->body);
        *upload_size = 0;
        return cut_off(s, c, q);
    }
    if (q->too_large) return q->answered ? MHD_NO : answer_too_large(s, c, q);
    if (q->route == R_MGMT && q->state == RQ_READING) return mgmt_finish(s, c, q, method, url);
    return finish(s, c, q);
}

/* The first call (headers are in): checks that hold for every route (the target, the query,
 * the framing headers), the route, its method and credentials, and the declared length. */
static enum MHD_Result first_call(enc_server *s, struct MHD_Connection *c, req *q, const char *url,
                                  const char *method)
{
    atomic_fetch_add(&s->requests, 1);
    q->state = RQ_READING;
    const char *token;
    route r = route_of(url, &token);
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0,
         post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    q->mlabel = (int)r; /* the fixed routes' labels follow the route enum */
    /* the target as sent: too long, a %-escaped control character, a bad or repeated query
     * parameter; then the framing: several Content-Length headers, or one beside chunking */
    if (!q->uri) return send_error(s, c, 414, "request target too long", "path", NULL, NULL);
    if (path_has_control(q->uri))
        return r == R_NONE ? send_problem(s, c, 400, "path", NULL, NULL,
                                          "the path holds a %%-escaped control character")
                           : send_error(s, c, 400, "the path holds a %-escaped control character",
                                        "path", NULL, NULL);
    {
        enc_arena *qa = enc_arena_new(4096);
        enc_qpair pairs[64];
        size_t np;
        const char *field, *why;
        const char *qs = strchr(q->uri, '?');
        bool ok = enc_query_parse(qa, qs ? qs + 1 : "", pairs, 64, &np, &field, &why);
        enum MHD_Result res = MHD_YES;
        if (!ok) {
            char msg[200];
            snprintf(msg, sizeof msg, "%s", why);
            /* field names come from the request: only valid UTF-8 reaches the answer */
            res = r == R_NONE
                      ? send_problem(s, c, 400, field, NULL, NULL, "%s", msg)
                      : send_error(s, c, 400, msg,
                                   enc_text_ok(field, strlen(field)) ? field : "query", NULL, NULL);
        }
        enc_arena_free(qa);
        if (!ok) return res;
    }
    hdr_count hc = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_hdr, &hc);
    if (hc.content_length > 1 || (hc.content_length && hc.transfer_encoding))
        return r == R_NONE ? send_problem(s, c, 400, "header.Content-Length", NULL, NULL,
                                          "several Content-Length headers, or one beside "
                                          "Transfer-Encoding")
                           : send_error(s, c, 400,
                                        "several Content-Length headers, or one beside "
                                        "Transfer-Encoding",
                                        "Content-Length", NULL, NULL);
    if (r == R_NONE) {
        enum MHD_Result res;
        if (mgmt_begin(s, c, q, method, url, &res)) return res;
        return check_length(s, c, q);
    }
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
        {
            char addr[64];
            client_addr(c, addr, sizeof addr);
            int64_t wait = enc_rl_blocked(&s->rl_auth, addr, (int64_t)time(NULL));
            if (wait) {
                char ra[24];
                snprintf(ra, sizeof ra, "%lld", (long long)wait);
                return send_error(s, c, 429, "too many failed authentications from this address",
                                  "authorization", "Retry-After", ra);
            }
            if (s->has_write_key && !authorised(s, c)) {
                enc_rl_fail(&s->rl_auth, addr, (int64_t)time(NULL));
                return send_error(s, c, 401,
                                  "missing or wrong write key (HTTP Basic, the key as user name)",
                                  "authorization", "WWW-Authenticate", "Basic realm=\"encore\"");
            }
        }
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
    q->route = r;
    q->job.inbox_id = inbox_id;
    q->post = post;
    q->limit = limit;
    if (token) {
        q->tok = tok;
        /* the unsubscribe page's form posts back to the same token */
        if (r == R_UNSUB && !post) q->token = enc_xstrdup(token);
    }
    return check_length(s, c, q);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    enc_server *s = cls;
    req *q = *con_cls;
    if (!q) *con_cls = q = uri_log(s, NULL, c);
    cur_req = q;
    enum MHD_Result res = q->state == RQ_NEW ? first_call(s, c, q, url, method)
                                             : next_call(s, c, q, url, method, upload, upload_size);
    cur_req = NULL;
    return res;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    enc_server *s = cls;
    req *q = *con_cls;
    if (!q) return;
    if (q->state != RQ_NEW) { /* metrics: by route label and status; the latency */
        int l = q->mlabel >= 0 && q->mlabel < ML_MAX ? q->mlabel : ML_NONE;
        size_t k = MS_N - 1;
        for (size_t i = 0; i + 1 < MS_N; i++)
            if (metric_status[i] == q->status) k = i;
        atomic_fetch_add(&s->m_req[l][k], 1);
        double d = now_mono() - q->t0;
        for (size_t i = 0; i < MLE_N; i++)
            if (d <= metric_le[i]) {
                atomic_fetch_add(&s->m_le[l][i], 1);
                break;
            }
        atomic_fetch_add(&s->m_count[l], 1);
        atomic_fetch_add(&s->m_sum_us[l], (long)(d * 1e6));
    }
    free(q->uri);
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

/* ---- the API's job runner ---------------------------------------------------------------- */

enc_rc enc_server_job_submit(void *srv, int64_t id, enc_job_kind kind, enc_kind table,
                             const char *data, size_t len, enc_err *err)
{
    enc_server *s = srv;
    pthread_mutex_lock(&s->mu);
    bool ok = s->runner_started && !atomic_load(&s->stopping) && s->jqueued < ENC_JOBS_QUEUED_MAX;
    pthread_mutex_unlock(&s->mu);
    if (!ok) return enc_fail(err, ENC_ELIMIT, "too many jobs waiting: try again later");
    enc_job_item *j = enc_xcalloc(1, sizeof *j);
    j->id = id;
    j->kind = kind;
    j->table = table;
    if (len) {
        j->data = enc_xmalloc(len + 1);
        memcpy(j->data, data, len);
        j->data[len] = 0;
        j->len = len;
    }
    pthread_mutex_lock(&s->mu);
    if (s->jtail) s->jtail->next = j;
    else s->jhead = j;
    s->jtail = j;
    s->jqueued++;
    pthread_cond_broadcast(&s->job_cv);
    pthread_mutex_unlock(&s->mu);
    return ENC_OK;
}

static void job_item_free(enc_job_item *j)
{
    if (!j) return;
    free(j->data);
    free(j);
}

/* One job at a time, in order, on a connection of its own; at stop the job in hand finishes
 * and those still queued are marked failed. */
static void *runner_main(void *arg)
{
    enc_server *s = arg;
    enc_store *st = NULL;
    enc_err err = {0};
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->jhead && !atomic_load(&s->stopping)) pthread_cond_wait(&s->job_cv, &s->mu);
        enc_job_item *j = atomic_load(&s->stopping) ? NULL : s->jhead;
        if (j) {
            s->jhead = j->next;
            if (!s->jhead) s->jtail = NULL;
            s->jqueued--;
        }
        pthread_mutex_unlock(&s->mu);
        if (!j) break;
        double t0 = now_mono();
        enc_err_clear(&err);
        enc_rc rc = st ? ENC_OK : enc_store_open(s->db_path, &st, &err);
        if (!rc) rc = enc_job_execute(s->db_path, st, j, &err);
        if (rc) logf_("job %lld: %s", (long long)j->id, err.msg);
        pthread_mutex_lock(&s->mu);
        int k = j->kind == ENC_JOB_SCORE ? 0 : 1;
        if (rc) s->api_jobs_failed[k]++;
        else s->api_jobs_done[k]++;
        s->api_jobs_seconds[k] += now_mono() - t0;
        pthread_mutex_unlock(&s->mu);
        job_item_free(j);
    }
    /* stopping: what is still queued will not run */
    pthread_mutex_lock(&s->mu);
    enc_job_item *left = s->jhead;
    s->jhead = s->jtail = NULL;
    s->jqueued = 0;
    pthread_mutex_unlock(&s->mu);
    while (left) {
        enc_job_item *next = left->next;
        enc_err e2 = {0};
        if (st || !enc_store_open(s->db_path, &st, &e2))
            enc_job_set(st, left->id, "failed", 0, NULL, "the server stopped before it ran",
                        (int64_t)time(NULL), &e2);
        job_item_free(left);
        left = next;
    }
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
    if (o->write_key && *o->write_key && strlen(o->write_key) < ENC_SERVER_WRITE_KEY_MIN) {
        free(s->db_path);
        free(s->listen);
        free(s->phone_cc);
        free(s);
        return enc_fail(err, ENC_EUSAGE, "the write key must be at least %d bytes long",
                        ENC_SERVER_WRITE_KEY_MIN);
    }
    if (o->delivery_config && *o->delivery_config)
        s->delivery_config = enc_xstrdup(o->delivery_config);
    else {
        char p[4096];
        bool exists;
        enc_delivery_config_path(NULL, o->db_path, p, sizeof p, &exists);
        s->delivery_config = enc_xstrdup(p);
    }
    if (o->write_key && *o->write_key) {
        s->has_write_key = true;
        crypto_generichash(s->write_key_hash, sizeof s->write_key_hash,
                           (const uint8_t *)o->write_key, strlen(o->write_key), NULL, 0);
    }
    s->delivery_sets = o->delivery_sets;
    s->delivery_nsets = o->delivery_nsets;
    s->key = o->key;
    s->threads = o->threads > 0 ? o->threads : 2;
    s->timeout = o->timeout > 0 ? o->timeout : 30;
    s->direct = o->direct;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_cond_init(&s->job_cv, NULL);
    pthread_cond_init(&s->audit_cv, NULL);
    s->rec = enc_reccache_new();
    s->sends = enc_sendstats_new();
    enc_rl_init(&s->rl_auth, AUTH_FAIL_MAX, AUTH_FAIL_WINDOW);
    enc_rl_init(&s->rl_login_addr, LOGIN_FAIL_ADDR_MAX, LOGIN_FAIL_WINDOW);
    enc_rl_init(&s->rl_login_user, LOGIN_FAIL_USER_MAX, LOGIN_FAIL_WINDOW);
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
    {
        enc_err e2 = {0}; /* jobs a previous server left queued or running will never finish */
        if (enc_job_abandon(s->wst, "the server stopped before it finished", (int64_t)time(NULL),
                            &e2))
            logf_("jobs: %s", e2.msg);
    }
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
    s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
                              s, /* first, as MHD asks */
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->threads,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->timeout,
                              MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_NOTIFY_COMPLETED,
                              completed, s, MHD_OPTION_URI_LOG_CALLBACK, uri_log, s,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
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
    if (pthread_create(&s->runner, NULL, runner_main, s) == 0) s->runner_started = true;
    else logf_("the job runner cannot start: API jobs are refused");
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
    if (s->runner_started) {
        pthread_join(s->runner, NULL);
        s->runner_started = false;
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
    pthread_cond_destroy(&s->audit_cv);
    enc_reccache_free(s->rec);
    enc_sendstats_free(s->sends);
    enc_rl_destroy(&s->rl_auth);
    enc_rl_destroy(&s->rl_login_addr);
    enc_rl_destroy(&s->rl_login_user);
    sodium_memzero(&s->key, sizeof s->key);
    free(s->db_path);
    free(s->delivery_config);
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

/* ---- metrics (GET /metrics) --------------------------------------------------------------- */

static const char *const fixed_label[ML_FIXED] = {
    "none",         "/healthz",     "/v1/track",  "/v1/identify", "/v1/batch",
    "/t/c/{token}", "/t/o/{token}", "/u/{token}", "/v1/inbox",    "/v1/inbox/{id}/read"};

static void label_of(int l, char *out, size_t cap)
{
    if (l < ML_FIXED) snprintf(out, cap, "route=\"%s\"", fixed_label[l]);
    else if ((size_t)(l - ML_FIXED) < enc_routes_count)
        snprintf(out, cap, "route=\"%s %s\"", enc_routes[l - ML_FIXED].method,
                 enc_routes[l - ML_FIXED].path);
    else snprintf(out, cap, "route=\"other\"");
}

void enc_server_metrics(enc_server *s, enc_store *st, enc_buf *b)
{
    int nl = ML_FIXED + (int)enc_routes_count;
    if (nl > ML_MAX) nl = ML_MAX;
    char lab[200];
    enc_buf_adds(b, "# HELP encore_http_requests_total HTTP requests answered, by route and "
                    "status.\n# TYPE encore_http_requests_total counter\n");
    for (int l = 0; l < nl; l++) {
        label_of(l, lab, sizeof lab);
        for (size_t k = 0; k < MS_N; k++) {
            long v = atomic_load(&s->m_req[l][k]);
            if (!v) continue;
            if (metric_status[k])
                enc_buf_printf(b, "encore_http_requests_total{%s,status=\"%d\"} %ld\n", lab,
                               metric_status[k], v);
            else enc_buf_printf(b, "encore_http_requests_total{%s,status=\"other\"} %ld\n", lab, v);
        }
    }
    enc_buf_adds(b, "# HELP encore_http_request_duration_seconds Time from the request line to "
                    "the answer's completion.\n# TYPE encore_http_request_duration_seconds "
                    "histogram\n");
    for (int l = 0; l < nl; l++) {
        long count = atomic_load(&s->m_count[l]);
        if (!count) continue;
        label_of(l, lab, sizeof lab);
        long cum = 0;
        for (size_t i = 0; i < MLE_N; i++) {
            cum += atomic_load(&s->m_le[l][i]);
            enc_buf_printf(b, "encore_http_request_duration_seconds_bucket{%s,le=\"%g\"} %ld\n",
                           lab, metric_le[i], cum);
        }
        enc_buf_printf(b, "encore_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %ld\n", lab,
                       count);
        enc_buf_printf(b, "encore_http_request_duration_seconds_sum{%s} %.6f\n", lab,
                       atomic_load(&s->m_sum_us[l]) / 1e6);
        enc_buf_printf(b, "encore_http_request_duration_seconds_count{%s} %ld\n", lab, count);
    }
    enc_buf_printf(b,
                   "# HELP encore_ingest_items_total Ingest API items, by outcome.\n"
                   "# TYPE encore_ingest_items_total counter\n"
                   "encore_ingest_items_total{outcome=\"stored\"} %ld\n"
                   "encore_ingest_items_total{outcome=\"duplicate\"} %ld\n"
                   "encore_ingest_items_total{outcome=\"rejected\"} %ld\n"
                   "# HELP encore_tracking_hits_total Tracking hits recorded, by kind.\n"
                   "# TYPE encore_tracking_hits_total counter\n"
                   "encore_tracking_hits_total{kind=\"click\"} %ld\n"
                   "encore_tracking_hits_total{kind=\"open\"} %ld\n"
                   "encore_tracking_hits_total{kind=\"unsubscribe\"} %ld\n"
                   "# HELP encore_tracking_hits_lost_total Clicks and opens answered but not "
                   "queued (the write queue was full).\n"
                   "# TYPE encore_tracking_hits_lost_total counter\n"
                   "encore_tracking_hits_lost_total %ld\n"
                   "# HELP encore_write_commits_total Transactions the writer committed.\n"
                   "# TYPE encore_write_commits_total counter\n"
                   "encore_write_commits_total %ld\n",
                   atomic_load(&s->api_stored), atomic_load(&s->api_duplicates),
                   atomic_load(&s->api_rejected), atomic_load(&s->clicks), atomic_load(&s->opens),
                   atomic_load(&s->unsubscribes), atomic_load(&s->hits_lost),
                   atomic_load(&s->commits));
    pthread_mutex_lock(&s->mu);
    enc_buf_printf(b,
                   "# HELP encore_write_queue_depth Writes waiting for the writer.\n"
                   "# TYPE encore_write_queue_depth gauge\nencore_write_queue_depth %zu\n"
                   "# HELP encore_audit_entries_total Audit entries queued for the writer, and "
                   "written.\n# TYPE encore_audit_entries_total counter\n"
                   "encore_audit_entries_total{state=\"queued\"} %ld\n"
                   "encore_audit_entries_total{state=\"written\"} %ld\n"
                   "# HELP encore_recommendation_model_builds_total Recommendation models built "
                   "for the customer view (reused until the data changes).\n"
                   "# TYPE encore_recommendation_model_builds_total counter\n"
                   "encore_recommendation_model_builds_total %ld\n",
                   s->queued, s->audit_queued, s->audit_written, enc_reccache_builds(s->rec));
    enc_buf_adds(b, "# HELP encore_job_runs_total Runs of the periodic jobs, by job and outcome.\n"
                    "# TYPE encore_job_runs_total counter\n");
    for (size_t i = 0; i < s->njobs; i++)
        enc_buf_printf(b,
                       "encore_job_runs_total{job=\"%s\",outcome=\"ok\"} %ld\n"
                       "encore_job_runs_total{job=\"%s\",outcome=\"failed\"} %ld\n",
                       s->jobs[i].name, s->jobs[i].runs - s->jobs[i].failures, s->jobs[i].name,
                       s->jobs[i].failures);
    enc_buf_adds(b, "# HELP encore_job_last_duration_seconds How long the last run of each "
                    "periodic job took.\n# TYPE encore_job_last_duration_seconds gauge\n");
    for (size_t i = 0; i < s->njobs; i++)
        if (s->jobs[i].last_run_at)
            enc_buf_printf(b, "encore_job_last_duration_seconds{job=\"%s\"} %.6f\n",
                           s->jobs[i].name, s->jobs[i].last_seconds);
    enc_buf_adds(b, "# HELP encore_api_job_seconds Time the API's jobs (score, import) took.\n"
                    "# TYPE encore_api_job_seconds summary\n");
    static const char *const jk[2] = {"score", "import"};
    for (int k = 0; k < 2; k++)
        enc_buf_printf(b,
                       "encore_api_job_seconds_sum{kind=\"%s\"} %.6f\n"
                       "encore_api_job_seconds_count{kind=\"%s\"} %ld\n",
                       jk[k], s->api_jobs_seconds[k], jk[k],
                       s->api_jobs_done[k] + s->api_jobs_failed[k]);
    enc_buf_adds(b, "# HELP encore_api_jobs_total The API's jobs finished, by kind and outcome.\n"
                    "# TYPE encore_api_jobs_total counter\n");
    for (int k = 0; k < 2; k++)
        enc_buf_printf(b,
                       "encore_api_jobs_total{kind=\"%s\",outcome=\"done\"} %ld\n"
                       "encore_api_jobs_total{kind=\"%s\",outcome=\"failed\"} %ld\n",
                       jk[k], s->api_jobs_done[k], jk[k], s->api_jobs_failed[k]);
    pthread_mutex_unlock(&s->mu);
    enc_sendstats_metrics(s->sends, b);
    if (!st) return;
    enc_err err = {0};
    enc_outbox *ob = NULL;
    enc_outbox_count *rows = NULL;
    size_t n = 0;
    if (!enc_outbox_open(st, &ob, &err) && !enc_outbox_counts(ob, NULL, &rows, &n, &err)) {
        enc_buf_adds(b, "# HELP encore_outbox_messages Outbox messages by state and channel "
                        "(sent and failed count every send and failure so far).\n"
                        "# TYPE encore_outbox_messages gauge\n");
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < ENC_MSG_NSTATES; k++)
                enc_buf_printf(b, "encore_outbox_messages{channel=\"%s\",state=\"%s\"} %lld\n",
                               rows[i].channel, enc_msg_state_name((enc_msg_state)k),
                               (long long)rows[i].n[k]);
    }
    free(rows);
    enc_outbox_close(ob);
    enc_score_run_info run;
    bool found = false;
    enc_err_clear(&err);
    if (!enc_store_score_run_last(st, &run, &found, &err) && found)
        enc_buf_printf(b,
                       "# HELP encore_score_last_run_age_seconds Seconds since the last scoring "
                       "run began.\n# TYPE encore_score_last_run_age_seconds gauge\n"
                       "encore_score_last_run_age_seconds %lld\n"
                       "# HELP encore_score_last_run_duration_seconds How long the last scoring "
                       "run took.\n# TYPE encore_score_last_run_duration_seconds gauge\n"
                       "encore_score_last_run_duration_seconds %.3f\n",
                       (long long)(time(NULL) - run.started_at), run.seconds);
}
