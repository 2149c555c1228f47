/* h_channels.c — the delivery channels' settings (issue 14's Settings -> Channels):
 * GET /v1/settings/channels, PUT /v1/settings/channels (owners) and
 * POST /v1/settings/channels/{channel}/test (one message through the real adapter). The
 * settings live where `encore dispatch` and `encore serve` read them: the delivery
 * configuration file (src/delivery/config.c; --config, $ENCORE_DELIVERY_CONFIG, else
 * DB.delivery.json beside the store). PUT rewrites that file atomically (0600); the server's
 * dispatcher reads it again on its next run. Secrets (the SMTP password, the webhook signing
 * secret) are write-only: answers say "set" or "not set", never the value; the audit entry
 * names the options changed, never their values. */
#include "base/datetime.h"
#include "base/json.h"
#include "delivery/channel.h"
#include "delivery/config.h"
#include "ingest/clean.h"
#include "server/handlers.h"
#include "server/inbox.h"
#include "server/mgmt.h"
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- what the console may set --------------------------------------------------------------- */

/* The message channels (the vocabulary's) and the adapter kinds each may use; the option that
 * holds the sender (NULL: the channel has none). */
typedef struct chan_def {
    const char *name, *kinds, *sender;
} chan_def;
static const chan_def chans[] = {
    {"email", "smtp webhook file", "from"}, {"sms", "webhook file", "sender"},
    {"push", "webhook file", NULL},         {"wechat", "webhook file", NULL},
    {"inapp", "inbox file", NULL},
};

/* Options the console reads and writes, by kind ('s' text, 'n' number >= 0, 'b' true/false,
 * 'u' a URL); others in the file (ca_file, dkim_key, headers, insecure, ...) are the file's
 * alone: shown by name, kept as they are. */
typedef struct opt_def {
    const char *kind, *name;
    char type;
    double max;
} opt_def;
static const opt_def opts[] = {
    {"smtp", "url", 'u', 0},
    {"smtp", "starttls", 'b', 0},
    {"smtp", "username", 's', 0},
    {"smtp", "reply_to", 's', 0},
    {"smtp", "return_path", 's', 0},
    {"smtp", "unsubscribe_mailto", 's', 0},
    {"smtp", "tracking_url", 'u', 0},
    {"smtp", "domain", 's', 0},
    {"smtp", "dkim_domain", 's', 0},
    {"smtp", "dkim_selector", 's', 0},
    {"smtp", "transactional_only", 'b', 0},
    {"smtp", "timeout", 'n', 600},
    {"webhook", "url", 'u', 0},
    {"webhook", "shape", 's', 0},
    {"webhook", "template_id", 's', 0},
    {"webhook", "concurrency", 'n', 64},
    {"webhook", "timeout", 'n', 600},
    {"file", "path", 's', 0},
    {"file", "fsync", 'b', 0},
};
/* write-only options, by kind */
static const struct {
    const char *kind, *name;
} secrets[] = {{"smtp", "password"}, {"webhook", "secret"}};
/* set by the settings' own fields */
static const char *const common[] = {"kind", "enabled", "rate", "quiet_hours", "timezone"};

static const chan_def *chan_find(const char *name)
{
    for (size_t i = 0; i < sizeof chans / sizeof *chans; i++)
        if (strcmp(chans[i].name, name) == 0) return &chans[i];
    return NULL;
}

