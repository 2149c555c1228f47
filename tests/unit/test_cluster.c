/* test_cluster.c — unit tests for src/intel/cluster: well-separated Gaussian blobs recovered
 * exactly (adjusted Rand index 1), also through the sampled path at 200,000 rows; the silhouette
 * picks the true k; silhouette values equal a numpy brute force point by point; the same seed
 * gives the same labels; standardisation matches numpy; descriptions in words; degenerate data
 * and bad arguments. */
#include "harness.h"
#include "py_oracle.h"
#include "base/mem.h"
#include "intel/cluster.h"

static uint64_t rs = 99;
static uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double unif(void) { return ((double)(rnd() >> 11) + 0.5) * 0x1.0p-53; }
static double gauss(void) { return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif()); }

/* n rows of unit-variance noise around k centres drawn in a box, each at least `spread` from the
 * others; truth[i] = blob of row i */
static void blobs(double *X, int32_t *truth, size_t n, int d, int k, double spread)
{
    double centre[16][16];
    for (int c = 0; c < k; c++) {
        int ok;
        do {
            for (int j = 0; j < d; j++) centre[c][j] = spread * k * unif();
            ok = 1;
            for (int e = 0; e < c; e++) {
                double s = 0;
                for (int j = 0; j < d; j++)
                    s += (centre[c][j] - centre[e][j]) * (centre[c][j] - centre[e][j]);
                ok &= sqrt(s) >= spread;
            }
        } while (!ok);
    }
    for (size_t i = 0; i < n; i++) {
        int c = (int)(rnd() % (uint64_t)k);
        truth[i] = c;
        for (int j = 0; j < d; j++) X[i * d + j] = centre[c][j] + gauss();
    }
}

/* Adjusted Rand index (Hubert & Arabie 1985) from the contingency table. */
static double ari(const int32_t *a, const int32_t *b, size_t n)
{
    static double t[32][32];
    double ra[32] = {0}, cb[32] = {0};
    memset(t, 0, sizeof t);
    for (size_t i = 0; i < n; i++) {
        t[a[i]][b[i]] += 1;
        ra[a[i]] += 1;
        cb[b[i]] += 1;
    }
#define C2(x) ((x) * ((x)-1) / 2)
    double sij = 0, sa = 0, sb = 0;
    for (int i = 0; i < 32; i++) {
        sa += C2(ra[i]);
        sb += C2(cb[i]);
        for (int j = 0; j < 32; j++) sij += C2(t[i][j]);
    }
    double expct = sa * sb / C2((double)n), mx = (sa + sb) / 2;
#undef C2
    return (sij - expct) / (mx - expct);
}

static void fit(const double *X, size_t n, int d, const enc_cluster_opts *o, int32_t *lab,
                enc_cluster_result *r)
{
    void *ws = enc_xmalloc(enc_cluster_ws_size(n, d, o));
    enc_err err = {0};
    enc_rc rc = enc_cluster_fit(X, n, d, o, lab, r, ws, &err);
    if (rc) TH_FAIL("fit: %s", err.msg);
    free(ws);
}

static void recovers_blobs_exactly(void)
{
    enum { N = 4000, Dm = 3 };
    double *X = enc_xmalloc(N * Dm * sizeof *X);
    int32_t truth[N], lab[N];
    blobs(X, truth, N, Dm, 4, 12);
    enc_cluster_opts o;
    enc_cluster_opts_default(&o);
    o.k = 4;
    enc_cluster_result r;
    fit(X, N, Dm, &o, lab, &r);
    CHECK_INT(r.k, 4);
    CHECK_NEAR(ari(truth, lab, N), 1.0, 1e-12);
    size_t tot = 0;
    for (int c = 0; c < 4; c++) {
        tot += r.size[c];
        if (c) CHECK(r.size[c] <= r.size[c - 1]); /* numbered by size */
    }
    CHECK_INT(tot, N);
    CHECK(r.silhouette > 0.7);
    /* nearest-centroid assignment of the same rows agrees with the fit */
    int32_t lab2[N];
    enc_cluster_assign(&r, X, N, lab2);
    CHECK(memcmp(lab, lab2, sizeof lab) == 0);
    free(X);
}

static void sampled_path_at_scale(void)
{
    enum { N = 200000, Dm = 3 };
    double *X = enc_xmalloc((size_t)N * Dm * sizeof *X);
    int32_t *truth = enc_xmalloc(N * sizeof *truth), *lab = enc_xmalloc(N * sizeof *lab);
    blobs(X, truth, N, Dm, 5, 12);
    enc_cluster_opts o;
    enc_cluster_opts_default(&o);
    o.fit_sample = 20000;
    o.k_max = 7;
    enc_cluster_result r;
    fit(X, N, Dm, &o, lab, &r);
    CHECK_INT(r.k, 5);
    CHECK_NEAR(ari(truth, lab, N), 1.0, 1e-12);
    CHECK(r.iterations <= 3); /* the sample's centroids are already right */
    printf("# 200k rows: k=%d, silhouette by k:", r.k);
    for (int k = 2; k <= 7; k++) printf(" %d:%.3f", k, r.silhouette_by_k[k]);
    printf(", final Lloyd iterations %d\n", r.iterations);
    free(lab);
    free(truth);
    free(X);
}

