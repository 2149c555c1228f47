/* store_merge.c — identity merges of the SQLite backend (store.h): one customer merged into
 * another under one rule (the survivor's non-empty fields are kept, empty ones filled, points
 * summed, the higher tier kept, the earliest registration kept), every merge recorded with both
 * ids, its rule and source and the rows that followed, so that a merge can be undone; the
 * fill-only update of a customer other registrations were merged into. */
#include "store/store_int.h"
#include "store/privacy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_epoch(void) { return (int64_t)time(NULL); }

static enc_rc run1(enc_store *st, const char *sql, int64_t a, int64_t b, int64_t c, enc_err *err,
                   const char *what)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, what);
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    if (sqlite3_bind_parameter_count(s) >= 3) sqlite3_bind_int64(s, 3, c);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return enc__store_sqlfail(st, err, what);
    return ENC_OK;
}

/* ---- tiers ---------------------------------------------------------------------------------
 * The rank of a member tier's name, for "the higher tier is kept": a level number (V3, LV3,
 * VIP 3, 3级) ranks by the number; else the usual names, English or Chinese. -1 = unknown. */
static int tier_rank(const char *t, bool *numeric)
{
    *numeric = false;
    if (!t || !*t) return -1;
    for (const char *p = t; *p; p++)
        if (*p >= '0' && *p <= '9') {
            long v = strtol(p, NULL, 10);
            *numeric = true;
            return v > 1000 ? 1000 : (int)v;
        }
    char low[128];
    size_t n = strlen(t);
    if (n >= sizeof low) return -1;
    for (size_t i = 0; i <= n; i++) low[i] = (t[i] >= 'A' && t[i] <= 'Z') ? t[i] + 32 : t[i];
    static const struct {
        const char *word;
        int rank;
    } words[] = {
        /* longest first where one name contains another (白金 holds 金) */
        {"diamond", 6}, {"钻石", 6},   {"黑金", 6}, {"black", 6},   {"platinum", 5},
        {"白金", 5},    {"铂金", 5},   {"gold", 4}, {"金", 4},      {"silver", 3},
        {"银", 3},      {"bronze", 2}, {"铜", 2},   {"regular", 1}, {"normal", 1},
        {"basic", 1},   {"member", 1}, {"普通", 1}, {"普卡", 1},
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strstr(low, words[i].word)) return words[i].rank;
    return -1;
}

/* The tier a merge keeps: the higher of the two when both rank on the same scale, else the
 * survivor's (a non-empty field is never overwritten), else the merged customer's. */
static const char *higher_tier(const char *keep, const char *other)
{
    if (!keep || !*keep) return other;
    if (!other || !*other) return keep;
    bool nk, no;
    int rk = tier_rank(keep, &nk), ro = tier_rank(other, &no);
    if (rk >= 0 && ro >= 0 && nk == no && ro > rk) return other;
    return keep;
}

/* ---- merge --------------------------------------------------------------------------------- */

#define PROFILE_JSON                                                                               \
    "json_object('external_id', external_id, 'name', name, 'email', email, 'phone', phone,"        \
    " 'gender', gender, 'birthday', birthday, 'country', country, 'region', region, 'city',"       \
    " city, 'occupation', occupation, 'tz', tz, 'registered_at', registered_at, 'tier', tier,"     \
    " 'points', points)"

static enc_rc read_tier(enc_store *st, int64_t id, char *buf, size_t cap, bool *found, enc_err *err)
{
    sqlite3_stmt *s;
    buf[0] = 0;
    *found = false;
    if (sqlite3_prepare_v2(st->db, "SELECT tier, merged_into FROM customers WHERE id = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading customer");
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *found = sqlite3_column_type(s, 1) == SQLITE_NULL;
        const char *t = (const char *)sqlite3_column_text(s, 0);
        if (t) snprintf(buf, cap, "%s", t);
    }
    sqlite3_finalize(s);
    return ENC_OK;
}

