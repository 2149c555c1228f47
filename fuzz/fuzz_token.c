/* fuzz_token.c — libFuzzer target for the tracking-token parser (src/campaign/token.c). The
 * input is tried three ways: as a token string under a fixed key (must never crash; what
 * verifies must re-encode to the same string), as a raw payload for the codec (what unpacks
 * must pack back to the same bytes: one payload, one token), and as a payload signed with the
 * key (so the strict parser behind the MAC is reached too). Also checks click targets: a url
 * the codec accepted starts with http:// or https:// and has no byte that could split a
 * Location header. */
#include "campaign/token.h"
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* a failed check names its line */
#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

static enc_token_key key;
static int ready;

static void check_url(const enc_token *t)
{
    if (t->kind != ENC_TOKEN_CLICK) {
        if (t->url[0]) FAIL();
        return;
    }
    if (strncasecmp(t->url, "http://", 7) != 0 && strncasecmp(t->url, "https://", 8) != 0) FAIL();
    for (const char *p = t->url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\') FAIL();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        if (sodium_init() < 0) FAIL();
        enc_err e;
        enc_token_key_from("fuzzing secret 0123456789", 25, &key, &e);
        ready = 1;
    }
    enc_err err;
    enc_token t;
    char tok[ENC_TOKEN_BUF];

    /* 1. a token string */
    if (enc_token_check(&key, (const char *)data, size, 1700000000, &t, &err) == ENC_OK) {
        check_url(&t);
        if (enc_token_make(&key, &t, tok, &err) != ENC_OK) FAIL();
        if (strlen(tok) != size || memcmp(tok, data, size) != 0) FAIL();
    } else if (!err.msg[0]) {
        FAIL();
    }

    /* 2. a raw payload */
    const char *why = NULL;
    uint8_t again[ENC_TOKEN_PAYLOAD_MAX];
    if (enc__token_unpack(data, size, &t, &why)) {
        check_url(&t);
        size_t n = enc__token_pack(&t, again, &why);
        if (n != size || memcmp(again, data, size) != 0) FAIL();
        /* 3. signed, through the whole check */
        if (enc_token_make(&key, &t, tok, &err) != ENC_OK) FAIL();
        enc_token u;
        if (enc_token_check(&key, tok, strlen(tok), 0, &u, &err) != ENC_OK) FAIL();
        if (memcmp(&t, &u, sizeof t) != 0) FAIL();
    } else if (!why || !*why) {
        FAIL();
    }
    return 0;
}
