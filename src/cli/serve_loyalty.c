/* serve_loyalty.c — the loyalty job of `encore serve` (serve_loyalty.h). */
#include "cli/serve_loyalty.h"
#include "loyalty/loyalty.h"
#include <stdio.h>
#include <time.h>

enc_rc enc__serve_loyalty(enc_server *srv, enc_store *st, void *ctx, enc_err *err)
{
    (void)srv;
    (void)ctx;
    enc_programme p;
    if (enc_loyalty_programme(st, &p, err)) {
        if (err->rc != ENC_ENOTFOUND) return err->rc;
        enc_err_clear(err);
        return ENC_OK;
    }
    int64_t now = (int64_t)time(NULL), lots = 0, points = 0;
    enc_review_result r = {0};
    enc_rc rc = enc_loyalty_expire(st, now, &lots, &points, err);
    if (!rc) rc = enc_loyalty_review(st, &p, now, &r, err);
    enc_prog_free(&p);
    if (lots)
        fprintf(stderr, "encore: serve: loyalty: %lld lot%s expired (%lld points)\n",
                (long long)lots, lots == 1 ? "" : "s", (long long)points);
    if (r.upgraded || r.downgraded || r.pending)
        fprintf(stderr,
                "encore: serve: loyalty: %lld upgraded, %lld downgraded, %lld given a drop date\n",
                (long long)r.upgraded, (long long)r.downgraded, (long long)r.pending);
    return rc;
}
