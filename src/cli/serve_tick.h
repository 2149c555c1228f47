/* serve_tick.h — the campaign scheduler as a periodic job of `encore serve` (cmd_serve.c
 * registers it). A file of its own because the campaign headers and the delivery headers
 * cmd_serve.c needs cannot meet in one file: both name a type enc_channel (the snapshot's
 * channel enum, the delivery adapter struct). */
#ifndef ENCORE_SERVE_TICK_H
#define ENCORE_SERVE_TICK_H
#include "server/server.h"

/* One `encore tick` at the real clock (an enc_server_job_fn; ctx unused): redeems coupons,
 * decides A/B tests, advances every running campaign. What it planned is logged on stderr; a
 * campaign that fails is logged and makes the run fail (the others were still planned). */
enc_rc enc__serve_tick(enc_server *srv, enc_store *st, void *ctx, enc_err *err);
/* The retention periods enforced (cmd_privacy.c; an enc_server_job_fn, ctx unused). */
enc_rc enc__serve_retention(enc_server *srv, enc_store *st, void *ctx, enc_err *err);
#endif
