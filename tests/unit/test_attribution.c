/* test_attribution.c — attribution (src/measure/attribution.c) on a hand-made campaign whose
 * every answer is known: orders before the message, after the window, exactly at its ends,
 * two messages and one order, a coupon redeemed long after the window, a click that extends
 * the window, undelivered members (intention to treat), the holdout's window from its
 * membership, orders past the as-of time; the funnel's counts; the settings (windows and costs
 * per channel, per-campaign overrides, errors with paths); the A/B test phase; and the
 * report's uplift wired to the statistics. */
#include "base/json.h"
#include "store/store_int.h"
#include "campaign/campdb.h"
#include "campaign/run.h"
#include "measure/abdecide.h"
#include "campaign_fixture.h"
#include "measure/campreport.h"
#include "measure/msettings.h"
#include "report/report.h"
#include <stdarg.h>

#define H 3600
#define DAY 86400

static int64_t T0;

static void sqlf(enc_store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sqlf(enc_store *st, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    fx_sql(st, sql);
}

/* A member of campaign `camp` (variant NULL = holdout) with its message in `state` (NULL = no
 * message) sent at `sent`; returns the message id (0 when none). */
static int64_t member(enc_store *st, const char *camp, int64_t cust, const char *occ,
                      const char *variant, const char *channel, int64_t at, const char *state,
                      int64_t sent)
{
    char key[128];
    snprintf(key, sizeof key, "%s|%lld|%s|%s", camp, (long long)cust, channel ? channel : "-", occ);
    if (!variant) {
        sqlf(st, "INSERT INTO campaign_members VALUES('%s', %lld, '%s', 1, NULL, NULL, NULL, %lld)",
             camp, (long long)cust, occ, (long long)at);
        return 0;
    }
    sqlf(st, "INSERT INTO campaign_members VALUES('%s', %lld, '%s', 0, '%s', '%s', '%s', %lld)",
         camp, (long long)cust, occ, variant, channel, key, (long long)at);
    if (!state) return 0;
    char sent_s[32] = "NULL";
    if (sent) snprintf(sent_s, sizeof sent_s, "%lld", (long long)sent);
    sqlf(st,
         "INSERT INTO messages(campaign, variant, customer_id, channel, address, idempotency_key,"
         " state, next_attempt_at, created_at, due_at, sent_at) VALUES('%s', '%s', %lld, '%s',"
         " 'x', '%s', '%s', %lld, %lld, %lld, %s)",
         camp, variant, (long long)cust, channel, key, state, (long long)at, (long long)at,
         (long long)at, sent_s);
    return fx_scalar(st, "SELECT max(id) FROM messages");
}

static int64_t order(enc_store *st, const char *key, int64_t cust, int64_t ts, int64_t sales,
                     const char *status, int64_t discount)
{
    sqlf(st,
         "INSERT INTO orders(source, order_key, customer_id, ts, status, sales, total, discount)"
         " VALUES('t', '%s', %lld, %lld, '%s', %lld, %lld, %lld)",
         key, (long long)cust, (long long)ts, status, (long long)sales, (long long)sales,
         (long long)discount);
    return fx_scalar(st, "SELECT max(id) FROM orders");
}

static void track(enc_store *st, const char *key, int64_t cust, int64_t ts, const char *type,
                  int64_t msg, const char *camp)
{
    sqlf(st,
         "INSERT INTO events(source, source_key, customer_id, ts, type, props) VALUES('track',"
         " '%s', %lld, %lld, '%s', '{\"message_id\":%lld,\"campaign\":\"%s\"}')",
         key, (long long)cust, (long long)ts, type, (long long)msg, camp);
}

static void coupon(enc_store *st, const char *code, const char *camp, int64_t cust,
                   const char *msgkey_occ, const char *channel, const char *kind, int64_t amount,
                   int64_t order_id, int64_t ts)
{
    sqlf(st,
         "INSERT INTO coupons(code, norm, campaign, customer_id, message_key, kind, amount,"
         " issued_at, redeemed_order, redeemed_at) VALUES('%s', '%s', '%s', %lld,"
         " '%s|%lld|%s|%s', '%s', %lld, %lld, %lld, %lld)",
         code, code, camp, (long long)cust, camp, (long long)cust, channel, msgkey_occ, kind,
         (long long)amount, (long long)(T0 - H), (long long)order_id, (long long)ts);
}

/* No quiet hours: the test's messages are due when planned. */
static void quiet_policy(enc_store *st)
{
    enc_settings set;
    enc_err err = {0};
    enc_settings_default(&set);
    set.policy.quiet_start = set.policy.quiet_end = 0;
    CHECK_INT(enc_settings_save(st, &set, &err), ENC_OK);
}

static const char spec_text[] =
    "{\"name\":\"spring\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\",\"sms\"],"
    "\"content\":{\"email\":{\"subject\":\"s\",\"text\":\"t\"},\"sms\":{\"text\":\"t\"}},"
    "\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.5}],"
    "\"holdout\":0.2}";

static enc_store *shop(const char *file)
{
    enc_store *st = fx_open(file);
    if (!st) return NULL;
    enc_err err = {0};
    enc_spec *s;
    if (enc_spec_parse(spec_text, strlen(spec_text), NULL, &s, &err)) {
        TH_FAIL("spec: %s", err.msg);
        return st;
    }
    CHECK_INT(enc_camp_put(st, s, "running", T0, NULL, &err), ENC_OK);
    enc_spec_free(s);
    /* windows: email 7 days (the default), sms 2 days; costs: email 0.01, sms 0.05 */
    const char *set =
        "{\"windows\":{\"sms\":\"2d\"},\"message_cost\":{\"email\":0.01,\"sms\":0.05}}";
    CHECK_INT(enc_mset_save(st, set, strlen(set), &err), ENC_OK);
    enc_store_begin(st, &err);
    int64_t m;
    /* 1 (A, email delivered T0+1h): an order before the message does not count; one a day
     *   after does */
    member(st, "spring", 1, "once", "A", "email", T0, "sent", T0 + H);
    order(st, "o1a", 1, T0, 1000, "paid", 0);
    order(st, "o1b", 1, T0 + DAY, 2000, "paid", 0);
    /* 2 (A, email delivered T0+1h): an order 8 days later is after the window; a cancelled one
     *   inside does not count */
    member(st, "spring", 2, "once", "A", "email", T0, "sent", T0 + H);
    order(st, "o2a", 2, T0 + H + 8 * DAY, 3000, "paid", 0);
    order(st, "o2b", 2, T0 + 2 * H, 3000, "cancelled", 0);
    /* 3 (B, sms delivered T0): the sms window is 2 days, the order comes after 3; a click at
     *   2 days opens a new window: counted, and opened and clicked */
    m = member(st, "spring", 3, "once", "B", "sms", T0, "sent", T0);
    track(st, "c3", 3, T0 + 2 * DAY, "message_click", m, "spring");
    order(st, "o3", 3, T0 + 3 * DAY, 4000, "paid", 0);
    /* 4 (B, two messages: T0 and T0+2d): one order after both counts once */
    member(st, "spring", 4, "o1", "B", "email", T0, "sent", T0);
    member(st, "spring", 4, "o2", "B", "email", T0 + 2 * DAY, "sent", T0 + 2 * DAY);
    order(st, "o4", 4, T0 + 3 * DAY, 5000, "paid", 0);
    /* 5 (A, email delivered T0): a value coupon (5.00) redeemed 30 days later: counted */
    member(st, "spring", 5, "once", "A", "email", T0, "sent", T0);
    int64_t o5 = order(st, "o5", 5, T0 + 30 * DAY, 6000, "paid", 500);
    coupon(st, "C5", "spring", 5, "once", "email", "value", 500, o5, T0 + 30 * DAY);
    /* 6 (holdout at T0): an order 5 days later counts (the first channel's window, email 7d);
     *   one a day before does not */
    member(st, "spring", 6, "once", NULL, NULL, T0, NULL, 0);
    order(st, "o6a", 6, T0 + 5 * DAY, 700, "paid", 0);
    order(st, "o6b", 6, T0 - DAY, 700, "paid", 0);
    /* 7 (holdout): one second past the window */
    member(st, "spring", 7, "once", NULL, NULL, T0, NULL, 0);
    order(st, "o7", 7, T0 + 7 * DAY + 1, 800, "paid", 0);
    /* 8 (holdout): exactly at the window's end counts; exactly at its start does not */
    member(st, "spring", 8, "once", NULL, NULL, T0, NULL, 0);
    order(st, "o8a", 8, T0 + 7 * DAY, 900, "paid", 0);
    order(st, "o8b", 8, T0, 900, "paid", 0);
    /* 9 (A, the message failed): intention to treat, the window from the membership */
    member(st, "spring", 9, "once", "A", "email", T0, "failed", 0);
    order(st, "o9", 9, T0 + DAY, 1100, "paid", 0);
    /* 10 (B, still queued): assigned, nothing sent, no order */
    member(st, "spring", 10, "once", "B", "email", T0, "queued", 0);
    /* 11 (A, email delivered T0): a 10% coupon on an order inside the window that records no
     *   discount: cost 10% of 20.00, and the order counts once */
    member(st, "spring", 11, "once", "A", "email", T0, "sent", T0);
    int64_t o11 = order(st, "o11", 11, T0 + DAY, 2000, "paid", 0);
    coupon(st, "C11", "spring", 11, "once", "email", "percent", 10, o11, T0 + DAY);
    /* 12 (B, sms delivered T0): unsubscribes; an open of another campaign's message is not
     *   this campaign's */
    m = member(st, "spring", 12, "once", "B", "sms", T0, "sent", T0);
    track(st, "u12", 12, T0 + H, "unsubscribe", m, "spring");
    member(st, "other", 12, "once", "A", "sms", T0, "sent", T0);
    track(st, "x12", 12, T0 + H, "message_open", fx_scalar(st, "SELECT max(id) FROM messages"),
          "other");
    /* 13 (A, email delivered T0): an order after the as-of time does not count (as of T0+40d) */
    member(st, "spring", 13, "once", "A", "email", T0, "sent", T0);
    order(st, "o13", 13, T0 + 41 * DAY, 999, "paid", 0);
    /* 14 (B, email delivered T0): opened (no click), bought 6 days later */
    m = member(st, "spring", 14, "once", "B", "email", T0, "sent", T0);
    track(st, "p14", 14, T0 + H, "message_open", m, "spring");
    order(st, "o14", 14, T0 + 6 * DAY, 1500, "paid", 0);
    /* 15 (holdout): a member after the as-of time is not counted at all */
    member(st, "spring", 15, "once", NULL, NULL, T0 + 50 * DAY, NULL, 0);
    enc_store_commit(st, &err);
    return st;
}

static void rule_cases(void)
{
    enc_store *st = shop("attr.db");
    if (!st) return;
    enc_err err = {0};
    enc_attr *a;
    enc_attr_opts o = {.as_of = T0 + 40 * DAY};
    if (enc_attr_run(st, "spring", &o, &a, &err)) {
        TH_FAIL("%s", err.msg);
        enc_store_close(st);
        return;
    }
    CHECK_INT(a->nvariants, 2);
    CHECK_STR(a->g[0].name, "A");
    CHECK_STR(a->g[1].name, "B");
    CHECK_INT(a->holdout_channel, CH_EMAIL);
    CHECK_INT(a->set.window[CH_SMS], 2 * DAY);
    CHECK_INT(a->set.window[CH_EMAIL], 7 * DAY);
    const enc_attr_group *A = &a->g[0], *B = &a->g[1], *T = &a->g[ENC_ATTR_TREATED],
                         *Ho = &a->g[ENC_ATTR_HOLDOUT];
    /* A: 1, 2, 5, 9, 11, 13 */
    CHECK_INT(A->audience, 6);
    CHECK_INT(A->members, 6);
    CHECK_INT(A->messages, 6);
    CHECK_INT(A->sent, 6); /* 5 delivered + 9 failed */
    CHECK_INT(A->delivered, 5);
    CHECK_INT(A->failed, 1);
    CHECK_INT(A->converted, 4); /* 1, 5 (coupon), 9 (ITT), 11 */
    CHECK_INT(A->orders, 4);
    CHECK_INT(A->orders_by_coupon, 2);
    CHECK_INT(A->revenue, 2000 + 6000 + 1100 + 2000);
    CHECK_INT(A->coupons_redeemed, 2);
    CHECK_INT(A->coupon_cost, 500 + 200);
    CHECK_INT(A->repurchased, 3); /* 1, 9, 11: 5's order is outside its window */
    CHECK_INT(A->messages_sent, 5);
    CHECK_NEAR(A->message_cost, 5 * 1.0, 1e-9); /* 0.01 = 1 cent each */
    CHECK_INT(A->open_windows, 0);
    /* B: 3, 4, 10, 12, 14 */
    CHECK_INT(B->audience, 5);
    CHECK_INT(B->members, 6);
    CHECK_INT(B->messages, 6);
    CHECK_INT(B->sent, 4); /* 10 is queued */
    CHECK_INT(B->delivered, 4);
    CHECK_INT(B->failed, 0);
    CHECK_INT(B->opened, 2); /* 3 (its click), 14 */
    CHECK_INT(B->clicked, 1);
    CHECK_INT(B->unsubscribed, 1);
    CHECK_INT(B->converted, 3); /* 3 (by the click), 4 (once), 14 */
    CHECK_INT(B->orders, 3);
    CHECK_INT(B->revenue, 4000 + 5000 + 1500);
    CHECK_INT(B->repurchased, 3);
    CHECK_NEAR(B->message_cost, 3 * 1.0 + 2 * 5.0, 1e-9); /* 3 emails (4 twice), 2 sms */
    /* every variant together */
    CHECK_INT(T->audience, 11);
    CHECK_INT(T->converted, 7);
    CHECK_INT(T->revenue, A->revenue + B->revenue);
    CHECK_INT(T->members, 12);
    CHECK_INT(T->delivered, 9);
    /* holdout: 6, 7, 8 (15 joined after the as-of time) */
    CHECK_INT(Ho->audience, 3);
    CHECK_INT(Ho->sent, 0);
    CHECK_INT(Ho->converted, 2); /* 6 and 8 */
    CHECK_INT(Ho->revenue, 700 + 900);
    CHECK_INT(Ho->repurchased, 2);
    /* per-customer revenue in customer order, zeros included */
    static const double arev[] = {2000, 0, 6000, 1100, 2000, 0};
    for (int i = 0; i < 6; i++) CHECK_NEAR(A->rev[i], arev[i], 0);
    static const double hrev[] = {700, 0, 900};
    for (int i = 0; i < 3; i++) CHECK_NEAR(Ho->rev[i], hrev[i], 0);
    /* revenue by day: 1's order on day 1 (T0 at 10:00, day0 its midnight) */
    CHECK_INT(A->daily[1], 2000 + 1100 + 2000);
    CHECK_INT(A->daily[30], 6000);
    int64_t sum = 0;
    for (int d = 0; d < a->ndays; d++) sum += Ho->daily[d];
    CHECK_INT(sum, Ho->revenue);
    enc_attr_free(a);

    /* as of T0 + 3 days: 1 bought, 3 clicked at 2d, windows still open; 5's coupon not yet */
    o.as_of = T0 + 3 * DAY;
    CHECK_INT(enc_attr_run(st, "spring", &o, &a, &err), ENC_OK);
    CHECK_INT(a->g[0].converted, 3); /* 1, 9, 11 */
    CHECK_INT(a->g[1].converted, 2); /* 3 and 4 at exactly 3 days */
    CHECK_INT(a->g[0].open_windows, 6);
    CHECK_INT(a->g[ENC_ATTR_HOLDOUT].converted, 0);
    enc_attr_free(a);
    /* members before a time only (an A/B test's phase): 4's second message is left out, so
     * its order (3 days after the first message) still counts through the first */
    o.as_of = T0 + 40 * DAY;
    o.before = T0 + DAY;
    CHECK_INT(enc_attr_run(st, "spring", &o, &a, &err), ENC_OK);
    CHECK_INT(a->g[1].members, 5);
    CHECK_INT(a->g[1].converted, 3);
    enc_attr_free(a);
    CHECK_INT(enc_attr_run(st, "nope", &o, &a, &err), ENC_ENOTFOUND);
    enc_store_close(st);
}

/* The report's numbers are the statistics of the attribution's counts. */
static void report_wiring(void)
{
    enc_store *st = shop("wiring.db");
    if (!st) return;
    enc_err err = {0};
    enc_campreport *r;
    if (enc_campreport_build(st, "spring", T0 + 40 * DAY, &r, &err)) {
        TH_FAIL("%s", err.msg);
        enc_store_close(st);
        return;
    }
    const enc_attr *a = r->all;
    const enc_uplift *u = &r->up[0];
    CHECK(u->valid);
    enc_prop_diff d;
    enc_stat_prop_diff(4, 6, 2, 3, 0.95, &d);
    CHECK_NEAR(u->conv.diff, 4.0 / 6 - 2.0 / 3, 1e-12);
    CHECK_NEAR(u->conv.lo, d.lo, 1e-12);
    CHECK_NEAR(u->conv.p_value, d.p_value, 1e-12);
    CHECK(u->conv.fisher); /* small counts */
    /* revenue per customer: A (2000+0+6000+1100+2000+0)/6, holdout 1600/3 */
    CHECK_NEAR(u->rpc.diff, 11100.0 / 6 - 1600.0 / 3, 1e-9);
    CHECK_NEAR(u->incr_revenue, (11100.0 / 6 - 1600.0 / 3) * 6, 1e-9);
    CHECK_INT(u->cost, 5 + 700);
    CHECK_NEAR(u->roi, (u->incr_revenue - 705) / 705, 1e-12);
    CHECK(r->has_ab);
    CHECK(r->test == NULL); /* no decided A/B test */
    /* conversion: A 4/6, B 3/5 -> A leads */
    CHECK_INT(r->ab.leader, 0);
    CHECK_INT(r->ab.ncmp, 1);
    CHECK(!r->ab.significant);
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_campreport_json(r, &w);
    CHECK(strstr(b.p, "\"campaign\":\"spring\""));
    CHECK(strstr(b.p, "\"kind\":\"holdout\""));
    CHECK(strstr(b.p, "\"revenue\":111.00"));
    CHECK(strstr(b.p, "\"windows\":{\"email\":\"7d\",\"sms\":\"2d\""));
    enc_buf_reset(&b);
    enc_campreport_text(r, &b);
    CHECK(strstr(b.p, "uplift over the holdout"));
    CHECK(strstr(b.p, "A/B by conversion: leader A"));
    printf("%s", b.p);
    enc_buf_free(&b);
    (void)a;
    enc_campreport_free(r);
    enc_store_close(st);
}

/* The A/B decision (src/campaign/run.c) measures as the report does: B's members all buy,
 * a quarter of A's: B wins and the kept report says it is significant; then the campaign
 * report compares the test's members only (the roll-out joined B after the decision). When
 * nobody buys, the tie goes to the first variant, not significantly. */
static void ab_decision(void)
{
    for (int equal = 0; equal < 2; equal++) {
        enum { NCUST = 400 };
        int64_t T = T0;
        enc_store *st = fx_open(equal ? "ab2.db" : "ab1.db");
        if (!st) return;
        enc_err err = {0};
        /* NCUST customers with an e-mail address and e-mail consent, in two statements */
        sqlf(st,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
             " INSERT INTO customers(id, source, source_key, external_id, email, tz,"
             " registered_at, created_at, updated_at) SELECT i, 't', 'A' || i, 'A' || i,"
             " 'a' || i || '@x.org', 'UTC', %lld, %lld, %lld FROM n",
             NCUST, (long long)(T - 100 * DAY), (long long)T, (long long)T);
        sqlf(st,
             "INSERT INTO consents(source, source_key, customer_id, ts, channel, purpose,"
             " granted) SELECT 't', 'c' || id, id, %lld, 'email', 'marketing', 1 FROM customers",
             (long long)(T - 100 * DAY));
        const char *f =
            "{\"name\":\"abtest\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"],"
            "\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.5}],"
            "\"holdout\":0.1,\"ab\":{\"test_share\":0.5,\"decide_after\":\"2d\"},"
            "\"content\":{\"email\":{\"subject\":\"s\",\"text\":\"t\"}}}";
        enc_spec *s;
        if (enc_spec_parse(f, strlen(f), st, &s, &err)) {
            TH_FAIL("%s", err.msg);
            return;
        }
        quiet_policy(st);
        enc_run_result r;
        CHECK_INT(enc_campaign_start(st, s, T, &r, &err), ENC_OK);
        sqlite3_stmt *q;
        sqlite3_prepare_v2(enc__store_db(st),
                           "SELECT customer_id, variant FROM campaign_members WHERE campaign ="
                           " 'abtest' AND holdout = 0",
                           -1, &q, NULL);
        enc_store_begin(st, &err);
        int na = 0, nb = 0, k = 0;
        while (sqlite3_step(q) == SQLITE_ROW) {
            bool b = sqlite3_column_text(q, 1)[0] == 'B';
            int i = b ? nb++ : na++;
            if (!equal && !b && i % 4) continue; /* a quarter of A, every B */
            if (equal) continue;                 /* nobody: a tie */
            char key[32];
            snprintf(key, sizeof key, "buy%d", k++);
            order(st, key, sqlite3_column_int64(q, 0), T + DAY, 900, "paid", 0);
        }
        sqlite3_finalize(q);
        enc_store_commit(st, &err);
        enc_run_result *res;
        size_t n;
        int64_t red;
        CHECK_INT(enc_tick(st, T + 2 * DAY + H, &res, &n, &red, &err), ENC_OK);
        CHECK(n == 1 && res[0].decided);
        if (n) CHECK_STR(res[0].winner, equal ? "A" : "B");
        free(res);
        enc_camp_row row;
        CHECK_INT(enc_camp_get(st, "abtest", &row, &err), ENC_OK);
        printf("# %s\n", row.ab_report ? row.ab_report : "(no report)");
        CHECK(row.ab_report &&
              strstr(row.ab_report, equal ? "\"significant\":false" : "\"significant\":true"));
        CHECK(row.ab_report && strstr(row.ab_report, "\"adjustment\":\"holm\""));
        int64_t decided = row.ab_decided_at;
        enc_camp_row_free(&row);
        /* the report: the test's members only, as of later */
        enc_campreport *cr;
        CHECK_INT(enc_campreport_build(st, "abtest", T + 10 * DAY, &cr, &err), ENC_OK);
        CHECK(cr->test != NULL);
        if (cr->test) {
            CHECK_INT(cr->test->before, decided);
            CHECK_INT(cr->test->g[0].audience, na);
            CHECK_INT(cr->test->g[1].audience, nb);
            CHECK(cr->all->g[1].audience > nb || equal); /* B was rolled out */
            CHECK_STR(cr->test->g[cr->ab.leader].name, equal ? "A" : "B");
            CHECK(cr->ab.significant == !equal);
        }
        enc_campreport_free(cr);
        enc_spec_free(s);
        enc_store_close(st);
    }
}

