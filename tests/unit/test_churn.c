/* test_churn.c — unit tests for src/intel/churn and src/intel/auc: AUC of perfect, reversed,
 * constant and random scores, against a brute-force pair count and scipy's Mann-Whitney U;
 * coefficients of a known logistic model recovered from simulated data; the penalised optimum
 * equal to scipy's minimiser of the same objective; reasons = the largest positive
 * contributions; reason texts; the whole time-split flow (cadence features at a cut-off, labels
 * after it, scores at the as-of date) on simulated customers; malformed input. */
#include "harness.h"
#include "py_oracle.h"
#include "base/mem.h"
#include "intel/auc.h"
#include "intel/cadence.h"
#include "intel/churn.h"

static uint64_t rs = 7;
static uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double unif(void) { return ((double)(rnd() >> 11) + 0.5) * 0x1.0p-53; }
static double gauss(void) { return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif()); }
static double expo(double mean) { return -mean * log(unif()); }
static int poisson(double mu)
{
    double L = exp(-mu), p = 1;
    int k = 0;
    do {
        k++;
        p *= unif();
    } while (p > L);
    return k - 1;
}
static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

static double auc_of(const double *s, const uint8_t *y, size_t n)
{
    void *ws = enc_xmalloc(enc_auc_ws_size(n));
    double a = NAN;
    CHECK_INT(enc_auc(s, y, n, &a, ws, NULL), 0);
    free(ws);
    return a;
}

static void auc_perfect_reversed_constant_random(void)
{
    enum { N = 200000 };
    double *s = enc_xmalloc(N * sizeof *s);
    uint8_t *y = enc_xmalloc(N);
    for (int i = 0; i < N; i++) {
        y[i] = rnd() & 1;
        s[i] = y[i] ? 1 + unif() : unif();
    }
    CHECK_NEAR(auc_of(s, y, N), 1.0, 0);
    for (int i = 0; i < N; i++) s[i] = -s[i];
    CHECK_NEAR(auc_of(s, y, N), 0.0, 0);
    for (int i = 0; i < N; i++) s[i] = 3;
    CHECK_NEAR(auc_of(s, y, N), 0.5, 0);
    for (int i = 0; i < N; i++) s[i] = unif();
    double a = auc_of(s, y, N);
    CHECK(fabs(a - 0.5) < 0.006); /* standard error 0.0013 */
    printf("# random score AUC %.5f\n", a);
    free(y);
    free(s);
}

static void auc_matches_brute_force(void)
{
    for (int trial = 0; trial < 200; trial++) {
        int n = 2 + (int)(rnd() % 300);
        double s[302];
        uint8_t y[302];
        int levels = trial % 2 ? 5 : 1000000;
        for (int i = 0; i < n; i++) {
            s[i] = (double)(rnd() % levels);
            y[i] = (rnd() % 3) == 0;
        }
        y[0] = 1;
        y[1] = 0;
        uint64_t num = 0, np = 0, nn = 0;
        for (int i = 0; i < n; i++) {
            np += y[i] != 0;
            if (!y[i]) continue;
            for (int j = 0; j < n; j++)
                if (!y[j]) num += s[i] > s[j] ? 2 : s[i] == s[j] ? 1 : 0;
        }
        nn = n - np;
        double want = (double)num / (2.0 * np * nn), got = auc_of(s, y, n);
        if (got != want) TH_FAIL("trial %d n %d: %.17g vs brute force %.17g", trial, n, got, want);
    }
}

