/* store_sendtime.c — the SQLite side of send-time optimisation (store_sendtime.h): opens,
 * clicks and paid orders in a window, customer by customer. A merged-away customer's rows
 * count for the customer they were merged into. */
#include "store/store_sendtime.h"
#include "store/store_int.h"
#include <sqlite3.h>

enc_rc enc_store_sendtime_scan(enc_store *st, int64_t since, int64_t until, enc_sendtime_row_fn fn,
                               void *ctx, enc_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(enc__store_db(st),
                           "SELECT COALESCE(c.merged_into, c.id) AS cid, r.ts, r.k FROM ("
                           "  SELECT customer_id, ts,"
                           "   CASE type WHEN 'message_open' THEN 0 ELSE 1 END AS k FROM events"
                           "   WHERE (type = 'message_open' OR type = 'message_click')"
                           "   AND ts >= ?1 AND ts < ?2 AND customer_id IS NOT NULL"
                           "  UNION ALL SELECT customer_id, ts, 2 FROM orders"
                           "   WHERE status = 'paid' AND ts >= ?1 AND ts < ?2"
                           "   AND customer_id IS NOT NULL) r"
                           " JOIN customers c ON c.id = r.customer_id ORDER BY cid",
                           -1, &q, NULL) != SQLITE_OK)
        return enc__store_sqlfail(st, err, "preparing the send-time scan");
    sqlite3_bind_int64(q, 1, since);
    sqlite3_bind_int64(q, 2, until);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int k = sqlite3_column_int(q, 2);
        int stop = fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
                      k == 0   ? ENC_ST_OPEN
                      : k == 1 ? ENC_ST_CLICK
                               : ENC_ST_ORDER);
        if (stop) {
            sqlite3_finalize(q);
            return (enc_rc)stop;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return enc__store_sqlfail(st, err, "reading responses by hour");
    return ENC_OK;
}
