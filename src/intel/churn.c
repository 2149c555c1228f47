/* churn.c — L2-regularised logistic regression for churn risk (see churn.h).
 * Objective on standardised features z_i (theta = intercept b, coefficients beta):
 *   f(theta) = sum_i [ log(1 + e^eta_i) - y_i eta_i ] + lambda/2 |beta|^2,  eta_i = b + beta.z_i
 *   gradient  sum_i (p_i - y_i) (1, z_i) + lambda (0, beta)
 *   Hessian   sum_i p_i (1 - p_i) (1, z_i)(1, z_i)^T + lambda diag(0, 1, ..., 1)
 * minimised by Newton's method with Armijo step halving (Nocedal & Wright, Numerical
 * Optimization, 2nd ed., 3.1 and 3.3; for the logistic case Hastie, Tibshirani & Friedman, ESL
 * 4.4.1). log(1 + e^eta) is evaluated as max(eta, 0) + log1p(e^-|eta|). The (d+1)^2 system is
 * solved by GSL's Cholesky decomposition. */
#include "intel/churn.h"
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAXP (ENC_CHURN_MAX_FEATURES + 1)

void enc_churn_opts_default(enc_churn_opts *o)
{
    o->lambda = 1.0;
    o->max_iter = 50;
    o->tol = 1e-14;
    o->log1p = NULL;
    o->use = NULL;
}

size_t enc_churn_ws_len(size_t n, int d)
{
    size_t r;
    return d > 0 && !__builtin_mul_overflow(n, (size_t)d, &r) ? r : 0;
}

static inline double transform(const enc_churn_model *m, int j, double x)
{
    return m->log1p[j] ? log1p(x) : x; /* log1p(x < -1) is NaN: missing */
}

double enc_churn_z(const enc_churn_model *m, const double *xrow, int j)
{
    double t = transform(m, j, xrow[j]);
    if (!isfinite(t) || m->sd[j] == 0) return 0;
    return (t - m->mean[j]) / m->sd[j];
}

/* f at theta; g and H (full, p x p) too when g != NULL. */
static double eval(const double *Z, const uint8_t *y, size_t n, int d, const double *sd0,
                   double lambda, const double *th, double *g, double *H)
{
    const int p = d + 1;
    double f = 0;
    if (g) {
        memset(g, 0, p * sizeof *g);
        memset(H, 0, (size_t)p * p * sizeof *H);
    }
    double x[MAXP];
    x[0] = 1;
    for (size_t i = 0; i < n; i++) {
        const double *z = Z + i * (size_t)d;
        double eta = th[0];
        for (int j = 0; j < d; j++) {
            x[j + 1] = z[j];
            eta += th[j + 1] * z[j];
        }
        double e = exp(-fabs(eta));
        double yi = y[i] ? 1.0 : 0.0;
        f += (eta > 0 ? eta : 0) + log1p(e) - yi * eta;
        if (!g) continue;
        double pr = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
        double r = pr - yi, w = pr * (1 - pr);
        for (int a = 0; a < p; a++) {
            g[a] += r * x[a];
            double wa = w * x[a];
            double *Ha = H + (size_t)a * p;
            for (int b = a; b < p; b++) Ha[b] += wa * x[b];
        }
    }
    for (int j = 1; j < p; j++) f += 0.5 * lambda * th[j] * th[j];
    if (g) {
        for (int j = 1; j < p; j++) {
            g[j] += lambda * th[j];
            H[(size_t)j * p + j] += lambda + (sd0[j - 1] == 0 ? 1 : 0); /* constant column */
        }
        for (int a = 0; a < p; a++)
            for (int b = 0; b < a; b++) H[(size_t)a * p + b] = H[(size_t)b * p + a];
    }
    return f;
}

