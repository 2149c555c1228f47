/* colcache.c — the column cache (colcache.h). The file (colfile.h) holds the arrays of a
 * snapshot read with every part but the details, all history up to the marks, and the
 * feedback and consent ledgers row by row (snapshot_int.h). A snapshot is derived from the
 * mapped file in passes over each customer's rows: the held rows and the rows read above the
 * marks, each already in time order, are cut to the window by binary search and merged (held
 * rows first on equal times, as their ids are smaller: the order the store's loader gives). */
#include "snapshot/colcache.h"
#include "snapshot/colfile.h"
#include "snapshot/snapshot_int.h"
#include "store/colcache_store.h"
#include "store/store_analytics.h"
#include "base/map.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "ENCCOL02"

typedef struct header {
    char magic[8];
    int64_t schema, gen, built_at, bytes;
    int64_t hwm[ENC_SR_N];
    int64_t ncust, nprod, nord, nline, nev, nret, nfb, ncon, ncmp;
} header;

bool enc_colcache_enabled(void)
{
    const char *v = getenv("ENCORE_COLUMN_CACHE");
    return !v || strcmp(v, "off") != 0;
}

bool enc_colcache_path(enc_store *st, char *buf, size_t size)
{
    const char *db = enc_store_path(st);
    if (!*db) return false;
    return (size_t)snprintf(buf, size, "%s.columns", db) < size;
}

/* ---- the store's side: marks and generation ---------------------------------------------- */

static int64_t store_gen(enc_store *st) { return enc_store_column_gen(st, 1); }

static int64_t store_max(enc_store *st, int t) { return enc_store_max_id(st, enc__sr_table[t]); }

static int64_t store_mark(enc_store *st, int t)
{
    return enc_store_colmark_get(st, enc__sr_table[t]);
}

/* ---- writing ----------------------------------------------------------------------------- */

#define PUT(w, s, field, n)                                                                        \
    enc_colfile_put((w), #field, (s)->field, (size_t)(n) * sizeof *(s)->field)

static void put_dict(enc_colfile_w *w, const char *name, const enc_dict *d)
{
    enc_colfile_put_strings(w, name, d->names, d->n);
}

static void put_snapshot(enc_colfile_w *w, const enc_snapshot *s)
{
    size_t nc = s->ncust, nr = (size_t)s->ret_off[nc], nf = (size_t)s->fb_off[nc],
           nk = (size_t)s->con_off[nc], ncm = (size_t)s->cmp_off[nc];
    PUT(w, s, cust_id, nc);
    enc_colfile_put_strings(w, "cust_ext", s->cust_ext, nc);
    PUT(w, s, registered_at, nc);
    PUT(w, s, birth_md, nc);
    PUT(w, s, gender, nc);
    PUT(w, s, region, nc);
    PUT(w, s, city, nc);
    PUT(w, s, tier, nc);
    PUT(w, s, tz, nc);
    PUT(w, s, points, nc);
    PUT(w, s, prod_id, s->nprod);
    enc_colfile_put_strings(w, "prod_sku", s->prod_sku, s->nprod);
    enc_colfile_put_strings(w, "prod_name", s->prod_name, s->nprod);
    PUT(w, s, prod_cat, s->nprod);
    PUT(w, s, prod_top, s->nprod);
    PUT(w, s, prod_brand, s->nprod);
    PUT(w, s, prod_price, s->nprod);
    PUT(w, s, prod_tier, s->nprod);
    PUT(w, s, prod_replenish, s->nprod);
    PUT(w, s, prod_in_stock, s->nprod);
    PUT(w, s, ord_off, nc + 1);
    PUT(w, s, ord_id, s->nord);
    PUT(w, s, ord_ts, s->nord);
    PUT(w, s, ord_amount, s->nord);
    PUT(w, s, line_off, s->nord + 1);
    PUT(w, s, line_prod, s->nline);
    PUT(w, s, ret_off, nc + 1);
    PUT(w, s, ret_ts, nr);
    PUT(w, s, ret_amt, nr);
    PUT(w, s, ev_off, nc + 1);
    PUT(w, s, ev_ts, s->nev);
    PUT(w, s, ev_type, s->nev);
    PUT(w, s, ev_prod, s->nev);
    PUT(w, s, fb_off, nc + 1);
    PUT(w, s, fb_ts, nf);
    PUT(w, s, fb_kind, nf);
    PUT(w, s, fb_score, nf);
    PUT(w, s, con_off, nc + 1);
    PUT(w, s, con_ts, nk);
    PUT(w, s, con_mask, nk);
    PUT(w, s, con_granted, nk);
    (void)ncm;
    put_dict(w, "cats", &s->cats);
    put_dict(w, "tops", &s->tops);
    put_dict(w, "brands", &s->brands);
    put_dict(w, "regions", &s->regions);
    put_dict(w, "cities", &s->cities);
    put_dict(w, "tiers", &s->tiers);
    put_dict(w, "zones", &s->zones);
}

enc_rc enc_colcache_build(enc_store *st, enc_err *err)
{
    char path[4096];
    if (!enc_colcache_path(st, path, sizeof path))
        return enc_fail(err, ENC_EUSAGE, "column cache: the store is in memory");
    /* the marks first, in a write transaction: from here on a change to a row at or below
     * them raises the generation; the rows are then read up to the marks only */
    header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, 8);
    if (enc_store_begin(st, err)) return ENC_EDB;
    for (int t = 0; t < ENC_SR_N; t++) h.hwm[t] = store_max(st, t);
    enc_rc rc = enc_store_colmarks_set(st, enc__sr_table, h.hwm, ENC_SR_N, err);
    h.gen = store_gen(st);
    h.schema = enc_store_schema_version(st);
    if (rc) {
        enc_store_rollback(st);
        return rc;
    }
    if (enc_store_commit(st, err)) return ENC_EDB;

    enc__snap_ext x;
    enc__snap_ext_all(&x);
    for (int t = 0; t < ENC_SR_N; t++) x.upto[t] = h.hwm[t];
    x.rows = true;
    enc_snapshot_opts o = {ENC_SNAP_ALL & ~ENC_SNAP_DETAILS, INT64_MIN, INT64_MIN};
    enc_snapshot *s;
    if (enc__snapshot_load_ext(st, INT64_MAX, &o, &x, &s, err)) return ENC_EDB;

    enc_colfile_w w;
    if (enc_colfile_begin(&w, path, sizeof h, err)) {
        enc_snapshot_free(s);
        return ENC_EIO;
    }
    h.built_at = (int64_t)time(NULL);
    h.ncust = (int64_t)s->ncust;
    h.nprod = (int64_t)s->nprod;
    h.nord = (int64_t)s->nord;
    h.nline = (int64_t)s->nline;
    h.nev = (int64_t)s->nev;
    h.nret = s->ret_off[s->ncust];
    h.nfb = s->fb_off[s->ncust];
    h.ncon = s->con_off[s->ncust];
    h.ncmp = s->cmp_off[s->ncust];
    put_snapshot(&w, s);
    enc_snapshot_free(s);
    h.bytes = w.pos;
    return enc_colfile_commit(&w, MAGIC, &h, sizeof h, err) ? ENC_EIO : ENC_OK;
}

