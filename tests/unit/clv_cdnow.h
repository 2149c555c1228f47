/* clv_cdnow.h — test helper for the CLV model tests: reads the CDNOW files (shared/data/cdnow,
 * whitespace separated, YYYYMMDD dates) into transaction arrays with a few lines of C, so these
 * tests do not depend on the project's CSV reader. Customer index = sample_id - 1 for the sample,
 * customer_id - 1 for the master file; day = days since 1970-01-01. */
#ifndef ENCORE_TEST_CLV_CDNOW_H
#define ENCORE_TEST_CLV_CDNOW_H
#include "intel/clvdata.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cdnow {
    size_t n, n_cust;
    int32_t *cust, *day;
    double *value;
} cdnow;

/* days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil) */
static inline int32_t cd_days(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static inline int32_t cd_ymd(long v)
{
    return cd_days((int)(v / 10000), (int)(v / 100 % 100), (int)(v % 100));
}

/* master = 0: CDNOW_sample.txt (5 columns, no header); 1: CDNOW_master.txt (4 columns, header) */
static inline int cdnow_load(const char *path, int master, cdnow *c)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t cap = 1 << 14;
    c->n = c->n_cust = 0;
    c->cust = malloc(cap * sizeof *c->cust);
    c->day = malloc(cap * sizeof *c->day);
    c->value = malloc(cap * sizeof *c->value);
    char line[256];
    if (master && !fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        long id, sid, date, cds;
        double dollars;
        int got = master ? sscanf(line, "%ld %ld %ld %lf", &id, &date, &cds, &dollars)
                         : sscanf(line, "%ld %ld %ld %ld %lf", &id, &sid, &date, &cds, &dollars);
        if (got != (master ? 4 : 5)) continue;
        if (c->n == cap) {
            cap *= 2;
            c->cust = realloc(c->cust, cap * sizeof *c->cust);
            c->day = realloc(c->day, cap * sizeof *c->day);
            c->value = realloc(c->value, cap * sizeof *c->value);
        }
        long ci = master ? id : sid;
        c->cust[c->n] = (int32_t)(ci - 1);
        c->day[c->n] = cd_ymd(date);
        c->value[c->n] = dollars;
        if ((size_t)ci > c->n_cust) c->n_cust = (size_t)ci;
        c->n++;
    }
    fclose(f);
    return 0;
}

static inline void cdnow_free(cdnow *c)
{
    free(c->cust);
    free(c->day);
    free(c->value);
}

/* The published setting: calibration to 1997-09-30 inclusive, 39-week holdout, weeks. */
static inline enc_clv_period cdnow_period(void)
{
    int32_t end = cd_days(1997, 9, 30);
    return (enc_clv_period){.cal_end = end, .holdout_end = end + 273, .unit_days = 7};
}

/* Loads a CDNOW file (th_data path) and summarises it; 0 on success. */
static inline int cdnow_summary(const char *path, int master, enc_clv_summary *s)
{
    cdnow c;
    if (cdnow_load(path, master, &c) != 0) return -1;
    enc_clv_period pe = cdnow_period();
    enc_err e = {0};
    enc_rc rc = enc_clv_summarize(c.n, c.cust, c.day, c.value, c.n_cust, &pe, s, &e);
    cdnow_free(&c);
    return rc == ENC_OK ? 0 : -1;
}
#endif
