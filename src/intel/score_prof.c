/* score_prof.c — the per-customer parts of scoring that are not model fits (see score.h):
 * the profile pass at the as-of date (order counts and spend, preferred channel and payment,
 * spend by category and brand, price index against the category's median list price,
 * replenishment dates, cart and engagement times), RFM scores and segments with the spend
 * tiers, k-means clusters of the buyers, and the system and user tags. Rules: docs/scoring.md. */
#include "intel/score_int.h"
#include "base/datetime.h"
#include "base/mem.h"
#include "intel/cadence.h"
#include "intel/lifecycle.h"
#include "intel/rank.h"
#include "intel/rfm.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY ENC__DAY

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static const char *const tag_names[ENC_TAG_COUNT] = {
    "active",         "new_customer",  "one_time_buyer", "loyal",
    "at_risk",        "big_spender",   "high_value",     "price_sensitive",
    "premium_buyer",  "bargain_buyer", "complaint_risk", "frequent_returner",
    "cart_abandoner", "birthday_soon", "replenish_due",  "unreachable"};

const char *enc_sys_tag_name(enc_sys_tag t) { return t < ENC_TAG_COUNT ? tag_names[t] : "?"; }

const char *enc_spend_tier_name(enc_spend_tier t)
{
    static const char *const n[] = {NULL, "low", "medium", "high"};
    return t <= ENC_TIER_HIGH ? n[t] : NULL;
}

/* ---- per-customer profile pass at as_of (parallel) ---------------------------------------- */

typedef struct repl_item {
    int32_t key; /* category id, or -2 - product for a product without a category */
    int64_t ts;
    double qty, cycle;
} repl_item;

static int repl_cmp(const void *a, const void *b)
{
    const repl_item *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->ts > y->ts) - (x->ts < y->ts);
}

double *enc__cat_prices(const enc_snapshot *s)
{
    size_t nc = s->cats.n;
    double *ref = enc_xmalloc((nc + 1) * sizeof *ref);
    size_t *cnt = enc_xcalloc(nc + 1, sizeof *cnt), *off = enc_xcalloc(nc + 2, sizeof *off);
    for (size_t p = 0; p < s->nprod; p++)
        if (s->prod_cat[p] >= 0 && s->prod_price[p] > 0) cnt[s->prod_cat[p]]++;
    for (size_t c = 0; c < nc; c++) off[c + 1] = off[c] + cnt[c];
    double *pr = enc_xmalloc((off[nc] ? off[nc] : 1) * sizeof *pr);
    memset(cnt, 0, (nc + 1) * sizeof *cnt);
    for (size_t p = 0; p < s->nprod; p++) {
        int32_t c = s->prod_cat[p];
        if (c >= 0 && s->prod_price[p] > 0) pr[off[c] + cnt[c]++] = (double)s->prod_price[p];
    }
    for (size_t c = 0; c < nc; c++) ref[c] = cnt[c] ? enc_cadence_median(pr + off[c], cnt[c]) : NAN;
    free(pr);
    free(cnt);
    free(off);
    return ref;
}

/* Top k ids by value (ties: the smaller id) into out[k], -1 filled; touched lists the ids seen. */
static void top_k(const double *val, const int32_t *touched, size_t nt, int32_t *out, int k)
{
    for (int j = 0; j < k; j++) out[j] = -1;
    for (size_t q = 0; q < nt; q++) {
        int32_t id = touched[q];
        double v = val[id];
        if (!(v > 0)) continue;
        int j = k;
        while (j > 0 &&
               (out[j - 1] < 0 || val[out[j - 1]] < v || (val[out[j - 1]] == v && out[j - 1] > id)))
            j--;
        if (j >= k) continue;
        for (int z = k - 1; z > j; z--) out[z] = out[z - 1];
        out[j] = id;
    }
}

