/* fpgrowth.c — FP-growth (Han, Pei & Yin 2000) over a basket set (see fpgrowth.h).
 *
 * Items are ranked by descending frequency; every tree keeps that order from root to leaves, so a
 * conditional tree's paths come out of its parent tree already ordered and only need filtering.
 * A tree is built from weighted item sequences sorted lexicographically: a sequence shares exactly
 * its common prefix with the one before it, so nodes are made without any child search. Nodes,
 * header tables and scratch arrays come from a stack-like pool (one mark per recursion level,
 * released when the level returns); nothing is malloc'ed per node. A tree that is one path is not
 * recursed into: every subset of the path is frequent, with the support of its deepest node. */
#include "recommend/fpgrowth.h"
#include "base/mem.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the pool: blocks used as a stack; a mark is (block, used) ---- */

typedef struct pblock {
    struct pblock *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} pblock;

typedef struct pool {
    pblock *first, *cur;
    size_t next_size; /* blocks double from POOL_FIRST up to POOL_BLOCK: small inputs stay small */
} pool;

typedef struct pmark {
    pblock *b;
    size_t used;
} pmark;

#define POOL_FIRST ((size_t)64 << 10)
#define POOL_BLOCK ((size_t)4 << 20)

static pblock *pblock_new(size_t size)
{
    pblock *b = enc_xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

static void *pool_alloc(pool *p, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (p->cur->size - p->cur->used < n) {
        pblock *nx = p->cur->next;
        if (!nx || nx->size < n) {
            /* a new block after cur; later blocks (free ones) follow it */
            size_t sz = p->next_size;
            if (p->next_size < POOL_BLOCK) p->next_size *= 2;
            pblock *b = pblock_new(n > sz ? n : sz);
            b->next = nx;
            p->cur->next = b;
            nx = b;
        }
        p->cur = nx;
        p->cur->used = 0;
    }
    void *r = p->cur->data + p->cur->used;
    p->cur->used += n;
    return r;
}

static pmark pool_mark(const pool *p) { return (pmark){p->cur, p->cur->used}; }
static void pool_release(pool *p, pmark m)
{
    p->cur = m.b;
    p->cur->used = m.used;
}

static void pool_free(pool *p)
{
    for (pblock *b = p->first, *n; b; b = n) {
        n = b->next;
        free(b);
    }
}

/* ---- trees ---- */

typedef struct fpnode {
    int32_t item;   /* local item index; -1 at the root */
    int32_t count;  /* baskets through this node */
    int32_t parent; /* node index; the root (0) has -1 */
    int32_t next;   /* next node of the same item (header chain); -1 ends */
} fpnode;

typedef struct fptree {
    int32_t m;           /* items of this tree, local index 0..m-1 in global rank order */
    const int32_t *rank; /* local index -> global rank */
    int32_t *head;       /* first node of each item, -1 when none */
    int32_t *supp;       /* support of each item in this tree */
    int64_t *above;      /* per item: nodes above all its nodes (sum of depth - 1) */
    int32_t *nodes_of;   /* per item: its nodes */
    fpnode *node;        /* node[0] is the root */
    int32_t n_nodes;     /* including the root */
    bool single;         /* the tree is one path */
} fptree;

typedef struct seqref {
    int64_t start; /* into the sequence buffer */
    int32_t len;
    int32_t weight;
} seqref;

/* Item of sequence x at position d, or -1 past its end (shorter sorts first). */
static inline int32_t seq_at(const int32_t *buf, const seqref *x, int32_t d)
{
    return d < x->len ? buf[x->start + d] : -1;
}

static inline void seq_swap(seqref *a, seqref *b)
{
    seqref t = *a;
    *a = *b;
    *b = t;
}

/* Sorts v[0..n) lexicographically from position d on: multikey quicksort (Bentley & Sedgewick
 * 1997, "Fast algorithms for sorting and searching strings"): a three-way split on the item at d,
 * then the equal part on d + 1. Any order that keeps equal prefixes together would build the same
 * tree; this one is the lexicographic order. */
static void seq_sort(const int32_t *buf, seqref *v, size_t n, int32_t d)
{
    while (n > 1) {
        if (n < 12) { /* insertion sort on the rest of the sequences */
            for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0; j--) {
                    const seqref *x = &v[j - 1], *y = &v[j];
                    int32_t k = d;
                    while (seq_at(buf, x, k) == seq_at(buf, y, k) && seq_at(buf, x, k) >= 0) k++;
                    if (seq_at(buf, x, k) <= seq_at(buf, y, k)) break;
                    seq_swap(&v[j - 1], &v[j]);
                }
            return;
        }
        /* median of three as the pivot, moved to v[0] */
        size_t m = n / 2;
        int32_t a = seq_at(buf, &v[0], d), b = seq_at(buf, &v[m], d), c = seq_at(buf, &v[n - 1], d);
        size_t pi = (a < b) ? (b < c ? m : (a < c ? n - 1 : 0)) : (a < c ? 0 : (b < c ? n - 1 : m));
        seq_swap(&v[0], &v[pi]);
        int32_t p = seq_at(buf, &v[0], d);
        /* Dijkstra's three-way partition: [0,lt) < p, [lt,i) == p, (gt,n) > p */
        size_t lt = 0, i = 1, gt = n - 1;
        while (i <= gt) {
            int32_t x = seq_at(buf, &v[i], d);
            if (x < p) seq_swap(&v[lt++], &v[i++]);
            else if (x > p) seq_swap(&v[i], &v[gt--]);
            else i++;
        }
        /* three parts; the equal part goes on at d + 1 unless the sequences ended at d (then
         * they are identical). The two smaller parts recurse, the largest loops, so the stack
         * stays O(log n) deep. */
        struct {
            seqref *v;
            size_t n;
            int32_t d;
        } part[3] = {
            {v, lt, d}, {v + gt + 1, n - gt - 1, d}, {v + lt, p < 0 ? 0 : gt + 1 - lt, d + 1}};
        int big = 0;
        for (int q = 1; q < 3; q++)
            if (part[q].n > part[big].n) big = q;
        for (int q = 0; q < 3; q++)
            if (q != big) seq_sort(buf, part[q].v, part[q].n, part[q].d);
        v = part[big].v;
        n = part[big].n;
        d = part[big].d;
    }
}

