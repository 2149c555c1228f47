/* h_admin.c — the owner's side of the management API and the console's login: sessions
 * (POST/GET/DELETE /v1/session), users, API keys and the audit log. Every write and every
 * login (failed ones too) goes to the audit log; passwords and keys never do. */
#include "server/auth.h"
#include "server/handlers.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *jstr(const enc_mreq *rq, const char *k)
{
    return json_string_value(json_object_get(rq->body, k));
}

static void storage_error(enc_mres *rs, const char *what, const enc_err *err)
{
    fprintf(stderr, "encore: serve: %s: %s\n", what, err->msg);
    enc_mres_problem(rs, 500, NULL, "storage error");
}

/* ---- sessions ----------------------------------------------------------------------------- */

static void session_doc(enc_jw *w, const enc_principal *p, const char *csrf)
{
    enc_jw_obj(w);
    enc_jw_key(w, "user");
    enc_jw_obj(w);
    if (p->kind == ENC_P_USER) enc_jw_kstr(w, "email", p->email);
    else enc_jw_kstr(w, "key", p->name);
    enc_jw_kstr(w, "role", enc_role_name(p->role));
    enc_jw_end(w);
    enc_jw_key(w, "csrf_token");
    csrf ? enc_jw_str(w, csrf) : enc_jw_null(w);
    enc_jw_end(w);
}

void enc_h_session_login(enc_mreq *rq, enc_mres *rs)
{
    const char *email = jstr(rq, "email"), *pw = jstr(rq, "password");
    enc_err err = {0};
    enc_user_rec u;
    bool found;
    if (enc_user_get(rq->st, email, 0, &u, &found, &err)) return storage_error(rs, "login", &err);
    /* the same work whether the user exists or not: no timing oracle for emails */
    bool ok = enc_auth_check_password(found ? u.pwhash : enc_auth_dummy_hash(), pw) && found &&
              !u.disabled;
    sodium_memzero(u.pwhash, sizeof u.pwhash);
    if (!ok) {
        enc_mres_problem(rs, 401, NULL, "wrong email or password, or the user is disabled");
        snprintf(rq->who.name, sizeof rq->who.name, "user:%s", email);
        enc_mreq_audit(rq, "session.login_failed", email, NULL, 401);
        rq->who.name[0] = 0;
        return;
    }
    char tok[64], csrf[64];
    enc_auth_random(tok, sizeof tok);
    enc_auth_random(csrf, sizeof csrf);
    uint8_t h[32];
    enc_auth_token_hash(tok, strlen(tok), h);
    if (enc_session_insert(rq->st, h, u.id, csrf, rq->now, rq->now + ENC_SESSION_SECONDS, &err)) {
        sodium_memzero(tok, sizeof tok);
        return storage_error(rs, "login", &err);
    }
    rq->who.kind = ENC_P_USER;
    rq->who.role = u.role;
    rq->who.id = u.id;
    snprintf(rq->who.email, sizeof rq->who.email, "%s", u.email);
    snprintf(rq->who.name, sizeof rq->who.name, "user:%s", u.email);
    char cookie[256];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             ENC_SESSION_COOKIE, tok, ENC_SESSION_SECONDS, rq->tls ? "; Secure" : "");
    sodium_memzero(tok, sizeof tok);
    enc_mres_header(rs, "Set-Cookie", cookie);
    session_doc(enc_mres_json(rs, 200), &rq->who, csrf);
    enc_mreq_audit(rq, "session.login", u.email, NULL, 200);
}

void enc_h_session_get(enc_mreq *rq, enc_mres *rs)
{
    session_doc(enc_mres_json(rs, 200), &rq->who, rq->who.cookie ? rq->who.csrf : NULL);
}

void enc_h_session_logout(enc_mreq *rq, enc_mres *rs)
{
    enc_err err = {0};
    if (rq->who.cookie && enc_session_delete(rq->st, rq->who.session, rq->now, &err))
        return storage_error(rs, "logout", &err);
    char cookie[128];
    snprintf(cookie, sizeof cookie, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
             ENC_SESSION_COOKIE);
    enc_mres_header(rs, "Set-Cookie", cookie);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_kbool(w, "ok", true);
    enc_jw_end(w);
    enc_mreq_audit(rq, "session.logout", NULL, NULL, 200);
}