enc_rc enc__prof_range(void *p, size_t lo, size_t hi, enc_err *err)
{
    enc__prof_ctx *x = p;
    enc_score *sc = x->sc;
    const enc_snapshot *s = sc->snap;
    const int64_t T = sc->as_of;
    size_t ntop = s->tops.n, nbr = s->brands.n, nch = s->channels.n, npay = s->payments.n;
    double *top_v = enc_xcalloc(ntop + 1, sizeof *top_v),
           *br_v = enc_xcalloc(nbr + 1, sizeof *br_v);
    int32_t *top_t = enc_xmalloc((ntop + 1) * sizeof *top_t),
            *br_t = enc_xmalloc((nbr + 1) * sizeof *br_t);
    int32_t *ch_n = enc_xcalloc(nch + 1, sizeof *ch_n),
            *pay_n = enc_xcalloc(npay + 1, sizeof *pay_n);
    size_t rcap = 64;
    repl_item *ri = enc_xmalloc(rcap * sizeof *ri);
    int64_t *rts = enc_xmalloc(rcap * sizeof *rts), *roff = enc_xmalloc((rcap + 1) * sizeof *roff);
    int64_t *rdue = enc_xmalloc(rcap * sizeof *rdue);
    double *rqty = enc_xmalloc(rcap * sizeof *rqty), *rcyc = enc_xmalloc(rcap * sizeof *rcyc);
    double *rws = enc_xmalloc(rcap * sizeof *rws);
    int32_t *rkey = enc_xmalloc(rcap * sizeof *rkey);
    enc_rc rc = ENC_OK;
    for (size_t i = lo; i < hi && !rc; i++) {
        int64_t o0 = s->ord_off[i], o1 = o0;
        while (o1 < s->ord_off[i + 1] && s->ord_ts[o1] < T) o1++;
        int32_t nord = (int32_t)(o1 - o0);
        int64_t sum = 0, promo = 0;
        for (int64_t k = o0; k < o1; k++) {
            sum += s->ord_amount[k];
            promo += s->ord_promo[k];
        }
        /* monetary, the RFM M, the spend tier (AOV) and big_spender are net of returns: a
         * customer who returned everything bought nothing (issue 12) */
        int64_t net = sum - s->ret_amount[i];
        if (net < 0) net = 0;
        sc->frequency[i] = nord;
        sc->monetary[i] = net;
        sc->returns[i] = s->ret_amount[i];
        sc->recency[i] = nord ? (double)(T - s->ord_ts[o1 - 1]) / DAY : NAN;
        sc->aov[i] = nord ? llround((double)net / nord) : -1;
        sc->tenure[i] = nord ? (double)(T - s->ord_ts[o0]) / DAY
                        : s->registered_at[i] != ENC_NO_TIME && s->registered_at[i] < T
                            ? (double)(T - s->registered_at[i]) / DAY
                            : NAN;
        sc->promo_share[i] = nord ? (double)promo / nord : NAN;
        /* channel and payment: the most used, ties to the most recent */
        int32_t bc = -1, bp = -1;
        for (int64_t k = o0; k < o1; k++) {
            int32_t ch = s->ord_channel[k], py = s->ord_payment[k];
            if (ch >= 0 && ++ch_n[ch] >= (bc >= 0 ? ch_n[bc] : 0)) bc = ch;
            if (py >= 0 && ++pay_n[py] >= (bp >= 0 ? pay_n[bp] : 0)) bp = py;
        }
        sc->channel[i] = bc;
        sc->payment[i] = bp;
        for (int64_t k = o0; k < o1; k++) {
            if (s->ord_channel[k] >= 0) ch_n[s->ord_channel[k]] = 0;
            if (s->ord_payment[k] >= 0) pay_n[s->ord_payment[k]] = 0;
        }
        /* lines: spend by category and brand, price index, replenishable purchases */
        size_t ntt = 0, nbt = 0, nr = 0;
        double paid = 0, list = 0;
        for (int64_t k = o0; k < o1; k++) {
            for (int64_t l = s->line_off[k]; l < s->line_off[k + 1]; l++) {
                int32_t pr = s->line_prod[l];
                if (pr < 0) continue;
                double amt = (double)s->line_amount[l];
                int32_t tp = s->prod_top[pr], br = s->prod_brand[pr], cat = s->prod_cat[pr];
                if (tp >= 0) {
                    if (top_v[tp] == 0) top_t[ntt++] = tp;
                    top_v[tp] += amt;
                }
                if (br >= 0) {
                    if (br_v[br] == 0) br_t[nbt++] = br;
                    br_v[br] += amt;
                }
                if (cat >= 0 && isfinite(x->cat_mean[cat]) && s->line_qty[l] > 0) {
                    paid += amt;
                    list += x->cat_mean[cat] * s->line_qty[l];
                }
                if (s->prod_replenish[pr] > 0) {
                    if (nr == rcap) {
                        rcap *= 2;
                        ri = enc_xrealloc(ri, rcap * sizeof *ri);
                        rts = enc_xrealloc(rts, rcap * sizeof *rts);
                        roff = enc_xrealloc(roff, (rcap + 1) * sizeof *roff);
                        rdue = enc_xrealloc(rdue, rcap * sizeof *rdue);
                        rqty = enc_xrealloc(rqty, rcap * sizeof *rqty);
                        rcyc = enc_xrealloc(rcyc, rcap * sizeof *rcyc);
                        rws = enc_xrealloc(rws, rcap * sizeof *rws);
                        rkey = enc_xrealloc(rkey, rcap * sizeof *rkey);
                    }
                    ri[nr++] =
                        (repl_item){cat >= 0 ? cat : -2 - pr, s->ord_ts[k],
                                    s->line_qty[l] > 0 ? s->line_qty[l] : 1, s->prod_replenish[pr]};
                }
            }
        }
        top_k(top_v, top_t, ntt, sc->top_cat + i * ENC_SCORE_TOP, ENC_SCORE_TOP);
        top_k(br_v, br_t, nbt, sc->top_brand + i * ENC_SCORE_TOP, ENC_SCORE_TOP);
        for (size_t q = 0; q < ntt; q++) top_v[top_t[q]] = 0;
        for (size_t q = 0; q < nbt; q++) br_v[br_t[q]] = 0;
        sc->price_index[i] = list > 0 ? paid / list : NAN;
        /* replenishment: groups by category, the cycle of the group's latest product */
        int32_t *rc_out = sc->repl_cat + i * ENC_SCORE_TOP;
        int64_t *rd_out = sc->repl_due + i * ENC_SCORE_TOP;
        for (int j = 0; j < ENC_SCORE_TOP; j++) {
            rc_out[j] = -1;
            rd_out[j] = ENC_CADENCE_NONE;
        }
        if (nr) {
            qsort(ri, nr, sizeof *ri, repl_cmp);
            size_t ng = 0;
            for (size_t q = 0; q < nr; q++) {
                if (q == 0 || ri[q].key != ri[q - 1].key) {
                    roff[ng] = (int64_t)q;
                    rkey[ng] = ri[q].key;
                    ng++;
                }
                rts[q] = ri[q].ts;
                rqty[q] = ri[q].qty;
                rcyc[ng - 1] = ri[q].cycle;
            }
            roff[ng] = (int64_t)nr;
            rc = enc_cadence_replenish(rts, rqty, roff, ng, rcyc, 2, DAY, T - 1, rdue, NULL, rws,
                                       rcap, err);
            /* the three soonest due dates, leaving out those overdue by more than 90 days */
            for (size_t g = 0; g < ng && !rc; g++) {
                int64_t d = rdue[g];
                if (d == ENC_CADENCE_NONE || d < T - 90 * DAY) continue;
                int j = ENC_SCORE_TOP;
                while (j > 0 && (rc_out[j - 1] == -1 || rd_out[j - 1] > d)) j--;
                if (j >= ENC_SCORE_TOP) continue;
                for (int z = ENC_SCORE_TOP - 1; z > j; z--) {
                    rc_out[z] = rc_out[z - 1];
                    rd_out[z] = rd_out[z - 1];
                }
                rc_out[j] = rkey[g];
                rd_out[j] = d;
            }
        }
        /* the last cart addition, and the last engagement */
        int64_t cart = ENC_CADENCE_NONE, eng = ENC_CADENCE_NONE;
        int32_t win = 0;
        int64_t wstart = T - (int64_t)llround(sc->cfg->lc.window_days * DAY);
        for (int64_t q = s->ev_off[i]; q < s->ev_off[i + 1] && s->ev_ts[q] < T; q++) {
            uint8_t ty = s->ev_type[q];
            if (ty == EV_CART_ADD) cart = s->ev_ts[q];
            if (enc__engagement(ty)) {
                eng = s->ev_ts[q];
                win += s->ev_ts[q] >= wstart;
            }
        }
        sc->last_cart[i] = cart;
        sc->ev_window[i] = win;
        sc->last_engage[i] = eng;
    }
    free(top_v);
    free(br_v);
    free(top_t);
    free(br_t);
    free(ch_n);
    free(pay_n);
    free(ri);
    free(rts);
    free(roff);
    free(rdue);
    free(rqty);
    free(rcyc);
    free(rws);
    free(rkey);
    return rc;
}

