/* err.h — error codes and messages shared by every layer (STYLE 7): functions return an enc_rc
 * (0 = ok) and write what went wrong into an enc_err; only the CLI and the server print. */
#ifndef ENCORE_ERR_H
#define ENCORE_ERR_H
#include <stdarg.h>

typedef enum enc_rc {
    ENC_OK = 0,
    ENC_EFAIL = 1,  /* generic failure */
    ENC_EUSAGE = 2, /* caller asked for something malformed (bad flag, unknown field) */
    ENC_EIO = 3,    /* file or network */
    ENC_EPARSE = 4, /* malformed input */
    ENC_EDB = 5,    /* storage engine */
    ENC_ENOTFOUND = 6,
    ENC_ELIMIT = 7, /* a bound on outside input was exceeded */
} enc_rc;

typedef struct enc_err {
    enc_rc rc;
    char msg[1024];
} enc_err;

/* Sets err (may be NULL) and returns rc, so callers write `return enc_fail(err, ENC_EIO, ...)`. */
enc_rc enc_fail(enc_err *err, enc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void enc_err_clear(enc_err *err);
#endif
