/* cmd_rules.c — `encore rules [FILE] --min-support S --min-confidence C`: association rules of a
 * basket file, or of the store's orders or sessions when no FILE is given (baskets through
 * src/recommend/sbasket.h): FP-growth itemsets (fpgrowth.h), then rules (rules.h) with arules'
 * defaults (one-item consequents, 1..10 items a rule), sorted, the top N shown. */
#include "base/utf8.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include "cli/basket_cli.h"
#include "cli/opts.h"
#include "recommend/rules.h"
#include "recommend/sbasket.h"
#include "store/store.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enc_usage usage = {
    .name = "rules",
    .synopsis = "[FILE] --min-support S --min-confidence C [options]",
    .about =
        "Association rules X -> Y of a basket file (one basket a line; - for standard input),\n"
        "or of the store's orders when no FILE is given, as arules' apriori makes them by\n"
        "default: every frequent set of 1 to 10 items gives rules with one item in Y.\n"
        "--json: {rules, top: [{if, then, support, confidence, lift, conviction, leverage,\n"
        "count}], ...}; conviction is null (infinite) when confidence is 1.\n",
    .max_args = 1,
    .extra_msg = "one FILE only",
};

int cmd_rules(enc_cli *cli, int argc, char **argv)
{
    const char *support_s = NULL, *format = NULL, *sort = "lift", *baskets = NULL, *level = NULL;
    enc_basket_format fmt = ENC_BASKET_AUTO;
    enc_rule_opts ro = {
        .min_len = 1, .max_len = 10, .max_consequent = 1, .max_rules = ENC__MAX_RULES};
    enc_rule_order order = ENC_RULES_BY_LIFT;
    long top = 20, max_consequent = 1, min_len = 1, max_len = 10;
    bool conf_given = false, as_of_given = false;
    enc_sb_source bsrc = ENC_SB_ORDERS;
    enc_sb_level blevel = ENC_SB_PRODUCT;
    int64_t as_of = INT64_MAX;
    enc_opt opts[] = {
        OPT_STRING("min-support", &support_s, "S",
                   "a fraction of the baskets (0.001, 0.1%) or, as a plain integer\n"
                   ">= 1, a count of baskets; the rule's items together must be in\n"
                   "ceil(S * baskets) or more baskets"),
        OPT_DOUBLE("min-confidence", &ro.min_confidence, "C", 0, 1,
                   "least share of the baskets holding X that hold Y"),
        OPT_DOUBLE("min-lift", &ro.min_lift, "L", 0, 1e300,
                   "least lift (confidence / support of Y); default none"),
        OPT_INT("max-consequent", &max_consequent, "N", 0, 1000000,
                "up to N items in Y (default 1, as arules; 0: any size)"),
        OPT_INT("min-len", &min_len, "N", 1, 1000000,
                "least items in X and Y together (default 1: X may be empty)"),
        OPT_INT("max-len", &max_len, "N", 0, 1000000,
                "most items in X and Y together (default 10; 0: no limit)"),
        OPT_CHOICE("sort", &sort, "lift|confidence|support|conviction|leverage",
                   "the order of the rules (default lift)"),
        OPT_INT("top", &top, "N", 0, 1000000000, "show the first N rules (default 20; 0: all)"),
        OPT_CHOICE("format", &format, "auto|basket-ws|basket-csv|ws|csv|dat",
                   "the basket file's format (FILE only; default auto)"),
        OPT_CHOICE("baskets", &baskets, "orders|sessions",
                   "without FILE: orders (default): the sale lines of one order; sessions:\n"
                   "the products a customer viewed, clicked, favourited or put in the\n"
                   "cart in one session (same session id, else same UTC day)"),
        OPT_CHOICE("level", &level, "product|category",
                   "without FILE: items are skus (default) or category paths"),
        OPT_TIME("as-of", &as_of, &as_of_given, "without FILE: only what happened before TIME"),
        OPT_END(),
    };
    opts[1].given = &conf_given;
    int nargs;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, &nargs);
    if (x != ENC_OPTS_GO) return x;
    bool json = cli->json;
    ro.max_consequent = (int32_t)max_consequent;
    ro.min_len = (int32_t)min_len;
    ro.max_len = (int32_t)max_len;
    enc_rule_order_parse(sort, &order);
    if (format) enc_basket_format_parse(format, &fmt);
    if (baskets) enc_sb_source_parse(baskets, &bsrc);
    if (level) enc_sb_level_parse(level, &blevel);
    bool store_opt = baskets || level || as_of_given, fmt_opt = format != NULL;
    const char *conf_s = conf_given ? "" : NULL;
    const char *path = nargs ? argv[1] : NULL;
    if (path && store_opt)
        return enc_opts_error(cli, &usage, opts,
                              "--baskets, --level and --as-of read the store: no FILE then");
    if (!path && fmt_opt) return enc_opts_error(cli, &usage, opts, "--format is for a FILE");
    if (!support_s) return enc_opts_error(cli, &usage, opts, "--min-support is needed");
    if (!conf_s) return enc_opts_error(cli, &usage, opts, "--min-confidence is needed");
    enc_support sup;
    if (!enc_support_parse(support_s, &sup))
        return enc_opts_error(
            cli, &usage, opts,
            "--min-support: '%s' is neither a fraction in (0, 1] nor a count >= 1", support_s);
    if (ro.max_len && ro.min_len > ro.max_len)
        return enc_opts_error(cli, &usage, opts, "--min-len is more than --max-len");

    enc__mined m;
    int rc;
    int32_t n_items;
    if (path) {
        rc = enc__mine_file("rules", path, fmt, &sup, ro.max_len, &m);
        if (rc) return rc;
        n_items = enc_basket_item_count(m.set);
    } else {
        enc_err e = {0};
        enc_store *st;
        enc_snapshot *snap = NULL;
        enc_basket_set *set = NULL;
        if (enc_store_open(cli->db_path, &st, &e)) return enc_cli_fail_err("rules", &e);
        enc_rc r = enc_snapshot_load(st, as_of, &snap, &e);
        enc_store_close(st);
        if (!r) r = enc_sbasket_build(snap, bsrc, blevel, &set, &e);
        enc_snapshot_free(snap);
        if (r) return enc_cli_fail_err("rules", &e);
        /* items that occur in some basket (the dictionary holds the whole catalogue) */
        int32_t *freq = enc_xmalloc(((size_t)enc_basket_item_count(set) + 1) * sizeof *freq);
        enc_basket_item_freq(set, freq);
        n_items = 0;
        for (int32_t i = 0; i < enc_basket_item_count(set); i++) n_items += freq[i] > 0;
        free(freq);
        rc = enc__mine_set("rules", set, &sup, ro.max_len, &m);
        if (rc) return rc;
    }
    const char *src_name = path ? path : bsrc == ENC_SB_ORDERS ? "orders" : "sessions";
    enc_rules rules = {0};
    enc_err err = {0};
    double t0 = enc__now();
    if (enc_rules_mine(&m.sets, &ro, &rules, &err)) {
        enc__mined_free(&m);
        return enc_cli_fail_err("rules", &err);
    }
    enc_rules_sort(&rules, order);
    double rule_seconds = enc__now() - t0;
    size_t ntop = top == 0 || (size_t)top > rules.n ? rules.n : (size_t)top;

    enc_buf out = {0};
    if (json) {
        enc_jw w;
        enc_jw_init(&w, &out);
        enc_jw_obj(&w);
        if (path) {
            enc_jw_kstr(&w, "file", path);
            enc_jw_kstr(&w, "format", enc_basket_format_name(m.fmt));
        } else {
            enc_jw_kstr(&w, "baskets_from", src_name);
            enc_jw_kstr(&w, "level", blevel == ENC_SB_PRODUCT ? "product" : "category");
        }
        enc_jw_kint(&w, "baskets", enc_basket_count(m.set));
        enc_jw_kint(&w, "items", n_items);
        if (sup.is_count) enc_jw_kint(&w, "min_support", (int64_t)sup.value);
        else enc_jw_knum(&w, "min_support", sup.value);
        enc_jw_kint(&w, "min_count", m.sets.min_count);
        enc_jw_knum(&w, "min_confidence", ro.min_confidence);
        if (ro.min_lift > 0) enc_jw_knum(&w, "min_lift", ro.min_lift);
        enc_jw_kint(&w, "itemsets", (int64_t)m.sets.n);
        enc_jw_kint(&w, "rules", (int64_t)rules.n);
        enc_jw_key(&w, "top");
        enc_jw_arr(&w);
        for (size_t i = 0; i < ntop; i++) {
            const enc_rule *u = &rules.r[i];
            enc_jw_obj(&w);
            enc_jw_key(&w, "if");
            enc__items_json(&w, m.set, rules.items + u->off, u->n_if);
            enc_jw_key(&w, "then");
            enc__items_json(&w, m.set, rules.items + u->off + u->n_if, u->n_then);
            enc_jw_knum(&w, "support", u->support);
            enc_jw_knum(&w, "confidence", u->confidence);
            enc_jw_knum(&w, "lift", u->lift);
            enc_jw_knum(&w, "conviction", u->conviction);
            enc_jw_knum(&w, "leverage", u->leverage);
            enc_jw_kint(&w, "count", u->count);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_knum(&w, "seconds", m.mine_seconds + rule_seconds);
        enc_jw_end(&w);
    } else {
        enc_buf_printf(&out,
                       "%s: %d baskets, %d items (%s); min support %s = %d baskets, "
                       "%zu itemsets\n",
                       src_name, enc_basket_count(m.set), n_items,
                       path                       ? enc_basket_format_name(m.fmt)
                       : blevel == ENC_SB_PRODUCT ? "products"
                                                  : "categories",
                       support_s, m.sets.min_count, m.sets.n);
        enc_buf_printf(&out, "%zu rules with confidence >= %s", rules.n, conf_s);
        if (ro.min_lift > 0) enc_buf_printf(&out, ", lift >= %g", ro.min_lift);
        enc_buf_printf(&out, " (%.3f s)", m.mine_seconds + rule_seconds);
        if (ntop < rules.n)
            enc_buf_printf(
                &out, "; the first %zu by %s:", ntop,
                (const char *[]){"lift", "confidence", "support", "conviction", "leverage"}[order]);
        enc_buf_addc(&out, '\n');
        if (ntop) {
            /* two passes: widths, then rows */
            enc_buf *lhs = enc_xcalloc(ntop, sizeof *lhs), *rhs = enc_xcalloc(ntop, sizeof *rhs);
            size_t wl = 2, wr = 4;
            for (size_t i = 0; i < ntop; i++) {
                const enc_rule *u = &rules.r[i];
                enc__items_text(&lhs[i], m.set, rules.items + u->off, u->n_if);
                enc__items_text(&rhs[i], m.set, rules.items + u->off + u->n_if, u->n_then);
                size_t a = enc_utf8_width(lhs[i].p, lhs[i].len),
                       b = enc_utf8_width(rhs[i].p, rhs[i].len);
                if (a > wl) wl = a;
                if (b > wr) wr = b;
            }
            enc_buf_printf(&out, "\n%-*s    %-*s %9s %10s %8s %10s %7s\n", (int)wl, "if", (int)wr,
                           "then", "support", "confidence", "lift", "conviction", "count");
            for (size_t i = 0; i < ntop; i++) {
                const enc_rule *u = &rules.r[i];
                size_t a = enc_utf8_width(lhs[i].p, lhs[i].len),
                       b = enc_utf8_width(rhs[i].p, rhs[i].len);
                enc_buf_printf(&out, "%s%*s => %s%*s %9.6f %10.6f %8.4f ", lhs[i].p, (int)(wl - a),
                               "", rhs[i].p, (int)(wr - b), "", u->support, u->confidence, u->lift);
                if (isinf(u->conviction)) enc_buf_printf(&out, "%10s", "inf");
                else enc_buf_printf(&out, "%10.4f", u->conviction);
                enc_buf_printf(&out, " %7d\n", u->count);
                enc_buf_free(&lhs[i]);
                enc_buf_free(&rhs[i]);
            }
            free(lhs);
            free(rhs);
        }
        if (out.len && out.p[out.len - 1] == '\n') out.p[--out.len] = 0;
    }
    enc_cli_print(&out);
    enc_buf_free(&out);
    enc_rules_free(&rules);
    enc__mined_free(&m);
    return ENC_EXIT_OK;
}
