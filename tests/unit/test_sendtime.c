/* test_sendtime.c — the best hour of the week (intel/sendtime.h): known slots, quiet hours, and
 * recovery of simulated customers' known preferred hours against two independent baselines
 * (the population's best hour for everyone; each customer's raw most frequent hour). */
#include "harness.h"
#include "base/rng.h"
#include "intel/sendtime.h"

static void slots(void)
{
    /* 2026-01-05 was a Monday: 09:30 UTC is 17:30 at UTC+8 (slot 17), 04:30 at UTC-5 (4) */
    int64_t t = 1767605400; /* 2026-01-05 09:30:00 UTC */
    CHECK_INT(enc_sendtime_slot(t, 8 * 3600), 17);
    CHECK_INT(enc_sendtime_slot(t, -5 * 3600), 4);
    CHECK_INT(enc_sendtime_slot(t, -10 * 3600), 6 * 24 + 23); /* Sunday 23:30 */
    CHECK_INT(enc_sendtime_slot(0, 0), 3 * 24);               /* Thursday 00:00 */
    CHECK_INT(enc_sendtime_slot(-1, 0), 2 * 24 + 23);         /* Wednesday 23:59:59 */
}

static void allowed_and_empty(void)
{
    enc_sendtime_pop p;
    enc_sendtime_pop_init(&p, 0);
    double a[ENC_SENDTIME_SLOTS] = {0}, score[ENC_SENDTIME_SLOTS];
    a[2 * 24 + 20] = 50; /* everyone answers on Wednesday at 20:00 */
    enc_sendtime_pop_add(&p, a);
    enc_sendtime_pop_finish(&p);
    double none[ENC_SENDTIME_SLOTS] = {0}, one[ENC_SENDTIME_SLOTS] = {0};
    /* no history: the population's best slot */
    CHECK_INT(enc_sendtime_best(&p, none, NULL, score), 2 * 24 + 20);
    double sum = 0;
    for (int s = 0; s < ENC_SENDTIME_SLOTS; s++) sum += score[s];
    CHECK_NEAR(sum, 1, 1e-12);
    /* one response at 08:00 on a Friday moves the hour only with enough of them */
    one[4 * 24 + 8] = 1;
    CHECK_INT(enc_sendtime_best(&p, one, NULL, score) % 24, 20);
    one[4 * 24 + 8] = 30;
    CHECK_INT(enc_sendtime_best(&p, one, NULL, score) % 24, 8);
    /* quiet hours: 20:00 forbidden every day -> the best allowed */
    uint8_t ok[ENC_SENDTIME_SLOTS];
    for (int s = 0; s < ENC_SENDTIME_SLOTS; s++) ok[s] = s % 24 != 20;
    int b = enc_sendtime_best(&p, none, ok, score);
    CHECK(b >= 0 && b % 24 != 20);
    CHECK(b % 24 == 19 || b % 24 == 21); /* the smoothed neighbours */
    CHECK_INT(b / 24, 0);                /* no day known at that hour: the first */
    memset(ok, 0, sizeof ok);
    CHECK_INT(enc_sendtime_best(&p, none, ok, score), -1);
}

/* Simulated customers: a true preferred hour from a population mixture (evening 20 +- 1.5,
 * lunch 12 +- 1, else uniform 7..23); each response at that hour plus a rounded N(0, 1.2) with
 * probability 0.75, else any hour; days weighted toward the weekend. */
enum { NC = 4000 };
static int wrap24(int h) { return ((h % 24) + 24) % 24; }
static int hour_dist(int a, int b)
{
    int d = wrap24(a - b);
    return d > 12 ? 24 - d : d;
}

static double normal(enc_rng *r)
{
    return sqrt(-2 * log(enc_rng_uniform_pos(r))) * cos(6.283185307179586 * enc_rng_uniform(r));
}

static int draw_day(enc_rng *r)
{
    static const double w[7] = {1, 1, 1, 1, 1.2, 1.6, 1.5};
    double u = enc_rng_uniform(r) * 8.3, c = 0;
    for (int d = 0; d < 7; d++)
        if (u < (c += w[d])) return d;
    return 6;
}

static void recovery(void)
{
    static const int ks[] = {1, 2, 3, 5, 10};
    enc_rng r;
    enc_rng_seed(&r, 19);
    static int truth[NC];
    static double resp[NC][ENC_SENDTIME_SLOTS];
    for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
        int k = ks[ki];
        enc_sendtime_pop p;
        enc_sendtime_pop_init(&p, 0);
        for (int c = 0; c < NC; c++) {
            double u = enc_rng_uniform(&r);
            truth[c] = u < 0.4   ? wrap24((int)lround(20 + 1.5 * normal(&r)))
                       : u < 0.7 ? wrap24((int)lround(12 + normal(&r)))
                                 : 7 + (int)enc_rng_below(&r, 17);
            memset(resp[c], 0, sizeof resp[c]);
            for (int e = 0; e < k; e++) {
                int h = enc_rng_uniform(&r) < 0.75
                            ? wrap24(truth[c] + (int)lround(1.2 * normal(&r)))
                            : (int)enc_rng_below(&r, 24);
                resp[c][draw_day(&r) * 24 + h] += 1;
            }
            enc_sendtime_pop_add(&p, resp[c]);
        }
        enc_sendtime_pop_finish(&p);
        double none[ENC_SENDTIME_SLOTS] = {0}, score[ENC_SENDTIME_SLOTS];
        int pop_best = enc_sendtime_best(&p, none, NULL, score) % 24;
        int hit_model = 0, hit_raw = 0, hit_pop = 0;
        for (int c = 0; c < NC; c++) {
            int m = enc_sendtime_best(&p, resp[c], NULL, score) % 24;
            double h24[24] = {0};
            for (int s = 0; s < ENC_SENDTIME_SLOTS; s++) h24[s % 24] += resp[c][s];
            int raw = 0;
            for (int h = 1; h < 24; h++)
                if (h24[h] > h24[raw]) raw = h;
            hit_model += hour_dist(m, truth[c]) <= 1;
            hit_raw += hour_dist(raw, truth[c]) <= 1;
            hit_pop += hour_dist(pop_best, truth[c]) <= 1;
        }
        double fm = (double)hit_model / NC, fr = (double)hit_raw / NC, fp = (double)hit_pop / NC;
        printf("# %2d responses: best hour within 1 h of the truth: model %.3f, raw mode %.3f,"
               " population %.3f (%d customers)\n",
               k, fm, fr, fp, NC);
        /* the binomial standard error at 4,000 customers is at most 0.008: margins of 0.02+ */
        CHECK_MSG(fm >= fr - 0.005, "k=%d: model %.3f below the raw mode %.3f", k, fm, fr);
        if (k >= 2) CHECK_MSG(fm > fp + 0.05, "k=%d: model %.3f, population %.3f", k, fm, fp);
        if (k == 2 || k == 3) /* thin history: shrinkage beats the raw mode clearly */
            CHECK_MSG(fm > fr + 0.1, "k=%d: shrinkage %.3f, raw %.3f", k, fm, fr);
        if (k == 10) CHECK_MSG(fm > 0.8, "k=10: model %.3f", fm);
    }
}

int main(void)
{
    RUN(slots);
    RUN(allowed_and_empty);
    RUN(recovery);
    return TEST_SUMMARY();
}
