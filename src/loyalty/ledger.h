/* ledger.h — the arithmetic of the points ledger, free of storage: the points an order earns
 * under a programme, when a lot expires, and which lots a debit consumes (oldest first). The
 * operations in loyalty.h apply these to the store's entries and lots; the property test's
 * independent model (tests/oracle/loyalty_oracle.py) computes the same things its own way. */
#ifndef ENCORE_LOYALTY_LEDGER_H
#define ENCORE_LOYALTY_LEDGER_H
#include "loyalty/programme.h"
#include "store/store_loyalty.h" /* enc_lot, enc_earn_line */
#include <stddef.h>
#include <stdint.h>

/* Points an order earns before the caps:
 *   net      = max(0, total - discount)             (total: the order's lines, or its total)
 *   weighted = floor(sum_i amount_i * m_i * net / sales)   m_i: the SKU's multiplier, else the
 *              longest matching category prefix's, else 1 (all in hundredths); sales = sum of
 *              sale lines (orders without lines: one line of the total)
 *   points   = floor(weighted * rate * tier * day / (unit * 100^4))
 * with rate the points per unit, tier the member's tier multiplier and day the member-day
 * multiplier on the programme's member day (UTC day of month of ts), else 100. */
int64_t enc_ledger_order_points(const enc_programme *p, const enc_earn_line *lines, size_t n,
                                int64_t total, int64_t discount, int64_t ts, int64_t tier_mult100);
/* The order's points after the per-order cap and what is left of the per-day cap
 * (earned_today: points earned by orders on the same UTC day before this one). */
int64_t enc_ledger_capped(const enc_programme *p, int64_t points, int64_t earned_today);
/* When a lot earned at ts expires (0 = never): ts + N months (day clamped to the month's end)
 * or 00:00 UTC on 1 January of the year N+1 after ts's year. */
int64_t enc_ledger_expires_at(const enc_programme *p, int64_t ts);
/* ts moved by n months (n may be negative), the day clamped to the month's length. */
int64_t enc_ledger_add_months(int64_t ts, int n);
/* The first review instant strictly after `after` (00:00 UTC on the review month/day). */
int64_t enc_ledger_next_review(const enc_programme *p, int64_t after);

/* Which lots a debit of `want` points consumes: the lot `first` (an id, or 0) first, then the
 * positive lots oldest first (earned_at, then id) as lots[] comes from the store. take[i] gets
 * the points taken from lots[i]; returns the total taken (<= want). */
int64_t enc_ledger_take(const enc_lot *lots, size_t n, int64_t first, int64_t want, int64_t *take);
/* The sum of the lots' remaining points (the balance when the ledger is consistent). */
int64_t enc_ledger_lots_sum(const enc_lot *lots, size_t n);
#endif
