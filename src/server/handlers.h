/* handlers.h — the management API's handlers, one group a file (src/server/h_*.c), listed in
 * the route table (routes.c). Each follows the contract of mgmt.h. */
#ifndef ENCORE_HANDLERS_H
#define ENCORE_HANDLERS_H
#include "server/mgmt.h"

/* h_admin.c: sessions, users, API keys, the audit log */
void enc_h_session_login(enc_mreq *rq, enc_mres *rs);
void enc_h_session_get(enc_mreq *rq, enc_mres *rs);
void enc_h_session_logout(enc_mreq *rq, enc_mres *rs);
void enc_h_users_list(enc_mreq *rq, enc_mres *rs);
void enc_h_users_add(enc_mreq *rq, enc_mres *rs);
void enc_h_users_patch(enc_mreq *rq, enc_mres *rs);
void enc_h_keys_list(enc_mreq *rq, enc_mres *rs);
void enc_h_keys_create(enc_mreq *rq, enc_mres *rs);
void enc_h_keys_revoke(enc_mreq *rq, enc_mres *rs);
void enc_h_audit_list(enc_mreq *rq, enc_mres *rs);

/* h_ops.c: the contract, the store's counts, metrics, readiness */
void enc_h_openapi(enc_mreq *rq, enc_mres *rs);
void enc_h_stats(enc_mreq *rq, enc_mres *rs);
void enc_h_metrics(enc_mreq *rq, enc_mres *rs);
void enc_h_readyz(enc_mreq *rq, enc_mres *rs);

/* h_campaigns.c: campaigns, playbooks, policy, measurement, deliverability */
void enc_h_campaigns_list(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_get(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_create(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_put(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_plan_body(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_plan(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_start(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_pause(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_resume(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_stop(enc_mreq *rq, enc_mres *rs);
void enc_h_campaign_report(enc_mreq *rq, enc_mres *rs);
void enc_h_playbooks_list(enc_mreq *rq, enc_mres *rs);
void enc_h_playbook_get(enc_mreq *rq, enc_mres *rs);
void enc_h_policy_get(enc_mreq *rq, enc_mres *rs);
void enc_h_policy_put(enc_mreq *rq, enc_mres *rs);
void enc_h_measurement_get(enc_mreq *rq, enc_mres *rs);
void enc_h_measurement_put(enc_mreq *rq, enc_mres *rs);
void enc_h_deliverability(enc_mreq *rq, enc_mres *rs);
void enc_h_dead_retry(enc_mreq *rq, enc_mres *rs);

/* h_jobs.c: jobs (a score run, a CSV import) on the one job runner thread */
void enc_h_jobs_list(enc_mreq *rq, enc_mres *rs);
void enc_h_jobs_create(enc_mreq *rq, enc_mres *rs);
void enc_h_job_get(enc_mreq *rq, enc_mres *rs);

/* h_channels.c: the delivery channels' settings, in the delivery configuration file */
void enc_h_channels_get(enc_mreq *rq, enc_mres *rs);
void enc_h_channels_put(enc_mreq *rq, enc_mres *rs);
void enc_h_channel_test(enc_mreq *rq, enc_mres *rs);
extern const enc_schema enc_schema_channels_put, enc_schema_channel_test;
/* server.c: the delivery configuration file and the store of the request's server */
const char *enc_server_delivery_config(void *srv);
const char *const *enc_server_delivery_sets(void *srv, size_t *n);
const char *enc_server_db_path(void *srv);

/* the document of `encore stats --json` (the CLI and GET /v1/stats) */
enc_rc enc_stats_json(enc_store *st, enc_jw *w, enc_err *err);
/* the OpenAPI 3.1 document of the route table (caller json_decref's it) */
json_t *enc_openapi_doc(void);

/* schemas of request bodies (routes.c) */
extern const enc_schema enc_schema_login, enc_schema_user_new, enc_schema_user_patch,
    enc_schema_key_new, enc_schema_campaign, enc_schema_policy, enc_schema_measurement;
/* h_loyalty.c: members' points and tiers (issue 15, docs/loyalty.md) */
void enc_h_member_points(enc_mreq *rq, enc_mres *rs);
void enc_h_member_points_history(enc_mreq *rq, enc_mres *rs);
void enc_h_member_tiers(enc_mreq *rq, enc_mres *rs);
void enc_h_member_points_earn(enc_mreq *rq, enc_mres *rs);
void enc_h_member_points_return(enc_mreq *rq, enc_mres *rs);
void enc_h_member_points_adjust(enc_mreq *rq, enc_mres *rs);
void enc_h_member_points_redeem(enc_mreq *rq, enc_mres *rs);
void enc_h_member_points_reverse(enc_mreq *rq, enc_mres *rs);
#endif
