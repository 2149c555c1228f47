/* schema.c — the store's schema as an ordered list of migrations. The database's
 * PRAGMA user_version is the number of migrations applied; enc__store_migrate applies the
 * rest in one transaction. Never edit a released migration: add a new one. */
#include "store/schema.h"

const char *const enc__schema_migrations[] = {
    /* 1: foundation — customers, identities, products, orders, lines, events, feedback,
     *    consents, merges, import runs */
    "CREATE TABLE customers("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL, source_key TEXT NOT NULL,"
    "  external_id TEXT,"
    "  name TEXT, email TEXT, phone TEXT, gender TEXT, birthday TEXT,"
    "  country TEXT, region TEXT, city TEXT, occupation TEXT, tz TEXT,"
    "  registered_at INTEGER, tier TEXT, points INTEGER NOT NULL DEFAULT 0,"
    "  merged_into INTEGER REFERENCES customers(id),"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  UNIQUE(source, source_key));"
    "CREATE INDEX customers_external ON customers(external_id);"
    "CREATE INDEX customers_merged ON customers(merged_into) WHERE merged_into IS NOT NULL;"
    "CREATE TABLE identities("
    "  kind TEXT NOT NULL, value TEXT NOT NULL, customer_id INTEGER NOT NULL,"
    "  source TEXT, PRIMARY KEY(kind, value)) WITHOUT ROWID;"
    "CREATE INDEX identities_customer ON identities(customer_id);"
    "CREATE TABLE merges("
    /* from_id is NULL when a second registration (a new customer id) was recognised by its
     * email or phone and attached to the existing customer without a record of its own */
    "  id INTEGER PRIMARY KEY, from_id INTEGER, into_id INTEGER NOT NULL,"
    "  reason TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE TABLE products("
    "  id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT, category TEXT, brand TEXT,"
    "  price INTEGER, cost INTEGER, currency TEXT, tier INTEGER, replenish_days INTEGER,"
    "  complements TEXT, in_stock INTEGER NOT NULL DEFAULT 1, source TEXT);"
    "CREATE TABLE orders("
    "  id INTEGER PRIMARY KEY, source TEXT NOT NULL, order_key TEXT NOT NULL,"
    "  customer_id INTEGER, ts INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK(status = 'paid' OR status = 'returned' OR status = 'cancelled'),"
    "  channel TEXT, payment TEXT, coupon TEXT, discount INTEGER NOT NULL DEFAULT 0,"
    "  total INTEGER NOT NULL DEFAULT 0, items INTEGER NOT NULL DEFAULT 0,"
    "  sales INTEGER NOT NULL DEFAULT 0," /* sum of sale lines (or a positive total) */
    "  has_lines INTEGER NOT NULL DEFAULT 0, currency TEXT, country TEXT,"
    "  UNIQUE(source, order_key));"
    "CREATE INDEX orders_customer ON orders(customer_id, ts);"
    "CREATE INDEX orders_coupon ON orders(coupon) WHERE coupon IS NOT NULL;"
    /* a line's id is order_id << 20 | line_no: lines are appended in id order, the lines of
     * an order are the id range [order_id << 20, (order_id + 1) << 20), and no second index
     * is needed (ENC_LINE_BITS in store.h) */
    "CREATE TABLE order_lines("
    "  id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, product_id INTEGER, sku TEXT,"
    "  qty INTEGER NOT NULL, unit_price INTEGER NOT NULL, amount INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK(kind = 'sale' OR kind = 'return' OR kind = 'free'));"
    "CREATE TABLE events("
    "  id INTEGER PRIMARY KEY, source TEXT NOT NULL, source_key TEXT NOT NULL,"
    "  customer_id INTEGER, ts INTEGER NOT NULL, type TEXT NOT NULL, sku TEXT, value INTEGER,"
    "  session TEXT, channel TEXT, props TEXT, UNIQUE(source, source_key));"
    "CREATE INDEX events_customer ON events(customer_id, ts);"
    "CREATE TABLE feedback("
    "  id INTEGER PRIMARY KEY, source TEXT NOT NULL, source_key TEXT NOT NULL,"
    "  customer_id INTEGER, ts INTEGER NOT NULL,"
    "  kind TEXT NOT NULL, score REAL, text TEXT, order_key TEXT, sku TEXT,"
    "  UNIQUE(source, source_key));"
    "CREATE INDEX feedback_customer ON feedback(customer_id, ts);"
    "CREATE TABLE consents("
    "  id INTEGER PRIMARY KEY, source TEXT NOT NULL, source_key TEXT NOT NULL,"
    "  customer_id INTEGER NOT NULL, ts INTEGER NOT NULL, channel TEXT NOT NULL,"
    "  purpose TEXT NOT NULL, granted INTEGER NOT NULL, UNIQUE(source, source_key));"
    "CREATE INDEX consents_customer ON consents(customer_id, channel, purpose, ts);"
    "CREATE TABLE imports("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, path TEXT, source TEXT NOT NULL,"
    "  started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, read INTEGER, imported INTEGER,"
    "  updated INTEGER, skipped INTEGER, rejected INTEGER, merged INTEGER);",

    /* 2: customer intelligence — one profile row per customer from the latest scoring run
     *    (money in minor units; times in epoch seconds; lists as JSON arrays), and the runs */
    "CREATE TABLE score_runs("
    "  id INTEGER PRIMARY KEY, as_of INTEGER NOT NULL, started_at INTEGER NOT NULL,"
    "  seconds REAL, customers INTEGER, models TEXT);"
    "CREATE TABLE profiles("
    "  customer_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, as_of INTEGER NOT NULL,"
    "  recency_days REAL, frequency INTEGER NOT NULL DEFAULT 0, monetary INTEGER NOT NULL DEFAULT "
    "0,"
    "  returns_amount INTEGER NOT NULL DEFAULT 0, aov INTEGER, tenure_days REAL,"
    "  r INTEGER, f INTEGER, m INTEGER, rfm_segment TEXT, rfm_segment_cn TEXT,"
    "  lifecycle TEXT, lifecycle_class TEXT,"
    "  p_alive REAL, expected_purchases_30d REAL, expected_purchases_90d REAL,"
    "  expected_purchases_365d REAL, expected_spend INTEGER, clv INTEGER,"
    "  churn_risk REAL, churn_reasons TEXT,"
    "  next_order_date INTEGER, replenish TEXT,"
    "  top_categories TEXT, top_brands TEXT, price_sensitivity REAL, spend_tier TEXT,"
    "  preferred_channel TEXT, preferred_payment TEXT, region TEXT,"
    "  tags TEXT, cluster INTEGER, cluster_label TEXT);",

    /* 3: saved segments — named segment-language expressions (docs/audiences.md) */
    "CREATE TABLE segments("
    "  name TEXT PRIMARY KEY, expr TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);",

    /* 4: delivery — the outbox (one row per planned message; written by campaigns, sent by
     *    the dispatcher, src/delivery), suppressed addresses, the in-site inbox and the
     *    per-channel switches (pause, rate). States and rules: docs/delivery.md. Priority is
     *    0..9 (9 first); a claim seeks messages_due once per priority. */
    "CREATE TABLE messages("
    "  id INTEGER PRIMARY KEY, campaign TEXT, variant TEXT, customer_id INTEGER,"
    "  channel TEXT NOT NULL, address TEXT NOT NULL,"
    "  subject TEXT, body_text TEXT, body_html TEXT, payload TEXT,"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  priority INTEGER NOT NULL DEFAULT 0 CHECK(priority BETWEEN 0 AND 9),"
    /* no IN (...) list in CHECKs: SQLite builds an ephemeral table for it on every write */
    "  state TEXT NOT NULL DEFAULT 'queued' CHECK(state = 'queued' OR state = 'sending' OR"
    "    state = 'sent' OR state = 'failed' OR state = 'dead' OR state = 'reconcile' OR"
    "    state = 'cancelled' OR state = 'suppressed'),"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,"
    "  last_error TEXT, provider_ref TEXT,"
    "  created_at INTEGER NOT NULL, due_at INTEGER NOT NULL, sent_at INTEGER,"
    "  claimed_at INTEGER);"
    "CREATE INDEX messages_due ON messages(channel, priority, next_attempt_at)"
    "  WHERE state = 'queued';"
    "CREATE INDEX messages_sending ON messages(channel) WHERE state = 'sending';"
    "CREATE INDEX messages_customer ON messages(customer_id, created_at);"
    "CREATE INDEX messages_campaign ON messages(campaign, variant);"
    "CREATE TABLE suppressions("
    "  channel TEXT NOT NULL, address TEXT NOT NULL COLLATE NOCASE, reason TEXT NOT NULL,"
    "  at INTEGER NOT NULL, source TEXT, PRIMARY KEY(channel, address)) WITHOUT ROWID;"
    "CREATE INDEX suppressions_address ON suppressions(address);"
    "CREATE TABLE inbox("
    "  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, message_id INTEGER,"
    "  idempotency_key TEXT UNIQUE, title TEXT, body TEXT, payload TEXT,"
    "  created_at INTEGER NOT NULL, read_at INTEGER);"
    "CREATE INDEX inbox_customer ON inbox(customer_id, created_at);"
    "CREATE TABLE channel_state("
    "  channel TEXT PRIMARY KEY, paused INTEGER NOT NULL DEFAULT 0, rate_per_sec REAL,"
    "  updated_at INTEGER NOT NULL);",

    /* 5: campaigns — the campaign files and their state (src/campaign, docs/campaigns.md):
     *    processed_to is the trigger watermark; members are who got which variant on which
     *    channel for which occurrence, and who was held out (the control group); coupons
     *    are issued with their message and redeemed by imported orders; runs log each plan
     *    written; settings hold the shared contact policy. */
    "CREATE TABLE campaigns("
    "  name TEXT PRIMARY KEY, spec TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'draft'"
    "    CHECK(state = 'draft' OR state = 'running' OR state = 'paused' OR state = 'stopped'),"
    "  priority INTEGER NOT NULL DEFAULT 5 CHECK(priority BETWEEN 0 AND 9),"
    "  on_cap TEXT NOT NULL DEFAULT 'defer' CHECK(on_cap = 'defer' OR on_cap = 'drop'),"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  started_at INTEGER, processed_to INTEGER,"
    "  ab_decide_at INTEGER, ab_winner TEXT, ab_decided_at INTEGER, ab_report TEXT,"
    "  ab_rollout_at INTEGER);"
    "CREATE TABLE campaign_members("
    "  campaign TEXT NOT NULL, customer_id INTEGER NOT NULL, occurrence TEXT NOT NULL,"
    "  holdout INTEGER NOT NULL, variant TEXT, channel TEXT, message_key TEXT,"
    "  at INTEGER NOT NULL, PRIMARY KEY(campaign, customer_id, occurrence)) WITHOUT ROWID;"
    "CREATE TABLE campaign_runs("
    "  id INTEGER PRIMARY KEY, campaign TEXT NOT NULL, at INTEGER NOT NULL,"
    "  window_from INTEGER, window_to INTEGER, audience INTEGER, messages INTEGER,"
    "  holdout INTEGER, added INTEGER);"
    "CREATE INDEX campaign_runs_campaign ON campaign_runs(campaign, at);"
    "CREATE TABLE coupons("
    "  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, norm TEXT NOT NULL UNIQUE,"
    "  campaign TEXT NOT NULL, customer_id INTEGER NOT NULL, message_key TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK(kind = 'value' OR kind = 'percent'), amount INTEGER NOT NULL,"
    "  min_spend INTEGER NOT NULL DEFAULT 0, issued_at INTEGER NOT NULL, expires_at INTEGER,"
    "  redeemed_order INTEGER, redeemed_at INTEGER);"
    "CREATE INDEX coupons_campaign ON coupons(campaign);"
    "CREATE TABLE campaign_settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);",

    /* 6: the column cache's marks (src/snapshot/colcache.c, docs/column-cache.md). The cache
     *    beside the store holds the rows with ids up to each table's mark; a change to one of
     *    those rows (an update, a delete, or a line inserted into an order already held)
     *    raises the generation, and a cache of an older generation is not used. Rows above the
     *    marks are read from the store as they are, so inserts cost nothing here. Before any
     *    cache exists there are no marks and the triggers do nothing. */
    "CREATE TABLE column_marks(tbl TEXT PRIMARY KEY, hwm INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE column_gen(id INTEGER PRIMARY KEY CHECK(id = 1 OR id = 2), gen INTEGER NOT NULL);"
    "INSERT INTO column_gen VALUES(1, 0);"
    /* row 2: the profiles' generation, for the profile columns' cache (audience/profcache.c):
     *    any write to profiles raises it, once a profile cache has been built (its mark) */
    "INSERT INTO column_gen VALUES(2, 0);"
