/* sendopt.c — "send_time": "optimal" in the planner (see sendopt.h). Slots are hours of the
 * week in UTC: a weekly pattern in UTC is the same instants as in the customer's zone (up to
 * a daylight-saving shift), and quiet hours are checked in the customer's zone. */
#include "campaign/sendopt.h"
#include "intel/sendtime_fit.h"

/* The best start among due and the whole hours after it up to the horizon and due + within,
 * outside quiet hours; due itself when none is. */
static int64_t best_time(const double *score, const enc_policy *pol, const enc_tz *tz, int64_t due,
                         int64_t within)
{
    int64_t limit = due + (within < ENC_SENDOPT_HORIZON ? within : ENC_SENDOPT_HORIZON);
    int64_t first_hour = due - ((due % 3600) + 3600) % 3600;
    int64_t best = due;
    double best_s = -1;
    for (int64_t t = due; t <= limit; t = (t == due ? first_hour : t) + 3600) {
        if (pol && enc_policy_is_quiet(pol, tz, t)) continue;
        double s = score[enc_sendtime_slot(t, 0)];
        if (s > best_s) best_s = s, best = t;
    }
    return best;
}

enc_rc enc_sendopt_fit(enc_store *st, int64_t now, enc_sendtime_model *m, enc_err *err)
{
    return enc_sendtime_model_fit(st, NULL, now - ENC_SENDOPT_HISTORY, now, 0, m, err);
}

int64_t enc_sendopt_time(const enc_sendtime_model *m, const enc_policy *pol, int64_t customer_id,
                         const enc_tz *tz, int64_t due, int64_t within, enc_sendopt_stats *stats)
{
    double score[ENC_SENDTIME_SLOTS];
    ptrdiff_t i = enc_sendtime_find(m->rows, m->n, customer_id);
    enc_sendtime_model_scores(m, i, score);
    int64_t t = best_time(score, pol, tz, due, within);
    stats->considered++;
    stats->with_history += i >= 0;
    stats->moved += t != due;
    int off = tz ? enc_tz_offset(tz, t) : 0;
    stats->hours[enc_sendtime_slot(t, off) % 24]++;
    return t;
}
