/* cmd_audience.c — `encore audience count|preview|export|fields|check|save|list|show|delete`: the
 * segment language (src/audience) on the command line. count and export load the snapshot as
 * of --now, compile the expression against it and evaluate it over columns; save/list/show/
 * delete manage named segments in the store; fields lists the registry; preview is the segment
 * editor's count with a sample (audience/editor.h). Expression errors
 * exit 2 with the line, column and a caret under the place. */
#include "audience/eval.h"
#include "audience/parser.h"
#include "base/datetime.h"
#include "base/json.h"
#include "cli/cli.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audience/editor.h"
#include "cli/intel_cli.h"
#include "ingest/clean.h"
#include "store/store_analytics.h"
#include <jansson.h>

static const char usage[] =
    "usage: encore audience COMMAND [ARGS]\n"
    "  count EXPR [--now TIME] [--json]     customers matching EXPR, by lifecycle stage\n"
    "  export EXPR [--fields F1,F2,...] [--format csv|jsonl] [--out FILE] [--limit N]\n"
    "              [--now TIME]             write the matching customers\n"
    "  check EXPR [--json]                  check EXPR without data; print its canonical form\n"
    "  preview EXPR [--sample N] [--mask] [--now TIME] [--json]\n"
    "                                       count, a sample of N customers (default 10, at\n"
    "                                       most 100; --mask: personal data masked), timing\n"
    "  fields [--json]                      the fields and functions EXPR can use\n"
    "  save NAME EXPR [--json]              save (or replace) a named segment\n"
    "  list [--json]                        the saved segments\n"
    "  show NAME [--json]                   one saved segment\n"
    "  delete NAME [--force]                delete a saved segment (refused while another\n"
    "                                       uses it, unless --force)\n"
    "EXPR is one argument (quote it), or several joined with spaces; --file FILE reads it from\n"
    "a file ('-' for stdin). Example:\n"
    "  encore audience count 'lifecycle = \"dormant\" and clv > 200 and consent(\"sms\")'\n"
    "--now TIME: \"YYYY-MM-DD\" (midnight UTC), \"YYYY-MM-DD HH:MM:SS\" (UTC) or epoch seconds;\n"
    "default the current time. Windows (within = 30d) and *_days fields count to it, and the\n"
    "store is read as it was then. The language: docs/audiences.md, 'encore audience fields'.\n";

#define WHAT "audience"
#define DEFAULT_FIELDS "customer_id,email,orders,total_spent,last_order_days,lifecycle,clv"

typedef struct opts {
    const char *sub;
    const char **pos; /* positional words */
    int npos;
    bool json, force, mask;
    const char *now_s, *fields, *format, *out, *file, *limit_s, *sample_s;
} opts;

static int usage_err(const char *fmt, const char *arg)
{
    fprintf(stderr, "encore: %s: ", WHAT);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'encore audience --help')\n");
    return ENC_EXIT_USAGE;
}

/* Options anywhere; other words are positional ("--" ends the options; a word like -5 is an
 * expression word, not an option). */
static int parse_opts(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->pos = enc_xcalloc((size_t)argc + 1, sizeof *o->pos);
    bool dashdash = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (dashdash || a[0] != '-' || !a[1] || (a[1] >= '0' && a[1] <= '9') || a[1] == '.') {
            if (!o->sub) o->sub = a;
            else o->pos[o->npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            dashdash = true;
            continue;
        }
        const char **val = NULL;
        const char *name = a, *eq = strchr(a, '=');
        size_t nl = eq ? (size_t)(eq - a) : strlen(a);
#define IS(s) (nl == strlen(s) && strncmp(name, s, nl) == 0)
        if (IS("--json")) o->json = true;
        else if (IS("--force")) o->force = true;
        else if (IS("--mask")) o->mask = true;
        else if (IS("--sample")) val = &o->sample_s;
        else if (IS("--now")) val = &o->now_s;
        else if (IS("--fields")) val = &o->fields;
        else if (IS("--format")) val = &o->format;
        else if (IS("--out") || IS("-o")) val = &o->out;
        else if (IS("--file") || IS("-f")) val = &o->file;
        else if (IS("--limit")) val = &o->limit_s;
        else return usage_err("unknown option '%s'", a);
#undef IS
        if (!val && eq) return usage_err("option '%s' takes no value", a);
        if (val) {
            if (eq) *val = eq + 1;
            else if (i + 1 < argc) *val = argv[++i];
            else return usage_err("option '%s' needs a value", a);
        }
    }
    return ENC_EXIT_OK;
}

static int64_t parse_now(const char *s, bool *ok)
{
    *ok = true;
    if (!s) return (int64_t)time(NULL);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!errno && end != s && !*end) return v;
    int y, m, d, hh = 0, mm = 0, ss = 0;
    char c;
    size_t n = strlen(s);
    int got = sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &m, &d, &c, &hh, &mm, &ss);
    if (!((n == 10 && got == 3) || (n == 19 && got == 7 && (c == ' ' || c == 'T'))) ||
        !enc_date_valid(y, m, d) || hh > 23 || mm > 59 || ss > 59 || hh < 0 || mm < 0 || ss < 0) {
        *ok = false;
        return 0;
    }
    return enc_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/* The expression: --file, or the positional words from `from` joined with spaces. Caller
 * frees. NULL (message printed) on failure. */
