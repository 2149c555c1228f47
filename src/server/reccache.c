/* reccache.c — the shared recommendation model (reccache.h). One mutex guards the current
 * entry and the reference counts; a second one lets one thread build while the others wait
 * for it (and then find the fresh entry) instead of building the same model side by side. */
#include "server/reccache.h"
#include "base/mem.h"
#include "snapshot/snapshot.h"
#include "store/users.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* New orders alone (a live shop's steady stream) make the model stale only after this long:
 * rebuilding a million-customer model per order would cost more than it brings. A score run,
 * a new product or a changed row already held rebuilds at once. */
#define SOFT_SECONDS 300

struct enc_reccache_ref {
    int64_t stamp[ENC_DATA_STAMP_N];
    enc_snapshot *snap;
    enc_rec_model model; /* borrows snap */
    long refs;           /* loans, plus one while it is the cache's current entry */
    time_t built_at;
};

struct enc_reccache {
    pthread_mutex_t mu;    /* cur and every entry's refs */
    pthread_mutex_t build; /* held by the one thread building */
    enc_reccache_ref *cur;
    long builds;
};

enc_reccache *enc_reccache_new(void)
{
    enc_reccache *c = enc_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->build, NULL);
    return c;
}

static void entry_free(enc_reccache_ref *e)
{
    enc_rec_model_free(&e->model);
    enc_snapshot_free(e->snap);
    free(e);
}

/* drops one reference under c->mu; the entry to free (outside the lock) or NULL */
static enc_reccache_ref *unref(enc_reccache_ref *e) { return --e->refs == 0 ? e : NULL; }

void enc_reccache_free(enc_reccache *c)
{
    if (!c) return;
    if (c->cur && unref(c->cur)) entry_free(c->cur);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->build);
    free(c);
}

/* stamp order (users.h): score run, product, order, order line, column generation */
static bool fresh(const enc_reccache_ref *e, const int64_t *stamp, time_t now)
{
    if (e->stamp[0] != stamp[0] || e->stamp[1] != stamp[1] || e->stamp[4] != stamp[4]) return false;
    if (e->stamp[2] == stamp[2] && e->stamp[3] == stamp[3]) return true;
    return now - e->built_at < SOFT_SECONDS;
}

/* the current entry with one more loan when it is fresh for `stamp`, else NULL */
static enc_reccache_ref *take_if(enc_reccache *c, const int64_t *stamp)
{
    enc_reccache_ref *e = NULL;
    time_t now = time(NULL);
    pthread_mutex_lock(&c->mu);
    if (c->cur && fresh(c->cur, stamp, now)) {
        e = c->cur;
        e->refs++;
    }
    pthread_mutex_unlock(&c->mu);
    return e;
}

const enc_rec_model *enc_reccache_get(enc_reccache *c, enc_store *st, enc_reccache_ref **ref,
                                      enc_err *err)
{
    int64_t stamp[ENC_DATA_STAMP_N];
    *ref = NULL;
    if (enc_store_data_stamp(st, stamp, err)) return NULL;
    enc_reccache_ref *e = take_if(c, stamp);
    if (e) {
        *ref = e;
        return &e->model;
    }
    if (pthread_mutex_trylock(&c->build) != 0) {
        /* another thread is building: the model in force meanwhile, stale as it is, rather
         * than an HTTP thread held for the build; only the very first build is waited for */
        pthread_mutex_lock(&c->mu);
        e = c->cur;
        if (e) e->refs++;
        pthread_mutex_unlock(&c->mu);
        if (e) {
            *ref = e;
            return &e->model;
        }
        pthread_mutex_lock(&c->build);
    }
    e = take_if(c, stamp); /* built by the thread this one waited for */
    if (!e) {
        e = enc_xcalloc(1, sizeof *e);
        memcpy(e->stamp, stamp, sizeof e->stamp);
        e->built_at = time(NULL);
        enc_rec_opts ro;
        enc_rec_defaults(&ro);
        if (enc_snapshot_load(st, INT64_MAX, &e->snap, err) ||
            enc_rec_model_build(e->snap, &ro, &e->model, err)) {
            pthread_mutex_unlock(&c->build);
            entry_free(e);
            return NULL;
        }
        e->refs = 2; /* the cache's and this loan */
        pthread_mutex_lock(&c->mu);
        enc_reccache_ref *old = c->cur;
        c->cur = e;
        c->builds++;
        if (old && !unref(old)) old = NULL;
        pthread_mutex_unlock(&c->mu);
        if (old) entry_free(old);
    }
    pthread_mutex_unlock(&c->build);
    *ref = e;
    return &e->model;
}

void enc_reccache_put(enc_reccache *c, enc_reccache_ref *ref)
{
    if (!ref) return;
    pthread_mutex_lock(&c->mu);
    enc_reccache_ref *dead = unref(ref);
    pthread_mutex_unlock(&c->mu);
    if (dead) entry_free(dead);
}

long enc_reccache_builds(enc_reccache *c)
{
    pthread_mutex_lock(&c->mu);
    long n = c->builds;
    pthread_mutex_unlock(&c->mu);
    return n;
}
