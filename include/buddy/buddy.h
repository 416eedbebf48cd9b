/* SPDX-License-Identifier: MIT */
/*
 * libbuddy: the Linux kernel's buddy page allocator as a freestanding library.
 *
 * This header is the whole public API of the core. It includes nothing but
 * <stddef.h>, <stdint.h> and <stdbool.h>, so it can be used from a kernel, a
 * hypervisor, firmware, wasm or a normal program.
 *
 * Vocabulary (the kernel's):
 *   page      the unit of management, 2^page_shift bytes (any power of two >= 16)
 *   pfn       page frame number: the page's index in the caller's frame space
 *   order     log2 of a block's size in pages; a block of order k is 2^k pages
 *             and its first pfn is a multiple of 2^k (naturally aligned)
 *   buddy     the block a block merges with: buddy_pfn = pfn ^ (1 << order)
 *   zone      a span of pfns managed as one buddy system, with its own
 *             free_area[order] free lists
 *   node      a group of zones (DMA, DMA32, Normal ...) as in NUMA
 *   system    the nodes, with the kernel's zonelist fallback between them
 *
 * Memory model: the core allocates nothing and never reads or writes the pages
 * it manages. All state lives in a metadata buffer the caller provides
 * (buddy_zone_meta_size() says how big), so pfns may name physical frames,
 * device or GPU memory, or offsets in a file.
 *
 * Errors: every function that can fail returns 0 or a negative BUDDY_E* code
 * (see BUDDY_ERRNO_MAP); a failed call changes nothing. Where several errors
 * apply, each function's comment lists them in the order they are checked:
 * the first that applies is returned. For a call on a zone that is EBADZONE
 * (not a zone) first, then ENULL (a NULL pointer argument), then the other
 * arguments, then the state of the pages (docs/design.md has the table).
 *
 * Locking: the core takes the locks its embedder gives it
 * (buddy_zone_set_lock); without them a zone is for one thread at a time.
 * Per-CPU page caches (struct buddy_pcp) serve small orders without the zone
 * lock. The hosted layer (buddy/hosted.h) wires both up with pthreads.
 */
#ifndef BUDDY_BUDDY_H
#define BUDDY_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Symbol visibility: the library is built with hidden visibility and exports
 * exactly what is marked BUDDY_API. */
#if defined(BUDDY_STATIC_DEFINE) || !defined(__GNUC__)
#define BUDDY_API
#else
#define BUDDY_API __attribute__((visibility("default")))
#endif

/*
 * What the compiler is told about the calls, where it understands it:
 *
 *   BUDDY_NODISCARD    the result must be looked at: an allocation, an
 *                      init, a query whose answer is only valid on
 *                      success, a validator. [[nodiscard]] under C23 and
 *                      C++17, where a cast to void says "ignored on
 *                      purpose"; GCC's and clang's warn_unused_result
 *                      before that (GCC warns through a void cast: check
 *                      the result instead). Frees are not marked: their
 *                      errors report a caller's bug, and the state is
 *                      unchanged whether or not it is read.
 *   BUDDY_MALLOC       the byte allocators return memory no other live
 *                      pointer reaches, as malloc.
 *   BUDDY_ALLOC_SIZE(n)  argument n (counted from 1) is the size in bytes
 *                      of the object returned (or NULL). As with
 *                      malloc_usable_size, a fortified build checks
 *                      accesses against that size, not the whole block
 *                      buddy_zone_usable_size reports.
 *   BUDDY_ALLOC_ALIGN(n) argument n is the address alignment of the object.
 *
 * Each is empty for other compilers.
 */
#if (defined(__cplusplus) && __cplusplus >= 201703L) ||                       \
    (!defined(__cplusplus) && defined(__STDC_VERSION__) &&                     \
     __STDC_VERSION__ >= 202311L)
#define BUDDY_NODISCARD [[nodiscard]]
#elif defined(__GNUC__)
#define BUDDY_NODISCARD __attribute__((warn_unused_result))
#else
#define BUDDY_NODISCARD
#endif
#if defined(__GNUC__)
#define BUDDY_MALLOC __attribute__((__malloc__))
#define BUDDY_ALLOC_SIZE(n) __attribute__((alloc_size(n)))
#define BUDDY_ALLOC_ALIGN(n) __attribute__((alloc_align(n)))
#else
#define BUDDY_MALLOC
#define BUDDY_ALLOC_SIZE(n)
#define BUDDY_ALLOC_ALIGN(n)
#endif

#define BUDDY_VERSION_MAJOR 0
#define BUDDY_VERSION_MINOR 2
#define BUDDY_VERSION_PATCH 0

/* ------------------------------------------------------------------------ */
/* Limits                                                                    */
/* ------------------------------------------------------------------------ */

/* Largest max_order a zone accepts: blocks of up to 2^31 pages. Bounded by the
 * 5-bit order field of the per-page state byte and the 32-bit page index. */
#define BUDDY_MAX_ORDER_LIMIT 31u
/* Number of free lists a zone can have (orders 0..BUDDY_MAX_ORDER_LIMIT). */
#define BUDDY_NR_ORDERS (BUDDY_MAX_ORDER_LIMIT + 1u)
/* Default max_order, as in Linux: 1024 pages = 4 MiB with 4 KiB pages. */
#define BUDDY_DEFAULT_MAX_ORDER 10u
#define BUDDY_DEFAULT_PAGE_SIZE 4096u
#define BUDDY_MIN_PAGE_SIZE 16u
/* A zone spans at most 2^32 - 1 pages (16 TiB with 4 KiB pages); use several
 * zones for more. Its metadata must also fit size_t, which on a 32-bit
 * target bounds the span at about 477 million pages (2^28.8). */
#define BUDDY_MAX_ZONE_PAGES 0xffffffffu
/* Bytes of metadata per page of span, not counting the fixed zone header
 * and one byte per pageblock (2^pageblock_order pages) the span touches. */
#define BUDDY_META_BYTES_PER_PAGE 9u
/* The pageblock order a zone gets by default, capped at its max_order: the
 * kernel's pageblock_order with 4 KiB pages (2 MiB, the huge page size). */
#define BUDDY_DEFAULT_PAGEBLOCK_ORDER 9u

/* Migrate types, as the kernel's enum migratetype (without CMA): what a
 * pageblock holds and which free lists its free blocks are on. */
enum buddy_migratetype {
    BUDDY_MIGRATE_UNMOVABLE = 0,   /* kernel objects: never move */
    BUDDY_MIGRATE_MOVABLE = 1,     /* user pages: could be migrated */
    BUDDY_MIGRATE_RECLAIMABLE = 2, /* caches a shrinker can free */
    BUDDY_MIGRATE_HIGHATOMIC = 3,  /* the reserve for high-order atomic
                                      allocations */
    BUDDY_MIGRATE_ISOLATE = 4,     /* taken out of use: nothing is
                                      allocated from it */
    BUDDY_MIGRATE_TYPES = 5
};
/* Types an allocation may ask for (the kernel's MIGRATE_PCPTYPES). */
#define BUDDY_MIGRATE_PCPTYPES 3u
/* Zone names are copied; longer names are truncated. */
#define BUDDY_ZONE_NAME_MAX 15u

/* Nodes and zones of a buddy_system, as the kernel's MAX_NUMNODES and
 * MAX_NR_ZONES. */
#define BUDDY_MAX_NUMNODES 8u
#define BUDDY_MAX_NR_ZONES 4u

typedef uint64_t buddy_pfn_t;
#define BUDDY_PFN_NONE UINT64_MAX

/* ------------------------------------------------------------------------ */
/* Errors: one table, one strerror                                           */
/* ------------------------------------------------------------------------ */

#define BUDDY_ERRNO_MAP(X)                                                     \
    X(ENOMEM, -1, "out of memory: no free block of the requested order")      \
    X(EINVAL, -2, "invalid argument")                                          \
    X(EORDER, -3, "order above the zone's max_order")                          \
    X(ERANGE, -4, "frame or address outside the zone")                         \
    X(EALIGN, -5, "frame or address not aligned to the block size")            \
    X(EINTERIOR, -6, "frame is inside an allocated block, not its first page") \
    X(EDOUBLEFREE, -7, "block is already free (double free)")                  \
    X(EWRONGORDER, -8, "order differs from the allocated block's order")       \
    X(EHOLE, -9, "frame is in a hole: never given to the zone")                \
    X(ERESERVED, -10, "frame is reserved, not allocated")                      \
    X(ENULL, -11, "NULL pointer")                                              \
    X(EBUSY, -12, "range in use: allocated pages, or pageblocks isolated")     \
    X(EOVERLAP, -13, "range overlaps memory already in the zone")              \
    X(EPAGESIZE, -14, "page size is not a power of two >= 16")                 \
    X(EMAXORDER, -15, "max_order above BUDDY_MAX_ORDER_LIMIT")                 \
    X(ENOSPC, -16, "no room: metadata buffer too small, or a table full")       \
    X(ESPAN, -17, "zone span empty, too large, or past the end of pfn space")  \
    X(ENOBASE, -18, "zone has no base address for the byte API")               \
    X(ENODE, -19, "node or zone index out of range")                           \
    X(EEXIST, -20, "already there: zone slot taken, or shrinker registered")   \
    X(EZERO, -21, "zero-size request")                                         \
    X(ECORRUPT, -22, "allocator state is inconsistent")                        \
    X(EBADZONE, -23, "not an initialised zone")                                \
    X(ESPANOVERLAP, -24, "zone span overlaps a zone already in the system")  \
    X(EATTACHED, -25, "a per-CPU cache is attached: buddy_pcp_fini it first") \
    X(ENOTSUP, -26, "not supported here (statistics compiled out, or a kernel feature missing)") \
    X(ENOTSLAB, -27, "address is not an object of a slab cache")               \
    X(EWRONGCACHE, -28, "object belongs to another slab cache")                \
    X(EBADCACHE, -29, "not a created slab cache")                             \
    X(ENOTENANT, -30, "not a live tenant")