static char *expression(const opts *o, int from, int *rc)
{
    if (o->file) {
        if (o->npos > from) {
            *rc =
                usage_err("give the expression either as arguments or with --file, not %s", "both");
            return NULL;
        }
        FILE *f = strcmp(o->file, "-") == 0 ? stdin : fopen(o->file, "rb");
        if (!f) {
            *rc = enc_cli_fail(WHAT, "cannot open %s: %s", o->file, strerror(errno));
            return NULL;
        }
        enc_buf b = {0};
        char chunk[4096];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
            enc_buf_add(&b, chunk, got);
            if (b.len > ENC_AUD_MAX_SRC) break;
        }
        if (f != stdin) fclose(f);
        if (b.len > ENC_AUD_MAX_SRC) {
            enc_buf_free(&b);
            *rc = enc_cli_fail(WHAT, "%s: expression too long (more than %d bytes)", o->file,
                               ENC_AUD_MAX_SRC);
            return NULL;
        }
        return b.p ? enc_buf_steal(&b) : enc_xstrdup("");
    }
    if (o->npos <= from) {
        *rc = usage_err("%s needs an expression", o->sub);
        return NULL;
    }
    enc_buf b = {0};
    for (int i = from; i < o->npos; i++) {
        if (i > from) enc_buf_addc(&b, ' ');
        enc_buf_adds(&b, o->pos[i]);
    }
    return enc_buf_steal(&b);
}

/* One UTF-8 character at s (a byte that starts no valid sequence counts as one). */
static size_t decode(const char *s, size_t n, unsigned *cp)
{
    size_t l = enc_aud_utf8_len((const unsigned char *)s, n);
    const unsigned char *u = (const unsigned char *)s;
    if (l <= 1) {
        *cp = u[0];
        return 1;
    }
    *cp = u[0] & (0xff >> (l + 1));
    for (size_t i = 1; i < l; i++) *cp = *cp << 6 | (u[i] & 0x3f);
    return l;
}

