/* rng.h — a small seedable pseudo-random number generator and the draws the engines need:
 * xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64, with uniform, normal,
 * exponential, gamma, beta, Poisson, Dirichlet and categorical draws, and a stateless 64-bit
 * hash for assignment by key (A/B arms, sampling). Used by the generator (src/gen), k-means++,
 * simulations and assignment. No global state: every stream is an enc_rng value the caller
 * owns; the same seed gives the same sequence on every platform (integer core, IEEE doubles). */
#ifndef ENCORE_RNG_H
#define ENCORE_RNG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct enc_rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
    double spare;  /* second normal deviate of the last polar pair */
    bool has_spare;
} enc_rng;

/* splitmix64 (Steele, Lea & Flood 2014): advances *state and returns the next output. */
uint64_t enc_splitmix64(uint64_t *state);
/* A seeded hash of a byte string (map.h's enc_hash_bytes mixed with the seed), for assignment
 * by key (A/B arm of a customer id): stable across runs and platforms. */
uint64_t enc_rng_keyed_hash(uint64_t seed, const void *p, size_t n);

/* Seeds the state from a 64-bit seed through splitmix64 (the authors' recommendation). */
void enc_rng_seed(enc_rng *r, uint64_t seed);
/* An independent stream `stream` of seed (e.g. one per customer): same (seed, stream), same
 * sequence; different streams are decorrelated by hashing both into the splitmix64 state. */
void enc_rng_seed_stream(enc_rng *r, uint64_t seed, uint64_t stream);
/* Advances the state by 2^128 draws: non-overlapping sub-sequences for parallel workers. */
void enc_rng_jump(enc_rng *r);

uint64_t enc_rng_next(enc_rng *r);                      /* 64 random bits */
double enc_rng_uniform(enc_rng *r);                     /* [0, 1), 53-bit resolution */
double enc_rng_uniform_pos(enc_rng *r);                 /* (0, 1): safe for log() */
double enc_rng_range(enc_rng *r, double lo, double hi); /* [lo, hi) */
/* An integer in [0, n) without bias (Lemire 2019, multiply-shift with rejection); n > 0. */
uint64_t enc_rng_below(enc_rng *r, uint64_t n);
bool enc_rng_bernoulli(enc_rng *r, double p); /* true with probability p */

/* Normal(mu, sigma) by Marsaglia's polar method (pairs; the spare is kept in r). */
double enc_rng_normal(enc_rng *r, double mu, double sigma);
/* Exponential with the given rate (mean 1/rate), by inversion. */
double enc_rng_exponential(enc_rng *r, double rate);
/* Gamma with shape k > 0 and scale theta (mean k*theta, variance k*theta^2) by Marsaglia &
 * Tsang (2000), "A simple method for generating gamma variables", ACM TOMS 26(3); shape < 1
 * by the boost Gamma(k+1) * U^(1/k) from the same paper. */
double enc_rng_gamma(enc_rng *r, double shape, double scale);
/* Beta(a, b) as X/(X+Y) with X ~ Gamma(a, 1), Y ~ Gamma(b, 1). */
double enc_rng_beta(enc_rng *r, double a, double b);
/* Poisson(mean): multiplication method for mean < 10, else Hormann's transformed rejection
 * PTRS (1993), "The transformed rejection method for generating Poisson random variables",
 * Insurance: Mathematics and Economics 12. mean <= 0 gives 0. */
uint64_t enc_rng_poisson(enc_rng *r, double mean);
/* Geometric: number of failures before the first success, success probability p in (0, 1]. */
uint64_t enc_rng_geometric(enc_rng *r, double p);
/* Dirichlet(alpha[0..n)) into out[0..n) (normalised gammas). */
void enc_rng_dirichlet(enc_rng *r, const double *alpha, size_t n, double *out);
/* An index in [0, n) drawn with probability w[i] / sum(w); weights >= 0 with a positive sum.
 * Linear scan: for repeated draws from one distribution use enc_alias. */
size_t enc_rng_categorical(enc_rng *r, const double *w, size_t n);
/* Fisher-Yates shuffle of n uint32 values in place. */
void enc_rng_shuffle_u32(enc_rng *r, uint32_t *a, size_t n);

/* Walker's alias table (Vose 1991 construction): O(1) draws from a fixed discrete
 * distribution. enc_alias_init allocates; the caller frees with enc_alias_free. */
typedef struct enc_alias {
    size_t n;
    double *prob; /* acceptance probability of column i */
    uint32_t *alias;
} enc_alias;
void enc_alias_init(enc_alias *t, const double *w, size_t n);
size_t enc_alias_draw(const enc_alias *t, enc_rng *r);
void enc_alias_free(enc_alias *t);
#endif
