/* cmd_churn.c — `encore churn evaluate`: the churn model judged on a time split. It is trained
 * on the history before the as-of date exactly as `encore score` trains it, scores everybody who
 * had bought by then, and is compared with what happened in the horizon after, next to two
 * baselines (recency alone; 1 - P(alive) of the MBG/NBD model). */
#include "base/datetime.h"
#include "cli/intel_cli.h"
#include "base/json.h"
#include "intel/score.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: encore churn evaluate --as-of YYYY-MM-DD [--horizon DAYS] [--pareto] [--json]\n"
    "                             [--config FILE] [--features FILE]\n"
    "  Trains the churn model on data up to the end of the as-of date, scores the customers who\n"
    "  had bought by then, and compares with who really bought in the next DAYS days (default\n"
    "  90): ROC AUC of the model and of the recency and P(alive) (MBG/NBD) baselines; --pareto\n"
    "  adds a Pareto/NBD P(alive) baseline (whose fit can take far longer). The model is\n"
    "  picked on a held-out quarter of the training customers (trees, logistic, or recency\n"
    "  alone when the history is thin); a reliability table compares predicted and observed\n"
    "  churn. --features writes the training and evaluated feature rows as CSV (no customer\n"
    "  ids: set, churned, predicted, then the features) for an independent check.\n";

/* The feature rows as CSV: set (train|eval), churned, p (empty for training rows), features. */
static enc_rc write_features(const char *path, const enc_churn_eval *ev, enc_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f) return enc_fail(err, ENC_EIO, "--features: cannot write %s", path);
    const enc_churn_feature *ft = enc_score_feature_table();
    fputs("set,churned,p", f);
    for (int j = 0; j < ENC_SCORE_D; j++) fprintf(f, ",%s", ft[j].name);
    fputc('\n', f);
    for (int set = 0; set < 2; set++) {
        size_t n = set ? ev->n_eval : ev->n_train;
        const double *X = set ? ev->X_eval : ev->X_train;
        const uint8_t *y = set ? ev->y_eval : ev->y_train;
        if (!X) continue;
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%s,%d,", set ? "eval" : "train", y[i]);
            if (set) fprintf(f, "%.17g", ev->p_eval[i]);
            for (int j = 0; j < ENC_SCORE_D; j++) {
                double v = X[i * ENC_SCORE_D + j];
                if (isfinite(v)) fprintf(f, ",%.17g", v);
                else fputc(',', f);
            }
            fputc('\n', f);
        }
    }
    if (fclose(f) != 0) return enc_fail(err, ENC_EIO, "--features: cannot write %s", path);
    return ENC_OK;
}

