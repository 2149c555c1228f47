/* plan.c — the campaign planner (see plan.h): the decision kernel over plain arrays, the
 * planner that feeds it from the store (snapshot, audience, trigger, outbox history,
 * suppressions, earlier members), rendering with the template module, and writing to the
 * outbox in batches. */
#include "campaign/plan.h"
#include "campaign/journey.h"
#include "audience/eval.h"
#include "campaign/uptarget.h"
#include "campaign/sendopt.h"
#include "base/map.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include "campaign/items.h"
#include "campaign/links.h"
#include "campaign/policy.h"
#include "delivery/outbox.h"
#include "campaign/token.h"
#include "store/privacy.h"
#include "store/store_analytics.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const decision_names[ENC_DEC_COUNT] = {
    "message",    "holdout",    "exited",      "ab_waiting",    "no_consent",
    "no_address", "suppressed", "quiet_hours", "frequency_cap", "budget",
};

const char *enc_decision_name(enc_decision d)
{
    return (unsigned)d < ENC_DEC_COUNT ? decision_names[d] : "?";
}

/* ==== the decision kernel ==================================================================== */

/* Workspace for the caps check: the history as the arrays enc_policy_caps_ok reads. */
typedef struct ws {
    int64_t *ts;
    uint8_t *ch;
    size_t cap;
    int32_t *order; /* displacement candidates */
    size_t cap_order;
} ws;

static void hist_push(enc_person *p, enc_hist_entry e)
{
    if (p->nhist == p->caphist) {
        p->caphist = p->caphist ? p->caphist * 2 : 8;
        p->hist = enc_xrealloc(p->hist, p->caphist * sizeof *p->hist);
    }
    p->hist[p->nhist++] = e;
}

/* caps at `at` for channel ch over p's history without entries whose skip flag is set */
static bool caps_ok(ws *w, const enc_policy *pol, const enc_person *p, const uint8_t *skip, int ch,
                    int64_t at)
{
    if (p->nhist > w->cap) {
        w->cap = p->nhist * 2;
        w->ts = enc_xrealloc(w->ts, w->cap * sizeof *w->ts);
        w->ch = enc_xrealloc(w->ch, w->cap * sizeof *w->ch);
    }
    size_t n = 0;
    for (uint32_t i = 0; i < p->nhist; i++) {
        if (skip && skip[i]) continue;
        w->ts[n] = p->hist[i].at;
        w->ch[n++] = p->hist[i].channel;
    }
    return enc_policy_caps_ok(pol, w->ts, w->ch, n, ch, at);
}

bool enc_plan_allowed(const enc_policy *pol, const enc_person *p, int ch, int64_t at)
{
    if (enc_policy_is_quiet(pol, p->tz, at)) return false;
    ws w = {0};
    bool ok = caps_ok(&w, pol, p, NULL, ch, at);
    free(w.ts);
    free(w.ch);
    return ok;
}

/* The earliest instant after t at which a message of p's history leaves a window of a cap
 * that applies to channel ch: only then can a refused time become allowed. INT64_MAX when
 * none. */
static int64_t next_release(const enc_policy *pol, const enc_person *p, int ch, int64_t t)
{
    int64_t best = INT64_MAX;
    for (int c = 0; c < pol->ncaps; c++) {
        const enc_cap *cap = &pol->caps[c];
        if (cap->channel != ENC_CAP_ALL_CHANNELS && cap->channel != ch) continue;
        for (uint32_t i = 0; i < p->nhist; i++) {
            if (cap->channel != ENC_CAP_ALL_CHANNELS && p->hist[i].channel != cap->channel)
                continue;
            int64_t r = p->hist[i].at + cap->window;
            if (r > t && r < best) best = r;
        }
    }
    return best;
}

enum { SCHED_OK, SCHED_QUIET, SCHED_CAP };

typedef struct sched {
    int64_t at;
    uint8_t deferred;
    uint8_t *skip; /* entries that give way (NULL = none); owned by the caller */
    size_t nskip;
} sched;

/* Finds the send time of a message on ch due at `due` for p: out of quiet hours, within the
 * caps (displacing queued messages of lower priority than `prio` when allowed to), deferred
 * to the next allowed time when `defer`, and no later than due + within. */
static int schedule(ws *w, const enc_policy *pol, enc_person *p, int ch, int64_t due,
                    int64_t within, bool defer, int prio, bool may_displace, uint8_t *skipbuf,
                    sched *out)
{
    memset(out, 0, sizeof *out);
    int64_t limit = due + within;
    int64_t t = enc_policy_quiet_next(pol, p->tz, due);
    if (t > due) out->deferred |= 1;
    for (int iter = 0; iter < 256; iter++) {
        if (t > limit) return (out->deferred & 2) ? SCHED_CAP : SCHED_QUIET;
        if (caps_ok(w, pol, p, NULL, ch, t)) {
            out->at = t;
            return SCHED_OK;
        }
        if (may_displace) {
            /* a higher-priority campaign wins: try without the queued messages of lower ones,
             * then give way greedily (lowest priority first, then the latest) */
            size_t nd = 0;
            if (p->nhist > w->cap_order) {
                w->cap_order = p->nhist * 2;
                w->order = enc_xrealloc(w->order, w->cap_order * sizeof *w->order);
            }
            memset(skipbuf, 0, p->nhist);
            for (uint32_t i = 0; i < p->nhist; i++) {
                const enc_hist_entry *h = &p->hist[i];
                if (h->queued && h->id && h->priority < prio) {
                    w->order[nd++] = (int32_t)i;
                    skipbuf[i] = 1;
                }
            }
            if (nd && caps_ok(w, pol, p, skipbuf, ch, t)) {
                /* insertion sort: nd is small */
                for (size_t a = 1; a < nd; a++)
                    for (size_t b = a; b > 0; b--) {
                        const enc_hist_entry *x = &p->hist[w->order[b - 1]],
                                             *y = &p->hist[w->order[b]];
                        bool swap = x->priority > y->priority ||
                                    (x->priority == y->priority && x->at < y->at);
                        if (!swap) break;
                        int32_t tmp = w->order[b - 1];
                        w->order[b - 1] = w->order[b];
                        w->order[b] = tmp;
                    }
                memset(skipbuf, 0, p->nhist);
                size_t k = 0;
                while (k < nd && !caps_ok(w, pol, p, skipbuf, ch, t)) skipbuf[w->order[k++]] = 1;
                out->at = t;
                out->skip = skipbuf;
                out->nskip = k;
                return SCHED_OK;
            }
        }
        if (!defer) return SCHED_CAP;
        int64_t r = next_release(pol, p, ch, t);
        if (r == INT64_MAX) return SCHED_CAP;
        t = enc_policy_quiet_next(pol, p->tz, r);
        out->deferred |= 2;
    }
    return SCHED_CAP;
}

/* A message's deadline: send_within after its due time before "send_time": "optimal" moved it
 * (due0; 0 = not moved). */
static int64_t send_by(const enc_spec *sp, const enc_cand *c)
{
    return (c->due0 ? c->due0 : c->due) + sp->send_within;
}

static bool offer_has_coupon(const enc_spec_offer *f, int step)
{
    if (!f->present) return false;
    int64_t a =
        f->namount == 1 ? f->amount[0] : f->amount[step < f->namount ? step : f->namount - 1];
    return a > 0;
}

/* The coupon of variant v at step: a journey's step carries the offer only when it says so
 * (and its amount for the step is not 0). */
static bool cand_coupon(const enc_spec *sp, int v, int step)
{
    if (sp->journey.nsteps && !sp->journey.steps[step].offer) return false;
    return offer_has_coupon(&sp->variants[v].offer, step);
}

