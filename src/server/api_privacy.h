/* api_privacy.h — the data subject's rights through the management API (issue 16,
 * docs/privacy.md), rows in routes.c: DELETE /v1/customers/{id} (owners: the erasure of `encore
 * customer erase`) and GET /v1/customers/{id}/export (the document of `encore customer
 * export`). */
#ifndef ENCORE_API_PRIVACY_H
#define ENCORE_API_PRIVACY_H
#include "server/mgmt.h"

void enc_h_customer_erase(enc_mreq *rq, enc_mres *rs);
void enc_h_customer_export(enc_mreq *rq, enc_mres *rs);
extern const enc_qparam enc_erase_q[];
#endif
