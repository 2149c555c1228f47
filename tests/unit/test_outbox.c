/* test_outbox.c — unit tests for the outbox and the dispatcher on a real store: idempotent
 * enqueue (also inside a caller's transaction), claims (due, priority, committed before the
 * send), every state transition of complete(), the recovery rules, suppression at claim,
 * channel pause and rate with an injected clock, retries to dead through the dispatcher, a
 * provider's Retry-After (the next try and the channel wait for it), the file channel's key
 * dedup and torn-line repair, and the inbox channel. */
#include "harness.h"
#include "store/store_int.h"
#include "store_fixture.h"
#include "delivery/channels/file.h"
#include "delivery/channels/inbox.h"
#include "delivery/dispatch.h"
#include "delivery/outbox.h"
#include <sqlite3.h>

static char *text(enc_store *st, const char *sql)
{
    static char out[512];
    sqlite3_stmt *s;
    out[0] = 0;
    if (sqlite3_prepare_v2(enc__store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

/* n messages on channel ch, keys "<prefix><i>", addresses "<addr_prefix><i>@x" */
static size_t put(enc_outbox *ob, const char *ch, const char *prefix, const char *addr, int n,
                  int prio, int64_t due, int64_t now)
{
    enc_msg_rec r[64];
    char keys[64][32], addrs[64][48];
    for (int i = 0; i < n; i++) {
        snprintf(keys[i], sizeof keys[i], "%s%d", prefix, i);
        snprintf(addrs[i], sizeof addrs[i], "%s%d@x", addr, i);
        r[i] = (enc_msg_rec){.campaign = "c",
                             .customer_id = i + 1,
                             .channel = ch,
                             .address = addrs[i],
                             .subject = "s",
                             .body_text = "t",
                             .idempotency_key = keys[i],
                             .priority = prio,
                             .due_at = due};
    }
    size_t added = 0;
    enc_err err = {0};
    if (enc_outbox_enqueue(ob, r, (size_t)n, now, &added, &err)) TH_FAIL("enqueue: %s", err.msg);
    return added;
}

static void enqueue_is_idempotent(void)
{
    enc_store *st = fresh("enq.db");
    enc_outbox *ob;
    enc_err err = {0};
    CHECK_INT(enc_outbox_open(st, &ob, &err), ENC_OK);
    CHECK_INT(put(ob, "sms", "k", "a", 3, 0, 0, 100), 3);
    CHECK_INT(put(ob, "sms", "k", "a", 4, 0, 0, 100), 1); /* k0..k2 there, k3 new */
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages"), 4);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages WHERE state = 'queued' AND"
                         " next_attempt_at = 100 AND due_at = 100"),
              4);
    /* inside the caller's transaction: rolled back with it */
    CHECK_INT(enc_store_begin(st, &err), ENC_OK);
    CHECK_INT(put(ob, "sms", "t", "a", 5, 0, 0, 100), 5);
    enc_store_rollback(st);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages"), 4);
    /* malformed input is refused whole */
    enc_msg_rec bad[2] = {{.channel = "sms", .address = "a", .idempotency_key = "ok"},
                          {.channel = "sms", .address = "a", .idempotency_key = NULL}};
    CHECK_INT(enc_outbox_enqueue(ob, bad, 2, 100, NULL, &err), ENC_EUSAGE);
    bad[1].idempotency_key = "x";
    bad[1].priority = 10;
    CHECK_INT(enc_outbox_enqueue(ob, bad, 2, 100, NULL, &err), ENC_EUSAGE);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages"), 4);
    /* ids reserved in a write transaction are the rows' ids; a known key leaves its id unused */
    int64_t next;
    CHECK_INT(enc_outbox_next_id(ob, &next, &err), ENC_EUSAGE); /* not outside one */
    CHECK_INT(enc_store_begin(st, &err), ENC_OK);
    CHECK_INT(enc_outbox_next_id(ob, &next, &err), ENC_OK);
    CHECK_INT(next, 5);
    enc_msg_rec two[2] = {
        {.channel = "sms", .address = "a", .idempotency_key = "k0", .id = next},
        {.channel = "sms", .address = "b", .idempotency_key = "n1", .id = next + 1}};
    size_t got;
    CHECK_INT(enc_outbox_enqueue(ob, two, 2, 100, &got, &err), ENC_OK);
    CHECK_INT(got, 1);
    CHECK_INT(enc_store_commit(st, &err), ENC_OK);
    CHECK_INT(scalar(st, "SELECT id FROM messages WHERE idempotency_key = 'n1'"), 6);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages WHERE id = 5"), 0);
    CHECK_INT(put(ob, "sms", "z", "a", 1, 0, 0, 100), 1); /* numbered by the store after it */
    CHECK_INT(scalar(st, "SELECT id FROM messages WHERE idempotency_key = 'z0'"), 7);
    enc_outbox_close(ob);
    enc_store_close(st);
}

static void claim_due_priority_committed(void)
{
    enc_store *st = fresh("claim.db");
    enc_outbox *ob;
    enc_err err = {0};
    enc_outbox_open(st, &ob, &err);
    put(ob, "sms", "low", "l", 5, 0, 0, 100);
    put(ob, "sms", "high", "h", 3, 9, 0, 100);
    put(ob, "sms", "later", "f", 4, 9, 500, 100); /* due at 500 */
    put(ob, "email", "other", "o", 2, 5, 0, 100);
    enc_msg_batch b = {0};
    CHECK_INT(enc_outbox_claim(ob, "sms", 200, 200, 4, &b, &err), ENC_OK);
    CHECK_INT(b.n, 4);
    for (size_t i = 0; i < 3 && i < b.n; i++)
        CHECK(strncmp(b.m[i].idempotency_key, "high", 4) == 0);
    if (b.n == 4) {
        CHECK_STR(b.m[3].idempotency_key, "low0");
        CHECK_INT(b.m[3].attempts, 1);
        CHECK_STR(b.m[3].channel, "sms");
        CHECK_INT(b.m[3].customer_id, 1);
    }
    /* committed: a second connection sees them in `sending` */
    sqlite3 *db2;
    char path[512];
    snprintf(path, sizeof path, "%s/claim.db", th_tmpdir());
    sqlite3_open(path, &db2);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db2,
                       "SELECT count(*) FROM messages WHERE state = 'sending' AND attempts = 1"
                       " AND claimed_at = 200",
                       -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 4);
    sqlite3_finalize(s);
    sqlite3_close(db2);
    /* the rest of what is due; the future ones stay */
    CHECK_INT(enc_outbox_claim(ob, "sms", 200, 200, 100, &b, &err), ENC_OK);
    CHECK_INT(b.n, 4);
    CHECK_INT(enc_outbox_claim(ob, "sms", 200, 200, 100, &b, &err), ENC_OK);
    CHECK_INT(b.n, 0);
    int64_t next;
    enc_outbox_next_due(ob, "sms", &next, &err);
    CHECK_INT(next, 500);
    CHECK_INT(enc_outbox_claim(ob, "sms", 600, 600, 100, &b, &err), ENC_OK);
    CHECK_INT(b.n, 4);
    enc_msg_batch_free(&b);
    enc_outbox_close(ob);
    enc_store_close(st);
}

