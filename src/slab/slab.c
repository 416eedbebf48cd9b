/* SPDX-License-Identifier: MIT */
/*
 * slab.c: slab caches on buddy blocks (include/buddy/slab.h), the
 * kernel's kmem_cache with SLUB's sizing and the old SLAB's off-slab
 * descriptors.
 *
 * Two kinds of memory, two kinds of block:
 *
 *   slab        a block of 2^order pages of the objects' zone, cut into
 *               `objects` slots of `size` bytes from its start. Never
 *               written here. Every page's private word (the core's, in
 *               the slots a free page uses for its links) holds the
 *               slab's descriptor.
 *   desc block  a block of 2^order pages of the metadata zone, which this
 *               file does write: a header, then, a cache line in, up to 32
 *               descriptor slots of its pool's slot size (a multiple of
 *               the line when the cache has a lock). Its pages' private
 *               words hold the header's address, so a descriptor's block is
 *               found from the descriptor in O(1) whatever the zone's base
 *               alignment. A block belongs to a pool (internal.h): the
 *               cache's own, or one that several caches share, whose
 *               slots then hold descriptors of any of them.
 *
 * A descriptor (struct slab) is the slab's list links, a self word (its
 * address ^ SELF_KEY while live), its block, its in-use count, one bit per
 * object set while the object is free (the map, under the lock), and one
 * bit per object set while it is the user's (the owned map: allocated and
 * in no magazine, changed with atomics by magazines without the lock). An
 * allocation scans the map from `hint`, below which every word is 0.
 *
 * A free trusts nothing it reads from the zone: the private word of an
 * address's page is only a candidate, checked to lie inside the metadata
 * zone's memory and to name a descriptor whose self word is live and
 * whose slab covers the page (slab_lookup), before any other field of it
 * is believed; then the free claims the object's owned bit, the one test
 * of a double free. The validator also checks every descriptor through
 * its desc block (desc_lookup). Lookups run without the cache's lock
 * (magazines, kfree), so the fields they read that change under it (the
 * self word, the cache, a desc block's magic and free map) are written
 * with relaxed atomics; those of a live object's descriptor cannot change
 * while it is live.
 *
 * Magazines (buddy_slab_alloc_mag, buddy_slab_free_mag): the caller's
 * stacks of free objects, each slot its object, slab and index. A pop sets
 * the owned bit, a push claims it; a refill takes half a magazine off the
 * slabs and a flush puts the older half back, each under the lock. A
 * refill takes from the slab its magazine took from last (the slab's tag),
 * else from one nobody's magazine did or a new one while few are partial
 * (refill_slab): two threads' magazines then hold objects of different
 * slabs, and their atomics on owned maps, in descriptors a line apart,
 * touch different lines.
 *
 * Invariants (checked by buddy_slab_check): a slab on `partial` has
 * 0 < inuse < objects, on `full` inuse == objects, on `empty` inuse == 0;
 * inuse == objects - popcount(map over the first `objects` bits), bits at
 * and past `objects` are 0, and every word below hint is 0; no object is
 * both free and owned, no owned bit lies past `objects`, and
 * popcount(owned) <= inuse (the rest are in magazines);
 * nr_partial/nr_full/nr_empty are the lists' lengths and nr_slabs their
 * sum; active == sum of inuse; every page of a slab's block carries its
 * descriptor; a desc block's used == descriptors in use == its slots minus
 * the bits of its free map, and it is on its pool's `free` list iff it has
 * a free slot.
 * Locking: all of it under the cache's lock (when it has one), but a
 * magazine's pop and push and the lookups above.
 *
 * Cost: alloc and free O(1) (plus the map scan, at most objects / 64 words,
 * and the lookup's few loads); a new slab one zone allocation, O(2^order)
 * private words and the constructor; a slab given back one zone free.
 */
#include "buddy/slab.h"
#include "internal.h"
#include "../private/check_report.h"
#include "../private/debug.h"
#include "../private/deps.h"
#include "../private/outbuf.h"

#define SLAB_CACHE_MAGIC 0x534c4231u /* "SLB1" while created */
#define DESC_MAGIC 0x44455343u       /* "DESC" while a desc block is live */
#define POOL_MAGIC 0x504f4f4cu       /* "POOL" while a pool is initialised */
/* A live descriptor holds its address ^ SELF_KEY: a page word that is not
 * a descriptor's (a free page's links, a stale word) names memory that
 * holds this by accident with odds of one in 2^32 or 2^64. Against
 * accidents, not attackers (who could write it into an object of a
 * cache whose metadata shares the objects' zone). */
#define SELF_KEY ((uintptr_t)0x9e3779b97f4a7c15ull)
#define DESC_SLOTS_MAX 32u           /* one 32-bit free map per block (a
                                        word every target reads atomically) */

enum slab_list { SLAB_PARTIAL, SLAB_FULL, SLAB_EMPTY, SLAB_NR_LISTS };

struct cache;

struct slab_link {               /* a list's links, and its head */
    struct slab_link *next, *prev;
};

struct slab {                    /* a descriptor, in a desc block slot */
    struct slab_link link;       /* first: its list (circular, through
                                    the cache's head) */
    uintptr_t self;              /* its own address ^ SELF_KEY while live,
                                    else 0: the lookup's one check */
    struct cache *cache;
    uintptr_t base;              /* the first object's address */
    buddy_pfn_t pfn;             /* the slab block's head */
    uint32_t inuse;              /* objects allocated */
    uint32_t hint;               /* map words below this are all 0 */
    uint8_t list;                /* enum slab_list */
    uint32_t tag;                /* the magazine that refilled from it
                                    last (mag_tag), 0 once empty: a hint
                                    that keeps threads on slabs apart */
    _Alignas(8) uint64_t map[];  /* bit i: object i is free; then the
                                    owned map, map_words later; then,
                                    with ACCOUNT, a byte an object: the
                                    tenant it is charged to, or 0 */
};

#define DESC_LINE 64u /* a cache line */

struct desc_block {              /* at the start of a metadata block */
    uint32_t magic;              /* DESC_MAGIC while live */
    uint32_t used;               /* descriptors in use */
    struct buddy__desc_pool *pool;
    struct desc_block *next, *prev; /* pool's blocks with a free slot */
    buddy_pfn_t pfn;             /* its block in the metadata zone */
    uint32_t free_map;           /* bit i: slot i free */
};                               /* then, DESC_LINE in, the descriptors,
                                    slot_size apart (slots_of) */

struct cache {
    uint32_t magic;              /* SLAB_CACHE_MAGIC while created */
    unsigned flags;
    struct buddy_zone *zone, *meta;
    struct buddy__slab_span mspan; /* the metadata zone's memory */
    struct buddy_lock_ops lock;  /* lock == NULL: no lock */
    void (*ctor)(void *obj);
    buddy_slab_report_fn report;
    void *report_arg;
    struct buddy_system *system; /* where its shrinker is, or NULL */
    size_t object_size, size, align;
    uint32_t red_left;           /* debug: bytes of left red zone */
    uint32_t inuse;              /* debug: object plus right red zone */
    uint32_t track;              /* debug: offset of the two callers, or 0 */
    bool debug;                  /* any of the slub_debug flags */
    uint64_t recip;              /* 2^32 / size + 1: the object index */
    bool divide;                 /* a slab too large for recip: divide */
    uint32_t objects;            /* per slab */
    uint32_t map_words;          /* per descriptor */
    uint32_t owned_words;        /* 32-bit words of the owned map */
    uint32_t mag_size;           /* objects a magazine holds */
    bool shared;                 /* has a lock: the owned maps are changed
                                    with atomics (magazines run without
                                    the lock) */
    uint8_t order;
    uint32_t mag_off;            /* with mag_set: its magazine's byte
                                    offset in the set's array */
    const struct buddy_slab_cache *mag_set; /* the first cache of the set
                                    whose quick free takes its objects
                                    (buddy__slab_join_mag_set), or NULL:
                                    none, or a debug or divide cache */
    size_t page_size;            /* the objects' zone's */
    uint8_t mt;                  /* the slabs' migrate type */
    uint8_t item;                /* enum buddy_tenant_item of a charge */
    struct buddy_tenants *tenants; /* ACCOUNT: the owners' group; else
                                    NULL, and descriptors have no owner
                                    bytes */
    uint32_t min_partial;
    struct slab_link lists[SLAB_NR_LISTS];
    uint64_t nr[SLAB_NR_LISTS];
    uint64_t active;             /* objects allocated */
    struct buddy__desc_pool *pool; /* its descriptors' blocks: &own, or
                                      one shared with other caches */
    struct buddy__desc_pool own;
    uint64_t allocs, frees, slabs_made, slabs_freed, rejected;
    char name[BUDDY_SLAB_NAME_MAX + 1];
};

_Static_assert(sizeof(struct cache) <= sizeof(struct buddy_slab_cache),
               "BUDDY_SLAB_CACHE_SIZE must hold the cache");
_Static_assert(_Alignof(struct cache) <= _Alignof(struct buddy_slab_cache),
               "struct buddy_slab_cache must be aligned for the cache");
_Static_assert(sizeof(struct slab) % 8u == 0 && sizeof(struct desc_block) % 8u == 0,
               "descriptors and their maps are 8-byte aligned");

static struct cache *cache_of(struct buddy_slab_cache *c)
{
    return (struct cache *)(void *)c;
}

static const struct cache *cache_of_const(const struct buddy_slab_cache *c)
{
    return (const struct cache *)(const void *)c;
}

static bool cache_ok(const struct cache *s)
{
    return s != NULL && s->magic == SLAB_CACHE_MAGIC;
}

static void lock(struct cache *s)
{
    if (s->lock.lock != NULL)
        s->lock.lock(s->lock.arg);
}

static void unlock(struct cache *s)
{
    if (s->lock.lock != NULL)
        s->lock.unlock(s->lock.arg);
}

/* The two callers STORE_USER keeps after an object's red zone. */
static uintptr_t *track_of(const struct cache *s, const void *obj)
{
    return (uintptr_t *)(void *)((char *)(uintptr_t)obj - s->red_left +
                                 s->track);
}

static void report_full(struct cache *s, int err, const void *obj,
                        const char *what, const uint8_t *bad,
                        uint8_t expected)
{
    struct buddy_slab_report r;

    if (s->report == NULL)
        return;
    buddy_memset(&r, 0, sizeof(r));
    r.cache = s->name;
    r.err = err;
    r.obj = obj;
    r.what = what;
    r.first_bad = bad;
    if (bad != NULL) {
        r.found = *bad;
        r.expected = expected;
    }
    if (s->track != 0 && obj != NULL && err != BUDDY_ERANGE &&
        err != BUDDY_ENOTSLAB && err != BUDDY_EINTERIOR &&
        err != BUDDY_EWRONGCACHE && err != BUDDY_ENULL) {
        r.alloc_caller = track_of(s, obj)[0];
        r.free_caller = track_of(s, obj)[1];
    }
    s->report(s->report_arg, &r);
}

