/* cmd_itemsets.c — `encore itemsets FILE --min-support S`: frequent itemsets of a basket file
 * by FP-growth (src/recommend/fpgrowth.h); reports counts by size and the most frequent sets. */
#include "base/json.h"
#include "base/mem.h"
#include "cli/basket_cli.h"
#include "cli/cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: encore itemsets FILE --min-support S [options]\n"
    "\n"
    "Frequent itemsets of a basket file (one basket a line) by FP-growth.\n"
    "\n"
    "  --min-support S   a fraction of the baskets (0.001, 1e-3, 0.1%) or, as a plain\n"
    "                    integer >= 1, a count of baskets (10); a set is frequent when\n"
    "                    ceil(S * baskets) or more baskets hold it\n"
    "  --format F        auto (default: basket-csv when the first line has a comma),\n"
    "                    basket-ws (items separated by blanks, FIMI .dat) or basket-csv\n"
    "  --max-len N       report sets of at most N items (default: no limit)\n"
    "  --top N           list the N sets held by the most baskets (default 10; 0: none)\n"
    "  --json            one JSON document: {baskets, items, min_count, itemsets, by_size,\n"
    "                    top, seconds}; by_size[k-1] counts the sets of k items\n"
    "  -h, --help        this text\n"
    "FILE may be - for standard input.\n";

