/* cmd_clv.c — `encore clv fit` and `encore clv evaluate`: the probabilistic CLV models on the
 * store's purchases. fit: BG/NBD and Gamma-Gamma (and with --pareto Pareto/NBD) maximum-likelihood
 * parameters at a calibration end. evaluate: the transaction models fitted on the calibration
 * period and their predicted repeat purchases in the holdout against the actual ones, in total and
 * per frequency group. Conventions (same-day purchases are one transaction; x, t_x, T; weeks or
 * days): docs/models.md. */
#include "cli/intel_cli.h"
#include "intel/mbgnbd.h"
#include "cli/opts.h"
#include "base/json.h"
#include "base/mem.h"
#include "intel/score.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char about[] =
    "  fit: BG/NBD and Gamma-Gamma parameters and log-likelihoods on purchases up to the end of\n"
    "       the calibration date (default: the last purchase day). Purchases of a customer on\n"
    "       one day count as one transaction.\n"
    "  evaluate: predicted against actual repeat purchases in the holdout (the day after the\n"
    "       calibration end to the holdout end), in total and per calibration frequency.\n"
    "  --pareto fits the Pareto/NBD model too (its likelihood can cost far more than BG/NBD's:\n"
    "       a fraction of a second on CDNOW, about 30 s on Online Retail).\n";

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct fits {
    enc_clv_summary sum;
    enc_clv_groups g;
    int has_bg, has_pn, has_gg, has_mbg;
    enc_bgnbd_fit bg, mbg;
    enc_pnbd_fit pn;
    enc_gg_fit gg;
    char pn_err[300], gg_err[300], mbg_err[300];
} fits;

/* Summary and fits; fails only when BG/NBD cannot be fitted. */
static enc_rc fit_all(const enc_score_tx *tx, size_t ncust, const enc_clv_period *pe, bool spend,
                      bool pareto, fits *f, enc_err *err)
{
    memset(f, 0, sizeof *f);
    enc_rc rc = enc_clv_summarize(tx->n, tx->cust, tx->day, tx->value, ncust, pe, &f->sum, err);
    if (rc) return rc;
    enc_clv_obs obs = enc_clv_summary_obs(&f->sum);
    enc_clv_group(&obs, &f->g);
    if ((rc = enc_bgnbd_fit_ml(&f->g.obs, NULL, &f->bg, err))) return rc;
    f->has_bg = 1;
    enc_err e2 = {0};
    if (enc_mbgnbd_fit_ml(&f->g.obs, &f->bg.p, &f->mbg, &e2) == ENC_OK) f->has_mbg = 1;
    else snprintf(f->mbg_err, sizeof f->mbg_err, "%.250s", e2.msg);
    enc_err_clear(&e2);
    if (pareto && enc_pnbd_fit_ml(&f->g.obs, NULL, &f->pn, &e2) == ENC_OK) f->has_pn = 1;
    else if (pareto) snprintf(f->pn_err, sizeof f->pn_err, "pareto/nbd: %.250s", e2.msg);
    if (spend) {
        size_t n = f->sum.n;
        double *gw = enc_xmalloc((n ? n : 1) * sizeof *gw);
        for (size_t i = 0; i < n; i++)
            gw[i] = f->sum.w[i] != 0 && f->sum.x[i] > 0 && f->sum.spend[i] > 0;
        enc_gg_obs go = {n, f->sum.x, f->sum.spend, gw};
        enc_err_clear(&e2);
        if (enc_gg_fit_ml(&go, NULL, &f->gg, &e2) == ENC_OK) f->has_gg = 1;
        else snprintf(f->gg_err, sizeof f->gg_err, "gamma-gamma: %.250s", e2.msg);
        free(gw);
    }
    return ENC_OK;
}

static void fits_free(fits *f)
{
    enc_clv_groups_free(&f->g);
    enc_clv_summary_free(&f->sum);
}

