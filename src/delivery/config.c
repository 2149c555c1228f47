/* config.c — reads the delivery configuration (config.h): the JSON file through jansson, then
 * ENCORE_CHANNEL_* environment variables, then --set flags; checks kinds and numbers; writes
 * it back with secrets masked. */
#include "delivery/config.h"
#include "delivery/channel.h" /* enc_channel_kind */
#include "base/json.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

bool enc_delivery_opt_secret(const char *name)
{
    static const char *const bad[] = {"password",      "secret", "token",
                                      "authorization", "apikey", "api_key"};
    char low[128];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof low; i++) low[i] = (char)tolower((unsigned char)name[i]);
    low[i] = 0;
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        if (strstr(low, bad[k])) return true;
    return false;
}

void enc_delivery_config_path(const char *given, const char *db_path, char *out, size_t cap,
                              bool *exists)
{
    if (given && *given) snprintf(out, cap, "%s", given);
    else snprintf(out, cap, "%s.delivery.json", db_path);
    *exists = access(out, F_OK) == 0;
}

bool enc_quiet_parse(const char *s, int *start, int *end)
{
    int h1, m1, h2, m2, n = 0;
    if (!s || strlen(s) != 11 || sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
        n != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':')
        return false;
    for (int i = 0; i < 11; i++)
        if (i != 2 && i != 5 && i != 8 && !isdigit((unsigned char)s[i])) return false;
    if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) return false;
    *start = h1 * 60 + m1;
    *end = h2 * 60 + m2;
    return *start != *end;
}

bool enc_quiet_inside(int start, int end, int m)
{
    return start < end ? m >= start && m < end : m >= start || m < end;
}

void enc_delivery_config_free(enc_delivery_config *c)
{
    json_decref(c->channels);
    json_decref(c->overrides);
    memset(c, 0, sizeof *c);
}

/* Sets channel.option = value (a string), creating the channel object when create is set;
 * notes the option as overridden by source. */
static enc_rc set_opt(enc_delivery_config *c, const char *chan, size_t clen, const char *opt,
                      const char *val, bool create, const char *source, enc_err *err)
{
    char name[64];
    if (clen == 0 || clen >= sizeof name || !*opt)
        return enc_fail(err, ENC_EUSAGE, "malformed setting for channel '%.*s'", (int)clen, chan);
    memcpy(name, chan, clen);
    name[clen] = 0;
    json_t *o = json_object_get(c->channels, name);
    if (!o) {
        if (!create) return ENC_OK;
        o = json_object();
        json_object_set_new(c->channels, name, o);
    }
    json_object_set_new(o, opt, json_string(val));
    json_t *ov = json_object_get(c->overrides, name);
    if (!ov) json_object_set_new(c->overrides, name, ov = json_object());
    json_object_set_new(ov, opt, json_string(source));
    return ENC_OK;
}

static enc_rc apply_env(enc_delivery_config *c, char **env, enc_err *err)
{
    static const char pre[] = "ENCORE_CHANNEL_";
    for (char **e = env; e && *e; e++) {
        if (strncmp(*e, pre, sizeof pre - 1) != 0) continue;
        const char *rest = *e + sizeof pre - 1;
        const char *eq = strchr(rest, '=');
        if (!eq) continue;
        /* NAME_OPTION: match configured channel names (upper-cased, '-' as '_'), longest
         * first; else NAME_KIND creates a channel named by the lower-cased NAME */
        const char *key;
        json_t *cv;
        size_t best = 0;
        char bestname[64] = "";
        json_object_foreach(c->channels, key, cv)
        {
            size_t k = strlen(key), i;
            if (k >= sizeof bestname || k <= best || (size_t)(eq - rest) <= k + 1) continue;
            for (i = 0; i < k; i++) {
                char a = (char)toupper((unsigned char)key[i]);
                if (a == '-') a = '_';
                if (a != rest[i]) break;
            }
            if (i == k && rest[k] == '_') {
                best = k;
                snprintf(bestname, sizeof bestname, "%s", key);
            }
        }
        char opt[64];
        if (best) {
            size_t ol = (size_t)(eq - rest) - best - 1;
            if (ol == 0 || ol >= sizeof opt) continue;
            for (size_t i = 0; i < ol; i++)
                opt[i] = (char)tolower((unsigned char)rest[best + 1 + i]);
            opt[ol] = 0;
            if (set_opt(c, bestname, strlen(bestname), opt, eq + 1, false, "environment", err))
                return err->rc;
        } else {
            size_t nl = (size_t)(eq - rest);
            if (nl > 5 && strncmp(eq - 5, "_KIND", 5) == 0) {
                char name[64];
                if (nl - 5 >= sizeof name) continue;
                for (size_t i = 0; i < nl - 5; i++) name[i] = (char)tolower((unsigned char)rest[i]);
                name[nl - 5] = 0;
                if (set_opt(c, name, strlen(name), "kind", eq + 1, true, "environment", err))
                    return err->rc;
            }
        }
    }
    return ENC_OK;
}

