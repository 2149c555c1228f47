/* rfm.h — RFM scoring of customers from per-customer recency, frequency and monetary columns
 * (built by the snapshot), and the two segment schemes read from the scores: the 11 named
 * segments on the R x FM grid and the Chinese 8-class scheme (R/F/M above or below the mean).
 * Part of scoring (intelligence stage); the audience language reads the results. Rules, tables
 * and sources: docs/intelligence.md. Kernels never allocate: quantile scoring takes a workspace. */
#ifndef ENCORE_INTEL_RFM_H
#define ENCORE_INTEL_RFM_H
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_RFM_MAX_K 10

/* How quantile scores treat equal values. Both start from the rank of each value in a stable
 * ascending sort (pandas rank(method='first')) cut into k bins exactly as
 * pd.qcut(rank, k, labels=False) + 1 does: rank r of n falls in bin max(1, ceil(k (r-1)/(n-1))).
 * Recency is scored inversely (score = k + 1 - bin). */
typedef enum enc_rfm_ties {
    /* Default. Equal values share one score, the lowest any of them would get: a tie never
     * lifts a customer. Oracle: the 'first' scores, then groupby(value).transform('min'). */
    ENC_RFM_TIES_LOW = 0,
    /* The pandas idiom as is: ties broken by input (customer) order, so equal values may get
     * different scores. Oracle: pd.qcut(s.rank(method='first'), k, labels=False) + 1. */
    ENC_RFM_TIES_FIRST = 1,
} enc_rfm_ties;

/* Bytes of workspace enc_rfm_score_quantile / enc_rfm_score need for n customers (0 on
 * overflow). */
size_t enc_rfm_ws_size(size_t n);

/* Quantile scores 1..k of v[0..n) into score[0..n). higher_better: true for frequency and
 * monetary (larger value, larger score), false for recency (fewer days since the last purchase,
 * larger score). v must be finite (customers without purchases have no recency: leave them out).
 * 2 <= k <= ENC_RFM_MAX_K; n == 1 gets bin 1. ws: enc_rfm_ws_size(n) bytes, 8-byte aligned. */
enc_rc enc_rfm_score_quantile(const double *v, size_t n, int k, bool higher_better,
                              enc_rfm_ties ties, uint8_t *score, void *ws, enc_err *err);

/* Fixed-threshold scores: edges[0..k-1) strictly ascending cut the line into k bins
 * [-inf,e0) [e0,e1) ... [e(k-2),+inf); a value on an edge goes to the bin above it.
 * higher_better: score = 1 + #{edges <= v}; else score = k - #{edges <= v} (recency edges
 * 30,90,180,365 days give R 5 below 30 days ... R 1 from 365 days). NaN values are rejected. */
enc_rc enc_rfm_score_edges(const double *v, size_t n, const double *edges, int k,
                           bool higher_better, uint8_t *score, enc_err *err);

/* All three scores at once. Edges NULL = quantile bins for that measure. */
typedef struct enc_rfm_config {
    int k;                                     /* scores 1..k; 5 for the segment map */
    enc_rfm_ties ties;                         /* quantile tie rule */
    const double *r_edges, *f_edges, *m_edges; /* k-1 thresholds each, or NULL */
} enc_rfm_config;
void enc_rfm_config_default(enc_rfm_config *c); /* k = 5, ties low, all quantile */
enc_rc enc_rfm_score(const enc_rfm_config *c, const double *recency, const double *frequency,
                     const double *monetary, size_t n, uint8_t *r, uint8_t *f, uint8_t *m, void *ws,
                     enc_err *err);

/* ---- The 11 named segments (scores on 1..5 only) ---------------------------------------------
 * FM = floor((F + M) / 2); the cell (R, FM) of a 5x5 grid names the segment. Every cell lies
 * inside its segment's published R and FM ranges (Putler, "RFM Analysis For Successful Customer
 * Segmentation"); the ranges overlap, the grid settles each cell once. Table in
 * docs/intelligence.md. */
