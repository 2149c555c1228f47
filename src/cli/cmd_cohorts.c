/* cmd_cohorts.c — `encore cohorts [--period month|week] [--json]`: cohort retention. Customers
 * grouped by the period of their first purchase; for each cohort, how many bought again in
 * each following period and what they spent net of returns (src/measure/analytics.c). */
#include "cli/intel_cli.h"
#include "cli/opts.h"
#include "base/json.h"
#include "measure/analytics.h"
#include <stdio.h>
#include <string.h>

static const enc_usage usage = {
    .name = "cohorts",
    .synopsis = "[--period month|week] [--json]",
    .about =
        "  Cohort retention: customers by the month (or ISO week) of their first purchase; per\n"
        "  cohort its size, the customers who bought in each following period (period 0 = the\n"
        "  first) and their revenue net of returns. Definitions: docs/analytics.md.\n",
};

static void print_table(const enc_cohorts *c, const enc_analytics_src *a)
{
    size_t maxn = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->rows[i].n > maxn) maxn = c->rows[i].n;
    char lab[32], money[48];
    printf("%zu cohorts by %s of first purchase%s%s\n\n", c->n, enc_period_name(c->period),
           a->currency[0] ? ", money in " : "", a->currency);
    printf("customers buying in period k after their first (k = 0 is the first)\n");
    printf("%-8s %7s", "cohort", "size");
    for (size_t k = 0; k < maxn; k++) printf(" %6zu", k);
    putchar('\n');
    for (size_t i = 0; i < c->n; i++) {
        enc_period_label(c->period, c->rows[i].period, lab, sizeof lab);
        printf("%-8s %7lld", lab, (long long)c->rows[i].size);
        for (size_t k = 0; k < c->rows[i].n; k++)
            printf(" %6lld", (long long)c->rows[i].customers[k]);
        putchar('\n');
    }
    printf("\nnet revenue in period k\n");
    printf("%-8s", "cohort");
    for (size_t k = 0; k < maxn; k++) printf(" %12zu", k);
    putchar('\n');
    for (size_t i = 0; i < c->n; i++) {
        enc_period_label(c->period, c->rows[i].period, lab, sizeof lab);
        printf("%-8s", lab);
        for (size_t k = 0; k < c->rows[i].n; k++) {
            enc_money_format(money, sizeof money, c->rows[i].revenue[k], a->digits);
            printf(" %12s", money);
        }
        putchar('\n');
    }
}

int cmd_cohorts(enc_cli *cli, int argc, char **argv)
{
    const char *period_s = "month";
    const enc_opt opts[] = {
        OPT_CHOICE("period", &period_s, "month|week", "the cohort period (default month)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_period period = ENC_PERIOD_MONTH;
    enc_period_parse(period_s, &period);
    int digits = cli->money_digits;
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_analytics_src a;
    enc_cohorts co = {0};
    int ret = ENC_EXIT_OK;
    if (enc_analytics_src_load(st, digits, &a, &err) ||
        enc_cohorts_compute(a.snap, period, &co, &err)) {
        ret = enc_cli_fail_err("cohorts", &err);
    } else if (cli->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_cohorts_json(&co, a.currency[0] ? a.currency : NULL, a.digits, &w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else if (!co.n) {
        printf("no purchases: no cohorts\n");
    } else {
        print_table(&co, &a);
    }
    enc_cohorts_free(&co);
    enc_analytics_src_free(&a);
    return ret;
}
