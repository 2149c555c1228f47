/* fuzz_masterkey.c — libFuzzer target for reading a store's master key (src/base/seal.c,
 * src/base/file.c): the input is written as the key file (mode 0600) and read the way
 * enc_mkey_load reads DB.key. Checks: a file is accepted exactly when, white space around it
 * dropped, it is 64 hex digits; an accepted key is those digits' bytes; its blind index is
 * deterministic; a refusal's message never quotes the file's content. */
#include "base/file.h"
#include "base/seal.h"
#include <ctype.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        if (sodium_init() < 0) return 0;
        snprintf(path, sizeof path, "/tmp/fuzz_masterkey.%ld.key", (long)getpid());
    }
    if (size > 4096) return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size) abort();
    close(fd);
    /* what should be accepted: the trimmed content is 64 hex digits */
    size_t a = 0, b = size;
    while (a < b && (data[a] == ' ' || data[a] == '\n' || data[a] == '\r' || data[a] == '\t')) a++;
    while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\n' || data[b - 1] == '\r' ||
                     data[b - 1] == '\t'))
        b--;
    bool want = b - a == 64;
    for (size_t i = a; want && i < b; i++) want = isxdigit(data[i]) != 0;

    char buf[130];
    size_t n = 0;
    enc_err err = {0};
    enc_mkey key;
    enc_rc rc = enc_read_secret_file(path, "master key", buf, sizeof buf, &n, &err);
    if (!rc) rc = enc_mkey_from_hex(buf, n, &key, &err);
    if ((rc == ENC_OK) != want) FAIL();
    if (rc == ENC_OK) {
        uint8_t raw[32];
        size_t got;
        if (sodium_hex2bin(raw, 32, (const char *)data + a, 64, NULL, &got, NULL) || got != 32 ||
            memcmp(raw, key.master, 32) != 0)
            FAIL();
        uint8_t h1[ENC_BLIND_BYTES], h2[ENC_BLIND_BYTES];
        enc_blind(&key, "email", "a@b.example", h1);
        enc_blind(&key, "email", "a@b.example", h2);
        if (memcmp(h1, h2, sizeof h1) != 0) FAIL();
    } else if (b - a >= 16) {
        /* the message must not carry the secret-looking content */
        char probe[17];
        memcpy(probe, data + a, 16);
        probe[16] = 0;
        if (strlen(probe) == 16 && strstr(err.msg, probe)) FAIL();
    }
    sodium_memzero(buf, sizeof buf);
    return 0;
}
