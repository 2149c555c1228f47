/* store_put.c — keyed writes of products, orders, order lines, events, feedback and consents
 * (SQLite backend of store.h). Each is "insert or ignore; when the key existed, update only
 * if a value differs", reporting inserted / updated / same. */
#include "store/store_int.h"
#include <string.h>

/* Steps an INSERT OR IGNORE; true when a row was inserted. */
static enc_rc step_insert(enc_store *st, sqlite3_stmt *s, bool *inserted, enc_err *err,
                          const char *what)
{
    if (enc__store_done(st, s, err, what)) return ENC_EDB;
    *inserted = sqlite3_changes(st->db) > 0;
    return ENC_OK;
}

static enc_rc step_update(enc_store *st, sqlite3_stmt *s, enc_put *res, enc_err *err,
                          const char *what)
{
    if (enc__store_done(st, s, err, what)) return ENC_EDB;
    *res = sqlite3_changes(st->db) > 0 ? ENC_PUT_UPDATED : ENC_PUT_SAME;
    return ENC_OK;
}

/* ---- products ---------------------------------------------------------------------------- */

static void bind_product(sqlite3_stmt *s, const enc_product_rec *r)
{
    sqlite3_bind_text(s, 1, r->sku, -1, SQLITE_STATIC);
    enc__bind_text(s, 2, r->name);
    enc__bind_text(s, 3, r->category);
    enc__bind_text(s, 4, r->brand);
    if (r->has_price) sqlite3_bind_int64(s, 5, r->price);
    if (r->has_cost) sqlite3_bind_int64(s, 6, r->cost);
    enc__bind_text(s, 7, r->currency);
    if (r->has_tier) sqlite3_bind_int64(s, 8, r->tier);
    if (r->has_replenish) sqlite3_bind_int64(s, 9, r->replenish_days);
    enc__bind_text(s, 10, r->complements);
    if (r->in_stock >= 0) sqlite3_bind_int(s, 11, r->in_stock);
    enc__bind_text(s, 12, r->source);
}

#define PRODUCT_COLS                                                                               \
    "name, category, brand, price, cost, currency, tier, replenish_days, complements"

enc_rc enc_store_product_put(enc_store *st, const enc_product_rec *r, bool fill_only, int64_t *id,
                             enc_put *res, enc_err *err)
{
    sqlite3_stmt *s =
        enc__store_stmt(st, ST_PROD_INSERT,
                        "INSERT OR IGNORE INTO products(sku, " PRODUCT_COLS ", in_stock, source)"
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, coalesce(?11, 1), ?12)",
                        err);
    if (!s) return ENC_EDB;
    bind_product(s, r);
    bool inserted;
    if (step_insert(st, s, &inserted, err, "inserting product")) return ENC_EDB;
    if (inserted) {
        *id = sqlite3_last_insert_rowid(st->db);
        *res = ENC_PUT_INSERTED;
        return ENC_OK;
    }
#define FILL(c, n) " " c " = coalesce(" c ", ?" #n "),"
#define FILLD(c, n) " (" c " IS NULL AND ?" #n " IS NOT NULL) OR"
#define SET(c, n) " " c " = coalesce(?" #n ", " c "),"
#define SETD(c, n) " (?" #n " IS NOT NULL AND ?" #n " IS NOT " c ") OR"
    if (fill_only) {
        s = enc__store_stmt(
            st, ST_PROD_FILL,
            "UPDATE products SET" FILL("name", 2) FILL("category", 3) FILL("brand", 4)
                FILL("price", 5) " sku = sku WHERE sku = ?1 AND (" FILLD("name", 2)
                    FILLD("category", 3) FILLD("brand", 4) FILLD("price", 5) " 0)",
            err);
        if (!s) return ENC_EDB;
        sqlite3_bind_text(s, 1, r->sku, -1, SQLITE_STATIC);
        enc__bind_text(s, 2, r->name);
        enc__bind_text(s, 3, r->category);
        enc__bind_text(s, 4, r->brand);
        if (r->has_price) sqlite3_bind_int64(s, 5, r->price);
    } else {
        s = enc__store_stmt(
            st, ST_PROD_UPDATE,
            "UPDATE products SET" SET("name", 2) SET("category", 3) SET("brand", 4) SET("price", 5)
                SET("cost", 6) SET("currency", 7) SET("tier", 8) SET("replenish_days", 9)
                    SET("complements", 10)
                        SET("in_stock", 11) " sku = sku WHERE sku = ?1 AND (" SETD("name", 2)
                            SETD("category", 3) SETD("brand", 4) SETD("price", 5) SETD("cost", 6)
                                SETD("currency", 7) SETD("tier", 8) SETD("replenish_days", 9)
                                    SETD("complements", 10) SETD("in_stock", 11) " 0)",
            err);
        if (!s) return ENC_EDB;
        bind_product(s, r);
    }