#define PROFILE_TRIGGER(WHAT)                                                                      \
    "CREATE TRIGGER profiles_colgen_" WHAT " AFTER " WHAT " ON profiles WHEN EXISTS(SELECT 1"      \
    " FROM column_marks WHERE tbl = 'profiles') BEGIN UPDATE column_gen SET gen = gen + 1 WHERE"   \
    " id = 2; END;"
    PROFILE_TRIGGER("INSERT") PROFILE_TRIGGER("UPDATE") PROFILE_TRIGGER("DELETE")
#undef PROFILE_TRIGGER
#define COLUMN_TRIGGERS(T)                                                                         \
    "CREATE TRIGGER " T "_colgen_update AFTER UPDATE ON " T " WHEN OLD.id <= (SELECT hwm FROM"     \
    " column_marks WHERE tbl = '" T "') BEGIN UPDATE column_gen SET gen = gen + 1 WHERE id = 1;"   \
    " END;"                                                                                        \
    "CREATE TRIGGER " T "_colgen_delete AFTER DELETE ON " T " WHEN OLD.id <= (SELECT hwm FROM"     \
    " column_marks WHERE tbl = '" T "') BEGIN UPDATE column_gen SET gen = gen + 1 WHERE id = 1;"   \
    " END;"
        COLUMN_TRIGGERS("customers") COLUMN_TRIGGERS("products") COLUMN_TRIGGERS("orders")
            COLUMN_TRIGGERS("events") COLUMN_TRIGGERS("feedback") COLUMN_TRIGGERS("consents")
