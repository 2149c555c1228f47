/* intel_cli.h — what the customer-intelligence commands (score, clv, profile, segments, churn,
 * export) share: as-of dates on the command line, the scoring settings gathered in order
 * (defaults < config file < environment < flags), and loading a snapshot with a progress note.
 * Internal to src/cli. */
#ifndef ENCORE_INTEL_CLI_H
#define ENCORE_INTEL_CLI_H
#include "cli/cli.h"
#include "intel/scoreconf.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include <stdint.h>

/* An --as-of value (enc_time_parse): a bare "YYYY-MM-DD" -> the exclusive end of that day (UTC
 * epoch seconds of the next midnight), the instant the commands' "as of DATE" means: data on or
 * before DATE is seen; a time of day -> that instant. */
bool enc__parse_day_end(const char *s, int64_t *out);
/* "YYYY-MM-DD" -> UTC day number. */
bool enc__parse_day(const char *s, int32_t *out);

/* Settings: defaults, then the config file (`path`, else $ENCORE_CONFIG, else encore.conf in
 * the store's directory when it exists), then the environment. The CLI applies its flags after.
 * On failure the error is printed (as `encore: cmd: ...`) and the exit code returned. */
int enc__load_config(const enc_cli *cli, const char *cmd, const char *path, enc_score_config *c);
/* The settings' money_digits (decimals of the shop's currency), loaded as enc__load_config
 * loads them; 0 with *digits set, or the exit code (the error printed). */
int enc__money_digits(const enc_cli *cli, const char *cmd, int *digits);

/* Loads a snapshot of the data before `before` (INT64_MAX = everything), saying so on a
 * terminal. */
enc_rc enc__load_snapshot(const enc_cli *cli, enc_store *st, int64_t before, enc_snapshot **s,
                          enc_err *err);

/* Formats the day an exclusive end instant closes ("YYYY-MM-DD") into out (>= 16 bytes). */
void enc__fmt_day_end(char *out, size_t cap, int64_t end);
#endif