/* ---- users -------------------------------------------------------------------------------- */

static void user_doc(enc_jw *w, const enc_user_rec *u)
{
    enc_jw_obj(w);
    enc_jw_kstr(w, "email", u->email);
    enc_jw_kstr(w, "role", enc_role_name(u->role));
    enc_jw_kbool(w, "disabled", u->disabled);
    enc_jw_ktime(w, "created_at", u->created_at);
    enc_jw_ktime(w, "updated_at", u->updated_at);
    enc_jw_end(w);
}

void enc_h_users_list(enc_mreq *rq, enc_mres *rs)
{
    enc_page pg;
    if (!enc_mreq_page(rq, rs, &pg)) return;
    enc_user_rec *us;
    size_t n;
    enc_err err = {0};
    if (enc_user_list(rq->st, &us, &n, &err)) return storage_error(rs, "users", &err);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "items");
    enc_jw_arr(w);
    size_t shown = 0;
    int64_t last = 0;
    bool more = false;
    for (size_t i = 0; i < n; i++) {
        if (us[i].id <= pg.after) continue;
        if (shown == pg.limit) {
            more = true;
            break;
        }
        user_doc(w, &us[i]);
        last = us[i].id;
        shown++;
    }
    enc_jw_end(w);
    enc_page_next(w, more, last);
    enc_jw_end(w);
    for (size_t i = 0; i < n; i++) sodium_memzero(us[i].pwhash, sizeof us[i].pwhash);
    free(us);
}

void enc_h_users_add(enc_mreq *rq, enc_mres *rs)
{
    const char *email = jstr(rq, "email"), *role = jstr(rq, "role"), *pw = jstr(rq, "password");
    unsigned r = enc_role_parse(role);
    if (!enc_auth_email_ok(email))
        return enc_mres_problem(rs, 400, "/email", "not an email address");
    if (!r) return enc_mres_problem(rs, 400, "/role", "one of owner, marketer, analyst, support");
    const char *weak = enc_auth_password_weak(pw);
    if (weak) return enc_mres_problem(rs, 400, "/password", "%s", weak);
    char hash[256];
    enc_err err = {0};
    if (enc_auth_hash_password(pw, hash, sizeof hash, &err))
        return enc_mres_problem(rs, 500, NULL, "%s", err.msg);
    int64_t id;
    enc_rc rc = enc_user_insert(rq->st, email, r, hash, rq->now, &id, &err);
    sodium_memzero(hash, sizeof hash);
    if (rc == ENC_EFAIL)
        return enc_mres_problem(rs, 409, "/email", "a user with this email exists");
    if (rc) return storage_error(rs, "users", &err);
    enc_user_rec u;
    bool found;
    if (enc_user_get(rq->st, NULL, id, &u, &found, &err) || !found)
        return storage_error(rs, "users", &err);
    user_doc(enc_mres_json(rs, 201), &u);
    char detail[64];
    snprintf(detail, sizeof detail, "role=%s", enc_role_name(r));
    enc_mreq_audit(rq, "user.add", email, detail, 201);
}

