/* snapshot.c — loads the store into column arrays (see snapshot.h). Each table is scanned once
 * in rowid order (sequential reads), rows are bucketed by customer with a counting sort, and
 * each customer's rows are put in time order. Ids are mapped to dense indexes through arrays
 * indexed by store id. Only the parts asked for are read (enc_snapshot_opts), the tables after
 * customers and products by two threads. This is the store's bulk-scan path: the only SQL the
 * engines cost. */
#include "snapshot/snapshot.h"
#include "snapshot/snapshot_int.h"
#include "store/snapshot_store.h"
#include "base/map.h"
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char *const ev_names[EV_NTYPES] = {ENC_EV_TYPE_MAP(ENC_VOCAB_NAME) "other"};

const char *enc_ev_type_name(enc_ev_type t) { return t < EV_NTYPES ? ev_names[t] : "other"; }

enc_ev_type enc_ev_type_parse(const char *s)
{
    /* called once an event row (tens of millions on a large store): compare only the names
     * that share the first letter */
    for (int i = 0; i < EV_OTHER; i++)
        if (ev_names[i][0] == s[0] && strcmp(s, ev_names[i]) == 0) return (enc_ev_type)i;
    return EV_OTHER;
}

static const char *const ch_names[CH_NCHANNELS] = {ENC_CHANNEL_MAP(ENC_VOCAB_NAME)};
const char *enc_channel_name(enc_channel c) { return c < CH_NCHANNELS ? ch_names[c] : "?"; }
int enc_channel_parse(const char *s)
{
    for (int i = 0; i < CH_NCHANNELS; i++)
        if (strcmp(s, ch_names[i]) == 0) return i;
    return -1;
}

/* ---- dictionaries ------------------------------------------------------------------------ */

static void dict_init(enc_dict *d) { d->map = enc_smap_new(64); }

static int32_t dict_add(enc_dict *d, enc_arena *a, const unsigned char *s, size_t *cap)
{
    if (!s || !*s) return -1;
    size_t n = strlen((const char *)s);
    bool added;
    int64_t *v = enc_smap_put(d->map, (const char *)s, n, (int64_t)d->n, &added);
    if (added) {
        if (d->n >= *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            const char **nn = enc_arena_alloc(a, nc * sizeof *nn);
            if (d->n) memcpy(nn, d->names, d->n * sizeof *nn);
            d->names = nn;
            *cap = nc;
        }
        d->names[d->n++] = enc_arena_strndup(a, (const char *)s, n);
    }
    return (int32_t)*v;
}

int32_t enc_dict_find(const enc_dict *d, const char *s)
{
    if (!d->map) return -1;
    int64_t *v = enc_smap_get(d->map, s, strlen(s));
    return v ? (int32_t)*v : -1;
}

/* ---- helpers ----------------------------------------------------------------------------- */

/* Arrays of a loader go to its arena (each loading thread has its own; `s` names the
 * snapshot they belong to and is not read). */
#define ALLOC(s, n, type) ((type *)enc_arena_alloc(L->arena, ((n) ? (n) : 1) * sizeof(type)))

typedef struct loader {
    enc_snapshot *s;
    enc_store *st;
    enc_err *err;
    enc_store *db;    /* the connection this loader reads (the store or a side one) */
    enc_arena *arena; /* where its arrays go */
    int32_t *cust_of; /* store customer id -> index, -1 */
    int64_t max_cust;
    int32_t *prod_of; /* store product id -> index */
    int64_t max_prod;
    int32_t *ord_of; /* store order id -> sale order index */
    int64_t max_ord;
    int64_t min_oid, max_oid;         /* the range of the sale orders' store ids */
    int64_t orders_from, events_from; /* the windows (enc_snapshot_opts) */
    unsigned parts;                   /* what is read (enc_snapshot_opts) */
    enc_smap *sku_of;                 /* sku -> product index */
    const enc__snap_ext *x;           /* id ranges, ledgers, a given customer list */
    size_t dcap[9];
} loader;

const char *const enc__sr_table[ENC_SR_N] = {"customers", "products", "orders",
                                             "events",    "feedback", "consents"};

void enc__snap_ext_all(enc__snap_ext *x)
{
    memset(x, 0, sizeof *x);
    for (int t = 0; t < ENC_SR_N; t++) {
        x->after[t] = INT64_MIN;
        x->upto[t] = INT64_MAX;
    }
}

/* Binds a table's id range to parameters k and k + 1 of q. */
static void bind_range(const loader *L, enc_scan *q, int k, int table)
{
    enc_scan_bind_i64(q, k, L->x->after[table]);
    enc_scan_bind_i64(q, k + 1, L->x->upto[table]);
}

static bool ranged(const loader *L, int table)
{
    return L->x->after[table] != INT64_MIN || L->x->upto[table] != INT64_MAX;
}

static enc_scan *prep(loader *L, enc_snapq q) { return enc_store_snapq(L->db, q, L->err); }

static int64_t scalar(loader *L, enc_snapq q) { return enc_store_snapq_scalar(L->db, q, L->err); }

/* The store is input too (issue 12): the loader keeps maps indexed by row id (cust_of,
 * prod_of, ord_of) and column arrays sized by the largest order id, so ids out of range, below 1
 * or far sparser than the rows would write out of bounds or allocate terabytes. They are
 * refused before anything is allocated, with what `encore check` reports. */
#define SNAP_ID_MAX INT32_MAX
static enc_rc check_ids(loader *L)
{
    static const char *const tables[] = {"customers", "products", "orders"};
    static const enc_snapq query[] = {ENC_SNAPQ_IDS_CUSTOMERS, ENC_SNAPQ_IDS_PRODUCTS,
                                      ENC_SNAPQ_IDS_ORDERS};
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
        enc_scan *q = prep(L, query[t]);
        if (!q) return ENC_EDB;
        int rc = enc_scan_next(q);
        int64_t n = 0, lo = 1, hi = 0;
        if (rc == 1) {
            n = enc_scan_i64(q, 0);
            lo = enc_scan_i64(q, 1);
            hi = enc_scan_i64(q, 2);
        }
        enc_scan_close(q);
        if (rc != 1) return enc_store_scan_fail(L->st, L->err, "reading the store");
        if (lo < 1 || hi > SNAP_ID_MAX)
            return enc_fail(L->err, ENC_EDB,
                            "the store holds %s id %lld (ids run from 1 to %d): it is corrupted or"
                            " was edited by hand; `encore check` lists what is wrong",
                            tables[t], (long long)(lo < 1 ? lo : hi), SNAP_ID_MAX);
        /* dense maps cost 4 bytes an id: allow gaps (deleted rows), not a 4 TB map */
        if (hi > 64 * n + (1 << 20))
            return enc_fail(L->err, ENC_EDB,
                            "the store holds %s id %lld among only %lld rows: ids that sparse"
                            " mean a corrupted or hand-edited store; `encore check` lists what is"
                            " wrong",
                            tables[t], (long long)hi, (long long)n);
    }
    return ENC_OK;
}

