/* colfile.h — a file of named column arrays, written once and read through a memory map:
 * a prefix (magic, sizes, a hash of the prefix, the caller's header and the section table),
 * the caller's fixed header, the section table, then the sections, 64-byte aligned. Strings
 * are stored as offsets into a blob. The column caches (colcache.h, audience/profcache.h)
 * are such files; a file is written beside its final path and renamed into place, so a
 * reader sees the old file or the new one, never half of one. */
#ifndef ENCORE_SNAPSHOT_COLFILE_H
#define ENCORE_SNAPSHOT_COLFILE_H
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ENC_COLFILE_SECTIONS 96

typedef struct enc_colfile_section {
    char name[24];
    int64_t off, bytes;
} enc_colfile_section;

typedef struct enc_colfile_w {
    FILE *f;
    char path[4096], tmp[4200];
    int64_t pos, lead;
    enc_colfile_section sec[ENC_COLFILE_SECTIONS];
    int n;
    bool failed;
} enc_colfile_w;

/* Starts writing the file that will replace `path`, with room for a header of head_bytes. */
enc_rc enc_colfile_begin(enc_colfile_w *w, const char *path, size_t head_bytes, enc_err *err);
/* A section of `bytes` bytes (p may be NULL when bytes is 0). */
void enc_colfile_put(enc_colfile_w *w, const char *name, const void *p, size_t bytes);
/* n strings (NULL allowed) as NAME.off (int64 offsets, -1 for NULL) and NAME.str. */
void enc_colfile_put_strings(enc_colfile_w *w, const char *name, const char *const *v, size_t n);
/* Writes the magic (8 bytes) and the header, syncs the file to disk and renames it into
 * place; on failure removes it. */
enc_rc enc_colfile_commit(enc_colfile_w *w, const char magic[8], const void *head,
                          size_t head_bytes, enc_err *err);
void enc_colfile_abort(enc_colfile_w *w);

typedef struct enc_colfile {
    void *map;
    size_t bytes;
    const void *head; /* the caller's header */
    const enc_colfile_section *sec;
    int64_t nsect;
} enc_colfile;

/* Maps the file at path: NULL when it is there, well formed, and of this magic and header
 * size, else why not (static text). */
const char *enc_colfile_open(const char *path, const char magic[8], size_t head_bytes,
                             enc_colfile *m);
void enc_colfile_close(enc_colfile *m);
/* A section's data when it has exactly `bytes` bytes (NULL otherwise or when absent). */
const void *enc_colfile_get(const enc_colfile *m, const char *name, int64_t bytes);
/* A section's data and size (NULL when absent). */
const void *enc_colfile_find(const enc_colfile *m, const char *name, int64_t *bytes);
/* n strings put with enc_colfile_put_strings: false when absent or malformed (an offset
 * outside the blob, a string not ended inside it). */
bool enc_colfile_strings(const enc_colfile *m, const char *name, int64_t n, const int64_t **off,
                         const char **str);
/* String i of a set (NULL for a NULL). */
static inline const char *enc_colfile_str(const int64_t *off, const char *str, size_t i)
{
    return off[i] < 0 ? NULL : str + off[i];
}
/* Fills the page tables of a range in one call rather than one fault per page (most of the
 * cost of reading a mapped file on a virtual machine): `write` for fresh memory about to be
 * written, else for mapped data about to be read. Small ranges and older kernels: nothing. */
void enc_colfile_prefault(const void *p, size_t bytes, bool write);
/* For the fuzz target: makes the first bytes of an in-memory file a prefix of this magic and
 * header size whose hash matches (so that what follows the hash check is what gets fuzzed).
 * False when the buffer is shorter than a prefix, header and section table. */
bool enc__colfile_seal(void *file, size_t bytes, const char magic[8], size_t head_bytes);
#endif
