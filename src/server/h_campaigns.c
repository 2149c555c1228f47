/* h_campaigns.c — campaigns, playbooks, the contact policy, the measurement settings and
 * deliverability over the management API. Every document is the one the CLI prints with
 * --json (the same library calls: campaign/campapi.h, measure/campreport.h, measure/mdoc.h);
 * writes are audited. */
#include "campaign/campapi.h"
#include "campaign/campdb.h"
#include "campaign/playbook.h"
#include "campaign/spec.h"
#include "delivery/outbox.h"
#include "measure/campreport.h"
#include "measure/mdoc.h"
#include "measure/msettings.h"
#include "server/handlers.h"
#include "store/deliv.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void storage_error(enc_mres *rs, const char *what, const enc_err *err)
{
    fprintf(stderr, "encore: serve: %s: %s\n", what, err->msg);
    enc_mres_problem(rs, 500, NULL, "storage error");
}

/* ENC_ENOTFOUND -> 404 naming the path parameter; else a storage error */
static void fail(enc_mres *rs, const char *what, const enc_err *err, const char *field)
{
    if (err->rc == ENC_ENOTFOUND) enc_mres_problem(rs, 404, field, "%s", err->msg);
    else storage_error(rs, what, err);
}

/* the request's campaign file, checked as `encore campaign plan` checks it (400 with why) */
static enc_spec *body_spec(enc_mreq *rq, enc_mres *rs)
{
    enc_spec *spec = NULL;
    enc_err err = {0};
    if (enc_spec_parse(rq->raw, rq->raw_len, rq->st, &spec, &err)) {
        enc_mres_problem(rs, 400, "body", "campaign file: %s", err.msg);
        return NULL;
    }
    return spec;
}

/* ---- campaigns ---------------------------------------------------------------------------- */

void enc_h_campaigns_list(enc_mreq *rq, enc_mres *rs)
{
    enc_page pg;
    if (!enc_mreq_page(rq, rs, &pg)) return;
    enc_camp_row *rows;
    size_t n;
    enc_err err = {0};
    if (enc_camp_list(rq->st, &rows, &n, &err)) return storage_error(rs, "campaigns", &err);
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "items");
    enc_jw_arr(w);
    size_t shown = 0, i = (size_t)pg.after; /* the cursor: how many came before */
    enc_rc rc = ENC_OK;
    for (; i < n && shown < pg.limit && !rc; i++, shown++) {
        enc_camp_counts c;
        enc_campreport *r = NULL;
        rc = enc_camp_counts_get(rq->st, rows[i].name, &c, &err);
        if (!rc) rc = enc_campreport_build(rq->st, rows[i].name, rq->now, &r, &err);
        if (rc) break;
        enc_jw_obj(w);
        enc_jw_kstr(w, "name", rows[i].name);
        enc_jw_kstr(w, "state", rows[i].state);
        enc_jw_kint(w, "priority", rows[i].priority);
        enc_jw_ktime(w, "started_at", rows[i].started_at);
        enc_jw_kint(w, "members", c.members);
        enc_jw_kint(w, "messaged", c.messages);
        enc_jw_kint(w, "holdout", c.holdout);
        enc_jw_kint(w, "conversions", r->all->g[ENC_ATTR_TREATED].converted);
        enc_jw_key(w, "incremental_revenue");
        const enc_uplift *u = &r->up[ENC_ATTR_TREATED];
        if (u->valid && isfinite(u->incr_revenue))
            enc_jw_money(w, (int64_t)llround(u->incr_revenue), 2);
        else enc_jw_null(w);
        enc_jw_end(w);
        enc_campreport_free(r);
    }
    enc_jw_end(w);
    enc_page_next(w, i < n, (int64_t)i);
    enc_jw_end(w);
    for (size_t k = 0; k < n; k++) enc_camp_row_free(&rows[k]);
    free(rows);
    if (rc) storage_error(rs, "campaigns", &err);
}

void enc_h_campaign_get(enc_mreq *rq, enc_mres *rs)
{
    enc_err err = {0};
    if (enc_campaign_show_json(rq->st, enc_mreq_param(rq, "name"), enc_mres_json(rs, 200), &err))
        fail(rs, "campaign", &err, "path.name");
}

