/* cmd_customer.c — `encore customer ID`: the 360° view of one customer (src/report/custview.c):
 * who they are, their identities and merges, scores with reasons, orders with lines, recent
 * events, feedback, consents and their ledger, messages, coupons and recommendations with
 * reasons; `--search Q` pages through customers by id, email, phone or name prefix. ID is the
 * merchant's customer id, an email, a phone, or #N for the internal id. */
#include "cli/opts.h"
#include "base/json.h"
#include "cli/intel_cli.h"
#include "ingest/clean.h"
#include "report/custview.h"
#include "store/store_analytics.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enc_usage usage = {
    .name = "customer",
    .synopsis = "ID [--json] [--mask] [--recent N] [--no-recommendations]\n"
                "--search TEXT [--limit N] [--cursor C] [--mask] [--json]\n"
                "unmerge ID [--json]   undo the merge of a registration\n"
                "merge-on [email,phone|none]   identities the API may merge on\n"
                "erase ID [--reason TEXT]   erase the customer (docs/privacy.md)\n"
                "export ID [--out FILE]   everything held about the customer, as JSON",
    .about = "  ID: the merchant's customer id, an email, a phone number, or #N (internal id).\n"
             "  The 360-degree view: profile, identities, scores with reasons, orders with lines,\n"
             "  recent events, feedback, consents with their history, messages, coupons,\n"
             "  recommendations. --search: customers whose id, email or phone is TEXT or whose\n"
             "  name starts with it, in pages of --limit continued with --cursor.\n",
    .max_args = 1,
    .extra_msg = "one customer at a time",
    .late_setup = true,
};

/* ---- human output: the document read back, aligned sections ------------------------------ */

static const char *s_(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* a money or other number as the document holds it, with `digits` decimals for money */
static void num(char *out, size_t cap, json_t *v, int digits)
{
    if (json_is_integer(v)) snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) snprintf(out, cap, "%.*f", digits, json_real_value(v));
    else snprintf(out, cap, "-");
}

static void day(char *out, size_t cap,
                const char *rfc) /* "2024-01-10T09:00:00Z" -> "2024-01-10 09:00" */
{
    snprintf(out, cap, "%.10s %.5s", rfc, strlen(rfc) > 11 ? rfc + 11 : "");
    if (!*rfc) snprintf(out, cap, "-");
}

