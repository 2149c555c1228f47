/* template.h — message templates for campaign content: `{{ field }}`, `{{ field | "fallback" }}`,
 * sections over lists `{{#items}}...{{/items}}` (and `{{^items}}...{{/items}}` when empty).
 * A template reaches only the values it is given (no code, no file or environment access) and
 * its output is escaped for the channel (HTML for email bodies). Compiled once per campaign,
 * rendered per message: rendering allocates only in the output buffer. */
#ifndef ENCORE_TEMPLATE_H
#define ENCORE_TEMPLATE_H
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include <stdbool.h>
#include <stddef.h>

#define ENC_TPL_MAX_SOURCE (256 * 1024) /* bytes of template source */
#define ENC_TPL_MAX_DEPTH 8             /* nested sections */

/* Values given to a template: strings, or lists of records (each record a set of values).
 * Build them in an arena with the enc_tval_* functions; names are dotted paths ("coupon.code"). */
typedef struct enc_tval enc_tval;
enc_tval *enc_tval_record(enc_arena *a);
/* Adds name = value (copied). A later add of the same name replaces the earlier one. */
void enc_tval_set(enc_arena *a, enc_tval *rec, const char *name, const char *value);
/* Adds an empty list under name and returns it; items are added with enc_tval_push. */
enc_tval *enc_tval_list(enc_arena *a, enc_tval *rec, const char *name);
/* Appends a new record to a list and returns it. */
enc_tval *enc_tval_push(enc_arena *a, enc_tval *list);

typedef enum enc_tpl_escape {
    ENC_ESC_NONE, /* plain text (SMS, push): control characters other than \n and \t dropped */
    ENC_ESC_HTML, /* & < > " ' escaped */
} enc_tpl_escape;

typedef struct enc_tpl enc_tpl;
/* Compiles src. Errors name line and column ("line 3, column 7: unclosed section 'items'").
 * The caller frees the template with enc_tpl_free. */
enc_rc enc_tpl_compile(const char *src, size_t n, enc_tpl **out, enc_err *err);
void enc_tpl_free(enc_tpl *t);
/* Renders with values `data` into out (appended). A missing value renders its fallback, or
 * nothing. */
void enc_tpl_render(const enc_tpl *t, const enc_tval *data, enc_tpl_escape esc, enc_buf *out);
/* The same, and appends to mask one byte per byte appended to out: 1 where the byte came from
 * customer data (a value named customer.*: what customers write themselves), 0 elsewhere (the
 * template's text and fallbacks, the shop's settings, coupons, products). The link rewriter
 * signs only links that did not arrive in customer data (links.h). */
void enc_tpl_render_marked(const enc_tpl *t, const enc_tval *data, enc_tpl_escape esc, enc_buf *out,
                           enc_buf *mask);
/* The distinct names the template refers to, in order of first use ("items" and "items.sku"
 * style names inside sections are given as "items.sku"). Valid while t lives. */
size_t enc_tpl_names(const enc_tpl *t, const char ***names);
#endif
