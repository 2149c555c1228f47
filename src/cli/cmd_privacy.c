/* cmd_privacy.c — the data subject's rights from the command line (issue 16, docs/privacy.md):
 * `encore customer erase ID [--reason TEXT]` (privacy/erase.h) and `encore customer export ID`
 * (privacy/export.h), both audited. ID is what `encore customer` takes: the merchant's id, an
 * email, a phone, or #N. cmd_customer.c dispatches here. And `encore privacy retention|enforce`:
 * the retention periods and their enforcement (privacy/retention.h), also a job of `encore
 * serve` (enc__serve_retention). */
#include "cli/cli.h"
#include "base/file.h"
#include "base/json.h"
#include "privacy/erase.h"
#include "privacy/export.h"
#include "privacy/retention.h"
#include "base/datetime.h"
#include "cli/privacy_cli.h"
#include "report/custview.h"
#include "store/users.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: encore customer erase ID [--reason TEXT] [--json]\n"
    "       encore customer export ID [--out FILE]\n"
    "  erase: the customer's identities, events, feedback, consents, inbox and message contents\n"
    "         are deleted, their orders stay for the shop's totals under a pseudonym (#N), their\n"
    "         email, phone and id go on the suppression list (a later import does not bring them\n"
    "         back), the store is rewritten and the caches rebuilt; audited (--reason must not\n"
    "         hold personal data).\n"
    "  export: one JSON document with everything held about the customer (to --out FILE, mode\n"
    "         0600, or stdout); audited.\n"
    "  ID: the merchant's customer id, an email, a phone number, or #N (internal id).\n";

bool enc__privacy_sub(const char *word)
{
    return strcmp(word, "erase") == 0 || strcmp(word, "export") == 0;
}

static void cli_actor(char *out, size_t cap)
{
    const char *u = getenv("USER");
    snprintf(out, cap, "cli:%s", u && *u && strlen(u) < 64 ? u : "unknown");
}

/* argv[0] is "erase" or "export" */
int cmd_customer_privacy(enc_cli *cli, int argc, char **argv)
{
    const bool erase = strcmp(argv[0], "erase") == 0;
    const char *cmd = erase ? "customer erase" : "customer export";
    const char *who = NULL, *reason = NULL, *out = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return ENC_EXIT_OK;
        } else if (erase && strcmp(argv[i], "--json") == 0) json = true;
        else if (erase && strcmp(argv[i], "--reason") == 0 && i + 1 < argc) reason = argv[++i];
        else if (!erase && strcmp(argv[i], "--out") == 0 && i + 1 < argc) out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return enc_cli_usage(cmd, usage, "unknown option '%s'", argv[i]);
        else if (!who) who = argv[i];
        else return enc_cli_usage(cmd, usage, "one customer at a time");
    }
    if (!who) return enc_cli_usage(cmd, usage, "needs a customer ID");
    if (reason && strlen(reason) > 500)
        return enc_cli_usage(cmd, usage, "--reason: longer than 500 bytes");

    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err(cmd, &err);
    int64_t id = 0;
    if (enc_custview_find(st, who, &id, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err(cmd, &err);
    }
    if (!id) {
        enc_store_close(st);
        /* the ID as given is not repeated: it may be an email or a phone */
        return enc_cli_fail(cmd, "no such customer");
    }
    char actor[80], target[32];
    cli_actor(actor, sizeof actor);
    snprintf(target, sizeof target, "#%lld", (long long)id);
    int64_t now = (int64_t)time(NULL);
    if (erase) {
        enc_erase_opts o = {.reason = reason, .actor = actor, .client = "cli", .now = now};
        enc_erase_result r;
        enc_rc rc = enc_privacy_erase(st, id, &o, &r, &err);
        enc_store_close(st);
        if (rc) return enc_cli_fail_err(cmd, &err);
        const enc_store_erased *e = &r.store;
        if (json) {
            enc_buf b = {0};
            enc_jw w;
            enc_jw_init(&w, &b);
            enc_privacy_erased_json(&r, id, &w);
            enc_cli_print(&b);
            enc_buf_free(&b);
        } else if (r.already) {
            printf("customer %s was erased before: the store was compacted, %d caches rebuilt\n",
                   target, r.caches_rebuilt);
        } else {
            printf("erased customer %s: %lld identities removed (%lld on the suppression list), "
                   "%lld events, %lld feedback, %lld consents, %lld inbox messages deleted, "
                   "%lld outbox messages emptied; %lld orders kept under the pseudonym %s\n",
                   target, (long long)e->identities, (long long)e->suppressed, (long long)e->events,
                   (long long)e->feedback, (long long)e->consents, (long long)e->inbox,
                   (long long)e->messages, (long long)e->orders_kept, target);
            if (r.caches_rebuilt || r.exports_removed)
                printf("  %d column caches rebuilt, %d export files removed\n", r.caches_rebuilt,
                       r.exports_removed);
        }
        return ENC_EXIT_OK;
    }
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_rc rc = enc_privacy_export(st, id, now, &w, &err);
    if (!rc) {
        enc_audit_rec a = {.at = now,
                           .actor = actor,
                           .action = "customer.export",
                           .target = target,
                           .client = "cli"};
        rc = enc_audit_append(st, &a, &err);
    }
    enc_store_close(st);
    if (rc) {
        enc_buf_free(&b);
        return enc_cli_fail_err(cmd, &err);
    }
    if (out) {
        int fd = enc_open_private(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW);
        bool ok = fd >= 0 && write(fd, b.p, b.len) == (ssize_t)b.len && write(fd, "\n", 1) == 1;
        int e = errno;
        if (fd >= 0) close(fd);
        enc_buf_free(&b);
        if (!ok) return enc_cli_fail(cmd, "%s: %s", out, strerror(e));
        return ENC_EXIT_OK;
    }
    enc_cli_print(&b);
    enc_buf_free(&b);
    return ENC_EXIT_OK;
}