/* ---- reading ----------------------------------------------------------------------------- */

/* The cache's snapshot view: arrays pointing into the map (nothing copied). */
typedef struct view {
    enc_snapshot s;
    const int64_t *str_off[4]; /* cust_ext, prod_sku, prod_name */
    const char *str[4];
    const int64_t *dict_off[7];
    const char *dict_str[7];
    int64_t dict_n[7];
} view;

static const char *const dict_names[7] = {"cats",   "tops",  "brands", "regions",
                                          "cities", "tiers", "zones"};

#define GET(m, v, field, n)                                                                        \
    do {                                                                                           \
        (v)->s.field =                                                                             \
            (void *)enc_colfile_get((m), #field, (int64_t)(n) * (int64_t)sizeof *(v)->s.field);    \
        if (!(v)->s.field && (n) > 0) return "the cache file lacks " #field;                       \
    } while (0)

static const char *get_strings(const enc_colfile *m, const char *name, int64_t n,
                               const int64_t **off, const char **str)
{
    return enc_colfile_strings(m, name, n, off, str) ? NULL : "the cache file lacks strings";
}

static const char *make_view(const enc_colfile *m, view *v)
{
    memset(v, 0, sizeof *v);
    const header *h = m->head;
    int64_t nc = h->ncust;
    v->s.ncust = (size_t)nc;
    v->s.nprod = (size_t)h->nprod;
    v->s.nord = (size_t)h->nord;
    v->s.nline = (size_t)h->nline;
    v->s.nev = (size_t)h->nev;
    GET(m, v, cust_id, nc);
    GET(m, v, registered_at, nc);
    GET(m, v, birth_md, nc);
    GET(m, v, gender, nc);
    GET(m, v, region, nc);
    GET(m, v, city, nc);
    GET(m, v, tier, nc);
    GET(m, v, tz, nc);
    GET(m, v, points, nc);
    GET(m, v, prod_id, h->nprod);
    GET(m, v, prod_cat, h->nprod);
    GET(m, v, prod_top, h->nprod);
    GET(m, v, prod_brand, h->nprod);
    GET(m, v, prod_price, h->nprod);
    GET(m, v, prod_tier, h->nprod);
    GET(m, v, prod_replenish, h->nprod);
    GET(m, v, prod_in_stock, h->nprod);
    GET(m, v, ord_off, nc + 1);
    GET(m, v, ord_id, h->nord);
    GET(m, v, ord_ts, h->nord);
    GET(m, v, ord_amount, h->nord);
    GET(m, v, line_off, h->nord + 1);
    GET(m, v, line_prod, h->nline);
    GET(m, v, ret_off, nc + 1);
    GET(m, v, ret_ts, h->nret);
    GET(m, v, ret_amt, h->nret);
    GET(m, v, ev_off, nc + 1);
    GET(m, v, ev_ts, h->nev);
    GET(m, v, ev_type, h->nev);
    GET(m, v, ev_prod, h->nev);
    GET(m, v, fb_off, nc + 1);
    GET(m, v, fb_ts, h->nfb);
    GET(m, v, fb_kind, h->nfb);
    GET(m, v, fb_score, h->nfb);
    GET(m, v, con_off, nc + 1);
    GET(m, v, con_ts, h->ncon);
    GET(m, v, con_mask, h->ncon);
    GET(m, v, con_granted, h->ncon);
    const char *why;
    if ((why = get_strings(m, "cust_ext", nc, &v->str_off[0], &v->str[0])) ||
        (why = get_strings(m, "prod_sku", h->nprod, &v->str_off[1], &v->str[1])) ||
        (why = get_strings(m, "prod_name", h->nprod, &v->str_off[2], &v->str[2])))
        return why;
    for (int d = 0; d < 7; d++) {
        char nm[24];
        snprintf(nm, sizeof nm, "%s.off", dict_names[d]);
        int64_t n = 0;
        if (!enc_colfile_find(m, nm, &n)) return "the cache file lacks a dictionary";
        n /= 8;
        v->dict_n[d] = n;
        if ((why = get_strings(m, dict_names[d], n, &v->dict_off[d], &v->dict_str[d]))) return why;
    }
    /* the offsets must lie inside their arrays: a damaged file is refused, not followed */
    const struct {
        const int64_t *off;
        int64_t n, rows;
    } csr[] = {{v->s.ord_off, nc, h->nord}, {v->s.line_off, h->nord, h->nline},
               {v->s.ret_off, nc, h->nret}, {v->s.ev_off, nc, h->nev},
               {v->s.fb_off, nc, h->nfb},   {v->s.con_off, nc, h->ncon}};
    for (size_t k = 0; k < sizeof csr / sizeof *csr; k++)
        if (csr[k].off[0] != 0 || csr[k].off[csr[k].n] != csr[k].rows)
            return "the cache file is damaged";
    return NULL;
}

#define str_at enc_colfile_str

/* ---- usable or not ----------------------------------------------------------------------- */

/* Whether the mapped cache serves this store now (run inside a read transaction). */
static const char *check(enc_store *st, const header *h)
{
    if (h->schema != enc_store_schema_version(st)) return "the store's schema changed";
    if (store_gen(st) != h->gen) return "rows it holds changed in the store";
    for (int t = 0; t < ENC_SR_N; t++) {
        int64_t mark = store_mark(st, t);
        if (mark < h->hwm[t]) return "the store's marks are behind it (another store?)";
    }
    if (store_max(st, ENC_SR_PRODUCTS) != h->hwm[ENC_SR_PRODUCTS]) return "products were added";
    return NULL;
}

/* ---- deriving a snapshot ----------------------------------------------------------------- */

/* First index in [lo, hi) with ts >= v. */
static int64_t lower(const int64_t *ts, int64_t lo, int64_t hi, int64_t v)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (ts[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* A customer's rows of one table within [from, to): held rows [b0, b1) and new ones [d0, d1). */
typedef struct span {
    int64_t b0, b1, d0, d1;
} span;

static span cut(const int64_t *boff, const int64_t *bts, size_t nb, const int64_t *doff,
                const int64_t *dts, size_t i, int64_t from, int64_t to)
{
    span p = {0, 0, 0, 0};
    if (i < nb && boff[i] < boff[i + 1]) {
        p.b0 = from == INT64_MIN ? boff[i] : lower(bts, boff[i], boff[i + 1], from);
        p.b1 = to == INT64_MAX || bts[boff[i + 1] - 1] < to ? boff[i + 1]
                                                            : lower(bts, p.b0, boff[i + 1], to);
    }
    if (doff && doff[i] < doff[i + 1]) {
        p.d0 = from == INT64_MIN ? doff[i] : lower(dts, doff[i], doff[i + 1], from);
        p.d1 = to == INT64_MAX || dts[doff[i + 1] - 1] < to ? doff[i + 1]
                                                            : lower(dts, p.d0, doff[i + 1], to);
    }
    return p;
}

/* Walks a span in time order, held rows first on equal times: FROM_B(k) or FROM_D(k). */
#define MERGE(p, bts, dts, FROM_B, FROM_D)                                                         \
    do {                                                                                           \
        int64_t b_ = (p).b0, d_ = (p).d0;                                                          \
        while (b_ < (p).b1 || d_ < (p).d1) {                                                       \
            if (d_ >= (p).d1 || (b_ < (p).b1 && (bts)[b_] <= (dts)[d_])) {                         \
                FROM_B(b_);                                                                        \
                b_++;                                                                              \
            } else {                                                                               \
                FROM_D(d_);                                                                        \
                d_++;                                                                              \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#define prefault enc_colfile_prefault

static void *alloc_big(enc_arena *a, size_t bytes)
{
    void *p = enc_arena_alloc(a, bytes ? bytes : 1);
    prefault(p, bytes, true);
    return p;
}

#define ALLOC(s, n, type) ((type *)alloc_big((s)->arena, (size_t)(n) * sizeof(type)))
#define READS(arr, n) prefault((arr), (size_t)(n) * sizeof *(arr), false)

/* An output dictionary: the cache's names, then names only the new rows have. */
static void dict_from_view(enc_dict *out, enc_arena *a, const view *v, int d, const enc_dict *extra,
                           int32_t **remap)
{
    size_t nb = (size_t)v->dict_n[d], ne = extra ? extra->n : 0;
    out->names = enc_arena_alloc(a, (nb + ne + 1) * sizeof *out->names);
    out->map = enc_smap_new(nb + ne + 8);
    out->n = 0;
    for (size_t k = 0; k < nb; k++) {
        const char *nm = str_at(v->dict_off[d], v->dict_str[d], k);
        out->names[out->n] = nm;
        *enc_smap_put(out->map, nm, strlen(nm), 0, NULL) = (int64_t)out->n++;
    }
    if (remap) {
        *remap = enc_arena_alloc(a, (ne + 1) * sizeof **remap);
        for (size_t k = 0; k < ne; k++) {
            const char *nm = extra->names[k];
            bool added;
            int64_t *id = enc_smap_put(out->map, nm, strlen(nm), (int64_t)out->n, &added);
            if (added) out->names[out->n++] = enc_arena_strndup(a, nm, strlen(nm));
            (*remap)[k] = (int32_t)*id;
        }
    }
}

static int32_t remapped(const int32_t *remap, int32_t id) { return id < 0 ? -1 : remap[id]; }

static void derive_customers(enc_snapshot *s, const view *v, const enc_snapshot *d)
{
    size_t n = s->ncust, nb = v->s.ncust;
    int32_t *rr, *rc, *rt, *rz;
    dict_from_view(&s->regions, s->arena, v, 3, &d->regions, &rr);
    dict_from_view(&s->cities, s->arena, v, 4, &d->cities, &rc);
    dict_from_view(&s->tiers, s->arena, v, 5, &d->tiers, &rt);
    dict_from_view(&s->zones, s->arena, v, 6, &d->zones, &rz);
    s->cust_ext = ALLOC(s, n, const char *);
    s->registered_at = ALLOC(s, n, int64_t);
    s->birth_md = ALLOC(s, n, int16_t);
    s->gender = ALLOC(s, n, char);
    s->region = ALLOC(s, n, int32_t);
    s->city = ALLOC(s, n, int32_t);
    s->tier = ALLOC(s, n, int32_t);
    s->tz = ALLOC(s, n, int32_t);
    s->points = ALLOC(s, n, int64_t);
    for (size_t i = 0; i < nb; i++) s->cust_ext[i] = str_at(v->str_off[0], v->str[0], i);
    memcpy(s->registered_at, v->s.registered_at, nb * sizeof *s->registered_at);
    memcpy(s->birth_md, v->s.birth_md, nb * sizeof *s->birth_md);
    memcpy(s->gender, v->s.gender, nb * sizeof *s->gender);
    memcpy(s->region, v->s.region, nb * sizeof *s->region);
    memcpy(s->city, v->s.city, nb * sizeof *s->city);
    memcpy(s->tier, v->s.tier, nb * sizeof *s->tier);
    memcpy(s->tz, v->s.tz, nb * sizeof *s->tz);
    memcpy(s->points, v->s.points, nb * sizeof *s->points);
    for (size_t i = nb; i < n; i++) {
        s->cust_ext[i] = d->cust_ext[i]
                             ? enc_arena_strndup(s->arena, d->cust_ext[i], strlen(d->cust_ext[i]))
                             : NULL;
        s->registered_at[i] = d->registered_at[i];
        s->birth_md[i] = d->birth_md[i];
        s->gender[i] = d->gender[i];
        s->region[i] = remapped(rr, d->region[i]);
        s->city[i] = remapped(rc, d->city[i]);
        s->tier[i] = remapped(rt, d->tier[i]);
        s->tz[i] = remapped(rz, d->tz[i]);
        s->points[i] = d->points[i];
    }
}

static void derive_products(enc_snapshot *s, const view *v)
{
    size_t n = v->s.nprod;
    s->nprod = n;
    s->prod_id = (int64_t *)v->s.prod_id;
    s->prod_sku = ALLOC(s, n, const char *);
    s->prod_name = ALLOC(s, n, const char *);
    for (size_t k = 0; k < n; k++) {
        s->prod_sku[k] = str_at(v->str_off[1], v->str[1], k);
        s->prod_name[k] = str_at(v->str_off[2], v->str[2], k);
    }
    s->prod_cat = v->s.prod_cat;
    s->prod_top = v->s.prod_top;
    s->prod_brand = v->s.prod_brand;
    s->prod_price = v->s.prod_price;
    s->prod_tier = v->s.prod_tier;
    s->prod_replenish = v->s.prod_replenish;
    s->prod_in_stock = v->s.prod_in_stock;
    dict_from_view(&s->cats, s->arena, v, 0, NULL, NULL);
    dict_from_view(&s->tops, s->arena, v, 1, NULL, NULL);
    dict_from_view(&s->brands, s->arena, v, 2, NULL, NULL);
}

static void derive_orders(enc_snapshot *s, const view *v, const enc_snapshot *d, bool lines,
                          int64_t from)
{
    const enc_snapshot *b = &v->s;
    size_t n = s->ncust, nb = b->ncust;
    int64_t to = s->as_of;
    READS(b->ord_off, nb + 1);
    READS(b->ord_ts, b->nord);
    s->ord_off = ALLOC(s, n + 1, int64_t);
    s->ord_off[0] = 0;
    int64_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->ord_off, b->ord_ts, nb, d->ord_off, d->ord_ts, i, from, to);
        s->ord_off[i + 1] = s->ord_off[i] + (p.b1 - p.b0) + (p.d1 - p.d0);
        if (lines)
            nl += (p.b1 > p.b0 ? b->line_off[p.b1] - b->line_off[p.b0] : 0) +
                  (p.d1 > p.d0 ? d->line_off[p.d1] - d->line_off[p.d0] : 0);
    }
    size_t no = (size_t)s->ord_off[n];
    s->nord = no;
    READS(b->ord_id, b->nord);
    READS(b->ord_amount, b->nord);
    if (lines) {
        READS(b->line_off, b->nord + 1);
        READS(b->line_prod, b->nline);
    }
    s->ord_id = ALLOC(s, no, int64_t);
    s->ord_ts = ALLOC(s, no, int64_t);
    s->ord_amount = ALLOC(s, no, int64_t);
    if (lines) {
        s->line_off = ALLOC(s, no + 1, int64_t);
        s->line_prod = ALLOC(s, nl, int32_t);
        s->line_off[0] = 0;
        s->nline = (size_t)nl;
    }
    int64_t k = 0;
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->ord_off, b->ord_ts, nb, d->ord_off, d->ord_ts, i, from, to);
        if (p.d0 == p.d1) { /* only held rows: copied as runs */
            int64_t m = p.b1 - p.b0;
            if (!m) continue;
            memcpy(s->ord_id + k, b->ord_id + p.b0, (size_t)m * sizeof *s->ord_id);
            memcpy(s->ord_ts + k, b->ord_ts + p.b0, (size_t)m * sizeof *s->ord_ts);
            memcpy(s->ord_amount + k, b->ord_amount + p.b0, (size_t)m * sizeof *s->ord_amount);
            if (lines) {
                int64_t l0 = b->line_off[p.b0], l1 = b->line_off[p.b1], base = s->line_off[k];
                memcpy(s->line_prod + base, b->line_prod + l0,
                       (size_t)(l1 - l0) * sizeof *s->line_prod);
                for (int64_t j = 0; j < m; j++)
                    s->line_off[k + j + 1] = base + b->line_off[p.b0 + j + 1] - l0;
            }
            k += m;
            continue;
        }
#define ORD_FROM(src, j)                                                                           \
    do {                                                                                           \
        s->ord_id[k] = (src)->ord_id[j];                                                           \
        s->ord_ts[k] = (src)->ord_ts[j];                                                           \
        s->ord_amount[k] = (src)->ord_amount[j];                                                   \
        if (lines) {                                                                               \
            int64_t l0 = (src)->line_off[j], l1 = (src)->line_off[(j) + 1];                        \
            memcpy(s->line_prod + s->line_off[k], (src)->line_prod + l0,                           \
                   (size_t)(l1 - l0) * sizeof *s->line_prod);                                      \
            s->line_off[k + 1] = s->line_off[k] + (l1 - l0);                                       \
        }                                                                                          \
        k++;                                                                                       \
    } while (0)
#define ORD_B(j) ORD_FROM(b, j)
#define ORD_D(j) ORD_FROM(d, j)
        MERGE(p, b->ord_ts, d->ord_ts, ORD_B, ORD_D);
    }
}

static void derive_returns(enc_snapshot *s, const view *v, const enc_snapshot *d)
{
    const enc_snapshot *b = &v->s;
    size_t n = s->ncust, nb = b->ncust;
    s->ret_amount = ALLOC(s, n, int64_t);
    s->ret_count = ALLOC(s, n, int32_t);
    s->ret_off = ALLOC(s, n + 1, int64_t);
    s->ret_off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->ret_off, b->ret_ts, nb, d->ret_off, d->ret_ts, i, INT64_MIN, s->as_of);
        s->ret_off[i + 1] = s->ret_off[i] + (p.b1 - p.b0) + (p.d1 - p.d0);
    }
    size_t nr = (size_t)s->ret_off[n];
    s->ret_ts = ALLOC(s, nr, int64_t);
    s->ret_amt = ALLOC(s, nr, int64_t);
    int64_t k = 0;
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->ret_off, b->ret_ts, nb, d->ret_off, d->ret_ts, i, INT64_MIN, s->as_of);
        int64_t sum = 0, k0 = k;
