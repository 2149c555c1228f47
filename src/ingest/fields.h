/* fields.h — what each kind of import holds: its fields, their types, and the header names
 * (English and Chinese) that map to them by default. The import maps file columns onto these
 * fields (ingest/import.c); `encore import KIND --help` lists them. */
#ifndef ENCORE_FIELDS_H
#define ENCORE_FIELDS_H
#include <stdbool.h>
#include <stddef.h>

typedef enum enc_kind {
    ENC_KIND_CUSTOMERS,
    ENC_KIND_PRODUCTS,
    ENC_KIND_ORDERS,
    ENC_KIND_EVENTS,
    ENC_KIND_FEEDBACK,
    ENC_KIND_CONSENTS,
    ENC_KIND_COUNT
} enc_kind;

typedef enum enc_ftype {
    FT_ID,
    FT_TEXT,
    FT_TIME,
    FT_DATE,
    FT_MONEY,
    FT_INT,
    FT_NUM,
    FT_EMAIL,
    FT_PHONE,
    FT_GENDER,
    FT_BOOL,
    FT_CODE
} enc_ftype;

typedef struct enc_field_def {
    const char *name;
    enc_ftype type;
    const char *aliases; /* normalised header names, '|' separated (see enc_header_norm) */
    const char *help;
} enc_field_def;

/* field indices per kind (the order of the tables in fields.c) */
enum {
    C_ID,
    C_NAME,
    C_EMAIL,
    C_PHONE,
    C_GENDER,
    C_BIRTHDAY,
    C_COUNTRY,
    C_REGION,
    C_CITY,
    C_OCCUPATION,
    C_TZ,
    C_REGISTERED,
    C_TIER,
    C_POINTS,
    C_WECHAT_OPENID, /* identity kind wechat_openid (the WeChat channel's address) */
    C_PUSH_TOKEN,    /* identity kind push_token (the push channel's address) */
    C_N
};
enum {
    P_SKU,
    P_NAME,
    P_CATEGORY,
    P_BRAND,
    P_PRICE,
    P_COST,
    P_CURRENCY,
    P_TIER,
    P_REPLENISH,
    P_COMPLEMENTS,
    P_IN_STOCK,
    P_N
};
enum {
    O_ORDER_ID,
    O_CUSTOMER_ID,
    O_EMAIL,
    O_PHONE,
    O_TIME,
    O_STATUS,
    O_CHANNEL,
    O_PAYMENT,
    O_COUPON,
    O_DISCOUNT,
    O_CURRENCY,
    O_COUNTRY,
    O_SKU,
    O_NAME,
    O_CATEGORY,
    O_BRAND,
    O_QTY,
    O_UNIT_PRICE,
    O_AMOUNT,
    O_TOTAL,
    O_N
};
enum {
    E_EVENT_ID,
    E_CUSTOMER_ID,
    E_EMAIL,
    E_PHONE,
    E_TIME,
    E_TYPE,
    E_SKU,
    E_VALUE,
    E_SESSION,
    E_CHANNEL,
    E_PROPS,
    E_N
};
enum {
    F_FEEDBACK_ID,
    F_CUSTOMER_ID,
    F_EMAIL,
    F_PHONE,
    F_TIME,
    F_KIND,
    F_SCORE,
    F_TEXT,
    F_ORDER_ID,
    F_SKU,
    F_N
};
enum { K_CONSENT_ID, K_CUSTOMER_ID, K_EMAIL, K_PHONE, K_CHANNEL, K_PURPOSE, K_STATUS, K_TIME, K_N };
#define ENC_MAX_FIELDS 24

const enc_field_def *enc_kind_fields(enc_kind k, size_t *n);
const char *enc_kind_name(enc_kind k);
bool enc_kind_parse(const char *s, enc_kind *k);
/* Index of a field by its name in kind k, or -1. */
int enc_field_find(enc_kind k, const char *name);
/* Header normalisation for matching: ASCII lower-cased; spaces, '_', '-', '.', '(' and ')'
 * removed; other bytes (Chinese) kept. Writes at most cap-1 bytes and a NUL. */
void enc_header_norm(const char *s, size_t n, char *out, size_t cap);
/* Field of kind k whose alias list holds the normalised header h, or -1. */
int enc_field_by_header(enc_kind k, const char *h);
#endif
