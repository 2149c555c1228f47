/* cmd_outbox.c — `encore outbox`: counts by state and channel; pause, resume, rate, retry,
 * cancel, suppress, SMS replies; and `enqueue FILE.jsonl`, a test and integration aid
 * (campaigns enqueue through the outbox API directly). The dispatcher is cmd_dispatch.c. */
#include "cli/opts.h"
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

static const char about[] =
    "The outbox holds every message campaigns send; 'encore dispatch' delivers it. States:\n"
    "queued, sending, sent, failed, dead, reconcile, suppressed, cancelled. See "
    "docs/delivery.md.\n";

static const char json_help[] = "one JSON document on stdout (default: text for people)";

/* After the subcommand's own checks: the row's setup (the store), then the outbox on it. */
static int outbox_setup(enc_cli *cli, const enc_usage *u, enc_outbox **ob)
{
    int x = enc_opts_setup(cli, u);
    if (x != ENC_OPTS_GO) return x;
    enc_err err = {0};
    if (enc_outbox_open(cli->st, ob, &err)) return enc_cli_fail_err("outbox", &err);
    return ENC_OPTS_GO;
}

/* The end of a subcommand: the outbox closed, a store error said. */
static int outbox_done(enc_outbox *ob, enc_rc r, const enc_err *err)
{
    enc_outbox_close(ob);
    return r ? enc_cli_fail_err("outbox", err) : ENC_EXIT_OK;
}

