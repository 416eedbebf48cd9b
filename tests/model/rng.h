/* SPDX-License-Identifier: MIT */
/*
 * rng.h: the randomised tests' PRNG, splitmix64, so that a seed means the
 * same run everywhere (rand() differs between libcs).
 */
#ifndef BUDDY_TEST_RNG_H
#define BUDDY_TEST_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t x = (r->s += 0x9e3779b97f4a7c15ull);

    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Uniform-enough in [0, n); 0 when n is 0. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    return n == 0 ? 0 : rng_next(r) % n;
}

#endif /* BUDDY_TEST_RNG_H */