static void report(struct cache *s, int err, const void *obj,
                   const char *what)
{
    report_full(s, err, obj, what, NULL, 0);
}

/* A bad free: counted and reported. */
static void reject(struct cache *s, int err, const void *obj, const char *what)
{
    s->rejected++;
    report(s, err, obj, what);
}

/* ---- lists -------------------------------------------------------------- */

/* The slab whose links these are (the first member). */
static struct slab *slab_of(struct slab_link *link)
{
    return (struct slab *)(void *)link;
}

static void list_add(struct cache *s, struct slab *sl, unsigned l)
{
    struct slab_link *head = &s->lists[l];

    sl->link.next = head->next;
    sl->link.prev = head;
    head->next->prev = &sl->link;
    head->next = &sl->link;
    sl->list = (uint8_t)l;
    s->nr[l]++;
}

static void list_del(struct cache *s, struct slab *sl)
{
    sl->link.prev->next = sl->link.next;
    sl->link.next->prev = sl->link.prev;
    s->nr[sl->list]--;
}

static struct slab *list_first(struct cache *s, unsigned l)
{
    struct slab_link *head = &s->lists[l];

    return head->next == head ? NULL : slab_of(head->next);
}

static void lists_init(struct cache *s)
{
    unsigned l;

    for (l = 0; l < SLAB_NR_LISTS; l++) {
        s->lists[l].next = s->lists[l].prev = &s->lists[l];
        s->nr[l] = 0;
    }
}

/* ---- sizing: the kernel's calculate_alignment and calculate_order ------ */

static size_t calculate_alignment(unsigned flags, size_t align, size_t size)
{
    if (flags & BUDDY_SLAB_HWCACHE_ALIGN) {
        size_t ralign = BUDDY_SLAB_CACHE_LINE;

        while (size <= ralign / 2)
            ralign /= 2;
        if (ralign > align)
            align = ralign;
    }
    if (align < sizeof(void *))
        align = sizeof(void *);
    return align;
}

/* Objects in a slab of `order` for slots of `size` (capped). */
static uint64_t order_objects(size_t page_size, unsigned order, size_t size)
{
    uint64_t n = ((uint64_t)page_size << order) / size;

    return n < BUDDY_SLAB_MAX_OBJECTS ? n : BUDDY_SLAB_MAX_OBJECTS;
}

/* The smallest order in [min_order, max_order] leaving at most
 * 1/fract of the slab over; max_order + 1 when none does. */
static unsigned calc_slab_order(size_t page_size, size_t size,
                                unsigned min_order, unsigned max_order,
                                unsigned fract)
{
    unsigned order;

    for (order = min_order; order <= max_order; order++) {
        uint64_t slab = (uint64_t)page_size << order;

        if (slab % size <= slab / fract)
            break;
    }
    return order;
}

/* The order of the smallest block of at least `bytes`. */
static unsigned get_order(size_t page_size, uint64_t bytes)
{
    unsigned order = 0;

    while (((uint64_t)page_size << order) < bytes)
        order++;
    return order;
}

static unsigned calculate_order(size_t page_size, size_t size,
                                unsigned nr_cpus, unsigned zone_max)
{
    unsigned max_order = zone_max < BUDDY_SLAB_MAX_ORDER ? zone_max
                                                         : BUDDY_SLAB_MAX_ORDER;
    uint64_t min_objects, max_objects;
    unsigned min_order, fract, order;

    min_objects = 4u * (buddy_log2_64(nr_cpus != 0 ? nr_cpus : 1u) + 2u);
    max_objects = order_objects(page_size, max_order, size);
    if (max_objects < 1)
        max_objects = 1;
    if (min_objects > max_objects)
        min_objects = max_objects;
    min_order = get_order(page_size, min_objects * size);
    for (fract = 16; fract > 1; fract /= 2) {
        order = calc_slab_order(page_size, size, min_order, max_order, fract);
        if (order <= max_order)
            return order;
    }
    return get_order(page_size, size); /* one object needs more */
}

/* ---- descriptors -------------------------------------------------------- */

_Static_assert(sizeof(struct desc_block) <= DESC_LINE,
               "a desc block's header fits before its first slot");

/* Where db's descriptors start: a cache line in, so that with a
 * line-sized slot each descriptor has its lines to itself. */
static uintptr_t slots_of(const struct desc_block *db)
{
    return (uintptr_t)db + DESC_LINE;
}

static struct slab *desc_slot(const struct buddy__desc_pool *p,
                              struct desc_block *db, unsigned i)
{
    return (struct slab *)(void *)((char *)slots_of(db) +
                                   (size_t)i * p->slot_size);
}

static void pool_lock(struct buddy__desc_pool *p)
{
    if (p->lock != NULL)
        p->lock->lock(p->lock->arg);
}

static void pool_unlock(struct buddy__desc_pool *p)
{
    if (p->lock != NULL)
        p->lock->unlock(p->lock->arg);
}

/* The smallest order of meta whose block holds the header and one slot,
 * and the slots it then holds: 0, or EORDER. */
static int pool_size(const struct buddy_zone_info *mi, uint32_t slot_size,
                     uint8_t *order, uint32_t *slots)
{
    size_t block;
    unsigned o;

    for (o = 0;; o++) {
        if (o > mi->max_order)
            return BUDDY_EORDER;
        block = (size_t)mi->page_size << o;
        if (block >= DESC_LINE + (size_t)slot_size)
            break;
    }
    *order = (uint8_t)o;
    *slots = (uint32_t)((block - DESC_LINE) / slot_size);
    if (*slots > DESC_SLOTS_MAX)
        *slots = DESC_SLOTS_MAX;
    return 0;
}

static int pool_init(struct buddy__desc_pool *p, struct buddy_zone *meta,
                     uint32_t slot_size, const struct buddy_lock_ops *lock)
{
    struct buddy_zone_info mi;
    uint8_t order;
    uint32_t slots;
    int err;

    if (buddy_zone_get_info(meta, &mi) != 0)
        return BUDDY_EBADZONE;
    err = pool_size(&mi, slot_size, &order, &slots);
    if (err != 0)
        return err;
    buddy_memset(p, 0, sizeof(*p));
    p->slot_size = slot_size;
    p->slots = slots;
    p->order = order;
    p->meta = meta;
    p->lock = lock;
    p->magic = POOL_MAGIC;
    return 0;
}

int buddy__desc_pool_init(struct buddy__desc_pool *p, struct buddy_zone *meta,
                          uint32_t slot_size,
                          const struct buddy_lock_ops *lock)
{
    struct buddy__slab_span ms;

    if (p == NULL || meta == NULL)
        return BUDDY_ENULL;
    if (slot_size == 0 || slot_size % DESC_LINE != 0 ||
        (lock != NULL && (lock->lock == NULL || lock->unlock == NULL)))
        return BUDDY_EINVAL;
    if (buddy__slab_span_of(meta, &ms) != 0)
        return BUDDY_ENOBASE;
    return pool_init(p, meta, slot_size, lock);
}

uint64_t buddy__desc_pool_blocks(struct buddy__desc_pool *p)
{
    uint64_t n;

    if (p == NULL || p->magic != POOL_MAGIC)
        return 0;
    pool_lock(p);
    n = p->nr_blocks;
    pool_unlock(p);
    return n;
}

/* The live descriptor of any cache on meta that the private word w of a
 * page names, and its cache; NULL when w names none. Every read is of
 * memory inside the metadata zone's span, checked before it is read. */
static struct slab *desc_lookup(const struct buddy_zone *meta, uintptr_t w,
                                const struct cache **owner)
{
    const struct buddy__desc_pool *p;
    const struct cache *s;
    struct desc_block *db;
    struct slab *sl;
    buddy_pfn_t mpfn;
    uintptr_t dbw, off;
    unsigned i;

    if (w == 0 || (w & 7u) != 0)
        return NULL;
    mpfn = buddy_zone_addr_to_pfn(meta, (const void *)w);
    if (mpfn == BUDDY_PFN_NONE ||
        buddy_zone_get_private(meta, mpfn, &dbw) != 0 || dbw == 0 ||
        (dbw & 7u) != 0 || dbw > w ||
        buddy_zone_addr_to_pfn(meta, (const void *)dbw) == BUDDY_PFN_NONE)
        return NULL;
    db = (struct desc_block *)dbw;
    /* The header lies in the zone (its block starts at dbw); w > dbw. */
    p = buddy_load_relaxed(&db->pool);
    if (buddy_load_relaxed(&db->magic) != DESC_MAGIC || p == NULL ||
        p->magic != POOL_MAGIC || p->meta != meta)
        return NULL;
    if (w < slots_of(db))
        return NULL;
    off = w - slots_of(db);
    if (off % p->slot_size != 0)
        return NULL;
    i = (unsigned)(off / p->slot_size);
    if (i >= p->slots ||
        (buddy_load_relaxed(&db->free_map) >> i & 1u) != 0)
        return NULL;
    sl = (struct slab *)w;
    s = buddy_load_relaxed(&sl->cache);
    if (s == NULL || s->magic != SLAB_CACHE_MAGIC || s->meta != meta)
        return NULL;
    *owner = s;
    return sl;
}

/* A free descriptor slot of s's pool, from a desc block with room or a
 * new one. Under the cache's lock; takes the pool's. */
static struct slab *desc_alloc(struct cache *s)
{
    struct buddy__desc_pool *p = s->pool;
    struct desc_block *db;
    struct slab *sl;
    unsigned i;

    pool_lock(p);
    db = p->free;
    if (db == NULL) {
        buddy_pfn_t pfn;

        if (buddy_zone_alloc_pages_type(p->meta, p->order,
                                        BUDDY_MIGRATE_UNMOVABLE, &pfn) != 0) {
            pool_unlock(p);
            return NULL;
        }
        db = buddy_zone_pfn_to_addr(p->meta, pfn);
        if (db == NULL || buddy_zone_set_private(p->meta, pfn,
                                                 (uintptr_t)db) != 0) {
            (void)buddy_zone_free_pages(p->meta, pfn, p->order);
            pool_unlock(p);
            return NULL;
        }
        db->used = 0;
        db->pfn = pfn;
        buddy_store_relaxed(&db->free_map,
                            p->slots == 32 ? UINT32_MAX
                                           : ((uint32_t)1 << p->slots) - 1);
        buddy_store_relaxed(&db->pool, p);
        buddy_store_relaxed(&db->magic, DESC_MAGIC);
        db->prev = NULL;
        db->next = NULL;
        p->free = db;
        p->nr_blocks++;
    }
    i = buddy_ctz32(db->free_map);
    sl = desc_slot(p, db, i);
    buddy_store_relaxed(&db->free_map, db->free_map & (db->free_map - 1));
    db->used++;
    if (db->free_map == 0) { /* full: off the list */
        p->free = db->next;
        if (db->next != NULL)
            db->next->prev = NULL;
        db->next = db->prev = NULL;
    }
    pool_unlock(p);
    return sl;
}

