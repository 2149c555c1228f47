/* csv_read.c — benchmark driver for bench/csv_read.sh (built by that script, not by make):
 * reads a delimited file with enc_csv and prints records, fields, bad records and the bytes of
 * all fields, so the work cannot be optimised away. Usage: csv_read FILE [csv|tsv|ws] [gbk] */
#include "base/csv.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: csv_read FILE [csv|tsv|ws] [gbk]\n");
        return 2;
    }
    enc_csv_opts o = {0};
    if (argc > 2 && strcmp(argv[2], "tsv") == 0) o.format = ENC_FMT_TSV;
    if (argc > 2 && strcmp(argv[2], "ws") == 0) o.format = ENC_FMT_WS;
    if (argc > 3 && strcmp(argv[3], "gbk") == 0) o.encoding = ENC_GBK;
    enc_err err = {0};
    enc_csv *r;
    if (enc_csv_open(&r, argv[1], &o, &err)) {
        fprintf(stderr, "csv_read: %s\n", err.msg);
        return 1;
    }
    enc_csv_row row;
    unsigned long long recs = 0, fields = 0, bytes = 0, bad = 0;
    int rc;
    while ((rc = enc_csv_next(r, &row, &err)) != 0) {
        if (rc == -2) {
            fprintf(stderr, "csv_read: %s\n", err.msg);
            return 1;
        }
        if (rc < 0) {
            bad++;
            continue;
        }
        recs++;
        fields += row.n;
        for (size_t i = 0; i < row.n; i++) bytes += row.len[i];
    }
    enc_csv_close(r);
    printf("records %llu fields %llu bytes %llu bad %llu\n", recs, fields, bytes, bad);
    return 0;
}
