/* eval.h — compiles a segment expression against the registry (fields.h) and evaluates it
 * over the columns of an env (columns.h) into a set of customers. Last step of the audience
 * stage, and the entry point for campaigns: text -> program -> bitset over the snapshot.
 *
 *   enc_aud_env *env;            // snapshot + store + now (columns.h)
 *   enc_aud_set set;
 *   if (enc_aud_select(env, expr, strlen(expr), &set, NULL, &err)) ... err.msg ...
 *   for i with enc_aud_set_has(&set, i): customer s->cust_id[i] is in the audience
 *   enc_aud_set_free(&set);
 *
 * Evaluation works on whole columns: each clause gives a bitset, and/or/not combine words,
 * comparisons run as branch-free loops, behaviour functions scan each selected customer's
 * orders/events once. Clauses of an and/or are run cheapest first, each only over the
 * customers still undecided. Semantics are in docs/audiences.md. Expression errors (syntax,
 * names, types) are ENC_EPARSE with "line L, column C: ..." in err. */
#ifndef ENCORE_AUDIENCE_EVAL_H
#define ENCORE_AUDIENCE_EVAL_H
#include "audience/columns.h"
#include "audience/lexer.h"
#include <stdbool.h>
#include <stdint.h>

#define ENC_AUD_MAX_SEGMENT_DEPTH 16 /* segment() inside saved segments */

/* A set of customers: bit i stands for the snapshot's customer i. The owner frees it with
 * enc_aud_set_free. */
typedef struct enc_aud_set {
    size_t n;    /* customers */
    uint64_t *w; /* (n + 63) / 64 words; bits past n are 0 */
} enc_aud_set;

void enc_aud_set_init(enc_aud_set *s, size_t n); /* empty set of n customers */
void enc_aud_set_free(enc_aud_set *s);
size_t enc_aud_set_count(const enc_aud_set *s);
static inline bool enc_aud_set_has(const enc_aud_set *s, size_t i)
{
    return (s->w[i >> 6] >> (i & 63)) & 1;
}
/* Writes the members' indexes in ascending order into idx (room for count); returns count. */
size_t enc_aud_set_indexes(const enc_aud_set *s, int32_t *idx);

typedef struct enc_aud_prog enc_aud_prog;

/* Compiles src[0, len) for env e (loading the columns it needs). The caller frees *out with
 * enc_aud_prog_free, before the env. *where (may be NULL) gets an error's position. */
enc_rc enc_aud_compile(enc_aud_env *e, const char *src, size_t len, enc_aud_prog **out,
                       enc_aud_pos *where, enc_err *err);
/* Checks src without data: syntax, names, types, arguments, value sets and saved segments
 * (read from st; st may be NULL: then segment() is unknown). self (may be NULL) is the name
 * src is about to be saved under, so that a segment() path back to it is a cycle. */
enc_rc enc_aud_check(enc_store *st, const char *self, const char *src, size_t len,
                     enc_aud_pos *where, enc_err *err);
/* Checks src as enc_aud_check does and says what its evaluation at `now` reads from the
 * snapshot: *out gets the parts and the windows' starts (bought(within = 30d) needs 30 days of
 * orders, a profile field none; store fields their part, all history). Load the snapshot with
 * enc_snapshot_load_opts(st, now, out, ...) (merged with the needs of other expressions or
 * columns, enc_snapshot_opts_merge); enc_aud_compile refuses a snapshot that lacks them. */
enc_rc enc_aud_needs(enc_store *st, const char *src, size_t len, int64_t now,
                     enc_snapshot_opts *out, enc_aud_pos *where, enc_err *err);
/* Evaluates p into *out (initialised here; free it with enc_aud_set_free). */
void enc_aud_run(const enc_aud_prog *p, enc_aud_set *out);
void enc_aud_prog_free(enc_aud_prog *p);
/* Canonical text of the compiled expression (enc_aud_print of its tree); owned by p. */
const char *enc_aud_prog_text(const enc_aud_prog *p);

/* Compile + run. */
enc_rc enc_aud_select(enc_aud_env *e, const char *src, size_t len, enc_aud_set *out,
                      enc_aud_pos *where, enc_err *err);

/* The names of the saved segments src refers to with segment("..."), not following them.
 * *names (an array of n strings) is allocated in arena. Fails only on a syntax error. */
enc_rc enc_aud_segment_refs(const char *src, size_t len, enc_arena *arena, const char ***names,
                            size_t *n, enc_err *err);
#endif
