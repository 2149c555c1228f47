/* run.c — start, advance and tick (see run.h). The watermark (processed_to) moves only after
 * a window's messages are committed, so a run interrupted half-way is planned again: the
 * decisions already recorded stand and the outbox drops keys it holds. */
#include "campaign/run.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 1000

enc_rc enc_campaign_plan_opts(enc_store *st, const enc_spec *spec, int64_t now, enc_plan_opts *o,
                              char *winner, size_t cap, enc_err *err)
{
    memset(o, 0, sizeof *o);
    o->now = now;
    winner[0] = 0;
    enc_camp_row row;
    enc_err e2 = {0};
    enc_rc rc = enc_camp_get(st, spec->name, &row, &e2);
    if (rc == ENC_ENOTFOUND) return ENC_OK;
    if (rc) return enc_fail(err, rc, "%s", e2.msg);
    if (strcmp(row.state, "running") == 0 || strcmp(row.state, "paused") == 0) {
        o->started_at = row.started_at;
        int64_t floor = now - spec->trigger.catch_up;
        o->from = row.processed_to > floor ? row.processed_to : floor;
        if (o->from >= now) o->from = now; /* nothing new is due */
        if (row.ab_winner[0]) {
            snprintf(winner, cap, "%s", row.ab_winner);
            o->winner = winner;
        }
    }
    enc_camp_row_free(&row);
    return ENC_OK;
}

static enc_rc plan_and_write(enc_store *st, const enc_spec *spec, const enc_settings *set,
                             const enc_plan_opts *o, enc_run_result *out, enc_err *err)
{
    enc_plan *p;
    if (enc_plan_build(st, spec, set, o, &p, err)) return err->rc;
    int64_t added = 0, coupons = 0;
    enc_rc rc = enc_plan_write(p, st, BATCH, &added, &coupons, err);
    if (!rc) {
        const enc_decide_out *c = enc_plan_counts(p);
        out->from = enc_plan_from(p);
        out->to = o->now;
        out->audience += (int64_t)enc_plan_size(p);
        out->messages += c->n[ENC_DEC_MESSAGE];
        out->holdout += c->n[ENC_DEC_HOLDOUT];
        out->excluded += (int64_t)enc_plan_size(p) - c->n[ENC_DEC_MESSAGE] - c->n[ENC_DEC_HOLDOUT];
        out->added += added;
        out->coupons += coupons;
        out->displaced += (int64_t)c->ndisp;
        int64_t lt, lu;
        enc_plan_links(p, &lt, &lu);
        out->links_tracked += lt;
        out->links_untracked += lu;
        rc = enc_camp_log_run(st, spec->name, o->now, enc_plan_from(p), o->now,
                              (int64_t)enc_plan_size(p), c->n[ENC_DEC_MESSAGE],
                              c->n[ENC_DEC_HOLDOUT], added, err);
    }
    enc_plan_free(p);
    return rc;
}

static enc_rc advance(enc_store *st, const enc_spec *spec, int64_t now, enc_run_result *out,
                      enc_err *err)
{
    enc_settings set;
    if (enc_settings_load(st, &set, err)) return err->rc;
    enc_camp_row row;
    if (enc_camp_get(st, spec->name, &row, err)) return err->rc;
    enc_rc rc = ENC_OK;
    char winner[ENC_SPEC_MAX_NAME];
    snprintf(winner, sizeof winner, "%s", row.ab_winner);
    /* an A/B test whose time has come was decided by the measure stage just before
     * (enc_tick, src/measure/abdecide.h) */
    if (spec->ab && !winner[0] && row.ab_decide_at && now >= row.ab_decide_at) {
        rc = enc_fail(err, ENC_EFAIL,
                      "the A/B test is due but undecided: its report could not be measured (see "
                      "'encore campaign report %s')",
                      spec->name);
        goto out;
    }
    out->decided = winner[0] && row.ab_decided_at == now; /* decided at this clock */
    snprintf(out->winner, sizeof out->winner, "%s", winner);
    if (winner[0] && row.ab_report) {
        /* the stored decision's significance and rule */
        json_t *j = json_loads(row.ab_report, 0, NULL);
        json_t *sig = json_object_get(j, "significant"), *rule = json_object_get(j, "rule");
        out->significant = json_is_boolean(sig) ? json_is_true(sig) : -1;
        if (json_is_string(rule))
            snprintf(out->rule, sizeof out->rule, "%s", json_string_value(rule));
        json_decref(j);
    }
    enc_plan_opts o;
    char w2[ENC_SPEC_MAX_NAME];
    if ((rc = enc_campaign_plan_opts(st, spec, now, &o, w2, sizeof w2, err))) goto out;
    o.winner = winner[0] ? winner : NULL;
    if (!o.started_at) o.started_at = row.started_at ? row.started_at : now;
    if (!o.from) o.from = now - spec->trigger.catch_up;
    if (o.from < now) {
        if ((rc = plan_and_write(st, spec, &set, &o, out, err))) goto out;
        if ((rc = enc_camp_set_processed(st, spec->name, now, err))) goto out;
    } else {
        out->from = out->to = now;
    }
    /* a one-off A/B test: the winner goes to the rest once */
    if (spec->ab && spec->trigger.kind == ENC_TRIG_ONCE && winner[0] && !row.ab_rollout_at) {
        enc_plan_opts r = o;
        r.rollout = true;
        r.from = now - 1;
        if ((rc = plan_and_write(st, spec, &set, &r, out, err))) goto out;
        if ((rc = enc_camp_set_rollout(st, spec->name, now, err))) goto out;
        out->rolled_out = true;
    }
out:
    enc_camp_row_free(&row);
    return rc;
}

enc_rc enc_campaign_start(enc_store *st, const enc_spec *spec, int64_t now, enc_run_result *out,
                          enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->significant = -1;
    snprintf(out->name, sizeof out->name, "%s", spec->name);
    if (enc_camp_put(st, spec, "running", now, NULL, err)) return err->rc;
    if (enc_camp_started(st, spec, now, err)) return err->rc;
    return advance(st, spec, now, out, err);
}

enc_rc enc_campaign_advance(enc_store *st, const char *name, int64_t now, enc_run_result *out,
                            enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->significant = -1;
    snprintf(out->name, sizeof out->name, "%s", name);
    enc_camp_row row;
    if (enc_camp_get(st, name, &row, err)) return err->rc;
    enc_spec *spec;
    enc_rc rc = enc_spec_parse(row.spec, strlen(row.spec), st, &spec, err);
    enc_camp_row_free(&row);
    if (rc) return rc;
    rc = advance(st, spec, now, out, err);
    enc_spec_free(spec);
    return rc;
}
