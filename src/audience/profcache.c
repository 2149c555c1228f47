/* profcache.c — the profile columns' cache (profcache.h): built in one scan of the profiles
 * table with the same conversions the store path of columns.c applies (enc_scan_double
 * for numbers, the text as stored for texts, enc_json_strings for lists), written as a
 * colfile, and checked against the profiles' generation each time it is opened. */
#include "audience/profcache.h"
#include "base/json.h"
#include "audience/fields.h"
#include "base/buf.h"
#include "base/map.h"
#include "base/mem.h"
#include "snapshot/colcache.h"
#include "snapshot/colfile.h"
#include "store/colcache_store.h"
#include "store/store_analytics.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "ENCPRF01"
#define MAX_ITEMS 1024 /* as columns.c reads lists */

typedef struct header {
    int64_t schema, gen, built_at, rows, ncols;
} header;

struct enc_profcache {
    enc_colfile m;
    const header *h;
    const int64_t *cust, *as_of;
    const int64_t *col_off; /* the names of the columns held (colfile strings) */
    const char *col_str;
};

static bool path_of(enc_store *st, char *buf, size_t size)
{
    const char *db = enc_store_path(st);
    if (!*db) return false;
    return (size_t)snprintf(buf, size, "%s.profiles.columns", db) < size;
}

/* ---- building ---------------------------------------------------------------------------- */

/* one column while the table is read */
typedef struct bcol {
    const char *name;
    enc_aud_type type;
    bool bad; /* not held: a value the store path must see (and report) */
    double *num;
    int32_t *txt;
    int64_t *off;
    int32_t *item;
    size_t nitem, icap;
    enc_smap *dict;
    const char **names;
    size_t nnames, ncap;
} bcol;

static int32_t name_id(bcol *c, const char *s, size_t n)
{
    bool added;
    int64_t *v = enc_smap_put(c->dict, s, n, (int64_t)c->nnames, &added);
    if (added) {
        ENC_GROW(c->names, c->ncap, c->nnames + 1);
        char *copy = enc_xmalloc(n + 1);
        memcpy(copy, s, n);
        copy[n] = 0;
        c->names[c->nnames++] = copy;
    }
    return (int32_t)*v;
}

