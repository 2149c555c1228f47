/* parser.c — recursive descent over the tokens of lexer.c into the AST of parser.h.
 *
 *   expr      = or_expr EOF
 *   or_expr   = and_expr { "or" and_expr }
 *   and_expr  = not_expr { "and" not_expr }
 *   not_expr  = "not" not_expr | predicate
 *   predicate = operand [ cmp_op operand
 *                       | [ "not" ] "in" "(" operand { "," operand } ")"
 *                       | [ "not" ] "between" operand "and" operand ]
 *   operand   = NUMBER | DURATION | STRING | "true" | "false"
 *             | NAME [ "(" [ arg { "," arg } ] ")" ] | "(" or_expr ")"
 *   arg       = NAME "=" operand | NAME "in" "(" operand { "," operand } ")" | operand
 *
 * Depth is bounded (ENC_AUD_MAX_DEPTH) so hostile input cannot exhaust the stack. */
#include "audience/parser.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    enc_aud_lexer lx;
    enc_aud_tok tok; /* the current token */
    enc_arena *arena;
    enc_aud_pos *where;
    enc_err *err;
    int depth;
} parser;

static enc_rc advance(parser *p) { return enc_aud_lex_next(&p->lx, &p->tok, p->where, p->err); }

static enc_rc expected(parser *p, const char *what)
{
    char found[256];
    enc_aud_tok_describe(&p->tok, found, sizeof found);
    return enc_aud_fail_at(p->err, p->where, p->tok.pos, "expected %s, found %s", what, found);
}

