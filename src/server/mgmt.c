/* mgmt.c — the management API's helpers (mgmt.h): route matching, query parsing, strict body
 * validation, problem details, cursor pages and personal-data masking. No HTTP library here:
 * server.c feeds these from libmicrohttpd, the fuzz target and the unit tests call them. */
#include "server/mgmt.h"
#include "base/datetime.h"
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text --------------------------------------------------------------------------------- */

/* length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid (RFC 3629) */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t k;
    unsigned min;
    unsigned cp;
    if ((c & 0xe0) == 0xc0) k = 2, min = 0x80, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0) k = 3, min = 0x800, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0) k = 4, min = 0x10000, cp = c & 0x07;
    else return 0;
    if (n < k) return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return k;
}

bool enc_text_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x20 || p[i] == 0x7f) return false;
        size_t k = utf8_len(p + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

/* s with invalid UTF-8 and control characters replaced by U+FFFD, into b */
static void safe_text(enc_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = p[i] < 0x20 || p[i] == 0x7f ? 0 : utf8_len(p + i, n - i);
        if (!k) {
            enc_buf_adds(b, "\xef\xbf\xbd");
            i++;
        } else {
            enc_buf_add(b, p + i, k);
            i += k;
        }
    }
    enc_buf_addc(b, 0);
    b->len--;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool enc_pct_decode(const char *s, size_t n, char *out, size_t cap, bool plus_space, size_t *len)
{
    size_t o = 0;
    if (cap < n + 1) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n) return false;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0) return false;
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus_space) out[o++] = ' ';
        else out[o++] = c;
    }
    out[o] = 0;
    if (!enc_text_ok(out, o)) return false;
    if (len) *len = o;
    return true;
}

/* ---- matching ----------------------------------------------------------------------------- */

/* Does path match pattern? Segments of the pattern in braces take one segment of the path
 * (decoded into pbuf). */
static bool match_one(const char *pattern, const char *path, char *pbuf, size_t pbuf_cap,
                      const char **params, size_t *np, bool *bad)
{
    const char *p = pattern, *u = path;
    size_t used = 0;
    *np = 0;
    while (*p && *u) {
        if (*p != '/' || *u != '/') return false;
        p++, u++;
        const char *pe = strchr(p, '/'), *ue = strchr(u, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p), ul = ue ? (size_t)(ue - u) : strlen(u);
        if (pl > 1 && p[0] == '{' && p[pl - 1] == '}') {
            if (ul == 0) return false;
            if (*np >= ENC_MGMT_PARAMS_MAX || used + ul + 1 > pbuf_cap) return false;
            size_t dl;
            if (!enc_pct_decode(u, ul, pbuf + used, pbuf_cap - used, false, &dl) || dl == 0) {
                *bad = true;
                return false;
            }
            params[(*np)++] = pbuf + used;
            used += dl + 1;
        } else if (pl != ul || memcmp(p, u, pl) != 0) return false;
        p += pl, u += ul;
    }
    return !*p && !*u;
}

const enc_route *enc_route_match(const char *method, const char *path, char *pbuf, size_t pbuf_cap,
                                 const char **params, size_t *nparams, bool *path_known,
                                 char *allow, size_t allow_cap, bool *bad_param)
{
    *path_known = false;
    *bad_param = false;
    if (allow_cap) allow[0] = 0;
    size_t alen = 0;
    const enc_route *hit = NULL;
    for (size_t i = 0; i < enc_routes_count; i++) {
        const enc_route *r = &enc_routes[i];
        size_t np;
        const char *tmp[ENC_MGMT_PARAMS_MAX];
        bool bad = false;
        if (!match_one(r->path, path, pbuf, pbuf_cap, tmp, &np, &bad)) {
            if (bad) *bad_param = true;
            continue;
        }
        if (strcmp(r->method, method) == 0 && !hit) {
            hit = r;
            memcpy(params, tmp, sizeof tmp);
            *nparams = np;
            /* pbuf holds this match's params: stop matching (later rows would overwrite) */
            return hit;
        }
        *path_known = true;
        if (allow_cap && !strstr(allow, r->method)) {
            int w = snprintf(allow + alen, allow_cap - alen, "%s%s", alen ? ", " : "", r->method);
            if (w > 0 && (size_t)w < allow_cap - alen) alen += (size_t)w;
        }
    }
    if (*path_known) *bad_param = false;
    return NULL;
}