/* POST /v1/campaigns (a new draft) and PUT /v1/campaigns/{name} (replace its file) */
static void put(enc_mreq *rq, enc_mres *rs, bool create)
{
    enc_spec *spec = body_spec(rq, rs);
    if (!spec) return;
    const char *name = enc_mreq_param(rq, "name");
    enc_err err = {0};
    if (!create && strcmp(spec->name, name) != 0) {
        enc_mres_problem(rs, 400, "/name", "the file's name '%s' is not the path's '%s'",
                         spec->name, name);
        goto out;
    }
    enc_camp_row row;
    bool exists = enc_camp_get(rq->st, spec->name, &row, &err) == ENC_OK;
    if (exists) enc_camp_row_free(&row);
    else if (err.rc != ENC_ENOTFOUND) {
        storage_error(rs, "campaign", &err);
        goto out;
    }
    enc_err_clear(&err);
    if (create && exists) {
        enc_mres_problem(rs, 409, "/name", "a campaign named %s exists (PUT replaces it)",
                         spec->name);
        goto out;
    }
    if (!create && !exists) {
        enc_mres_problem(rs, 404, "path.name", "no campaign named %s (POST creates one)", name);
        goto out;
    }
    bool created;
    if (enc_camp_put(rq->st, spec, create ? "draft" : NULL, rq->now, &created, &err)) {
        storage_error(rs, "campaign", &err);
        goto out;
    }
    if (enc_campaign_show_json(rq->st, spec->name, enc_mres_json(rs, create ? 201 : 200), &err)) {
        storage_error(rs, "campaign", &err);
        goto out;
    }
    enc_mreq_audit(rq, create ? "campaign.create" : "campaign.update", spec->name, NULL,
                   rs->status);
out:
    enc_spec_free(spec);
}

void enc_h_campaign_create(enc_mreq *rq, enc_mres *rs) { put(rq, rs, true); }
void enc_h_campaign_put(enc_mreq *rq, enc_mres *rs) { put(rq, rs, false); }

static bool sample_of(enc_mreq *rq, enc_mres *rs, size_t *out)
{
    const char *s = enc_mreq_query(rq, "sample");
    *out = 5;
    if (!s) return true;
    long v = strtol(s, NULL, 10);
    if (v < 0 || v > 100 || strlen(s) > 3) {
        enc_mres_problem(rs, 400, "query.sample", "a whole number from 0 to 100");
        return false;
    }
    *out = (size_t)v;
    return true;
}

static void plan(enc_mreq *rq, enc_mres *rs, enc_spec *spec)
{
    size_t sample;
    if (!sample_of(rq, rs, &sample)) return;
    if (enc_mreq_masked(rq)) sample = 0; /* rendered messages hold names and addresses */
    enc_err err = {0};
    if (enc_campaign_plan_json(rq->st, spec, rq->now, sample, enc_mres_json(rs, 200), &err)) {
        if (err.rc == ENC_EDB) storage_error(rs, "plan", &err);
        else enc_mres_problem(rs, 400, "body", "%s", err.msg);
        return;
    }
    /* the sample holds rendered messages: personal data */
    if (sample) enc_mreq_audit(rq, "campaign.plan", spec->name, "sample of messages", 200);
}

void enc_h_campaign_plan_body(enc_mreq *rq, enc_mres *rs)
{
    enc_spec *spec = body_spec(rq, rs);
    if (!spec) return;
    plan(rq, rs, spec);
    enc_spec_free(spec);
}

/* the stored campaign's file, parsed (404 when there is none) */
static enc_spec *stored_spec(enc_mreq *rq, enc_mres *rs)
{
    enc_camp_row row;
    enc_err err = {0};
    if (enc_camp_get(rq->st, enc_mreq_param(rq, "name"), &row, &err)) {
        fail(rs, "campaign", &err, "path.name");
        return NULL;
    }
    enc_spec *spec = NULL;
    if (enc_spec_parse(row.spec, strlen(row.spec), rq->st, &spec, &err))
        enc_mres_problem(rs, 409, "path.name", "the stored file no longer checks: %s", err.msg);
    enc_camp_row_free(&row);
    return spec;
}

void enc_h_campaign_plan(enc_mreq *rq, enc_mres *rs)
{
    enc_spec *spec = stored_spec(rq, rs);
    if (!spec) return;
    plan(rq, rs, spec);
    enc_spec_free(spec);
}

void enc_h_campaign_start(enc_mreq *rq, enc_mres *rs)
{
    enc_spec *spec = stored_spec(rq, rs);
    if (!spec) return;
    enc_run_result r;
    enc_err err = {0};
    if (enc_campaign_start(rq->st, spec, rq->now, &r, &err)) {
        if (err.rc == ENC_EDB) storage_error(rs, "campaign start", &err);
        else enc_mres_problem(rs, 409, "path.name", "%s", err.msg);
    } else {
        enc_run_result_json(enc_mres_json(rs, 200), &r);
        enc_mreq_audit(rq, "campaign.start", spec->name, NULL, 200);
    }
    enc_spec_free(spec);
}

