/* h_loyalty.c — the loyalty API for POS and apps (docs/loyalty.md, docs/api.md):
 * /v1/members/{id}/points (balance, lots, tier), .../points/history, .../tiers, and the writes
 * earn, return, adjust, redeem, reverse. Each write is one transaction of src/loyalty (a
 * member's concurrent requests are serialised by the store's write lock), carries an
 * idempotency key in the body ("key": the same key and request answer the first result again,
 * 200 with "replayed": true; another request under it is 409), and is audited. */
#include "base/mem.h"
#include "loyalty/loyalty.h"
#include "loyalty/loyalty_json.h"
#include "report/custview.h"
#include "server/api_views.h"
#include "server/handlers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the member of path.id (merchant id, email, phone or #N) and the programme; false with the
 * problem answered */
static bool member_of(enc_mreq *rq, enc_mres *rs, int64_t *id, enc_programme *p)
{
    const char *who = enc_mreq_param(rq, "id");
    enc_err err = {0};
    *id = 0;
    if (!who || strlen(who) > 320) {
        enc_mres_problem(rs, 400, "path.id", "a customer id, email or phone, or #N");
        return false;
    }
    if (enc_custview_find(rq->st, who, id, &err)) {
        enc__api_fail(rs, "member", &err);
        return false;
    }
    if (!*id) {
        enc_mres_problem(rs, 404, "path.id", "no such customer");
        return false;
    }
    if (enc_loyalty_programme(rq->st, p, &err)) {
        if (err.rc == ENC_ENOTFOUND) enc_mres_problem(rs, 409, NULL, "%s", err.msg);
        else enc__api_fail(rs, "programme", &err);
        return false;
    }
    return true;
}

static const char *str(const enc_mreq *rq, const char *k)
{
    return json_string_value(json_object_get(rq->body, k));
}

static bool has(const enc_mreq *rq, const char *k) { return json_object_get(rq->body, k) != NULL; }

/* a refusal of the ledger as a problem: malformed 400 (field), a rule 409, unknown 404 */
static void refused(enc_mres *rs, const enc_err *err, const char *field)
{
    switch (err->rc) {
    case ENC_EUSAGE: enc_mres_problem(rs, 400, field, "%s", err->msg); break;
    case ENC_EFAIL:
        enc_mres_problem(rs, 409, strstr(err->msg, "idempotency") ? "/key" : field, "%s", err->msg);
        break;
    case ENC_ENOTFOUND: enc_mres_problem(rs, 404, field, "%s", err->msg); break;
    default: enc__api_fail(rs, "points", err);
    }
}

static void answer(enc_mreq *rq, enc_mres *rs, int64_t id, const char *action,
                   const enc_points_result *r)
{
    char target[32], detail[96];
    int status = r->replayed ? 200 : 201;
    snprintf(target, sizeof target, "customer:%lld", (long long)id);
    snprintf(detail, sizeof detail, "entry %lld: %+lld points%s", (long long)r->entry_id,
             (long long)r->points, r->replayed ? " (replayed)" : "");
    enc_mreq_audit(rq, action, target, detail, status);
    enc_ly_result_json(enc_mres_json(rs, status), enc_mreq_param(rq, "id"), r);
}

/* the key of a write: 1 to 128 bytes when given; required says whether it must be */
static bool key_of(enc_mreq *rq, enc_mres *rs, bool required, const char **key)
{
    *key = str(rq, "key");
    if (!*key && required) {
        enc_mres_problem(rs, 400, "/key", "an idempotency key is required");
        return false;
    }
    if (*key && (!**key || strlen(*key) > 128)) {
        enc_mres_problem(rs, 400, "/key", "1 to 128 bytes");
        return false;
    }
    return true;
}

void enc_h_member_points(enc_mreq *rq, enc_mres *rs)
{
    int64_t id;
    enc_programme p;
    if (!member_of(rq, rs, &id, &p)) return;
    enc_member_status s;
    enc_err err = {0};
    if (enc_loyalty_status(rq->st, &p, id, rq->now, &s, &err)) enc__api_fail(rs, "points", &err);
    else enc_ly_status_json(enc_mres_json(rs, 200), enc_mreq_param(rq, "id"), &s, enc_jw_ktime);
    enc_member_status_free(&s);
    enc_prog_free(&p);
}

void enc_h_member_points_history(enc_mreq *rq, enc_mres *rs)
{
    int64_t id;
    enc_programme p;
    if (!member_of(rq, rs, &id, &p)) return;
    enc_prog_free(&p);
    enc_pentry *e;
    size_t n;
    enc_err err = {0};
    if (enc_store_pentries(rq->st, id, &e, &n, &err)) return enc__api_fail(rs, "history", &err);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "entries");
    enc_ly_history_json(w, e, n, enc_jw_ktime);
    enc_jw_end(w);
    enc_pentries_free(e, n);
}

