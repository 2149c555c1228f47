/* api_segments.c — the segment editor over HTTP: the language's fields and functions (encore
 * audience fields --json), a count with a sample (encore audience preview --json; errors 400
 * with line and column), and saved segments (encore audience save|list|show|delete) with a
 * description. */
#include "server/api_views.h"
#include "audience/editor.h"
#include "audience/eval.h"
#include "base/datetime.h"
#include "server/jobs.h"
#include "store/store_analytics.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXPR_MAX 65536
#define DESC_MAX 2000

static const enc_field count_fields[] = {
    {"expression", ENC_F_TEXT, true, EXPR_MAX, "a segment-language expression"},
    {"sample", ENC_F_INT, false, ENC_AUD_SAMPLE_MAX, "customers in the sample (default 10)"},
    {"now", ENC_F_STRING, false, 32,
     "evaluate as of this time (YYYY-MM-DD or RFC 3339, UTC); default the current time"},
    {NULL}};
const enc_schema enc_schema_segment_count = {"SegmentCountRequest", count_fields,
                                             "an expression to count, with a sample"};
static const enc_field new_fields[] = {
    {"name", ENC_F_STRING, true, 64, "1 to 64 bytes, not starting with '-'"},
    {"expression", ENC_F_TEXT, true, EXPR_MAX, "a segment-language expression"},
    {"description", ENC_F_TEXT, false, DESC_MAX, "what the segment is for"},
    {NULL}};
const enc_schema enc_schema_segment_new = {"SegmentNew", new_fields, "a new saved segment"};
static const enc_field put_fields[] = {
    {"expression", ENC_F_TEXT, true, EXPR_MAX, "a segment-language expression"},
    {"description", ENC_F_TEXT, false, DESC_MAX, "what the segment is for"},
    {NULL}};
const enc_schema enc_schema_segment_put = {"SegmentPut", put_fields,
                                           "a saved segment's expression and description"};

static const char *bstr(enc_mreq *rq, const char *k)
{
    return json_string_value(json_object_get(rq->body, k));
}

/* An expression error as a problem with its line and column ("line L, column C: why"). */
static void expr_problem(enc_mres *rs, const char *field, const enc_aud_pos *at, const enc_err *err)
{
    const char *why = err->msg;
    const char *p = strstr(why, ": ");
    if (at->line > 0 && strncmp(why, "line ", 5) == 0 && p) why = p + 2;
    if (at->line > 0) enc_mres_problem_at(rs, 400, field, at->line, at->col, "%s", why);
    else enc_mres_problem(rs, 400, field, "%s", why);
}

void enc_h_segments_fields(enc_mreq *rq, enc_mres *rs)
{
    enc_aud_registry_json(enc_mres_json(rs, 200));
}

void enc_h_segments_count(enc_mreq *rq, enc_mres *rs)
{
    const char *src = bstr(rq, "expression"), *now_s = bstr(rq, "now");
    json_t *js = json_object_get(rq->body, "sample");
    int64_t now = rq->now;
    if (now_s && !enc_parse_time(now_s, &now))
        return enc_mres_problem(rs, 400, "/now", "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    char cur[8];
    int digits;
    enc__api_money(rq->st, cur, sizeof cur, &digits);
    enc_aud_preview_opts o = {now, js ? (int)json_integer_value(js) : 10, enc_mreq_masked(rq),
                              digits, cur[0] ? cur : NULL};
    if (o.sample < 0) return enc_mres_problem(rs, 400, "/sample", "0 to %d", ENC_AUD_SAMPLE_MAX);
    enc_err err = {0};
    enc_aud_pos at = {0, 0};
    if (enc_aud_preview_json(rq->st, src, strlen(src), &o, enc_mres_json(rs, 200), &at, &err)) {
        if (err.rc == ENC_EPARSE || err.rc == ENC_EUSAGE)
            return expr_problem(rs, "/expression", &at, &err);
        return enc__api_fail(rs, "segments count", &err);
    }
}

static void segment_doc(enc_jw *w, const char *name, const char *expr, const char *desc,
                        int64_t created, int64_t updated)
{
    enc_jw_obj(w);
    enc_jw_kstr(w, "name", name);
    enc_jw_kstr(w, "expression", expr);
    enc_jw_kstr(w, "description", desc);
    enc_jw_ktime(w, "created_at", created);
    enc_jw_ktime(w, "updated_at", updated);
    enc_jw_end(w);
}

void enc_h_segments_list(enc_mreq *rq, enc_mres *rs)
{
    enc_segment_rec *v;
    size_t n;
    enc_err err = {0};
    if (enc_store_segment_list(rq->st, &v, &n, &err)) return enc__api_fail(rs, "segments", &err);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "items");
    enc_jw_arr(w);
    for (size_t i = 0; i < n; i++) {
        char *desc = NULL;
        enc_store_segment_desc_get(rq->st, v[i].name, &desc, &err);
        segment_doc(w, v[i].name, v[i].expr, desc, v[i].created_at, v[i].updated_at);
        free(desc);
    }
    enc_jw_end(w);
    enc_jw_key(w, "next_cursor");
    enc_jw_null(w);
    enc_jw_end(w);
    enc_store_segment_list_free(v, n);
}

