/* opts.c — the one option parser of the commands and the --help it prints (see opts.h). The
 * setup a registry row asks for (store, config) is done here, after a successful parse, so a
 * usage error or --help never touches the store. */
#include "cli/opts.h"
#include "base/datetime.h"
#include "cli/intel_cli.h"
#include "store/store.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char json_help[] = "one JSON document on stdout (default: text for people)";

int enc_opts_error(const enc_cli *cli, const enc_usage *u, const enc_opt *opts, const char *fmt,
                   ...)
{
    va_list ap;
    fprintf(stderr, "encore: %s: ", u->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    enc_opts_usage(cli, u, opts, stderr);
    return ENC_EXIT_USAGE;
}
#define usage_err enc_opts_error

/* the value's name in --help: a long list of choices is "WORD", the list goes below */
static const char *argh_of(const enc_opt *o)
{
    return o->kind == ENC_OPT_CHOICE && strlen(o->argh) > 20 ? "WORD" : o->argh;
}

void enc_opts_usage(const enc_cli *cli, const enc_usage *u, const enc_opt *opts, FILE *to)
{
    /* "usage: encore NAME " before the first synopsis line and "encore NAME " before each other
     * form; a line that starts with a space goes on with the line above */
    const char *s = u->synopsis ? u->synopsis : "";
    fprintf(to, "usage: encore %s", u->name);
    for (bool first = true; first || *s; first = false) {
        const char *nl = strchr(s, '\n');
        int n = nl ? (int)(nl - s) : (int)strlen(s);
        if (first) fprintf(to, "%s%.*s\n", n ? " " : "", n, s);
        else if (*s == ' ') /* a line that goes on: under the first line's options */
            fprintf(to, "       %*s%.*s\n", (int)strlen("encore ") + (int)strlen(u->name), "", n,
                    s);
        else fprintf(to, "       encore %s %.*s\n", u->name, n, s);
        s += n + (nl != NULL);
    }
    if (u->about) fprintf(to, "%s%s", u->about, u->about[strlen(u->about) - 1] == '\n' ? "" : "\n");
    int w = 6; /* "--help" */
    bool json = cli && (cli->flags & ENC_CMD_JSON);
    for (const enc_opt *o = opts; o && o->kind; o++) {
        int l = 2 + (int)strlen(o->name) + (o->argh ? 1 + (int)strlen(argh_of(o)) : 0);
        if (l > w) w = l;
    }
    fputs("options:\n", to);
    for (const enc_opt *o = opts; o && o->kind; o++) {
        char left[160];
        snprintf(left, sizeof left, "--%.60s%s%.60s", o->name, o->argh ? " " : "",
                 o->argh ? argh_of(o) : "");
        /* a help with "\n" goes on under its first line */
        fprintf(to, "  %-*s  ", w, left);
        for (const char *h = o->help ? o->help : ""; *h; h++) {
            fputc(*h, to);
            if (*h == '\n') fprintf(to, "  %-*s  ", w, "");
        }
        if (o->kind == ENC_OPT_CHOICE && argh_of(o) != o->argh)
            fprintf(to, "\n  %-*s  one of %s", w, "", o->argh);
        fputc('\n', to);
    }
    if (json) fprintf(to, "  %-*s  %s\n", w, "--json", json_help);
    fprintf(to, "  %-*s  %s\n", w, "--help", "this text");
}

/* v is one of the '|'-separated words of list */
static bool choice_ok(const char *list, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == n && memcmp(p, v, n) == 0) return true;
        p += l + (bar != NULL);
    }
    return false;
}

/* Stores the value v of option o: ENC_OPTS_GO, or ENC_EXIT_USAGE (message printed). */
static int set_value(const enc_cli *cli, const enc_usage *u, const enc_opt *opts, const enc_opt *o,
                     const char *v)
{
    long l;
    double d;
    bool timed;
    int64_t t;
    switch (o->kind) {
    case ENC_OPT_STRING: *(const char **)o->value = v; break;
    case ENC_OPT_STRING_LIST: {
        enc_strlist *list = o->value;
        if (list->n >= ENC_STRLIST_MAX)
            return usage_err(cli, u, opts, "--%s: given more than %d times", o->name,
                             ENC_STRLIST_MAX);
        list->v[list->n++] = v;
        break;
    }
    case ENC_OPT_CHOICE:
        if (!choice_ok(o->argh, v)) {
            /* "a|b|c" said as "a, b or c" */
            char words[160];
            size_t n = 0, bars = 0;
            for (const char *p = o->argh; *p; p++) bars += *p == '|';
            for (const char *p = o->argh; *p && n + 8 < sizeof words; p++) {
                if (*p != '|') words[n++] = *p;
                else if (--bars) n += (size_t)snprintf(words + n, sizeof words - n, ", ");
                else n += (size_t)snprintf(words + n, sizeof words - n, " or ");
            }
            words[n] = 0;
            return usage_err(cli, u, opts, "--%s: '%.60s' is not %s", o->name, v, words);
        }
        *(const char **)o->value = v;
        break;
    case ENC_OPT_INT:
        if (!enc_cli_parse_long(v, (long)o->min, (long)o->max, &l)) {
            char why[160];
            snprintf(why, sizeof why, "'%.60s' is not %.0f to %.0f", v, o->min, o->max);
            return usage_err(cli, u, opts, "--%s: %s", o->name, why);
        }
        *(long *)o->value = l;
        break;
    case ENC_OPT_DOUBLE:
        if (!enc_cli_parse_double(v, o->min, o->max, &d)) {
            char why[160];
            snprintf(why, sizeof why, "'%.60s' is not a number from %g to %g", v, o->min, o->max);
            return usage_err(cli, u, opts, "--%s: %s", o->name, why);
        }
        *(double *)o->value = d;
        break;
    case ENC_OPT_TIME:
    case ENC_OPT_DAY_END:
        if (!enc_time_parse(v, &t, &timed)) {
            char why[160];
            snprintf(why, sizeof why, "'%.60s' is not a time (%s)", v, ENC_TIME_FORMS);
            return usage_err(cli, u, opts, "--%s: %s", o->name, why);
        }
        if (o->kind == ENC_OPT_DAY_END && !timed) t += ENC_AS_OF_DAY;
        *(int64_t *)o->value = t;
        break;
    default: break;
    }
    return ENC_OPTS_GO;
}

