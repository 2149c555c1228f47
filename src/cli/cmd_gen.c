/* cmd_gen.c — `encore gen`: writes a synthetic shop (six CSV files) for a seed with the
 * generator in src/gen, and reports what it wrote and the true generative parameters. The files
 * feed `encore import`; the parameters are what the models should recover. `encore gen
 * respond` simulates customers' responses to a campaign with a known true uplift
 * (src/gen/respond.h): orders to import and tracking links to hit. */
#include "cli/opts.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/spec.h"
#include "gen/gen.h"
#include "gen/respond.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const enc_usage gen_usage = {
    .name = "gen",
    .synopsis =
        "--out DIR [--customers N] [--seed S] [--locale en|zh] [--start DATE] [--end DATE]\n"
        "respond --campaign NAME --out DIR ...   (see 'encore gen respond --help')",
    .about =
        "Writes a synthetic shop as CSV files in DIR: customers.csv, products.csv, orders.csv,\n"
        "events.csv, feedback.csv, consents.csv, with the headers 'encore import' recognises.\n"
        "Behaviour is drawn from known models (BG/NBD purchasing, Gamma-Gamma spend, complements,\n"
        "replenishment, returns, complaint-driven churn; see docs/generator.md). The same options\n"
        "give byte-identical files. 'encore gen respond' simulates responses to a campaign.\n",
    .late_setup = true, /* the shop's files need no store: the setup is never done */
};

static void progress(void *ctx, int64_t done, int64_t total)
{
    fprintf(stderr, "\rencore gen: %3d%% (%lld/%lld customers)", (int)(100 * done / total),
            (long long)done, (long long)total);
    if (done == total) fputc('\n', stderr);
    fflush(stderr);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

static void fmt_day(char *out, size_t cap, int64_t epoch)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d", &tm);
}

/* "seed": a number, or beyond a JSON reader's int64 a string, exactly */
static void kseed(enc_jw *w, uint64_t seed)
{
    enc_jw_key(w, "seed");
    if (seed <= (uint64_t)INT64_MAX) {
        enc_jw_int(w, (int64_t)seed);
    } else {
        char t[24];
        snprintf(t, sizeof t, "%llu", (unsigned long long)seed);
        enc_jw_str(w, t);
    }
}

