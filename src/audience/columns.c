/* columns.c — field columns over the snapshot's customers (see columns.h): store fields
 * computed in one pass over the snapshot's arrays, profile fields read from the profiles
 * table in one ordered scan merged with the snapshot's ascending customer ids. Reads the
 * table through the store's SQLite handle, as the snapshot loader does (a bulk scan). */
#include "base/utf8.h"
#include "audience/columns.h"
#include "base/json.h"
#include "audience/profcache.h"
#include "loyalty/loyalty.h"
#include "snapshot/colfile.h"
#include "store/colcache_store.h"
#include "base/datetime.h"
#include "base/buf.h"
#include "base/map.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0
#define MAX_LIST_ITEMS 1024

struct enc_aud_env {
    const enc_snapshot *s;
    enc_store *st;
    int64_t now;
    enc_arena *arena; /* columns */
    bool loaded[AUD_F_COUNT];
    enc_aud_col col[AUD_F_COUNT];
    size_t nprofiles;
};

enc_rc enc_aud_env_new(const enc_snapshot *s, enc_store *st, int64_t now, enc_aud_env **out,
                       enc_err *err)
{
    (void)err;
    enc_aud_env *e = enc_xcalloc(1, sizeof *e);
    e->s = s;
    e->st = st;
    e->now = now;
    e->arena = enc_arena_new(1 << 20);
    *out = e;
    return ENC_OK;
}

void enc_aud_env_free(enc_aud_env *e)
{
    if (!e) return;
    enc_arena_free(e->arena);
    free(e);
}

const enc_snapshot *enc_aud_env_snapshot(const enc_aud_env *e) { return e->s; }
enc_store *enc_aud_env_store(const enc_aud_env *e) { return e->st; }
int64_t enc_aud_env_now(const enc_aud_env *e) { return e->now; }
size_t enc_aud_env_profiles(const enc_aud_env *e) { return e->nprofiles; }