void enc_plan_decide(const enc_decide_in *in, enc_person *persons, enc_cand *cands, size_t n,
                     enc_decide_out *out)
{
    const enc_spec *sp = in->spec;
    const enc_policy *pol = in->policy;
    uint64_t key = enc_assign_key(sp->name);
    double shares[ENC_SPEC_MAX_VARIANTS];
    for (int v = 0; v < sp->nvariants; v++) shares[v] = sp->variants[v].share;
    int64_t left_msg = in->budget_messages, left_cpn = in->budget_coupons;
    ws w = {0};
    uint8_t *skip = NULL;
    size_t capskip = 0;

    for (size_t k = 0; k < n; k++) {
        enc_cand *c = &cands[k];
        enc_person *p = &persons[c->person];
        c->channel = -1;
        c->variant = -1;
        c->deferred = 0;
        c->send_at = 0;
        c->needs_coupon = false;
        /* 0. an earlier decision stands */
        if (c->prior == 1 || (c->prior == 2 && c->prior_channel >= 0 && c->prior_variant >= 0)) {
            if (c->prior == 1) {
                c->decision = ENC_DEC_HOLDOUT;
            } else {
                c->decision = ENC_DEC_MESSAGE;
                c->channel = c->prior_channel;
                c->variant = c->prior_variant;
                c->send_at = c->prior_at;
                c->needs_coupon = cand_coupon(sp, c->variant, c->step);
                out->variants[c->variant]++;
                out->channels[c->channel]++;
                if (c->needs_coupon) out->coupons++;
            }
            out->n[c->decision]++;
            continue;
        }
        /* 1. exit conditions */
        if (c->exited) {
            c->decision = ENC_DEC_EXITED;
            out->n[c->decision]++;
            continue;
        }
        /* 2. holdout */
        if (enc_assign_holdout(key, p->id, sp->holdout)) {
            c->decision = ENC_DEC_HOLDOUT;
            out->n[c->decision]++;
            continue;
        }
        /* 3. variant; an A/B test sends to its test share until the winner is known */
        int v;
        if (sp->ab && in->winner >= 0) {
            v = in->winner;
        } else if (sp->ab && enc_assign_unit(key, p->id, 3) >= sp->ab_test_share) {
            c->decision = ENC_DEC_AB_WAITING;
            out->n[c->decision]++;
            continue;
        } else {
            v = enc_assign_variant(key, p->id, shares, sp->nvariants);
        }
        /* 4. channels in order of preference */
        if (!skip || p->nhist > capskip) {
            capskip = p->nhist * 2 + 8;
            skip = enc_xrealloc(skip, capskip);
        }
        enc_decision reached = ENC_DEC_NO_CONSENT;
        int chosen = -1;
        sched got = {0};
        /* first pass: a channel that can take it without deferring for a cap; second pass
         * (campaigns that defer): the first channel in order at its next allowed time */
        for (int pass = 0; pass < (sp->on_cap_defer ? 2 : 1) && chosen < 0; pass++)
            /* a journey's step sends on its own channel */
            for (int i = 0; i < (sp->journey.nsteps ? 1 : sp->nchannels) && chosen < 0; i++) {
                int ch = sp->journey.nsteps ? sp->journey.steps[c->step].channel : sp->channels[i];
                enc_decision stage;
                if (!((p->consent >> ch) & 1)) stage = ENC_DEC_NO_CONSENT;
                else if (!((p->reachable >> ch) & 1)) stage = ENC_DEC_NO_ADDRESS;
                else if ((p->suppressed >> ch) & 1) stage = ENC_DEC_SUPPRESSED;
                else {
                    int r = schedule(&w, pol, p, ch, c->due, send_by(sp, c) - c->due, pass == 1,
                                     sp->priority, true, skip, &got);
                    if (r == SCHED_OK) {
                        chosen = ch;
                        break;
                    }
                    stage = r == SCHED_QUIET ? ENC_DEC_QUIET_HOURS : ENC_DEC_FREQUENCY_CAP;
                }
                if (stage > reached) reached = stage;
            }
        if (chosen < 0) {
            c->decision = (uint8_t)reached;
            out->n[c->decision]++;
            continue;
        }
        /* 5. budget */
        bool coupon = cand_coupon(sp, v, c->step);
        if (left_msg == 0 || (coupon && left_cpn == 0)) {
            c->decision = ENC_DEC_BUDGET;
            out->n[c->decision]++;
            continue;
        }
        if (left_msg > 0) left_msg--;
        if (coupon && left_cpn > 0) left_cpn--;
        c->decision = ENC_DEC_MESSAGE;
        c->channel = (int8_t)chosen;
        c->variant = (int8_t)v;
        c->send_at = got.at;
        c->deferred = got.deferred;
        c->needs_coupon = coupon;
        out->n[ENC_DEC_MESSAGE]++;
        out->variants[v]++;
        out->channels[chosen]++;
        if (coupon) out->coupons++;
        if (got.deferred & 1) out->deferred_quiet++;
        if (got.deferred & 2) out->deferred_cap++;

        /* the messages that gave way leave the history; this one joins it; then each of them
         * is moved to its next allowed time (when its campaign defers) or cancelled */
        enc_hist_entry moved[64];
        size_t nmoved = 0;
        if (got.skip && got.nskip) {
            uint32_t keep = 0;
            for (uint32_t i = 0; i < p->nhist; i++) {
                if (got.skip[i] && nmoved < 64) moved[nmoved++] = p->hist[i];
                else p->hist[keep++] = p->hist[i];
            }
            p->nhist = keep;
        }
        hist_push(p, (enc_hist_entry){got.at, 0, (uint8_t)chosen, (int8_t)sp->priority, 1,
                                      sp->on_cap_defer, send_by(sp, c)});
        for (size_t i = 0; i < nmoved; i++) {
            enc_hist_entry h = moved[i];
            int64_t to = 0;
            if (h.on_cap_defer) {
                if (p->nhist + 1 > capskip) {
                    capskip = p->nhist * 2 + 8;
                    skip = enc_xrealloc(skip, capskip);
                }
                sched s2;
                int64_t base = h.at > in->now ? h.at : in->now;
                /* it keeps its own deadline (send_within, its coupon's expiry); a message
                 * queued before deadlines were stored gets the default 7 days */
                int64_t within = h.deadline ? h.deadline - base : 7 * 86400;
                if (within >= 0 && schedule(&w, pol, p, h.channel, base, within, true, h.priority,
                                            false, skip, &s2) == SCHED_OK)
                    to = s2.at;
                else to = -1; /* no time left before its deadline: displaced_expired */
            }
            if (to > 0) {
                h.at = to;
                hist_push(p, h);
            }
            ENC_GROW(out->disp, out->capdisp, out->ndisp + 1);
            out->disp[out->ndisp++] = (enc_displace){c->person, h.id, moved[i].at, to};
        }
    }
    free(w.ts);
    free(w.ch);
    free(w.order);
    free(skip);
}

/* ==== the planner ============================================================================= */

struct enc_plan {
    const enc_spec *spec;
    enc_settings set;
    enc_plan_opts o;
    int64_t from;
    enc_snapshot *snap;
    enc_aud_env *env;
    enc_tz **zones; /* per zone dictionary id */
    enc_tz *dflt_tz;
    enc_tz **tz; /* per customer */
    enc_occ_list occ;
    enc_person *persons;
    int32_t *person_cust; /* snapshot index of each person */
    enc_contact *contacts;
    size_t npersons;
    enc_cand *cands;
    int32_t *cand_occ; /* occurrence index of each candidate */
    size_t ncands;
    enc_decide_out out;
    enc_items *items;
    enc_members members;
    int winner;
    enc_arena *render;          /* template values of the message being rendered */
    enc_buf part;               /* a rendered part before its links are rewritten */
    enc_buf partmask;           /* which bytes of part came from values (links.h: data_mask) */
    char shop_host[254];        /* the host of shop_url: the default link allow-list */
    const char *link_hosts[17]; /* the allow-list the link rewriter gets */
    size_t nlink_hosts;
    enc_token_key ukey; /* signs unsubscribe and tracking links as `encore serve` checks them */
    bool has_ukey;      /* false only for a store without a file and no ENCORE_SECRET */
    int64_t links_tracked, links_untracked; /* over the messages enc_plan_write rendered */
    /* a journey (spec->journey.nsteps): the states stored, the walk of this run (its
     * occurrences are p->occ) */
    enc_jstates jstates;
    enc_jrun jrun;
    enc_sendopt_stats sendopt; /* "send_time": "optimal" (branch sendtime) */
};

static void person_free_all(enc_plan *p)
{
    for (size_t i = 0; i < p->npersons; i++) free(p->persons[i].hist);
}

const struct enc_sendopt_stats *enc_plan_sendopt(const enc_plan *p)
{
    return p->spec->send_optimal ? &p->sendopt : NULL;
}

void enc_plan_free(enc_plan *p)
{
    if (!p) return;
    person_free_all(p);
    free(p->persons);
    free(p->person_cust);
    if (p->contacts) enc_store_contacts_free(p->contacts, p->npersons);
    free(p->contacts);
    free(p->cands);
    free(p->cand_occ);
    free(p->out.disp);
    enc_occ_list_free(&p->occ);
    enc_items_free(p->items);
    enc_members_free(&p->members);
    enc_jstates_free(&p->jstates);
    enc_jrun_free(&p->jrun);
    if (p->render) enc_arena_free(p->render);
    enc_buf_free(&p->part);
    enc_buf_free(&p->partmask);
    if (p->snap && p->zones)
        for (size_t z = 0; z < p->snap->zones.n; z++) enc_tz_free(p->zones[z]);
    free(p->zones);
    enc_tz_free(p->dflt_tz);
    free(p->tz);
    enc_aud_env_free(p->env);
    enc_snapshot_free(p->snap);
    free(p);
}

const enc_decide_out *enc_plan_counts(const enc_plan *p) { return &p->out; }
size_t enc_plan_size(const enc_plan *p) { return p->ncands; }
int64_t enc_plan_from(const enc_plan *p) { return p->from; }
void enc_plan_links(const enc_plan *p, int64_t *tracked, int64_t *untracked)
{
    *tracked = p->links_tracked;
    *untracked = p->links_untracked;
}