static void change(enc_mreq *rq, enc_mres *rs, const char *verb)
{
    const char *name = enc_mreq_param(rq, "name"), *to = NULL;
    int64_t cancelled = 0;
    enc_err err = {0};
    if (enc_campaign_change(rq->st, name, verb, rq->now, &to, &cancelled, &err)) {
        if (err.rc == ENC_EFAIL) enc_mres_problem(rs, 409, "path.name", "%s", err.msg);
        else fail(rs, "campaign", &err, "path.name");
        return;
    }
    enc_campaign_change_json(enc_mres_json(rs, 200), name, to, cancelled);
    char action[32];
    snprintf(action, sizeof action, "campaign.%s", verb);
    enc_mreq_audit(rq, action, name, NULL, 200);
}

void enc_h_campaign_pause(enc_mreq *rq, enc_mres *rs) { change(rq, rs, "pause"); }
void enc_h_campaign_resume(enc_mreq *rq, enc_mres *rs) { change(rq, rs, "resume"); }
void enc_h_campaign_stop(enc_mreq *rq, enc_mres *rs) { change(rq, rs, "stop"); }

void enc_h_campaign_report(enc_mreq *rq, enc_mres *rs)
{
    int64_t as_of = rq->now;
    const char *at = enc_mreq_query(rq, "at");
    if (at && !enc_parse_time(at, &as_of))
        return enc_mres_problem(rs, 400, "query.at", "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
    enc_campreport *r;
    enc_err err = {0};
    if (enc_campreport_build(rq->st, enc_mreq_param(rq, "name"), as_of, &r, &err))
        return fail(rs, "campaign report", &err, "path.name");
    enc_campreport_json(r, enc_mres_json(rs, 200));
    enc_campreport_free(r);
}

/* ---- playbooks -------------------------------------------------------------------------- */

void enc_h_playbooks_list(enc_mreq *rq, enc_mres *rs)
{
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "items");
    enc_jw_arr(w);
    for (int i = 0; i < enc_playbooks_count; i++) {
        json_t *doc = json_loads(enc_playbooks[i].text, 0, NULL);
        enc_jw_obj(w);
        enc_jw_kstr(w, "name", enc_playbooks[i].name);
        enc_jw_kstr(w, "description", json_string_value(json_object_get(doc, "description")));
        enc_jw_end(w);
        json_decref(doc);
    }
    enc_jw_end(w);
    enc_jw_key(w, "next_cursor");
    enc_jw_null(w);
    enc_jw_end(w);
}

void enc_h_playbook_get(enc_mreq *rq, enc_mres *rs)
{
    const enc_playbook *pb = enc_playbook_find(enc_mreq_param(rq, "name"));
    if (!pb) return enc_mres_problem(rs, 404, "path.name", "no such playbook");
    enc_mres_raw(rs, 200, "application/json", pb->text, strlen(pb->text));
}

/* ---- the contact policy, the measurement settings ----------------------------------------- */

static void policy_answer(enc_mres *rs, const enc_settings *set)
{
    enc_buf b = {0};
    enc_settings_json(set, &b);
    enc_mres_raw(rs, 200, "application/json", b.p ? b.p : "{}", b.len);
    enc_buf_free(&b);
}

void enc_h_policy_get(enc_mreq *rq, enc_mres *rs)
{
    enc_settings set;
    enc_err err = {0};
    if (enc_settings_load(rq->st, &set, &err)) return storage_error(rs, "policy", &err);
    policy_answer(rs, &set);
}

void enc_h_policy_put(enc_mreq *rq, enc_mres *rs)
{
    enc_settings set;
    enc_err err = {0};
    if (enc_settings_load(rq->st, &set, &err)) return storage_error(rs, "policy", &err);
    if (enc_settings_parse(rq->raw, rq->raw_len, &set, &err))
        return enc_mres_problem(rs, 400, "body", "%s", err.msg);
    if (enc_settings_save(rq->st, &set, &err)) return storage_error(rs, "policy", &err);
    policy_answer(rs, &set);
    enc_mreq_audit(rq, "policy.update", NULL, NULL, 200);
}

void enc_h_measurement_get(enc_mreq *rq, enc_mres *rs)
{
    enc_err err = {0};
    if (enc_mset_doc_json(rq->st, enc_mres_json(rs, 200), &err))
        storage_error(rs, "measurement", &err);
}

