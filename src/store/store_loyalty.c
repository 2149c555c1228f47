/* store_loyalty.c — the SQLite side of store_loyalty.h: the loyalty programme, the points ledger
 * (entries, lots, moves), members and tiers (migration 11). Statements are prepared per call
 * (a member's operation runs a handful); the bulk paths (expiry, the tier review's scan) are
 * single set-based statements so that a million members take seconds. Every value is bound. */
#include "store/store_loyalty.h"
#include "base/mem.h"
#include "store/store_int.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3_stmt *prep(enc_store *st, const char *sql, enc_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        enc__store_sqlfail(st, err, "prepare");
        return NULL;
    }
    return s;
}

static enc_rc run(enc_store *st, sqlite3_stmt *s, enc_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, what);
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? enc_xstrdup((const char *)t) : NULL;
}

/* the next element of a growing array of rows (zeroed): *arr grows by doubling */
static void *next_row(void *arr, size_t *n, size_t *cap, size_t size)
{
    void **a = arr;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *a = enc_xrealloc(*a, *cap * size);
    }
    char *e = (char *)*a + (*n)++ * size;
    memset(e, 0, size);
    return e;
}

/* a statement whose ?1 is a customer id */
static sqlite3_stmt *prep_cust(enc_store *st, const char *sql, int64_t cust, enc_err *err)
{
    sqlite3_stmt *s = prep(st, sql, err);
    if (s) sqlite3_bind_int64(s, 1, cust);
    return s;
}

static void bind_opt(sqlite3_stmt *s, int i, int64_t v)
{
    if (v) sqlite3_bind_int64(s, i, v);
    else sqlite3_bind_null(s, i);
}

/* one integer from a query with bound int64 parameters a..; *v = 0 on no row */
static enc_rc one_int(enc_store *st, const char *sql, int np, const int64_t *p, int64_t *v,
                      enc_err *err)
{
    sqlite3_stmt *s = prep(st, sql, err);
    if (!s) return ENC_EDB;
    for (int i = 0; i < np; i++) sqlite3_bind_int64(s, i + 1, p[i]);
    int rc = sqlite3_step(s);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, sql);
}

/* ---- programme and state --------------------------------------------------------------- */

