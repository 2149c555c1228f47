/* store_privacy.c — the SQLite side of privacy by design (privacy.h): the suppression list of
 * blind indexes, erasure of a customer, compaction, the personal values a customer holds, the
 * data-subject export and the schema's customer-referencing columns, retention. The erasure
 * keeps what the shop's totals need (orders and lines, campaign memberships, coupons, and the
 * outbox rows without their contents) under a pseudonym: the customer's row, emptied of every
 * personal field and marked erased_at. */
#include "store/privacy.h"
#include "base/json.h"
#include "base/mem.h"
#include "store/store_int.h"
#include "store/users.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enc_rc exec(enc_store *st, const char *sql, enc_err *err, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        enc_fail(err, ENC_EDB, "%s: %s", what, msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return ENC_EDB;
    }
    return ENC_OK;
}

/* Runs sql with ?1 = a (when it has a parameter); *changes (may be NULL) gets the rows changed. */
static enc_rc run_id(enc_store *st, const char *sql, int64_t a, int64_t *changes, enc_err *err,
                     const char *what)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, what);
    if (sqlite3_bind_parameter_count(s) >= 1) sqlite3_bind_int64(s, 1, a);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return enc__store_sqlfail(st, err, what);
    if (changes) *changes = sqlite3_changes(st->db);
    return ENC_OK;
}

static int kind_code(const char *k)
{
    return strcmp(k, "ext") == 0     ? 0
           : strcmp(k, "email") == 0 ? 1
           : strcmp(k, "phone") == 0 ? 2
                                     : 3;
}

enc_rc enc_store_suppressed_all(enc_store *st, uint8_t **kinds, uint8_t **hashes, size_t *n,
                                enc_err *err)
{
    *kinds = NULL;
    *hashes = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT kind, hash FROM suppressed_identities", -1, &s, NULL) !=
        SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the suppression list");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 0);
        const void *h = sqlite3_column_blob(s, 1);
        if (!k || !h || sqlite3_column_bytes(s, 1) != ENC_BLIND_BYTES) continue; /* not ours */
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *kinds = enc_xrealloc(*kinds, cap);
            *hashes = enc_xrealloc(*hashes, cap * ENC_BLIND_BYTES);
        }
        (*kinds)[*n] = (uint8_t)kind_code(k);
        memcpy(*hashes + *n * ENC_BLIND_BYTES, h, ENC_BLIND_BYTES);
        (*n)++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        free(*kinds);
        free(*hashes);
        *kinds = *hashes = NULL;
        *n = 0;
        return enc__store_sqlfail(st, err, "reading the suppression list");
    }
    return ENC_OK;
}

enc_rc enc_store_customer_erased(enc_store *st, int64_t customer, bool *erased, enc_err *err)
{
    sqlite3_stmt *s;
    *erased = false;
    if (sqlite3_prepare_v2(st->db, "SELECT erased_at IS NOT NULL FROM customers WHERE id = ?1", -1,
                           &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the customer");
    sqlite3_bind_int64(s, 1, customer);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *erased = sqlite3_column_int(s, 0) != 0;
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return enc_fail(err, ENC_ENOTFOUND, "no customer #%lld", (long long)customer);
    if (rc != SQLITE_ROW) return enc__store_sqlfail(st, err, "reading the customer");
    return ENC_OK;
}

/* The customer and every registration merged into it, directly or through others, into the
 * temporary table erase_set (bounded: a merge cycle in a hostile store ends at 64 levels). */
static enc_rc fill_set(enc_store *st, int64_t customer, enc_err *err)
{
    if (exec(st,
             "CREATE TEMP TABLE IF NOT EXISTS erase_set(id INTEGER PRIMARY KEY);"
             "DELETE FROM temp.erase_set;",
             err, "erasure"))
        return ENC_EDB;
    return run_id(st,
                  "WITH RECURSIVE c(id, depth) AS (SELECT ?1, 0 UNION SELECT customers.id, "
                  "c.depth + 1 FROM customers JOIN c ON customers.merged_into = c.id WHERE c.depth "
                  "< 64) INSERT OR IGNORE INTO temp.erase_set SELECT id FROM c",
                  customer, NULL, err, "erasure: the customer's records");
}

/* The personal values of erase_set, one query: identities and the customers' own fields. */
static const char personal_sql[] =
    "SELECT kind, value FROM identities WHERE customer_id IN temp.erase_set UNION "
    "SELECT 'ext', external_id FROM customers WHERE id IN temp.erase_set UNION "
    "SELECT 'email', email FROM customers WHERE id IN temp.erase_set UNION "
    "SELECT 'phone', phone FROM customers WHERE id IN temp.erase_set UNION "
    "SELECT 'name', name FROM customers WHERE id IN temp.erase_set";

enc_rc enc_store_customer_personal(enc_store *st, int64_t customer, char ***vals, size_t *n,
                                   enc_err *err)
{
    *vals = NULL;
    *n = 0;
    if (fill_set(st, customer, err)) return ENC_EDB;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, personal_sql, -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the customer's personal data");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 1);
        if (!v || !*v) continue;
        bool dup = false;
        for (size_t i = 0; i < *n && !dup; i++) dup = strcmp((*vals)[i], v) == 0;
        if (dup) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *vals = enc_xrealloc(*vals, cap * sizeof **vals);
        }
        (*vals)[(*n)++] = enc_xstrdup(v);
    }
    sqlite3_finalize(s);
    exec(st, "DELETE FROM temp.erase_set", NULL, "erasure");
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading the customer's data");
    return ENC_OK;
}

