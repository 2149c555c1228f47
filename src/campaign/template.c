/* template.c — compiling and rendering message templates (see template.h). The compiled form
 * is a flat array of nodes (text, value, section with the index of its end), walked with an
 * explicit stack of records while rendering. */
#include "campaign/template.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ------------------------------------------------------------------------------ */

typedef struct tentry {
    const char *name;
    const char *str; /* a string value, or NULL for a list */
    struct tlist *list;
    struct tentry *next;
} tentry;

typedef struct titem {
    enc_tval *rec;
    struct titem *next;
} titem;

typedef struct tlist {
    titem *first, *last;
    size_t n;
} tlist;

struct enc_tval {
    tentry *first;
};

enc_tval *enc_tval_record(enc_arena *a)
{
    enc_tval *r = enc_arena_alloc(a, sizeof *r);
    r->first = NULL;
    return r;
}

static tentry *entry(enc_arena *a, enc_tval *rec, const char *name)
{
    for (tentry *e = rec->first; e; e = e->next)
        if (strcmp(e->name, name) == 0) return e;
    tentry *e = enc_arena_alloc(a, sizeof *e);
    e->name = enc_arena_strndup(a, name, strlen(name));
    e->str = NULL;
    e->list = NULL;
    e->next = rec->first;
    rec->first = e;
    return e;
}

void enc_tval_set(enc_arena *a, enc_tval *rec, const char *name, const char *value)
{
    tentry *e = entry(a, rec, name);
    e->str = enc_arena_strndup(a, value ? value : "", value ? strlen(value) : 0);
    e->list = NULL;
}

enc_tval *enc_tval_list(enc_arena *a, enc_tval *rec, const char *name)
{
    tentry *e = entry(a, rec, name);
    e->str = NULL;
    e->list = enc_arena_alloc(a, sizeof *e->list);
    memset(e->list, 0, sizeof *e->list);
    /* the list is handed out as a record whose only entry is the list itself */
    enc_tval *handle = enc_tval_record(a);
    tentry *h = enc_arena_alloc(a, sizeof *h);
    h->name = e->name;
    h->str = NULL;
    h->list = e->list;
    h->next = NULL;
    handle->first = h;
    return handle;
}

enc_tval *enc_tval_push(enc_arena *a, enc_tval *list)
{
    tlist *l = list->first->list;
    titem *it = enc_arena_alloc(a, sizeof *it);
    it->rec = enc_tval_record(a);
    it->next = NULL;
    if (l->last) l->last->next = it;
    else l->first = it;
    l->last = it;
    l->n++;
    return it->rec;
}

/* ---- compiling --------------------------------------------------------------------------- */

typedef enum { N_TEXT, N_VALUE, N_SECTION, N_INVERTED } ntype;

typedef struct node {
    ntype type;
    const char *s; /* text, or the name */
    size_t len;
    const char *fallback;
    size_t end; /* sections: index of the first node after the section */
} node;

struct enc_tpl {
    enc_arena *arena;
    node *nodes;
    size_t n, cap;
    const char **names;
    size_t nnames, namecap;
};

void enc_tpl_free(enc_tpl *t)
{
    if (!t) return;
    free(t->nodes);
    free(t->names);
    enc_arena_free(t->arena);
    free(t);
}

static node *add_node(enc_tpl *t, ntype type)
{
    ENC_GROW(t->nodes, t->cap, t->n + 1);
    node *nd = &t->nodes[t->n++];
    memset(nd, 0, sizeof *nd);
    nd->type = type;
    return nd;
}

static void add_name(enc_tpl *t, const char *name)
{
    for (size_t i = 0; i < t->nnames; i++)
        if (strcmp(t->names[i], name) == 0) return;
    ENC_GROW(t->names, t->namecap, t->nnames + 1);
    t->names[t->nnames++] = name;
}

/* line and column (1-based) of offset off in src */
static void where(const char *src, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (src[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)src[i] & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

static enc_rc fail_at(enc_tpl *t, const char *src, size_t off, enc_err *err, const char *what)
{
    int line, col;
    where(src, off, &line, &col);
    enc_fail(err, ENC_EPARSE, "line %d, column %d: %s", line, col, what);
    enc_tpl_free(t);
    return ENC_EPARSE;
}

static bool name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && ((c >= '0' && c <= '9') || c == '.'));
}

