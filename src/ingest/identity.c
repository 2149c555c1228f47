/* identity.c — identity resolution and merging for import and the ingest API (identity.h).
 * The cache maps an identity to the customer it was registered to; merges are followed through
 * a map of merged customers (complete mode) or the store. */
#include "ingest/identity.h"
#include "base/map.h"
#include "base/mem.h"
#include "base/seal.h"
#include "store/privacy.h"
#include "store/store_analytics.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct enc_ident {
    enc_store *st;
    const char *source;
    enc_smap *cache; /* "kind\x1fvalue" -> the customer the identity was registered to */
    long merges;
    bool complete;      /* the cache holds every identity: a miss means "nobody" */
    enc_imap *redirect; /* merged customer -> the one it was merged into (complete mode) */
    /* the suppression list (erased customers' blind indexes), read on the first resolve */
    bool sup_loaded;
    enc_smap *sup; /* kind code byte + blind index -> 1; NULL when the list is empty */
    enc_mkey key;  /* the store's master key, when the list is not empty */
    bool last_suppressed;
    long suppressed;
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
    enc_smap_free(id->sup);
    enc_mkey_wipe(&id->key);
    free(id);
}

long enc_ident_merges(const enc_ident *id) { return id->merges; }
bool enc_ident_was_suppressed(const enc_ident *id) { return id->last_suppressed; }
long enc_ident_suppressed(const enc_ident *id) { return id->suppressed; }

/* Reads the suppression list once; with entries, the master key that made them. */
static enc_rc load_suppressed(enc_ident *id, enc_err *err)
{
    uint8_t *kinds, *hashes;
    size_t n;
    if (enc_store_suppressed_all(id->st, &kinds, &hashes, &n, err)) return ENC_EDB;
    enc_rc rc = ENC_OK;
    if (n) {
        bool found;
        rc = enc_mkey_load(enc_store_path(id->st), false, &id->key, &found, NULL, 0, err);
        if (!rc && !found)
            rc = enc_fail(err, ENC_EUSAGE,
                          "the store has erased customers but no master key (%s.key or "
                          "ENCORE_MASTER_KEY) to recognise them",
                          enc_store_path(id->st));
        if (!rc) {
            id->sup = enc_smap_new(n * 2 + 16);
            char k[1 + ENC_BLIND_BYTES];
            for (size_t i = 0; i < n; i++) {
                k[0] = (char)('0' + kinds[i]);
                memcpy(k + 1, hashes + i * ENC_BLIND_BYTES, ENC_BLIND_BYTES);
                *enc_smap_put(id->sup, k, sizeof k, 0, NULL) = 1;
            }
        }
    }
    free(kinds);
    free(hashes);
    if (!rc) id->sup_loaded = true;
    return rc;
}

/* Whether an identity (kind code 0 ext, 1 email, 2 phone) is on the suppression list. */
static bool is_suppressed(enc_ident *id, int code, const char *kind, const char *value)
{
    char k[1 + ENC_BLIND_BYTES];
    k[0] = (char)('0' + code);
    enc_blind(&id->key, kind, value, (uint8_t *)k + 1);
    return enc_smap_get(id->sup, k, sizeof k) != NULL;
}

void enc_ident_forget(enc_ident *id)
{
    enc_smap_clear(id->cache);
    if (id->redirect) enc_imap_clear(id->redirect);
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
    if (!id->redirect) id->redirect = enc_imap_new(64);
    for (size_t i = 0; i < l.nmerged; i++)
        if (l.merged_from[i] != l.merged_into[i])
            *enc_imap_put(id->redirect, l.merged_from[i], 0, NULL) = l.merged_into[i];
    enc_store_ident_list_free(&l);
    id->complete = true;
    return ENC_OK;
}