/* The desc block a live descriptor of pool p is in. */
static struct desc_block *desc_block_of(const struct buddy__desc_pool *p,
                                        const struct slab *sl)
{
    uintptr_t w = 0;

    /* A live descriptor's page is in the zone: this cannot fail. */
    if (buddy_zone_get_private(p->meta, buddy_zone_addr_to_pfn(p->meta, sl),
                               &w) != 0)
        buddy_trap();
    return (struct desc_block *)w;
}

/* sl's slot back to s's pool, and its block to the zone once unused.
 * Under the cache's lock; takes the pool's. */
static void desc_free(struct cache *s, struct slab *sl)
{
    struct buddy__desc_pool *p = s->pool;
    struct desc_block *db = desc_block_of(p, sl);
    unsigned i = (unsigned)(((uintptr_t)sl - slots_of(db)) / p->slot_size);
    bool was_full;

    pool_lock(p);
    was_full = db->free_map == 0;
    buddy_store_relaxed(&db->free_map, db->free_map | (uint32_t)1 << i);
    db->used--;
    if (was_full) { /* room again: on the list */
        db->prev = NULL;
        db->next = p->free;
        if (p->free != NULL)
            p->free->prev = db;
        p->free = db;
    }
    if (db->used == 0) { /* unused: back to the zone */
        if (db->prev != NULL)
            db->prev->next = db->next;
        else
            p->free = db->next;
        if (db->next != NULL)
            db->next->prev = db->prev;
        buddy_store_relaxed(&db->magic, 0u);
        buddy_store_relaxed(&db->pool, (struct buddy__desc_pool *)NULL);
        p->nr_blocks--;
        (void)buddy_zone_free_pages(p->meta, db->pfn, p->order);
    }
    pool_unlock(p);
}

/* ---- debug: red zones, poison, callers (the kernel's slub_debug) -------
 * A debug slot is [left red zone][object][right red zone][two callers]
 * [padding], the object at red_left. A free object reads 0xbb in both red
 * zones and, with POISON and no constructor, 0x6b with a last byte of
 * 0xa5; an allocated one 0xcc in its red zones. Padding, and a slab's
 * left-over tail, read 0x5a. These bytes are the one thing the cache
 * writes into its objects' memory, and only with these flags. */

static void fill(void *p, uint8_t v, size_t n)
{
    buddy_memset(p, v, n);
}

/* The first byte in [p, p + n) that is not v, or NULL. */
static const uint8_t *first_not(const void *p, uint8_t v, size_t n)
{
    const uint8_t *b = p;
    size_t i;

    for (i = 0; i < n; i++)
        if (b[i] != v)
            return b + i;
    return NULL;
}

static bool poisoned(const struct cache *s)
{
    return (s->flags & BUDDY_SLAB_POISON) && s->ctor == NULL;
}

/* Write the red zones as `red`, and with `poison_obj` the poison. */
static void debug_mark(const struct cache *s, void *obj, uint8_t red,
                       bool poison_obj)
{
    char *o = obj;

    if (s->flags & BUDDY_SLAB_RED_ZONE) {
        fill(o - s->red_left, red, s->red_left);
        fill(o + s->object_size, red, s->inuse - s->object_size);
    }
    if (poison_obj && poisoned(s)) {
        fill(o, BUDDY_SLAB_POISON_FREE, s->object_size - 1);
        o[s->object_size - 1] = (char)BUDDY_SLAB_POISON_END;
    }
}

/* Check an object's red zones against `red`, and with `free_obj` its
 * poison; the first wrong byte, with what it should be and the kernel's
 * words for it, or NULL. */
static const uint8_t *debug_verify(const struct cache *s, const void *obj,
                                   uint8_t red, bool free_obj,
                                   uint8_t *expected, const char **what)
{
    const char *o = obj;
    const uint8_t *bad;

    *what = "Redzone overwritten";
    *expected = red;
    if (s->flags & BUDDY_SLAB_RED_ZONE) {
        if ((bad = first_not(o - s->red_left, red, s->red_left)) != NULL ||
            (bad = first_not(o + s->object_size, red,
                             s->inuse - s->object_size)) != NULL)
            return bad;
    }
    if (free_obj && poisoned(s)) {
        *what = "Poison overwritten";
        *expected = BUDDY_SLAB_POISON_FREE;
        if ((bad = first_not(o, BUDDY_SLAB_POISON_FREE,
                             s->object_size - 1)) != NULL)
            return bad;
        *expected = BUDDY_SLAB_POISON_END;
        if ((uint8_t)o[s->object_size - 1] != BUDDY_SLAB_POISON_END)
            return (const uint8_t *)o + s->object_size - 1;
    }
    return NULL;
}

/* A new slab's slots and tail, as free objects. */
static void debug_init_slab(const struct cache *s, uintptr_t base,
                            size_t slab_bytes)
{
    uint32_t i;

    for (i = 0; i < s->objects; i++) {
        char *slot = (char *)(base + (uintptr_t)i * s->size);
        size_t used = s->red_left + s->inuse;

        if (s->track != 0) {
            fill(slot + s->track, 0, 2 * sizeof(uintptr_t));
            used = s->track + 2 * sizeof(uintptr_t);
        }
        fill(slot + used, BUDDY_SLAB_POISON_INUSE, s->size - used);
        debug_mark(s, slot + s->red_left, BUDDY_SLAB_RED_INACTIVE, true);
    }
    if (s->flags & BUDDY_SLAB_POISON)
        fill((char *)(base + (uintptr_t)s->objects * s->size),
             BUDDY_SLAB_POISON_INUSE, slab_bytes - s->objects * s->size);
}

/* ---- slabs -------------------------------------------------------------- */

/* The owned map: bit i set while object i is the user's (allocated and
 * in no magazine). */
static uint32_t *owned_of(const struct cache *s, struct slab *sl)
{
    return (uint32_t *)(void *)(sl->map + s->map_words);
}

/* Claim object idx back from the user: clear its owned bit, true if it was
 * set. The one test of a double free, and, shared, race-proof: of two
 * threads freeing one object at once exactly one sees the bit. */
static inline bool owned_take(const struct cache *s, struct slab *sl,
                              uint32_t idx)
{
    uint32_t *w = owned_of(s, sl) + idx / 32u, bit = (uint32_t)1 << (idx % 32u);

    if (!s->shared) {
        uint32_t old = *w;

        *w = old & ~bit;
        return (old & bit) != 0;
    }
    return (buddy_fetch_and_relaxed(w, ~bit) & bit) != 0;
}

static void owned_give(const struct cache *s, struct slab *sl, uint32_t idx)
{
    uint32_t *w = owned_of(s, sl) + idx / 32u, bit = (uint32_t)1 << (idx % 32u);

    if (!s->shared)
        *w |= bit;
    else
        (void)buddy_fetch_or_relaxed(w, bit);
}

static bool owned_test(const struct cache *s, struct slab *sl, uint32_t idx)
{
    return (buddy_load_relaxed(owned_of(s, sl) + idx / 32u) >> (idx % 32u) &
            1u) != 0;
}

/* With ACCOUNT, the owner bytes: object i's tenant, 0 for nobody. Each
 * is written by the thread that holds its object (an allocation, or the
 * free that claimed the owned bit), so no two threads write one at once. */
static uint8_t *owners_of(const struct cache *s, struct slab *sl)
{
    return (uint8_t *)(void *)(sl->map + 2u * s->map_words);
}

/* Object idx, just claimed from the user: its tenant uncharged. */
static void uncharge_obj(const struct cache *s, struct slab *sl, uint32_t idx)
{
    uint8_t *o = owners_of(s, sl) + idx;
    unsigned id = *o;
    int err;

    if (id == BUDDY_TENANT_NONE)
        return;
    *o = BUDDY_TENANT_NONE;
    /* Cannot fail: the charge made the item hold these bytes, and the
     * tenant cannot go while it holds them. */
    err = buddy_tenant_uncharge_bytes(s->tenants, NULL, id, s->size,
                                      (enum buddy_tenant_item)s->item);
    (void)err;
}

static void map_fill(const struct cache *s, struct slab *sl)
{
    uint32_t w;

    for (w = 0; w < s->map_words; w++)
        sl->map[w] = UINT64_MAX;
    if (s->objects % 64u != 0)
        sl->map[s->map_words - 1] = ((uint64_t)1 << (s->objects % 64u)) - 1;
    for (w = 0; w < s->owned_words; w++)
        owned_of(s, sl)[w] = 0;
    if (s->tenants != NULL)
        buddy_memset(owners_of(s, sl), 0, s->objects);
}

/* A new empty slab on the empty list, or NULL (nothing changed). */
static struct slab *slab_new(struct cache *s)
{
    struct slab *sl = desc_alloc(s);
    buddy_pfn_t pfn;
    void *base;

    if (sl == NULL)
        return NULL;
    if (buddy_zone_alloc_pages_type(s->zone, s->order,
                                    (enum buddy_migratetype)s->mt, &pfn) != 0) {
        desc_free(s, sl);
        return NULL;
    }
    base = buddy_zone_pfn_to_addr(s->zone, pfn);
    if (base == NULL ||
        buddy_zone_set_private(s->zone, pfn, (uintptr_t)sl) != 0) {
        (void)buddy_zone_free_pages(s->zone, pfn, s->order);
        desc_free(s, sl);
        return NULL;
    }
    sl->base = (uintptr_t)base;
    sl->pfn = pfn;
    sl->inuse = 0;
    sl->hint = 0;
    sl->tag = 0;
    map_fill(s, sl);
    buddy_store_relaxed(&sl->cache, s);
    buddy_store_relaxed(&sl->self, (uintptr_t)sl ^ SELF_KEY);
    list_add(s, sl, SLAB_EMPTY);
    s->slabs_made++;
    if (s->debug)
        debug_init_slab(s, sl->base, (size_t)s->page_size << s->order);
    if (s->ctor != NULL) {
        uint32_t i;

        for (i = 0; i < s->objects; i++)
            s->ctor((void *)(sl->base + (uintptr_t)i * s->size +
                             s->red_left));
    }
    return sl;
}

