/* lexer.h — tokens of the segment language (docs/audiences.md): names, keywords, numbers,
 * durations (30d, 12h), strings with escapes (UTF-8 checked), operators and punctuation, each
 * with its line and column. First step of the audience stage: text -> tokens -> AST (parser.h)
 * -> program over columns (eval.h). Errors name the line and column and what went wrong. */
#ifndef ENCORE_AUDIENCE_LEXER_H
#define ENCORE_AUDIENCE_LEXER_H
#include "base/err.h"
#include "base/mem.h"
#include <stdbool.h>
#include <stddef.h>

/* Bounds on outside input (STYLE 8). */
#define ENC_AUD_MAX_SRC 65536   /* bytes of one expression */
#define ENC_AUD_MAX_NAME 64     /* bytes of a name */
#define ENC_AUD_MAX_STRING 1024 /* bytes of a decoded string */
#define ENC_AUD_MAX_NUMBER 40   /* characters of a number literal */

/* A place in the source: 1-based line, and column counted in characters (UTF-8 code points). */
typedef struct enc_aud_pos {
    int line, col;
} enc_aud_pos;

typedef enum enc_aud_tok_kind {
    AUD_T_EOF,
    AUD_T_NAME,     /* field, function or argument name */
    AUD_T_NUMBER,   /* 200, 0.5, -3 */
    AUD_T_DURATION, /* 30d, 12h, 2w, 15m, 90s: value in seconds */
    AUD_T_STRING,   /* "..." or '...': value decoded */
    AUD_T_LPAREN,
    AUD_T_RPAREN,
    AUD_T_COMMA,
    AUD_T_EQ,
    AUD_T_NE,
    AUD_T_LT,
    AUD_T_LE,
    AUD_T_GT,
    AUD_T_GE,
    AUD_T_AND,
    AUD_T_OR,
    AUD_T_NOT,
    AUD_T_IN,
    AUD_T_BETWEEN,
    AUD_T_TRUE,
    AUD_T_FALSE,
} enc_aud_tok_kind;

typedef struct enc_aud_tok {
    enc_aud_tok_kind kind;
    enc_aud_pos pos;
    const char *src; /* the token's text in the source (not NUL-terminated) */
    size_t len;
    double num;      /* NUMBER; DURATION in seconds */
    const char *str; /* STRING: decoded, NUL-terminated, in the lexer's arena */
    size_t slen;
} enc_aud_tok;

typedef struct enc_aud_lexer {
    const char *src;
    size_t len, off;
    enc_aud_pos pos;
    enc_arena *arena; /* decoded strings live here (the caller's arena) */
} enc_aud_lexer;

/* Starts lexing src[0, len) (need not be NUL-terminated); strings are decoded into arena. */
void enc_aud_lex_init(enc_aud_lexer *lx, const char *src, size_t len, enc_arena *arena);
/* Reads the next token (AUD_T_EOF at the end, again and again). On a malformed token returns
 * ENC_EPARSE with err "line L, column C: why" and *where (may be NULL) set to the place. */
enc_rc enc_aud_lex_next(enc_aud_lexer *lx, enc_aud_tok *t, enc_aud_pos *where, enc_err *err);

/* Human description of a token for messages: "end of input", "'and'", "number 200",
 * "string \"abc\"", "name 'clv'". Writes into out (cap bytes, truncated with "..."). */
void enc_aud_tok_describe(const enc_aud_tok *t, char *out, size_t cap);

/* Formats "line L, column C: " + fmt into err with rc ENC_EPARSE, sets *where; returns it. */
enc_rc enc_aud_fail_at(enc_err *err, enc_aud_pos *where, enc_aud_pos at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#endif
