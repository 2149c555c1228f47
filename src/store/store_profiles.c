/* store_profiles.c — the profiles table (schema migration 2) in the SQLite backend: the bulk
 * write at the end of a scoring run (one transaction, one prepared INSERT reused, the previous
 * run's rows replaced), and the read side for `profile`, `export profiles` and `segments`.
 * Scoring (src/intel/score.c) fills the columns; the audience and report stages read them. */
#include "store/store_int.h"
#include "base/csv.h"
#include "base/buf.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/mem.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ---------------------------------------------------------------------------- */

struct enc_profile_writer {
    enc_store *st;
    sqlite3_stmt *ins;
    int64_t run_id, as_of;
    bool failed;
};

static const char insert_sql[] =
    "INSERT INTO profiles(customer_id, run_id, as_of, recency_days, frequency, monetary,"
    " returns_amount, aov, tenure_days, r, f, m, rfm_segment, rfm_segment_cn, lifecycle,"
    " lifecycle_class, p_alive, expected_purchases_30d, expected_purchases_90d,"
    " expected_purchases_365d, expected_spend, clv, churn_risk, churn_reasons, next_order_date,"
    " replenish, top_categories, top_brands, price_sensitivity, spend_tier, preferred_channel,"
    " preferred_payment, region, tags, cluster, cluster_label) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,"
    " ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36)";

static enc_rc exec(enc_store *st, const char *sql, enc_err *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "profiles");
    return ENC_OK;
}

enc_rc enc_store_profiles_begin(enc_store *st, const enc_score_run_rec *run,
                                enc_profile_writer **out, enc_err *err)
{
    *out = NULL;
    if (exec(st, "BEGIN IMMEDIATE", err)) return ENC_EDB;
    sqlite3_stmt *s = NULL;
    enc_rc rc = ENC_OK;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO score_runs(as_of, started_at, customers, models)"
                           " VALUES(?1, ?2, ?3, ?4)",
                           -1, &s, NULL) != SQLITE_OK) {
        rc = enc__store_sqlfail(st, err, "recording the score run");
        goto fail;
    }
    sqlite3_bind_int64(s, 1, run->as_of);
    sqlite3_bind_int64(s, 2, run->started_at);
    sqlite3_bind_int64(s, 3, run->customers);
    enc__bind_text(s, 4, run->models);
    rc = enc__store_done(st, s, err, "recording the score run");
    sqlite3_finalize(s);
    s = NULL;
    if (rc) goto fail;
    enc_profile_writer *w = enc_xcalloc(1, sizeof *w);
    w->st = st;
    w->run_id = sqlite3_last_insert_rowid(st->db);
    w->as_of = run->as_of;
    /* no WHERE: SQLite's truncate optimisation drops the old rows at once. secure_delete FAST
     * for this statement: the build's default (ON) would first overwrite every old row with
     * zeros (1.6 s of I/O for a million profiles) although new profiles replace them at once;
     * FAST still clears them where that costs no extra I/O. */
    sqlite3_stmt *sd;
    int was = 1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA secure_delete", -1, &sd, NULL) == SQLITE_OK) {
        if (sqlite3_step(sd) == SQLITE_ROW) was = sqlite3_column_int(sd, 0);
        sqlite3_finalize(sd);
    }
    sqlite3_exec(st->db, "PRAGMA secure_delete=FAST", NULL, NULL, NULL);
    rc = exec(st, "DELETE FROM profiles", err);
    char restore[48];
    snprintf(restore, sizeof restore, "PRAGMA secure_delete=%d", was);
    sqlite3_exec(st->db, restore, NULL, NULL, NULL);
    if (!rc && sqlite3_prepare_v2(st->db, insert_sql, -1, &w->ins, NULL) != SQLITE_OK)
        rc = enc__store_sqlfail(st, err, "preparing the profile insert");
    if (rc) {
        sqlite3_finalize(w->ins);
        free(w);
        goto fail;
    }
    *out = w;
    return ENC_OK;
