/* file.c — creating files that hold personal data with mode 0600 (file.h). The mode is set by
 * fchmod after open, so a umask of 0 (or 077) changes nothing. */
#include "base/file.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int enc_open_private(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC, ENC_FILE_MODE);
    if (fd < 0) return -1;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0777) != ENC_FILE_MODE &&
        fchmod(fd, ENC_FILE_MODE) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

FILE *enc_fopen_private(const char *path, bool append)
{
    int fd = enc_open_private(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC));
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, append ? "a" : "w");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}
