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

static const char user_about[] =
    "Console users of the management API (docs/api.md). Roles: owner, marketer, analyst,\n"
    "support. The password is read from --password-file (its first line) or $ENCORE_PASSWORD;\n"
    "it has at least 10 characters and is stored as an argon2id hash. Disabling a user, a new\n"
    "password or a new role ends their sessions.\n";

static const char key_about[] =
    "API keys of the management API (Authorization: Bearer KEY). create prints the key once on\n"
    "stdout; only its hash is stored. These are not the ingest write keys of\n"
    "`encore serve --write-key`, and neither opens the other.\n";

static const char roles[] = "owner|marketer|analyst|support";
static const char json_help[] = "one JSON document on stdout (default: text for people)";

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

static int user_list(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "user list", .synopsis = "[--json]", .about = user_about};
    bool json = false;
    const enc_opt opts[] = {OPT_BOOL("json", &json, json_help), OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_user_rec *us;
    size_t n;
    if (enc_user_list(cli->st, &us, &n, &err)) return enc_cli_fail_err("user", &err);
    if (json) {
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
    return ENC_EXIT_OK;
}

/* add, passwd, disable, enable and role: one body, told apart by argv[0] */
static int user_change(enc_cli *cli, int argc, char **argv)
{
    const char *sub = argv[0];
    bool add = strcmp(sub, "add") == 0, passwd = strcmp(sub, "passwd") == 0;
    bool chrole = strcmp(sub, "role") == 0, dis = strcmp(sub, "disable") == 0;
    char name[32];
    snprintf(name, sizeof name, "user %s", sub);
    const enc_usage usage = {
        .name = name,
        .synopsis = add      ? "EMAIL --role ROLE [--password-file FILE]"
                    : passwd ? "EMAIL [--password-file FILE]"
                    : chrole ? "EMAIL ROLE"
                             : "EMAIL",
        .about = user_about,
        .min_args = 1 + chrole,
        .max_args = 1 + chrole,
        .args_msg = chrole ? "needs EMAIL and ROLE" : "needs an EMAIL",
        .late_setup = true, /* the password is read and hashed before the store is opened */
    };
    const char *role = NULL, *pwfile = NULL;
    /* add takes both options, passwd the second only, the others none (the table's end) */
    const enc_opt all[] = {
        OPT_CHOICE("role", &role, roles, "the user's role (required)"),
        OPT_STRING("password-file", &pwfile, "FILE",
                   "the password is this file's first line (default $ENCORE_PASSWORD)"),
        OPT_END(),
    };
    const enc_opt *opts = add ? all : passwd ? all + 1 : all + 2;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    const char *email = argv[1];
    if (chrole) role = argv[2];
    if (add && !role) return enc_opts_error(cli, &usage, opts, "--role ROLE is required");
    unsigned r = role ? enc_role_parse(role) : 0;
    if (role && !r)
        return enc_opts_error(cli, &usage, opts,
                              "role '%s' is not owner, marketer, analyst or support", role);
    if (!enc_auth_email_ok(email))
        return enc_opts_error(cli, &usage, opts, "'%s' is not an email address", email);

    char pw[ENC_PASSWORD_MAX + 2] = "", hash[256] = "";
    enc_err err = {0};
    if (add || passwd) {
        int rc = read_password("user", pwfile, pw, sizeof pw);
        if (rc) return rc;
        enc_rc hrc = enc_auth_hash_password(pw, hash, sizeof hash, &err);
        sodium_memzero(pw, sizeof pw);
        if (hrc) return enc_cli_fail_err("user", &err);
    }
    int ret = enc_opts_setup(cli, &usage);
    if (ret != ENC_OPTS_GO) {
        sodium_memzero(hash, sizeof hash);
        return ret;
    }
    ret = ENC_EXIT_OK;
    int64_t now = (int64_t)time(NULL);
    if (add) {
        if (enc_user_insert(cli->st, email, r, hash, now, NULL, &err))
            ret = enc_cli_fail_err("user", &err);
        else {
            char d[40];
            snprintf(d, sizeof d, "role=%s", role);
            audit(cli->st, "user.add", email, d);
            fprintf(stderr, "encore: user: added %s (%s)\n", email, role);
        }
    } else {
        bool found;
        int disable = dis ? 1 : strcmp(sub, "enable") == 0 ? 0 : -1;
        if (enc_user_update(cli->st, email, r, passwd ? hash : NULL, disable, now, &found, &err))
            ret = enc_cli_fail_err("user", &err);
        else if (!found) ret = enc_cli_fail("user", "%s: no such user", email);
        else {
            char d[40];
            snprintf(d, sizeof d, "%s%s", chrole ? "role=" : "", chrole ? role : sub);
            audit(cli->st, "user.update", email, d);
            fprintf(stderr, "encore: user: %s: %s\n", email, chrole ? role : sub);
        }
    }
    sodium_memzero(hash, sizeof hash);
    return ret;
}

int cmd_user(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"add", user_change, "a new user with a role and a password"},
        {"list", user_list, "every user, role and state (no password hashes)"},
        {"disable", user_change, "the user can no longer log in; their sessions end"},
        {"enable", user_change, "the user can log in again"},
        {"passwd", user_change, "a new password; the user's sessions end"},
        {"role", user_change, "a new role; the user's sessions end"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "user", user_about, subs, NULL, argc, argv);
}

