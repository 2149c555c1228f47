/* loyalty.h — the loyalty operations on one member (earn from an order, reverse a return, bonus,
 * adjust, redeem, reverse a redemption) and the nightly jobs (expiry, tier review). Each
 * operation is one transaction (BEGIN IMMEDIATE: concurrent requests for one member are
 * serialised by the store), writes entries and lots whole or not at all, and honours an
 * idempotency key: the same key with the same request replays the first answer, with another
 * request it is refused. The CLI (cmd_points.c, cmd_tiers.c) and the API (h_loyalty.c) call these.
 */
#ifndef ENCORE_LOYALTY_H
#define ENCORE_LOYALTY_H
#include "loyalty/ledger.h"
#include "loyalty/programme.h"
#include "store/store.h"

/* The programme saved in the store, parsed (ENC_ENOTFOUND when none was saved). */
enc_rc enc_loyalty_programme(enc_store *st, enc_programme *p, enc_err *err);
/* Checks and saves a programme file's text (what names it in errors). */
enc_rc enc_loyalty_programme_save(enc_store *st, const char *text, size_t n, const char *what,
                                  int64_t now, enc_err *err);

typedef struct enc_points_result {
    int64_t entry_id; /* the main entry written (or replayed) */
    int64_t points;   /* its points (negative for debits) */
    int64_t bonus;    /* first-order bonus written with an order */
    int64_t balance;  /* the member's balance after it */
    bool replayed;    /* an earlier request with the same key (or order) answered */
    char tier[48];    /* the member's tier after it */
    bool upgraded;
    int64_t shortfall; /* a return: points that could not be taken back (negative not allowed) */
    char coupon[80];   /* a coupon reward's code (the campaign "loyalty"); "" for none */
} enc_points_result;

enc_rc enc_loyalty_earn_order(enc_store *st, const enc_programme *p, int64_t cust,
                              const char *order_key, int64_t now, enc_points_result *r,
                              enc_err *err);
enc_rc enc_loyalty_return_order(enc_store *st, const enc_programme *p, int64_t cust,
                                const char *order_key, int64_t now, enc_points_result *r,
                                enc_err *err);
/* A bonus of the programme: "signup" (once a member), "birthday", "review", "nps". */
enc_rc enc_loyalty_bonus(enc_store *st, const enc_programme *p, int64_t cust, const char *which,
                         const char *key, const char *actor, int64_t now, enc_points_result *r,
                         enc_err *err);
/* A manual adjustment (delta != 0) with a reason and who made it; a debit over the balance is
 * refused. */
enc_rc enc_loyalty_adjust(enc_store *st, const enc_programme *p, int64_t cust, int64_t delta,
                          const char *reason, const char *actor, const char *key, int64_t now,
                          enc_points_result *r, enc_err *err);
/* Redeems a reward of the catalogue (reward != NULL) or a number of points; over the balance is
 * refused. */
enc_rc enc_loyalty_redeem(enc_store *st, const enc_programme *p, int64_t cust, const char *reward,
                          int64_t points, const char *actor, const char *key, int64_t now,
                          enc_points_result *r, enc_err *err);
/* Gives back the points of redemption entry (to the lots it took them from), once. */
enc_rc enc_loyalty_reverse(enc_store *st, const enc_programme *p, int64_t cust, int64_t entry,
                           const char *actor, const char *key, int64_t now, enc_points_result *r,
                           enc_err *err);
/* Opening balance and tier from the shop's previous system: an import entry and lot (expiring
 * as earnings do from now), and the tier when given. Refused when the member already has
 * entries. */
enc_rc enc_loyalty_import(enc_store *st, const enc_programme *p, int64_t cust, int64_t points,
                          const char *tier, int64_t now, enc_points_result *r, enc_err *err);

/* The expiry job: every lot whose time has come by now. */
enc_rc enc_loyalty_expire(enc_store *st, int64_t now, int64_t *lots, int64_t *points, enc_err *err);

typedef struct enc_review_result {
    int64_t members, upgraded, downgraded, pending, cleared;
    bool review_day; /* a review date fell in (last review, now] */
} enc_review_result;
/* The tier review at now: upgrades at once; at a review date members below their tier get a
 * pending drop at the review date + grace days; a pending drop due by now downgrades a member
 * who still does not qualify. */
enc_rc enc_loyalty_review(enc_store *st, const enc_programme *p, int64_t now, enc_review_result *r,
                          enc_err *err);

/* What one member has at now: balance, open lots, tier and benefits, points expiring within 30
 * days, the metric and the gap to the next tier. lots freed by enc_member_status_free. */
typedef struct enc_member_status {
    bool member;
    int64_t balance, lots_sum, expiring_30d, metric, next_tier_gap; /* gap -1: top tier */
    int tier; /* index into the programme's tiers */
    char tier_name[48];
    char next_tier[48];
    int64_t tier_since, drop_at, joined_at;
    enc_lot *lots;
    size_t nlots;
} enc_member_status;
enc_rc enc_loyalty_status(enc_store *st, const enc_programme *p, int64_t cust, int64_t now,
                          enc_member_status *s, enc_err *err);
void enc_member_status_free(enc_member_status *s);

/* The segment language's loyalty fields for customers ids[0..n) (ascending, as a snapshot holds
 * them), into the caller's arrays of n: balance and points expiring within 30 days (0 when none),
 * tier_since (epoch seconds) and next_tier_gap (NaN for non-members, the top tier, or no
 * programme). */
typedef struct enc_loyalty_cols {
    double *balance, *expiring_30d, *tier_since, *next_tier_gap;
    double *upgraded_days, *drop_days; /* days since the latest upgrade; days until a pending
                                        * drop (NaN when none) */
} enc_loyalty_cols;
enc_rc enc_loyalty_columns(enc_store *st, int64_t now, const int64_t *ids, size_t n,
                           enc_loyalty_cols *c, enc_err *err);
#endif