enc_rc enc_store_prog_get(enc_store *st, char **text, enc_err *err)
{
    *text = NULL;
    sqlite3_stmt *s = prep(st, "SELECT body FROM loyalty_programme ORDER BY id DESC LIMIT 1", err);
    if (!s) return ENC_EDB;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *text = col_dup(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK
                                                 : enc__store_sqlfail(st, err, "programme");
}

enc_rc enc_store_prog_put(enc_store *st, const char *text, int64_t now, enc_err *err)
{
    sqlite3_stmt *s = prep(st, "INSERT INTO loyalty_programme(body, saved_at) VALUES(?1, ?2)", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    return run(st, s, err, "saving the programme");
}

enc_rc enc_store_loyalty_state_get(enc_store *st, const char *key, int64_t *v, bool *found,
                                   enc_err *err)
{
    sqlite3_stmt *s = prep(st, "SELECT value FROM loyalty_state WHERE key = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    *v = *found ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "state");
}

enc_rc enc_store_loyalty_state_set(enc_store *st, const char *key, int64_t v, enc_err *err)
{
    sqlite3_stmt *s =
        prep(st, "INSERT OR REPLACE INTO loyalty_state(key, value) VALUES(?1, ?2)", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, v);
    return run(st, s, err, "state");
}

/* ---- entries ------------------------------------------------------------------------------ */

enc_rc enc_store_pentry_add(enc_store *st, const enc_pentry_rec *r, int64_t now, int64_t *id,
                            enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO points_entries(customer_id, ts, kind, points, order_id,"
                           " lot_id, ref_id, reason, actor, idem_key, request, created_at)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, r->customer);
    sqlite3_bind_int64(s, 2, r->ts);
    sqlite3_bind_text(s, 3, r->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, r->points);
    bind_opt(s, 5, r->order_id);
    bind_opt(s, 6, r->lot_id);
    bind_opt(s, 7, r->ref_id);
    enc__bind_text(s, 8, r->reason);
    enc__bind_text(s, 9, r->actor);
    enc__bind_text(s, 10, r->idem_key);
    enc__bind_text(s, 11, r->request);
    sqlite3_bind_int64(s, 12, now);
    enc_rc rc = run(st, s, err, "writing a points entry");
    if (!rc) *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

enc_rc enc_store_pentry_set_points(enc_store *st, int64_t id, int64_t points, enc_err *err)
{
    sqlite3_stmt *s = prep(st, "UPDATE points_entries SET points = ?2 WHERE id = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, points);
    return run(st, s, err, "writing a points entry");
}

#define ENTRY_COLS                                                                                 \
    "e.id, e.customer_id, e.ts, e.points, coalesce(e.order_id, 0), coalesce(e.lot_id, 0),"         \
    " coalesce(e.ref_id, 0), e.kind, e.reason, e.actor, o.order_key, e.request"                    \
    " FROM points_entries e LEFT JOIN orders o ON o.id = e.order_id "

static void entry_read(sqlite3_stmt *s, enc_pentry *e)
{
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(s, 0);
    e->customer = sqlite3_column_int64(s, 1);
    e->ts = sqlite3_column_int64(s, 2);
    e->points = sqlite3_column_int64(s, 3);
    e->order_id = sqlite3_column_int64(s, 4);
    e->lot_id = sqlite3_column_int64(s, 5);
    e->ref_id = sqlite3_column_int64(s, 6);
    const unsigned char *k = sqlite3_column_text(s, 7);
    snprintf(e->kind, sizeof e->kind, "%s", k ? (const char *)k : "");
    e->reason = col_dup(s, 8);
    e->actor = col_dup(s, 9);
    e->order_key = col_dup(s, 10);
    e->request = col_dup(s, 11);
}

void enc_pentry_free(enc_pentry *e)
{
    free(e->reason);
    free(e->actor);
    free(e->order_key);
    free(e->request);
    e->reason = e->actor = e->order_key = e->request = NULL;
}

/* the one entry a query with (text or int) parameters finds */
static enc_rc entry_one(enc_store *st, sqlite3_stmt *s, enc_pentry *e, bool *found, enc_err *err)
{
    int rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (*found) entry_read(s, e);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "entry");
}

enc_rc enc_store_pentry_by_key(enc_store *st, const char *key, enc_pentry *e, bool *found,
                               enc_err *err)
{
    sqlite3_stmt *s = prep(st, "SELECT " ENTRY_COLS "WHERE e.idem_key = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    return entry_one(st, s, e, found, err);
}

enc_rc enc_store_pentry_get(enc_store *st, int64_t id, enc_pentry *e, bool *found, enc_err *err)
{
    sqlite3_stmt *s = prep(st, "SELECT " ENTRY_COLS "WHERE e.id = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, id);
    return entry_one(st, s, e, found, err);
}

enc_rc enc_store_pentry_of_order(enc_store *st, int64_t order_id, const char *kind, enc_pentry *e,
                                 bool *found, enc_err *err)
{
    sqlite3_stmt *s = prep(st, "SELECT " ENTRY_COLS "WHERE e.order_id = ?1 AND e.kind = ?2", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, order_id);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    return entry_one(st, s, e, found, err);
}

enc_rc enc_store_pentry_reversal(enc_store *st, int64_t id, int64_t *rev, enc_err *err)
{
    return one_int(st, "SELECT id FROM points_entries WHERE ref_id = ?1", 1, &id, rev, err);
}

enc_rc enc_store_pentries(enc_store *st, int64_t cust, enc_pentry **out, size_t *n, enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = prep_cust(
        st, "SELECT " ENTRY_COLS "WHERE e.customer_id = ?1 ORDER BY e.ts, e.id", cust, err);
    if (!s) return ENC_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        entry_read(s, next_row(out, n, &cap, sizeof **out));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "history");
}

void enc_pentries_free(enc_pentry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) enc_pentry_free(&e[i]);
    free(e);
}

enc_rc enc_store_points_sum(enc_store *st, int64_t cust, int64_t *balance, enc_err *err)
{
    return one_int(st, "SELECT coalesce(sum(points), 0) FROM points_entries WHERE customer_id = ?1",
                   1, &cust, balance, err);
}

enc_rc enc_store_points_earned(enc_store *st, int64_t cust, int64_t from, int64_t to, int64_t *sum,
                               enc_err *err)
{
    int64_t p[] = {cust, from, to};
    return one_int(st,
                   "SELECT coalesce(sum(points), 0) FROM points_entries WHERE customer_id = ?1"
                   " AND kind = 'earn' AND ts >= ?2 AND ts < ?3",
                   3, p, sum, err);
}

enc_rc enc_store_points_has(enc_store *st, int64_t cust, const char *kind, const char *reason,
                            bool *yes, enc_err *err)
{
    sqlite3_stmt *s = prep_cust(st,
                                "SELECT 1 FROM points_entries WHERE customer_id = ?1 AND kind = ?2"
                                " AND (?3 IS NULL OR reason = ?3) LIMIT 1",
                                cust, err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    if (reason) sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    *yes = rc == SQLITE_ROW;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "entries");
}

/* ---- lots ------------------------------------------------------------------------------------ */

enc_rc enc_store_lot_add(enc_store *st, int64_t cust, const enc_lot *l, int64_t *id, enc_err *err)
{
    sqlite3_stmt *s =
        prep_cust(st,
                  "INSERT INTO points_lots(customer_id, entry_id, earned_at, expires_at,"
                  " points, remaining) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                  cust, err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 2, l->entry_id);
    sqlite3_bind_int64(s, 3, l->earned_at);
    bind_opt(s, 4, l->expires_at);
    sqlite3_bind_int64(s, 5, l->points);
    sqlite3_bind_int64(s, 6, l->remaining);
    enc_rc rc = run(st, s, err, "writing a lot");
    if (!rc) *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

enc_rc enc_store_lots_open(enc_store *st, int64_t cust, enc_lot **out, size_t *n, enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s =
        prep_cust(st,
                  "SELECT id, entry_id, earned_at, coalesce(expires_at, 0), points,"
                  " remaining FROM points_lots WHERE customer_id = ?1 AND remaining <> 0"
                  " ORDER BY earned_at, id",
                  cust, err);
    if (!s) return ENC_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_lot *l = next_row(out, n, &cap, sizeof **out);
        l->id = sqlite3_column_int64(s, 0);
        l->entry_id = sqlite3_column_int64(s, 1);
        l->earned_at = sqlite3_column_int64(s, 2);
        l->expires_at = sqlite3_column_int64(s, 3);
        l->points = sqlite3_column_int64(s, 4);
        l->remaining = sqlite3_column_int64(s, 5);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "lots");
}

enc_rc enc_store_lot_move(enc_store *st, int64_t entry, int64_t lot, int64_t points, enc_err *err)
{
    sqlite3_stmt *s =
        prep(st, "UPDATE points_lots SET remaining = remaining - ?2 WHERE id = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, lot);
    sqlite3_bind_int64(s, 2, points);
    if (run(st, s, err, "taking from a lot")) return err->rc;
    s = prep(st,
             "INSERT INTO points_moves(entry_id, lot_id, points) VALUES(?1, ?2, ?3)"
             " ON CONFLICT(entry_id, lot_id) DO UPDATE SET points = points + excluded.points",
             err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, entry);
    sqlite3_bind_int64(s, 2, lot);
    sqlite3_bind_int64(s, 3, points);
    return run(st, s, err, "recording a move");
}

enc_rc enc_store_lot_moves(enc_store *st, int64_t entry, int64_t **lots, int64_t **points,
                           size_t *n, enc_err *err)
{
    *lots = *points = NULL;
    *n = 0;
    sqlite3_stmt *s = prep(st, "SELECT lot_id, points FROM points_moves WHERE entry_id = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, entry);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *lots = enc_xrealloc(*lots, cap * sizeof **lots);
            *points = enc_xrealloc(*points, cap * sizeof **points);
        }
        (*lots)[*n] = sqlite3_column_int64(s, 0);
        (*points)[(*n)++] = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "moves");
}

enc_rc enc_store_lots_expire(enc_store *st, int64_t cust, int64_t now, int64_t *lots,
                             int64_t *points, enc_err *err)
{
    /* one entry a lot, dated when the lot expired; the lot's points are gone in the same
     * statement pair (the caller's transaction keeps them together) */
    *lots = *points = 0;
    int64_t p[] = {now, cust};
    if (one_int(st,
                "SELECT count(*) FROM points_lots WHERE remaining > 0 AND expires_at <= ?1"
                " AND (?2 = 0 OR customer_id = ?2)",
                2, p, lots, err))
        return err->rc;
    if (!*lots) return ENC_OK;
    if (one_int(st,
                "SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE remaining > 0"
                " AND expires_at <= ?1 AND (?2 = 0 OR customer_id = ?2)",
                2, p, points, err))
        return err->rc;
    sqlite3_stmt *s =
        prep(st,
             "INSERT INTO points_entries(customer_id, ts, kind, points, lot_id, reason,"
             " created_at) SELECT customer_id, ?1, 'expire', -remaining, id,"
             " 'lot expired', ?3 FROM points_lots WHERE remaining > 0"
             " AND expires_at <= ?1 AND (?2 = 0 OR customer_id = ?2)"
             " ORDER BY customer_id, expires_at, id",
             err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, cust);
    sqlite3_bind_int64(s, 3, now);
    if (run(st, s, err, "writing expiries")) return err->rc;
    s = prep(st,
             "UPDATE points_lots SET remaining = 0 WHERE remaining > 0 AND expires_at <= ?1"
             " AND (?2 = 0 OR customer_id = ?2)",
             err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, cust);
    return run(st, s, err, "emptying expired lots");
}

enc_rc enc_store_points_expiring(enc_store *st, int64_t cust, int64_t now, int64_t until,
                                 int64_t *points, enc_err *err)
{
    int64_t p[] = {cust, now, until};
    return one_int(st,
                   "SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE customer_id = ?1"
                   " AND remaining > 0 AND expires_at > ?2 AND expires_at <= ?3",
                   3, p, points, err);
}

/* ---- orders ------------------------------------------------------------------------------ */

static char *keep(enc_porder *o, char *s)
{
    if (!s) return NULL;
    o->strs = enc_xrealloc(o->strs, (o->nstrs + 1) * sizeof *o->strs);
    o->strs[o->nstrs++] = s;
    return s;
}

enc_rc enc_store_porder_get(enc_store *st, const char *order_key, enc_porder *o, enc_err *err)
{
    memset(o, 0, sizeof *o);
    sqlite3_stmt *s = prep(st,
                           "SELECT id, coalesce(customer_id, 0), ts, status, total, discount"
                           " FROM orders WHERE order_key = ?1 LIMIT 2",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, order_key, -1, SQLITE_STATIC);
    int rc, rows = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (rows++) break;
        o->id = sqlite3_column_int64(s, 0);
        o->customer = sqlite3_column_int64(s, 1);
        o->ts = sqlite3_column_int64(s, 2);
        const unsigned char *t = sqlite3_column_text(s, 3);
        snprintf(o->status, sizeof o->status, "%s", t ? (const char *)t : "");
        o->total = sqlite3_column_int64(s, 4);
        o->discount = sqlite3_column_int64(s, 5);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return enc__store_sqlfail(st, err, "order");
    if (rows == 0) return enc_fail(err, ENC_ENOTFOUND, "no order '%s'", order_key);
    if (rows > 1)
        return enc_fail(err, ENC_EUSAGE, "order id '%s' is in two sources: not one order",
                        order_key);
    s = prep(st,
             "SELECT l.amount, l.kind, l.sku, p.category FROM order_lines l"
             " LEFT JOIN products p ON p.id = l.product_id WHERE l.id BETWEEN ?1 AND ?2"
             " ORDER BY l.id",
             err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, o->id << ENC_LINE_BITS);
    sqlite3_bind_int64(s, 2, o->id << ENC_LINE_BITS | ENC_LINE_MAX);
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_earn_line *l = next_row(&o->lines, &o->nlines, &cap, sizeof *o->lines);
        l->amount = sqlite3_column_int64(s, 0);
        const unsigned char *k = sqlite3_column_text(s, 1);
        l->sale = k && strcmp((const char *)k, "sale") == 0;
        l->sku = keep(o, col_dup(s, 2));
        l->category = keep(o, col_dup(s, 3));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        enc_store_porder_free(o);
        return enc__store_sqlfail(st, err, "order lines");
    }
    return ENC_OK;
}

void enc_store_porder_free(enc_porder *o)
{
    for (size_t i = 0; i < o->nstrs; i++) free(o->strs[i]);
    free(o->strs);
    free(o->lines);
    memset(o, 0, sizeof *o);
}

/* ---- members and tiers ------------------------------------------------------------------- */

/* the customer's tier text follows the programme's (segments' `tier`, the customer view) */
static enc_rc tier_sync(enc_store *st, const enc_member *m, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "UPDATE customers SET tier = ?2, updated_at = ?3 WHERE id = ?1"
                           " AND coalesce(tier, '') <> ?2",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, m->customer);
    sqlite3_bind_text(s, 2, m->tier, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, m->tier_since);
    return run(st, s, err, "the customer's tier");
}

enc_rc enc_store_member_get(enc_store *st, int64_t cust, enc_member *m, bool *found, enc_err *err)
{
    memset(m, 0, sizeof *m);
    sqlite3_stmt *s =
        prep_cust(st,
                  "SELECT tier, tier_since, joined_at, coalesce(drop_at, 0) FROM members"
                  " WHERE customer_id = ?1",
                  cust, err);
    if (!s) return ENC_EDB;
    int rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    m->customer = cust;
    if (*found) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(m->tier, sizeof m->tier, "%s", t ? (const char *)t : "");
        m->tier_since = sqlite3_column_int64(s, 1);
        m->joined_at = sqlite3_column_int64(s, 2);
        m->drop_at = sqlite3_column_int64(s, 3);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "member");
}

enc_rc enc_store_member_put(enc_store *st, const enc_member *m, enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO members(customer_id, tier, tier_since, joined_at, drop_at)"
                           " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(customer_id) DO UPDATE SET"
                           " tier = excluded.tier, tier_since = excluded.tier_since,"
                           " drop_at = excluded.drop_at",
                           err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, m->customer);
    sqlite3_bind_text(s, 2, m->tier, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, m->tier_since);
    sqlite3_bind_int64(s, 4, m->joined_at);
    bind_opt(s, 5, m->drop_at);
    if (run(st, s, err, "writing a member")) return err->rc;
    return tier_sync(st, m, err);
}

enc_rc enc_store_tier_history_add(enc_store *st, int64_t cust, int64_t ts, const char *from,
                                  const char *to, const char *reason, enc_err *err)
{
    sqlite3_stmt *s =
        prep_cust(st,
                  "INSERT INTO tier_history(customer_id, ts, from_tier, to_tier, reason)"
                  " VALUES(?1, ?2, ?3, ?4, ?5)",
                  cust, err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 2, ts);
    enc__bind_text(s, 3, from);
    sqlite3_bind_text(s, 4, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
    return run(st, s, err, "writing tier history");
}

enc_rc enc_store_tier_history(enc_store *st, int64_t cust, enc_tier_change **out, size_t *n,
                              enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s =
        prep_cust(st,
                  "SELECT ts, coalesce(from_tier, ''), to_tier, reason FROM tier_history"
                  " WHERE customer_id = ?1 ORDER BY id",
                  cust, err);
    if (!s) return ENC_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_tier_change *c = next_row(out, n, &cap, sizeof **out);
        c->ts = sqlite3_column_int64(s, 0);
        snprintf(c->from, sizeof c->from, "%s", (const char *)sqlite3_column_text(s, 1));
        snprintf(c->to, sizeof c->to, "%s", (const char *)sqlite3_column_text(s, 2));
        snprintf(c->reason, sizeof c->reason, "%s", (const char *)sqlite3_column_text(s, 3));
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "tier history");
}

/* the qualifying metric per customer over (?1, ?2] as a sub-select (customer_id, v) */
static const char *metric_sql(int qual)
{
    switch (qual) {
    case 1:
        return "SELECT e.customer_id AS cid, sum(e.points) AS v FROM points_entries e"
               " WHERE e.kind = 'earn' AND e.ts > ?1 AND e.ts <= ?2 AND NOT EXISTS(SELECT 1"
               " FROM points_entries r WHERE r.order_id = e.order_id AND r.kind = 'return')"
               " %s GROUP BY e.customer_id";
    case 2:
        return "SELECT customer_id AS cid, count(*) AS v FROM orders WHERE status = 'paid'"
               " AND ts > ?1 AND ts <= ?2 %s GROUP BY customer_id";
    default:
        return "SELECT customer_id AS cid, sum(max(total - discount, 0)) AS v FROM orders"
               " WHERE status = 'paid' AND ts > ?1 AND ts <= ?2 %s GROUP BY customer_id";
    }
}

enc_rc enc_store_member_metric(enc_store *st, int64_t cust, int qual, int64_t from, int64_t to,
                               int64_t *v, enc_err *err)
{
    char inner[800], sql[900];
    snprintf(inner, sizeof inner, metric_sql(qual),
             qual == 1 ? "AND e.customer_id = ?3" : "AND customer_id = ?3");
    snprintf(sql, sizeof sql, "SELECT v FROM (%s)", inner);
    int64_t p[] = {from, to, cust};
    return one_int(st, sql, 3, p, v, err);
}

enc_rc enc_store_members_scan(enc_store *st, int qual, int64_t from, int64_t to,
                              enc_member_scan *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    char inner[800], sql[1200];
    snprintf(inner, sizeof inner, metric_sql(qual), "");
    snprintf(sql, sizeof sql,
             "SELECT m.customer_id, m.tier, m.tier_since, coalesce(m.drop_at, 0),"
             " coalesce(x.v, 0) FROM members m LEFT JOIN (%s) x ON x.cid = m.customer_id"
             " ORDER BY m.customer_id",
             inner);
    int64_t cnt;
    if (one_int(st, "SELECT count(*) FROM members", 0, NULL, &cnt, err)) return err->rc;
    size_t cap = (size_t)cnt + 1;
    /* one block for the four columns and the names: free(out->cust) frees them all */
    char *blk = enc_xmalloc(cap * (4 * sizeof(int64_t) + 48));
    out->cust = (int64_t *)blk;
    out->since = out->cust + cap;
    out->drop_at = out->since + cap;
    out->metric = out->drop_at + cap;
    out->tier = (char(*)[48])(out->metric + cap);
    sqlite3_stmt *s = prep(st, sql, err);
    if (!s) {
        enc_member_scan_free(out);
        return ENC_EDB;
    }
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, to);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && out->n < cap) {
        size_t i = out->n++;
        out->cust[i] = sqlite3_column_int64(s, 0);
        const unsigned char *t = sqlite3_column_text(s, 1);
        snprintf(out->tier[i], 48, "%s", t ? (const char *)t : "");
        out->since[i] = sqlite3_column_int64(s, 2);
        out->drop_at[i] = sqlite3_column_int64(s, 3);
        out->metric[i] = sqlite3_column_int64(s, 4);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        enc_member_scan_free(out);
        return enc__store_sqlfail(st, err, "members");
    }
    return ENC_OK;
}