static void complete_transitions(void)
{
    enc_store *st = fresh("complete.db");
    enc_outbox *ob;
    enc_err err = {0};
    enc_outbox_open(st, &ob, &err);
    put(ob, "email", "m", "a", 5, 0, 0, 100);
    enc_msg_batch b = {0};
    enc_outbox_claim(ob, "email", 100, 100, 5, &b, &err);
    CHECK_INT(b.n, 5);
    enc_send_result r[5] = {{0}};
    r[0].status = ENC_SEND_OK;
    snprintf(r[0].provider_ref, sizeof r[0].provider_ref, "ref-0");
    enc_result_err(&r[1], ENC_SEND_TEMP, "451 later");
    enc_result_err(&r[2], ENC_SEND_PERM, "550 5.1.1 no such user");
    r[2].suppress_reason = "hard_bounce";
    enc_result_err(&r[3], ENC_SEND_PERM, "400 bad");
    enc_result_err(&r[4], ENC_SEND_TEMP, "timeout");
    b.m[4].attempts = 3; /* its last try under max_attempts 3 */
    enc_retry_policy pol = {.base = 10, .cap = 100, .max_attempts = 3};
    enc_rng rng;
    enc_rng_seed(&rng, 1);
    CHECK_INT(enc_outbox_complete(ob, &b, r, 150, &pol, &rng, &err), ENC_OK);
    CHECK_STR(text(st, "SELECT state || ' ' || provider_ref || ' ' || sent_at FROM messages"
                       " WHERE idempotency_key = 'm0'"),
              "sent ref-0 150");
    CHECK_STR(
        text(st, "SELECT state || ' ' || last_error FROM messages WHERE idempotency_key = 'm1'"),
        "queued 451 later");
    int64_t na = scalar(st, "SELECT next_attempt_at FROM messages WHERE idempotency_key = 'm1'");
    CHECK(na >= 151 && na <= 160); /* attempt 1: within [1, base] */
    CHECK_STR(
        text(st, "SELECT state || ' ' || last_error FROM messages WHERE idempotency_key = 'm2'"),
        "failed 550 5.1.1 no such user");
    CHECK_INT(scalar(st, "SELECT count(*) FROM suppressions WHERE channel = 'email' AND"
                         " address = 'A2@X' AND reason = 'hard_bounce'"),
              1); /* case-insensitive */
    CHECK_STR(text(st, "SELECT state FROM messages WHERE idempotency_key = 'm3'"), "failed");
    CHECK_STR(
        text(st, "SELECT state || ' ' || last_error FROM messages WHERE idempotency_key = 'm4'"),
        "dead after 3 tries: timeout");
    /* a result for a message no longer in `sending` changes nothing */
    r[1].status = ENC_SEND_OK;
    CHECK_INT(enc_outbox_complete(ob, &b, r, 160, &pol, &rng, &err), ENC_OK);
    CHECK_STR(text(st, "SELECT state FROM messages WHERE idempotency_key = 'm1'"), "queued");
    /* the suppressed address is skipped at the next claim */
    enc_msg_rec again = {.channel = "email", .address = "a2@x", .idempotency_key = "m2-again"};
    enc_outbox_enqueue(ob, &again, 1, 200, NULL, &err);
    enc_msg_batch b2 = {0};
    enc_outbox_claim(ob, "email", 1000, 1000, 10, &b2, &err);
    CHECK_INT(b2.suppressed, 1);
    CHECK_INT(b2.n, 1); /* m1, due again */
    CHECK_STR(
        text(st,
             "SELECT state || ' ' || last_error FROM messages WHERE idempotency_key = 'm2-again'"),
        "suppressed suppressed: hard_bounce");
    /* "*" suppresses on every channel; retry brings messages back */
    enc_outbox_suppress(ob, "*", "z@x", "complaint", "test", 1000, &err);
    bool sup;
    enc_outbox_is_suppressed(ob, "sms", "Z@x", &sup, &err);
    CHECK(sup);
    enc_outbox_is_suppressed(ob, "sms", "y@x", &sup, &err);
    CHECK(!sup);
    int64_t n;
    CHECK_INT(enc_outbox_retry(ob, ENC_MSG_DEAD, NULL, 2000, &n, &err), ENC_OK);
    CHECK_INT(n, 1);
    CHECK_INT(scalar(st, "SELECT attempts FROM messages WHERE idempotency_key = 'm4'"), 0);
    CHECK_INT(enc_outbox_retry(ob, ENC_MSG_SENT, NULL, 2000, &n, &err), ENC_EUSAGE);
    CHECK_INT(enc_outbox_cancel(ob, "c", NULL, &n, &err), ENC_OK);
    CHECK_INT(n, 1); /* m4 (queued again) */
    enc_msg_batch_free(&b);
    enc_msg_batch_free(&b2);
    enc_outbox_close(ob);
    enc_store_close(st);
}