static enc_rc read_dispatch(enc_delivery_config *c, json_t *d, enc_err *err)
{
    if (!d) return ENC_OK;
    if (!json_is_object(d)) return enc_fail(err, ENC_EPARSE, "\"dispatch\" must be an object");
    c->batch = (size_t)enc_opt_num(d, "batch", (double)c->batch);
    c->poll = enc_opt_num(d, "poll", c->poll);
    c->retry.base = enc_opt_num(d, "backoff_base", c->retry.base);
    c->retry.cap = enc_opt_num(d, "backoff_cap", c->retry.cap);
    c->retry.max_attempts = (int)enc_opt_num(d, "max_attempts", c->retry.max_attempts);
    return ENC_OK;
}

enc_rc enc_delivery_config_load(const char *path, char **env, const char *const *sets, size_t nsets,
                                enc_delivery_config *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->retry = ENC_RETRY_DEFAULT;
    out->batch = 200;
    out->poll = 1.0;
    out->channels = json_object();
    out->overrides = json_object();
    if (path) {
        json_error_t je;
        /* bounded: a configuration file is small */
        FILE *f = fopen(path, "rb");
        if (!f) {
            enc_delivery_config_free(out);
            return enc_fail(err, ENC_EIO, "%s: cannot read", path);
        }
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fclose(f);
        if (sz > (1 << 20)) {
            enc_delivery_config_free(out);
            return enc_fail(err, ENC_ELIMIT, "%s: larger than 1 MB", path);
        }
        json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!root) {
            enc_delivery_config_free(out);
            return enc_fail(err, ENC_EPARSE, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        }
        json_t *ch = json_object_get(root, "channels");
        if (ch && !json_is_object(ch)) {
            json_decref(root);
            enc_delivery_config_free(out);
            return enc_fail(err, ENC_EPARSE, "%s: \"channels\" must be an object", path);
        }
        const char *name;
        json_t *v;
        json_object_foreach(ch, name, v)
        {
            if (!json_is_object(v)) {
                json_decref(root);
                enc_delivery_config_free(out);
                return enc_fail(err, ENC_EPARSE, "%s: channel \"%s\" must be an object", path,
                                name);
            }
            json_object_set_new(out->channels, name, json_deep_copy(v));
        }
        enc_rc rc = read_dispatch(out, json_object_get(root, "dispatch"), err);
        json_decref(root);
        if (rc) {
            enc_delivery_config_free(out);
            return rc;
        }
    }
    if (apply_env(out, env, err)) {
        enc_delivery_config_free(out);
        return err->rc;
    }
    for (size_t i = 0; i < nsets; i++) {
        const char *s = sets[i], *dot = strchr(s, '.'), *eq = strchr(s, '=');
        if (!dot || !eq || eq < dot) {
            enc_delivery_config_free(out);
            return enc_fail(err, ENC_EUSAGE, "--set %s: expected CHANNEL.OPTION=VALUE", s);
        }
        char opt[64];
        size_t ol = (size_t)(eq - dot - 1);
        if (ol == 0 || ol >= sizeof opt) {
            enc_delivery_config_free(out);
            return enc_fail(err, ENC_EUSAGE, "--set %s: expected CHANNEL.OPTION=VALUE", s);
        }
        memcpy(opt, dot + 1, ol);
        opt[ol] = 0;
        if (set_opt(out, s, (size_t)(dot - s), opt, eq + 1, true, "command line", err)) {
            enc_delivery_config_free(out);
            return err->rc;
        }
    }
    /* check (names are copied out before the configuration is freed) */
    const char *name;
    json_t *v;
    json_object_foreach(out->channels, name, v)
    {
        const char *kind = enc_opt_str(v, "kind", NULL);
        const char *why = NULL;
        if (!kind) why = "no \"kind\"";
        else if (!enc_channel_kind(kind)) why = "unknown kind (smtp, webhook, file, inbox)";
        else if (strlen(name) >= 64) why = "name longer than 63 bytes";
        else if (enc_opt_num(v, "rate", 0) < 0) why = "rate must be >= 0";
        else if (json_object_get(v, "quiet_hours") &&
                 !enc_quiet_parse(enc_opt_str(v, "quiet_hours", NULL), &(int){0}, &(int){0}))
            why = "quiet_hours must be HH:MM-HH:MM (two different times)";
        if (why) {
            char n[72], k[72];
            snprintf(n, sizeof n, "%.64s", name);
            snprintf(k, sizeof k, "%.64s", kind ? kind : "");
            enc_delivery_config_free(out);
            return enc_fail(err, ENC_EUSAGE, "channel \"%s\": %s%s%s%s", n, why,
                            k[0] ? " (kind \"" : "", k, k[0] ? "\")" : "");
        }
    }
    /* a channel switched off ("enabled": false, e.g. from the console's settings) is not
     * configured: its messages wait in the outbox */
    void *iter = json_object_iter(out->channels);
    while (iter) {
        json_t *cv = json_object_iter_value(iter);
        const char *cn = json_object_iter_key(iter);
        iter = json_object_iter_next(out->channels, iter);
        if (!enc_opt_bool(cv, "enabled", true)) json_object_del(out->channels, cn);
    }
    if (out->batch < 1 || out->batch > 100000 || out->retry.max_attempts < 1 ||
        out->retry.base <= 0 || out->retry.cap < out->retry.base || !(out->poll > 0)) {
        enc_delivery_config_free(out);
        return enc_fail(err, ENC_EUSAGE,
                        "dispatch: batch 1..100000, max_attempts >= 1, 0 < backoff_base <="
                        " backoff_cap and poll > 0 are required");
    }
    return ENC_OK;
}

