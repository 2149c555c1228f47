/* test_plan.c — the campaign planner (src/campaign/plan.c, run.c, campdb.c):
 *   - the decision kernel on hand cases: channel fallback and the reason reported, quiet hours,
 *     caps (drop, defer, fall back), a lower-priority queued message giving way, budgets,
 *     earlier decisions standing;
 *   - properties over random policies, histories and customers, checked against brute force
 *     written plainly here: no message without consent, to a suppressed or missing address,
 *     over a cap in any window, in quiet hours (local time from the zone's fixed offset), or
 *     outside its sending window; counts add up;
 *   - holdout and variant shares within 1 percentage point on 100,000 customers, identical
 *     on a rerun;
 *   - the planner on a small hand-made store (decisions worked out by hand), HTML escaping;
 *   - idempotent start (a rerun, even with the watermark lost, adds nothing);
 *   - tick with a test clock every 15 minutes through a cart-abandonment day;
 *   - coupon redemption by imported orders; A/B test then roll-out; priority across campaigns. */
#include "campaign_fixture.h"
#include "store/store_int.h"
#include "base/rng.h"
#include "campaign/campdb.h"
#include "campaign/plan.h"
#include "campaign/policy.h"
#include "campaign/run.h"
#include "measure/abdecide.h"
#include "delivery/outbox.h"
#include "campaign/token.h"

#define H 3600
#define DAY 86400

static const char content_all[] =
    "\"content\":{\"email\":{\"subject\":\"Hi {{customer.name}}\",\"text\":\"t {{coupon.code}}\","
    "\"html\":\"<p>{{customer.name}}</p>\"},\"sms\":{\"text\":\"s {{coupon.code}}\"},"
    "\"push\":{\"text\":\"p\"},\"wechat\":{\"text\":\"w\"},\"inapp\":{\"text\":\"i\"}}";

/* The campaign files of these tests check rules other than the control group, and were
 * written when a file without "holdout" had none; since the default is 10%
 * (ENC_SPEC_DEFAULT_HOLDOUT), a file without the key is parsed with "holdout": 0 here. The
 * default itself is checked in default_holdout below. */
static enc_rc parse_h0(const char *text, size_t n, enc_store *st, enc_spec **out, enc_err *err)
{
    if (strstr(text, "\"holdout\"") || n == 0 || text[0] != '{')
        return enc_spec_parse(text, n, st, out, err);
    char *t = malloc(n + 16);
    memcpy(t, "{\"holdout\":0,", 13);
    memcpy(t + 13, text + 1, n - 1);
    t[n + 12] = 0;
    enc_rc rc = enc_spec_parse(t, n + 12, st, out, err);
    free(t);
    return rc;
}

static enc_spec *mk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static enc_spec *mk(const char *fmt, ...)
{
    char body[2048], buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(buf, sizeof buf, "{\"trigger\":{\"type\":\"once\"},%s,%s}", content_all, body);
    enc_spec *s = NULL;
    enc_err err;
    if (parse_h0(buf, strlen(buf), NULL, &s, &err)) TH_FAIL("spec: %s\n%s", err.msg, buf);
    return s;
}

static enc_policy no_policy(void)
{
    enc_policy p;
    memset(&p, 0, sizeof p);
    return p;
}

static void add_hist(enc_person *p, int64_t at, int ch, int prio, bool queued, bool defer,
                     int64_t id)
{
    if (p->nhist == p->caphist) {
        p->caphist = p->caphist ? p->caphist * 2 : 4;
        p->hist = realloc(p->hist, p->caphist * sizeof *p->hist);
    }
    p->hist[p->nhist++] = (enc_hist_entry){at, id, (uint8_t)ch, (int8_t)prio, queued, defer, 0};
}

static void persons_free(enc_person *p, size_t n)
{
    for (size_t i = 0; i < n; i++) free(p[i].hist);
}

#define B(c) (uint8_t)(1u << (c))
static const int64_t NOW = 1773144000; /* 2026-03-10 12:00 UTC */

/* ---- the kernel by hand --------------------------------------------------------------------- */

static void fallback_and_reasons(void)
{
    enc_spec *s = mk("\"name\":\"k\",\"channels\":[\"email\",\"sms\"]");
    if (!s) return;
    enc_policy pol = no_policy();
    enc_person p[8] = {
        {.id = 1, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL) | B(CH_SMS)},
        {.id = 2, .consent = B(CH_SMS), .reachable = B(CH_EMAIL) | B(CH_SMS)},
        {.id = 3, .consent = 0, .reachable = B(CH_EMAIL) | B(CH_SMS)},
        {.id = 4,
         .consent = B(CH_EMAIL) | B(CH_SMS),
         .reachable = B(CH_SMS),
         .suppressed = B(CH_SMS)},
        {.id = 5, .consent = B(CH_EMAIL), .reachable = 0},
        {.id = 6, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL)},
        {.id = 7, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL)},
        {.id = 8, .consent = 0, .reachable = 0},
    };
    enc_cand c[8];
    memset(c, 0, sizeof c);
    for (int i = 0; i < 8; i++)
        c[i] = (enc_cand){.person = i, .due = NOW, .prior_channel = -1, .prior_variant = -1};
    c[5].exited = true;
    c[6].prior = 1; /* held out before */
    c[7].prior = 2, c[7].prior_channel = CH_SMS, c[7].prior_variant = 0, c[7].prior_at = NOW - H;
    enc_decide_in in = {s, &pol, NOW, -1, -1, -1};
    enc_decide_out out = {0};
    enc_plan_decide(&in, p, c, 8, &out);
    CHECK_INT(c[0].decision, ENC_DEC_MESSAGE);
    CHECK_INT(c[0].channel, CH_EMAIL);
    CHECK_INT(c[0].send_at, NOW);
    CHECK_INT(c[1].decision, ENC_DEC_MESSAGE);
    CHECK_INT(c[1].channel, CH_SMS); /* no email consent: the next channel */
    CHECK_INT(c[2].decision, ENC_DEC_NO_CONSENT);
    CHECK_INT(c[3].decision, ENC_DEC_SUPPRESSED); /* email: no address; sms: suppressed */
    CHECK_INT(c[4].decision, ENC_DEC_NO_ADDRESS);
    CHECK_INT(c[5].decision, ENC_DEC_EXITED);
    CHECK_INT(c[6].decision, ENC_DEC_HOLDOUT);
    CHECK_INT(c[7].decision,
              ENC_DEC_MESSAGE); /* the earlier decision stands, even without consent now */
    CHECK_INT(c[7].channel, CH_SMS);
    CHECK_INT(c[7].send_at, NOW - H);
    CHECK_INT(out.n[ENC_DEC_MESSAGE], 3);
    CHECK_INT(out.channels[CH_EMAIL], 1);
    CHECK_INT(out.channels[CH_SMS], 2);
    int64_t sum = 0;
    for (int d = 0; d < ENC_DEC_COUNT; d++) sum += out.n[d];
    CHECK_INT(sum, 8);
    CHECK_INT(p[0].nhist, 1); /* planned messages join the history */
    CHECK_INT(p[7].nhist, 0); /* an earlier message is in the loaded history already */
    free(out.disp);
    persons_free(p, 8);
    enc_spec_free(s);
}

static void quiet_hours_move_or_exclude(void)
{
    enc_tz *sh;
    enc_err err;
    if (enc_tz_load("Asia/Shanghai", &sh, &err)) {
        TH_FAIL("%s", err.msg);
        return;
    }
    enc_policy pol = no_policy();
    pol.quiet_start = 21 * 60, pol.quiet_end = 8 * 60;
    for (int within = 0; within < 2; within++) {
        enc_spec *s = within ? mk("\"name\":\"q\",\"channels\":[\"email\"],\"send_within\":\"1h\"")
                             : mk("\"name\":\"q\",\"channels\":[\"email\"]");
        if (!s) continue;
        enc_person p = {.id = 1, .tz = sh, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL)};
        /* 14:00 UTC = 22:00 in Shanghai: waits for 08:00 local = 00:00 UTC next day */
        enc_cand c = {.person = 0, .due = NOW + 2 * H, .prior_channel = -1, .prior_variant = -1};
        enc_decide_in in = {s, &pol, NOW, -1, -1, -1};
        enc_decide_out out = {0};
        enc_plan_decide(&in, &p, &c, 1, &out);
        if (!within) {
            CHECK_INT(c.decision, ENC_DEC_MESSAGE);
            CHECK_INT(c.send_at, NOW + 12 * H);
            CHECK_INT(c.deferred, 1);
            CHECK_INT(out.deferred_quiet, 1);
        } else {
            CHECK_INT(c.decision, ENC_DEC_QUIET_HOURS); /* could not go out within 1 h */
        }
        free(out.disp);
        free(p.hist);
        enc_spec_free(s);
    }
    enc_tz_free(sh);
}

