/* cluster.h — k-means clustering of customers on standardised behaviour features (e.g. recency,
 * frequency, monetary), k given or chosen by the silhouette, and a plain-words description of
 * each cluster from its centroid ("recent, frequent, high-spending"). Intelligence stage; the
 * audience language reads the cluster of each customer. Deterministic for a seed. No
 * allocation: the caller passes a workspace (enc_cluster_ws_size). */
#ifndef ENCORE_INTEL_CLUSTER_H
#define ENCORE_INTEL_CLUSTER_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

#define ENC_CLUSTER_MAX_K 16
#define ENC_CLUSTER_MAX_D 16

typedef struct enc_cluster_opts {
    int k;                /* > 0: exactly k clusters; 0: the k in [k_min, k_max] with the best
                             mean silhouette (ties: the smaller k) */
    int k_min, k_max;     /* [2, 8] */
    int n_init;           /* k-means++ restarts on the fitting sample, best inertia kept [4] */
    int max_iter;         /* Lloyd iterations a run [300] */
    double tol;           /* a run also stops when the centroids moved by at most this in summed
                             squared z units (scikit-learn's rule: tol x mean feature variance,
                             which is 1 after z-scoring) [1e-4]; 0: only when no row moves */
    uint64_t seed;        /* [1] */
    size_t fit_sample;    /* seeds and k are found on a sample of at most this many rows; the
                             final Lloyd runs on all rows from those centroids [50000] */
    size_t sil_sample;    /* the silhouette (O(m^2)) uses at most this many rows [2000] */
    const uint8_t *log1p; /* d flags or NULL: feature j is log1p-transformed before the z-score
                             (set it for skewed money and counts) */
} enc_cluster_opts;
void enc_cluster_opts_default(enc_cluster_opts *o);

/* The fit: plain data owned by the caller. Centroids are in z units (standard deviations from
 * the population mean of the transformed feature); centroid_raw is the same point back in the
 * feature's own units. Clusters are numbered by decreasing size. */
typedef struct enc_cluster_result {
    int k, d;
    uint8_t log1p[ENC_CLUSTER_MAX_D];
    double mean[ENC_CLUSTER_MAX_D], sd[ENC_CLUSTER_MAX_D];
    double centroid[ENC_CLUSTER_MAX_K][ENC_CLUSTER_MAX_D];
    double centroid_raw[ENC_CLUSTER_MAX_K][ENC_CLUSTER_MAX_D];
    size_t size[ENC_CLUSTER_MAX_K];
    double inertia;    /* sum of squared z-distances of all rows to their centroid */
    double silhouette; /* mean silhouette of the result on the silhouette sample */
    double silhouette_by_k[ENC_CLUSTER_MAX_K + 1]; /* NaN where k was not tried */
    int iterations; /* Lloyd iterations of the final run over all rows */
} enc_cluster_result;

/* Bytes of workspace for n rows of d features under o (0 on overflow). */
size_t enc_cluster_ws_size(size_t n, int d, const enc_cluster_opts *o);

/* Clusters X (n rows of d features, row-major; NaN = missing, counted as average) into
 * label[n] (0..k-1). Needs n >= k (>= k_max when choosing), 1 <= d <= MAX_D. ws: 8-byte aligned,
 * enc_cluster_ws_size bytes. */
enc_rc enc_cluster_fit(const double *X, size_t n, int d, const enc_cluster_opts *o, int32_t *label,
                       enc_cluster_result *r, void *ws, enc_err *err);

/* Nearest centroid of new rows (same features) under a fitted result. */
void enc_cluster_assign(const enc_cluster_result *r, const double *X, size_t n, int32_t *label);

/* Mean silhouette (Rousseeuw 1987) of m points Z (row-major, d columns) labelled 0..k-1, with
 * Euclidean distances: s(i) = (b - a) / max(a, b), a = mean distance to the rest of its cluster,
 * b = the smallest mean distance to another cluster; s = 0 for a point alone in its cluster
 * (as scikit-learn). per_point (m, may be NULL) receives s(i). NaN when fewer than two clusters
 * are present. ws: enc_cluster_silhouette_ws(m, d, k) doubles. O(m^2 d). */
size_t enc_cluster_silhouette_ws(size_t m, int d, int k);
double enc_cluster_silhouette(const double *Z, size_t m, int d, const int32_t *label, int k,
                              double *per_point, double *ws);

/* Words for a feature: below the population by at least the threshold -> low, above -> high. */
typedef struct enc_cluster_feature {
    const char *name, *low, *high;
} enc_cluster_feature;
/* recency ("recent" / "lapsed"), frequency ("infrequent" / "frequent"), monetary ("low spend" /
 * "high-spending"), for X columns recency days, purchase count, total spend. */
extern const enc_cluster_feature enc_cluster_rfm_features[3];

/* Describes cluster c: for each feature in order, its low or high word when the centroid is at
 * least `thresh` standard deviations below or above the population, else "average <name>";
 * joined by ", ". Returns the length the full text needs (like snprintf); buf always
 * NUL-terminated. */
size_t enc_cluster_describe(const enc_cluster_result *r, int c, const enc_cluster_feature *feat,
                            double thresh, char *buf, size_t cap);
#endif
