/* fuzz_oneclick.c — libFuzzer target for the one-click unsubscribe body reader
 * (enc_track_oneclick_ok, src/server/track.c: an RFC 8058 POST from anyone on the internet) and
 * the DKIM canonical forms (src/delivery/dkim.c) over arbitrary bytes. The input's first line
 * is a Content-Type, the rest the body. Checks, beyond memory safety: the reader never reads
 * past the body (the body is a copy without a terminator), a body shorter than the shortest
 * one-click form (26 bytes: encodings only lengthen it) is never accepted, the relaxed body
 * form ends its lines in CRLF with no white space before and no trailing empty lines, and the
 * header form ends in one CRLF. */
#include "delivery/dkim.h"
#include "server/track.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t cl = nl ? (size_t)(nl - data) : size;
    char *ct = malloc(cl + 1);
    memcpy(ct, data, cl);
    ct[cl] = 0;
    size_t bn = nl ? size - cl - 1 : 0;
    char *body = malloc(bn ? bn : 1); /* no terminator: ASan catches a read past it */
    if (bn) memcpy(body, nl + 1, bn);
    bool ok = enc_track_oneclick_ok(strlen(ct) == cl ? ct : NULL, body, bn);
    if (ok && bn < 26) abort();
    enc_buf b = {0};
    enc_dkim_canon_body(body, bn, &b);
    for (size_t i = 0; i < b.len; i++) {
        if (b.p[i] == '\n' && (i == 0 || b.p[i - 1] != '\r')) abort();
        if (b.p[i] == '\n' && i > 1 && (b.p[i - 2] == ' ' || b.p[i - 2] == '\t')) abort();
    }
    if (b.len >= 4 && memcmp(b.p + b.len - 4, "\r\n\r\n", 4) == 0) abort();
    enc_buf_reset(&b);
    enc_dkim_canon_header(body, bn, &b);
    if (b.len && (b.len < 3 || memcmp(b.p + b.len - 2, "\r\n", 2) != 0)) abort();
    enc_buf_free(&b);
    free(body);
    free(ct);
    return 0;
}
