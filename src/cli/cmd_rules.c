/* cmd_rules.c — `encore rules [FILE] --min-support S --min-confidence C`: association rules of a
 * basket file, or of the store's orders or sessions when no FILE is given (baskets through
 * src/recommend/sbasket.h): FP-growth itemsets (fpgrowth.h), then rules (rules.h) with arules'
 * defaults (one-item consequents, 1..10 items a rule), sorted, the top N shown. */
#include "base/utf8.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include "cli/basket_cli.h"
#include "cli/cli.h"
#include "recommend/rules.h"
#include "recommend/sbasket.h"
#include "store/store.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: encore rules [FILE] --min-support S --min-confidence C [options]\n"
    "\n"
    "Association rules X -> Y of a basket file (one basket a line), or of the store's orders\n"
    "when no FILE is given, as arules' apriori makes them by default: every frequent set of\n"
    "1 to 10 items gives rules with one item in Y.\n"
    "\n"
    "  --min-support S      a fraction of the baskets (0.001, 0.1%) or, as a plain integer\n"
    "                       >= 1, a count of baskets; the rule's items together must be in\n"
    "                       ceil(S * baskets) or more baskets\n"
    "  --min-confidence C   least share of the baskets holding X that hold Y, in [0, 1]\n"
    "  --min-lift L         least lift (confidence / support of Y); default none\n"
    "  --max-consequent N   up to N items in Y (default 1, as arules; 0: any size)\n"
    "  --min-len N          least items in X and Y together (default 1: X may be empty)\n"
    "  --max-len N          most items in X and Y together (default 10; 0: no limit)\n"
    "  --sort M             lift (default), confidence, support, conviction or leverage\n"
    "  --top N              show the first N rules (default 20; 0: all)\n"
    "  --format F           auto (default), basket-ws or basket-csv (FILE only)\n"
    "without FILE (the store, --db):\n"
    "  --baskets B          orders (default): the sale lines of one order; sessions: the\n"
    "                       products a customer viewed, clicked, favourited or put in the\n"
    "                       cart in one session (same session id, else same UTC day)\n"
    "  --level L            product (default; items are skus) or category (category paths)\n"
    "  --as-of DATE         only what happened before DATE (YYYY-MM-DD, UTC)\n"
    "  --json               one JSON document: {rules, top: [{if, then, support, confidence,\n"
    "                       lift, conviction, leverage, count}], ...}; conviction is null\n"
    "                       (infinite) when confidence is 1\n"
    "  -h, --help           this text\n"
    "FILE may be - for standard input.\n";

