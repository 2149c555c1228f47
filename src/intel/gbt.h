/* gbt.h — gradient-boosted decision trees for a binary outcome: the churn model's learner
 * (churn.c). Logistic loss, second-order (Newton) leaf values with an L2 penalty and shrinkage
 * (Friedman 2001, "Greedy function approximation: a gradient boosting machine", Ann. Statist.
 * 29(5); Chen & Guestrin 2016, XGBoost, KDD, eqs. 5-7), histogram splits on at most
 * ENC_GBT_BINS - 1 quantile cut points a feature, missing values (NaN) always to the left.
 * No sampling: the same data give the same trees. Trees are complete binary trees of depth
 * <= ENC_GBT_DEPTH stored in arrays; the model is plain data, copyable, owned by the caller. */
#ifndef ENCORE_INTEL_GBT_H
#define ENCORE_INTEL_GBT_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

#define ENC_GBT_MAX_TREES 300
#define ENC_GBT_DEPTH 3
#define ENC_GBT_NODES ((1 << (ENC_GBT_DEPTH + 1)) - 1) /* 15: children of k are 2k+1, 2k+2 */
#define ENC_GBT_MAX_FEATURES 32
#define ENC_GBT_BINS 32 /* bin 0 = missing, 1..31 = value ranges */

/* A node: internal when feat >= 0 (x[feat] <= thr goes left, NaN goes left; thr = -inf sends
 * only the missing left); value is the node's Newton value (shrunk), kept for internal nodes too
 * so that a prediction splits into per-feature contributions along its path (Saabas). */
typedef struct enc_gbt_node {
    double thr;
    float value;
    int8_t feat;
} enc_gbt_node;

typedef struct enc_gbt {
    int d, trees;
    double base; /* log-odds of the training rate */
    enc_gbt_node node[ENC_GBT_MAX_TREES][ENC_GBT_NODES];
} enc_gbt;

typedef struct enc_gbt_opts {
    int max_trees;   /* [300] */
    double eta;      /* shrinkage [0.05] */
    double lambda;   /* L2 penalty on leaf values [1] */
    double min_hess; /* least sum of p(1-p) in a child [3] */
    int patience;    /* stop when the validation loss has not improved for this many [40] */
} enc_gbt_opts;
void enc_gbt_opts_default(enc_gbt_opts *o);

/* Bytes of workspace enc_gbt_fit needs for n rows of d features. */
size_t enc_gbt_ws_size(size_t n, int d);

/* Fits on the rows with train[i] != 0 of X (n x d, row-major; NaN = missing) and y (0/1). When
 * some rows have train[i] == 0 they are the validation rows: trees are added while the
 * validation log-loss improves (at most max_trees; *best_trees the count kept). Without
 * validation rows (train NULL) exactly max_trees trees are grown. Fails when the training rows
 * lack an outcome. */
enc_rc enc_gbt_fit(const double *X, const uint8_t *y, const uint8_t *train, size_t n, int d,
                   const enc_gbt_opts *o, enc_gbt *m, int *best_trees, void *ws, enc_err *err);

/* The log-odds of one row. */
double enc_gbt_logit(const enc_gbt *m, const double *x);

/* The log-odds split into the base, bias (sum of root values) and per-feature contributions
 * contrib[0..d) (the value changes along the row's path): logit = bias + sum contrib. */
double enc_gbt_contrib(const enc_gbt *m, const double *x, double *contrib);
#endif
