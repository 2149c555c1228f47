/* cmd_cache.c — `encore cache build|status|drop`: the column cache beside the store
 * (src/snapshot/colcache.h, docs/column-cache.md). Imports and scoring refresh it on their
 * own; these are for looking at it and for building it by hand. */
#include "cli/opts.h"
#include "base/datetime.h"
#include "base/json.h"
#include "audience/profcache.h"
#include "snapshot/colcache.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char about[] =
    "The column cache (DB.columns beside the store) holds customers, products, orders, lines,\n"
    "returns, events, feedback and consents as column arrays, and the profile cache\n"
    "(DB.profiles.columns) the profile fields, so that audiences and campaigns read them in\n"
    "milliseconds instead of scanning the tables. Rows added since the build are read from\n"
    "the store as they are; a change to a row the cache holds (or any change to profiles)\n"
    "makes it unused until it is rebuilt. `encore import` refreshes the first, `encore score`\n"
    "the second, `encore serve` both; ENCORE_COLUMN_CACHE=off turns them off.";

static void print_status(const enc_colcache_status *cs, const enc_profcache_status *ps, bool json)
{
    enc_buf b = {0};
    char pt[40];
    enc_fmt_datetime(pt, sizeof pt, ps->built_at);
    if (json) {
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "path", cs->path);
        enc_jw_kbool(&w, "present", cs->present);
        enc_jw_kbool(&w, "usable", cs->usable);
        enc_jw_kstr(&w, "why", cs->usable ? NULL : cs->why);
        enc_jw_kint(&w, "bytes", cs->bytes);
        enc_jw_kint(&w, "customers", (int64_t)cs->customers);
        enc_jw_kint(&w, "rows", cs->held);
        enc_jw_kint(&w, "rows_behind", cs->behind);
        enc_jw_kint(&w, "generation", cs->gen);
        enc_jw_kint(&w, "store_generation", cs->store_gen);
        enc_jw_key(&w, "built_at");
        if (cs->present) {
            char t[40];
            enc_fmt_datetime(t, sizeof t, cs->built_at);
            enc_jw_str(&w, t);
        } else {
            enc_jw_null(&w);
        }
        enc_jw_key(&w, "profiles");
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "path", ps->path);
        enc_jw_kbool(&w, "present", ps->present);
        enc_jw_kbool(&w, "usable", ps->usable);
        enc_jw_kstr(&w, "why", ps->usable ? NULL : ps->why);
        enc_jw_kint(&w, "bytes", ps->bytes);
        enc_jw_kint(&w, "rows", ps->rows);
        enc_jw_key(&w, "built_at");
        if (ps->present && ps->built_at) enc_jw_str(&w, pt);
        else enc_jw_null(&w);
        enc_jw_end(&w);
        enc_jw_end(&w);
    } else if (!cs->present) {
        enc_buf_printf(&b, "column cache: none (%s)", cs->why ? cs->why : "not built");
    } else {
        char t[40];
        enc_fmt_datetime(t, sizeof t, cs->built_at);
        enc_buf_printf(&b,
                       "column cache: %s\n  %s, built %s UTC, %.1f MB, %zu customers, %lld rows,"
                       " %lld rows added since",
                       cs->path, cs->usable ? "in use" : "NOT in use", t, (double)cs->bytes / 1e6,
                       cs->customers, (long long)cs->held, (long long)cs->behind);
        if (!cs->usable) enc_buf_printf(&b, "\n  why: %s", cs->why);
    }
    if (!json) {
        if (!ps->present)
            enc_buf_printf(&b, "\nprofile cache: none (%s)", ps->why ? ps->why : "not built");
        else
            enc_buf_printf(
                &b, "\nprofile cache: %s\n  %s, built %s UTC, %.1f MB, %lld profiles%s%s", ps->path,
                ps->usable ? "in use" : "NOT in use", pt, (double)ps->bytes / 1e6,
                (long long)ps->rows, ps->usable ? "" : "\n  why: ", ps->usable ? "" : ps->why);
    }
    enc_cli_print(&b);
    enc_buf_free(&b);
}

/* the three subcommands: one body, told apart by argv[0] */
static int cache_sub(enc_cli *cli, int argc, char **argv)
{
    const char *sub = argv[0];
    char name[32];
    snprintf(name, sizeof name, "cache %s", sub);
    const enc_usage usage = {.name = name, .synopsis = "[--json]", .about = about};
    static const enc_opt opts[] = {OPT_END()};
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    bool json = cli->json;
    enc_err err = {0};
    enc_store *st = cli->st;
    int rc = ENC_EXIT_OK;
    enc_colcache_status cs;
    enc_profcache_status ps;
    if (strcmp(sub, "build") == 0) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (enc_colcache_build(st, &err) || enc_profcache_build(st, &err)) {
            rc = enc_cli_fail_err("cache build", &err);
        } else {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            enc_colcache_status_get(st, &cs, &err);
            enc_profcache_status_get(st, &ps);
            if (!json)
                fprintf(stderr, "encore: cache: built in %.2f s\n",
                        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
            print_status(&cs, &ps, json);
        }
    } else if (strcmp(sub, "status") == 0) {
        enc_colcache_status_get(st, &cs, &err);
        enc_profcache_status_get(st, &ps);
        print_status(&cs, &ps, json);
    } else {
        if (enc_colcache_drop(st, &err) || enc_profcache_drop(st, &err))
            rc = enc_cli_fail_err("cache drop", &err);
    }
    return rc;
}

int cmd_cache(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"build", cache_sub, "build (or rebuild) the caches now"},
        {"status", cache_sub, "whether they are used, how large, how far behind the store"},
        {"drop", cache_sub, "remove them"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "cache", about, subs, NULL, argc, argv);
}
