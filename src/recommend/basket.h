/* basket.h — a set of market baskets in compact form, the input of frequent-itemset mining
 * (fpgrowth.h) and association rules (rules.h). Items are dense int32 ids 0..n_items-1 with a
 * label dictionary (labels kept byte-exact); baskets are CSR arrays, each basket sorted by id with
 * duplicates counted once. Filled from a basket file (one basket a line) or from arrays, so the
 * store's orders and sessions can be fed in the same way as files.
 *
 * Ownership: enc_basket_new / enc_basket_read_* return a set the caller frees with
 * enc_basket_free; pointers returned by accessors stay valid until the set is changed or freed. */
#ifndef ENCORE_BASKET_H
#define ENCORE_BASKET_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

/* Bounds on outside input (STYLE 8). */
#define ENC_BASKET_LINE_MAX (1u << 20) /* bytes in one line of a basket file */
#define ENC_BASKET_LABEL_MAX 4096      /* bytes in one item label */
#define ENC_BASKET_MAX_BASKETS INT32_MAX
#define ENC_BASKET_MAX_ITEMS (INT32_MAX - 1)

typedef enum enc_basket_format {
    ENC_BASKET_AUTO = 0, /* basket-csv when the first non-empty line holds a comma, else ws */
    ENC_BASKET_WS,       /* items separated by spaces or tabs (FIMI .dat); runs of blanks and
                            leading/trailing blanks separate nothing */
    ENC_BASKET_CSV,      /* items separated by commas; labels byte-exact (spaces kept, no quote
                            processing); one trailing comma allowed, other empty fields rejected */
} enc_basket_format;

/* Parses "basket-ws", "basket-csv", "auto" (also "ws", "csv", "dat"). False when unknown. */
int enc_basket_format_parse(const char *s, enc_basket_format *out);
const char *enc_basket_format_name(enc_basket_format f);

typedef struct enc_basket_set enc_basket_set;

/* A read-only view of the arrays for mining kernels: basket b holds
 * items[off[b] .. off[b+1]), ascending ids, no duplicates. Valid until the set changes. */
typedef struct enc_basket_view {
    int32_t n_baskets;
    int32_t n_items;    /* distinct items in the dictionary */
    const int64_t *off; /* n_baskets + 1 offsets */
    const int32_t *items;
} enc_basket_view;

enc_basket_set *enc_basket_new(void);
void enc_basket_free(enc_basket_set *s);

/* The id of the item labelled by the n bytes at label, added to the dictionary when new.
 * Returns -1 (and sets err) when the label is longer than ENC_BASKET_LABEL_MAX or the
 * dictionary is full. */
int32_t enc_basket_intern(enc_basket_set *s, const char *label, size_t n, enc_err *err);
/* The same for an integer key (a product id from the store): the label is its decimal text. */
int32_t enc_basket_intern_key(enc_basket_set *s, int64_t key, enc_err *err);

/* Appends one basket of n item ids (from enc_basket_intern*) in any order; duplicates are counted
 * once. An empty basket is a basket (it counts in the total that relative support divides by).
 * Fails (ENC_EUSAGE) on an id outside the dictionary, ENC_ELIMIT when the set is full. */
enc_rc enc_basket_add(enc_basket_set *s, const int32_t *items, size_t n, enc_err *err);

/* Reads a basket file (see enc_basket_format; "-" is standard input). Every line is one basket;
 * a final line without a newline counts; a CR before the newline is dropped. Errors carry
 * "FILE:LINE: why" and the set is not returned. *out is set on success only. */
enc_rc enc_basket_read_file(const char *path, enc_basket_format fmt, enc_basket_set **out,
                            enc_err *err);
/* The same over a memory buffer; name is used in error messages. */
enc_rc enc_basket_read_mem(const char *data, size_t len, enc_basket_format fmt, const char *name,
                           enc_basket_set **out, enc_err *err);
/* The format AUTO resolves to for data starting at a line: the first non-empty line decides. */
enc_basket_format enc_basket_detect(const char *data, size_t len);

enc_basket_view enc_basket_get_view(const enc_basket_set *s);
int32_t enc_basket_count(const enc_basket_set *s);
int32_t enc_basket_item_count(const enc_basket_set *s);
/* The format a reader used (AUTO resolved from the first line); AUTO for sets built from arrays
 * or from an empty file. */
enc_basket_format enc_basket_source_format(const enc_basket_set *s);
/* Label bytes of item id (not NUL-terminated inside labels; a NUL follows the last byte). */
const char *enc_basket_label(const enc_basket_set *s, int32_t id, size_t *len);
/* The id of a label, or -1 when absent. */
int32_t enc_basket_find(const enc_basket_set *s, const char *label, size_t n);
/* How many baskets hold each item: fills freq[0..n_items). */
void enc_basket_item_freq(const enc_basket_set *s, int32_t *freq);
#endif