#define RET_FROM(src, j)                                                                           \
    do {                                                                                           \
        s->ret_ts[k] = (src)->ret_ts[j];                                                           \
        s->ret_amt[k] = (src)->ret_amt[j];                                                         \
        sum += s->ret_amt[k++];                                                                    \
    } while (0)
#define RET_B(j) RET_FROM(b, j)
#define RET_D(j) RET_FROM(d, j)
        MERGE(p, b->ret_ts, d->ret_ts, RET_B, RET_D);
        s->ret_amount[i] = sum;
        s->ret_count[i] = (int32_t)(k - k0);
    }
}

static void derive_events(enc_snapshot *s, const view *v, const enc_snapshot *d, int64_t from)
{
    const enc_snapshot *b = &v->s;
    size_t n = s->ncust, nb = b->ncust;
    READS(b->ev_off, nb + 1);
    READS(b->ev_ts, b->nev);
    s->consults = ALLOC(s, n, int32_t);
    s->ev_off = ALLOC(s, n + 1, int64_t);
    s->ev_off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->ev_off, b->ev_ts, nb, d->ev_off, d->ev_ts, i, from, s->as_of);
        s->ev_off[i + 1] = s->ev_off[i] + (p.b1 - p.b0) + (p.d1 - p.d0);
    }
    size_t ne = (size_t)s->ev_off[n];
    s->nev = ne;
    READS(b->ev_type, b->nev);
    READS(b->ev_prod, b->nev);
    s->ev_ts = ALLOC(s, ne, int64_t);
    s->ev_type = ALLOC(s, ne, uint8_t);
    s->ev_prod = ALLOC(s, ne, int32_t);
    int64_t k = 0;
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->ev_off, b->ev_ts, nb, d->ev_off, d->ev_ts, i, from, s->as_of);
        int64_t k0 = k;
        if (p.d0 == p.d1) {
            int64_t m = p.b1 - p.b0;
            memcpy(s->ev_ts + k, b->ev_ts + p.b0, (size_t)m * sizeof *s->ev_ts);
            memcpy(s->ev_type + k, b->ev_type + p.b0, (size_t)m * sizeof *s->ev_type);
            memcpy(s->ev_prod + k, b->ev_prod + p.b0, (size_t)m * sizeof *s->ev_prod);
            k += m;
        } else {
#define EV_FROM(src, j)                                                                            \
    do {                                                                                           \
        s->ev_ts[k] = (src)->ev_ts[j];                                                             \
        s->ev_type[k] = (src)->ev_type[j];                                                         \
        s->ev_prod[k++] = (src)->ev_prod[j];                                                       \
    } while (0)
#define EV_B(j) EV_FROM(b, j)
#define EV_D(j) EV_FROM(d, j)
            MERGE(p, b->ev_ts, d->ev_ts, EV_B, EV_D);
        }
        int32_t c = 0;
        for (int64_t j = k0; j < k; j++) c += s->ev_type[j] == EV_CONSULT;
        s->consults[i] = c;
    }
}