/* ---- RFM, tiers (main line), clusters (side line) ------------------------------------------- */

/* The value at quantile q of v[0..n) ('lower' rule: the element of rank floor(q (n - 1))). */
double enc__quantile(const double *v, size_t n, double q)
{
    if (!n) return NAN;
    void *ws = enc_xmalloc(enc_rank_ws_size(n));
    uint32_t *idx = enc_rank_argsort(v, n, ws, NULL);
    size_t k = (size_t)floor(q * (double)(n - 1));
    double r = v[idx[k]];
    free(ws);
    return r;
}

enc_rc enc__rfm_tiers(enc_score *sc, double *big_spender, enc_err *err)
{
    const enc_score_config *c = sc->cfg;
    size_t n = sc->n, nb = 0;
    for (size_t i = 0; i < n; i++) nb += sc->frequency[i] > 0;
    sc->models.buyers = nb;
    memset(sc->r, 0, n);
    memset(sc->f, 0, n);
    memset(sc->m, 0, n);
    memset(sc->seg, 255, n);
    memset(sc->cn, 255, n);
    *big_spender = NAN;
    for (size_t i = 0; i < n; i++) sc->tier[i] = ENC_TIER_NONE;
    if (!nb) return ENC_OK;
    double *R = enc_xmalloc(nb * sizeof *R), *F = enc_xmalloc(nb * sizeof *F);
    double *M = enc_xmalloc(nb * sizeof *M), *A = enc_xmalloc(nb * sizeof *A);
    uint8_t *r = enc_xmalloc(nb), *f = enc_xmalloc(nb), *m = enc_xmalloc(nb),
            *seg = enc_xmalloc(nb), *cn = enc_xmalloc(nb);
    double scale = enc__money_scale(c->money_digits);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (sc->frequency[i] > 0) {
            R[k] = sc->recency[i];
            F[k] = sc->frequency[i];
            M[k] = (double)sc->monetary[i] / scale;
            A[k] = (double)sc->aov[i];
            k++;
        }
    enc_rfm_config rc_ = c->rfm;
    rc_.r_edges = c->r_fixed ? c->r_edges : NULL;
    rc_.f_edges = c->f_fixed ? c->f_edges : NULL;
    rc_.m_edges = c->m_fixed ? c->m_edges : NULL;
    void *ws = enc_xmalloc(enc_rfm_ws_size(nb));
    enc_rc rc = enc_rfm_score(&rc_, R, F, M, nb, r, f, m, ws, err);
    free(ws);
    if (!rc) {
        /* the named segments are defined on 1..5: other k are mapped onto that scale */
        enc_rfm_segments_k(r, f, m, nb, rc_.k, seg);
        enc_rfm_means means;
        enc_rfm_means_of(R, F, M, nb, &means);
        enc_rfm_cn_classes(R, F, M, nb, &means, cn);
        double a40 = enc__quantile(A, nb, 0.4), a80 = enc__quantile(A, nb, 0.8);
        *big_spender = enc__quantile(M, nb, c->tag_big_spender_q) * scale;
        k = 0;
        for (size_t i = 0; i < n; i++)
            if (sc->frequency[i] > 0) {
                sc->r[i] = r[k];
                sc->f[i] = f[k];
                sc->m[i] = m[k];
                sc->seg[i] = seg[k];
                sc->cn[i] = cn[k];
                double a = (double)sc->aov[i];
                sc->tier[i] = a >= a80 ? ENC_TIER_HIGH : a < a40 ? ENC_TIER_LOW : ENC_TIER_MEDIUM;
                k++;
            }
    }
    free(R);
    free(F);
    free(M);
    free(A);
    free(r);
    free(f);
    free(m);
    free(seg);
    free(cn);
    return rc;
}