void enc_h_users_patch(enc_mreq *rq, enc_mres *rs)
{
    const char *email = enc_mreq_param(rq, "email");
    const char *role = jstr(rq, "role"), *pw = jstr(rq, "password");
    json_t *dis = json_object_get(rq->body, "disabled");
    if (!role && !pw && !dis)
        return enc_mres_problem(rs, 400, "body", "nothing to change (role, password, disabled)");
    unsigned r = 0;
    if (role && !(r = enc_role_parse(role)))
        return enc_mres_problem(rs, 400, "/role", "one of owner, marketer, analyst, support");
    enc_err err = {0};
    /* the last active owner is neither disabled nor demoted here: nobody could manage users
     * afterwards (the shell's `encore user` remains the way back) */
    if ((dis && json_is_true(dis)) || (r && r != ENC_ROLE_OWNER)) {
        enc_user_rec *us;
        size_t n, owners = 0;
        bool target_owner = false;
        if (enc_user_list(rq->st, &us, &n, &err)) return storage_error(rs, "users", &err);
        for (size_t i = 0; i < n; i++) {
            bool active_owner = us[i].role == ENC_ROLE_OWNER && !us[i].disabled;
            owners += active_owner;
            if (active_owner && strcasecmp(us[i].email, email) == 0) target_owner = true;
            sodium_memzero(us[i].pwhash, sizeof us[i].pwhash);
        }
        free(us);
        if (target_owner && owners == 1)
            return enc_mres_problem(rs, 409, "path.email",
                                    "the last active owner cannot be disabled or given another "
                                    "role (add another owner first)");
    }
    char hash[256];
    if (pw) {
        const char *weak = enc_auth_password_weak(pw);
        if (weak) return enc_mres_problem(rs, 400, "/password", "%s", weak);
        if (enc_auth_hash_password(pw, hash, sizeof hash, &err))
            return enc_mres_problem(rs, 500, NULL, "%s", err.msg);
    }
    bool found;
    enc_rc rc = enc_user_update(rq->st, email, r, pw ? hash : NULL,
                                dis ? (json_is_true(dis) ? 1 : 0) : -1, rq->now, &found, &err);
    sodium_memzero(hash, sizeof hash);
    if (rc) return storage_error(rs, "users", &err);
    if (!found) return enc_mres_problem(rs, 404, "path.email", "no such user");
    enc_user_rec u;
    if (enc_user_get(rq->st, email, 0, &u, &found, &err) || !found)
        return storage_error(rs, "users", &err);
    user_doc(enc_mres_json(rs, 200), &u);
    char detail[128];
    snprintf(detail, sizeof detail, "%s%s%s%s%s", role ? "role=" : "", role ? role : "",
             pw ? " password" : "", dis ? (json_is_true(dis) ? " disabled" : " enabled") : "", "");
    enc_mreq_audit(rq, "user.update", email, detail, 200);
}

/* ---- API keys ----------------------------------------------------------------------------- */

static void key_doc(enc_jw *w, const enc_apikey_rec *k)
{
    enc_jw_obj(w);
    enc_jw_kint(w, "id", k->id);
    enc_jw_kstr(w, "name", k->name);
    enc_jw_kstr(w, "role", enc_role_name(k->role));
    enc_jw_kstr(w, "prefix", k->prefix);
    enc_jw_ktime(w, "created_at", k->created_at);
    enc_jw_ktime(w, "expires_at", k->expires_at);
    enc_jw_ktime(w, "revoked_at", k->revoked_at);
    enc_jw_ktime(w, "last_used_at", k->last_used_at);
    enc_jw_end(w);
}

void enc_h_keys_list(enc_mreq *rq, enc_mres *rs)
{
    enc_page pg;
    if (!enc_mreq_page(rq, rs, &pg)) return;
    enc_apikey_rec *ks;
    size_t n;
    enc_err err = {0};
    if (enc_apikey_list(rq->st, &ks, &n, &err)) return storage_error(rs, "apikeys", &err);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "items");
    enc_jw_arr(w);
    size_t shown = 0;
    int64_t last = 0;
    bool more = false;
    for (size_t i = 0; i < n; i++) { /* newest first: a page continues below the cursor */
        if (pg.after && ks[i].id >= pg.after) continue;
        if (shown == pg.limit) {
            more = true;
            break;
        }
        key_doc(w, &ks[i]);
        last = ks[i].id;
        shown++;
    }
    enc_jw_end(w);
    enc_page_next(w, more, last);
    enc_jw_end(w);
    free(ks);
}

