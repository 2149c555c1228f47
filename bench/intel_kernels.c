/* intel_kernels.c — benchmark driver for the intelligence kernels (src/intel): generates N
 * synthetic customers (default 1,000,000) with Poisson-like purchase histories, times each kernel
 * on them single-threaded, and writes the R/F/M columns and the RFM scores to OUTDIR so that
 * bench/rfm_pandas.py can time the pandas baseline on the same data and check equality.
 * Built and run by bench/intel_kernels.sh. Usage: intel_kernels N OUTDIR */
#include "base/mem.h"
#include "intel/auc.h"
#include "intel/cadence.h"
#include "intel/churn.h"
#include "intel/cluster.h"
#include "intel/lifecycle.h"
#include "intel/rfm.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rs = 2024;
static uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double unif(void) { return ((double)(rnd() >> 11) + 0.5) * 0x1.0p-53; }
static double expo(double mean) { return -mean * log(unif()); }
static double gauss(void) { return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif()); }

static double clock_of(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static double now(void) { return clock_of(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_of(CLOCK_THREAD_CPUTIME_ID); }

/* Every buffer is touched once when allocated, so the timings measure the kernels and not the
 * kernel's first-touch page faults (a scoring run reuses its buffers). */
static void *alloc(size_t n)
{
    void *p = enc_xmalloc(n);
    memset(p, 0, n);
    return p;
}

/* Wall time and this thread's CPU time: on a shared machine the CPU time is the kernel's cost,
 * the wall time what a user waits. */
static size_t N;
static void report(const char *what, double wall, double cput)
{
    printf("%-46s %8.1f ms wall %8.1f ms cpu  %7.1f ns/customer (cpu)\n", what, wall * 1e3,
           cput * 1e3, cput * 1e9 / (double)N);
    fflush(stdout);
}
#define TIME(what, stmt)                                                                           \
    do {                                                                                           \
        double t0_ = now(), c0_ = cpu();                                                           \
        stmt;                                                                                      \
        report(what, now() - t0_, cpu() - c0_);                                                    \
    } while (0)
#define OK(call)                                                                                   \
    do {                                                                                           \
        enc_err e_ = {0};                                                                          \
        (void)e_;                                                                                  \
        if ((call) != ENC_OK) {                                                                    \
            fprintf(stderr, "intel_kernels: %s failed\n", #call);                                  \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static void dump(const char *dir, const char *name, const void *p, size_t size, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, size, n, f) != n) {
        fprintf(stderr, "intel_kernels: cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    N = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    const char *dir = argc > 2 ? argv[2] : ".";
    const int64_t D = 86400, T0 = 1600000000;
    const double HORIZON = 1000; /* days of history */
    const int64_t as_of = T0 + (int64_t)(HORIZON * D), cut = as_of - 90 * D;

    /* purchases: first day uniform, rate ~ Gamma(2, 1/60) a day, dropout ~ Exp(400 days),
     * order value log-normal around 50 */
    int64_t *off = alloc((N + 1) * sizeof *off);
    size_t cap = N * 6, np = 0;
    int64_t *ts = alloc(cap * sizeof *ts);
    double *monetary = alloc(N * sizeof *monetary);
    off[0] = 0;
    for (size_t i = 0; i < N; i++) {
        double rate = (expo(1) + expo(1)) / 60, t = unif() * HORIZON * 0.9, death = t + expo(400);
        double spend = 0;
        do {
            ENC_GROW(ts, cap, np + 1);
            ts[np++] = T0 + (int64_t)(t * D);
            spend += exp(log(50) + 0.8 * gauss());
            t += expo(1 / rate);
        } while (t < HORIZON && t < death);
        off[i + 1] = (int64_t)np;
        monetary[i] = round(spend * 100); /* minor units */
    }
    printf("customers %zu, purchases %zu (%.2f a customer)\n", N, np, (double)np / (double)N);

    /* cadence at the as-of date */
    int32_t *occ = alloc(N * sizeof *occ), *c30 = alloc(N * sizeof *c30),
            *c90 = alloc(N * sizeof *c90), *c365 = alloc(N * sizeof *c365);
    double *ten = alloc(N * sizeof(double)), *rec = alloc(N * sizeof(double)),
           *mg = alloc(N * sizeof(double)), *sd = alloc(N * sizeof(double)),
           *lg = alloc(N * sizeof(double)), *dr = alloc(N * sizeof(double)),
           *eg = alloc(N * sizeof(double)), *med = alloc(N * sizeof(double));
    int64_t *next = alloc(N * sizeof *next);
    enc_cadence_out co = {occ, NULL, NULL, ten, rec, mg, sd, med, lg, dr, {c30, c90, c365},
                          eg,  next};
    enc_cadence_config cc;
    enc_cadence_config_default(&cc);
    cc.default_gap_days = 60;
    size_t wl = enc_cadence_ws_len(off, N);
    double *cws = alloc(wl * sizeof *cws);
    TIME("cadence (all features + next order)",
         OK(enc_cadence_compute(&cc, ts, off, N, as_of, NULL, &co, cws, wl, NULL)));

    /* replenishment: each customer's history as one category group, a 30-day cycle */
    double *cycle = alloc(N * sizeof *cycle), *iv = alloc(N * sizeof *iv);
    int64_t *due = alloc(N * sizeof *due);
    for (size_t i = 0; i < N; i++) cycle[i] = 30;
    TIME("replenishment dates (1 group a customer)",
         OK(enc_cadence_replenish(ts, NULL, off, N, cycle, 2, D, as_of, due, iv, cws, wl, NULL)));

    /* RFM: recency days, frequency (occasions), monetary */
    double *fr = alloc(N * sizeof *fr);
    for (size_t i = 0; i < N; i++) fr[i] = occ[i];
    uint8_t *r = alloc(N), *f = alloc(N), *m = alloc(N), *seg = alloc(N), *cn = alloc(N),
            *r1 = alloc(N), *f1 = alloc(N), *m1 = alloc(N);
    void *rws = alloc(enc_rfm_ws_size(N));
    enc_rfm_config rc;
    enc_rfm_config_default(&rc);
    /* best of three, like the pandas side */
    for (int ties = 0; ties < 2; ties++) {
        double bw = INFINITY, bc = INFINITY;
        rc.ties = ties ? ENC_RFM_TIES_FIRST : ENC_RFM_TIES_LOW;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = now(), c0 = cpu();
            if (ties) OK(enc_rfm_score(&rc, rec, fr, monetary, N, r1, f1, m1, rws, NULL));
            else OK(enc_rfm_score(&rc, rec, fr, monetary, N, r, f, m, rws, NULL));
            double w = now() - t0, c = cpu() - c0;
            bw = w < bw ? w : bw;
            bc = c < bc ? c : bc;
        }
        report(ties ? "RFM quintiles, 3 columns (ties first)"
                    : "RFM quintiles, 3 columns (ties low)",
               bw, bc);
    }
    TIME("RFM 11 segments", enc_rfm_segments(r, f, m, N, seg));
    enc_rfm_means mu;
    TIME("RFM CN 8 classes (means + classes)", {
        enc_rfm_means_of(rec, fr, monetary, N, &mu);
        enc_rfm_cn_classes(rec, fr, monetary, N, &mu, cn);
    });
    dump(dir, "recency.f64", rec, sizeof *rec, N);
    dump(dir, "frequency.f64", fr, sizeof *fr, N);
    dump(dir, "monetary.f64", monetary, sizeof *monetary, N);
    uint8_t *all = alloc(6 * N);
    memcpy(all, r, N), memcpy(all + N, f, N), memcpy(all + 2 * N, m, N);
    memcpy(all + 3 * N, r1, N), memcpy(all + 4 * N, f1, N), memcpy(all + 5 * N, m1, N);
    dump(dir, "scores_c.u8", all, 1, 6 * N);

    /* lifecycle: P(alive) stand-in and engagement counts */
    double *pa = alloc(N * sizeof *pa);
    int32_t *ev = alloc(N * sizeof *ev), *evb = alloc(N * sizeof *evb), *cp = alloc(N * sizeof *cp);
    for (size_t i = 0; i < N; i++) {
        pa[i] = unif();
        ev[i] = (int32_t)(rnd() % 6);
        evb[i] = (int32_t)(rnd() % 6);
        cp[i] = rnd() % 50 == 0;
    }
    enc_lc_config lc;
    enc_lc_config_default(&lc);
    enc_lc_input li = {N, occ, ten, rec, mg, lg, pa, ev};
    uint8_t *st = alloc(N), *cl = alloc(N);
    TIME("lifecycle stages", OK(enc_lc_stages(&lc, &li, st, NULL)));
    TIME("lifecycle classes", OK(enc_lc_classes(&lc, &li, cl, NULL)));

    /* churn: features at the cut-off (90 days before as-of), labels = no purchase after it */
    const int DD = ENC_CHURN_STD_D;
    double *X1 = alloc(N * DD * sizeof *X1), *X2 = alloc(N * DD * sizeof *X2);
    int32_t *occ1 = alloc(N * sizeof *occ1), *c901 = alloc(N * sizeof *c901);
    double *rec1 = alloc(N * sizeof(double)), *mg1 = alloc(N * sizeof(double)),
           *lg1 = alloc(N * sizeof(double));
    enc_cadence_out co1 = {
        .occasions = occ1, .recency_days = rec1, .mean_gap_days = mg1, .last_gap_days = lg1};
    co1.count[1] = c901;
    TIME("cadence at the cut-off (5 outputs)",
         OK(enc_cadence_compute(&cc, ts, off, N, cut, NULL, &co1, cws, wl, NULL)));
    enc_churn_std_input in1 = {N, occ1, rec1, mg1, lg1, c901, monetary, ev, evb, cp, 60};
    TIME("churn standard features", OK(enc_churn_std_build(&in1, X1, NULL)));
    enc_churn_std_input in2 = {N, occ, rec, mg, lg, c90, monetary, ev, evb, cp, 60};
    OK(enc_churn_std_build(&in2, X2, NULL));
    uint8_t *y = alloc(N);
    size_t nt = 0;
    for (size_t i = 0; i < N; i++) {
        if (occ1[i] <= 0) continue;
        memmove(X1 + nt * DD, X1 + i * DD, DD * sizeof *X1);
        y[nt++] = occ[i] == occ1[i]; /* no new occasion after the cut-off */
    }
    double *fws = alloc(enc_churn_ws_len(nt, DD) * sizeof *fws);
    enc_churn_opts opt;
    enc_churn_opts_default(&opt);
    opt.log1p = enc_churn_std_log1p;
    enc_churn_model cm;
    char what[96];
    double t0 = now(), c0 = cpu();
    OK(enc_churn_fit(X1, y, nt, DD, &opt, &cm, fws, NULL));
    snprintf(what, sizeof what, "churn fit (%zu rows x %d, %d Newton steps)", nt, DD,
             cm.iterations);
    report(what, now() - t0, cpu() - c0);
    double *p = alloc(N * sizeof *p);
    TIME("churn score", enc_churn_score(&cm, X2, N, p));
    int8_t *ridx = alloc(N * 3);
    float *rcon = alloc(N * 3 * sizeof *rcon);
    TIME("churn top-3 reasons", enc_churn_reasons(&cm, X2, N, 3, 0, ridx, rcon));
    double *pt = alloc(nt * sizeof *pt), auc = 0;
    enc_churn_score(&cm, X1, nt, pt);
    void *aws = alloc(enc_auc_ws_size(nt));
    TIME("AUC (training rows)", OK(enc_auc(pt, y, nt, &auc, aws, NULL)));
    printf("  churn: %zu training rows, %.1f%% churned, in-sample AUC %.3f\n", nt,
           100.0 * cm.n_pos / nt, auc);

    /* clusters on log1p frequency and spend, recency */
    double *XC = alloc(N * 3 * sizeof *XC);
    for (size_t i = 0; i < N; i++) {
        XC[3 * i] = rec[i];
        XC[3 * i + 1] = fr[i];
        XC[3 * i + 2] = monetary[i];
    }
    const uint8_t clg[3] = {0, 1, 1};
    enc_cluster_opts ko;
    enc_cluster_opts_default(&ko);
    ko.log1p = clg;
    int32_t *lab = alloc(N * sizeof *lab);
    enc_cluster_result kr;
    void *kws = alloc(enc_cluster_ws_size(N, 3, &ko));
    TIME("k-means, k chosen in 2..8 by silhouette",
         OK(enc_cluster_fit(XC, N, 3, &ko, lab, &kr, kws, NULL)));
    printf("  chosen k=%d (silhouette %.3f), final Lloyd iterations %d\n", kr.k, kr.silhouette,
           kr.iterations);
    for (int c = 0; c < kr.k; c++) {
        char desc[200];
        enc_cluster_describe(&kr, c, enc_cluster_rfm_features, 0.5, desc, sizeof desc);
        printf("  cluster %d: %7zu  %s\n", c, kr.size[c], desc);
    }
    ko.k = 5;
    TIME("k-means, k = 5", OK(enc_cluster_fit(XC, N, 3, &ko, lab, &kr, kws, NULL)));
    return 0; /* the process exit frees the arrays */
}
