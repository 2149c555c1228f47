/* cmd_unmerge.c — `encore customer unmerge ID`: undoes the latest merge of a customer (a
 * registration merged into another by a shared email, phone or customer id): the customer is
 * current again with the orders, events, feedback and consents that followed it, and the
 * survivor gives back the points and fields it took (store.h, enc_store_customer_unmerge).
 * ID names the merged registration: its customer id, email, phone, or #N. */
#include "cli/opts.h"
#include "base/json.h"
#include "ingest/clean.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enc_usage usage = {
    .name = "customer unmerge",
    .synopsis = "ID [--json]",
    .about = "  ID: the merged customer's own customer id, email, phone, or #N (internal id)\n",
    .min_args = 1,
    .max_args = 1,
    .args_msg = "needs a customer ID",
    .extra_msg = "one customer at a time",
};

/* The registration ID names (not following merges), or 0. */
static enc_rc find_registration(enc_store *st, const char *who, int64_t *id, enc_err *err)
{
    char clean[320];
    const char *why;
    int64_t surv;
    *id = 0;
    if (who[0] == '#') {
        char *end;
        long long v = strtoll(who + 1, &end, 10);
        if (*end || v <= 0) return enc_fail(err, ENC_EUSAGE, "'%s' is not an internal id", who);
        *id = v;
        return ENC_OK;
    }
    if (enc_clean_id(who, strlen(who), clean, sizeof clean, &why) &&
        enc_store_ident_owner(st, "ext", clean, id, &surv, err))
        return ENC_EDB;
    if (!*id && strchr(who, '@') && enc_clean_email(who, strlen(who), clean, sizeof clean, &why) &&
        enc_store_ident_owner(st, "email", clean, id, &surv, err))
        return ENC_EDB;
    if (!*id && enc_clean_phone(who, strlen(who), NULL, clean, sizeof clean, &why) &&
        enc_store_ident_owner(st, "phone", clean, id, &surv, err))
        return ENC_EDB;
    return ENC_OK;
}

int cmd_customer_unmerge(enc_cli *cli, int argc, char **argv)
{
    static const enc_opt opts[] = {OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    const char *who = argv[1];
    bool json = cli->json;
    enc_err err = {0};
    enc_store *st = cli->st;
    int64_t id = 0;
    enc_store_unmerged u;
    enc_rc rc = find_registration(st, who, &id, &err);
    if (!rc && !id) {
        return enc_cli_fail("customer unmerge", "no customer '%s'", who);
    }
    if (!rc) rc = enc_store_begin(st, &err);
    if (!rc) {
        rc = enc_store_customer_unmerge(st, id, &u, &err);
        if (!rc) rc = enc_store_commit(st, &err);
        if (rc) enc_store_rollback(st);
    }
    if (rc == ENC_EUSAGE) return enc_cli_fail("customer unmerge", "%s", err.msg);
    if (rc) return enc_cli_fail_err("customer unmerge", &err);
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "id", id);
        enc_jw_kint(&w, "merged_into", u.survivor);
        enc_jw_kint(&w, "merge", u.merge_id);
        enc_jw_kint(&w, "rows_restored", u.rows);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("customer #%lld is its own customer again (was merged into #%lld); %lld orders,"
               " events, feedback and consents restored\n",
               (long long)id, (long long)u.survivor, (long long)u.rows);
    }
    return ENC_EXIT_OK;
}

/* `encore customer merge-on [email,phone | email | phone | none]`: the identity policy's
 * merge_on — which identities may merge two customers with their own ids when they arrive
 * through the API unverified (import merges on every shared identity; verified API traits
 * always merge). Without an argument, prints it. */
static const enc_usage merge_on_usage = {
    .name = "customer merge-on",
    .synopsis = "[email,phone | email | phone | none]",
    .about =
        "  which unverified identities from the API (identify) may merge two customers that each\n"
        "  have their own userId (default: none; verified traits always may)\n",
    .max_args = 1,
    .extra_msg = "one list at a time",
    .late_setup = true,
};

int cmd_customer_merge_on(enc_cli *cli, int argc, char **argv)
{
    static const enc_opt opts[] = {OPT_END()};
    int nargs;
    int x = enc_opts_parse(cli, &merge_on_usage, opts, argc, argv, &nargs);
    if (x != ENC_OPTS_GO) return x;
    const char *want = nargs ? argv[1] : NULL;
    unsigned bits = 0;
    if (want && strcmp(want, "none") != 0) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", want);
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (strcmp(t, "email") == 0) bits |= 2u;
            else if (strcmp(t, "phone") == 0) bits |= 4u;
            else
                return enc_opts_error(cli, &merge_on_usage, opts,
                                      "'%s' is not email, phone or none", t);
        }
    }
    if ((x = enc_opts_setup(cli, &merge_on_usage)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_store *st = cli->st;
    enc_rc rc =
        want ? enc_store_merge_on_set(st, bits, &err) : enc_store_merge_on_get(st, &bits, &err);
    if (rc) return enc_cli_fail_err("customer merge-on", &err);
    printf("merge_on: %s\n", bits == 6   ? "email,phone"
                             : bits == 2 ? "email"
                             : bits == 4 ? "phone"
                                         : "none");
    return ENC_EXIT_OK;
}