static void write_value(enc_jw *w, json_t *v)
{
    if (json_is_string(v)) enc_jw_str(w, json_string_value(v));
    else if (json_is_integer(v)) enc_jw_int(w, json_integer_value(v));
    else if (json_is_real(v)) enc_jw_num(w, json_real_value(v));
    else if (json_is_boolean(v)) enc_jw_bool(w, json_is_true(v));
    else if (json_is_object(v)) {
        enc_jw_obj(w);
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            enc_jw_key(w, k);
            if (enc_delivery_opt_secret(k)) enc_jw_str(w, "***");
            else write_value(w, x);
        }
        enc_jw_end(w);
    } else if (json_is_array(v)) {
        enc_jw_arr(w);
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) write_value(w, x);
        enc_jw_end(w);
    } else enc_jw_null(w);
}

void enc_delivery_config_json(const enc_delivery_config *c, enc_jw *w)
{
    enc_jw_obj(w);
    enc_jw_key(w, "dispatch");
    enc_jw_obj(w);
    enc_jw_kint(w, "batch", (int64_t)c->batch);
    enc_jw_knum(w, "poll", c->poll);
    enc_jw_knum(w, "backoff_base", c->retry.base);
    enc_jw_knum(w, "backoff_cap", c->retry.cap);
    enc_jw_kint(w, "max_attempts", c->retry.max_attempts);
    enc_jw_end(w);
    enc_jw_key(w, "channels");
    write_value(w, c->channels);
    enc_jw_end(w);
}
