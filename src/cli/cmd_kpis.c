/* cmd_kpis.c — `encore kpis [--interval day|week|month] [--from P] [--to P] [--json]`: the
 * shop's KPIs per period — orders, revenue, returns, AOV, active, new and returning customers,
 * repurchase rate (src/measure/analytics.c; definitions in docs/analytics.md). */
#include "cli/intel_cli.h"
#include "cli/opts.h"
#include "base/json.h"
#include "measure/analytics.h"
#include <stdio.h>
#include <string.h>

static const enc_usage usage = {
    .name = "kpis",
    .synopsis = "[--interval day|week|month] [--from PERIOD] [--to PERIOD] [--json]",
    .about =
        "  Orders, revenue, returns, AOV, active, new and returning customers and the repurchase\n"
        "  rate per period (default --interval month). PERIOD is written as the interval's "
        "labels:\n"
        "  2011-03-14 (day), 2011-W11 (ISO week), 2011-03 (month). Definitions: "
        "docs/analytics.md.\n",
    .late_setup = true,
};

int cmd_kpis(enc_cli *cli, int argc, char **argv)
{
    const char *interval = "month", *from_s = NULL, *to_s = NULL;
    const enc_opt opts[] = {
        OPT_CHOICE("interval", &interval, "day|week|month", "the period (default month)"),
        OPT_STRING("from", &from_s, "PERIOD", "the first period shown"),
        OPT_STRING("to", &to_s, "PERIOD", "the last period shown"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_period period = ENC_PERIOD_MONTH;
    enc_period_parse(interval, &period);
    int64_t from = 0, to = 0;
    if (from_s && !enc_period_parse_label(period, from_s, &from))
        return enc_opts_error(cli, &usage, opts, "--from: '%s' is not a %s", from_s,
                              enc_period_name(period));
    if (to_s && !enc_period_parse_label(period, to_s, &to))
        return enc_opts_error(cli, &usage, opts, "--to: '%s' is not a %s", to_s,
                              enc_period_name(period));
    if (from_s && to_s && from > to)
        return enc_opts_error(cli, &usage, opts, "--from %s is after --to %s", from_s, to_s);
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) return x;
    int digits = cli->money_digits;
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_analytics_src a;
    enc_kpis k = {0};
    int ret = ENC_EXIT_OK;
    if (enc_analytics_src_load(st, digits, &a, &err) ||
        enc_kpis_compute(a.snap, period, from_s != NULL, from, to_s != NULL, to, &k, &err)) {
        ret = enc_cli_fail_err("kpis", &err);
    } else if (cli->json) {
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
    return ret;
}
