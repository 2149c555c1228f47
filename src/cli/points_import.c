/* points_import.c — `encore points import FILE` (points_import.h). */
#include "cli/points_import.h"
#include "report/custview.h"
#include "cli/cli.h"
#include "cli/intel_cli.h"
#include "base/csv.h"
#include "loyalty/loyalty.h"
#include "store/store_loyalty.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_CUST, COL_POINTS, COL_TIER, NCOLS };
static const char *const col_names[NCOLS] = {"customer_id", "points", "tier"};

typedef struct counts {
    long read, imported, skipped, rejected;
} counts;

/* A bad row: "encore: points: FILE:LINE: FIELD: why" on stderr (no value from the row: it may be
 * personal data). */
static void reject(counts *k, const char *path, long line, const char *field, const char *why)
{
    k->rejected++;
    fprintf(stderr, "encore: points: %s:%ld: %s: %s\n", path, line, field, why);
}

/* A whole number 0 .. 2^40, digits only. */
static bool parse_points(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 13) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > (INT64_C(1) << 40)) return false;
    *out = v;
    return true;
}

static void row(enc_store *st, const enc_programme *p, const char *path, const enc_csv_row *r,
                const int *col, int64_t now, counts *k)
{
    k->read++;
    const char *who = col[COL_CUST] < (int)r->n ? r->f[col[COL_CUST]] : "";
    size_t wn = col[COL_CUST] < (int)r->n ? r->len[col[COL_CUST]] : 0;
    if (wn == 0 || strlen(who) != wn) return reject(k, path, r->line, "customer_id", "empty");
    int64_t pts = 0;
    if (col[COL_POINTS] >= (int)r->n ||
        !parse_points(r->f[col[COL_POINTS]], r->len[col[COL_POINTS]], &pts))
        return reject(k, path, r->line, "points", "not a whole number from 0 to 2^40");
    const char *tier = NULL;
    if (col[COL_TIER] >= 0 && col[COL_TIER] < (int)r->n && r->len[col[COL_TIER]] > 0) {
        tier = r->f[col[COL_TIER]];
        if (enc_prog_tier_index(p, tier) < 0)
            return reject(k, path, r->line, "tier", "not a tier of the programme");
    }
    enc_err err = {0};
    int64_t cust = 0;
    if (enc_custview_find(st, who, &cust, &err))
        return reject(k, path, r->line, "customer_id", err.msg);
    if (!cust) return reject(k, path, r->line, "customer_id", "no such customer");
    bool done = false;
    if (enc_store_points_has(st, cust, "import", NULL, &done, &err))
        return reject(k, path, r->line, "customer_id", err.msg);
    if (done) {
        k->skipped++;
        return;
    }
    enc_points_result res;
    if (enc_loyalty_import(st, p, cust, pts, tier, now, &res, &err))
        return reject(k, path, r->line, "customer_id", err.msg);
    k->imported++;
}

int enc__points_import_file(enc_store *st, const enc_programme *p, const char *path, int64_t now,
                            bool json)
{
    enc_csv *c;
    enc_err err = {0};
    enc_csv_opts o = {.format = ENC_FMT_CSV};
    if (enc_csv_open(&c, path, &o, &err)) return enc_cli_fail_err("points", &err);
    enc_csv_row r;
    int col[NCOLS] = {-1, -1, -1};
    int got = enc_csv_next(c, &r, &err);
    if (got != 1) {
        enc_csv_close(c);
        return got == 0 ? enc_cli_fail("points", "%s: empty (needs a header)", path)
                        : enc_cli_fail("points", "%s: %s", path, err.msg);
    }
    for (size_t i = 0; i < r.n && i < 4096; i++)
        for (int j = 0; j < NCOLS; j++)
            if (col[j] < 0 && strcmp(r.f[i], col_names[j]) == 0) col[j] = (int)i;
    for (int j = 0; j < COL_TIER; j++)
        if (col[j] < 0) {
            enc_csv_close(c);
            return enc_cli_fail("points", "%s:1: no %s column (needs customer_id, points[, tier])",
                                path, col_names[j]);
        }
    counts k = {0};
    while ((got = enc_csv_next(c, &r, &err)) != 0) {
        if (got == -2) {
            enc_csv_close(c);
            return enc_cli_fail("points", "%s: %s", path, err.msg);
        }
        if (got == -1) {
            k.read++;
            reject(&k, path, r.line, "row", err.msg);
            continue;
        }
        row(st, p, path, &r, col, now, &k);
    }
    enc_csv_close(c);
    if (json)
        printf("{\"read\":%ld,\"imported\":%ld,\"skipped\":%ld,\"rejected\":%ld}\n", k.read,
               k.imported, k.skipped, k.rejected);
    else
        printf("%ld rows: %ld imported, %ld already imported, %ld rejected\n", k.read, k.imported,
               k.skipped, k.rejected);
    return k.read > 0 && k.rejected == k.read ? ENC_EXIT_FAIL : ENC_EXIT_OK;
}
