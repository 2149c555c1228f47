/* lexer.c — turns segment-language text into tokens (see lexer.h). One pass over the bytes,
 * nothing read past len, every token and string bounded; columns count UTF-8 code points so
 * a caret lines up under CJK text as well as ASCII. */
#include "audience/lexer.h"
#include "base/utf8.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enc_rc enc_aud_fail_at(enc_err *err, enc_aud_pos *where, enc_aud_pos at, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (where) *where = at;
    return enc_fail(err, ENC_EPARSE, "line %d, column %d: %s", at.line, at.col, msg);
}

void enc_aud_lex_init(enc_aud_lexer *lx, const char *src, size_t len, enc_arena *arena)
{
    lx->src = src;
    lx->len = len;
    lx->off = 0;
    lx->pos = (enc_aud_pos){1, 1};
    lx->arena = arena;
}

static int peek(const enc_aud_lexer *lx, size_t k)
{
    return lx->off + k < lx->len ? (unsigned char)lx->src[lx->off + k] : -1;
}

/* Advances over n bytes that hold no newline, counting code points for the column. */
static void skip(enc_aud_lexer *lx, size_t n)
{
    for (size_t i = 0; i < n && lx->off < lx->len; i++, lx->off++)
        if (((unsigned char)lx->src[lx->off] & 0xc0) != 0x80) lx->pos.col++;
}

static bool is_name_start(int c) { return c >= 0 && (isalpha(c) && c < 0x80 ? 1 : c == '_'); }
static bool is_name_char(int c) { return c >= 0 && c < 0x80 && (isalnum(c) || c == '_'); }

static const struct {
    const char *word;
    enc_aud_tok_kind kind;
} keywords[] = {{"and", AUD_T_AND},    {"or", AUD_T_OR},           {"not", AUD_T_NOT},
                {"in", AUD_T_IN},      {"between", AUD_T_BETWEEN}, {"true", AUD_T_TRUE},
                {"false", AUD_T_FALSE}};