void enc_member_scan_free(enc_member_scan *s)
{
    free(s->cust);
    memset(s, 0, sizeof *s);
}

enc_rc enc_store_loyalty_sums(enc_store *st, int which, int64_t now, const int64_t *ids, size_t n,
                              double *out, enc_err *err)
{
    for (size_t i = 0; i < n; i++) out[i] = 0;
    sqlite3_stmt *s = prep(st,
                           which == 0 ? "SELECT customer_id, sum(points) FROM points_entries"
                                        " GROUP BY customer_id ORDER BY customer_id"
                                      : "SELECT customer_id, sum(remaining) FROM points_lots"
                                        " WHERE remaining > 0 AND expires_at > ?1 AND"
                                        " expires_at <= ?1 + 30 * 86400"
                                        " GROUP BY customer_id ORDER BY customer_id",
                           err);
    if (!s) return ENC_EDB;
    if (which) sqlite3_bind_int64(s, 1, now);
    size_t j = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        while (j < n && ids[j] < id) j++;
        if (j == n) break;
        if (ids[j] == id) out[j] = (double)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? ENC_OK
                                                 : enc__store_sqlfail(st, err, "loyalty sums");
}

enc_rc enc_store_customer_tier(enc_store *st, int64_t cust, char *out, size_t cap, enc_err *err)
{
    sqlite3_stmt *s =
        prep_cust(st, "SELECT coalesce(tier, '') FROM customers WHERE id = ?1", cust, err);
    if (!s) return ENC_EDB;
    int rc = sqlite3_step(s);
    snprintf(out, cap, "%s", rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : "");
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "tier");
}