/* East Asian wide and fullwidth characters (two terminal cells; Unicode UAX #11 ranges). */
static bool wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f) ||
           (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
           (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
           (cp >= 0x20000 && cp <= 0x3fffd);
}

/* Prints an expression error with the source line and a caret under the position. */
static int expr_fail(const enc_err *err, const char *src, const enc_aud_pos *where)
{
    fprintf(stderr, "encore: %s: %s\n", WHAT, err->msg);
    if (err->rc != ENC_EPARSE) return ENC_EXIT_FAIL;
    if (where->line > 0 && src) {
        const char *p = src;
        for (int l = 1; l < where->line && p; l++) {
            p = strchr(p, '\n');
            if (p) p++;
        }
        if (p) {
            size_t n = strcspn(p, "\n");
            if (n <= 200) {
                fprintf(stderr, "  %.*s\n  ", (int)n, p);
                /* the caret under the column: tabs kept, two cells under wide (CJK) ones */
                int col = 1;
                for (size_t i = 0; i < n && col < where->col;) {
                    unsigned cp;
                    size_t l = decode(p + i, n - i, &cp);
                    fputs(cp == '\t' ? "\t" : wide(cp) ? "  " : " ", stderr);
                    i += l;
                    col++;
                }
                fputs("^\n", stderr);
            }
        }
    }
    return ENC_EXIT_USAGE;
}

static void fmt_time(char *out, size_t cap, int64_t t) { enc_fmt_datetime(out, cap, t); }

/* ---- count and export: data ---------------------------------------------------------------- */

typedef struct run {
    enc_store *st;
    enc_snapshot *snap;
    enc_aud_env *env;
    enc_aud_prog *prog;
    enc_aud_set set;
    int64_t now;
    double t_load, t_compile, t_run;
} run;

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_free(run *r)
{
    enc_aud_set_free(&r->set);
    enc_aud_prog_free(r->prog);
    enc_aud_env_free(r->env);
    enc_snapshot_free(r->snap);
    if (r->st) enc_store_close(r->st);
}

/* Reads the snapshot with what src needs plus `extra` (the columns export writes), compiles
 * and runs src. */
static int evaluate(enc_cli *cli, const opts *o, const char *src, const enc_snapshot_opts *extra,
                    run *r)
{
    memset(r, 0, sizeof *r);
    bool ok;
    r->now = parse_now(o->now_s, &ok);
    if (!ok)
        return usage_err("--now '%s': expected YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or epoch seconds",
                         o->now_s);
    enc_err err = {0};
    enc_aud_pos where = {0, 0};
    /* check first: a bad expression fails before the store is read, which is then read only
     * as far as the expression needs (a profile field: the customer ids alone) */
    if (enc_store_open(cli->db_path, &r->st, &err)) return enc_cli_fail_err(WHAT, &err);
    enc_snapshot_opts need;
    if (enc_aud_needs(r->st, src, strlen(src), r->now, &need, &where, &err))
        return expr_fail(&err, src, &where);
    if (extra) enc_snapshot_opts_merge(&need, extra);
    double t0 = seconds();
    if (enc_snapshot_load_opts(r->st, r->now, &need, &r->snap, &err))
        return enc_cli_fail_err(WHAT, &err);
    double t1 = seconds();
    enc_aud_env_new(r->snap, r->st, r->now, &r->env, &err);
    if (enc_aud_compile(r->env, src, strlen(src), &r->prog, &where, &err))
        return expr_fail(&err, src, &where);
    double t2 = seconds();
    enc_aud_run(r->prog, &r->set);
    double t3 = seconds();
    r->t_load = t1 - t0;
    r->t_compile = t2 - t1;
    r->t_run = t3 - t2;
    return ENC_EXIT_OK;
}

static int do_count(enc_cli *cli, const opts *o)
{
    int rc = 0;
    char *src = expression(o, 0, &rc);
    if (!src) return rc;
    run r;
    rc = evaluate(cli, o, src, NULL, &r);
    if (rc) {
        run_free(&r);
        free(src);
        return rc;
    }
    size_t n = r.snap->ncust, count = enc_aud_set_count(&r.set);
    enc_err err = {0};
    enc_aud_col lc;
    if (enc_aud_env_column(r.env, AUD_F_LIFECYCLE, &lc, &err)) {
        run_free(&r);
        free(src);
        return enc_cli_fail_err(WHAT, &err);
    }
    size_t *by = enc_xcalloc(lc.nnames + 1, sizeof *by); /* last: unscored */
    for (size_t w = 0; w < (n + 63) / 64; w++)
        for (uint64_t m = r.set.w[w]; m; m &= m - 1) {
            size_t i = w * 64 + (size_t)__builtin_ctzll(m);
            by[lc.txt[i] >= 0 ? (size_t)lc.txt[i] : lc.nnames]++;
        }
    char now[40];
    fmt_time(now, sizeof now, r.now);
    if (o->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "count", (int64_t)count);
        enc_jw_kint(&w, "customers", (int64_t)n);
        enc_jw_key(&w, "by_lifecycle");
        enc_jw_obj(&w);
        for (size_t k = 0; k < lc.nnames; k++)
            if (k < lc.ndomain || by[k]) enc_jw_kint(&w, lc.names[k], (int64_t)by[k]);
        enc_jw_kint(&w, "unscored", (int64_t)by[lc.nnames]);
        enc_jw_end(&w);
        enc_jw_kstr(&w, "expr", enc_aud_prog_text(r.prog));
        enc_jw_kstr(&w, "now", now);
        enc_jw_kint(&w, "profiles", (int64_t)enc_aud_env_profiles(r.env));
        enc_jw_key(&w, "seconds");
        enc_jw_obj(&w);
        enc_jw_knum(&w, "load", r.t_load);
        enc_jw_knum(&w, "compile", r.t_compile);
        enc_jw_knum(&w, "evaluate", r.t_run);
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("%zu of %zu customers (%.1f%%)\n", count, n,
               n ? 100.0 * (double)count / (double)n : 0.0);
        printf("  by lifecycle:");
        for (size_t k = 0; k < lc.nnames; k++)
            if (by[k]) printf(" %s %zu,", lc.names[k], by[k]);
        printf(" unscored %zu\n", by[lc.nnames]);
        printf("  as of %s UTC; profiles for %zu customers; evaluated in %.3f s (store read in "
               "%.3f s)\n",
               now, enc_aud_env_profiles(r.env), r.t_compile + r.t_run, r.t_load);
    }
    free(by);
    run_free(&r);
    free(src);
    return ENC_EXIT_OK;
}

/* ---- export -------------------------------------------------------------------------------- */

enum { X_FIELD, X_CUSTOMER_ID, X_ID, X_NAME, X_EMAIL, X_PHONE };
static const char *const extra_names[] = {"customer_id", "id", "name", "email", "phone", NULL};

typedef struct xcol {
    const char *name;
    int kind, f;
    enc_aud_col col;
} xcol;

/* Shortest decimal that reads back to v. */
static void fmt_num(char *out, size_t cap, double v)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(out, cap, "%.*g", p, v);
        if (strtod(out, NULL) == v) return;
    }
}

