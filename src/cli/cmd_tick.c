/* cmd_tick.c — `encore tick [--now TIME]`: what a scheduler calls (measure/abdecide.h's
 * enc_tick): redeems coupons of imported orders, decides A/B tests whose time has come, plans
 * each running campaign's triggers from its watermark and writes the messages into the outbox. */
#include "cli/campaign_cli.h"
#include "cli/opts.h"
#include "base/datetime.h"
#include "base/json.h"
#include "campaign/campapi.h"
#include "measure/abdecide.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const enc_usage usage = {
    .name = "tick",
    .synopsis = "[--now TIME] [--json]",
    .about = "  advances every running campaign up to now: redeems coupons of imported orders,\n"
             "  decides A/B tests whose time has come, plans each campaign's triggers from its\n"
             "  watermark and writes the messages into the outbox (highest priority first).\n"
             "  What a scheduler calls; --now sets the clock.\n",
};

int cmd_tick(enc_cli *cli, int argc, char **argv)
{
    int64_t now = (int64_t)time(NULL);
    const enc_opt opts[] = {
        OPT_TIME("now", &now, NULL, "the clock (default: the current time)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_run_result *res;
    size_t n;
    int64_t redeemed = 0;
    if (enc_tick(st, now, &res, &n, &redeemed, &err)) return enc_cli_fail_err("tick", &err);
    int failed = 0;
    char t[40];
    enc_fmt_datetime(t, sizeof t, now);
    if (cli->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "now", t);
        enc_jw_kint(&w, "coupons_redeemed", redeemed);
        enc_jw_key(&w, "campaigns");
        enc_jw_arr(&w);
        for (size_t i = 0; i < n; i++) enc_run_result_json(&w, &res[i]);
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("tick at %s UTC: %zu running campaign%s, %lld coupon%s redeemed\n", t, n,
               n == 1 ? "" : "s", (long long)redeemed, redeemed == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++) enc__run_result_text(&res[i]);
    }
    for (size_t i = 0; i < n; i++)
        if (res[i].error[0]) {
            fprintf(stderr, "encore: tick: %s: %s\n", res[i].name, res[i].error);
            failed++;
        }
    free(res);
    return failed ? ENC_EXIT_FAIL : ENC_EXIT_OK;
}