static void print_json(const enc_gen_opts *o, const enc_gen_counts *c, double secs)
{
    enc_gen_params p;
    enc_gen_true_params(o->locale, &p);
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    char d0[16], d1[16];
    fmt_day(d0, sizeof d0, o->start);
    fmt_day(d1, sizeof d1, o->end - 86400);
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "out", o->out_dir);
    enc_jw_kstr(&w, "locale", o->locale == ENC_GEN_ZH ? "zh" : "en");
    kseed(&w, o->seed);
    enc_jw_kstr(&w, "start", d0);
    enc_jw_kstr(&w, "end", d1);
    enc_jw_kstr(&w, "currency", o->locale == ENC_GEN_ZH ? "CNY" : "USD");
    enc_jw_knum(&w, "seconds", secs);

    enc_jw_key(&w, "files");
    enc_jw_obj(&w);
    const int64_t rows[6] = {c->customers, c->products, c->order_lines,
                             c->events,    c->feedback, c->consents};
    for (int f = 0; f < 6; f++) {
        enc_jw_key(&w, enc_gen_files[f]);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "rows", rows[f]);
        enc_jw_kint(&w, "bytes", c->bytes[f]);
        enc_jw_end(&w);
    }
    enc_jw_end(&w);

    enc_jw_key(&w, "counts");
    enc_jw_obj(&w);
    enc_jw_kint(&w, "customers", c->customers);
    enc_jw_kint(&w, "products", c->products);
    enc_jw_kint(&w, "orders", c->orders);
    enc_jw_kint(&w, "order_lines", c->order_lines);
    enc_jw_kint(&w, "paid_orders", c->paid_orders);
    enc_jw_kint(&w, "returned_orders", c->returned_orders);
    enc_jw_kint(&w, "cancelled_orders", c->cancelled_orders);
    enc_jw_kint(&w, "guest_orders", c->guest_orders);
    enc_jw_kint(&w, "coupon_orders", c->coupon_orders);
    enc_jw_kint(&w, "buyers", c->buyers);
    enc_jw_kint(&w, "repeat_buyers", c->repeat_buyers);
    enc_jw_kint(&w, "events", c->events);
    enc_jw_kint(&w, "sessions", c->sessions);
    enc_jw_kint(&w, "abandoned_carts", c->abandoned_carts);
    enc_jw_kint(&w, "feedback", c->feedback);
    enc_jw_kint(&w, "complaints", c->complaints);
    enc_jw_kint(&w, "reviews", c->reviews);
    enc_jw_kint(&w, "nps", c->nps);
    enc_jw_kint(&w, "surveys", c->surveys);
    enc_jw_kint(&w, "consents", c->consents);
    enc_jw_kint(&w, "consent_revocations", c->revocations);
    enc_jw_kint(&w, "replenishment_lines", c->replenishments);
    enc_jw_kint(&w, "complement_lines", c->complement_lines);
    enc_jw_end(&w);

    enc_jw_key(&w, "duplicate_identities");
    enc_jw_obj(&w);
    enc_jw_kint(&w, "total", c->dup_phone + c->dup_email + c->dup_both);
    enc_jw_kint(&w, "same_phone", c->dup_phone);
    enc_jw_kint(&w, "same_email", c->dup_email);
    enc_jw_kint(&w, "same_phone_and_email", c->dup_both);
    enc_jw_end(&w);

    int64_t n_spend = c->paid_orders; /* customers' paid orders: guests are not in the sums */
    enc_jw_key(&w, "spend_per_order");
    enc_jw_obj(&w);
    enc_jw_knum(&w, "expected", p.gg_p * p.gg_gamma / (p.gg_q - 1));
    enc_jw_knum(&w, "drawn_mean", n_spend ? c->spend_target_sum / (double)n_spend : 0);
    enc_jw_knum(&w, "realised_mean", n_spend ? c->spend_real_sum / (double)n_spend : 0);
    enc_jw_end(&w);

    enc_jw_key(&w, "params");
    enc_jw_obj(&w);
    enc_jw_key(&w, "bgnbd");
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "time_unit", "day");
    enc_jw_knum(&w, "r", p.bg_r);
    enc_jw_knum(&w, "alpha", p.bg_alpha);
    enc_jw_knum(&w, "a", p.bg_a);
    enc_jw_knum(&w, "b", p.bg_b);
    enc_jw_end(&w);
    enc_jw_key(&w, "gamma_gamma");
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "currency", o->locale == ENC_GEN_ZH ? "CNY" : "USD");
    enc_jw_knum(&w, "p", p.gg_p);
    enc_jw_knum(&w, "q", p.gg_q);
    enc_jw_knum(&w, "gamma", p.gg_gamma);
    enc_jw_end(&w);
    enc_jw_knum(&w, "never_buy_share", p.never_buy_share);
    enc_jw_knum(&w, "return_rate", p.return_rate);
    enc_jw_knum(&w, "complaint_rate", p.complaint_rate);
    enc_jw_knum(&w, "complaint_rate_after_return", p.complaint_rate_ret);
    enc_jw_knum(&w, "complaint_churn", p.complaint_churn);
    enc_jw_knum(&w, "cancel_rate", p.cancel_rate);
    enc_jw_knum(&w, "guest_orders_per_customer", p.guest_orders_per_customer);
    enc_jw_knum(&w, "duplicate_share", p.duplicate_share);
    enc_jw_key(&w, "complement_prob");
    enc_jw_arr(&w);
    for (int k = 0; k < 3; k++) enc_jw_num(&w, p.complement_prob[k]);
    enc_jw_end(&w);
    enc_jw_knum(&w, "replenish_min_frac", p.replenish_min_frac);
    enc_jw_knum(&w, "replenish_prob", p.replenish_prob);
    enc_jw_knum(&w, "coupon_a", p.coupon_a);
    enc_jw_knum(&w, "coupon_b", p.coupon_b);
    enc_jw_knum(&w, "category_concentration", p.category_conc);
    enc_jw_end(&w);
    enc_jw_end(&w);
    enc_cli_print(&b);
    enc_buf_free(&b);
}

