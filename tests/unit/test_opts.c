/* test_opts.c — the commands' option parser (src/cli/opts.c): every kind of option in both
 * forms (--x V, --x=V), positional arguments moved to the front in order, "--", --json only
 * where the registry row allows it, exit 2 on an unknown option, a missing or malformed value
 * and a stray argument, --help printed from the table, and no setup after a usage error. */
#include "harness.h"
#include "cli/opts.h"
#include <fcntl.h>
#include <stdint.h>

/* runs the parser on a copy of the words; the copy stays valid for the checks */
static char *words[128];
static int parse(enc_cli *cli, const enc_usage *u, const enc_opt *opts, const char *line, int *np)
{
    static char buf[2048];
    snprintf(buf, sizeof buf, "%s", line);
    int n = 0;
    for (char *t = strtok(buf, " "); t && n < 127; t = strtok(NULL, " ")) words[n++] = t;
    words[n] = NULL;
    /* --help and errors print: keep the test's output readable */
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2), nul = open("/dev/null", O_WRONLY);
    dup2(nul, 1);
    dup2(nul, 2);
    int rc = enc_opts_parse(cli, u, opts, n, words, np);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(nul);
    return rc;
}

static const char *s_val;
static const char *c_val;
static long i_val;
static double d_val;
static int64_t t_val, e_val;
static bool b_val, t_given;
static const enc_opt opts[] = {
    OPT_STRING("name", &s_val, "NAME", "a name"),
    OPT_CHOICE("by", &c_val, "rfm|lifecycle", "a grouping"),
    OPT_INT("limit", &i_val, "N", 1, 100, "how many"),
    OPT_DOUBLE("rate", &d_val, "X", 0, 1, "a share"),
    OPT_TIME("now", &t_val, &t_given, "the clock"),
    OPT_DAY_END("as-of", &e_val, NULL, "the day"),
    OPT_BOOL("dry-run", &b_val, "do nothing"),
    OPT_END(),
};
static const enc_usage u = {
    .name = "thing", .synopsis = "[OPTIONS] A [B]", .min_args = 1, .max_args = 2};

static void reset(void)
{
    s_val = c_val = NULL;
    i_val = 0;
    d_val = 0;
    t_val = e_val = 0;
    b_val = t_given = false;
}

static void every_kind(void)
{
    enc_cli cli = {0};
    int n = -1;
    reset();
    CHECK_INT(parse(&cli, &u, opts,
                    "thing a --name x --by=lifecycle --limit 7 --rate=0.25 --now 2026-01-01 "
                    "--as-of 2026-01-01 --dry-run b",
                    &n),
              ENC_OPTS_GO);
    CHECK_INT(n, 2);
    CHECK_STR(words[1], "a");
    CHECK_STR(words[2], "b");
    CHECK_STR(s_val, "x");
    CHECK_STR(c_val, "lifecycle");
    CHECK_INT(i_val, 7);
    CHECK_NEAR(d_val, 0.25, 0);
    CHECK_INT(t_val, 1767225600); /* 2026-01-01 00:00 UTC */
    CHECK(t_given);
    CHECK_INT(e_val, 1767225600 + 86400); /* a bare as-of date: the end of that day */
    CHECK(b_val);
    CHECK(!cli.json);
}

static void time_forms(void)
{
    enc_cli cli = {0};
    const char *forms[] = {"--now 2026-01-01T10:00:00Z", "--now=2026-01-01 10:00",
                           "--now 2026-01-01T18:00+08:00", "--now 2026-01-01T10:00:00.5Z"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char line[128];
        snprintf(line, sizeof line, "thing a %s", forms[i]);
        /* "--now=2026-01-01 10:00" is two words here: the form with a space goes as one word */
        if (strchr(forms[i], '=')) {
            const char *w[] = {"thing", "a", "--now=2026-01-01 10:00", NULL};
            reset();
            words[0] = (char *)w[0];
            int rc = enc_opts_parse(&cli, &u, opts, 3, (char **)w, NULL);
            CHECK_INT(rc, ENC_OPTS_GO);
        } else {
            reset();
            CHECK_INT(parse(&cli, &u, opts, line, NULL), ENC_OPTS_GO);
        }
        CHECK_MSG(t_val == 1767261600, "%s -> %lld", forms[i], (long long)t_val);
    }
    reset();
    CHECK_INT(parse(&cli, &u, opts, "thing a --as-of 2026-01-01T10:00:00Z", NULL), ENC_OPTS_GO);
    CHECK_INT(e_val, 1767261600); /* a time of day is that instant */
}

static void usage_errors(void)
{
    enc_cli cli = {0};
    const char *bad[] = {
        "thing a --no-such-option",
        "thing a -x",
        "thing a --name",
        "thing a --limit 0",
        "thing a --limit 101",
        "thing a --limit 5x",
        "thing a --rate 1.5",
        "thing a --rate nan",
        "thing a --now yesterday",
        "thing a --now 2026-02-30",
        "thing a --by rfm_cn",
        "thing a --dry-run=1",
        "thing",
        "thing a b c",
        "thing a --json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        reset();
        int rc = parse(&cli, &u, opts, bad[i], NULL);
        CHECK_MSG(rc == ENC_EXIT_USAGE, "'%s' -> %d", bad[i], rc);
    }
    /* "--" ends the options: what follows is positional, even "--name" */
    int n;
    reset();
    CHECK_INT(parse(&cli, &u, opts, "thing -- --name x", &n), ENC_OPTS_GO);
    CHECK_INT(n, 2);
    CHECK_STR(words[1], "--name");
    CHECK(s_val == NULL);
    /* a lone "-" is an argument (stdin) */
    CHECK_INT(parse(&cli, &u, opts, "thing -", &n), ENC_OPTS_GO);
    CHECK_STR(words[1], "-");
}

static void json_and_help(void)
{
    enc_cli cli = {.flags = ENC_CMD_JSON};
    reset();
    CHECK_INT(parse(&cli, &u, opts, "thing a --json", NULL), ENC_OPTS_GO);
    CHECK(cli.json);
    /* --help wins even beside an error; it prints the table to stdout */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    enc_opts_usage(&cli, &u, opts, mem);
    fclose(mem);
    CHECK(strstr(text, "usage: encore thing [OPTIONS] A [B]\n") == text);
    CHECK(strstr(text, "  --limit N ") != NULL);
    CHECK(strstr(text, "  --as-of DATE ") != NULL);
    CHECK(strstr(text, "  --json ") != NULL);
    CHECK(strstr(text, "  --help ") != NULL);
    free(text);
    CHECK_INT(parse(&cli, &u, opts, "thing --no-such-option --help", NULL), ENC_EXIT_OK);
}

static void no_setup_after_error(void)
{
    /* a usage error never opens the store */
    enc_cli cli = {.flags = ENC_CMD_STORE, .db_path = "/nonexistent-dir/x.db"};
    reset();
    CHECK_INT(parse(&cli, &u, opts, "thing", NULL), ENC_EXIT_USAGE);
    CHECK(cli.st == NULL);
    /* a good parse does the setup: here it fails (no such directory) with exit 1 */
    CHECK_INT(parse(&cli, &u, opts, "thing a", NULL), ENC_EXIT_FAIL);
    CHECK(cli.st == NULL);
}

static int sub_a(enc_cli *cli, int argc, char **argv) { return argc * 10 + (argv[0][0] == 'a'); }
static int sub_b(enc_cli *cli, int argc, char **argv) { return 100 + argc; }

static void subcommands(void)
{
    static const enc_subcmd subs[] = {{"a", sub_a, "first"}, {"b", sub_b, "second"}, {NULL}};
    enc_cli cli = {0};
    char *w1[] = {"cmd", "a", "x", NULL};
    CHECK_INT(enc_opts_subcommand(&cli, "cmd", NULL, subs, NULL, 3, w1), 21);
    char *w2[] = {"cmd", "zz", NULL};
    CHECK_INT(enc_opts_subcommand(&cli, "cmd", NULL, subs, NULL, 2, w2), ENC_EXIT_USAGE);
    char *w3[] = {"cmd", NULL};
    CHECK_INT(enc_opts_subcommand(&cli, "cmd", NULL, subs, NULL, 1, w3), ENC_EXIT_USAGE);
    CHECK_INT(enc_opts_subcommand(&cli, "cmd", NULL, subs, "b", 1, w3), 101);
    char *w4[] = {"cmd", "--json", NULL};
    CHECK_INT(enc_opts_subcommand(&cli, "cmd", NULL, subs, "b", 2, w4), 102);
    char *w6[] = {"cmd", "--bogus", NULL}; /* no default: an option first is a usage error */
    CHECK_INT(enc_opts_subcommand(&cli, "cmd", NULL, subs, NULL, 2, w6), ENC_EXIT_USAGE);
    char *w5[] = {"cmd", "--help", NULL};
    CHECK_INT(enc_opts_subcommand(&cli, "cmd", NULL, subs, NULL, 2, w5), ENC_EXIT_OK);
}

/* a repeatable option: every value in order, both forms, a bound, a missing value */
static void string_list(void)
{
    enc_cli cli = {0};
    enc_strlist maps = {0};
    const enc_opt lopts[] = {OPT_STRING_LIST("map", &maps, "COL=FIELD", "a mapping"), OPT_END()};
    const enc_usage lu = {.name = "imp", .min_args = 0, .max_args = 1};
    int n = -1;
    CHECK_INT(parse(&cli, &lu, lopts, "imp --map a=b f.csv --map=c=d --map e=f", &n), ENC_OPTS_GO);
    CHECK_INT(n, 1);
    CHECK_STR(words[1], "f.csv");
    CHECK_INT(maps.n, 3);
    CHECK_STR(maps.v[0], "a=b");
    CHECK_STR(maps.v[1], "c=d");
    CHECK_STR(maps.v[2], "e=f");
    maps.n = 0;
    CHECK_INT(parse(&cli, &lu, lopts, "imp f.csv", &n), ENC_OPTS_GO);
    CHECK_INT(maps.n, 0);
    CHECK_INT(parse(&cli, &lu, lopts, "imp --map", &n), ENC_EXIT_USAGE);
    CHECK_INT(maps.n, 0);
    char line[1200] = "imp";
    for (int i = 0; i <= ENC_STRLIST_MAX; i++) strcat(line, " --map=x");
    maps.n = 0;
    CHECK_INT(parse(&cli, &lu, lopts, line, &n), ENC_EXIT_USAGE);
    CHECK_INT(maps.n, ENC_STRLIST_MAX);
}

int main(void)
{
    RUN(every_kind);
    RUN(time_forms);
    RUN(usage_errors);
    RUN(json_and_help);
    RUN(no_setup_after_error);
    RUN(subcommands);
    RUN(string_list);
    return TEST_SUMMARY();
}
