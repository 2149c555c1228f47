/* test_sendstats.c — src/server/sendstats.c: the per-channel send counters of GET /metrics add
 * up batch by batch, print every channel's series (at 0 when registered without sends), escape
 * label values, and keep a bounded table (later channels count under "other"). */
#include "harness.h"
#include "base/buf.h"
#include "server/sendstats.h"
#include <string.h>

static void counts_and_text(void)
{
    enc_sendstats *t = enc_sendstats_new();
    enc_sendstats_add(t, "sms", 0, 0, 0, 0);
    enc_sendstats_add(t, "email", 10, 2, 1, 3);
    enc_sendstats_add(t, "email", 5, 1, 0, 0);
    enc_sendstats_add(t, "we\"ird\\\n", 1, 0, 0, 1);
    enc_buf b = {0};
    enc_sendstats_metrics(t, &b);
    CHECK(strstr(b.p, "# TYPE encore_messages_sent_total counter\n") != NULL);
    CHECK(strstr(b.p, "# TYPE encore_send_failures_total counter\n") != NULL);
    CHECK(strstr(b.p, "encore_messages_sent_total{channel=\"sms\"} 0\n") != NULL);
    CHECK(strstr(b.p, "encore_messages_sent_total{channel=\"email\"} 15\n") != NULL);
    CHECK(strstr(b.p, "encore_send_failures_total{channel=\"email\",reason=\"temporary\"} 3\n"));
    CHECK(strstr(b.p, "encore_send_failures_total{channel=\"email\",reason=\"exhausted\"} 1\n"));
    CHECK(strstr(b.p, "encore_send_failures_total{channel=\"email\",reason=\"permanent\"} 3\n"));
    CHECK(strstr(b.p, "encore_send_failures_total{channel=\"sms\",reason=\"permanent\"} 0\n"));
    /* quote, backslash and newline escaped as the text format wants */
    CHECK(strstr(b.p, "encore_messages_sent_total{channel=\"we\\\"ird\\\\\\n\"} 1\n") != NULL);
    enc_buf_free(&b);
    enc_sendstats_free(t);
}

static void bounded(void)
{
    enc_sendstats *t = enc_sendstats_new();
    char name[32];
    for (int i = 0; i < ENC_SENDSTATS_MAX + 10; i++) {
        snprintf(name, sizeof name, "c%d", i);
        enc_sendstats_add(t, name, 1, 0, 0, 0);
    }
    enc_buf b = {0};
    enc_sendstats_metrics(t, &b);
    int series = 0;
    for (const char *p = b.p; (p = strstr(p, "encore_messages_sent_total{")); p++) series++;
    CHECK_INT(series, ENC_SENDSTATS_MAX + 1);
    CHECK(strstr(b.p, "encore_messages_sent_total{channel=\"c63\"} 1\n") != NULL);
    CHECK(strstr(b.p, "encore_messages_sent_total{channel=\"other\"} 10\n") != NULL);
    CHECK(strstr(b.p, "channel=\"c64\"") == NULL);
    enc_buf_free(&b);
    enc_sendstats_free(t);
}

int main(void)
{
    RUN(counts_and_text);
    RUN(bounded);
    return TEST_SUMMARY();
}
