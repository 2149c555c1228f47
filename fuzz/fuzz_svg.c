/* fuzz_svg.c — libFuzzer target for the report's chart library (src/report/svg.c), which writes
 * text from the store (segment, category and stage names) into SVG. The input is split at '\n'
 * into labels; the first 8 bytes also give numbers (possibly NaN or infinite). Every chart kind
 * is drawn with them. Checks: the output is well-formed markup whatever the labels hold (tags
 * balance, '<' and '&' only start tags and the five entities, no control characters, valid
 * UTF-8), the escaper's output alone holds no markup at all, and ticks and bin edges keep their
 * promises (cover the range, ascend, a value lands in a bin). */
#include "report/svg.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Valid UTF-8 with no C0 control other than tab, newline and return. */
static int clean_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return 0;
            i++;
            continue;
        }
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (!len || c > 0xF4 || i + len > n) return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[i + 1] < 0xA0) return 0;
        if (c == 0xED && s[i + 1] > 0x9F) return 0;
        if (c == 0xF0 && s[i + 1] < 0x90) return 0;
        if (c == 0xF4 && s[i + 1] > 0x8F) return 0;
        i += len;
    }
    return 1;
}

/* Tags nest and balance; '&' starts one of the five entities; '>' only ends a tag. */
static int well_formed(const char *s)
{
    char stack[64][16];
    int depth = 0;
    const char *p = s;
    while (*p) {
        if (*p == '&') {
            static const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
            int ok = 0;
            for (int i = 0; i < 5; i++)
                if (!strncmp(p, ents[i], strlen(ents[i]))) ok = 1;
            if (!ok) return 0;
            p++;
            continue;
        }
        if (*p == '>') return 0;
        if (*p++ != '<') continue;
        int closing = *p == '/';
        if (closing) p++;
        const char *name = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) p++;
        size_t nl = (size_t)(p - name);
        if (!nl || nl > 15) return 0;
        int self = 0;
        while (*p && *p != '>') {
            if (*p == '"') {
                p++;
                while (*p && *p != '"' && *p != '<') p++;
                if (*p != '"') return 0;
            } else if (*p == '<') return 0;
            else if (*p == '/' && p[1] == '>') self = 1;
            p++;
        }
        if (!*p) return 0;
        p++;
        if (closing) {
            if (!depth || strlen(stack[depth - 1]) != nl || strncmp(stack[depth - 1], name, nl))
                return 0;
            depth--;
        } else if (!self) {
            if (depth == 64) return 0;
            memcpy(stack[depth], name, nl);
            stack[depth++][nl] = 0;
        }
    }
    return depth == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enc_buf b = {0};
    enc_buf_add(&b, "", 0);
    enc_svg_escape_n(&b, (const char *)data, size);
    if (strpbrk(b.p, "<>\"'") || !clean_utf8((const unsigned char *)b.p, b.len)) abort();
    for (const char *a = strchr(b.p, '&'); a; a = strchr(a + 1, '&'))
        if (strncmp(a, "&amp;", 5) && strncmp(a, "&lt;", 4) && strncmp(a, "&gt;", 4) &&
            strncmp(a, "&quot;", 6) && strncmp(a, "&#39;", 5))
            abort();
    enc_buf_reset(&b);

    /* labels: the input split at newlines (NUL-terminated copies), at most 12 */
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = 0;
    const char *labels[12];
    size_t n = 0;
    for (char *p = copy; n < 12;) {
        labels[n++] = p;
        char *nl = memchr(p, '\n', (size_t)(copy + size - p));
        if (!nl) break;
        *nl = 0;
        p = nl + 1;
    }
    /* numbers: from the first bytes, including NaN and infinities */
    double v[12];
    for (size_t i = 0; i < 12; i++) {
        uint64_t bits = 0;
        for (size_t k = 0; k < 8; k++)
            bits = bits << 8 | (size > (i + k) ? data[(i + k) % size] : 0);
        memcpy(&v[i], &bits, sizeof v[i]);
        if (i % 3 == 1) v[i] = (double)(bits % 100000) / 7.0; /* and some ordinary values */
    }
    enc_svg_chart c = {.id = labels[0],
                       .title = labels[n > 1 ? 1 : 0],
                       .desc = labels[0],
                       .x_label = labels[n - 1],
                       .y_label = labels[0],
                       .fmt = (enc_svg_fmt)(size % 2)};
    enc_svg_bar(&b, &c, true, n, labels, v, labels);
    enc_svg_bar(&b, &c, false, n, labels, v, NULL);
    enc_svg_heatmap(&b, &c, n / 3 ? n / 3 : 1, 3 <= n ? 3 : n, labels, labels, v);
    enc_svg_series s[2] = {{labels[0], v, 0, false}, {labels[n - 1], v + 1, 1, true}};
    enc_svg_line(&b, &c, n - 1, labels, 2, s);

    /* ticks and edges over the first two numbers as a range */
    double lo = fmin(v[0], v[1]), hi = fmax(v[0], v[1]);
    enc_svg_ticks t;
    enc_svg_ticks_make(lo, hi, 2 + (int)(size % 12), &t);
    if (isfinite(lo) && isfinite(hi) && hi - lo < 1e300 && fabs(lo) < 1e300 && fabs(hi) < 1e300) {
        if (t.n < 2 || t.n > ENC_SVG_MAX_TICKS || t.v[0] > lo || t.v[t.n - 1] < hi) abort();
    }
    double e[66], counts[66];
    for (int i = 0; i < 66; i++) counts[i] = v[i % 12];
    int nb = enc_svg_lin_edges(lo, hi, 2 + (int)(size % 40), e);
    if (nb > 0) {
        for (int i = 0; i < nb; i++)
            if (!(e[i] < e[i + 1])) abort();
        if (enc_svg_bin_of(e, nb, lo) < 0 || enc_svg_bin_of(e, nb, hi) < 0) abort();
        enc_svg_hist(&b, &c, (size_t)nb, e, counts, false);
    }
    nb = enc_svg_log_edges(lo, hi, e, 66);
    if (nb > 0) {
        if (enc_svg_bin_of(e, nb, lo) < 0 || enc_svg_bin_of(e, nb, hi) < 0) abort();
        enc_svg_hist(&b, &c, (size_t)nb, e, counts, true);
    }
    if (!well_formed(b.p) || !clean_utf8((const unsigned char *)b.p, b.len)) abort();
    free(copy);
    enc_buf_free(&b);
    return 0;
}
