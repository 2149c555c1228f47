/* sendtime.c — the best hour of the week per customer (see sendtime.h). */
#include "intel/sendtime.h"
#include <string.h>

/* circular smoothing over the neighbouring hours: 1/4, 1/2, 1/4 */
static void smooth(const double *n24, double *sm)
{
    for (int h = 0; h < 24; h++)
        sm[h] = 0.25 * n24[(h + 23) % 24] + 0.5 * n24[h] + 0.25 * n24[(h + 1) % 24];
}

void enc_sendtime_pop_init(enc_sendtime_pop *p, double prior)
{
    memset(p, 0, sizeof *p);
    p->prior = prior > 0 ? prior : 4;
}

void enc_sendtime_pop_add(enc_sendtime_pop *p, const double *slots)
{
    for (int s = 0; s < ENC_SENDTIME_SLOTS; s++)
        if (slots[s] > 0) p->count[s] += slots[s];
}

void enc_sendtime_pop_finish(enc_sendtime_pop *p)
{
    double tot = 0, h24[24] = {0}, sm[24];
    for (int s = 0; s < ENC_SENDTIME_SLOTS; s++) h24[s % 24] += p->count[s];
    smooth(h24, sm);
    for (int h = 0; h < 24; h++) tot += sm[h] + 1;
    for (int h = 0; h < 24; h++) {
        p->hod[h] = (sm[h] + 1) / tot;
        for (int d = 0; d < 7; d++) /* add-one over the 7 days of that hour */
            p->dow[d * 24 + h] = (p->count[d * 24 + h] + 1) / (h24[h] + 7);
    }
}

static double pos(double x) { return x > 0 ? x : 0; }

int enc_sendtime_best(const enc_sendtime_pop *p, const double *slots, const uint8_t *allowed,
                      double *score)
{
    double n24[24] = {0}, sm[24], n = 0;
    for (int s = 0; s < ENC_SENDTIME_SLOTS; s++)
        if (slots[s] > 0) n24[s % 24] += slots[s], n += slots[s];
    smooth(n24, sm);
    int best = -1;
    for (int s = 0; s < ENC_SENDTIME_SLOTS; s++) {
        int h = s % 24;
        double ph = (sm[h] + p->prior * p->hod[h]) / (n + p->prior);
        /* the day at that hour, from the same smoothed neighbourhood as the hour (so an hour
         * next to the customer's habit follows the customer's days, not only the
         * population's), shrunk alike */
        double own = 0.25 * pos(slots[(s + 167) % 168]) + 0.5 * pos(slots[s]) +
                     0.25 * pos(slots[(s + 1) % 168]);
        score[s] = ph * (own + p->prior * p->dow[s]) / (sm[h] + p->prior);
        if ((!allowed || allowed[s]) && (best < 0 || score[s] > score[best])) best = s;
    }
    return best;
}

int enc_sendtime_slot(int64_t t, int64_t off_s)
{
    int64_t l = t + off_s;
    int64_t day = l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
    int64_t sec = l - day * 86400;
    int dow = (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday: Monday = 0 */
    return dow * 24 + (int)(sec / 3600);
}
