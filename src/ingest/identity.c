/* identity.c — identity resolution and merging for import (see identity.h). */
#include "ingest/identity.h"
#include "base/map.h"
#include "base/mem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct enc_ident {
    enc_store *st;
    const char *source;
    enc_smap *cache; /* "kind\x1fvalue" -> customer id */
    long merges;
    bool complete;      /* the cache holds every identity: a miss means "nobody" */
    enc_imap *redirect; /* merged customer -> the one it was merged into (complete mode) */
};

enc_ident *enc_ident_new(enc_store *st, const char *source)
{
    enc_ident *id = enc_xcalloc(1, sizeof *id);
    id->st = st;
    id->source = source;
    id->cache = enc_smap_new(1024);
    return id;
}

void enc_ident_free(enc_ident *id)
{
    if (!id) return;
    enc_smap_free(id->cache);
    enc_imap_free(id->redirect);
    free(id);
}

long enc_ident_merges(const enc_ident *id) { return id->merges; }

void enc_ident_forget(enc_ident *id)
{
    enc_smap_clear(id->cache);
    id->complete = false;
}

static const char *const kind_names[3] = {"ext", "email", "phone"};
static size_t cache_key(char *buf, size_t cap, const char *kind, const char *value);

enc_rc enc_ident_preload(enc_ident *id, enc_err *err)
{
    enc_ident_list l;
    if (enc_store_ident_all(id->st, &l, err)) return ENC_EDB;
    char key[600];
    for (size_t i = 0; i < l.n; i++) {
        size_t kn = cache_key(key, sizeof key, kind_names[l.kind[i]], l.value[i]);
        *enc_smap_put(id->cache, key, kn, 0, NULL) = l.cust[i];
    }
    enc_store_ident_list_free(&l);
    id->complete = true;
    if (!id->redirect) id->redirect = enc_imap_new(64);
    return ENC_OK;
}

/* The customer a cached owner stands for now, after merges made in this run. */
static int64_t follow(const enc_ident *id, int64_t c)
{
    if (!id->redirect) return c;
    for (int64_t *r; (r = enc_imap_get(id->redirect, c));) c = *r;
    return c;
}

/* "kind\x1fvalue", truncated to cap - 1 bytes (values are bounded by the cleaners) */
static size_t cache_key(char *buf, size_t cap, const char *kind, const char *value)
{
    size_t kn = strlen(kind), vn = strlen(value);
    if (kn + 1 + vn >= cap) vn = cap - kn - 2;
    memcpy(buf, kind, kn);
    buf[kn] = 0x1f;
    memcpy(buf + kn + 1, value, vn);
    buf[kn + 1 + vn] = 0;
    return kn + 1 + vn;
}

enc_rc enc_ident_resolve(enc_ident *id, const char *ext, const char *email, const char *phone,
                         const enc_customer_rec *create, int64_t *cust, bool *created, enc_err *err)
{
    struct {
        const char *kind, *value;
        int64_t owner;
    } ids[3] = {{"ext", ext, 0}, {"email", email, 0}, {"phone", phone, 0}};
    char key[600];
    int nids = 0;
    *cust = 0;
    if (created) *created = false;

    /* look every identity up, cache first */
    int64_t survivor = 0;
    for (int i = 0; i < 3; i++) {
        if (!ids[i].value || !*ids[i].value) continue;
        nids++;
        size_t kn = cache_key(key, sizeof key, ids[i].kind, ids[i].value);
        int64_t *hit = enc_smap_get(id->cache, key, kn);
        if (hit) {
            ids[i].owner = follow(id, *hit);
        } else if (id->complete) {
            ids[i].owner = 0;
        } else if (enc_store_ident_find(id->st, ids[i].kind, ids[i].value, &ids[i].owner, err)) {
            return ENC_EDB;
        }
        if (ids[i].owner && (!survivor || ids[i].owner < survivor)) survivor = ids[i].owner;
    }
    if (!nids) return ENC_OK;

    if (!survivor) {
        if (!create) return ENC_OK;
        enc_customer_rec r = *create;
        char skey[600];
        for (int i = 0; i < 3; i++)
            if (ids[i].value && *ids[i].value) {
                snprintf(skey, sizeof skey, "%s:%s", ids[i].kind, ids[i].value);
                break;
            }
        r.source = id->source;
        r.source_key = skey;
        if (!r.external_id) r.external_id = ext;
        if (enc_store_customer_insert(id->st, &r, &survivor, err)) return ENC_EDB;
        if (created) *created = true;
    }

    /* merge every other owner into the oldest */
    for (int i = 0; i < 3; i++) {
        int64_t o = ids[i].owner;
        if (!o || o == survivor) continue;
        char reason[600];
        snprintf(reason, sizeof reason, "shared %s %s", ids[i].kind, ids[i].value);
        if (enc_store_customer_merge(id->st, o, survivor, reason, err)) return ENC_EDB;
        id->merges++;
        for (int j = i + 1; j < 3; j++)
            if (ids[j].owner == o) ids[j].owner = survivor;
        if (id->complete) *enc_imap_put(id->redirect, o, 0, NULL) = survivor;
        else enc_smap_clear(id->cache); /* cached owners of the merged customer are stale */
    }

    /* attach identities nobody owned yet, and remember them all; a customer id seen for the
     * first time on a known customer (found by email or phone) is a second registration */
    bool is_new = created && *created;
    for (int i = 0; i < 3; i++) {
        if (!ids[i].value || !*ids[i].value) continue;
        if (ids[i].owner != survivor &&
            enc_store_ident_set(id->st, ids[i].kind, ids[i].value, survivor, id->source, err))
            return ENC_EDB;
        if (i == 0 && !ids[0].owner && !is_new) {
            char reason[600];
            const int by = ids[1].owner == survivor ? 1 : 2;
            snprintf(reason, sizeof reason, "customer_id %s shares %s %s", ids[0].value,
                     ids[by].kind, ids[by].value);
            if (enc_store_customer_attach_note(id->st, survivor, reason, err)) return ENC_EDB;
            id->merges++;
        }
        size_t kn = cache_key(key, sizeof key, ids[i].kind, ids[i].value);
        *enc_smap_put(id->cache, key, kn, 0, NULL) = survivor;
    }
    *cust = survivor;
    return ENC_OK;
}
