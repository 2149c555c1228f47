/* campapi.c — see campapi.h: the campaign documents moved out of src/cli/cmd_campaign.c so
 * that the CLI and the management API write the same JSON. */
#include "campaign/campapi.h"
#include "base/datetime.h"
#include "campaign/campdb.h"
#include "campaign/plan.h"
#include "delivery/outbox.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void fmt_time(char *out, size_t cap, int64_t t)
{
    if (t) enc_fmt_datetime(out, cap, t);
    else snprintf(out, cap, "-");
}

void enc_run_result_json(enc_jw *w, const enc_run_result *r)
{
    char t[40];
    enc_jw_obj(w);
    enc_jw_kstr(w, "campaign", r->name);
    enc_jw_key(w, "window");
    enc_jw_obj(w);
    fmt_time(t, sizeof t, r->from);
    enc_jw_kstr(w, "after", t);
    fmt_time(t, sizeof t, r->to);
    enc_jw_kstr(w, "until", t);
    enc_jw_end(w);
    enc_jw_kint(w, "audience", r->audience);
    enc_jw_kint(w, "messages", r->messages);
    enc_jw_kint(w, "holdout", r->holdout);
    enc_jw_kint(w, "excluded", r->excluded);
    enc_jw_kint(w, "added", r->added);
    enc_jw_kint(w, "coupons", r->coupons);
    enc_jw_kint(w, "displaced", r->displaced);
    enc_jw_key(w, "links");
    enc_jw_obj(w);
    enc_jw_kint(w, "tracked", r->links_tracked);
    enc_jw_kint(w, "untracked", r->links_untracked);
    enc_jw_end(w);
    if (r->winner[0]) {
        enc_jw_kstr(w, "ab_winner", r->winner);
        if (r->significant >= 0) enc_jw_kbool(w, "ab_significant", r->significant == 1);
        if (r->rule[0]) enc_jw_kstr(w, "ab_rule", r->rule);
    }
    if (r->decided) enc_jw_kbool(w, "ab_decided", true);
    if (r->rolled_out) enc_jw_kbool(w, "ab_rolled_out", true);
    if (r->error[0]) enc_jw_kstr(w, "error", r->error);
    enc_jw_end(w);
}

/* Writes a jansson value through the writer (the stored A/B report). */
static void jw_value(enc_jw *w, json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
        enc_jw_obj(w);
        json_object_foreach(v, k, x)
        {
            enc_jw_key(w, k);
            jw_value(w, x);
        }
        enc_jw_end(w);
        break;
    case JSON_ARRAY:
        enc_jw_arr(w);
        json_array_foreach(v, i, x) jw_value(w, x);
        enc_jw_end(w);
        break;
    case JSON_STRING: enc_jw_str(w, json_string_value(v)); break;
    case JSON_INTEGER: enc_jw_int(w, json_integer_value(v)); break;
    case JSON_REAL: enc_jw_num(w, json_real_value(v)); break;
    case JSON_TRUE: enc_jw_bool(w, true); break;
    case JSON_FALSE: enc_jw_bool(w, false); break;
    default: enc_jw_null(w);
    }
}

