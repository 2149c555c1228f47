/* cmd_demo.c — `encore demo`: the first thing a newcomer runs. Generates a synthetic shop
 * (gen/), imports its six files into demo.db (ingest/), and prints what the store now holds. */
#include "cli/opts.h"
#include "base/json.h"
#include "gen/gen.h"
#include "ingest/import.h"
#include "snapshot/colcache.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const enc_usage usage = {
    .name = "demo",
    .synopsis = "[--customers N] [--seed S] [--locale en|zh] [--out DIR] [--json]",
    .about =
        "  generates a shop (default 2,000 customers, seed 42, into ./demo/), imports it into\n"
        "  demo.db (or --db FILE) and prints a summary\n",
};

int cmd_demo(enc_cli *cli, int argc, char **argv)
{
    enc_gen_opts g = {0};
    long customers = 2000, seed = 42;
    const char *locale = "en";
    g.out_dir = "demo";
    const enc_opt opts[] = {
        OPT_INT("customers", &customers, "N", 1, 2000000, "customers to generate (default 2000)"),
        OPT_INT("seed", &seed, "S", 0, 2147483647L, "the generator's seed (default 42)"),
        OPT_CHOICE("locale", &locale, "en|zh", "names, regions and channels (default en)"),
        OPT_STRING("out", &g.out_dir, "DIR", "where the CSV files go (default ./demo/)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    g.customers = customers;
    g.seed = (uint64_t)seed;
    g.locale = strcmp(locale, "zh") == 0 ? ENC_GEN_ZH : ENC_GEN_EN;
    bool json = cli->json;
    const char *db = cli->db_given ? cli->db_path : "demo.db";

    enc_err err = {0};
    enc_gen_counts gc;
    if (!json)
        printf("generating a shop of %lld customers (seed %llu) in %s/ ...\n",
               (long long)g.customers, (unsigned long long)g.seed, g.out_dir);
    if (enc_gen_run(&g, &gc, &err)) return enc_cli_fail_err("demo", &err);

    enc_store *st;
    if (enc_store_open(db, &st, &err)) return enc_cli_fail_err("demo", &err);
    /* products first (so order lines find their facts), customers before what refers to them */
    static const struct {
        enc_kind kind;
        const char *file;
    } steps[] = {
        {ENC_KIND_PRODUCTS, "products.csv"}, {ENC_KIND_CUSTOMERS, "customers.csv"},
        {ENC_KIND_ORDERS, "orders.csv"},     {ENC_KIND_EVENTS, "events.csv"},
        {ENC_KIND_FEEDBACK, "feedback.csv"}, {ENC_KIND_CONSENTS, "consents.csv"},
    };
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "db", db);
    enc_jw_kstr(&w, "dir", g.out_dir);
    enc_jw_key(&w, "imports");
    enc_jw_obj(&w);
    int rc = ENC_EXIT_OK;
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", g.out_dir, steps[i].file);
        enc_import_opts o = {0};
        o.kind = steps[i].kind;
        o.path = path;
        o.format = ENC_FMT_AUTO;
        o.max_errors = -1;
        o.source = steps[i].file;
        enc_import_result res;
        if (enc_import_run(st, &o, &res, &err)) {
            rc = enc_cli_fail_err("demo", &err);
            enc_import_result_free(&res);
            goto out;
        }
        enc_jw_key(&w, enc_kind_name(steps[i].kind));
        enc_jw_obj(&w);
        enc_jw_kint(&w, "read", res.counts.read);
        enc_jw_kint(&w, "imported", res.counts.imported);
        enc_jw_kint(&w, "rejected", res.counts.rejected);
        enc_jw_kint(&w, "merged", res.counts.merged);
        enc_jw_end(&w);
        if (!json)
            printf("  imported %-10s %9ld rows  (%ld rejected, %ld customers merged)\n",
                   enc_kind_name(steps[i].kind), res.counts.imported, res.counts.rejected,
                   res.counts.merged);
        enc_import_result_free(&res);
    }
    enc_jw_end(&w);
    /* the column cache audiences and campaigns read, as `encore import` leaves it */
    if (enc_colcache_refresh(st, NULL, &err))
        fprintf(stderr, "encore: demo: column cache: %s\n", err.msg);
    enc_store_stats s;
    if (enc_store_stats_get(st, &s, &err)) {
        rc = enc_cli_fail_err("demo", &err);
        goto out;
    }
    char rev[48];
    enc_money_format(rev, sizeof rev, s.revenue, 2);
    enc_jw_kint(&w, "customers", s.customers);
    enc_jw_kint(&w, "orders", s.orders);
    enc_jw_kint(&w, "order_lines", s.order_lines);
    enc_jw_kint(&w, "buying_customers", s.buying_customers);
    enc_jw_key(&w, "revenue");
    enc_jw_money(&w, s.revenue, 2);
    enc_jw_end(&w);
    if (json) {
        enc_cli_print(&b);
    } else {
        printf("\n%s now holds %lld customers (%lld merged duplicates), %lld orders with %lld "
               "lines,\n%lld products, %lld events, %lld feedback entries and %lld consents.\n"
               "%lld customers bought; revenue %s.\n\n",
               db, (long long)s.customers, (long long)s.merged_customers, (long long)s.orders,
               (long long)s.order_lines, (long long)s.products, (long long)s.events,
               (long long)s.feedback, (long long)s.consents, (long long)s.buying_customers, rev);
        printf("next:\n  build/encore --db %s stats\n  build/encore --db %s customer C0000001\n"
               "  build/encore --db %s score\n",
               db, db, db);
    }
out:
    enc_buf_free(&b);
    enc_store_close(st);
    return rc;
}