static int outbox_counts(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "outbox counts",
        .synopsis = "[--state S] [--channel C] [--json]",
        .about = "Messages by channel and state ('encore outbox' alone does the same).\n",
        .late_setup = true,
    };
    const char *state = NULL, *channel = NULL;
    bool json = false;
    const enc_opt opts[] = {
        OPT_STRING("state", &state, "S", "only this state's column"),
        OPT_STRING("channel", &channel, "C", "only this channel"),
        OPT_BOOL("json", &json, json_help),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    int only = -1;
    if (state && (only = enc_msg_state_parse(state)) < 0)
        return enc_opts_error(cli, &usage, opts, "unknown state '%s'", state);
    enc_outbox *ob;
    if ((x = outbox_setup(cli, &usage, &ob)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_outbox_count *rows;
    size_t n;
    if (enc_outbox_counts(ob, channel, &rows, &n, &err)) return outbox_done(ob, err.rc, &err);
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
    return outbox_done(ob, ENC_OK, &err);
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

static int enqueue_file(enc_outbox *ob, const char *path, bool json)
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

static int outbox_enqueue(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "outbox enqueue",
        .synopsis = "FILE.jsonl [--json]",
        .about = "Adds messages, one JSON object a line ('-': standard input): channel, address,\n"
                 "idempotency_key (required), campaign, variant, customer_id, subject, body_text,\n"
                 "body_html, priority (0..9), due_at (epoch seconds), payload (an object). A key\n"
                 "already in the outbox is skipped. For tests and integrations: campaigns use the\n"
                 "outbox API.\n",
        .min_args = 1,
        .max_args = 1,
        .args_msg = "needs a FILE.jsonl",
        .late_setup = true,
    };
    bool json = false;
    const enc_opt opts[] = {OPT_BOOL("json", &json, json_help), OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    enc_outbox *ob;
    if ((x = outbox_setup(cli, &usage, &ob)) != ENC_OPTS_GO) return x;
    const char *path = argv[1];
    x = enqueue_file(ob, path, json);
    enc_outbox_close(ob);
    return x;
}

/* pause and resume CHANNEL */
static int outbox_pause(enc_cli *cli, int argc, char **argv)
{
    bool pause = strcmp(argv[0], "pause") == 0;
    const enc_usage usage = {
        .name = pause ? "outbox pause" : "outbox resume",
        .synopsis = "CHANNEL",
        .about = pause ? "The dispatcher sends nothing on CHANNEL until it is resumed.\n"
                       : "The dispatcher sends on CHANNEL again.\n",
        .min_args = 1,
        .max_args = 1,
        .args_msg = "takes 1 argument: CHANNEL",
        .extra_msg = "takes 1 argument: CHANNEL",
        .late_setup = true,
    };
    const enc_opt opts[] = {OPT_END()};
    enc_outbox *ob;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO || (x = outbox_setup(cli, &usage, &ob)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_rc r = enc_outbox_set_paused(ob, argv[1], pause, (int64_t)time(NULL), &err);
    if (!r) printf("channel %s %s\n", argv[1], pause ? "paused" : "resumed");
    return outbox_done(ob, r, &err);
}

static int outbox_rate(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "outbox rate",
        .synopsis = "CHANNEL N|default",
        .about = "Messages per second on CHANNEL (a positive number), or 'default': the rate of\n"
                 "the channel's configuration.\n",
        .min_args = 2,
        .max_args = 2,
        .args_msg = "takes 2 arguments: CHANNEL and N or 'default'",
        .extra_msg = "takes 2 arguments: CHANNEL and N or 'default'",
        .late_setup = true,
    };
    const enc_opt opts[] = {OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    double rate = 0;
    if (strcmp(argv[2], "default") != 0) {
        char *end;
        rate = strtod(argv[2], &end);
        if (end == argv[2] || *end || !(rate > 0) || rate > 1e9)
            return enc_opts_error(cli, &usage, opts, "'%s' is not a positive number or 'default'",
                                  argv[2]);
    }
    enc_outbox *ob;
    if ((x = outbox_setup(cli, &usage, &ob)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_rc r = enc_outbox_set_rate(ob, argv[1], rate, (int64_t)time(NULL), &err);
    if (!r && rate > 0) printf("channel %s: %g messages per second\n", argv[1], rate);
    else if (!r) printf("channel %s: the configured rate\n", argv[1]);
    return outbox_done(ob, r, &err);
}

static int outbox_retry(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "outbox retry",
        .synopsis = "--state S [--channel C]",
        .about = "Queues messages in state S (dead, failed, reconcile, suppressed or cancelled)\n"
                 "again.\n",
        .late_setup = true,
    };
    const char *state = NULL, *channel = NULL;
    const enc_opt opts[] = {
        OPT_STRING("state", &state, "S", "the messages in this state (required)"),
        OPT_STRING("channel", &channel, "C", "only this channel's"),
        OPT_END(),
    };
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    if (!state) return enc_opts_error(cli, &usage, opts, "--state S is required");
    int from = enc_msg_state_parse(state);
    if (from < 0) return enc_opts_error(cli, &usage, opts, "unknown state '%s'", state);
    enc_outbox *ob;
    if ((x = outbox_setup(cli, &usage, &ob)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    int64_t n = 0;
    enc_rc r = enc_outbox_retry(ob, (enc_msg_state)from, channel, (int64_t)time(NULL), &n, &err);
    if (!r) printf("%lld messages queued again\n", (long long)n);
    return outbox_done(ob, r, &err);
}

static int outbox_cancel(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "outbox cancel",
        .synopsis = "[--campaign X] [--channel C]",
        .about = "Cancels queued messages (all of them, or one campaign's or channel's).\n",
        .late_setup = true,
    };
    const char *campaign = NULL, *channel = NULL;
    const enc_opt opts[] = {
        OPT_STRING("campaign", &campaign, "X", "only this campaign's"),
        OPT_STRING("channel", &channel, "C", "only this channel's"),
        OPT_END(),
    };
    enc_outbox *ob;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO || (x = outbox_setup(cli, &usage, &ob)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    int64_t n = 0;
    enc_rc r = enc_outbox_cancel(ob, campaign, channel, &n, &err);
    if (!r) printf("%lld messages cancelled\n", (long long)n);
    return outbox_done(ob, r, &err);
}

static int outbox_suppress(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "outbox suppress",
        .synopsis = "CHANNEL ADDRESS [--reason R]",
        .about = "Never send to ADDRESS on CHANNEL (\"*\": on any channel).\n",
        .min_args = 2,
        .max_args = 2,
        .args_msg = "takes 2 arguments: CHANNEL and ADDRESS",
        .extra_msg = "takes 2 arguments: CHANNEL and ADDRESS",
        .late_setup = true,
    };
    const char *reason = "manual";
    const enc_opt opts[] = {
        OPT_STRING("reason", &reason, "R", "why, kept with the entry (default manual)"),
        OPT_END(),
    };
    enc_outbox *ob;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO || (x = outbox_setup(cli, &usage, &ob)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    enc_rc r = enc_outbox_suppress(ob, argv[1], argv[2], reason, "cli", (int64_t)time(NULL), &err);
    if (!r) printf("%s suppressed on %s\n", argv[2], argv[1]);
    return outbox_done(ob, r, &err);
}

static int outbox_reply(enc_cli *cli, int argc, char **argv)
{
    static const enc_usage usage = {
        .name = "outbox reply",
        .synopsis = "CHANNEL PHONE TEXT [--phone-cc CC]",
        .about = "An inbound SMS reply: STOP, TD, 退订 ... suppress the number and revoke its\n"
                 "customers' marketing consent. PHONE is normalised to E.164.\n",
        .min_args = 3,
        .max_args = 3,
        .args_msg = "takes 3 arguments: CHANNEL, PHONE and TEXT",
        .extra_msg = "takes 3 arguments: CHANNEL, PHONE and TEXT",
        .late_setup = true,
    };
    const char *phone_cc = getenv("ENCORE_PHONE_CC");
    const enc_opt opts[] = {
        OPT_STRING("phone-cc", &phone_cc, "CC",
                   "national numbers' country code (default $ENCORE_PHONE_CC)"),
        OPT_END(),
    };
    enc_outbox *ob;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO || (x = outbox_setup(cli, &usage, &ob)) != ENC_OPTS_GO) return x;
    enc_err err = {0};
    bool out;
    int64_t ncust = 0;
    char e164[32] = "";
    enc_rc r = enc_outbox_reply(ob, argv[1], argv[2], phone_cc, argv[3], (int64_t)time(NULL), &out,
                                &ncust, e164, &err);
    if (!r && out)
        printf("opt-out: %s suppressed on %s; marketing consent revoked for %lld customer%s\n",
               e164, argv[1], (long long)ncust, ncust == 1 ? "" : "s");
    else if (!r) printf("not an opt-out\n");
    return outbox_done(ob, r, &err);
}

int cmd_outbox(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"counts", outbox_counts, "messages by channel and state (the default)"},
        {"pause", outbox_pause, "stop sending on a channel"},
        {"resume", outbox_pause, "send on a channel again"},
        {"rate", outbox_rate, "a channel's messages per second"},
        {"retry", outbox_retry, "queue dead, failed, reconcile, suppressed or cancelled again"},
        {"cancel", outbox_cancel, "cancel queued messages"},
        {"suppress", outbox_suppress, "never send to an address"},
        {"reply", outbox_reply, "an inbound SMS reply (STOP, TD, 退订 ... opt out)"},
        {"enqueue", outbox_enqueue, "add messages from a JSON-lines file (tests, integrations)"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "outbox", about, subs, "counts", argc, argv);
}