/* The feedback ledger replayed to as_of, as the store's loader counts it. */
static void derive_feedback(enc_snapshot *s, const view *v, const enc_snapshot *d)
{
    const enc_snapshot *b = &v->s;
    size_t n = s->ncust, nb = b->ncust;
    s->complaints = ALLOC(s, n, int32_t);
    s->last_complaint = ALLOC(s, n, int64_t);
    s->nps_last = ALLOC(s, n, float);
    s->review_avg = ALLOC(s, n, float);
    s->cmp_off = ALLOC(s, n + 1, int64_t);
    s->cmp_off[0] = 0;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->fb_off, b->fb_ts, nb, d->fb_off, d->fb_ts, i, INT64_MIN, s->as_of);
        cap += (size_t)((p.b1 - p.b0) + (p.d1 - p.d0));
    }
    s->cmp_ts = ALLOC(s, cap, int64_t);
    int64_t k = 0;
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->fb_off, b->fb_ts, nb, d->fb_off, d->fb_ts, i, INT64_MIN, s->as_of);
        int32_t complaints = 0, reviews = 0;
        int64_t last = ENC_NO_TIME;
        float nps = NAN, rsum = 0;
#define FB_FROM(src, j)                                                                            \
    do {                                                                                           \
        float sc_ = (src)->fb_score[j];                                                            \
        switch ((src)->fb_kind[j]) {                                                               \
        case FB_COMPLAINT:                                                                         \
            complaints++;                                                                          \
            last = (src)->fb_ts[j];                                                                \
            s->cmp_ts[k++] = last;                                                                 \
            break;                                                                                 \
        case FB_NPS:                                                                               \
            if (!isnan(sc_)) nps = sc_;                                                            \
            break;                                                                                 \
        case FB_REVIEW:                                                                            \
            if (!isnan(sc_)) {                                                                     \
                rsum += sc_;                                                                       \
                reviews++;                                                                         \
            }                                                                                      \
            break;                                                                                 \
        default: break;                                                                            \
        }                                                                                          \
    } while (0)
