/* test_respond.c — unit tests for src/gen/respond.c on a store made here with SQL: 20,000
 * held-out members, 20,000 reached (a sent message each, half with a coupon) and 2,000 whose
 * message was never delivered. The files are read back with the tests' own CSV reader
 * (csv_back.h) and checked against the configured truth: each group's conversion rate within
 * four binomial standard errors of base_rate (+ uplift for the reached), and so the drawn
 * uplift; open and click rates of the reached only, clickers among openers; coupon use among
 * reached buyers with a coupon, every coupon order valid (the customer's own code, in its
 * validity, over its minimum spend, the discount right); every order inside its customer's
 * window; the mean subtotal near the mean asked for; same options, same bytes; --since and
 * --until select by anchor; tracking URLs that the server's token check accepts, naming the
 * message, the customer, the campaign and the click target; refusals of bad options. */
#include "harness.h"
#include "store/store_int.h"
#include "csv_back.h"
#include "base/map.h"
#include "gen/respond.h"
#include <sqlite3.h>

#define N_HOLD 20000
#define N_REACH 20000
#define N_UNREACH 2000
#define T0 1767225600LL /* 2026-01-01 */
#define WINDOW (7 * 86400)

static char dbpath[600];
static enc_token_key KEY;

/* customer id i: 1..N_HOLD held out (member at T0 + i s), then reached (sent at T0 + 3600 + i
 * s; even ones with a 5.00 coupon over 30.00, valid 30 days; every third reached with a
 * percent coupon of 15 instead), then unreached (queued) */
static int group_of(int64_t id) { return id <= N_HOLD ? 0 : id <= N_HOLD + N_REACH ? 1 : 2; }
static int64_t anchor_of(int64_t id) { return group_of(id) == 1 ? T0 + 3600 + id : T0 + id; }
static bool has_coupon(int64_t id) { return group_of(id) == 1 && id % 2 == 0; }
static bool percent_coupon(int64_t id) { return has_coupon(id) && id % 3 == 0; }

static enc_store *make_store(void)
{
    snprintf(dbpath, sizeof dbpath, "%s/respond.db", th_tmpdir());
    unlink(dbpath);
    enc_store *st;
    enc_err err;
    if (enc_store_open(dbpath, &st, &err)) {
        TH_FAIL("open: %s", err.msg);
        return NULL;
    }
    sqlite3 *db = enc__store_db(st);
    char *q = sqlite3_mprintf(
        "BEGIN;"
        "INSERT INTO campaigns(name, spec, state, created_at, updated_at) VALUES('spring', '{}', "
        "'running', %lld, %lld);"
        "INSERT INTO campaign_settings(key, value) VALUES('policy', '{\"shop_url\": "
        "\"https://shop.example/\"}');"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)"
        " INSERT INTO products(sku, name, category, brand, price, currency, in_stock)"
        " SELECT 'S' || i, 'Thing ' || i, 'Cat/' || (i %% 5), 'Brand', 199 * i, 'USD', i != 7 FROM "
        "n;"
        "INSERT INTO orders(source, order_key, customer_id, ts, status, sales, currency)"
        " VALUES('t', 'old-1', 1, %lld, 'paid', 6000, 'USD'), ('t', 'old-2', 2, %lld, 'paid', "
        "10000, 'USD');"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
        " INSERT INTO customers(id, source, source_key, external_id, country, created_at, "
        "updated_at)"
        " SELECT i, 't', 'c' || i, CASE WHEN i = 5 THEN NULL ELSE 'C' || i END, 'US', 0, 0 FROM n;"
        "INSERT INTO campaign_members(campaign, customer_id, occurrence, holdout, at)"
        " SELECT 'spring', id, 'once', id <= %d, %lld + id FROM customers;"
        /* a second occurrence of some customers: still one draw each */
        "INSERT INTO campaign_members(campaign, customer_id, occurrence, holdout, at)"
        " SELECT 'spring', id, 'again', id <= %d, %lld + 86400 FROM customers WHERE id %% 10 = 0;"
        "INSERT INTO messages(campaign, customer_id, channel, address, idempotency_key, state,"
        " next_attempt_at, created_at, due_at, sent_at, payload)"
        " SELECT 'spring', id, CASE WHEN id %% 4 = 0 THEN 'sms' ELSE 'email' END, 'a' || id, 'k' "
        "|| id,"
        "  CASE WHEN id <= %d THEN 'sent' ELSE 'queued' END, 0, 0, 0,"
        "  CASE WHEN id <= %d THEN %lld + 3600 + id END, '{\"items\":[\"S3\",\"S40\"]}'"
        " FROM customers WHERE id > %d;"
        /* a later message of the same customers does not move their anchor */
        "INSERT INTO messages(campaign, customer_id, channel, address, idempotency_key, state,"
        " next_attempt_at, created_at, due_at, sent_at)"
        " SELECT 'spring', id, 'email', 'a' || id, 'k2-' || id, 'sent', 0, 0, 0, %lld + 86400 * 3"
        " FROM customers WHERE id > %d AND id <= %d AND id %% 7 = 0;"
        "INSERT INTO coupons(code, norm, campaign, customer_id, message_key, kind, amount, "
        "min_spend, issued_at, expires_at)"
        " SELECT 'SPR-' || id, 'SPR' || id, 'spring', id, 'k' || id,"
        "  CASE WHEN id %% 3 = 0 THEN 'percent' ELSE 'value' END, CASE WHEN id %% 3 = 0 THEN 15 "
        "ELSE 500 END,"
        "  3000, %lld, %lld FROM customers WHERE id > %d AND id <= %d AND id %% 2 = 0;"
        "COMMIT;",
        T0, T0, T0 - 86400 * 30, T0 - 86400 * 20, N_HOLD + N_REACH + N_UNREACH, N_HOLD, T0, N_HOLD,
        T0, N_HOLD + N_REACH, N_HOLD + N_REACH, T0, N_HOLD, T0, N_HOLD, N_HOLD + N_REACH, T0,
        T0 + 30 * 86400, N_HOLD, N_HOLD + N_REACH);
    char *msg = NULL;
    if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK) TH_FAIL("fixture: %s", msg);
    sqlite3_free(msg);
    sqlite3_free(q);
    return st;
}

