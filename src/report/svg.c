/* svg.c — the report's chart library (see svg.h): XML escaping, text width estimates, nice
 * ticks and bin edges, and the four chart kinds written as inline SVG. Geometry is computed in
 * pixels of the chart's own viewBox; every label is escaped, every mark carries a <title>. */
#include "report/svg.h"
#include "base/mem.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT_FAMILY                                                                                \
    "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', "       \
    "'Microsoft YaHei', sans-serif"
#define FONT 12.0       /* tick and label size */
#define TITLE_FONT 15.0 /* chart title */
#define DEFAULT_W 560
#define LABEL_MAX_PX 220.0 /* a category label longer than this is cut with an ellipsis */
#define AXIS_COLOR "#555555"
#define GRID_COLOR "#e6e6e6"
#define TEXT_COLOR "#222222"

/* ---- text ------------------------------------------------------------------------------------ */

/* Decodes one UTF-8 character of s[0..n) (n >= 1). Returns its length and sets *cp; a byte that
 * does not start a well-formed sequence (overlong, surrogate, beyond U+10FFFF, truncated)
 * returns 1 with *cp = -1. */
static size_t utf8_next(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    int32_t v;
    if (c >= 0xC2 && c <= 0xDF) len = 2, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *cp = -1;
        return 1;
    }
    if (n < len) {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        unsigned d = s[i];
        unsigned l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (d < l || d > h) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (int32_t)(d & 0x3F);
    }
    *cp = v;
    return len;
}

void enc_svg_escape_n(enc_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        int32_t cp;
        size_t len = utf8_next(p + i, n - i, &cp);
        if (cp < 0) enc_buf_adds(b, "\xEF\xBF\xBD"); /* U+FFFD */
        else if (cp == '&') enc_buf_adds(b, "&amp;");
        else if (cp == '<') enc_buf_adds(b, "&lt;");
        else if (cp == '>') enc_buf_adds(b, "&gt;");
        else if (cp == '"') enc_buf_adds(b, "&quot;");
        else if (cp == '\'') enc_buf_adds(b, "&#39;");
        else if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
            /* not an XML 1.0 Char: dropped */
        } else if (cp == 0xFFFE || cp == 0xFFFF) {
            /* not an XML 1.0 Char: dropped */
        } else enc_buf_add(b, p + i, len);
        i += len;
    }
}

void enc_svg_escape(enc_buf *b, const char *s)
{
    if (s) enc_svg_escape_n(b, s, strlen(s));
}

static bool wide(int32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Width of one character in em, rounded up from DejaVu Sans (the widest common sans-serif face;
 * narrower faces then get a little spare room rather than clipped labels). */
static double char_em(int32_t cp)
{
    if (wide(cp) || cp < 0) return 1.0; /* CJK; U+FFFD */
    if (cp < 128 && strchr("iljI.,:;|!'` ()[]", (int)cp)) return 0.36;
    if ((cp >= 'A' && cp <= 'Z') || cp == 'm' || cp == 'w' || cp == '%' || cp == '&') return 0.74;
    return 0.62;
}

double enc_svg_text_width(const char *s, double font_px)
{
    if (!s) return 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    double w = 0;
    while (i < n) {
        int32_t cp;
        i += utf8_next(p + i, n - i, &cp);
        w += char_em(cp);
    }
    return w * font_px;
}

/* Appends s escaped, cut to at most max_px wide (an ellipsis marks the cut). */
static void put_text_fit(enc_buf *o, const char *s, double font_px, double max_px)
{
    if (!s) return;
    if (enc_svg_text_width(s, font_px) <= max_px) {
        enc_svg_escape(o, s);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    double w = 0.6 * font_px; /* the ellipsis */
    while (i < n) {
        int32_t cp;
        size_t len = utf8_next(p + i, n - i, &cp);
        w += char_em(cp) * font_px;
        if (w > max_px) break;
        i += len;
    }
    enc_svg_escape_n(o, s, i);
    enc_buf_adds(o, "\xE2\x80\xA6");
}

static double fit_width(const char *s, double font_px, double max_px)
{
    double w = enc_svg_text_width(s, font_px);
    return w < max_px ? w : max_px;
}

/* ---- numbers --------------------------------------------------------------------------------- */

/* "%.*f" of |v| with thousands separators, sign in front. */
static void fmt_grouped(char *out, size_t cap, double v, int decimals)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, fabs(v));
    if (strcmp(tmp, "0") == 0 || (v > -0.0 && v < 0.0)) v = 0;
    const char *dot = strchr(tmp, '.');
    size_t intlen = dot ? (size_t)(dot - tmp) : strlen(tmp);
    char res[96];
    size_t k = 0;
    bool neg = v < 0;
    /* a negative value that rounds to zero prints without the sign */
    if (neg) {
        bool allzero = true;
        for (const char *q = tmp; *q; q++)
            if (*q >= '1' && *q <= '9') allzero = false;
        if (allzero) neg = false;
    }
    if (neg) res[k++] = '-';
    for (size_t i = 0; i < intlen && k < sizeof res - 2; i++) {
        if (i && (intlen - i) % 3 == 0) res[k++] = ',';
        res[k++] = tmp[i];
    }
    for (const char *q = dot; q && *q && k < sizeof res - 1; q++) res[k++] = *q;
    res[k] = 0;
    snprintf(out, cap, "%s", res);
}

/* Up to 3 significant digits with trailing zeros removed ("12.5", "120", "0.05"). */
static void fmt_sig3(char *out, size_t cap, double v)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.3g", v);
    if (strchr(tmp, 'e')) snprintf(tmp, sizeof tmp, "%.0f", v);
    snprintf(out, cap, "%s", tmp);
}

