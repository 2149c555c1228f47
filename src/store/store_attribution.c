/* store_attribution.c — the SQL of a campaign's attribution (attribution_store.h): members,
 * messages, tracking events, orders and coupons, each read once per report. */
#include "store/attribution_store.h"
#include "store/scan_int.h"
#include "store/store_int.h"
#include <sqlite3.h>

static const char *const sql[ENC_ATTRQ_N] = {
    [ENC_ATTRQ_MEMBERS] = "SELECT m.customer_id, m.holdout, m.variant, m.channel, m.at, g.id,"
                          " g.state, g.sent_at FROM campaign_members m"
                          " LEFT JOIN messages g ON g.idempotency_key = m.message_key"
                          " WHERE m.campaign = ?1 AND m.at <= ?2 AND (?3 = 0 OR m.at < ?3)"
                          " ORDER BY m.customer_id, m.at",
    /* tracking events (src/server/track.c: props {"message_id": N, "campaign": ...}) */
    [ENC_ATTRQ_EVENTS] =
        "SELECT CASE WHEN json_valid(e.props) THEN json_extract(e.props, '$.message_id') END,"
        " e.type, e.ts FROM events e"
        " WHERE e.customer_id IN (SELECT customer_id FROM campaign_members WHERE campaign = ?1)"
        " AND (e.type = 'message_open' OR e.type = 'message_click' OR e.type = 'unsubscribe')"
        " AND e.ts >= ?3 AND e.ts <= ?2",
    [ENC_ATTRQ_COUPONS] =
        "SELECT g.id, c.kind, c.amount, o.id, o.ts, o.sales, o.discount FROM coupons c"
        " JOIN messages g ON g.idempotency_key = c.message_key"
        " JOIN orders o ON o.id = c.redeemed_order"
        " WHERE c.campaign = ?1 AND c.redeemed_order IS NOT NULL AND o.status = 'paid'"
        " AND o.ts <= ?2",
    [ENC_ATTRQ_ORDERS] =
        "SELECT o.customer_id, o.id, o.ts, o.sales FROM orders o"
        " WHERE o.customer_id IN (SELECT customer_id FROM campaign_members WHERE campaign = ?1)"
        " AND o.status = 'paid' AND o.ts > ?3 AND o.ts <= ?2"
        " ORDER BY o.customer_id, o.ts, o.id",
    [ENC_ATTRQ_OTHER_SENDS] =
        "SELECT g.customer_id, g.sent_at, g.channel, coalesce(c.priority, 5) FROM messages g"
        " LEFT JOIN campaigns c ON c.name = g.campaign"
        " WHERE g.state = 'sent' AND g.campaign IS NOT NULL AND g.campaign != ?1"
        " AND g.sent_at > ?3 AND g.sent_at <= ?2 AND g.customer_id IN"
        " (SELECT customer_id FROM campaign_members WHERE campaign = ?1)",
    [ENC_ATTRQ_OTHER_CLICKS] =
        "SELECT e.customer_id, e.ts, g.channel, coalesce(c.priority, 5) FROM events e"
        " JOIN messages g ON g.id = CASE WHEN json_valid(e.props) THEN"
        " json_extract(e.props, '$.message_id') END"
        " LEFT JOIN campaigns c ON c.name = g.campaign"
        " WHERE e.type = 'message_click' AND e.ts > ?3 AND e.ts <= ?2"
        " AND g.campaign IS NOT NULL AND g.campaign != ?1 AND g.state = 'sent' AND"
        " e.customer_id IN (SELECT customer_id FROM campaign_members WHERE campaign = ?1)",
    [ENC_ATTRQ_OTHER_COUPONS] =
        "SELECT c.redeemed_order FROM coupons c WHERE c.campaign != ?1"
        " AND c.redeemed_order IS NOT NULL AND c.redeemed_at <= ?2 AND c.customer_id IN"
        " (SELECT customer_id FROM campaign_members WHERE campaign = ?1)",
    [ENC_ATTRQ_CURRENCY] =
        "SELECT currency FROM orders WHERE currency IS NOT NULL AND currency != '' LIMIT 1",
};

enc_scan *enc_store_attrq(enc_store *st, enc_attrq q, const char *campaign, int64_t as_of,
                          int64_t third, enc_err *err)
{
    if ((unsigned)q >= ENC_ATTRQ_N) return NULL;
    enc_scan *c = enc__scan_prepare(st, sql[q], "attribution: prepare", err);
    if (!c) return NULL;
    sqlite3_stmt *s = (sqlite3_stmt *)(void *)c;
    sqlite3_bind_text(s, 1, campaign, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, as_of);
    if (sqlite3_bind_parameter_count(s) >= 3) sqlite3_bind_int64(s, 3, third);
    return c;
}
