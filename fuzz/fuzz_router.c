/* fuzz_router.c — libFuzzer target for the management API's router checks (src/server/mgmt.c):
 * the input is "METHOD PATH?QUERY\nBODY". Route matching ({params} decoded, never a control
 * character or invalid UTF-8 in one), query parsing (no repeats, decoded text valid), the
 * query check against the matched route, strict body validation against its schema (and an
 * answer that is always valid UTF-8, a problem with a field when refused), cursors and
 * masking are exercised and their promises checked. */
#include "server/mgmt.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_answer(const enc_mres *rs)
{
    if (rs->status < 400 || rs->status > 599) abort();
    if (!rs->problem || !enc_text_ok(rs->body.p, rs->body.len)) abort();
    json_t *doc = json_loadb(rs->body.p, rs->body.len, 0, NULL);
    if (!doc || json_integer_value(json_object_get(doc, "status")) != rs->status) abort();
    json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192) return 0;
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = 0;
    char *nl = memchr(in, '\n', size);
    const char *body = nl ? nl + 1 : "";
    size_t blen = nl ? size - (size_t)(nl + 1 - in) : 0;
    if (nl) *nl = 0;
    char *sp = strchr(in, ' ');
    const char *method = sp ? in : "GET", *target = sp ? sp + 1 : in;
    if (sp) *sp = 0;
    char path[2048];
    const char *q = strchr(target, '?');
    size_t pl = q ? (size_t)(q - target) : strlen(target);
    if (pl >= sizeof path) pl = sizeof path - 1;
    memcpy(path, target, pl);
    path[pl] = 0;

    enc_arena *a = enc_arena_new(4096);
    enc_mres rs = {0};
    rs.arena = a;
    char pbuf[1024], allow[64];
    const char *params[ENC_MGMT_PARAMS_MAX];
    size_t np = 0;
    bool known, bad;
    const enc_route *r = enc_route_match(method, path, pbuf, sizeof pbuf, params, &np, &known,
                                         allow, sizeof allow, &bad);
    if (r) {
        if (strcmp(r->method, method) != 0) abort();
        for (size_t i = 0; i < np; i++)
            if (!*params[i] || !enc_text_ok(params[i], strlen(params[i]))) abort();
    }
    enc_qpair qp[ENC_MGMT_QUERY_MAX];
    size_t nq;
    const char *field, *why;
    if (enc_query_parse(a, q ? q + 1 : "", qp, ENC_MGMT_QUERY_MAX, &nq, &field, &why)) {
        for (size_t i = 0; i < nq; i++) {
            if (!enc_text_ok(qp[i].name, strlen(qp[i].name)) ||
                !enc_text_ok(qp[i].value, strlen(qp[i].value)))
                abort();
            for (size_t k = 0; k < i; k++)
                if (strcmp(qp[i].name, qp[k].name) == 0) abort();
        }
        if (r && !enc_query_check(r, qp, nq, &rs)) check_answer(&rs);
    } else {
        enc_mres_problem(&rs, 400, field, "%s", why);
        check_answer(&rs);
    }
    if (r && r->body) {
        json_t *doc = NULL;
        if (enc_body_check(r->body, body, blen, &doc, &rs)) {
            if (!json_is_object(doc)) abort();
            for (const enc_field *f = r->body->fields; f && f->name; f++)
                if (f->required && !json_object_get(doc, f->name)) abort();
        } else check_answer(&rs);
        json_decref(doc);
    }
    /* cursors read back; masking never grows past its input's shape */
    int64_t key;
    if (enc_cursor_decode(path, &key)) {
        char t[32];
        enc_cursor_encode(key, t, sizeof t);
        if (strcmp(t, path) != 0) abort();
    }
    char m[300];
    enc_mask_email(path, m, sizeof m);
    enc_mask_phone(path, m, sizeof m);
    enc_mask_name(path, m, sizeof m);
    int64_t t;
    enc_parse_time(path, &t);
    enc_mres_free(&rs);
    enc_arena_free(a);
    free(in);
    return 0;
}