void enc_h_measurement_put(enc_mreq *rq, enc_mres *rs)
{
    enc_err err = {0};
    if (enc_mset_save(rq->st, rq->raw, rq->raw_len, &err)) {
        if (err.rc == ENC_EDB) return storage_error(rs, "measurement", &err);
        return enc_mres_problem(rs, 400, "body", "%s", err.msg);
    }
    enc_h_measurement_get(rq, rs);
    enc_mreq_audit(rq, "measurement.update", NULL, NULL, rs->status);
}

/* ---- deliverability ---------------------------------------------------------------------- */

static void deliv_rows(enc_mreq *rq, enc_jw *w, const char *key, const enc_deliv_row *r, size_t n,
                       bool messages)
{
    enc_jw_key(w, key);
    enc_jw_arr(w);
    for (size_t i = 0; i < n; i++) {
        enc_jw_obj(w);
        if (messages) {
            enc_jw_kint(w, "id", r[i].id);
            enc_jw_kstr(w, "campaign", r[i].campaign);
            enc_jw_kint(w, "customer_id", r[i].customer_id);
        }
        enc_jw_kstr(w, "channel", r[i].channel);
        const char *ch = r[i].channel ? r[i].channel : "";
        enc_mreq_personal(rq, w, "address", r[i].address,
                          strcmp(ch, "email") == 0 ? 'e'
                          : strcmp(ch, "sms") == 0 ? 'p'
                                                   : 'n');
        if (messages) {
            enc_jw_kint(w, "attempts", r[i].attempts);
            enc_jw_kstr(w, "error", r[i].error);
        } else {
            enc_jw_kstr(w, "reason", r[i].error);
            enc_jw_kstr(w, "source", r[i].campaign);
        }
        enc_jw_ktime(w, "at", r[i].at);
        enc_jw_end(w);
    }
    enc_jw_end(w);
}

void enc_h_deliverability(enc_mreq *rq, enc_mres *rs)
{
    enc_err err = {0};
    enc_outbox *ob = NULL;
    enc_outbox_count *counts = NULL;
    size_t nc = 0, nf = 0, nd = 0, ns = 0;
    enc_deliv_row *failed = NULL, *dead = NULL, *supp = NULL;
    int64_t total = 0;
    if (enc_outbox_open(rq->st, &ob, &err) || enc_outbox_counts(ob, NULL, &counts, &nc, &err) ||
        enc_deliv_messages(rq->st, "failed", 0, 50, &failed, &nf, &err) ||
        enc_deliv_messages(rq->st, "dead", 0, 50, &dead, &nd, &err) ||
        enc_deliv_suppressions(rq->st, 50, &supp, &ns, &total, &err)) {
        storage_error(rs, "deliverability", &err);
        goto out;
    }
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_key(w, "outbox");
    enc_jw_obj(w);
    for (size_t i = 0; i < nc; i++) {
        enc_jw_key(w, counts[i].channel);
        enc_jw_obj(w);
        for (int k = 0; k < ENC_MSG_NSTATES; k++)
            enc_jw_kint(w, enc_msg_state_name((enc_msg_state)k), counts[i].n[k]);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    deliv_rows(rq, w, "recent_failures", failed, nf, true);
    deliv_rows(rq, w, "dead_letters", dead, nd, true);
    enc_jw_kint(w, "suppressed", total);
    deliv_rows(rq, w, "suppressions", supp, ns, false);
    enc_jw_end(w);
out:
    free(counts);
    enc_outbox_close(ob);
    enc_deliv_rows_free(failed, nf);
    enc_deliv_rows_free(dead, nd);
    enc_deliv_rows_free(supp, ns);
}

void enc_h_dead_retry(enc_mreq *rq, enc_mres *rs)
{
    const char *ids = enc_mreq_param(rq, "id");
    char *end;
    long long id = strtoll(ids, &end, 10);
    if (*end || id <= 0 || strlen(ids) > 18)
        return enc_mres_problem(rs, 400, "path.id", "a message id (a positive whole number)");
    bool found;
    enc_err err = {0};
    if (enc_deliv_retry_dead(rq->st, id, rq->now, &found, &err))
        return storage_error(rs, "retry", &err);
    if (!found) return enc_mres_problem(rs, 404, "path.id", "no dead message with this id");
    enc_jw *w = enc_mres_json(rs, 200);
    enc_jw_obj(w);
    enc_jw_kint(w, "id", id);
    enc_jw_kstr(w, "state", "queued");
    enc_jw_end(w);
    enc_mreq_audit(rq, "outbox.retry", ids, NULL, 200);
}