enc_rc enc_churn_fit(const double *X, const uint8_t *y, size_t n, int d, const enc_churn_opts *o,
                     enc_churn_model *m, double *ws, enc_err *err)
{
    if (d < 1 || d > ENC_CHURN_MAX_FEATURES)
        return enc_fail(err, ENC_EUSAGE, "churn: %d features: must be 1..%d", d,
                        ENC_CHURN_MAX_FEATURES);
    if (!(o->lambda >= 0)) return enc_fail(err, ENC_EUSAGE, "churn: lambda must be >= 0");
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) npos += y[i] != 0;
    if (npos == 0 || npos == n)
        return enc_fail(err, ENC_EUSAGE,
                        "churn: training labels need both outcomes (%zu churned of %zu)", npos, n);
    memset(m, 0, sizeof *m);
    m->d = d;
    m->lambda = o->lambda;
    m->n_train = n;
    m->n_pos = npos;
    for (int j = 0; j < d; j++) m->log1p[j] = o->log1p ? o->log1p[j] != 0 : 0;
    /* standardisation, two passes: transform once into ws while keeping a Welford mean and
     * population sd a column (of the finite values), then z-score ws in place */
    double mean[ENC_CHURN_MAX_FEATURES] = {0}, m2[ENC_CHURN_MAX_FEATURES] = {0};
    size_t cnt[ENC_CHURN_MAX_FEATURES] = {0};
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * (size_t)d;
        double *t = ws + i * (size_t)d;
        for (int j = 0; j < d; j++) {
            t[j] = transform(m, j, x[j]);
            if (!isfinite(t[j])) continue;
            cnt[j]++;
            double dl = t[j] - mean[j];
            mean[j] += dl / (double)cnt[j];
            m2[j] += dl * (t[j] - mean[j]);
        }
    }
    for (int j = 0; j < d; j++) {
        m->mean[j] = cnt[j] ? mean[j] : 0;
        double sd = cnt[j] ? sqrt(m2[j] / (double)cnt[j]) : 0;
        m->sd[j] = sd > 1e-12 * (1 + fabs(mean[j])) && (!o->use || o->use[j]) ? sd : 0;
    }
    for (size_t i = 0; i < n; i++) {
        double *t = ws + i * (size_t)d;
        for (int j = 0; j < d; j++)
            t[j] = isfinite(t[j]) && m->sd[j] > 0 ? (t[j] - m->mean[j]) / m->sd[j] : 0;
    }

    const int p = d + 1;
    double th[MAXP] = {0}, g[MAXP], H[MAXP * MAXP], step[MAXP], tr[MAXP], g2[MAXP], H2[MAXP * MAXP];
    double ybar = (double)npos / (double)n;
    th[0] = log(ybar / (1 - ybar)); /* the optimum when every beta is 0 */
    double f = eval(ws, y, n, d, m->sd, o->lambda, th, g, H);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    enc_rc rc = ENC_OK;
    int it = 0, converged = 0;
    for (; it < o->max_iter; it++) {
        gsl_matrix_view Hv = gsl_matrix_view_array(H, p, p);
        gsl_vector_view gv = gsl_vector_view_array(g, p), sv = gsl_vector_view_array(step, p);
        if (gsl_linalg_cholesky_decomp1(&Hv.matrix) ||
            gsl_linalg_cholesky_solve(&Hv.matrix, &gv.vector, &sv.vector)) {
            rc =
                enc_fail(err, ENC_EFAIL,
                         "churn: Hessian not positive definite at iteration %d (raise lambda)", it);
            break;
        }
        double dec = 0; /* Newton decrement squared g' H^-1 g */
        for (int a = 0; a < p; a++) {
            step[a] = -step[a];
            dec -= g[a] * step[a];
        }
        if (dec / 2 <= o->tol * (1 + fabs(f))) {
            converged = 1;
            break;
        }
        double t = 1, ft = f;
        for (;;) {
            for (int a = 0; a < p; a++) tr[a] = th[a] + t * step[a];
            ft = eval(ws, y, n, d, m->sd, o->lambda, tr, g2, H2);
            if (ft <= f - 1e-4 * t * dec) break;
            t *= 0.5;
            if (t < 1e-12) break;
        }
        if (!(ft < f)) { /* no decrease left: at the optimum to rounding */
            converged = dec / 2 <= 1e-8 * (1 + fabs(f));
            break;
        }
        memcpy(th, tr, sizeof th);
        memcpy(g, g2, sizeof g);
        memcpy(H, H2, sizeof H);
        f = ft;
    }
    gsl_set_error_handler(old);
    if (rc) return rc;
    if (!converged)
        return enc_fail(err, ENC_EFAIL,
                        "churn: no convergence in %d iterations (separable data? raise lambda)",
                        it);
    /* On separable data the objective has no minimiser without a penalty: the gradient fades as
     * beta runs off to infinity and Newton stops on a tiny decrement. A coefficient of 30 on a
     * standardised feature (odds x e^30 a standard deviation) is that case, not a model. */
    for (int j = 1; j < p; j++)
        if (fabs(th[j]) > 30)
            return enc_fail(err, ENC_EFAIL,
                            "churn: coefficient %d diverges (%.3g): separable data? raise lambda",
                            j - 1, th[j]);
    m->intercept = th[0];
    double pen = 0;
    for (int j = 0; j < d; j++) {
        m->beta[j] = th[j + 1];
        pen += 0.5 * o->lambda * th[j + 1] * th[j + 1];
    }
    m->iterations = it;
    m->loglik = -(f - pen);
    return ENC_OK;
}