/* An empty slab back to the zone. */
static void slab_discard(struct cache *s, struct slab *sl)
{
    list_del(s, sl);
    buddy_store_relaxed(&sl->self, (uintptr_t)0);
    buddy_store_relaxed(&sl->cache, (struct cache *)NULL);
    (void)buddy_zone_free_pages(s->zone, sl->pfn, s->order);
    desc_free(s, sl);
    s->slabs_freed++;
}

/* Move sl to the list its in-use count says. */
static void slab_relist(struct cache *s, struct slab *sl)
{
    unsigned l = sl->inuse == 0           ? SLAB_EMPTY
                 : sl->inuse == s->objects ? SLAB_FULL
                                           : SLAB_PARTIAL;

    if (l != sl->list) {
        list_del(s, sl);
        list_add(s, sl, l);
        if (l == SLAB_EMPTY)
            sl->tag = 0;
    }
}

/* ---- create / destroy --------------------------------------------------- */

static void name_copy(char *dst, const char *src)
{
    unsigned i = 0;

    if (src != NULL)
        for (; i < BUDDY_SLAB_NAME_MAX && src[i] != '\0'; i++)
            dst[i] = src[i];
    dst[i] = '\0';
}

/* buddy_slab_cache_create, the descriptors in pool (NULL: the cache's
 * own blocks) when they fit its slots and it is on the same zone. */
static int cache_create(struct buddy_slab_cache *c,
                        const struct buddy_slab_config *cfg,
                        struct buddy__desc_pool *pool)
{
    struct cache *s = cache_of(c);
    struct buddy_zone_info zi, mi;
    struct buddy_zone *meta;
    size_t align, size;
    uint64_t objects;
    size_t inuse, red_left, track;
    bool debug;
    unsigned order;
    uint32_t map_words, desc_size;

    if (c == NULL || cfg == NULL || cfg->zone == NULL)
        return BUDDY_ENULL;
    meta = cfg->meta_zone != NULL ? cfg->meta_zone : cfg->zone;
    if (buddy_zone_get_info(cfg->zone, &zi) != 0 ||
        buddy_zone_get_info(meta, &mi) != 0)
        return BUDDY_EBADZONE;
    if (buddy_zone_pfn_to_addr(cfg->zone, zi.start_pfn) == NULL ||
        buddy_zone_pfn_to_addr(meta, mi.start_pfn) == NULL)
        return BUDDY_ENOBASE;
    if (cfg->size == 0)
        return BUDDY_EZERO;
    if ((cfg->align & (cfg->align - 1)) != 0 ||
        (cfg->flags & ~BUDDY_SLAB_FLAGS_ALL) != 0 ||
        ((cfg->flags & BUDDY_SLAB_ACCOUNT) != 0) != (cfg->tenants != NULL) ||
        (cfg->lock != NULL &&
         (cfg->lock->lock == NULL || cfg->lock->unlock == NULL)))
        return BUDDY_EINVAL;
    align = calculate_alignment(cfg->flags, cfg->align, cfg->size);
    /* The slot: the size rounded up to the alignment, overflow-checked;
     * a slot larger than the zone's largest block fits no slab. With the
     * debug flags, the red zones and callers first (calculate_sizes):
     * the object rounded to a word, plus a word of right red zone when
     * that added none, a left red zone of a word rounded to the
     * alignment, two callers. */
    if (cfg->size > ((size_t)zi.page_size << zi.max_order) ||
        align > ((size_t)zi.page_size << zi.max_order))
        return BUDDY_EORDER;
    debug = (cfg->flags & BUDDY_SLAB_DEBUG_ALL) != 0;
    inuse = cfg->size;
    red_left = 0;
    track = 0;
    size = cfg->size;
    if (debug) {
        inuse = (cfg->size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
        if ((cfg->flags & BUDDY_SLAB_RED_ZONE) && inuse == cfg->size)
            inuse += sizeof(void *);
        if (cfg->flags & BUDDY_SLAB_RED_ZONE)
            red_left = (sizeof(void *) + align - 1) & ~(align - 1);
        size = red_left + inuse;
        if (cfg->flags & BUDDY_SLAB_STORE_USER) {
            track = size;
            size += 2 * sizeof(uintptr_t);
        }
    }
    if (size > SIZE_MAX - (align - 1))
        return BUDDY_EORDER;
    size = (size + align - 1) & ~(align - 1);
    if ((uint64_t)size > ((uint64_t)zi.page_size << zi.max_order))
        return BUDDY_EORDER;
    order = calculate_order(zi.page_size, size, cfg->nr_cpus, zi.max_order);
    if (order > zi.max_order)
        return BUDDY_EORDER;
    objects = order_objects(zi.page_size, order, size);
    /* The descriptor: header and map, then a desc block of the smallest
     * order holding one, with up to 32 slots. */
    map_words = (uint32_t)((objects + 63u) / 64u);
    desc_size = (uint32_t)(sizeof(struct slab) + 8u * map_words +
                           8u * ((objects + 63u) / 64u));
    if (cfg->flags & BUDDY_SLAB_ACCOUNT) /* the owner bytes */
        desc_size += (uint32_t)((objects + 7u) & ~(uint64_t)7u);
    /* With a lock the cache is shared, and threads write their slabs'
     * owned maps with atomics: a descriptor per cache line, so that two
     * threads' slabs never share one. */
    if (cfg->lock != NULL)
        desc_size = (desc_size + DESC_LINE - 1u) & ~(DESC_LINE - 1u);
    if (pool != NULL && (pool->magic != POOL_MAGIC || pool->meta != meta ||
                         desc_size > pool->slot_size))
        pool = NULL; /* its own blocks, of its descriptor's size */
    if (pool == NULL) {
        uint8_t desc_order;
        uint32_t slots;
        int err = pool_size(&mi, desc_size, &desc_order, &slots);

        if (err != 0)
            return err;
    }

    buddy_memset(s, 0, sizeof(*s));
    if (buddy__slab_span_of(meta, &s->mspan) != 0)
        return BUDDY_ENOBASE;
    s->flags = cfg->flags;
    s->zone = cfg->zone;
    s->meta = meta;
    if (cfg->lock != NULL)
        s->lock = *cfg->lock;
    s->ctor = cfg->ctor;
    s->object_size = cfg->size;
    s->size = size;
    s->debug = debug;
    s->red_left = (uint32_t)red_left;
    s->inuse = (uint32_t)inuse;
    s->track = (uint32_t)track;
    s->page_size = zi.page_size;
    s->align = align;
    s->recip = ((uint64_t)1 << 32) / size + 1;
    s->divide = ((uint64_t)zi.page_size << order) > UINT32_MAX;
    s->objects = (uint32_t)objects;
    s->map_words = map_words;
    s->owned_words = (uint32_t)((objects + 31u) / 32u);
    s->shared = cfg->lock != NULL;
    /* A magazine holds about 32 KiB of objects, 4 to MAG_MAX of them: a
     * refill or flush moves half, so one lock round trip per that many
     * allocations or frees, and a thread holds little memory idle. */
    s->mag_size = (uint32_t)(32768u / size);
    if (s->mag_size > BUDDY_SLAB_MAG_MAX)
        s->mag_size = BUDDY_SLAB_MAG_MAX;
    if (s->mag_size < 4u)
        s->mag_size = 4u;
    s->order = (uint8_t)order;
    if (pool == NULL) {
        (void)pool_init(&s->own, meta, desc_size, NULL); /* sized above */
        pool = &s->own;
    }
    s->pool = pool;
    s->mt = cfg->flags & BUDDY_SLAB_RECLAIM_ACCOUNT ? BUDDY_MIGRATE_RECLAIMABLE
                                                    : BUDDY_MIGRATE_UNMOVABLE;
    s->item = cfg->flags & BUDDY_SLAB_RECLAIM_ACCOUNT
                  ? BUDDY_TENANT_SLAB_RECLAIMABLE
                  : BUDDY_TENANT_SLAB_UNRECLAIMABLE;
    s->tenants = cfg->tenants;
    /* The kernel's min_partial: ilog2(size) / 2, within [5, 10]. */
    s->min_partial = buddy_log2_64(size) / 2;
    if (s->min_partial < 5)
        s->min_partial = 5;
    if (s->min_partial > 10)
        s->min_partial = 10;
    lists_init(s);
    name_copy(s->name, cfg->name);
    s->magic = SLAB_CACHE_MAGIC;
    if (cfg->system != NULL) {
        struct buddy_shrinker sh;
        int err = buddy_slab_shrinker(c, &sh);

        if (err == 0)
            err = buddy_system_register_shrinker(cfg->system, &sh);
        if (err != 0) {
            s->magic = 0;
            return err;
        }
        s->system = cfg->system;
    }
    return 0;
}

int buddy_slab_cache_create(struct buddy_slab_cache *c,
                            const struct buddy_slab_config *cfg)
{
    return cache_create(c, cfg, NULL);
}

int buddy__slab_cache_create_pooled(struct buddy_slab_cache *c,
                                    const struct buddy_slab_config *cfg,
                                    struct buddy__desc_pool *pool)
{
    return cache_create(c, cfg, pool);
}

int buddy_slab_cache_destroy(struct buddy_slab_cache *c)
{
    struct cache *s = cache_of(c);
    struct slab *sl;

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    lock(s);
    if (s->active != 0) {
        report(s, BUDDY_EBUSY, NULL,
               "Objects remaining in cache on buddy_slab_cache_destroy()");
        unlock(s);
        return BUDDY_EBUSY;
    }
    while ((sl = list_first(s, SLAB_EMPTY)) != NULL)
        slab_discard(s, sl);
    unlock(s);
    if (s->system != NULL) { /* reclaim may be in it: out before the end */
        struct buddy_shrinker sh;

        if (buddy_slab_shrinker(c, &sh) == 0)
            (void)buddy_system_unregister_shrinker(s->system, &sh);
    }
    s->magic = 0;
    return 0;
}

/* ---- alloc / free ------------------------------------------------------- */

/* An object of a slab with a free one, and its index. Lock held. */
static void *slab_take(struct cache *s, struct slab *sl, uint32_t *index)
{
    uint32_t w = sl->hint;
    unsigned bit;

    while (sl->map[w] == 0)
        w++;
    bit = buddy_ctz64(sl->map[w]);
    sl->map[w] &= sl->map[w] - 1;
    sl->hint = w;
    sl->inuse++;
    s->active++;
    s->allocs++;
    slab_relist(s, sl);
    *index = w * 64u + bit;
    return (void *)(sl->base + (uintptr_t)*index * s->size + s->red_left);
}

/* Up to `want` objects of sl into slots, in ascending address order:
 * what `want` slab_takes would take, with the counts and the list move
 * made once for the run. A word of the map at a time: its set bits
 * popped with a ctz each. Returns how many (0 when sl is full). */
static uint32_t slab_take_run(struct cache *s, struct slab *sl,
                              struct buddy_slab_mag_slot_ *slots,
                              uint32_t want)
{
    uint32_t w = sl->hint, n = 0, left = s->objects - sl->inuse;

    if (want > left)
        want = left;
    while (n < want) {
        uint64_t bits;

        while (sl->map[w] == 0)
            w++;
        bits = sl->map[w];
        while (bits != 0 && n < want) {
            uint32_t idx = w * 64u + buddy_ctz64(bits);

            bits &= bits - 1;
            slots[n].obj_ =
                (void *)(sl->base + (uintptr_t)idx * s->size + s->red_left);
            slots[n].slab_ = sl;
            slots[n].index_ = idx;
            n++;
        }
        sl->map[w] = bits;
    }
    sl->hint = w;
    sl->inuse += n;
    s->active += n;
    s->allocs += n;
    slab_relist(s, sl);
    return n;
}

/* The debug half of an allocation: with CONSISTENCY_CHECKS the free
 * object's bytes are checked (a write after its free, reported and
 * mended: the allocation goes on); then its red zones say allocated and
 * its caller is kept. */
static void debug_alloc(struct cache *s, void *obj, uintptr_t caller)
{
    if (s->flags & BUDDY_SLAB_CONSISTENCY_CHECKS) {
        const char *what;
        uint8_t expected;
        const uint8_t *bad = debug_verify(s, obj, BUDDY_SLAB_RED_INACTIVE,
                                          true, &expected, &what);

        if (bad != NULL) {
            report_full(s, BUDDY_ECORRUPT, obj, what, bad, expected);
            debug_mark(s, obj, BUDDY_SLAB_RED_INACTIVE, true);
        }
    }
    debug_mark(s, obj, BUDDY_SLAB_RED_ACTIVE, false);
    if (s->track != 0)
        track_of(s, obj)[0] = caller;
}

/* An object off the slabs, not yet the user's (its owned bit clear), with
 * its slab and index; NULL when no slab can be made. Lock held. */
static void *take_locked(struct cache *s, struct slab **out, uint32_t *index)
{
    struct slab *sl = list_first(s, SLAB_PARTIAL);

    if (sl == NULL)
        sl = list_first(s, SLAB_EMPTY);
    if (sl == NULL)
        sl = slab_new(s);
    if (sl == NULL)
        return NULL;
    *out = sl;
    return slab_take(s, sl, index);
}

/* An object for the user, its owner recorded (with ACCOUNT; 0: nobody).
 * Lock held. */
static void *alloc_locked(struct cache *s, uintptr_t caller, unsigned owner)
{
    struct slab *sl;
    uint32_t idx;
    void *obj = take_locked(s, &sl, &idx);

    if (obj == NULL)
        return NULL;
    owned_give(s, sl, idx);
    if (owner != BUDDY_TENANT_NONE)
        owners_of(s, sl)[idx] = (uint8_t)owner;
    if (buddy_unlikely(s->debug))
        debug_alloc(s, obj, caller);
    return obj;
}

static void *alloc_from(struct buddy_slab_cache *c, uintptr_t caller,
                        unsigned owner)
{
    struct cache *s = cache_of(c);
    void *obj;

    if (!cache_ok(s))
        return NULL;
    lock(s);
    obj = alloc_locked(s, caller, owner);
    unlock(s);
    return obj;
}

void *buddy__slab_alloc_from(struct buddy_slab_cache *c, uintptr_t caller)
{
    return alloc_from(c, caller, BUDDY_TENANT_NONE);
}

void *buddy_slab_alloc(struct buddy_slab_cache *c)
{
    return buddy__slab_alloc_from(
        c, buddy_caller());
}

/* The live slab of any cache on these zones whose pages hold obj, and
 * that cache: 0, ERANGE (outside the zone) or ENOTSLAB. */
static inline __attribute__((always_inline)) int
slab_lookup(const struct buddy_zone *zone, const struct buddy__slab_span *ms,
            const void *obj, struct slab **out, const struct cache **owner)
{
    const struct cache *s;
    struct slab *sl;
    buddy_pfn_t pfn;
    uintptr_t w;

    if (buddy_zone_addr_private(zone, obj, &pfn, &w) != 0)
        return BUDDY_ERANGE;
    /* The word must name a whole descriptor inside the metadata zone's
     * memory before it is read, then the descriptor must say it is live,
     * then its cache's slab must cover the page. */
    if ((w & 7u) != 0 || w - ms->lo >= ms->starts)
        return BUDDY_ENOTSLAB;
    sl = (struct slab *)w;
    if (buddy_load_relaxed(&sl->self) != (w ^ SELF_KEY) ||
        (s = buddy_load_relaxed(&sl->cache)) == NULL || s->zone != zone ||
        (pfn - sl->pfn) >> s->order != 0) /* below the head wraps */
        return BUDDY_ENOTSLAB; /* not a page of a live slab */
    *owner = s;
    *out = sl;
    return 0;
}

int buddy__slab_span_of(const struct buddy_zone *meta,
                        struct buddy__slab_span *ms)
{
    struct buddy_zone_info mi;
    struct buddy_zone_stats st;
    uintptr_t len;
    void *lo;