void enc_h_keys_create(enc_mreq *rq, enc_mres *rs)
{
    const char *name = jstr(rq, "name"), *role = jstr(rq, "role"), *exp = jstr(rq, "expires");
    unsigned r = enc_role_parse(role);
    if (!*name) return enc_mres_problem(rs, 400, "/name", "empty");
    if (!r) return enc_mres_problem(rs, 400, "/role", "one of owner, marketer, analyst, support");
    int64_t expires = 0;
    if (exp && (!enc_parse_time(exp, &expires) || expires <= rq->now))
        return enc_mres_problem(rs, 400, "/expires",
                                "a future date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)");
    char key[96], prefix[32];
    uint8_t h[32];
    enc_auth_new_key(key, sizeof key, h, prefix, sizeof prefix);
    int64_t id;
    enc_err err = {0};
    if (enc_apikey_insert(rq->st, name, r, h, prefix, expires, rq->now, &id, &err)) {
        sodium_memzero(key, sizeof key);
        return storage_error(rs, "apikeys", &err);
    }
    enc_apikey_rec k = {.id = id, .role = r, .created_at = rq->now, .expires_at = expires};
    snprintf(k.name, sizeof k.name, "%s", name);
    snprintf(k.prefix, sizeof k.prefix, "%s", prefix);
    enc_jw *w = enc_mres_json(rs, 201);
    enc_jw_obj(w);
    enc_jw_kstr(w, "key", key); /* shown once: only its hash is kept */
    enc_jw_key(w, "apikey");
    key_doc(w, &k);
    enc_jw_end(w);
    sodium_memzero(key, sizeof key);
    char target[160], detail[64];
    snprintf(target, sizeof target, "%lld:%s", (long long)id, name);
    snprintf(detail, sizeof detail, "role=%s", enc_role_name(r));
    enc_mreq_audit(rq, "apikey.create", target, detail, 201);
}

void enc_h_keys_revoke(enc_mreq *rq, enc_mres *rs)
{
    const char *ids = enc_mreq_param(rq, "id");
    char *end;
    long long id = strtoll(ids, &end, 10);
    if (*end || id <= 0 || strlen(ids) > 18)
        return enc_mres_problem(rs, 400, "path.id", "a key id (a positive whole number)");
    bool found;
    enc_err err = {0};
    if (enc_apikey_revoke(rq->st, id, rq->now, &found, &err))
        return storage_error(rs, "apikeys", &err);
    if (!found) return enc_mres_problem(rs, 404, "path.id", "no such key, or revoked already");
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_kbool(w, "ok", true);
    enc_jw_end(w);
    enc_mreq_audit(rq, "apikey.revoke", ids, NULL, 200);
}

/* ---- the audit log ------------------------------------------------------------------------ */

void enc_h_audit_list(enc_mreq *rq, enc_mres *rs)
{
    enc_page pg;
    if (!enc_mreq_page(rq, rs, &pg)) return;
    enc_audit_query q = {.limit = pg.limit, .before_id = pg.after};
    const char *since = enc_mreq_query(rq, "since");
    if (since && !enc_parse_time(since, &q.since))
        return enc_mres_problem(rs, 400, "query.since",
                                "a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)");
    q.actor = enc_mreq_query(rq, "actor");
    q.action = enc_mreq_query(rq, "action");
    enc_audit_list l;
    enc_err err = {0};
    enc_server_audit_sync(rq->server); /* the entries still queued for the writer, first */
    if (enc_audit_query_run(rq->st, &q, &l, &err)) return storage_error(rs, "audit", &err);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "items");
    enc_jw_arr(w);
    for (size_t i = 0; i < l.n; i++) {
        const enc_audit_rec *r = &l.rows[i];
        enc_jw_obj(w);
        enc_jw_kint(w, "id", r->id);
        enc_jw_ktime(w, "at", r->at);
        enc_jw_kstr(w, "actor", r->actor);
        enc_jw_kstr(w, "role", r->role);
        enc_jw_kstr(w, "action", r->action);
        enc_jw_kstr(w, "target", r->target);
        enc_jw_kstr(w, "detail", r->detail);
        enc_jw_kstr(w, "client", r->client);
        enc_jw_key(w, "status");
        r->status ? enc_jw_int(w, r->status) : enc_jw_null(w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_page_next(w, l.more, l.n ? l.rows[l.n - 1].id : 0);
    enc_jw_end(w);
    enc_audit_list_free(&l);
}
