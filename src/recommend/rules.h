/* rules.h — association rules X -> Y from frequent itemsets (fpgrowth.h), after Agrawal,
 * Imielinski & Swami (1993) and Agrawal & Srikant (1994), with arules' defaults (Hahsler, Gruen &
 * Hornik 2005): a rule is made from each frequent itemset Z = X u Y, with a one-item consequent Y
 * unless asked for more; the consequent of a one-item set is the whole set, with an empty X.
 *
 * Measures, with N baskets and c(S) the baskets holding S (c(empty) = N):
 *   support    = c(Z) / N              confidence = c(Z) / c(X)
 *   lift       = confidence / (c(Y)/N) conviction = (1 - c(Y)/N) / (1 - confidence)  (inf at 1)
 *   leverage   = c(Z)/N - (c(X)/N)(c(Y)/N)
 * Thresholds compare as arules does: confidence >= min - 1e-12 (Borgelt's istree.c EPSILON).
 *
 * Ownership: enc_rules is caller-owned (zero it first), freed with enc_rules_free; it copies the
 * item ids it needs and does not point into the itemsets. */
#ifndef ENCORE_RULES_H
#define ENCORE_RULES_H
#include "base/err.h"
#include "recommend/fpgrowth.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct enc_rule {
    int64_t off; /* X at items[off .. off+n_if), then Y at the n_then that follow */
    int32_t n_if, n_then;
    int32_t count;      /* c(X u Y) */
    int32_t count_if;   /* c(X) */
    int32_t count_then; /* c(Y) */
    double support, confidence, lift, conviction, leverage;
} enc_rule;

typedef struct enc_rules {
    int32_t n_baskets;
    size_t n, cap;
    enc_rule *r;
    int32_t *items; /* basket item ids, ascending within X and within Y */
    size_t items_len, items_cap;
} enc_rules;

typedef struct enc_rule_opts {
    double min_confidence;  /* in [0, 1] */
    double min_lift;        /* 0: no threshold */
    int32_t min_len;        /* least items in X u Y (arules minlen, default 1); 0 acts as 1 */
    int32_t max_len;        /* most items in X u Y (arules maxlen, default 10); 0: no limit */
    int32_t max_consequent; /* most items in Y: 1 as arules; 0: any size (X never empty then,
                               except for one-item sets) */
    size_t max_rules;       /* fail with ENC_ELIMIT rather than make more; 0: no limit */
} enc_rule_opts;

/* Makes every rule meeting o from sets, which must hold every frequent itemset of one run (all
 * subsets of a set are needed for c(X), c(Y)); fails with ENC_EUSAGE when one is missing.
 * *out is overwritten (free what it held first). */
enc_rc enc_rules_mine(const enc_itemsets *sets, const enc_rule_opts *o, enc_rules *out,
                      enc_err *err);
void enc_rules_free(enc_rules *r);

typedef enum enc_rule_order {
    ENC_RULES_BY_LIFT = 0,
    ENC_RULES_BY_CONFIDENCE,
    ENC_RULES_BY_SUPPORT,
    ENC_RULES_BY_CONVICTION,
    ENC_RULES_BY_LEVERAGE,
} enc_rule_order;
/* Parses "lift", "confidence", "support", "conviction", "leverage". False when unknown. */
bool enc_rule_order_parse(const char *s, enc_rule_order *out);
/* Sorts descending by the measure, ties by lift, confidence, support, then items ascending, so
 * the order is the same on every run. */
void enc_rules_sort(enc_rules *r, enc_rule_order by);
#endif