static enc_recover_rule rule_by_name(void *ctx, const char *ch)
{
    return strcmp(ch, "email") == 0 || strcmp(ch, "gone") == 0 ? ENC_RECOVER_RECONCILE
                                                               : ENC_RECOVER_RESEND;
}

static void recovery_rules(void)
{
    enc_store *st = fresh("recover.db");
    enc_outbox *ob;
    enc_err err = {0};
    enc_outbox_open(st, &ob, &err);
    put(ob, "hook", "h", "a", 3, 0, 0, 100);
    put(ob, "email", "e", "b", 2, 0, 0, 100);
    enc_msg_batch b = {0};
    enc_outbox_claim(ob, "hook", 100, 100, 3, &b, &err);
    enc_outbox_claim(ob, "email", 100, 100, 2, &b, &err);
    /* h2 has used its tries */
    sqlite3_exec(enc__store_db(st), "UPDATE messages SET attempts = 8 WHERE idempotency_key = 'h2'",
                 NULL, NULL, NULL);
    enc_recover_counts rc;
    CHECK_INT(enc_outbox_recover(ob, 300, rule_by_name, NULL, 8, &rc, &err), ENC_OK);
    CHECK_INT(rc.resend, 2);
    CHECK_INT(rc.reconcile, 2);
    CHECK_INT(rc.dead, 1);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages WHERE channel = 'hook' AND state = 'queued'"
                         " AND next_attempt_at = 300 AND attempts = 1"),
              2);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages WHERE channel = 'email' AND"
                         " state = 'reconcile'"),
              2);
    CHECK_STR(text(st, "SELECT state FROM messages WHERE idempotency_key = 'h2'"), "dead");
    /* the resent messages keep their keys: the claim hands back the same key */
    enc_outbox_claim(ob, "hook", 300, 300, 10, &b, &err);
    CHECK_INT(b.n, 2);
    CHECK_STR(b.m[0].idempotency_key, "h0");
    CHECK_INT(b.m[0].attempts, 2);
    /* nothing left in `sending` after recovery but what was claimed since */
    CHECK_INT(enc_outbox_recover(ob, 400, rule_by_name, NULL, 8, &rc, &err), ENC_OK);
    CHECK_INT(rc.resend, 2);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages WHERE state = 'sending'"), 0);
    enc_msg_batch_free(&b);
    enc_outbox_close(ob);
    enc_store_close(st);
}

