/* test_gbt.c — unit tests for src/intel/gbt (gradient-boosted trees), src/intel/churn_pick
 * (the choice between trees, logistic model and the baseline) and src/intel/mbgnbd (MBG/NBD):
 * trees learn an interaction a linear model cannot (held-out AUC), per-feature contributions add
 * up to the log-odds, the same data give the same trees byte for byte, missing values are a
 * split of their own, early stopping keeps fewer trees on noise; thin training data and data
 * where only the baseline column predicts fall back to the baseline and say so; the MBG/NBD
 * gradient equals finite differences and its P(alive) is below 1 for one-time buyers; bad
 * input fails with a message. */
#include "harness.h"
#include "base/mem.h"
#include "intel/auc.h"
#include "intel/churn.h"
#include "intel/gbt.h"
#include "intel/mbgnbd.h"
#include "sim_rng.h"
#include <string.h>

/* y = 1 with probability 0.85 when x0 > 0.5 XOR x1 > 0.5, else 0.15; x2..x3 noise. */
enum { D = 4 };
static void xor_data(double *X, uint8_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double *x = X + i * D;
        for (int j = 0; j < D; j++) x[j] = sim_unif();
        int t = (x[0] > 0.5) != (x[1] > 0.5);
        y[i] = sim_unif() < (t ? 0.85 : 0.15);
    }
}

static void trees_learn_an_interaction(void)
{
    enum { N = 4000 };
    double *X = enc_xmalloc(2 * N * D * sizeof *X), *p = enc_xmalloc(N * sizeof *p);
    uint8_t *y = enc_xmalloc(2 * N);
    xor_data(X, y, 2 * N);
    enc_gbt_opts o;
    enc_gbt_opts_default(&o);
    o.max_trees = 100;
    enc_gbt *m = enc_xmalloc(sizeof *m);
    enc_err err = {0};
    void *ws = enc_xmalloc(enc_gbt_ws_size(N, D));
    int kept = 0;
    CHECK_INT(enc_gbt_fit(X, y, NULL, N, D, &o, m, &kept, ws, &err), ENC_OK);
    CHECK_INT(kept, 100);
    for (size_t i = 0; i < N; i++) p[i] = enc_gbt_logit(m, X + (N + i) * D);
    double a = sim_auc(p, y + N, N);
    /* the Bayes AUC of this design is 0.85 x 0.85 + 0.15 x 0.15 shares: about 0.85 */
    CHECK(a > 0.82);
    /* a logistic model cannot: its held-out AUC stays near 0.5 */
    enc_churn_opts co;
    enc_churn_opts_default(&co);
    enc_churn_model *lm = enc_xmalloc(sizeof *lm);
    double *cws = enc_xmalloc(enc_churn_ws_len(N, D) * sizeof *cws);
    CHECK_INT(enc_churn_fit(X, y, N, D, &co, lm, cws, &err), ENC_OK);
    enc_churn_score(lm, X + N * D, N, p);
    CHECK(sim_auc(p, y + N, N) < 0.56);
    /* the same data, the same trees */
    enc_gbt *m2 = enc_xmalloc(sizeof *m2);
    CHECK_INT(enc_gbt_fit(X, y, NULL, N, D, &o, m2, NULL, ws, &err), ENC_OK);
    CHECK(memcmp(m, m2, sizeof *m) == 0);
    /* contributions add up to the log-odds, and the noise columns carry little */
    double c[D], noise = 0, signal = 0;
    for (size_t i = 0; i < 200; i++) {
        const double *x = X + (N + i) * D;
        double bias = enc_gbt_contrib(m, x, c), s = bias;
        for (int j = 0; j < D; j++) s += c[j];
        CHECK_NEAR(s, enc_gbt_logit(m, x), 1e-9);
        signal += fabs(c[0]) + fabs(c[1]);
        noise += fabs(c[2]) + fabs(c[3]);
    }
    CHECK(signal > 5 * noise);
    free(X), free(p), free(y), free(m), free(m2), free(ws), free(lm), free(cws);
}