typedef enum enc_rfm_segment {
    ENC_SEG_CHAMPIONS = 0,
    ENC_SEG_LOYAL,
    ENC_SEG_POTENTIAL_LOYALIST,
    ENC_SEG_NEW,
    ENC_SEG_PROMISING,
    ENC_SEG_NEED_ATTENTION,
    ENC_SEG_ABOUT_TO_SLEEP,
    ENC_SEG_AT_RISK,
    ENC_SEG_CANT_LOSE,
    ENC_SEG_HIBERNATING,
    ENC_SEG_LOST,
    ENC_SEG_COUNT
} enc_rfm_segment;

/* Segment of one customer; r, f, m in 1..5 (out of range values are clamped). */
enc_rfm_segment enc_rfm_segment_of(int r, int f, int m);
void enc_rfm_segments(const uint8_t *r, const uint8_t *f, const uint8_t *m, size_t n, uint8_t *seg);
/* A score of 1..k on the 1..5 scale the segment grid is defined on (1 -> 1, k -> 5, rounded
 * half up), so that rfm.k of 3..10 keeps every named segment meaningful. */
int enc_rfm_to5(int s, int k);
/* enc_rfm_segments for scores of 1..k. */
void enc_rfm_segments_k(const uint8_t *r, const uint8_t *f, const uint8_t *m, size_t n, int k,
                        uint8_t *seg);
const char *enc_rfm_segment_name(enc_rfm_segment s); /* "Can't Lose Them"; static storage */
const char *enc_rfm_segment_key(enc_rfm_segment s);  /* "cant_lose"; static storage */

/* ---- The Chinese 8-class scheme (RFM 八类客户) -------------------------------------------------
 * R is "high" when recency < mean recency (bought more recently than average), F high when
 * frequency > mean, M high when monetary > mean; a value equal to the mean is low. The class
 * is 4*(M low) + 2*(R low) + (F low), in the order of enc_rfm_cn below. */
typedef enum enc_rfm_cn {
    ENC_CN_IMPORTANT_VALUE = 0, /* 重要价值客户  R high F high M high */
    ENC_CN_IMPORTANT_DEVELOP,   /* 重要发展客户  R high F low  M high */
    ENC_CN_IMPORTANT_KEEP,      /* 重要保持客户  R low  F high M high */
    ENC_CN_IMPORTANT_RETAIN,    /* 重要挽留客户  R low  F low  M high */
    ENC_CN_GENERAL_VALUE,       /* 一般价值客户  R high F high M low  */
    ENC_CN_GENERAL_DEVELOP,     /* 一般发展客户  R high F low  M low  */
    ENC_CN_GENERAL_KEEP,        /* 一般保持客户  R low  F high M low  */
    ENC_CN_GENERAL_RETAIN,      /* 一般挽留客户  R low  F low  M low  */
    ENC_CN_COUNT
} enc_rfm_cn;

typedef struct enc_rfm_means {
    double recency, frequency, monetary;
} enc_rfm_means;

/* Column means (the reference of the CN scheme). NaN values are skipped. */
void enc_rfm_means_of(const double *recency, const double *frequency, const double *monetary,
                      size_t n, enc_rfm_means *out);
/* Classes against ref (pass the whole base's means when classifying a part of it). */
void enc_rfm_cn_classes(const double *recency, const double *frequency, const double *monetary,
                        size_t n, const enc_rfm_means *ref, uint8_t *cls);
enc_rfm_cn enc_rfm_cn_of(double recency, double frequency, double monetary,
                         const enc_rfm_means *ref);
const char *enc_rfm_cn_name(enc_rfm_cn c);    /* "重要价值客户" (UTF-8); static storage */
const char *enc_rfm_cn_name_en(enc_rfm_cn c); /* "important value"; static storage */
const char *enc_rfm_cn_key(enc_rfm_cn c);     /* "important_value"; static storage */
#endif
