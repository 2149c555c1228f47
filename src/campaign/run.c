/* run.c — start, advance and tick (see run.h). The watermark (processed_to) moves only after
 * a window's messages are committed, so a run interrupted half-way is planned again: the
 * decisions already recorded stand and the outbox drops keys it holds. */
#include "campaign/run.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/campdb.h"
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

/* Picks the A/B winner by the spec's metric over the members' outcomes up to `until`:
 * the highest rate per message (conversions, revenue or clicks); ties go to the variant
 * listed first. Writes the decision and a JSON report. */
static enc_rc ab_decide(enc_store *st, const enc_spec *spec, int64_t until, int64_t now,
                        char *winner, size_t cap, enc_err *err)
{
    enc_ab_stat stats[ENC_SPEC_MAX_VARIANTS];
    int n;
    if (enc_ab_stats(st, spec->name, until, stats, ENC_SPEC_MAX_VARIANTS, &n, err)) return err->rc;
    int best = 0;
    double best_rate = -1;
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    static const char *const metric[] = {"conversion", "revenue", "click"};
    enc_jw_kstr(&w, "metric", metric[spec->ab_metric]);
    enc_jw_key(&w, "variants");
    enc_jw_obj(&w);
    for (int v = 0; v < spec->nvariants; v++) {
        const enc_ab_stat *a = NULL;
        for (int k = 0; k < n; k++)
            if (strcmp(stats[k].variant, spec->variants[v].name) == 0) a = &stats[k];
        double rate = 0;
        if (a && a->messaged) {
            double num = spec->ab_metric == ENC_AB_CONVERSION ? (double)a->converted
                         : spec->ab_metric == ENC_AB_REVENUE  ? (double)a->revenue / 100.0
                                                              : (double)a->clicked;
            rate = num / (double)a->messaged;
        }
        enc_jw_key(&w, spec->variants[v].name);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "messaged", a ? a->messaged : 0);
        enc_jw_kint(&w, "converted", a ? a->converted : 0);
        enc_jw_key(&w, "revenue");
        enc_jw_money(&w, a ? a->revenue : 0, 2);
        enc_jw_kint(&w, "clicked", a ? a->clicked : 0);
        enc_jw_knum(&w, "rate", rate);
        enc_jw_end(&w);
        if (rate > best_rate) best_rate = rate, best = v;
    }
    enc_jw_end(&w);
    enc_jw_kstr(&w, "winner", spec->variants[best].name);
    enc_jw_end(&w);
    snprintf(winner, cap, "%s", spec->variants[best].name);
    enc_rc rc = enc_camp_set_ab(st, spec->name, winner, now, b.p, err);
    enc_buf_free(&b);
    return rc;
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
    /* an A/B test whose time has come */
    if (spec->ab && !winner[0] && row.ab_decide_at && now >= row.ab_decide_at) {
        if ((rc = ab_decide(st, spec, row.ab_decide_at, now, winner, sizeof winner, err))) goto out;
        out->decided = true;
    }
    snprintf(out->winner, sizeof out->winner, "%s", winner);
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
    snprintf(out->name, sizeof out->name, "%s", spec->name);
    if (enc_camp_put(st, spec, "running", now, NULL, err)) return err->rc;
    if (enc_camp_started(st, spec, now, err)) return err->rc;
    return advance(st, spec, now, out, err);
}

enc_rc enc_campaign_advance(enc_store *st, const char *name, int64_t now, enc_run_result *out,
                            enc_err *err)
{
    memset(out, 0, sizeof *out);
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

enc_rc enc_tick(enc_store *st, int64_t now, enc_run_result **res, size_t *n, int64_t *redeemed,
                enc_err *err)
{
    *res = NULL;
    *n = 0;
    if (enc_coupon_redeem(st, redeemed, err)) return err->rc;
    enc_camp_row *rows;
    size_t nrows;
    if (enc_camp_list(st, &rows, &nrows, err)) return err->rc;
    *res = enc_xcalloc(nrows + 1, sizeof **res);
    for (size_t i = 0; i < nrows; i++) {
        if (strcmp(rows[i].state, "running") == 0) {
            enc_run_result *r = &(*res)[(*n)++];
            enc_err e2 = {0};
            if (enc_campaign_advance(st, rows[i].name, now, r, &e2))
                snprintf(r->error, sizeof r->error, "%.500s", e2.msg);
        }
        enc_camp_row_free(&rows[i]);
    }
    free(rows);
    return ENC_OK;
}
