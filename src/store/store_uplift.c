/* store_uplift.c — the SQLite side of uplift targeting (store_uplift.h): campaign members with
 * their group and conversion, pre-treatment features from paid orders, and the stored model
 * and predicted uplifts per campaign (tables uplift_models, uplift_scores). */
#include "store/store_uplift.h"
#include "base/mem.h"
#include "store/store_int.h"
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

const char *const enc_uplift_feature_name[ENC_UPLIFT_NF] = {
#define X(name, log1p) #name,
    ENC_UPLIFT_FEATURES(X)
#undef X
};
const uint8_t enc_uplift_feature_log1p[ENC_UPLIFT_NF] = {
#define X(name, log1p) log1p,
    ENC_UPLIFT_FEATURES(X)
#undef X
};

static sqlite3_stmt *prep(enc_store *st, const char *sql, enc_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(enc__store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
        enc__store_sqlfail(st, err, "uplift");
        return NULL;
    }
    return q;
}

static enc_rc campaign_exists(enc_store *st, const char *campaign, enc_err *err)
{
    sqlite3_stmt *q = prep(st, "SELECT 1 FROM campaigns WHERE name = ?1", err);
    if (!q) return ENC_EDB;
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW) return ENC_OK;
    if (rc == SQLITE_DONE) return enc_fail(err, ENC_ENOTFOUND, "no campaign '%s'", campaign);
    return enc__store_sqlfail(st, err, "reading campaigns");
}

enc_rc enc_store_uplift_members(enc_store *st, const char *campaign, int64_t window,
                                enc_uplift_member **out, size_t *n, enc_err *err)
{
    *out = NULL;
    *n = 0;
    enc_rc r = campaign_exists(st, campaign, err);
    if (r) return r;
    /* a customer ever held out is held out (as gen respond draws); the first membership time */
    sqlite3_stmt *q = prep(st,
                           "SELECT f.customer_id, f.at, f.holdout,"
                           " EXISTS(SELECT 1 FROM orders o WHERE o.customer_id = f.customer_id"
                           "   AND o.status = 'paid' AND o.ts > f.at AND o.ts <= f.at + ?2)"
                           " FROM (SELECT customer_id, min(at) AS at, max(holdout) AS holdout"
                           "   FROM campaign_members WHERE campaign = ?1 GROUP BY customer_id) f"
                           " ORDER BY f.customer_id",
                           err);
    if (!q) return ENC_EDB;
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, window);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ENC_GROW(*out, cap, *n + 1);
        enc_uplift_member *m = &(*out)[(*n)++];
        m->customer_id = sqlite3_column_int64(q, 0);
        m->at = sqlite3_column_int64(q, 1);
        m->holdout = sqlite3_column_int(q, 2) != 0;
        m->converted = sqlite3_column_int(q, 3) != 0;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return enc__store_sqlfail(st, err, "reading campaign members");
    }
    return ENC_OK;
}

enc_rc enc_store_uplift_features(enc_store *st, const int64_t *ids, const int64_t *at, int64_t at0,
                                 size_t n, double *X, enc_err *err)
{
    sqlite3_stmt *q = prep(st,
                           "SELECT max(ts), min(ts), count(*), total(sales) FROM orders"
                           " WHERE customer_id = ?1 AND status = 'paid' AND ts < ?2",
                           err);
    if (!q) return ENC_EDB;
    for (size_t i = 0; i < n; i++) {
        int64_t t = at ? at[i] : at0;
        sqlite3_bind_int64(q, 1, ids[i]);
        sqlite3_bind_int64(q, 2, t);
        if (sqlite3_step(q) != SQLITE_ROW) {
            sqlite3_finalize(q);
            return enc__store_sqlfail(st, err, "reading orders for uplift features");
        }
        double *x = X + i * ENC_UPLIFT_NF;
        bool any = sqlite3_column_type(q, 0) != SQLITE_NULL;
        x[ENC_UPF_recency_days] = any ? (double)(t - sqlite3_column_int64(q, 0)) / 86400 : NAN;
        x[ENC_UPF_tenure_days] = any ? (double)(t - sqlite3_column_int64(q, 1)) / 86400 : NAN;
        x[ENC_UPF_orders] = (double)sqlite3_column_int64(q, 2);
        double s = sqlite3_column_double(q, 3);
        x[ENC_UPF_sales] = s > 0 ? s : 0;
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return ENC_OK;
}

enc_rc enc_store_uplift_customers(enc_store *st, int64_t **ids, size_t *n, enc_err *err)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *q =
        prep(st, "SELECT id FROM customers WHERE merged_into IS NULL ORDER BY id", err);
    if (!q) return ENC_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ENC_GROW(*ids, cap, *n + 1);
        (*ids)[(*n)++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return enc__store_sqlfail(st, err, "reading customers");
    }
    return ENC_OK;
}

