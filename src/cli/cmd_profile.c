/* cmd_profile.c — `encore profile ID`: one customer's stored profile from the latest scoring
 * run, found by the merchant's customer id (or email, phone, #N as `encore customer` does). */
#include "cli/intel_cli.h"
#include "cli/opts.h"
#include "report/custview.h"
#include "base/json.h"
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enc_usage usage = {
    .name = "profile",
    .synopsis = "ID [--json]",
    .about = "  ID: the merchant's customer id, an email, a phone number, or #N (internal id)\n"
             "  Prints the customer's profile from the latest 'encore score' run: for people by\n"
             "  default, one JSON object with --json (money with the currency's decimals, lists\n"
             "  as arrays).\n",
    .min_args = 1,
    .max_args = 1,
    .args_msg = "needs a customer ID",
    .extra_msg = "one customer at a time",
};

/* ---- the human form: one labelled line a subject, from the JSON profile ------------------- */

static const char *str(json_t *p, const char *k)
{
    json_t *v = json_object_get(p, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* a number field, or NAN when absent or null */
static double num(json_t *p, const char *k)
{
    json_t *v = json_object_get(p, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* the strings of an array field joined by ", " into b (empty when none) */
static const char *joined(enc_buf *b, json_t *p, const char *k)
{
    enc_buf_reset(b);
    json_t *a = json_object_get(p, k), *v;
    size_t i;
    json_array_foreach(a, i, v) if (json_is_string(v))
        enc_buf_printf(b, "%s%s", b->len ? ", " : "", json_string_value(v));
    return b->len ? b->p : "";
}

static void line(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(const char *label, const char *fmt, ...)
{
    printf("  %-14s", label);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* "12.3%" of a probability, "-" when unknown */
static const char *pct(char *o, size_t cap, double p)
{
    if (isnan(p)) snprintf(o, cap, "-");
    else snprintf(o, cap, "%.1f%%", 100 * p);
    return o;
}

static void print_human(json_t *p, int digits)
{
    enc_buf b = {0};
    char t1[32], t2[32], t3[32];
    const char *life = str(p, "lifecycle"), *cls = str(p, "lifecycle_class");
    bool show_cls = cls && (!life || strcmp(cls, life) != 0);
    printf("%s, as of %s: %s%s%s%s\n", str(p, "customer_id") ? str(p, "customer_id") : "?",
           str(p, "as_of") ? str(p, "as_of") : "?", life ? life : "not scored",
           show_cls ? " (" : "", show_cls ? cls : "", show_cls ? ")" : "");
    double freq = num(p, "frequency");
    if (!isnan(freq) && freq > 0) {
        const char *seg = str(p, "rfm_segment"), *cn = str(p, "rfm_segment_cn");
        line("RFM", "%s%s%s (R %.0f, F %.0f, M %.0f)", seg ? seg : "-", cn ? " · " : "",
             cn ? cn : "", num(p, "r"), num(p, "f"), num(p, "m"));
        line("orders", "%.0f, spent %.*f, average %.*f, returned %.*f", freq, digits,
             num(p, "monetary"), digits, num(p, "aov"), digits, num(p, "returns_amount"));
        line("last order", "%.0f days ago; a customer for %.0f days", num(p, "recency_days"),
             num(p, "tenure_days"));
    } else {
        line("orders", "none yet; known for %.0f days", num(p, "tenure_days"));
    }
    const char *next = str(p, "next_order_date"), *as_of = str(p, "as_of");
    if (next) /* ISO dates compare as strings */
        line("next order", "%s %s", as_of && strcmp(next, as_of) < 0 ? "was expected" : "expected",
             next);
    if (!isnan(num(p, "p_alive")))
        line("P(alive)", "%s; expected orders %.2f in 30 days, %.2f in 90, %.2f in 365",
             pct(t1, sizeof t1, num(p, "p_alive")), num(p, "expected_purchases_30d"),
             num(p, "expected_purchases_90d"), num(p, "expected_purchases_365d"));
    if (!isnan(num(p, "clv")))
        line("CLV", "%.*f (expected spend an order %.*f)", digits, num(p, "clv"), digits,
             num(p, "expected_spend"));
    if (!isnan(num(p, "churn_risk"))) {
        json_t *why = json_object_get(p, "churn_reasons"), *v;
        size_t i;
        line("churn risk", "%s%s", pct(t2, sizeof t2, num(p, "churn_risk")),
             json_array_size(why) ? ", because:" : "");
        json_array_foreach(why, i, v) if (json_is_string(v))
            printf("  %-14s- %s\n", "", json_string_value(v));
    }
    json_t *rep = json_object_get(p, "replenish"), *v;
    size_t i;
    json_array_foreach(rep, i, v)
        line(i ? "" : "replenish", "%s due %s", str(v, "category") ? str(v, "category") : "?",
             str(v, "due") ? str(v, "due") : "?");
    if (*joined(&b, p, "top_categories")) line("categories", "%s", b.p);
    if (*joined(&b, p, "top_brands")) line("brands", "%s", b.p);
    if (!isnan(num(p, "price_sensitivity")) || str(p, "spend_tier"))
        line("price", "sensitivity %s, spend tier %s",
             isnan(num(p, "price_sensitivity"))
                 ? "-"
                 : (snprintf(t3, sizeof t3, "%.2f", num(p, "price_sensitivity")), t3),
             str(p, "spend_tier") ? str(p, "spend_tier") : "-");
    if (str(p, "preferred_channel") || str(p, "preferred_payment"))
        line("prefers", "channel %s, pays by %s",
             str(p, "preferred_channel") ? str(p, "preferred_channel") : "-",
             str(p, "preferred_payment") ? str(p, "preferred_payment") : "-");
    if (str(p, "region")) line("region", "%s", str(p, "region"));
    line("tags", "%s", *joined(&b, p, "tags") ? b.p : "-");
    if (!isnan(num(p, "cluster")))
        line("cluster", "%.0f: %s", num(p, "cluster"),
             str(p, "cluster_label") ? str(p, "cluster_label") : "-");
    enc_buf_free(&b);
}

int cmd_profile(enc_cli *cli, int argc, char **argv)
{
    static const enc_opt opts[] = {OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    const char *who = argv[1];
    int digits = cli->money_digits;
    enc_err err = {0};
    enc_store *st = cli->st;
    int64_t id = 0;
    enc_profile_cursor *cur = NULL;
    enc_buf b = {0};
    int ret = ENC_EXIT_OK;
    if (enc_custview_find(st, who, &id, &err)) {
        ret = enc_cli_fail_err("profile", &err);
        goto out;
    }
    if (!id) {
        ret = enc_cli_fail("profile", "no customer '%s'", who);
        goto out;
    }
    if (enc_store_profiles_open(st, id, digits, &cur, &err)) {
        ret = enc_cli_fail_err("profile", &err);
        goto out;
    }
    int got = enc_store_profiles_next(cur, ENC_PROFILE_JSON, &b, &err);
    if (got < 0) {
        ret = enc_cli_fail_err("profile", &err);
        goto out;
    }
    if (got == 0) {
        ret = enc_cli_fail("profile", "no profile for '%s': run 'encore score' first", who);
        goto out;
    }
    if (cli->json) {
        enc_cli_print(&b);
    } else {
        json_t *doc = json_loads(b.p, 0, NULL);
        if (json_is_object(doc)) print_human(doc, digits);
        else ret = enc_cli_fail("profile", "the stored profile of '%s' is not readable", who);
        json_decref(doc);
    }
out:
    enc_buf_free(&b);
    enc_store_profiles_close(cur);
    return ret;
}
