/* snapshot.c — benchmark driver for the snapshot loader (bench/snapshot.sh): reads a store
 * into the snapshot, everything (the scoring path) and then each part alone (the customers'
 * ids come with every part), RUNS times each, and prints one JSON line of the best wall and
 * CPU seconds per part. Usage: snapshot DB AS_OF_EPOCH RUNS */
#include "snapshot/snapshot.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: snapshot DB AS_OF_EPOCH RUNS\n");
        return 2;
    }
    enc_err err;
    enc_store *st;
    if (enc_store_open(argv[1], &st, &err)) {
        fprintf(stderr, "snapshot: %s\n", err.msg);
        return 1;
    }
    int64_t as_of = atoll(argv[2]);
    int runs = atoi(argv[3]);
    static const struct {
        const char *name;
        unsigned parts;
    } P[] = {{"all", ENC_SNAP_ALL},
             {"ids", 0},
             {"customers", ENC_SNAP_CUSTOMERS},
             {"orders", ENC_SNAP_ORDERS | ENC_SNAP_DETAILS},
             {"orders_lines", ENC_SNAP_LINES | ENC_SNAP_DETAILS},
             {"orders_lines_narrow", ENC_SNAP_LINES},
             {"returns", ENC_SNAP_RETURNS},
             {"events", ENC_SNAP_EVENTS | ENC_SNAP_DETAILS},
             {"feedback", ENC_SNAP_FEEDBACK},
             {"consents", ENC_SNAP_CONSENTS}};
    printf("{");
    for (size_t k = 0; k < sizeof P / sizeof *P; k++) {
        double wall = 1e9, cpu = 1e9;
        size_t rows = 0;
        for (int r = 0; r < runs; r++) {
            enc_snapshot_opts o = {P[k].parts, INT64_MIN, INT64_MIN};
            enc_snapshot *s;
            double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
            if (enc_snapshot_load_opts(st, as_of, &o, &s, &err)) {
                fprintf(stderr, "snapshot: %s\n", err.msg);
                return 1;
            }
            double w = clock_s(CLOCK_MONOTONIC) - w0, c = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
            if (w < wall) wall = w;
            if (c < cpu) cpu = c;
            rows = s->ncust + s->nord + s->nline + s->nev;
            enc_snapshot_free(s);
        }
        printf("%s\"%s\":{\"wall\":%.4f,\"cpu\":%.4f,\"rows\":%zu}", k ? "," : "", P[k].name, wall,
               cpu, rows);
    }
    printf("}\n");
    enc_store_close(st);
    return 0;
}
