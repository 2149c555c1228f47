/* campreport.h — a campaign's results: the attribution of its orders (attribution.h) turned
 * into rates, uplift over the holdout with 95% intervals and p-values (uplift.h), incremental
 * revenue, cost and ROI, and the A/B comparison of its variants; written as JSON (the contract
 * of `encore campaign report NAME --json`, docs/measurement.md) or as text tables. The last
 * stage of the flow: the CLI, the HTML report (src/report) and the A/B decision
 * (src/measure/abdecide.c) read it. */
#ifndef ENCORE_MEASURE_CAMPREPORT_H
#define ENCORE_MEASURE_CAMPREPORT_H
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "measure/attribution.h"
#include "measure/uplift.h"
#include "campaign/campdb.h"
#include <stdbool.h>

#define ENC_MEASURE_LEVEL 0.95 /* confidence of every interval */
#define ENC_MEASURE_ALPHA 0.05 /* "significant": a two-sided p-value below this */

/* A group (a variant, or every variant together) against the holdout. Money in minor units. */
typedef struct enc_uplift {
    bool valid;                            /* both the group and the holdout have customers */
    enc_prop_diff conv;                    /* conversion rate: group - holdout */
    enc_welch rpc;                         /* attributed revenue per customer: group - holdout */
    double incr_conversions;               /* conv.diff x audience */
    double incr_revenue, incr_lo, incr_hi; /* rpc.diff (and its interval) x audience */
    int64_t cost; /* message cost (rounded to the minor unit) + coupon cost */
    double roi;   /* (incr_revenue - cost) / cost; NaN when cost is 0 */
} enc_uplift;

/* The best variant by the metric against each other variant. */
typedef struct enc_ab_cmp {
    int variant;                /* the other variant (index into the attribution's groups) */
    double diff, lo, hi;        /* leader - other: a rate difference (Newcombe) or a difference of
                                 * revenue per customer in minor units (Welch) */
    double p_value, p_adjusted; /* two-sided; Holm-adjusted over the comparisons */
    const char *test;           /* "z", "fisher" or "welch" */
} enc_ab_cmp;
typedef struct enc_ab_result {
    enc_ab_metric metric;
    int leader;                          /* highest value; ties go to the variant listed first */
    double value[ENC_SPEC_MAX_VARIANTS]; /* the metric per variant (NaN without customers):
                                          * conversion or click rate, or revenue per customer
                                          * in minor units */
    enc_ab_cmp cmp[ENC_SPEC_MAX_VARIANTS];
    int ncmp;
    bool significant; /* every Holm-adjusted p-value below ENC_MEASURE_ALPHA */
} enc_ab_result;

/* Compares the variants of a (at least one) by the metric. */
void enc_ab_compare(const enc_attr *a, enc_ab_metric metric, enc_ab_result *out);
/* Writes the comparison as one JSON object (metric, variants with their counts and value,
 * leader, significant, comparisons) onto w. */
void enc_ab_json(const enc_attr *a, const enc_ab_result *r, enc_jw *w);
const char *enc_ab_metric_name(enc_ab_metric m);
/* The rule that chose the variant rolled out, in words, into out: the leader by the metric,
 * significant at 0.05 (Holm) with the largest adjusted p-value, or, when not significant, the
 * highest value observed, no better than chance at 0.05. *pmax (may be NULL) gets that p. */
void enc_ab_rule(const enc_ab_result *r, char *out, size_t cap, double *pmax);

/* The report of one campaign as of a time. */
typedef struct enc_campreport {
    char state[16];
    int64_t started_at, ab_decided_at; /* 0 = never */
    char ab_winner[ENC_SPEC_MAX_NAME]; /* "" = no A/B decision */
    int ab_winner_significant;         /* the stored decision: 1, 0, -1 = not recorded */
    char ab_rule[200];                 /* the stored decision's rule (enc_ab_rule), or "" */
    bool has_ab_test;                  /* the file has an "ab" section */
    enc_attr *all;                     /* every member up to as-of */
    enc_attr *test;                    /* the A/B test's members (before the decision); NULL
                                        * unless decided, when it is what `ab` compares */
    enc_uplift up[ENC_ATTR_GROUPS];    /* variants and ENC_ATTR_TREATED against the holdout */
    bool has_ab;                       /* two variants or more */
    enc_ab_result ab;
    enc_camp_counts counts; /* the outbox: messages by state, expired by reason */
    enc_buf journey;        /* a journey's funnel (campaign/journey.h), JSON; empty otherwise */
} enc_campreport;

/* Builds the report of campaign `name` as of `as_of`. ENC_ENOTFOUND when there is no such
 * campaign. The caller frees *out with enc_campreport_free. */
enc_rc enc_campreport_build(enc_store *st, const char *name, int64_t as_of, enc_campreport **out,
                            enc_err *err);
/* The same with the attribution rule chosen: all_campaigns = every campaign whose window holds
 * an order counts it (`--attribution all`), else last touch across campaigns (the default). */
enc_rc enc_campreport_build_rule(enc_store *st, const char *name, int64_t as_of, bool all_campaigns,
                                 enc_campreport **out, enc_err *err);
void enc_campreport_free(enc_campreport *r);
/* The uplift of group g of a over its holdout. */
void enc_uplift_of(const enc_attr *a, int g, enc_uplift *out);
/* Attributed revenue over time: the days since a->day0 in periods of one day, or of a week when
 * there are more than ENC_CAMPREPORT_MAX_POINTS days. Returns the number of periods and sets
 * *step (days per period). The last period may be shorter. */
#define ENC_CAMPREPORT_MAX_POINTS 120
int enc_campreport_periods(const enc_attr *a, int *step);
/* Group g's attributed revenue (minor units) in each period: out[0..np) with np and step from
 * enc_campreport_periods; the caller owns out. The values add up to the group's revenue. The
 * JSON (revenue_over_time) and the HTML report's revenue chart both read it. */
void enc_campreport_period_revenue(const enc_attr *a, int g, int step, int np, int64_t *out);
/* The JSON document (docs/measurement.md) onto w. */
void enc_campreport_json(const enc_campreport *r, enc_jw *w);
/* Aligned text tables onto out. */
void enc_campreport_text(const enc_campreport *r, enc_buf *out);
#endif
