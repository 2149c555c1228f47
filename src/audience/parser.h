/* parser.h — the segment language's grammar (docs/audiences.md) read into an AST by recursive
 * descent. Second step of the audience stage: tokens (lexer.h) -> AST -> program (eval.h).
 * Precedence, loosest first: or, and, not, then one comparison (= != < <= > >=, [not] in (...),
 * [not] between A and B). Every node keeps its line and column for the compiler's messages.
 * All nodes and strings live in the caller's arena (STYLE 6): nothing to free one by one. */
#ifndef ENCORE_AUDIENCE_PARSER_H
#define ENCORE_AUDIENCE_PARSER_H
#include "audience/lexer.h"
#include "base/buf.h"

#define ENC_AUD_MAX_DEPTH 100 /* nesting of parentheses, not, calls */

typedef enum enc_aud_kind {
    AUD_N_OR,      /* kid[0..n): n >= 2, flattened */
    AUD_N_AND,     /* kid[0..n): n >= 2, flattened */
    AUD_N_NOT,     /* kid[0] */
    AUD_N_CMP,     /* kid[0] op kid[1] */
    AUD_N_IN,      /* kid[0] [not] in (kid[1], ...); neg = "not in" */
    AUD_N_BETWEEN, /* kid[0] [not] between kid[1] and kid[2]; neg = "not between" */
    AUD_N_NAME,    /* a field name: text */
    AUD_N_CALL,    /* text(kid...): positional args are values, named ones AUD_N_ARG */
    AUD_N_ARG,     /* text = kid[0], or text in (kid[0], ...) when list */
    AUD_N_NUM,     /* num; text = the literal as written */
    AUD_N_DUR,     /* num = seconds; text = the literal as written */
    AUD_N_STR,     /* text, len: decoded UTF-8 */
    AUD_N_BOOL,    /* num = 0 or 1 */
} enc_aud_kind;

typedef enum enc_aud_op { AUD_EQ, AUD_NE, AUD_LT, AUD_LE, AUD_GT, AUD_GE } enc_aud_op;

typedef struct enc_aud_node {
    enc_aud_kind kind;
    enc_aud_pos pos;
    enc_aud_op op;
    bool neg;         /* IN, BETWEEN: negated */
    bool list;        /* ARG: "name in (...)" */
    const char *text; /* NUL-terminated */
    size_t len;
    double num;
    struct enc_aud_node **kid;
    int nkid;
} enc_aud_node;

/* Parses src[0, len) into *out (nodes in arena). On a syntax error returns ENC_EPARSE with err
 * "line L, column C: expected X, found Y" and *where (may be NULL) set. */
enc_rc enc_aud_parse(const char *src, size_t len, enc_arena *arena, enc_aud_node **out,
                     enc_aud_pos *where, enc_err *err);

/* Writes n in canonical form: and/or groups and not in parentheses, keywords in lower case,
 * strings double-quoted with escapes, numbers and durations as written. Parsing the output
 * gives the same tree, so printing it again gives the same text. */
void enc_aud_print(const enc_aud_node *n, enc_buf *b);
const char *enc_aud_op_text(enc_aud_op op); /* "=", "!=", "<", ... */
#endif
