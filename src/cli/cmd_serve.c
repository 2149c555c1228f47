/* cmd_serve.c — `encore serve`: runs the HTTP server (src/server) on the store until SIGINT or
 * SIGTERM, then drains it. Configuration: flags over environment variables over the files
 * next to the store (the token secret, DB.secret, created on first use; the delivery
 * configuration as `encore dispatch` reads it). The periodic jobs are registered here: the
 * campaign scheduler (enc_tick, src/campaign/run.h) and the delivery dispatcher
 * (src/delivery/dispatch.h), each on its own thread and store connection. */
#include "cli/cli.h"
#include "base/json.h"
#include "base/mem.h"
#include "audience/profcache.h"
#include "campaign/run.h"
#include "measure/abdecide.h"
#include "cli/serve_loyalty.h"
#include "delivery/config.h"
#include "delivery/dispatch.h"
#include "cli/privacy_cli.h"
#include "server/sendstats.h"
#include "server/server.h"
#include "snapshot/colcache.h"
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

extern char **environ;

/* The scheduler job (an enc_server_job_fn; ctx unused): one `encore tick` at the real clock
 * (redeems coupons, decides A/B tests, advances every running campaign), one log line for what
 * it planned and one per campaign that failed (which makes the run fail; the others were still
 * planned); then the column and profile caches' refresh. */
static enc_rc serve_tick(enc_server *srv, enc_store *st, void *ctx, enc_err *err)
{
    enc_run_result *res = NULL;
    size_t n = 0;
    int64_t redeemed = 0;
    if (enc_tick(st, (int64_t)time(NULL), &res, &n, &redeemed, err)) return err->rc;
    int64_t added = 0;
    size_t failed = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        added += res[i].added;
        if (res[i].error[0]) {
            fprintf(stderr, "encore: serve: tick: campaign %s: %s\n", res[i].name, res[i].error);
            if (!failed++) first = i;
        }
    }
    if (added || redeemed)
        fprintf(stderr, "encore: serve: tick: %lld message%s planned, %lld coupon%s redeemed\n",
                (long long)added, added == 1 ? "" : "s", (long long)redeemed,
                redeemed == 1 ? "" : "s");
    enc_rc rc = ENC_OK;
    if (failed)
        rc = enc_fail(err, ENC_EFAIL, "%zu of %zu campaigns failed (%s: %.200s)", failed, n,
                      res[first].name, res[first].error);
    free(res);
    /* the column cache the next tick's audiences read: rebuilt when the events and orders
     * taken in since outnumber an eighth of what it holds, or when it is unused */
    enc_err cerr = {0};
    bool built = false;
    if (enc_colcache_refresh(st, &built, &cerr))
        fprintf(stderr, "encore: serve: column cache: %s\n", cerr.msg);
    else if (built) fprintf(stderr, "encore: serve: column cache rebuilt\n");
    if (enc_profcache_refresh(st, &built, &cerr))
        fprintf(stderr, "encore: serve: profile cache: %s\n", cerr.msg);
    return rc;
}