static void human(json_t *d, int digits)
{
    char a[64], b[64], c[64];
    printf("Customer %s (#%lld)  %s%s\n", s_(d, "customer_id"),
           (long long)json_integer_value(json_object_get(d, "id")), s_(d, "name"),
           json_is_true(json_object_get(d, "masked")) ? "  [personal data masked]" : "");
    static const char *const fields[][2] = {
        {"email", "email"},       {"phone", "phone"},           {"gender", "gender"},
        {"birthday", "birthday"}, {"country", "country"},       {"region", "region"},
        {"city", "city"},         {"occupation", "occupation"}, {"timezone", "time zone"},
        {"tier", "tier"},         {"source", "source"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (*s_(d, fields[i][0])) printf("  %-12s %s\n", fields[i][1], s_(d, fields[i][0]));
    if (*s_(d, "registered_at")) {
        day(a, sizeof a, s_(d, "registered_at"));
        printf("  %-12s %s\n", "registered", a);
    }
    printf("  %-12s %lld\n", "points", (long long)json_integer_value(json_object_get(d, "points")));

    json_t *arr = json_object_get(d, "identities"), *x;
    size_t i;
    printf("\nIdentities\n");
    json_array_foreach(arr, i, x)
        printf("  %-6s %-32s %s\n", s_(x, "kind"), s_(x, "value"), s_(x, "source"));
    arr = json_object_get(d, "merged_from");
    if (json_array_size(arr)) {
        printf("\nMerged records\n");
        json_array_foreach(arr, i, x)
        {
            day(a, sizeof a, s_(x, "at"));
            printf("  %-16s %-10s %s\n", a, s_(x, "customer_id"), s_(x, "reason"));
        }
    }

    json_t *p = json_object_get(d, "profile");
    if (json_is_object(p)) {
        printf("\nScores (as of %s)\n", s_(p, "as_of"));
        printf("  %-12s R%lld F%lld M%lld  %s  %s\n", "RFM",
               (long long)json_integer_value(json_object_get(p, "r")),
               (long long)json_integer_value(json_object_get(p, "f")),
               (long long)json_integer_value(json_object_get(p, "m")), s_(p, "rfm_segment"),
               s_(p, "rfm_segment_cn"));
        printf("  %-12s %s (%s)\n", "lifecycle", s_(p, "lifecycle"), s_(p, "lifecycle_class"));
        num(a, sizeof a, json_object_get(p, "clv"), digits);
        num(b, sizeof b, json_object_get(p, "monetary"), digits);
        num(c, sizeof c, json_object_get(p, "aov"), digits);
        printf("  %-12s %s   spend so far %s   AOV %s   purchases %lld\n", "CLV", a, b, c,
               (long long)json_integer_value(json_object_get(p, "frequency")));
        json_t *pa = json_object_get(p, "p_alive"), *cr = json_object_get(p, "churn_risk");
        printf("  %-12s %.2f   P(alive) %.2f   next order %s\n", "churn risk",
               json_is_number(cr) ? json_number_value(cr) : 0.0,
               json_is_number(pa) ? json_number_value(pa) : 0.0,
               *s_(p, "next_order_date") ? s_(p, "next_order_date") : "-");
        json_array_foreach(json_object_get(p, "churn_reasons"), i, x) printf(
            "  %-12s %s\n", i ? "" : "because", json_string_value(x) ? json_string_value(x) : "");
        json_t *tags = json_object_get(p, "tags");
        if (json_array_size(tags)) {
            printf("  %-12s", "tags");
            json_array_foreach(tags, i, x)
                printf(" %s", json_string_value(x) ? json_string_value(x) : "");
            putchar('\n');
        }
        if (*s_(p, "cluster_label")) printf("  %-12s %s\n", "cluster", s_(p, "cluster_label"));
    } else {
        printf("\nScores: none yet (run 'encore score')\n");
    }

    json_t *o = json_object_get(d, "orders");
    num(a, sizeof a, json_object_get(o, "revenue"), digits);
    num(b, sizeof b, json_object_get(o, "returned_amount"), digits);
    printf("\nOrders: %lld paid, revenue %s%s%s; %lld returned (%s); %lld cancelled\n",
           (long long)json_integer_value(json_object_get(o, "count")), a,
           *s_(d, "currency") ? " " : "", s_(d, "currency"),
           (long long)json_integer_value(json_object_get(o, "returns")), b,
           (long long)json_integer_value(json_object_get(o, "cancelled")));
    json_array_foreach(json_object_get(o, "recent"), i, x)
    {
        day(a, sizeof a, s_(x, "time"));
        num(b, sizeof b, json_object_get(x, "total"), digits);
        printf("  %-16s %-14s %-9s %12s  %s %s%s%s\n", a, s_(x, "order_id"), s_(x, "status"), b,
               s_(x, "channel"), s_(x, "payment"), *s_(x, "coupon") ? " coupon " : "",
               s_(x, "coupon"));
        size_t j;
        json_t *l;
        json_array_foreach(json_object_get(x, "lines"), j, l)
        {
            num(b, sizeof b, json_object_get(l, "unit_price"), digits);
            num(c, sizeof c, json_object_get(l, "amount"), digits);
            printf("  %16s %5lld x %-30.30s %-12.12s %10s %12s\n", "",
                   (long long)json_integer_value(json_object_get(l, "qty")),
                   *s_(l, "name") ? s_(l, "name") : s_(l, "sku"), s_(l, "sku"), b, c);
        }
    }

    printf("\nConsents\n");
    if (!json_array_size(json_object_get(d, "consents"))) printf("  none recorded\n");
    json_array_foreach(json_object_get(d, "consents"), i, x)
    {
        day(a, sizeof a, s_(x, "since"));
        printf("  %-8s %-14s %-8s since %s (%s)\n", s_(x, "channel"), s_(x, "purpose"),
               json_is_true(json_object_get(x, "granted")) ? "granted" : "revoked", a,
               s_(x, "source"));
    }
    arr = json_object_get(d, "consent_history");
    if (json_array_size(arr) > json_array_size(json_object_get(d, "consents"))) {
        printf("  history:\n");
        json_array_foreach(arr, i, x)
        {
            day(a, sizeof a, s_(x, "at"));
            printf("    %-16s %-8s %-14s %-8s %s\n", a, s_(x, "channel"), s_(x, "purpose"),
                   json_is_true(json_object_get(x, "granted")) ? "granted" : "revoked",
                   s_(x, "source"));
        }
    }

    arr = json_object_get(d, "recent_events");
    printf("\nEvents: %lld", (long long)json_integer_value(json_object_get(d, "events")));
    printf(json_array_size(arr) ? ", latest:\n" : "\n");
    json_array_foreach(arr, i, x)
    {
        day(a, sizeof a, s_(x, "time"));
        printf("  %-16s %-14s %-14s %s\n", a, s_(x, "type"), s_(x, "sku"), s_(x, "channel"));
    }
    arr = json_object_get(d, "recent_feedback");
    printf("\nFeedback: %lld", (long long)json_integer_value(json_object_get(d, "feedback")));
    printf(json_array_size(arr) ? ", latest:\n" : "\n");
    json_array_foreach(arr, i, x)
    {
        day(a, sizeof a, s_(x, "time"));
        num(b, sizeof b, json_object_get(x, "score"), 1);
        printf("  %-16s %-10s %5s  %.60s\n", a, s_(x, "kind"), b, s_(x, "text"));
    }
    arr = json_object_get(d, "messages");
    printf("\nMessages: %zu%s\n", json_array_size(arr), json_array_size(arr) ? " latest" : "");
    json_array_foreach(arr, i, x)
    {
        day(a, sizeof a, s_(x, "created_at"));
        printf("  %-16s %-18s %-8s %-10s %s\n", a, s_(x, "campaign"), s_(x, "channel"),
               s_(x, "state"), s_(x, "subject"));
    }
    arr = json_object_get(d, "coupons");
    printf("\nCoupons: %zu\n", json_array_size(arr));
    json_array_foreach(arr, i, x)
    {
        day(a, sizeof a, s_(x, "issued_at"));
        if (json_object_get(x, "percent"))
            snprintf(b, sizeof b, "%lld%%",
                     (long long)json_integer_value(json_object_get(x, "percent")));
        else num(b, sizeof b, json_object_get(x, "amount"), digits);
        printf("  %-16s %-16s %-18s %8s  %s\n", a, s_(x, "code"), s_(x, "campaign"), b,
               *s_(x, "redeemed_order") ? "redeemed" : "open");
    }
    arr = json_object_get(d, "recommendations");
    if (json_is_array(arr)) {
        printf("\nRecommendations: %zu\n", json_array_size(arr));
        json_array_foreach(arr, i, x)
            printf("  %-14s %-32.32s %s\n", s_(x, "sku"), s_(x, "name"), s_(x, "because"));
    }
}

static int search(enc_cli *cli, const char *q, const char *cursor, long limit, bool mask, bool json,
                  const enc_custview_opts *o, enc_store *st)
{
    enc_err err = {0};
    /* the CLI's cursor is the last store id of the page before, in decimal */
    int64_t after = 0;
    if (cursor) {
        bool okc = *cursor && strlen(cursor) <= 18;
        for (const char *p = cursor; okc && *p; p++) okc = *p >= '0' && *p <= '9';
        if (!okc) return enc_opts_error(cli, &usage, NULL, "--cursor: not a cursor a search gave");
        after = strtoll(cursor, NULL, 10);
    }
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    bool more;
    int64_t last;
    if (enc_custview_search_json(st, q, after, (int)limit, o, &w, &more, &last, &err)) {
        enc_buf_free(&b);
        return enc_cli_fail_err("customer", &err);
    }
    enc_jw_key(&w, "next_cursor");
    if (more) {
        char c[32];
        snprintf(c, sizeof c, "%lld", (long long)last);
        enc_jw_str(&w, c);
    } else enc_jw_null(&w);
    enc_jw_end(&w);
    if (json) {
        enc_cli_print(&b);
        enc_buf_free(&b);
        return ENC_EXIT_OK;
    }
    json_t *d = json_loads(b.p, 0, NULL);
    enc_buf_free(&b);
    json_t *items = json_object_get(d, "items"), *x;
    size_t i;
    printf("%-8s %-14s %-20s %-28s %-18s %7s %12s\n", "id", "customer", "name", "email", "phone",
           "orders", "revenue");
    json_array_foreach(items, i, x)
    {
        char rev[48];
        num(rev, sizeof rev, json_object_get(x, "revenue"), o->digits);
        printf("#%-7lld %-14.14s %-20.20s %-28.28s %-18.18s %7lld %12s\n",
               (long long)json_integer_value(json_object_get(x, "id")), s_(x, "customer_id"),
               s_(x, "name"), s_(x, "email"), s_(x, "phone"),
               (long long)json_integer_value(json_object_get(x, "orders")), rev);
    }
    const char *next = json_string_value(json_object_get(d, "next_cursor"));
    if (!json_array_size(items)) printf("no customer matches '%s'\n", q);
    if (next) printf("more: --cursor %s\n", next);
    json_decref(d);
    (void)cli;
    (void)mask;
    return ENC_EXIT_OK;
}

static int customer_view(enc_cli *cli, int argc, char **argv)
{
    bool mask = false, norec = false, limit_given = false;
    long recent = 20, limit = 50;
    const char *q = NULL, *cursor = NULL;
    enc_opt opts[] = {
        OPT_BOOL("mask", &mask, "personal data masked as the analyst role sees it"),
        OPT_INT("recent", &recent, "N", 1, 500, "rows of each recent list (default 20)"),
        OPT_BOOL("no-recommendations", &norec,
                 "skip building the recommendation model (faster on big stores)"),
        OPT_STRING("search", &q, "TEXT", "find customers by id, email, phone or name prefix"),
        OPT_INT("limit", &limit, "N", 1, 500, "--search: a page (default 50)"),
        OPT_STRING("cursor", &cursor, "C", "--search: the page after the one that gave C"),
        OPT_END(),
    };
    opts[4].given = &limit_given;
    int nargs;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, &nargs);
    if (x != ENC_OPTS_GO) return x;
    const char *who = nargs ? argv[1] : NULL;
    bool json = cli->json;
    if (!who && !q) return enc_opts_error(cli, &usage, opts, "needs a customer ID or --search");
    if (who && q) return enc_opts_error(cli, &usage, opts, "an ID or --search, not both");
    if ((cursor || limit_given) && !q)
        return enc_opts_error(cli, &usage, opts, "--limit and --cursor go with --search");
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) return x;
    int digits = cli->money_digits;
    enc_err err = {0};
    enc_store *st = cli->st;
    char currency[8];
    if (enc_store_currency(st, currency, sizeof currency, &err))
        return enc_cli_fail_err("customer", &err);
    if (currency[0] && enc_currency_digits(currency) >= 0) digits = enc_currency_digits(currency);
    enc_custview_opts o = {mask, digits, (int)recent, currency[0] ? currency : NULL};
    if (q) return search(cli, q, cursor, limit, mask, json, &o, st);
    int64_t id = 0;
    if (enc_custview_find(st, who, &id, &err)) return enc_cli_fail_err("customer", &err);
    if (!id) return enc_cli_fail("customer", "no customer '%s'", who);
    enc_snapshot *snap = NULL;
    enc_rec_model m = {0};
    enc_rec_ws *ws = NULL;
    if (!norec) {
        enc_rec_opts ro;
        enc_rec_defaults(&ro);
        if (enc__load_snapshot(cli, st, INT64_MAX, &snap, &err) ||
            enc_rec_model_build(snap, &ro, &m, &err)) {
            if (snap) enc_snapshot_free(snap);
            return enc_cli_fail_err("customer", &err);
        }
        ws = enc_rec_ws_new(&m);
    }
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_rc rc = enc_custview_json(st, id, &o, norec ? NULL : &m, ws, 10, &w, &err);
    if (ws) enc_rec_ws_free(ws);
    if (!norec) enc_rec_model_free(&m);
    if (snap) enc_snapshot_free(snap);
    if (rc) {
        enc_buf_free(&b);
        return enc_cli_fail_err("customer", &err);
    }
    if (json) {
        enc_cli_print(&b);
    } else {
        json_t *doc = json_loads(b.p, 0, NULL);
        if (doc) human(doc, digits);
        else puts(b.p);
        json_decref(doc);
    }
    enc_buf_free(&b);
    return ENC_EXIT_OK;
}

int cmd_customer(enc_cli *cli, int argc, char **argv)
{
    /* ID is not a subcommand: the view runs when argv[1] names none of these */
    if (argc > 1 && strcmp(argv[1], "unmerge") == 0) /* cmd_unmerge.c */
        return cmd_customer_unmerge(cli, argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "merge-on") == 0) /* cmd_unmerge.c */
        return cmd_customer_merge_on(cli, argc - 1, argv + 1);
    if (argc > 1 && enc__privacy_sub(argv[1])) /* cmd_privacy.c */
        return cmd_customer_privacy(cli, argc - 1, argv + 1);
    return customer_view(cli, argc, argv);
}
