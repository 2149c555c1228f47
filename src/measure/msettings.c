/* msettings.c — reading, checking and storing the measurement settings (see msettings.h). */
#include "measure/msettings.h"

#include "base/json.h"
#include "base/mem.h"
#include "campaign/spec.h"
#include "store/settings_store.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define KEY "measure"

void enc_mset_default(enc_mset *s)
{
    for (int c = 0; c < CH_NCHANNELS; c++) {
        s->window[c] = ENC_MSET_DEFAULT_WINDOW;
        s->msg_cost[c] = 0;
    }
}

/* Applies one {"windows": ..., "message_cost": ...} object at `path` onto *s (when s is
 * non-NULL; the check runs either way). */
static enc_rc apply(json_t *o, const char *path, bool allow_campaigns, enc_mset *s, enc_err *err)
{
    if (!json_is_object(o)) return enc_fail(err, ENC_EPARSE, "%s: expected an object", path);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        bool win = strcmp(k, "windows") == 0, cost = strcmp(k, "message_cost") == 0;
        if (!win && !cost) {
            if (allow_campaigns && strcmp(k, "campaigns") == 0) continue;
            return enc_fail(err, ENC_EPARSE,
                            "%s%s%s: unknown key; expected windows, message_cost%s", path,
                            *path ? "." : "", k, allow_campaigns ? " or campaigns" : "");
        }
        if (!json_is_object(v))
            return enc_fail(err, ENC_EPARSE, "%s%s%s: expected an object of channels", path,
                            *path ? "." : "", k);
        /* "all" first, then the named channels over it, whatever the order in the file */
        for (int pass = 0; pass < 2; pass++) {
            const char *ch;
            json_t *x;
            json_object_foreach(v, ch, x)
            {
                bool all = strcmp(ch, "all") == 0;
                int c = all ? -1 : enc_channel_parse(ch);
                if (!all && c < 0)
                    return enc_fail(err, ENC_EPARSE,
                                    "%s%s%s.%s: unknown channel; expected all, email, sms, push, "
                                    "wechat or inapp",
                                    path, *path ? "." : "", k, ch);
                if (all != (pass == 0)) continue;
                int64_t w = 0;
                double d = 0;
                if (win) {
                    if (!json_is_string(x) || !enc_spec_duration(json_string_value(x), false, &w) ||
                        w <= 0)
                        return enc_fail(err, ENC_EPARSE,
                                        "%s%s%s.%s: expected a positive duration such as \"7d\"",
                                        path, *path ? "." : "", k, ch);
                } else {
                    d = json_number_value(x);
                    if (!json_is_number(x) || !isfinite(d) || d < 0 || d > 1e6)
                        return enc_fail(err, ENC_EPARSE,
                                        "%s%s%s.%s: expected a cost per message from 0 to "
                                        "1000000 (currency units, e.g. 0.002)",
                                        path, *path ? "." : "", k, ch);
                }
                if (!s) continue;
                for (int i = 0; i < CH_NCHANNELS; i++) {
                    if (!all && i != c) continue;
                    if (win) s->window[i] = w;
                    else s->msg_cost[i] = d;
                }
            }
        }
    }
    return ENC_OK;
}

enc_rc enc_mset_parse(const char *text, size_t n, const char *campaign, enc_mset *s, enc_err *err)
{
    if (n > ENC_MSET_MAX_BYTES)
        return enc_fail(err, ENC_ELIMIT, "settings larger than %d bytes", ENC_MSET_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return enc_fail(err, ENC_EPARSE, "line %d, column %d: %s", je.line, je.column, je.text);
    enc_mset t = *s;
    enc_rc rc = apply(root, "", true, &t, err);
    json_t *camps = json_object_get(root, "campaigns");
    if (!rc && camps && !json_is_object(camps))
        rc = enc_fail(err, ENC_EPARSE, "campaigns: expected an object of campaign names");
    if (!rc && camps) {
        const char *name;
        json_t *v;
        json_object_foreach(camps, name, v)
        {
            char path[ENC_SPEC_MAX_NAME + 32];
            snprintf(path, sizeof path, "campaigns.%.*s", ENC_SPEC_MAX_NAME, name);
            bool mine = campaign && strcmp(name, campaign) == 0;
            if ((rc = apply(v, path, false, mine ? &t : NULL, err))) break;
        }
    }
    json_decref(root);
    if (!rc) *s = t;
    return rc;
}

enc_rc enc_mset_text(enc_store *st, char **out, enc_err *err)
{
    return enc_store_settings_get(st, KEY, "measurement settings", out, err);
}

enc_rc enc_mset_load(enc_store *st, const char *campaign, enc_mset *out, enc_err *err)
{
    enc_mset_default(out);
    char *text;
    if (enc_mset_text(st, &text, err)) return err->rc;
    if (!text) return ENC_OK;
    enc_err e2 = {0};
    enc_rc rc = enc_mset_parse(text, strlen(text), campaign, out, &e2);
    free(text);
    if (rc) return enc_fail(err, rc, "stored measurement settings: %s", e2.msg);
    return ENC_OK;
}

enc_rc enc_mset_save(enc_store *st, const char *text, size_t n, enc_err *err)
{
    enc_mset s;
    enc_mset_default(&s);
    if (enc_mset_parse(text, n, NULL, &s, err)) return err->rc;
    return enc_store_settings_put(st, KEY, "measurement settings", text, n, err);
}

void enc_mset_fmt_window(char *out, size_t cap, int64_t seconds)
{
    static const struct {
        int64_t s;
        char u;
    } units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (seconds % units[i].s == 0) {
            snprintf(out, cap, "%lld%c", (long long)(seconds / units[i].s), units[i].u);
            return;
        }
    snprintf(out, cap, "%llds", (long long)seconds);
}

void enc_mset_json(const enc_mset *s, enc_jw *w)
{
    enc_jw_key(w, "windows");
    enc_jw_obj(w);
    for (int c = 0; c < CH_NCHANNELS; c++) {
        char d[32];
        enc_mset_fmt_window(d, sizeof d, s->window[c]);
        enc_jw_kstr(w, enc_channel_name((enc_channel)c), d);
    }
    enc_jw_end(w);
    enc_jw_key(w, "message_cost");
    enc_jw_obj(w);
    for (int c = 0; c < CH_NCHANNELS; c++)
        enc_jw_knum(w, enc_channel_name((enc_channel)c), s->msg_cost[c]);
    enc_jw_end(w);
}
