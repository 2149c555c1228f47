/* inbox.h — the in-site inbox channel: a message becomes a row of the store's inbox table
 * (title = subject, body = text or HTML, payload), keyed by idempotency key, which an app reads
 * over the API. It deduplicates by key, so recovery may send again. No options. */
#ifndef ENCORE_CHANNEL_INBOX_H
#define ENCORE_CHANNEL_INBOX_H
#include "delivery/channel.h"
extern const enc_adapter_ops enc_inbox_ops;
#endif