    if (buddy_zone_get_info(meta, &mi) != 0 ||
        buddy_zone_get_stats(meta, &st) != 0)
        return BUDDY_EBADZONE;
    lo = buddy_zone_pfn_to_addr(meta, mi.start_pfn);
    if (lo == NULL)
        return BUDDY_ENOBASE;
    /* The memory is addressable, so its length fits a uintptr_t. */
    len = (uintptr_t)(st.spanned_pages * mi.page_size);
    ms->lo = (uintptr_t)lo;
    ms->starts = len >= sizeof(struct slab) ? len - sizeof(struct slab) + 1u
                                            : 0;
    return 0;
}

/* Why off, obj's offset from sl's first object (before the left red
 * zone), starts no slot of s: the error and what to report. Out of line:
 * only a refused pointer comes here. */
static __attribute__((noinline)) int slot_refused(const struct cache *s,
                                                  uintptr_t off,
                                                  const char **what)
{
    if (off < s->red_left) {
        *what = "Pointer inside an object";
        return BUDDY_EINTERIOR; /* the first slot's left red zone */
    }
    off -= s->red_left;
    if ((uint64_t)off / s->size >= s->objects) {
        *what = "Object in the slab's left-over tail";
        return BUDDY_ENOTSLAB;
    }
    *what = "Pointer inside an object";
    return BUDDY_EINTERIOR;
}

/* The slot obj starts, of any cache on these zones: its cache, slab and
 * index, or an error with what to report: ENULL, ERANGE, ENOTSLAB,
 * EINTERIOR. Says nothing of whether the object is allocated. The test is
 * one estimate of the index and two compares: a slot start gives its
 * exact index, below objects, times size back; anything else (before the
 * red zone, which wraps, in the tail, inside an object) fails one of
 * them, and slot_refused says which. */
static inline __attribute__((always_inline)) int
slot_find(const struct buddy_zone *zone, const struct buddy__slab_span *ms,
          const void *obj, const struct cache **owner, struct slab **out,
          uint32_t *index, const char **what)
{
    const struct cache *s;
    struct slab *sl;
    uintptr_t off;
    uint64_t idx;
    int err;

    if (obj == NULL || (err = slab_lookup(zone, ms, obj, &sl, owner)) != 0) {
        *what = "Invalid object pointer";
        return obj == NULL ? BUDDY_ENULL : err;
    }
    s = *owner;
    off = (uintptr_t)obj - sl->base - s->red_left;
    /* off / size with a multiply: for off below 2^32 the reciprocal's
     * excess is below one, so the estimate is exact or one above, and
     * exact for a multiple of size. An off that wrapped (obj inside the
     * left red zone) is at least 2^W - red_left, past every slot: without
     * divide the red zone and the slots span less than 2^32 bytes. */
    if (buddy_unlikely(s->divide))
        idx = (uint64_t)off / s->size;
    else
        idx = ((uint64_t)off * s->recip) >> 32;
    *out = sl;
    *index = (uint32_t)idx;
    if (buddy_unlikely(idx >= s->objects || idx * s->size != off))
        return slot_refused(s, (uintptr_t)obj - sl->base, what);
    return 0;
}

/* obj must be the start of an object slot of a live slab of s. */
static int free_check(struct cache *s, const void *obj, struct slab **out,
                      uint32_t *index, const char **what)
{
    const struct cache *owner = NULL;
    int err = slot_find(s->zone, &s->mspan, obj, &owner, out, index, what);

    if (err == 0 && owner != s) {
        *what = "Object from another cache";
        return BUDDY_EWRONGCACHE;
    }
    return err;
}

int buddy__slab_owner(const struct buddy_zone *zone,
                      const struct buddy__slab_span *ms, const void *obj,
                      struct buddy_slab_cache **cache)
{
    const struct cache *owner = NULL;
    struct slab *sl;
    int err = slab_lookup(zone, ms, obj, &sl, &owner);

