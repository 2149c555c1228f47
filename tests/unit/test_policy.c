/* test_policy.c — the contact policy: frequency caps against a brute-force count over random
 * histories and policies, quiet hours in real time zones (DST included), holdout and variant
 * shares within one percentage point on 100,000 customers and stable across runs. */
#include "harness.h"
#include "base/rng.h"
#include "campaign/policy.h"
#include "snapshot/snapshot.h"

/* brute force: after adding (channel, at), every window [s, s + w) that contains the new
 * message holds at most max messages (the fullest such window starts at a message in
 * (at - w, at], the new one included) */
static bool caps_brute(const enc_policy *p, const int64_t *ts, const uint8_t *ch, size_t n,
                       int channel, int64_t at)
{
    for (int c = 0; c < p->ncaps; c++) {
        const enc_cap *cap = &p->caps[c];
        if (cap->channel != ENC_CAP_ALL_CHANNELS && cap->channel != channel) continue;
        for (size_t i = 0; i <= n; i++) {
            int64_t s = i < n ? ts[i] : at;
            int ci = i < n ? ch[i] : channel;
            if (cap->channel != ENC_CAP_ALL_CHANNELS && ci != cap->channel) continue;
            if (s > at || s <= at - cap->window) continue;
            int cnt = (at >= s && at < s + cap->window) ? 1 : 0;
            for (size_t j = 0; j < n; j++)
                if ((cap->channel == ENC_CAP_ALL_CHANNELS || ch[j] == cap->channel) && ts[j] >= s &&
                    ts[j] < s + cap->window)
                    cnt++;
            if (cnt > cap->max) return false;
        }
    }
    return true;
}

static void caps_match_brute_force(void)
{
    enc_rng r;
    enc_rng_seed(&r, 11);
    int disagree = 0, allowed = 0, refused = 0;
    for (int trial = 0; trial < 20000; trial++) {
        enc_policy p = {0};
        p.ncaps = 1 + (int)enc_rng_below(&r, 3);
        for (int c = 0; c < p.ncaps; c++) {
            p.caps[c].channel =
                enc_rng_below(&r, 2) ? ENC_CAP_ALL_CHANNELS : (int)enc_rng_below(&r, 3);
            p.caps[c].max = 1 + (int)enc_rng_below(&r, 3);
            p.caps[c].window = (int64_t)(1 + enc_rng_below(&r, 10)) * 3600;
        }
        int64_t ts[12];
        uint8_t ch[12];
        size_t n = enc_rng_below(&r, 12);
        for (size_t i = 0; i < n; i++) {
            ts[i] = (int64_t)enc_rng_below(&r, 48) * 900; /* past and future, on a 15-min grid */
            ch[i] = (uint8_t)enc_rng_below(&r, 3);
        }
        int channel = (int)enc_rng_below(&r, 3);
        int64_t at = (int64_t)enc_rng_below(&r, 48) * 900;
        bool a = enc_policy_caps_ok(&p, ts, ch, n, channel, at);
        bool b = caps_brute(&p, ts, ch, n, channel, at);
        disagree += a != b;
        allowed += a;
        refused += !a;
    }
    CHECK_INT(disagree, 0);
    CHECK(allowed > 1000 && refused > 1000); /* both outcomes exercised */
}

static void caps_defaults(void)
{
    enc_policy p;
    enc_policy_default(&p);
    int64_t day = 86400, t0 = 1700000000;
    int64_t ts[2] = {t0, t0 + 2 * day};
    uint8_t ch[2] = {CH_EMAIL, CH_EMAIL};
    CHECK(!enc_policy_caps_ok(&p, ts, ch, 2, CH_EMAIL, t0 + 3 * day)); /* third within 7 days */
    CHECK(enc_policy_caps_ok(&p, ts, ch, 1, CH_SMS, t0 + day));
    CHECK(enc_policy_caps_ok(&p, ts, ch, 2, CH_EMAIL, t0 + 9 * day));
    uint8_t sms[1] = {CH_SMS};
    CHECK(!enc_policy_caps_ok(&p, ts, sms, 1, CH_SMS, t0 + 3600)); /* 1 SMS a day */
    CHECK(enc_policy_caps_ok(&p, ts, sms, 1, CH_SMS, t0 + day));
}