static void auc_matches_scipy(void)
{
    if (!py_have("numpy scipy")) return;
    enum { N = 5000 };
    double s[N];
    uint8_t y[N];
    for (int i = 0; i < N; i++) {
        y[i] = unif() < 0.3;
        s[i] = floor((y[i] ? 0.7 : 0) + gauss() * 4) / 4; /* ties */
    }
    CHECK_INT(py_write("s.bin", s, sizeof *s, N), 0);
    CHECK_INT(py_write("y.bin", y, 1, N), 0);
    CHECK_INT(py_run("import sys, numpy as np\n"
                     "from scipy.stats import mannwhitneyu\n"
                     "d = sys.argv[1]; s = np.fromfile(d + '/s.bin'); y = np.fromfile(d + "
                     "'/y.bin', dtype=np.uint8)\n"
                     "pos, neg = s[y == 1], s[y == 0]\n"
                     "u = mannwhitneyu(pos, neg, alternative='two-sided').statistic\n"
                     "np.array([u / (len(pos) * len(neg))]).tofile(d + '/auc.bin')\n"),
              0);
    double want = NAN;
    CHECK_INT(py_read("auc.bin", &want, sizeof want, 1), 1);
    CHECK_NEAR(auc_of(s, y, N), want, 1e-12);
    printf("# AUC %.6f, scipy Mann-Whitney %.6f\n", auc_of(s, y, N), want);
}

/* y ~ Bernoulli(sigmoid(b0 + b.x)), x with non-standard means and scales. */
static void simulate(double *X, uint8_t *y, size_t n, int d, const double *mu, const double *sd,
                     double b0, const double *b)
{
    for (size_t i = 0; i < n; i++) {
        double eta = b0;
        for (int j = 0; j < d; j++) {
            X[i * d + j] = mu[j] + sd[j] * gauss();
            eta += b[j] * X[i * d + j];
        }
        y[i] = unif() < sigmoid(eta);
    }
}

static void recovers_known_coefficients(void)
{
    enum { N = 200000, Dm = 4 };
    const double mu[Dm] = {10, -2, 0, 50}, sd[Dm] = {3, 0.5, 1, 29};
    const double b0 = -6.4, b[Dm] = {0.3, -1.2, 0, 0.02}; /* mean eta 0: p near 1/2 */
    double *X = enc_xmalloc(N * Dm * sizeof *X),
           *ws = enc_xmalloc(enc_churn_ws_len(N, Dm) * sizeof *ws);
    uint8_t *y = enc_xmalloc(N);
    simulate(X, y, N, Dm, mu, sd, b0, b);
    enc_churn_opts o;
    enc_churn_opts_default(&o);
    o.lambda = 1e-6;
    enc_churn_model m;
    enc_err err = {0};
    CHECK_INT(enc_churn_fit(X, y, N, Dm, &o, &m, ws, &err), 0);
    double c0, c[Dm];
    enc_churn_raw_coef(&m, &c0, c);
    /* standard errors ~ 1 / (sd_j sqrt(n E[p(1-p)])) ~ 0.002, 0.011, 0.006, 0.0002; intercept
     * ~ 0.03: allow about five */
    CHECK(fabs(c[0] - 0.3) < 0.01);
    CHECK(fabs(c[1] + 1.2) < 0.05);
    CHECK(fabs(c[2]) < 0.03);
    CHECK(fabs(c[3] - 0.02) < 0.001);
    CHECK(fabs(c0 - b0) < 0.15);
    CHECK(m.iterations < 15);
    printf("# recovered b0 %.4f b %.4f %.4f %.4f %.5f in %d Newton steps\n", c0, c[0], c[1], c[2],
           c[3], m.iterations);
    /* the fitted probabilities rank the outcome well */
    double *p = enc_xmalloc(N * sizeof *p);
    enc_churn_score(&m, X, N, p);
    CHECK(auc_of(p, y, N) > 0.7);
    free(p);
    free(y);
    free(ws);
    free(X);
}

