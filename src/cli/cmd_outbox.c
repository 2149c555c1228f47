/* cmd_outbox.c — `encore outbox`: counts by state and channel; pause, resume, rate, retry,
 * cancel, suppress, SMS replies; and `enqueue FILE.jsonl`, a test and integration aid
 * (campaigns enqueue through the outbox API directly). The dispatcher is cmd_dispatch.c. */
#include "cli/cli.h"
#include "base/json.h"
#include "base/mem.h"
#include "delivery/channel.h" /* enc_opt_str */
#include "delivery/outbox.h"
#include "store/store.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char outbox_usage[] =
    "usage: encore outbox [--state S] [--channel C] [--json]   counts by channel and state\n"
    "       encore outbox pause|resume CHANNEL                 stop or restart a channel\n"
    "       encore outbox rate CHANNEL N|default               messages per second\n"
    "       encore outbox retry --state S [--channel C]        queue dead, failed, reconcile,\n"
    "                                                          suppressed or cancelled again\n"
    "       encore outbox cancel [--campaign X] [--channel C]  cancel queued messages\n"
    "       encore outbox suppress CHANNEL ADDRESS [--reason R] never send there (\"*\": any "
    "channel)\n"
    "       encore outbox reply CHANNEL PHONE TEXT [--phone-cc CC]\n"
    "                                                          an inbound SMS reply: STOP, TD,\n"
    "                                                          退订 ... suppress the number and\n"
    "                                                          revoke its customers' consent;\n"
    "                                                          PHONE is normalised to E.164 (CC:\n"
    "                                                          national numbers' country code,\n"
    "                                                          default $ENCORE_PHONE_CC)\n"
    "       encore outbox enqueue FILE.jsonl [--json]          add messages (one JSON object a\n"
    "                                                          line; for tests and integrations:\n"
    "                                                          campaigns use the outbox API)\n";

static int outbox_counts(enc_outbox *ob, const char *state, const char *channel, bool json)
{
    enc_err err = {0};
    enc_outbox_count *rows;
    size_t n;
    int only = -1;
    if (state && (only = enc_msg_state_parse(state)) < 0)
        return enc_cli_usage("outbox", outbox_usage, "unknown state '%s'", state);
    if (enc_outbox_counts(ob, channel, &rows, &n, &err)) return enc_cli_fail_err("outbox", &err);
    int64_t total[ENC_MSG_NSTATES] = {0};
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < ENC_MSG_NSTATES; k++) total[k] += rows[i].n[k];
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_key(&w, "channels");
        enc_jw_arr(&w);
        for (size_t i = 0; i < n; i++) {
            enc_channel_state cs;
            enc_outbox_channel_get(ob, rows[i].channel, &cs, &err);
            enc_jw_obj(&w);
            enc_jw_kstr(&w, "channel", rows[i].channel);
            enc_jw_kbool(&w, "paused", cs.paused);
            for (int k = 0; k < ENC_MSG_NSTATES; k++)
                if (only < 0 || only == k) enc_jw_kint(&w, enc_msg_state_name(k), rows[i].n[k]);
            enc_jw_end(&w);
        }
        enc_jw_end(&w);
        enc_jw_key(&w, "total");
        enc_jw_obj(&w);
        for (int k = 0; k < ENC_MSG_NSTATES; k++)
            if (only < 0 || only == k) enc_jw_kint(&w, enc_msg_state_name(k), total[k]);
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("%-16s", "channel");
        for (int k = 0; k < ENC_MSG_NSTATES; k++)
            if (only < 0 || only == k) printf(" %10s", enc_msg_state_name(k));
        printf("\n");
        for (size_t i = 0; i <= n; i++) {
            const int64_t *v = i < n ? rows[i].n : total;
            char name[80];
            enc_channel_state cs = {0};
            if (i < n) enc_outbox_channel_get(ob, rows[i].channel, &cs, &err);
            snprintf(name, sizeof name, "%s%s", i < n ? rows[i].channel : "total",
                     cs.paused ? " (paused)" : "");
            printf("%-16s", name);
            for (int k = 0; k < ENC_MSG_NSTATES; k++)
                if (only < 0 || only == k) printf(" %10lld", (long long)v[k]);
            printf("\n");
        }
    }
    free(rows);
    return ENC_EXIT_OK;
}

