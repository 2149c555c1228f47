/* rfm.c — RFM scores (quantile and fixed-threshold bins), the 11-segment R x FM grid and the
 * Chinese 8-class scheme; see rfm.h for the contracts and docs/intelligence.md for the tables.
 * Quantile scoring sorts the column once (rank.c, linear radix sort) and walks runs of equal
 * values; the bin of rank r among n is pandas qcut's right-closed bin on the ranks 1..n:
 * edges e_j = 1 + (n-1) j/k, bin j holds e_(j-1) < r <= e_j, i.e. j = ceil(k (r-1)/(n-1)). */
#include "intel/rfm.h"
#include "intel/rank.h"
#include <math.h>
#include <stdio.h>

size_t enc_rfm_ws_size(size_t n) { return enc_rank_ws_size(n); }

void enc_rfm_config_default(enc_rfm_config *c)
{
    c->k = 5;
    c->ties = ENC_RFM_TIES_LOW;
    c->r_edges = c->f_edges = c->m_edges = NULL;
}

/* qcut bin of the 1-based rank r among n ranks, in integers (no edge rounding). */
static inline unsigned qbin(uint64_t r, uint64_t n, unsigned k)
{
    if (n < 2) return 1;
    uint64_t b = (k * (r - 1) + (n - 2)) / (n - 1); /* ceil(k (r-1) / (n-1)) */
    return b < 1 ? 1 : (unsigned)b;
}

enc_rc enc_rfm_score_quantile(const double *v, size_t n, int k, bool higher_better,
                              enc_rfm_ties ties, uint8_t *score, void *ws, enc_err *err)
{
    if (k < 2 || k > ENC_RFM_MAX_K)
        return enc_fail(err, ENC_EUSAGE, "rfm: %d bins: must be 2..%d", k, ENC_RFM_MAX_K);
    if (n > ENC_RANK_MAX_N) return enc_fail(err, ENC_ELIMIT, "rfm: %zu customers: too many", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return enc_fail(err, ENC_EUSAGE, "rfm: value of customer %zu is not a finite number",
                            i);
    const uint64_t *key;
    const uint32_t *ord = enc_rank_argsort(v, n, ws, &key);
    unsigned kk = (unsigned)k;
    if (ties == ENC_RFM_TIES_FIRST) {
        for (size_t p = 0; p < n; p++) {
            unsigned b = qbin(p + 1, n, kk);
            score[ord[p]] = (uint8_t)(higher_better ? b : kk + 1 - b);
        }
        return ENC_OK;
    }
    /* ties low: a run of equal values [s, e) takes the lowest score of its members: the bin of
     * its first rank when higher is better, k+1 minus the bin of its last rank otherwise. */
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && key[e] == key[s]) e++;
        unsigned sc = higher_better ? qbin(s + 1, n, kk) : kk + 1 - qbin(e, n, kk);
        for (size_t p = s; p < e; p++) score[ord[p]] = (uint8_t)sc;
        s = e;
    }
    return ENC_OK;
}

enc_rc enc_rfm_score_edges(const double *v, size_t n, const double *edges, int k,
                           bool higher_better, uint8_t *score, enc_err *err)
{
    if (k < 2 || k > ENC_RFM_MAX_K)
        return enc_fail(err, ENC_EUSAGE, "rfm: %d bins: must be 2..%d", k, ENC_RFM_MAX_K);
    for (int j = 0; j < k - 1; j++) {
        if (!isfinite(edges[j]))
            return enc_fail(err, ENC_EUSAGE, "rfm: threshold %d is not a finite number", j + 1);
        if (j > 0 && !(edges[j] > edges[j - 1]))
            return enc_fail(err, ENC_EUSAGE,
                            "rfm: thresholds must be strictly ascending (%g then %g)", edges[j - 1],
                            edges[j]);
    }
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (isnan(x))
            return enc_fail(err, ENC_EUSAGE, "rfm: value of customer %zu is not a number", i);
        int c = 0; /* #{edges <= x}; k <= 10, a linear scan beats a search */
        while (c < k - 1 && edges[c] <= x) c++;
        score[i] = (uint8_t)(higher_better ? 1 + c : k - c);
    }
    return ENC_OK;
}

