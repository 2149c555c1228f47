/* journey.c — the journey walk (journey.h): from each entry, the steps sent (the campaign's
 * members), each step's window and the branch taken, to the step whose message is due now or
 * the journey's end; and the journey's steps and paths as JSON for `campaign plan`. Reads the
 * snapshot, the members and the tracking signals the planner loaded; writes nothing (the
 * planner stores the states when it writes the plan). */
#include "campaign/journey.h"
#include "base/mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENC_JOURNEY_MAX_PATHS 256 /* paths listed by enc_journey_json */

void enc_jrun_free(enc_jrun *r)
{
    free(r->v);
    if (r->arena) enc_arena_free(r->arena);
    memset(r, 0, sizeof *r);
}

static const char *adup(enc_arena *a, const char *s) { return enc_arena_strndup(a, s, strlen(s)); }

/* The snapshot index of store id `id` (customers are in ascending id), -1 when absent. */
static int32_t cust_index(const enc_snapshot *s, int64_t id)
{
    size_t lo = 0, hi = s->ncust;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->cust_id[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < s->ncust && s->cust_id[lo] == id ? (int32_t)lo : -1;
}

static bool in_window(const enc_smap *m, const char *key, int64_t from, int64_t to)
{
    if (!m || !key) return false;
    int64_t *t = enc_smap_get(m, key, strlen(key));
    return t && *t > from && *t <= to;
}

/* A sale order in (from, to]; with cat, one with a product of that category (its full path or
 * its top level). */
static bool bought(const enc_snapshot *s, int32_t i, int64_t from, int64_t to, const char *cat)
{
    for (int64_t o = s->ord_off[i]; o < s->ord_off[i + 1]; o++) {
        if (s->ord_ts[o] <= from || s->ord_ts[o] > to) continue;
        if (!cat || !*cat) return true;
        if (!s->line_off) continue;
        for (int64_t l = s->line_off[o]; l < s->line_off[o + 1]; l++) {
            int32_t p = s->line_prod[l];
            if (p < 0 || (size_t)p >= s->nprod) continue;
            int32_t c = s->prod_cat[p], t = s->prod_top[p];
            if ((c >= 0 && strcmp(s->cats.names[c], cat) == 0) ||
                (t >= 0 && strcmp(s->tops.names[t], cat) == 0))
                return true;
        }
    }
    return false;
}

static bool unsubscribed(const enc_snapshot *s, int32_t i, int64_t from, int64_t to)
{
    if (!s->ev_off) return false;
    for (int64_t e = s->ev_off[i]; e < s->ev_off[i + 1]; e++)
        if (s->ev_type[e] == EV_UNSUBSCRIBE && s->ev_ts[e] > from && s->ev_ts[e] <= to) return true;
    return false;
}

/* The branch of step st that holds for customer i over the window (sent, end] of the message
 * `key`: its index, else -1 (the step's "next"). */
static int branch_taken(const enc_journey_in *in, const enc_jstep *st, int32_t i, const char *key,
                        int64_t sent, int64_t end)
{
    bool did[ENC_JC_NCOND];
    did[ENC_JC_OPENED] = in_window(in->opens, key, sent, end);
    did[ENC_JC_CLICKED] = in_window(in->clicks, key, sent, end);
    /* a click implies the message was opened (images off: no pixel, but the click proves it) */
    if (did[ENC_JC_CLICKED]) did[ENC_JC_OPENED] = true;
    did[ENC_JC_BOUGHT] = bought(in->s, i, sent, end, NULL);
    did[ENC_JC_UNSUBSCRIBED] = unsubscribed(in->s, i, sent, end);
    for (int b = 0; b < st->nbranches; b++) {
        const enc_jbranch *br = &st->branches[b];
        bool ok = true;
        for (int c = 0; c < ENC_JC_NCOND && ok; c++)
            if (br->want[c] >= 0 && did[c] != (br->want[c] == 1)) ok = false;
        if (ok && br->category[0] && !bought(in->s, i, sent, end, br->category)) ok = false;
        if (ok) return b;
    }
    return -1;
}

static void occ_add(enc_occ_list *out, int32_t cust, int step, int64_t ref, int64_t due,
                    const char *key)
{
    ENC_GROW(out->v, out->cap, out->n + 1);
    enc_occ *o = &out->v[out->n++];
    memset(o, 0, sizeof *o);
    o->cust = cust;
    o->step = step;
    o->ref = ref;
    o->due = due;
    o->key = adup(out->arena, key);
}

/* Walks one journey from its entry to now: sets w->st (step, due, status, path) and, when a
 * step's message is due, adds its occurrence. */
static void walk(const enc_journey_in *in, enc_jrun *run, enc_jwalk *w, enc_occ_list *out)
{
    const enc_journey *j = &in->spec->journey;
    char path[2048], key[512];
    size_t pl = 0;
    int cur = 0;
    int64_t due = w->st.entered_at + j->steps[0].delay;
    const char *status = "active";
    path[0] = 0;
    w->occ = -1;
    for (int hops = 0; hops <= ENC_JOURNEY_MAX_STEPS; hops++) {
        const enc_jstep *st = &j->steps[cur];
        pl += (size_t)snprintf(path + pl, sizeof path - pl, "%s%s", pl ? ">" : "", st->name);
        if (pl >= sizeof path) pl = sizeof path - 1;
        snprintf(key, sizeof key, "%s/%s", w->st.entry, st->name);
        const enc_member *m = enc_members_find(in->members, w->st.customer, key);
        if (!m) {
            if (due <= in->now) {
                w->occ = (int32_t)out->n;
                occ_add(out, w->cust, cur, w->st.entered_at, due, key);
            }
            status = "active";
            break;
        }
        if (m->holdout) {
            status = "holdout";
            break;
        }
        int64_t sent = m->at, end = sent + st->wait;
        if (st->nbranches == 0 && st->next < 0) {
            status = "done";
            due = 0;
            break;
        }
        if (end > in->now) {
            status = "waiting";
            due = end;
            break;
        }
        int b = branch_taken(in, st, w->cust, m->message_key, sent, end);
        int nx = b >= 0 ? st->branches[b].next : st->next;
        /* the path names the branch taken; "otherwise" when the step's own next was */
        if (st->nbranches)
            pl += (size_t)snprintf(path + pl, sizeof path - pl, ">%s",
                                   b >= 0 ? st->branches[b].name : "otherwise");
        if (pl >= sizeof path) pl = sizeof path - 1;
        if (nx < 0) {
            status = "done";
            due = 0;
            break;
        }
        cur = nx;
        due = end + j->steps[cur].delay;
    }
    w->st.step = j->steps[cur].name;
    w->st.step_due = due;
    w->st.status = status;
    w->st.path = adup(run->arena, path);
}

static bool final_status(const char *s)
{
    return strcmp(s, "active") != 0 && strcmp(s, "waiting") != 0;
}

static int cmp_occ(const void *a, const void *b)
{
    const enc_occ *x = a, *y = b;
    if (x->cust != y->cust) return x->cust < y->cust ? -1 : 1;
    return x->due < y->due ? -1 : x->due > y->due;
}

enc_rc enc_journey_walk(const enc_journey_in *in, const enc_occ_list *entries, enc_occ_list *out,
                        enc_jrun *run, enc_err *err)
{
    (void)err;
    const enc_journey *j = &in->spec->journey;
    const enc_jstates *ss = in->states;
    memset(out, 0, sizeof *out);
    memset(run, 0, sizeof *run);
    out->arena = enc_arena_new(64 * 1024);
    run->arena = enc_arena_new(64 * 1024);
    /* the stored journeys still under way */
    for (size_t k = 0; k < ss->n; k++) {
        const enc_jstate *st = &ss->v[k];
        if (final_status(st->status)) continue;
        int32_t i = cust_index(in->s, st->customer);
        if (i < 0) continue; /* merged away or deleted: the journey stops */
        ENC_GROW(run->v, run->cap, run->n + 1);
        enc_jwalk *w = &run->v[run->n++];
        memset(w, 0, sizeof *w);
        w->st = *st;
        w->cust = i;
    }
    /* walked first: a journey that ends in this run does not keep its customer from entering */
    enc_imap *open_by = enc_imap_new(run->n + 16);
    for (size_t k = 0; k < run->n; k++) {
        walk(in, run, &run->v[k], out);
        if (!final_status(run->v[k].st.status))
            enc_imap_put(open_by, run->v[k].st.customer, 1, NULL);
    }
    /* new entries: not twice the same entry, not while one is under way, at most max_entries,
     * not within reentry_after of the previous entry (ss is in customer, entry-time order) */
    size_t lo = 0;
    for (size_t e = 0; e < entries->n; e++) {
        const enc_occ *oc = &entries->v[e];
        int64_t id = in->s->cust_id[oc->cust];
        while (lo < ss->n && ss->v[lo].customer < id) lo++;
        int32_t count = 0;
        int64_t last = INT64_MIN;
        bool open = false, seen = false;
        for (size_t k = lo; k < ss->n && ss->v[k].customer == id; k++) {
            count++;
            if (ss->v[k].entered_at > last) last = ss->v[k].entered_at;
            if (strcmp(ss->v[k].entry, oc->key) == 0) seen = true;
        }
        if (enc_imap_get(open_by, id)) open = true;
        /* entries of this run so far (the trigger gives a customer's in due order) */
        for (size_t k = run->n; k-- > 0 && run->v[k].fresh && run->v[k].st.customer == id;) {
            count++;
            if (run->v[k].st.entered_at > last) last = run->v[k].st.entered_at;
            if (!final_status(run->v[k].st.status)) open = true;
            if (strcmp(run->v[k].st.entry, oc->key) == 0) seen = true;
        }
        if (seen) continue;
        if (open || (j->max_entries && count >= j->max_entries) ||
            (j->reentry_after && last != INT64_MIN && oc->due < last + j->reentry_after)) {
            run->not_entered++;
            continue;
        }
        ENC_GROW(run->v, run->cap, run->n + 1);
        enc_jwalk *w = &run->v[run->n++];
        memset(w, 0, sizeof *w);
        w->fresh = true;
        w->cust = oc->cust;
        w->st.customer = id;
        w->st.entry = adup(run->arena, oc->key);
        w->st.entered_at = oc->due;
        w->st.entry_no = count + 1;
        w->st.status = "active";
        run->entered++;
        /* walked at once: a later entry of the same customer in this run sees it under way */
        walk(in, run, w, out);
    }
    enc_imap_free(open_by);
    /* the planner wants occurrences in customer order; walks keep their index */
    size_t n = out->n;
    int32_t *pos = enc_xmalloc((n + 1) * sizeof *pos);
    for (size_t k = 0; k < n; k++) out->v[k].info = (int32_t)k;
    if (n) qsort(out->v, n, sizeof *out->v, cmp_occ);
    for (size_t k = 0; k < n; k++) pos[out->v[k].info] = (int32_t)k;
    for (size_t k = 0; k < n; k++) out->v[k].info = 0;
    for (size_t k = 0; k < run->n; k++)
        if (run->v[k].occ >= 0) run->v[k].occ = pos[run->v[k].occ];
    free(pos);
    return ENC_OK;
}

/* ---- the journey as JSON ------------------------------------------------------------------ */

static const char *const cond_names[ENC_JC_NCOND] = {"opened", "clicked", "bought", "unsubscribed"};

static void fmt_dur(char *out, size_t cap, int64_t s)
{
    if (s % 86400 == 0 && s) snprintf(out, cap, "%lldd", (long long)(s / 86400));
    else if (s % 3600 == 0 && s) snprintf(out, cap, "%lldh", (long long)(s / 3600));
    else if (s % 60 == 0 && s) snprintf(out, cap, "%lldm", (long long)(s / 60));
    else snprintf(out, cap, "%llds", (long long)s);
}

/* every path from step i to an end: names of steps and branches taken, each given to emit (at
 * most *left: a journey of 8 steps with 8 branches each could have millions) */
typedef void (*path_fn)(const char **names, int n, void *ctx);
static void paths(const enc_journey *j, int i, const char **stack, int depth, int *left,
                  path_fn emit, void *ctx)
{
    const enc_jstep *st = &j->steps[i];
    stack[depth++] = st->name;
    for (int b = 0; b <= st->nbranches; b++) {
        /* the step's own "next" is taken when no branch holds (or when it has none) */
        int nx = b < st->nbranches ? st->branches[b].next : st->next;
        int d = depth;
        if (b < st->nbranches) stack[d++] = st->branches[b].name;
        else if (st->nbranches) stack[d++] = "otherwise";
        if (nx >= 0) {
            paths(j, nx, stack, d, left, emit, ctx);
            continue;
        }
        if (*left <= 0) return;
        (*left)--;
        stack[d++] = "end";
        emit(stack, d, ctx);
    }
}

static void path_json(const char **names, int n, void *ctx)
{
    enc_jw *w = ctx;
    enc_jw_arr(w);
    for (int k = 0; k < n; k++) enc_jw_str(w, names[k]);
    enc_jw_end(w);
}

static void path_text(const char **names, int n, void *ctx)
{
    enc_buf *b = ctx;
    enc_buf_adds(b, "    ");
    for (int k = 0; k < n; k++) {
        if (k) enc_buf_adds(b, " > ");
        enc_buf_adds(b, names[k]);
    }
    enc_buf_adds(b, "\n");
}

void enc_journey_text(const enc_journey *j, enc_buf *b)
{
    char d[32], wt[32];
    enc_buf_printf(b, "  journey: %d step%s", j->nsteps, j->nsteps == 1 ? "" : "s");
    if (j->max_entries) enc_buf_printf(b, ", at most %d entries", j->max_entries);
    fmt_dur(d, sizeof d, j->reentry_after);
    if (j->reentry_after) enc_buf_printf(b, ", re-entry after %s", d);
    enc_buf_adds(b, "\n");
    for (int i = 0; i < j->nsteps; i++) {
        const enc_jstep *st = &j->steps[i];
        fmt_dur(d, sizeof d, st->delay);
        fmt_dur(wt, sizeof wt, st->wait);
        enc_buf_printf(b, "    %-16s %-6s after %s%s%s%s\n", st->name,
                       enc_channel_name((enc_channel)st->channel), d, st->offer ? ", coupon" : "",
                       st->wait ? ", then waits " : "", st->wait ? wt : "");
    }
    enc_buf_adds(b, "  paths:\n");
    const char *stack[2 * ENC_JOURNEY_MAX_STEPS + 3];
    int left = ENC_JOURNEY_MAX_PATHS;
    paths(j, 0, stack, 0, &left, path_text, b);
}

void enc_journey_json(const enc_journey *j, enc_jw *w)
{
    char buf[32];
    enc_jw_obj(w);
    if (j->max_entries) enc_jw_kint(w, "max_entries", j->max_entries);
    fmt_dur(buf, sizeof buf, j->reentry_after);
    if (j->reentry_after) enc_jw_kstr(w, "reentry_after", buf);
    enc_jw_key(w, "steps");
    enc_jw_arr(w);
    for (int i = 0; i < j->nsteps; i++) {
        const enc_jstep *st = &j->steps[i];
        enc_jw_obj(w);
        enc_jw_kstr(w, "name", st->name);
        fmt_dur(buf, sizeof buf, st->delay);
        enc_jw_kstr(w, "delay", buf);
        enc_jw_kstr(w, "channel", enc_channel_name((enc_channel)st->channel));
        enc_jw_kbool(w, "offer", st->offer);
        if (st->wait) {
            fmt_dur(buf, sizeof buf, st->wait);
            enc_jw_kstr(w, "wait", buf);
        }
        enc_jw_key(w, "branches");
        enc_jw_arr(w);
        for (int b = 0; b < st->nbranches; b++) {
            const enc_jbranch *br = &st->branches[b];
            enc_jw_obj(w);
            enc_jw_kstr(w, "name", br->name);
            enc_jw_key(w, "when");
            enc_jw_obj(w);
            for (int c = 0; c < ENC_JC_NCOND; c++)
                if (br->want[c] >= 0) enc_jw_kbool(w, cond_names[c], br->want[c] == 1);
            if (br->category[0]) enc_jw_kstr(w, "bought_category", br->category);
            enc_jw_end(w);
            enc_jw_kstr(w, "next", br->next >= 0 ? j->steps[br->next].name : "end");
            enc_jw_end(w);
        }
        enc_jw_end(w);
        enc_jw_kstr(w, "next", st->next >= 0 ? j->steps[st->next].name : "end");
        enc_jw_end(w);
    }
    enc_jw_end(w);
    const char *stack[2 * ENC_JOURNEY_MAX_STEPS + 3];
    enc_jw_key(w, "paths");
    enc_jw_arr(w);
    int left = ENC_JOURNEY_MAX_PATHS;
    paths(j, 0, stack, 0, &left, path_json, w);
    enc_jw_end(w);
    enc_jw_end(w);
}

/* ---- the funnel (campaign report) ----------------------------------------------------------- */

static int64_t key_time(const enc_smap *m, const char *key)
{
    int64_t *t = m && key ? enc_smap_get(m, key, strlen(key)) : NULL;
    return t ? *t : 0;
}

enc_rc enc_journey_funnel(enc_store *st, const enc_spec *spec, int64_t as_of, enc_buf *out,
                          enc_err *err)
{
    const enc_journey *j = &spec->journey;
    enc_jstates ss = {0};
    enc_members mem = {0};
    enc_smap *opens = NULL, *clicks = NULL, *sent = NULL;
    enc_rc rc;
    if ((rc = enc_jstates_load(st, spec->name, &ss, err)) ||
        (rc = enc_members_load(st, spec->name, &mem, err)) ||
        (rc = enc_journey_signals(st, spec->name, &opens, &clicks, err)) ||
        (rc = enc_journey_sent(st, spec->name, &sent, err)))
        goto done;
    enum { F_REACHED, F_MESSAGES, F_SENT, F_OPENED, F_CLICKED, F_N };
    int64_t f[ENC_JOURNEY_MAX_STEPS][F_N] = {{0}};
    int64_t taken[ENC_JOURNEY_MAX_STEPS][ENC_JOURNEY_MAX_BRANCHES + 1] = {{0}};
    static const char *const statuses[] = {"active", "waiting", "done",
                                           "exited", "holdout", "stopped"};
    int64_t nstatus[6] = {0}, entered = 0;
    for (size_t k = 0; k < ss.n; k++) {
        const enc_jstate *s = &ss.v[k];
        if (s->entered_at > as_of) continue;
        entered++;
        for (int i = 0; i < 6; i++)
            if (strcmp(s->status, statuses[i]) == 0) nstatus[i]++;
        if (strcmp(s->status, "holdout") == 0) continue;
        /* the path: step, then (when the step has branches) the branch or "otherwise", ... */
        char tok[ENC_SPEC_MAX_NAME + 4];
        const char *p = s->path;
        int cur = 0;
        bool want_step = true;
        while (*p) {
            size_t n = strcspn(p, ">");
            snprintf(tok, sizeof tok, "%.*s", (int)(n < sizeof tok - 1 ? n : sizeof tok - 1), p);
            p += n + (p[n] == '>');
            if (want_step) {
                cur = -1;
                for (int i = 0; i < j->nsteps; i++)
                    if (strcmp(j->steps[i].name, tok) == 0) cur = i;
                if (cur < 0) break; /* a reason "(no_consent)" or a step renamed since */
                f[cur][F_REACHED]++;
                char key[512];
                snprintf(key, sizeof key, "%s/%s", s->entry, j->steps[cur].name);
                const enc_member *m = enc_members_find(&mem, s->customer, key);
                if (m && !m->holdout && m->at <= as_of) {
                    int64_t t;
                    f[cur][F_MESSAGES]++;
                    if ((t = key_time(sent, m->message_key)) && t <= as_of) f[cur][F_SENT]++;
                    int64_t to = key_time(opens, m->message_key),
                            tc = key_time(clicks, m->message_key);
                    if ((to && to <= as_of) || (tc && tc <= as_of)) f[cur][F_OPENED]++;
                    if (tc && tc <= as_of) f[cur][F_CLICKED]++;
                }
                want_step = j->steps[cur].nbranches == 0;
            } else {
                const enc_jstep *stp = &j->steps[cur];
                int b = stp->nbranches; /* "otherwise" */
                for (int i = 0; i < stp->nbranches; i++)
                    if (strcmp(stp->branches[i].name, tok) == 0) b = i;
                if (b < stp->nbranches || strcmp(tok, "otherwise") == 0) taken[cur][b]++;
                want_step = true;
            }
        }
    }
    enc_jw w;
    enc_jw_init(&w, out);
    enc_jw_obj(&w);
    enc_jw_kint(&w, "entered", entered);
    enc_jw_key(&w, "status");
    enc_jw_obj(&w);
    for (int i = 0; i < 6; i++) enc_jw_kint(&w, statuses[i], nstatus[i]);
    enc_jw_end(&w);
    enc_jw_key(&w, "steps");
    enc_jw_arr(&w);
    for (int i = 0; i < j->nsteps; i++) {
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "name", j->steps[i].name);
        enc_jw_kstr(&w, "channel", enc_channel_name((enc_channel)j->steps[i].channel));
        enc_jw_kint(&w, "reached", f[i][F_REACHED]);
        enc_jw_kint(&w, "messages", f[i][F_MESSAGES]);
        enc_jw_kint(&w, "sent", f[i][F_SENT]);
        enc_jw_kint(&w, "opened", f[i][F_OPENED]);
        enc_jw_kint(&w, "clicked", f[i][F_CLICKED]);
        enc_jw_end(&w);
    }
    enc_jw_end(&w);
    enc_jw_key(&w, "branches");
    enc_jw_arr(&w);
    for (int i = 0; i < j->nsteps; i++) {
        const enc_jstep *stp = &j->steps[i];
        for (int b = 0; stp->nbranches && b <= stp->nbranches; b++) {
            int nx = b < stp->nbranches ? stp->branches[b].next : stp->next;
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "step", stp->name);
            enc_jw_kstr(&w, "branch", b < stp->nbranches ? stp->branches[b].name : "otherwise");
            enc_jw_kstr(&w, "next", nx >= 0 ? j->steps[nx].name : "end");
            enc_jw_kint(&w, "taken", taken[i][b]);
            enc_jw_end(&w);
        }
    }
    enc_jw_end(&w);
    enc_jw_end(&w);
done:
    enc_jstates_free(&ss);
    enc_members_free(&mem);
    if (opens) enc_smap_free(opens);
    if (clicks) enc_smap_free(clicks);
    if (sent) enc_smap_free(sent);
    return rc;
}
