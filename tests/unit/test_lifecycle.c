/* test_lifecycle.c — unit tests for src/intel/lifecycle: each stage's rule on both sides of its
 * boundaries under the default thresholds, every stage and class reachable, the classes'
 * windows, config checks, and cadence.c's outputs feeding the stages. */
#include "harness.h"
#include "intel/cadence.h"
#include "intel/lifecycle.h"

static enc_lc_config C;
#define ST(occ, ten, rec, mg, lg, p) enc_lc_stage_of(&C, occ, ten, rec, mg, lg, p)

static void prospect_and_churned(void)
{
    CHECK_INT(ST(0, NAN, NAN, NAN, NAN, NAN), ENC_LC_PROSPECT);
    /* P(alive) below 0.1 churns whatever the recency */
    CHECK_INT(ST(6, 400, 5, 30, 30, 0.0999), ENC_LC_CHURNED);
    CHECK_INT(ST(6, 400, 5, 30, 30, 0.1), ENC_LC_DORMANT); /* 0.1 is not below 0.1; below 0.5 */
    /* monthly buyer: churned from 180 days (4 x 30 = 120 is not enough on its own) */
    CHECK_INT(ST(6, 400, 180, 30, 30, NAN), ENC_LC_CHURNED);
    CHECK_INT(ST(6, 400, 179.9, 30, 30, NAN), ENC_LC_DORMANT);
    /* 100-day buyer: churned from 4 x 100 days */
    CHECK_INT(ST(6, 800, 400, 100, 100, NAN), ENC_LC_CHURNED);
    CHECK_INT(ST(6, 800, 399.9, 100, 100, NAN), ENC_LC_DORMANT);
    /* one-time buyer: default gap 90 -> churned from 360 days */
    CHECK_INT(ST(1, 360, 360, NAN, NAN, NAN), ENC_LC_CHURNED);
    CHECK_INT(ST(1, 359.9, 359.9, NAN, NAN, NAN), ENC_LC_DORMANT);
}

static void dormant(void)
{
    CHECK_INT(ST(6, 400, 5, 30, 30, 0.4999), ENC_LC_DORMANT);
    CHECK_INT(ST(6, 400, 5, 30, 30, 0.5), ENC_LC_MATURE);
    /* weekly buyer: twice overdue at 14 days, but dormant only from 60 days */
    CHECK_INT(ST(6, 400, 59.9, 7, 7, NAN), ENC_LC_DECLINING);
    CHECK_INT(ST(6, 400, 60, 7, 7, NAN), ENC_LC_DORMANT);
    /* 40-day buyer: dormant from 2 x 40 = 80 days */
    CHECK_INT(ST(6, 400, 79.9, 40, 40, NAN), ENC_LC_DECLINING);
    CHECK_INT(ST(6, 400, 80, 40, 40, NAN), ENC_LC_DORMANT);
    /* one-time buyer from 180 days */
    CHECK_INT(ST(1, 179.9, 179.9, NAN, NAN, NAN), ENC_LC_DECLINING);
    CHECK_INT(ST(1, 180, 180, NAN, NAN, NAN), ENC_LC_DORMANT);
}

static void new_customers(void)
{
    CHECK_INT(ST(1, 90, 90, NAN, NAN, NAN), ENC_LC_NEW);
    CHECK_INT(ST(1, 90.01, 90.01, NAN, NAN, NAN), ENC_LC_DECLINING); /* no second purchase */
    CHECK_INT(ST(3, 60, 5, 27.5, 30, NAN), ENC_LC_NEW);
    CHECK_INT(ST(3, 90.01, 5, 27.5, 30, NAN), ENC_LC_GROWING);
    /* a new customer who is already well overdue is dormant, not new */
    CHECK_INT(ST(2, 89, 70, 10, 10, NAN), ENC_LC_DORMANT);
}

