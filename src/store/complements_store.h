/* complements_store.h — the products' complements (products.complements: "sku|sku|...", set by
 * the catalogue import) read for message content (campaign/items.c picks complements of what a
 * customer bought). */
#ifndef ENCORE_STORE_COMPLEMENTS_STORE_H
#define ENCORE_STORE_COMPLEMENTS_STORE_H
#include "base/err.h"
#include "store/store.h"

/* fn(ctx, sku, complements) for every product with complements; sku may be NULL; the strings
 * belong to the scan. */
enc_rc enc_store_complements_scan(enc_store *st,
                                  void (*fn)(void *ctx, const char *sku, const char *complements),
                                  void *ctx, enc_err *err);
#endif