static void caps_drop_defer_fall_back(void)
{
    enc_policy pol = no_policy();
    pol.caps[pol.ncaps++] = (enc_cap){ENC_CAP_ALL_CHANNELS, 2, 7 * DAY};
    pol.caps[pol.ncaps++] = (enc_cap){CH_SMS, 1, DAY};
    const char *variants[] = {"\"on_cap\":\"drop\"", "\"on_cap\":\"defer\"",
                              "\"on_cap\":\"defer\",\"send_within\":\"2d\""};
    for (int v = 0; v < 3; v++) {
        enc_spec *s = mk("\"name\":\"c\",\"channels\":[\"email\"],%s", variants[v]);
        if (!s) continue;
        enc_person p = {.id = 1, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL)};
        add_hist(&p, NOW - 3 * DAY, CH_EMAIL, 5, false, false, 10);
        add_hist(&p, NOW - 1 * DAY, CH_SMS, 5, false, false, 11);
        enc_cand c = {.person = 0, .due = NOW, .prior_channel = -1, .prior_variant = -1};
        enc_decide_in in = {s, &pol, NOW, -1, -1, -1};
        enc_decide_out out = {0};
        enc_plan_decide(&in, &p, &c, 1, &out);
        if (v == 0) CHECK_INT(c.decision, ENC_DEC_FREQUENCY_CAP);
        if (v == 1) {
            /* the oldest leaves the 7-day window at NOW + 4 d */
            CHECK_INT(c.decision, ENC_DEC_MESSAGE);
            CHECK_INT(c.send_at, NOW + 4 * DAY);
            CHECK_INT(c.deferred, 2);
            CHECK_INT(out.deferred_cap, 1);
        }
        if (v == 2) CHECK_INT(c.decision, ENC_DEC_FREQUENCY_CAP); /* not within 2 days */
        free(out.disp);
        free(p.hist);
        enc_spec_free(s);
    }
    /* the SMS cap (1 a day) falls back to email now rather than waiting for SMS */
    enc_spec *s = mk("\"name\":\"c\",\"channels\":[\"sms\",\"email\"]");
    if (!s) return;
    enc_person p = {
        .id = 1, .consent = B(CH_EMAIL) | B(CH_SMS), .reachable = B(CH_EMAIL) | B(CH_SMS)};
    add_hist(&p, NOW - 2 * H, CH_SMS, 5, false, false, 12);
    enc_cand c = {.person = 0, .due = NOW, .prior_channel = -1, .prior_variant = -1};
    enc_decide_in in = {s, &pol, NOW, -1, -1, -1};
    enc_decide_out out = {0};
    enc_plan_decide(&in, &p, &c, 1, &out);
    CHECK_INT(c.decision, ENC_DEC_MESSAGE);
    CHECK_INT(c.channel, CH_EMAIL);
    CHECK_INT(c.send_at, NOW);
    free(out.disp);
    free(p.hist);
    enc_spec_free(s);
}

static void lower_priority_gives_way(void)
{
    enc_policy pol = no_policy();
    pol.caps[pol.ncaps++] = (enc_cap){ENC_CAP_ALL_CHANNELS, 2, 7 * DAY};
    for (int k = 0; k < 3; k++) {
        /* k 0: the queued one's campaign defers -> moved; 1: it drops -> cancelled;
         * 2: ours is the lower priority -> we are over the cap */
        enc_spec *s =
            mk("\"name\":\"hi\",\"channels\":[\"email\"],\"priority\":%d,\"on_cap\":\"drop\"",
               k == 2 ? 1 : 8);
        if (!s) continue;
        enc_person p = {.id = 1, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL)};
        add_hist(&p, NOW - DAY, CH_EMAIL, 5, false, false, 76); /* sent */
        add_hist(&p, NOW + H, CH_EMAIL, 2, true, k == 0, 77);   /* queued, priority 2 */
        enc_cand c = {.person = 0, .due = NOW, .prior_channel = -1, .prior_variant = -1};
        enc_decide_in in = {s, &pol, NOW, -1, -1, -1};
        enc_decide_out out = {0};
        enc_plan_decide(&in, &p, &c, 1, &out);
        if (k < 2) {
            CHECK_INT(c.decision, ENC_DEC_MESSAGE);
            CHECK_INT(c.send_at, NOW);
            CHECK_INT(out.ndisp, 1);
            if (out.ndisp) {
                CHECK_INT(out.disp[0].id, 77);
                CHECK_INT(out.disp[0].from, NOW + H);
                /* moved to when the sent one leaves the window: NOW - 1 d + 7 d */
                CHECK_INT(out.disp[0].to, k == 0 ? NOW + 6 * DAY : 0);
            }
            CHECK_INT(p.nhist, k == 0 ? 3 : 2);
        } else {
            CHECK_INT(c.decision, ENC_DEC_FREQUENCY_CAP);
            CHECK_INT(out.ndisp, 0);
        }
        free(out.disp);
        free(p.hist);
        enc_spec_free(s);
    }
    /* a displaced message keeps its own deadline (issue 11): when its next allowed time (NOW +
     * 6 d) passes its deadline (or its coupon's expiry), it expires: to < 0 (displaced_expired);
     * with a later deadline it moves as before */
    for (int k = 0; k < 2; k++) {
        enc_spec *s = mk("\"name\":\"hi\",\"channels\":[\"email\"],\"priority\":8");
        if (!s) continue;
        enc_person p = {.id = 1, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL)};
        add_hist(&p, NOW - DAY, CH_EMAIL, 5, false, false, 76);
        add_hist(&p, NOW + H, CH_EMAIL, 2, true, true, 77);
        p.hist[1].deadline = k == 0 ? NOW + 2 * DAY : NOW + 10 * DAY;
        enc_cand c = {.person = 0, .due = NOW, .prior_channel = -1, .prior_variant = -1};
        enc_decide_in in = {s, &pol, NOW, -1, -1, -1};
        enc_decide_out out = {0};
        enc_plan_decide(&in, &p, &c, 1, &out);
        CHECK_INT(c.decision, ENC_DEC_MESSAGE);
        CHECK_INT(out.ndisp, 1);
        if (out.ndisp) CHECK_INT(out.disp[0].to, k == 0 ? -1 : NOW + 6 * DAY);
        CHECK_INT(p.nhist, k == 0 ? 2 : 3);
        free(out.disp);
        free(p.hist);
        enc_spec_free(s);
    }
}

static void budgets(void)
{
    enc_spec *s =
        mk("\"name\":\"b\",\"channels\":[\"email\"],\"budget\":{\"messages\":5,\"coupons\":1},"
           "\"offer\":{\"kind\":\"value\",\"amount\":5}");
    if (!s) return;
    enc_policy pol = no_policy();
    enc_person p[4];
    enc_cand c[4];
    memset(p, 0, sizeof p);
    for (int i = 0; i < 4; i++) {
        p[i] = (enc_person){.id = i + 1, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL)};
        c[i] = (enc_cand){.person = i, .due = NOW + i, .prior_channel = -1, .prior_variant = -1};
    }
    /* 2 messages of the budget were spent by earlier runs */
    enc_decide_in in = {s, &pol, NOW, -1, 3, 1};
    enc_decide_out out = {0};
    enc_plan_decide(&in, p, c, 4, &out);
    CHECK_INT(c[0].decision, ENC_DEC_MESSAGE);
    CHECK(c[0].needs_coupon);
    CHECK_INT(c[1].decision, ENC_DEC_BUDGET); /* the one coupon is spent */
    CHECK_INT(out.n[ENC_DEC_BUDGET], 3);
    CHECK_INT(out.coupons, 1);
    free(out.disp);
    persons_free(p, 4);
    enc_spec_free(s);
}

/* ---- properties against brute force ---------------------------------------------------------- */

static const char *const zone_names[] = {"+00:00", "+05:30", "-08:00", "+08:00", "-03:30"};
static const int zone_offsets[] = {0, 5 * H + 1800, -8 * H, 8 * H, -(3 * H + 1800)};

static bool brute_quiet(const enc_policy *pol, int off, int64_t at)
{
    if (pol->quiet_start == pol->quiet_end) return false;
    int64_t local = at + off;
    int m = (int)(((local % DAY) + DAY) % DAY / 60);
    if (pol->quiet_start < pol->quiet_end) return m >= pol->quiet_start && m < pol->quiet_end;
    return m >= pol->quiet_start || m < pol->quiet_end;
}

typedef struct ev {
    int64_t at;
    int ch;
} ev;

/* every window [s, s + w) holding `at` holds at most max messages of the cap's channels */
static bool brute_caps(const enc_policy *pol, const ev *e, size_t n, int ch, int64_t at)
{
    for (int c = 0; c < pol->ncaps; c++) {
        const enc_cap *cap = &pol->caps[c];
        if (cap->channel != ENC_CAP_ALL_CHANNELS && cap->channel != ch) continue;
        for (size_t i = 0; i < n; i++) {
            bool match_i = cap->channel == ENC_CAP_ALL_CHANNELS || e[i].ch == cap->channel;
            if (!match_i || e[i].at > at || e[i].at <= at - cap->window) continue;
            int64_t s = e[i].at;
            int cnt = 0;
            for (size_t j = 0; j < n; j++)
                if ((cap->channel == ENC_CAP_ALL_CHANNELS || e[j].ch == cap->channel) &&
                    e[j].at >= s && e[j].at < s + cap->window)
                    cnt++;
            if (cnt > cap->max) return false;
        }
    }
    return true;
}

