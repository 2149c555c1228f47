/* analytics.h — shop-wide figures over time for the CLI (`encore cohorts`, `encore kpis`), the
 * HTML report and the management API: periods (day, ISO week, month), KPIs per period and
 * cohort retention. Everything is computed in one pass over a snapshot's purchase orders and
 * returns (src/snapshot), so the numbers are those the scoring sees; definitions are in
 * docs/analytics.md. Functions fill caller-owned structs whose arrays the matching _free
 * releases; nothing here prints. */
#ifndef ENCORE_ANALYTICS_H
#define ENCORE_ANALYTICS_H
#include "base/err.h"
#include "snapshot/snapshot.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct enc_jw;

/* --- the data: a snapshot of purchase orders and returns, and the shop's money -------------- */
typedef struct enc_analytics_src {
    enc_snapshot *snap; /* ENC_SNAP_ORDERS | ENC_SNAP_RETURNS, all history */
    char currency[8];   /* the orders' currency code, "" when they name none */
    int digits;         /* its decimals (the default given when unknown) */
} enc_analytics_src;
/* Reads what the analytics need from the store (through the column cache when it serves).
 * default_digits: the decimals when the store names no known currency. The caller frees out
 * with enc_analytics_src_free (also after a failure). */
enc_rc enc_analytics_src_load(struct enc_store *st, int default_digits, enc_analytics_src *out,
                              enc_err *err);
void enc_analytics_src_free(enc_analytics_src *a);

/* --- periods (UTC) --------------------------------------------------------------------------
 * A period is numbered: days since 1970-01-01, ISO weeks (Monday to Sunday) since the week of
 * 1970-01-01, months since January 1970 (negative before). Labels: "2026-12-07", "2026-W49"
 * (the ISO week-numbering year and week), "2026-12". */
typedef enum enc_period { ENC_PERIOD_DAY, ENC_PERIOD_WEEK, ENC_PERIOD_MONTH } enc_period;
/* "day", "week" or "month"; false otherwise. */
bool enc_period_parse(const char *s, enc_period *out);
const char *enc_period_name(enc_period p);
/* The number of the period holding epoch second t (times beyond years 1..9999 are clamped). */
int64_t enc_period_of(enc_period p, int64_t t);
/* Epoch second the period starts at. */
int64_t enc_period_start(enc_period p, int64_t idx);
/* The period's label into out (>= 16 bytes). */
void enc_period_label(enc_period p, int64_t idx, char *out, size_t cap);
/* A label back to its number ("2011-01", "2011-W01", "2011-01-05" for month, week, day); false
 * when malformed for p. */
bool enc_period_parse_label(enc_period p, const char *s, int64_t *idx);

/* At most this many periods in one answer (a cap on what hostile timestamps can ask for). */
#define ENC_ANALYTICS_MAX_PERIODS 20000

/* --- cohort retention -------------------------------------------------------------------------
 * A customer's cohort is the period of their first purchase. For each cohort: size (customers),
 * and for k = 0 .. n-1 periods after it: customers[k], the cohort's customers with a purchase in
 * period cohort + k (customers[0] = size), and revenue[k], their sales in that period minus
 * their returns dated in it (minor units). n runs to the last period holding an order or a
 * return of anyone. Returns dated before a customer's first purchase are left out. Only
 * cohorts with customers are listed, oldest first. */
typedef struct enc_cohort {
    int64_t period, size;
    size_t n;
    int64_t *customers, *revenue; /* n each, owned by the enc_cohorts */
} enc_cohort;
typedef struct enc_cohorts {
    enc_period period;
    size_t n;
    enc_cohort *rows;
    int64_t *cells; /* backing store of every row's arrays */
} enc_cohorts;
/* Computes the cohorts of snapshot s (it needs ENC_SNAP_ORDERS and ENC_SNAP_RETURNS); period
 * is week or month. ENC_ELIMIT when the data span more than ENC_ANALYTICS_MAX_PERIODS cells a
 * row. The caller frees out with enc_cohorts_free (also after a failure). */
