/* upmodel.h — a treatment-effect (uplift) model for targeting (issue 19 item 4): the two-model
 * estimator. Two penalised logistic models (churn.h's learner) are fitted on profile features,
 * one on the treated customers of a campaign with a holdout and one on its control group;
 * the predicted uplift of a customer is P(convert | treated, x) - P(convert | control, x)
 * (Radcliffe 2007; Gutierrez & Gerardy 2017, "Causal inference and uplift modelling: a review
 * of the literature", PMLR 67, section 3.1). Judged by measure/qini.h. Plain data, caller-owned;
 * enc_upmodel_fit allocates only temporaries. */
#ifndef ENCORE_INTEL_UPMODEL_H
#define ENCORE_INTEL_UPMODEL_H
#include "intel/churn.h"

typedef struct enc_upmodel {
    enc_churn_model treated, control;
    size_t n_treated, n_control;
} enc_upmodel;

/* Fits on n rows of X (d features, NaN = missing), treated[i] (1 treated, 0 control) and
 * y[i] (1 converted). log1p: d flags or NULL. Each group needs both outcomes and at least 20
 * rows; fails with a message naming the group otherwise. */
enc_rc enc_upmodel_fit(const double *X, const uint8_t *treated, const uint8_t *y, size_t n, int d,
                       const uint8_t *log1p, enc_upmodel *m, enc_err *err);

/* Predicted uplift of n rows into tau. */
void enc_upmodel_predict(const enc_upmodel *m, const double *X, size_t n, double *tau);
#endif
