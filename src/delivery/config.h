/* config.h — delivery configuration: channels (name -> kind and options) and the dispatcher's
 * settings, read from a JSON file (jansson), then environment variables, then command-line
 * flags, each over the one before (ARCHITECTURE: flags over env over file). Secrets (options
 * named *password*, *secret*, *token*, *authorization*) are never printed: enc_delivery_config_json
 * writes them as "***". The file's layout is in docs/delivery.md. */
#ifndef ENCORE_DELIVERY_CONFIG_H
#define ENCORE_DELIVERY_CONFIG_H
#include "base/err.h"
#include "delivery/outbox.h"
#include <jansson.h>
#include <stddef.h>

typedef struct enc_delivery_config {
    json_t *channels; /* object: name -> options object (with "kind"); owned */
    enc_retry_policy retry;
    size_t batch; /* messages claimed per channel per round */
    double poll;  /* seconds between idle polls (not with --once) */
    /* channel -> {option: "environment" | "command line"}: the options an
     * ENCORE_CHANNEL_<NAME>_<OPTION> variable or a --set flag set over the file (names only,
     * never values: the console says which settings it cannot change); owned */
    json_t *overrides;
} enc_delivery_config;

/* Loads path (NULL: no file), then applies env (the process environment:
 * ENCORE_CHANNEL_<NAME>_<OPTION>, e.g. ENCORE_CHANNEL_EMAIL_PASSWORD; a channel may be created with
 * ENCORE_CHANNEL_<NAME>_KIND), then sets ("channel.option=value" strings, from --set). Free with
 * enc_delivery_config_free. */
enc_rc enc_delivery_config_load(const char *path, char **env, const char *const *sets, size_t nsets,
                                enc_delivery_config *out, enc_err *err);
void enc_delivery_config_free(enc_delivery_config *c);
struct enc_jw;
/* Writes the configuration as JSON with secrets masked. */
void enc_delivery_config_json(const enc_delivery_config *c, struct enc_jw *w);
/* The configuration file in force: `given` (--config or $ENCORE_DELIVERY_CONFIG) when set,
 * else DB.delivery.json beside the store (the file the console's Settings -> Channels writes,
 * docs/delivery.md). *exists tells whether that file is there (a missing default is no file). */
void enc_delivery_config_path(const char *given, const char *db_path, char *out, size_t cap,
                              bool *exists);
/* A channel's quiet hours, "HH:MM-HH:MM" (the channel sends nothing from the first time up to
 * the second, in the channel's "timezone", default UTC; the span may cross midnight): minutes
 * after midnight into *start and *end. False for anything else, or equal times. */
bool enc_quiet_parse(const char *s, int *start, int *end);
/* True when the local minute of the day m is inside [start, end) (crossing midnight when
 * start > end). */
bool enc_quiet_inside(int start, int end, int m);
/* True for option names that hold secrets. */
bool enc_delivery_opt_secret(const char *name);
#endif