/* The customer c stands for now, after merges. */
static enc_rc follow(enc_ident *id, int64_t c, int64_t *out, enc_err *err)
{
    if (!c) {
        *out = 0;
        return ENC_OK;
    }
    if (!id->complete) return enc_store_customer_survivor(id->st, c, out, err) ? ENC_EDB : ENC_OK;
    /* bounded: a cycle in a hostile store must not loop forever */
    for (int hops = 0; hops < 64; hops++) {
        int64_t *r = enc_imap_get(id->redirect, c);
        if (!r) break;
        c = *r;
    }
    *out = c;
    return ENC_OK;
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

static enc_rc merge(enc_ident *id, int64_t from, int64_t into, const char *kind, const char *value,
                    enc_err *err)
{
    char rule[32], reason[600];
    snprintf(rule, sizeof rule, "shared_%s", strcmp(kind, "ext") == 0 ? "customer_id" : kind);
    snprintf(reason, sizeof reason, "shared %s %s", strcmp(kind, "ext") == 0 ? "customer_id" : kind,
             value);
    if (enc_store_customer_merge(id->st, from, into, rule, id->source, reason, err)) return err->rc;
    id->merges++;
    if (id->complete) *enc_imap_put(id->redirect, from, 0, NULL) = into;
    return ENC_OK;
}

enc_rc enc_ident_resolve(enc_ident *id, const char *ext, const char *email, const char *phone,
                         const enc_customer_rec *create, int64_t *cust, bool *created, enc_err *err)
{
    return enc_ident_resolve_ex(id, ext, email, phone, create, ENC_IDENT_MERGE_ALL, cust, NULL,
                                created, err);
}

enc_rc enc_ident_resolve_ex(enc_ident *id, const char *ext, const char *email, const char *phone,
                            const enc_customer_rec *create, unsigned merge_on, int64_t *cust,
                            int64_t *own, bool *created, enc_err *err)
{
    struct {
        const char *kind, *value;
        int64_t direct, owner;
        unsigned flag;
    } ids[3] = {{"ext", ext, 0, 0, ENC_IDENT_MERGE_EXT},
                {"email", email, 0, 0, ENC_IDENT_MERGE_EMAIL},
                {"phone", phone, 0, 0, ENC_IDENT_MERGE_PHONE}};
    char key[600];
    int nids = 0;
    *cust = 0;
    if (own) *own = 0;
    if (created) *created = false;
    id->last_suppressed = false;
    if (!id->sup_loaded && load_suppressed(id, err)) return err->rc;
    /* an erased customer's identity: the row is refused, nobody is created or merged */
    for (int i = 0; id->sup && i < 3; i++)
        if (ids[i].value && *ids[i].value && is_suppressed(id, i, ids[i].kind, ids[i].value)) {
            id->last_suppressed = true;
            id->suppressed++;
            return ENC_OK;
        }

    /* look every identity up, cache first */
    for (int i = 0; i < 3; i++) {
        if (!ids[i].value || !*ids[i].value) continue;
        nids++;
        size_t kn = cache_key(key, sizeof key, ids[i].kind, ids[i].value);
        int64_t *hit = enc_smap_get(id->cache, key, kn);
        if (hit) {
            ids[i].direct = *hit;
            if (follow(id, *hit, &ids[i].owner, err)) return ENC_EDB;
        } else if (!id->complete && enc_store_ident_owner(id->st, ids[i].kind, ids[i].value,
                                                          &ids[i].direct, &ids[i].owner, err)) {
            return ENC_EDB;
        }
    }
    if (!nids) return ENC_OK;

    /* The customer the row names (its anchor): the owner of its customer id, else the first
     * owner of its email or phone (for a new customer id: only one it may join). Other owners
     * merge with it only through an identity merge_on allows: import allows every shared
     * identity; the API only verified ones or the policy's (an identify with someone else's
     * email, with or without a userId, takes nobody over). */
    const bool has_ext = ext && *ext;
    bool allowed[3] = {true, (merge_on & ENC_IDENT_MERGE_EMAIL) != 0,
                       (merge_on & ENC_IDENT_MERGE_PHONE) != 0};
    int64_t anchor = 0;
    if (has_ext && ids[0].owner) anchor = ids[0].owner;
    for (int i = 1; i < 3 && !anchor; i++)
        if (ids[i].owner && (!has_ext || allowed[i])) anchor = ids[i].owner;
    int64_t survivor = anchor;
    for (int i = 1; i < 3; i++)
        if (ids[i].owner && allowed[i] && ids[i].owner < survivor) survivor = ids[i].owner;

    int64_t mine = ids[0].direct; /* the registration of the row's customer id, if known */
    if (has_ext && !ids[0].owner && create) {
        /* a new registration: its own record, merged into the customer it shares an email
         * or phone with (when a rule allows), so that it can be told apart and undone */
        enc_customer_rec r = *create;
        char skey[600];
        snprintf(skey, sizeof skey, "ext:%s", ext);
        r.source = id->source;
        r.source_key = skey;
        r.external_id = ext;
        if (enc_store_customer_insert(id->st, &r, &mine, err)) return ENC_EDB;
        if (enc_store_ident_set(id->st, "ext", ext, mine, id->source, err)) return ENC_EDB;
        ids[0].direct = ids[0].owner = mine;
        if (created) *created = true;
        if (!survivor) survivor = mine;
    } else if (!survivor) {
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
        mine = survivor;
    }

    /* merge every other owner the rules allow into the oldest */
    for (int i = 0; i < 3; i++) {
        int64_t o = ids[i].owner;
        if (!o || o == survivor) continue;
        if (o != anchor && !allowed[i]) continue;
        int64_t from = o > survivor ? o : survivor, into = o > survivor ? survivor : o;
        /* the rule is the identity that joins them: the one the other record already had */
        int by = i;
        if (o == anchor || i == 0)
            for (int j = 2; j >= 1; j--)
                if (ids[j].owner == survivor && allowed[j]) by = j;
        if (merge(id, from, into, ids[by].kind, ids[by].value, err)) return ENC_EDB;
        for (int j = 0; j < 3; j++)
            if (ids[j].owner == from) ids[j].owner = into;
        survivor = into;
    }

    /* attach identities nobody owned yet to the row's own registration (or the survivor) */
    int64_t holder = mine ? mine : survivor;
    for (int i = 0; i < 3; i++) {
        if (!ids[i].value || !*ids[i].value) continue;
        size_t kn = cache_key(key, sizeof key, ids[i].kind, ids[i].value);
        if (!ids[i].direct) {
            if (enc_store_ident_set(id->st, ids[i].kind, ids[i].value, holder, id->source, err))
                return ENC_EDB;
            ids[i].direct = holder;
        }
        *enc_smap_put(id->cache, key, kn, 0, NULL) = ids[i].direct;
    }
    *cust = survivor;
    if (own) *own = mine ? mine : survivor;
    return ENC_OK;
}
