/* colfile.c — files of named column arrays (colfile.h): writing with a rename into place,
 * reading through a read-only shared mapping with every offset checked before use. */
#include "snapshot/colfile.h"
#include "base/file.h"
#include "base/map.h"
#include "base/mem.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALIGN 64

/* what every file starts with */
typedef struct prefix {
    char magic[8];
    int64_t head_bytes, nsect, bytes;
    uint64_t check; /* hash of the prefix (with check 0), the header and the section table */
} prefix;

static uint64_t check_of(const prefix *p, const void *head, const enc_colfile_section *sec)
{
    prefix c = *p;
    c.check = 0;
    uint64_t h = enc_hash_bytes(&c, sizeof c);
    h = h * 31 + enc_hash_bytes(head, (size_t)p->head_bytes);
    return h * 31 + enc_hash_bytes(sec, ENC_COLFILE_SECTIONS * sizeof *sec);
}

static int64_t lead_of(size_t head_bytes)
{
    int64_t lead =
        (int64_t)(sizeof(prefix) + head_bytes + ENC_COLFILE_SECTIONS * sizeof(enc_colfile_section));
    return lead + (ALIGN - lead % ALIGN) % ALIGN;
}

enc_rc enc_colfile_begin(enc_colfile_w *w, const char *path, size_t head_bytes, enc_err *err)
{
    memset(w, 0, sizeof *w);
    if ((size_t)snprintf(w->path, sizeof w->path, "%s", path) >= sizeof w->path)
        return enc_fail(err, ENC_EUSAGE, "%s: path too long", path);
    snprintf(w->tmp, sizeof w->tmp, "%s.tmp%ld", path, (long)getpid());
    w->f = enc_fopen_private(w->tmp, false); /* personal data: 0600 */
    if (!w->f) return enc_fail(err, ENC_EIO, "%s: %s", w->tmp, strerror(errno));
    w->lead = lead_of(head_bytes);
    if (fseek(w->f, w->lead, SEEK_SET) != 0) w->failed = true;
    w->pos = w->lead;
    return ENC_OK;
}

void enc_colfile_put(enc_colfile_w *w, const char *name, const void *p, size_t bytes)
{
    if (w->failed || w->n == ENC_COLFILE_SECTIONS) {
        w->failed = true;
        return;
    }
    static const char zero[ALIGN];
    int64_t pad = (ALIGN - w->pos % ALIGN) % ALIGN;
    if (pad && fwrite(zero, 1, (size_t)pad, w->f) != (size_t)pad) w->failed = true;
    w->pos += pad;
    enc_colfile_section *s = &w->sec[w->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->off = w->pos;
    s->bytes = (int64_t)bytes;
    if (bytes && p && fwrite(p, 1, bytes, w->f) != bytes) w->failed = true;
    w->pos += (int64_t)bytes;
}

void enc_colfile_put_strings(enc_colfile_w *w, const char *name, const char *const *v, size_t n)
{
    int64_t *off = enc_xmalloc((n ? n : 1) * sizeof *off);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        off[i] = v && v[i] ? (int64_t)total : -1;
        if (off[i] >= 0) total += strlen(v[i]) + 1;
    }
    char *blob = enc_xmalloc(total ? total : 1);
    for (size_t i = 0; i < n; i++)
        if (off[i] >= 0) memcpy(blob + off[i], v[i], strlen(v[i]) + 1);
    char nm[64];
    snprintf(nm, sizeof nm, "%s.off", name);
    enc_colfile_put(w, nm, off, n * sizeof *off);
    snprintf(nm, sizeof nm, "%s.str", name);
    enc_colfile_put(w, nm, blob, total);
    free(off);
    free(blob);
}

void enc_colfile_abort(enc_colfile_w *w)
{
    if (w->f) fclose(w->f);
    w->f = NULL;
    unlink(w->tmp);
}

enc_rc enc_colfile_commit(enc_colfile_w *w, const char magic[8], const void *head,
                          size_t head_bytes, enc_err *err)
{
    prefix p;
    memset(&p, 0, sizeof p);
    memcpy(p.magic, magic, 8);
    p.head_bytes = (int64_t)head_bytes;
    p.nsect = w->n;
    p.bytes = w->pos;
    p.check = check_of(&p, head, w->sec);
    if (!w->failed &&
        (fseek(w->f, 0, SEEK_SET) != 0 || fwrite(&p, sizeof p, 1, w->f) != 1 ||
         fwrite(head, 1, head_bytes, w->f) != head_bytes ||
         fwrite(w->sec, sizeof *w->sec, ENC_COLFILE_SECTIONS, w->f) != ENC_COLFILE_SECTIONS))
        w->failed = true;
    if (!w->failed && (fflush(w->f) != 0 || fdatasync(fileno(w->f)) != 0)) w->failed = true;
    if (fclose(w->f) != 0) w->failed = true;
    w->f = NULL;
    if (w->failed || rename(w->tmp, w->path) != 0) {
        int e = errno;
        unlink(w->tmp);
        return enc_fail(err, ENC_EIO, "writing %s: %s", w->path, e ? strerror(e) : "failed");
    }
    return ENC_OK;
}

