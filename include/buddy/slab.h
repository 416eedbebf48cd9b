/* SPDX-License-Identifier: MIT */
/*
 * buddy/slab.h: slab caches on buddy blocks, the kernel's kmem_cache.
 *
 * A cache hands out objects of one size, carved from slabs: buddy blocks
 * of the order the kernel's calculate_order picks for that size. Like the
 * core it is freestanding (this header includes only buddy/buddy.h and
 * the tenants' buddy/tenant.h, the layer below it), makes
 * no allocation of its own beyond the zones it is given, and never writes
 * into the objects' memory (a constructor does, if the user gives one):
 * each slab's descriptor, with one bit per object, lives out of band in a
 * metadata zone, so a cache can sub-allocate device memory or a file it
 * never touches. The metadata zone may be the objects' zone itself when
 * that memory is the program's to write.
 *
 * An object's slab is found from its address in O(1), with no header in
 * the object: the slab's pages carry their descriptor in the core's
 * per-page word (buddy_zone_set_private), and a free verifies that the word
 * names a live descriptor of this cache that covers the address. So every
 * bad free is refused with an error and changes nothing: an address
 * outside the zone (ERANGE), not in a live slab (ENOTSLAB), inside an
 * object (EINTERIOR), an object of another cache (EWRONGCACHE), one already
 * free (EDOUBLEFREE).
 *
 * Slabs are on one of three lists: partial (some objects free), full, and
 * empty (every object free; the kernel keeps those on its partial list).
 * An allocation takes from the first partial slab, else an empty one, else
 * makes a slab; a free that empties a slab keeps it while the cache has
 * fewer than min_partial empty slabs (the kernel's min_partial) and gives
 * it back to the zone otherwise, where it merges. buddy_slab_shrink gives
 * back every empty slab.
 *
 * Locking: with lock ops in the configuration, every call takes the
 * cache's lock (then the zones' locks, inside the core: lock order cache,
 * then zone); without, the cache is one thread's.
 */
#ifndef BUDDY_SLAB_H
#define BUDDY_SLAB_H

#include "buddy/buddy.h"
#include "buddy/tenant.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BUDDY_SLAB_HWCACHE_ALIGN 0x1u   /* SLAB_HWCACHE_ALIGN: objects on
                                           cache lines (below) */
#define BUDDY_SLAB_RECLAIM_ACCOUNT 0x2u /* SLAB_RECLAIM_ACCOUNT: slabs on
                                           reclaimable pageblocks */
/* slub_debug's flags. They write into the objects' memory (red zones,
 * poison, callers), so they need memory the cache may write. */
#define BUDDY_SLAB_CONSISTENCY_CHECKS 0x4u /* F: check every object's bytes
                                              on alloc and free */
#define BUDDY_SLAB_RED_ZONE 0x8u      /* Z: red zones around each object */
#define BUDDY_SLAB_POISON 0x10u       /* P: free objects and padding
                                         poisoned */
#define BUDDY_SLAB_STORE_USER 0x20u   /* U: the last alloc's and free's
                                         callers kept */
#define BUDDY_SLAB_DEBUG_ALL 0x3cu
#define BUDDY_SLAB_ACCOUNT 0x40u      /* SLAB_ACCOUNT: objects can be
                                         charged to tenants (below) */
#define BUDDY_SLAB_FLAGS_ALL 0x7fu

/* The bytes, as the kernel's include/linux/poison.h. */
#define BUDDY_SLAB_RED_INACTIVE 0xbbu /* red zone of a free object */
#define BUDDY_SLAB_RED_ACTIVE 0xccu   /* red zone of an allocated one */
#define BUDDY_SLAB_POISON_INUSE 0x5au /* padding */
#define BUDDY_SLAB_POISON_FREE 0x6bu  /* a free object's bytes */
#define BUDDY_SLAB_POISON_END 0xa5u   /* its last byte */