static const char *outdir(const char *name)
{
    static char d[4][700];
    static int k;
    char *p = d[k++ % 4];
    snprintf(p, 700, "%s/%s", th_tmpdir(), name);
    return p;
}

static enc_respond_opts base_opts(const char *dir)
{
    return (enc_respond_opts){.campaign = "spring",
                              .out_dir = dir,
                              .base_rate = 0.05,
                              .uplift = 0.03,
                              .open_rate = 0.4,
                              .click_rate = 0.15,
                              .coupon_use = 0.5,
                              .seed = 7};
}

/* |observed - p| within k binomial standard errors of n draws */
static bool within(double obs, double p, double n, double k)
{
    return fabs(obs - p) <= k * sqrt(p * (1 - p) / n);
}

static enc_store *st;

static void rates_match_the_truth(void)
{
    enc_respond_opts o = base_opts(outdir("main"));
    enc_respond_counts c;
    enc_err err = {0};
    CHECK_INT(enc_respond_run(st, &o, &c, &err), ENC_OK);
    CHECK_INT(c.holdout.customers, N_HOLD - 1); /* customer 5 has no merchant id */
    CHECK_INT(c.no_id, 1);
    CHECK_INT(c.reached.customers, N_REACH);
    CHECK_INT(c.unreached.customers, N_UNREACH);
    CHECK_INT(c.products, 59); /* S7 is out of stock */
    CHECK_INT(c.aov, 8000);    /* the mean paid subtotal */
    CHECK_STR(c.currency, "USD");

    /* read the orders back: one order per buyer, every line checked */
    file *f = fopen_csv(o.out_dir, "orders.csv");
    CHECK(f != NULL);
    if (!f) return;
    CHECK_INT(next_rec(f), 16);
    CHECK_STR(f->field[0], "order_id");
    enc_imap *sub = enc_imap_new(4096); /* customer -> subtotal */
    int64_t buyers[3] = {0}, coupons = 0, lines = 0, coupon_ok = 1, time_ok = 1, price_ok = 1;
    int64_t last = 0, sum_sub = 0, payload_first = 0, reached_buyers_checked = 0;
    char prev_order[64] = "";
    int nf;
    while ((nf = next_rec(f)) > 0) {
        CHECK_INT(nf, 16);
        lines++;
        int64_t id = atoll(f->field[1] + 1);
        int g = group_of(id);
        int64_t ts = parse_ts(f->field[2]), a = anchor_of(id);
        time_ok &= ts > a && ts < a + WINDOW && !strcmp(f->field[3], "paid");
        int64_t qty = atoll(f->field[14]), price = money(f->field[15]);
        price_ok &= price == 199 * atoll(f->field[10] + 1) && strcmp(f->field[10], "S7") != 0;
        bool is_new = strcmp(prev_order, f->field[0]) != 0;
        if (is_new) {
            snprintf(prev_order, sizeof prev_order, "%s", f->field[0]);
            char want[64];
            snprintf(want, sizeof want, "R-spring-%lld", (long long)id);
            CHECK_STR(f->field[0], want);
            CHECK(id != last); /* one order a customer */
            last = id;
            buyers[g]++;
            if (g == 1) {
                reached_buyers_checked++;
                payload_first += !strcmp(f->field[10], "S3") || !strcmp(f->field[10], "S40");
            }
            if (f->field[6][0]) {
                coupons++;
                char code[32];
                snprintf(code, sizeof code, "SPR-%lld", (long long)id);
                coupon_ok &= has_coupon(id) && !strcmp(f->field[6], code);
            }
        }
        *enc_imap_put(sub, id, 0, NULL) += qty * price;
    }
    CHECK_INT(nf, 0);
    fclose_csv(f);
    CHECK(time_ok);
    CHECK(price_ok);
    CHECK(coupon_ok);
    CHECK_INT(buyers[0], c.holdout.buyers);
    CHECK_INT(buyers[1], c.reached.buyers);
    CHECK_INT(buyers[2], c.unreached.buyers);
    CHECK_INT(lines, c.holdout.lines + c.reached.lines + c.unreached.lines);
    CHECK_INT(coupons, c.reached.coupon_orders);
    double ph = (double)buyers[0] / (N_HOLD - 1), pr = (double)buyers[1] / N_REACH;
    double pu = (double)buyers[2] / N_UNREACH;
    printf("# conversion: holdout %.4f (0.05), reached %.4f (0.08), unreached %.4f (0.05); uplift "
           "%.4f (0.03)\n",
           ph, pr, pu, pr - ph);
    CHECK(within(ph, 0.05, N_HOLD - 1, 4));
    CHECK(within(pr, 0.08, N_REACH, 4));
    CHECK(within(pu, 0.05, N_UNREACH, 4));
    double se = sqrt(0.05 * 0.95 / N_HOLD + 0.08 * 0.92 / N_REACH);
    CHECK(fabs(pr - ph - 0.03) <= 4 * se);
    /* a reached buyer's first item is one the message showed about half the time (the other
     * half picks by budget and rarely lands on one of these two) */
    double share = (double)payload_first / (double)reached_buyers_checked;
    printf("# first item from the message: %.3f\n", share);
    CHECK(share > 0.4 && share < 0.65);

    /* coupons: about coupon_use of the reached buyers who had one, each order over the minimum
     * and discounted as the coupon says */
    int64_t with = 0, used = 0, disc_ok = 1, min_ok = 1;
    f = fopen_csv(o.out_dir, "orders.csv");
    next_rec(f);
    prev_order[0] = 0;
    while (next_rec(f) > 0) {
        if (!strcmp(prev_order, f->field[0])) continue;
        snprintf(prev_order, sizeof prev_order, "%s", f->field[0]);
        int64_t id = atoll(f->field[1] + 1);
        if (!has_coupon(id)) continue;
        with++;
        if (!f->field[6][0]) continue;
        used++;
        int64_t s = *enc_imap_get(sub, id), d = money(f->field[7]);
        min_ok &= s >= 3000;
        disc_ok &= d == (percent_coupon(id) ? (s * 15 + 50) / 100 : 500);
    }
    fclose_csv(f);
    CHECK(min_ok);
    CHECK(disc_ok);
    printf("# coupon use: %lld of %lld reached buyers with a coupon\n", (long long)used,
           (long long)with);
    CHECK(within((double)used / (double)with, 0.5, (double)with, 4));

    /* subtotals: the mean of Gamma(4, mean 80.00) baskets, filled with priced products */
    int64_t n = 0;
    for (int64_t id = 1; id <= N_HOLD + N_REACH + N_UNREACH; id++) {
        int64_t *v = enc_imap_get(sub, id);
        if (v && !has_coupon(id)) {
            sum_sub += *v;
            n++;
        }
    }
    double mean = (double)sum_sub / (double)n;
    printf("# mean subtotal (orders without a coupon) %.2f for an aov of 80.00\n", mean / 100);
    CHECK(fabs(mean / 8000 - 1) < 0.1);
    enc_imap_free(sub);

    /* opens and clicks: reached customers only, clickers among openers, rates as configured */
    f = fopen_csv(o.out_dir, "events.csv");
    CHECK(f != NULL);
    if (!f) return;
    CHECK_INT(next_rec(f), 9);
    CHECK_STR(f->field[8], "properties");
    enc_imap *opened = enc_imap_new(4096);
    int64_t opens = 0, clicks = 0, only_reached = 1, clicks_opened = 1, props_ok = 1;
    while (next_rec(f) > 0) {
        int64_t id = atoll(f->field[1] + 1);
        only_reached &= group_of(id) == 1 && parse_ts(f->field[2]) > anchor_of(id);
        char want[160];
        if (!strcmp(f->field[3], "message_open")) {
            opens++;
            enc_imap_put(opened, id, 1, NULL);
            snprintf(want, sizeof want, "{\"message_id\":%lld,\"campaign\":\"spring\"}",
                     (long long)(id - N_HOLD));
        } else {
            clicks++;
            clicks_opened &= enc_imap_get(opened, id) != NULL;
            snprintf(
                want, sizeof want,
                "{\"message_id\":%lld,\"campaign\":\"spring\",\"url\":\"https://shop.example/\"}",
                (long long)(id - N_HOLD));
        }
        props_ok &=
            !strcmp(f->field[8], want) && !strcmp(f->field[7], id % 4 == 0 ? "sms" : "email");
    }
    fclose_csv(f);
    enc_imap_free(opened);
    CHECK(only_reached);
    CHECK(clicks_opened);
    CHECK(props_ok);
    CHECK_INT(opens, c.reached.opens);
    CHECK_INT(clicks, c.reached.clicks);
    CHECK(within((double)opens / N_REACH, 0.4, N_REACH, 4));
    CHECK(within((double)clicks / N_REACH, 0.15, N_REACH, 4));
}

