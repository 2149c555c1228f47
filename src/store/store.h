/* store.h — the one storage interface. Everything Encore keeps (customers and their
 * identities, products, orders and lines, events, feedback, the consent ledger, profiles,
 * campaigns, the outbox) goes through these functions; the SQLite backend (store.c, WAL, one
 * file) is the default. Ingest writes records through the enc_store_put_* calls inside
 * batches; engines read through bulk scans into snapshots. Strings passed in are copied;
 * strings returned are owned as each function says. */
#ifndef ENCORE_STORE_H
#define ENCORE_STORE_H
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct enc_store enc_store;

/* Opens (creating when absent) the store at path and brings its schema up to date with the
 * migrations in schema.c. The caller closes it with enc_store_close. */
enc_rc enc_store_open(const char *path, enc_store **out, enc_err *err);
void enc_store_close(enc_store *st);
int enc_store_schema_version(enc_store *st);
int enc_store_schema_latest(void);

enc_rc enc_store_begin(enc_store *st, enc_err *err);
enc_rc enc_store_commit(enc_store *st, enc_err *err);
void enc_store_rollback(enc_store *st);
/* Bulk mode for long writes (imports): on = no automatic checkpoints; off = back to normal,
 * with one checkpoint of everything written. Durability of each commit is unchanged. */
enc_rc enc_store_bulk(enc_store *st, bool on, enc_err *err);

/* Result of a keyed write: new row, changed row, or identical row already there. */
typedef enum enc_put { ENC_PUT_INSERTED, ENC_PUT_UPDATED, ENC_PUT_SAME } enc_put;

/* --- customers and identities -------------------------------------------------------------
 * Identity kinds: "ext" (the merchant's customer id), "email", "phone" (E.164). */
typedef struct enc_customer_rec {
    const char *source, *source_key; /* where the row came from (idempotent re-import) */
    const char *external_id;
    const char *name, *email, *phone, *gender, *birthday; /* birthday "YYYY-MM-DD" */
    const char *country, *region, *city, *occupation, *tz, *tier;
    int64_t registered_at; /* epoch seconds; valid when has_registered */
    bool has_registered;
    int64_t points;
    bool has_points;
} enc_customer_rec;

/* Customer owning an identity (following merges), or 0 when none. */
enc_rc enc_store_ident_find(enc_store *st, const char *kind, const char *value, int64_t *cust,
                            enc_err *err);
/* Every identity with the customer it was registered to, and every merged customer with its
 * survivor: kind 0 = ext, 1 = email, 2 = phone.
 * Values live in out->arena; the caller frees with enc_store_ident_list_free. */
typedef struct enc_ident_list {
    size_t n;
    uint8_t *kind;
    const char **value;
    int64_t *cust;  /* the customer the identity was registered to (not following merges) */
    size_t nmerged; /* customers merged into another: merged_from[i] -> merged_into[i] */
    int64_t *merged_from, *merged_into;
    struct enc_arena *arena;
} enc_ident_list;
enc_rc enc_store_ident_all(enc_store *st, enc_ident_list *out, enc_err *err);
void enc_store_ident_list_free(enc_ident_list *l);

/* Records that the identity belongs to cust (replacing an earlier owner). */
enc_rc enc_store_ident_set(enc_store *st, const char *kind, const char *value, int64_t cust,
                           const char *source, enc_err *err);
/* Inserts a customer; *id gets its new id. */
enc_rc enc_store_customer_insert(enc_store *st, const enc_customer_rec *r, int64_t *id,
                                 enc_err *err);
/* Updates the fields r gives (non-NULL ones) of customer id; *res tells whether anything
 * changed. */
enc_rc enc_store_customer_update(enc_store *st, int64_t id, const enc_customer_rec *r, enc_put *res,
                                 enc_err *err);
/* Merges customer `from` into `into` (both current, not merged): the survivor keeps its
 * non-empty fields and gets the empty ones filled, points summed, the higher tier and the earlier
 * registration; orders, events, feedback and consents follow (and are listed for an unmerge);
 * identities stay with `from` and are found through merged_into. The merge is recorded with
 * both ids, rule (shared_email, shared_phone, ...), source and reason. */