/* ---- dispatcher with a fake adapter and a fake clock --------------------------------- */

typedef struct fake_clock {
    double t;
} fake_clock;
static double fk_now(void *c) { return ((fake_clock *)c)->t; }
static void fk_sleep(void *c, double s) { ((fake_clock *)c)->t += s; }

typedef struct fake_chan {
    int calls, sent_ok;
    char keys[512][32];
    int nkeys;
} fake_chan;
static fake_chan fake_state; /* the adapter's record, read by the tests */

static enc_rc fake_open(enc_adapter *ch, json_t *o, enc_outbox *ob, enc_err *err)
{
    ch->impl = &fake_state;
    return ENC_OK;
}
static void fake_send(enc_adapter *ch, const enc_msg *m, size_t n, enc_send_result *res,
                      int64_t now)
{
    fake_chan *f = ch->impl;
    memset(res, 0, n * sizeof *res);
    for (size_t i = 0; i < n; i++) {
        f->calls++;
        if (f->nkeys < 512) snprintf(f->keys[f->nkeys++], 32, "%s", m[i].idempotency_key);
        if (strncmp(m[i].address, "ra", 2) == 0) { /* "ra<N>": 429 with Retry-After: N */
            enc_result_err(&res[i], ENC_SEND_TEMP, "HTTP 429");
            res[i].retry_at = now + atoi(m[i].address + 2);
        } else if (strncmp(m[i].address, "temp", 4) == 0)
            enc_result_err(&res[i], ENC_SEND_TEMP, "busy");
        else if (strncmp(m[i].address, "perm", 4) == 0)
            enc_result_err(&res[i], ENC_SEND_PERM, "no");
        else {
            res[i].status = ENC_SEND_OK;
            f->sent_ok++;
        }
    }
}
static void fake_close(enc_adapter *ch) {}
static const enc_adapter_ops fake_ops = {
    .kind = "fake", .dedups = true, .open = fake_open, .send = fake_send, .close = fake_close};

/* A dispatcher on st with the fake channel ("fake", at rate per second; 0 = unlimited), the
 * fake clock clk and the retry policy, claiming batch messages a round. */
