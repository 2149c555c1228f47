/* policy.h — the contact policy every campaign shares: frequency caps over rolling windows
 * (per channel and across channels), quiet hours in the customer's time zone, and the
 * deterministic holdout / variant assignment by hash. Pure functions over a customer's
 * message history (times and channels of messages already planned or sent, any campaign);
 * consent and suppression are checked by the caller from the snapshot and the outbox. */
#ifndef ENCORE_POLICY_H
#define ENCORE_POLICY_H
#include "base/datetime.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_POLICY_MAX_CAPS 16
#define ENC_CAP_ALL_CHANNELS (-1)

typedef struct enc_cap {
    int channel;    /* an enc_channel, or ENC_CAP_ALL_CHANNELS */
    int max;        /* at most this many messages ... */
    int64_t window; /* ... in any window of this many seconds */
} enc_cap;

typedef struct enc_policy {
    enc_cap caps[ENC_POLICY_MAX_CAPS];
    int ncaps;
    int quiet_start, quiet_end; /* minutes after local midnight; equal = no quiet hours */
} enc_policy;

/* Defaults: at most 2 marketing messages in 7 days across channels, 1 SMS a day, quiet hours
 * 21:00-08:00 local. */
void enc_policy_default(enc_policy *p);

/* True when one more message on `channel` at time `at` keeps every cap in every window that
 * contains it (earlier breaches elsewhere do not block it), given the customer's
 * history (times ts[0..n) with channels ch[0..n), any order). */
bool enc_policy_caps_ok(const enc_policy *p, const int64_t *ts, const uint8_t *ch, size_t n,
                        int channel, int64_t at);
/* The earliest instant >= at outside quiet hours in zone tz (NULL = UTC). */
int64_t enc_policy_quiet_next(const enc_policy *p, const enc_tz *tz, int64_t at);
/* True when `at` is inside quiet hours in zone tz. */
bool enc_policy_is_quiet(const enc_policy *p, const enc_tz *tz, int64_t at);

/* A campaign's assignment key: a hash of its name. */
uint64_t enc_assign_key(const char *campaign);
/* A uniform number in [0, 1) from (campaign key, customer, salt): stable across runs. */
double enc_assign_unit(uint64_t key, int64_t customer, uint64_t salt);
/* True when the customer is in the campaign's holdout (share in [0, 1]). */
bool enc_assign_holdout(uint64_t key, int64_t customer, double share);
/* The variant index for a customer given variant shares (summing to 1), independent of the
 * holdout draw. */
int enc_assign_variant(uint64_t key, int64_t customer, const double *shares, int n);
#endif
