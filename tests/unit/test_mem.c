/* test_mem.c — src/base/mem.c: the arena (alignment, large blocks). */
#include "harness.h"
#include "base/mem.h"

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

int main(void)
{
    RUN(arena_alignment_and_big);
    return TEST_SUMMARY();
}
