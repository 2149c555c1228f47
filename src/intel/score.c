/* score.c — the scoring pipeline (see score.h): the run's order of work, the per-customer
 * feature passes, the CLV and churn models, and `churn evaluate`. A run does two lines of work
 * at once: this thread fits the models that use GSL (BG/NBD and Gamma-Gamma at the as-of date,
 * BG/NBD again at the churn cut-off; GSL's error handler is global, so fits never run on two
 * threads), while a side thread computes the features at as-of and at the cut-off, the profile
 * pass (score_prof.c), RFM and clusters. Then the churn model is fitted, and next order,
 * lifecycle, churn risk and tags run in parallel over customer ranges. Day numbers for the CLV
 * models are UTC days (floor(ts / 86400)). */
#include "intel/score_int.h"
#include "base/datetime.h"
#include "base/map.h"
#include "base/mem.h"
#include "intel/auc.h"
#include "intel/cadence.h"
#include "intel/clv.h"
#include "intel/lifecycle.h"
#include "intel/mbgnbd.h"
#include "intel/rank.h"
#include "intel/rfm.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY ENC__DAY

/* The eight features beyond churn.h's standard ten; the table is assembled once. */
static const enc_churn_feature extra_features[ENC_SCORE_D - ENC_CHURN_STD_D] = {
    {"tenure_days", "long-standing customer (first purchase {10} days ago)",
     "recent customer (first purchase {10} days ago)", -1},
    {"returns_365d", "returned goods lately (returns in the last 365 days: {11})",
     "no recent returns", +1},
    {"consults_90d", "contacted customer service lately (consultations in the last 90 days: {12})",
     "no recent consultations", +1},
    {"p_alive_logit", "the purchase model rates them likely active",
     "the purchase model thinks they may have stopped buying", -1},
    {"purchases_180d", "bought often in the last half year ({14} purchases)",
     "few purchases in the last half year ({14})", -1},
    {"gap_cv", "buys irregularly (gaps vary by {15}x their mean)",
     "buys regularly (gaps vary by {15}x their mean)", +1},
    {"breadth", "buys across many products ({16})", "buys few different products ({16})", -1},
    {"spend_90d", "spent a lot lately", "spent little lately", -1},
};
static enc_churn_feature feature_table[ENC_SCORE_D];
static pthread_once_t feature_once = PTHREAD_ONCE_INIT;
static void build_feature_table(void)
{
    for (int j = 0; j < ENC_CHURN_STD_D; j++) feature_table[j] = enc_churn_std_features[j];
    for (int j = ENC_CHURN_STD_D; j < ENC_SCORE_D; j++)
        feature_table[j] = extra_features[j - ENC_CHURN_STD_D];
}
const enc_churn_feature *enc_score_feature_table(void)
{
    pthread_once(&feature_once, build_feature_table);
    return feature_table;
}

double enc__money_scale(int digits)
{
    double s = 1;
    for (int i = 0; i < digits; i++) s *= 10;
    return s;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ---- threads ----------------------------------------------------------------------------- */

typedef struct job {
    enc__range_fn fn;
    void *ctx;
    size_t lo, hi;
    enc_rc rc;
    enc_err err;
} job;

static void *run_job(void *p)
{
    job *j = p;
    j->rc = j->fn(j->ctx, j->lo, j->hi, &j->err);
    return NULL;
}

enc_rc enc__parallel(int threads, size_t n, enc__range_fn fn, void *ctx, enc_err *err)
{
    enum { MAXT = 64, MIN_PER_THREAD = 4096 };
    if (threads < 1) threads = 1;
    if (threads > MAXT) threads = MAXT;
    if ((size_t)threads > n / MIN_PER_THREAD) threads = (int)(n / MIN_PER_THREAD);
    if (threads <= 1) return fn(ctx, 0, n, err);
    job jobs[MAXT];
    pthread_t tid[MAXT];
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job){.fn = fn,
                        .ctx = ctx,
                        .lo = n * (size_t)t / (size_t)threads,
                        .hi = n * (size_t)(t + 1) / (size_t)threads};
        if (t == 0) continue; /* the calling thread takes the first range */
        if (pthread_create(&tid[t], NULL, run_job, &jobs[t]) != 0) {
            jobs[t].rc = fn(ctx, jobs[t].lo, jobs[t].hi, &jobs[t].err);
            tid[t] = 0;
        }
    }
    run_job(&jobs[0]);
    for (int t = 1; t < threads; t++)
        if (tid[t]) pthread_join(tid[t], NULL);
    for (int t = 0; t < threads; t++)
        if (jobs[t].rc) {
            if (err) *err = jobs[t].err;
            return jobs[t].rc;
        }
    return ENC_OK;
}

/* ---- transactions ------------------------------------------------------------------------ */

void enc_score_transactions(const enc_snapshot *s, int64_t before, int digits, enc_score_tx *tx)
{
    size_t n = 0;
    for (size_t i = 0; i < s->ncust; i++)
        for (int64_t k = s->ord_off[i]; k < s->ord_off[i + 1] && s->ord_ts[k] < before; k++) n++;
    tx->n = n;
    tx->cust = enc_xmalloc((n ? n : 1) * sizeof *tx->cust);
    tx->day = enc_xmalloc((n ? n : 1) * sizeof *tx->day);
    tx->value = enc_xmalloc((n ? n : 1) * sizeof *tx->value);
    double scale = enc__money_scale(digits);
    size_t j = 0;
    for (size_t i = 0; i < s->ncust; i++)
        for (int64_t k = s->ord_off[i]; k < s->ord_off[i + 1] && s->ord_ts[k] < before; k++) {
            tx->cust[j] = (int32_t)i;
            tx->day[j] = (int32_t)floor_div(s->ord_ts[k], DAY);
            tx->value[j] = (double)s->ord_amount[k] / scale;
            j++;
        }
}

void enc_score_tx_free(enc_score_tx *tx)
{
    free(tx->cust);
    free(tx->day);
    free(tx->value);
    memset(tx, 0, sizeof *tx);
}

int64_t enc_score_default_as_of(const enc_snapshot *s)
{
    int64_t last = INT64_MIN;
    for (size_t k = 0; k < s->nord; k++)
        if (s->ord_ts[k] > last) last = s->ord_ts[k];
    for (size_t k = 0; k < s->nev; k++)
        if (s->ev_ts[k] > last) last = s->ev_ts[k];
    if (last == INT64_MIN) return 0;
    return (floor_div(last, DAY) + 1) * DAY;
}

/* ---- features at an instant (parallel) ---------------------------------------------------- */

