/* svg.h — a small chart library for the HTML report (src/report/report.c): bar charts,
 * histograms, a heatmap, a line chart and intervals (a forest plot), written as inline SVG text
 * onto an enc_buf. No JavaScript, no fonts or files fetched: each chart is one self-contained <svg>
 * element with an accessible <title>/<desc>, axes with "nice" ticks (Heckbert 1990) and a <title>
 * tooltip on every mark. All text is escaped for XML, so a chart is a well-formed XML fragment
 * whatever the labels hold. Values that are NaN or infinite are left out (a gap, no bar); a chart
 * with nothing to draw says "no data". Strings are borrowed for the call only; the caller owns
 * every buffer. */
#ifndef ENCORE_REPORT_SVG_H
#define ENCORE_REPORT_SVG_H
#include "base/buf.h"
#include <stdbool.h>
#include <stddef.h>

/* How values and value-axis ticks read. */
typedef enum enc_svg_fmt {
    ENC_SVG_NUM = 0, /* 1,234; 12.3k; 4.5M */
    ENC_SVG_PCT,     /* a fraction: 0.253 -> 25.3% */
} enc_svg_fmt;

/* What every chart takes. Only id and title are required. */
typedef struct enc_svg_chart {
    const char *id;                /* unique in the page; characters outside [A-Za-z0-9_-] -> '_' */
    const char *title;             /* drawn at the top and the accessible <title> */
    const char *desc;              /* one sentence for <desc> (screen readers); may be NULL */
    const char *x_label, *y_label; /* axis titles; may be NULL */
    int width, height;             /* pixels; 0 = 560 wide, height chosen by the chart */
    enc_svg_fmt fmt;               /* of the values (bar lengths, cell counts, y of lines) */
    enc_svg_fmt x_fmt;             /* of a linear histogram's edges */
    int color;                     /* palette index of the first series (enc_svg_color) */
} enc_svg_chart;

/* ---- text ------------------------------------------------------------------------------------ */

/* Appends s (n bytes) escaped for XML text and attribute values: & < > " ' become entities,
 * byte sequences that are not UTF-8 become U+FFFD, and characters XML 1.0 forbids (C0 controls
 * other than tab, newline, return; U+FFFE, U+FFFF) are dropped. */
void enc_svg_escape_n(enc_buf *b, const char *s, size_t n);
void enc_svg_escape(enc_buf *b, const char *s); /* NUL-terminated; NULL appends nothing */

/* Estimated width in pixels of s set in a sans-serif face of font_px: East Asian wide characters
 * count one em, others 0.36 to 0.74 em (no font metrics are available when writing
 * SVG text; used to size margins and to keep labels from overlapping). */
double enc_svg_text_width(const char *s, double font_px);

/* Formats v for a label: ENC_SVG_NUM with thousands separators below 100,000 and k/M/B above
 * (3 significant digits); ENC_SVG_PCT as a percentage with one decimal. NaN/inf -> "n/a". */
void enc_svg_fmt_value(char *out, size_t cap, double v, enc_svg_fmt fmt);

/* Palette colour i (Okabe & Ito's colour-blind-safe set, cycling) as "#rrggbb". */
const char *enc_svg_color(int i);

/* ---- scales ---------------------------------------------------------------------------------- */

#define ENC_SVG_MAX_TICKS 16
/* Ticks from Heckbert's "Nice numbers for graph labels" (Graphics Gems, 1990): a step of 1, 2 or
 * 5 times a power of ten such that about `target` ticks (2..ENC_SVG_MAX_TICKS) cover [lo, hi];
 * v[0] <= lo and v[n-1] >= hi. lo == hi gets a range around the value ([0, 1] for 0); non-finite
 * input, or a range or ticks beyond the largest double, gives n = 0 (charts then say "no data").
 * `decimals` is what labels need to show the step exactly. */