#define BUDDY_SLAB_CACHE_LINE 64u    /* the line HWCACHE_ALIGN aligns to */
#define BUDDY_SLAB_NAME_MAX 31u      /* bytes of a cache's name kept */
#define BUDDY_SLAB_MAX_ORDER 3u      /* slub_max_order, the kernel's
                                        PAGE_ALLOC_COSTLY_ORDER: a larger
                                        slab only when one object needs it */
#define BUDDY_SLAB_MAX_OBJECTS 32767u /* objects per slab at most (the
                                         kernel's MAX_OBJS_PER_PAGE) */

struct buddy_slab_config {
    const char *name;       /* shown in slabinfo; copied, cut to NAME_MAX */
    size_t size;            /* object size in bytes, at least 1 */
    size_t align;           /* 0, or a power of two: the objects' alignment */
    unsigned flags;         /* BUDDY_SLAB_* */
    void (*ctor)(void *obj); /* NULL, or run on every object of a new slab */
    struct buddy_zone *zone; /* the objects' zone; it must have a base */
    struct buddy_zone *meta_zone; /* the descriptors' zone, with a base,
                                     its memory the cache's to write; NULL:
                                     the objects' zone */
    unsigned nr_cpus;       /* sizes slabs as the kernel's min_objects,
                               4 * (fls(nr_cpus) + 1); 0 counts as 1 */
    const struct buddy_lock_ops *lock; /* NULL: one thread (copied) */
    struct buddy_system *system; /* NULL, or a system whose reclaim gets
                                    the cache's shrinker: registered at
                                    create and removed at destroy, so both
                                    while the system is not shared (its
                                    shrinker table has no lock) */
    struct buddy_tenants *tenants; /* with BUDDY_SLAB_ACCOUNT: the group
                                    whose tenants its objects are charged
                                    to; it outlives the cache */
};

#define BUDDY_SLAB_CONFIG_INIT \
    {NULL, 0, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL}

/* A cache, in the caller's storage (its fields are the library's). */
#define BUDDY_SLAB_CACHE_SIZE 448u
struct buddy_slab_cache {
    union {
        unsigned char bytes[BUDDY_SLAB_CACHE_SIZE];
        void *align_ptr_;
        uint64_t align_u64_;
    } u_;
};

/*
 * Make a cache in *c for objects of cfg->size bytes. The slot size is
 * the size rounded up to the alignment: the larger of cfg->align, the
 * pointer size and, with HWCACHE_ALIGN, the cache line halved while the
 * object fits in half of it (the kernel's calculate_alignment). The slab
 * order is the smallest that holds min_objects objects with at most 1/16
 * of the slab left over, then 1/8, then 1/4, up to BUDDY_SLAB_MAX_ORDER;
 * an object too large for that gets the order of its own size (the
 * kernel's calculate_order). Nothing is allocated until the first object.
 *
 * Errors, nothing made: ENULL (c, cfg or cfg->zone); EBADZONE (a zone not
 * initialised); ENOBASE (a zone without a base); EZERO (size 0); EINVAL
 * (align not 0 or a power of two, unknown flags, BUDDY_SLAB_ACCOUNT
 * without cfg->tenants or tenants without it, a lock without lock and
 * unlock); EORDER (a slab for one object needs an order above the zone's
 * max_order, or the metadata zone cannot hold one descriptor block); and
 * buddy_system_register_shrinker's (ENOSPC when the system's table is
 * full).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_slab_cache_create(struct buddy_slab_cache *c,
                                      const struct buddy_slab_config *cfg);

/*
 * Destroy an empty cache: its empty slabs and descriptor blocks go back to
 * their zones. With objects still allocated it refuses with EBUSY and
 * changes nothing, after reporting "Objects remaining in cache on
 * buddy_slab_cache_destroy()" with the cache's name through the report
 * hook, as the kernel's __kmem_cache_shutdown does; free them and destroy
 * again. EBADCACHE.
 */
BUDDY_API int buddy_slab_cache_destroy(struct buddy_slab_cache *c);

