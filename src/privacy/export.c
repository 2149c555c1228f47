/* export.c — the data-subject export document (export.h). */
#include "privacy/export.h"
#include "store/privacy.h"
#include <stdio.h>

enc_rc enc_privacy_export(enc_store *st, int64_t customer, int64_t now, enc_jw *w, enc_err *err)
{
    char id[32];
    snprintf(id, sizeof id, "#%lld", (long long)customer);
    enc_jw_obj(w);
    enc_jw_kstr(w, "format", ENC_EXPORT_FORMAT);
    enc_jw_kstr(w, "customer", id);
    enc_jw_kint(w, "exported_at", now);
    enc_rc rc = enc_store_subject_export(st, customer, w, err);
    enc_jw_end(w);
    return rc;
}
