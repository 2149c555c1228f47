/* cmd_import.c — `encore import KIND FILE`: runs the import stage (ingest/import.c) and reports
 * what it read, imported, updated, skipped and rejected, with every rejected row's line, field
 * and reason. */
#include "cli/opts.h"
#include "snapshot/colcache.h"
#include "base/file.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include "ingest/import.h"
#include "store/store.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <time.h>

static const enc_usage usage = {
    .name = "import",
    .synopsis = "KIND FILE [options] [--json]",
    .about = "  KIND: customers, products, orders, events, feedback, consents\n"
             "  FILE: CSV, TSV, whitespace columns or JSON lines ('-' = standard input)\n"
             "Run 'encore import KIND --help' to see the fields of KIND and their default column\n"
             "names.\n",
    .min_args = 2,
    .max_args = 2,
    .args_msg = "needs KIND and FILE",
    .extra_msg = "too many arguments",
    .late_setup = true,
};

static void print_fields(enc_kind k)
{
    size_t n;
    const enc_field_def *f = enc_kind_fields(k, &n);
    printf("\nfields of %s (default column names in brackets):\n", enc_kind_name(k));
    for (size_t i = 0; i < n; i++) {
        printf("  %-15s %s\n", f[i].name, f[i].help);
        printf("  %-15s [", "");
        for (const char *p = f[i].aliases; *p; p++) fputc(*p == '|' ? ' ' : *p, stdout);
        printf("]\n");
    }
}

typedef struct progress {
    bool on;
    int last;
} progress;

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    if (!p->on || !total) return;
    int pct = (int)(done * 100 / total);
    if (pct != p->last) {
        fprintf(stderr, "\rimporting... %3d%%", pct);
        p->last = pct;
    }
}

