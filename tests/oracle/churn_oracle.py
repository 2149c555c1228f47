#!/usr/bin/python3
"""churn_oracle.py — an independent check of `encore churn evaluate`'s churn model: reads the
feature rows it wrote with --features (set, churned, p, features), fits scikit-learn's
gradient boosting (depth 3, learning rate 0.05, as many trees as encore's model kept) and a
logistic regression on log1p features on the training rows, and prints the held-out ROC AUC of
encore's own predictions, sklearn's trees and sklearn's logistic model, one a line:
    encore 0.7385
    sklearn_trees 0.7329
    sklearn_logistic 0.7453
Test use only (tests/e2e/test_intel_real.sh), never the product."""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score


def main():
    path, trees = sys.argv[1], int(sys.argv[2])
    d = pd.read_csv(path)
    tr, ev = d[d.set == "train"], d[d.set == "eval"]
    feats = [c for c in d.columns if c not in ("set", "churned", "p")]
    # sklearn's trees take no NaN: a value below every real one plays "missing goes left"
    X, Xe = tr[feats].fillna(-1e9), ev[feats].fillna(-1e9)
    gb = GradientBoostingClassifier(n_estimators=max(trees, 1), max_depth=3, learning_rate=0.05,
                                    random_state=0).fit(X, tr.churned)
    L = np.log1p(tr[feats].fillna(0).clip(lower=0))
    Le = np.log1p(ev[feats].fillna(0).clip(lower=0))
    mu, sd = L.mean(), L.std().replace(0, 1)
    lr = LogisticRegression(max_iter=5000).fit((L - mu) / sd, tr.churned)
    print("encore %.4f" % roc_auc_score(ev.churned, ev.p))
    print("sklearn_trees %.4f" % roc_auc_score(ev.churned, gb.predict_proba(Xe)[:, 1]))
    print("sklearn_logistic %.4f" % roc_auc_score(ev.churned, lr.predict_proba((Le - mu) / sd)[:, 1]))


if __name__ == "__main__":
    main()