static void silhouette_picks_true_k(void)
{
    for (int ktrue = 2; ktrue <= 6; ktrue++) {
        enum { N = 3000, Dm = 2 };
        double X[N * Dm];
        int32_t truth[N], lab[N];
        blobs(X, truth, N, Dm, ktrue, 10);
        enc_cluster_opts o;
        enc_cluster_opts_default(&o);
        o.seed = 1000 + ktrue;
        enc_cluster_result r;
        fit(X, N, Dm, &o, lab, &r);
        if (r.k != ktrue) TH_FAIL("true k %d, chosen %d", ktrue, r.k);
        CHECK(ari(truth, lab, N) > 0.999);
        for (int k = 2; k <= 8; k++)
            if (k != ktrue) CHECK(r.silhouette_by_k[k] < r.silhouette_by_k[ktrue]);
        CHECK(isnan(r.silhouette_by_k[1]) && isnan(r.silhouette_by_k[9]));
    }
}

static void silhouette_matches_numpy_brute_force(void)
{
    if (!py_have("numpy")) return;
    enum { M = 700, Dm = 3, K = 6 };
    double Z[M * Dm], mine[M], ws[M * (K + Dm + 1) + 3 * K + 1];
    int32_t lab[M];
    for (int i = 0; i < M; i++) {
        lab[i] = (int32_t)(rnd() % 4); /* cluster 4 absent */
        for (int j = 0; j < Dm; j++) Z[i * Dm + j] = gauss() + lab[i] * (j == 0);
    }
    lab[5] = 5; /* a singleton: s = 0 */
    double mean = enc_cluster_silhouette(Z, M, Dm, lab, K, mine, ws);
    CHECK_NEAR(mine[5], 0, 0);
    CHECK_INT(py_write("Z.bin", Z, sizeof *Z, M * Dm), 0);
    CHECK_INT(py_write("lab.bin", lab, sizeof *lab, M), 0);
    CHECK_INT(
        py_run("import sys, numpy as np\n"
               "d = sys.argv[1]; Z = np.fromfile(d + '/Z.bin').reshape(-1, 3)\n"
               "lab = np.fromfile(d + '/lab.bin', dtype=np.int32); m = len(lab); s = np.zeros(m)\n"
               "for i in range(m):\n"
               "    dist = np.sqrt(((Z - Z[i]) ** 2).sum(axis=1)); own = lab == lab[i]\n"
               "    if own.sum() == 1: continue\n"
               "    a = dist[own].sum() / (own.sum() - 1)\n"
               "    b = min(dist[lab == c].mean() for c in set(lab.tolist()) if c != lab[i])\n"
               "    s[i] = (b - a) / max(a, b)\n"
               "s.tofile(d + '/s.bin')\n"),
        0);
    double want[M];
    CHECK_INT(py_read("s.bin", want, sizeof *want, M), M);
    double wmean = 0, maxdiff = 0;
    for (int i = 0; i < M; i++) {
        wmean += want[i] / M;
        if (fabs(want[i] - mine[i]) > maxdiff) maxdiff = fabs(want[i] - mine[i]);
    }
    CHECK(maxdiff < 1e-12);
    CHECK_NEAR(mean, wmean, 1e-12);
    printf("# silhouette %.6f, numpy %.6f, largest point difference %.2g\n", mean, wmean, maxdiff);
    /* one cluster only: undefined */
    for (int i = 0; i < M; i++) lab[i] = 2;
    CHECK(isnan(enc_cluster_silhouette(Z, M, Dm, lab, K, mine, ws)));
}

static void deterministic_for_a_seed(void)
{
    enum { N = 5000, Dm = 3 };
    double *X = enc_xmalloc(N * Dm * sizeof *X);
    int32_t a[N], b[N];
    for (int i = 0; i < N * Dm; i++) X[i] = gauss(); /* no structure: seeds matter */
    enc_cluster_opts o;
    enc_cluster_opts_default(&o);
    o.k = 5;
    o.fit_sample = 2000;
    enc_cluster_result r1, r2;
    fit(X, N, Dm, &o, a, &r1);
    fit(X, N, Dm, &o, b, &r2);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(r1.inertia == r2.inertia);
    o.seed = 2;
    fit(X, N, Dm, &o, b, &r2);
    CHECK(memcmp(a, b, sizeof a) != 0 || r1.inertia != r2.inertia); /* the seed is used */
    free(X);
}

