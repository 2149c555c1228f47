/* rng.c — xoshiro256** seeded by splitmix64, and the distributions built on it (see rng.h).
 * The core follows Vigna's reference code (prng.di.unimi.it, public domain); every
 * distribution cites its method next to the function. */
#include "base/rng.h"
#include "base/map.h"
#include "base/mem.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t enc_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t enc_rng_keyed_hash(uint64_t seed, const void *p, size_t n)
{
    return enc_hash_u64(enc_hash_bytes(p, n) ^ enc_hash_u64(seed ^ 0x2545f4914f6cdd1dULL));
}

static void seed_from(enc_rng *r, uint64_t sm)
{
    for (int i = 0; i < 4; i++) r->s[i] = enc_splitmix64(&sm);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1; /* unreachable in practice */
    r->has_spare = false;
    r->spare = 0;
}

void enc_rng_seed(enc_rng *r, uint64_t seed) { seed_from(r, seed); }

void enc_rng_seed_stream(enc_rng *r, uint64_t seed, uint64_t stream)
{
    seed_from(r, enc_hash_u64(seed) ^
                     enc_hash_u64(stream * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL));
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t enc_rng_next(enc_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void enc_rng_jump(enc_rng *r)
{
    static const uint64_t JUMP[] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
                                    0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 64; b++) {
            if (JUMP[i] & (1ULL << b)) {
                s0 ^= r->s[0];
                s1 ^= r->s[1];
                s2 ^= r->s[2];
                s3 ^= r->s[3];
            }
            enc_rng_next(r);
        }
    r->s[0] = s0;
    r->s[1] = s1;
    r->s[2] = s2;
    r->s[3] = s3;
    r->has_spare = false;
}

double enc_rng_uniform(enc_rng *r) { return (double)(enc_rng_next(r) >> 11) * 0x1.0p-53; }

double enc_rng_uniform_pos(enc_rng *r)
{
    /* (k + 0.5) / 2^53 for k in [0, 2^53): strictly inside (0, 1) */
    return ((double)(enc_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double enc_rng_range(enc_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * enc_rng_uniform(r);
}

uint64_t enc_rng_below(enc_rng *r, uint64_t n)
{
    /* Lemire (2019), "Fast random integer generation in an interval", ACM TOMACS 29(1). */
    uint64_t x = enc_rng_next(r);
    unsigned __int128 m = (unsigned __int128)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = (0 - n) % n;
        while (l < t) {
            x = enc_rng_next(r);
            m = (unsigned __int128)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

bool enc_rng_bernoulli(enc_rng *r, double p) { return enc_rng_uniform(r) < p; }

double enc_rng_normal(enc_rng *r, double mu, double sigma)
{
    /* Marsaglia & Bray (1964) polar method: (u, v) uniform in the unit disc, s = u^2 + v^2,
     * u*sqrt(-2 ln s / s) and v*sqrt(-2 ln s / s) are independent standard normals. */
    if (r->has_spare) {
        r->has_spare = false;
        return mu + sigma * r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * enc_rng_uniform(r) - 1.0;
        v = 2.0 * enc_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->has_spare = true;
    return mu + sigma * u * f;
}

double enc_rng_exponential(enc_rng *r, double rate) { return -log(enc_rng_uniform_pos(r)) / rate; }

double enc_rng_gamma(enc_rng *r, double shape, double scale)
{
    if (shape < 1.0) {
        /* Gamma(k) = Gamma(k+1) * U^(1/k) (Marsaglia & Tsang 2000, section 6); computed in
         * logs so that tiny shapes underflow gracefully to 0 rather than to NaN. */
        double g = enc_rng_gamma(r, shape + 1.0, 1.0);
        double lu = log(enc_rng_uniform_pos(r)) / shape;
        return scale * g * exp(lu);
    }
    /* Marsaglia & Tsang: d = k - 1/3, c = 1/sqrt(9d); x ~ N(0,1), v = (1 + c x)^3; accept d*v
     * when u < 1 - 0.0331 x^4 (squeeze) or ln u < x^2/2 + d (1 - v + ln v). */
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = enc_rng_normal(r, 0.0, 1.0);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = enc_rng_uniform_pos(r), x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return scale * d * v;
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) return scale * d * v;
    }
}

double enc_rng_beta(enc_rng *r, double a, double b)
{
    double x = enc_rng_gamma(r, a, 1.0), y = enc_rng_gamma(r, b, 1.0);
    if (x + y == 0.0) return enc_rng_uniform(r) < a / (a + b) ? 1.0 : 0.0; /* both underflowed */
    return x / (x + y);
}

uint64_t enc_rng_poisson(enc_rng *r, double mean)
{
    if (!(mean > 0.0)) return 0;
    if (mean < 10.0) {
        /* Knuth: count uniforms until their product falls below e^-mean. */
        double limit = exp(-mean), prod = enc_rng_uniform(r);
        uint64_t k = 0;
        while (prod > limit) {
            k++;
            prod *= enc_rng_uniform(r);
        }
        return k;
    }
    /* PTRS, Hormann (1993) Algorithm, as also used by NumPy. */
    double slam = sqrt(mean), loglam = log(mean);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = enc_rng_uniform(r) - 0.5, v = enc_rng_uniform_pos(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr) return (uint64_t)k;
        if (k < 0.0 || (us < 0.013 && v > us)) continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -mean + k * loglam - lgamma(k + 1.0))
            return (uint64_t)k;
    }
}

uint64_t enc_rng_geometric(enc_rng *r, double p)
{
    if (p >= 1.0) return 0;
    /* inversion: floor(ln U / ln(1 - p)) */
    return (uint64_t)floor(log(enc_rng_uniform_pos(r)) / log1p(-p));
}

void enc_rng_dirichlet(enc_rng *r, const double *alpha, size_t n, double *out)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += out[i] = enc_rng_gamma(r, alpha[i], 1.0);
    if (sum <= 0.0) { /* every component underflowed: put the mass on one drawn by alpha */
        size_t k = enc_rng_categorical(r, alpha, n);
        for (size_t i = 0; i < n; i++) out[i] = i == k;
        return;
    }
    for (size_t i = 0; i < n; i++) out[i] /= sum;
}

size_t enc_rng_categorical(enc_rng *r, const double *w, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += w[i];
    double u = enc_rng_uniform(r) * sum;
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] <= 0) continue;
        last = i;
        if (u < w[i]) return i;
        u -= w[i];
    }
    return last; /* rounding left u >= 0 after the last positive weight */
}

