/* SPDX-License-Identifier: MIT */
/*
 * internal.h: what the slab layer's files share (slab.c and kmalloc.c),
 * never its users.
 */
#ifndef BUDDY_SLAB_INTERNAL_H
#define BUDDY_SLAB_INTERNAL_H

#include "buddy/slab.h"

/* A metadata zone's memory, [lo, lo + len): where a page word must point
 * before the lookup reads the descriptor it names. */
struct buddy__slab_span {
    uintptr_t lo, len;
};

/* Fill *ms for meta: 0, EBADZONE, ENOBASE. */
int buddy__slab_span_of(const struct buddy_zone *meta,
                        struct buddy__slab_span *ms);

/* The cache whose live slab holds the page of obj, in *cache: 0, or
 * ERANGE (obj outside zone) / ENOTSLAB. Says nothing about obj within the
 * slab (buddy_slab_free checks that, under the cache's lock). No lock: for
 * an object its caller holds, the slab cannot go meanwhile. O(1). */
int buddy__slab_owner(const struct buddy_zone *zone,
                      const struct buddy__slab_span *ms, const void *obj,
                      struct buddy_slab_cache **cache);

/* buddy__slab_size when obj is an allocated object of c, else 0. Under
 * the cache's lock. */
size_t buddy__slab_obj_size(struct buddy_slab_cache *c, const void *obj);

/* buddy_slab_alloc and buddy_slab_free with the caller STORE_USER
 * records: kmalloc passes its own caller's. */
void *buddy__slab_alloc_from(struct buddy_slab_cache *c, uintptr_t caller);
int buddy__slab_free_from(struct buddy_slab_cache *c, void *obj,
                          uintptr_t caller);

/* Where an object's slot is: its slab's descriptor and index. */
struct buddy__slab_at {
    void *slab;
    uint32_t index;
};

/* The cache, slab and index of the object slot obj starts, of any cache
 * on these zones: 0, ENULL, ERANGE, ENOTSLAB or EINTERIOR. Says nothing of
 * whether it is allocated. No lock, as buddy__slab_owner. */
int buddy__slab_find(const struct buddy_zone *zone,
                     const struct buddy__slab_span *ms, const void *obj,
                     struct buddy_slab_cache **cache, struct buddy__slab_at *at);

/* buddy_slab_free_mag for an object buddy__slab_find placed in c. */
int buddy__slab_free_mag_at(struct buddy_slab_cache *c,
                            struct buddy_slab_mag *m, void *obj,
                            const struct buddy__slab_at *at, uintptr_t caller);

/* The free of obj into mags[i] when obj is an object of cache first[i],
 * i < n: its result; else 1, nothing done (for the caller to judge obj).
 * One lookup, as buddy__slab_find then buddy__slab_free_mag_at. */
int buddy__slab_free_mag_set(const struct buddy_zone *zone,
                             const struct buddy__slab_span *ms,
                             struct buddy_slab_cache *first, unsigned n,
                             struct buddy_slab_mag *mags, void *obj,
                             uintptr_t caller);

/* buddy_slab_alloc_mag with the caller STORE_USER records. */
void *buddy__slab_alloc_mag(struct buddy_slab_cache *c,
                            struct buddy_slab_mag *m, uintptr_t caller);

/* A created cache's usable object size (the slot, or with the debug
 * flags the object itself), 0 for anything else. */
size_t buddy__slab_size(const struct buddy_slab_cache *c);

#endif /* BUDDY_SLAB_INTERNAL_H */
