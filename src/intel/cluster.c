/* cluster.c — k-means (see cluster.h). Features are log1p-transformed where asked and z-scored;
 * seeds come from greedy k-means++ (Arthur & Vassilvitskii, "k-means++: the advantages of careful
 * seeding", SODA 2007: each new centre drawn with probability proportional to D(x)^2; the greedy
 * variant draws 2 + floor(ln k) candidates and keeps the one that lowers the potential most, as
 * scikit-learn does); Lloyd's iterations (Lloyd 1982) run until no row changes cluster. Choosing
 * k: each candidate k is fitted on a fixed sample and scored by the mean silhouette (Rousseeuw
 * 1987) on a smaller sample; the winner's centroids start the final Lloyd run over all rows.
 * Randomness is base/rng.h's xoshiro256** (Blackman & Vigna 2018) seeded by splitmix64, so a
 * seed gives the same clusters everywhere. */
#include "intel/cluster.h"
#include "base/rng.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MK ENC_CLUSTER_MAX_K
#define MD ENC_CLUSTER_MAX_D

/* m of n indices, ascending, every subset equally likely: Knuth's Algorithm S (TAOCP 2, 3.4.2). */
static void sample_idx(enc_rng *r, size_t n, size_t m, uint32_t *out)
{
    for (size_t t = 0, sel = 0; sel < m; t++)
        if ((double)(n - t) * enc_rng_uniform(r) < (double)(m - sel)) out[sel++] = (uint32_t)t;
}

void enc_cluster_opts_default(enc_cluster_opts *o)
{
    o->k = 0;
    o->k_min = 2;
    o->k_max = 8;
    o->n_init = 4;
    o->max_iter = 300;
    o->tol = 1e-4;
    o->seed = 1;
    o->fit_sample = 50000;
    o->sil_sample = 2000;
    o->log1p = NULL;
}

/* ---- workspace ---- */
typedef struct {
    double *Z, *Zs, *dist, *Zsil, *silws;
    uint32_t *fidx, *sidx;
    int32_t *lab, *best_lab, *lsil;
    size_t fit_n, sil_n;
    int kmax;
} layout;

static int take(size_t *off, size_t count, size_t elem, void *base, void **out)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, elem, &bytes)) return 0;
    bytes = (bytes + 7) & ~(size_t)7;
    if (out) *out = base ? (char *)base + *off : NULL;
    return !__builtin_add_overflow(*off, bytes, off);
}

static size_t lay(size_t n, int d, const enc_cluster_opts *o, void *ws, layout *L)
{
    layout l = {0};
    l.kmax = o->k > 0 ? o->k : o->k_max;
    l.fit_n = n < o->fit_sample ? n : o->fit_sample;
    l.sil_n = l.fit_n < o->sil_sample ? l.fit_n : o->sil_sample;
    size_t off = 0, dd = (size_t)(d > 0 ? d : 1);
    int ok = take(&off, n, dd * sizeof(double), ws, (void **)&l.Z);
    if (l.fit_n < n) {
        ok &= take(&off, l.fit_n, sizeof(uint32_t), ws, (void **)&l.fidx);
        ok &= take(&off, l.fit_n, dd * sizeof(double), ws, (void **)&l.Zs);
    }
    ok &= take(&off, l.fit_n, sizeof(int32_t), ws, (void **)&l.lab);
    ok &= take(&off, l.fit_n, sizeof(int32_t), ws, (void **)&l.best_lab);
    ok &= take(&off, l.fit_n, sizeof(double), ws, (void **)&l.dist);
    ok &= take(&off, l.sil_n, sizeof(uint32_t), ws, (void **)&l.sidx);
    ok &= take(&off, l.sil_n, dd * sizeof(double), ws, (void **)&l.Zsil);
    ok &= take(&off, l.sil_n, sizeof(int32_t), ws, (void **)&l.lsil);
    ok &= take(&off, enc_cluster_silhouette_ws(l.sil_n, d, l.kmax), sizeof(double), ws,
               (void **)&l.silws);
    if (L) *L = l;
    return ok ? off : 0;
}