static void quiet_hours_in_zones(void)
{
    enc_policy p;
    enc_policy_default(&p);
    enc_tz *sh, *ny;
    enc_err err;
    CHECK_INT(enc_tz_load("Asia/Shanghai", &sh, &err), ENC_OK);
    CHECK_INT(enc_tz_load("America/New_York", &ny, &err), ENC_OK);
    /* 2024-03-05 14:30 UTC = 22:30 in Shanghai: waits until 08:00 next day = 00:00 UTC 03-06 */
    int64_t at = enc_days_from_civil(2024, 3, 5) * 86400 + 14 * 3600 + 1800;
    CHECK(enc_policy_is_quiet(&p, sh, at));
    CHECK_INT(enc_policy_quiet_next(&p, sh, at), enc_days_from_civil(2024, 3, 6) * 86400);
    /* 10:00 Shanghai is fine */
    int64_t ok = enc_days_from_civil(2024, 3, 5) * 86400 + 2 * 3600;
    CHECK(!enc_policy_is_quiet(&p, sh, ok));
    CHECK_INT(enc_policy_quiet_next(&p, sh, ok), ok);
    /* New York, the night DST starts (2024-03-10 02:00 local skips to 03:00): 23:00 EST on
     * 03-09 (04:00 UTC 03-10) waits until 08:00 EDT = 12:00 UTC */
    int64_t ny_night = enc_days_from_civil(2024, 3, 10) * 86400 + 4 * 3600;
    CHECK(enc_policy_is_quiet(&p, ny, ny_night));
    CHECK_INT(enc_policy_quiet_next(&p, ny, ny_night),
              enc_days_from_civil(2024, 3, 10) * 86400 + 12 * 3600);
    /* early morning 07:59 local is quiet, 08:00 is not (UTC zone) */
    int64_t d = enc_days_from_civil(2024, 1, 1) * 86400;
    CHECK(enc_policy_is_quiet(&p, NULL, d + 7 * 3600 + 59 * 60));
    CHECK(!enc_policy_is_quiet(&p, NULL, d + 8 * 3600));
    CHECK(enc_policy_is_quiet(&p, NULL, d + 21 * 3600));
    /* no quiet hours */
    p.quiet_start = p.quiet_end = 0;
    CHECK(!enc_policy_is_quiet(&p, sh, at));
    /* a daytime window that does not wrap */
    p.quiet_start = 12 * 60, p.quiet_end = 13 * 60;
    CHECK(enc_policy_is_quiet(&p, NULL, d + 12 * 3600 + 5));
    CHECK_INT(enc_policy_quiet_next(&p, NULL, d + 12 * 3600 + 5), d + 13 * 3600);
    enc_tz_free(sh);
    enc_tz_free(ny);
}

static void assignment_shares_and_stability(void)
{
    uint64_t key = enc_assign_key("winback-2025");
    enum { N = 100000 };
    int hold = 0, var[3] = {0}, hold_and_b = 0;
    double shares[3] = {0.5, 0.3, 0.2};
    for (int64_t c = 1; c <= N; c++) {
        bool h = enc_assign_holdout(key, c, 0.1);
        int v = enc_assign_variant(key, c, shares, 3);
        hold += h;
        var[v]++;
        hold_and_b += h && v == 1;
        CHECK(h == enc_assign_holdout(key, c, 0.1)); /* stable */
        CHECK(v == enc_assign_variant(key, c, shares, 3));
    }
    CHECK(fabs(hold / (double)N - 0.1) < 0.01);
    for (int i = 0; i < 3; i++) CHECK(fabs(var[i] / (double)N - shares[i]) < 0.01);
    /* holdout and variant are independent draws: P(holdout and B) ~ 0.1 * 0.3 */
    CHECK(fabs(hold_and_b / (double)N - 0.03) < 0.005);
    /* another campaign draws other customers */
    uint64_t key2 = enc_assign_key("birthday");
    int same = 0;
    for (int64_t c = 1; c <= N; c++)
        same += enc_assign_holdout(key, c, 0.1) && enc_assign_holdout(key2, c, 0.1);
    CHECK(fabs(same / (double)N - 0.01) < 0.003);
}

int main(void)
{
    RUN(caps_match_brute_force);
    RUN(caps_defaults);
    RUN(quiet_hours_in_zones);
    RUN(assignment_shares_and_stability);
    return TEST_SUMMARY();
}