enc_rc enc_profcache_build(enc_store *st, enc_err *err)
{
    char path[4096];
    if (!path_of(st, path, sizeof path))
        return enc_fail(err, ENC_EUSAGE, "profile cache: the store is in memory");
    header h = {0};
    /* the mark first: from here on every write to profiles raises the generation */
    if (enc_store_begin(st, err)) return ENC_EDB;
    bool marked = false;
    if (enc_store_profmark(st, &h.gen, &marked, err)) {
        enc_store_rollback(st);
        return ENC_EDB;
    }
    h.schema = enc_store_schema_version(st);
    if (enc_store_commit(st, err)) return ENC_EDB;

    /* the columns: each profiles column a field reads, once */
    bcol cols[AUD_F_COUNT];
    int nc = 0;
    for (int f = 0; f < AUD_F_COUNT; f++) {
        if (enc_aud_fields[f].from != AUD_FROM_PROFILE) continue;
        bool seen = false;
        for (int k = 0; k < nc; k++) seen |= strcmp(cols[k].name, enc_aud_fields[f].column) == 0;
        if (seen) continue;
        memset(&cols[nc], 0, sizeof cols[nc]);
        cols[nc].name = enc_aud_fields[f].column;
        cols[nc].type = enc_aud_fields[f].type;
        if (cols[nc].type == AUD_TEXT || cols[nc].type == AUD_LIST)
            cols[nc].dict = enc_smap_new(64);
        nc++;
    }
    h.ncols = nc;
    const char *colnames[AUD_F_COUNT];
    for (int k = 0; k < nc; k++) colnames[k] = cols[k].name;
    enc_rc rc = ENC_OK;
    int64_t nrows = 0;
    int64_t cap = 0;
    int64_t *cust = NULL, *as_of = NULL;
    char *buf = NULL;
    size_t bufcap = 0;
    enc_scan *q = NULL;
    int64_t cache_before = enc__store_scan_begin(st);
    if (enc_store_read_begin(st, "profile cache", err) ||
        !(q = enc_store_profile_scan(st, colnames, nc, true, false, "profile cache", err)))
        rc = ENC_EDB;
    int step = 0;
    while (!rc && q && (step = enc_scan_next(q)) == 1) {
        if (nrows == cap) {
            cap = cap ? cap * 2 : 4096;
            cust = enc_xrealloc(cust, (size_t)cap * sizeof *cust);
            as_of = enc_xrealloc(as_of, (size_t)cap * sizeof *as_of);
            for (int k = 0; k < nc; k++) {
                bcol *c = &cols[k];
                if (c->type == AUD_TEXT)
                    c->txt = enc_xrealloc(c->txt, (size_t)cap * sizeof *c->txt);
                else if (c->type == AUD_LIST)
                    c->off = enc_xrealloc(c->off, (size_t)(cap + 1) * sizeof *c->off);
                else c->num = enc_xrealloc(c->num, (size_t)cap * sizeof *c->num);
            }
        }
        size_t r = (size_t)nrows++;
        cust[r] = enc_scan_i64(q, 0);
        as_of[r] = enc_scan_i64(q, 1);
        for (int k = 0; k < nc; k++) {
            bcol *c = &cols[k];
            int qc = k + 2;
            bool null = enc_scan_null(q, qc);
            if (c->type == AUD_TEXT) {
                const char *t = (const char *)enc_scan_text(q, qc);
                size_t tl = (size_t)enc_scan_bytes(q, qc);
                c->txt[r] = -1;
                if (null || !t || !tl) continue;
                if (strlen(t) != tl) c->bad = true;
                else c->txt[r] = name_id(c, t, tl);
            } else if (c->type == AUD_LIST) {
                if (r == 0) c->off[0] = 0;
                c->off[r + 1] = (int64_t)c->nitem;
                if (null || c->bad) continue;
                const char *t = (const char *)enc_scan_text(q, qc);
                size_t tl = (size_t)enc_scan_bytes(q, qc);
                if (!t) continue;
                ENC_GROW(buf, bufcap, tl + 1);
                const char *it[MAX_ITEMS];
                size_t il[MAX_ITEMS];
                int m = enc_json_strings(t, tl, buf, it, il, MAX_ITEMS);
                if (m < 0) {
                    c->bad = true;
                    continue;
                }
                ENC_GROW(c->item, c->icap, c->nitem + (size_t)m);
                for (int x = 0; x < m; x++) {
                    if (strlen(it[x]) != il[x]) c->bad = true;
                    c->item[c->nitem++] = name_id(c, it[x], il[x]);
                }
                c->off[r + 1] = (int64_t)c->nitem;
            } else {
                c->num[r] = null ? NAN : enc_scan_double(q, qc);
            }
        }
    }
    if (!rc && q && step != 0) rc = enc_scan_fail(q, err, "profile cache");
    enc_scan_close(q);
    enc_store_read_end(st);
    enc__store_scan_end(st, cache_before);
    free(buf);

    enc_colfile_w w;
    if (!rc && enc_colfile_begin(&w, path, sizeof h, err)) rc = ENC_EIO;
    if (!rc) {
        h.rows = nrows;
        h.built_at = (int64_t)time(NULL);
        enc_colfile_put(&w, "cust", cust, (size_t)nrows * sizeof *cust);
        enc_colfile_put(&w, "as_of", as_of, (size_t)nrows * sizeof *as_of);
        const char *names[AUD_F_COUNT];
        for (int k = 0; k < nc; k++) {
            bcol *c = &cols[k];
            names[k] = c->bad ? NULL : c->name; /* a column not held has no name */
            if (c->bad) continue;
            char nm[32];
            if (c->type == AUD_TEXT) {
                snprintf(nm, sizeof nm, "c%d.txt", k);
                enc_colfile_put(&w, nm, c->txt, (size_t)nrows * sizeof *c->txt);
            } else if (c->type == AUD_LIST) {
                snprintf(nm, sizeof nm, "c%d.off", k);
                int64_t zero = 0;
                enc_colfile_put(&w, nm, nrows ? (const void *)c->off : (const void *)&zero,
                                (size_t)(nrows + 1) * sizeof *c->off);
                snprintf(nm, sizeof nm, "c%d.item", k);
                enc_colfile_put(&w, nm, c->item, c->nitem * sizeof *c->item);
            } else {
                snprintf(nm, sizeof nm, "c%d.num", k);
                enc_colfile_put(&w, nm, c->num, (size_t)nrows * sizeof *c->num);
            }
            if (c->type == AUD_TEXT || c->type == AUD_LIST) {
                snprintf(nm, sizeof nm, "c%d.names", k);
                enc_colfile_put_strings(&w, nm, c->names, c->nnames);
            }
        }
        enc_colfile_put_strings(&w, "columns", names, (size_t)nc);
        if (enc_colfile_commit(&w, MAGIC, &h, sizeof h, err)) rc = ENC_EIO;
    }
    for (int k = 0; k < nc; k++) {
        bcol *c = &cols[k];
        free(c->num);
        free(c->txt);
        free(c->off);
        free(c->item);
        for (size_t i = 0; i < c->nnames; i++) free((void *)c->names[i]);
        free(c->names);
        enc_smap_free(c->dict);
    }
    free(cust);
    free(as_of);
    return rc;
}