/* Builds t (whose m and rank are set) from k weighted sequences of local items, each ascending.
 * The sequences are sorted in place; node storage comes from the pool. total = sum of lengths. */
static void tree_build(pool *p, fptree *t, const int32_t *buf, seqref *seq, size_t k, int64_t total)
{
    t->head = pool_alloc(p, (size_t)t->m * sizeof *t->head);
    t->supp = pool_alloc(p, (size_t)t->m * sizeof *t->supp);
    t->above = pool_alloc(p, (size_t)t->m * sizeof *t->above);
    t->nodes_of = pool_alloc(p, (size_t)t->m * sizeof *t->nodes_of);
    for (int32_t i = 0; i < t->m; i++) {
        t->head[i] = -1;
        t->supp[i] = 0;
        t->above[i] = 0;
        t->nodes_of[i] = 0;
    }
    t->node = pool_alloc(p, (size_t)(total + 1) * sizeof *t->node);
    int32_t *stack = pool_alloc(p, (size_t)(t->m + 1) * sizeof *stack); /* node at each depth */
    seq_sort(buf, seq, k, 0);
    t->node[0] = (fpnode){-1, 0, -1, -1};
    int32_t nn = 1;
    bool single = true;
    const int32_t *prev = NULL;
    int32_t prev_len = 0;
    for (size_t s = 0; s < k; s++) {
        const int32_t *q = buf + seq[s].start;
        int32_t len = seq[s].len, w = seq[s].weight;
        if (len == 0) continue;
        int32_t c = 0; /* common prefix with the previous sequence */
        if (prev) {
            int32_t lim = len < prev_len ? len : prev_len;
            while (c < lim && q[c] == prev[c]) c++;
            if (c < prev_len) single = false; /* branches off the previous path */
        }
        for (int32_t d = 0; d < c; d++) t->node[stack[d]].count += w;
        for (int32_t d = c; d < len; d++) {
            int32_t it = q[d];
            t->node[nn] = (fpnode){it, w, d ? stack[d - 1] : 0, t->head[it]};
            t->above[it] += d;
            t->nodes_of[it]++;
            t->head[it] = nn;
            stack[d] = nn++;
        }
        for (int32_t d = 0; d < len; d++) t->supp[q[d]] += w;
        t->node[0].count += w;
        prev = q;
        prev_len = len;
    }
    t->n_nodes = nn;
    t->single = single;
}

