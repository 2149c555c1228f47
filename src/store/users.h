/* users.h — the management API's tables (migration 7): console users, API keys, browser
 * sessions, the append-only audit log and the jobs the API starts. Plain records in and out;
 * hashing of passwords and keys happens in src/server/auth.c, never here. Strings in records
 * are copies the record owns (fixed arrays, or malloc'd in lists freed by their _free). */
#ifndef ENCORE_STORE_USERS_H
#define ENCORE_STORE_USERS_H
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The four roles (docs/api.md), as bits so that a route lists the roles it admits. */
#define ENC_ROLE_LIST(X)                                                                           \
    X(OWNER, "owner", 1)                                                                           \
    X(MARKETER, "marketer", 2)                                                                     \
    X(ANALYST, "analyst", 4)                                                                       \
    X(SUPPORT, "support", 8)
typedef enum enc_role {
#define X(ID, NAME, BIT) ENC_ROLE_##ID = BIT,
    ENC_ROLE_LIST(X)
#undef X
} enc_role;
#define ENC_ROLES_ALL 15u
/* "owner" ... for a single role bit; NULL for anything else */
const char *enc_role_name(unsigned role);
/* the role named s (exact, lower case), or 0 */
unsigned enc_role_parse(const char *s);

#define ENC_EMAIL_MAX 254

typedef struct enc_user_rec {
    int64_t id;
    char email[ENC_EMAIL_MAX + 1];
    unsigned role;
    char pwhash[256]; /* crypto_pwhash_str's string */
    bool disabled;
    int64_t created_at, updated_at;
} enc_user_rec;

/* ENC_EFAIL when the email is taken (ENC_EDB: a storage error). */
enc_rc enc_user_insert(enc_store *st, const char *email, unsigned role, const char *pwhash,
                       int64_t now, int64_t *id, enc_err *err);
/* by email (case-insensitive) when email is non-NULL, else by id */
enc_rc enc_user_get(enc_store *st, const char *email, int64_t id, enc_user_rec *out, bool *found,
                    enc_err *err);
/* every user, oldest first; free with free() */
enc_rc enc_user_list(enc_store *st, enc_user_rec **out, size_t *n, enc_err *err);
/* Changes what is given: role 0, pwhash NULL and disabled < 0 keep the value. Disabling or a
 * new password ends the user's sessions. *found false when there is no such user. */
enc_rc enc_user_update(enc_store *st, const char *email, unsigned role, const char *pwhash,
                       int disabled, int64_t now, bool *found, enc_err *err);
int64_t enc_user_count(enc_store *st);

typedef struct enc_apikey_rec {
    int64_t id;
    char name[128];
    unsigned role;
    char prefix[32];
    int64_t created_at, expires_at, revoked_at, last_used_at; /* 0 = none */
} enc_apikey_rec;

enc_rc enc_apikey_insert(enc_store *st, const char *name, unsigned role, const uint8_t hash[32],
                         const char *prefix, int64_t expires_at, int64_t now, int64_t *id,
                         enc_err *err);
/* the key whose hash is hash (revoked and expired ones too: the caller decides) */
enc_rc enc_apikey_find(enc_store *st, const uint8_t hash[32], enc_apikey_rec *out, bool *found,
                       enc_err *err);
/* last_used_at = now (at most once a minute, to spare the write) */
enc_rc enc_apikey_touch(enc_store *st, int64_t id, int64_t now, enc_err *err);
/* newest first; free with free() */
enc_rc enc_apikey_list(enc_store *st, enc_apikey_rec **out, size_t *n, enc_err *err);
/* *found false when there is no such key or it is revoked already */
enc_rc enc_apikey_revoke(enc_store *st, int64_t id, int64_t now, bool *found, enc_err *err);

/* A session: the cookie token's hash, its user (joined: disabled users have none). */
enc_rc enc_session_insert(enc_store *st, const uint8_t hash[32], int64_t user_id, const char *csrf,
                          int64_t now, int64_t expires_at, enc_err *err);
/* the live session (not expired at now, user not disabled) with its user and CSRF token */
enc_rc enc_session_find(enc_store *st, const uint8_t hash[32], int64_t now, enc_user_rec *user,
                        char *csrf, size_t csrf_cap, bool *found, enc_err *err);