static bool word_in(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; (p = strstr(p, w)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ')) return true;
    return false;
}

static const opt_def *opt_find(const char *kind, const char *name)
{
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (strcmp(opts[i].kind, kind) == 0 && strcmp(opts[i].name, name) == 0) return &opts[i];
    return NULL;
}

static bool is_secret(const char *kind, const char *name)
{
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        if (strcmp(secrets[i].kind, kind) == 0 && strcmp(secrets[i].name, name) == 0) return true;
    return false;
}

static bool is_common(const char *name)
{
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        if (strcmp(common[i], name) == 0) return true;
    return false;
}

/* ---- the file ------------------------------------------------------------------------------ */

/* The file's document ({} when there is none yet). NULL with a message when it does not read. */
static json_t *file_read(const char *path, char *why, size_t cap)
{
    if (access(path, F_OK) != 0) return json_object();
    struct stat sb;
    if (stat(path, &sb) != 0 || sb.st_size > (1 << 20)) {
        snprintf(why, cap, "the delivery configuration cannot be read or is larger than 1 MB");
        return NULL;
    }
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        snprintf(why, cap, "the delivery configuration is not a JSON object (line %d)",
                 root ? 1 : je.line);
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Writes doc to path through a temporary file beside it (0600, synced, renamed over). */
static enc_rc file_write(const char *path, json_t *doc, enc_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) return enc_fail(err, ENC_EIO, "cannot write beside %s: %s", path, strerror(errno));
    fchmod(fd, 0600);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    size_t n = text ? strlen(text) : 0, off = 0;
    bool ok = text != NULL;
    while (ok && off < n) {
        ssize_t w = write(fd, text + off, n - off);
        if (w <= 0) ok = false;
        else off += (size_t)w;
    }
    if (ok) ok = write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    free(text);
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return enc_fail(err, ENC_EIO, "cannot write %s", path);
    }
    return ENC_OK;
}

/* ---- GET ----------------------------------------------------------------------------------- */

/* The options set over the file by serve's environment or --set flags, by channel (owned; {}
 * when none, or when the configuration does not load). Names and sources only, never values;
 * *eff (owned, may be NULL) gets the channels in force, whose values the page shows for them. */
static json_t *overrides_of(void *srv, json_t **eff)
{
    *eff = NULL;
    size_t n;
    const char *const *sets = enc_server_delivery_sets(srv, &n);
    const char *path = enc_server_delivery_config(srv);
    enc_delivery_config cfg;
    enc_err err = {0};
    if (enc_delivery_config_load(access(path, F_OK) == 0 ? path : NULL, environ, sets, n, &cfg,
                                 &err))
        return json_object();
    json_t *ov = json_incref(cfg.overrides);
    *eff = json_incref(cfg.channels);
    enc_delivery_config_free(&cfg);
    return ov;
}

static void chan_doc(enc_jw *w, const chan_def *d, json_t *c, json_t *ov, const char *db_dir)
{
    enc_jw_obj(w);
    enc_jw_kstr(w, "channel", d->name);
    enc_jw_kbool(w, "configured", c != NULL);
    const char *kind = c ? enc_opt_str(c, "kind", NULL) : NULL;
    enc_jw_kbool(w, "enabled", c && enc_opt_bool(c, "enabled", true));
    enc_jw_kstr(w, "kind", kind);
    enc_jw_kstr(w, "kinds", d->kinds);
    enc_jw_kstr(w, "sender_option", d->sender);
    enc_jw_kstr(w, "sender", c && d->sender ? enc_opt_str(c, d->sender, NULL) : NULL);
    enc_jw_key(w, "rate");
    if (c && json_object_get(c, "rate")) enc_jw_num(w, enc_opt_num(c, "rate", 0));
    else enc_jw_null(w);
    enc_jw_kstr(w, "quiet_hours", c ? enc_opt_str(c, "quiet_hours", NULL) : NULL);
    enc_jw_kstr(w, "timezone", c ? enc_opt_str(c, "timezone", NULL) : NULL);
    enc_jw_key(w, "options");
    enc_jw_obj(w);
    for (size_t i = 0; kind && i < sizeof opts / sizeof *opts; i++) {
        if (strcmp(opts[i].kind, kind) != 0) continue;
        json_t *v = json_object_get(c, opts[i].name);
        if (!v) continue;
        enc_jw_key(w, opts[i].name);
        if (opts[i].type == 'b') enc_jw_bool(w, enc_opt_bool(c, opts[i].name, false));
        else if (opts[i].type == 'n') enc_jw_num(w, enc_opt_num(c, opts[i].name, 0));
        else {
            const char *s = enc_opt_str(c, opts[i].name, "");
            /* a file channel's path beside the store is shown as its name, as PUT takes it */
            size_t dl = strlen(db_dir);
            if (strcmp(opts[i].name, "path") == 0 && strncmp(s, db_dir, dl) == 0 && s[dl] == '/')
                s += dl + 1;
            enc_jw_str(w, s);
        }
    }
    enc_jw_end(w);
    enc_jw_key(w, "secrets");
    enc_jw_obj(w);
    for (size_t i = 0; kind && i < sizeof secrets / sizeof *secrets; i++)
        if (strcmp(secrets[i].kind, kind) == 0)
            enc_jw_kstr(w, secrets[i].name,
                        json_object_get(c, secrets[i].name) ? "set" : "not set");
    enc_jw_end(w);
    /* what only the file sets: names only (a header may hold a token) */
    enc_jw_key(w, "file_options");
    enc_jw_arr(w);
    const char *k;
    json_t *v;
    if (c) json_object_foreach(c, k, v)
        {
            if (is_common(k) || (d->sender && strcmp(k, d->sender) == 0) ||
                (kind && (opt_find(kind, k) || is_secret(kind, k))))
                continue;
            enc_jw_str(w, k);
        }
    enc_jw_end(w);
    /* what the server's environment or flags set over the file: the console cannot change it */
    enc_jw_key(w, "overridden");
    enc_jw_obj(w);
    if (ov) json_object_foreach(ov, k, v)
        {
            enc_jw_kstr(w, k, json_string_value(v));
        }
    enc_jw_end(w);
    enc_jw_end(w);
}