void enc__clusters(enc_score *sc)
{
    const enc_score_config *c = sc->cfg;
    enc_score_models *md = &sc->models;
    size_t n = sc->n, nb = 0; /* buyers, counted here: the RFM tiers run at the same time */
    for (size_t i = 0; i < n; i++) {
        sc->cluster[i] = -1;
        nb += sc->frequency[i] > 0;
    }
    enc_cluster_opts o;
    enc_cluster_opts_default(&o);
    o.k = c->cluster_k;
    o.k_min = c->cluster_k_min;
    o.k_max = c->cluster_k_max;
    o.seed = c->cluster_seed;
    static const uint8_t l1p[3] = {1, 1, 1};
    o.log1p = l1p;
    int need = o.k > 0 ? o.k : o.k_max;
    if (nb < (size_t)need * 10) {
        snprintf(md->cluster_error, sizeof md->cluster_error, "%zu buyers: too few for %d clusters",
                 nb, need);
        return;
    }
    double *X = enc_xmalloc(nb * 3 * sizeof *X);
    int32_t *lab = enc_xmalloc(nb * sizeof *lab);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (sc->frequency[i] > 0) {
            X[k * 3] = sc->recency[i];
            X[k * 3 + 1] = sc->frequency[i];
            X[k * 3 + 2] = sc->money[i];
            k++;
        }
    void *ws = enc_xmalloc(enc_cluster_ws_size(nb, 3, &o));
    enc_err err = {0};
    if (enc_cluster_fit(X, nb, 3, &o, lab, &md->cl, ws, &err)) {
        snprintf(md->cluster_error, sizeof md->cluster_error, "%.250s", err.msg);
    } else {
        md->has_cluster = 1;
        for (int q = 0; q < md->cl.k; q++)
            enc_cluster_describe(&md->cl, q, enc_cluster_rfm_features, 0.5, md->cluster_label[q],
                                 sizeof md->cluster_label[q]);
        k = 0;
        for (size_t i = 0; i < n; i++)
            if (sc->frequency[i] > 0) sc->cluster[i] = lab[k++];
    }
    free(ws);
    free(X);
    free(lab);
}