int cmd_churn(enc_cli *cli, int argc, char **argv)
{
    enum { OPT_ASOF = 1000, OPT_HORIZON, OPT_JSON, OPT_CONFIG, OPT_PARETO, OPT_FEATURES, OPT_HELP };
    static const struct option opts[] = {
        {"as-of", required_argument, NULL, OPT_ASOF},
        {"horizon", required_argument, NULL, OPT_HORIZON},
        {"json", no_argument, NULL, OPT_JSON},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"pareto", no_argument, NULL, OPT_PARETO},
        {"features", required_argument, NULL, OPT_FEATURES},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    const char *as_of_s = NULL, *config = NULL, *features = NULL;
    long horizon = -1;
    bool json = false, pareto = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_ASOF: as_of_s = optarg; break;
        case OPT_JSON: json = true; break;
        case OPT_PARETO: pareto = true; break;
        case OPT_CONFIG: config = optarg; break;
        case OPT_FEATURES: features = optarg; break;
        case OPT_HORIZON:
            if (!enc_cli_parse_long(optarg, 1, 3650, &horizon))
                return enc_cli_usage("churn", usage, "--horizon: '%s' is not 1..3650 days", optarg);
            break;
        default: return enc_cli_usage("churn", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc || strcmp(argv[optind], "evaluate") != 0)
        return enc_cli_usage("churn", usage,
                             optind < argc ? "unknown action '%s'" : "needs an action%s",
                             optind < argc ? argv[optind] : " (evaluate)");
    if (optind + 1 < argc)
        return enc_cli_usage("churn", usage, "unexpected argument '%s'", argv[optind + 1]);
    int64_t as_of;
    if (!as_of_s) return enc_cli_usage("churn", usage, "needs --as-of");
    if (!enc__parse_day_end(as_of_s, &as_of))
        return enc_cli_usage("churn", usage, "--as-of: '%s' is not a time (" ENC_TIME_FORMS ")",
                             as_of_s);
    enc_score_config cfg;
    int x = enc__load_config(cli, "churn", config, &cfg);
    if (x) return x;
    if (horizon > 0) cfg.churn_horizon_days = (double)horizon;
    int64_t until = as_of + (int64_t)llround(cfg.churn_horizon_days * 86400);

    enc_err err = {0};
    enc_store *st = NULL;
    enc_snapshot *s = NULL;
    int ret = ENC_EXIT_OK;
    enc_churn_eval ev = {.keep_rows = features != NULL};
    if (enc_store_open(cli->db_path, &st, &err) || enc__load_snapshot(cli, st, until, &s, &err) ||
        enc_score_churn_evaluate(s, as_of, &cfg, pareto, &ev, &err) ||
        (features && write_features(features, &ev, &err))) {
        ret = enc_cli_fail_err("churn", &err);
        goto out;
    }
    int64_t data_end = enc_score_default_as_of(s);
    char warn[200] = "";
    char d_asof[32], d_cut[32], d_until[32], d_end[32];
    enc__fmt_day_end(d_asof, sizeof d_asof, ev.as_of);
    enc__fmt_day_end(d_cut, sizeof d_cut, ev.cutoff);
    enc__fmt_day_end(d_until, sizeof d_until, ev.until);
    enc__fmt_day_end(d_end, sizeof d_end, data_end);
    if (data_end < ev.until)
        snprintf(warn, sizeof warn,
                 "the data end on %s, before the end of the horizon (%s): later"
                 " purchases are unknown and count as churn",
                 d_end, d_until);
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "as_of", d_asof);
        enc_jw_knum(&w, "horizon_days", cfg.churn_horizon_days);
        enc_jw_kstr(&w, "outcome_until", d_until);
        enc_jw_kstr(&w, "trained_until", d_cut);
        enc_jw_kint(&w, "trained_on", (int64_t)ev.n_train);
        enc_jw_knum(&w, "train_churn_rate", ev.train_churn_rate);
        enc_jw_kint(&w, "customers", (int64_t)ev.n_eval);
        enc_jw_kint(&w, "churned", (int64_t)ev.n_churned);
        enc_jw_knum(&w, "auc", ev.auc);
        enc_jw_kstr(&w, "model", enc_churn_kind_name(ev.model.kind));
        enc_jw_kstr(&w, "model_note", ev.model.note);
        enc_jw_kint(&w, "trees", ev.model.kind == ENC_CHURN_GBT ? ev.model.gbt.trees : 0);
        enc_jw_key(&w, "validation");
        enc_jw_obj(&w);
        enc_jw_kint(&w, "customers", (int64_t)ev.model.n_val);
        enc_jw_knum(&w, "auc_recency", ev.model.val_auc[0]);
        enc_jw_knum(&w, "auc_logistic", ev.model.val_auc[1]);
        enc_jw_knum(&w, "auc_trees", ev.model.val_auc[2]);
        enc_jw_end(&w);
        enc_jw_key(&w, "baselines");
        enc_jw_obj(&w);
        enc_jw_knum(&w, "recency", ev.auc_recency);
        enc_jw_knum(&w, "p_alive", ev.auc_p_alive);
        enc_jw_knum(&w, "p_buy_horizon", ev.auc_p_buy);
        if (pareto) enc_jw_knum(&w, "p_alive_pareto", ev.auc_p_alive_pnbd);
        enc_jw_end(&w);
        enc_jw_knum(&w, "brier", ev.brier);
        enc_jw_key(&w, "reliability");
        enc_jw_arr(&w);
        for (int k = 0; k < 10; k++) {
            if (!ev.reliability[k].n) continue;
            enc_jw_obj(&w);
            enc_jw_knum(&w, "from", k / 10.0);
            enc_jw_knum(&w, "to", (k + 1) / 10.0);
            enc_jw_kint(&w, "customers", (int64_t)ev.reliability[k].n);
            enc_jw_knum(&w, "predicted", ev.reliability[k].mean_p);
            enc_jw_knum(&w, "observed", ev.reliability[k].rate);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_key(&w, "warnings");
        enc_jw_arr(&w);
        if (warn[0]) enc_jw_str(&w, warn);
        if (ev.p_alive_error[0]) enc_jw_str(&w, ev.p_alive_error);
        if (ev.pnbd_error[0]) enc_jw_str(&w, ev.pnbd_error);
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("churn model, %g-day horizon, as of %s\n", cfg.churn_horizon_days, d_asof);
        printf("  trained on %zu customers with features as of %s (%.1f%% churned in the next %g "
               "days)\n",
               ev.n_train, d_cut, ev.train_churn_rate * 100, cfg.churn_horizon_days);
        printf("  evaluated on %zu customers: %zu (%.1f%%) made no purchase up to %s\n", ev.n_eval,
               ev.n_churned, 100.0 * (double)ev.n_churned / (double)ev.n_eval, d_until);
        printf("  ROC AUC  model %.4f   recency only %.4f   P(alive) only %.4f (MBG/NBD)", ev.auc,
               ev.auc_recency, ev.auc_p_alive);
        if (pareto) printf(", %.4f (Pareto/NBD)", ev.auc_p_alive_pnbd);
        printf("\n           P(no purchase in %g days | MBG/NBD) %.4f\n", cfg.churn_horizon_days,
               ev.auc_p_buy);
        printf("  model: %s\n", ev.model.note);
        printf("  reliability (Brier score %.4f):\n    predicted      customers  mean predicted  "
               "churned\n",
               ev.brier);
        for (int b = 0; b < 10; b++)
            if (ev.reliability[b].n)
                printf("    %.1f - %.1f  %13zu  %14.3f  %7.3f\n", b / 10.0, (b + 1) / 10.0,
                       ev.reliability[b].n, ev.reliability[b].mean_p, ev.reliability[b].rate);
        if (warn[0]) printf("  warning: %s\n", warn);
        if (ev.p_alive_error[0]) printf("  warning: P(alive): %s\n", ev.p_alive_error);
        if (ev.pnbd_error[0]) printf("  warning: P(alive): %s\n", ev.pnbd_error);
    }
out:
    enc_churn_eval_free(&ev);
    enc_snapshot_free(s);
    enc_store_close(st);
    enc_score_config_free(&cfg);
    return ret;
}