static int32_t cust_index(const loader *L, enc_scan *q, int col)
{
    if (enc_scan_null(q, col)) return -1;
    int64_t id = enc_scan_i64(q, col);
    return id >= 0 && id <= L->max_cust ? L->cust_of[id] : -1;
}

/* Counting sort: given key[i] in [0, nkeys) for n items, fills off (nkeys + 1) and perm
 * (the item at each sorted position), keeping the input order within a key. */
static void bucket(const int32_t *key, size_t n, size_t nkeys, int64_t *off, size_t *perm)
{
    memset(off, 0, (nkeys + 1) * sizeof *off);
    for (size_t i = 0; i < n; i++) off[key[i] + 1]++;
    for (size_t k = 0; k < nkeys; k++) off[k + 1] += off[k];
    size_t *pos = enc_xmalloc((nkeys ? nkeys : 1) * sizeof *pos);
    for (size_t k = 0; k < nkeys; k++) pos[k] = (size_t)off[k];
    for (size_t i = 0; i < n; i++) perm[pos[key[i]]++] = i;
    free(pos);
}

/* Sorts perm[lo, hi) by (ts, then input order): insertion sort, as each customer's rows are
 * few and mostly in order already. */
static void sort_by_time(size_t *perm, size_t lo, size_t hi, const int64_t *ts)
{
    for (size_t i = lo + 1; i < hi; i++) {
        size_t p = perm[i], j = i;
        while (j > lo &&
               (ts[perm[j - 1]] > ts[p] || (ts[perm[j - 1]] == ts[p] && perm[j - 1] > p))) {
            perm[j] = perm[j - 1];
            j--;
        }
        perm[j] = p;
    }
}

/* The order of n rows grouped by key (in [0, nkeys)), by time within a key (ts NULL: input
 * order): fills off (nkeys + 1 offsets) and returns the permutation, which the caller frees. */
static size_t *group_rows(const int32_t *key, size_t n, size_t nkeys, const int64_t *ts,
                          int64_t *off)
{
    size_t *perm = enc_xmalloc((n ? n : 1) * sizeof *perm);
    bucket(key, n, nkeys, off, perm);
    if (ts)
        for (size_t k = 0; k < nkeys; k++)
            sort_by_time(perm, (size_t)off[k], (size_t)off[k + 1], ts);
    return perm;
}

/* The parallel arrays of one table's rows while they are read: each is a typed pointer of the
 * loader, registered with COL; they are allocated together, grow together (room for row n
 * before writing it) and are freed together. */
#define MAX_COLS 8
typedef struct cols {
    size_t cap;
    int n;
    void **p[MAX_COLS];
    size_t size[MAX_COLS];
} cols;
#define COL(c, arr) cols_add((c), (void **)&(arr), sizeof *(arr))

static void cols_add(cols *c, void **p, size_t size)
{
    c->p[c->n] = p;
    c->size[c->n++] = size;
}

/* Room for cap rows: a bound from the table (count or largest id) when one is cheap, so that
 * nothing grows; the pages of rows never written are never touched. */
static void cols_alloc(cols *c, int64_t cap)
{
    c->cap = cap > 0 ? (size_t)cap : 1024;
    for (int k = 0; k < c->n; k++) *c->p[k] = enc_xmalloc(c->cap * c->size[k]);
}

static inline void cols_room(cols *c, size_t n)
{
    if (n < c->cap) return;
    c->cap *= 2;
    for (int k = 0; k < c->n; k++) *c->p[k] = enc_xrealloc(*c->p[k], c->cap * c->size[k]);
}

static void cols_free(cols *c)
{
    for (int k = 0; k < c->n; k++) {
        free(*c->p[k]);
        *c->p[k] = NULL;
    }
}

/* ---- tables ------------------------------------------------------------------------------ */

/* A customer's fields from a row of (id, external_id, registered_at, birthday, gender, region,
 * city, tier, tz, points), into index i. */
static void read_attrs(loader *L, enc_scan *q, size_t i)
{
    enc_snapshot *s = L->s;
    const unsigned char *ext = enc_scan_text(q, 1);
    s->cust_ext[i] =
        ext ? enc_arena_strndup(s->arena, (const char *)ext, (size_t)enc_scan_bytes(q, 1)) : NULL;
    s->registered_at[i] = enc_scan_null(q, 2) ? ENC_NO_TIME : enc_scan_i64(q, 2);
    const char *b = (const char *)enc_scan_text(q, 3);
    s->birth_md[i] = b && strlen(b) == 10 ? (int16_t)(atoi(b + 5) * 100 + atoi(b + 8)) : 0;
    const char *g = (const char *)enc_scan_text(q, 4);
    s->gender[i] = g ? g[0] : 0;
    s->region[i] = dict_add(&s->regions, s->arena, enc_scan_text(q, 5), &L->dcap[0]);
    s->city[i] = dict_add(&s->cities, s->arena, enc_scan_text(q, 6), &L->dcap[1]);
    s->tier[i] = dict_add(&s->tiers, s->arena, enc_scan_text(q, 7), &L->dcap[2]);
    s->tz[i] = dict_add(&s->zones, s->arena, enc_scan_text(q, 8), &L->dcap[3]);
    s->points[i] = enc_scan_i64(q, 9);
}

/* The ids alone, read from the indexes rather than the table (a fifth of its pages: 0.12-0.17 s
 * instead of 0.3-0.5 s for a million customers): every id from customers_external (every row
 * is in it), less those of merged records (the partial index customers_merged), put in order
 * by marking them in cust_of. False, with nothing done, when the index is not there. */
