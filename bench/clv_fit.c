/* clv_fit.c — benchmark driver for the CLV models (run by bench/clv_fit.sh, which builds it
 * against build/libencore.a). Times each step of the CLV path on CDNOW master or on customers
 * drawn from the BG/NBD process (with Gamma-Gamma spend), prints one JSON line per run, and
 * can write the transactions as CSV for the Python baseline (bench/clv_fit_scipy.py).
 *   clv_fit cdnow FILE              CDNOW_master.txt, calibration to 1997-09-30, weeks
 *   clv_fit synth N SEED [CSV]      N customers, 12-week cohort, calibration 39 weeks, weeks
 *   clv_fit recover N SEED [FILE]   N customers in continuous time (no day rounding): fit time and
 *                                   recovered parameters; FILE gets the "x tx T" rows */
#include "intel/clv.h"
#include "intel/paretonbd.h"
#include "unit/clv_cdnow.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <time.h>

/* CPU seconds of this (single-threaded) process: stable on a shared machine, where wall time
 * also counts other people's jobs. wall() is reported beside it for the whole run. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Synthetic shop: first purchase on a day in [0, 84), purchases by the BG/NBD process (times
 * in weeks) to the end of a 39-week holdout after day 272, each purchase's value drawn from the
 * Gamma-Gamma model (nu ~ Gamma(q, gamma) per customer, value ~ Gamma(p, nu)). */
static void synth(size_t n, unsigned long seed, cdnow *c)
{
    const enc_bgnbd_params bg = {0.243, 4.414, 0.793, 2.426};
    const double p = 6.25, q = 3.74, g = 15.44;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    size_t cap = 4 * n + 16;
    memset(c, 0, sizeof *c);
    c->cust = malloc(cap * sizeof *c->cust);
    c->day = malloc(cap * sizeof *c->day);
    c->value = malloc(cap * sizeof *c->value);
    c->n_cust = n;
    double times[4096];
    for (size_t i = 0; i < n; i++) {
        int32_t first = (int32_t)gsl_rng_uniform_int(rng, 84);
        double horizon = (272 + 273 - first) / 7.0;
        size_t k = enc_bgnbd_draw(&bg, rng, horizon, times, 4096);
        if (k > 4096) k = 4096;
        double nu = gsl_ran_gamma(rng, q, 1 / g);
        for (size_t j = 0; j <= k; j++) {
            if (c->n == cap) {
                cap *= 2;
                c->cust = realloc(c->cust, cap * sizeof *c->cust);
                c->day = realloc(c->day, cap * sizeof *c->day);
                c->value = realloc(c->value, cap * sizeof *c->value);
            }
            c->cust[c->n] = (int32_t)i;
            c->day[c->n] = first + (j ? (int32_t)(times[j - 1] * 7) : 0);
            c->value[c->n] = gsl_ran_gamma(rng, p, 1 / nu);
            c->n++;
        }
    }
    gsl_rng_free(rng);
}

