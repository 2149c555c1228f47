/* gen.h — the synthetic shop: writes customers, products, orders, events, feedback and
 * consents as CSV files (the headers `encore import` recognises) for a seed, with behaviour
 * drawn from known generative models (BG/NBD purchasing, Gamma-Gamma spend, complements,
 * replenishment, returns, complaint-driven churn) so that the engines can be tested against the
 * true parameters. Sits before ingest: `encore gen` -> files -> `encore import`.
 * Output is a pure function of the options: the same options give byte-identical files. */
#ifndef ENCORE_GEN_H
#define ENCORE_GEN_H
#include "base/err.h"
#include <stdint.h>

typedef enum enc_gen_locale { ENC_GEN_EN = 0, ENC_GEN_ZH = 1 } enc_gen_locale;

/* 2024-01-01 00:00:00 and 2026-01-01 00:00:00 UTC: the default window [start, end) */
#define ENC_GEN_DEFAULT_START 1704067200LL
#define ENC_GEN_DEFAULT_END 1767225600LL
#define ENC_GEN_MAX_CUSTOMERS 20000000LL

typedef struct enc_gen_opts {
    int64_t customers; /* registered customers, 1 .. ENC_GEN_MAX_CUSTOMERS */
    uint64_t seed;
    const char *out_dir; /* created when missing; the six files are replaced */
    enc_gen_locale locale;
    int64_t start, end; /* window [start, end), UTC epoch seconds, whole days; 0 = default */
    /* optional: called now and then with customers done / total (a progress bar) */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
} enc_gen_opts;

/* The true parameters of the generative model; docs/generator.md explains each one. Time is in
 * days, money in the locale's currency units (USD for en, CNY for zh). */
typedef struct enc_gen_params {
    /* BG/NBD (Fader, Hardie & Lee 2005) over a buyer's paid orders after the first:
     * lambda ~ Gamma(shape r, rate alpha) per day; after each repeat purchase the buyer drops
     * out with probability p ~ Beta(a, b). */
    double bg_r, bg_alpha, bg_a, bg_b;
    /* Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999): an
     * order's merchandise subtotal z ~ Gamma(shape p, rate nu), nu ~ Gamma(shape q, rate gamma);
     * E[z] = p * gamma / (q - 1). */
    double gg_p, gg_q, gg_gamma;
    double never_buy_share;    /* registered customers who never order */
    double complaint_rate;     /* P(complaint) after a paid order without a return */
    double complaint_rate_ret; /* ... after one with a return */
    double complaint_churn;    /* P(extra drop-out) right after an order that drew a complaint */
    double return_rate;        /* P(a paid order is partly returned) */
    double cancel_rate;        /* P(a cancelled attempt precedes a paid order) */
    double guest_orders_per_customer; /* mean guest orders added per registered customer */
    double duplicate_share;    /* customers who are a second registration of an earlier one */
    double complement_prob[3]; /* P(the k-th complement joins its primary item) */
    double replenish_min_frac; /* a consumable is due after this fraction of its cycle */
    double replenish_prob;     /* P(a due consumable is re-bought at an order) */
    double coupon_a, coupon_b; /* P(coupon on an order) ~ Beta(coupon_a, coupon_b) per customer */
    double category_conc;      /* Dirichlet concentration of category preferences */
} enc_gen_params;

/* The parameters used for a locale (the constants at the top of gen.c). */
void enc_gen_true_params(enc_gen_locale locale, enc_gen_params *out);

typedef struct enc_gen_counts {
    /* rows written per file (headers excluded) and bytes */
    int64_t customers, products, order_lines, events, feedback, consents;
    int64_t bytes[6]; /* customers, products, orders, events, feedback, consents */
    /* orders (distinct order ids) by kind */
    int64_t orders, paid_orders, returned_orders, cancelled_orders, guest_orders, coupon_orders;
    /* behaviour */
    int64_t buyers, repeat_buyers, sessions, abandoned_carts, complaints, reviews, nps, surveys;
    int64_t revocations, replenishments, complement_lines;
    /* duplicate identities: customers sharing a phone and/or an email with an earlier one */
    int64_t dup_phone, dup_email, dup_both;
    double spend_target_sum, spend_real_sum; /* Gamma-Gamma draws vs realised subtotals */
} enc_gen_counts;

/* File names in out_dir, in the order of enc_gen_counts.bytes. */
extern const char *const enc_gen_files[6];
/* Their header lines (without newline). */
extern const char *const enc_gen_headers[6];

/* Parses "YYYY-MM-DD" into UTC epoch seconds at 00:00; false when malformed or invalid. */
int enc_gen_parse_date(const char *s, int64_t *out);

/* Writes the six files. Returns ENC_EUSAGE for bad options, ENC_EIO when a file cannot be
 * written; counts (may be NULL) receives what was written. */
enc_rc enc_gen_run(const enc_gen_opts *o, enc_gen_counts *counts, enc_err *err);
#endif