void enc_churn_score(const enc_churn_model *m, const double *X, size_t n, double *p)
{
    const int d = m->d;
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * (size_t)d;
        double eta = m->intercept;
        if (m->kind == ENC_CHURN_GBT) eta = enc_gbt_logit(&m->gbt, x);
        else
            for (int j = 0; j < d; j++) eta += m->beta[j] * enc_churn_z(m, x, j);
        double e = exp(-fabs(eta));
        p[i] = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
    }
}

void enc_churn_reasons(const enc_churn_model *m, const enc_churn_feature *feat, const double *X,
                       size_t n, int top, double min_contrib, int8_t *idx, float *contrib)
{
    if (top < 1) return;
    if (top > 8) top = 8;
    const int d = m->d;
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * (size_t)d;
        int bi[8], k = 0;
        double bc[8], gc[ENC_CHURN_MAX_FEATURES];
        if (m->kind == ENC_CHURN_GBT) enc_gbt_contrib(&m->gbt, x, gc);
        for (int j = 0; j < d; j++) {
            double z = enc_churn_z(m, x, j);
            double c = m->kind == ENC_CHURN_GBT ? gc[j] : m->beta[j] * z;
            if (!(c > min_contrib)) continue;
            if (feat && ((feat[j].risk > 0 && !(z > 0)) || (feat[j].risk < 0 && !(z < 0))))
                continue; /* the model's weight, but no argument for churn */
            if (k == top && c <= bc[k - 1]) continue;
            int pos = k < top ? k++ : k - 1; /* insertion into the sorted top list */
            while (pos > 0 && bc[pos - 1] < c) {
                bc[pos] = bc[pos - 1];
                bi[pos] = bi[pos - 1];
                pos--;
            }
            bc[pos] = c;
            bi[pos] = j;
        }
        for (int t = 0; t < top; t++) {
            idx[i * (size_t)top + t] = (int8_t)(t < k ? bi[t] : -1);
            if (contrib) contrib[i * (size_t)top + t] = t < k ? (float)bc[t] : 0.0f;
        }
    }
}

const char *enc_churn_kind_name(int kind)
{
    return kind == ENC_CHURN_GBT ? "gbt" : kind == ENC_CHURN_BASELINE ? "baseline" : "logistic";
}

void enc_churn_raw_coef(const enc_churn_model *m, double *b0, double *b)
{
    double c = m->intercept;
    for (int j = 0; j < m->d; j++) {
        b[j] = m->sd[j] > 0 ? m->beta[j] / m->sd[j] : 0;
        c -= b[j] * m->mean[j];
    }
    *b0 = c;
}

/* Integers without decimals; other values under 10 with one decimal, larger ones rounded. */
static int fmt_value(char *out, size_t cap, double v)
{
    if (isnan(v)) return snprintf(out, cap, "?");
    if (fabs(v - nearbyint(v)) < 1e-9 || fabs(v) >= 10) return snprintf(out, cap, "%.0f", v);
    return snprintf(out, cap, "%.1f", v);
}

