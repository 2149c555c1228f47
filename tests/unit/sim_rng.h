/* sim_rng.h — a splitmix64 stream for tests that simulate data (seeded by the test), with
 * uniform (0, 1) draws, and the ROC AUC of a score (NaN when it cannot be computed). Tests
 * only. */
#ifndef ENCORE_TEST_SIM_RNG_H
#define ENCORE_TEST_SIM_RNG_H
#include "base/mem.h"
#include "intel/auc.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t sim_state = 11;
static inline uint64_t sim_next(void)
{
    uint64_t z = (sim_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static inline double sim_unif(void) { return ((double)(sim_next() >> 11) + 0.5) * 0x1.0p-53; }
static inline double sim_auc(const double *score, const uint8_t *y, size_t n)
{
    void *ws = enc_xmalloc(enc_auc_ws_size(n));
    double a = NAN;
    if (enc_auc(score, y, n, &a, ws, NULL)) a = NAN;
    free(ws);
    return a;
}
#endif