/* the store's directory, absolute (a file channel's file is written there) */
static void db_dir_of(void *srv, char *out, size_t cap)
{
    const char *db = enc_server_db_path(srv), *slash = strrchr(db, '/');
    char dir[4096], real[PATH_MAX];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == db) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - db), db);
    snprintf(out, cap, "%s", realpath(dir, real) ? real : dir);
}

static void settings_doc(enc_mreq *rq, enc_mres *rs, json_t *root, int status)
{
    char dir[4096];
    db_dir_of(rq->server, dir, sizeof dir);
    json_t *eff, *ch = json_object_get(root, "channels"), *ov = overrides_of(rq->server, &eff);
    enc_jw *w = enc_mres_json(rs, status);
    enc_jw_obj(w);
    enc_jw_kstr(w, "file", enc_server_delivery_config(rq->server));
    enc_jw_key(w, "channels");
    enc_jw_arr(w);
    for (size_t i = 0; i < sizeof chans / sizeof *chans; i++) {
        json_t *c = json_is_object(ch) ? json_object_get(ch, chans[i].name) : NULL;
        json_t *o = json_object_get(ov, chans[i].name), *e = json_object_get(eff, chans[i].name);
        c = json_is_object(c) ? json_incref(c) : NULL;
        /* an overridden option shows the value in force (a channel --set alone creates is on) */
        if (json_object_size(o) && json_is_object(e)) {
            json_t *m = c ? json_deep_copy(c) : json_object();
            const char *k;
            json_t *v;
            json_object_foreach(o, k, v) json_object_set(m, k, json_object_get(e, k));
            json_decref(c);
            c = m;
        }
        chan_doc(w, &chans[i], c, json_object_size(o) ? o : NULL, dir);
        json_decref(c);
    }
    enc_jw_end(w);
    enc_jw_end(w);
    json_decref(ov);
    json_decref(eff);
}

void enc_h_channels_get(enc_mreq *rq, enc_mres *rs)
{
    char why[200];
    json_t *root = file_read(enc_server_delivery_config(rq->server), why, sizeof why);
    if (!root) return enc_mres_problem(rs, 500, NULL, "%s", why);
    settings_doc(rq, rs, root, 200);
    json_decref(root);
}

/* ---- PUT ----------------------------------------------------------------------------------- */

/* field paths: "/channels/NAME/..." */
typedef struct put_ctx {
    enc_mres *rs;
    const char *chan;
    char changed[512]; /* option names changed, for the audit */
} put_ctx;