/* "key": {r, alpha, a, b, loglik, iterations, status} of a BG/NBD-family fit, or null. */
static void json_fit(enc_jw *w, const char *key, const enc_bgnbd_fit *f)
{
    enc_jw_key(w, key);
    if (!f) {
        enc_jw_null(w);
        return;
    }
    enc_jw_obj(w);
    enc_jw_knum(w, "r", f->p.r);
    enc_jw_knum(w, "alpha", f->p.alpha);
    enc_jw_knum(w, "a", f->p.a);
    enc_jw_knum(w, "b", f->p.b);
    enc_jw_knum(w, "loglik", f->ll);
    enc_jw_kint(w, "iterations", f->rep.iterations);
    enc_jw_kstr(w, "status", enc_optim_status_name(f->rep.status));
    enc_jw_end(w);
}

static void json_bg(enc_jw *w, const fits *f, bool pareto)
{
    json_fit(w, "bgnbd", &f->bg);
    json_fit(w, "mbgnbd", f->has_mbg ? &f->mbg : NULL); /* P(alive) (Batislam et al. 2007) */
    if (!pareto) return;
    enc_jw_key(w, "pareto_nbd");
    if (f->has_pn) {
        enc_jw_obj(w);
        enc_jw_knum(w, "r", f->pn.p.r);
        enc_jw_knum(w, "alpha", f->pn.p.alpha);
        enc_jw_knum(w, "s", f->pn.p.s);
        enc_jw_knum(w, "beta", f->pn.p.beta);
        enc_jw_knum(w, "loglik", f->pn.ll);
        enc_jw_kint(w, "iterations", f->pn.rep.iterations);
        enc_jw_kstr(w, "status", enc_optim_status_name(f->pn.rep.status));
        enc_jw_end(w);
    } else {
        enc_jw_null(w);
    }
}

static int do_fit(const enc_cli *cli, const char *cal_s, double unit, bool json, int digits,
                  bool pareto)
{
    int64_t cal_end_t = INT64_MAX;
    int32_t cal_day = 0;
    if (cal_s && (!enc__parse_day(cal_s, &cal_day) || !enc__parse_day_end(cal_s, &cal_end_t)))
        return enc_cli_usage("clv fit", about, "--calibration-end: '%s' is not a date YYYY-MM-DD",
                             cal_s);
    double t0 = now_s();
    enc_err err = {0};
    enc_store *st = NULL;
    enc_snapshot *s = NULL;
    enc_score_tx tx = {0};
    fits f;
    memset(&f, 0, sizeof f);
    int ret = ENC_EXIT_OK;
    if (enc_store_open(cli->db_path, &st, &err) ||
        enc__load_snapshot(cli, st, cal_end_t, &s, &err)) {
        ret = enc_cli_fail_err("clv", &err);
        goto out;
    }
    enc_score_transactions(s, cal_end_t, digits, &tx);
    if (!tx.n) {
        ret = enc_cli_fail("clv", "no purchases%s", cal_s ? " up to the calibration end" : "");
        goto out;
    }
    if (!cal_s) {
        cal_day = tx.day[0];
        for (size_t i = 1; i < tx.n; i++)
            if (tx.day[i] > cal_day) cal_day = tx.day[i];
    }
    enc_clv_period pe = {.cal_end = cal_day,
                         .holdout_end = cal_day,
                         .unit_days = unit,
                         .spend = ENC_CLV_SPEND_REPEAT};
    if (fit_all(&tx, s->ncust, &pe, true, pareto, &f, &err)) {
        ret = enc_cli_fail("clv", "fit: %s", err.msg);
        goto out;
    }
    char day[32];
    enc__fmt_day_end(day, sizeof day, ((int64_t)cal_day + 1) * 86400);
    const char *u = unit == 1 ? "day" : "week";
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "customers", (int64_t)f.sum.n_included);
        enc_jw_kint(&w, "repeaters", (int64_t)f.sum.n_repeaters);
        enc_jw_kint(&w, "repeat_transactions", f.sum.repeat_cal);
        enc_jw_kstr(&w, "calibration_end", day);
        enc_jw_kstr(&w, "unit", u);
        json_bg(&w, &f, pareto);
        enc_jw_key(&w, "gamma_gamma");
        if (f.has_gg) {
            enc_jw_obj(&w);
            enc_jw_knum(&w, "p", f.gg.p.p);
            enc_jw_knum(&w, "q", f.gg.p.q);
            enc_jw_knum(&w, "gamma", f.gg.p.gamma);
            enc_jw_knum(&w, "loglik", f.gg.ll);
            enc_jw_kint(&w, "customers", (int64_t)f.gg.n_used);
            enc_jw_end(&w);
        } else {
            enc_jw_null(&w);
        }
        enc_jw_key(&w, "warnings");
        enc_jw_arr(&w);
        if (f.pn_err[0]) enc_jw_str(&w, f.pn_err);
        if (f.gg_err[0]) enc_jw_str(&w, f.gg_err);
        enc_jw_end(&w);
        enc_jw_knum(&w, "seconds", now_s() - t0);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("CLV models on %zu customers (%zu with repeat purchases, %lld repeat transactions),"
               " calibration to %s, time in %ss\n",
               f.sum.n_included, f.sum.n_repeaters, (long long)f.sum.repeat_cal, day, u);
        printf("  BG/NBD       r %-8.4g alpha %-8.4g a %-8.4g b %-8.4g log-likelihood %.2f\n",
               f.bg.p.r, f.bg.p.alpha, f.bg.p.a, f.bg.p.b, f.bg.ll);
        if (f.has_pn)
            printf(
                "  Pareto/NBD   r %-8.4g alpha %-8.4g s %-8.4g beta %-6.4g log-likelihood %.2f\n",
                f.pn.p.r, f.pn.p.alpha, f.pn.p.s, f.pn.p.beta, f.pn.ll);
        if (f.has_gg)
            printf("  Gamma-Gamma  p %-8.4g q %-8.4g gamma %-8.4g (%zu customers) log-likelihood "
                   "%.2f\n",
                   f.gg.p.p, f.gg.p.q, f.gg.p.gamma, f.gg.n_used, f.gg.ll);
        if (f.pn_err[0]) printf("  warning: %s\n", f.pn_err);
        if (f.gg_err[0]) printf("  warning: %s\n", f.gg_err);
    }
