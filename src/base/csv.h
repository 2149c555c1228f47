/* csv.h — streaming reader for the delimited text merchants export: RFC 4180 CSV (quoted
 * fields may span lines, "" inside quotes), TSV, and whitespace-separated columns. Strips a
 * UTF-8 BOM, accepts LF and CRLF, converts GBK input to UTF-8 (iconv). Memory is bounded: a
 * record longer than max_record bytes or with more than max_fields fields is reported as an
 * error for that record, and reading resumes at the next record. First stage of ingest. */
#ifndef ENCORE_CSV_H
#define ENCORE_CSV_H
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

typedef enum enc_csv_format { ENC_FMT_CSV, ENC_FMT_TSV, ENC_FMT_WS } enc_csv_format;
typedef enum enc_encoding { ENC_UTF8, ENC_GBK } enc_encoding;

typedef struct enc_csv_opts {
    enc_csv_format format;
    enc_encoding encoding;
    size_t max_record; /* bytes; 0 = 1 MiB */
    size_t max_fields; /* 0 = 4096 */
} enc_csv_opts;

typedef struct enc_csv_row {
    size_t n;    /* number of fields */
    char **f;    /* fields, NUL-terminated, owned by the reader, valid until the next call */
    size_t *len; /* their lengths in bytes */
    long line;   /* 1-based physical line where the record starts */
} enc_csv_row;

typedef struct enc_csv enc_csv;

/* Opens a file ("-" = standard input). The caller closes the reader with enc_csv_close. */
enc_rc enc_csv_open(enc_csv **out, const char *path, const enc_csv_opts *o, enc_err *err);
/* Reads from memory; data must outlive the reader (used by tests and fuzz targets). */
enc_rc enc_csv_open_mem(enc_csv **out, const char *data, size_t n, const enc_csv_opts *o,
                        enc_err *err);
/* Returns 1 with the next record in *row; 0 at the end of input; -1 when this record is
 * malformed (err->msg says why, row->line says where; the next call continues after it);
 * -2 on a read error (fatal). Empty lines are skipped. */
/* Notes for callers:
 * - Fields live in one buffer owned by the reader: row->f, row->len and the bytes they point
 *   to are valid until the next enc_csv_next or enc_csv_close; copy what you keep. A field
 *   may contain NUL bytes (rare, from the input): use row->len, not strlen. The output is
 *   UTF-8 as far as the input was; the reader does not validate UTF-8 input.
 * - On -1, err->rc tells the reasons apart: ENC_EPARSE for malformed text ("unterminated
 *   quoted field", "invalid GBK byte sequence"), ENC_ELIMIT for a bound ("record longer than
 *   the limit of N bytes", "record has N fields, more than the limit of M"). err->msg starts
 *   with "line N: ". row->n is 0. Reading resumes after the record, and never inside a
 *   quoted field: a record too long inside a quoted field is skipped to the field's closing
 *   quote and the record's end; a quote never closed takes the rest of the input with it.
 * - On -2 (ENC_EIO) stop reading. A reader from memory never returns -2.
 * - Quoting rules (CSV and TSV): RFC 4180; a quote inside an unquoted field is literal; text
 *   after a closing quote is appended ("ab"cd -> abcd), as Python's csv does. The whitespace
 *   format has no quoting. Line ends: LF, CRLF or a lone CR. docs/formats.md has the rest.
 * - GBK input is decoded as GB18030 (a superset); a GBK-labelled input that starts with a
 *   UTF-8 BOM is read as UTF-8. Memory per reader: at most about 3 * max_record + 1.3 MiB. */
int enc_csv_next(enc_csv *r, enc_csv_row *row, enc_err *err);
uint64_t enc_csv_bytes_read(const enc_csv *r);  /* input bytes consumed so far, for progress */
uint64_t enc_csv_bytes_total(const enc_csv *r); /* 0 when unknown (a pipe) */
void enc_csv_close(enc_csv *r);

/* ---- writing ---------------------------------------------------------------------------
 * Every CSV the product writes goes through enc_csv_cell, so that a spreadsheet never runs a
 * cell as a formula (CSV injection, OWASP): a cell beginning with = + - @, a tab or a CR gets a
 * leading apostrophe, unless it is a plain number (-3.50 stays a number). Cells with a comma,
 * quote or line break are quoted (RFC 4180). ENC_CSV_BOM is the UTF-8 BOM `--excel` writes
 * first, so that Excel reads UTF-8 (Chinese) text right. */
struct enc_buf;
#define ENC_CSV_BOM "\xEF\xBB\xBF"
void enc_csv_cell(struct enc_buf *b, const char *s, size_t n);
/* True when the cell would be neutralised (it starts like a formula and is not a number). */
int enc_csv_cell_risky(const char *s, size_t n);

/* Guesses the format from a first line: a tab means TSV, else a comma means CSV, else
 * whitespace-separated. */
enc_csv_format enc_csv_sniff(const char *line, size_t n);
#endif
