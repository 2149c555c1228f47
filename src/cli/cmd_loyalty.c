/* cmd_loyalty.c — `encore loyalty`: save or show the loyalty programme file (checked strictly:
 * unknown rules, overlapping tiers and bad values are refused with their field), and the
 * programme's report. docs/loyalty.md describes the file. */
#include "cli/cli.h"
#include "base/mem.h"
#include <errno.h>
#include "loyalty/loyalty.h"
#include "store/store_loyalty.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: encore loyalty programme [FILE] [--check]\n"
    "       encore loyalty report [--now TIME] [--json]\n\n"
    "programme FILE: check the loyalty programme file (JSON, docs/loyalty.md) and save it;\n"
    "with --check only check it. Without FILE: print the programme in force.\n"
    "report: points liability at the programme's point value, breakage (points expired),\n"
    "redemption rate, tier distribution and tier moves.\n";

/* the whole file, at most ENC_PROG_FILE_MAX bytes (one more read tells a larger file apart) */
static enc_rc slurp(const char *path, char **out, size_t *n, enc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return enc_fail(err, ENC_EIO, "%s: %s", path, strerror(errno));
    char *b = enc_xmalloc(ENC_PROG_FILE_MAX + 2);
    *n = fread(b, 1, ENC_PROG_FILE_MAX + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad || *n > ENC_PROG_FILE_MAX) {
        free(b);
        return enc_fail(err, bad ? ENC_EIO : ENC_ELIMIT, "%s: %s", path,
                        bad ? "read error" : "larger than 1 MiB");
    }
    b[*n] = 0;
    *out = b;
    return ENC_OK;
}

static int programme(enc_cli *cli, int argc, char **argv)
{
    const char *file = NULL;
    bool check = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) check = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return enc_cli_usage("loyalty", usage, "unknown option '%s'", argv[i]);
        else if (!file) file = argv[i];
        else return enc_cli_usage("loyalty", usage, "stray argument '%s'", argv[i]);
    }
    enc_err err = {0};
    if (check && !file) return enc_cli_usage("loyalty", usage, "--check needs a FILE");
    char *text = NULL;
    size_t n = 0;
    if (file && slurp(file, &text, &n, &err)) return enc_cli_fail_err("loyalty", &err);
    if (check) {
        enc_programme p;
        enc_rc rc = enc_prog_parse(text, n, file, &p, &err);
        free(text);
        if (rc) return enc_cli_fail_err("loyalty", &err);
        printf("%s: a sound programme: %zu tiers, %zu rewards\n", file, p.ntiers, p.nrewards);
        enc_prog_free(&p);
        return ENC_EXIT_OK;
    }
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) {
        free(text);
        return enc_cli_fail_err("loyalty", &err);
    }
    int ret = ENC_EXIT_OK;
    if (file) {
        if (enc_loyalty_programme_save(st, text, n, file, (int64_t)time(NULL), &err))
            ret = enc_cli_fail_err("loyalty", &err);
        else printf("saved the loyalty programme of %s\n", file);
    } else {
        if (enc_store_prog_get(st, &text, &err)) ret = enc_cli_fail_err("loyalty", &err);
        else if (!text) ret = enc_cli_fail("loyalty", "no programme saved yet");
        else fputs(text, stdout);
    }
    free(text);
    enc_store_close(st);
    return ret;
}

int cmd_loyalty(enc_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? ENC_EXIT_USAGE : ENC_EXIT_OK;
    }
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    if (strcmp(argv[1], "programme") == 0 || strcmp(argv[1], "program") == 0)
        return programme(cli, argc, argv);
    return enc_cli_usage("loyalty", usage, "unknown subcommand '%s'", argv[1]);
}
