/* test_basket.c — unit tests for src/recommend/basket: the label dictionary, baskets from arrays,
 * the basket-ws / basket-csv reader (byte-exact labels, bounds, errors with line numbers), and the
 * three shared basket files' published sizes. */
#include "harness.h"
#include "base/buf.h"
#include "base/mem.h"
#include "recommend/basket.h"

static enc_basket_set *read_str(const char *s, enc_basket_format f, enc_err *err)
{
    enc_basket_set *set = NULL;
    enc_rc rc = enc_basket_read_mem(s, strlen(s), f, "t", &set, err);
    return rc ? NULL : set;
}

/* basket b as "label|label|..." in id order */
static const char *basket_str(const enc_basket_set *s, int32_t b)
{
    static char out[1024];
    enc_basket_view v = enc_basket_get_view(s);
    size_t n = 0;
    out[0] = 0;
    for (int64_t i = v.off[b]; i < v.off[b + 1]; i++) {
        size_t len;
        const char *l = enc_basket_label(s, v.items[i], &len);
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%.*s", i > v.off[b] ? "|" : "", (int)len,
                              l);
    }
    return out;
}

static void ws_blanks_trailing_space_dups_and_empty_lines(void)
{
    enc_err err = {0};
    enc_basket_set *s = read_str("1 2 3 \n\t3  2\t3 1\r\n\n42", ENC_BASKET_WS, &err);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_INT(enc_basket_count(s), 4);
    CHECK_INT(enc_basket_item_count(s), 4);
    CHECK_STR(basket_str(s, 0), "1|2|3");
    CHECK_STR(basket_str(s, 1), "1|2|3"); /* duplicates once, order by id, CR dropped */
    CHECK_STR(basket_str(s, 2), "");      /* an empty line is an empty basket */
    CHECK_STR(basket_str(s, 3), "42");    /* last line without newline */
    CHECK_INT(enc_basket_source_format(s), ENC_BASKET_WS);
    int32_t freq[4];
    enc_basket_item_freq(s, freq);
    CHECK_INT(freq[enc_basket_find(s, "3", 1)], 2);
    CHECK_INT(freq[enc_basket_find(s, "42", 2)], 1);
    CHECK_INT(enc_basket_find(s, "4", 1), -1);
    enc_basket_free(s);
}

static void csv_labels_byte_exact(void)
{
    enc_err err = {0};
    enc_basket_set *s =
        read_str("cream cheese ,yogurt\ncream cheese,yogurt, yogurt\n", ENC_BASKET_CSV, &err);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_INT(enc_basket_count(s), 2);
    CHECK_INT(enc_basket_item_count(s),
              4); /* "cream cheese ", "yogurt", "cream cheese", " yogurt" */
    int32_t a = enc_basket_find(s, "cream cheese ", 13), b = enc_basket_find(s, "cream cheese", 12);
    CHECK(a >= 0 && b >= 0 && a != b);
    size_t len;
    const char *l = enc_basket_label(s, a, &len);
    CHECK_INT(len, 13);
    CHECK(l && memcmp(l, "cream cheese ", 13) == 0 && l[13] == 0);
    CHECK(enc_basket_find(s, " yogurt", 7) >= 0);
    enc_basket_free(s);
}

static void csv_trailing_comma_ok_empty_field_rejected(void)
{
    enc_err err = {0};
    enc_basket_set *s = read_str("a,b,\nc\n", ENC_BASKET_CSV, &err);
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(basket_str(s, 0), "a|b");
        enc_basket_free(s);
    }
    s = read_str("a,b\nc,,d\n", ENC_BASKET_CSV, &err);
    CHECK(s == NULL);
    CHECK_INT(err.rc, ENC_EPARSE);
    CHECK_STR(err.msg, "t:2:3: empty item");
    s = read_str("x\n,a\n", ENC_BASKET_CSV, &err);
    CHECK(s == NULL);
    CHECK_STR(err.msg, "t:2:1: empty item");
}