static void standardisation_and_words(void)
{
    if (!py_have("numpy")) return;
    /* recency days, purchases, spend: champions, lapsed one-timers, and a middle group */
    enum { N = 3000, Dm = 3 };
    double X[N * Dm];
    int32_t lab[N];
    for (int i = 0; i < N; i++) {
        int g = i % 3;
        double *x = X + i * Dm;
        x[0] = g == 0 ? 5 + 3 * unif() : g == 1 ? 300 + 60 * unif() : 60 + 20 * unif();
        x[1] = g == 0 ? 20 + (double)(rnd() % 10) : g == 1 ? 1 : 4 + (double)(rnd() % 3);
        x[2] = g == 0 ? 5000 * (1 + unif()) : g == 1 ? 20 * (1 + unif()) : 400 * (1 + unif());
    }
    const uint8_t lg[Dm] = {0, 1, 1};
    enc_cluster_opts o;
    enc_cluster_opts_default(&o);
    o.log1p = lg;
    enc_cluster_result r;
    fit(X, N, Dm, &o, lab, &r);
    CHECK_INT(r.k, 3);
    CHECK_INT(py_write("X.bin", X, sizeof *X, N * Dm), 0);
    CHECK_INT(py_run("import sys, numpy as np\n"
                     "d = sys.argv[1]; X = np.fromfile(d + '/X.bin').reshape(-1, 3)\n"
                     "X[:, 1:] = np.log1p(X[:, 1:])\n"
                     "np.concatenate([X.mean(axis=0), X.std(axis=0)]).tofile(d + '/ms.bin')\n"),
              0);
    double ms[6];
    CHECK_INT(py_read("ms.bin", ms, sizeof *ms, 6), 6);
    for (int j = 0; j < Dm; j++) {
        CHECK_NEAR(r.mean[j], ms[j], 1e-12);
        CHECK_NEAR(r.sd[j], ms[3 + j], 1e-12);
    }
    char buf[200];
    int seen = 0;
    for (int c = 0; c < 3; c++) {
        enc_cluster_describe(&r, c, enc_cluster_rfm_features, 0.5, buf, sizeof buf);
        printf("# cluster %d (%zu): %s; centroid %.0f days, %.1f purchases, %.0f spent\n", c,
               r.size[c], buf, r.centroid_raw[c][0], r.centroid_raw[c][1], r.centroid_raw[c][2]);
        if (strcmp(buf, "recent, frequent, high-spending") == 0) {
            seen |= 1;
            CHECK(r.centroid_raw[c][0] > 5 && r.centroid_raw[c][0] < 8);
            CHECK(r.centroid_raw[c][1] > 20 && r.centroid_raw[c][1] < 29);
        }
        if (strcmp(buf, "lapsed, infrequent, low spend") == 0) {
            seen |= 2;
            CHECK_NEAR(r.centroid_raw[c][1], 1, 1e-9); /* every member bought once */
        }
        if (strcmp(buf, "average recency, average frequency, average monetary") == 0) seen |= 4;
    }
    CHECK_INT(seen, 7);
    /* truncation reports the needed length */
    size_t need = enc_cluster_describe(&r, 0, enc_cluster_rfm_features, 0.5, buf, 5);
    CHECK(need > 5 && strlen(buf) == 4);
}

static void degenerate_and_bad_input(void)
{
    /* two distinct points, asked for three clusters: one stays empty, nothing breaks */
    double X[20];
    int32_t lab[10];
    for (int i = 0; i < 10; i++) X[2 * i] = X[2 * i + 1] = i < 5 ? 0 : 1;
    enc_cluster_opts o;
    enc_cluster_opts_default(&o);
    o.k = 3;
    enc_cluster_result r;
    fit(X, 10, 2, &o, lab, &r);
    CHECK_INT(r.size[0] + r.size[1] + r.size[2], 10);
    CHECK_INT(r.size[0], 5);
    CHECK_INT(r.size[1], 5);
    CHECK(isfinite(r.inertia) && r.inertia == 0);
    /* constant column and missing values */
    for (int i = 0; i < 10; i++) X[2 * i + 1] = 7;
    X[0] = NAN;
    o.k = 2;
    fit(X, 10, 2, &o, lab, &r);
    CHECK(r.sd[1] == 0 && isfinite(r.centroid[0][1]));
    enc_err err = {0};
    char ws[4096];
    o.k = 20;
    CHECK_INT(enc_cluster_fit(X, 10, 2, &o, lab, &r, ws, &err), ENC_EUSAGE);
    o.k = 0;
    o.k_max = 12;
    CHECK_INT(enc_cluster_fit(X, 10, 2, &o, lab, &r, ws, &err), ENC_EUSAGE); /* fewer rows than k */
    CHECK(strstr(err.msg, "10 rows") != NULL);
    o.k_max = 4;
    CHECK_INT(enc_cluster_fit(X, 10, 0, &o, lab, &r, ws, &err), ENC_EUSAGE);
}

int main(void)
{
    RUN(recovers_blobs_exactly);
    RUN(sampled_path_at_scale);
    RUN(silhouette_picks_true_k);
    RUN(silhouette_matches_numpy_brute_force);
    RUN(deterministic_for_a_seed);
    RUN(standardisation_and_words);
    RUN(degenerate_and_bad_input);
    return TEST_SUMMARY();
}
