/* cmd_stats.c — `encore stats`: what the store holds (counts of every kind, sales totals and
 * the time range of orders). */
#include "cli/opts.h"
#include "base/datetime.h"
#include "base/json.h"
#include "server/handlers.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>

static const enc_usage usage = {
    .name = "stats",
    .about = "  counts of customers, orders, lines, products, events, feedback and consents; sales "
             "(paid\n"
             "  lines of known customers) and order dates\n",
};

int cmd_stats(enc_cli *cli, int argc, char **argv)
{
    static const enc_opt opts[] = {OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_store *st = cli->st;
    if (cli->json) { /* the same document as GET /v1/stats */
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_rc rc = enc_stats_json(st, &w, &err);
        if (!rc) enc_cli_print(&b);
        enc_buf_free(&b);
        return rc ? enc_cli_fail_err("stats", &err) : ENC_EXIT_OK;
    }
    enc_store_stats s;
    enc_rc rc = enc_store_stats_get(st, &s, &err);
    if (rc) return enc_cli_fail_err("stats", &err);

    char from[40] = "", to[40] = "", rev[48];
    if (s.orders) {
        enc_fmt_datetime(from, sizeof from, s.first_order);
        enc_fmt_datetime(to, sizeof to, s.last_order);
    }
    enc_money_format(rev, sizeof rev, s.revenue, 2);
    printf("store %s\n", cli->db_path);
    printf("  customers     %12lld  (%lld merged into others)\n", (long long)s.customers,
           (long long)s.merged_customers);
    printf("  orders        %12lld  (%lld returns, %lld cancelled, %lld guest)\n",
           (long long)s.orders, (long long)s.returns, (long long)s.cancelled,
           (long long)s.guest_orders);
    printf("  order lines   %12lld\n", (long long)s.order_lines);
    printf("  products      %12lld\n", (long long)s.products);
    printf("  events        %12lld\n", (long long)s.events);
    printf("  feedback      %12lld\n", (long long)s.feedback);
    printf("  consents      %12lld\n", (long long)s.consents);
    printf("  sales         %12lld lines, %lld orders, %lld buying customers, revenue %s\n",
           (long long)s.sale_lines, (long long)s.sale_orders, (long long)s.buying_customers, rev);
    if (s.orders) printf("  orders from   %s to %s (UTC)\n", from, to);
    return ENC_EXIT_OK;
}