/* ---- the request ------------------------------------------------------------------------- */

const char *enc_mreq_param(const enc_mreq *rq, const char *name)
{
    /* the n-th {param} of the route's path */
    const char *p = rq->route->path;
    size_t i = 0, nl = strlen(name);
    while ((p = strchr(p, '{'))) {
        const char *e = strchr(p, '}');
        if (!e) break;
        if ((size_t)(e - p - 1) == nl && memcmp(p + 1, name, nl) == 0)
            return i < rq->nparams ? rq->params[i] : NULL;
        i++;
        p = e;
    }
    return NULL;
}

const char *enc_mreq_query(const enc_mreq *rq, const char *name)
{
    for (size_t i = 0; i < rq->nquery; i++)
        if (strcmp(rq->query[i].name, name) == 0) return rq->query[i].value;
    return NULL;
}

bool enc_mreq_masked(const enc_mreq *rq) { return rq->who.role == ENC_ROLE_ANALYST; }

bool enc_query_parse(enc_arena *a, const char *raw, enc_qpair *out, size_t max, size_t *n,
                     const char **field, const char **why)
{
    *n = 0;
    *field = "query";
    *why = NULL;
    if (!raw || !*raw) return true;
    const char *p = raw;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len) {
            if (*n >= max) return *why = "too many query parameters", false;
            const char *eq = memchr(p, '=', len);
            size_t kl = eq ? (size_t)(eq - p) : len, vl = eq ? len - kl - 1 : 0;
            char *k = enc_arena_alloc(a, kl + 1), *v = enc_arena_alloc(a, vl + 1);
            if (!enc_pct_decode(p, kl, k, kl + 1, true, NULL) || !*k)
                return *why = "a parameter name is empty, badly escaped, or not UTF-8 text", false;
            char *fname = enc_arena_alloc(a, strlen(k) + 7);
            sprintf(fname, "query.%s", k);
            if (!enc_pct_decode(eq ? eq + 1 : "", vl, v, vl + 1, true, NULL))
                return *field = fname,
                       *why = "badly escaped, or a control character or invalid UTF-8", false;
            for (size_t i = 0; i < *n; i++)
                if (strcmp(out[i].name, k) == 0)
                    return *field = fname, *why = "given more than once", false;
            out[*n].name = k;
            out[*n].value = v;
            (*n)++;
        }
        p += len;
        if (*p == '&') p++;
    }
    return true;
}

static bool whole(const char *v, int64_t *out)
{
    if (!*v || strlen(v) > 18) return false;
    int64_t x = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        x = x * 10 + (*p - '0');
    }
    if (out) *out = x;
    return true;
}

bool enc_query_check(const enc_route *r, const enc_qpair *q, size_t n, enc_mres *rs)
{
    for (size_t i = 0; i < n; i++) {
        char field[80];
        snprintf(field, sizeof field, "query.%.60s", q[i].name);
        bool paged = (r->flags & ENC_ROUTE_PAGED) != 0;
        if (paged && (strcmp(q[i].name, "limit") == 0 || strcmp(q[i].name, "cursor") == 0))
            continue; /* enc_mreq_page checks them */
        const enc_qparam *p = r->query;
        while (p && p->name && strcmp(p->name, q[i].name) != 0) p++;
        if (!p || !p->name) {
            enc_buf names = {0};
            for (const enc_qparam *x = r->query; x && x->name; x++)
                enc_buf_printf(&names, "%s%s", names.len ? ", " : "", x->name);
            if (paged) enc_buf_printf(&names, "%slimit, cursor", names.len ? ", " : "");
            enc_mres_problem(rs, 400, field, "unknown query parameter (this route takes: %s)",
                             names.len ? names.p : "none");
            enc_buf_free(&names);
            return false;
        }
        if (p->type == ENC_F_INT && !whole(q[i].value, NULL)) {
            enc_mres_problem(rs, 400, field, "must be a whole number");
            return false;
        }
    }
    return true;
}

