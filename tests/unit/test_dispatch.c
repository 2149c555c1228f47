/* test_dispatch.c — the pure parts of src/delivery/dispatch.c: backoff bounds and the full-jitter
 * distribution, the token bucket's rate. */
#include "harness.h"
#include "delivery/dispatch.h"

static void backoff_bounds(void)
{
    enc_retry_policy p = {.base = 10, .cap = 1000, .max_attempts = 8};
    enc_rng r;
    enc_rng_seed(&r, 42);
    for (int a = 1; a <= 30; a++) {
        double ceil_s = 10 * pow(2, a - 1);
        if (ceil_s > 1000) ceil_s = 1000;
        double lo = 1e9, hi = 0;
        for (int i = 0; i < 2000; i++) {
            double d = enc_backoff_delay(&p, a, &r);
            if (d < lo) lo = d;
            if (d > hi) hi = d;
        }
        CHECK(lo >= 1);
        CHECK(hi <= ceil_s);
        /* the draws reach near the ceiling: the jitter covers the whole range */
        CHECK(hi > 0.95 * ceil_s);
    }
    /* huge attempt numbers do not overflow past the cap */
    CHECK(enc_backoff_delay(&p, 100000, &r) <= 1000);
    CHECK(enc_backoff_delay(&p, 0, &r) <= 10);
}

static void backoff_full_jitter_is_uniform(void)
{
    /* attempt 3, base 10: uniform on [0, 40] (values below 1 lifted to 1, same first bin);
     * chi-square over 8 equal bins, 7 degrees of freedom, 0.1% critical value 24.32 */
    enc_retry_policy p = {.base = 10, .cap = 1000, .max_attempts = 8};
    enc_rng r;
    enc_rng_seed(&r, 7);
    int bins[8] = {0};
    const int n = 40000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double d = enc_backoff_delay(&p, 3, &r);
        sum += d;
        int b = (int)(d / 5);
        bins[b > 7 ? 7 : b]++;
    }
    double chi = 0, e = n / 8.0;
    for (int b = 0; b < 8; b++) chi += (bins[b] - e) * (bins[b] - e) / e;
    CHECK(chi < 24.32);
    /* mean of max(U(0,40), 1) = 1/40 + (40^2 - 1) / 80 = 20.0125 */
    CHECK_NEAR(sum / n, 20.0125, 0.01);
}

static void bucket_limits_rate(void)
{
    enc_bucket b;
    enc_bucket_init(&b, 10, 10, 0);
    CHECK_INT(enc_bucket_take(&b, 0, 100), 10);
    CHECK_INT(enc_bucket_take(&b, 0, 100), 0);
    CHECK_NEAR(enc_bucket_wait(&b, 0), 0.1, 1e-9);
    CHECK_INT(enc_bucket_take(&b, 0.25, 100), 2);
    enc_bucket_give(&b, 1);
    CHECK_INT(enc_bucket_take(&b, 0.25, 100), 1);
    /* over 10 s of greedy takes every 10 ms: at most burst + rate * T */
    enc_bucket_init(&b, 10, 10, 0);
    size_t total = 0;
    for (int i = 0; i <= 1000; i++) total += enc_bucket_take(&b, i * 0.01, 1000);
    CHECK(total <= 110);
    CHECK(total >= 109);
    /* unlimited */
    enc_bucket_init(&b, 0, 0, 0);
    CHECK_INT(enc_bucket_take(&b, 0, 12345), 12345);
    CHECK_NEAR(enc_bucket_wait(&b, 0), 0, 0);
    /* a rate change keeps earned tokens within the new burst */
    enc_bucket_init(&b, 100, 100, 0);
    enc_bucket_set_rate(&b, 2, 0);
    CHECK_INT(enc_bucket_take(&b, 0, 1000), 2);
}

int main(void)
{
    RUN(backoff_bounds);
    RUN(backoff_full_jitter_is_uniform);
    RUN(bucket_limits_rate);
    return TEST_SUMMARY();
}
