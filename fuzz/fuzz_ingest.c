/* fuzz_ingest.c — libFuzzer target for the HTTP ingest bodies (src/server/api.c). The first
 * byte picks the call (track, identify, batch), the rest is the body. Each body is parsed,
 * applied to an in-memory store in a transaction, and answered; checks: the answer is one JSON
 * object with "ok" or "error", its status is 200, 400 or 413, and the counts add up (stored +
 * duplicates + rejected = items). The transaction is rolled back, so the store stays small. */
#include "server/api.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdlib.h>
#include <string.h>

/* a failed check names its line */
#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

static enc_store *st;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enc_err err;
    if (!st && enc_store_open(":memory:", &st, &err)) FAIL();
    if (size < 1) return 0;
    enc_api_call call = data[0] % 3 == 0   ? ENC_API_TRACK
                        : data[0] % 3 == 1 ? ENC_API_IDENTIFY
                                           : ENC_API_BATCH;
    enc_arena *a = enc_arena_new(1 << 12);
    enc_api_opts o = {.now = 1735732800, .phone_cc = "86"};
    enc_api_req *r = enc_api_parse(a, call, (const char *)data + 1, size - 1, &o);
    if (enc_api_pending(r)) {
        enc_ident *id = enc_ident_new(st, ENC_API_SOURCE);
        if (enc_store_begin(st, &err)) FAIL();
        if (enc_api_apply(r, st, id, &err)) FAIL(); /* bad input is never a storage error */
        enc_store_rollback(st);
        enc_ident_free(id);
    }
    enc_buf b = {0};
    int status = enc_api_respond(r, &b);
    if (status != 200 && status != 400 && status != 413) FAIL();
    json_t *d = json_loadb(b.p, b.len, 0, NULL);
    if (!d || !json_is_object(d)) FAIL();
    bool ok = json_is_true(json_object_get(d, "ok"));
    const char *e = json_string_value(json_object_get(d, "error"));
    if (ok == (e != NULL) || (ok && status != 200) || (e && !*e)) FAIL();
    enc_api_counts c;
    enc_api_counts_get(r, &c);
    if (enc_api_pending(r) && c.stored + c.duplicates + c.rejected != c.items) FAIL();
    json_decref(d);
    enc_buf_free(&b);
    enc_arena_free(a);
    return 0;
}
