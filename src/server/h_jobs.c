/* h_jobs.c — long work started through the API: a scoring run (POST /v1/jobs?kind=score) or a
 * CSV import (POST /v1/jobs?kind=import&table=orders with the file as the body). The handler
 * records the job (queued) and hands it to the server's one job runner thread
 * (enc_server_job_submit), answering 202 at once; the runner runs it with a store connection
 * of its own through the same library calls as `encore score` and `encore import`, writing
 * state, progress and the result (the commands' --json document) into the job's row. */
#include "audience/profcache.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include "ingest/fields.h"
#include "ingest/import.h"
#include "intel/score.h"
#include "intel/scoreconf.h"
#include "server/handlers.h"
#include "server/api_views.h"
#include "server/jobs.h"
#include "server/server.h"
#include "snapshot/colcache.h"
#include "snapshot/snapshot.h"
#include <errno.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void storage_error(enc_mres *rs, const char *what, const enc_err *err)
{
    fprintf(stderr, "encore: serve: %s: %s\n", what, err->msg);
    enc_mres_problem(rs, 500, NULL, "storage error");
}

static void job_doc(const enc_mreq *rq, enc_jw *w, const enc_jobrec *j)
{
    enc_jw_obj(w);
    enc_jw_kint(w, "id", j->id);
    enc_jw_kstr(w, "kind", j->kind);
    enc_jw_kstr(w, "state", j->state);
    enc_jw_knum(w, "progress", j->progress);
    enc_jw_key(w, "params");
    json_t *p = j->params ? json_loads(j->params, 0, NULL) : NULL;
    if (p) {
        const char *k;
        json_t *v;
        enc_jw_obj(w);
        json_object_foreach(p, k, v) enc_jw_kstr(w, k, json_string_value(v));
        enc_jw_end(w);
    } else enc_jw_null(w);
    json_decref(p);
    /* the result is the command's --json document, written by the runner: copied verbatim */
    enc_jw_key(w, "result");
    json_t *res = j->result && enc_mreq_masked(rq) ? json_loads(j->result, 0, NULL) : NULL;
    if (res && json_object_get(res, "errors")) {
        /* an import's rejected rows may quote personal data: analysts get the count only */
        json_object_set_new(res, "errors", json_array());
        char *t = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
        enc_buf_adds(w->out, t ? t : "null");
        free(t);
        w->after_key = false;
    } else if (j->result) {
        enc_buf_adds(w->out, j->result);
        w->after_key = false;
    } else enc_jw_null(w);
    json_decref(res);
    enc_jw_kstr(w, "error", j->error);
    enc_jw_kstr(w, "created_by", j->created_by);
    enc_jw_ktime(w, "created_at", j->created_at);
    enc_jw_ktime(w, "started_at", j->started_at);
    enc_jw_ktime(w, "finished_at", j->finished_at);
    enc_jw_end(w);
}

void enc_h_jobs_list(enc_mreq *rq, enc_mres *rs)
{
    enc_page pg;
    if (!enc_mreq_page(rq, rs, &pg)) return;
    enc_jobrec *js;
    size_t n;
    enc_err err = {0};
    if (enc_job_list(rq->st, pg.after, pg.limit + 1, &js, &n, &err))
        return storage_error(rs, "jobs", &err);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "items");
    enc_jw_arr(w);
    size_t shown = n > pg.limit ? pg.limit : n;
    for (size_t i = 0; i < shown; i++) job_doc(rq, w, &js[i]);
    enc_jw_end(w);
    enc_page_next(w, n > pg.limit, shown ? js[shown - 1].id : 0);
    enc_jw_end(w);
    for (size_t i = 0; i < n; i++) enc_jobrec_clear(&js[i]);
    free(js);
}