static enc_dispatch *fake_dispatcher(enc_store *st, fake_clock *clk, enc_retry_policy retry,
                                     size_t batch, double rate)
{
    enc_err err = {0};
    enc_dispatch_opts o = {.retry = retry,
                           .batch = batch,
                           .poll = 1,
                           .seed = 9,
                           .clock = {.now = fk_now, .sleep = fk_sleep, .ctx = clk}};
    enc_dispatch *d = NULL;
    CHECK_INT(enc_dispatch_new(st, &o, &d, &err), ENC_OK);
    json_t *opts = json_pack("{s:f}", "rate", rate);
    CHECK_INT(enc_dispatch_add(d, "fake", &fake_ops, opts, &err), ENC_OK);
    json_decref(opts);
    memset(&fake_state, 0, sizeof fake_state);
    return d;
}

static void dispatcher_rate_pause_retry(void)
{
    enc_store *st = fresh("dispatch.db");
    enc_err err = {0};
    fake_clock clk = {.t = 1000};
    enc_dispatch *d = fake_dispatcher(
        st, &clk, (enc_retry_policy){.base = 60, .cap = 3600, .max_attempts = 3}, 100, 5);
    enc_outbox *ob = enc_dispatch_outbox(d);
    for (int k = 0; k < 5; k++) {
        char pre[16];
        snprintf(pre, sizeof pre, "r%d-", k);
        put(ob, "fake", pre, "ok", 10, 0, 0, 1000);
    }
    /* paused: --once sends nothing and ends */
    enc_outbox_set_paused(ob, "fake", true, 1000, &err);
    CHECK_INT(enc_dispatch_run(d, true, &err), ENC_OK);
    CHECK_INT(fake_state.calls, 0);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages WHERE state = 'queued'"), 50);
    /* resumed: 50 messages at 5 a second take at least (50 - 5) / 5 = 9 s of the clock */
    enc_outbox_set_paused(ob, "fake", false, 1000, &err);
    double t0 = clk.t;
    CHECK_INT(enc_dispatch_run(d, true, &err), ENC_OK);
    CHECK_INT(fake_state.sent_ok, 50);
    CHECK(clk.t - t0 >= 9 - 1e-9);
    CHECK(clk.t - t0 <= 10.5);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages WHERE state = 'sent'"), 50);
    /* each key sent once */
    int dup = 0;
    for (int i = 0; i < fake_state.nkeys; i++)
        for (int j = i + 1; j < fake_state.nkeys; j++)
            dup += !strcmp(fake_state.keys[i], fake_state.keys[j]);
    CHECK_INT(dup, 0);
    /* a rate stored in channel_state overrides the configured one */
    enc_outbox_set_rate(ob, "fake", 1000, clk.t, &err);
    put(ob, "fake", "fast-", "ok", 40, 0, 0, (int64_t)clk.t);
    t0 = clk.t;
    CHECK_INT(enc_dispatch_run(d, true, &err), ENC_OK);
    CHECK(clk.t - t0 < 0.5);
    CHECK_INT(fake_state.sent_ok, 90);
    /* temporary failures: retried with backoff, dead after 3 tries; permanent: failed */
    fake_state.calls = 0;
    enc_msg_rec t = {.channel = "fake", .address = "temp@x", .idempotency_key = "t1"};
    enc_msg_rec p = {.channel = "fake", .address = "perm@x", .idempotency_key = "p1"};
    enc_outbox_enqueue(ob, &t, 1, (int64_t)clk.t, NULL, &err);
    enc_outbox_enqueue(ob, &p, 1, (int64_t)clk.t, NULL, &err);
    for (int round = 0; round < 10; round++) {
        bool worked, pending;
        double wait;
        CHECK_INT(enc_dispatch_round(d, (int64_t)clk.t, &worked, &pending, &wait, &err), ENC_OK);
        clk.t += 3600; /* past any backoff (cap 3600) */
    }
    CHECK_INT(fake_state.calls, 4); /* t1 three times, p1 once */
    CHECK_STR(text(st, "SELECT state || ' ' || attempts || ' ' || last_error FROM messages"
                       " WHERE idempotency_key = 't1'"),
              "dead 3 after 3 tries: busy");
    CHECK_STR(
        text(st, "SELECT state || ' ' || attempts FROM messages WHERE idempotency_key = 'p1'"),
        "failed 1");
    const enc_dispatch_stats *s = enc_dispatch_stats_get(d);
    CHECK_INT(s->dead, 1);
    CHECK_INT(s->retried, 2);
    CHECK_INT(s->failed, 1);
    enc_dispatch_free(d);
    enc_store_close(st);
}