static bool ids_from_indexes(loader *L, size_t n)
{
    enc_snapshot *s = L->s;
    enc_scan *q = enc_store_snapq(L->db, ENC_SNAPQ_CUST_INDEXED, NULL);
    if (!q) return false;
    enum { SEEN = -2 };
    while (enc_scan_next(q) == 1) {
        int64_t id = enc_scan_i64(q, 0);
        if (id >= 0 && id <= L->max_cust) L->cust_of[id] = SEEN;
    }
    enc_scan_close(q);
    if ((q = enc_store_snapq(L->db, ENC_SNAPQ_CUST_MERGED, NULL))) {
        while (enc_scan_next(q) == 1) {
            int64_t id = enc_scan_i64(q, 0);
            if (id >= 0 && id <= L->max_cust) L->cust_of[id] = -1;
        }
        enc_scan_close(q);
    }
    size_t i = 0;
    for (int64_t id = 0; id <= L->max_cust; id++) {
        if (L->cust_of[id] != SEEN) continue;
        if (i == n) { /* not reached: n was counted in the same transaction */
            L->cust_of[id] = -1;
            continue;
        }
        s->cust_id[i] = id;
        L->cust_of[id] = (int32_t)i++;
    }
    s->ncust = i;
    return true;
}

/* The customers of a given list (enc__snap_ext.cust_ids), their fields read only for the
 * ids above the customers' range start. */
static enc_rc listed_customers(loader *L, bool attrs);

/* The customers' ids, and with attrs their fields. */
static enc_rc load_customers(loader *L, bool attrs)
{
    enc_snapshot *s = L->s;
    if (L->x->cust_ids) return listed_customers(L, attrs);
    bool bounded = ranged(L, ENC_SR_CUSTOMERS);
    size_t n;
    if (bounded) {
        enc_scan *c = prep(L, ENC_SNAPQ_CUST_COUNT_RANGE);
        if (!c) return ENC_EDB;
        bind_range(L, c, 1, ENC_SR_CUSTOMERS);
        n = 0;
        L->max_cust = 0;
        if (enc_scan_next(c) == 1) {
            n = (size_t)enc_scan_i64(c, 0);
            L->max_cust = enc_scan_i64(c, 1);
        }
        enc_scan_close(c);
    } else {
        n = (size_t)scalar(L, ENC_SNAPQ_CUST_COUNT);
        L->max_cust = scalar(L, ENC_SNAPQ_CUST_MAX);
    }
    L->cust_of = enc_xmalloc((size_t)(L->max_cust + 1) * sizeof *L->cust_of);
    memset(L->cust_of, 0xff, (size_t)(L->max_cust + 1) * sizeof *L->cust_of);
    s->cust_id = ALLOC(s, n, int64_t);
    if (attrs) {
        s->cust_ext = ALLOC(s, n, const char *);
        s->registered_at = ALLOC(s, n, int64_t);
        s->birth_md = ALLOC(s, n, int16_t);
        s->gender = ALLOC(s, n, char);
        s->region = ALLOC(s, n, int32_t);
        s->city = ALLOC(s, n, int32_t);
        s->tier = ALLOC(s, n, int32_t);
        s->tz = ALLOC(s, n, int32_t);
        s->points = ALLOC(s, n, int64_t);
    }
    if (!attrs && !bounded && ids_from_indexes(L, n)) return ENC_OK;
    enc_scan *q = prep(L, attrs ? ENC_SNAPQ_CUST_ATTRS : ENC_SNAPQ_CUST_IDS);
    if (!q) return ENC_EDB;
    bind_range(L, q, 1, ENC_SR_CUSTOMERS);
    size_t i = 0;
    while (i < n && enc_scan_next(q) == 1) {
        int64_t id = enc_scan_i64(q, 0);
        if (id < 1 || id > L->max_cust) continue; /* checked before: not reached */
        s->cust_id[i] = id;
        L->cust_of[id] = (int32_t)i;
        if (!attrs) {
            i++;
            continue;
        }
        read_attrs(L, q, i);
        i++;
    }
    enc_scan_close(q);
    s->ncust = i;
    return ENC_OK;
}

static enc_rc listed_customers(loader *L, bool attrs)
{
    enc_snapshot *s = L->s;
    /* the list, then the customers above the range start (in this read transaction) */
    size_t nl = L->x->ncust_ids, n = nl;
    int64_t *more = NULL;
    size_t nmore = 0, cap = 0;
    enc_scan *q = prep(L, ENC_SNAPQ_CUST_IDS);
    if (!q) return ENC_EDB;
    bind_range(L, q, 1, ENC_SR_CUSTOMERS);
    while (enc_scan_next(q) == 1) {
        int64_t id = enc_scan_i64(q, 0);
        if (nl && id <= L->x->cust_ids[nl - 1]) continue; /* the list holds up to its last */
        ENC_GROW(more, cap, nmore + 1);
        more[nmore++] = id;
    }
    enc_scan_close(q);
    n += nmore;
    L->max_cust = nmore ? more[nmore - 1] : nl ? L->x->cust_ids[nl - 1] : 0;
    L->cust_of = enc_xmalloc((size_t)(L->max_cust + 1) * sizeof *L->cust_of);
    memset(L->cust_of, 0xff, (size_t)(L->max_cust + 1) * sizeof *L->cust_of);
    s->cust_id = ALLOC(s, n, int64_t);
    memcpy(s->cust_id, L->x->cust_ids, nl * sizeof *s->cust_id);
    if (nmore) memcpy(s->cust_id + nl, more, nmore * sizeof *more);
    free(more);
    for (size_t i = 0; i < n; i++) L->cust_of[s->cust_id[i]] = (int32_t)i;
    s->ncust = n;
    if (!attrs) return ENC_OK;
    s->cust_ext = ALLOC(s, n, const char *);
    s->registered_at = ALLOC(s, n, int64_t);
    s->birth_md = ALLOC(s, n, int16_t);
    s->gender = ALLOC(s, n, char);
    s->region = ALLOC(s, n, int32_t);
    s->city = ALLOC(s, n, int32_t);
    s->tier = ALLOC(s, n, int32_t);
    s->tz = ALLOC(s, n, int32_t);
    s->points = ALLOC(s, n, int64_t);
    q = prep(L, ENC_SNAPQ_CUST_ATTRS);
    if (!q) return ENC_EDB;
    bind_range(L, q, 1, ENC_SR_CUSTOMERS);
    while (enc_scan_next(q) == 1) {
        int32_t i = cust_index(L, q, 0);
        if (i >= 0) read_attrs(L, q, (size_t)i);
    }
    enc_scan_close(q);
    return ENC_OK;
}

