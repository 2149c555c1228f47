/* cmd_churn.c — `encore churn evaluate`: the churn model judged on a time split. It is trained
 * on the history before the as-of date exactly as `encore score` trains it, scores everybody who
 * had bought by then, and is compared with what happened in the horizon after, next to two
 * baselines (recency alone; 1 - P(alive) of the BG/NBD model). */
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
    .synopsis = "--as-of DATE [--horizon DAYS] [--pareto] [--config FILE] [--json]",
    .about =
        "  Trains the churn model on data up to the end of the as-of date, scores the customers\n"
        "  who had bought by then, and compares with who really bought in the next DAYS days\n"
        "  (default 90): ROC AUC of the model and of the recency and P(alive) (BG/NBD)\n"
        "  baselines; --pareto adds a Pareto/NBD P(alive) baseline (whose fit can take far\n"
        "  longer).\n",
    .late_setup = true,
};

static int churn_evaluate(enc_cli *cli, int argc, char **argv)
{
    const char *config = NULL;
    long horizon = -1;
    bool pareto = false, as_of_given = false;
    int64_t as_of = 0;
    const enc_opt opts[] = {
        OPT_DAY_END("as-of", &as_of, &as_of_given, "the split: trained on data up to its end"),
        OPT_INT("horizon", &horizon, "DAYS", 1, 3650, "the outcome window (default 90)"),
        OPT_BOOL("pareto", &pareto, "add the Pareto/NBD P(alive) baseline"),
        OPT_STRING("config", &config, "FILE", "the scoring settings (default encore.conf)"),
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
    enc_churn_eval ev;
    if (enc__load_snapshot(cli, st, until, &s, &err) ||
        enc_score_churn_evaluate(s, as_of, &cfg, pareto, &ev, &err)) {
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
        enc_jw_key(&w, "baselines");
        enc_jw_obj(&w);
        enc_jw_knum(&w, "recency", ev.auc_recency);
        enc_jw_knum(&w, "p_alive", ev.auc_p_alive);
        if (pareto) enc_jw_knum(&w, "p_alive_pareto", ev.auc_p_alive_pnbd);
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
        printf("  ROC AUC  model %.4f   recency only %.4f   P(alive) only %.4f (BG/NBD)", ev.auc,
               ev.auc_recency, ev.auc_p_alive);
        if (pareto) printf(", %.4f (Pareto/NBD)", ev.auc_p_alive_pnbd);
        printf("\n");
        if (warn[0]) printf("  warning: %s\n", warn);
        if (ev.p_alive_error[0]) printf("  warning: P(alive): %s\n", ev.p_alive_error);
        if (ev.pnbd_error[0]) printf("  warning: P(alive): %s\n", ev.pnbd_error);
    }
out:
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
