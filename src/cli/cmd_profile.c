/* cmd_profile.c — `encore profile ID`: one customer's stored profile from the latest scoring
 * run, found by the merchant's customer id (or email, phone, #N as `encore customer` does). */
#include "cli/intel_cli.h"
#include "base/json.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: encore profile ID [--json]\n"
    "  ID: the merchant's customer id, an email, a phone number, or #N (internal id)\n"
    "  Prints the customer's profile from the latest 'encore score' run.\n";

int cmd_profile(enc_cli *cli, int argc, char **argv)
{
    const char *who = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = true;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return ENC_EXIT_OK;
        } else if (argv[i][0] == '-' && argv[i][1])
            return enc_cli_usage("profile", usage, "unknown option '%s'", argv[i]);
        else if (!who) who = argv[i];
        else return enc_cli_usage("profile", usage, "one customer at a time");
    }
    if (!who) return enc_cli_usage("profile", usage, "needs a customer ID");
    enc_score_config cfg;
    int x = enc__load_config(cli, "profile", NULL, &cfg);
    if (x) return x;
    int digits = cfg.money_digits;
    enc_score_config_free(&cfg);

    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("profile", &err);
    int64_t id = 0;
    enc_profile_cursor *cur = NULL;
    enc_buf b = {0};
    int ret = ENC_EXIT_OK;
    if (enc__find_customer(st, who, &id, &err)) {
        ret = enc_cli_fail_err("profile", &err);
        goto out;
    }
    if (!id) {
        ret = enc_cli_fail("profile", "no customer '%s'", who);
        goto out;
    }
    if (enc_store_profiles_open(st, id, digits, &cur, &err)) {
        ret = enc_cli_fail_err("profile", &err);
        goto out;
    }
    int got = enc_store_profiles_next(cur, ENC_PROFILE_JSON, &b, &err);
    if (got < 0) {
        ret = enc_cli_fail_err("profile", &err);
        goto out;
    }
    if (got == 0) {
        ret = enc_cli_fail("profile", "no profile for '%s': run 'encore score' first", who);
        goto out;
    }
    if (json) {
        enc_cli_print(&b);
    } else {
        json_t *doc = json_loads(b.p, 0, NULL);
        char *pretty =
            doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))
                : NULL;
        puts(pretty ? pretty : b.p);
        free(pretty);
        json_decref(doc);
    }
out:
    enc_buf_free(&b);
    enc_store_profiles_close(cur);
    enc_store_close(st);
    return ret;
}