enc_rc enc_store_customer_merge(enc_store *st, int64_t from, int64_t into, const char *rule,
                                const char *source, const char *reason, enc_err *err)
{
    if (from == into || from <= 0 || into <= 0)
        return enc_fail(err, ENC_EUSAGE, "cannot merge customer #%lld into #%lld", (long long)from,
                        (long long)into);
    char tf[128], ti[128];
    bool f_ok, i_ok;
    if (read_tier(st, from, tf, sizeof tf, &f_ok, err) ||
        read_tier(st, into, ti, sizeof ti, &i_ok, err))
        return ENC_EDB;
    if (!f_ok || !i_ok)
        return enc_fail(err, ENC_ENOTFOUND, "cannot merge #%lld into #%lld: %s", (long long)from,
                        (long long)into,
                        !f_ok ? "the first is unknown or merged already"
                              : "the second is unknown or merged already");
    const char *tier = higher_tier(ti, tf);

    /* the record, with what the survivor was before and the points that move */
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO merges(from_id, into_id, reason, at, rule, source, prior,"
                           " points) VALUES(?1, ?2, ?3, ?4, ?5, ?6, (SELECT " PROFILE_JSON
                           " FROM customers WHERE id = ?2), (SELECT points FROM customers WHERE"
                           " id = ?1))",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "recording merge");
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, into);
    sqlite3_bind_text(s, 3, reason ? reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now_epoch());
    enc__bind_text(s, 5, rule);
    enc__bind_text(s, 6, source);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "recording merge");
    int64_t mid = sqlite3_last_insert_rowid(st->db);

    static const char *const moves[] = {"orders", "events", "feedback", "consents"};
    char sql[256];
    for (size_t i = 0; i < sizeof moves / sizeof *moves; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO merge_moves SELECT ?3, '%s', id FROM %s WHERE"
                 " customer_id = ?1 AND ?2 = ?2",
                 moves[i], moves[i]);
        if (run1(st, sql, from, into, mid, err, "recording merge")) return ENC_EDB;
        snprintf(sql, sizeof sql, "UPDATE %s SET customer_id = ?2 WHERE customer_id = ?1",
                 moves[i]);
        if (run1(st, sql, from, into, 0, err, "merging customers")) return ENC_EDB;
    }
    if (run1(st,
             "INSERT OR IGNORE INTO merge_moves SELECT ?3, 'customers', id FROM customers WHERE"
             " merged_into = ?1 AND ?2 = ?2",
             from, into, mid, err, "recording merge") ||
        run1(st, "UPDATE customers SET merged_into = ?2 WHERE merged_into = ?1", from, into, 0, err,
             "merging customers"))
        return ENC_EDB;

    /* the survivor: empty fields filled, points summed, the earliest registration, the
     * higher tier; the merged customer keeps its own fields (for an unmerge) */
    if (sqlite3_prepare_v2(
            st->db,
            "UPDATE customers AS c SET"
            " external_id = coalesce(c.external_id, f.external_id), name = coalesce(c.name, "
            "f.name),"
            " email = coalesce(c.email, f.email), phone = coalesce(c.phone, f.phone),"
            " gender = coalesce(c.gender, f.gender), birthday = coalesce(c.birthday, f.birthday),"
            " country = coalesce(c.country, f.country), region = coalesce(c.region, f.region),"
            " city = coalesce(c.city, f.city), occupation = coalesce(c.occupation, f.occupation),"
            " tz = coalesce(c.tz, f.tz),"
            " registered_at = CASE WHEN c.registered_at IS NULL THEN f.registered_at"
            "   WHEN f.registered_at IS NULL THEN c.registered_at"
            "   ELSE min(c.registered_at, f.registered_at) END,"
            " tier = ?3, points = c.points + f.points, updated_at = ?4"
            " FROM customers AS f WHERE c.id = ?2 AND f.id = ?1",
            -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "merging customers");
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, into);
    enc__bind_text(s, 3, tier);
    sqlite3_bind_int64(s, 4, now_epoch());
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "merging customers");
    return run1(st, "UPDATE customers SET merged_into = ?2, updated_at = ?3 WHERE id = ?1", from,
                into, now_epoch(), err, "merging customers");
}

/* ---- unmerge ------------------------------------------------------------------------------- */

