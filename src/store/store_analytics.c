/* store_analytics.c — SQLite reads for the analytics, the customer view and the segment editor
 * (store_analytics.h). */
#include "store/store_analytics.h"
#include "store/store_int.h"
#include "base/mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enc_rc enc_store_currency(enc_store *st, char *out, size_t cap, enc_err *err)
{
    sqlite3_stmt *s;
    if (cap) out[0] = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT currency FROM orders WHERE currency IS NOT NULL AND"
                           " currency != '' LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the currency");
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *c = sqlite3_column_text(s, 0);
        bool ok = c && strlen((const char *)c) == 3;
        for (int i = 0; ok && i < 3; i++) ok = c[i] >= 'A' && c[i] <= 'Z';
        if (ok && cap >= 4) snprintf(out, cap, "%s", (const char *)c);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return enc__store_sqlfail(st, err, "reading the currency");
    return ENC_OK;
}

enc_rc enc__store_history_record(enc_store *st, int64_t run_id, enc_err *err)
{
    sqlite3_stmt *s;
    static const char *const sql[] = {
        "INSERT OR REPLACE INTO segment_history SELECT run_id, customer_id, rfm_segment,"
        " lifecycle FROM profiles WHERE run_id = ?1",
        "DELETE FROM segment_history WHERE run_id < (SELECT min(run_id) FROM (SELECT DISTINCT"
        " run_id FROM segment_history ORDER BY run_id DESC LIMIT ?2))",
    };
    for (int i = 0; i < 2; i++) {
        if (sqlite3_prepare_v2(st->db, sql[i], -1, &s, NULL) != SQLITE_OK)
            return enc__store_sqlfail(st, err, "recording the segment history");
        sqlite3_bind_int64(s, 1, run_id);
        if (i == 1) sqlite3_bind_int(s, 2, ENC_HISTORY_RUNS);
        int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "recording the segment history");
    }
    return ENC_OK;
}

static const char *dup(enc_arena *a, sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? enc_arena_strndup(a, (const char *)t, strlen((const char *)t)) : NULL;
}

enc_rc enc_store_migration(enc_store *st, const char *by, enc_migration *out, bool *found,
                           enc_err *err)
{
    memset(out, 0, sizeof *out);
    *found = false;
    const char *col = strcmp(by, "rfm") == 0         ? "rfm_segment"
                      : strcmp(by, "lifecycle") == 0 ? "lifecycle"
                                                     : NULL;
    if (!col) return enc_fail(err, ENC_EUSAGE, "by: '%s' is not rfm or lifecycle", by);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT h.run_id, r.as_of FROM (SELECT DISTINCT run_id FROM"
                           " segment_history ORDER BY run_id DESC LIMIT 2) h LEFT JOIN score_runs"
                           " r ON r.id = h.run_id ORDER BY h.run_id",
                           -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the segment history");
    int n = 0, rc;
    int64_t run[2] = {0}, asof[2] = {0};
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 2) {
        run[n] = sqlite3_column_int64(s, 0);
        asof[n++] = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return enc__store_sqlfail(st, err, "reading the segment history");
    if (n < 2) return ENC_OK;
    out->from_run = run[0], out->to_run = run[1], out->from_as_of = asof[0],
    out->to_as_of = asof[1];
    char sql[900];
    /* a full outer join of the two runs by customer, written as two left joins */
    snprintf(sql, sizeof sql,
             "SELECT f, t, count(*) FROM ("
             " SELECT coalesce(a.%1$s, '(none)') f, CASE WHEN b.customer_id IS NULL THEN NULL"
             "  ELSE coalesce(b.%1$s, '(none)') END t FROM segment_history a LEFT JOIN"
             "  segment_history b ON b.run_id = ?2 AND b.customer_id = a.customer_id"
             "  WHERE a.run_id = ?1"
             " UNION ALL SELECT NULL, coalesce(b.%1$s, '(none)') FROM segment_history b WHERE"
             "  b.run_id = ?2 AND NOT EXISTS(SELECT 1 FROM segment_history a WHERE a.run_id = ?1"
             "  AND a.customer_id = b.customer_id))"
             " GROUP BY f, t ORDER BY f IS NULL, f, t IS NULL, t",
             col);
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the segment history");
    sqlite3_bind_int64(s, 1, run[0]);
    sqlite3_bind_int64(s, 2, run[1]);
    out->arena = enc_arena_new(4096);
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 32;
            out->cells = enc_xrealloc(out->cells, cap * sizeof *out->cells);
        }
        enc_migration_cell *c = &out->cells[out->n++];
        c->from = dup(out->arena, s, 0);
        c->to = dup(out->arena, s, 1);
        c->customers = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading the segment history");
    *found = true;
    return ENC_OK;
}

void enc_store_migration_free(enc_migration *m)
{
    free(m->cells);
    if (m->arena) enc_arena_free(m->arena);
    memset(m, 0, sizeof *m);
}

enc_rc enc_store_segment_desc_set(enc_store *st, const char *name, const char *desc, enc_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "UPDATE segments SET description = ?2 WHERE name = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "describing the segment");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    enc__bind_text(s, 2, desc);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "describing the segment");
    if (!sqlite3_changes(st->db)) return enc_fail(err, ENC_ENOTFOUND, "no segment '%s'", name);
    return ENC_OK;
}

enc_rc enc_store_segment_desc_get(enc_store *st, const char *name, char **desc, enc_err *err)
{
    *desc = NULL;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT description FROM segments WHERE name = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "reading the segment");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
        *desc = enc_xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE) return enc_fail(err, ENC_ENOTFOUND, "no segment '%s'", name);
    if (rc != SQLITE_ROW) return enc__store_sqlfail(st, err, "reading the segment");
    return ENC_OK;
}