static void random_policies_keep_every_rule(void)
{
    enc_tz *zones[5];
    enc_err err;
    for (int z = 0; z < 5; z++)
        if (enc_tz_load(zone_names[z], &zones[z], &err)) {
            TH_FAIL("%s", err.msg);
            return;
        }
    enc_rng r;
    enc_rng_seed(&r, 2026);
    static const char *const within[] = {"1h", "12h", "2d", "7d"};
    int64_t messages = 0, refused = 0, moved = 0, deferred = 0;
    for (int trial = 0; trial < 300; trial++) {
        enc_policy pol = no_policy();
        int ncaps = (int)enc_rng_below(&r, 4);
        for (int k = 0; k < ncaps; k++) {
            int ch = enc_rng_below(&r, 3) == 0 ? ENC_CAP_ALL_CHANNELS
                                               : (int)enc_rng_below(&r, CH_NCHANNELS);
            static const int64_t wins[] = {H, 6 * H, DAY, 3 * DAY, 7 * DAY};
            pol.caps[pol.ncaps++] =
                (enc_cap){ch, (int)enc_rng_below(&r, 4), wins[enc_rng_below(&r, 5)]};
        }
        if (enc_rng_below(&r, 4)) {
            pol.quiet_start = (int)enc_rng_below(&r, 1440);
            pol.quiet_end = (int)enc_rng_below(&r, 1440);
        }
        /* the campaign: 1 to 3 channels in a random order */
        int order[CH_NCHANNELS] = {0, 1, 2, 3, 4};
        for (int i = CH_NCHANNELS - 1; i > 0; i--) {
            int j = (int)enc_rng_below(&r, (uint64_t)i + 1), t = order[i];
            order[i] = order[j], order[j] = t;
        }
        int nch = 1 + (int)enc_rng_below(&r, 3);
        char chans[128] = "";
        for (int i = 0; i < nch; i++) {
            size_t l = strlen(chans);
            snprintf(chans + l, sizeof chans - l, "%s\"%s\"", i ? "," : "",
                     enc_channel_name((enc_channel)order[i]));
        }
        int prio = (int)enc_rng_below(&r, 10);
        enc_spec *s = mk("\"name\":\"p%d\",\"channels\":[%s],\"priority\":%d,\"on_cap\":\"%s\","
                         "\"send_within\":\"%s\",\"holdout\":%.2f",
                         trial, chans, prio, enc_rng_below(&r, 2) ? "defer" : "drop",
                         within[enc_rng_below(&r, 4)], (double)enc_rng_below(&r, 30) / 100.0);
        if (!s) break;
        enum { NP = 30, NC = 60 };
        enc_person p[NP];
        int zone_of[NP];
        ev *orig[NP];
        size_t norig[NP];
        memset(p, 0, sizeof p);
        int64_t next_id = 1;
        for (int i = 0; i < NP; i++) {
            zone_of[i] = (int)enc_rng_below(&r, 5);
            p[i].id = (int64_t)enc_rng_below(&r, 1000000) + 1;
            p[i].tz = zones[zone_of[i]];
            p[i].consent = (uint8_t)enc_rng_below(&r, 32);
            p[i].reachable = (uint8_t)(enc_rng_below(&r, 32) | enc_rng_below(&r, 32));
            p[i].suppressed = (uint8_t)(enc_rng_below(&r, 4) ? 0 : enc_rng_below(&r, 32));
            int nh = (int)enc_rng_below(&r, 7);
            orig[i] = malloc(sizeof(ev) * 8);
            norig[i] = 0;
            for (int k = 0; k < nh; k++) {
                int64_t at = NOW - 8 * DAY + (int64_t)enc_rng_below(&r, 11 * DAY);
                int ch = (int)enc_rng_below(&r, CH_NCHANNELS);
                bool queued = at > NOW - H && enc_rng_below(&r, 2);
                add_hist(&p[i], at, ch, (int)enc_rng_below(&r, 10), queued, enc_rng_below(&r, 2),
                         next_id++);
                orig[i][norig[i]++] = (ev){at, ch};
            }
        }
        enc_cand c[NC];
        for (int k = 0; k < NC; k++)
            c[k] = (enc_cand){.person = (int32_t)enc_rng_below(&r, NP),
                              .due = NOW + (int64_t)enc_rng_below(&r, 2 * DAY),
                              .exited = enc_rng_below(&r, 10) == 0,
                              .prior_channel = -1,
                              .prior_variant = -1};
        /* the order the planner uses: due, then customer */
        for (int a = 1; a < NC; a++)
            for (int b = a; b > 0 && c[b - 1].due > c[b].due; b--) {
                enc_cand t = c[b - 1];
                c[b - 1] = c[b], c[b] = t;
            }
        enc_decide_in in = {s, &pol, NOW, -1, -1, -1};
        enc_decide_out out = {0};
        /* the ids the history held, to apply the moves to */
        enc_plan_decide(&in, p, c, NC, &out);

        int64_t sum = 0;
        for (int d = 0; d < ENC_DEC_COUNT; d++) sum += out.n[d];
        CHECK_INT(sum, NC);
        /* the final history, from the original: moves and cancellations applied, messages added.
         * Entries of the original are identified by id = position + first id of the person. */
        for (int i = 0; i < NP; i++) {
            ev fin[64];
            size_t nf = 0;
            int64_t first_id = 0;
            for (uint32_t k = 0; k < p[i].nhist; k++)
                if (p[i].hist[k].id && (!first_id || p[i].hist[k].id < first_id))
                    first_id = p[i].hist[k].id;
            (void)first_id;
            /* start from what the kernel left (it moved and removed in place) and check it
             * equals the original with the displacements applied, plus this run's messages */
            for (uint32_t k = 0; k < p[i].nhist && nf < 64; k++)
                fin[nf++] = (ev){p[i].hist[k].at, p[i].hist[k].channel};
            size_t expect = norig[i];
            for (size_t d = 0; d < out.ndisp; d++)
                if (out.disp[d].person == i && out.disp[d].to <= 0) expect--;
            int planned = 0;
            for (int k = 0; k < NC; k++)
                if (c[k].person == i && c[k].decision == ENC_DEC_MESSAGE) planned++;
            CHECK_INT(nf, expect + (size_t)planned);
            /* every message planned: the rules, by brute force over the final history */
            for (int k = 0; k < NC; k++) {
                const enc_cand *x = &c[k];
                if (x->person != i) continue;
                bool any_consent = false, any_addr = false, any_ok = false;
                for (int q = 0; q < nch; q++) {
                    int ch = order[q];
                    if (!((p[i].consent >> ch) & 1)) continue;
                    any_consent = true;
                    if (!((p[i].reachable >> ch) & 1)) continue;
                    any_addr = true;
                    if (!((p[i].suppressed >> ch) & 1)) any_ok = true;
                }
                if (x->decision == ENC_DEC_NO_CONSENT) CHECK(!any_consent);
                if (x->decision == ENC_DEC_NO_ADDRESS) CHECK(any_consent && !any_addr);
                if (x->decision == ENC_DEC_SUPPRESSED) CHECK(any_addr && !any_ok);
                CHECK((x->decision == ENC_DEC_EXITED) == x->exited);
                if (x->decision != ENC_DEC_MESSAGE) continue;
                messages++;
                if (x->deferred & 2) deferred++;
                bool listed = false;
                for (int q = 0; q < nch; q++) listed |= order[q] == x->channel;
                CHECK(listed);
                CHECK((p[i].consent >> x->channel) & 1);
                CHECK((p[i].reachable >> x->channel) & 1);
                CHECK(!((p[i].suppressed >> x->channel) & 1));
                CHECK(x->send_at >= x->due);
                CHECK(x->send_at <= x->due + s->send_within);
                if (brute_quiet(&pol, zone_offsets[zone_of[i]], x->send_at))
                    TH_FAIL("trial %d: a message at %lld in quiet hours", trial,
                            (long long)x->send_at);
                if (!brute_caps(&pol, fin, nf, x->channel, x->send_at))
                    TH_FAIL("trial %d: a message over a cap", trial);
            }
            /* messages of other campaigns moved by this run keep the rules too */
            for (size_t d = 0; d < out.ndisp; d++) {
                if (out.disp[d].person != i) continue;
                moved++;
                if (out.disp[d].to <= 0) continue;
                int ch = -1;
                for (uint32_t k = 0; k < p[i].nhist; k++)
                    if (p[i].hist[k].id == out.disp[d].id) ch = p[i].hist[k].channel;
                CHECK(ch >= 0);
                CHECK(!brute_quiet(&pol, zone_offsets[zone_of[i]], out.disp[d].to));
                if (ch >= 0) CHECK(brute_caps(&pol, fin, nf, ch, out.disp[d].to));
            }
            /* the final history is the original with the moves applied, plus the planned */
            ev want[64];
            size_t nw = 0;
            for (size_t k = 0; k < norig[i]; k++) want[nw++] = orig[i][k];
            for (size_t d = 0; d < out.ndisp; d++) {
                if (out.disp[d].person != i) continue;
                for (size_t k = 0; k < nw; k++)
                    if (want[k].at == out.disp[d].from) {
                        if (out.disp[d].to > 0) want[k].at = out.disp[d].to;
                        else want[k] = want[--nw];
                        break;
                    }
            }
            for (int k = 0; k < NC; k++)
                if (c[k].person == i && c[k].decision == ENC_DEC_MESSAGE)
                    want[nw++] = (ev){c[k].send_at, c[k].channel};
            int64_t sa = 0, sb = 0;
            for (size_t k = 0; k < nw; k++) sa += want[k].at * 7 + want[k].ch;
            for (size_t k = 0; k < nf; k++) sb += fin[k].at * 7 + fin[k].ch;
            CHECK_INT(sa, sb);
            free(orig[i]);
        }
        refused += out.n[ENC_DEC_FREQUENCY_CAP] + out.n[ENC_DEC_QUIET_HOURS];
        free(out.disp);
        persons_free(p, NP);
        enc_spec_free(s);
    }
    printf("# %lld messages planned, %lld refused by caps or quiet hours, %lld deferred, %lld "
           "queued messages moved or cancelled\n",
           (long long)messages, (long long)refused, (long long)deferred, (long long)moved);
    CHECK(messages > 500 && refused > 50 && deferred > 10 && moved > 5); /* every path was taken */
    for (int z = 0; z < 5; z++) enc_tz_free(zones[z]);
}

/* ---- shares on 100,000 customers ------------------------------------------------------------- */

static void run_shares(const enc_spec *s, size_t n, enc_cand *c)
{
    enc_policy pol = no_policy();
    enc_person *p = calloc(n, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        p[i] = (enc_person){.id = (int64_t)i + 1, .consent = B(CH_EMAIL), .reachable = B(CH_EMAIL)};
        c[i] =
            (enc_cand){.person = (int32_t)i, .due = NOW, .prior_channel = -1, .prior_variant = -1};
    }
    enc_decide_in in = {s, &pol, NOW, -1, -1, -1};
    enc_decide_out out = {0};
    enc_plan_decide(&in, p, c, n, &out);
    free(out.disp);
    persons_free(p, n);
    free(p);
}

