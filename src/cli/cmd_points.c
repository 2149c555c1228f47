/* cmd_points.c — `encore points`: a member's balance (lots with expiry, tier) and history, and
 * the ledger's writes — earn from an order or a bonus, a return, a manual adjustment, a
 * redemption and its reversal, an opening balance — and the expiry job. Every write goes through
 * src/loyalty/loyalty.h, as the API's do (docs/loyalty.md). */
#include "cli/cli.h"
#include "report/custview.h"
#include "cli/intel_cli.h"
#include "cli/points_import.h"
#include "base/datetime.h"
#include "base/json.h"
#include "loyalty/loyalty.h"
#include "loyalty/loyalty_json.h"
#include "store/store_loyalty.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: encore points balance ID [--json] [--now TIME]\n"
    "       encore points history ID [--json]\n"
    "       encore points earn ID --order ORDER_ID [--now TIME] [--json]\n"
    "       encore points earn ID --bonus signup|birthday|review|nps --key KEY [--json]\n"
    "       encore points return ID --order ORDER_ID [--now TIME] [--json]\n"
    "       encore points adjust ID --points N --reason TEXT [--by WHO] --key KEY [--json]\n"
    "       encore points redeem ID (--reward REWARD | --points N) --key KEY [--json]\n"
    "       encore points reverse ID --entry ENTRY --key KEY [--json]\n"
    "       encore points import ID --points N [--tier TIER] [--json]\n"
    "       encore points import FILE [--now TIME] [--json]\n"
    "       encore points expire [--now TIME] [--json]\n\n"
    "The points ledger of the loyalty programme (encore loyalty programme FILE; docs/loyalty.md).\n"
    "ID is the merchant's customer id, an email, a phone or #N. A balance is the sum of the\n"
    "member's entries; each earning is a lot with its expiry, and debits take the oldest lots\n"
    "first. A write with a --key that was used before answers as the first time when the\n"
    "request is the same, and is refused when it is not. import FILE reads a CSV with the\n"
    "columns customer_id, points and optionally tier (other columns are ignored); a bad row is\n"
    "named by file, line and field and the good rows are kept; a member imported before is\n"
    "skipped, so importing the file again changes nothing.\n\n"
    "options:\n"
    "  --order ORDER_ID   the shop's order id: earn its points (paid), or take them back (return)\n"
    "  --bonus NAME       a bonus of the programme\n"
    "  --points N         points to adjust (+/-), redeem or import\n"
    "  --reward REWARD    a reward of the programme's catalogue\n"
    "  --reason TEXT      why (adjust: required)\n"
    "  --by WHO           who made the change (default $USER)\n"
    "  --entry ENTRY      the redemption entry to reverse (see history)\n"
    "  --tier TIER        import: the member's tier in the previous system\n"
    "  --key KEY          idempotency key (1 to 128 bytes)\n"
    "  --now TIME         the clock (" ENC_TIME_FORMS "); default now\n"
    "  --json             one JSON document\n";

enum {
    A_ORDER = 1,
    A_BONUS,
    A_POINTS,
    A_REWARD,
    A_REASON,
    A_BY,
    A_ENTRY,
    A_TIER,
    A_KEY,
    A_NOW,
    A_JSON,
    A_HELP
};

typedef struct args {
    const char *sub, *who, *order, *bonus, *reward, *reason, *by, *tier, *key;
    int64_t points, entry, now;
    bool has_points, json;
} args;