/* An object, or NULL (out of memory, or c not a cache). O(1) with a
 * partial or empty slab (a bit scan of the slab's map); otherwise one zone
 * allocation of the slab order and of a descriptor block when the cache's
 * are full, plus the constructor over the new slab's objects. */
BUDDY_NODISCARD
BUDDY_API void *buddy_slab_alloc(struct buddy_slab_cache *c);

/* Free an object. 0, or (reported, nothing changed) EBADCACHE, ENULL,
 * ERANGE, ENOTSLAB, EINTERIOR, EWRONGCACHE, EDOUBLEFREE. O(1); giving an
 * empty slab back adds a zone free. */
BUDDY_API int buddy_slab_free(struct buddy_slab_cache *c, void *obj);

/* Allocate nr objects into objs with one lock round trip, all or nothing
 * (the kernel's kmem_cache_alloc_bulk): nr, or 0 with nothing allocated
 * (objs may have been written then). EBADCACHE, ENULL (objs with
 * nr > 0). */
BUDDY_NODISCARD
BUDDY_API int buddy_slab_alloc_bulk(struct buddy_slab_cache *c, unsigned nr,
                                    void **objs);

/* Free nr objects with one lock round trip: each is checked as
 * buddy_slab_free checks it, a bad one refused (and reported) while the
 * others are freed. 0, or the first error. */
BUDDY_API int buddy_slab_free_bulk(struct buddy_slab_cache *c, unsigned nr,
                                   void *const *objs);

/*
 * Magazines: a thread's (or a CPU's) stack of one cache's free objects, in
 * front of the cache's lock, as Bonwick's magazines and the kernel's
 * sheaves. The caller owns the magazine and uses it from one thread at a
 * time (a CPU's with preemption off); the cache must have a lock when more
 * than one magazine, or any other call, can reach it at once.
 * buddy_slab_alloc_mag pops an object and buddy_slab_free_mag pushes one,
 * with no lock: a free looks the object's slab up (the same O(1) checks as
 * buddy_slab_free) and claims it from the user with one atomic operation
 * on the slab's owned map, so a double free is caught whether the first
 * free went to a slab or to any thread's magazine, and of two threads
 * freeing one object at once exactly one succeeds; an allocation gives it
 * back with one more. An empty magazine refills half of itself, a full one
 * flushes its older half, each in one lock round trip. A cache with debug
 * flags takes the lock on every call, as without a magazine, so its checks
 * all still run. Objects in a magazine count as allocated in the cache
 * (slabinfo, destroy's EBUSY, shrink keeps their slabs): flush a
 * magazine before destroying its cache, and when its thread ends.
 * A zeroed struct (BUDDY_SLAB_MAG_INIT) is an empty magazine; its fields
 * are the library's.
 */
#define BUDDY_SLAB_MAG_MAX 32u      /* objects a magazine holds at most; a
                                       cache takes 32 KiB of objects, 4 to
                                       this many */
struct buddy_slab_mag_slot_ {
    void *obj_;
    void *slab_;
    uint32_t index_;
};
struct buddy_slab_mag {
    uint32_t count_;
    const void *cache_;
    struct buddy_slab_mag_slot_ slot_[BUDDY_SLAB_MAG_MAX];
};
#define BUDDY_SLAB_MAG_INIT {0, NULL, {{NULL, NULL, 0}}}

/* An object from m, else as buddy_slab_alloc with m refilled (m NULL, or
 * holding another cache's objects: buddy_slab_alloc). O(1): a pop and an
 * atomic or. */
BUDDY_NODISCARD
BUDDY_API void *buddy_slab_alloc_mag(struct buddy_slab_cache *c,
                                     struct buddy_slab_mag *m);

/* Free obj into m (m NULL, or holding another cache's objects: as
 * buddy_slab_free). Errors as buddy_slab_free's, reported and nothing
 * changed. O(1): the slab lookup, an atomic and, a push. */
BUDDY_API int buddy_slab_free_mag(struct buddy_slab_cache *c,
                                  struct buddy_slab_mag *m, void *obj);

