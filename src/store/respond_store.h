/* respond_store.h — the reads behind simulated campaign responses (src/gen/respond.c): the
 * products in stock, the shop's currency and mean order, a campaign's members and their first
 * delivered messages with coupons. Part of the store interface (store.h), in its own header. */
#ifndef ENCORE_RESPOND_STORE_H
#define ENCORE_RESPOND_STORE_H
#include "store/scan_store.h"

typedef enum enc_respq {
    /* -> sku, name, category, brand, price of priced products in stock, by price, sku */
    ENC_RESPQ_PRODUCTS,
    /* -> the most common currency of the orders (else of the products) */
    ENC_RESPQ_CURRENCY,
    /* -> the mean sales of paid orders (NULL without any) */
    ENC_RESPQ_AOV,
    /* ?1 campaign -> customer_id, max(holdout), min(at), external_id, country, by customer */
    ENC_RESPQ_MEMBERS,
    /* ?1 campaign -> customer_id, message id, channel, sent_at, payload, coupon code, kind,
     * amount, min_spend, issued_at, expires_at of sent messages, by customer, sent_at, id */
    ENC_RESPQ_MESSAGES,
    /* ?1 campaign -> a row when the campaign exists */
    ENC_RESPQ_CAMPAIGN,
    ENC_RESPQ_N
} enc_respq;

/* A cursor on q, with ?1 = campaign (copied) when not NULL; NULL with err "what: <message>". */
enc_scan *enc_store_respq(enc_store *st, enc_respq q, const char *campaign, const char *what,
                          enc_err *err);
#endif
