/* plan.h — the campaign planner: the audience and the trigger's occurrences in a window,
 * then one decision per (customer, occurrence) in a fixed order, then rendered messages for
 * the outbox. Third step of the campaign stage (spec -> trigger -> plan -> delivery's
 * outbox); `encore campaign plan` prints a plan, `campaign start` and `tick` write one.
 *
 * The order of checks (docs/campaigns.md, "How decisions are made"):
 *   0. a decision recorded earlier for the same customer and occurrence stands (reruns);
 *   1. exit conditions (bought, unsubscribed, complained since the occurrence's event);
 *   2. holdout: hash(campaign, customer) < share -> the control group, nothing sent;
 *   3. A/B test before the decision: outside the test share -> waits for the roll-out;
 *   4. channels in order of preference, each: consent (marketing, in force) -> an address
 *      -> not suppressed -> send time = due moved out of quiet hours (customer's zone) ->
 *      frequency caps at that time against every campaign's messages (a queued message of a
 *      lower-priority campaign gives way: moved or cancelled as its campaign says; over the
 *      cap, this campaign defers to the next time the caps allow, or drops, as it says) ->
 *      the message must go out within send_within of its due time. The first channel that
 *      passes without waiting for a cap is used, else (when the campaign defers) the first
 *      at its next allowed time; when none does, the reason is the furthest check any
 *      channel reached;
 *   5. budget (messages, coupons).
 * Quiet hours and deferrals move a message (counted under "deferred"); they exclude only when
 * the message could not go out within send_within. */
#ifndef ENCORE_CAMPAIGN_PLAN_H
#define ENCORE_CAMPAIGN_PLAN_H
#include "base/json.h"
#include "campaign/spec.h"
#include "campaign/trigger.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

typedef enum enc_decision {
    ENC_DEC_MESSAGE,
    ENC_DEC_HOLDOUT,
    /* exclusions, in the order of the checks */
    ENC_DEC_EXITED,
    ENC_DEC_AB_WAITING,
    ENC_DEC_NO_CONSENT,
    ENC_DEC_NO_ADDRESS,
    ENC_DEC_SUPPRESSED,
    ENC_DEC_QUIET_HOURS,
    ENC_DEC_FREQUENCY_CAP,
    ENC_DEC_BUDGET,
    ENC_DEC_COUNT
} enc_decision;
/* "message", "holdout", "exited", "ab_waiting", "no_consent", "no_address", "suppressed",
 * "quiet_hours", "frequency_cap", "budget" */
const char *enc_decision_name(enc_decision d);

/* ---- the decision kernel: plain arrays in, decisions out ----------------------------------- */

/* A message in a customer's history (any campaign), for frequency caps. */
typedef struct enc_hist_entry {
    int64_t at;           /* sent, else due */
    int64_t id;           /* outbox id; 0 = planned in this run */
    uint8_t channel;      /* enc_channel */
    int8_t priority;      /* 0..9 */
    uint8_t queued;       /* not sent yet: may give way to a higher-priority campaign */
    uint8_t on_cap_defer; /* its campaign's rule when it gives way (else it is cancelled) */
    int64_t deadline;     /* queued: the latest it may go (send_within, coupon); 0 = none */
} enc_hist_entry;

typedef struct enc_person {
    int64_t id;           /* store id: the key of holdout and variant hashes */
    const enc_tz *tz;     /* NULL = UTC */
    uint8_t consent;      /* bit c: marketing consent in force on channel c */
    uint8_t reachable;    /* bit c: an address on channel c */
    uint8_t suppressed;   /* bit c: the address is suppressed on channel c */
    enc_hist_entry *hist; /* malloc'ed; the kernel appends planned messages (enc_xrealloc) */
    uint32_t nhist, caphist;
} enc_person;

typedef struct enc_cand {
    int32_t person, step;
    int64_t due;
    int64_t
        due0; /* due before "send_time": "optimal" moved it (0 = due): send_within counts from it */
    bool exited;       /* an exit condition holds */
    bool needs_coupon; /* set by the kernel: the chosen variant's offer has a coupon here */
    /* a decision recorded before for this customer and occurrence */
    int8_t prior; /* 0 none, 1 holdout, 2 message */
    int8_t prior_channel, prior_variant;
    int64_t prior_at;
    /* results */
    uint8_t decision; /* enc_decision */
    int8_t channel, variant;
    uint8_t deferred; /* bit 1: moved out of quiet hours; bit 2: deferred by a cap */
    int64_t send_at;
} enc_cand;

/* A queued message of another campaign that gave way: moved to `to`, or cancelled (to 0). */
/* A queued message that gives way: moved to `to`; to == 0: cancelled (its campaign drops over
 * a cap); to < 0: no time before its deadline or coupon's expiry, so it expires
 * (displaced_expired). */
typedef struct enc_displace {
    int32_t person;
    int64_t id, from, to;
} enc_displace;

typedef struct enc_decide_in {
    const enc_spec *spec;
    const enc_policy *policy;
    int64_t now;
    int winner;              /* A/B: index of the winning variant, -1 before the decision */
    int64_t budget_messages; /* left to spend; -1 = no limit */
    int64_t budget_coupons;
} enc_decide_in;

