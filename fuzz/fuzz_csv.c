/* fuzz_csv.c — libFuzzer target for the CSV reader (src/base/csv.c), the first thing outside
 * bytes meet. Each input is read as CSV, TSV and whitespace columns, as UTF-8 and as GBK, with
 * limits taken from the first two bytes so the too-long and too-many-fields paths are reached.
 * Checks: fields are NUL-terminated at their length, counts stay within max_fields, line numbers
 * never go back, a memory reader never reports a read error, and reading always terminates. */
#include "base/csv.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
