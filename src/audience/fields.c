/* fields.c — the registry table of the segment language (fields and functions), suggestions
 * for misspelt names, the enumerated value sets, and the category-path rule (see fields.h).
 * docs/audiences.md describes the same rows; `encore audience fields` prints this table. */
#include "audience/fields.h"
#include "ingest/clean.h"
#include "intel/lifecycle.h"
#include "intel/rfm.h"
#include "snapshot/snapshot.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define S AUD_FROM_STORE
#define P AUD_FROM_PROFILE
#define F AUD_FROM_FUNC
#define PRODUCT_ARGS "sku=, category=, brand=, within=DURATION, since=DATE"

const enc_aud_field enc_aud_fields[AUD_F_COUNT] = {
    /* ---- from the store (the snapshot as of the evaluation time) ---- */
    [AUD_F_ORDERS] = {"orders", AUD_NUM, S, NULL, 0, "sale orders (paid, with a sale amount)",
                      "orders >= 2"},
    [AUD_F_TOTAL_SPENT] = {"total_spent", AUD_MONEY, S, NULL, 0, "sum of the sale orders' amounts",
                           "total_spent > 500"},
    [AUD_F_AOV] = {"aov", AUD_MONEY, S, NULL, 0,
                   "average order value: total_spent / orders; missing without orders", "aov > 50"},
    [AUD_F_FIRST_ORDER_AT] = {"first_order_at", AUD_TIME, S, NULL, 0,
                              "time of the first sale order", "first_order_at >= \"2025-01-01\""},
    [AUD_F_LAST_ORDER_AT] = {"last_order_at", AUD_TIME, S, NULL, 0, "time of the latest sale order",
                             "last_order_at < \"2025-06-01\""},
    [AUD_F_FIRST_ORDER_DAYS] = {"first_order_days", AUD_DAYS, S, NULL, 0,
                                "days since the first sale order", "first_order_days <= 30"},
    [AUD_F_LAST_ORDER_DAYS] = {"last_order_days", AUD_DAYS, S, NULL, 0,
                               "days since the latest sale order (the same customers as "
                               "bought(within=...))",
                               "last_order_days > 90"},
    [AUD_F_RETURNS] = {"returns", AUD_NUM, S, NULL, 0,
                       "returns: returned orders and paid orders with return lines", "returns = 0"},
    [AUD_F_RETURNS_AMOUNT] = {"returns_amount", AUD_MONEY, S, NULL, 0, "amount returned",
                              "returns_amount > 100"},
    [AUD_F_COMPLAINTS] = {"complaints", AUD_NUM, S, NULL, 0, "complaints (feedback kind complaint)",
                          "complaints >= 1"},
    [AUD_F_LAST_COMPLAINT_DAYS] = {"last_complaint_days", AUD_DAYS, S, NULL, 0,
                                   "days since the latest complaint", "last_complaint_days < 30"},
    [AUD_F_NPS] = {"nps", AUD_NUM, S, NULL, 0, "latest NPS score (0-10)", "nps <= 6"},
    [AUD_F_REVIEW_SCORE] = {"review_score", AUD_NUM, S, NULL, 0, "average review score",
                            "review_score >= 4.5"},
    [AUD_F_CONSULTS] = {"consults", AUD_NUM, S, NULL, 0, "consult events (questions to service)",
                        "consults > 0"},
    [AUD_F_EVENTS] = {"events", AUD_NUM, S, NULL, 0, "behaviour events of any type",
                      "events >= 10"},
    [AUD_F_LAST_EVENT_DAYS] = {"last_event_days", AUD_DAYS, S, NULL, 0,
                               "days since the latest behaviour event", "last_event_days <= 7"},
    [AUD_F_REGION] = {"region", AUD_TEXT, S, NULL, 0, "region (state, province)",
                      "region = \"CA\""},
    [AUD_F_CITY] = {"city", AUD_TEXT, S, NULL, 0, "city", "city in (\"Shanghai\", \"上海\")"},
    [AUD_F_TIER] = {"tier", AUD_TEXT, S, NULL, 0, "member tier", "tier = \"gold\""},
    [AUD_F_TIMEZONE] = {"timezone", AUD_TEXT, S, NULL, 0, "time zone (IANA name)",
                        "timezone = \"Asia/Shanghai\""},
    [AUD_F_POINTS] = {"points", AUD_NUM, S, NULL, 0, "loyalty points balance", "points >= 1000"},
    [AUD_F_GENDER] = {"gender", AUD_TEXT, S, NULL, AUD_DOM_GENDER, "gender: m or f",
                      "gender = \"f\""},
    [AUD_F_REGISTERED_AT] = {"registered_at", AUD_TIME, S, NULL, 0, "registration time",
                             "registered_at >= \"2025-01-01\""},
    [AUD_F_REGISTERED_DAYS] = {"registered_days", AUD_DAYS, S, NULL, 0, "days since registration",
                               "registered_days < 30"},
    [AUD_F_BIRTH_MONTH] = {"birth_month", AUD_NUM, S, NULL, 0, "month of birth (1-12)",
                           "birth_month = 12"},
    /* ---- from the profiles table (the latest scoring run) ---- */
    [AUD_F_RECENCY_DAYS] = {"recency_days", AUD_DAYS, P, "recency_days", 0,
                            "days from the latest purchase to the scoring date",
                            "recency_days > 180"},
    [AUD_F_FREQUENCY] = {"frequency", AUD_NUM, P, "frequency", 0, "purchase count used by RFM",
                         "frequency >= 3"},
    [AUD_F_MONETARY] = {"monetary", AUD_MONEY, P, "monetary", 0, "spend used by RFM",
                        "monetary > 1000"},
    [AUD_F_TENURE_DAYS] = {"tenure_days", AUD_DAYS, P, "tenure_days", 0,
                           "days from the first purchase to the scoring date", "tenure_days > 365"},
    [AUD_F_R] = {"r", AUD_NUM, P, "r", 0, "RFM recency score 1-5 (5 = most recent)", "r >= 4"},
    [AUD_F_F] = {"f", AUD_NUM, P, "f", 0, "RFM frequency score 1-5", "f >= 4"},
    [AUD_F_M] = {"m", AUD_NUM, P, "m", 0, "RFM monetary score 1-5", "m = 5"},
    [AUD_F_RFM_SEGMENT] = {"rfm_segment", AUD_TEXT, P, "rfm_segment", AUD_DOM_RFM,
                           "RFM segment (11 names)",
                           "rfm_segment in (\"At Risk\", \"Can't Lose Them\")"},
    [AUD_F_RFM_SEGMENT_CN] = {"rfm_segment_cn", AUD_TEXT, P, "rfm_segment_cn", AUD_DOM_RFM_CN,
                              "RFM eight classes (重要价值客户 ...)",
                              "rfm_segment_cn = \"重要挽留客户\""},
    [AUD_F_LIFECYCLE] = {"lifecycle", AUD_TEXT, P, "lifecycle", AUD_DOM_LIFECYCLE,
                         "lifecycle stage", "lifecycle = \"dormant\""},
    [AUD_F_LIFECYCLE_CLASS] = {"lifecycle_class", AUD_TEXT, P, "lifecycle_class", AUD_DOM_LC_CLASS,
                               "engagement class", "lifecycle_class = \"active_non_buyer\""},
    [AUD_F_P_ALIVE] = {"p_alive", AUD_NUM, P, "p_alive", 0,
                       "probability the customer is still active (BG/NBD)", "p_alive < 0.3"},
    [AUD_F_EXPECTED_30D] = {"expected_purchases_30d", AUD_NUM, P, "expected_purchases_30d", 0,
                            "expected purchases in the next 30 days",
                            "expected_purchases_30d >= 1"},
    [AUD_F_EXPECTED_90D] = {"expected_purchases_90d", AUD_NUM, P, "expected_purchases_90d", 0,
                            "expected purchases in the next 90 days",
                            "expected_purchases_90d >= 1"},
    [AUD_F_EXPECTED_365D] = {"expected_purchases_365d", AUD_NUM, P, "expected_purchases_365d", 0,
                             "expected purchases in the next 365 days",
                             "expected_purchases_365d >= 2"},
    [AUD_F_EXPECTED_SPEND] = {"expected_spend", AUD_MONEY, P, "expected_spend", 0,
                              "expected spend per order (Gamma-Gamma)", "expected_spend > 80"},
    [AUD_F_CLV] = {"clv", AUD_MONEY, P, "clv", 0, "customer lifetime value", "clv > 200"},
    [AUD_F_CHURN_RISK] = {"churn_risk", AUD_NUM, P, "churn_risk", 0, "churn probability (0-1)",
                          "churn_risk > 0.7"},
    [AUD_F_NEXT_ORDER_DATE] = {"next_order_date", AUD_TIME, P, "next_order_date", 0,
                               "predicted next order date", "days_until(next_order_date) <= 7"},
    [AUD_F_PRICE_SENSITIVITY] = {"price_sensitivity", AUD_NUM, P, "price_sensitivity", 0,
                                 "share of promotion-driven spend (0-1)",
                                 "price_sensitivity > 0.5"},
    [AUD_F_SPEND_TIER] = {"spend_tier", AUD_TEXT, P, "spend_tier", 0, "spend tier",
                          "spend_tier = \"high\""},
    [AUD_F_PREFERRED_CHANNEL] = {"preferred_channel", AUD_TEXT, P, "preferred_channel", 0,
                                 "channel most orders came through", "preferred_channel = \"app\""},
    [AUD_F_PREFERRED_PAYMENT] = {"preferred_payment", AUD_TEXT, P, "preferred_payment", 0,
                                 "most used payment method", "preferred_payment = \"alipay\""},
    [AUD_F_CLUSTER] = {"cluster", AUD_NUM, P, "cluster", 0, "cluster number (k-means)",
                       "cluster = 2"},
    [AUD_F_CLUSTER_LABEL] = {"cluster_label", AUD_TEXT, P, "cluster_label", 0, "cluster label",
                             "cluster_label = \"bargain hunters\""},
    [AUD_F_SCORED_AT] = {"scored_at", AUD_TIME, P, "as_of", 0,
                         "the scoring run's as-of time (missing: no profile)", "known(scored_at)"},
    [AUD_F_TAGS] = {"tags", AUD_LIST, P, "tags", 0, "tags of the profile; test with tag()",
                    "tag(\"vip\")"},
    [AUD_F_TOP_CATEGORIES] = {"top_categories", AUD_LIST, P, "top_categories", 0,
                              "most bought categories; test with top_category()",
                              "top_category(\"coffee\")"},
    [AUD_F_TOP_BRANDS] = {"top_brands", AUD_LIST, P, "top_brands", 0,
                          "most bought brands; test with top_brand()", "top_brand(\"Acme\")"},
    /* ---- functions ---- */
    [AUD_FN_BOUGHT] = {"bought", AUD_COND, F, PRODUCT_ARGS ", at_least=N", 0,
                       "at least N (1) sale orders in the window with a line of a matching "
                       "product (any order when no product filter)",
                       "bought(category = \"camera\", within = 30d)"},
    [AUD_FN_VIEWED] = {"viewed", AUD_COND, F, PRODUCT_ARGS ", at_least=N", 0,
                       "at least N (1) view events of a matching product in the window",
                       "viewed(sku = \"A1\", within = 7d)"},
    [AUD_FN_EVENT] = {"event", AUD_COND, F, "TYPE, " PRODUCT_ARGS ", at_least=N", AUD_DOM_EVENT,
                      "at least N (1) events of the type (type = or type in (...) also work) "
                      "with a matching product in the window",
                      "event(\"favorite\", within = 14d)"},
    [AUD_FN_CART_ABANDONED] = {"cart_abandoned", AUD_COND, F, PRODUCT_ARGS, 0,
                               "a cart_add of a matching product in the window that no later "
                               "sale order of that product followed",
                               "cart_abandoned(within = 1d)"},
    [AUD_FN_CONSENT] = {"consent", AUD_COND, F, "CHANNEL", AUD_DOM_CHANNEL,
                        "marketing consent in force on the channel (email, sms, push, wechat, "
                        "inapp; any = at least one)",
                        "consent(\"sms\")"},
    [AUD_FN_TAG] = {"tag", AUD_COND, F, "NAME", 0, "the profile's tags hold NAME (exactly)",
                    "not tag(\"complainer\")"},
    [AUD_FN_TOP_CATEGORY] = {"top_category", AUD_COND, F, "CATEGORY", 0,
                             "a category of top_categories matches (category rule)",
                             "top_category(\"coffee\")"},
    [AUD_FN_TOP_BRAND] = {"top_brand", AUD_COND, F, "BRAND", 0,
                          "top_brands holds the brand (ASCII case ignored)", "top_brand(\"Acme\")"},
    [AUD_FN_SEGMENT] = {"segment", AUD_COND, F, "NAME", 0,
                        "the customers of a saved segment (encore audience save)",
                        "segment(\"vip\") and consent(\"email\")"},
    [AUD_FN_KNOWN] = {"known", AUD_COND, F, "FIELD", 0, "the field has a value", "known(clv)"},
    [AUD_FN_DAYS_UNTIL] = {"days_until", AUD_DAYS, F, "birthday | next_order_date", 0,
                           "days to the next birthday (0 on the day; 29 Feb on 28 Feb in other "
                           "years), or to the predicted next order (negative when past)",
                           "days_until(birthday) <= 7"},
    /* ---- loyalty: the points ledger and tiers (docs/loyalty.md) ---- */
    [AUD_F_POINTS_BALANCE] = {"points_balance", AUD_NUM, AUD_FROM_LOYALTY, NULL, 0,
                              "points balance in the ledger (0 for non-members)",
                              "points_balance >= 1000"},
    [AUD_F_POINTS_EXPIRING_30D] = {"points_expiring_30d", AUD_NUM, AUD_FROM_LOYALTY, NULL, 0,
                                   "points of lots expiring within 30 days",
                                   "points_expiring_30d > 0"},
    [AUD_F_TIER_SINCE] = {"tier_since", AUD_TIME, AUD_FROM_LOYALTY, NULL, 0,
                          "when the member reached their tier", "tier_since >= \"2026-01-01\""},
    [AUD_F_NEXT_TIER_GAP] = {"next_tier_gap", AUD_NUM, AUD_FROM_LOYALTY, NULL, 0,
                             "what the member lacks for the next tier (spend in minor units, "
                             "points or orders); missing at the top tier",
                             "next_tier_gap < 10000"},
    [AUD_F_UPGRADED_DAYS] = {"upgraded_days", AUD_DAYS, AUD_FROM_LOYALTY, NULL, 0,
                             "days since the member's latest tier upgrade; missing when none",
                             "upgraded_days < 1"},
    [AUD_F_TIER_DROP_DAYS] = {"tier_drop_days", AUD_DAYS, AUD_FROM_LOYALTY, NULL, 0,
                              "days until the member's tier drops unless they qualify again "
                              "(a review found them below it); missing when none",
                              "tier_drop_days <= 14"},
    [AUD_FN_UPLIFT] = {"uplift", AUD_NUM, F, "CAMPAIGN", 0,
                       "the campaign's predicted uplift: how much its message raises the chance"
                       " of an order (encore uplift evaluate; missing before it)",
                       "uplift(\"spring-offer\") > 0.02"},
};

