/* opts.h — the commands' declarative option tables (git's parse-options: OPT_STRING, OPT_INT,
 * OPT_BOOL, OPT_TIME ...) and subcommand tables. One parser reads argv against a table, prints
 * `--help` from the same table, answers an unknown option, a missing value or a stray argument
 * with a message and exit 2, and then does the setup the command's registry row asks for (opens
 * the store, loads the money digits). See docs/cli-internals.md for how to add a command. */
#ifndef ENCORE_CLI_OPTS_H
#define ENCORE_CLI_OPTS_H
#include "cli/cli.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    ENC_OPT_END = 0,
    ENC_OPT_BOOL,       /* --name: *(bool *)value = true */
    ENC_OPT_STRING,     /* --name VALUE: *(const char **)value = the argv string (not copied) */
    ENC_OPT_CHOICE,     /* --name WORD: like STRING, WORD one of argh's "a|b|c" */
    ENC_OPT_INT,        /* --name N: *(long *)value, in [min, max] */
    ENC_OPT_DOUBLE,     /* --name X: *(double *)value, in [min, max], NaN refused */
    ENC_OPT_TIME,       /* --name TIME: *(int64_t *)value, enc_time_parse's forms */
    ENC_OPT_DAY_END,    /* --name TIME: like TIME, but a bare date is the end of that day (as-of) */
    ENC_OPT_STRING_LIST /* --name VALUE, repeatable: appended to an enc_strlist (not copied) */
} enc_opt_kind;

/* The values of a repeatable option, in command-line order (argv's strings, not copied). More
 * than ENC_STRLIST_MAX is a usage error. */
#define ENC_STRLIST_MAX 64
typedef struct enc_strlist {
    const char *v[ENC_STRLIST_MAX];
    int n;
} enc_strlist;

typedef struct enc_opt {
    enc_opt_kind kind;
    const char *name; /* the long name without "--" */
    void *value;      /* where the value goes; the kind says its type */
    const char *argh; /* the value's name in --help ("FILE"); NULL for BOOL */
    const char *help; /* one line for --help */
    double min, max;  /* INT and DOUBLE bounds */
    bool *given;      /* may be NULL: set true when the option is on the command line */
} enc_opt;

#define OPT_BOOL(n, v, h)                                                                          \
    {                                                                                              \
        ENC_OPT_BOOL, (n), (v), NULL, (h), 0, 0, NULL                                              \
    }
#define OPT_STRING(n, v, a, h)                                                                     \
    {                                                                                              \
        ENC_OPT_STRING, (n), (v), (a), (h), 0, 0, NULL                                             \
    }
#define OPT_CHOICE(n, v, words, h)                                                                 \
    {                                                                                              \
        ENC_OPT_CHOICE, (n), (v), (words), (h), 0, 0, NULL                                         \
    }
#define OPT_INT(n, v, a, lo, hi, h)                                                                \
    {                                                                                              \
        ENC_OPT_INT, (n), (v), (a), (h), (lo), (hi), NULL                                          \
    }
#define OPT_DOUBLE(n, v, a, lo, hi, h)                                                             \
    {                                                                                              \
        ENC_OPT_DOUBLE, (n), (v), (a), (h), (lo), (hi), NULL                                       \
    }
#define OPT_TIME(n, v, g, h)                                                                       \
    {                                                                                              \
        ENC_OPT_TIME, (n), (v), "TIME", (h), 0, 0, (g)                                             \
    }
#define OPT_DAY_END(n, v, g, h)                                                                    \
    {                                                                                              \
        ENC_OPT_DAY_END, (n), (v), "DATE", (h), 0, 0, (g)                                          \
    }
#define OPT_STRING_LIST(n, v, a, h)                                                                \
    {                                                                                              \
        ENC_OPT_STRING_LIST, (n), (v), (a), (h), 0, 0, NULL                                        \
    }
#define OPT_END()                                                                                  \
    {                                                                                              \
        ENC_OPT_END, NULL, NULL, NULL, NULL, 0, 0, NULL                                            \
    }

/* What --help prints around the option table, and how many positional arguments the command
 * takes. `synopsis` follows "usage: encore NAME " (each line after a "\n" gets its own
 * "encore NAME ", unless it starts with a space: then it goes on with the line above); `about` is
 * the description (may be NULL). A count outside [min_args, max_args] is a usage error; its
 * message is `args_msg` (too few) or `extra_msg` (too many) when given, else one naming the
 * first argument too many or saying one is missing. */
typedef struct enc_usage {
    const char *name; /* "stats", "campaign list" */
    const char *synopsis;
    const char *about;
    int min_args, max_args;
    const char *args_msg, *extra_msg;
    bool late_setup; /* the command checks more before the setup: it calls enc_opts_setup */
} enc_usage;

/* The value ENC_OPTS_GO: parsing succeeded, the command goes on. */
#define ENC_OPTS_GO (-1)

/* Parses argv[1..argc) (argv[0] is the command's name) against opts, plus -h/--help and, when
 * the command's registry row has ENC_CMD_JSON, --json (into cli->json). Options may come before
 * or after positional arguments; "--" ends them; a value is the next argument or follows "=".
 * The positional arguments are moved to argv[1..1+*nargs) (nargs may be NULL when the command
 * takes none). On success, does the row's setup (ENC_CMD_STORE: cli->st opened; ENC_CMD_CONFIG:
 * cli->money_digits loaded) and returns ENC_OPTS_GO. Otherwise returns the exit code: ENC_EXIT_OK
 * after printing --help to stdout, ENC_EXIT_USAGE after "encore: NAME: why" and the usage on
 * stderr, ENC_EXIT_FAIL when the setup failed (message printed). */
int enc_opts_parse(enc_cli *cli, const enc_usage *u, const enc_opt *opts, int argc, char **argv,
                   int *nargs);

/* The setup of the command's registry row (see enc_opts_parse): ENC_OPTS_GO or ENC_EXIT_FAIL
 * (message printed). Idempotent. */
int enc_opts_setup(enc_cli *cli, const enc_usage *u);
/* A usage error the command finds after parsing: "encore: NAME: message" and the usage on
 * stderr; returns ENC_EXIT_USAGE. */
int enc_opts_error(const enc_cli *cli, const enc_usage *u, const enc_opt *opts, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Prints the usage of u and opts to `to` (what --help shows). */
void enc_opts_usage(const enc_cli *cli, const enc_usage *u, const enc_opt *opts, FILE *to);

/* A subcommand table: the rows end with {NULL}. */
typedef struct enc_subcmd {
    const char *name;
    enc_cmd_fn fn; /* called with argv[0] = the subcommand's name */
    const char *summary;
} enc_subcmd;

/* Runs the subcommand named by argv[1]: `encore CMD --help` (or no subcommand when dflt is
 * NULL) prints the table; an unknown name is a usage error (exit 2). dflt (may be NULL) is the
 * subcommand run when argv[1] is absent or an option. */
int enc_opts_subcommand(enc_cli *cli, const char *cmd, const char *about, const enc_subcmd *subs,
                        const char *dflt, int argc, char **argv);
#endif