int cmd_rules(enc_cli *cli, int argc, char **argv)
{
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    static const struct option opts[] = {
        {"min-support", required_argument, 0, 's'}, {"min-confidence", required_argument, 0, 'c'},
        {"min-lift", required_argument, 0, 'L'},    {"max-consequent", required_argument, 0, 'y'},
        {"min-len", required_argument, 0, 'm'},     {"max-len", required_argument, 0, 'l'},
        {"sort", required_argument, 0, 'o'},        {"top", required_argument, 0, 't'},
        {"format", required_argument, 0, 'f'},      {"json", no_argument, 0, 'j'},
        {"baskets", required_argument, 0, 'b'},     {"level", required_argument, 0, 'v'},
        {"as-of", required_argument, 0, 'a'},       {0, 0, 0, 0},
    };
    const char *support_s = NULL, *conf_s = NULL;
    enc_basket_format fmt = ENC_BASKET_AUTO;
    enc_rule_opts ro = {
        .min_len = 1, .max_len = 10, .max_consequent = 1, .max_rules = ENC__MAX_RULES};
    enc_rule_order order = ENC_RULES_BY_LIFT;
    long top = 20, v;
    bool json = false, store_opt = false, fmt_opt = false;
    enc_sb_source bsrc = ENC_SB_ORDERS;
    enc_sb_level blevel = ENC_SB_PRODUCT;
    int64_t as_of = INT64_MAX;
    int c;
    opterr = 0; /* the message comes from enc_cli_usage, prefixed "encore: CMD:" */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': support_s = optarg; break;
        case 'c':
            conf_s = optarg;
            if (!enc_cli_parse_double(optarg, 0, 1, &ro.min_confidence))
                return enc_cli_usage("rules", usage, "--min-confidence: '%s' is not in [0, 1]",
                                     optarg);
            break;
        case 'L':
            if (!enc_cli_parse_double(optarg, 0, 1e300, &ro.min_lift))
                return enc_cli_usage("rules", usage, "--min-lift: '%s' is not a number >= 0",
                                     optarg);
            break;
        case 'y':
            if (!enc_cli_parse_long(optarg, 0, 1000000, &v))
                return enc_cli_usage("rules", usage, "--max-consequent: not a count: '%s'", optarg);
            ro.max_consequent = (int32_t)v;
            break;
        case 'm':
            if (!enc_cli_parse_long(optarg, 1, 1000000, &v))
                return enc_cli_usage("rules", usage, "--min-len: not a count >= 1: '%s'", optarg);
            ro.min_len = (int32_t)v;
            break;
        case 'l':
            if (!enc_cli_parse_long(optarg, 0, 1000000, &v))
                return enc_cli_usage("rules", usage, "--max-len: not a count: '%s'", optarg);
            ro.max_len = (int32_t)v;
            break;
        case 'o':
            if (!enc_rule_order_parse(optarg, &order))
                return enc_cli_usage("rules", usage, "--sort: unknown measure '%s'", optarg);
            break;
        case 't':
            if (!enc_cli_parse_long(optarg, 0, 1000000000, &top))
                return enc_cli_usage("rules", usage, "--top: not a count: '%s'", optarg);
            break;
        case 'f':
            if (!enc_basket_format_parse(optarg, &fmt))
                return enc_cli_usage("rules", usage, "--format: unknown format '%s'", optarg);
            fmt_opt = true;
            break;
        case 'j': json = true; break;
        case 'b':
            if (!enc_sb_source_parse(optarg, &bsrc))
                return enc_cli_usage("rules", usage, "--baskets: orders or sessions, not '%s'",
                                     optarg);
            store_opt = true;
            break;
        case 'v':
            if (!enc_sb_level_parse(optarg, &blevel))
                return enc_cli_usage("rules", usage, "--level: product or category, not '%s'",
                                     optarg);
            store_opt = true;
            break;
        case 'a':
            if (!enc__parse_instant(optarg, &as_of))
                return enc_cli_usage("rules", usage,
                                     "--as-of: '%s' is not a time (" ENC_TIME_FORMS ")", optarg);
            store_opt = true;
            break;
        default:
            return enc_cli_usage("rules", usage, "unknown or incomplete option '%s'",
                                 argv[optind - 1]);
        }
    }
    if (optind + 1 < argc) return enc_cli_usage("rules", usage, "one FILE only");
    const char *path = optind < argc ? argv[optind] : NULL;
    if (path && store_opt)
        return enc_cli_usage("rules", usage,
                             "--baskets, --level and --as-of read the store: no FILE then");
    if (!path && fmt_opt) return enc_cli_usage("rules", usage, "--format is for a FILE");
    if (!support_s) return enc_cli_usage("rules", usage, "--min-support is needed");
    if (!conf_s) return enc_cli_usage("rules", usage, "--min-confidence is needed");
    enc_support sup;
    if (!enc_support_parse(support_s, &sup))
        return enc_cli_usage("rules", usage,
                             "--min-support: '%s' is neither a fraction in (0, 1] nor a count >= 1",
                             support_s);
    if (ro.max_len && ro.min_len > ro.max_len)
        return enc_cli_usage("rules", usage, "--min-len is more than --max-len");

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