int enc_aud_field_find(const char *name, size_t len)
{
    for (int i = 0; i < AUD_F_COUNT; i++)
        if (strlen(enc_aud_fields[i].name) == len && memcmp(enc_aud_fields[i].name, name, len) == 0)
            return i;
    return -1;
}

/* Levenshtein distance with ASCII case ignored, capped (returns cap + 1 beyond it). */
static int distance(const char *a, size_t n, const char *b, size_t m, int cap)
{
    if (n > 64 || m > 64) return cap + 1;
    int row[65];
    for (size_t j = 0; j <= m; j++) row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0], best;
        row[0] = (int)i;
        best = row[0];
        for (size_t j = 1; j <= m; j++) {
            int up = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = diag + cost;
            if (up + 1 < v) v = up + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best) best = v;
        }
        if (best > cap) return cap + 1;
    }
    return row[m];
}

static int score(const char *s, size_t len, const char *name)
{
    size_t m = strlen(name);
    int cap = len <= 3 ? 1 : 2;
    int d = distance(s, len, name, m, cap);
    if (d <= cap && (size_t)d < len) return d; /* something in common: 'x' is not like 'm' */
    /* a prefix of at least three characters ("expected" -> "expected_spend") */
    if (len >= 3 && len < m && strncasecmp(s, name, len) == 0) return cap + 1;
    return -1;
}

