/* privacy_cli.h — the retention job of `encore serve` (cmd_privacy.c defines it, cmd_serve.c
 * registers it). */
#ifndef ENCORE_PRIVACY_CLI_H
#define ENCORE_PRIVACY_CLI_H
#include "server/server.h"

/* The retention periods enforced (an enc_server_job_fn, ctx unused). */
enc_rc enc__serve_retention(enc_server *srv, enc_store *st, void *ctx, enc_err *err);
#endif