/* Reads one message object into r (strings borrowed from o); NULL or a reason. */
static const char *msg_from_json(json_t *o, enc_msg_rec *r, char **payload)
{
    memset(r, 0, sizeof *r);
    *payload = NULL;
    if (!json_is_object(o)) return "expected a JSON object";
    r->campaign = enc_opt_str(o, "campaign", NULL);
    r->variant = enc_opt_str(o, "variant", NULL);
    json_t *cid = json_object_get(o, "customer_id");
    if (cid && !json_is_integer(cid)) return "customer_id must be an integer";
    r->customer_id = json_integer_value(cid);
    r->channel = enc_opt_str(o, "channel", NULL);
    r->address = enc_opt_str(o, "address", NULL);
    r->subject = enc_opt_str(o, "subject", NULL);
    r->body_text = enc_opt_str(o, "body_text", enc_opt_str(o, "text", NULL));
    r->body_html = enc_opt_str(o, "body_html", enc_opt_str(o, "html", NULL));
    r->idempotency_key = enc_opt_str(o, "idempotency_key", NULL);
    json_t *pr = json_object_get(o, "priority");
    if (pr && (!json_is_integer(pr) || json_integer_value(pr) < 0 || json_integer_value(pr) > 9))
        return "priority must be an integer 0..9";
    r->priority = (int)json_integer_value(pr);
    json_t *due = json_object_get(o, "due_at");
    if (due && !json_is_integer(due)) return "due_at must be epoch seconds";
    r->due_at = json_integer_value(due);
    json_t *p = json_object_get(o, "payload");
    if (p && !json_is_null(p)) {
        if (!json_is_object(p)) return "payload must be an object";
        *payload = json_dumps(p, JSON_COMPACT);
        r->payload = *payload;
    }
    if (!r->channel || !r->address || !r->idempotency_key)
        return "channel, address and idempotency_key are required";
    return NULL;
}

#define ENQ_BATCH 5000
#define ENQ_LINE_MAX (1 << 20)

static int outbox_enqueue(enc_outbox *ob, const char *path, bool json)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return enc_cli_fail("outbox", "%s: %s", path, strerror(errno));
    enc_err err = {0};
    enc_msg_rec *recs = enc_xcalloc(ENQ_BATCH, sizeof *recs);
    json_t **objs = enc_xcalloc(ENQ_BATCH, sizeof *objs);
    char **pays = enc_xcalloc(ENQ_BATCH, sizeof *pays);
    size_t nb = 0, added_total = 0, read = 0;
    long lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = ENC_EXIT_OK;
    int64_t now = (int64_t)time(NULL);
    for (;;) {
        len = getline(&line, &cap, f);
        bool flush = len < 0 || nb == ENQ_BATCH;
        if (flush && nb) {
            size_t added;
            enc_rc r = enc_outbox_enqueue(ob, recs, nb, now, &added, &err);
            for (size_t i = 0; i < nb; i++) {
                json_decref(objs[i]);
                free(pays[i]);
            }
            nb = 0;
            if (r) {
                rc = enc_cli_fail_err("outbox", &err);
                break;
            }
            added_total += added;
        }
        if (len < 0) break;
        lineno++;
        if (len > ENQ_LINE_MAX) {
            rc = enc_cli_fail("outbox", "%s:%ld: line longer than 1 MB", path, lineno);
            break;
        }
        size_t k = (size_t)len;
        while (k && (line[k - 1] == '\n' || line[k - 1] == '\r' || line[k - 1] == ' ')) k--;
        if (k == 0) continue;
        json_error_t je;
        json_t *o = json_loadb(line, k, 0, &je);
        if (!o) {
            rc = enc_cli_fail("outbox", "%s:%ld:%d: %s", path, lineno, je.column, je.text);
            break;
        }
        const char *why = msg_from_json(o, &recs[nb], &pays[nb]);
        if (why) {
            json_decref(o);
            free(pays[nb]);
            rc = enc_cli_fail("outbox", "%s:%ld: %s", path, lineno, why);
            break;
        }
        objs[nb++] = o;
        read++;
    }
    for (size_t i = 0; i < nb; i++) {
        json_decref(objs[i]);
        free(pays[i]);
    }
    free(line);
    free(recs);
    free(objs);
    free(pays);
    if (f != stdin) fclose(f);
    if (rc) return rc;
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "read", (int64_t)read);
        enc_jw_kint(&w, "added", (int64_t)added_total);
        enc_jw_kint(&w, "already_there", (int64_t)(read - added_total));
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("enqueued %zu of %zu messages (%zu already in the outbox)\n", added_total, read,
               read - added_total);
    }
    return ENC_EXIT_OK;
}

