/* serve_loyalty.h — the loyalty programme's nightly work as a periodic job of `encore serve`
 * (cmd_serve.c registers it): `encore points expire` then `encore tiers review`. */
#ifndef ENCORE_SERVE_LOYALTY_H
#define ENCORE_SERVE_LOYALTY_H
#include "server/server.h"

/* One expiry and one tier review at the real clock (an enc_server_job_fn; ctx unused). Without
 * a saved programme it does nothing (a shop without loyalty is not an error). What changed is
 * logged on stderr as counts, never a member. Both are idempotent: running them more often than
 * nightly expires lots on time and changes nothing twice. */
enc_rc enc__serve_loyalty(enc_server *srv, enc_store *st, void *ctx, enc_err *err);
#endif
