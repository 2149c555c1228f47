/* test_svg.c — the report's chart library (src/report/svg.c): XML escaping (hostile and broken
 * text, round-tripped through Python's XML parser), nice ticks and bin edges (fixed cases and
 * properties over random ranges), value formats, and every chart kind with empty data, one
 * value and NaN/inf values, each output parsed as XML by an independent parser. */
#include "harness.h"
#include "py_oracle.h"
#include "report/svg.h"
#include <math.h>
#include <stdint.h>

/* ---- helpers --------------------------------------------------------------------------------- */

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)); p += k) n++;
    return n;
}

static char *escaped(const char *s, size_t n)
{
    enc_buf b = {0};
    enc_buf_add(&b, "", 0);
    enc_svg_escape_n(&b, s, n);
    return enc_buf_steal(&b);
}

/* A small independent well-formedness check: tags nest and balance, attribute values are
 * quoted, '<' never appears in text, '&' only starts a known entity, no <script>. */
static int xml_ok(const char *s, char *why, size_t cap)
{
    const char *stack[64];
    size_t lens[64];
    int depth = 0;
    const char *p = s;
    while (*p) {
        if (*p == '&') {
            const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
            int ok = 0;
            for (int i = 0; i < 5; i++)
                if (strncmp(p, ents[i], strlen(ents[i])) == 0) ok = 1;
            if (!ok) return snprintf(why, cap, "bare & at %ld", (long)(p - s)), 0;
            p++;
            continue;
        }
        if (*p == '>') return snprintf(why, cap, "bare > at %ld", (long)(p - s)), 0;
        if (*p != '<') {
            p++;
            continue;
        }
        p++;
        int closing = *p == '/';
        if (closing) p++;
        const char *name = p;
        while (*p && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) p++;
        size_t nlen = (size_t)(p - name);
        if (!nlen) return snprintf(why, cap, "bad tag at %ld", (long)(name - s)), 0;
        if (strncmp(name, "script", 6) == 0) return snprintf(why, cap, "script element"), 0;
        int self = 0;
        while (*p && *p != '>') {
            if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '<') return snprintf(why, cap, "< in attribute"), 0;
                    p++;
                }
                if (!*p) return snprintf(why, cap, "unterminated attribute"), 0;
            } else if (*p == '=' && p[1] != '"') {
                return snprintf(why, cap, "unquoted attribute at %ld", (long)(p - s)), 0;
            } else if (*p == '/' && p[1] == '>') self = 1;
            else if (*p == '<')
                return snprintf(why, cap, "< inside a tag at %ld", (long)(p - s)), 0;
            p++;
        }
        if (!*p) return snprintf(why, cap, "unterminated tag"), 0;
        p++;
        if (closing) {
            if (!depth || lens[depth - 1] != nlen || strncmp(stack[depth - 1], name, nlen))
                return snprintf(why, cap, "</%.*s> closes nothing open", (int)nlen, name), 0;
            depth--;
        } else if (!self) {
            if (depth == 64) return snprintf(why, cap, "too deep"), 0;
            stack[depth] = name;
            lens[depth++] = nlen;
        }
    }
    if (depth)
        return snprintf(why, cap, "<%.*s> left open", (int)lens[depth - 1], stack[depth - 1]), 0;
    return 1;
}

#define CHECK_XML(s)                                                                               \
    do {                                                                                           \
        char th_why[128];                                                                          \
        if (!xml_ok((s), th_why, sizeof th_why)) TH_FAIL("not well-formed: %s", th_why);           \
    } while (0)

/* marks = elements with a tooltip (<title> without an id: the chart's own title has one) */
static size_t marks(const char *svg) { return count_str(svg, "<title>"); }

/* ---- escaping -------------------------------------------------------------------------------- */

static void test_escape_hostile(void)
{
    const char *h = "</svg><script>alert(\"x\")</script>&amp;'";
    char *e = escaped(h, strlen(h));
    CHECK_STR(e, "&lt;/svg&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;&#39;");
    free(e);
    /* Chinese and other valid UTF-8 pass unchanged */
    const char *zh = "重要价值客户 · Ünïcødé 🎉";
    e = escaped(zh, strlen(zh));
    CHECK_STR(e, zh);
    free(e);
    /* tab, newline and return stay; other controls (and NUL inside the length) are dropped */
    e = escaped("a\tb\nc\rd\x01"
                "e\x1f"
                "f\0g",
                13);
    CHECK_STR(e, "a\tb\nc\rdefg");
    free(e);
    enc_buf b = {0};
    enc_buf_add(&b, "", 0);
    enc_svg_escape(&b, NULL);
    CHECK_INT(b.len, 0);
    enc_buf_free(&b);
}