#define FB_B(j) FB_FROM(b, j)
#define FB_D(j) FB_FROM(d, j)
        MERGE(p, b->fb_ts, d->fb_ts, FB_B, FB_D);
        s->complaints[i] = complaints;
        s->last_complaint[i] = last;
        s->nps_last[i] = nps;
        s->review_avg[i] = reviews ? rsum / (float)reviews : NAN;
        s->cmp_off[i + 1] = k;
    }
}

static void derive_consents(enc_snapshot *s, const view *v, const enc_snapshot *d)
{
    const enc_snapshot *b = &v->s;
    size_t n = s->ncust, nb = b->ncust;
    s->consent = ALLOC(s, n, uint8_t);
    READS(b->con_off, nb + 1);
    READS(b->con_ts, b->con_off[nb]);
    READS(b->con_mask, b->con_off[nb]);
    READS(b->con_granted, b->con_off[nb]);
    for (size_t i = 0; i < n; i++) {
        span p = cut(b->con_off, b->con_ts, nb, d->con_off, d->con_ts, i, INT64_MIN, s->as_of);
        uint8_t c = 0;
#define CON_FROM(src, j)                                                                           \
    do {                                                                                           \
        if ((src)->con_granted[j]) c |= (src)->con_mask[j];                                        \
        else c &= (uint8_t) ~(src)->con_mask[j];                                                   \
    } while (0)
#define CON_B(j) CON_FROM(b, j)
#define CON_D(j) CON_FROM(d, j)
        MERGE(p, b->con_ts, d->con_ts, CON_B, CON_D);
        s->consent[i] = c;
    }
}