enum buddy_errno {
    BUDDY_OK = 0,
#define BUDDY_ERRNO_ENUM_(name, value, text) BUDDY_##name = (value),
    BUDDY_ERRNO_MAP(BUDDY_ERRNO_ENUM_)
#undef BUDDY_ERRNO_ENUM_
};

/* The library's version, BUDDY_VERSION_MAJOR * 10000 + MINOR * 100 + PATCH,
 * as built (the header's macros say what a program was compiled against). */
BUDDY_API unsigned buddy_version(void);

/* Text for a BUDDY_E* code (or 0); "unknown error" for anything else. */
BUDDY_API const char *buddy_strerror(int err);
/* Short symbolic name ("EDOUBLEFREE"), for logs and JSON. */
BUDDY_API const char *buddy_errname(int err);

/* ------------------------------------------------------------------------ */
/* Zones                                                                     */
/* ------------------------------------------------------------------------ */

struct buddy_zone; /* opaque; lives at the start of the metadata buffer */

struct buddy_zone_config {
    buddy_pfn_t start_pfn; /* first pfn of the span */
    uint64_t nr_pages;     /* pages spanned, holes included (1..2^32-1) */
    size_t page_size;      /* bytes per page: power of two >= 16 */
    unsigned max_order;    /* largest block is 2^max_order pages (<= 31) */
    void *base;            /* address of start_pfn for the byte API, or NULL;
                              base + nr_pages * page_size must not pass
                              UINTPTR_MAX */
    const char *name;      /* "Normal", "DMA" ...; NULL means "Normal" */
    unsigned flags;        /* BUDDY_ZONE_* below */
    unsigned pageblock_order; /* pages are grouped by mobility in pageblocks
                              of 2^pageblock_order (1..max_order); 0 means
                              min(9, max_order), as on x86-64 */
};

/* The metadata buffer is already all zero (fresh anonymous mmap, calloc):
 * init skips clearing it, so a zone of any size is ready in O(log pages)
 * and its metadata pages stay untouched until allocations reach them. */
#define BUDDY_ZONE_META_ZEROED 0x1u
/* Grouping by mobility off, as the kernel's page_group_by_mobility_disabled:
 * every pageblock and every request of a pcp type (unmovable, movable,
 * reclaimable) is unmovable, so all of them share one free list per order.
 * The HIGHATOMIC reserve and isolation still work. */
#define BUDDY_ZONE_NO_GROUPING 0x2u
/* Owners: one byte more a page of metadata (BUDDY_META_BYTES_PER_PAGE + 1
 * in all), in which each allocated block records its owner, 1..255 (a
 * tenant: buddy/tenant.h), given by buddy_zone_alloc_pages_owned; the
 * owner hook hears every free of an owned block, whatever call frees it. */
#define BUDDY_ZONE_OWNERS 0x4u
#define BUDDY_OWNER_MAX 255u

/* Defaults: 4 KiB pages, max_order 10, no base, name "Normal", no flags. */
#define BUDDY_ZONE_CONFIG_INIT                                                 \
    {0, 0, BUDDY_DEFAULT_PAGE_SIZE, BUDDY_DEFAULT_MAX_ORDER, NULL, NULL, 0, 0}

/*
 * Bytes of metadata a zone with this configuration needs: a fixed header plus
 * BUDDY_META_BYTES_PER_PAGE per spanned page (one more with
 * BUDDY_ZONE_OWNERS) and one per pageblock. Returns 0 if the configuration
 * is invalid, a span whose metadata size does not fit size_t included
 * (buddy_zone_init says why); never 0 for one init accepts. O(1).
 */
BUDDY_NODISCARD
BUDDY_API size_t buddy_zone_meta_size(const struct buddy_zone_config *cfg);

/*
 * Initialise a zone in `meta` (meta_size bytes, aligned to 8). The zone starts
 * with every page a hole: memory enters with buddy_zone_add_range(). On
 * success *zone_out points into `meta`, and only the first
 * buddy_zone_meta_size(cfg) bytes of the buffer are ever written. Errors,
 * checked before anything is written:
 *   ENULL      meta, cfg or zone_out NULL
 *   EPAGESIZE  page_size not a power of two >= 16
 *   EMAXORDER  max_order above BUDDY_MAX_ORDER_LIMIT
 *   EINVAL     an unknown flag; or meta + meta_size passes UINTPTR_MAX
 *   ESPAN      nr_pages 0 or above BUDDY_MAX_ZONE_PAGES; start_pfn +
 *              nr_pages above BUDDY_PFN_NONE; base + nr_pages * page_size
 *              above UINTPTR_MAX; or the metadata size above SIZE_MAX
 *              (about 477 million pages on a 32-bit target): no buffer can
 *              hold such a zone
 *   EALIGN     meta not 8-byte aligned, or base not page aligned
 *   ENOSPC     meta_size below buddy_zone_meta_size(cfg) (0 always is)
 *   EATTACHED  meta holds a live zone that per-CPU caches are still
 *              attached to (they point into it): buddy_pcp_fini them first.
 *              To tell, init reads the zone header at the start of meta: a
 *              buffer that is neither zeroed nor a previous zone may draw a
 *              memory checker's "uninitialised read" there, harmlessly.
 * Cost: clearing one byte per page, then O(log nr_pages); with
 * BUDDY_ZONE_META_ZEROED only O(log nr_pages).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_init(void *meta, size_t meta_size,
                              const struct buddy_zone_config *cfg,
                              struct buddy_zone **zone_out);

/*
 * Give the pages [pfn, pfn + nr_pages) to the zone as free memory, as the
 * kernel frees memblock ranges at boot (or free_reserved_area): the range is
 * carved into the largest naturally aligned blocks, each merged with free
 * neighbours. Every page must be a hole or reserved; otherwise EOVERLAP and
 * nothing changes. Errors, in order: EBADZONE, EINVAL (nr_pages == 0),
 * ERANGE (not inside the span), EOVERLAP. The merges it makes are not
 * counted in the zone's `merges` nor reported as MERGE events.
 * O(max_order + blocks overlapped): the max_order blocks in the middle of
 * the range are counted at once and written to the metadata lazily, one at a
 * time, when allocations first need them (the kernel's deferred page init).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_add_range(struct buddy_zone *z, buddy_pfn_t pfn,
                                   uint64_t nr_pages);

/*
 * Take [pfn, pfn + nr_pages) out of use (firmware tables, a kernel image ...).
 * Every page must be free or already reserved: EBUSY if any is allocated or
 * held by a per-CPU cache (drain the caches first, as the kernel's
 * drain_all_pages before isolating a range), EHOLE if any is a hole, and
 * nothing changes. Errors, in order: EBADZONE, EINVAL (nr_pages == 0),
 * ERANGE, then EBUSY or EHOLE as the first offending page in address order
 * says. Reserved pages come back with buddy_zone_add_range(). No split or
 * merge it makes is counted. Cost as buddy_zone_add_range.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_reserve(struct buddy_zone *z, buddy_pfn_t pfn,
                                 uint64_t nr_pages);

/* ------------------------------------------------------------------------ */
/* Allocation and free by pfn                                                */
/* ------------------------------------------------------------------------ */

/*
 * Allocate a block of 2^order pages: take the smallest non-empty free list of
 * order >= `order` (O(1) through a bitmap), split it down keeping the lower
 * half and putting each upper half on the free list of its order (the
 * kernel's expand()), store the first pfn in *pfn. It allocates as
 * BUDDY_MIGRATE_MOVABLE: buddy_zone_alloc_pages_type says otherwise.
 * O(max_order). Errors, in order: EBADZONE, ENULL, EORDER, ENOMEM (counted
 * in alloc_failures); *pfn is left alone.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_alloc_pages(struct buddy_zone *z, unsigned order,
                                     buddy_pfn_t *pfn);

/*
 * Allocate for a migrate type (UNMOVABLE, MOVABLE or RECLAIMABLE), as the
 * kernel's __rmqueue: the smallest block on that type's lists; when they
 * have none of the order or larger, a fallback to another type's
 * pageblocks that claims a whole one where the kernel would, else takes
 * the smallest block of one (pageblock.c has the rules). No watermarks: a
 * zone call takes any free block (buddy_system_alloc_pages_flags judges
 * marks). Errors, in order: EBADZONE, ENULL, EORDER, EINVAL (another
 * type), ENOMEM. O(max_order), plus one walk of a pageblock for a claim
 * below pageblock_order.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_alloc_pages_type(struct buddy_zone *z, unsigned order,
                                          enum buddy_migratetype mt,
                                          buddy_pfn_t *pfn);

/*
 * Free the block at pfn, of the given order: merge with the buddy at
 * pfn ^ (1 << order) while it is free and of the same order, up to max_order
 * (the kernel's __free_one_page). O(max_order). The check is O(1) from the
 * metadata. Errors, in order: EBADZONE; ERANGE (pfn outside the span);
 * EORDER (order above max_order); EALIGN (pfn not a multiple of 2^order);
 * then what the metadata says is at pfn: EWRONGORDER (an allocated block
 * of another order), EINTERIOR (inside an allocated block, found in
 * O(max_order)), EDOUBLEFREE (free, or inside a free block), EHOLE,
 * ERESERVED. So a misaligned pfn inside an allocated block is EALIGN, not
 * EINTERIOR.
 */
