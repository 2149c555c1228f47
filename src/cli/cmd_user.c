/* cmd_user.c — `encore user`, `encore apikey` and `encore audit`: the management API's users
 * (console logins with a role), its API keys (printed once, stored hashed) and its audit log,
 * from the shell. Passwords come from --password-file or $ENCORE_PASSWORD, never from argv
 * (the process list would show them). Every change is audited with actor "cli:$USER". */
#include "base/json.h"
#include "base/mem.h"
#include "cli/opts.h"
#include "base/datetime.h"
#include "server/auth.h"
#include "store/users.h"
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char user_usage[] =
    "usage: encore user add EMAIL --role ROLE [--password-file FILE]\n"
    "       encore user list [--json]\n"
    "       encore user disable EMAIL | enable EMAIL\n"
    "       encore user passwd EMAIL [--password-file FILE]\n"
    "       encore user role EMAIL ROLE\n\n"
    "Console users of the management API (docs/api.md). Roles: owner, marketer, analyst,\n"
    "support. The password is read from --password-file (its first line) or $ENCORE_PASSWORD;\n"
    "it has at least 10 characters and is stored as an argon2id hash. Disabling a user, a new\n"
    "password or a new role ends their sessions.\n";

static const char key_usage[] =
    "usage: encore apikey create --role ROLE --name NAME [--expires DATE] [--json]\n"
    "       encore apikey list [--json]\n"
    "       encore apikey revoke ID\n\n"
    "API keys of the management API (Authorization: Bearer KEY). create prints the key once on\n"
    "stdout; only its hash is stored. DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC). These\n"
    "are not the ingest write keys of `encore serve --write-key`, and neither opens the other.\n";

static const enc_usage audit_usage = {
    .name = "audit",
    .synopsis = "[--since TIME] [--actor ACTOR] [--action ACTION] [--limit N] [--json]",
    .about = "The append-only audit log, oldest first: who did what, when, from where (logins,\n"
             "failed logins, every write through the API or these commands, every view of\n"
             "personal data).\n",
};

static void cli_actor(char *out, size_t cap)
{
    const char *u = getenv("USER");
    snprintf(out, cap, "cli:%s", u && *u && strlen(u) < 64 ? u : "unknown");
}

static void audit(enc_store *st, const char *action, const char *target, const char *detail)
{
    char actor[80];
    cli_actor(actor, sizeof actor);
    enc_audit_rec r = {
        .actor = actor, .action = action, .target = target, .detail = detail, .client = "cli"};
    enc_err err = {0};
    if (enc_audit_append(st, &r, &err)) fprintf(stderr, "encore: audit: %s\n", err.msg);
}

/* The password: the first line of file, else $ENCORE_PASSWORD. */
static int read_password(const char *cmd, const char *file, char *out, size_t cap)
{
    if (file) {
        FILE *f = fopen(file, "r");
        if (!f) return enc_cli_fail(cmd, "%s: %s", file, strerror(errno));
        if (!fgets(out, (int)cap, f)) out[0] = 0;
        fclose(f);
        size_t n = strlen(out);
        while (n && (out[n - 1] == '\n' || out[n - 1] == '\r')) out[--n] = 0;
    } else {
        const char *e = getenv("ENCORE_PASSWORD");
        if (!e || !*e)
            return enc_cli_fail(cmd, "no password: give --password-file FILE or set "
                                     "ENCORE_PASSWORD (never on the command line)");
        snprintf(out, cap, "%s", e);
    }
    const char *weak = enc_auth_password_weak(out);
    if (weak) return enc_cli_fail(cmd, "%s", weak);
    return ENC_EXIT_OK;
}