#undef FILL
#undef FILLD
#undef SET
#undef SETD
    if (step_update(st, s, res, err, "updating product")) return ENC_EDB;
    s = enc__store_stmt(st, ST_PROD_ID, "SELECT id FROM products WHERE sku = ?1", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, r->sku, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) return enc__store_sqlfail(st, err, "finding product");
    *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return ENC_OK;
}

/* ---- orders and lines -------------------------------------------------------------------- */

static void bind_order(sqlite3_stmt *s, const enc_order_rec *r)
{
    sqlite3_bind_text(s, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->order_key, -1, SQLITE_STATIC);
    if (r->customer) sqlite3_bind_int64(s, 3, r->customer);
    sqlite3_bind_int64(s, 4, r->ts);
    sqlite3_bind_text(s, 5, r->status, -1, SQLITE_STATIC);
    enc__bind_text(s, 6, r->channel);
    enc__bind_text(s, 7, r->payment);
    enc__bind_text(s, 8, r->coupon);
    sqlite3_bind_int64(s, 9, r->discount);
    if (r->has_total) {
        sqlite3_bind_int64(s, 10, r->total);
        sqlite3_bind_int64(s, 11, r->items);
    }
    enc__bind_text(s, 12, r->currency);
    enc__bind_text(s, 13, r->country);
}

enc_rc enc_store_order_put(enc_store *st, const enc_order_rec *r, int64_t *id, enc_put *res,
                           enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_ORDER_INSERT,
        "INSERT OR IGNORE INTO orders(source, order_key, customer_id, ts, status, channel,"
        " payment, coupon, discount, total, items, sales, currency, country)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, coalesce(?10, 0), coalesce(?11, 0),"
        " max(coalesce(?10, 0), 0), ?12, ?13)",
        err);
    if (!s) return ENC_EDB;
    bind_order(s, r);
    bool inserted;
    if (step_insert(st, s, &inserted, err, "inserting order")) return ENC_EDB;
    if (inserted) {
        *id = sqlite3_last_insert_rowid(st->db);
        *res = ENC_PUT_INSERTED;
        return ENC_OK;
    }
    s = enc__store_stmt(
        st, ST_ORDER_UPDATE,
        "UPDATE orders SET customer_id = ?3, ts = ?4, status = ?5, channel = ?6, payment = ?7,"
        " coupon = ?8, discount = ?9, total = coalesce(?10, total), items = coalesce(?11, items),"
        " sales = CASE WHEN ?10 IS NULL THEN sales ELSE max(?10, 0) END,"
        " currency = ?12, country = ?13"
        " WHERE source = ?1 AND order_key = ?2 AND (customer_id IS NOT ?3 OR ts IS NOT ?4"
        " OR status IS NOT ?5 OR channel IS NOT ?6 OR payment IS NOT ?7 OR coupon IS NOT ?8"
        " OR discount IS NOT ?9 OR (?10 IS NOT NULL AND (total IS NOT ?10 OR items IS NOT ?11))"
        " OR currency IS NOT ?12 OR country IS NOT ?13)",
        err);
    if (!s) return ENC_EDB;
    bind_order(s, r);
    if (step_update(st, s, res, err, "updating order")) return ENC_EDB;
    s = enc__store_stmt(st, ST_ORDER_ID,
                        "SELECT id FROM orders WHERE source = ?1 AND order_key = ?2", err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->order_key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) return enc__store_sqlfail(st, err, "finding order");
    *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return ENC_OK;
}

static void bind_line(sqlite3_stmt *s, const enc_line_rec *r)
{
    sqlite3_bind_int64(s, 1, r->order_id << ENC_LINE_BITS | r->line_no);
    sqlite3_bind_int64(s, 2, r->order_id);
    if (r->product_id) sqlite3_bind_int64(s, 3, r->product_id);
    enc__bind_text(s, 4, r->sku);
    sqlite3_bind_int64(s, 5, r->qty);
    sqlite3_bind_int64(s, 6, r->unit_price);
    sqlite3_bind_int64(s, 7, r->amount);
    sqlite3_bind_text(s, 8, r->kind, -1, SQLITE_STATIC);
}