typedef struct feat_ctx {
    const enc_snapshot *s;
    enc__feat *f;
    double scale;
    size_t ws_len;
} feat_ctx;

static enc_rc feat_range(void *p, size_t lo, size_t hi, enc_err *err)
{
    feat_ctx *x = p;
    const enc_snapshot *s = x->s;
    enc__feat *f = x->f;
    const int64_t t = f->t;
    enc_cadence_config cc;
    enc_cadence_config_default(&cc);
    enc_cadence_out co = {.occasions = f->occ + lo,
                          .tenure_days = f->tenure + lo,
                          .recency_days = f->rec + lo,
                          .mean_gap_days = f->mean_gap + lo,
                          .last_gap_days = f->last_gap + lo,
                          .count = {f->c30 + lo, f->c90 + lo, NULL}};
    double *ws = enc_xmalloc(x->ws_len * sizeof *ws);
    /* purchases at or before t - 1 s: the snapshot's "before t" */
    enc_rc rc = enc_cadence_compute(&cc, s->ord_ts, s->ord_off + lo, hi - lo, t - 1, NULL, &co, ws,
                                    x->ws_len, err);
    free(ws);
    if (rc) return rc;
    for (size_t i = lo; i < hi; i++) {
        int64_t sum = 0, k = s->ord_off[i], e = s->ord_off[i + 1];
        for (; k < e && s->ord_ts[k] < t; k++) sum += s->ord_amount[k];
        f->money[i] = (double)sum / x->scale;
        if (f->churned) {
            bool bought = false;
            for (; k < e && !bought; k++) bought = s->ord_ts[k] >= t && s->ord_ts[k] < f->label_end;
            f->churned[i] = !bought;
        }
        int32_t e30 = 0, eprev = 0, cons = 0;
        for (int64_t q = s->ev_off[i]; q < s->ev_off[i + 1]; q++) {
            int64_t ts = s->ev_ts[q];
            if (ts >= t) break;
            uint8_t ty = s->ev_type[q];
            if (!enc__engagement(ty)) continue;
            if (ts >= t - 30 * DAY) e30++;
            else if (ts >= t - 60 * DAY) eprev++;
            if (ty == EV_CONSULT && ts >= t - 90 * DAY) cons++;
        }
        f->ev30[i] = e30;
        f->evprev[i] = eprev;
        f->cons90[i] = cons;
        int32_t c = 0;
        for (int64_t q = s->cmp_off[i]; q < s->cmp_off[i + 1] && s->cmp_ts[q] < t; q++)
            c += s->cmp_ts[q] >= t - 90 * DAY;
        f->cmp90[i] = c;
        c = 0;
        for (int64_t q = s->ret_off[i]; q < s->ret_off[i + 1] && s->ret_ts[q] < t; q++)
            c += s->ret_ts[q] >= t - 365 * DAY;
        f->ret365[i] = c;
    }
    return ENC_OK;
}

static size_t max_orders(const enc_snapshot *s) { return enc_cadence_ws_len(s->ord_off, s->ncust); }

/* Allocates the feature columns for n customers (malloc; free_feat frees them). */
static void alloc_feat(enc__feat *f, size_t n, bool labels)
{
    memset(f, 0, sizeof *f);
    size_t m = n ? n : 1;
    f->n = n;
    f->occ = enc_xmalloc(m * sizeof *f->occ);
    f->c30 = enc_xmalloc(m * sizeof *f->c30);
    f->c90 = enc_xmalloc(m * sizeof *f->c90);
    f->rec = enc_xmalloc(m * sizeof *f->rec);
    f->mean_gap = enc_xmalloc(m * sizeof *f->mean_gap);
    f->last_gap = enc_xmalloc(m * sizeof *f->last_gap);
    f->tenure = enc_xmalloc(m * sizeof *f->tenure);
    f->money = enc_xmalloc(m * sizeof *f->money);
    f->ev30 = enc_xmalloc(m * sizeof *f->ev30);
    f->evprev = enc_xmalloc(m * sizeof *f->evprev);
    f->cmp90 = enc_xmalloc(m * sizeof *f->cmp90);
    f->ret365 = enc_xmalloc(m * sizeof *f->ret365);
    f->cons90 = enc_xmalloc(m * sizeof *f->cons90);
    f->p_alive = enc_xmalloc(m * sizeof *f->p_alive);
    if (labels) f->churned = enc_xmalloc(m);
}

static void free_feat(enc__feat *f)
{
    void *p[] = {f->occ,      f->c30,    f->c90,    f->rec,     f->mean_gap,
                 f->last_gap, f->tenure, f->money,  f->ev30,    f->evprev,
                 f->cmp90,    f->ret365, f->cons90, f->p_alive, f->churned};
    for (size_t i = 0; i < sizeof p / sizeof *p; i++) free(p[i]);
    memset(f, 0, sizeof *f);
}

enc__feat enc__score_feat(const enc_score *sc)
{
    enc__feat f = {.n = sc->n,
                   .t = sc->as_of,
                   .occ = sc->occasions,
                   .c30 = sc->cnt30,
                   .c90 = sc->cnt90,
                   .rec = sc->occ_recency,
                   .mean_gap = sc->mean_gap,
                   .last_gap = sc->last_gap,
                   .tenure = sc->tenure,
                   .money = sc->money,
                   .ev30 = sc->ev30,
                   .evprev = sc->ev_prev30,
                   .cmp90 = sc->complaints90,
                   .ret365 = sc->returns365,
                   .cons90 = sc->consults90,
                   .p_alive = sc->p_alive,
                   .default_gap = sc->models.default_gap_days,
                   .s = sc->snap,
                   .scale = enc__money_scale(sc->cfg->money_digits)};
    return f;
}

/* The order-history features of customer i before t: occasions (distinct purchase days) in the
 * last 180 days, the coefficient of variation of the gaps between occasions, distinct products
 * (up to BREADTH_CAP, an open-addressing set on the stack) and spend in the last 90 days. */