/* ---- tags (parallel) ---------------------------------------------------------------------- */

/* Days from the as-of day to the next birthday (0 on the day), or -1 when unknown. */
static int days_to_birthday(int64_t as_of_day, int16_t md)
{
    if (md <= 0) return -1;
    int y, mo, d;
    enc_civil_from_days(as_of_day, &y, &mo, &d);
    int bm = md / 100, bd = md % 100;
    for (int yy = y; yy <= y + 1; yy++) {
        int dd = bd;
        if (!enc_date_valid(yy, bm, dd)) dd = 28; /* 29 February in a common year */
        if (!enc_date_valid(yy, bm, dd)) return -1;
        int64_t b = enc_days_from_civil(yy, bm, dd);
        if (b >= as_of_day) return (int)(b - as_of_day);
    }
    return -1;
}

/* The value of a profile field for a user tag rule: *num for numbers, *str for strings; false
 * when missing. */
static bool field_num(const enc_score *sc, size_t i, enc_tag_field f, double *v)
{
    double scale = enc__money_scale(sc->cfg->money_digits);
    switch (f) {
    case ENC_TF_RECENCY_DAYS: *v = sc->recency[i]; break;
    case ENC_TF_FREQUENCY: *v = sc->frequency[i]; break;
    case ENC_TF_MONETARY: *v = (double)sc->monetary[i] / scale; break;
    case ENC_TF_RETURNS_AMOUNT: *v = (double)sc->returns[i] / scale; break;
    case ENC_TF_AOV: *v = sc->aov[i] >= 0 ? (double)sc->aov[i] / scale : NAN; break;
    case ENC_TF_TENURE_DAYS: *v = sc->tenure[i]; break;
    case ENC_TF_R: *v = sc->r[i] ? sc->r[i] : NAN; break;
    case ENC_TF_F: *v = sc->f[i] ? sc->f[i] : NAN; break;
    case ENC_TF_M: *v = sc->m[i] ? sc->m[i] : NAN; break;
    case ENC_TF_P_ALIVE: *v = sc->p_alive[i]; break;
    case ENC_TF_EXPECTED_30D: *v = sc->exp30[i]; break;
    case ENC_TF_EXPECTED_90D: *v = sc->exp90[i]; break;
    case ENC_TF_EXPECTED_365D: *v = sc->exp365[i]; break;
    case ENC_TF_EXPECTED_SPEND: *v = sc->exp_spend[i] / scale; break;
    case ENC_TF_CLV: *v = sc->clv[i] / scale; break;
    case ENC_TF_CHURN_RISK: *v = sc->churn[i]; break;
    case ENC_TF_PRICE_SENSITIVITY: *v = sc->promo_share[i]; break;
    case ENC_TF_CLUSTER: *v = sc->cluster[i] >= 0 ? sc->cluster[i] : NAN; break;
    default: return false;
    }
    return isfinite(*v);
}

