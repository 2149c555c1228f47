/* cmd_serve.c — `encore serve`: runs the HTTP server (src/server) on the store until SIGINT or
 * SIGTERM, then drains it. Configuration: flags over environment variables over the files
 * next to the store (the token secret, DB.secret, created on first use). The periodic jobs
 * (campaign scheduler, delivery dispatcher) are registered here. */
#include "cli/cli.h"
#include "base/json.h"
#include "server/server.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: encore serve [--listen ADDR:PORT] [--write-key KEY] [--secret-file FILE]\n"
    "                    [--phone-cc CC] [--threads N] [--direct-writes] [--json]\n\n"
    "Serves the Segment-spec ingest API (POST /v1/track, /v1/identify, /v1/batch), tracking\n"
    "links (GET /t/c/TOKEN redirects, GET /t/o/TOKEN answers a 1x1 GIF), one-click unsubscribe\n"
    "(GET|POST /u/TOKEN, RFC 8058) and GET /healthz, until SIGINT or SIGTERM; then answers what\n"
    "is in progress, commits every queued write and exits. See docs/server.md.\n\n"
    "options:\n"
    "  --listen ADDR:PORT  where to listen (default $ENCORE_LISTEN, else 127.0.0.1:8080);\n"
    "                      [::1]:PORT for IPv6, :PORT for every interface, port 0 for any free one\n"
    "  --write-key KEY     the key API clients send as HTTP Basic user name (default\n"
    "                      $ENCORE_WRITE_KEY, which keeps it out of the process list); without\n"
    "                      one, /v1/ answers 401\n"
    "  --secret-file FILE  the secret that signs tracking tokens (default $ENCORE_SECRET, else\n"
    "                      DB.secret next to the store, created with mode 0600 on first use)\n"
    "  --phone-cc CC       country calling code for national phone numbers in traits (e.g. 86)\n"
    "  --threads N         HTTP threads (default 2)\n"
    "  --direct-writes     write on the HTTP threads, a transaction a request, instead of\n"
    "                      through the one writer thread (slower; kept for measurement)\n"
    "  --json              when stopped, print what the server did as one JSON document\n"
    "  --help              this text\n";

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static void print_stats(const enc_server_stats *s, bool json)
{
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kint(&w, "requests", s->requests);
        enc_jw_kint(&w, "stored", s->api_stored);
        enc_jw_kint(&w, "duplicates", s->api_duplicates);
        enc_jw_kint(&w, "rejected", s->api_rejected);
        enc_jw_kint(&w, "clicks", s->clicks);
        enc_jw_kint(&w, "opens", s->opens);
        enc_jw_kint(&w, "unsubscribes", s->unsubscribes);
        enc_jw_kint(&w, "client_errors", s->client_errors);
        enc_jw_kint(&w, "server_errors", s->server_errors);
        enc_jw_kint(&w, "commits", s->commits);
        enc_jw_kint(&w, "jobs_run", s->jobs_run);
        enc_jw_kint(&w, "jobs_failed", s->jobs_failed);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
        return;
    }
    fprintf(stderr,
            "encore: serve: stopped after %ld requests: %ld items stored, %ld duplicates, %ld "
            "rejected; %ld clicks, %ld opens, %ld unsubscribes; %ld commits; %ld client and %ld "
            "server errors\n",
            s->requests, s->api_stored, s->api_duplicates, s->api_rejected, s->clicks, s->opens,
            s->unsubscribes, s->commits, s->client_errors, s->server_errors);
}

int cmd_serve(enc_cli *cli, int argc, char **argv)
{
    enum { O_LISTEN = 1, O_KEY, O_SECRET, O_CC, O_THREADS, O_DIRECT, O_JSON, O_HELP };
    static const struct option longopts[] = {
        {"listen", required_argument, 0, O_LISTEN},    {"write-key", required_argument, 0, O_KEY},
        {"secret-file", required_argument, 0, O_SECRET}, {"phone-cc", required_argument, 0, O_CC},
        {"threads", required_argument, 0, O_THREADS},  {"direct-writes", no_argument, 0, O_DIRECT},
        {"json", no_argument, 0, O_JSON},              {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0},
    };
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    enc_server_opts o = {0};
    o.db_path = cli->db_path;
    o.listen = env("ENCORE_LISTEN");
    o.write_key = env("ENCORE_WRITE_KEY");
    const char *secret_file = NULL;
    bool json = false;
    long v;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (ch) {
        case O_LISTEN: o.listen = optarg; break;
        case O_KEY: o.write_key = optarg; break;
        case O_SECRET: secret_file = optarg; break;
        case O_CC:
            if (!enc_cli_parse_long(optarg, 1, 9999, &v))
                return enc_cli_usage("serve", usage, "--phone-cc: '%s' is not a calling code", optarg);
            o.phone_cc = optarg;
            break;
        case O_THREADS:
            if (!enc_cli_parse_long(optarg, 1, 64, &v))
                return enc_cli_usage("serve", usage, "--threads: '%s' is not a number from 1 to 64", optarg);
            o.threads = (int)v;
            break;
        case O_DIRECT: o.direct = true; break;
        case O_JSON: json = true; break;
        case ':': return enc_cli_usage("serve", usage, "%s needs a value", argv[optind - 1]);
        default: return enc_cli_usage("serve", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return enc_cli_usage("serve", usage, "unexpected argument '%s'", argv[optind]);
    if (o.write_key && strlen(o.write_key) > 256)
        return enc_cli_usage("serve", usage, "--write-key: longer than 256 bytes");

    enc_err err = {0};
    char where[600];
    if (enc_token_key_load(secret_file, env("ENCORE_SECRET"), cli->db_path, &o.key, where,
                           sizeof where, &err))
        return enc_cli_fail_err("serve", &err);

    /* the signals are taken by this thread alone (sigwait), so every thread starts with them
     * blocked; a peer that closes its socket must not kill the server */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    enc_server *srv;
    if (enc_server_new(&o, &srv, &err)) return enc_cli_fail_err("serve", &err);

    /* periodic jobs: the campaign scheduler's tick and the delivery dispatcher register here,
     * before the start, each with its interval, e.g.
     *     enc_server_add_job(srv, "dispatch", 1.0, dispatch_job, &dispatch_ctx, &err);
     * (src/server/server.h: enc_server_job_fn). */

    if (enc_server_start(srv, &err)) {
        enc_server_free(srv);
        return enc_cli_fail_err("serve", &err);
    }
    fprintf(stderr, "encore: serve: listening on http://%s (store %s, token secret from %s, %s)\n",
            enc_server_address(srv), cli->db_path, where,
            o.direct ? "direct writes" : "one writer thread");
    if (!o.write_key)
        fprintf(stderr, "encore: serve: no write key (--write-key or ENCORE_WRITE_KEY): /v1/ "
                        "answers 401\n");
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "encore: serve: %s: draining\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    enc_server_stop(srv);
    enc_server_stats st;
    enc_server_stats_get(srv, &st);
    enc_server_free(srv);
    print_stats(&st, json);
    return ENC_EXIT_OK;
}
