/* retention.h — enforcing the retention periods (store/privacy.h): the store's rows past their
 * period deleted or emptied, recorded in the audit log, and the column cache rebuilt when it held
 * deleted events. `encore privacy enforce` runs it, and `encore serve` every hour. */
#ifndef ENCORE_PRIVACY_RETENTION_H
#define ENCORE_PRIVACY_RETENTION_H
#include "store/privacy.h"

enc_rc enc_privacy_retention_enforce(enc_store *st, int64_t now, bool dry_run, const char *actor,
                                     const char *client, int64_t done[ENC_RETAIN_KINDS],
                                     enc_err *err);
#endif