static enc_aud_node *node(parser *p, enc_aud_kind kind, enc_aud_pos pos)
{
    enc_aud_node *n = enc_arena_alloc(p->arena, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->pos = pos;
    return n;
}

/* A growable list of children, copied into the arena when done. */
typedef struct kids {
    enc_aud_node **v;
    size_t n, cap;
} kids;

static void kids_push(kids *k, enc_aud_node *n)
{
    ENC_GROW(k->v, k->cap, k->n + 1);
    k->v[k->n++] = n;
}

static void kids_take(parser *p, kids *k, enc_aud_node *into)
{
    into->kid = enc_arena_alloc(p->arena, (k->n ? k->n : 1) * sizeof *into->kid);
    if (k->n) memcpy(into->kid, k->v, k->n * sizeof *into->kid);
    into->nkid = (int)k->n;
    free(k->v);
    *k = (kids){0};
}

static enc_rc or_expr(parser *p, enc_aud_node **out);

static enc_rc enter(parser *p)
{
    if (++p->depth > ENC_AUD_MAX_DEPTH)
        return enc_aud_fail_at(p->err, p->where, p->tok.pos,
                               "expression nested too deeply (more than %d levels)",
                               ENC_AUD_MAX_DEPTH);
    return ENC_OK;
}

static bool starts_operand(enc_aud_tok_kind k)
{
    return k == AUD_T_NUMBER || k == AUD_T_DURATION || k == AUD_T_STRING || k == AUD_T_TRUE ||
           k == AUD_T_FALSE || k == AUD_T_NAME || k == AUD_T_LPAREN;
}

static enc_rc operand(parser *p, const char *what, enc_aud_node **out);

/* "(" operand { "," operand } ")" after 'in'; items appended to k */
static enc_rc value_list(parser *p, kids *k)
{
    if (p->tok.kind != AUD_T_LPAREN) return expected(p, "'(' to start the list after 'in'");
    enc_aud_pos open = p->tok.pos;
    if (advance(p)) return p->err->rc;
    for (;;) {
        enc_aud_node *v;
        if (operand(p, "a value in the list", &v)) return p->err->rc;
        kids_push(k, v);
        if (p->tok.kind == AUD_T_COMMA) {
            if (advance(p)) return p->err->rc;
            continue;
        }
        if (p->tok.kind == AUD_T_RPAREN) break;
        char what[96];
        snprintf(what, sizeof what, "',' or ')' to close the list opened at line %d, column %d",
                 open.line, open.col);
        return expected(p, what);
    }
    return advance(p);
}

static enc_rc call_args(parser *p, enc_aud_node *call)
{
    kids k = {0};
    enc_rc rc = ENC_OK;
    bool named = false;
    enc_aud_pos open = p->tok.pos;
    if ((rc = advance(p))) goto done;
    if (p->tok.kind == AUD_T_RPAREN) goto close;
    for (;;) {
        enc_aud_node *a;
        if (p->tok.kind == AUD_T_NAME) {
            /* look ahead one token: NAME "=" or NAME "in" makes a named argument */
            enc_aud_lexer save = p->lx;
            enc_aud_tok name = p->tok;
            if ((rc = advance(p))) goto done;
            if (p->tok.kind == AUD_T_EQ || p->tok.kind == AUD_T_IN) {
                a = node(p, AUD_N_ARG, name.pos);
                a->text = enc_arena_strndup(p->arena, name.src, name.len);
                a->len = name.len;
                a->list = p->tok.kind == AUD_T_IN;
                if ((rc = advance(p))) goto done;
                kids vals = {0};
                if (a->list) {
                    rc = value_list(p, &vals);
                } else {
                    enc_aud_node *v;
                    char what[96];
                    snprintf(what, sizeof what, "a value for argument '%s'", a->text);
                    rc = operand(p, what, &v);
                    if (!rc) kids_push(&vals, v);
                }
                kids_take(p, &vals, a);
                if (rc) goto done;
                named = true;
                kids_push(&k, a);
                goto next;
            }
            p->lx = save; /* not named: read the name again as an operand */
            p->tok = name;
        }
        if (named) {
            rc = enc_aud_fail_at(p->err, p->where, p->tok.pos,
                                 "positional argument after named arguments (write positional "
                                 "arguments first)");
            goto done;
        }
        if (!starts_operand(p->tok.kind)) {
            rc = expected(p, "an argument");
            goto done;
        }
        if ((rc = operand(p, "an argument", &a))) goto done;
        kids_push(&k, a);
    next:
        if (p->tok.kind == AUD_T_COMMA) {
            if ((rc = advance(p))) goto done;
            continue;
        }
        if (p->tok.kind == AUD_T_RPAREN) break;
        char what[112];
        snprintf(what, sizeof what,
                 "',' or ')' to close the arguments of '%s' opened at line %d, column %d",
                 call->text, open.line, open.col);
        rc = expected(p, what);
        goto done;
    }
close:
    rc = advance(p);
done:
    kids_take(p, &k, call);
    return rc;
}

static enc_rc operand(parser *p, const char *what, enc_aud_node **out)
{
    enc_aud_tok t = p->tok;
    enc_aud_node *n;
    enc_rc rc;
    switch (t.kind) {
    case AUD_T_NUMBER:
    case AUD_T_DURATION:
        n = node(p, t.kind == AUD_T_NUMBER ? AUD_N_NUM : AUD_N_DUR, t.pos);
        n->num = t.num;
        n->text = enc_arena_strndup(p->arena, t.src, t.len);
        n->len = t.len;
        break;
    case AUD_T_STRING:
        n = node(p, AUD_N_STR, t.pos);
        n->text = t.str;
        n->len = t.slen;
        break;
    case AUD_T_TRUE:
    case AUD_T_FALSE:
        n = node(p, AUD_N_BOOL, t.pos);
        n->num = t.kind == AUD_T_TRUE;
        break;
    case AUD_T_NAME:
        n = node(p, AUD_N_NAME, t.pos);
        n->text = enc_arena_strndup(p->arena, t.src, t.len);
        n->len = t.len;
        if ((rc = advance(p))) return rc;
        if (p->tok.kind == AUD_T_LPAREN) {
            n->kind = AUD_N_CALL;
            if ((rc = enter(p)) || (rc = call_args(p, n))) return rc;
            p->depth--;
        }
        *out = n;
        return ENC_OK;
    case AUD_T_LPAREN: {
        if ((rc = enter(p)) || (rc = advance(p)) || (rc = or_expr(p, &n))) return rc;
        if (p->tok.kind != AUD_T_RPAREN) {
            char w[80];
            snprintf(w, sizeof w, "')' to close '(' at line %d, column %d", t.pos.line, t.pos.col);
            return expected(p, w);
        }
        p->depth--;
        break;
    }
    default: return expected(p, what);
    }
    *out = n;
    return advance(p);
}

static bool cmp_op(enc_aud_tok_kind k, enc_aud_op *op)
{
    switch (k) {
    case AUD_T_EQ: *op = AUD_EQ; return true;
    case AUD_T_NE: *op = AUD_NE; return true;
    case AUD_T_LT: *op = AUD_LT; return true;
    case AUD_T_LE: *op = AUD_LE; return true;
    case AUD_T_GT: *op = AUD_GT; return true;
    case AUD_T_GE: *op = AUD_GE; return true;
    default: return false;
    }
}

static enc_rc predicate(parser *p, enc_aud_node **out)
{
    enc_aud_node *lhs, *n;
    enc_rc rc;
    if ((rc = operand(p, "an expression", &lhs))) return rc;
    enc_aud_op op;
    enc_aud_tok t = p->tok;
    if (cmp_op(t.kind, &op)) {
        n = node(p, AUD_N_CMP, t.pos);
        n->op = op;
        n->kid = enc_arena_alloc(p->arena, 2 * sizeof *n->kid);
        n->nkid = 2;
        n->kid[0] = lhs;
        char what[64];
        snprintf(what, sizeof what, "a value after '%.*s'", (int)t.len, t.src);
        if ((rc = advance(p)) || (rc = operand(p, what, &n->kid[1]))) return rc;
        *out = n;
        return ENC_OK;
    }
    bool neg = false;
    if (t.kind == AUD_T_NOT) {
        if ((rc = advance(p))) return rc;
        if (p->tok.kind != AUD_T_IN && p->tok.kind != AUD_T_BETWEEN)
            return expected(p, "'in' or 'between' after 'not'");
        neg = true;
        t = p->tok;
    }
    if (t.kind == AUD_T_IN) {
        n = node(p, AUD_N_IN, t.pos);
        n->neg = neg;
        kids k = {0};
        kids_push(&k, lhs);
        if (!(rc = advance(p))) rc = value_list(p, &k);
        kids_take(p, &k, n);
        if (rc) return rc;
        *out = n;
        return ENC_OK;
    }
    if (t.kind == AUD_T_BETWEEN) {
        n = node(p, AUD_N_BETWEEN, t.pos);
        n->neg = neg;
        n->kid = enc_arena_alloc(p->arena, 3 * sizeof *n->kid);
        n->nkid = 3;
        n->kid[0] = lhs;
        if ((rc = advance(p)) || (rc = operand(p, "a lower bound after 'between'", &n->kid[1])))
            return rc;
        if (p->tok.kind != AUD_T_AND) return expected(p, "'and' between the two bounds");
        if ((rc = advance(p)) || (rc = operand(p, "an upper bound after 'and'", &n->kid[2])))
            return rc;
        *out = n;
        return ENC_OK;
    }
    *out = lhs;
    return ENC_OK;
}

static enc_rc not_expr(parser *p, enc_aud_node **out)
{
    if (p->tok.kind != AUD_T_NOT) return predicate(p, out);
    enc_aud_node *n = node(p, AUD_N_NOT, p->tok.pos);
    enc_rc rc;
    if ((rc = enter(p)) || (rc = advance(p))) return rc;
    n->kid = enc_arena_alloc(p->arena, sizeof *n->kid);
    n->nkid = 1;
    if ((rc = not_expr(p, &n->kid[0]))) return rc;
    p->depth--;
    *out = n;
    return ENC_OK;
}

/* and_expr / or_expr: a chain of `sub` joined by `joiner`, flattened into one n-ary node
 * (a chain of one is the child itself). */
static enc_rc chain(parser *p, enc_aud_tok_kind joiner, enc_aud_kind kind,
                    enc_rc (*sub)(parser *, enc_aud_node **), enc_aud_node **out)
{
    enc_aud_node *first;
    enc_rc rc;
    if ((rc = sub(p, &first))) return rc;
    if (p->tok.kind != joiner) {
        *out = first;
        return ENC_OK;
    }
    enc_aud_node *n = node(p, kind, first->pos);
    kids k = {0};
    kids_push(&k, first);
    while (p->tok.kind == joiner) {
        enc_aud_node *next;
        if ((rc = advance(p)) || (rc = sub(p, &next))) break;
        kids_push(&k, next);
    }
    kids_take(p, &k, n);
    *out = n;
    return rc;
}

static enc_rc and_expr(parser *p, enc_aud_node **out)
{
    return chain(p, AUD_T_AND, AUD_N_AND, not_expr, out);
}

static enc_rc or_expr(parser *p, enc_aud_node **out)
{
    return chain(p, AUD_T_OR, AUD_N_OR, and_expr, out);
}

enc_rc enc_aud_parse(const char *src, size_t len, enc_arena *arena, enc_aud_node **out,
                     enc_aud_pos *where, enc_err *err)
{
    *out = NULL;
    parser p = {.arena = arena, .where = where, .err = err};
    if (len > ENC_AUD_MAX_SRC)
        return enc_aud_fail_at(err, where, (enc_aud_pos){1, 1},
                               "expression too long (%zu bytes; at most %d)", len, ENC_AUD_MAX_SRC);
    enc_aud_lex_init(&p.lx, src, len, arena);
    enc_rc rc = advance(&p);
    if (rc) return rc;
    if (p.tok.kind == AUD_T_EOF) return expected(&p, "an expression");
    enc_aud_node *n;
    if ((rc = or_expr(&p, &n))) return rc;
    if (p.tok.kind != AUD_T_EOF) {
        if (p.tok.kind == AUD_T_RPAREN)
            return enc_aud_fail_at(err, where, p.tok.pos, "unmatched ')'");
        return expected(&p, "'and', 'or' or the end of the expression");
    }
    *out = n;
    return ENC_OK;
}

/* ---- printing ---------------------------------------------------------------------------- */

const char *enc_aud_op_text(enc_aud_op op)
{
    static const char *const t[] = {"=", "!=", "<", "<=", ">", ">="};
    return op <= AUD_GE ? t[op] : "?";
}

static void print_str(enc_buf *b, const char *s, size_t n)
{
    enc_buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            enc_buf_addc(b, '\\');
            enc_buf_addc(b, (char)c);
        } else if (c == '\n') enc_buf_adds(b, "\\n");
        else if (c == '\t') enc_buf_adds(b, "\\t");
        else if (c == '\r') enc_buf_adds(b, "\\r");
        else if (c < 0x20 || c == 0x7f) enc_buf_printf(b, "\\u%04x", c);
        else enc_buf_addc(b, (char)c);
    }
    enc_buf_addc(b, '"');
}

