/* test_store_outbox.c — the store's outbox, inbox, complements and campaign tables through
 * their store interfaces (store/outbox_store.h, complements_store.h, campaign_store.h), on a
 * real store: what the claim scan learns of each message (suppression, campaign state, coupon
 * expiry and revocation, time zone), the marks and results (results only touch `sending`
 * rows), recovery counts, counts by channel, the message lookup of an unsubscribe (absent ids
 * too), the inbox page, unread count and read mark (another customer's row is not found),
 * owners of a phone number after merges, complements, coupon clashes and redemption through
 * the callbacks, and a store without the outbox refused. Rows are set up and checked with SQL
 * here (tests may; src/ outside src/store/ may not). */
#include "harness.h"
#include "store/store_int.h"
#include "store_fixture.h"
#include "base/mem.h"
#include "store/campaign_store.h"
#include "store/complements_store.h"
#include "store/outbox_store.h"
#include <sqlite3.h>

static void sql(enc_store *st, const char *q)
{
    char *msg = NULL;
    if (sqlite3_exec(enc__store_db(st), q, NULL, NULL, &msg) != SQLITE_OK)
        TH_FAIL("%s: %s", q, msg ? msg : "?");
    sqlite3_free(msg);
}

static void customers(enc_store *st)
{
    sql(st,
        "INSERT INTO customers(id, source, source_key, phone, tz, created_at, updated_at)"
        " VALUES(1, 't', '1', '+8613800000001', 'Asia/Shanghai', 0, 0),"
        " (2, 't', '2', NULL, NULL, 0, 0), (3, 't', '3', '+8613800000001', NULL, 0, 0);"
        "UPDATE customers SET merged_into = 2 WHERE id = 3;"
        "INSERT INTO identities(kind, value, customer_id) VALUES('phone', '+8613800000009', 2)");
}

typedef struct seen {
    enc_msg m[8];
    enc_obx_claim_row r[8];
    int n;
} seen;

static void keep(void *ctx, const enc_msg *m, const enc_obx_claim_row *r)
{
    seen *s = ctx;
    if (s->n < 8) {
        s->m[s->n] = *m;
        s->r[s->n++] = *r;
    }
}

