/* lifecycle.c — stage and class rules (see lifecycle.h; the table in docs/intelligence.md).
 * Stages are judged against the customer's own rhythm: the expected gap g is their mean gap
 * between occasions (the default gap for one-time buyers), "overdue" is recency / g, "drift" is
 * last gap / mean gap. The first rule that holds wins, from the most severe down. */
#include "intel/lifecycle.h"
#include <math.h>

void enc_lc_config_default(enc_lc_config *c)
{
    c->default_gap_days = 90;
    c->new_days = 90;
    c->mature_days = 365;
    c->mature_occasions = 4;
    c->declining_drift = 1.5;
    c->declining_overdue = 1.5;
    c->dormant_overdue = 2;
    c->dormant_min_days = 60;
    c->dormant_p_alive = 0.5;
    c->churned_overdue = 4;
    c->churned_min_days = 180;
    c->churned_p_alive = 0.1;
    c->window_days = 90;
    c->lost_days = 365;
    c->min_events = 1;
}

enc_rc enc_lc_config_check(const enc_lc_config *c, enc_err *err)
{
    if (!(c->default_gap_days > 0))
        return enc_fail(err, ENC_EUSAGE, "lifecycle: default gap must be positive days");
    if (!(c->window_days > 0) || !(c->lost_days >= c->window_days))
        return enc_fail(err, ENC_EUSAGE, "lifecycle: need 0 < window (%g) <= lost days (%g)",
                        c->window_days, c->lost_days);
    if (!(c->declining_overdue <= c->dormant_overdue && c->dormant_overdue <= c->churned_overdue))
        return enc_fail(
            err, ENC_EUSAGE,
            "lifecycle: overdue thresholds must rise: declining %g <= dormant %g <= churned %g",
            c->declining_overdue, c->dormant_overdue, c->churned_overdue);
    if (!(c->churned_p_alive <= c->dormant_p_alive))
        return enc_fail(err, ENC_EUSAGE, "lifecycle: churned P(alive) %g above dormant %g",
                        c->churned_p_alive, c->dormant_p_alive);
    return ENC_OK;
}

enc_lc_stage enc_lc_stage_of(const enc_lc_config *c, int32_t occasions, double tenure_days,
                             double recency_days, double mean_gap_days, double last_gap_days,
                             double p_alive)
{
    if (occasions <= 0) return ENC_LC_PROSPECT;
    int own = occasions >= 2 && mean_gap_days > 0; /* NaN compares false */
    double g = own ? mean_gap_days : c->default_gap_days;
    double overdue = recency_days / g;
    int known_p = !isnan(p_alive);
    if ((known_p && p_alive < c->churned_p_alive) ||
        (recency_days >= c->churned_min_days && overdue >= c->churned_overdue))
        return ENC_LC_CHURNED;
    if ((known_p && p_alive < c->dormant_p_alive) ||
        (recency_days >= c->dormant_min_days && overdue >= c->dormant_overdue))
        return ENC_LC_DORMANT;
    if (tenure_days <= c->new_days) return ENC_LC_NEW;
    if (occasions == 1 || (own && last_gap_days / mean_gap_days >= c->declining_drift) ||
        overdue >= c->declining_overdue)
        return ENC_LC_DECLINING;
    if (tenure_days < c->mature_days || occasions < c->mature_occasions) return ENC_LC_GROWING;
    return ENC_LC_MATURE;
}

enc_lc_class enc_lc_class_of(const enc_lc_config *c, int32_t occasions, double recency_days,
                             int32_t events)
{
    int engaged = events >= c->min_events;
    if (occasions > 0 && recency_days < c->window_days)
        return occasions >= 2 ? ENC_LC_CLASS_REPEAT : ENC_LC_CLASS_ONE_TIME;
    if (engaged) return ENC_LC_CLASS_ACTIVE_NON_BUYER;
    if (occasions <= 0) return ENC_LC_CLASS_PROSPECT;
    return recency_days < c->lost_days ? ENC_LC_CLASS_DORMANT : ENC_LC_CLASS_LOST;
}

enc_rc enc_lc_stages(const enc_lc_config *c, const enc_lc_input *in, uint8_t *stage, enc_err *err)
{
    enc_rc rc = enc_lc_config_check(c, err);
    if (rc) return rc;
    for (size_t i = 0; i < in->n; i++)
        stage[i] = (uint8_t)enc_lc_stage_of(
            c, in->occasions[i], in->tenure_days[i], in->recency_days[i], in->mean_gap_days[i],
            in->last_gap_days[i], in->p_alive ? in->p_alive[i] : NAN);
    return ENC_OK;
}

enc_rc enc_lc_classes(const enc_lc_config *c, const enc_lc_input *in, uint8_t *cls, enc_err *err)
{
    enc_rc rc = enc_lc_config_check(c, err);
    if (rc) return rc;
    for (size_t i = 0; i < in->n; i++)
        cls[i] = (uint8_t)enc_lc_class_of(c, in->occasions[i], in->recency_days[i],
                                          in->events ? in->events[i] : 0);
    return ENC_OK;
}

static const char *stage_names[ENC_LC_STAGE_COUNT] = {"prospect",  "new",     "growing", "mature",
                                                      "declining", "dormant", "churned"};
static const char *class_names[ENC_LC_CLASS_COUNT] = {"prospect",         "repeat",  "one_time",
                                                      "active_non_buyer", "dormant", "lost"};

const char *enc_lc_stage_name(enc_lc_stage s)
{
    return (unsigned)s < ENC_LC_STAGE_COUNT ? stage_names[s] : "?";
}
const char *enc_lc_class_name(enc_lc_class c)
{
    return (unsigned)c < ENC_LC_CLASS_COUNT ? class_names[c] : "?";
}
