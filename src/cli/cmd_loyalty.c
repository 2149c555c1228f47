/* cmd_loyalty.c — `encore loyalty`: save or show the loyalty programme file (checked strictly:
 * unknown rules, overlapping tiers and bad values are refused with their field), and the
 * programme's report. docs/loyalty.md describes the file. */
#include "cli/cli.h"
#include "cli/intel_cli.h"
#include "base/datetime.h"
#include "base/json.h"
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
    "       encore loyalty report [--since TIME] [--now TIME] [--json]\n\n"
    "programme FILE: check the loyalty programme file (JSON, docs/loyalty.md) and save it;\n"
    "with --check only check it. Without FILE: print the programme in force.\n"
    "report: points liability at the programme's point value, breakage (points expired),\n"
    "redemption rate, tier distribution and tier moves since --since (default: a year before\n"
    "--now).\n";

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

static double ratio(int64_t a, int64_t b) { return b > 0 ? (double)a / (double)b : 0; }

static int report(enc_cli *cli, int argc, char **argv)
{
    bool json = false;
    int64_t now = (int64_t)time(NULL), since = 0;
    bool has_since = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--now") == 0 || strcmp(argv[i], "--since") == 0) {
            bool is_now = argv[i][2] == 'n';
            if (i + 1 >= argc || !enc_time_parse(argv[++i], is_now ? &now : &since, NULL))
                return enc_cli_usage("loyalty", usage, "%s needs a time (%s)", argv[i - 1],
                                     ENC_TIME_FORMS);
            has_since |= !is_now;
        } else {
            return enc_cli_usage("loyalty", usage, "unknown option '%s'", argv[i]);
        }
    }
    if (!has_since) since = now - 365 * 86400;
    int digits;
    int x = enc__money_digits(cli, "loyalty", &digits);
    if (x) return x;
    enc_store *st;
    enc_err err = {0};
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("loyalty", &err);
    enc_programme p;
    enc_ly_report r;
    if (enc_loyalty_programme(st, &p, &err) || enc_store_loyalty_report(st, since, &r, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err("loyalty", &err);
    }
    int64_t issued = r.earned + r.bonus + r.imported + r.adjusted_in;
    int64_t liability = (int64_t)((double)r.outstanding * p.point_value + 0.5);
    double breakage = ratio(r.expired, issued), redemption = ratio(r.redeemed - r.reversed, issued);
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "members", r.members);
        enc_jw_kint(&w, "members_with_points", r.with_balance);
        enc_jw_kint(&w, "issued", issued);
        enc_jw_kint(&w, "earned", r.earned);
        enc_jw_kint(&w, "bonus", r.bonus);
        enc_jw_kint(&w, "imported", r.imported);
        enc_jw_kint(&w, "adjusted_in", r.adjusted_in);
        enc_jw_kint(&w, "adjusted_out", r.adjusted_out);
        enc_jw_kint(&w, "returned", r.returned);
        enc_jw_kint(&w, "redeemed", r.redeemed - r.reversed);
        enc_jw_kint(&w, "redemptions", r.redemptions);
        enc_jw_kint(&w, "expired", r.expired);
        enc_jw_kint(&w, "outstanding", r.outstanding);
        enc_jw_kint(&w, "debt", r.debt);
        enc_jw_knum(&w, "point_value", p.point_value);
        enc_jw_key(&w, "liability");
        enc_jw_money(&w, liability, digits);
        enc_jw_knum(&w, "breakage_rate", breakage);
        enc_jw_knum(&w, "redemption_rate", redemption);
        enc_jw_key(&w, "tiers");
        enc_jw_obj(&w);
        for (size_t i = 0; i < r.ntiers; i++) enc_jw_kint(&w, r.tiers[i].to, r.tiers[i].n);
        enc_jw_end(&w);
        enc_jw_key(&w, "tier_moves");
        enc_jw_arr(&w);
        for (size_t i = 0; i < r.nmoves; i++) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "from", r.moves[i].from);
            enc_jw_kstr(&w, "to", r.moves[i].to);
            enc_jw_kint(&w, "members", r.moves[i].n);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        char m[40];
        enc_money_format(m, sizeof m, liability, digits);
        printf("members %lld (%lld with points)\n", (long long)r.members,
               (long long)r.with_balance);
        printf("points issued %lld (orders %lld, bonuses %lld, imported %lld, adjusted %lld)\n",
               (long long)issued, (long long)r.earned, (long long)r.bonus, (long long)r.imported,
               (long long)r.adjusted_in);
        printf("redeemed %lld in %lld redemptions (%.1f%%), expired %lld (breakage %.1f%%), "
               "returned %lld\n",
               (long long)(r.redeemed - r.reversed), (long long)r.redemptions, 100 * redemption,
               (long long)r.expired, 100 * breakage, (long long)r.returned);
        printf("outstanding %lld points: liability %s at %g per point", (long long)r.outstanding, m,
               p.point_value);
        if (r.debt) printf(" (debt %lld)", (long long)r.debt);
        printf("\ntiers:");
        for (size_t i = 0; i < r.ntiers; i++)
            printf(" %s %lld%s", r.tiers[i].to, (long long)r.tiers[i].n,
                   i + 1 < r.ntiers ? "," : "");
        printf("\ntier moves since the start of the period:%s\n", r.nmoves ? "" : " none");
        for (size_t i = 0; i < r.nmoves; i++)
            printf("  %-14s -> %-14s %lld\n", r.moves[i].from, r.moves[i].to,
                   (long long)r.moves[i].n);
    }
    enc_ly_report_free(&r);
    enc_prog_free(&p);
    enc_store_close(st);
    return ENC_EXIT_OK;
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
    if (strcmp(argv[1], "report") == 0) return report(cli, argc, argv);
    return enc_cli_usage("loyalty", usage, "unknown subcommand '%s'", argv[1]);
}
