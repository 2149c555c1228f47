/* cmd_score.c — `encore score`: reads the store once into a snapshot, scores every customer
 * (src/intel/score.c: RFM, lifecycle, CLV, churn, next order, preferences, tags, clusters),
 * replaces the stored profiles, and prints what was fitted. */
#include "cli/intel_cli.h"
#include "cli/opts.h"
#include "base/datetime.h"
#include "base/json.h"
#include "audience/profcache.h"
#include "intel/score.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const enc_usage usage = {
    .name = "score",
    .synopsis = "[--as-of DATE] [--json] [options]",
    .about = "  Scores every customer and stores one profile each (see 'encore profile', 'encore\n"
             "  segments').\n",
    .late_setup = true,
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void print_human(const enc_score *sc, double seconds, double load_s, double save_s)
{
    const enc_score_models *md = &sc->models;
    char day[32];
    enc__fmt_day_end(day, sizeof day, sc->as_of);
    printf("scored %zu customers (%zu with purchases) as of %s in %.2f s"
           " (reading %.2f s, models %.2f s, writing %.2f s)\n",
           sc->n, md->buyers, day, seconds, load_s, seconds - load_s - save_s, save_s);
    if (md->has_bgnbd)
        printf("  BG/NBD       r %.4g  alpha %.4g  a %.4g  b %.4g  log-likelihood %.1f (%s)\n",
               md->bg.p.r, md->bg.p.alpha, md->bg.p.a, md->bg.p.b, md->bg.ll,
               sc->cfg->clv_unit_days == 1 ? "days" : "weeks");
    if (md->has_gg)
        printf(
            "  Gamma-Gamma  p %.4g  q %.4g  gamma %.4g  (%zu repeat customers); CLV over %d months"
            " at %.3g%%/month\n",
            md->gg.p.p, md->gg.p.q, md->gg.p.gamma, md->gg.n_used, sc->cfg->clv_months,
            sc->cfg->clv_discount * 100);
    if (md->has_churn) {
        enc__fmt_day_end(day, sizeof day, md->churn_cutoff);
        printf("  churn        %g-day horizon, trained on %zu customers as of %s (%.1f%% churned),"
               " training AUC %.3f\n",
               sc->cfg->churn_horizon_days, md->churn.n_train, day, md->churn_rate * 100,
               md->churn_train_auc);
        printf("               model: %s\n", md->churn.note);
    }
    if (md->has_cluster) {
        printf("  clusters     k = %d, silhouette %.3f\n", md->cl.k, md->cl.silhouette);
        for (int q = 0; q < md->cl.k; q++)
            printf("    %d  %8zu  %s\n", q, md->cl.size[q], md->cluster_label[q]);
    }
    if (md->clv_error[0]) printf("  warning: clv: %s\n", md->clv_error);
    if (md->churn_error[0]) printf("  warning: churn: %s\n", md->churn_error);
    if (md->cluster_error[0]) printf("  warning: clusters: %s\n", md->cluster_error);
}

