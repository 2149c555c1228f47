/* uptarget.h — the campaign option "uplift_top" (issue 19 item 4): narrows a planned audience
 * to the share of it with the highest predicted uplift stored for a campaign by `encore uplift
 * evaluate` (store/store_uplift.h). Called by the planner (plan.c) after the audience. */
#ifndef ENCORE_CAMPAIGN_UPTARGET_H
#define ENCORE_CAMPAIGN_UPTARGET_H
#include "base/err.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include <stdint.h>

/* *words: the audience bitset over s's customers ((ncust + 63) / 64 words, malloc'd), NULL for
 * every customer (then a set is allocated; the caller frees it with free()). Keeps the
 * ceil(share x members with a predicted uplift) members of highest uplift (ties by lower
 * customer id); members without one are dropped. ENC_ENOTFOUND without a stored model. */
enc_rc enc_uptarget_apply(enc_store *st, const char *campaign, double share, const enc_snapshot *s,
                          uint64_t **words, enc_err *err);
#endif
