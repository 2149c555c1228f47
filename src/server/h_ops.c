/* h_ops.c — the contract and the operations' routes: GET /v1/openapi.json (OpenAPI 3.1
 * generated from the route table, so the document cannot drift from what the router does),
 * GET /v1/stats (the document of `encore stats --json`), GET /metrics (Prometheus text) and
 * GET /readyz. */
#include "base/datetime.h"
#include "server/handlers.h"
#include "server/server.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- /v1/stats ----------------------------------------------------------------------------- */

enc_rc enc_stats_json(enc_store *st, enc_jw *w, enc_err *err)
{
    enc_store_stats s;
    if (enc_store_stats_get(st, &s, err)) return err->rc;
    char from[40] = "", to[40] = "";
    if (s.orders) {
        enc_fmt_datetime(from, sizeof from, s.first_order);
        enc_fmt_datetime(to, sizeof to, s.last_order);
    }
    enc_jw_obj(w);
    enc_jw_kint(w, "customers", s.customers);
    enc_jw_kint(w, "orders", s.orders);
    enc_jw_kint(w, "order_lines", s.order_lines);
    enc_jw_kint(w, "products", s.products);
    enc_jw_kint(w, "events", s.events);
    enc_jw_kint(w, "feedback", s.feedback);
    enc_jw_kint(w, "consents", s.consents);
    enc_jw_kint(w, "merged_customers", s.merged_customers);
    enc_jw_kint(w, "returns", s.returns);
    enc_jw_kint(w, "cancelled", s.cancelled);
    enc_jw_kint(w, "guest_orders", s.guest_orders);
    enc_jw_key(w, "sales");
    enc_jw_obj(w);
    enc_jw_kint(w, "lines", s.sale_lines);
    enc_jw_kint(w, "orders", s.sale_orders);
    enc_jw_kint(w, "customers", s.buying_customers);
    enc_jw_key(w, "revenue");
    enc_jw_money(w, s.revenue, 2);
    enc_jw_end(w);
    enc_jw_key(w, "orders_from");
    s.orders ? enc_jw_str(w, from) : enc_jw_null(w);
    enc_jw_key(w, "orders_to");
    s.orders ? enc_jw_str(w, to) : enc_jw_null(w);
    enc_jw_end(w);
    return ENC_OK;
}

void enc_h_stats(enc_mreq *rq, enc_mres *rs)
{
    enc_err err = {0};
    if (enc_stats_json(rq->st, enc_mres_json(rs, 200), &err)) {
        fprintf(stderr, "encore: serve: stats: %s\n", err.msg);
        enc_mres_problem(rs, 500, NULL, "storage error");
    }
}

/* ---- /readyz and /metrics ----------------------------------------------------------------- */

void enc_h_readyz(enc_mreq *rq, enc_mres *rs)
{
    int have = enc_store_schema_version(rq->st), want = enc_store_schema_latest();
    if (have != want) {
        enc_mres_problem(rs, 503, NULL, "the store's schema is %d, this build expects %d", have,
                         want);
        return;
    }
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_kbool(w, "ready", true);
    enc_jw_kint(w, "schema", have);
    enc_jw_end(w);
}

void enc_h_metrics(enc_mreq *rq, enc_mres *rs)
{
    enc_buf b = {0};
    enc_server_metrics(rq->server, rq->st, &b);
    enc_mres_raw(rs, 200, "text/plain; version=0.0.4; charset=utf-8", b.p ? b.p : "", b.len);
    enc_buf_free(&b);
}

/* OpenAPI wants a licence name; the repository states none yet, so the document says where to look
 */
#define ENC_OPENAPI_LICENSE "see the Encore repository's README"

/* ---- /v1/openapi.json --------------------------------------------------------------------- */