const char *enc_colfile_open(const char *path, const char magic[8], size_t head_bytes,
                             enc_colfile *m)
{
    memset(m, 0, sizeof *m);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "no cache file";
    struct stat sb;
    int64_t lead = lead_of(head_bytes);
    if (fstat(fd, &sb) != 0 || sb.st_size < lead) {
        close(fd);
        return "the cache file is truncated";
    }
    void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return "the cache file cannot be mapped";
    m->map = map;
    m->bytes = (size_t)sb.st_size;
    const prefix *p = map;
    m->head = (const char *)map + sizeof *p;
    m->sec = (const enc_colfile_section *)((const char *)m->head + head_bytes);
    const char *why = NULL;
    if (memcmp(p->magic, magic, 8) != 0 || p->head_bytes != (int64_t)head_bytes)
        why = "the cache file is not one (or of another version)";
    else if (p->check != check_of(p, m->head, m->sec)) why = "the cache file is damaged";
    else if (p->bytes != (int64_t)m->bytes || p->nsect < 0 || p->nsect > ENC_COLFILE_SECTIONS)
        why = "the cache file is truncated";
    for (int64_t k = 0; !why && k < p->nsect; k++)
        if (m->sec[k].off < lead || m->sec[k].bytes < 0 || m->sec[k].off > p->bytes ||
            m->sec[k].bytes > p->bytes - m->sec[k].off)
            why = "the cache file is damaged";
    if (why) {
        enc_colfile_close(m);
        return why;
    }
    m->nsect = p->nsect;
    return NULL;
}

void enc_colfile_close(enc_colfile *m)
{
    if (m->map) munmap(m->map, m->bytes);
    memset(m, 0, sizeof *m);
}

const void *enc_colfile_find(const enc_colfile *m, const char *name, int64_t *bytes)
{
    for (int64_t k = 0; k < m->nsect; k++)
        if (strncmp(m->sec[k].name, name, sizeof m->sec[k].name) == 0) {
            *bytes = m->sec[k].bytes;
            return (const char *)m->map + m->sec[k].off;
        }
    return NULL;
}

const void *enc_colfile_get(const enc_colfile *m, const char *name, int64_t bytes)
{
    int64_t have;
    const void *p = enc_colfile_find(m, name, &have);
    return p && have == bytes ? p : NULL;
}

bool enc_colfile_strings(const enc_colfile *m, const char *name, int64_t n, const int64_t **off,
                         const char **str)
{
    char nm[64];
    int64_t blob;
    snprintf(nm, sizeof nm, "%s.off", name);
    *off = enc_colfile_get(m, nm, n * (int64_t)sizeof(int64_t));
    snprintf(nm, sizeof nm, "%s.str", name);
    *str = enc_colfile_find(m, nm, &blob);
    if ((!*off && n > 0) || !*str) return false;
    /* every offset inside the blob, the blob ending with a NUL */
    if (blob > 0 && (*str)[blob - 1] != 0) return false;
    for (int64_t i = 0; i < n; i++)
        if ((*off)[i] < -1 || (*off)[i] >= blob) return false;
    return true;
}

void enc_colfile_prefault(const void *p, size_t bytes, bool write)
{
#ifdef MADV_POPULATE_READ
    if (!p || bytes < (1 << 20)) return;
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095, e = (uintptr_t)p + bytes;
    madvise((void *)a, e - a, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
#else
    (void)p, (void)bytes, (void)write;
#endif
}

bool enc__colfile_seal(void *file, size_t bytes, const char magic[8], size_t head_bytes)
{
    if (bytes < (size_t)lead_of(head_bytes)) return false;
    prefix *p = file;
    memcpy(p->magic, magic, 8);
    p->head_bytes = (int64_t)head_bytes;
    p->bytes = (int64_t)bytes;
    const char *head = (const char *)file + sizeof *p;
    p->check = check_of(p, head, (const enc_colfile_section *)(head + head_bytes));
    return true;
}