/* Compact: k/M/B/T for magnitudes from 10,000, plain below. */
static void fmt_compact(char *out, size_t cap, double v)
{
    static const char *suf[] = {"k", "M", "B", "T"};
    double a = fabs(v);
    if (a < 10000) {
        if (a == floor(a)) fmt_grouped(out, cap, v, 0);
        else fmt_sig3(out, cap, v);
        return;
    }
    int s = a >= 1e12 ? 3 : a >= 1e9 ? 2 : a >= 1e6 ? 1 : 0;
    double scaled = v / pow(10, 3 * (s + 1));
    char num[48];
    fmt_sig3(num, sizeof num, scaled);
    snprintf(out, cap, "%s%s", num, suf[s]);
}

void enc_svg_fmt_value(char *out, size_t cap, double v, enc_svg_fmt fmt)
{
    if (!isfinite(v)) {
        snprintf(out, cap, "n/a");
        return;
    }
    if (fmt == ENC_SVG_PCT) {
        char num[64];
        fmt_grouped(num, sizeof num, v * 100, 1);
        snprintf(out, cap, "%s%%", num);
        return;
    }
    double a = fabs(v);
    if (a >= 100000) fmt_compact(out, cap, v);
    else if (fabs(v - round(v)) < 1e-9 * (a > 1 ? a : 1)) fmt_grouped(out, cap, round(v), 0);
    else if (a >= 100) fmt_grouped(out, cap, v, 0);
    else if (a >= 10) fmt_grouped(out, cap, v, 1);
    else fmt_grouped(out, cap, v, 2);
}

static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                      "#CC79A7", "#56B4E9", "#8C6D1F", "#7F7F7F"};

const char *enc_svg_color(int i)
{
    int n = (int)(sizeof palette / sizeof *palette);
    return palette[((i % n) + n) % n];
}

/* ---- scales ---------------------------------------------------------------------------------- */

/* Heckbert's nicenum: a number of the form {1,2,5,10} x 10^k near x (round) or at least x. */
static double nicenum(double x, bool round_it)
{
    double e = floor(log10(x));
    double p = pow(10, e);
    double f = x / p, nf;
    if (round_it) nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else nf = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
    return nf * p;
}

/* The nice number after step (1 -> 2 -> 5 -> 10). */
static double next_nice(double step)
{
    double e = floor(log10(step) + 1e-9);
    double p = pow(10, e);
    double f = step / p;
    return (f < 1.5 ? 2 : f < 3.5 ? 5 : 10) * p;
}

static int decimals_of(double step)
{
    int d = (int)-floor(log10(step) + 1e-9);
    return d > 0 ? d : 0;
}

/* k x step as the double nearest its decimal value (3 x 0.1 -> 0.3, not 0.30000000000000004),
 * so edges and ticks equal the numbers their labels show. */
static double mult(double k, double step)
{
    char s[64];
    int d = decimals_of(step);
    double v = k * step;
    if (d > 17 || fabs(v) >= 1e17) return v;
    snprintf(s, sizeof s, "%.*f", d, v);
    v = strtod(s, NULL);
    return v == 0 ? 0 : v; /* no -0 */
}

void enc_svg_ticks_make(double lo, double hi, int target, enc_svg_ticks *t)
{
    memset(t, 0, sizeof *t);
    if (!isfinite(lo) || !isfinite(hi)) return;
    if (lo > hi) {
        double x = lo;
        lo = hi, hi = x;
    }
    if (target < 2) target = 2;
    if (target > ENC_SVG_MAX_TICKS) target = ENC_SVG_MAX_TICKS;
    if (lo == hi) {
        if (lo == 0) hi = 1;
        else {
            double h = fabs(lo) / 2;
            lo -= h, hi += h;
        }
    }
    if (!isfinite(hi - lo)) return; /* a range beyond the doubles */
    double range = nicenum(hi - lo, false);
    double d = nicenum(range / (target - 1), true);
    for (;;) {
        if (!(d > 0) || !isfinite(d)) return;
        /* tick indices stay below 1e15, where doubles count exactly */
        if (fmax(fabs(lo), fabs(hi)) / d > 1e15) {
            d = next_nice(d);
            continue;
        }
        /* k0 d: the largest multiple at or below lo; k1 d: the smallest at or above hi, compared
         * as the decimals the labels show (3 x 0.1 is 0.3) */
        double k0 = floor(lo / d), k1 = ceil(hi / d);
        if (mult(k0 + 1, d) <= lo) k0++;
        if (mult(k0, d) > lo) k0--;
        if (mult(k1 - 1, d) >= hi) k1--;
        if (mult(k1, d) < hi) k1++;
        if (k1 <= k0) k1 = k0 + 1;
        if (k1 - k0 + 1 <= ENC_SVG_MAX_TICKS) {
            t->n = (int)(k1 - k0 + 1);
            t->step = d;
            t->decimals = decimals_of(d);
            for (int i = 0; i < t->n; i++) t->v[i] = mult(k0 + i, d);
            if (!isfinite(t->v[0]) || !isfinite(t->v[t->n - 1])) t->n = 0; /* past DBL_MAX */
            return;
        }
        d = next_nice(d);
    }
}

/* A label of v on an axis with the given step, compact (k/M/B) when maxabs >= 10,000. */
static void fmt_axis(char *out, size_t cap, double v, double step, double maxabs, enc_svg_fmt fmt)
{
    if (fmt == ENC_SVG_PCT) {
        char num[64];
        int d = decimals_of(step * 100);
        fmt_grouped(num, sizeof num, v * 100, d);
        snprintf(out, cap, "%s%%", num);
        return;
    }
    if (maxabs >= 10000) {
        static const char *suf[] = {"k", "M", "B", "T"};
        int s = maxabs >= 1e12 ? 3 : maxabs >= 1e9 ? 2 : maxabs >= 1e6 ? 1 : 0;
        double scale = pow(10, 3 * (s + 1));
        char num[64];
        fmt_grouped(num, sizeof num, v / scale, decimals_of(step / scale));
        if (v == 0) snprintf(out, cap, "0");
        else snprintf(out, cap, "%s%s", num, suf[s]);
        return;
    }
    fmt_grouped(out, cap, v, decimals_of(step));
}