static void test_escape_invalid_utf8(void)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"a\xff"
         "b",
         "a\xEF\xBF\xBD"
         "b"},                                                    /* never valid byte */
        {"\xc0\xaf", "\xEF\xBF\xBD\xEF\xBF\xBD"},                 /* overlong '/' */
        {"\xe0\x80\xaf", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* overlong, 3 bytes */
        {"\xed\xa0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* UTF-16 surrogate */
        {"\xf4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* > U+10FFFF */
        {"x\xe4\xb8", "x\xEF\xBF\xBD\xEF\xBF\xBD"}, /* truncated 中 */
        {"\xe4\xb8\xad", "\xe4\xb8\xad"},           /* 中 */
        {"\xef\xbf\xbe!", "!"},                     /* U+FFFE is not an XML Char */
        {"\xf0\x9f\x8e\x89", "\xf0\x9f\x8e\x89"},   /* U+1F389 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *e = escaped(cases[i].in, strlen(cases[i].in));
        CHECK_STR(e, cases[i].out);
        free(e);
    }
}

static void test_text_width(void)
{
    CHECK_NEAR(enc_svg_text_width("", 12), 0, 1e-12);
    CHECK_NEAR(enc_svg_text_width(NULL, 12), 0, 1e-12);
    double zh = enc_svg_text_width("重要价值", 12), en = enc_svg_text_width("abcd", 12);
    CHECK_NEAR(zh, 48, 1e-9); /* four wide characters, one em each */
    CHECK(en < zh && en > 12);
    CHECK_NEAR(enc_svg_text_width("abcd", 24), 2 * en, 1e-9);
}

/* ---- numbers --------------------------------------------------------------------------------- */

static void test_fmt_value(void)
{
    char s[64];
    struct {
        double v;
        enc_svg_fmt f;
        const char *want;
    } cases[] = {
        {0, ENC_SVG_NUM, "0"},          {7, ENC_SVG_NUM, "7"},
        {1234, ENC_SVG_NUM, "1,234"},   {-1234567, ENC_SVG_NUM, "-1.23M"},
        {99999, ENC_SVG_NUM, "99,999"}, {123456, ENC_SVG_NUM, "123k"},
        {2.5, ENC_SVG_NUM, "2.50"},     {12.26, ENC_SVG_NUM, "12.3"},
        {456.7, ENC_SVG_NUM, "457"},    {0.253, ENC_SVG_PCT, "25.3%"},
        {1, ENC_SVG_PCT, "100.0%"},     {NAN, ENC_SVG_NUM, "n/a"},
        {INFINITY, ENC_SVG_PCT, "n/a"}, {-0.0001, ENC_SVG_NUM, "-0.00"},
        {2.5e9, ENC_SVG_NUM, "2.5B"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        enc_svg_fmt_value(s, sizeof s, cases[i].v, cases[i].f);
        if (strcmp(cases[i].want, "-0.00") == 0) CHECK_STR(s, "0.00"); /* no "-0" */
        else CHECK_STR(s, cases[i].want);
    }
}

static void test_ticks_fixed(void)
{
    enc_svg_ticks t;
    char s[64];
    enc_svg_ticks_make(0, 95, 6, &t);
    CHECK_INT(t.n, 6);
    CHECK_NEAR(t.step, 20, 1e-12);
    CHECK_NEAR(t.v[0], 0, 1e-12);
    CHECK_NEAR(t.v[5], 100, 1e-12);

    enc_svg_ticks_make(0, 1, 6, &t);
    CHECK_INT(t.n, 6);
    CHECK_INT(t.decimals, 1);
    enc_svg_fmt_tick(s, sizeof s, &t, t.v[3], ENC_SVG_NUM);
    CHECK_STR(s, "0.6"); /* not 0.6000000000000001 */
    enc_svg_fmt_tick(s, sizeof s, &t, t.v[3], ENC_SVG_PCT);
    CHECK_STR(s, "60%");

    enc_svg_ticks_make(-3, 7, 5, &t);
    CHECK(t.v[0] <= -3 && t.v[t.n - 1] >= 7);
    int zero = 0;
    for (int i = 0; i < t.n; i++) zero += t.v[i] == 0;
    CHECK_INT(zero, 1); /* an exact 0 tick, not -1e-16 */

    enc_svg_ticks_make(0, 48000, 5, &t);
    enc_svg_fmt_tick(s, sizeof s, &t, t.v[1], ENC_SVG_NUM);
    CHECK_STR(s, "10k");
    enc_svg_ticks_make(0, 2500, 5, &t); /* Heckbert's loose labels: step 1000 */
    enc_svg_fmt_tick(s, sizeof s, &t, t.v[t.n - 1], ENC_SVG_NUM);
    CHECK_STR(s, "3,000");
    enc_svg_ticks_make(0, 2400, 12, &t); /* step 500 */
    enc_svg_fmt_tick(s, sizeof s, &t, t.v[t.n - 1], ENC_SVG_NUM);
    CHECK_STR(s, "2,500");

    /* one value, zero, reversed, non-finite */
    enc_svg_ticks_make(5, 5, 5, &t);
    CHECK(t.n >= 2 && t.v[0] < 5 && t.v[t.n - 1] > 5);
    enc_svg_ticks_make(0, 0, 5, &t);
    CHECK(t.n >= 2);
    CHECK_NEAR(t.v[0], 0, 1e-12);
    CHECK_NEAR(t.v[t.n - 1], 1, 1e-12);
    enc_svg_ticks_make(10, 0, 5, &t);
    CHECK(t.n >= 2 && t.v[0] <= 0 && t.v[t.n - 1] >= 10);
    enc_svg_ticks_make(NAN, 1, 5, &t);
    CHECK_INT(t.n, 0);
    enc_svg_ticks_make(0, INFINITY, 5, &t);
    CHECK_INT(t.n, 0);
    enc_svg_ticks_make(-1e308, 1e308, 5, &t); /* hi - lo overflows */
    CHECK_INT(t.n, 0);
    enc_svg_ticks_make(0, 1.7e308, 5, &t); /* the top tick would pass DBL_MAX */
    CHECK_INT(t.n, 0);
    /* a narrow range far from 0: the step widens until tick indices count exactly */
    enc_svg_ticks_make(1e20, 1e20 + 65536, 5, &t);
    CHECK(t.n >= 2 && t.v[0] <= 1e20 && t.v[t.n - 1] >= 1e20 + 65536);
}

/* step is 1, 2 or 5 times a power of ten */
static int is_nice(double step)
{
    double e = floor(log10(step) + 1e-9);
    double f = step / pow(10, e);
    return fabs(f - 1) < 1e-9 || fabs(f - 2) < 1e-9 || fabs(f - 5) < 1e-9;
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}
static double unif(uint64_t *s) { return (double)lcg(s) / 9007199254740992.0; }

static void test_ticks_properties(void)
{
    uint64_t seed = 42;
    int bad = 0;
    for (int k = 0; k < 20000; k++) {
        double scale = pow(10, unif(&seed) * 16 - 8);
        double lo = (unif(&seed) - 0.5) * scale, hi = lo + unif(&seed) * scale;
        int target = 2 + (int)(unif(&seed) * 12);
        enc_svg_ticks t;
        enc_svg_ticks_make(lo, hi, target, &t);
        int ok = t.n >= 2 && t.n <= ENC_SVG_MAX_TICKS && is_nice(t.step) &&
                 t.v[0] <= lo + 1e-9 * fabs(lo) && t.v[t.n - 1] >= hi - 1e-9 * fabs(hi);
        for (int i = 1; ok && i < t.n; i++)
            ok = fabs(t.v[i] - t.v[i - 1] - t.step) <= 1e-6 * t.step;
        /* the labels of neighbouring ticks differ (enough decimals) */
        char a[64], b[64];
        for (int i = 1; ok && i < t.n; i++) {
            enc_svg_fmt_tick(a, sizeof a, &t, t.v[i - 1], ENC_SVG_NUM);
            enc_svg_fmt_tick(b, sizeof b, &t, t.v[i], ENC_SVG_NUM);
            ok = strcmp(a, b) != 0;
        }
        if (!ok && bad++ < 5)
            TH_FAIL("ticks of [%.17g, %.17g] target %d: n %d step %g", lo, hi, target, t.n, t.step);
    }
    CHECK_INT(bad, 0);
}

/* ---- bins ------------------------------------------------------------------------------------ */

static void test_lin_edges(void)
{
    double e[70];
    int nb = enc_svg_lin_edges(0, 100, 10, e);
    CHECK_INT(nb, 10);
    CHECK_NEAR(e[0], 0, 1e-12);
    CHECK_NEAR(e[10], 100, 1e-12);
    CHECK_INT(enc_svg_bin_of(e, nb, 100), 9); /* the last bin is closed */

    nb = enc_svg_lin_edges(0.3, 0.97, 20, e); /* width 0.05 from 0.30 to 1.00 */
    CHECK_INT(nb, 14);
    CHECK(e[0] == 0.3 && e[14] == 1.0); /* exactly the decimals, no 0.30000000000000004 */
    CHECK_INT(enc_svg_bin_of(e, nb, 0.3), 0);

    nb = enc_svg_lin_edges(0, 1, 20, e); /* churn risk: 20 bins of 0.05 */
    CHECK_INT(nb, 20);
    CHECK_NEAR(e[1], 0.05, 1e-12);

    nb = enc_svg_lin_edges(5, 5, 10, e); /* one value: one bin holding it */
    CHECK_INT(nb, 1);
    CHECK_INT(enc_svg_bin_of(e, nb, 5), 0);
    nb = enc_svg_lin_edges(0, 0, 10, e);
    CHECK_INT(nb, 1);
    CHECK_INT(enc_svg_bin_of(e, nb, 0), 0);
    nb = enc_svg_lin_edges(-7.5, -7.5, 10, e);
    CHECK_INT(nb, 1);
    CHECK_INT(enc_svg_bin_of(e, nb, -7.5), 0);

    CHECK_INT(enc_svg_lin_edges(NAN, 1, 10, e), 0);
    CHECK_INT(enc_svg_lin_edges(0, INFINITY, 10, e), 0);
    CHECK_INT(enc_svg_lin_edges(2, 1, 10, e), 0);
    CHECK_INT(enc_svg_lin_edges(0, 1, 1, e), 0);
    CHECK_INT(enc_svg_lin_edges(0, 1, 65, e), 0);
    CHECK_INT(enc_svg_lin_edges(-1e308, 1e308, 10, e), 0);
    CHECK_INT(enc_svg_lin_edges(5e-324, 5e-324, 10, e), 0);
    nb = enc_svg_lin_edges(1e20, 1e20 + 65536, 10, e); /* terminates; holds both ends */
    CHECK(nb >= 1 && enc_svg_bin_of(e, nb, 1e20) >= 0 && enc_svg_bin_of(e, nb, 1e20 + 65536) >= 0);

    /* properties: equal nice widths, at most max_bins, every value of [lo, hi] in a bin */
    uint64_t seed = 7;
    int bad = 0;
    for (int k = 0; k < 20000; k++) {
        double scale = pow(10, unif(&seed) * 12 - 6);
        double lo = (unif(&seed) - 0.3) * scale, hi = lo + unif(&seed) * scale;
        int maxb = 2 + (int)(unif(&seed) * 40);
        nb = enc_svg_lin_edges(lo, hi, maxb, e);
        int ok = nb >= 1 && nb <= maxb && e[0] <= lo && e[nb] >= hi;
        double w = e[1] - e[0];
        for (int i = 1; ok && i <= nb; i++) ok = fabs(e[i] - e[i - 1] - w) <= 1e-6 * w;
        ok = ok && is_nice(w);
        for (int j = 0; ok && j < 20; j++) {
            double v = lo + (hi - lo) * j / 19.0;
            int b = enc_svg_bin_of(e, nb, v);
            ok = b >= 0 && e[b] <= v && (v < e[b + 1] || (b == nb - 1 && v <= e[nb]));
        }
        if (!ok && bad++ < 5) TH_FAIL("edges of [%.17g, %.17g] max %d: %d bins", lo, hi, maxb, nb);
    }
    CHECK_INT(bad, 0);
}

static void test_log_edges(void)
{
    double e[64];
    int nb = enc_svg_log_edges(3, 870, e, 64);
    double want[] = {2, 5, 10, 20, 50, 100, 200, 500, 1000};
    CHECK_INT(nb, 8);
    for (int i = 0; i <= nb && i < 9; i++) CHECK_NEAR(e[i], want[i], 1e-9);

    nb = enc_svg_log_edges(1000, 1000, e, 64); /* exactly on an edge; log10 rounds below 3 */
    CHECK_INT(nb, 1);
    CHECK_NEAR(e[0], 1000, 1e-9);
    CHECK_NEAR(e[1], 2000, 1e-9);
    nb = enc_svg_log_edges(0.013, 0.5, e, 64);
    CHECK_NEAR(e[0], 0.01, 1e-12);
    CHECK_NEAR(e[nb], 0.5, 1e-12);
    CHECK_INT(nb, 5);

    CHECK_INT(enc_svg_log_edges(0, 10, e, 64), 0);
    CHECK_INT(enc_svg_log_edges(-1, 10, e, 64), 0);
    CHECK_INT(enc_svg_log_edges(1, NAN, e, 64), 0);
    CHECK_INT(enc_svg_log_edges(1, 1e30, e, 8), 0); /* would need more edges than cap */

    uint64_t seed = 3;
    int bad = 0;
    for (int k = 0; k < 5000; k++) {
        double lo = pow(10, unif(&seed) * 10 - 4), hi = lo * pow(10, unif(&seed) * 6);
        nb = enc_svg_log_edges(lo, hi, e, 64);
        int ok = nb >= 1 && e[0] <= lo && e[nb] >= hi && e[1] > lo && e[nb - 1] < hi;
        for (int i = 1; ok && i <= nb; i++) ok = is_nice(e[i]) && e[i] > e[i - 1];
        if (!ok && bad++ < 5) TH_FAIL("log edges of [%.17g, %.17g]: %d bins", lo, hi, nb);
    }
    CHECK_INT(bad, 0);
}

static void test_bin_of(void)
{
    double e[] = {0, 10, 20};
    CHECK_INT(enc_svg_bin_of(e, 2, 0), 0);
    CHECK_INT(enc_svg_bin_of(e, 2, 9.999), 0);
    CHECK_INT(enc_svg_bin_of(e, 2, 10), 1);
    CHECK_INT(enc_svg_bin_of(e, 2, 20), 1);
    CHECK_INT(enc_svg_bin_of(e, 2, 20.001), -1);
    CHECK_INT(enc_svg_bin_of(e, 2, -0.001), -1);
    CHECK_INT(enc_svg_bin_of(e, 2, NAN), -1);
    CHECK_INT(enc_svg_bin_of(e, 2, INFINITY), -1);
    CHECK_INT(enc_svg_bin_of(e, 0, 5), -1);
}

/* ---- charts ---------------------------------------------------------------------------------- */

static const char *HOSTILE = "</svg><script>alert(1)</script>&\"'";

static void test_bar(void)
{
    const char *labels[] = {"Champions", HOSTILE, "重要价值客户", "Lost"};
    double v[] = {120, 3, 45, 0};
    const char *notes[] = {"120 · 40.0%", NULL, NULL, NULL};
    for (int h = 0; h < 2; h++) {
        enc_buf b = {0};
        enc_svg_chart c = {.id = "seg<x>",
                           .title = HOSTILE,
                           .desc = "Customers per segment",
                           .x_label = "customers",
                           .y_label = "segment"};
        enc_svg_bar(&b, &c, h, 4, labels, v, notes);
        CHECK_XML(b.p);
        CHECK(strstr(b.p, "<script") == NULL);
        CHECK(strstr(b.p, "&lt;/svg&gt;&lt;script&gt;") != NULL);
        CHECK(strstr(b.p, "id=\"seg_x_\"") != NULL);
        CHECK(strstr(b.p, "重要价值客户") != NULL);
        CHECK(strstr(b.p, "120 · 40.0%") != NULL);
        CHECK_INT(marks(b.p), 4);
        CHECK_INT(count_str(b.p, "<svg"), 1);
        enc_buf_free(&b);
    }
}

static void test_bar_edge_cases(void)
{
    enc_svg_chart c = {.id = "e", .title = "Empty"};
    enc_buf b = {0};
    enc_svg_bar(&b, &c, true, 0, NULL, NULL, NULL);
    CHECK_XML(b.p);
    CHECK(strstr(b.p, "no data") != NULL);
    CHECK_INT(marks(b.p), 0);
    enc_buf_reset(&b);

    double allbad[] = {NAN, INFINITY, -INFINITY};
    const char *l3[] = {"a", "b", "c"};
    enc_svg_bar(&b, &c, false, 3, l3, allbad, NULL);
    CHECK(strstr(b.p, "no data") != NULL);
    enc_buf_reset(&b);

    double one[] = {7};
    enc_svg_bar(&b, &c, false, 1, NULL, one, NULL);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), 1);
    CHECK(strstr(b.p, ": 7</title>") != NULL);
    CHECK(strstr(b.p, "no data") == NULL);
    enc_buf_reset(&b);

    double some[] = {1, NAN, INFINITY, 3};
    const char *l4[] = {"a", "b", "c", "d"};
    for (int h = 0; h < 2; h++) {
        enc_svg_bar(&b, &c, h, 4, l4, some, NULL);
        CHECK_XML(b.p);
        CHECK_INT(marks(b.p), 2); /* NaN and inf draw no bar */
        CHECK(strstr(b.p, "nan") == NULL && strstr(b.p, "inf") == NULL);
        enc_buf_reset(&b);
    }

    /* narrow vertical bars: notes too wide for the slots give way to the bare values */
    double big[] = {54207, 22222, 39771, 11003, 6829, 35766, 26077};
    const char *l7[] = {"prospect", "new", "growing", "mature", "declining", "dormant", "churned"};
    const char *n7[] = {"54,207 · 27.7%", "22,222 · 11.3%", "39,771 · 20.3%", "11,003 · 5.6%",
                        "6,829 · 3.5%",   "35,766 · 18.3%", "26,077 · 13.3%"};
    enc_svg_chart narrow = {.id = "n", .title = "Stages", .width = 420};
    enc_svg_bar(&b, &narrow, false, 7, l7, big, n7);
    CHECK_XML(b.p);
    CHECK(strstr(b.p, ">54,207 · 27.7%</text>") == NULL);
    CHECK(strstr(b.p, ">54,207</text>") != NULL);
    CHECK(strstr(b.p, "<title>prospect: 54,207 · 27.7%</title>") != NULL);
    enc_buf_reset(&b);
    narrow.width = 1400; /* wide enough: the notes themselves */
    enc_svg_bar(&b, &narrow, false, 7, l7, big, n7);
    CHECK(strstr(b.p, ">54,207 · 27.7%</text>") != NULL);
    enc_buf_reset(&b);

    double huge[] = {-1e308, 1e308}; /* no axis can span them: no data rather than NaN */
    enc_svg_bar(&b, &c, true, 2, l4, huge, NULL);
    CHECK(strstr(b.p, "no data") != NULL);
    CHECK(strstr(b.p, "nan") == NULL);
    enc_buf_reset(&b);

    double neg[] = {-5, 10};
    enc_svg_bar(&b, &c, true, 2, l4, neg, NULL);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), 2);
    CHECK(strstr(b.p, "-5") != NULL);
    enc_buf_free(&b);
}

