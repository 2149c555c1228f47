/* file.c — the file channel (file.h): JSON lines appended with one write and one fsync per
 * batch; keys already in the file are skipped so a re-sent message is written once. */
#include "delivery/channels/file.h"
#include "base/file.h"
#include "base/buf.h"
#include "base/map.h"
#include "base/mem.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES (16 << 20) /* a line longer than this in an existing file is refused */

typedef struct file_chan {
    int fd;
    char *path;
    bool sync;
    enc_smap *keys;
    off_t size;
} file_chan;

/* Cuts a torn last line (no final newline: a crash in the middle of a write), then loads the
 * idempotency keys of the complete lines. */
static enc_rc load_keys(file_chan *f, enc_err *err)
{
    struct stat sb;
    if (fstat(f->fd, &sb) != 0) return enc_fail(err, ENC_EIO, "%s: %s", f->path, strerror(errno));
    f->size = sb.st_size;
    if (sb.st_size == 0) return ENC_OK;
    FILE *in = fopen(f->path, "rb");
    if (!in) return enc_fail(err, ENC_EIO, "%s: %s", f->path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    off_t good = 0;
    enc_rc rc = ENC_OK;
    while ((len = getline(&line, &cap, in)) > 0) {
        if (len > LINE_MAX_BYTES) {
            rc = enc_fail(err, ENC_ELIMIT, "%s: a line longer than 16 MB", f->path);
            break;
        }
        if (line[len - 1] != '\n') break; /* torn */
        good += len;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)len, 0, &je);
        const char *k = enc_opt_str(o, "idempotency_key", NULL);
        if (k) enc_smap_put(f->keys, k, strlen(k), 1, NULL);
        json_decref(o);
    }
    free(line);
    fclose(in);
    if (!rc && good < sb.st_size) {
        if (ftruncate(f->fd, good) != 0)
            return enc_fail(err, ENC_EIO, "%s: cutting a torn line: %s", f->path, strerror(errno));
        f->size = good;
    }
    return rc;
}

static enc_rc file_open(enc_adapter *ch, json_t *opts, enc_outbox *ob, enc_err *err)
{
    const char *path = enc_opt_str(opts, "path", NULL);
    if (!path || !*path)
        return enc_fail(err, ENC_EUSAGE, "channel %s: \"path\" is required", ch->name);
    file_chan *f = enc_xcalloc(1, sizeof *f);
    f->path = enc_xstrdup(path);
    f->sync = enc_opt_bool(opts, "fsync", true);
    f->keys = enc_smap_new(1024);
    f->fd = enc_open_private(path, O_WRONLY | O_CREAT | O_APPEND); /* personal data: 0600 */
    if (f->fd < 0) {
        enc_fail(err, ENC_EIO, "channel %s: %s: %s", ch->name, path, strerror(errno));
        enc_smap_free(f->keys);
        free(f->path);
        free(f);
        return ENC_EIO;
    }
    ch->impl = f;
    if (load_keys(f, err)) {
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "%s", err->msg);
        return enc_fail(err, err->rc, "channel %s: %s", ch->name, m);
    }
    return ENC_OK;
}

static void put_payload(json_t *o, const char *key, const char *payload)
{
    if (!payload) return;
    json_t *p = json_loads(payload, JSON_DECODE_ANY, NULL);
    json_object_set_new(o, key, p ? p : json_string(payload));
}