enum { BREADTH_CAP = 4096 };
static void history_features(const enc__feat *f, size_t i, double *x)
{
    const enc_snapshot *s = f->s;
    x[ENC_SCORE_F_RECENT180] = x[ENC_SCORE_F_GAP_CV] = x[ENC_SCORE_F_BREADTH] =
        x[ENC_SCORE_F_SPEND90] = NAN;
    if (!s || f->occ[i] <= 0) return;
    const int64_t t = f->t;
    int64_t prev_day = INT64_MIN, sum90 = 0;
    int32_t c180 = 0, ng = 0;
    double gs = 0, gs2 = 0;
    int32_t set[2 * BREADTH_CAP];
    int nset = 0;
    size_t lines = s->line_off
                       ? (size_t)(s->line_off[s->ord_off[i + 1]] - s->line_off[s->ord_off[i]])
                       : 0,
           mask = 15; /* a table twice the lines (at most 2 x BREADTH_CAP): memset only that */
    while (mask + 1 < 2 * lines && mask + 1 < 2 * BREADTH_CAP) mask = 2 * mask + 1;
    memset(set, 0xff, (mask + 1) * sizeof *set);
    for (int64_t k = s->ord_off[i]; k < s->ord_off[i + 1] && s->ord_ts[k] < t; k++) {
        int64_t day = floor_div(s->ord_ts[k], DAY);
        if (s->ord_ts[k] >= t - 90 * DAY) sum90 += s->ord_amount[k];
        if (day != prev_day) {
            if (s->ord_ts[k] >= t - 180 * DAY) c180++;
            if (prev_day != INT64_MIN) {
                double g = (double)(day - prev_day);
                gs += g;
                gs2 += g * g;
                ng++;
            }
            prev_day = day;
        }
        if (!s->line_off || !s->line_prod) continue;
        for (int64_t l = s->line_off[k]; l < s->line_off[k + 1] && (size_t)nset * 2 <= mask; l++) {
            int32_t pr = s->line_prod[l];
            if (pr < 0) continue;
            size_t h = enc_hash_u64((uint64_t)pr) & mask;
            while (set[h] >= 0 && set[h] != pr) h = (h + 1) & mask;
            if (set[h] < 0) set[h] = pr, nset++;
        }
    }
    x[ENC_SCORE_F_RECENT180] = c180;
    if (ng >= 2) {
        double mu = gs / ng, var = gs2 / ng - mu * mu;
        x[ENC_SCORE_F_GAP_CV] = mu > 0 ? sqrt(var > 0 ? var : 0) / mu : NAN;
    }
    x[ENC_SCORE_F_BREADTH] = s->line_off ? nset : NAN;
    x[ENC_SCORE_F_SPEND90] = (double)sum90 / (f->scale > 0 ? f->scale : 1);
}

void enc__feat_rows(const enc__feat *f, size_t lo, size_t hi, double *X)
{
    double std[ENC_CHURN_STD_D];
    for (size_t i = lo; i < hi; i++) {
        double *x = X + (i - lo) * ENC_SCORE_D;
        enc_churn_std_input in = {.n = 1,
                                  .occasions = f->occ + i,
                                  .recency_days = f->rec + i,
                                  .mean_gap_days = f->mean_gap + i,
                                  .last_gap_days = f->last_gap + i,
                                  .count_90d = f->c90 + i,
                                  .monetary = f->money + i,
                                  .events_30d = f->ev30 + i,
                                  .events_prev_30d = f->evprev + i,
                                  .complaints_90d = f->cmp90 + i,
                                  .default_gap_days = f->default_gap};
        enc_churn_std_build(&in, std, NULL);
        memcpy(x, std, sizeof std);
        bool buyer = f->occ[i] > 0;
        x[ENC_SCORE_F_TENURE] = buyer ? f->tenure[i] : NAN;
        x[ENC_SCORE_F_RETURNS] = buyer ? f->ret365[i] : NAN;
        x[ENC_SCORE_F_CONSULTS] = buyer ? f->cons90[i] : NAN;
        x[ENC_SCORE_F_P_ALIVE] = buyer && f->p_alive ? enc__p_alive_logit(f->p_alive[i]) : NAN;
        history_features(f, i, x);
    }
}

/* The population's usual gap: the median of the buyers' mean gaps (two or more occasions). */
static double median_gap(const enc__feat *f, double fallback)
{
    size_t m = 0;
    for (size_t i = 0; i < f->n; i++) m += f->occ[i] >= 2 && f->mean_gap[i] > 0;
    if (!m) return fallback;
    double *g = enc_xmalloc(m * sizeof *g);
    m = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->occ[i] >= 2 && f->mean_gap[i] > 0) g[m++] = f->mean_gap[i];
    double med = enc_cadence_median(g, m);
    free(g);
    return med;
}

/* ---- CLV ---------------------------------------------------------------------------------- */

/* "prefix: msg", unless msg already starts with the prefix (the models name themselves). */
static void prefixed(char *out, size_t cap, const char *prefix, const char *msg)
{
    size_t pl = strlen(prefix);
    if (strncmp(msg, prefix, pl) == 0) snprintf(out, cap, "%.250s", msg);
    else snprintf(out, cap, "%s%.230s", prefix, msg);
}

/* The summary at a calibration end (the day before t), its groups of identical (x, t_x, T), and
 * the BG/NBD fit on them. enc_clv_run (clv.h) does the same for one horizon; scoring needs three
 * horizons, a warm start for the second fit and a bound on the Gamma-Gamma sample, so it calls
 * the steps itself. */
typedef struct clv_fit {
    enc_clv_summary sum;
    enc_clv_groups g;
    enc_bgnbd_fit bg;
} clv_fit;

static void clv_fit_free(clv_fit *f)
{
    enc_clv_groups_free(&f->g);
    enc_clv_summary_free(&f->sum);
}

/* The summary and its groups at a calibration end (the day before t). */
static enc_rc groups_at(const enc_score_tx *tx, size_t ncust, int64_t t, double unit, bool spend,
                        clv_fit *f, enc_err *err)
{
    memset(f, 0, sizeof *f);
    int32_t cal = (int32_t)floor_div(t - 1, DAY);
    enc_clv_period pe = {
        .cal_end = cal, .holdout_end = cal, .unit_days = unit, .spend = ENC_CLV_SPEND_REPEAT};
    enc_rc rc = enc_clv_summarize(tx->n, tx->cust, tx->day, spend ? tx->value : NULL, ncust, &pe,
                                  &f->sum, err);
    if (rc) return rc;
    enc_clv_obs obs = enc_clv_summary_obs(&f->sum);
    enc_clv_group(&obs, &f->g);
    return ENC_OK;
}

static enc_rc bg_at(const enc_score_tx *tx, size_t ncust, int64_t t, double unit, bool spend,
                    const enc_bgnbd_params *start, clv_fit *f, enc_err *err)
{
    enc_rc rc = groups_at(tx, ncust, t, unit, spend, f, err);
    return rc ? rc : enc_bgnbd_fit_ml(&f->g.obs, start, &f->bg, err);
}

/* Scatters per-group values to customers (NaN for customers in no group). */
static void scatter(const enc_clv_groups *g, size_t n, const double *gv, double *out)
{
    for (size_t i = 0; i < n; i++) out[i] = g->of[i] == SIZE_MAX ? NAN : gv[g->of[i]];
}