static const char usage[] =
    "usage: encore serve [--listen ADDR:PORT] [--write-key KEY] [--secret-file FILE]\n"
    "                    [--phone-cc CC] [--threads N] [--direct-writes]\n"
    "                    [--tick-every SECS] [--dispatch-every SECS] [--no-jobs]\n"
    "                    [--loyalty-every SECS]\n"
    "                    [--config FILE] [--set CHANNEL.OPTION=VALUE]... [--json]\n\n"
    "Serves the management API (docs/api.md: /v1/session, /v1/campaigns, /v1/jobs, /v1/users,\n"
    "..., /v1/openapi.json, /metrics, /readyz), the Segment-spec ingest API (POST /v1/track,\n"
    "/v1/identify, /v1/batch), the in-site\n"
    "inbox (GET /v1/inbox?customer=ID, POST /v1/inbox/ID/read), tracking links (GET /t/c/TOKEN\n"
    "redirects, GET /t/o/TOKEN answers a 1x1 GIF), one-click unsubscribe (GET|POST /u/TOKEN,\n"
    "RFC 8058) and GET /healthz, until SIGINT or SIGTERM; then answers what is in progress,\n"
    "commits every queued write, lets the jobs finish their run and exits. Beside it run the\n"
    "campaign scheduler (what `encore tick` does) and the dispatcher (what `encore dispatch`\n"
    "does) when channels are configured. See docs/server.md.\n\n"
    "options:\n"
    "  --listen ADDR:PORT  where to listen (default $ENCORE_LISTEN, else 127.0.0.1:8080);\n"
    "                      [::1]:PORT for IPv6, :PORT for every interface, port 0 for any free "
    "one\n"
    "  --write-key KEY     the key API clients send as HTTP Basic user name (default\n"
    "                      $ENCORE_WRITE_KEY, which keeps it out of the process list; at least\n"
    "                      16 bytes); without one, the ingest routes (/v1/track,\n"
    "                      /v1/identify, /v1/batch, /v1/inbox) answer 401\n"
    "  --secret-file FILE  the secret that signs tracking tokens (default $ENCORE_SECRET, else\n"
    "                      DB.secret next to the store, created with mode 0600 on first use)\n"
    "  --phone-cc CC       country calling code for national phone numbers in traits (e.g. 86)\n"
    "  --threads N         HTTP threads (default 2)\n"
    "  --direct-writes     write on the HTTP threads, a transaction a request, instead of\n"
    "                      through the one writer thread (slower; kept for measurement)\n"
    "  --tick-every SECS   run the campaign scheduler every SECS seconds (default 60; 0: not)\n"
    "  --dispatch-every SECS  send due messages every SECS seconds (default 1; 0: not); needs\n"
    "                      channels (--config, $ENCORE_DELIVERY_CONFIG, --set), else it is off\n"
    "  --loyalty-every SECS  expire points and review tiers every SECS seconds when a loyalty\n"
    "                      programme is saved (default 3600; 0: not; docs/loyalty.md)\n"
    "  --no-jobs           none of them: only the HTTP server\n"
    "  --config FILE       delivery channels and settings, as `encore dispatch` reads them\n"
    "  --set C.O=V         set option O of channel C (over ENCORE_CHANNEL_<C>_<O> over the file)\n"
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
        enc_jw_kint(&w, "inbox_pages", s->inbox_pages);
        enc_jw_kint(&w, "inbox_marked", s->inbox_marked);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
        return;
    }
    fprintf(stderr,
            "encore: serve: stopped after %ld requests: %ld items stored, %ld duplicates, %ld "
            "rejected; %ld clicks, %ld opens, %ld unsubscribes; %ld commits; %ld client and %ld "
            "server errors; %ld job runs, %ld failed\n",
            s->requests, s->api_stored, s->api_duplicates, s->api_rejected, s->clicks, s->opens,
            s->unsubscribes, s->commits, s->client_errors, s->server_errors, s->jobs_run,
            s->jobs_failed);
}

/* ---- periodic jobs ---------------------------------------------------------------------- */

/* The dispatcher. It lives across runs on the job's connection (it holds the store's
 * dispatcher lock, so `encore dispatch` is refused meanwhile); each run sends what is due
 * (`dispatch --once`). A run that fails drops it: the next run opens a fresh one, whose
 * recovery deals with anything the failure left in `sending` (docs/delivery.md). */
typedef struct dispatch_job {
    enc_server *srv;
    enc_delivery_config *cfg; /* reloaded when the file changes (the console writes it) */
    char lock[4096], path[4096];
    const char *const *sets;
    size_t nsets;
    struct stat seen; /* the file as last read (st_ino 0: none) */
    enc_dispatch *d;
} dispatch_job;

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The console's Settings -> Channels rewrites the file: the next run reads it again (flags and
 * the environment still over it) and opens a fresh dispatcher; a file that does not load is
 * reported and the configuration in force kept. */
static void dj_reload(dispatch_job *j)
{
    struct stat now = {0};
    if (stat(j->path, &now) != 0) memset(&now, 0, sizeof now);
    if (same_file(&now, &j->seen)) return;
    j->seen = now;
    enc_delivery_config fresh;
    enc_err err = {0};
    if (enc_delivery_config_load(now.st_ino ? j->path : NULL, environ, j->sets, j->nsets, &fresh,
                                 &err)) {
        fprintf(stderr, "encore: serve: dispatch: %s (the configuration in force is kept)\n",
                err.msg);
        return;
    }
    enc_delivery_config_free(j->cfg);
    *j->cfg = fresh;
    enc_dispatch_free(j->d);
    j->d = NULL;
    fprintf(stderr, "encore: serve: dispatch: configuration read again: %zu channel%s\n",
            json_object_size(j->cfg->channels), json_object_size(j->cfg->channels) == 1 ? "" : "s");
}

