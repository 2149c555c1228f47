/* mgmt.h — the management API's handler contract (docs/api.md): how a route is declared, what
 * a handler gets and gives back, and the helpers every handler uses. server.c does the rest:
 * matching, limits, authentication, the role check, CSRF, query and body validation, sending.
 *
 * ADDING A ROUTE: write `static void h_thing(enc_mreq *rq, enc_mres *rs)` in your own file
 * (src/server/h_*.c), declare it in routes.c's list of handlers and add ONE row to the table
 * in src/server/routes.c:
 *     {"GET", "/v1/things/{name}", READERS, enc_h_thing, "One thing", NULL, "Thing", NULL,
 *      0, 200},
 * (method, path, roles, handler, summary, body schema, answer schema, query parameters,
 * flags, success status).
 * That row is the whole contract: the router matches the method and the path (a {param} is
 * one path segment, percent-decoded, checked as UTF-8 without control characters), answers
 * 401 without credentials and 403 for a role not in the row (roles 0 = anyone), checks the
 * query against the row's parameters (an unknown or a repeated one is 400), requires a JSON
 * body to come as application/json (415), parses and
 * validates the body against the row's schema (unknown fields refused, types and required
 * fields checked, 400 with a JSON-pointer field path), and generates the OpenAPI document.
 * By the time the handler runs, everything in enc_mreq is checked; the handler checks
 * meaning (an unknown name: 404) and writes the answer with the helpers below.
 *
 * The handler runs on an HTTP thread with that thread's own store connection (rq->st).
 * Reads see the latest commit (WAL). Management writes are few and short: the handler
 * writes on rq->st in a transaction of its own (enc_store_begin/commit); SQLite's lock with
 * the busy timeout serialises it with the ingest writer thread's group commits (docs/server.md
 * says why). Long work (a score run, an import) is a job: enc_mreq_job queues it for the one
 * job runner thread and the handler answers 202 at once.
 *
 * Ownership: everything in enc_mreq is borrowed for the call; allocate what the answer needs
 * from rq->arena (freed with the request). The answer's body is the handler's enc_mres, sent
 * and freed by the server. */
#ifndef ENCORE_MGMT_H
#define ENCORE_MGMT_H
#include "base/buf.h"
#include "base/json.h"
#include "base/mask.h"
#include "base/mem.h"
#include "store/store.h"
#include "store/users.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define ENC_MGMT_BODY_MAX (1024 * 1024)        /* JSON bodies */
#define ENC_MGMT_UPLOAD_MAX (32 * 1024 * 1024) /* CSV uploads (ENC_ROUTE_UPLOAD) */
#define ENC_MGMT_PARAMS_MAX 4                  /* {params} in one path */
#define ENC_MGMT_QUERY_MAX 16                  /* query parameters in one request */
#define ENC_PAGE_DEFAULT 50
#define ENC_PAGE_MAX 500

/* ---- schemas: request bodies, validated by the router and published in OpenAPI ------------- */

typedef enum enc_vtype {
    ENC_F_STRING,
    ENC_F_INT,
    ENC_F_NUMBER,
    ENC_F_BOOL,
    ENC_F_OBJECT, /* any JSON object (checked by the handler, e.g. a campaign file) */
    ENC_F_ARRAY,  /* any JSON array */
    ENC_F_TEXT,   /* a string that may span lines: tabs and line breaks allowed (an expression) */
} enc_vtype;

typedef struct enc_field {
    const char *name;
    enc_vtype type;
    bool required;
    int64_t max; /* strings: the longest in bytes; numbers: the largest value (0: no bound) */
    const char *help;
} enc_field;

typedef struct enc_schema {
    const char *name;        /* the OpenAPI components.schemas name */
    const enc_field *fields; /* ends with {NULL}; NULL: any object, passed to the handler */
    const char *help;
} enc_schema;

/* ---- the route table (src/server/routes.c) ------------------------------------------------ */

typedef struct enc_qparam {
    const char *name;
    enc_vtype type; /* ENC_F_STRING or ENC_F_INT (a whole number >= 0) */
    const char *help;
} enc_qparam;

enum {
    ENC_ROUTE_PAGED = 1,    /* takes ?limit= and ?cursor= (enc_mreq_page) */
    ENC_ROUTE_UPLOAD = 2,   /* the body is raw (text/csv), up to ENC_MGMT_UPLOAD_MAX */
    ENC_ROUTE_PERSONAL = 4, /* shows personal data: every call is audited by the router */
    ENC_ROUTE_LOGIN = 8,    /* POST /v1/session: no credentials, rate-limited by the router */
    ENC_ROUTE_TEXT = 16,    /* the answer is not JSON (metrics): documented as text/plain */
};

typedef struct enc_mreq enc_mreq;
typedef struct enc_mres enc_mres;
typedef void (*enc_route_fn)(enc_mreq *rq, enc_mres *rs);