int cmd_outbox(enc_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"state", required_argument, NULL, 's'},    {"channel", required_argument, NULL, 'c'},
        {"campaign", required_argument, NULL, 'C'}, {"reason", required_argument, NULL, 'r'},
        {"phone-cc", required_argument, NULL, 'p'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char *state = NULL, *channel = NULL, *campaign = NULL, *reason = "manual";
    const char *phone_cc = getenv("ENCORE_PHONE_CC");
    bool json = false;
    int c;
    opterr = 0;
    /* options may follow the action word: permute (no "+") */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': state = optarg; break;
        case 'c': channel = optarg; break;
        case 'C': campaign = optarg; break;
        case 'r': reason = optarg; break;
        case 'p': phone_cc = optarg; break;
        case 'j': json = true; break;
        case 'h': fputs(outbox_usage, stdout); return ENC_EXIT_OK;
        default:
            return enc_cli_usage("outbox", outbox_usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    const char *act = optind < argc ? argv[optind] : NULL;
    int nargs = argc - optind - (act ? 1 : 0);
    char **args = argv + optind + (act ? 1 : 0);
    static const struct {
        const char *name;
        int nargs;
    } acts[] = {{"pause", 1},  {"resume", 1},   {"rate", 2},  {"retry", 0},
                {"cancel", 0}, {"suppress", 2}, {"reply", 3}, {"enqueue", 1}};
    int which = -1;
    if (act) {
        for (size_t i = 0; i < sizeof acts / sizeof *acts; i++)
            if (strcmp(act, acts[i].name) == 0) which = (int)i;
        if (which < 0) return enc_cli_usage("outbox", outbox_usage, "unknown action '%s'", act);
        if (nargs != acts[which].nargs)
            return enc_cli_usage("outbox", outbox_usage, "%s takes %d argument%s", act,
                                 acts[which].nargs, acts[which].nargs == 1 ? "" : "s");
    }
    double rate = 0;
    if (which == 2 && strcmp(args[1], "default") != 0) {
        char *end;
        rate = strtod(args[1], &end);
        if (end == args[1] || *end || !(rate > 0) || rate > 1e9)
            return enc_cli_usage("outbox", outbox_usage, "rate: a positive number or 'default'");
    }
    int from = -1;
    if (which == 3) {
        if (!state) return enc_cli_usage("outbox", outbox_usage, "retry needs --state");
        from = enc_msg_state_parse(state);
        if (from < 0) return enc_cli_usage("outbox", outbox_usage, "unknown state '%s'", state);
    }
    enc_err err = {0};
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) return enc_cli_fail_err("outbox", &err);
    enc_outbox *ob;
    if (enc_outbox_open(st, &ob, &err)) {
        enc_store_close(st);
        return enc_cli_fail_err("outbox", &err);
    }
    int rc = ENC_EXIT_OK;
    int64_t now = (int64_t)time(NULL), n = 0;
    enc_rc r = ENC_OK;
    switch (which) {
    case -1: rc = outbox_counts(ob, state, channel, json); break;
    case 0:
    case 1:
        r = enc_outbox_set_paused(ob, args[0], which == 0, now, &err);
        if (!r) printf("channel %s %s\n", args[0], which == 0 ? "paused" : "resumed");
        break;
    case 2:
        r = enc_outbox_set_rate(ob, args[0], rate, now, &err);
        if (!r && rate > 0) printf("channel %s: %g messages per second\n", args[0], rate);
        else if (!r) printf("channel %s: the configured rate\n", args[0]);
        break;
    case 3:
        r = enc_outbox_retry(ob, (enc_msg_state)from, channel, now, &n, &err);
        if (!r) printf("%lld messages queued again\n", (long long)n);
        break;
    case 4:
        r = enc_outbox_cancel(ob, campaign, channel, &n, &err);
        if (!r) printf("%lld messages cancelled\n", (long long)n);
        break;
    case 5:
        r = enc_outbox_suppress(ob, args[0], args[1], reason, "cli", now, &err);
        if (!r) printf("%s suppressed on %s\n", args[1], args[0]);
        break;
    case 6: {
        bool out;
        int64_t ncust = 0;
        char e164[32] = "";
        r = enc_outbox_reply(ob, args[0], args[1], phone_cc, args[2], now, &out, &ncust, e164,
                             &err);
        if (!r && out)
            printf("opt-out: %s suppressed on %s; marketing consent revoked for %lld customer%s\n",
                   e164, args[0], (long long)ncust, ncust == 1 ? "" : "s");
        else if (!r) printf("not an opt-out\n");
        break;
    }
    case 7: rc = outbox_enqueue(ob, args[0], json); break;
    }
    if (r) rc = enc_cli_fail_err("outbox", &err);
    enc_outbox_close(ob);
    enc_store_close(st);
    return rc;
}
