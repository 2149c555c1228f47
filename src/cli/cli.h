/* cli.h — what the subcommands share: the invocation context, printing errors in the one
 * format (`encore: <what>: <why>` on stderr), usage errors (exit 2), JSON output. Each
 * subcommand lives in its own src/cli/cmd_*.c and is listed in src/main.c. */
#ifndef ENCORE_CLI_H
#define ENCORE_CLI_H
#include "base/buf.h"
#include "base/err.h"
#include <stdbool.h>
#include <getopt.h>

enum { ENC_EXIT_OK = 0, ENC_EXIT_FAIL = 1, ENC_EXIT_USAGE = 2 };

/* A command's setup flags in the registry (src/main.c), done by enc_opts_parse (cli/opts.h)
 * once the command's options parse: a usage error or --help never touches the store. */
enum {
    ENC_CMD_STORE = 1 << 0,  /* open the store into cli->st; the dispatcher closes it */
    ENC_CMD_CONFIG = 1 << 1, /* load the settings' money_digits into cli->money_digits */
    ENC_CMD_JSON = 1 << 2,   /* --json is an option (into cli->json), listed in --help */
};

typedef struct enc_store enc_store;

typedef struct enc_cli {
    const char *db_path; /* --db, else $ENCORE_DB, else ./encore.db */
    bool db_given;       /* --db or $ENCORE_DB was given (demo uses demo.db otherwise) */
    bool tty;            /* stderr is a terminal: progress bars allowed */
    unsigned flags;      /* the registry row's ENC_CMD_* */
    bool json;           /* --json given (ENC_CMD_JSON) */
    enc_store *st;       /* ENC_CMD_STORE: the open store, owned and closed by the dispatcher */
    int money_digits;    /* ENC_CMD_CONFIG: decimals of the shop's currency */
    bool config_loaded;
} enc_cli;

typedef int (*enc_cmd_fn)(enc_cli *cli, int argc, char **argv);

/* Prints "encore: what: why" to stderr. Returns ENC_EXIT_FAIL. */
int enc_cli_fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints an enc_err as "encore: what: msg". Returns 2 for ENC_EUSAGE, else 1. */
int enc_cli_fail_err(const char *what, const enc_err *err);
/* Prints "encore: cmd: why" and the usage text to stderr. Returns ENC_EXIT_USAGE. */
int enc_cli_usage(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when argv holds -h or --help (before any "--"). */
bool enc_cli_wants_help(int argc, char **argv);
/* Writes buf and a newline to stdout. */
void enc_cli_print(const enc_buf *b);
/* Parses a non-negative integer option value; false when malformed. */
bool enc_cli_parse_long(const char *s, long min, long max, long *out);
/* A number (strtod's forms, nothing after it) in [min, max]; NaN is refused. */
bool enc_cli_parse_double(const char *s, double min, double max, double *out);

/* subcommands */
int cmd_import(enc_cli *cli, int argc, char **argv);
int cmd_stats(enc_cli *cli, int argc, char **argv);
int cmd_customer(enc_cli *cli, int argc, char **argv);
int cmd_customer_unmerge(enc_cli *cli, int argc, char **argv);  /* cmd_unmerge.c */
int cmd_customer_merge_on(enc_cli *cli, int argc, char **argv); /* cmd_unmerge.c */
int cmd_customer_privacy(enc_cli *cli, int argc, char **argv);  /* cmd_privacy.c */
bool enc__privacy_sub(const char *word); /* "erase", "export": cmd_customer_privacy's */
int cmd_privacy(enc_cli *cli, int argc, char **argv); /* cmd_privacy.c: retention */
int cmd_check(enc_cli *cli, int argc, char **argv);
int cmd_demo(enc_cli *cli, int argc, char **argv);
int cmd_gen(enc_cli *cli, int argc, char **argv);
int cmd_itemsets(enc_cli *cli, int argc, char **argv);
int cmd_rules(enc_cli *cli, int argc, char **argv);
int cmd_recommend(enc_cli *cli, int argc, char **argv);
int cmd_clv(enc_cli *cli, int argc, char **argv);
int cmd_report(enc_cli *cli, int argc, char **argv);
/* delivery */
int cmd_dispatch(enc_cli *cli, int argc, char **argv);
int cmd_outbox(enc_cli *cli, int argc, char **argv);
int cmd_dkim(enc_cli *cli, int argc, char **argv);
int cmd_audience(enc_cli *cli, int argc, char **argv);
int cmd_score(enc_cli *cli, int argc, char **argv);
int cmd_profile(enc_cli *cli, int argc, char **argv);
int cmd_segments(enc_cli *cli, int argc, char **argv);
int cmd_churn(enc_cli *cli, int argc, char **argv);
int cmd_uplift(enc_cli *cli, int argc, char **argv); /* cmd_uplift.c */
int cmd_export(enc_cli *cli, int argc, char **argv);
/* campaigns */
int cmd_campaign(enc_cli *cli, int argc, char **argv);
int cmd_playbook(enc_cli *cli, int argc, char **argv);
int cmd_tick(enc_cli *cli, int argc, char **argv);
/* server */
int cmd_serve(enc_cli *cli, int argc, char **argv);
int cmd_token(enc_cli *cli, int argc, char **argv);
int cmd_cache(enc_cli *cli, int argc, char **argv);
int cmd_calendar(enc_cli *cli, int argc, char **argv);
/* the management API's users, keys and audit log (cmd_user.c) */
int cmd_user(enc_cli *cli, int argc, char **argv);
int cmd_apikey(enc_cli *cli, int argc, char **argv);
int cmd_audit(enc_cli *cli, int argc, char **argv);
/* analytics */
int cmd_cohorts(enc_cli *cli, int argc, char **argv);
int cmd_kpis(enc_cli *cli, int argc, char **argv);
/* loyalty (cmd_points.c, cmd_tiers.c, cmd_loyalty.c) */
int cmd_points(enc_cli *cli, int argc, char **argv);
int cmd_tiers(enc_cli *cli, int argc, char **argv);
int cmd_loyalty(enc_cli *cli, int argc, char **argv);
#endif
