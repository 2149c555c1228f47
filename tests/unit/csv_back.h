/* csv_back.h — reads generated files back in the tests of src/gen (test_gen.c, test_respond.c)
 * with an RFC 4180 reader of the tests' own, so that a test never checks the generator's
 * output with the generator's code: whole-file records, quoted fields, "YYYY-MM-DD HH:MM:SS"
 * times and two-decimal money. */
#ifndef ENCORE_TEST_CSV_BACK_H
#define ENCORE_TEST_CSV_BACK_H
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct file {
    char *data;
    size_t n, pos;
    char *field[32];
    int nf;
    char buf[65536];
} file;

__attribute__((unused)) static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)len + 1);
    if (fread(p, 1, (size_t)len, f) != (size_t)len) len = 0;
    p[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return p;
}

__attribute__((unused)) static file *fopen_csv(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    file *f = calloc(1, sizeof *f);
    f->data = slurp(path, &f->n);
    if (!f->data) {
        free(f);
        return NULL;
    }
    return f;
}

__attribute__((unused)) static void fclose_csv(file *f)
{
    if (!f) return;
    free(f->data);
    free(f);
}

/* Next record into f->field (NUL-terminated copies); returns the field count, 0 at the end,
 * -1 when a quoted field is malformed (a quote not doubled, not followed by , or newline). */
__attribute__((unused)) static int next_rec(file *f)
{
    if (f->pos >= f->n) return 0;
    size_t o = 0;
    f->nf = 0;
    for (;;) {
        if (f->nf == 32) return -1;
        f->field[f->nf++] = f->buf + o;
        if (f->pos < f->n && f->data[f->pos] == '"') {
            f->pos++;
            for (;;) {
                if (f->pos >= f->n) return -1;
                char c = f->data[f->pos++];
                if (c == '"') {
                    if (f->pos < f->n && f->data[f->pos] == '"') {
                        f->buf[o++] = '"';
                        f->pos++;
                    } else break;
                } else f->buf[o++] = c;
            }
            if (f->pos < f->n && f->data[f->pos] != ',' && f->data[f->pos] != '\n') return -1;
        } else {
            while (f->pos < f->n && f->data[f->pos] != ',' && f->data[f->pos] != '\n') {
                if (f->data[f->pos] == '"') return -1; /* a bare quote must have been quoted */
                f->buf[o++] = f->data[f->pos++];
            }
        }
        f->buf[o++] = 0;
        if (f->pos >= f->n) return f->nf;
        if (f->data[f->pos++] == '\n') return f->nf;
    }
}

__attribute__((unused)) static int64_t parse_ts(const char *s)
{
    struct tm tm = {0};
    const char *e = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
    if (!e || *e || strlen(s) != 19) return -1;
    return (int64_t)timegm(&tm);
}

__attribute__((unused)) static int64_t
money(const char *s) /* "-12.30" -> -1230; INT64_MIN when malformed */
{
    int neg = *s == '-';
    if (neg) s++;
    const char *dot = strchr(s, '.');
    if (!dot || strlen(dot) != 3 || dot == s) return INT64_MIN;
    for (const char *p = s; *p; p++)
        if (p != dot && !isdigit((unsigned char)*p)) return INT64_MIN;
    int64_t v = atoll(s) * 100 + atoi(dot + 1);
    return neg ? -v : v;
}

/* Whether two files hold the same bytes. */
__attribute__((unused)) static bool same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    bool same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}
#endif