typedef struct enc_route {
    const char *method;      /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *path;        /* "/v1/campaigns/{name}/report" */
    unsigned roles;          /* ENC_ROLE_* bits admitted; 0 = anyone, no credentials */
    enc_route_fn fn;         /* the handler */
    const char *summary;     /* one line, for OpenAPI and docs */
    const enc_schema *body;  /* the request body's schema; NULL = no body */
    const char *response;    /* the 2xx answer's schema name (OpenAPI), NULL = any object */
    const enc_qparam *query; /* accepted query parameters, ends with {NULL}; NULL = none */
    unsigned flags;          /* ENC_ROUTE_* */
    int status;              /* the success status (OpenAPI); 0 = 200 */
} enc_route;

extern const enc_route enc_routes[];
extern const size_t enc_routes_count;

/* Matches method and path (already split from its query) against the table. Returns the row,
 * or NULL with *path_known true when the path matches a row of another method (405) and
 * *allow filled with the methods that exist ("GET, POST"). params[i] point into pbuf (the
 * decoded segments; cap pbuf_cap). A segment with a control character or invalid UTF-8 never
 * matches a {param} (*bad_param set: 400). */
const enc_route *enc_route_match(const char *method, const char *path, char *pbuf, size_t pbuf_cap,
                                 const char **params, size_t *nparams, bool *path_known,
                                 char *allow, size_t allow_cap, bool *bad_param);

/* ---- the request ------------------------------------------------------------------------- */

typedef enum enc_pkind { ENC_P_NONE, ENC_P_USER, ENC_P_KEY } enc_pkind;

typedef struct enc_principal {
    enc_pkind kind;
    unsigned role;                 /* one ENC_ROLE_* bit */
    int64_t id;                    /* the user's or the key's id */
    char name[300];                /* the audit's actor: "user:EMAIL" or "key:ID:NAME" */
    char email[ENC_EMAIL_MAX + 1]; /* users */
    bool cookie;                   /* authenticated by the session cookie (CSRF applies) */
    uint8_t session[32];           /* the session's hash (cookie) */
    char csrf[64];                 /* the session's CSRF token (cookie) */
} enc_principal;

typedef struct enc_qpair {
    const char *name, *value; /* decoded, UTF-8, no control characters */
} enc_qpair;

struct enc_mreq {
    const enc_route *route;
    const char *method, *path;
    const char *params[ENC_MGMT_PARAMS_MAX]; /* the {params}, in the pattern's order */
    size_t nparams;
    enc_qpair query[ENC_MGMT_QUERY_MAX];
    size_t nquery;
    json_t *body;    /* the parsed, validated body (an object), or NULL; borrowed */
    const char *raw; /* the body as received (uploads), NUL-terminated; raw_len bytes */
    size_t raw_len;
    const char *content_type;    /* the request's Content-Type, or "" */
    const char *idempotency_key; /* the Idempotency-Key header (quotes taken off), or NULL */
    enc_principal who;
    char client[64]; /* the client's address */
    bool tls;        /* served over TLS (the cookie's Secure flag) */
    enc_store *st;   /* this thread's connection */
    enc_arena *arena;
    int64_t now;
    void *server;     /* the enc_server (for jobs and metrics); opaque to handlers */
    int64_t customer; /* the store id of the customer {id} named (enc__api_customer_of): the
                       * audit of a personal route then says "#N", never the email or phone
                       * given (docs/privacy.md); 0 = none */
};

/* The {param} named name (as in the route's path), or NULL. */
const char *enc_mreq_param(const enc_mreq *rq, const char *name);
/* The query parameter name, or NULL when absent. */
const char *enc_mreq_query(const enc_mreq *rq, const char *name);
/* True when personal data must be masked for this caller (the analyst role). */
bool enc_mreq_masked(const enc_mreq *rq);

/* ?limit=&cursor= of a paged route: limit 1..ENC_PAGE_MAX (default ENC_PAGE_DEFAULT); the
 * cursor is opaque to clients and holds the last id of the previous page (0: the first page).
 * False with a 400 answered in rs when either is bad. */
typedef struct enc_page {
    size_t limit;
    int64_t after; /* the previous page's last key (0: none) */
} enc_page;
bool enc_mreq_page(const enc_mreq *rq, enc_mres *rs, enc_page *pg);
/* Writes "next_cursor": the cursor for key `last`, or null when more is false. */
void enc_page_next(enc_jw *w, bool more, int64_t last);
/* The cursor text for key (for tests and the fuzz target): base64url, no padding. */
void enc_cursor_encode(int64_t key, char *out, size_t cap);
bool enc_cursor_decode(const char *text, int64_t *key);

/* Appends an entry to the audit log: who (the principal), when (now), from where (client),
 * the route's answer status, what (action "campaign.start"), on what (target) and a short
 * detail (never a secret or a password). Failures are logged, never fatal to the answer. */
