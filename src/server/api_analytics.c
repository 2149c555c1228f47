/* api_analytics.c — GET /v1/analytics/kpis, /distribution, /migration, /cohorts: the documents
 * of `encore kpis --json`, `encore segments --json`, `encore segments --migration --json` and
 * `encore cohorts --json`, from the same library calls (measure/analytics.h). */
#include "server/api_views.h"
#include "ingest/clean.h"
#include "measure/analytics.h"
#include "store/store_analytics.h"
#include <stdio.h>
#include <string.h>

void enc__api_money(enc_store *st, char *currency, size_t cap, int *digits)
{
    enc_err err = {0};
    *digits = 2;
    if (enc_store_currency(st, currency, cap, &err)) currency[0] = 0;
    if (currency[0] && enc_currency_digits(currency) >= 0) *digits = enc_currency_digits(currency);
}

void enc__api_fail(enc_mres *rs, const char *what, const enc_err *err)
{
    fprintf(stderr, "encore: serve: %s: %s\n", what, err->msg);
    enc_mres_problem(rs, 500, NULL, "storage error");
}

void enc_h_analytics_kpis(enc_mreq *rq, enc_mres *rs)
{
    const char *iv = enc_mreq_query(rq, "interval"), *fs = enc_mreq_query(rq, "from"),
               *ts = enc_mreq_query(rq, "to");
    enc_period p = ENC_PERIOD_MONTH;
    if (iv && !enc_period_parse(iv, &p))
        return enc_mres_problem(rs, 400, "query.interval", "one of day, week, month");
    int64_t from = 0, to = 0;
    if (fs && !enc_period_parse_label(p, fs, &from))
        return enc_mres_problem(rs, 400, "query.from", "not a %s (e.g. %s)", enc_period_name(p),
                                p == ENC_PERIOD_DAY    ? "2026-12-07"
                                : p == ENC_PERIOD_WEEK ? "2026-W49"
                                                       : "2026-12");
    if (ts && !enc_period_parse_label(p, ts, &to))
        return enc_mres_problem(rs, 400, "query.to", "not a %s (e.g. %s)", enc_period_name(p),
                                p == ENC_PERIOD_DAY    ? "2026-12-07"
                                : p == ENC_PERIOD_WEEK ? "2026-W49"
                                                       : "2026-12");
    if (fs && ts && from > to) return enc_mres_problem(rs, 400, "query.from", "after query.to");
    char cur[8];
    int digits;
    enc__api_money(rq->st, cur, sizeof cur, &digits);
    enc_err err = {0};
    enc_analytics_src a;
    enc_kpis k = {0};
    if (enc_analytics_src_load(rq->st, digits, &a, &err)) {
        enc__api_fail(rs, "kpis", &err);
    } else if (enc_kpis_compute(a.snap, p, fs != NULL, from, ts != NULL, to, &k, &err)) {
        if (err.rc == ENC_ELIMIT || err.rc == ENC_EUSAGE)
            enc_mres_problem(rs, 400, "query.from", "%s", err.msg);
        else enc__api_fail(rs, "kpis", &err);
    } else {
        enc_kpis_json(&k, cur[0] ? cur : NULL, a.digits, enc_mres_json(rs, 200));
    }
    enc_kpis_free(&k);
    enc_analytics_src_free(&a);
}

void enc_h_analytics_cohorts(enc_mreq *rq, enc_mres *rs)
{
    const char *ps = enc_mreq_query(rq, "period");
    enc_period p = ENC_PERIOD_MONTH;
    if (ps && (!enc_period_parse(ps, &p) || p == ENC_PERIOD_DAY))
        return enc_mres_problem(rs, 400, "query.period", "month or week");
    char cur[8];
    int digits;
    enc__api_money(rq->st, cur, sizeof cur, &digits);
    enc_err err = {0};
    enc_analytics_src a;
    enc_cohorts c = {0};
    if (enc_analytics_src_load(rq->st, digits, &a, &err)) {
        enc__api_fail(rs, "cohorts", &err);
    } else if (enc_cohorts_compute(a.snap, p, &c, &err)) {
        if (err.rc == ENC_ELIMIT) enc_mres_problem(rs, 422, NULL, "%s", err.msg);
        else enc__api_fail(rs, "cohorts", &err);
    } else {
        enc_cohorts_json(&c, cur[0] ? cur : NULL, a.digits, enc_mres_json(rs, 200));
    }
    enc_cohorts_free(&c);
    enc_analytics_src_free(&a);
}

void enc_h_analytics_distribution(enc_mreq *rq, enc_mres *rs)
{
    const char *by = enc_mreq_query(rq, "by");
    if (!by) by = "rfm";
    static const char *const kinds[] = {"rfm", "rfm_cn", "lifecycle", "cluster", "tag"};
    size_t k = 0;
    while (k < 5 && strcmp(kinds[k], by) != 0) k++;
    if (k == 5)
        return enc_mres_problem(rs, 400, "query.by", "one of rfm, rfm_cn, lifecycle, cluster, tag");
    char cur[8];
    int digits;
    enc__api_money(rq->st, cur, sizeof cur, &digits);
    enc_err err = {0};
    bool found;
    if (enc_distribution_json(rq->st, by, digits, enc_mres_json(rs, 200), &found, &err))
        return enc__api_fail(rs, "distribution", &err);
    if (!found) enc_mres_problem(rs, 404, NULL, "no profiles: no scoring run yet");
}

void enc_h_analytics_migration(enc_mreq *rq, enc_mres *rs)
{
    const char *by = enc_mreq_query(rq, "by");
    if (!by) by = "rfm";
    if (strcmp(by, "rfm") != 0 && strcmp(by, "rfm_cn") != 0 && strcmp(by, "lifecycle") != 0)
        return enc_mres_problem(rs, 400, "query.by", "rfm, rfm_cn or lifecycle");
    enc_err err = {0};
    bool found;
    if (enc_migration_json(rq->st, by, enc_mres_json(rs, 200), &found, &err))
        return enc__api_fail(rs, "migration", &err);
    if (!found) enc_mres_problem(rs, 404, NULL, "a migration needs two scoring runs");
}

void enc_h_analytics_campaigns(enc_mreq *rq, enc_mres *rs)
{
    const char *at = enc_mreq_query(rq, "at");
    int64_t as_of = rq->now;
    if (at && !enc_parse_time(at, &as_of))
        return enc_mres_problem(rs, 400, "query.at", "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    enc_err err = {0};
    if (enc_campaigns_ranked_json(rq->st, as_of, enc_mres_json(rs, 200), &err))
        enc__api_fail(rs, "campaigns", &err);
}
