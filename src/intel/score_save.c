/* score_save.c — the end of a scoring run: the per-customer columns turned into profile rows
 * (names for codes, JSON lists for tags, reasons, categories and replenishment dates, money in
 * minor units) in chunks, handed to the store's bulk profile writer; and the fitted models as
 * JSON for the run record and the command's summary. */
#include "intel/score_int.h"
#include "base/buf.h"
#include "base/datetime.h"
#include "base/mem.h"
#include "intel/cadence.h"
#include "intel/lifecycle.h"
#include "intel/rfm.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { CHUNK = 4096 };

/* The arrays of one chunk of rows. Text lists are written into `text` (NUL-separated) and
 * addressed by offsets until the chunk is complete (the buffer may move as it grows). */
typedef struct chunk {
    int64_t id[CHUNK], freq[CHUNK], mon[CHUNK], ret[CHUNK], aov[CHUNK], r[CHUNK], f[CHUNK],
        m[CHUNK], spend[CHUNK], clv[CHUNK], next[CHUNK], cluster[CHUNK];
    double rec[CHUNK], ten[CHUNK], pa[CHUNK], e30[CHUNK], e90[CHUNK], e365[CHUNK], churn[CHUNK],
        price[CHUNK];
    const char *seg[CHUNK], *cn[CHUNK], *stage[CHUNK], *cls[CHUNK], *tier[CHUNK], *chan[CHUNK],
        *pay[CHUNK], *region[CHUNK], *label[CHUNK];
    const char *reasons[CHUNK], *repl[CHUNK], *cats[CHUNK], *brands[CHUNK], *tags[CHUNK];
    size_t o_reasons[CHUNK], o_repl[CHUNK], o_cats[CHUNK], o_brands[CHUNK], o_tags[CHUNK];
    double X[CHUNK * ENC_SCORE_D];
    enc_buf text;
} chunk;

static const char *dname(const enc_dict *d, int32_t id)
{
    return id >= 0 && (size_t)id < d->n ? d->names[id] : NULL;
}

static void jstr(enc_buf *b, const char *s) { enc_json_escape(b, s, strlen(s)); }

static size_t list_begin(enc_buf *b)
{
    size_t o = b->len;
    enc_buf_addc(b, '[');
    return o;
}

static void list_end(enc_buf *b)
{
    enc_buf_addc(b, ']');
    enc_buf_addc(b, 0); /* the separator: text of the next list starts after it */
}