out:
    fits_free(&f);
    enc_score_tx_free(&tx);
    enc_snapshot_free(s);
    enc_store_close(st);
    return ret;
}

/* Frequency groups of the evaluation: x = 0 .. NG-2 and NG-1 or more. */
enum { NG = 8 };

typedef struct eval_out {
    double predicted, mae, rmse;
    double g_pred[NG];
} eval_out;

static void evaluate_model(const fits *f, int model, eval_out *o)
{
    memset(o, 0, sizeof *o);
    const enc_clv_obs *go = &f->g.obs;
    double t = f->sum.holdout_len;
    double *ge = enc_xmalloc((go->n ? go->n : 1) * sizeof *ge);
    for (size_t k = 0; k < go->n; k++)
        ge[k] = model == 0 ? enc_bgnbd_expected(&f->bg.p, go->x[k], go->tx[k], go->T[k], t)
                           : enc_pnbd_expected(&f->pn.p, go->x[k], go->tx[k], go->T[k], t);
    size_t n = 0;
    for (size_t i = 0; i < f->sum.n; i++) {
        size_t k = f->g.of[i];
        if (k == SIZE_MAX) continue;
        double e = ge[k], a = f->sum.x_holdout[i];
        o->predicted += e;
        o->mae += fabs(e - a);
        o->rmse += (e - a) * (e - a);
        int x = f->sum.x[i] < NG - 1 ? f->sum.x[i] : NG - 1;
        o->g_pred[x] += e;
        n++;
    }
    if (n) {
        o->mae /= (double)n;
        o->rmse = sqrt(o->rmse / (double)n);
    }
    free(ge);
}