const char *enc_aud_suggest(const char *s, size_t len, bool want_func)
{
    const char *best = NULL;
    int bd = 99;
    for (int i = 0; i < AUD_F_COUNT; i++) {
        if ((enc_aud_fields[i].from == AUD_FROM_FUNC) != want_func) continue;
        int d = score(s, len, enc_aud_fields[i].name);
        if (d >= 0 && d < bd) bd = d, best = enc_aud_fields[i].name;
    }
    return best;
}

const char *enc_aud_suggest_in(const char *s, size_t len, const char *const *names)
{
    const char *best = NULL;
    int bd = 99;
    for (size_t i = 0; names[i]; i++) {
        int d = score(s, len, names[i]);
        if (d >= 0 && d < bd) bd = d, best = names[i];
    }
    return best;
}

const char *enc_aud_type_name(enc_aud_type t)
{
    static const char *const n[] = {"condition", "number", "money", "days", "time", "text", "list"};
    return (unsigned)t <= AUD_LIST ? n[t] : "?";
}

const char *enc_aud_from_name(enc_aud_from f)
{
    static const char *const n[] = {"store", "profile", "function", "loyalty"};
    return (unsigned)f <= AUD_FROM_LOYALTY ? n[f] : "?";
}

/* ---- enumerated values ------------------------------------------------------------------- */