enc_rc enc_tpl_compile(const char *src, size_t n, enc_tpl **out, enc_err *err)
{
    *out = NULL;
    if (n > ENC_TPL_MAX_SOURCE)
        return enc_fail(err, ENC_ELIMIT, "template longer than %d bytes", ENC_TPL_MAX_SOURCE);
    enc_tpl *t = enc_xcalloc(1, sizeof *t);
    t->arena = enc_arena_new(4096);
    size_t open[ENC_TPL_MAX_DEPTH]; /* node index of each open section */
    size_t open_at[ENC_TPL_MAX_DEPTH];
    const char *prefix[ENC_TPL_MAX_DEPTH + 1] = {""};
    int depth = 0;
    size_t i = 0;
    char msg[256];
    while (i < n) {
        const char *tag = NULL;
        for (size_t j = i; j + 1 < n; j++)
            if (src[j] == '{' && src[j + 1] == '{') {
                tag = src + j;
                break;
            }
        size_t text_end = tag ? (size_t)(tag - src) : n;
        if (text_end > i) {
            node *nd = add_node(t, N_TEXT);
            nd->s = src + i;
            nd->len = text_end - i;
        }
        if (!tag) break;
        size_t p = text_end + 2, tag_at = text_end;
        while (p < n && (src[p] == ' ' || src[p] == '\t')) p++;
        char sigil = p < n ? src[p] : 0;
        if (sigil == '!') { /* comment */
            const char *close = NULL;
            for (size_t j = p; j + 1 < n; j++)
                if (src[j] == '}' && src[j + 1] == '}') {
                    close = src + j;
                    break;
                }
            if (!close) return fail_at(t, src, tag_at, err, "unclosed comment: expected '}}'");
            i = (size_t)(close - src) + 2;
            continue;
        }
        if (sigil == '#' || sigil == '^' || sigil == '/') p++;
        else sigil = 0;
        while (p < n && (src[p] == ' ' || src[p] == '\t')) p++;
        size_t name_at = p;
        if (p >= n || !name_char(src[p], true))
            return fail_at(t, src, p, err, "expected a name (letters, digits, '_' and '.')");
        while (p < n && name_char(src[p], false)) p++;
        size_t name_len = p - name_at;
        const char *fallback = NULL;
        while (p < n && (src[p] == ' ' || src[p] == '\t')) p++;
        if (p < n && src[p] == '|') {
            if (sigil) return fail_at(t, src, p, err, "a section takes no fallback");
            p++;
            while (p < n && (src[p] == ' ' || src[p] == '\t')) p++;
            if (p >= n || src[p] != '"')
                return fail_at(t, src, p, err, "expected a quoted fallback after '|'");
            size_t q = ++p;
            enc_buf fb = {0};
            while (q < n && src[q] != '"') {
                if (src[q] == '\\' && q + 1 < n) q++;
                enc_buf_addc(&fb, src[q]);
                q++;
            }
            if (q >= n) {
                enc_buf_free(&fb);
                return fail_at(t, src, p - 1, err, "unterminated fallback string");
            }
            fallback = enc_arena_strndup(t->arena, fb.p ? fb.p : "", fb.len);
            enc_buf_free(&fb);
            p = q + 1;
            while (p < n && (src[p] == ' ' || src[p] == '\t')) p++;
        }
        if (p + 1 >= n || src[p] != '}' || src[p + 1] != '}')
            return fail_at(t, src, p, err, "expected '}}'");
        i = p + 2;
        const char *name = enc_arena_strndup(t->arena, src + name_at, name_len);
        if (sigil == '#' || sigil == '^') {
            if (depth >= ENC_TPL_MAX_DEPTH)
                return fail_at(t, src, tag_at, err, "sections nested too deep");
            node *nd = add_node(t, sigil == '#' ? N_SECTION : N_INVERTED);
            nd->s = name;
            nd->len = name_len;
            open[depth] = t->n - 1;
            open_at[depth] = tag_at;
            char full[512];
            snprintf(full, sizeof full, "%s%s", prefix[depth], name);
            add_name(t, enc_arena_strndup(t->arena, full, strlen(full)));
            snprintf(full, sizeof full, "%s%s.", prefix[depth], name);
            depth++;
            prefix[depth] = enc_arena_strndup(t->arena, full, strlen(full));
        } else if (sigil == '/') {
            if (!depth) {
                snprintf(msg, sizeof msg, "'{{/%s}}' closes no open section", name);
                return fail_at(t, src, tag_at, err, msg);
            }
            node *o = &t->nodes[open[depth - 1]];
            if (strcmp(o->s, name) != 0) {
                snprintf(msg, sizeof msg, "'{{/%s}}' does not close the open section '%s'", name,
                         o->s);
                return fail_at(t, src, tag_at, err, msg);
            }
            o->end = t->n;
            depth--;
        } else {
            node *nd = add_node(t, N_VALUE);
            nd->s = name;
            nd->len = name_len;
            nd->fallback = fallback;
            char full[512];
            snprintf(full, sizeof full, "%s%s", prefix[depth], name);
            add_name(t, enc_arena_strndup(t->arena, full, strlen(full)));
        }
    }
    if (depth) {
        snprintf(msg, sizeof msg, "unclosed section '%s': expected '{{/%s}}'",
                 t->nodes[open[depth - 1]].s, t->nodes[open[depth - 1]].s);
        return fail_at(t, src, open_at[depth - 1], err, msg);
    }
    *out = t;
    return ENC_OK;
}