static void print_table(const enc_gen_opts *o, const enc_gen_counts *c, double secs)
{
    const int64_t rows[6] = {c->customers, c->products, c->order_lines,
                             c->events,    c->feedback, c->consents};
    printf("%-14s %12s %14s\n", "file", "rows", "bytes");
    for (int f = 0; f < 6; f++)
        printf("%-14s %12lld %14lld\n", enc_gen_files[f], (long long)rows[f],
               (long long)c->bytes[f]);
    printf("\n%lld orders (%lld paid, %lld returned, %lld cancelled, %lld guest), "
           "%lld duplicate identities, written to %s in %.1f s\n",
           (long long)c->orders, (long long)c->paid_orders, (long long)c->returned_orders,
           (long long)c->cancelled_orders, (long long)c->guest_orders,
           (long long)(c->dup_phone + c->dup_email + c->dup_both), o->out_dir, secs);
}

/* ---- encore gen respond ------------------------------------------------------------------ */

static const enc_usage respond_usage = {
    .name = "gen respond",
    .synopsis =
        "--campaign NAME --out DIR [--base-rate P] [--uplift D] [--uplift-by F] [--open-rate P]\n"
        " [--click-rate P] [--coupon-use P] [--window DUR] [--since TIME] [--until TIME]\n"
        " [--aov AMOUNT] [--seed S] [--base-url URL] [--click-url URL] [--secret-file FILE]",
    .about =
        "Simulates how the members of a campaign respond, with a known true uplift. Each "
        "customer's\n"
        "anchor is the delivery of their first sent message (reached), else their membership time\n"
        "(the holdout, and members whose message was not delivered). Within the window after it,\n"
        "a customer buys once with probability P = base rate (+ uplift when reached); a basket of\n"
        "the shop's products around the mean order; reached buyers use their message's coupon\n"
        "with probability --coupon-use. Reached customers open and click. Writes to DIR:\n"
        "  orders.csv             for 'encore import orders' (then 'encore tick' redeems coupons)\n"
        "  events.csv             the opens and clicks, for 'encore import events' ... or, with\n"
        "  opens.txt, clicks.txt  --base-url: tracking URLs to GET on a running 'encore serve'\n"
        "  truth.json             the options and what was drawn, per group (as --json prints)\n"
        "The same store and options give byte-identical files. See docs/generator.md.\n",
    .late_setup = true,
};

static void group_json(enc_jw *w, const char *name, const enc_respond_group *g, int digits)
{
    enc_jw_key(w, name);
    enc_jw_obj(w);
    enc_jw_kint(w, "customers", g->customers);
    enc_jw_kint(w, "buyers", g->buyers);
    enc_jw_knum(w, "conversion", g->customers ? (double)g->buyers / (double)g->customers : 0);
    enc_jw_kint(w, "order_lines", g->lines);
    enc_jw_key(w, "revenue");
    enc_jw_money(w, g->revenue, digits);
    enc_jw_key(w, "discount");
    enc_jw_money(w, g->discount, digits);
    enc_jw_kint(w, "coupon_orders", g->coupon_orders);
    enc_jw_kint(w, "opens", g->opens);
    enc_jw_kint(w, "clicks", g->clicks);
    enc_jw_end(w);
}

