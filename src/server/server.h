/* server.h — Encore's HTTP server (libmicrohttpd): the Segment-spec ingest API (/v1/track,
 * /v1/identify, /v1/batch), the in-site inbox read API (/v1/inbox), tracking links (/t/c/TOKEN
 * click, /t/o/TOKEN open pixel), one-click unsubscribe (/u/TOKEN, RFC 8058) and /healthz; plus
 * the periodic jobs (the campaign scheduler's tick, the delivery dispatcher) that run beside
 * it. Requests are parsed on a pool of HTTP threads; every write goes through one writer
 * thread that owns the store's write connection and commits what has queued up in one
 * transaction (docs/server.md says why and what it measured); reads use each HTTP thread's
 * own connection. Only the server and the CLI print; the server prints to stderr. */
#ifndef ENCORE_SERVER_H
#define ENCORE_SERVER_H
#include "campaign/token.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct enc_server enc_server;

#define ENC_SERVER_WRITE_KEY_MIN 16 /* bytes: shorter write keys are refused */

typedef struct enc_server_opts {
    const char *db_path;   /* the store; opened by the writer and by each job */
    const char *listen;    /* "HOST:PORT", "[IPv6]:PORT" or ":PORT" (all interfaces); port 0
                              = any free port (see enc_server_address) */
    const char *write_key; /* the /v1/... key (HTTP Basic user name); NULL or "": /v1/... is 401 */
    enc_token_key key;     /* verifies tracking tokens */
    const char *phone_cc;  /* country calling code for national phone numbers in traits */
    int threads;           /* HTTP threads; 0 = 2 */
    int timeout;           /* seconds an idle connection is kept; 0 = 30 */
    const char *delivery_config;      /* the delivery configuration file (enc_delivery_config_path)
                                         that GET/PUT /v1/settings/channels read and write */
    const char *const *delivery_sets; /* serve's --set CHANNEL.OPTION=VALUE flags (borrowed:
                                         they outlive the server); the environment's
                                         ENCORE_CHANNEL_* are read from the process */
    size_t delivery_nsets;
    bool direct; /* write on the HTTP threads, one connection each, one transaction a
                    request, instead of through the writer (kept to measure against) */
} enc_server_opts;

/* A periodic job: runs on a thread of its own with a store connection of its own (opened on
 * that thread; when opening fails, it is tried again at the next time), every `every`
 * seconds from the start of one run to the start of the next (back to back when a run takes
 * longer). A job that returns an error is logged and counted (/healthz) and runs again at its
 * next time: a failure never stops the server. Long runs should look at enc_server_stopping
 * between steps. st is the same connection on every run of the job. */
typedef enc_rc (*enc_server_job_fn)(enc_server *srv, enc_store *st, void *ctx, enc_err *err);
/* Called once on the job's thread after its last run, before its connection is closed (st
 * may be NULL when it never opened): frees what the job keeps between runs. */
typedef void (*enc_server_job_end_fn)(enc_server *srv, enc_store *st, void *ctx);
#define ENC_SERVER_JOBS_MAX 8

/* Makes a server (nothing bound or started yet). Strings in o are copied. Free with
 * enc_server_free. */
enc_rc enc_server_new(const enc_server_opts *o, enc_server **out, enc_err *err);
/* Registers a periodic job (end may be NULL); before enc_server_start only. The scheduler's
 * tick and the dispatcher register here (src/cli/cmd_serve.c). name is copied; ctx is
 * borrowed and must outlive the server's stop. */
enc_rc enc_server_add_job(enc_server *srv, const char *name, double every, enc_server_job_fn fn,
                          enc_server_job_end_fn end, void *ctx, enc_err *err);
/* Opens the store, binds the address, starts the HTTP threads, the writer and the jobs. */
enc_rc enc_server_start(enc_server *srv, enc_err *err);
/* "HOST:PORT" actually bound (the port filled in when 0 was asked for). */
const char *enc_server_address(const enc_server *srv);
int enc_server_port(const enc_server *srv);
/* True once enc_server_stop has begun: jobs end their run early when they can. */
bool enc_server_stopping(const enc_server *srv);
/* Drains and stops: no new connections; requests in progress are answered (up to 5 s for
 * clients that keep connections open); every queued write is committed; jobs finish their
 * current run; then threads are joined and the store closed. */
void enc_server_stop(enc_server *srv);
void enc_server_free(enc_server *srv);

/* What the server did, for logs and tests. */
typedef struct enc_server_stats {
    long requests, api_stored, api_duplicates, api_rejected;
    long clicks, opens, unsubscribes, client_errors, server_errors;
    long commits, jobs_run, jobs_failed;
    long inbox_pages, inbox_marked; /* GET /v1/inbox answered; messages marked read */
} enc_server_stats;
void enc_server_stats_get(const enc_server *srv, enc_server_stats *s);

/* Appends the Prometheus text exposition (format 0.0.4) of the server's counters and, read
 * through st (may be NULL), the outbox's depth by state and channel and the age of the last
 * scoring run (GET /metrics). */
struct enc_buf;
void enc_server_metrics(enc_server *srv, enc_store *st, struct enc_buf *out);
#endif