static enc_rc load_products(loader *L)
{
    enc_snapshot *s = L->s;
    size_t n = (size_t)scalar(L, ENC_SNAPQ_PROD_COUNT);
    L->max_prod = scalar(L, ENC_SNAPQ_PROD_MAX);
    if (L->max_prod > L->x->upto[ENC_SR_PRODUCTS]) L->max_prod = L->x->upto[ENC_SR_PRODUCTS];
    L->prod_of = enc_xmalloc((size_t)(L->max_prod + 1) * sizeof *L->prod_of);
    memset(L->prod_of, 0xff, (size_t)(L->max_prod + 1) * sizeof *L->prod_of);
    L->sku_of = enc_smap_new(n);
    s->prod_id = ALLOC(s, n, int64_t);
    s->prod_sku = ALLOC(s, n, const char *);
    s->prod_name = ALLOC(s, n, const char *);
    s->prod_cat = ALLOC(s, n, int32_t);
    s->prod_top = ALLOC(s, n, int32_t);
    s->prod_brand = ALLOC(s, n, int32_t);
    s->prod_price = ALLOC(s, n, int64_t);
    s->prod_tier = ALLOC(s, n, int32_t);
    s->prod_replenish = ALLOC(s, n, int32_t);
    s->prod_in_stock = ALLOC(s, n, uint8_t);
    enc_scan *q = prep(L, ENC_SNAPQ_PRODUCTS);
    if (!q) return ENC_EDB;
    enc_scan_bind_i64(q, 1, L->max_prod);
    size_t i = 0;
    while (i < n && enc_scan_next(q) == 1) {
        s->prod_id[i] = enc_scan_i64(q, 0);
        const char *sku = (const char *)enc_scan_text(q, 1);
        if (s->prod_id[i] < 1 || s->prod_id[i] > L->max_prod || !sku) {
            int64_t bad = s->prod_id[i];
            enc_scan_close(q);
            return enc_fail(L->err, ENC_EDB,
                            "the store's product #%lld has %s: it is corrupted or was edited by"
                            " hand; `encore check` lists what is wrong",
                            (long long)bad, sku ? "an id out of range" : "no sku");
        }
        L->prod_of[s->prod_id[i]] = (int32_t)i;
        s->prod_sku[i] = enc_arena_strndup(s->arena, sku, strlen(sku));
        *enc_smap_put(L->sku_of, sku, strlen(sku), 0, NULL) = (int64_t)i;
        const char *name = (const char *)enc_scan_text(q, 2);
        s->prod_name[i] = name ? enc_arena_strndup(s->arena, name, strlen(name)) : NULL;
        const unsigned char *cat = enc_scan_text(q, 3);
        s->prod_cat[i] = dict_add(&s->cats, s->arena, cat, &L->dcap[4]);
        s->prod_top[i] = -1;
        if (cat) {
            /* the first level of "A/B/C" (or "A > B") */
            char top[256];
            size_t k = 0;
            while (cat[k] && cat[k] != '/' && cat[k] != '>' && k + 1 < sizeof top) {
                top[k] = (char)cat[k];
                k++;
            }
            while (k && top[k - 1] == ' ') k--;
            top[k] = 0;
            s->prod_top[i] = dict_add(&s->tops, s->arena, (const unsigned char *)top, &L->dcap[5]);
        }
        s->prod_brand[i] = dict_add(&s->brands, s->arena, enc_scan_text(q, 4), &L->dcap[6]);
        s->prod_price[i] = enc_scan_i64(q, 5);
        s->prod_tier[i] = enc_scan_int(q, 6);
        s->prod_replenish[i] = enc_scan_int(q, 7);
        s->prod_in_stock[i] = (uint8_t)enc_scan_int(q, 8);
        i++;
    }
    enc_scan_close(q);
    s->nprod = i;
    return ENC_OK;
}

/* Sale orders at or after `from`. Also notes the range of their store ids (for the lines). */
static enc_rc load_orders(loader *L, int64_t from)
{
    enc_snapshot *s = L->s;
    L->max_ord = scalar(L, ENC_SNAPQ_ORD_MAX);
    bool details = L->parts & ENC_SNAP_DETAILS;
    int32_t *key, *ch = NULL, *pay = NULL;
    int64_t *id, *ts, *amt;
    uint8_t *promo = NULL;
    cols c = {0};
    COL(&c, key), COL(&c, id), COL(&c, ts), COL(&c, amt);
    if (details) COL(&c, ch), COL(&c, pay), COL(&c, promo);
    enc_scan *q = prep(L, details ? ENC_SNAPQ_ORDERS_DETAILS : ENC_SNAPQ_ORDERS);
    if (!q) return ENC_EDB;
    cols_alloc(&c, L->max_ord); /* ids from 1: the largest bounds the count */
    enc_scan_bind_i64(q, 1, s->as_of);
    enc_scan_bind_i64(q, 2, from);
    bind_range(L, q, 3, ENC_SR_ORDERS);
    size_t n = 0;
    L->min_oid = INT64_MAX;
    L->max_oid = INT64_MIN;
    while (enc_scan_next(q) == 1) {
        int32_t cu = cust_index(L, q, 1);
        if (cu < 0) continue;
        cols_room(&c, n);
        key[n] = cu;
        id[n] = enc_scan_i64(q, 0);
        ts[n] = enc_scan_i64(q, 2);
        amt[n] = enc_scan_i64(q, 3);
        if (details) {
            promo[n] = (uint8_t)enc_scan_int(q, 4);
            ch[n] = dict_add(&s->channels, L->arena, enc_scan_text(q, 5), &L->dcap[7]);
            pay[n] = dict_add(&s->payments, L->arena, enc_scan_text(q, 6), &L->dcap[8]);
        }
        if (id[n] < L->min_oid) L->min_oid = id[n];
        if (id[n] > L->max_oid) L->max_oid = id[n];
        n++;
    }
    enc_scan_close(q);

    s->ord_off = ALLOC(s, s->ncust + 1, int64_t);
    size_t *perm = group_rows(key, n, s->ncust, ts, s->ord_off);
    s->nord = n;
    s->ord_id = ALLOC(s, n, int64_t);
    s->ord_ts = ALLOC(s, n, int64_t);
    s->ord_amount = ALLOC(s, n, int64_t);
    if (details) {
        s->ord_promo = ALLOC(s, n, uint8_t);
        s->ord_channel = ALLOC(s, n, int32_t);
        s->ord_payment = ALLOC(s, n, int32_t);
    }
    L->ord_of = enc_xmalloc((size_t)(L->max_ord + 1) * sizeof *L->ord_of);
    memset(L->ord_of, 0xff, (size_t)(L->max_ord + 1) * sizeof *L->ord_of);
    for (size_t k = 0; k < n; k++) {
        size_t p = perm[k];
        s->ord_id[k] = id[p];
        s->ord_ts[k] = ts[p];
        s->ord_amount[k] = amt[p];
        if (details) {
            s->ord_promo[k] = promo[p];
            s->ord_channel[k] = ch[p];
            s->ord_payment[k] = pay[p];
        }
        L->ord_of[id[p]] = (int32_t)k;
    }
    free(perm);
    cols_free(&c);
    return ENC_OK;
}