/* MBG/NBD P(alive) per group of g (mbgnbd.h), fitted on g from start (may be NULL); with
 * buy != NULL also P(a purchase in the next t model units). */
static enc_rc mbg_groups(const enc_clv_groups *g, const enc_bgnbd_params *start, enc_bgnbd_fit *fit,
                         double *gp, double t, double *buy, enc_err *err)
{
    enc_rc rc = enc_mbgnbd_fit_ml(&g->obs, start, fit, err);
    for (size_t k = 0; !rc && k < g->obs.n; k++) {
        gp[k] = enc_mbgnbd_p_alive(&fit->p, g->x[k], g->tx[k], g->T[k]);
        if (buy) buy[k] = enc_mbgnbd_p_buy(&fit->p, g->x[k], g->tx[k], g->T[k], t);
    }
    return rc;
}

/* MBG/NBD P(alive) at the instant t from the transactions before it (NaN for customers without
 * one); on failure all NaN and why says so. */
static void p_alive_at(const enc_score_tx *tx, size_t ncust, int64_t t, double unit_days,
                       const enc_bgnbd_params *start, double *p_alive, double h_days, double *p_buy,
                       char *why, size_t cap)
{
    clv_fit f;
    enc_err err = {0};
    enc_bgnbd_fit mf;
    enc_rc rc = groups_at(tx, ncust, t, unit_days, false, &f, &err);
    double *gp = NULL, *gb = NULL;
    if (!rc) {
        size_t ng = f.g.obs.n ? f.g.obs.n : 1;
        gp = enc_xmalloc(ng * sizeof *gp);
        if (p_buy) gb = enc_xmalloc(ng * sizeof *gb);
        rc = mbg_groups(&f.g, start, &mf, gp, h_days / unit_days, gb, &err);
    }
    if (rc) {
        snprintf(why, cap, "%.250s", err.msg);
        for (size_t i = 0; i < ncust; i++) p_alive[i] = NAN;
        for (size_t i = 0; p_buy && i < ncust; i++) p_buy[i] = NAN;
    } else {
        scatter(&f.g, ncust, gp, p_alive);
        if (p_buy) scatter(&f.g, ncust, gb, p_buy);
    }
    free(gp);
    free(gb);
    clv_fit_free(&f);
}

/* Pareto/NBD P(alive) at the instant t (the second baseline of churn evaluate). */
static void pnbd_p_alive_at(const enc_score_tx *tx, size_t ncust, int64_t t, double unit_days,
                            double *p_alive, char *why, size_t cap)
{
    clv_fit f;
    enc_err err = {0};
    enc_pnbd_fit pf;
    enc_rc rc = bg_at(tx, ncust, t, unit_days, false, NULL, &f, &err);
    if (!rc) rc = enc_pnbd_fit_ml(&f.g.obs, NULL, &pf, &err);
    if (rc) {
        prefixed(why, cap, "pareto/nbd: ", err.msg);
        for (size_t i = 0; i < ncust; i++) p_alive[i] = NAN;
    } else {
        double *gp = enc_xmalloc((f.g.obs.n ? f.g.obs.n : 1) * sizeof *gp);
        for (size_t k = 0; k < f.g.obs.n; k++)
            gp[k] = enc_pnbd_p_alive(&pf.p, f.g.x[k], f.g.tx[k], f.g.T[k]);
        scatter(&f.g, ncust, gp, p_alive);
        free(gp);
    }
    clv_fit_free(&f);
}

/* Gamma-Gamma is fitted on every repeat customer up to this many; beyond, on a uniform sample
 * of this size chosen by a hash of the customer index (deterministic). At 200,000 customers the
 * parameters' sampling error is far below what changes a CLV, and a fit costs about a second. */
enum { GG_MAX_ROWS = 200000 };

static void clv_models(enc_score *sc, const enc_score_tx *tx, clv_fit *f)
{
    const enc_score_config *c = sc->cfg;
    size_t n = sc->n;
    enc_score_models *md = &sc->models;
    double unit = c->clv_unit_days;
    enc_err err = {0};
    for (size_t i = 0; i < n; i++)
        sc->p_alive[i] = sc->exp30[i] = sc->exp90[i] = sc->exp365[i] = sc->exp_spend[i] =
            sc->clv[i] = NAN;
    if (bg_at(tx, n, sc->as_of, unit, true, NULL, f, &err)) {
        prefixed(md->clv_error, sizeof md->clv_error, "bg/nbd: ", err.msg);
        return;
    }
    md->has_bgnbd = 1;
    md->bg = f->bg;
    md->clv_repeaters = f->sum.n_repeaters;
    const enc_clv_summary *su = &f->sum;
    const enc_clv_groups *g = &f->g;
    size_t ng = g->obs.n ? g->obs.n : 1;

    /* Gamma-Gamma on the repeat customers' mean repeat spend */
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) rows += su->w[i] != 0 && su->x[i] > 0 && su->spend[i] > 0;
    double *gw = enc_xmalloc((n ? n : 1) * sizeof *gw);
    uint64_t keep = rows > GG_MAX_ROWS
                        ? (uint64_t)((double)UINT64_MAX * ((double)GG_MAX_ROWS / (double)rows))
                        : UINT64_MAX;
    for (size_t i = 0; i < n; i++)
        gw[i] = su->w[i] != 0 && su->x[i] > 0 && su->spend[i] > 0 &&
                (keep == UINT64_MAX || enc_hash_u64(i) <= keep);
    enc_gg_obs go = {n, su->x, su->spend, gw};
    if (enc_gg_fit_ml(&go, NULL, &md->gg, &err)) {
        prefixed(md->clv_error, sizeof md->clv_error, "gamma-gamma: ", err.msg);
    } else if (!(md->gg.p.q > 1)) {
        snprintf(md->clv_error, sizeof md->clv_error,
                 "gamma-gamma: q = %g <= 1: the mean spend of"
                 " customers without repeat purchases is unbounded",
                 md->gg.p.q);
    } else {
        md->has_gg = 1;
        md->gg_sampled = rows > GG_MAX_ROWS;
    }
    free(gw);

    /* predictions once per group: P(alive), expected purchases, discounted purchases */
    double *gp = enc_xmalloc(ng * sizeof *gp), *ge = enc_xmalloc(ng * sizeof *ge);
    enc_rc rc = enc_bgnbd_predict(&md->bg.p, &g->obs, 30 / unit, NULL, ge, &err);
    if (!rc) scatter(g, n, ge, sc->exp30);
    /* P(alive) from MBG/NBD, started at the BG/NBD's parameters; BG/NBD's when it fails */
    enc_err merr = {0};
    if (!rc && mbg_groups(g, &md->bg.p, &md->mbg, gp, 0, NULL, &merr) == ENC_OK) {
        md->has_mbgnbd = 1;
        scatter(g, n, gp, sc->p_alive);
    } else if (!rc && !(rc = enc_bgnbd_predict(&md->bg.p, &g->obs, 0, gp, NULL, &err))) {
        scatter(g, n, gp, sc->p_alive);
        prefixed(md->clv_error, sizeof md->clv_error, "P(alive) from BG/NBD: ", merr.msg);
    }
    if (!rc && !(rc = enc_bgnbd_predict(&md->bg.p, &g->obs, 90 / unit, NULL, ge, &err)))
        scatter(g, n, ge, sc->exp90);
    if (!rc && !(rc = enc_bgnbd_predict(&md->bg.p, &g->obs, 365 / unit, NULL, ge, &err)))
        scatter(g, n, ge, sc->exp365);
    if (rc) prefixed(md->clv_error, sizeof md->clv_error, "bg/nbd predictions: ", err.msg);
    if (!rc && md->has_gg) {
        /* CLV = E[M | x, m] x sum_k (E[Y(k months)] - E[Y((k-1) months)]) / (1+d)^k (gammagamma.h)
         */
        int months = c->clv_months;
        double step = 30.0 / unit, *cum = enc_xmalloc((size_t)(months + 1) * sizeof *cum);
        cum[0] = 0;
        for (size_t k = 0; k < g->obs.n; k++) {
            for (int mth = 1; mth <= months; mth++)
                cum[mth] = enc_bgnbd_expected(&md->bg.p, g->x[k], g->tx[k], g->T[k], mth * step);
            gp[k] = enc_gg_clv(cum, months, 1, c->clv_discount);
        }
        free(cum);
        double scale = enc__money_scale(c->money_digits);
        for (size_t i = 0; i < n; i++) {
            size_t k = g->of[i];
            if (k == SIZE_MAX) continue;
            double sp =
                enc_gg_expected_spend(&md->gg.p, su->x[i], su->spend[i] > 0 ? su->spend[i] : 0);
            sc->exp_spend[i] = sp * scale; /* currency units -> minor units */
            sc->clv[i] = isfinite(gp[k]) ? sp * gp[k] * scale : NAN;
        }
    }
    free(gp);
    free(ge);
}