static bool name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 1 && n <= 64 && s[0] != '-' && enc_text_ok(s, n);
}

/* Checks and stores name (creating or replacing); answers the segment (status) or a problem. */
static void save(enc_mreq *rq, enc_mres *rs, const char *name, bool must_be_new)
{
    const char *src = bstr(rq, "expression"), *desc = bstr(rq, "description");
    enc_err err = {0};
    enc_aud_pos at = {0, 0};
    if (enc_aud_check(rq->st, name, src, strlen(src), &at, &err))
        return expr_problem(rs, "/expression", &at, &err);
    bool exists = enc_store_segment_get(rq->st, name, NULL, NULL, NULL, &err) == ENC_OK;
    if (must_be_new && exists)
        return enc_mres_problem(rs, 409, "/name",
                                "a segment '%s' exists (PUT /v1/segments/{name} "
                                "replaces it)",
                                name);
    bool created;
    err = (enc_err){0};
    if (enc_store_begin(rq->st, &err)) return enc__api_fail(rs, "segment", &err);
    if (enc_store_segment_put(rq->st, name, src, rq->now, &created, &err) ||
        enc_store_segment_desc_set(rq->st, name, desc, &err) || enc_store_commit(rq->st, &err)) {
        enc_store_rollback(rq->st);
        return enc__api_fail(rs, "segment", &err);
    }
    enc_mreq_audit(rq, created ? "segment.create" : "segment.update", name, NULL,
                   created ? 201 : 200);
    int64_t c0 = 0, u0 = 0;
    char *expr = NULL;
    enc_store_segment_get(rq->st, name, &expr, &c0, &u0, &err);
    segment_doc(enc_mres_json(rs, created ? 201 : 200), name, expr ? expr : src,
                desc && *desc ? desc : NULL, c0, u0);
    free(expr);
}

void enc_h_segments_create(enc_mreq *rq, enc_mres *rs)
{
    const char *name = bstr(rq, "name");
    if (!name_ok(name))
        return enc_mres_problem(rs, 400, "/name", "1 to 64 bytes of text, not starting with '-'");
    save(rq, rs, name, true);
}

void enc_h_segment_put(enc_mreq *rq, enc_mres *rs)
{
    const char *name = enc_mreq_param(rq, "name");
    if (!name_ok(name))
        return enc_mres_problem(rs, 400, "path.name",
                                "1 to 64 bytes of text, not starting with '-'");
    save(rq, rs, name, false);
}

void enc_h_segment_get(enc_mreq *rq, enc_mres *rs)
{
    const char *name = enc_mreq_param(rq, "name");
    char *expr = NULL, *desc = NULL;
    int64_t c0, u0;
    enc_err err = {0};
    enc_rc rc = enc_store_segment_get(rq->st, name, &expr, &c0, &u0, &err);
    if (rc == ENC_ENOTFOUND) return enc_mres_problem(rs, 404, "path.name", "no such segment");
    if (rc) return enc__api_fail(rs, "segment", &err);
    enc_store_segment_desc_get(rq->st, name, &desc, &err);
    segment_doc(enc_mres_json(rs, 200), name, expr, desc, c0, u0);
    free(expr);
    free(desc);
}