static void holdout_and_variant_shares(void)
{
    enum { N = 100000 };
    enc_spec *s = mk("\"name\":\"spring-sale\",\"channels\":[\"email\"],\"holdout\":0.1,"
                     "\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.3},"
                     "{\"name\":\"C\",\"share\":0.2}]");
    if (!s) return;
    enc_cand *c = malloc(N * sizeof *c), *again = malloc(N * sizeof *again);
    run_shares(s, N, c);
    int64_t hold = 0, v[3] = {0}, sent = 0;
    for (int i = 0; i < N; i++) {
        if (c[i].decision == ENC_DEC_HOLDOUT) hold++;
        if (c[i].decision == ENC_DEC_MESSAGE) sent++, v[c[i].variant]++;
    }
    printf("# holdout %.4f (0.1); variants %.4f %.4f %.4f (0.5 0.3 0.2) of %lld sent\n",
           (double)hold / N, (double)v[0] / (double)sent, (double)v[1] / (double)sent,
           (double)v[2] / (double)sent, (long long)sent);
    CHECK_INT(hold + sent, N);
    CHECK(fabs((double)hold / N - 0.1) < 0.01);
    CHECK(fabs((double)v[0] / (double)sent - 0.5) < 0.01);
    CHECK(fabs((double)v[1] / (double)sent - 0.3) < 0.01);
    CHECK(fabs((double)v[2] / (double)sent - 0.2) < 0.01);
    /* a rerun gives every customer the same decision and variant */
    run_shares(s, N, again);
    int same = 0;
    for (int i = 0; i < N; i++)
        same += c[i].decision == again[i].decision && c[i].variant == again[i].variant;
    CHECK_INT(same, N);
    enc_spec_free(s);
    /* another campaign draws another holdout (the hash includes the campaign) */
    s = mk("\"name\":\"autumn-sale\",\"channels\":[\"email\"],\"holdout\":0.1");
    run_shares(s, N, again);
    int both = 0;
    for (int i = 0; i < N; i++)
        both += c[i].decision == ENC_DEC_HOLDOUT && again[i].decision == ENC_DEC_HOLDOUT;
    CHECK(fabs((double)both / N - 0.01) < 0.003); /* independent: 0.1 x 0.1 */
    enc_spec_free(s);
    /* an A/B test: 20% of the non-held-out test, the rest waits */
    s = mk("\"name\":\"ab\",\"channels\":[\"email\"],\"holdout\":0.1,\"variants\":[{\"name\":\"A\","
           "\"share\":0.5},"
           "{\"name\":\"B\",\"share\":0.5}],\"ab\":{\"test_share\":0.2,\"decide_after\":\"2d\"}");
    run_shares(s, N, again);
    int64_t waiting = 0;
    for (int i = 0; i < N; i++) waiting += again[i].decision == ENC_DEC_AB_WAITING;
    CHECK(fabs((double)waiting / N - 0.72) < 0.01);
    enc_spec_free(s);
    free(c);
    free(again);
}

/* ---- the planner over a hand-made store ------------------------------------------------------ */

static const char once_file[] =
    "{\"name\":\"hello\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\",\"sms\"],\"on_"
    "cap\":\"drop\","
    "\"offer\":{\"kind\":\"percent\",\"amount\":10,\"prefix\":\"HI\",\"expires\":\"7d\"},"
    "\"content\":{\"email\":{\"subject\":\"Hello {{customer.name}}\",\"text\":\"Code "
    "{{coupon.code}} for {{coupon.value}}\","
    "\"html\":\"<p>Hello {{customer.name}}, "
    "{{coupon.code}}</p>\"},\"sms\":{\"text\":\"{{coupon.code}} {{coupon.value}}\"}}}";

static int64_t k[8];

static enc_store *small_shop(const char *file)
{
    enc_store *st = fx_open(file);
    if (!st) return NULL;
    enc_err err;
    enc_store_begin(st, &err);
    int64_t t0 = NOW - 30 * DAY;
    k[1] = fx_customer(st, "K1", "k1@x.org", NULL, "UTC", NULL, t0);
    k[2] = fx_customer(st, "K2", "k2@x.org", "+15550000002", "UTC", NULL, t0);
    k[3] = fx_customer(st, "K3", "k3@x.org", "+15550000003", "UTC", NULL, t0);
    k[4] = fx_customer(st, "K4", "k4@x.org", NULL, "UTC", NULL, t0);
    k[5] = fx_customer(st, "K5", NULL, NULL, "UTC", NULL, t0);
    k[6] = fx_customer(st, "K6", "k6@x.org", NULL, "UTC", NULL, t0);
    k[7] = fx_customer(st, "K7", "k7@x.org", NULL, "Asia/Tokyo", NULL, t0);
    fx_sql(st, "UPDATE customers SET name = 'Tom & <Jerry>' WHERE external_id = 'K1'");
    fx_consent(st, "c1", k[1], t0, "email", true);
    fx_consent(st, "c2a", k[2], t0, "email", true);
    fx_consent(st, "c2b", k[2], t0 + DAY, "email", false); /* revoked */
    fx_consent(st, "c2c", k[2], t0, "sms", true);
    fx_consent(st, "c4", k[4], t0, "email", true);
    fx_consent(st, "c5", k[5], t0, "email", true);
    fx_consent(st, "c6", k[6], t0, "email", true);
    fx_consent(st, "c7", k[7], t0, "all", true);
    enc_store_commit(st, &err);
    /* K4's address is suppressed; K6 had two messages of another campaign this week */
    fx_sql(st, "INSERT INTO suppressions(channel, address, reason, at) VALUES('email', 'K4@X.ORG', "
               "'hard_bounce', 0)");
    enc_outbox *ob;
    if (enc_outbox_open(st, &ob, &err)) return st;
    enc_msg_rec m[2] = {
        {"other", "A", k[6], "email", "k6@x.org", "s", "t", NULL, NULL, "other|6|a", 5, NOW - DAY,
         0, 0, false},
        {"other", "A", k[6], "email", "k6@x.org", "s", "t", NULL, NULL, "other|6|b", 5,
         NOW - 2 * DAY, 0, 0, false},
    };
    size_t added;
    if (enc_outbox_enqueue(ob, m, 2, NOW - 3 * DAY, &added, &err)) TH_FAIL("%s", err.msg);
    enc_outbox_close(ob);
    fx_sql(st, "UPDATE messages SET state = 'sent', sent_at = due_at WHERE campaign = 'other'");
    return st;
}

static void planner_on_a_small_store(void)
{
    enc_store *st = small_shop("plan.db");
    if (!st) return;
    enc_spec *s;
    enc_err err = {0};
    if (parse_h0(once_file, strlen(once_file), st, &s, &err)) {
        TH_FAIL("%s", err.msg);
        enc_store_close(st);
        return;
    }
    enc_settings set;
    enc_settings_default(&set);
    enc_plan_opts o = {.now = NOW};
    enc_plan *p;
    if (enc_plan_build(st, s, &set, &o, &p, &err)) {
        TH_FAIL("%s", err.msg);
        enc_spec_free(s);
        enc_store_close(st);
        return;
    }
    const enc_decide_out *c = enc_plan_counts(p);
    CHECK_INT(enc_plan_size(p), 7);
    CHECK_INT(c->n[ENC_DEC_MESSAGE], 3);
    CHECK_INT(c->n[ENC_DEC_NO_CONSENT], 1);
    CHECK_INT(c->n[ENC_DEC_SUPPRESSED], 1);
    CHECK_INT(c->n[ENC_DEC_NO_ADDRESS], 1);
    CHECK_INT(c->n[ENC_DEC_FREQUENCY_CAP], 1);
    CHECK_INT(c->deferred_quiet, 1);
    CHECK_INT(c->coupons, 3);
    int want_dec[8] = {0,
                       ENC_DEC_MESSAGE,
                       ENC_DEC_MESSAGE,
                       ENC_DEC_NO_CONSENT,
                       ENC_DEC_SUPPRESSED,
                       ENC_DEC_NO_ADDRESS,
                       ENC_DEC_FREQUENCY_CAP,
                       ENC_DEC_MESSAGE};
    int want_ch[8] = {0, CH_EMAIL, CH_SMS, -1, -1, -1, -1, CH_EMAIL};
    /* K7 in Tokyo: 12:00 UTC is 21:00 there, quiet: 08:00 JST next day = 23:00 UTC */
    int64_t want_at[8] = {0, NOW, NOW, 0, 0, 0, 0, NOW + 11 * H};
    for (size_t i = 0; i < enc_plan_size(p); i++) {
        int64_t cust;
        const char *occ;
        const enc_cand *x = enc_plan_cand(p, i, &cust, &occ);
        int j = 0;
        for (int q = 1; q < 8; q++)
            if (k[q] == cust) j = q;
        CHECK_STR(occ, "once");
        if (x->decision != want_dec[j])
            TH_FAIL("K%d: %s, want %s", j, enc_decision_name(x->decision),
                    enc_decision_name(want_dec[j]));
        if (x->decision == ENC_DEC_MESSAGE) {
            CHECK_INT(x->channel, want_ch[j]);
            CHECK_INT(x->send_at, want_at[j]);
        }
    }
    /* the JSON adds up */
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_plan_json(p, 2, &w);
    CHECK(
        strstr(
            b.p,
            "\"audience\":7,\"customers\":7,\"eligible\":3,\"holdout\":0,\"variants\":{\"A\":3}") !=
        NULL);
    CHECK(strstr(b.p, "\"HI-XXXX-XXXX-XXXX\"") == NULL); /* the sample shows codes inside texts */
    CHECK(strstr(b.p, "Code HI-XXXX-XXXX-XXXX for 10%") != NULL);
    enc_buf_free(&b);
    /* write: three messages, three coupons; the HTML escapes the name, the text does not */
    int64_t added, coupons;
    CHECK_INT(enc_plan_write(p, st, 2, &added, &coupons, &err), ENC_OK);
    CHECK_INT(added, 3);
    CHECK_INT(coupons, 3);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM messages WHERE campaign = 'hello'"), 3);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM coupons WHERE campaign = 'hello' AND kind = "
                            "'percent' AND amount = 10"),
              3);
    char sql[256];
    snprintf(
        sql, sizeof sql,
        "SELECT count(*) FROM messages WHERE customer_id = %lld AND subject = 'Hello Tom & <Jerry>'"
        " AND body_html LIKE '<p>Hello Tom &amp; &lt;Jerry&gt;, HI-%%' AND idempotency_key = "
        "'hello|%lld|email|once'",
        (long long)k[1], (long long)k[1]);
    CHECK_INT(fx_scalar(st, sql), 1);
    /* the coupon is stored with its message and its code is in the text */
    CHECK_INT(
        fx_scalar(
            st,
            "SELECT count(*) FROM messages m JOIN coupons c ON c.message_key = m.idempotency_key"
            " WHERE instr(m.body_text, c.code) > 0"),
        3);
    snprintf(sql, sizeof sql, "SELECT due_at FROM messages WHERE customer_id = %lld",
             (long long)k[7]);
    CHECK_INT(fx_scalar(st, sql), NOW + 11 * H);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM campaign_members WHERE campaign = 'hello'"), 3);
    enc_plan_free(p);
    enc_spec_free(s);
    enc_store_close(st);
}

