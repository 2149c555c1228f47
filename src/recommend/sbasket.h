/* sbasket.h — market baskets taken from a snapshot (snapshot.h) instead of a file, for
 * FP-growth and association rules (fpgrowth.h, rules.h): the sale lines of one order, or the
 * products a customer looked at in one session. `encore rules` without a FILE and the
 * recommendation model (recommend.h) mine the store through here.
 *
 * Item ids are the snapshot's own ids: at product level item k is product k (labelled by its
 * sku), at category level item k is category k of s->cats (labelled by the category path), so
 * mined itemsets and rules index the snapshot's arrays directly.
 *
 * Ownership: the returned set is the caller's, freed with enc_basket_free. */
#ifndef ENCORE_SBASKET_H
#define ENCORE_SBASKET_H
#include "base/err.h"
#include "recommend/basket.h"
#include "snapshot/snapshot.h"

typedef enum enc_sb_source {
    ENC_SB_ORDERS,   /* one basket a sale order: the products of its sale lines */
    ENC_SB_SESSIONS, /* one basket a session of a customer's events (view, click, favorite,
                        cart_add with a product): events with the same session id; events
                        without one are grouped by customer and UTC day */
} enc_sb_source;

typedef enum enc_sb_level {
    ENC_SB_PRODUCT,  /* items are products */
    ENC_SB_CATEGORY, /* items are categories (full path); products without one are left out */
} enc_sb_level;

/* Builds the baskets. Empty baskets (an order whose products are all unknown, or have no
 * category at category level) are left out: they say nothing about co-occurrence. */
enc_rc enc_sbasket_build(const enc_snapshot *s, enc_sb_source src, enc_sb_level level,
                         enc_basket_set **out, enc_err *err);

/* Parses "orders" / "sessions" and "product" / "category". False when unknown. */
bool enc_sb_source_parse(const char *s, enc_sb_source *out);
bool enc_sb_level_parse(const char *s, enc_sb_level *out);
#endif