static void optimum_matches_scipy(void)
{
    if (!py_have("numpy scipy")) return;
    enum { N = 3000, Dm = 3 };
    const double mu[Dm] = {5, 40, 1}, sd[Dm] = {2, 20, 1}, b[Dm] = {0.4, 0.03, -0.8};
    double X[N * Dm], ws[N * Dm];
    uint8_t y[N];
    simulate(X, y, N, Dm, mu, sd, -2, b);
    for (int i = 0; i < N; i++) X[i * Dm + 1] = fabs(X[i * Dm + 1]); /* log1p column */
    X[7 * Dm + 2] = NAN;                                             /* a missing value */
    const uint8_t lg[Dm] = {0, 1, 0};
    enc_churn_opts o;
    enc_churn_opts_default(&o);
    o.lambda = 2;
    o.log1p = lg;
    enc_churn_model m;
    CHECK_INT(enc_churn_fit(X, y, N, Dm, &o, &m, ws, NULL), 0);
    CHECK_INT(py_write("X.bin", X, sizeof *X, N * Dm), 0);
    CHECK_INT(py_write("y.bin", y, 1, N), 0);
    CHECK_INT(py_run("import sys, numpy as np\n"
                     "from scipy.optimize import minimize\n"
                     "d = sys.argv[1]; X = np.fromfile(d + '/X.bin').reshape(-1, 3)\n"
                     "y = np.fromfile(d + '/y.bin', dtype=np.uint8).astype(float)\n"
                     "T = X.copy(); T[:, 1] = np.log1p(T[:, 1])\n"
                     "mu = np.nanmean(T, axis=0); sd = np.nanstd(T, axis=0)\n"
                     "Z = np.nan_to_num((T - mu) / sd, nan=0.0); lam = 2.0\n"
                     "A = np.hstack([np.ones((len(y), 1)), Z])\n"
                     "def f(th):\n"
                     "    eta = A @ th; return np.sum(np.logaddexp(0, eta) - y * eta) + lam / 2 * "
                     "th[1:] @ th[1:]\n"
                     "def g(th):\n"
                     "    p = 1 / (1 + np.exp(-(A @ th))); r = A.T @ (p - y); r[1:] += lam * "
                     "th[1:]; return r\n"
                     "res = minimize(f, np.zeros(4), jac=g, method='BFGS', options={'gtol': 1e-10, "
                     "'maxiter': 1000})\n"
                     "np.concatenate([res.x, mu, sd]).tofile(d + '/theta.bin')\n"),
              0);
    double th[10];
    CHECK_INT(py_read("theta.bin", th, sizeof *th, 10), 10);
    CHECK_NEAR(m.intercept, th[0], 1e-6);
    for (int j = 0; j < Dm; j++) {
        CHECK_NEAR(m.beta[j], th[1 + j], 1e-6);
        CHECK_NEAR(m.mean[j], th[4 + j], 1e-12);
        CHECK_NEAR(m.sd[j], th[7 + j], 1e-12);
    }
    printf("# beta %.8f %.8f %.8f, scipy %.8f %.8f %.8f\n", m.beta[0], m.beta[1], m.beta[2], th[1],
           th[2], th[3]);
}