static void missing_values_and_early_stopping(void)
{
    enum { N = 3000 };
    double *X = enc_xmalloc(N * 2 * sizeof *X);
    uint8_t *y = enc_xmalloc(N), *train = enc_xmalloc(N);
    /* column 0 is missing exactly for the positives of half the rows; column 1 is noise */
    for (size_t i = 0; i < N; i++) {
        y[i] = sim_unif() < 0.4;
        X[i * 2] = y[i] && (i & 1) ? NAN : sim_unif();
        X[i * 2 + 1] = sim_unif();
        train[i] = (i / 2) % 4 != 0; /* odd and even rows in both parts */
    }
    enc_gbt_opts o;
    enc_gbt_opts_default(&o);
    enc_gbt *m = enc_xmalloc(sizeof *m);
    void *ws = enc_xmalloc(enc_gbt_ws_size(N, 2));
    int kept = 0;
    CHECK_INT(enc_gbt_fit(X, y, train, N, 2, &o, m, &kept, ws, NULL), ENC_OK);
    CHECK(kept >= 1 && kept < o.max_trees);
    CHECK_INT(m->trees, kept);
    double miss[2] = {NAN, 0.5}, seen[2] = {0.5, 0.5};
    CHECK(enc_gbt_logit(m, miss) > enc_gbt_logit(m, seen) + 2); /* missing = positive */
    /* on pure noise the validation loss stops falling early */
    for (size_t i = 0; i < N; i++) X[i * 2] = sim_unif();
    CHECK_INT(enc_gbt_fit(X, y, train, N, 2, &o, m, &kept, ws, NULL), ENC_OK);
    CHECK(kept < 60);
    free(X), free(y), free(train), free(m), free(ws);
}

