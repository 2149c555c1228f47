/* test_map.c — src/base/map.c: string and integer hash maps (insert, lookup, growth). */
#include "harness.h"
#include "base/map.h"

static void smap_insert_lookup_grow(void)
{
    enc_smap *m = enc_smap_new(4);
    char key[32];
    for (int i = 0; i < 10000; i++) {
        int n = snprintf(key, sizeof key, "k%d", i);
        bool added;
        *enc_smap_put(m, key, (size_t)n, 0, &added) = i * 3;
        CHECK(added);
    }
    CHECK_INT(enc_smap_count(m), 10000);
    for (int i = 0; i < 10000; i += 7) {
        int n = snprintf(key, sizeof key, "k%d", i);
        int64_t *v = enc_smap_get(m, key, (size_t)n);
        CHECK(v && *v == i * 3);
    }
    CHECK(enc_smap_get(m, "nope", 4) == NULL);
    /* keys with embedded NUL and prefixes are distinct */
    bool added;
    enc_smap_put(m, "a\0b", 3, 1, &added);
    CHECK(added);
    enc_smap_put(m, "a", 1, 2, &added);
    CHECK(added);
    CHECK_INT(*enc_smap_get(m, "a\0b", 3), 1);
    enc_smap_free(m);
}

static void imap_insert_lookup(void)
{
    enc_imap *m = enc_imap_new(0);
    for (int64_t i = -5000; i < 5000; i++) *enc_imap_put(m, i * 1000003, 0, NULL) = i;
    CHECK_INT(enc_imap_count(m), 10000);
    CHECK_INT(*enc_imap_get(m, -4999 * 1000003LL), -4999);
    CHECK(enc_imap_get(m, 7) == NULL);
    enc_imap_free(m);
}

int main(void)
{
    RUN(smap_insert_lookup_grow);
    RUN(imap_insert_lookup);
    return TEST_SUMMARY();
}