enc_rc enc_cohorts_compute(const enc_snapshot *s, enc_period period, enc_cohorts *out,
                           enc_err *err);
void enc_cohorts_free(enc_cohorts *c);
/* Writes {"period", "currency", "cohorts": [{"cohort", "size", "customers", "revenue"}]} with
 * money at `digits` decimals; currency may be NULL (written as null). */
void enc_cohorts_json(const enc_cohorts *c, const char *currency, int digits, struct enc_jw *w);

/* --- KPIs per period -------------------------------------------------------------------------
 * For each period from `from` to `to` (period numbers, inclusive):
 *   orders     purchase orders placed in the period
 *   revenue    their sales (minor units); returns: returns dated in the period (positive);
 *              net_revenue = revenue - returns
 *   active     distinct customers with a purchase in the period
 *   new        customers whose first purchase ever falls in the period
 *   returning  active - new: active customers who had bought before the period
 *   repurchase_rate = returning / active (NaN when no one was active)
 *   aov        revenue / orders (minor units, NaN with no orders) */
typedef struct enc_kpi_row {
    int64_t period;
    int64_t orders, revenue, returns, active, fresh, returning;
} enc_kpi_row;
typedef struct enc_kpis {
    enc_period period;
    size_t n;
    enc_kpi_row *rows; /* malloc'ed, n rows, ascending periods */
} enc_kpis;
/* Computes the KPIs of snapshot s (ENC_SNAP_ORDERS and ENC_SNAP_RETURNS) for periods from..to;
 * has_from/has_to false: the first/last period holding an order or return. ENC_EUSAGE when
 * from > to, ENC_ELIMIT beyond ENC_ANALYTICS_MAX_PERIODS periods. The caller frees out with
 * enc_kpis_free (also after a failure). */
enc_rc enc_kpis_compute(const enc_snapshot *s, enc_period period, bool has_from, int64_t from,
                        bool has_to, int64_t to, enc_kpis *out, enc_err *err);
void enc_kpis_free(enc_kpis *k);
/* Writes {"interval", "currency", "periods": [{"period", "orders", "revenue", "returns",
 * "net_revenue", "aov", "active_customers", "new_customers", "returning_customers",
 * "repurchase_rate"}]}. */
void enc_kpis_json(const enc_kpis *k, const char *currency, int digits, struct enc_jw *w);

/* --- distributions and migration of the scoring runs -----------------------------------------
 * The documents of `encore segments --json` and `encore segments --migration --json` (GET
 * /v1/analytics/distribution and /migration). by: rfm, rfm_cn, lifecycle, cluster or tag for
 * the distribution; rfm or lifecycle for the migration (ENC_EUSAGE otherwise, nothing
 * written). *found is false (nothing written) when there are no profiles, or fewer than two
 * runs in the segment history. */
enc_rc enc_distribution_json(struct enc_store *st, const char *by, int digits, struct enc_jw *w,
                             bool *found, enc_err *err);
enc_rc enc_migration_json(struct enc_store *st, const char *by, struct enc_jw *w, bool *found,
                          enc_err *err);

/* --- campaigns ranked -------------------------------------------------------------------------
 * Every campaign that has started, measured as `encore campaign report NAME --json` measures it
 * as of as_of (measure/campreport.h), ranked by the incremental revenue of all its variants
 * together over the holdout (campaigns without a measurable holdout last):
 * {"as_of", "campaigns": [{"name", "state", "started_at", "audience", "holdout", "messaged",
 * "conversions", "holdout_conversions", "conversion_uplift", "incremental_revenue",
 * "incremental_revenue_ci", "cost", "roi", "currency"}]}. */
enc_rc enc_campaigns_ranked_json(struct enc_store *st, int64_t as_of, struct enc_jw *w,
                                 enc_err *err);
#endif