/* Adds the blind index of every identity of erase_set to the suppression list. */
static enc_rc suppress(enc_store *st, const enc_mkey *key, int64_t now, int64_t *added,
                       enc_err *err)
{
    sqlite3_stmt *q, *ins;
    if (sqlite3_prepare_v2(st->db, personal_sql, -1, &q, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "erasure: reading identities");
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR IGNORE INTO suppressed_identities(kind, hash, at) VALUES(?1, "
                           "?2, ?3)",
                           -1, &ins, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return enc__store_sqlfail(st, err, "erasure: the suppression list");
    }
    int rc;
    *added = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0),
                   *v = (const char *)sqlite3_column_text(q, 1);
        if (!k || !v || !*v || strcmp(k, "name") == 0) continue; /* a name identifies nobody */
        uint8_t h[ENC_BLIND_BYTES];
        enc_blind(key, k, v, h);
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, k, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins, 2, h, sizeof h, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 3, now);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = SQLITE_ERROR;
            break;
        }
        *added += sqlite3_changes(st->db);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "erasure: the suppression list");
    return ENC_OK;
}

/* What erasure does to each table that names the customer; every statement reads erase_set.
 * The delivery suppressions of the customer's addresses go too: the blind indexes replace
 * them (the addresses are read before the identities are deleted). */
static const struct {
    const char *sql;
    size_t field; /* offsetof the counter in enc_store_erased, or (size_t)-1 */
} erase_steps[] = {
    {"DELETE FROM suppressions WHERE address IN (SELECT value FROM identities WHERE customer_id "
     "IN temp.erase_set UNION SELECT email FROM customers WHERE id IN temp.erase_set UNION SELECT "
     "phone FROM customers WHERE id IN temp.erase_set)",
     (size_t)-1},
    {"DELETE FROM identities WHERE customer_id IN temp.erase_set",
     offsetof(enc_store_erased, identities)},
    /* a merge stays recorded (the pseudonym's records are still merged: `encore check`), without
     * the identity that joined them (its reason) and the survivor's prior fields */
    {"UPDATE merges SET reason = 'erased', prior = NULL WHERE from_id IN temp.erase_set OR "
     "into_id IN temp.erase_set",
     offsetof(enc_store_erased, merges)},
    {"DELETE FROM events WHERE customer_id IN temp.erase_set", offsetof(enc_store_erased, events)},
    {"DELETE FROM feedback WHERE customer_id IN temp.erase_set",
     offsetof(enc_store_erased, feedback)},
    {"DELETE FROM consents WHERE customer_id IN temp.erase_set",
     offsetof(enc_store_erased, consents)},
    {"DELETE FROM inbox WHERE customer_id IN temp.erase_set", offsetof(enc_store_erased, inbox)},
    /* the outbox keeps the row (campaign measurement counts it) without address or contents;
     * what was still to be sent is cancelled */
    {"UPDATE messages SET address = '', subject = NULL, body_text = NULL, body_html = NULL, "
     "payload = NULL, last_error = NULL, state = CASE WHEN state IN ('queued', 'sending', "
     "'failed', 'reconcile') THEN 'cancelled' ELSE state END WHERE customer_id IN temp.erase_set",
     offsetof(enc_store_erased, messages)},
    {"DELETE FROM profiles WHERE customer_id IN temp.erase_set",
     offsetof(enc_store_erased, profiles)},
    {"DELETE FROM segment_history WHERE customer_id IN temp.erase_set", (size_t)-1},
};