/* ---- churn model -------------------------------------------------------------------------- */

/* Builds the training rows from features at the cut-off (f->churned the labels) and fits. */
static enc_rc churn_fit(const enc_score_config *c, const enc__feat *f, enc_churn_model *m,
                        double *rate, double *train_auc, size_t *n_train, char *why, size_t cap,
                        double **keep_X, uint8_t **keep_y)
{
    *rate = *train_auc = NAN;
    size_t nt = 0, pos = 0;
    for (size_t i = 0; i < f->n; i++) nt += f->occ[i] > 0;
    *n_train = nt;
    double *X = enc_xmalloc((nt ? nt : 1) * ENC_SCORE_D * sizeof *X);
    uint8_t *y = enc_xmalloc(nt ? nt : 1);
    size_t r = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->occ[i] <= 0) continue;
        enc__feat_rows(f, i, i + 1, X + r * ENC_SCORE_D);
        y[r] = f->churned[i];
        pos += y[r];
        r++;
    }
    enc_rc rc = ENC_OK;
    enc_err err = {0};
    if (nt < 20 || pos == 0 || pos == nt) {
        snprintf(why, cap,
                 "%zu customers had bought before the training cut-off (%zu of them churned):"
                 " the history is too short for a %g-day horizon",
                 nt, pos, c->churn_horizon_days);
        rc = ENC_EFAIL;
    }
    if (!rc) {
        enc_churn_opts o;
        enc_churn_opts_default(&o);
        o.lambda = c->churn_lambda;
        uint8_t l1p[ENC_SCORE_D] = {0};
        memcpy(l1p, enc_churn_std_log1p, ENC_CHURN_STD_D);
        l1p[ENC_SCORE_F_TENURE] = l1p[ENC_SCORE_F_RETURNS] = l1p[ENC_SCORE_F_CONSULTS] = 1;
        l1p[ENC_SCORE_F_RECENT180] = l1p[ENC_SCORE_F_BREADTH] = l1p[ENC_SCORE_F_SPEND90] = 1;
        o.log1p = l1p;
        rc = enc_churn_fit_auto(X, y, nt, ENC_SCORE_D, &o, ENC_CHURN_F_RECENCY, m, &err);
        if (rc) snprintf(why, cap, "%.250s", err.msg);
    }
    if (!rc) {
        *rate = (double)pos / (double)nt;
        double *p = enc_xmalloc(nt * sizeof *p);
        enc_churn_score(m, X, nt, p);
        void *aws = enc_xmalloc(enc_auc_ws_size(nt));
        if (enc_auc(p, y, nt, train_auc, aws, &err)) *train_auc = NAN;
        free(aws);
        free(p);
    }
    if (keep_X) {
        *keep_X = X;
        *keep_y = y;
        return rc;
    }
    free(X);
    free(y);
    return rc;
}

/* Features at the cut-off t0 = T - horizon, labelled by [t0, T) (no P(alive) yet). */
static enc_rc cutoff_features(const enc_snapshot *s, const enc_score_config *c, int64_t T,
                              int threads, enc__feat *f, enc_err *err)
{
    int64_t H = (int64_t)llround(c->churn_horizon_days * DAY);
    alloc_feat(f, s->ncust, true);
    f->s = s;
    f->scale = enc__money_scale(c->money_digits);
    f->t = T - H;
    f->label_end = T;
    feat_ctx x = {
        .s = s, .f = f, .scale = enc__money_scale(c->money_digits), .ws_len = max_orders(s)};
    enc_rc rc = enc__parallel(threads, s->ncust, feat_range, &x, err);
    f->default_gap = c->gap_auto ? median_gap(f, c->lc.default_gap_days) : c->lc.default_gap_days;
    return rc;
}

/* ---- next order, lifecycle, churn risk (parallel) ----------------------------------------- */

typedef struct final_ctx {
    enc_score *sc;
    size_t ws_len;
} final_ctx;