/* Fills rows [lo, hi) of sc into ch (hi - lo <= CHUNK). */
static void fill(const enc_score *sc, size_t lo, size_t hi, chunk *ch)
{
    const enc_snapshot *s = sc->snap;
    const enc_score_config *c = sc->cfg;
    const enc_churn_feature *feat = enc_score_feature_table();
    int R = c->churn_reasons;
    enc_buf *b = &ch->text;
    enc_buf_reset(b);
    enc__feat fv = enc__score_feat(sc);
    if (sc->models.has_churn) enc__feat_rows(&fv, lo, hi, ch->X);
    char tmp[512];
    for (size_t i = lo; i < hi; i++) {
        size_t k = i - lo;
        bool buyer = sc->frequency[i] > 0;
        ch->id[k] = s->cust_id[i];
        ch->rec[k] = sc->recency[i];
        ch->freq[k] = sc->frequency[i];
        ch->mon[k] = sc->monetary[i];
        ch->ret[k] = sc->returns[i];
        ch->aov[k] = buyer ? sc->aov[i] : ENC_PROFILE_NULL;
        ch->ten[k] = sc->tenure[i];
        ch->r[k] = sc->r[i] ? sc->r[i] : ENC_PROFILE_NULL;
        ch->f[k] = sc->f[i] ? sc->f[i] : ENC_PROFILE_NULL;
        ch->m[k] = sc->m[i] ? sc->m[i] : ENC_PROFILE_NULL;
        ch->seg[k] = enc__score_str(sc, i, ENC_TF_RFM_SEGMENT);
        ch->cn[k] = enc__score_str(sc, i, ENC_TF_RFM_SEGMENT_CN);
        ch->stage[k] = enc__score_str(sc, i, ENC_TF_LIFECYCLE);
        ch->cls[k] = enc__score_str(sc, i, ENC_TF_LIFECYCLE_CLASS);
        ch->pa[k] = sc->p_alive[i];
        ch->e30[k] = sc->exp30[i];
        ch->e90[k] = sc->exp90[i];
        ch->e365[k] = sc->exp365[i];
        ch->spend[k] = isfinite(sc->exp_spend[i]) ? llround(sc->exp_spend[i]) : ENC_PROFILE_NULL;
        ch->clv[k] = isfinite(sc->clv[i]) ? llround(sc->clv[i]) : ENC_PROFILE_NULL;
        ch->churn[k] = sc->churn[i];
        ch->next[k] = sc->next_ts[i] == ENC_CADENCE_NONE ? ENC_PROFILE_NULL : sc->next_ts[i];
        ch->price[k] = sc->promo_share[i];
        ch->tier[k] = enc__score_str(sc, i, ENC_TF_SPEND_TIER);
        ch->chan[k] = enc__score_str(sc, i, ENC_TF_PREFERRED_CHANNEL);
        ch->pay[k] = enc__score_str(sc, i, ENC_TF_PREFERRED_PAYMENT);
        ch->region[k] = enc__score_str(sc, i, ENC_TF_REGION);
        ch->cluster[k] = sc->cluster[i] >= 0 ? sc->cluster[i] : ENC_PROFILE_NULL;
        ch->label[k] = sc->cluster[i] >= 0 ? sc->models.cluster_label[sc->cluster[i]] : NULL;

        /* churn reasons in words */
        ch->o_reasons[k] = SIZE_MAX;
        if (isfinite(sc->churn[i])) {
            ch->o_reasons[k] = list_begin(b);
            for (int j = 0; j < R; j++) {
                int fj = sc->reason[i * (size_t)R + (size_t)j];
                if (fj < 0) break;
                size_t tl = enc_churn_reason_text(&sc->models.churn, feat, ch->X + k * ENC_SCORE_D,
                                                  fj, tmp, sizeof tmp);
                if (fj == ENC_SCORE_F_P_ALIVE && tl + 32 < sizeof tmp) {
                    double pa = 100 * sc->p_alive[i];
                    snprintf(tmp + tl, sizeof tmp - tl,
                             pa < 1 || pa > 99 ? " (P(alive) %.1f%%)" : " (P(alive) %.0f%%)", pa);
                }
                if (j) enc_buf_addc(b, ',');
                jstr(b, tmp);
            }
            list_end(b);
        }
        /* replenishment dates */
        ch->o_repl[k] = SIZE_MAX;
        if (sc->repl_cat[i * ENC_SCORE_TOP] != -1) {
            ch->o_repl[k] = list_begin(b);
            for (int j = 0; j < ENC_SCORE_TOP; j++) {
                int32_t key = sc->repl_cat[i * ENC_SCORE_TOP + j];
                if (key == -1) break;
                const char *name = key >= 0                 ? dname(&s->cats, key)
                                   : s->prod_name[-2 - key] ? s->prod_name[-2 - key]
                                                            : s->prod_sku[-2 - key];
                char day[32];
                enc_fmt_date(day, sizeof day, sc->repl_due[i * ENC_SCORE_TOP + j]);
                if (j) enc_buf_addc(b, ',');
                enc_buf_adds(b, "{\"category\":");
                jstr(b, name ? name : "");
                enc_buf_printf(b, ",\"due\":\"%s\"}", day);
            }
            list_end(b);
        }
        /* top categories and brands */
        ch->o_cats[k] = ch->o_brands[k] = SIZE_MAX;
        if (buyer) {
            ch->o_cats[k] = list_begin(b);
            for (int j = 0, w = 0; j < ENC_SCORE_TOP; j++) {
                const char *nm = dname(&s->tops, sc->top_cat[i * ENC_SCORE_TOP + j]);
                if (!nm) continue;
                if (w++) enc_buf_addc(b, ',');
                jstr(b, nm);
            }
            list_end(b);
            ch->o_brands[k] = list_begin(b);
            for (int j = 0, w = 0; j < ENC_SCORE_TOP; j++) {
                const char *nm = dname(&s->brands, sc->top_brand[i * ENC_SCORE_TOP + j]);
                if (!nm) continue;
                if (w++) enc_buf_addc(b, ',');
                jstr(b, nm);
            }
            list_end(b);
        }
        /* tags: system, then user */
        ch->o_tags[k] = list_begin(b);
        int w = 0;
        for (int t = 0; t < ENC_TAG_COUNT; t++)
            if (sc->tags[i] >> t & 1) {
                if (w++) enc_buf_addc(b, ',');
                jstr(b, enc_sys_tag_name((enc_sys_tag)t));
            }
        for (size_t t = 0; t < c->n_user_tags; t++)
            if (sc->user_tags[i] >> t & 1) {
                if (w++) enc_buf_addc(b, ',');
                jstr(b, c->user_tags[t].name);
            }
        list_end(b);
    }
    for (size_t k = 0; k < hi - lo; k++) {
#define PTR(o) ((o) == SIZE_MAX ? NULL : b->p + (o))
        ch->reasons[k] = PTR(ch->o_reasons[k]);
        ch->repl[k] = PTR(ch->o_repl[k]);
        ch->cats[k] = PTR(ch->o_cats[k]);
        ch->brands[k] = PTR(ch->o_brands[k]);
        ch->tags[k] = PTR(ch->o_tags[k]);
#undef PTR
    }
}

