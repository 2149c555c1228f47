/* cmd_churn.c — `encore churn evaluate`: the churn model judged on a time split. It is trained
 * on the history before the as-of date exactly as `encore score` trains it, scores everybody who
 * had bought by then, and is compared with what happened in the horizon after, next to two
 * baselines (recency alone; 1 - P(alive) of the MBG/NBD model). */
#include "base/datetime.h"
#include "cli/intel_cli.h"
#include "cli/opts.h"
#include "base/json.h"
#include "intel/score.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const enc_usage usage = {
    .name = "churn evaluate",
    .synopsis =
        "--as-of DATE [--horizon DAYS] [--pareto] [--config FILE] [--features FILE] [--json]",
    .about =
        "  Trains the churn model on data up to the end of the as-of date, scores the customers\n"
        "  who had bought by then, and compares with who really bought in the next DAYS days\n"
        "  (default 90): ROC AUC of the model and of the recency and P(alive) (MBG/NBD)\n"
        "  baselines; --pareto adds a Pareto/NBD P(alive) baseline (whose fit can take far\n"
        "  longer). The model is picked on a held-out quarter of the training customers (trees,\n"
        "  logistic, or recency alone when the history is thin); a reliability table compares\n"
        "  predicted and observed churn. --features writes the training and evaluated feature\n"
        "  rows as CSV (no customer ids: set, churned, predicted, then the features) for an\n"
        "  independent check.\n",
    .late_setup = true,
};

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

static int churn_evaluate(enc_cli *cli, int argc, char **argv)
{
    const char *config = NULL, *features = NULL;
    long horizon = -1;
    bool pareto = false, as_of_given = false;
    int64_t as_of = 0;
    const enc_opt opts[] = {
        OPT_DAY_END("as-of", &as_of, &as_of_given, "the split: trained on data up to its end"),
        OPT_INT("horizon", &horizon, "DAYS", 1, 3650, "the outcome window (default 90)"),
        OPT_BOOL("pareto", &pareto, "add the Pareto/NBD P(alive) baseline"),
        OPT_STRING("config", &config, "FILE", "the scoring settings (default encore.conf)"),
        OPT_STRING("features", &features, "FILE", "write the feature rows as CSV"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    if (!as_of_given) return enc_opts_error(cli, &usage, opts, "needs --as-of");
    bool json = cli->json;
    enc_score_config cfg;
    if ((x = enc__load_config(cli, "churn", config, &cfg))) return x;
    if (horizon > 0) cfg.churn_horizon_days = (double)horizon;
    int64_t until = as_of + (int64_t)llround(cfg.churn_horizon_days * 86400);

    enc_err err = {0};
    enc_store *st = NULL;
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) {
        enc_score_config_free(&cfg);
        return x;
    }
    st = cli->st;
    enc_snapshot *s = NULL;
    int ret = ENC_EXIT_OK;
    enc_churn_eval ev = {.keep_rows = features != NULL};
    if (enc__load_snapshot(cli, st, until, &s, &err) ||
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
    enc_score_config_free(&cfg);
    return ret;
}

int cmd_churn(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"evaluate", churn_evaluate, "the churn model judged on a time split"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "churn", NULL, subs, NULL, argc, argv);
}
