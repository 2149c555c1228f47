/* file.h — files that hold personal data (the store, its WAL and shared memory, the column
 * caches, exports, reports, import error lists) are created 0600, whatever the umask: only the
 * owner may read what Encore writes about customers. */
#ifndef ENCORE_FILE_H
#define ENCORE_FILE_H
#include <stdbool.h>
#include <stdio.h>

#define ENC_FILE_MODE 0600

/* Opens path for writing (truncating, or appending when append), creating it 0600; an existing
 * file's mode is set to 0600 too. NULL with errno set on failure. Close with fclose. */
FILE *enc_fopen_private(const char *path, bool append);
/* open(2) flags with mode 0600 enforced by fchmod after creation; -1 with errno on failure. */
int enc_open_private(const char *path, int flags);
#endif
