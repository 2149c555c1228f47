#!/usr/bin/python3
"""clv_fit_scipy.py — the baseline for bench/clv_fit.sh: what a user would otherwise write to
fit BG/NBD, a pandas summary of the transactions and a scipy.optimize fit of the vectorised
numpy log-likelihood (as lifetimes' BetaGeoFitter does: log-parameters, Nelder-Mead), plus
L-BFGS-B with numerical gradients. Prints one JSON line per input.

usage: clv_fit_scipy.py cdnow FILE | transactions CSV | rows FILE
  cdnow: CDNOW_master.txt; transactions: cust,day,value CSV from clv_fit synth (calibration
  ends on day 272); rows: "x tx T" lines from clv_fit recover (fit only).
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln


def neg_ll(logp, x, tx, T):
    r, al, a, b = np.exp(logp)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(al)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(al + T)
    A4 = np.where(x > 0, np.log(a) - np.log(np.where(x > 0, b + x - 1, 1)) - (r + x) * np.log(al + tx), -np.inf)
    return -(A1 + A2 + np.logaddexp(A3, A4)).sum() / len(x)


def fit(x, tx, T, method):
    c0, w0 = time.process_time(), time.perf_counter()
    res = minimize(neg_ll, np.zeros(4), args=(x, tx, T), method=method,
                   options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-10} if method == "Nelder-Mead" else {})
    r, al, a, b = np.exp(res.x)
    return {"method": method, "fit_s": round(time.process_time() - c0, 3),
            "fit_wall_s": round(time.perf_counter() - w0, 3), "evaluations": int(res.nfev),
            "r": round(r, 4), "alpha": round(al, 4), "a": round(a, 4), "b": round(b, 4),
            "ll": round(-res.fun * len(x), 2), "success": bool(res.success)}


def summarise(df, cal_end):
    """pandas summary with the same conventions: same-day merge, x, t_x, T in weeks."""
    g = df.groupby(["cust", "day"], sort=False).size().reset_index()[["cust", "day"]]
    first = g.groupby("cust").day.min()
    cal = g[g.day <= cal_end]
    x = cal.groupby("cust").size() - 1
    last = cal.groupby("cust").day.max()
    keep = first[first <= cal_end].index
    x = x.reindex(keep).values.astype(float)
    tx = ((last.reindex(keep) - first.reindex(keep)) / 7.0).values
    T = ((cal_end - first.reindex(keep)) / 7.0).values
    return x, tx, T


def main():
    kind, path = sys.argv[1], sys.argv[2]
    out = {"data": kind}
    c0, w0 = time.process_time(), time.perf_counter()
    if kind == "rows":
        a = np.loadtxt(path)
        x, tx, T = a[:, 0], a[:, 1], a[:, 2]
    else:
        if kind == "cdnow":
            df = pd.read_csv(path, sep=r"\s+")
            df["day"] = (pd.to_datetime(df.date.astype(str)) - pd.Timestamp("1970-01-01")).dt.days
            df = df.rename(columns={"customer_id": "cust"})
            cal_end = (pd.Timestamp("1997-09-30") - pd.Timestamp("1970-01-01")).days
        else:
            df = pd.read_csv(path)
            cal_end = 272
        out["load_s"] = round(time.process_time() - c0, 3)
        c0 = time.process_time()
        x, tx, T = summarise(df, cal_end)
        out["summary_s"] = round(time.process_time() - c0, 3)
        out["repeat_cal"] = int(x.sum())
    out["customers"] = len(x)
    out["fits"] = [fit(x, tx, T, "Nelder-Mead"), fit(x, tx, T, "L-BFGS-B")]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
