/* cmd_gen.c — `encore gen`: writes a synthetic shop (six CSV files) for a seed with the
 * generator in src/gen, and reports what it wrote and the true generative parameters. The files
 * feed `encore import`; the parameters are what the models should recover. */
#include "cli/cli.h"
#include "base/json.h"
#include "gen/gen.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: encore gen --out DIR [--customers N] [--seed S] [--locale en|zh]\n"
    "                  [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--json]\n\n"
    "Writes a synthetic shop as CSV files in DIR: customers.csv, products.csv, orders.csv,\n"
    "events.csv, feedback.csv, consents.csv, with the headers 'encore import' recognises.\n"
    "Behaviour is drawn from known models (BG/NBD purchasing, Gamma-Gamma spend, complements,\n"
    "replenishment, returns, complaint-driven churn; see docs/generator.md). The same options\n"
    "give byte-identical files.\n\n"
    "options:\n"
    "  --out DIR        output directory (created when missing; files are replaced)\n"
    "  --customers N    registered customers (default 1000; about 10 order lines each)\n"
    "  --seed S         random seed, 0 .. 2^64-1 (default 1)\n"
    "  --locale L       en: English names, US/UK cities, USD; zh: Chinese names, cities, CNY\n"
    "  --start DATE     first day of the window (default 2024-01-01)\n"
    "  --end DATE       last day of the window, inclusive (default 2025-12-31)\n"
    "  --json           print counts and the true parameters as one JSON document\n"
    "  --help           this text\n";

static void progress(void *ctx, int64_t done, int64_t total)
{
    fprintf(stderr, "\rencore gen: %3d%% (%lld/%lld customers)", (int)(100 * done / total), (long long)done,
            (long long)total);
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
    enc_jw_key(&w, "seed");
    if (o->seed <= (uint64_t)INT64_MAX) {
        enc_jw_int(&w, (int64_t)o->seed);
    } else { /* beyond a JSON reader's int64: as text, exactly */
        char t[24];
        snprintf(t, sizeof t, "%llu", (unsigned long long)o->seed);
        enc_jw_str(&w, t);
    }
    enc_jw_kstr(&w, "start", d0);
    enc_jw_kstr(&w, "end", d1);
    enc_jw_kstr(&w, "currency", o->locale == ENC_GEN_ZH ? "CNY" : "USD");
    enc_jw_knum(&w, "seconds", secs);

    enc_jw_key(&w, "files");
    enc_jw_obj(&w);
    const int64_t rows[6] = {c->customers, c->products, c->order_lines, c->events, c->feedback, c->consents};
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
    const int64_t rows[6] = {c->customers, c->products, c->order_lines, c->events, c->feedback, c->consents};
    printf("%-14s %12s %14s\n", "file", "rows", "bytes");
    for (int f = 0; f < 6; f++)
        printf("%-14s %12lld %14lld\n", enc_gen_files[f], (long long)rows[f], (long long)c->bytes[f]);
    printf("\n%lld orders (%lld paid, %lld returned, %lld cancelled, %lld guest), "
           "%lld duplicate identities, written to %s in %.1f s\n",
           (long long)c->orders, (long long)c->paid_orders, (long long)c->returned_orders,
           (long long)c->cancelled_orders, (long long)c->guest_orders,
           (long long)(c->dup_phone + c->dup_email + c->dup_both), o->out_dir, secs);
}

int cmd_gen(enc_cli *cli, int argc, char **argv)
{
    enum { O_CUST = 1, O_SEED, O_OUT, O_LOCALE, O_START, O_END, O_JSON, O_HELP };
    static const struct option longopts[] = {
        {"customers", required_argument, 0, O_CUST}, {"seed", required_argument, 0, O_SEED},
        {"out", required_argument, 0, O_OUT},        {"locale", required_argument, 0, O_LOCALE},
        {"start", required_argument, 0, O_START},    {"end", required_argument, 0, O_END},
        {"json", no_argument, 0, O_JSON},            {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0},
    };
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    enc_gen_opts o = {.customers = 1000, .seed = 1, .locale = ENC_GEN_EN,
                      .start = ENC_GEN_DEFAULT_START, .end = ENC_GEN_DEFAULT_END};
    bool json = false;
    long v;
    int64_t day;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (ch) {
        case O_CUST:
            if (!enc_cli_parse_long(optarg, 1, ENC_GEN_MAX_CUSTOMERS, &v))
                return enc_cli_usage("gen", usage, "--customers: '%s' is not a number from 1 to %lld", optarg,
                                     (long long)ENC_GEN_MAX_CUSTOMERS);
            o.customers = v;
            break;
        case O_SEED:
            if (!parse_u64(optarg, &o.seed))
                return enc_cli_usage("gen", usage, "--seed: '%s' is not a non-negative integer", optarg);
            break;
        case O_OUT: o.out_dir = optarg; break;
        case O_LOCALE:
            if (strcmp(optarg, "en") == 0) o.locale = ENC_GEN_EN;
            else if (strcmp(optarg, "zh") == 0) o.locale = ENC_GEN_ZH;
            else return enc_cli_usage("gen", usage, "--locale: '%s' is not en or zh", optarg);
            break;
        case O_START:
            if (!enc_gen_parse_date(optarg, &day))
                return enc_cli_usage("gen", usage, "--start: '%s' is not a date YYYY-MM-DD", optarg);
            o.start = day;
            break;
        case O_END:
            if (!enc_gen_parse_date(optarg, &day))
                return enc_cli_usage("gen", usage, "--end: '%s' is not a date YYYY-MM-DD", optarg);
            o.end = day + 86400;
            break;
        case O_JSON: json = true; break;
        case ':': return enc_cli_usage("gen", usage, "%s needs a value", argv[optind - 1]);
        default: return enc_cli_usage("gen", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return enc_cli_usage("gen", usage, "unexpected argument '%s'", argv[optind]);
    if (!o.out_dir || !*o.out_dir) return enc_cli_usage("gen", usage, "--out DIR is required");
    if (o.end - o.start < 7 * 86400)
        return enc_cli_usage("gen", usage, "--start/--end: the window must be at least 7 days long");
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
