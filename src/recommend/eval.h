/* eval.h — offline evaluation of recommendations on a time split: the model is built from the
 * store as it was at the split date (a snapshot with as_of = split), each customer's purchases
 * from the split to the end (a second snapshot) are hidden from it, and every method's top K is
 * compared with them. Sits after recommend.h; `encore recommend evaluate` prints it.
 *
 * Definitions (docs/recommendations.md):
 *   H(c)  held-out products: products c bought in [split, end) — minus those c had bought
 *         before the split, unless replenishable (re-buying an old favourite is not something
 *         a recommender has to find; every method excludes them in the same way)
 *   evaluated customers: some history before the split (a purchase or an event with a
 *         product) and H(c) not empty
 *   L(c)  the method's top K for c (at most K)
 *   hit rate@K  = share of evaluated customers with |L(c) n H(c)| >= 1
 *   recall@K    = mean of |L(c) n H(c)| / |H(c)|
 *   MAP@K       = mean of AP@K(c) = (1 / min(|H(c)|, K)) * sum_{i=1..K} P@i(c) * [L_i(c) in H(c)],
 *                 P@i the share of the first i items that are held out (Manning et al. 2008,
 *                 ch. 8; the ml_metrics `apk` convention)
 *   coverage    = share of the catalogue (every product in the snapshot) recommended to at
 *                 least one evaluated customer
 * Methods: personal (the product), and the baselines popularity, rules-only, item-to-item-only
 * (enc_rec_kind). */
#ifndef ENCORE_EVAL_H
#define ENCORE_EVAL_H
#include "base/err.h"
#include "recommend/recommend.h"

typedef struct enc_eval_metrics {
    double hit_rate, recall, map, coverage;
    size_t hits;     /* customers with a hit */
    size_t products; /* distinct products recommended */
} enc_eval_metrics;

/* per-call times in microseconds: mean, median, 99th percentile (nearest rank), max */
typedef struct enc_latency {
    double mean, p50, p99, max;
} enc_latency;
/* Summarises v[0..n) (sorts it). All zero when n is 0. */
void enc_latency_summary(double *v, size_t n, enc_latency *out);

typedef struct enc_eval_result {
    int64_t split, end;
    int k;
    size_t customers;                   /* evaluated */
    size_t catalogue;                   /* products in the snapshot */
    double heldout_mean;                /* mean |H(c)| */
    enc_eval_metrics m[ENC_REC_NKINDS]; /* filled for the methods evaluated */
    bool done[ENC_REC_NKINDS];
    /* per call of the first method: wall clock, and this thread's CPU clock (which leaves out
       the time the thread waited for a core on a busy machine) */
    enc_latency wall, cpu;
} enc_eval_result;

/* Evaluates methods[0..nmethods) of `model` (built from a snapshot with as_of = split) against
 * the purchases in `full` (a snapshot of the same store with as_of = end) at or after the split.
 * k >= 1. Times every call of the first method (per-call latency). */
enc_rc enc_eval_run(const enc_rec_model *model, const enc_snapshot *full, int k,
                    const enc_rec_kind *methods, size_t nmethods, enc_eval_result *out,
                    enc_err *err);
#endif