enc_rc enc_store_line_put(enc_store *st, const enc_line_rec *r, enc_put *res, enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_LINE_INSERT,
        "INSERT OR IGNORE INTO order_lines(id, order_id, product_id, sku, qty, unit_price,"
        " amount, kind) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        err);
    if (!s) return ENC_EDB;
    bind_line(s, r);
    bool inserted;
    if (step_insert(st, s, &inserted, err, "inserting order line")) return ENC_EDB;
    if (inserted) {
        *res = ENC_PUT_INSERTED;
        return ENC_OK;
    }
    s = enc__store_stmt(st, ST_LINE_UPDATE,
                        "UPDATE order_lines SET product_id = ?3, sku = ?4, qty = ?5,"
                        " unit_price = ?6, amount = ?7, kind = ?8 WHERE id = ?1"
                        " AND (product_id IS NOT ?3 OR sku IS NOT ?4 OR qty IS NOT ?5"
                        " OR unit_price IS NOT ?6 OR amount IS NOT ?7 OR kind IS NOT ?8)",
                        err);
    if (!s) return ENC_EDB;
    bind_line(s, r);
    return step_update(st, s, res, err, "updating order line");
}

enc_rc enc_store_order_refresh(enc_store *st, int64_t order_id, enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_ORDER_REFRESH,
        "UPDATE orders SET (total, items, sales, has_lines) = (SELECT coalesce(sum(amount), 0),"
        " coalesce(sum(qty), 0), coalesce(sum(amount) FILTER (WHERE kind = 'sale'), 0), 1"
        " FROM order_lines WHERE id BETWEEN ?2 AND ?3)"
        " WHERE id = ?1 AND EXISTS(SELECT 1 FROM order_lines WHERE id BETWEEN ?2 AND ?3)",
        err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, order_id);
    sqlite3_bind_int64(s, 2, order_id << ENC_LINE_BITS);
    sqlite3_bind_int64(s, 3, order_id << ENC_LINE_BITS | ENC_LINE_MAX);
    return enc__store_done(st, s, err, "refreshing order totals");
}

enc_rc enc_store_order_totals_set(enc_store *st, int64_t order_id, int64_t total, int64_t items,
                                  int64_t sales, enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(st, ST_ORDER_TOTALS,
                                      "UPDATE orders SET total = ?2, items = ?3, sales = ?4,"
                                      " has_lines = 1 WHERE id = ?1",
                                      err);
    if (!s) return ENC_EDB;
    sqlite3_bind_int64(s, 1, order_id);
    sqlite3_bind_int64(s, 2, total);
    sqlite3_bind_int64(s, 3, items);
    sqlite3_bind_int64(s, 4, sales);
    return enc__store_done(st, s, err, "setting order totals");
}

/* ---- events, feedback, consents ---------------------------------------------------------- */

static void bind_event(sqlite3_stmt *s, const enc_event_rec *r)
{
    sqlite3_bind_text(s, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->source_key, -1, SQLITE_STATIC);
    if (r->customer) sqlite3_bind_int64(s, 3, r->customer);
    sqlite3_bind_int64(s, 4, r->ts);
    sqlite3_bind_text(s, 5, r->type, -1, SQLITE_STATIC);
    enc__bind_text(s, 6, r->sku);
    if (r->has_value) sqlite3_bind_int64(s, 7, r->value);
    enc__bind_text(s, 8, r->session);
    enc__bind_text(s, 9, r->channel);
    enc__bind_text(s, 10, r->props);
}

/* Inserts the event unless its key (source, source_key) is there: the first step of both
 * enc_store_event_put and enc_store_event_add. */
static enc_rc event_insert(enc_store *st, const enc_event_rec *r, bool *inserted, enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_EVENT_INSERT,
        "INSERT OR IGNORE INTO events(source, source_key, customer_id, ts, type, sku, value,"
        " session, channel, props) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        err);
    if (!s) return ENC_EDB;
    bind_event(s, r);
    return step_insert(st, s, inserted, err, "inserting event");
}

