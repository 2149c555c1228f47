/* err.c — filling enc_err (see err.h). */
#include "base/err.h"
#include <stdio.h>

enc_rc enc_fail(enc_err *err, enc_rc rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->rc = rc;
    }
    return rc;
}

void enc_err_clear(enc_err *err)
{
    if (err) {
        err->rc = ENC_OK;
        err->msg[0] = 0;
    }
}
