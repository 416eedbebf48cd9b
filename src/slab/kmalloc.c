/* SPDX-License-Identifier: MIT */
/*
 * kmalloc.c: the kernel's kmalloc size classes on slab caches
 * (include/buddy/slab.h), and kmalloc_large beside them.
 *
 * Two sets of caches (normal and reclaimable), the kernel's thirteen
 * classes or, with the fine ones, thirty-three, made at init and empty
 * until used; their descriptors share blocks where the locks allow. A
 * request of size bytes goes to the first class of its set made whose size
 * holds it (class_of, then the next made), or, above 8 KiB, to the zone as
 * a block of the order the size needs (past the zone's largest block, to
 * the large zone), whose first page's private word is the kmalloc's tag
 * (its address with the low bit set: never a descriptor, which is
 * 8-aligned). Only the first page's: the block's later frame records are
 * not written, so a large buffer the program touches in part costs no
 * metadata for the rest.
 *
 * A free tells the two apart from the page's word: the tag means a large
 * block, which must then be an allocated block head of its zone that the
 * pointer starts; anything else must be a live slab of one of this
 * kmalloc's caches (buddy__slab_owner), whose cache then checks the
 * object itself under its lock; a pointer that is neither is what the zone
 * says its page is (inside a large block: EINTERIOR). A later page of a
 * large block may hold a stale word, a tag or a descriptor among them:
 * the zone's judgement of the page, or the slab's check that its slab
 * covers the page, refuses it. Cost: a lookup of a few loads, then the
 * cache's free; a large free is one zone free.
 */
#include "buddy/slab.h"
#include "internal.h"
#include "../private/deps.h"
#include "../private/outbuf.h"

#define KMALLOC_MAGIC 0x4b4d4131u /* "KMA1" while initialised */
#define KMALLOC_SETS 2u
/* A shared descriptor slot: room for the descriptor of kmalloc-8's order-0
 * slab (its header and two maps of eight words), so every class of the
 * kernel's defaults fits; a class whose descriptor is larger keeps blocks
 * of its own. */
#define DESC_SLOT 192u
#define QUICK_MAX 1024u /* sizes up to this take buddy_kmalloc_mag's one
                           table load to their class */

/* Every class: the kernel's thirteen (8, 16, 32, 64, 96, 128, 192, then
 * the powers of two to 8 KiB) and, made only with cfg->fine, the rest of
 * a malloc's spacing: 16-byte steps to 128, then four classes to each
 * doubling, so no size above 128 rounds up by more than about a quarter,
 * as jemalloc's. A size above 128 and up to 4 KiB in
 * (2^k + j 2^(k-2), 2^k + (j+1) 2^(k-2)] is class 4k - 19 + j. Between 4
 * and 8 KiB the three fill an order-3 slab: 7 of 4608, 6 of 5376 and 5 of
 * 6144, where 5 and 7 KiB would leave 2 and 4 KiB of each slab unused; a
 * page and its header (a database's page cache entry, an I/O buffer with
 * its descriptor), which lands just past 4 KiB, takes 4608 bytes rather
 * than 5120. Each class is aligned to its lowest set bit, and a size
 * gets at least the alignment of its own (the kernel's kmalloc
 * guarantee), so 5120, a multiple of 1024 that 5376 is not, goes to
 * 6144. */
static const uint16_t class_sizes[BUDDY_KMALLOC_CLASSES] = {
    8, 16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448,
    512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584,
    4096, 4608, 5376, 6144, 8192,
};

/* Not a class of the kernel's (8, 16, a power of two, 96 or 192). */
static bool class_fine(unsigned i)
{
    unsigned v = class_sizes[i];

    return (v & (v - 1u)) != 0 && v != 96 && v != 192;
}