void enc_svg_fmt_tick(char *out, size_t cap, const enc_svg_ticks *t, double v, enc_svg_fmt fmt)
{
    double m = 0;
    if (t->n) m = fmax(fabs(t->v[0]), fabs(t->v[t->n - 1]));
    fmt_axis(out, cap, v, t->step > 0 ? t->step : 1, m, fmt);
}

int enc_svg_lin_edges(double lo, double hi, int max_bins, double *edges)
{
    if (!isfinite(lo) || !isfinite(hi) || lo > hi || max_bins < 2 || max_bins > 64) return 0;
    if (!isfinite(hi - lo)) return 0;
    if (lo == hi) {
        double w = nicenum(lo != 0 ? fabs(lo) / 10 : 1, false);
        if (!(w > 0) || !isfinite(w) || !isfinite(lo + w)) return 0; /* subnormal or huge */
        double k0 = floor(lo / w);
        while (mult(k0, w) > lo) k0--;
        while (mult(k0 + 1, w) <= lo) k0++;
        edges[0] = mult(k0, w);
        edges[1] = mult(k0 + 1, w);
        return 1;
    }
    double w = nicenum((hi - lo) / max_bins, false);
    for (;;) {
        if (!(w > 0) || !isfinite(w)) return 0;
        if (fmax(fabs(lo), fabs(hi)) / w > 1e15) { /* bin indices count exactly below 1e15 */
            w = next_nice(w);
            continue;
        }
        /* first edge: the largest multiple of w at or below lo; last: the smallest at or above hi
         */
        double k0 = floor(lo / w), k1 = ceil(hi / w);
        while (mult(k0, w) > lo) k0--;
        while (mult(k0 + 1, w) <= lo) k0++;
        while (mult(k1, w) < hi) k1++;
        while (k1 - 1 > k0 && mult(k1 - 1, w) >= hi) k1--;
        if (k1 - k0 <= max_bins) {
            int nb = (int)(k1 - k0);
            for (int i = 0; i <= nb; i++) edges[i] = mult(k0 + i, w);
            return nb;
        }
        w = next_nice(w);
    }
}

/* k-th value of the 1-2-5 sequence: mant[k mod 3] x 10^floor(k / 3). */
static double seq125(long k)
{
    static const double mant[3] = {1, 2, 5};
    long q = k >= 0 ? k / 3 : -((-k + 2) / 3);
    long r = k - 3 * q;
    return mant[r] * pow(10, (double)q);
}

int enc_svg_log_edges(double lo, double hi, double *edges, int cap)
{
    if (!isfinite(lo) || !isfinite(hi) || lo <= 0 || lo > hi || cap < 2) return 0;
    long k = (long)floor(log10(lo)) * 3;
    while (seq125(k) > lo) k--;
    while (seq125(k + 1) <= lo) k++;
    long k1 = k + 1;
    while (seq125(k1) < hi) k1++;
    long nb = k1 - k;
    if (nb + 1 > cap) return 0;
    for (long i = 0; i <= nb; i++) edges[i] = seq125(k + i);
    return (int)nb;
}

