/* cmd_export.c — `encore export profiles`: the stored profiles of the latest scoring run, one
 * customer a row, as CSV (with a header) or JSON lines, the same fields `encore profile` shows. */
#include "cli/intel_cli.h"
#include "cli/opts.h"
#include "base/csv.h"
#include "base/file.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const enc_usage usage = {
    .name = "export profiles",
    .synopsis = "[--format csv|jsonl] [--output FILE] [--excel]",
    .about =
        "  Writes every stored profile, one customer a row (default CSV to standard output).\n"
        "  CSV lists (tags, categories, reasons, replenishment) are joined by '|'; cells that a\n"
        "  spreadsheet would run as a formula (= + - @ tab CR) get a leading '. --excel starts\n"
        "  the CSV with a UTF-8 BOM so that Excel shows Chinese right. --output files are 0600.\n",
};

static int export_profiles(enc_cli *cli, int argc, char **argv)
{
    const char *format = "csv", *output = NULL;
    bool excel = false;
    const enc_opt opts[] = {
        OPT_CHOICE("format", &format, "csv|jsonl|json",
                   "CSV with a header (default) or JSON lines"),
        OPT_STRING("output", &output, "FILE", "write to FILE (0600), not standard output"),
        OPT_BOOL("excel", &excel, "start the CSV with a UTF-8 BOM for Excel"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_profile_fmt fmt = strcmp(format, "csv") == 0 ? ENC_PROFILE_CSV : ENC_PROFILE_JSON;
    int digits = cli->money_digits;
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_score_run_info run;
    bool found;
    int ret = ENC_EXIT_OK;
    enc_profile_cursor *cur = NULL;
    FILE *out = stdout;
    enc_buf b = {0};
    if (enc_store_score_run_last(st, &run, &found, &err)) {
        ret = enc_cli_fail_err("export", &err);
        goto done;
    }
    if (!found) {
        ret = enc_cli_fail("export", "no profiles: run 'encore score' first");
        goto done;
    }
    if (output && !(out = enc_fopen_private(output, false))) { /* 0600 */
        out = stdout;
        ret = enc_cli_fail("export", "%s: %s", output, strerror(errno));
        goto done;
    }
    if (enc_store_profiles_open(st, 0, digits, &cur, &err)) {
        ret = enc_cli_fail_err("export", &err);
        goto done;
    }
    if (fmt == ENC_PROFILE_CSV)
        fprintf(out, "%s%s\n", excel ? ENC_CSV_BOM : "", enc_store_profiles_csv_header());
    int got;
    while ((got = enc_store_profiles_next(cur, fmt, &b, &err)) == 1) {
        enc_buf_addc(&b, '\n');
        if (b.len >= 1 << 16) {
            fwrite(b.p, 1, b.len, out);
            enc_buf_reset(&b);
        }
    }
    if (b.len) fwrite(b.p, 1, b.len, out);
    if (got < 0) ret = enc_cli_fail_err("export", &err);
    else if (fflush(out) != 0 || ferror(out))
        ret = enc_cli_fail("export", "write error: %s", strerror(errno));
done:
    if (out != stdout) fclose(out);
    enc_buf_free(&b);
    enc_store_profiles_close(cur);
    return ret;
}

int cmd_export(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"profiles", export_profiles, "the stored profiles of the latest scoring run"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "export", "  Writes the store's data out.", subs, NULL, argc,
                               argv);
}
