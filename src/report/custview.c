/* custview.c — the 360° customer view and the customer search as documents (see custview.h). */
#include "report/custview.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mask.h"
#include "ingest/clean.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enc_rc enc_custview_find(enc_store *st, const char *who, int64_t *id, enc_err *err)
{
    char clean[320];
    const char *why;
    enc_rc rc = ENC_OK;
    *id = 0;
    if (!who || !*who) return ENC_OK;
    size_t n = strlen(who);
    if (who[0] == '#') rc = enc_store_customer_lookup(st, "id", who + 1, id, err);
    if (!rc && !*id && enc_clean_id(who, n, clean, sizeof clean, &why))
        rc = enc_store_customer_lookup(st, "ext", clean, id, err);
    if (!rc && !*id && strchr(who, '@') && enc_clean_email(who, n, clean, sizeof clean, &why))
        rc = enc_store_customer_lookup(st, "email", clean, id, err);
    if (!rc && !*id && enc_clean_phone(who, n, NULL, clean, sizeof clean, &why))
        rc = enc_store_customer_lookup(st, "phone", clean, id, err);
    return rc;
}

static void recommendations(const enc_rec_model *m, enc_rec_ws *ws, int64_t id, int nrec, enc_jw *w)
{
    enc_jw_key(w, "recommendations");
    ptrdiff_t c = m ? enc_snapshot_find(m->s, id) : -1;
    if (!m || !ws) {
        enc_jw_null(w);
        return;
    }
    enc_jw_arr(w);
    enc_rec_item items[50];
    size_t n = c < 0 ? 0
                     : enc_rec_recommend(m, ENC_REC_PERSONAL, (size_t)c, ws,
                                         nrec > 0 && nrec <= 50 ? (size_t)nrec : 10, items);
    for (size_t i = 0; i < n; i++) {
        const enc_snapshot *s = m->s;
        char why[256];
        enc_rec_reason_text(m, &items[i], why, sizeof why);
        enc_jw_obj(w);
        enc_jw_kstr(w, "sku", s->prod_sku ? s->prod_sku[items[i].prod] : NULL);
        enc_jw_kstr(w, "name", s->prod_name ? s->prod_name[items[i].prod] : NULL);
        enc_jw_kround(w, "score", items[i].score, ENC_DP_RATE);
        enc_jw_kstr(w, "reason", enc_rec_reason_name((enc_rec_reason)items[i].reason));
        enc_jw_kstr(w, "because", why);
        enc_jw_end(w);
    }
    enc_jw_end(w);
}

enc_rc enc_custview_json(enc_store *st, int64_t id, const enc_custview_opts *o,
                         const enc_rec_model *m, enc_rec_ws *ws, int nrec, enc_jw *w, enc_err *err)
{
    if (enc_store_customer_view(st, id, o, w, err)) return err->rc;
    recommendations(m, ws, id, nrec, w);
    enc_jw_end(w);
    return ENC_OK;
}

enc_rc enc_custview_search_json(enc_store *st, const char *q, int64_t after, int limit,
                                const enc_custview_opts *o, enc_jw *w, bool *more, int64_t *last,
                                enc_err *err)
{
    *more = false, *last = 0;
    if (limit < 1 || limit > 500) return enc_fail(err, ENC_EUSAGE, "limit: 1 to 500");
    if (q && strlen(q) > 256) return enc_fail(err, ENC_EUSAGE, "q: longer than 256 bytes");
    char email[320] = "", phone[64] = "";
    const char *why;
    size_t n = q ? strlen(q) : 0;
    bool has_email = n && strchr(q, '@') && enc_clean_email(q, n, email, sizeof email, &why);
    bool has_phone = n && enc_clean_phone(q, n, NULL, phone, sizeof phone, &why);
    char ext[320] = "";
    const char *qq = q ? q : "";
    if (n && enc_clean_id(q, n, ext, sizeof ext, &why)) qq = ext;
    enc_customer_hit *h;
    size_t k;
    if (enc_store_customer_search(st, qq, has_email ? email : NULL, has_phone ? phone : NULL, after,
                                  limit, &h, &k, more, err))
        return err->rc;
    enc_jw_obj(w);
    enc_jw_key(w, "items");
    enc_jw_arr(w);
    for (size_t i = 0; i < k; i++) {
        char m[128];
        enc_jw_obj(w);
        enc_jw_kint(w, "id", h[i].id);
        enc_jw_kstr(w, "customer_id", h[i].external_id);
#define PERSONAL(key, val, fn)                                                                     \
    if ((val) && o->mask) fn((val), m, sizeof m), enc_jw_kstr(w, key, m);                          \
    else enc_jw_kstr(w, key, (val));
        PERSONAL("name", h[i].name, enc_mask_name)
        PERSONAL("email", h[i].email, enc_mask_email)
        PERSONAL("phone", h[i].phone, enc_mask_phone)
#undef PERSONAL
        enc_jw_kint(w, "orders", h[i].orders);
        enc_jw_key(w, "revenue");
        enc_jw_money(w, h[i].revenue, o->digits);
        enc_jw_key(w, "last_order");
        if (h[i].last_order) {
            char b[40];
            enc_fmt_datetime(b, sizeof b, h[i].last_order);
            if (strlen(b) == 19) b[10] = 'T', b[19] = 'Z', b[20] = 0;
            enc_jw_str(w, b);
        } else enc_jw_null(w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_kstr(w, "currency", o->currency);
    if (k) *last = h[k - 1].id;
    if (!k) *more = false;
    enc_store_customer_hits_free(h, k);
    return ENC_OK;
}
