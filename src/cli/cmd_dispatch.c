/* cmd_dispatch.c — `encore dispatch`: runs the dispatcher over the outbox, once or until
 * stopped (`encore outbox` is cmd_outbox.c). */
#include "cli/cli.h"
#include "base/json.h"
#include "base/datetime.h"
#include "base/mem.h"
#include "delivery/config.h"
#include "delivery/dispatch.h"
#include "delivery/outbox.h"
#include "store/store.h"
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern char **environ;

static const char dispatch_usage[] =
    "usage: encore dispatch [--once] [--config FILE] [--set CHANNEL.OPTION=VALUE]...\n"
    "                       [--batch N] [--max-attempts N] [--show-config] [--json]\n"
    "  sends due messages of the outbox through the configured channels, records results,\n"
    "  retries temporary failures with backoff; runs until stopped (SIGINT/SIGTERM)\n"
    "  --once            send what is due now, then exit\n"
    "  --config FILE     channels and settings (JSON; default $ENCORE_DELIVERY_CONFIG, else\n"
    "                    DB.delivery.json beside the store when it exists: the console writes it)\n"
    "  --set C.O=V       set option O of channel C (over ENCORE_CHANNEL_<C>_<O> over the file)\n"
    "  --batch N         messages claimed per channel per round (default 200)\n"
    "  --max-attempts N  tries before a message is dead (default 8)\n"
    "  --show-config     print the configuration (secrets masked) and exit\n"
    "  --now TIME        a test clock: starts at TIME (\"YYYY-MM-DD[ HH:MM[:SS]]\" UTC or epoch\n"
    "                    seconds) and runs at real speed\n"
    "  --json            one JSON summary on stdout\n"
    "  see docs/delivery.md for channel options, states and the recovery rules\n";

/* The dispatcher a signal should stop: a signal handler can reach nothing else. */
static enc_dispatch *volatile running;
static void on_signal(int sig)
{
    if (running) enc_dispatch_stop(running);
}

typedef struct progress {
    bool tty;
    double last;
} progress;

static void on_round(void *ctx, const enc_dispatch_stats *s)
{
    progress *p = ctx;
    if (!p->tty) return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
    if (now - p->last < 0.25) return;
    p->last = now;
    fprintf(stderr, "\rdispatch: %lld sent, %lld retrying, %lld failed, %lld dead   ",
            (long long)s->sent, (long long)s->retried, (long long)s->failed, (long long)s->dead);
}

/* --now: a clock that starts at a given time and runs at real speed (tests of staleness and
 * caps drive the dispatcher at dates of their own). */
typedef struct test_clock {
    bool on;
    double base, t0;
} test_clock;

static double test_now(void *ctx)
{
    const test_clock *c = ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return c->base + ((double)ts.tv_sec + ts.tv_nsec * 1e-9 - c->t0);
}

static void test_sleep(void *ctx, double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL);
}

