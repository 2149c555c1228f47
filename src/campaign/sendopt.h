/* sendopt.h — the campaign option "send_time": "optimal" (issue 19 item 3): each message due at
 * `due` moves to the customer's best hour of the week (intel/sendtime_fit.h, fitted on the
 * last 365 days of opens, clicks and paid orders) among the hours from due to 7 days later
 * that are outside the customer's quiet hours and no later than due + send_within. A customer
 * without responses gets the population's best such hour. */
#ifndef ENCORE_CAMPAIGN_SENDOPT_H
#define ENCORE_CAMPAIGN_SENDOPT_H
#include "campaign/policy.h"
#include "intel/sendtime_fit.h"

#define ENC_SENDOPT_HISTORY (365 * 86400LL) /* the responses the model learns from */
#define ENC_SENDOPT_HORIZON (7 * 86400LL)   /* how far a message may move */

typedef struct enc_sendopt_stats {
    int64_t considered;   /* messages looked at */
    int64_t moved;        /* their due time changed */
    int64_t with_history; /* the customer had responses to learn from */
    int64_t hours[24];    /* the local hour of day each considered message was put at */
} enc_sendopt_stats;

/* Fits the model from st as of now (the last ENC_SENDOPT_HISTORY). Free *m with
 * enc_sendtime_model_free (also after a failure). */
enc_rc enc_sendopt_fit(enc_store *st, int64_t now, enc_sendtime_model *m, enc_err *err);

/* The send time of a message to customer_id (zone tz, NULL = UTC) due at due: the best hour
 * allowed (pol NULL = no quiet hours, for transactional mail); counted into *stats. */
int64_t enc_sendopt_time(const enc_sendtime_model *m, const enc_policy *pol, int64_t customer_id,
                         const enc_tz *tz, int64_t due, int64_t within, enc_sendopt_stats *stats);
#endif