static void start_twice_adds_nothing(void)
{
    enc_store *st = small_shop("idem.db");
    if (!st) return;
    enc_spec *s;
    enc_err err = {0};
    const char *f = "{\"name\":\"again\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\","
                    "\"sms\"],\"holdout\":0.3,"
                    "\"offer\":{\"kind\":\"value\",\"amount\":3},"
                    "\"content\":{\"email\":{\"subject\":\"s\",\"text\":\"{{coupon.code}}\"},"
                    "\"sms\":{\"text\":\"{{coupon.code}}\"}}}";
    if (parse_h0(f, strlen(f), st, &s, &err)) {
        TH_FAIL("%s", err.msg);
        return;
    }
    enc_run_result r;
    CHECK_INT(enc_campaign_start(st, s, NOW, &r, &err), ENC_OK);
    int64_t first = r.added, members = fx_scalar(st, "SELECT count(*) FROM campaign_members");
    int64_t codes = fx_scalar(st, "SELECT count(*) FROM coupons");
    CHECK(first > 0);
    CHECK_INT(codes, first);
    CHECK_INT(r.audience, 7);
    /* again: nothing new is due */
    CHECK_INT(enc_campaign_start(st, s, NOW, &r, &err), ENC_OK);
    CHECK_INT(r.added, 0);
    CHECK_INT(r.audience, 0);
    /* the watermark lost (a crash before it was saved): the same decisions, the same keys */
    fx_sql(st, "UPDATE campaigns SET processed_to = NULL");
    CHECK_INT(enc_campaign_start(st, s, NOW, &r, &err), ENC_OK);
    CHECK_INT(r.audience, 7);
    CHECK_INT(r.messages, first);
    CHECK_INT(r.added, 0);
    CHECK_INT(r.coupons, 0);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM campaign_members"), members);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM coupons"), codes);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM messages WHERE campaign = 'again'"), first);
    /* and a tick later adds nothing either */
    enc_run_result *res;
    size_t n;
    int64_t red;
    CHECK_INT(enc_tick(st, NOW + H, &res, &n, &red, &err), ENC_OK);
    CHECK_INT(n, 1);
    if (n) CHECK_INT(res[0].added, 0);
    free(res);
    enc_spec_free(s);
    enc_store_close(st);
}

/* ---- tracking links name their message --------------------------------------------------------
 */

/* The tokens of every /t/c/ (or /t/o/) link of body s after base, verified with key, into t[]
 * (at most max); their number. */
static int tokens_in(const enc_token_key *key, const char *s, const char *kind, enc_token *t,
                     int max)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char pre[64];
    snprintf(pre, sizeof pre, "https://t.example%s", kind);
    int n = 0;
    for (const char *p = s ? strstr(s, pre) : NULL; p && n < max; p = strstr(p, pre)) {
        p += strlen(pre);
        size_t len = strspn(p, b64);
        if (p[len] == '.') len += 1 + strspn(p + len + 1, b64);
        enc_err err = {0};
        if (enc_token_check(key, p, len, 0, &t[n], &err)) TH_FAIL("token: %s", err.msg);
        else n++;
    }
    return n;
}

static void tracking_links_name_their_message(void)
{
    enc_store *st = small_shop("track.db");
    if (!st) return;
    enc_err err = {0};
    enc_settings set;
    enc_settings_default(&set);
    const char *pol =
        "{\"caps\": [], \"track_base_url\": \"https://t.example/\", \"unsubscribe_url\":"
        " \"https://t.example\", \"shop_url\": \"https://shop.example/?utm=a&src=b\"}";
    CHECK_INT(enc_settings_parse(pol, strlen(pol), &set, &err), ENC_OK);
    CHECK_STR(set.track_base_url, "https://t.example"); /* kept without its '/' */
    enc_token_key key;
    char path[600];
    snprintf(path, sizeof path, "%s/track.db", th_tmpdir());
    CHECK_INT(enc_token_key_load(NULL, NULL, path, &key, NULL, 0, &err), ENC_OK);
    static const char *const files[3] = {
        "{\"name\":\"tr%d\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\",\"sms\"],%s"
        "\"content\":{\"email\":{\"subject\":\"https://shop.example/subject\","
        "\"text\":\"Shop {{shop.url}}. Unsubscribe: {{unsubscribe_url}}\","
        "\"html\":\"<body><a href=\\\"{{shop.url}}\\\">s</a><A "
        "HREF='https://shop.example/p/1?a=1&amp;b=2'>p</A>"
        "<a href=\\\"{{unsubscribe_url}}\\\">u</a><a "
        "href=\\\"mailto:help@shop.example\\\">m</a></body>\"},"
        "\"sms\":{\"text\":\"{{shop.url}} STOP\"}}}",
    };
    static const char *const opts[3] = {"", "\"track_links\":false,", "\"track_opens\":false,"};
    for (int v = 0; v < 3; v++) {
        char f[2048];
        snprintf(f, sizeof f, files[0], v, opts[v]);
        enc_spec *s;
        if (parse_h0(f, strlen(f), st, &s, &err)) {
            TH_FAIL("%s", err.msg);
            break;
        }
        enc_plan_opts o = {.now = NOW};
        enc_plan *p;
        if (enc_plan_build(st, s, &set, &o, &p, &err)) {
            TH_FAIL("%s", err.msg);
            enc_spec_free(s);
            break;
        }
        /* batches of 2: the ids are reserved in each transaction */
        int64_t added, coupons, tracked, untracked;
        CHECK_INT(enc_plan_write(p, st, 2, &added, &coupons, &err), ENC_OK);
        CHECK_INT(added, 4);
        enc_plan_links(p, &tracked, &untracked);
        /* email: text 1, html 2 (shop, product); sms: 1 -- K1, K6, K7 by email, K2 by sms */
        CHECK_INT(tracked, v == 1 ? 0 : 3 * 3 + 1);
        CHECK_INT(untracked, 0);
        enc_plan_free(p);
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT id, customer_id, channel, body_text, body_html, subject FROM messages"
                 " WHERE campaign = 'tr%d' ORDER BY id",
                 v);
        sqlite3_stmt *q;
        sqlite3_prepare_v2(enc__store_db(st), sql, -1, &q, NULL);
        int rows = 0;
        while (sqlite3_step(q) == SQLITE_ROW) {
            rows++;
            int64_t id = sqlite3_column_int64(q, 0), cust = sqlite3_column_int64(q, 1);
            const char *ch = (const char *)sqlite3_column_text(q, 2);
            const char *txt = (const char *)sqlite3_column_text(q, 3);
            const char *htm = (const char *)sqlite3_column_text(q, 4);
            const char *subj = (const char *)sqlite3_column_text(q, 5);
            CHECK(id > 2); /* after the two messages of "other" */
            enc_token t[8];
            int nt = tokens_in(&key, txt, "/t/c/", t, 8);
            int nh = tokens_in(&key, htm, "/t/c/", t + nt, 8 - nt);
            enc_token px;
            int no = tokens_in(&key, htm, "/t/o/", &px, 1);
            bool email = strcmp(ch, "email") == 0;
            CHECK_INT(nt, v == 1 ? 0 : 1);
            CHECK_INT(nh, v == 1 || !email ? 0 : 2);
            CHECK_INT(no, email && v != 2 ? 1 : 0);
            for (int x = 0; x < nt + nh; x++) {
                CHECK_INT(t[x].message_id, id); /* the row's own id */
                CHECK_INT(t[x].customer_id, cust);
                CHECK_STR(t[x].channel, ch);
                snprintf(sql, sizeof sql, "tr%d", v);
                CHECK_STR(t[x].campaign, sql);
            }
            if (nt) CHECK_STR(t[0].url, "https://shop.example/?utm=a&src=b");
            if (nh == 2) {
                CHECK_STR(t[1].url, "https://shop.example/?utm=a&src=b"); /* &amp; decoded */
                CHECK_STR(t[2].url, "https://shop.example/p/1?a=1&b=2");
                CHECK(strstr(htm, "<A HREF='https://t.example/t/c/") != NULL);
            }
            if (no) {
                CHECK_INT(px.message_id, id);
                CHECK(strstr(htm, "\"></body>") != NULL); /* the pixel before </body> */
            }
            if (email) {
                /* the unsubscribe link and mailto: as they were; the subject untouched */
                CHECK(strstr(txt, ". Unsubscribe: https://t.example/u/") != NULL);
                CHECK(strstr(htm, "<a href=\"https://t.example/u/") != NULL);
                CHECK(strstr(htm, "<a href=\"mailto:help@shop.example\">") != NULL);
                CHECK_STR(subj, "https://shop.example/subject");
            }
            if (v == 1) CHECK(strstr(txt, "https://shop.example/?utm=a&src=b") != NULL);
        }
        sqlite3_finalize(q);
        CHECK_INT(rows, 4);
        enc_spec_free(s);
    }
    /* the ids given are the rows' ids: no message has a token of another */
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM messages"), 2 + 12);
    /* a policy with a query, or not a URL, is refused */
    const char *badp[2] = {"{\"track_base_url\": \"https://t.example/?x=1\"}",
                           "{\"track_base_url\": \"t.example\"}"};
    for (int b = 0; b < 2; b++) {
        enc_settings t2;
        enc_settings_default(&t2);
        CHECK_INT(enc_settings_parse(badp[b], strlen(badp[b]), &t2, &err), ENC_EPARSE);
        CHECK(strstr(err.msg, "track_base_url: expected the tracking server's base URL") != NULL);
    }
    enc_store_close(st);
}