static void file_send(enc_adapter *ch, const enc_msg *m, size_t n, enc_send_result *res,
                      int64_t now)
{
    file_chan *f = ch->impl;
    enc_buf b = {0};
    bool *fresh = enc_xcalloc(n ? n : 1, sizeof *fresh);
    for (size_t i = 0; i < n; i++) {
        memset(&res[i], 0, sizeof res[i]);
        const char *k = m[i].idempotency_key;
        bool added = false;
        enc_smap_put(f->keys, k, strlen(k), 1, &added);
        if (!added) { /* already in the file (or twice in this batch) */
            snprintf(res[i].provider_ref, sizeof res[i].provider_ref, "file:duplicate");
            continue;
        }
        fresh[i] = true;
        json_t *o = json_object();
        json_object_set_new(o, "idempotency_key", json_string(k));
        json_object_set_new(o, "message_id", json_integer(m[i].id));
        json_object_set_new(o, "channel", json_string(m[i].channel));
        if (m[i].campaign) json_object_set_new(o, "campaign", json_string(m[i].campaign));
        if (m[i].variant) json_object_set_new(o, "variant", json_string(m[i].variant));
        if (m[i].customer_id) json_object_set_new(o, "customer_id", json_integer(m[i].customer_id));
        json_object_set_new(o, "to", json_string(m[i].address));
        if (m[i].subject) json_object_set_new(o, "subject", json_string(m[i].subject));
        if (m[i].body_text) json_object_set_new(o, "text", json_string(m[i].body_text));
        if (m[i].body_html) json_object_set_new(o, "html", json_string(m[i].body_html));
        put_payload(o, "payload", m[i].payload);
        json_object_set_new(o, "written_at", json_integer(now));
        char *line = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (!line) { /* invalid UTF-8 in a field */
            enc_result_err(&res[i], ENC_SEND_PERM, "not valid UTF-8 text");
            enc_smap_put(f->keys, k, strlen(k), 1, NULL);
            fresh[i] = false;
            continue;
        }
        snprintf(res[i].provider_ref, sizeof res[i].provider_ref, "file:%lld",
                 (long long)(f->size + (off_t)b.len));
        enc_buf_adds(&b, line);
        enc_buf_addc(&b, '\n');
        free(line);
    }
    const char *fail = NULL;
    int e = 0;
    size_t off = 0;
    while (off < b.len) {
        ssize_t w = write(f->fd, b.p + off, b.len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail = "write";
            e = errno;
            break;
        }
        off += (size_t)w;
    }
    if (!fail && b.len && f->sync && fsync(f->fd) != 0) {
        fail = "fsync";
        e = errno;
    }
    if (fail) {
        /* nothing of this batch counts as written: cut what went out and report temporary */
        if (ftruncate(f->fd, f->size) != 0) { /* the torn tail is cut again at the next open */
        }
        for (size_t i = 0; i < n; i++) {
            if (!fresh[i]) continue;
            enc_result_err(&res[i], ENC_SEND_TEMP, "%s %s: %s", fail, f->path, strerror(e));
            res[i].provider_ref[0] = 0;
        }
        /* forget the keys of this batch: they were not written */
        enc_smap *drop = enc_smap_new(n + 1);
        for (size_t j = 0; j < n; j++)
            if (fresh[j])
                enc_smap_put(drop, m[j].idempotency_key, strlen(m[j].idempotency_key), 1, NULL);
        enc_smap *keep = enc_smap_new(enc_smap_count(f->keys) + 16);
        const char *kk;
        size_t kl;
        int64_t v;
        int r;
        for (size_t i = 0; (r = enc_smap_at(f->keys, i, &kk, &kl, &v)) >= 0; i++)
            if (r == 1 && !enc_smap_get(drop, kk, kl)) enc_smap_put(keep, kk, kl, v, NULL);
        enc_smap_free(drop);
        enc_smap_free(f->keys);
        f->keys = keep;
    } else {
        f->size += (off_t)b.len;
    }
    free(fresh);
    enc_buf_free(&b);
}

static void file_close(enc_adapter *ch)
{
    file_chan *f = ch->impl;
    if (!f) return;
    close(f->fd);
    enc_smap_free(f->keys);
    free(f->path);
    free(f);
    ch->impl = NULL;
}

const enc_adapter_ops enc_file_ops = {
    .kind = "file",
    .dedups = true,
    .open = file_open,
    .send = file_send,
    .close = file_close,
};