/* deletes the session (and every expired one) */
enc_rc enc_session_delete(enc_store *st, const uint8_t hash[32], int64_t now, enc_err *err);

typedef struct enc_audit_rec {
    int64_t id, at;
    const char *actor;  /* "user:EMAIL", "key:ID:NAME", "cli:USER", "anonymous" */
    const char *role;   /* may be NULL */
    const char *action; /* "user.add", "session.login", "customer.view", ... */
    const char *target; /* what it acted on; may be NULL */
    const char *detail; /* a short JSON or text; never a secret; may be NULL */
    const char *client; /* the client address, or "cli" */
    int status;         /* the HTTP status answered (0 from the CLI) */
} enc_audit_rec;

/* Appends one entry (id and at are filled in: at = r->at when non-zero, else now). */
enc_rc enc_audit_append(enc_store *st, const enc_audit_rec *r, enc_err *err);

typedef struct enc_audit_query {
    int64_t since;      /* at >= since (0: all) */
    int64_t before_id;  /* id < before_id (0: from the newest) */
    const char *actor;  /* exact, or NULL */
    const char *action; /* exact, or a prefix ending in '.' ("user."), or NULL */
    size_t limit;       /* 1..10000 */
    bool oldest_first;  /* for the CLI: ascending ids (before_id then ignored) */
} enc_audit_query;
typedef struct enc_audit_list {
    size_t n;
    enc_audit_rec *rows;
    bool more; /* rows beyond limit exist */
    struct enc_arena *arena;
} enc_audit_list;
enc_rc enc_audit_query_run(enc_store *st, const enc_audit_query *q, enc_audit_list *out,
                           enc_err *err);
void enc_audit_list_free(enc_audit_list *l);

/* Jobs started through the API (a score run, an import): their row is written by the job
 * runner; the HTTP side reads it. */
typedef struct enc_jobrec {
    int64_t id;
    char kind[32], state[16];
    double progress;
    char *params, *result, *error, *created_by; /* malloc'd (may be NULL); enc_jobrec_clear */
    int64_t created_at, started_at, finished_at;
} enc_jobrec;
void enc_jobrec_clear(enc_jobrec *j);
enc_rc enc_job_insert(enc_store *st, const char *kind, const char *params, const char *created_by,
                      int64_t now, int64_t *id, enc_err *err);
enc_rc enc_job_get(enc_store *st, int64_t id, enc_jobrec *out, bool *found, enc_err *err);
/* newest first, ids below before_id (0: from the newest); free each with enc_jobrec_clear and
 * the array with free() */
enc_rc enc_job_list(enc_store *st, int64_t before_id, size_t limit, enc_jobrec **out, size_t *n,
                    enc_err *err);
/* state and progress; result/error when non-NULL; started_at/finished_at set by state */
enc_rc enc_job_set(enc_store *st, int64_t id, const char *state, double progress,
                   const char *result, const char *error, int64_t now, enc_err *err);
/* Idempotent imports (migration 11): content is "import:TABLE:SHA256-HEX", idem_key the
 * client's Idempotency-Key (NULL: none), scoped to actor. *job is the earlier job this upload
 * repeats: the job of the same key when its content is the same, else the newest job of the
 * same content that did not fail (0: none, import it). *conflict is set when the key was
 * used for other content (*job is then that job). */
enc_rc enc_job_key_find(enc_store *st, const char *content, const char *actor, const char *idem_key,
                        int64_t *job, bool *conflict, enc_err *err);
/* Records the content and key of a new job (in the caller's transaction). */
enc_rc enc_job_key_add(enc_store *st, int64_t job, const char *content, const char *actor,
                       const char *idem_key, int64_t now, enc_err *err);
/* Jobs left queued or running by a server that stopped: failed with the reason. */
enc_rc enc_job_abandon(enc_store *st, const char *why, int64_t now, enc_err *err);

/* What the recommendation model is built from, as a stamp that changes when it changes: the
 * newest score run, product, order and order line ids and the column generation (raised by an
 * update or delete of rows already held). Five index look-ups; the server's model cache
 * (src/server/reccache.c) rebuilds when the stamp differs. */
#define ENC_DATA_STAMP_N 5
enc_rc enc_store_data_stamp(enc_store *st, int64_t stamp[ENC_DATA_STAMP_N], enc_err *err);
#endif