typedef struct enc_decide_out {
    int64_t n[ENC_DEC_COUNT];
    int64_t variants[ENC_SPEC_MAX_VARIANTS]; /* messages by variant */
    int64_t channels[CH_NCHANNELS];          /* messages by channel */
    int64_t deferred_quiet, deferred_cap, coupons;
    enc_displace *disp; /* malloc'ed */
    size_t ndisp, capdisp;
} enc_decide_out;

/* Decides candidates c[0, n) in the given order (due time, then customer, for a stable
 * result) over persons p. Planned messages are appended to their person's history, so later
 * candidates see them. Never allocates except to grow histories and out->disp. */
void enc_plan_decide(const enc_decide_in *in, enc_person *p, enc_cand *c, size_t n,
                     enc_decide_out *out);
/* Is `at` allowed on channel ch for person p under policy pol: not quiet, every cap kept? */
bool enc_plan_allowed(const enc_policy *pol, const enc_person *p, int ch, int64_t at);

/* ---- the planner over a store --------------------------------------------------------------- */

typedef struct enc_plan_opts {
    int64_t now;        /* the clock: the window ends here; data as of now */
    int64_t from;       /* the window starts after this; 0 = now - trigger.catch_up */
    int64_t started_at; /* the campaign's first start (0 = now) */
    const char *winner; /* A/B winner's name, or NULL before the decision */
    bool rollout;       /* once + A/B: the roll-out run (the once occurrence is due now) */
} enc_plan_opts;

typedef struct enc_plan enc_plan;

/* Builds the plan of campaign `spec` (borrowed; must outlive the plan) under settings over
 * store st (read: snapshot as of now, profiles, outbox history, suppressions, members,
 * coupons). Free with enc_plan_free. */
enc_rc enc_plan_build(enc_store *st, const enc_spec *spec, const enc_settings *set,
                      const enc_plan_opts *o, enc_plan **out, enc_err *err);
void enc_plan_free(enc_plan *p);
const enc_decide_out *enc_plan_counts(const enc_plan *p);
size_t enc_plan_size(const enc_plan *p); /* candidates: the audience of this run */
int64_t enc_plan_from(const enc_plan *p);

/* Writes the plan: coupons, messages (enc_outbox_enqueue), members (held out ones too) and
 * moves of displaced messages, one transaction per `batch` candidates. *added gets the
 * messages new to the outbox (a rerun adds 0). */
enc_rc enc_plan_write(enc_plan *p, enc_store *st, size_t batch, int64_t *added, int64_t *coupons,
                      enc_err *err);

/* The plan as JSON (the `campaign plan --json` document), with up to `sample` rendered
 * messages (coupon codes are only drawn when written: the sample shows a placeholder). */
void enc_plan_json(enc_plan *p, size_t sample, enc_jw *w);

/* A rendered message (buffers owned by the caller: enc_buf_free each). */
typedef struct enc_rendered {
    enc_buf subject, text, html, payload;
    char key[256]; /* idempotency key: campaign|customer|channel|occurrence */
    char address[1024];
    int64_t links_tracked, links_untracked; /* links.h: rewritten; left as written (unsignable) */
} enc_rendered;
/* Renders the message of candidate k (a MESSAGE decision) with coupon code (may be NULL).
 * message_id is the outbox id the message will have (enc_outbox_next_id), which its tracking
 * links and open pixel name when the policy gives a track_base_url and the campaign tracks
 * (0 in samples, which are not written). */
void enc_plan_render(enc_plan *p, size_t k, const char *coupon, int64_t coupon_expires,
                     int64_t message_id, enc_rendered *out);
/* Links of the messages enc_plan_write rendered for the outbox (a message already queued by an
 * earlier run is rendered and counted again, then skipped by its key): rewritten into
 * tracking links, and left as written because no token can carry them. */
void enc_plan_links(const enc_plan *p, int64_t *tracked, int64_t *untracked);
/* Candidate k's decision, customer id and occurrence key (for tests and printing). */
const enc_cand *enc_plan_cand(const enc_plan *p, size_t k, int64_t *customer,
                              const char **occurrence);
/* The plan's warning about measurement, when there is one (a marketing campaign whose file
 * turns the holdout off): written into out, true. */
bool enc_plan_warning(const enc_plan *p, char *out, size_t cap);
/* The length of an SMS text as a provider counts it: GSM 03.38 (7-bit: the basic set counts 1,
 * the extension table ^{}\\[~]|€ counts 2; 160 in one message, 153 per part when concatenated)
 * when every character is in the set, else UCS-2 (UTF-16 code units: 70, then 67 per part).
 * *chars gets the count in the encoding's units, *ucs2 the encoding; returns the segments. */
int enc_sms_segments(const char *text, int *chars, bool *ucs2);
/* The lengths of the plan's SMS (the first 1000 messaged on sms, rendered): the longest in
 * characters (and its encoding), the most segments, and how many pass the policy's limit. */
typedef struct enc_plan_sms_stats {
    int64_t checked, over;
    int max_chars, max_segments, limit;
    bool max_ucs2;
} enc_plan_sms_stats;
void enc_plan_sms(enc_plan *p, enc_plan_sms_stats *out);
/* "send_time": "optimal" (branch sendtime): how many messages moved and to which local hours
 * (campaign/sendopt.h), or NULL when the campaign does not optimise send times. */
struct enc_sendopt_stats;
const struct enc_sendopt_stats *enc_plan_sendopt(const enc_plan *p);
#endif