/* rows of (text, text, count) */
static enc_rc counts(enc_store *st, const char *sql, int64_t since, enc_ly_tier_count **out,
                     size_t *n, enc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = prep(st, sql, err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, since);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enc_ly_tier_count *c = next_row(out, n, &cap, sizeof **out);
        snprintf(c->from, sizeof c->from, "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(c->to, sizeof c->to, "%s", (const char *)sqlite3_column_text(s, 1));
        c->n = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? ENC_OK : enc__store_sqlfail(st, err, "loyalty report");
}

enc_rc enc_store_loyalty_report(enc_store *st, int64_t since, enc_ly_report *r, enc_err *err)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *s =
        prep(st,
             "SELECT (SELECT count(*) FROM members),"
             " coalesce(sum(points) FILTER (WHERE kind = 'earn'), 0),"
             " coalesce(sum(points) FILTER (WHERE kind = 'bonus'), 0),"
             " coalesce(sum(points) FILTER (WHERE kind = 'import'), 0),"
             " coalesce(sum(points) FILTER (WHERE kind = 'adjust' AND points > 0), 0),"
             " coalesce(-sum(points) FILTER (WHERE kind = 'adjust' AND points < 0), 0),"
             " coalesce(-sum(points) FILTER (WHERE kind = 'return'), 0),"
             " coalesce(-sum(points) FILTER (WHERE kind = 'redeem'), 0),"
             " coalesce(sum(points) FILTER (WHERE kind = 'reverse'), 0),"
             " coalesce(-sum(points) FILTER (WHERE kind = 'expire'), 0),"
             " count(*) FILTER (WHERE kind = 'redeem') - count(*) FILTER (WHERE kind = 'reverse')"
             " FROM points_entries",
             err);
    if (!s) return ENC_EDB;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int64_t *f[] = {&r->members,     &r->earned,       &r->bonus,      &r->imported,
                        &r->adjusted_in, &r->adjusted_out, &r->returned,   &r->redeemed,
                        &r->reversed,    &r->expired,      &r->redemptions};
        for (int i = 0; i < 11; i++) *f[i] = sqlite3_column_int64(s, i);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return enc__store_sqlfail(st, err, "loyalty report");
    s = prep(
        st,
        "SELECT coalesce(sum(b) FILTER (WHERE b > 0), 0), coalesce(sum(b) FILTER (WHERE b < 0),"
        " 0), count(*) FILTER (WHERE b > 0) FROM (SELECT sum(points) AS b FROM points_entries"
        " GROUP BY customer_id)",
        err);
    if (!s) return ENC_EDB;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        r->outstanding = sqlite3_column_int64(s, 0);
        r->debt = sqlite3_column_int64(s, 1);
        r->with_balance = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return enc__store_sqlfail(st, err, "loyalty report");
    if (counts(st,
               "SELECT '', tier, count(*) FROM members WHERE ?1 = ?1 GROUP BY tier ORDER BY 3 DESC",
               since, &r->tiers, &r->ntiers, err) ||
        counts(st,
               "SELECT from_tier, to_tier, count(*) FROM tier_history WHERE ts >= ?1 AND"
               " from_tier IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
               since, &r->moves, &r->nmoves, err)) {
        enc_ly_report_free(r);
        return err->rc;
    }
    return ENC_OK;
}

