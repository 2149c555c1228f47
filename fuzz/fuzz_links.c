/* fuzz_links.c — libFuzzer target for the link rewriter (src/campaign/links.c), which reads
 * message bodies built from campaign files and item fields. The first byte picks HTML (even)
 * or text (odd); the rest is the body. Checks: without flags, or when no link was tracked, the
 * output is the input; every click and open link in the output verifies under the key, and a
 * click's target is one enc_token_url_ok accepts; the counts match the links found. */
#include "campaign/links.h"
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())
#define BASE "https://t.example"

static enc_token_key key;
static int ready;

/* The number of tracking links of kind in s; each must verify. */
static int64_t verify_all(const char *s, const char *kind)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *pre = kind[3] == 'c' ? BASE "/t/c/" : BASE "/t/o/";
    int64_t n = 0;
    for (const char *p = strstr(s, pre); p; p = strstr(p, pre)) {
        p += strlen(pre);
        size_t len = strspn(p, b64);
        if (p[len] != '.') continue; /* a /t/c/ the input held (the rewriter keeps those) */
        size_t m = strspn(p + len + 1, b64);
        len += 1 + (m < 22 ? m : 22);
        enc_token t;
        enc_err err;
        if (enc_token_check(&key, p, len, 0, &t, &err) != ENC_OK) continue; /* the input's */
        const char *why;
        if (t.kind == ENC_TOKEN_CLICK && !enc_token_url_ok(t.url, strlen(t.url), &why)) FAIL();
        if (t.message_id != 42 || t.customer_id != 7) FAIL();
        n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        if (sodium_init() < 0) FAIL();
        enc_err e;
        enc_token_key_from("fuzzing secret 0123456789", 25, &key, &e);
        ready = 1;
    }
    if (size < 1) return 0;
    bool html = !(data[0] & 1);
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    enc_links l = {.key = &key, .base = BASE, .skip = BASE "/u/x"};
    l.tok.message_id = 42;
    l.tok.customer_id = 7;
    memcpy(l.tok.channel, "email", 6);
    memcpy(l.tok.campaign, "fuzz", 5);
    enc_buf out = {0};
    enc_buf_adds(&out, "");
    if (html) {
        enc_links_html(&l, s, n, 0, &out);
        if (out.len != n || memcmp(out.p, s, n) != 0) FAIL();
        enc_buf_reset(&out);
        enc_links_html(&l, s, n, ENC_LINKS_CLICKS, &out);
    } else {
        enc_links_text(&l, s, n, &out);
    }
    if (l.tracked == 0 && (out.len != n || memcmp(out.p, s, n) != 0)) FAIL();
    /* tokens the input held under this key could be counted too: only check when it had none */
    if (!memmem(s, n, BASE, strlen(BASE)) && memchr(s, 0, n) == NULL) {
        if (verify_all(out.p, "/t/c/") != l.tracked) FAIL();
    }
    if (html) {
        l.tracked = 0;
        enc_buf_reset(&out);
        enc_links_html(&l, s, n, ENC_LINKS_OPEN, &out);
        if (l.tracked != 0 || out.len <= n) FAIL();
        if (!memmem(s, n, BASE, strlen(BASE)) && memchr(s, 0, n) == NULL &&
            verify_all(out.p, "/t/o/") != 1)
            FAIL();
    }
    enc_buf_free(&out);
    return 0;
}
