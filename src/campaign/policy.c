/* policy.c — frequency caps, quiet hours and hash assignment (see policy.h). */
#include "campaign/policy.h"
#include "base/map.h"
#include "snapshot/snapshot.h"
#include <stdlib.h>
#include <string.h>

void enc_policy_default(enc_policy *p)
{
    memset(p, 0, sizeof *p);
    p->caps[p->ncaps++] = (enc_cap){ENC_CAP_ALL_CHANNELS, 2, 7 * 86400};
    p->caps[p->ncaps++] = (enc_cap){CH_SMS, 1, 86400};
    p->quiet_start = 21 * 60;
    p->quiet_end = 8 * 60;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A cap (max messages in any window of w seconds) holds for a sorted sequence of times exactly
 * when every max + 1 consecutive times span at least w: t[i + max] - t[i] >= w. Only times
 * within w of the new message can share a window with it, so those are all we look at. */
bool enc_policy_caps_ok(const enc_policy *p, const int64_t *ts, const uint8_t *ch, size_t n,
                        int channel, int64_t at)
{
    enum { MAX_NEAR = 1024 };
    int64_t near[MAX_NEAR];
    for (int c = 0; c < p->ncaps; c++) {
        const enc_cap *cap = &p->caps[c];
        if (cap->channel != ENC_CAP_ALL_CHANNELS && cap->channel != channel) continue;
        if (cap->max <= 0) return false;
        int64_t w = cap->window;
        size_t m = 0;
        near[m++] = at;
        for (size_t i = 0; i < n; i++) {
            if (cap->channel != ENC_CAP_ALL_CHANNELS && ch[i] != channel) continue;
            if (ts[i] <= at - w || ts[i] >= at + w) continue;
            if (m == MAX_NEAR) return false; /* far more than any cap allows */
            near[m++] = ts[i];
        }
        if ((int)m <= cap->max) continue;
        qsort(near, m, sizeof *near, cmp_i64);
        for (size_t i = 0; i + (size_t)cap->max < m; i++)
            if (near[i + (size_t)cap->max] - near[i] < w) return false;
    }
    return true;
}

static int local_minute(const enc_tz *tz, int64_t at)
{
    int64_t local = at + (tz ? enc_tz_offset(tz, at) : 0);
    int64_t sec = local % 86400;
    if (sec < 0) sec += 86400;
    return (int)(sec / 60);
}

bool enc_policy_is_quiet(const enc_policy *p, const enc_tz *tz, int64_t at)
{
    if (p->quiet_start == p->quiet_end) return false;
    int m = local_minute(tz, at);
    if (p->quiet_start < p->quiet_end) return m >= p->quiet_start && m < p->quiet_end;
    return m >= p->quiet_start || m < p->quiet_end; /* wraps midnight */
}

int64_t enc_policy_quiet_next(const enc_policy *p, const enc_tz *tz, int64_t at)
{
    if (!enc_policy_is_quiet(p, tz, at)) return at;
    /* the next local quiet_end: today's or tomorrow's, as a wall-clock time in the zone */
    int64_t local = at + (tz ? enc_tz_offset(tz, at) : 0);
    int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    for (int d = 0; d <= 2; d++) {
        int64_t wall = (day + d) * 86400 + (int64_t)p->quiet_end * 60;
        int64_t utc = tz ? enc_tz_local_to_utc(tz, wall) : wall;
        if (utc > at && !enc_policy_is_quiet(p, tz, utc)) return utc;
    }
    return at + 86400; /* not reached for sane zones */
}

uint64_t enc_assign_key(const char *campaign) { return enc_hash_bytes(campaign, strlen(campaign)); }

double enc_assign_unit(uint64_t key, int64_t customer, uint64_t salt)
{
    uint64_t h =
        enc_hash_u64(key ^ enc_hash_u64((uint64_t)customer ^ (salt * 0x9e3779b97f4a7c15ULL)));
    return (double)(h >> 11) * 0x1.0p-53;
}

bool enc_assign_holdout(uint64_t key, int64_t customer, double share)
{
    return enc_assign_unit(key, customer, 1) < share;
}

int enc_assign_variant(uint64_t key, int64_t customer, const double *shares, int n)
{
    double u = enc_assign_unit(key, customer, 2), acc = 0;
    for (int i = 0; i < n; i++) {
        acc += shares[i];
        if (u < acc) return i;
    }
    return n - 1;
}
