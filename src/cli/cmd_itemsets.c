/* cmd_itemsets.c — `encore itemsets FILE --min-support S`: frequent itemsets of a basket file
 * by FP-growth (src/recommend/fpgrowth.h); reports counts by size and the most frequent sets. */
#include "base/json.h"
#include "base/mem.h"
#include "cli/basket_cli.h"
#include "cli/opts.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enc_usage usage = {
    .name = "itemsets",
    .synopsis = "FILE --min-support S [options]",
    .about =
        "Frequent itemsets of a basket file (one basket a line) by FP-growth. FILE may be - for\n"
        "standard input. --json: {baskets, items, min_count, itemsets, by_size, top, seconds};\n"
        "by_size[k-1] counts the sets of k items.\n",
    .min_args = 1,
    .max_args = 1,
    .args_msg = "a basket FILE is needed",
    .extra_msg = "one FILE only",
};

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
    const char *support_s = NULL, *format = "auto";
    long max_len = 0, top = 10;
    const enc_opt opts[] = {
        OPT_STRING("min-support", &support_s, "S",
                   "a fraction of the baskets (0.001, 1e-3, 0.1%) or, as a plain\n"
                   "integer >= 1, a count of baskets (10); a set is frequent when\n"
                   "ceil(S * baskets) or more baskets hold it"),
        OPT_CHOICE("format", &format, "auto|basket-ws|basket-csv|ws|csv|dat",
                   "auto (default: basket-csv when the first line has a comma),\n"
                   "basket-ws (items separated by blanks, FIMI .dat) or basket-csv"),
        OPT_INT("max-len", &max_len, "N", 0, 1000000,
                "report sets of at most N items (default 0: no limit)"),
        OPT_INT("top", &top, "N", 0, 100000000,
                "list the N sets held by the most baskets (default 10; 0: none)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_basket_format fmt = ENC_BASKET_AUTO;
    enc_basket_format_parse(format, &fmt);
    bool json = cli->json;
    if (!support_s) return enc_opts_error(cli, &usage, opts, "--min-support is needed");
    enc_support sup;
    if (!enc_support_parse(support_s, &sup))
        return enc_opts_error(
            cli, &usage, opts,
            "--min-support: '%s' is neither a fraction in (0, 1] nor a count >= 1", support_s);
    const char *path = argv[1];

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