size_t enc_cluster_ws_size(size_t n, int d, const enc_cluster_opts *o)
{
    return lay(n, d, o, NULL, NULL);
}

static inline double dist2(const double *a, const double *b, int d)
{
    double s = 0;
    for (int j = 0; j < d; j++) {
        double t = a[j] - b[j];
        s += t * t;
    }
    return s;
}

static inline int nearest(const double *z, const double *C, int k, int d, double *best)
{
    int bc = 0;
    double bd = dist2(z, C, d);
    for (int c = 1; c < k; c++) {
        double t = dist2(z, C + (size_t)c * MD, d);
        if (t < bd) {
            bd = t;
            bc = c;
        }
    }
    *best = bd;
    return bc;
}

/* Greedy k-means++ seeds into C (rows of stride MD). dist: n doubles. */
static void seed_pp(const double *Z, size_t n, int d, int k, enc_rng *r, double *C, double *dist)
{
    size_t first = (size_t)(enc_rng_uniform(r) * (double)n);
    memcpy(C, Z + first * d, d * sizeof *C);
    double total = 0;
    for (size_t i = 0; i < n; i++) total += dist[i] = dist2(Z + i * d, C, d);
    int trials = 2 + (int)log((double)k);
    for (int c = 1; c < k; c++) {
        size_t best = 0;
        double best_pot = INFINITY;
        for (int t = 0; t < trials; t++) {
            size_t cand;
            if (total > 0) { /* draw with probability dist / total */
                double u = enc_rng_uniform(r) * total, acc = 0;
                cand = n - 1;
                for (size_t i = 0; i < n; i++) {
                    acc += dist[i];
                    if (acc > u) {
                        cand = i;
                        break;
                    }
                }
            } else {
                cand = (size_t)(enc_rng_uniform(r) * (double)n);
            }
            double pot = 0;
            for (size_t i = 0; i < n; i++) {
                double t2 = dist2(Z + i * d, Z + cand * d, d);
                pot += t2 < dist[i] ? t2 : dist[i];
            }
            if (pot < best_pot) {
                best_pot = pot;
                best = cand;
            }
        }
        memcpy(C + (size_t)c * MD, Z + best * d, d * sizeof *C);
        total = 0;
        for (size_t i = 0; i < n; i++) {
            double t2 = dist2(Z + i * d, Z + best * d, d);
            if (t2 < dist[i]) dist[i] = t2;
            total += dist[i];
        }
    }
}

/* Lloyd's iterations from C, until no row changes cluster, the centroids move by at most tol
 * (summed squared shift) or max_iter. Returns the iterations; lab holds each row's nearest
 * centroid and *inertia their summed squared distance. A cluster left empty takes the row
 * farthest from its own centroid. */
static int lloyd(const double *Z, size_t n, int d, int k, double *C, int32_t *lab, int max_iter,
                 double tol, double *inertia)
{
    double shift = INFINITY;
    double sum[MK * MD];
    size_t cnt[MK];
    int it = 0;
    for (;; it++) {
        memset(sum, 0, sizeof sum);
        memset(cnt, 0, sizeof cnt);
        size_t changed = 0;
        double in = 0;
        for (size_t i = 0; i < n; i++) {
            const double *z = Z + i * d;
            double bd;
            int c = nearest(z, C, k, d, &bd);
            changed += it == 0 || lab[i] != c;
            lab[i] = c;
            cnt[c]++;
            in += bd;
            for (int j = 0; j < d; j++) sum[c * MD + j] += z[j];
        }
        *inertia = in;
        if ((it > 0 && (changed == 0 || shift <= tol)) || it + 1 >= max_iter) break;
        size_t taken[MK];
        int ntaken = 0;
        shift = 0;
        for (int c = 0; c < k; c++) {
            if (cnt[c]) {
                for (int j = 0; j < d; j++) {
                    double v = sum[c * MD + j] / (double)cnt[c], dl = v - C[c * MD + j];
                    shift += dl * dl;
                    C[c * MD + j] = v;
                }
                continue;
            }
            shift = INFINITY; /* a re-seeded cluster: not converged */
            size_t far = 0;
            double fd = -1;
            for (size_t i = 0; i < n; i++) {
                int used = 0;
                for (int t = 0; t < ntaken; t++) used |= taken[t] == i;
                double t2 = used ? -1 : dist2(Z + i * d, C + (size_t)lab[i] * MD, d);
                if (t2 > fd) {
                    fd = t2;
                    far = i;
                }
            }
            taken[ntaken++] = far;
            memcpy(C + (size_t)c * MD, Z + far * d, d * sizeof *C);
        }
    }
    return it + 1;
}