/* Parameter recovery in continuous time: the BG/NBD process exactly, no day rounding. */
static int recover(size_t n, unsigned long seed, const char *file)
{
    const enc_bgnbd_params truth = {0.243, 4.414, 0.793, 2.426};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    int32_t *x = malloc(n * sizeof *x);
    double *tx = malloc(n * sizeof *tx), *T = malloc(n * sizeof *T), times[4096];
    for (size_t i = 0; i < n; i++) {
        T[i] = 27 + 12 * gsl_rng_uniform(rng);
        size_t k = enc_bgnbd_draw(&truth, rng, T[i], times, 4096);
        x[i] = (int32_t)k;
        tx[i] = k ? times[(k < 4096 ? k : 4096) - 1] : 0;
    }
    gsl_rng_free(rng);
    if (file) {
        FILE *f = fopen(file, "w");
        for (size_t i = 0; i < n; i++) fprintf(f, "%d %.10g %.10g\n", x[i], tx[i], T[i]);
        fclose(f);
    }
    enc_clv_obs o = {n, x, tx, T, NULL};
    enc_bgnbd_fit f;
    enc_err e = {0};
    double t0 = now(), w0 = wall();
    enc_rc rc = enc_bgnbd_fit_ml(&o, NULL, &f, &e);
    double t_fit = now() - t0, w_fit = wall() - w0;
    printf("{\"data\": \"bgnbd_continuous\", \"customers\": %zu, \"fit_s\": %.3f, \"fit_wall_s\": "
           "%.3f, \"rc\": %d, "
           "\"iterations\": %d, \"evaluations\": %d, \"r\": %.4f, \"alpha\": %.4f, \"a\": %.4f, "
           "\"b\": %.4f, \"ll\": %.2f, \"truth\": [0.243, 4.414, 0.793, 2.426]}\n",
           n, t_fit, w_fit, rc, f.rep.iterations, f.rep.n_eval, f.p.r, f.p.alpha, f.p.a, f.p.b,
           f.ll);
    free(x), free(tx), free(T);
    return rc != ENC_OK;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "recover") == 0)
        return recover((size_t)atol(argv[2]), argc > 3 ? strtoul(argv[3], NULL, 10) : 1,
                       argc > 4 ? argv[4] : NULL);
    if (argc < 3) {
        fprintf(stderr, "usage: clv_fit cdnow FILE | clv_fit synth N SEED [CSV]\n");
        return 2;
    }
    cdnow c;
    int32_t cal_end;
    int is_synth = strcmp(argv[1], "synth") == 0;
    double t0 = now();
    if (is_synth) {
        synth((size_t)atol(argv[2]), argc > 3 ? strtoul(argv[3], NULL, 10) : 1, &c);
        cal_end = 272;
        if (argc > 4) {
            FILE *f = fopen(argv[4], "w");
            fprintf(f, "cust,day,value\n");
            for (size_t i = 0; i < c.n; i++)
                fprintf(f, "%d,%d,%.4f\n", c.cust[i], c.day[i], c.value[i]);
            fclose(f);
        }
    } else {
        if (cdnow_load(argv[2], 1, &c) != 0) {
            fprintf(stderr, "clv_fit: cannot read %s\n", argv[2]);
            return 1;
        }
        cal_end = cd_days(1997, 9, 30);
    }
    double t_load = now() - t0;

    enc_err e = {0};
    enc_clv_period pe = {.cal_end = cal_end, .holdout_end = cal_end + 273, .unit_days = 7};
    enc_clv_summary s;
    t0 = now();
    if (enc_clv_summarize(c.n, c.cust, c.day, c.value, c.n_cust, &pe, &s, &e)) {
        fprintf(stderr, "clv_fit: %s\n", e.msg);
        return 1;
    }
    double t_sum = now() - t0;
    enc_clv_obs o = enc_clv_summary_obs(&s);
    t0 = now();
    enc_clv_groups g;
    enc_clv_group(&o, &g);
    double t_group = now() - t0;

    enc_bgnbd_fit fu, fg;
    t0 = now();
    enc_rc rc1 = enc_bgnbd_fit_ml(&o, NULL, &fu, &e);
    double t_fit_u = now() - t0;
    t0 = now();
    enc_rc rc2 = enc_bgnbd_fit_ml(&g.obs, NULL, &fg, &e);
    double t_fit_g = now() - t0;
    /* as enc_clv_run does: repeaters with a positive mean spend (CDNOW master has $0 orders) */
    double *gw = malloc(s.n * sizeof *gw);
    size_t n_zero = 0;
    for (size_t i = 0; i < s.n; i++) {
        gw[i] = s.w[i] != 0 && s.x[i] > 0 && s.spend[i] > 0;
        n_zero += s.w[i] != 0 && s.x[i] > 0 && !(s.spend[i] > 0);
    }
    enc_gg_obs go = {s.n, s.x, s.spend, gw};
    enc_gg_fit gg;
    t0 = now();
    enc_rc rc3 = enc_gg_fit_ml(&go, NULL, &gg, &e);
    double t_gg = now() - t0;
    free(gw);
    enc_pnbd_fit pf;
    t0 = now();
    enc_rc rc4 = enc_pnbd_fit_ml(&g.obs, NULL, &pf, &e);
    double t_pnbd = now() - t0;
    double pred = 0;
    t0 = now();
    for (size_t i = 0; i < s.n; i++)
        if (s.w[i] != 0) pred += enc_bgnbd_expected(&fg.p, s.x[i], s.tx[i], s.T[i], 39);
    double t_pred = now() - t0;

    /* the whole one-call path: summary, grouping, both fits, P(alive), E[39 weeks], 12-month CLV */
    size_t n = c.n_cust;
    enc_clv_out out = {.p_alive = malloc(n * sizeof(double)),
                       .expected = malloc(n * sizeof(double)),
                       .spend = malloc(n * sizeof(double)),
                       .clv = malloc(n * sizeof(double))};
    enc_clv_opts opts = {
        .cal_end = cal_end, .unit_days = 7, .horizon = 39, .months = 12, .discount = 0.01};
    enc_clv_result res;
    t0 = now();
    double w0 = wall();
    enc_rc rc5 = enc_clv_run(c.n, c.cust, c.day, c.value, n, &opts, &out, &res, &e);
    double t_run = now() - t0, w_run = wall() - w0;

    printf("{\"data\": \"%s\", \"customers\": %zu, \"transactions\": %zu, \"groups\": %zu, "
           "\"repeaters\": %zu, \"repeat_cal\": %lld, \"repeat_holdout\": %lld, \"load_s\": %.3f, "
           "\"summary_s\": %.3f, "
           "\"group_s\": %.3f, \"bgnbd_fit_ungrouped_s\": %.3f, \"bgnbd_fit_grouped_s\": %.3f, "
           "\"gg_fit_s\": %.3f, \"pnbd_fit_grouped_s\": %.3f, \"predict_39w_s\": %.3f, "
           "\"one_call_s\": %.3f, \"one_call_wall_s\": %.3f, \"gg_iterations\": %d, "
           "\"gg_evaluations\": %d, \"rc\": [%d, %d, %d, %d, %d], "
           "\"bgnbd\": {\"r\": %.4f, \"alpha\": %.4f, \"a\": %.4f, \"b\": %.4f, \"ll\": %.2f, "
           "\"iterations\": %d}, "
           "\"bgnbd_ungrouped_ll\": %.2f, \"gg\": {\"p\": %.4f, \"q\": %.4f, \"gamma\": %.4f}, "
           "\"pnbd\": {\"r\": %.4f, \"alpha\": %.4f, \"s\": %.4f, \"beta\": %.4f, \"ll\": %.2f}, "
           "\"gg_zero_spend_left_out\": %zu, \"holdout_predicted\": %.1f}\n",
           is_synth ? "synthetic" : "cdnow_master", s.n_included, c.n, g.obs.n, s.n_repeaters,
           (long long)s.repeat_cal, (long long)s.repeat_holdout, t_load, t_sum, t_group, t_fit_u,
           t_fit_g, t_gg, t_pnbd, t_pred, t_run, w_run, gg.rep.iterations, gg.rep.n_eval, rc1, rc2,
           rc3, rc4, rc5, fg.p.r, fg.p.alpha, fg.p.a, fg.p.b, fg.ll, fg.rep.iterations, fu.ll,
           gg.p.p, gg.p.q, gg.p.gamma, pf.p.r, pf.p.alpha, pf.p.s, pf.p.beta, pf.ll, n_zero, pred);
    if (rc5) fprintf(stderr, "clv_fit: %s\n", e.msg);
    free(out.p_alive), free(out.expected), free(out.spend), free(out.clv);
    enc_clv_groups_free(&g);
    enc_clv_summary_free(&s);
    cdnow_free(&c);
    return rc1 || rc2 || rc3 || rc5;
}
