/* store_respond.c — the SQL of simulated campaign responses (respond_store.h). */
#include "store/respond_store.h"
#include "store/scan_int.h"

static const char *const sql[ENC_RESPQ_N] = {
    [ENC_RESPQ_PRODUCTS] = "SELECT sku, name, category, brand, price FROM products"
                           " WHERE price > 0 AND in_stock = 1 ORDER BY price, sku",
    [ENC_RESPQ_CURRENCY] = "SELECT currency FROM (SELECT currency, count(*) AS k FROM orders"
                           " WHERE currency IS NOT NULL GROUP BY currency UNION ALL"
                           " SELECT currency, 0 FROM products WHERE currency IS NOT NULL)"
                           " ORDER BY k DESC LIMIT 1",
    [ENC_RESPQ_AOV] = "SELECT avg(sales) FROM orders WHERE status = 'paid' AND sales > 0",
    [ENC_RESPQ_MEMBERS] =
        "SELECT m.customer_id, max(m.holdout), min(m.at), c.external_id, c.country"
        " FROM campaign_members m LEFT JOIN customers c ON c.id = m.customer_id"
        " WHERE m.campaign = ?1 GROUP BY m.customer_id ORDER BY m.customer_id",
    [ENC_RESPQ_MESSAGES] =
        "SELECT m.customer_id, m.id, m.channel, m.sent_at, m.payload, k.code,"
        " k.kind, k.amount, k.min_spend, k.issued_at, k.expires_at"
        " FROM messages m LEFT JOIN coupons k ON k.message_key = m.idempotency_key"
        " WHERE m.campaign = ?1 AND m.state = 'sent' AND m.sent_at IS NOT NULL"
        " ORDER BY m.customer_id, m.sent_at, m.id",
    [ENC_RESPQ_CAMPAIGN] = "SELECT 1 FROM campaigns WHERE name = ?1",
};

enc_scan *enc_store_respq(enc_store *st, enc_respq q, const char *campaign, const char *what,
                          enc_err *err)
{
    if ((unsigned)q >= ENC_RESPQ_N) return NULL;
    enc_scan *c = enc__scan_prepare(st, sql[q], what, err);
    if (c && campaign) enc_scan_bind_text(c, 1, campaign, -1);
    return c;
}