/* ---- mining ---- */

typedef struct miner {
    pool pool;
    const enc_fpg_opts *o;
    int32_t minc;
    int32_t max_len;        /* INT32_MAX when unlimited */
    const int32_t *rank_id; /* global rank -> basket item id */
    int32_t *prefix;        /* global ranks of the current prefix */
    int32_t *tmp;           /* one itemset being emitted */
    enc_itemsets *out;
    bool full; /* max_sets was reached */
} miner;

static void emit(miner *mn, int32_t depth, const int32_t *extra, int32_t n_extra, int32_t count)
{
    if (mn->full) return;
    if (mn->o->max_sets && mn->out->n >= mn->o->max_sets) {
        mn->full = true;
        return;
    }
    int32_t n = 0;
    for (int32_t i = 0; i < depth; i++) mn->tmp[n++] = mn->rank_id[mn->prefix[i]];
    for (int32_t i = 0; i < n_extra; i++) mn->tmp[n++] = mn->rank_id[extra[i]];
    enc_itemsets_push(mn->out, mn->tmp, n, count);
}

/* Every subset of the path items[0..from) added to sub, joined to the prefix: sub[0] is the
 * deepest chosen item, whose node count is the support of every such set. */
static void enum_path(miner *mn, int32_t depth, const int32_t *items, int32_t *sub, int32_t n_sub,
                      int32_t from, int32_t count)
{
    /* sub[0..n_sub) is a chosen set whose deepest item has support `count`; add items above */
    if (mn->full) return;
    if (n_sub) emit(mn, depth, sub, n_sub, count);
    if (depth + n_sub >= mn->max_len) return;
    for (int32_t i = from - 1; i >= 0; i--) {
        sub[n_sub] = items[i];
        enum_path(mn, depth, items, sub, n_sub + 1, i, count);
    }
}

static void mine_single(miner *mn, const fptree *t, int32_t depth)
{
    /* walk down the one path: node 1, 2, ... each the child of the one before */
    int32_t len = t->n_nodes - 1;
    int32_t *items = pool_alloc(&mn->pool, (size_t)len * 3 * sizeof *items);
    int32_t *counts = items + len, *sub = counts + len;
    for (int32_t i = 0; i < len; i++) {
        items[i] = t->rank[t->node[i + 1].item];
        counts[i] = t->node[i + 1].count;
    }
    /* group the subsets by their deepest item d: support counts[d] */
    for (int32_t d = 0; d < len && !mn->full; d++) {
        if (counts[d] < mn->minc) break;
        sub[0] = items[d];
        enum_path(mn, depth, items, sub, 1, d, counts[d]);
    }
}

