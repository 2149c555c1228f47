/* cmd_uplift.c — `encore uplift evaluate CAMPAIGN [--json]` (issue 19 item 4): fits the
 * two-model uplift estimator (intel/upmodel.h) on a campaign's members — treated against held
 * out, converted when a paid order came within the window after joining — on pre-treatment
 * features (store/store_uplift.h); judges it by the Qini curve and coefficient against random
 * targeting with a bootstrap interval (measure/qini.h) on the half of the members it was not
 * fitted on; then refits on every member and stores the model and every customer's predicted
 * uplift for the segment function uplift("CAMPAIGN") and the campaign option uplift_top. */
#include "cli/cli.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/map.h"
#include "base/mem.h"
#include "intel/upmodel.h"
#include "measure/qini.h"
#include "store/store_uplift.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: encore uplift evaluate CAMPAIGN [--window DAYS] [--boot N] [--seed N] [--json]\n"
    "  Fits who a campaign's message changes: two logistic models on the members' features\n"
    "  before they joined (days since last order, orders, sales, tenure), one on the treated\n"
    "  members, one on the holdout; a customer's predicted uplift is the difference of their\n"
    "  conversion probabilities. Converted = a paid order within DAYS (default 7) after joining.\n"
    "  Judged on the half of the members (by customer id) it was not fitted on: the Qini curve\n"
    "  and coefficient against random targeting with a bootstrap interval (N resamples, default\n"
    "  200), and the uplift per message when only the top share is sent to. Then refitted on\n"
    "  every member; the model and every customer's predicted uplift (features as of the end\n"
    "  of the window after the last member joined) are stored for uplift(\"CAMPAIGN\") in\n"
    "  segments and the campaign option \"uplift_top\". docs/models.md.\n";

/* The judging half: a hash of the customer id, so reruns split alike. */
static bool judge_row(int64_t id) { return enc_hash_u64((uint64_t)id ^ 0x5851f42d4c957f2dULL) & 1; }

typedef struct ev {
    const char *campaign;
    enc_uplift_member *m;
    size_t n, nt, nc, yt, yc, nfit, njudge;
    int64_t window, as_of, scored;
    enc_qini q;
    enc_upmodel model;
} ev;

