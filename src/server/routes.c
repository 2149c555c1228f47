/* routes.c — the management API's route table: every method and path, the roles admitted,
 * the handler, the body's schema, the query parameters and the answer's schema name. It is
 * the one place where route x role is decided (server.c enforces it), and the OpenAPI
 * document (GET /v1/openapi.json) is generated from it. To add a route: a row here and a
 * handler in your own file (see mgmt.h). */
#include "server/handlers.h"
#include "server/api_views.h"
#include "server/api_privacy.h"

#define OWNER ENC_ROLE_OWNER
#define MARKETER ENC_ROLE_MARKETER
#define ANALYST ENC_ROLE_ANALYST
#define SUPPORT ENC_ROLE_SUPPORT
#define ANYONE 0u              /* no credentials */
#define ANY_USER ENC_ROLES_ALL /* any authenticated principal */
#define READERS (OWNER | MARKETER | ANALYST)
#define WRITERS (OWNER | MARKETER)

/* ---- request bodies ---------------------------------------------------------------------- */

static const enc_field login_fields[] = {
    {"email", ENC_F_STRING, true, ENC_EMAIL_MAX, "the user's email"},
    {"password", ENC_F_STRING, true, 256, "the user's password"},
    {NULL}};
const enc_schema enc_schema_login = {"Login", login_fields, "a console login"};

static const enc_field user_new_fields[] = {
    {"email", ENC_F_STRING, true, ENC_EMAIL_MAX, "the user's email (the login name)"},
    {"role", ENC_F_STRING, true, 16, "owner, marketer, analyst or support"},
    {"password", ENC_F_STRING, true, 256, "at least 10 characters"},
    {NULL}};
const enc_schema enc_schema_user_new = {"UserNew", user_new_fields, "a new console user"};

static const enc_field user_patch_fields[] = {
    {"role", ENC_F_STRING, false, 16, "a new role"},
    {"password", ENC_F_STRING, false, 256, "a new password (ends the user's sessions)"},
    {"disabled", ENC_F_BOOL, false, 0, "true disables the user (ends their sessions)"},
    {NULL}};
const enc_schema enc_schema_user_patch = {"UserPatch", user_patch_fields,
                                          "changes to a user; absent fields are kept"};

static const enc_field key_new_fields[] = {
    {"name", ENC_F_STRING, true, 100, "what the key is for"},
    {"role", ENC_F_STRING, true, 16, "owner, marketer, analyst or support"},
    {"expires", ENC_F_STRING, false, 32, "YYYY-MM-DD or an RFC 3339 time (UTC); absent: never"},
    {NULL}};
const enc_schema enc_schema_key_new = {"ApiKeyNew", key_new_fields, "a new API key"};

/* documents checked by their own readers (the same as the CLI's): any object here */
const enc_schema enc_schema_campaign = {
    "CampaignFile", NULL, "a campaign file (docs/campaigns.md), checked as `encore campaign plan`"};
const enc_schema enc_schema_policy = {
    "Policy", NULL, "the contact policy and shop settings, as `encore campaign policy FILE` reads"};
const enc_schema enc_schema_measurement = {
    "Measurement", NULL, "attribution windows and message costs (`encore campaign measure FILE`)"};

/* loyalty (issue 15, docs/loyalty.md): every write carries an idempotency key (an order's id is
 * its own) */
static const enc_field earn_fields[] = {
    {"order", ENC_F_STRING, false, 200, "the shop's order id: its points (a paid order, once)"},
    {"bonus", ENC_F_STRING, false, 16, "or a bonus: signup, birthday, review or nps"},
    {"key", ENC_F_STRING, false, 128, "idempotency key (bonus: required)"},
    {NULL}};
static const enc_schema enc_schema_points_earn = {"PointsEarn", earn_fields, "points earned"};
static const enc_field return_fields[] = {
    {"order", ENC_F_STRING, true, 200, "the returned order's id: its points are taken back"},
    {NULL}};
static const enc_schema enc_schema_points_return = {"PointsReturn", return_fields, "a return"};
static const enc_field adjust_fields[] = {
    {"points", ENC_F_INT, true, 0, "points to add (positive) or take (negative)"},
    {"reason", ENC_F_STRING, true, 500, "why"},
    {"key", ENC_F_STRING, true, 128, "idempotency key"},
    {NULL}};