static void fmt_time(char *out, size_t cap, int64_t t)
{
    if (!t) {
        snprintf(out, cap, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void jtime(enc_jw *w, const char *k, int64_t t)
{
    char b[40];
    fmt_time(b, sizeof b, t);
    enc_jw_key(w, k);
    t ? enc_jw_str(w, b) : enc_jw_null(w);
}

/* ---- encore user ------------------------------------------------------------------------- */

int cmd_user(enc_cli *cli, int argc, char **argv)
{
    if (enc_cli_wants_help(argc, argv)) return fputs(user_usage, stdout), ENC_EXIT_OK;
    if (argc < 2) return enc_cli_usage("user", user_usage, "missing subcommand");
    const char *sub = argv[1], *email = NULL, *role = NULL, *pwfile = NULL, *extra = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) role = argv[++i];
        else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc) pwfile = argv[++i];
        else if (strcmp(argv[i], "--json") == 0) json = true;
        else if (argv[i][0] == '-')
            return enc_cli_usage("user", user_usage, "unknown option '%s'", argv[i]);
        else if (!email) email = argv[i];
        else if (!extra) extra = argv[i];
        else return enc_cli_usage("user", user_usage, "unexpected argument '%s'", argv[i]);
    }
    bool list = strcmp(sub, "list") == 0;
    bool add = strcmp(sub, "add") == 0, passwd = strcmp(sub, "passwd") == 0;
    bool dis = strcmp(sub, "disable") == 0, en = strcmp(sub, "enable") == 0;
    bool chrole = strcmp(sub, "role") == 0;
    if (!list && !add && !passwd && !dis && !en && !chrole)
        return enc_cli_usage("user", user_usage, "unknown subcommand '%s'", sub);
    if (list ? email != NULL : !email)
        return enc_cli_usage("user", user_usage, list ? "list takes no EMAIL" : "missing EMAIL");
    if (chrole ? !extra : extra != NULL)
        return enc_cli_usage("user", user_usage, chrole ? "missing ROLE" : "unexpected '%s'",
                             extra);
    if (chrole) role = extra;
    if ((add || chrole) && !role) return enc_cli_usage("user", user_usage, "missing --role ROLE");
    if (role && !(add || chrole))
        return enc_cli_usage("user", user_usage, "--role is for add (or use: user role)");
    if (pwfile && !(add || passwd))
        return enc_cli_usage("user", user_usage, "--password-file is for add and passwd");
    unsigned r = role ? enc_role_parse(role) : 0;
    if (role && !r)
        return enc_cli_usage("user", user_usage,
                             "role '%s': one of owner, marketer, analyst, support", role);
    if (email && !enc_auth_email_ok(email))
        return enc_cli_usage("user", user_usage, "'%s' is not an email address", email);

    char pw[ENC_PASSWORD_MAX + 2] = "", hash[256] = "";
    enc_err err = {0};
    if (add || passwd) {
        int rc = read_password("user", pwfile, pw, sizeof pw);
        if (rc) return rc;
        enc_rc hrc = enc_auth_hash_password(pw, hash, sizeof hash, &err);
        sodium_memzero(pw, sizeof pw);
        if (hrc) return enc_cli_fail_err("user", &err);
    }
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("user", &err);
    int64_t now = (int64_t)time(NULL);
    int ret = ENC_EXIT_OK;
    if (list) {
        enc_user_rec *us;
        size_t n;
        if (enc_user_list(st, &us, &n, &err)) ret = enc_cli_fail_err("user", &err);
        else if (json) {
            enc_buf b = {0};
            enc_jw w;
            enc_jw_init(&w, &b);
            enc_jw_obj(&w);
            enc_jw_key(&w, "users");
            enc_jw_arr(&w);
            for (size_t i = 0; i < n; i++) {
                enc_jw_obj(&w);
                enc_jw_kstr(&w, "email", us[i].email);
                enc_jw_kstr(&w, "role", enc_role_name(us[i].role));
                enc_jw_kbool(&w, "disabled", us[i].disabled);
                jtime(&w, "created_at", us[i].created_at);
                enc_jw_end(&w);
            }
            enc_jw_end(&w);
            enc_jw_end(&w);
            enc_cli_print(&b);
            enc_buf_free(&b);
        } else {
            printf("%-40s %-9s %-8s %s\n", "email", "role", "state", "created");
            for (size_t i = 0; i < n; i++) {
                char t[40];
                fmt_time(t, sizeof t, us[i].created_at);
                printf("%-40s %-9s %-8s %s\n", us[i].email, enc_role_name(us[i].role),
                       us[i].disabled ? "disabled" : "active", t);
            }
        }
        for (size_t i = 0; i < n; i++) sodium_memzero(us[i].pwhash, sizeof us[i].pwhash);
        free(us);
    } else if (add) {
        enc_rc rc = enc_user_insert(st, email, r, hash, now, NULL, &err);
        if (rc) ret = enc_cli_fail_err("user", &err);
        else {
            char d[40];
            snprintf(d, sizeof d, "role=%s", role);
            audit(st, "user.add", email, d);
            fprintf(stderr, "encore: user: added %s (%s)\n", email, role);
        }
    } else {
        bool found;
        enc_rc rc = enc_user_update(st, email, chrole ? r : 0, passwd ? hash : NULL,
                                    dis  ? 1
                                    : en ? 0
                                         : -1,
                                    now, &found, &err);
        if (rc) ret = enc_cli_fail_err("user", &err);
        else if (!found) ret = enc_cli_fail("user", "%s: no such user", email);
        else {
            char d[40];
            snprintf(d, sizeof d, "%s%s", chrole ? "role=" : "", chrole ? role : sub);
            audit(st, "user.update", email, d);
            fprintf(stderr, "encore: user: %s: %s\n", email, chrole ? role : sub);
        }
    }
    sodium_memzero(hash, sizeof hash);
    enc_store_close(st);
    return ret;
}

