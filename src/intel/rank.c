/* rank.c — stable LSD radix argsort of doubles (see rank.h): doubles are mapped to unsigned keys
 * whose integer order is the numeric order (flip all bits of negatives, set the sign bit of the
 * rest), then sorted 11 bits a pass with one histogram sweep up front; passes in which every key
 * has the same digit are skipped, so small integer columns (order counts) take two or three
 * passes. Linear time; 24 bytes of workspace a value. */
#include "intel/rank.h"
#include <string.h>

#define BITS 11
#define RADIX (1u << BITS)
#define PASSES 6 /* ceil(64 / 11) */

size_t enc_rank_ws_size(size_t n)
{
    if (n > ENC_RANK_MAX_N) return 0;
    return n * (2 * sizeof(uint64_t) + 2 * sizeof(uint32_t));
}

uint32_t *enc_rank_argsort(const double *v, size_t n, void *ws, const uint64_t **keys_out)
{
    if (n == 0) { /* nothing to sort; ws may be NULL */
        if (keys_out) *keys_out = ws;
        return ws;
    }
    uint64_t *ka = ws, *kb = ka + n;
    uint32_t *ia = (uint32_t *)(kb + n), *ib = ia + n;
    static const int shift[PASSES] = {0, 11, 22, 33, 44, 55};
    uint32_t hist[PASSES][RADIX];
    memset(hist, 0, sizeof hist);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = enc_rank_key(v[i]);
        ka[i] = k;
        ia[i] = (uint32_t)i;
        for (int p = 0; p < PASSES; p++) hist[p][(k >> shift[p]) & (RADIX - 1)]++;
    }
    for (int p = 0; p < PASSES; p++) {
        uint32_t *h = hist[p];
        if (n == 0 || h[(ka[0] >> shift[p]) & (RADIX - 1)] == n) continue; /* one digit: no-op */
        uint32_t sum = 0;
        for (uint32_t d = 0; d < RADIX; d++) { /* counts -> starting offsets */
            uint32_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t k = ka[i];
            uint32_t pos = h[(k >> shift[p]) & (RADIX - 1)]++;
            kb[pos] = k;
            ib[pos] = ia[i];
        }
        uint64_t *tk = ka;
        ka = kb;
        kb = tk;
        uint32_t *ti = ia;
        ia = ib;
        ib = ti;
    }
    if (keys_out) *keys_out = ka;
    return ia;
}
