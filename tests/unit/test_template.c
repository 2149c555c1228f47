/* test_template.c — message templates (values, fallbacks, sections, escaping, every compile
 * error with its position) and coupon codes (format, alphabet, uniqueness, check character). */
#include "harness.h"
#include "base/coupon.h"
#include "campaign/template.h"

static char *render(const char *src, const enc_tval *data, enc_tpl_escape esc)
{
    enc_tpl *t;
    enc_err err = {0};
    if (enc_tpl_compile(src, strlen(src), &t, &err)) {
        TH_FAIL("compile '%s': %s", src, err.msg);
        return strdup("");
    }
    enc_buf b = {0};
    enc_tpl_render(t, data, esc, &b);
    enc_tpl_free(t);
    return enc_buf_steal(&b);
}

#define CHECK_RENDER(src, data, esc, want)                                                         \
    do {                                                                                           \
        char *got_ = render(src, data, esc);                                                       \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)

static void values_fallbacks_sections(void)
{
    enc_arena *a = enc_arena_new(0);
    enc_tval *d = enc_tval_record(a);
    enc_tval_set(a, d, "name", "Ann");
    enc_tval_set(a, d, "coupon.code", "SAVE-ABCD-EFGH-JKLM");
    enc_tval_set(a, d, "empty", "");
    enc_tval *items = enc_tval_list(a, d, "items");
    enc_tval *i1 = enc_tval_push(a, items);
    enc_tval_set(a, i1, "name", "Lens");
    enc_tval_set(a, i1, "price", "99.00");
    enc_tval *i2 = enc_tval_push(a, items);
    enc_tval_set(a, i2, "price", "5.00");
    enc_tval_list(a, d, "none");

    CHECK_RENDER("Hi {{name}}!", d, ENC_ESC_NONE, "Hi Ann!");
    CHECK_RENDER("Hi {{ name }}, code {{coupon.code}}", d, ENC_ESC_NONE,
                 "Hi Ann, code SAVE-ABCD-EFGH-JKLM");
    CHECK_RENDER("Hi {{nick | \"friend\"}}", d, ENC_ESC_NONE, "Hi friend");
    CHECK_RENDER("[{{empty|\"x\\\"y\"}}]", d, ENC_ESC_NONE, "[x\"y]");
    CHECK_RENDER("[{{missing}}]", d, ENC_ESC_NONE, "[]");
    /* inside a section, the item's fields come first, the outer ones stay visible */
    CHECK_RENDER("{{#items}}{{name}}:{{price}};{{/items}}", d, ENC_ESC_NONE,
                 "Lens:99.00;Ann:5.00;");
    CHECK_RENDER("{{^none}}no picks{{/none}}{{#none}}x{{/none}}", d, ENC_ESC_NONE, "no picks");
    CHECK_RENDER("{{#name}}has {{name}}{{/name}}{{#empty}}no{{/empty}}", d, ENC_ESC_NONE,
                 "has Ann");
    CHECK_RENDER("a{{! a comment }}b", d, ENC_ESC_NONE, "ab");
    CHECK_RENDER("no tags at all {", d, ENC_ESC_NONE, "no tags at all {");
    CHECK_RENDER("", d, ENC_ESC_NONE, "");

    /* names the template uses, with section prefixes */
    enc_tpl *t;
    enc_err err;
    const char *src = "{{name}}{{#items}}{{sku}}{{name}}{{/items}}{{coupon.code}}";
    CHECK_INT(enc_tpl_compile(src, strlen(src), &t, &err), ENC_OK);
    const char **names;
    size_t n = enc_tpl_names(t, &names);
    CHECK_INT(n, 5);
    if (n == 5) {
        CHECK_STR(names[0], "name");
        CHECK_STR(names[1], "items");
        CHECK_STR(names[2], "items.sku");
        CHECK_STR(names[3], "items.name");
        CHECK_STR(names[4], "coupon.code");
    }
    enc_tpl_free(t);
    enc_arena_free(a);
}

static void escaping_per_channel(void)
{
    enc_arena *a = enc_arena_new(0);
    enc_tval *d = enc_tval_record(a);
    enc_tval_set(a, d, "name", "<script>alert('x')</script> & \"co\"\x01\x7f");
    enc_tval_set(a, d, "zh", "张三");
    CHECK_RENDER("<p>{{name}}</p>", d, ENC_ESC_HTML,
                 "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</p>");
    CHECK_RENDER("{{name}}", d, ENC_ESC_NONE, "<script>alert('x')</script> & \"co\"");
    CHECK_RENDER("<b>{{zh}}</b>", d, ENC_ESC_HTML, "<b>张三</b>");
    CHECK_RENDER("{{nick|\"<b>\"}}", d, ENC_ESC_HTML, "&lt;b&gt;");
    enc_arena_free(a);
}

