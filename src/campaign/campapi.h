/* campapi.h — the campaign documents and state changes that both front doors give: the CLI
 * (`encore campaign plan|start|show|pause|resume|stop --json`) and the management API
 * (/v1/campaigns/...). One function each, so that a number is the same through either. */
#ifndef ENCORE_CAMPAIGN_CAMPAPI_H
#define ENCORE_CAMPAIGN_CAMPAPI_H
#include "base/json.h"
#include "campaign/run.h"
#include "campaign/spec.h"
#include "store/store.h"

/* A run's result: {"campaign", "window": {"after", "until"}, "audience", "messages", ...}. */
void enc_run_result_json(enc_jw *w, const enc_run_result *r);
/* The stored campaign `name` as `campaign show --json` prints it (ENC_ENOTFOUND). */
enc_rc enc_campaign_show_json(enc_store *st, const char *name, enc_jw *w, enc_err *err);
/* The dry run of spec at now with `sample` rendered messages (`campaign plan --json`). */
enc_rc enc_campaign_plan_json(enc_store *st, const enc_spec *spec, int64_t now, size_t sample,
                              enc_jw *w, enc_err *err);

/* pause (running -> paused), resume (paused -> running), stop (-> stopped, its queued
 * messages cancelled). ENC_ENOTFOUND: no such campaign; ENC_EFAIL: not in a state the verb
 * applies to (err says which). *to gets the new state; *cancelled the messages cancelled. */
enc_rc enc_campaign_change(enc_store *st, const char *name, const char *verb, int64_t now,
                           const char **to, int64_t *cancelled, enc_err *err);
/* {"campaign", "state", "cancelled"} */
void enc_campaign_change_json(enc_jw *w, const char *name, const char *to, int64_t cancelled);
#endif
