/* trigger.c — occurrences of a trigger in a window (see trigger.h). One pass over the
 * selected customers' orders and events in the snapshot; dates are the customer's local
 * calendar days (enc_tz), so a birthday message at 10:00 goes out at 10:00 where they live. */
#include "campaign/trigger.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t enc_local_day(const enc_tz *tz, int64_t t)
{
    int64_t local = t + (tz ? enc_tz_offset(tz, t) : 0);
    return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

static int64_t local_instant(const enc_tz *tz, int64_t day, int minute)
{
    int64_t wall = day * 86400 + (int64_t)minute * 60;
    return tz ? enc_tz_local_to_utc(tz, wall) : wall;
}

void enc_occ_list_free(enc_occ_list *l)
{
    free(l->v);
    free(l->prod);
    if (l->arena) enc_arena_free(l->arena);
    memset(l, 0, sizeof *l);
}

static void fmt_day(char *out, size_t cap, int64_t day)
{
    int y, m, d;
    enc_civil_from_days(day, &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
}

static enc_occ *add(enc_occ_list *l, int32_t cust, int32_t step, int64_t ref, int64_t due,
                    const char *key)
{
    ENC_GROW(l->v, l->cap, l->n + 1);
    enc_occ *o = &l->v[l->n++];
    memset(o, 0, sizeof *o);
    o->cust = cust;
    o->step = step;
    o->ref = ref;
    o->due = due;
    o->key = enc_arena_strndup(l->arena, key, strlen(key));
    o->prod_off = (int32_t)l->nprod;
    return o;
}

static void add_prod(enc_occ_list *l, enc_occ *o, int32_t p)
{
    if (p < 0) return;
    for (int32_t i = 0; i < o->nprod; i++)
        if (l->prod[o->prod_off + i] == p) return;
    if (o->nprod >= 16) return;
    ENC_GROW(l->prod, l->capprod, l->nprod + 1);
    l->prod[l->nprod++] = p;
    o->nprod++;
}

static void add_order_lines(enc_occ_list *l, enc_occ *o, const enc_snapshot *s, int64_t j)
{
    for (int64_t k = s->line_off[j]; k < s->line_off[j + 1]; k++) add_prod(l, o, s->line_prod[k]);
}

static bool md_match(int64_t day, int md)
{
    int y, m, d;
    enc_civil_from_days(day, &y, &m, &d);
    if (m * 100 + d == md) return true;
    /* 29 February is kept on 28 February in other years */
    return md == 229 && m == 2 && d == 28 && !enc_date_valid(y, 2, 29);
}

/* ---- the kinds --------------------------------------------------------------------------- */

static void sel_event(const enc_spec_trigger *t, const enc_trig_ctx *c, int32_t i, int64_t from,
                      int64_t to, enc_occ_list *l)
{
    const enc_snapshot *s = c->s;
    int64_t o0 = s->ord_off[i], o1 = s->ord_off[i + 1];
    char key[96];
    switch (t->event) {
    case ENC_EVT_FIRST_PURCHASE:
    case ENC_EVT_PURCHASE:
    case ENC_EVT_NO_PURCHASE: {
        if (o0 == o1) return;
        int64_t ja = t->event == ENC_EVT_NO_PURCHASE ? o1 - 1 : o0;
        int64_t jb = t->event == ENC_EVT_PURCHASE ? o1 : ja + 1;
        for (int64_t j = ja; j < jb; j++) {
            int64_t ts = s->ord_ts[j];
            if (ts + t->delays[t->nsteps - 1] <= from || ts + t->delays[0] > to) continue;
            for (int k = 0; k < t->nsteps; k++) {
                int64_t due = ts + t->delays[k];
                if (due <= from || due > to) continue;
                snprintf(key, sizeof key, "%s:%lld#%d",
                         t->event == ENC_EVT_NO_PURCHASE ? "lastorder" : "order",
                         (long long)s->ord_id[j], k + 1);
                enc_occ *o = add(l, i, k, ts, due, key);
                o->date = enc_local_day(c->tz[i], ts);
                if (t->event == ENC_EVT_NO_PURCHASE) o->info = (int32_t)(t->delays[k] / 86400);
                add_order_lines(l, o, s, j);
            }
        }
        return;
    }
    case ENC_EVT_CART_ABANDONED: {
        int64_t e0 = s->ev_off[i], e1 = s->ev_off[i + 1];
        for (int64_t e = e0; e < e1; e++) {
            if (s->ev_type[e] != EV_CART_ADD) continue;
            int64_t ts = s->ev_ts[e];
            if (ts + t->delays[t->nsteps - 1] <= from || ts + t->delays[0] > to) continue;
            /* the next cart_add (a cart goes on), and the first order after ts */
            int64_t next_add = INT64_MAX, next_order = INT64_MAX;
            for (int64_t f = e + 1; f < e1; f++)
                if (s->ev_type[f] == EV_CART_ADD && s->ev_ts[f] > ts) {
                    next_add = s->ev_ts[f];
                    break;
                }
            for (int64_t j = o0; j < o1; j++)
                if (s->ord_ts[j] > ts) {
                    next_order = s->ord_ts[j];
                    break;
                }
            for (int k = 0; k < t->nsteps; k++) {
                int64_t due = ts + t->delays[k];
                if (due <= from || due > to) continue;
                if (next_add <= due || next_order <= due) continue; /* went on, or bought */
                snprintf(key, sizeof key, "cart:%lld#%d", (long long)ts, k + 1);
                enc_occ *o = add(l, i, k, ts, due, key);
                o->date = enc_local_day(c->tz[i], ts);
                /* the cart: what was added in the two hours up to ts */
                for (int64_t f = e; f >= e0 && s->ev_ts[f] >= ts - 7200; f--)
                    if (s->ev_type[f] == EV_CART_ADD) add_prod(l, o, s->ev_prod[f]);
            }
        }
        return;
    }
    case ENC_EVT_BEHAVIOUR: {
        int64_t e0 = s->ev_off[i], e1 = s->ev_off[i + 1];
        int64_t last_day = INT64_MIN;
        for (int64_t e = e0; e < e1; e++) {
            if (s->ev_type[e] != t->ev_type) continue;
            int64_t ts = s->ev_ts[e], day = enc_local_day(NULL, ts);
            if (day == last_day) continue; /* the day's first event stands for the day */
            last_day = day;
            if (ts + t->delays[t->nsteps - 1] <= from || ts + t->delays[0] > to) continue;
            for (int k = 0; k < t->nsteps; k++) {
                int64_t due = ts + t->delays[k];
                if (due <= from || due > to) continue;
                char d[16];
                fmt_day(d, sizeof d, day);
                snprintf(key, sizeof key, "%s:%s#%d", enc_ev_type_name((enc_ev_type)t->ev_type), d,
                         k + 1);
                enc_occ *o = add(l, i, k, ts, due, key);
                o->date = day;
                for (int64_t f = e; f < e1 && enc_local_day(NULL, s->ev_ts[f]) == day; f++)
                    if (s->ev_type[f] == t->ev_type) add_prod(l, o, s->ev_prod[f]);
            }
        }
        return;
    }
    }
}

static void sel_date(const enc_spec_trigger *t, const enc_trig_ctx *c, int32_t i, int64_t from,
                     int64_t to, enc_occ_list *l)
{
    const enc_snapshot *s = c->s;
    const enc_tz *tz = c->tz[i];
    int off = (int)(t->delays[0] / 86400);
    int md = 0, ry = 0;
    if (t->date == ENC_DATE_BIRTHDAY) {
        md = s->birth_md[i];
        if (!md) return;
    } else if (t->date == ENC_DATE_ANNIVERSARY) {
        if (s->registered_at[i] == ENC_NO_TIME) return;
        int m, d;
        enc_civil_from_days(enc_local_day(tz, s->registered_at[i]), &ry, &m, &d);
        md = m * 100 + d;
    }
    int64_t d0 = enc_local_day(tz, from) - 1, d1 = enc_local_day(tz, to) + 1;
    char key[160], ds[16];
    for (int64_t D = d0; D <= d1; D++) {
        int64_t E = D - off;
        int match = -1;
        if (t->date == ENC_DATE_HOLIDAY) {
            int y, m, d;
            enc_civil_from_days(E, &y, &m, &d);
            for (int h = 0; h < t->nholidays && match < 0; h++) {
                const enc_spec_holiday *hd = &t->holidays[h];
                if (hd->month == m && hd->day == d && (!hd->year || hd->year == y)) match = h;
            }
        } else if (md_match(E, md)) {
            match = 0;
        }
        if (match < 0) continue;
        int64_t due = local_instant(tz, D, t->local_minute);
        if (due <= from || due > to) continue;
        fmt_day(ds, sizeof ds, E);
        int32_t info = 0;
        if (t->date == ENC_DATE_BIRTHDAY) {
            snprintf(key, sizeof key, "birthday:%s", ds);
        } else if (t->date == ENC_DATE_ANNIVERSARY) {
            int y, m, d;
            enc_civil_from_days(E, &y, &m, &d);
            if (y <= ry) continue;
            info = y - ry;
            snprintf(key, sizeof key, "anniversary:%s", ds);
        } else {
            info = match;
            snprintf(key, sizeof key, "holiday:%s:%s", t->holidays[match].name, ds);
        }
        enc_occ *o = add(l, i, 0, local_instant(tz, E, 0), due, key);
        o->info = info;
        o->date = E;
    }
}

typedef struct rep_due {
    int64_t day, due;
    int32_t prod;
} rep_due;

static int cmp_rep(const void *a, const void *b)
{
    const rep_due *x = a, *y = b;
    if (x->day != y->day) return x->day < y->day ? -1 : 1;
    return (x->prod > y->prod) - (x->prod < y->prod);
}

typedef struct rep_ws {
    rep_due *due;
    int64_t *last_t; /* per product: time of the latest purchase by this customer, 0 = none */
    int32_t *last_q;
    int32_t *touched;
    size_t ntouched;
} rep_ws;

static void sel_predicted(const enc_spec_trigger *t, const enc_trig_ctx *c, int32_t i, int64_t from,
                          int64_t to, rep_ws *w, enc_occ_list *l)
{
    const enc_snapshot *s = c->s;
    const enc_tz *tz = c->tz[i];
    int off = (int)(t->delays[0] / 86400);
    int64_t o0 = s->ord_off[i], o1 = s->ord_off[i + 1];
    char key[96], ds[16];
    if (t->pred == ENC_PRED_NEXT_ORDER) {
        if (!c->next_order || isnan(c->next_order[i]) || o0 == o1) return;
        int64_t E = enc_local_day(tz, (int64_t)c->next_order[i]);
        int64_t due = local_instant(tz, E + off, t->local_minute);
        if (due <= from || due > to) return;
        fmt_day(ds, sizeof ds, E);
        snprintf(key, sizeof key, "next_order:%s", ds);
        enc_occ *o = add(l, i, 0, s->ord_ts[o1 - 1], due, key);
        o->date = E;
        add_order_lines(l, o, s, o1 - 1);
        return;
    }
    /* replenishment: each consumable's latest purchase + its cycle times the quantity */
    w->ntouched = 0;
    for (int64_t j = o0; j < o1; j++)
        for (int64_t k = s->line_off[j]; k < s->line_off[j + 1]; k++) {
            int32_t p = s->line_prod[k];
            if (p < 0 || s->prod_replenish[p] <= 0) continue;
            if (!w->last_t[p]) w->touched[w->ntouched++] = p;
            w->last_t[p] = s->ord_ts[j];
            w->last_q[p] = s->line_qty[k] > 0 ? s->line_qty[k] : 1;
        }
    /* (due day, product) pairs in the window, grouped by day: one occurrence a day */
    size_t np = 0;
    for (size_t k = 0; k < w->ntouched; k++) {
        int32_t p = w->touched[k];
        int q = w->last_q[p] > 12 ? 12 : w->last_q[p];
        int64_t E = enc_local_day(tz, w->last_t[p]) + (int64_t)s->prod_replenish[p] * q;
        int64_t due = local_instant(tz, E + off, t->local_minute);
        if (due > from && due <= to) w->due[np++] = (rep_due){E, due, p};
    }
    qsort(w->due, np, sizeof *w->due, cmp_rep);
    enc_occ *o = NULL;
    for (size_t k = 0; k < np; k++) {
        const rep_due *r = &w->due[k];
        if (!o || o->date != r->day) {
            fmt_day(ds, sizeof ds, r->day);
            snprintf(key, sizeof key, "replenish:%s", ds);
            o = add(l, i, 0, w->last_t[r->prod], r->due, key);
            o->date = r->day;
        }
        add_prod(l, o, r->prod);
        if (w->last_t[r->prod] < o->ref) o->ref = w->last_t[r->prod];
    }
    for (size_t k = 0; k < w->ntouched; k++) w->last_t[w->touched[k]] = 0;
}

static int cmp_due(const void *a, const void *b)
{
    const enc_occ *x = a, *y = b;
    if (x->due != y->due) return x->due < y->due ? -1 : 1;
    return strcmp(x->key, y->key);
}

enc_rc enc_trigger_select(const enc_spec_trigger *t, const enc_trig_ctx *c, int64_t from,
                          int64_t to, enc_occ_list *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    out->arena = enc_arena_new(64 * 1024);
    const enc_snapshot *s = c->s;
    if (to - from > 400LL * 86400) from = to - 400LL * 86400; /* bounds the date loops */
    rep_ws w = {0};
    if (t->kind == ENC_TRIG_PREDICTED && t->pred == ENC_PRED_REPLENISHMENT) {
        w.last_t = enc_xcalloc(s->nprod + 1, sizeof *w.last_t);
        w.last_q = enc_xcalloc(s->nprod + 1, sizeof *w.last_q);
        w.touched = enc_xcalloc(s->nprod + 1, sizeof *w.touched);
        w.due = enc_xcalloc(s->nprod + 1, sizeof *w.due);
    }
    /* once / recurring: one due time for everyone */
    int64_t slot = 0;
    char slot_key[64] = "once";
    if (t->kind == ENC_TRIG_ONCE) {
        slot = c->once_at;
        if (slot <= from || slot > to) slot = 0;
    } else if (t->kind == ENC_TRIG_RECURRING) {
        int64_t origin = t->start ? t->start : c->started_at;
        if (to >= origin) {
            int64_t k = (to - origin) / t->every; /* the latest slot at or before `to` */
            int64_t at = origin + k * t->every;
            if (at > from && (!t->end || at <= t->end)) {
                slot = at;
                char d[40];
                enc_fmt_datetime(d, sizeof d, at);
                d[10] = 'T';
                snprintf(slot_key, sizeof slot_key, "run:%s", d);
            }
        }
    }
    for (size_t i = 0; i < s->ncust; i++) {
        if (c->members && !((c->members[i >> 6] >> (i & 63)) & 1)) continue;
        size_t first = out->n;
        switch (t->kind) {
        case ENC_TRIG_ONCE:
        case ENC_TRIG_RECURRING:
            if (slot) {
                enc_occ *o =
                    add(out, (int32_t)i, 0,
                        t->kind == ENC_TRIG_ONCE ? c->started_at : slot - t->every, slot, slot_key);
                o->date = enc_local_day(c->tz[i], slot);
            }
            break;
        case ENC_TRIG_EVENT: sel_event(t, c, (int32_t)i, from, to, out); break;
        case ENC_TRIG_DATE: sel_date(t, c, (int32_t)i, from, to, out); break;
        case ENC_TRIG_PREDICTED: sel_predicted(t, c, (int32_t)i, from, to, &w, out); break;
        }
        size_t m = out->n - first;
        if (m > 1) {
            /* one occurrence per key (the earliest), in due order */
            qsort(out->v + first, m, sizeof *out->v, cmp_due);
            size_t keep = first;
            for (size_t x = first; x < out->n; x++) {
                bool dup = false;
                for (size_t y = first; y < keep && !dup; y++)
                    dup = strcmp(out->v[y].key, out->v[x].key) == 0;
                if (!dup) out->v[keep++] = out->v[x];
            }
            out->n = keep;
        }
    }
    free(w.last_t);
    free(w.last_q);
    free(w.touched);
    free(w.due);
    (void)err;
    return ENC_OK;
}