void enc_h_segment_delete(enc_mreq *rq, enc_mres *rs)
{
    const char *name = enc_mreq_param(rq, "name");
    enc_err err = {0};
    enc_rc rc = enc_store_segment_get(rq->st, name, NULL, NULL, NULL, &err);
    if (rc == ENC_ENOTFOUND) return enc_mres_problem(rs, 404, "path.name", "no such segment");
    if (rc) return enc__api_fail(rs, "segment", &err);
    /* refused while another saved segment uses it (as encore audience delete without --force) */
    enc_segment_rec *v;
    size_t n;
    if (enc_store_segment_list(rq->st, &v, &n, &err)) return enc__api_fail(rs, "segment", &err);
    enc_buf users = {0};
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].name, name) == 0) continue;
        enc_arena *a = enc_arena_new(1 << 12);
        const char **refs;
        size_t nr;
        enc_err e2 = {0};
        if (!enc_aud_segment_refs(v[i].expr, strlen(v[i].expr), a, &refs, &nr, &e2))
            for (size_t j = 0; j < nr; j++)
                if (strcmp(refs[j], name) == 0) {
                    enc_buf_printf(&users, "%s'%s'", users.len ? ", " : "", v[i].name);
                    break;
                }
        enc_arena_free(a);
    }
    enc_store_segment_list_free(v, n);
    if (users.len) {
        enc_mres_problem(rs, 409, "path.name", "used by %s: change those first", users.p);
        enc_buf_free(&users);
        return;
    }
    if (enc_store_segment_delete(rq->st, name, &err)) return enc__api_fail(rs, "segment", &err);
    enc_mreq_audit(rq, "segment.delete", name, NULL, 200);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_kstr(w, "deleted", name);
    enc_jw_end(w);
}

/* ---- export: a job writing a saved segment's customers as CSV --------------------------------
 * The file lands beside the store, in DB.exports/ (0700; files 0600: they hold personal data),
 * named segment-NAME-JOB.csv with NAME's bytes outside [A-Za-z0-9_-] as '_'. */