enc_rc enc_campaign_show_json(enc_store *st, const char *name, enc_jw *w, enc_err *err)
{
    enc_camp_row row;
    enc_camp_counts c;
    if (enc_camp_get(st, name, &row, err)) return err->rc;
    if (enc_camp_counts_get(st, row.name, &c, err)) {
        enc_camp_row_free(&row);
        return err->rc;
    }
    char t1[40], t2[40], t3[40], t4[40];
    fmt_time(t1, sizeof t1, row.created_at);
    fmt_time(t2, sizeof t2, row.updated_at);
    fmt_time(t3, sizeof t3, row.started_at);
    fmt_time(t4, sizeof t4, row.processed_to);
    enc_jw_obj(w);
    enc_jw_kstr(w, "name", row.name);
    enc_jw_kstr(w, "state", row.state);
    enc_jw_kint(w, "priority", row.priority);
    enc_jw_kstr(w, "created", t1);
    enc_jw_kstr(w, "updated", t2);
    enc_jw_kstr(w, "started", row.started_at ? t3 : NULL);
    enc_jw_kstr(w, "planned_until", row.processed_to ? t4 : NULL);
    enc_jw_kint(w, "members", c.members);
    enc_jw_kint(w, "holdout", c.holdout);
    enc_jw_kint(w, "messages", c.messages); /* planned */
    enc_jw_kint(w, "customers", c.customers);
    enc_jw_kint(w, "holdout_customers", c.holdout_customers);
    enc_jw_kint(w, "sent", c.by_state[ENC_MSG_SENT]);
    enc_jw_key(w, "outbox");
    enc_jw_obj(w);
    for (int i = 0; i < ENC_MSG_NSTATES; i++)
        enc_jw_kint(w, enc_msg_state_name((enc_msg_state)i), c.by_state[i]);
    enc_jw_end(w);
    enc_jw_key(w, "expired");
    enc_jw_obj(w);
    for (int i = 0; i < c.nexpired; i++) enc_jw_kint(w, c.expired[i].reason, c.expired[i].n);
    enc_jw_end(w);
    enc_jw_kint(w, "coupons_issued", c.coupons);
    enc_jw_kint(w, "coupons_sent", c.coupons_sent);
    enc_jw_kint(w, "coupons_revoked", c.coupons_revoked);
    enc_jw_kint(w, "coupons_redeemed", c.redeemed);
    if (row.ab_decide_at) {
        char t5[40];
        fmt_time(t5, sizeof t5, row.ab_decide_at);
        enc_jw_key(w, "ab");
        enc_jw_obj(w);
        enc_jw_kstr(w, "decide_at", t5);
        enc_jw_kstr(w, "winner", row.ab_winner[0] ? row.ab_winner : NULL);
        enc_jw_key(w, "report");
        json_t *rep = row.ab_report ? json_loads(row.ab_report, 0, NULL) : NULL;
        jw_value(w, rep);
        json_decref(rep);
        enc_jw_end(w);
    }
    enc_jw_kstr(w, "spec", row.spec);
    enc_jw_end(w);
    enc_camp_row_free(&row);
    return ENC_OK;
}

enc_rc enc_campaign_plan_json(enc_store *st, const enc_spec *spec, int64_t now, size_t sample,
                              enc_jw *w, enc_err *err)
{
    enc_settings set;
    enc_plan_opts po;
    char winner[ENC_SPEC_MAX_NAME];
    enc_plan *p = NULL;
    if (enc_settings_load(st, &set, err) ||
        enc_campaign_plan_opts(st, spec, now, &po, winner, sizeof winner, err) ||
        enc_plan_build(st, spec, &set, &po, &p, err)) {
        enc_plan_free(p);
        return err->rc ? err->rc : ENC_EFAIL;
    }
    enc_plan_json(p, sample, w);
    enc_plan_free(p);
    return ENC_OK;
}

enc_rc enc_campaign_change(enc_store *st, const char *name, const char *verb, int64_t now,
                           const char **to, int64_t *cancelled, int64_t *revoked, enc_err *err)
{
    *cancelled = *revoked = 0;
    bool pause = strcmp(verb, "pause") == 0, resume = strcmp(verb, "resume") == 0,
         stop = strcmp(verb, "stop") == 0;
    if (!pause && !resume && !stop) return enc_fail(err, ENC_EUSAGE, "unknown change '%s'", verb);
    enc_camp_row row;
    if (enc_camp_get(st, name, &row, err)) return err->rc;
    *to = pause ? "paused" : resume ? "running" : "stopped";
    enc_rc rc = ENC_OK;
    if (pause && strcmp(row.state, "running") != 0)
        rc = enc_fail(err, ENC_EFAIL, "%s is %s, not running", row.name, row.state);
    else if (resume && strcmp(row.state, "paused") != 0)
        rc = enc_fail(err, ENC_EFAIL, "%s is %s, not paused", row.name, row.state);
    if (!rc) rc = enc_camp_set_state(st, row.name, *to, now, err);
    if (!rc && stop) {
        enc_outbox *ob;
        rc = enc_outbox_open(st, &ob, err);
        if (!rc) {
            rc = enc_outbox_cancel(ob, row.name, NULL, cancelled, err);
            enc_outbox_close(ob);
        }
        /* then the coupons those messages carried are revoked (an order using one is not
         * redeemed); a message already claimed expires at its turn */
        if (!rc) rc = enc_coupon_revoke_unsent(st, row.name, now, revoked, err);
    }
    enc_camp_row_free(&row);
    return rc;
}

void enc_campaign_change_json(enc_jw *w, const char *name, const char *to, int64_t cancelled,
                              int64_t revoked)
{
    enc_jw_obj(w);
    enc_jw_kstr(w, "campaign", name);
    enc_jw_kstr(w, "state", to);
    enc_jw_kint(w, "cancelled", cancelled);
    enc_jw_kint(w, "coupons_revoked", revoked);
    enc_jw_end(w);
}
