/* programme.h — the loyalty programme file (docs/loyalty.md): earning rules, returns, expiry of
 * lots, tiers and their review, the rewards catalogue. Read from JSON once (enc_prog_parse) and
 * handed as a plain struct to the ledger, the tiers and the commands; it sits beside campaigns in
 * the flow: orders feed it, balances and tiers feed audiences and templates. */
#ifndef ENCORE_LOYALTY_PROGRAMME_H
#define ENCORE_LOYALTY_PROGRAMME_H
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Multipliers and the earning rate are kept in hundredths (1.5 -> 150) so that every point
 * computation is exact integer arithmetic (the oracle in tests/oracle/ does the same). */
#define ENC_PROG_NAME_MAX 48
#define ENC_PROG_MAX_RULES 256 /* categories, SKUs, tiers, rewards: each at most this many */
#define ENC_PROG_FILE_MAX (1 << 20)

typedef struct enc_prog_mult {
    char key[ENC_PROG_NAME_MAX * 2]; /* category path prefix or SKU */
    int64_t mult100;
} enc_prog_mult;

typedef enum enc_prog_qual { ENC_QUAL_SPEND, ENC_QUAL_POINTS, ENC_QUAL_ORDERS } enc_prog_qual;
typedef enum enc_prog_expiry {
    ENC_EXPIRY_NEVER,
    ENC_EXPIRY_MONTHS,     /* rolling: earned_at + N months */
    ENC_EXPIRY_END_OF_YEAR /* the end of the calendar year N years after the year of earning */
} enc_prog_expiry;

typedef struct enc_prog_tier {
    char name[ENC_PROG_NAME_MAX];
    int64_t min;          /* qualifying metric from which the tier holds */
    int64_t mult100;      /* points multiplier (100 = none) */
    int64_t discount_pct; /* benefits: shown to templates and the API */
    bool free_shipping, early_access;
    int64_t birthday_points; /* birthday gift in points (0 = none) */
} enc_prog_tier;

typedef struct enc_prog_reward {
    char id[ENC_PROG_NAME_MAX];
    char kind[16]; /* "coupon" or "product" */
    char sku[ENC_PROG_NAME_MAX * 2];
    int64_t points, value; /* value: coupon value in minor units */
} enc_prog_reward;

typedef struct enc_programme {
    char name[ENC_PROG_NAME_MAX * 2];
    int64_t unit;    /* minor units of the currency per unit spent (100 = 1.00) */
    int64_t rate100; /* points per unit spent, in hundredths */
    enc_prog_mult *cats, *skus;
    size_t ncats, nskus;
    int member_day; /* day of the month (1-31) with member_day_mult100; 0 = none */
    int64_t member_day_mult100;
    int64_t cap_order, cap_day; /* 0 = no cap */
    int64_t bonus_signup, bonus_first_order, bonus_birthday, bonus_review, bonus_nps;
    bool allow_negative; /* returns may take the balance below zero */
    enc_prog_expiry expiry;
    int expiry_n; /* months, or years after the year of earning */
    enc_prog_qual qual;
    int window_months;            /* qualification window (default 12) */
    int review_month, review_day; /* the yearly review date (UTC); default 1 January */
    int grace_days;               /* after a review finds a member below their tier */
    enc_prog_tier *tiers;         /* sorted by min ascending; tiers[0].min == 0 */
    size_t ntiers;
    enc_prog_reward *rewards;
    size_t nrewards;
    double point_value; /* minor units one point is worth (liability in `loyalty report`) */
} enc_programme;

/* Parses the programme file's text (n bytes, at most ENC_PROG_FILE_MAX). Every unknown key,
 * wrong type, value out of range or overlapping tier is an error naming the file (`what`), the
 * line and column for malformed JSON, and the field path ("earn.categories.beauty"). On success
 * *out owns its arrays: free with enc_prog_free. */
enc_rc enc_prog_parse(const char *text, size_t n, const char *what, enc_programme *out,
                      enc_err *err);
void enc_prog_free(enc_programme *p);
/* The tier index whose range holds metric (0 when none). */
size_t enc_prog_tier_for(const enc_programme *p, int64_t metric);
/* The tier index named name, or -1. */
int enc_prog_tier_index(const enc_programme *p, const char *name);
const enc_prog_reward *enc_prog_reward_find(const enc_programme *p, const char *id);
#endif
