/* snapshot.h — the store read once into column arrays for the engines (intel, recommend,
 * audience): customers in ascending id order, and for each customer their sale orders, returns,
 * events and feedback as contiguous ranges (CSR offsets), so models run in passes over arrays
 * with no per-row SQL and no per-row allocation. Everything lives in the snapshot's arena and is
 * freed by enc_snapshot_free. Data after the as-of instant is left out, so a snapshot taken at
 * an earlier date sees the store as it was then (time-split evaluation). A snapshot can also be
 * read in parts (enc_snapshot_load_opts), as the audience stage does for one expression. */
#ifndef ENCORE_SNAPSHOT_H
#define ENCORE_SNAPSHOT_H
#include "base/err.h"
#include "base/mem.h"
#include "base/vocabulary.h"
#include "store/store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* event types (events.type normalised at import) */
typedef enum enc_ev_type {
    ENC_EV_TYPE_MAP(ENC_VOCAB_ID) /* base/vocabulary.h */
    EV_OTHER,
    EV_NTYPES
} enc_ev_type;
const char *enc_ev_type_name(enc_ev_type t);
enc_ev_type enc_ev_type_parse(const char *s);

/* consent channels, as bits of enc_snapshot.consent */
typedef enum enc_channel {
    ENC_CHANNEL_MAP(ENC_VOCAB_ID) /* base/vocabulary.h */
    CH_NCHANNELS
} enc_channel;
const char *enc_channel_name(enc_channel c);
int enc_channel_parse(const char *s); /* -1 when unknown */

/* A string dictionary: dense ids for repeated values (categories, brands, channels, ...). */
typedef struct enc_dict {
    size_t n;
    const char **names; /* id -> string */
    struct enc_smap *map;
} enc_dict;
int32_t enc_dict_find(const enc_dict *d, const char *s); /* -1 when absent */

#define ENC_NO_TIME INT64_MIN

/* kinds of feedback the snapshot counts */
typedef enum enc_fb_kind { FB_OTHER, FB_COMPLAINT, FB_NPS, FB_REVIEW } enc_fb_kind;

/* The parts of the store a snapshot can hold (enc_snapshot_opts.parts). The customers' ids
 * (ncust, cust_id) are always read; the arrays of a part not read are NULL. */
enum {
    ENC_SNAP_CUSTOMERS = 1u << 0, /* cust_ext .. points, the region/city/tier/zone dictionaries */
    ENC_SNAP_PRODUCTS = 1u << 1,  /* prod_*, cats, tops, brands */
    ENC_SNAP_ORDERS = 1u << 2,    /* ord_*, channels, payments */
    ENC_SNAP_LINES = 1u << 3,     /* line_* (implies ORDERS and PRODUCTS) */
    ENC_SNAP_RETURNS = 1u << 4,   /* ret_* */
    ENC_SNAP_EVENTS = 1u << 5,    /* ev_*, consults (implies PRODUCTS) */
    ENC_SNAP_FEEDBACK = 1u << 6,  /* complaints, last_complaint, cmp_*, nps_last, review_avg */
    ENC_SNAP_CONSENTS = 1u << 7,  /* consent */
    /* with the parts read, their details: ord_promo, ord_channel, ord_payment (and the channels
     * and payments dictionaries), line_qty, line_amount, ev_session; without, those are NULL
     * and each row read is narrower (the audience language uses none of them) */
    ENC_SNAP_DETAILS = 1u << 8,
    ENC_SNAP_ALL = (1u << 9) - 1,
};

/* What to read: parts, and for orders and events a window's start. With orders_from set, only
 * sale orders at or after it are read (and only their lines): ord_off then ranges over the
 * window, so a customer's first order, order count or spend are not known. events_from does
 * the same for ev_* (and consults counts only the window's consult events). INT64_MIN: all
 * history. */
typedef struct enc_snapshot_opts {
    unsigned parts;
    int64_t orders_from, events_from;
} enc_snapshot_opts;
#define ENC_SNAPSHOT_ALL ((enc_snapshot_opts){ENC_SNAP_ALL, INT64_MIN, INT64_MIN})

/* Adds what b needs to a: the union of the parts, the earlier of each window's starts. */
void enc_snapshot_opts_merge(enc_snapshot_opts *a, const enc_snapshot_opts *b);
/* True when a snapshot read with `have` holds everything `need` asks for. */
bool enc_snapshot_opts_cover(const enc_snapshot_opts *have, const enc_snapshot_opts *need);