static const char *const gender_values[] = {"m", "f"};

size_t enc_aud_domain_size(enc_aud_domain d)
{
    switch (d) {
    case AUD_DOM_LIFECYCLE: return ENC_LC_STAGE_COUNT;
    case AUD_DOM_LC_CLASS: return ENC_LC_CLASS_COUNT;
    case AUD_DOM_RFM: return ENC_SEG_COUNT;
    case AUD_DOM_RFM_CN: return ENC_CN_COUNT;
    case AUD_DOM_GENDER: return 2;
    case AUD_DOM_CHANNEL: return CH_NCHANNELS;
    case AUD_DOM_EVENT: return EV_NTYPES;
    default: return 0;
    }
}

const char *enc_aud_domain_value(enc_aud_domain d, size_t i)
{
    if (i >= enc_aud_domain_size(d)) return NULL;
    switch (d) {
    case AUD_DOM_LIFECYCLE: return enc_lc_stage_name((enc_lc_stage)i);
    case AUD_DOM_LC_CLASS: return enc_lc_class_name((enc_lc_class)i);
    case AUD_DOM_RFM: return enc_rfm_segment_name((enc_rfm_segment)i);
    case AUD_DOM_RFM_CN: return enc_rfm_cn_name((enc_rfm_cn)i);
    case AUD_DOM_GENDER: return gender_values[i];
    case AUD_DOM_CHANNEL: return enc_channel_name((enc_channel)i);
    case AUD_DOM_EVENT: return enc_ev_type_name((enc_ev_type)i);
    default: return NULL;
    }
}