static int cmp_top(const void *a, const void *b, void *arg)
{
    const enc_itemsets *r = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (r->count[i] != r->count[j]) return r->count[i] > r->count[j] ? -1 : 1;
    int64_t ni = r->off[i + 1] - r->off[i], nj = r->off[j + 1] - r->off[j];
    if (ni != nj) return ni < nj ? -1 : 1;
    for (int64_t k = 0; k < ni; k++) {
        int32_t x = r->items[r->off[i] + k], y = r->items[r->off[j] + k];
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

int cmd_itemsets(enc_cli *cli, int argc, char **argv)
{
    (void)cli;
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    static const struct option opts[] = {
        {"min-support", required_argument, 0, 's'},
        {"format", required_argument, 0, 'f'},
        {"max-len", required_argument, 0, 'l'},
        {"top", required_argument, 0, 't'},
        {"json", no_argument, 0, 'j'},
        {0, 0, 0, 0},
    };
    const char *support_s = NULL;
    enc_basket_format fmt = ENC_BASKET_AUTO;
    long max_len = 0, top = 10;
    bool json = false;
    int c;
    opterr = 0; /* the message comes from enc_cli_usage, prefixed "encore: CMD:" */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': support_s = optarg; break;
        case 'f':
            if (!enc_basket_format_parse(optarg, &fmt))
                return enc_cli_usage("itemsets", usage, "--format: unknown format '%s'", optarg);
            break;
        case 'l':
            if (!enc_cli_parse_long(optarg, 0, 1000000, &max_len))
                return enc_cli_usage("itemsets", usage, "--max-len: not a count: '%s'", optarg);
            break;
        case 't':
            if (!enc_cli_parse_long(optarg, 0, 100000000, &top))
                return enc_cli_usage("itemsets", usage, "--top: not a count: '%s'", optarg);
            break;
        case 'j': json = true; break;
        default:
            return enc_cli_usage("itemsets", usage, "unknown or incomplete option '%s'",
                                 argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return enc_cli_usage("itemsets", usage,
                             optind >= argc ? "a basket FILE is needed" : "one FILE only");
    if (!support_s) return enc_cli_usage("itemsets", usage, "--min-support is needed");
    enc_support sup;
    if (!enc_support_parse(support_s, &sup))
        return enc_cli_usage("itemsets", usage,
                             "--min-support: '%s' is neither a fraction in (0, 1] nor a count >= 1",
                             support_s);
    const char *path = argv[optind];

    enc__mined m;
    int rc = enc__mine_file("itemsets", path, fmt, &sup, (int32_t)max_len, &m);
    if (rc) return rc;
    const enc_itemsets *r = &m.sets;
    size_t *by_size = enc_xcalloc((size_t)r->max_size + 1, sizeof *by_size);
    enc_itemsets_by_size(r, by_size);
    size_t ntop = (size_t)top < r->n ? (size_t)top : r->n;
    size_t *idx = enc_xmalloc((r->n + 1) * sizeof *idx);
    for (size_t i = 0; i < r->n; i++) idx[i] = i;
    if (ntop) qsort_r(idx, r->n, sizeof *idx, cmp_top, (void *)r);
    double N = r->n_baskets;

    enc_buf out = {0};
    if (json) {
        enc_jw w;
        enc_jw_init(&w, &out);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "file", path);
        enc_jw_kstr(&w, "format", enc_basket_format_name(m.fmt));
        enc_jw_kint(&w, "baskets", enc_basket_count(m.set));
        enc_jw_kint(&w, "items", enc_basket_item_count(m.set));
        if (sup.is_count) enc_jw_kint(&w, "min_support", (int64_t)sup.value);
        else enc_jw_knum(&w, "min_support", sup.value);
        enc_jw_kint(&w, "min_count", r->min_count);
        if (max_len) enc_jw_kint(&w, "max_len", max_len);
        enc_jw_kint(&w, "itemsets", (int64_t)r->n);
        enc_jw_key(&w, "by_size");
        enc_jw_arr(&w);
        for (int32_t k = 0; k < r->max_size; k++) enc_jw_int(&w, (int64_t)by_size[k]);
        enc_jw_end(&w);
        enc_jw_key(&w, "top");
        enc_jw_arr(&w);
        for (size_t t = 0; t < ntop; t++) {
            size_t i = idx[t];
            enc_jw_obj(&w);
            enc_jw_key(&w, "items");
            enc__items_json(&w, m.set, r->items + r->off[i], (int32_t)(r->off[i + 1] - r->off[i]));
            enc_jw_kint(&w, "count", r->count[i]);
            enc_jw_knum(&w, "support", r->count[i] / N);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_knum(&w, "read_seconds", m.read_seconds);
        enc_jw_knum(&w, "seconds", m.mine_seconds);
        enc_jw_end(&w);
    } else {
        enc_buf_printf(&out, "%s: %d baskets, %d items (%s)\n", path, enc_basket_count(m.set),
                       enc_basket_item_count(m.set), enc_basket_format_name(m.fmt));
        enc_buf_printf(&out, "min support %s = %d baskets", support_s, r->min_count);
        if (max_len) enc_buf_printf(&out, ", at most %ld items", max_len);
        enc_buf_printf(&out, ": %zu frequent itemsets in %.3f s (read %.3f s)\n\n", r->n,
                       m.mine_seconds, m.read_seconds);
        enc_buf_printf(&out, "%5s %10s\n", "size", "itemsets");
        for (int32_t k = 0; k < r->max_size; k++)
            enc_buf_printf(&out, "%5d %10zu\n", k + 1, by_size[k]);
        if (ntop) {
            enc_buf_printf(&out, "\n%8s %9s  %s\n", "count", "support", "itemset");
            enc_buf line = {0};
            for (size_t t = 0; t < ntop; t++) {
                size_t i = idx[t];
                enc_buf_reset(&line);
                enc__items_text(&line, m.set, r->items + r->off[i],
                                (int32_t)(r->off[i + 1] - r->off[i]));
                enc_buf_printf(&out, "%8d %9.6f  %s\n", r->count[i], r->count[i] / N, line.p);
            }
            enc_buf_free(&line);
        }
        if (out.len && out.p[out.len - 1] == '\n') out.p[--out.len] = 0;
    }
    enc_cli_print(&out);
    enc_buf_free(&out);
    free(idx);
    free(by_size);
    enc__mined_free(&m);
    return ENC_EXIT_OK;
}
