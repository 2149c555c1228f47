/* gen_int.h — internals of the synthetic-shop generator shared by gen.c (the engine),
 * gen_data.c (the fixed tables: names, cities, catalogue categories, texts, per locale) and
 * respond.c (the campaign responses).
 * Not for other modules: the public interface is gen.h. */
#ifndef ENCORE_GEN_INT_H
#define ENCORE_GEN_INT_H
#include "base/err.h"
#include <stddef.h>

/* Creates dir and its parents (mode 0777 before the umask); ENC_EIO when one cannot be made
 * or dir is not a directory. Shared by the shop (gen.c) and the responses (respond.c). */
enc_rc enc__gen_mkdirs(const char *dir, enc_err *err);

/* a weighted name with its romanisation (pinyin for zh; NULL for en, where the name is ASCII) */
typedef struct gen_name {
    const char *s, *roman;
    double w;
} gen_name;

typedef struct gen_city {
    const char *city, *region, *country, *tz;
    int utc_offset_min;  /* standard time; DST is ignored for time-of-day placement */
    const char *area[3]; /* +1 area codes (US only) */
    double w;
} gen_city;

/* a leaf category of the catalogue: both locales' names, USD price range, size, cycle */
#define GEN_MAX_COMP 3
typedef struct gen_leaf {
    int top;                       /* index into gen_tops */
    const char *name_en, *name_zh; /* leaf part of the path */
    const char *noun_en[3], *noun_zh[3];
    double lo, hi;          /* price range, USD */
    int n;                  /* products */
    int cycle;              /* replenishment days; 0 = durable */
    int multi;              /* quantities above 1 are common */
    double pop;             /* popularity weight within its top category */
    int comp[GEN_MAX_COMP]; /* complement leaves (index), -1 = none */
    const char *size_en[4]; /* pack sizes by tier for consumables, else NULL */
    const char *size_zh[4];
} gen_leaf;

typedef struct gen_top {
    const char *name_en, *name_zh;
    double pop; /* share of shoppers' attention */
    const char *brand_en[5], *brand_zh[5];
} gen_top;

typedef struct gen_strs {
    const char *const *s;
    size_t n;
} gen_strs;

typedef struct gen_coupon {
    const char *code;
    double pct;        /* percent off the subtotal, or 0 */
    double fixed, min; /* else a fixed amount (USD) on subtotals from min (USD) */
    int first_only;    /* a welcome coupon: first order only */
    int month;         /* a seasonal coupon: valid in this month only (0 = any time) */
} gen_coupon;

typedef struct gen_locale_tables {
    const gen_name *first_f, *first_m, *last;
    size_t n_first_f, n_first_m, n_last;
    const gen_city *cities;
    size_t n_cities;
    gen_strs occupations, email_domains, channels, payments;
    const gen_coupon *coupons;
    size_t n_coupons;
    const double *channel_w, *payment_w, *domain_w;
    gen_strs review[5]; /* by score 1..5 */
    gen_strs complaints, survey_answers;
    const char *tier_word[4]; /* product tier words */
    const char *currency;
} gen_locale_tables;

extern const gen_top gen_tops[];
extern const size_t gen_n_tops;
extern const gen_leaf gen_leaves[];
extern const size_t gen_n_leaves;
extern const gen_locale_tables gen_tables_en, gen_tables_zh;
#endif