enc_rc enc_store_uplift_save(enc_store *st, const char *campaign, int64_t fitted_at,
                             const char *model_json, const int64_t *ids, const double *tau,
                             size_t n, enc_err *err)
{
    enc_rc r = enc_store_begin(st, err);
    if (r) return r;
    sqlite3_stmt *q = prep(st, "DELETE FROM uplift_scores WHERE campaign = ?1", err);
    if (!q) goto fail;
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) goto sqlfail;
    q = prep(st,
             "INSERT INTO uplift_models(campaign, fitted_at, customers, model) VALUES(?1, ?2, ?3,"
             " ?4) ON CONFLICT(campaign) DO UPDATE SET fitted_at = excluded.fitted_at,"
             " customers = excluded.customers, model = excluded.model",
             err);
    if (!q) goto fail;
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, fitted_at);
    sqlite3_bind_int64(q, 3, (int64_t)n);
    sqlite3_bind_text(q, 4, model_json, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) goto sqlfail;
    q = prep(st, "INSERT INTO uplift_scores(campaign, customer_id, uplift) VALUES(?1, ?2, ?3)",
             err);
    if (!q) goto fail;
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_STATIC);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(q, 2, ids[i]);
        if (isfinite(tau[i])) sqlite3_bind_double(q, 3, tau[i]);
        else sqlite3_bind_null(q, 3);
        if (sqlite3_step(q) != SQLITE_DONE) {
            sqlite3_finalize(q);
            goto sqlfail;
        }
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return enc_store_commit(st, err);
sqlfail:
    enc__store_sqlfail(st, err, "saving the uplift model");
fail:
    enc_store_rollback(st);
    return err ? err->rc : ENC_EDB;
}

enc_rc enc_store_uplift_scores(enc_store *st, const char *campaign, int64_t **ids, double **tau,
                               size_t *n, enc_err *err)
{
    *ids = NULL;
    *tau = NULL;
    *n = 0;
    sqlite3_stmt *q = prep(st, "SELECT 1 FROM uplift_models WHERE campaign = ?1", err);
    if (!q) return ENC_EDB;
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE)
        return enc_fail(err, ENC_ENOTFOUND,
                        "no uplift model for campaign '%s' (run 'encore uplift evaluate %s')",
                        campaign, campaign);
    if (rc != SQLITE_ROW) return enc__store_sqlfail(st, err, "reading uplift models");
    q = prep(st,
             "SELECT customer_id, uplift FROM uplift_scores WHERE campaign = ?1"
             " ORDER BY customer_id",
             err);
    if (!q) return ENC_EDB;
    sqlite3_bind_text(q, 1, campaign, -1, SQLITE_STATIC);
    size_t cap = 0, cap2 = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ENC_GROW(*ids, cap, *n + 1);
        ENC_GROW(*tau, cap2, *n + 1);
        (*ids)[*n] = sqlite3_column_int64(q, 0);
        (*tau)[*n] = sqlite3_column_type(q, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 1);
        (*n)++;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(*ids);
        free(*tau);
        *ids = NULL;
        *tau = NULL;
        *n = 0;
        return enc__store_sqlfail(st, err, "reading uplift scores");
    }
    return ENC_OK;
}