size_t enc_cluster_silhouette_ws(size_t m, int d, int k)
{
    return m * ((size_t)k + (size_t)d + 1) + 3 * (size_t)k + 1;
}

/* The points are first put in cluster order (a counting sort), so that each point's distance
 * sum to a cluster is a run over contiguous rows kept in a register; the other half of each
 * pair is added to the partner's row, a different address every step. (Accumulating straight
 * into S[i][label[j]] makes every step wait on the previous store to the same few cells.) */
double enc_cluster_silhouette(const double *Z, size_t m, int d, const int32_t *label, int k,
                              double *per_point, double *ws)
{
    double *S = ws, *cnt = S + m * (size_t)k, *Y = cnt + k;
    size_t *perm = (size_t *)(Y + m * (size_t)d), *seg = perm + m, *next = seg + k + 1;
    memset(S, 0, (m * (size_t)k + (size_t)k) * sizeof *S);
    for (size_t i = 0; i < m; i++) cnt[label[i]] += 1;
    int present = 0;
    seg[0] = 0;
    for (int c = 0; c < k; c++) {
        present += cnt[c] > 0;
        next[c] = seg[c];
        seg[c + 1] = seg[c] + (size_t)cnt[c];
    }
    for (size_t i = 0; i < m; i++) perm[next[label[i]]++] = i;
    for (size_t p = 0; p < m; p++) memcpy(Y + p * d, Z + perm[p] * d, (size_t)d * sizeof *Y);
    if (present < 2) {
        if (per_point)
            for (size_t i = 0; i < m; i++) per_point[i] = NAN;
        return NAN;
    }
    for (int cp = 0; cp < k; cp++)
        for (size_t p = seg[cp]; p < seg[cp + 1]; p++) {
            const double *yp = Y + p * d;
            double *Sp = S + p * (size_t)k;
            for (int c = cp; c < k; c++) {
                size_t lo = c == cp ? p + 1 : seg[c];
                double acc = 0;
                for (size_t q = lo; q < seg[c + 1]; q++) {
                    double t = sqrt(dist2(yp, Y + q * d, d));
                    acc += t;
                    S[q * (size_t)k + cp] += t;
                }
                Sp[c] += acc;
            }
        }
    double total = 0;
    for (int li = 0; li < k; li++)
        for (size_t p = seg[li]; p < seg[li + 1]; p++) {
            const double *Sp = S + p * (size_t)k;
            double s = 0;
            if (cnt[li] > 1) {
                double a = Sp[li] / (cnt[li] - 1), b = INFINITY;
                for (int c = 0; c < k; c++)
                    if (c != li && cnt[c] > 0 && Sp[c] / cnt[c] < b) b = Sp[c] / cnt[c];
                double mx = a > b ? a : b;
                s = mx > 0 ? (b - a) / mx : 0;
            }
            if (per_point) per_point[perm[p]] = s;
            total += s;
        }
    return total / (double)m;
}

