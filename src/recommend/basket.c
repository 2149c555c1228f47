/* basket.c — building basket sets (see basket.h): the label dictionary, CSR arrays, and the
 * basket file reader (one basket a line, items separated by blanks or by commas). The reader
 * streams the file through one bounded buffer, so a line longer than ENC_BASKET_LINE_MAX is
 * rejected with its line number instead of growing memory without end. */
#include "recommend/basket.h"
#include "base/map.h"
#include "base/mem.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct enc_basket_set {
    enc_smap *dict; /* label -> id */
    char *lab;      /* labels back to back, each followed by a NUL */
    size_t lab_len, lab_cap;
    int64_t *lab_off; /* n_items + 1 offsets into lab */
    size_t lab_off_cap;
    int32_t n_items;
    int64_t *off; /* n_baskets + 1 offsets into items */
    size_t off_cap;
    int32_t n_baskets;
    int32_t *items;
    size_t items_len, items_cap;
    int32_t *scratch; /* one basket's ids while it is parsed */
    size_t scratch_cap;
    enc_basket_format fmt; /* what the reader resolved; AUTO when filled from arrays */
};

int enc_basket_format_parse(const char *s, enc_basket_format *out)
{
    if (!strcmp(s, "auto")) *out = ENC_BASKET_AUTO;
    else if (!strcmp(s, "basket-ws") || !strcmp(s, "ws") || !strcmp(s, "dat")) *out = ENC_BASKET_WS;
    else if (!strcmp(s, "basket-csv") || !strcmp(s, "csv")) *out = ENC_BASKET_CSV;
    else return 0;
    return 1;
}

const char *enc_basket_format_name(enc_basket_format f)
{
    switch (f) {
    case ENC_BASKET_WS: return "basket-ws";
    case ENC_BASKET_CSV: return "basket-csv";
    default: return "auto";
    }
}

enc_basket_set *enc_basket_new(void)
{
    enc_basket_set *s = enc_xcalloc(1, sizeof *s);
    s->dict = enc_smap_new(1024);
    ENC_GROW(s->lab_off, s->lab_off_cap, 1);
    s->lab_off[0] = 0;
    ENC_GROW(s->off, s->off_cap, 1);
    s->off[0] = 0;
    return s;
}

void enc_basket_free(enc_basket_set *s)
{
    if (!s) return;
    enc_smap_free(s->dict);
    free(s->lab);
    free(s->lab_off);
    free(s->off);
    free(s->items);
    free(s->scratch);
    free(s);
}

int32_t enc_basket_intern(enc_basket_set *s, const char *label, size_t n, enc_err *err)
{
    if (n > ENC_BASKET_LABEL_MAX) {
        enc_fail(err, ENC_ELIMIT, "item label longer than %d bytes", ENC_BASKET_LABEL_MAX);
        return -1;
    }
    int64_t *slot = enc_smap_get(s->dict, label, n);
    if (slot) return (int32_t)*slot;
    if (s->n_items >= ENC_BASKET_MAX_ITEMS) {
        enc_fail(err, ENC_ELIMIT, "more than %d distinct items", ENC_BASKET_MAX_ITEMS);
        return -1;
    }
    int32_t id = s->n_items++;
    enc_smap_put(s->dict, label, n, id, NULL);
    ENC_GROW(s->lab, s->lab_cap, s->lab_len + n + 1);
    memcpy(s->lab + s->lab_len, label, n);
    s->lab_len += n;
    s->lab[s->lab_len++] = 0;
    ENC_GROW(s->lab_off, s->lab_off_cap, (size_t)s->n_items + 1);
    s->lab_off[s->n_items] = (int64_t)s->lab_len;
    return id;
}

int32_t enc_basket_intern_key(enc_basket_set *s, int64_t key, enc_err *err)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, key);
    return enc_basket_intern(s, tmp, (size_t)n, err);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts v[0..n) ascending and drops repeats; returns the new length. */
static size_t sort_unique(int32_t *v, size_t n)
{
    if (n < 2) return n;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            int32_t x = v[i];
            size_t j = i;
            for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
            v[j] = x;
        }
    } else {
        qsort(v, n, sizeof *v, cmp_i32);
    }
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[m - 1]) v[m++] = v[i];
    return m;
}