/* The answers' schemas, by the names the table gives. */
static const struct {
    const char *name, *json;
} responses[] = {
    {"Ok", "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}}}"},
    {"Session",
     "{\"type\":\"object\",\"required\":[\"user\",\"csrf_token\"],\"properties\":{\"user\":{"
     "\"type\":\"object\",\"properties\":{\"email\":{\"type\":\"string\"},\"key\":{\"type\":"
     "\"string\"},\"role\":{\"type\":\"string\",\"enum\":[\"owner\",\"marketer\",\"analyst\","
     "\"support\"]}}},\"csrf_token\":{\"type\":[\"string\",\"null\"]}}}"},
    {"Stats",
     "{\"type\":\"object\",\"properties\":{\"customers\":{\"type\":\"integer\"},\"orders\":{"
     "\"type\":\"integer\"},\"order_lines\":{\"type\":\"integer\"},\"products\":{\"type\":"
     "\"integer\"},\"events\":{\"type\":\"integer\"},\"feedback\":{\"type\":\"integer\"},"
     "\"consents\":{\"type\":\"integer\"},\"merged_customers\":{\"type\":\"integer\"},"
     "\"returns\":{\"type\":\"integer\"},\"cancelled\":{\"type\":\"integer\"},\"guest_orders\":{"
     "\"type\":\"integer\"},\"sales\":{\"type\":\"object\"},\"orders_from\":{\"type\":["
     "\"string\",\"null\"]},\"orders_to\":{\"type\":[\"string\",\"null\"]}}}"},
    {"User",
     "{\"type\":\"object\",\"properties\":{\"email\":{\"type\":\"string\"},\"role\":{\"type\":"
     "\"string\"},\"disabled\":{\"type\":\"boolean\"},\"created_at\":{\"type\":\"string\","
     "\"format\":\"date-time\"},\"updated_at\":{\"type\":\"string\",\"format\":"
     "\"date-time\"}}}"},
    {"ApiKey",
     "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":"
     "\"string\"},\"role\":{\"type\":\"string\"},\"prefix\":{\"type\":\"string\"},"
     "\"created_at\":{\"type\":\"string\"},\"expires_at\":{\"type\":[\"string\",\"null\"]},"
     "\"revoked_at\":{\"type\":[\"string\",\"null\"]},\"last_used_at\":{\"type\":[\"string\","
     "\"null\"]}}}"},
    {"ApiKeyCreated",
     "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\",\"description\":\"the "
     "key; shown only in this answer\"},\"apikey\":{\"$ref\":\"#/components/schemas/ApiKey\"}}}"},
    {"AuditEntry",
     "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"at\":{\"type\":"
     "\"string\"},\"actor\":{\"type\":\"string\"},\"role\":{\"type\":[\"string\",\"null\"]},"
     "\"action\":{\"type\":\"string\"},\"target\":{\"type\":[\"string\",\"null\"]},\"detail\":{"
     "\"type\":[\"string\",\"null\"]},\"client\":{\"type\":[\"string\",\"null\"]},\"status\":{"
     "\"type\":[\"integer\",\"null\"]}}}"},
    {"Ready", "{\"type\":\"object\",\"properties\":{\"ready\":{\"type\":\"boolean\"},\"schema\":{"
              "\"type\":\"integer\"}}}"},
    {"Problem",
     "{\"type\":\"object\",\"description\":\"RFC 9457 problem details\",\"required\":[\"type\","
     "\"title\",\"status\"],\"properties\":{\"type\":{\"type\":\"string\"},\"title\":{\"type\":"
     "\"string\"},\"status\":{\"type\":\"integer\"},\"detail\":{\"type\":\"string\"},"
     "\"errors\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"field\":{"
     "\"type\":\"string\"},\"message\":{\"type\":\"string\"},\"line\":{\"type\":\"integer\"},"
     "\"column\":{\"type\":\"integer\"}}}}}}"},
};

/* a page of items of schema `item`: {"items": [...], "next_cursor": ...} */
static json_t *page_schema(const char *item)
{
    char ref[128];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", item);
    return json_pack("{s:s, s:[s,s], s:{s:{s:s, s:{s:s}}, s:{s:[s,s]}}}", "type", "object",
                     "required", "items", "next_cursor", "properties", "items", "type", "array",
                     "items", "$ref", ref, "next_cursor", "type", "string", "null");
}