static void compile_errors_name_the_place(void)
{
    struct {
        const char *src, *msg;
    } cases[] = {
        {"Hi {{ }}", "line 1, column 7: expected a name"},
        {"Hi {{9x}}", "line 1, column 6: expected a name"},
        {"Hi\n  {{name", "line 2, column 9: expected '}}'"},
        {"{{name | fallback}}", "line 1, column 10: expected a quoted fallback after '|'"},
        {"{{name | \"open}}", "line 1, column 10: unterminated fallback string"},
        {"{{#items}}x", "line 1, column 1: unclosed section 'items': expected '{{/items}}'"},
        {"x{{/items}}", "line 1, column 2: '{{/items}}' closes no open section"},
        {"{{#a}}{{/b}}", "line 1, column 7: '{{/b}}' does not close the open section 'a'"},
        {"{{#a | \"x\"}}{{/a}}", "line 1, column 6: a section takes no fallback"},
        {"{{! never closed", "line 1, column 1: unclosed comment: expected '}}'"},
        {"张三{{ }}", "line 1, column 6: expected a name"},
        {"{{#a}}{{#b}}{{#c}}{{#d}}{{#e}}{{#f}}{{#g}}{{#h}}{{#i}}",
         "line 1, column 49: sections nested too deep"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        enc_tpl *t = NULL;
        enc_err err = {0};
        CHECK_INT(enc_tpl_compile(cases[i].src, strlen(cases[i].src), &t, &err), ENC_EPARSE);
        if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
            TH_FAIL("'%s': got '%s', want '%s'", cases[i].src, err.msg, cases[i].msg);
        CHECK(t == NULL);
    }
    char *big = malloc(ENC_TPL_MAX_SOURCE + 2);
    memset(big, 'x', ENC_TPL_MAX_SOURCE + 1);
    big[ENC_TPL_MAX_SOURCE + 1] = 0;
    enc_tpl *t;
    enc_err err;
    CHECK_INT(enc_tpl_compile(big, strlen(big), &t, &err), ENC_ELIMIT);
    free(big);
}

static void coupon_codes(void)
{
    char code[ENC_COUPON_MAX], norm[ENC_COUPON_MAX];
    enc_err err;
    CHECK_INT(enc_coupon_make("WB", 11, code, &err), ENC_OK);
    /* WB-XXXX-XXXX-XXXC */
    CHECK_INT(strlen(code), 17);
    CHECK(code[2] == '-' && code[7] == '-' && code[12] == '-');
    CHECK(enc_coupon_check(code, 2, norm));
    CHECK_INT(strlen(norm), 14);
    /* what customers type: lower case, spaces, no dashes */
    char typed[64];
    size_t o = 0;
    for (const char *p = code; *p; p++)
        if (*p != '-') typed[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    typed[o] = 0;
    CHECK(enc_coupon_check(typed, 2, norm));
    /* every single mistyped character is caught */
    char body[ENC_COUPON_MAX];
    CHECK_INT(enc_coupon_make("", 12, code, &err), ENC_OK);
    CHECK(enc_coupon_check(code, 0, body));
    size_t n = strlen(body);
    int missed = 0;
    for (size_t i = 0; i < n; i++) {
        for (const char *a = ENC_COUPON_ALPHABET; *a; a++) {
            if (*a == body[i]) continue;
            char m[ENC_COUPON_MAX], out[ENC_COUPON_MAX];
            memcpy(m, body, n + 1);
            m[i] = *a;
            if (enc_coupon_check(m, 0, out)) missed++;
        }
    }
    CHECK_INT(missed, 0);
    /* every swap of two different characters is caught */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (body[i] == body[j]) continue;
            char m[ENC_COUPON_MAX], out[ENC_COUPON_MAX];
            memcpy(m, body, n + 1);
            m[i] = body[j];
            m[j] = body[i];
            if (enc_coupon_check(m, 0, out)) missed++;
        }
    CHECK_INT(missed, 0);
    /* ambiguous look-alikes never appear; unknown characters are rejected */
    for (int k = 0; k < 2000; k++) {
        CHECK_INT(enc_coupon_make("", 8, code, &err), ENC_OK);
        CHECK(strpbrk(code, "01ILO") == NULL);
    }
    CHECK(!enc_coupon_check("ABCD-EFGH-0", 0, norm));
    CHECK_INT(enc_coupon_make("bad!", 8, code, &err), ENC_EUSAGE);
    CHECK_INT(enc_coupon_make("", 4, code, &err), ENC_EUSAGE);
}

static void coupon_codes_unique(void)
{
    /* 200,000 codes of 12 random characters: by chance two would be equal with probability
     * M^2 / (2 * 31^12) ~ 3e-8, so any duplicate means a broken generator */
    enum { M = 200000 };
    char(*codes)[24] = malloc(sizeof(*codes) * M);
    enc_err err;
    for (int i = 0; i < M; i++) enc_coupon_make("", 12, codes[i], &err);
    qsort(codes, M, sizeof *codes, (int (*)(const void *, const void *))strcmp);
    int dup = 0;
    for (int i = 1; i < M; i++) dup += strcmp(codes[i - 1], codes[i]) == 0;
    CHECK_INT(dup, 0);
    /* characters are spread over the alphabet (chi-square, 30 degrees of freedom) */
    long count[128] = {0};
    long total = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; codes[i][j]; j++)
            if (codes[i][j] != '-') count[(int)codes[i][j]]++, total++;
    double chi = 0, e = 0;
    for (const char *a = ENC_COUPON_ALPHABET; *a; a++) e += 1;
    e = (double)total / e;
    /* only the 8 random characters are uniform; the check character is too (it is a
     * bijection of the others' sum), so all positions count */
    for (const char *a = ENC_COUPON_ALPHABET; *a; a++)
        chi += (count[(int)*a] - e) * (count[(int)*a] - e) / e;
    CHECK(chi < 70); /* p < 1e-4 for 30 d.o.f. */
    free(codes);
}

int main(void)
{
    RUN(values_fallbacks_sections);
    RUN(escaping_per_channel);
    RUN(compile_errors_name_the_place);
    RUN(coupon_codes);
    RUN(coupon_codes_unique);
    return TEST_SUMMARY();
}