fail:
    exec(st, "ROLLBACK", NULL);
    return rc ? rc : ENC_EDB;
}

static void bind_real(sqlite3_stmt *s, int i, const double *col, size_t r)
{
    if (col && isfinite(col[r])) sqlite3_bind_double(s, i, col[r]);
    else sqlite3_bind_null(s, i);
}

static void bind_int(sqlite3_stmt *s, int i, const int64_t *col, size_t r)
{
    if (col && col[r] != ENC_PROFILE_NULL) sqlite3_bind_int64(s, i, col[r]);
    else sqlite3_bind_null(s, i);
}

static void bind_str(sqlite3_stmt *s, int i, const char *const *col, size_t r)
{
    enc__bind_text(s, i, col ? col[r] : NULL);
}

enc_rc enc_store_profiles_write(enc_profile_writer *w, const enc_profile_rows *p, enc_err *err)
{
    if (w->failed) return enc_fail(err, ENC_EUSAGE, "profiles: write after a failed write");
    if (!p->customer_id) return enc_fail(err, ENC_EUSAGE, "profiles: customer ids missing");
    sqlite3_stmt *s = w->ins;
    static const int64_t zero = 0;
    for (size_t r = 0; r < p->n; r++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, p->customer_id[r]);
        sqlite3_bind_int64(s, 2, w->run_id);
        sqlite3_bind_int64(s, 3, w->as_of);
        bind_real(s, 4, p->recency_days, r);
        /* frequency, monetary, returns_amount are NOT NULL (0 when unknown) */
        sqlite3_bind_int64(
            s, 5, p->frequency && p->frequency[r] != ENC_PROFILE_NULL ? p->frequency[r] : zero);
        sqlite3_bind_int64(
            s, 6, p->monetary && p->monetary[r] != ENC_PROFILE_NULL ? p->monetary[r] : zero);
        sqlite3_bind_int64(s, 7,
                           p->returns_amount && p->returns_amount[r] != ENC_PROFILE_NULL
                               ? p->returns_amount[r]
                               : zero);
        bind_int(s, 8, p->aov, r);
        bind_real(s, 9, p->tenure_days, r);
        bind_int(s, 10, p->r, r);
        bind_int(s, 11, p->f, r);
        bind_int(s, 12, p->m, r);
        bind_str(s, 13, p->rfm_segment, r);
        bind_str(s, 14, p->rfm_segment_cn, r);
        bind_str(s, 15, p->lifecycle, r);
        bind_str(s, 16, p->lifecycle_class, r);
        bind_real(s, 17, p->p_alive, r);
        bind_real(s, 18, p->expected_30d, r);
        bind_real(s, 19, p->expected_90d, r);
        bind_real(s, 20, p->expected_365d, r);
        bind_int(s, 21, p->expected_spend, r);
        bind_int(s, 22, p->clv, r);
        bind_real(s, 23, p->churn_risk, r);
        bind_str(s, 24, p->churn_reasons, r);
        bind_int(s, 25, p->next_order, r);
        bind_str(s, 26, p->replenish, r);
        bind_str(s, 27, p->top_categories, r);
        bind_str(s, 28, p->top_brands, r);
        bind_real(s, 29, p->price_sensitivity, r);
        bind_str(s, 30, p->spend_tier, r);
        bind_str(s, 31, p->preferred_channel, r);
        bind_str(s, 32, p->preferred_payment, r);
        bind_str(s, 33, p->region, r);
        bind_str(s, 34, p->tags, r);
        bind_int(s, 35, p->cluster, r);
        bind_str(s, 36, p->cluster_label, r);
        if (sqlite3_step(s) != SQLITE_DONE) {
            w->failed = true;
            return enc__store_sqlfail(w->st, err, "writing profiles");
        }
    }
    sqlite3_reset(s);
    return ENC_OK;
}