static void gbt_bad_input(void)
{
    double X[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t y[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    enc_gbt_opts o;
    enc_gbt_opts_default(&o);
    enc_gbt *m = enc_xmalloc(sizeof *m);
    void *ws = enc_xmalloc(enc_gbt_ws_size(8, 1));
    enc_err err = {0};
    CHECK_INT(enc_gbt_fit(X, y, NULL, 8, 1, &o, m, NULL, ws, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "both outcomes") != NULL);
    y[3] = 1;
    CHECK_INT(enc_gbt_fit(X, y, NULL, 8, 0, &o, m, NULL, ws, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "features") != NULL);
    o.max_trees = ENC_GBT_MAX_TREES + 1;
    CHECK_INT(enc_gbt_fit(X, y, NULL, 8, 1, &o, m, NULL, ws, &err), ENC_EUSAGE);
    enc_gbt_opts_default(&o);
    o.eta = 0;
    CHECK_INT(enc_gbt_fit(X, y, NULL, 8, 1, &o, m, NULL, ws, &err), ENC_EUSAGE);
    free(m), free(ws);
}

/* Column 0 is "recency" (more = churn), the rest as given. */
static void pick_falls_back_to_the_baseline(void)
{
    enum { N = 3000 };
    double *X = enc_xmalloc(N * D * sizeof *X), *p = enc_xmalloc(N * sizeof *p);
    uint8_t *y = enc_xmalloc(N);
    for (size_t i = 0; i < N; i++) {
        double *x = X + i * D;
        for (int j = 0; j < D; j++) x[j] = sim_unif();
        y[i] = sim_unif() < x[0];
    }
    enc_churn_opts o;
    enc_churn_opts_default(&o);
    enc_churn_model *m = enc_xmalloc(sizeof *m);
    enc_err err = {0};
    /* thin: 95 rows, whose fitted slope may even point the wrong way */
    CHECK_INT(enc_churn_fit_auto(X, y, 95, D, &o, 0, m, &err), ENC_OK);
    CHECK_INT(m->kind, ENC_CHURN_BASELINE);
    CHECK(strstr(m->note, "too few") != NULL);
    CHECK(strstr(m->note, "95 customers") != NULL);
    enc_churn_score(m, X, N, p);
    double *col = enc_xmalloc(N * sizeof *col);
    for (size_t i = 0; i < N; i++) col[i] = X[i * D];
    CHECK_NEAR(sim_auc(p, y, N), sim_auc(col, y, N), 1e-12); /* ranks exactly as the column */
    /* a column that predicts against its risk direction: the baseline still ranks by it */
    for (size_t i = 0; i < 95; i++) y[i] = X[i * D] < 0.5;
    CHECK_INT(enc_churn_fit_auto(X, y, 95, D, &o, 0, m, &err), ENC_OK);
    enc_churn_score(m, X, N, p);
    CHECK_NEAR(sim_auc(p, y, 95), sim_auc(col, y, 95), 1e-12);
    /* enough rows, but only the baseline column predicts: no model beats it on validation */
    for (size_t i = 0; i < N; i++) y[i] = sim_unif() < X[i * D];
    CHECK_INT(enc_churn_fit_auto(X, y, N, D, &o, 0, m, &err), ENC_OK);
    CHECK(m->n_val > 600 && m->n_val < 900);
    CHECK(isfinite(m->val_auc[0]) && isfinite(m->val_auc[1]) && isfinite(m->val_auc[2]));
    if (m->kind == ENC_CHURN_BASELINE) CHECK(strstr(m->note, "no model beat") != NULL);
    else CHECK(fmax(m->val_auc[1], m->val_auc[2]) > m->val_auc[0]);
    /* an interaction: the trees win and say so */
    for (size_t i = 0; i < N; i++) {
        const double *x = X + i * D;
        y[i] = sim_unif() < (((x[1] > 0.5) != (x[2] > 0.5)) ? 0.85 : 0.15);
    }
    CHECK_INT(enc_churn_fit_auto(X, y, N, D, &o, 0, m, &err), ENC_OK);
    CHECK_INT(m->kind, ENC_CHURN_GBT);
    CHECK(strstr(m->note, "gradient-boosted trees") != NULL);
    CHECK(m->val_auc[2] > 0.75 && m->val_auc[2] > m->val_auc[1] + 0.1);
    /* reasons come from the trees' contributions: the interacting columns */
    int8_t idx[2];
    float con[2];
    enc_churn_reasons(m, NULL, X, 1, 2, -1e300, idx, con);
    double c[D];
    enc_gbt_contrib(&m->gbt, X, c);
    int best = 0;
    for (int j = 1; j < D; j++)
        if (c[j] > c[best]) best = j;
    if (c[best] > 0) CHECK_INT(idx[0], best);
    CHECK_INT(enc_churn_fit_auto(X, y, N, D, &o, D, m, &err), ENC_EUSAGE);
    free(X), free(p), free(y), free(m), free(col);
}

static void mbgnbd_gradient_and_p_alive(void)
{
    int32_t x[5] = {0, 1, 2, 7, 0};
    double tx[5] = {0, 3.5, 10, 30, 0}, T[5] = {20, 25, 30, 38, 5}, w[5] = {3, 1, 2, 1, 4};
    enc_clv_obs d = {5, x, tx, T, w};
    enc_bgnbd_params p = {0.5, 6, 0.9, 1.6};
    double g[4];
    enc_mbgnbd_loglik(&p, &d, g);
    double *pp[4] = {&p.r, &p.alpha, &p.a, &p.b};
    for (int j = 0; j < 4; j++) {
        double v = *pp[j], h = 1e-6 * v;
        *pp[j] = v + h;
        double up = enc_mbgnbd_loglik(&p, &d, NULL);
        *pp[j] = v - h;
        double dn = enc_mbgnbd_loglik(&p, &d, NULL);
        *pp[j] = v;
        CHECK_NEAR(g[j], (up - dn) / (2 * h), 1e-6);
    }
    CHECK(enc_mbgnbd_p_alive(&p, 0, 0, 20) < 1);
    CHECK(enc_mbgnbd_p_alive(&p, 0, 0, 20) < enc_mbgnbd_p_alive(&p, 0, 0, 5));
    CHECK(enc_mbgnbd_p_alive(&p, 3, 19, 20) > enc_mbgnbd_p_alive(&p, 3, 2, 20));
    double pb = enc_mbgnbd_p_buy(&p, 3, 19, 20, 13);
    CHECK(pb > 0 && pb < enc_mbgnbd_p_alive(&p, 3, 19, 20));
    CHECK(enc_mbgnbd_p_buy(&p, 3, 19, 20, 26) > pb);
    CHECK(isnan(enc_mbgnbd_p_alive(&p, 1, 30, 20)));
    p.a = -1;
    CHECK(isnan(enc_mbgnbd_loglik(&p, &d, NULL)));
    /* a fit: nobody repeats fails with a reason */
    int32_t z[3] = {0, 0, 0};
    enc_clv_obs d0 = {3, z, tx, T, NULL};
    enc_bgnbd_fit f;
    enc_err err = {0};
    CHECK(enc_mbgnbd_fit_ml(&d0, NULL, &f, &err) != ENC_OK);
    CHECK(strstr(err.msg, "mbg/nbd") != NULL);
}

int main(void)
{
    RUN(trees_learn_an_interaction);
    RUN(missing_values_and_early_stopping);
    RUN(gbt_bad_input);
    RUN(pick_falls_back_to_the_baseline);
    RUN(mbgnbd_gradient_and_p_alive);
    return TEST_SUMMARY();
}
