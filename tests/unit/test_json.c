/* test_json.c — src/base/json.c: the JSON writer (nesting, escapes, numbers, money). */
#include "harness.h"
#include "base/buf.h"
#include "base/json.h"

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
    RUN(json_writer_nesting_and_escapes);
    return TEST_SUMMARY();
}