int cmd_score(enc_cli *cli, int argc, char **argv)
{
    const char *config = NULL, *unit = NULL;
    long horizon = -1, clusters = -1, threads = -1;
    bool as_of_given = false;
    int64_t as_of = 0;
    enc_opt opts[] = {
        OPT_DAY_END("as-of", &as_of, &as_of_given,
                    "score as of the end of DATE: later data is ignored\n(default: the day of the "
                    "latest order or event,\nnever later than today)"),
        OPT_STRING("config", &config, "FILE",
                   "settings (default $ENCORE_CONFIG,\nelse encore.conf beside the store)"),
        OPT_INT("horizon", &horizon, "DAYS", 1, 3650,
                "churn horizon: P(no purchase in the next DAYS days) (default 90)"),
        OPT_INT("clusters", &clusters, "K", 0, ENC_CLUSTER_MAX_K,
                "number of clusters, 0 = chosen by silhouette (default 0; never 1)"),
        OPT_CHOICE("unit", &unit, "week|day", "CLV model time unit (default week)"),
        OPT_INT("threads", &threads, "N", 1, 64, "threads for the per-customer passes (default 2)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    if (clusters == 1)
        return enc_opts_error(cli, &usage, opts, "--clusters: '1' is not 0 or 2..%d",
                              ENC_CLUSTER_MAX_K);
    bool json = cli->json;
    enc_score_config cfg;
    if ((x = enc__load_config(cli, "score", config, &cfg))) return x;
    enc_err err = {0};
    if (horizon > 0) cfg.churn_horizon_days = (double)horizon;
    if (clusters >= 0) cfg.cluster_k = (int)clusters;
    if (threads > 0) cfg.threads = (int)threads;
    if (unit && enc_score_config_set_unit(&cfg, unit, &err)) {
        enc_score_config_free(&cfg);
        return enc_opts_error(cli, &usage, opts, "--unit: %s", err.msg);
    }

    double t0 = now_s();
    int64_t started = (int64_t)time(NULL);
    /* without --as-of, never later than today: a row dated 2099 in the store must not move
     * every score (the data after today is left out) */
    const int64_t today_end = ((int64_t)time(NULL) / 86400 + 1) * 86400;
    enc_store *st = NULL;
    enc_snapshot *s = NULL;
    enc_score *sc = NULL;
    int ret = ENC_EXIT_OK;
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) {
        enc_score_config_free(&cfg);
        return x;
    }
    st = cli->st;
    if (enc__load_snapshot(cli, st, as_of_given ? as_of : today_end, &s, &err)) {
        ret = enc_cli_fail_err("score", &err);
        goto out;
    }
    if (!as_of_given) as_of = enc_score_default_as_of(s);
    if (!as_of) as_of = today_end; /* no orders or events: today */
    if (!s->ncust) {
        ret = enc_cli_fail("score", "the store has no customers: import some first");
        goto out;
    }
    double t1 = now_s();
    if (cli->tty) fprintf(stderr, "scoring %zu customers...", s->ncust);
    if (enc_score_run(s, as_of, &cfg, &sc, &err)) {
        if (cli->tty) fputc('\n', stderr);
        ret = enc_cli_fail_err("score", &err);
        goto out;
    }
    double t2 = now_s();
    if (cli->tty) fprintf(stderr, "\rwriting profiles...                 ");
    if (enc_score_save(st, sc, started, t2 - t0, &err)) {
        if (cli->tty) fputc('\n', stderr);
        ret = enc_cli_fail_err("score", &err);
        goto out;
    }
    if (cli->tty) fprintf(stderr, "\r                                    \r");
    /* the named RFM segments are defined on 1..5 (rfm.c maps other k onto it); with fewer
     * than 5 scores some cells cannot be reached: say so rather than leave them empty */
    if (cfg.rfm.k < 5)
        fprintf(stderr,
                "encore: score: warning: rfm.k = %d: scores are mapped onto the 1..5 grid of the"
                " named segments; %s cannot occur with so few scores (docs/scoring.md)\n",
                cfg.rfm.k,
                cfg.rfm.k == 4 ? "the segments that need R = 3 (Need Attention, About To Sleep)"
                               : "Promising, Need Attention, About To Sleep and others that need"
                                 " a middle score");
    /* the profile columns audiences read (audience/profcache.h), for the profiles just written */
    double tc = now_s();
    enc_err cerr = {0};
    if (enc_profcache_build_if_enabled(st, &cerr))
        fprintf(stderr, "encore: score: profile cache: %s\n", cerr.msg);
    double t3 = now_s();
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "customers", (int64_t)sc->n);
        char day[32];
        enc__fmt_day_end(day, sizeof day, sc->as_of);
        enc_jw_kstr(&w, "as_of", day);
        enc_jw_kround(&w, "seconds", t3 - t0, ENC_DP_SECONDS);
        enc_score_models_json(sc, &w);
        enc_jw_key(&w, "timings");
        enc_jw_obj(&w);
        enc_jw_kround(&w, "snapshot", t1 - t0, ENC_DP_SECONDS);
        enc_jw_kround(&w, "features", sc->t_features, ENC_DP_SECONDS);
        enc_jw_kround(&w, "clv", sc->t_clv, ENC_DP_SECONDS);
        enc_jw_kround(&w, "churn", sc->t_churn, ENC_DP_SECONDS);
        enc_jw_kround(&w, "rfm", sc->t_rfm, ENC_DP_SECONDS);
        enc_jw_kround(&w, "clusters", sc->t_cluster, ENC_DP_SECONDS);
        enc_jw_kround(&w, "tags", sc->t_tags, ENC_DP_SECONDS);
        enc_jw_kround(&w, "write", tc - t2, ENC_DP_SECONDS);
        enc_jw_kround(&w, "profile_cache", t3 - tc, ENC_DP_SECONDS);
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        print_human(sc, t3 - t0, t1 - t0, t3 - t2);
    }
out:
    enc_score_free(sc);
    enc_snapshot_free(s);
    enc_score_config_free(&cfg);
    return ret;
}
