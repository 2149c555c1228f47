/* test_base.c — unit tests for src/base: buffers, hash maps, arena, JSON writer. */
#include "harness.h"
#include "base/buf.h"
#include "base/json.h"
#include "base/map.h"
#include "base/mem.h"

static void buf_printf_grows(void)
{
    enc_buf b = {0};
    for (int i = 0; i < 1000; i++) enc_buf_printf(&b, "%d,", i);
    CHECK_INT(b.len, strlen(b.p));
    CHECK(strncmp(b.p, "0,1,2,", 6) == 0);
    CHECK(strstr(b.p, "999,") != NULL);
    enc_buf_free(&b);
}

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

static void arena_alignment_and_big(void)
{
    enc_arena *a = enc_arena_new(64);
    char *p = enc_arena_alloc(a, 3);
    char *q = enc_arena_alloc(a, 1000); /* bigger than a block */
    CHECK(((uintptr_t)p & 15) == 0 && ((uintptr_t)q & 15) == 0);
    memset(q, 1, 1000);
    CHECK_STR(enc_arena_strndup(a, "hello", 3), "hel");
    enc_arena_free(a);
}

static void json_writer_nesting_and_escapes(void)
{
    enc_buf b = {0};
    enc_jw w;
    enc_jw_init(&w, &b);
    enc_jw_obj(&w);
    enc_jw_kint(&w, "n", -3);
    enc_jw_kstr(&w, "s", "a\"b\\c\n\x01é");
    enc_jw_key(&w, "arr");
    enc_jw_arr(&w);
    enc_jw_num(&w, 0.1);
    enc_jw_num(&w, 1.0 / 0.0);
    enc_jw_money(&w, 891140790, 2);
    enc_jw_money(&w, -5, 2);
    enc_jw_obj(&w);
    enc_jw_end(&w);
    enc_jw_end(&w);
    enc_jw_kstr(&w, "null", NULL);
    enc_jw_end(&w);
    CHECK_STR(b.p,
              "{\"n\":-3,\"s\":\"a\\\"b\\\\c\\n\\u0001é\",\"arr\":[0.1,null,8911407.90,-0.05,{}],"
              "\"null\":null}");
    enc_buf_free(&b);
}

int main(void)
{
    RUN(buf_printf_grows);
    RUN(smap_insert_lookup_grow);
    RUN(imap_insert_lookup);
    RUN(arena_alignment_and_big);
    RUN(json_writer_nesting_and_escapes);
    return TEST_SUMMARY();
}
