/* cli.c — helpers shared by the subcommands (see cli.h). */
#include "cli/cli.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int enc_cli_fail(const char *what, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "encore: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return ENC_EXIT_FAIL;
}

int enc_cli_fail_err(const char *what, const enc_err *err)
{
    fprintf(stderr, "encore: %s: %s\n", what, err->msg[0] ? err->msg : "failed");
    return err->rc == ENC_EUSAGE ? ENC_EXIT_USAGE : ENC_EXIT_FAIL;
}

int enc_cli_usage(const char *cmd, const char *usage, const char *fmt, ...)
{
    if (fmt) {
        va_list ap;
        fprintf(stderr, "encore: %s: ", cmd);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    fputs(usage, stderr);
    return ENC_EXIT_USAGE;
}

bool enc_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return true;
    }
    return false;
}

void enc_cli_print(const enc_buf *b)
{
    if (b->len) fwrite(b->p, 1, b->len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

bool enc_cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) return false;
    *out = v;
    return true;
}

bool enc_cli_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= min && v <= max)) return false;
    *out = v;
    return true;
}
