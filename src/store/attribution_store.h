/* attribution_store.h — the reads behind a campaign's attribution (src/measure/attribution.c):
 * its members with their messages, the tracking events and orders of its members, the coupons
 * they redeemed, other campaigns' touches and coupons, the shop's currency. Each query binds
 * ?1 = the campaign, ?2 = the as-of time and, where it has one, ?3 = `third` (listed per query).
 * Part of the store interface (store.h), in its own header. */
#ifndef ENCORE_ATTRIBUTION_STORE_H
#define ENCORE_ATTRIBUTION_STORE_H
#include "store/scan_store.h"

typedef enum enc_attrq {
    /* ?3 = before (0: none) -> customer_id, holdout, variant, channel, at, message id, state,
     * sent_at (message columns NULL without a message), by customer, at */
    ENC_ATTRQ_MEMBERS,
    /* ?3 = from -> message_id of the props (or NULL), type, ts of the members' open, click and
     * unsubscribe events */
    ENC_ATTRQ_EVENTS,
    /* -> message id, coupon kind, amount, order id, ts, sales, discount of redeemed coupons */
    ENC_ATTRQ_COUPONS,
    /* ?3 = from -> customer_id, id, ts, sales of the members' paid orders, by customer, ts, id */
    ENC_ATTRQ_ORDERS,
    /* ?3 = from -> customer_id, time, channel, priority: other campaigns' sends, then clicks */
    ENC_ATTRQ_OTHER_SENDS,
    ENC_ATTRQ_OTHER_CLICKS,
    /* -> order id redeemed by other campaigns' coupons of the members */
    ENC_ATTRQ_OTHER_COUPONS,
    /* -> the first currency code on the orders */
    ENC_ATTRQ_CURRENCY,
    ENC_ATTRQ_N
} enc_attrq;

/* A cursor on q with its parameters bound (the caller closes it); NULL with err
 * "attribution: prepare: <message>". campaign is copied. */
enc_scan *enc_store_attrq(enc_store *st, enc_attrq q, const char *campaign, int64_t as_of,
                          int64_t third, enc_err *err);
#endif