    if (err != 0)
        return err;
    *cache = (struct buddy_slab_cache *)(void *)(uintptr_t)owner;
    return 0;
}

size_t buddy__slab_size(const struct buddy_slab_cache *c)
{
    const struct cache *s = cache_of_const(c);

    return cache_ok(s) ? (s->debug ? s->object_size : s->size) : 0;
}

int buddy__slab_obj_live(struct buddy_slab_cache *c, const void *obj,
                         size_t *size)
{
    struct cache *s = cache_of(c);
    const char *what;
    struct slab *sl;
    uint32_t idx;
    int err;

    *size = 0;
    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    lock(s);
    err = free_check(s, obj, &sl, &idx, &what);
    if (err == 0 && !owned_test(s, sl, idx))
        err = BUDDY_EDOUBLEFREE;
    unlock(s);
    if (err == 0)
        *size = buddy__slab_size(c);
    return err;
}

size_t buddy__slab_obj_size(struct buddy_slab_cache *c, const void *obj)
{
    size_t size;

    (void)buddy__slab_obj_live(c, obj, &size);
    return size;
}

/* The slab after a release of objects: on the list its count says, and
 * given back when empty past min_partial. Lock held. */
static void released(struct cache *s, struct slab *sl)
{
    slab_relist(s, sl);
    if (sl->inuse == 0 && s->nr[SLAB_EMPTY] > s->min_partial)
        slab_discard(s, sl);
}

/* Object idx, no longer the user's, back on its slab. Lock held. */
static void release_locked(struct cache *s, struct slab *sl, uint32_t idx)
{
    sl->map[idx / 64u] |= (uint64_t)1 << (idx % 64u);
    if (idx / 64u < sl->hint)
        sl->hint = idx / 64u;
    sl->inuse--;
    s->active--;
    s->frees++;
    released(s, sl);
}

static int free_locked(struct cache *s, void *obj, uintptr_t caller)
{
    const char *what;
    struct slab *sl;
    uint32_t idx;
    int err = free_check(s, obj, &sl, &idx, &what);

    if (err != 0) {
        reject(s, err, obj, what);
        return err;
    }
    if (!owned_take(s, sl, idx)) { /* free on its slab, or in a magazine */
        reject(s, BUDDY_EDOUBLEFREE, obj, "Object already free");
        return BUDDY_EDOUBLEFREE;
    }
    if (buddy_unlikely(s->debug)) {
        if (s->flags & BUDDY_SLAB_CONSISTENCY_CHECKS) {
            uint8_t expected;
            const uint8_t *bad = debug_verify(s, obj, BUDDY_SLAB_RED_ACTIVE,
                                              false, &expected, &what);

            if (bad != NULL) { /* not freed: the kernel's "not freed" */
                owned_give(s, sl, idx);
                s->rejected++;
                report_full(s, BUDDY_ECORRUPT, obj, what, bad, expected);
                return BUDDY_ECORRUPT;
            }
        }
        debug_mark(s, obj, BUDDY_SLAB_RED_INACTIVE, true);
        if (s->track != 0)
            track_of(s, obj)[1] = caller;
    }
    if (s->tenants != NULL)
        uncharge_obj(s, sl, idx);
    release_locked(s, sl, idx);
    return 0;
}

int buddy__slab_free_from(struct buddy_slab_cache *c, void *obj,
                          uintptr_t caller)
{
    struct cache *s = cache_of(c);
    int err;

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    lock(s);
    err = free_locked(s, obj, caller);
    unlock(s);
    return err;
}

int buddy_slab_free(struct buddy_slab_cache *c, void *obj)
{
    return buddy__slab_free_from(c, obj,
                                 buddy_caller());
}

int buddy_slab_alloc_bulk(struct buddy_slab_cache *c, unsigned nr, void **objs)
{
    struct cache *s = cache_of(c);
    unsigned i;

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    if (nr == 0)
        return 0;
    if (objs == NULL)
        return BUDDY_ENULL;
    if (nr > (unsigned)INT32_MAX)
        return 0;
    lock(s);
    for (i = 0; i < nr; i++) {
        void *obj = alloc_locked(s, buddy_caller(), BUDDY_TENANT_NONE);

        if (obj == NULL) { /* all or nothing: give back what we took */
            while (i-- > 0)
                (void)free_locked(s, objs[i], 0);
            unlock(s);
            return 0;
        }
        objs[i] = obj;
    }
    unlock(s);
    return (int)nr;
}

int buddy_slab_free_bulk(struct buddy_slab_cache *c, unsigned nr,
                         void *const *objs)
{
    struct cache *s = cache_of(c);
    int first = 0;
    unsigned i;

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    if (nr != 0 && objs == NULL)
        return BUDDY_ENULL;
    lock(s);
    for (i = 0; i < nr; i++) {
        int err = free_locked(s, objs[i],
                              buddy_caller());

        if (err != 0 && first == 0)
            first = err;
    }
    unlock(s);
    return first;
}

/* ---- magazines ----------------------------------------------------------- */

/* Whether m serves s: not NULL, not a debug cache's (those take the lock
 * on every call, for their checks), and empty or holding s's objects. */
static bool mag_serves(const struct cache *s, const struct buddy_slab_mag *m)
{
    return m != NULL && !s->debug && (m->count_ == 0 || m->cache_ == s);
}

/* The n oldest objects of m back on their slabs, the rest moved down.
 * A run of slots of one slab (a refill takes runs, and frees often come
 * in the order of the allocations) is released with one count update
 * and one list move, as release_locked on each would leave it. */
static __attribute__((noinline)) void
mag_flush(struct cache *s, struct buddy_slab_mag *m, uint32_t n)
{
    uint32_t i = 0;

    lock(s);
    while (i < n) {
        struct slab *sl = (struct slab *)m->slot_[i].slab_;
        uint32_t run = 0, hint = sl->hint;

        for (; i < n && m->slot_[i].slab_ == sl; i++, run++) {
            uint32_t idx = m->slot_[i].index_;

            sl->map[idx / 64u] |= (uint64_t)1 << (idx % 64u);
            if (idx / 64u < hint)
                hint = idx / 64u;
        }
        sl->hint = hint;
        sl->inuse -= run;
        s->active -= run;
        s->frees += run;
        released(s, sl);
    }
    unlock(s);
    for (i = n; i < m->count_; i++)
        m->slot_[i - n] = m->slot_[i];
    m->count_ -= n;
}

/* A magazine's tag: its address folded to 32 bits, never 0. A hint
 * only: two magazines that fold alike share slabs, as without tags. */
static uint32_t mag_tag(const struct buddy_slab_mag *m)
{
    uint64_t a = (uint64_t)(uintptr_t)m >> 3;

    return (uint32_t)(a ^ (a >> 32)) | 1u;
}

#define REFILL_LOOK 8u /* partial slabs a refill looks at for its own */

/* The slab a refill with this tag takes from: one of the first
 * REFILL_LOOK partial slabs that it refilled from last, else one nobody
 * did; else, while few slabs are partial, an empty or a new one, so that
 * two threads do not take their objects (and owned bits, which their
 * pops and frees write with atomics) from one slab; else the first
 * partial one. As SLUB's per-CPU slab, without taking the slab off its
 * list. Lock held; NULL when no slab can be made. */
static struct slab *refill_slab(struct cache *s, uint32_t tag)
{
    struct slab_link *head = &s->lists[SLAB_PARTIAL], *l;
    struct slab *untagged = NULL, *sl;
    uint32_t n = 0;

    for (l = head->next; l != head && n < REFILL_LOOK; l = l->next, n++) {
        sl = slab_of(l);
        if (sl->tag == tag)
            return sl;
        if (sl->tag == 0 && untagged == NULL)
            untagged = sl;
    }
    if (untagged != NULL)
        return untagged;
    if (s->nr[SLAB_PARTIAL] < REFILL_LOOK) {
        sl = list_first(s, SLAB_EMPTY);
        if (sl == NULL)
            sl = slab_new(s);
        if (sl != NULL)
            return sl;
    }
    sl = list_first(s, SLAB_PARTIAL);
    if (sl == NULL)
        sl = list_first(s, SLAB_EMPTY);
    return sl != NULL ? sl : slab_new(s);
}

/* An empty m refilled: one object for the caller, the user's, and up to
 * half a magazine more, lowest address on top, from the tag's slab first.
 * One lock round trip. */
static void *mag_refill(struct cache *s, struct buddy_slab_mag *m,
                        uintptr_t caller, unsigned owner)
{
    uint32_t i, n, idx, tag = mag_tag(m);
    struct slab *sl;
    void *obj = NULL;

    (void)caller; /* a magazine serves no debug cache: nothing to track */
    lock(s);
    sl = refill_slab(s, tag);
    if (sl != NULL) {
        sl->tag = tag;
        obj = slab_take(s, sl, &idx);
        owned_give(s, sl, idx);
        if (owner != BUDDY_TENANT_NONE)
            owners_of(s, sl)[idx] = (uint8_t)owner;
    }
    for (n = 0; obj != NULL && n < s->mag_size / 2u;) {
        if (sl->inuse == s->objects) {
            sl = refill_slab(s, tag);
            if (sl == NULL)
                break;
            sl->tag = tag;
        }
        n += slab_take_run(s, sl, &m->slot_[n], s->mag_size / 2u - n);
    }
    unlock(s);
    for (i = 0; i < n / 2u; i++) {
        struct buddy_slab_mag_slot_ t = m->slot_[i];

        m->slot_[i] = m->slot_[n - 1u - i];
        m->slot_[n - 1u - i] = t;
    }
    m->count_ = n;
    m->cache_ = s;
    return obj;
}

/* An empty or foreign magazine, or none: the refill, or the cache. Out
 * of line, so that the pop saves no registers. */
static __attribute__((noinline)) void *
alloc_mag_slow(struct buddy_slab_cache *c, struct buddy_slab_mag *m,
               uintptr_t caller, unsigned owner)
{
    struct cache *s = cache_of(c);

    if (!cache_ok(s))
        return NULL;
    if (!mag_serves(s, m))
        return alloc_from(c, caller, owner);
    return mag_refill(s, m, caller, owner);
}

/* Declared inline, as the core's buddy_zone_addr_private: a link-time
 * optimised kmalloc_mag takes the pop in line. */
inline void *buddy__slab_alloc_mag(struct buddy_slab_cache *c,
                                   struct buddy_slab_mag *m, uintptr_t caller)
{
    struct cache *s = cache_of(c);

    if (buddy_likely(m != NULL && m->count_ != 0 && m->cache_ == s)) {
        struct buddy_slab_mag_slot_ *e = &m->slot_[--m->count_];
        void *obj = e->obj_; /* read before the atomic, not after */

        owned_give(s, (struct slab *)e->slab_, e->index_);
        return obj;
    }
    return alloc_mag_slow(c, m, caller, BUDDY_TENANT_NONE);
}

void *buddy_slab_alloc_mag(struct buddy_slab_cache *c, struct buddy_slab_mag *m)
{
    return buddy__slab_alloc_mag(c, m, buddy_caller());
}

/* ---- objects charged to tenants ------------------------------------------ */

/* The charge, then the object from m's pop or refill (m NULL: the
 * cache's), its owner recorded; the charge given back when there is no
 * object. */
static int alloc_charged(struct buddy_slab_cache *c, struct buddy_slab_mag *m,
                         struct buddy_tenant_stock *stock, unsigned id,
                         void **obj, uintptr_t caller)
{
    struct cache *s = cache_of(c);
    int err;

    if (obj == NULL)
        return BUDDY_ENULL;
    *obj = NULL;
    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    if (s->tenants == NULL)
        return BUDDY_ENOTSUP;
    err = buddy_tenant_charge_bytes(s->tenants, stock, id, s->size,
                                    (enum buddy_tenant_item)s->item);
    if (err != 0)
        return err;
    if (m != NULL && m->count_ != 0 && m->cache_ == s) {
        struct buddy_slab_mag_slot_ *e = &m->slot_[--m->count_];

        owned_give(s, (struct slab *)e->slab_, e->index_);
        owners_of(s, (struct slab *)e->slab_)[e->index_] = (uint8_t)id;
        *obj = e->obj_;
        return 0;
    }
    *obj = m != NULL ? alloc_mag_slow(c, m, caller, id)
                     : alloc_from(c, caller, id);
    if (*obj != NULL)
        return 0;
    /* Cannot fail: charged just now. */
    err = buddy_tenant_uncharge_bytes(s->tenants, stock, id, s->size,
                                      (enum buddy_tenant_item)s->item);
    (void)err;
    return BUDDY_ENOMEM;
}

int buddy_slab_alloc_tenant(struct buddy_slab_cache *c,
                            struct buddy_tenant_stock *stock, unsigned id,
                            void **obj)
{
    return alloc_charged(c, NULL, stock, id, obj, buddy_caller());
}

int buddy_slab_alloc_mag_tenant(struct buddy_slab_cache *c,
                                struct buddy_slab_mag *m,
                                struct buddy_tenant_stock *stock, unsigned id,
                                void **obj)
{
    return alloc_charged(c, m, stock, id, obj, buddy_caller());
}

unsigned buddy_slab_obj_tenant(struct buddy_slab_cache *c, const void *obj)
{
    struct cache *s = cache_of(c);
    const char *what;
    struct slab *sl;
    uint32_t idx;
    unsigned id = BUDDY_TENANT_NONE;

    if (!cache_ok(s) || s->tenants == NULL)
        return BUDDY_TENANT_NONE;
    lock(s);
    if (free_check(s, obj, &sl, &idx, &what) == 0 && owned_test(s, sl, idx))
        id = owners_of(s, sl)[idx];
    unlock(s);
    return id;
}

int buddy__slab_find(const struct buddy_zone *zone,
                     const struct buddy__slab_span *ms, const void *obj,
                     struct buddy_slab_cache **cache, struct buddy__slab_at *at)
{
    const struct cache *owner = NULL;
    struct slab *sl;
    const char *what;
    int err = slot_find(zone, ms, obj, &owner, &sl, &at->index, &what);