static void respond_json(const enc_respond_opts *o, const enc_respond_counts *c, enc_buf *b)
{
    enc_jw w;
    enc_jw_init(&w, b);
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "campaign", o->campaign);
    enc_jw_kstr(&w, "out", o->out_dir);
    kseed(&w, o->seed);
    char t[40];
    enc_jw_key(&w, "truth");
    enc_jw_obj(&w);
    enc_jw_knum(&w, "base_rate", o->base_rate);
    enc_jw_knum(&w, "uplift", o->uplift);
    enc_jw_kstr(&w, "uplift_by", o->uplift_by);
    enc_jw_knum(&w, "open_rate", o->open_rate);
    enc_jw_knum(&w, "click_rate", o->click_rate);
    enc_jw_knum(&w, "coupon_use", o->coupon_use);
    enc_jw_kint(&w, "window_seconds", o->window ? o->window : ENC_RESPOND_DEFAULT_WINDOW);
    enc_jw_key(&w, "aov");
    enc_jw_money(&w, c->aov, c->digits);
    enc_jw_kstr(&w, "currency", c->currency);
    enc_jw_end(&w);
    enc_jw_key(&w, "groups");
    enc_jw_obj(&w);
    group_json(&w, "holdout", &c->holdout, c->digits);
    group_json(&w, "reached", &c->reached, c->digits);
    group_json(&w, "unreached", &c->unreached, c->digits);
    enc_jw_end(&w);
    /* the drawn difference of conversion rates, reached minus holdout */
    double ph = c->holdout.customers ? (double)c->holdout.buyers / (double)c->holdout.customers : 0;
    double pr = c->reached.customers ? (double)c->reached.buyers / (double)c->reached.customers : 0;
    enc_jw_knum(&w, "drawn_uplift", pr - ph);
    enc_jw_kint(&w, "outside_window", c->outside);
    enc_jw_kint(&w, "no_merchant_id", c->no_id);
    enc_jw_kint(&w, "products", c->products);
    enc_jw_key(&w, "anchors");
    enc_jw_obj(&w);
    enc_fmt_datetime(t, sizeof t, c->first_anchor);
    enc_jw_kstr(&w, "first", c->first_anchor ? t : NULL);
    enc_fmt_datetime(t, sizeof t, c->last_anchor);
    enc_jw_kstr(&w, "last", c->last_anchor ? t : NULL);
    enc_jw_end(&w);
    enc_jw_key(&w, "files");
    enc_jw_arr(&w);
    enc_jw_str(&w, "orders.csv");
    if (o->base_url) {
        enc_jw_str(&w, "opens.txt");
        enc_jw_str(&w, "clicks.txt");
    } else {
        enc_jw_str(&w, "events.csv");
    }
    enc_jw_str(&w, "truth.json");
    enc_jw_end(&w);
    enc_jw_end(&w);
}

