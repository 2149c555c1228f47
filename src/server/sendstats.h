/* sendstats.h — per-channel send counters for GET /metrics (issue 13: "sends and failures per
 * channel"): the dispatcher job of `encore serve` reports each batch it sent through its
 * on_send hook (dispatch.h) and the metrics page prints encore_messages_sent_total{channel}
 * (attempts handed to the channel's provider, accepted or not) and
 * encore_send_failures_total{channel,reason} (reason: temporary — to be retried; exhausted —
 * temporary but out of retries, now dead; permanent — will never succeed as it is).
 *
 * Ownership: the server owns the table (enc_sendstats_new/free); it is thread-safe. */
#ifndef ENCORE_SERVER_SENDSTATS_H
#define ENCORE_SERVER_SENDSTATS_H
#include <stdint.h>

typedef struct enc_sendstats enc_sendstats;
struct enc_buf;

enc_sendstats *enc_sendstats_new(void);
void enc_sendstats_free(enc_sendstats *t);
/* Adds a batch's counts (dispatch.h's enc_send_counts, field by field: this header stays
 * clear of delivery/, whose enc_channel the server's snapshot headers also name) to channel's
 * (registering the channel: zero counts make its series appear at 0). At most ENC_SENDSTATS_MAX
 * channels are kept; later ones count under "other". */
#define ENC_SENDSTATS_MAX 64
void enc_sendstats_add(enc_sendstats *t, const char *channel, int64_t attempts, int64_t temporary,
                       int64_t exhausted, int64_t permanent);
/* Appends both counters in the Prometheus text format (labels escaped). */
void enc_sendstats_metrics(enc_sendstats *t, struct enc_buf *b);
/* The server's table (srv: an enc_server, server.c). */
enc_sendstats *enc_server_sendstats(void *srv);
#endif