/* The value of column c for customer i as text (json: as a JSON value); false when missing. */
static bool cell(const xcol *c, const enc_snapshot *s, size_t i, const enc_contact *ct, bool json,
                 enc_buf *b)
{
    char tmp[64];
    const char *str = NULL;
    switch (c->kind) {
    case X_CUSTOMER_ID:
        if (s->cust_ext[i]) str = s->cust_ext[i];
        else snprintf(tmp, sizeof tmp, "#%lld", (long long)s->cust_id[i]), str = tmp;
        break;
    case X_ID: enc_buf_printf(b, "%lld", (long long)s->cust_id[i]); return true;
    case X_NAME: str = ct->name; break;
    case X_EMAIL: str = ct->email; break;
    case X_PHONE: str = ct->phone; break;
    default: {
        const enc_aud_col *col = &c->col;
        switch (col->type) {
        case AUD_TEXT:
            if (col->txt[i] < 0) return false;
            str = col->names[col->txt[i]];
            break;
        case AUD_LIST: {
            int64_t a = col->off[i], z = col->off[i + 1];
            if (json) {
                enc_buf_addc(b, '[');
                for (int64_t k = a; k < z; k++) {
                    if (k > a) enc_buf_addc(b, ',');
                    enc_json_escape(b, col->names[col->item[k]], strlen(col->names[col->item[k]]));
                }
                enc_buf_addc(b, ']');
                return true;
            }
            if (a == z) return false;
            enc_buf t = {0};
            for (int64_t k = a; k < z; k++) {
                if (k > a) enc_buf_addc(&t, '|');
                enc_buf_adds(&t, col->names[col->item[k]]);
            }
            bool r = cell(&(xcol){.kind = X_NAME}, s, i, &(enc_contact){.name = t.p}, json, b);
            enc_buf_free(&t);
            return r;
        }
        default: {
            double v = col->num[i];
            if (isnan(v)) return false;
            if (col->type == AUD_MONEY) {
                enc_money_format(tmp, sizeof tmp, llround(v), 2);
            } else if (col->type == AUD_DAYS) {
                fmt_num(tmp, sizeof tmp, round(v * 100) / 100);
            } else if (col->type == AUD_TIME) {
                fmt_time(tmp, sizeof tmp, (int64_t)v);
                str = tmp;
                break;
            } else {
                fmt_num(tmp, sizeof tmp, v);
            }
            enc_buf_adds(b, tmp);
            return true;
        }
        }
    }
    }
    if (!str) return false;
    if (json) {
        enc_json_escape(b, str, strlen(str));
    } else if (strpbrk(str, ",\"\r\n")) { /* RFC 4180: quote, doubling quotes */
        enc_buf_addc(b, '"');
        for (const char *p = str; *p; p++) {
            if (*p == '"') enc_buf_addc(b, '"');
            enc_buf_addc(b, *p);
        }
        enc_buf_addc(b, '"');
    } else {
        enc_buf_adds(b, str);
    }
    return true;
}