static double dj_now(void *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Waits (for tokens of a rate limit) in short steps, and asks the dispatcher to stop after
 * its batch as soon as the server stops. */
static void dj_sleep(void *ctx, double s)
{
    dispatch_job *j = ctx;
    while (s > 0 && !enc_server_stopping(j->srv)) {
        double step = s < 0.05 ? s : 0.05;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(step * 1e9)};
        nanosleep(&ts, NULL);
        s -= step;
    }
    if (enc_server_stopping(j->srv) && j->d) enc_dispatch_stop(j->d);
}

static void dj_round(void *ctx, const enc_dispatch_stats *st)
{
    dispatch_job *j = ctx;
    if (enc_server_stopping(j->srv)) enc_dispatch_stop(j->d);
}

/* Each batch sent: the per-channel counters of GET /metrics (sendstats.h). */
static void dj_sent(void *ctx, const char *channel, const enc_send_counts *c)
{
    dispatch_job *j = ctx;
    enc_sendstats_add(enc_server_sendstats(j->srv), channel, c->attempts, c->temporary,
                      c->exhausted, c->permanent);
}

static enc_rc dispatch_run(enc_server *srv, enc_store *st, void *ctx, enc_err *err)
{
    dispatch_job *j = ctx;
    dj_reload(j);
    if (json_object_size(j->cfg->channels) == 0) return ENC_OK; /* no lock taken meanwhile */
    if (!j->d) {
        enc_dispatch_opts o = {.retry = j->cfg->retry,
                               .batch = j->cfg->batch,
                               .poll = j->cfg->poll,
                               .lock_path = j->lock,
                               .on_round = dj_round,
                               .round_ctx = j,
                               .on_send = dj_sent,
                               .send_ctx = j,
                               .clock = {.now = dj_now, .sleep = dj_sleep, .ctx = j}};
        if (enc_dispatch_new(st, &o, &j->d, err)) return err->rc;
        if (enc_dispatch_configure(j->d, j->cfg, err)) {
            enc_dispatch_free(j->d);
            j->d = NULL;
            return err->rc;
        }
        const char *name;
        json_t *v;
        json_object_foreach(j->cfg->channels, name, v) /* their series start at 0 */
            dj_sent(j, name, &(enc_send_counts){0});
    }
    enc_dispatch_stats before = *enc_dispatch_stats_get(j->d);
    if (enc_dispatch_run(j->d, true, err)) {
        enc_dispatch_free(j->d);
        j->d = NULL;
        return err->rc;
    }
    const enc_dispatch_stats *a = enc_dispatch_stats_get(j->d);
    if (a->claimed > before.claimed || a->suppressed > before.suppressed)
        fprintf(stderr,
                "encore: serve: dispatch: %lld sent, %lld to retry, %lld failed, %lld dead,"
                " %lld suppressed\n",
                (long long)(a->sent - before.sent), (long long)(a->retried - before.retried),
                (long long)(a->failed - before.failed), (long long)(a->dead - before.dead),
                (long long)(a->suppressed - before.suppressed));
    return ENC_OK;
}

static void dispatch_end(enc_server *srv, enc_store *st, void *ctx)
{
    dispatch_job *j = ctx;
    enc_dispatch_free(j->d);
    j->d = NULL;
}

/* A number of seconds: 0 (off) or 0.05 .. 86400. */
static bool parse_secs(const char *s, double *out)
{
    double v;
    if (!enc_cli_parse_double(s, 0, 86400, &v) || (v > 0 && v < 0.05)) return false;
    *out = v;
    return true;
}

typedef struct serve_args {
    enc_server_opts o;
    const char *secret_file, *config;
    const char **sets; /* argc + 1 slots, freed by the caller */
    size_t nsets;
    bool json, no_jobs;
    double tick_every, dispatch_every, loyalty_every;
} serve_args;

