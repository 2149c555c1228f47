/* recommend.h — the recommendation model: built once from a snapshot (snapshot.h), it holds
 * item-to-item neighbours and customer profiles (itemsim.h), association rules of the orders
 * (fpgrowth.h, rules.h, through sbasket.h), up-sell alternatives (upsell.h), popularity and the
 * business filters. Per-customer calls then fill a top-N with scores and reasons, reading the
 * model and a caller's workspace only: no allocation per call, so campaigns can ask for every
 * customer and `encore recommend` answers in microseconds once the model is built.
 *
 * Kinds (docs/recommendations.md gives every formula):
 *   personal  item-to-item over the customer's whole profile, plus rules over what they bought,
 *             plus due replenishables; the rest filled with popular products
 *   cross     complements of the customer's last order: rules and neighbours, other categories
 *   up        better alternatives (upsell.h) of what they looked at or bought
 *   cart      complements of the abandoned cart
 *   popular / rules / itemsim   the baselines of the offline evaluation (eval.h)
 * Filters on every kind: blocked products (out of stock, excluded sku or category) never appear;
 * a product the customer bought appears only when it is replenishable and due; at most per_top
 * products of one top category in a list.
 *
 * Ownership: the model borrows the snapshot (keep it alive while the model is used) and owns the
 * rest; free it with enc_rec_model_free. A workspace belongs to one thread at a time. */
#ifndef ENCORE_RECOMMEND_H
#define ENCORE_RECOMMEND_H
#include "base/err.h"
#include "recommend/fpgrowth.h"
#include "recommend/itemsim.h"
#include "recommend/upsell.h"
#include "snapshot/snapshot.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum enc_rec_kind {
    ENC_REC_PERSONAL,
    ENC_REC_CROSS,
    ENC_REC_UP,
    ENC_REC_CART,
    ENC_REC_POPULAR,
    ENC_REC_RULES,
    ENC_REC_ITEMSIM,
    ENC_REC_NKINDS
} enc_rec_kind;
const char *enc_rec_kind_name(enc_rec_kind k);
bool enc_rec_kind_parse(const char *s, enc_rec_kind *out);

typedef enum enc_rec_reason {
    ENC_RSN_SIMILAR,     /* liked by the customers of the anchor, which this customer knows */
    ENC_RSN_BOUGHT_WITH, /* bought together with the anchor (a rule, or co-purchase) */
    ENC_RSN_CART,        /* goes with the anchor in the abandoned cart */
    ENC_RSN_BETTER,      /* a better model than the anchor */
    ENC_RSN_RESTOCK,     /* the anchor itself, bought before and due again */
    ENC_RSN_POPULAR,     /* popular (no anchor) */
} enc_rec_reason;
const char *enc_rec_reason_name(enc_rec_reason r);

typedef struct enc_rec_item {
    int32_t prod;   /* snapshot product index */
    float score;    /* larger is better; comparable within one list */
    uint8_t reason; /* enc_rec_reason */
    uint8_t how;    /* what the customer did with the anchor: ENC_HOW_* bits */
    int32_t anchor; /* the product the reason names, -1 for none */
} enc_rec_item;

typedef struct enc_rec_opts {
    enc_itemsim_opts sim;
    enc_upsell_opts up;
    enc_support rule_support;       /* default: count 5 */
    double rule_confidence;         /* default 0.05 */
    double rule_lift;               /* default 1 (no rule below independence) */
    int32_t rule_max_len;           /* items in X and Y; default 2 (one-item antecedents) */
    int32_t rule_top;               /* rules kept per first antecedent product, best confidence
                                       first; default 20; 0: all */
    double rules_weight;            /* personal: rules beside item-to-item; default 0.5 */
    double neighbour_weight;        /* cross and cart: neighbours beside rules; default 0.5 */
    int32_t per_top;                /* most products of one top category in a list (products
                                       without a category are not limited); 0: no limit; default 5 */
    double restock_due;             /* a bought replenishable is due after this share of its
                                       replenish_days; default 0.8 */
    int32_t cart_days;              /* the abandoned cart: carted within this many days before the
                                       latest abandoned cart_add; default 30 */
    bool include_out_of_stock;      /* default false */
    const char *const *exclude_sku; /* borrowed during the build only */
    size_t n_exclude_sku;
    const char *const *exclude_category; /* a category path and everything under it */
    size_t n_exclude_category;
} enc_rec_opts;

void enc_rec_defaults(enc_rec_opts *o);

typedef struct enc_rec_model {
    const enc_snapshot *s; /* borrowed */
    enc_rec_opts o;        /* the options (exclusion lists not kept) */
    enc_itemsim sim;
    enc_upsell up;
    /* rules X -> y (one-item consequent, X not empty), indexed by the first (lowest) product of
       X: rules of product a at [ru_off[a], ru_off[a+1]), confidence descending; the other
       products of X of rule r at ru_x[ru_xoff[r] .. ru_xoff[r+1]) */
    size_t n_rules;
    int64_t *ru_off, *ru_xoff;
    int32_t *ru_then, *ru_x;
    float *ru_conf, *ru_lift;
    int32_t rule_min_count;
    int32_t *buyers; /* per product: distinct customers who bought it */
    int32_t max_buyers;
    int32_t *pop_order; /* products bought by someone and not blocked, most buyers first */
    size_t n_pop;
    uint8_t *blocked; /* per product: never recommended */
    size_t n_blocked;
    double sim_seconds, rules_seconds, up_seconds;
} enc_rec_model;

/* Builds the model from s. *out is the caller's (zero it first), freed with enc_rec_model_free. */
enc_rc enc_rec_model_build(const enc_snapshot *s, const enc_rec_opts *o, enc_rec_model *out,
                           enc_err *err);
void enc_rec_model_free(enc_rec_model *m);

typedef struct enc_rec_ws enc_rec_ws;
/* A workspace for per-customer calls on model m (arrays the size of the catalogue). */
enc_rec_ws *enc_rec_ws_new(const enc_rec_model *m);
void enc_rec_ws_free(enc_rec_ws *w);

/* Fills out[0..n) with up to n recommendations of the given kind for snapshot customer index
 * cust, best first; returns how many. Allocates nothing. */
size_t enc_rec_recommend(const enc_rec_model *m, enc_rec_kind kind, size_t cust, enc_rec_ws *w,
                         size_t n, enc_rec_item *out);

/* The abandoned cart of customer cust: products put in the cart with no later purchase or
 * removal, carted within cart_days before the latest such cart_add. Writes up to cap products
 * (latest first) to out; returns how many there are. Allocates nothing. */
size_t enc_rec_abandoned_cart(const enc_rec_model *m, size_t cust, enc_rec_ws *w, int32_t *out,
                              size_t cap);

/* The reason as text ("bought with NAME", "better than NAME you viewed", ...); the anchor is
 * named by its product name, else its sku. Writes at most cap bytes, NUL-terminated. */
void enc_rec_reason_text(const enc_rec_model *m, const enc_rec_item *it, char *buf, size_t cap);
#endif