/* The HTML report's campaign section on the same campaign: a table row per group, three charts
 * (funnel, uplift with intervals, revenue over time), the numbers of the campaign report. */
static void html_section(void)
{
    enc_store *st = shop("html.db");
    if (!st) return;
    enc_err err = {0};
    enc_buf b = {0};
    enc_report_result res;
    enc_report_opts o = {.now = T0 + 40 * DAY};
    CHECK_INT(enc_report_html(st, &o, &b, &res, &err), ENC_OK);
    int found = -1;
    for (int i = 0; i < res.sections; i++)
        if (strcmp(res.section_id[i], "campaigns") == 0) found = i;
    CHECK(found >= 0);
    if (found >= 0) CHECK_INT(res.section_charts[found], 3);
    CHECK(strstr(b.p, "<h3 id=\"campaign-spring\">spring</h3>"));
    CHECK(!strstr(b.p, "campaign-other")); /* members of no stored campaign */
    /* A: 6 assigned, 6 sent, 5 delivered, 0 opened, 0 clicked, 0 unsubscribed, 4 converted */
    CHECK(strstr(b.p, "<tr><td>A</td><td>6</td><td>6</td><td>5</td><td>0</td><td>0</td><td>0"
                      "</td><td>4</td><td>66.7%</td><td>111.00</td><td>18.50</td><td>7.05</td>"));
    CHECK(strstr(b.p, "id=\"camp1-funnel\"") || strstr(b.p, "id=\"camp2-funnel\""));
    CHECK(strstr(b.p, "Conversion uplift over the holdout"));
    CHECK(strstr(b.p, "Attributed revenue per customer, cumulative"));
    const char *dump = getenv("ENCORE_TEST_DUMP");
    if (dump) {
        FILE *f = fopen(dump, "w");
        if (f) fputs(b.p, f), fclose(f);
    }
    enc_buf_free(&b);
    /* without members, no campaign section */
    enc_store *st2 = fx_open("html2.db");
    if (st2) {
        CHECK_INT(enc_report_html(st2, &o, &b, &res, &err), ENC_OK);
        CHECK(!strstr(b.p, "id=\"campaigns\""));
        enc_buf_free(&b);
        enc_store_close(st2);
    }
    enc_store_close(st);
}