typedef struct fill_job {
    const enc_score *sc;
    size_t lo, hi;
    chunk *ch;
} fill_job;

static void fill_range(const fill_job *j)
{
    if (j->hi > j->lo) fill(j->sc, j->lo, j->hi, j->ch);
}

static void *fill_thread(void *p)
{
    fill_range(p);
    return NULL;
}

static enc_rc write_chunk(enc_profile_writer *pw, chunk *ch, size_t n, enc_err *err)
{
    enc_profile_rows rows = {.n = n,
                             .customer_id = ch->id,
                             .recency_days = ch->rec,
                             .tenure_days = ch->ten,
                             .frequency = ch->freq,
                             .monetary = ch->mon,
                             .returns_amount = ch->ret,
                             .aov = ch->aov,
                             .r = ch->r,
                             .f = ch->f,
                             .m = ch->m,
                             .rfm_segment = ch->seg,
                             .rfm_segment_cn = ch->cn,
                             .lifecycle = ch->stage,
                             .lifecycle_class = ch->cls,
                             .p_alive = ch->pa,
                             .expected_30d = ch->e30,
                             .expected_90d = ch->e90,
                             .expected_365d = ch->e365,
                             .expected_spend = ch->spend,
                             .clv = ch->clv,
                             .churn_risk = ch->churn,
                             .churn_reasons = ch->reasons,
                             .next_order = ch->next,
                             .replenish = ch->repl,
                             .top_categories = ch->cats,
                             .top_brands = ch->brands,
                             .price_sensitivity = ch->price,
                             .spend_tier = ch->tier,
                             .preferred_channel = ch->chan,
                             .preferred_payment = ch->pay,
                             .region = ch->region,
                             .tags = ch->tags,
                             .cluster = ch->cluster,
                             .cluster_label = ch->label};
    return enc_store_profiles_write(pw, &rows, err);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

enc_rc enc_score_save(enc_store *st, const enc_score *sc, int64_t started_at, double seconds,
                      enc_err *err)
{
    double t0 = now_s();
    enc_buf mj = {0};
    enc_jw w;
    enc_jw_init(&w, &mj);
    enc_jw_obj(&w);
    enc_score_models_json(sc, &w);
    enc_jw_end(&w);
    enc_score_run_rec run = {
        .as_of = sc->as_of, .started_at = started_at, .customers = (int64_t)sc->n, .models = mj.p};
    enc_profile_writer *pw;
    enc_rc rc = enc_store_profiles_begin(st, &run, &pw, err);
    enc_buf_free(&mj);
    if (rc) return rc;
    /* two chunks: the next one is filled on a second thread while this one is inserted */
    chunk *ch[2] = {enc_xcalloc(1, sizeof *ch[0]), enc_xcalloc(1, sizeof *ch[1])};
    size_t n = sc->n;
    if (n) fill_range(&(fill_job){sc, 0, n < CHUNK ? n : CHUNK, ch[0]});
    for (size_t lo = 0, k = 0; lo < n && !rc; lo += CHUNK, k ^= 1) {
        size_t hi = lo + CHUNK < n ? lo + CHUNK : n;
        fill_job next = {sc, hi, hi + CHUNK < n ? hi + CHUNK : n, ch[k ^ 1]};
        pthread_t tid;
        bool threaded = false;
        if (hi < n) {
            threaded = sc->cfg->threads > 1 && pthread_create(&tid, NULL, fill_thread, &next) == 0;
            if (!threaded) fill_range(&next);
        }
        rc = write_chunk(pw, ch[k], hi - lo, err);
        if (threaded) pthread_join(tid, NULL);
    }
    for (int k = 0; k < 2; k++) {
        enc_buf_free(&ch[k]->text);
        free(ch[k]);
    }
    enc_err e2 = {0};
    enc_rc rc2 = enc_store_profiles_end(pw, rc == ENC_OK, seconds + (now_s() - t0), rc ? &e2 : err);
    return rc ? rc : rc2;
}

/* ---- the models as JSON ------------------------------------------------------------------- */

static void date_key(enc_jw *w, const char *k, int64_t excl_end)
{
    char d[32];
    enc_fmt_date(d, sizeof d, excl_end - 1);
    enc_jw_kstr(w, k, d);
}

void enc_score_models_json(const enc_score *sc, enc_jw *w)
{
    const enc_score_models *md = &sc->models;
    const enc_score_config *c = sc->cfg;
    enc_jw_kint(w, "buyers", (int64_t)md->buyers);
    enc_jw_key(w, "bgnbd");
    if (md->has_bgnbd) {
        enc_jw_obj(w);
        enc_jw_knum(w, "r", md->bg.p.r);
        enc_jw_knum(w, "alpha", md->bg.p.alpha);
        enc_jw_knum(w, "a", md->bg.p.a);
        enc_jw_knum(w, "b", md->bg.p.b);
        enc_jw_knum(w, "loglik", md->bg.ll);
        enc_jw_kstr(w, "unit", c->clv_unit_days == 1 ? "day" : "week");
        enc_jw_kint(w, "repeaters", (int64_t)md->clv_repeaters);
        enc_jw_kint(w, "iterations", md->bg.rep.iterations);
        enc_jw_kstr(w, "status", enc_optim_status_name(md->bg.rep.status));
        date_key(w, "calibration_end", sc->as_of);
        enc_jw_end(w);
    } else {
        enc_jw_null(w);
    }
    enc_jw_key(w, "gamma_gamma");
    if (md->has_gg) {
        enc_jw_obj(w);
        enc_jw_knum(w, "p", md->gg.p.p);
        enc_jw_knum(w, "q", md->gg.p.q);
        enc_jw_knum(w, "gamma", md->gg.p.gamma);
        enc_jw_knum(w, "loglik", md->gg.ll);
        enc_jw_kint(w, "customers", (int64_t)md->gg.n_used);
        enc_jw_kint(w, "clv_months", c->clv_months);
        enc_jw_knum(w, "discount_rate", c->clv_discount);
        enc_jw_end(w);
    } else {
        enc_jw_null(w);
    }
    enc_jw_key(w, "churn");
    if (md->has_churn) {
        const enc_churn_feature *feat = enc_score_feature_table();
        enc_jw_obj(w);
        enc_jw_knum(w, "horizon_days", c->churn_horizon_days);
        date_key(w, "trained_until", md->churn_cutoff);
        enc_jw_kint(w, "trained_on", (int64_t)md->churn.n_train);
        enc_jw_kround(w, "churn_rate", md->churn_rate, ENC_DP_RATE);
        enc_jw_kround(w, "train_auc", md->churn_train_auc, ENC_DP_RATE);
        enc_jw_knum(w, "lambda", md->churn.lambda);
        enc_jw_kstr(w, "model", enc_churn_kind_name(md->churn.kind));
        enc_jw_kstr(w, "model_note", md->churn.note);
        enc_jw_kint(w, "trees", md->churn.kind == ENC_CHURN_GBT ? md->churn.gbt.trees : 0);
        enc_jw_key(w, "coefficients"); /* of the logistic model (also fitted for the others) */
        enc_jw_obj(w);
        for (int j = 0; j < md->churn.d; j++) enc_jw_knum(w, feat[j].name, md->churn.beta[j]);
        enc_jw_end(w);
        enc_jw_end(w);
    } else {
        enc_jw_null(w);
    }
    enc_jw_key(w, "clusters");
    if (md->has_cluster) {
        enc_jw_obj(w);
        enc_jw_kint(w, "k", md->cl.k);
        enc_jw_kround(w, "silhouette", md->cl.silhouette, ENC_DP_RATE);
        enc_jw_key(w, "clusters");
        enc_jw_arr(w);
        for (int q = 0; q < md->cl.k; q++) {
            enc_jw_obj(w);
            enc_jw_kint(w, "cluster", q);
            enc_jw_kint(w, "size", (int64_t)md->cl.size[q]);
            enc_jw_kstr(w, "label", md->cluster_label[q]);
            enc_jw_kround(w, "recency_days", md->cl.centroid_raw[q][0], ENC_DP_DAYS);
            enc_jw_kround(w, "frequency", md->cl.centroid_raw[q][1], ENC_DP_DAYS);
            enc_jw_kround(w, "monetary", md->cl.centroid_raw[q][2], ENC_DP_DAYS);
            enc_jw_end(w);
        }
        enc_jw_end(w);
        enc_jw_end(w);
    } else {
        enc_jw_null(w);
    }
    enc_jw_kround(w, "default_gap_days", md->default_gap_days, ENC_DP_DAYS);
    enc_jw_key(w, "warnings");
    enc_jw_arr(w);
    char m[400];
    if (md->clv_error[0]) {
        snprintf(m, sizeof m, "clv: %s", md->clv_error);
        enc_jw_str(w, m);
    }
    if (md->churn_error[0]) {
        snprintf(m, sizeof m, "churn: %s", md->churn_error);
        enc_jw_str(w, m);
    }
    if (md->cluster_error[0]) {
        snprintf(m, sizeof m, "clusters: %s", md->cluster_error);
        enc_jw_str(w, m);
    }
    enc_jw_end(w);
}