enc_rc enc_store_customer_merge(enc_store *st, int64_t from, int64_t into, const char *rule,
                                const char *source, const char *reason, enc_err *err);

/* Undoes the latest merge of customer id: the rows that followed it come back, the survivor
 * gives back the points and the fields it took; customers merged into id before come back with
 * it. ENC_ENOTFOUND for no such customer, ENC_EUSAGE when it is not merged. */
typedef struct enc_store_unmerged {
    int64_t merge_id, survivor; /* the merge undone and the customer id was merged into */
    int64_t rows;               /* orders, events, feedback and consents given back */
} enc_store_unmerged;
enc_rc enc_store_customer_unmerge(enc_store *st, int64_t id, enc_store_unmerged *out, enc_err *err);

/* Lists the row of tbl ("orders", "events", "feedback", "consents") keyed (source, key) with
 * the latest merge of registration `own`, so that an unmerge gives it back. */
enc_rc enc_store_merge_note_row(enc_store *st, int64_t own, const char *tbl, const char *source,
                                const char *key, enc_err *err);
/* merged_into of customer id (0 when current) and whether other customers are merged into it. */
enc_rc enc_store_customer_state(enc_store *st, int64_t id, int64_t *merged_into, bool *has_merged,
                                enc_err *err);
/* Fills the empty fields of customer id from r (never overwrites; points untouched). */
enc_rc enc_store_customer_fill(enc_store *st, int64_t id, const enc_customer_rec *r, enc_put *res,
                               enc_err *err);
/* The customer an identity was registered to (*direct) and the one it belongs to now after
 * merges (*survivor); both 0 when nobody has it. */
enc_rc enc_store_ident_owner(enc_store *st, const char *kind, const char *value, int64_t *direct,
                             int64_t *survivor, enc_err *err);
/* The customer a shop's customer id (ext) names for lookups that hand out personal data (the
 * inbox): the registration itself, or its survivor when it was merged by a recorded rule (an
 * imported or verified identity); 0 when unknown. */
enc_rc enc_store_customer_lookup_exact(enc_store *st, const char *ext, int64_t *id, enc_err *err);
/* The identity policy's merge_on: which identities (bits 2 = email, 4 = phone, as
 * ENC_IDENT_MERGE_* in ingest/identity.h) may merge two customers that each have their own
 * customer id when they arrive through the API unverified. Default 0 (none). */
enc_rc enc_store_merge_on_get(enc_store *st, unsigned *bits, enc_err *err);
enc_rc enc_store_merge_on_set(enc_store *st, unsigned bits, enc_err *err);
/* `encore check`: SQLite's quick_check of the file, then Encore's invariants (ids in range and
 * dense, merges and owners that exist, times and amounts within bounds, ...). Each item counts
 * the rows that break it (-1: could not be checked); failed counts the items that are not 0.
 * Names and texts are static; free the list with enc_store_check_free. */
typedef struct enc_store_check_item {
    const char *name, *what;
    int64_t broken;
    char detail[200];
} enc_store_check_item;
typedef struct enc_store_check_result {
    enc_store_check_item *items;
    size_t n, failed;
} enc_store_check_result;
enc_rc enc_store_check(enc_store *st, int64_t now, enc_store_check_result *out, enc_err *err);
void enc_store_check_free(enc_store_check_result *r);
/* The customer id stands for now (itself, or the one it was merged into); 0 when unknown. */
enc_rc enc_store_customer_survivor(enc_store *st, int64_t id, int64_t *survivor, enc_err *err);

/* --- products ------------------------------------------------------------------------------ */
typedef struct enc_product_rec {
    const char *source, *sku, *name, *category, *brand, *currency, *complements;
    int64_t price, cost; /* minor units */
    bool has_price, has_cost;
    int64_t tier, replenish_days;
    bool has_tier, has_replenish;
    int in_stock; /* -1 unknown, 0, 1 */
} enc_product_rec;

/* Inserts or updates a product keyed by sku. With fill_only, existing non-empty fields are
 * kept (product facts seen on order lines only fill gaps). *id gets the product id. */