static inline double transform(const uint8_t *lg, int j, double x) { return lg[j] ? log1p(x) : x; }

static void standardise_row(const enc_cluster_result *r, const double *x, double *z)
{
    for (int j = 0; j < r->d; j++) {
        double t = transform(r->log1p, j, x[j]);
        z[j] = isfinite(t) && r->sd[j] > 0 ? (t - r->mean[j]) / r->sd[j] : 0;
    }
}

enc_rc enc_cluster_fit(const double *X, size_t n, int d, const enc_cluster_opts *o, int32_t *label,
                       enc_cluster_result *r, void *ws, enc_err *err)
{
    if (d < 1 || d > MD)
        return enc_fail(err, ENC_EUSAGE, "cluster: %d features: must be 1..%d", d, MD);
    int kmin = o->k > 0 ? o->k : o->k_min, kmax = o->k > 0 ? o->k : o->k_max;
    if (kmin < 1 || kmax > MK || kmin > kmax || (o->k <= 0 && kmin < 2))
        return enc_fail(err, ENC_EUSAGE, "cluster: k %d..%d: must lie in %d..%d", kmin, kmax,
                        o->k > 0 ? 1 : 2, MK);
    if (n < (size_t)kmax || o->fit_sample < (size_t)kmax)
        return enc_fail(err, ENC_EUSAGE, "cluster: %zu rows (fitting sample %zu) for %d clusters",
                        n, o->fit_sample, kmax);
    if (n > UINT32_MAX) return enc_fail(err, ENC_ELIMIT, "cluster: %zu rows: too many", n);
    if (o->n_init < 1 || o->max_iter < 1 || o->sil_sample < 2 || !(o->tol >= 0))
        return enc_fail(err, ENC_EUSAGE,
                        "cluster: n_init, max_iter must be >= 1, sil_sample >= 2, tol >= 0");
    layout L;
    lay(n, d, o, ws, &L);
    memset(r, 0, sizeof *r);
    r->d = d;
    for (int j = 0; j < d; j++) r->log1p[j] = o->log1p ? o->log1p[j] != 0 : 0;
    for (int j = 0; j < d; j++) { /* Welford mean, population sd of the finite values */
        double mean = 0, m2 = 0;
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) {
            double t = transform(r->log1p, j, X[i * d + j]);
            if (!isfinite(t)) continue;
            cnt++;
            double dl = t - mean;
            mean += dl / (double)cnt;
            m2 += dl * (t - mean);
        }
        r->mean[j] = cnt ? mean : 0;
        double sd = cnt ? sqrt(m2 / (double)cnt) : 0;
        r->sd[j] = sd > 1e-12 * (1 + fabs(mean)) ? sd : 0;
    }
    for (size_t i = 0; i < n; i++) standardise_row(r, X + i * d, L.Z + i * d);

    enc_rng R;
    enc_rng_seed(&R, o->seed);
    const double *Zs = L.Z;
    if (L.fit_n < n) {
        sample_idx(&R, n, L.fit_n, L.fidx);
        for (size_t i = 0; i < L.fit_n; i++)
            memcpy(L.Zs + i * d, L.Z + (size_t)L.fidx[i] * d, d * sizeof(double));
        Zs = L.Zs;
    }
    sample_idx(&R, L.fit_n, L.sil_n, L.sidx);
    for (size_t i = 0; i < L.sil_n; i++)
        memcpy(L.Zsil + i * d, Zs + (size_t)L.sidx[i] * d, d * sizeof(double));

    for (int k = 0; k <= MK; k++) r->silhouette_by_k[k] = NAN;
    double C[MK * MD], Ck[MK * MD], bestC[MK * MD];
    int bestk = kmin;
    double best_sil = -INFINITY;
    for (int k = kmin; k <= kmax; k++) {
        double best_in = INFINITY;
        for (int t = 0; t < o->n_init; t++) {
            double in;
            seed_pp(Zs, L.fit_n, d, k, &R, C, L.dist);
            lloyd(Zs, L.fit_n, d, k, C, L.lab, o->max_iter, o->tol, &in);
            if (in < best_in) {
                best_in = in;
                memcpy(Ck, C, sizeof C);
                memcpy(L.best_lab, L.lab, L.fit_n * sizeof *L.lab);
            }
        }
        double s = NAN;
        if (k > 1) {
            for (size_t i = 0; i < L.sil_n; i++) L.lsil[i] = L.best_lab[L.sidx[i]];
            s = enc_cluster_silhouette(L.Zsil, L.sil_n, d, L.lsil, k, NULL, L.silws);
        }
        r->silhouette_by_k[k] = s;
        if (k == kmin || (!isnan(s) && s > best_sil)) {
            if (!isnan(s)) best_sil = s;
            bestk = k;
            memcpy(bestC, Ck, sizeof Ck);
        }
    }
    double inertia;
    r->iterations = lloyd(L.Z, n, d, bestk, bestC, label, o->max_iter, o->tol, &inertia);
    /* number clusters by decreasing size (ties: lower old number first) */
    size_t size[MK] = {0};
    for (size_t i = 0; i < n; i++) size[label[i]]++;
    int order[MK], newid[MK];
    for (int c = 0; c < bestk; c++) order[c] = c;
    for (int a = 1; a < bestk; a++)
        for (int b = a; b > 0 && size[order[b]] > size[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int c = 0; c < bestk; c++) newid[order[c]] = c;
    for (size_t i = 0; i < n; i++) label[i] = newid[label[i]];
    r->k = bestk;
    r->inertia = inertia;
    for (int c = 0; c < bestk; c++) {
        int oc = order[c];
        r->size[c] = size[oc];
        for (int j = 0; j < d; j++) {
            double z = bestC[oc * MD + j], t = r->mean[j] + r->sd[j] * z;
            r->centroid[c][j] = z;
            r->centroid_raw[c][j] = r->log1p[j] ? expm1(t) : t;
        }
    }
    /* silhouette of the final labels on the silhouette sample */
    for (size_t i = 0; i < L.sil_n; i++) {
        size_t row = L.sidx[i];
        L.lsil[i] = label[L.fit_n < n ? L.fidx[row] : row];
    }
    r->silhouette =
        bestk > 1 ? enc_cluster_silhouette(L.Zsil, L.sil_n, d, L.lsil, bestk, NULL, L.silws) : NAN;
    return ENC_OK;
}