static int do_export(enc_cli *cli, const opts *o)
{
    bool jsonl = false;
    if (o->format && strcmp(o->format, "jsonl") == 0) jsonl = true;
    else if (o->format && strcmp(o->format, "csv") != 0)
        return usage_err("--format '%s': expected csv or jsonl", o->format);
    long limit = -1;
    if (o->limit_s && !enc_cli_parse_long(o->limit_s, 0, 2000000000L, &limit))
        return usage_err("--limit '%s': expected a whole number", o->limit_s);
    /* the columns */
    const char *spec = o->fields ? o->fields : DEFAULT_FIELDS;
    xcol *cols = NULL;
    size_t nc = 0, cap = 0;
    bool contacts = false;
    char *specbuf = enc_xstrdup(spec);
    for (char *save = NULL, *tok = strtok_r(specbuf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        size_t l = strlen(tok);
        while (l && tok[l - 1] == ' ') tok[--l] = 0;
        if (!l) continue;
        xcol c = {.name = tok, .kind = X_FIELD, .f = -1};
        for (int k = 0; extra_names[k]; k++)
            if (strcmp(tok, extra_names[k]) == 0) c.kind = X_CUSTOMER_ID + k;
        if (c.kind == X_FIELD) {
            c.f = enc_aud_field_find(tok, l);
            if (c.f < 0 || enc_aud_fields[c.f].from == AUD_FROM_FUNC) {
                const char *sug = enc_aud_suggest(tok, l, false);
                if (!sug) sug = enc_aud_suggest_in(tok, l, extra_names);
                fprintf(stderr, "encore: %s: --fields: unknown field '%s'", WHAT, tok);
                if (sug) fprintf(stderr, " (did you mean '%s'?)", sug);
                fprintf(stderr, "\n");
                free(cols);
                free(specbuf);
                return ENC_EXIT_USAGE;
            }
        }
        if (c.kind >= X_NAME) contacts = true;
        ENC_GROW(cols, cap, nc + 1);
        cols[nc++] = c;
    }
    if (!nc) {
        free(specbuf);
        return usage_err("--fields '%s': no field named", spec);
    }
    int rc = 0;
    char *src = expression(o, 0, &rc);
    if (!src) {
        free(cols);
        free(specbuf);
        return rc;
    }
    /* what the columns read from the snapshot besides the expression */
    enc_snapshot_opts extra = {0, 0, 0};
    for (size_t k = 0; k < nc; k++) {
        if (cols[k].kind == X_FIELD) enc_aud_column_needs(cols[k].f, &extra);
        if (cols[k].kind == X_CUSTOMER_ID)
            enc_snapshot_opts_merge(&extra, &(enc_snapshot_opts){ENC_SNAP_CUSTOMERS, 0, 0});
    }
    run r;
    rc = evaluate(cli, o, src, &extra, &r);
    enc_err err = {0};
    for (size_t k = 0; !rc && k < nc; k++)
        if (cols[k].kind == X_FIELD && enc_aud_env_column(r.env, cols[k].f, &cols[k].col, &err))
            rc = enc_cli_fail_err(WHAT, &err);
    FILE *out = stdout;
    if (!rc && o->out && !(out = fopen(o->out, "wb"))) {
        rc = enc_cli_fail(WHAT, "cannot write %s: %s", o->out, strerror(errno));
        out = stdout;
    }
    size_t count = 0;
    if (!rc) {
        size_t total = enc_aud_set_count(&r.set);
        if (limit >= 0 && (size_t)limit < total) total = (size_t)limit;
        int32_t *idx = enc_xmalloc((enc_aud_set_count(&r.set) + 1) * sizeof *idx);
        enc_aud_set_indexes(&r.set, idx);
        enc_contact *ct = contacts ? enc_xcalloc(total + 1, sizeof *ct) : NULL;
        if (contacts) {
            int64_t *ids = enc_xmalloc((total + 1) * sizeof *ids);
            for (size_t k = 0; k < total; k++) ids[k] = r.snap->cust_id[idx[k]];
            if (enc_store_contacts(r.st, ids, total, ct, &err)) rc = enc_cli_fail_err(WHAT, &err);
            free(ids);
        }
        enc_buf b = {0};
        if (!rc && !jsonl) {
            for (size_t k = 0; k < nc; k++) {
                if (k) enc_buf_addc(&b, ',');
                enc_buf_adds(&b, cols[k].name);
            }
            enc_buf_addc(&b, '\n');
        }
        enc_contact none = {0};
        for (size_t j = 0; !rc && j < total; j++) {
            size_t i = (size_t)idx[j];
            if (jsonl) enc_buf_addc(&b, '{');
            for (size_t k = 0; k < nc; k++) {
                if (k) enc_buf_addc(&b, ',');
                if (jsonl) {
                    enc_json_escape(&b, cols[k].name, strlen(cols[k].name));
                    enc_buf_addc(&b, ':');
                }
                if (!cell(&cols[k], r.snap, i, ct ? &ct[j] : &none, jsonl, &b) && jsonl)
                    enc_buf_adds(&b, "null");
            }
            enc_buf_adds(&b, jsonl ? "}\n" : "\n");
            if (b.len > (1 << 16)) {
                fwrite(b.p, 1, b.len, out);
                enc_buf_reset(&b);
            }
            count++;
        }
        if (b.len) fwrite(b.p, 1, b.len, out);
        enc_buf_free(&b);
        if (ct) {
            enc_store_contacts_free(ct, total);
            free(ct);
        }
        free(idx);
        if (fflush(out) != 0 || ferror(out))
            rc = enc_cli_fail(WHAT, "writing %s: %s", o->out ? o->out : "stdout", strerror(errno));
    }
    if (out != stdout) {
        if (fclose(out) != 0 && !rc)
            rc = enc_cli_fail(WHAT, "writing %s: %s", o->out, strerror(errno));
        if (!rc) fprintf(stderr, "exported %zu customers to %s\n", count, o->out);
    }
    run_free(&r);
    free(src);
    free(cols);
    free(specbuf);
    return rc;
}

/* ---- check, fields ------------------------------------------------------------------------- */

static int do_check(enc_cli *cli, const opts *o)
{
    int rc = 0;
    char *src = expression(o, 0, &rc);
    if (!src) return rc;
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) {
        free(src);
        return enc_cli_fail_err(WHAT, &err);
    }
    enc_aud_pos where = {0, 0};
    rc = enc_aud_check(st, NULL, src, strlen(src), &where, &err);
    enc_store_close(st);
    if (rc) {
        rc = expr_fail(&err, src, &where);
        free(src);
        return rc;
    }
    enc_arena *a = enc_arena_new(1 << 14);
    enc_aud_node *ast;
    enc_aud_parse(src, strlen(src), a, &ast, NULL, &err);
    enc_buf canon = {0};
    enc_aud_print(ast, &canon);
    if (o->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kbool(&w, "ok", true);
        enc_jw_kstr(&w, "expr", canon.p);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("ok: %s\n", canon.p);
    }
    enc_buf_free(&canon);
    enc_arena_free(a);
    free(src);
    return ENC_EXIT_OK;
}

/* preview: the segment editor's count with a sample (audience/editor.h), the same document as
 * POST /v1/segments/count */