static const char *const class_names[KMALLOC_SETS][BUDDY_KMALLOC_CLASSES] = {
    {"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-48", "kmalloc-64",
     "kmalloc-80", "kmalloc-96", "kmalloc-112", "kmalloc-128", "kmalloc-160",
     "kmalloc-192", "kmalloc-224", "kmalloc-256", "kmalloc-320",
     "kmalloc-384", "kmalloc-448", "kmalloc-512", "kmalloc-640",
     "kmalloc-768", "kmalloc-896", "kmalloc-1k", "kmalloc-1280",
     "kmalloc-1536", "kmalloc-1792", "kmalloc-2k", "kmalloc-2560",
     "kmalloc-3072", "kmalloc-3584", "kmalloc-4k", "kmalloc-4608",
     "kmalloc-5376", "kmalloc-6144", "kmalloc-8k"},
    {"kmalloc-rcl-8", "kmalloc-rcl-16", "kmalloc-rcl-32", "kmalloc-rcl-48",
     "kmalloc-rcl-64", "kmalloc-rcl-80", "kmalloc-rcl-96", "kmalloc-rcl-112",
     "kmalloc-rcl-128", "kmalloc-rcl-160", "kmalloc-rcl-192",
     "kmalloc-rcl-224", "kmalloc-rcl-256", "kmalloc-rcl-320",
     "kmalloc-rcl-384", "kmalloc-rcl-448", "kmalloc-rcl-512",
     "kmalloc-rcl-640", "kmalloc-rcl-768", "kmalloc-rcl-896",
     "kmalloc-rcl-1k", "kmalloc-rcl-1280", "kmalloc-rcl-1536",
     "kmalloc-rcl-1792", "kmalloc-rcl-2k", "kmalloc-rcl-2560",
     "kmalloc-rcl-3072", "kmalloc-rcl-3584", "kmalloc-rcl-4k",
     "kmalloc-rcl-4608", "kmalloc-rcl-5376", "kmalloc-rcl-6144",
     "kmalloc-rcl-8k"},
};

struct kmalloc {
    uint32_t magic;
    uint8_t present[KMALLOC_SETS][BUDDY_KMALLOC_CLASSES]; /* made */
    uint8_t quick[QUICK_MAX / 8]; /* [i]: the normal set's class made
                                     that holds sizes 8i+1..8i+8
                                     (BUDDY_KMALLOC_CLASSES: none) */
    struct buddy_zone *zone, *meta;
    struct buddy_zone *large;    /* blocks above zone's largest, or NULL */
    struct buddy__slab_span mspan; /* the metadata zone's memory */
    struct buddy_system *system; /* where its shrinker is, or NULL */
    struct buddy__desc_pool pool; /* the classes' descriptors */
    struct buddy_lock_ops desc_lock; /* the pool's, with class_locks */
    bool pooled;                 /* pool made: the classes share it */
    bool one_set;                /* no reclaimable set: its requests take
                                    the normal set's classes */
    bool zero_object;            /* size 0 takes the smallest class */
    struct buddy_tenants *tenants; /* every class accounts, or NULL */
    uintptr_t large_blocks;      /* large blocks allocated (atomic: a word,
                                    lock-free on every target) */
    uintptr_t rejected;          /* bad kfrees no cache saw (atomic) */
    struct buddy_slab_cache caches[KMALLOC_SETS][BUDDY_KMALLOC_CLASSES];
};

_Static_assert(sizeof(struct kmalloc) <= sizeof(struct buddy_kmalloc),
               "BUDDY_KMALLOC_SIZE must hold the kmalloc");
_Static_assert(_Alignof(struct kmalloc) <= _Alignof(struct buddy_kmalloc),
               "struct buddy_kmalloc must be aligned for the kmalloc");

static struct kmalloc *km_of(struct buddy_kmalloc *k)
{
    return (struct kmalloc *)(void *)k;
}

static bool km_ok(const struct kmalloc *km)
{
    return km != NULL && km->magic == KMALLOC_MAGIC;
}

/* The word a large block's first page carries. */
static uintptr_t large_tag(const struct kmalloc *km)
{
    return (uintptr_t)km | 1u;
}

/* The index of the smallest class, fine ones included, that holds size
 * (1..8192). Where that class was left out the next one made serves, which
 * for the kernel's set is its kmalloc_index (65..96 to 96, 129..192 to
 * 192). A divide by 16 up to 128, a log, a shift and a mask above; three
 * compares past 4 KiB. */
static unsigned class_of(size_t size)
{
    unsigned k;

    if (size <= 8)
        return 0;
    if (size <= 128)
        return (unsigned)((size + 15) / 16);
    k = buddy_log2_64((uint64_t)size - 1);
    if (k == 12) /* the slab-filling three (see class_sizes) */
        return size <= 4608                   ? 29u
               : size <= 5376 && size != 5120 ? 30u
               : size <= 6144                 ? 31u
                                              : 32u;
    return 4u * k - 19u + (unsigned)(((size - 1) >> (k - 2)) & 3u);
}