enc_rc enc_store_product_put(enc_store *st, const enc_product_rec *r, bool fill_only, int64_t *id,
                             enc_put *res, enc_err *err);

/* --- orders and lines --------------------------------------------------------------------- */
typedef struct enc_order_rec {
    const char *source, *order_key;
    int64_t customer; /* 0 = guest */
    int64_t ts;
    const char *status; /* "paid", "returned", "cancelled" */
    const char *channel, *payment, *coupon, *currency, *country;
    int64_t discount;
    int64_t total, items; /* for orders without lines; recomputed from lines otherwise */
    bool has_total;
} enc_order_rec;

enc_rc enc_store_order_put(enc_store *st, const enc_order_rec *r, int64_t *id, enc_put *res,
                           enc_err *err);

/* Lines per order are numbered from 1 below 2^ENC_LINE_BITS; a line's id is
 * order_id << ENC_LINE_BITS | line_no. */
#define ENC_LINE_BITS 20
#define ENC_LINE_MAX ((1 << ENC_LINE_BITS) - 1)
typedef struct enc_line_rec {
    int64_t order_id, line_no, product_id;
    const char *sku;
    int64_t qty, unit_price, amount; /* minor units; amount negative for returns */
    const char *kind; /* "sale" (qty > 0, exact price > 0), "return" (qty < 0), "free" */
} enc_line_rec;

enc_rc enc_store_line_put(enc_store *st, const enc_line_rec *r, enc_put *res, enc_err *err);
/* Recomputes total and items of an order from its lines (no-op for orders without lines). */
enc_rc enc_store_order_refresh(enc_store *st, int64_t order_id, enc_err *err);
/* Sets the totals of an order whose lines the caller wrote and summed itself (what
 * enc_store_order_refresh would compute: sum of amounts, of quantities, of sale amounts). */
enc_rc enc_store_order_totals_set(enc_store *st, int64_t order_id, int64_t total, int64_t items,
                                  int64_t sales, enc_err *err);

/* --- events, feedback, consents ----------------------------------------------------------- */
typedef struct enc_event_rec {
    const char *source, *source_key;
    int64_t customer; /* 0 = anonymous */
    int64_t ts;
    const char *type, *sku, *session, *channel, *props;
    int64_t value;
    bool has_value;
} enc_event_rec;
enc_rc enc_store_event_put(enc_store *st, const enc_event_rec *r, enc_put *res, enc_err *err);
/* Inserts an event unless one with its (source, source_key) exists: the first copy wins and
 * later ones are SAME (deduplication by message id, as the HTTP ingest needs). */
enc_rc enc_store_event_add(enc_store *st, const enc_event_rec *r, enc_put *res, enc_err *err);

typedef struct enc_feedback_rec {
    const char *source, *source_key;
    int64_t customer;
    int64_t ts;
    const char *kind, *text, *order_key, *sku;
    double score;
    bool has_score;
} enc_feedback_rec;
enc_rc enc_store_feedback_put(enc_store *st, const enc_feedback_rec *r, enc_put *res, enc_err *err);

typedef struct enc_consent_rec {
    const char *source, *source_key;
    int64_t customer;
    int64_t ts;
    const char *channel, *purpose;
    bool granted;
} enc_consent_rec;
/* Appends to the consent ledger (never updated in place; the same source row twice is SAME). */
enc_rc enc_store_consent_put(enc_store *st, const enc_consent_rec *r, enc_put *res, enc_err *err);

/* The consent in force for a customer, channel and purpose (the latest ledger entry):
 * *state = 1 granted, 0 revoked, -1 no entry. */
enc_rc enc_store_consent_state(enc_store *st, int64_t customer, const char *channel,
                               const char *purpose, int *state, enc_err *err);

/* --- import runs -------------------------------------------------------------------------- */
typedef struct enc_import_counts {
    long read, imported, updated, skipped, rejected, merged;
} enc_import_counts;
enc_rc enc_store_import_log(enc_store *st, const char *kind, const char *path, const char *source,
                            int64_t started, int64_t finished, const enc_import_counts *c,
                            enc_err *err);

