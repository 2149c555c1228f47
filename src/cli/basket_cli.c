/* basket_cli.c — shared by cmd_itemsets.c and cmd_rules.c (see basket_cli.h): load a basket
 * file, mine it, print item labels. */
#include "cli/basket_cli.h"
#include "base/datetime.h"
#include "base/mem.h"
#include "cli/cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double enc__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int enc__mine_file(const char *cmd, const char *path, enc_basket_format fmt,
                   const enc_support *support, int32_t max_len, enc__mined *m)
{
    memset(m, 0, sizeof *m);
    enc_err err = {0};
    double t0 = enc__now();
    enc_basket_set *set;
    enc_rc rc = enc_basket_read_file(path, fmt, &set, &err);
    if (rc) return enc_cli_fail_err(cmd, &err);
    double read = enc__now() - t0;
    rc = enc__mine_set(cmd, set, support, max_len, m);
    m->read_seconds = read;
    return rc;
}

int enc__mine_set(const char *cmd, enc_basket_set *set, const enc_support *support, int32_t max_len,
                  enc__mined *m)
{
    memset(m, 0, sizeof *m);
    enc_err err = {0};
    m->set = set;
    m->fmt = enc_basket_source_format(m->set);
    m->support = *support;
    enc_fpg_opts o = {.min_count = enc_support_min_count(support, enc_basket_count(m->set)),
                      .max_len = max_len,
                      .max_sets = ENC__MAX_ITEMSETS};
    double t0 = enc__now();
    enc_rc rc = enc_fpg_mine(m->set, &o, &m->sets, &err);
    m->mine_seconds = enc__now() - t0;
    if (rc) {
        enc__mined_free(m);
        return enc_cli_fail_err(cmd, &err);
    }
    return 0;
}

bool enc__parse_instant(const char *s, int64_t *out) { return enc_time_parse(s, out, NULL); }

void enc__mined_free(enc__mined *m)
{
    enc_itemsets_free(&m->sets);
    enc_basket_free(m->set);
    m->set = NULL;
}

static void label_text(enc_buf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f) enc_buf_printf(b, "\\x%02x", c);
        else enc_buf_addc(b, (char)c);
    }
}

static int cmp_label(const void *a, const void *b, void *arg)
{
    size_t na, nb;
    const char *x = enc_basket_label(arg, *(const int32_t *)a, &na);
    const char *y = enc_basket_label(arg, *(const int32_t *)b, &nb);
    int c = memcmp(x, y, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

/* items in label byte order (as arules prints a set), into tmp when they fit, else in place of
 * a heap copy; returns the array to read */
static const int32_t *by_label(const enc_basket_set *s, const int32_t *items, int32_t n,
                               int32_t *tmp, int32_t cap, int32_t **heap)
{
    int32_t *v = tmp;
    *heap = NULL;
    if (n > cap) v = *heap = enc_xmalloc((size_t)n * sizeof *v);
    memcpy(v, items, (size_t)n * sizeof *v);
    qsort_r(v, (size_t)n, sizeof *v, cmp_label, (void *)s);
    return v;
}

void enc__items_text(enc_buf *b, const enc_basket_set *s, const int32_t *items, int32_t n)
{
    int32_t tmp[64], *heap;
    items = by_label(s, items, n, tmp, 64, &heap);
    enc_buf_addc(b, '{');
    for (int32_t i = 0; i < n; i++) {
        size_t len;
        const char *l = enc_basket_label(s, items[i], &len);
        if (i) enc_buf_addc(b, ',');
        label_text(b, l, len);
    }
    enc_buf_addc(b, '}');
    free(heap);
}

void enc__items_json(enc_jw *w, const enc_basket_set *s, const int32_t *items, int32_t n)
{
    int32_t tmp[64], *heap;
    items = by_label(s, items, n, tmp, 64, &heap);
    enc_jw_arr(w);
    for (int32_t i = 0; i < n; i++) {
        size_t len;
        const char *l = enc_basket_label(s, items[i], &len);
        enc_jw_strn(w, l, len);
    }
    enc_jw_end(w);
    free(heap);
}
