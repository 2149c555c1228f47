/* items.h — the products a campaign message shows ({{#items}} in templates): recommendations
 * of the recommendation engine (src/recommend: personal, cross-sell, up-sell, cart
 * complements, each with its reason), the occurrence's own products (the cart, what is due
 * for replenishment, what was viewed), best sellers of the customer's top categories,
 * complements of what they bought, the next tier up, or new arrivals in their categories.
 * Prepared from the snapshot once per plan, picked per message without allocating: the one
 * place campaign content asks for products. */
#ifndef ENCORE_CAMPAIGN_ITEMS_H
#define ENCORE_CAMPAIGN_ITEMS_H
#include "campaign/spec.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

typedef struct enc_items enc_items;

/* Prepares source `from` over snapshot s (complements are read from st's products; kind is
 * the recommendation kind for ENC_ITEMS_RECOMMENDED). The snapshot must outlive the result;
 * free it with enc_items_free. */
enc_rc enc_items_new(const enc_snapshot *s, enc_store *st, enc_items_from from, int kind,
                     int64_t now, enc_items **out, enc_err *err);
void enc_items_free(enc_items *it);
/* Up to max product ids (snapshot ids) for customer cust (snapshot index), given the
 * occurrence's products trig[0, ntrig), into out; returns how many. */
size_t enc_items_pick(enc_items *it, int32_t cust, const int32_t *trig, size_t ntrig, int max,
                      int32_t *out);
/* The reason of the k-th product of the latest pick ("bought with ..."), or "" for sources
 * without reasons. Writes at most cap bytes. */
void enc_items_reason(const enc_items *it, size_t k, char *buf, size_t cap);
/* The customer's most bought top-level category (snapshot tops id), or -1. */
int32_t enc_items_top_category(const enc_snapshot *s, int32_t cust);
#endif
