/* attribution.h — which orders a campaign brought, per variant and for the holdout: the
 * first step of measurement (campaign -> delivery -> responses -> attribution -> uplift and
 * the report, campreport.h). It reads the campaign's members (who was assigned to which
 * variant, who was held out), their outbox messages, the tracking events on those messages
 * (opens, clicks, unsubscribes), the coupons redeemed and the members' paid orders, and
 * counts, per group, the funnel, the attributed orders and revenue, and each customer's
 * attributed revenue (for the statistics, uplift.h).
 *
 * The rule (docs/measurement.md): an order counts for a member when it redeemed a coupon of
 * that member's message (whenever it came), or when it came after one of the member's anchors
 * and within the window of the member's channel: anchors are the delivery (sent_at) of a
 * delivered message and every click on it; a member whose message was not delivered (queued,
 * failed, suppressed, ...) and a holdout member have their membership time instead, so every
 * assigned customer has the same chance (intention to treat). An order counts once: the
 * coupon first, else the latest anchor whose window holds it.
 *
 * Across campaigns (the default, last touch): an order counts for at most one campaign. An
 * order that redeemed another campaign's coupon is that campaign's; an order whose window here
 * also holds a later real touch of another campaign (a delivered message or a click on one,
 * within that campaign's window for its channel; at the same instant, the campaign of higher
 * priority) is that campaign's. Summed over campaigns, revenue is then counted once. With
 * all_campaigns (`campaign report --attribution all`) each campaign counts every order its
 * windows hold, the rule before issue 11. */
#ifndef ENCORE_MEASURE_ATTRIBUTION_H
#define ENCORE_MEASURE_ATTRIBUTION_H
#include "base/err.h"
#include "campaign/spec.h"
#include "measure/msettings.h"
#include "store/store.h"
#include <stdint.h>

#define ENC_ATTR_TREATED ENC_SPEC_MAX_VARIANTS       /* index of every variant together */
#define ENC_ATTR_HOLDOUT (ENC_SPEC_MAX_VARIANTS + 1) /* index of the control group */
#define ENC_ATTR_GROUPS (ENC_SPEC_MAX_VARIANTS + 2)
#define ENC_ATTR_MAX_DAYS 3660 /* days in the revenue series; later orders go to the last */

typedef struct enc_attr_group {
    char name[ENC_SPEC_MAX_NAME]; /* the variant's; "treated", "holdout" */
    /* customers, each counted once in a group: the funnel */
    int64_t audience;     /* assigned (members of the group): the denominator of every rate */
    int64_t sent;         /* a message was handed to the provider (state sent, failed or dead) */
    int64_t delivered;    /* a message was accepted (state sent) */
    int64_t failed;       /* sent, but none accepted: sent = delivered + failed */
    int64_t opened;       /* delivered, with an open or a click on a delivered message */
    int64_t clicked;      /* delivered, with a click on a delivered message */
    int64_t unsubscribed; /* delivered, with an unsubscribe from a delivered message */
    int64_t converted;    /* with at least one attributed order */
    int64_t repurchased;  /* with a paid order inside one of their windows (coupon or not) */
    int64_t open_windows; /* with a window still open at the as-of time */
    /* rows */
    int64_t members;          /* customer-occurrences */
    int64_t messages;         /* outbox messages of those members */
    int64_t messages_sent;    /* of which accepted (state sent): what message costs count */
    int64_t orders;           /* attributed orders */
    int64_t orders_by_coupon; /* of which by a redeemed coupon */
    int64_t revenue;          /* their sales, minor units */
    int64_t coupons_redeemed; /* coupons of the group redeemed by a paid order up to as-of */
    int64_t coupon_cost;      /* value coupons: face value; percent: the order's discount */
    double message_cost;      /* messages_sent x the channel's cost, minor units */
    double *rev;              /* attributed revenue of each customer (minor units), audience
                               * values; owned by the enc_attr */
    int64_t *daily;           /* attributed revenue per UTC day from day0, ndays values */
} enc_attr_group;

typedef struct enc_attr {
    char campaign[ENC_SPEC_MAX_NAME];
    int64_t as_of;       /* orders, events and members up to here */
    int64_t before;      /* 0, or members only before this (an A/B test's phase) */
    int64_t first_at;    /* the earliest membership counted (0 when none) */
    int64_t day0;        /* UTC midnight of first_at */
    int ndays;           /* days in the daily series */
    int holdout_channel; /* whose window the holdout gets: the campaign's first channel */
    enc_mset set;        /* the settings used */
    char currency[8];    /* the orders' currency code, "" when unknown */
    int digits;          /* its minor-unit digits (2 when unknown) */
    int nvariants;       /* g[0 .. nvariants): the variants in the campaign file's order, then any
                          * other variant names found among the members */
    enc_attr_group g[ENC_ATTR_GROUPS]; /* ... g[ENC_ATTR_TREATED], g[ENC_ATTR_HOLDOUT] */
    bool all_campaigns;                /* the rule used (enc_attr_opts) */
    int64_t lost_to_others;            /* orders this campaign's windows held that went to
                                        * another campaign (last touch) */
} enc_attr;

typedef struct enc_attr_opts {
    int64_t as_of;        /* required: count what happened up to here (inclusive) */
    int64_t before;       /* 0, or only members whose time is before this */
    const enc_mset *set;  /* NULL: the stored settings of the campaign (enc_mset_load) */
    const enc_spec *spec; /* NULL: the campaign's stored file */
    bool all_campaigns;   /* every campaign whose window holds an order counts it (else last
                           * touch across campaigns: at most one) */
} enc_attr_opts;

/* Attributes the campaign's orders up to o->as_of. ENC_ENOTFOUND when there is no such
 * campaign. The caller frees *out with enc_attr_free. */
enc_rc enc_attr_run(enc_store *st, const char *campaign, const enc_attr_opts *o, enc_attr **out,
                    enc_err *err);
void enc_attr_free(enc_attr *a);
#endif
