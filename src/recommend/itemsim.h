/* itemsim.h — item-to-item similarity from what customers did (Sarwar et al. 2001, "Item-based
 * collaborative filtering recommendation algorithms", WWW; Deshpande & Karypis 2004, "Item-based
 * top-N recommendation algorithms", TOIS). Sits between the snapshot (snapshot.h) and the
 * recommendation model (recommend.h): it turns each customer's purchases, carts, favourites and
 * views into one weighted profile, and keeps for every product its top-M most similar products.
 *
 * Profile (one entry per customer c and product i the customer touched):
 *   r(c,i) = max over c's interactions e with i of  w(type e) * 2^(-age(e) / half_life)
 *   age(e) = now - ts(e) in days (0 when ts is later than now), w: purchase > cart > favourite >
 *   view (click counts as a view). The max, not the sum: a wholesaler buying one product fifty
 *   times does not outweigh everything else they bought.
 * Similarity (cosine of the product columns of r):
 *   sim(i,j) = sum_c r(c,i) r(c,j) / ( sqrt(sum_c r(c,i)^2) * sqrt(sum_c r(c,j)^2) )
 * Neighbours of i: the top_m products j != i with sim(i,j) > 0, by sim descending, ties by j
 * ascending. The sums run over customers in ascending index order, in double precision.
 *
 * Ownership: enc_itemsim is caller-owned (zero it first) and its arrays are freed with
 * enc_itemsim_free. */
#ifndef ENCORE_ITEMSIM_H
#define ENCORE_ITEMSIM_H
#include "base/err.h"
#include "snapshot/snapshot.h"
#include <stddef.h>
#include <stdint.h>

/* what a customer did with a product: bits of enc_itemsim.prof_how */
enum { ENC_HOW_BOUGHT = 1, ENC_HOW_CART = 2, ENC_HOW_FAVORITE = 4, ENC_HOW_VIEW = 8 };

typedef struct enc_itemsim_opts {
    float w_purchase, w_cart, w_favorite, w_view; /* defaults 1, 0.6, 0.45, 0.3 */
    double half_life_days;                        /* default 180; <= 0: no decay */
    int64_t now;   /* decay reference instant; ENC_NO_TIME (default): the snapshot's
                      as_of, or when that is INT64_MAX the latest order or event + 1 s */
    int32_t top_m; /* neighbours kept per product; default 20 */
    int threads;   /* default 2 */
} enc_itemsim_opts;

void enc_itemsim_defaults(enc_itemsim_opts *o);

typedef struct enc_itemsim {
    size_t nprod, ncust;
    int64_t now; /* the decay reference used */
    /* profiles: customer c holds entries [prof_off[c], prof_off[c+1]), products ascending */
    int64_t *prof_off; /* ncust + 1 */
    int32_t *prof_item;
    float *prof_w;        /* r(c,i) >= 0 (0 only when a weight is set to 0) */
    uint8_t *prof_how;    /* ENC_HOW_* bits: every kind of interaction seen */
    int64_t *prof_bought; /* last purchase time, ENC_NO_TIME when never bought */
    /* neighbours: product i holds [nb_off[i], nb_off[i+1]), sim descending */
    int64_t *nb_off; /* nprod + 1 */
    int32_t *nb_item;
    float *nb_sim;
} enc_itemsim;

/* Builds profiles from the snapshot's sale lines and events, then the neighbours. */
enc_rc enc_itemsim_build(const enc_snapshot *s, const enc_itemsim_opts *o, enc_itemsim *out,
                         enc_err *err);

/* The neighbour step alone, over given profiles (CSR: ncust + 1 offsets, products ascending
 * and distinct within a customer, weights >= 0; a 0 adds nothing): fills out->nb_* (and nprod,
 * ncust); the profile pointers of out are left as they are. Used by enc_itemsim_build and by tests.
 */
enc_rc enc_itemsim_neighbours(size_t nprod, size_t ncust, const int64_t *off, const int32_t *item,
                              const float *w, int32_t top_m, int threads, enc_itemsim *out,
                              enc_err *err);

void enc_itemsim_free(enc_itemsim *m);
#endif