const enc_cand *enc_plan_cand(const enc_plan *p, size_t k, int64_t *customer,
                              const char **occurrence)
{
    const enc_occ *o = &p->occ.v[p->cand_occ[k]];
    if (customer) *customer = p->snap->cust_id[o->cust];
    if (occurrence) *occurrence = o->key;
    return &p->cands[k];
}

typedef struct cand_sort {
    const enc_plan *p;
} cand_sort;

static int cmp_cand(const void *a, const void *b, void *ctx)
{
    const enc_plan *p = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const enc_cand *cx = &p->cands[x], *cy = &p->cands[y];
    if (cx->due != cy->due) return cx->due < cy->due ? -1 : 1;
    int64_t ix = p->persons[cx->person].id, iy = p->persons[cy->person].id;
    if (ix != iy) return ix < iy ? -1 : 1;
    return strcmp(p->occ.v[p->cand_occ[x]].key, p->occ.v[p->cand_occ[y]].key);
}

static bool exited(const enc_snapshot *s, int32_t i, int64_t ref, unsigned exit)
{
    if ((exit & ENC_EXIT_BOUGHT) && s->ord_off[i + 1] > s->ord_off[i] &&
        s->ord_ts[s->ord_off[i + 1] - 1] > ref)
        return true;
    if ((exit & ENC_EXIT_COMPLAINED) && s->last_complaint[i] != ENC_NO_TIME &&
        s->last_complaint[i] > ref)
        return true;
    if (exit & ENC_EXIT_UNSUBSCRIBED)
        for (int64_t e = s->ev_off[i + 1] - 1; e >= s->ev_off[i] && s->ev_ts[e] > ref; e--)
            if (s->ev_type[e] == EV_UNSUBSCRIBE) return true;
    return false;
}

static bool suppressed(const enc_smap *m, const char *channel, const char *addr)
{
    if (!addr || !*addr) return false;
    char key[600];
    for (int pass = 0; pass < 2; pass++) {
        int n = snprintf(key, sizeof key, "%s\n%s", pass ? "*" : channel, addr);
        if (n < 0 || (size_t)n >= sizeof key) return false;
        for (int i = 0; i < n; i++)
            if (key[i] >= 'A' && key[i] <= 'Z') key[i] = (char)(key[i] + 32);
        if (enc_smap_get(m, key, (size_t)n)) return true;
    }
    return false;
}

/* The address of person k on channel ch into out (empty when none). */
static void address(const enc_plan *p, size_t k, int ch, char *out, size_t cap)
{
    const enc_contact *c = &p->contacts[k];
    int32_t i = p->person_cust[k];
    out[0] = 0;
    switch (ch) {
    case CH_EMAIL: snprintf(out, cap, "%s", c->email ? c->email : ""); break;
    case CH_SMS: snprintf(out, cap, "%s", c->phone ? c->phone : ""); break;
    /* WeChat needs the customer's OpenID, push a device token: without one, no address */
    case CH_WECHAT: snprintf(out, cap, "%s", c->wechat_openid ? c->wechat_openid : ""); break;
    case CH_PUSH: snprintf(out, cap, "%s", c->push_tokens ? c->push_tokens : ""); break;
    default:
        /* inapp: the customer's id (the inbox is read by the shop's id) */
        if (p->snap->cust_ext[i]) snprintf(out, cap, "%s", p->snap->cust_ext[i]);
        else snprintf(out, cap, "#%lld", (long long)p->snap->cust_id[i]);
    }
}

static int variant_index(const enc_spec *s, const char *name)
{
    for (int v = 0; name && v < s->nvariants; v++)
        if (strcmp(s->variants[v].name, name) == 0) return v;
    return -1;
}

/* What of the store the plan reads: customers, products, every order with its lines (the
 * messages' items, top category and days since the last order), consent; events only for a
 * cart or behaviour trigger or an unsubscribe exit, feedback only for a complaint exit, line
 * quantities only for replenishment, everything for the recommendation engine's items; and
 * whatever the audience reads. */
static enc_rc plan_needs(enc_store *st, const enc_spec *spec, int64_t now, enc_snapshot_opts *need,
                         enc_err *err)
{
    *need = (enc_snapshot_opts){ENC_SNAP_CUSTOMERS | ENC_SNAP_PRODUCTS | ENC_SNAP_LINES |
                                    ENC_SNAP_CONSENTS,
                                INT64_MIN, INT64_MIN};
    const enc_spec_trigger *t = &spec->trigger;
    if ((t->kind == ENC_TRIG_EVENT &&
         (t->event == ENC_EVT_CART_ABANDONED || t->event == ENC_EVT_BEHAVIOUR)) ||
        (spec->exit & ENC_EXIT_UNSUBSCRIBED))
        need->parts |= ENC_SNAP_EVENTS;
    if (spec->exit & ENC_EXIT_COMPLAINED) need->parts |= ENC_SNAP_FEEDBACK;
    if (spec->journey.nsteps) need->parts |= ENC_SNAP_EVENTS; /* branches on unsubscribes */
    if (t->kind == ENC_TRIG_PREDICTED && t->pred == ENC_PRED_REPLENISHMENT)
        need->parts |= ENC_SNAP_DETAILS;
    if (spec->items_from == ENC_ITEMS_RECOMMENDED) need->parts = ENC_SNAP_ALL;
    if (!spec->audience) return ENC_OK;
    enc_snapshot_opts aud;
    enc_aud_pos where = {0, 0};
    enc_rc rc = enc_aud_needs(st, spec->audience, strlen(spec->audience), now, &aud, &where, err);
    if (rc) {
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "audience: %.1000s", err->msg);
        return enc_fail(err, rc, "%s", m);
    }
    enc_snapshot_opts_merge(need, &aud);
    return ENC_OK;
}

/* A journey: the trigger's occurrences are entries; the walk (journey.h) turns them and the
 * journeys under way into the step messages due now, which replace them in p->occ. */
static enc_rc journey_occurrences(enc_plan *p, enc_store *st, enc_err *err)
{
    enc_occ_list entries = p->occ;
    memset(&p->occ, 0, sizeof p->occ);
    enc_smap *opens = NULL, *clicks = NULL;
    enc_rc rc;
    if (!(rc = enc_members_load(st, p->spec->name, &p->members, err)) &&
        !(rc = enc_jstates_load(st, p->spec->name, &p->jstates, err)) &&
        !(rc = enc_journey_signals(st, p->spec->name, &opens, &clicks, err))) {
        enc_journey_in in = {p->spec, p->snap, &p->members, &p->jstates, opens, clicks, p->o.now};
        rc = enc_journey_walk(&in, &entries, &p->occ, &p->jrun, err);
    }
    if (opens) enc_smap_free(opens);
    if (clicks) enc_smap_free(clicks);
    enc_occ_list_free(&entries);
    return rc;
}