BUDDY_API int buddy_zone_free_pages(struct buddy_zone *z, buddy_pfn_t pfn,
                                    unsigned order);

/* Free the allocated block that starts at pfn, whatever its order. Errors as
 * buddy_zone_free_pages but EWRONGORDER. O(max_order). */
BUDDY_API int buddy_zone_free_pfn(struct buddy_zone *z, buddy_pfn_t pfn);

/*
 * Owners (a zone made with BUDDY_ZONE_OWNERS). buddy_zone_alloc_pages_owned
 * allocates as buddy_zone_alloc_pages_type and records owner (1..
 * BUDDY_OWNER_MAX) in the block's first page, under the zone lock:
 * ENOTSUP on a zone without owners, EINVAL for owner 0 or above the
 * largest, then the allocation's errors. Every free of an owned block (by
 * pfn or address, through a per-CPU cache, whose fast path leaves an
 * owned block to the zone, or the upper halves a shrinking resize gives
 * back) clears the owner and calls the owner hook with the owner, the
 * freed block's first pfn and its order, the zone lock held (as the
 * event hook: use _locked calls there). An owned block does not grow in
 * place (buddy_zone_resize_pages: EBUSY): what it gains its owner would
 * have to accept first. buddy_zone_get_owner reads the owner of the
 * allocated block whose first page is pfn (0 for none), with the errors
 * of buddy_zone_pfn_order for a page that is not one; ENOTSUP without
 * owners. O(max_order) for the allocation, O(1) for the rest.
 */
typedef void (*buddy_owner_fn)(void *arg, unsigned owner, buddy_pfn_t pfn,
                               unsigned order);
BUDDY_NODISCARD
BUDDY_API int buddy_zone_alloc_pages_owned(struct buddy_zone *z,
                                           unsigned order,
                                           enum buddy_migratetype mt,
                                           unsigned owner, buddy_pfn_t *pfn);
BUDDY_NODISCARD
BUDDY_API int buddy_zone_get_owner(const struct buddy_zone *z,
                                   buddy_pfn_t pfn, unsigned *owner);
/* Set (fn NULL: clear) the owner hook. EBADZONE, ENOTSUP. */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_set_owner_hook(struct buddy_zone *z,
                                        buddy_owner_fn fn, void *arg);

/*
 * Resize the allocated block at pfn, of `order`, in place to new_order: a
 * realloc that keeps the block's first page, the buddy allocator's
 * counterpart of mremap without MREMAP_MAYMOVE. Growing takes the pages
 * up to pfn + 2^new_order, which must be the block's free buddies: pfn
 * aligned to 2^new_order and, for each k from order to new_order - 1,
 * the pages at pfn + 2^k a FREE block of order k (from pageblock_order
 * up, of a pageblock type the block's may merge with, as a free would).
 * Their owner words become the block's. Shrinking frees the block's
 * upper halves, as frees of their orders that merge with nothing (free
 * page reporting notes them). O(new_order - order) plus, for a growth,
 * a store of the owner word per page gained. Takes the zone lock; no
 * watermark is checked, as for any zone call.
 *
 * Counted as the free of a block of `order` and the allocation of one of
 * new_order; with a hook, one RESIZE event. Errors: EBADZONE; then as
 * buddy_zone_free_pages (ERANGE, EORDER for either order, EALIGN,
 * EWRONGORDER, EINTERIOR, EDOUBLEFREE, EHOLE, ERESERVED), counted in
 * `rejected`; EBUSY, nothing changed and nothing counted, when the block
 * cannot grow in place (misaligned for new_order, or a page it would
 * take is in use, cached, a hole, reserved or of a type it may not
 * take): allocate, copy and free instead. new_order == order: 0.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_resize_pages(struct buddy_zone *z, buddy_pfn_t pfn,
                                      unsigned order, unsigned new_order);

/* The order of the allocated block starting at pfn, or a negative error as
 * buddy_zone_free_pfn would return. O(1). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_pfn_order(const struct buddy_zone *z, buddy_pfn_t pfn);

/*
 * A word for the owner of an allocated block, as the kernel's
 * page->private and its slab pointer in struct page: a layer above (a slab
 * cache) hangs its descriptor on the pages it allocated, and finds it again
 * from any page of the block in O(1), with no header in the memory. The
 * word lives in the page slots a free block uses for its list links, so it
 * costs no metadata; once the block is freed the slots are the allocator's
 * again and what they hold means nothing (it is not cleared).
 *
 * buddy_zone_set_private writes value into every page of the ALLOCATED
 * block whose head is pfn: O(2^order), no lock (the block is the caller's,
 * as its memory is). Errors, nothing changed: EBADZONE; ERANGE (pfn outside
 * the zone); and, when pfn is not the head of an allocated block, the error
 * buddy_zone_pfn_order gives (EINTERIOR, EDOUBLEFREE for a free or cached
 * block, EHOLE, ERESERVED).
 *
 * buddy_zone_set_head_private writes value into the block's first page
 * only: O(1), with the same errors. For an owner that finds its blocks by
 * their first page alone (kmalloc's large blocks): the later pages' records
 * keep what they held, so a large block's metadata is not written, nor,
 * where the zone's metadata is backed lazily, made resident, page by page.
 *
 * buddy_zone_get_private reads the word of the page at pfn into *value:
 * O(1), no lock, and no check of the page's state. Only an owner that set
 * it can trust what it reads; for any other page the word is whatever the
 * allocator left there, and a layer that takes a pfn from its caller must
 * verify what the word names (the slab layer checks that it is a live
 * descriptor of the cache that covers the page). EBADZONE, ENULL, ERANGE.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_set_private(struct buddy_zone *z, buddy_pfn_t pfn,
                                     uintptr_t value);
BUDDY_NODISCARD
BUDDY_API int buddy_zone_set_head_private(struct buddy_zone *z,
                                          buddy_pfn_t pfn, uintptr_t value);
BUDDY_NODISCARD
BUDDY_API int buddy_zone_get_private(const struct buddy_zone *z,
                                     buddy_pfn_t pfn, uintptr_t *value);
/* Both at once for an address, the fast path of a free: the pfn of the
 * page holding addr and that page's word, or ERANGE (addr outside the
 * zone's memory, or a zone without a base) with nothing written. O(1),
 * no lock, no check of the page's state: as buddy_zone_get_private. */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_addr_private(const struct buddy_zone *z,
                                      const void *addr, buddy_pfn_t *pfn,
                                      uintptr_t *value);

/* The buddy of the block at pfn of the given order. */
static inline buddy_pfn_t buddy_find_buddy_pfn(buddy_pfn_t pfn, unsigned order)
{
    return pfn ^ ((buddy_pfn_t)1 << order);
}

/* ------------------------------------------------------------------------ */
/* Byte API over a zone with a base address                                  */
/* ------------------------------------------------------------------------ */

/*
 * Address of a pfn: base + (pfn - start_pfn) * page_size. A block of order k
 * is aligned to 2^k pages in pfn space; its address is aligned to
 * 2^k * page_size bytes as well when (base - start_pfn * page_size) is a
 * multiple of that size, e.g. start_pfn = 0 and base aligned to the largest
 * block, or an identity map (start_pfn = base / page_size).
 */

/* The order a request of `size` bytes needs (rounded up to a power-of-two
 * number of pages, exactly for any size up to SIZE_MAX), or EZERO / EORDER.
 * O(1). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_size_to_order(const struct buddy_zone *z, size_t size);

/* Allocate `size` bytes; NULL for zero size, size above the largest block, no
 * memory, or a zone without base. buddy_zone_size_to_order() tells which. */
BUDDY_NODISCARD BUDDY_MALLOC BUDDY_ALLOC_SIZE(2)
BUDDY_API void *buddy_zone_alloc(struct buddy_zone *z, size_t size);

/* As buddy_zone_alloc, with the address a multiple of `align` (a power of two).
 * NULL also when align is not a power of two or the zone's base cannot give
 * that alignment (see buddy_zone_addr_align()). */
BUDDY_NODISCARD BUDDY_MALLOC BUDDY_ALLOC_SIZE(2) BUDDY_ALLOC_ALIGN(3)
BUDDY_API void *buddy_zone_alloc_aligned(struct buddy_zone *z, size_t size,
                                         size_t align);

/* Free by pointer, no size. Errors, in order: EBADZONE, ENULL, ENOBASE,
 * ERANGE (not in the zone), EALIGN (not page aligned), then those of
 * buddy_zone_free_pfn. */
BUDDY_API int buddy_zone_free(struct buddy_zone *z, void *ptr);

/* Bytes usable at ptr (the whole block), or 0 if ptr is not an allocated
 * block of the zone. O(1). */
BUDDY_NODISCARD
BUDDY_API size_t buddy_zone_usable_size(const struct buddy_zone *z,
                                        const void *ptr);

/* The largest power-of-two alignment in bytes the zone can guarantee for its
 * largest blocks (min of the block size and the base's alignment relative to
 * pfn space, and at most the top bit of size_t), or 0 without a base. */
BUDDY_NODISCARD
BUDDY_API size_t buddy_zone_addr_align(const struct buddy_zone *z);

/* pfn <-> address, no checks beyond the zone span (NULL / BUDDY_PFN_NONE). */
BUDDY_NODISCARD
BUDDY_API void *buddy_zone_pfn_to_addr(const struct buddy_zone *z,
                                       buddy_pfn_t pfn);
