/* export.h — the data-subject export (GDPR Art. 15 and 20, PIPL Art. 45; issue 16): one JSON
 * document with everything the store holds about a customer, the same from `encore customer
 * export` and GET /v1/customers/{id}/export. docs/privacy.md describes its sections. */
#ifndef ENCORE_PRIVACY_EXPORT_H
#define ENCORE_PRIVACY_EXPORT_H
#include "base/json.h"
#include "store/store.h"

#define ENC_EXPORT_FORMAT "encore-subject-export/1"

/* Writes the document of customer (a current customer id) as one JSON object: format,
 * customer ("#N"), exported_at, then a section per table that names a customer
 * (store/privacy.h, enc_store_subject_export). */
enc_rc enc_privacy_export(enc_store *st, int64_t customer, int64_t now, enc_jw *w, enc_err *err);
#endif
