/* sendstats.c — per-channel send counters (sendstats.h): a small table under a mutex, filled by
 * the dispatcher job after each batch and printed by GET /metrics. */
#include "server/sendstats.h"
#include "base/buf.h"
#include "base/mem.h"
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef struct row {
    char channel[64];
    int64_t attempts, temporary, exhausted, permanent;
} row;

struct enc_sendstats {
    pthread_mutex_t mu;
    row rows[ENC_SENDSTATS_MAX + 1]; /* the last one: "other" */
    size_t n;
};

enc_sendstats *enc_sendstats_new(void)
{
    enc_sendstats *t = enc_xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    return t;
}

void enc_sendstats_free(enc_sendstats *t)
{
    if (!t) return;
    pthread_mutex_destroy(&t->mu);
    free(t);
}

static row *find(enc_sendstats *t, const char *channel)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].channel, channel) == 0) return &t->rows[i];
    row *r = &t->rows[t->n < ENC_SENDSTATS_MAX ? t->n++ : ENC_SENDSTATS_MAX];
    if (r == &t->rows[ENC_SENDSTATS_MAX]) channel = "other";
    snprintf(r->channel, sizeof r->channel, "%s", channel);
    return r;
}

void enc_sendstats_add(enc_sendstats *t, const char *channel, int64_t attempts, int64_t temporary,
                       int64_t exhausted, int64_t permanent)
{
    pthread_mutex_lock(&t->mu);
    row *r = find(t, channel);
    r->attempts += attempts;
    r->temporary += temporary;
    r->exhausted += exhausted;
    r->permanent += permanent;
    pthread_mutex_unlock(&t->mu);
}

/* A label value as the text format wants it: backslash, quote and newline escaped. */
static void label(enc_buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"') enc_buf_addc(b, '\\');
        if (*v == '\n') enc_buf_adds(b, "\\n");
        else enc_buf_addc(b, *v);
    }
}

void enc_sendstats_metrics(enc_sendstats *t, enc_buf *b)
{
    pthread_mutex_lock(&t->mu);
    size_t n = t->n + (t->rows[ENC_SENDSTATS_MAX].channel[0] ? 1 : 0);
    const row *at[ENC_SENDSTATS_MAX + 1];
    for (size_t i = 0; i < t->n; i++) at[i] = &t->rows[i];
    if (n > t->n) at[t->n] = &t->rows[ENC_SENDSTATS_MAX];
    enc_buf_adds(b, "# HELP encore_messages_sent_total Send attempts handed to each channel's "
                    "provider by the dispatcher (accepted or not).\n"
                    "# TYPE encore_messages_sent_total counter\n");
    for (size_t i = 0; i < n; i++) {
        enc_buf_adds(b, "encore_messages_sent_total{channel=\"");
        label(b, at[i]->channel);
        enc_buf_printf(b, "\"} %lld\n", (long long)at[i]->attempts);
    }
    enc_buf_adds(b, "# HELP encore_send_failures_total Send attempts that failed, by channel and "
                    "reason (temporary: to be retried; exhausted: out of retries, dead; "
                    "permanent: never to succeed).\n"
                    "# TYPE encore_send_failures_total counter\n");
    static const char *const reason[3] = {"temporary", "exhausted", "permanent"};
    for (size_t i = 0; i < n; i++) {
        const int64_t v[3] = {at[i]->temporary, at[i]->exhausted, at[i]->permanent};
        for (int k = 0; k < 3; k++) {
            enc_buf_adds(b, "encore_send_failures_total{channel=\"");
            label(b, at[i]->channel);
            enc_buf_printf(b, "\",reason=\"%s\"} %lld\n", reason[k], (long long)v[k]);
        }
    }
    pthread_mutex_unlock(&t->mu);
}