enc_rc enc_store_customer_unmerge(enc_store *st, int64_t id, enc_store_unmerged *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    bool erased; /* an erased customer's records stay together (store_privacy.c) */
    if (enc_store_customer_erased(st, id, &erased, err)) return err->rc;
    if (erased) return enc_fail(err, ENC_EUSAGE, "customer #%lld is erased", (long long)id);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT m.id, m.into_id, coalesce(m.points, 0), m.prior, c.merged_into"
                           " FROM customers c LEFT JOIN merges m ON m.from_id = c.id AND"
                           " m.undone_at IS NULL WHERE c.id = ?1 ORDER BY m.id DESC LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading merges");
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        return enc_fail(err, ENC_ENOTFOUND, "no customer #%lld", (long long)id);
    }
    if (sqlite3_column_type(s, 4) == SQLITE_NULL) {
        sqlite3_finalize(s);
        return enc_fail(err, ENC_EUSAGE, "customer #%lld is not merged into another",
                        (long long)id);
    }
    if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
        sqlite3_finalize(s);
        return enc_fail(err, ENC_EUSAGE,
                        "customer #%lld was merged before merges were recorded: nothing to undo",
                        (long long)id);
    }
    int64_t mid = sqlite3_column_int64(s, 0), into = sqlite3_column_int64(s, 1);
    int64_t points = sqlite3_column_int64(s, 2);
    int64_t now_into = sqlite3_column_int64(s, 4);
    sqlite3_finalize(s);
    out->merge_id = mid;
    out->survivor = now_into;

    static const char *const moves[] = {"orders", "events", "feedback", "consents"};
    char sql[320];
    for (size_t i = 0; i < sizeof moves / sizeof *moves; i++) {
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET customer_id = ?1 WHERE id IN (SELECT row_id FROM merge_moves"
                 " WHERE merge_id = ?2 AND tbl = '%s')",
                 moves[i], moves[i]);
        if (run1(st, sql, id, mid, 0, err, "unmerging")) return ENC_EDB;
        out->rows += sqlite3_changes(st->db);
    }
    /* the survivor gives back what it took: points, and fields it had empty that still hold
     * the merged customer's values */
    static const char *const cols[] = {
        "external_id", "name", "email",      "phone", "gender", "birthday",     "country",
        "region",      "city", "occupation", "tz",    "tier",   "registered_at"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
        snprintf(sql, sizeof sql,
                 "UPDATE customers AS c SET %s = json_extract(m.prior, '$.%s') FROM customers f,"
                 " merges m WHERE c.id = ?1 AND f.id = ?2 AND m.id = ?3 AND c.%s IS f.%s AND"
                 " c.%s IS NOT json_extract(m.prior, '$.%s')",
                 cols[i], cols[i], cols[i], cols[i], cols[i], cols[i]);
        if (run1(st, sql, into, id, mid, err, "unmerging")) return ENC_EDB;
    }
    if (run1(st,
             "UPDATE customers SET points = points - ?2, updated_at = ?3 WHERE id = (SELECT into_id"
             " FROM merges WHERE from_id = ?1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1)",
             id, points, now_epoch(), err, "unmerging") ||
        run1(st,
             "UPDATE customers SET merged_into = ?1 WHERE id IN (SELECT row_id FROM merge_moves"
             " WHERE merge_id = ?2 AND tbl = 'customers')",
             id, mid, 0, err, "unmerging") ||
        run1(st, "UPDATE customers SET merged_into = NULL, updated_at = ?2 WHERE id = ?1", id,
             now_epoch(), 0, err, "unmerging") ||
        run1(st, "UPDATE merges SET undone_at = ?2 WHERE id = ?1", mid, now_epoch(), 0, err,
             "unmerging"))
        return ENC_EDB;
    return ENC_OK;
}

/* ---- state and fill-only update ------------------------------------------------------------ */

enc_rc enc_store_customer_state(enc_store *st, int64_t id, int64_t *merged_into, bool *has_merged,
                                enc_err *err)
{
    *merged_into = 0;
    *has_merged = false;
    /* prepared once per store: import asks this for every row of a known customer */
    sqlite3_stmt *s = enc__store_stmt(st, ST_CUST_STATE,
                                      "SELECT coalesce(merged_into, 0), EXISTS(SELECT 1 FROM"
                                      " customers WHERE merged_into = ?1) FROM customers WHERE"
                                      " id = ?1",
                                      err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *merged_into = sqlite3_column_int64(s, 0);
        *has_merged = sqlite3_column_int(s, 1) != 0;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return enc__store_sqlfail(st, err, "reading customer");
    return ENC_OK;
}

enc_rc enc_store_customer_fill(enc_store *st, int64_t id, const enc_customer_rec *r, enc_put *res,
                               enc_err *err)
{
#define F(col, n) " " col " = coalesce(" col ", ?" #n "),"
#define D(col, n) " (" col " IS NULL AND ?" #n " IS NOT NULL) OR"
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_CUST_FILL,
        "UPDATE customers SET" F("name", 4) F("email", 5) F("phone", 6) F("gender", 7)
            F("birthday", 8) F("country", 9) F("region", 10) F("city", 11) F("occupation", 12)
                F("tz", 13) F("registered_at", 14)
                    F("tier", 15) " updated_at = ?17 WHERE id = ?1"
                                  " AND (" D("name", 4) D("email", 5) D("phone", 6) D("gender", 7)
                                      D("birthday", 8) D("country", 9) D("region", 10) D("city", 11)
                                          D("occupation", 12) D("tz", 13) D("registered_at", 14)
                                              D("tier", 15) " 0)",
        err);
#undef F
#undef D
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, id);
    enc__bind_text(s, 4, r->name);
    enc__bind_text(s, 5, r->email);
    enc__bind_text(s, 6, r->phone);
    enc__bind_text(s, 7, r->gender);
    enc__bind_text(s, 8, r->birthday);
    enc__bind_text(s, 9, r->country);
    enc__bind_text(s, 10, r->region);
    enc__bind_text(s, 11, r->city);
    enc__bind_text(s, 12, r->occupation);
    enc__bind_text(s, 13, r->tz);
    if (r->has_registered) sqlite3_bind_int64(s, 14, r->registered_at);
    enc__bind_text(s, 15, r->tier);
    sqlite3_bind_int64(s, 17, now_epoch());
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "updating customer");
    *res = sqlite3_changes(st->db) ? ENC_PUT_UPDATED : ENC_PUT_SAME;
    return ENC_OK;
}