static void model_json(enc_jw *w, const enc_churn_model *m, size_t n)
{
    enc_jw_obj(w);
    enc_jw_kint(w, "customers", (int64_t)n);
    enc_jw_knum(w, "intercept", m->intercept);
    enc_jw_key(w, "features");
    enc_jw_arr(w);
    for (int j = 0; j < ENC_UPLIFT_NF; j++) {
        enc_jw_obj(w);
        enc_jw_kstr(w, "name", enc_uplift_feature_name[j]);
        enc_jw_kbool(w, "log1p", enc_uplift_feature_log1p[j]);
        enc_jw_knum(w, "mean", m->mean[j]);
        enc_jw_knum(w, "sd", m->sd[j]);
        enc_jw_knum(w, "beta", m->beta[j]);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
}

static void write_models(enc_jw *w, const ev *e)
{
    enc_jw_obj(w);
    enc_jw_kstr(w, "estimator", "two-model logistic");
    enc_jw_kint(w, "window_days", e->window / 86400);
    enc_jw_key(w, "treated");
    model_json(w, &e->model.treated, e->model.n_treated);
    enc_jw_key(w, "control");
    model_json(w, &e->model.control, e->model.n_control);
    enc_jw_end(w);
}

static double top_at(const enc_qini *q, double x)
{
    int k = (int)lround(x * (q->points - 1));
    return q->top_uplift[k];
}

static void print_text(const ev *e)
{
    const enc_qini *q = &e->q;
    char d[16];
    printf("campaign %s: %zu members, %zu treated (%.2f %% converted), %zu held out (%.2f %%),"
           " converted = a paid order within %lld days of joining\n",
           e->campaign, e->n, e->nt, 100.0 * (double)e->yt / (double)e->nt, e->nc,
           100.0 * (double)e->yc / (double)e->nc, (long long)(e->window / 86400));
    printf("fitted on %zu members, judged on the other %zu (%zu treated, %zu held out)\n", e->nfit,
           e->njudge, q->n_treated, q->n_control);
    printf("Qini coefficient %.5f, %.0f %% interval [%.5f, %.5f] (random targeting 0)%s\n", q->coef,
           100 * q->level, q->lo, q->hi,
           q->lo > 0 ? "" : ": the interval holds 0, the model ranks no better than random");
    printf("uplift per message (treated - holdout conversion):\n");
    static const double share[] = {0.1, 0.2, 0.3, 0.5, 1.0};
    for (size_t i = 0; i < sizeof share / sizeof *share; i++)
        printf("  top %3.0f %% by predicted uplift  %+.4f\n", 100 * share[i], top_at(q, share[i]));
    printf("Qini curve (share targeted, incremental conversions per member, random):\n");
    for (int k = 0; k < q->points; k += (q->points - 1) / 10)
        printf("  %4.0f %%  %+.5f  %+.5f\n", 100 * q->frac[k], q->gain[k], q->frac[k] * q->ate);
    enc_fmt_date(d, sizeof d, e->as_of);
    printf("stored: the model refitted on all %zu members and the predicted uplift of %lld"
           " customers as of %s (segments: uplift(\"%s\"))\n",
           e->n, (long long)e->scored, d, e->campaign);
}

static void print_json(const ev *e)
{
    const enc_qini *q = &e->q;
    enc_buf b = {0};
    enc_jw w;
    char d[16];
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "campaign", e->campaign);
    enc_jw_kint(&w, "members", (int64_t)e->n);
    enc_jw_kint(&w, "treated", (int64_t)e->nt);
    enc_jw_kint(&w, "holdout", (int64_t)e->nc);
    enc_jw_kint(&w, "treated_converted", (int64_t)e->yt);
    enc_jw_kint(&w, "holdout_converted", (int64_t)e->yc);
    enc_jw_kint(&w, "window_days", e->window / 86400);
    enc_jw_kint(&w, "fitted_on", (int64_t)e->nfit);
    enc_jw_kint(&w, "judged_on", (int64_t)e->njudge);
    enc_jw_key(&w, "qini");
    enc_jw_obj(&w);
    enc_jw_knum(&w, "coefficient", q->coef);
    enc_jw_knum(&w, "lo", q->lo);
    enc_jw_knum(&w, "hi", q->hi);
    enc_jw_knum(&w, "level", q->level);
    enc_jw_kint(&w, "bootstrap", q->boot);
    enc_jw_knum(&w, "ate", q->ate);
    enc_jw_key(&w, "curve");
    enc_jw_arr(&w);
    for (int k = 0; k < q->points; k++) {
        enc_jw_obj(&w);
        enc_jw_knum(&w, "share", q->frac[k]);
        enc_jw_knum(&w, "gain", q->gain[k]);
        enc_jw_knum(&w, "random", q->frac[k] * q->ate);
        if (isfinite(q->top_uplift[k])) enc_jw_knum(&w, "uplift_per_message", q->top_uplift[k]);
        else {
            enc_jw_key(&w, "uplift_per_message");
            enc_jw_null(&w);
        }
        enc_jw_end(&w);
    }
    enc_jw_end(&w);
    enc_jw_end(&w);
    enc_jw_key(&w, "model");
    write_models(&w, e);
    enc_fmt_date(d, sizeof d, e->as_of);
    enc_jw_kstr(&w, "scored_as_of", d);
    enc_jw_kint(&w, "scored", e->scored);
    enc_jw_end(&w);
    enc_cli_print(&b);
    enc_buf_free(&b);
}