static void reasons_are_largest_positive_contributions(void)
{
    enum { N = 20000, Dm = 6, TOP = 3 };
    const double mu[Dm] = {0, 1, 2, 3, 4, 5}, sd[Dm] = {1, 1, 2, 1, 3, 1};
    const double b[Dm] = {1.0, -0.8, 0.3, 0.6, -0.2, 0};
    double *X = enc_xmalloc(N * Dm * sizeof *X), *ws = enc_xmalloc(N * Dm * sizeof *ws);
    uint8_t *y = enc_xmalloc(N);
    simulate(X, y, N, Dm, mu, sd, 0.5, b);
    enc_churn_opts o;
    enc_churn_opts_default(&o);
    enc_churn_model m;
    CHECK_INT(enc_churn_fit(X, y, N, Dm, &o, &m, ws, NULL), 0);
    int8_t *idx = enc_xmalloc(N * TOP);
    float *con = enc_xmalloc(N * TOP * sizeof *con);
    enc_churn_reasons(&m, NULL, X, N, TOP, 0, idx, con);
    int bad = 0, filled = 0;
    for (int i = 0; i < N; i++) {
        double c[Dm];
        int used[Dm] = {0};
        for (int j = 0; j < Dm; j++) c[j] = m.beta[j] * (((X[i * Dm + j]) - m.mean[j]) / m.sd[j]);
        for (int t = 0; t < TOP; t++) { /* the t-th largest positive, brute force */
            int best = -1;
            for (int j = 0; j < Dm; j++)
                if (!used[j] && c[j] > 0 && (best < 0 || c[j] > c[best])) best = j;
            if (best >= 0) used[best] = 1;
            if (idx[i * TOP + t] != best) bad++;
            if (best >= 0 && fabs(con[i * TOP + t] - c[best]) > 1e-5 * (1 + fabs(c[best]))) bad++;
            filled += best < 0;
        }
    }
    CHECK_INT(bad, 0);
    CHECK(filled > 0); /* some rows have fewer than three positive contributions: -1 fills */
    /* a threshold drops small contributions */
    enc_churn_reasons(&m, NULL, X, N, TOP, 0.5, idx, NULL);
    for (int i = 0; i < N; i++)
        for (int t = 0; t < TOP; t++) {
            int j = idx[i * TOP + t];
            if (j >= 0 && !(m.beta[j] * enc_churn_z(&m, X + i * Dm, j) > 0.5)) bad++;
        }
    CHECK_INT(bad, 0);
    free(con);
    free(idx);
    free(y);
    free(ws);
    free(X);
}

/* Issue 12: a reason is given only on the side that argues for churn, whatever the model's
 * sign: "bought often lately" (many purchases in 90 days) never explains a churn risk. */
static void reasons_only_raise_risk(void)
{
    enc_churn_model m;
    memset(&m, 0, sizeof m);
    m.d = ENC_CHURN_STD_D;
    for (int j = 0; j < m.d; j++) {
        m.sd[j] = 1;
        m.beta[j] = 1; /* every feature weighs up: a collinear fit can do that */
    }
    double x[ENC_CHURN_STD_D] = {0};
    x[ENC_CHURN_F_RECENT90] = 5;   /* bought often lately: z > 0 */
    x[ENC_CHURN_F_MONETARY] = 9;   /* spends a lot: z > 0 */
    x[ENC_CHURN_F_RECENCY] = 2;    /* a while since the last purchase: z > 0, a real reason */
    x[ENC_CHURN_F_OCCASIONS] = -3; /* few purchases: z < 0, but beta > 0 makes it lower risk */
    int8_t idx[3];
    enc_churn_reasons(&m, NULL, x, 1, 3, 0, idx, NULL);
    CHECK_INT(idx[0], ENC_CHURN_F_MONETARY); /* the model alone would say "spends a lot" */
    enc_churn_reasons(&m, enc_churn_std_features, x, 1, 3, 0, idx, NULL);
    CHECK_INT(idx[0], ENC_CHURN_F_RECENCY);
    CHECK_INT(idx[1], -1);
    for (int j = 0; j < ENC_CHURN_STD_D; j++) CHECK(enc_churn_std_features[j].risk != 0);
}

