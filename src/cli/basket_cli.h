/* basket_cli.h — what `encore itemsets` and `encore rules` share: reading a basket file and mining
 * its frequent itemsets under the user's support, writing item labels for tables and JSON.
 * Internal to src/cli (enc__ prefix). */
#ifndef ENCORE_BASKET_CLI_H
#define ENCORE_BASKET_CLI_H
#include "base/buf.h"
#include "base/json.h"
#include "recommend/basket.h"
#include "recommend/fpgrowth.h"

/* Bounds on what one command may produce (memory), reported as errors, not truncation. */
#define ENC__MAX_ITEMSETS ((size_t)5000000)
#define ENC__MAX_RULES ((size_t)5000000)

typedef struct enc__mined {
    enc_basket_set *set;
    enc_basket_format fmt; /* as resolved */
    enc_support support;
    enc_itemsets sets;
    double read_seconds, mine_seconds;
} enc__mined;

/* Reads path and mines it; on failure prints the error (as `encore: CMD: ...`) and returns the
 * exit code, else 0. The caller frees with enc__mined_free. */
int enc__mine_file(const char *cmd, const char *path, enc_basket_format fmt,
                   const enc_support *support, int32_t max_len, enc__mined *m);
/* The same over a set already built (from the store: sbasket.h); takes the set, which
 * enc__mined_free frees with the rest, also on failure. */
int enc__mine_set(const char *cmd, enc_basket_set *set, const enc_support *support, int32_t max_len,
                  enc__mined *m);
void enc__mined_free(enc__mined *m);
double enc__now(void);
/* An --as-of, --split or --end value (enc_time_parse): a date "YYYY-MM-DD" (its midnight UTC)
 * or a time. False when malformed. */
bool enc__parse_instant(const char *s, int64_t *out);
/* {a,b,c}: labels in byte order joined by commas, control bytes escaped as \xNN. */
void enc__items_text(enc_buf *b, const enc_basket_set *s, const int32_t *items, int32_t n);
/* A JSON array of the items' labels, in byte order. */
void enc__items_json(enc_jw *w, const enc_basket_set *s, const int32_t *items, int32_t n);
#endif