int enc_svg_bin_of(const double *edges, int nbins, double v)
{
    if (nbins < 1 || !isfinite(v) || v < edges[0] || v > edges[nbins]) return -1;
    int lo = 0, hi = nbins - 1; /* largest i with edges[i] <= v */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (edges[mid] <= v) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* ---- drawing helpers ------------------------------------------------------------------------- */

static void put_id(enc_buf *o, const char *id)
{
    size_t n = 0;
    for (const char *p = id ? id : ""; *p && n < 48; p++, n++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        enc_buf_addc(o, ok ? ch : '_');
    }
    if (!n) enc_buf_adds(o, "chart");
}

static void open_svg(enc_buf *o, const enc_svg_chart *c, double W, double H)
{
    enc_buf_adds(o, "<svg id=\"");
    put_id(o, c->id);
    enc_buf_adds(o, "\" class=\"chart\" role=\"img\" aria-labelledby=\"");
    put_id(o, c->id);
    enc_buf_adds(o, "-t");
    if (c->desc) {
        enc_buf_addc(o, ' ');
        put_id(o, c->id);
        enc_buf_adds(o, "-d");
    }
    enc_buf_printf(o,
                   "\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\""
                   " font-family=\"" FONT_FAMILY "\" font-size=\"%.0f\" fill=\"" TEXT_COLOR "\">\n",
                   W, H, W, H, FONT);
    enc_buf_adds(o, "<title id=\"");
    put_id(o, c->id);
    enc_buf_adds(o, "-t\">");
    enc_svg_escape(o, c->title);
    enc_buf_adds(o, "</title>\n");
    if (c->desc) {
        enc_buf_adds(o, "<desc id=\"");
        put_id(o, c->id);
        enc_buf_adds(o, "-d\">");
        enc_svg_escape(o, c->desc);
        enc_buf_adds(o, "</desc>\n");
    }
    enc_buf_printf(o, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", W, H);
    enc_buf_printf(o, "<text x=\"8\" y=\"20\" font-size=\"%.0f\" font-weight=\"600\">", TITLE_FONT);
    put_text_fit(o, c->title, TITLE_FONT, W - 16);
    enc_buf_adds(o, "</text>\n");
}

static void close_svg(enc_buf *o) { enc_buf_adds(o, "</svg>\n"); }

static void no_data(enc_buf *o, const enc_svg_chart *c)
{
    double W = c->width > 0 ? c->width : DEFAULT_W, H = c->height > 0 ? c->height : 120;
    open_svg(o, c, W, H);
    enc_buf_printf(
        o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#777777\">no data</text>\n",
        W / 2, H / 2 + 10);
    close_svg(o);
}

/* <text> element start at (x, y) with an anchor; the caller writes the content and "</text>". */
static void text_at(enc_buf *o, double x, double y, const char *anchor)
{
    enc_buf_printf(o, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (anchor) enc_buf_printf(o, " text-anchor=\"%s\"", anchor);
    enc_buf_addc(o, '>');
}

static void axis_title_y(enc_buf *o, const char *label, double x, double ymid)
{
    if (!label) return;
    enc_buf_printf(
        o, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\">", x, ymid);
    enc_svg_escape(o, label);
    enc_buf_adds(o, "</text>\n");
}

static void axis_title_x(enc_buf *o, const char *label, double xmid, double y)
{
    if (!label) return;
    text_at(o, xmid, y, "middle");
    enc_svg_escape(o, label);
    enc_buf_adds(o, "</text>\n");
}

/* Widest tick label of a value axis. */
static double ticks_width(const enc_svg_ticks *t, enc_svg_fmt fmt)
{
    double w = 0;
    char s[64];
    for (int i = 0; i < t->n; i++) {
        enc_svg_fmt_tick(s, sizeof s, t, t->v[i], fmt);
        w = fmax(w, enc_svg_text_width(s, FONT));
    }
    return w;
}

/* Horizontal gridlines and labels of a vertical value axis: value v at y0 - (v - lo) * sy. */
static void y_axis(enc_buf *o, const enc_svg_ticks *t, enc_svg_fmt fmt, double x0, double x1,
                   double ybot, double sy)
{
    char s[64];
    enc_buf_printf(o, "<g stroke=\"" GRID_COLOR "\">");
    for (int i = 0; i < t->n; i++) {
        double y = ybot - (t->v[i] - t->v[0]) * sy;
        enc_buf_printf(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", x0, x1, y, y);
    }
    enc_buf_adds(o, "</g>\n<g text-anchor=\"end\" fill=\"" AXIS_COLOR "\">");
    for (int i = 0; i < t->n; i++) {
        double y = ybot - (t->v[i] - t->v[0]) * sy;
        enc_svg_fmt_tick(s, sizeof s, t, t->v[i], fmt);
        enc_buf_printf(o, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", x0 - 6, y + 4, s);
    }
    enc_buf_adds(o, "</g>\n");
}

/* Vertical gridlines from top to ybot and tick labels under them of a horizontal value axis:
 * value v at x0 + (v - t->v[0]) * sx. */
static void x_axis(enc_buf *o, const enc_svg_ticks *t, enc_svg_fmt fmt, double x0, double sx,
                   double top, double ybot)
{
    enc_buf_printf(o, "<g stroke=\"" GRID_COLOR "\">");
    for (int i = 0; i < t->n; i++) {
        double x = x0 + (t->v[i] - t->v[0]) * sx;
        enc_buf_printf(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", x, x, top,
                       ybot);
    }
    enc_buf_adds(o, "</g>\n<g text-anchor=\"middle\" fill=\"" AXIS_COLOR "\">");
    for (int i = 0; i < t->n; i++) {
        char s[64];
        enc_svg_fmt_tick(s, sizeof s, t, t->v[i], fmt);
        enc_buf_printf(o, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", x0 + (t->v[i] - t->v[0]) * sx,
                       ybot + 16, s);
    }
    enc_buf_adds(o, "</g>\n");
}

/* Labels along a horizontal axis at x[i], placed left to right and skipped where one would
 * overlap the last placed (so dense axes stay legible). */
typedef struct xlab {
    double x;
    const char *text;
} xlab;

static void x_labels_greedy(enc_buf *o, const xlab *l, size_t n, double y, double xmin, double xmax)
{
    double last_right = -1e300;
    enc_buf_printf(o, "<g text-anchor=\"middle\" fill=\"" AXIS_COLOR "\">");
    for (size_t i = 0; i < n; i++) {
        double w = fit_width(l[i].text, FONT, LABEL_MAX_PX);
        double left = l[i].x - w / 2, right = l[i].x + w / 2;
        if (left < last_right + 6) continue;
        if (left < xmin - 4 || right > xmax + 4) {
            /* keep the label inside the chart: shift it rather than lose it */
            double shift = left < xmin - 4 ? (xmin - 4 - left) : (xmax + 4 - right);
            left += shift, right += shift;
            if (left < last_right + 6) continue;
        }
        text_at(o, (left + right) / 2, y, NULL);
        put_text_fit(o, l[i].text, FONT, LABEL_MAX_PX);
        enc_buf_adds(o, "</text>");
        last_right = right;
    }
    enc_buf_adds(o, "</g>\n");
}

static const char *lab(const char *const *labels, size_t i)
{
    return labels && labels[i] ? labels[i] : "";
}

/* ---- bar chart ------------------------------------------------------------------------------- */

void enc_svg_bar(enc_buf *out, const enc_svg_chart *c, bool horizontal, size_t n,
                 const char *const *labels, const double *values, const char *const *notes)
{
    double vmin = 0, vmax = 0;
    size_t finite = 0;
    for (size_t i = 0; i < n; i++) {
        if (!values || !isfinite(values[i])) continue;
        finite++;
        vmin = fmin(vmin, values[i]);
        vmax = fmax(vmax, values[i]);
    }
    if (!finite) {
        no_data(out, c);
        return;
    }
    enc_svg_ticks t;
    enc_svg_ticks_make(vmin, vmax, horizontal ? 5 : 6, &t);
    if (t.n < 2) { /* values beyond what an axis can show */
        no_data(out, c);
        return;
    }
    double lo = t.v[0], hi = t.v[t.n - 1];
    const char *color = enc_svg_color(c->color);
    double W = c->width > 0 ? c->width : DEFAULT_W;
    char note[64];

    /* widest note: the text written after each bar */
    double note_w = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = notes && notes[i] ? notes[i] : NULL;
        if (!s) {
            enc_svg_fmt_value(note, sizeof note, values[i], c->fmt);
            s = note;
        }
        note_w = fmax(note_w, fit_width(s, FONT, LABEL_MAX_PX));
    }

    if (horizontal) {
        double label_w = 0;
        for (size_t i = 0; i < n; i++)
            label_w = fmax(label_w, fit_width(lab(labels, i), FONT, fmin(LABEL_MAX_PX, W * 0.4)));
        double top = 34, row = 24, bottom = 26 + (c->x_label ? 18 : 0);
        double H = c->height > 0 ? c->height : top + row * (double)n + bottom;
        if (c->height > 0) row = (H - top - bottom) / (double)n;
        double x0 = 12 + label_w + 8, x1 = W - 12 - note_w - 6;
        if (x1 - x0 < 80) x1 = x0 + 80;
        double sx = (x1 - x0) / (hi - lo);
        double ybot = top + row * (double)n;
        open_svg(out, c, W, H);
        x_axis(out, &t, c->fmt, x0, sx, top, ybot);
        axis_title_x(out, c->x_label, (x0 + x1) / 2, ybot + 34);
        double bh = fmin(row * 0.7, 22), zero = x0 + (0 - lo) * sx;
        for (size_t i = 0; i < n; i++) {
            double yc = top + row * ((double)i + 0.5);
            text_at(out, x0 - 8, yc + 4, "end");
            put_text_fit(out, lab(labels, i), FONT, fmin(LABEL_MAX_PX, W * 0.4));
            enc_buf_adds(out, "</text>\n");
            double v = values[i];
            const char *s = notes && notes[i] ? notes[i] : NULL;
            enc_svg_fmt_value(note, sizeof note, v, c->fmt);
            if (isfinite(v)) {
                double xa = fmin(zero, x0 + (v - lo) * sx), xb = fmax(zero, x0 + (v - lo) * sx);
                enc_buf_printf(
                    out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    "<title>",
                    xa, yc - bh / 2, fmax(xb - xa, 0.5), bh, color);
                enc_svg_escape(out, lab(labels, i));
                enc_buf_adds(out, ": ");
                enc_svg_escape(out, s ? s : note);
                enc_buf_adds(out, "</title></rect>\n");
                text_at(out, fmax(xb, zero) + 5, yc + 4, NULL);
            } else text_at(out, zero + 5, yc + 4, NULL);
            put_text_fit(out, s ? s : note, FONT, LABEL_MAX_PX);
            enc_buf_adds(out, "</text>\n");
        }
        enc_buf_printf(out,
                       "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS_COLOR
                       "\"/>\n",
                       zero, zero, top, ybot);
        close_svg(out);
        return;
    }

    /* vertical bars */
    double left = 14 + ticks_width(&t, c->fmt) + 8 + (c->y_label ? 16 : 0);
    double x0 = left, x1 = W - 12;
    double slot = (x1 - x0) / (double)n;
    double label_w = 0;
    for (size_t i = 0; i < n; i++) label_w = fmax(label_w, fit_width(lab(labels, i), FONT, 140));
    bool rotate = label_w > slot - 4;
    double lab_h = rotate ? label_w * 0.58 + 14 : 18;
    double top = 34 + 16 /* room for the value texts over the bars */;
    double bottom = lab_h + 8 + (c->x_label ? 18 : 0);
    double H = c->height > 0 ? c->height : 300 + (rotate ? lab_h - 18 : 0);
    double ybot = H - bottom;
    if (ybot - top < 60) ybot = top + 60, H = ybot + bottom;
    double sy = (ybot - top) / (hi - lo), zero = ybot - (0 - lo) * sy;
    open_svg(out, c, W, H);
    y_axis(out, &t, c->fmt, x0, x1, ybot, sy);
    axis_title_y(out, c->y_label, 14, (top + ybot) / 2);
    double bw = fmin(slot * 0.72, 64);
    /* over each bar its note, or when the notes do not fit, the bare value when that does */
    bool notes_fit = note_w <= slot + 2, values_fit = true;
    for (size_t i = 0; i < n; i++) {
        enc_svg_fmt_value(note, sizeof note, values[i], c->fmt);
        if (enc_svg_text_width(note, FONT) > slot + 2) values_fit = false;
    }
    for (size_t i = 0; i < n; i++) {
        double xc = x0 + slot * ((double)i + 0.5);
        double v = values[i];
        const char *s = notes && notes[i] ? notes[i] : NULL;
        enc_svg_fmt_value(note, sizeof note, v, c->fmt);
        if (isfinite(v)) {
            double ya = fmin(zero, ybot - (v - lo) * sy), yb = fmax(zero, ybot - (v - lo) * sy);
            enc_buf_printf(
                out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                xc - bw / 2, ya, bw, fmax(yb - ya, 0.5), color);
            enc_svg_escape(out, lab(labels, i));
            enc_buf_adds(out, ": ");
            enc_svg_escape(out, s ? s : note);
            enc_buf_adds(out, "</title></rect>\n");
            if (notes_fit || values_fit) {
                text_at(out, xc, ya - 4, "middle");
                put_text_fit(out, notes_fit && s ? s : note, FONT, slot + 2);
                enc_buf_adds(out, "</text>\n");
            }
        }
        if (rotate) {
            enc_buf_printf(out,
                           "<text transform=\"translate(%.1f,%.1f) rotate(-35)\" "
                           "text-anchor=\"end\" fill=\"" AXIS_COLOR "\">",
                           xc + 4, ybot + 14);
            put_text_fit(out, lab(labels, i), FONT, 140);
        } else {
            enc_buf_printf(
                out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"" AXIS_COLOR "\">",
                xc, ybot + 16);
            put_text_fit(out, lab(labels, i), FONT, slot);
        }
        enc_buf_adds(out, "</text>\n");
    }
    enc_buf_printf(
        out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS_COLOR "\"/>\n",
        x0, x1, zero, zero);
    axis_title_x(out, c->x_label, (x0 + x1) / 2, H - 8);
    close_svg(out);
}

/* ---- histogram ------------------------------------------------------------------------------- */

void enc_svg_hist(enc_buf *out, const enc_svg_chart *c, size_t nbins, const double *edges,
                  const double *counts, bool log_x)
{
    bool ok = nbins > 0 && edges && counts;
    for (size_t i = 0; ok && i <= nbins; i++) {
        if (!isfinite(edges[i]) || (log_x && edges[i] <= 0)) ok = false;
        if (i && edges[i] <= edges[i - 1]) ok = false;
    }
    if (!ok) {
        no_data(out, c);
        return;
    }
    double cmax = 0;
    for (size_t i = 0; i < nbins; i++)
        if (isfinite(counts[i])) cmax = fmax(cmax, counts[i]);
    enc_svg_ticks t;
    enc_svg_ticks_make(0, cmax, 5, &t);
    if (t.n < 2 ||
        !isfinite(log_x ? log10(edges[nbins]) - log10(edges[0]) : edges[nbins] - edges[0])) {
        no_data(out, c);
        return;
    }
    double W = c->width > 0 ? c->width : DEFAULT_W, H = c->height > 0 ? c->height : 300;
    double top = 34, bottom = 26 + (c->x_label ? 18 : 0);
    double x0 = 14 + ticks_width(&t, c->fmt) + 8 + (c->y_label ? 16 : 0), x1 = W - 18;
    double ybot = H - bottom;
    double sy = (ybot - top) / (t.v[t.n - 1] - t.v[0]);
    double a = log_x ? log10(edges[0]) : edges[0], b = log_x ? log10(edges[nbins]) : edges[nbins];
    double sx = (x1 - x0) / (b - a);
#define HX(e) (x0 + ((log_x ? log10(e) : (e)) - a) * sx)
    open_svg(out, c, W, H);
    y_axis(out, &t, c->fmt, x0, x1, ybot, sy);
    axis_title_y(out, c->y_label, 14, (top + ybot) / 2);
    /* edge labels: the step of linear edges sets the decimals; log edges print compactly */
    double step = edges[1] - edges[0], maxabs = fmax(fabs(edges[0]), fabs(edges[nbins]));
    char(*txt)[32] = enc_xmalloc((nbins + 1) * sizeof *txt);
    xlab *xl = enc_xmalloc((nbins + 1) * sizeof *xl);
    for (size_t i = 0; i <= nbins; i++) {
        if (log_x) fmt_compact(txt[i], sizeof txt[i], edges[i]);
        else fmt_axis(txt[i], sizeof txt[i], edges[i], step, maxabs, c->x_fmt);
        xl[i].x = HX(edges[i]);
        xl[i].text = txt[i];
    }
    const char *color = enc_svg_color(c->color);
    enc_buf_printf(out, "<g fill=\"%s\">\n", color);
    for (size_t i = 0; i < nbins; i++) {
        double v = counts[i];
        if (!isfinite(v) || v <= 0) continue;
        double xa = HX(edges[i]), xb = HX(edges[i + 1]);
        double gap = xb - xa > 4 ? 1 : 0;
        double y = ybot - (v - t.v[0]) * sy;
        char cnt[48];
        enc_svg_fmt_value(cnt, sizeof cnt, v, c->fmt);
        enc_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>[",
                       xa + gap, y, fmax(xb - xa - 2 * gap, 0.5), ybot - y);
        enc_svg_escape(out, txt[i]);
        enc_buf_adds(out, ", ");
        enc_svg_escape(out, txt[i + 1]);
        enc_buf_printf(out, "%s: %s</title></rect>\n", i + 1 == nbins ? "]" : ")", cnt);
    }
    enc_buf_adds(out, "</g>\n");
    enc_buf_printf(
        out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS_COLOR "\"/>\n",
        x0, x1, ybot, ybot);
    enc_buf_printf(out, "<g stroke=\"" AXIS_COLOR "\">");
    for (size_t i = 0; i <= nbins; i++)
        enc_buf_printf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", xl[i].x,
                       xl[i].x, ybot, ybot + 4);
    enc_buf_adds(out, "</g>\n");
    x_labels_greedy(out, xl, nbins + 1, ybot + 17, 4, W - 4);
    axis_title_x(out, c->x_label, (x0 + x1) / 2, H - 6);
    close_svg(out);
    free(txt);
    free(xl);
#undef HX
}

/* ---- heatmap --------------------------------------------------------------------------------- */

/* ColorBrewer "Blues" (9 classes, Brewer 2002), light to dark; colours are interpolated in sRGB. */
static const unsigned char blues[9][3] = {{247, 251, 255}, {222, 235, 247}, {198, 219, 239},
                                          {158, 202, 225}, {107, 174, 214}, {66, 146, 198},
                                          {33, 113, 181},  {8, 81, 156},    {8, 48, 107}};

static void blue_at(double t, char out[8])
{
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    double p = t * 8;
    int i = (int)floor(p);
    if (i >= 8) i = 7;
    double f = p - i;
    int rgb[3];
    for (int k = 0; k < 3; k++)
        rgb[k] = (int)lround(blues[i][k] + (blues[i + 1][k] - blues[i][k]) * f);
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

void enc_svg_heatmap(enc_buf *out, const enc_svg_chart *c, size_t rows, size_t cols,
                     const char *const *row_labels, const char *const *col_labels, const double *v)
{
    double vmin = INFINITY, vmax = -INFINITY;
    for (size_t i = 0; v && i < rows * cols; i++)
        if (isfinite(v[i])) vmin = fmin(vmin, v[i]), vmax = fmax(vmax, v[i]);
    if (!rows || !cols || !isfinite(vmin)) {
        no_data(out, c);
        return;
    }
    vmin = fmin(vmin, 0); /* the scale starts at 0 (counts), lower only for negative values */
    double W = c->width > 0 ? c->width : DEFAULT_W;
    double label_w = 0;
    for (size_t r = 0; r < rows; r++)
        label_w = fmax(label_w, fit_width(lab(row_labels, r), FONT, LABEL_MAX_PX));
    double legend_w = 76;
    double x0 = 12 + (c->y_label ? 18 : 0) + label_w + 8, x1 = W - legend_w - 8;
    double cw = (x1 - x0) / (double)cols;
    double top = 34, bottom = 24 + (c->x_label ? 18 : 0);
    double ch = c->height > 0 ? (c->height - top - bottom) / (double)rows : fmin(cw * 0.75, 52);
    double H = c->height > 0 ? c->height : top + ch * (double)rows + bottom;
    double ybot = top + ch * (double)rows;
    open_svg(out, c, W, H);
    for (size_t r = 0; r < rows; r++) {
        double yc = top + ch * ((double)r + 0.5);
        text_at(out, x0 - 8, yc + 4, "end");
        put_text_fit(out, lab(row_labels, r), FONT, LABEL_MAX_PX);
        enc_buf_adds(out, "</text>\n");
        for (size_t k = 0; k < cols; k++) {
            double x = v[r * cols + k];
            double tt = vmax > vmin ? (x - vmin) / (vmax - vmin) : 0.5;
            char col[8], val[48];
            if (isfinite(x)) blue_at(tt, col);
            else snprintf(col, sizeof col, "#dddddd");
            enc_svg_fmt_value(val, sizeof val, x, c->fmt);
            enc_buf_printf(out,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\""
                           " stroke=\"#ffffff\"><title>",
                           x0 + cw * (double)k, top + ch * (double)r, cw, ch, col);
            enc_svg_escape(out, lab(row_labels, r));
            enc_buf_adds(out, ", ");
            enc_svg_escape(out, lab(col_labels, k));
            enc_buf_printf(out, ": %s</title></rect>\n", val);
            enc_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">%s",
                           x0 + cw * ((double)k + 0.5), top + ch * ((double)r + 0.5) + 4,
                           isfinite(x) && tt > 0.55 ? "#ffffff" : TEXT_COLOR, val);
            enc_buf_adds(out, "</text>\n");
        }
    }
    xlab *xl = enc_xmalloc(cols * sizeof *xl);
    for (size_t k = 0; k < cols; k++)
        xl[k] = (xlab){x0 + cw * ((double)k + 0.5), lab(col_labels, k)};
    x_labels_greedy(out, xl, cols, ybot + 16, x0, x1);
    free(xl);
    axis_title_x(out, c->x_label, (x0 + x1) / 2, ybot + 34);
    axis_title_y(out, c->y_label, 14, (top + ybot) / 2);
    /* colour scale: a gradient bar from the smallest (bottom) to the largest value (top) */
    double lx = W - legend_w + 4, lh = fmin(ybot - top, 160);
    enc_buf_adds(out, "<defs><linearGradient id=\"");
    put_id(out, c->id);
    enc_buf_adds(out, "-g\" x1=\"0\" x2=\"0\" y1=\"1\" y2=\"0\">");
    for (int i = 0; i < 9; i++)
        enc_buf_printf(out, "<stop offset=\"%.3f\" stop-color=\"#%02x%02x%02x\"/>", i / 8.0,
                       blues[i][0], blues[i][1], blues[i][2]);
    enc_buf_adds(out, "</linearGradient></defs>\n");
    enc_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.1f\" fill=\"url(#", lx,
                   top, lh);
    put_id(out, c->id);
    enc_buf_adds(out, "-g)\" stroke=\"#bbbbbb\"/>\n");
    char s[48];
    enc_svg_fmt_value(s, sizeof s, vmax, c->fmt);
    enc_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"" AXIS_COLOR "\">%s</text>\n", lx + 18,
                   top + 10, s);
    enc_svg_fmt_value(s, sizeof s, vmin, c->fmt);
    enc_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"" AXIS_COLOR "\">%s</text>\n", lx + 18,
                   top + lh, s);
    close_svg(out);
}