/* Appends scratch[0..n) (any order, repeats allowed) as a basket. */
static enc_rc add_scratch(enc_basket_set *s, size_t n, enc_err *err)
{
    if (s->n_baskets >= ENC_BASKET_MAX_BASKETS)
        return enc_fail(err, ENC_ELIMIT, "more than %d baskets", ENC_BASKET_MAX_BASKETS);
    n = sort_unique(s->scratch, n);
    ENC_GROW(s->items, s->items_cap, s->items_len + n);
    if (n) memcpy(s->items + s->items_len, s->scratch, n * sizeof *s->items);
    s->items_len += n;
    ENC_GROW(s->off, s->off_cap, (size_t)s->n_baskets + 2);
    s->off[++s->n_baskets] = (int64_t)s->items_len;
    return ENC_OK;
}

enc_rc enc_basket_add(enc_basket_set *s, const int32_t *items, size_t n, enc_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (items[i] < 0 || items[i] >= s->n_items)
            return enc_fail(err, ENC_EUSAGE,
                            "item id %" PRId32 " is not in the dictionary (%" PRId32 " items)",
                            items[i], s->n_items);
    ENC_GROW(s->scratch, s->scratch_cap, n);
    if (n) memcpy(s->scratch, items, n * sizeof *items);
    return add_scratch(s, n, err);
}

enc_basket_format enc_basket_detect(const char *data, size_t len)
{
    size_t i = 0;
    while (i < len && (data[i] == '\n' || data[i] == '\r')) i++; /* empty lines decide nothing */
    for (; i < len && data[i] != '\n'; i++)
        if (data[i] == ',') return ENC_BASKET_CSV;
    return ENC_BASKET_WS;
}

/* ---- reader ---- */

typedef struct reader {
    enc_basket_set *s;
    enc_basket_format fmt;
    const char *name;
    int64_t line;
    enc_err *err;
} reader;

static enc_rc push_item(reader *r, const char *p, size_t n, size_t *k, size_t col)
{
    enc_err e;
    int32_t id = enc_basket_intern(r->s, p, n, &e);
    if (id < 0)
        return enc_fail(r->err, e.rc, "%s:%" PRId64 ":%zu: %s", r->name, r->line, col, e.msg);
    ENC_GROW(r->s->scratch, r->s->scratch_cap, *k + 1);
    r->s->scratch[(*k)++] = id;
    return ENC_OK;
}

/* One line without its newline. */
static enc_rc parse_line(reader *r, const char *p, size_t n)
{
    r->line++;
    if (n && p[n - 1] == '\r') n--;
    if (memchr(p, 0, n))
        return enc_fail(r->err, ENC_EPARSE, "%s:%" PRId64 ": NUL byte in line (not a text file?)",
                        r->name, r->line);
    if (r->fmt == ENC_BASKET_AUTO && n > 0) {
        r->fmt = enc_basket_detect(p, n);
        r->s->fmt = r->fmt;
    }
    size_t k = 0;
    enc_rc rc;
    if (r->fmt == ENC_BASKET_WS) {
        size_t i = 0;
        while (i < n) {
            while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
            size_t b = i;
            while (i < n && p[i] != ' ' && p[i] != '\t') i++;
            if (i > b && (rc = push_item(r, p + b, i - b, &k, b + 1))) return rc;
        }
    } else if (n > 0) {
        size_t b = 0;
        for (;;) {
            const char *c = memchr(p + b, ',', n - b);
            size_t e = c ? (size_t)(c - p) : n;
            if (e == b) {
                /* an empty field: allowed only as what follows one trailing comma */
                if (!(c == NULL && b > 0))
                    return enc_fail(r->err, ENC_EPARSE, "%s:%" PRId64 ":%zu: empty item", r->name,
                                    r->line, b + 1);
            } else if ((rc = push_item(r, p + b, e - b, &k, b + 1))) {
                return rc;
            }
            if (!c) break;
            b = e + 1;
        }
    }
    enc_err e;
    if ((rc = add_scratch(r->s, k, &e)))
        return enc_fail(r->err, rc, "%s:%" PRId64 ": %s", r->name, r->line, e.msg);
    return ENC_OK;
}