static void auto_detects_from_first_line(void)
{
    enc_err err = {0};
    enc_basket_set *s = read_str("a b,c\nd e\n", ENC_BASKET_AUTO, &err);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(enc_basket_source_format(s), ENC_BASKET_CSV);
        CHECK_STR(basket_str(s, 0), "a b|c");
        CHECK_STR(basket_str(s, 1), "d e"); /* one label with a space */
        enc_basket_free(s);
    }
    s = read_str("1 2\n3,4\n", ENC_BASKET_AUTO, &err);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(enc_basket_source_format(s), ENC_BASKET_WS);
        CHECK_STR(basket_str(s, 1), "3,4");
        enc_basket_free(s);
    }
    s = read_str("\r\n\nx y,z\n", ENC_BASKET_AUTO, &err); /* empty lines do not decide */
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(enc_basket_source_format(s), ENC_BASKET_CSV);
        CHECK_INT(enc_basket_count(s), 3);
        CHECK_STR(basket_str(s, 2), "x y|z");
        enc_basket_free(s);
    }
    CHECK_INT(enc_basket_detect("a,b", 3), ENC_BASKET_CSV);
    CHECK_INT(enc_basket_detect("\n\na,b", 5), ENC_BASKET_CSV);
    CHECK_INT(enc_basket_detect("a b\nc,d", 7), ENC_BASKET_WS);
    enc_basket_format f;
    CHECK(enc_basket_format_parse("basket-csv", &f) && f == ENC_BASKET_CSV);
    CHECK(enc_basket_format_parse("basket-ws", &f) && f == ENC_BASKET_WS);
    CHECK(!enc_basket_format_parse("tsv", &f));
}

static void bounds_line_label_nul(void)
{
    enc_err err = {0};
    size_t n = ENC_BASKET_LINE_MAX + 10;
    char *big = enc_xmalloc(n + 16);
    memcpy(big, "a b\n", 4);
    memset(big + 4, 'x', n);
    for (size_t i = 4; i < n; i += 100) big[i] = ' '; /* short labels, one long line */
    big[n + 4] = 0;
    enc_basket_set *s = read_str(big, ENC_BASKET_WS, &err);
    CHECK(s == NULL);
    CHECK_INT(err.rc, ENC_ELIMIT);
    CHECK(strstr(err.msg, "t:2: line longer than") != NULL);
    memset(big, 'y', ENC_BASKET_LABEL_MAX + 1);
    big[ENC_BASKET_LABEL_MAX + 1] = 0;
    s = read_str(big, ENC_BASKET_WS, &err);
    CHECK(s == NULL);
    CHECK_INT(err.rc, ENC_ELIMIT);
    CHECK(strstr(err.msg, "t:1:1: item label longer than") != NULL);
    free(big);
    s = NULL;
    CHECK(enc_basket_read_mem("a\nb\0c\n", 6, ENC_BASKET_WS, "t", &s, &err) == ENC_EPARSE);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "t:2: NUL byte") != NULL);
}

static void from_arrays_and_keys(void)
{
    enc_err err = {0};
    enc_basket_set *s = enc_basket_new();
    int32_t a = enc_basket_intern_key(s, 1001, &err), b = enc_basket_intern_key(s, -7, &err);
    int32_t c = enc_basket_intern(s, "sku-9", 5, &err);
    CHECK_INT(a, 0);
    CHECK_INT(b, 1);
    CHECK_INT(c, 2);
    CHECK_INT(enc_basket_intern_key(s, 1001, &err), 0); /* same key, same id */
    int32_t b1[] = {c, a, c, b};
    CHECK_INT(enc_basket_add(s, b1, 4, &err), ENC_OK);
    CHECK_INT(enc_basket_add(s, NULL, 0, &err), ENC_OK);
    int32_t bad[] = {a, 3};
    CHECK_INT(enc_basket_add(s, bad, 2, &err), ENC_EUSAGE);
    CHECK_INT(enc_basket_count(s), 2);
    CHECK_STR(basket_str(s, 0), "1001|-7|sku-9");
    CHECK_STR(basket_str(s, 1), "");
    CHECK_INT(enc_basket_source_format(s), ENC_BASKET_AUTO);
    enc_basket_free(s);
}