size_t enc_churn_reason_text(const enc_churn_model *m, const enc_churn_feature *feat,
                             const double *xrow, int j, char *buf, size_t cap)
{
    const char *tpl = enc_churn_z(m, xrow, j) >= 0 ? feat[j].high : feat[j].low;
    if (!tpl) tpl = feat[j].name;
    size_t len = 0;
#define EMIT(s, k)                                                                                 \
    do {                                                                                           \
        for (size_t q_ = 0; q_ < (size_t)(k); q_++, len++)                                         \
            if (len + 1 < cap) buf[len] = (s)[q_];                                                 \
    } while (0)
    for (const char *s = tpl; *s;) {
        if (*s == '{') {
            char *end;
            long k = strtol(s + 1, &end, 10);
            if (end != s + 1 && *end == '}') {
                char num[64];
                int w = fmt_value(num, sizeof num, k >= 0 && k < m->d ? xrow[k] : NAN);
                EMIT(num, w);
                s = end + 1;
                continue;
            }
        }
        EMIT(s, 1);
        s++;
    }
#undef EMIT
    if (cap) buf[len < cap ? len : cap - 1] = 0;
    return len;
}

/* ---- standard features ------------------------------------------------------------------- */

const enc_churn_feature enc_churn_std_features[ENC_CHURN_STD_D] = {
    {"recency_days", "last purchase {0} days ago", "bought recently ({0} days ago)", +1},
    {"usual_gap_days", "buys rarely (usually every {1} days)",
     "buys often (usually every {1} days)", +1},
    {"overdue", "no purchase for {0} days (usually every {1} days)",
     "on rhythm ({0} days since the last purchase, usually every {1} days)", +1},
    {"occasions", "many purchases so far ({3})", "few purchases so far ({3})", -1},
    {"purchases_90d", "bought often lately (purchases in the last 90 days: {4})",
     "no recent purchases (purchases in the last 90 days: {4})", -1},
    {"drift", "buying less often lately (last gap {5}x the usual)",
     "buying more often lately (last gap {5}x the usual)", +1},
    {"monetary", "spends a lot", "spends little", -1},
    {"engagement_30d", "engaged (events in the last 30 days: {7})",
     "engagement is low (events in the last 30 days: {7})", -1},
    {"engagement_drop", "engagement dropped (events down by {8} on the 30 days before)",
     "engagement steady", +1},
    {"complaints_90d", "complained recently (complaints in the last 90 days: {9})",
     "no recent complaints", +1},
};
const uint8_t enc_churn_std_log1p[ENC_CHURN_STD_D] = {0, 1, 1, 1, 1, 0, 1, 1, 0, 0};

enc_rc enc_churn_std_build(const enc_churn_std_input *in, double *X, enc_err *err)
{
    if (!(in->default_gap_days > 0))
        return enc_fail(err, ENC_EUSAGE, "churn: default gap must be positive days");
    for (size_t i = 0; i < in->n; i++) {
        double *x = X + i * ENC_CHURN_STD_D;
        int32_t occ = in->occasions[i];
        if (occ <= 0) {
            for (int j = 0; j < ENC_CHURN_STD_D; j++) x[j] = NAN;
            continue;
        }
        double mg = in->mean_gap_days[i];
        int own = occ >= 2 && mg > 0;
        double gap = own ? mg : in->default_gap_days;
        double rec = in->recency_days[i];
        x[ENC_CHURN_F_RECENCY] = rec;
        x[ENC_CHURN_F_GAP] = gap;
        x[ENC_CHURN_F_OVERDUE] = rec / gap;
        x[ENC_CHURN_F_OCCASIONS] = occ;
        x[ENC_CHURN_F_RECENT90] = in->count_90d[i];
        x[ENC_CHURN_F_DRIFT] = own ? in->last_gap_days[i] / mg : NAN;
        x[ENC_CHURN_F_MONETARY] = in->monetary ? in->monetary[i] : 0;
        double now = in->events_30d ? in->events_30d[i] : 0;
        double before = in->events_prev_30d ? in->events_prev_30d[i] : now;
        x[ENC_CHURN_F_ENGAGEMENT] = now;
        x[ENC_CHURN_F_ENGAGEMENT_DROP] = before > now ? before - now : 0;
        x[ENC_CHURN_F_COMPLAINTS] = in->complaints_90d ? in->complaints_90d[i] : 0;
    }
    return ENC_OK;
}