static void same_options_same_bytes(void)
{
    enc_err err = {0};
    const char *d1 = outdir("det1"), *d2 = outdir("det2"), *d3 = outdir("det3");
    enc_respond_opts o = base_opts(d1);
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_OK);
    o.out_dir = d2;
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_OK);
    o.out_dir = d3;
    o.seed = 8;
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_OK);
    char a[800], b[800], c[800];
    snprintf(a, sizeof a, "%s/orders.csv", d1);
    snprintf(b, sizeof b, "%s/orders.csv", d2);
    snprintf(c, sizeof c, "%s/orders.csv", d3);
    CHECK(same_file(a, b));
    CHECK(!same_file(a, c));
}

/* --since/--until select customers by anchor; a customer's draws do not depend on who else
 * is drawn, so the selected customers' orders are the same lines as in a full run */
static void since_until_select_by_anchor(void)
{
    enc_err err = {0};
    const char *all = outdir("all"), *part = outdir("part");
    enc_respond_opts o = base_opts(all);
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_OK);
    o.out_dir = part;
    o.since = T0 + 3600 + N_HOLD + 1;    /* the reached ... */
    o.until = T0 + 3600 + N_HOLD + 5001; /* ... first 5,000 of them */
    enc_respond_counts c;
    CHECK_INT(enc_respond_run(st, &o, &c, &err), ENC_OK);
    CHECK_INT(c.reached.customers, 5000);
    CHECK_INT(c.holdout.customers + c.unreached.customers, 0);
    CHECK_INT(c.outside, N_HOLD + N_REACH + N_UNREACH - 5000);
    char pa[800], pp[800];
    snprintf(pa, sizeof pa, "%s/orders.csv", all);
    snprintf(pp, sizeof pp, "%s/orders.csv", part);
    size_t na, np;
    char *full = slurp(pa, &na), *sub = slurp(pp, &np);
    /* every line of the part is in the full file, and it has every line of those customers */
    int64_t missing = 0, lines = 0;
    for (char *l = strchr(sub, '\n') + 1; l && *l; l = strchr(l, '\n') + 1) {
        char *e = strchr(l, '\n');
        *e = 0;
        missing += strstr(full, l) == NULL;
        lines++;
        *e = '\n';
    }
    int64_t in_full = 0;
    for (int64_t id = N_HOLD + 1; id <= N_HOLD + 5000; id++) {
        char key[40];
        snprintf(key, sizeof key, "\nR-spring-%lld,", (long long)id);
        for (char *p = strstr(full, key); p; p = strstr(p + 1, key)) in_full++;
    }
    CHECK_INT(missing, 0);
    CHECK_INT(lines, in_full);
    CHECK(lines > 100);
    free(full);
    free(sub);
}