/* Parses the complete lines of data[0..len); when final, the rest is a last line too.
 * Returns the bytes consumed in *used. */
static enc_rc parse_chunk(reader *r, const char *data, size_t len, int final, size_t *used)
{
    size_t b = 0;
    enc_rc rc;
    for (;;) {
        const char *nl = memchr(data + b, '\n', len - b);
        if (!nl) break;
        size_t e = (size_t)(nl - data);
        if (e - b > ENC_BASKET_LINE_MAX)
            return enc_fail(r->err, ENC_ELIMIT, "%s:%" PRId64 ": line longer than %u bytes",
                            r->name, r->line + 1, ENC_BASKET_LINE_MAX);
        if ((rc = parse_line(r, data + b, e - b))) return rc;
        b = e + 1;
    }
    if (len - b > ENC_BASKET_LINE_MAX)
        return enc_fail(r->err, ENC_ELIMIT, "%s:%" PRId64 ": line longer than %u bytes", r->name,
                        r->line + 1, ENC_BASKET_LINE_MAX);
    if (final && b < len) {
        if ((rc = parse_line(r, data + b, len - b))) return rc;
        b = len;
    }
    *used = b;
    return ENC_OK;
}

enc_rc enc_basket_read_mem(const char *data, size_t len, enc_basket_format fmt, const char *name,
                           enc_basket_set **out, enc_err *err)
{
    reader r = {.s = enc_basket_new(), .fmt = fmt, .name = name ? name : "(memory)", .err = err};
    r.s->fmt = fmt;
    size_t used;
    enc_rc rc = parse_chunk(&r, data, len, 1, &used);
    if (rc) {
        enc_basket_free(r.s);
        return rc;
    }
    *out = r.s;
    return ENC_OK;
}

enc_rc enc_basket_read_file(const char *path, enc_basket_format fmt, enc_basket_set **out,
                            enc_err *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) return enc_fail(err, ENC_EIO, "%s: %s", path, strerror(errno));
    reader r = {.s = enc_basket_new(), .fmt = fmt, .name = is_stdin ? "(stdin)" : path, .err = err};
    r.s->fmt = fmt;
    /* the buffer holds at most one unfinished line (<= LINE_MAX + 1 bytes) plus one read */
    size_t chunk = 1u << 18, cap = ENC_BASKET_LINE_MAX + 2 + chunk, len = 0;
    char *buf = enc_xmalloc(cap);
    enc_rc rc = ENC_OK;
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        int eof = got == 0;
        if (eof && ferror(f)) {
            rc = enc_fail(err, ENC_EIO, "%s: read error: %s", r.name, strerror(errno));
            break;
        }
        size_t used = 0;
        if ((rc = parse_chunk(&r, buf, len, eof, &used))) break;
        memmove(buf, buf + used, len - used);
        len -= used;
        if (eof) break;
    }
    free(buf);
    if (!is_stdin) fclose(f);
    if (rc) {
        enc_basket_free(r.s);
        return rc;
    }
    *out = r.s;
    return ENC_OK;
}

enc_basket_view enc_basket_get_view(const enc_basket_set *s)
{
    enc_basket_view v = {s->n_baskets, s->n_items, s->off, s->items};
    return v;
}

int32_t enc_basket_count(const enc_basket_set *s) { return s->n_baskets; }
enc_basket_format enc_basket_source_format(const enc_basket_set *s) { return s->fmt; }
int32_t enc_basket_item_count(const enc_basket_set *s) { return s->n_items; }

const char *enc_basket_label(const enc_basket_set *s, int32_t id, size_t *len)
{
    if (id < 0 || id >= s->n_items) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = (size_t)(s->lab_off[id + 1] - s->lab_off[id] - 1);
    return s->lab + s->lab_off[id];
}

int32_t enc_basket_find(const enc_basket_set *s, const char *label, size_t n)
{
    int64_t *v = enc_smap_get(s->dict, label, n);
    return v ? (int32_t)*v : -1;
}

void enc_basket_item_freq(const enc_basket_set *s, int32_t *freq)
{
    memset(freq, 0, (size_t)s->n_items * sizeof *freq);
    for (size_t i = 0; i < s->items_len; i++) freq[s->items[i]]++;
}