void enc_rng_shuffle_u32(enc_rng *r, uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)enc_rng_below(r, i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

void enc_alias_init(enc_alias *t, const double *w, size_t n)
{
    /* Vose (1991), "A linear algorithm for generating random numbers with a given
     * distribution", IEEE TSE 17(9): scale to mean 1, pair each small column with a large. */
    t->n = n;
    t->prob = enc_xmalloc(n * sizeof *t->prob);
    t->alias = enc_xmalloc(n * sizeof *t->alias);
    uint32_t *small = enc_xmalloc(n * sizeof *small), *large = enc_xmalloc(n * sizeof *large);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += w[i];
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < n; i++) {
        t->prob[i] = w[i] * (double)n / sum;
        t->alias[i] = (uint32_t)i;
        if (t->prob[i] < 1.0) small[ns++] = (uint32_t)i;
        else large[nl++] = (uint32_t)i;
    }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[--nl];
        t->alias[s] = l;
        t->prob[l] -= 1.0 - t->prob[s];
        if (t->prob[l] < 1.0) small[ns++] = l;
        else large[nl++] = l;
    }
    while (nl) t->prob[large[--nl]] = 1.0;
    while (ns) t->prob[small[--ns]] = 1.0; /* rounding leftovers */
    free(small);
    free(large);
}

size_t enc_alias_draw(const enc_alias *t, enc_rng *r)
{
    size_t i = (size_t)enc_rng_below(r, t->n);
    return enc_rng_uniform(r) < t->prob[i] ? i : t->alias[i];
}

void enc_alias_free(enc_alias *t)
{
    free(t->prob);
    free(t->alias);
    t->prob = NULL;
    t->alias = NULL;
    t->n = 0;
}
