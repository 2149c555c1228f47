/* churn.h — churn risk: P(no purchase in the next H days) from an L2-regularised logistic
 * regression fitted on the store's own history with a time split. The caller builds a feature
 * matrix at an earlier cut-off, labels it with what happened in the H days after, fits, then
 * scores the features built at the as-of date. Each customer's top reasons are the features with
 * the largest positive contributions (coefficient x standardised value), rendered in words from
 * per-feature templates. Intelligence stage; docs/intelligence.md lists the standard features.
 * No allocation: the model is a caller-owned struct; fitting takes a workspace. */
#ifndef ENCORE_INTEL_CHURN_H
#define ENCORE_INTEL_CHURN_H
#include "base/err.h"
#include "intel/gbt.h"
#include <stddef.h>
#include <stdint.h>

#define ENC_CHURN_MAX_FEATURES 32

/* A fitted model; plain data, copyable, owned by the caller. Feature j is first transformed
 * (t = log1p(x) when log1p[j], else t = x), then standardised: z = (t - mean[j]) / sd[j] with the
 * training rows' mean and standard deviation (z = 0 when sd is 0 or t is missing, i.e. a missing
 * value counts as average). P(churn) = 1 / (1 + exp(-(intercept + sum_j beta[j] z_j))). */
typedef struct enc_churn_model {
    int d;
    uint8_t log1p[ENC_CHURN_MAX_FEATURES];
    double mean[ENC_CHURN_MAX_FEATURES], sd[ENC_CHURN_MAX_FEATURES];
    double beta[ENC_CHURN_MAX_FEATURES];
    double intercept;
    double lambda;  /* the penalty it was fitted with */
    int iterations; /* Newton steps taken */
    double loglik;  /* sum of log-likelihoods of the training rows at the optimum */
    size_t n_train, n_pos;
    /* Which model scores (enc_churn_fit_auto picks; enc_churn_fit makes a LOGISTIC one). The
     * standardisation above is kept for every kind: reason texts say high or low by it. */
    int kind;    /* ENC_CHURN_LOGISTIC, ENC_CHURN_GBT, or ENC_CHURN_BASELINE (a logistic model
                  * on the baseline column alone) */
    enc_gbt gbt; /* the trees, when kind == ENC_CHURN_GBT */
    size_t n_fit, n_val; /* the pick's fitting and validation rows (0: none) */
    double val_auc[3];   /* validation AUC of baseline, logistic, trees */
    char note[240];      /* why this kind, in words ("" when not picked) */
} enc_churn_model;
enum { ENC_CHURN_LOGISTIC, ENC_CHURN_GBT, ENC_CHURN_BASELINE };
const char *enc_churn_kind_name(int kind); /* "logistic", "gbt", "baseline" */

typedef struct enc_churn_opts {
    /* L2 penalty lambda/2 * sum beta_j^2 on the standardised coefficients, added to the summed
     * negative log-likelihood; the intercept is not penalised. Default 1 (sklearn's C = 1). */
    double lambda;
    int max_iter; /* Newton iterations [50] */
    double tol;   /* stop when half the Newton decrement <= tol * (1 + |objective|) [1e-14] */
    const uint8_t *log1p; /* d flags or NULL (no transform) */
    const uint8_t *use;   /* d flags or NULL (all): unused columns get no weight */
} enc_churn_opts;
void enc_churn_opts_default(enc_churn_opts *o);

/* Workspace of enc_churn_fit: n * d doubles (the standardised matrix), 0 on overflow. */
size_t enc_churn_ws_len(size_t n, int d);

/* Fits on X (n rows of d features, row-major; NaN = missing) and y (1 = churned: no purchase in
 * the H days after the cut-off, 0 = bought). Needs both outcomes, 1 <= d <= MAX. Newton's method
 * with step halving on the penalised objective; ENC_EFAIL when it does not converge or a
 * standardised coefficient exceeds 30 in size (separable data with little penalty: raise
 * lambda). ws: enc_churn_ws_len(n, d) doubles. */
enc_rc enc_churn_fit(const double *X, const uint8_t *y, size_t n, int d, const enc_churn_opts *o,
                     enc_churn_model *m, double *ws, enc_err *err);

/* Picks and fits the churn model (churn_pick.c). With fewer than ENC_CHURN_MIN_ROWS rows, or
 * fewer than ENC_CHURN_MIN_CLASS of either outcome among a quarter held out for validation
 * (chosen by a hash of the row number), it is the BASELINE: a logistic model on column
 * baseline_col alone, which ranks as that column does. Otherwise the logistic model and the
 * trees are fitted on the other three quarters (the trees stop adding when the validation loss
 * stops falling) and judged by their validation AUC; the better one is refitted on every row
 * (the trees with the count found), unless neither beats the baseline column, when the
 * BASELINE is used. m->note says which and why. Same data, same model. */