static int cmd_gen_respond(enc_cli *cli, int argc, char **argv)
{
    enc_respond_opts o = {.base_rate = 0.05,
                          .uplift = 0.02,
                          .open_rate = 0.35,
                          .click_rate = 0.1,
                          .coupon_use = 0.5,
                          .seed = 1};
    o.base_url = getenv("ENCORE_BASE_URL");
    if (o.base_url && !*o.base_url) o.base_url = NULL;
    const char *secret_file = NULL, *window = NULL, *seed = NULL;
    const enc_opt opts[] = {
        OPT_STRING("campaign", &o.campaign, "NAME", "the campaign (required)"),
        OPT_STRING("out", &o.out_dir, "DIR", "output directory (required; created when missing)"),
        OPT_DOUBLE("base-rate", &o.base_rate, "P", 0, 1,
                   "P(an order in the window) without the message (default 0.05)"),
        OPT_DOUBLE("uplift", &o.uplift, "D", -1, 1,
                   "added for reached customers (default 0.02; may be negative)"),
        OPT_STRING("uplift-by", &o.uplift_by, "F",
                   "heterogeneous uplift: a reached customer gets D x 2q, q the rank share of\n"
                   "their F before the message among the members (F: orders, recency_days,\n"
                   "sales, tenure_days); the mean stays D"),
        OPT_DOUBLE("open-rate", &o.open_rate, "P", 0, 1,
                   "P(open) of a reached customer (default 0.35)"),
        OPT_DOUBLE("click-rate", &o.click_rate, "P", 0, 1,
                   "P(click) of a reached customer (default 0.1; clickers also open)"),
        OPT_DOUBLE("coupon-use", &o.coupon_use, "P", 0, 1,
                   "P(a reached buyer uses the message's coupon) (default 0.5)"),
        OPT_STRING("window", &window, "DUR",
                   "response window after the anchor: 90s, 30m, 12h, 7d, 2w (default 7d)"),
        OPT_TIME("since", &o.since, NULL, "only customers whose anchor is at or after TIME"),
        OPT_TIME("until", &o.until, NULL, "only customers whose anchor is before TIME"),
        OPT_DOUBLE("aov", &o.aov, "AMOUNT", 0.01, 1e9,
                   "mean order subtotal in currency units (default: the shop's mean)"),
        OPT_STRING("seed", &seed, "S", "random seed, 0 .. 2^64-1 (default 1)"),
        OPT_STRING("base-url", &o.base_url, "URL",
                   "write tracking URLs under URL (default $ENCORE_BASE_URL; none: events)"),
        OPT_STRING("click-url", &o.click_url, "URL",
                   "where clicks lead (default: the policy's shop_url)"),
        OPT_STRING("secret-file", &secret_file, "FILE",
                   "the token secret, as 'encore serve' finds it\n"
                   "(default $ENCORE_SECRET, else DB.secret next to the store)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &respond_usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    bool json = cli->json;
    if (window &&
        (!enc_spec_duration(window, false, &o.window) || o.window < 1 || o.window > 365 * 86400))
        return enc_opts_error(cli, &respond_usage, opts,
                              "--window: '%s' is not a duration from 1s to 365d", window);
    if (seed && !parse_u64(seed, &o.seed))
        return enc_opts_error(cli, &respond_usage, opts,
                              "--seed: '%s' is not a non-negative integer", seed);
    if (!o.campaign)
        return enc_opts_error(cli, &respond_usage, opts, "--campaign NAME is required");
    if (!o.out_dir || !*o.out_dir)
        return enc_opts_error(cli, &respond_usage, opts, "--out DIR is required");
    if (!(o.base_rate + o.uplift >= 0 && o.base_rate + o.uplift <= 1))
        return enc_opts_error(cli, &respond_usage, opts,
                              "--base-rate + --uplift must be from 0 to 1");
    if (o.since && o.until && o.until <= o.since)
        return enc_opts_error(cli, &respond_usage, opts, "--until must be after --since");
    enc_err err = {0};
    enc_token_key key;
    if (o.base_url) {
        if (enc_token_key_load(secret_file, getenv("ENCORE_SECRET"), cli->db_path, &key, NULL, 0,
                               &err))
            return enc_cli_fail_err("gen respond", &err);
        o.key = &key;
    }
    if ((x = enc_opts_setup(cli, &respond_usage)) != ENC_OPTS_GO) return x;
    enc_respond_counts c;
    enc_rc rc = enc_respond_run(cli->st, &o, &c, &err);
    if (rc)
        return rc == ENC_EUSAGE ? enc_opts_error(cli, &respond_usage, opts, "%s", err.msg)
                                : enc_cli_fail_err("gen respond", &err);
    enc_buf b = {0};
    respond_json(&o, &c, &b);
    char path[4200];
    snprintf(path, sizeof path, "%s/truth.json", o.out_dir);
    FILE *f = fopen(path, "wb");
    bool wrote = f && fwrite(b.p, 1, b.len, f) == b.len && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0) wrote = false;
    if (!wrote) {
        enc_buf_free(&b);
        return enc_cli_fail("gen respond", "%s: %s", path, strerror(errno));
    }
    if (json) {
        enc_cli_print(&b);
    } else {
        printf("%-10s %10s %8s %11s %14s %8s %8s %8s\n", "group", "customers", "buyers",
               "conversion", "revenue", "coupons", "opens", "clicks");
        const struct {
            const char *name;
            const enc_respond_group *g;
        } rows[] = {{"holdout", &c.holdout}, {"reached", &c.reached}, {"unreached", &c.unreached}};
        for (int i = 0; i < 3; i++) {
            const enc_respond_group *g = rows[i].g;
            char rev[48];
            enc_money_format(rev, sizeof rev, g->revenue, c.digits);
            printf("%-10s %10lld %8lld %10.2f%% %14s %8lld %8lld %8lld\n", rows[i].name,
                   (long long)g->customers, (long long)g->buyers,
                   g->customers ? 100.0 * (double)g->buyers / (double)g->customers : 0.0, rev,
                   (long long)g->coupon_orders, (long long)g->opens, (long long)g->clicks);
        }
        printf("\nwritten to %s: orders.csv, %s, truth.json\n", o.out_dir,
               o.base_url ? "opens.txt and clicks.txt (GET each URL on 'encore serve')"
                          : "events.csv");
    }
    enc_buf_free(&b);
    return ENC_EXIT_OK;
}

int cmd_gen(enc_cli *cli, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "respond") == 0)
        return cmd_gen_respond(cli, argc - 1, argv + 1);
    enc_gen_opts o = {.customers = 1000,
                      .seed = 1,
                      .locale = ENC_GEN_EN,
                      .start = ENC_GEN_DEFAULT_START,
                      .end = ENC_GEN_DEFAULT_END};
    long customers = o.customers;
    const char *seed = NULL, *locale = "en", *start = NULL, *end = NULL;
    const enc_opt opts[] = {
        OPT_STRING("out", &o.out_dir, "DIR",
                   "output directory (created when missing; files are replaced)"),
        OPT_INT("customers", &customers, "N", 1, ENC_GEN_MAX_CUSTOMERS,
                "registered customers (default 1000; about 10 order lines each)"),
        OPT_STRING("seed", &seed, "S", "random seed, 0 .. 2^64-1 (default 1)"),
        OPT_CHOICE("locale", &locale, "en|zh",
                   "en: English names, US/UK cities, USD; zh: Chinese names, cities, CNY"),
        OPT_STRING("start", &start, "DATE", "first day of the window (default 2024-01-01)"),
        OPT_STRING("end", &end, "DATE", "last day of the window, inclusive (default 2025-12-31)"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &gen_usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    bool json = cli->json;
    o.customers = customers;
    o.locale = strcmp(locale, "zh") == 0 ? ENC_GEN_ZH : ENC_GEN_EN;
    int64_t day;
    if (seed && !parse_u64(seed, &o.seed))
        return enc_opts_error(cli, &gen_usage, opts, "--seed: '%s' is not a non-negative integer",
                              seed);
    if (start && !enc_gen_parse_date(start, &o.start))
        return enc_opts_error(cli, &gen_usage, opts, "--start: '%s' is not a date YYYY-MM-DD",
                              start);
    if (end && !enc_gen_parse_date(end, &day))
        return enc_opts_error(cli, &gen_usage, opts, "--end: '%s' is not a date YYYY-MM-DD", end);
    if (end) o.end = day + 86400;
    if (!o.out_dir || !*o.out_dir)
        return enc_opts_error(cli, &gen_usage, opts, "--out DIR is required");
    if (o.end - o.start < 7 * 86400)
        return enc_opts_error(cli, &gen_usage, opts,
                              "--start/--end: the window must be at least 7 days long");
    if (cli->tty) o.progress = progress;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enc_gen_counts c;
    enc_err err = {0};
    enc_rc rc = enc_gen_run(&o, &c, &err);
    if (rc) return enc_cli_fail_err("gen", &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (json) print_json(&o, &c, secs);
    else print_table(&o, &c, secs);
    return ENC_EXIT_OK;
}