BUDDY_NODISCARD
BUDDY_API buddy_pfn_t buddy_zone_addr_to_pfn(const struct buddy_zone *z,
                                             const void *addr);

/* ------------------------------------------------------------------------ */
/* Seeing inside                                                             */
/* ------------------------------------------------------------------------ */

struct buddy_zone_info {
    const char *name;      /* zone name */
    buddy_pfn_t start_pfn; /* first pfn of the span */
    size_t page_size;      /* bytes per page */
    unsigned max_order;    /* orders 0..max_order */
    int node_id;           /* node in a buddy_system, or -1 */
    int zone_idx;          /* zone index in its node, or -1 */
};

struct buddy_zone_stats {
    uint64_t spanned_pages;  /* nr_pages of the span, holes included */
    uint64_t present_pages;  /* spanned - holes */
    uint64_t managed_pages;  /* present - reserved: free + allocated */
    uint64_t reserved_pages; /* taken out by buddy_zone_reserve */
    uint64_t free_pages;     /* sum of nr_free[o] << o */
    uint64_t nr_free[BUDDY_NR_ORDERS];     /* blocks on free_area[o] */
    uint64_t alloc_count[BUDDY_NR_ORDERS]; /* successful allocations, by order */
    uint64_t free_count[BUDDY_NR_ORDERS];  /* successful frees, by order */
    uint64_t splits;         /* blocks split in two by allocations (one
                                SPLIT event each) */
    uint64_t merges;         /* buddy pairs merged by frees (one MERGE
                                event each); range operations count
                                neither */
    uint64_t alloc_failures; /* allocations that found no block */
    uint64_t fallbacks;      /* system allocations served by this zone
                                whose preferred zone (the zonelist's
                                first) was another */
    uint64_t rejected;       /* bad frees / ranges refused */
    uint64_t cached_pages;   /* pages held by per-CPU caches (not free) */
    uint64_t nr_caches;      /* per-CPU caches attached to the zone */
    uint64_t cache_refills;  /* batches moved from the free lists to caches */
    uint64_t cache_drains;   /* batches moved back */
    uint64_t allocstall;     /* direct reclaims of system allocations that
                                preferred this zone (the kernel's
                                allocstall_<zone>) */
    uint64_t claims;         /* allocations that fell back to another
                                migrate type and took its pageblock over
                                (mm_page_alloc_extfrag, change_ownership 1) */
    uint64_t steals;         /* allocations that fell back and took a block
                                only (change_ownership 0) */
};

/*
 * The queries below report failure as every other call does: they return 0
 * or a negative BUDDY_E* code and give their answer through the last
 * argument, which a failed call leaves untouched. So no answer (0 pages,
 * index 0) can be mistaken for an error. Errors, in this order when several
 * apply: EBADZONE (z is not an initialised zone), ENULL (the out pointer is
 * NULL), EORDER (order above the zone's max_order).
 */

/* The zone's configuration and place in a system. O(1). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_get_info(const struct buddy_zone *z,
                                  struct buddy_zone_info *info);
/* Page counts, free lists and counters, as one consistent moment (one lock
 * round trip). ENOTSUP when the library is built without statistics
 * (BUDDY_STATS=0). O(max_order + caches). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_get_stats(const struct buddy_zone *z,
                                   struct buddy_zone_stats *st);
/* Blocks on free_area[order]. O(1). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_nr_free(const struct buddy_zone *z, unsigned order,
                                 uint64_t *nr_free);
/* Free pages in the zone (cached pages are not free). O(1). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_nr_free_pages(const struct buddy_zone *z,
                                       uint64_t *nr_pages);

/* Free blocks and pageblocks by migrate type: what /proc/pagetypeinfo
 * shows. */
struct buddy_zone_pagetypes {
    unsigned pageblock_order;  /* pages per pageblock: 2^this */
    bool grouping;             /* grouping by mobility on */
    uint64_t nr_free[BUDDY_NR_ORDERS][BUDDY_MIGRATE_TYPES]; /* blocks on
                                  free_area[order] list type */
    uint64_t nr_pageblocks[BUDDY_MIGRATE_TYPES]; /* pageblocks of each type,
                                  every one the span touches */
};
/* As one consistent moment. EBADZONE, ENULL. O(max_order + pageblocks). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_get_pagetypes(const struct buddy_zone *z,
                                       struct buddy_zone_pagetypes *pt);
/* The migrate type of the pageblock holding pfn, through *mt. EBADZONE,
 * ENULL, ERANGE (pfn outside the span). O(1). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_pageblock_type(const struct buddy_zone *z,
                                        buddy_pfn_t pfn,
                                        enum buddy_migratetype *mt);
/*
 * Isolate the pageblocks that [pfn, pfn + nr_pages) touches, as the
 * kernel's start_isolate_page_range: each becomes ISOLATE (keeping its
 * type for the undo), its free blocks move to the ISOLATE lists, nothing is
 * allocated from it and what is freed into it stays there (and does not
 * count as free for watermarks). A larger free block around a pageblock
 * is cut at pageblock boundaries first. All or nothing: EBUSY when one of
 * them is isolated already. Errors, in order: EBADZONE, EINVAL (nr_pages
 * 0), ERANGE (not inside the span), EBUSY; counted in `rejected`.
 * O(pageblocks x blocks in a pageblock).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_isolate_range(struct buddy_zone *z, buddy_pfn_t pfn,
                                       uint64_t nr_pages);
/* Undo it (undo_isolate_page_range): each isolated pageblock the range
 * touches gets its type back and its free blocks merge as that type
 * allows; pageblocks not isolated are left alone. EBADZONE, EINVAL,
 * ERANGE. */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_undo_isolate_range(struct buddy_zone *z,
                                            buddy_pfn_t pfn,
                                            uint64_t nr_pages);

/* "Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate", as
 * pagetypeinfo spells them; "?" for anything else. */
BUDDY_API const char *buddy_migratetype_name(enum buddy_migratetype mt);

/*
 * The kernel's extfrag indices for an order (mm/vmstat.c), in thousandths,
 * through *index:
 *
 * unusable free space index: the share of free memory in blocks too small
 *   for the order: 0 (all of it usable) to 1000 (none is); 1000 when
 *   nothing is free.
 * fragmentation index: -1000 when the order can be allocated now. Else the
 *   kernel's 1000 - (1000 + free_pages * 1000 / 2^order) / free_blocks:
 *   towards 1000 a failure is from fragmentation, towards 0 and below from
 *   lack of memory. It goes below 0 when memory is short: with one free
 *   block, smaller than the request, it is -1000 * its pages / 2^order
 *   (one free page and an order-1 request: -500, the lowest it gets); 0
 *   when nothing is free.
 *
 * O(max_order).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_unusable_index(const struct buddy_zone *z,
                                        unsigned order, int *index);
BUDDY_NODISCARD
BUDDY_API int buddy_zone_fragmentation_index(const struct buddy_zone *z,
                                             unsigned order, int *index);

/*
 * The zone's /proc/buddyinfo line, in the kernel's format: "Node %d, zone %8s "
 * then "%6lu " per order 0..max_order, then "\n". Writes at most size bytes
 * including the NUL; returns the length the full line needs (as snprintf),
 * which is never 0 for a zone: 0 (and an empty string) means z is not one.
 * node_id is the zone's node in its system (0 when not in one).
 */
BUDDY_API size_t buddy_zone_buddyinfo(const struct buddy_zone *z, char *buf,
                                      size_t size);
/*
 * The zone's /proc/zoneinfo entry, in the kernel's layout (mm/vmstat.c):
 * "Node %d, zone %8s", then pages free, boost, the min, low, high and
 * promo marks, spanned, present, managed and the protection (lowmem
 * reserve) list; for a zone with managed pages also nr_free_pages, one
 * "cpu:" pageset per attached cache (count, high, batch; the most recently
 * attached is cpu 0) and start_pfn.
 * Lines for what only the kernel has (per-node and NUMA counters, CMA)
 * are left out. As buddy_zone_buddyinfo for buf, size and the result.
 */
BUDDY_API size_t buddy_zone_zoneinfo(const struct buddy_zone *z, char *buf,
                                     size_t size);

/*
 * /proc/pagetypeinfo as a node holding only this zone prints it, in the
 * kernel's format (mm/vmstat.c pagetypeinfo_show): "Page block order: %d",
 * "Pages per block:  %lu", the free-blocks table (a line per migrate type,
 * "Node %4d, zone %8s, type %12s " then each order's free blocks as
 * "%6lu ") and the pageblock counts ("Node %d, zone %8s " then "%12lu "
 * per type), each under its header line. As buddy_zone_buddyinfo for buf,
 * size and the result.
 */
BUDDY_API size_t buddy_zone_pagetypeinfo(const struct buddy_zone *z,
                                         char *buf, size_t size);

/* What a walk visits: every page of the span is in exactly one of these. */
enum buddy_block_kind {
    BUDDY_BLOCK_HOLE = 1,      /* never given to the zone */
    BUDDY_BLOCK_FREE = 2,      /* on free_area[order] */
    BUDDY_BLOCK_ALLOCATED = 3, /* handed out by an allocation */
    BUDDY_BLOCK_RESERVED = 4,  /* taken out by buddy_zone_reserve */
    BUDDY_BLOCK_INFLIGHT = 5,  /* being split or merged: only seen from an
                                  event hook */
    BUDDY_BLOCK_CACHED = 6     /* held by a per-CPU page cache: free to the
                                  cache's owner, not counted as free */
};