enc_rc enc_rfm_score(const enc_rfm_config *c, const double *recency, const double *frequency,
                     const double *monetary, size_t n, uint8_t *r, uint8_t *f, uint8_t *m, void *ws,
                     enc_err *err)
{
    const double *col[3] = {recency, frequency, monetary};
    const double *edges[3] = {c->r_edges, c->f_edges, c->m_edges};
    uint8_t *out[3] = {r, f, m};
    static const char *what[3] = {"recency", "frequency", "monetary"};
    for (int j = 0; j < 3; j++) {
        enc_rc rc = edges[j]
                        ? enc_rfm_score_edges(col[j], n, edges[j], c->k, j > 0, out[j], err)
                        : enc_rfm_score_quantile(col[j], n, c->k, j > 0, c->ties, out[j], ws, err);
        if (rc) {
            if (err) {
                char tmp[sizeof err->msg];
                snprintf(tmp, sizeof tmp, "%s", err->msg);
                enc_fail(err, rc, "%s: %s", what[j], tmp);
            }
            return rc;
        }
    }
    return ENC_OK;
}

/* ---- 11 segments -------------------------------------------------------------------------- */

#define CH ENC_SEG_CHAMPIONS
#define LO ENC_SEG_LOYAL
#define PL ENC_SEG_POTENTIAL_LOYALIST
#define NW ENC_SEG_NEW
#define PR ENC_SEG_PROMISING
#define NA ENC_SEG_NEED_ATTENTION
#define AS ENC_SEG_ABOUT_TO_SLEEP
#define AR ENC_SEG_AT_RISK
#define CL ENC_SEG_CANT_LOSE
#define HI ENC_SEG_HIBERNATING
#define LS ENC_SEG_LOST
/* grid[FM-1][R-1]; published ranges (Putler) each cell respects:
 * Champions R4-5 FM4-5; Loyal R2-5 FM3-5; Potential Loyalist R3-5 FM1-3; New R4-5 FM<=1;
 * Promising R3-4 FM<=1; Need Attention R2-3 FM2-3; About To Sleep R2-3 FM<=2;
 * At Risk R<=2 FM2-5; Can't Lose Them R<=1 FM4-5; Hibernating R1-2 FM1-2; Lost R<=2 FM<=2. */
// clang-format off
static const uint8_t grid[5][5] = {
    /* R:    1   2   3   4   5 */
    /*FM1*/ {LS, HI, AS, PR, NW},
    /*FM2*/ {HI, HI, AS, PL, PL},
    /*FM3*/ {AR, AR, NA, LO, LO},
    /*FM4*/ {CL, AR, LO, CH, CH},
    /*FM5*/ {CL, AR, LO, CH, CH},
};
// clang-format on

static inline int clamp5(int x) { return x < 1 ? 1 : x > 5 ? 5 : x; }

enc_rfm_segment enc_rfm_segment_of(int r, int f, int m)
{
    r = clamp5(r);
    int fm = (clamp5(f) + clamp5(m)) / 2; /* floor of the mean: a half never lifts */
    return (enc_rfm_segment)grid[fm - 1][r - 1];
}

void enc_rfm_segments(const uint8_t *r, const uint8_t *f, const uint8_t *m, size_t n, uint8_t *seg)
{
    for (size_t i = 0; i < n; i++) seg[i] = (uint8_t)enc_rfm_segment_of(r[i], f[i], m[i]);
}

int enc_rfm_to5(int s, int k)
{
    if (k == 5 || k < 2) return s;
    if (s < 1) s = 1;
    if (s > k) s = k;
    /* 1 + (s - 1) * 4 / (k - 1), rounded half up: 1 -> 1, k -> 5, the middle to 3 */
    return 1 + (2 * 4 * (s - 1) + (k - 1)) / (2 * (k - 1));
}

