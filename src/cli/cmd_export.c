/* cmd_export.c — `encore export profiles`: the stored profiles of the latest scoring run, one
 * customer a row, as CSV (with a header) or JSON lines, the same fields `encore profile` shows. */
#include "cli/intel_cli.h"
#include "base/csv.h"
#include "base/file.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: encore export profiles [--format csv|jsonl] [--output FILE] [--excel]\n"
    "  Writes every stored profile, one customer a row (default CSV to standard output).\n"
    "  CSV lists (tags, categories, reasons, replenishment) are joined by '|'; cells that a\n"
    "  spreadsheet would run as a formula (= + - @ tab CR) get a leading '. --excel starts the\n"
    "  CSV with a UTF-8 BOM so that Excel shows Chinese right. --output files are 0600.\n";

int cmd_export(enc_cli *cli, int argc, char **argv)
{
    enum { OPT_FORMAT = 1000, OPT_OUTPUT, OPT_EXCEL, OPT_HELP };
    static const struct option opts[] = {
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"excel", no_argument, NULL, OPT_EXCEL},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    enc_profile_fmt fmt = ENC_PROFILE_CSV;
    const char *output = NULL;
    bool excel = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FORMAT:
            if (strcmp(optarg, "csv") == 0) fmt = ENC_PROFILE_CSV;
            else if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
                fmt = ENC_PROFILE_JSON;
            else
                return enc_cli_usage("export", usage, "--format: '%s' is not csv or jsonl", optarg);
            break;
        case OPT_OUTPUT: output = optarg; break;
        case OPT_EXCEL: excel = true; break;
        default: return enc_cli_usage("export", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return enc_cli_usage("export", usage, "export what? (profiles)");
    if (strcmp(argv[optind], "profiles") != 0)
        return enc_cli_usage("export", usage, "cannot export '%s' (profiles)", argv[optind]);
    if (optind + 1 < argc)
        return enc_cli_usage("export", usage, "unexpected argument '%s'", argv[optind + 1]);

    int digits;
    int x = enc__money_digits(cli, "export", &digits);
    if (x) return x;
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("export", &err);
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
    enc_store_close(st);
    return ret;
}
