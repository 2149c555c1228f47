/* erase.c — erasure of a customer across the store, its WAL, the column caches beside it and
 * the export files (erase.h). */
#include "privacy/erase.h"
#include "audience/profcache.h"
#include "base/json.h"
#include "base/mem.h"
#include "snapshot/colcache.h"
#include "store/store_analytics.h"
#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPORT_SCAN_MAX ((off_t)1 << 31) /* export files beyond 2 GiB are removed unread */

static bool holds_any(const char *p, size_t n, char *const *vals, size_t nv)
{
    for (size_t i = 0; i < nv; i++)
        if (strlen(vals[i]) >= 3 && memmem(p, n, vals[i], strlen(vals[i]))) return true;
    return false;
}

/* Removes the files of `<db>.exports/` that hold one of vals (read whole; a file too big to
 * read is removed too: it may hold them). */
static int clean_exports(const char *db, char *const *vals, size_t nv)
{
    char dir[4096], path[4096 + 256];
    if ((size_t)snprintf(dir, sizeof dir, "%s.exports", db) >= sizeof dir) return 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path) continue;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat sb;
        if (fd < 0) continue;
        bool rm = false;
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
            if (sb.st_size > EXPORT_SCAN_MAX) rm = true;
            else if (sb.st_size > 0) {
                char *buf = enc_xmalloc((size_t)sb.st_size);
                ssize_t got = read(fd, buf, (size_t)sb.st_size);
                rm = got < 0 || holds_any(buf, (size_t)got, vals, nv);
                sodium_memzero(buf, (size_t)sb.st_size);
                free(buf);
            }
        }
        close(fd);
        if (rm && unlink(path) == 0) removed++;
    }
    closedir(d);
    return removed;
}

static void free_vals(char **vals, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sodium_memzero(vals[i], strlen(vals[i]));
        free(vals[i]);
    }
    free(vals);
}

enc_rc enc_privacy_erase(enc_store *st, int64_t customer, const enc_erase_opts *o,
                         enc_erase_result *out, enc_err *err)
{
    memset(out, 0, sizeof *out);
    if (enc_store_customer_erased(st, customer, &out->already, err)) return err->rc;
    char **vals;
    size_t nv;
    if (enc_store_customer_personal(st, customer, &vals, &nv, err)) return ENC_EDB;
    /* the audit log is append-only: what goes in must not be the customer's data */
    if (o->reason) {
        size_t rn = strlen(o->reason);
        for (size_t i = 0; i < nv; i++) {
            size_t vn = strlen(vals[i]);
            bool hit = false;
            for (size_t k = 0; vn >= 3 && k + vn <= rn && !hit; k++)
                hit = strncasecmp(o->reason + k, vals[i], vn) == 0;
            if (hit) {
                free_vals(vals, nv);
                return enc_fail(err, ENC_EUSAGE,
                                "the reason holds the customer's personal data (a name, email, "
                                "phone or id): the audit log keeps it forever, give a reason "
                                "without it");
            }
        }
    }
    enc_mkey key;
    bool found;
    const char *db = enc_store_path(st);
    enc_rc rc = out->already ? ENC_OK : enc_mkey_load(db, true, &key, &found, NULL, 0, err);
    if (!rc && !out->already) {
        enc_store_erase_req r = {.customer = customer,
                                 .now = o->now,
                                 .key = &key,
                                 .actor = o->actor,
                                 .role = o->role,
                                 .client = o->client,
                                 .reason = o->reason,
                                 .status = o->status};
        rc = enc_store_customer_erase(st, &r, &out->store, err);
    }
    if (!out->already) enc_mkey_wipe(&key);
    if (rc) {
        free_vals(vals, nv);
        return rc;
    }
    /* committed: now no copy of the deleted rows may stay in the file, its WAL or the caches */
    rc = enc_store_compact(st, err);
    enc_colcache_status cs;
    enc_err e2 = {0};
    if (!rc && enc_colcache_status_get(st, &cs, &e2) == ENC_OK && cs.present) {
        rc = enc_colcache_build(st, err);
        if (!rc) out->caches_rebuilt++;
    }
    enc_profcache_status ps;
    enc_profcache_status_get(st, &ps);
    if (!rc && ps.present) {
        rc = enc_profcache_build(st, err);
        if (!rc) out->caches_rebuilt++;
    }
    if (*db) out->exports_removed = clean_exports(db, vals, nv);
    free_vals(vals, nv);
    return rc;
}

void enc_privacy_erased_json(const enc_erase_result *r, int64_t customer, enc_jw *w)
{
    char target[32];
    snprintf(target, sizeof target, "#%lld", (long long)customer);
    const enc_store_erased *e = &r->store;
    const struct {
        const char *k;
        int64_t v;
    } counts[] = {
        {"records", e->records},
        {"identities", e->identities},
        {"suppressed", e->suppressed},
        {"events", e->events},
        {"feedback", e->feedback},
        {"consents", e->consents},
        {"inbox", e->inbox},
        {"messages", e->messages},
        {"profiles", e->profiles},
        {"merges", e->merges},
        {"orders_kept", e->orders_kept},
        {"caches_rebuilt", r->caches_rebuilt},
        {"exports_removed", r->exports_removed},
    };
    enc_jw_obj(w);
    enc_jw_kstr(w, "customer", target);
    enc_jw_kbool(w, "already_erased", r->already);
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        enc_jw_kint(w, counts[i].k, counts[i].v);
    enc_jw_end(w);
}