static void claim_scan_learns_everything(void)
{
    enc_store *st = fresh("scan.db");
    customers(st);
    enc_obx *x;
    enc_err err = {0};
    CHECK_INT(enc_obx_open(st, &x, &err), ENC_OK);
    enc_msg_rec r[3] = {
        {.campaign = "spring",
         .customer_id = 1,
         .channel = "sms",
         .address = "+8613800000001",
         .body_text = "a",
         .idempotency_key = "k1",
         .priority = 5,
         .deadline = 900},
        {.campaign = "gone",
         .customer_id = 2,
         .channel = "sms",
         .address = "blocked",
         .idempotency_key = "k2",
         .priority = 5,
         .transactional = true},
        {.channel = "sms",
         .address = "later",
         .idempotency_key = "k3",
         .priority = 5,
         .due_at = 5000},
    };
    bool added;
    for (int i = 0; i < 3; i++) {
        CHECK_INT(enc_obx_insert(x, &r[i], 100, &added, &err), ENC_OK);
        CHECK(added);
    }
    CHECK_INT(enc_obx_insert(x, &r[0], 100, &added, &err), ENC_OK);
    CHECK(!added); /* the key is taken */
    int64_t id;
    CHECK_INT(enc_obx_next_id(x, &id, &err), ENC_OK);
    CHECK_INT(id, 4);
    sql(st, "INSERT INTO suppressions(channel, address, reason, at) VALUES('*', 'blocked',"
            " 'bounce', 1);"
            "INSERT INTO campaigns(name, spec, state, created_at, updated_at)"
            " VALUES('spring', '{}', 'paused', 0, 0);"
            "INSERT INTO coupons(code, norm, campaign, customer_id, message_key, kind, amount,"
            " issued_at, expires_at, revoked_at) VALUES('S-1', 'S1', 'spring', 1, 'k1', 'value',"
            " 5, 0, 800, 10)");
    seen s = {0};
    enc_arena *a = enc_arena_new(4096);
    CHECK_INT(enc_obx_claim_scan(x, "sms", 5, 200, 10, a, keep, &s, &err), ENC_OK);
    CHECK_INT(s.n, 2); /* k3 is not due yet */
    CHECK_STR(s.m[0].idempotency_key, "k1");
    CHECK_INT(s.m[0].attempts, 1);
    CHECK_INT(s.m[0].deadline, 900);
    CHECK_STR(s.r[0].camp, "paused");
    CHECK_STR(s.r[0].tz, "Asia/Shanghai");
    CHECK_INT(s.r[0].cpn_exp, 800);
    CHECK(s.r[0].cpn_revoked);
    CHECK(s.r[0].supp == NULL);
    CHECK_STR(s.r[1].supp, "bounce"); /* the every-channel suppression */
    CHECK(s.r[1].camp == NULL);       /* no campaign row */
    CHECK(s.m[1].transactional);
    /* a limit of one, and another priority, see less */
    s.n = 0;
    CHECK_INT(enc_obx_claim_scan(x, "sms", 5, 200, 1, a, keep, &s, &err), ENC_OK);
    CHECK_INT(s.n, 1);
    s.n = 0;
    CHECK_INT(enc_obx_claim_scan(x, "sms", 4, 200, 10, a, keep, &s, &err), ENC_OK);
    CHECK_INT(s.n, 0);
    enc_arena_free(a);

    /* marks, then results that only touch `sending` rows */
    CHECK_INT(enc_obx_begin(x, &err), ENC_OK);
    CHECK(enc_obx_in_tx(x));
    CHECK_INT(enc_obx_mark_claimed(x, 1, ENC_OBX_SENDING, NULL, 150, &err), ENC_OK);
    CHECK_INT(enc_obx_mark_claimed(x, 2, ENC_OBX_SUPPRESSED, "bounce", 0, &err), ENC_OK);
    CHECK_INT(enc_obx_mark_claimed(x, 3, ENC_OBX_DEFERRED, NULL, 7000, &err), ENC_OK);
    CHECK_INT(enc_obx_commit(x, &err), ENC_OK);
    CHECK(!enc_obx_in_tx(x));
    CHECK_INT(scalar(st, "SELECT attempts * 1000 + claimed_at FROM messages WHERE id = 1"), 1150);
    CHECK_INT(scalar(st, "SELECT last_error = 'suppressed: bounce' FROM messages WHERE id = 2"), 1);
    CHECK_INT(scalar(st, "SELECT next_attempt_at FROM messages WHERE id = 3"), 7000);
    CHECK_INT(enc_obx_result_sent(x, 2, 160, "ref", &err), ENC_OK); /* not sending: no change */
    CHECK_INT(scalar(st, "SELECT state = 'suppressed' FROM messages WHERE id = 2"), 1);
    CHECK_INT(enc_obx_result_retry(x, 1, 400, "busy", &err), ENC_OK);
    CHECK_INT(scalar(st, "SELECT state = 'queued' AND next_attempt_at = 400 AND last_error ="
                         " 'busy' FROM messages WHERE id = 1"),
              1);
    sql(st, "UPDATE messages SET state = 'sending' WHERE id = 1");
    CHECK_INT(enc_obx_result_final(x, 1, "dead", "after 1 tries: busy", &err), ENC_OK);
    CHECK_INT(scalar(st, "SELECT state = 'dead' FROM messages WHERE id = 1"), 1);

    /* recovery: one over the attempts is dead, the other resent; reconcile parks */
    sql(st, "UPDATE messages SET state = 'sending', attempts = 3 WHERE id = 1;"
            "UPDATE messages SET state = 'sending', attempts = 1 WHERE id IN (2, 3)");
    char **chans;
    size_t nch;
    CHECK_INT(enc_obx_sending_channels(x, &chans, &nch, &err), ENC_OK);
    CHECK_INT(nch, 1);
    CHECK_STR(nch ? chans[0] : NULL, "sms");
    for (size_t i = 0; i < nch; i++) free(chans[i]);
    free(chans);
    int64_t dead = 0, resend = 0, rec = 0;
    CHECK_INT(enc_obx_recover_resend(x, "sms", 500, 3, &dead, &resend, &err), ENC_OK);
    CHECK_INT(dead, 1);
    CHECK_INT(resend, 2);
    CHECK_INT(enc_obx_recover_reconcile(x, "sms", &rec, &err), ENC_OK);
    CHECK_INT(rec, 0); /* nothing left in sending */

    /* the unsubscribe's lookup: present and absent */
    char *ch, *addr;
    CHECK_INT(enc_obx_message_address(st, 2, &ch, &addr, &err), ENC_OK);
    CHECK_STR(ch, "sms");
    CHECK_STR(addr, "blocked");
    free(ch);
    free(addr);
    CHECK_INT(enc_obx_message_address(st, 99, &ch, &addr, &err), ENC_OK);
    CHECK(ch == NULL && addr == NULL);

    /* owners of a number: own phone (merged: the survivor) and a phone identity */
    int64_t ids[4];
    size_t n;
    CHECK_INT(enc_obx_number_owners(x, "+8613800000001", ids, 4, &n, &err), ENC_OK);
    CHECK_INT(n, 2); /* 1, and 3 merged into 2 */
    CHECK_INT(enc_obx_number_owners(x, "+8613800000009", ids, 4, &n, &err), ENC_OK);
    CHECK_INT(n, 1);
    CHECK_INT(n ? ids[0] : 0, 2);
    CHECK_INT(enc_obx_number_owners(x, "+8613800000001", ids, 1, &n, &err), ENC_OK);
    CHECK_INT(n, 1); /* capped */

    /* switches */
    bool paused;
    double rate;
    CHECK_INT(enc_obx_set_paused(x, "sms", true, 1, &err), ENC_OK);
    CHECK_INT(enc_obx_set_rate(x, "sms", 2.5, 2, &err), ENC_OK);
    CHECK_INT(enc_obx_channel_get(x, "sms", &paused, &rate, &err), ENC_OK);
    CHECK(paused);
    CHECK_NEAR(rate, 2.5, 1e-12);
    CHECK_INT(enc_obx_set_rate(x, "sms", 0, 3, &err), ENC_OK);
    CHECK_INT(enc_obx_channel_get(x, "sms", &paused, &rate, &err), ENC_OK);
    CHECK_NEAR(rate, 0, 0);
    CHECK_INT(enc_obx_channel_get(x, "email", &paused, &rate, &err), ENC_OK);
    CHECK(!paused);
    enc_obx_close(x);

    /* a store without the outbox is refused with a clear message */
    sql(st, "DROP TABLE messages");
    CHECK_INT(enc_obx_open(st, &x, &err), ENC_EDB);
    CHECK(strstr(err.msg, "no outbox") != NULL);
    enc_store_close(st);
}