static void test_hist(void)
{
    double e[32], counts[31];
    int nb = enc_svg_lin_edges(0, 1, 20, e);
    for (int i = 0; i < nb; i++) counts[i] = i * 3;
    counts[4] = NAN;
    counts[5] = INFINITY;
    enc_svg_chart c = {
        .id = "h", .title = "Churn risk", .x_label = "P(churn)", .y_label = "customers"};
    enc_buf b = {0};
    enc_svg_hist(&b, &c, (size_t)nb, e, counts, false);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), 17); /* bins 1..19 minus the NaN and inf ones (bin 0 is empty) */
    CHECK(strstr(b.p, "[0.95, 1.00]: 57</title>") != NULL); /* the last bin is closed */
    CHECK(strstr(b.p, "[0.30, 0.35): 18</title>") != NULL);
    enc_buf_reset(&b);

    nb = enc_svg_log_edges(0.7, 12000, e, 32);
    for (int i = 0; i < nb; i++) counts[i] = 100 - i;
    enc_svg_hist(&b, &c, (size_t)nb, e, counts, true);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), nb);
    CHECK(strstr(b.p, "[10k, 20k]") != NULL);
    enc_buf_reset(&b);

    /* no bins, bad edges, log axis through zero */
    enc_svg_hist(&b, &c, 0, e, counts, false);
    CHECK(strstr(b.p, "no data") != NULL);
    enc_buf_reset(&b);
    double bad[] = {0, 1, 1};
    enc_svg_hist(&b, &c, 2, bad, counts, false);
    CHECK(strstr(b.p, "no data") != NULL);
    enc_buf_reset(&b);
    double z[] = {0, 1, 2};
    enc_svg_hist(&b, &c, 2, z, counts, true);
    CHECK(strstr(b.p, "no data") != NULL);
    enc_buf_reset(&b);
    /* one bin */
    double one_e[] = {5, 5.5}, one_c[] = {1};
    enc_svg_hist(&b, &c, 1, one_e, one_c, false);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), 1);
    enc_buf_free(&b);
}

