/* score_int.h — internals shared by the scoring pipeline's files (score.c: the passes and model
 * fits; score_save.c: profile rows, the store write and the models summary). Not for other
 * modules: they read enc_score (score.h). */
#ifndef ENCORE_INTEL_SCORE_INT_H
#define ENCORE_INTEL_SCORE_INT_H
#include "intel/score.h"
#include <math.h>

#define ENC__DAY 86400

/* Runs fn over [0, n) split into `threads` contiguous ranges, one thread each (fewer for small
 * n); the first failure's error is returned. fn must not call GSL (its error handler is
 * global): model fits stay on the calling thread. */
typedef enc_rc (*enc__range_fn)(void *ctx, size_t lo, size_t hi, enc_err *err);
enc_rc enc__parallel(int threads, size_t n, enc__range_fn fn, void *ctx, enc_err *err);

/* The churn features' source columns at one instant t (data before t), one entry a customer.
 * churned (optional) is the label: 1 = no purchase in [t, label_end). */
typedef struct enc__feat {
    size_t n;
    int64_t t;
    int32_t *occ, *c30, *c90;
    double *rec, *mean_gap, *last_gap, *tenure, *money;
    int32_t *ev30, *evprev, *cmp90, *ret365, *cons90;
    double *p_alive;
    uint8_t *churned;
    int64_t label_end;
    double default_gap;
    const enc_snapshot *s; /* orders and lines the interval, breadth and spend features read */
    double scale;          /* money: minor units per currency unit */
} enc__feat;

/* The feature view of a score's own columns (at sc->as_of). */
enc__feat enc__score_feat(const enc_score *sc);

/* Rows [lo, hi) of the churn feature matrix (ENC_SCORE_D columns, row-major) into X. */
void enc__feat_rows(const enc__feat *f, size_t lo, size_t hi, double *X);

double enc__money_scale(int digits); /* 10^digits */

/* P(alive) as a churn feature: the log-odds of P(alive) clipped to [0.001, 0.999], so values
 * within a hair of 1 (a BG/NBD with a tiny drop-out probability, or a one-time buyer, whose
 * P(alive) is exactly 1) cannot blow up the feature's z-score. NaN stays NaN (missing). */
static inline double enc__p_alive_logit(double p)
{
    if (!(p == p)) return p;
    p = p < 0.001 ? 0.001 : p > 0.999 ? 0.999 : p;
    return log(p / (1 - p));
}

/* Engagement events: what counts as a customer being active without buying (views, clicks,
 * favourites, shares, comments, cart additions, searches, consultations, message opens and
 * clicks, checkouts, logins; not cart removals, unsubscribes, purchase echoes or others). */
static inline bool enc__engagement(uint8_t type)
{
    switch (type) {
    case EV_VIEW:
    case EV_CLICK:
    case EV_FAVORITE:
    case EV_SHARE:
    case EV_COMMENT:
    case EV_CART_ADD:
    case EV_SEARCH:
    case EV_CONSULT:
    case EV_MESSAGE_OPEN:
    case EV_MESSAGE_CLICK:
    case EV_CHECKOUT:
    case EV_LOGIN: return true;
    default: return false;
    }
}

/* The profile pass over customers [lo, hi) at sc->as_of (score_prof.c): order counts, spend,
 * preferences, replenishment, cart and engagement times. cat_mean: each category's reference
 * list price (enc__cat_prices), NaN when unknown. */
typedef struct enc__prof_ctx {
    enc_score *sc;
    const double *cat_mean;
} enc__prof_ctx;
enc_rc enc__prof_range(void *ctx, size_t lo, size_t hi, enc_err *err);
/* The median list price of each category of s (malloc'd, s->cats.n entries; NaN unknown). */
double *enc__cat_prices(const enc_snapshot *s);

/* RFM scores, segments, CN classes and spend tiers of the buyers; *big_spender = the monetary
 * threshold (minor units) of the big_spender tag. */
enc_rc enc__rfm_tiers(enc_score *sc, double *big_spender, enc_err *err);
/* k-means clusters of the buyers (a failure is recorded in sc->models). */
void enc__clusters(enc_score *sc);

/* System and user tags over customers [lo, hi). */
typedef struct enc__tag_ctx {
    enc_score *sc;
    double big_spender, high_value; /* thresholds, minor units */
} enc__tag_ctx;
enc_rc enc__tag_range(void *ctx, size_t lo, size_t hi, enc_err *err);

/* The value at quantile q of v[0..n) (the element of rank floor(q (n - 1)) in ascending order). */
double enc__quantile(const double *v, size_t n, double q);

/* A profile's string field (segment, lifecycle, tier, channel, payment, region) or NULL. */
const char *enc__score_str(const enc_score *sc, size_t i, enc_tag_field f);
#endif
