/* run.h — campaigns over time, with an explicit clock: start (save the file, mark it running,
 * plan the trigger's window up to now and write it to the outbox) and advance (the same for a
 * running campaign from its watermark; a one-off A/B test's stored winner goes to the rest).
 * The scheduler's step that redeems coupons, decides A/B tests and advances every running
 * campaign is enc_tick in src/measure/abdecide.h (the decision is measured); here a test due
 * but undecided is an error. Last step of the campaign stage. */
#ifndef ENCORE_CAMPAIGN_RUN_H
#define ENCORE_CAMPAIGN_RUN_H
#include "campaign/plan.h"
#include "campaign/spec.h"
#include "store/store.h"

typedef struct enc_run_result {
    char name[ENC_SPEC_MAX_NAME];
    int64_t from, to; /* the window planned: (from, to] */
    int64_t audience, messages, holdout, excluded, added, coupons, displaced;
    int64_t links_tracked, links_untracked; /* enc_plan_links of the messages written */
    bool decided;                           /* an A/B winner was chosen in this run */
    char winner[ENC_SPEC_MAX_NAME];
    int significant; /* the winner's decision: 1 significant at 0.05, 0 not, -1 unknown */
    char rule[200];  /* the rule that chose it (enc_ab_rule), "" unknown */
    bool rolled_out; /* the winner went to the rest of a one-off audience */
    char error[512]; /* tick: a campaign that failed (the others still run) */
} enc_run_result;

/* Saves spec (running) and plans it up to now. */
enc_rc enc_campaign_start(enc_store *st, const enc_spec *spec, int64_t now, enc_run_result *out,
                          enc_err *err);
/* Advances the running campaign `name` to now. */
enc_rc enc_campaign_advance(enc_store *st, const char *name, int64_t now, enc_run_result *out,
                            enc_err *err);
/* Plan options for a dry run of spec at now, as `start` or the next tick would plan it
 * (continuing a stored running campaign of the same name from its watermark). */
enc_rc enc_campaign_plan_opts(enc_store *st, const enc_spec *spec, int64_t now, enc_plan_opts *o,
                              char *winner, size_t cap, enc_err *err);
#endif