/* A provider's Retry-After: the message's next try is no earlier than it asked (the backoff
 * takes the later of the two), and the channel's other messages wait with it. */
static void dispatcher_retry_after(void)
{
    enc_store *st = fresh("retry_after.db");
    enc_err err = {0};
    fake_clock clk = {.t = 5000};
    enc_dispatch *d = fake_dispatcher(
        st, &clk, (enc_retry_policy){.base = 20, .cap = 3600, .max_attempts = 5}, 1, 0);
    enc_outbox *ob = enc_dispatch_outbox(d);
    /* priority 9 goes first: the 429 comes back before the other message is claimed */
    enc_msg_rec ra = {
        .channel = "fake", .address = "ra900", .idempotency_key = "ra", .priority = 9};
    enc_msg_rec ok = {.channel = "fake", .address = "ok", .idempotency_key = "ok"};
    enc_outbox_enqueue(ob, &ra, 1, 5000, NULL, &err);
    enc_outbox_enqueue(ob, &ok, 1, 5000, NULL, &err);
    bool worked, pending;
    double wait;
    CHECK_INT(enc_dispatch_round(d, 5000, &worked, &pending, &wait, &err), ENC_OK);
    CHECK_INT(fake_state.calls, 1);
    /* backoff alone would be at most 20 s (attempt 1, base 20): Retry-After's 900 s wins */
    CHECK_INT(scalar(st, "SELECT next_attempt_at FROM messages WHERE idempotency_key = 'ra'"),
              5900);
    CHECK_STR(
        text(st, "SELECT state || ' ' || last_error FROM messages WHERE idempotency_key = 'ra'"),
        "queued HTTP 429");
    /* the channel is held: the other due message is not claimed, and --once does not wait */
    clk.t = 5100;
    CHECK_INT(enc_dispatch_run(d, true, &err), ENC_OK);
    CHECK_INT(fake_state.calls, 1);
    CHECK(clk.t < 5101);
    CHECK_STR(text(st, "SELECT state FROM messages WHERE idempotency_key = 'ok'"), "queued");
    /* at the time asked for, both go */
    clk.t = 5900;
    fake_state.calls = 0;
    enc_store_begin(st, &err);
    sqlite3_exec(enc__store_db(st),
                 "UPDATE messages SET address = 'ok2' WHERE idempotency_key = 'ra'", NULL, NULL,
                 NULL);
    enc_store_commit(st, &err);
    CHECK_INT(enc_dispatch_run(d, true, &err), ENC_OK);
    CHECK_INT(fake_state.calls, 2);
    CHECK_INT(scalar(st, "SELECT count(*) FROM messages WHERE state = 'sent'"), 2);
    /* a Retry-After earlier than the backoff changes nothing: the backoff is kept */
    enc_msg_rec ra0 = {.channel = "fake", .address = "ra0", .idempotency_key = "ra0"};
    enc_outbox_enqueue(ob, &ra0, 1, 6000, NULL, &err);
    clk.t = 6000;
    CHECK_INT(enc_dispatch_round(d, 6000, &worked, &pending, &wait, &err), ENC_OK);
    int64_t na = scalar(st, "SELECT next_attempt_at FROM messages WHERE idempotency_key = 'ra0'");
    CHECK(na >= 6001 && na <= 6020);
    enc_dispatch_free(d);
    enc_store_close(st);
}

