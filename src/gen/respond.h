/* respond.h — simulated customer responses to a campaign, with a known true uplift: the other
 * half of the synthetic shop (gen.h), closing the loop import -> score -> campaign -> dispatch
 * -> responses -> import -> report. For every member of a campaign (campaign_members) it draws
 * whether the customer buys within a window after their anchor — the delivery of their first
 * sent message for customers reached, their membership time for the holdout and for members
 * whose message was never delivered — at the base rate, plus the uplift for those reached;
 * realistic baskets from the shop's products; some reached buyers redeem their message's
 * coupon; some reached customers open and click. Output: CSV files `encore import` reads, and
 * the tracking links to hit on a running `encore serve` (or the same hits as events).
 * Deterministic: the same store and options give byte-identical files. docs/generator.md. */
#ifndef ENCORE_GEN_RESPOND_H
#define ENCORE_GEN_RESPOND_H
#include "base/err.h"
#include "campaign/token.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

#define ENC_RESPOND_DEFAULT_WINDOW (7 * 86400)

typedef struct enc_respond_opts {
    const char *campaign;  /* required: a campaign in the store */
    const char *out_dir;   /* required: created when missing; the files are replaced */
    double base_rate;      /* P(an order in the window) without the message, 0 .. 1 */
    double uplift;         /* added to it for customers whose message was delivered;
                              0 <= base_rate + uplift <= 1 (negative: the message hurts) */
    const char *uplift_by; /* NULL: the same uplift for everyone; else a feature of
                              store_uplift.h (orders, recency_days, ...): a reached customer's
                              uplift is uplift x 2 q, q the mid-rank share (0..1) of their value
                              among the members (before the anchor; missing lowest), so the
                              mean stays `uplift` and base_rate + 2 uplift must be <= 1 */
    double open_rate;      /* P(open) of a reached customer */
    double click_rate;     /* P(click) of a reached customer (a click implies an open when
                              click_rate <= open_rate: one uniform draw decides both) */
    double coupon_use;     /* P(a reached buyer whose message carried a coupon uses it) */
    int64_t window;        /* seconds after the anchor; 0 = ENC_RESPOND_DEFAULT_WINDOW */
    int64_t since, until;  /* only customers whose anchor is in [since, until); 0 = no bound */
    double aov;            /* mean order subtotal in currency units; 0 = the shop's mean */
    uint64_t seed;
    const char *base_url;     /* NULL: opens and clicks as rows of events.csv; else as tracking
                                 URLs under it in opens.txt and clicks.txt */
    const enc_token_key *key; /* signs the URLs (required with base_url) */
    const char *click_url;    /* where clicks lead; NULL = the shop_url of the campaign policy */
} enc_respond_opts;

/* Counts per group: customers, and what they did. Money in minor units. */
typedef struct enc_respond_group {
    int64_t customers, buyers, lines, revenue, discount, coupon_orders, opens, clicks;
} enc_respond_group;

typedef struct enc_respond_counts {
    enc_respond_group holdout;   /* held out: the control group */
    enc_respond_group reached;   /* a message of the campaign was delivered (state sent) */
    enc_respond_group unreached; /* assigned, but no message delivered */
    int64_t outside;             /* customers whose anchor is outside [since, until) */
    int64_t no_id;               /* customers without a merchant id (orders.csv needs one) */
    int64_t products;            /* products baskets were drawn from */
    int64_t aov;                 /* the mean subtotal used, minor units */
    char currency[8];
    int digits;
    int64_t first_anchor, last_anchor; /* over the customers drawn (0 when none) */
} enc_respond_counts;

/* Writes orders.csv and either events.csv or opens.txt and clicks.txt into o->out_dir.
 * ENC_EUSAGE for bad options, ENC_ENOTFOUND for an unknown campaign, ENC_EFAIL for a shop
 * without priced products, ENC_EIO when a file cannot be written, ENC_EDB on the store. */
enc_rc enc_respond_run(enc_store *st, const enc_respond_opts *o, enc_respond_counts *c,
                       enc_err *err);
#endif