static const char *ftype_json(enc_vtype t)
{
    switch (t) {
    case ENC_F_STRING: return "string";
    case ENC_F_INT: return "integer";
    case ENC_F_NUMBER: return "number";
    case ENC_F_BOOL: return "boolean";
    case ENC_F_OBJECT: return "object";
    case ENC_F_ARRAY: return "array";
    case ENC_F_TEXT: return "string";
    }
    return "string";
}

static json_t *body_schema(const enc_schema *s)
{
    json_t *o = json_pack("{s:s, s:s}", "type", "object", "description", s->help ? s->help : "");
    if (!s->fields) return o;
    json_t *props = json_object(), *req = json_array();
    for (const enc_field *f = s->fields; f->name; f++) {
        json_t *p = json_pack("{s:s, s:s}", "type", ftype_json(f->type), "description",
                              f->help ? f->help : "");
        if (f->max && (f->type == ENC_F_STRING || f->type == ENC_F_TEXT))
            json_object_set_new(p, "maxLength", json_integer(f->max));
        if (f->max && (f->type == ENC_F_INT || f->type == ENC_F_NUMBER)) {
            json_object_set_new(p, "minimum", json_integer(0));
            json_object_set_new(p, "maximum", json_integer(f->max));
        }
        json_object_set_new(props, f->name, p);
        if (f->required) json_array_append_new(req, json_string(f->name));
    }
    json_object_set_new(o, "properties", props);
    if (json_array_size(req)) json_object_set_new(o, "required", req);
    else json_decref(req);
    json_object_set_new(o, "additionalProperties", json_false());
    return o;
}

static json_t *ref_content(const char *ctype, const char *schema)
{
    char ref[128];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", schema);
    return json_pack("{s:{s:{s:s}}}", ctype, "schema", "$ref", ref);
}

static json_t *problem_response(const char *desc)
{
    return json_pack("{s:s, s:o}", "description", desc, "content",
                     ref_content("application/problem+json", "Problem"));
}

static json_t *operation(const enc_route *r)
{
    json_t *op = json_object();
    char opid[160];
    size_t k = (size_t)snprintf(opid, sizeof opid, "%s", r->method);
    for (size_t i = 0; i < k; i++) opid[i] = (char)(opid[i] | 0x20);
    for (const char *p = r->path; *p && k < sizeof opid - 2; p++) {
        char c = *p;
        if (c == '{' || c == '}') continue;
        opid[k++] = (c == '/' || c == '.' || c == '-') ? '_' : c;
    }
    opid[k] = 0;
    json_object_set_new(op, "operationId", json_string(opid));
    json_object_set_new(op, "summary", json_string(r->summary));
    json_t *roles = json_array();
    for (unsigned b = 1; b <= 8; b <<= 1)
        if (r->roles & b) json_array_append_new(roles, json_string(enc_role_name(b)));
    json_object_set_new(op, "x-roles", roles);
    json_object_set_new(op, "security",
                        r->roles ? json_pack("[{s:[]},{s:[]}]", "bearer", "session")
                                 : json_array());
    json_t *params = json_array();
    for (const char *p = r->path; (p = strchr(p, '{'));) {
        const char *e = strchr(p, '}');
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                (size_t)(e - p - 1), "in", "path", "required", 1,
                                                "schema", "type", "string"));
        p = e;
    }
    for (const enc_qparam *q = r->query; q && q->name; q++)
        json_array_append_new(params,
                              json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", q->name, "in", "query",
                                        "description", q->help ? q->help : "", "schema", "type",
                                        q->type == ENC_F_INT ? "integer" : "string"));
    if (r->flags & ENC_ROUTE_PAGED) {
        json_array_append_new(
            params, json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i}}", "name", "limit", "in",
                              "query", "description", "items a page", "schema", "type", "integer",
                              "minimum", 1, "maximum", ENC_PAGE_MAX, "default", ENC_PAGE_DEFAULT));
        json_array_append_new(params,
                              json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "cursor", "in", "query",
                                        "description", "the previous page's next_cursor", "schema",
                                        "type", "string"));
    }
    if (json_array_size(params)) json_object_set_new(op, "parameters", params);
    else json_decref(params);
    if (r->body) {
        char ref[128];
        snprintf(ref, sizeof ref, "#/components/schemas/%s", r->body->name);
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
                                      "application/json", "schema", "$ref", ref));
    } else if (r->flags & ENC_ROUTE_UPLOAD) {
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
                                      "text/csv", "schema", "type", "string"));
    }
    json_t *res = json_object();
    char ok[8];
    snprintf(ok, sizeof ok, "%d", r->status ? r->status : 200);
    if (r->flags & ENC_ROUTE_TEXT)
        json_object_set_new(res, ok,
                            json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "OK", "content",
                                      "text/plain", "schema", "type", "string"));
    else if (r->response)
        json_object_set_new(res, ok,
                            json_pack("{s:s, s:o}", "description", "OK", "content",
                                      ref_content("application/json", r->response)));
    else
        json_object_set_new(res, ok,
                            json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "OK", "content",
                                      "application/json", "schema", "type", "object"));
    json_object_set_new(res, "400", problem_response("bad parameters or body"));
    if (r->roles) {
        json_object_set_new(res, "401", problem_response("no or bad credentials"));
        json_object_set_new(res, "403", problem_response("the role may not do this"));
    }
    if (r->flags & ENC_ROUTE_LOGIN)
        json_object_set_new(res, "429", problem_response("too many failed logins"));
    json_object_set_new(op, "responses", res);
    return op;
}