enc_rc enc_store_event_put(enc_store *st, const enc_event_rec *r, enc_put *res, enc_err *err)
{
    bool inserted;
    if (event_insert(st, r, &inserted, err)) return ENC_EDB;
    if (inserted) {
        *res = ENC_PUT_INSERTED;
        return ENC_OK;
    }
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_EVENT_UPDATE,
        "UPDATE events SET customer_id = ?3, ts = ?4, type = ?5, sku = ?6, value = ?7,"
        " session = ?8, channel = ?9, props = ?10 WHERE source = ?1 AND source_key = ?2 AND"
        " (customer_id IS NOT ?3 OR ts IS NOT ?4 OR type IS NOT ?5 OR sku IS NOT ?6 OR value"
        " IS NOT ?7 OR session IS NOT ?8 OR channel IS NOT ?9 OR props IS NOT ?10)",
        err);
    if (!s) return ENC_EDB;
    bind_event(s, r);
    return step_update(st, s, res, err, "updating event");
}

static void bind_feedback(sqlite3_stmt *s, const enc_feedback_rec *r)
{
    sqlite3_bind_text(s, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->source_key, -1, SQLITE_STATIC);
    if (r->customer) sqlite3_bind_int64(s, 3, r->customer);
    sqlite3_bind_int64(s, 4, r->ts);
    sqlite3_bind_text(s, 5, r->kind, -1, SQLITE_STATIC);
    if (r->has_score) sqlite3_bind_double(s, 6, r->score);
    enc__bind_text(s, 7, r->text);
    enc__bind_text(s, 8, r->order_key);
    enc__bind_text(s, 9, r->sku);
}

enc_rc enc_store_event_add(enc_store *st, const enc_event_rec *r, enc_put *res, enc_err *err)
{
    bool inserted;
    if (event_insert(st, r, &inserted, err)) return ENC_EDB;
    *res = inserted ? ENC_PUT_INSERTED : ENC_PUT_SAME;
    return ENC_OK;
}

enc_rc enc_store_feedback_put(enc_store *st, const enc_feedback_rec *r, enc_put *res, enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_FB_INSERT,
        "INSERT OR IGNORE INTO feedback(source, source_key, customer_id, ts, kind, score, text,"
        " order_key, sku) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        err);
    if (!s) return ENC_EDB;
    bind_feedback(s, r);
    bool inserted;
    if (step_insert(st, s, &inserted, err, "inserting feedback")) return ENC_EDB;
    if (inserted) {
        *res = ENC_PUT_INSERTED;
        return ENC_OK;
    }
    s = enc__store_stmt(st, ST_FB_UPDATE,
                        "UPDATE feedback SET customer_id = ?3, ts = ?4, kind = ?5, score = ?6,"
                        " text = ?7, order_key = ?8, sku = ?9"
                        " WHERE source = ?1 AND source_key = ?2 AND (customer_id IS NOT ?3"
                        " OR ts IS NOT ?4 OR kind IS NOT ?5 OR score IS NOT ?6 OR text IS NOT ?7"
                        " OR order_key IS NOT ?8 OR sku IS NOT ?9)",
                        err);
    if (!s) return ENC_EDB;
    bind_feedback(s, r);
    return step_update(st, s, res, err, "updating feedback");
}

enc_rc enc_store_consent_put(enc_store *st, const enc_consent_rec *r, enc_put *res, enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_CONSENT_INSERT,
        "INSERT OR IGNORE INTO consents(source, source_key, customer_id, ts, channel, purpose,"
        " granted) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->source_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, r->customer);
    sqlite3_bind_int64(s, 4, r->ts);
    sqlite3_bind_text(s, 5, r->channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, r->purpose, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 7, r->granted);
    bool inserted;
    if (step_insert(st, s, &inserted, err, "recording consent")) return ENC_EDB;
    *res = inserted ? ENC_PUT_INSERTED : ENC_PUT_SAME;
    return ENC_OK;
}

enc_rc enc_store_import_log(enc_store *st, const char *kind, const char *path, const char *source,
                            int64_t started, int64_t finished, const enc_import_counts *c,
                            enc_err *err)
{
    sqlite3_stmt *s = enc__store_stmt(
        st, ST_IMPORT_LOG,
        "INSERT INTO imports(kind, path, source, started_at, finished_at, read, imported,"
        " updated, skipped, rejected, merged) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        err);
    if (!s) return ENC_EDB;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    enc__bind_text(s, 2, path);
    sqlite3_bind_text(s, 3, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, started);
    sqlite3_bind_int64(s, 5, finished);
    sqlite3_bind_int64(s, 6, c->read);
    sqlite3_bind_int64(s, 7, c->imported);
    sqlite3_bind_int64(s, 8, c->updated);
    sqlite3_bind_int64(s, 9, c->skipped);
    sqlite3_bind_int64(s, 10, c->rejected);
    sqlite3_bind_int64(s, 11, c->merged);
    return enc__store_done(st, s, err, "logging import");
}
