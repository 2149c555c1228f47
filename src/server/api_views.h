/* api_views.h — the management API's customer, segment and analytics handlers (api_customers.c,
 * api_segments.c, api_analytics.c), rows in routes.c. Each answers the same document as the
 * CLI command named beside it, through the same library call. */
#ifndef ENCORE_API_VIEWS_H
#define ENCORE_API_VIEWS_H
#include "server/mgmt.h"

/* api_customers.c: GET /v1/customers (encore customer --search), GET /v1/customers/{id}
 * (encore customer ID --json), POST /v1/customers/{id}/consents */
void enc_h_customers_search(enc_mreq *rq, enc_mres *rs);
void enc_h_customer_view(enc_mreq *rq, enc_mres *rs);
void enc_h_customer_consent(enc_mreq *rq, enc_mres *rs);

/* api_segments.c: the segment editor (encore audience fields|preview|save|list|show|delete) */
void enc_h_segments_fields(enc_mreq *rq, enc_mres *rs);
void enc_h_segments_count(enc_mreq *rq, enc_mres *rs);
void enc_h_segments_list(enc_mreq *rq, enc_mres *rs);
void enc_h_segments_create(enc_mreq *rq, enc_mres *rs);
void enc_h_segment_get(enc_mreq *rq, enc_mres *rs);
void enc_h_segment_put(enc_mreq *rq, enc_mres *rs);
void enc_h_segment_delete(enc_mreq *rq, enc_mres *rs);
/* POST /v1/segments/{name}/export: a job (202, Location /v1/jobs/{id}) writing the segment's
 * customers as CSV beside the store; GET /v1/segments/{name}/export/{id}: the file (text/csv) */
void enc_h_segment_export(enc_mreq *rq, enc_mres *rs);
void enc_h_segment_export_get(enc_mreq *rq, enc_mres *rs);
/* The export job's work on the runner's connection (h_jobs.c calls it): out gets the result
 * document {"segment", "rows", "file"}. */
enc_rc enc__segment_export_run(const char *db_path, enc_store *st, int64_t id, const char *name,
                               enc_buf *out, enc_err *err);

/* api_analytics.c: encore kpis, segments [--migration], cohorts (--json) */
void enc_h_analytics_kpis(enc_mreq *rq, enc_mres *rs);
void enc_h_analytics_distribution(enc_mreq *rq, enc_mres *rs);
void enc_h_analytics_migration(enc_mreq *rq, enc_mres *rs);
void enc_h_analytics_cohorts(enc_mreq *rq, enc_mres *rs);
/* every started campaign measured as encore campaign report NAME --json, ranked */
void enc_h_analytics_campaigns(enc_mreq *rq, enc_mres *rs);

/* The shop's currency code (cap >= 8; "" when the orders name none) and its decimals (2 when
 * unknown), as the CLI takes them. */
void enc__api_money(enc_store *st, char *currency, size_t cap, int *digits);
/* The customer of path.id (as `encore customer` finds it), or 0 with 400 or 404 answered. */
int64_t enc__api_customer_of(enc_mreq *rq, enc_mres *rs);
/* A storage failure: logged without personal data, answered 500. */
void enc__api_fail(enc_mres *rs, const char *what, const enc_err *err);

extern const enc_schema enc_schema_consent, enc_schema_segment_count, enc_schema_segment_new,
    enc_schema_segment_put;
#endif
