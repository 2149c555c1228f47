/* scoreconf.h — the settings of a scoring run (RFM bins, lifecycle thresholds, churn horizon,
 * CLV unit, horizon and discount rate, cluster k, system-tag thresholds, user-defined tags) and
 * where they come from: defaults, then a JSON config file (`encore.conf` next to the store, or
 * --config FILE), then environment variables; the CLI applies its flags last. score.c reads
 * the result. Format and rule language: docs/scoring.md. */
#ifndef ENCORE_INTEL_SCORECONF_H
#define ENCORE_INTEL_SCORECONF_H
#include "base/err.h"
#include "base/mem.h"
#include "intel/lifecycle.h"
#include "intel/rfm.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Profile fields a user tag rule can test. Numbers are in their natural units: days, counts,
 * probabilities, money as decimals (clv >= 1000 means 1,000.00 of the currency). */
typedef enum enc_tag_field {
    /* numbers */
    ENC_TF_RECENCY_DAYS,
    ENC_TF_FREQUENCY,
    ENC_TF_MONETARY,
    ENC_TF_RETURNS_AMOUNT,
    ENC_TF_AOV,
    ENC_TF_TENURE_DAYS,
    ENC_TF_R,
    ENC_TF_F,
    ENC_TF_M,
    ENC_TF_P_ALIVE,
    ENC_TF_EXPECTED_30D,
    ENC_TF_EXPECTED_90D,
    ENC_TF_EXPECTED_365D,
    ENC_TF_EXPECTED_SPEND,
    ENC_TF_CLV,
    ENC_TF_CHURN_RISK,
    ENC_TF_PRICE_SENSITIVITY,
    ENC_TF_CLUSTER,
    /* strings */
    ENC_TF_RFM_SEGMENT,
    ENC_TF_RFM_SEGMENT_CN,
    ENC_TF_LIFECYCLE,
    ENC_TF_LIFECYCLE_CLASS,
    ENC_TF_SPEND_TIER,
    ENC_TF_PREFERRED_CHANNEL,
    ENC_TF_PREFERRED_PAYMENT,
    ENC_TF_REGION,
    /* lists */
    ENC_TF_TAGS,
    ENC_TF_TOP_CATEGORIES,
    ENC_TF_TOP_BRANDS,
    ENC_TF_COUNT
} enc_tag_field;
#define ENC_TF_FIRST_STR ENC_TF_RFM_SEGMENT
#define ENC_TF_FIRST_LIST ENC_TF_TAGS
const char *enc_tag_field_name(enc_tag_field f);

typedef enum enc_tag_op {
    ENC_OP_EQ,
    ENC_OP_NE,
    ENC_OP_LT,
    ENC_OP_LE,
    ENC_OP_GT,
    ENC_OP_GE,  /* numbers; = != strings */
    ENC_OP_IN,  /* string (or number) is one of the value array */
    ENC_OP_HAS, /* list field holds the value */
} enc_tag_op;

#define ENC_TAG_MAX_CONDS 8
#define ENC_TAG_MAX_SET 32
#define ENC_MAX_USER_TAGS 64

/* One condition; a missing value (no purchase, no model) satisfies none. Strings live in the
 * config's arena. */
typedef struct enc_tag_cond {
    enc_tag_field field;
    enc_tag_op op;
    double num;
    const char *str;
    size_t nset;
    const char *set[ENC_TAG_MAX_SET];
    double setnum[ENC_TAG_MAX_SET];
} enc_tag_cond;

/* A user tag: the customer gets `name` when every condition holds. */
typedef struct enc_user_tag {
    const char *name;
    int ncond;
    enc_tag_cond cond[ENC_TAG_MAX_CONDS];
} enc_user_tag;

typedef struct enc_score_config {
    int money_digits; /* decimals of the currency [2] */
    int threads;      /* per-customer passes run on this many threads [2] */
    /* RFM: k, tie rule; edges (k - 1 each, ascending; monetary as decimals) when fixed */
    enc_rfm_config rfm;
    double r_edges[ENC_RFM_MAX_K - 1], f_edges[ENC_RFM_MAX_K - 1], m_edges[ENC_RFM_MAX_K - 1];
    bool r_fixed, f_fixed, m_fixed;
    /* lifecycle; default_gap_days is replaced by the population's median gap when gap_auto */
    enc_lc_config lc;
    bool gap_auto;
    /* churn */
    double churn_horizon_days; /* [90] */
    double churn_lambda;       /* [1] */
    int churn_reasons;         /* reasons kept per customer, 1..5 [3] */
    /* CLV */
    double clv_unit_days; /* model time unit: 7 = weeks [7], 1 = days */
    int clv_months;       /* CLV horizon [12] */
    double clv_discount;  /* monthly discount rate [0.01] */
    /* clusters */
    int cluster_k;                    /* 0 = chosen by silhouette in [k_min, k_max] [0] */
    int cluster_k_min, cluster_k_max; /* [2, 8] */
    uint64_t cluster_seed;            /* [1] */
    /* system tag thresholds (docs/scoring.md) */
    double tag_active_days;   /* [30] */
    double tag_big_spender_q; /* monetary quantile of buyers [0.9] */
    double tag_high_value_q;  /* CLV quantile [0.9] */
    double tag_price_share;   /* share of promo orders [0.5] */
    double tag_at_risk;       /* churn risk [0.7] */
    /* user tags */
    size_t n_user_tags;
    enc_user_tag user_tags[ENC_MAX_USER_TAGS];
    enc_arena *arena; /* strings of the user tags; NULL until a file sets some */
} enc_score_config;

void enc_score_config_default(enc_score_config *c);
void enc_score_config_free(enc_score_config *c); /* the arena; the struct is the caller's */

/* Applies a JSON config document (unknown keys and wrong types are errors, with the key's
 * path). `what` names the source in messages (the file name). */
enc_rc enc_score_config_json(enc_score_config *c, const char *text, size_t len, const char *what,
                             enc_err *err);
/* Reads and applies a config file (at most 1 MB). */
enc_rc enc_score_config_file(enc_score_config *c, const char *path, enc_err *err);
/* Applies ENCORE_CHURN_HORIZON, ENCORE_CLUSTERS, ENCORE_THREADS, ENCORE_CLV_UNIT,
 * ENCORE_CLV_MONTHS, ENCORE_DISCOUNT_RATE when set. */
enc_rc enc_score_config_env(enc_score_config *c, enc_err *err);
/* Checks ranges and orders (lifecycle thresholds, edges ascending, ...). */
enc_rc enc_score_config_check(const enc_score_config *c, enc_err *err);

/* Setters shared by the file, the environment and the CLI flags: parse and check one value. */
enc_rc enc_score_config_set_unit(enc_score_config *c, const char *unit, enc_err *err);
#endif
