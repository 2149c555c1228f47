/* report.h — the one-file HTML report (`encore report --html FILE`): what the latest scoring run
 * found (profiles, score_runs) and what happened since (orders), as sections of tables and inline
 * SVG charts (svg.h). It reads the store with one aggregate SQL query per table or chart; the
 * per-customer work was done by `encore score`. The page needs no network: no scripts, no fonts,
 * no links outside itself.
 *
 * A section is a function writing HTML for one topic; the list of sections is in report.c. To
 * add one (campaigns, say), write an enc_report_section_fn in its own file and add a line to that
 * list: the driver writes the <section>, its heading and the navigation, and counts the charts. */
#ifndef ENCORE_REPORT_H
#define ENCORE_REPORT_H
#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

#define ENC_REPORT_MAX_SECTIONS 32

typedef struct enc_report_opts {
    const char *store_name; /* shown in the heading (e.g. the file name); may be NULL */
    int weeks;              /* weeks drawn after the as-of date (1..52; 0 = 13, longer when
                               orders after the as-of date cover more) */
    int64_t now;            /* the campaign section counts responses up to here (0 = the
                               current time) */
} enc_report_opts;

/* What a section function sees. Read-only for sections except `out` (append HTML) and `charts`
 * (enc_report_figure_end counts). Everything here lives for the duration of enc_report_html. */
typedef struct enc_report {
    enc_store *st; /* read through report_store.h */
    enc_buf *out;  /* the page being written */
    const enc_report_opts *opts;
    /* read once before the first section */
    int64_t profiles;  /* rows in profiles; 0 = nothing scored yet */
    int64_t runs;      /* distinct run ids among them */
    int64_t run_id;    /* the latest run (largest id in profiles) */
    int64_t as_of;     /* its as-of instant (epoch seconds): orders before it were scored */
    int64_t scored_at; /* when it ran (score_runs.started_at), 0 when unknown */
    double seconds;    /* how long it took, NaN when unknown */
    char models[256];  /* score_runs.models as stored (unescaped; may be empty) */
    char currency[8];  /* the orders' currency code, "" when none or several */
    bool mixed_currency;
    int digits;        /* minor-unit digits of the currency (2 when unknown) */
    int64_t campaigns; /* campaigns with members: the campaign section is written when > 0 */
    int charts;        /* charts written so far */
    int figure_open;
} enc_report;

typedef enc_rc (*enc_report_section_fn)(enc_report *r, enc_err *err);

/* Sections place each chart inside a figure: enc_report_figure_begin, the enc_svg_* call onto
 * r->out, then enc_report_figure_end with a caption (plain text, escaped here; may be NULL). */
void enc_report_figure_begin(enc_report *r);
void enc_report_figure_end(enc_report *r, const char *caption);
/* Appends plain text escaped for HTML. */
void enc_report_text(enc_report *r, const char *s);
/* Formats minor units of the report's currency: "USD 1,234.50" (no code when unknown). */
void enc_report_money(const enc_report *r, char *out, size_t cap, int64_t minor);

/* What was written. */
typedef struct enc_report_result {
    int sections, charts;
    size_t bytes;
    bool empty; /* no profiles: the page says to run `encore score` first */
    int64_t profiles, run_id, as_of;
    const char *section_id[ENC_REPORT_MAX_SECTIONS]; /* static strings */
    int section_charts[ENC_REPORT_MAX_SECTIONS];
} enc_report_result;

/* Writes the whole page onto out (appended; the caller owns and frees out). res may be NULL.
 * Fails only when the store cannot be read (ENC_EDB); an empty store or empty profiles give a
 * page that says so. */
enc_rc enc_report_html(enc_store *st, const enc_report_opts *opts, enc_buf *out,
                       enc_report_result *res, enc_err *err);

/* The campaign section (report_campaigns.c): one part per campaign with members. */
enc_rc enc__report_campaigns(enc_report *r, enc_err *err);

/* The cohort retention section (report_cohorts.c): customers by month of first purchase. */
enc_rc enc__report_cohorts(enc_report *r, enc_err *err);

/* Internal-but-shared (tests): monotone piecewise-cubic interpolation of points (x[i], y[i]),
 * x strictly ascending, n >= 2, at t in [x[0], x[n-1]] (NaN outside): SciPy's
 * PchipInterpolator (Fritsch & Carlson 1980, with SciPy's end-point derivatives). The report
 * interpolates cumulative expected purchases known at 30, 90 and 365 days to weekly values. */
double enc__report_pchip(const double *x, const double *y, int n, double t);
#endif