/* The sale lines of the sale orders read. A line's id is order_id << ENC_LINE_BITS | line_no
 * (store.h): the lines of orders min_oid..max_oid are one range of ids (a window of recent
 * orders reads only the recent part of the table when order ids grow with time), and read in
 * id order each order's lines come as one run, copied to the order's place in the snapshot. */
static enc_rc load_lines(loader *L)
{
    enc_snapshot *s = L->s;
    size_t n = 0;
    bool details = L->parts & ENC_SNAP_DETAILS;
    int32_t *prod, *qty = NULL;
    int64_t *amt = NULL;
    cols c = {0};
    COL(&c, prod);
    if (details) COL(&c, qty), COL(&c, amt);
    int64_t lo = 0, hi = -1;
    if (s->nord && L->max_oid < (INT64_MAX >> ENC_LINE_BITS) - 1) {
        lo = L->min_oid << ENC_LINE_BITS;
        hi = (L->max_oid + 1) << ENC_LINE_BITS;
    }
    enc_scan *q = prep(L, details ? ENC_SNAPQ_LINES_DETAILS : ENC_SNAPQ_LINES);
    if (!q) return ENC_EDB;
    enc_scan_bind_i64(q, 1, lo);
    enc_scan_bind_i64(q, 2, hi);
    /* every line of the table, when no window narrows the orders (count(*) reads only the
     * table's page headers); else a guess that grows */
    cols_alloc(&c, L->orders_from == INT64_MIN && !ranged(L, ENC_SR_ORDERS)
                       ? scalar(L, ENC_SNAPQ_LINES_COUNT)
                       : (int64_t)s->nord * 4);
    int64_t *run = enc_xmalloc((s->nord + 1) * sizeof *run); /* first line read, per order */
    int32_t *cnt = enc_xcalloc(s->nord + 1, sizeof *cnt);
    int64_t last = -1;
    enc_rc rc = ENC_OK;
    while (enc_scan_next(q) == 1) {
        int64_t oid = enc_scan_i64(q, 0) >> ENC_LINE_BITS;
        if (oid < 0 || oid > L->max_ord || L->ord_of[oid] < 0) continue;
        int32_t k = L->ord_of[oid];
        if (oid != last) {
            if (cnt[k]) { /* cannot happen in id order; a store broken by hand */
                rc = enc_fail(L->err, ENC_EDB, "snapshot: order %lld: lines out of their id range",
                              (long long)oid);
                break;
            }
            run[k] = (int64_t)n;
            last = oid;
        }
        cnt[k]++;
        cols_room(&c, n);
        int64_t pid = enc_scan_i64(q, 1);
        prod[n] = pid > 0 && pid <= L->max_prod ? L->prod_of[pid] : -1;
        if (details) {
            int64_t qv = enc_scan_i64(q, 2);
            qty[n] = qv > INT32_MAX ? INT32_MAX : (int32_t)qv;
            amt[n] = enc_scan_i64(q, 3);
        }
        n++;
    }
    enc_scan_close(q);
    s->line_off = ALLOC(s, s->nord + 1, int64_t);
    s->nline = n;
    s->line_prod = ALLOC(s, n, int32_t);
    if (details) {
        s->line_qty = ALLOC(s, n, int32_t);
        s->line_amount = ALLOC(s, n, int64_t);
    }
    s->line_off[0] = 0;
    for (size_t k = 0; !rc && k < s->nord; k++) {
        int64_t o = s->line_off[k], r = run[k];
        size_t m = (size_t)cnt[k];
        s->line_off[k + 1] = o + cnt[k];
        if (!m) continue;
        memcpy(s->line_prod + o, prod + r, m * sizeof *prod);
        if (!details) continue;
        memcpy(s->line_qty + o, qty + r, m * sizeof *qty);
        memcpy(s->line_amount + o, amt + r, m * sizeof *amt);
    }
    free(run);
    free(cnt);
    cols_free(&c);
    return rc;
}

static enc_rc load_returns(loader *L)
{
    enc_snapshot *s = L->s;
    s->ret_amount = ALLOC(s, s->ncust, int64_t);
    s->ret_count = ALLOC(s, s->ncust, int32_t);
    memset(s->ret_amount, 0, s->ncust * sizeof *s->ret_amount);
    memset(s->ret_count, 0, s->ncust * sizeof *s->ret_count);
    enc_scan *q = prep(L, ENC_SNAPQ_RETURNS);
    if (!q) return ENC_EDB;
    size_t n = 0;
    int32_t *key;
    int64_t *ts, *amt;
    cols c = {0};
    COL(&c, key), COL(&c, ts), COL(&c, amt);
    cols_alloc(&c, 0);
    enc_scan_bind_i64(q, 1, s->as_of);
    bind_range(L, q, 2, ENC_SR_ORDERS);
    /* the lines of the orders in range are a range of line ids (store.h) */
    int64_t after = L->x->after[ENC_SR_ORDERS], upto = L->x->upto[ENC_SR_ORDERS],
            lim = (INT64_MAX >> ENC_LINE_BITS) - 1;
    enc_scan_bind_i64(q, 4,
                      after < 0      ? INT64_MIN
                      : after >= lim ? INT64_MAX
                                     : (after + 1) << ENC_LINE_BITS);
    enc_scan_bind_i64(q, 5,
                      upto >= lim ? INT64_MAX
                      : upto < 0  ? INT64_MIN
                                  : (upto + 1) << ENC_LINE_BITS);
    while (enc_scan_next(q) == 1) {
        int32_t cu = cust_index(L, q, 0);
        if (cu < 0) continue;
        int64_t a = enc_scan_i64(q, 1);
        a = a > 0 ? a : -a;
        s->ret_amount[cu] += a;
        s->ret_count[cu]++;
        cols_room(&c, n);
        key[n] = cu;
        ts[n] = enc_scan_i64(q, 2);
        amt[n] = a;
        n++;
    }
    enc_scan_close(q);
    s->ret_off = ALLOC(s, s->ncust + 1, int64_t);
    size_t *perm = group_rows(key, n, s->ncust, ts, s->ret_off);
    s->ret_ts = ALLOC(s, n, int64_t);
    s->ret_amt = ALLOC(s, n, int64_t);
    for (size_t k = 0; k < n; k++) {
        s->ret_ts[k] = ts[perm[k]];
        s->ret_amt[k] = amt[perm[k]];
    }
    free(perm);
    cols_free(&c);
    return ENC_OK;
}