static int do_preview(enc_cli *cli, const opts *o)
{
    long sample = 10;
    if (o->sample_s && !enc_cli_parse_long(o->sample_s, 0, ENC_AUD_SAMPLE_MAX, &sample))
        return usage_err("--sample '%s': expected 0 to 100", o->sample_s);
    bool ok;
    int64_t now = parse_now(o->now_s, &ok);
    if (!ok)
        return usage_err("--now '%s': expected YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or epoch seconds",
                         o->now_s);
    int rc = 0;
    char *src = expression(o, 0, &rc);
    if (!src) return rc;
    enc_score_config cfg;
    rc = enc__load_config(cli, WHAT, NULL, &cfg);
    if (rc) {
        free(src);
        return rc;
    }
    int digits = cfg.money_digits;
    enc_score_config_free(&cfg);
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) {
        free(src);
        return enc_cli_fail_err(WHAT, &err);
    }
    char currency[8] = "";
    if (enc_store_currency(st, currency, sizeof currency, &err)) {
        enc_store_close(st);
        free(src);
        return enc_cli_fail_err(WHAT, &err);
    }
    if (currency[0] && enc_currency_digits(currency) >= 0) digits = enc_currency_digits(currency);
    enc_aud_preview_opts po = {now, (int)sample, o->mask, digits, currency[0] ? currency : NULL};
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_aud_pos where = {0, 0};
    if (enc_aud_preview_json(st, src, strlen(src), &po, &w, &where, &err)) {
        enc_store_close(st);
        enc_buf_free(&b);
        rc = expr_fail(&err, src, &where);
        free(src);
        return rc;
    }
    enc_store_close(st);
    free(src);
    if (o->json) {
        enc_cli_print(&b);
        enc_buf_free(&b);
        return ENC_EXIT_OK;
    }
    json_t *d = json_loads(b.p, 0, NULL);
    enc_buf_free(&b);
    long long count = json_integer_value(json_object_get(d, "count")),
              total = json_integer_value(json_object_get(d, "total"));
    printf("%lld of %lld customers (%.1f%%) in %.1f ms: %s\n", count, total,
           total ? 100.0 * (double)count / (double)total : 0.0,
           json_number_value(json_object_get(d, "ms")),
           json_string_value(json_object_get(d, "expression")));
    json_t *smp = json_object_get(d, "sample"), *x;
    size_t i;
    if (json_array_size(smp))
        printf("\n%-8s %-12s %-16s %-26s %6s %12s %-10s %-20s %10s %6s\n", "id", "customer", "name",
               "email", "orders", "revenue", "lifecycle", "rfm segment", "clv", "churn");
    json_array_foreach(smp, i, x)
    {
#define S(k)                                                                                       \
    (json_string_value(json_object_get(x, k)) ? json_string_value(json_object_get(x, k)) : "-")
        char rev[48] = "-", clv[48] = "-", churn[16] = "-";
        json_t *v = json_object_get(x, "revenue");
        if (json_is_number(v)) snprintf(rev, sizeof rev, "%.*f", digits, json_number_value(v));
        v = json_object_get(x, "clv");
        if (json_is_number(v)) snprintf(clv, sizeof clv, "%.*f", digits, json_number_value(v));
        v = json_object_get(x, "churn_risk");
        if (json_is_number(v)) snprintf(churn, sizeof churn, "%.2f", json_number_value(v));
        printf("#%-7lld %-12.12s %-16.16s %-26.26s %6lld %12s %-10.10s %-20.20s %10s %6s\n",
               (long long)json_integer_value(json_object_get(x, "id")), S("customer_id"), S("name"),
               S("email"), (long long)json_integer_value(json_object_get(x, "orders")), rev,
               S("lifecycle"), S("rfm_segment"), clv, churn);
#undef S
    }
    json_decref(d);
    return ENC_EXIT_OK;
}

static int do_fields(const opts *o)
{
    if (o->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_aud_registry_json(&w); /* the API's GET /v1/segments/fields too */
        enc_cli_print(&b);
        enc_buf_free(&b);
        return ENC_EXIT_OK;
    }
    const char *heads[] = {"fields from the store (as of --now)",
                           "fields from the profiles table "
                           "(the latest scoring run; missing without a profile)",
                           "functions"};
    for (int pass = 0; pass < 3; pass++) {
        printf("%s%s:\n", pass ? "\n" : "", heads[pass]);
        for (int f = 0; f < AUD_F_COUNT; f++) {
            const enc_aud_field *d = &enc_aud_fields[f];
            if ((int)d->from != pass) continue;
            if (pass == 2) {
                char sig[160];
                snprintf(sig, sizeof sig, "%s(%s)", d->name, d->column);
                printf("  %s\n      %s -> %s; e.g. %s\n", sig, d->help, enc_aud_type_name(d->type),
                       d->example);
            } else {
                printf("  %-24s %-6s %s; e.g. %s\n", d->name, enc_aud_type_name(d->type), d->help,
                       d->example);
            }
            if (d->domain && pass < 2) {
                char list[600];
                enc_aud_domain_list(d->domain, list, sizeof list);
                printf("  %-24s        values: %s\n", "", list);
            }
        }
    }
    printf(
        "\nmoney compares in currency units (clv > 200 means 200.00); days accept durations "
        "(30d, 12h); times accept dates (\"2025-01-31\", UTC). docs/audiences.md has the rest.\n");
    return ENC_EXIT_OK;
}

/* ---- saved segments ------------------------------------------------------------------------ */

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '-') return false;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) return false;
        size_t l = enc_aud_utf8_len((const unsigned char *)s + i, n - i);
        if (!l) return false;
        i += l;
    }
    return true;
}

static int open_store(enc_cli *cli, enc_store **st)
{
    enc_err err = {0};
    if (enc_store_open(cli->db_path, st, &err)) return enc_cli_fail_err(WHAT, &err);
    return 0;
}

