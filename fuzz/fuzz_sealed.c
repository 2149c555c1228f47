/* fuzz_sealed.c — libFuzzer target for the sealed-field and wrapped-key formats
 * (src/base/seal.h), the bytes a damaged or hostile store hands back. The input is opened as a
 * sealed field and unwrapped as a data key under fixed keys: never a crash, never a read past
 * the input; what opens (only an input built from the keys can) seals and opens back to the same
 * plaintext. The input's first bytes also seal as a plaintext, and one altered byte of that
 * sealed form must make it fail. */
#include "base/seal.h"
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

static enc_mkey mk;
static enc_dkey dk;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        if (sodium_init() < 0) return 0;
        enc_err err;
        enc_mkey_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 64,
                          &mk, &err);
        memset(dk.k, 7, sizeof dk.k);
        ready = 1;
    }
    if (size > 4096) return 0;
    enc_err err;
    uint8_t *out = malloc(size + 1);
    size_t got;
    if (enc_open(&dk, 42, "name", data, size, out, size + 1, &got, &err) == ENC_OK) {
        if (got + ENC_SEAL_OVERHEAD != size) FAIL();
    }
    enc_dkey back;
    (void)enc_dkey_unwrap(&mk, 42, data, size, &back, &err);
    /* seal the input, alter one byte chosen by the input, must not open */
    uint8_t *sealed = malloc(size + ENC_SEAL_OVERHEAD);
    enc_seal(&dk, 42, "text", data, size, sealed);
    if (enc_open(&dk, 42, "text", sealed, size + ENC_SEAL_OVERHEAD, out, size + 1, &got, &err) ||
        got != size || (size && memcmp(out, data, size) != 0))
        FAIL();
    size_t at = size ? data[0] % (size + ENC_SEAL_OVERHEAD) : 0;
    sealed[at] ^= (uint8_t)(size > 1 ? (data[1] | 1) : 1);
    if (enc_open(&dk, 42, "text", sealed, size + ENC_SEAL_OVERHEAD, out, size + 1, &got, &err) ==
        ENC_OK)
        FAIL();
    free(sealed);
    free(out);
    return 0;
}
