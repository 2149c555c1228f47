/* cmd_report.c — `encore report --html FILE`: writes the one-file HTML report of the latest
 * scoring run (src/report/report.c) and says what it wrote. The page is built in memory and
 * replaces FILE only when complete (written to FILE.tmp, then renamed). */
#include "cli/opts.h"
#include "base/file.h"
#include "base/datetime.h"
#include "base/json.h"
#include "campaign/spec.h"
#include "report/report.h"
#include "store/store.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const enc_usage usage = {
    .name = "report",
    .synopsis = "--html FILE [--weeks N] [--now TIME] [--json]",
    .about =
        "Writes a one-file HTML report of the latest scoring run: summary, RFM segments (the 11\n"
        "named segments and the Chinese 8 classes), the R x F heatmap, lifecycle stages, lifetime\n"
        "value and churn-risk distributions, predicted vs actual purchases per week, top\n"
        "categories. Charts are inline SVG: the file needs no network and runs no scripts.\n"
        "Before 'encore score' has run, the page says so. --json prints what was written (file,\n"
        "bytes, sections, charts). See docs/report.md.\n",
    .late_setup = true,
};

static int write_file(const char *path, const enc_buf *b)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(b->p, 1, b->len, stdout) != b->len || fflush(stdout))
            return enc_cli_fail("report", "standard output: %s", strerror(errno));
        return ENC_EXIT_OK;
    }
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return enc_cli_fail("report", "%s: file name too long", path);
    FILE *f = enc_fopen_private(tmp, false); /* personal data: 0600 */
    if (!f) return enc_cli_fail("report", "%s: %s", tmp, strerror(errno));
    bool ok = fwrite(b->p, 1, b->len, f) == b->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        int e = errno;
        unlink(tmp);
        return enc_cli_fail("report", "%s: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return enc_cli_fail("report", "%s: %s", path, strerror(e));
    }
    return ENC_EXIT_OK;
}

int cmd_report(enc_cli *cli, int argc, char **argv)
{
    const char *html = NULL;
    long weeks = 0;
    int64_t now = 0;
    const enc_opt opts[] = {
        OPT_STRING("html", &html, "FILE", "where to write the page ('-' for standard output)"),
        OPT_INT("weeks", &weeks, "N", 1, 52,
                "weeks after the as-of date in the purchases chart (default 13,\n"
                "or as many as orders after the as-of date cover)"),
        OPT_TIME("now", &now, NULL,
                 "the campaign section counts responses up to TIME\n"
                 "(as 'encore campaign report --at'; default now)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    bool json = cli->json;
    if (!html || !*html) return enc_opts_error(cli, &usage, opts, "--html FILE is required");
    if (json && strcmp(html, "-") == 0)
        return enc_opts_error(cli, &usage, opts,
                              "--json needs --html FILE (standard output holds the page)");
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_store *st = cli->st;
    const char *name = strrchr(cli->db_path, '/');
    enc_report_opts o = {
        .store_name = name ? name + 1 : cli->db_path, .weeks = (int)weeks, .now = now};
    enc_buf page = {0};
    enc_report_result res;
    enc_rc rc = enc_report_html(st, &o, &page, &res, &err);
    if (rc) {
        enc_buf_free(&page);
        return enc_cli_fail_err("report", &err);
    }
    int ex = write_file(html, &page);
    enc_buf_free(&page);
    if (ex) return ex;

    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "file", html);
        enc_jw_kint(&w, "bytes", (int64_t)res.bytes);
        enc_jw_kbool(&w, "empty", res.empty);
        enc_jw_kint(&w, "customers", res.profiles);
        enc_jw_key(&w, "run_id");
        res.empty ? enc_jw_null(&w) : enc_jw_int(&w, res.run_id);
        enc_jw_key(&w, "as_of");
        char d[40];
        enc_fmt_datetime(d, sizeof d, res.as_of);
        res.empty ? enc_jw_null(&w) : enc_jw_str(&w, d);
        enc_jw_kint(&w, "charts", res.charts);
        enc_jw_key(&w, "sections");
        enc_jw_arr(&w);
        for (int i = 0; i < res.sections && i < ENC_REPORT_MAX_SECTIONS; i++) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "id", res.section_id[i]);
            enc_jw_kint(&w, "charts", res.section_charts[i]);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else if (strcmp(html, "-") != 0) {
        printf("wrote %s: %d sections, %d charts, %zu bytes%s\n", html, res.sections, res.charts,
               res.bytes, res.empty ? " (nothing scored yet: run 'encore score' first)" : "");
    }
    return ENC_EXIT_OK;
}
