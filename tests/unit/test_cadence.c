/* test_cadence.c — unit tests for src/intel/cadence: a worked customer by hand, the as-of cut,
 * occasion merging, the next-order estimator's three sources, a randomized comparison with a
 * pandas re-implementation, the median, replenishment dates, and malformed input. */
#include "harness.h"
#include "py_oracle.h"
#include "base/mem.h"
#include "intel/cadence.h"

#define D 86400LL
static const int64_t T0 = 1700000000; /* an arbitrary epoch origin */

typedef struct {
    int32_t occ[8], c30[8], c90[8], c365[8];
    int64_t first[8], last[8], next[8];
    double ten[8], rec[8], mg[8], sd[8], med[8], lg[8], dr[8], eg[8];
    enc_cadence_out o;
} outs;

static void outs_init(outs *s)
{
    enc_cadence_out o = {s->occ,
                         s->first,
                         s->last,
                         s->ten,
                         s->rec,
                         s->mg,
                         s->sd,
                         s->med,
                         s->lg,
                         s->dr,
                         {s->c30, s->c90, s->c365},
                         s->eg,
                         s->next};
    s->o = o;
}

static void worked_customer(void)
{
    /* days 0, 10, 30 (+3 h top-up), 60; as of day 100; a purchase on day 120 is after as_of */
    int64_t ts[] = {T0,          T0 + 10 * D, T0 + 30 * D, T0 + 30 * D + 3 * 3600,
                    T0 + 60 * D, T0 + 120 * D};
    int64_t off[] = {0, 6};
    enc_cadence_config c;
    enc_cadence_config_default(&c);
    outs s;
    outs_init(&s);
    double ws[8];
    CHECK_INT(enc_cadence_compute(&c, ts, off, 1, T0 + 100 * D, NULL, &s.o, ws, 8, NULL), 0);
    CHECK_INT(s.occ[0], 4);
    CHECK_INT(s.first[0], T0);
    CHECK_INT(s.last[0], T0 + 60 * D);
    CHECK_NEAR(s.ten[0], 100, 1e-12);
    CHECK_NEAR(s.rec[0], 40, 1e-12);
    CHECK_NEAR(s.mg[0], 20, 1e-12); /* gaps 10, 20, 30 */
    CHECK_NEAR(s.sd[0], 10, 1e-12);
    CHECK_NEAR(s.med[0], 20, 1e-12);
    CHECK_NEAR(s.lg[0], 30, 1e-12);
    CHECK_NEAR(s.dr[0], 1.5, 1e-12);
    CHECK_INT(s.c30[0], 0);
    CHECK_INT(s.c90[0], 2); /* day 10 is exactly 90 days back: outside (as_of-90d, as_of] */
    CHECK_INT(s.c365[0], 4);
    CHECK_NEAR(s.eg[0], 20, 1e-12);
    CHECK_INT(s.next[0], T0 + 80 * D); /* before as_of: overdue */
    /* without merging the top-up is an occasion of its own with a 0.125-day gap */
    c.merge_seconds = 0;
    CHECK_INT(enc_cadence_compute(&c, ts, off, 1, T0 + 100 * D, NULL, &s.o, ws, 8, NULL), 0);
    CHECK_INT(s.occ[0], 5);
    CHECK_NEAR(s.lg[0], 30 - 0.125, 1e-12);
    CHECK_NEAR(s.mg[0], 15, 1e-12);
    /* as of day 125 the day-120 purchase counts */
    c.merge_seconds = D;
    CHECK_INT(enc_cadence_compute(&c, ts, off, 1, T0 + 125 * D, NULL, &s.o, ws, 8, NULL), 0);
    CHECK_INT(s.occ[0], 5);
    CHECK_INT(s.c30[0], 1);
    CHECK_NEAR(s.lg[0], 60, 1e-12);
    CHECK_NEAR(s.dr[0], 2, 1e-12); /* 60 / mean 30 */
}

static void one_time_none_and_estimator_sources(void)
{
    /* customer 0: none; 1: one purchase; 2: only a purchase after as_of; 3: two purchases */
    int64_t ts[] = {T0, T0 + 50 * D, T0, T0 + 7 * D};
    int64_t off[] = {0, 0, 1, 2, 4};
    enc_cadence_config c;
    enc_cadence_config_default(&c);
    outs s;
    outs_init(&s);
    double ws[4];
    int64_t as_of = T0 + 20 * D;
    CHECK_INT(enc_cadence_compute(&c, ts, off, 4, as_of, NULL, &s.o, ws, 4, NULL), 0);
    CHECK_INT(s.occ[0], 0);
    CHECK(isnan(s.rec[0]) && s.next[0] == ENC_CADENCE_NONE && s.first[0] == ENC_CADENCE_NONE);
    CHECK_INT(s.occ[1], 1);
    CHECK_NEAR(s.rec[1], 20, 1e-12);
    CHECK(isnan(s.mg[1]) && isnan(s.lg[1]) && isnan(s.dr[1]) && isnan(s.sd[1]));
    CHECK_INT(s.next[1], ENC_CADENCE_NONE); /* no default gap set */
    CHECK_INT(s.occ[2], 0);
    CHECK_INT(s.occ[3], 2);
    CHECK(isnan(s.sd[3])); /* one gap: no spread */
    CHECK_INT(s.next[3], T0 + 14 * D);
    /* population default for one-timers */
    c.default_gap_days = 45;
    CHECK_INT(enc_cadence_compute(&c, ts, off, 4, as_of, NULL, &s.o, ws, 4, NULL), 0);
    CHECK_INT(s.next[1], T0 + 45 * D);
    CHECK_NEAR(s.eg[1], 45, 0);
    /* a model's rate wins where it is finite and positive */
    double rate[4] = {NAN, 0.1, 0, 1.0 / 3};
    CHECK_INT(enc_cadence_compute(&c, ts, off, 4, as_of, rate, &s.o, ws, 4, NULL), 0);
    CHECK_INT(s.next[1], T0 + 10 * D);
    CHECK_INT(s.next[3], T0 + 10 * D);
    /* NULL outputs are allowed */
    enc_cadence_out only = {0};
    int32_t occ[4];
    only.occasions = occ;
    CHECK_INT(enc_cadence_compute(&c, ts, off, 4, as_of, NULL, &only, ws, 4, NULL), 0);
    CHECK_INT(occ[3], 2);
}

static uint64_t rs = 42;
static uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void matches_pandas_reimplementation(void)
{
    if (!py_have("numpy pandas")) return;
    enum { N = 3000 };
    int64_t *off = enc_xmalloc((N + 1) * sizeof *off);
    int64_t *ts = enc_xmalloc(N * 40 * sizeof *ts);
    off[0] = 0;
    for (int i = 0; i < N; i++) {
        int k = (int)(rnd() % 25);
        int64_t t = T0 + (int64_t)(rnd() % (400 * D));
        for (int j = 0; j < k; j++) {
            ts[off[i] + j] = t;
            t += rnd() % 4 == 0 ? (int64_t)(rnd() % (2 * D))
                                : (int64_t)(rnd() % (90 * D)); /* some merges */
        }
        off[i + 1] = off[i] + k;
    }
    int64_t as_of = T0 + 500 * D;
    size_t wl = enc_cadence_ws_len(off, N);
    double *ws = enc_xmalloc(wl * sizeof *ws);
    enc_cadence_config c;
    enc_cadence_config_default(&c);
    c.default_gap_days = 33;
    double *res = enc_xmalloc(N * 12 * sizeof *res); /* 12 columns */
    int32_t *occ = enc_xmalloc(N * 4 * sizeof *occ);
    int64_t *next = enc_xmalloc(N * sizeof *next), *last = enc_xmalloc(N * sizeof *last);
    enc_cadence_out o = {occ,
                         NULL,
                         last,
                         res,
                         res + N,
                         res + 2 * N,
                         res + 3 * N,
                         res + 4 * N,
                         res + 5 * N,
                         res + 6 * N,
                         {occ + N, occ + 2 * N, occ + 3 * N},
                         res + 7 * N,
                         next};
    CHECK_INT(enc_cadence_compute(&c, ts, off, N, as_of, NULL, &o, ws, wl, NULL), 0);
    CHECK_INT(py_write("ts.bin", ts, sizeof *ts, (size_t)off[N]), 0);
    CHECK_INT(py_write("off.bin", off, sizeof *off, N + 1), 0);
    char script[3000];
    snprintf(
        script, sizeof script,
        "import sys, numpy as np, pandas as pd\n"
        "d = sys.argv[1]; ts = np.fromfile(d + '/ts.bin', dtype=np.int64)\n"
        "off = np.fromfile(d + '/off.bin', dtype=np.int64); as_of = %lld; DAY = 86400.0\n"
        "rows = []\n"
        "for i in range(len(off) - 1):\n"
        "    t = ts[off[i]:off[i+1]]; t = t[t <= as_of]; occ = []\n"
        "    for x in t:\n"
        "        if not occ or x - occ[-1] >= 86400: occ.append(int(x))\n"
        "    occ = np.array(occ, dtype=np.int64); nan = float('nan')\n"
        "    if len(occ) == 0:\n"
        "        rows.append([0, nan, nan, nan, nan, nan, nan, nan, 0, 0, 0, nan]); continue\n"
        "    g = pd.Series(np.diff(occ) / DAY)\n"
        "    cnt = [int((occ > as_of - w * 86400).sum()) for w in (30, 90, 365)]\n"
        "    mg = g.mean() if len(g) else nan\n"
        "    rows.append([len(occ), (as_of - occ[0]) / DAY, (as_of - occ[-1]) / DAY, mg,\n"
        "                 g.std(ddof=1) if len(g) > 1 else nan, g.median() if len(g) else nan,\n"
        "                 g.iloc[-1] if len(g) else nan, g.iloc[-1] / mg if len(g) and mg > 0 else "
        "nan]\n"
        "                + cnt + [g.median() if len(g) else 33.0])\n"
        "np.array(rows, dtype=np.float64).tofile(d + '/expect.bin')\n",
        (long long)as_of);
    CHECK_INT(py_run(script), 0);
    double *ex = enc_xmalloc(N * 12 * sizeof *ex);
    CHECK_INT(py_read("expect.bin", ex, sizeof *ex, N * 12), N * 12);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        const double *e = ex + 12 * i;
        double mine[12] = {occ[i],         res[i],         res[N + i],     res[2 * N + i],
                           res[3 * N + i], res[4 * N + i], res[5 * N + i], res[6 * N + i],
                           occ[N + i],     occ[2 * N + i], occ[3 * N + i], res[7 * N + i]};
        for (int j = 0; j < 12; j++) {
            int same =
                (isnan(e[j]) && isnan(mine[j])) || fabs(e[j] - mine[j]) <= 1e-9 * (1 + fabs(e[j]));
            CHECK_MSG(!(!same && bad++ < 5), "customer %d column %d: %.12g vs pandas %.12g", i, j,
                      mine[j], e[j]);
        }
        int64_t want_next =
            occ[i] ? last[i] + (int64_t)llround(res[7 * N + i] * D) : ENC_CADENCE_NONE;
        CHECK_MSG(!(next[i] != want_next && bad++ < 5), "customer %d next %lld", i,
                  (long long)next[i]);
    }
    CHECK_INT(bad, 0);
    free(ex);
    free(next);
    free(last);
    free(occ);
    free(res);
    free(ws);
    free(ts);
    free(off);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void median_matches_sort(void)
{
    double x[200], y[200];
    for (int trial = 0; trial < 300; trial++) {
        size_t n = 1 + rnd() % 200;
        for (size_t i = 0; i < n; i++) x[i] = y[i] = (double)(rnd() % (trial % 3 == 0 ? 4 : 1000));
        qsort(y, n, sizeof *y, cmp_d);
        double want = n & 1 ? y[n / 2] : 0.5 * (y[n / 2 - 1] + y[n / 2]);
        double got = enc_cadence_median(x, n);
        CHECK_MSG(!(got != want), "n=%zu: %g vs %g", n, got, want);
    }
}

static void replenishment_dates(void)
{
    /* g0: three purchases 28, 32 days apart -> own median 30; g1: one purchase of 2 packs, cycle
     * 30 -> 60 days; g2: one purchase, no cycle -> unknown; g3: a same-day top-up adds to qty */
    int64_t ts[] = {T0, T0 + 28 * D, T0 + 60 * D, T0, T0, T0, T0 + 3600};
    double qty[] = {1, 1, 1, 2, 1, 1, 2};
    int64_t off[] = {0, 3, 4, 5, 7};
    double cycle[] = {90, 30, NAN, 10};
    int64_t due[4];
    double iv[4], ws[3];
    CHECK_INT(
        enc_cadence_replenish(ts, qty, off, 4, cycle, 2, D, T0 + 100 * D, due, iv, ws, 3, NULL), 0);
    CHECK_INT(due[0], T0 + 90 * D);
    CHECK_NEAR(iv[0], 30, 1e-12);
    CHECK_INT(due[1], T0 + 60 * D);
    CHECK_INT(due[2], ENC_CADENCE_NONE);
    CHECK(isnan(iv[2]));
    CHECK_INT(due[3], T0 + 30 * D); /* 3 packs x 10 days */
    /* demanding three own gaps: g0 falls back to its cycle */
    CHECK_INT(
        enc_cadence_replenish(ts, qty, off, 4, cycle, 3, D, T0 + 100 * D, due, iv, ws, 3, NULL), 0);
    CHECK_INT(due[0], T0 + 150 * D);
    /* as of day 30, g0 has two purchases and one gap of 28 */
    CHECK_INT(
        enc_cadence_replenish(ts, NULL, off, 4, cycle, 1, D, T0 + 30 * D, due, iv, ws, 3, NULL), 0);
    CHECK_INT(due[0], T0 + 56 * D);
    CHECK_INT(due[3], T0 + 20 * D); /* qty NULL: one pack an order; the merged top-up makes two */
}

static void malformed_input(void)
{
    enc_err err = {0};
    enc_cadence_config c;
    enc_cadence_config_default(&c);
    enc_cadence_out o = {0};
    double ws[4];
    int64_t ts[] = {T0 + D, T0};
    int64_t off[] = {0, 2};
    CHECK_INT(enc_cadence_compute(&c, ts, off, 1, T0 + 9 * D, NULL, &o, ws, 4, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "not ascending") != NULL);
    int64_t ts2[] = {T0, T0 + D};
    int64_t bad_off[] = {2, 0};
    CHECK_INT(enc_cadence_compute(&c, ts2, bad_off, 1, T0, NULL, &o, ws, 4, &err), ENC_EUSAGE);
    CHECK_INT(enc_cadence_compute(&c, ts2, off, 1, T0, NULL, &o, ws, 1, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "workspace") != NULL);
    CHECK_INT(enc_cadence_ws_len(off, 1), 2);
}

int main(void)
{
    RUN(worked_customer);
    RUN(one_time_none_and_estimator_sources);
    RUN(matches_pandas_reimplementation);
    RUN(median_matches_sort);
    RUN(replenishment_dates);
    RUN(malformed_input);
    return TEST_SUMMARY();
}
