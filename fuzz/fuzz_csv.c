/* fuzz_csv.c — libFuzzer target for the CSV reader (src/base/csv.c), the first thing outside
 * bytes meet. Each input is read as CSV, TSV and whitespace columns, as UTF-8 and as GBK, with
 * limits taken from the first two bytes so the too-long and too-many-fields paths are reached.
 * Checks: fields are NUL-terminated at their length, counts stay within max_fields, line numbers
 * never go back, a memory reader never reports a read error, and reading always terminates.
 * Semantics (issue 12): every CSV record read back from its RFC 4180 rewrite gives the same
 * fields; and the input wrapped as one quoted field of a record, with a small record limit,
 * never turns into rows: the reader resumes after the closing quote, at the row that follows. */
#include "base/csv.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Reads in with max_record; returns the number of good rows, the last one's first field in
 * last (or "" when none). */
static size_t read_rows(const char *in, size_t n, size_t max_record, char *last, size_t cap)
{
    enc_csv_opts o = {ENC_FMT_CSV, ENC_UTF8, max_record, 0};
    enc_csv *r;
    enc_err err = {0};
    if (enc_csv_open_mem(&r, in, n, &o, &err)) abort();
    enc_csv_row row;
    size_t good = 0;
    int rc;
    last[0] = 0;
    while ((rc = enc_csv_next(r, &row, &err)) != 0) {
        if (rc == -2) abort();
        if (rc == 1) {
            good++;
            size_t l = row.len[0] < cap - 1 ? row.len[0] : cap - 1;
            memcpy(last, row.f[0], l);
            last[l] = 0;
        }
    }
    enc_csv_close(r);
    return good;
}

static void semantics(const uint8_t *data, size_t size)
{
    /* 1: the data as one quoted field (quotes doubled), between a header and an END row */
    char *in = malloc(2 * size + 64), last[16];
    size_t n = 0;
    memcpy(in + n, "h\n1,\"", 5), n += 5;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '"') in[n++] = '"';
        in[n++] = (char)data[i];
    }
    memcpy(in + n, "\",x\nEND,1\n", 10), n += 10;
    size_t good = read_rows(in, n, 16, last, sizeof last);
    /* h, END, and the wrapped record itself only when it fits the limit */
    if (strcmp(last, "END") != 0 || good < 2 || good > 3) abort();
    size_t rec = n - 2 - 7; /* the wrapped record's bytes: 1,"...",x */
    if ((good == 3) != (rec <= 16)) abort();

    /* 2: records read back from their rewrite give the same fields */
    enc_csv_opts o = {ENC_FMT_CSV, ENC_UTF8, 0, 0};
    enc_csv *r, *r2;
    enc_err err = {0};
    if (enc_csv_open_mem(&r, (const char *)data, size, &o, &err)) abort();
    enc_csv_row row, row2;
    int rc;
    while ((rc = enc_csv_next(r, &row, &err)) != 0) {
        if (rc != 1) continue;
        size_t cap = 16, len = 0;
        for (size_t i = 0; i < row.n; i++) cap += 2 * row.len[i] + 3;
        char *w = malloc(cap);
        for (size_t i = 0; i < row.n; i++) {
            if (i) w[len++] = ',';
            w[len++] = '"';
            for (size_t k = 0; k < row.len[i]; k++) {
                if (row.f[i][k] == '"') w[len++] = '"';
                w[len++] = row.f[i][k];
            }
            w[len++] = '"';
        }
        w[len++] = '\n';
        if (enc_csv_open_mem(&r2, w, len, &o, &err)) abort();
        if (enc_csv_next(r2, &row2, &err) != 1 || row2.n != row.n) abort();
        for (size_t i = 0; i < row.n; i++)
            if (row2.len[i] != row.len[i] || memcmp(row2.f[i], row.f[i], row.len[i])) abort();
        if (enc_csv_next(r2, &row2, &err) != 0) abort();
        enc_csv_close(r2);
        free(w);
    }
    enc_csv_close(r);
    free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size <= 4096) semantics(data, size);
    size_t max_record = 0, max_fields = 0;
    if (size >= 2) {
        if (data[0] & 1) max_record = 1 + data[0] * 2u;
        if (data[1] & 1) max_fields = 1 + data[1] % 32u;
        data += 2;
        size -= 2;
    }
    for (int fmt = 0; fmt < 3; fmt++) {
        for (int enc = 0; enc < 2; enc++) {
            enc_csv_opts o = {(enc_csv_format)fmt, (enc_encoding)enc, max_record, max_fields};
            enc_csv *r;
            enc_err err = {0};
            if (enc_csv_open_mem(&r, (const char *)data, size, &o, &err)) abort();
            enc_csv_row row;
            long last = 0;
            size_t calls = 0;
            int rc;
            while ((rc = enc_csv_next(r, &row, &err)) != 0) {
                if (rc == -2) abort();
                if (row.line < last || row.line < 1) abort();
                last = row.line;
                if (rc == 1) {
                    if (row.n == 0 || row.n > (max_fields ? max_fields : 4096)) abort();
                    for (size_t i = 0; i < row.n; i++)
                        if (row.f[i][row.len[i]] != 0) abort();
                } else if (err.msg[0] == 0 || (err.rc != ENC_EPARSE && err.rc != ENC_ELIMIT)) {
                    abort();
                }
                if (++calls > size + 2) abort(); /* every call consumes input */
            }
            if (enc_csv_bytes_read(r) > enc_csv_bytes_total(r)) abort();
            enc_csv_close(r);
        }
    }
    return 0;
}
