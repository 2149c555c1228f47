/* loyalty_json.c — the loyalty answers as JSON for the CLI and the API (loyalty_json.h). */
#include "loyalty/loyalty_json.h"
#include "base/datetime.h"

void enc_ly_time_plain(enc_jw *w, const char *key, int64_t epoch)
{
    char b[40];
    enc_jw_key(w, key);
    if (!epoch) {
        enc_jw_null(w);
        return;
    }
    enc_fmt_datetime(b, sizeof b, epoch);
    enc_jw_str(w, b);
}

void enc_ly_result_json(enc_jw *w, const char *who, const enc_points_result *r)
{
    enc_jw_obj(w);
    enc_jw_kstr(w, "customer", who);
    enc_jw_kint(w, "entry", r->entry_id);
    enc_jw_kint(w, "points", r->points);
    if (r->bonus) enc_jw_kint(w, "bonus", r->bonus);
    if (r->shortfall) enc_jw_kint(w, "shortfall", r->shortfall);
    if (r->coupon[0]) enc_jw_kstr(w, "coupon", r->coupon);
    enc_jw_kint(w, "balance", r->balance);
    enc_jw_kstr(w, "tier", r->tier);
    enc_jw_kbool(w, "upgraded", r->upgraded);
    enc_jw_kbool(w, "replayed", r->replayed);
    enc_jw_end(w);
}

void enc_ly_status_json(enc_jw *w, const char *who, const enc_member_status *s, enc_ly_time_fn tf)
{
    enc_jw_obj(w);
    enc_jw_kstr(w, "customer", who);
    enc_jw_kbool(w, "member", s->member);
    enc_jw_kint(w, "balance", s->balance);
    enc_jw_kint(w, "expiring_30d", s->expiring_30d);
    enc_jw_kstr(w, "tier", s->tier_name);
    tf(w, "tier_since", s->tier_since);
    tf(w, "tier_drop_at", s->drop_at);
    enc_jw_kint(w, "tier_metric", s->metric);
    enc_jw_kstr(w, "next_tier", s->next_tier[0] ? s->next_tier : NULL);
    enc_jw_key(w, "next_tier_gap");
    if (s->next_tier_gap < 0) enc_jw_null(w);
    else enc_jw_int(w, s->next_tier_gap);
    enc_jw_key(w, "lots");
    enc_jw_arr(w);
    for (size_t i = 0; i < s->nlots; i++) {
        enc_jw_obj(w);
        enc_jw_kint(w, "lot", s->lots[i].id);
        tf(w, "earned_at", s->lots[i].earned_at);
        tf(w, "expires_at", s->lots[i].expires_at);
        enc_jw_kint(w, "points", s->lots[i].points);
        enc_jw_kint(w, "remaining", s->lots[i].remaining);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
}

void enc_ly_history_json(enc_jw *w, const enc_pentry *e, size_t n, enc_ly_time_fn tf)
{
    int64_t run = 0;
    enc_jw_arr(w);
    for (size_t i = 0; i < n; i++) {
        run += e[i].points;
        enc_jw_obj(w);
        enc_jw_kint(w, "entry", e[i].id);
        tf(w, "at", e[i].ts);
        enc_jw_kstr(w, "kind", e[i].kind);
        enc_jw_kint(w, "points", e[i].points);
        enc_jw_kint(w, "balance", run);
        enc_jw_kstr(w, "order", e[i].order_key);
        enc_jw_kstr(w, "reason", e[i].reason);
        enc_jw_kstr(w, "by", e[i].actor);
        if (e[i].ref_id) enc_jw_kint(w, "reverses", e[i].ref_id);
        enc_jw_end(w);
    }
    enc_jw_end(w);
}