/* Events at or after `from`. */
static enc_rc load_events(loader *L, int64_t from)
{
    enc_snapshot *s = L->s;
    s->consults = ALLOC(s, s->ncust, int32_t);
    memset(s->consults, 0, s->ncust * sizeof *s->consults);
    bool details = L->parts & ENC_SNAP_DETAILS;
    enc_scan *q = prep(L, details ? ENC_SNAPQ_EVENTS_DETAILS : ENC_SNAPQ_EVENTS);
    if (!q) return ENC_EDB;
    size_t n = 0;
    int32_t *key, *prod;
    int64_t *ts;
    uint8_t *type;
    uint32_t *sess = NULL;
    cols c = {0};
    COL(&c, key), COL(&c, prod), COL(&c, ts), COL(&c, type);
    if (details) COL(&c, sess);
    /* ids from 1: the largest bounds the count */
    int64_t cap = scalar(L, ENC_SNAPQ_EV_MAX);
    cols_alloc(&c, L->x->after[ENC_SR_EVENTS] != INT64_MIN ? 0
                   : cap < L->x->upto[ENC_SR_EVENTS]       ? cap
                                                           : L->x->upto[ENC_SR_EVENTS]);
    enc_scan_bind_i64(q, 1, s->as_of);
    enc_scan_bind_i64(q, 2, from);
    bind_range(L, q, 3, ENC_SR_EVENTS);
    while (enc_scan_next(q) == 1) {
        int32_t cu = cust_index(L, q, 0);
        if (cu < 0) continue;
        cols_room(&c, n);
        key[n] = cu;
        ts[n] = enc_scan_i64(q, 1);
        type[n] = (uint8_t)enc_ev_type_parse((const char *)enc_scan_text(q, 2));
        if (type[n] == EV_CONSULT) s->consults[cu]++;
        const char *sku = (const char *)enc_scan_text(q, 3);
        int64_t *p = sku ? enc_smap_get(L->sku_of, sku, strlen(sku)) : NULL;
        prod[n] = p ? (int32_t)*p : -1;
        if (details) {
            const char *ses = (const char *)enc_scan_text(q, 4);
            size_t sl = ses ? (size_t)enc_scan_bytes(q, 4) : 0;
            uint32_t h = sl ? (uint32_t)enc_hash_bytes(ses, sl) : 0;
            sess[n] = h ? h : sl ? 1 : 0; /* a hash of 0 would read as "none" */
        }
        n++;
    }
    enc_scan_close(q);
    s->ev_off = ALLOC(s, s->ncust + 1, int64_t);
    size_t *perm = group_rows(key, n, s->ncust, ts, s->ev_off);
    s->nev = n;
    s->ev_ts = ALLOC(s, n, int64_t);
    s->ev_type = ALLOC(s, n, uint8_t);
    s->ev_prod = ALLOC(s, n, int32_t);
    if (details) s->ev_session = ALLOC(s, n, uint32_t);
    for (size_t k = 0; k < n; k++) {
        s->ev_ts[k] = ts[perm[k]];
        s->ev_type[k] = type[perm[k]];
        s->ev_prod[k] = prod[perm[k]];
        if (details) s->ev_session[k] = sess[perm[k]];
    }
    free(perm);
    cols_free(&c);
    return ENC_OK;
}

static enc_rc load_feedback(loader *L)
{
    enc_snapshot *s = L->s;
    size_t n = s->ncust;
    s->complaints = ALLOC(s, n, int32_t);
    s->last_complaint = ALLOC(s, n, int64_t);
    s->nps_last = ALLOC(s, n, float);
    s->review_avg = ALLOC(s, n, float);
    for (size_t i = 0; i < n; i++) {
        s->complaints[i] = 0;
        s->last_complaint[i] = ENC_NO_TIME;
        s->nps_last[i] = NAN;
        s->review_avg[i] = 0;
    }
    enc_scan *q = prep(L, ENC_SNAPQ_FEEDBACK);
    if (!q) return ENC_EDB;
    int32_t *reviews = enc_xcalloc(n ? n : 1, sizeof *reviews);
    size_t nc = 0, nr = 0;
    int32_t *ckey, *rkey = NULL;
    int64_t *cts, *rts = NULL;
    uint8_t *rkind = NULL;
    float *rscore = NULL;
    cols c = {0}, r = {0};
    COL(&c, ckey), COL(&c, cts);
    cols_alloc(&c, 0);
    bool rows = L->x->rows;
    if (rows) {
        COL(&r, rkey), COL(&r, rts), COL(&r, rkind), COL(&r, rscore);
        cols_alloc(&r, 0);
    }
    enc_scan_bind_i64(q, 1, s->as_of);
    bind_range(L, q, 2, ENC_SR_FEEDBACK);
    while (enc_scan_next(q) == 1) {
        int32_t cu = cust_index(L, q, 0);
        if (cu < 0) continue;
        const char *kind = (const char *)enc_scan_text(q, 2);
        bool has_score = !enc_scan_null(q, 3);
        double score = enc_scan_double(q, 3);
        if (rows) {
            cols_room(&r, nr);
            rkey[nr] = cu;
            rts[nr] = enc_scan_i64(q, 1);
            rkind[nr] = strcmp(kind, "complaint") == 0 ? FB_COMPLAINT
                        : strcmp(kind, "nps") == 0     ? FB_NPS
                        : strcmp(kind, "review") == 0  ? FB_REVIEW
                                                       : FB_OTHER;
            rscore[nr++] = has_score ? (float)score : NAN;
        }
        if (strcmp(kind, "complaint") == 0) {
            s->complaints[cu]++;
            s->last_complaint[cu] = enc_scan_i64(q, 1);
            cols_room(&c, nc);
            ckey[nc] = cu;
            cts[nc++] = s->last_complaint[cu];
        } else if (strcmp(kind, "nps") == 0 && has_score) {
            s->nps_last[cu] = (float)score;
        } else if (strcmp(kind, "review") == 0 && has_score) {
            s->review_avg[cu] += (float)score;
            reviews[cu]++;
        }
    }
    enc_scan_close(q);
    for (size_t i = 0; i < n; i++)
        s->review_avg[i] = reviews[i] ? s->review_avg[i] / (float)reviews[i] : NAN;
    free(reviews);
    /* complaint times: read in time order, so grouping keeps each customer's in order */
    s->cmp_off = ALLOC(s, n + 1, int64_t);
    size_t *perm = group_rows(ckey, nc, n, NULL, s->cmp_off);
    s->cmp_ts = ALLOC(s, nc, int64_t);
    for (size_t k = 0; k < nc; k++) s->cmp_ts[k] = cts[perm[k]];
    free(perm);
    cols_free(&c);
    if (rows) { /* read in (time, id) order: grouping keeps each customer's in that order */
        s->fb_off = ALLOC(s, n + 1, int64_t);
        perm = group_rows(rkey, nr, n, NULL, s->fb_off);
        s->fb_ts = ALLOC(s, nr, int64_t);
        s->fb_kind = ALLOC(s, nr, uint8_t);
        s->fb_score = ALLOC(s, nr, float);
        for (size_t k = 0; k < nr; k++) {
            s->fb_ts[k] = rts[perm[k]];
            s->fb_kind[k] = rkind[perm[k]];
            s->fb_score[k] = rscore[perm[k]];
        }
        free(perm);
        cols_free(&r);
    }
    return ENC_OK;
}

