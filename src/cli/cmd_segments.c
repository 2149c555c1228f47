/* cmd_segments.c — `encore segments`: the stored profiles grouped by RFM segment, Chinese RFM
 * class, lifecycle stage, cluster or tag — customers, share of revenue and mean CLV each. */
#include "cli/intel_cli.h"
#include "base/json.h"
#include "base/utf8.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: encore segments [--by rfm|rfm_cn|lifecycle|cluster|tag] [--json]\n"
    "  Customers, revenue share and mean CLV per segment of the latest 'encore score' run\n"
    "  (default --by rfm). With --by tag a customer counts once in each of their tags.\n";

static size_t width(const char *s) { return enc_utf8_width(s, strlen(s)); }

int cmd_segments(enc_cli *cli, int argc, char **argv)
{
    enum { OPT_BY = 1000, OPT_JSON, OPT_HELP };
    static const struct option opts[] = {
        {"by", required_argument, NULL, OPT_BY},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    const char *by = "rfm";
    bool json = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_BY: by = optarg; break;
        case OPT_JSON: json = true; break;
        default: return enc_cli_usage("segments", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return enc_cli_usage("segments", usage, "unexpected argument '%s'", argv[optind]);
    static const char *const kinds[] = {"rfm", "rfm_cn", "lifecycle", "cluster", "tag"};
    size_t k = 0;
    while (k < 5 && strcmp(kinds[k], by) != 0) k++;
    if (k == 5)
        return enc_cli_usage("segments", usage,
                             "--by: '%s' is not rfm, rfm_cn, lifecycle, cluster or tag", by);

    enc_score_config cfg;
    int x = enc__load_config(cli, "segments", NULL, &cfg);
    if (x) return x;
    int digits = cfg.money_digits;
    enc_score_config_free(&cfg);
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("segments", &err);
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
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "by", by);
        enc_jw_kstr(&w, "as_of", day);
        enc_jw_kint(&w, "customers", l.customers);
        enc_jw_key(&w, "revenue");
        enc_jw_money(&w, l.revenue, digits);
        enc_jw_key(&w, "segments");
        enc_jw_arr(&w);
        for (size_t i = 0; i < l.n; i++) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "segment", l.rows[i].key);
            enc_jw_kint(&w, "customers", l.rows[i].customers);
            enc_jw_knum(&w, "customer_share",
                        l.customers ? (double)l.rows[i].customers / (double)l.customers : NAN);
            enc_jw_key(&w, "revenue");
            enc_jw_money(&w, l.rows[i].revenue, digits);
            enc_jw_knum(&w, "revenue_share",
                        l.revenue ? (double)l.rows[i].revenue / (double)l.revenue : NAN);
            enc_jw_key(&w, "avg_clv");
            if (isfinite(l.rows[i].clv_mean))
                enc_jw_money(&w, (int64_t)llround(l.rows[i].clv_mean), digits);
            else enc_jw_null(&w);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
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
    enc_store_close(st);
    return ret;
}
