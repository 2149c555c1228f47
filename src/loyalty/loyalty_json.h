/* loyalty_json.h — the JSON of the loyalty answers, written once for both front doors: the CLI's
 * --json (`encore points ...`) and the API (/v1/members/{id}/points ...), so every figure is
 * the same through either. Times are written by the caller's function (the CLI's
 * "YYYY-MM-DD HH:MM:SS", the API's RFC 3339). */
#ifndef ENCORE_LOYALTY_JSON_H
#define ENCORE_LOYALTY_JSON_H
#include "base/json.h"
#include "loyalty/loyalty.h"
#include "store/store_loyalty.h"

/* writes key: the time (0: null) */
typedef void (*enc_ly_time_fn)(enc_jw *w, const char *key, int64_t epoch);
/* "YYYY-MM-DD HH:MM:SS" (UTC), the CLI's form */
void enc_ly_time_plain(enc_jw *w, const char *key, int64_t epoch);

/* {"customer", "entry", "points", "bonus"?, "shortfall"?, "balance", "tier", "upgraded",
 * "replayed"} */
void enc_ly_result_json(enc_jw *w, const char *who, const enc_points_result *r);
/* {"customer", "member", "balance", "expiring_30d", "tier", "tier_since", "tier_drop_at",
 * "tier_metric", "next_tier", "next_tier_gap", "lots": [{lot, earned_at, expires_at, points,
 * remaining}]} */
void enc_ly_status_json(enc_jw *w, const char *who, const enc_member_status *s, enc_ly_time_fn tf);
/* [{"entry", "at", "kind", "points", "balance" (running), "order", "reason", "by",
 * "reverses"?}] */
void enc_ly_history_json(enc_jw *w, const enc_pentry *e, size_t n, enc_ly_time_fn tf);
#endif