static double *num_col(enc_aud_env *e)
{
    size_t n = e->s->ncust;
    double *v = enc_arena_alloc(e->arena, (n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = NAN;
    return v;
}

static double days_since(int64_t now, int64_t t) { return (double)(now - t) / DAY; }

/* ---- store fields ------------------------------------------------------------------------ */

void enc_aud_column_needs(int f, enc_snapshot_opts *o)
{
    unsigned part = 0;
    switch (f) {
    case AUD_F_ORDERS:
    case AUD_F_TOTAL_SPENT:
    case AUD_F_AOV:
    case AUD_F_FIRST_ORDER_AT:
    case AUD_F_LAST_ORDER_AT:
    case AUD_F_FIRST_ORDER_DAYS:
    case AUD_F_LAST_ORDER_DAYS: part = ENC_SNAP_ORDERS; break;
    case AUD_F_RETURNS:
    case AUD_F_RETURNS_AMOUNT: part = ENC_SNAP_RETURNS; break;
    case AUD_F_COMPLAINTS:
    case AUD_F_LAST_COMPLAINT_DAYS:
    case AUD_F_NPS:
    case AUD_F_REVIEW_SCORE: part = ENC_SNAP_FEEDBACK; break;
    case AUD_F_CONSULTS:
    case AUD_F_EVENTS:
    case AUD_F_LAST_EVENT_DAYS: part = ENC_SNAP_EVENTS; break;
    default:
        if (f >= 0 && f < AUD_F_COUNT && enc_aud_fields[f].from == AUD_FROM_STORE)
            part = ENC_SNAP_CUSTOMERS;
        break;
    }
    /* all history: a count, a sum or the latest time is over every row */
    if (part) enc_snapshot_opts_merge(o, &(enc_snapshot_opts){part, INT64_MIN, INT64_MIN});
}

static void store_text(enc_aud_col *c, const int32_t *ids, const enc_dict *d)
{
    c->txt = ids;
    c->names = d->names;
    c->nnames = d->n;
}

static void store_column(enc_aud_env *e, int f)
{
    const enc_snapshot *s = e->s;
    size_t n = s->ncust;
    enc_aud_col *c = &e->col[f];
    c->type = enc_aud_fields[f].type;
    if (c->type == AUD_TEXT) {
        switch (f) {
        case AUD_F_REGION: store_text(c, s->region, &s->regions); return;
        case AUD_F_CITY: store_text(c, s->city, &s->cities); return;
        case AUD_F_TIER: store_text(c, s->tier, &s->tiers); return;
        case AUD_F_TIMEZONE: store_text(c, s->tz, &s->zones); return;
        case AUD_F_GENDER: {
            int32_t *g = enc_arena_alloc(e->arena, (n ? n : 1) * sizeof *g);
            for (size_t i = 0; i < n; i++)
                g[i] = s->gender[i] == 'm' ? 0 : s->gender[i] == 'f' ? 1 : -1;
            static const char *const mf[] = {"m", "f"};
            c->txt = g;
            c->names = mf;
            c->nnames = c->ndomain = 2;
            return;
        }
        }
        return;
    }
    double *v = num_col(e);
    c->num = v;
    for (size_t i = 0; i < n; i++) {
        /* the parts a snapshot was read without are NULL (enc_aud_env_need checked f's) */
        int64_t o0 = s->ord_off ? s->ord_off[i] : 0, o1 = s->ord_off ? s->ord_off[i + 1] : 0;
        int64_t e0 = s->ev_off ? s->ev_off[i] : 0, e1 = s->ev_off ? s->ev_off[i + 1] : 0;
        switch (f) {
        case AUD_F_ORDERS: v[i] = (double)(o1 - o0); break;
        case AUD_F_TOTAL_SPENT:
        case AUD_F_AOV: {
            int64_t sum = 0;
            for (int64_t k = o0; k < o1; k++) sum += s->ord_amount[k];
            if (f == AUD_F_TOTAL_SPENT) v[i] = (double)sum;
            else if (o1 > o0) v[i] = (double)sum / (double)(o1 - o0);
            break;
        }
        case AUD_F_FIRST_ORDER_AT:
            if (o1 > o0) v[i] = (double)s->ord_ts[o0];
            break;
        case AUD_F_LAST_ORDER_AT:
            if (o1 > o0) v[i] = (double)s->ord_ts[o1 - 1];
            break;
        case AUD_F_FIRST_ORDER_DAYS:
            if (o1 > o0) v[i] = days_since(e->now, s->ord_ts[o0]);
            break;
        case AUD_F_LAST_ORDER_DAYS:
            if (o1 > o0) v[i] = days_since(e->now, s->ord_ts[o1 - 1]);
            break;
        case AUD_F_RETURNS: v[i] = s->ret_count[i]; break;
        case AUD_F_RETURNS_AMOUNT: v[i] = (double)s->ret_amount[i]; break;
        case AUD_F_COMPLAINTS: v[i] = s->complaints[i]; break;
        case AUD_F_LAST_COMPLAINT_DAYS:
            if (s->last_complaint[i] != ENC_NO_TIME)
                v[i] = days_since(e->now, s->last_complaint[i]);
            break;
        case AUD_F_NPS: v[i] = s->nps_last[i]; break;
        case AUD_F_REVIEW_SCORE: v[i] = s->review_avg[i]; break;
        case AUD_F_CONSULTS: v[i] = s->consults[i]; break;
        case AUD_F_EVENTS: v[i] = (double)(e1 - e0); break;
        case AUD_F_LAST_EVENT_DAYS:
            if (e1 > e0) v[i] = days_since(e->now, s->ev_ts[e1 - 1]);
            break;
        case AUD_F_POINTS: v[i] = (double)s->points[i]; break;
        case AUD_F_REGISTERED_AT:
            if (s->registered_at[i] != ENC_NO_TIME) v[i] = (double)s->registered_at[i];
            break;
        case AUD_F_REGISTERED_DAYS:
            if (s->registered_at[i] != ENC_NO_TIME) v[i] = days_since(e->now, s->registered_at[i]);
            break;
        case AUD_F_BIRTH_MONTH:
            if (s->birth_md[i] > 0) v[i] = s->birth_md[i] / 100;
            break;
        }
    }
}

/* ---- JSON string arrays ------------------------------------------------------------------ */

/* ---- profile fields ---------------------------------------------------------------------- */

/* A growing dictionary for a text or list column: the text as stored -> the column's value
 * id (a domain's index for any spelling of a domain value, else ndomain + the name's index),
 * so each distinct text is resolved once, not once a row. */
typedef struct dict {
    enc_smap *map;
    const char **names;
    size_t n, cap, ndomain;
} dict;

static int32_t dict_id(enc_aud_env *e, dict *d, enc_aud_domain dom, const char *s, size_t len)
{
    int64_t *v = enc_smap_get(d->map, s, len);
    if (v) return (int32_t)*v;
    int k = dom ? enc_aud_domain_find(dom, s, len) : -1;
    if (k < 0) {
        ENC_GROW(d->names, d->cap, d->n + 1);
        d->names[d->n] = enc_arena_strndup(e->arena, s, len);
        k = (int)(d->ndomain + d->n++);
    }
    *enc_smap_put(d->map, s, len, 0, NULL) = k;
    return (int32_t)k;
}

/* Loaded state of one profile column while scanning. */
typedef struct pcol {
    int f;
    enc_aud_type type;
    double *num;
    int32_t *txt;
    dict d;
    int32_t *cnt; /* LIST: items per customer */
    int32_t *items;
    size_t nitems, icap;
    /* LIST: the lists already read (as stored -> items[start .. start + count) of the first
     * customer who had it, kept as start * LIST_SPAN + count), up to MAX_MEMO of them: most
     * customers share a few tag lists, parsed once */
    enc_smap *memo;
} pcol;

#define LIST_SPAN (MAX_LIST_ITEMS + 1)
#define MAX_MEMO 65536

static void finish_names(enc_aud_env *e, pcol *p, enc_aud_col *c)
{
    enc_aud_domain dom = enc_aud_fields[p->f].domain;
    size_t nd = p->d.ndomain, total = nd + p->d.n;
    const char **names = enc_arena_alloc(e->arena, (total ? total : 1) * sizeof *names);
    for (size_t k = 0; k < nd; k++) names[k] = enc_aud_domain_value(dom, k);
    for (size_t k = 0; k < p->d.n; k++) names[nd + k] = p->d.names[k];
    c->names = names;
    c->nnames = total;
    c->ndomain = nd;
}

/* The profile columns from the profile cache (profcache.h) when it serves the store and
 * holds every column asked for: the same values the store path below reads, in the same
 * order, so names get the same ids. False, with nothing changed, when it cannot. */
static bool from_cache(enc_aud_env *e, pcol *cols, int nc)
{
    enc_profcache *pc = enc_profcache_open(e->st);
    if (!pc) return false;
    enc_profcache_col cc[AUD_F_COUNT];
    for (int k = 0; k < nc; k++)
        if (!enc_profcache_column(pc, enc_aud_fields[cols[k].f].column, &cc[k]) ||
            (cc[k].num != NULL) != (cols[k].type != AUD_TEXT && cols[k].type != AUD_LIST) ||
            cc[k].list != (cols[k].type == AUD_LIST)) {
            enc_profcache_close(pc);
            return false;
        }
    const enc_snapshot *s = e->s;
    size_t n = s->ncust, rows = enc_profcache_rows(pc), j = 0, used = 0;
    const int64_t *cust = enc_profcache_customers(pc), *as_of = enc_profcache_as_of(pc);
    /* a name's column id, resolved when first met (as the store path meets it): -2 = not yet */
    int32_t *remap[AUD_F_COUNT];
    for (int k = 0; k < nc; k++) {
        remap[k] = NULL;
        if (cc[k].num) continue;
        remap[k] = enc_xmalloc((cc[k].nnames ? cc[k].nnames : 1) * sizeof *remap[k]);
        for (size_t x = 0; x < cc[k].nnames; x++) remap[k][x] = -2;
    }
#define NAME_ID(k, x)                                                                              \
    (remap[k][x] != -2                                                                             \
         ? remap[k][x]                                                                             \
         : (remap[k][x] = dict_id(e, &cols[k].d, enc_aud_fields[cols[k].f].domain,                 \
                                  enc_colfile_str(cc[k].name_off, cc[k].name_str, x),              \
                                  strlen(enc_colfile_str(cc[k].name_off, cc[k].name_str, x)))))
    for (size_t r = 0; r < rows; r++) {
        if (!enc_as_of_visible(as_of[r], e->now)) continue; /* base/datetime.h */
        int64_t id = cust[r];
        while (j < n && s->cust_id[j] < id) j++;
        if (j == n) break;
        if (s->cust_id[j] != id) continue;
        used++;
        for (int k = 0; k < nc; k++) {
            pcol *p = &cols[k];
            if (cc[k].num) {
                p->num[j] = cc[k].num[r];
            } else if (!cc[k].list) {
                int32_t x = cc[k].txt[r];
                if (x >= 0) p->txt[j] = NAME_ID(k, (size_t)x);
            } else {
                int64_t a = cc[k].off[r], b = cc[k].off[r + 1];
                ENC_GROW(p->items, p->icap, p->nitems + (size_t)(b - a));
                for (int64_t t = a; t < b; t++)
                    p->items[p->nitems++] = NAME_ID(k, (size_t)cc[k].item[t]);
                p->cnt[j] = (int32_t)(b - a);
            }
        }
    }
#undef NAME_ID
    for (int k = 0; k < nc; k++) free(remap[k]);
    e->nprofiles = used;
    enc_profcache_close(pc);
    return true;
}

static enc_rc load_profiles(enc_aud_env *e, const bool *need, enc_err *err)
{
    const enc_snapshot *s = e->s;
    size_t n = s->ncust;
    pcol cols[AUD_F_COUNT];
    int nc = 0;
    for (int f = 0; f < AUD_F_COUNT; f++) {
        if (!need[f] || e->loaded[f] || enc_aud_fields[f].from != AUD_FROM_PROFILE) continue;
        pcol *p = &cols[nc++];
        memset(p, 0, sizeof *p);
        p->f = f;
        p->type = enc_aud_fields[f].type;
        if (p->type == AUD_TEXT || p->type == AUD_LIST) {
            p->d.map = enc_smap_new(64);
            p->d.ndomain = enc_aud_domain_size(enc_aud_fields[f].domain);
        }
        if (p->type == AUD_TEXT) {
            p->txt = enc_arena_alloc(e->arena, (n ? n : 1) * sizeof *p->txt);
            memset(p->txt, 0xff, n * sizeof *p->txt);
        } else if (p->type == AUD_LIST) {
            p->cnt = enc_xcalloc(n ? n : 1, sizeof *p->cnt);
            p->memo = enc_smap_new(64);
        } else {
            p->num = num_col(e);
        }
    }
    if (!nc) return ENC_OK;

    enc_rc rc = ENC_OK;
    char *buf = NULL;
    size_t bufcap = 0;
    bool cached = e->st && from_cache(e, cols, nc);
    if (e->st && !cached) {
        const char *names[AUD_F_COUNT];
        for (int k = 0; k < nc; k++) names[k] = enc_aud_fields[cols[k].f].column;
        int64_t cache = enc__store_scan_begin(e->st);
        enc_scan *q = enc_store_profile_scan(e->st, names, nc, false, true, "profiles", err);
        if (!q) rc = err->rc;
        if (q) enc_scan_bind_i64(q, 1, enc_as_of_visible_until(e->now)); /* as_of convention */
        size_t j = 0, used = 0;
        int step = 0;
        while (!rc && q && (step = enc_scan_next(q)) == 1) {
            int64_t id = enc_scan_i64(q, 0);
            while (j < n && s->cust_id[j] < id) j++;
            if (j == n) break;
            if (s->cust_id[j] != id) continue; /* merged away, or not in the snapshot */
            used++;
            for (int k = 0; k < nc && !rc; k++) {
                pcol *p = &cols[k];
                int qc = k + 1;
                if (enc_scan_null(q, qc)) continue;
                if (p->type == AUD_TEXT) {
                    const char *t = (const char *)enc_scan_text(q, qc);
                    size_t tl = (size_t)enc_scan_bytes(q, qc);
                    if (t && tl) p->txt[j] = dict_id(e, &p->d, enc_aud_fields[p->f].domain, t, tl);
                } else if (p->type == AUD_LIST) {
                    const char *t = (const char *)enc_scan_text(q, qc);
                    size_t tl = (size_t)enc_scan_bytes(q, qc);
                    if (!t) continue;
                    int64_t *seen = enc_smap_get(p->memo, t, tl);
                    if (seen) {
                        size_t from = (size_t)(*seen / LIST_SPAN), m = (size_t)(*seen % LIST_SPAN);
                        if (m) {
                            ENC_GROW(p->items, p->icap, p->nitems + m);
                            memcpy(p->items + p->nitems, p->items + from, m * sizeof *p->items);
                            p->nitems += m;
                        }
                        p->cnt[j] = (int32_t)m;
                        continue;
                    }
                    ENC_GROW(buf, bufcap, tl + 1);
                    const char *it[MAX_LIST_ITEMS];
                    size_t il[MAX_LIST_ITEMS];
                    int m = enc_json_strings(t, tl, buf, it, il, MAX_LIST_ITEMS);
                    if (m < 0) {
                        rc = enc_fail(err, ENC_EFAIL,
                                      "profiles: customer %lld: %s is not a JSON array of at "
                                      "most %d strings",
                                      (long long)id, enc_aud_fields[p->f].column, MAX_LIST_ITEMS);
                        break;
                    }
                    ENC_GROW(p->items, p->icap, p->nitems + (size_t)m);
                    if (enc_smap_count(p->memo) < MAX_MEMO)
                        *enc_smap_put(p->memo, t, tl, 0, NULL) = (int64_t)p->nitems * LIST_SPAN + m;
                    for (int x = 0; x < m; x++)
                        p->items[p->nitems++] = dict_id(e, &p->d, AUD_DOM_NONE, it[x], il[x]);
                    p->cnt[j] = m;
                } else {
                    p->num[j] = enc_scan_double(q, qc);
                }
            }
        }
        if (!rc && q && step < 0) rc = enc_scan_fail(q, err, "profiles");
        enc_scan_close(q);
        enc__store_scan_end(e->st, cache);
        e->nprofiles = used;
    }
    free(buf);
    for (int k = 0; k < nc; k++) {
        pcol *p = &cols[k];
        enc_aud_col *c = &e->col[p->f];
        memset(c, 0, sizeof *c);
        c->type = p->type;
        if (p->type == AUD_TEXT) {
            c->txt = p->txt;
            finish_names(e, p, c);
        } else if (p->type == AUD_LIST) {
            int64_t *off = enc_arena_alloc(e->arena, (n + 1) * sizeof *off);
            off[0] = 0;
            for (size_t i = 0; i < n; i++) off[i + 1] = off[i] + p->cnt[i];
            int32_t *items = enc_arena_alloc(e->arena, (p->nitems ? p->nitems : 1) * sizeof *items);
            if (p->nitems) memcpy(items, p->items, p->nitems * sizeof *items);
            c->off = off;
            c->item = items;
            finish_names(e, p, c);
        } else {
            c->num = p->num;
        }
        if (p->d.map) enc_smap_free(p->d.map);
        enc_smap_free(p->memo);
        free(p->d.names);
        free(p->cnt);
        free(p->items);
        if (!rc) e->loaded[p->f] = true;
    }
    return rc;
}

/* the loyalty fields, all four at once from the ledger (src/loyalty) */
static enc_rc load_loyalty(enc_aud_env *e, const bool *need, enc_err *err)
{
    static const int fs[] = {AUD_F_POINTS_BALANCE, AUD_F_POINTS_EXPIRING_30D, AUD_F_TIER_SINCE,
                             AUD_F_NEXT_TIER_GAP,  AUD_F_UPGRADED_DAYS,       AUD_F_TIER_DROP_DAYS};
    enum { NF = sizeof fs / sizeof *fs };
    bool any = false;
    for (size_t k = 0; k < NF; k++) any |= need[fs[k]] && !e->loaded[fs[k]];
    if (!any) return ENC_OK;
    double *v[NF];
    for (size_t k = 0; k < NF; k++) v[k] = num_col(e);
    enc_loyalty_cols c = {v[0], v[1], v[2], v[3], v[4], v[5]};
    if (e->st && enc_loyalty_columns(e->st, e->now, e->s->cust_id, e->s->ncust, &c, err))
        return err->rc;
    for (size_t k = 0; k < NF; k++) {
        memset(&e->col[fs[k]], 0, sizeof e->col[fs[k]]);
        e->col[fs[k]].type = enc_aud_fields[fs[k]].type;
        e->col[fs[k]].num = v[k];
        e->loaded[fs[k]] = true;
    }
    return ENC_OK;
}

enc_rc enc_aud_env_need(enc_aud_env *e, const bool *need, enc_err *err)
{
    if (load_loyalty(e, need, err)) return err->rc;
    for (int f = 0; f < AUD_F_COUNT; f++) {
        if (!need[f] || e->loaded[f] || enc_aud_fields[f].from != AUD_FROM_STORE) continue;
        enc_snapshot_opts o = {0, 0, 0};
        enc_aud_column_needs(f, &o);
        if (!enc_snapshot_opts_cover(&e->s->loaded, &o))
            return enc_fail(err, ENC_EUSAGE, "'%s': the snapshot was read without its data",
                            enc_aud_fields[f].name);
        store_column(e, f);
        e->loaded[f] = true;
    }
    return load_profiles(e, need, err);
}

enc_rc enc_aud_env_column(enc_aud_env *e, int f, enc_aud_col *out, enc_err *err)
{
    if (f < 0 || f >= AUD_F_COUNT || enc_aud_fields[f].from == AUD_FROM_FUNC)
        return enc_fail(err, ENC_EUSAGE, "no column for '%s'",
                        f >= 0 && f < AUD_F_COUNT ? enc_aud_fields[f].name : "?");
    if (!e->loaded[f]) {
        bool need[AUD_F_COUNT] = {false};
        need[f] = true;
        enc_rc rc = enc_aud_env_need(e, need, err);
        if (rc) return rc;
    }
    *out = e->col[f];
    return ENC_OK;
}