void enc_ly_report_free(enc_ly_report *r)
{
    free(r->tiers);
    free(r->moves);
    r->tiers = r->moves = NULL;
    r->ntiers = r->nmoves = 0;
}

enc_rc enc_store_members_apply(enc_store *st, const enc_member *m, const char *const *from,
                               const char *const *reason, size_t n, int64_t now, enc_err *err)
{
    static const char *const sql[] = {
        "UPDATE members SET tier = ?2, tier_since = ?3, drop_at = ?4 WHERE customer_id = ?1",
        "INSERT INTO tier_history(customer_id, ts, from_tier, to_tier, reason)"
        " VALUES(?1, ?5, ?6, ?2, ?7)",
        "UPDATE customers SET tier = ?2, updated_at = ?5 WHERE id = ?1 AND coalesce(tier, '') <> "
        "?2",
    };
    sqlite3_stmt *s[3] = {0};
    enc_rc rc = ENC_OK;
    for (int k = 0; k < 3 && !rc; k++)
        if (!(s[k] = prep(st, sql[k], err))) rc = ENC_EDB;
    for (size_t i = 0; i < n && !rc; i++) {
        for (int k = 0; k < 3 && !rc; k++) {
            if (k && !reason[i]) break; /* a drop date only: no history, the tier is the same */
            sqlite3_reset(s[k]);
            sqlite3_clear_bindings(s[k]);
            sqlite3_bind_int64(s[k], 1, m[i].customer);
            sqlite3_bind_text(s[k], 2, m[i].tier, -1, SQLITE_STATIC);
            if (k == 0) {
                sqlite3_bind_int64(s[k], 3, m[i].tier_since);
                bind_opt(s[k], 4, m[i].drop_at);
            } else {
                sqlite3_bind_int64(s[k], 5, now);
            }
            if (k == 1) {
                sqlite3_bind_text(s[k], 6, from[i], -1, SQLITE_STATIC);
                sqlite3_bind_text(s[k], 7, reason[i], -1, SQLITE_STATIC);
            }
            if (sqlite3_step(s[k]) != SQLITE_DONE) rc = enc__store_sqlfail(st, err, "tier review");
        }
    }
    for (int k = 0; k < 3; k++) sqlite3_finalize(s[k]);
    return rc;
}

enc_rc enc_store_last_upgrades(enc_store *st, const int64_t *ids, size_t n, double *out,
                               enc_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT customer_id, max(ts) FROM tier_history WHERE reason = 'upgrade'"
                           " GROUP BY customer_id ORDER BY customer_id",
                           err);
    if (!s) return ENC_EDB;
    size_t j = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        while (j < n && ids[j] < id) j++;
        if (j == n) break;
        if (ids[j] == id) out[j] = (double)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? ENC_OK
                                                 : enc__store_sqlfail(st, err, "tier upgrades");
}