/* ---- a cart-abandonment day with a test clock ------------------------------------------------ */

static const char cart_file[] =
    "{\"name\":\"cart\",\"trigger\":{\"type\":\"event\",\"event\":\"cart_abandoned\",\"delays\":["
    "\"1h\",\"24h\"]},"
    "\"exit\":[\"bought\"],\"channels\":[\"email\"],\"items\":{\"from\":\"trigger\"},"
    "\"offer\":{\"kind\":\"value\",\"amount\":[0,5],\"prefix\":\"CART\",\"expires\":\"3d\"},"
    "\"content\":{\"email\":{\"subject\":\"Your "
    "cart\",\"text\":\"{{#items}}{{name}};{{/items}}{{#coupon.code}} code "
    "{{coupon.code}}{{/coupon.code}}\"}}}";

static void tick_through_a_cart_day(void)
{
    int64_t D = fx_day(2026, 4, 1);
    enc_store *st = fx_open("cart.db");
    if (!st) return;
    enc_err err = {0};
    enc_store_begin(st, &err);
    int64_t lens = fx_product(st, "LENS", "Cameras/Lenses", 19900, 2, 0, NULL);
    fx_product(st, "BAG", "Cameras/Bags", 4900, 1, 0, NULL);
    int64_t u[5];
    static const char *const tz[5] = {NULL, "UTC", "UTC", "UTC", "America/Los_Angeles"};
    for (int i = 1; i <= 4; i++) {
        char ext[16], mail[32];
        snprintf(ext, sizeof ext, "U%d", i);
        snprintf(mail, sizeof mail, "u%d@x.org", i);
        u[i] = fx_customer(st, ext, mail, NULL, tz[i], NULL, D - 100 * DAY);
        fx_consent(st, ext, u[i], D - 100 * DAY, "email", true);
    }
    fx_event(st, "e1", u[1], D + 9 * H, "cart_add", "LENS");  /* 1 h: 10:00, 24 h: next 09:00 */
    fx_event(st, "e2", u[2], D + 13 * H, "cart_add", "LENS"); /* bought 13:30: nothing */
    fx_order(st, "o2", u[2], D + 13 * H + 1800, lens, "LENS", 1, 19900, NULL);
    fx_event(st, "e3", u[3], D + 15 * H, "cart_add", "BAG"); /* 1 h: 16:00; bought 17:00 */
    fx_order(st, "o3", u[3], D + 17 * H, lens, "LENS", 1, 19900, NULL);
    fx_event(st, "e4", u[4], D + 4 * H + 1800, "cart_add",
             "BAG"); /* 21:30 in LA the night before */
    enc_store_commit(st, &err);

    enc_spec *s;
    if (parse_h0(cart_file, strlen(cart_file), st, &s, &err)) {
        TH_FAIL("%s", err.msg);
        return;
    }
    enc_run_result r;
    CHECK_INT(enc_campaign_start(st, s, D, &r, &err), ENC_OK);
    CHECK_INT(r.added, 0);
    int64_t at_0945 = -1, at_1000 = -1;
    for (int64_t t = D + 15 * 60; t <= D + 2 * DAY; t += 15 * 60) {
        enc_run_result *res;
        size_t n;
        int64_t red;
        if (enc_tick(st, t, &res, &n, &red, &err)) {
            TH_FAIL("tick: %s", err.msg);
            break;
        }
        if (n != 1 || res[0].error[0])
            TH_FAIL("tick at %lld: %s", (long long)t, n ? res[0].error : "no campaign");
        free(res);
        if (t == D + 9 * H + 45 * 60) at_0945 = fx_scalar(st, "SELECT count(*) FROM messages");
        if (t == D + 10 * H) at_1000 = fx_scalar(st, "SELECT count(*) FROM messages");
    }
    /* U4's first reminder fell due at 05:30 UTC (22:30 in LA, quiet: 08:00 PDT = 15:00 UTC) */
    CHECK_INT(at_0945, 1);
    CHECK_INT(at_1000, 2);
    struct {
        int cust;
        int64_t cart, due;
        int step;
    } want[] = {
        {1, D + 9 * H, D + 10 * H, 1},
        {1, D + 9 * H, D + DAY + 9 * H, 2},
        {3, D + 15 * H, D + 16 * H, 1},
        {4, D + 4 * H + 1800, D + 15 * H, 1},
        {4, D + 4 * H + 1800, D + DAY + 15 * H, 2},
    };
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM messages"), 5);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char sql[256];
        snprintf(
            sql, sizeof sql,
            "SELECT due_at FROM messages WHERE idempotency_key = 'cart|%lld|email|cart:%lld#%d'",
            (long long)u[want[i].cust], (long long)want[i].cart, want[i].step);
        int64_t due = fx_scalar(st, sql);
        if (due != want[i].due)
            TH_FAIL("U%d step %d: due %lld, want %lld", want[i].cust, want[i].step, (long long)due,
                    (long long)want[i].due);
    }
    /* second reminders carry a coupon, first ones do not */
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM messages WHERE body_text LIKE '%code CART-%'"),
              2);
    CHECK_INT(
        fx_scalar(st, "SELECT count(*) FROM coupons WHERE campaign = 'cart' AND amount = 500"), 2);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM messages WHERE body_text LIKE 'LENS;%'"), 2);

    /* U1 redeems the coupon at 12:00 on the second day, typed in lower case with spaces */
    char code[64] = "", typed[80];
    bool found;
    int64_t exp;
    char key[128];
    snprintf(key, sizeof key, "cart|%lld|email|cart:%lld#2", (long long)u[1],
             (long long)(D + 9 * H));
    enc_coupon_find(st, NULL, key, code, sizeof code, &exp, &found, &err);
    CHECK(found);
    CHECK_INT(exp, D + DAY + 9 * H + 3 * DAY);
    size_t o = 0;
    for (const char *c = code; *c && o + 2 < sizeof typed; c++) {
        if (*c == '-') typed[o++] = ' ';
        else typed[o++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    }
    typed[o] = 0;
    enc_store_begin(st, &err);
    fx_order(st, "early", u[1], D + 8 * H, lens, "LENS", 1, 19900,
             typed); /* before it was issued */
    int64_t oid = fx_order(st, "paid", u[1], D + DAY + 12 * H, lens, "LENS", 1, 19900, typed);
    fx_order(st, "again", u[1], D + DAY + 13 * H, lens, "LENS", 1, 19900, typed);
    fx_order(st, "fake", u[2], D + DAY + 13 * H, lens, "LENS", 1, 19900, "CART-2345-6789-ABCD");
    enc_store_commit(st, &err);
    int64_t red;
    CHECK_INT(enc_coupon_redeem(st, &red, &err), ENC_OK);
    CHECK_INT(red, 1);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT redeemed_order FROM coupons WHERE code = '%s'", code);
    CHECK_INT(fx_scalar(st, sql), oid);
    CHECK_INT(enc_coupon_redeem(st, &red, &err), ENC_OK);
    CHECK_INT(red, 0);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM coupons WHERE redeemed_order IS NOT NULL"), 1);
    enc_spec_free(s);
    enc_store_close(st);
}

/* ---- A/B test then roll-out ---------------------------------------------------------------- */

