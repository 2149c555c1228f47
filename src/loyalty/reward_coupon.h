/* reward_coupon.h — the coupon of a coupon reward (docs/loyalty.md): a real code from the
 * coupon machinery (codes by src/base/coupon.c, issued by the store's enc_coupon_issue into the
 * coupons table under the campaign "loyalty" and the key "loyalty:ENTRY"), so an imported order
 * carrying it redeems it as any campaign coupon. A file of its own because campaign_store.h and
 * the loyalty store header both name a type enc_member. */
#ifndef ENCORE_REWARD_COUPON_H
#define ENCORE_REWARD_COUPON_H
#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

/* The code of redemption entry's coupon into code (cap >= 80): issued now as a value coupon
 * of value minor units when there is none yet, else the one issued before (a replay). Runs in
 * the caller's transaction. */
enc_rc enc__ly_coupon(enc_store *st, int64_t cust, int64_t entry, int64_t value, int64_t now,
                      char *code, size_t cap, enc_err *err);
/* Revokes redemption entry's coupon: *state 0 none, 1 revoked, 2 already redeemed (kept). */
enc_rc enc__ly_coupon_revoke(enc_store *st, int64_t entry, int64_t now, int *state, enc_err *err);
#endif
