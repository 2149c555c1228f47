/* store_uplift.h — what uplift targeting (issue 19 item 4; cli/cmd_uplift.c) reads and keeps:
 * a campaign's members with their group (treated or held out) and whether they converted
 * after joining, every customer's pre-treatment features as of a time, and the fitted model
 * per campaign with each customer's predicted uplift (schema migration "uplift", branch
 * intel2), which the segment function uplift("CAMPAIGN") reads. */
#ifndef ENCORE_STORE_UPLIFT_H
#define ENCORE_STORE_UPLIFT_H
#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

/* The features, computed from paid orders strictly before the customer's time t, so that a
 * conversion after t never leaks into them: days since the last order (NaN without one),
 * orders, sales (minor units), days since the first order (NaN without one). */
#define ENC_UPLIFT_FEATURES(X)                                                                     \
    X(recency_days, 0)                                                                             \
    X(orders, 1)                                                                                   \
    X(sales, 1)                                                                                    \
    X(tenure_days, 0)
enum {
#define X(name, log1p) ENC_UPF_##name,
    ENC_UPLIFT_FEATURES(X)
#undef X
        ENC_UPLIFT_NF
};
extern const char *const enc_uplift_feature_name[ENC_UPLIFT_NF];
extern const uint8_t enc_uplift_feature_log1p[ENC_UPLIFT_NF];

/* One member of a campaign: the first membership's time; held out when any membership was;
 * converted when a paid order came in (at, at + window]. */
typedef struct enc_uplift_member {
    int64_t customer_id, at;
    uint8_t holdout, converted;
} enc_uplift_member;

/* The distinct customers of campaign's members (in customer id order) into *out (caller
 * frees with free()), *n of them. ENC_ENOTFOUND when the campaign does not exist. */
enc_rc enc_store_uplift_members(enc_store *st, const char *campaign, int64_t window,
                                enc_uplift_member **out, size_t *n, enc_err *err);

/* Features of n customers, customer ids[i] as of at[i] (or of at0 for every row when at is
 * NULL), into X (n x ENC_UPLIFT_NF, row-major). */
enc_rc enc_store_uplift_features(enc_store *st, const int64_t *ids, const int64_t *at, int64_t at0,
                                 size_t n, double *X, enc_err *err);

/* Every customer's id (not merged away) into *ids (caller frees), *n of them. */
enc_rc enc_store_uplift_customers(enc_store *st, int64_t **ids, size_t *n, enc_err *err);

/* Replaces campaign's stored model (a JSON text) and predicted uplifts (n customers) in one
 * transaction. */
enc_rc enc_store_uplift_save(enc_store *st, const char *campaign, int64_t fitted_at,
                             const char *model_json, const int64_t *ids, const double *tau,
                             size_t n, enc_err *err);

/* The stored predicted uplift of every scored customer of campaign: ids ascending into *ids and
 * *tau (caller frees both). ENC_ENOTFOUND when no model is stored for campaign. */
enc_rc enc_store_uplift_scores(enc_store *st, const char *campaign, int64_t **ids, double **tau,
                               size_t *n, enc_err *err);
#endif