enc_rc enc_plan_build(enc_store *st, const enc_spec *spec, const enc_settings *set,
                      const enc_plan_opts *o, enc_plan **out, enc_err *err)
{
    *out = NULL;
    enc_plan *p = enc_xcalloc(1, sizeof *p);
    p->spec = spec;
    p->set = *set;
    p->o = *o;
    int64_t now = o->now;
    if (!p->o.started_at) p->o.started_at = now;
    p->from = o->from ? o->from : now - spec->trigger.catch_up;
    p->winner = variant_index(spec, o->winner);
    /* the link allow-list: the policy's link_hosts, else the host of shop_url */
    for (int h = 0; h < set->nlink_hosts; h++) p->link_hosts[p->nlink_hosts++] = set->link_hosts[h];
    if (!p->nlink_hosts) {
        const char *u = set->shop_url, *hs = strstr(u, "://");
        if (hs) {
            hs += 3;
            size_t hl = strcspn(hs, "/?#:@");
            if (hl && hl < sizeof p->shop_host && !strchr(hs, '@')) {
                memcpy(p->shop_host, hs, hl);
                p->shop_host[hl] = 0;
                p->link_hosts[p->nlink_hosts++] = p->shop_host;
            }
        }
    }
    /* the tracking server's key, found as `encore serve` finds it ($ENCORE_SECRET, else the file
     * DB.secret beside the store, created when absent) */
    const char *dbfile = enc_store_path(st);
    const char *env_secret = getenv("ENCORE_SECRET");
    if ((dbfile && *dbfile) || (env_secret && *env_secret)) {
        enc_err ke = {0};
        if (enc_token_key_load(NULL, env_secret, dbfile, &p->ukey, NULL, 0, &ke)) {
            enc_plan_free(p);
            return enc_fail(err, ke.rc ? ke.rc : ENC_EFAIL, "unsubscribe links: %s", ke.msg);
        }
        p->has_ukey = true;
    }
    if (set->track_base_url[0] && !p->has_ukey) {
        enc_plan_free(p);
        return enc_fail(err, ENC_EUSAGE,
                        "tracking links: the policy gives track_base_url but there is no secret to"
                        " sign them (a store in memory: set ENCORE_SECRET)");
    }
    enc_rc rc;
    enc_smap *supp = NULL;
    enc_history hist = {0};
    uint64_t *aud_words = NULL;

    enc_snapshot_opts need;
    if ((rc = plan_needs(st, spec, now, &need, err))) goto fail;
    if ((rc = enc_snapshot_load_opts(st, now, &need, &p->snap, err))) goto fail;
    const enc_snapshot *s = p->snap;
    if ((rc = enc_aud_env_new(s, st, now, &p->env, err))) goto fail;

    /* audience */
    enc_aud_set aud = {0};
    if (spec->audience) {
        enc_aud_pos where = {0, 0};
        if ((rc = enc_aud_select(p->env, spec->audience, strlen(spec->audience), &aud, &where,
                                 err))) {
            char m[sizeof err->msg];
            snprintf(m, sizeof m, "audience: %.1000s", err->msg);
            rc = enc_fail(err, rc, "%s", m);
            goto fail;
        }
        aud_words = aud.w;
    }
    if (spec->uplift_share > 0 &&
        (rc = enc_uptarget_apply(st, spec->uplift_from, spec->uplift_share, s, &aud_words, err)))
        goto fail;

    /* time zones */
    if ((rc = enc_tz_load(set->default_tz, &p->dflt_tz, err))) goto fail;
    p->zones = enc_xcalloc(s->zones.n + 1, sizeof *p->zones);
    for (size_t z = 0; z < s->zones.n; z++) {
        enc_err e2 = {0};
        if (enc_tz_load(s->zones.names[z], &p->zones[z], &e2)) p->zones[z] = NULL;
    }
    p->tz = enc_xcalloc(s->ncust + 1, sizeof *p->tz);
    for (size_t i = 0; i < s->ncust; i++) {
        int32_t z = s->tz[i];
        p->tz[i] = z >= 0 && p->zones[z] ? p->zones[z] : p->dflt_tz;
    }

    /* occurrences */
    enc_trig_ctx tc = {s, p->tz, NULL, aud_words, 0, p->o.started_at};
    tc.once_at = spec->trigger.at ? spec->trigger.at : p->o.started_at;
    if (o->rollout) {
        tc.once_at = now;
        if (p->from >= now) p->from = now - 1;
    }
    if (spec->trigger.kind == ENC_TRIG_PREDICTED && spec->trigger.pred == ENC_PRED_NEXT_ORDER) {
        enc_aud_col col;
        if ((rc = enc_aud_env_column(p->env, AUD_F_NEXT_ORDER_DATE, &col, err))) goto fail;
        tc.next_order = col.num;
    }
    rc = enc_trigger_select(&spec->trigger, &tc, p->from, now, &p->occ, err);
    aud.w = aud_words;
    enc_aud_set_free(&aud);
    aud_words = NULL;
    if (rc) goto fail;
    if (spec->journey.nsteps && (rc = journey_occurrences(p, st, err))) goto fail;

    /* persons: the distinct customers of the occurrences (in ascending id) */
    p->persons = enc_xcalloc(p->occ.n + 1, sizeof *p->persons);
    p->person_cust = enc_xcalloc(p->occ.n + 1, sizeof *p->person_cust);
    int32_t *occ_person = enc_xmalloc((p->occ.n + 1) * sizeof *occ_person);
    int64_t *ids = enc_xmalloc((p->occ.n + 1) * sizeof *ids);
    for (size_t k = 0; k < p->occ.n; k++) {
        int32_t c = p->occ.v[k].cust;
        if (!p->npersons || p->person_cust[p->npersons - 1] != c) {
            p->person_cust[p->npersons] = c;
            ids[p->npersons] = s->cust_id[c];
            p->npersons++;
        }
        occ_person[k] = (int32_t)p->npersons - 1;
    }
    p->contacts = enc_xcalloc(p->npersons + 1, sizeof *p->contacts);
    rc = enc_store_contacts(st, ids, p->npersons, p->contacts, err);
    /* another purpose than marketing (the snapshot's): its own consent (store/privacy.h) */
    uint8_t *pbits = NULL;
    if (!rc && spec->purpose && strcmp(spec->purpose, "marketing") != 0) {
        const char *chn[CH_NCHANNELS];
        for (int ch = 0; ch < CH_NCHANNELS; ch++) chn[ch] = enc_channel_name((enc_channel)ch);
        pbits = enc_xmalloc(p->npersons + 1);
        rc = enc_store_consent_bits(st, spec->purpose, now, ids, p->npersons, chn, CH_NCHANNELS,
                                    pbits, err);
    }
    free(ids);
    if (rc) {
        free(occ_person);
        free(pbits);
        goto fail;
    }
    if ((rc = enc_suppressions_load(st, &supp, err))) {
        free(occ_person);
        free(pbits);
        goto fail;
    }
    for (size_t k = 0; k < p->npersons; k++) {
        enc_person *q = &p->persons[k];
        int32_t i = p->person_cust[k];
        q->id = s->cust_id[i];
        q->tz = p->tz[i];
        q->consent = pbits ? pbits[k] : s->consent[i];
        char a[1024];
        for (int ch = 0; ch < CH_NCHANNELS; ch++) {
            address(p, k, ch, a, sizeof a);
            if (a[0]) q->reachable |= (uint8_t)(1u << ch);
            if (suppressed(supp, enc_channel_name((enc_channel)ch), a))
                q->suppressed |= (uint8_t)(1u << ch);
        }
    }
    free(pbits);

    /* message history of every campaign, from the earliest window that can matter */
    int64_t maxw = 0;
    for (int c = 0; c < set->policy.ncaps; c++)
        if (set->policy.caps[c].window > maxw) maxw = set->policy.caps[c].window;
    if ((rc = enc_history_load(st, p->from - maxw, &hist, err))) {
        free(occ_person);
        goto fail;
    }
    for (size_t h = 0, k = 0; h < hist.n; h++) {
        while (k < p->npersons && p->persons[k].id < hist.customer[h]) k++;
        if (k == p->npersons) break;
        if (p->persons[k].id != hist.customer[h]) continue;
        hist_push(&p->persons[k],
                  (enc_hist_entry){hist.at[h], hist.id[h], hist.channel[h], hist.priority[h],
                                   hist.queued[h], hist.on_cap_defer[h], hist.deadline[h]});
    }
    enc_history_free(&hist);

    /* earlier decisions and the budget spent */
    if (!p->members.index && (rc = enc_members_load(st, spec->name, &p->members, err))) {
        free(occ_person);
        goto fail;
    }
    int64_t used_msg = 0, used_cpn = 0, redeemed;
    for (size_t m = 0; m < p->members.n; m++) used_msg += p->members.v[m].message_key != NULL;
    if ((rc = enc_coupon_counts(st, spec->name, &used_cpn, &redeemed, err))) {
        free(occ_person);
        goto fail;
    }

    /* candidates */
    p->ncands = p->occ.n;
    p->cands = enc_xcalloc(p->ncands + 1, sizeof *p->cands);
    p->cand_occ = enc_xmalloc((p->ncands + 1) * sizeof *p->cand_occ);
    for (size_t k = 0; k < p->occ.n; k++) {
        const enc_occ *oc = &p->occ.v[k];
        enc_cand *c = &p->cands[k];
        p->cand_occ[k] = (int32_t)k;
        c->person = occ_person[k];
        c->step = oc->step;
        c->due = oc->due > now ? oc->due : now; /* what fell due before this run goes now */
        c->due0 = c->due;
        c->exited = spec->exit && exited(s, oc->cust, oc->ref, spec->exit);
        const enc_member *m = enc_members_find(&p->members, s->cust_id[oc->cust], oc->key);
        c->prior_channel = c->prior_variant = -1;
        if (m) {
            c->prior = m->holdout ? 1 : 2;
            c->prior_channel = (int8_t)(m->channel ? enc_channel_parse(m->channel) : -1);
            c->prior_variant = (int8_t)variant_index(spec, m->variant);
            c->prior_at = m->at;
        }
    }
    free(occ_person);
    if (spec->send_optimal) {
        enc_sendtime_model m;
        if ((rc = enc_sendopt_fit(st, now, &m, err))) {
            enc_sendtime_model_free(&m);
            goto fail;
        }
        const enc_policy *qpol = spec->transactional ? NULL : &set->policy;
        for (size_t k = 0; k < p->ncands; k++) {
            enc_cand *c = &p->cands[k];
            const enc_person *q = &p->persons[c->person];
            c->due =
                enc_sendopt_time(&m, qpol, q->id, q->tz, c->due, spec->send_within, &p->sendopt);
        }
        enc_sendtime_model_free(&m);
    }
    /* decide in due order, then customer */
    size_t *order = enc_xmalloc((p->ncands + 1) * sizeof *order);
    for (size_t k = 0; k < p->ncands; k++) order[k] = k;
    qsort_r(order, p->ncands, sizeof *order, cmp_cand, p);
    enc_cand *sorted = enc_xmalloc((p->ncands + 1) * sizeof *sorted);
    int32_t *sorted_occ = enc_xmalloc((p->ncands + 1) * sizeof *sorted_occ);
    for (size_t k = 0; k < p->ncands; k++) {
        sorted[k] = p->cands[order[k]];
        sorted_occ[k] = p->cand_occ[order[k]];
    }
    free(order);
    free(p->cands);
    free(p->cand_occ);
    p->cands = sorted;
    p->cand_occ = sorted_occ;

    enc_decide_in in = {spec,
                        &set->policy,
                        now,
                        p->winner,
                        spec->budget_messages < 0          ? -1
                        : spec->budget_messages > used_msg ? spec->budget_messages - used_msg
                                                           : 0,
                        spec->budget_coupons < 0          ? -1
                        : spec->budget_coupons > used_cpn ? spec->budget_coupons - used_cpn
                                                          : 0};
    enc_plan_decide(&in, p->persons, p->cands, p->ncands, &p->out);

    if (spec->items_from != ENC_ITEMS_NONE &&
        (rc = enc_items_new(s, st, spec->items_from, spec->items_kind, now, &p->items, err)))
        goto fail;
    enc_smap_free(supp);
    *out = p;
    return ENC_OK;
fail:
    if (aud_words) free(aud_words);
    if (supp) enc_smap_free(supp);
    enc_plan_free(p);
    return rc ? rc : ENC_EFAIL;
}

