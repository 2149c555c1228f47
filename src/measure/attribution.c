/* attribution.c — the campaign's responses, group by group (see attribution.h). Five reads
 * (members with their messages, tracking events, redeemed coupons, paid orders, currency),
 * each one query whose rows come back in customer order or are sorted once; then one pass
 * over the customers, each seen with all its memberships, anchors and orders together. */
#include "measure/attribution.h"
#include "store/attribution_store.h"

#include "base/map.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include "ingest/clean.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* what became of a member's message */
enum { MSG_NONE, MSG_DELIVERED, MSG_FAILED, MSG_PENDING };
enum { TRK_OPEN, TRK_CLICK, TRK_UNSUB };

typedef struct mrow {
    int64_t cust, at, sent_at, msg_id;
    int8_t g, ch; /* group index; channel (-1: none or unknown) */
    uint8_t msg;  /* MSG_* */
} mrow;

typedef struct erow {
    size_t m; /* member index */
    int64_t ts;
    int type; /* TRK_* */
} erow;

typedef struct crow {
    size_t m; /* member index of the coupon's message */
    int64_t order, ts, sales, cost;
} crow;

typedef struct orow {
    int64_t cust, id, ts, sales;
} orow;

typedef struct anchor {
    int64_t t, end;
    int g;
} anchor;

/* A real touch of another campaign on one of our members (last touch across campaigns). */
typedef struct touch {
    int64_t cust, t, end;
    int prio;
} touch;

typedef struct dblv {
    double *v;
    size_t n, cap;
} dblv;

typedef struct work {
    enc_attr *a;
    enc_store *st;
    const enc_spec *spec;
    mrow *m;
    size_t nm, mcap;
    erow *e;
    size_t ne, ecap;
    crow *c;
    size_t nc, ccap;
    orow *o;
    size_t no, ocap;
    enc_imap *by_msg;       /* message id -> member index */
    enc_imap *coupon_of;    /* order id redeemed by a coupon -> 1 */
    enc_imap *other_coupon; /* order id redeemed by another campaign's coupon -> 1 */
    touch *t;               /* other campaigns' touches, by customer then time */
    size_t nt, tcap;
    int prio; /* this campaign's priority */
    dblv rev[ENC_ATTR_GROUPS];
} work;

/* Every read binds ?1 = the campaign, ?2 = the as-of time, ?3 = `third` (when it has a ?3). */
static enc_rc prep(work *w, enc_attrq which, int64_t third, enc_scan **q, enc_err *err)
{
    *q = enc_store_attrq(w->st, which, w->a->campaign, w->a->as_of, third, err);
    return *q ? ENC_OK : err->rc;
}

/* Ends a read whose last step returned r. */
static enc_rc done(enc_scan *q, int r, const char *what, enc_err *err)
{
    char m[96];
    snprintf(m, sizeof m, "attribution: %s", what);
    enc_rc rc = r == 0 ? ENC_OK : enc_scan_fail(q, err, m);
    enc_scan_close(q);
    return rc;
}

/* The group of a variant name, created after the known ones when new. */
static int variant_group(enc_attr *a, const char *name, enc_err *err)
{
    for (int i = 0; i < a->nvariants; i++)
        if (strcmp(a->g[i].name, name) == 0) return i;
    if (a->nvariants == ENC_SPEC_MAX_VARIANTS) {
        enc_fail(err, ENC_ELIMIT, "attribution: more than %d variants among the members",
                 ENC_SPEC_MAX_VARIANTS);
        return -1;
    }
    snprintf(a->g[a->nvariants].name, sizeof a->g[0].name, "%s", name);
    return a->nvariants++;
}