    if (err != 0)
        return err;
    at->slab = sl;
    *cache = (struct buddy_slab_cache *)(void *)(uintptr_t)owner;
    return 0;
}

/* A free of an object nobody holds: reported under the lock. */
static __attribute__((noinline)) int free_mag_refused(struct cache *s,
                                                      void *obj)
{
    lock(s);
    reject(s, BUDDY_EDOUBLEFREE, obj, "Object already free");
    unlock(s);
    return BUDDY_EDOUBLEFREE;
}

/* obj, its owned bit just claimed, onto m. */
static inline void mag_put(struct cache *s, struct buddy_slab_mag *m,
                           void *obj, struct slab *sl, uint32_t index)
{
    struct buddy_slab_mag_slot_ *e = &m->slot_[m->count_++];

    e->obj_ = obj;
    e->slab_ = sl;
    e->index_ = index;
    m->cache_ = s;
}

/* The older half of a full m flushed, then obj pushed: the rare case,
 * out of line. */
static __attribute__((noinline)) void
mag_push_full(struct cache *s, struct buddy_slab_mag *m, void *obj,
              struct slab *sl, uint32_t index)
{
    mag_flush(s, m, s->mag_size / 2u);
    mag_put(s, m, obj, sl, index);
}

/* obj onto m, flushing half of it first when full. */
static inline void mag_push(struct cache *s, struct buddy_slab_mag *m,
                            void *obj, struct slab *sl, uint32_t index)
{
    if (buddy_unlikely(m->count_ == s->mag_size))
        mag_push_full(s, m, obj, sl, index);
    else
        mag_put(s, m, obj, sl, index);
}

/* A found object into m: its owned bit claimed, pushed (the older half
 * flushed first when m is full). */
static inline __attribute__((always_inline)) int
free_mag(struct buddy_slab_cache *c, struct buddy_slab_mag *m, void *obj,
         void *slab, uint32_t index, uintptr_t caller)
{
    struct cache *s = cache_of(c);
    struct slab *sl = slab;

    if (buddy_unlikely(!mag_serves(s, m)))
        return buddy__slab_free_from(c, obj, caller);
    if (buddy_unlikely(!owned_take(s, sl, index))) /* on its slab, cached */
        return free_mag_refused(s, obj);
    if (s->tenants != NULL)
        uncharge_obj(s, sl, index);
    mag_push(s, m, obj, sl, index);
    return 0;
}

int buddy__slab_free_mag_set(const struct buddy_zone *zone,
                             const struct buddy__slab_span *ms,
                             struct buddy_slab_cache *first, unsigned n,
                             struct buddy_slab_mag *mags, void *obj,
                             uintptr_t caller)
{
    const struct cache *owner = NULL;
    struct buddy_slab_cache *c;
    struct buddy__slab_at at;
    const char *what;
    struct slab *sl;
    int err = slot_find(zone, ms, obj, &owner, &sl, &at.index, &what);

    c = (struct buddy_slab_cache *)(void *)(uintptr_t)owner;
    if (err != 0 || c < first || c >= first + n)
        return 1; /* not an object of the set's caches */
    return free_mag(c, &mags[c - first], obj, sl, at.index, caller);
}

void buddy__slab_join_mag_set(struct buddy_slab_cache *c,
                              const struct buddy_slab_cache *first,
                              unsigned i)
{
    struct cache *s = cache_of(c);

    if (s->debug || s->divide || s->tenants != NULL)
        return; /* never quick: mag_set stays NULL */
    s->mag_off = (uint32_t)(i * sizeof(struct buddy_slab_mag));
    s->mag_set = first;
}

int buddy__slab_free_mag_quick(const struct buddy_zone *zone,
                               const struct buddy__slab_span *ms,
                               const struct buddy_slab_cache *first,
                               struct buddy_slab_mag *mags, void *obj)
{
    const struct cache *owner;
    struct cache *s;
    struct buddy_slab_mag *m;
    struct slab *sl;
    uintptr_t off;
    uint64_t idx;

    /* slab_lookup's checks, then the set's (one compare: mag_set is
     * first only for a cache of this set that is neither debug, so no red
     * zone offsets the slots, nor divide), then the magazine's, then
     * slot_find's test of the index: any no leaves everything as it was
     * for buddy__slab_free_mag_set to judge and report. */
    if (slab_lookup(zone, ms, obj, &sl, &owner) != 0)
        return 1;
    s = (struct cache *)(uintptr_t)owner;
    if (s->mag_set != first)
        return 1;
    m = (struct buddy_slab_mag *)(void *)((char *)mags + s->mag_off);
    if (m->count_ != 0 && m->cache_ != s)
        return 1;
    off = (uintptr_t)obj - sl->base;
    idx = ((uint64_t)off * s->recip) >> 32;
    if (idx >= s->objects || idx * s->size != off)
        return 1;
    /* The owned bit, the double free's test: a clear one stays clear. */
    if (buddy_unlikely(!owned_take(s, sl, (uint32_t)idx)))
        return 1;
    mag_push(s, m, obj, sl, (uint32_t)idx);
    return 0;
}

int buddy__slab_free_mag_at(struct buddy_slab_cache *c,
                            struct buddy_slab_mag *m, void *obj,
                            const struct buddy__slab_at *at, uintptr_t caller)
{
    return free_mag(c, m, obj, at->slab, at->index, caller);
}

int buddy_slab_free_mag(struct buddy_slab_cache *c, struct buddy_slab_mag *m,
                        void *obj)
{
    struct cache *s = cache_of(c);
    struct buddy_slab_cache *owner;
    struct buddy__slab_at at;
    int err;

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    if (!mag_serves(s, m))
        return buddy__slab_free_from(c, obj, buddy_caller());
    err = buddy__slab_find(s->zone, &s->mspan, obj, &owner, &at);
    if (err != 0 || owner != c) /* refused, and reported, under the lock */
        return buddy__slab_free_from(c, obj, buddy_caller());
    return buddy__slab_free_mag_at(c, m, obj, &at, buddy_caller());
}

int buddy_slab_mag_flush(struct buddy_slab_cache *c, struct buddy_slab_mag *m)
{
    struct cache *s = cache_of(c);

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    if (m == NULL)
        return BUDDY_ENULL;
    if (m->count_ != 0 && m->cache_ != s)
        return BUDDY_EWRONGCACHE;
    if (m->count_ != 0)
        mag_flush(s, m, m->count_);
    return 0;
}

uint64_t buddy_slab_shrink(struct buddy_slab_cache *c)
{
    struct cache *s = cache_of(c);
    struct slab *sl;
    uint64_t pages = 0;

    if (!cache_ok(s))
        return 0;
    lock(s);
    while ((sl = list_first(s, SLAB_EMPTY)) != NULL) {
        slab_discard(s, sl);
        pages += (uint64_t)1 << s->order;
    }
    unlock(s);
    return pages;
}

/* The shrinker: what empty slabs hold, in objects, and giving them back
 * until nr_to_scan objects' worth went. */
static uint64_t shrink_count(void *arg, const struct buddy_shrink_control *sc)
{
    struct cache *s = arg;
    uint64_t n;

    (void)sc;
    if (!cache_ok(s))
        return BUDDY_SHRINK_EMPTY;
    lock(s);
    n = s->nr[SLAB_EMPTY] * s->objects;
    unlock(s);
    return n != 0 ? n : BUDDY_SHRINK_EMPTY;
}

static uint64_t shrink_scan(void *arg, const struct buddy_shrink_control *sc)
{
    struct cache *s = arg;
    uint64_t freed = 0;
    struct slab *sl;

    if (!cache_ok(s))
        return BUDDY_SHRINK_STOP;
    lock(s);
    while (freed < sc->nr_to_scan &&
           (sl = list_first(s, SLAB_EMPTY)) != NULL) {
        slab_discard(s, sl);
        freed += s->objects;
    }
    unlock(s);
    return freed;
}

int buddy_slab_shrinker(struct buddy_slab_cache *c, struct buddy_shrinker *out)
{
    struct cache *s = cache_of(c);

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    if (out == NULL)
        return BUDDY_ENULL;
    buddy_memset(out, 0, sizeof(*out));
    out->count = shrink_count;
    out->scan = shrink_scan;
    out->arg = s;
    return 0;
}

int buddy_slab_set_report(struct buddy_slab_cache *c, buddy_slab_report_fn fn,
                          void *arg)
{
    struct cache *s = cache_of(c);

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    lock(s);
    s->report = fn;
    s->report_arg = arg;
    unlock(s);
    return 0;
}

/* ---- views -------------------------------------------------------------- */

static void info_fill(const struct cache *s, struct buddy_slab_info *info)
{
    buddy_memset(info, 0, sizeof(*info));
    name_copy(info->name, s->name);
    info->object_size = s->object_size;
    info->size = s->size;
    info->align = s->align;
    info->order = s->order;
    info->objects = s->objects;
    info->flags = s->flags;
    info->min_partial = s->min_partial;
    info->active_objs = s->active;
    info->num_slabs = s->nr[SLAB_PARTIAL] + s->nr[SLAB_FULL] + s->nr[SLAB_EMPTY];
    info->num_objs = info->num_slabs * s->objects;
    info->partial_slabs = s->nr[SLAB_PARTIAL];
    info->empty_slabs = s->nr[SLAB_EMPTY];
    info->desc_blocks = s->pool == &s->own ? s->own.nr_blocks
                                           : buddy__desc_pool_blocks(s->pool);
    info->allocs = s->allocs;
    info->frees = s->frees;
    info->slabs_made = s->slabs_made;
    info->slabs_freed = s->slabs_freed;
    info->rejected = s->rejected;
}

int buddy_slab_get_info(const struct buddy_slab_cache *c,
                        struct buddy_slab_info *info)
{
    struct cache *s = (struct cache *)(uintptr_t)cache_of_const(c);

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    if (info == NULL)
        return BUDDY_ENULL;
    lock(s);
    info_fill(s, info);
    unlock(s);
    return 0;
}

static void out_header(struct outbuf *o)
{
    out_str_left(o, "slabinfo - version: 2.1\n", 0);
    out_str_left(o,
                 "# name            <active_objs> <num_objs> <objsize> "
                 "<objperslab> <pagesperslab> : tunables <limit> "
                 "<batchcount> <sharedfactor> : slabdata <active_slabs> "
                 "<num_slabs> <sharedavail>\n",
                 0);
}

/* mm/slab_common.c cache_show. */
static void out_line(struct outbuf *o, const struct buddy_slab_info *i)
{
    out_str_left(o, i->name, 17);
    out_char(o, ' ');
    out_u64(o, i->active_objs, 6);
    out_char(o, ' ');
    out_u64(o, i->num_objs, 6);
    out_char(o, ' ');
    out_u64(o, i->size, 6);
    out_char(o, ' ');
    out_u64(o, i->objects, 4);
    out_char(o, ' ');
    out_u64(o, (uint64_t)1 << i->order, 4);
    out_str_left(o, " : tunables    0    0    0 : slabdata ", 0);
    out_u64(o, i->num_slabs, 6);
    out_char(o, ' ');
    out_u64(o, i->num_slabs, 6);
    out_char(o, ' ');
    out_u64(o, 0, 6);
    out_char(o, '\n');
}

size_t buddy_slabinfo_header(char *buf, size_t size)
{
    struct outbuf o = {buf, buf != NULL ? size : 0, 0};

    out_header(&o);
    out_finish(&o);
    return o.len;
}

size_t buddy_slabinfo_line(const struct buddy_slab_cache *c, char *buf,
                           size_t size)
{
    struct outbuf o = {buf, buf != NULL ? size : 0, 0};
    struct buddy_slab_info info;

    if (buddy_slab_get_info(c, &info) == 0)
        out_line(&o, &info);
    out_finish(&o);
    return o.len;
}

size_t buddy_slabinfo(struct buddy_slab_cache *const *caches, unsigned n,
                      char *buf, size_t size)
{
    struct outbuf o = {buf, buf != NULL ? size : 0, 0};
    struct buddy_slab_info info;
    unsigned i;

    out_header(&o);
    for (i = 0; caches != NULL && i < n; i++)
        if (buddy_slab_get_info(caches[i], &info) == 0)
            out_line(&o, &info);
    out_finish(&o);
    return o.len;
}

/* ---- the validator ------------------------------------------------------ */

/* A slab's fault: its pfn named, order 0. */
static int check_fail(struct buddy_check_report *rep, const char *what,
                      buddy_pfn_t pfn, uint64_t expected, uint64_t actual)
{
    return buddy__check_fail(rep, what, pfn, 0, expected, actual);
}

static unsigned popcount64(uint64_t x)
{
    return (unsigned)__builtin_popcountll(x);
}

static int check_slab(const struct cache *s, struct slab *sl, unsigned l,
                      struct buddy_check_report *rep)
{
    const struct cache *owner = NULL;
    uint64_t free_objs = 0, owned = 0;
    uint32_t w, n = (uint32_t)1 << s->order, i;
    uintptr_t pw;