static void declining(void)
{
    /* drift: last gap / mean gap >= 1.5 */
    CHECK_INT(ST(5, 400, 10, 50, 75, NAN), ENC_LC_DECLINING);
    CHECK_INT(ST(5, 400, 10, 50, 74.9, NAN), ENC_LC_MATURE);
    /* overdue: recency / mean gap >= 1.5 */
    CHECK_INT(ST(5, 400, 30, 20, 20, NAN), ENC_LC_DECLINING);
    CHECK_INT(ST(5, 400, 29.9, 20, 20, NAN), ENC_LC_MATURE);
    /* one-time buyer past the new window */
    CHECK_INT(ST(1, 120, 120, NAN, NAN, NAN), ENC_LC_DECLINING);
}

static void growing_and_mature(void)
{
    CHECK_INT(ST(10, 364.9, 10, 30, 30, NAN), ENC_LC_GROWING);
    CHECK_INT(ST(10, 365, 10, 30, 30, NAN), ENC_LC_MATURE);
    CHECK_INT(ST(3, 500, 10, 200, 200, NAN), ENC_LC_GROWING);
    CHECK_INT(ST(4, 500, 10, 150, 150, NAN), ENC_LC_MATURE);
    CHECK_INT(ST(4, 500, 10, 150, 150, 0.97), ENC_LC_MATURE);
}

static void classes(void)
{
#define CL(occ, rec, ev) enc_lc_class_of(&C, occ, rec, ev)
    CHECK_INT(CL(0, NAN, 0), ENC_LC_CLASS_PROSPECT);
    CHECK_INT(CL(0, NAN, 3), ENC_LC_CLASS_ACTIVE_NON_BUYER);
    CHECK_INT(CL(2, 89.9, 0), ENC_LC_CLASS_REPEAT);
    CHECK_INT(CL(1, 10, 0), ENC_LC_CLASS_ONE_TIME);
    CHECK_INT(CL(2, 90, 0), ENC_LC_CLASS_DORMANT); /* the window is (as_of - 90 d, as_of] */
    CHECK_INT(CL(2, 90, 1), ENC_LC_CLASS_ACTIVE_NON_BUYER);
    CHECK_INT(CL(2, 364.9, 0), ENC_LC_CLASS_DORMANT);
    CHECK_INT(CL(2, 365, 0), ENC_LC_CLASS_LOST);
    CHECK_INT(CL(1, 1000, 2), ENC_LC_CLASS_ACTIVE_NON_BUYER);
    enc_lc_config c2 = C;
    c2.min_events = 2;
    CHECK_INT(enc_lc_class_of(&c2, 5, 100, 1), ENC_LC_CLASS_DORMANT);
    CHECK_INT(enc_lc_class_of(&c2, 5, 100, 2), ENC_LC_CLASS_ACTIVE_NON_BUYER);
#undef CL
}

static void arrays_reach_every_stage_and_class(void)
{
    /* one customer a stage: prospect new growing mature declining dormant churned */
    int32_t occ[7] = {0, 1, 3, 6, 5, 6, 6};
    double ten[7] = {NAN, 10, 200, 600, 400, 400, 800};
    double rec[7] = {NAN, 10, 5, 10, 30, 80, 400};
    double mg[7] = {NAN, NAN, 60, 100, 20, 40, 100};
    double lg[7] = {NAN, NAN, 60, 100, 20, 40, 100};
    double pa[7] = {NAN, NAN, 0.9, 0.9, 0.8, NAN, NAN};
    int32_t ev[7] = {0, 0, 0, 0, 2, 0, 0};
    enc_lc_input in = {7, occ, ten, rec, mg, lg, pa, ev};
    uint8_t st[7], cl[7];
    CHECK_INT(enc_lc_stages(&C, &in, st, NULL), 0);
    for (int i = 0; i < 7; i++) CHECK_INT(st[i], i);
    CHECK_INT(enc_lc_classes(&C, &in, cl, NULL), 0);
    CHECK_INT(cl[0], ENC_LC_CLASS_PROSPECT);
    CHECK_INT(cl[1], ENC_LC_CLASS_ONE_TIME);
    CHECK_INT(cl[2], ENC_LC_CLASS_REPEAT);
    CHECK_INT(cl[4], ENC_LC_CLASS_REPEAT);
    CHECK_INT(cl[5],
              ENC_LC_CLASS_REPEAT); /* dormant by their own rhythm, yet bought in the window */
    CHECK_INT(cl[6], ENC_LC_CLASS_LOST);
    in.events = NULL;
    in.p_alive = NULL;
    CHECK_INT(enc_lc_classes(&C, &in, cl, NULL), 0);
    CHECK_INT(cl[4], ENC_LC_CLASS_REPEAT);
    rec[4] = 100; /* lapsed past the window, still engaged */
    in.events = ev;
    CHECK_INT(enc_lc_classes(&C, &in, cl, NULL), 0);
    CHECK_INT(cl[4], ENC_LC_CLASS_ACTIVE_NON_BUYER);
    CHECK_STR(enc_lc_stage_name(ENC_LC_DECLINING), "declining");
    CHECK_STR(enc_lc_class_name(ENC_LC_CLASS_ACTIVE_NON_BUYER), "active_non_buyer");
}

