/* cmd_calendar.c — `encore calendar YEAR [--region R] [--json]`: the festivals, shopping days
 * and public holidays of a year in a region (campaign/calendar.h), for planning campaigns around
 * them. Needs no store. */
#include "cli/cli.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/utf8.h"
#include "campaign/calendar.h"
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: encore calendar YEAR [--region CN|HK|TW|US|GB|DE|FR|JP] [--json]\n"
    "  The festivals, shopping days and public holidays of YEAR (1900-2100) in a region (default\n"
    "  CN): Chinese festivals from the lunisolar calendar (春节, 元宵, 端午, 七夕, 中秋, 重阳,\n"
    "  腊八, 小年, 除夕) and 清明 from the solar terms, computed astronomically; shopping days\n"
    "  (618, 双十一, 双十二, 年货节, 520, Black Friday); Easter, Mother's and Father's Day by the\n"
    "  region's rule, and its public holidays. --json: an array of\n"
    "  {\"date\", \"name\", \"name_zh\", \"kind\": \"festival|shopping|public\"}. "
    "docs/calendar.md.\n";

int cmd_calendar(enc_cli *cli, int argc, char **argv)
{
    (void)cli;
    const char *year_s = NULL, *region_s = "CN";
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return ENC_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--region") == 0) {
            if (i + 1 >= argc) return enc_cli_usage("calendar", usage, "--region needs a value");
            region_s = argv[++i];
        } else if (strncmp(a, "--region=", 9) == 0) {
            region_s = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return enc_cli_usage("calendar", usage, "unknown option '%s'", a);
        } else if (!year_s) {
            year_s = a;
        } else {
            return enc_cli_usage("calendar", usage, "unexpected argument '%s'", a);
        }
    }
    if (!year_s) return enc_cli_usage("calendar", usage, "needs a YEAR");
    long year;
    if (!enc_cli_parse_long(year_s, ENC_CAL_YEAR_MIN, ENC_CAL_YEAR_MAX, &year))
        return enc_cli_usage("calendar", usage, "YEAR: '%s' is not a year from %d to %d", year_s,
                             ENC_CAL_YEAR_MIN, ENC_CAL_YEAR_MAX);
    enc_cal_region region;
    if (!enc_cal_region_parse(region_s, &region))
        return enc_cli_usage("calendar", usage,
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