static int hex4(const enc_aud_lexer *lx, size_t at)
{
    unsigned v = 0;
    for (size_t i = 0; i < 4; i++) {
        if (at + i >= lx->len) return -1;
        int c = (unsigned char)lx->src[at + i];
        if (!isxdigit(c)) return -1;
        v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    return (int)v;
}

static enc_rc lex_string(enc_aud_lexer *lx, enc_aud_tok *t, enc_aud_pos *where, enc_err *err)
{
    char quote = lx->src[lx->off];
    char out[ENC_AUD_MAX_STRING + 4];
    size_t n = 0;
    skip(lx, 1);
    for (;;) {
        int c = peek(lx, 0);
        if (c < 0 || c == '\n' || c == '\r')
            return enc_aud_fail_at(err, where, t->pos,
                                   "unterminated string (close it with %c on the same line)",
                                   quote);
        if (c == quote) {
            skip(lx, 1);
            break;
        }
        enc_aud_pos at = lx->pos;
        char tmp[4];
        size_t tn;
        if (c == '\\') {
            int e = peek(lx, 1);
            size_t used = 2;
            switch (e) {
            case '"':
            case '\'':
            case '\\':
            case '/': tmp[0] = (char)e, tn = 1; break;
            case 'n': tmp[0] = '\n', tn = 1; break;
            case 't': tmp[0] = '\t', tn = 1; break;
            case 'r': tmp[0] = '\r', tn = 1; break;
            case 'u': {
                int cp = hex4(lx, lx->off + 2);
                used = 6;
                if (cp >= 0xd800 && cp <= 0xdbff && peek(lx, 6) == '\\' && peek(lx, 7) == 'u') {
                    int lo = hex4(lx, lx->off + 8);
                    if (lo >= 0xdc00 && lo <= 0xdfff) {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        used = 12;
                    }
                }
                if (cp <= 0 || (cp >= 0xd800 && cp <= 0xdfff))
                    return enc_aud_fail_at(err, where, at,
                                           "invalid \\u escape in string (expected four hex "
                                           "digits of a character other than NUL or a lone "
                                           "surrogate)");
                tn = enc_utf8_put(tmp, (uint32_t)cp);
                break;
            }
            default:
                if (e < 0 || e == '\n' || e == '\r')
                    return enc_aud_fail_at(
                        err, where, t->pos,
                        "unterminated string (close it with %c on the same line)", quote);
                if (e >= 0x20 && e < 0x7f)
                    return enc_aud_fail_at(err, where, at,
                                           "invalid escape '\\%c' in string (use \\\" \\' \\\\ "
                                           "\\n \\t \\r or \\uXXXX)",
                                           e);
                return enc_aud_fail_at(err, where, at,
                                       "invalid escape in string (use \\\" \\' \\\\ \\n \\t "
                                       "\\r or \\uXXXX)");
            }
            skip(lx, used);
        } else if (c < 0x20 && c != '\t') {
            return enc_aud_fail_at(err, where, at, "control character 0x%02x in string", c);
        } else {
            tn = enc_utf8_len(lx->src + lx->off, lx->len - lx->off);
            if (!tn) return enc_aud_fail_at(err, where, at, "invalid UTF-8 in string");
            memcpy(tmp, lx->src + lx->off, tn);
            skip(lx, tn);
        }
        if (n + tn > ENC_AUD_MAX_STRING)
            return enc_aud_fail_at(err, where, t->pos, "string too long (more than %d bytes)",
                                   ENC_AUD_MAX_STRING);
        memcpy(out + n, tmp, tn);
        n += tn;
    }
    t->kind = AUD_T_STRING;
    t->str = enc_arena_strndup(lx->arena, out, n);
    t->slen = n;
    return ENC_OK;
}

static enc_rc lex_number(enc_aud_lexer *lx, enc_aud_tok *t, enc_aud_pos *where, enc_err *err)
{
    size_t start = lx->off, i = 0;
    if (peek(lx, 0) == '-') i++;
    while (peek(lx, i) >= '0' && peek(lx, i) <= '9') i++;
    if (peek(lx, i) == '.') {
        if (!(peek(lx, i + 1) >= '0' && peek(lx, i + 1) <= '9')) {
            skip(lx, i + 1);
            return enc_aud_fail_at(err, where, t->pos,
                                   "invalid number '%.*s' (expected a digit after '.')",
                                   (int)(i + 1), lx->src + start);
        }
        i++;
        while (peek(lx, i) >= '0' && peek(lx, i) <= '9') i++;
    }
    size_t digits = i;
    size_t unit = 0; /* length of a letter suffix */
    while (is_name_char(peek(lx, i + unit))) unit++;
    if (digits + unit > ENC_AUD_MAX_NUMBER)
        return enc_aud_fail_at(err, where, t->pos, "number too long (more than %d characters)",
                               ENC_AUD_MAX_NUMBER);
    char buf[ENC_AUD_MAX_NUMBER + 1];
    memcpy(buf, lx->src + start, digits);
    buf[digits] = 0;
    double v = strtod(buf, NULL);
    t->kind = AUD_T_NUMBER;
    if (unit) {
        double scale = 0;
        if (unit == 1) {
            switch (lx->src[start + digits]) {
            case 's': scale = 1; break;
            case 'm': scale = 60; break;
            case 'h': scale = 3600; break;
            case 'd': scale = 86400; break;
            case 'w': scale = 7 * 86400; break;
            }
        }
        if (scale == 0)
            return enc_aud_fail_at(err, where, t->pos,
                                   "unknown unit '%.*s' in '%.*s' (a duration ends in s, m, h, d "
                                   "or w: 90s, 15m, 12h, 30d, 2w)",
                                   (int)unit, lx->src + start + digits, (int)(digits + unit),
                                   lx->src + start);
        v *= scale;
        t->kind = AUD_T_DURATION;
    }
    /* at most 40 characters: finite (below 1e40 weeks) */
    t->num = v;
    skip(lx, digits + unit);
    return ENC_OK;
}

/* Describes the character at the lexer's position for "unexpected character" messages. */
static enc_rc bad_char(enc_aud_lexer *lx, enc_aud_tok *t, enc_aud_pos *where, enc_err *err)
{
    const unsigned char *s = (const unsigned char *)lx->src + lx->off;
    int c = s[0];
    const char *hint = c == '&'               ? " (write 'and')"
                       : c == '|'             ? " (write 'or')"
                       : c == '!'             ? " (write 'not', or '!=' to compare)"
                       : c == '[' || c == '{' ? " (lists are written in parentheses: in (1, 2))"
                                              : "";
    if (c < 0x20 || c == 0x7f)
        return enc_aud_fail_at(err, where, t->pos, "unexpected control character 0x%02x", c);
    size_t n = enc_utf8_len((const char *)s, lx->len - lx->off);
    if (!n) return enc_aud_fail_at(err, where, t->pos, "invalid UTF-8 byte 0x%02x", c);
    return enc_aud_fail_at(err, where, t->pos, "unexpected character '%.*s'%s", (int)n,
                           (const char *)s, hint);
}

enc_rc enc_aud_lex_next(enc_aud_lexer *lx, enc_aud_tok *t, enc_aud_pos *where, enc_err *err)
{
    /* white space and # comments */
    for (;;) {
        int c = peek(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r') {
            skip(lx, 1);
        } else if (c == '\n') {
            lx->off++;
            lx->pos.line++;
            lx->pos.col = 1;
        } else if (c == '#') {
            while (peek(lx, 0) >= 0 && peek(lx, 0) != '\n') skip(lx, 1);
        } else {
            break;
        }
    }
    memset(t, 0, sizeof *t);
    t->pos = lx->pos;
    t->src = lx->src + lx->off;
    size_t start = lx->off;
    int c = peek(lx, 0), d = peek(lx, 1);
    enc_rc rc = ENC_OK;
    if (c < 0) {
        t->kind = AUD_T_EOF;
    } else if (is_name_start(c)) {
        size_t n = 0;
        while (is_name_char(peek(lx, n))) n++;
        if (n > ENC_AUD_MAX_NAME)
            return enc_aud_fail_at(err, where, t->pos, "name too long (more than %d characters)",
                                   ENC_AUD_MAX_NAME);
        t->kind = AUD_T_NAME;
        for (size_t k = 0; k < sizeof keywords / sizeof *keywords; k++)
            if (strlen(keywords[k].word) == n && strncasecmp(keywords[k].word, t->src, n) == 0)
                t->kind = keywords[k].kind;
        skip(lx, n);
    } else if ((c >= '0' && c <= '9') || (c == '-' && d >= '0' && d <= '9')) {
        rc = lex_number(lx, t, where, err);
    } else if (c == '"' || c == '\'') {
        rc = lex_string(lx, t, where, err);
    } else {
        size_t n = 1;
        switch (c) {
        case '(': t->kind = AUD_T_LPAREN; break;
        case ')': t->kind = AUD_T_RPAREN; break;
        case ',': t->kind = AUD_T_COMMA; break;
        case '=': t->kind = AUD_T_EQ, n = d == '=' ? 2 : 1; break;
        case '!':
            if (d != '=') return bad_char(lx, t, where, err);
            t->kind = AUD_T_NE, n = 2;
            break;
        case '<':
            if (d == '=') t->kind = AUD_T_LE, n = 2;
            else if (d == '>') t->kind = AUD_T_NE, n = 2;
            else t->kind = AUD_T_LT;
            break;
        case '>': t->kind = d == '=' ? (n = 2, AUD_T_GE) : AUD_T_GT; break;
        default: return bad_char(lx, t, where, err);
        }
        skip(lx, n);
    }
    t->len = lx->off - start;
    return rc;
}

void enc_aud_tok_describe(const enc_aud_tok *t, char *out, size_t cap)
{
    /* at most 40 characters of the token, control characters escaped, cut at a character
     * boundary, so a message stays one readable line */
    const char *s = t->kind == AUD_T_STRING ? t->str : t->src;
    size_t n = t->kind == AUD_T_STRING ? t->slen : t->len, k = 0, o = 0, chars = 0;
    char text[200];
    while (k < n && chars < 40) {
        unsigned char c = (unsigned char)s[k];
        size_t l = enc_utf8_len(s + k, n - k);
        if (!l) break;
        if (c < 0x20 || c == 0x7f) o += (size_t)snprintf(text + o, sizeof text - o, "\\x%02x", c);
        else memcpy(text + o, s + k, l), o += l;
        k += l;
        chars++;
    }
    text[o] = 0;
    const char *more = k < n ? "..." : "";
    switch (t->kind) {
    case AUD_T_EOF: snprintf(out, cap, "end of input"); break;
    case AUD_T_NAME: snprintf(out, cap, "name '%s%s'", text, more); break;
    case AUD_T_NUMBER: snprintf(out, cap, "number %s%s", text, more); break;
    case AUD_T_DURATION: snprintf(out, cap, "duration %s%s", text, more); break;
    case AUD_T_STRING: snprintf(out, cap, "string \"%s%s\"", text, more); break;
    default: snprintf(out, cap, "'%s'", text); break;
    }
}