/* Every object of m back on its slab. EBADCACHE, ENULL (m), EWRONGCACHE
 * (m holds another cache's objects). */
BUDDY_API int buddy_slab_mag_flush(struct buddy_slab_cache *c,
                                   struct buddy_slab_mag *m);

/*
 * Objects charged to tenants, as the kernel's per-object accounting
 * (SLAB_ACCOUNT, __GFP_ACCOUNT): a cache made with BUDDY_SLAB_ACCOUNT and
 * cfg->tenants keeps one byte per object in its descriptors, out of band,
 * for the tenant the object is charged to. buddy_slab_alloc_tenant
 * charges the slot's bytes to tenant id (buddy_tenant_charge_bytes,
 * through stock: the reclaimers, the OOM callback, high's throttle; item
 * slab_reclaimable with BUDDY_SLAB_RECLAIM_ACCOUNT, else
 * slab_unreclaimable), then takes an object (as buddy_slab_alloc, or
 * buddy_slab_alloc_mag through m) and records id as its owner. Every free
 * of it, by any call and from any thread, uncharges that tenant; the
 * cache's other allocations are nobody's and charge nothing. The slabs'
 * pages are the cache's, charged to nobody, as the kernel's. So a free
 * reads the owner: a cache that accounts never takes the quick free of a
 * magazine set (buddy_kfree_mag_quick says 1 for its objects).
 *
 * 0 with the object in *obj, or (nothing allocated or charged, *obj NULL)
 * ENOTSUP (a cache without BUDDY_SLAB_ACCOUNT), the charge's errors
 * (ENOMEM past a max, ENOTENANT), ENOMEM when no slab can be made,
 * EBADCACHE, ENULL. buddy_slab_obj_tenant gives the owner of a live
 * object of c (0: nobody's, or not a live object). O(depth) for the
 * charge plus the allocation's.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_slab_alloc_tenant(struct buddy_slab_cache *c,
                                      struct buddy_tenant_stock *stock,
                                      unsigned id, void **obj);
BUDDY_NODISCARD
BUDDY_API int buddy_slab_alloc_mag_tenant(struct buddy_slab_cache *c,
                                          struct buddy_slab_mag *m,
                                          struct buddy_tenant_stock *stock,
                                          unsigned id, void **obj);
BUDDY_API unsigned buddy_slab_obj_tenant(struct buddy_slab_cache *c,
                                         const void *obj);

/* Give every empty slab back to the zone, and the descriptor blocks that
 * leaves unused: the kernel's kmem_cache_shrink. Returns the slab pages
 * given back (0 for a bad c). */
BUDDY_API uint64_t buddy_slab_shrink(struct buddy_slab_cache *c);

/* Fill *out with the cache's shrinker, for buddy_system_register_shrinker:
 * reclaim then gives back empty slabs (count: the objects they hold;
 * scan: whole empty slabs until nr_to_scan objects' worth). Unregister it
 * before destroying the cache. EBADCACHE, ENULL. */
BUDDY_NODISCARD
BUDDY_API int buddy_slab_shrinker(struct buddy_slab_cache *c,
                                  struct buddy_shrinker *out);

struct buddy_slab_info {
    char name[BUDDY_SLAB_NAME_MAX + 1];
    size_t object_size;      /* as asked */
    size_t size;             /* the slot: size plus alignment padding */
    size_t align;
    unsigned order;          /* of a slab */
    unsigned objects;        /* per slab */
    unsigned flags;
    unsigned min_partial;    /* empty slabs kept on free */
    uint64_t active_objs;    /* allocated */
    uint64_t num_objs;       /* in all slabs */
    uint64_t num_slabs;
    uint64_t partial_slabs;  /* of which some objects free */
    uint64_t empty_slabs;    /* of which every object free */
    uint64_t desc_blocks;    /* descriptor blocks in the metadata zone */
    uint64_t allocs, frees;  /* objects, since create */
    uint64_t slabs_made, slabs_freed;
    uint64_t rejected;       /* bad frees refused */
};

