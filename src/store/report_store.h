/* report_store.h — the aggregate reads behind the HTML report (src/report/report.c,
 * report_campaigns.c): one query per table or chart over profiles, score_runs, orders and
 * campaigns. Part of the store interface (store.h), in its own header. */
#ifndef ENCORE_REPORT_STORE_H
#define ENCORE_REPORT_STORE_H
#include "store/scan_store.h"

typedef enum enc_repq {
    ENC_REPQ_RUNS,             /* -> profiles, distinct runs, latest run */
    ENC_REPQ_RUN_INFO,         /* ?1 run -> as_of, started_at, seconds, models */
    ENC_REPQ_CAMPAIGNS,        /* -> campaigns with members */
    ENC_REPQ_CURRENCY,         /* -> the orders' currencies, most common first (2 at most) */
    ENC_REPQ_SUMMARY,          /* -> the headline sums over profiles */
    ENC_REPQ_RF_GRID,          /* -> r, f, customers */
    ENC_REPQ_CLV_STATS,        /* -> min positive, max, mean, sum, non-positive, positive clv */
    ENC_REPQ_CLV_BELOW,        /* ?1 -> customers with 0 < clv < ?1 */
    ENC_REPQ_CLV_TOP_DECILE,   /* -> clv of the top tenth */
    ENC_REPQ_CHURN_BANDS,      /* -> churn risk bands */
    ENC_REPQ_WEEKLY_OCCASIONS, /* ?1 from, ?2 to -> week, purchase occasions */
    ENC_REPQ_OCCASIONS,        /* ?1 from, ?2 to -> purchase occasions */
    ENC_REPQ_EXPECTED,         /* -> expected purchases 30/90/365 d, their counts, last order */
    ENC_REPQ_TOP_CATEGORIES,   /* -> category, customers, first-ranked */
    ENC_REPQ_CATEGORY_REVENUE, /* ?1 as_of -> category, revenue */
    ENC_REPQ_CLV_COUNT,        /* -> count of positive clv */
    ENC_REPQ_CLV_RANKS,        /* ?1 JSON array of ranks -> rank, clv of the positive clv */
    ENC_REPQ_CAMPAIGN_NAMES,   /* -> names of campaigns with members, latest started first */
    ENC_REPQ_N
} enc_repq;

/* A cursor on q (the caller closes it); NULL with err "report: reading the store: <message>". */
enc_scan *enc_store_repq(enc_store *st, enc_repq q, enc_err *err);

/* col, customers, sum of monetary per value of a profiles grouping column (rfm_segment,
 * rfm_segment_cn, lifecycle or lifecycle_class; another name fails with ENC_EUSAGE), by
 * customers descending. */
enc_scan *enc_store_report_groups(enc_store *st, const char *col, enc_err *err);

/* bin, customers over the bins of edges[0..nb) (a value below edges[1] in bin 0, ... at or
 * above edges[nb - 1] in bin nb - 1) of clv in currency units (clv / 10^digits, positive clv
 * only) or of the churn risk clamped to [0, 1]. */
typedef enum enc_reph { ENC_REPH_CLV, ENC_REPH_CHURN } enc_reph;
enc_scan *enc_store_report_hist(enc_store *st, enc_reph which, int digits, const double *edges,
                                int nb, enc_err *err);
#endif
