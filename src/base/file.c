/* file.c — creating files that hold personal data with mode 0600 (file.h). The mode is set by
 * fchmod after open, so a umask of 0 (or 077) changes nothing. */
#include "base/file.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

enc_rc enc_read_secret_file(const char *path, const char *what, char *buf, size_t cap, size_t *n,
                            enc_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return enc_fail(err, ENC_EIO, "%s %s: %s", what, path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return enc_fail(err, ENC_EIO, "%s %s: not a regular file", what, path);
    }
    if (sb.st_mode & 077) {
        close(fd);
        return enc_fail(err, ENC_EUSAGE, "%s %s is readable by others (mode %03o): chmod 600 it",
                        what, path, (unsigned)(sb.st_mode & 0777));
    }
    ssize_t got = read(fd, buf, cap);
    close(fd);
    if (got < 0) return enc_fail(err, ENC_EIO, "%s %s: %s", what, path, strerror(errno));
    if ((size_t)got >= cap)
        return enc_fail(err, ENC_ELIMIT, "%s %s: larger than %zu bytes", what, path, cap - 1);
    size_t a = 0, b = (size_t)got;
    while (a < b && (buf[a] == ' ' || buf[a] == '\n' || buf[a] == '\r' || buf[a] == '\t')) a++;
    while (b > a &&
           (buf[b - 1] == ' ' || buf[b - 1] == '\n' || buf[b - 1] == '\r' || buf[b - 1] == '\t'))
        b--;
    memmove(buf, buf + a, b - a);
    buf[b - a] = 0;
    *n = b - a;
    return ENC_OK;
}
