/* main.c — the encore command: global options (--db, --help, --version) and the command
 * registry: a row a command with its setup flags (ENC_CMD_STORE, ENC_CMD_CONFIG, ENC_CMD_JSON,
 * done by the command's option parser, cli/opts.h) and dispatch to src/cli/. A row with no flags
 * runs a command that still parses its own argv. docs/cli-internals.md: adding a command. */
#include "cli/cli.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENCORE_VERSION "0.1.0"

/* Rows of commands that still parse their own argv leave out the flags (0). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct {
    const char *name;
    enc_cmd_fn fn;
    const char *summary;
    unsigned flags; /* ENC_CMD_* (cli.h) */
} commands[] = {
    /* foundation: data in */
    {"import", cmd_import, "import customers, products, orders, events, feedback or consents",
     ENC_CMD_JSON},
    {"stats", cmd_stats, "what the store holds", ENC_CMD_STORE | ENC_CMD_JSON},
    {"cache", cmd_cache, "the column cache audiences and campaigns read (build, status, drop)",
     ENC_CMD_STORE | ENC_CMD_JSON},
    {"customer", cmd_customer, "one customer: profile, identities, consents, orders",
     ENC_CMD_STORE | ENC_CMD_CONFIG | ENC_CMD_JSON},
    {"check", cmd_check, "check the store: SQLite's quick_check and Encore's invariants",
     ENC_CMD_STORE | ENC_CMD_JSON},

    /* customer intelligence */
    {"report", cmd_report, "one-file HTML report of the latest scoring run (inline SVG charts)",
     ENC_CMD_STORE | ENC_CMD_JSON},
    {"score", cmd_score, "score every customer: RFM, lifecycle, CLV, churn, tags, clusters",
     ENC_CMD_STORE | ENC_CMD_JSON},
    {"profile", cmd_profile, "one customer's stored profile",
     ENC_CMD_STORE | ENC_CMD_CONFIG | ENC_CMD_JSON},
    {"segments", cmd_segments, "customers, revenue share and mean CLV per segment",
     ENC_CMD_STORE | ENC_CMD_CONFIG | ENC_CMD_JSON},
    {"clv", cmd_clv, "fit and evaluate the CLV models (BG/NBD, Pareto/NBD, Gamma-Gamma)",
     ENC_CMD_JSON},
    {"churn", cmd_churn, "evaluate the churn model on a time split", ENC_CMD_STORE | ENC_CMD_JSON},
    {"uplift", cmd_uplift, "evaluate a campaign's uplift model (Qini) and store who it changes"},
    {"export", cmd_export, "write the stored profiles as CSV or JSON lines",
     ENC_CMD_STORE | ENC_CMD_CONFIG},

    /* recommendations */
    {"itemsets", cmd_itemsets, "frequent itemsets of a basket file (FP-growth)", ENC_CMD_JSON},
    {"rules", cmd_rules, "association rules of a basket file or the store's orders", ENC_CMD_JSON},
    {"recommend", cmd_recommend,
     "products to offer a customer, with reasons; evaluate on a time split",
     ENC_CMD_STORE | ENC_CMD_JSON},

    /* audiences */
    {"audience", cmd_audience, "segments: count, export and save customers matching an expression"},
    /* delivery */
    {"dispatch", cmd_dispatch, "send due messages of the outbox through the channels"},
    {"outbox", cmd_outbox, "the outbox: counts, pause/resume, retry, suppress, enqueue",
     ENC_CMD_STORE},
    {"dkim", cmd_dkim, "DKIM keys for the email channel: keygen (writes the key, prints the TXT)",
     ENC_CMD_JSON},

    /* campaigns */
    {"campaign", cmd_campaign,
     "campaigns: plan (dry run), start, list, show, pause, resume, stop, policy"},
    {"playbook", cmd_playbook, "the built-in retention playbooks: list, show, install",
     ENC_CMD_STORE | ENC_CMD_JSON},
    {"calendar", cmd_calendar,
     "festivals, shopping days and public holidays of a year (CN, US ...)", ENC_CMD_JSON},
    {"tick", cmd_tick,
     "advance triggered and scheduled campaigns up to now (--now for a test clock)",
     ENC_CMD_STORE | ENC_CMD_JSON},

    /* server */
    {"serve", cmd_serve, "HTTP server: Segment-spec ingest API, tracking links, unsubscribe"},
    {"token", cmd_token, "mint or check a signed tracking token (click, open, unsubscribe)",
     ENC_CMD_JSON},

    /* generator */
    {"demo", cmd_demo, "generate a demo shop, import it into demo.db, summarise", ENC_CMD_JSON},
    {"gen", cmd_gen, "write a synthetic shop (CSV files) drawn from known behaviour models",
     ENC_CMD_STORE | ENC_CMD_JSON},
    {"cohorts", cmd_cohorts, "cohort retention: customers and revenue by period of first purchase",
     ENC_CMD_STORE | ENC_CMD_CONFIG | ENC_CMD_JSON},
    {"kpis", cmd_kpis, "orders, revenue, AOV, active/new customers, repurchase rate per period",
     ENC_CMD_STORE | ENC_CMD_CONFIG | ENC_CMD_JSON},

    /* the management API's users, keys and audit log */
    {"user", cmd_user, "console users of the management API: add, list, disable, passwd, role",
     ENC_CMD_STORE},
    {"apikey", cmd_apikey, "API keys of the management API: create (shown once), list, revoke",
     ENC_CMD_STORE},
    {"audit", cmd_audit, "the append-only audit log of the management API and these commands",
     ENC_CMD_STORE | ENC_CMD_JSON},
    {"privacy", cmd_privacy, "retention periods per kind and their enforcement (docs/privacy.md)"},
    /* loyalty (issue 15, docs/loyalty.md) */
    {"points", cmd_points, "the points ledger: balance, history, earn, adjust, redeem, expire"},
    {"tiers", cmd_tiers, "loyalty tiers: list, review (upgrades, downgrades), history"},
    {"loyalty", cmd_loyalty, "the loyalty programme file and its report"},
    {NULL, NULL, NULL},
};
#pragma GCC diagnostic pop

static void usage(FILE *to)
{
    fprintf(to,
            "usage: encore [--db FILE] COMMAND [ARGS]\n\n"
            "Encore — retention marketing: understand customers you have, sell to them again.\n\n"
            "options:\n"
            "  --db FILE     the store (SQLite); default $ENCORE_DB, then ./encore.db\n"
            "  --help        this text; 'encore COMMAND --help' for a command\n"
            "  --version     print the version\n\ncommands:\n");
    for (int i = 0; commands[i].name; i++)
        fprintf(to, "  %-12s  %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    enc_cli cli = {0};
    cli.db_path = getenv("ENCORE_DB");
    cli.db_given = cli.db_path && *cli.db_path;
    if (!cli.db_given) cli.db_path = "encore.db";
    cli.tty = isatty(2);

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--db") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "encore: --db: needs a file name\n");
                return ENC_EXIT_USAGE;
            }
            cli.db_path = argv[++i];
            cli.db_given = true;
        } else if (strncmp(a, "--db=", 5) == 0) {
            cli.db_path = a + 5;
            cli.db_given = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return ENC_EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("encore %s\n", ENCORE_VERSION);
            return ENC_EXIT_OK;
        } else {
            fprintf(stderr, "encore: unknown option '%s'\n", a);
            usage(stderr);
            return ENC_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return ENC_EXIT_USAGE;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return ENC_EXIT_OK;
    }
    for (int c = 0; commands[c].name; c++) {
        if (strcmp(commands[c].name, name) == 0) {
            optind = 0; /* glibc: full reset of getopt for the subcommand */
            cli.flags = commands[c].flags;
            int rc = commands[c].fn(&cli, argc - i, argv + i);
            if (cli.st) enc_store_close(cli.st); /* opened by the setup of ENC_CMD_STORE */
            return rc;
        }
    }
    fprintf(stderr, "encore: unknown command '%s' (see 'encore --help')\n", name);
    return ENC_EXIT_USAGE;
}
