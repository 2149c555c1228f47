/* api_customers.c — GET /v1/customers (the search of `encore customer --search`), GET
 * /v1/customers/{id} (the 360° view of `encore customer ID --json`, masked for the analyst
 * role) and POST /v1/customers/{id}/consents (an entry appended to the consent ledger).
 * {id} is what `encore customer` takes: the merchant's id, an email, a phone, or %23N. */
#include "server/api_views.h"
#include "ingest/vocab.h"
#include "report/custview.h"
#include "server/reccache.h"
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void enc_h_customers_search(enc_mreq *rq, enc_mres *rs)
{
    enc_page pg;
    if (!enc_mreq_page(rq, rs, &pg)) return;
    const char *q = enc_mreq_query(rq, "q");
    if (q && strlen(q) > 256) return enc_mres_problem(rs, 400, "query.q", "longer than 256 bytes");
    char cur[8];
    int digits;
    enc__api_money(rq->st, cur, sizeof cur, &digits);
    enc_custview_opts o = {enc_mreq_masked(rq), digits, 0, cur[0] ? cur : NULL};
    enc_err err = {0};
    bool more;
    int64_t last;
    enc_jw *w = enc_mres_json(rs, 200);
    if (enc_custview_search_json(rq->st, q ? q : "", pg.after, (int)pg.limit, &o, w, &more, &last,
                                 &err)) {
        if (err.rc == ENC_EUSAGE) return enc_mres_problem(rs, 400, "query.q", "%s", err.msg);
        return enc__api_fail(rs, "customers", &err);
    }
    enc_page_next(w, more, last);
    enc_jw_end(w);
}

/* The customer of path.id, or 0 with a 404 answered. */
int64_t enc__api_customer_of(enc_mreq *rq, enc_mres *rs)
{
    const char *who = enc_mreq_param(rq, "id");
    int64_t id = 0;
    enc_err err = {0};
    if (!who || strlen(who) > 320) {
        enc_mres_problem(rs, 400, "path.id", "a customer id, email or phone, or #N");
        return 0;
    }
    if (enc_custview_find(rq->st, who, &id, &err)) {
        enc__api_fail(rs, "customer", &err);
        return 0;
    }
    if (!id) enc_mres_problem(rs, 404, "path.id", "no such customer");
    rq->customer = id;
    return id;
}

void enc_h_customer_view(enc_mreq *rq, enc_mres *rs)
{
    const char *recent = enc_mreq_query(rq, "recent"), *rec = enc_mreq_query(rq, "recommendations");
    long n = recent ? strtol(recent, NULL, 10) : 20;
    if (recent && (n < 1 || n > 500)) return enc_mres_problem(rs, 400, "query.recent", "1 to 500");
    bool with_rec = false;
    if (rec && strcmp(rec, "true") == 0) with_rec = true;
    else if (rec && strcmp(rec, "false") != 0)
        return enc_mres_problem(rs, 400, "query.recommendations", "true or false");
    int64_t id = enc__api_customer_of(rq, rs);
    if (!id) return;
    char cur[8];
    int digits;
    enc__api_money(rq->st, cur, sizeof cur, &digits);
    enc_custview_opts o = {enc_mreq_masked(rq), digits, (int)n, cur[0] ? cur : NULL};
    enc_err err = {0};
    const enc_rec_model *m = NULL;
    enc_reccache_ref *ref = NULL;
    enc_rec_ws *ws = NULL;
    enc_reccache *cache = with_rec ? enc_server_reccache(rq->server) : NULL;
    if (cache) {
        /* built once and shared (reccache.h); the first request after a score run builds it */
        m = enc_reccache_get(cache, rq->st, &ref, &err);
        if (!m) return enc__api_fail(rs, "customer", &err);
        ws = enc_rec_ws_new(m);
    }
    if (enc_custview_json(rq->st, id, &o, m, ws, 10, enc_mres_json(rs, 200), &err)) {
        if (err.rc == ENC_ENOTFOUND) enc_mres_problem(rs, 404, "path.id", "no such customer");
        else enc__api_fail(rs, "customer", &err);
    }
    if (ws) enc_rec_ws_free(ws);
    enc_reccache_put(cache, ref);
}

static const enc_field consent_fields[] = {
    {"channel", ENC_F_STRING, true, 32, "email, sms, push, wechat, inapp or all"},
    {"purpose", ENC_F_STRING, true, 32, "marketing or service"},
    {"granted", ENC_F_BOOL, true, 0, "true grants, false revokes"},
    {NULL}};
const enc_schema enc_schema_consent = {"ConsentChange", consent_fields,
                                       "an entry for the consent ledger"};

static const char *canon(const enc_vocab *v, const char *s, char *low, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++) low[i] = (char)tolower((unsigned char)s[i]);
    low[i] = 0;
    return enc_vocab_find(v, low);
}

void enc_h_customer_consent(enc_mreq *rq, enc_mres *rs)
{
    const char *ch_in = json_string_value(json_object_get(rq->body, "channel")),
               *pu_in = json_string_value(json_object_get(rq->body, "purpose"));
    bool granted = json_is_true(json_object_get(rq->body, "granted"));
    char l1[40], l2[40];
    const char *ch = canon(enc_vocab_channel, ch_in, l1, sizeof l1),
               *pu = canon(enc_vocab_purpose, pu_in, l2, sizeof l2);
    if (!ch)
        return enc_mres_problem(rs, 400, "/channel", "one of %s",
                                enc_vocab_choices(enc_vocab_channel));
    if (!pu)
        return enc_mres_problem(rs, 400, "/purpose", "one of %s",
                                enc_vocab_choices(enc_vocab_purpose));
    int64_t id = enc__api_customer_of(rq, rs);
    if (!id) return;
    /* the ledger's row key: who, when, and random bits (two changes in one second differ) */
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    char key[400], hex[17];
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(key, sizeof key, "%s|%lld|%s", rq->who.name, (long long)rq->now, hex);
    enc_consent_rec r = {.source = "api",
                         .source_key = key,
                         .customer = id,
                         .ts = rq->now,
                         .channel = ch,
                         .purpose = pu,
                         .granted = granted};
    enc_err err = {0};
    enc_put put;
    if (enc_store_begin(rq->st, &err)) return enc__api_fail(rs, "consent", &err);
    if (enc_store_consent_put(rq->st, &r, &put, &err) || enc_store_commit(rq->st, &err)) {
        enc_store_rollback(rq->st);
        return enc__api_fail(rs, "consent", &err);
    }
    char target[32], detail[96];
    snprintf(target, sizeof target, "customer:%lld", (long long)id);
    snprintf(detail, sizeof detail, "%s/%s %s", ch, pu, granted ? "granted" : "revoked");
    enc_mreq_audit(rq, "customer.consent", target, detail, 201);
    int state = -1;
    enc_store_consent_state(rq->st, id, ch, pu, &state, &err);
    enc_jw *w = enc_mres_json(rs, 201);
    enc_jw_obj(w);
    enc_jw_kint(w, "customer", id);
    enc_jw_kstr(w, "channel", ch);
    enc_jw_kstr(w, "purpose", pu);
    enc_jw_kbool(w, "granted", state == 1);
    enc_jw_ktime(w, "at", rq->now);
    enc_jw_kstr(w, "source", "api");
    enc_jw_end(w);
}