static void reason_texts(void)
{
    /* a model on the standard features whose training means put this customer above them */
    enc_churn_model m;
    memset(&m, 0, sizeof m);
    m.d = ENC_CHURN_STD_D;
    for (int j = 0; j < m.d; j++) {
        m.log1p[j] = enc_churn_std_log1p[j];
        m.sd[j] = 1;
        m.beta[j] = 1;
    }
    m.mean[ENC_CHURN_F_OVERDUE] = log1p(1.2);
    m.mean[ENC_CHURN_F_ENGAGEMENT_DROP] = 0.5;
    m.mean[ENC_CHURN_F_COMPLAINTS] = 0.1;
    m.mean[ENC_CHURN_F_ENGAGEMENT] = log1p(4);
    int32_t occ = 7, c90 = 0, ev = 1, ev_before = 9, compl = 2;
    double rec = 143.4, mg = 30.2, lg = 35;
    enc_churn_std_input in = {1, &occ, &rec, &mg, &lg, &c90, NULL, &ev, &ev_before, &compl, 60};
    double x[ENC_CHURN_STD_D];
    CHECK_INT(enc_churn_std_build(&in, x, NULL), 0);
    CHECK_NEAR(x[ENC_CHURN_F_OVERDUE], 143.4 / 30.2, 1e-12);
    CHECK_NEAR(x[ENC_CHURN_F_ENGAGEMENT_DROP], 8, 0);
    char buf[200];
    enc_churn_reason_text(&m, enc_churn_std_features, x, ENC_CHURN_F_OVERDUE, buf, sizeof buf);
    CHECK_STR(buf, "no purchase for 143 days (usually every 30 days)"); /* with its unit */
    enc_churn_reason_text(&m, enc_churn_std_features, x, ENC_CHURN_F_COMPLAINTS, buf, sizeof buf);
    CHECK_STR(buf, "complained recently (complaints in the last 90 days: 2)");
    enc_churn_reason_text(&m, enc_churn_std_features, x, ENC_CHURN_F_ENGAGEMENT_DROP, buf,
                          sizeof buf);
    CHECK_STR(buf, "engagement dropped (events down by 8 on the 30 days before)");
    enc_churn_reason_text(&m, enc_churn_std_features, x, ENC_CHURN_F_ENGAGEMENT, buf, sizeof buf);
    CHECK_STR(buf, "engagement is low (events in the last 30 days: 1)");
    enc_churn_reason_text(&m, enc_churn_std_features, x, ENC_CHURN_F_DRIFT, buf, sizeof buf);
    CHECK_STR(buf, "buying less often lately (last gap 1.2x the usual)");
    /* truncation reports the full length */
    size_t need =
        enc_churn_reason_text(&m, enc_churn_std_features, x, ENC_CHURN_F_OVERDUE, buf, 10);
    CHECK_INT(need, strlen("no purchase for 143 days (usually every 30 days)"));
    CHECK_STR(buf, "no purcha");
    /* one-time buyer: the default gap, no drift; no purchases: a NaN row */
    occ = 1;
    CHECK_INT(enc_churn_std_build(&in, x, NULL), 0);
    CHECK_NEAR(x[ENC_CHURN_F_GAP], 60, 0);
    CHECK(isnan(x[ENC_CHURN_F_DRIFT]));
    occ = 0;
    CHECK_INT(enc_churn_std_build(&in, x, NULL), 0);
    CHECK(isnan(x[0]) && isnan(x[ENC_CHURN_STD_D - 1]));
    in.default_gap_days = 0;
    CHECK_INT(enc_churn_std_build(&in, x, NULL), ENC_EUSAGE);
}

/* Simulated shop: each customer buys as a Poisson process (rate per day ~ Gamma(2, 1/60)) from
 * a first purchase until an exponential dropout; engaged customers while alive view ~3 things
 * a month, 0.3 after; a few complain before leaving. Train at day 500 on "no purchase in days
 * 500-590", score at day 590, judge on days 590-680. */