static enc_rc final_range(void *p, size_t lo, size_t hi, enc_err *err)
{
    final_ctx *x = p;
    enc_score *sc = x->sc;
    const enc_snapshot *s = sc->snap;
    const enc_score_config *c = sc->cfg;
    size_t n = hi - lo;
    /* next order: the model's rate for customers with fewer than two gaps of their own */
    double *rate = enc_xmalloc((n ? n : 1) * sizeof *rate);
    for (size_t i = lo; i < hi; i++)
        rate[i - lo] = sc->occasions[i] < 3 && sc->exp365[i] > 0 ? sc->exp365[i] / 365 : NAN;
    enc_cadence_config cc;
    enc_cadence_config_default(&cc);
    cc.default_gap_days = sc->models.default_gap_days;
    enc_cadence_out co = {.next_ts = sc->next_ts + lo};
    double *ws = enc_xmalloc(x->ws_len * sizeof *ws);
    enc_rc rc = enc_cadence_compute(&cc, s->ord_ts, s->ord_off + lo, n, sc->as_of - 1, rate, &co,
                                    ws, x->ws_len, err);
    free(ws);
    free(rate);
    if (rc) return rc;
    /* an order not expected within two years is no date */
    for (size_t i = lo; i < hi; i++)
        if (sc->next_ts[i] != ENC_CADENCE_NONE && sc->next_ts[i] > sc->as_of + 730 * (int64_t)DAY)
            sc->next_ts[i] = ENC_CADENCE_NONE;
    /* lifecycle */
    enc_lc_config lc = c->lc;
    lc.default_gap_days = sc->models.default_gap_days;
    enc_lc_input in = {.n = n,
                       .occasions = sc->occasions + lo,
                       .tenure_days = sc->tenure + lo,
                       .recency_days = sc->occ_recency + lo,
                       .mean_gap_days = sc->mean_gap + lo,
                       .last_gap_days = sc->last_gap + lo,
                       .p_alive = sc->p_alive + lo,
                       .events = sc->ev_window + lo};
    if ((rc = enc_lc_stages(&lc, &in, sc->stage + lo, err))) return rc;
    if ((rc = enc_lc_classes(&lc, &in, sc->cls + lo, err))) return rc;
    /* churn risk and reasons, in blocks of rows */
    int R = c->churn_reasons;
    for (size_t i = lo; i < hi; i++) {
        sc->churn[i] = NAN;
        for (int j = 0; j < R; j++) sc->reason[i * (size_t)R + (size_t)j] = -1;
    }
    if (!sc->models.has_churn) return ENC_OK;
    enum { BLOCK = 1024 };
    double *X = enc_xmalloc(BLOCK * ENC_SCORE_D * sizeof *X), pr[BLOCK];
    enc__feat f = enc__score_feat(sc);
    for (size_t b = lo; b < hi; b += BLOCK) {
        size_t e = b + BLOCK < hi ? b + BLOCK : hi;
        enc__feat_rows(&f, b, e, X);
        enc_churn_score(&sc->models.churn, X, e - b, pr);
        enc_churn_reasons(&sc->models.churn, enc_score_feature_table(), X, e - b, R, 0,
                          sc->reason + b * (size_t)R, NULL);
        for (size_t i = b; i < e; i++)
            if (sc->occasions[i] > 0) sc->churn[i] = pr[i - b];
            else
                for (int j = 0; j < R; j++) sc->reason[i * (size_t)R + (size_t)j] = -1;
    }
    free(X);
    return ENC_OK;
}

/* ---- the run ------------------------------------------------------------------------------ */

/* The side line of a run: the per-customer features (which the main line waits for), then the
 * clusters; no GSL. */
typedef struct side_ctx {
    enc_score *sc;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool features_done;
    enc_rc rc;
    enc_err err;
} side_ctx;

static void *side_main(void *p)
{
    side_ctx *x = p;
    enc_score *sc = x->sc;
    const enc_snapshot *s = sc->snap;
    const enc_score_config *c = sc->cfg;
    double t0 = now_s();
    enc__feat f = enc__score_feat(sc);
    feat_ctx fx = {
        .s = s, .f = &f, .scale = enc__money_scale(c->money_digits), .ws_len = max_orders(s)};
    enc_rc rc = feat_range(&fx, 0, sc->n, &x->err);
    if (!rc) {
        double *ref = enc__cat_prices(s);
        enc__prof_ctx px = {.sc = sc, .cat_mean = ref};
        rc = enc__prof_range(&px, 0, sc->n, &x->err);
        free(ref);
    }
    sc->models.default_gap_days =
        c->gap_auto ? median_gap(&f, c->lc.default_gap_days) : c->lc.default_gap_days;
    double t1 = now_s();
    sc->t_features = t1 - t0;
    pthread_mutex_lock(&x->mu);
    x->rc = rc;
    x->features_done = true;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
    if (!rc) enc__clusters(sc);
    sc->t_cluster = now_s() - t1;
    return NULL;
}

static void *anew(enc_score *sc, size_t n, size_t size)
{
    return enc_arena_alloc(sc->arena, (n ? n : 1) * size);
}
#define NEW(sc, n, type) ((type *)anew((sc), (n), sizeof(type)))

