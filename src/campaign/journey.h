/* journey.h — journeys: a campaign whose file has "journey" sends a sequence of steps, each a
 * message, and after each step's window branches on what the customer did (opened, clicked,
 * bought, bought in a category, unsubscribed, or not). Between the trigger (trigger.h: the
 * entries) and the planner (plan.h: one decision per step message, with consent, quiet hours,
 * caps and the holdout unchanged). The walk is recomputed on every run from the entry, the
 * step messages recorded as members and the events since; journey_state (store/journey_store.h)
 * keeps what it found. docs/campaigns.md, "Journeys". */
#ifndef ENCORE_CAMPAIGN_JOURNEY_H
#define ENCORE_CAMPAIGN_JOURNEY_H
#include "base/json.h"
#include "campaign/spec.h"
#include "campaign/trigger.h"
#include "store/campaign_store.h"
#include "store/journey_store.h"

typedef struct enc_journey_in {
    const enc_spec *spec; /* spec->journey.nsteps > 0 */
    const enc_snapshot *s;
    const enc_members *members;     /* the campaign's members: the step messages sent or held out */
    const enc_jstates *states;      /* the journey states stored */
    const enc_smap *opens, *clicks; /* enc_journey_signals */
    int64_t now;
} enc_journey_in;

/* One journey entry the run looked at: its state as the walk left it, and the step message it
 * asks the planner for (occ, an index into the walk's occurrences, -1 none). Strings live in
 * the walk's arena. */
typedef struct enc_jwalk {
    enc_jstate st;
    int32_t cust; /* snapshot index */
    int32_t occ;
    bool fresh; /* entered in this run */
} enc_jwalk;

typedef struct enc_jrun {
    enc_jwalk *v;
    size_t n, cap;
    int64_t entered, not_entered; /* entries of this run; refused by max_entries/reentry_after */
    enc_arena *arena;
} enc_jrun;

/* Walks the stored active journeys and the new entries (the trigger's occurrences of this run)
 * to now: each step whose message is due becomes an occurrence in *out (customer order; key
 * "ENTRY/STEP", step = the step's index, ref = the entry time). The caller frees *out with
 * enc_occ_list_free and *run with enc_jrun_free. */
enc_rc enc_journey_walk(const enc_journey_in *in, const enc_occ_list *entries, enc_occ_list *out,
                        enc_jrun *run, enc_err *err);
void enc_jrun_free(enc_jrun *r);

/* The journey as JSON: "steps" (name, delay, channel, offer, wait, branches with their
 * conditions and next, next) and "paths" (every path from the first step to an end, as lists
 * of step and branch names). */
void enc_journey_json(const enc_journey *j, enc_jw *w);
/* The same as text lines (`campaign plan` without --json), appended to b. */
void enc_journey_text(const enc_journey *j, enc_buf *b);
/* The journey's funnel as of as_of, one JSON object into out (the "journey" of `campaign
 * report --json`, docs/campaigns.md): entered and the status counts of the journeys; per step
 * the journeys that reached it, its messages, sent, opened (or clicked), clicked; per branch
 * (and each step's "otherwise") the journeys that took it. Held-out journeys count only in
 * entered and status. */
enc_rc enc_journey_funnel(enc_store *st, const enc_spec *spec, int64_t as_of, enc_buf *out,
                          enc_err *err);
#endif