void enc_h_member_tiers(enc_mreq *rq, enc_mres *rs)
{
    int64_t id;
    enc_programme p;
    if (!member_of(rq, rs, &id, &p)) return;
    enc_prog_free(&p);
    enc_tier_change *c;
    size_t n;
    enc_err err = {0};
    if (enc_store_tier_history(rq->st, id, &c, &n, &err)) return enc__api_fail(rs, "tiers", &err);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "changes");
    enc_jw_arr(w);
    for (size_t i = 0; i < n; i++) {
        enc_jw_obj(w);
        enc_jw_ktime(w, "at", c[i].ts);
        enc_jw_kstr(w, "from", c[i].from[0] ? c[i].from : NULL);
        enc_jw_kstr(w, "to", c[i].to);
        enc_jw_kstr(w, "reason", c[i].reason);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
    free(c);
}

void enc_h_member_points_earn(enc_mreq *rq, enc_mres *rs)
{
    const char *order = str(rq, "order"), *bonus = str(rq, "bonus"), *key;
    if (!order == !bonus)
        return enc_mres_problem(rs, 400, "/order", "give order (an order id) or bonus");
    if (!key_of(rq, rs, bonus != NULL, &key)) return;
    if (order && key)
        return enc_mres_problem(rs, 400, "/key",
                                "an order earns once: its id is the idempotency key");
    int64_t id;
    enc_programme p;
    if (!member_of(rq, rs, &id, &p)) return;
    enc_points_result r;
    enc_err err = {0};
    enc_rc rc =
        order ? enc_loyalty_earn_order(rq->st, &p, id, order, rq->now, &r, &err)
              : enc_loyalty_bonus(rq->st, &p, id, bonus, key, rq->who.name, rq->now, &r, &err);
    enc_prog_free(&p);
    if (rc) return refused(rs, &err, order ? "/order" : "/bonus");
    answer(rq, rs, id, "points.earn", &r);
}

void enc_h_member_points_return(enc_mreq *rq, enc_mres *rs)
{
    const char *order = str(rq, "order");
    int64_t id;
    enc_programme p;
    if (!member_of(rq, rs, &id, &p)) return;
    enc_points_result r;
    enc_err err = {0};
    enc_rc rc = enc_loyalty_return_order(rq->st, &p, id, order, rq->now, &r, &err);
    enc_prog_free(&p);
    if (rc) return refused(rs, &err, "/order");
    answer(rq, rs, id, "points.return", &r);
}

void enc_h_member_points_adjust(enc_mreq *rq, enc_mres *rs)
{
    const char *key, *reason = str(rq, "reason");
    int64_t delta = json_integer_value(json_object_get(rq->body, "points"));
    if (!key_of(rq, rs, true, &key)) return;
    int64_t id;
    enc_programme p;
    if (!member_of(rq, rs, &id, &p)) return;
    enc_points_result r;
    enc_err err = {0};
    enc_rc rc =
        enc_loyalty_adjust(rq->st, &p, id, delta, reason, rq->who.name, key, rq->now, &r, &err);
    enc_prog_free(&p);
    if (rc) return refused(rs, &err, "/points");
    answer(rq, rs, id, "points.adjust", &r);
}

void enc_h_member_points_redeem(enc_mreq *rq, enc_mres *rs)
{
    const char *key, *reward = str(rq, "reward");
    if (!reward == !has(rq, "points"))
        return enc_mres_problem(rs, 400, "/reward", "give reward (from the catalogue) or points");
    int64_t pts = json_integer_value(json_object_get(rq->body, "points"));
    if (!key_of(rq, rs, true, &key)) return;
    int64_t id;
    enc_programme p;
    if (!member_of(rq, rs, &id, &p)) return;
    enc_points_result r;
    enc_err err = {0};
    enc_rc rc =
        enc_loyalty_redeem(rq->st, &p, id, reward, pts, rq->who.name, key, rq->now, &r, &err);
    enc_prog_free(&p);
    if (rc) return refused(rs, &err, reward ? "/reward" : "/points");
    answer(rq, rs, id, "points.redeem", &r);
}

void enc_h_member_points_reverse(enc_mreq *rq, enc_mres *rs)
{
    const char *key;
    int64_t entry = json_integer_value(json_object_get(rq->body, "entry"));
    if (!key_of(rq, rs, true, &key)) return;
    int64_t id;
    enc_programme p;
    if (!member_of(rq, rs, &id, &p)) return;
    enc_points_result r;
    enc_err err = {0};
    enc_rc rc = enc_loyalty_reverse(rq->st, &p, id, entry, rq->who.name, key, rq->now, &r, &err);
    enc_prog_free(&p);
    if (rc) return refused(rs, &err, "/entry");
    answer(rq, rs, id, "points.reverse", &r);
}
