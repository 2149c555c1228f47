/* cmd_kpis.c — `encore kpis [--interval day|week|month] [--from P] [--to P] [--json]`: the
 * shop's KPIs per period — orders, revenue, returns, AOV, active, new and returning customers,
 * repurchase rate (src/measure/analytics.c; definitions in docs/analytics.md). */
#include "cli/intel_cli.h"
#include "base/json.h"
#include "measure/analytics.h"
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: encore kpis [--interval day|week|month] [--from PERIOD] [--to PERIOD] [--json]\n"
    "  Orders, revenue, returns, AOV, active, new and returning customers and the repurchase\n"
    "  rate per period (default --interval month). PERIOD is written as the interval's labels:\n"
    "  2011-03-14 (day), 2011-W11 (ISO week), 2011-03 (month). Definitions: docs/analytics.md.\n";

int cmd_kpis(enc_cli *cli, int argc, char **argv)
{
    enum { OPT_INTERVAL = 1000, OPT_FROM, OPT_TO, OPT_JSON };
    static const struct option opts[] = {
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},
        {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0},
    };
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    enc_period period = ENC_PERIOD_MONTH;
    const char *from_s = NULL, *to_s = NULL;
    bool json = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_INTERVAL:
            if (!enc_period_parse(optarg, &period))
                return enc_cli_usage("kpis", usage, "--interval: '%s' is not day, week or month",
                                     optarg);
            break;
        case OPT_FROM: from_s = optarg; break;
        case OPT_TO: to_s = optarg; break;
        case OPT_JSON: json = true; break;
        default: return enc_cli_usage("kpis", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return enc_cli_usage("kpis", usage, "unexpected argument '%s'", argv[optind]);
    int64_t from = 0, to = 0;
    if (from_s && !enc_period_parse_label(period, from_s, &from))
        return enc_cli_usage("kpis", usage, "--from: '%s' is not a %s", from_s,
                             enc_period_name(period));
    if (to_s && !enc_period_parse_label(period, to_s, &to))
        return enc_cli_usage("kpis", usage, "--to: '%s' is not a %s", to_s,
                             enc_period_name(period));
    if (from_s && to_s && from > to)
        return enc_cli_usage("kpis", usage, "--from %s is after --to %s", from_s, to_s);
    int digits;
    int x = enc__money_digits(cli, "kpis", &digits);
    if (x) return x;

    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("kpis", &err);
    enc_analytics_src a;
    enc_kpis k = {0};
    int ret = ENC_EXIT_OK;
    if (enc_analytics_src_load(st, digits, &a, &err) ||
        enc_kpis_compute(a.snap, period, from_s != NULL, from, to_s != NULL, to, &k, &err)) {
        ret = enc_cli_fail_err("kpis", &err);
    } else if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_kpis_json(&k, a.currency[0] ? a.currency : NULL, a.digits, &w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else if (!k.n) {
        printf("no purchases\n");
    } else {
        char lab[32], rev[48], ret_s[48], aov[48], rate[16];
        printf("KPIs by %s%s%s\n\n", enc_period_name(period), a.currency[0] ? ", money in " : "",
               a.currency);
        printf("%-10s %8s %14s %12s %10s %8s %6s %9s %10s\n", "period", "orders", "revenue",
               "returns", "AOV", "active", "new", "returning", "repurchase");
        for (size_t i = 0; i < k.n; i++) {
            const enc_kpi_row *r = &k.rows[i];
            enc_period_label(period, r->period, lab, sizeof lab);
            enc_money_format(rev, sizeof rev, r->revenue, a.digits);
            enc_money_format(ret_s, sizeof ret_s, r->returns, a.digits);
            if (r->orders)
                enc_money_format(aov, sizeof aov, (r->revenue + r->orders / 2) / r->orders,
                                 a.digits);
            else snprintf(aov, sizeof aov, "-");
            if (r->active)
                snprintf(rate, sizeof rate, "%.1f%%",
                         100.0 * (double)r->returning / (double)r->active);
            else snprintf(rate, sizeof rate, "-");
            printf("%-10s %8lld %14s %12s %10s %8lld %6lld %9lld %10s\n", lab, (long long)r->orders,
                   rev, ret_s, aov, (long long)r->active, (long long)r->fresh,
                   (long long)r->returning, rate);
        }
    }
    enc_kpis_free(&k);
    enc_analytics_src_free(&a);
    enc_store_close(st);
    return ret;
}