static enc_rc load_members(work *w, enc_err *err)
{
    enc_attr *a = w->a;
    enc_scan *q;
    if (prep(w, ENC_ATTRQ_MEMBERS, a->before, &q, err)) return err->rc;
    int r;
    while ((r = enc_scan_next(q)) == 1) {
        ENC_GROW(w->m, w->mcap, w->nm + 1);
        mrow *m = &w->m[w->nm];
        memset(m, 0, sizeof *m);
        m->cust = enc_scan_i64(q, 0);
        if (enc_scan_int(q, 1)) {
            m->g = ENC_ATTR_HOLDOUT;
        } else {
            const char *v = (const char *)enc_scan_text(q, 2);
            int g = variant_group(a, v ? v : "-", err);
            if (g < 0) {
                enc_scan_close(q);
                return err->rc;
            }
            m->g = (int8_t)g;
        }
        const char *ch = (const char *)enc_scan_text(q, 3);
        m->ch = (int8_t)(ch ? enc_channel_parse(ch) : -1);
        m->at = enc_scan_i64(q, 4);
        if (!enc_scan_null(q, 5)) {
            m->msg_id = enc_scan_i64(q, 5);
            const char *s = (const char *)enc_scan_text(q, 6);
            m->msg = strcmp(s, "sent") == 0                               ? MSG_DELIVERED
                     : strcmp(s, "failed") == 0 || strcmp(s, "dead") == 0 ? MSG_FAILED
                                                                          : MSG_PENDING;
            m->sent_at = enc_scan_i64(q, 7);
            if (m->msg == MSG_DELIVERED && !m->sent_at) m->msg = MSG_PENDING;
            bool added;
            enc_imap_put(w->by_msg, m->msg_id, (int64_t)w->nm, &added);
        }
        w->nm++;
    }
    return done(q, r, "members", err);
}