/* ---- identities as registered ---------------------------------------------------------------- */

enc_rc enc_store_ident_owner(enc_store *st, const char *kind, const char *value, int64_t *direct,
                             int64_t *survivor, enc_err *err)
{
    *direct = *survivor = 0;
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_IDENT_OWNER,
        "SELECT i.customer_id, coalesce(c.merged_into, c.id) FROM identities i JOIN customers c"
        " ON c.id = i.customer_id WHERE i.kind = ?1 AND i.value = ?2",
        err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *direct = sqlite3_column_int64(s, 0);
        *survivor = sqlite3_column_int64(s, 1);
    } else if (rc != SQLITE_DONE) {
        return enc__store_sqlfail(st, err, "finding identity");
    }
    sqlite3_reset(s);
    return ENC_OK;
}

enc_rc enc_store_customer_survivor(enc_store *st, int64_t id, int64_t *survivor, enc_err *err)
{
    *survivor = 0;
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_CUST_SURVIVOR, "SELECT coalesce(merged_into, id) FROM customers WHERE id = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *survivor = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "finding customer");
    sqlite3_reset(s);
    return ENC_OK;
}

enc_rc enc_store_merge_note_row(enc_store *st, int64_t own, const char *tbl, const char *source,
                                const char *key, enc_err *err)
{
    static const char *const tables[] = {"orders", "events", "feedback", "consents"};
    int t = 0;
    while (t < 4 && strcmp(tbl, tables[t]) != 0) t++;
    if (t == 4) return enc_fail(err, ENC_EUSAGE, "no table '%s' to note", tbl);
    /* one cached statement a table: imports note every row of a merged registration */
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT OR IGNORE INTO merge_moves SELECT m.id, '%s', t.id FROM %s t, (SELECT id FROM"
             " merges WHERE from_id = ?1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1) m"
             " WHERE t.source = ?2 AND t.%s = ?3",
             tables[t], tables[t], t == 0 ? "order_key" : "source_key");
    sqlite3_stmt *s = enc__store_stmt(st, ST_MOVE_0 + t, sql, err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, own);
    sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, key, -1, SQLITE_STATIC);
    return enc__store_done(st, s, err, "recording merge");
}

enc_rc enc_store_customer_lookup_exact(enc_store *st, const char *ext, int64_t *id, enc_err *err)
{
    *id = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT c.id, c.merged_into, (SELECT rule FROM merges m WHERE"
                           " m.from_id = c.id AND m.undone_at IS NULL ORDER BY m.id DESC LIMIT 1)"
                           " FROM identities i JOIN customers c ON c.id = i.customer_id"
                           " WHERE i.kind = 'ext' AND i.value = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "finding customer");
    sqlite3_bind_text(s, 1, ext, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        if (sqlite3_column_type(s, 1) != SQLITE_NULL && sqlite3_column_type(s, 2) != SQLITE_NULL)
            *id = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return enc__store_sqlfail(st, err, "finding customer");
    return ENC_OK;
}

/* kept with the other shared settings (campaign_settings), under its own key */
enc_rc enc_store_merge_on_get(enc_store *st, unsigned *bits, enc_err *err)
{
    *bits = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT value FROM campaign_settings WHERE key = 'identity.merge_on'",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the identity policy");
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        long long v = sqlite3_column_int64(s, 0);
        *bits = v > 0 && v < 8 ? (unsigned)v & 6u : 0; /* email and phone only: ids never */
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return enc__store_sqlfail(st, err, "reading the identity policy");
    return ENC_OK;
}

enc_rc enc_store_merge_on_set(enc_store *st, unsigned bits, enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO campaign_settings(key, value) VALUES('identity.merge_on',"
                           " ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "saving the identity policy");
    sqlite3_bind_int64(s, 1, (sqlite3_int64)(bits & 6u));
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "saving the identity policy");
    return ENC_OK;
}