static void mine(miner *mn, const fptree *t, int32_t depth)
{
    if (t->single) {
        pmark mk = pool_mark(&mn->pool);
        mine_single(mn, t, depth);
        pool_release(&mn->pool, mk);
        return;
    }
    for (int32_t j = t->m - 1; j >= 0 && !mn->full; j--) {
        if (t->supp[j] < mn->minc) continue;
        int32_t r = t->rank[j];
        emit(mn, depth, &r, 1, t->supp[j]);
        if (depth + 1 >= mn->max_len || j == 0) continue;
        pmark mk = pool_mark(&mn->pool);
        /* one walk up each path of j: its items (bottom-up) into buf, their supports into cnt;
         * the tree is walked once, the filtering below reads buf in order */
        int64_t cap = t->above[j];
        int32_t *cnt = pool_alloc(&mn->pool, (size_t)j * sizeof *cnt);
        memset(cnt, 0, (size_t)j * sizeof *cnt);
        /* one path per node of j */
        seqref *seq = pool_alloc(&mn->pool, (size_t)t->nodes_of[j] * sizeof *seq);
        int32_t *buf = pool_alloc(&mn->pool, (size_t)(cap ? cap : 1) * sizeof *buf);
        int64_t pos = 0;
        size_t ns = 0;
        for (int32_t v = t->head[j]; v >= 0; v = t->node[v].next) {
            int32_t c = t->node[v].count;
            int64_t b = pos;
            for (int32_t u = t->node[v].parent; u > 0; u = t->node[u].parent) {
                int32_t it = t->node[u].item;
                cnt[it] += c;
                buf[pos++] = it;
            }
            if (pos > b) seq[ns++] = (seqref){b, (int32_t)(pos - b), c};
        }
        int32_t *map = pool_alloc(&mn->pool, (size_t)j * sizeof *map);
        int32_t m2 = 0;
        for (int32_t i = 0; i < j; i++) map[i] = cnt[i] >= mn->minc ? m2++ : -1;
        if (m2 == 0) {
            pool_release(&mn->pool, mk);
            continue;
        }
        int32_t *rank2 = pool_alloc(&mn->pool, (size_t)m2 * sizeof *rank2);
        for (int32_t i = 0; i < j; i++)
            if (map[i] >= 0) rank2[map[i]] = t->rank[i];
        /* keep the frequent items in local numbering, compacting buf in place (writes never pass
         * reads), and turn each path top-down (ascending) */
        int64_t w = 0;
        size_t ns2 = 0;
        for (size_t q = 0; q < ns; q++) {
            int64_t b = w;
            for (int64_t x = seq[q].start, e = x + seq[q].len; x < e; x++) {
                int32_t li = map[buf[x]];
                if (li >= 0) buf[w++] = li;
            }
            if (w == b) continue;
            for (int64_t x = b, y = w - 1; x < y; x++, y--) {
                int32_t tmp = buf[x];
                buf[x] = buf[y];
                buf[y] = tmp;
            }
            seq[ns2++] = (seqref){b, (int32_t)(w - b), seq[q].weight};
        }
        ns = ns2;
        pos = w;
        fptree t2 = {.m = m2, .rank = rank2};
        tree_build(&mn->pool, &t2, buf, seq, ns, pos);
        mn->prefix[depth] = r;
        mine(mn, &t2, depth + 1);
        pool_release(&mn->pool, mk);
    }
}

typedef struct rank_sort {
    int32_t id, freq;
} rank_sort;