static void time_split_flow(void)
{
    enum { N = 20000, MAXP = 200 };
    const double T1 = 500, H = 90, T2 = T1 + H, END = T2 + H;
    const int64_t D = 86400, T0 = 1500000000;
    int64_t *off = enc_xmalloc((N + 1) * sizeof *off),
            *ts = enc_xmalloc((size_t)N * MAXP * sizeof *ts);
    double *death = enc_xmalloc(N * sizeof *death);
    off[0] = 0;
    for (int i = 0; i < N; i++) {
        double rate = (expo(1) + expo(1)) / 60, t = unif() * 450;
        death[i] = t + expo(250);
        int k = 0;
        while (t < END && t < death[i] && k < MAXP) {
            ts[off[i] + k++] = T0 + (int64_t)(t * D);
            t += expo(1 / rate);
        }
        off[i + 1] = off[i] + k;
    }
    /* features at a cut-off: cadence, events, complaints */
    int32_t *occ = enc_xmalloc(N * sizeof *occ), *c90 = enc_xmalloc(N * sizeof *c90);
    int32_t *ev = enc_xmalloc(N * sizeof *ev), *evb = enc_xmalloc(N * sizeof *evb),
            *cp = enc_xmalloc(N * sizeof *cp);
    double *rec = enc_xmalloc(N * sizeof *rec), *mg = enc_xmalloc(N * sizeof *mg),
           *lg = enc_xmalloc(N * sizeof *lg);
    double *X1 = enc_xmalloc((size_t)N * ENC_CHURN_STD_D * sizeof *X1),
           *X2 = enc_xmalloc((size_t)N * ENC_CHURN_STD_D * sizeof *X2);
    size_t wl = enc_cadence_ws_len(off, N);
    double *cws = enc_xmalloc(wl * sizeof *cws);
    enc_cadence_config cc;
    enc_cadence_config_default(&cc);
    enc_cadence_out o = {
        .occasions = occ, .recency_days = rec, .mean_gap_days = mg, .last_gap_days = lg};
    o.count[1] = c90;
    double cut[2] = {T1, T2};
    double *Xs[2] = {X1, X2};
    for (int c = 0; c < 2; c++) {
        CHECK_INT(enc_cadence_compute(&cc, ts, off, N, T0 + (int64_t)(cut[c] * D), NULL, &o, cws,
                                      wl, NULL),
                  0);
        for (int i = 0; i < N; i++) {
            int alive_now = death[i] > cut[c], alive_before = death[i] > cut[c] - 30;
            ev[i] = poisson(alive_now ? 3 : 0.3);
            evb[i] = poisson(alive_before ? 3 : 0.3);
            cp[i] = !alive_now && death[i] > cut[c] - 60 && unif() < 0.3;
        }
        enc_churn_std_input in = {N, occ, rec, mg, lg, c90, NULL, ev, evb, cp, 60};
        CHECK_INT(enc_churn_std_build(&in, Xs[c], NULL), 0);
    }
    /* labels: no purchase in (cut, cut + H]; keep customers with a purchase by the cut */
    uint8_t *y1 = enc_xmalloc(N), *y2 = enc_xmalloc(N);
    double *Xt = enc_xmalloc((size_t)N * ENC_CHURN_STD_D * sizeof *Xt),
           *Xa = enc_xmalloc((size_t)N * ENC_CHURN_STD_D * sizeof *Xa);
    size_t nt = 0, na = 0;
    for (int i = 0; i < N; i++) {
        int bought1 = 0, bought2 = 0, any1 = 0, any2 = 0;
        for (int64_t p = off[i]; p < off[i + 1]; p++) {
            double t = (double)(ts[p] - T0) / D;
            any1 |= t <= T1;
            any2 |= t <= T2;
            bought1 |= t > T1 && t <= T1 + H;
            bought2 |= t > T2 && t <= T2 + H;
        }
        if (any1) {
            memcpy(Xt + nt * ENC_CHURN_STD_D, X1 + (size_t)i * ENC_CHURN_STD_D,
                   ENC_CHURN_STD_D * sizeof *Xt);
            y1[nt++] = !bought1;
        }
        if (any2) {
            memcpy(Xa + na * ENC_CHURN_STD_D, X2 + (size_t)i * ENC_CHURN_STD_D,
                   ENC_CHURN_STD_D * sizeof *Xa);
            y2[na++] = !bought2;
        }
    }
    double *ws = enc_xmalloc(enc_churn_ws_len(nt, ENC_CHURN_STD_D) * sizeof *ws);
    enc_churn_opts opt;
    enc_churn_opts_default(&opt);
    opt.log1p = enc_churn_std_log1p;
    enc_churn_model m;
    enc_err err = {0};
    CHECK_INT(enc_churn_fit(Xt, y1, nt, ENC_CHURN_STD_D, &opt, &m, ws, &err), 0);
    CHECK(m.beta[ENC_CHURN_F_OVERDUE] > 0);         /* overdue customers churn */
    CHECK(m.beta[ENC_CHURN_F_COMPLAINTS] > 0);      /* complainers churn */
    CHECK(m.beta[ENC_CHURN_F_ENGAGEMENT] < 0);      /* engaged ones stay */
    CHECK(fabs(m.beta[ENC_CHURN_F_MONETARY]) == 0); /* no spend column: no weight */
    double *p = enc_xmalloc(na * sizeof *p);
    enc_churn_score(&m, Xa, na, p);
    double a = auc_of(p, y2, na);
    CHECK(a > 0.8);
    /* calibration in the large: mean predicted risk near the observed churn rate */
    double mp = 0, my = 0;
    for (size_t i = 0; i < na; i++) {
        mp += p[i];
        my += y2[i];
    }
    CHECK(fabs(mp / na - my / na) < 0.03);
    printf("# time split: %zu trained (%.1f%% churned), %zu scored, holdout AUC %.3f, mean risk "
           "%.3f vs "
           "observed %.3f\n",
           nt, 100.0 * m.n_pos / nt, na, a, mp / na, my / na);
    free(p);
    free(ws);
    free(Xa);
    free(Xt);
    free(y2);
    free(y1);
    free(cws);
    free(X2);
    free(X1);
    free(lg);
    free(mg);
    free(rec);
    free(cp);
    free(evb);
    free(ev);
    free(c90);
    free(occ);
    free(death);
    free(ts);
    free(off);
}