struct buddy_block {
    buddy_pfn_t pfn;           /* first page */
    uint64_t nr_pages;         /* 2^order for blocks; any length for holes */
    unsigned order;            /* log2(nr_pages) for blocks, 0 for holes */
    enum buddy_block_kind kind;
    unsigned owner;            /* an allocated block's owner on a zone
                                  with owners, else 0 */
    enum buddy_migratetype mt; /* the type of the pageblock of its first
                                  page; of the list, for a free list's
                                  walk */
};

BUDDY_API const char *buddy_block_kind_name(enum buddy_block_kind kind);

/*
 * Visit every block of the zone in address order (adjacent hole blocks are
 * reported as one hole). Stops early, returning fn's value, when fn returns
 * nonzero. O(blocks).
 */
typedef int (*buddy_walk_fn)(void *arg, const struct buddy_block *block);
BUDDY_API int buddy_zone_walk(const struct buddy_zone *z, buddy_walk_fn fn,
                              void *arg);

/*
 * Visit the blocks on free_area[order], list by list in migrate type order
 * (unmovable, movable, reclaimable, highatomic, isolate), each in list
 * order: the block the next allocation of that type and order takes comes
 * first (the most recently freed, as lists are LIFO); the deferred blocks
 * of the lazy run, in address order, follow the list of their type
 * (movable). Stops early as buddy_zone_walk. EORDER above max_order.
 * O(nr_free[order]).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_walk_free_list(const struct buddy_zone *z,
                                        unsigned order, buddy_walk_fn fn,
                                        void *arg);

/* The block containing pfn (a hole block for holes). ERANGE outside the
 * span. O(max_order). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_find_block(const struct buddy_zone *z,
                                    buddy_pfn_t pfn, struct buddy_block *out);

/* What the validator found: the first violated invariant. */
struct buddy_check_report {
    int error;            /* 0, or BUDDY_ECORRUPT / BUDDY_EBADZONE */
    const char *what;     /* the invariant, in words ("" when fine) */
    buddy_pfn_t pfn;      /* where, or BUDDY_PFN_NONE */
    unsigned order;       /* order involved, if any */
    uint64_t expected;    /* for counters: what it should be */
    uint64_t actual;      /* and what it is */
};

/*
 * Check every invariant of the zone (see docs/design.md): every page in
 * exactly one block; blocks naturally aligned and within max_order; every free
 * block on the list of its order and no free buddy beside it; list links and
 * nr_free consistent; the non-empty bitmap; the page counters. Returns 0 or
 * BUDDY_ECORRUPT and fills *rep (may be NULL) instead of aborting.
 * O(spanned pages).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_check(const struct buddy_zone *z,
                               struct buddy_check_report *rep);

/* ------------------------------------------------------------------------ */
/* Event hook                                                                */
/* ------------------------------------------------------------------------ */

enum buddy_event_type {
    BUDDY_EV_ALLOC = 1,    /* pfn, order: a block was handed out */
    BUDDY_EV_FREE = 2,     /* pfn, order: a block came back (before merging) */
    BUDDY_EV_SPLIT = 3,    /* pfn, order: block split; buddy = the upper half,
                              now on free_area[order - 1] */
    BUDDY_EV_MERGE = 4,    /* pfn, order: the block at pfn (lower or upper
                              half) merged with its free buddy at `buddy`
                              into the block at pfn & buddy, order + 1 */
    BUDDY_EV_FALLBACK = 5, /* system allocation of order served by this zone,
                              not by `preferred` */
    BUDDY_EV_FAIL = 6,     /* allocation of order failed: error */
    BUDDY_EV_REJECT = 7,   /* bad free or range refused: error, pfn, order */
    BUDDY_EV_ADD_RANGE = 8, /* pfn, nr_pages given to the zone (the merges
                               inside a range operation are not reported
                               one by one) */
    BUDDY_EV_RESERVE = 9,  /* pfn, nr_pages reserved */
    BUDDY_EV_EXTFRAG = 10, /* pfn, order: an allocation fell back to another
                              migrate type (the kernel's
                              mm_page_alloc_extfrag): fallback_order,
                              alloc_type, fallback_type, change_ownership */
    BUDDY_EV_WMARK = 11,   /* a system allocation found this zone at or
                              below its mark `wmark` (for order, as
                              __zone_watermark_ok judged it) and passed it
                              by */
    BUDDY_EV_RESIZE = 12   /* pfn, order: the allocated block at pfn is of
                              order now, grown or shrunk in place from
                              old_order (buddy_zone_resize_pages) */
};

struct buddy_event {
    enum buddy_event_type type;
    const struct buddy_zone *zone;
    buddy_pfn_t pfn;
    unsigned order;
    buddy_pfn_t buddy;     /* SPLIT, MERGE: the buddy block's pfn */
    uint64_t nr_pages;     /* ADD_RANGE, RESERVE */
    int error;             /* FAIL, REJECT */
    const struct buddy_zone *preferred; /* FALLBACK */
    unsigned fallback_order;   /* EXTFRAG: the order of the block it took */
    enum buddy_migratetype alloc_type;    /* EXTFRAG: the request's type */
    enum buddy_migratetype fallback_type; /* EXTFRAG: the pageblock's type
                                             before */
    bool change_ownership;     /* EXTFRAG: the pageblock is the request's
                                  type now (a claim) */
    int wmark;                 /* WMARK: an enum buddy_wmark */
    unsigned old_order;        /* RESIZE: the block's order before */
};

/*
 * Called synchronously on each event. The zone may be walked and read from
 * the hook (a block being split or merged shows as BUDDY_BLOCK_INFLIGHT) but
 * not changed. On a zone with lock ops the hook runs with the lock held:
 * call only buddy_zone_walk_locked, buddy_zone_check_locked and
 * buddy_zone_get_info from it. An unset hook costs one predictable branch
 * per operation.
 */
typedef void (*buddy_event_fn)(void *arg, const struct buddy_event *ev);
/* Set (fn NULL: clear) the zone's hook; takes the zone lock. EBADZONE. */
BUDDY_API int buddy_zone_set_hook(struct buddy_zone *z, buddy_event_fn fn,
                                  void *arg);
BUDDY_API const char *buddy_event_name(enum buddy_event_type type);

/* ------------------------------------------------------------------------ */
/* Nodes, zones and fallback                                                 */
/* ------------------------------------------------------------------------ */

/*
 * A system is nodes of zones. zone_idx orders the zones of a node from the
 * most constrained (0, e.g. DMA) up (e.g. 2 = Normal), as the kernel's
 * ZONE_DMA < ZONE_DMA32 < ZONE_NORMAL. An allocation names a preferred node
 * and the highest zone index it may use, and falls back along the zonelist:
 * the preferred node's zones from that index down to 0, then each other node
 * in turn (nid + 1, nid + 2 ... wrapping) the same way.
 *
 * The system's storage is the caller's (it may be static or on the stack):
 * BUDDY_SYSTEM_SIZE bytes whose contents are private to the library;
 * buddy_system_init makes it empty.
 */
#define BUDDY_SYSTEM_SIZE 1024u /* the same on every target: part of the ABI */

struct buddy_system {
    union {
        unsigned char bytes[BUDDY_SYSTEM_SIZE];
        uint64_t align_u64;
        void *align_ptr;
    } opaque_; /* private */
};

BUDDY_API void buddy_system_init(struct buddy_system *sys);

/* Place zone z at (nid, zone_idx). ENODE, EEXIST (slot taken),
 * ESPANOVERLAP (its span overlaps another zone's), EINVAL (zone already in
 * a system). A refused zone is left out and the system is unchanged. */
BUDDY_NODISCARD
BUDDY_API int buddy_system_add_zone(struct buddy_system *sys, unsigned nid,
                                    unsigned zone_idx, struct buddy_zone *z);

/*
 * Allocate 2^order pages from the first zone of the zonelist (nid,
 * highest_zone_idx) that has a block, as the kernel's alloc_pages_node():
 * buddy_system_alloc_pages_flags with BUDDY_GFP_MOVABLE (below). Like
 * every call without a gfp word it allocates as movable, the type all
 * memory starts as, so that it takes blocks exactly as it did before
 * there were migrate types. *zone_out (may be NULL) tells where it came
 * from.
 *
 * The preferred zone is the zonelist's first (the kernel's
 * preferred_zoneref), whether or not its max_order reaches the order. A
 * block from any other zone counts one fallback on the zone that served it
 * (and a FALLBACK event naming the preferred zone): all the kernel counts
 * as numa_miss, plus a fall to a lower zone of the preferred node, which
 * the kernel counts as numa_hit. Errors, in order: ENULL (sys or pfn);
 * ENODE (nid not below the system's nr_nodes, or highest_zone_idx not
 * below BUDDY_MAX_NR_ZONES); EORDER when no zone of the zonelist has
 * max_order >= order, or the list has no zone (nothing counted); ENOMEM
 * when they all came up short, even after draining their caches (one
 * alloc_failure on the preferred zone).
 * O(nodes * zones * max_order).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_system_alloc_pages(struct buddy_system *sys, unsigned nid,
                                       unsigned highest_zone_idx,
                                       unsigned order, buddy_pfn_t *pfn,
                                       struct buddy_zone **zone_out);

/*
 * What an allocation may do to succeed, as the kernel's gfp flags say it
 * (0 is GFP_KERNEL). An allocation walks the zonelist as
 * get_page_from_freelist does, taking a zone only if it passes
 * __zone_watermark_ok: free pages, less 2^order - 1, above the mark plus
 * the zone's lowmem_reserve for the request's highest zone index, and for
 * order > 0 a free block of the order or larger. First against each
 * zone's low mark; then, having woken the embedder's kswapd callback,
 * against the min mark (HIGH may take half of it, HIGH with NOWAIT a
 * quarter more); then once more after draining the zones' caches; then,
 * unless NOWAIT, calling the registered shrinkers and retrying while they
 * free something, at most BUDDY_MAX_RECLAIM_RETRIES times. MEMALLOC
 * ignores the marks. With no watermarks set (all 0) a zone passes exactly
 * when it has a free block of the order, so the marks change nothing
 * until buddy_system_set_watermarks sets them.
 */