/* ---- line chart ------------------------------------------------------------------------------ */

void enc_svg_line(enc_buf *out, const enc_svg_chart *c, size_t n, const char *const *x_labels,
                  size_t nseries, const enc_svg_series *s)
{
    double vmin = 0, vmax = 0;
    size_t finite = 0;
    for (size_t j = 0; j < nseries; j++)
        for (size_t i = 0; s[j].y && i < n; i++)
            if (isfinite(s[j].y[i])) {
                finite++;
                vmin = fmin(vmin, s[j].y[i]);
                vmax = fmax(vmax, s[j].y[i]);
            }
    if (!finite) {
        no_data(out, c);
        return;
    }
    enc_svg_ticks t;
    enc_svg_ticks_make(vmin, vmax, 6, &t);
    if (t.n < 2) {
        no_data(out, c);
        return;
    }
    double W = c->width > 0 ? c->width : DEFAULT_W, H = c->height > 0 ? c->height : 320;
    double top = 56, bottom = 26 + (c->x_label ? 18 : 0);
    double x0 = 14 + ticks_width(&t, c->fmt) + 8 + (c->y_label ? 16 : 0), x1 = W - 16;
    double ybot = H - bottom;
    double sy = (ybot - top) / (t.v[t.n - 1] - t.v[0]);
    double dx = n > 1 ? (x1 - x0 - 16) / (double)(n - 1) : 0;
#define LX(i) (n > 1 ? x0 + 8 + dx * (double)(i) : (x0 + x1) / 2)
#define LY(y) (ybot - ((y)-t.v[0]) * sy)
    open_svg(out, c, W, H);
    y_axis(out, &t, c->fmt, x0, x1, ybot, sy);
    axis_title_y(out, c->y_label, 14, (top + ybot) / 2);
    enc_buf_printf(
        out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS_COLOR "\"/>\n",
        x0, x1, ybot, ybot);
    /* legend under the title */
    double lx = x0;
    for (size_t j = 0; j < nseries; j++) {
        const char *col = enc_svg_color(s[j].color);
        enc_buf_printf(out,
                       "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"38\" y2=\"38\" stroke=\"%s\" "
                       "stroke-width=\"2.5\"%s/>",
                       lx, lx + 22, col, s[j].dashed ? " stroke-dasharray=\"6 4\"" : "");
        text_at(out, lx + 28, 42, NULL);
        put_text_fit(out, s[j].name, FONT, LABEL_MAX_PX);
        enc_buf_adds(out, "</text>\n");
        lx += 28 + fit_width(s[j].name, FONT, LABEL_MAX_PX) + 18;
    }
    for (size_t j = 0; j < nseries; j++) {
        if (!s[j].y) continue;
        const char *col = enc_svg_color(s[j].color);
        enc_buf_printf(out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"", col,
                       s[j].dashed ? " stroke-dasharray=\"6 4\"" : "");
        bool pen = false;
        for (size_t i = 0; i < n; i++) {
            double y = s[j].y[i];
            if (!isfinite(y)) {
                pen = false;
                continue;
            }
            enc_buf_printf(out, "%s%.1f %.1f ", pen ? "L" : "M", LX(i), LY(y));
            pen = true;
        }
        enc_buf_adds(out, "\"/>\n");
        enc_buf_printf(out, "<g fill=\"%s\">", col);
        for (size_t i = 0; i < n; i++) {
            double y = s[j].y[i];
            if (!isfinite(y)) continue;
            char val[48];
            enc_svg_fmt_value(val, sizeof val, y, c->fmt);
            enc_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"><title>", LX(i), LY(y),
                           n > 60 ? 1.5 : 3.0);
            enc_svg_escape(out, s[j].name);
            enc_buf_adds(out, ", ");
            enc_svg_escape(out, lab(x_labels, i));
            enc_buf_printf(out, ": %s</title></circle>", val);
        }
        enc_buf_adds(out, "</g>\n");
    }
    xlab *xl = enc_xmalloc((n ? n : 1) * sizeof *xl);
    for (size_t i = 0; i < n; i++) xl[i] = (xlab){LX(i), lab(x_labels, i)};
    x_labels_greedy(out, xl, n, ybot + 17, 4, W - 4);
    free(xl);
    axis_title_x(out, c->x_label, (x0 + x1) / 2, H - 6);
    close_svg(out);
