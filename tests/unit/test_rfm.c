/* test_rfm.c — unit tests for src/intel/rfm (and the radix argsort in rank.c): quantile scores
 * against a pandas oracle (qcut on rank(method='first'), with and without ties sharing the lower
 * score), fixed thresholds at their boundaries, every one of the 11 segments reachable and every
 * grid cell inside its segment's published ranges, and the Chinese 8-class table. */
#include "harness.h"
#include "py_oracle.h"
#include "base/buf.h"
#include "base/mem.h"
#include "intel/rank.h"
#include "intel/rfm.h"

static uint64_t rng_state = 0x1234567u;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double unif(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }

static void argsort_is_stable_and_sorted(void)
{
    enum { N = 5000 };
    double *v = enc_xmalloc(N * sizeof *v);
    for (int i = 0; i < N; i++) {
        switch (i % 4) {
        case 0: v[i] = (double)(rnd() % 7) - 3; break; /* ties, negatives */
        case 1: v[i] = (unif() - 0.5) * 1e12; break;   /* wide range */
        case 2: v[i] = i % 8 == 2 ? -0.0 : 0.0; break; /* signed zeros are equal */
        default: v[i] = i % 3 ? INFINITY : -INFINITY; break;
        }
    }
    void *ws = enc_xmalloc(enc_rank_ws_size(N));
    const uint64_t *key;
    uint32_t *ord = enc_rank_argsort(v, N, ws, &key);
    int bad = 0;
    for (int p = 1; p < N; p++) {
        double a = v[ord[p - 1]], b = v[ord[p]];
        if (a > b) bad++;
        if (a == b && ord[p - 1] > ord[p]) bad++;      /* stability */
        if ((a == b) != (key[p - 1] == key[p])) bad++; /* equal keys iff equal values */
    }
    CHECK_INT(bad, 0);
    CHECK(v[ord[0]] == -INFINITY && v[ord[N - 1]] == INFINITY);
    free(ws);
    free(v);
}

static void quantile_small_by_hand(void)
{
    /* 10 distinct values: two a bin; recency inverted */
    double v[10] = {5, 3, 9, 1, 7, 2, 10, 4, 8, 6};
    uint8_t s[10];
    void *ws = enc_xmalloc(enc_rfm_ws_size(10));
    CHECK_INT(enc_rfm_score_quantile(v, 10, 5, true, ENC_RFM_TIES_LOW, s, ws, NULL), 0);
    for (int i = 0; i < 10; i++) CHECK_INT(s[i], ((int)v[i] + 1) / 2);
    CHECK_INT(enc_rfm_score_quantile(v, 10, 5, false, ENC_RFM_TIES_LOW, s, ws, NULL), 0);
    for (int i = 0; i < 10; i++) CHECK_INT(s[i], 6 - ((int)v[i] + 1) / 2);
    /* ties: seven customers bought once, three more often -> all one-timers share F = 1 */
    double f[10] = {1, 1, 1, 1, 1, 1, 1, 2, 3, 5};
    CHECK_INT(enc_rfm_score_quantile(f, 10, 5, true, ENC_RFM_TIES_LOW, s, ws, NULL), 0);
    for (int i = 0; i < 7; i++) CHECK_INT(s[i], 1);
    CHECK_INT(s[7], 4);
    CHECK_INT(s[9], 5);
    /* the 'first' rule splits them by customer order instead */
    CHECK_INT(enc_rfm_score_quantile(f, 10, 5, true, ENC_RFM_TIES_FIRST, s, ws, NULL), 0);
    CHECK_INT(s[0], 1);
    CHECK_INT(s[2], 2);
    CHECK_INT(s[6], 4);
    /* recency ties share the lower R: three customers 10 days ago hold ranks 1..3 of 5, one a
     * bin, R 5,4,3 by 'first' -> all three get 3 */
    double r[5] = {10, 10, 10, 50, 90};
    CHECK_INT(enc_rfm_score_quantile(r, 5, 5, false, ENC_RFM_TIES_LOW, s, ws, NULL), 0);
    CHECK_INT(s[0], 3);
    CHECK_INT(s[1], 3);
    CHECK_INT(s[2], 3);
    CHECK_INT(s[3], 2);
    CHECK_INT(s[4], 1);
    free(ws);
}

