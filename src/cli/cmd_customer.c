/* cmd_customer.c — `encore customer ID`: one customer as the store knows them after merges —
 * profile, identities, merged records, consents in force and order summary. ID is the
 * merchant's customer id, an email, a phone, or #N for the internal id. */
#include "cli/cli.h"
#include "base/json.h"
#include "cli/intel_cli.h"
#include "store/store.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: encore customer ID [--json]\n"
    "       encore customer unmerge ID [--json]   undo the merge of a registration\n"
    "       encore customer merge-on [email,phone|none]   identities the API may merge on\n"
    "  ID: the merchant's customer id, an email, a phone number, or #N (internal id)\n";

int cmd_customer(enc_cli *cli, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "unmerge") == 0) /* cmd_unmerge.c */
        return cmd_customer_unmerge(cli, argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "merge-on") == 0) /* cmd_unmerge.c */
        return cmd_customer_merge_on(cli, argc - 1, argv + 1);
    const char *who = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = true;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return ENC_EXIT_OK;
        } else if (argv[i][0] == '-' && argv[i][1])
            return enc_cli_usage("customer", usage, "unknown option '%s'", argv[i]);
        else if (!who) who = argv[i];
        else return enc_cli_usage("customer", usage, "one customer at a time");
    }
    if (!who) return enc_cli_usage("customer", usage, "needs a customer ID");

    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("customer", &err);
    int64_t id = 0;
    enc_rc rc = enc__find_customer(st, who, &id, &err);
    if (rc) {
        enc_store_close(st);
        return enc_cli_fail_err("customer", &err);
    }
    if (!id) {
        enc_store_close(st);
        return enc_cli_fail("customer", "no customer '%s'", who);
    }
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    rc = enc_store_customer_json(st, id, &w, &err);
    enc_store_close(st);
    if (rc) {
        enc_buf_free(&b);
        return enc_cli_fail_err("customer", &err);
    }
    if (json) {
        enc_cli_print(&b);
    } else {
        /* human form: the same document, indented, one field a line */
        json_t *doc = json_loads(b.p, 0, NULL);
        char *pretty = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        puts(pretty ? pretty : b.p);
        free(pretty);
        json_decref(doc);
    }
    enc_buf_free(&b);
    return ENC_EXIT_OK;
}
