/* upsell.h — up-sell alternatives: for each product, the better models in its own category that
 * customers actually buy, a reasonable price step up. Built once from a snapshot (snapshot.h)
 * by the recommendation model (recommend.h), which turns what a customer looks at into "better
 * than Y you viewed".
 *
 * q is an alternative of p when all of these hold:
 *   - same leaf category (the full category path), q != p, both with a known price > 0;
 *   - better: when both tiers are known (> 0), tier(q) > tier(p) and price(q) > price(p);
 *     otherwise price(q) >= min_step * price(p);
 *   - a reasonable step: price(q) <= max_step * price(p) (max_step <= 0: no cap);
 *   - well bought: buyers(q) >= min_buyers (distinct customers who bought q);
 *   - q is not blocked (out of stock, excluded).
 * score(p -> q) = buyers(q) * 0.5^(d - 1), d = tier(q) - tier(p) when tiers are known, else 1:
 * the next tier up first, each further tier halves the score. The top_m alternatives by score
 * are kept (ties: lower price, then lower product id).
 *
 * Ownership: enc_upsell is caller-owned (zero it first), freed with enc_upsell_free. */
#ifndef ENCORE_UPSELL_H
#define ENCORE_UPSELL_H
#include "base/err.h"
#include "snapshot/snapshot.h"
#include <stddef.h>
#include <stdint.h>

typedef struct enc_upsell_opts {
    double max_step;    /* default 2.0 */
    double min_step;    /* default 1.1, used when a tier is unknown */
    int32_t min_buyers; /* default 3 */
    int32_t top_m;      /* default 5 */
} enc_upsell_opts;

void enc_upsell_defaults(enc_upsell_opts *o);

typedef struct enc_upsell {
    size_t nprod;
    int64_t *off; /* nprod + 1: alternatives of p at [off[p], off[p+1]), best first */
    int32_t *item;
    float *score;
} enc_upsell;

/* buyers: nprod counts; blocked: nprod flags (non-zero = never offered), may be NULL. */
enc_rc enc_upsell_build(const enc_snapshot *s, const int32_t *buyers, const uint8_t *blocked,
                        const enc_upsell_opts *o, enc_upsell *out, enc_err *err);
void enc_upsell_free(enc_upsell *u);
#endif