static void dispatcher_lock_and_recovery(void)
{
    enc_store *st = fresh("lock.db");
    enc_err err = {0};
    char lock[512];
    snprintf(lock, sizeof lock, "%s/lock.db.dispatch-lock", th_tmpdir());
    fake_clock clk = {.t = 5000};
    enc_dispatch_opts o = {.batch = 10,
                           .poll = 1,
                           .seed = 3,
                           .lock_path = lock,
                           .clock = {.now = fk_now, .sleep = fk_sleep, .ctx = &clk}};
    enc_dispatch *d, *d2;
    CHECK_INT(enc_dispatch_new(st, &o, &d, &err), ENC_OK);
    CHECK_INT(enc_dispatch_new(st, &o, &d2, &err), ENC_EFAIL); /* one at a time */
    CHECK(strstr(err.msg, "another dispatcher") != NULL);
    enc_outbox *ob = enc_dispatch_outbox(d);
    put(ob, "fake", "x", "ok", 3, 0, 0, 5000);
    put(ob, "nowhere", "y", "ok", 2, 0, 0, 5000);
    enc_msg_batch b = {0};
    enc_outbox_claim(ob, "fake", 5000, 5000, 10, &b, &err);
    enc_outbox_claim(ob, "nowhere", 5000, 5000, 10, &b, &err);
    enc_msg_batch_free(&b);
    enc_dispatch_free(d);
    /* a new dispatcher: fake dedups -> re-sent; "nowhere" is not configured -> reconcile */
    CHECK_INT(enc_dispatch_new(st, &o, &d, &err), ENC_OK);
    enc_dispatch_add(d, "fake", &fake_ops, NULL, &err);
    int before = fake_state.sent_ok;
    CHECK_INT(enc_dispatch_run(d, true, &err), ENC_OK);
    const enc_dispatch_stats *s = enc_dispatch_stats_get(d);
    CHECK_INT(s->recovered_resend, 3);
    CHECK_INT(s->recovered_reconcile, 2);
    CHECK_INT(fake_state.sent_ok - before, 3);
    CHECK_INT(
        scalar(st,
               "SELECT count(*) FROM messages WHERE channel = 'nowhere' AND state = 'reconcile'"),
        2);
    enc_dispatch_free(d);
    enc_store_close(st);
}

static size_t lines_of(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;
    while (f && (c = fgetc(f)) != EOF) n += c == '\n';
    if (f) fclose(f);
    return n;
}

static void file_channel_dedup_and_torn_line(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/out.jsonl", th_tmpdir());
    unlink(path);
    enc_adapter ch = {.ops = &enc_file_ops, .name = "export"};
    json_t *o = json_pack("{s:s}", "path", path);
    enc_err err = {0};
    CHECK_INT(enc_file_ops.open(&ch, o, NULL, &err), ENC_OK);
    enc_msg m[3] = {
        {.id = 1,
         .channel = "export",
         .address = "a@x",
         .idempotency_key = "k1",
         .subject = "你好",
         .payload = "{\"coupon\":\"SAVE10\"}"},
        {.id = 2, .channel = "export", .address = "b@x", .idempotency_key = "k2"},
        {.id = 3, .channel = "export", .address = "c@x", .idempotency_key = "k1"}, /* same key */
    };
    enc_send_result r[3];
    enc_file_ops.send(&ch, m, 3, r, 77);
    for (int i = 0; i < 3; i++) CHECK_INT(r[i].status, ENC_SEND_OK);
    CHECK_STR(r[2].provider_ref, "file:duplicate");
    CHECK_INT(lines_of(path), 2);
    enc_file_ops.close(&ch);
    /* a crash in the middle of a line: the torn tail is cut at the next open, and keys
     * already written are not written again */
    FILE *f = fopen(path, "a");
    fputs("{\"idempotency_key\":\"k3\",\"to\":", f);
    fclose(f);
    CHECK_INT(enc_file_ops.open(&ch, o, NULL, &err), ENC_OK);
    enc_msg m2[2] = {{.id = 1, .channel = "export", .address = "a@x", .idempotency_key = "k1"},
                     {.id = 4, .channel = "export", .address = "d@x", .idempotency_key = "k3"}};
    enc_file_ops.send(&ch, m2, 2, r, 78);
    CHECK_STR(r[0].provider_ref, "file:duplicate");
    CHECK_INT(r[1].status, ENC_SEND_OK);
    enc_file_ops.close(&ch);
    CHECK_INT(lines_of(path), 3);
    /* every line is a JSON object with the fields */
    f = fopen(path, "r");
    char line[2048];
    int good = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        good += j && json_is_string(json_object_get(j, "idempotency_key")) &&
                json_is_string(json_object_get(j, "to"));
        if (j && strcmp(json_string_value(json_object_get(j, "idempotency_key")), "k1") == 0) {
            CHECK_STR(json_string_value(json_object_get(j, "subject")), "你好");
            CHECK_STR(json_string_value(json_object_get(json_object_get(j, "payload"), "coupon")),
                      "SAVE10");
        }
        json_decref(j);
    }
    fclose(f);
    CHECK_INT(good, 3);
    json_decref(o);
    /* a path that cannot be opened */
    o = json_pack("{s:s}", "path", "/nonexistent-dir/x.jsonl");
    CHECK_INT(enc_file_ops.open(&ch, o, NULL, &err), ENC_EIO);
    json_decref(o);
}