/* ---- encore apikey ----------------------------------------------------------------------- */

int cmd_apikey(enc_cli *cli, int argc, char **argv)
{
    if (enc_cli_wants_help(argc, argv)) return fputs(key_usage, stdout), ENC_EXIT_OK;
    if (argc < 2) return enc_cli_usage("apikey", key_usage, "missing subcommand");
    const char *sub = argv[1], *role = NULL, *name = NULL, *expires = NULL, *id = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) role = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
        else if (strcmp(argv[i], "--expires") == 0 && i + 1 < argc) expires = argv[++i];
        else if (strcmp(argv[i], "--json") == 0) json = true;
        else if (argv[i][0] == '-')
            return enc_cli_usage("apikey", key_usage, "unknown option '%s'", argv[i]);
        else if (!id) id = argv[i];
        else return enc_cli_usage("apikey", key_usage, "unexpected argument '%s'", argv[i]);
    }
    bool create = strcmp(sub, "create") == 0, list = strcmp(sub, "list") == 0,
         revoke = strcmp(sub, "revoke") == 0;
    if (!create && !list && !revoke)
        return enc_cli_usage("apikey", key_usage, "unknown subcommand '%s'", sub);
    if (!revoke && id) return enc_cli_usage("apikey", key_usage, "unexpected argument '%s'", id);
    if (!create && (role || name || expires))
        return enc_cli_usage("apikey", key_usage, "--role, --name, --expires are for create");
    unsigned r = 0;
    int64_t exp = 0, now = (int64_t)time(NULL);
    long kid = 0;
    if (create) {
        if (!role || !name)
            return enc_cli_usage("apikey", key_usage, "create needs --role ROLE and --name NAME");
        if (!(r = enc_role_parse(role)))
            return enc_cli_usage("apikey", key_usage,
                                 "role '%s': one of owner, marketer, analyst, support", role);
        if (!*name || strlen(name) > 100 || !enc_text_ok(name, strlen(name)))
            return enc_cli_usage("apikey", key_usage, "--name: 1 to 100 characters of text");
        if (expires && (!enc_time_parse(expires, &exp, NULL) || exp <= now))
            return enc_cli_usage("apikey", key_usage, "--expires '%s': a future time (%s)", expires,
                                 ENC_TIME_FORMS);
    }
    if (revoke && (!id || !enc_cli_parse_long(id, 1, 1L << 62, &kid)))
        return enc_cli_usage("apikey", key_usage, "revoke needs a key ID (a positive number)");
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("apikey", &err);
    int ret = ENC_EXIT_OK;
    if (create) {
        char key[96], prefix[32];
        uint8_t h[32];
        enc_auth_new_key(key, sizeof key, h, prefix, sizeof prefix);
        int64_t newid;
        if (enc_apikey_insert(st, name, r, h, prefix, exp, now, &newid, &err))
            ret = enc_cli_fail_err("apikey", &err);
        else {
            char t[160], d[40];
            snprintf(t, sizeof t, "%lld:%s", (long long)newid, name);
            snprintf(d, sizeof d, "role=%s", role);
            audit(st, "apikey.create", t, d);
            if (json) {
                enc_buf b = {0};
                enc_jw w;
                enc_jw_init(&w, &b);
                enc_jw_obj(&w);
                enc_jw_kint(&w, "id", newid);
                enc_jw_kstr(&w, "key", key);
                enc_jw_kstr(&w, "role", role);
                enc_jw_kstr(&w, "name", name);
                jtime(&w, "expires_at", exp);
                enc_jw_end(&w);
                enc_cli_print(&b);
                sodium_memzero(b.p, b.len);
                enc_buf_free(&b);
            } else {
                printf("%s\n", key);
                fprintf(stderr, "encore: apikey: key %lld (%s, %s) created; it is shown only now\n",
                        (long long)newid, name, role);
            }
        }
        sodium_memzero(key, sizeof key);
    } else if (list) {
        enc_apikey_rec *ks;
        size_t n;
        if (enc_apikey_list(st, &ks, &n, &err)) ret = enc_cli_fail_err("apikey", &err);
        else if (json) {
            enc_buf b = {0};
            enc_jw w;
            enc_jw_init(&w, &b);
            enc_jw_obj(&w);
            enc_jw_key(&w, "apikeys");
            enc_jw_arr(&w);
            for (size_t i = 0; i < n; i++) {
                enc_jw_obj(&w);
                enc_jw_kint(&w, "id", ks[i].id);
                enc_jw_kstr(&w, "name", ks[i].name);
                enc_jw_kstr(&w, "role", enc_role_name(ks[i].role));
                enc_jw_kstr(&w, "prefix", ks[i].prefix);
                jtime(&w, "created_at", ks[i].created_at);
                jtime(&w, "expires_at", ks[i].expires_at);
                jtime(&w, "revoked_at", ks[i].revoked_at);
                jtime(&w, "last_used_at", ks[i].last_used_at);
                enc_jw_end(&w);
            }
            enc_jw_end(&w);
            enc_jw_end(&w);
            enc_cli_print(&b);
            enc_buf_free(&b);
        } else {
            printf("%-5s %-24s %-9s %-12s %-8s %s\n", "id", "name", "role", "prefix", "state",
                   "last used");
            for (size_t i = 0; i < n; i++) {
                char t[40];
                fmt_time(t, sizeof t, ks[i].last_used_at);
                const char *state = ks[i].revoked_at                              ? "revoked"
                                    : ks[i].expires_at && ks[i].expires_at <= now ? "expired"
                                                                                  : "active";
                printf("%-5lld %-24s %-9s %-12s %-8s %s\n", (long long)ks[i].id, ks[i].name,
                       enc_role_name(ks[i].role), ks[i].prefix, state, t);
            }
        }
        free(ks);
    } else {
        bool found;
        if (enc_apikey_revoke(st, kid, now, &found, &err)) ret = enc_cli_fail_err("apikey", &err);
        else if (!found) ret = enc_cli_fail("apikey", "%ld: no such key, or revoked already", kid);
        else {
            audit(st, "apikey.revoke", id, NULL);
            fprintf(stderr, "encore: apikey: key %ld revoked\n", kid);
        }
    }
    enc_store_close(st);
    return ret;
}