/* Many cases (sizes 2..20000, with and without ties, k 3/5/10, both directions, both tie rules)
 * checked against pandas. */
static void quantile_matches_pandas(void)
{
    if (!py_have("numpy pandas")) return;
    static const int sizes[] = {2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 17, 50, 99, 101, 1000, 20000};
    static const int ks[] = {3, 5, 10};
    enc_buf in = {0};
    size_t total = 0, ncases = 0;
    double *vals = enc_xmalloc(20000 * sizeof *vals);
    uint8_t *mine = NULL;
    size_t mine_cap = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int tied = 0; tied < 3; tied++)
            for (size_t ki = 0; ki < 3; ki++)
                for (int higher = 0; higher < 2; higher++)
                    for (int ties = 0; ties < 2; ties++) {
                        int n = sizes[si], k = ks[ki];
                        for (int i = 0; i < n; i++)
                            vals[i] = tied == 0 ? unif() * 1000
                                      : tied == 1
                                          ? (double)(rnd() % 6)              /* heavy ties */
                                          : floor(-log(unif() + 1e-12) * 3); /* skewed counts */
                        double hdr[4] = {n, k, higher, ties};
                        enc_buf_add(&in, hdr, sizeof hdr);
                        enc_buf_add(&in, vals, n * sizeof *vals);
                        ENC_GROW(mine, mine_cap, total + n);
                        void *ws = enc_xmalloc(enc_rfm_ws_size(n));
                        CHECK_INT(enc_rfm_score_quantile(vals, n, k, higher, (enc_rfm_ties)ties,
                                                         mine + total, ws, NULL),
                                  0);
                        free(ws);
                        total += n;
                        ncases++;
                    }
    CHECK_INT(py_write("cases.bin", in.p, 1, in.len), 0);
    const char *script = "import sys, numpy as np, pandas as pd\n"
                         "d = sys.argv[1]; a = np.fromfile(d + '/cases.bin'); out = []; i = 0\n"
                         "while i < len(a):\n"
                         "    n, k, higher, ties = (int(x) for x in a[i:i+4]); v = "
                         "pd.Series(a[i+4:i+4+n]); i += 4 + n\n"
                         "    b = pd.qcut(v.rank(method='first'), k, labels=False) + 1\n"
                         "    s = b if higher else k + 1 - b\n"
                         "    if ties == 0: s = s.groupby(v).transform('min')\n"
                         "    out.append(s.to_numpy().astype(np.uint8))\n"
                         "np.concatenate(out).tofile(d + '/expect.bin')\n";
    CHECK_INT(py_run(script), 0);
    uint8_t *expect = enc_xmalloc(total);
    CHECK_INT(py_read("expect.bin", expect, 1, total), total);
    size_t diff = 0;
    for (size_t i = 0; i < total; i++) diff += expect[i] != mine[i];
    CHECK_INT(diff, 0);
    printf("# pandas oracle: %zu cases, %zu scores, %zu differ\n", ncases, total, diff);
    free(expect);
    free(mine);
    free(vals);
    enc_buf_free(&in);
}

static void quantile_bins_are_balanced_without_ties(void)
{
    enum { N = 100000 };
    double *v = enc_xmalloc(N * sizeof *v);
    uint8_t *s = enc_xmalloc(N);
    for (int i = 0; i < N; i++) v[i] = unif();
    void *ws = enc_xmalloc(enc_rfm_ws_size(N));
    CHECK_INT(enc_rfm_score_quantile(v, N, 5, true, ENC_RFM_TIES_LOW, s, ws, NULL), 0);
    int cnt[6] = {0};
    for (int i = 0; i < N; i++) cnt[s[i]]++;
    for (int b = 1; b <= 5; b++) CHECK(abs(cnt[b] - N / 5) <= 1);
    free(ws);
    free(s);
    free(v);
}