void enc_mreq_audit(enc_mreq *rq, const char *action, const char *target, const char *detail,
                    int status);
/* The server side of it (server.c): queues a copy of r for the writer thread, which writes it
 * in its next group commit (the queue is drained before the server stops). False when there
 * is no writer (direct mode, stopping) or its queue is full: then the caller writes it itself.
 * enc_server_audit_sync waits (up to 5 s) until every entry queued before the call is written:
 * GET /v1/audit calls it so that an owner reads every view that came before. */
bool enc_server_audit(void *srv, const enc_audit_rec *r);
void enc_server_audit_sync(void *srv);

/* ---- the answer -------------------------------------------------------------------------- */

#define ENC_MRES_HEADERS_MAX 4
struct enc_mres {
    int status;        /* 0 until set: the server answers 500 */
    const char *ctype; /* NULL: application/json (problems: application/problem+json) */
    enc_buf body;
    enc_jw w; /* writes into body (enc_mres_json) */
    const char *hname[ENC_MRES_HEADERS_MAX], *hvalue[ENC_MRES_HEADERS_MAX]; /* arena copies */
    size_t nh;
    enc_arena *arena;
    bool problem; /* an RFC 9457 answer */
};

/* Starts a JSON answer with status and returns its writer. */
enc_jw *enc_mres_json(enc_mres *rs, int status);
/* A raw answer (e.g. text/plain metrics): status, content type (a literal), bytes copied. */
void enc_mres_raw(enc_mres *rs, int status, const char *ctype, const void *data, size_t n);
/* An extra header (copied). */
void enc_mres_header(enc_mres *rs, const char *name, const char *value);

/* RFC 9457 problem details:
 *   {"type":"about:blank","title":"Bad Request","status":400,"detail":"...",
 *    "errors":[{"field":"/name","message":"..."}]}
 * field is a JSON pointer into the body ("/segments/0/name"), "query.NAME", "path.NAME" or
 * "header.NAME"; NULL leaves errors out. Text that is not valid UTF-8 is replaced (U+FFFD),
 * never echoed. Replaces anything written before. */
void enc_mres_problem(enc_mres *rs, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with line and column (parse errors of an expression or a file). */
void enc_mres_problem_at(enc_mres *rs, int status, const char *field, int line, int column,
                         const char *fmt, ...) __attribute__((format(printf, 6, 7)));
const char *enc_http_title(int status);

/* ---- personal data for the analyst role --------------------------------------------------- */

/* enc_mask_email ("z***@hotmail.com"), enc_mask_phone ("+86 138****8000"), enc_mask_name ("Z.")
 * are in base/mask.h, shared with the store's customer view. */
/* Writes key: value masked as kind ('e'mail, 'p'hone, 'n'ame) when rq is masked, else as is;
 * NULL writes null. */
void enc_mreq_personal(const enc_mreq *rq, enc_jw *w, const char *key, const char *value,
                       char kind);

/* ---- the checks the router makes (exposed for the fuzz target and the tests) --------------- */

/* Splits a raw query string ("a=1&b=%20x") into decoded pairs allocated from a. False with
 * *field ("query.NAME" or "query") and *why on: a repeated name, more than max pairs, a
 * control character or invalid UTF-8 after decoding, a bad %-escape. */
bool enc_query_parse(enc_arena *a, const char *raw, enc_qpair *out, size_t max, size_t *n,
                     const char **field, const char **why);
/* Checks the query against the route (unknown names, whole numbers). False with a 400 in rs. */
bool enc_query_check(const enc_route *r, const enc_qpair *q, size_t n, enc_mres *rs);
/* Parses body as JSON and checks it against schema s: an object, no unknown field, required
 * fields present, types and bounds. On success *out owns the object (json_decref). False with
 * a 400 in rs naming the field (JSON pointer). */
bool enc_body_check(const enc_schema *s, const char *body, size_t n, json_t **out, enc_mres *rs);
/* True when s[0..n) is valid UTF-8 without control characters (0x00-0x1f, 0x7f). */
bool enc_text_ok(const char *s, size_t n);
/* Percent-decodes [s, s+n) into out (cap >= n + 1); false on a bad escape or a decoded
 * control character or invalid UTF-8. plus_space: '+' means ' ' (query strings). */
bool enc_pct_decode(const char *s, size_t n, char *out, size_t cap, bool plus_space, size_t *len);

/* "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ" into epoch seconds; false if bad. */
bool enc_parse_time(const char *s, int64_t *out);
/* "YYYY-MM-DDTHH:MM:SSZ" (out >= 24 bytes); writes key: time, or null for 0 */
void enc_jw_ktime(enc_jw *w, const char *key, int64_t epoch);

/* Frees what enc_mres holds (the server calls it after sending). */
void enc_mres_free(enc_mres *rs);
#endif