/* ---- encore apikey ----------------------------------------------------------------------- */

static int apikey_create(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "apikey create",
        .synopsis = "--role ROLE --name NAME [--expires TIME] [--json]",
        .about = key_about,
        .late_setup = true,
    };
    const char *role = NULL, *name = NULL;
    int64_t exp = 0, now = (int64_t)time(NULL);
    bool json = false, exp_given = false;
    const enc_opt opts[] = {
        OPT_CHOICE("role", &role, roles, "what the key may do (required)"),
        OPT_STRING("name", &name, "NAME", "who or what uses the key: 1 to 100 characters"),
        OPT_TIME("expires", &exp, &exp_given, "the key stops working then (default never)"),
        OPT_BOOL("json", &json, json_help),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    if (!role || !name)
        return enc_opts_error(cli, &usage, opts, "create needs --role ROLE and --name NAME");
    unsigned r = enc_role_parse(role);
    if (!*name || strlen(name) > 100 || !enc_text_ok(name, strlen(name)))
        return enc_opts_error(cli, &usage, opts, "--name: 1 to 100 characters of text");
    if (exp_given && exp <= now)
        return enc_opts_error(cli, &usage, opts, "--expires: a time in the future");
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    char key[96], prefix[32];
    uint8_t h[32];
    enc_auth_new_key(key, sizeof key, h, prefix, sizeof prefix);
    int64_t newid;
    int ret = ENC_EXIT_OK;
    if (enc_apikey_insert(cli->st, name, r, h, prefix, exp, now, &newid, &err))
        ret = enc_cli_fail_err("apikey", &err);
    else {
        char t[160], d[40];
        snprintf(t, sizeof t, "%lld:%s", (long long)newid, name);
        snprintf(d, sizeof d, "role=%s", role);
        audit(cli->st, "apikey.create", t, d);
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
    return ret;
}

static int apikey_list(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "apikey list", .synopsis = "[--json]", .about = key_about};
    bool json = false;
    const enc_opt opts[] = {OPT_BOOL("json", &json, json_help), OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_apikey_rec *ks;
    size_t n;
    int64_t now = (int64_t)time(NULL);
    if (enc_apikey_list(cli->st, &ks, &n, &err)) return enc_cli_fail_err("apikey", &err);
    if (json) {
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
    return ENC_EXIT_OK;
}

static int apikey_revoke(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "apikey revoke",
        .synopsis = "ID",
        .about = key_about,
        .min_args = 1,
        .max_args = 1,
        .args_msg = "needs a key ID",
        .late_setup = true,
    };
    const enc_opt opts[] = {OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    long kid;
    if (!enc_cli_parse_long(argv[1], 1, 1L << 62, &kid))
        return enc_opts_error(cli, &usage, opts, "'%s' is not a key ID (a positive number)",
                              argv[1]);
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    bool found;
    if (enc_apikey_revoke(cli->st, kid, (int64_t)time(NULL), &found, &err))
        return enc_cli_fail_err("apikey", &err);
    if (!found) return enc_cli_fail("apikey", "%ld: no such key, or revoked already", kid);
    audit(cli->st, "apikey.revoke", argv[1], NULL);
    fprintf(stderr, "encore: apikey: key %ld revoked\n", kid);
    return ENC_EXIT_OK;
}

int cmd_apikey(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"create", apikey_create, "a new key with a role, printed once"},
        {"list", apikey_list, "every key: name, role, prefix, state, last use"},
        {"revoke", apikey_revoke, "the key stops working now"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "apikey", key_about, subs, NULL, argc, argv);
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
