/* channel.c — what the adapters and their readers share (channel.h): the table of adapter kinds
 * and the option readers. Below both config.c (which checks the kinds) and dispatch.c (which
 * opens them), so that neither needs the other's file. */
#include "delivery/channel.h"
#include "delivery/channels/file.h"
#include "delivery/channels/inbox.h"
#include "delivery/channels/smtp.h"
#include "delivery/channels/webhook.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const enc_adapter_ops *enc_channel_kind(const char *kind)
{
    static const enc_adapter_ops *const all[] = {&enc_smtp_ops, &enc_webhook_ops, &enc_file_ops,
                                                 &enc_inbox_ops};
    for (size_t i = 0; kind && i < sizeof all / sizeof *all; i++)
        if (strcmp(all[i]->kind, kind) == 0) return all[i];
    return NULL;
}

const char *enc_opt_str(json_t *opts, const char *key, const char *dflt)
{
    json_t *v = json_object_get(opts, key);
    if (json_is_string(v)) return json_string_value(v);
    return dflt;
}

double enc_opt_num(json_t *opts, const char *key, double dflt)
{
    json_t *v = json_object_get(opts, key);
    if (json_is_number(v)) return json_number_value(v);
    if (json_is_string(v)) {
        char *end;
        double d = strtod(json_string_value(v), &end);
        if (end != json_string_value(v) && *end == 0) return d;
    }
    return dflt;
}

bool enc_opt_bool(json_t *opts, const char *key, bool dflt)
{
    json_t *v = json_object_get(opts, key);
    if (json_is_boolean(v)) return json_is_true(v);
    if (json_is_integer(v)) return json_integer_value(v) != 0;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!strcasecmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes")) return true;
        if (!strcasecmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no")) return false;
    }
    return dflt;
}

void enc_result_err(enc_send_result *r, enc_send_status st, const char *fmt, ...)
{
    r->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}