typedef struct enc_svg_ticks {
    int n;
    double step;
    int decimals;
    double v[ENC_SVG_MAX_TICKS];
} enc_svg_ticks;
void enc_svg_ticks_make(double lo, double hi, int target, enc_svg_ticks *t);
/* A tick label with the ticks' decimals; ENC_SVG_NUM values from 10,000 up print as k/M/B. */
void enc_svg_fmt_tick(char *out, size_t cap, const enc_svg_ticks *t, double v, enc_svg_fmt fmt);

/* Histogram bins. Bins are [e[i], e[i+1]) except the last, which is closed: [e[n-1], e[n]].
 * enc_svg_lin_edges: equal bins of a nice width (1, 2 or 5 times a power of ten), at most
 * max_bins (2..64) of them, from the largest multiple of the width at or below lo to the smallest
 * at or above hi (the last bin is closed, so hi is in it); lo == hi gets one bin holding it.
 * Returns the number of bins (edges written: bins + 1), 0 when lo or hi is not finite, lo > hi,
 * or the range is beyond the doubles (hi - lo overflows; a subnormal lo == hi). */
int enc_svg_lin_edges(double lo, double hi, int max_bins, double *edges);
/* enc_svg_log_edges: edges on the 1-2-5 sequence (..., 0.5, 1, 2, 5, 10, 20, ...) from the
 * largest at or below lo to the smallest above hi, for skewed positive quantities such as money.
 * Needs 0 < lo <= hi, finite; writes at most cap edges and returns the number of bins (0 when
 * the input is invalid or cap is too small). */
int enc_svg_log_edges(double lo, double hi, double *edges, int cap);
/* Bin of v under the rule above, or -1 when v is NaN, infinite or outside [e[0], e[n]]. */
int enc_svg_bin_of(const double *edges, int nbins, double v);

/* ---- charts (each appends one <svg> element to out) ------------------------------------------ */

/* Bars of values[i] named labels[i]; horizontal bars grow right from a label column (best for
 * long or many names), vertical bars stand on an x axis. notes[i] (NULL, or an array with NULL
 * entries) replaces the value text written at the end of a bar, e.g. "312 · 14.2%". */
void enc_svg_bar(enc_buf *out, const enc_svg_chart *c, bool horizontal, size_t n,
                 const char *const *labels, const double *values, const char *const *notes);

/* Histogram of counts[0..nbins) over edges[0..nbins]; log_x places the edges on a logarithmic
 * axis (edges must then be positive), as enc_svg_log_edges gives. Edges must ascend. */
void enc_svg_hist(enc_buf *out, const enc_svg_chart *c, size_t nbins, const double *edges,
                  const double *counts, bool log_x);

/* Heatmap of v[rows * cols] (row-major; row 0 drawn at the top) with each cell's value written in
 * it and a colour scale from 0 (or the smallest value, when negative) to the largest. */
void enc_svg_heatmap(enc_buf *out, const enc_svg_chart *c, size_t rows, size_t cols,
                     const char *const *row_labels, const char *const *col_labels, const double *v);

/* Line chart over n categories (x_labels[i], e.g. weeks), one line per series with a legend;
 * NaN/inf points break a line. */
typedef struct enc_svg_series {
    const char *name;
    const double *y; /* n values */
    int color;       /* palette index */
    bool dashed;
} enc_svg_series;
void enc_svg_line(enc_buf *out, const enc_svg_chart *c, size_t n, const char *const *x_labels,
                  size_t nseries, const enc_svg_series *s);

/* Estimates with intervals (a forest plot): row i shows est[i] as a dot and [lo[i], hi[i]] as a
 * line with end caps, labels[i] on the left and notes[i] (may be NULL, or hold NULLs) on the
 * right, over a horizontal value axis that always holds 0 (drawn dashed: "no effect"). A row
 * whose estimate is NaN is left empty; a NaN bound draws the dot alone. */
void enc_svg_interval(enc_buf *out, const enc_svg_chart *c, size_t n, const char *const *labels,
                      const double *est, const double *lo, const double *hi,
                      const char *const *notes);
#endif