/* Fill *info. EBADCACHE, ENULL. O(1). */
BUDDY_API int buddy_slab_get_info(const struct buddy_slab_cache *c,
                                  struct buddy_slab_info *info);

/* /proc/slabinfo, version 2.1, in the kernel's format: the two header
 * lines, then one line per cache ("%-17s %6lu %6lu %6u %4u %4d : tunables
 * %4u %4u %4u : slabdata %6lu %6lu %6lu"). active_objs counts the objects
 * allocated, objsize is the slot size, and tunables and sharedavail are 0,
 * as SLUB prints them; active_slabs is num_slabs, as SLUB's. Written as
 * snprintf writes: cut to size with a NUL, the length the whole text needs
 * returned. A bad cache prints nothing. */
BUDDY_API size_t buddy_slabinfo_header(char *buf, size_t size);
BUDDY_API size_t buddy_slabinfo_line(const struct buddy_slab_cache *c,
                                     char *buf, size_t size);
/* The header and a line for each of the n caches. */
BUDDY_API size_t buddy_slabinfo(struct buddy_slab_cache *const *caches,
                                unsigned n, char *buf, size_t size);

/*
 * Check every slab of the cache: each list's slabs are of that list's
 * kind, every descriptor is live and its slab's pages point to it, the
 * free bits agree with the in-use count, the counts with the lists, and
 * every slab block is an allocated block of the slab order in the zone.
 * 0, or ECORRUPT with *rep saying what (rep may be NULL); EBADCACHE.
 * Under the cache's lock; O(slabs * objects / 64).
 */
BUDDY_API int buddy_slab_check(struct buddy_slab_cache *c,
                               struct buddy_check_report *rep);

/* What the cache refuses or finds: a bad free (its error and address),
 * the destroy of a cache with objects left, and with the debug flags a
 * red zone or poison overwritten. `what` is the kernel's wording where it
 * has one ("Object already free", "Redzone overwritten", "Poison
 * overwritten"). With CONSISTENCY_CHECKS an object whose red zone was
 * overwritten is not freed (ECORRUPT, as the kernel leaves it); a free
 * object found overwritten at its allocation is mended and handed out. */
struct buddy_slab_report {
    const char *cache;       /* the cache's name */
    int err;                 /* the error returned, or ECORRUPT for what a
                                check found */
    const void *obj;         /* the object or address */
    const char *what;
    const void *first_bad;   /* the first wrong byte, or NULL */
    uint8_t found, expected; /* its value, and what it should be */
    uintptr_t alloc_caller;  /* STORE_USER: the object's last allocation's
                                caller, 0 if unknown */
    uintptr_t free_caller;   /* and its last free's */
};

/* Called with the cache's lock held, so it must not call the cache. */
typedef void (*buddy_slab_report_fn)(void *arg,
                                     const struct buddy_slab_report *r);
/* Set (fn NULL: clear) the report hook. EBADCACHE. */
BUDDY_API int buddy_slab_set_report(struct buddy_slab_cache *c,
                                    buddy_slab_report_fn fn, void *arg);

/*
 * kmalloc: the kernel's size classes on slab caches. kmalloc-8, -16, -32,
 * -64, -96, -128, -192, -256, -512, -1k, -2k, -4k and -8k (a size rounds
 * up to the smallest class that holds it, as kmalloc_index picks), and
 * with cfg->fine twenty more, a malloc's spacing (16-byte steps to 128,
 * then four to each doubling: kmalloc-48, -80, ..., -3584, and between 4
 * and 8 KiB the sizes an order-3 slab holds 7, 6 and 5 of: -4608, -5376,
 * -6144),
 * in two sets: normal (UNMOVABLE slabs) and reclaimable (RECLAIMABLE
 * slabs, the kernel's KMALLOC_RECLAIM). Above 8 KiB (KMALLOC_MAX_CACHE_SIZE,
 * two pages of 4 KiB) a request is a block of the zone of the order its
 * size needs (kmalloc_large), carrying a tag in its pages' private word
 * so that kfree and ksize know it; a size above the zone's largest block
 * takes a block of cfg->large_zone where one is given. Classes whose slot is smaller than the zone's pointer
 * alignment or larger than the zone's blocks are left out. Every bad kfree
 * is refused with the slab free's errors (and, for a large block, the
 * zone's), nothing changed.
 */