enc_rc enc_store_customer_erase(enc_store *st, const enc_store_erase_req *r, enc_store_erased *out,
                                enc_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t into = 0;
    bool has_merged, erased;
    if (enc_store_customer_erased(st, r->customer, &erased, err) ||
        enc_store_customer_state(st, r->customer, &into, &has_merged, err))
        return err->rc;
    if (into)
        return enc_fail(err, ENC_EUSAGE, "customer #%lld is merged into #%lld: erase that one",
                        (long long)r->customer, (long long)into);
    if (erased)
        return enc_fail(err, ENC_EUSAGE, "customer #%lld is already erased",
                        (long long)r->customer);
    /* deleted content is overwritten in the file, not only unlinked from the b-tree */
    if (exec(st, "PRAGMA secure_delete = ON", err, "erasure")) return ENC_EDB;
    if (exec(st, "BEGIN IMMEDIATE", err, "erasure")) return ENC_EDB;
    enc_rc rc = fill_set(st, r->customer, err);
    if (!rc) rc = suppress(st, r->key, r->now, &out->suppressed, err);
    for (size_t i = 0; !rc && i < sizeof erase_steps / sizeof *erase_steps; i++) {
        int64_t ch = 0;
        rc = run_id(st, erase_steps[i].sql, 0, &ch, err, "erasure");
        if (!rc && erase_steps[i].field != (size_t)-1)
            *(int64_t *)((char *)out + erase_steps[i].field) = ch;
    }
    if (!rc) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db,
                               "SELECT (SELECT count(*) FROM temp.erase_set), (SELECT count(*) "
                               "FROM orders WHERE customer_id IN temp.erase_set)",
                               -1, &s, NULL) != SQLITE_OK)
            rc = enc__store_sqlfail(st, err, "erasure");
        else {
            if (sqlite3_step(s) == SQLITE_ROW) {
                out->records = sqlite3_column_int64(s, 0);
                out->orders_kept = sqlite3_column_int64(s, 1);
            }
            sqlite3_finalize(s);
        }
    }
    /* the pseudonym: the rows stay (orders, memberships and coupons point at them), every
     * personal field goes */
    if (!rc)
        rc = run_id(st,
                    "UPDATE customers SET source = 'erased', source_key = 'erased:' || id, "
                    "external_id = NULL, name = NULL, email = NULL, phone = NULL, gender = NULL, "
                    "birthday = NULL, country = NULL, region = NULL, city = NULL, occupation = "
                    "NULL, tz = NULL, registered_at = NULL, tier = NULL, points = 0, updated_at = "
                    "?1, erased_at = ?1 WHERE id IN temp.erase_set",
                    r->now, NULL, err, "erasure: the customer");
    if (!rc) {
        char target[32], detail[600];
        snprintf(target, sizeof target, "#%lld", (long long)r->customer);
        snprintf(detail, sizeof detail, "%s", r->reason ? r->reason : "");
        enc_audit_rec a = {.at = r->now,
                           .actor = r->actor,
                           .role = r->role,
                           .action = "customer.erase",
                           .target = target,
                           .detail = detail[0] ? detail : NULL,
                           .client = r->client,
                           .status = r->status};
        rc = enc_audit_append(st, &a, err);
    }
    if (!rc) rc = exec(st, "DELETE FROM temp.erase_set; COMMIT", err, "erasure: commit");
    if (rc) exec(st, "ROLLBACK", NULL, "erasure");
    exec(st, "PRAGMA secure_delete = OFF", NULL, "erasure");
    return rc;
}

enc_rc enc_store_compact(enc_store *st, enc_err *err)
{
    if (exec(st, "VACUUM", err, "rewriting the store")) return ENC_EDB;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "emptying the WAL");
    int rc = sqlite3_step(s), busy = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 1;
    sqlite3_finalize(s);
    if (busy)
        return enc_fail(err, ENC_EDB,
                        "the WAL could not be emptied: another process is reading the store "
                        "(run the command again when it is idle)");
    return ENC_OK;
}

