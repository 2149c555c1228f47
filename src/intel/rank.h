/* rank.h — stable argsort of a double column by LSD radix sort, the ranking step shared by the
 * intelligence kernels that need order statistics over all customers (RFM quantile scores, ROC
 * AUC). It sits inside scoring, after the snapshot has produced per-customer arrays. The caller
 * owns the workspace; nothing here allocates (STYLE 10). */
#ifndef ENCORE_INTEL_RANK_H
#define ENCORE_INTEL_RANK_H
#include <stddef.h>
#include <stdint.h>

/* Largest n the sort accepts (indices are uint32). */
#define ENC_RANK_MAX_N ((size_t)UINT32_MAX)

/* Bytes of workspace enc_rank_argsort needs for n values (24 a value), or 0 on overflow. */
size_t enc_rank_ws_size(size_t n);

/* Sorts v[0..n) ascending without touching it. Returns a pointer into ws to n indices in sorted
 * order; equal values keep their index order (stable), -0.0 equals 0.0. If keys_out is not NULL
 * it receives a pointer into ws to the n order-preserving 64-bit keys, sorted: two values are
 * equal exactly when their keys are. v must hold no NaN (the caller checks; NaNs would sort
 * after +inf). ws: at least enc_rank_ws_size(n) bytes, 8-byte aligned; the results live there
 * until the caller reuses it. n <= ENC_RANK_MAX_N. */
uint32_t *enc_rank_argsort(const double *v, size_t n, void *ws, const uint64_t **keys_out);

/* The order-preserving key of one double (what enc_rank_argsort sorts by). */
static inline uint64_t enc_rank_key(double x)
{
    union {
        double d;
        uint64_t u;
    } c;
    c.d = x == 0 ? 0.0 : x; /* -0.0 -> +0.0 */
    return (c.u >> 63) ? ~c.u : (c.u | 0x8000000000000000ull);
}
#endif
