/* serve_tick.c — the scheduler job of `encore serve` (serve_tick.h): enc_tick at time(NULL),
 * with one log line for what it planned and one per campaign that failed; then the column
 * cache's refresh (colcache.h). */
#include "cli/serve_tick.h"
#include "campaign/run.h"
#include "audience/profcache.h"
#include "snapshot/colcache.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enc_rc enc__serve_tick(enc_server *srv, enc_store *st, void *ctx, enc_err *err)
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