int cmd_dispatch(enc_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"once", no_argument, NULL, 'o'},
        {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, 's'},
        {"batch", required_argument, NULL, 'b'},
        {"max-attempts", required_argument, NULL, 'm'},
        {"show-config", no_argument, NULL, 'S'},
        {"now", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool once = false, json = false, show = false;
    test_clock tc = {0};
    const char *config = getenv("ENCORE_DELIVERY_CONFIG");
    if (config && !*config) config = NULL;
    const char **sets = enc_xcalloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    long batch = 0, maxatt = 0;
    int c, rc = ENC_EXIT_OK;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'o': once = true; break;
        case 'c': config = optarg; break;
        case 's': sets[nsets++] = optarg; break;
        case 'b':
            if (!enc_cli_parse_long(optarg, 1, 100000, &batch)) {
                free(sets);
                return enc_cli_usage("dispatch", dispatch_usage, "--batch: 1..100000");
            }
            break;
        case 'm':
            if (!enc_cli_parse_long(optarg, 1, 100, &maxatt)) {
                free(sets);
                return enc_cli_usage("dispatch", dispatch_usage, "--max-attempts: 1..100");
            }
            break;
        case 'S': show = true; break;
        case 'n': {
            int64_t at;
            if (!enc_time_parse(optarg, &at, NULL)) {
                free(sets);
                return enc_cli_usage("dispatch", dispatch_usage, "--now: '%s' is not a time (%s)",
                                     optarg, ENC_TIME_FORMS);
            }
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            tc.base = (double)at;
            tc.t0 = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
            tc.on = true;
            break;
        }
        case 'j': json = true; break;
        case 'h':
            free(sets);
            fputs(dispatch_usage, stdout);
            return ENC_EXIT_OK;
        default:
            free(sets);
            return enc_cli_usage("dispatch", dispatch_usage, "unknown option '%s'",
                                 argv[optind - 1]);
        }
    }
    if (optind < argc) {
        free(sets);
        return enc_cli_usage("dispatch", dispatch_usage, "unexpected argument '%s'", argv[optind]);
    }
    enc_err err = {0};
    enc_delivery_config cfg;
    char path[4096];
    bool exists;
    enc_delivery_config_path(config, cli->db_path, path, sizeof path, &exists);
    if (enc_delivery_config_load(config || exists ? path : NULL, environ, sets, nsets, &cfg,
                                 &err)) {
        free(sets);
        return enc_cli_fail_err("dispatch", &err);
    }
    free(sets);
    if (batch) cfg.batch = (size_t)batch;
    if (maxatt) cfg.retry.max_attempts = (int)maxatt;
    if (show) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_delivery_config_json(&cfg, &w);
        enc_cli_print(&b);
        enc_buf_free(&b);
        enc_delivery_config_free(&cfg);
        return ENC_EXIT_OK;
    }
    if (json_object_size(cfg.channels) == 0) {
        enc_delivery_config_free(&cfg);
        return enc_cli_usage("dispatch", dispatch_usage,
                             "no channels configured (--config FILE, $ENCORE_DELIVERY_CONFIG or"
                             " --set NAME.kind=...)");
    }
    enc_store *st;
    if (enc_store_open(cli->db_path, &st, &err)) {
        enc_delivery_config_free(&cfg);
        return enc_cli_fail_err("dispatch", &err);
    }
    char lock[4096];
    snprintf(lock, sizeof lock, "%s.dispatch-lock", cli->db_path);
    progress prog = {.tty = cli->tty && !json};
    enc_dispatch_opts o = {.retry = cfg.retry,
                           .batch = cfg.batch,
                           .poll = cfg.poll,
                           .lock_path = lock,
                           .on_round = on_round,
                           .round_ctx = &prog};
    if (tc.on) o.clock = (enc_clock){.now = test_now, .sleep = test_sleep, .ctx = &tc};
    enc_dispatch *d = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (enc_dispatch_new(st, &o, &d, &err) || enc_dispatch_configure(d, &cfg, &err)) {
        rc = enc_cli_fail_err("dispatch", &err);
        goto out;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    running = d;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    enc_rc r = enc_dispatch_run(d, once, &err);
    running = NULL;
    if (prog.tty && prog.last > 0) fputc('\n', stderr);
    if (r) {
        rc = enc_cli_fail_err("dispatch", &err);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    /* due messages on channels nobody configured would wait forever: say so */
    char **names = NULL;
    size_t nn = 0;
    enc_outbox_due_channels(enc_dispatch_outbox(d),
                            tc.on ? (int64_t)test_now(&tc) : (int64_t)time(NULL), &names, &nn,
                            &err);
    const enc_dispatch_stats *s = enc_dispatch_stats_get(d);
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "claimed", s->claimed);
        enc_jw_kint(&w, "sent", s->sent);
        enc_jw_kint(&w, "retried", s->retried);
        enc_jw_kint(&w, "failed", s->failed);
        enc_jw_kint(&w, "dead", s->dead);
        enc_jw_kint(&w, "suppressed", s->suppressed);
        enc_jw_kint(&w, "expired", s->expired);
        enc_jw_kint(&w, "deferred", s->deferred);
        enc_jw_key(&w, "recovered");
        enc_jw_obj(&w);
        enc_jw_kint(&w, "resend", s->recovered_resend);
        enc_jw_kint(&w, "reconcile", s->recovered_reconcile);
        enc_jw_kint(&w, "dead", s->recovered_dead);
        enc_jw_end(&w);
        enc_jw_kint(&w, "rounds", s->rounds);
        enc_jw_knum(&w, "seconds", round(secs * 1000) / 1000);
        enc_jw_key(&w, "unconfigured_channels");
        enc_jw_arr(&w);
        for (size_t i = 0; i < nn; i++)
            if (!enc_dispatch_has_channel(d, names[i])) enc_jw_str(&w, names[i]);
        enc_jw_end(&w);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        printf("dispatched in %.2f s: %lld sent, %lld to retry, %lld failed, %lld dead,"
               " %lld suppressed, %lld expired, %lld deferred\n",
               secs, (long long)s->sent, (long long)s->retried, (long long)s->failed,
               (long long)s->dead, (long long)s->suppressed, (long long)s->expired,
               (long long)s->deferred);
        if (s->recovered_resend || s->recovered_reconcile || s->recovered_dead)
            printf("recovered after an interruption: %lld sent again with the same key,"
                   " %lld to reconcile, %lld dead\n",
                   (long long)s->recovered_resend, (long long)s->recovered_reconcile,
                   (long long)s->recovered_dead);
    }
    for (size_t i = 0; i < nn; i++) {
        if (!enc_dispatch_has_channel(d, names[i]))
            fprintf(stderr,
                    "encore: dispatch: due messages wait on channel '%s', which is not"
                    " configured\n",
                    names[i]);
        free(names[i]);
    }
    free(names);
out:
    enc_dispatch_free(d);
    enc_store_close(st);
    enc_delivery_config_free(&cfg);
    return rc;
}
