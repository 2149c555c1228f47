/* test_buf.c — src/base/buf.c: growing buffers. */
#include "harness.h"
#include "base/buf.h"

static void buf_printf_grows(void)
{
    enc_buf b = {0};
    for (int i = 0; i < 1000; i++) enc_buf_printf(&b, "%d,", i);
    CHECK_INT(b.len, strlen(b.p));
    CHECK(strncmp(b.p, "0,1,2,", 6) == 0);
    CHECK(strstr(b.p, "999,") != NULL);
    enc_buf_free(&b);
}

int main(void)
{
    RUN(buf_printf_grows);
    return TEST_SUMMARY();
}
