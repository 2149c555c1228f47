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
        "INSERT OR REPLACE INTO segment_history(run_id, customer_id, rfm_segment, lifecycle,"
        " rfm_segment_cn) SELECT run_id, customer_id, rfm_segment, lifecycle, rfm_segment_cn"
        " FROM profiles WHERE run_id = ?1",
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

/* The distinct segment names of one side of the matrix: index 0 is NULL (not scored in that
 * run), 1 is "(none)" (scored, no segment); at most MAX_SEGS names (ENC_ELIMIT beyond). */
#define MAX_SEGS 256
typedef struct segs {
    const char *name[MAX_SEGS];
    int n;
} segs;

static int seg_id(segs *g, enc_arena *a, const unsigned char *t)
{
    const char *s = t ? (const char *)t : "(none)";
    for (int i = 1; i < g->n; i++)
        if (strcmp(g->name[i], s) == 0) return i;
    if (g->n == MAX_SEGS) return -1;
    g->name[g->n] = enc_arena_strndup(a, s, strlen(s));
    return g->n++;
}

enc_rc enc_store_migration(enc_store *st, const char *by, enc_migration *out, bool *found,
                           enc_err *err)
{
    memset(out, 0, sizeof *out);
    *found = false;
    const char *col = strcmp(by, "rfm") == 0         ? "rfm_segment"
                      : strcmp(by, "rfm_cn") == 0    ? "rfm_segment_cn"
                      : strcmp(by, "lifecycle") == 0 ? "lifecycle"
                                                     : NULL;
    if (!col) return enc_fail(err, ENC_EUSAGE, "by: '%s' is not rfm, rfm_cn or lifecycle", by);
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
    /* the two runs in customer order (the primary key's), merged here: one pass each */
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT customer_id, %s FROM segment_history WHERE run_id = ?1 ORDER BY customer_id",
             col);
    sqlite3_stmt *q[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        if (sqlite3_prepare_v2(st->db, sql, -1, &q[k], NULL) != SQLITE_OK) {
            sqlite3_finalize(q[0]);
            return enc__store_sqlfail(st, err, "reading the segment history");
        }
        sqlite3_bind_int64(q[k], 1, run[k]);
    }
    out->arena = enc_arena_new(4096);
    segs g[2] = {{{NULL}, 2}, {{NULL}, 2}};
    g[0].name[1] = g[1].name[1] = "(none)";
    int64_t *tally = enc_xcalloc((size_t)MAX_SEGS * MAX_SEGS, sizeof *tally);
    int r0 = sqlite3_step(q[0]), r1 = sqlite3_step(q[1]);
    enc_rc res = ENC_OK;
    while (r0 == SQLITE_ROW || r1 == SQLITE_ROW) {
        int64_t c0 = r0 == SQLITE_ROW ? sqlite3_column_int64(q[0], 0) : INT64_MAX;
        int64_t c1 = r1 == SQLITE_ROW ? sqlite3_column_int64(q[1], 0) : INT64_MAX;
        int f = 0, t = 0;
        if (c0 <= c1) f = seg_id(&g[0], out->arena, sqlite3_column_text(q[0], 1));
        if (c1 <= c0) t = seg_id(&g[1], out->arena, sqlite3_column_text(q[1], 1));
        if (f < 0 || t < 0) {
            res = enc_fail(err, ENC_ELIMIT, "segment history: more than %d segments", MAX_SEGS - 2);
            break;
        }
        tally[f * MAX_SEGS + t]++;
        if (c0 <= c1) r0 = sqlite3_step(q[0]);
        if (c1 <= c0) r1 = sqlite3_step(q[1]);
    }
    sqlite3_finalize(q[0]);
    sqlite3_finalize(q[1]);
    if (!res &&
        ((r0 != SQLITE_DONE && r0 != SQLITE_ROW) || (r1 != SQLITE_DONE && r1 != SQLITE_ROW)))
        res = enc__store_sqlfail(st, err, "reading the segment history");
    if (!res) {
        /* cells by from, then to, names in byte order, NULL (not scored) last */
        int ord[2][MAX_SEGS];
        for (int k = 0; k < 2; k++) {
            int m = 0;
            for (int i = 1; i < g[k].n; i++) ord[k][m++] = i;
            for (int i = 1; i < m; i++) /* insertion sort: a few names */
                for (int j = i; j > 0 && strcmp(g[k].name[ord[k][j - 1]], g[k].name[ord[k][j]]) > 0;
                     j--) {
                    int x = ord[k][j];
                    ord[k][j] = ord[k][j - 1], ord[k][j - 1] = x;
                }
            ord[k][m] = 0;
        }
        size_t cap = 0;
        for (int i = 0; i < g[0].n; i++)
            for (int j = 0; j < g[1].n; j++) {
                int f = ord[0][i], t = ord[1][j];
                if (!tally[f * MAX_SEGS + t]) continue;
                if (out->n == cap) {
                    cap = cap ? 2 * cap : 32;
                    out->cells = enc_xrealloc(out->cells, cap * sizeof *out->cells);
                }
                out->cells[out->n++] =
                    (enc_migration_cell){g[0].name[f], g[1].name[t], tally[f * MAX_SEGS + t]};
            }
        *found = true;
    }
    free(tally);
    return res;
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

const char *enc_store_path(enc_store *st)
{
    const char *p = sqlite3_db_filename(st->db, "main");
    return p ? p : "";
}