/* the streaming file reader sees lines across its read chunks: same set as from memory */
static void file_reader_matches_memory_reader(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/b.csv", th_tmpdir());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    enc_buf all = {0};
    uint64_t x = 88172645463325252ull;
    for (int line = 0; line < 60000; line++) {
        int k = line == 0 ? 3 : (int)(line % 13); /* the first line shows the commas */
        for (int i = 0; i < k; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            enc_buf_printf(&all, "%sitem %d", i ? "," : "", (int)(x % 500));
        }
        enc_buf_adds(&all, line % 7 == 0 ? "\r\n" : "\n");
    }
    fwrite(all.p, 1, all.len, f);
    fclose(f);
    enc_err err = {0};
    enc_basket_set *a = NULL, *b = NULL;
    CHECK_INT(enc_basket_read_file(path, ENC_BASKET_AUTO, &a, &err), ENC_OK);
    CHECK_INT(enc_basket_read_mem(all.p, all.len, ENC_BASKET_CSV, "m", &b, &err), ENC_OK);
    if (a && b) {
        enc_basket_view va = enc_basket_get_view(a), vb = enc_basket_get_view(b);
        CHECK_INT(va.n_baskets, 60000);
        CHECK_INT(va.n_baskets, vb.n_baskets);
        CHECK_INT(va.n_items, vb.n_items);
        CHECK_INT(va.off[va.n_baskets], vb.off[vb.n_baskets]);
        CHECK(memcmp(va.off, vb.off, ((size_t)va.n_baskets + 1) * sizeof *va.off) == 0);
        CHECK(memcmp(va.items, vb.items, (size_t)va.off[va.n_baskets] * sizeof *va.items) == 0);
    }
    enc_basket_free(a);
    enc_basket_free(b);
    enc_buf_free(&all);
    CHECK_INT(enc_basket_read_file("/nonexistent/x.dat", ENC_BASKET_AUTO, &a, &err), ENC_EIO);
    CHECK(strstr(err.msg, "/nonexistent/x.dat: ") == err.msg);
}

static void shared_basket_files_sizes(void)
{
    static const struct {
        const char *rel;
        int32_t baskets, items;
        enc_basket_format fmt;
    } files[] = {
        {"baskets/groceries_baskets.csv", 9835, 169, ENC_BASKET_CSV},
        {"baskets/retail.dat", 88162, 16470, ENC_BASKET_WS},
        {"baskets/BMS1.dat", 59602, 497, ENC_BASKET_WS},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        const char *p = th_data(files[i].rel);
        if (!p) continue;
        enc_err err = {0};
        enc_basket_set *s = NULL;
        CHECK_INT(enc_basket_read_file(p, ENC_BASKET_AUTO, &s, &err), ENC_OK);
        if (!s) continue;
        CHECK_INT(enc_basket_count(s), files[i].baskets);
        CHECK_INT(enc_basket_item_count(s), files[i].items);
        CHECK_INT(enc_basket_source_format(s), files[i].fmt);
        if (i == 0) {
            CHECK(enc_basket_find(s, "cream cheese ", 13) >= 0);
            CHECK(enc_basket_find(s, "roll products ", 14) >= 0);
            CHECK_INT(enc_basket_find(s, "cream cheese", 12), -1);
            int32_t *freq = enc_xmalloc(169 * sizeof *freq);
            enc_basket_item_freq(s, freq);
            CHECK_INT(freq[enc_basket_find(s, "whole milk", 10)], 2513); /* arules: 0.2555 * 9835 */
            free(freq);
        }
        enc_basket_free(s);
    }
}

int main(void)
{
    RUN(ws_blanks_trailing_space_dups_and_empty_lines);
    RUN(csv_labels_byte_exact);
    RUN(csv_trailing_comma_ok_empty_field_rejected);
    RUN(auto_detects_from_first_line);
    RUN(bounds_line_label_nul);
    RUN(from_arrays_and_keys);
    RUN(file_reader_matches_memory_reader);
    RUN(shared_basket_files_sizes);
    return TEST_SUMMARY();
}