#undef LX
#undef LY
}

/* ---- intervals ------------------------------------------------------------------------------- */

void enc_svg_interval(enc_buf *out, const enc_svg_chart *c, size_t n, const char *const *labels,
                      const double *est, const double *lo, const double *hi,
                      const char *const *notes)
{
    double vmin = 0, vmax = 0; /* the axis always holds 0: "no effect" */
    size_t finite = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(est[i])) continue;
        finite++;
        double a = isfinite(lo[i]) ? lo[i] : est[i], b = isfinite(hi[i]) ? hi[i] : est[i];
        vmin = fmin(vmin, fmin(a, est[i]));
        vmax = fmax(vmax, fmax(b, est[i]));
    }
    enc_svg_ticks t;
    if (finite) enc_svg_ticks_make(vmin, vmax, 5, &t);
    if (!finite || t.n < 2) {
        no_data(out, c);
        return;
    }
    double W = c->width > 0 ? c->width : DEFAULT_W;
    double label_w = 0, note_w = 0;
    for (size_t i = 0; i < n; i++) {
        label_w = fmax(label_w, fit_width(lab(labels, i), FONT, fmin(LABEL_MAX_PX, W * 0.3)));
        note_w = fmax(note_w, fit_width(lab(notes, i), FONT, LABEL_MAX_PX));
    }
    double top = 34, row = 28, bottom = 26 + (c->x_label ? 18 : 0);
    double H = top + row * (double)n + bottom, ybot = top + row * (double)n;
    double x0 = 12 + label_w + 8, x1 = W - 12 - note_w - 8;
    if (x1 - x0 < 120) x1 = x0 + 120, W = x1 + note_w + 20;
    double sx = (x1 - x0) / (t.v[t.n - 1] - t.v[0]);
