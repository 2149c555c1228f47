/* mdoc.h — the measurement settings as one document, the same through the CLI (`encore
 * campaign measure --json`) and the API (GET/PUT /v1/measurement): the shop-wide windows and
 * message costs in force, and each campaign's own. */
#ifndef ENCORE_MEASURE_MDOC_H
#define ENCORE_MEASURE_MDOC_H
#include "base/json.h"
#include "store/store.h"

/* {"windows": {...}, "message_cost": {...}, "campaigns": {"NAME": {...}}} */
enc_rc enc_mset_doc_json(enc_store *st, enc_jw *w, enc_err *err);
#endif