#undef COLUMN_TRIGGERS
    /* a line belongs to an order held when its order's id is at or below the orders' mark */
    "CREATE TRIGGER order_lines_colgen_insert AFTER INSERT ON order_lines WHEN NEW.order_id <="
    " (SELECT hwm FROM column_marks WHERE tbl = 'orders') BEGIN UPDATE column_gen SET gen ="
    " gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER order_lines_colgen_update AFTER UPDATE ON order_lines WHEN OLD.order_id <="
    " (SELECT hwm FROM column_marks WHERE tbl = 'orders') OR NEW.order_id <= (SELECT hwm FROM"
    " column_marks WHERE tbl = 'orders') BEGIN UPDATE column_gen SET gen = gen + 1 WHERE"
    " id = 1; END;"
    "CREATE TRIGGER order_lines_colgen_delete AFTER DELETE ON order_lines WHEN OLD.order_id <="
    " (SELECT hwm FROM column_marks WHERE tbl = 'orders') BEGIN UPDATE column_gen SET gen ="
    " gen + 1 WHERE id = 1; END;",

    /* 7: the management API (src/server/, docs/api.md): console users (argon2id password
     *    hashes), API keys (a BLAKE2b hash of the key; the key itself is shown once), browser
     *    sessions (a hash of the cookie's token, the CSRF token), the append-only audit log
     *    (triggers refuse UPDATE and DELETE) and the jobs the API starts (score, import). */
    "CREATE TABLE users("
    "  id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  role TEXT NOT NULL CHECK(role IN ('owner', 'marketer', 'analyst', 'support')),"
    "  pwhash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE api_keys("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK(role IN ('owner', 'marketer', 'analyst', 'support')),"
    "  hash BLOB NOT NULL UNIQUE, prefix TEXT NOT NULL, created_at INTEGER NOT NULL,"
    "  expires_at INTEGER, revoked_at INTEGER, last_used_at INTEGER);"
    "CREATE TABLE sessions("
    "  hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL, csrf TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE audit("
    "  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT,"
    "  action TEXT NOT NULL, target TEXT, detail TEXT, client TEXT, status INTEGER);"
    "CREATE INDEX audit_at ON audit(at);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TABLE jobs("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL CHECK(state IN"
    "  ('queued', 'running', 'done', 'failed')), progress REAL NOT NULL DEFAULT 0,"
    "  params TEXT, result TEXT, error TEXT, created_by TEXT, created_at INTEGER NOT NULL,"
    "  started_at INTEGER, finished_at INTEGER);",

    /* 8: segment history — the RFM segment and lifecycle stage of every customer
     *    in each of the latest scoring runs (profiles keep only the latest), so the analytics can
     *    show who moved where between two runs (store_analytics.c keeps the last 3 runs). Seeded
     *    with the run already in profiles. */
    "CREATE TABLE segment_history("
    "  run_id INTEGER NOT NULL, customer_id INTEGER NOT NULL, rfm_segment TEXT, lifecycle TEXT,"
    "  PRIMARY KEY(run_id, customer_id)) WITHOUT ROWID;"
    "INSERT INTO segment_history SELECT run_id, customer_id, rfm_segment, lifecycle FROM profiles;"
    /* and a description beside each saved segment (the segment editor, /v1/segments); the
     * customer view reads a customer's coupons by customer */
    "ALTER TABLE segments ADD COLUMN description TEXT;"
    "CREATE INDEX coupons_customer ON coupons(customer_id);"
    /* the customer search's name prefix (ASCII letters folded, as lower() folds them) */
    "CREATE INDEX customers_name_lower ON customers(lower(name));",

    /* 9: merges that can be explained and undone (docs/import.md, "Identity merge"). Every
     *    merge names the rule that made it (shared_email, shared_phone, shared_customer_id,
     *    verified_email, ...) and the source that brought it; prior is the survivor's profile
     *    before the merge (JSON) and points the points the merged customer brought, so that
     *    `encore customer unmerge` can give both back; merge_moves lists the rows (orders,
     *    events, feedback, consents, customers merged earlier) that followed the merged
     *    customer. Identities stay with the customer that registered them and are followed
     *    through merged_into. */
    "ALTER TABLE merges ADD COLUMN rule TEXT;"
    "ALTER TABLE merges ADD COLUMN source TEXT;"
    "ALTER TABLE merges ADD COLUMN prior TEXT;"
    "ALTER TABLE merges ADD COLUMN points INTEGER;"
    "ALTER TABLE merges ADD COLUMN undone_at INTEGER;"
    "CREATE INDEX merges_from ON merges(from_id);"
    "CREATE TABLE merge_moves("
    "  merge_id INTEGER NOT NULL, tbl TEXT NOT NULL, row_id INTEGER NOT NULL,"
    "  PRIMARY KEY(merge_id, tbl, row_id)) WITHOUT ROWID;",

    /* 10: delivery you can trust (issue 11, docs/delivery.md). messages is rebuilt (SQLite
     *    cannot change a CHECK) with the state `expired` (overdue when claimed: never sent, never
     *    retried; last_error holds the reason code), `deadline` (the latest send time: the
     *    campaign's send_within and the coupon's expiry; NULL = none) and `transactional`
     *    (exempt from List-Unsubscribe and the contact policy). Coupons get `revoked_at`
     *    (stopping a campaign revokes its unsent coupons; a revoked coupon is not redeemed). */
    "CREATE TABLE messages_v7("
    "  id INTEGER PRIMARY KEY, campaign TEXT, variant TEXT, customer_id INTEGER,"
    "  channel TEXT NOT NULL, address TEXT NOT NULL,"
    "  subject TEXT, body_text TEXT, body_html TEXT, payload TEXT,"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  priority INTEGER NOT NULL DEFAULT 0 CHECK(priority BETWEEN 0 AND 9),"
    "  state TEXT NOT NULL DEFAULT 'queued' CHECK(state = 'queued' OR state = 'sending' OR"
    "    state = 'sent' OR state = 'failed' OR state = 'dead' OR state = 'reconcile' OR"
    "    state = 'cancelled' OR state = 'suppressed' OR state = 'expired'),"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,"
    "  last_error TEXT, provider_ref TEXT,"
    "  created_at INTEGER NOT NULL, due_at INTEGER NOT NULL, sent_at INTEGER,"
    "  claimed_at INTEGER, deadline INTEGER, transactional INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO messages_v7(id, campaign, variant, customer_id, channel, address, subject,"
    "  body_text, body_html, payload, idempotency_key, priority, state, attempts,"
    "  next_attempt_at, last_error, provider_ref, created_at, due_at, sent_at, claimed_at)"
    "  SELECT id, campaign, variant, customer_id, channel, address, subject, body_text,"
    "  body_html, payload, idempotency_key, priority, state, attempts, next_attempt_at,"
    "  last_error, provider_ref, created_at, due_at, sent_at, claimed_at FROM messages;"
    "DROP TABLE messages;"
    "ALTER TABLE messages_v7 RENAME TO messages;"
    "CREATE INDEX messages_due ON messages(channel, priority, next_attempt_at)"
    "  WHERE state = 'queued';"
    "CREATE INDEX messages_sending ON messages(channel) WHERE state = 'sending';"
    "CREATE INDEX messages_customer ON messages(customer_id, created_at);"
    "CREATE INDEX messages_campaign ON messages(campaign, variant);"
    "CREATE INDEX messages_sent ON messages(customer_id, sent_at) WHERE state = 'sent';"
    "ALTER TABLE coupons ADD COLUMN revoked_at INTEGER;",

    /* 11 (branch apicon): idempotent API imports (issue 13, docs/api.md). An import job's
     *    content ("import:TABLE:" and the SHA-256 of the file) and the client's optional
     *    Idempotency-Key (unique per actor): the same upload again answers with the earlier
     *    job instead of importing twice; the same key with other content is refused. */
    "CREATE TABLE job_keys("
    "  job_id INTEGER PRIMARY KEY, content TEXT NOT NULL, actor TEXT NOT NULL,"
    "  idem_key TEXT, created_at INTEGER NOT NULL);"
    "CREATE INDEX job_keys_content ON job_keys(content);"
    "CREATE UNIQUE INDEX job_keys_idem ON job_keys(actor, idem_key) WHERE idem_key IS NOT NULL;"
    /*    and the Chinese RFM class of each run in the segment history (the zh console's
     *    migration, `segments --migration --by rfm_cn`); the latest run's is known from the
     *    profiles, earlier runs' are not (NULL: shown as "(none)") */
    "ALTER TABLE segment_history ADD COLUMN rfm_segment_cn TEXT;"
    "UPDATE segment_history SET rfm_segment_cn = (SELECT p.rfm_segment_cn FROM profiles p WHERE"
    "  p.customer_id = segment_history.customer_id AND p.run_id = segment_history.run_id);"
    /*    and the merges into a customer by index (the customer view's merge list) */
    "CREATE INDEX merges_into ON merges(into_id);",

    /* 12 (branch privacy, issue 16, docs/privacy.md): privacy by design.
     *    suppressed_identities holds the blind indexes (a keyed BLAKE2b of kind and normalised
     *    value, base/seal.h) of the identities of erased customers: import and identity merge
     *    consult it, so an erased customer does not come back; customers.erased_at marks the
     *    pseudonym an erased customer leaves (no personal field, only its orders, for the
     *    shop's totals); privacy_settings holds the retention periods per kind, in days. */
    "CREATE TABLE suppressed_identities("
    "  kind TEXT NOT NULL, hash BLOB NOT NULL, at INTEGER NOT NULL,"
    "  PRIMARY KEY(kind, hash)) WITHOUT ROWID;"
    "ALTER TABLE customers ADD COLUMN erased_at INTEGER;"
    "CREATE TABLE privacy_settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);",

    /* 13: loyalty (branch loyalty, issue 15, docs/loyalty.md): the programme file as saved,
     *    the append-only points ledger (a balance is the sum of a member's entries), the lots
     *    each earning opens (remaining points, expiry; a negative lot is a debt a return left
     *    when the programme allows it), which lots each debit took (points_moves: oldest first,
     *    given back by a reversal), members with their tier and a pending drop after a review,
     *    the tier history, and state such as the last tier review. idem_key makes every write
     *    idempotent: the same key with the same request replays, with another is refused. */
    "CREATE TABLE loyalty_programme("
    "  id INTEGER PRIMARY KEY, body TEXT NOT NULL, saved_at INTEGER NOT NULL);"
    "CREATE TABLE loyalty_state(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE points_entries("
    "  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK(kind IN ('earn', 'bonus', 'return', 'redeem', 'reverse',"
    "    'adjust', 'expire', 'import')),"
    "  points INTEGER NOT NULL, order_id INTEGER, lot_id INTEGER, ref_id INTEGER,"
    "  reason TEXT, actor TEXT, idem_key TEXT UNIQUE, request TEXT, created_at INTEGER NOT NULL);"
    "CREATE INDEX points_entries_customer ON points_entries(customer_id, ts);"
    "CREATE UNIQUE INDEX points_entries_order ON points_entries(order_id, kind)"
    "  WHERE order_id IS NOT NULL;"
    "CREATE UNIQUE INDEX points_entries_ref ON points_entries(ref_id) WHERE ref_id IS NOT NULL;"
    "CREATE TABLE points_lots("
    "  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, entry_id INTEGER NOT NULL,"
    "  earned_at INTEGER NOT NULL, expires_at INTEGER, points INTEGER NOT NULL,"
    "  remaining INTEGER NOT NULL);"
    "CREATE INDEX points_lots_open ON points_lots(customer_id, earned_at, id) WHERE remaining <> 0;"
    "CREATE INDEX points_lots_expiry ON points_lots(expires_at)"
    "  WHERE remaining > 0 AND expires_at IS NOT NULL;"
    "CREATE TABLE points_moves("
    "  entry_id INTEGER NOT NULL, lot_id INTEGER NOT NULL, points INTEGER NOT NULL,"
    "  PRIMARY KEY(entry_id, lot_id)) WITHOUT ROWID;"
    "CREATE TABLE members("
    "  customer_id INTEGER PRIMARY KEY, tier TEXT NOT NULL, tier_since INTEGER NOT NULL,"
    "  joined_at INTEGER NOT NULL, drop_at INTEGER);"
    "CREATE INDEX members_drop ON members(drop_at) WHERE drop_at IS NOT NULL;"
    "CREATE TABLE tier_history("
    "  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
    "  from_tier TEXT, to_tier TEXT NOT NULL, reason TEXT NOT NULL);"
    "CREATE INDEX tier_history_customer ON tier_history(customer_id, ts);",

    /* 14 (branch journeys, issue 19): journey state — one row per customer and journey entry
     *    (the trigger's occurrence): the entry's time and number, the step reached and when it
     *    is due, the status and the path of steps and branches taken (docs/campaigns.md). */
    "CREATE TABLE journey_state("
    "  campaign TEXT NOT NULL, customer_id INTEGER NOT NULL, entry TEXT NOT NULL,"
    "  entered_at INTEGER NOT NULL, entry_no INTEGER NOT NULL, step TEXT NOT NULL,"
    "  step_due INTEGER NOT NULL, status TEXT NOT NULL, path TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL, PRIMARY KEY(campaign, customer_id, entry)) WITHOUT ROWID;",

    /* 15: uplift targeting (branch intel2, issue 19 item 4): the two-model fit of a campaign with a
     * holdout (`encore uplift evaluate`) and each customer's predicted uplift, which the
     * segment function uplift("CAMPAIGN") reads (store_uplift.c) */
    "CREATE TABLE uplift_models("
    "  campaign TEXT PRIMARY KEY, fitted_at INTEGER NOT NULL, customers INTEGER NOT NULL,"
    "  model TEXT NOT NULL);"
    "CREATE TABLE uplift_scores("
    "  campaign TEXT NOT NULL, customer_id INTEGER NOT NULL, uplift REAL,"
    "  PRIMARY KEY(campaign, customer_id)) WITHOUT ROWID;",
};

const int enc__schema_count = (int)(sizeof enc__schema_migrations / sizeof *enc__schema_migrations);