/* With a base URL: opens.txt and clicks.txt hold tracking URLs whose tokens the server accepts. */
static void tracking_urls(void)
{
    enc_err err = {0};
    const char *d = outdir("urls");
    enc_respond_opts o = base_opts(d);
    o.base_url = "http://127.0.0.1:8080/";
    o.key = &KEY;
    o.click_url = "https://shop.example/p/S3?utm_source=encore";
    enc_respond_counts c;
    CHECK_INT(enc_respond_run(st, &o, &c, &err), ENC_OK);
    char p[800];
    snprintf(p, sizeof p, "%s/events.csv", d);
    CHECK(access(p, F_OK) != 0); /* the hits are URLs, not events */
    for (int k = 0; k < 2; k++) {
        snprintf(p, sizeof p, "%s/%s", d, k ? "clicks.txt" : "opens.txt");
        size_t n;
        char *txt = slurp(p, &n);
        CHECK(txt != NULL);
        if (!txt) return;
        int64_t lines = 0, ok = 1;
        for (char *l = txt; *l;) {
            char *e = strchr(l, '\n');
            if (!e) break;
            *e = 0;
            const char *prefix = k ? "http://127.0.0.1:8080/t/c/" : "http://127.0.0.1:8080/t/o/";
            enc_token t;
            bool good = !strncmp(l, prefix, strlen(prefix)) &&
                        enc_token_check(&KEY, l + strlen(prefix), strlen(l + strlen(prefix)), 0, &t,
                                        &err) == ENC_OK;
            ok &= good && t.customer_id > N_HOLD && t.customer_id <= N_HOLD + N_REACH &&
                  t.message_id == t.customer_id - N_HOLD && !strcmp(t.campaign, "spring") &&
                  !strcmp(t.channel, t.customer_id % 4 == 0 ? "sms" : "email") &&
                  (k ? !strcmp(t.url, o.click_url) : !t.url[0]);
            lines++;
            l = e + 1;
        }
        CHECK(ok);
        CHECK_INT(lines, k ? c.reached.clicks : c.reached.opens);
        free(txt);
    }
}