#define BUDDY_KMALLOC_CLASSES 33u /* the kernel's 13 and 20 fine ones */
#define BUDDY_KMALLOC_MAX_CACHE_SIZE 8192u
#define BUDDY_KMALLOC_ZERO 0x1u       /* __GFP_ZERO: the object zeroed */
#define BUDDY_KMALLOC_RECLAIMABLE 0x2u /* __GFP_RECLAIMABLE: the reclaimable
                                          set, or a RECLAIMABLE large block */

struct buddy_kmalloc_config {
    struct buddy_zone *zone;       /* the objects' zone, with a base */
    struct buddy_zone *meta_zone;  /* the descriptors' (NULL: zone) */
    struct buddy_zone *large_zone; /* NULL, or a zone with a base for the
                                      large blocks zone's blocks cannot
                                      hold, as kvmalloc goes past the
                                      buddy allocator's largest order */
    unsigned nr_cpus;              /* as buddy_slab_config's */
    const struct buddy_lock_ops *lock; /* every class's lock (NULL: one
                                          thread) */
    unsigned debug_flags;          /* BUDDY_SLAB_DEBUG_ALL bits for every
                                      class, as slub_debug on the command
                                      line (memory the cache may write) */
    struct buddy_system *system;   /* NULL, or one shrinker there for
                                      every class's empty slabs */
    const struct buddy_lock_ops *class_locks; /* NULL, or a lock for each
                                      class, 2 * BUDDY_KMALLOC_CLASSES of
                                      them (set * CLASSES + index), in
                                      place of lock: classes then run in
                                      parallel */
    const struct buddy_lock_ops *desc_lock; /* with class_locks, a lock
                                      for the descriptor blocks the
                                      classes then share (taken inside a
                                      class's, around the metadata zone's
                                      calls); NULL: each class keeps its
                                      own. Without class_locks the classes
                                      always share them */
    bool no_reclaimable;           /* leave the reclaimable set out: a
                                      BUDDY_KMALLOC_RECLAIMABLE request then
                                      takes the normal set's class (for an
                                      embedder that never asks for one,
                                      which then pays for one set of
                                      caches, not two) */
    bool fine;                     /* also the classes between the
                                      kernel's: 16-byte steps to 128, then
                                      four to each doubling (kmalloc-48,
                                      -80, -112, -160, ..., -6144), which
                                      the kernel does not have: no size
                                      above 128 rounds up by more than
                                      about a quarter */
    unsigned min_align;            /* 0, or a power of two up to 4096: every
                                      object aligned to at least it, as the
                                      kernel's ARCH_KMALLOC_MINALIGN; the
                                      classes it does not divide are left
                                      out, their sizes taking the next (a
                                      malloc's 16: no kmalloc-8, so 1 to 16
                                      bytes take kmalloc-16) */
    bool zero_object;              /* size 0 takes the smallest class made,
                                      a unique object as a malloc's
                                      malloc(0), not NULL */
    struct buddy_tenants *tenants; /* NULL, or the group whose tenants
                                      buddy_kmalloc_tenant charges: every
                                      class then accounts
                                      (BUDDY_SLAB_ACCOUNT) */
};

#define BUDDY_KMALLOC_SIZE (2u * BUDDY_KMALLOC_CLASSES * \
                            BUDDY_SLAB_CACHE_SIZE + 512u)
struct buddy_kmalloc {
    union {
        unsigned char bytes[BUDDY_KMALLOC_SIZE];
        void *align_ptr_;
        uint64_t align_u64_;
    } u_;
};