enc_rc enc_profcache_build_if_enabled(enc_store *st, enc_err *err)
{
    char path[4096];
    if (!enc_colcache_enabled() || !path_of(st, path, sizeof path)) return ENC_OK;
    return enc_profcache_build(st, err);
}

/* ---- reading ----------------------------------------------------------------------------- */

static const char *open_file(enc_store *st, const char *path, enc_profcache *c)
{
    const char *why = enc_colfile_open(path, MAGIC, sizeof(header), &c->m);
    if (why) return why;
    c->h = c->m.head;
    bool marked = false;
    int64_t g = enc_store_profgen(st, &marked);
    if (c->h->schema != enc_store_schema_version(st)) why = "the store's schema changed";
    else if (!marked || g != c->h->gen) why = "profiles changed in the store";
    else if (c->h->rows < 0 || c->h->ncols < 0 || c->h->ncols > AUD_F_COUNT)
        why = "the cache file is damaged";
    if (!why) {
        c->cust = enc_colfile_get(&c->m, "cust", c->h->rows * 8);
        c->as_of = enc_colfile_get(&c->m, "as_of", c->h->rows * 8);
        if ((!c->cust || !c->as_of) && c->h->rows) why = "the cache file is damaged";
        else if (!enc_colfile_strings(&c->m, "columns", c->h->ncols, &c->col_off, &c->col_str))
            why = "the cache file is damaged";
    }
    if (why) enc_colfile_close(&c->m);
    return why;
}

enc_profcache *enc_profcache_open(enc_store *st)
{
    char path[4096];
    if (!enc_colcache_enabled() || !path_of(st, path, sizeof path)) return NULL;
    enc_profcache *c = enc_xcalloc(1, sizeof *c);
    if (open_file(st, path, c)) {
        free(c);
        return NULL;
    }
    return c;
}

void enc_profcache_close(enc_profcache *c)
{
    if (!c) return;
    enc_colfile_close(&c->m);
    free(c);
}

size_t enc_profcache_rows(const enc_profcache *c) { return (size_t)c->h->rows; }
const int64_t *enc_profcache_customers(const enc_profcache *c) { return c->cust; }
const int64_t *enc_profcache_as_of(const enc_profcache *c) { return c->as_of; }

