/* lifecycle.h — lifecycle stage of each customer (new, growing, mature, declining, dormant,
 * churned) from their own purchase cadence (cadence.h), tenure, occasion count and the CLV
 * model's P(alive), and the engagement classes (repeat, one-time, active non-buyer, dormant,
 * lost) from purchases and engagement events in a window. Intelligence stage; rules and defaults
 * with a table in docs/intelligence.md. Pure functions over arrays; nothing allocates. */
#ifndef ENCORE_INTEL_LIFECYCLE_H
#define ENCORE_INTEL_LIFECYCLE_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

typedef enum enc_lc_stage {
    ENC_LC_PROSPECT = 0, /* no purchase yet (the six stages need one) */
    ENC_LC_NEW,
    ENC_LC_GROWING,
    ENC_LC_MATURE,
    ENC_LC_DECLINING,
    ENC_LC_DORMANT,
    ENC_LC_CHURNED,
    ENC_LC_STAGE_COUNT
} enc_lc_stage;

typedef enum enc_lc_class {
    ENC_LC_CLASS_PROSPECT = 0,     /* never bought, not engaged in the window */
    ENC_LC_CLASS_REPEAT,           /* bought in the window, two or more occasions in all */
    ENC_LC_CLASS_ONE_TIME,         /* bought in the window, their only occasion */
    ENC_LC_CLASS_ACTIVE_NON_BUYER, /* engaged in the window without buying in it */
    ENC_LC_CLASS_DORMANT,          /* neither in the window; last purchase within lost_days */
    ENC_LC_CLASS_LOST,             /* neither in the window; last purchase lost_days or more ago */
    ENC_LC_CLASS_COUNT
} enc_lc_class;

/* Thresholds; days are days. Defaults (enc_lc_config_default) in brackets. */
typedef struct enc_lc_config {
    double default_gap_days;  /* [90] expected gap of a customer with one occasion; set the
                                 population's median gap when known */
    double new_days;          /* [90] new: first purchase at most this long ago */
    double mature_days;       /* [365] mature: tenure at least this ... */
    int mature_occasions;     /* [4] ... and at least this many occasions */
    double declining_drift;   /* [1.5] declining: last gap / mean gap at least this, or */
    double declining_overdue; /* [1.5] recency / expected gap at least this */
    double dormant_overdue;   /* [2] dormant: recency / expected gap at least this ... */
    double dormant_min_days;  /* [60] ... and recency at least this, or */
    double dormant_p_alive;   /* [0.5] P(alive) below this */
    double churned_overdue;   /* [4] churned: recency / expected gap at least this ... */
    double churned_min_days;  /* [180] ... and recency at least this, or */
    double churned_p_alive;   /* [0.1] P(alive) below this */
    /* classes */
    double window_days; /* [90] the activity window; events[] must count this window */
    double lost_days;   /* [365] no purchase for this long: lost */
    int min_events;     /* [1] engagement events in the window that make one "active" */
} enc_lc_config;
void enc_lc_config_default(enc_lc_config *c);

/* Per-customer columns, n long. occasions, tenure_days, recency_days, mean_gap_days and
 * last_gap_days are cadence.h's outputs (NaN where undefined). p_alive may be NULL (no CLV model)
 * and holds NaN for unknown customers; events (engagement events in the window: views, clicks,
 * message opens ...) may be NULL (none known) and is only read by the classes. */
typedef struct enc_lc_input {
    size_t n;
    const int32_t *occasions;
    const double *tenure_days, *recency_days, *mean_gap_days, *last_gap_days;
    const double *p_alive;
    const int32_t *events;
} enc_lc_input;

/* One customer's stage: the first rule of docs/intelligence.md's table that holds. */
enc_lc_stage enc_lc_stage_of(const enc_lc_config *c, int32_t occasions, double tenure_days,
                             double recency_days, double mean_gap_days, double last_gap_days,
                             double p_alive);
enc_lc_class enc_lc_class_of(const enc_lc_config *c, int32_t occasions, double recency_days,
                             int32_t events);

/* Whole columns into stage[n] / cls[n]. Fail (ENC_EUSAGE) on a config that makes no sense
 * (non-positive gap or window, thresholds out of order). */
enc_rc enc_lc_stages(const enc_lc_config *c, const enc_lc_input *in, uint8_t *stage, enc_err *err);
enc_rc enc_lc_classes(const enc_lc_config *c, const enc_lc_input *in, uint8_t *cls, enc_err *err);
enc_rc enc_lc_config_check(const enc_lc_config *c, enc_err *err);

const char *enc_lc_stage_name(enc_lc_stage s); /* "declining"; static storage */
const char *enc_lc_class_name(enc_lc_class c); /* "active_non_buyer"; static storage */
#endif