static const char *ftype_name(enc_vtype t)
{
    switch (t) {
    case ENC_F_STRING: return "a string";
    case ENC_F_INT: return "a whole number";
    case ENC_F_NUMBER: return "a number";
    case ENC_F_BOOL: return "true or false";
    case ENC_F_OBJECT: return "an object";
    case ENC_F_ARRAY: return "an array";
    case ENC_F_TEXT: return "a string";
    }
    return "?";
}

static bool type_ok(const enc_field *f, json_t *v)
{
    switch (f->type) {
    case ENC_F_STRING: return json_is_string(v);
    case ENC_F_INT: return json_is_integer(v);
    case ENC_F_NUMBER: return json_is_number(v);
    case ENC_F_BOOL: return json_is_boolean(v);
    case ENC_F_OBJECT: return json_is_object(v);
    case ENC_F_ARRAY: return json_is_array(v);
    case ENC_F_TEXT: return json_is_string(v);
    }
    return false;
}

/* enc_text_ok for each run between tabs and line breaks (ENC_F_TEXT) */
static bool lines_ok(const char *t, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') {
            if (i > from && !enc_text_ok(t + from, i - from)) return false;
            from = i + 1;
        }
    return true;
}

bool enc_body_check(const enc_schema *s, const char *body, size_t n, json_t **out, enc_mres *rs)
{
    *out = NULL;
    json_error_t je;
    if (n == 0) {
        enc_mres_problem(rs, 400, "body", "a JSON object is expected (%s)", s->name);
        return false;
    }
    json_t *doc = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        enc_mres_problem_at(rs, 400, "body", je.line, je.column, "not JSON: %s", je.text);
        return false;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        enc_mres_problem(rs, 400, "body", "a JSON object is expected (%s)", s->name);
        return false;
    }
    if (s->fields) {
        const char *key;
        json_t *v;
        json_object_foreach(doc, key, v)
        {
            const enc_field *f = s->fields;
            while (f->name && strcmp(f->name, key) != 0) f++;
            char field[96];
            snprintf(field, sizeof field, "/%.80s", key);
            if (!f->name) {
                enc_buf names = {0};
                for (const enc_field *x = s->fields; x->name; x++)
                    enc_buf_printf(&names, "%s%s", names.len ? ", " : "", x->name);
                enc_mres_problem(rs, 400, field, "unknown field (%s takes: %s)", s->name,
                                 names.p ? names.p : "none");
                enc_buf_free(&names);
                json_decref(doc);
                return false;
            }
            if (!type_ok(f, v)) {
                enc_mres_problem(rs, 400, field, "must be %s", ftype_name(f->type));
                json_decref(doc);
                return false;
            }
            if (f->type == ENC_F_STRING || f->type == ENC_F_TEXT) {
                const char *t = json_string_value(v);
                size_t tl = json_string_length(v);
                if (f->max && (int64_t)tl > f->max) {
                    enc_mres_problem(rs, 400, field, "longer than %lld bytes", (long long)f->max);
                    json_decref(doc);
                    return false;
                }
                if (f->type == ENC_F_STRING ? !enc_text_ok(t, tl) : !lines_ok(t, tl)) {
                    enc_mres_problem(rs, 400, field, "holds a control character");
                    json_decref(doc);
                    return false;
                }
            }
            if ((f->type == ENC_F_INT || f->type == ENC_F_NUMBER) && f->max &&
                (json_number_value(v) > (double)f->max || json_number_value(v) < 0)) {
                enc_mres_problem(rs, 400, field, "must be from 0 to %lld", (long long)f->max);
                json_decref(doc);
                return false;
            }
        }
        for (const enc_field *f = s->fields; f->name; f++)
            if (f->required && !json_object_get(doc, f->name)) {
                char field[96];
                snprintf(field, sizeof field, "/%.80s", f->name);
                enc_mres_problem(rs, 400, field, "missing (%s)", ftype_name(f->type));
                json_decref(doc);
                return false;
            }
    }
    *out = doc;
    return true;
}

