/* abdecide.h — the A/B decision of running campaigns (measure stage): when a test's time has
 * come, the winner by the spec's metric, measured as the campaign report measures it
 * (campreport.h), is stored with the report that chose it (campaigns.ab_winner, ab_report).
 * The scheduler's step, enc_tick, lives here too: it decides a campaign's test before the
 * campaign stage (src/campaign/run.h) advances it with the stored winner, so the campaign stage
 * reads the decision and never includes measure. */
#ifndef ENCORE_MEASURE_ABDECIDE_H
#define ENCORE_MEASURE_ABDECIDE_H
#include "base/err.h"
#include "campaign/run.h"
#include "campaign/spec.h"
#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

/* Decides spec's test over its members up to `until` and stores the decision at `now`: the
 * highest conversion rate, revenue per customer or click rate; ties go to the variant listed
 * first; a variant without members is never the leader. The winner's name goes to winner
 * (cap bytes); *significant (the leader against each other variant, Holm-adjusted, at 0.05)
 * and the rule that chose it (enc_ab_rule, into rule) are kept in the stored report too. */
enc_rc enc_ab_decide(enc_store *st, const enc_spec *spec, int64_t until, int64_t now, char *winner,
                     size_t cap, int *significant, char *rule, size_t rule_cap, enc_err *err);
/* The scheduler's step (`encore tick`, `encore serve`'s tick job): redeems coupons from
 * imported orders (*redeemed gets how many), then for each running campaign, highest priority
 * first, decides its A/B test when the time has come (enc_ab_decide) and advances it
 * (enc_campaign_advance, which also rolls a one-off test's winner out). *res (malloc'ed, one
 * entry per running campaign; the caller frees it) and *n. A campaign that fails is reported in
 * its entry's error and the others still run. */
enc_rc enc_tick(enc_store *st, int64_t now, enc_run_result **res, size_t *n, int64_t *redeemed,
                enc_err *err);
#endif
