/* jobs.h — the API's jobs between the handler that starts one (h_jobs.c) and the server's one
 * job runner thread (server.c) that runs them in order, each with the runner's own store
 * connection. The job's row (store/users.h) holds its state for clients. */
#ifndef ENCORE_SERVER_JOBS_H
#define ENCORE_SERVER_JOBS_H
#include "base/err.h"
#include "ingest/fields.h"
#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

#define ENC_JOBS_QUEUED_MAX 16 /* jobs waiting for the runner; more are refused (503) */

/* ENC_JOB_EXPORT: a saved segment written as CSV (api_segments.c); data holds its name */
typedef enum enc_job_kind { ENC_JOB_SCORE, ENC_JOB_IMPORT, ENC_JOB_EXPORT } enc_job_kind;

typedef struct enc_job_item {
    struct enc_job_item *next;
    int64_t id; /* the job's row */
    enc_job_kind kind;
    enc_kind table; /* import: what the CSV holds */
    char *data;     /* import: the uploaded file (owned by the item) */
    size_t len;
} enc_job_item;

/* Queues job id for the runner (data is copied). srv is the request's enc_server. */
enc_rc enc_server_job_submit(void *srv, int64_t id, enc_job_kind kind, enc_kind table,
                             const char *data, size_t len, enc_err *err);
/* Runs one job on the runner's connection, writing its row as it goes (h_jobs.c). */
enc_rc enc_job_execute(const char *db_path, enc_store *st, const enc_job_item *j, enc_err *err);
#endif
