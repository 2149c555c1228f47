/* store_loyalty.h — the loyalty tables (migration 11): the saved programme, the points ledger
 * (entries, lots, the moves of debits between lots), members with their tier and the tier
 * history. Called by src/loyalty/ inside the caller's transaction (enc_store_begin) so that an
 * operation is written whole or not at all. Strings returned are the caller's to free. */
#ifndef ENCORE_STORE_LOYALTY_H
#define ENCORE_STORE_LOYALTY_H
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An open lot: points still available (remaining > 0), or the debt lot (remaining < 0). */
typedef struct enc_lot {
    int64_t id, entry_id, earned_at, expires_at, points, remaining; /* expires_at 0 = never */
} enc_lot;

/* One line of an order as the ledger sees it: its amount (minor units; sale lines only count)
 * and what selects a multiplier. */
typedef struct enc_earn_line {
    int64_t amount;
    const char *sku, *category; /* may be NULL */
    bool sale;
} enc_earn_line;

/* The latest saved programme text (*text NULL when none; caller frees). */
enc_rc enc_store_prog_get(enc_store *st, char **text, enc_err *err);
enc_rc enc_store_prog_put(enc_store *st, const char *text, int64_t now, enc_err *err);
/* A named integer of loyalty_state (*found false when unset). */
enc_rc enc_store_loyalty_state_get(enc_store *st, const char *key, int64_t *v, bool *found,
                                   enc_err *err);
enc_rc enc_store_loyalty_state_set(enc_store *st, const char *key, int64_t v, enc_err *err);

typedef struct enc_pentry_rec {
    int64_t customer, ts, points, order_id, lot_id, ref_id; /* 0 = none */
    const char *kind, *reason, *actor, *idem_key, *request;
} enc_pentry_rec;
enc_rc enc_store_pentry_add(enc_store *st, const enc_pentry_rec *r, int64_t now, int64_t *id,
                            enc_err *err);

/* One entry as read back; strings owned by the caller (enc_pentry_free). */
typedef struct enc_pentry {
    int64_t id, customer, ts, points, order_id, lot_id, ref_id;
    char kind[12];
    char *reason, *actor, *order_key, *request;
} enc_pentry;
void enc_pentry_free(enc_pentry *e);
/* Sets the points of an entry written in the same transaction (a debit's entry is written
 * first so that its moves can name it, then given the points actually taken). */
enc_rc enc_store_pentry_set_points(enc_store *st, int64_t id, int64_t points, enc_err *err);
/* The entry with idempotency key (*found false when none). */
enc_rc enc_store_pentry_by_key(enc_store *st, const char *key, enc_pentry *e, bool *found,
                               enc_err *err);
enc_rc enc_store_pentry_get(enc_store *st, int64_t id, enc_pentry *e, bool *found, enc_err *err);
/* The entry of kind for order_id (earn, bonus, return), if any. */
enc_rc enc_store_pentry_of_order(enc_store *st, int64_t order_id, const char *kind, enc_pentry *e,
                                 bool *found, enc_err *err);
/* The entry whose ref_id is id (the reversal of a redemption), if any. */
enc_rc enc_store_pentry_reversal(enc_store *st, int64_t id, int64_t *rev, enc_err *err);
/* A customer's entries, oldest first; *out (n) freed with enc_pentries_free. */
enc_rc enc_store_pentries(enc_store *st, int64_t cust, enc_pentry **out, size_t *n, enc_err *err);
void enc_pentries_free(enc_pentry *e, size_t n);
/* Balance (sum of entries), and points earned by orders (kind earn) in [from, to). */
enc_rc enc_store_points_sum(enc_store *st, int64_t cust, int64_t *balance, enc_err *err);
enc_rc enc_store_points_earned(enc_store *st, int64_t cust, int64_t from, int64_t to, int64_t *sum,
                               enc_err *err);
/* Whether the customer has an entry of kind (and reason, when not NULL). */
enc_rc enc_store_points_has(enc_store *st, int64_t cust, const char *kind, const char *reason,
                            bool *yes, enc_err *err);

enc_rc enc_store_lot_add(enc_store *st, int64_t cust, const enc_lot *l, int64_t *id, enc_err *err);
/* Open lots (remaining <> 0) oldest first (earned_at, id); *out freed by the caller. */
enc_rc enc_store_lots_open(enc_store *st, int64_t cust, enc_lot **out, size_t *n, enc_err *err);
/* Moves points out of a lot for entry (remaining -= points; negative gives back). */
enc_rc enc_store_lot_move(enc_store *st, int64_t entry, int64_t lot, int64_t points, enc_err *err);
/* The moves of an entry: lot ids and points (caller frees both arrays). */
enc_rc enc_store_lot_moves(enc_store *st, int64_t entry, int64_t **lots, int64_t **points,
                           size_t *n, enc_err *err);
/* Writes an expire entry for every lot with points left whose expiry is <= now (of one customer,
 * or of everyone when cust is 0) and empties it. *lots and *points count what expired. */
