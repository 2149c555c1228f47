/* retention.c — retention enforced across the store and its column cache (retention.h). */
#include "privacy/retention.h"
#include "snapshot/colcache.h"

enc_rc enc_privacy_retention_enforce(enc_store *st, int64_t now, bool dry_run, const char *actor,
                                     const char *client, int64_t done[ENC_RETAIN_KINDS],
                                     enc_err *err)
{
    if (enc_store_retention_enforce(st, now, dry_run, actor, client, done, err)) return err->rc;
    if (dry_run || !(done[ENC_RETAIN_EVENTS] || done[ENC_RETAIN_FEEDBACK_TEXT])) return ENC_OK;
    /* the cache held the deleted events (or the feedback): rebuilt, not left to hold them */
    enc_colcache_status cs;
    enc_err e2 = {0};
    if (enc_colcache_status_get(st, &cs, &e2) == ENC_OK && cs.present)
        return enc_colcache_build(st, err);
    return ENC_OK;
}
