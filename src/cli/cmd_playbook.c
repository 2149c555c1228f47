/* cmd_playbook.c — `encore playbook list|show|install`: the built-in retention playbooks
 * (src/campaign/playbook.h), ready-made campaign files to read, plan or install as drafts. */
#include "cli/opts.h"
#include "base/json.h"
#include "base/mem.h"
#include "campaign/campdb.h"
#include "campaign/playbook.h"
#include "campaign/spec.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *playbook_description(const enc_playbook *pb)
{
    json_t *j = json_loads(pb->text, 0, NULL);
    json_t *d = j ? json_object_get(j, "description") : NULL;
    char *s = enc_xstrdup(json_is_string(d) ? json_string_value(d) : "");
    json_decref(j);
    return s;
}

static int playbook_list(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {.name = "playbook list",
                                    .about = "  the built-in retention playbooks\n"};
    static const enc_opt opts[] = {OPT_END()};
    cli->flags &= ~(unsigned)ENC_CMD_STORE;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_key(&w, "playbooks");
    enc_jw_arr(&w);
    for (int i = 0; i < enc_playbooks_count; i++) {
        char *d = playbook_description(&enc_playbooks[i]);
        if (cli->json) {
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "name", enc_playbooks[i].name);
            enc_jw_kstr(&w, "description", d);
            enc_jw_end(&w);
        } else {
            printf("%-22s %s\n", enc_playbooks[i].name, d);
        }
        free(d);
    }
    enc_jw_end(&w);
    enc_jw_end(&w);
    if (cli->json) enc_cli_print(&b);
    enc_buf_free(&b);
    return ENC_EXIT_OK;
}

/* Parses the arguments of show and install (NAME) and finds the playbook; NULL with *x the
 * exit code when there is none (the message printed). */
static const enc_playbook *named(enc_cli *cli, const enc_usage *u, int argc, char **argv, int *x)
{
    static const enc_opt opts[] = {OPT_END()};
    if ((*x = enc_opts_parse(cli, u, opts, argc, argv, NULL)) != ENC_OPTS_GO) return NULL;
    const enc_playbook *pb = enc_playbook_find(argv[1]);
    if (!pb)
        *x = enc_cli_fail("playbook", "no playbook named '%s' (see 'encore playbook list')",
                          argv[1]);
    return pb;
}

static int playbook_show(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "playbook show",
        .synopsis = "NAME",
        .about = "  print the playbook's campaign file (ready for 'campaign plan')\n",
        .min_args = 1,
        .max_args = 1,
        .args_msg = "show needs a NAME",
    };
    cli->flags &= ~(unsigned)(ENC_CMD_STORE | ENC_CMD_JSON); /* the file itself is the output */
    int x;
    const enc_playbook *pb = named(cli, &usage, argc, argv, &x);
    if (!pb) return x;
    fputs(pb->text, stdout);
    return ENC_EXIT_OK;
}

static int playbook_install(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "playbook install",
        .synopsis = "NAME [--json]",
        .about = "  add it to the store as a draft campaign ('campaign start NAME')\n",
        .min_args = 1,
        .max_args = 1,
        .args_msg = "install needs a NAME",
        .late_setup = true,
    };
    int x;
    const enc_playbook *pb = named(cli, &usage, argc, argv, &x);
    if (!pb) return x;
    if ((x = enc_opts_setup(cli, &usage)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_spec *spec;
    bool created = false;
    int rc = ENC_EXIT_OK;
    int64_t now = (int64_t)time(NULL);
    if (enc_spec_parse(pb->text, strlen(pb->text), st, &spec, &err)) {
        rc = enc_cli_fail("playbook", "%s: %s", pb->name, err.msg);
    } else {
        enc_camp_row row;
        enc_err e2 = {0};
        if (!enc_camp_get(st, spec->name, &row, &e2)) {
            rc = enc_cli_fail("playbook", "a campaign named '%s' exists already (%s)", spec->name,
                              row.state);
            enc_camp_row_free(&row);
        } else if (enc_camp_put(st, spec, "draft", now, &created, &err)) {
            rc = enc_cli_fail_err("playbook", &err);
        } else if (cli->json) {
            enc_buf b = {0};
            enc_jw w;
            enc_jw_init(&w, &b);
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "installed", spec->name);
            enc_jw_kstr(&w, "state", "draft");
            enc_jw_end(&w);
            enc_cli_print(&b);
            enc_buf_free(&b);
        } else {
            printf("installed %s as a draft campaign; start it with 'encore campaign start %s'\n",
                   spec->name, spec->name);
        }
        enc_spec_free(spec);
    }
    return rc;
}

int cmd_playbook(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"list", playbook_list, "the built-in retention playbooks"},
        {"show", playbook_show, "print a playbook's campaign file (ready for 'campaign plan')"},
        {"install", playbook_install, "add it to the store as a draft campaign"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "playbook", NULL, subs, NULL, argc, argv);
}