static bool bad(put_ctx *c, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool bad(put_ctx *c, const char *sub, const char *fmt, ...)
{
    char field[160], msg[300];
    snprintf(field, sizeof field, "/channels/%s%s%s", c->chan, sub ? "/" : "", sub ? sub : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    enc_mres_problem(c->rs, 422, field, "%s", msg);
    return false;
}

static bool text_ok(json_t *v, size_t max)
{
    return json_is_string(v) && json_string_length(v) <= max &&
           enc_text_ok(json_string_value(v), json_string_length(v));
}

static void note(put_ctx *c, const char *name)
{
    size_t l = strlen(c->changed);
    snprintf(c->changed + l, sizeof c->changed - l, "%s%s.%s", l ? " " : "", c->chan, name);
}

/* Checks one option's value against its definition; the file's copy gets a clean value. */
static bool opt_value(put_ctx *c, const opt_def *o, json_t *v, const char *db_dir, json_t **out)
{
    char sub[80];
    snprintf(sub, sizeof sub, "options/%s", o->name);
    if (o->type == 'b') {
        if (!json_is_boolean(v)) return bad(c, sub, "true or false");
        *out = json_incref(v);
        return true;
    }
    if (o->type == 'n') {
        if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > o->max)
            return bad(c, sub, "a number from 0 to %g", o->max);
        *out = json_incref(v);
        return true;
    }
    if (!text_ok(v, 500)) return bad(c, sub, "text of at most 500 bytes, no control characters");
    const char *s = json_string_value(v);
    if (o->type == 'u') {
        bool smtp = strcmp(o->kind, "smtp") == 0 && strcmp(o->name, "url") == 0;
        if (smtp ? strncmp(s, "smtp://", 7) && strncmp(s, "smtps://", 8)
                 : strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
            return bad(c, sub, smtp ? "an smtp:// or smtps:// URL" : "an http:// or https:// URL");
    }
    if (strcmp(o->name, "shape") == 0 && !word_in("generic sms push wechat fcm apns", s))
        return bad(c, sub, "one of generic, sms, push, wechat, fcm, apns");
    if (strcmp(o->name, "path") == 0) {
        /* a file beside the store, by name: the console writes no file elsewhere */
        size_t n = strlen(s);
        bool ok = n > 0 && n <= 100 && s[0] != '.';
        for (size_t i = 0; ok && i < n; i++)
            ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                 (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i]);
        if (!ok)
            return bad(c, sub,
                       "a file name (letters, digits, '.', '_', '-'; not starting with '.'): "
                       "the file is written beside the store");
        char full[4300];
        snprintf(full, sizeof full, "%s/%s", db_dir, s);
        *out = json_string(full);
        return true;
    }
    *out = json_incref(v);
    return true;
}

/* Builds the channel's new object from the settings `in` over the file's `old` (NULL: none). */
static bool chan_put(put_ctx *c, const chan_def *d, json_t *in, json_t *old, const char *db_dir,
                     json_t **out)
{
    static const char *const fields[] = {"enabled",     "kind",     "sender",  "rate",
                                         "quiet_hours", "timezone", "options", "secrets"};
    if (!json_is_object(in)) return bad(c, NULL, "an object of settings");
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) known |= !strcmp(fields[i], k);
        if (!known)
            return bad(c, NULL,
                       "unknown setting \"%.40s\" (enabled, kind, sender, rate, "
                       "quiet_hours, timezone, options, secrets)",
                       k);
    }
    json_t *kv = json_object_get(in, "kind");
    const char *kind = kv ? json_string_value(kv) : old ? enc_opt_str(old, "kind", NULL) : NULL;
    if (!kind)
        return bad(c, "kind", "required for a channel not configured yet: one of %s", d->kinds);
    if (!word_in(d->kinds, kind)) return bad(c, "kind", "one of %s for %s", d->kinds, d->name);
    json_t *en = json_object_get(in, "enabled");
    if (en && !json_is_boolean(en)) return bad(c, "enabled", "true or false");
    json_t *rate = json_object_get(in, "rate");
    if (rate && !json_is_null(rate) &&
        (!json_is_number(rate) || json_number_value(rate) < 0 || json_number_value(rate) > 100000))
        return bad(c, "rate", "messages per second, 0 (no limit) to 100000");
    json_t *qh = json_object_get(in, "quiet_hours"), *tz = json_object_get(in, "timezone");
    int qs, qe;
    if (qh && !json_is_null(qh) &&
        (!json_is_string(qh) || !enc_quiet_parse(json_string_value(qh), &qs, &qe)))
        return bad(c, "quiet_hours",
                   "HH:MM-HH:MM (two different times; may cross midnight), or null");
    if (tz && !json_is_null(tz)) {
        enc_tz *z = NULL;
        enc_err e = {0};
        if (!text_ok(tz, 64) || enc_tz_load(json_string_value(tz), &z, &e))
            return bad(c, "timezone", "a time zone (\"Asia/Shanghai\", \"UTC\", \"+08:00\")");
        enc_tz_free(z);
    }
    json_t *sender = json_object_get(in, "sender");
    if (sender && !json_is_null(sender)) {
        if (!d->sender) return bad(c, "sender", "%s has no sender", d->name);
        if (!text_ok(sender, 200) || !json_string_length(sender))
            return bad(c, "sender", "text of 1 to 200 bytes, no control characters");
        if (!strcmp(d->name, "email") && !strchr(json_string_value(sender), '@'))
            return bad(c, "sender", "an address (\"Shop <news@shop.example>\")");
    }
    json_t *ov = json_object_get(in, "options"), *sv = json_object_get(in, "secrets");
    if (ov && !json_is_object(ov)) return bad(c, "options", "an object");
    if (sv && !json_is_object(sv)) return bad(c, "secrets", "an object");

    json_t *n = json_object();
    /* the file's own options stay; the console's are replaced by "options" when it came */
    bool same_kind = old && !strcmp(enc_opt_str(old, "kind", ""), kind);
    if (same_kind) json_object_foreach(old, k, v)
        {
            if ((ov && opt_find(kind, k)) || is_common(k) || (d->sender && !strcmp(k, d->sender)))
                continue;
            json_object_set(n, k, v); /* secrets too, unless given below */
        }
    json_object_set_new(n, "kind", json_string(kind));
    json_object_set(n, "enabled", en ? en : json_true());
    if (rate ? !json_is_null(rate) : (same_kind && json_object_get(old, "rate")))
        json_object_set(n, "rate", rate ? rate : json_object_get(old, "rate"));
    if (qh ? !json_is_null(qh) : (same_kind && json_object_get(old, "quiet_hours")))
        json_object_set(n, "quiet_hours", qh ? qh : json_object_get(old, "quiet_hours"));
    if (tz ? !json_is_null(tz) : (same_kind && json_object_get(old, "timezone")))
        json_object_set(n, "timezone", tz ? tz : json_object_get(old, "timezone"));
    if (d->sender &&
        (sender ? !json_is_null(sender) : (same_kind && json_object_get(old, d->sender))))
        json_object_set(n, d->sender, sender ? sender : json_object_get(old, d->sender));
    json_object_foreach(ov, k, v)
    {
        const opt_def *o = opt_find(kind, k);
        if (!o) {
            json_decref(n);
            char sub[80];
            snprintf(sub, sizeof sub, "options/%.40s", k);
            return bad(c, sub, "not an option of kind %s the console sets", kind);
        }
        if (json_is_null(v)) continue;
        json_t *clean = NULL;
        if (!opt_value(c, o, v, db_dir, &clean)) {
            json_decref(n);
            return false;
        }
        json_object_set_new(n, k, clean);
    }
    json_object_foreach(sv, k, v)
    {
        char sub[80];
        snprintf(sub, sizeof sub, "secrets/%.40s", k);
        if (!is_secret(kind, k)) {
            json_decref(n);
            return bad(c, sub, "not a secret of kind %s", kind);
        }
        if (json_is_null(v)) json_object_del(n, k); /* cleared */
        else if (!text_ok(v, 1000) || !json_string_length(v)) {
            json_decref(n);
            return bad(c, sub, "text of 1 to 1000 bytes, no control characters (null clears)");
        } else json_object_set(n, k, v);
        note(c, k);
    }
    if (!strcmp(kind, "file") && !json_object_get(n, "path")) {
        json_decref(n);
        return bad(c, "options/path", "a file channel needs a file name");
    }
    if (!strcmp(kind, "webhook") && !json_object_get(n, "url")) {
        json_decref(n);
        return bad(c, "options/url", "a webhook channel needs its URL");
    }
    if (!strcmp(kind, "smtp") && (!json_object_get(n, "url") || !json_object_get(n, "from"))) {
        json_decref(n);
        return bad(c, json_object_get(n, "url") ? "sender" : "options/url",
                   "an SMTP channel needs its server's URL and a sender (from)");
    }
    note(c, "settings");
    *out = n;
    return true;
}