void enc_h_job_get(enc_mreq *rq, enc_mres *rs)
{
    const char *ids = enc_mreq_param(rq, "id");
    char *end;
    long long id = strtoll(ids, &end, 10);
    if (*end || id <= 0 || strlen(ids) > 18)
        return enc_mres_problem(rs, 400, "path.id", "a job id (a positive whole number)");
    enc_jobrec j;
    bool found;
    enc_err err = {0};
    if (enc_job_get(rq->st, id, &j, &found, &err)) return storage_error(rs, "jobs", &err);
    if (!found) return enc_mres_problem(rs, 404, "path.id", "no such job");
    job_doc(rq, enc_mres_json(rs, 200), &j);
    enc_jobrec_clear(&j);
}

/* the SHA-256 of an upload, in hex: its content's name for idempotency and the import's source */
static void upload_hash(const char *data, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)data, n);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

void enc_h_jobs_create(enc_mreq *rq, enc_mres *rs)
{
    const char *kind = enc_mreq_query(rq, "kind"), *table = enc_mreq_query(rq, "table");
    if (!kind) return enc_mres_problem(rs, 400, "query.kind", "missing: score or import");
    bool score = strcmp(kind, "score") == 0, import = strcmp(kind, "import") == 0;
    if (!score && !import) return enc_mres_problem(rs, 400, "query.kind", "score or import");
    enc_kind k = ENC_KIND_CUSTOMERS;
    if (score && (table || rq->raw_len))
        return enc_mres_problem(rs, 400, table ? "query.table" : "body",
                                "a score job takes no table and no body");
    if (import) {
        if (!table || !enc_kind_parse(table, &k))
            return enc_mres_problem(rs, 400, "query.table",
                                    "customers, products, orders, events, feedback or consents");
        if (!rq->raw_len) return enc_mres_problem(rs, 400, "body", "the CSV file is the body");
        if (memchr(rq->raw, 0, rq->raw_len))
            return enc_mres_problem(rs, 400, "body", "a CSV file holds no NUL byte");
    }
    char params[128];
    snprintf(params, sizeof params, import ? "{\"table\":\"%s\"}" : "{}",
             import ? enc_kind_name(k) : "");
    /* idempotency (docs/api.md): an import by its content, any job by the client's key */
    char content[128] = "score";
    if (import) {
        char hex[65];
        upload_hash(rq->raw, rq->raw_len, hex);
        snprintf(content, sizeof content, "import:%s:%s", enc_kind_name(k), hex);
    }
    bool keyed = import || rq->idempotency_key;
    int64_t id = 0, earlier = 0;
    bool conflict = false;
    enc_err err = {0};
    if (keyed) {
        if (enc_store_begin(rq->st, &err)) return storage_error(rs, "jobs", &err);
        if (enc_job_key_find(rq->st, content, rq->who.name, rq->idempotency_key, &earlier,
                             &conflict, &err))
            goto fail;
    }
    if (conflict) {
        enc_store_rollback(rq->st);
        return enc_mres_problem(rs, 409, "header.Idempotency-Key",
                                "this key was used for another request (job %lld): use a new key "
                                "for other content",
                                (long long)earlier);
    }
    if (!earlier) {
        if (enc_job_insert(rq->st, kind, params, rq->who.name, rq->now, &id, &err)) goto fail;
        if (keyed &&
            enc_job_key_add(rq->st, id, content, rq->who.name, rq->idempotency_key, rq->now, &err))
            goto fail;
    }
    if (keyed && enc_store_commit(rq->st, &err)) goto fail;
    if (earlier) id = earlier;
    else if (enc_server_job_submit(rq->server, id, score ? ENC_JOB_SCORE : ENC_JOB_IMPORT, k,
                                   rq->raw, rq->raw_len, &err)) {
        enc_job_set(rq->st, id, "failed", 0, NULL, err.msg, rq->now, &err);
        return enc_mres_problem(rs, 503, NULL, "%s", err.msg);
    }
    enc_jobrec j;
    bool found;
    if (enc_job_get(rq->st, id, &j, &found, &err) || !found) return storage_error(rs, "jobs", &err);
    char loc[64];
    snprintf(loc, sizeof loc, "/v1/jobs/%lld", (long long)id);
    enc_mres_header(rs, "Location", loc);
    if (earlier) enc_mres_header(rs, "Idempotent-Replayed", "true");
    job_doc(rq, enc_mres_json(rs, earlier ? 200 : 202), &j);
    enc_jobrec_clear(&j);
    if (earlier) return; /* nothing written: nothing to audit */
    char target[64];
    snprintf(target, sizeof target, "job:%lld", (long long)id);
    enc_mreq_audit(rq, import ? "job.import" : "job.score", target, params, 202);
    return;
fail:
    enc_store_rollback(rq->st);
    storage_error(rs, "jobs", &err);
}