/* ---- the schema's customer-referencing columns -------------------------------------------- */

enc_rc enc_store_customer_columns(enc_store *st, char ***cols, size_t *n, enc_err *err)
{
    *cols = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p "
            "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND (p.name = 'customer_id' OR "
            "p.name LIKE '%\\_customer' ESCAPE '\\' OR (m.name = 'customers' AND p.name IN ('id', "
            "'merged_into')) OR (m.name = 'merges' AND p.name IN ('from_id', 'into_id'))) "
            "ORDER BY 1",
            -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the schema");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *cols = enc_xrealloc(*cols, cap * sizeof **cols);
        }
        (*cols)[(*n)++] = enc_xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading the schema");
    return ENC_OK;
}

/* ---- the data-subject export -----------------------------------------------------------------
 * Every table that names a customer, by the column that names it: a section of the document
 * each, its rows with every column (blobs as hex). The customer's own rows are the customer and
 * the registrations merged into it (export_set). enc_store_export_covers answers whether a
 * "table.column" is one of them (the test that compares with the schema). */
static const struct {
    const char *section, *table, *column;
} export_sections[] = {
    {"records", "customers", "id"},
    {"merged_registrations", "customers", "merged_into"},
    {"identities", "identities", "customer_id"},
    {"merges_into", "merges", "into_id"},
    {"merges_from", "merges", "from_id"},
    {"orders", "orders", "customer_id"},
    {"events", "events", "customer_id"},
    {"feedback", "feedback", "customer_id"},
    {"consents", "consents", "customer_id"},
    {"profile", "profiles", "customer_id"},
    {"segment_history", "segment_history", "customer_id"},
    {"messages", "messages", "customer_id"},
    {"inbox", "inbox", "customer_id"},
    {"campaign_memberships", "campaign_members", "customer_id"},
    {"coupons", "coupons", "customer_id"},
    {"loyalty_member", "members", "customer_id"},
    {"points_entries", "points_entries", "customer_id"},
    {"points_lots", "points_lots", "customer_id"},
    {"tier_history", "tier_history", "customer_id"},
    {"journeys", "journey_state", "customer_id"},
    {"uplift_scores", "uplift_scores", "customer_id"},
};

bool enc_store_export_covers(const char *table_column)
{
    char buf[256];
    for (size_t i = 0; i < sizeof export_sections / sizeof *export_sections; i++) {
        snprintf(buf, sizeof buf, "%s.%s", export_sections[i].table, export_sections[i].column);
        if (strcmp(buf, table_column) == 0) return true;
    }
    return false;
}

static void write_value(enc_jw *w, sqlite3_stmt *s, int i)
{
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL: enc_jw_null(w); break;
    case SQLITE_INTEGER: enc_jw_int(w, sqlite3_column_int64(s, i)); break;
    case SQLITE_FLOAT: enc_jw_num(w, sqlite3_column_double(s, i)); break;
    case SQLITE_BLOB: {
        const uint8_t *p = sqlite3_column_blob(s, i);
        int n = sqlite3_column_bytes(s, i);
        char *hex = enc_xmalloc((size_t)n * 2 + 1);
        for (int k = 0; k < n; k++) snprintf(hex + 2 * k, 3, "%02x", p[k]);
        hex[2 * n] = 0;
        enc_jw_str(w, hex);
        free(hex);
        break;
    }
    default:
        enc_jw_strn(w, (const char *)sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i));
    }
}

/* The rows of sql (?1 bound to a) as an array of objects, one key a column; *count gets them. */
static enc_rc write_rows(enc_store *st, enc_jw *w, const char *sql, int64_t a, bool nested_lines,
                         enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "export");
    if (sqlite3_bind_parameter_count(s) >= 1) sqlite3_bind_int64(s, 1, a);
    enc_jw_arr(w);
    int rc, nc = sqlite3_column_count(s);
    enc_rc r = ENC_OK;
    while (!r && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_jw_obj(w);
        int64_t id = 0;
        for (int i = 0; i < nc; i++) {
            enc_jw_key(w, sqlite3_column_name(s, i));
            write_value(w, s, i);
            if (strcmp(sqlite3_column_name(s, i), "id") == 0) id = sqlite3_column_int64(s, i);
        }
        if (nested_lines) { /* an order's lines: ids [id << ENC_LINE_BITS, (id + 1) << ...) */
            enc_jw_key(w, "lines");
            r = write_rows(st, w,
                           "SELECT * FROM order_lines WHERE id >= (?1 << 20) AND id < ((?1 + 1) "
                           "<< 20) ORDER BY id",
                           id, false, err);
        }
        enc_jw_end(w);
    }
    enc_jw_end(w);
    if (!r && rc != SQLITE_DONE) r = enc__store_sqlfail(st, err, "export");
    sqlite3_finalize(s);
    return r;
}