bool enc_profcache_column(const enc_profcache *c, const char *column, enc_profcache_col *out)
{
    memset(out, 0, sizeof *out);
    int k = -1;
    for (int i = 0; i < c->h->ncols && k < 0; i++) {
        const char *nm = enc_colfile_str(c->col_off, c->col_str, (size_t)i);
        if (nm && strcmp(nm, column) == 0) k = i;
    }
    if (k < 0) return false;
    int64_t rows = c->h->rows, bytes;
    char nm[32];
    snprintf(nm, sizeof nm, "c%d.num", k);
    if ((out->num = enc_colfile_get(&c->m, nm, rows * 8))) return true;
    snprintf(nm, sizeof nm, "c%d.names", k);
    char nmo[40];
    snprintf(nmo, sizeof nmo, "%s.off", nm);
    if (!enc_colfile_find(&c->m, nmo, &bytes)) return false;
    out->nnames = (size_t)(bytes / 8);
    if (!enc_colfile_strings(&c->m, nm, (int64_t)out->nnames, &out->name_off, &out->name_str))
        return false;
    snprintf(nm, sizeof nm, "c%d.txt", k);
    if ((out->txt = enc_colfile_get(&c->m, nm, rows * 4))) {
        for (int64_t r = 0; r < rows; r++) /* ids inside the names: checked once per use */
            if (out->txt[r] < -1 || out->txt[r] >= (int64_t)out->nnames) return false;
        return true;
    }
    snprintf(nm, sizeof nm, "c%d.off", k);
    out->off = enc_colfile_get(&c->m, nm, (rows + 1) * 8);
    snprintf(nm, sizeof nm, "c%d.item", k);
    out->item = enc_colfile_find(&c->m, nm, &bytes);
    if (!out->off || !out->item || out->off[0] != 0 || out->off[rows] != bytes / 4) return false;
    for (int64_t r = 0; r < rows; r++)
        if (out->off[r + 1] < out->off[r]) return false;
    for (int64_t i = 0; i < bytes / 4; i++)
        if (out->item[i] < 0 || out->item[i] >= (int64_t)out->nnames) return false;
    out->list = true;
    return true;
}

/* ---- status, refresh, drop --------------------------------------------------------------- */

void enc_profcache_status_get(enc_store *st, enc_profcache_status *out)
{
    memset(out, 0, sizeof *out);
    if (!path_of(st, out->path, sizeof out->path)) {
        out->why = "the store is in memory";
        return;
    }
    enc_profcache c;
    memset(&c, 0, sizeof c);
    const char *why = open_file(st, out->path, &c);
    out->present = !why || strcmp(why, "no cache file") != 0;
    if (!enc_colcache_enabled()) why = "ENCORE_COLUMN_CACHE=off";
    out->why = why;
    out->usable = !why;
    if (c.m.map) {
        out->bytes = (int64_t)c.m.bytes;
        out->rows = c.h->rows;
        out->built_at = c.h->built_at;
        enc_colfile_close(&c.m);
    }
}

enc_rc enc_profcache_refresh(enc_store *st, bool *built, enc_err *err)
{
    if (built) *built = false;
    char path[4096];
    if (!enc_colcache_enabled() || !path_of(st, path, sizeof path)) return ENC_OK;
    enc_profcache_status ps;
    enc_profcache_status_get(st, &ps);
    if (ps.usable) return ENC_OK;
    if (enc_profcache_build(st, err)) return ENC_EFAIL;
    if (built) *built = true;
    return ENC_OK;
}

enc_rc enc_profcache_drop(enc_store *st, enc_err *err)
{
    char path[4096];
    if (!path_of(st, path, sizeof path)) return ENC_OK;
    if (unlink(path) != 0 && errno != ENOENT)
        return enc_fail(err, ENC_EIO, "profile cache: %s: %s", path, strerror(errno));
    if (enc_store_colmarks_drop(st, true, err)) return ENC_EDB;
    return ENC_OK;
}