static const enc_field put_fields[] = {
    {"channels", ENC_F_OBJECT, true, 0,
     "by channel (email, sms, push, wechat, inapp): enabled, kind, sender, rate, quiet_hours, "
     "timezone, options, secrets (write-only; null clears); channels not named are kept"},
    {NULL}};
const enc_schema enc_schema_channels_put = {"ChannelSettingsPut", put_fields,
                                            "changes to the delivery channels"};

void enc_h_channels_put(enc_mreq *rq, enc_mres *rs)
{
    const char *path = enc_server_delivery_config(rq->server);
    char why[200], dir[4096];
    db_dir_of(rq->server, dir, sizeof dir);
    json_t *in = json_object_get(rq->body, "channels");
    if (!json_object_size(in))
        return enc_mres_problem(rs, 422, "/channels", "settings for at least one channel");
    json_t *root = file_read(path, why, sizeof why);
    if (!root) return enc_mres_problem(rs, 409, NULL, "%s: fix the file by hand first", why);
    json_t *ch = json_object_get(root, "channels");
    if (!json_is_object(ch)) {
        ch = json_object();
        json_object_set_new(root, "channels", ch);
    }
    put_ctx c = {.rs = rs};
    const char *name;
    json_t *v;
    json_object_foreach(in, name, v)
    {
        c.chan = name;
        const chan_def *d = chan_find(name);
        if (!d) {
            enc_mres_problem(rs, 422, "/channels",
                             "unknown channel \"%.40s\": email, sms, push, wechat or inapp", name);
            json_decref(root);
            return;
        }
        json_t *old = json_object_get(ch, name), *n = NULL;
        if (!chan_put(&c, d, v, json_is_object(old) ? old : NULL, dir, &n)) {
            json_decref(root);
            return;
        }
        json_object_set_new(ch, name, n);
    }
    /* the result must load as `encore dispatch` loads it (no environment, no flags) */
    enc_err err = {0};
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.check-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        close(fd);
        enc_delivery_config cfg;
        if (file_write(tmp, root, &err) == ENC_OK &&
            enc_delivery_config_load(tmp, NULL, NULL, 0, &cfg, &err) == ENC_OK)
            enc_delivery_config_free(&cfg);
        else if (err.rc != ENC_EIO) {
            unlink(tmp);
            json_decref(root);
            return enc_mres_problem(rs, 422, "/channels", "%s", err.msg);
        }
        unlink(tmp);
    }
    enc_err_clear(&err);
    if (file_write(path, root, &err)) {
        json_decref(root);
        fprintf(stderr, "encore: serve: channels: %s\n", err.msg);
        return enc_mres_problem(rs, 500, NULL, "the delivery configuration cannot be written");
    }
    enc_mreq_audit(rq, "channels.update", path, c.changed, 200);
    settings_doc(rq, rs, root, 200);
    json_decref(root);
}