size_t enc_tpl_names(const enc_tpl *t, const char ***names)
{
    *names = t->names;
    return t->nnames;
}

/* ---- rendering --------------------------------------------------------------------------- */

static const tentry *lookup(const enc_tval *const *stack, int depth, const char *name)
{
    for (int d = depth; d >= 0; d--)
        for (const tentry *e = stack[d] ? stack[d]->first : NULL; e; e = e->next)
            if (strcmp(e->name, name) == 0) return e;
    return NULL;
}

static void emit(enc_buf *out, const char *s, enc_tpl_escape esc)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (esc == ENC_ESC_HTML) {
            switch (c) {
            case '&': enc_buf_adds(out, "&amp;"); continue;
            case '<': enc_buf_adds(out, "&lt;"); continue;
            case '>': enc_buf_adds(out, "&gt;"); continue;
            case '"': enc_buf_adds(out, "&quot;"); continue;
            case '\'': enc_buf_adds(out, "&#39;"); continue;
            default: break;
            }
        }
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) continue;
        enc_buf_addc(out, (char)c);
    }
}

/* mask (may be NULL) gets a byte per byte appended to out: 1 when it came from a value */
static void mark(enc_buf *mask, const enc_buf *out, size_t before, char v)
{
    if (!mask) return;
    for (size_t k = before; k < out->len; k++) enc_buf_addc(mask, v);
}

static const char data_prefix[] = "customer."; /* the customer-data values */

static void render_range(const enc_tpl *t, size_t from, size_t to, const enc_tval **stack,
                         int depth, enc_tpl_escape esc, enc_buf *out, enc_buf *mask)
{
    for (size_t i = from; i < to;) {
        const node *nd = &t->nodes[i];
        if (nd->type == N_TEXT) {
            size_t b0 = out->len;
            enc_buf_add(out, nd->s, nd->len);
            mark(mask, out, b0, 0);
            i++;
            continue;
        }
        const tentry *e = lookup(stack, depth, nd->s);
        if (nd->type == N_VALUE) {
            size_t b0 = out->len;
            if (e && e->str && *e->str) {
                emit(out, e->str, esc);
                /* what the customer wrote (their name, email, city...) */
                mark(mask, out, b0, strncmp(nd->s, data_prefix, strlen(data_prefix)) == 0);
            } else if (nd->fallback) {
                emit(out, nd->fallback, esc); /* written in the template */
                mark(mask, out, b0, 0);
            }
            i++;
            continue;
        }
        bool truthy = e && ((e->str && *e->str) || (e->list && e->list->n));
        if (nd->type == N_INVERTED) {
            if (!truthy) render_range(t, i + 1, nd->end, stack, depth, esc, out, mask);
        } else if (truthy) {
            if (e->list) {
                for (const titem *it = e->list->first; it; it = it->next) {
                    stack[depth + 1] = it->rec;
                    render_range(t, i + 1, nd->end, stack, depth + 1, esc, out, mask);
                }
            } else {
                render_range(t, i + 1, nd->end, stack, depth, esc, out, mask);
            }
        }
        i = nd->end;
    }
}

void enc_tpl_render(const enc_tpl *t, const enc_tval *data, enc_tpl_escape esc, enc_buf *out)
{
    const enc_tval *stack[ENC_TPL_MAX_DEPTH + 2] = {data};
    render_range(t, 0, t->n, stack, 0, esc, out, NULL);
}

void enc_tpl_render_marked(const enc_tpl *t, const enc_tval *data, enc_tpl_escape esc, enc_buf *out,
                           enc_buf *mask)
{
    const enc_tval *stack[ENC_TPL_MAX_DEPTH + 2] = {data};
    render_range(t, 0, t->n, stack, 0, esc, out, mask);
}