enc_rc enc_store_subject_export(enc_store *st, int64_t customer, enc_jw *w, enc_err *err)
{
    if (fill_set(st, customer, err)) return ENC_EDB;
    enc_rc rc = ENC_OK;
    for (size_t i = 0; !rc && i < sizeof export_sections / sizeof *export_sections; i++) {
        char sql[512];
        /* table and column names come from the list above, never from input */
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" WHERE \"%s\" IN temp.erase_set ORDER BY 1",
                 export_sections[i].table, export_sections[i].column);
        enc_jw_key(w, export_sections[i].section);
        rc = write_rows(st, w, sql, 0, strcmp(export_sections[i].table, "orders") == 0, err);
    }
    exec(st, "DELETE FROM temp.erase_set", NULL, "export");
    return rc;
}

/* ---- retention ---------------------------------------------------------------------------------
 * One row of each kind: its setting, the rows it applies to (?1 = the cutoff) to count and to
 * change. */
static const struct {
    const char *name, *count_sql, *apply_sql;
} retention[ENC_RETAIN_KINDS] = {
    [ENC_RETAIN_EVENTS] = {"events", "SELECT count(*) FROM events WHERE ts < ?1",
                           "DELETE FROM events WHERE ts < ?1"},
    [ENC_RETAIN_MESSAGES] =
        {"messages",
         "SELECT count(*) FROM messages WHERE created_at < ?1 AND state NOT IN ('queued', "
         "'sending', 'reconcile') AND (address != '' OR subject IS NOT NULL OR body_text IS NOT "
         "NULL OR body_html IS NOT NULL OR payload IS NOT NULL OR last_error IS NOT NULL)",
         "UPDATE messages SET address = '', subject = NULL, body_text = NULL, body_html = NULL, "
         "payload = NULL, last_error = NULL WHERE created_at < ?1 AND state NOT IN ('queued', "
         "'sending', 'reconcile') AND (address != '' OR subject IS NOT NULL OR body_text IS NOT "
         "NULL OR body_html IS NOT NULL OR payload IS NOT NULL OR last_error IS NOT NULL)"},
    [ENC_RETAIN_FEEDBACK_TEXT] =
        {"feedback_text", "SELECT count(*) FROM feedback WHERE ts < ?1 AND text IS NOT NULL",
         "UPDATE feedback SET text = NULL WHERE ts < ?1 AND text IS NOT "
         "NULL"},
};

const char *enc_retention_name(enc_retention_kind k)
{
    return k < ENC_RETAIN_KINDS ? retention[k].name : "";
}

enc_rc enc_store_retention_get(enc_store *st, int64_t days[ENC_RETAIN_KINDS], enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM privacy_settings WHERE key = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the retention settings");
    for (int k = 0; k < ENC_RETAIN_KINDS; k++) {
        char key[64];
        snprintf(key, sizeof key, "retention.%s", retention[k].name);
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
        days[k] = 0;
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            /* a hostile value reads as "kept forever", never as a negative period */
            const char *v = (const char *)sqlite3_column_text(s, 0);
            char *end;
            long long d = v ? strtoll(v, &end, 10) : 0;
            days[k] = v && *v && !*end && d > 0 && d <= ENC_RETENTION_MAX_DAYS ? d : 0;
        } else if (rc != SQLITE_DONE) {
            sqlite3_finalize(s);
            return enc__store_sqlfail(st, err, "reading the retention settings");
        }
    }
    sqlite3_finalize(s);
    return ENC_OK;
}

