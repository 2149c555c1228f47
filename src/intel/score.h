/* score.h — the scoring pipeline behind `encore score`: a snapshot in, per-customer result
 * columns out (RFM and its two segmentations, lifecycle, BG/NBD + Gamma-Gamma CLV, churn risk
 * with reasons, next order and replenishment dates, preferences, system and user tags,
 * clusters), then one bulk write of the profiles through the store. No SQL here: the kernels of
 * src/intel run in passes over the snapshot's arrays, per-customer passes on several threads
 * over customer ranges, model fits on the calling thread. Field definitions: docs/scoring.md. */
#ifndef ENCORE_INTEL_SCORE_H
#define ENCORE_INTEL_SCORE_H
#include "base/err.h"
#include "base/json.h"
#include "intel/bgnbd.h"
#include "intel/churn.h"
#include "intel/cluster.h"
#include "intel/gammagamma.h"
#include "intel/paretonbd.h"
#include "intel/scoreconf.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

#define ENC_SCORE_TOP 3 /* top categories, top brands and replenishment dates kept a customer */
#define ENC_SCORE_MAX_REASONS 5
/* churn features: the standard ten (churn.h) and eight more */
enum {
    ENC_SCORE_F_TENURE = ENC_CHURN_STD_D, /* days since the first purchase (log1p) */
    ENC_SCORE_F_RETURNS,                  /* returns in the last 365 days (log1p) */
    ENC_SCORE_F_CONSULTS,                 /* consultations in the last 90 days (log1p) */
    ENC_SCORE_F_P_ALIVE,                  /* BG/NBD P(alive) as log-odds, clipped (score_int.h) */
    ENC_SCORE_F_RECENT180,                /* occasions in the last 180 days (log1p) */
    ENC_SCORE_F_GAP_CV,  /* sd / mean of the gaps between occasions; missing under 3 occasions */
    ENC_SCORE_F_BREADTH, /* distinct products bought (log1p; counted up to 4096) */
    ENC_SCORE_F_SPEND90, /* spend in the last 90 days (log1p) */
    ENC_SCORE_D
};
/* The words of the ENC_SCORE_D features for churn reasons (static storage). */
const enc_churn_feature *enc_score_feature_table(void);

/* System tags (bits of enc_score.tags); rules in docs/scoring.md. */
typedef enum enc_sys_tag {
    ENC_TAG_ACTIVE,
    ENC_TAG_NEW_CUSTOMER,
    ENC_TAG_ONE_TIME_BUYER,
    ENC_TAG_LOYAL,
    ENC_TAG_AT_RISK,
    ENC_TAG_BIG_SPENDER,
    ENC_TAG_HIGH_VALUE,
    ENC_TAG_PRICE_SENSITIVE,
    ENC_TAG_PREMIUM_BUYER,
    ENC_TAG_BARGAIN_BUYER,
    ENC_TAG_COMPLAINT_RISK,
    ENC_TAG_FREQUENT_RETURNER,
    ENC_TAG_CART_ABANDONER,
    ENC_TAG_BIRTHDAY_SOON,
    ENC_TAG_REPLENISH_DUE,
    ENC_TAG_UNREACHABLE,
    ENC_TAG_COUNT
} enc_sys_tag;
const char *enc_sys_tag_name(enc_sys_tag t); /* "big_spender"; static storage */

typedef enum enc_spend_tier {
    ENC_TIER_NONE,
    ENC_TIER_LOW,
    ENC_TIER_MEDIUM,
    ENC_TIER_HIGH
} enc_spend_tier;
const char *enc_spend_tier_name(enc_spend_tier t); /* NULL for none */

/* What was fitted, and why a model is missing when it is (a store too small or too young). */
typedef struct enc_score_models {
    size_t buyers;           /* customers with a purchase before as_of */
    double default_gap_days; /* the usual gap used for one-time buyers */
    /* CLV, fitted with calibration up to the as-of day */
    int has_bgnbd, has_gg;
    int gg_sampled; /* Gamma-Gamma fitted on a sample of the repeat customers (score.c) */
    enc_bgnbd_fit bg;
    enc_gg_fit gg;
    size_t clv_repeaters;
    int has_mbgnbd; /* P(alive) from MBG/NBD (mbgnbd.h); from BG/NBD when its fit failed */
    enc_bgnbd_fit mbg;
    char clv_error[256];
    /* churn: trained on features at cutoff = as_of - horizon, labelled by what followed */
    int has_churn;
    enc_churn_model churn;
    int64_t churn_cutoff;
    double churn_rate;      /* share of the training rows that churned */
    double churn_train_auc; /* AUC on the training rows */
    char churn_error[256];
    /* clusters of the buyers */
    int has_cluster;
    enc_cluster_result cl;
    char cluster_label[ENC_CLUSTER_MAX_K][128];
    char cluster_error[256];
} enc_score_models;

/* The per-customer results, one entry a snapshot customer (index i = snapshot index). Missing
 * values: NaN for doubles, -1 for ids and clusters, ENC_CADENCE_NONE for times, 0 for scores,
 * 255 for segment codes. Money in minor units. Everything lives in the arena. */