enc_rc enc_store_profiles_end(enc_profile_writer *w, bool commit, double seconds, enc_err *err)
{
    enc_store *st = w->st;
    enc_rc rc = ENC_OK;
    sqlite3_finalize(w->ins);
    if (commit && !w->failed) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db, "UPDATE score_runs SET seconds = ?1 WHERE id = ?2", -1, &s,
                               NULL) != SQLITE_OK) {
            rc = enc__store_sqlfail(st, err, "recording the score run");
        } else {
            sqlite3_bind_double(s, 1, seconds);
            sqlite3_bind_int64(s, 2, w->run_id);
            rc = enc__store_done(st, s, err, "recording the score run");
            sqlite3_finalize(s);
        }
        if (!rc) rc = enc__store_history_record(st, w->run_id, err);
        if (!rc) rc = exec(st, "COMMIT", err);
    } else if (commit) {
        rc = enc_fail(err, ENC_EDB, "profiles: not committed after a failed write");
    }
    if (!commit || rc) exec(st, "ROLLBACK", NULL);
    free(w);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* How each output field is read and shown; `col` is its column in the SELECT below. */
/* F_DAYS and F_REAL are written rounded (ENC_DP_DAYS, ENC_DP_RATE): their further digits are noise
 */
typedef enum { F_ID, F_DATE_ASOF, F_DAYS, F_REAL, F_INT, F_MONEY, F_TEXT, F_LIST, F_DATE } fkind;
static const struct {
    const char *name;
    fkind kind;
} fields[] = {
    {"customer_id", F_ID},
    {"as_of", F_DATE_ASOF},
    {"recency_days", F_DAYS},
    {"frequency", F_INT},
    {"monetary", F_MONEY},
    {"returns_amount", F_MONEY},
    {"aov", F_MONEY},
    {"tenure_days", F_DAYS},
    {"r", F_INT},
    {"f", F_INT},
    {"m", F_INT},
    {"rfm_segment", F_TEXT},
    {"rfm_segment_cn", F_TEXT},
    {"lifecycle", F_TEXT},
    {"lifecycle_class", F_TEXT},
    {"p_alive", F_REAL},
    {"expected_purchases_30d", F_REAL},
    {"expected_purchases_90d", F_REAL},
    {"expected_purchases_365d", F_REAL},
    {"expected_spend", F_MONEY},
    {"clv", F_MONEY},
    {"churn_risk", F_REAL},
    {"churn_reasons", F_LIST},
    {"next_order_date", F_DATE},
    {"replenish", F_LIST},
    {"top_categories", F_LIST},
    {"top_brands", F_LIST},
    {"price_sensitivity", F_REAL},
    {"spend_tier", F_TEXT},
    {"preferred_channel", F_TEXT},
    {"preferred_payment", F_TEXT},
    {"region", F_TEXT},
    {"tags", F_LIST},
    {"cluster", F_INT},
    {"cluster_label", F_TEXT},
};
#define NFIELDS (sizeof fields / sizeof *fields)

/* column 0: the merchant's id; then the profile columns in the order of fields[] from 1 */
static const char select_sql[] =
    "SELECT c.external_id, p.as_of, p.recency_days, p.frequency, p.monetary, p.returns_amount,"
    " p.aov, p.tenure_days, p.r, p.f, p.m, p.rfm_segment, p.rfm_segment_cn, p.lifecycle,"
    " p.lifecycle_class, p.p_alive, p.expected_purchases_30d, p.expected_purchases_90d,"
    " p.expected_purchases_365d, p.expected_spend, p.clv, p.churn_risk, p.churn_reasons,"
    " p.next_order_date, p.replenish, p.top_categories, p.top_brands, p.price_sensitivity,"
    " p.spend_tier, p.preferred_channel, p.preferred_payment, p.region, p.tags, p.cluster,"
    " p.cluster_label, p.customer_id FROM profiles p LEFT JOIN customers c ON c.id = p.customer_id";