/* The consent ledger replayed per customer in time order (ties in id order): each entry sets
 * or clears its channel's bit, an "all" entry every channel's. Read in id order and put in
 * order by the counting sort, which costs a fraction of an ORDER BY ts, id (SQLite's sorter
 * took 0.8 s of 1.2 s for 1.85 million entries). */
static enc_rc load_consents(loader *L)
{
    enc_snapshot *s = L->s;
    s->consent = ALLOC(s, s->ncust, uint8_t);
    memset(s->consent, 0, s->ncust);
    enc_scan *q = prep(L, ENC_SNAPQ_CONSENTS);
    if (!q) return ENC_EDB;
    size_t n = 0;
    int32_t *key;
    int64_t *ts;
    uint8_t *mask, *granted;
    cols c = {0};
    COL(&c, key), COL(&c, ts), COL(&c, mask), COL(&c, granted);
    cols_alloc(&c, ranged(L, ENC_SR_CONSENTS) ? 0 : scalar(L, ENC_SNAPQ_CONS_MAX));
    enc_scan_bind_i64(q, 1, s->as_of);
    bind_range(L, q, 2, ENC_SR_CONSENTS);
    while (enc_scan_next(q) == 1) {
        int32_t cu = cust_index(L, q, 0);
        if (cu < 0) continue;
        const char *ch = (const char *)enc_scan_text(q, 1);
        int bit = enc_channel_parse(ch);
        uint8_t m = bit >= 0 ? (uint8_t)(1u << bit) : strcmp(ch, "all") == 0 ? 0x1f : 0;
        if (!m) continue;
        cols_room(&c, n);
        key[n] = cu;
        mask[n] = m;
        granted[n] = enc_scan_int(q, 2) != 0;
        ts[n] = enc_scan_i64(q, 3);
        n++;
    }
    enc_scan_close(q);
    int64_t *off = enc_xmalloc((s->ncust + 1) * sizeof *off);
    size_t *perm = group_rows(key, n, s->ncust, ts, off);
    for (size_t k = 0; k < n; k++) {
        size_t p = perm[k];
        if (granted[p]) s->consent[key[p]] |= mask[p];
        else s->consent[key[p]] &= (uint8_t)~mask[p];
    }
    if (L->x->rows) {
        s->con_off = ALLOC(s, s->ncust + 1, int64_t);
        memcpy(s->con_off, off, (s->ncust + 1) * sizeof *off);
        s->con_ts = ALLOC(s, n, int64_t);
        s->con_mask = ALLOC(s, n, uint8_t);
        s->con_granted = ALLOC(s, n, uint8_t);
        for (size_t k = 0; k < n; k++) {
            s->con_ts[k] = ts[perm[k]];
            s->con_mask[k] = mask[perm[k]];
            s->con_granted[k] = granted[perm[k]];
        }
    }
    free(perm);
    free(off);
    cols_free(&c);
    return ENC_OK;
}

/* A store of up to 256 MB is scanned through a memory map: its pages are not copied into each
 * connection's page cache, which for a bulk scan costs only copies and fresh memory (a third of
 * the system time of scoring Online Retail). A larger store is read the ordinary way: mapped,
 * its pages would count in the process's resident memory for no gain in speed. */
#define MMAP_MAX ((int64_t)256 << 20)

/* The tables after customers and products (which every other needs) are tasks that two
 * threads, each on its own connection, take in turn from a list, the costliest first: events
 * (usually most of the rows), orders with their lines, consents, returns, feedback. Each task
 * writes its own arrays, into its thread's arena. */
enum { T_EVENTS, T_ORDERS, T_CONSENTS, T_RETURNS, T_FEEDBACK };

typedef struct tasks {
    int task[5], n;
    atomic_int next;
} tasks;

typedef struct worker {
    loader L;
    tasks *t;
    enc_err err;
    enc_rc rc;
} worker;

static enc_rc run_task(loader *L, int task)
{
    switch (task) {
    case T_EVENTS: return load_events(L, L->events_from);
    case T_ORDERS: {
        enc_rc rc = load_orders(L, L->orders_from);
        if (!rc && (L->parts & ENC_SNAP_LINES)) rc = load_lines(L);
        return rc;
    }
    case T_CONSENTS: return load_consents(L);
    case T_RETURNS: return load_returns(L);
    default: return load_feedback(L);
    }
}

static void *work(void *p)
{
    worker *w = p;
    int k;
    while (!w->rc && (k = atomic_fetch_add(&w->t->next, 1)) < w->t->n)
        w->rc = run_task(&w->L, w->t->task[k]);
    return NULL;
}