typedef struct enc_score {
    const enc_snapshot *snap;    /* borrowed */
    const enc_score_config *cfg; /* borrowed */
    int64_t as_of; /* exclusive: data before this instant (the end of the as-of day) */
    size_t n;
    enc_arena *arena;
    /* RFM (recency from the last order; frequency = purchase orders; monetary = their sales) */
    double *recency;
    int32_t *frequency;
    int64_t *monetary, *returns, *aov;
    double *tenure;
    uint8_t *r, *f, *m, *seg, *cn;
    /* cadence at as_of (occasions: orders less than a day apart merged) */
    int32_t *occasions, *cnt30, *cnt90;
    double *occ_recency, *mean_gap, *last_gap;
    int32_t *ev30, *ev_prev30, *ev_window, *complaints90, *returns365, *consults90;
    double *money; /* monetary in currency units (as the churn features and clusters see it) */
    /* lifecycle */
    uint8_t *stage, *cls;
    /* CLV */
    double *p_alive, *exp30, *exp90, *exp365, *exp_spend, *clv; /* spend and clv minor units */
    /* churn */
    double *churn;
    int8_t *reason; /* n * cfg->churn_reasons feature indices, -1 filled */
    /* next order and replenishment */
    int64_t *next_ts;
    int32_t *repl_cat; /* n * ENC_SCORE_TOP category ids (snap->cats), -1 filled */
    int64_t *repl_due;
    /* preferences */
    int32_t *top_cat, *top_brand; /* n * ENC_SCORE_TOP ids of snap->tops / snap->brands */
    double *promo_share, *price_index;
    uint8_t *tier;
    int32_t *channel, *payment; /* snap->channels / snap->payments ids */
    int64_t *last_cart;         /* last cart_add event, ENC_CADENCE_NONE when none */
    int64_t *last_engage;       /* last engagement event, ENC_CADENCE_NONE when none */
    /* tags and clusters */
    uint32_t *tags;      /* bits of enc_sys_tag */
    uint64_t *user_tags; /* bit j = cfg->user_tags[j] */
    int32_t *cluster;
    enc_score_models models;
    /* seconds spent per stage, for the summary */
    double t_features, t_clv, t_churn, t_rfm, t_cluster, t_tags;
} enc_score;

/* Scores every customer of s as of the instant as_of (exclusive; s must hold the data before
 * it). cfg and s are borrowed and must outlive the result; free it with enc_score_free. A model
 * that cannot be fitted (too few customers, nobody repeats) leaves its fields missing and says
 * why in models; only bad arguments fail. */
enc_rc enc_score_run(const enc_snapshot *s, int64_t as_of, const enc_score_config *cfg,
                     enc_score **out, enc_err *err);
void enc_score_free(enc_score *sc);

/* Writes the profiles of sc (replacing the previous run's) and records the run. seconds: the
 * run's time so far (the write's own time is added). */
enc_rc enc_score_save(enc_store *st, const enc_score *sc, int64_t started_at, double seconds,
                      enc_err *err);

/* The fitted models as JSON members (written into the object w is in): bgnbd, gamma_gamma,
 * churn, clusters, warnings. */
void enc_score_models_json(const enc_score *sc, enc_jw *w);

/* The default as-of instant of a snapshot: the end of the day of its latest order or event (UTC
 * days); 0 when it holds neither. */
int64_t enc_score_default_as_of(const enc_snapshot *s);

/* Transactions of a snapshot for the CLV models: every purchase order before `before` as
 * (customer index, UTC day number, value in currency units = minor / 10^digits). Arrays are
 * malloc'd; the caller frees them with free(). */
typedef struct enc_score_tx {
    size_t n;
    int32_t *cust, *day;
    double *value;
} enc_score_tx;
void enc_score_transactions(const enc_snapshot *s, int64_t before, int digits, enc_score_tx *tx);
void enc_score_tx_free(enc_score_tx *tx);

/* `churn evaluate`: train on the history before as_of (features at as_of - horizon, labelled by
 * the horizon that followed), score everybody who bought before as_of, and compare with what
 * happened in [as_of, as_of + horizon) — which s must hold. Baselines: recency alone (days since
 * the last order), 1 - P(alive) of an MBG/NBD fitted on the data before as_of (the P(alive) the
 * profiles carry), and the same of a Pareto/NBD (which, unlike BG/NBD, does not rate every
 * one-time buyer alive). */
typedef struct enc_churn_eval {
    int64_t as_of, cutoff, until;
    size_t n_train, n_eval, n_churned; /* evaluated customers; those who did not buy */
    double train_churn_rate;
    double auc, auc_recency, auc_p_alive; /* NaN when a baseline could not be computed */
    double auc_p_alive_pnbd;              /* 1 - P(alive) of a Pareto/NBD (NaN unless asked) */
    double auc_p_buy; /* 1 - P(a purchase within the horizon) of the MBG/NBD (mbgnbd.h) */
    enc_churn_model model;
    char p_alive_error[256], pnbd_error[256];
    /* calibration on the evaluated customers: ten bins of predicted P(churn) [k/10, (k+1)/10)
     * with how many fell in, their mean prediction and the share that churned; Brier score */
    struct {
        size_t n;
        double mean_p, rate;
    } reliability[10];
    double brier;
    /* keep_rows, set before the call (the rest is cleared): the training rows (at the cut-off)
     * and the evaluated rows (at as-of), ENC_SCORE_D columns row-major, their labels and the
     * model's P(churn) of the evaluated rows; malloc'd, enc_churn_eval_free frees them */
    bool keep_rows;
    double *X_train, *X_eval, *p_eval;
    uint8_t *y_train, *y_eval;
} enc_churn_eval;
void enc_churn_eval_free(enc_churn_eval *ev);
enc_rc enc_score_churn_evaluate(const enc_snapshot *s, int64_t as_of, const enc_score_config *cfg,
                                bool pareto, enc_churn_eval *out, enc_err *err);
#endif
