/* audience.c — benchmark driver for the segment evaluator (bench/audience.sh): reads a store
 * into the snapshot once (the parts the expression needs, as `encore audience count` does),
 * then compiles and evaluates one expression over the in-memory columns several times, as a
 * campaign or a server holding the snapshot would. Prints one JSON line: customers, count,
 * seconds to read the store, the first compile (which loads the profile columns from the
 * table), and the best compile and evaluation of the later runs, on the wall clock and on this
 * thread's CPU clock (which holds on a busy machine).
 * Usage: audience DB NOW_EPOCH RUNS EXPR */
#include "audience/eval.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_s(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: audience DB NOW_EPOCH RUNS EXPR\n");
        return 2;
    }
    int64_t now = atoll(argv[2]);
    int runs = atoi(argv[3]);
    const char *expr = argv[4];
    enc_err err;
    enc_store *st;
    if (enc_store_open(argv[1], &st, &err)) {
        fprintf(stderr, "audience: %s\n", err.msg);
        return 1;
    }
    double t0 = now_s();
    enc_snapshot_opts need;
    enc_snapshot *snap;
    if (enc_aud_needs(st, expr, strlen(expr), now, &need, NULL, &err) ||
        enc_snapshot_load_opts(st, now, &need, &snap, &err)) {
        fprintf(stderr, "audience: %s\n", err.msg);
        return 1;
    }
    double t_load = now_s() - t0;
    enc_aud_env *env;
    enc_aud_env_new(snap, st, now, &env, &err);
    double first_compile = 0, best_compile = 1e9, best_run = 1e9, best_cpu = 1e9;
    size_t count = 0;
    for (int r = 0; r <= runs; r++) {
        double a = now_s(), ca = cpu_s();
        enc_aud_prog *p;
        if (enc_aud_compile(env, expr, strlen(expr), &p, NULL, &err)) {
            fprintf(stderr, "audience: %s\n", err.msg);
            return 1;
        }
        double b = now_s();
        enc_aud_set set;
        enc_aud_run(p, &set);
        double c = now_s(), cc = cpu_s();
        count = enc_aud_set_count(&set);
        enc_aud_set_free(&set);
        enc_aud_prog_free(p);
        if (r == 0) {
            first_compile = b - a; /* includes reading the profile columns */
            continue;
        }
        if (b - a < best_compile) best_compile = b - a;
        if (c - b < best_run) best_run = c - b;
        if (cc - ca < best_cpu) best_cpu = cc - ca;
    }
    printf("{\"customers\":%zu,\"count\":%zu,\"load_s\":%.3f,\"first_compile_s\":%.4f,"
           "\"compile_s\":%.6f,\"evaluate_s\":%.6f,\"cpu_s\":%.6f,\"profiles\":%zu}\n",
           snap->ncust, count, t_load, first_compile, best_compile, best_run, best_cpu,
           enc_aud_env_profiles(env));
    enc_aud_env_free(env);
    enc_snapshot_free(snap);
    enc_store_close(st);
    return 0;
}
