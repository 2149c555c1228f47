/* fields.h — the registry of the segment language: every field and function, one row each
 * (name, type, where the value comes from, help), read by the compiler (eval.c) to resolve
 * names and check types, by `encore audience fields` to list them, and by the docs. Also the
 * fixed value sets of enumerated fields (lifecycle, rfm_segment, ...) and the category rule. */
#ifndef ENCORE_AUDIENCE_FIELDS_H
#define ENCORE_AUDIENCE_FIELDS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum enc_aud_type {
    AUD_COND,  /* a condition: true or false for each customer (functions such as bought()) */
    AUD_NUM,   /* a number */
    AUD_MONEY, /* minor units in the store; compared and shown in currency units (200 = 200.00) */
    AUD_DAYS,  /* a number of days (fractional); durations convert: 12h = 0.5 */
    AUD_TIME,  /* an instant, epoch seconds; compared with dates "YYYY-MM-DD[ HH:MM:SS]" (UTC) */
    AUD_TEXT,  /* a string; = != in */
    AUD_LIST,  /* a list of strings (tags, top_categories): used through functions */
} enc_aud_type;

typedef enum enc_aud_from {
    AUD_FROM_STORE,   /* computed from the snapshot as of the evaluation time */
    AUD_FROM_PROFILE, /* the profiles table (latest scoring run); missing without a row */
    AUD_FROM_FUNC,    /* a function */
    AUD_FROM_LOYALTY, /* the points ledger and tiers (src/loyalty) as of the evaluation time */
} enc_aud_from;

/* Enumerated value sets: a text field with one is checked at compile time. */
typedef enum enc_aud_domain {
    AUD_DOM_NONE,
    AUD_DOM_LIFECYCLE,
    AUD_DOM_LC_CLASS,
    AUD_DOM_RFM,
    AUD_DOM_RFM_CN,
    AUD_DOM_GENDER,
    AUD_DOM_CHANNEL,
    AUD_DOM_EVENT,
    AUD_DOM_COUNT
} enc_aud_domain;

/* Field ids: the registry's rows in order (enc_aud_fields[AUD_F_CLV].name is "clv"). */
typedef enum enc_aud_fid {
    /* store */
    AUD_F_ORDERS,
    AUD_F_TOTAL_SPENT,
    AUD_F_AOV,
    AUD_F_FIRST_ORDER_AT,
    AUD_F_LAST_ORDER_AT,
    AUD_F_FIRST_ORDER_DAYS,
    AUD_F_LAST_ORDER_DAYS,
    AUD_F_RETURNS,
    AUD_F_RETURNS_AMOUNT,
    AUD_F_COMPLAINTS,
    AUD_F_LAST_COMPLAINT_DAYS,
    AUD_F_NPS,
    AUD_F_REVIEW_SCORE,
    AUD_F_CONSULTS,
    AUD_F_EVENTS,
    AUD_F_LAST_EVENT_DAYS,
    AUD_F_REGION,
    AUD_F_CITY,
    AUD_F_TIER,
    AUD_F_TIMEZONE,
    AUD_F_POINTS,
    AUD_F_GENDER,
    AUD_F_REGISTERED_AT,
    AUD_F_REGISTERED_DAYS,
    AUD_F_BIRTH_MONTH,
    /* profile */
    AUD_F_RECENCY_DAYS,
    AUD_F_FREQUENCY,
    AUD_F_MONETARY,
    AUD_F_TENURE_DAYS,
    AUD_F_R,
    AUD_F_F,
    AUD_F_M,
    AUD_F_RFM_SEGMENT,
    AUD_F_RFM_SEGMENT_CN,
    AUD_F_LIFECYCLE,
    AUD_F_LIFECYCLE_CLASS,
    AUD_F_P_ALIVE,
    AUD_F_EXPECTED_30D,
    AUD_F_EXPECTED_90D,
    AUD_F_EXPECTED_365D,
    AUD_F_EXPECTED_SPEND,
    AUD_F_CLV,
    AUD_F_CHURN_RISK,
    AUD_F_NEXT_ORDER_DATE,
    AUD_F_PRICE_SENSITIVITY,
    AUD_F_SPEND_TIER,
    AUD_F_PREFERRED_CHANNEL,
    AUD_F_PREFERRED_PAYMENT,
    AUD_F_CLUSTER,
    AUD_F_CLUSTER_LABEL,
    AUD_F_SCORED_AT,
    AUD_F_TAGS,
    AUD_F_TOP_CATEGORIES,
    AUD_F_TOP_BRANDS,
    /* functions */
    AUD_FN_BOUGHT,
    AUD_FN_VIEWED,
    AUD_FN_EVENT,
    AUD_FN_CART_ABANDONED,
    AUD_FN_CONSENT,
    AUD_FN_TAG,
    AUD_FN_TOP_CATEGORY,
    AUD_FN_TOP_BRAND,
    AUD_FN_SEGMENT,
    AUD_FN_KNOWN,
    AUD_FN_DAYS_UNTIL,
    /* loyalty (issue 15, docs/loyalty.md) */
    AUD_F_POINTS_BALANCE,
    AUD_F_POINTS_EXPIRING_30D,
    AUD_F_TIER_SINCE,
    AUD_F_NEXT_TIER_GAP,
    AUD_F_UPGRADED_DAYS,
    AUD_F_TIER_DROP_DAYS,
    AUD_FN_UPLIFT, /* a value: the stored predicted uplift of a campaign (branch intel2) */
    AUD_F_COUNT
} enc_aud_fid;