/* ==== rendering =============================================================================== */

static void fmt_money(char *out, size_t cap, int64_t minor)
{
    enc_money_format(out, cap, minor, 2);
}

static void fmt_day(char *out, size_t cap, int64_t day)
{
    int y, m, d;
    enc_civil_from_days(day, &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
}

/* The unsubscribe link: a token of the tracking server (src/campaign/token.h) naming the customer
 * and the channel, signed with the secret `encore serve` uses, so that following the link
 * revokes the customer's marketing consent for the channel. The policy's unsubscribe_url either
 * holds "{token}" (replaced) or is the server's base URL (the link is BASE/u/TOKEN). The token
 * carries the message's outbox id (reserved before the insert; 0 only in a plan's sample),
 * the same token as the List-Unsubscribe header's, so following it suppresses the address and
 * counts as an unsubscribe of this message's campaign and variant. */
static void unsubscribe_url(const enc_plan *p, int64_t cust, int64_t message_id,
                            const char *channel, char *out, size_t cap)
{
    const char *base = p->set.unsubscribe_url, *ph = strstr(base, "{token}");
    char tok[ENC_TOKEN_BUF] = "";
    enc_token t = {.kind = ENC_TOKEN_UNSUB,
                   .customer_id = cust,
                   .message_id = message_id > 0 ? message_id : 0};
    snprintf(t.channel, sizeof t.channel, "%s", channel);
    if (enc_token_campaign_ok(p->spec->name, strlen(p->spec->name)))
        snprintf(t.campaign, sizeof t.campaign, "%s", p->spec->name);
    enc_err e = {0};
    if (!p->has_ukey || enc_token_make(&p->ukey, &t, tok, &e)) {
        snprintf(out, cap, "%s", base); /* no key: the page itself, without a token */
        return;
    }
    if (ph) {
        snprintf(out, cap, "%.*s%s%s", (int)(ph - base), base, tok, ph + 7);
    } else {
        size_t n = strlen(base);
        snprintf(out, cap, "%.*s/u/%s", (int)(n && base[n - 1] == '/' ? n - 1 : n), base, tok);
    }
}

/* Renders template t into out; with tracking (l not NULL), through the link rewriter: HTML
 * (html) with `flags`, else text. */
static void render_part(enc_plan *p, const enc_tpl *t, const enc_tval *d, bool html, enc_links *l,
                        unsigned flags, enc_buf *out)
{
    if (!l || !flags) {
        enc_tpl_render(t, d, html ? ENC_ESC_HTML : ENC_ESC_NONE, out);
        return;
    }
    enc_buf_reset(&p->part);
    enc_buf_reset(&p->partmask);
    enc_tpl_render_marked(t, d, html ? ENC_ESC_HTML : ENC_ESC_NONE, &p->part, &p->partmask);
    /* only links written in the template, to allowed hosts, are signed (issue 12) */
    l->data_mask = (const uint8_t *)p->partmask.p;
    l->hosts = p->link_hosts;
    l->nhosts = p->nlink_hosts;
    if (html) enc_links_html(l, p->part.p ? p->part.p : "", p->part.len, flags, out);
    else enc_links_text(l, p->part.p ? p->part.p : "", p->part.len, out);
    l->data_mask = NULL;
}

/* the loyalty values (issue 15, docs/loyalty.md): member.tier, member.points,
 * member.expiring_points (within 30 days), member.next_tier_gap; from the same columns the
 * segment language reads, so a message says what its audience was chosen on */
static void member_values(enc_plan *p, int32_t i, enc_arena *a, enc_tval *d)
{
    static const struct {
        int f;
        const char *name;
    } vals[] = {{AUD_F_POINTS_BALANCE, "member.points"},
                {AUD_F_POINTS_EXPIRING_30D, "member.expiring_points"},
                {AUD_F_NEXT_TIER_GAP, "member.next_tier_gap"}};
    const enc_snapshot *s = p->snap;
    if (s->tier && s->tier[i] >= 0) enc_tval_set(a, d, "member.tier", s->tiers.names[s->tier[i]]);
    for (size_t k = 0; p->env && k < sizeof vals / sizeof *vals; k++) {
        enc_aud_col c;
        enc_err err = {0};
        char buf[32];
        if (enc_aud_env_column(p->env, vals[k].f, &c, &err) || !c.num || isnan(c.num[i])) continue;
        snprintf(buf, sizeof buf, "%.0f", c.num[i]);
        enc_tval_set(a, d, vals[k].name, buf);
    }
}

void enc_plan_render(enc_plan *p, size_t k, const char *coupon, int64_t coupon_expires,
                     int64_t message_id, enc_rendered *r)
{
    const enc_cand *c = &p->cands[k];
    const enc_occ *o = &p->occ.v[p->cand_occ[k]];
    const enc_snapshot *s = p->snap;
    const enc_spec *sp = p->spec;
    int32_t i = o->cust;
    size_t pk = (size_t)c->person;
    const enc_contact *ct = &p->contacts[pk];
    const enc_spec_variant *var = &sp->variants[c->variant];
    int ch = c->channel;
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s|%lld|%s|%s", sp->name, (long long)s->cust_id[i],
             enc_channel_name((enc_channel)ch), o->key);
    address(p, pk, ch, r->address, sizeof r->address);

    /* the values live in the plan's arena, emptied after each message */
    if (!p->render) p->render = enc_arena_new(16 * 1024);
    enc_arena *a = p->render;
    enc_tval *d = enc_tval_record(a);
    char buf[512];
    if (s->cust_ext[i]) enc_tval_set(a, d, "customer.id", s->cust_ext[i]);
    if (ct->name) {
        enc_tval_set(a, d, "customer.name", ct->name);
        size_t n = strcspn(ct->name, " ");
        snprintf(buf, sizeof buf, "%.*s", (int)(n < 200 ? n : 200), ct->name);
        enc_tval_set(a, d, "customer.first_name", buf);
    }
    if (ct->email) enc_tval_set(a, d, "customer.email", ct->email);
    if (ct->phone) enc_tval_set(a, d, "customer.phone", ct->phone);
    if (s->city[i] >= 0) enc_tval_set(a, d, "customer.city", s->cities.names[s->city[i]]);
    if (s->region[i] >= 0) enc_tval_set(a, d, "customer.region", s->regions.names[s->region[i]]);
    if (s->tier[i] >= 0) enc_tval_set(a, d, "customer.tier", s->tiers.names[s->tier[i]]);
    snprintf(buf, sizeof buf, "%lld", (long long)s->points[i]);
    enc_tval_set(a, d, "customer.points", buf);
    member_values(p, i, a, d);
    const enc_spec_offer *f = &var->offer;
    if (c->needs_coupon) {
        int64_t amt = f->namount == 1 ? f->amount[0]
                                      : f->amount[c->step < f->namount ? c->step : f->namount - 1];
        enc_tval_set(a, d, "coupon.code", coupon ? coupon : "");
        enc_tval_set(a, d, "coupon.kind", f->percent ? "percent" : "value");
        if (f->percent) snprintf(buf, sizeof buf, "%lld%%", (long long)amt);
        else fmt_money(buf, sizeof buf, amt);
        enc_tval_set(a, d, "coupon.value", buf);
        if (f->min_spend) {
            fmt_money(buf, sizeof buf, f->min_spend);
            enc_tval_set(a, d, "coupon.min_spend", buf);
        }
        int64_t exp = coupon_expires     ? coupon_expires
                      : f->expires_at    ? f->expires_at
                      : f->expires_after ? c->send_at + f->expires_after
                                         : 0;
        if (exp) {
            enc_fmt_date(buf, sizeof buf, exp);
            enc_tval_set(a, d, "coupon.expires", buf);
        }
    }
    int32_t top = enc_items_top_category(s, i);
    if (top >= 0) enc_tval_set(a, d, "top_category", s->tops.names[top]);
    int32_t picked[20];
    size_t npicked = 0;
    if (p->items)
        npicked = enc_items_pick(p->items, i, p->occ.prod + o->prod_off, (size_t)o->nprod,
                                 sp->items_max, picked);
    enc_tval *list = enc_tval_list(a, d, "items");
    for (size_t x = 0; x < npicked; x++) {
        int32_t q = picked[x];
        enc_tval *it = enc_tval_push(a, list);
        if (s->prod_name[q]) enc_tval_set(a, it, "name", s->prod_name[q]);
        if (s->prod_sku[q]) enc_tval_set(a, it, "sku", s->prod_sku[q]);
        if (s->prod_price[q] >= 0) {
            fmt_money(buf, sizeof buf, s->prod_price[q]);
            enc_tval_set(a, it, "price", buf);
        }
        if (s->prod_cat[q] >= 0) enc_tval_set(a, it, "category", s->cats.names[s->prod_cat[q]]);
        if (s->prod_brand[q] >= 0) enc_tval_set(a, it, "brand", s->brands.names[s->prod_brand[q]]);
        char why[256];
        enc_items_reason(p->items, x, why, sizeof why);
        if (why[0]) enc_tval_set(a, it, "reason", why);
    }
    char url[600 + ENC_TOKEN_BUF];
    unsubscribe_url(p, s->cust_id[i], message_id, enc_channel_name((enc_channel)ch), url,
                    sizeof url);
    enc_tval_set(a, d, "unsubscribe_url", url);
    enc_tval_set(a, d, "campaign.name", sp->name);
    enc_tval_set(a, d, "variant", var->name);
    snprintf(buf, sizeof buf, "%d", c->step + 1);
    enc_tval_set(a, d, "step", buf);
    fmt_day(buf, sizeof buf, o->date);
    enc_tval_set(a, d, "occurrence.date", buf);
    if (sp->trigger.kind == ENC_TRIG_DATE && sp->trigger.date == ENC_DATE_HOLIDAY)
        enc_tval_set(a, d, "holiday", sp->trigger.holidays[o->info].name);
    if (sp->trigger.kind == ENC_TRIG_DATE && sp->trigger.date == ENC_DATE_ANNIVERSARY) {
        snprintf(buf, sizeof buf, "%d", o->info);
        enc_tval_set(a, d, "years", buf);
    }
    if (s->ord_off[i + 1] > s->ord_off[i]) {
        int64_t last = s->ord_ts[s->ord_off[i + 1] - 1];
        int64_t days = (c->send_at - last) / 86400;
        snprintf(buf, sizeof buf, "%lld", (long long)(days > 0 ? days : 0));
        enc_tval_set(a, d, "days_since_order", buf);
    }
    enc_tval_set(a, d, "shop.name", p->set.shop_name);
    enc_tval_set(a, d, "shop.url", p->set.shop_url);

    /* Tracking (links.h): the bodies' links become click links of the tracking server and an
     * HTML email gets the open pixel, each token naming this message's outbox id. The id is
     * reserved before the insert (enc_outbox_next_id, in enc_plan_write's transaction), so the
     * outbox holds the message exactly as it is sent and every channel (SMTP, webhook, file,
     * inbox) carries the same links; minting at dispatch instead would have the delivery stage
     * read the campaign's policy and rewrite bodies per adapter. Subjects and titles are not
     * links. */
    enc_links lk = {0}, *l = NULL;
    unsigned clicks = sp->track_links ? ENC_LINKS_CLICKS : 0;
    if (p->set.track_base_url[0] && p->has_ukey && (sp->track_links || sp->track_opens)) {
        l = &lk;
        lk.key = &p->ukey;
        lk.base = p->set.track_base_url;
        lk.skip = url;
        lk.tok.message_id = message_id > 0 ? message_id : 0;
        lk.tok.customer_id = s->cust_id[i];
        snprintf(lk.tok.channel, sizeof lk.tok.channel, "%s", enc_channel_name((enc_channel)ch));
        if (enc_token_campaign_ok(sp->name, strlen(sp->name)))
            snprintf(lk.tok.campaign, sizeof lk.tok.campaign, "%s", sp->name);
    }
    const enc_spec_content *cc =
        sp->journey.nsteps ? &sp->journey.steps[c->step].content[ch] : &var->content[ch];
    if (ch == CH_EMAIL) {
        enc_tpl_render(cc->tpl[ENC_PART_SUBJECT], d, ENC_ESC_NONE, &r->subject);
        if (cc->tpl[ENC_PART_TEXT])
            render_part(p, cc->tpl[ENC_PART_TEXT], d, false, l, clicks, &r->text);
        if (cc->tpl[ENC_PART_HTML])
            render_part(p, cc->tpl[ENC_PART_HTML], d, true, l,
                        clicks | (sp->track_opens ? ENC_LINKS_OPEN : 0), &r->html);
    } else {
        if (cc->tpl[ENC_PART_TITLE])
            enc_tpl_render(cc->tpl[ENC_PART_TITLE], d, ENC_ESC_NONE, &r->subject);
        if (ch == CH_SMS && p->set.sms_signature[0] && cc->tpl[ENC_PART_TEXT])
            enc_buf_adds(&r->text, p->set.sms_signature); /* 【店铺名】 first */
        if (cc->tpl[ENC_PART_TEXT])
            render_part(p, cc->tpl[ENC_PART_TEXT], d, false, l, clicks, &r->text);
    }
    r->links_tracked = lk.tracked;
    r->links_untracked = lk.untracked;
    enc_jw w;
    enc_jw_init(&w, &r->payload);
    enc_jw_obj(&w);
    enc_jw_kstr(&w, "occurrence", o->key);
    enc_jw_kint(&w, "step", c->step + 1);
    if (sp->journey.nsteps) enc_jw_kstr(&w, "journey_step", sp->journey.steps[c->step].name);
    if (c->needs_coupon) enc_jw_kstr(&w, "coupon", coupon);
    /* the provider fields of push and WeChat content, rendered per customer (the webhook
     * shapes put them where each provider's API wants them: docs/delivery.md) */
    enc_buf part = {0};
#define PART(P)                                                                                    \
    (enc_buf_reset(&part), enc_tpl_render(cc->tpl[P], d, ENC_ESC_NONE, &part), part.p ? part.p : "")
    if (ch == CH_PUSH && cc->tpl[ENC_PART_LINK]) enc_jw_kstr(&w, "link", PART(ENC_PART_LINK));
    if (ch == CH_PUSH && cc->tpl[ENC_PART_BADGE]) {
        const char *b = PART(ENC_PART_BADGE);
        char *end;
        long n = strtol(b, &end, 10);
        if (end != b && *end == 0 && n >= 0 && n <= 99999) enc_jw_kint(&w, "badge", n);
    }
    if (ch == CH_WECHAT) {
        if (cc->tpl[ENC_PART_TEMPLATE_ID])
            enc_jw_kstr(&w, "template_id", PART(ENC_PART_TEMPLATE_ID));
        if (cc->tpl[ENC_PART_URL]) enc_jw_kstr(&w, "url", PART(ENC_PART_URL));
        if (cc->tpl[ENC_PART_MP_APPID]) {
            enc_jw_key(&w, "miniprogram");
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "appid", PART(ENC_PART_MP_APPID));
            if (cc->tpl[ENC_PART_MP_PAGEPATH])
                enc_jw_kstr(&w, "pagepath", PART(ENC_PART_MP_PAGEPATH));
            enc_jw_end(&w);
        }
        if (cc->tpl[ENC_PART_DATA0]) {
            enc_jw_key(&w, "data");
            enc_jw_obj(&w);
            for (int x = 0; x < ENC_SPEC_MAX_DATA && cc->tpl[ENC_PART_DATA0 + x]; x++) {
                enc_jw_key(&w, cc->data_key[x]);
                enc_jw_obj(&w);
                enc_jw_kstr(&w, "value", PART(ENC_PART_DATA0 + x));
                enc_jw_end(&w);
            }
            enc_jw_end(&w);
        }
    }