static void edges_boundaries(void)
{
    const double redges[4] = {30, 90, 180, 365};
    const double rec[] = {0, 29.9, 30, 89, 90, 179.5, 180, 364, 365, 2000};
    const int want_r[] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
    uint8_t s[10];
    CHECK_INT(enc_rfm_score_edges(rec, 10, redges, 5, false, s, NULL), 0);
    for (int i = 0; i < 10; i++) CHECK_INT(s[i], want_r[i]);
    const double fedges[4] = {2, 3, 5, 10};
    const double fr[] = {1, 2, 3, 4, 5, 9, 10, 11, 0, 100};
    const int want_f[] = {1, 2, 3, 3, 4, 4, 5, 5, 1, 5};
    CHECK_INT(enc_rfm_score_edges(fr, 10, fedges, 5, true, s, NULL), 0);
    for (int i = 0; i < 10; i++) CHECK_INT(s[i], want_f[i]);
    /* three bins */
    const double e3[2] = {100, 1000};
    const double m[] = {-5, 100, 999, 1000};
    CHECK_INT(enc_rfm_score_edges(m, 4, e3, 3, true, s, NULL), 0);
    CHECK_INT(s[0], 1);
    CHECK_INT(s[1], 2);
    CHECK_INT(s[2], 2);
    CHECK_INT(s[3], 3);
}

static void config_mixes_edges_and_quantiles(void)
{
    double rec[6] = {1, 40, 100, 200, 400, 10}, fr[6] = {1, 2, 3, 4, 5, 6},
           mo[6] = {6, 5, 4, 3, 2, 1};
    const double redges[4] = {30, 90, 180, 365};
    enc_rfm_config c;
    enc_rfm_config_default(&c);
    c.r_edges = redges;
    uint8_t r[6], f[6], m[6];
    void *ws = enc_xmalloc(enc_rfm_ws_size(6));
    CHECK_INT(enc_rfm_score(&c, rec, fr, mo, 6, r, f, m, ws, NULL), 0);
    CHECK_INT(r[0], 5);
    CHECK_INT(r[1], 4);
    CHECK_INT(r[4], 1);
    CHECK_INT(f[0], 1);
    CHECK_INT(f[5], 5);
    CHECK_INT(m[0], 5);
    CHECK_INT(m[5], 1);
    free(ws);
}

static void errors_are_reported(void)
{
    enc_err err = {0};
    double v[3] = {1, NAN, 3};
    uint8_t s[3];
    void *ws = enc_xmalloc(enc_rfm_ws_size(3));
    CHECK_INT(enc_rfm_score_quantile(v, 3, 5, true, ENC_RFM_TIES_LOW, s, ws, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "customer 1") != NULL);
    CHECK_INT(enc_rfm_score_quantile(v, 1, 1, true, ENC_RFM_TIES_LOW, s, ws, &err), ENC_EUSAGE);
    CHECK_INT(enc_rfm_score_quantile(v, 1, 11, true, ENC_RFM_TIES_LOW, s, ws, &err), ENC_EUSAGE);
    const double bad[4] = {1, 2, 2, 3};
    CHECK_INT(enc_rfm_score_edges(v, 1, bad, 5, true, s, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "ascending") != NULL);
    CHECK_INT(enc_rfm_score_edges(v, 3, (const double[4]){1, 2, 3, 4}, 5, true, s, &err),
              ENC_EUSAGE);
    enc_rfm_config c;
    enc_rfm_config_default(&c);
    double ok[3] = {1, 2, 3};
    uint8_t r[3], f[3], m[3];
    CHECK_INT(enc_rfm_score(&c, ok, ok, v, 3, r, f, m, ws, &err), ENC_EUSAGE);
    CHECK(strncmp(err.msg, "monetary: ", 10) == 0);
    /* n == 0 is a no-op; n == 1: the lone customer gets bin 1 */
    CHECK_INT(enc_rfm_score_quantile(ok, 0, 5, true, ENC_RFM_TIES_LOW, s, NULL, NULL), 0);
    CHECK_INT(enc_rfm_score_quantile(ok, 1, 5, true, ENC_RFM_TIES_LOW, s, ws, NULL), 0);
    CHECK_INT(s[0], 1);
    free(ws);
}

/* Published (overlapping) ranges of each segment on R and FM; every grid cell must lie inside
 * the ranges of the segment it names. */