#define BUDDY_GFP_HIGH 0x1u     /* __GFP_HIGH: may use half the min reserve */
#define BUDDY_GFP_NOWAIT 0x2u   /* no direct reclaim (GFP_NOWAIT); with HIGH,
                                   GFP_ATOMIC's further quarter */
#define BUDDY_GFP_ATOMIC (BUDDY_GFP_HIGH | BUDDY_GFP_NOWAIT)
#define BUDDY_GFP_MEMALLOC 0x4u /* __GFP_MEMALLOC: no watermarks at all */
/* The migrate type: neither flag is unmovable (GFP_KERNEL); both at once
 * is EINVAL, as the kernel forbids the pair. */
#define BUDDY_GFP_MOVABLE 0x8u     /* __GFP_MOVABLE: user-like pages */
#define BUDDY_GFP_RECLAIMABLE 0x10u /* __GFP_RECLAIMABLE: shrinkable caches */
#define BUDDY_GFP_ALL 0x1fu     /* every flag this version knows */
#define BUDDY_MAX_RECLAIM_RETRIES 16u /* the kernel's MAX_RECLAIM_RETRIES */

/* As buddy_system_alloc_pages, with gfp flags; EINVAL for an unknown
 * flag (checked first, after ENULL). */
BUDDY_NODISCARD
BUDDY_API int buddy_system_alloc_pages_flags(struct buddy_system *sys,
                                             unsigned nid,
                                             unsigned highest_zone_idx,
                                             unsigned order, unsigned flags,
                                             buddy_pfn_t *pfn,
                                             struct buddy_zone **zone_out);

/* As buddy_system_alloc_pages_flags on a zonelist of this zone alone (no
 * lowmem reserve, no kswapd, no shrinkers): the zone's own watermarks
 * judge the request, as buddy_zone_set_watermarks set them. Errors:
 * EBADZONE, then as the system call's (ENULL, EINVAL, EORDER, ENOMEM). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_alloc_pages_flags(struct buddy_zone *z,
                                           unsigned order, unsigned flags,
                                           buddy_pfn_t *pfn);

/*
 * Reclaim callbacks, as the kernel's kswapd and struct shrinker. They run
 * on the allocating thread with no zone lock held, so a shrinker may free
 * into any zone. Register them before the system is shared: the system
 * has no lock of its own.
 */

/* Woken, once per node of the zonelist, when an allocation finds every
 * zone below its low mark (wakeup_kswapd); and for one zone, with order 0
 * and that zone's index as highest_zone_idx, after an allocation whose
 * fallback boosted that zone's marks (the kernel's ZONE_BOOSTED_WATERMARK
 * in rmqueue). It should free memory asynchronously, up to the high mark:
 * record the request and have another thread run
 * buddy_system_balance_node; the allocation goes on. Allocating threads
 * call it concurrently, with no zone lock held. */
typedef void (*buddy_kswapd_fn)(void *arg, unsigned nid, unsigned order,
                                unsigned highest_zone_idx);
/* Set (fn NULL: clear) the system's kswapd callback, before the system is
 * shared (buddy_kswapd_start in buddy/hosted.h sets it for a thread of
 * its own). ENULL. */
BUDDY_API int buddy_system_set_kswapd(struct buddy_system *sys,
                                      buddy_kswapd_fn fn, void *arg);

/*
 * What kswapd runs when woken: the kernel's balance_pgdat, with the
 * registered shrinkers as the only reclaim. The node is balanced when one
 * of its zones of index <= highest_zone_idx has free pages above its high
 * mark plus boost plus the lowmem reserve for highest_zone_idx, and for
 * order > 0 a free block of the order (pgdat_balanced: one such zone
 * serves the request). Until then the shrinkers run at priorities 12 down
 * to 1, one pass each, as a direct reclaim runs them. A zone's boost is
 * reclaimed on top, even on a balanced node, at priority 10 at the lowest
 * while passes free something; afterwards each boosted zone's boost drops
 * by what it was when the run began. Once twice the order's pages came
 * back, the order is judged as 0 (there is no compaction). The objects the
 * shrinkers freed go to *reclaimed (may be NULL). A node without managed
 * pages at those indices is balanced: 0 reclaimed, no run counted.
 *
 * A freestanding embedder runs this on a thread of its own, woken by its
 * kswapd callback (merging wakes as the kernel's kswapd_order and
 * kswapd_highest_zoneidx do: the largest order and index asked since the
 * last run). It is safe beside allocations, frees and direct reclaims on
 * other threads, and beside other balance runs: it takes each zone's lock
 * for what it reads and changes, and only reads the zonelist and the
 * shrinker table, which are set before the system is shared. The
 * shrinkers, though, then run on several threads at once: they must be
 * thread-safe. Counts one pageoutrun per run and the objects asked of
 * the shrinkers in slabs_scanned (buddy_system_vmstat).
 *
 * Errors, in order, each with nothing changed and *reclaimed untouched:
 * ENULL (sys); ENODE (nid not below the system's nr_nodes, or
 * highest_zone_idx not below BUDDY_MAX_NR_ZONES); EORDER (order above
 * BUDDY_MAX_ORDER_LIMIT). Cost: at most 12 passes (24 when a boosted run
 * finds the node unbalanced and starts again), plus as many at priority 10
 * as reclaiming a boost takes, each freeing something; a pass is one call
 * of each shrinker's count and its scan batches, and a lock round trip per
 * zone of the node.
 */
BUDDY_API int buddy_system_balance_node(struct buddy_system *sys,
                                        unsigned nid,
                                        unsigned highest_zone_idx,
                                        unsigned order, uint64_t *reclaimed);

struct buddy_shrink_control {
    unsigned nid;        /* the node the allocation wanted */
    unsigned order;      /* its order */
    uint64_t nr_to_scan; /* objects to scan in this call (scan only) */
};

#define BUDDY_SHRINK_EMPTY (UINT64_MAX - 1) /* count: nothing cached at all */
#define BUDDY_SHRINK_STOP UINT64_MAX        /* scan: cannot go on now */
#define BUDDY_SHRINKER_DEFAULT_SEEKS 2u     /* the kernel's DEFAULT_SEEKS */
#define BUDDY_SHRINK_BATCH 128u             /* the kernel's SHRINK_BATCH */
#define BUDDY_MAX_SHRINKERS 8u

/* An object cache that can give memory back under pressure. A direct
 * reclaim runs priorities 12 (the kernel's DEF_PRIORITY) down to 0 until
 * 32 objects came back; at priority p a shrinker with `freeable` objects
 * is asked to scan (freeable >> p) * 4 / seeks of them (at most twice
 * what it has), `batch` at a time, as do_shrink_slab does (without its
 * deferred work). Each retry of the allocation reclaims again. */
struct buddy_shrinker {
    uint64_t (*count)(void *arg, const struct buddy_shrink_control *sc);
    uint64_t (*scan)(void *arg, const struct buddy_shrink_control *sc);
    void *arg;
    unsigned seeks; /* cost of recreating an object, 0: DEFAULT_SEEKS */
    unsigned batch; /* objects per scan call, 0: BUDDY_SHRINK_BATCH */
};

/* Register a copy of *s. ENULL (or a NULL count or scan), ENOSPC when
 * BUDDY_MAX_SHRINKERS are registered, EEXIST when one with the same
 * functions and arg is. */
BUDDY_NODISCARD
BUDDY_API int buddy_system_register_shrinker(struct buddy_system *sys,
                                             const struct buddy_shrinker *s);
/* Remove the one with s's functions and arg. ENULL, ERANGE when none is
 * registered. */
BUDDY_API int buddy_system_unregister_shrinker(struct buddy_system *sys,
                                               const struct buddy_shrinker *s);

/* Free a block by pfn and order into whichever zone spans it. ERANGE if none;
 * else as buddy_zone_free_pages. */
BUDDY_API int buddy_system_free_pages(struct buddy_system *sys,
                                      buddy_pfn_t pfn, unsigned order);

/* The zone that spans pfn, or NULL. O(nodes * zones). */
BUDDY_NODISCARD
BUDDY_API struct buddy_zone *buddy_system_pfn_zone(const struct buddy_system *sys,
                                                   buddy_pfn_t pfn);

/* /proc/vmstat's lines for what libbuddy counts, in the kernel's order and
 * format ("name value\n"): nr_free_pages, then per zone index
 * pgalloc_<zone> (pages taken from the free lists: a cache refill counts
 * its batch) and allocstall_<zone>, then pgfree (pages put back), summed
 * over nodes by zone index and named, lowercased, after the zone of that
 * index on the lowest node; then the system's slabs_scanned (objects the
 * shrinkers were asked to scan, by direct reclaim and kswapd) and
 * pageoutrun (buddy_system_balance_node runs). Without statistics
 * (BUDDY_STATS=0) only nr_free_pages. As buddy_system_buddyinfo for buf,
 * size and the result; 0 for a NULL system. */