#define ENC_CHURN_MIN_ROWS 400
#define ENC_CHURN_MIN_CLASS 25
enc_rc enc_churn_fit_auto(const double *X, const uint8_t *y, size_t n, int d,
                          const enc_churn_opts *o, int baseline_col, enc_churn_model *m,
                          enc_err *err);

/* P(churn) of n rows of X (same d columns as the training matrix) into p. */
void enc_churn_score(const enc_churn_model *m, const double *X, size_t n, double *p);

/* Standardised value z of feature j of one row (0 when missing); contribution = beta[j] * z. */
double enc_churn_z(const enc_churn_model *m, const double *xrow, int j);

/* Raw-scale coefficients (on t = the transformed but unstandardised feature): b_j = beta_j / sd_j,
 * b0 = intercept - sum_j beta_j mean_j / sd_j. */
void enc_churn_raw_coef(const enc_churn_model *m, double *b0, double *b);

/* Words for a feature. Templates substitute {k} by the row's raw value of feature k (integers
 * print without decimals, other values below 10 with one). `high` is used when the value is above
 * the training mean (z > 0), `low` when below. */
typedef struct enc_churn_feature {
    const char *name;
    const char *high, *low;
    /* which side argues for churn: +1 a high value (a long time since the last purchase), -1 a
     * low one (few purchases lately), 0 either. A reason is only given on that side: a model
     * may weigh "bought often lately" positively next to correlated features, but that is no
     * reason to expect a customer to leave (issue 12). */
    int risk;
} enc_churn_feature;

/* For each row, the indices of up to `top` features whose contribution beta_j z_j exceeds
 * min_contrib, largest first, into idx[i*top ...] (-1 fills the rest), and the contributions into
 * contrib (may be NULL). 1 <= top <= 8. With feat (may be NULL), a feature counts only on its
 * risk side (enc_churn_feature.risk). */
void enc_churn_reasons(const enc_churn_model *m, const enc_churn_feature *feat, const double *X,
                       size_t n, int top, double min_contrib, int8_t *idx, float *contrib);

/* Renders the reason for feature j of xrow into buf (always NUL-terminated); returns the length
 * the full text needs, like snprintf. */
size_t enc_churn_reason_text(const enc_churn_model *m, const enc_churn_feature *feat,
                             const double *xrow, int j, char *buf, size_t cap);

/* ---- The standard feature set (what `score` fits unless told otherwise) ------------------- */
enum {
    ENC_CHURN_F_RECENCY = 0, /* days since the last purchase */
    ENC_CHURN_F_GAP,         /* usual gap: mean gap, or the default gap for one-timers (log1p) */
    ENC_CHURN_F_OVERDUE,     /* recency / usual gap (log1p) */
    ENC_CHURN_F_OCCASIONS,   /* purchase occasions so far (log1p) */
    ENC_CHURN_F_RECENT90,    /* occasions in the last 90 days (log1p) */
    ENC_CHURN_F_DRIFT,       /* last gap / mean gap; missing for one-timers */
    ENC_CHURN_F_MONETARY,    /* total spend (log1p) */
    ENC_CHURN_F_ENGAGEMENT,  /* engagement events in the last 30 days (log1p) */
    ENC_CHURN_F_ENGAGEMENT_DROP, /* max(0, events in the 30 days before - events in the last 30) */
    ENC_CHURN_F_COMPLAINTS,      /* complaints in the last 90 days */
    ENC_CHURN_STD_D
};
extern const enc_churn_feature enc_churn_std_features[ENC_CHURN_STD_D];
extern const uint8_t enc_churn_std_log1p[ENC_CHURN_STD_D];

/* Columns the standard features are built from (cadence.h outputs and event counts). Optional
 * arrays may be NULL: their features are 0 for everyone and the fit gives them no weight. */
typedef struct enc_churn_std_input {
    size_t n;
    const int32_t *occasions;
    const double *recency_days, *mean_gap_days, *last_gap_days;
    const int32_t *count_90d;
    const double *monetary;                      /* optional */
    const int32_t *events_30d, *events_prev_30d; /* optional */
    const int32_t *complaints_90d;               /* optional */
    double default_gap_days;                     /* usual gap of one-time buyers (> 0) */
} enc_churn_std_input;

/* X: n * ENC_CHURN_STD_D doubles, row-major. Customers without purchases get NaN rows (they are
 * out of scope for a churn model: they have nothing to churn from). */
enc_rc enc_churn_std_build(const enc_churn_std_input *in, double *X, enc_err *err);
#endif