/* --- reading ------------------------------------------------------------------------------ */
typedef struct enc_store_stats {
    int64_t customers, merged_customers, orders, order_lines, products, events, feedback, consents;
    int64_t returns, cancelled, guest_orders;
    int64_t sale_lines, sale_orders, buying_customers, revenue; /* sales: see stats.c */
    int64_t first_order, last_order;                            /* epoch; 0 when no orders */
} enc_store_stats;
enc_rc enc_store_stats_get(enc_store *st, enc_store_stats *s, enc_err *err);

/* The customer (following merges) owning an identity, or with internal id "#N"; 0 when none. */
enc_rc enc_store_customer_lookup(enc_store *st, const char *kind, const char *value, int64_t *id,
                                 enc_err *err);
/* Writes one customer as a JSON object: profile fields, identities, customers merged into it,
 * current consents per channel and purpose, and an order summary. */
struct enc_jw;
enc_rc enc_store_customer_json(enc_store *st, int64_t id, struct enc_jw *w, enc_err *err);

/* --- saved segments (audiences) ------------------------------------------------------------
 * Named segment-language expressions; the expression is stored as given (checking it is the
 * audience stage's job). Names are compared exactly. */
typedef struct enc_segment_rec {
    char *name, *expr;
    int64_t created_at, updated_at;
} enc_segment_rec;
/* Inserts or replaces segment name; *created (may be NULL) tells whether it is new. */
enc_rc enc_store_segment_put(enc_store *st, const char *name, const char *expr, int64_t now,
                             bool *created, enc_err *err);
/* The expression of segment name (*expr malloc'ed, the caller frees it) and its times (either
 * pointer may be NULL); ENC_ENOTFOUND when there is none. */
enc_rc enc_store_segment_get(enc_store *st, const char *name, char **expr, int64_t *created_at,
                             int64_t *updated_at, enc_err *err);
/* ENC_ENOTFOUND when there is none. */
enc_rc enc_store_segment_delete(enc_store *st, const char *name, enc_err *err);
/* Every segment by name; the caller frees the list with enc_store_segment_list_free. */
enc_rc enc_store_segment_list(enc_store *st, enc_segment_rec **out, size_t *n, enc_err *err);
void enc_store_segment_list_free(enc_segment_rec *list, size_t n);

/* Contact fields of the customers ids[0, n) (ascending store ids) into out[0, n): malloc'ed
 * strings, NULL when unknown; the caller frees them with enc_store_contacts_free. */
typedef struct enc_contact {
    char *name, *email, *phone;
    char *wechat_openid; /* identity kind wechat_openid (the first), NULL when none */
    char *push_tokens;   /* identity kind push_token, comma-separated (at most 8, under 1000
                          * bytes together), or NULL */
} enc_contact;
enc_rc enc_store_contacts(enc_store *st, const int64_t *ids, size_t n, enc_contact *out,
                          enc_err *err);
void enc_store_contacts_free(enc_contact *c, size_t n);
/* --- profiles: the scores of one scoring run (src/intel/score.c writes them) ----------------
 * Every array of enc_profile_rows has n entries; a NULL column pointer writes NULL for every
 * row. Missing values: NaN (doubles), ENC_PROFILE_NULL (integers), NULL (strings). Money is in
 * minor units, times epoch seconds, list columns JSON arrays (text). Strings are borrowed for
 * the call. */
#define ENC_PROFILE_NULL INT64_MIN
typedef struct enc_profile_rows {
    size_t n;
    const int64_t *customer_id; /* store id (required) */
    const double *recency_days, *tenure_days;
    const int64_t *frequency, *monetary, *returns_amount, *aov;
    const int64_t *r, *f, *m;
    const char *const *rfm_segment, *const *rfm_segment_cn, *const *lifecycle,
                                                                *const *lifecycle_class;
    const double *p_alive, *expected_30d, *expected_90d, *expected_365d;
    const int64_t *expected_spend, *clv;
    const double *churn_risk;
    const char *const *churn_reasons;
    const int64_t *next_order;
    const char *const *replenish, *const *top_categories, *const *top_brands;
    const double *price_sensitivity;
    const char *const *spend_tier, *const *preferred_channel, *const *preferred_payment,
                                                                  *const *region, *const *tags;
    const int64_t *cluster;
    const char *const *cluster_label;
} enc_profile_rows;

