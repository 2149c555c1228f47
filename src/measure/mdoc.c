/* mdoc.c — see mdoc.h. */
#include "measure/mdoc.h"
#include "measure/msettings.h"
#include <jansson.h>
#include <stdlib.h>

enc_rc enc_mset_doc_json(enc_store *st, enc_jw *w, enc_err *err)
{
    enc_mset shop;
    char *text = NULL;
    if (enc_mset_load(st, NULL, &shop, err) || enc_mset_text(st, &text, err)) return err->rc;
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *camps = json_object_get(doc, "campaigns");
    const char *name;
    json_t *v;
    enc_jw_obj(w);
    enc_mset_json(&shop, w);
    enc_jw_key(w, "campaigns");
    enc_jw_obj(w);
    enc_rc rc = ENC_OK;
    json_object_foreach(camps, name, v)
    {
        enc_mset c;
        if (!rc) rc = enc_mset_load(st, name, &c, err);
        if (rc) break;
        enc_jw_key(w, name);
        enc_jw_obj(w);
        enc_mset_json(&c, w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_end(w);
    json_decref(doc);
    return rc;
}
