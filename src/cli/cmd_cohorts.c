/* cmd_cohorts.c — `encore cohorts [--period month|week] [--json]`: cohort retention. Customers
 * grouped by the period of their first purchase; for each cohort, how many bought again in
 * each following period and what they spent net of returns (src/measure/analytics.c). */
#include "cli/intel_cli.h"
#include "base/json.h"
#include "measure/analytics.h"
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: encore cohorts [--period month|week] [--json]\n"
    "  Cohort retention: customers by the month (or ISO week) of their first purchase; per\n"
    "  cohort its size, the customers who bought in each following period (period 0 = the\n"
    "  first) and their revenue net of returns. Definitions: docs/analytics.md.\n";

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
    enum { OPT_PERIOD = 1000, OPT_JSON };
    static const struct option opts[] = {
        {"period", required_argument, NULL, OPT_PERIOD},
        {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0},
    };
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    enc_period period = ENC_PERIOD_MONTH;
    bool json = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_PERIOD:
            if (!enc_period_parse(optarg, &period) || period == ENC_PERIOD_DAY)
                return enc_cli_usage("cohorts", usage, "--period: '%s' is not month or week",
                                     optarg);
            break;
        case OPT_JSON: json = true; break;
        default: return enc_cli_usage("cohorts", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return enc_cli_usage("cohorts", usage, "unexpected argument '%s'", argv[optind]);
    int digits;
    int x = enc__money_digits(cli, "cohorts", &digits);
    if (x) return x;

    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("cohorts", &err);
    enc_analytics_src a;
    enc_cohorts co = {0};
    int ret = ENC_EXIT_OK;
    if (enc_analytics_src_load(st, digits, &a, &err) ||
        enc_cohorts_compute(a.snap, period, &co, &err)) {
        ret = enc_cli_fail_err("cohorts", &err);
    } else if (json) {
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
    enc_store_close(st);
    return ret;
}
