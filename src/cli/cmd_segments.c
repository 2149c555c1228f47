/* cmd_segments.c — `encore segments`: the stored profiles grouped by RFM segment, Chinese RFM
 * class, lifecycle stage, cluster or tag — customers, share of revenue and mean CLV each. */
#include "cli/intel_cli.h"
#include "cli/opts.h"
#include "base/json.h"
#include "base/utf8.h"
#include "measure/analytics.h"
#include "store/store_analytics.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* display columns of a UTF-8 label (CJK counts two) */
static int width(const char *s) { return (int)enc_utf8_width(s, strlen(s)); }

static const enc_usage usage = {
    .name = "segments",
    .synopsis = "[--by KIND] [--json]\n--migration [--by rfm|rfm_cn|lifecycle] [--json]",
    .about =
        "  Customers, revenue share and mean CLV per segment of the latest 'encore score' run\n"
        "  (default --by rfm). With --by tag a customer counts once in each of their tags.\n"
        "  --migration: how many customers moved from each segment to each other between the two\n"
        "  latest scoring runs ((new): not scored in the earlier run; (gone): merged away).\n",
    .late_setup = true,
};

/* --migration: the matrix of moves between the two latest runs (store_analytics.h) */
static int migration(enc_cli *cli, const char *by, bool json)
{
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_migration m;
    bool found;
    int ret = ENC_EXIT_OK;
    if (enc_store_migration(st, by, &m, &found, &err)) ret = enc_cli_fail_err("segments", &err);
    else if (!found)
        ret = enc_cli_fail("segments", "a migration needs two scoring runs: run 'encore score' "
                                       "again later");
    if (ret) goto done;
    char d0[32], d1[32];
    enc__fmt_day_end(d0, sizeof d0, m.from_as_of);
    enc__fmt_day_end(d1, sizeof d1, m.to_as_of);
    if (json) { /* the document GET /v1/analytics/migration answers (measure/analytics.c) */
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        bool again;
        if (enc_migration_json(st, by, &w, &again, &err)) ret = enc_cli_fail_err("segments", &err);
        else enc_cli_print(&b);
        enc_buf_free(&b);
        goto done;
    }
    /* human: rows are the earlier run's segments, columns the later run's */
    const char *rows[64], *cols[64];
    size_t nr = 0, nc = 0;
    for (size_t i = 0; i < m.n; i++) {
        const char *f = m.cells[i].from ? m.cells[i].from : "(new)";
        const char *t = m.cells[i].to ? m.cells[i].to : "(gone)";
        size_t k = 0;
        while (k < nr && strcmp(rows[k], f) != 0) k++;
        if (k == nr && nr < 64) rows[nr++] = f;
        k = 0;
        while (k < nc && strcmp(cols[k], t) != 0) k++;
        if (k == nc && nc < 64) cols[nc++] = t;
    }
    printf("customers moving between segments by %s: run %lld (as of %s) to run %lld (as of "
           "%s)\n\n",
           by, (long long)m.from_run, d0, (long long)m.to_run, d1);
    int kw = 6;
    for (size_t i = 0; i < nr; i++)
        if (width(rows[i]) > kw) kw = width(rows[i]);
    printf("%*s", kw, "");
    for (size_t j = 0; j < nc; j++) {
        int cw = width(cols[j]) > 8 ? width(cols[j]) : 8;
        printf(" %*s%s", cw - width(cols[j]), "", cols[j]);
    }
    putchar('\n');
    for (size_t i = 0; i < nr; i++) {
        printf("%s%*s", rows[i], kw - width(rows[i]), "");
        for (size_t j = 0; j < nc; j++) {
            int64_t v = 0;
            for (size_t x = 0; x < m.n; x++) {
                const char *f = m.cells[x].from ? m.cells[x].from : "(new)";
                const char *t = m.cells[x].to ? m.cells[x].to : "(gone)";
                if (strcmp(f, rows[i]) == 0 && strcmp(t, cols[j]) == 0) v = m.cells[x].customers;
            }
            int cw = width(cols[j]) > 8 ? width(cols[j]) : 8;
            printf(" %*lld", cw, (long long)v);
        }
        putchar('\n');
    }
done:
    if (found || m.arena) enc_store_migration_free(&m);
    return ret;
}

int cmd_segments(enc_cli *cli, int argc, char **argv)
{
    const char *by = "rfm";
    bool moves = false;
    const enc_opt opts[] = {
        OPT_CHOICE("by", &by, "rfm|rfm_cn|lifecycle|cluster|tag", "the grouping (default rfm)"),
        OPT_BOOL("migration", &moves,
                 "moves between the two latest runs (--by rfm|rfm_cn|lifecycle)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    if (moves && strcmp(by, "rfm") != 0 && strcmp(by, "rfm_cn") != 0 &&
        strcmp(by, "lifecycle") != 0)
        return enc_opts_error(cli, &usage, opts,
                              "--migration: --by is rfm, rfm_cn or lifecycle, not '%s'", by);
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) return x;
    if (moves) return migration(cli, by, cli->json);

    int digits = cli->money_digits;
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_score_run_info run;
    bool found;
    enc_segment_list l = {0};
    int ret = ENC_EXIT_OK;
    if (enc_store_score_run_last(st, &run, &found, &err) ||
        (found && enc_store_segments(st, by, &l, &err))) {
        ret = enc_cli_fail_err("segments", &err);
        goto done;
    }
    if (!found) {
        ret = enc_cli_fail("segments", "no profiles: run 'encore score' first");
        goto done;
    }
    double scale = 1;
    for (int i = 0; i < digits; i++) scale *= 10;
    char day[32];
    enc__fmt_day_end(day, sizeof day, run.as_of);
    if (cli->json) { /* the document GET /v1/analytics/distribution answers (measure/analytics.c) */
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        bool again;
        if (enc_distribution_json(st, by, digits, &w, &again, &err))
            ret = enc_cli_fail_err("segments", &err);
        else enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("%zu segments by %s, %lld customers, as of %s\n\n", l.n, by, (long long)l.customers,
               day);
        int kw = 13; /* "(no purchase)" */
        for (size_t i = 0; i < l.n; i++)
            if (l.rows[i].key && (int)width(l.rows[i].key) > kw) kw = (int)width(l.rows[i].key);
        printf("%-*s %10s %8s %9s %12s\n", kw, "segment", "customers", "share", "revenue",
               "avg CLV");
        for (size_t i = 0; i < l.n; i++) {
            const char *key = l.rows[i].key ? l.rows[i].key : "(no purchase)";
            char clv[48] = "-";
            if (isfinite(l.rows[i].clv_mean))
                snprintf(clv, sizeof clv, "%.2f", l.rows[i].clv_mean / scale);
            enc_utf8_fpad(stdout, key, (size_t)kw);
            printf(" %10lld %7.1f%% %8.1f%% %12s\n", (long long)l.rows[i].customers,
                   l.customers ? 100.0 * (double)l.rows[i].customers / (double)l.customers : 0,
                   l.revenue ? 100.0 * (double)l.rows[i].revenue / (double)l.revenue : 0, clv);
        }
    }
done:
    enc_store_segments_free(&l);
    return ret;
}