static void ab_test_then_roll_out(void)
{
    enum { NCUST = 400 };
    int64_t T = fx_day(2026, 5, 4) + 10 * H;
    enc_store *st = fx_open("ab.db");
    if (!st) return;
    enc_err err = {0};
    enc_store_begin(st, &err);
    int64_t mug = fx_product(st, "MUG", "Home/Mugs", 900, 1, 0, NULL);
    for (int i = 0; i < NCUST; i++) {
        char ext[16], mail[32];
        snprintf(ext, sizeof ext, "A%03d", i);
        snprintf(mail, sizeof mail, "a%03d@x.org", i);
        int64_t id = fx_customer(st, ext, mail, NULL, "UTC", NULL, T - 100 * DAY);
        fx_consent(st, ext, id, T - 100 * DAY, "email", true);
    }
    enc_store_commit(st, &err);
    const char *f = "{\"name\":\"abtest\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"],"
                    "\"variants\":[{\"name\":\"A\",\"share\":0.5},{\"name\":\"B\",\"share\":0.5,"
                    "\"content\":{\"email\":{\"subject\":\"B!\"}}}],"
                    "\"ab\":{\"test_share\":0.3,\"decide_after\":\"2d\",\"metric\":\"conversion\"},"
                    "\"content\":{\"email\":{\"subject\":\"A!\",\"text\":\"t\"}}}";
    enc_spec *s;
    if (parse_h0(f, strlen(f), st, &s, &err)) {
        TH_FAIL("%s", err.msg);
        return;
    }
    enc_run_result r;
    CHECK_INT(enc_campaign_start(st, s, T, &r, &err), ENC_OK);
    int64_t tested = r.messages;
    printf("# A/B: %lld of %d in the test\n", (long long)tested, NCUST);
    CHECK(tested > NCUST * 0.2 && tested < NCUST * 0.4);
    CHECK_INT(r.audience - r.messages, NCUST - tested); /* the rest waits */
    /* every B member buys the next day; a few A members too */
    sqlite3_stmt *q;
    sqlite3_prepare_v2(
        enc__store_db(st),
        "SELECT customer_id, variant FROM campaign_members WHERE campaign = 'abtest'", -1, &q,
        NULL);
    int64_t ids[NCUST];
    char var[NCUST];
    int nm = 0;
    while (sqlite3_step(q) == SQLITE_ROW && nm < NCUST) {
        ids[nm] = sqlite3_column_int64(q, 0);
        var[nm++] = (char)sqlite3_column_text(q, 1)[0];
    }
    sqlite3_finalize(q);
    enc_store_begin(st, &err);
    int na = 0;
    for (int i = 0; i < nm; i++) {
        if (var[i] == 'A' && na++ % 4) continue;
        char key[32];
        snprintf(key, sizeof key, "buy%d", i);
        fx_order(st, key, ids[i], T + DAY, mug, "MUG", 1, 900, NULL);
    }
    enc_store_commit(st, &err);
    /* before the decision time: nothing changes */
    enc_run_result *res;
    size_t n;
    int64_t red;
    CHECK_INT(enc_tick(st, T + DAY, &res, &n, &red, &err), ENC_OK);
    CHECK(n == 1 && !res[0].decided && res[0].added == 0);
    free(res);
    /* after: B wins (every B member bought) and goes to the rest */
    CHECK_INT(enc_tick(st, T + 2 * DAY + H, &res, &n, &red, &err), ENC_OK);
    CHECK(n == 1 && res[0].decided && res[0].rolled_out);
    if (n) {
        CHECK_STR(res[0].winner, "B");
        CHECK_INT(res[0].added, NCUST - tested);
    }
    free(res);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM messages WHERE campaign = 'abtest'"), NCUST);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM messages WHERE campaign = 'abtest' AND due_at > %lld AND "
             "variant = 'B'",
             (long long)T);
    CHECK_INT(fx_scalar(st, sql), NCUST - tested); /* the roll-out: all B */
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM campaign_members WHERE campaign = 'abtest'"),
              NCUST);
    CHECK_INT(
        fx_scalar(st, "SELECT count(*) FROM messages WHERE campaign = 'abtest' AND variant = 'B' "
                      "AND subject = 'B!'"),
        fx_scalar(st, "SELECT count(*) FROM messages WHERE campaign = 'abtest' AND variant = 'B'"));
    enc_camp_row row;
    CHECK_INT(enc_camp_get(st, "abtest", &row, &err), ENC_OK);
    CHECK_STR(row.ab_winner, "B");
    CHECK(row.ab_report && strstr(row.ab_report, "\"winner\":\"B\""));
    enc_camp_row_free(&row);
    /* a later tick rolls out nothing more */
    CHECK_INT(enc_tick(st, T + 3 * DAY, &res, &n, &red, &err), ENC_OK);
    CHECK(n == 1 && res[0].added == 0 && !res[0].rolled_out);
    free(res);
    enc_spec_free(s);
    enc_store_close(st);
}

/* ---- priority across campaigns --------------------------------------------------------------- */

static void higher_priority_wins(void)
{
    enc_store *st = small_shop("prio.db");
    if (!st) return;
    enc_err err = {0};
    enc_settings set;
    enc_settings_default(&set);
    set.policy.ncaps = 1;
    set.policy.caps[0] = (enc_cap){ENC_CAP_ALL_CHANNELS, 1, 7 * DAY};
    set.policy.quiet_start = set.policy.quiet_end = 0;
    enc_settings_save(st, &set, &err);
    fx_sql(st, "DELETE FROM messages"); /* K6's history aside */
    char f[1024];
    enc_spec *lo, *hi;
    snprintf(
        f, sizeof f,
        "{\"name\":\"low\",\"priority\":2,\"on_cap\":\"drop\",\"trigger\":{\"type\":\"once\"},"
        "\"channels\":[\"email\"],\"content\":{\"email\":{\"subject\":\"l\",\"text\":\"l\"}}}");
    if (parse_h0(f, strlen(f), st, &lo, &err)) TH_FAIL("%s", err.msg);
    snprintf(
        f, sizeof f,
        "{\"name\":\"high\",\"priority\":8,\"trigger\":{\"type\":\"once\"},"
        "\"channels\":[\"email\"],\"content\":{\"email\":{\"subject\":\"h\",\"text\":\"h\"}}}");
    if (parse_h0(f, strlen(f), st, &hi, &err)) TH_FAIL("%s", err.msg);
    if (!lo || !hi) return;
    /* the low one is planned first; the high one then takes the slot: low's queued messages
     * are cancelled (it drops), high's go out */
    enc_run_result r;
    CHECK_INT(enc_campaign_start(st, lo, NOW, &r, &err), ENC_OK);
    int64_t low = r.added;
    CHECK(low >= 3);
    CHECK_INT(enc_campaign_start(st, hi, NOW + 60, &r, &err), ENC_OK);
    CHECK_INT(r.added, low);
    CHECK_INT(r.displaced, low);
    CHECK_INT(
        fx_scalar(st,
                  "SELECT count(*) FROM messages WHERE campaign = 'low' AND state = 'cancelled'"),
        low);
    CHECK_INT(
        fx_scalar(st, "SELECT count(*) FROM messages WHERE campaign = 'high' AND state = 'queued'"),
        low);
    /* a third, lower campaign now finds everyone at the cap */
    snprintf(
        f, sizeof f,
        "{\"name\":\"lower\",\"priority\":1,\"on_cap\":\"drop\",\"trigger\":{\"type\":\"once\"},"
        "\"channels\":[\"email\"],\"content\":{\"email\":{\"subject\":\"x\",\"text\":\"x\"}}}");
    enc_spec *lower;
    if (parse_h0(f, strlen(f), st, &lower, &err)) TH_FAIL("%s", err.msg);
    CHECK_INT(enc_campaign_start(st, lower, NOW + 120, &r, &err), ENC_OK);
    CHECK_INT(r.added, 0);
    CHECK_INT(r.displaced, 0);
    enc_spec_free(lower);
    enc_spec_free(lo);
    enc_spec_free(hi);
    enc_store_close(st);
}

/* ---- recommended items in content -------------------------------------------------------- */

static void recommended_items_with_reasons(void)
{
    enc_store *st = fx_open("rec.db");
    if (!st) return;
    enc_err err = {0};
    enc_store_begin(st, &err);
    int64_t pa = fx_product(st, "CAMERA", "Electronics/Cameras", 50000, 2, 0, NULL);
    int64_t pb = fx_product(st, "CARD", "Electronics/Memory", 2000, 1, 0, NULL);
    fx_product(st, "KETTLE", "Home/Kitchen", 3000, 1, 0, NULL);
    enc_put put;
    for (int i = 0; i < 30; i++) {
        char ext[16], key[16];
        snprintf(ext, sizeof ext, "R%02d", i);
        int64_t c = fx_customer(st, ext, NULL, NULL, "UTC", NULL, NOW - 90 * DAY);
        snprintf(key, sizeof key, "RO%02d", i);
        int64_t oid = fx_order(st, key, c, NOW - (40 + i) * DAY, pa, "CAMERA", 1, 50000, NULL);
        enc_line_rec l = {.order_id = oid,
                          .line_no = 2,
                          .product_id = pb,
                          .sku = "CARD",
                          .qty = 1,
                          .unit_price = 2000,
                          .amount = 2000,
                          .kind = "sale"};
        enc_store_line_put(st, &l, &put, &err);
        enc_store_order_refresh(st, oid, &err);
    }
    int64_t x = fx_customer(st, "X", "x@x.org", NULL, "UTC", NULL, NOW - 90 * DAY);
    fx_consent(st, "kx", x, NOW - 90 * DAY, "email", true);
    fx_order(st, "XO", x, NOW - 5 * DAY, pa, "CAMERA", 1, 50000, NULL);
    enc_store_commit(st, &err);
    const char *f = "{\"name\":\"recs\",\"trigger\":{\"type\":\"once\"},\"audience\":\"not "
                    "bought(sku = \\\"CARD\\\")\","
                    "\"items\":{\"from\":\"recommended\",\"kind\":\"cross\",\"max\":2},"
                    "\"channels\":[\"email\"],"
                    "\"content\":{\"email\":{\"subject\":\"s\",\"text\":\"{{#items}}{{sku}}={{"
                    "reason}};{{/items}}\"}}}";
    enc_spec *s;
    if (parse_h0(f, strlen(f), st, &s, &err)) {
        TH_FAIL("%s", err.msg);
        enc_store_close(st);
        return;
    }
    enc_run_result r;
    CHECK_INT(enc_campaign_start(st, s, NOW, &r, &err), ENC_OK);
    CHECK_INT(r.audience, 1);
    CHECK_INT(r.added, 1);
    /* the card is bought with the camera by everyone else; the camera itself is never offered */
    CHECK_INT(
        fx_scalar(st,
                  "SELECT count(*) FROM messages WHERE body_text LIKE 'CARD=bought with CAMERA;%'"),
        1);
    CHECK_INT(fx_scalar(st, "SELECT count(*) FROM messages WHERE body_text LIKE '%CAMERA=%'"), 0);
    CHECK_INT(
        fx_scalar(st, "SELECT count(*) FROM messages WHERE payload LIKE '%\"items\":[\"CARD\"%'"),
        1);
    enc_spec_free(s);
    enc_store_close(st);
}