typedef struct page {
    int64_t ids[8];
    int n, stop;
} page;

static bool take(void *ctx, const enc_inbox_row *r)
{
    page *p = ctx;
    if (p->n == p->stop) return false;
    p->ids[p->n++] = r->id;
    return true;
}

static void inbox_rows(void)
{
    enc_store *st = fresh("inbox.db");
    customers(st);
    enc_obx *x;
    enc_err err = {0};
    CHECK_INT(enc_obx_open(st, &x, &err), ENC_OK);
    enc_msg m = {
        .id = 0, .customer_id = 2, .idempotency_key = "i1", .subject = "hi", .body_text = "b"};
    bool dup;
    CHECK_INT(enc_obx_inbox_put(x, &m, 10, &dup, &err), ENC_OK);
    CHECK(!dup);
    CHECK_INT(enc_obx_inbox_put(x, &m, 11, &dup, &err), ENC_OK);
    CHECK(dup);
    m.idempotency_key = "i2";
    m.customer_id = 3; /* merged into 2: 2's inbox shows it */
    CHECK_INT(enc_obx_inbox_put(x, &m, 12, &dup, &err), ENC_OK);
    page p = {.stop = 8};
    CHECK_INT(enc_inbox_scan(st, 2, 0, false, 10, take, &p, &err), ENC_OK);
    CHECK_INT(p.n, 2);
    CHECK_INT(p.ids[0], 2); /* newest first */
    p = (page){.stop = 1};
    CHECK_INT(enc_inbox_scan(st, 2, 0, false, 10, take, &p, &err), ENC_OK);
    CHECK_INT(p.n, 1); /* the callback stops the scan */
    p = (page){.stop = 8};
    CHECK_INT(enc_inbox_scan(st, 2, 2, false, 10, take, &p, &err), ENC_OK);
    CHECK_INT(p.n, 1); /* before id 2 */
    int64_t unread, at;
    int how;
    CHECK_INT(enc_inbox_unread(st, 2, &unread, &err), ENC_OK);
    CHECK_INT(unread, 2);
    CHECK_INT(enc_inbox_store_mark(st, 1, 1, 50, &how, &at, &err), ENC_OK);
    CHECK_INT(how, 0); /* customer 1 does not own it */
    CHECK_INT(enc_inbox_store_mark(st, 1, 2, 50, &how, &at, &err), ENC_OK);
    CHECK_INT(how, 1);
    CHECK_INT(at, 50);
    CHECK_INT(enc_inbox_store_mark(st, 1, 2, 60, &how, &at, &err), ENC_OK);
    CHECK_INT(how, 2);
    CHECK_INT(at, 50); /* the first read stays */
    CHECK_INT(enc_inbox_store_mark(st, 99, 0, 60, &how, &at, &err), ENC_OK);
    CHECK_INT(how, 0);
    CHECK_INT(enc_inbox_unread(st, 2, &unread, &err), ENC_OK);
    CHECK_INT(unread, 1);
    p = (page){.stop = 8};
    CHECK_INT(enc_inbox_scan(st, 2, 0, true, 10, take, &p, &err), ENC_OK);
    CHECK_INT(p.n, 1);
    enc_obx_close(x);
    enc_store_close(st);
}

