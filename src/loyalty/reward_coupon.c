/* reward_coupon.c — a coupon reward's code (reward_coupon.h). */
#include "loyalty/reward_coupon.h"
#include "store/campaign_store.h"
#include <stdio.h>

static void key_of(char *key, size_t cap, int64_t entry)
{
    snprintf(key, cap, "loyalty:%lld", (long long)entry);
}

enc_rc enc__ly_coupon(enc_store *st, int64_t cust, int64_t entry, int64_t value, int64_t now,
                      char *code, size_t cap, enc_err *err)
{
    char key[48];
    key_of(key, sizeof key, entry);
    bool found = false;
    int64_t exp;
    if (enc_coupon_find(st, NULL, key, code, cap, &exp, &found, err)) return err->rc;
    if (found) return ENC_OK;
    enc_coupon_rec c = {.campaign = "loyalty",
                        .message_key = key,
                        .customer = cust,
                        .amount = value,
                        .issued_at = now};
    if (enc_coupon_issue(st, NULL, &c, "LOY", 11, err)) return err->rc;
    snprintf(code, cap, "%s", c.code);
    return ENC_OK;
}

enc_rc enc__ly_coupon_revoke(enc_store *st, int64_t entry, int64_t now, int *state, enc_err *err)
{
    char key[48];
    key_of(key, sizeof key, entry);
    return enc_coupon_revoke_key(st, key, now, state, err);
}