typedef struct enc_score_run_rec {
    int64_t as_of, started_at; /* epoch seconds */
    int64_t customers;
    const char *models; /* JSON text describing the fitted models, or NULL */
} enc_score_run_rec;

/* A bulk write of one run's profiles: begin (one IMMEDIATE transaction: records the run and
 * deletes the previous run's profiles), any number of writes (one prepared INSERT reused),
 * end (commit, recording the run's seconds; or roll back when commit is false or a write
 * failed). end frees the writer in every case. */
typedef struct enc_profile_writer enc_profile_writer;
enc_rc enc_store_profiles_begin(enc_store *st, const enc_score_run_rec *run,
                                enc_profile_writer **out, enc_err *err);
enc_rc enc_store_profiles_write(enc_profile_writer *w, const enc_profile_rows *rows, enc_err *err);
enc_rc enc_store_profiles_end(enc_profile_writer *w, bool commit, double seconds, enc_err *err);

/* Reading profiles back, one customer or all in store id order, each as a JSON object (money as
 * decimals with `digits` decimals, dates as YYYY-MM-DD, lists as arrays; customer_id is the
 * merchant's id, or "#N" for a customer known only by email or phone) or as one CSV line of the
 * same fields (lists joined by '|'). The cursor owns its statement; close it. */
typedef enum enc_profile_fmt { ENC_PROFILE_JSON = 0, ENC_PROFILE_CSV = 1 } enc_profile_fmt;
typedef struct enc_profile_cursor enc_profile_cursor;
struct enc_buf;
/* cust: a store id, or 0 for every profile. */
enc_rc enc_store_profiles_open(enc_store *st, int64_t cust, int digits, enc_profile_cursor **out,
                               enc_err *err);
/* Appends the next profile to b in fmt (no newline). Returns 1 with a row, 0 at the end, -1 on
 * failure (err set). */
int enc_store_profiles_next(enc_profile_cursor *c, enc_profile_fmt fmt, struct enc_buf *b,
                            enc_err *err);
void enc_store_profiles_close(enc_profile_cursor *c);
/* The CSV header line of the profile fields (static storage). */
const char *enc_store_profiles_csv_header(void);

/* The latest run: *found = false when the store was never scored. */
typedef struct enc_score_run_info {
    int64_t id, as_of, started_at, customers;
    double seconds;
} enc_score_run_info;
enc_rc enc_store_score_run_last(enc_store *st, enc_score_run_info *out, bool *found, enc_err *err);

/* Segment summary of the stored profiles: customers, revenue (sum of monetary, minor units) and
 * mean CLV (minor units, NaN when no CLV) per value of one grouping. by: "rfm", "rfm_cn",
 * "lifecycle", "cluster" (with its label), "tag" (a customer counts in each of their tags).
 * Groups are ordered by customers, descending; `key` strings live in out->arena. */
typedef struct enc_segment_row {
    const char *key;
    int64_t customers, revenue;
    double clv_mean;
} enc_segment_row;
typedef struct enc_segment_list {
    size_t n;
    enc_segment_row *rows;
    int64_t customers, revenue; /* over all profiles */
    struct enc_arena *arena;
} enc_segment_list;
enc_rc enc_store_segments(enc_store *st, const char *by, enc_segment_list *out, enc_err *err);
void enc_store_segments_free(enc_segment_list *l);

/* A bulk scan (snapshot, audience columns) reads each page once: through a small page cache
 * (SQLite's default 2 MB) rather than the store's 64 MB, which would only cost fresh memory
 * (reading a million customers' ids took 0.6-0.8 s with it, 0.2-0.3 s without). begin returns
 * the cache size to give back to end. */
int64_t enc__store_scan_begin(enc_store *st);
void enc__store_scan_end(enc_store *st, int64_t saved);
#endif
