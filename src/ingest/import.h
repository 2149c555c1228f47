/* import.h — the import stage: reads a merchant's file (CSV, TSV, whitespace columns or JSON
 * lines), maps its columns onto a kind's fields, cleans every value, resolves and merges
 * customer identities, and writes the rows to the store in batches of one transaction each.
 * A bad row is reported (line, field, reason) and counted, never stops the good ones. Re-running
 * the same import changes nothing: every row is keyed by its source. */
#ifndef ENCORE_IMPORT_H
#define ENCORE_IMPORT_H
#include "base/csv.h"
#include "ingest/fields.h"
#include "store/store.h"
#include <stdio.h>

#define ENC_FMT_AUTO (-1)
#define ENC_FMT_JSONL 100
#define ENC_IMPORT_ERRORS_KEPT 1000
#define ENC_IMPORT_BATCH 100000     /* rows per transaction by default */
#define ENC_IMPORT_REASONS_KEPT 256 /* distinct (field, reason) counts kept */
/* Bounds of what a row may say (docs/import.md, "Bad rows"): a quantity, and money in minor
 * units (unit prices, line amounts, totals, discounts), beyond which a value is a typo or an
 * attack, not a sale. */
#define ENC_IMPORT_QTY_MAX 1000000
#define ENC_IMPORT_MONEY_MAX 100000000000LL /* 10^11 minor units: 10^9 of the currency */
#define ENC_IMPORT_FUTURE_TOLERANCE 86400   /* seconds a time may be ahead of now (clocks) */

typedef struct enc_import_opts {
    enc_kind kind;
    const char *path;
    const char *source; /* default: the file's base name */
    int format;         /* ENC_FMT_AUTO, an enc_csv_format, or ENC_FMT_JSONL */
    enc_encoding encoding;
    bool encoding_set;       /* --encoding given; else UTF-8 or GBK is detected (import.c) */
    bool no_header;          /* columns are mapped by 1-based position */
    bool dry_run;            /* everything is checked and counted, nothing is kept */
    const char *const *maps; /* "field=column" */
    size_t nmaps;
    long max_errors;           /* stop after this many rejected rows; < 0 = no limit */
    const char *tz;            /* zone of times without an offset (default UTC) */
    const char *currency;      /* currency of money without one (default: none, 2 decimals) */
    const char *phone_cc;      /* country calling code for national phone numbers */
    const char *cancel_prefix; /* order ids starting with it are cancellations, kept as returns */
    long batch_rows;           /* rows per transaction; 0 = ENC_IMPORT_BATCH */
    int64_t now;               /* epoch seconds of "now" for the time bounds; 0 = the clock */
    int64_t future_tolerance;  /* seconds a time may be after now, when future_tolerance_set */
    bool future_tolerance_set; /* else ENC_IMPORT_FUTURE_TOLERANCE (1 day) */
    /* every rejected row and warning, as CSV (line,severity,field,reason); may be NULL */
    FILE *errors_out;
    /* progress report (done, total bytes); may be NULL */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} enc_import_opts;

typedef struct enc_import_error {
    long line;
    char field[24];
    char reason[200];
} enc_import_error;

/* How often one reason was given: field plus the reason without the value it quotes. */
typedef struct enc_import_reason {
    char field[24];
    char reason[80];
    bool warning;
    long count;
} enc_import_reason;

typedef struct enc_import_result {
    enc_import_counts counts;
    long customers_created;
    long suppressed; /* rows of erased customers (the suppression list), not kept */
    enc_import_error
        *errors; /* the first ENC_IMPORT_ERRORS_KEPT; freed by enc_import_result_free */
    size_t nerrors;
    /* fields dropped from rows that were kept (a bad phone, birthday, ...): counted, the
     * first ENC_IMPORT_ERRORS_KEPT kept */
    long warned;
    enc_import_error *warnings;
    size_t nwarnings;
    enc_import_reason *reasons; /* counts by reason, at most ENC_IMPORT_REASONS_KEPT */
    size_t nreasons;
    bool hit_max_errors;
    const char *encoding_detected; /* "gbk" when a file without --encoding was found to be GBK */
    char source[256];
} enc_import_result;

/* Runs an import. Returns ENC_EUSAGE for a mapping problem (unknown field, missing column),
 * ENC_EIO when the file cannot be read, ENC_EDB on a storage failure; bad rows are not
 * failures (see res). */
enc_rc enc_import_run(enc_store *st, const enc_import_opts *o, enc_import_result *res,
                      enc_err *err);
void enc_import_result_free(enc_import_result *res);
#endif
