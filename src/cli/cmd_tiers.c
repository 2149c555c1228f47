/* cmd_tiers.c — `encore tiers`: the programme's tiers, the nightly review (upgrades at once,
 * downgrades only after a review date and its grace period) and one member's tier history
 * (src/loyalty/loyalty.h, docs/loyalty.md). */
#include "cli/cli.h"
#include "report/custview.h"
#include "cli/intel_cli.h"
#include "base/datetime.h"
#include "base/json.h"
#include "loyalty/loyalty.h"
#include "store/store_loyalty.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: encore tiers list [--json]\n"
    "       encore tiers review [--now TIME] [--json]\n"
    "       encore tiers history ID [--json]\n\n"
    "list: the programme's tiers, their thresholds and benefits. review: every member's tier\n"
    "against the qualifying metric of the programme's window; higher tiers are given at once,\n"
    "and on a review date a member below their tier gets a drop date (the review date plus the\n"
    "grace days), after which a member who still does not qualify moves down. history: one\n"
    "member's tier changes.\n\n"
    "options:\n"
    "  --now TIME   the clock (" ENC_TIME_FORMS "); default now\n"
    "  --json       one JSON document\n";

static int list(const enc_programme *p, bool json)
{
    static const char *const by[] = {"spend", "points", "orders"};
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    if (json) {
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "by", by[p->qual]);
        enc_jw_kint(&w, "window_months", p->window_months);
        enc_jw_kint(&w, "grace_days", p->grace_days);
        enc_jw_key(&w, "tiers");
        enc_jw_arr(&w);
    } else {
        printf("qualification: %s over %d months; review %02d-%02d, grace %d days\n", by[p->qual],
               p->window_months, p->review_month, p->review_day, p->grace_days);
    }
    for (size_t i = 0; i < p->ntiers; i++) {
        const enc_prog_tier *t = &p->tiers[i];
        if (json) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "name", t->name);
            enc_jw_kint(&w, "min", t->min);
            enc_jw_knum(&w, "multiplier", (double)t->mult100 / 100);
            enc_jw_kint(&w, "discount_pct", t->discount_pct);
            enc_jw_kbool(&w, "free_shipping", t->free_shipping);
            enc_jw_kbool(&w, "early_access", t->early_access);
            enc_jw_kint(&w, "birthday_points", t->birthday_points);
            enc_jw_end(&w);
        } else {
            printf("  %-16s from %12lld  x%.2f  discount %lld%%%s%s\n", t->name, (long long)t->min,
                   (double)t->mult100 / 100, (long long)t->discount_pct,
                   t->free_shipping ? ", free shipping" : "",
                   t->early_access ? ", early access" : "");
        }
    }
    if (json) {
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
    }
    enc_buf_free(&b);
    return ENC_EXIT_OK;
}

static int hist(enc_store *st, const char *who, bool json)
{
    enc_err err = {0};
    int64_t cust = 0;
    if (enc_custview_find(st, who, &cust, &err)) return enc_cli_fail_err("tiers", &err);
    if (!cust) return enc_cli_fail("tiers", "no customer '%s'", who);
    enc_tier_change *c;
    size_t n;
    if (enc_store_tier_history(st, cust, &c, &n, &err)) return enc_cli_fail_err("tiers", &err);
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    if (json) enc_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        char t[40];
        enc_fmt_datetime(t, sizeof t, c[i].ts);
        if (json) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "at", t);
            enc_jw_kstr(&w, "from", c[i].from[0] ? c[i].from : NULL);
            enc_jw_kstr(&w, "to", c[i].to);
            enc_jw_kstr(&w, "reason", c[i].reason);
            enc_jw_end(&w);
        } else {
            printf("%s  %-12s -> %-12s  %s\n", t, c[i].from[0] ? c[i].from : "-", c[i].to,
                   c[i].reason);
        }
    }
    if (json) {
        enc_jw_end(&w);
        enc_cli_print(&b);
    } else if (!n) {
        printf("%s: not a member yet\n", who);
    }
    enc_buf_free(&b);
    free(c);
    return ENC_EXIT_OK;
}

int cmd_tiers(enc_cli *cli, int argc, char **argv)
{
    const char *sub = NULL, *who = NULL;
    bool json = false;
    int64_t now = (int64_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return ENC_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--now") == 0) {
            if (i + 1 >= argc || !enc_time_parse(argv[++i], &now, NULL))
                return enc_cli_usage("tiers", usage, "--now: needs a time (%s)", ENC_TIME_FORMS);
        } else if (a[0] == '-' && a[1]) {
            return enc_cli_usage("tiers", usage, "unknown option '%s'", a);
        } else if (!sub) {
            sub = a;
        } else if (!who && strcmp(sub, "history") == 0) {
            who = a;
        } else {
            return enc_cli_usage("tiers", usage, "stray argument '%s'", a);
        }
    }
    if (!sub) return enc_cli_usage("tiers", usage, "needs list, review or history");
    if (strcmp(sub, "list") != 0 && strcmp(sub, "review") != 0 && strcmp(sub, "history") != 0)
        return enc_cli_usage("tiers", usage, "unknown subcommand '%s'", sub);
    if (strcmp(sub, "history") == 0 && !who)
        return enc_cli_usage("tiers", usage, "history needs a customer ID");
    enc_store *st;
    enc_err err = {0};
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("tiers", &err);
    enc_programme p;
    if (enc_loyalty_programme(st, &p, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err("tiers", &err);
    }
    int ret = ENC_EXIT_OK;
    if (strcmp(sub, "list") == 0) {
        ret = list(&p, json);
    } else if (strcmp(sub, "history") == 0) {
        ret = hist(st, who, json);
    } else {
        enc_review_result r;
        if (enc_loyalty_review(st, &p, now, &r, &err)) {
            ret = enc_cli_fail_err("tiers", &err);
        } else if (json) {
            printf("{\"members\":%lld,\"upgraded\":%lld,\"downgraded\":%lld,\"pending\":%lld,"
                   "\"cleared\":%lld,\"review_day\":%s}\n",
                   (long long)r.members, (long long)r.upgraded, (long long)r.downgraded,
                   (long long)r.pending, (long long)r.cleared, r.review_day ? "true" : "false");
        } else {
            printf("%lld members: %lld upgraded, %lld downgraded, %lld given a drop date, %lld "
                   "kept their tier again%s\n",
                   (long long)r.members, (long long)r.upgraded, (long long)r.downgraded,
                   (long long)r.pending, (long long)r.cleared, r.review_day ? " (review day)" : "");
        }
    }
    enc_prog_free(&p);
    enc_store_close(st);
    return ret;
}