int cmd_import(enc_cli *cli, int argc, char **argv)
{
    enc_import_opts o = {0};
    o.format = ENC_FMT_AUTO;
    o.max_errors = -1;
    enc_strlist maps = {0};
    const char *format = NULL, *encoding = NULL, *errors_path = NULL;
    long max_errors = -1, batch = 0, future = -1; /* -1: the default tolerance */
    const enc_opt opts[] = {
        OPT_STRING_LIST("map", &maps, "FIELD=COLUMN",
                        "which column holds a field (repeatable); by position with --no-header"),
        OPT_CHOICE("format", &format, "csv|tsv|ws|jsonl",
                   "the file's format (default: from the name and first line)"),
        OPT_STRING("encoding", &encoding, "E",
                   "utf-8 | gbk (default: UTF-8, or GBK when the file is not UTF-8)"),
        OPT_BOOL("no-header", &o.no_header,
                 "the file has no header row: map columns by number (--map time=3)"),
        OPT_STRING("source", &o.source, "NAME",
                   "where the rows come from (default: the file name); re-importing\n"
                   "the same source changes nothing"),
        OPT_STRING("tz", &o.tz, "ZONE",
                   "time zone of times without an offset (default UTC), e.g. Asia/Shanghai"),
        OPT_STRING("currency", &o.currency, "CODE",
                   "currency of amounts (sets the decimals; default 2 decimals)"),
        OPT_STRING("phone-cc", &o.phone_cc, "CC",
                   "country calling code for national phone numbers (e.g. 86, 1, 44)"),
        OPT_STRING("cancel-prefix", &o.cancel_prefix, "P",
                   "order ids starting with P are cancellations, kept as returns"),
        OPT_BOOL("dry-run", &o.dry_run, "check and count everything, keep nothing"),
        OPT_INT("max-errors", &max_errors, "N", 0, 1000000000L,
                "stop after N rejected rows (default: no limit)"),
        OPT_STRING("errors", &errors_path, "FILE",
                   "write every rejected row and dropped field (line, severity,\n"
                   "field, reason) to FILE as CSV (created 0600)"),
        OPT_INT("future-tolerance", &future, "S", 0, 100L * 365 * 86400,
                "seconds a time may be later than now (default 86400); later\n"
                "times, and times before 1970, are rejected"),
        OPT_INT("batch", &batch, "N", 1, 100000000L, "rows per transaction (default 100000)"),
        OPT_END(),
    };
    FILE *errors_out = NULL;
    int rc = ENC_EXIT_OK;
    enc_kind kind = ENC_KIND_ORDERS;
    if (enc_cli_wants_help(argc, argv)) { /* with a KIND: its fields too */
        enc_opts_usage(cli, &usage, opts, stdout);
        for (int i = 1; i < argc; i++)
            if (argv[i][0] != '-' && enc_kind_parse(argv[i], &kind)) {
                print_fields(kind);
                break;
            }
        return ENC_EXIT_OK;
    }
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    bool json = cli->json;
    if (!enc_kind_parse(argv[1], &kind))
        return enc_opts_error(cli, &usage, opts, "unknown kind '%s'", argv[1]);
    if (format)
        o.format = strcmp(format, "csv") == 0   ? ENC_FMT_CSV
                   : strcmp(format, "tsv") == 0 ? ENC_FMT_TSV
                   : strcmp(format, "ws") == 0  ? ENC_FMT_WS
                                                : ENC_FMT_JSONL;
    if (encoding) {
        o.encoding_set = true;
        if (strcasecmp(encoding, "utf-8") == 0 || strcasecmp(encoding, "utf8") == 0)
            o.encoding = ENC_UTF8;
        else if (strcasecmp(encoding, "gbk") == 0 || strcasecmp(encoding, "gb2312") == 0 ||
                 strcasecmp(encoding, "gb18030") == 0)
            o.encoding = ENC_GBK;
        else
            return enc_opts_error(cli, &usage, opts, "--encoding: '%s' is not utf-8 or gbk",
                                  encoding);
    }
    o.max_errors = max_errors;
    if (batch) o.batch_rows = batch;
    o.future_tolerance = future;
    o.future_tolerance_set = future >= 0;
    o.nmaps = (size_t)maps.n;
    o.kind = kind;
    o.path = argv[2];
    o.maps = maps.v;
    progress pr = {cli->tty && !json, -1};
    o.progress = show_progress;
    o.progress_ctx = &pr;

    if (errors_path) {
        errors_out = strcmp(errors_path, "-") == 0 ? stderr : enc_fopen_private(errors_path, false);
        if (!errors_out) {
            rc = enc_cli_fail("import", "--errors %s: %s", errors_path, strerror(errno));
            goto out;
        }
        fputs("line,severity,field,reason\n", errors_out);
        o.errors_out = errors_out;
    }
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) {
        rc = enc_cli_fail_err("import", &err);
        goto out;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enc_import_result res;
    enc_rc irc = enc_import_run(st, &o, &res, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (pr.on && pr.last >= 0) fputs("\r                    \r", stderr);
    /* orders may carry coupons issued by campaigns: match them (src/campaign/campdb.h) */
    int64_t redeemed = -1;
    if (!irc && kind == ENC_KIND_ORDERS && !o.dry_run) {
        enc_err cerr = {0};
        if (enc_coupon_redeem(st, &redeemed, &cerr))
            fprintf(stderr, "encore: import: matching coupons: %s\n", cerr.msg);
    }
    /* the column cache audiences read: rebuilt when this import left it unused or far behind */
    if (!irc && !o.dry_run) {
        enc_err cerr = {0};
        if (enc_colcache_refresh(st, NULL, &cerr))
            fprintf(stderr, "encore: import: column cache: %s\n", cerr.msg);
    }
    enc_store_close(st);
    if (irc) {
        rc = enc_cli_fail_err("import", &err);
        enc_import_result_free(&res);
        goto out;
    }
    const enc_import_counts *k = &res.counts;
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "kind", enc_kind_name(kind));
        enc_jw_kstr(&w, "source", res.source);
        enc_jw_kint(&w, "read", k->read);
        enc_jw_kint(&w, "imported", k->imported);
        enc_jw_kint(&w, "updated", k->updated);
        enc_jw_kint(&w, "skipped", k->skipped);
        enc_jw_kint(&w, "rejected", k->rejected);
        enc_jw_kint(&w, "merged", k->merged);
        enc_jw_kint(&w, "warned", res.warned);
        enc_jw_kstr(&w, "encoding", res.encoding_detected ? res.encoding_detected : NULL);
        enc_jw_kint(&w, "customers_created", res.customers_created);
        enc_jw_kint(&w, "suppressed", res.suppressed);
        if (redeemed >= 0) enc_jw_kint(&w, "coupons_redeemed", redeemed);
        enc_jw_kbool(&w, "dry_run", o.dry_run);
        enc_jw_kbool(&w, "stopped_at_max_errors", res.hit_max_errors);
        enc_jw_knum(&w, "seconds", secs);
        enc_jw_key(&w, "errors");
        enc_jw_arr(&w);
        for (size_t i = 0; i < res.nerrors; i++) {
            enc_jw_obj(&w);
            enc_jw_kint(&w, "line", res.errors[i].line);
            enc_jw_kstr(&w, "field", res.errors[i].field);
            enc_jw_kstr(&w, "reason", res.errors[i].reason);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_key(&w, "warnings");
        enc_jw_arr(&w);
        for (size_t i = 0; i < res.nwarnings; i++) {
            enc_jw_obj(&w);
            enc_jw_kint(&w, "line", res.warnings[i].line);
            enc_jw_kstr(&w, "field", res.warnings[i].field);
            enc_jw_kstr(&w, "reason", res.warnings[i].reason);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_key(&w, "reasons");
        enc_jw_arr(&w);
        for (size_t i = 0; i < res.nreasons; i++) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "severity", res.reasons[i].warning ? "warning" : "rejected");
            enc_jw_kstr(&w, "field", res.reasons[i].field);
            enc_jw_kstr(&w, "reason", res.reasons[i].reason);
            enc_jw_kint(&w, "count", res.reasons[i].count);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("%s %s from %s%s\n", o.dry_run ? "checked" : "imported", enc_kind_name(kind), o.path,
               o.dry_run ? " (dry run: nothing kept)" : "");
        printf("  read      %10ld\n  imported  %10ld\n  updated   %10ld\n  skipped   %10ld\n"
               "  rejected  %10ld\n",
               k->read, k->imported, k->updated, k->skipped, k->rejected);
        if (res.encoding_detected)
            printf("  encoding  %10s (detected: the file is not UTF-8)\n", res.encoding_detected);
        if (res.warned)
            printf("  warnings  %10ld (bad optional fields dropped, rows kept)\n", res.warned);
        if (k->merged)
            printf("  merged    %10ld customers (shared email, phone or id)\n", k->merged);
        if (redeemed > 0)
            printf("  coupons redeemed %3lld (campaign coupons on these orders)\n",
                   (long long)redeemed);
        if (res.suppressed)
            printf("  suppressed %9ld (rows of erased customers, not kept: docs/privacy.md)\n",
                   res.suppressed);
        if (res.customers_created && kind != ENC_KIND_CUSTOMERS)
            printf("  new customers %6ld\n", res.customers_created);
        printf("  in %.2f s\n", secs);
        size_t show = res.nerrors < 20 ? res.nerrors : 20;
        for (size_t i = 0; i < show; i++)
            fprintf(stderr, "encore: import: %s:%ld: %s%s%s\n", o.path, res.errors[i].line,
                    res.errors[i].field, res.errors[i].field[0] ? ": " : "", res.errors[i].reason);
        if ((long)show < k->rejected)
            fprintf(stderr,
                    "encore: import: ... %ld more rejected rows (--errors FILE lists them all)\n",
                    k->rejected - (long)show);
        size_t wshow = res.nwarnings < 20 ? res.nwarnings : 20;
        for (size_t i = 0; i < wshow; i++)
            fprintf(stderr, "encore: import: %s:%ld: warning: %s: %s (field dropped)\n", o.path,
                    res.warnings[i].line, res.warnings[i].field, res.warnings[i].reason);
        if ((long)wshow < res.warned)
            fprintf(stderr,
                    "encore: import: ... %ld more warnings (--errors FILE lists them all)\n",
                    res.warned - (long)wshow);
    }
    if (res.hit_max_errors) {
        enc_cli_fail("import",
                     "stopped after %ld rejected rows (--max-errors %ld); rows before "
                     "were %s",
                     k->rejected, o.max_errors, o.dry_run ? "checked" : "kept");
        rc = ENC_EXIT_FAIL;
    } else if (k->read > 0 && k->rejected == k->read) {
        enc_cli_fail("import", "no row of %s could be imported", o.path);
        rc = ENC_EXIT_FAIL;
    }
    enc_import_result_free(&res);
out:
    if (errors_out && errors_out != stderr && fclose(errors_out) != 0 && rc == ENC_EXIT_OK)
        rc = enc_cli_fail("import", "--errors %s: %s", errors_path, strerror(errno));
    return rc;
}