typedef struct comps {
    int rows;
    char all[256];
} comps;

static void comp(void *ctx, const char *sku, const char *c)
{
    comps *k = ctx;
    k->rows++;
    size_t l = strlen(k->all);
    snprintf(k->all + l, sizeof k->all - l, "%s>%s;", sku ? sku : "-", c);
}

static void complements(void)
{
    enc_store *st = fresh("comp.db");
    sql(st, "INSERT INTO products(sku, complements) VALUES('a', 'b|c'), ('b', NULL),"
            " ('c', '|||')");
    comps k = {0};
    enc_err err = {0};
    CHECK_INT(enc_store_complements_scan(st, comp, &k, &err), ENC_OK);
    CHECK_INT(k.rows, 2); /* b has none */
    CHECK(strstr(k.all, "a>b|c;") != NULL);
    CHECK(strstr(k.all, "c>|||;") != NULL); /* passed on as stored: the reader parses */
    enc_store_close(st);
}

typedef struct redeem {
    int64_t open_id;
    int checks;
} redeem;

static void open_row(void *ctx, const char *norm, int64_t id)
{
    redeem *r = ctx;
    if (strcmp(norm, "X1") == 0) r->open_id = id;
}
static int64_t match(void *ctx, const char *code)
{
    redeem *r = ctx;
    return strcmp(code, "x-1") == 0 ? r->open_id : 0;
}
static bool check(void *ctx, const char *code, const char *issued, int64_t ts, int64_t from,
                  int64_t until)
{
    redeem *r = ctx;
    r->checks++;
    (void)code;
    return strcmp(issued, "X-1") == 0 && ts >= from && (!until || ts <= until);
}