static int do_evaluate(const enc_cli *cli, const char *cal_s, const char *hold_s, double unit,
                       bool json, int digits, bool pareto)
{
    int32_t cal_day, hold_day;
    int64_t hold_end_t;
    if (!cal_s || !enc__parse_day(cal_s, &cal_day))
        return enc_cli_usage("clv evaluate", about, "evaluate needs --calibration-end YYYY-MM-DD");
    if (!hold_s || !enc__parse_day(hold_s, &hold_day) || !enc__parse_day_end(hold_s, &hold_end_t))
        return enc_cli_usage("clv evaluate", about, "evaluate needs --holdout-end YYYY-MM-DD");
    if (hold_day <= cal_day)
        return enc_cli_usage("clv evaluate", about,
                             "the holdout must end after the calibration end");
    enc_err err = {0};
    enc_store *st = NULL;
    enc_snapshot *s = NULL;
    enc_score_tx tx = {0};
    fits f;
    memset(&f, 0, sizeof f);
    int ret = ENC_EXIT_OK;
    if (enc_store_open(cli->db_path, &st, &err) ||
        enc__load_snapshot(cli, st, hold_end_t, &s, &err)) {
        ret = enc_cli_fail_err("clv", &err);
        goto out;
    }
    enc_score_transactions(s, hold_end_t, digits, &tx);
    enc_clv_period pe = {.cal_end = cal_day,
                         .holdout_end = hold_day,
                         .unit_days = unit,
                         .spend = ENC_CLV_SPEND_REPEAT};
    if (fit_all(&tx, s->ncust, &pe, false, pareto, &f, &err)) {
        ret = enc_cli_fail("clv", "fit: %s", err.msg);
        goto out;
    }
    /* actual repeat purchases per frequency group */
    double g_act[NG] = {0};
    size_t g_n[NG] = {0};
    for (size_t i = 0; i < f.sum.n; i++) {
        if (f.sum.w[i] == 0) continue;
        int x = f.sum.x[i] < NG - 1 ? f.sum.x[i] : NG - 1;
        g_act[x] += f.sum.x_holdout[i];
        g_n[x]++;
    }
    eval_out ev[2];
    evaluate_model(&f, 0, &ev[0]);
    if (f.has_pn) evaluate_model(&f, 1, &ev[1]);
    double actual = (double)f.sum.repeat_holdout;
    char dc[32], dh[32];
    enc__fmt_day_end(dc, sizeof dc, ((int64_t)cal_day + 1) * 86400);
    enc__fmt_day_end(dh, sizeof dh, hold_end_t);
    const char *u = unit == 1 ? "day" : "week";
    static const char *const mname[2] = {"bgnbd", "pareto_nbd"};
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "calibration_end", dc);
        enc_jw_kstr(&w, "holdout_end", dh);
        enc_jw_kstr(&w, "unit", u);
        enc_jw_knum(&w, "holdout_length", f.sum.holdout_len);
        enc_jw_kint(&w, "customers", (int64_t)f.sum.n_included);
        enc_jw_kint(&w, "repeat_transactions_calibration", f.sum.repeat_cal);
        enc_jw_kint(&w, "actual", f.sum.repeat_holdout);
        json_bg(&w, &f, pareto);
        for (int m = 0; m < 2; m++) {
            if (m == 1 && !f.has_pn) continue;
            char key[64];
            snprintf(key, sizeof key, "%s_holdout", mname[m]);
            enc_jw_key(&w, key);
            enc_jw_obj(&w);
            enc_jw_knum(&w, "predicted", ev[m].predicted);
            enc_jw_knum(&w, "error", ev[m].predicted - actual);
            enc_jw_knum(&w, "error_pct",
                        actual > 0 ? 100 * (ev[m].predicted - actual) / actual : NAN);
            enc_jw_knum(&w, "mae", ev[m].mae);
            enc_jw_knum(&w, "rmse", ev[m].rmse);
            enc_jw_key(&w, "by_frequency");
            enc_jw_arr(&w);
            for (int x = 0; x < NG; x++) {
                if (!g_n[x]) continue;
                enc_jw_obj(&w);
                char lab[16];
                snprintf(lab, sizeof lab, x == NG - 1 ? "%d+" : "%d", x);
                enc_jw_kstr(&w, "x", lab);
                enc_jw_kint(&w, "customers", (int64_t)g_n[x]);
                enc_jw_knum(&w, "actual", g_act[x]);
                enc_jw_knum(&w, "predicted", ev[m].g_pred[x]);
                enc_jw_knum(&w, "actual_mean", g_act[x] / (double)g_n[x]);
                enc_jw_knum(&w, "predicted_mean", ev[m].g_pred[x] / (double)g_n[x]);
                enc_jw_end(&w);
            }
            enc_jw_end(&w);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        char d0[32];
        enc__fmt_day_end(d0, sizeof d0, ((int64_t)cal_day + 2) * 86400);
        printf("holdout %s to %s (%.4g %ss) after calibration to %s: %zu customers\n", d0, dh,
               f.sum.holdout_len, u, dc, f.sum.n_included);
        printf("  actual repeat transactions %.0f\n", actual);
        for (int m = 0; m < 2; m++) {
            if (m == 1 && !f.has_pn) continue;
            printf("  %-11s predicted %.1f (%+.1f%%), per customer MAE %.3f, RMSE %.3f\n",
                   m ? "Pareto/NBD" : "BG/NBD", ev[m].predicted,
                   actual > 0 ? 100 * (ev[m].predicted - actual) / actual : NAN, ev[m].mae,
                   ev[m].rmse);
        }
        printf("\n  %-6s %9s %12s %12s%s\n", "x", "customers", "actual mean", "BG/NBD",
               f.has_pn ? "   Pareto/NBD" : "");
        for (int x = 0; x < NG; x++) {
            if (!g_n[x]) continue;
            char lab[16];
            snprintf(lab, sizeof lab, x == NG - 1 ? "%d+" : "%d", x);
            printf("  %-6s %9zu %12.3f %12.3f", lab, g_n[x], g_act[x] / (double)g_n[x],
                   ev[0].g_pred[x] / (double)g_n[x]);
            if (f.has_pn) printf(" %12.3f", ev[1].g_pred[x] / (double)g_n[x]);
            printf("\n");
        }
        if (f.pn_err[0]) printf("  warning: %s\n", f.pn_err);
    }