static bool has_orders(unsigned parts) { return parts & (ENC_SNAP_ORDERS | ENC_SNAP_LINES); }

enc_rc enc_colcache_snapshot(enc_store *st, int64_t as_of, const enc_snapshot_opts *o,
                             enc_snapshot **out, enc_err *err)
{
    *out = NULL;
    enc_snapshot_opts want = o ? *o : ENC_SNAPSHOT_ALL;
    unsigned parts = want.parts & ENC_SNAP_ALL;
    char path[4096];
    if ((parts & ENC_SNAP_DETAILS) || !enc_colcache_enabled() ||
        !enc_colcache_path(st, path, sizeof path))
        return ENC_OK;
    if (parts & ENC_SNAP_LINES) parts |= ENC_SNAP_ORDERS | ENC_SNAP_PRODUCTS;
    if (parts & ENC_SNAP_EVENTS) parts |= ENC_SNAP_PRODUCTS;
    enc_colfile m;
    if (enc_colfile_open(path, MAGIC, sizeof(header), &m)) return ENC_OK;
    const header *h = m.head;
    view v;
    const char *why = make_view(&m, &v);
    if (!why && enc_store_read_begin(st, "column cache", NULL) == ENC_OK) {
        why = check(st, h);
        enc_store_read_end(st);
    }
    if (why) {
        enc_colfile_close(&m);
        return ENC_OK;
    }

    /* the rows above the marks, with the products the cache holds */
    enc__snap_ext x;
    enc__snap_ext_all(&x);
    for (int t = 0; t < ENC_SR_N; t++) x.after[t] = h->hwm[t];
    x.rows = true;
    x.cust_ids = v.s.cust_id;
    x.ncust_ids = v.s.ncust;
    x.max_prod = v.s.nprod ? v.s.prod_id[v.s.nprod - 1] : 0;
    int32_t *prod_of = enc_xmalloc((size_t)(x.max_prod + 1) * sizeof *prod_of);
    memset(prod_of, 0xff, (size_t)(x.max_prod + 1) * sizeof *prod_of);
    enc_smap *skus = enc_smap_new(v.s.nprod + 8);
    for (size_t k = 0; k < v.s.nprod; k++) {
        prod_of[v.s.prod_id[k]] = (int32_t)k;
        const char *sku = str_at(v.str_off[1], v.str[1], k);
        *enc_smap_put(skus, sku, strlen(sku), 0, NULL) = (int64_t)k;
    }
    x.prod_of = prod_of;
    x.skus = skus;
    enc_snapshot_opts dopt = {parts, INT64_MIN, INT64_MIN};
    enc_snapshot *d = NULL;
    enc_rc rc = enc__snapshot_load_ext(st, INT64_MAX, &dopt, &x, &d, err);
    free(prod_of);
    enc_smap_free(skus);
    if (rc) {
        enc_colfile_close(&m);
        return rc;
    }
    /* nothing the cache holds may have changed while the new rows were read */
    if (enc_store_read_begin(st, "column cache", NULL) == ENC_OK) {
        why = check(st, h);
        enc_store_read_end(st);
    } else {
        why = "the store is busy";
    }
    if (why) {
        enc_snapshot_free(d);
        enc_colfile_close(&m);
        return ENC_OK;
    }

    enc_snapshot *s = enc_xcalloc(1, sizeof *s);
    s->as_of = as_of;
    s->loaded = (enc_snapshot_opts){parts, parts & ENC_SNAP_ORDERS ? want.orders_from : INT64_MIN,
                                    parts & ENC_SNAP_EVENTS ? want.events_from : INT64_MIN};
    s->arena = enc_arena_new(1 << 20);
    s->map = m.map;
    s->map_bytes = m.bytes;
    s->ncust = d->ncust;
    s->cust_id = ALLOC(s, s->ncust, int64_t);
    memcpy(s->cust_id, d->cust_id, s->ncust * sizeof *s->cust_id);
    enc_dict *dicts[] = {&s->cats,    &s->tops,   &s->brands, &s->channels, &s->payments,
                         &s->regions, &s->cities, &s->tiers,  &s->zones};
    if (parts & ENC_SNAP_CUSTOMERS) derive_customers(s, &v, d);
    if (parts & ENC_SNAP_PRODUCTS) derive_products(s, &v);
    if (has_orders(parts)) derive_orders(s, &v, d, parts & ENC_SNAP_LINES, s->loaded.orders_from);
    if (parts & ENC_SNAP_RETURNS) derive_returns(s, &v, d);
    if (parts & ENC_SNAP_EVENTS) derive_events(s, &v, d, s->loaded.events_from);
    if (parts & ENC_SNAP_FEEDBACK) derive_feedback(s, &v, d);
    if (parts & ENC_SNAP_CONSENTS) derive_consents(s, &v, d);
    for (size_t k = 0; k < sizeof dicts / sizeof *dicts; k++)
        if (!dicts[k]->map) dicts[k]->map = enc_smap_new(8);
    enc_snapshot_free(d);
    *out = s;
    return ENC_OK;
}