#define IX(val) (x0 + ((val)-t.v[0]) * sx)
    open_svg(out, c, W, H);
    x_axis(out, &t, c->fmt, x0, sx, top, ybot);
    axis_title_x(out, c->x_label, (x0 + x1) / 2, ybot + 34);
    enc_buf_printf(out,
                   "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS_COLOR
                   "\" stroke-dasharray=\"4 3\"/>\n",
                   IX(0), IX(0), top, ybot);
    const char *col = enc_svg_color(c->color);
    for (size_t i = 0; i < n; i++) {
        double yc = top + row * ((double)i + 0.5);
        text_at(out, x0 - 8, yc + 4, "end");
        put_text_fit(out, lab(labels, i), FONT, fmin(LABEL_MAX_PX, W * 0.3));
        enc_buf_adds(out, "</text>\n");
        if (isfinite(est[i])) {
            char v[48], a[48], b[48];
            enc_svg_fmt_value(v, sizeof v, est[i], c->fmt);
            enc_svg_fmt_value(a, sizeof a, lo[i], c->fmt);
            enc_svg_fmt_value(b, sizeof b, hi[i], c->fmt);
            enc_buf_printf(out, "<g stroke=\"%s\" stroke-width=\"2\" fill=\"%s\"><title>", col,
                           col);
            enc_svg_escape(out, lab(labels, i));
            enc_buf_printf(out, ": %s [%s, %s]</title>", v, a, b);
            if (isfinite(lo[i]) && isfinite(hi[i]))
                enc_buf_printf(out,
                               "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                               "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                               "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                               IX(lo[i]), IX(hi[i]), yc, yc, IX(lo[i]), IX(lo[i]), yc - 6, yc + 6,
                               IX(hi[i]), IX(hi[i]), yc - 6, yc + 6);
            enc_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\"/></g>\n", IX(est[i]), yc);
        }
        text_at(out, x1 + 8, yc + 4, NULL);
        put_text_fit(out, lab(notes, i), FONT, LABEL_MAX_PX);
        enc_buf_adds(out, "</text>\n");
    }
#undef IX
    close_svg(out);
}