/* Reads the command line into a; 0, or the exit code of a usage error (already printed). */
static int parse_args(int argc, char **argv, serve_args *a)
{
    enum {
        O_LISTEN = 1,
        O_KEY,
        O_SECRET,
        O_CC,
        O_THREADS,
        O_DIRECT,
        O_JSON,
        O_HELP,
        O_TICK,
        O_DISPATCH,
        O_NOJOBS,
        O_CONFIG,
        O_SET,
        O_LOYALTY
    };
    static const struct option longopts[] = {
        {"listen", required_argument, 0, O_LISTEN},
        {"write-key", required_argument, 0, O_KEY},
        {"secret-file", required_argument, 0, O_SECRET},
        {"phone-cc", required_argument, 0, O_CC},
        {"threads", required_argument, 0, O_THREADS},
        {"direct-writes", no_argument, 0, O_DIRECT},
        {"json", no_argument, 0, O_JSON},
        {"help", no_argument, 0, O_HELP},
        {"tick-every", required_argument, 0, O_TICK},
        {"dispatch-every", required_argument, 0, O_DISPATCH},
        {"no-jobs", no_argument, 0, O_NOJOBS},
        {"config", required_argument, 0, O_CONFIG},
        {"set", required_argument, 0, O_SET},
        {"loyalty-every", required_argument, 0, O_LOYALTY},
        {0, 0, 0, 0},
    };
    long v;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (ch) {
        case O_LISTEN: a->o.listen = optarg; break;
        case O_KEY: a->o.write_key = optarg; break;
        case O_SECRET: a->secret_file = optarg; break;
        case O_CC:
            if (!enc_cli_parse_long(optarg, 1, 9999, &v))
                return enc_cli_usage("serve", usage, "--phone-cc: '%s' is not a calling code",
                                     optarg);
            a->o.phone_cc = optarg;
            break;
        case O_THREADS:
            if (!enc_cli_parse_long(optarg, 1, 64, &v))
                return enc_cli_usage("serve", usage, "--threads: '%s' is not a number from 1 to 64",
                                     optarg);
            a->o.threads = (int)v;
            break;
        case O_DIRECT: a->o.direct = true; break;
        case O_JSON: a->json = true; break;
        case O_TICK:
            if (!parse_secs(optarg, &a->tick_every))
                return enc_cli_usage(
                    "serve", usage, "--tick-every: '%s' is not 0 or 0.05 to 86400 seconds", optarg);
            break;
        case O_DISPATCH:
            if (!parse_secs(optarg, &a->dispatch_every))
                return enc_cli_usage("serve", usage,
                                     "--dispatch-every: '%s' is not 0 or 0.05 to 86400 seconds",
                                     optarg);
            break;
        case O_LOYALTY:
            if (!parse_secs(optarg, &a->loyalty_every))
                return enc_cli_usage("serve", usage,
                                     "--loyalty-every: '%s' is not 0 or 0.05 to 86400 seconds",
                                     optarg);
            break;
        case O_NOJOBS: a->no_jobs = true; break;
        case O_CONFIG: a->config = optarg; break;
        case O_SET: a->sets[a->nsets++] = optarg; break;
        case ':': return enc_cli_usage("serve", usage, "%s needs a value", argv[optind - 1]);
        default: return enc_cli_usage("serve", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return enc_cli_usage("serve", usage, "unexpected argument '%s'", argv[optind]);
    if (a->o.write_key && strlen(a->o.write_key) > 256)
        return enc_cli_usage("serve", usage, "--write-key: longer than 256 bytes");
    if (a->no_jobs) a->tick_every = a->dispatch_every = a->loyalty_every = 0;
    return 0;
}

/* Registers the jobs asked for; the dispatcher only when channels are configured (it says so
 * otherwise). dj outlives the server. */
static enc_rc add_jobs(enc_server *srv, const serve_args *a, const char *db_path,
                       enc_delivery_config *cfg, dispatch_job *dj, enc_err *err)
{
    if (a->tick_every > 0 &&
        enc_server_add_job(srv, "tick", a->tick_every, serve_tick, NULL, NULL, err))
        return err->rc;
    if (a->tick_every > 0 && /* retention: hourly, with the scheduler (docs/privacy.md) */
        enc_server_add_job(srv, "retention", 3600, enc__serve_retention, NULL, NULL, err))
        return err->rc;
    if (a->loyalty_every > 0 &&
        enc_server_add_job(srv, "loyalty", a->loyalty_every, enc__serve_loyalty, NULL, NULL, err))
        return err->rc;
    if (a->dispatch_every <= 0) return ENC_OK;
    bool exists;
    enc_delivery_config_path(a->config, db_path, dj->path, sizeof dj->path, &exists);
    if (enc_delivery_config_load(a->config || exists ? dj->path : NULL, environ, a->sets, a->nsets,
                                 cfg, err))
        return err->rc;
    if (exists) stat(dj->path, &dj->seen);
    /* registered without channels too: the console may add some (said after the start) */
    dj->srv = srv;
    dj->cfg = cfg;
    dj->sets = a->sets;
    dj->nsets = a->nsets;
    snprintf(dj->lock, sizeof dj->lock, "%s.dispatch-lock", db_path);
    return enc_server_add_job(srv, "dispatch", a->dispatch_every, dispatch_run, dispatch_end, dj,
                              err);
}

int cmd_serve(enc_cli *cli, int argc, char **argv)
{
    if (enc_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return ENC_EXIT_OK;
    }
    serve_args a = {.tick_every = 60, .dispatch_every = 1, .loyalty_every = 3600};
    a.o.db_path = cli->db_path;
    char dpath[4096];
    bool dexists;
    a.o.listen = env("ENCORE_LISTEN");
    a.o.write_key = env("ENCORE_WRITE_KEY");
    a.config = env("ENCORE_DELIVERY_CONFIG");
    a.sets = enc_xcalloc((size_t)argc + 1, sizeof *a.sets);
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        free(a.sets);
        return rc;
    }

    enc_err err = {0};
    char where[600];
    enc_server *srv = NULL;
    enc_delivery_config cfg = {0};
    dispatch_job dj = {0};
    if (enc_token_key_load(a.secret_file, env("ENCORE_SECRET"), cli->db_path, &a.o.key, where,
                           sizeof where, &err)) {
        rc = enc_cli_fail_err("serve", &err);
        goto out;
    }

    /* the signals are taken by this thread alone (sigwait), so every thread starts with them
     * blocked; a peer that closes its socket must not kill the server */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    enc_delivery_config_path(a.config, cli->db_path, dpath, sizeof dpath, &dexists);
    a.o.delivery_config = dpath;
    a.o.delivery_sets = a.sets;
    a.o.delivery_nsets = a.nsets;
    if (enc_server_new(&a.o, &srv, &err) || add_jobs(srv, &a, cli->db_path, &cfg, &dj, &err) ||
        enc_server_start(srv, &err)) {
        rc = enc_cli_fail_err("serve", &err);
        goto out;
    }
    fprintf(stderr, "encore: serve: listening on http://%s (store %s, token secret from %s, %s)\n",
            enc_server_address(srv), cli->db_path, where,
            a.o.direct ? "direct writes" : "one writer thread");
    bool channels = dj.srv && json_object_size(cfg.channels) > 0;
    if (a.tick_every > 0 || channels || a.loyalty_every > 0)
        fprintf(stderr, "encore: serve: jobs:%s%s%s\n", a.tick_every > 0 ? " tick" : "",
                channels ? " dispatch" : "", a.loyalty_every > 0 ? " loyalty" : "");
    if (a.dispatch_every > 0 && !channels)
        fprintf(stderr,
                "encore: serve: no delivery channels configured (--config,"
                " $ENCORE_DELIVERY_CONFIG, --set or the console's Settings -> Channels,"
                " which writes %s): the dispatcher does not run until some are\n",
                dj.path);
    if (!a.o.write_key)
        fprintf(stderr, "encore: serve: no write key (--write-key or ENCORE_WRITE_KEY): the"
                        " ingest routes answer 401 (the management API is unaffected)\n");
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "encore: serve: %s: draining\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    enc_server_stop(srv);
    enc_server_stats st;
    enc_server_stats_get(srv, &st);
    print_stats(&st, a.json);
out:
    enc_server_free(srv);
    if (cfg.channels) enc_delivery_config_free(&cfg);
    free(a.sets);
    return rc;
}