static void inbox_channel(void)
{
    enc_store *st = fresh("inbox.db");
    enc_outbox *ob;
    enc_err err = {0};
    enc_outbox_open(st, &ob, &err);
    enc_adapter ch = {.ops = &enc_inbox_ops, .name = "inbox"};
    CHECK_INT(enc_inbox_ops.open(&ch, NULL, ob, &err), ENC_OK);
    enc_msg m[3] = {
        {.id = 1,
         .customer_id = 7,
         .channel = "inbox",
         .address = "7",
         .idempotency_key = "i1",
         .subject = "Coupon",
         .body_text = "10% off"},
        {.id = 2, .customer_id = 7, .channel = "inbox", .address = "7", .idempotency_key = "i1"},
        {.id = 3, .customer_id = 0, .channel = "inbox", .address = "?", .idempotency_key = "i3"},
    };
    enc_send_result r[3];
    enc_inbox_ops.send(&ch, m, 3, r, 500);
    CHECK_INT(r[0].status, ENC_SEND_OK);
    CHECK_STR(r[0].provider_ref, "inbox:new");
    CHECK_STR(r[1].provider_ref, "inbox:duplicate");
    CHECK_INT(r[2].status, ENC_SEND_PERM);
    CHECK_INT(scalar(st, "SELECT count(*) FROM inbox"), 1);
    CHECK_STR(text(st, "SELECT title || '|' || body || '|' || customer_id FROM inbox"),
              "Coupon|10% off|7");
    enc_inbox_ops.close(&ch);
    bool out;
    CHECK_INT(enc_outbox_sms_reply(ob, "sms", "+8613800000000", " 退订 ", 1, &out, &err), ENC_OK);
    CHECK(out);
    CHECK_INT(enc_outbox_sms_reply(ob, "sms", "+8613800000001", "thanks!", 1, &out, &err), ENC_OK);
    CHECK(!out);
    CHECK_INT(scalar(st, "SELECT count(*) FROM suppressions WHERE reason = 'optout_reply'"), 1);
    /* replies as typed: normalised with the importer's phone rules, refused when no number */
    int64_t nc = -1;
    char e164[32];
    CHECK_INT(enc_outbox_reply(ob, "sms", "not a phone", "1", "STOP", 2, &out, &nc, e164, &err),
              ENC_EUSAGE);
    CHECK(strstr(err.msg, "not a phone number") != NULL);
    CHECK_INT(enc_outbox_reply(ob, "sms", "(718) 663-9740", NULL, "STOP", 2, &out, &nc, e164, &err),
              ENC_EUSAGE); /* a national number needs a country code */
    CHECK_INT(enc_outbox_reply(ob, "sms", "(718) 663-9740", "1", "stop!", 2, &out, &nc, e164, &err),
              ENC_OK);
    CHECK(out);
    CHECK_STR(e164, "+17186639740");
    CHECK_INT(nc, 0); /* no customer owns it here */
    CHECK_INT(scalar(st, "SELECT count(*) FROM suppressions WHERE address = '+17186639740'"), 1);
    CHECK_INT(enc_outbox_reply(ob, "sms", "+1 718 663 9740", "1", "ok", 2, &out, &nc, e164, &err),
              ENC_OK);
    CHECK(!out);
    enc_outbox_close(ob);
    enc_store_close(st);
}

static void state_names(void)
{
    for (int i = 0; i < ENC_MSG_NSTATES; i++)
        CHECK_INT(enc_msg_state_parse(enc_msg_state_name((enc_msg_state)i)), i);
    CHECK_INT(enc_msg_state_parse("lost"), -1);
}

int main(void)
{
    RUN(state_names);
    RUN(enqueue_is_idempotent);
    RUN(claim_due_priority_committed);
    RUN(complete_transitions);
    RUN(recovery_rules);
    RUN(dispatcher_rate_pause_retry);
    RUN(dispatcher_retry_after);
    RUN(dispatcher_lock_and_recovery);
    RUN(file_channel_dedup_and_torn_line);
    RUN(inbox_channel);
    return TEST_SUMMARY();
}