#undef PART
    enc_buf_free(&part);
    enc_jw_key(&w, "items");
    enc_jw_arr(&w);
    for (size_t x = 0; x < npicked; x++) enc_jw_str(&w, s->prod_sku[picked[x]]);
    enc_jw_end(&w);
    enc_jw_end(&w);
    enc_arena_reset(a);
}

static void rendered_free(enc_rendered *r)
{
    enc_buf_free(&r->subject);
    enc_buf_free(&r->text);
    enc_buf_free(&r->html);
    enc_buf_free(&r->payload);
}

/* ==== writing ================================================================================= */

static int64_t coupon_amount(const enc_spec_offer *f, int step)
{
    return f->namount == 1 ? f->amount[0] : f->amount[step < f->namount ? step : f->namount - 1];
}

/* A journey walk's status to store once the planner decided its step's message. */
static const char *journey_status(enc_decision decision)
{
    switch (decision) {
    case ENC_DEC_MESSAGE: return "active";
    case ENC_DEC_HOLDOUT: return "holdout";
    case ENC_DEC_EXITED: return "exited";
    case ENC_DEC_AB_WAITING: return "active";
    default: return "stopped";
    }
}

/* The journey states of this run, after its step messages were written: a step sent waits
 * for its window, an exit, the holdout or an exclusion ends the journey (the reason joins the
 * path). One transaction. */