void enc_rfm_segments_k(const uint8_t *r, const uint8_t *f, const uint8_t *m, size_t n, int k,
                        uint8_t *seg)
{
    for (size_t i = 0; i < n; i++)
        seg[i] = (uint8_t)enc_rfm_segment_of(enc_rfm_to5(r[i], k), enc_rfm_to5(f[i], k),
                                             enc_rfm_to5(m[i], k));
}

static const char *seg_names[ENC_SEG_COUNT] = {
    "Champions",      "Loyal",   "Potential Loyalist", "New",         "Promising", "Need Attention",
    "About To Sleep", "At Risk", "Can't Lose Them",    "Hibernating", "Lost"};
static const char *seg_keys[ENC_SEG_COUNT] = {
    "champions",      "loyal",   "potential_loyalist", "new",         "promising", "need_attention",
    "about_to_sleep", "at_risk", "cant_lose",          "hibernating", "lost"};

const char *enc_rfm_segment_name(enc_rfm_segment s)
{
    return (unsigned)s < ENC_SEG_COUNT ? seg_names[s] : "?";
}
const char *enc_rfm_segment_key(enc_rfm_segment s)
{
    return (unsigned)s < ENC_SEG_COUNT ? seg_keys[s] : "?";
}

/* ---- Chinese 8 classes -------------------------------------------------------------------- */

void enc_rfm_means_of(const double *recency, const double *frequency, const double *monetary,
                      size_t n, enc_rfm_means *out)
{
    const double *col[3] = {recency, frequency, monetary};
    double mean[3];
    for (int j = 0; j < 3; j++) {
        /* compensated (Kahan) sum: a million money values lose no cents */
        double s = 0, comp = 0;
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) {
            double x = col[j][i];
            if (isnan(x)) continue;
            double y = x - comp, t = s + y;
            comp = (t - s) - y;
            s = t;
            cnt++;
        }
        mean[j] = cnt ? s / (double)cnt : NAN;
    }
    out->recency = mean[0];
    out->frequency = mean[1];
    out->monetary = mean[2];
}

enc_rfm_cn enc_rfm_cn_of(double recency, double frequency, double monetary,
                         const enc_rfm_means *ref)
{
    int r_low = !(recency < ref->recency); /* R high = more recent than average */
    int f_low = !(frequency > ref->frequency);
    int m_low = !(monetary > ref->monetary);
    return (enc_rfm_cn)(4 * m_low + 2 * r_low + f_low);
}

void enc_rfm_cn_classes(const double *recency, const double *frequency, const double *monetary,
                        size_t n, const enc_rfm_means *ref, uint8_t *cls)
{
    for (size_t i = 0; i < n; i++)
        cls[i] = (uint8_t)enc_rfm_cn_of(recency[i], frequency[i], monetary[i], ref);
}

static const char *cn_names[ENC_CN_COUNT] = {"重要价值客户", "重要发展客户", "重要保持客户",
                                             "重要挽留客户", "一般价值客户", "一般发展客户",
                                             "一般保持客户", "一般挽留客户"};
static const char *cn_names_en[ENC_CN_COUNT] = {
    "important value", "important development", "important keep", "important retain",
    "general value",   "general development",   "general keep",   "general retain"};
static const char *cn_keys[ENC_CN_COUNT] = {
    "important_value", "important_develop", "important_keep", "important_retain",
    "general_value",   "general_develop",   "general_keep",   "general_retain"};

const char *enc_rfm_cn_name(enc_rfm_cn c) { return (unsigned)c < ENC_CN_COUNT ? cn_names[c] : "?"; }
const char *enc_rfm_cn_name_en(enc_rfm_cn c)
{
    return (unsigned)c < ENC_CN_COUNT ? cn_names_en[c] : "?";
}
const char *enc_rfm_cn_key(enc_rfm_cn c) { return (unsigned)c < ENC_CN_COUNT ? cn_keys[c] : "?"; }