static const enc_schema enc_schema_points_adjust = {"PointsAdjust", adjust_fields,
                                                    "a manual adjustment"};
static const enc_field redeem_fields[] = {
    {"reward", ENC_F_STRING, false, 100, "a reward of the programme's catalogue"},
    {"points", ENC_F_INT, false, 0, "or a number of points"},
    {"key", ENC_F_STRING, true, 128, "idempotency key"},
    {NULL}};
static const enc_schema enc_schema_points_redeem = {"PointsRedeem", redeem_fields, "a redemption"};
static const enc_field reverse_fields[] = {{"entry", ENC_F_INT, true, 0, "the redemption's entry"},
                                           {"key", ENC_F_STRING, true, 128, "idempotency key"},
                                           {NULL}};
static const enc_schema enc_schema_points_reverse = {"PointsReverse", reverse_fields,
                                                     "the reversal of a redemption"};

/* ---- query parameters ---------------------------------------------------------------------- */

static const enc_qparam audit_q[] = {
    {"since", ENC_F_STRING, "entries at or after this time (YYYY-MM-DD or RFC 3339, UTC)"},
    {"actor", ENC_F_STRING, "only this actor (\"user:EMAIL\", \"key:ID:NAME\")"},
    {"action", ENC_F_STRING, "only this action, or a prefix ending in '.' (\"user.\")"},
    {NULL}};

static const enc_qparam sample_q[] = {
    {"sample", ENC_F_INT, "rendered messages to show (0 to 100, default 5)"}, {NULL}};
static const enc_qparam report_q[] = {
    {"at", ENC_F_STRING, "the report as of this time (default now)"}, {NULL}};
static const enc_qparam jobs_q[] = {
    {"kind", ENC_F_STRING, "score, or import (with table)"},
    {"table", ENC_F_STRING, "import: customers, products, orders, events, feedback or consents"},
    {NULL}};
static const enc_qparam customers_q[] = {
    {"q", ENC_F_STRING, "a customer id, email or phone, or the start of a name (any case)"},
    {NULL}};
static const enc_qparam customer_q[] = {
    {"recent", ENC_F_INT,
     "rows in each list of recent orders, events, feedback, messages (1-500, "
     "default 20)"},
    {"recommendations", ENC_F_STRING,
     "true: build the recommendation model for this answer (seconds on a big store)"},
    {NULL}};
static const enc_qparam kpis_q[] = {
    {"interval", ENC_F_STRING, "day, week or month (default month)"},
    {"from", ENC_F_STRING,
     "the first period: 2026-12-07, 2026-W49 or 2026-12 (default: the "
     "first with an order)"},
    {"to", ENC_F_STRING, "the last period, written as from (default: the last with an order)"},
    {NULL}};
static const enc_qparam by_q[] = {
    {"by", ENC_F_STRING,
     "rfm (default), rfm_cn, lifecycle, cluster or tag (migration: rfm, rfm_cn or "
     "lifecycle)"},
    {NULL}};
static const enc_qparam cohorts_q[] = {{"period", ENC_F_STRING, "month (default) or week"}, {NULL}};
static const enc_qparam ranked_q[] = {
    {"at", ENC_F_STRING, "measure as of this time (YYYY-MM-DD or RFC 3339, UTC); default now"},
    {NULL}};

/* ---- the table --------------------------------------------------------------------------- */