static int cmp_rank(const void *a, const void *b)
{
    const rank_sort *x = a, *y = b;
    if (x->freq != y->freq) return x->freq > y->freq ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

enc_rc enc_fpg_mine(const enc_basket_set *s, const enc_fpg_opts *o, enc_itemsets *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    enc_basket_view v = enc_basket_get_view(s);
    out->n_baskets = v.n_baskets;
    out->min_count = o->min_count;
    if (o->min_count < 1) return enc_fail(err, ENC_EUSAGE, "minimum support count must be >= 1");
    if (o->max_len < 0) return enc_fail(err, ENC_EUSAGE, "maximum itemset length must be >= 0");

    int32_t *freq = enc_xmalloc(((size_t)v.n_items + 1) * sizeof *freq);
    enc_basket_item_freq(s, freq);
    rank_sort *rs = enc_xmalloc(((size_t)v.n_items + 1) * sizeof *rs);
    int32_t f = 0;
    for (int32_t i = 0; i < v.n_items; i++)
        if (freq[i] >= o->min_count) rs[f++] = (rank_sort){i, freq[i]};
    qsort(rs, (size_t)f, sizeof *rs, cmp_rank);
    int32_t *rank_id = enc_xmalloc(((size_t)f + 1) * sizeof *rank_id);
    int32_t *id_rank = freq; /* reuse: item id -> rank or -1 */
    for (int32_t i = 0; i < v.n_items; i++) id_rank[i] = -1;
    for (int32_t r = 0; r < f; r++) {
        rank_id[r] = rs[r].id;
        id_rank[rs[r].id] = r;
    }
    free(rs);

    miner mn = {.o = o, .minc = o->min_count, .rank_id = rank_id, .out = out};
    mn.max_len = o->max_len ? o->max_len : INT32_MAX;
    mn.pool.first = mn.pool.cur = pblock_new(POOL_FIRST);
    mn.pool.next_size = 2 * POOL_FIRST;
    mn.prefix = enc_xmalloc(((size_t)f + 1) * sizeof *mn.prefix);
    mn.tmp = enc_xmalloc(((size_t)f + 1) * sizeof *mn.tmp);

    enc_rc rc = ENC_OK;
    if (f > 0) {
        /* the first tree: each basket's frequent items by rank */
        int64_t total = 0;
        for (int64_t i = 0; i < v.off[v.n_baskets]; i++)
            if (id_rank[v.items[i]] >= 0) total++;
        if (total >= INT32_MAX) {
            rc = enc_fail(err, ENC_ELIMIT, "more than %d frequent item occurrences", INT32_MAX - 1);
        } else {
            int32_t *buf = pool_alloc(&mn.pool, (size_t)(total ? total : 1) * sizeof *buf);
            seqref *seq = pool_alloc(&mn.pool, ((size_t)v.n_baskets + 1) * sizeof *seq);
            int64_t pos = 0;
            size_t ns = 0;
            for (int32_t b = 0; b < v.n_baskets; b++) {
                int64_t st = pos;
                for (int64_t i = v.off[b]; i < v.off[b + 1]; i++) {
                    int32_t r = id_rank[v.items[i]];
                    if (r < 0) continue;
                    /* insertion into the ascending run st..pos */
                    int64_t x = pos++;
                    while (x > st && buf[x - 1] > r) {
                        buf[x] = buf[x - 1];
                        x--;
                    }
                    buf[x] = r;
                }
                if (pos > st) seq[ns++] = (seqref){st, (int32_t)(pos - st), 1};
            }
            int32_t *ident = pool_alloc(&mn.pool, (size_t)f * sizeof *ident);
            for (int32_t r = 0; r < f; r++) ident[r] = r;
            fptree t = {.m = f, .rank = ident};
            tree_build(&mn.pool, &t, buf, seq, ns, pos);
            mine(&mn, &t, 0);
        }
    }
    if (!rc && mn.full)
        rc = enc_fail(err, ENC_ELIMIT,
                      "more than %zu itemsets; raise the minimum support or set a "
                      "maximum length",
                      o->max_sets);
    pool_free(&mn.pool);
    free(mn.prefix);
    free(mn.tmp);
    free(rank_id);
    free(freq);
    if (rc) enc_itemsets_free(out);
    out->n_baskets = v.n_baskets;
    out->min_count = o->min_count;
    return rc;
}

/* ---- the result vector ---- */

void enc_itemsets_free(enc_itemsets *r)
{
    free(r->off);
    free(r->items);
    free(r->count);
    int32_t nb = r->n_baskets, mc = r->min_count;
    memset(r, 0, sizeof *r);
    r->n_baskets = nb;
    r->min_count = mc;
}

void enc_itemsets_push(enc_itemsets *r, const int32_t *items, int32_t n, int32_t count)
{
    size_t cap_before = r->cap;
    ENC_GROW(r->count, r->cap, r->n + 1);
    if (r->cap != cap_before || !r->off) {
        r->off = enc_xrealloc(r->off, (r->cap + 1) * sizeof *r->off);
        if (r->n == 0) r->off[0] = 0;
    }
    size_t at = (size_t)r->off[r->n];
    ENC_GROW(r->items, r->items_cap, at + (size_t)n);
    int32_t *dst = r->items + at;
    /* insertion sort: itemsets are short */
    for (int32_t i = 0; i < n; i++) {
        int32_t x = items[i], k = i;
        while (k > 0 && dst[k - 1] > x) {
            dst[k] = dst[k - 1];
            k--;
        }
        dst[k] = x;
    }
    r->count[r->n] = count;
    r->off[r->n + 1] = (int64_t)(at + (size_t)n);
    r->n++;
    if (n > r->max_size) r->max_size = n;
}

static int cmp_set(const void *a, const void *b, void *arg)
{
    const enc_itemsets *r = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int64_t ni = r->off[i + 1] - r->off[i], nj = r->off[j + 1] - r->off[j];
    if (ni != nj) return ni < nj ? -1 : 1;
    const int32_t *p = r->items + r->off[i], *q = r->items + r->off[j];
    for (int64_t k = 0; k < ni; k++)
        if (p[k] != q[k]) return p[k] < q[k] ? -1 : 1;
    return 0;
}

void enc_itemsets_sort(enc_itemsets *r)
{
    if (r->n < 2) return;
    size_t *idx = enc_xmalloc(r->n * sizeof *idx);
    for (size_t i = 0; i < r->n; i++) idx[i] = i;
    qsort_r(idx, r->n, sizeof *idx, cmp_set, r);
    int64_t *off = enc_xmalloc((r->n + 1) * sizeof *off);
    int32_t *items = enc_xmalloc((r->off[r->n] ? (size_t)r->off[r->n] : 1) * sizeof *items);
    int32_t *count = enc_xmalloc(r->n * sizeof *count);
    off[0] = 0;
    for (size_t k = 0; k < r->n; k++) {
        size_t i = idx[k];
        int64_t n = r->off[i + 1] - r->off[i];
        memcpy(items + off[k], r->items + r->off[i], (size_t)n * sizeof *items);
        off[k + 1] = off[k] + n;
        count[k] = r->count[i];
    }
    free(idx);
    free(r->off);
    free(r->items);
    free(r->count);
    r->off = off;
    r->items = items;
    r->count = count;
    r->cap = r->n;
    r->items_cap = (size_t)off[r->n];
}

void enc_itemsets_by_size(const enc_itemsets *r, size_t *by_size)
{
    for (int32_t k = 0; k < r->max_size; k++) by_size[k] = 0;
    for (size_t i = 0; i < r->n; i++) {
        int64_t n = r->off[i + 1] - r->off[i];
        if (n > 0) by_size[n - 1]++;
    }
}

/* ---- support thresholds ---- */

bool enc_support_parse(const char *s, enc_support *out)
{
    if (!s || !*s || isspace((unsigned char)*s)) return false;
    size_t n = strlen(s);
    bool pct = s[n - 1] == '%';
    bool is_int = !pct;
    for (size_t i = 0; i < n - (pct ? 1 : 0); i++)
        if (!isdigit((unsigned char)s[i])) is_int = false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || end != s + n - (pct ? 1 : 0) || !isfinite(v)) return false;
    if (is_int) {
        if (v < 1 || v > INT32_MAX) return false;
        *out = (enc_support){true, v};
        return true;
    }
    if (pct) v /= 100;
    if (!(v > 0 && v <= 1)) return false;
    *out = (enc_support){false, v};
    return true;
}

int32_t enc_support_min_count(const enc_support *s, int32_t n_baskets)
{
    if (s->is_count) return (int32_t)s->value;
    /* ceil(f * n) with a relative guard of 1e-9 so 0.07 * 100 = 7.000000000000001 gives 7 */
    double x = s->value * (double)n_baskets;
    double c = ceil(x - x * 1e-9);
    if (c < 1) c = 1;
    if (c > INT32_MAX) c = INT32_MAX;
    return (int32_t)c;
}