static void settings(void)
{
    enc_mset s;
    enc_mset_default(&s);
    enc_err err = {0};
    const char *ok =
        "{\"windows\":{\"sms\":\"36h\",\"all\":\"5d\"},\"message_cost\":{\"all\":0.001,"
        "\"sms\":0.04},\"campaigns\":{\"vip\":{\"windows\":{\"email\":\"14d\"}},"
        "\"other\":{\"windows\":{\"email\":\"1d\"}}}}";
    CHECK_INT(enc_mset_parse(ok, strlen(ok), "vip", &s, &err), ENC_OK);
    CHECK_INT(s.window[CH_SMS], 36 * H); /* "all" first, the channel over it */
    CHECK_INT(s.window[CH_PUSH], 5 * DAY);
    CHECK_INT(s.window[CH_EMAIL], 14 * DAY); /* vip's own */
    CHECK_NEAR(s.msg_cost[CH_SMS], 0.04, 0);
    CHECK_NEAR(s.msg_cost[CH_INAPP], 0.001, 0);
    enc_mset_default(&s);
    CHECK_INT(enc_mset_parse(ok, strlen(ok), NULL, &s, &err), ENC_OK);
    CHECK_INT(s.window[CH_EMAIL], 5 * DAY);
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"{\"windows\":{\"emial\":\"7d\"}}", "windows.emial: unknown channel"},
        {"{\"window\":{}}", "window: unknown key; expected windows, message_cost or campaigns"},
        {"{\"windows\":{\"email\":\"7x\"}}", "windows.email: expected a positive duration"},
        {"{\"windows\":{\"email\":7}}", "windows.email: expected a positive duration"},
        {"{\"message_cost\":{\"sms\":-1}}", "message_cost.sms: expected a cost per message"},
        {"{\"campaigns\":{\"x\":{\"campaigns\":{}}}}", "campaigns.x.campaigns: unknown key"},
        {"{\"campaigns\":{\"x\":{\"windows\":{\"sms\":\"0d\"}}}}", "campaigns.x.windows.sms"},
        {"{\"windows\":\n{\"sms\" \"1d\"}}", "line 2, column"},
        {"[1]", "expected an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        enc_mset t;
        enc_mset_default(&t);
        CHECK(enc_mset_parse(bad[i].text, strlen(bad[i].text), NULL, &t, &err) != ENC_OK);
        if (!strstr(err.msg, bad[i].msg)) TH_FAIL("'%s': %s", bad[i].text, err.msg);
        CHECK_INT(t.window[CH_SMS], ENC_MSET_DEFAULT_WINDOW); /* unchanged */
    }
    char d[32];
    enc_mset_fmt_window(d, sizeof d, 14 * DAY);
    CHECK_STR(d, "14d");
    enc_mset_fmt_window(d, sizeof d, 36 * H);
    CHECK_STR(d, "36h");
    enc_mset_fmt_window(d, sizeof d, 90);
    CHECK_STR(d, "90s");
    /* stored: save refuses a bad document, load applies the campaign's entry */
    enc_store *st = fx_open("mset.db");
    if (!st) return;
    CHECK_INT(enc_mset_load(st, "vip", &s, &err), ENC_OK);
    CHECK_INT(s.window[CH_EMAIL], ENC_MSET_DEFAULT_WINDOW);
    CHECK(enc_mset_save(st, "{\"x\":1}", 7, &err) != ENC_OK);
    CHECK_INT(enc_mset_save(st, ok, strlen(ok), &err), ENC_OK);
    CHECK_INT(enc_mset_load(st, "vip", &s, &err), ENC_OK);
    CHECK_INT(s.window[CH_EMAIL], 14 * DAY);
    CHECK_INT(enc_mset_load(st, "other", &s, &err), ENC_OK);
    CHECK_INT(s.window[CH_EMAIL], DAY);
    enc_store_close(st);
}

int main(void)
{
    T0 = fx_day(2026, 3, 1) + 10 * H;
    RUN(rule_cases);
    RUN(report_wiring);
    RUN(html_section);
    RUN(ab_decision);
    RUN(settings);
    return TEST_SUMMARY();
}