/* Destroy every class that was made (each is empty). */
static void destroy_classes(struct kmalloc *km)
{
    unsigned set, i;

    for (set = 0; set < KMALLOC_SETS; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
            if (km->present[set][i])
                (void)buddy_slab_cache_destroy(&km->caches[set][i]);
}

/* One shrinker for every class: what their empty slabs hold, and giving
 * them back class by class. */
static uint64_t km_count(void *arg, const struct buddy_shrink_control *sc)
{
    struct kmalloc *km = arg;
    struct buddy_slab_info info;
    uint64_t n = 0;
    unsigned set, i;

    (void)sc;
    if (!km_ok(km))
        return BUDDY_SHRINK_EMPTY;
    for (set = 0; set < KMALLOC_SETS; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
            if (km->present[set][i] &&
                buddy_slab_get_info(&km->caches[set][i], &info) == 0)
                n += info.empty_slabs * info.objects;
    return n != 0 ? n : BUDDY_SHRINK_EMPTY;
}

static uint64_t km_scan(void *arg, const struct buddy_shrink_control *sc)
{
    struct kmalloc *km = arg;
    struct buddy_slab_info info;
    uint64_t freed = 0;
    unsigned set, i;

    if (!km_ok(km))
        return BUDDY_SHRINK_STOP;
    for (set = 0; set < KMALLOC_SETS && freed < sc->nr_to_scan; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES && freed < sc->nr_to_scan; i++)
            if (km->present[set][i] &&
                buddy_slab_get_info(&km->caches[set][i], &info) == 0 &&
                info.empty_slabs != 0) {
                (void)buddy_slab_shrink(&km->caches[set][i]);
                freed += info.empty_slabs * info.objects;
            }
    return freed;
}

static void shrinker_of(struct kmalloc *km, struct buddy_shrinker *sh)
{
    buddy_memset(sh, 0, sizeof(*sh));
    sh->count = km_count;
    sh->scan = km_scan;
    sh->arg = km;
}

int buddy_kmalloc_init(struct buddy_kmalloc *k,
                       const struct buddy_kmalloc_config *cfg)
{
    struct kmalloc *km = km_of(k);
    unsigned set, i;
    int err;

    if (k == NULL || cfg == NULL)
        return BUDDY_ENULL;
    if (cfg->debug_flags & ~BUDDY_SLAB_DEBUG_ALL)
        return BUDDY_EINVAL;
    if ((cfg->min_align & (cfg->min_align - 1u)) != 0 ||
        cfg->min_align > 4096u)
        return BUDDY_EINVAL;
    if (cfg->desc_lock != NULL &&
        (cfg->desc_lock->lock == NULL || cfg->desc_lock->unlock == NULL))
        return BUDDY_EINVAL;
    if (cfg->large_zone != NULL) {
        struct buddy_zone_info li;

        if (buddy_zone_get_info(cfg->large_zone, &li) != 0)
            return BUDDY_EBADZONE;
        if (buddy_zone_pfn_to_addr(cfg->large_zone, li.start_pfn) == NULL)
            return BUDDY_ENOBASE;
    }
    /* The header only: a class's cache is written when it is made, and
     * read only while present says so, so the caches of classes left out
     * (the reclaimable set, without it) are never touched. */
    buddy_memset(km, 0, offsetof(struct kmalloc, caches));
    /* The classes share their descriptors' blocks where one lock covers
     * them all (or none is needed), or where a lock of the blocks' own is
     * given beside the classes' locks. */
    if (cfg->class_locks == NULL || cfg->desc_lock != NULL) {
        const struct buddy_lock_ops *dl = NULL;

        if (cfg->class_locks != NULL) {
            km->desc_lock = *cfg->desc_lock;
            dl = &km->desc_lock;
        }
        km->pooled = buddy__desc_pool_init(
                         &km->pool,
                         cfg->meta_zone != NULL ? cfg->meta_zone : cfg->zone,
                         DESC_SLOT, dl) == 0;
    }
    for (set = 0; set < KMALLOC_SETS; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            struct buddy_slab_config sc = BUDDY_SLAB_CONFIG_INIT;

            if (class_fine(i) && !cfg->fine)
                continue; /* left out: a size goes to the next class */
            if (cfg->min_align != 0 &&
                (class_sizes[i] & (cfg->min_align - 1u)) != 0)
                continue; /* less aligned than asked: as a fine one */
            if (set == 1 && cfg->no_reclaimable)
                continue;
            sc.name = class_names[set][i];
            sc.size = class_sizes[i];
            /* Natural alignment, as the kernel's kmalloc caches: a power
             * of two to its size, 96 and 192 to 32 and 64. It changes no
             * slot, but keeps the object aligned behind a red zone. */
            sc.align = class_sizes[i] & (0u - (unsigned)class_sizes[i]);
            sc.flags = (set == 1 ? BUDDY_SLAB_RECLAIM_ACCOUNT : 0) |
                       (cfg->tenants != NULL ? BUDDY_SLAB_ACCOUNT : 0) |
                       cfg->debug_flags;
            sc.tenants = cfg->tenants;
            sc.zone = cfg->zone;
            sc.meta_zone = cfg->meta_zone;
            sc.nr_cpus = cfg->nr_cpus;
            sc.lock = cfg->class_locks != NULL
                          ? &cfg->class_locks[set * BUDDY_KMALLOC_CLASSES + i]
                          : cfg->lock;
            err = buddy__slab_cache_create_pooled(
                &km->caches[set][i], &sc, km->pooled ? &km->pool : NULL);
            if (err == BUDDY_EORDER)
                continue; /* a class the zone's blocks cannot hold */
            if (err != 0) {
                destroy_classes(km);
                buddy_memset(km, 0, offsetof(struct kmalloc, caches));
                return err;
            }
            /* The slot must be the class size: a zone whose pointers
             * need more alignment would round it up. */
            if (buddy__slab_size(&km->caches[set][i]) != class_sizes[i]) {
                (void)buddy_slab_cache_destroy(&km->caches[set][i]);
                continue;
            }
            km->present[set][i] = 1;
            if (set == 0) /* the magazines' set: buddy_kfree_mag_quick */
                buddy__slab_join_mag_set(&km->caches[0][i],
                                         &km->caches[0][0], i);
        }
    for (i = 0; i < QUICK_MAX / 8; i++) {
        unsigned c = class_of((size_t)i * 8u + 8u);

        while (c < BUDDY_KMALLOC_CLASSES && !km->present[0][c])
            c++;
        km->quick[i] = (uint8_t)c;
    }
    km->one_set = cfg->no_reclaimable;
    km->zero_object = cfg->zero_object;
    km->tenants = cfg->tenants;
    km->zone = cfg->zone;
    km->large = cfg->large_zone != cfg->zone ? cfg->large_zone : NULL;
    km->meta = cfg->meta_zone != NULL ? cfg->meta_zone : cfg->zone;
    (void)buddy__slab_span_of(km->meta, &km->mspan); /* as the classes' */
    km->magic = KMALLOC_MAGIC;
    if (cfg->system != NULL) {
        struct buddy_shrinker sh;

        shrinker_of(km, &sh);
        err = buddy_system_register_shrinker(cfg->system, &sh);
        if (err != 0) {
            km->magic = 0;
            destroy_classes(km);
            return err;
        }
        km->system = cfg->system;
    }
    return 0;
}

int buddy_kmalloc_fini(struct buddy_kmalloc *k)
{
    struct kmalloc *km = km_of(k);
    struct buddy_slab_info info;
    unsigned set, i;
    int busy = 0;

    if (!km_ok(km))
        return BUDDY_ENULL;
    if (buddy_load_relaxed(&km->large_blocks) != 0)
        busy = 1;
    for (set = 0; set < KMALLOC_SETS; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
            if (km->present[set][i] &&
                buddy_slab_get_info(&km->caches[set][i], &info) == 0 &&
                info.active_objs != 0) {
                /* destroy refuses it and reports what is left */
                (void)buddy_slab_cache_destroy(&km->caches[set][i]);
                busy = 1;
            }
    if (busy)
        return BUDDY_EBUSY;
    if (km->system != NULL) {
        struct buddy_shrinker sh;

        shrinker_of(km, &sh);
        (void)buddy_system_unregister_shrinker(km->system, &sh);
    }
    destroy_classes(km);
    km->magic = 0;
    return 0;
}

/* A block of the zone of the order size needs, else of the large zone;
 * charged to tenant id when id is not 0. 0 with the block in *out, or the
 * error. */
static int large_alloc(struct kmalloc *km, size_t size, unsigned flags,
                       struct buddy_tenant_stock *stock, unsigned id,
                       void **out)
{
    struct buddy_zone *z = km->zone;
    int order = buddy_zone_size_to_order(z, size);
    enum buddy_migratetype mt = flags & BUDDY_KMALLOC_RECLAIMABLE
                                    ? BUDDY_MIGRATE_RECLAIMABLE
                                    : BUDDY_MIGRATE_UNMOVABLE;
    buddy_pfn_t pfn;
    void *p;
    int err;

    *out = NULL;
    if (order < 0 && km->large != NULL) {
        z = km->large;
        order = buddy_zone_size_to_order(z, size);
    }
    if (order < 0)
        return BUDDY_ENOMEM;
    err = id != BUDDY_TENANT_NONE
              ? buddy_tenant_alloc_pages(km->tenants, stock, id, z,
                                         (unsigned)order, mt, &pfn)
              : buddy_zone_alloc_pages_type(z, (unsigned)order, mt, &pfn);
    if (err != 0)
        return err;
    p = buddy_zone_pfn_to_addr(z, pfn);
    if (p == NULL ||
        buddy_zone_set_head_private(z, pfn, large_tag(km)) != 0) {
        (void)buddy_zone_free_pages(z, pfn, (unsigned)order);
        return BUDDY_ENOMEM;
    }
    buddy_add_relaxed(&km->large_blocks, 1u);
    if (flags & BUDDY_KMALLOC_ZERO)
        buddy_memset(p, 0, buddy_zone_usable_size(z, p));
    *out = p;
    return 0;
}

static void *kmalloc_large(struct kmalloc *km, size_t size, unsigned flags)
{
    void *p;

    (void)large_alloc(km, size, flags, NULL, BUDDY_TENANT_NONE, &p);
    return p;
}

/* kmalloc with the normal set's magazines (NULL: none), for caller. */
static void *kmalloc_from(struct kmalloc *km, struct buddy_kmalloc_mags *m,
                          size_t size, unsigned flags, uintptr_t caller)
{
    unsigned set, i;
    void *p;

    if (!km_ok(km) || (size == 0 && !km->zero_object))
        return NULL;
    set = flags & BUDDY_KMALLOC_RECLAIMABLE && !km->one_set ? 1u : 0u;
    if (size > BUDDY_KMALLOC_MAX_CACHE_SIZE)
        return kmalloc_large(km, size, flags);
    for (i = class_of(size); i < BUDDY_KMALLOC_CLASSES; i++)
        if (km->present[set][i])
            break; /* a class left out: the next that holds it */
    if (i == BUDDY_KMALLOC_CLASSES)
        return kmalloc_large(km, size, flags);
    p = m != NULL && set == 0
            ? buddy__slab_alloc_mag(&km->caches[0][i], &m->mag_[i], caller)
            : buddy__slab_alloc_from(&km->caches[set][i], caller);
    if (p != NULL && (flags & BUDDY_KMALLOC_ZERO))
        buddy_memset(p, 0, class_sizes[i]);
    return p;
}

int buddy_kmalloc_tenant(struct buddy_kmalloc *k, struct buddy_kmalloc_mags *m,
                         size_t size, unsigned flags,
                         struct buddy_tenant_stock *stock, unsigned id,
                         void **obj)
{
    struct kmalloc *km = km_of(k);
    unsigned set, i;
    int err;

    if (obj == NULL)
        return BUDDY_ENULL;
    *obj = NULL;
    if (!km_ok(km))
        return BUDDY_ENULL;
    if (km->tenants == NULL)
        return BUDDY_ENOTSUP;
    if (size == 0 && !km->zero_object)
        return BUDDY_EZERO;
    set = flags & BUDDY_KMALLOC_RECLAIMABLE && !km->one_set ? 1u : 0u;
    i = size > BUDDY_KMALLOC_MAX_CACHE_SIZE ? BUDDY_KMALLOC_CLASSES
                                            : class_of(size);
    while (i < BUDDY_KMALLOC_CLASSES && !km->present[set][i])
        i++;
    if (i == BUDDY_KMALLOC_CLASSES) {
        if (id == BUDDY_TENANT_NONE) /* never a block of nobody's */
            return BUDDY_ENOTENANT;
        return large_alloc(km, size, flags, stock, id, obj);
    }
    err = m != NULL && set == 0
              ? buddy_slab_alloc_mag_tenant(&km->caches[0][i], &m->mag_[i],
                                            stock, id, obj)
              : buddy_slab_alloc_tenant(&km->caches[set][i], stock, id, obj);
    if (err == 0 && (flags & BUDDY_KMALLOC_ZERO))
        buddy_memset(*obj, 0, class_sizes[i]);
    return err;
}

void *buddy_kmalloc(struct buddy_kmalloc *k, size_t size, unsigned flags)
{
    return kmalloc_from(km_of(k), NULL, size, flags, buddy_caller());
}

/* Declared inline, as the core's buddy_zone_addr_private: a link-time
 * optimised malloc takes the table load and the pop in line. */
inline void *buddy_kmalloc_mag(struct buddy_kmalloc *k,
                               struct buddy_kmalloc_mags *m, size_t size,
                               unsigned flags)
{
    struct kmalloc *km = km_of(k);

    /* A small plain request: one table load to the class, then the
     * magazine's pop; everything else (size 0 among them) takes the
     * general way. */
    if (buddy_likely(flags == 0 && m != NULL && size - 1u < QUICK_MAX &&
                     km_ok(km))) {
        unsigned i = km->quick[(size - 1u) / 8u];

        if (buddy_likely(i < BUDDY_KMALLOC_CLASSES))
            return buddy__slab_alloc_mag(&km->caches[0][i], &m->mag_[i],
                                         buddy_caller());
    }
    return kmalloc_from(km, m, size, flags, buddy_caller());
}

void *buddy_kzalloc(struct buddy_kmalloc *k, size_t size)
{
    return buddy_kmalloc(k, size, BUDDY_KMALLOC_ZERO);
}

/* Is obj a large block of km: 0, its zone and its order, or an error;
 * 1 when it is a page of the zone without the tag (then it is for the
 * slabs to judge). In the large zone, which holds nothing else, a page
 * without the tag is the zone's to judge: a block freed (EDOUBLEFREE),
 * a later page (EINTERIOR), or ENOTSLAB. */
static int large_of(const struct kmalloc *km, const void *obj,
                    struct buddy_zone **zp, unsigned *order)
{
    struct buddy_zone *z = km->zone;
    buddy_pfn_t pfn = buddy_zone_addr_to_pfn(z, obj);
    uintptr_t w;
    int o;

    if (pfn == BUDDY_PFN_NONE && km->large != NULL) {
        z = km->large;
        pfn = buddy_zone_addr_to_pfn(z, obj);
    }
    if (pfn == BUDDY_PFN_NONE)
        return BUDDY_ERANGE;
    if (buddy_zone_get_private(z, pfn, &w) != 0 || w != large_tag(km)) {
        if (z == km->zone)
            return 1;
        o = buddy_zone_pfn_order(z, pfn);
        return o < 0 ? o : BUDDY_ENOTSLAB;
    }
    if (buddy_zone_pfn_to_addr(z, pfn) != obj)
        return BUDDY_EINTERIOR; /* inside the block's first page */
    o = buddy_zone_pfn_order(z, pfn);
    if (o < 0)
        return o; /* a later page (EINTERIOR), or freed (EDOUBLEFREE) */
    *zp = z;
    *order = (unsigned)o;
    return 0;
}

/* The cache of km that obj's slab belongs to: 0, or an error. */
static int cache_of_obj(struct kmalloc *km, const void *obj,
                        struct buddy_slab_cache **out)
{
    struct buddy_slab_cache *c;
    int err = buddy__slab_owner(km->zone, &km->mspan, obj, &c);

    if (err != 0)
        return err;
    if (c < &km->caches[0][0] ||
        c > &km->caches[KMALLOC_SETS - 1][BUDDY_KMALLOC_CLASSES - 1])
        return BUDDY_EWRONGCACHE;
    *out = c;
    return 0;
}

/* cache_of_obj for a page of the zone without the large tag. A page that
 * is no slab's is what the zone says: free, a large block freed before
 * (EDOUBLEFREE); a later page of an allocated block, a large block's
 * (EINTERIOR). */
static int slab_of_obj(struct kmalloc *km, const void *obj,
                       struct buddy_slab_cache **out)
{
    int err = cache_of_obj(km, obj, out);

    if (err == BUDDY_ENOTSLAB) {
        int o = buddy_zone_pfn_order(km->zone,
                                     buddy_zone_addr_to_pfn(km->zone, obj));

        if (o == BUDDY_EDOUBLEFREE || o == BUDDY_EINTERIOR)
            err = o;
    }
    return err;
}

int buddy_kfree(struct buddy_kmalloc *k, const void *obj)
{
    struct kmalloc *km = km_of(k);
    struct buddy_slab_cache *c;
    struct buddy_zone *z;
    unsigned order;
    int err;

    if (!km_ok(km))
        return BUDDY_ENULL;
    if (obj == NULL)
        return 0;
    err = large_of(km, obj, &z, &order);
    if (err == 0) {
        err = buddy_zone_free_pages(z, buddy_zone_addr_to_pfn(z, obj), order);
        if (err == 0)
            buddy_add_relaxed(&km->large_blocks, (uintptr_t)-1);
        return err;
    }
    if (err == 1) {
        err = slab_of_obj(km, obj, &c);
        if (err == 0)
            return buddy__slab_free_from(
                c, (void *)(uintptr_t)obj,
                buddy_caller());
    }
    buddy_add_relaxed(&km->rejected, 1u);
    return err;
}

int buddy_kfree_mag(struct buddy_kmalloc *k, struct buddy_kmalloc_mags *m,
                    const void *obj)
{
    struct kmalloc *km = km_of(k);
    int err;

    /* One lookup on the way of a normal-set object into its magazine;
     * anything else (a large block, the reclaimable set, a bad pointer)
     * goes kfree's way, which judges and reports it. */
    if (m != NULL && km_ok(km) && obj != NULL &&
        (err = buddy__slab_free_mag_set(km->zone, &km->mspan,
                                        &km->caches[0][0],
                                        BUDDY_KMALLOC_CLASSES, m->mag_,
                                        (void *)(uintptr_t)obj,
                                        buddy_caller())) != 1)
        return err;
    return buddy_kfree(k, obj);
}

int buddy_kfree_mag_quick(struct buddy_kmalloc *k,
                          struct buddy_kmalloc_mags *m, const void *obj)
{
    struct kmalloc *km = km_of(k);

    if (m == NULL || !km_ok(km) || obj == NULL)
        return 1;
    return buddy__slab_free_mag_quick(km->zone, &km->mspan,
                                      &km->caches[0][0], m->mag_,
                                      (void *)(uintptr_t)obj);
}

int buddy_kmalloc_mags_flush(struct buddy_kmalloc *k,
                             struct buddy_kmalloc_mags *m)
{
    struct kmalloc *km = km_of(k);
    unsigned i;
    int first = 0;

    if (!km_ok(km) || m == NULL)
        return BUDDY_ENULL;
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
        if (km->present[0][i]) {
            int err = buddy_slab_mag_flush(&km->caches[0][i], &m->mag_[i]);

            if (err != 0 && first == 0)
                first = err;
        }
    return first;
}

int buddy_kmalloc_get_stats(struct buddy_kmalloc *k,
                            struct buddy_kmalloc_stats *st)
{
    struct kmalloc *km = km_of(k);

    if (!km_ok(km) || st == NULL)
        return BUDDY_ENULL;
    st->large_blocks = buddy_load_relaxed(&km->large_blocks);
    st->rejected = buddy_load_relaxed(&km->rejected);
    return 0;
}

size_t buddy_ksize(struct buddy_kmalloc *k, const void *obj)
{
    struct kmalloc *km = km_of(k);
    struct buddy_slab_cache *c;
    struct buddy_zone_info zi;
    struct buddy_zone *z;
    unsigned order;
    int err;

    if (!km_ok(km) || obj == NULL)
        return 0;
    err = large_of(km, obj, &z, &order);
    if (err == 0)
        return buddy_zone_get_info(z, &zi) == 0
                   ? zi.page_size << order
                   : 0;
    if (err != 1 || cache_of_obj(km, obj, &c) != 0)
        return 0;
    return buddy__slab_obj_size(c, obj);
}

int buddy_kresize(struct buddy_kmalloc *k, void *obj, size_t new_size)
{
    struct kmalloc *km = km_of(k);
    struct buddy_slab_cache *c;
    struct buddy_zone *z;
    unsigned order;
    size_t slot;
    int err, want;

    if (!km_ok(km) || obj == NULL)
        return BUDDY_ENULL;
    err = large_of(km, obj, &z, &order);
    if (err == 1) { /* a slab object: its slot is what it has */
        err = slab_of_obj(km, obj, &c);
        if (err == 0)
            err = buddy__slab_obj_live(c, obj, &slot);
        if (err != 0)
            return err;
        return new_size <= slot ? 0 : BUDDY_EBUSY;
    }
    if (err != 0)
        return err;
    want = buddy_zone_size_to_order(z, new_size == 0 ? 1 : new_size);
    if (want < 0) /* past this zone's largest block */
        return BUDDY_EBUSY;
    return buddy_zone_resize_pages(z, buddy_zone_addr_to_pfn(z, obj), order,
                                   (unsigned)want);
}

/* The tenant a live allocation of km is charged to, or 0. */
static unsigned owner_of(struct kmalloc *km, const void *obj)
{
    struct buddy_slab_cache *c;
    struct buddy_zone *z;
    unsigned order, id = BUDDY_TENANT_NONE;
    int err;

    if (km->tenants == NULL)
        return BUDDY_TENANT_NONE;
    err = large_of(km, obj, &z, &order);
    if (err == 0)
        return buddy_zone_get_owner(z, buddy_zone_addr_to_pfn(z, obj), &id) == 0
                   ? id
                   : BUDDY_TENANT_NONE;
    if (err == 1 && cache_of_obj(km, obj, &c) == 0)
        return buddy_slab_obj_tenant(c, obj);
    return BUDDY_TENANT_NONE;
}

void *buddy_krealloc(struct buddy_kmalloc *k, void *obj, size_t new_size,
                     unsigned flags)
{
    unsigned owner;
    size_t old;
    void *p;

    if (!km_ok(km_of(k)))
        return NULL;
    if (obj == NULL)
        return buddy_kmalloc(k, new_size, flags);
    if (new_size == 0) {
        (void)buddy_kfree(k, obj);
        return NULL;
    }
    old = buddy_ksize(k, obj);
    if (old == 0)
        return NULL; /* not ours: refuse rather than copy from it */
    if (new_size <= old)
        return obj;
    if (buddy_kresize(k, obj, new_size) == 0) { /* grown in place */
        if (flags & BUDDY_KMALLOC_ZERO)
            buddy_memset((char *)obj + old, 0, buddy_ksize(k, obj) - old);
        return obj;
    }
    /* The new allocation is charged where the old one was. */
    owner = owner_of(km_of(k), obj);
    if (owner != BUDDY_TENANT_NONE) {
        if (buddy_kmalloc_tenant(k, NULL, new_size, flags & ~BUDDY_KMALLOC_ZERO,
                                 NULL, owner, &p) != 0)
            return NULL;
    } else {
        p = buddy_kmalloc(k, new_size, flags & ~BUDDY_KMALLOC_ZERO);
        if (p == NULL)
            return NULL;
    }
    buddy_memcpy(p, obj, old);
    if (flags & BUDDY_KMALLOC_ZERO)
        buddy_memset((char *)p + old, 0, buddy_ksize(k, p) - old);
    (void)buddy_kfree(k, obj);
    return p;
}

struct buddy_slab_cache *buddy_kmalloc_cache(struct buddy_kmalloc *k,
                                             unsigned set, unsigned index)
{
    struct kmalloc *km = km_of(k);

    if (!km_ok(km) || set >= KMALLOC_SETS || index >= BUDDY_KMALLOC_CLASSES ||
        !km->present[set][index])
        return NULL;
    return &km->caches[set][index];
}

size_t buddy_kmalloc_slabinfo(struct buddy_kmalloc *k, char *buf, size_t size)
{
    struct kmalloc *km = km_of(k);
    struct buddy_slab_cache *used[KMALLOC_SETS * BUDDY_KMALLOC_CLASSES];
    struct buddy_slab_info info;
    unsigned set, i, n = 0;

    if (km_ok(km))
        for (set = 0; set < KMALLOC_SETS; set++)
            for (i = BUDDY_KMALLOC_CLASSES; i-- > 0;) /* largest first */
                if (km->present[set][i] &&
                    buddy_slab_get_info(&km->caches[set][i], &info) == 0 &&
                    info.num_slabs != 0)
                    used[n++] = &km->caches[set][i];
    return buddy_slabinfo(used, n, buf, size);
}