static enc_rc journey_write(enc_plan *p, enc_store *st, enc_err *err)
{
    int32_t *cand_of = enc_xmalloc((p->occ.n + 1) * sizeof *cand_of);
    for (size_t k = 0; k < p->occ.n; k++) cand_of[k] = -1;
    for (size_t k = 0; k < p->ncands; k++) cand_of[p->cand_occ[k]] = (int32_t)k;
    enc_rc rc = enc_store_begin(st, err);
    for (size_t k = 0; k < p->jrun.n && !rc; k++) {
        enc_jstate s = p->jrun.v[k].st;
        char path[2200];
        int32_t ci = p->jrun.v[k].occ >= 0 ? cand_of[p->jrun.v[k].occ] : -1;
        if (ci >= 0) {
            const enc_cand *c = &p->cands[ci];
            s.status = journey_status(c->decision);
            if (c->decision == ENC_DEC_MESSAGE) {
                s.status = "waiting";
                s.step_due = c->send_at;
            } else if (c->decision != ENC_DEC_HOLDOUT && c->decision != ENC_DEC_AB_WAITING) {
                snprintf(path, sizeof path, "%s>(%s)", s.path,
                         enc_decision_name((enc_decision)c->decision));
                s.path = path;
            }
        }
        rc = enc_jstate_put(st, p->spec->name, &s, p->o.now, err);
    }
    free(cand_of);
    if (rc) {
        enc_store_rollback(st);
        return rc;
    }
    return enc_store_commit(st, err);
}

enc_rc enc_plan_write(enc_plan *p, enc_store *st, size_t batch, int64_t *added, int64_t *coupons,
                      enc_err *err)
{
    *added = 0;
    if (coupons) *coupons = 0;
    if (batch == 0) batch = 1000;
    const enc_spec *sp = p->spec;
    enc_outbox *ob;
    if (enc_outbox_open(st, &ob, err)) return err->rc;
    enc_camp_writer *cw = enc_camp_writer_new(st);
    enc_rendered *r = enc_xcalloc(batch, sizeof *r);
    enc_msg_rec *recs = enc_xcalloc(batch, sizeof *recs);
    enc_rc rc = ENC_OK;
    bool disp_done = false;
    for (size_t b0 = 0; b0 < p->ncands && !rc; b0 += batch) {
        size_t b1 = b0 + batch < p->ncands ? b0 + batch : p->ncands;
        if ((rc = enc_store_begin(st, err))) break;
        size_t nr = 0;
        int64_t next_id; /* reserved in this transaction: tracking links name the message */
        if ((rc = enc_outbox_next_id(ob, &next_id, err))) {
            enc_store_rollback(st);
            break;
        }
        if (!disp_done) {
            for (size_t k = 0; k < p->out.ndisp && !rc; k++)
                rc = enc_history_displace(st, p->out.disp[k].id, p->out.disp[k].to, err);
            disp_done = true;
        }
        for (size_t k = b0; k < b1 && !rc; k++) {
            const enc_cand *c = &p->cands[k];
            const enc_occ *o = &p->occ.v[p->cand_occ[k]];
            int64_t cust = p->snap->cust_id[o->cust];
            if (c->decision == ENC_DEC_HOLDOUT) {
                enc_member m = {cust, o->key, true, NULL, NULL, NULL, o->due};
                rc = enc_member_add(st, cw, sp->name, &m, err);
                continue;
            }
            if (c->decision != ENC_DEC_MESSAGE) continue;
            const enc_spec_variant *var = &sp->variants[c->variant];
            enc_rendered *rr = &r[nr];
            /* the key first: a coupon is stored with its message */
            char key[256];
            snprintf(key, sizeof key, "%s|%lld|%s|%s", sp->name, (long long)cust,
                     enc_channel_name((enc_channel)c->channel), o->key);
            enc_coupon_rec cr = {0};
            if (c->needs_coupon) {
                const enc_spec_offer *f = &var->offer;
                cr.campaign = sp->name;
                cr.message_key = key;
                cr.customer = cust;
                cr.percent = f->percent;
                cr.amount = coupon_amount(f, c->step);
                cr.min_spend = f->min_spend;
                cr.issued_at = c->send_at;
                cr.expires_at = f->expires_at      ? f->expires_at
                                : f->expires_after ? c->send_at + f->expires_after
                                                   : 0;
                bool found;
                int64_t exp = 0;
                if ((rc = enc_coupon_find(st, cw, key, cr.code, sizeof cr.code, &exp, &found, err)))
                    break;
                if (found) cr.expires_at = exp;
                else {
                    if ((rc = enc_coupon_issue(st, cw, &cr, f->prefix, f->length, err))) break;
                    if (coupons) (*coupons)++;
                }
            }
            int64_t id = next_id++;
            enc_plan_render(p, k, c->needs_coupon ? cr.code : NULL, cr.expires_at, id, rr);
            p->links_tracked += rr->links_tracked;
            p->links_untracked += rr->links_untracked;
            recs[nr] = (enc_msg_rec){sp->name,
                                     var->name,
                                     cust,
                                     enc_channel_name((enc_channel)c->channel),
                                     rr->address,
                                     rr->subject.len ? rr->subject.p : NULL,
                                     rr->text.len ? rr->text.p : NULL,
                                     rr->html.len ? rr->html.p : NULL,
                                     rr->payload.p,
                                     rr->key,
                                     sp->priority,
                                     c->send_at,
                                     id,
                                     send_by(sp, c),
                                     sp->transactional};
            nr++;
            enc_member m = {
                cust,    o->key,    false, var->name, enc_channel_name((enc_channel)c->channel),
                rr->key, c->send_at};
            rc = enc_member_add(st, cw, sp->name, &m, err);
        }
        size_t got = 0;
        if (!rc && nr) rc = enc_outbox_enqueue(ob, recs, nr, p->o.now, &got, err);
        for (size_t k = 0; k < nr; k++) rendered_free(&r[k]);
        if (rc) {
            enc_store_rollback(st);
            break;
        }
        if ((rc = enc_store_commit(st, err))) {
            enc_store_rollback(st);
            break;
        }
        *added += (int64_t)got;
    }
    if (!rc && sp->journey.nsteps) rc = journey_write(p, st, err);
    free(r);
    free(recs);
    enc_camp_writer_free(cw);
    enc_outbox_close(ob);
    return rc;
}

/* GSM 03.38 basic character set (as Unicode code points) and its extension table */
static int gsm_units(uint32_t c)
{
    static const char *const basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ "
                                     "!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    if (c < 0x80 && strchr("^{}\\[~]|", (int)c) && c) return 2;
    if (c == 0x20AC) return 2; /* € */
    /* decode the basic set once per call: it is short */
    for (const unsigned char *p = (const unsigned char *)basic; *p;) {
        uint32_t b;
        int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        b = n == 1   ? *p
            : n == 2 ? (uint32_t)(*p & 0x1F)
            : n == 3 ? (uint32_t)(*p & 0x0F)
                     : (uint32_t)(*p & 0x07);
        for (int k = 1; k < n && p[k]; k++) b = (b << 6) | (p[k] & 0x3F);
        if (b == c) return 1;
        p += n;
    }
    return 0;
}

int enc_sms_segments(const char *text, int *chars, bool *ucs2)
{
    int gsm = 0, u16 = 0;
    bool all_gsm = true;
    for (const unsigned char *p = (const unsigned char *)text; p && *p;) {
        int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        uint32_t c = n == 1   ? *p
                     : n == 2 ? (uint32_t)(*p & 0x1F)
                     : n == 3 ? (uint32_t)(*p & 0x0F)
                              : (uint32_t)(*p & 0x07);
        int k = 1;
        for (; k < n && p[k]; k++) c = (c << 6) | (p[k] & 0x3F);
        p += k;
        u16 += c > 0xFFFF ? 2 : 1;
        int g = all_gsm ? gsm_units(c) : 0;
        if (!g) all_gsm = false;
        gsm += g;
    }
    *ucs2 = !all_gsm;
    int n = all_gsm ? gsm : u16, one = all_gsm ? 160 : 70, part = all_gsm ? 153 : 67;
    *chars = n;
    return n == 0 ? 1 : n <= one ? 1 : (n + part - 1) / part;
}