/* ---- encore audit ------------------------------------------------------------------------ */

int cmd_audit(enc_cli *cli, int argc, char **argv)
{
    enc_audit_query q = {.limit = 1000, .oldest_first = true};
    long limit = 1000;
    const enc_opt opts[] = {
        OPT_TIME("since", &q.since, NULL, "entries at or after TIME"),
        OPT_STRING("actor", &q.actor, "ACTOR",
                   "one actor's entries (user:EMAIL, key:ID:NAME, cli:USER)"),
        OPT_STRING("action", &q.action, "ACTION", "one action, or a prefix ending in '.' (user.)"),
        OPT_INT("limit", &limit, "N", 1, 10000, "entries at most (default 1000)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &audit_usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    q.limit = (size_t)limit;
    bool json = cli->json;
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_audit_list l;
    enc_rc rc = enc_audit_query_run(st, &q, &l, &err);
    if (rc) return enc_cli_fail_err("audit", &err);
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_key(&w, "entries");
        enc_jw_arr(&w);
        for (size_t i = 0; i < l.n; i++) {
            const enc_audit_rec *r = &l.rows[i];
            enc_jw_obj(&w);
            enc_jw_kint(&w, "id", r->id);
            jtime(&w, "at", r->at);
            enc_jw_kstr(&w, "actor", r->actor);
            enc_jw_kstr(&w, "role", r->role);
            enc_jw_kstr(&w, "action", r->action);
            enc_jw_kstr(&w, "target", r->target);
            enc_jw_kstr(&w, "detail", r->detail);
            enc_jw_kstr(&w, "client", r->client);
            enc_jw_key(&w, "status");
            r->status ? enc_jw_int(&w, r->status) : enc_jw_null(&w);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_kbool(&w, "more", l.more);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        for (size_t i = 0; i < l.n; i++) {
            const enc_audit_rec *r = &l.rows[i];
            char t[40];
            fmt_time(t, sizeof t, r->at);
            printf("%s  %-28s %-22s %-30s %s%s%s\n", t, r->actor, r->action,
                   r->target ? r->target : "-", r->client ? r->client : "", r->detail ? "  " : "",
                   r->detail ? r->detail : "");
        }
        if (l.more) fprintf(stderr, "encore: audit: more entries: raise --limit or use --since\n");
    }
    enc_audit_list_free(&l);
    return ENC_EXIT_OK;
}
