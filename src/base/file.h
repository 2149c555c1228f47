/* file.h — files that hold personal data (the store, its WAL and shared memory, the column
 * caches, exports, reports, import error lists) are created 0600, whatever the umask: only the
 * owner may read what Encore writes about customers. */
#ifndef ENCORE_FILE_H
#define ENCORE_FILE_H
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ENC_FILE_MODE 0600

/* Opens path for writing (truncating, or appending when append), creating it 0600; an existing
 * file's mode is set to 0600 too. NULL with errno set on failure. Close with fclose. */
FILE *enc_fopen_private(const char *path, bool append);
/* open(2) flags with mode 0600 enforced by fchmod after creation; -1 with errno on failure. */
int enc_open_private(const char *path, int flags);
/* Reads a secret kept in a file of its own (the token secret, the master key): a regular file
 * the owner alone may read (else ENC_EUSAGE saying to chmod 600 it), at most cap - 1 bytes
 * (ENC_ELIMIT beyond), white space around it dropped, NUL-terminated into buf; *n its length.
 * Messages name `what` and the path. The caller wipes buf. */
enc_rc enc_read_secret_file(const char *path, const char *what, char *buf, size_t cap, size_t *n,
                            enc_err *err);
#endif