struct enc_profile_cursor {
    enc_store *st;
    sqlite3_stmt *q;
    int digits;
};

const char *enc_store_profiles_csv_header(void)
{
    static char hdr[1024];
    if (!hdr[0]) {
        size_t len = 0;
        for (size_t i = 0; i < NFIELDS; i++)
            len +=
                (size_t)snprintf(hdr + len, sizeof hdr - len, "%s%s", i ? "," : "", fields[i].name);
    }
    return hdr;
}

enc_rc enc_store_profiles_open(enc_store *st, int64_t cust, int digits, enc_profile_cursor **out,
                               enc_err *err)
{
    *out = NULL;
    char sql[sizeof select_sql + 64];
    snprintf(sql, sizeof sql, "%s%s", select_sql,
             cust ? " WHERE p.customer_id = ?1" : " ORDER BY p.customer_id");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading profiles");
    if (cust) sqlite3_bind_int64(q, 1, cust);
    enc_profile_cursor *c = enc_xcalloc(1, sizeof *c);
    c->st = st;
    c->q = q;
    c->digits = digits;
    *out = c;
    return ENC_OK;
}

void enc_store_profiles_close(enc_profile_cursor *c)
{
    if (!c) return;
    sqlite3_finalize(c->q);
    free(c);
}

/* CSV cells are neutralised against formula injection (base/csv.h) */
static void csv_field(enc_buf *b, const char *s, size_t n) { enc_csv_cell(b, s, n); }

/* A stored JSON value written through the writer (lists of strings, and the replenishment
 * list of {category, due} objects). */
static void emit_json(enc_jw *w, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        enc_jw_obj(w);
        json_object_foreach(v, k, x)
        {
            enc_jw_key(w, k);
            emit_json(w, x);
        }
        enc_jw_end(w);
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        enc_jw_arr(w);
        json_array_foreach(v, i, x) emit_json(w, x);
        enc_jw_end(w);
        break;
    }
    case JSON_STRING: enc_jw_strn(w, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: enc_jw_int(w, json_integer_value(v)); break;
    case JSON_REAL: enc_jw_num(w, json_real_value(v)); break;
    case JSON_TRUE: enc_jw_bool(w, true); break;
    case JSON_FALSE: enc_jw_bool(w, false); break;
    default: enc_jw_null(w); break;
    }
}

/* A stored list as one CSV cell: items joined by '|'; an object item as "a=b" of its values. */
static void list_cell(enc_buf *cell, json_t *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (i) enc_buf_addc(cell, '|');
        if (json_is_string(x)) {
            enc_buf_add(cell, json_string_value(x), json_string_length(x));
        } else if (json_is_object(x)) {
            const char *k;
            json_t *y;
            int j = 0;
            json_object_foreach(x, k, y)
            {
                if (j++) enc_buf_addc(cell, '=');
                if (json_is_string(y)) enc_buf_adds(cell, json_string_value(y));
            }
        }
    }
}

/* The shortest decimal that reads back as v (as JSON numbers are written). */
static void shortest(enc_buf *b, double v)
{
    char t[40];
    for (int p = 15; p <= 17; p++) {
        snprintf(t, sizeof t, "%.*g", p, v);
        if (strtod(t, NULL) == v) break;
    }
    enc_buf_adds(b, t);
}

static void fmt_day(char *out, size_t cap, int64_t t) { enc_fmt_date(out, cap, t); }

