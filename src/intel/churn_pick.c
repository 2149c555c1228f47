/* churn_pick.c — which churn model scores (see enc_churn_fit_auto in churn.h): the baseline
 * column alone, the logistic model or the gradient-boosted trees, judged on a validation split
 * of the training rows. Thin history falls back to the baseline and says so, which cures the
 * inverted models a few dozen customers give (issue 19, item 5a). */
#include "base/map.h"
#include "base/mem.h"
#include "intel/auc.h"
#include "intel/churn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows the trees learn from at most (about: a hash-chosen share of the rows beyond): enough to
 * find depth-3 interactions, and it bounds the fit's cost on a large shop. */
enum { TREE_ROWS = 20000 };

static bool is_val(size_t i) { return enc_hash_u64((uint64_t)i ^ 0x9e3779b97f4a7c15u) % 4 == 0; }

/* The baseline: logistic on column col alone (every other column unused). */
static enc_rc fit_baseline(const double *X, const uint8_t *y, size_t n, int d,
                           const enc_churn_opts *o, int col, enc_churn_model *m, enc_err *err)
{
    uint8_t use[ENC_CHURN_MAX_FEATURES] = {0};
    use[col] = 1;
    enc_churn_opts ob = *o;
    ob.use = use;
    double *ws = enc_xmalloc((enc_churn_ws_len(n, d) ? enc_churn_ws_len(n, d) : 1) * sizeof *ws);
    enc_rc rc = enc_churn_fit(X, y, n, d, &ob, m, ws, err);
    free(ws);
    if (rc) return rc;
    m->kind = ENC_CHURN_BASELINE;
    /* The baseline ranks as its column does: more of it, more risk. When the thin history
     * fits no slope or the wrong one, the probability is the training rate, ranked by a
     * vanishing slope. */
    if (!(m->beta[col] > 0)) {
        double ybar = (double)m->n_pos / (double)m->n_train;
        m->beta[col] = 1e-6;
        m->intercept = log(ybar / (1 - ybar));
    }
    return ENC_OK;
}

static double auc_of(const double *s, const uint8_t *y, size_t n)
{
    double a = NAN;
    void *ws = enc_xmalloc(enc_auc_ws_size(n ? n : 1));
    if (enc_auc(s, y, n, &a, ws, NULL)) a = NAN;
    free(ws);
    return a;
}

