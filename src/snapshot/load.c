/* load.c — enc_snapshot_load (snapshot.h): the snapshot from the column cache when it can serve
 * (colcache.h), else read from the store (snapshot.c). A file above both, so that the store
 * reader and the cache, which builds on it, do not include each other. */
#include "snapshot/colcache.h"
#include "snapshot/snapshot.h"
#include "snapshot/snapshot_int.h"

enc_rc enc_snapshot_load(enc_store *st, int64_t as_of, enc_snapshot **out, enc_err *err)
{
    return enc_snapshot_load_opts(st, as_of, NULL, out, err);
}

enc_rc enc_snapshot_load_opts(enc_store *st, int64_t as_of, const enc_snapshot_opts *o,
                              enc_snapshot **out, enc_err *err)
{
    /* from the column cache when it can serve (colcache.h), else from the store */
    if (enc_colcache_snapshot(st, as_of, o, out, err)) return ENC_EDB;
    if (*out) return ENC_OK;
    enc__snap_ext x;
    enc__snap_ext_all(&x);
    return enc__snapshot_load_ext(st, as_of, o, &x, out, err);
}