enc_rc enc_store_retention_set(enc_store *st, enc_retention_kind k, int64_t days, enc_err *err)
{
    if (k >= ENC_RETAIN_KINDS || days < 0 || days > ENC_RETENTION_MAX_DAYS)
        return enc_fail(err, ENC_EUSAGE, "a retention period is 1 to %d days, or off",
                        ENC_RETENTION_MAX_DAYS);
    char key[64], val[32];
    snprintf(key, sizeof key, "retention.%s", retention[k].name);
    snprintf(val, sizeof val, "%lld", (long long)days);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           days ? "INSERT OR REPLACE INTO privacy_settings(key, value) VALUES(?1, "
                                  "?2)"
                                : "DELETE FROM privacy_settings WHERE key = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "saving the retention settings");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
    if (days) sqlite3_bind_text(s, 2, val, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "saving the retention settings");
    return ENC_OK;
}

enc_rc enc_store_retention_enforce(enc_store *st, int64_t now, bool dry_run, const char *actor,
                                   const char *client, int64_t done[ENC_RETAIN_KINDS], enc_err *err)
{
    int64_t days[ENC_RETAIN_KINDS];
    for (int k = 0; k < ENC_RETAIN_KINDS; k++) done[k] = 0;
    if (enc_store_retention_get(st, days, err)) return ENC_EDB;
    if (exec(st, "PRAGMA secure_delete = ON", err, "retention")) return ENC_EDB;
    if (exec(st, "BEGIN IMMEDIATE", err, "retention")) return ENC_EDB;
    enc_rc rc = ENC_OK;
    int64_t total = 0;
    for (int k = 0; !rc && k < ENC_RETAIN_KINDS; k++) {
        if (!days[k]) continue;
        int64_t cutoff = now - days[k] * 86400;
        if (dry_run) {
            sqlite3_stmt *s;
            if (sqlite3_prepare_v2(st->db, retention[k].count_sql, -1, &s, NULL) != SQLITE_OK) {
                rc = enc__store_sqlfail(st, err, "retention");
                break;
            }
            sqlite3_bind_int64(s, 1, cutoff);
            if (sqlite3_step(s) == SQLITE_ROW) done[k] = sqlite3_column_int64(s, 0);
            else rc = enc__store_sqlfail(st, err, "retention");
            sqlite3_finalize(s);
        } else {
            rc = run_id(st, retention[k].apply_sql, cutoff, &done[k], err, "retention");
        }
        total += done[k];
    }
    if (!rc && !dry_run && total) {
        char detail[200];
        snprintf(detail, sizeof detail,
                 "{\"events\":%lld,\"messages\":%lld,\"feedback_text\":%lld}", (long long)done[0],
                 (long long)done[1], (long long)done[2]);
        enc_audit_rec a = {.at = now,
                           .actor = actor,
                           .action = "retention.enforce",
                           .detail = detail,
                           .client = client};
        rc = enc_audit_append(st, &a, err);
    }
    if (!rc) rc = exec(st, dry_run ? "ROLLBACK" : "COMMIT", err, "retention: commit");
    else exec(st, "ROLLBACK", NULL, "retention");
    exec(st, "PRAGMA secure_delete = OFF", NULL, "retention");
    if (!rc && !dry_run && total)
        exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, "retention"); /* best effort */
    return rc;
}

/* ---- consent per purpose ------------------------------------------------------------------- */

enc_rc enc_store_consent_bits(enc_store *st, const char *purpose, int64_t as_of, const int64_t *ids,
                              size_t n, const char *const *channels, int nch, uint8_t *bits,
                              enc_err *err)
{
    memset(bits, 0, n);
    if (!n) return ENC_OK;
    sqlite3_stmt *s;
    /* one customer at a time through consents_customer(customer_id, channel, purpose, ts) */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT channel, granted FROM consents WHERE customer_id = ?1 AND "
                           "purpose = ?2 AND ts < ?3 ORDER BY ts, id",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading consents");
    sqlite3_bind_text(s, 2, purpose, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, as_of);
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, ids[i]);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *ch = (const char *)sqlite3_column_text(s, 0);
            uint8_t m = 0;
            for (int c = 0; ch && c < nch && c < 8; c++)
                if (strcmp(ch, channels[c]) == 0) m = (uint8_t)(1u << c);
            if (ch && strcmp(ch, "all") == 0) m = (uint8_t)((1u << (nch < 8 ? nch : 8)) - 1);
            if (sqlite3_column_int(s, 1)) bits[i] |= m;
            else bits[i] &= (uint8_t)~m;
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading consents");
    return ENC_OK;
}
