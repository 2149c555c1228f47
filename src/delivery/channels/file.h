/* file.h — the file channel: each message appended as one JSON line to a file, fsync'd per
 * batch; for dry runs and exports. It deduplicates by idempotency key (the keys already in the
 * file are loaded at open, and a torn last line from a crash is cut), so recovery may send
 * again. Options: path (required), fsync (default true). Line layout: docs/delivery.md. */
#ifndef ENCORE_CHANNEL_FILE_H
#define ENCORE_CHANNEL_FILE_H
#include "delivery/channel.h"
extern const enc_adapter_ops enc_file_ops;
#endif