static int do_save(enc_cli *cli, const opts *o)
{
    if (o->npos < 1) return usage_err("%s needs a NAME and an expression", "save");
    const char *name = o->pos[0];
    if (!valid_name(name))
        return usage_err("segment name '%s': 1 to 64 bytes of UTF-8 text, no control characters, "
                         "not starting with '-'",
                         name);
    int rc = 0;
    char *src = expression(o, 1, &rc);
    if (!src) return rc;
    enc_store *st;
    if ((rc = open_store(cli, &st))) {
        free(src);
        return rc;
    }
    enc_err err = {0};
    enc_aud_pos where = {0, 0};
    if (enc_aud_check(st, name, src, strlen(src), &where, &err)) {
        rc = expr_fail(&err, src, &where);
    } else {
        bool created;
        if (enc_store_segment_put(st, name, src, (int64_t)time(NULL), &created, &err)) {
            rc = enc_cli_fail_err(WHAT, &err);
        } else if (o->json) {
            enc_buf b = {0};
            enc_jw w;
            enc_jw_init(&w, &b);
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "name", name);
            enc_jw_kstr(&w, "expr", src);
            enc_jw_kbool(&w, "created", created);
            enc_jw_end(&w);
            enc_cli_print(&b);
            enc_buf_free(&b);
        } else {
            printf("%s segment '%s'\n", created ? "saved" : "replaced", name);
        }
    }
    enc_store_close(st);
    free(src);
    return rc;
}

static int do_list(enc_cli *cli, const opts *o)
{
    enc_store *st;
    int rc = open_store(cli, &st);
    if (rc) return rc;
    enc_err err = {0};
    enc_segment_rec *v;
    size_t n;
    if (enc_store_segment_list(st, &v, &n, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err(WHAT, &err);
    }
    enc_store_close(st);
    char t1[40], t2[40];
    if (o->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_key(&w, "segments");
        enc_jw_arr(&w);
        for (size_t i = 0; i < n; i++) {
            fmt_time(t1, sizeof t1, v[i].created_at);
            fmt_time(t2, sizeof t2, v[i].updated_at);
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "name", v[i].name);
            enc_jw_kstr(&w, "expr", v[i].expr);
            enc_jw_kstr(&w, "created_at", t1);
            enc_jw_kstr(&w, "updated_at", t2);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else if (!n) {
        printf("no saved segments (encore audience save NAME EXPR)\n");
    } else {
        size_t wn = 4;
        for (size_t i = 0; i < n; i++)
            if (strlen(v[i].name) > wn) wn = strlen(v[i].name);
        printf("%-*s  %-19s  %s\n", (int)wn, "name", "updated (UTC)", "expression");
        for (size_t i = 0; i < n; i++) {
            fmt_time(t2, sizeof t2, v[i].updated_at);
            /* one line per segment: line breaks of the expression shown as spaces */
            printf("%-*s  %s  ", (int)wn, v[i].name, t2);
            for (const char *p = v[i].expr; *p; p++) putchar(*p == '\n' || *p == '\r' ? ' ' : *p);
            putchar('\n');
        }
    }
    enc_store_segment_list_free(v, n);
    return ENC_EXIT_OK;
}

/* Names of the other segments whose expression refers to `name`. */
static size_t users_of(enc_store *st, const char *name, char ***out, enc_err *err, enc_rc *rc)
{
    *out = NULL;
    enc_segment_rec *v;
    size_t n, k = 0;
    if ((*rc = enc_store_segment_list(st, &v, &n, err))) return 0;
    char **users = enc_xcalloc(n + 1, sizeof *users);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].name, name) == 0) continue;
        enc_arena *a = enc_arena_new(1 << 12);
        const char **refs;
        size_t nr;
        enc_err e2 = {0};
        if (!enc_aud_segment_refs(v[i].expr, strlen(v[i].expr), a, &refs, &nr, &e2))
            for (size_t j = 0; j < nr; j++)
                if (strcmp(refs[j], name) == 0) {
                    users[k++] = enc_xstrdup(v[i].name);
                    break;
                }
        enc_arena_free(a);
    }
    enc_store_segment_list_free(v, n);
    *out = users;
    return k;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static int do_show(enc_cli *cli, const opts *o)
{
    if (o->npos != 1) return usage_err("%s needs one segment NAME", "show");
    const char *name = o->pos[0];
    enc_store *st;
    int rc = open_store(cli, &st);
    if (rc) return rc;
    enc_err err = {0};
    char *expr;
    int64_t created, updated;
    enc_rc r = enc_store_segment_get(st, name, &expr, &created, &updated, &err);
    if (r) {
        enc_store_close(st);
        return enc_cli_fail_err(WHAT, &err);
    }
    char **users;
    size_t nu = users_of(st, name, &users, &err, &r);
    enc_arena *a = enc_arena_new(1 << 12);
    const char **refs = NULL;
    size_t nr = 0;
    enc_err e2 = {0};
    enc_aud_segment_refs(expr, strlen(expr), a, &refs, &nr, &e2);
    enc_store_close(st);
    if (r) {
        free(expr);
        enc_arena_free(a);
        return enc_cli_fail_err(WHAT, &err);
    }
    char t1[40], t2[40];
    fmt_time(t1, sizeof t1, created);
    fmt_time(t2, sizeof t2, updated);
    if (o->json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "name", name);
        enc_jw_kstr(&w, "expr", expr);
        enc_jw_kstr(&w, "created_at", t1);
        enc_jw_kstr(&w, "updated_at", t2);
        enc_jw_key(&w, "uses");
        enc_jw_arr(&w);
        for (size_t i = 0; i < nr; i++) enc_jw_str(&w, refs[i]);
        enc_jw_end(&w);
        enc_jw_key(&w, "used_by");
        enc_jw_arr(&w);
        for (size_t i = 0; i < nu; i++) enc_jw_str(&w, users[i]);
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("segment  %s\ncreated  %s UTC\nupdated  %s UTC\n", name, t1, t2);
        if (nr) {
            printf("uses    ");
            for (size_t i = 0; i < nr; i++) printf(" %s", refs[i]);
            printf("\n");
        }
        if (nu) {
            printf("used by ");
            for (size_t i = 0; i < nu; i++) printf(" %s", users[i]);
            printf("\n");
        }
        printf("%s\n", expr);
    }
    free_names(users, nu);
    enc_arena_free(a);
    free(expr);
    return ENC_EXIT_OK;
}