/* An operand (of a comparison, a list, an argument): a comparison there came in parentheses
 * and keeps them, so that `a = (b = 1)` and f((a = 1)) print back to the same tree. */
static void print_operand(const enc_aud_node *n, enc_buf *b)
{
    bool paren = n->kind == AUD_N_CMP || n->kind == AUD_N_IN || n->kind == AUD_N_BETWEEN;
    if (paren) enc_buf_addc(b, '(');
    enc_aud_print(n, b);
    if (paren) enc_buf_addc(b, ')');
}

static void print_list(const enc_aud_node *n, int from, enc_buf *b)
{
    enc_buf_addc(b, '(');
    for (int i = from; i < n->nkid; i++) {
        if (i > from) enc_buf_adds(b, ", ");
        print_operand(n->kid[i], b);
    }
    enc_buf_addc(b, ')');
}

void enc_aud_print(const enc_aud_node *n, enc_buf *b)
{
    switch (n->kind) {
    case AUD_N_OR:
    case AUD_N_AND:
        enc_buf_addc(b, '(');
        for (int i = 0; i < n->nkid; i++) {
            if (i) enc_buf_adds(b, n->kind == AUD_N_OR ? " or " : " and ");
            enc_aud_print(n->kid[i], b);
        }
        enc_buf_addc(b, ')');
        break;
    case AUD_N_NOT:
        enc_buf_adds(b, "(not ");
        enc_aud_print(n->kid[0], b);
        enc_buf_addc(b, ')');
        break;
    case AUD_N_CMP:
        print_operand(n->kid[0], b);
        enc_buf_printf(b, " %s ", enc_aud_op_text(n->op));
        print_operand(n->kid[1], b);
        break;
    case AUD_N_IN:
        print_operand(n->kid[0], b);
        enc_buf_adds(b, n->neg ? " not in " : " in ");
        print_list(n, 1, b);
        break;
    case AUD_N_BETWEEN:
        print_operand(n->kid[0], b);
        enc_buf_adds(b, n->neg ? " not between " : " between ");
        print_operand(n->kid[1], b);
        enc_buf_adds(b, " and ");
        print_operand(n->kid[2], b);
        break;
    case AUD_N_NAME: enc_buf_add(b, n->text, n->len); break;
    case AUD_N_CALL:
        enc_buf_add(b, n->text, n->len);
        print_list(n, 0, b);
        break;
    case AUD_N_ARG:
        enc_buf_add(b, n->text, n->len);
        if (n->list) {
            enc_buf_adds(b, " in ");
            print_list(n, 0, b);
        } else {
            enc_buf_adds(b, " = ");
            print_operand(n->kid[0], b);
        }
        break;
    case AUD_N_NUM:
    case AUD_N_DUR: enc_buf_add(b, n->text, n->len); break;
    case AUD_N_STR: print_str(b, n->text, n->len); break;
    case AUD_N_BOOL: enc_buf_adds(b, n->num ? "true" : "false"); break;
    }
}