void enc_cluster_assign(const enc_cluster_result *r, const double *X, size_t n, int32_t *label)
{
    double C[MK * MD], z[MD], bd;
    for (int c = 0; c < r->k; c++) memcpy(C + c * MD, r->centroid[c], r->d * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        standardise_row(r, X + i * r->d, z);
        label[i] = nearest(z, C, r->k, r->d, &bd);
    }
}

const enc_cluster_feature enc_cluster_rfm_features[3] = {
    {"recency", "recent", "lapsed"},
    {"frequency", "infrequent", "frequent"},
    {"monetary", "low spend", "high-spending"},
};

size_t enc_cluster_describe(const enc_cluster_result *r, int c, const enc_cluster_feature *feat,
                            double thresh, char *buf, size_t cap)
{
    size_t len = 0;
    if (cap) buf[0] = 0;
    for (int j = 0; j < r->d; j++) {
        double z = c >= 0 && c < r->k ? r->centroid[c][j] : 0;
        char word[128];
        if (z <= -thresh) snprintf(word, sizeof word, "%s", feat[j].low);
        else if (z >= thresh) snprintf(word, sizeof word, "%s", feat[j].high);
        else snprintf(word, sizeof word, "average %s", feat[j].name);
        int w = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%s%s",
                         j ? ", " : "", word);
        len += (size_t)w;
    }
    return len;
}