void enc_plan_sms(enc_plan *p, enc_plan_sms_stats *st)
{
    memset(st, 0, sizeof *st);
    st->limit = p->set.sms_max_segments > 0 ? p->set.sms_max_segments : 3;
    for (size_t k = 0; k < p->ncands && st->checked < 1000; k++) {
        const enc_cand *c = &p->cands[k];
        if (c->decision != ENC_DEC_MESSAGE || c->channel != CH_SMS) continue;
        const enc_spec_offer *f = &p->spec->variants[c->variant].offer;
        char code[64];
        /* a code as long as the real ones */
        snprintf(code, sizeof code, "%s%sXXXX-XXXX-XXXX", f->prefix, f->prefix[0] ? "-" : "");
        enc_rendered r;
        enc_plan_render(p, k, code, 0, 0, &r);
        int chars;
        bool u;
        int seg = enc_sms_segments(r.text.p ? r.text.p : "", &chars, &u);
        rendered_free(&r);
        st->checked++;
        if (seg > st->limit) st->over++;
        if (chars > st->max_chars) st->max_chars = chars, st->max_ucs2 = u;
        if (seg > st->max_segments) st->max_segments = seg;
    }
}

bool enc_plan_warning(const enc_plan *p, char *out, size_t cap)
{
    if (p->spec->holdout > 0 || p->spec->transactional) return false;
    snprintf(out, cap,
             "holdout 0: no control group, so what this campaign changes (uplift, incremental"
             " revenue, ROI) cannot be measured; remove \"holdout\" for the default %.0f%%",
             100 * ENC_SPEC_DEFAULT_HOLDOUT);
    return true;
}

/* ==== JSON ==================================================================================== */

void enc_plan_json(enc_plan *p, size_t sample, enc_jw *w)
{
    const enc_spec *sp = p->spec;
    const enc_decide_out *o = &p->out;
    char t[40];
    enc_jw_obj(w);
    enc_jw_kstr(w, "campaign", sp->name);
    enc_fmt_datetime(t, sizeof t, p->o.now);
    enc_jw_kstr(w, "at", t);
    enc_jw_key(w, "window");
    enc_jw_obj(w);
    enc_fmt_datetime(t, sizeof t, p->from);
    enc_jw_kstr(w, "after", t);
    enc_fmt_datetime(t, sizeof t, p->o.now);
    enc_jw_kstr(w, "until", t);
    enc_jw_end(w);
    enc_jw_kstr(w, "trigger", enc_trig_kind_name(sp->trigger.kind));
    enc_jw_kint(w, "audience", (int64_t)p->ncands);
    enc_jw_kint(w, "customers", (int64_t)p->npersons);
    enc_jw_kint(w, "eligible", o->n[ENC_DEC_MESSAGE]);
    enc_jw_kint(w, "holdout", o->n[ENC_DEC_HOLDOUT]);
    enc_jw_key(w, "variants");
    enc_jw_obj(w);
    for (int v = 0; v < sp->nvariants; v++) enc_jw_kint(w, sp->variants[v].name, o->variants[v]);
    enc_jw_end(w);
    enc_jw_key(w, "excluded");
    enc_jw_obj(w);
    for (int d = ENC_DEC_EXITED; d < ENC_DEC_COUNT; d++) enc_jw_kint(w, decision_names[d], o->n[d]);
    enc_jw_end(w);
    enc_jw_key(w, "deferred");
    enc_jw_obj(w);
    enc_jw_kint(w, "quiet_hours", o->deferred_quiet);
    enc_jw_kint(w, "frequency_cap", o->deferred_cap);
    enc_jw_end(w);
    enc_jw_kint(w, "displaced", (int64_t)o->ndisp);
    enc_jw_key(w, "channels");
    enc_jw_obj(w);
    for (int c = 0; c < sp->nchannels; c++)
        enc_jw_kint(w, enc_channel_name((enc_channel)sp->channels[c]),
                    o->channels[sp->channels[c]]);
    enc_jw_end(w);
    enc_jw_kint(w, "coupons", o->coupons);
    enc_plan_sms_stats sms;
    enc_plan_sms(p, &sms);
    if (sms.checked) {
        enc_jw_key(w, "sms");
        enc_jw_obj(w);
        enc_jw_kint(w, "checked", sms.checked);
        enc_jw_kint(w, "max_characters", sms.max_chars);
        enc_jw_kstr(w, "encoding", sms.max_ucs2 ? "UCS-2" : "GSM-7");
        enc_jw_kint(w, "max_segments", sms.max_segments);
        enc_jw_kint(w, "segment_limit", sms.limit);
        enc_jw_kint(w, "over_limit", sms.over);
        enc_jw_end(w);
    }
    enc_jw_key(w, "warnings");
    enc_jw_arr(w);
    char warn[256];
    if (enc_plan_warning(p, warn, sizeof warn)) enc_jw_str(w, warn);
    if (sms.over) {
        snprintf(warn, sizeof warn,
                 "%lld of %lld SMS checked are longer than %d segments (the policy's"
                 " sms_max_segments): each segment is billed",
                 (long long)sms.over, (long long)sms.checked, sms.limit);
        enc_jw_str(w, warn);
    }
    enc_jw_end(w);
    if (sp->send_optimal) {
        enc_jw_key(w, "send_time");
        enc_jw_obj(w);
        enc_jw_kstr(w, "mode", "optimal");
        enc_jw_kint(w, "considered", p->sendopt.considered);
        enc_jw_kint(w, "moved", p->sendopt.moved);
        enc_jw_kint(w, "with_history", p->sendopt.with_history);
        enc_jw_key(w, "hours");
        enc_jw_arr(w);
        for (int h = 0; h < 24; h++) enc_jw_int(w, p->sendopt.hours[h]);
        enc_jw_end(w);
        enc_jw_end(w);
    }
    enc_jw_key(w, "tracking");
    enc_jw_obj(w);
    bool on = p->set.track_base_url[0] && p->has_ukey;
    enc_jw_kstr(w, "base_url", on ? p->set.track_base_url : NULL);
    enc_jw_kbool(w, "links", on && sp->track_links);
    enc_jw_kbool(w, "opens", on && sp->track_opens);
    enc_jw_end(w);
    if (sp->journey.nsteps) {
        /* the journey's steps and paths, and where this run's customers are on them */
        enc_jw_key(w, "journey");
        enc_journey_json(&sp->journey, w);
        enc_jw_key(w, "journey_run");
        enc_jw_obj(w);
        enc_jw_kint(w, "entered", p->jrun.entered);
        enc_jw_kint(w, "not_entered", p->jrun.not_entered);
        enc_jw_kint(w, "under_way", (int64_t)p->jrun.n);
        enc_jw_key(w, "steps_due");
        enc_jw_obj(w);
        for (int j = 0; j < sp->journey.nsteps; j++) {
            int64_t due = 0;
            for (size_t k = 0; k < p->ncands; k++) due += p->cands[k].step == j;
            enc_jw_kint(w, sp->journey.steps[j].name, due);
        }
        enc_jw_end(w);
        enc_jw_end(w);
    }
    enc_jw_key(w, "sample");
    enc_jw_arr(w);
    size_t shown = 0;
    for (size_t k = 0; k < p->ncands && shown < sample; k++) {
        const enc_cand *c = &p->cands[k];
        if (c->decision != ENC_DEC_MESSAGE) continue;
        const enc_spec_offer *f = &sp->variants[c->variant].offer;
        char code[64];
        snprintf(code, sizeof code, "%s%sXXXX-XXXX-XXXX", f->prefix, f->prefix[0] ? "-" : "");
        enc_rendered r;
        enc_plan_render(p, k, code, 0, 0, &r);
        int64_t cust;
        const char *occ;
        enc_plan_cand(p, k, &cust, &occ);
        enc_jw_obj(w);
        enc_jw_kint(w, "customer", cust);
        enc_jw_kstr(w, "occurrence", occ);
        enc_jw_kstr(w, "channel", enc_channel_name((enc_channel)c->channel));
        enc_jw_kstr(w, "address", r.address);
        enc_jw_kstr(w, "variant", sp->variants[c->variant].name);
        enc_fmt_datetime(t, sizeof t, c->send_at);
        enc_jw_kstr(w, "send_at", t);
        enc_jw_kstr(w, "key", r.key);
        if (r.subject.len) enc_jw_kstr(w, "subject", r.subject.p);
        if (r.text.len) enc_jw_kstr(w, "text", r.text.p);
        if (r.html.len) enc_jw_kstr(w, "html", r.html.p);
        if (c->channel == CH_SMS) {
            int chars;
            bool u;
            int seg = enc_sms_segments(r.text.p ? r.text.p : "", &chars, &u);
            enc_jw_kint(w, "sms_characters", chars);
            enc_jw_kstr(w, "sms_encoding", u ? "UCS-2" : "GSM-7");
            enc_jw_kint(w, "sms_segments", seg);
        }
        enc_jw_end(w);
        rendered_free(&r);
        shown++;
    }
    enc_jw_end(w);
    enc_jw_end(w);
}