BUDDY_API size_t buddy_system_vmstat(const struct buddy_system *sys,
                                     char *buf, size_t size);

/* /proc/pagetypeinfo for the whole system: buddy_zone_pagetypeinfo's
 * text for each node with zones, its zones in buddyinfo's order in each
 * table; a node's order header reaches the largest max_order among its
 * zones, and zones of different pageblock orders print the node's first
 * in its header. Returns the length needed (as snprintf). */
BUDDY_API size_t buddy_system_pagetypeinfo(const struct buddy_system *sys,
                                           char *buf, size_t size);

/* buddy_system_vmstat's lines for a node of this zone alone. */
BUDDY_API size_t buddy_zone_vmstat(const struct buddy_zone *z, char *buf,
                                   size_t size);

/* /proc/zoneinfo for the whole system, zones in buddyinfo's order (see
 * buddy_zone_zoneinfo). Returns the length needed (as snprintf). */
BUDDY_API size_t buddy_system_zoneinfo(const struct buddy_system *sys,
                                       char *buf, size_t size);

/* /proc/buddyinfo for the whole system: one line per zone, nodes in order,
 * zones from index 0 up. Returns the length needed (as snprintf). */
BUDDY_API size_t buddy_system_buddyinfo(const struct buddy_system *sys,
                                        char *buf, size_t size);

/* Variants for use while the zone's lock is held: from an event hook or a
 * walk callback of a zone that has lock ops. */
BUDDY_API int buddy_zone_walk_locked(const struct buddy_zone *z,
                                     buddy_walk_fn fn, void *arg);
BUDDY_NODISCARD
BUDDY_API int buddy_zone_check_locked(const struct buddy_zone *z,
                                      struct buddy_check_report *rep);

/* ------------------------------------------------------------------------ */
/* Free page reporting                                                       */
/* ------------------------------------------------------------------------ */

/*
 * The kernel's free page reporting (mm/page_reporting.c), for whoever must
 * act on memory that has become free: give it back to the OS (madvise) or
 * to a hypervisor, TRIM it, zero it for security. A zone with a reporter
 * notes every block of at least min_order that a free leaves on the free
 * lists (the merged block, after the buddies joined it; the pages a range
 * call adds are not noted). buddy_zone_report_free, called when the
 * embedder chooses (after a delay, from a timer or a later call: the
 * kernel waits two seconds), hands the noted blocks that are still free
 * to `report`, in batches of up to BUDDY_FREE_REPORT_BATCH, with the zone
 * lock held, so none of them can be allocated while report works on it:
 * report must not call the zone. A block allocated again before then is
 * not reported. `notify`, if set, is called (lock held) when a first block
 * is noted since the last report, to schedule one.
 * The notes are a fixed array of BUDDY_FREE_REPORT_PENDING blocks in the
 * zone (no allocation); when more are noted before a report, that report
 * walks the free lists of min_order and above instead and reports every
 * free block there. A block may be reported again after it was allocated
 * and freed, or, after such a walk, while it stayed free. Costs, with a
 * reporter: a free that leaves a block of min_order or more, the walk to
 * its head (O(max_order)) and a store; without one, one branch per free.
 */
#define BUDDY_FREE_REPORT_BATCH 16u
#define BUDDY_FREE_REPORT_PENDING 16u

struct buddy_free_range {
    buddy_pfn_t pfn;   /* a free block's head */
    unsigned order;    /* its order (min_order or more) */
};

typedef void (*buddy_free_report_fn)(void *arg,
                                     const struct buddy_free_range *ranges,
                                     unsigned n);

struct buddy_free_reporter {
    unsigned min_order;            /* the smallest block worth reporting */
    buddy_free_report_fn report;
    void (*notify)(void *arg);     /* NULL, or told a report is due */
    void *arg;
};

/* Set the zone's reporter (r NULL: none; the notes are dropped). Takes
 * the zone lock. EBADZONE; ENULL (r->report NULL); EORDER (min_order
 * above max_order). */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_set_free_reporter(struct buddy_zone *z,
                                           const struct buddy_free_reporter *r);

/* Report the noted blocks that are still free (see above) and forget the
 * notes: the blocks reported, 0 with no reporter or nothing noted. One
 * lock round trip; O(notes), or O(free blocks of min_order and above)
 * after an overflow. */
BUDDY_API uint64_t buddy_zone_report_free(struct buddy_zone *z);

/* ------------------------------------------------------------------------ */
/* Threads: the zone lock, per-CPU page caches, bulk allocation             */
/* ------------------------------------------------------------------------ */

/* The lock a zone takes around every operation on its free lists. The
 * embedder supplies it (a spinlock in a kernel, a mutex in user space, or
 * nothing on one thread). lock, unlock and arg are required; the rest are
 * optional (NULL), and a positional initializer of the first three leaves
 * them so:
 *
 *   held       does the calling thread hold the lock? Debug builds
 *              (BUDDY_DEBUG >= 1) assert it in every function that expects
 *              the lock, as the kernel's lockdep_assert_held.
 *   sync_cpus  a memory barrier on every CPU that runs a cache's owner
 *              (Linux membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), an IPI in
 *              a kernel; on one core, an empty function). With it a
 *              cache's fast paths need no fence of their own to stay safe
 *              against a remote drain (see buddy_pcp_drain); without it
 *              each cached operation runs out of line with one atomic
 *              exchange. Called with the lock held, only when a drain must
 *              take another thread's cache.
 *   relax      called while a remote drain waits for a cache's owner to
 *              leave an O(1) fast path (sched_yield, a pause); NULL spins.
 */
struct buddy_lock_ops {
    void (*lock)(void *arg);
    void (*unlock)(void *arg);
    void *arg;
    bool (*held)(void *arg);
    void (*sync_cpus)(void *arg);
    void (*relax)(void *arg);
};

/*
 * Set (or, with NULL, clear) the zone's lock before sharing it. From then on
 * every call on the zone takes it, and every change of zone state, every
 * counter and every event hook runs with it held (use the _locked variants
 * from hooks and walk callbacks). The per-CPU cache fast paths never take
 * it. ENULL (lock or unlock missing) / EBADZONE.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_set_lock(struct buddy_zone *z,
                                  const struct buddy_lock_ops *ops);

/*
 * Allocate up to nr blocks of 2^order pages with one lock round trip, as the
 * kernel's alloc_pages_bulk. Fills pfns[0..n) and returns n (0 when nothing
 * is free), or EORDER / ENULL / EBADZONE. O(n * max_order).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_alloc_bulk(struct buddy_zone *z, unsigned order,
                                    unsigned nr, buddy_pfn_t *pfns);

/*
 * Per-CPU page caches, the kernel's pcp lists. A cache holds blocks of orders
 * 0..max_order taken from its zone in batches; its owner allocates and frees
 * those orders without the zone lock: a list pop or push plus the O(1)
 * check of the page's state byte. When a list is empty the cache refills
 * `batch` pages' worth from the zone under one lock round trip; when it
 * holds more than `high` pages it gives `batch` pages back, from the list
 * that grew first. high 0 (the default) scales with the zone, as the
 * kernel's zone_highsize does: 1/1024 of its span, at least 6 batches.
 * Cached pages are neither free (buddyinfo does not count them, as in the
 * kernel) nor allocated: walks show them as BUDDY_BLOCK_CACHED, stats as
 * cached_pages.
 *
 * One thread at a time may use a cache (its owner: a CPU, or a thread in
 * user space); any thread may free any block into its own cache, and
 * exactly one of two concurrent frees of one block succeeds (the other gets
 * EDOUBLEFREE). Any thread may drain any cache at any time, owner running or
 * not (buddy_pcp_drain, buddy_zone_drain_caches), and an allocation that
 * finds the zone short drains every cache of the zone before it fails, as
 * the kernel's drain_all_pages: a remote drain closes the cache's gate,
 * waits for its owner to leave the O(1) fast path it may be in, and takes
 * the blocks under the zone lock. The zone must have lock ops if several
 * caches or threads use it.
 *
 * Nothing here is async-signal-safe: a signal handler that allocates or
 * frees through a cache its thread was using loses or corrupts pages, and
 * one that takes a zone lock its thread holds deadlocks. Allocate from a
 * handler only on a zone no interrupted code uses.
 */
#define BUDDY_PCP_ORDER_LIMIT 10u      /* orders 0..10 at most are cached */
#define BUDDY_PCP_DEFAULT_MAX_ORDER 3u /* the kernel's PAGE_ALLOC_COSTLY_ORDER */
#define BUDDY_PCP_DEFAULT_BATCH 63u    /* pages per refill/drain, as Linux */
#define BUDDY_PCP_DEFAULT_HIGH 0u      /* pages kept at most: 0 = scaled */
/* The largest batch: a refill or drain holds the zone lock for O(batch)
 * list operations, so the batch is bounded as the kernel bounds pcp->batch
 * (its zone_batchsize stops at 63 pages; here a caller may ask for more). */
#define BUDDY_PCP_MAX_BATCH 4096u
/* The largest high mark, in pages. */
#define BUDDY_PCP_MAX_HIGH (1u << 30)

struct buddy_pcp_config {
    unsigned max_order; /* cache orders 0..max_order (<= 10) */
    unsigned batch;     /* pages moved per refill or drain
                           (1..BUDDY_PCP_MAX_BATCH) */
    unsigned high;      /* pages kept before draining a batch (>= batch;
                           0: span / 1024, at least 6 * batch) */
};