/* ---- the test send ------------------------------------------------------------------------- */

static const enc_field test_fields[] = {
    {"address", ENC_F_STRING, true, 320,
     "where to send: an email address, a phone number, a push token, an OpenID, a customer id"},
    {NULL}};
const enc_schema enc_schema_channel_test = {"ChannelTest", test_fields,
                                            "a test message through a channel"};

void enc_h_channel_test(enc_mreq *rq, enc_mres *rs)
{
    const char *name = enc_mreq_param(rq, "channel");
    const char *addr = json_string_value(json_object_get(rq->body, "address"));
    if (!chan_find(name))
        return enc_mres_problem(rs, 404, "path.channel",
                                "unknown channel: email, sms, push, wechat or inapp");
    char clean[340];
    const char *why = NULL;
    size_t al = strlen(addr);
    /* in-app: the address is the shop's customer id whose inbox gets the test (the inbox the
     * shop's site reads with GET /v1/inbox?customer=ID) */
    int64_t cust = 0;
    if (!strcmp(name, "inapp")) {
        enc_err e = {0};
        if (!al || !enc_text_ok(addr, al))
            return enc_mres_problem(rs, 422, "/address", "a customer id");
        if (enc_inbox_customer(rq->st, addr, &cust, &e))
            return enc_mres_problem(rs, 500, NULL, "the customer cannot be looked up");
        if (!cust)
            return enc_mres_problem(rs, 422, "/address",
                                    "no customer with this id: give a customer id of the shop");
    }
    if (!strcmp(name, "email") && !enc_clean_email(addr, al, clean, sizeof clean, &why))
        return enc_mres_problem(rs, 422, "/address", "not an email address: %s", why);
    if (!strcmp(name, "sms") && !enc_clean_phone(addr, al, NULL, clean, sizeof clean, &why))
        return enc_mres_problem(rs, 422, "/address", "not a phone number (+CC...): %s", why);
    if (strcmp(name, "email") && strcmp(name, "sms")) {
        if (!al || !enc_text_ok(addr, al))
            return enc_mres_problem(rs, 422, "/address", "text without control characters");
        snprintf(clean, sizeof clean, "%s", addr);
    }
    /* the channel as the dispatcher would open it: the file, the environment, the flags */
    enc_delivery_config cfg;
    enc_err err = {0};
    const char *path = enc_server_delivery_config(rq->server);
    size_t nsets;
    const char *const *sets = enc_server_delivery_sets(rq->server, &nsets);
    if (enc_delivery_config_load(access(path, F_OK) == 0 ? path : NULL, environ, sets, nsets, &cfg,
                                 &err))
        return enc_mres_problem(rs, 409, NULL, "the delivery configuration: %s", err.msg);
    json_t *o = json_object_get(cfg.channels, name);
    if (!o) {
        enc_delivery_config_free(&cfg);
        return enc_mres_problem(rs, 409, "path.channel",
                                "%s is not configured or not enabled: set it up first", name);
    }
    const enc_adapter_ops *ops = enc_channel_kind(enc_opt_str(o, "kind", ""));
    enc_outbox *ob = NULL;
    enc_adapter chn = {.ops = ops};
    snprintf(chn.name, sizeof chn.name, "%s", name);
    char key[96], hex[17];
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(key, sizeof key, "settings-test:%s:%lld:%s", name, (long long)rq->now, hex);
    enc_msg m = {.channel = name,
                 .address = clean,
                 .subject = "Encore test message",
                 .body_text = "This is a test message from Encore's Settings > Channels.\n",
                 .body_html = "<p>This is a test message from Encore's Settings &gt; Channels.</p>",
                 .payload = "{\"test\":true,\"title\":\"Encore test\",\"text\":\"This is a test "
                            "message.\"}",
                 .customer_id = cust,
                 .idempotency_key = key,
                 .attempts = 1,
                 .created_at = rq->now,
                 .due_at = rq->now,
                 .transactional = true};
    enc_send_result res = {0};
    enc_rc rc = enc_outbox_open(rq->st, &ob, &err);
    if (!rc) rc = ops->open(&chn, o, ob, &err);
    if (!rc) ops->send(&chn, &m, 1, &res, rq->now);
    if (ops && ops->close && chn.impl) ops->close(&chn);
    enc_outbox_close(ob);
    enc_delivery_config_free(&cfg);
    if (rc) {
        enc_mreq_audit(rq, "channels.test", name, "the channel did not open", 409);
        return enc_mres_problem(rs, 409, "path.channel", "%s", err.msg);
    }
    const char *st = res.status == ENC_SEND_OK     ? "sent"
                     : res.status == ENC_SEND_TEMP ? "temporary_failure"
                                                   : "failed";
    enc_mreq_audit(rq, "channels.test", name, st, 200);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_kstr(w, "channel", name);
    enc_jw_kstr(w, "kind", ops->kind);
    enc_jw_kstr(w, "result", st);
    enc_jw_kstr(w, "provider_ref", res.provider_ref[0] ? res.provider_ref : NULL);
    enc_jw_kstr(w, "error", res.status == ENC_SEND_OK ? NULL : res.error);
    enc_jw_end(w);
}