enc_rc enc_store_lots_expire(enc_store *st, int64_t cust, int64_t now, int64_t *lots,
                             int64_t *points, enc_err *err);
/* Points of the customer's lots that expire in (now, until]. */
enc_rc enc_store_points_expiring(enc_store *st, int64_t cust, int64_t now, int64_t until,
                                 int64_t *points, enc_err *err);

/* An order as the ledger needs it, by the shop's order id (any source; ENC_ENOTFOUND when none,
 * ENC_EUSAGE when two sources share the id). lines/nlines with arena-free strings: free with
 * enc_store_porder_free. */
typedef struct enc_porder {
    int64_t id, customer, ts, total, discount;
    char status[12];
    enc_earn_line *lines;
    size_t nlines;
    char **strs;
    size_t nstrs;
} enc_porder;
enc_rc enc_store_porder_get(enc_store *st, const char *order_key, enc_porder *o, enc_err *err);
void enc_store_porder_free(enc_porder *o);

/* --- members and tiers ------------------------------------------------------------------- */
typedef struct enc_member {
    int64_t customer, tier_since, joined_at, drop_at; /* drop_at 0 = none pending */
    char tier[48];
} enc_member;
enc_rc enc_store_member_get(enc_store *st, int64_t cust, enc_member *m, bool *found, enc_err *err);
enc_rc enc_store_member_put(enc_store *st, const enc_member *m, enc_err *err);
enc_rc enc_store_tier_history_add(enc_store *st, int64_t cust, int64_t ts, const char *from,
                                  const char *to, const char *reason, enc_err *err);
typedef struct enc_tier_change {
    int64_t ts;
    char from[48], to[48], reason[24];
} enc_tier_change;
enc_rc enc_store_tier_history(enc_store *st, int64_t cust, enc_tier_change **out, size_t *n,
                              enc_err *err);
/* The qualifying metric of one customer over (from, to]: 0 net spend of paid orders, 1 points
 * earned by orders not returned, 2 paid orders (enc_prog_qual). */
enc_rc enc_store_member_metric(enc_store *st, int64_t cust, int qual, int64_t from, int64_t to,
                               int64_t *v, enc_err *err);
/* Every member with its metric over (from, to], in customer order, for the tier review: arrays
 * the caller frees (free(out->cust) frees them all). */
typedef struct enc_member_scan {
    size_t n;
    int64_t *cust, *since, *drop_at, *metric;
    char (*tier)[48];
} enc_member_scan;
enc_rc enc_store_members_scan(enc_store *st, int qual, int64_t from, int64_t to,
                              enc_member_scan *out, enc_err *err);
void enc_member_scan_free(enc_member_scan *s);
/* The tier review's writes in one pass with statements prepared once: each member's new tier,
 * tier_since and drop_at; a tier history row (from[i] -> m[i].tier, reason[i]) where reason[i]
 * is not NULL. */
enc_rc enc_store_members_apply(enc_store *st, const enc_member *m, const char *const *from,
                               const char *const *reason, size_t n, int64_t now, enc_err *err);
/* Per customer of ids (ascending, n of them) into out[]: which 0 = the balance (sum of entries),
 * 1 = points of lots expiring in (now, now + 30 days]; customers without any get 0. One ordered
 * scan each, merged with ids (the audience's columns). */
enc_rc enc_store_loyalty_sums(enc_store *st, int which, int64_t now, const int64_t *ids, size_t n,
                              double *out, enc_err *err);
/* The programme's figures for `encore loyalty report`: points by entry kind (issued = earn +
 * bonus + positive adjustments + imports; returned, redeemed net of reversals, expired, negative
 * adjustments), outstanding balances (positive and negative), members per tier, and tier moves
 * (from -> to with counts, from the tier history since `since`). Strings and arrays are the
 * caller's: free with enc_ly_report_free. */
typedef struct enc_ly_tier_count {
    char from[48], to[48];
    int64_t n;
} enc_ly_tier_count;
typedef struct enc_ly_report {
    int64_t members, with_balance;
    int64_t earned, bonus, imported, adjusted_in, adjusted_out, returned, redeemed, reversed,
        expired;
    int64_t outstanding, debt; /* sum of positive balances; sum of negative ones */
    int64_t redemptions;       /* redemption entries not reversed */
    enc_ly_tier_count *tiers;  /* members per tier (to = tier, from empty) */
    size_t ntiers;
    enc_ly_tier_count *moves; /* tier changes since `since` (joins excluded) */
    size_t nmoves;
} enc_ly_report;
enc_rc enc_store_loyalty_report(enc_store *st, int64_t since, enc_ly_report *r, enc_err *err);
void enc_ly_report_free(enc_ly_report *r);
/* Per customer of ids (ascending): the time of the latest tier upgrade into out[] (NaN when none).
 */
enc_rc enc_store_last_upgrades(enc_store *st, const int64_t *ids, size_t n, double *out,
                               enc_err *err);
/* The tier text a customer was imported with (customers.tier), "" when none. */
enc_rc enc_store_customer_tier(enc_store *st, int64_t cust, char *out, size_t cap, enc_err *err);
#endif