static int parse(int argc, char **argv, args *a)
{
    static const struct option longopts[] = {
        {"order", required_argument, 0, A_ORDER},
        {"bonus", required_argument, 0, A_BONUS},
        {"points", required_argument, 0, A_POINTS},
        {"reward", required_argument, 0, A_REWARD},
        {"reason", required_argument, 0, A_REASON},
        {"by", required_argument, 0, A_BY},
        {"entry", required_argument, 0, A_ENTRY},
        {"tier", required_argument, 0, A_TIER},
        {"key", required_argument, 0, A_KEY},
        {"now", required_argument, 0, A_NOW},
        {"json", no_argument, 0, A_JSON},
        {"help", no_argument, 0, A_HELP},
        {0, 0, 0, 0},
    };
    memset(a, 0, sizeof *a);
    a->now = (int64_t)time(NULL);
    a->by = getenv("USER");
    opterr = 0;
    int ch;
    long v;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (ch) {
        case A_ORDER: a->order = optarg; break;
        case A_BONUS: a->bonus = optarg; break;
        case A_POINTS:
            if (!enc_cli_parse_long(optarg[0] == '-' ? optarg + 1 : optarg, 0, 1L << 40, &v))
                return enc_cli_usage("points", usage, "--points: '%s' is not a whole number",
                                     optarg);
            a->points = optarg[0] == '-' ? -v : v;
            a->has_points = true;
            break;
        case A_REWARD: a->reward = optarg; break;
        case A_REASON: a->reason = optarg; break;
        case A_BY: a->by = optarg; break;
        case A_ENTRY:
            if (!enc_cli_parse_long(optarg, 1, INT64_MAX, &v))
                return enc_cli_usage("points", usage, "--entry: '%s' is not an entry id", optarg);
            a->entry = v;
            break;
        case A_TIER: a->tier = optarg; break;
        case A_KEY:
            if (!*optarg || strlen(optarg) > 128)
                return enc_cli_usage("points", usage, "--key: 1 to 128 bytes");
            a->key = optarg;
            break;
        case A_NOW:
            if (!enc_time_parse(optarg, &a->now, NULL))
                return enc_cli_usage("points", usage, "--now: '%s' is not a time (%s)", optarg,
                                     ENC_TIME_FORMS);
            break;
        case A_JSON: a->json = true; break;
        case A_HELP: fputs(usage, stdout); return ENC_EXIT_OK;
        case ':': return enc_cli_usage("points", usage, "%s needs a value", argv[optind - 1]);
        default: return enc_cli_usage("points", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return enc_cli_usage("points", usage, "needs a subcommand");
    a->sub = argv[optind++];
    if (strcmp(a->sub, "expire") != 0) {
        if (optind >= argc) return enc_cli_usage("points", usage, "%s needs a customer ID", a->sub);
        a->who = argv[optind++];
    }
    if (optind < argc) return enc_cli_usage("points", usage, "stray argument '%s'", argv[optind]);
    return -1;
}

static void fmt_time(char *b, size_t cap, int64_t t)
{
    if (t) enc_fmt_datetime(b, cap, t);
    else snprintf(b, cap, "-");
}

static int print_result(const args *a, const enc_points_result *r)
{
    if (a->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_ly_result_json(&w, a->who, r);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("%s: entry %lld, %+lld points%s; balance %lld, tier %s%s\n", a->who,
               (long long)r->entry_id, (long long)r->points, r->replayed ? " (replayed)" : "",
               (long long)r->balance, r->tier, r->upgraded ? " (upgraded)" : "");
        if (r->bonus) printf("  first-order bonus: %+lld points\n", (long long)r->bonus);
        if (r->coupon[0]) printf("  coupon: %s\n", r->coupon);
        if (r->shortfall)
            printf("  %lld points were already spent and could not be taken back\n",
                   (long long)r->shortfall);
    }
    return ENC_EXIT_OK;
}

static int balance(const args *a, enc_store *st, const enc_programme *p, int64_t cust)
{
    enc_member_status s;
    enc_err err = {0};
    if (enc_loyalty_status(st, p, cust, a->now, &s, &err)) return enc_cli_fail_err("points", &err);
    char t1[40], t2[40];
    if (a->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_ly_status_json(&w, a->who, &s, enc_ly_time_plain);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("%s: %lld points, tier %s", a->who, (long long)s.balance, s.tier_name);
        if (s.next_tier_gap > 0) printf(" (%lld to %s)", (long long)s.next_tier_gap, s.next_tier);
        printf("\n");
        if (s.expiring_30d) printf("  expiring within 30 days: %lld\n", (long long)s.expiring_30d);
        if (s.drop_at) {
            fmt_time(t1, sizeof t1, s.drop_at);
            printf("  tier drops at %s unless the member qualifies again\n", t1);
        }
        if (s.nlots) printf("  %-20s  %-20s  %10s  %10s\n", "earned", "expires", "points", "left");
        for (size_t i = 0; i < s.nlots; i++) {
            fmt_time(t1, sizeof t1, s.lots[i].earned_at);
            fmt_time(t2, sizeof t2, s.lots[i].expires_at);
            printf("  %-20s  %-20s  %10lld  %10lld%s\n", t1, t2, (long long)s.lots[i].points,
                   (long long)s.lots[i].remaining, s.lots[i].remaining < 0 ? "  (debt)" : "");
        }
    }
    enc_member_status_free(&s);
    return ENC_EXIT_OK;
}

static int history(const args *a, enc_store *st, int64_t cust)
{
    enc_pentry *e;
    size_t n;
    enc_err err = {0};
    if (enc_store_pentries(st, cust, &e, &n, &err)) return enc_cli_fail_err("points", &err);
    if (a->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_ly_history_json(&w, e, n, enc_ly_time_plain);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else if (!n) {
        printf("%s: no points entries\n", a->who);
    }
    int64_t run = 0;
    for (size_t i = 0; !a->json && i < n; i++) {
        run += e[i].points;
        char t[40];
        enc_fmt_datetime(t, sizeof t, e[i].ts);
        printf("%6lld  %s  %-7s  %+9lld  %9lld  %s%s%s%s%s\n", (long long)e[i].id, t, e[i].kind,
               (long long)e[i].points, (long long)run, e[i].order_key ? "order " : "",
               e[i].order_key ? e[i].order_key : "",
               e[i].reason && !e[i].order_key ? e[i].reason : "", e[i].actor ? " by " : "",
               e[i].actor ? e[i].actor : "");
    }
    enc_pentries_free(e, n);
    return ENC_EXIT_OK;
}

static int expire(const args *a, enc_store *st)
{
    int64_t lots, pts;
    enc_err err = {0};
    if (enc_loyalty_expire(st, a->now, &lots, &pts, &err)) return enc_cli_fail_err("points", &err);
    if (a->json) printf("{\"lots\":%lld,\"points\":%lld}\n", (long long)lots, (long long)pts);
    else printf("expired %lld points in %lld lots\n", (long long)pts, (long long)lots);
    return ENC_EXIT_OK;
}

static int write_op(const args *a, enc_store *st, const enc_programme *p, int64_t cust)
{
    enc_points_result r;
    enc_err err = {0};
    enc_rc rc;
    const char *s = a->sub;
    if (strcmp(s, "earn") == 0) {
        if (!a->order == !a->bonus)
            return enc_cli_usage("points", usage, "earn: give --order or --bonus");
        rc = a->order ? enc_loyalty_earn_order(st, p, cust, a->order, a->now, &r, &err)
                      : enc_loyalty_bonus(st, p, cust, a->bonus, a->key, a->by, a->now, &r, &err);
    } else if (strcmp(s, "return") == 0) {
        if (!a->order) return enc_cli_usage("points", usage, "return: needs --order");
        rc = enc_loyalty_return_order(st, p, cust, a->order, a->now, &r, &err);
    } else if (strcmp(s, "adjust") == 0) {
        if (!a->has_points) return enc_cli_usage("points", usage, "adjust: needs --points");
        rc = enc_loyalty_adjust(st, p, cust, a->points, a->reason, a->by, a->key, a->now, &r, &err);
    } else if (strcmp(s, "redeem") == 0) {
        if (!a->reward == !a->has_points)
            return enc_cli_usage("points", usage, "redeem: give --reward or --points");
        rc = enc_loyalty_redeem(st, p, cust, a->reward, a->points, a->by, a->key, a->now, &r, &err);
    } else if (strcmp(s, "reverse") == 0) {
        if (!a->entry) return enc_cli_usage("points", usage, "reverse: needs --entry");
        rc = enc_loyalty_reverse(st, p, cust, a->entry, a->by, a->key, a->now, &r, &err);
    } else if (strcmp(s, "import") == 0) {
        if (!a->has_points) return enc_cli_usage("points", usage, "import: needs --points");
        rc = enc_loyalty_import(st, p, cust, a->points, a->tier, a->now, &r, &err);
    } else {
        return enc_cli_usage("points", usage, "unknown subcommand '%s'", s);
    }
    if (rc) return enc_cli_fail_err("points", &err);
    return print_result(a, &r);
}

int cmd_points(enc_cli *cli, int argc, char **argv)
{
    args a;
    int x = parse(argc, argv, &a);
    if (x >= 0) return x;
    static const char *const subs[] = {"balance", "history", "earn",   "return", "adjust",
                                       "redeem",  "reverse", "import", "expire", NULL};
    bool known = false;
    for (int i = 0; subs[i]; i++) known |= strcmp(subs[i], a.sub) == 0;
    if (!known) return enc_cli_usage("points", usage, "unknown subcommand '%s'", a.sub);
    enc_store *st;
    enc_err err = {0};
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("points", &err);
    int ret;
    if (strcmp(a.sub, "expire") == 0) {
        ret = expire(&a, st);
        enc_store_close(st);
        return ret;
    }
    enc_programme p;
    int64_t cust = 0;
    if (enc_loyalty_programme(st, &p, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err("points", &err);
    }
    if (strcmp(a.sub, "import") == 0 && !a.has_points) {
        ret = a.tier ? enc_cli_usage("points", usage, "import FILE: the tier is a column")
                     : enc__points_import_file(st, &p, a.who, a.now, a.json);
    } else if (enc_custview_find(st, a.who, &cust, &err) || !cust) {
        ret = err.rc ? enc_cli_fail_err("points", &err)
                     : enc_cli_fail("points", "no customer '%s'", a.who);
    } else if (strcmp(a.sub, "balance") == 0) {
        ret = balance(&a, st, &p, cust);
    } else if (strcmp(a.sub, "history") == 0) {
        ret = history(&a, st, cust);
    } else {
        ret = write_op(&a, st, &p, cust);
    }
    enc_prog_free(&p);
    enc_store_close(st);
    return ret;
}