/* ---- the snapshot a plan reads ----------------------------------------------------------------
 */

/* Every trigger with every items source, exits and audiences reading each part of the store:
 * the planner reads the snapshot in parts (only what the campaign needs: events for carts,
 * behaviour and unsubscribe exits, feedback for complaint exits, ...), and a part it reads
 * but did not load is a NULL array, so any such path would crash here. Each trigger is set
 * up to fire, so the paths run. */
static void every_trigger_reads_what_it_loaded(void)
{
    enc_store *st = fx_open("parts.db");
    if (!st) return;
    enc_err err = {0};
    int64_t T = fx_day(2026, 6, 15) + 12 * H;
    enc_store_begin(st, &err);
    int64_t pa = fx_product(st, "A", "Home/Kitchen/Pans", 3000, 1, 0, "B");
    fx_product(st, "B", "Home/Kitchen/Pans", 4000, 2, 0, NULL);
    int64_t pr = fx_product(st, "R", "Home/Coffee", 1500, 1, 7, NULL);
    int64_t c1 = fx_customer(st, "C1", "c1@x.org", NULL, "UTC", "1990-06-12", fx_day(2025, 6, 10));
    int64_t c2 = fx_customer(st, "C2", "c2@x.org", NULL, "Europe/Paris", NULL, T - 90 * DAY);
    int64_t c3 = fx_customer(st, "C3", "c3@x.org", NULL, NULL, NULL, T - 90 * DAY);
    int64_t cs[3] = {c1, c2, c3};
    for (int i = 0; i < 3; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        fx_consent(st, key, cs[i], T - 100 * DAY, "email", true);
    }
    fx_order(st, "o1", c1, T - 10 * DAY, pr, "R", 1, 1500, NULL); /* runs out 3 days ago */
    fx_order(st, "o2", c2, T - 60 * DAY, pa, "A", 1, 3000, NULL);
    fx_order(st, "o3", c3, T - 50 * DAY, pa, "A", 1, 3000, NULL);
    fx_event(st, "e1", c1, T - 9 * DAY, "unsubscribe", NULL);
    fx_event(st, "e2", c2, T - 3 * H, "cart_add", "A");
    fx_event(st, "e3", c3, T - 2 * DAY, "view", "B");
    enc_feedback_rec fb = {
        .source = "t", .source_key = "f1", .customer = c3, .ts = T - DAY, .kind = "complaint"};
    enc_put put;
    enc_store_feedback_put(st, &fb, &put, &err);
    enc_store_commit(st, &err);

    static const char *const trig[] = {
        "{\"type\":\"once\"}",
        "{\"type\":\"event\",\"event\":\"first_purchase\",\"delay\":\"1d\"}",
        "{\"type\":\"event\",\"event\":\"purchase\",\"delay\":\"1d\"}",
        "{\"type\":\"event\",\"event\":\"cart_abandoned\",\"delays\":[\"1h\"]}",
        "{\"type\":\"event\",\"event\":\"no_purchase\",\"delays\":[\"5d\"]}",
        "{\"type\":\"event\",\"event\":\"view\",\"delay\":\"1d\"}",
        "{\"type\":\"date\",\"date\":\"birthday\"}",
        "{\"type\":\"date\",\"date\":\"anniversary\"}",
        "{\"type\":\"date\",\"date\":\"holiday\",\"holidays\":[{\"name\":\"H\",\"date\":"
        "\"06-01\"}]}",
        "{\"type\":\"predicted\",\"date\":\"replenishment\"}",
    };
    static const char *const items[] = {"trigger", "top_categories", "complements",
                                        "upsell",  "new_arrivals",   "recommended"};
    static const char *const aud[] = {
        "",
        "\"audience\":\"orders >= 1 and returns = 0 and complaints >= 0 and region != "
        "\\\"ZZ\\\"\",",
        "\"audience\":\"bought(within = 400d) or viewed(within = 30d) or "
        "cart_abandoned(within = 30d) or consent(\\\"sms\\\")\","};
    int nt = (int)(sizeof trig / sizeof *trig), fired = 0, plans = 0;
    for (int t = 0; t < nt; t++) {
        int64_t planned = 0;
        for (int i = 0; i < 6; i++) {
            char f[2048];
            snprintf(f, sizeof f,
                     "{\"name\":\"p%d_%d\",\"trigger\":%s,%s\"exit\":[\"bought\","
                     "\"unsubscribed\",\"complained\"],\"channels\":[\"email\"],\"items\":"
                     "{\"from\":\"%s\",\"max\":2},\"content\":{\"email\""
                     ":{\"subject\":\"Hi {{customer.name}} {{customer.city}}\",\"text\":\""
                     "{{#items}}{{sku}};{{/items}} {{top_category}} {{days_since_order}} "
                     "{{occurrence.date}} {{years}} {{holiday}}\"}}}",
                     t, i, trig[t], aud[(t + i) % 3], items[i]);
            enc_spec *s;
            if (parse_h0(f, strlen(f), st, &s, &err)) {
                TH_FAIL("%s\n  %s", err.msg, f);
                continue;
            }
            enc_settings set;
            enc_settings_default(&set);
            enc_plan_opts o = {.now = T, .from = T - 30 * DAY};
            enc_plan *p;
            if (enc_plan_build(st, s, &set, &o, &p, &err)) {
                TH_FAIL("trigger %d, items %s: %s", t, items[i], err.msg);
                enc_spec_free(s);
                continue;
            }
            plans++;
            planned += (int64_t)enc_plan_size(p);
            int64_t added, coupons;
            if (enc_plan_write(p, st, 2, &added, &coupons, &err)) /* renders every message */
                TH_FAIL("write: %s", err.msg);
            enc_plan_free(p);
            enc_spec_free(s);
        }
        if (planned) fired++;
        else TH_FAIL("trigger %s selected no one", trig[t]);
    }
    CHECK_INT(plans, nt * 6);
    CHECK_INT(fired, nt);
    enc_store_close(st);
}

/* SMS length as providers bill it (GSM 03.38 / UCS-2, 3GPP TS 23.038 and 23.040) */
static void sms_segments(void)
{
    int n;
    bool u;
    CHECK_INT(enc_sms_segments("hello", &n, &u), 1);
    CHECK(!u && n == 5);
    char a[400];
    memset(a, 'a', 160), a[160] = 0;
    CHECK_INT(enc_sms_segments(a, &n, &u), 1);
    a[160] = 'a', a[161] = 0; /* 161: two parts of 153 */
    CHECK_INT(enc_sms_segments(a, &n, &u), 2);
    memset(a, 'a', 306), a[306] = 0;
    CHECK_INT(enc_sms_segments(a, &n, &u), 2);
    a[306] = 'a', a[307] = 0;
    CHECK_INT(enc_sms_segments(a, &n, &u), 3);
    CHECK_INT(enc_sms_segments("{€}", &n, &u), 1); /* the extension table counts 2 */
    CHECK(!u && n == 6);
    CHECK_INT(enc_sms_segments("Ünïcödé? no: ï is not GSM", &n, &u), 1);
    CHECK(u); /* ï is not in the GSM set */
    char zh[400] = "";
    for (int i = 0; i < 70; i++) strcat(zh, "优");
    CHECK_INT(enc_sms_segments(zh, &n, &u), 1);
    CHECK(u && n == 70);
    strcat(zh, "优"); /* 71: two parts of 67 */
    CHECK_INT(enc_sms_segments(zh, &n, &u), 2);
    CHECK_INT(enc_sms_segments("😀", &n, &u), 1); /* outside the BMP: two UTF-16 units */
    CHECK(u && n == 2);
    CHECK_INT(enc_sms_segments("", &n, &u), 1);
}

static void default_holdout(void)
{
    enc_err err = {0};
    enc_spec *s = NULL;
    const char *f = "{\"name\":\"d\",\"trigger\":{\"type\":\"once\"},\"channels\":[\"email\"],"
                    "\"content\":{\"email\":{\"subject\":\"s\",\"text\":\"t\"}}}";
    CHECK_INT(enc_spec_parse(f, strlen(f), NULL, &s, &err), ENC_OK);
    if (s) CHECK_NEAR(s->holdout, 0.1, 0);
    enc_spec_free(s);
    s = NULL;
    CHECK_INT(parse_h0(f, strlen(f), NULL, &s, &err), ENC_OK);
    if (s) CHECK_NEAR(s->holdout, 0, 0);
    enc_spec_free(s);
}

int main(void)
{
    RUN(fallback_and_reasons);
    RUN(quiet_hours_move_or_exclude);
    RUN(caps_drop_defer_fall_back);
    RUN(lower_priority_gives_way);
    RUN(budgets);
    RUN(random_policies_keep_every_rule);
    RUN(holdout_and_variant_shares);
    RUN(planner_on_a_small_store);
    RUN(start_twice_adds_nothing);
    RUN(tracking_links_name_their_message);
    RUN(tick_through_a_cart_day);
    RUN(ab_test_then_roll_out);
    RUN(higher_priority_wins);
    RUN(recommended_items_with_reasons);
    RUN(every_trigger_reads_what_it_loaded);
    RUN(default_holdout);
    RUN(sms_segments);
    return TEST_SUMMARY();
}