/* Equal ignoring ASCII case, with ' ', '_' and '-' all the same. */
static bool loose_eq(const char *a, size_t n, const char *b)
{
    size_t m = strlen(b);
    if (n != m) return false;
    for (size_t i = 0; i < n; i++) {
        int x = tolower((unsigned char)a[i]), y = tolower((unsigned char)b[i]);
        if (x == '_' || x == '-') x = ' ';
        if (y == '_' || y == '-') y = ' ';
        if (x != y) return false;
    }
    return true;
}

int enc_aud_domain_find(enc_aud_domain d, const char *s, size_t len)
{
    size_t n = enc_aud_domain_size(d);
    for (size_t i = 0; i < n; i++) {
        if (loose_eq(s, len, enc_aud_domain_value(d, i))) return (int)i;
        const char *alias = d == AUD_DOM_RFM      ? enc_rfm_segment_key((enc_rfm_segment)i)
                            : d == AUD_DOM_RFM_CN ? enc_rfm_cn_key((enc_rfm_cn)i)
                                                  : NULL;
        if (alias && loose_eq(s, len, alias)) return (int)i;
        if (d == AUD_DOM_RFM_CN && loose_eq(s, len, enc_rfm_cn_name_en((enc_rfm_cn)i)))
            return (int)i;
    }
    if (d == AUD_DOM_GENDER) {
        int g = enc_clean_gender(s, len); /* male, female, 男, 女, ... */
        return g == 'm' ? 0 : g == 'f' ? 1 : -1;
    }
    return -1;
}

