/* channel.h — what the dispatcher and the channel adapters (src/delivery/channels/) share:
 * an adapter is a table of operations over one configured channel. The dispatcher opens one
 * adapter per configured channel, hands it claimed batches and records what it reports.
 * Adapters never touch message states: they only report results (outbox.h). */
#ifndef ENCORE_CHANNEL_H
#define ENCORE_CHANNEL_H
#include "base/err.h"
#include "delivery/outbox.h"
#include <stdbool.h>
#include <jansson.h>

typedef struct enc_adapter enc_adapter;

typedef struct enc_adapter_ops {
    const char *kind; /* "smtp", "webhook", "file", "inbox" */
    /* whether a message interrupted in `sending` may be sent again: the provider (or the
     * adapter) drops a second delivery with the same idempotency key */
    bool dedups;
    /* reads the options (a JSON object, borrowed; values may be strings from env or flags)
     * and prepares the adapter; ob is the dispatcher's outbox (the inbox writes through it) */
    enc_rc (*open)(enc_adapter *ch, json_t *opts, enc_outbox *ob, enc_err *err);
    /* sends n messages, filling res[0..n); now is the dispatcher's clock (epoch seconds) */
    void (*send)(enc_adapter *ch, const enc_msg *m, size_t n, enc_send_result *res, int64_t now);
    void (*close)(enc_adapter *ch);
} enc_adapter_ops;

struct enc_adapter {
    const enc_adapter_ops *ops;
    char name[64];
    void *impl; /* the adapter's state, freed by close */
};

extern const enc_adapter_ops enc_smtp_ops, enc_webhook_ops, enc_file_ops, enc_inbox_ops;
/* The adapter of a kind, or NULL. */
const enc_adapter_ops *enc_channel_kind(const char *kind);

/* Option readers: a string (or a number written as one), a number (or a numeric string),
 * a boolean (true/false, or "1"/"0"/"true"/"false"/"yes"/"no"). */
const char *enc_opt_str(json_t *opts, const char *key, const char *dflt);
double enc_opt_num(json_t *opts, const char *key, double dflt);
bool enc_opt_bool(json_t *opts, const char *key, bool dflt);

/* Sets a result's error text (printf style), truncated to fit. */
void enc_result_err(enc_send_result *r, enc_send_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif
