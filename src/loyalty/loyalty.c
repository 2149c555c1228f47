/* loyalty.c — the member operations and nightly jobs of loyalty.h over the store's ledger. The
 * shape of every write: begin; answer a replayed idempotency key; enrol the member if new; expire
 * the member's due lots; check (balance, order, reward); write entries, lots and moves; commit.
 * Any failure rolls everything back: nothing is half written. */
#include "loyalty/loyalty.h"
#include "base/mem.h"
#include <math.h>
#include "store/store_loyalty.h"
#include "loyalty/reward_coupon.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enc_rc enc_loyalty_programme(enc_store *st, enc_programme *p, enc_err *err)
{
    char *text;
    if (enc_store_prog_get(st, &text, err)) return err->rc;
    if (!text)
        return enc_fail(err, ENC_ENOTFOUND,
                        "no loyalty programme saved (encore loyalty programme FILE)");
    enc_err_clear(err);
    enc_rc rc = enc_prog_parse(text, strlen(text), "saved programme", p, err);
    free(text);
    return rc;
}

enc_rc enc_loyalty_programme_save(enc_store *st, const char *text, size_t n, const char *what,
                                  int64_t now, enc_err *err)
{
    enc_programme p;
    enc_err_clear(err);
    if (memchr(text, 0, n)) return enc_fail(err, ENC_EPARSE, "%s: holds a NUL byte", what);
    if (enc_prog_parse(text, n, what, &p, err)) return err->rc;
    enc_prog_free(&p);
    char *copy = enc_xmalloc(n + 1);
    memcpy(copy, text, n);
    copy[n] = 0;
    enc_rc rc = enc_store_prog_put(st, copy, now, err);
    free(copy);
    return rc;
}

/* ---- the frame of one operation ----------------------------------------------------------- */

typedef struct op {
    enc_store *st;
    const enc_programme *p;
    int64_t cust, now;
    enc_member m;
    enc_err *err;
} op;

static int tier_of(const enc_programme *p, const char *name)
{
    int i = enc_prog_tier_index(p, name);
    return i < 0 ? 0 : i;
}

/* starts the transaction, enrols the member when new (lowest tier), expires its due lots */
static enc_rc op_begin(op *o)
{
    enc_err_clear(o->err);
    if (enc_store_begin(o->st, o->err)) return o->err->rc;
    bool found;
    if (enc_store_member_get(o->st, o->cust, &o->m, &found, o->err)) return o->err->rc;
    if (!found) { /* a tier imported from the shop's previous system is kept */
        char had[48];
        if (enc_store_customer_tier(o->st, o->cust, had, sizeof had, o->err)) return o->err->rc;
        int t = enc_prog_tier_index(o->p, had);
        snprintf(o->m.tier, sizeof o->m.tier, "%s", o->p->tiers[t < 0 ? 0 : t].name);
        o->m.tier_since = o->m.joined_at = o->now;
        if (enc_store_member_put(o->st, &o->m, o->err) ||
            enc_store_tier_history_add(o->st, o->cust, o->now, NULL, o->m.tier,
                                       t > 0 ? "joined (imported tier)" : "joined", o->err))
            return o->err->rc;
    }
    int64_t nl, np;
    return enc_store_lots_expire(o->st, o->cust, o->now, &nl, &np, o->err);
}

static enc_rc op_end(op *o, enc_rc rc, enc_points_result *r)
{
    if (!rc && r) {
        rc = enc_store_points_sum(o->st, o->cust, &r->balance, o->err);
        snprintf(r->tier, sizeof r->tier, "%s", o->m.tier);
    }
    if (!rc) rc = enc_store_commit(o->st, o->err);
    if (rc) enc_store_rollback(o->st);
    return rc;
}

/* An idempotency key seen before: the same request replays (*done), another is refused. */
static enc_rc op_key(op *o, const char *key, const char *request, enc_points_result *r, bool *done)
{
    *done = false;
    if (!key) return ENC_OK;
    enc_pentry e;
    bool found;
    if (enc_store_pentry_by_key(o->st, key, &e, &found, o->err)) return o->err->rc;
    if (!found) return ENC_OK;
    bool same = e.customer == o->cust && e.request && strcmp(e.request, request) == 0;
    if (same) {
        r->entry_id = e.id;
        r->points = e.points;
        r->replayed = true;
        *done = true;
    }
    enc_pentry_free(&e);
    if (!same)
        return enc_fail(o->err, ENC_EFAIL,
                        "idempotency key '%s' was already used for another request", key);
    return ENC_OK;
}

/* a credit: one entry and its lot, which first pays off a debt lot */
static enc_rc credit(op *o, enc_pentry_rec *rec, int64_t earned_at, int64_t *entry_id)
{
    if (enc_store_pentry_add(o->st, rec, o->now, entry_id, o->err)) return o->err->rc;
    if (rec->points <= 0) return ENC_OK;
    enc_lot *lots;
    size_t n;
    if (enc_store_lots_open(o->st, o->cust, &lots, &n, o->err)) return o->err->rc;
    int64_t left = rec->points;
    enc_rc rc = ENC_OK;
    for (size_t i = 0; i < n && left > 0 && !rc; i++) {
        if (lots[i].remaining >= 0) continue;
        int64_t pay = -lots[i].remaining < left ? -lots[i].remaining : left;
        rc = enc_store_lot_move(o->st, *entry_id, lots[i].id, -pay, o->err);
        left -= pay;
    }
    free(lots);
    if (rc) return rc;
    enc_lot l = {.entry_id = *entry_id,
                 .earned_at = earned_at,
                 .expires_at = enc_ledger_expires_at(o->p, earned_at),
                 .points = rec->points,
                 .remaining = left};
    int64_t lot_id;
    return enc_store_lot_add(o->st, o->cust, &l, &lot_id, o->err);
}

/* a debit of want points from the lots (first: a lot to take from before the oldest);
 * with debt_ok the shortfall goes to the debt lot, else *short gets it */
static enc_rc debit(op *o, int64_t entry_id, int64_t first, int64_t want, bool debt_ok,
                    int64_t *taken, int64_t *shortfall)
{
    enc_lot *lots;
    size_t n;
    if (enc_store_lots_open(o->st, o->cust, &lots, &n, o->err)) return o->err->rc;
    int64_t *take = enc_xcalloc(n ? n : 1, sizeof *take);
    *taken = enc_ledger_take(lots, n, first, want, take);
    *shortfall = want - *taken;
    enc_rc rc = ENC_OK;
    int64_t debt_lot = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (take[i]) rc = enc_store_lot_move(o->st, entry_id, lots[i].id, take[i], o->err);
        if (lots[i].remaining < 0) debt_lot = lots[i].id;
    }
    if (!rc && *shortfall && debt_ok) {
        if (!debt_lot) {
            enc_lot d = {.entry_id = entry_id, .earned_at = o->now};
            rc = enc_store_lot_add(o->st, o->cust, &d, &debt_lot, o->err);
        }
        if (!rc) rc = enc_store_lot_move(o->st, entry_id, debt_lot, *shortfall, o->err);
        if (!rc) {
            *taken += *shortfall;
            *shortfall = 0;
        }
    }
    free(take);
    free(lots);
    return rc;
}

/* upgrades the member at once when the metric at `at` qualifies for a higher tier */
static enc_rc upgrade_check(op *o, int64_t at, bool *upgraded)
{
    int64_t metric;
    int64_t from = enc_ledger_add_months(at, -o->p->window_months);
    if (enc_store_member_metric(o->st, o->cust, (int)o->p->qual, from, at, &metric, o->err))
        return o->err->rc;
    size_t q = enc_prog_tier_for(o->p, metric);
    int cur = tier_of(o->p, o->m.tier);
    if ((int)q <= cur) return ENC_OK;
    char old[48];
    snprintf(old, sizeof old, "%s", o->m.tier);
    snprintf(o->m.tier, sizeof o->m.tier, "%s", o->p->tiers[q].name);
    o->m.tier_since = at;
    o->m.drop_at = 0;
    *upgraded = true;
    if (enc_store_member_put(o->st, &o->m, o->err)) return o->err->rc;
    return enc_store_tier_history_add(o->st, o->cust, at, old, o->m.tier, "upgrade", o->err);
}

/* the order, checked to be the customer's, after op_begin */
static enc_rc order_of(op *o, const char *order_key, enc_porder *ord)
{
    if (enc_store_porder_get(o->st, order_key, ord, o->err)) return o->err->rc;
    int64_t owner = 0;
    if (ord->customer && enc_store_customer_survivor(o->st, ord->customer, &owner, o->err))
        return o->err->rc;
    if (owner != o->cust)
        return enc_fail(o->err, ENC_EFAIL, "order '%s' is not this customer's", order_key);
    return ENC_OK;
}

static enc_rc op_begin_order(op *o, const char *order_key, enc_porder *ord)
{
    enc_rc rc = op_begin(o);
    return rc ? rc : order_of(o, order_key, ord);
}

enc_rc enc_loyalty_earn_order(enc_store *st, const enc_programme *p, int64_t cust,
                              const char *order_key, int64_t now, enc_points_result *r,
                              enc_err *err)
{
    memset(r, 0, sizeof *r);
    enc_porder ord = {0};
    op o = {st, p, cust, now, {0}, err};
    enc_rc rc = op_begin_order(&o, order_key, &ord);
    enc_pentry prev;
    bool found = false;
    if (!rc) rc = enc_store_pentry_of_order(st, ord.id, "earn", &prev, &found, err);
    if (!rc && found) { /* an order earns once: this is a replay */
        r->entry_id = prev.id;
        r->points = prev.points;
        r->replayed = true;
        enc_pentry_free(&prev);
    } else if (!rc && strcmp(ord.status, "paid") != 0) {
        rc = enc_fail(err, ENC_EFAIL, "order '%s' is %s: only a paid order earns points", order_key,
                      ord.status);
    } else if (!rc) {
        int64_t day0 = ord.ts - ((ord.ts % 86400) + 86400) % 86400, today = 0;
        bool had_order = false;
        rc = enc_store_points_earned(st, cust, day0, day0 + 86400, &today, err);
        if (!rc) rc = enc_store_points_has(st, cust, "earn", NULL, &had_order, err);
        if (!rc) {
            int64_t pts = enc_ledger_order_points(p, ord.lines, ord.nlines, ord.total, ord.discount,
                                                  ord.ts, p->tiers[tier_of(p, o.m.tier)].mult100);
            pts = enc_ledger_capped(p, pts, today);
            enc_pentry_rec rec = {.customer = cust,
                                  .ts = ord.ts,
                                  .points = pts,
                                  .order_id = ord.id,
                                  .kind = "earn",
                                  .reason = "order"};
            rc = credit(&o, &rec, ord.ts, &r->entry_id);
            r->points = pts;
        }
        if (!rc && !had_order && p->bonus_first_order > 0) {
            enc_pentry_rec b = {.customer = cust,
                                .ts = ord.ts,
                                .points = p->bonus_first_order,
                                .order_id = ord.id,
                                .kind = "bonus",
                                .reason = "first_order"};
            int64_t id;
            rc = credit(&o, &b, ord.ts, &id);
            r->bonus = p->bonus_first_order;
        }
        if (!rc) rc = upgrade_check(&o, ord.ts, &r->upgraded);
    }
    enc_store_porder_free(&ord);
    return op_end(&o, rc, r);
}

enc_rc enc_loyalty_return_order(enc_store *st, const enc_programme *p, int64_t cust,
                                const char *order_key, int64_t now, enc_points_result *r,
                                enc_err *err)
{
    memset(r, 0, sizeof *r);
    enc_porder ord = {0};
    op o = {st, p, cust, now, {0}, err};
    enc_rc rc = op_begin_order(&o, order_key, &ord);
    enc_pentry earn = {0}, bonus = {0}, ret = {0};
    bool has_earn = false, has_bonus = false, has_ret = false;
    if (!rc) rc = enc_store_pentry_of_order(st, ord.id, "return", &ret, &has_ret, err);
    if (!rc) rc = enc_store_pentry_of_order(st, ord.id, "earn", &earn, &has_earn, err);
    if (!rc) rc = enc_store_pentry_of_order(st, ord.id, "bonus", &bonus, &has_bonus, err);
    if (!rc && has_ret) {
        r->entry_id = ret.id;
        r->points = ret.points;
        r->replayed = true;
    } else if (!rc && (!has_earn || earn.points + (has_bonus ? bonus.points : 0) <= 0)) {
        rc = enc_fail(err, ENC_EFAIL, "order '%s' earned no points: there is nothing to reverse",
                      order_key);
    } else if (!rc) {
        int64_t want = earn.points + (has_bonus ? bonus.points : 0);
        enc_lot *lots;
        size_t n;
        int64_t first = 0;
        rc = enc_store_lots_open(st, cust, &lots, &n, err);
        for (size_t i = 0; !rc && i < n; i++)
            if (lots[i].entry_id == earn.id) first = lots[i].id;
        if (!rc) free(lots);
        enc_pentry_rec rec = {.customer = cust,
                              .ts = now,
                              .points = 0,
                              .order_id = ord.id,
                              .ref_id = 0,
                              .kind = "return",
                              .reason = "order returned"};
        int64_t id = 0, taken = 0;
        if (!rc) rc = enc_store_pentry_add(st, &rec, now, &id, err);
        if (!rc) rc = debit(&o, id, first, want, p->allow_negative, &taken, &r->shortfall);
        if (!rc) rc = enc_store_pentry_set_points(st, id, -taken, err);
        r->entry_id = id;
        r->points = -taken;
    }
    enc_pentry_free(&earn);
    enc_pentry_free(&bonus);
    enc_pentry_free(&ret);
    enc_store_porder_free(&ord);
    return op_end(&o, rc, r);
}

enc_rc enc_loyalty_bonus(enc_store *st, const enc_programme *p, int64_t cust, const char *which,
                         const char *key, const char *actor, int64_t now, enc_points_result *r,
                         enc_err *err)
{
    memset(r, 0, sizeof *r);
    int64_t pts = -1;
    if (strcmp(which, "signup") == 0) pts = p->bonus_signup;
    else if (strcmp(which, "birthday") == 0) pts = p->bonus_birthday;
    else if (strcmp(which, "review") == 0) pts = p->bonus_review;
    else if (strcmp(which, "nps") == 0) pts = p->bonus_nps;
    if (pts < 0)
        return enc_fail(err, ENC_EUSAGE, "bonus '%s': must be signup, birthday, review or nps",
                        which);
    if (!key) return enc_fail(err, ENC_EUSAGE, "a bonus needs an idempotency key");
    char req[128];
    snprintf(req, sizeof req, "bonus|%s", which);
    op o = {st, p, cust, now, {0}, err};
    bool done, had = false;
    enc_rc rc = op_begin(&o);
    if (!rc) rc = op_key(&o, key, req, r, &done);
    if (!rc && !done) {
        if (strcmp(which, "birthday") == 0) pts += p->tiers[tier_of(p, o.m.tier)].birthday_points;
        if (strcmp(which, "signup") == 0)
            rc = enc_store_points_has(st, cust, "bonus", "signup", &had, err);
        if (!rc && had) rc = enc_fail(err, ENC_EFAIL, "the sign-up bonus was already given");
        if (!rc && pts == 0)
            rc = enc_fail(err, ENC_EFAIL, "the programme gives no %s bonus", which);
        enc_pentry_rec rec = {.customer = cust,
                              .ts = now,
                              .points = pts,
                              .kind = "bonus",
                              .reason = which,
                              .actor = actor,
                              .idem_key = key,
                              .request = req};
        if (!rc) rc = credit(&o, &rec, now, &r->entry_id);
        r->points = pts;
    }
    return op_end(&o, rc, r);
}

enc_rc enc_loyalty_adjust(enc_store *st, const enc_programme *p, int64_t cust, int64_t delta,
                          const char *reason, const char *actor, const char *key, int64_t now,
                          enc_points_result *r, enc_err *err)
{
    memset(r, 0, sizeof *r);
    if (!delta) return enc_fail(err, ENC_EUSAGE, "an adjustment of 0 points changes nothing");
    if (!reason || !*reason) return enc_fail(err, ENC_EUSAGE, "an adjustment needs a reason");
    if (strlen(reason) > 500) return enc_fail(err, ENC_EUSAGE, "a reason is at most 500 bytes");
    if (!key) return enc_fail(err, ENC_EUSAGE, "an adjustment needs an idempotency key");
    if (delta > (INT64_C(1) << 40) || delta < -(INT64_C(1) << 40))
        return enc_fail(err, ENC_EUSAGE, "an adjustment is at most 2^40 points");
    char req[600];
    snprintf(req, sizeof req, "adjust|%lld|%.500s", (long long)delta, reason);
    op o = {st, p, cust, now, {0}, err};
    bool done;
    enc_rc rc = op_begin(&o);
    if (!rc) rc = op_key(&o, key, req, r, &done);
    if (!rc && !done) {
        enc_pentry_rec rec = {.customer = cust,
                              .ts = now,
                              .points = delta,
                              .kind = "adjust",
                              .reason = reason,
                              .actor = actor,
                              .idem_key = key,
                              .request = req};
        int64_t bal = 0;
        if (delta > 0) {
            rc = credit(&o, &rec, now, &r->entry_id);
        } else {
            rc = enc_store_points_sum(st, cust, &bal, err);
            if (!rc && -delta > bal)
                rc = enc_fail(err, ENC_EFAIL,
                              "an adjustment of %lld points is over the balance of %lld",
                              (long long)delta, (long long)bal);
            int64_t taken, sh;
            if (!rc) rc = enc_store_pentry_add(st, &rec, now, &r->entry_id, err);
            if (!rc) rc = debit(&o, r->entry_id, 0, -delta, false, &taken, &sh);
            if (!rc && sh) rc = enc_fail(err, ENC_EFAIL, "lots and balance disagree");
        }
        r->points = delta;
    }
    return op_end(&o, rc, r);
}

/* The coupon of a coupon reward redeemed by entry (issued once, found again on a replay). */
static enc_rc reward_coupon(op *o, const enc_prog_reward *w, int64_t entry, enc_points_result *r)
{
    if (!w || strcmp(w->kind, "coupon") != 0) return ENC_OK;
    return enc__ly_coupon(o->st, o->cust, entry, w->value, o->now, r->coupon, sizeof r->coupon,
                          o->err);
}

enc_rc enc_loyalty_redeem(enc_store *st, const enc_programme *p, int64_t cust, const char *reward,
                          int64_t points, const char *actor, const char *key, int64_t now,
                          enc_points_result *r, enc_err *err)
{
    memset(r, 0, sizeof *r);
    if (!key) return enc_fail(err, ENC_EUSAGE, "a redemption needs an idempotency key");
    const enc_prog_reward *w = NULL;
    if (reward) {
        w = enc_prog_reward_find(p, reward);
        if (!w) return enc_fail(err, ENC_EUSAGE, "no reward '%s' in the catalogue", reward);
        points = w->points;
    }
    if (points <= 0 || points > (INT64_C(1) << 40))
        return enc_fail(err, ENC_EUSAGE, "a redemption takes 1 to 2^40 points");
    char req[128];
    snprintf(req, sizeof req, "redeem|%s|%lld", w ? w->id : "", (long long)points);
    op o = {st, p, cust, now, {0}, err};
    bool done;
    enc_rc rc = op_begin(&o);
    if (!rc) rc = op_key(&o, key, req, r, &done);
    if (!rc && !done) {
        int64_t bal = 0, taken, sh;
        rc = enc_store_points_sum(st, cust, &bal, err);
        if (!rc && points > bal)
            rc = enc_fail(err, ENC_EFAIL, "redeeming %lld points is over the balance of %lld",
                          (long long)points, (long long)bal);
        char why[128];
        snprintf(why, sizeof why, "%s%s", w ? "reward " : "points", w ? w->id : "");
        enc_pentry_rec rec = {.customer = cust,
                              .ts = now,
                              .points = -points,
                              .kind = "redeem",
                              .reason = why,
                              .actor = actor,
                              .idem_key = key,
                              .request = req};
        if (!rc) rc = enc_store_pentry_add(st, &rec, now, &r->entry_id, err);
        if (!rc) rc = debit(&o, r->entry_id, 0, points, false, &taken, &sh);
        if (!rc && sh) rc = enc_fail(err, ENC_EFAIL, "lots and balance disagree");
        r->points = -points;
    }
    if (!rc) rc = reward_coupon(&o, w, r->entry_id, r);
    return op_end(&o, rc, r);
}

enc_rc enc_loyalty_reverse(enc_store *st, const enc_programme *p, int64_t cust, int64_t entry,
                           const char *actor, const char *key, int64_t now, enc_points_result *r,
                           enc_err *err)
{
    memset(r, 0, sizeof *r);
    if (!key) return enc_fail(err, ENC_EUSAGE, "a reversal needs an idempotency key");
    char req[64];
    snprintf(req, sizeof req, "reverse|%lld", (long long)entry);
    op o = {st, p, cust, now, {0}, err};
    bool done, found = false;
    enc_pentry e = {0};
    enc_rc rc = op_begin(&o);
    if (!rc) rc = op_key(&o, key, req, r, &done);
    if (!rc && !done) rc = enc_store_pentry_get(st, entry, &e, &found, err);
    if (!rc && !done) {
        int64_t rev = 0;
        if (!found || e.customer != cust || strcmp(e.kind, "redeem") != 0)
            rc = enc_fail(err, ENC_EFAIL, "entry %lld is not a redemption of this member",
                          (long long)entry);
        if (!rc) rc = enc_store_pentry_reversal(st, entry, &rev, err);
        if (!rc && rev)
            rc = enc_fail(err, ENC_EFAIL, "redemption %lld was already reversed (entry %lld)",
                          (long long)entry, (long long)rev);
        int cstate = 0; /* the reward's coupon: revoked; one already used is not reversed */
        if (!rc) rc = enc__ly_coupon_revoke(st, entry, now, &cstate, err);
        if (!rc && cstate == 2)
            rc =
                enc_fail(err, ENC_EFAIL, "redemption %lld: its coupon was already used on an order",
                         (long long)entry);
        enc_pentry_rec rec = {.customer = cust,
                              .ts = now,
                              .points = -e.points,
                              .ref_id = entry,
                              .kind = "reverse",
                              .reason = "redemption reversed",
                              .actor = actor,
                              .idem_key = key,
                              .request = req};
        int64_t *lots = NULL, *pts = NULL;
        size_t n = 0;
        if (!rc) rc = enc_store_pentry_add(st, &rec, now, &r->entry_id, err);
        if (!rc) rc = enc_store_lot_moves(st, entry, &lots, &pts, &n, err);
        for (size_t i = 0; !rc && i < n; i++)
            rc = enc_store_lot_move(st, r->entry_id, lots[i], -pts[i], err);
        free(lots);
        free(pts);
        int64_t nl, np; /* points given back to lots whose time has passed expire now */
        if (!rc) rc = enc_store_lots_expire(st, cust, now, &nl, &np, err);
        r->points = -e.points;
    }
    enc_pentry_free(&e);
    return op_end(&o, rc, r);
}

enc_rc enc_loyalty_import(enc_store *st, const enc_programme *p, int64_t cust, int64_t points,
                          const char *tier, int64_t now, enc_points_result *r, enc_err *err)
{
    memset(r, 0, sizeof *r);
    int ti = tier ? enc_prog_tier_index(p, tier) : -1;
    if (tier && ti < 0) return enc_fail(err, ENC_EUSAGE, "tier '%s' is not in the programme", tier);
    if (points < 0 || points > (INT64_C(1) << 40))
        return enc_fail(err, ENC_EUSAGE, "points: 0 to 2^40");
    op o = {st, p, cust, now, {0}, err};
    bool any = false;
    enc_rc rc = op_begin(&o);
    if (!rc) rc = enc_store_points_has(st, cust, "import", NULL, &any, err);
    if (!rc && any) rc = enc_fail(err, ENC_EFAIL, "the opening balance was already imported");
    if (!rc && points) {
        enc_pentry_rec rec = {.customer = cust,
                              .ts = now,
                              .points = points,
                              .kind = "import",
                              .reason = "opening balance"};
        rc = credit(&o, &rec, now, &r->entry_id);
        r->points = points;
    }
    if (!rc && ti >= 0 && strcmp(o.m.tier, tier) != 0) {
        char old[48];
        snprintf(old, sizeof old, "%s", o.m.tier);
        snprintf(o.m.tier, sizeof o.m.tier, "%s", tier);
        o.m.tier_since = now;
        o.m.drop_at = 0;
        rc = enc_store_member_put(st, &o.m, err);
        if (!rc) rc = enc_store_tier_history_add(st, cust, now, old, tier, "import", err);
    }
    return op_end(&o, rc, r);
}

enc_rc enc_loyalty_expire(enc_store *st, int64_t now, int64_t *lots, int64_t *points, enc_err *err)
{
    enc_err_clear(err);
    if (enc_store_begin(st, err)) return err->rc;
    enc_rc rc = enc_store_lots_expire(st, 0, now, lots, points, err);
    if (!rc) rc = enc_store_commit(st, err);
    if (rc) enc_store_rollback(st);
    return rc;
}

enc_rc enc_loyalty_review(enc_store *st, const enc_programme *p, int64_t now, enc_review_result *r,
                          enc_err *err)
{
    memset(r, 0, sizeof *r);
    enc_err_clear(err);
    if (enc_store_begin(st, err)) return err->rc;
    int64_t last;
    bool found;
    enc_member_scan sc = {0};
    enc_rc rc = enc_store_loyalty_state_get(st, "last_review", &last, &found, err);
    if (!rc && !found) last = now - 86400; /* first run: today's review date counts */
    /* the latest review date in (last, now], if any */
    int64_t review = 0;
    for (int64_t t = enc_ledger_next_review(p, last); !rc && t <= now;
         t = enc_ledger_next_review(p, t))
        review = t;
    r->review_day = review != 0;
    int64_t since = enc_ledger_add_months(now, -p->window_months);
    if (!rc) rc = enc_store_members_scan(st, (int)p->qual, since, now, &sc, err);
    r->members = (int64_t)sc.n;
    /* the changes, written in one pass after the scan */
    enc_member *ch = enc_xcalloc(sc.n ? sc.n : 1, sizeof *ch);
    const char **from = enc_xcalloc(sc.n ? sc.n : 1, sizeof *from);
    const char **why = enc_xcalloc(sc.n ? sc.n : 1, sizeof *why);
    size_t nch = 0;
    for (size_t i = 0; !rc && i < sc.n; i++) {
        int cur = tier_of(p, sc.tier[i]);
        int q = (int)enc_prog_tier_for(p, sc.metric[i]);
        const char *reason = NULL;
        int64_t drop = sc.drop_at[i];
        if (q > cur) {
            reason = "upgrade";
            drop = 0;
        } else {
            if (review) {
                if (q < cur && !drop) drop = review + (int64_t)p->grace_days * 86400;
                else if (q >= cur) drop = 0;
            }
            if (drop && drop <= now) {
                if (q < cur) reason = "review";
                drop = 0;
            }
        }
        if (reason) {
            if (q > cur) r->upgraded++;
            else r->downgraded++;
        } else if (drop && !sc.drop_at[i]) r->pending++;
        else if (!drop && sc.drop_at[i]) r->cleared++;
        if (!reason && drop == sc.drop_at[i]) continue;
        enc_member *m = &ch[nch];
        m->customer = sc.cust[i];
        m->drop_at = drop;
        m->tier_since = reason ? now : sc.since[i];
        snprintf(m->tier, sizeof m->tier, "%s", reason ? p->tiers[q].name : sc.tier[i]);
        from[nch] = sc.tier[i];
        why[nch++] = reason;
    }
    if (!rc) rc = enc_store_members_apply(st, ch, from, why, nch, now, err);
    free(ch);
    free(from);
    free(why);
    enc_member_scan_free(&sc);
    if (!rc) rc = enc_store_loyalty_state_set(st, "last_review", now, err);
    if (!rc) rc = enc_store_commit(st, err);
    if (rc) enc_store_rollback(st);
    return rc;
}

enc_rc enc_loyalty_status(enc_store *st, const enc_programme *p, int64_t cust, int64_t now,
                          enc_member_status *s, enc_err *err)
{
    memset(s, 0, sizeof *s);
    enc_err_clear(err);
    enc_member m;
    if (enc_store_member_get(st, cust, &m, &s->member, err)) return err->rc;
    if (enc_store_points_sum(st, cust, &s->balance, err) ||
        enc_store_lots_open(st, cust, &s->lots, &s->nlots, err))
        return err->rc;
    s->lots_sum = enc_ledger_lots_sum(s->lots, s->nlots);
    if (enc_store_points_expiring(st, cust, now, now + 30 * 86400, &s->expiring_30d, err))
        return err->rc;
    s->tier = s->member ? tier_of(p, m.tier) : 0;
    snprintf(s->tier_name, sizeof s->tier_name, "%s", s->member ? m.tier : p->tiers[0].name);
    s->tier_since = m.tier_since;
    s->drop_at = m.drop_at;
    s->joined_at = m.joined_at;
    int64_t from = enc_ledger_add_months(now, -p->window_months);
    if (enc_store_member_metric(st, cust, (int)p->qual, from, now, &s->metric, err)) return err->rc;
    s->next_tier_gap = -1;
    if ((size_t)s->tier + 1 < p->ntiers) {
        const enc_prog_tier *n = &p->tiers[s->tier + 1];
        s->next_tier_gap = n->min > s->metric ? n->min - s->metric : 0;
        snprintf(s->next_tier, sizeof s->next_tier, "%s", n->name);
    }
    return ENC_OK;
}

void enc_member_status_free(enc_member_status *s)
{
    free(s->lots);
    s->lots = NULL;
    s->nlots = 0;
}

enc_rc enc_loyalty_columns(enc_store *st, int64_t now, const int64_t *ids, size_t n,
                           enc_loyalty_cols *c, enc_err *err)
{
    enc_err_clear(err);
    for (size_t i = 0; i < n; i++)
        c->tier_since[i] = c->next_tier_gap[i] = c->upgraded_days[i] = c->drop_days[i] = NAN;
    if (enc_store_loyalty_sums(st, 0, now, ids, n, c->balance, err) ||
        enc_store_loyalty_sums(st, 1, now, ids, n, c->expiring_30d, err) ||
        enc_store_last_upgrades(st, ids, n, c->upgraded_days, err))
        return err->rc;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c->upgraded_days[i])) c->upgraded_days[i] = (now - c->upgraded_days[i]) / 86400;
    enc_programme p;
    if (enc_loyalty_programme(st, &p, err)) {
        if (err->rc != ENC_ENOTFOUND) return err->rc;
        enc_err_clear(err); /* no programme: no tiers */
        return ENC_OK;
    }
    enc_member_scan sc;
    enc_rc rc = enc_store_members_scan(st, (int)p.qual,
                                       enc_ledger_add_months(now, -p.window_months), now, &sc, err);
    for (size_t i = 0, j = 0; !rc && i < sc.n; i++) {
        while (j < n && ids[j] < sc.cust[i]) j++;
        if (j == n) break;
        if (ids[j] != sc.cust[i]) continue;
        c->tier_since[j] = (double)sc.since[i];
        if (sc.drop_at[i]) c->drop_days[j] = (double)(sc.drop_at[i] - now) / 86400;
        size_t t = (size_t)tier_of(&p, sc.tier[i]);
        if (t + 1 < p.ntiers)
            c->next_tier_gap[j] =
                (double)(p.tiers[t + 1].min > sc.metric[i] ? p.tiers[t + 1].min - sc.metric[i] : 0);
    }
    if (!rc) enc_member_scan_free(&sc);
    enc_prog_free(&p);
    return rc;
}