int enc_store_profiles_next(enc_profile_cursor *c, enc_profile_fmt fmt, enc_buf *b, enc_err *err)
{
    sqlite3_stmt *q = c->q;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) return 0;
    if (rc != SQLITE_ROW) {
        enc__store_sqlfail(c->st, err, "reading profiles");
        return -1;
    }
    enc_jw w;
    if (fmt == ENC_PROFILE_JSON) {
        enc_jw_init(&w, b);
        enc_jw_obj(&w);
    }
    enc_buf cell = {0};
    for (size_t i = 0; i < NFIELDS; i++) {
        int col = (int)i;
        bool null = sqlite3_column_type(q, col) == SQLITE_NULL;
        enc_buf_reset(&cell);
        char tmp[64];
        if (fmt == ENC_PROFILE_JSON) enc_jw_key(&w, fields[i].name);
        switch (fields[i].kind) {
        case F_ID: {
            const char *ext = (const char *)sqlite3_column_text(q, col);
            if (ext) enc_buf_adds(&cell, ext);
            else enc_buf_printf(&cell, "#%lld", (long long)sqlite3_column_int64(q, (int)NFIELDS));
            if (fmt == ENC_PROFILE_JSON) enc_jw_strn(&w, cell.p, cell.len);
            break;
        }
        case F_DATE_ASOF:
        case F_DATE:
            if (null) {
                if (fmt == ENC_PROFILE_JSON) enc_jw_null(&w);
                break;
            }
            /* as_of is the exclusive end of the as-of day: show that day */
            fmt_day(tmp, sizeof tmp,
                    sqlite3_column_int64(q, col) - (fields[i].kind == F_DATE_ASOF));
            enc_buf_adds(&cell, tmp);
            if (fmt == ENC_PROFILE_JSON) enc_jw_str(&w, tmp);
            break;
        case F_DAYS:
        case F_REAL: {
            if (null) {
                if (fmt == ENC_PROFILE_JSON) enc_jw_null(&w);
                break;
            }
            double v = enc_round_dp(sqlite3_column_double(q, col),
                                    fields[i].kind == F_DAYS ? ENC_DP_DAYS : ENC_DP_RATE);
            if (fmt == ENC_PROFILE_JSON) enc_jw_num(&w, v);
            else shortest(&cell, v);
            break;
        }
        case F_INT:
            if (null) {
                if (fmt == ENC_PROFILE_JSON) enc_jw_null(&w);
                break;
            }
            if (fmt == ENC_PROFILE_JSON) enc_jw_int(&w, sqlite3_column_int64(q, col));
            else enc_buf_printf(&cell, "%lld", (long long)sqlite3_column_int64(q, col));
            break;
        case F_MONEY:
            if (null) {
                if (fmt == ENC_PROFILE_JSON) enc_jw_null(&w);
                break;
            }
            if (fmt == ENC_PROFILE_JSON) {
                enc_jw_money(&w, sqlite3_column_int64(q, col), c->digits);
            } else {
                enc_money_format(tmp, sizeof tmp, sqlite3_column_int64(q, col), c->digits);
                enc_buf_adds(&cell, tmp);
            }
            break;
        case F_TEXT:
            if (null) {
                if (fmt == ENC_PROFILE_JSON) enc_jw_null(&w);
                break;
            }
            if (fmt == ENC_PROFILE_JSON)
                enc_jw_strn(&w, (const char *)sqlite3_column_text(q, col),
                            (size_t)sqlite3_column_bytes(q, col));
            else
                enc_buf_add(&cell, sqlite3_column_text(q, col),
                            (size_t)sqlite3_column_bytes(q, col));
            break;
        case F_LIST: {
            json_t *v = null ? NULL
                             : json_loadb((const char *)sqlite3_column_text(q, col),
                                          (size_t)sqlite3_column_bytes(q, col), 0, NULL);
            if (fmt == ENC_PROFILE_JSON) {
                if (v) emit_json(&w, v);
                else if (null) enc_jw_null(&w);
                else {
                    enc_jw_arr(&w);
                    enc_jw_end(&w);
                }
            } else if (v && json_is_array(v)) {
                list_cell(&cell, v);
            }
            json_decref(v);
            break;
        }
        }
        if (fmt == ENC_PROFILE_CSV) {
            if (i) enc_buf_addc(b, ',');
            csv_field(b, cell.p ? cell.p : "", cell.len);
        }
    }
    if (fmt == ENC_PROFILE_JSON) enc_jw_end(&w);
    enc_buf_free(&cell);
    return 1;
}