static void malformed_input(void)
{
    enc_err err = {0};
    double X[8] = {0, 1, 2, 3, 4, 5, 6, 7}, ws[8];
    uint8_t y[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    enc_churn_opts o;
    enc_churn_opts_default(&o);
    enc_churn_model m;
    CHECK_INT(enc_churn_fit(X, y, 8, 1, &o, &m, ws, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "both outcomes") != NULL);
    y[0] = 0;
    CHECK_INT(enc_churn_fit(X, y, 8, 0, &o, &m, ws, &err), ENC_EUSAGE);
    /* separable (x < 0.5 <=> y = 0) without a penalty does not converge */
    o.lambda = 0;
    CHECK_INT(enc_churn_fit(X, y, 8, 1, &o, &m, ws, &err), ENC_EFAIL);
    CHECK(strstr(err.msg, "separable") != NULL);
    /* with the penalty it does, and ranks them right */
    o.lambda = 1;
    CHECK_INT(enc_churn_fit(X, y, 8, 1, &o, &m, ws, &err), ENC_OK);
    CHECK(m.beta[0] > 0);
    double s[2] = {1, NAN}, a;
    uint8_t l[2] = {1, 0};
    uint64_t aws[8]; /* 8-byte aligned, enough for two scores */
    CHECK_INT(enc_auc(s, l, 2, &a, aws, &err), ENC_EUSAGE);
    s[1] = 0;
    l[1] = 1;
    CHECK_INT(enc_auc(s, l, 2, &a, aws, &err), ENC_EUSAGE);
}

int main(void)
{
    RUN(auc_perfect_reversed_constant_random);
    RUN(auc_matches_brute_force);
    RUN(auc_matches_scipy);
    RUN(recovers_known_coefficients);
    RUN(optimum_matches_scipy);
    RUN(reasons_are_largest_positive_contributions);
    RUN(reason_texts);
    RUN(reasons_only_raise_risk);
    RUN(time_split_flow);
    RUN(malformed_input);
    return TEST_SUMMARY();
}