static enc_rc evaluate(enc_store *st, ev *e, int boot, uint64_t seed, enc_err *err)
{
    enc_rc rc = enc_store_uplift_members(st, e->campaign, e->window, &e->m, &e->n, err);
    if (rc) return rc;
    if (e->n == 0) return enc_fail(err, ENC_EUSAGE, "campaign '%s' has no members", e->campaign);
    size_t n = e->n;
    int64_t *ids = enc_xmalloc(n * sizeof *ids), *at = enc_xmalloc(n * sizeof *at);
    double *X = enc_xmalloc(n * ENC_UPLIFT_NF * sizeof *X), *tau = NULL;
    uint8_t *tr = enc_xmalloc(n), *y = enc_xmalloc(n), *judge = enc_xmalloc(n);
    int64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        ids[i] = e->m[i].customer_id;
        at[i] = e->m[i].at;
        tr[i] = !e->m[i].holdout;
        y[i] = e->m[i].converted;
        judge[i] = judge_row(ids[i]);
        e->nt += tr[i], e->nc += !tr[i];
        e->yt += tr[i] && y[i], e->yc += !tr[i] && y[i];
        if (at[i] > last) last = at[i];
    }
    if (e->nc == 0)
        rc = enc_fail(err, ENC_EUSAGE,
                      "campaign '%s' has no holdout: uplift needs a control group (the"
                      " campaign's \"holdout\" share)",
                      e->campaign);
    if (!rc) rc = enc_store_uplift_features(st, ids, at, 0, n, X, err);
    /* fit on one half, judge on the other */
    double *Xf = NULL, *Xj = NULL, *sj = NULL;
    uint8_t *trf = NULL, *yf = NULL, *trj = NULL, *yj = NULL;
    if (!rc) {
        Xf = enc_xmalloc(n * ENC_UPLIFT_NF * sizeof *Xf);
        Xj = enc_xmalloc(n * ENC_UPLIFT_NF * sizeof *Xj);
        sj = enc_xmalloc(n * sizeof *sj);
        trf = enc_xmalloc(n), yf = enc_xmalloc(n), trj = enc_xmalloc(n), yj = enc_xmalloc(n);
        for (size_t i = 0; i < n; i++) {
            double *dst = judge[i] ? Xj + e->njudge * ENC_UPLIFT_NF : Xf + e->nfit * ENC_UPLIFT_NF;
            memcpy(dst, X + i * ENC_UPLIFT_NF, ENC_UPLIFT_NF * sizeof *X);
            if (judge[i]) trj[e->njudge] = tr[i], yj[e->njudge++] = y[i];
            else trf[e->nfit] = tr[i], yf[e->nfit++] = y[i];
        }
        enc_upmodel half;
        rc = enc_upmodel_fit(Xf, trf, yf, e->nfit, ENC_UPLIFT_NF, enc_uplift_feature_log1p, &half,
                             err);
        if (!rc) {
            enc_upmodel_predict(&half, Xj, e->njudge, sj);
            rc = enc_qini_compute(sj, trj, yj, e->njudge, 101, boot, 0.95, seed, &e->q, err);
        }
    }
    if (!rc)
        rc = enc_upmodel_fit(X, tr, y, n, ENC_UPLIFT_NF, enc_uplift_feature_log1p, &e->model, err);
    /* every customer's predicted uplift as of the end of the last member's window */
    int64_t *all = NULL;
    size_t na = 0;
    if (!rc) rc = enc_store_uplift_customers(st, &all, &na, err);
    if (!rc) {
        e->as_of = last + e->window;
        double *Xa = enc_xmalloc((na ? na : 1) * ENC_UPLIFT_NF * sizeof *Xa);
        tau = enc_xmalloc((na ? na : 1) * sizeof *tau);
        rc = enc_store_uplift_features(st, all, NULL, e->as_of, na, Xa, err);
        if (!rc) enc_upmodel_predict(&e->model, Xa, na, tau);
        free(Xa);
    }
    if (!rc) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        write_models(&w, e);
        char *mj = enc_buf_steal(&b);
        rc = enc_store_uplift_save(st, e->campaign, (int64_t)time(NULL), mj, all, tau, na, err);
        free(mj);
        e->scored = (int64_t)na;
    }
    free(all);
    free(tau);
    free(Xf);
    free(Xj);
    free(sj);
    free(trf);
    free(yf);
    free(trj);
    free(yj);
    free(ids);
    free(at);
    free(X);
    free(tr);
    free(y);
    free(judge);
    return rc;
}

int cmd_uplift(enc_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc >= 2) {
            fputs(usage, stdout);
            return ENC_EXIT_OK;
        }
        return enc_cli_usage("uplift", usage, "needs a subcommand (evaluate)");
    }
    if (strcmp(argv[1], "evaluate") != 0)
        return enc_cli_usage("uplift", usage, "unknown subcommand '%s'", argv[1]);
    ev e = {.window = 7 * 86400};
    bool json = false;
    long boot = 200, seed = 1, days = 7;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        long *dst = strcmp(a, "--window") == 0 ? &days
                    : strcmp(a, "--boot") == 0 ? &boot
                    : strcmp(a, "--seed") == 0 ? &seed
                                               : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return ENC_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (dst) {
            long max = dst == &days ? 365 : dst == &boot ? 10000 : 2147483647L;
            long min = dst == &boot ? 0 : dst == &seed ? 0 : 1;
            if (i + 1 >= argc) return enc_cli_usage("uplift", usage, "%s needs a value", a);
            if (!enc_cli_parse_long(argv[++i], min, max, dst))
                return enc_cli_usage("uplift", usage,
                                     "%s: '%s' is not a whole number from %ld to %ld", a, argv[i],
                                     min, max);
        } else if (a[0] == '-' && a[1]) {
            return enc_cli_usage("uplift", usage, "unknown option '%s'", a);
        } else if (!e.campaign) {
            e.campaign = a;
        } else {
            return enc_cli_usage("uplift", usage, "unexpected argument '%s'", a);
        }
    }
    if (!e.campaign) return enc_cli_usage("uplift", usage, "evaluate needs a CAMPAIGN");
    e.window = (int64_t)days * 86400;
    enc_store *st = NULL;
    enc_err err = {0};
    enc_rc rc = enc_store_open(cli->db_path, &st, &err);
    if (!rc) rc = evaluate(st, &e, (int)boot, (uint64_t)seed, &err);
    enc_store_close(st);
    free(e.m);
    if (rc) return enc_cli_fail_err("uplift evaluate", &err);
    if (json) print_json(&e);
    else print_text(&e);
    return ENC_EXIT_OK;
}