typedef struct enc_snapshot {
    int64_t as_of;            /* rows with ts < as_of are in; the day ends the scores are "as of" */
    enc_snapshot_opts loaded; /* what was read (parts with the ones they imply, windows) */
    enc_arena *arena;
    enc_arena *arena_side; /* arrays read on the loader's second connection (events, feedback) */

    /* customers (merged records left out), ascending store id */
    size_t ncust;
    int64_t *cust_id;
    const char **cust_ext;  /* merchant's customer id (NULL when only email/phone known) */
    int64_t *registered_at; /* ENC_NO_TIME when unknown */
    int16_t *birth_md;      /* month * 100 + day, 0 when unknown */
    char *gender;           /* 'm', 'f' or 0 */
    int32_t *region, *city, *tier, *tz; /* dictionary ids, -1 when unknown */
    int64_t *points;

    /* purchase orders (paid, ts < as_of, with sales > 0 — or, for an order imported without
     * lines, a positive item count: a free purchase such as CDNOW's $0 rows), by customer then
     * time */
    size_t nord;
    int64_t *ord_off;                      /* ncust + 1 offsets into the ord_ arrays */
    int64_t *ord_id, *ord_ts, *ord_amount; /* store id, time, sale amount (minor units) */
    uint8_t *ord_promo;                    /* a coupon or a discount was used */
    int32_t *ord_channel, *ord_payment;    /* dictionary ids, -1 when unknown */

    /* returns: returned orders and return lines, per customer */
    int64_t *ret_amount; /* positive minor units */
    int32_t *ret_count;
    /* the same returns one by one, by customer then time (a paid order's return lines are one
     * return at the order's time): ret_off has ncust + 1 offsets */
    int64_t *ret_off, *ret_ts, *ret_amt;

    /* sale lines of the sale orders, by order */
    size_t nline;
    int64_t *line_off; /* nord + 1 */
    int32_t *line_prod, *line_qty;
    int64_t *line_amount;

    /* products, dense ids */
    size_t nprod;
    int64_t *prod_id; /* store id */
    const char **prod_sku, **prod_name;
    int32_t *prod_cat, *prod_top, *prod_brand; /* full category path, its first level, brand */
    int64_t *prod_price;                       /* -1 unknown */
    int32_t *prod_tier, *prod_replenish;       /* 0 unknown */
    uint8_t *prod_in_stock; /* 1 in stock (also when the store does not know), 0 out of stock */

    /* events of known customers (ts < as_of), by customer then time */
    size_t nev;
    int64_t *ev_off; /* ncust + 1 */
    int64_t *ev_ts;
    uint8_t *ev_type;
    int32_t *ev_prod;     /* -1 when none */
    uint32_t *ev_session; /* hash of the session id (low 32 bits of enc_hash_bytes), 0 when
                             none: equal ids give equal hashes, to group one customer's events by
                             session (two sessions of one customer collide with odds 2^-32) */

    /* feedback, per customer */
    int32_t *complaints;
    int64_t *last_complaint;      /* ENC_NO_TIME when none */
    int64_t *cmp_off, *cmp_ts;    /* complaint times by customer then time (ncust + 1 offsets) */
    float *nps_last, *review_avg; /* NAN when none */
    int32_t *consults;            /* consult events, also counted in events */

    /* consent in force (marketing purpose) at as_of: bit c set = channel c granted; a revoked
     * or never-given channel is 0. An "all" grant or revocation applies to every channel. */
    uint8_t *consent;

    /* The feedback and consent ledgers row by row, by customer then (time, id) — read only
     * for the column cache (colcache.h), NULL otherwise: fb_kind is an enc_fb_kind, fb_score
     * NAN when none; con_mask holds the channel bits an entry sets or clears. */
    int64_t *fb_off, *fb_ts;
    uint8_t *fb_kind;
    float *fb_score;
    int64_t *con_off, *con_ts;
    uint8_t *con_mask, *con_granted;

    /* a snapshot derived from the column cache keeps the cache's mapping open (colcache.c) */
    void *map;
    size_t map_bytes;

    enc_dict cats, tops, brands, channels, payments, regions, cities, tiers, zones;
} enc_snapshot;

/* Loads the snapshot as of `as_of` (exclusive; pass INT64_MAX for everything): every part,
 * all history; from the column cache when it serves, else from the store (load.c, above both
 * snapshot.c and colcache.c). The caller frees it with enc_snapshot_free. */
enc_rc enc_snapshot_load(enc_store *st, int64_t as_of, enc_snapshot **out, enc_err *err);
/* The same, reading only what o asks for (o NULL: everything): an audience of profile fields
 * needs the customer ids alone, one with bought(within = 30d) a month of orders and lines. */
enc_rc enc_snapshot_load_opts(enc_store *st, int64_t as_of, const enc_snapshot_opts *o,
                              enc_snapshot **out, enc_err *err);
void enc_snapshot_free(enc_snapshot *s);
/* Index of a customer by store id (binary search), or -1. */
ptrdiff_t enc_snapshot_find(const enc_snapshot *s, int64_t cust_id);
#endif
