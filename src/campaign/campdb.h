/* campdb.h — what campaigns keep in the store (schema migration "campaigns"): the campaigns
 * with their state and trigger watermark, their members (who got which variant on which
 * channel for which occurrence, and who was held out as the control), the coupons issued and
 * redeemed, the A/B decision, and the shared contact-policy settings. Also the reads the
 * planner needs from the outbox: recent message history of every campaign (frequency caps)
 * and the suppression list. The rows live behind store/campaign_store.h (included here, so
 * its calls are this header's too); this header adds what takes a spec or the policy. */
#ifndef ENCORE_CAMPAIGN_CAMPDB_H
#define ENCORE_CAMPAIGN_CAMPDB_H
#include "base/err.h"
#include "base/map.h"
#include "campaign/spec.h"
#include "store/campaign_store.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

/* Inserts the campaign (state `state`) or replaces its file, priority and on_cap keeping its
 * history; the state is set when state is non-NULL. *created (may be NULL) tells. */
enc_rc enc_camp_put(enc_store *st, const enc_spec *spec, const char *state, int64_t now,
                    bool *created, enc_err *err);
/* First start: sets started_at (when unset) and the A/B decision time. */
enc_rc enc_camp_started(enc_store *st, const enc_spec *spec, int64_t now, enc_err *err);

/* enc_history_scan with the channels of enc_channel_parse. */
enc_rc enc_history_load(enc_store *st, int64_t since, enc_history *out, enc_err *err);

/* Matches paid orders imported since the last call (orders.id above the kept watermark)
 * whose coupon, normalised with enc_coupon_check, is an issued, unredeemed coupon valid at
 * the order's time: the coupon records the order and its time. *n gets how many. */
enc_rc enc_coupon_redeem(enc_store *st, int64_t *n, enc_err *err);

/* ---- settings ----------------------------------------------------------------------------- */
/* The stored settings JSON over the defaults. */
enc_rc enc_settings_load(enc_store *st, enc_settings *out, enc_err *err);
enc_rc enc_settings_save(enc_store *st, const enc_settings *s, enc_err *err);
#endif