static void segments_reachable_and_within_published_ranges(void)
{
    static const int lo_r[ENC_SEG_COUNT] = {4, 2, 3, 4, 3, 2, 2, 1, 1, 1, 1};
    static const int hi_r[ENC_SEG_COUNT] = {5, 5, 5, 5, 4, 3, 3, 2, 1, 2, 2};
    static const int lo_fm[ENC_SEG_COUNT] = {4, 3, 1, 1, 1, 2, 1, 2, 4, 1, 1};
    static const int hi_fm[ENC_SEG_COUNT] = {5, 5, 3, 1, 1, 3, 2, 5, 5, 2, 2};
    int seen[ENC_SEG_COUNT] = {0};
    for (int r = 1; r <= 5; r++)
        for (int f = 1; f <= 5; f++)
            for (int m = 1; m <= 5; m++) {
                enc_rfm_segment s = enc_rfm_segment_of(r, f, m);
                CHECK((unsigned)s < ENC_SEG_COUNT);
                seen[s]++;
                int fm = (f + m) / 2;
                if (r < lo_r[s] || r > hi_r[s] || fm < lo_fm[s] || fm > hi_fm[s])
                    TH_FAIL("R%d F%d M%d -> %s outside its ranges", r, f, m,
                            enc_rfm_segment_name(s));
            }
    for (int s = 0; s < ENC_SEG_COUNT; s++) {
        if (!seen[s]) TH_FAIL("segment %s unreachable", enc_rfm_segment_name(s));
    }
    CHECK_INT(enc_rfm_segment_of(5, 5, 5), ENC_SEG_CHAMPIONS);
    CHECK_INT(enc_rfm_segment_of(5, 1, 1), ENC_SEG_NEW);
    CHECK_INT(enc_rfm_segment_of(4, 1, 2), ENC_SEG_PROMISING); /* FM = floor(1.5) = 1 */
    CHECK_INT(enc_rfm_segment_of(4, 2, 2), ENC_SEG_POTENTIAL_LOYALIST);
    CHECK_INT(enc_rfm_segment_of(3, 3, 3), ENC_SEG_NEED_ATTENTION);
    CHECK_INT(enc_rfm_segment_of(3, 1, 2), ENC_SEG_ABOUT_TO_SLEEP);
    CHECK_INT(enc_rfm_segment_of(2, 5, 5), ENC_SEG_AT_RISK);
    CHECK_INT(enc_rfm_segment_of(1, 5, 4), ENC_SEG_CANT_LOSE);
    CHECK_INT(enc_rfm_segment_of(2, 2, 1), ENC_SEG_HIBERNATING);
    CHECK_INT(enc_rfm_segment_of(1, 1, 1), ENC_SEG_LOST);
    CHECK_INT(enc_rfm_segment_of(3, 4, 5), ENC_SEG_LOYAL);
    CHECK_STR(enc_rfm_segment_name(ENC_SEG_CANT_LOSE), "Can't Lose Them");
    CHECK_STR(enc_rfm_segment_key(ENC_SEG_POTENTIAL_LOYALIST), "potential_loyalist");
    /* the array form agrees */
    uint8_t r[3] = {5, 1, 3}, f[3] = {5, 1, 3}, m[3] = {4, 2, 3}, seg[3];
    enc_rfm_segments(r, f, m, 3, seg);
    CHECK_INT(seg[0], ENC_SEG_CHAMPIONS);
    CHECK_INT(seg[1], ENC_SEG_LOST);
    CHECK_INT(seg[2], ENC_SEG_NEED_ATTENTION);
}