typedef struct enc_aud_field {
    const char *name;
    enc_aud_type type; /* a function's result type */
    enc_aud_from from;
    const char *column; /* PROFILE: the profiles column; FUNC: the argument synopsis */
    enc_aud_domain domain;
    const char *help;
    const char *example; /* an expression using it */
} enc_aud_field;

extern const enc_aud_field enc_aud_fields[AUD_F_COUNT];

/* Registry row of name (exact, case-sensitive), or -1. */
int enc_aud_field_find(const char *name, size_t len);
/* The registry name closest to s (case-insensitive edit distance at most 2, or a prefix of at
 * least 3 characters), among fields (want_func false) or functions (true); NULL when none. */
const char *enc_aud_suggest(const char *s, size_t len, bool want_func);
/* Closest of a NULL-terminated list of names, as above; NULL when none. */
const char *enc_aud_suggest_in(const char *s, size_t len, const char *const *names);
const char *enc_aud_type_name(enc_aud_type t); /* "money", "days", ... */
const char *enc_aud_from_name(enc_aud_from f); /* "store", "profile", "function", "loyalty" */

/* ---- enumerated values --------------------------------------------------------------------
 * Each domain has canonical values 0..n-1 (the spellings the scoring stage writes, from
 * src/intel) and accepted aliases (keys like "cant_lose", English names of the Chinese RFM
 * classes, gender words). Matching ignores ASCII case. */
size_t enc_aud_domain_size(enc_aud_domain d);
const char *enc_aud_domain_value(enc_aud_domain d, size_t i); /* canonical spelling */
/* Index of a value (any accepted spelling), or -1. */
int enc_aud_domain_find(enc_aud_domain d, const char *s, size_t len);
/* "prospect, new, growing, ..." into out. */
void enc_aud_domain_list(enc_aud_domain d, char *out, size_t cap);
/* Closest canonical value to s, or NULL. */
const char *enc_aud_domain_suggest(enc_aud_domain d, const char *s, size_t len);

/* ---- categories ---------------------------------------------------------------------------
 * A category path "Electronics/Cameras/Mirrorless" (levels split on '/' or '>', spaces around
 * a level trimmed) matches a pattern when the pattern's levels (split the same way) equal a
 * run of consecutive levels of the path, ASCII letters compared without case: "cameras",
 * "Electronics", "electronics/cameras" and "Cameras > Mirrorless" all match the path above;
 * "Camera" and "Electronics/Mirrorless" do not. */
bool enc_aud_category_match(const char *path, const char *pattern);
/* ASCII case-insensitive equality of two NUL-terminated strings (other bytes exact). */
bool enc_aud_text_ieq(const char *a, const char *b);
#endif