/* ---- `encore privacy retention|enforce` ------------------------------------------------------ */

static const char privacy_usage[] =
    "usage: encore privacy retention [--events DAYS|off] [--messages DAYS|off]\n"
    "                                [--feedback-text DAYS|off] [--json]\n"
    "       encore privacy enforce [--now TIME] [--dry-run] [--json]\n"
    "  retention: show or set how long each kind is kept (1 to 36500 days; off = forever):\n"
    "    events         behaviour events are deleted after it\n"
    "    messages       sent messages keep their row (measurement) but lose address and contents\n"
    "    feedback-text  feedback keeps its score but loses its text\n"
    "  enforce: apply the periods now (encore serve does it every hour); recorded in the audit\n"
    "  log. --dry-run counts what would go. (docs/privacy.md)\n";

static void retention_json(enc_jw *w, const char *key, const int64_t v[ENC_RETAIN_KINDS], bool days)
{
    enc_jw_key(w, key);
    enc_jw_obj(w);
    for (int k = 0; k < ENC_RETAIN_KINDS; k++) {
        enc_jw_key(w, enc_retention_name((enc_retention_kind)k));
        if (days && !v[k]) enc_jw_null(w);
        else enc_jw_int(w, v[k]);
    }
    enc_jw_end(w);
}