static void cn_scheme_table(void)
{
    /* means: recency 50, frequency 5, monetary 500 */
    double rec[8] = {10, 10, 90, 90, 10, 10, 90, 90};
    double fr[8] = {9, 1, 9, 1, 9, 1, 9, 1};
    double mo[8] = {900, 900, 900, 900, 100, 100, 100, 100};
    enc_rfm_means mu;
    enc_rfm_means_of(rec, fr, mo, 8, &mu);
    CHECK_NEAR(mu.recency, 50, 1e-12);
    CHECK_NEAR(mu.frequency, 5, 1e-12);
    CHECK_NEAR(mu.monetary, 500, 1e-12);
    uint8_t cls[8];
    enc_rfm_cn_classes(rec, fr, mo, 8, &mu, cls);
    for (int i = 0; i < 8; i++) CHECK_INT(cls[i], i); /* rows are in the table's order */
    CHECK_STR(enc_rfm_cn_name(ENC_CN_IMPORTANT_VALUE), "重要价值客户");
    CHECK_STR(enc_rfm_cn_name(ENC_CN_IMPORTANT_DEVELOP), "重要发展客户");
    CHECK_STR(enc_rfm_cn_name(ENC_CN_IMPORTANT_KEEP), "重要保持客户");
    CHECK_STR(enc_rfm_cn_name(ENC_CN_IMPORTANT_RETAIN), "重要挽留客户");
    CHECK_STR(enc_rfm_cn_name(ENC_CN_GENERAL_VALUE), "一般价值客户");
    CHECK_STR(enc_rfm_cn_name(ENC_CN_GENERAL_DEVELOP), "一般发展客户");
    CHECK_STR(enc_rfm_cn_name(ENC_CN_GENERAL_KEEP), "一般保持客户");
    CHECK_STR(enc_rfm_cn_name(ENC_CN_GENERAL_RETAIN), "一般挽留客户");
    /* on the mean is low, in each of the three measures */
    CHECK_INT(enc_rfm_cn_of(50, 9, 900, &mu), ENC_CN_IMPORTANT_KEEP);
    CHECK_INT(enc_rfm_cn_of(10, 5, 900, &mu), ENC_CN_IMPORTANT_DEVELOP);
    CHECK_INT(enc_rfm_cn_of(10, 9, 500, &mu), ENC_CN_GENERAL_VALUE);
    /* NaN is skipped by the means */
    double rn[3] = {1, NAN, 3};
    enc_rfm_means_of(rn, rn, rn, 3, &mu);
    CHECK_NEAR(mu.recency, 2, 1e-12);
}

/* Issue 12: rfm.k of 3..10 keeps the named segments meaningful: scores are put on the 1..5 scale
 * of the grid (1 -> 1, k -> 5), so every segment is reachable for every k, and the best scores
 * are Champions, the worst Lost. */
static void segments_for_every_k(void)
{
    CHECK_INT(enc_rfm_to5(1, 3), 1);
    CHECK_INT(enc_rfm_to5(2, 3), 3);
    CHECK_INT(enc_rfm_to5(3, 3), 5);
    CHECK_INT(enc_rfm_to5(10, 10), 5);
    CHECK_INT(enc_rfm_to5(1, 10), 1);
    CHECK_INT(enc_rfm_to5(4, 5), 4);
    for (int k = 3; k <= 10; k++) {
        bool seen[ENC_SEG_COUNT] = {0};
        for (int r = 1; r <= k; r++)
            for (int f = 1; f <= k; f++)
                for (int m = 1; m <= k; m++) {
                    uint8_t R = (uint8_t)r, F = (uint8_t)f, M = (uint8_t)m, seg;
                    enc_rfm_segments_k(&R, &F, &M, 1, k, &seg);
                    if (seg < ENC_SEG_COUNT) seen[seg] = true;
                    else TH_FAIL("k=%d: (%d,%d,%d) has no segment", k, r, f, m);
                    int s5 = enc_rfm_to5(r, k);
                    if (s5 < 1 || s5 > 5) TH_FAIL("k=%d: score %d maps to %d", k, r, s5);
                }
        /* with k >= 5 every segment; with 3 or 4 scores the cells that need the missing
         * middle scores cannot occur (docs/scoring.md), the rest can */
        int reachable = 0;
        for (int g = 0; g < ENC_SEG_COUNT; g++) {
            reachable += seen[g];
            if (!seen[g] && k >= 5)
                TH_FAIL("k=%d: segment %s unreachable", k, enc_rfm_segment_name(g));
        }
        CHECK(reachable >= (k == 3 ? 7 : 8));
        uint8_t hi = (uint8_t)k, lo = 1, seg;
        enc_rfm_segments_k(&hi, &hi, &hi, 1, k, &seg);
        CHECK_INT(seg, ENC_SEG_CHAMPIONS);
        enc_rfm_segments_k(&lo, &lo, &lo, 1, k, &seg);
        CHECK_INT(seg, ENC_SEG_LOST);
    }
}

int main(void)
{
    RUN(argsort_is_stable_and_sorted);
    RUN(quantile_small_by_hand);
    RUN(quantile_matches_pandas);
    RUN(quantile_bins_are_balanced_without_ties);
    RUN(edges_boundaries);
    RUN(config_mixes_edges_and_quantiles);
    RUN(errors_are_reported);
    RUN(segments_reachable_and_within_published_ranges);
    RUN(cn_scheme_table);
    RUN(segments_for_every_k);
    return TEST_SUMMARY();
}