/* ---- pages -------------------------------------------------------------------------------- */

void enc_cursor_encode(int64_t key, char *out, size_t cap)
{
    uint8_t raw[8];
    for (int i = 0; i < 8; i++) raw[i] = (uint8_t)((uint64_t)key >> (56 - 8 * i));
    if (cap < sodium_base64_ENCODED_LEN(8, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
        if (cap) out[0] = 0;
        return;
    }
    sodium_bin2base64(out, cap, raw, 8, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool enc_cursor_decode(const char *text, int64_t *key)
{
    uint8_t raw[8];
    size_t n;
    const char *end;
    size_t tl = strlen(text);
    if (tl != 11 ||
        sodium_base642bin(raw, sizeof raw, text, tl, NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != 8 || end != text + tl)
        return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | raw[i];
    if (v > INT64_MAX || v == 0) return false;
    /* only the one text this API gives out for the key (base64 has spare bits at the end) */
    char again[16];
    enc_cursor_encode((int64_t)v, again, sizeof again);
    if (strcmp(again, text) != 0) return false;
    *key = (int64_t)v;
    return true;
}

bool enc_mreq_page(const enc_mreq *rq, enc_mres *rs, enc_page *pg)
{
    pg->limit = ENC_PAGE_DEFAULT;
    pg->after = 0;
    const char *l = enc_mreq_query(rq, "limit"), *c = enc_mreq_query(rq, "cursor");
    int64_t v;
    if (l) {
        if (!whole(l, &v) || v < 1 || v > ENC_PAGE_MAX) {
            enc_mres_problem(rs, 400, "query.limit", "must be a whole number from 1 to %d",
                             ENC_PAGE_MAX);
            return false;
        }
        pg->limit = (size_t)v;
    }
    if (c && !enc_cursor_decode(c, &pg->after)) {
        enc_mres_problem(rs, 400, "query.cursor", "not a cursor this API gave out");
        return false;
    }
    return true;
}

void enc_page_next(enc_jw *w, bool more, int64_t last)
{
    enc_jw_key(w, "next_cursor");
    if (!more) {
        enc_jw_null(w);
        return;
    }
    char t[32];
    enc_cursor_encode(last, t, sizeof t);
    enc_jw_str(w, t);
}

/* ---- the answer -------------------------------------------------------------------------- */

enc_jw *enc_mres_json(enc_mres *rs, int status)
{
    enc_buf_reset(&rs->body);
    rs->status = status;
    rs->ctype = NULL;
    rs->problem = false;
    enc_jw_init(&rs->w, &rs->body);
    return &rs->w;
}

void enc_mres_raw(enc_mres *rs, int status, const char *ctype, const void *data, size_t n)
{
    enc_buf_reset(&rs->body);
    rs->status = status;
    rs->ctype = ctype;
    rs->problem = false;
    enc_buf_add(&rs->body, data, n);
}

void enc_mres_header(enc_mres *rs, const char *name, const char *value)
{
    if (rs->nh >= ENC_MRES_HEADERS_MAX) return;
    rs->hname[rs->nh] = enc_arena_strndup(rs->arena, name, strlen(name));
    rs->hvalue[rs->nh] = enc_arena_strndup(rs->arena, value, strlen(value));
    rs->nh++;
}

const char *enc_http_title(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Server Error" : "Error";
    }
}

static void problem(enc_mres *rs, int status, const char *field, int line, int column,
                    const char *fmt, va_list ap)
{
    char msg[600];
    vsnprintf(msg, sizeof msg, fmt, ap);
    enc_buf safe = {0}, sfield = {0};
    safe_text(&safe, msg);
    if (field) safe_text(&sfield, field);
    enc_jw *w = enc_mres_json(rs, status);
    rs->problem = true;
    enc_jw_obj(w);
    enc_jw_kstr(w, "type", "about:blank");
    enc_jw_kstr(w, "title", enc_http_title(status));
    enc_jw_kint(w, "status", status);
    enc_jw_kstr(w, "detail", safe.p ? safe.p : "");
    if (field) {
        enc_jw_key(w, "errors");
        enc_jw_arr(w);
        enc_jw_obj(w);
        enc_jw_kstr(w, "field", sfield.p ? sfield.p : "");
        enc_jw_kstr(w, "message", safe.p ? safe.p : "");
        if (line > 0) {
            enc_jw_kint(w, "line", line);
            enc_jw_kint(w, "column", column);
        }
        enc_jw_end(w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_buf_free(&safe);
    enc_buf_free(&sfield);
}

void enc_mres_problem(enc_mres *rs, int status, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem(rs, status, field, 0, 0, fmt, ap);
    va_end(ap);
}

void enc_mres_problem_at(enc_mres *rs, int status, const char *field, int line, int column,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem(rs, status, field, line, column, fmt, ap);
    va_end(ap);
}

void enc_mres_free(enc_mres *rs) { enc_buf_free(&rs->body); }

void enc_mreq_audit(enc_mreq *rq, const char *action, const char *target, const char *detail,
                    int status)
{
    enc_buf t = {0}, d = {0};
    if (target) safe_text(&t, target);
    if (detail) safe_text(&d, detail);
    enc_audit_rec r = {.at = rq->now,
                       .actor = rq->who.kind == ENC_P_NONE ? "anonymous" : rq->who.name,
                       .role = rq->who.kind == ENC_P_NONE ? NULL : enc_role_name(rq->who.role),
                       .action = action,
                       .target = target ? t.p : NULL,
                       .detail = detail ? d.p : NULL,
                       .client = rq->client,
                       .status = status};
    enc_err err = {0};
    if (!enc_server_audit(rq->server, &r) && enc_audit_append(rq->st, &r, &err))
        fprintf(stderr, "encore: serve: audit: %s\n", err.msg); /* never the entry itself */
    enc_buf_free(&t);
    enc_buf_free(&d);
}

/* ---- masking ------------------------------------------------------------------------------ */

/* enc_mask_email, enc_mask_phone, enc_mask_name: base/mask.c (the store's customer view masks
 * with them too) */

void enc_mreq_personal(const enc_mreq *rq, enc_jw *w, const char *key, const char *value, char kind)
{
    if (!value) {
        enc_jw_key(w, key);
        enc_jw_null(w);
        return;
    }
    if (!enc_mreq_masked(rq)) {
        enc_jw_kstr(w, key, value);
        return;
    }
    char m[300];
    if (kind == 'e') enc_mask_email(value, m, sizeof m);
    else if (kind == 'p') enc_mask_phone(value, m, sizeof m);
    else enc_mask_name(value, m, sizeof m);
    enc_jw_kstr(w, key, m);
}

/* ---- times -------------------------------------------------------------------------------- */

bool enc_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
    size_t len = strlen(s);
    if (len == 10) {
        if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return false;
    } else if (len == 20) {
        if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 20)
            return false;
    } else return false;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789-:TZ", s[i])) return false;
    if (y < 1970 || y > 9999 || !enc_date_valid(y, mo, d) || h > 23 || mi > 59 || se > 59)
        return false;
    *out = enc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

void enc_jw_ktime(enc_jw *w, const char *key, int64_t epoch)
{
    enc_jw_key(w, key);
    if (!epoch) {
        enc_jw_null(w);
        return;
    }
    int y, m, d;
    int64_t days = epoch >= 0 ? epoch / 86400 : -((-epoch + 86399) / 86400);
    int64_t sec = epoch - days * 86400;
    enc_civil_from_days(days, &y, &m, &d);
    char t[40];
    snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
    enc_jw_str(w, t);
}