static void refusals(void)
{
    enc_err err = {0};
    enc_respond_opts o = base_opts(outdir("bad"));
    o.uplift = 0.99;
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "base rate + uplift") != NULL);
    o = base_opts(outdir("bad"));
    o.click_rate = 1.5;
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "click rate") != NULL);
    o = base_opts(outdir("bad"));
    o.campaign = "autumn";
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_ENOTFOUND);
    CHECK_STR(err.msg, "no campaign named 'autumn'");
    o = base_opts(outdir("bad"));
    o.click_url = "javascript:alert(1)";
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_EUSAGE);
    o = base_opts(outdir("bad"));
    o.base_url = "http://x/";
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_EUSAGE); /* no key */
    /* a shop without priced products */
    sqlite3_exec(enc__store_db(st), "UPDATE products SET in_stock = 0", NULL, NULL, NULL);
    o = base_opts(outdir("bad"));
    CHECK_INT(enc_respond_run(st, &o, NULL, &err), ENC_EFAIL);
    CHECK(strstr(err.msg, "no product") != NULL);
    sqlite3_exec(enc__store_db(st), "UPDATE products SET in_stock = 1 WHERE sku != 'S7'", NULL,
                 NULL, NULL);
}

int main(void)
{
    enc_err err;
    enc_token_key_from("a test secret of enough bytes", 29, &KEY, &err);
    st = make_store();
    if (!st) return TEST_SUMMARY();
    RUN(rates_match_the_truth);
    RUN(same_options_same_bytes);
    RUN(since_until_select_by_anchor);
    RUN(tracking_urls);
    RUN(refusals);
    enc_store_close(st);
    return TEST_SUMMARY();
}
