/* editor.c — the segment editor's documents: the registry and the preview (see editor.h). */
#include "audience/editor.h"
#include "audience/eval.h"
#include "audience/fields.h"
#include "base/json.h"
#include "base/mask.h"
#include "base/mem.h"
#include "store/store_custview.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void enc_aud_registry_json(enc_jw *w)
{
    enc_jw_obj(w);
    for (int pass = 0; pass < 2; pass++) {
        enc_jw_key(w, pass ? "functions" : "fields");
        enc_jw_arr(w);
        for (int f = 0; f < AUD_F_COUNT; f++) {
            const enc_aud_field *d = &enc_aud_fields[f];
            if ((d->from == AUD_FROM_FUNC) != pass) continue;
            enc_jw_obj(w);
            enc_jw_kstr(w, "name", d->name);
            enc_jw_kstr(w, pass ? "returns" : "type", enc_aud_type_name(d->type));
            if (pass) enc_jw_kstr(w, "args", d->column);
            else enc_jw_kstr(w, "source", enc_aud_from_name(d->from));
            enc_jw_kstr(w, "help", d->help);
            enc_jw_kstr(w, "example", d->example);
            if (d->domain) {
                enc_jw_key(w, "values");
                enc_jw_arr(w);
                for (size_t k = 0; k < enc_aud_domain_size(d->domain); k++)
                    enc_jw_str(w, enc_aud_domain_value(d->domain, k));
                enc_jw_end(w);
            }
            enc_jw_end(w);
        }
        enc_jw_end(w);
    }
    enc_jw_end(w);
}

static double ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static double ms3(double ms) { return round(ms * 1000) / 1000; }

static void personal(enc_jw *w, const char *key, const char *v, bool mask,
                     void (*fn)(const char *, char *, size_t))
{
    char m[128];
    if (v && mask) fn(v, m, sizeof m), v = m;
    enc_jw_kstr(w, key, v);
}

static void text_of(enc_jw *w, const char *key, const enc_aud_col *c, size_t i)
{
    int32_t t = c->txt ? c->txt[i] : -1;
    enc_jw_kstr(w, key, t >= 0 && (size_t)t < c->nnames ? c->names[t] : NULL);
}

enc_rc enc_aud_preview_json(enc_store *st, const char *src, size_t len,
                            const enc_aud_preview_opts *o, enc_jw *w, enc_aud_pos *where,
                            enc_err *err)
{
    enc_snapshot_opts need;
    enc_snapshot *snap = NULL;
    enc_aud_env *env = NULL;
    enc_aud_prog *prog = NULL;
    enc_aud_set set = {0};
    int32_t *idx = NULL;
    int64_t *ids = NULL;
    enc_customer_hit *hits = NULL;
    size_t ns = 0;
    enc_rc rc;
    double t0 = ms_now(), t1 = t0, t2 = t0, t3 = t0;
    /* check first: a bad expression fails before the store is read */
    if ((rc = enc_aud_needs(st, src, len, o->now, &need, where, err))) return rc;
    if ((rc = enc_snapshot_load_opts(st, o->now, &need, &snap, err))) goto done;
    t1 = ms_now();
    if ((rc = enc_aud_env_new(snap, st, o->now, &env, err))) goto done;
    if ((rc = enc_aud_compile(env, src, len, &prog, where, err))) goto done;
    t2 = ms_now();
    enc_aud_run(prog, &set);
    t3 = ms_now();
    size_t count = enc_aud_set_count(&set);
    size_t want = o->sample < 0                    ? 0
                  : o->sample > ENC_AUD_SAMPLE_MAX ? ENC_AUD_SAMPLE_MAX
                                                   : (size_t)o->sample;
    ns = count < want ? count : want;
    enc_aud_col lc = {0}, rfm = {0}, clv = {0}, churn = {0};
    if (ns) {
        idx = enc_xmalloc((count + 1) * sizeof *idx);
        enc_aud_set_indexes(&set, idx);
        ids = enc_xmalloc(ns * sizeof *ids);
        /* spread over the matches: the k-th of ns takes match floor(k * count / ns) */
        for (size_t k = 0; k < ns; k++) {
            idx[k] = idx[(size_t)((double)k * (double)count / (double)ns)];
            ids[k] = snap->cust_id[idx[k]];
        }
        hits = enc_xmalloc(ns * sizeof *hits);
        if ((rc = enc_store_customer_briefs(st, ids, ns, hits, err)) ||
            (rc = enc_aud_env_column(env, AUD_F_LIFECYCLE, &lc, err)) ||
            (rc = enc_aud_env_column(env, AUD_F_RFM_SEGMENT, &rfm, err)) ||
            (rc = enc_aud_env_column(env, AUD_F_CLV, &clv, err)) ||
            (rc = enc_aud_env_column(env, AUD_F_CHURN_RISK, &churn, err)))
            goto done;
    }
    double t4 = ms_now();
    enc_jw_obj(w);
    enc_jw_kint(w, "count", (int64_t)count);
    enc_jw_kint(w, "total", (int64_t)snap->ncust);
    enc_jw_kstr(w, "expression", enc_aud_prog_text(prog));
    enc_jw_kstr(w, "currency", o->currency);
    enc_jw_key(w, "sample");
    enc_jw_arr(w);
    for (size_t k = 0; k < ns; k++) {
        const enc_customer_hit *h = &hits[k];
        size_t i = (size_t)idx[k];
        enc_jw_obj(w);
        enc_jw_kint(w, "id", ids[k]);
        enc_jw_kstr(w, "customer_id", h->external_id);
        personal(w, "name", h->name, o->mask, enc_mask_name);
        personal(w, "email", h->email, o->mask, enc_mask_email);
        personal(w, "phone", h->phone, o->mask, enc_mask_phone);
        enc_jw_kint(w, "orders", h->orders);
        enc_jw_key(w, "revenue");
        enc_jw_money(w, h->revenue, o->digits);
        text_of(w, "lifecycle", &lc, i);
        text_of(w, "rfm_segment", &rfm, i);
        enc_jw_key(w, "clv");
        if (clv.num && isfinite(clv.num[i]))
            enc_jw_money(w, (int64_t)llround(clv.num[i]), o->digits);
        else enc_jw_null(w);
        enc_jw_key(w, "churn_risk");
        if (churn.num && isfinite(churn.num[i])) enc_jw_num(w, round(churn.num[i] * 1e4) / 1e4);
        else enc_jw_null(w);
        enc_jw_end(w);
    }
    enc_jw_end(w);
    enc_jw_knum(w, "ms", ms3(t4 - t0));
    enc_jw_key(w, "timing");
    enc_jw_obj(w);
    enc_jw_knum(w, "load_ms", ms3(t1 - t0));
    enc_jw_knum(w, "compile_ms", ms3(t2 - t1));
    enc_jw_knum(w, "evaluate_ms", ms3(t3 - t2));
    enc_jw_knum(w, "sample_ms", ms3(t4 - t3));
    enc_jw_end(w);
    enc_jw_end(w);
done:
    if (hits) enc_store_customer_hits_free(hits, ns);
    free(ids);
    free(idx);
    enc_aud_set_free(&set);
    enc_aud_prog_free(prog);
    enc_aud_env_free(env);
    enc_snapshot_free(snap);
    return rc;
}

