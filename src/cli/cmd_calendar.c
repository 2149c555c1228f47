/* cmd_calendar.c — `encore calendar YEAR [--region R] [--json]`: the festivals, shopping days
 * and public holidays of a year in a region (campaign/calendar.h), for planning campaigns around
 * them. Needs no store. */
#include "cli/opts.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/utf8.h"
#include "campaign/calendar.h"
#include <stdio.h>
#include <string.h>

static const enc_usage usage = {
    .name = "calendar",
    .synopsis = "YEAR [--region CN|HK|TW|US|GB|DE|FR|JP] [--json]",
    .about =
        "  The festivals, shopping days and public holidays of YEAR (1900-2100) in a region\n"
        "  (default CN): Chinese festivals from the lunisolar calendar (春节, 元宵, 端午, 七夕,\n"
        "  中秋, 重阳, 腊八, 小年, 除夕) and 清明 from the solar terms, computed astronomically;\n"
        "  shopping days (618, 双十一, 双十二, 年货节, 520, Black Friday); Easter, Mother's and\n"
        "  Father's Day by the region's rule, and its public holidays. --json: an array of\n"
        "  {\"date\", \"name\", \"name_zh\", \"kind\": \"festival|shopping|public\"}. "
        "docs/calendar.md.\n",
    .min_args = 1,
    .max_args = 1,
    .args_msg = "needs a YEAR",
};

int cmd_calendar(enc_cli *cli, int argc, char **argv)
{
    const char *region_s = "CN";
    const enc_opt opts[] = {
        OPT_STRING("region", &region_s, "R", "CN (default), HK, TW, US, GB, DE, FR or JP"),
        OPT_END(),
    };
    int nargs;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, &nargs);
    if (x != ENC_OPTS_GO) return x;
    const char *year_s = argv[1];
    bool json = cli->json;
    long year;
    if (!enc_cli_parse_long(year_s, ENC_CAL_YEAR_MIN, ENC_CAL_YEAR_MAX, &year))
        return enc_opts_error(cli, &usage, opts, "YEAR: '%s' is not a year from %d to %d", year_s,
                              ENC_CAL_YEAR_MIN, ENC_CAL_YEAR_MAX);
    enc_cal_region region;
    if (!enc_cal_region_parse(region_s, &region))
        return enc_opts_error(cli, &usage, opts,
                              "--region: '%s' is not CN, HK, TW, US, GB, DE, FR or JP", region_s);
    enc_cal_event ev[64];
    size_t n;
    enc_err err = {0};
    if (enc_calendar_year((int)year, region, ev, sizeof ev / sizeof *ev, &n, &err))
        return enc_cli_fail_err("calendar", &err);
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_arr(&w);
        for (size_t i = 0; i < n; i++) {
            char d[16];
            enc_fmt_date(d, sizeof d, ev[i].day * 86400);
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "date", d);
            enc_jw_kstr(&w, "name", ev[i].name);
            enc_jw_kstr(&w, "name_zh", ev[i].name_zh);
            enc_jw_kstr(&w, "kind", enc_cal_kind_name(ev[i].kind));
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
        return ENC_EXIT_OK;
    }
    size_t wn = 4, wz = 7;
    for (size_t i = 0; i < n; i++) {
        size_t a = enc_utf8_width(ev[i].name, strlen(ev[i].name));
        size_t z = enc_utf8_width(ev[i].name_zh, strlen(ev[i].name_zh));
        if (a > wn) wn = a;
        if (z > wz) wz = z;
    }
    printf("%ld in %s: %zu dates\n\n", year, enc_cal_region_name(region), n);
    printf("%-10s %-3s  ", "date", "day");
    enc_utf8_fpad(stdout, "name", wn);
    fputs("  ", stdout);
    enc_utf8_fpad(stdout, "name_zh", wz);
    puts("  kind");
    for (size_t i = 0; i < n; i++) {
        char d[16];
        enc_fmt_date(d, sizeof d, ev[i].day * 86400);
        printf("%-10s %-3s  ", d, wd[((ev[i].day + 4) % 7 + 7) % 7]);
        enc_utf8_fpad(stdout, ev[i].name, wn);
        fputs("  ", stdout);
        enc_utf8_fpad(stdout, ev[i].name_zh, wz);
        printf("  %s\n", enc_cal_kind_name(ev[i].kind));
    }
    return ENC_EXIT_OK;
}
