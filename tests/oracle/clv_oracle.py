#!/usr/bin/python3
"""clv_oracle.py — independent implementation of the CLV model formulas with scipy.special,
used by tests/unit/test_{bgnbd,paretonbd,gammagamma}.c as an oracle (never by the product).

usage: clv_oracle.py MODEL IN OUT P1 P2 P3 [P4] [t]
  MODEL bgnbd | pnbd: IN rows "x tx T [t]", params r alpha a b | r alpha s beta, horizon t
        (a row's own t, when given, overrides it);
        OUT rows "ll_i p_alive_i E[Y(t)]_i"; the last line "new E[X(t)]" for bgnbd.
  MODEL gg: IN rows "x m", params p q gamma; OUT rows "ll_i expected_spend_i".
Formulas are written from the papers (Fader, Hardie & Lee 2005; Fader & Hardie 2005 note on
the Pareto/NBD; Fader, Hardie & Lee 2005 RFM and CLV), not from the C code: scipy's hyp2f1
directly on the published expressions, and for the Pareto/NBD integral term a second route by
numerical quadrature (scipy.integrate.quad) that must agree with the 2F1 route.
"""
import sys

import numpy as np
from scipy import integrate
from scipy.special import gammaln, hyp2f1


def bgnbd(rows, r, al, a, b, t):
    out = []
    t0 = t
    for row in rows:
        x, tx, T = row[:3]
        t = row[3] if len(row) > 3 else t0
        A1 = gammaln(r + x) - gammaln(r) + r * np.log(al)
        A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
        A3 = -(r + x) * np.log(al + T)
        if x > 0:
            A4 = np.log(a) - np.log(b + x - 1) - (r + x) * np.log(al + tx)
            ll = A1 + A2 + np.logaddexp(A3, A4)
            pa = 1.0 / (1.0 + a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x))
        else:
            ll = A1 + A2 + A3
            pa = 1.0
        z = t / (al + T + t)
        h = hyp2f1(r + x, b + x, a + b + x - 1, z)
        e = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * h) * pa
        out.append((ll, pa, e))
    t = t0
    z = t / (al + t)
    enew = (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * hyp2f1(r, b, a + b - 1, z))
    return out, enew


def pnbd_a0_over_n(x, tx, T, r, al, s, be):
    """A0 / (r+s+x) of the note, by the 2F1 route (alpha >= beta and alpha < beta forms)."""
    n = r + s + x
    if al >= be:
        f = lambda u: hyp2f1(n, s + 1, n + 1, (al - be) / (al + u)) / (al + u) ** n
    else:
        f = lambda u: hyp2f1(n, r + x, n + 1, (be - al) / (be + u)) / (be + u) ** n
    return (f(tx) - f(T)) / n


def pnbd(rows, r, al, s, be, t):
    out = []
    t0 = t
    for row in rows:
        x, tx, T = row[:3]
        t = row[3] if len(row) > 3 else t0
        d2f1 = pnbd_a0_over_n(x, tx, T, r, al, s, be)
        dq, _ = integrate.quad(lambda u: (al + u) ** -(r + x) * (be + u) ** -(s + 1), tx, T,
                               epsabs=0, epsrel=1e-12, limit=200)
        if abs(d2f1 - dq) > 1e-7 * abs(dq) + 1e-300:
            raise SystemExit("oracle: 2F1 and quadrature disagree at x=%g tx=%g T=%g: %r %r"
                             % (x, tx, T, d2f1, dq))
        e1 = (al + T) ** -(r + x) * (be + T) ** -s
        L = e1 + s * dq
        ll = gammaln(r + x) - gammaln(r) + r * np.log(al) + s * np.log(be) + np.log(L)
        pa = e1 / L
        e = pa * (r + x) * (be + T) / ((al + T) * (s - 1)) * (1 - ((be + T) / (be + T + t)) ** (s - 1))
        out.append((ll, pa, e))
    return out


def gg(rows, p, q, g):
    out = []
    for x, m in rows:
        if x <= 0:
            out.append((0.0, p * g / (q - 1)))
            continue
        ll = (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g)
              + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(g + x * m))
        out.append((ll, (q - 1) / (p * x + q - 1) * p * g / (q - 1) + p * x / (p * x + q - 1) * m))
    return out


def main():
    model, fin, fout = sys.argv[1:4]
    par = [float(v) for v in sys.argv[4:]]
    rows = [tuple(float(v) for v in line.split()) for line in open(fin) if line.strip()]
    with open(fout, "w") as f:
        if model == "bgnbd":
            out, enew = bgnbd(rows, *par)
            for o in out:
                f.write("%.17g %.17g %.17g\n" % o)
            f.write("%.17g\n" % enew)
        elif model == "pnbd":
            for o in pnbd(rows, *par):
                f.write("%.17g %.17g %.17g\n" % o)
        elif model == "gg":
            for o in gg(rows, *par):
                f.write("%.17g %.17g\n" % o)
        else:
            raise SystemExit("unknown model " + model)


if __name__ == "__main__":
    main()