static void csv_field(FILE *f, const char *v)
{
    if (!v) return;
    bool formula = v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@';
    bool quote = formula || strpbrk(v, ",\"\r\n") != NULL;
    if (!quote) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    if (formula) fputc('\'', f);
    for (const char *p = v; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static const char *text_at(const enc_aud_col *c, size_t i)
{
    int32_t t = c->txt ? c->txt[i] : -1;
    return t >= 0 && (size_t)t < c->nnames ? c->names[t] : NULL;
}

enc_rc enc_aud_export_csv(enc_store *st, const char *src, size_t len, int64_t now, int digits,
                          FILE *out, size_t *rows, enc_aud_pos *where, enc_err *err)
{
    *rows = 0;
    enc_snapshot_opts need;
    enc_snapshot *snap = NULL;
    enc_aud_env *env = NULL;
    enc_aud_prog *prog = NULL;
    enc_aud_set set = {0};
    int32_t *idx = NULL;
    enc_rc rc;
    if ((rc = enc_aud_needs(st, src, len, now, &need, where, err))) return rc;
    if ((rc = enc_snapshot_load_opts(st, now, &need, &snap, err))) goto done;
    if ((rc = enc_aud_env_new(snap, st, now, &env, err))) goto done;
    if ((rc = enc_aud_compile(env, src, len, &prog, where, err))) goto done;
    enc_aud_run(prog, &set);
    enc_aud_col lc, rfm, clv, churn;
    if ((rc = enc_aud_env_column(env, AUD_F_LIFECYCLE, &lc, err)) ||
        (rc = enc_aud_env_column(env, AUD_F_RFM_SEGMENT, &rfm, err)) ||
        (rc = enc_aud_env_column(env, AUD_F_CLV, &clv, err)) ||
        (rc = enc_aud_env_column(env, AUD_F_CHURN_RISK, &churn, err)))
        goto done;
    size_t count = enc_aud_set_count(&set);
    idx = enc_xmalloc((count + 1) * sizeof *idx);
    enc_aud_set_indexes(&set, idx);
    fputs("id,customer_id,name,email,phone,orders,revenue,lifecycle,rfm_segment,clv,churn_risk\r\n",
          out);
    enum { BATCH = 512 };
    int64_t ids[BATCH];
    enc_customer_hit hits[BATCH];
    for (size_t at = 0; at < count; at += BATCH) {
        size_t n = count - at < BATCH ? count - at : BATCH;
        for (size_t k = 0; k < n; k++) ids[k] = snap->cust_id[idx[at + k]];
        if ((rc = enc_store_customer_briefs(st, ids, n, hits, err))) goto done;
        for (size_t k = 0; k < n; k++) {
            size_t i = (size_t)idx[at + k];
            char money[48];
            fprintf(out, "%lld,", (long long)ids[k]);
            csv_field(out, hits[k].external_id);
            fputc(',', out);
            csv_field(out, hits[k].name);
            fputc(',', out);
            csv_field(out, hits[k].email);
            fputc(',', out);
            csv_field(out, hits[k].phone);
            enc_money_format(money, sizeof money, hits[k].revenue, digits);
            fprintf(out, ",%lld,%s,", (long long)hits[k].orders, money);
            csv_field(out, text_at(&lc, i));
            fputc(',', out);
            csv_field(out, text_at(&rfm, i));
            fputc(',', out);
            if (clv.num && isfinite(clv.num[i])) {
                enc_money_format(money, sizeof money, (int64_t)llround(clv.num[i]), digits);
                fputs(money, out);
            }
            fputc(',', out);
            if (churn.num && isfinite(churn.num[i])) fprintf(out, "%.4f", churn.num[i]);
            fputs("\r\n", out);
        }
        for (size_t k = 0; k < n; k++) {
            free(hits[k].external_id);
            free(hits[k].name);
            free(hits[k].email);
            free(hits[k].phone);
        }
        *rows += n;
    }
    if (fflush(out) || ferror(out)) rc = enc_fail(err, ENC_EIO, "writing the export failed");
done:
    free(idx);
    enc_aud_set_free(&set);
    enc_aud_prog_free(prog);
    enc_aud_env_free(env);
    enc_snapshot_free(snap);
    return rc;
}
