/* uplift.h — the statistics of measurement: how much a campaign changed, with its uncertainty.
 * Pure functions over counts and per-customer values (no store): a difference of two
 * proportions (conversion) with Newcombe's interval and a two-sided test, a difference of two
 * means (revenue per customer) with Welch's interval and test, and Holm's adjustment for
 * several comparisons. Used by the campaign report (campreport.h) and the A/B decision
 * (src/campaign/run.c). Each formula and its source is given where it is computed. */
#ifndef ENCORE_MEASURE_UPLIFT_H
#define ENCORE_MEASURE_UPLIFT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wilson's score interval for x successes in n trials (Wilson 1927; no continuity
 * correction), two-sided at `level` (0.95). n == 0 gives NaN. */
void enc_stat_wilson(int64_t x, int64_t n, double level, double *lo, double *hi);

/* Two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2 (the Pearson
 * chi-square test of the 2x2 table without continuity correction); *z gets the statistic
 * (may be NULL). 1 when the pooled proportion is 0 or 1; NaN when n1 or n2 is 0. */
double enc_stat_ztest2(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double *z);

/* Two-sided p-value of Fisher's exact test of the table [[a, b], [c, d]]: the sum of the
 * hypergeometric probabilities of the tables with the margins fixed that are no more probable
 * than the one observed (within a relative 1e-7, as scipy.stats.fisher_exact). */
double enc_stat_fisher(int64_t a, int64_t b, int64_t c, int64_t d);

/* A difference of proportions p1 - p2 (treated - control). */
typedef struct enc_prop_diff {
    double p1, p2, diff;
    double lo, hi;  /* Newcombe's hybrid score interval (method 10 of Newcombe 1998) */
    double p_value; /* two-sided */
    bool fisher;    /* the p-value is Fisher's exact test (an expected cell under 5), else
                     * the pooled z-test */
} enc_prop_diff;
/* NaN fields when n1 or n2 is 0. */
void enc_stat_prop_diff(int64_t x1, int64_t n1, int64_t x2, int64_t n2, double level,
                        enc_prop_diff *out);

/* Mean and sample variance (n - 1 in the denominator; NaN below 2 values) of x[0..n), two
 * passes (the second sums squared deviations from the mean). */
void enc_stat_mean_var(const double *x, size_t n, double *mean, double *var);

/* A difference of means m1 - m2 with unequal variances (Welch 1947): se^2 = v1/n1 + v2/n2,
 * df by Welch-Satterthwaite, t = diff / se, interval diff -+ t_{df, 1-(1-level)/2} se, p-value
 * two-sided from Student's t with df degrees of freedom (scipy.stats.ttest_ind(equal_var=
 * False)). NaN when a group has fewer than 2 values; when se is 0 the interval is the point
 * and the p-value 0 (means differ) or NaN (they do not).
 * A group without variation (every value equal: a holdout with no buyers) says nothing of its
 * own spread, and Welch would take its variance as 0, giving an interval as narrow as if that
 * group were infinitely large (38 held out with no buyers "excluded zero" at p 0.011). Then the
 * pooled variance is used instead (Student's t, equal variances: what the null hypothesis of no
 * difference says), sp^2 = ((n1 - 1) v1 + (n2 - 1) v2) / (n1 + n2 - 2), se = sp sqrt(1/n1 +
 * 1/n2), df = n1 + n2 - 2, so the interval's width reflects the small group's size; `pooled`
 * says so. */
typedef struct enc_welch {
    double diff, se, df, t, lo, hi, p_value;
    bool pooled; /* Student's pooled-variance t (a group without variation), else Welch */
} enc_welch;
void enc_stat_welch(double n1, double m1, double v1, double n2, double m2, double v2, double level,
                    enc_welch *out);

/* Holm's step-down adjustment (Holm 1979) of p[0..n) into adj[0..n) (may alias p): sorted
 * ascending, adj_(i) = max over j <= i of min(1, (n - j + 1) p_(j)). Controls the
 * family-wise error rate; NaN entries stay NaN and do not count in n. */
void enc_stat_holm(const double *p, int n, double *adj);
#endif