static int privacy_retention(enc_cli *cli, int argc, char **argv)
{
    static const char *const flags[ENC_RETAIN_KINDS] = {"--events", "--messages",
                                                        "--feedback-text"};
    int64_t set[ENC_RETAIN_KINDS] = {-1, -1, -1};
    bool json = false;
    for (int i = 1; i < argc; i++) {
        int k = -1;
        for (int j = 0; j < ENC_RETAIN_KINDS; j++)
            if (strcmp(argv[i], flags[j]) == 0) k = j;
        if (strcmp(argv[i], "--json") == 0) json = true;
        else if (k >= 0 && i + 1 < argc) {
            long d;
            const char *v = argv[++i];
            if (strcmp(v, "off") == 0) set[k] = 0;
            else if (enc_cli_parse_long(v, 1, ENC_RETENTION_MAX_DAYS, &d)) set[k] = d;
            else
                return enc_cli_usage("privacy retention", privacy_usage,
                                     "%s: '%s' is not 1 to %d days or off", flags[k], v,
                                     ENC_RETENTION_MAX_DAYS);
        } else
            return enc_cli_usage("privacy retention", privacy_usage, "unknown option '%s'",
                                 argv[i]);
    }
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("privacy retention", &err);
    enc_rc rc = ENC_OK;
    char actor[80], detail[160];
    int n = 0;
    cli_actor(actor, sizeof actor);
    for (int k = 0; !rc && k < ENC_RETAIN_KINDS; k++)
        if (set[k] >= 0) {
            rc = enc_store_retention_set(st, (enc_retention_kind)k, set[k], &err);
            n += snprintf(detail + n, sizeof detail - (size_t)n, "%s%s=%lld", n ? " " : "",
                          enc_retention_name((enc_retention_kind)k), (long long)set[k]);
        }
    if (!rc && n) {
        enc_audit_rec a = {
            .actor = actor, .action = "retention.set", .detail = detail, .client = "cli"};
        rc = enc_audit_append(st, &a, &err);
    }
    int64_t days[ENC_RETAIN_KINDS];
    if (!rc) rc = enc_store_retention_get(st, days, &err);
    enc_store_close(st);
    if (rc) return enc_cli_fail_err("privacy retention", &err);
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        retention_json(&w, "retention_days", days, true);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        for (int k = 0; k < ENC_RETAIN_KINDS; k++)
            if (days[k])
                printf("%-14s %lld days\n", enc_retention_name((enc_retention_kind)k),
                       (long long)days[k]);
            else printf("%-14s kept\n", enc_retention_name((enc_retention_kind)k));
    }
    return ENC_EXIT_OK;
}

static int privacy_enforce(enc_cli *cli, int argc, char **argv)
{
    bool json = false, dry = false;
    int64_t now = (int64_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = true;
        else if (strcmp(argv[i], "--dry-run") == 0) dry = true;
        else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
            bool has_time;
            if (!enc_time_parse(argv[++i], &now, &has_time))
                return enc_cli_usage("privacy enforce", privacy_usage, "--now: '%s' is not a time",
                                     argv[i]);
        } else
            return enc_cli_usage("privacy enforce", privacy_usage, "unknown option '%s'", argv[i]);
    }
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("privacy enforce", &err);
    char actor[80];
    cli_actor(actor, sizeof actor);
    int64_t done[ENC_RETAIN_KINDS], days[ENC_RETAIN_KINDS];
    enc_rc rc = enc_store_retention_get(st, days, &err);
    if (!rc) rc = enc_privacy_retention_enforce(st, now, dry, actor, "cli", done, &err);
    enc_store_close(st);
    if (rc) return enc_cli_fail_err("privacy enforce", &err);
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kbool(&w, "dry_run", dry);
        retention_json(&w, "retention_days", days, true);
        retention_json(&w, dry ? "would_change" : "changed", done, false);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        for (int k = 0; k < ENC_RETAIN_KINDS; k++)
            printf("%-14s %s %lld\n", enc_retention_name((enc_retention_kind)k),
                   !days[k] ? "kept     "
                   : dry    ? "would go"
                            : "gone     ",
                   (long long)done[k]);
    }
    return ENC_EXIT_OK;
}

int cmd_privacy(enc_cli *cli, int argc, char **argv)
{
    if (argc < 2 || enc_cli_wants_help(argc, argv)) {
        fputs(privacy_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? ENC_EXIT_USAGE : ENC_EXIT_OK;
    }
    if (strcmp(argv[1], "retention") == 0) return privacy_retention(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "enforce") == 0) return privacy_enforce(cli, argc - 1, argv + 1);
    return enc_cli_usage("privacy", privacy_usage, "unknown subcommand '%s'", argv[1]);
}

enc_rc enc__serve_retention(enc_server *srv, enc_store *st, void *ctx, enc_err *err)
{
    int64_t done[ENC_RETAIN_KINDS];
    (void)srv;
    (void)ctx;
    return enc_privacy_retention_enforce(st, (int64_t)time(NULL), false, "serve", "serve", done,
                                         err);
}
