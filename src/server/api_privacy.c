/* api_privacy.c — DELETE /v1/customers/{id} and GET /v1/customers/{id}/export (api_privacy.h),
 * through the calls the CLI makes (privacy/erase.h, privacy/export.h). The erasure is audited by
 * the store in its own transaction (who, when, the reason; target "#N", never the id as given). */
#include "server/api_privacy.h"
#include "privacy/erase.h"
#include "privacy/export.h"
#include "server/api_views.h"
#include <stdio.h>
#include <string.h>

const enc_qparam enc_erase_q[] = {
    {"reason", ENC_F_STRING, "why (kept in the audit log: no personal data; at most 500 bytes)"},
    {NULL}};

void enc_h_customer_erase(enc_mreq *rq, enc_mres *rs)
{
    const char *reason = enc_mreq_query(rq, "reason");
    if (reason && strlen(reason) > 500)
        return enc_mres_problem(rs, 400, "query.reason", "longer than 500 bytes");
    int64_t id = enc__api_customer_of(rq, rs);
    if (!id) return;
    enc_erase_opts o = {.reason = reason && *reason ? reason : NULL,
                        .actor = rq->who.name,
                        .role = enc_role_name(rq->who.role),
                        .client = rq->client,
                        .status = 200,
                        .now = rq->now};
    enc_erase_result r;
    enc_err err = {0};
    if (enc_privacy_erase(rq->st, id, &o, &r, &err)) {
        if (err.rc == ENC_EUSAGE)
            return enc_mres_problem(
                rs, strstr(err.msg, "the reason holds") ? 400 : 409,
                strstr(err.msg, "the reason holds") ? "query.reason" : "path.id", "%s", err.msg);
        return enc__api_fail(rs, "erase", &err);
    }
    enc_privacy_erased_json(&r, id, enc_mres_json(rs, 200));
}

void enc_h_customer_export(enc_mreq *rq, enc_mres *rs)
{
    int64_t id = enc__api_customer_of(rq, rs);
    if (!id) return;
    enc_err err = {0};
    if (enc_privacy_export(rq->st, id, rq->now, enc_mres_json(rs, 200), &err))
        return enc__api_fail(rs, "export", &err);
    char target[32];
    snprintf(target, sizeof target, "#%lld", (long long)id);
    enc_mreq_audit(rq, "customer.export", target, NULL, 200);
}
