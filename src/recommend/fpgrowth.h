/* fpgrowth.h — frequent itemsets by FP-growth (Han, Pei & Yin 2000, "Mining frequent patterns
 * without candidate generation", SIGMOD) over a basket set (basket.h). The miner builds a prefix
 * tree of the baskets (items in descending frequency), then for each item a conditional tree of
 * the paths that end in it, recursively; all trees live in one node pool released level by level.
 * Output is a caller-owned vector of itemsets with absolute support counts; rules.h reads it.
 *
 * Support: an itemset's support count is the number of baskets holding all its items; it is
 * frequent when count >= min_count. A relative support s gives min_count = ceil(s * n_baskets)
 * (arules/Borgelt's convention; see enc_fpg_min_count). */
#ifndef ENCORE_FPGROWTH_H
#define ENCORE_FPGROWTH_H
#include "base/err.h"
#include "recommend/basket.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Itemsets found by a run. Set i holds items[off[i] .. off[i+1]) (basket item ids, ascending)
 * and is held by count[i] baskets. Order of sets: the order the miner found them in (use
 * enc_itemsets_sort for a canonical order). Owned by the caller: zero it before the first use,
 * free with enc_itemsets_free. */
typedef struct enc_itemsets {
    int32_t n_baskets; /* the total relative supports divide by */
    int32_t min_count; /* the threshold of the run */
    size_t n;          /* itemsets */
    int64_t *off;      /* n + 1 */
    int32_t *items;
    int32_t *count;
    int32_t max_size; /* items in the largest set */
    size_t cap, items_cap;
} enc_itemsets;

typedef struct enc_fpg_opts {
    int32_t min_count; /* absolute minimum support count, >= 1 */
    int32_t max_len;   /* largest itemset to report; 0 = no limit */
    size_t max_sets;   /* fail with ENC_ELIMIT rather than report more sets; 0 = no limit */
} enc_fpg_opts;

/* Mines every frequent itemset of s (the empty set is not reported). *out is overwritten (free
 * what it held first). On failure *out is left empty and err says why. */
enc_rc enc_fpg_mine(const enc_basket_set *s, const enc_fpg_opts *o, enc_itemsets *out,
                    enc_err *err);
void enc_itemsets_free(enc_itemsets *r);
/* Appends one itemset (items in any order, no repeats) to r; used by the miner and by tests. */
void enc_itemsets_push(enc_itemsets *r, const int32_t *items, int32_t n, int32_t count);
/* Sorts the sets by size, then items lexicographically, so two runs can be compared. */
void enc_itemsets_sort(enc_itemsets *r);
/* Counts by size: by_size[k-1] = sets with k items, for k = 1 .. max_size (array of max_size). */
void enc_itemsets_by_size(const enc_itemsets *r, size_t *by_size);

/* A support threshold as the user wrote it. */
typedef struct enc_support {
    bool is_count; /* true: value is an absolute count of baskets */
    double value;  /* fraction in (0, 1], or count >= 1 */
} enc_support;
/* Parses a support: a decimal with a point or exponent ("0.001", "1e-3", "1.0") or a percentage
 * ("0.1%") is a fraction of the baskets in (0, 1]; a plain integer ("10") is an absolute count
 * >= 1. False when malformed or out of range. */
bool enc_support_parse(const char *s, enc_support *out);
/* The absolute threshold for n baskets: a count as is; a fraction f as the least integer c with
 * c >= f * n, i.e. ceil(f * n), computed so that a product that is an integer in exact arithmetic
 * (0.07 * 100) is not pushed up by rounding; at least 1. */
int32_t enc_support_min_count(const enc_support *s, int32_t n_baskets);
#endif
