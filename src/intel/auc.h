/* auc.h — area under the ROC curve of a score against 0/1 outcomes, with ties counted as half
 * (the Mann-Whitney U statistic divided by n_pos x n_neg). Used to judge churn models on a
 * held-out period, and by measurement. No allocation: the caller passes a workspace. */
#ifndef ENCORE_INTEL_AUC_H
#define ENCORE_INTEL_AUC_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

size_t enc_auc_ws_size(size_t n); /* bytes, 8-byte aligned */

/* AUC = P(score of a random positive > score of a random negative) + P(equal) / 2, where
 * label[i] != 0 marks a positive. Fails when a class is empty or a score is NaN. */
enc_rc enc_auc(const double *score, const uint8_t *label, size_t n, double *auc, void *ws,
               enc_err *err);
#endif