const enc_route enc_routes[] = {
    /* sessions */
    {"POST", "/v1/session", ANYONE, enc_h_session_login, "Log in (sets the session cookie)",
     &enc_schema_login, "Session", NULL, ENC_ROUTE_LOGIN, 200},
    {"GET", "/v1/session", ANY_USER, enc_h_session_get, "Who am I", NULL, "Session", NULL, 0, 200},
    {"DELETE", "/v1/session", ANY_USER, enc_h_session_logout, "Log out", NULL, "Ok", NULL, 0, 200},

    /* the store */
    {"GET", "/v1/stats", READERS, enc_h_stats, "What the store holds (encore stats --json)", NULL,
     "Stats", NULL, 0, 200},

    /* campaigns */
    {"GET", "/v1/campaigns", READERS, enc_h_campaigns_list,
     "Campaigns with state and headline metrics", NULL, "CampaignPage", NULL, ENC_ROUTE_PAGED, 200},
    {"POST", "/v1/campaigns", WRITERS, enc_h_campaign_create, "Add a campaign (a draft)",
     &enc_schema_campaign, "Campaign", NULL, 0, 201},
    {"POST", "/v1/campaigns/plan", READERS, enc_h_campaign_plan_body,
     "Dry run of a campaign file (encore campaign plan --json)", &enc_schema_campaign, "Plan",
     sample_q, 0, 200},
    {"GET", "/v1/campaigns/{name}", READERS, enc_h_campaign_get,
     "One campaign (encore campaign show --json)", NULL, "Campaign", NULL, 0, 200},
    {"PUT", "/v1/campaigns/{name}", WRITERS, enc_h_campaign_put, "Replace a campaign's file",
     &enc_schema_campaign, "Campaign", NULL, 0, 200},
    {"POST", "/v1/campaigns/{name}/plan", READERS, enc_h_campaign_plan,
     "Dry run of a stored campaign", NULL, "Plan", sample_q, 0, 200},
    {"POST", "/v1/campaigns/{name}/start", WRITERS, enc_h_campaign_start,
     "Start (plan up to now, write the outbox)", NULL, "RunResult", NULL, 0, 200},
    {"POST", "/v1/campaigns/{name}/pause", WRITERS, enc_h_campaign_pause, "Pause", NULL,
     "StateChange", NULL, 0, 200},
    {"POST", "/v1/campaigns/{name}/resume", WRITERS, enc_h_campaign_resume, "Resume", NULL,
     "StateChange", NULL, 0, 200},
    {"POST", "/v1/campaigns/{name}/stop", WRITERS, enc_h_campaign_stop,
     "Stop (queued messages cancelled)", NULL, "StateChange", NULL, 0, 200},
    {"GET", "/v1/campaigns/{name}/report", READERS, enc_h_campaign_report,
     "Measured results (encore campaign report --json)", NULL, "Report", report_q, 0, 200},
    {"GET", "/v1/playbooks", READERS, enc_h_playbooks_list, "The built-in playbooks", NULL,
     "PlaybookPage", NULL, 0, 200},
    {"GET", "/v1/playbooks/{name}", READERS, enc_h_playbook_get, "A playbook's campaign file", NULL,
     "CampaignFile", NULL, 0, 200},
    {"GET", "/v1/policy", READERS, enc_h_policy_get, "The contact policy", NULL, "Policy", NULL, 0,
     200},
    {"PUT", "/v1/policy", WRITERS, enc_h_policy_put, "Change the contact policy",
     &enc_schema_policy, "Policy", NULL, 0, 200},
    {"GET", "/v1/measurement", READERS, enc_h_measurement_get,
     "Attribution windows and message costs", NULL, "MeasurementSettings", NULL, 0, 200},
    {"PUT", "/v1/measurement", WRITERS, enc_h_measurement_put,
     "Change attribution windows and message costs", &enc_schema_measurement, "MeasurementSettings",
     NULL, 0, 200},
    {"GET", "/v1/deliverability", READERS, enc_h_deliverability,
     "Outbox depth by state and channel, failures, dead letters, suppressions", NULL,
     "Deliverability", NULL, ENC_ROUTE_PERSONAL, 200},
    {"POST", "/v1/deliverability/dead/{id}/retry", WRITERS, enc_h_dead_retry,
     "Put a dead letter back in the queue", NULL, "Retried", NULL, 0, 200},

    /* jobs */
    {"GET", "/v1/jobs", READERS, enc_h_jobs_list, "Jobs, newest first", NULL, "JobPage", NULL,
     ENC_ROUTE_PAGED, 200},
    {"POST", "/v1/jobs", WRITERS, enc_h_jobs_create,
     "Start a job: ?kind=score, or ?kind=import&table=T with a CSV body", NULL, "Job", jobs_q,
     ENC_ROUTE_UPLOAD, 202},
    {"GET", "/v1/jobs/{id}", READERS, enc_h_job_get, "One job: state, progress, result", NULL,
     "Job", NULL, 0, 200},

    /* users, keys, audit: owners */
    {"GET", "/v1/users", OWNER, enc_h_users_list, "List users", NULL, "UserPage", NULL,
     ENC_ROUTE_PAGED, 200},
    {"POST", "/v1/users", OWNER, enc_h_users_add, "Add a user", &enc_schema_user_new, "User", NULL,
     0, 201},
    {"PATCH", "/v1/users/{email}", OWNER, enc_h_users_patch,
     "Change a user's role or password, or disable them", &enc_schema_user_patch, "User", NULL, 0,
     200},
    {"GET", "/v1/apikeys", OWNER, enc_h_keys_list, "List API keys", NULL, "ApiKeyPage", NULL,
     ENC_ROUTE_PAGED, 200},
    {"POST", "/v1/apikeys", OWNER, enc_h_keys_create, "Create an API key (shown once)",
     &enc_schema_key_new, "ApiKeyCreated", NULL, 0, 201},
    {"DELETE", "/v1/apikeys/{id}", OWNER, enc_h_keys_revoke, "Revoke an API key", NULL, "Ok", NULL,
     0, 200},
    {"GET", "/v1/audit", OWNER, enc_h_audit_list, "The audit log, newest first", NULL, "AuditPage",
     audit_q, ENC_ROUTE_PAGED, 200},

    /* customers (api_customers.c) */
    {"GET", "/v1/customers", READERS | SUPPORT, enc_h_customers_search,
     "Search customers by id, email, phone or name prefix", NULL, "CustomerPage", customers_q,
     ENC_ROUTE_PAGED | ENC_ROUTE_PERSONAL, 200},
    {"GET", "/v1/customers/{id}", READERS | SUPPORT, enc_h_customer_view,
     "The 360-degree view of one customer (encore customer ID --json)", NULL, "Customer",
     customer_q, ENC_ROUTE_PERSONAL, 200},
    {"POST", "/v1/customers/{id}/consents", OWNER | MARKETER | SUPPORT, enc_h_customer_consent,
     "Append a consent change to the customer's ledger", &enc_schema_consent, "Consent", NULL, 0,
     201},
    /* privacy (api_privacy.c, docs/privacy.md) */
    {"DELETE", "/v1/customers/{id}", OWNER, enc_h_customer_erase,
     "Erase a customer (encore customer erase): personal data deleted, orders kept pseudonymous",
     NULL, "Erased", enc_erase_q, 0, 200},
    {"GET", "/v1/customers/{id}/export", OWNER | SUPPORT, enc_h_customer_export,
     "Everything held about a customer (encore customer export)", NULL, NULL, NULL,
     ENC_ROUTE_PERSONAL, 200},

    /* segments (api_segments.c) */
    {"GET", "/v1/segments/fields", READERS, enc_h_segments_fields,
     "The segment language's fields and functions", NULL, "SegmentFields", NULL, 0, 200},
    {"POST", "/v1/segments/count", READERS, enc_h_segments_count,
     "Count an expression's customers, with a sample", &enc_schema_segment_count, "SegmentCount",
     NULL, ENC_ROUTE_PERSONAL, 200},
    {"GET", "/v1/segments", READERS, enc_h_segments_list, "The saved segments", NULL, "SegmentList",
     NULL, 0, 200},
    {"POST", "/v1/segments", WRITERS, enc_h_segments_create, "Save a new segment",
     &enc_schema_segment_new, "Segment", NULL, 0, 201},
    {"GET", "/v1/segments/{name}", READERS, enc_h_segment_get, "One saved segment", NULL, "Segment",
     NULL, 0, 200},
    {"PUT", "/v1/segments/{name}", WRITERS, enc_h_segment_put, "Save (create or replace) a segment",
     &enc_schema_segment_put, "Segment", NULL, 0, 200},
    {"POST", "/v1/segments/{name}/export", WRITERS, enc_h_segment_export,
     "Export a saved segment's customers as CSV (a job)", NULL, "Job", NULL, 0, 202},
    {"GET", "/v1/segments/{name}/export/{id}", WRITERS, enc_h_segment_export_get,
     "The CSV file of a finished export job", NULL, NULL, NULL, ENC_ROUTE_TEXT | ENC_ROUTE_PERSONAL,
     200},
    {"DELETE", "/v1/segments/{name}", WRITERS, enc_h_segment_delete,
     "Delete a segment no other segment uses", NULL, "Ok", NULL, 0, 200},

    /* analytics (api_analytics.c) */
    {"GET", "/v1/analytics/kpis", READERS, enc_h_analytics_kpis,
     "Revenue, orders, AOV, active/new customers, repurchase rate per period (encore kpis)", NULL,
     "Kpis", kpis_q, 0, 200},
    {"GET", "/v1/analytics/distribution", READERS, enc_h_analytics_distribution,
     "Customers, revenue share and mean CLV per segment (encore segments)", NULL, "Distribution",
     by_q, 0, 200},
    {"GET", "/v1/analytics/migration", READERS, enc_h_analytics_migration,
     "Segment moves between the two latest scoring runs (encore segments --migration)", NULL,
     "Migration", by_q, 0, 200},
    {"GET", "/v1/analytics/cohorts", READERS, enc_h_analytics_cohorts,
     "Cohort retention (encore cohorts)", NULL, "Cohorts", cohorts_q, 0, 200},
    {"GET", "/v1/analytics/campaigns", READERS, enc_h_analytics_campaigns,
     "Every started campaign ranked by incremental revenue (as encore campaign report)", NULL,
     "CampaignRanking", ranked_q, 0, 200},

    /* loyalty: members' points and tiers, for POS and apps (docs/loyalty.md) */
    {"GET", "/v1/members/{id}/points", READERS | SUPPORT, enc_h_member_points,
     "A member's balance, open lots with expiry, tier and gap to the next", NULL, NULL, NULL, 0,
     200},
    {"GET", "/v1/members/{id}/points/history", READERS | SUPPORT, enc_h_member_points_history,
     "A member's points entries, oldest first", NULL, NULL, NULL, 0, 200},
    {"GET", "/v1/members/{id}/tiers", READERS | SUPPORT, enc_h_member_tiers,
     "A member's tier changes", NULL, NULL, NULL, 0, 200},
    {"POST", "/v1/members/{id}/points/earn", WRITERS | SUPPORT, enc_h_member_points_earn,
     "Earn the points of a paid order, or a bonus", &enc_schema_points_earn, NULL, NULL, 0, 201},
    {"POST", "/v1/members/{id}/points/return", WRITERS | SUPPORT, enc_h_member_points_return,
     "Take back the points of a returned order", &enc_schema_points_return, NULL, NULL, 0, 201},
    {"POST", "/v1/members/{id}/points/adjust", WRITERS | SUPPORT, enc_h_member_points_adjust,
     "A manual adjustment with its reason", &enc_schema_points_adjust, NULL, NULL, 0, 201},
    {"POST", "/v1/members/{id}/points/redeem", WRITERS | SUPPORT, enc_h_member_points_redeem,
     "Redeem points for a reward (over the balance: 409)", &enc_schema_points_redeem, NULL, NULL, 0,
     201},
    {"POST", "/v1/members/{id}/points/reverse", WRITERS | SUPPORT, enc_h_member_points_reverse,
     "Reverse a redemption (once)", &enc_schema_points_reverse, NULL, NULL, 0, 201},

    /* the contract and operations */
    {"GET", "/v1/openapi.json", ANYONE, enc_h_openapi, "This API's OpenAPI 3.1 document", NULL,
     NULL, NULL, 0, 200},
    {"GET", "/metrics", ANYONE, enc_h_metrics, "Prometheus metrics (text format 0.0.4)", NULL, NULL,
     NULL, ENC_ROUTE_TEXT, 200},
    {"GET", "/readyz", ANYONE, enc_h_readyz,
     "Ready: the store opens and its migrations are current", NULL, "Ready", NULL, 0, 200},

    /* delivery channels' settings (h_channels.c; branch apicon) */
    {"GET", "/v1/settings/channels", WRITERS, enc_h_channels_get,
     "The delivery channels: enabled, sender, rate, quiet hours, options; secrets as set or not",
     NULL, "ChannelSettings", NULL, 0, 200},
    {"PUT", "/v1/settings/channels", OWNER, enc_h_channels_put,
     "Change channels in the delivery configuration (secrets write-only)", &enc_schema_channels_put,
     "ChannelSettings", NULL, 0, 200},
    {"POST", "/v1/settings/channels/{channel}/test", WRITERS, enc_h_channel_test,
     "Send one test message through a configured channel to an address", &enc_schema_channel_test,
     "ChannelTest", NULL, 0, 200},
};

const size_t enc_routes_count = sizeof enc_routes / sizeof *enc_routes;