static void test_heatmap(void)
{
    const char *rl[] = {"F5", "F4", "F3", "F2", "F1"}, *cl[] = {"R1", "R2", "R3", "R4", "R5"};
    double v[25];
    for (int i = 0; i < 25; i++) v[i] = i * i;
    v[7] = NAN;
    enc_svg_chart c = {.id = "rf", .title = "R × F", .x_label = "R", .y_label = "F"};
    enc_buf b = {0};
    enc_svg_heatmap(&b, &c, 5, 5, rl, cl, v);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), 25);
    CHECK(strstr(b.p, "F4, R3: n/a</title>") != NULL);
    CHECK(strstr(b.p, "F5, R1: 0</title>") != NULL);
    CHECK(strstr(b.p, ">576</text>") != NULL);      /* largest value written in its cell */
    CHECK(strstr(b.p, "fill=\"#08306b\"") != NULL); /* and in the darkest colour */
    CHECK(strstr(b.p, "fill=\"#f7fbff\"") != NULL); /* 0 in the lightest */
    CHECK(strstr(b.p, ">0</text>") != NULL);        /* the scale starts at 0 */
    CHECK(strstr(b.p, "url(#rf-g)") != NULL);
    enc_buf_reset(&b);

    double nanv[4] = {NAN, NAN, NAN, NAN};
    enc_svg_heatmap(&b, &c, 2, 2, NULL, NULL, nanv);
    CHECK(strstr(b.p, "no data") != NULL);
    enc_buf_reset(&b);
    double pos[4] = {10, 20, 30, 40}; /* counts: 10 is not the lightest colour, 0 would be */
    enc_svg_heatmap(&b, &c, 2, 2, NULL, NULL, pos);
    CHECK(strstr(b.p, "fill=\"#f7fbff\"") == NULL);
    CHECK(strstr(b.p, "fill=\"#08306b\"") != NULL);
    enc_buf_reset(&b);
    double same[4] = {3, 3, 3, 3};
    enc_svg_heatmap(&b, &c, 2, 2, NULL, NULL, same);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), 4);
    enc_buf_free(&b);
}