static void config_checks(void)
{
    enc_err err = {0};
    enc_lc_config c = C;
    c.dormant_overdue = 5; /* above churned 4 */
    CHECK_INT(enc_lc_config_check(&c, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "overdue") != NULL);
    c = C;
    c.default_gap_days = 0;
    CHECK_INT(enc_lc_config_check(&c, &err), ENC_EUSAGE);
    c = C;
    c.lost_days = 30;
    CHECK_INT(enc_lc_config_check(&c, &err), ENC_EUSAGE);
    c = C;
    c.churned_p_alive = 0.6;
    CHECK_INT(enc_lc_config_check(&c, &err), ENC_EUSAGE);
    enc_lc_input in = {0};
    uint8_t st[1];
    CHECK_INT(enc_lc_stages(&c, &in, st, &err), ENC_EUSAGE);
    CHECK_INT(enc_lc_config_check(&C, &err), ENC_OK);
}

static void from_cadence(void)
{
    /* a monthly buyer whose last gap doubled, as of 10 days after the last purchase */
    const int64_t D = 86400, T0 = 1600000000;
    int64_t ts[] = {T0,           T0 + 30 * D,  T0 + 60 * D,  T0 + 90 * D,  T0 + 120 * D,
                    T0 + 150 * D, T0 + 180 * D, T0 + 210 * D, T0 + 240 * D, T0 + 270 * D,
                    T0 + 300 * D, T0 + 330 * D, T0 + 420 * D};
    int64_t off[] = {0, 13};
    enc_cadence_config cc;
    enc_cadence_config_default(&cc);
    int32_t occ[1];
    double ten[1], rec[1], mg[1], lg[1], ws[13];
    enc_cadence_out o = {.occasions = occ,
                         .tenure_days = ten,
                         .recency_days = rec,
                         .mean_gap_days = mg,
                         .last_gap_days = lg};
    CHECK_INT(enc_cadence_compute(&cc, ts, off, 1, T0 + 430 * D, NULL, &o, ws, 13, NULL), 0);
    enc_lc_input in = {1, occ, ten, rec, mg, lg, NULL, NULL};
    uint8_t st[1];
    CHECK_INT(enc_lc_stages(&C, &in, st, NULL), 0);
    CHECK_INT(st[0], ENC_LC_DECLINING); /* drift 90 / 35 = 2.57 */
    /* the same customer as of day 335 was on rhythm, short of a year's tenure: growing */
    CHECK_INT(enc_cadence_compute(&cc, ts, off, 1, T0 + 335 * D, NULL, &o, ws, 13, NULL), 0);
    CHECK_INT(enc_lc_stages(&C, &in, st, NULL), 0);
    CHECK_INT(st[0], ENC_LC_GROWING);
}

int main(void)
{
    enc_lc_config_default(&C);
    RUN(prospect_and_churned);
    RUN(dormant);
    RUN(new_customers);
    RUN(declining);
    RUN(growing_and_mature);
    RUN(classes);
    RUN(arrays_reach_every_stage_and_class);
    RUN(config_checks);
    RUN(from_cadence);
    return TEST_SUMMARY();
}