out:
    fits_free(&f);
    enc_score_tx_free(&tx);
    enc_snapshot_free(s);
    enc_store_close(st);
    return ret;
}

/* fit and evaluate: one body, told apart by argv[0] */
static int clv_sub(enc_cli *cli, int argc, char **argv)
{
    bool fit = strcmp(argv[0], "fit") == 0;
    const enc_usage usage = {
        .name = fit ? "clv fit" : "clv evaluate",
        .synopsis =
            fit ? "[--calibration-end YYYY-MM-DD] [--unit day|week] [--pareto] [--json]"
                : "--calibration-end YYYY-MM-DD --holdout-end YYYY-MM-DD [--unit day|week]\n"
                  "[--pareto] [--json]",
        .about = about,
    };
    const char *cal = NULL, *hold = NULL, *unit = NULL;
    bool pareto = false;
    const enc_opt opts[] = {
        OPT_STRING("calibration-end", &cal, "DAY", "the last day of the calibration period"),
        OPT_CHOICE("unit", &unit, "week|day",
                   "the models' time unit (default week, as the published CDNOW results)"),
        OPT_BOOL("pareto", &pareto, "fit the Pareto/NBD model too"),
        fit ? (enc_opt)OPT_END()
            : (enc_opt)OPT_STRING("holdout-end", &hold, "DAY", "the last day of the holdout"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_score_config cfg;
    if ((x = enc__load_config(cli, usage.name, NULL, &cfg))) return x;
    enc_err err = {0};
    if (unit && enc_score_config_set_unit(&cfg, unit, &err)) {
        enc_score_config_free(&cfg);
        return enc_opts_error(cli, &usage, opts, "--unit: %s", err.msg);
    }
    double u = cfg.clv_unit_days;
    int digits = cfg.money_digits;
    enc_score_config_free(&cfg);
    if (fit) return do_fit(cli, cal, u, cli->json, digits, pareto);
    return do_evaluate(cli, cal, hold, u, cli->json, digits, pareto);
}

int cmd_clv(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"fit", clv_sub, "BG/NBD, Pareto/NBD and Gamma-Gamma fits"},
        {"evaluate", clv_sub, "predicted against actual repeat purchases in a holdout"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "clv", about, subs, NULL, argc, argv);
}