/* Make the size classes in *k (nothing is allocated until the first
 * object). Errors as buddy_slab_cache_create's (EINVAL for debug_flags
 * outside BUDDY_SLAB_DEBUG_ALL), nothing made. */
BUDDY_NODISCARD
BUDDY_API int buddy_kmalloc_init(struct buddy_kmalloc *k,
                                 const struct buddy_kmalloc_config *cfg);

/* Destroy every class: EBUSY, changing nothing, while any object or large
 * block is allocated (each class with objects left reports it). ENULL. */
BUDDY_API int buddy_kmalloc_fini(struct buddy_kmalloc *k);

/* size bytes (at least 1), or NULL (size 0 without cfg->zero_object, out
 * of memory, a size no block of the zone holds, a bad k). flags:
 * BUDDY_KMALLOC_*. The object is aligned to its class's slot (a power of
 * two for all but 96 and 192, which are 32- and 64-aligned), a large
 * block to its size. O(1) for a class with a free object, else as
 * buddy_slab_alloc; large: one zone allocation. */
BUDDY_NODISCARD
BUDDY_API void *buddy_kmalloc(struct buddy_kmalloc *k, size_t size,
                              unsigned flags);
/* The same, zeroed (kzalloc). */
BUDDY_NODISCARD
BUDDY_API void *buddy_kzalloc(struct buddy_kmalloc *k, size_t size);

/* Free what buddy_kmalloc returned; NULL is a no-op that returns 0.
 * Errors, nothing changed: ENULL (k); ERANGE (outside the zone);
 * ENOTSLAB (neither a live object nor a large block); EINTERIOR;
 * EDOUBLEFREE (an object or a large block already free); EWRONGCACHE (an
 * object of a slab cache that is not this kmalloc's). Counted in the
 * class cache's `rejected`, or in buddy_kmalloc_get_stats' before a
 * cache sees it. O(1). */
BUDDY_API int buddy_kfree(struct buddy_kmalloc *k, const void *obj);

/*
 * kmalloc through magazines: one per class of the normal set, the caller's
 * (a thread's or a CPU's; see buddy_slab_mag). The reclaimable set and
 * large blocks go as buddy_kmalloc and buddy_kfree. The classes must have
 * a lock (cfg->lock or class_locks) when more than one thread calls.
 */
struct buddy_kmalloc_mags {
    struct buddy_slab_mag mag_[BUDDY_KMALLOC_CLASSES];
};

/* buddy_kmalloc, the object from m's magazine for its class. */
BUDDY_NODISCARD
BUDDY_API void *buddy_kmalloc_mag(struct buddy_kmalloc *k,
                                  struct buddy_kmalloc_mags *m, size_t size,
                                  unsigned flags);
/* buddy_kfree, a normal-set object into m's magazine for its class (one
 * slab lookup). Errors as buddy_kfree's. */
BUDDY_API int buddy_kfree_mag(struct buddy_kmalloc *k,
                              struct buddy_kmalloc_mags *m, const void *obj);
/* buddy_kfree_mag when it is a push and nothing else: obj a live object
 * of a normal-set class, of a cache without debug flags, into its
 * magazine: 0. Anything else (NULL, a large block, the reclaimable set, a
 * bad pointer, a double free): 1, nothing changed and nothing counted or
 * reported; call buddy_kfree_mag then, which judges it. For a caller's
 * fast path: it calls nothing but the flush of a full magazine. O(1). */
BUDDY_API int buddy_kfree_mag_quick(struct buddy_kmalloc *k,
                                    struct buddy_kmalloc_mags *m,
                                    const void *obj);
/* Every magazine of m flushed: before the thread that owns it ends, and
 * before buddy_kmalloc_fini. 0 or the first error; ENULL. */
BUDDY_API int buddy_kmalloc_mags_flush(struct buddy_kmalloc *k,
                                       struct buddy_kmalloc_mags *m);