enc_rc enc_churn_fit_auto(const double *X, const uint8_t *y, size_t n, int d,
                          const enc_churn_opts *o, int baseline_col, enc_churn_model *m,
                          enc_err *err)
{
    if (baseline_col < 0 || baseline_col >= d)
        return enc_fail(err, ENC_EUSAGE, "churn: baseline column %d out of 0..%d", baseline_col,
                        d - 1);
    size_t nv = 0, vpos = 0;
    for (size_t i = 0; i < n; i++)
        if (is_val(i)) nv++, vpos += y[i] != 0;
    double val_auc[3] = {NAN, NAN, NAN};
    char note[240];
    bool thin =
        n < ENC_CHURN_MIN_ROWS || vpos < ENC_CHURN_MIN_CLASS || nv - vpos < ENC_CHURN_MIN_CLASS;
    enc_rc rc = ENC_OK;
    int kind = ENC_CHURN_BASELINE, trees = 0;
    if (thin) {
        snprintf(note, sizeof note,
                 "trained on %zu customers (%zu held out, %zu of them churned): too few for a"
                 " model (at least %d, and %d of each outcome held out); recency alone ranks",
                 n, nv, vpos, ENC_CHURN_MIN_ROWS, ENC_CHURN_MIN_CLASS);
    } else {
        /* the three quarters and the held-out quarter */
        size_t nf = n - nv;
        double *Xf = enc_xmalloc(nf * (size_t)d * sizeof *Xf),
               *Xv = enc_xmalloc(nv * (size_t)d * sizeof *Xv);
        uint8_t *yf = enc_xmalloc(nf), *yv = enc_xmalloc(nv), *train = enc_xmalloc(n);
        size_t a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            train[i] = !is_val(i);
            if (train[i]) {
                memcpy(Xf + a * (size_t)d, X + i * (size_t)d, (size_t)d * sizeof *X);
                yf[a++] = y[i];
            } else {
                memcpy(Xv + b * (size_t)d, X + i * (size_t)d, (size_t)d * sizeof *X);
                yv[b++] = y[i];
            }
        }
        double *pv = enc_xmalloc(nv * sizeof *pv);
        for (size_t i = 0; i < nv; i++) {
            double v = Xv[i * (size_t)d + baseline_col];
            pv[i] = isfinite(v) ? v : 0;
        }
        val_auc[0] = auc_of(pv, yv, nv);
        enc_churn_model *tmp = enc_xmalloc(sizeof *tmp);
        double *ws = enc_xmalloc(enc_churn_ws_len(nf, d) * sizeof *ws);
        if (enc_churn_fit(Xf, yf, nf, d, o, tmp, ws, NULL) == ENC_OK) {
            enc_churn_score(tmp, Xv, nv, pv);
            val_auc[1] = auc_of(pv, yv, nv);
        }
        free(ws);
        enc_gbt_opts go;
        enc_gbt_opts_default(&go);
        /* the trees learn from at most TREE_ROWS rows, a hash-chosen sample beyond */
        size_t ns = 0;
        const double *Xs = X;
        const uint8_t *ys = y, *ts = train;
        double *Xb = NULL;
        uint8_t *yb = NULL, *tb = NULL;
        if (n > TREE_ROWS) {
            Xb = enc_xmalloc((size_t)TREE_ROWS * 2 * (size_t)d * sizeof *Xb);
            yb = enc_xmalloc((size_t)TREE_ROWS * 2), tb = enc_xmalloc((size_t)TREE_ROWS * 2);
            uint64_t keep = (uint64_t)((double)UINT64_MAX * ((double)TREE_ROWS / (double)n));
            for (size_t i = 0; i < n && ns < 2 * (size_t)TREE_ROWS; i++) {
                if (enc_hash_u64((uint64_t)i + 0x5bd1e995u) > keep) continue;
                memcpy(Xb + ns * (size_t)d, X + i * (size_t)d, (size_t)d * sizeof *X);
                yb[ns] = y[i], tb[ns] = train[i];
                ns++;
            }
            Xs = Xb, ys = yb, ts = tb;
        } else {
            ns = n;
        }
        void *gws = enc_xmalloc(enc_gbt_ws_size(ns, d));
        if (enc_gbt_fit(Xs, ys, ts, ns, d, &go, &tmp->gbt, &trees, gws, NULL) == ENC_OK &&
            trees > 0) {
            for (size_t i = 0; i < nv; i++) {
                double e = enc_gbt_logit(&tmp->gbt, Xv + i * (size_t)d);
                pv[i] = 1 / (1 + exp(-e));
            }
            val_auc[2] = auc_of(pv, yv, nv);
        }
        double best =
            val_auc[1] > val_auc[2] || !(val_auc[2] == val_auc[2]) ? val_auc[1] : val_auc[2];
        if (!(best > val_auc[0])) {
            snprintf(note, sizeof note,
                     "no model beat recency alone on the held-out quarter (%zu customers: AUC"
                     " recency %.4f, logistic %.4f, trees %.4f): recency alone ranks",
                     nv, val_auc[0], val_auc[1], val_auc[2]);
        } else if (best == val_auc[2]) {
            kind = ENC_CHURN_GBT;
            snprintf(note, sizeof note,
                     "gradient-boosted trees (%d), best on the held-out quarter (%zu customers:"
                     " AUC trees %.4f, logistic %.4f, recency %.4f)",
                     trees, nv, val_auc[2], val_auc[1], val_auc[0]);
            go.max_trees = trees; /* refitted on every row below */
            rc = enc_gbt_fit(Xs, ys, NULL, ns, d, &go, &tmp->gbt, NULL, gws, err);
        } else {
            kind = ENC_CHURN_LOGISTIC;
            snprintf(note, sizeof note,
                     "logistic model, best on the held-out quarter (%zu customers: AUC logistic"
                     " %.4f, trees %.4f, recency %.4f)",
                     nv, val_auc[1], val_auc[2], val_auc[0]);
        }
        if (!rc && kind != ENC_CHURN_BASELINE) {
            ws = enc_xmalloc(enc_churn_ws_len(n, d) * sizeof *ws);
            rc = enc_churn_fit(X, y, n, d, o, m, ws, err);
            free(ws);
            if (!rc && kind == ENC_CHURN_GBT) {
                m->gbt = tmp->gbt;
                m->kind = ENC_CHURN_GBT;
            }
        }
        free(gws);
        free(Xb);
        free(yb);
        free(tb);
        free(tmp);
        free(pv);
        free(Xf);
        free(Xv);
        free(yf);
        free(yv);
        free(train);
    }
    if (!rc && kind == ENC_CHURN_BASELINE) rc = fit_baseline(X, y, n, d, o, baseline_col, m, err);
    if (rc) return rc;
    m->n_fit = thin ? n : n - nv;
    m->n_val = thin ? 0 : nv;
    memcpy(m->val_auc, val_auc, sizeof val_auc);
    snprintf(m->note, sizeof m->note, "%s", note);
    return ENC_OK;
}