static const char *dict_name(const enc_dict *d, int32_t id)
{
    return id >= 0 && (size_t)id < d->n ? d->names[id] : NULL;
}

const char *enc__score_str(const enc_score *sc, size_t i, enc_tag_field f)
{
    const enc_snapshot *s = sc->snap;
    switch (f) {
    case ENC_TF_RFM_SEGMENT:
        return sc->seg[i] < ENC_SEG_COUNT ? enc_rfm_segment_name(sc->seg[i]) : NULL;
    case ENC_TF_RFM_SEGMENT_CN: return sc->cn[i] < ENC_CN_COUNT ? enc_rfm_cn_name(sc->cn[i]) : NULL;
    case ENC_TF_LIFECYCLE: return enc_lc_stage_name(sc->stage[i]);
    case ENC_TF_LIFECYCLE_CLASS: return enc_lc_class_name(sc->cls[i]);
    case ENC_TF_SPEND_TIER: return enc_spend_tier_name(sc->tier[i]);
    case ENC_TF_PREFERRED_CHANNEL: return dict_name(&s->channels, sc->channel[i]);
    case ENC_TF_PREFERRED_PAYMENT: return dict_name(&s->payments, sc->payment[i]);
    case ENC_TF_REGION: return dict_name(&s->regions, s->region[i]);
    default: return NULL;
    }
}

static bool list_has(const enc_score *sc, size_t i, enc_tag_field f, const char *v, uint64_t user)
{
    const enc_snapshot *s = sc->snap;
    switch (f) {
    case ENC_TF_TAGS:
        for (int t = 0; t < ENC_TAG_COUNT; t++)
            if ((sc->tags[i] >> t & 1) && strcmp(tag_names[t], v) == 0) return true;
        for (size_t t = 0; t < sc->cfg->n_user_tags; t++)
            if ((user >> t & 1) && strcmp(sc->cfg->user_tags[t].name, v) == 0) return true;
        return false;
    case ENC_TF_TOP_CATEGORIES:
    case ENC_TF_TOP_BRANDS:
        for (int j = 0; j < ENC_SCORE_TOP; j++) {
            const char *name = f == ENC_TF_TOP_CATEGORIES
                                   ? dict_name(&s->tops, sc->top_cat[i * ENC_SCORE_TOP + j])
                                   : dict_name(&s->brands, sc->top_brand[i * ENC_SCORE_TOP + j]);
            if (name && strcmp(name, v) == 0) return true;
        }
        return false;
    default: return false;
    }
}

static bool cond_holds(const enc_score *sc, size_t i, const enc_tag_cond *cd, uint64_t user)
{
    if (cd->field >= ENC_TF_FIRST_LIST) return list_has(sc, i, cd->field, cd->str, user);
    if (cd->field < ENC_TF_FIRST_STR) {
        double v;
        if (!field_num(sc, i, cd->field, &v)) return false;
        switch (cd->op) {
        case ENC_OP_EQ: return v == cd->num;
        case ENC_OP_NE: return v != cd->num;
        case ENC_OP_LT: return v < cd->num;
        case ENC_OP_LE: return v <= cd->num;
        case ENC_OP_GT: return v > cd->num;
        case ENC_OP_GE: return v >= cd->num;
        case ENC_OP_IN:
            for (size_t k = 0; k < cd->nset; k++)
                if (v == cd->setnum[k]) return true;
            return false;
        default: return false;
        }
    }
    const char *v = enc__score_str(sc, i, cd->field);
    if (!v) return false;
    switch (cd->op) {
    case ENC_OP_EQ: return strcmp(v, cd->str) == 0;
    case ENC_OP_NE: return strcmp(v, cd->str) != 0;
    case ENC_OP_IN:
        for (size_t k = 0; k < cd->nset; k++)
            if (strcmp(v, cd->set[k]) == 0) return true;
        return false;
    default: return false;
    }
}