/* ---- the runner's side -------------------------------------------------------------------- */

typedef struct progress_ctx {
    enc_store *st;
    int64_t id;
    double last;
} progress_ctx;

static void import_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress_ctx *p = ctx;
    double f = total ? (double)done / (double)total : 0;
    if (f - p->last < 0.05) return; /* a row update every 5 % at most */
    p->last = f;
    enc_err err = {0};
    enc_job_set(p->st, p->id, "running", f * 0.95, NULL, NULL, (int64_t)time(NULL), &err);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static enc_rc run_score(const char *db_path, enc_store *st, int64_t id, enc_buf *out, enc_err *err)
{
    enc_score_config cfg;
    enc_score_config_default(&cfg);
    enc_snapshot *s = NULL;
    enc_score *sc = NULL;
    double t0 = now_s();
    int64_t started = (int64_t)time(NULL);
    /* the scoring configuration as `encore score` finds it: encore.conf beside the store,
     * then ENCORE_* variables */
    char beside[4096];
    const char *slash = strrchr(db_path, '/');
    int dl = slash ? (int)(slash - db_path) : 0;
    snprintf(beside, sizeof beside, "%.*s%sencore.conf", dl, db_path, slash ? "/" : "");
    enc_rc rc = access(beside, R_OK) == 0 ? enc_score_config_file(&cfg, beside, err) : ENC_OK;
    if (!rc) rc = enc_score_config_env(&cfg, err);
    if (!rc) rc = enc_snapshot_load(st, INT64_MAX, &s, err);
    if (!rc && !s->ncust) rc = enc_fail(err, ENC_EFAIL, "the store has no customers");
    int64_t as_of = 0;
    if (!rc) {
        enc_job_set(st, id, "running", 0.3, NULL, NULL, (int64_t)time(NULL), err);
        as_of = enc_score_default_as_of(s);
        if (!as_of) as_of = ((int64_t)time(NULL) / 86400 + 1) * 86400;
        rc = enc_score_run(s, as_of, &cfg, &sc, err);
    }
    if (!rc) {
        enc_job_set(st, id, "running", 0.8, NULL, NULL, (int64_t)time(NULL), err);
        rc = enc_score_save(st, sc, started, now_s() - t0, err);
    }
    if (!rc) {
        enc_err cerr = {0};
        if (enc_profcache_build_if_enabled(st, &cerr))
            fprintf(stderr, "encore: serve: job %lld: profile cache: %s\n", (long long)id,
                    cerr.msg);
        enc_jw w;
        enc_jw_init(&w, out);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "customers", (int64_t)sc->n);
        char day[32];
        enc_fmt_date(day, sizeof day, sc->as_of - 1);
        enc_jw_kstr(&w, "as_of", day);
        enc_jw_knum(&w, "seconds", now_s() - t0);
        enc_score_models_json(sc, &w);
        enc_jw_end(&w);
    }
    enc_score_free(sc);
    enc_snapshot_free(s);
    enc_score_config_free(&cfg);
    return rc;
}

/* The upload is written to a file of its own (0600, beside the store, removed after) for
 * the importer, which reads files. */