/* The option named by a ("--name" or "--name=value"), or NULL. */
static const enc_opt *find(const enc_opt *opts, const char *a, const char **eq)
{
    const char *name = a + 2;
    *eq = strchr(name, '=');
    size_t n = *eq ? (size_t)(*eq - name) : strlen(name);
    for (const enc_opt *o = opts; o && o->kind; o++)
        if (strlen(o->name) == n && memcmp(o->name, name, n) == 0) return o;
    return NULL;
}

int enc_opts_setup(enc_cli *cli, const enc_usage *u)
{
    if ((cli->flags & ENC_CMD_CONFIG) && !cli->config_loaded) {
        int x = enc__money_digits(cli, u->name, &cli->money_digits);
        if (x) return x;
        cli->config_loaded = true;
    }
    if ((cli->flags & ENC_CMD_STORE) && !cli->st) {
        enc_err err = {0};
        if (enc_store_open(cli->db_path, &cli->st, &err)) {
            cli->st = NULL;
            return enc_cli_fail_err(u->name, &err);
        }
    }
    return ENC_OPTS_GO;
}

int enc_opts_parse(enc_cli *cli, const enc_usage *u, const enc_opt *opts, int argc, char **argv,
                   int *nargs)
{
    bool json_ok = cli && (cli->flags & ENC_CMD_JSON);
    int npos = 0;
    bool dashdash = false;
    /* --help anywhere before "--" wins over every error */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            enc_opts_usage(cli, u, opts, stdout);
            return ENC_EXIT_OK;
        }
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (dashdash || a[0] != '-' || a[1] == 0) {
            argv[1 + npos++] = a; /* npos <= i - 1: never overwrites what is still to read */
            continue;
        }
        if (strcmp(a, "--") == 0) {
            dashdash = true;
            continue;
        }
        if (a[1] != '-') return usage_err(cli, u, opts, "unknown option '%s'", a);
        if (json_ok && strcmp(a, "--json") == 0) {
            cli->json = true;
            continue;
        }
        const char *eq;
        const enc_opt *o = find(opts, a, &eq);
        if (!o) return usage_err(cli, u, opts, "unknown option '%s'", a);
        if (o->kind == ENC_OPT_BOOL) {
            if (eq) return usage_err(cli, u, opts, "--%s takes no value", o->name);
            *(bool *)o->value = true;
        } else {
            const char *v = eq ? eq + 1 : NULL;
            if (!v && i + 1 < argc) v = argv[++i];
            if (!v)
                return usage_err(cli, u, opts, "--%s needs a value (%s)", o->name,
                                 o->argh ? o->argh : "VALUE");
            int x = set_value(cli, u, opts, o, v);
            if (x != ENC_OPTS_GO) return x;
        }
        if (o->given) *o->given = true;
    }
    if (npos > u->max_args || npos < u->min_args) {
        if (npos < u->min_args && u->args_msg) return usage_err(cli, u, opts, "%s", u->args_msg);
        if (npos > u->max_args && u->extra_msg) return usage_err(cli, u, opts, "%s", u->extra_msg);
        if (npos > u->max_args)
            return usage_err(cli, u, opts, "unexpected argument '%s'", argv[1 + u->max_args]);
        return usage_err(cli, u, opts, "missing argument%s%s", u->min_args - npos > 1 ? "s" : "",
                         " (see the usage)");
    }
    if (nargs) *nargs = npos;
    return u->late_setup ? ENC_OPTS_GO : enc_opts_setup(cli, u);
}

int enc_opts_subcommand(enc_cli *cli, const char *cmd, const char *about, const enc_subcmd *subs,
                        const char *dflt, int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : NULL;
    bool help = name && (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0);
    if (help || (!name && !dflt)) {
        FILE *to = help ? stdout : stderr;
        if (!help) fprintf(stderr, "encore: %s: which subcommand?\n", cmd);
        fprintf(to, "usage: encore %s SUBCOMMAND [OPTIONS]  ('encore %s SUBCOMMAND --help')\n", cmd,
                cmd);
        if (about) fprintf(to, "%s\n", about);
        fputs("subcommands:\n", to);
        for (const enc_subcmd *s = subs; s->name; s++)
            fprintf(to, "  %-10s  %s\n", s->name, s->summary);
        return help ? ENC_EXIT_OK : ENC_EXIT_USAGE;
    }
    if (name && name[0] == '-' && !dflt) {
        fprintf(stderr, "encore: %s: unknown option '%s' (see 'encore %s --help')\n", cmd, name,
                cmd);
        return ENC_EXIT_USAGE;
    }
    if (!name || name[0] == '-') name = dflt;
    for (const enc_subcmd *s = subs; s->name; s++)
        if (strcmp(s->name, name) == 0) {
            if (name == dflt && (argc < 2 || argv[1] != name)) return s->fn(cli, argc, argv);
            return s->fn(cli, argc - 1, argv + 1);
        }
    fprintf(stderr, "encore: %s: unknown command '%s' (see 'encore %s --help')\n", cmd, name, cmd);
    return ENC_EXIT_USAGE;
}