enc_rc enc_score_run(const enc_snapshot *s, int64_t as_of, const enc_score_config *cfg,
                     enc_score **out, enc_err *err)
{
    *out = NULL;
    enc_rc rc = enc_score_config_check(cfg, err);
    if (rc) return rc;
    if (s->as_of < as_of)
        return enc_fail(err, ENC_EUSAGE, "score: the snapshot ends before the as-of date");
    enc_score *sc = enc_xcalloc(1, sizeof *sc);
    size_t n = s->ncust;
    sc->snap = s;
    sc->cfg = cfg;
    sc->as_of = as_of;
    sc->n = n;
    sc->arena = enc_arena_new(1 << 20);
    size_t R = (size_t)cfg->churn_reasons;
    sc->recency = NEW(sc, n, double);
    sc->frequency = NEW(sc, n, int32_t);
    sc->monetary = NEW(sc, n, int64_t);
    sc->returns = NEW(sc, n, int64_t);
    sc->aov = NEW(sc, n, int64_t);
    sc->tenure = NEW(sc, n, double);
    sc->r = NEW(sc, n, uint8_t);
    sc->f = NEW(sc, n, uint8_t);
    sc->m = NEW(sc, n, uint8_t);
    sc->seg = NEW(sc, n, uint8_t);
    sc->cn = NEW(sc, n, uint8_t);
    sc->occasions = NEW(sc, n, int32_t);
    sc->cnt30 = NEW(sc, n, int32_t);
    sc->cnt90 = NEW(sc, n, int32_t);
    sc->occ_recency = NEW(sc, n, double);
    sc->mean_gap = NEW(sc, n, double);
    sc->last_gap = NEW(sc, n, double);
    sc->ev30 = NEW(sc, n, int32_t);
    sc->ev_prev30 = NEW(sc, n, int32_t);
    sc->ev_window = NEW(sc, n, int32_t);
    sc->complaints90 = NEW(sc, n, int32_t);
    sc->returns365 = NEW(sc, n, int32_t);
    sc->consults90 = NEW(sc, n, int32_t);
    sc->money = NEW(sc, n, double);
    sc->stage = NEW(sc, n, uint8_t);
    sc->cls = NEW(sc, n, uint8_t);
    sc->p_alive = NEW(sc, n, double);
    sc->exp30 = NEW(sc, n, double);
    sc->exp90 = NEW(sc, n, double);
    sc->exp365 = NEW(sc, n, double);
    sc->exp_spend = NEW(sc, n, double);
    sc->clv = NEW(sc, n, double);
    sc->churn = NEW(sc, n, double);
    sc->reason = NEW(sc, n * R, int8_t);
    sc->next_ts = NEW(sc, n, int64_t);
    sc->repl_cat = NEW(sc, n * ENC_SCORE_TOP, int32_t);
    sc->repl_due = NEW(sc, n * ENC_SCORE_TOP, int64_t);
    sc->top_cat = NEW(sc, n * ENC_SCORE_TOP, int32_t);
    sc->top_brand = NEW(sc, n * ENC_SCORE_TOP, int32_t);
    sc->promo_share = NEW(sc, n, double);
    sc->price_index = NEW(sc, n, double);
    sc->tier = NEW(sc, n, uint8_t);
    sc->channel = NEW(sc, n, int32_t);
    sc->payment = NEW(sc, n, int32_t);
    sc->last_cart = NEW(sc, n, int64_t);
    sc->last_engage = NEW(sc, n, int64_t);
    sc->tags = NEW(sc, n, uint32_t);
    sc->user_tags = NEW(sc, n, uint64_t);
    sc->cluster = NEW(sc, n, int32_t);
    enc_score_models *md = &sc->models;

    /* The work is split in two lines that run at the same time: this thread does the model
     * fits that use GSL (whose error handler is global: one thread at a time), then, once the
     * side line has the per-customer features, the churn cut-off's features and the RFM tiers;
     * the side line the features, then the clusters. With one thread the side line runs first. */
    double t0 = now_s();
    enc_score_tx tx = {0};
    enc_score_transactions(s, as_of, cfg->money_digits, &tx);
    enc__feat cut = {0};
    side_ctx side = {.sc = sc, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t side_tid;
    bool side_thread = cfg->threads > 1 && pthread_create(&side_tid, NULL, side_main, &side) == 0;
    if (!side_thread) side_main(&side);

    /* CLV at as_of, then P(alive) at the churn cut-off (started from the as-of parameters) */
    clv_fit cf;
    clv_models(sc, &tx, &cf);
    clv_fit_free(&cf);
    sc->t_clv = now_s() - t0;
    double *cut_p_alive = enc_xmalloc((n ? n : 1) * sizeof *cut_p_alive);
    char pwhy[256] = "";
    int64_t H = (int64_t)llround(cfg->churn_horizon_days * DAY);
    md->churn_cutoff = as_of - H;
    p_alive_at(&tx, n, as_of - H, cfg->clv_unit_days, md->has_bgnbd ? &md->bg.p : NULL, cut_p_alive,
               0, NULL, pwhy, sizeof pwhy);
    enc_score_tx_free(&tx);

    /* once the features are in: the churn cut-off's features and the RFM tiers, while the side
     * line clusters */
    pthread_mutex_lock(&side.mu);
    while (!side.features_done) pthread_cond_wait(&side.cv, &side.mu);
    rc = side.rc;
    pthread_mutex_unlock(&side.mu);
    if (rc) *err = side.err;
    double big_spender = 0;
    if (!rc) rc = cutoff_features(s, cfg, sc->as_of, 1, &cut, err);
    double t_r2 = now_s();
    if (!rc) rc = enc__rfm_tiers(sc, &big_spender, err);
    sc->t_rfm = now_s() - t_r2;
    if (side_thread) pthread_join(side_tid, NULL);
    double t1 = now_s();

    /* the churn model */
    if (!rc) {
        free(cut.p_alive);
        cut.p_alive = cut_p_alive;
        cut_p_alive = NULL;
        size_t ntr;
        md->has_churn =
            churn_fit(cfg, &cut, &md->churn, &md->churn_rate, &md->churn_train_auc, &ntr,
                      md->churn_error, sizeof md->churn_error, NULL, NULL) == ENC_OK;
        if (md->has_churn && pwhy[0])
            snprintf(md->churn_error, sizeof md->churn_error, "P(alive) at the cut-off: %.200s",
                     pwhy);
    }
    free(cut_p_alive);
    free_feat(&cut);
    double t2 = now_s();
    sc->t_churn = t2 - t1;

    /* next order, lifecycle, churn risk; then tags */
    if (!rc) {
        final_ctx fc = {.sc = sc, .ws_len = max_orders(s)};
        rc = enc__parallel(cfg->threads, n, final_range, &fc, err);
    }
    if (!rc) {
        size_t nc = 0;
        double *v = enc_xmalloc((n ? n : 1) * sizeof *v);
        for (size_t i = 0; i < n; i++)
            if (isfinite(sc->clv[i])) v[nc++] = sc->clv[i];
        enc__tag_ctx tc = {.sc = sc,
                           .big_spender = big_spender,
                           .high_value = nc ? enc__quantile(v, nc, cfg->tag_high_value_q) : NAN};
        free(v);
        rc = enc__parallel(cfg->threads, n, enc__tag_range, &tc, err);
    }
    sc->t_tags = now_s() - t2;
    if (rc) {
        enc_score_free(sc);
        return rc;
    }
    *out = sc;
    return ENC_OK;
}

void enc_score_free(enc_score *sc)
{
    if (!sc) return;
    enc_arena_free(sc->arena);
    free(sc);
}

/* ---- churn evaluate ----------------------------------------------------------------------- */

enc_rc enc_score_churn_evaluate(const enc_snapshot *s, int64_t as_of, const enc_score_config *cfg,
                                bool pareto, enc_churn_eval *out, enc_err *err)
{
    bool keep = out->keep_rows;
    memset(out, 0, sizeof *out);
    out->keep_rows = keep;
    enc_rc rc = enc_score_config_check(cfg, err);
    if (rc) return rc;
    int64_t H = (int64_t)llround(cfg->churn_horizon_days * DAY);
    out->as_of = as_of;
    out->until = as_of + H;
    out->cutoff = as_of - H;
    out->auc = out->auc_recency = out->auc_p_alive = out->auc_p_alive_pnbd = out->auc_p_buy = NAN;
    if (s->as_of < out->until)
        return enc_fail(err, ENC_EUSAGE,
                        "churn evaluate: the snapshot ends before as-of + horizon");
    size_t n = s->ncust;
    enc_score_tx tx;
    enc_score_transactions(s, as_of, cfg->money_digits, &tx);
    /* P(alive) at as_of (the baseline and the feature) and at the cut-off */
    enc__feat f, cut;
    alloc_feat(&f, n, true);
    char why[256] = "";
    double *pb = enc_xmalloc((n ? n : 1) * sizeof *pb);
    p_alive_at(&tx, n, as_of, cfg->clv_unit_days, NULL, f.p_alive, cfg->churn_horizon_days, pb,
               out->p_alive_error, sizeof out->p_alive_error);
    double *pn = enc_xmalloc((n ? n : 1) * sizeof *pn);
    if (pareto)
        pnbd_p_alive_at(&tx, n, as_of, cfg->clv_unit_days, pn, out->pnbd_error,
                        sizeof out->pnbd_error);
    rc = cutoff_features(s, cfg, as_of, cfg->threads, &cut, err);
    if (!rc) {
        p_alive_at(&tx, n, cut.t, cfg->clv_unit_days, NULL, cut.p_alive, 0, NULL, why, sizeof why);
        size_t ntr = 0;
        double auc_tr;
        if (churn_fit(cfg, &cut, &out->model, &out->train_churn_rate, &auc_tr, &ntr, why,
                      sizeof why, keep ? &out->X_train : NULL, keep ? &out->y_train : NULL))
            rc = enc_fail(err, ENC_EFAIL, "churn evaluate: %s", why);
        out->n_train = ntr;
    }
    free_feat(&cut);
    enc_score_tx_free(&tx);
    /* features at as_of, labelled by what happened in the horizon after it */
    f.t = as_of;
    f.label_end = out->until;
    f.s = s;
    f.scale = enc__money_scale(cfg->money_digits);
    if (!rc) {
        feat_ctx x = {
            .s = s, .f = &f, .scale = enc__money_scale(cfg->money_digits), .ws_len = max_orders(s)};
        rc = enc__parallel(cfg->threads, n, feat_range, &x, err);
    }
    f.default_gap =
        cfg->gap_auto ? median_gap(&f, cfg->lc.default_gap_days) : cfg->lc.default_gap_days;
    size_t ne = 0;
    for (size_t i = 0; i < n && !rc; i++) ne += f.occ[i] > 0;
    double *X = enc_xmalloc((ne ? ne : 1) * ENC_SCORE_D * sizeof *X);
    double *p = enc_xmalloc((ne ? ne : 1) * sizeof *p),
           *rec = enc_xmalloc((ne ? ne : 1) * sizeof *rec);
    double *pa = enc_xmalloc((ne ? ne : 1) * sizeof *pa),
           *pp = enc_xmalloc((ne ? ne : 1) * sizeof *pp),
           *pbk = enc_xmalloc((ne ? ne : 1) * sizeof *pbk);
    uint8_t *y = enc_xmalloc(ne ? ne : 1);
    size_t k = 0, churned = 0;
    bool pa_ok = !out->p_alive_error[0], pp_ok = pareto && !out->pnbd_error[0];
    for (size_t i = 0; i < n && !rc; i++) {
        if (f.occ[i] <= 0) continue;
        enc__feat_rows(&f, i, i + 1, X + k * ENC_SCORE_D);
        /* recency from the last order before as_of */
        int64_t last = s->ord_off[i];
        for (int64_t q = s->ord_off[i]; q < s->ord_off[i + 1] && s->ord_ts[q] < as_of; q++)
            last = q;
        rec[k] = (double)(as_of - s->ord_ts[last]) / DAY;
        pa[k] = pa_ok && isfinite(f.p_alive[i]) ? 1 - f.p_alive[i] : 0;
        pbk[k] = pa_ok && isfinite(pb[i]) ? 1 - pb[i] : 0;
        pp[k] = pp_ok && isfinite(pn[i]) ? 1 - pn[i] : 0;
        y[k] = f.churned[i];
        churned += y[k];
        k++;
    }
    out->n_eval = ne;
    out->n_churned = churned;
    if (!rc && (churned == 0 || churned == ne))
        rc = enc_fail(err, ENC_EFAIL,
                      "churn evaluate: %zu customers, %zu churned: AUC needs both outcomes", ne,
                      churned);
    if (!rc) {
        enc_churn_score(&out->model, X, ne, p);
        void *ws = enc_xmalloc(enc_auc_ws_size(ne));
        rc = enc_auc(p, y, ne, &out->auc, ws, err);
        if (!rc) rc = enc_auc(rec, y, ne, &out->auc_recency, ws, err);
        if (!rc && pa_ok) rc = enc_auc(pa, y, ne, &out->auc_p_alive, ws, err);
        if (!rc && pa_ok) rc = enc_auc(pbk, y, ne, &out->auc_p_buy, ws, err);
        if (!rc && pp_ok) rc = enc_auc(pp, y, ne, &out->auc_p_alive_pnbd, ws, err);
        free(ws);
        double se = 0;
        for (size_t i = 0; i < ne; i++) {
            int b = p[i] >= 1 ? 9 : (int)(p[i] * 10);
            out->reliability[b].n++;
            out->reliability[b].mean_p += p[i];
            out->reliability[b].rate += y[i];
            se += (p[i] - y[i]) * (p[i] - y[i]);
        }
        for (int b = 0; b < 10; b++)
            if (out->reliability[b].n) {
                out->reliability[b].mean_p /= (double)out->reliability[b].n;
                out->reliability[b].rate /= (double)out->reliability[b].n;
            }
        out->brier = ne ? se / (double)ne : NAN;
    }
    if (keep && !rc) {
        out->X_eval = X;
        out->y_eval = y;
        out->p_eval = p;
        X = NULL, y = NULL, p = NULL;
    }
    free(X);
    free(p);
    free(rec);
    free(pa);
    free(pp);
    free(pbk);
    free(pb);
    free(pn);
    free(y);
    free_feat(&f);
    return rc;
}

void enc_churn_eval_free(enc_churn_eval *ev)
{
    free(ev->X_train);
    free(ev->X_eval);
    free(ev->p_eval);
    free(ev->y_train);
    free(ev->y_eval);
    ev->X_train = ev->X_eval = ev->p_eval = NULL;
    ev->y_train = ev->y_eval = NULL;
}