static enc_rc run_import(const char *db_path, enc_store *st, int64_t id, enc_kind kind,
                         const char *data, size_t n, enc_buf *out, enc_err *err)
{
    char path[4096];
    const char *slash = strrchr(db_path, '/');
    int dl = slash ? (int)(slash - db_path) : 0;
    snprintf(path, sizeof path, "%.*s%s.encore-upload-%lld.XXXXXX", dl, db_path, slash ? "/" : "",
             (long long)id);
    int fd = mkstemp(path);
    if (fd < 0) return enc_fail(err, ENC_EIO, "cannot write the upload: %s", strerror(errno));
    fchmod(fd, 0600);
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w <= 0) {
            close(fd);
            unlink(path);
            return enc_fail(err, ENC_EIO, "cannot write the upload: %s", strerror(errno));
        }
        off += (size_t)w;
    }
    close(fd);
    /* the source is the upload's content, as the CLI's is the file's name: the same file
     * imported again (a failed job retried) adds no row twice */
    char source[64], hex[65];
    upload_hash(data, n, hex);
    snprintf(source, sizeof source, "api-%s-%.16s", enc_kind_name(kind), hex);
    progress_ctx pc = {.st = st, .id = id, .last = 0};
    enc_import_opts o = {.kind = kind,
                         .path = path,
                         .source = source,
                         .format = ENC_FMT_AUTO,
                         .max_errors = -1,
                         .progress = import_progress,
                         .progress_ctx = &pc};
    enc_import_result res = {0};
    enc_rc rc = enc_import_run(st, &o, &res, err);
    unlink(path);
    if (!rc) {
        enc_err cerr = {0};
        int64_t redeemed = -1;
        if (kind == ENC_KIND_ORDERS && enc_coupon_redeem(st, &redeemed, &cerr))
            fprintf(stderr, "encore: serve: job %lld: coupons: %s\n", (long long)id, cerr.msg);
        if (enc_colcache_refresh(st, NULL, &cerr))
            fprintf(stderr, "encore: serve: job %lld: column cache: %s\n", (long long)id, cerr.msg);
        const enc_import_counts *k = &res.counts;
        enc_jw w;
        enc_jw_init(&w, out);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "kind", enc_kind_name(kind));
        enc_jw_kstr(&w, "source", res.source);
        enc_jw_kint(&w, "read", k->read);
        enc_jw_kint(&w, "imported", k->imported);
        enc_jw_kint(&w, "updated", k->updated);
        enc_jw_kint(&w, "skipped", k->skipped);
        enc_jw_kint(&w, "rejected", k->rejected);
        enc_jw_kint(&w, "merged", k->merged);
        enc_jw_kint(&w, "customers_created", res.customers_created);
        enc_jw_kint(&w, "suppressed", res.suppressed);
        if (redeemed >= 0) enc_jw_kint(&w, "coupons_redeemed", redeemed);
        enc_jw_key(&w, "errors");
        enc_jw_arr(&w);
        for (size_t i = 0; i < res.nerrors && i < 100; i++) {
            enc_jw_obj(&w);
            enc_jw_kint(&w, "line", res.errors[i].line);
            enc_jw_kstr(&w, "field", res.errors[i].field);
            enc_jw_kstr(&w, "reason", res.errors[i].reason);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_end(&w);
    }
    enc_import_result_free(&res);
    return rc;
}

enc_rc enc_job_execute(const char *db_path, enc_store *st, const enc_job_item *j, enc_err *err)
{
    int64_t now = (int64_t)time(NULL);
    if (enc_job_set(st, j->id, "running", 0, NULL, NULL, now, err)) return err->rc;
    enc_buf out = {0};
    enc_err jerr = {0};
    enc_rc rc = j->kind == ENC_JOB_SCORE ? run_score(db_path, st, j->id, &out, &jerr)
                : j->kind == ENC_JOB_EXPORT
                    ? enc__segment_export_run(db_path, st, j->id, j->data, &out, &jerr)
                    : run_import(db_path, st, j->id, j->table, j->data, j->len, &out, &jerr);
    now = (int64_t)time(NULL);
    enc_rc wrc = rc ? enc_job_set(st, j->id, "failed", 0, NULL, jerr.msg, now, err)
                    : enc_job_set(st, j->id, "done", 1, out.p ? out.p : "{}", NULL, now, err);
    enc_buf_free(&out);
    if (rc) enc_fail(err, rc, "%s", jerr.msg);
    return wrc ? wrc : rc;
}