static bool has_orders(unsigned parts) { return parts & (ENC_SNAP_ORDERS | ENC_SNAP_LINES); }

void enc_snapshot_opts_merge(enc_snapshot_opts *a, const enc_snapshot_opts *b)
{
    if (has_orders(b->parts))
        a->orders_from = has_orders(a->parts) && a->orders_from < b->orders_from ? a->orders_from
                                                                                 : b->orders_from;
    if (b->parts & ENC_SNAP_EVENTS)
        a->events_from = (a->parts & ENC_SNAP_EVENTS) && a->events_from < b->events_from
                             ? a->events_from
                             : b->events_from;
    a->parts |= b->parts;
}

bool enc_snapshot_opts_cover(const enc_snapshot_opts *have, const enc_snapshot_opts *need)
{
    if (need->parts & ~have->parts) return false;
    if (has_orders(need->parts) && have->orders_from > need->orders_from) return false;
    if ((need->parts & ENC_SNAP_EVENTS) && have->events_from > need->events_from) return false;
    return true;
}

enc_rc enc__snapshot_load_ext(enc_store *st, int64_t as_of, const enc_snapshot_opts *o,
                              const enc__snap_ext *x, enc_snapshot **out, enc_err *err)
{
    *out = NULL;
    enc_snapshot_opts want = o ? *o : ENC_SNAPSHOT_ALL;
    unsigned parts = want.parts & ENC_SNAP_ALL;
    if (parts & ENC_SNAP_LINES) parts |= ENC_SNAP_ORDERS | ENC_SNAP_PRODUCTS;
    if (parts & ENC_SNAP_EVENTS) parts |= ENC_SNAP_PRODUCTS;
    enc_snapshot *s = enc_xcalloc(1, sizeof *s);
    s->as_of = as_of;
    s->loaded = (enc_snapshot_opts){parts, parts & ENC_SNAP_ORDERS ? want.orders_from : INT64_MIN,
                                    parts & ENC_SNAP_EVENTS ? want.events_from : INT64_MIN};
    s->arena = enc_arena_new(1 << 20);
    enc_dict *dicts[] = {&s->cats,    &s->tops,   &s->brands, &s->channels, &s->payments,
                         &s->regions, &s->cities, &s->tiers,  &s->zones};
    for (size_t i = 0; i < sizeof dicts / sizeof *dicts; i++) dict_init(dicts[i]);
    loader L = {.s = s,
                .st = st,
                .err = err,
                .db = st,
                .arena = s->arena,
                .parts = parts,
                .x = x,
                .orders_from = s->loaded.orders_from,
                .events_from = s->loaded.events_from};
    int64_t bytes = enc_store_db_bytes(st),
            map = bytes > 0 && bytes <= MMAP_MAX ? bytes + (1 << 20) : 0;
    int64_t mmap_before = enc_store_mmap_get(st);
    if (map) enc_store_mmap_set(st, map);
    int64_t cache_before = enc__store_scan_begin(st);
    tasks t = {.n = 0};
    static const unsigned task_part[] = {ENC_SNAP_EVENTS, ENC_SNAP_ORDERS, ENC_SNAP_CONSENTS,
                                         ENC_SNAP_RETURNS, ENC_SNAP_FEEDBACK};
    for (int k = 0; k < 5; k++)
        if (parts & task_part[k]) t.task[t.n++] = k;
    atomic_init(&t.next, 0);
    /* one read transaction (on each connection): every table is seen at the same moment */
    /* (a second connection for the tables loaded on a second thread, reading exactly what the
     * main connection reads; NULL for an in-memory or unwritable database: everything is then
     * read on the main connection) */
    enc_store *side = t.n > 1 ? enc_store_side_open(st, map) : NULL;
    enc_rc rc = side ? ENC_OK : enc_store_read_begin(st, "snapshot", err);
    if (!rc) rc = check_ids(&L);
    if (!rc) rc = load_customers(&L, parts & ENC_SNAP_CUSTOMERS);
    if (!rc && (parts & ENC_SNAP_PRODUCTS) && !x->cust_ids) rc = load_products(&L);
    if (x->cust_ids) { /* the caller's products */
        L.sku_of = x->skus;
        L.prod_of = (int32_t *)x->prod_of;
        L.max_prod = x->max_prod;
    }
    worker w[2] = {{.L = L, .t = &t}, {.L = L, .t = &t}};
    w[0].L.err = &w[0].err;
    w[1].L.err = &w[1].err;
    pthread_t tid;
    bool threaded = false;
    if (!rc && side) {
        s->arena_side = enc_arena_new(1 << 20);
        w[1].L.db = side;
        w[1].L.arena = s->arena_side;
        threaded = pthread_create(&tid, NULL, work, &w[1]) == 0;
    }
    if (!rc) work(&w[0]);
    if (threaded) pthread_join(tid, NULL);
    for (int k = 0; k < 2 && !rc; k++)
        if (w[k].rc) {
            rc = w[k].rc;
            *err = w[k].err;
        }
    enc_store_read_end(st);
    if (map) enc_store_mmap_set(st, mmap_before);
    enc__store_scan_end(st, cache_before);
    enc_store_side_close(side);
    free(L.cust_of);
    free(w[0].L.ord_of);
    free(w[1].L.ord_of);
    if (!x->cust_ids) {
        free(L.prod_of);
        enc_smap_free(L.sku_of);
    }
    if (rc) {
        enc_snapshot_free(s);
        return rc;
    }
    *out = s;
    return ENC_OK;
}

void enc_snapshot_free(enc_snapshot *s)
{
    if (!s) return;
    enc_dict *dicts[] = {&s->cats,    &s->tops,   &s->brands, &s->channels, &s->payments,
                         &s->regions, &s->cities, &s->tiers,  &s->zones};
    for (size_t i = 0; i < sizeof dicts / sizeof *dicts; i++) enc_smap_free(dicts[i]->map);
    enc_arena_free(s->arena);
    enc_arena_free(s->arena_side);
    if (s->map) munmap(s->map, s->map_bytes);
    free(s);
}

ptrdiff_t enc_snapshot_find(const enc_snapshot *s, int64_t cust_id)
{
    size_t lo = 0, hi = s->ncust;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->cust_id[mid] < cust_id) lo = mid + 1;
        else hi = mid;
    }
    return lo < s->ncust && s->cust_id[lo] == cust_id ? (ptrdiff_t)lo : -1;
}