json_t *enc_openapi_doc(void)
{
    json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s, s:{s:s}}, s:[{s:s}]}", "openapi", "3.1.0",
                            "info", "title", "Encore management API", "version", "1", "description",
                            "Generated from the server's route table (src/server/routes.c); "
                            "docs/api.md is the contract in words.",
                            "license", "name", ENC_OPENAPI_LICENSE, "servers", "url", "/");
    json_t *schemas = json_object();
    for (size_t i = 0; i < sizeof responses / sizeof *responses; i++) {
        json_t *s = json_loads(responses[i].json, 0, NULL);
        if (s) json_object_set_new(schemas, responses[i].name, s);
    }
    json_object_set_new(schemas, "UserPage", page_schema("User"));
    json_object_set_new(schemas, "ApiKeyPage", page_schema("ApiKey"));
    json_object_set_new(schemas, "AuditPage", page_schema("AuditEntry"));
    json_t *paths = json_object();
    for (size_t i = 0; i < enc_routes_count; i++) {
        const enc_route *r = &enc_routes[i];
        if (r->body && !json_object_get(schemas, r->body->name))
            json_object_set_new(schemas, r->body->name, body_schema(r->body));
        if (r->response && !json_object_get(schemas, r->response))
            json_object_set_new(
                schemas, r->response,
                json_pack("{s:s, s:s}", "type", "object", "description", r->response));
        json_t *item = json_object_get(paths, r->path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->path, item);
        }
        char m[16];
        size_t k = 0;
        for (; r->method[k] && k < sizeof m - 1; k++) m[k] = (char)(r->method[k] | 0x20);
        m[k] = 0;
        json_object_set_new(item, m, operation(r));
    }
    json_object_set_new(doc, "paths", paths);
    json_object_set_new(
        doc, "components",
        json_pack("{s:o, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}}}", "schemas", schemas,
                  "securitySchemes", "bearer", "type", "http", "scheme", "bearer", "description",
                  "an API key (encore apikey create)", "session", "type", "apiKey", "in", "cookie",
                  "name", "encore_session", "description",
                  "the console's session (POST /v1/session); non-GET calls also send "
                  "X-CSRF-Token"));
    return doc;
}

void enc_h_openapi(enc_mreq *rq, enc_mres *rs)
{
    json_t *doc = enc_openapi_doc();
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text) return enc_mres_problem(rs, 500, NULL, "out of memory");
    enc_mres_raw(rs, 200, "application/json", text, strlen(text));
    free(text);
}
