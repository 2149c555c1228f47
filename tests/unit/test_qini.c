/* test_qini.c — unit tests for src/measure/qini (Qini curve and coefficient) and
 * src/intel/upmodel (the two-model uplift estimator): the coefficient equals a brute-force
 * recomputation from its definition; a random score scores about 0 and its interval holds 0;
 * on simulated customers whose uplift varies with a known feature, the model fitted on one half
 * ranks the other half (coefficient well above 0, interval excluding 0, close to the true
 * uplift's own ranking), and targeting its top 30% yields more incremental conversions per
 * message than sending to all; the same seed, the same interval; bad input fails. */
#include "harness.h"
#include "intel/upmodel.h"
#include "measure/qini.h"
#include "sim_rng.h"
#include <string.h>

/* brute force: for every cut k, g_k from scratch; mean of g_k - k/n g_n */
static double brute_coef(const double *s, const uint8_t *t, const uint8_t *y, size_t n)
{
    size_t *ord = malloc(n * sizeof *ord);
    for (size_t i = 0; i < n; i++) ord[i] = i;
    for (size_t a = 0; a < n; a++) /* selection sort, highest first, ties by index */
        for (size_t b = a + 1; b < n; b++)
            if (s[ord[b]] > s[ord[a]] || (s[ord[b]] == s[ord[a]] && ord[b] < ord[a])) {
                size_t tmp = ord[a];
                ord[a] = ord[b];
                ord[b] = tmp;
            }
    double NT = 0, NC = 0;
    for (size_t i = 0; i < n; i++) *(t[i] ? &NT : &NC) += 1;
    double gn = 0, sum = 0;
    for (size_t k = 1; k <= n; k++) {
        double yt = 0, yc = 0;
        for (size_t j = 0; j < k; j++)
            if (y[ord[j]]) *(t[ord[j]] ? &yt : &yc) += 1;
        if (k == n) gn = yt / NT - yc / NC;
    }
    for (size_t k = 1; k <= n; k++) {
        double yt = 0, yc = 0;
        for (size_t j = 0; j < k; j++)
            if (y[ord[j]]) *(t[ord[j]] ? &yt : &yc) += 1;
        sum += yt / NT - yc / NC - (double)k / (double)n * gn;
    }
    free(ord);
    return sum / (double)n;
}

static void coefficient_matches_its_definition(void)
{
    enum { N = 300 };
    double s[N];
    uint8_t t[N], y[N];
    for (int i = 0; i < N; i++) {
        s[i] = (double)(sim_next() % 40); /* ties on purpose */
        t[i] = sim_unif() < 0.6;
        y[i] = sim_unif() < (t[i] ? 0.1 + s[i] / 80 : 0.2);
    }
    enc_qini q;
    CHECK_INT(enc_qini_compute(s, t, y, N, 11, 0, 0.95, 1, &q, NULL), ENC_OK);
    CHECK_NEAR(q.coef, brute_coef(s, t, y, N), 1e-12);
    CHECK(isnan(q.lo) && isnan(q.hi));
    CHECK_NEAR(q.gain[10], q.ate, 1e-12);
    CHECK_NEAR(q.gain[0], 0, 0);
    CHECK_INT(q.n_treated + q.n_control, N);
}

/* baseline 0.10 + 0.05 x1; uplift 0.20 x0^2 (the persuadable have a high x0); x2 noise */
enum { D = 3 };
static void simulate(double *X, uint8_t *t, uint8_t *y, double *tau, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double *x = X + i * D;
        for (int j = 0; j < D; j++) x[j] = sim_unif();
        tau[i] = 0.20 * x[0] * x[0];
        t[i] = sim_unif() < 0.5;
        y[i] = sim_unif() < 0.10 + 0.05 * x[1] + (t[i] ? tau[i] : 0);
    }
}

static void model_recovers_the_ranking(void)
{
    enum { N = 20000 };
    double *X = malloc(2 * N * D * sizeof *X), *tau = malloc(2 * N * sizeof *tau),
           *pred = malloc(N * sizeof *pred);
    uint8_t *t = malloc(2 * N), *y = malloc(2 * N);
    simulate(X, t, y, tau, 2 * N);
    enc_upmodel *m = malloc(sizeof *m);
    enc_err err = {0};
    CHECK_INT(enc_upmodel_fit(X, t, y, N, D, NULL, m, &err), ENC_OK);
    enc_upmodel_predict(m, X + N * D, N, pred);
    enc_qini q, qt, qr;
    CHECK_INT(enc_qini_compute(pred, t + N, y + N, N, 11, 200, 0.95, 7, &q, &err), ENC_OK);
    CHECK_INT(enc_qini_compute(tau + N, t + N, y + N, N, 11, 0, 0.95, 7, &qt, &err), ENC_OK);
    printf("# qini model %.5f [%.5f, %.5f], true uplift %.5f; uplift top 30%% %.4f, all %.4f\n",
           q.coef, q.lo, q.hi, qt.coef, q.top_uplift[3], q.ate);
    CHECK(q.lo > 0);                      /* the interval excludes zero */
    CHECK(q.coef > 0.6 * qt.coef);        /* most of what the true uplift's ranking achieves */
    CHECK(q.top_uplift[3] > 1.5 * q.ate); /* top 30%: more incremental conversions a message */
    /* the same seed, the same interval; another seed, another */
    enc_qini q2;
    CHECK_INT(enc_qini_compute(pred, t + N, y + N, N, 11, 200, 0.95, 7, &q2, &err), ENC_OK);
    CHECK(q2.lo == q.lo && q2.hi == q.hi);
    /* a random score: about zero, its interval holds zero */
    int holds = 0;
    for (int r = 0; r < 20; r++) {
        for (size_t i = 0; i < N; i++) pred[i] = sim_unif();
        CHECK_INT(enc_qini_compute(pred, t + N, y + N, N, 11, 200, 0.95, 7 + r, &qr, &err), ENC_OK);
        holds += qr.lo < 0 && qr.hi > 0;
    }
    printf("# random scores: the interval holds 0 in %d of 20\n", holds);
    CHECK(holds >= 16);
    /* the reversed true uplift ranks the persuadable last */
    for (size_t i = 0; i < N; i++) pred[i] = -tau[N + i];
    CHECK_INT(enc_qini_compute(pred, t + N, y + N, N, 11, 0, 0.95, 7, &qr, &err), ENC_OK);
    CHECK(qr.coef < 0);
    free(X), free(tau), free(pred), free(t), free(y), free(m);
}

static void bad_input(void)
{
    double s[4] = {1, 2, 3, 4};
    uint8_t t[4] = {1, 1, 1, 1}, y[4] = {0, 1, 0, 1};
    enc_qini q;
    enc_err err = {0};
    CHECK_INT(enc_qini_compute(s, t, y, 4, 11, 0, 0.95, 1, &q, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "both groups") != NULL);
    t[0] = 0;
    CHECK_INT(enc_qini_compute(s, t, y, 4, 1, 0, 0.95, 1, &q, &err), ENC_EUSAGE);
    CHECK_INT(enc_qini_compute(s, t, y, 4, 11, 0, 1.5, 1, &q, &err), ENC_EUSAGE);
    double X[4 * 1] = {1, 2, 3, 4};
    enc_upmodel *m = malloc(sizeof *m);
    CHECK_INT(enc_upmodel_fit(X, t, y, 4, 1, NULL, m, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "treated group has 3 customers") != NULL);
    free(m);
}

int main(void)
{
    RUN(coefficient_matches_its_definition);
    RUN(model_recovers_the_ranking);
    RUN(bad_input);
    return TEST_SUMMARY();
}