static int do_delete(enc_cli *cli, const opts *o)
{
    if (o->npos != 1) return usage_err("%s needs one segment NAME", "delete");
    const char *name = o->pos[0];
    enc_store *st;
    int rc = open_store(cli, &st);
    if (rc) return rc;
    enc_err err = {0};
    enc_rc r = enc_store_segment_get(st, name, NULL, NULL, NULL, &err);
    char **users = NULL;
    size_t nu = 0;
    if (!r) nu = users_of(st, name, &users, &err, &r);
    if (!r && nu && !o->force) {
        enc_buf b = {0};
        for (size_t i = 0; i < nu; i++) enc_buf_printf(&b, "%s'%s'", i ? ", " : "", users[i]);
        rc = enc_cli_fail(WHAT, "segment '%s' is used by %s (change those first, or use --force)",
                          name, b.p);
        enc_buf_free(&b);
    } else if (!r) {
        r = enc_store_segment_delete(st, name, &err);
    }
    if (r) rc = enc_cli_fail_err(WHAT, &err);
    else if (!rc) printf("deleted segment '%s'\n", name);
    free_names(users, nu);
    enc_store_close(st);
    return rc;
}

static int do_fields_cmd(enc_cli *cli, const opts *o)
{
    (void)cli;
    return o->npos ? usage_err("fields takes no argument%s", "") : do_fields(o);
}

static int do_list_cmd(enc_cli *cli, const opts *o)
{
    return o->npos ? usage_err("list takes no argument%s", "") : do_list(cli, o);
}

/* The commands and the options each takes. */
static const struct {
    const char *name, *opts;
    int (*fn)(enc_cli *cli, const opts *o);
} commands[] = {
    {"count", "now json file", do_count}, {"export", "now fields format out limit file", do_export},
    {"check", "json file", do_check},     {"preview", "now json file sample mask", do_preview},
    {"fields", "json", do_fields_cmd},    {"save", "json file", do_save},
    {"list", "json", do_list_cmd},        {"show", "json", do_show},
    {"delete", "force", do_delete},
};

int cmd_audience(enc_cli *cli, int argc, char **argv)
{
    if (argc < 2) return enc_cli_usage(WHAT, usage, "needs a command");
    if (strcmp(argv[1], "help") == 0 || enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    opts o;
    int rc = parse_opts(argc, argv, &o);
    const char *sub = o.sub ? o.sub : "";
    size_t k = 0, nk = sizeof commands / sizeof *commands;
    while (!rc && k < nk && strcmp(commands[k].name, sub) != 0) k++;
    if (!rc && !o.sub) rc = enc_cli_usage(WHAT, usage, "needs a command");
    else if (!rc && k == nk) rc = enc_cli_usage(WHAT, usage, "unknown command '%s'", sub);
    const struct {
        const char *name;
        bool given;
    } given[] = {{"now", o.now_s},     {"json", o.json},     {"file", o.file},
                 {"fields", o.fields}, {"format", o.format}, {"out", o.out},
                 {"limit", o.limit_s}, {"force", o.force},   {"sample", o.sample_s},
                 {"mask", o.mask}};
    for (size_t g = 0; !rc && g < sizeof given / sizeof *given; g++) {
        if (!given[g].given) continue;
        const char *p = strstr(commands[k].opts, given[g].name);
        size_t l = strlen(given[g].name);
        if (!p || (p[l] && p[l] != ' ')) {
            fprintf(stderr, "encore: %s: %s takes no --%s (see 'encore audience --help')\n", WHAT,
                    sub, given[g].name);
            rc = ENC_EXIT_USAGE;
        }
    }
    if (!rc) rc = commands[k].fn(cli, &o);
    free(o.pos);
    return rc;
}