static void export_path(const char *db_path, const char *name, int64_t id, char *out, size_t cap)
{
    char safe[70];
    size_t k = 0;
    for (const char *p = name; *p && k < 64; p++)
        safe[k++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                            (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'
                        ? *p
                        : '_';
    safe[k] = 0;
    snprintf(out, cap, "%s.exports/segment-%s-%lld.csv", db_path, safe, (long long)id);
}

enc_rc enc__segment_export_run(const char *db_path, enc_store *st, int64_t id, const char *name,
                               enc_buf *out, enc_err *err)
{
    char *expr = NULL, path[4200], dir[4200];
    (void)db_path; /* the file is named from the store's own (absolute) path, as the GET reads */
    const char *db = enc_store_path(st);
    if (!*db) return enc_fail(err, ENC_EUSAGE, "export: the store has no file");
    if (enc_store_segment_get(st, name, &expr, NULL, NULL, err)) return err->rc;
    snprintf(dir, sizeof dir, "%s.exports", db);
    if (mkdir(dir, 0700) && errno != EEXIST) {
        free(expr);
        return enc_fail(err, ENC_EIO, "export: cannot create the exports directory: %s",
                        strerror(errno));
    }
    export_path(db, name, id, path, sizeof path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        free(expr);
        return enc_fail(err, ENC_EIO, "export: cannot write the file: %s", strerror(errno));
    }
    char cur[8];
    int digits;
    enc__api_money(st, cur, sizeof cur, &digits);
    size_t rows = 0;
    enc_aud_pos at = {0, 0};
    enc_rc rc =
        enc_aud_export_csv(st, expr, strlen(expr), (int64_t)time(NULL), digits, f, &rows, &at, err);
    if (fclose(f) && !rc) rc = enc_fail(err, ENC_EIO, "export: closing the file failed");
    free(expr);
    if (rc) {
        unlink(path);
        return rc;
    }
    enc_jw w;
    enc_jw_init(&w, out);
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "segment", name);
    enc_jw_kint(&w, "rows", (int64_t)rows);
    enc_jw_kstr(&w, "file", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    enc_jw_end(&w);
    return ENC_OK;
}

void enc_h_segment_export(enc_mreq *rq, enc_mres *rs)
{
    const char *name = enc_mreq_param(rq, "name");
    enc_err err = {0};
    enc_rc rc = enc_store_segment_get(rq->st, name, NULL, NULL, NULL, &err);
    if (rc == ENC_ENOTFOUND) return enc_mres_problem(rs, 404, "path.name", "no such segment");
    if (rc) return enc__api_fail(rs, "export", &err);
    enc_buf params = {0};
    enc_jw pw;
    enc_jw_init(&pw, &params);
    enc_jw_obj(&pw);
    enc_jw_kstr(&pw, "segment", name);
    enc_jw_end(&pw);
    int64_t id;
    if (enc_job_insert(rq->st, "export", params.p, rq->who.name, rq->now, &id, &err)) {
        enc_buf_free(&params);
        return enc__api_fail(rs, "export", &err);
    }
    enc_buf_free(&params);
    if (enc_server_job_submit(rq->server, id, ENC_JOB_EXPORT, ENC_KIND_CUSTOMERS, name,
                              strlen(name) + 1, &err)) {
        enc_job_set(rq->st, id, "failed", 0, NULL, err.msg, rq->now, &err);
        return enc_mres_problem(rs, 503, NULL, "%s", err.msg);
    }
    char loc[64], target[80];
    snprintf(loc, sizeof loc, "/v1/jobs/%lld", (long long)id);
    enc_mres_header(rs, "Location", loc);
    enc_jw *w = enc_mres_json(rs, 202);
    enc_jw_obj(w);
    enc_jw_kint(w, "id", id);
    enc_jw_kstr(w, "kind", "export");
    enc_jw_kstr(w, "state", "queued");
    enc_jw_key(w, "params");
    enc_jw_obj(w);
    enc_jw_kstr(w, "segment", name);
    enc_jw_end(w);
    enc_jw_end(w);
    snprintf(target, sizeof target, "job:%lld", (long long)id);
    enc_mreq_audit(rq, "segment.export", target, name, 202);
}

#define EXPORT_SEND_MAX ((size_t)512 << 20)

void enc_h_segment_export_get(enc_mreq *rq, enc_mres *rs)
{
    const char *name = enc_mreq_param(rq, "name"), *ids = enc_mreq_param(rq, "id");
    char *end;
    long long id = strtoll(ids, &end, 10);
    if (*end || id <= 0 || strlen(ids) > 18)
        return enc_mres_problem(rs, 400, "path.id", "a job id (a positive whole number)");
    enc_jobrec j;
    bool found;
    enc_err err = {0};
    if (enc_job_get(rq->st, id, &j, &found, &err)) return enc__api_fail(rs, "export", &err);
    json_t *p = found && j.params ? json_loads(j.params, 0, NULL) : NULL;
    const char *seg = json_string_value(json_object_get(p, "segment"));
    bool mine = found && strcmp(j.kind, "export") == 0 && seg && strcmp(seg, name) == 0;
    char state[16];
    snprintf(state, sizeof state, "%s", mine ? j.state : "");
    json_decref(p);
    if (found) enc_jobrec_clear(&j);
    if (!mine) return enc_mres_problem(rs, 404, "path.id", "no export of this segment");
    if (strcmp(state, "done") != 0)
        return enc_mres_problem(rs, 409, "path.id", "the export is %s (see /v1/jobs/%lld)", state,
                                id);
    const char *db = enc_store_path(rq->st);
    if (!*db) return enc_mres_problem(rs, 404, "path.id", "no export of this segment");
    char path[4200];
    export_path(db, name, id, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        if (fd >= 0) close(fd);
        return enc_mres_problem(rs, 410, "path.id", "the export's file is gone");
    }
    if ((size_t)sb.st_size > EXPORT_SEND_MAX) {
        close(fd);
        return enc_mres_problem(rs, 413, NULL, "the export is over 512 MiB: read %s on the server",
                                strrchr(path, '/') + 1);
    }
    size_t n = (size_t)sb.st_size, got = 0;
    char *buf = enc_xmalloc(n + 1);
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(buf);
        return enc_mres_problem(rs, 500, NULL, "reading the export failed");
    }
    enc_mres_raw(rs, 200, "text/csv; charset=utf-8", buf, n);
    free(buf);
}