    if (desc_lookup(s->meta, (uintptr_t)sl, &owner) != sl || owner != s ||
        sl->cache != s)
        return check_fail(rep, "slab descriptor not live in this cache",
                          BUDDY_PFN_NONE, 0, 0);
    if (sl->list != l)
        return check_fail(rep, "slab on another list than it says", sl->pfn,
                          l, sl->list);
    if (buddy_zone_pfn_order(s->zone, sl->pfn) != (int)s->order)
        return check_fail(rep, "slab block not allocated at the slab order",
                          sl->pfn, s->order,
                          (uint64_t)buddy_zone_pfn_order(s->zone, sl->pfn));
    for (i = 0; i < n; i++)
        if (buddy_zone_get_private(s->zone, sl->pfn + i, &pw) != 0 ||
            pw != (uintptr_t)sl)
            return check_fail(rep, "slab page does not name its descriptor",
                              sl->pfn + i, (uintptr_t)sl, pw);
    for (w = 0; w < s->map_words; w++) {
        uint64_t valid = w + 1 < s->map_words || s->objects % 64u == 0
                             ? UINT64_MAX
                             : ((uint64_t)1 << (s->objects % 64u)) - 1;

        if (sl->map[w] & ~valid)
            return check_fail(rep, "free bit past the slab's objects",
                              sl->pfn, 0, sl->map[w] & ~valid);
        if (w < sl->hint && sl->map[w] != 0)
            return check_fail(rep, "free object below the slab's hint",
                              sl->pfn, sl->hint, w);
        free_objs += popcount64(sl->map[w]);
    }
    if (sl->inuse != s->objects - free_objs)
        return check_fail(rep, "slab in-use count differs from its map",
                          sl->pfn, s->objects - free_objs, sl->inuse);
    /* The user's objects: allocated, none past the objects; fewer than
     * the allocated count by those in magazines. Each owned word is read
     * once, atomically: magazines change them without the lock, never
     * making a free object the user's. */
    for (w = 0; w < s->owned_words; w++) {
        uint32_t o = buddy_load_relaxed(owned_of(s, sl) + w);
        uint32_t fr = (uint32_t)(sl->map[w / 2u] >> (w % 2u * 32u));
        uint32_t valid = w + 1 < s->owned_words || s->objects % 32u == 0
                             ? UINT32_MAX
                             : ((uint32_t)1 << (s->objects % 32u)) - 1;

        if (o & (fr | ~valid))
            return check_fail(rep, "object both free and the user's",
                              sl->pfn, 0, o & (fr | ~valid));
        owned += (unsigned)__builtin_popcount(o);
    }
    if (owned > sl->inuse)
        return check_fail(rep, "more objects the user's than allocated",
                          sl->pfn, sl->inuse, owned);
    /* A free object is nobody's: every free clears the owner before the
     * object is back on its slab, under the lock this check holds (the
     * bytes of objects out of the slab may change meanwhile, unread). */
    if (s->tenants != NULL)
        for (i = 0; i < s->objects; i++)
            if ((sl->map[i / 64u] >> (i % 64u) & 1u) &&
                owners_of(s, sl)[i] != BUDDY_TENANT_NONE)
                return check_fail(rep, "a free object is charged to a tenant",
                                  sl->pfn, 0, owners_of(s, sl)[i]);
    if (s->debug) {
        size_t slab_bytes = (size_t)s->page_size << s->order;
        const uint8_t *bad;

        for (i = 0; i < s->objects; i++) {
            const char *slot = (const char *)(sl->base + (uintptr_t)i * s->size);
            bool is_free = sl->map[i / 64u] >> (i % 64u) & 1u;
            size_t used = s->track != 0 ? s->track + 2 * sizeof(uintptr_t)
                                        : s->red_left + s->inuse;
            const char *what;
            uint8_t expected;

            bad = debug_verify(s, slot + s->red_left,
                               is_free ? BUDDY_SLAB_RED_INACTIVE
                                       : BUDDY_SLAB_RED_ACTIVE,
                               is_free, &expected, &what);
            if (bad != NULL)
                return check_fail(rep, what, sl->pfn, expected, *bad);
            if ((bad = first_not(slot + used, BUDDY_SLAB_POISON_INUSE,
                                 s->size - used)) != NULL)
                return check_fail(rep, "Padding overwritten", sl->pfn,
                                  BUDDY_SLAB_POISON_INUSE, *bad);
        }
        if ((s->flags & BUDDY_SLAB_POISON) &&
            (bad = first_not((const char *)(sl->base + (uintptr_t)s->objects *
                                                           s->size),
                             BUDDY_SLAB_POISON_INUSE,
                             slab_bytes - s->objects * s->size)) != NULL)
            return check_fail(rep, "Padding overwritten", sl->pfn,
                              BUDDY_SLAB_POISON_INUSE, *bad);
    }
    if ((l == SLAB_EMPTY) != (sl->inuse == 0) ||
        (l == SLAB_FULL) != (sl->inuse == s->objects))
        return check_fail(rep, "slab on the wrong list for its count",
                          sl->pfn, l, sl->inuse);
    return 0;
}

int buddy_slab_check(struct buddy_slab_cache *c, struct buddy_check_report *rep)
{
    struct cache *s = cache_of(c);
    uint64_t active = 0, blocks = 0;
    struct desc_block *db;
    unsigned l;
    int err = 0;

    if (!cache_ok(s))
        return BUDDY_EBADCACHE;
    buddy__check_clear(rep);
    lock(s);
    for (l = 0; l < SLAB_NR_LISTS && err == 0; l++) {
        struct slab_link *head = &s->lists[l], *at;
        uint64_t n = 0;

        for (at = head->next; at != head && err == 0; at = at->next) {
            struct slab *sl = slab_of(at);

            if (++n > s->nr[l] || at->next->prev != at) {
                err = check_fail(rep, "slab list longer than counted, or a "
                                      "broken back link",
                                 BUDDY_PFN_NONE, s->nr[l], n);
                break;
            }
            err = check_slab(s, sl, l, rep);
            active += sl->inuse;
        }
        if (err == 0 && n != s->nr[l])
            err = check_fail(rep, "slab list shorter than counted",
                             BUDDY_PFN_NONE, s->nr[l], n);
    }
    if (err == 0 && active != s->active)
        err = check_fail(rep, "objects allocated differ from the slabs'",
                         BUDDY_PFN_NONE, active, s->active);
    /* Every desc block of the pool with room is on its free list, counted
     * once. */
    pool_lock(s->pool);
    for (db = s->pool->free; db != NULL && err == 0; db = db->next) {
        if (++blocks > s->pool->nr_blocks || db->magic != DESC_MAGIC ||
            db->pool != s->pool || db->free_map == 0 ||
            db->used != s->pool->slots - popcount64(db->free_map))
            err = check_fail(rep, "descriptor block list or counts broken",
                             db->pfn, s->pool->nr_blocks, blocks);
    }
    pool_unlock(s->pool);
    unlock(s);
    return err;
}