/*
 * kmalloc charged to tenant id (the kernel's kmalloc with __GFP_ACCOUNT),
 * for a kmalloc made with cfg->tenants: a class's object as
 * buddy_slab_alloc_tenant (through m's magazine for a normal-set class
 * when m is given), a large block as buddy_tenant_alloc_pages (its zone
 * made with BUDDY_ZONE_OWNERS and attached to the group, else ENOTSUP).
 * Every kfree of it, by any call, uncharges the tenant. 0 with the object
 * in *obj, or (nothing allocated or charged, *obj NULL) ENOTSUP (no
 * tenants), the charge's errors (ENOMEM past a max, ENOTENANT), ENOMEM
 * (no memory, or a size no block holds), EZERO (size 0 without
 * zero_object), ENULL. O(depth) for the charge plus the allocation's.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_kmalloc_tenant(struct buddy_kmalloc *k,
                                   struct buddy_kmalloc_mags *m, size_t size,
                                   unsigned flags,
                                   struct buddy_tenant_stock *stock,
                                   unsigned id, void **obj);

struct buddy_kmalloc_stats {
    uint64_t large_blocks; /* blocks above 8 KiB allocated now */
    uint64_t rejected;     /* bad kfrees refused before reaching a cache
                              (those a cache refuses count in its own) */
};

/* Fill *st. ENULL. */
BUDDY_API int buddy_kmalloc_get_stats(struct buddy_kmalloc *k,
                                      struct buddy_kmalloc_stats *st);

/* The usable size of an allocation: its class's slot or its block's
 * bytes; 0 for anything else. O(1). */
BUDDY_API size_t buddy_ksize(struct buddy_kmalloc *k, const void *obj);

/*
 * Resize obj in place to hold new_size bytes, never moving it: 0 when it
 * holds them now (ksize(obj) >= new_size), EBUSY when it cannot without
 * moving, obj unchanged. A slab object keeps its slot, so it succeeds
 * only while new_size fits the slot. A large block takes the order
 * new_size needs (new_size 0 as 1): grown into the free pages after it
 * when they are its free buddies, or shrunk with its upper halves given
 * back to the zone (buddy_zone_resize_pages); EBUSY past its zone's
 * largest block. Errors for what is not a live allocation as kfree's:
 * ENULL (obj NULL), ERANGE (in none of its zones), ENOTSLAB, EINTERIOR,
 * EDOUBLEFREE, EWRONGCACHE. O(orders) plus, for a growth, a store per
 * page gained.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_kresize(struct buddy_kmalloc *k, void *obj,
                            size_t new_size);

/* Resize: obj itself while new_size fits its usable size, or grown in
 * place (buddy_kresize), else a new allocation (flags as kmalloc's) with
 * the old contents copied and obj freed (charged to the tenant obj was
 * charged to, if any); NULL obj is kmalloc; new_size 0
 * frees obj and returns NULL. On failure NULL with obj untouched, as the
 * kernel's krealloc. */
BUDDY_NODISCARD
BUDDY_API void *buddy_krealloc(struct buddy_kmalloc *k, void *obj,
                               size_t new_size, unsigned flags);

/* The class cache for set (0 normal, 1 reclaimable) and class index
 * (0..BUDDY_KMALLOC_CLASSES - 1, kmalloc-8 first, the fine classes where
 * they fall: kmalloc-48 is 3, kmalloc-64 is 4), for slabinfo and
 * stats; NULL for an index out of range or a class left out. */
BUDDY_API struct buddy_slab_cache *
buddy_kmalloc_cache(struct buddy_kmalloc *k, unsigned set, unsigned index);

/* /proc/slabinfo for every class in use (with a slab), the reclaimable
 * set as "kmalloc-rcl-*", as the kernel names them. */
BUDDY_API size_t buddy_kmalloc_slabinfo(struct buddy_kmalloc *k, char *buf,
                                        size_t size);

#ifdef __cplusplus
}
#endif

#endif /* BUDDY_SLAB_H */