static void test_line(void)
{
    const char *x[] = {"w1", "w2", "w3", "w4", "w5"};
    double pred[] = {10, 9.5, 9, 8.6, 8.1}, act[] = {11, NAN, 8, INFINITY, 7};
    enc_svg_series s[] = {{"predicted", pred, 0, true}, {HOSTILE, act, 1, false}};
    enc_svg_chart c = {
        .id = "pa", .title = "Predicted vs actual", .x_label = "week", .y_label = "purchases"};
    enc_buf b = {0};
    enc_svg_line(&b, &c, 5, x, 2, s);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), 8); /* 5 + 3 finite points */
    CHECK_INT(count_str(b.p, "<path"), 2);
    /* the actual line breaks at its NaN and inf points: three pieces, three moves */
    const char *p = strstr(b.p, "<path");
    p = strstr(p + 1, "<path");
    const char *d = strstr(p, " d=\"");
    const char *end = strchr(d + 4, '"');
    size_t moves = 0;
    for (const char *q = d; q < end; q++) moves += *q == 'M';
    CHECK_INT(moves, 3);
    CHECK(strstr(b.p, "<script") == NULL);
    enc_buf_reset(&b);

    double none[] = {NAN, NAN};
    enc_svg_series s2[] = {{"a", none, 0, false}};
    enc_svg_line(&b, &c, 2, x, 1, s2);
    CHECK(strstr(b.p, "no data") != NULL);
    enc_buf_reset(&b);
    enc_svg_line(&b, &c, 0, NULL, 0, NULL);
    CHECK(strstr(b.p, "no data") != NULL);
    enc_buf_reset(&b);
    double one[] = {4};
    enc_svg_series s3[] = {{"a", one, 0, false}};
    enc_svg_line(&b, &c, 1, x, 1, s3);
    CHECK_XML(b.p);
    CHECK_INT(marks(b.p), 1);
    enc_buf_free(&b);
}