void enc_aud_domain_list(enc_aud_domain d, char *out, size_t cap)
{
    size_t n = enc_aud_domain_size(d), o = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && o < cap; i++) {
        int w = snprintf(out + o, cap - o, "%s%s", i ? ", " : "", enc_aud_domain_value(d, i));
        if (w < 0) break;
        o += (size_t)w;
    }
}

const char *enc_aud_domain_suggest(enc_aud_domain d, const char *s, size_t len)
{
    const char *names[32];
    size_t n = enc_aud_domain_size(d);
    if (n > 31) n = 31;
    for (size_t i = 0; i < n; i++) names[i] = enc_aud_domain_value(d, i);
    names[n] = NULL;
    return enc_aud_suggest_in(s, len, names);
}

/* ---- categories -------------------------------------------------------------------------- */

typedef struct level {
    const char *s;
    size_t n;
} level;

/* Splits a path into at most cap levels (separators '/' and '>', spaces around a level
 * trimmed, empty levels dropped); returns the count, or cap + 1 when there are more. */
static size_t split_levels(const char *p, level *lv, size_t cap)
{
    size_t k = 0;
    while (*p) {
        const char *e = p;
        while (*e && *e != '/' && *e != '>') e++;
        const char *a = p, *b = e;
        while (a < b && (*a == ' ' || *a == '\t')) a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
        if (b > a) {
            if (k == cap) return cap + 1;
            lv[k++] = (level){a, (size_t)(b - a)};
        }
        p = *e ? e + 1 : e;
    }
    return k;
}

static bool level_eq(level a, level b) { return a.n == b.n && strncasecmp(a.s, b.s, a.n) == 0; }

bool enc_aud_category_match(const char *path, const char *pattern)
{
    level pl[32], ql[32];
    size_t np = split_levels(path, pl, 32), nq = split_levels(pattern, ql, 32);
    if (np > 32 || nq > 32 || nq == 0 || nq > np) return false;
    for (size_t start = 0; start + nq <= np; start++) {
        size_t j = 0;
        while (j < nq && level_eq(pl[start + j], ql[j])) j++;
        if (j == nq) return true;
    }
    return false;
}

bool enc_aud_text_ieq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }
