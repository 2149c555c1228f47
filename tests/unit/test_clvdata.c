/* test_clvdata.c — transactions to (x, t_x, T) summaries: same-day merge, calibration and
 * holdout boundaries, exclusion, units, spend conventions, unsorted input, bad input, grouping;
 * and the CDNOW master file's counts against pandas (independent summary). */
#include "harness.h"
#include "intel/clvdata.h"
#include "unit/clv_cdnow.h"

/* customer 0: days 0, 0, 3, 10 (cal), 12, 12, 40 (holdout), 60 (after holdout)
 * customer 1: day 5 only; customer 2: first purchase day 11 (after cal end 10): excluded
 * customer 3: no rows at all; customer 4: days 10 (the cal end itself), 11 */
static const int32_t C[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 4};
static const int32_t D[] = {0, 0, 3, 10, 12, 12, 40, 60, 5, 11, 10, 11};
static const double V[] = {1, 2, 4, 8, 16, 32, 64, 128, 5, 7, 9, 11};

static void hand_example(void)
{
    enc_clv_period pe = {.cal_end = 10, .holdout_end = 50, .unit_days = 1};
    enc_clv_summary s;
    enc_err e = {0};
    CHECK_INT(enc_clv_summarize(12, C, D, V, 5, &pe, &s, &e), ENC_OK);
    CHECK_INT(s.n, 5);
    CHECK_INT(s.x[0], 2); /* days 0 (two rows), 3, 10 */
    CHECK_NEAR(s.tx[0], 10, 0);
    CHECK_NEAR(s.T[0], 10, 0);
    CHECK_INT(s.x_holdout[0], 2); /* days 12 (two rows) and 40; 60 is after the holdout */
    CHECK_NEAR(s.spend[0], (4 + 8) / 2.0, 1e-15); /* mean of repeat days; day 0's 1+2 left out */
    CHECK_INT(s.x[1], 0);
    CHECK_NEAR(s.T[1], 5, 0);
    CHECK_NEAR(s.spend[1], 0, 0);
    CHECK(s.w[2] == 0 && s.x[2] == 0 && s.T[2] == 0); /* first purchase after calibration */
    CHECK(s.w[3] == 0);                               /* no purchases */
    CHECK(s.w[4] == 1 && s.x[4] == 0 && s.T[4] == 0 && s.x_holdout[4] == 1);
    CHECK_INT(s.n_included, 3);
    CHECK_INT(s.n_repeaters, 1);
    CHECK_INT(s.repeat_cal, 2);
    CHECK_INT(s.repeat_holdout, 3);
    CHECK_NEAR(s.holdout_len, 40, 0);
    enc_clv_summary_free(&s);
    /* weeks, and the other spend convention */
    pe.unit_days = 7;
    pe.spend = ENC_CLV_SPEND_ALL;
    CHECK_INT(enc_clv_summarize(12, C, D, V, 5, &pe, &s, &e), ENC_OK);
    CHECK_NEAR(s.T[0], 10.0 / 7, 1e-15);
    CHECK_NEAR(s.spend[0], (3 + 4 + 8) / 3.0, 1e-15);
    CHECK_NEAR(s.spend[1], 5, 0);
    enc_clv_summary_free(&s);
}

static void unsorted_equals_sorted(void)
{
    enum { N = 12 };
    int32_t c[N], d[N];
    double v[N];
    const int perm[N] = {7, 3, 11, 0, 9, 5, 1, 10, 4, 8, 2, 6};
    for (int i = 0; i < N; i++) c[i] = C[perm[i]], d[i] = D[perm[i]], v[i] = V[perm[i]];
    enc_clv_period pe = {.cal_end = 10, .holdout_end = 50, .unit_days = 1};
    enc_clv_summary a, b;
    enc_err e = {0};
    CHECK_INT(enc_clv_summarize(N, C, D, V, 5, &pe, &a, &e), ENC_OK);
    CHECK_INT(enc_clv_summarize(N, c, d, v, 5, &pe, &b, &e), ENC_OK);
    for (int i = 0; i < 5; i++) {
        CHECK_INT(a.x[i], b.x[i]);
        CHECK(a.tx[i] == b.tx[i] && a.T[i] == b.T[i] && a.w[i] == b.w[i]);
        CHECK_INT(a.x_holdout[i], b.x_holdout[i]);
        CHECK_NEAR(a.spend[i], b.spend[i], 1e-15);
    }
    enc_clv_summary_free(&a);
    enc_clv_summary_free(&b);
}

static void bad_input(void)
{
    enc_clv_period pe = {.cal_end = 10};
    enc_clv_summary s;
    enc_err e = {0};
    int32_t c[] = {0, 5}, d[] = {1, 2};
    CHECK_INT(enc_clv_summarize(2, c, d, NULL, 3, &pe, &s, &e), ENC_EUSAGE);
    CHECK(strstr(e.msg, "row 1") != NULL);
    enc_clv_summary_free(&s);
    int32_t c2[] = {0, 1};
    double v[] = {1, NAN};
    CHECK_INT(enc_clv_summarize(2, c2, d, v, 3, &pe, &s, &e), ENC_EUSAGE);
    enc_clv_summary_free(&s);
    /* no rows, no customers: fine, nothing included */
    CHECK_INT(enc_clv_summarize(0, NULL, NULL, NULL, 0, &pe, &s, &e), ENC_OK);
    CHECK_INT(s.n_included, 0);
    enc_clv_summary_free(&s);
    /* the models' data check */
    int32_t x[] = {1, 0};
    double tx[] = {3, 0}, T[] = {2, 5};
    enc_clv_obs o = {2, x, tx, T, NULL};
    CHECK(enc_clv_obs_check(&o, NULL) < 0);
    tx[0] = 2;
    double tw;
    CHECK_INT(enc_clv_obs_check(&o, &tw), 1);
    CHECK_NEAR(tw, 2, 0);
}

static void grouping(void)
{
    int32_t x[] = {0, 2, 0, 2, 1, 2};
    double tx[] = {0, 5, 0, 5, 3, 5}, T[] = {10, 10, 10, 10, 10, 11}, w[] = {1, 1, 1, 1, 0, 2};
    enc_clv_obs o = {6, x, tx, T, w};
    enc_clv_groups g;
    enc_clv_group(&o, &g);
    CHECK_INT(g.obs.n, 3); /* (0,0,10) x2, (2,5,10) x2, (2,5,11) weight 2; row 4 dropped */
    double tot = 0;
    for (size_t i = 0; i < g.obs.n; i++) tot += g.w[i];
    CHECK_NEAR(tot, 6, 0);
    CHECK(g.of[0] == g.of[2] && g.of[1] == g.of[3] && g.of[1] != g.of[5]);
    CHECK(g.of[4] == SIZE_MAX);
    for (int i = 0; i < 6; i++)
        if (i != 4) CHECK(g.x[g.of[i]] == x[i] && g.T[g.of[i]] == T[i]);
    enc_clv_groups_free(&g);
}

/* CDNOW master (23,570 customers): counts against an independent pandas summary */
static void cdnow_master_vs_pandas(void)
{
    const char *path = th_data("cdnow/CDNOW_master.txt");
    if (!path) return;
    enc_clv_summary s;
    CHECK(cdnow_summary(path, 1, &s) == 0);
    CHECK_INT(s.n, 23570);
    CHECK_INT(s.n_included, 23570);
    if (access("/usr/bin/python3", X_OK) != 0) return;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import pandas as pd\n"
             "d = pd.read_csv('%s', sep=r'\\s+')\n"
             "d['date'] = pd.to_datetime(d.date.astype(str))\n"
             "g = d.groupby(['customer_id','date']).size().reset_index()\n"
             "e = pd.Timestamp('1997-09-30'); h = e + pd.Timedelta(days=273)\n"
             "c = g[g.date <= e].groupby('customer_id').size() - 1\n"
             "print(c.sum(), (c > 0).sum(), ((g.date > e) & (g.date <= h)).sum())\" 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    long rc = -1, rep = -1, hold = -1;
    int got = p ? fscanf(p, "%ld %ld %ld", &rc, &rep, &hold) : 0;
    if (p) pclose(p);
    if (got != 3) {
        fprintf(stderr, "  (pandas unavailable: master counts only)\n");
        enc_clv_summary_free(&s);
        return;
    }
    printf("# CDNOW master: %lld repeat days in calibration, %zu repeaters, %lld in the holdout\n",
           (long long)s.repeat_cal, s.n_repeaters, (long long)s.repeat_holdout);
    CHECK_INT(s.repeat_cal, rc);
    CHECK_INT(s.n_repeaters, rep);
    CHECK_INT(s.repeat_holdout, hold);
    enc_clv_summary_free(&s);
}

int main(void)
{
    RUN(hand_example);
    RUN(unsorted_equals_sorted);
    RUN(bad_input);
    RUN(grouping);
    RUN(cdnow_master_vs_pandas);
    return TEST_SUMMARY();
}