static int erow_cmp(const void *x, const void *y)
{
    const erow *a = x, *b = y;
    if (a->m != b->m) return a->m < b->m ? -1 : 1;
    return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* Tracking events (src/server/track.c: props {"message_id": N, "campaign": ...}) on the
 * members' messages, found through the members' customers from `from` (the earliest anchor:
 * no message of the campaign was out before) to as-of. */
static enc_rc load_events(work *w, int64_t from, enc_err *err)
{
    enc_scan *q;
    if (prep(w, ENC_ATTRQ_EVENTS, from, &q, err)) return err->rc;
    int r;
    while ((r = enc_scan_next(q)) == 1) {
        if (!enc_scan_is_int(q, 0)) continue;
        int64_t *m = enc_imap_get(w->by_msg, enc_scan_i64(q, 0));
        if (!m) continue;
        const char *t = (const char *)enc_scan_text(q, 1);
        ENC_GROW(w->e, w->ecap, w->ne + 1);
        erow *e = &w->e[w->ne++];
        e->m = (size_t)*m;
        e->ts = enc_scan_i64(q, 2);
        e->type = strcmp(t, "message_open") == 0    ? TRK_OPEN
                  : strcmp(t, "message_click") == 0 ? TRK_CLICK
                                                    : TRK_UNSUB;
    }
    if (done(q, r, "tracking events", err)) return err->rc;
    if (w->ne) qsort(w->e, w->ne, sizeof *w->e, erow_cmp);
    return ENC_OK;
}

static int crow_cmp(const void *x, const void *y)
{
    const crow *a = x, *b = y;
    if (a->m != b->m) return a->m < b->m ? -1 : 1;
    return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* Coupons of the campaign redeemed by a paid order up to as-of, with the order and the cost:
 * a value coupon costs its face value, a percent coupon the order's discount (or, when the
 * order records none, the percentage of its sales). */
static enc_rc load_coupons(work *w, enc_err *err)
{
    enc_scan *q;
    if (prep(w, ENC_ATTRQ_COUPONS, 0, &q, err)) return err->rc;
    int r;
    while ((r = enc_scan_next(q)) == 1) {
        int64_t *m = enc_imap_get(w->by_msg, enc_scan_i64(q, 0));
        if (!m) continue;
        ENC_GROW(w->c, w->ccap, w->nc + 1);
        crow *c = &w->c[w->nc++];
        c->m = (size_t)*m;
        bool percent = strcmp((const char *)enc_scan_text(q, 1), "percent") == 0;
        int64_t amount = enc_scan_i64(q, 2);
        c->order = enc_scan_i64(q, 3);
        c->ts = enc_scan_i64(q, 4);
        c->sales = enc_scan_i64(q, 5);
        int64_t discount = enc_scan_i64(q, 6);
        c->cost = !percent       ? amount
                  : discount > 0 ? discount
                                 : llround((double)c->sales * (double)amount / 100.0);
        bool added;
        enc_imap_put(w->coupon_of, c->order, 1, &added);
    }
    if (done(q, r, "coupons", err)) return err->rc;
    if (w->nc) qsort(w->c, w->nc, sizeof *w->c, crow_cmp);
    return ENC_OK;
}

/* The members' paid orders after `from` up to as-of, in customer and time order. */
static enc_rc load_orders(work *w, int64_t from, enc_err *err)
{
    enc_scan *q;
    if (prep(w, ENC_ATTRQ_ORDERS, from, &q, err)) return err->rc;
    int r;
    while ((r = enc_scan_next(q)) == 1) {
        ENC_GROW(w->o, w->ocap, w->no + 1);
        orow *o = &w->o[w->no++];
        o->cust = enc_scan_i64(q, 0);
        o->id = enc_scan_i64(q, 1);
        o->ts = enc_scan_i64(q, 2);
        o->sales = enc_scan_i64(q, 3);
    }
    return done(q, r, "orders", err);
}

static int touch_cmp(const void *x, const void *y)
{
    const touch *a = x, *b = y;
    if (a->cust != b->cust) return a->cust < b->cust ? -1 : 1;
    return a->t < b->t ? -1 : a->t > b->t;
}

/* Last touch across campaigns: the other campaigns' deliveries and clicks on our members'
 * customers from `from` on (each with the window of its channel in the shop-wide settings
 * and its campaign's priority), and the orders their coupons redeemed. */
static enc_rc load_others(work *w, enc_store *st, int64_t from, enc_err *err)
{
    enc_mset shop;
    if (enc_mset_load(st, NULL, &shop, err)) return err->rc;
    static const enc_attrq touches[2] = {ENC_ATTRQ_OTHER_SENDS, ENC_ATTRQ_OTHER_CLICKS};
    for (int k = 0; k < 2; k++) {
        enc_scan *q;
        if (prep(w, touches[k], from, &q, err)) return err->rc;
        int r;
        while ((r = enc_scan_next(q)) == 1) {
            ENC_GROW(w->t, w->tcap, w->nt + 1);
            touch *t = &w->t[w->nt++];
            t->cust = enc_scan_i64(q, 0);
            t->t = enc_scan_i64(q, 1);
            int ch = enc_channel_parse((const char *)enc_scan_text(q, 2));
            t->end = t->t + shop.window[ch >= 0 && ch < CH_NCHANNELS ? ch : CH_EMAIL];
            t->prio = enc_scan_int(q, 3);
        }
        if (done(q, r, "other campaigns' touches", err)) return err->rc;
    }
    if (w->nt) qsort(w->t, w->nt, sizeof *w->t, touch_cmp);
    enc_scan *q;
    if (prep(w, ENC_ATTRQ_OTHER_COUPONS, 0, &q, err)) return err->rc;
    int r;
    while ((r = enc_scan_next(q)) == 1) {
        bool added;
        enc_imap_put(w->other_coupon, enc_scan_i64(q, 0), 1, &added);
    }
    return done(q, r, "other campaigns' coupons", err);
}

/* Whether another campaign touched customer cust later than `at` (or at `at` with a higher
 * priority) with a window holding an order at ts. */
static bool taken_by_other(const work *w, int64_t cust, int64_t at, int64_t ts)
{
    /* binary search of the customer's first touch */
    size_t lo = 0, hi = w->nt;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->t[mid].cust < cust) lo = mid + 1;
        else hi = mid;
    }
    for (size_t k = lo; k < w->nt && w->t[k].cust == cust; k++) {
        const touch *t = &w->t[k];
        if (ts <= t->t || ts > t->end) continue;
        if (t->t > at || (t->t == at && t->prio > w->prio)) return true;
    }
    return false;
}

static enc_rc load_currency(work *w, enc_err *err)
{
    enc_scan *q;
    if (prep(w, ENC_ATTRQ_CURRENCY, 0, &q, err)) return err->rc;
    int r = enc_scan_next(q);
    if (r == 1) {
        snprintf(w->a->currency, sizeof w->a->currency, "%s", (const char *)enc_scan_text(q, 0));
        int d = enc_currency_digits(w->a->currency);
        if (d >= 0) w->a->digits = d;
    }
    return done(q, r == 1 ? 0 : r, "currency", err);
}

static int64_t window_of(const enc_attr *a, int ch)
{
    return a->set.window[ch >= 0 && ch < CH_NCHANNELS ? ch : a->holdout_channel];
}

/* Credits an attributed order to group g. */
static void credit(enc_attr *a, int g, int64_t ts, int64_t sales, int64_t *rev)
{
    enc_attr_group *G = &a->g[g];
    G->orders++;
    G->revenue += sales;
    rev[g] += sales;
    int64_t d = (ts - a->day0) / DAY;
    if (d < 0) d = 0;
    if (d >= a->ndays) d = a->ndays - 1;
    G->daily[d] += sales;
}

/* Per-customer flags, one bit per group. */
enum { F_IN, F_SENT, F_DELIV, F_OPEN, F_CLICK, F_UNSUB, F_CONV, F_REP, F_OPENWIN, NFLAGS };

/* The customer of members [i, j): events [ei, ej), coupons [ci, cj), orders [oi, oj). */
static void one_customer(work *w, size_t i, size_t j, size_t ei, size_t ej, size_t ci, size_t cj,
                         size_t oi, size_t oj, anchor **an, size_t *ancap)
{
    enc_attr *a = w->a;
    uint32_t f[NFLAGS] = {0};
    int64_t rev[ENC_ATTR_GROUPS] = {0};
    size_t na = 0;
    for (size_t k = i; k < j; k++) {
        const mrow *m = &w->m[k];
        enc_attr_group *G = &a->g[m->g];
        uint32_t bit = 1u << m->g;
        f[F_IN] |= bit;
        G->members++;
        if (m->msg_id) G->messages++;
        if (m->msg == MSG_DELIVERED || m->msg == MSG_FAILED) f[F_SENT] |= bit;
        if (m->msg == MSG_DELIVERED) {
            f[F_DELIV] |= bit;
            G->messages_sent++;
            G->message_cost +=
                a->set.msg_cost[m->ch >= 0 ? m->ch : a->holdout_channel] * pow(10, a->digits);
        }
        int64_t t = m->msg == MSG_DELIVERED ? m->sent_at : m->at;
        if (t > a->as_of) continue;
        ENC_GROW(*an, *ancap, na + 1);
        (*an)[na++] = (anchor){t, t + window_of(a, m->ch), m->g};
    }
    for (size_t k = ei; k < ej; k++) {
        const erow *e = &w->e[k];
        const mrow *m = &w->m[e->m];
        if (m->msg != MSG_DELIVERED) continue;
        uint32_t bit = 1u << m->g;
        if (e->type == TRK_UNSUB) {
            f[F_UNSUB] |= bit;
            continue;
        }
        f[F_OPEN] |= bit;
        if (e->type == TRK_CLICK) {
            f[F_CLICK] |= bit;
            ENC_GROW(*an, *ancap, na + 1);
            (*an)[na++] = (anchor){e->ts, e->ts + window_of(a, m->ch), m->g};
        }
    }
    for (size_t k = 0; k < na; k++)
        if ((*an)[k].end > a->as_of) f[F_OPENWIN] |= 1u << (*an)[k].g;
    for (size_t k = ci; k < cj; k++) {
        const crow *c = &w->c[k];
        int g = w->m[c->m].g;
        f[F_CONV] |= 1u << g;
        a->g[g].orders_by_coupon++;
        a->g[g].coupons_redeemed++;
        a->g[g].coupon_cost += c->cost;
        credit(a, g, c->ts, c->sales, rev);
    }
    for (size_t k = oi; k < oj; k++) {
        const orow *o = &w->o[k];
        int best = -1;
        for (size_t x = 0; x < na; x++) {
            const anchor *p = &(*an)[x];
            if (o->ts <= p->t || o->ts > p->end) continue;
            f[F_REP] |= 1u << p->g;
            if (best < 0 || p->t > (*an)[best].t) best = (int)x;
        }
        if (best < 0 || enc_imap_get(w->coupon_of, o->id)) continue;
        if (!a->all_campaigns && (enc_imap_get(w->other_coupon, o->id) ||
                                  taken_by_other(w, o->cust, (*an)[best].t, o->ts))) {
            a->lost_to_others++;
            continue;
        }
        int g = (*an)[best].g;
        f[F_CONV] |= 1u << g;
        credit(a, g, o->ts, o->sales, rev);
    }
    /* every variant together: a customer of any variant, with the flags of any */
    const uint32_t vmask = (1u << ENC_ATTR_TREATED) - 1, tbit = 1u << ENC_ATTR_TREATED;
    for (int x = 0; x < NFLAGS; x++)
        if (f[x] & vmask) f[x] |= tbit;
    for (int g = 0; g < ENC_ATTR_TREATED; g++) rev[ENC_ATTR_TREATED] += rev[g];
    for (int g = 0; g < ENC_ATTR_GROUPS; g++) {
        uint32_t bit = 1u << g;
        if (!(f[F_IN] & bit)) continue;
        enc_attr_group *G = &a->g[g];
        bool deliv = f[F_DELIV] & bit;
        G->audience++;
        G->sent += !!(f[F_SENT] & bit);
        G->delivered += deliv;
        G->failed += (f[F_SENT] & bit) && !deliv;
        G->opened += deliv && (f[F_OPEN] & bit);
        G->clicked += deliv && (f[F_CLICK] & bit);
        G->unsubscribed += deliv && (f[F_UNSUB] & bit);
        G->converted += !!(f[F_CONV] & bit);
        G->repurchased += !!(f[F_REP] & bit);
        G->open_windows += !!(f[F_OPENWIN] & bit);
        dblv *v = &w->rev[g];
        ENC_GROW(v->v, v->cap, v->n + 1);
        v->v[v->n++] = (double)rev[g];
    }
}

static void attribute(work *w)
{
    enc_attr *a = w->a;
    anchor *an = NULL;
    size_t ancap = 0, ei = 0, ci = 0, oi = 0;
    for (size_t i = 0; i < w->nm;) {
        size_t j = i;
        while (j < w->nm && w->m[j].cust == w->m[i].cust) j++;
        size_t ej = ei, cj = ci;
        while (ej < w->ne && w->e[ej].m < j) ej++;
        while (cj < w->nc && w->c[cj].m < j) cj++;
        while (oi < w->no && w->o[oi].cust < w->m[i].cust) oi++;
        size_t oj = oi;
        while (oj < w->no && w->o[oj].cust == w->m[i].cust) oj++;
        one_customer(w, i, j, ei, ej, ci, cj, oi, oj, &an, &ancap);
        i = j, ei = ej, ci = cj, oi = oj;
    }
    free(an);
    /* row counts of every variant together */
    enc_attr_group *T = &a->g[ENC_ATTR_TREATED];
    for (int g = 0; g < a->nvariants; g++) {
        const enc_attr_group *G = &a->g[g];
        T->members += G->members;
        T->messages += G->messages;
        T->messages_sent += G->messages_sent;
        T->orders += G->orders;
        T->orders_by_coupon += G->orders_by_coupon;
        T->revenue += G->revenue;
        T->coupons_redeemed += G->coupons_redeemed;
        T->coupon_cost += G->coupon_cost;
        T->message_cost += G->message_cost;
        for (int d = 0; d < a->ndays; d++) T->daily[d] += G->daily[d];
    }
    for (int g = 0; g < ENC_ATTR_GROUPS; g++) {
        a->g[g].rev = w->rev[g].v;
        w->rev[g].v = NULL;
    }
}

static void work_free(work *w)
{
    free(w->m);
    free(w->e);
    free(w->c);
    free(w->o);
    enc_imap_free(w->by_msg);
    enc_imap_free(w->coupon_of);
    enc_imap_free(w->other_coupon);
    free(w->t);
    for (int g = 0; g < ENC_ATTR_GROUPS; g++) free(w->rev[g].v);
}

enc_rc enc_attr_run(enc_store *st, const char *campaign, const enc_attr_opts *o, enc_attr **out,
                    enc_err *err)
{
    *out = NULL;
    enc_camp_row row;
    if (enc_camp_get(st, campaign, &row, err)) return err->rc;
    enc_spec *own = NULL;
    const enc_spec *spec = o->spec;
    enc_rc rc = ENC_OK;
    if (!spec) {
        if ((rc = enc_spec_parse(row.spec, strlen(row.spec), NULL, &own, err))) {
            enc_camp_row_free(&row);
            return rc;
        }
        spec = own;
    }
    enc_attr *a = enc_xcalloc(1, sizeof *a);
    snprintf(a->campaign, sizeof a->campaign, "%s", row.name);
    enc_camp_row_free(&row);
    a->as_of = o->as_of;
    a->before = o->before;
    a->all_campaigns = o->all_campaigns;
    a->digits = 2;
    a->holdout_channel = spec->nchannels ? spec->channels[0] : CH_EMAIL;
    if (o->set) a->set = *o->set;
    else if ((rc = enc_mset_load(st, a->campaign, &a->set, err))) {
        enc_spec_free(own);
        free(a);
        return rc;
    }
    for (int v = 0; v < spec->nvariants; v++)
        snprintf(a->g[v].name, sizeof a->g[v].name, "%s", spec->variants[v].name);
    a->nvariants = spec->nvariants;
    snprintf(a->g[ENC_ATTR_TREATED].name, sizeof a->g[0].name, "treated");
    snprintf(a->g[ENC_ATTR_HOLDOUT].name, sizeof a->g[0].name, "holdout");

    work w = {.a = a, .st = st, .spec = spec};
    w.by_msg = enc_imap_new(1024);
    w.coupon_of = enc_imap_new(64);
    w.other_coupon = enc_imap_new(64);
    w.prio = spec->priority;
    if ((rc = load_members(&w, err))) goto out;
    int64_t from = INT64_MAX;
    for (size_t i = 0; i < w.nm; i++) {
        if (w.m[i].at < from) from = w.m[i].at;
        if (w.m[i].msg == MSG_DELIVERED && w.m[i].sent_at < from) from = w.m[i].sent_at;
    }
    if (w.nm) {
        a->first_at = from;
        a->day0 = from - ((from % DAY) + DAY) % DAY;
        int64_t nd = a->as_of >= a->day0 ? (a->as_of - a->day0) / DAY + 1 : 1;
        a->ndays = (int)(nd > ENC_ATTR_MAX_DAYS ? ENC_ATTR_MAX_DAYS : nd);
    } else {
        a->ndays = 1;
        a->day0 = a->as_of - ((a->as_of % DAY) + DAY) % DAY;
    }
    for (int g = 0; g < ENC_ATTR_GROUPS; g++)
        a->g[g].daily = enc_xcalloc((size_t)a->ndays, sizeof *a->g[g].daily);
    if ((rc = load_currency(&w, err))) goto out;
    if (w.nm && ((rc = load_events(&w, from, err)) || (rc = load_coupons(&w, err)) ||
                 (rc = load_orders(&w, from, err)) ||
                 (!a->all_campaigns && (rc = load_others(&w, st, from, err)))))
        goto out;
    attribute(&w);
out:
    work_free(&w);
    enc_spec_free(own);
    if (rc) {
        enc_attr_free(a);
        return rc;
    }
    *out = a;
    return ENC_OK;
}

void enc_attr_free(enc_attr *a)
{
    if (!a) return;
    for (int g = 0; g < ENC_ATTR_GROUPS; g++) {
        free(a->g[g].rev);
        free(a->g[g].daily);
    }
    free(a);
}
