/* test_dkim.c — src/delivery/dkim.c: relaxed canonicalisation against RFC 6376's examples,
 * keys generated 0600 with their DNS record, refusals (mode, domain, selector, bad keys) and a
 * signature's tags over a message. */
#include "harness.h"
#include "base/buf.h"
#include "delivery/dkim.h"
#include <sys/stat.h>
#include <unistd.h>

/* DKIM canonicalisation: the examples of RFC 6376 §3.4.5, and edge cases of the body rule. */
static void dkim_canonical_forms(void)
{
    enc_buf b = {0};
    const char *h1 = "A: X\r\n", *h2 = "B : Y\t\r\n\tZ  \r\n";
    enc_dkim_canon_header(h1, strlen(h1), &b);
    enc_dkim_canon_header(h2, strlen(h2), &b);
    CHECK_STR(b.p, "a:X\r\nb:Y Z\r\n");
    enc_buf_reset(&b);
    const char *body = " C \r\nD \t E\r\n\r\n\r\n";
    enc_dkim_canon_body(body, strlen(body), &b);
    CHECK_STR(b.p, " C\r\nD E\r\n");
    enc_buf_reset(&b);
    enc_dkim_canon_body("", 0, &b); /* an empty body stays empty (RFC 6376 errata 3192) */
    CHECK_INT(b.len, 0);
    enc_dkim_canon_body("x", 1, &b); /* a last line gets its CRLF */
    CHECK(b.len == 3 && memcmp(b.p, "x\r\n", 3) == 0);
    enc_buf_reset(&b);
    const char *inner = "a\r\n\r\nb\r\n \r\n";
    enc_dkim_canon_body(inner, strlen(inner), &b); /* inner empty lines stay, trailing go */
    CHECK(b.len == 8 && memcmp(b.p, "a\r\n\r\nb\r\n", 8) == 0);
    enc_buf_free(&b);
}

/* DKIM keys: generated 0600, the record's shape, refusals, and a signature over a message. */
static void dkim_keys_and_signature(void)
{
    char dir[] = "/tmp/test_dkim.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char rsa[64], ed[64];
    snprintf(rsa, sizeof rsa, "%s/rsa.pem", dir);
    snprintf(ed, sizeof ed, "%s/ed.pem", dir);
    enc_buf rec = {0};
    enc_err err = {0};
    CHECK_INT(enc_dkim_keygen("ed25519", ed, &rec, &err), ENC_OK);
    CHECK(rec.p && strncmp(rec.p, "v=DKIM1; k=ed25519; p=", 22) == 0 && rec.len == 22 + 44);
    struct stat sb;
    CHECK(stat(ed, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_INT(enc_dkim_keygen("ed25519", ed, &rec, &err), ENC_EIO); /* never overwritten */
    CHECK_INT(enc_dkim_keygen("dsa", rsa, &rec, &err), ENC_EUSAGE);
    enc_dkim *d = NULL;
    CHECK_INT(enc_dkim_open("shop.example", "s1", ed, &d, &err), ENC_OK);
    CHECK_STR(enc_dkim_algorithm(d), "ed25519-sha256");
    const char *msg = "From: a@shop.example\r\nTo: b@x.org\r\nSubject: hi\r\n\r\nbody\r\n";
    enc_buf out = {0};
    CHECK_INT(enc_dkim_sign(d, msg, strlen(msg), 1700000000, &out, &err), ENC_OK);
    CHECK(out.p &&
          strncmp(out.p, "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;", 57) == 0);
    CHECK(strstr(out.p, "h=from:to:subject;") != NULL);
    CHECK(strstr(out.p, "t=1700000000;") != NULL);
    /* bh = base64(SHA-256("body\r\n")) */
    CHECK(strstr(out.p, "bh=Ck5SoRNWUpSR4X0COv7R5ub2pUTtl6xz4dTFz++ji4M=;") != NULL);
    CHECK_INT(enc_dkim_sign(d, "no separator", 12, 1, &out, &err), ENC_EUSAGE);
    enc_dkim_free(d);
    chmod(ed, 0640);
    CHECK_INT(enc_dkim_open("shop.example", "s1", ed, &d, &err), ENC_EUSAGE);
    CHECK(strstr(err.msg, "readable by group or others") != NULL);
    chmod(ed, 0600);
    CHECK_INT(enc_dkim_open("bad domain", "s1", ed, &d, &err), ENC_EUSAGE);
    CHECK_INT(enc_dkim_open("shop.example", "a..b", ed, &d, &err), ENC_EUSAGE);
    CHECK_INT(enc_dkim_open("shop.example", "s1", "/nonexistent/key.pem", &d, &err), ENC_EIO);
    FILE *f = fopen(rsa, "w");
    fputs("not a key\n", f);
    fclose(f);
    chmod(rsa, 0600);
    CHECK_INT(enc_dkim_open("shop.example", "s1", rsa, &d, &err), ENC_EPARSE);
    unlink(rsa);
    unlink(ed);
    rmdir(dir);
    enc_buf_free(&out);
    enc_buf_free(&rec);
}

int main(void)
{
    RUN(dkim_canonical_forms);
    RUN(dkim_keys_and_signature);
    return TEST_SUMMARY();
}