enc_rc enc__tag_range(void *p, size_t lo, size_t hi, enc_err *err)
{
    enc__tag_ctx *x = p;
    enc_score *sc = x->sc;
    const enc_snapshot *s = sc->snap;
    const enc_score_config *c = sc->cfg;
    const int64_t T = sc->as_of;
    const int64_t active = T - (int64_t)llround(c->tag_active_days * DAY);
    const int64_t today = floor_div(T - 1, DAY);
    for (size_t i = lo; i < hi; i++) {
        uint32_t t = 0;
        int32_t nord = sc->frequency[i];
        int64_t last = nord ? s->ord_ts[s->ord_off[i] + nord - 1] : ENC_CADENCE_NONE;
        int64_t first = nord ? s->ord_ts[s->ord_off[i]] : ENC_CADENCE_NONE;
#define SET(tag, cond)                                                                             \
    do {                                                                                           \
        if (cond) t |= 1u << (tag);                                                                \
    } while (0)
        SET(ENC_TAG_ACTIVE, (nord && last >= active) || (sc->last_engage[i] != ENC_CADENCE_NONE &&
                                                         sc->last_engage[i] >= active));
        SET(ENC_TAG_NEW_CUSTOMER, nord && first >= T - 30 * DAY);
        SET(ENC_TAG_ONE_TIME_BUYER, sc->occasions[i] == 1 && first < T - 30 * DAY);
        SET(ENC_TAG_LOYAL, sc->stage[i] == ENC_LC_MATURE || (sc->r[i] >= 4 && sc->f[i] >= 4));
        SET(ENC_TAG_AT_RISK, sc->occasions[i] >= 2 && sc->churn[i] >= c->tag_at_risk);
        SET(ENC_TAG_BIG_SPENDER,
            nord && sc->monetary[i] > 0 && (double)sc->monetary[i] >= x->big_spender);
        SET(ENC_TAG_HIGH_VALUE, sc->clv[i] > 0 && sc->clv[i] >= x->high_value);
        SET(ENC_TAG_PRICE_SENSITIVE, nord >= 2 && sc->promo_share[i] >= c->tag_price_share);
        SET(ENC_TAG_PREMIUM_BUYER, sc->price_index[i] >= 4.0 / 3);
        SET(ENC_TAG_BARGAIN_BUYER, sc->price_index[i] <= 0.75);
        SET(ENC_TAG_COMPLAINT_RISK,
            sc->complaints90[i] > 0 || s->nps_last[i] <= 6 || s->review_avg[i] <= 2);
        SET(ENC_TAG_FREQUENT_RETURNER,
            s->ret_count[i] >= 2 && sc->returns[i] * 4 >= sc->monetary[i]); /* >= 1/5 gross */
        SET(ENC_TAG_CART_ABANDONER, sc->last_cart[i] != ENC_CADENCE_NONE &&
                                        sc->last_cart[i] >= active &&
                                        (!nord || sc->last_cart[i] > last));
        int bd = days_to_birthday(today + 1, s->birth_md[i]);
        SET(ENC_TAG_BIRTHDAY_SOON, bd >= 0 && bd < 30);
        bool due = false;
        for (int j = 0; j < ENC_SCORE_TOP; j++) {
            int64_t d = sc->repl_due[i * ENC_SCORE_TOP + j];
            due |= d != ENC_CADENCE_NONE && d >= T - 14 * DAY && d < T + 14 * DAY;
        }
        SET(ENC_TAG_REPLENISH_DUE, due);
        SET(ENC_TAG_UNREACHABLE, s->consent[i] == 0);
#undef SET
        sc->tags[i] = t;
        uint64_t u = 0;
        for (size_t k = 0; k < c->n_user_tags; k++) {
            const enc_user_tag *ut = &c->user_tags[k];
            bool all = true;
            for (int q = 0; q < ut->ncond && all; q++) all = cond_holds(sc, i, &ut->cond[q], u);
            if (all) u |= 1ull << k;
        }
        sc->user_tags[i] = u;
    }
    return ENC_OK;
}