enc_rc enc_store_score_run_last(enc_store *st, enc_score_run_info *out, bool *found, enc_err *err)
{
    memset(out, 0, sizeof *out);
    *found = false;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, as_of, started_at, customers, coalesce(seconds, 0)"
                           " FROM score_runs WHERE seconds IS NOT NULL ORDER BY id DESC"
                           " LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading score runs");
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = true;
        out->id = sqlite3_column_int64(q, 0);
        out->as_of = sqlite3_column_int64(q, 1);
        out->started_at = sqlite3_column_int64(q, 2);
        out->customers = sqlite3_column_int64(q, 3);
        out->seconds = sqlite3_column_double(q, 4);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return enc__store_sqlfail(st, err, "reading score runs");
    return ENC_OK;
}

enc_rc enc_store_segments(enc_store *st, const char *by, enc_segment_list *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    const char *sql;
    if (strcmp(by, "rfm") == 0)
        sql = "SELECT rfm_segment, count(*), sum(monetary), avg(clv) FROM profiles GROUP BY 1";
    else if (strcmp(by, "rfm_cn") == 0)
        sql = "SELECT rfm_segment_cn, count(*), sum(monetary), avg(clv) FROM profiles GROUP BY 1";
    else if (strcmp(by, "lifecycle") == 0)
        sql = "SELECT lifecycle, count(*), sum(monetary), avg(clv) FROM profiles GROUP BY 1";
    else if (strcmp(by, "cluster") == 0)
        sql = "SELECT CASE WHEN cluster IS NULL THEN NULL ELSE cluster || ': ' ||"
              " coalesce(cluster_label, '') END, count(*), sum(monetary), avg(clv) FROM profiles"
              " GROUP BY cluster";
    else if (strcmp(by, "tag") == 0)
        sql = "SELECT j.value, count(*), sum(p.monetary), avg(p.clv) FROM profiles p,"
              " json_each(p.tags) j GROUP BY 1";
    else
        return enc_fail(err, ENC_EUSAGE,
                        "segments: unknown grouping '%s' (rfm, rfm_cn, lifecycle,"
                        " cluster, tag)",
                        by);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*), coalesce(sum(monetary), 0) FROM profiles", -1,
                           &q, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "segments");
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->customers = sqlite3_column_int64(q, 0);
        out->revenue = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "segments");
    out->arena = enc_arena_new(4096);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        ENC_GROW(out->rows, cap, out->n + 1);
        enc_segment_row *r = &out->rows[out->n++];
        const char *k = (const char *)sqlite3_column_text(q, 0);
        r->key = k ? enc_arena_strndup(out->arena, k, (size_t)sqlite3_column_bytes(q, 0)) : NULL;
        r->customers = sqlite3_column_int64(q, 1);
        r->revenue = sqlite3_column_int64(q, 2);
        r->clv_mean = sqlite3_column_type(q, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 3);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        enc_store_segments_free(out);
        return enc__store_sqlfail(st, err, "segments");
    }
    /* by customers, descending; then by key */
    for (size_t i = 1; i < out->n; i++) {
        enc_segment_row r = out->rows[i];
        size_t j = i;
        while (j > 0 && (out->rows[j - 1].customers < r.customers ||
                         (out->rows[j - 1].customers == r.customers && out->rows[j - 1].key &&
                          (!r.key || strcmp(out->rows[j - 1].key, r.key) > 0)))) {
            out->rows[j] = out->rows[j - 1];
            j--;
        }
        out->rows[j] = r;
    }
    return ENC_OK;
}

void enc_store_segments_free(enc_segment_list *l)
{
    free(l->rows);
    enc_arena_free(l->arena);
    memset(l, 0, sizeof *l);
}