/* ---- status, refresh, drop --------------------------------------------------------------- */

enc_rc enc_colcache_status_get(enc_store *st, enc_colcache_status *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!enc_colcache_path(st, out->path, sizeof out->path)) {
        out->why = "the store is in memory";
        return ENC_OK;
    }
    if (!enc_colcache_enabled()) out->why = "ENCORE_COLUMN_CACHE=off";
    out->store_gen = store_gen(st);
    enc_colfile m;
    const char *why = enc_colfile_open(out->path, MAGIC, sizeof(header), &m);
    if (why) {
        out->why = out->why ? out->why : why;
        out->present = strcmp(why, "no cache file") != 0;
        return ENC_OK;
    }
    const header *h = m.head;
    out->present = true;
    out->bytes = (int64_t)m.bytes;
    out->built_at = h->built_at;
    out->gen = h->gen;
    out->customers = (size_t)h->ncust;
    out->held = h->ncust + h->nord + h->nline + h->nev + h->nfb + h->ncon;
    view v;
    why = make_view(&m, &v);
    if (!why && enc_store_read_begin(st, "column cache", NULL) == ENC_OK) {
        why = check(st, h);
        static const int rows[] = {ENC_SR_CUSTOMERS, ENC_SR_ORDERS, ENC_SR_EVENTS, ENC_SR_FEEDBACK,
                                   ENC_SR_CONSENTS};
        for (size_t k = 0; k < sizeof rows / sizeof *rows; k++) {
            int64_t mx = store_max(st, rows[k]);
            if (mx > h->hwm[rows[k]]) out->behind += mx - h->hwm[rows[k]];
        }
        enc_store_read_end(st);
    }
    if (!out->why) out->why = why;
    out->usable = !out->why;
    enc_colfile_close(&m);
    (void)err;
    return ENC_OK;
}

enc_rc enc_colcache_refresh(enc_store *st, bool *built, enc_err *err)
{
    if (built) *built = false;
    char path[4096];
    if (!enc_colcache_enabled() || !enc_colcache_path(st, path, sizeof path)) return ENC_OK;
    enc_colcache_status cs;
    if (enc_colcache_status_get(st, &cs, err)) return ENC_EFAIL;
    if (cs.usable && cs.behind * 8 <= cs.held) return ENC_OK;
    if (enc_colcache_build(st, err)) return ENC_EFAIL;
    if (built) *built = true;
    return ENC_OK;
}

enc_rc enc_colcache_drop(enc_store *st, enc_err *err)
{
    char path[4096];
    if (!enc_colcache_path(st, path, sizeof path)) return ENC_OK;
    if (unlink(path) != 0 && errno != ENOENT)
        return enc_fail(err, ENC_EIO, "column cache: %s: %s", path, strerror(errno));
    return enc_store_colmarks_drop(st, false, err);
}