/* Every chart kind with hostile labels, parsed by Python's XML parser (an independent
 * implementation): well-formed, no <script> element anywhere, and every <title> text reads
 * back as exactly the string given (escaping round-trips). */
static void test_xml_parser_oracle(void)
{
    if (!py_have("xml.etree.ElementTree")) return;
    const char *labels[] = {HOSTILE, "重要价值客户",
                            "a\x01"
                            "b",
                            "c\xff"
                            "d"};
    double v[] = {1, 2, 3, 4};
    double e[5] = {0, 1, 2, 3, 4};
    double hm[4] = {1, 2, 3, 4};
    enc_svg_series s[] = {{HOSTILE, v, 0, false}, {"重要", v, 1, true}};
    enc_svg_chart c = {.id = "x",
                       .title = HOSTILE,
                       .desc = "重要价值客户 <b>&amp;</b>",
                       .x_label = HOSTILE,
                       .y_label = "客户"};
    enc_buf b = {0};
    enc_buf_adds(&b, "<root>");
    enc_svg_bar(&b, &c, true, 4, labels, v, NULL);
    enc_svg_bar(&b, &c, false, 4, labels, v, labels);
    enc_svg_hist(&b, &c, 4, e, v, false);
    enc_svg_heatmap(&b, &c, 2, 2, labels, labels + 2, hm);
    enc_svg_line(&b, &c, 4, labels, 2, s);
    enc_svg_bar(&b, &c, true, 0, NULL, NULL, NULL);
    enc_buf_adds(&b, "</root>");
    FILE *f = fopen(py_path("charts.xml"), "w");
    fwrite(b.p, 1, b.len, f);
    fclose(f);
    enc_buf_free(&b);
    int rc = py_run("import sys, xml.etree.ElementTree as ET\n"
                    "root = ET.parse(sys.argv[1] + '/charts.xml').getroot()\n"
                    "svgs = root.findall('svg')\n"
                    "assert len(svgs) == 6, len(svgs)\n"
                    "assert not list(root.iter('script'))\n"
                    "H = '</svg><script>alert(1)</script>&\"\\''\n"
                    "for s in svgs:\n"
                    "    t = s.find('title')\n"
                    "    assert t.text == H, repr(t.text)\n"
                    "    assert s.find('desc').text == '重要价值客户 <b>&amp;</b>'\n"
                    "    assert s.get('role') == 'img'\n"
                    "tips = [t.text for t in root.iter('title')]\n"
                    "assert any(x.startswith(H + ': ') for x in tips), tips[:5]\n"
                    "assert any(x.startswith('ab: ') for x in tips)\n"
                    "assert any(x.startswith('c\\ufffdd: ') for x in tips)\n"
                    "print('xml ok', len(tips))\n");
    CHECK_INT(rc, 0);
}

int main(void)
{
    RUN(test_escape_hostile);
    RUN(test_escape_invalid_utf8);
    RUN(test_text_width);
    RUN(test_fmt_value);
    RUN(test_ticks_fixed);
    RUN(test_ticks_properties);
    RUN(test_lin_edges);
    RUN(test_log_edges);
    RUN(test_bin_of);
    RUN(test_bar);
    RUN(test_bar_edge_cases);
    RUN(test_hist);
    RUN(test_heatmap);
    RUN(test_line);
    RUN(test_xml_parser_oracle);
    return TEST_SUMMARY();
}
