/* test_sign.c — src/delivery/sign.c: HMAC-SHA256 against the test vectors of RFC 4231. */
#include "harness.h"
#include "delivery/sign.h"
#include <sodium.h>

static void hex_of(const char *hex, uint8_t *out, size_t *n)
{
    *n = strlen(hex) / 2;
    for (size_t i = 0; i < *n; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void hmac_rfc4231(void)
{
    /* RFC 4231 section 4, test cases 1-7 (case 5 compares the first 128 bits) */
    uint8_t k1[20], k3[20], k4[25], k5[20], k6[131], d3[50], d4[50];
    memset(k1, 0x0b, 20);
    memset(k3, 0xaa, 20);
    for (int i = 0; i < 25; i++) k4[i] = (uint8_t)(i + 1);
    memset(k5, 0x0c, 20);
    memset(k6, 0xaa, 131);
    memset(d3, 0xdd, 50);
    memset(d4, 0xcd, 50);
    struct {
        const uint8_t *k;
        size_t kl;
        const void *d;
        size_t dl;
        const char *mac;
    } v[] = {
        {k1, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {(const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {k3, 20, d3, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {k4, 25, d4, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {k5, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b"},
        {k6, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {k6, 131,
         "This is a test using a larger than block-size key and a larger than block-size data."
         " The key needs to be hashed before being used by the HMAC algorithm.",
         152, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        uint8_t mac[32];
        char hex[65];
        /* split the data in two parts: the two-part API must equal one pass */
        size_t half = v[i].dl / 2;
        enc_hmac_sha256(v[i].k, v[i].kl, v[i].d, half, (const char *)v[i].d + half, v[i].dl - half,
                        mac);
        enc_hex(mac, 32, hex);
        size_t cmp = strlen(v[i].mac);
        if (strncmp(hex, v[i].mac, cmp) != 0) TH_FAIL("case %zu: %s != %s", i + 1, hex, v[i].mac);
    }
    uint8_t x[4];
    size_t n;
    hex_of("0aff", x, &n);
    char h[9];
    enc_hex(x, n, h);
    CHECK_STR(h, "0aff");
}

int main(void)
{
    RUN(hmac_rfc4231);
    return TEST_SUMMARY();
}