#define BUDDY_PCP_CONFIG_INIT                                                  \
    {BUDDY_PCP_DEFAULT_MAX_ORDER, BUDDY_PCP_DEFAULT_BATCH,                     \
     BUDDY_PCP_DEFAULT_HIGH}

/* A cache's storage is the caller's (per-CPU data, thread-local, static,
 * an array of them): BUDDY_PCP_SIZE bytes, aligned for a pointer and a
 * 64-bit integer, whose contents are private to the library, as
 * pthread_mutex_t's are. Nothing needs zeroing: buddy_pcp_init writes
 * what it uses. The size is fixed on every target, so it is part of the
 * ABI. */
#define BUDDY_PCP_SIZE 384u

struct buddy_pcp {
    union {
        unsigned char bytes[BUDDY_PCP_SIZE];
        uint64_t align_u64;
        void *align_ptr;
    } opaque_; /* private */
};

/* Attach a cache to a zone (takes the zone lock). EINVAL for a bad config
 * (max_order above the limit or the zone's, batch 0 or above
 * BUDDY_PCP_MAX_BATCH, high neither 0 nor >= batch, or above
 * BUDDY_PCP_MAX_HIGH); EATTACHED when pcp is attached to z already
 * (buddy_pcp_fini it first; attaching a cache that is still attached to
 * another zone corrupts that zone's list of caches, which its validator
 * reports). O(caches of the zone). */
BUDDY_NODISCARD
BUDDY_API int buddy_pcp_init(struct buddy_pcp *pcp, struct buddy_zone *z,
                             const struct buddy_pcp_config *cfg);
/* Give every cached block back and detach (takes the zone lock). Any
 * thread, once the owner no longer uses the cache (as a mutex is destroyed
 * only when no one holds it); the cache's later calls return ENULL (or
 * NULL). */
BUDDY_API void buddy_pcp_fini(struct buddy_pcp *pcp);
/* Give every cached block back to the zone (the kernel's drain_local_pages,
 * or drain_pages_zone on another CPU). Any thread, while the owner runs or
 * not: a drain from another thread than the owner waits for the owner to
 * leave its current O(1) fast path. One lock round trip, O(cached blocks). */
BUDDY_API void buddy_pcp_drain(struct buddy_pcp *pcp);
/* Drain every cache attached to z (the kernel's drain_all_pages); any
 * thread, owners running or not. The pages given back go to *pages (may
 * be NULL). EBADZONE. One lock round trip, O(caches + cached blocks). */
BUDDY_API int buddy_zone_drain_caches(struct buddy_zone *z, uint64_t *pages);
/* Pages cached now, in *pages; any thread may ask. ENULL for NULL
 * arguments or a detached cache (*pages untouched). */
BUDDY_NODISCARD BUDDY_API int buddy_pcp_count(const struct buddy_pcp *pcp,
                                              uint64_t *pages);
/* The configuration an attached cache runs with, its high mark scaled if
 * it was asked for 0; ENULL for NULL or a detached cache. Any thread. */
BUDDY_API int buddy_pcp_get_config(const struct buddy_pcp *pcp,
                                   struct buddy_pcp_config *cfg);

/* As buddy_zone_alloc_pages / buddy_zone_free_pages / buddy_zone_free_pfn,
 * through the cache for orders it caches and straight to the zone for the
 * others. The
 * cached paths are O(1) and take no lock; a refill or drain is one lock
 * round trip. Errors are exactly those of the zone calls. */
BUDDY_NODISCARD
BUDDY_API int buddy_pcp_alloc_pages(struct buddy_pcp *pcp, unsigned order,
                                    buddy_pfn_t *pfn);
BUDDY_API int buddy_pcp_free_pages(struct buddy_pcp *pcp, buddy_pfn_t pfn,
                                   unsigned order);
BUDDY_API int buddy_pcp_free_pfn(struct buddy_pcp *pcp, buddy_pfn_t pfn);
/* As buddy_zone_alloc_pages_type, through the cache: one list per pcp type
 * per cached order, as the kernel's pcp lists. A refill allocates its
 * batch for the type (one fallback search for the batch) and keeps it on
 * that type's list; a cached free goes on the list of its pageblock's type
 * (a HIGHATOMIC pageblock's as movable; an ISOLATE pageblock's straight
 * to the zone). The movable list, the one the untyped calls use, is the
 * inline fast path; the other two are the same pop behind one call. With
 * grouping by mobility off, every type shares the one list. No
 * watermarks, as the untyped calls. Errors exactly those of the zone
 * call (ENULL also for a detached cache). */
BUDDY_NODISCARD
BUDDY_API int buddy_pcp_alloc_pages_type(struct buddy_pcp *pcp, unsigned order,
                                         enum buddy_migratetype mt,
                                         buddy_pfn_t *pfn);
/* As buddy_zone_alloc / buddy_zone_free, through the cache: the byte API of
 * a zone that has a base address. A size the cache serves (up to its
 * largest cached block) is a list pop with no call; anything else, and
 * every error, takes the zone path and gets exactly what buddy_zone_alloc
 * / buddy_zone_free give. */
BUDDY_NODISCARD BUDDY_MALLOC BUDDY_ALLOC_SIZE(2)
BUDDY_API void *buddy_pcp_alloc(struct buddy_pcp *pcp, size_t size);
BUDDY_API int buddy_pcp_free(struct buddy_pcp *pcp, void *ptr);
/* Up to nr blocks: first from the cache, the rest with one zone bulk call.
 * Returns the number filled, as buddy_zone_alloc_bulk. */
BUDDY_NODISCARD
BUDDY_API int buddy_pcp_alloc_bulk(struct buddy_pcp *pcp, unsigned order,
                                   unsigned nr, buddy_pfn_t *pfns);

/*
 * Watermarks, as the kernel's __setup_per_zone_wmarks and
 * setup_per_zone_lowmem_reserve compute them: min_free_kbytes is shared
 * among the zones of a system by their managed pages (present minus
 * reserved) to give each zone its min mark; low and high each add the
 * larger of min / 4 and managed * watermark_scale_factor / 10000; promo
 * adds it once more. Zone index 3, the top (the kernel's ZONE_MOVABLE),
 * takes no share: its min is managed / 1024, clamped to 32..128 pages.
 * lowmem_reserve[j] of zone i (i < j, one node) is the managed pages of
 * that node's zones i+1..j over lowmem_reserve_ratio[i] (0: none), the
 * pages a request whose highest zone is j leaves to requests that can
 * only use zone i. Computed when asked, from the zones as they are then
 * (the kernel recomputes on hotplug; call again after add_range or
 * reserve). The system's allocation honours them
 * (buddy_system_alloc_pages_flags); the zone and cache calls, which have
 * no zonelist to fall back along, take any free block.
 */
enum buddy_wmark {
    BUDDY_WMARK_MIN = 0,
    BUDDY_WMARK_LOW = 1,
    BUDDY_WMARK_HIGH = 2,
    BUDDY_WMARK_PROMO = 3,
    BUDDY_NR_WMARK = 4
};

struct buddy_wmark_config {
    uint64_t min_free_kbytes;        /* 0: the kernel's default,
                                        int_sqrt(16 * lowmem KiB) clamped to
                                        128..262144; else at most 2^32 */
    unsigned watermark_scale_factor; /* 1..3000, in 1/10000 of a zone's
                                        managed pages (default 10) */
    unsigned lowmem_reserve_ratio[BUDDY_MAX_NR_ZONES]; /* per zone index;
                                        0: reserve nothing (256, 256, 32, 0) */
    unsigned watermark_boost_factor; /* a fragmenting fallback raises the
                                        marks by a pageblock, up to this in
                                        1/10000 of the high mark (default
                                        15000); 0: no boost */
};

#define BUDDY_WMARK_CONFIG_INIT {0, 10, {256, 256, 32, 0}, 15000}

struct buddy_zone_watermarks {
    uint64_t wmark[BUDDY_NR_WMARK]; /* pages, by enum buddy_wmark */
    uint64_t boost;                 /* watermark_boost, pages: added to
                                       every mark */
    uint64_t boost_factor;          /* watermark_boost_factor it grows by */
    uint64_t lowmem_reserve[BUDDY_MAX_NR_ZONES]; /* pages, by the highest
                                                    zone index of a request */
    uint64_t min_free_kbytes;       /* what the marks were computed from */
};

/* Compute every zone's watermarks and lowmem reserves (takes each zone's
 * lock in turn). ENULL, EINVAL for a bad config or zones of different page
 * sizes (the shares are in pages). A zone of no system gets its marks from
 * buddy_zone_set_watermarks. O(zones). */
BUDDY_NODISCARD
BUDDY_API int buddy_system_set_watermarks(struct buddy_system *sys,
                                          const struct buddy_wmark_config *cfg);
/* The same for one zone that is in no system: it takes all of
 * min_free_kbytes, and has no lowmem reserve. EBADZONE, ENULL, EINVAL. */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_set_watermarks(struct buddy_zone *z,
                                        const struct buddy_wmark_config *cfg);
/* The zone's marks (all 0 until set). EBADZONE, ENULL; *wm untouched on
 * failure. */
BUDDY_NODISCARD
BUDDY_API int buddy_zone_get_watermarks(const struct buddy_zone *z,
                                        struct buddy_zone_watermarks *wm);

/* Run buddy_zone_check on every zone; the first failure wins. */
BUDDY_NODISCARD
BUDDY_API int buddy_system_check(const struct buddy_system *sys,
                                 struct buddy_check_report *rep);

#ifdef __cplusplus
}
#endif

#endif /* BUDDY_BUDDY_H */
