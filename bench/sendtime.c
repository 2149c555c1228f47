/* sendtime.c — benchmark driver for send-time fitting (run by bench/sendtime.sh): times
 * enc_sendtime_fit over a whole store (every customer's opens, clicks and paid orders, one
 * scan) and prints one JSON line: customers, weighted responses, CPU and wall seconds.
 *   sendtime DB [ZONE] */
#include "intel/sendtime_fit.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sendtime DB [ZONE]\n");
        return 2;
    }
    enc_err err;
    enc_store *st;
    enc_tz *tz = NULL;
    if (enc_store_open(argv[1], &st, &err) || (argc > 2 && enc_tz_load(argv[2], &tz, &err))) {
        fprintf(stderr, "sendtime: %s\n", err.msg);
        return 1;
    }
    double c0 = cpu(), w0 = wall();
    enc_sendtime_best_row *r;
    size_t n;
    if (enc_sendtime_fit(st, tz, INT64_MIN, INT64_MAX, 0, NULL, &r, &n, NULL, &err)) {
        fprintf(stderr, "sendtime: %s\n", err.msg);
        return 1;
    }
    double c1 = cpu(), w1 = wall(), resp = 0;
    for (size_t i = 0; i < n; i++) resp += r[i].responses;
    printf(
        "{\"customers\": %zu, \"weighted_responses\": %.0f, \"cpu_s\": %.3f, \"wall_s\": %.3f}\n",
        n, resp, c1 - c0, w1 - w0);
    free(r);
    enc_tz_free(tz);
    enc_store_close(st);
    return 0;
}