static void campaign_tables(void)
{
    enc_store *st = fresh("camp.db");
    enc_err err = {0};
    bool created;
    CHECK_INT(enc_camp_store_put(st, "spring", "{}", NULL, 7, false, 10, &created, &err), ENC_OK);
    CHECK(created);
    CHECK_INT(enc_camp_store_put(st, "spring", "{2}", "running", 8, true, 20, &created, &err),
              ENC_OK);
    CHECK(!created);
    enc_camp_row row;
    CHECK_INT(enc_camp_get(st, "spring", &row, &err), ENC_OK);
    CHECK_STR(row.state, "running");
    CHECK_STR(row.spec, "{2}");
    CHECK_INT(row.priority, 8);
    CHECK_INT(row.created_at, 10);
    enc_camp_row_free(&row);
    CHECK_INT(scalar(st, "SELECT on_cap = 'defer' FROM campaigns"), 1);
    CHECK_INT(enc_camp_get(st, "autumn", &row, &err), ENC_ENOTFOUND);
    CHECK_INT(enc_camp_store_started(st, "spring", 100, 50, &err), ENC_OK);
    CHECK_INT(enc_camp_store_started(st, "spring", 200, 50, &err), ENC_OK); /* first start stays */
    CHECK_INT(scalar(st, "SELECT started_at * 1000 + ab_decide_at FROM campaigns"), 100150);
    CHECK_INT(enc_camp_set_state(st, "autumn", "paused", 1, &err), ENC_ENOTFOUND);
    char *v;
    CHECK_INT(enc_camp_setting_get(st, "k", &v, &err), ENC_OK);
    CHECK(v == NULL);
    CHECK_INT(enc_camp_setting_put(st, "k", "1", &err), ENC_OK);
    CHECK_INT(enc_camp_setting_put(st, "k", "2", &err), ENC_OK);
    CHECK_INT(enc_camp_setting_get(st, "k", &v, &err), ENC_OK);
    CHECK_STR(v, "2");
    free(v);

    /* a coupon, then a clash on its code or its message */
    enc_camp_writer *w = enc_camp_writer_new(st);
    enc_coupon_rec c = {.code = "X-1",
                        .campaign = "spring",
                        .message_key = "m1",
                        .customer = 1,
                        .amount = 5,
                        .issued_at = 100,
                        .expires_at = 1000};
    bool ins;
    CHECK_INT(enc_coupon_insert(st, w, &c, "X1", &ins, &err), ENC_OK);
    CHECK(ins);
    c.message_key = "m2";
    CHECK_INT(enc_coupon_insert(st, w, &c, "X1", &ins, &err), ENC_OK);
    CHECK(!ins); /* the code is taken */
    char code[80];
    int64_t exp;
    bool found;
    CHECK_INT(enc_coupon_find(st, w, "m1", code, sizeof code, &exp, &found, &err), ENC_OK);
    CHECK(found);
    CHECK_STR(code, "X-1");
    CHECK_INT(exp, 1000);
    CHECK_INT(enc_coupon_find(st, NULL, "m9", code, sizeof code, &exp, &found, &err), ENC_OK);
    CHECK(!found);
    enc_camp_writer_free(w);

    /* redemption: orders 1 (too early), 2 (ok), 3 (again: the coupon is taken) */
    sql(st, "INSERT INTO orders(id, source, order_key, customer_id, ts, status, coupon) VALUES"
            " (1, 't', '1', 1, 50, 'paid', 'x-1'), (2, 't', '2', 1, 500, 'paid', 'x-1'),"
            " (3, 't', '3', 1, 600, 'paid', 'x-1'), (4, 't', '4', 1, 700, 'cancelled', 'x-1')");
    CHECK_INT(enc_orders_max_id(st), 4);
    redeem r = {0};
    CHECK_INT(enc_coupon_open_scan(st, open_row, &r, &err), ENC_OK);
    CHECK(r.open_id > 0);
    enc_coupon_redeem_ops ops = {match, check, &r};
    int64_t n;
    CHECK_INT(enc_coupon_redeem_orders(st, 0, 4, &ops, &n, &err), ENC_OK);
    CHECK_INT(n, 1);
    CHECK_INT(r.checks, 3); /* the cancelled order is not offered */
    CHECK_INT(scalar(st, "SELECT redeemed_order * 1000 + redeemed_at FROM coupons"), 2500);
    CHECK_INT(enc_camp_setting_get(st, "redeem_order_id", &v, &err), ENC_OK);
    CHECK_STR(v, "4");
    free(v);
    enc_store_close(st);
}

int main(void)
{
    RUN(claim_scan_learns_everything);
    RUN(inbox_rows);
    RUN(complements);
    RUN(campaign_tables);
    return TEST_SUMMARY();
}
