/* inbox.c — the inbox channel (inbox.h): one transaction per batch writes the rows through the
 * dispatcher's outbox handle (the same store). */
#include "delivery/channels/inbox.h"
#include <stdio.h>
#include <string.h>

static enc_rc inbox_open(enc_adapter *ch, json_t *opts, enc_outbox *ob, enc_err *err)
{
    ch->impl = ob;
    return ENC_OK;
}

static void inbox_send(enc_adapter *ch, const enc_msg *m, size_t n, enc_send_result *res,
                       int64_t now)
{
    enc_outbox *ob = ch->impl;
    enc_store *st = enc_outbox_store(ob);
    enc_err err = {0};
    memset(res, 0, n * sizeof *res);
    if (enc_store_begin(st, &err)) {
        for (size_t i = 0; i < n; i++) enc_result_err(&res[i], ENC_SEND_TEMP, "inbox: %s", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (m[i].customer_id <= 0) {
            enc_result_err(&res[i], ENC_SEND_PERM, "inbox: the message has no customer_id");
            continue;
        }
        bool dup;
        if (enc_outbox_inbox_put(ob, &m[i], now, &dup, &err)) {
            enc_store_rollback(st);
            for (size_t j = 0; j < n; j++)
                enc_result_err(&res[j], ENC_SEND_TEMP, "inbox: %s", err.msg);
            return;
        }
        snprintf(res[i].provider_ref, sizeof res[i].provider_ref, "inbox:%s",
                 dup ? "duplicate" : "new");
    }
    if (enc_store_commit(st, &err)) {
        enc_store_rollback(st);
        for (size_t j = 0; j < n; j++) enc_result_err(&res[j], ENC_SEND_TEMP, "inbox: %s", err.msg);
    }
}

static void inbox_close(enc_adapter *ch) { ch->impl = NULL; }

const enc_adapter_ops enc_inbox_ops = {
    .kind = "inbox",
    .dedups = true,
    .open = inbox_open,
    .send = inbox_send,
    .close = inbox_close,
};
