/* SPDX-License-Identifier: MIT */
/*
 * internal.h: what the slab layer's files share (slab.c and kmalloc.c),
 * never its users.
 */
#ifndef BUDDY_SLAB_INTERNAL_H
#define BUDDY_SLAB_INTERNAL_H

#include "buddy/slab.h"

/* A metadata zone's memory, from lo: where a page word must point before
 * the lookup reads the descriptor it names. starts counts the offsets
 * from lo at which a whole descriptor fits (0 when none does), so the
 * lookup's test is one compare. */
struct buddy__slab_span {
    uintptr_t lo, starts;
};

/* Descriptor blocks that several caches share: each block's slots, of one
 * size, hold descriptors of any of its caches, so caches that have a slab
 * or two each (a kmalloc's classes in a small program) fill one page of
 * metadata between them rather than a page each. A cache not given one
 * keeps its own, in the same struct. The fields are slab.c's. */
struct desc_block;
struct buddy__desc_pool {
    uint32_t magic;              /* while initialised */
    uint32_t slot_size;          /* bytes per slot */
    uint32_t slots;              /* per block */
    uint8_t order;               /* of a block in meta */
    struct buddy_zone *meta;
    const struct buddy_lock_ops *lock; /* NULL: its caches' lock covers
                                    it (one lock, or none); else lives as
                                    long as the pool */
    struct desc_block *free;     /* blocks with a free slot */
    uint64_t nr_blocks;
};

/* Make *p, empty, for descriptors of up to slot_size bytes (a multiple
 * of 64) in blocks of meta; lock NULL where every cache that will use it
 * runs under one lock (or none), else kept by pointer. 0, ENULL, EINVAL,
 * EORDER (no block of meta holds a slot), ENOBASE. */
int buddy__desc_pool_init(struct buddy__desc_pool *p, struct buddy_zone *meta,
                          uint32_t slot_size,
                          const struct buddy_lock_ops *lock);

/* buddy_slab_cache_create, its descriptors in *pool where they fit its
 * slots and the metadata zone is the pool's (else in blocks of its own).
 * The pool outlives the cache. Locks nest: the cache's, then the
 * pool's, then the zones'. */
int buddy__slab_cache_create_pooled(struct buddy_slab_cache *c,
                                    const struct buddy_slab_config *cfg,
                                    struct buddy__desc_pool *pool);

/* The pool's blocks in use: 0 once every cache that used it is gone. */
uint64_t buddy__desc_pool_blocks(struct buddy__desc_pool *p);

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

/* Is obj an allocated object of c: 0 with *size its buddy__slab_size,
 * or the error a free would refuse it with (EINTERIOR, ENOTSLAB,
 * EDOUBLEFREE ...), *size 0. Under the cache's lock. */
int buddy__slab_obj_live(struct buddy_slab_cache *c, const void *obj,
                         size_t *size);

/* buddy__slab_size when obj is an allocated object of c, else 0. */
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

/* Make c, first[i] of a set of caches whose magazines are mags[i], one
 * that buddy__slab_free_mag_quick(..., first, mags, ...) takes objects of:
 * it records first and i in c, so the quick free's test that an object is
 * of the set is one compare and its magazine one load. A debug or divide
 * cache, or one that accounts (its free reads the owner), is left out (the
 * quick free refuses it). Once, after create. */
void buddy__slab_join_mag_set(struct buddy_slab_cache *c,
                              const struct buddy_slab_cache *first,
                              unsigned i);

/* buddy__slab_free_mag_set when that is all it takes: obj a slot start of
 * a live slab of a cache that joined first's set as first[i], whose
 * magazine mags[i] serves it, and the user's (its owned bit set): 0,
 * pushed (the older half of a full magazine flushed first). Anything else
 * (a cache of another set or of none, a debug one): 1, nothing changed,
 * for buddy__slab_free_mag_set to judge and report. Calls nothing else,
 * so a caller's fast path keeps no register across a call. One lookup;
 * no lock but the flush's. */
int buddy__slab_free_mag_quick(const struct buddy_zone *zone,
                               const struct buddy__slab_span *ms,
                               const struct buddy_slab_cache *first,
                               struct buddy_slab_mag *mags, void *obj);

/* buddy_slab_alloc_mag with the caller STORE_USER records. */
void *buddy__slab_alloc_mag(struct buddy_slab_cache *c,
                            struct buddy_slab_mag *m, uintptr_t caller);

/* A created cache's usable object size (the slot, or with the debug
 * flags the object itself), 0 for anything else. */
size_t buddy__slab_size(const struct buddy_slab_cache *c);

#endif /* BUDDY_SLAB_INTERNAL_H */
